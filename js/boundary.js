// The JavaScript half of the wasm boundary: the CasterError class, and the few reads of
// caller-supplied values that may run caller code (getters, proxy traps). The Rust side imports
// these with `catch`, so whatever they throw becomes a CasterError instead of unwinding through wasm.

const KINDS = ['validation', 'config', 'api', 'network', 'timeout'];
const OPTIONAL_TEXTS = ['field', 'requestId', 'recommend'];
const FIELDS = ['code', 'kind', 'field', 'httpStatus', 'requestId', 'recommend', 'retryable'];

const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/**
 * Defines an own data property, as assignment would, without running a setter on a prototype.
 * The descriptor has no prototype: a `get` planted on Object.prototype cannot turn it into an
 * accessor descriptor.
 */
function define(object, key, value) {
  Object.defineProperty(object, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true });
}

/**
 * The fields of a CasterError's init: own properties only (so that a polluted Object.prototype
 * supplies none), each of the declared type. Throws a CasterError when init is not usable.
 */
function readInit(init) {
  const refuse = (field, message) => new CasterError({ code: 'InvalidParameter.Malformed', kind: 'validation', field, message });
  if (init === null || (typeof init !== 'object' && typeof init !== 'function')) {
    throw refuse('init', 'CasterError needs an object: { code, message, kind, field?, httpStatus?, requestId?, recommend?, retryable?, cause? }');
  }
  const fields = {};
  for (const key of [...FIELDS, 'message', 'cause']) {
    let value;
    try {
      value = hasOwn(init, key) ? init[key] : undefined;
    } catch {
      throw refuse(key, `reading ${key} of the CasterError init threw`);
    }
    define(fields, key, value === null && key !== 'cause' ? undefined : value);
  }
  if (typeof fields.code !== 'string' || fields.code === '') throw refuse('code', 'a CasterError code must be a non-empty string');
  if (typeof fields.message !== 'string') throw refuse('message', 'a CasterError message must be a string');
  if (!KINDS.includes(fields.kind)) throw refuse('kind', `a CasterError kind is one of ${KINDS.join(', ')}`);
  for (const key of OPTIONAL_TEXTS) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') throw refuse(key, `a CasterError ${key} must be a string when given`);
  }
  if (fields.httpStatus !== undefined && !Number.isInteger(fields.httpStatus)) {
    throw refuse('httpStatus', 'a CasterError httpStatus must be an integer when given');
  }
  if (fields.retryable !== undefined && typeof fields.retryable !== 'boolean') {
    throw refuse('retryable', 'a CasterError retryable must be a boolean when given');
  }
  return fields;
}

/** Every failure of every function of this package. Branch on `.code` and `.kind`. */
export class CasterError extends Error {
  /**
   * @param {{ code: string, message: string, kind: "validation"|"config"|"api"|"network"|"timeout",
   *   field?: string, httpStatus?: number, requestId?: string, recommend?: string,
   *   retryable?: boolean, cause?: unknown }} init
   * Throws a CasterError (InvalidParameter.Malformed) when init is not of that shape.
   */
  constructor(init) {
    const { code, message, kind, field, httpStatus, requestId, recommend, retryable, cause } = readInit(init);
    super(message, cause === undefined ? undefined : { cause });
    define(this, 'code', code);
    define(this, 'kind', kind);
    if (field !== undefined) define(this, 'field', field);
    if (httpStatus !== undefined) define(this, 'httpStatus', httpStatus);
    if (requestId !== undefined) define(this, 'requestId', requestId);
    if (recommend !== undefined) define(this, 'recommend', recommend);
    define(this, 'retryable', retryable === true);
  }

  toJSON() {
    const json = { name: this.name };
    for (const key of ['code', 'kind', 'message', ...FIELDS.slice(2)]) define(json, key, hasOwn(this, key) ? this[key] : undefined);
    return json;
  }
}

Object.defineProperty(CasterError.prototype, 'name', {
  value: 'CasterError', writable: true, enumerable: false, configurable: true,
});

export function makeCasterError(code, kind, message, field) {
  return new CasterError({ code, kind, message, field: field ?? undefined });
}

const toStringTag = Object.prototype.toString;

/**
 * `[object Object]`, `[object Array]`, `[object Map]`, …; may throw for a revoked proxy. A
 * Symbol.toStringTag is the caller's text, of any length: cut to what a message can show.
 */
export function typeTag(value) {
  const tag = toStringTag.call(value);
  return tag.length > 80 ? `${tag.slice(0, 72)}…]` : tag;
}

const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (text) => text.isWellFormed()
  : (text) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

/** Whether a string has no lone surrogates. */
export function isWellFormed(text) {
  return wellFormed(text);
}

/**
 * An object's own enumerable entries, skipping undefined and null values, packed into one string
 * so that they cross into wasm at once: per entry `<len>:<key><tag><len>:<text>`, lengths in
 * UTF-16 units. Tags: `s` string, `x` string with a lone surrogate, `n` number, `o` anything
 * else (its text is its type). Numbers and other values follow the packed string in the returned
 * array, in order, so that no number is ever printed and parsed back.
 * Returns `[packed, ...values]`; `{ threw: key }` when reading a value throws; the key count as
 * a string when there are more than `max` keys. May throw (proxy traps).
 */
export function readEntries(value, max) {
  const keys = Object.keys(value);
  if (keys.length > max) return String(keys.length);
  let packed = '';
  const out = [''];
  // Appended by definition, not by push: push would run an accessor planted on Array.prototype.
  const append = (item) => { define(out, out.length, item); };
  for (const key of keys) {
    let item;
    try {
      item = value[key];
    } catch {
      return { threw: key };
    }
    if (item === undefined || item === null) continue;
    let tag;
    let text;
    const type = typeof item;
    if (type === 'string') {
      tag = wellFormed(item) ? 's' : 'x';
      text = item;
    } else if (type === 'number') {
      tag = 'n';
      text = '';
      append(item);
    } else {
      tag = 'o';
      text = type;
      try {
        if (Array.isArray(item)) text = 'array';
      } catch {
        // A revoked proxy: still an object; its problem is its type, not this read.
      }
      append(item);
    }
    packed += `${key.length}:${key}${tag}${text.length}:${text}`;
  }
  out[0] = packed;
  return out;
}

/** The key of `readEntries`' `{ threw: key }`. */
export function threwKey(result) {
  return typeof result?.threw === 'string' ? result.threw : undefined;
}

// Results cross from wasm as one string of NUL-separated fields: one crossing instead of dozens.
// No field can hold a NUL: validation refuses control characters in every value that is echoed,
// and the Rust side checks it again before joining. Objects are built only with literals, and
// with Object.fromEntries and Array.from over generators, which define own properties and read
// nothing that is not own: an accessor or a read-only property planted on Object.prototype or
// Array.prototype (even on an index such as "0") is never invoked. (Array.from over an array-like
// `{ length }` would read its missing indexes from Object.prototype; push would run a setter.)

function* pairList(parts, from, to) {
  for (let i = from; i + 1 < to; i += 2) yield [parts[i], parts[i + 1]];
}

function pairs(parts, from, to) {
  return Object.fromEntries(pairList(parts, from, to));
}

function* problemList(parts) {
  for (let i = 0; i + 2 < parts.length; i += 3) yield { field: parts[i], code: parts[i + 1], message: parts[i + 2] };
}

/** `method, url, body, canonicalQuery, stringToSign, signature, n, n header pairs, param pairs`. */
export function assembleSigned(text) {
  const parts = text.split('\0');
  const paramsFrom = 7 + 2 * Number(parts[6]);
  const headers = pairs(parts, 7, paramsFrom);
  const params = pairs(parts, paramsFrom, parts.length);
  // Two fixed shapes (a GET has no body) keep these literals fast.
  return parts[2] === ''
    ? {
      method: parts[0], url: parts[1], headers, params,
      canonicalQuery: parts[3], stringToSign: parts[4], signature: parts[5],
    }
    : {
      method: parts[0], url: parts[1], headers, body: parts[2], params,
      canonicalQuery: parts[3], stringToSign: parts[4], signature: parts[5],
    };
}

/** `field, code, message` triples, as an array of plain objects. */
export function assembleProblems(text) {
  return text === '' ? [] : Array.from(problemList(text.split('\0')));
}

/** The time value of a Date; throws for anything else. */
export function dateValue(value) {
  return Date.prototype.getTime.call(value);
}
