// A strict local stand-in for https://live.aliyuncs.com (contract section 5). Signatures (v1, and
// V3: an `Authorization: ACS3-HMAC-SHA256 …` header), the Timestamp format and every parameter rule
// are checked by the package's own wasm core, so the emulator and the client share one
// implementation of the rules.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  OPERATIONS, parseAuthorization, parseRequestParams, parseTimestamp, validateParams, verifySignature, verifySignatureV3,
} from '../dist/server.mjs';
import {
  CasterState, DEMO_CASTERS, INTEGER_FIELDS, SOURCE_FIELDS, StateError, castersFromConfig,
} from './state.mjs';

export const API_VERSION = '2016-11-01';
export const MAX_BODY_BYTES = 1024 * 1024;
// What a client may make the emulator read or wait for. Node's http server checks these before any
// handler runs; each refusal is a JSON error in the API's shape, and a log line.
/** The request line and headers together, in bytes: more is 431 RequestHeaderFieldsTooLarge. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Header lines read from one request; Node ignores the lines past this count. */
export const MAX_HEADERS_COUNT = 100;
/** From a request's first byte to the end of its headers: longer is 408 RequestTimeout. */
export const HEADERS_TIMEOUT_MS = 5 * 1000;
/** From a request's first byte to the end of its body (a slow upload holds a connection): 408. */
export const REQUEST_TIMEOUT_MS = 10 * 1000;
/** An idle kept-alive connection is closed after this long. */
export const KEEP_ALIVE_TIMEOUT_MS = 5 * 1000;
/** How often Node checks the two timeouts above: one fires at most this much late. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1000;
export const CLOCK_TOLERANCE_MS = 15 * 60 * 1000;
export const NONCE_TTL_MS = 15 * 60 * 1000;
/**
 * Nonces remembered at once, over every key. Each lives up to NONCE_TTL_MS plus the clock
 * tolerance (a request dated ahead), and a throttled request uses its nonce too, so the rate limit
 * alone does not bound the table: when it is full, and still full after dropping the expired, a
 * request is refused (503 ServiceUnavailable) rather than a nonce forgotten.
 */
export const MAX_NONCES = 100_000;
/**
 * Requests a second that one AccessKeyId may make of an operation: the vendor's documented
 * per-user limits ("ApsaraVideo Live: QPS limits"), counted per operation as the gateway counts
 * them. The vendor counts an account and its RAM users together; the emulator knows keys, not
 * accounts, so it counts per AccessKeyId. Operations this emulator does not run are listed for
 * their documented limits.
 */
export const OPERATION_QPS = Object.freeze({
  AddCasterEpisode: 4,
  ...Object.fromEntries(OPERATIONS.map(({ name, qps }) => [name, qps])),
});
/** The limit of an operation OPERATION_QPS does not list. */
export const DEFAULT_QPS = 10;
/** The window the limits are counted over: any THROTTLE_WINDOW_MS, sliding. */
export const THROTTLE_WINDOW_MS = 1000;

/** The key pair a fresh emulator accepts when no config names any. Not a real key. */
export const DEMO_ACCESS_KEY = Object.freeze({
  accessKeyId: 'LTAI5tEmulatorDemoKey',
  accessKeySecret: 'emulator-demo-secret-not-a-real-key',
});

/** DescribeCasters' page size when PageSize is not given (the vendor's documented default). */
export const DEFAULT_PAGE_SIZE = 100;
/** DescribeCasters' Status filter: 0 idle, 1 in production (started). */
const STUDIO_STATUS = { __proto__: null, 0: 'idle', 1: 'started' };

/**
 * The Tag filter of validated wire parameters (`Tag.N.Key`, `Tag.N.Value`; validateParams has
 * checked N and the members): `[{ key?, value? }]` in N's order.
 */
function tagsOf(params) {
  const byIndex = new Map();
  for (const [name, value] of Object.entries(params)) {
    const match = /^Tag\.(\d+)\.(Key|Value)$/.exec(name);
    if (!match) continue;
    const n = Number(match[1]);
    if (!byIndex.has(n)) byIndex.set(n, {});
    byIndex.get(n)[match[2] === 'Key' ? 'key' : 'value'] = value;
  }
  return [...byIndex.keys()].sort((a, b) => a - b).map((n) => byIndex.get(n));
}

/**
 * What each operation of the core's table does to the studios: its reply's fields (besides
 * RequestId) from the validated parameters. Adding an operation to the table adds its behaviour
 * here; the emulator does not load while one has none.
 */
const BEHAVIOURS = {
  __proto__: null,
  StartCasterScene: (state, params) => ({ StreamUrl: state.startScene(params.CasterId, params.SceneId) }),
  AddCasterVideoResource: (state, params) => ({ ResourceId: state.addResource(params.CasterId, params) }),
  DescribeCasters: (state, params) => {
    const studios = state.listCasters({
      casterId: params.CasterId,
      casterName: params.CasterName,
      status: params.Status === undefined ? undefined : STUDIO_STATUS[params.Status],
      tags: tagsOf(params),
    // Every studio is a pay-as-you-go studio of the general mode, in no resource group: these
    // filters keep all or none. No creation or modification time is kept: StartTime, EndTime and
    // OrderByModifyAsc change nothing (the config's order).
    }).filter(() => (params.ChargeType === undefined || params.ChargeType === '1') && (params.NormType === undefined || params.NormType === '1'));
    const size = params.PageSize === undefined ? DEFAULT_PAGE_SIZE : Number(params.PageSize);
    const from = (params.PageNum === undefined ? 0 : Number(params.PageNum) - 1) * size;
    const page = from < studios.length ? studios.slice(from, from + size) : [];
    return {
      CasterList: {
        Caster: page.map(({ casterId, casterName, tags, status }) => ({
          CasterId: casterId,
          CasterName: casterName,
          Status: status === 'started' ? 1 : 0,
          NormType: 1,
          ChargeType: 'PostPaid',
          Tags: { tag: tags.map(({ key, value }) => ({ TagKey: key, TagValue: value })) },
        })),
      },
      Total: studios.length,
    };
  },
  DescribeCasterScenes: (state, params) => {
    const scenes = state.listScenes(params.CasterId, params.SceneId);
    return {
      SceneList: {
        Scene: scenes.map(({ sceneId, type, status, streamUrl }) => ({
          SceneId: sceneId,
          SceneName: sceneId,
          OutputType: type === 'PVW' ? '0' : '1',
          Status: status === 'inUse' ? 1 : 0,
          ...(streamUrl === undefined ? {} : { StreamUrl: streamUrl }),
        })),
      },
      Total: scenes.length,
    };
  },
  DescribeCasterVideoResources: (state, params) => {
    const resources = state.listResources(params.CasterId);
    return {
      VideoResources: {
        VideoResource: resources.map((resource) => {
          const listed = { ResourceId: resource.resourceId, ResourceName: resource.resourceName, LocationId: resource.locationId };
          for (const name of SOURCE_FIELDS) if (resource[name] !== undefined) listed[name] = resource[name];
          for (const name of INTEGER_FIELDS) if (resource[name] !== undefined) listed[name] = Number(resource[name]);
          return listed;
        }),
      },
      Total: resources.length,
    };
  },
  ModifyCasterVideoResource: (state, params) => {
    state.modifyResource(params.CasterId, params.ResourceId, params);
    return { CasterId: params.CasterId, ResourceId: params.ResourceId };
  },
  DeleteCasterVideoResource: (state, params) => {
    state.deleteResource(params.CasterId, params.ResourceId);
    return {};
  },
  StopCasterScene: (state, params) => {
    state.stopScene(params.CasterId, params.SceneId);
    return {};
  },
};
const ACTIONS = new Set(OPERATIONS.map(({ name }) => name));
for (const action of ACTIONS) {
  if (typeof BEHAVIOURS[action] !== 'function') throw new Error(`emulator: the operation ${action} has no behaviour (emulator/server.mjs, BEHAVIOURS)`);
}
// Parameters every RPC request carries besides the operation's own.
const COMMON = new Set([
  'Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce',
  'SignatureType', 'Timestamp', 'Signature', 'SecurityToken',
]);
const REQUIRED = ['Action', 'Version', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Signature'];
// V3 carries the action, version, time, nonce and payload hash in headers, the key in Authorization.
const V3_ALGORITHM = 'ACS3-HMAC-SHA256';
const V3_REQUIRED = ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

const HOST_ID = 'live.aliyuncs.com';

/**
 * The CORS answers: 'gateway' (the default) is what the real endpoint answers, 'open' is for
 * pages in development that send V3 or read the reply's headers.
 */
export const CORS_POLICIES = Object.freeze(['gateway', 'open']);
/**
 * What a captured reply of the real gateway carried, on API replies and preflights alike, whatever
 * the preflight asked: a v1 form POST or a GET is a simple request and its body is readable from
 * any page; a V3 request's preflight fails (authorization and x-acs-* are not allowed); no header
 * is exposed, so a page's script cannot read Date, x-acs-request-id or the retry headers.
 */
const GATEWAY_CORS = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, X-Sequence, _aop_secret, _aop_signature',
  'access-control-max-age': '172800',
});
/** The open policy: any origin, and the headers a client reads exposed. */
const OPEN_CORS = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Date, x-acs-request-id, x-acs-retry-after, Retry-After',
});
const STATIC_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
};

/**
 * The gateway sends a reply's request id in this header as well as in the body (the vendor's
 * gateway-pop interceptor prefers the header); so does every reply of ours that has a RequestId.
 */
const requestIdHeader = (body) => (typeof body?.RequestId === 'string' ? { 'x-acs-request-id': body.RequestId } : {});

class ApiError extends Error {
  /** `headers`: sent with the error's reply (a throttled request's wait). */
  constructor(code, httpStatus, message, headers = {}) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
    this.headers = headers;
  }
}

const missing = (name) => new ApiError('MissingParameter', 400,
  `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

// ---- the HTTP surface: who may ask, and what a request may look like ----------------------------

const STATE_PATH = '/_emulator/state';
// DNS rebinding: a page of another site points its own name at 127.0.0.1, and its requests reach
// the emulator as same-origin ones, with that name in Host. Only the loopback names are the
// emulator's own. On any port: a local forwarder passes on the Host it was sent (a V3 signature
// covers it), and no browser sends a loopback name to the socket of another port.
const OWN_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;
/** A field of the state that holds a URL: LiveStreamUrl, VodUrl, ImageUrl, streamUrl. */
const URL_FIELD = /url$/i;

const notOwnHost = () => new ApiError('Forbidden.Host', 403,
  'The Host header must name this emulator: 127.0.0.1, localhost or [::1].');
const notOwnOrigin = () => new ApiError('Forbidden.CrossOrigin', 403,
  'The state view is for this emulator\'s own pages: a browser marked this request as from another origin.');
const badTarget = () => new ApiError('InvalidRequestTarget', 400,
  'The request-target must be a path ("/", "/?query"), percent-encoded as UTF-8 text.');
const unsupportedMethod = (allowed) => new ApiError('UnsupportedHTTPMethod', 405, `Use ${allowed}.`);
// What Node's parser refused, by its error code; anything else it refuses is BadRequest.
const CLIENT_ERRORS = {
  HPE_HEADER_OVERFLOW: () => new ApiError('RequestHeaderFieldsTooLarge', 431,
    `The request line and headers are larger than ${MAX_HEADER_BYTES} bytes.`),
  ERR_HTTP_REQUEST_TIMEOUT: () => new ApiError('RequestTimeout', 408,
    `The request did not arrive in time: its headers within ${HEADERS_TIMEOUT_MS} ms, all of it within ${REQUEST_TIMEOUT_MS} ms.`),
};
const badRequest = () => new ApiError('BadRequest', 400, 'The request is not well-formed HTTP/1.1.');

/**
 * The path and query of a request-target in origin form ("/path?query"), the only form a client
 * of the API or the page sends; undefined for any other: absolute form ("http://host/"), "*",
 * "//…" (which URL parsing reads as a host), or a path that does not percent-decode to text.
 */
function parseTarget(target) {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return undefined;
  const mark = target.indexOf('?');
  const pathname = mark < 0 ? target : target.slice(0, mark);
  try {
    if (decodeURIComponent(pathname).includes('\0')) return undefined;
  } catch {
    return undefined;
  }
  return { pathname, query: mark < 0 ? '' : target.slice(mark + 1) };
}

// What a log line may name of a request: an operation name, and a studio id of the API's form
// (printable ASCII, no space, at most 128 bytes). Anything else is logged as `-`.
const LOGGED_ACTION = /^[A-Za-z]{1,64}$/;
const LOGGED_CASTER_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * `Action CasterId` of a request for its log line, from the form body, the query or (V3) the
 * x-acs-action header; no other value of the request is read out. The body is at most
 * MAX_BODY_BYTES, read already.
 */
function requestLabel(req, query, chunks) {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const form = type.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : undefined;
  const params = new URLSearchParams(query);
  const pick = (name) => form?.get(name) ?? params.get(name) ?? undefined;
  const action = pick('Action') ?? req.headers['x-acs-action'];
  const casterId = pick('CasterId');
  const shown = (value, pattern) => (typeof value === 'string' && pattern.test(value) ? value : '-');
  return `${shown(action, LOGGED_ACTION)} ${shown(casterId, LOGGED_CASTER_ID)}`;
}

/**
 * Whether a browser marks the request as from a page of another origin: an Origin that is not the
 * emulator's own (the Host, already checked), or a Sec-Fetch-Site other than same-origin and none
 * (typed into the address bar). Other clients send neither.
 */
function fromAnotherOrigin(req) {
  const { origin } = req.headers;
  if (origin !== undefined && origin.toLowerCase() !== `http://${String(req.headers.host).toLowerCase()}`) return true;
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** A URL as the state view shows it: no query, fragment or userinfo (a stream's auth_key is a credential). */
function shownUrl(url) {
  const cut = url.search(/[?#]/);
  const shown = cut < 0 ? url : `${url.slice(0, cut)}${url.charAt(cut)}…`;
  return shown.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1…@');
}

/** The state as the state view shows it: every URL field through shownUrl. */
function withoutUrlSecrets(value) {
  if (Array.isArray(value)) return value.map(withoutUrlSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [
    name, URL_FIELD.test(name) && typeof field === 'string' ? shownUrl(field) : withoutUrlSecrets(field),
  ]));
}

function readConfig(config) {
  const accessKeys = config?.accessKeys ?? [DEMO_ACCESS_KEY];
  if (!Array.isArray(accessKeys)) throw new Error('emulator config: "accessKeys" must be an array');
  const keys = new Map();
  accessKeys.forEach((key, i) => {
    if (typeof key?.accessKeyId !== 'string' || typeof key?.accessKeySecret !== 'string' || !key.accessKeyId || !key.accessKeySecret) {
      throw new Error(`emulator config: accessKeys[${i}] needs a non-empty accessKeyId and accessKeySecret`);
    }
    if (key.securityToken !== undefined && (typeof key.securityToken !== 'string' || key.securityToken === '')) {
      throw new Error(`emulator config: accessKeys[${i}].securityToken must be a non-empty string when given`);
    }
    keys.set(key.accessKeyId, { secret: key.accessKeySecret, token: key.securityToken });
  });
  return { keys, casters: castersFromConfig(config?.casters ?? DEMO_CASTERS) };
}

/** The CORS policy named by the `cors` option; the gateway's when it is not given. */
function readCors(cors) {
  if (cors === undefined) return 'gateway';
  if (!CORS_POLICIES.includes(cors)) throw new Error('emulator option "cors" must be "gateway" or "open"');
  return cors;
}

/**
 * @param {{ config?: object, stateFile?: string, wwwDir?: string, log?: (line: string) => void,
 *   now?: () => number, maxNonces?: number, cors?: 'gateway' | 'open' }} options
 *   maxNonces: MAX_NONCES unless given; cors: CORS_POLICIES, 'gateway' unless given
 */
export function createEmulator(options = {}) {
  const corsPolicy = readCors(options.cors);
  const { keys, casters } = readConfig(options.config);
  // With a config naming studios, a state file must hold those studios (state.mjs).
  const state = CasterState.open(options.stateFile, casters, {
    fromConfig: options.config?.casters !== undefined, configName: options.configFile ?? 'the config', log: options.log,
  });
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const wwwDir = options.wwwDir;
  // The package's browser build, for the console page: /dist/browser.js and what it loads.
  const distDir = options.distDir ?? (wwwDir ? fileURLToPath(new URL('../dist/', import.meta.url)) : undefined);
  const usingDemoKey = options.config?.accessKeys === undefined;
  const nonces = new Map(); // `${AccessKeyId}\n${nonce}` → expiry
  const maxNonces = options.maxNonces ?? MAX_NONCES;
  let prunedAt = -Infinity;
  // `${AccessKeyId}\n${Action}` → times of its requests in the last THROTTLE_WINDOW_MS: only keys
  // the emulator holds get here (after the signature), so at most keys × operations entries of at
  // most that operation's limit each.
  const recent = new Map();

  function pruneNonces() {
    const t = now();
    prunedAt = t;
    for (const [nonce, expiry] of nonces) if (expiry <= t) nonces.delete(nonce);
  }
  const pruner = setInterval(pruneNonces, 60 * 1000);
  pruner.unref();

  /**
   * Counts a request of `action` by `accessKeyId` against that operation's limit; 0 when it may
   * run, else the milliseconds until the window lets the next request in (when the oldest leaves).
   */
  function throttled(accessKeyId, action) {
    const t = now();
    const slot = `${accessKeyId}\n${action}`;
    const times = (recent.get(slot) ?? []).filter((at) => t - at < THROTTLE_WINDOW_MS);
    recent.set(slot, times);
    const limit = Object.hasOwn(OPERATION_QPS, action) ? OPERATION_QPS[action] : DEFAULT_QPS;
    if (times.length >= limit) return Math.max(1, times[0] + THROTTLE_WINDOW_MS - t);
    times.push(t);
    return 0;
  }

  /**
   * Throttling.User, with the wait in the headers the vendor's clients read: x-acs-retry-after in
   * milliseconds (@alicloud/openapi-core, alibabacloud_tea_openapi), Retry-After in whole seconds.
   */
  const throttling = (waitMs) => new ApiError('Throttling.User', 400, 'Request was denied due to user flow control.', {
    'x-acs-retry-after': String(waitMs), 'retry-after': String(Math.ceil(waitMs / 1000)),
  });

  /** The parameters of the query and the form body; a malformed encoding is the core's error. */
  function readParams(query, body) {
    try {
      return parseRequestParams(query, body);
    } catch (error) {
      throw new ApiError(error.code ?? 'InvalidParameter.Malformed', 400, error.message);
    }
  }

  function checkVersionAndAction(version, action) {
    if (version !== API_VERSION) throw new ApiError('InvalidVersion', 400, `Specified parameter Version is not valid: this endpoint serves ${API_VERSION}.`);
    if (!ACTIONS.has(action)) throw new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
  }

  /** A Timestamp (v1) or x-acs-date (V3): well formed, and within the tolerance of our clock. */
  function checkTime(text) {
    let timestampMs;
    try {
      timestampMs = parseTimestamp(text) * 1000;
    } catch {
      throw new ApiError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted: use YYYY-MM-DDThh:mm:ssZ in UTC.');
    }
    if (Math.abs(now() - timestampMs) > CLOCK_TOLERANCE_MS) {
      throw new ApiError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.');
    }
    return timestampMs;
  }

  function keyOf(accessKeyId) {
    const key = keys.get(accessKeyId);
    if (!key) throw new ApiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    return key;
  }

  const signatureMismatch = (stringToSign) => new ApiError('SignatureDoesNotMatch', 400,
    `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);

  /**
   * Remembers a nonce for as long as its request could be accepted (contract section 5): until its
   * own time plus the tolerance, as a request dated 14 minutes ahead stays acceptable for 29, and
   * for at least NONCE_TTL_MS, as the API refuses a nonce seen in the last 15 minutes. A full table
   * is pruned (at most once a second: a prune reads every entry) before the request is refused.
   */
  function rememberNonce(nonceKey, timestampMs) {
    if (nonces.size >= maxNonces && now() - prunedAt >= 1000) pruneNonces();
    if (nonces.size >= maxNonces) {
      throw new ApiError('ServiceUnavailable', 503, 'The emulator holds as many recent nonces as it can: retry in a few minutes.');
    }
    nonces.set(nonceKey, Math.max(now() + NONCE_TTL_MS, timestampMs + CLOCK_TOLERANCE_MS));
  }

  /** After the signature: the STS token, the nonce's first use, the key's rate for the operation. */
  function admit(accessKeyId, key, token, nonce, timestampMs, action) {
    if (key.token !== undefined && token === undefined) {
      throw new ApiError('MissingSecurityToken', 400, 'This AccessKeyId is an STS key: the request needs its SecurityToken.');
    }
    if (token !== undefined && token !== key.token) {
      throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'The SecurityToken does not belong to this AccessKeyId.');
    }
    const nonceKey = `${accessKeyId}\n${nonce}`;
    if ((nonces.get(nonceKey) ?? 0) > now()) throw new ApiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.');
    rememberNonce(nonceKey, timestampMs);
    const waitMs = throttled(accessKeyId, action);
    if (waitMs > 0) throw throttling(waitMs);
  }

  /** A signature v1 request: everything in the parameters. */
  function handleV1(method, query, body) {
    const pairs = readParams(query, body);
    const params = new Map(pairs);
    for (const name of REQUIRED) if (!params.get(name)) throw missing(name);

    const action = params.get('Action');
    checkVersionAndAction(params.get('Version'), action);
    const format = params.get('Format');
    if (format !== undefined && format.toLowerCase() !== 'json') {
      throw new ApiError('InvalidParameter.Malformed', 400, 'Format must be JSON: this emulator answers in JSON only.');
    }
    if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0') {
      throw new ApiError('InvalidParameter.Malformed', 400, 'Signature v1 needs SignatureMethod HMAC-SHA1 and SignatureVersion 1.0.');
    }
    const timestampMs = checkTime(params.get('Timestamp'));

    const accessKeyId = params.get('AccessKeyId');
    const key = keyOf(accessKeyId);
    const verification = verifySignature(method, query, body, key.secret);
    if (!verification.valid) throw signatureMismatch(verification.stringToSign);
    admit(accessKeyId, key, params.get('SecurityToken'), params.get('SignatureNonce'), timestampMs, action);
    return dispatch(action, pairs.filter(([name]) => !COMMON.has(name)));
  }

  /**
   * A signature V3 request: action, version, time, nonce, payload hash and STS token in x-acs-*
   * headers, the key and signature in Authorization, the operation's parameters in the query (and
   * a form body, whose bytes are what x-acs-content-sha256 hashes).
   */
  function handleV3(req, query, bytes, formBody) {
    let authorization;
    try {
      authorization = parseAuthorization(req.headers.authorization);
    } catch (error) {
      throw new ApiError(error.code ?? 'IncompleteSignature', 400, error.message);
    }
    const pairs = readParams(query, formBody);
    const header = (name) => req.headers[name];
    for (const name of V3_REQUIRED) if (!header(name)) throw missing(name);

    const action = header('x-acs-action');
    checkVersionAndAction(header('x-acs-version'), action);
    const timestampMs = checkTime(header('x-acs-date'));

    const { accessKeyId } = authorization;
    const key = keyOf(accessKeyId);
    let verification;
    try {
      verification = verifySignatureV3(req.method, query, req.rawHeaders.join('\0'), bytes, key.secret);
    } catch (error) {
      throw new ApiError(error.code ?? 'IncompleteSignature', 400, error.message);
    }
    // Never the canonical request in the reply: it holds the STS token.
    if (!verification.valid) throw signatureMismatch(verification.stringToSign);
    admit(accessKeyId, key, header('x-acs-security-token'), header('x-acs-signature-nonce'), timestampMs, action);
    return dispatch(action, pairs);
  }

  /** Runs the operation on its wire parameters; returns the success body or throws ApiError. */
  function dispatch(action, pairs) {
    const operation = Object.create(null); // a wire key "__proto__" stays a key, and is refused as unknown
    for (const [name, value] of pairs) {
      // On the wire the names are the API's PascalCase. validateParams also takes the camelCase
      // spelling (a JS-API convenience, contract section 3), which the state would not see: a
      // "locationId" would slip past the DuplicateLocationID check.
      if (/^[a-z]/.test(name)) {
        throw new ApiError('InvalidParameter.Malformed', 400,
          `"${name.slice(0, 64)}" is not a parameter of ${action}: parameter names on the wire are PascalCase.`);
      }
      operation[name] = value;
    }
    const problems = validateParams(action, operation);
    if (problems.length > 0) throw new ApiError(problems[0].code, 400, problems[0].message);

    try {
      return BEHAVIOURS[action](state, operation);
    } catch (error) {
      // Answered, like a success, only once the state it was judged on is on disk (handle): a
      // DuplicateLocationID caused by an add whose write then fails would be wrong.
      if (error instanceof StateError) return { refusal: new ApiError(error.code, error.httpStatus, error.message) };
      throw error;
    }
  }

  /** Authenticates and dispatches one API request; returns the success body or throws ApiError. */
  function handleApi(req, query, bytes) {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    const formBody = type.startsWith('application/x-www-form-urlencoded') ? bytes.toString('utf8') : '';
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string' && authorization.startsWith(V3_ALGORITHM)) return handleV3(req, query, bytes, formBody);
    return handleV1(req.method, query, req.method === 'POST' ? formBody : '');
  }

  /** A JSON reply with `headers`; one that carries a RequestId carries it in x-acs-request-id too. */
  function writeJson(res, status, body, headers) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      // The emulator's own clock (options.now), the one Timestamp is checked against: clients
      // correct their clock skew from it.
      date: new Date(now()).toUTCString(),
      ...requestIdHeader(body),
      ...headers,
    });
    res.end(text);
  }

  /** The CORS headers of every API reply (CORS_POLICIES). */
  const replyCors = () => (corsPolicy === 'open' ? OPEN_CORS : GATEWAY_CORS);

  /** A preflight's answer: the gateway's whatever is asked, or (open) whatever is asked granted. */
  function preflightCors(req) {
    if (corsPolicy !== 'open') return GATEWAY_CORS;
    return {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-max-age': '86400',
    };
  }

  /** An API reply, with the policy's CORS headers. */
  function send(res, status, body, extraHeaders = {}) {
    writeJson(res, status, body, { ...replyCors(), ...extraHeaders });
  }

  const errorBody = (requestId, error) => ({
    RequestId: requestId,
    HostId: HOST_ID,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=live&requestId=${requestId}`,
  });

  /** An error reply; with `cors: false` (the state view's) no origin but this one may read it. */
  function sendError(res, requestId, error, { cors = true, close = error.httpStatus === 413 } = {}) {
    const headers = close ? { ...error.headers, connection: 'close' } : error.headers;
    if (cors) send(res, error.httpStatus, errorBody(requestId, error), headers);
    else writeJson(res, error.httpStatus, errorBody(requestId, error), headers);
  }

  // Never the query or body: they carry the AccessKeyId's signature and maybe a token. Only the
  // operation and the studio are named (`-` when absent or not of their form; see requestLabel).
  const logRequest = (method, status, code, started, label = '- -') => log(`${method} ${status} ${code} ${label} ${now() - started}ms`);

  /**
   * Refuses a request before its body is read, and logs it. The connection is closed after the
   * reply: the body need not be read (a slow one would hold the connection until it timed out).
   */
  function refuse(req, res, started, error, { cors = true } = {}) {
    sendError(res, randomUUID().toUpperCase(), error, { cors, close: true });
    logRequest(req.method, error.httpStatus, error.code, started);
  }

  /**
   * The state view (contract section 5: for the local machine only). It carries no CORS header,
   * so no page of another origin may read it; a request a browser marks as from another origin is
   * refused outright; URLs are shown without query, fragment and userinfo.
   */
  function serveState(req, res, started) {
    if (req.method !== 'GET') {
      refuse(req, res, started, unsupportedMethod('GET'), { cors: false });
      return;
    }
    if (fromAnotherOrigin(req)) {
      refuse(req, res, started, notOwnOrigin(), { cors: false });
      return;
    }
    const snapshot = state.snapshot();
    // The demo key's id (never a secret) tells the console page it may offer the demo key pair.
    const view = usingDemoKey ? { ...snapshot, demoAccessKeyId: DEMO_ACCESS_KEY.accessKeyId } : snapshot;
    writeJson(res, 200, withoutUrlSecrets(view), { 'cache-control': 'no-store' });
  }

  /**
   * Answers on the bare socket, for what never becomes a request: what Node's parser refused
   * (malformed, headers too large, too slow) and CONNECT. A JSON error in the API's shape and a
   * log line, like any other request, where Node's own answer is a bare status line. Nothing is
   * written if a response has begun on the socket: the client would read it as part of that one.
   */
  function answerOnSocket(socket, method, error) {
    const inFlight = responses.get(socket);
    if (!socket.writable || (inFlight?.headersSent && !inFlight.writableFinished)) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID().toUpperCase();
    const text = JSON.stringify(errorBody(requestId, error));
    socket.end([
      `HTTP/1.1 ${error.httpStatus} ${http.STATUS_CODES[error.httpStatus]}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(text)}`,
      ...Object.entries(replyCors()).map(([name, value]) => `${name}: ${value}`),
      `date: ${new Date(now()).toUTCString()}`,
      `x-acs-request-id: ${requestId}`,
      'connection: close',
      '',
      text,
    ].join('\r\n'));
    // The client may still be sending: give the reply a moment to be read, then let go.
    setTimeout(() => socket.destroy(), 1000).unref();
    logRequest(inFlight && !inFlight.writableFinished ? inFlight.req.method : method, error.httpStatus, error.code, now());
  }

  async function serveStatic(res, pathname) {
    let root = wwwDir;
    let path = pathname === '/' ? '/index.html' : pathname;
    if (distDir && path.startsWith('/dist/')) {
      root = distDir;
      path = path.slice('/dist'.length);
    }
    if (!root) return false;
    let relative;
    try {
      relative = normalize(decodeURIComponent(path)).replace(/^([/\\])+/, '');
    } catch {
      return false;
    }
    if (relative.startsWith('..') || relative.split(/[/\\]/).some((part) => part.startsWith('.'))) return false;
    try {
      const content = await readFile(join(root, relative));
      res.writeHead(200, {
        'content-type': STATIC_TYPES[extname(relative)] ?? 'application/octet-stream',
        'content-length': content.length,
        'cache-control': 'no-cache',
      });
      res.end(content);
      return true;
    } catch {
      return false;
    }
  }

  async function handle(req, res, started) {
    const requestId = randomUUID().toUpperCase();
    if (!OWN_HOST.test(req.headers.host ?? '')) {
      refuse(req, res, started, notOwnHost());
      return;
    }
    const target = parseTarget(req.url);
    if (!target) {
      refuse(req, res, started, badTarget());
      return;
    }
    const { pathname, query } = target;
    if (pathname === STATE_PATH) {
      serveState(req, res, started);
      return;
    }

    if (req.method === 'OPTIONS') {
      res.writeHead(204, preflightCors(req));
      res.end();
      return;
    }
    if (req.method === 'GET' && (pathname !== '/' || query === '')) {
      if (await serveStatic(res, pathname)) return;
      if (pathname !== '/') {
        sendError(res, requestId, new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.'));
        return;
      }
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      refuse(req, res, started, unsupportedMethod('GET or POST'));
      return;
    }

    // The raw bytes: a V3 signature covers their SHA-256, whatever their type.
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        const tooLarge = new ApiError('RequestEntityTooLarge', 413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
        sendError(res, requestId, tooLarge);
        req.destroy();
        logRequest(req.method, tooLarge.httpStatus, tooLarge.code, started);
        return;
      }
      chunks.push(chunk);
    }
    // Cut off by a timeout and answered on the socket (answerOnSocket), the rest of the body may
    // still have come: the request is not run.
    if (req.socket.writableEnded) return;

    let status = 200;
    let code = 'OK';
    try {
      const result = handleApi(req, query, Buffer.concat(chunks));
      // Nothing is answered before the state it reflects is on disk. A failed write undoes its
      // changes and rejects here (InternalError); the state's log line says why.
      await state.persist();
      if (result.refusal) throw result.refusal;
      send(res, 200, { RequestId: requestId, ...result });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('InternalError', 500,
        'The request processing has failed due to some unknown error, exception or failure.');
      status = apiError.httpStatus;
      code = apiError.code;
      sendError(res, requestId, apiError);
    }
    logRequest(req.method, status, code, started, requestLabel(req, query, chunks));
  }

  const responses = new WeakMap(); // socket → the response last begun on it (answerOnSocket)
  const server = http.createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    // A request without Host is the Host check's to refuse, with a JSON body and a log line.
    requireHostHeader: false,
  }, (req, res) => {
    // Completed only after a timeout was answered on its socket (answerOnSocket): not run.
    if (req.socket.writableEnded) return;
    const started = now();
    responses.set(req.socket, res);
    handle(req, res, started).catch(() => {
      // A request cut off while its body arrived (answered by answerOnSocket), or whose client
      // left, gets nothing more.
      if (res.headersSent || req.socket.destroyed) {
        res.destroy();
        return;
      }
      refuse(req, res, started, new ApiError('InternalError', 500, 'The emulator failed.'));
    });
  });
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', (error, socket) => answerOnSocket(socket, '-', (CLIENT_ERRORS[error.code] ?? badRequest)()));
  // A proxy's tunnel: never a request of the API's.
  server.on('connect', (req, socket) => answerOnSocket(socket, req.method, unsupportedMethod('GET or POST')));

  return {
    server,
    state,
    /** Listens on 127.0.0.1 only; resolves to the port. */
    listen(port = 0) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve(server.address().port);
        });
      });
    },
    async close() {
      clearInterval(pruner);
      server.closeAllConnections?.();
      await new Promise((resolve) => { server.close(() => resolve()); });
      await state.close(); // what is pending, then the state file's lock
    },
  };
}

export const DEFAULT_WWW_DIR = fileURLToPath(new URL('../www/', import.meta.url));
