// An edge worker that keeps the AccessKey off the browser: callers send only the operation's
// parameters (JSON) with a bearer token; the worker validates, signs with the key from its
// environment and forwards to the endpoint. Cloudflare Workers module format (workerd).
//
// Environment: ACCESS_KEY_ID, ACCESS_KEY_SECRET, SECURITY_TOKEN (optional), REGION_ID, UPSTREAM
// (default https://live.aliyuncs.com), SIGNATURE_ALGORITHM ("v1", the default, or "v3": the
// signature of the requests upstream), PROXY_TOKEN (callers send `Authorization: Bearer <token>`),
// ALLOWED_ORIGINS (comma-separated CORS allow-list; other origins get no CORS grant).
import { CasterClient, CasterError, OPERATIONS } from '../dist/workerd.js';

// One route per operation of the core's table: `POST /v1/<WireName>` calls the client's method of
// that name (`startCasterScene`, …).
const ROUTES = new Map(OPERATIONS.map(({ name }) => [`/v1/${name}`, name[0].toLowerCase() + name.slice(1)]));
const ROUTES_SHOWN = [...ROUTES.keys()].map((path) => `POST ${path}`).join(' or ');
const MAX_BODY_BYTES = 64 * 1024;
// The most an upstream reply may hold (decoded): the API's replies are well under 1 KB, and every
// request in flight in an isolate holds its reply, within the isolate's 128 MB. The client reads
// it as a stream and cancels past this (ReplyTooLarge, answered 502); it never follows a redirect
// (Redirected, 502), and ignores a forged Date, so one hostile reply cannot break the isolate.
const MAX_REPLY_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/** One client per isolate and configuration: its rate limiter is the per-isolate 10 QPS per key. */
const clients = new Map();

function clientFor(env) {
  const key = [env.ACCESS_KEY_ID, env.SECURITY_TOKEN ?? '', env.REGION_ID ?? '', env.UPSTREAM ?? '', env.SIGNATURE_ALGORITHM ?? ''].join('\n');
  let client = clients.get(key);
  if (!client) {
    client = new CasterClient({
      accessKeyId: env.ACCESS_KEY_ID,
      accessKeySecret: env.ACCESS_KEY_SECRET,
      securityToken: env.SECURITY_TOKEN || undefined,
      regionId: env.REGION_ID || undefined,
      endpoint: env.UPSTREAM || undefined,
      // No CORS on the way upstream: V3's headers cost nothing here.
      signatureAlgorithm: env.SIGNATURE_ALGORITHM || undefined,
      // maxQps: each operation's documented limit, from the table.
      maxReplyBytes: MAX_REPLY_BYTES,
    });
    clients.clear(); // a new configuration replaces the old one
    clients.set(key, client);
  }
  return client;
}

/** Equal strings, in time that does not depend on where they differ (SHA-256 of both, then XOR). */
async function tokensMatch(given, expected) {
  const [a, b] = await Promise.all([given, expected].map((text) => crypto.subtle.digest('SHA-256', encoder.encode(text))));
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i] ^ y[i];
  return difference === 0;
}

function allowedOrigin(request, env) {
  const origin = request.headers.get('origin');
  if (!origin) return undefined;
  const allowed = String(env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  return allowed.includes(origin) ? origin : undefined;
}

function corsHeaders(origin) {
  return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
}

function reply(status, body, origin, extra = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...corsHeaders(origin), ...extra },
  });
}

const refuse = (status, code, message, origin, extra) => reply(status, { Code: code, Message: message }, origin, extra);

/** The body as text, or a Response refusing it: at most 64 KB, whatever Content-Length says. */
async function readBody(request, origin) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    return refuse(413, 'RequestEntityTooLarge', `The body must be at most ${MAX_BODY_BYTES} bytes.`, origin);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return refuse(413, 'RequestEntityTooLarge', `The body must be at most ${MAX_BODY_BYTES} bytes.`, origin);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** A CasterError from the client as the worker's reply. Messages are already free of secrets. */
function fromCasterError(error, origin) {
  const body = { Code: error.code, Message: error.message };
  if (error.requestId) body.RequestId = error.requestId;
  if (error.field) body.Field = error.field;
  switch (error.kind) {
    case 'validation':
      return reply(400, body, origin);
    case 'api':
      return reply(error.httpStatus && error.httpStatus >= 400 ? error.httpStatus : 502, body, origin);
    case 'timeout':
      return refuse(504, 'UpstreamTimeout', 'The endpoint did not answer in time.', origin);
    case 'network':
      return refuse(502, 'UpstreamUnreachable', 'The endpoint could not be reached.', origin);
    default:
      return refuse(500, 'WorkerMisconfigured', 'The worker is not configured correctly; see its logs and settings.', origin);
  }
}

async function handle(request, env) {
  const url = new URL(request.url);
  const origin = allowedOrigin(request, env);
  const operation = ROUTES.get(url.pathname);
  if (!operation) return refuse(404, 'NotFound', `Use ${ROUTES_SHOWN}.`, origin);

  if (request.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: origin
        ? {
          ...corsHeaders(origin),
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '86400',
        }
        : corsHeaders(undefined),
    });
  }
  if (request.method !== 'POST') {
    return refuse(405, 'MethodNotAllowed', 'Use POST.', origin, { allow: 'POST, OPTIONS' });
  }

  if (!env.PROXY_TOKEN || !env.ACCESS_KEY_ID || !env.ACCESS_KEY_SECRET) {
    return refuse(500, 'WorkerMisconfigured', 'The worker needs PROXY_TOKEN, ACCESS_KEY_ID and ACCESS_KEY_SECRET.', origin);
  }
  const authorization = request.headers.get('authorization') ?? '';
  // The scheme name is case-insensitive (RFC 7235); the token is compared exactly.
  const given = /^bearer /i.test(authorization) ? authorization.slice('bearer '.length) : '';
  if (!(await tokensMatch(given, env.PROXY_TOKEN))) {
    return refuse(401, 'Unauthorized', 'Send Authorization: Bearer <proxy token>.', origin, { 'www-authenticate': 'Bearer' });
  }

  const text = await readBody(request, origin);
  if (text instanceof Response) return text;
  let params;
  try {
    params = JSON.parse(text);
  } catch {
    return refuse(400, 'InvalidJson', 'The body must be a JSON object of the operation\'s parameters.', origin);
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    return refuse(400, 'InvalidJson', 'The body must be a JSON object of the operation\'s parameters.', origin);
  }
  let client;
  try {
    client = clientFor(env);
  } catch {
    // A config CasterError may name the bad setting but never holds its value.
    return refuse(500, 'WorkerMisconfigured',
      'The worker\'s ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION_ID, UPSTREAM or SIGNATURE_ALGORITHM is not valid.', origin);
  }
  // The client validates before anything else (credentials, rate limit, network): invalid
  // parameters come back as a validation CasterError, answered 400 with their Code and Field.
  try {
    return reply(200, await client[operation](params), origin);
  } catch (error) {
    if (error instanceof CasterError) return fromCasterError(error, origin);
    throw error;
  }
}

export default {
  async fetch(request, env) {
    try {
      return await handle(request, env);
    } catch {
      // Never a stack trace or an exception's text: they could carry configuration.
      return refuse(500, 'InternalError', 'The worker failed to handle the request.', undefined);
    }
  },
};
