// CasterClient: validates and signs with the wasm core, sends with fetch, reads the reply, and
// survives the network (timeouts, retries with backoff, a client-side rate limit, clock skew).
// The same code runs in Node, browser windows, Web Workers and workerd: it uses only fetch,
// AbortController, setTimeout and crypto-free Math.random (jitter needs no secrecy).
import { CasterError } from './caster-error.js';
import { OPERATIONS as TABLE } from './operations.js';

// Every operation of the core's table (src/operations/, written into operations.js by the build):
// its wire name, whether it may be retried blindly (`idempotent`), the vendor's documented limit
// per user (`qps`; the gateway counts each operation on its own, so each has its own limiter) and
// the fields of its successful reply.
const OPERATIONS = Object.create(null);
for (const operation of TABLE) OPERATIONS[operation.name] = operation;
const ACTIONS = Object.keys(OPERATIONS);

/** An operation's wire name in camelCase (`AbcDef` → `abcDef`): the name of its method and of its signer. */
const methodName = (action) => action[0].toLowerCase() + action.slice(1);

// How each type of reply field the table declares is read: its value, or undefined when the reply
// does not hold one of that type. Every string of the server's is redacted. An object keeps only
// its declared fields, each of which may be absent; a list keeps the items that read. At the top
// of a reply, a string must not be empty and every declared field must be there (`#reply`).
const REPLY_READERS = {
  __proto__: null,
  string: (type, value, secrets) => (typeof value === 'string' ? redact(value, secrets) : undefined),
  integer: (type, value) => {
    if (Number.isSafeInteger(value)) return value;
    // The gateway writes some numbers as text ("Status": "1"); the table says they are integers.
    return typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : undefined;
  },
  object: (type, value, secrets) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const out = {};
    for (const field of type.fields) {
      const read = hasOwn(value, field.name) ? readReplyValue(field, value[field.name], secrets) : undefined;
      if (read !== undefined) out[field.name] = read;
    }
    return out;
  },
  list: (type, value, secrets) => {
    if (!Array.isArray(value)) return undefined;
    const out = [];
    for (const item of value) {
      const read = readReplyValue(type.items, item, secrets);
      if (read !== undefined) out.push(read);
    }
    return out;
  },
};

/** A reply value of a declared type (`{ type, fields?, items? }` of the table). */
function readReplyValue(type, value, secrets) {
  return REPLY_READERS[type.type](type, value, secrets);
}

/** Every type a table declares has a reader: checked once, at load. */
function checkReplyType(where, type) {
  if (!REPLY_READERS[type.type]) throw new TypeError(`${where}: no reader for reply fields of type ${type.type}`);
  if (type.type === 'object') for (const field of type.fields) checkReplyType(`${where}.${field.name}`, field);
  if (type.type === 'list') checkReplyType(`${where}[]`, type.items);
}
for (const { name, reply } of TABLE) {
  for (const field of reply) checkReplyType(`${name}.${field.name}`, field);
}

const DEFAULTS = { timeoutMs: 10000, maxRetries: 2, maxReplyBytes: 1024 * 1024 };
const MAX_QPS = 1000;
const OPTIONS = [
  'accessKeyId', 'accessKeySecret', 'securityToken', 'credentials', 'regionId', 'endpoint', 'method',
  'signatureAlgorithm', 'timeoutMs', 'maxRetries', 'maxQps', 'maxReplyBytes', 'fetch',
];
// A reply's body is read up to maxReplyBytes decoded bytes (after any gzip): enough for any reply
// of the API (well under 1 KB) and far too little to exhaust a browser, Node or a worker isolate.
const MIN_REPLY_BYTES = 1024;
const MAX_REPLY_BYTES = 64 * 1024 * 1024;
// The server's Date is taken for the clock only within these bounds: a Date before 2020 or from
// 2100 on is forged or broken, and a year past 9999 or before 1970 could not even be signed.
const SERVER_DATE_MIN = Date.UTC(2020, 0, 1);
const SERVER_DATE_MAX = Date.UTC(2100, 0, 1);
// Captured at load: the reply's bytes are decoded with the runtime's own decoder.
const Utf8Decoder = globalThis.TextDecoder;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5000;
const RETRY_AFTER_CAP_MS = 20000;
// An x-acs-request-id header longer than this is not a request id (the API's are 36-character
// UUIDs) and is ignored, before it is redacted. (The body's RequestId is held by maxReplyBytes.)
const MAX_REQUEST_ID_LENGTH = 256;
// What the gateway appends to SignatureDoesNotMatch's Message: the string it signed.
const SERVER_STRING_TO_SIGN = 'server string to sign is:';
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

const now = () => Date.now();

/** What `untilAborted` and `pause` reject with when the signal aborted first. */
const ABORTED = Symbol('aborted');

/**
 * Resolves after `ms`, or rejects with ABORTED as soon as `signal` (the client's own AbortSignal)
 * aborts; the timer and the listener are let go either way.
 */
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(ABORTED);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(ABORTED);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

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

  /**
   * Waits for the next free slot; rejects with ABORTED when `signal` aborts first. An aborted wait
   * gives its slot back when no later call has taken one after it (the common case: one call
   * cancelled); otherwise the slot stays spent, since the calls queued behind it each sleep
   * towards their own time, and a gap only ever spaces requests further apart than the limit.
   */
  async acquire(signal) {
    const at = Math.max(now(), this.#next);
    this.#next = at + this.#interval;
    const wait = at - now();
    if (wait <= 0) return;
    try {
      await pause(wait, signal);
    } catch (error) {
      if (this.#next === at + this.#interval) this.#next = at;
      throw error;
    }
  }

  /** The server asked for a pause (a throttled reply's retry-after): nothing goes before it ends. */
  holdFor(ms) {
    this.#next = Math.max(this.#next, now() + ms);
  }
}

/**
 * The requests a second of each operation: `maxQps` a number (every operation), an object of
 * numbers by operation name (own properties; the others at their documented limit), or absent
 * (each at its documented limit). Throws a config CasterError for anything else.
 */
function readMaxQps(maxQps) {
  const limits = Object.create(null);
  for (const action of ACTIONS) limits[action] = OPERATIONS[action].qps;
  if (maxQps === undefined) return limits;
  const check = (value, field) => checkNumber({ [field]: value }, field, { min: 0, minExclusive: true, max: MAX_QPS });
  let isArray;
  try {
    isArray = Array.isArray(maxQps); // throws for a revoked proxy
  } catch {
    throw configError('InvalidParameter.Malformed', 'maxQps', 'maxQps could not be read (a revoked proxy, or a trap that threw)');
  }
  if (typeof maxQps !== 'object' || isArray) {
    const value = check(maxQps, 'maxQps');
    for (const action of ACTIONS) limits[action] = value;
    return limits;
  }
  let keys;
  try {
    keys = Object.keys(maxQps);
  } catch {
    throw configError('InvalidParameter.Malformed', 'maxQps', 'maxQps could not be read (a revoked proxy, or a trap that threw)');
  }
  for (const key of keys) {
    if (!ACTIONS.includes(key)) {
      throw configError('InvalidParameter.Malformed', 'maxQps',
        `maxQps is a number, or an object whose keys are ${ACTIONS.join(' and ')}; "${key.slice(0, 64)}" is not one`);
    }
    let value;
    try {
      value = maxQps[key];
    } catch {
      throw configError('InvalidParameter.Malformed', 'maxQps', `reading maxQps.${key} threw`);
    }
    if (value !== undefined) limits[key] = check(value, `maxQps.${key}`);
  }
  return limits;
}

// ---- Redaction ---------------------------------------------------------------------------------
//
// A server may echo a credential in any encoding. Matching is done on bytes: the text as UTF-8,
// then the same text decoded once and twice (percent escapes in either case, JSON escapes
// `\uXXXX` and `\/`), where a `+` also stands for a space. Each byte keeps the span of the
// original text it came from, so the span of the original that spells a secret, however encoded,
// is what gets replaced. Against each of those texts, each secret is searched as its UTF-8 bytes,
// as hex (any case) and as base64 and base64url at each of the three byte alignments inside a
// longer base64 text (without the edge characters that also carry neighbouring bits).

/** Secrets shorter than this are left alone: no real one is, and replacing them would shred text. */
const MIN_SECRET_LENGTH = 6;
/** How many times percent and JSON escapes are decoded: twice covers double encoding. */
const DECODE_DEPTH = 2;
const REDACTED = '<redacted>';

function utf8Of(codePoint, out) {
  if (codePoint < 0x80) out.push(codePoint);
  else if (codePoint < 0x800) out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 63));
  else if (codePoint < 0x10000) out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63));
  else out.push(0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 63), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63));
  return out;
}

/** A string's code points as UTF-8 bytes; a lone surrogate is U+FFFD, as TextEncoder has it. */
function forEachCodePoint(text, visit) {
  for (let i = 0; i < text.length;) {
    let c = text.codePointAt(i) ?? 0xfffd;
    const width = c > 0xffff ? 2 : 1;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    visit(c, i, i + width);
    i += width;
  }
}

/** Bytes with, for each, the span [from, to) of the original text it stands for. */
class Units {
  constructor(capacity) {
    this.bytes = new Uint8Array(capacity);
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.length = 0;
  }

  push(byte, from, to) {
    this.bytes[this.length] = byte;
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.length += 1;
  }
}

function unitsOfText(text) {
  let size = 0;
  forEachCodePoint(text, (c) => { size += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; });
  const units = new Units(size);
  const bytes = [];
  forEachCodePoint(text, (c, from, to) => {
    bytes.length = 0;
    for (const b of utf8Of(c, bytes)) units.push(b, from, to);
  });
  return units;
}

const hexValue = (b) => (b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 55 : b >= 0x61 && b <= 0x66 ? b - 87 : -1);
const JSON_ESCAPES = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };

/** The code unit of a `\uXXXX` escape at `i`, or -1. */
function jsonEscapeAt(units, i) {
  const { bytes, length } = units;
  if (i + 5 >= length || bytes[i] !== 0x5c || bytes[i + 1] !== 0x75) return -1;
  let value = 0;
  for (let k = 2; k < 6; k++) {
    const digit = hexValue(bytes[i + k]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** `units` with its percent and JSON escapes decoded once; undefined when it holds none. */
function decodeUnits(units) {
  const { bytes, from, to, length } = units;
  const out = new Units(length);
  const encoded = [];
  let changed = false;
  for (let i = 0; i < length;) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < length && hexValue(bytes[i + 1]) >= 0 && hexValue(bytes[i + 2]) >= 0) {
      out.push(hexValue(bytes[i + 1]) * 16 + hexValue(bytes[i + 2]), from[i], to[i + 2]);
      i += 3;
      changed = true;
      continue;
    }
    const unit = b === 0x5c ? jsonEscapeAt(units, i) : -1;
    if (unit >= 0) {
      const low = unit >= 0xd800 && unit <= 0xdbff ? jsonEscapeAt(units, i + 6) : -1;
      const pair = low >= 0xdc00 && low <= 0xdfff;
      if (pair || unit < 0xd800 || unit > 0xdfff) {
        const codePoint = pair ? 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00) : unit;
        const width = pair ? 12 : 6;
        encoded.length = 0;
        for (const e of utf8Of(codePoint, encoded)) out.push(e, from[i], to[i + width - 1]);
        i += width;
        changed = true;
        continue;
      }
    }
    const escaped = b === 0x5c && i + 1 < length ? JSON_ESCAPES[bytes[i + 1]] : undefined;
    if (escaped !== undefined) {
      out.push(escaped, from[i], to[i + 1]);
      i += 2;
      changed = true;
      continue;
    }
    out.push(b, from[i], to[i]);
    i += 1;
  }
  return changed ? out : undefined;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of `bytes`, unpadded, the last group's partial character included. */
function base64Of(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += BASE64.charAt((n >> (18 - 6 * k)) & 63);
  }
  return out;
}

const asciiBytes = (text) => Array.from(text, (c) => c.charCodeAt(0));

/**
 * The byte patterns that spell `secret`: its UTF-8, its hex (matched in any case), and for each
 * of the three alignments its base64 and base64url characters that depend on its bytes alone.
 */
function patternsOf(secret) {
  const bytes = [];
  forEachCodePoint(secret, (c) => { utf8Of(c, bytes); });
  const patterns = [{ bytes, fold: false }];
  patterns.push({ bytes: asciiBytes(bytes.map((b) => b.toString(16).padStart(2, '0')).join('')), fold: true });
  for (let align = 0; align < 3; align++) {
    const encoded = base64Of([...new Array(align).fill(0), ...bytes]);
    // Characters before `skip` carry bits of the bytes before; the last, unless it ends on a
    // group boundary, carries bits of the bytes after.
    const skip = [0, 2, 3][align];
    const end = Math.floor(((align + bytes.length) * 8) / 6);
    const core = encoded.slice(skip, end);
    patterns.push({ bytes: asciiBytes(core), fold: false });
    patterns.push({ bytes: asciiBytes(core.replace(/\+/g, '-').replace(/\//g, '_')), fold: false });
  }
  return patterns;
}

/** Whether a text byte stands for a pattern byte: itself, `+` for a space, any case for hex. */
function sameByte(textByte, patternByte, fold) {
  if (textByte === patternByte || (patternByte === 0x20 && textByte === 0x2b)) return true;
  return fold && textByte >= 0x41 && textByte <= 0x5a && (textByte | 0x20) === patternByte;
}

/** Adds to `spans` the original span of every occurrence of `pattern` in `units`. */
function findSpans(units, { bytes: pattern, fold }, spans) {
  const m = pattern.length;
  const { bytes, from, to, length } = units;
  for (let i = 0; m > 0 && i + m <= length; i++) {
    let j = 0;
    while (j < m && sameByte(bytes[i + j], pattern[j], fold)) j++;
    if (j === m) {
      spans.push([from[i], to[i + m - 1]]);
      i += m - 1;
    }
  }
}

/**
 * Replaces every form of a secret in server-supplied text with `<redacted>` (see above).
 */
function redact(text, secrets) {
  if (typeof text !== 'string') return undefined;
  const patterns = secrets
    .filter((secret) => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
    .flatMap((secret) => patternsOf(secret));
  if (patterns.length === 0 || text === '') return text;
  const levels = [unitsOfText(text)];
  if (/[%\\]/.test(text)) {
    for (let depth = 0; depth < DECODE_DEPTH; depth++) {
      const decoded = decodeUnits(levels[levels.length - 1]);
      if (!decoded) break;
      levels.push(decoded);
    }
  }
  const spans = [];
  for (const units of levels) for (const pattern of patterns) findSpans(units, pattern, spans);
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    if (to <= at) continue;
    if (from >= at) out += text.slice(at, from) + REDACTED;
    at = to;
  }
  return out + text.slice(at);
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

/**
 * The reply's x-acs-request-id header, which the gateway sends beside the body's RequestId: used
 * when the body has none. Redacted like every server string; ignored when empty or too long.
 */
function headerRequestId(reply, secrets) {
  const header = reply.header('x-acs-request-id');
  const id = typeof header === 'string' ? header.trim() : '';
  return id !== '' && id.length <= MAX_REQUEST_ID_LENGTH ? redact(id, secrets) : undefined;
}

// The codes of a signature the server could not verify (aliyun-python-sdk-core and
// aliyun-java-sdk-core both look at the two).
const SIGNATURE_CODES = new Set(['SignatureDoesNotMatch', 'IncompleteSignature']);

/**
 * Whether the server's Message shows it signed exactly the string this request signed. Then the
 * request arrived as it was sent and only the key can differ: the AccessKeySecret is wrong. (When
 * the strings differ, the request was changed on the way, or signed by other rules.) Neither
 * string holds the secret, and the result is only ever this boolean.
 */
function serverSignedSame(message, stringToSign) {
  if (typeof message !== 'string' || typeof stringToSign !== 'string' || stringToSign === '') return false;
  const at = message.indexOf(SERVER_STRING_TO_SIGN);
  return at >= 0 && message.slice(at + SERVER_STRING_TO_SIGN.length) === stringToSign;
}

function isThrottling(code, status) {
  return status === 429 || (typeof code === 'string' && code.startsWith('Throttling'));
}

function transientApiError(code, status) {
  return isThrottling(code, status) || status === 503 || code === 'ServiceUnavailable' || code === 'InternalError';
}

/** `Retry-After`: seconds, or an HTTP date; 0 when absent or malformed. */
function standardRetryAfterMs(header) {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now()) : 0;
}

/**
 * `x-acs-retry-after`: the gateway's wait in milliseconds, a positive whole number (the vendor's
 * OpenAPI cores ignore 0, negatives and anything else, as this does); 0 when absent or malformed.
 */
function acsRetryAfterMs(header) {
  const text = typeof header === 'string' ? header.trim() : '';
  return /^\d{1,15}$/.test(text) ? Number(text) : 0;
}

/** How long the reply asks us to wait before trying again: the longer of its two headers, capped. */
function retryAfterMs(reply) {
  if (!reply) return 0;
  const wait = Math.max(standardRetryAfterMs(reply.header('retry-after')), acsRetryAfterMs(reply.header('x-acs-retry-after')));
  return Math.min(wait, RETRY_AFTER_CAP_MS);
}


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

/** The network-level code of a fetch failure (undici puts it on `cause`), if any. */
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

/** The options a sending method takes as its second argument. */
const CALL_OPTIONS = ['signal'];

/**
 * A sending method's second argument, `{ signal }`, read as the config is: own enumerable
 * properties, each read once; null or undefined is no options, and a null or undefined signal is
 * none. Returns `{ signal, aborted }` (the signal's `aborted` as read now) or undefined. Throws a
 * validation CasterError for options that are not a readable object, an unknown key (naming the
 * option it is close to), or a signal that is not AbortSignal-like: a boolean `aborted`, and
 * `addEventListener` and `removeEventListener` functions.
 */
function readCallOptions(options, method) {
  const refuse = (field, message) => new CasterError({ code: 'InvalidParameter.Malformed', kind: 'validation', field, message });
  if (options === undefined || options === null) return undefined;
  let keys;
  try {
    keys = typeof options === 'object' && !Array.isArray(options) ? Object.keys(options) : undefined;
  } catch {
    throw refuse('options', `the options of ${method} could not be read (a revoked proxy, or a trap that threw)`);
  }
  if (keys === undefined) throw refuse('options', `the options of ${method} must be an object: { signal? }`);
  for (const key of keys) {
    if (!CALL_OPTIONS.includes(key)) {
      const suggestion = nearest(key, CALL_OPTIONS);
      throw refuse(key.slice(0, 64),
        `"${key.slice(0, 64)}" is not an option of ${method}${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
    }
  }
  if (!keys.includes('signal')) return undefined;
  let signal;
  try {
    signal = options.signal;
  } catch {
    throw refuse('signal', `reading options.signal of ${method} threw`);
  }
  if (signal === undefined || signal === null) return undefined;
  const notSignal = () => refuse('signal',
    `options.signal of ${method} must be an AbortSignal (a boolean aborted, addEventListener and removeEventListener)`);
  if (typeof signal !== 'object' && typeof signal !== 'function') throw notSignal();
  let aborted;
  let add;
  let remove;
  try {
    aborted = signal.aborted;
    add = signal.addEventListener;
    remove = signal.removeEventListener;
  } catch {
    throw refuse('signal', `options.signal of ${method} could not be read (a revoked proxy, or a trap that threw)`);
  }
  if (typeof aborted !== 'boolean' || typeof add !== 'function' || typeof remove !== 'function') throw notSignal();
  return { signal, aborted };
}

/**
 * One call's cancellation by its caller. `signal` is the client's own AbortSignal, which every wait
 * of the call ends on (its backoff, its rate-limiter slot, the credentials function, each fetch
 * and body); it aborts when the caller's signal does. `sent` says whether a request of the call
 * may have left. `release()` removes the one listener the call added to the caller's signal, so a
 * long-lived signal shared by many calls holds a listener only for each call still pending.
 */
class Cancellation {
  #controller = new AbortController();
  #caller;
  #listener;
  #reason;
  sent = false;

  /** `given` is what readCallOptions returned. Throws a validation CasterError if the listener cannot be added. */
  constructor(given, method) {
    this.signal = this.#controller.signal;
    if (!given) return;
    const { signal, aborted } = given;
    if (aborted) {
      this.#abort(signal);
      return;
    }
    this.#listener = () => { this.#abort(signal); };
    try {
      Reflect.apply(signal.addEventListener, signal, ['abort', this.#listener, { once: true }]);
    } catch {
      throw new CasterError({
        code: 'InvalidParameter.Malformed', kind: 'validation', field: 'signal',
        message: `options.signal of ${method}: its addEventListener threw`,
      });
    }
    this.#caller = signal;
  }

  #abort(signal) {
    if (this.signal.aborted) return;
    try {
      this.#reason = signal.reason;
    } catch {
      this.#reason = undefined; // a reason that cannot be read is no reason
    }
    this.#controller.abort();
  }

  get aborted() {
    return this.signal.aborted;
  }

  /** The call's Aborted error: it says whether a request may have been sent. */
  error(action) {
    const { idempotent } = OPERATIONS[action];
    return new CasterError({
      code: 'Aborted', kind: 'network', retryable: false, cause: this.#reason,
      message: this.sent
        ? `the caller aborted ${action}; the request may have been sent and processed${idempotent ? ''
          : `, and ${action} is not idempotent: it may have taken effect`}`
        : `the caller aborted ${action}; the request was not sent`,
    });
  }

  release() {
    const caller = this.#caller;
    this.#caller = undefined;
    if (!caller) return;
    try {
      Reflect.apply(caller.removeEventListener, caller, ['abort', this.#listener]);
    } catch {
      // A signal whose removeEventListener throws keeps the listener; the call is over either way.
    }
  }
}

/** Calls `listener` once `signal` (the client's own AbortSignal) aborts; returns what removes it. */
function whenAborted(signal, listener) {
  signal.addEventListener('abort', listener, { once: true });
  return () => { signal.removeEventListener('abort', listener); };
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

/**
 * Whether what fetch resolved to is a redirect, or the reply of another origin than the request's:
 * a 3xx status, a browser's `opaqueredirect` (status 0, from `redirect: 'manual'`), or a fetch
 * that followed one anyway (`redirected`, or a `url` elsewhere). Each property read defensively.
 */
function isRedirect(response, requestUrl) {
  const read = (name) => {
    try {
      return response[name];
    } catch {
      return undefined;
    }
  };
  if (response === null || (typeof response !== 'object' && typeof response !== 'function')) return false;
  const status = read('status');
  if (read('type') === 'opaqueredirect' || (Number.isInteger(status) && status >= 300 && status <= 399)) return true;
  if (read('redirected') === true) return true;
  const url = read('url');
  if (typeof url !== 'string' || url === '') return false;
  try {
    return new URL(url).origin !== new URL(requestUrl).origin;
  } catch {
    return true; // a URL that cannot be read cannot be shown to be the endpoint's
  }
}

/** Lets go of a body that will not be read, so the connection is freed; never throws. */
function discardBody(response) {
  try {
    const body = response.body;
    if (body && typeof body.cancel === 'function') Promise.resolve(body.cancel()).catch(() => {});
  } catch {
    // nothing to free
  }
}

/** What `readReply` returns for a body over the limit. */
const TOO_LARGE = Symbol('too large');

/** UTF-8 length of a string, counted only as far as `limit` + 1. */
function utf8LengthOver(text, limit) {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let size = 0;
  for (let i = 0; i < text.length && size <= limit; i++) {
    const c = text.charCodeAt(i);
    size += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return size > limit;
}

function decodeChunks(chunks, size) {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // As Response.text() does: UTF-8, a leading BOM dropped, bad sequences as U+FFFD.
  return new Utf8Decoder('utf-8').decode(bytes);
}

/**
 * Reads chunks from `next()` until done or past `limit` bytes (then `stop()` and TOO_LARGE). Each
 * wait ends when `signal` aborts. A chunk that is not bytes is a broken body.
 */
async function readChunks(next, stop, limit, signal) {
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await untilAborted(next(), signal);
      if (done) break;
      if (!ArrayBuffer.isView(value)) throw new TypeError('a body chunk that is not bytes');
      const chunk = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      size += chunk.byteLength;
      if (size > limit) {
        stop();
        return TOO_LARGE;
      }
      chunks.push(chunk);
    }
  } catch (error) {
    stop();
    throw error;
  }
  return decodeChunks(chunks, size);
}

/**
 * A reply's body as text, at most `limit` decoded bytes (else TOO_LARGE), read as a stream: a
 * WHATWG ReadableStream (fetch in Node, browsers and workerd), or an async iterable of bytes (a
 * Node stream, as node-fetch gives). A custom fetch's result without either is read with its
 * `text()`: refused unread when its Content-Length is over the limit, and its text is held to the
 * limit; such a fetch decides itself how much it buffers. Rejects with ABORTED when `signal`
 * aborts, or with whatever a broken body threw.
 */
async function readReply(response, reply, limit, signal) {
  const body = response.body;
  const ignore = (promise) => { Promise.resolve(promise).catch(() => {}); };
  if (body && typeof body.getReader === 'function') {
    const reader = body.getReader();
    return readChunks(() => reader.read(), () => { ignore(reader.cancel()); }, limit, signal);
  }
  if (body && typeof body[Symbol.asyncIterator] === 'function') {
    const iterator = body[Symbol.asyncIterator]();
    const stop = () => {
      if (typeof iterator.return === 'function') ignore(iterator.return());
      if (typeof body.destroy === 'function') body.destroy();
    };
    return readChunks(() => iterator.next(), stop, limit, signal);
  }
  const declared = reply.header('content-length');
  if (declared !== undefined && /^\s*\d+\s*$/.test(declared) && Number(declared) > limit) return TOO_LARGE;
  const text = await untilAborted(response.text(), signal);
  return typeof text === 'string' && utf8LengthOver(text, limit) ? TOO_LARGE : text;
}

/**
 * The error for an expired timestamp when the reply has no Date to correct the clock from: absent,
 * or not readable, as a browser hides every header a page of another origin was not granted (the
 * gateway grants none). The local clock is off, by an amount nothing here can know.
 */
function clockUnknown(error) {
  return new CasterError({
    code: error.code,
    kind: 'api',
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    recommend: error.recommend,
    retryable: false,
    message: 'the local clock is off by more than 15 minutes, so the server refused the request\'s time as expired; by how much '
      + 'cannot be known, as the reply\'s Date header is absent or not readable here (a browser hides it from a page calling '
      + 'another origin). Set this device\'s clock right, or send through the edge worker proxy, which reads the server\'s '
      + `Date and corrects for it. The server said: ${error.message}`,
  });
}

/**
 * A runtime's request as `signRequest` takes it, from a per-operation signer's arguments: the
 * action, `params`, and the options' own enumerable properties (read once each; a throwing getter
 * or proxy trap is a CasterError). Options may not name an action or hold params.
 */
function requestOf(action, signer, params, options) {
  const refuse = (field, message) => new CasterError({ code: 'InvalidParameter.Malformed', kind: 'validation', field, message });
  const request = { action, params };
  if (options === undefined || options === null) return request;
  let keys;
  try {
    keys = typeof options === 'object' && !Array.isArray(options) ? Object.keys(options) : undefined;
  } catch {
    throw refuse('options', `the options of ${signer} could not be read (a revoked proxy, or a trap that threw)`);
  }
  if (keys === undefined) throw refuse('options', `the options of ${signer} must be an object: signRequest's options without action and params`);
  for (const key of keys) {
    if (key === 'action' || key === 'params') {
      throw refuse(key, `${signer} signs ${action} with its first argument as params; its options cannot hold ${key}`);
    }
    let value;
    try {
      value = options[key];
    } catch {
      throw refuse(key.slice(0, 64), `reading options.${key.slice(0, 64)} threw`);
    }
    Object.defineProperty(request, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true });
  }
  return request;
}

/**
 * One signer per operation of the table, named after it: `abcDef(params, options)`
 * returns exactly what `signRequest({ action: 'AbcDef', params, ...options })` does, and
 * throws the same CasterError for the same bad input.
 */
export function operationSigners(signRequest) {
  const signers = {};
  for (const action of ACTIONS) {
    const name = methodName(action);
    signers[name] = { [name](params, options) { return signRequest(requestOf(action, name, params, options)); } }[name];
  }
  return signers;
}

/** The core of a runtime where the module is ready at import (Node, workerd). */
export function readyCore(signRequest, validateParams, checkConfig) {
  return { signRequest, validateParams, checkConfig, isReady: () => true, ready: async () => {} };
}

/**
 * Builds the CasterClient class over a runtime's core: `signRequest`, `validateParams`,
 * `checkConfig`, and `ready()`, which resolves once the wasm module is usable (at once in Node and
 * workerd).
 */
export function defineCasterClient(core) {
  return class CasterClient {
    #config;
    #credentials;
    #fetch;
    #limiters;
    #clockOffsetMs = 0;

    /**
     * @param {object} config accessKeyId + accessKeySecret (+ securityToken), or `credentials`:
     *   an async function returning them, called before each attempt (STS refresh); regionId,
     *   endpoint, method, signatureAlgorithm ("v1", the default, or "v3"), timeoutMs, maxRetries,
     *   maxQps (a number for every operation, or an object of numbers by operation name;
     *   default each operation's documented limit, 10), maxReplyBytes (1 KiB to 64 MiB, default 1 MiB: the most a reply's body may hold,
     *   decoded), fetch.
     */
    constructor(config) {
      const options = readConfig(config);
      const pick = (name) => options[name];
      const timeoutMs = checkNumber(options, 'timeoutMs', { min: 0, minExclusive: true, max: MAX_TIMEOUT_MS });
      const maxRetries = checkNumber(options, 'maxRetries', { min: 0, integer: true, max: 10 });
      const maxQps = readMaxQps(options.maxQps);
      const maxReplyBytes = checkNumber(options, 'maxReplyBytes', { min: MIN_REPLY_BYTES, integer: true, max: MAX_REPLY_BYTES });

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
        signatureAlgorithm: pick('signatureAlgorithm'), timeoutMs, maxRetries, maxReplyBytes,
      };
      this.#limiters = Object.create(null);
      for (const action of ACTIONS) this.#limiters[action] = new RateLimiter(maxQps[action]);

      // Endpoint, method, region, signature algorithm and fixed credentials are checked now by the
      // core's checkConfig, the check signing itself runs. (In a browser before `init()`, the
      // first call checks them instead.) Absent fixed credentials are checked as missing.
      if (core.isReady()) {
        const { regionId, endpoint, method, signatureAlgorithm } = this.#config;
        const credentials = fixed
          ? { accessKeyId: fixed.accessKeyId ?? '', accessKeySecret: fixed.accessKeySecret ?? '', securityToken: fixed.securityToken }
          : {};
        core.checkConfig({ ...credentials, regionId, endpoint, method, signatureAlgorithm });
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

    // One sending method per operation of the table, named after it (`startCasterScene`, …):
    // it resolves to `{ RequestId, …its reply fields }`. One that is not idempotent is never
    // retried blindly.
    static {
      for (const action of ACTIONS) {
        const name = methodName(action);
        const method = { [name](params, options) { return this.#call(action, params, options); } }[name];
        Object.defineProperty(this.prototype, name, { __proto__: null, value: method, writable: true, enumerable: false, configurable: true });
      }
    }

    async #call(action, params, options) {
      // The caller's `{ signal }`: read first, and an aborted one ends the call before anything is
      // asked of the core, the credentials function or the network.
      const cancel = new Cancellation(readCallOptions(options, methodName(action)), methodName(action));
      try {
        if (cancel.aborted) throw cancel.error(action);
        return await this.#send(action, params, cancel);
      } finally {
        cancel.release();
      }
    }

    async #send(action, params, cancel) {
      try {
        await untilAborted(core.ready(), cancel.signal);
      } catch (error) {
        throw error === ABORTED ? cancel.error(action) : error;
      }
      const problems = core.validateParams(action, params);
      if (problems.length > 0) {
        const [first] = problems;
        throw new CasterError({ ...first, kind: 'validation' });
      }
      const { idempotent } = OPERATIONS[action];
      const { maxRetries } = this.#config;
      let skewCorrected = false;
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.#attempt(action, params, cancel);
        if (outcome.ok) return outcome.value;
        const { error, reply } = outcome;
        if (error.code === 'InvalidTimeStamp.Expired' && !skewCorrected && this.#correctClock(reply)) {
          skewCorrected = true;
          attempt--; // the correction is not one of the retries
          continue;
        }
        if (error.code === 'InvalidTimeStamp.Expired' && reply && !reply.header('date')) throw clockUnknown(error);
        // A wait the server asks for holds every later call of the operation, not only a retry.
        const asked = error.retryable ? retryAfterMs(reply) : 0;
        if (asked > 0) this.#limiters[action].holdFor(asked);
        const mayRetry = error.retryable && (idempotent || outcome.beforeSend || error.kind === 'api');
        if (!mayRetry || attempt >= maxRetries) throw error;
        const backoff = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
        try {
          await pause(Math.max(backoff, asked), cancel.signal);
        } catch {
          throw cancel.error(action); // and no retry
        }
      }
    }

    /**
     * One attempt: credentials, rate limit, sign, send, read. Never throws a non-CasterError. Each
     * wait also ends when the caller aborts (`cancel`), and the attempt then throws Aborted.
     */
    async #attempt(action, params, cancel) {
      if (cancel.aborted) throw cancel.error(action);
      let given;
      // The credentials function gets the attempt's timeout too: one that never settles must not
      // hang the call. Nor is it waited for once the caller aborts.
      const waiting = new AbortController();
      const credentialsTimer = setTimeout(() => { waiting.abort(); }, this.#config.timeoutMs);
      const unlinkWaiting = whenAborted(cancel.signal, () => { waiting.abort(); });
      try {
        given = await untilAborted(this.#credentials(), waiting.signal);
      } catch (cause) {
        if (cancel.aborted) throw cancel.error(action);
        throw new CasterError({
          code: 'CredentialsUnavailable', kind: 'config', field: 'credentials',
          message: cause === ABORTED
            ? `the credentials function did not settle within ${this.#config.timeoutMs} ms`
            : 'the credentials function threw or rejected',
          cause: cause === ABORTED ? undefined : cause,
        });
      } finally {
        clearTimeout(credentialsTimer);
        unlinkWaiting();
      }
      const credentials = readCredentials(given);
      const secrets = [credentials.accessKeySecret, credentials.securityToken];
      try {
        await this.#limiters[action].acquire(cancel.signal);
      } catch {
        throw cancel.error(action);
      }
      if (cancel.aborted) throw cancel.error(action);
      let signed;
      try {
        signed = this.#sign(action, params, credentials);
      } catch (error) {
        // A server's clock that the core cannot sign with must not fail every later call: back to
        // the local clock. (Without an offset the error is the caller's configuration.)
        if (this.#clockOffsetMs === 0) throw error;
        this.#clockOffsetMs = 0;
        signed = this.#sign(action, params, credentials);
      }

      // The fetch and its body end on the attempt's timeout or the caller's abort, whichever first.
      const controller = new AbortController();
      const timeout = { fired: false };
      const timer = setTimeout(() => { timeout.fired = true; controller.abort(); }, this.#config.timeoutMs);
      const unlink = whenAborted(cancel.signal, () => { controller.abort(); });
      const sentBefore = cancel.sent;
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
          // Never followed: a redirect would take the signed request (nonce, SecurityToken and
          // all) to another host.
          cancel.sent = true;
          response = await untilAborted(this.#fetch(signed.url, {
            method: signed.method, headers: signed.headers, body: signed.body, signal: controller.signal, redirect: 'manual',
          }), controller.signal);
        } catch (cause) {
          if (cancel.aborted) throw cancel.error(action);
          if (timeout.fired) return timedOut();
          const code = networkCode(cause);
          const beforeSend = code !== undefined && BEFORE_SEND.has(code);
          if (beforeSend) cancel.sent = sentBefore; // this attempt never left
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
        if (isRedirect(response, signed.url)) {
          discardBody(response);
          const status = replyOf(response)?.status;
          return {
            ok: false,
            beforeSend: false,
            error: new CasterError({
              code: 'Redirected', kind: 'api', httpStatus: status, retryable: false,
              message: `the endpoint answered with a redirect${status ? ` (HTTP ${status})` : ''}; a signed request goes only `
                + 'to the configured endpoint, so it was not followed',
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
          text = await readReply(response, reply, this.#config.maxReplyBytes, controller.signal);
        } catch {
          if (cancel.aborted) throw cancel.error(action);
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
        unlink();
      }
      if (text === TOO_LARGE) {
        // Not retried: the same endpoint would send the same again.
        return {
          ok: false,
          beforeSend: false,
          reply,
          error: new CasterError({
            code: 'ReplyTooLarge', kind: 'api', httpStatus: reply.status, retryable: false,
            message: `the endpoint answered HTTP ${reply.status} with a body over maxReplyBytes (${this.#config.maxReplyBytes} bytes); `
              + 'it was not read further',
          }),
        };
      }
      return this.#read(action, reply, text, secrets, signed.stringToSign);
    }

    #read(action, reply, text, secrets, stringToSign) {
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
      const fields = OPERATIONS[action].reply;
      const requestId = typeof member('RequestId') === 'string'
        ? redact(member('RequestId'), secrets) : headerRequestId(reply, secrets);
      const code = member('Code');
      if (typeof code === 'string' && (status >= 400 || fields.some((field) => member(field.name) === undefined))) {
        const shown = redact(code, secrets);
        if (shown.length > MAX_CODE_LENGTH || !API_CODE.test(shown)) return invalid('a Code that is not an error code');
        const message = member('Message');
        const said = typeof message === 'string' && message !== '' ? serverText(message, secrets) : `the endpoint answered ${shown}`;
        const wrongSecret = SIGNATURE_CODES.has(shown) && serverSignedSame(message, stringToSign);
        return {
          ok: false,
          reply,
          error: new CasterError({
            code: wrongSecret ? 'InvalidAccessKeySecret' : shown,
            kind: 'api',
            httpStatus: status,
            requestId,
            recommend: serverText(member('Recommend'), secrets),
            serverCode: wrongSecret ? shown : undefined,
            retryable: transientApiError(shown, status),
            message: wrongSecret
              ? `the AccessKeySecret is wrong: the server signed the very string this request signed, so only the secret can differ (it answered ${shown}): ${said}`
              : said,
          }),
        };
      }
      if (status < 200 || status >= 300) return invalid('an error body without a Code');
      if (!requestId) return invalid('a success body without RequestId');
      const value = { RequestId: requestId };
      for (const field of fields) {
        const read = readReplyValue(field, member(field.name), secrets);
        if (read === undefined || read === '') return invalid(`a success body without ${field.name}`);
        value[field.name] = read;
      }
      return { ok: true, value };
    }

    /**
     * Takes the server's clock from its Date header; false when it is not readable or outside
     * 2020-01-01 … 2100-01-01 (a forged or broken Date is ignored, not kept for every later call).
     */
    #correctClock(reply) {
      const header = reply?.header('date');
      const server = header ? Date.parse(header) : NaN;
      if (!(server >= SERVER_DATE_MIN && server < SERVER_DATE_MAX)) return false;
      this.#clockOffsetMs = server - now();
      return true;
    }
  };
}
