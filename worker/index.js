// An edge worker that keeps the AccessKey off the browser: callers send only the operation's
// parameters (JSON) with a bearer token; the worker validates, signs with the key from its
// environment and forwards to the endpoint. Cloudflare Workers module format (workerd).
//
// Environment: ACCESS_KEY_ID, ACCESS_KEY_SECRET, SECURITY_TOKEN (optional), REGION_ID, UPSTREAM
// (default https://live.aliyuncs.com), SIGNATURE_ALGORITHM ("v1", the default, or "v3": the
// signature of the requests upstream), PROXY_TOKEN (callers send `Authorization: Bearer <token>`),
// ALLOWED_ORIGINS (comma-separated CORS allow-list; other origins get no CORS grant),
// ALLOWED_OPERATIONS (comma-separated wire names of the operations callers may use; unset: all of
// the table), RATE_LIMIT (optional Durable Object binding of the class RateLimit below: one rate
// limit per AccessKeyId and operation for every isolate; unbound: each isolate paces itself).
import { CasterClient, CasterError, OPERATIONS } from '../dist/workerd.js';

// One route per operation of the core's table: `POST /v1/<WireName>` calls the client's method of
// that name (`startCasterScene`, …).
const ROUTES = new Map(OPERATIONS.map(({ name }) => [`/v1/${name}`, name[0].toLowerCase() + name.slice(1)]));
const OPERATION_QPS = new Map(OPERATIONS.map(({ name, qps }) => [name, qps]));
const MAX_BODY_BYTES = 64 * 1024;
// The most an upstream reply may hold (decoded): the API's replies are well under 1 KB, and every
// request in flight in an isolate holds its reply, within the isolate's 128 MB. The client reads
// it as a stream and cancels past this (ReplyTooLarge, answered 502); it never follows a redirect
// (Redirected, 502), and ignores a forged Date, so one hostile reply cannot break the isolate.
const MAX_REPLY_BYTES = 64 * 1024;
// The longest a request waits for its slot at the rate-limit object. A request whose slot would
// come later is refused (429 RateLimitQueueFull) without taking one: the client's 10 s attempt
// timeout covers the wait, and slots taken by requests that then time out would only lengthen the
// queue for everyone.
const MAX_SLOT_WAIT_MS = 5000;
// The client's own limiter, when the object paces: it only keeps the waits a throttled reply asks
// for (retry-after); the object keeps the documented rate.
const UNPACED_QPS = 1000;
const encoder = new TextEncoder();

/**
 * The global rate limit of one AccessKeyId and operation (`idFromName("<sha256 hex of the
 * AccessKeyId>/<operation>")`): `POST /slot?operation=<WireName>` takes the next slot, 1/qps × 1.1
 * after the one before (the client limiter's margin), and answers `{ granted: true, waitMs }`, the
 * time to wait before sending; `{ granted: false, waitMs }` when that would be over
 * MAX_SLOT_WAIT_MS (no slot taken). The schedule is kept in memory: the object is single-threaded,
 * so every isolate's requests are spaced in one queue; after an eviction (only when idle) its
 * `next` would have been in the past anyway.
 */
export class RateLimit {
  #next = 0;

  async fetch(request) {
    const qps = OPERATION_QPS.get(new URL(request.url).searchParams.get('operation'));
    if (request.method !== 'POST' || qps === undefined) return Response.json({ granted: false }, { status: 400 });
    const now = Date.now();
    const at = Math.max(now, this.#next);
    const waitMs = at - now;
    if (waitMs > MAX_SLOT_WAIT_MS) return Response.json({ granted: false, waitMs });
    this.#next = at + (1000 / qps) * 1.1;
    return Response.json({ granted: true, waitMs });
  }
}

/** The operation a signed request is for: V3's x-acs-action header, or v1's Action (query or form). */
function actionOf(url, init) {
  const v3 = new Headers(init?.headers).get('x-acs-action');
  if (v3) return v3;
  const inQuery = new URL(url).searchParams.get('Action');
  if (inQuery) return inQuery;
  return typeof init?.body === 'string' ? new URLSearchParams(init.body).get('Action') : null;
}

/**
 * What the wrapper gives the client instead of sending: a reply as the API's own errors look, so
 * the client handles it as any 429 or 503 (retried with backoff, each retry asking for a slot
 * again, then a CasterError the worker answers with this status and Code). Never the object's
 * error: it could say anything.
 */
const withheld = (status, code, message) => new Response(JSON.stringify({ Code: code, Message: message }), {
  status, headers: { 'content-type': 'application/json' },
});

/** Resolves after `ms`, or rejects as fetch does once `signal` aborts. */
function waitUnlessAborted(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The client's fetch when RATE_LIMIT is bound: every attempt (retries too) takes a slot from the
 * object of its AccessKeyId and operation and waits for it before it is sent. When the object
 * cannot be asked or answers something unreadable, nothing is sent.
 */
function pacedFetch(namespace, accessKeyId) {
  const keyHash = crypto.subtle.digest('SHA-256', encoder.encode(accessKeyId))
    .then((digest) => [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
  return async (url, init) => {
    const action = actionOf(url, init);
    if (!OPERATION_QPS.has(action)) {
      return withheld(503, 'RateLimitUnavailable', 'The request could not be matched to an operation\'s rate limit, so it was not sent.');
    }
    let slot;
    try {
      const stub = namespace.get(namespace.idFromName(`${await keyHash}/${action}`));
      const answer = await stub.fetch(`https://rate-limit/slot?operation=${action}`, { method: 'POST' });
      slot = answer.ok ? await answer.json() : undefined;
    } catch {
      slot = undefined;
    }
    const readable = slot !== null && typeof slot === 'object' && typeof slot.granted === 'boolean'
      && Number.isFinite(slot.waitMs) && slot.waitMs >= 0;
    if (!readable) {
      return withheld(503, 'RateLimitUnavailable', 'The worker\'s rate limit could not be reached, so the request was not sent; try again later.');
    }
    if (!slot.granted || slot.waitMs > MAX_SLOT_WAIT_MS) {
      return withheld(429, 'RateLimitQueueFull',
        `Requests of ${action} are queued more than ${MAX_SLOT_WAIT_MS / 1000} s ahead at the documented rate; try again later.`);
    }
    if (slot.waitMs > 0) await waitUnlessAborted(slot.waitMs, init?.signal);
    return fetch(url, init);
  };
}

/**
 * One client per isolate and configuration. Without RATE_LIMIT its limiter is the pacing: each
 * operation's documented QPS per key, in this isolate only. With it, the object paces.
 */
const clients = new Map();

function clientFor(env) {
  const namespace = env.RATE_LIMIT;
  const key = [env.ACCESS_KEY_ID, env.SECURITY_TOKEN ?? '', env.REGION_ID ?? '', env.UPSTREAM ?? '', env.SIGNATURE_ALGORITHM ?? '',
    namespace ? 'global' : 'isolate'].join('\n');
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
      // Without the object, maxQps is each operation's documented limit, from the table, per isolate.
      ...(namespace ? { fetch: pacedFetch(namespace, env.ACCESS_KEY_ID), maxQps: UNPACED_QPS } : {}),
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

/**
 * The routes ALLOWED_OPERATIONS lets callers use (unset: every operation of the table), as
 * `{ routes, shown }`, or undefined when the setting lists no name or a name the table lacks.
 */
const allowLists = new Map();
function allowedRoutes(env) {
  const setting = env.ALLOWED_OPERATIONS;
  const memo = allowLists.get(setting);
  if (memo !== undefined || allowLists.has(setting)) return memo;
  let routes = ROUTES;
  if (setting !== undefined) {
    const names = String(setting).split(',').map((name) => name.trim()).filter(Boolean);
    routes = names.length > 0 && names.every((name) => OPERATION_QPS.has(name))
      ? new Map([...ROUTES].filter(([path]) => names.includes(path.slice('/v1/'.length))))
      : undefined;
  }
  const allowed = routes && { routes, shown: [...routes.keys()].map((path) => `POST ${path}`).join(' or ') };
  allowLists.clear(); // one setting per isolate
  allowLists.set(setting, allowed);
  return allowed;
}

async function handle(request, env) {
  const url = new URL(request.url);
  const origin = allowedOrigin(request, env);
  const allowed = allowedRoutes(env);
  if (!allowed) {
    // The setting's names are not repeated: the reply goes to whoever asked.
    return refuse(500, 'WorkerMisconfigured',
      'The worker\'s ALLOWED_OPERATIONS must list one or more operations of the worker, comma-separated, or be unset.', origin);
  }
  // An operation left off the list is answered as a path that is no route: it is not advertised.
  const operation = allowed.routes.get(url.pathname);
  if (!operation) return refuse(404, 'NotFound', `Use ${allowed.shown}.`, origin);

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
  if (env.RATE_LIMIT !== undefined && typeof env.RATE_LIMIT?.idFromName !== 'function') {
    return refuse(500, 'WorkerMisconfigured', 'The worker\'s RATE_LIMIT must be a Durable Object binding of the class RateLimit, or unset.', origin);
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
