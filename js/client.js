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
  'timeoutMs', 'maxRetries', 'maxQps', 'fetch',
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
  if (value === undefined || value === null) return DEFAULTS[name];
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

function isThrottling(code, status) {
  return status === 429 || (typeof code === 'string' && code.startsWith('Throttling'));
}

function transientApiError(code, status) {
  return isThrottling(code, status) || status === 503 || code === 'ServiceUnavailable' || code === 'InternalError';
}

function retryAfterMs(response) {
  const header = response?.headers?.get?.('retry-after');
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, RETRY_AFTER_CAP_MS);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - now()), RETRY_AFTER_CAP_MS) : 0;
}

/** The network-level code of a fetch failure (undici puts it on `cause`), if any. */
function networkCode(error) {
  const cause = error?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (Array.isArray(cause?.errors)) {
    const codes = cause.errors.map((e) => e?.code).filter((c) => typeof c === 'string');
    if (codes.length && codes.every((c) => BEFORE_SEND.has(c))) return codes[0];
  }
  return typeof error?.code === 'string' ? error.code : undefined;
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
     *   endpoint, method, timeoutMs, maxRetries, maxQps, fetch.
     */
    constructor(config) {
      if (config === null || typeof config !== 'object' || Array.isArray(config)) {
        throw configError('InvalidParameter.Malformed', 'config', 'CasterClient needs a config object');
      }
      for (const key of Object.keys(config)) {
        if (OPTIONS.includes(key)) continue;
        const suggestion = nearest(key, OPTIONS);
        throw configError('InvalidParameter.Malformed', key.slice(0, 64),
          `"${key.slice(0, 64)}" is not an option of CasterClient${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
      }
      const pick = (name) => (config[name] === null ? undefined : config[name]);
      const timeoutMs = checkNumber(config, 'timeoutMs', { min: 0, minExclusive: true, max: MAX_TIMEOUT_MS });
      const maxRetries = checkNumber(config, 'maxRetries', { min: 0, integer: true, max: 10 });
      const maxQps = checkNumber(config, 'maxQps', { min: 0, minExclusive: true, max: 1000 });

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
        regionId: pick('regionId'), endpoint: pick('endpoint'), method: pick('method'), timeoutMs, maxRetries,
      };
      this.#limiter = new RateLimiter(maxQps);

      // Endpoint, method, region and fixed credentials are checked now by the core itself: a dry
      // signature of a valid request can fail only on configuration. (In a browser before
      // `init()`, the first call checks them instead.)
      if (core.isReady()) {
        this.#sign('StartCasterScene', { CasterId: 'c', SceneId: 's' }, fixed ?? { accessKeyId: 'LTAIcheck', accessKeySecret: 'check' });
      }
    }

    #sign(action, params, { accessKeyId, accessKeySecret, securityToken }) {
      const { regionId, endpoint, method } = this.#config;
      return core.signRequest({
        action, params, accessKeyId, accessKeySecret, securityToken, regionId, endpoint, method,
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
        const { error, response } = outcome;
        if (error.code === 'InvalidTimeStamp.Expired' && !skewCorrected && this.#correctClock(response)) {
          skewCorrected = true;
          attempt--; // the correction is not one of the retries
          continue;
        }
        const mayRetry = error.retryable && (idempotent || outcome.beforeSend || error.kind === 'api');
        if (!mayRetry || attempt >= maxRetries) throw error;
        const backoff = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
        await sleep(Math.max(backoff, retryAfterMs(response)));
      }
    }

    /** One attempt: credentials, rate limit, sign, send, read. Never throws a non-CasterError. */
    async #attempt(action, params) {
      let credentials;
      try {
        credentials = await this.#credentials();
      } catch (cause) {
        throw new CasterError({
          code: 'CredentialsUnavailable', kind: 'config', field: 'credentials',
          message: 'the credentials function threw or rejected', cause,
        });
      }
      if (credentials === null || typeof credentials !== 'object') {
        throw configError('InvalidParameter.Malformed', 'credentials',
          'the credentials function must return { accessKeyId, accessKeySecret, securityToken? }');
      }
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
      let text;
      try {
        try {
          response = await this.#fetch(signed.url, {
            method: signed.method, headers: signed.headers, body: signed.body, signal: controller.signal,
          });
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
        try {
          text = await response.text();
        } catch {
          if (timeout.fired) return timedOut();
          // The server answered, then the body broke off: it was processed, whatever it said.
          return {
            ok: false,
            beforeSend: false,
            response,
            error: new CasterError({
              code: 'InvalidResponse', kind: 'api', httpStatus: response.status, retryable: idempotent,
              message: `the endpoint answered HTTP ${response.status}, then its body broke off`,
            }),
          };
        }
      } finally {
        clearTimeout(timer);
      }
      return this.#read(action, response, text, secrets);
    }

    #read(action, response, text, secrets) {
      const status = response.status;
      // A 429 or 503 was not served; behind a 502 or 504 the request may have been processed.
      const transient = status === 429 || status === 503 || (OPERATIONS[action].idempotent && (status === 502 || status === 504));
      const invalid = (why) => ({
        ok: false,
        response,
        error: new CasterError({
          code: 'InvalidResponse', kind: 'api', httpStatus: status, retryable: transient,
          message: `the endpoint answered HTTP ${status} with ${why}`,
        }),
      });
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return invalid('a body that is not JSON');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid('JSON that is not an object');
      const requestId = typeof body.RequestId === 'string' ? body.RequestId : undefined;
      if (typeof body.Code === 'string' && (status >= 400 || body[OPERATIONS[action].field] === undefined)) {
        return {
          ok: false,
          response,
          error: new CasterError({
            code: body.Code,
            kind: 'api',
            httpStatus: status,
            requestId: redact(requestId, secrets),
            recommend: redact(body.Recommend, secrets),
            retryable: transientApiError(body.Code, status),
            message: redact(typeof body.Message === 'string' ? body.Message : `the endpoint answered ${body.Code}`, secrets),
          }),
        };
      }
      if (status < 200 || status >= 300) return invalid('an error body without a Code');
      const field = OPERATIONS[action].field;
      if (!requestId || typeof body[field] !== 'string' || body[field] === '') {
        return invalid(`a success body without ${requestId ? field : 'RequestId'}`);
      }
      return { ok: true, value: { RequestId: requestId, [field]: body[field] } };
    }

    /** Takes the server's clock from its Date header; false when it is not readable. */
    #correctClock(response) {
      const header = response?.headers?.get?.('date');
      const server = header ? Date.parse(header) : NaN;
      if (!Number.isFinite(server)) return false;
      this.#clockOffsetMs = server - now();
      return true;
    }
  };
}
