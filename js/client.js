// CasterClient: validates and signs with the wasm core, sends with fetch, reads the reply, and
// survives the network (timeouts, retries with backoff, a client-side rate limit, clock skew).
// The same code runs in Node, browser windows, Web Workers and workerd: it uses only fetch,
// AbortController, setTimeout and crypto-free Math.random (jitter needs no secrecy).
import { CasterError } from './caster-error.js';

const OPERATIONS = {
  StartCasterScene: { field: 'StreamUrl', idempotent: true },
  AddCasterVideoResource: { field: 'ResourceId', idempotent: false },
};

const DEFAULTS = { timeoutMs: 10000, maxRetries: 2, maxQps: 10 };
const OPTIONS = [
  'accessKeyId', 'accessKeySecret', 'securityToken', 'credentials', 'regionId', 'endpoint', 'method',
  'signatureAlgorithm', 'timeoutMs', 'maxRetries', 'maxQps', 'fetch',
];
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5000;
const RETRY_AFTER_CAP_MS = 20000;
const MAX_TIMEOUT_MS = 2147483647; // setTimeout's limit

// Network failures that prove the request never left: the connection was never made.
const BEFORE_SEND = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const configError = (code, field, message) => new CasterError({ code, kind: 'config', field, message });
const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
// What a server's Code looks like (Throttling.User, InvalidTimeStamp.Expired, ...): anything else
// is not an error code, and is not passed on as one.
const API_CODE = /^[A-Za-z][\w-]*(?:\.[\w-]+)*$/;
const MAX_CODE_LENGTH = 128;

function nearest(name, names) {
  const distance = (a, b) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length];
  };
  let best;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (!best || d < best.d) best = { d, candidate };
  }
  return best && best.d <= Math.max(2, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined;
}

function checkNumber(config, name, { min, integer, max = Number.MAX_SAFE_INTEGER, minExclusive = false }) {
  const value = config[name];
  if (value === undefined) return DEFAULTS[name];
  const ok = typeof value === 'number' && Number.isFinite(value) && (!integer || Number.isInteger(value))
    && (minExclusive ? value > min : value >= min) && value <= max;
  if (!ok) {
    const range = `${minExclusive ? 'greater than' : 'at least'} ${min}${max < Number.MAX_SAFE_INTEGER ? ` and at most ${max}` : ''}`;
    throw configError('InvalidParameter.Malformed', name, `${name} must be ${integer ? 'an integer' : 'a number'} ${range}`);
  }
  return value;
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const now = () => Date.now();

/**
 * Spaces requests 1/maxQps apart (plus a 10% margin: the first request of a burst also opens the
 * connection, and arrives late), first come first served, so that no window of one second holds
 * more than maxQps of them at the server: a burst queues instead of being throttled.
 */
class RateLimiter {
  #interval;
  #next = 0;

  constructor(maxQps) {
    this.#interval = (1000 / maxQps) * 1.1;
  }

  async acquire() {
    const at = Math.max(now(), this.#next);
    this.#next = at + this.#interval;
    const wait = at - now();
    if (wait > 0) await sleep(wait);
  }
}

/**
 * Replaces every form of a secret in server-supplied text with `<redacted>`. Strings shorter than
 * 6 characters are left alone: no real secret or token is that short, and replacing them would
 * shred the text.
 */
function redact(text, secrets) {
  if (typeof text !== 'string') return undefined;
  let out = text;
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 6) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret))])) {
      out = out.split(form).join('<redacted>');
    }
  }
  return out;
}

/** The longest server text (Message, Recommend) an error carries; a longer one is cut. */
const MAX_SERVER_TEXT = 1000;

/** Server text as an error carries it: redacted first (so no secret is cut in half), then cut. */
function serverText(text, secrets) {
  const shown = redact(text, secrets);
  if (shown === undefined || shown.length <= MAX_SERVER_TEXT) return shown;
  // Not between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(shown[MAX_SERVER_TEXT - 2]) ? MAX_SERVER_TEXT - 2 : MAX_SERVER_TEXT - 1;
  return `${shown.slice(0, end)}…`;
}

function isThrottling(code, status) {
  return status === 429 || (typeof code === 'string' && code.startsWith('Throttling'));
}

function transientApiError(code, status) {
  return isThrottling(code, status) || status === 503 || code === 'ServiceUnavailable' || code === 'InternalError';
}

function retryAfterMs(reply) {
  const header = reply?.header('retry-after');
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, RETRY_AFTER_CAP_MS);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - now()), RETRY_AFTER_CAP_MS) : 0;
}

/** The network-level code of a fetch failure (undici puts it on `cause`), if any. */
/** What `untilAborted` rejects with when the signal aborted first. */
const ABORTED = Symbol('aborted');

/**
 * Settles as `promise` does, or rejects with ABORTED once `signal` aborts. A fetch, a body or a
 * credentials function that ignores the signal (or a thenable that never settles) then cannot
 * hang a call past its timeout. Never throws: a thenable whose `then` throws rejects.
 */
function untilAborted(promise, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => { reject(ABORTED); };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (finish) => (value) => {
      signal.removeEventListener('abort', onAbort);
      finish(value);
    };
    Promise.resolve(promise).then(settle(resolve), settle(reject));
  });
}

function networkCode(error) {
  try {
    // Each property read once: a getter or proxy may answer a string, then something else.
    const cause = error?.cause;
    const causeCode = cause?.code;
    if (typeof causeCode === 'string') return causeCode;
    const errors = cause?.errors;
    if (Array.isArray(errors)) {
      const codes = errors.map((e) => e?.code).filter((c) => typeof c === 'string');
      if (codes.length && codes.every((c) => BEFORE_SEND.has(c))) return codes[0];
    }
    const code = error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined; // whatever was thrown cannot even be read: no code
  }
}

/**
 * The config's own enumerable options, read once into a null-prototype object (null counts as
 * absent). Inherited properties are not options: a polluted Object.prototype cannot supply a
 * fetch or an endpoint. Throws a config CasterError for anything that is not a readable object
 * of known options.
 */
function readConfig(config) {
  let keys;
  try {
    keys = config !== null && typeof config === 'object' && !Array.isArray(config) ? Object.keys(config) : undefined;
  } catch {
    throw configError('InvalidParameter.Malformed', 'config', 'the config object could not be read (a revoked proxy, or a trap that threw)');
  }
  if (keys === undefined) throw configError('InvalidParameter.Malformed', 'config', 'CasterClient needs a config object');
  const options = Object.create(null);
  for (const key of keys) {
    if (!OPTIONS.includes(key)) {
      const suggestion = nearest(key, OPTIONS);
      throw configError('InvalidParameter.Malformed', key.slice(0, 64),
        `"${key.slice(0, 64)}" is not an option of CasterClient${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
    }
    let value;
    try {
      value = config[key];
    } catch {
      throw configError('InvalidParameter.Malformed', key, `reading config.${key} threw`);
    }
    options[key] = value === null ? undefined : value;
  }
  return options;
}

/** The three fields of what a credentials function returned; a config CasterError if unreadable. */
function readCredentials(value) {
  if (value === null || typeof value !== 'object') {
    throw configError('InvalidParameter.Malformed', 'credentials',
      'the credentials function must return { accessKeyId, accessKeySecret, securityToken? }');
  }
  const credentials = {};
  for (const name of ['accessKeyId', 'accessKeySecret', 'securityToken']) {
    try {
      credentials[name] = value[name];
    } catch {
      throw configError('InvalidParameter.Malformed', 'credentials', `reading ${name} of what the credentials function returned threw`);
    }
  }
  return credentials;
}

/**
 * What the client needs of what fetch resolved to, read defensively (a custom fetch may resolve to
 * anything): its status and a header reader. Undefined when it has no HTTP status.
 */
function replyOf(response) {
  let status;
  try {
    status = response.status;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const header = (name) => {
    try {
      const value = response.headers.get(name);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return { status, header };
}

/** The core of a runtime where the module is ready at import (Node, workerd). */
export function readyCore(signRequest, validateParams) {
  return { signRequest, validateParams, isReady: () => true, ready: async () => {} };
}

/**
 * Builds the CasterClient class over a runtime's core: `signRequest`, `validateParams`, and
 * `ready()`, which resolves once the wasm module is usable (at once in Node and workerd).
 */
export function defineCasterClient(core) {
  return class CasterClient {
    #config;
    #credentials;
    #fetch;
    #limiter;
    #clockOffsetMs = 0;

    /**
     * @param {object} config accessKeyId + accessKeySecret (+ securityToken), or `credentials`:
     *   an async function returning them, called before each attempt (STS refresh); regionId,
     *   endpoint, method, signatureAlgorithm ("v1", the default, or "v3"), timeoutMs, maxRetries,
     *   maxQps, fetch.
     */
    constructor(config) {
      const options = readConfig(config);
      const pick = (name) => options[name];
      const timeoutMs = checkNumber(options, 'timeoutMs', { min: 0, minExclusive: true, max: MAX_TIMEOUT_MS });
      const maxRetries = checkNumber(options, 'maxRetries', { min: 0, integer: true, max: 10 });
      const maxQps = checkNumber(options, 'maxQps', { min: 0, minExclusive: true, max: 1000 });

      const provider = pick('credentials');
      let fixed;
      if (provider !== undefined) {
        if (typeof provider !== 'function') {
          throw configError('InvalidParameter.Malformed', 'credentials',
            'credentials must be a function returning { accessKeyId, accessKeySecret, securityToken? }');
        }
        for (const name of ['accessKeyId', 'accessKeySecret', 'securityToken']) {
          if (pick(name) !== undefined) {
            throw configError('InvalidParameter.Malformed', name, `give either ${name} or credentials, not both`);
          }
        }
        this.#credentials = async () => provider();
      } else {
        fixed = {
          accessKeyId: pick('accessKeyId'), accessKeySecret: pick('accessKeySecret'), securityToken: pick('securityToken'),
        };
        this.#credentials = async () => fixed;
      }

      const fetchFn = pick('fetch') ?? globalThis.fetch;
      if (typeof fetchFn !== 'function') {
        throw configError('InvalidParameter.Malformed', 'fetch',
          pick('fetch') === undefined ? 'this runtime has no global fetch; pass config.fetch' : 'fetch must be a function');
      }
      // Called as a plain function: a browser's fetch refuses any other `this`.
      this.#fetch = (url, init) => Reflect.apply(fetchFn, undefined, [url, init]);

      this.#config = {
        regionId: pick('regionId'), endpoint: pick('endpoint'), method: pick('method'),
        signatureAlgorithm: pick('signatureAlgorithm'), timeoutMs, maxRetries,
      };
      this.#limiter = new RateLimiter(maxQps);

      // Endpoint, method, region, signature algorithm and fixed credentials are checked now by the
      // core itself: a dry signature of a valid request can fail only on configuration. (In a
      // browser before `init()`, the first call checks them instead.)
      if (core.isReady()) {
        this.#sign('StartCasterScene', { CasterId: 'c', SceneId: 's' }, fixed ?? { accessKeyId: 'LTAIcheck', accessKeySecret: 'check' });
      }
    }

    /**
     * Signs one attempt: a fresh timestamp (corrected for the server's clock) and nonce each time.
     * With V3 the result has headers and no body, and fetch sends them as they are.
     */
    #sign(action, params, { accessKeyId, accessKeySecret, securityToken }) {
      const { regionId, endpoint, method, signatureAlgorithm } = this.#config;
      return core.signRequest({
        action, params, accessKeyId, accessKeySecret, securityToken, regionId, endpoint, method, signatureAlgorithm,
        timestamp: new Date(now() + this.#clockOffsetMs),
      });
    }

    /** Starts a preview (PVW) scene. Resolves to `{ RequestId, StreamUrl }`. */
    startCasterScene(params) {
      return this.#call('StartCasterScene', params);
    }

    /** Adds a video source. Resolves to `{ RequestId, ResourceId }`. Never retried blindly. */
    addCasterVideoResource(params) {
      return this.#call('AddCasterVideoResource', params);
    }

    async #call(action, params) {
      await core.ready();
      const problems = core.validateParams(action, params);
      if (problems.length > 0) {
        const [first] = problems;
        throw new CasterError({ ...first, kind: 'validation' });
      }
      const { idempotent } = OPERATIONS[action];
      const { maxRetries } = this.#config;
      let skewCorrected = false;
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.#attempt(action, params);
        if (outcome.ok) return outcome.value;
        const { error, reply } = outcome;
        if (error.code === 'InvalidTimeStamp.Expired' && !skewCorrected && this.#correctClock(reply)) {
          skewCorrected = true;
          attempt--; // the correction is not one of the retries
          continue;
        }
        const mayRetry = error.retryable && (idempotent || outcome.beforeSend || error.kind === 'api');
        if (!mayRetry || attempt >= maxRetries) throw error;
        const backoff = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
        await sleep(Math.max(backoff, retryAfterMs(reply)));
      }
    }

    /** One attempt: credentials, rate limit, sign, send, read. Never throws a non-CasterError. */
    async #attempt(action, params) {
      let given;
      // The credentials function gets the attempt's timeout too: one that never settles must not
      // hang the call.
      const waiting = new AbortController();
      const credentialsTimer = setTimeout(() => { waiting.abort(); }, this.#config.timeoutMs);
      try {
        given = await untilAborted(this.#credentials(), waiting.signal);
      } catch (cause) {
        throw new CasterError({
          code: 'CredentialsUnavailable', kind: 'config', field: 'credentials',
          message: cause === ABORTED
            ? `the credentials function did not settle within ${this.#config.timeoutMs} ms`
            : 'the credentials function threw or rejected',
          cause: cause === ABORTED ? undefined : cause,
        });
      } finally {
        clearTimeout(credentialsTimer);
      }
      const credentials = readCredentials(given);
      const secrets = [credentials.accessKeySecret, credentials.securityToken];
      await this.#limiter.acquire();
      const signed = this.#sign(action, params, credentials);

      const controller = new AbortController();
      const timeout = { fired: false };
      const timer = setTimeout(() => { timeout.fired = true; controller.abort(); }, this.#config.timeoutMs);
      const idempotent = OPERATIONS[action].idempotent;
      const timedOut = () => ({
        ok: false,
        beforeSend: false,
        error: new CasterError({
          code: 'Timeout', kind: 'timeout', retryable: idempotent,
          message: `no complete reply within ${this.#config.timeoutMs} ms${idempotent ? '' : '; the request may have been processed, so it was not retried'}`,
        }),
      });
      let response;
      let reply;
      let text;
      try {
        try {
          response = await untilAborted(this.#fetch(signed.url, {
            method: signed.method, headers: signed.headers, body: signed.body, signal: controller.signal,
          }), controller.signal);
        } catch (cause) {
          if (timeout.fired) return timedOut();
          const code = networkCode(cause);
          const beforeSend = code !== undefined && BEFORE_SEND.has(code);
          return {
            ok: false,
            beforeSend,
            error: new CasterError({
              code: 'NetworkError', kind: 'network', retryable: beforeSend || idempotent,
              message: `the request failed before a reply${code ? ` (${code})` : ''}${beforeSend ? '; no connection was made'
                : idempotent ? '' : '; it may have reached the server, so it was not retried'}`,
            }),
          };
        }
        reply = replyOf(response);
        if (!reply) {
          return {
            ok: false,
            beforeSend: false,
            error: new CasterError({
              code: 'InvalidResponse', kind: 'api', retryable: false,
              message: 'fetch resolved to something that is not an HTTP response',
            }),
          };
        }
        try {
          text = await untilAborted(response.text(), controller.signal);
        } catch {
          if (timeout.fired) return timedOut();
          // The server answered, then the body broke off: it was processed, whatever it said.
          return {
            ok: false,
            beforeSend: false,
            reply,
            error: new CasterError({
              code: 'InvalidResponse', kind: 'api', httpStatus: reply.status, retryable: idempotent,
              message: `the endpoint answered HTTP ${reply.status}, then its body broke off`,
            }),
          };
        }
      } finally {
        clearTimeout(timer);
      }
      return this.#read(action, reply, text, secrets);
    }

    #read(action, reply, text, secrets) {
      const status = reply.status;
      // A 429 or 503 was not served; behind a 502 or 504 the request may have been processed.
      const transient = status === 429 || status === 503 || (OPERATIONS[action].idempotent && (status === 502 || status === 504));
      const invalid = (why) => ({
        ok: false,
        reply,
        error: new CasterError({
          code: 'InvalidResponse', kind: 'api', httpStatus: status, retryable: transient,
          message: `the endpoint answered HTTP ${status} with ${why}`,
        }),
      });
      if (typeof text !== 'string') return invalid('a body that is not text');
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return invalid('a body that is not JSON');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid('JSON that is not an object');
      // Own members only (a JSON "__proto__" member is an own key; Object.prototype supplies none).
      // Every string of the server's is passed on with any form of a secret redacted.
      const member = (key) => (hasOwn(body, key) ? body[key] : undefined);
      const field = OPERATIONS[action].field;
      const requestId = typeof member('RequestId') === 'string' ? redact(member('RequestId'), secrets) : undefined;
      const code = member('Code');
      if (typeof code === 'string' && (status >= 400 || member(field) === undefined)) {
        const shown = redact(code, secrets);
        if (shown.length > MAX_CODE_LENGTH || !API_CODE.test(shown)) return invalid('a Code that is not an error code');
        const message = member('Message');
        return {
          ok: false,
          reply,
          error: new CasterError({
            code: shown,
            kind: 'api',
            httpStatus: status,
            requestId,
            recommend: serverText(member('Recommend'), secrets),
            retryable: transientApiError(shown, status),
            message: typeof message === 'string' && message !== '' ? serverText(message, secrets) : `the endpoint answered ${shown}`,
          }),
        };
      }
      if (status < 200 || status >= 300) return invalid('an error body without a Code');
      const value = member(field);
      if (!requestId || typeof value !== 'string' || value === '') {
        return invalid(`a success body without ${requestId ? field : 'RequestId'}`);
      }
      return { ok: true, value: { RequestId: requestId, [field]: redact(value, secrets) } };
    }

    /** Takes the server's clock from its Date header; false when it is not readable. */
    #correctClock(reply) {
      const header = reply?.header('date');
      const server = header ? Date.parse(header) : NaN;
      if (!Number.isFinite(server)) return false;
      this.#clockOffsetMs = server - now();
      return true;
    }
  };
}
