// The JavaScript half of the wasm boundary: the CasterError class, and the few reads of
// caller-supplied values that may run caller code (getters, proxy traps). The Rust side imports
// these with `catch`, so whatever they throw becomes a CasterError instead of unwinding through wasm.

const KINDS = ['validation', 'config', 'api', 'network', 'timeout'];
const OPTIONAL_TEXTS = ['field', 'requestId', 'recommend', 'serverCode'];
const FIELDS = ['code', 'kind', 'field', 'httpStatus', 'requestId', 'recommend', 'serverCode', 'retryable'];

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
    throw refuse('init', 'CasterError needs an object: { code, message, kind, field?, httpStatus?, requestId?, recommend?, serverCode?, retryable?, cause? }');
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
   *   serverCode?: string, retryable?: boolean, cause?: unknown }} init
   * Throws a CasterError (InvalidParameter.Malformed) when init is not of that shape.
   */
  constructor(init) {
    const { code, message, kind, field, httpStatus, requestId, recommend, serverCode, retryable, cause } = readInit(init);
    super(message, cause === undefined ? undefined : { cause });
    define(this, 'code', code);
    define(this, 'kind', kind);
    if (field !== undefined) define(this, 'field', field);
    if (httpStatus !== undefined) define(this, 'httpStatus', httpStatus);
    if (requestId !== undefined) define(this, 'requestId', requestId);
    if (recommend !== undefined) define(this, 'recommend', recommend);
    if (serverCode !== undefined) define(this, 'serverCode', serverCode);
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

// The package has two wasm builds (dist/ and dist/server/), each with its own copy of this file
// and so of this class. Both copies mark their prototype with one registered symbol, and
// `instanceof CasterError` asks for the mark: an error from either build is an instance of the
// class from either entry. A subclass keeps the ordinary prototype-chain check.
const BRAND = Symbol.for('aliyun-caster.CasterError');
Object.defineProperty(CasterError.prototype, BRAND, { value: true, writable: false, enumerable: false, configurable: false });
Object.defineProperty(CasterError, Symbol.hasInstance, {
  value(value) {
    if (this !== CasterError) return Function.prototype[Symbol.hasInstance].call(this, value);
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
    try {
      // The mark sits on the prototype, where no caller's getter is: a proxy's trap is the only
      // code that can run here, and its throw means "not ours".
      return value[BRAND] === true && value instanceof Error;
    } catch {
      return false;
    }
  },
  writable: false, enumerable: false, configurable: false,
});

export function makeCasterError(code, kind, message, field) {
  return new CasterError({ code, kind, message, field: field ?? undefined });
}

// ---------------------------------------------------------------------------------------------
// Text coders for the glue
// ---------------------------------------------------------------------------------------------
//
// wasm-bindgen's glue encodes every string that crosses into wasm with TextEncoder's encodeInto and
// decodes every string that comes back with TextDecoder's decode, and looked both up when called:
// a page that replaced either (or the globals) made every export throw a plain Error, trap, or
// carry garbage across. The build (scripts/build.mjs) makes the glue call `textCoders` instead:
// the runtime's coders as they were when this module loaded, bound so that nothing is looked up
// at call time, and checked on a probe; where they are missing or fail the probe, a coder of our
// own. Each is UTF-8 as the glue's: a lone surrogate is encoded as U+FFFD, a BOM is kept.

const fromCharCode = String.fromCharCode;
const applyFunction = Reflect.apply;
const uncurry = (method) => Function.prototype.call.bind(method);
const charCodeAt = uncurry(String.prototype.charCodeAt);

/** Our own encodeInto: UTF-8 of `text` into `view` (which has room for 3 bytes a unit). */
function encodeIntoPortable(text, view) {
  let written = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = charCodeAt(text, i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const next = charCodeAt(text, i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i += 1;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) {
      view[written++] = code;
    } else if (code < 0x800) {
      view[written++] = 0xc0 | (code >> 6);
      view[written++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      view[written++] = 0xe0 | (code >> 12);
      view[written++] = 0x80 | ((code >> 6) & 0x3f);
      view[written++] = 0x80 | (code & 0x3f);
    } else {
      view[written++] = 0xf0 | (code >> 18);
      view[written++] = 0x80 | ((code >> 12) & 0x3f);
      view[written++] = 0x80 | ((code >> 6) & 0x3f);
      view[written++] = 0x80 | (code & 0x3f);
    }
  }
  return { read: length, written };
}

/**
 * Our own decode of UTF-8 from the core (always well formed; anything else becomes U+FFFD), in
 * chunks of code units turned into text at once.
 */
function decodePortable(bytes) {
  let out = '';
  const units = [];
  const length = bytes.length;
  for (let i = 0; i < length;) {
    const byte = bytes[i];
    const need = byte < 0x80 ? 0 : byte >= 0xf0 && byte < 0xf5 ? 3 : byte >= 0xe0 ? 2 : byte >= 0xc2 ? 1 : -1;
    let code = need === 0 ? byte : need === 3 ? byte & 0x07 : need === 2 ? byte & 0x0f : byte & 0x1f;
    let valid = need >= 0 && i + need < length;
    for (let k = 1; valid && k <= need; k++) {
      const next = bytes[i + k];
      valid = (next & 0xc0) === 0x80;
      code = (code << 6) | (next & 0x3f);
    }
    valid &&= need < 2 || (code >= (need === 2 ? 0x800 : 0x10000) && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff));
    if (!valid) {
      units[units.length] = 0xfffd;
      i += 1;
    } else {
      if (code >= 0x10000) {
        units[units.length] = 0xd800 + ((code - 0x10000) >> 10);
        units[units.length] = 0xdc00 + ((code - 0x10000) & 0x3ff);
      } else {
        units[units.length] = code;
      }
      i += need + 1;
    }
    if (units.length >= 4096) {
      out += applyFunction(fromCharCode, undefined, units);
      units.length = 0;
    }
  }
  return out + applyFunction(fromCharCode, undefined, units);
}

// A probe that a working coder turns into exactly these bytes and back: ASCII, two, three and
// four-byte characters, a BOM (kept), and a lone surrogate (U+FFFD).
const PROBE = '\ufeffaé€😀\ud800z';
const PROBE_BYTES = [0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbf, 0xbd, 0x7a];
const PROBE_DECODED = '\ufeffaé€😀\ufffdz';

/** The runtime's encodeInto, bound to an encoder of its own; undefined when it fails the probe. */
function nativeEncodeInto() {
  try {
    const encodeInto = Function.prototype.bind.call(TextEncoder.prototype.encodeInto, new TextEncoder());
    const view = new Uint8Array(PROBE.length * 3);
    const { read, written } = encodeInto(PROBE, view);
    if (read !== PROBE.length || written !== PROBE_BYTES.length) return undefined;
    for (let i = 0; i < view.length; i++) if (view[i] !== (i < written ? PROBE_BYTES[i] : 0)) return undefined;
    return encodeInto;
  } catch {
    return undefined;
  }
}

/** The runtime's decode with the glue's options (BOM kept), bound; undefined when it fails the probe. */
function nativeDecoder() {
  try {
    const Decoder = TextDecoder;
    const decode = TextDecoder.prototype.decode;
    const make = () => Function.prototype.bind.call(decode, new Decoder('utf-8', { ignoreBOM: true }));
    return make()(new Uint8Array(PROBE_BYTES)) === PROBE_DECODED ? make : undefined;
  } catch {
    return undefined;
  }
}

// Safari's TextDecoder fails after about 2 GB decoded: a fresh one is made before that, as the
// glue did.
const MAX_SAFARI_DECODE_BYTES = 2146435072;

function makeTextCoders() {
  const encodeInto = nativeEncodeInto() ?? encodeIntoPortable;
  const makeDecode = nativeDecoder();
  let decode = makeDecode ? makeDecode() : decodePortable;
  let decoded = 0;
  const encoder = Object.freeze({
    __proto__: null,
    encodeInto,
    // The glue calls `encode` only where it has no realloc; it always has one.
    encode(text) {
      const view = new Uint8Array(text.length * 3);
      const { written } = encodeInto(text, view);
      return view.subarray(0, written);
    },
  });
  return Object.freeze({
    __proto__: null,
    encoder,
    native: makeDecode !== undefined && encodeInto !== encodeIntoPortable,
    decode(bytes) {
      decoded += bytes.length;
      if (makeDecode && decoded >= MAX_SAFARI_DECODE_BYTES) {
        decode = makeDecode();
        decoded = bytes.length;
      }
      return decode(bytes);
    },
  });
}

/** What the glue encodes and decodes text with (see above). */
export const textCoders = makeTextCoders();

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

const dateTime = Date.prototype.getTime;

/** What a value that is not a plain object is, as messages name it: a `typeof` name, or the tag of an object (`Array`, `Map`, …). May throw (a revoked proxy). */
function shownType(value) {
  if (value === null) return 'null';
  const type = typeof value;
  if (type !== 'object') return type;
  const tag = typeTag(value);
  return tag === '[object Object]' ? '' : tag.slice(8, -1);
}

// A key too long to be any name crosses cut to this many UTF-16 units: enough for every message
// that shows it (64 characters).
const SHOWN_KEY_UNITS = 128;

/**
 * The entries of a repeat list under `key` (an array of plain objects): `[wire key, value, …]`
 * of each own member of each item (`Tag.1.Key`); an early answer (`#…`) when it holds more than
 * `max` entries; undefined when the array is anything else (empty, or an item that is not a plain
 * object), which then crosses as an array and is refused by its type. Reads run caller code
 * (getters, proxy traps) and may throw: the caller catches.
 */
function listEntries(key, list, max) {
  const length = list.length;
  if (!(length >= 1 && length <= max)) return length > max ? `#more than ${max}` : undefined;
  const out = [];
  for (let n = 1; n <= length; n++) {
    const item = list[n - 1];
    if (item === null || typeof item !== 'object' || Array.isArray(item) || toStringTag.call(item) !== '[object Object]') return undefined;
    const members = Object.keys(item);
    if (out.length / 2 + members.length > max) return `#more than ${max}`;
    for (let m = 0; m < members.length; m++) {
      out[out.length] = `${key}.${n}.${members[m]}`;
      out[out.length] = item[members[m]];
    }
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Reads a caller's object in one pass into one string, so that it crosses into wasm at once:
 * only own enumerable keys, skipping undefined and null values. Never throws. Returns
 * - `*` when reading the object threw (a proxy trap, a revoked proxy);
 * - `!` and what it is (`shownType`) when it is not a plain object;
 * - `#` and the key count when it has more than `max` keys;
 * - `?` and the key whose getter threw;
 * - `>` when the names and values of params (each within `limits.text`) hold more than
 *   `limits.total` UTF-16 units, and so more than that many UTF-8 bytes;
 * - `=` and per entry `<len>:<key><tag><len>:<text>`, lengths in UTF-16 units. Tags: `s` string,
 *   `x` string with a lone surrogate, `l` a string longer than `limits.text` units (its text is
 *   its length: the string itself is never copied, so a huge value never reaches wasm memory),
 *   `n` number (the value goes to `numbers.values`, a
 *   Float64Array, in order, so that no number is ever printed and parsed back), `o` anything
 *   else (its text is its type, `array` for arrays). For a request (`request` true) also `p`, the object under `params` (its text is
 *   its own reading), and `d`, a Date under `timestamp` (its time value goes to `numbers`).
 *   A key longer than `limits.text` is cut to SHOWN_KEY_UNITS: no name is that long.
 *
 * The limits are the Rust crate's (src/limits.rs), handed over with every call. A string's UTF-8
 * form has at least as many bytes as it has UTF-16 units, so what this leaves out is surely over
 * its limit; the Rust side checks the exact bytes of what it receives.
 */
export function readObject(value, max, numbers, request, limits) {
  let keys;
  try {
    const shown = shownType(value);
    if (shown !== '') return `!${shown}`;
    keys = Object.keys(value);
  } catch {
    return '*';
  }
  if (keys.length > max) return `#${keys.length}`;
  const limit = request ? limits.option : limits.value;
  let total = 0;
  let count = 0;
  let packed = '=';
  // One entry: `undefined` when added, else the reading's early answer.
  const add = (key, item) => {
    if (item === undefined || item === null) return undefined;
    if (++count > max) return `#more than ${max}`;
    if (key.length > limit) key = key.slice(0, SHOWN_KEY_UNITS);
    else total += key.length;
    let tag;
    let text;
    const type = typeof item;
    if (type === 'string' && item.length > limit) {
      tag = 'l';
      text = `${item.length}`;
    } else if (type === 'string') {
      tag = wellFormed(item) ? 's' : 'x';
      text = item;
      total += item.length;
    } else if (type === 'number') {
      tag = 'n';
      text = '';
      if (numbers.count >= numbers.values.length) return '*';
      numbers.values[numbers.count++] = item;
    } else if (request && key === 'params' && (type === 'object' || type === 'function')) {
      tag = 'p';
      text = readObject(item, max, numbers, false, limits);
    } else {
      tag = 'o';
      text = type;
      try {
        if (Array.isArray(item)) {
          text = 'array';
        } else if (request && key === 'timestamp' && toStringTag.call(item) === '[object Date]') {
          const time = dateTime.call(item);
          if (numbers.count >= numbers.values.length) return '*';
          tag = 'd';
          numbers.values[numbers.count++] = time;
        }
      } catch {
        // A revoked proxy, or an impostor tagged as a Date: still an object; its problem is its
        // type, not this read.
      }
    }
    // Only params have a total: a request's own options are each within their limit.
    if (!request && total > limits.total) return '>';
    packed += `${key.length}:${key}${tag}${text.length}:${text}`;
    return undefined;
  };
  // Index loops and typed-array writes only: nothing here consults a prototype that a caller
  // could have planted an accessor or an iterator on.
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    let item;
    let list;
    try {
      item = value[key];
      // A repeat list of params (`Tag: [{ Key, Value }, …]`) crosses flattened as the vendor's
      // SDKs send it: `Tag.1.Key`, `Tag.1.Value`, …; the core judges the keys.
      list = !request && Array.isArray(item) ? listEntries(key, item, max) : undefined;
    } catch {
      return `?${key.length > limit ? key.slice(0, SHOWN_KEY_UNITS) : key}`;
    }
    if (typeof list === 'string') return list;
    if (list === undefined) {
      const early = add(key, item);
      if (early !== undefined) return early;
      continue;
    }
    for (let j = 0; j < list.length; j += 2) {
      const early = add(list[j], list[j + 1]);
      if (early !== undefined) return early;
    }
  }
  return packed;
}

// The numbers of the latest reading, fetched one by one by the wasm side: a call that returns an
// f64 costs less than handing a slice of wasm memory over (a typed-array view per call). Its size
// is the core's (`MAX_NUMBERS`), which every reading passes: allocated at the first.
let NUMBERS = new Float64Array(0);

/**
 * `readObject` for the wasm side; its numbers wait in NUMBERS for `takeNumber`. Never throws (`*`
 * when anything did, a string grown past the engine's limit say), so that it can be imported
 * without `catch`.
 *
 * The reading starts with U+00FF, which the Rust side drops. A request's reading holds the
 * secret, and the Rust side zeroes the buffer it arrives in. wasm-bindgen copies ASCII into a
 * first buffer and, at the first other character, moves to a larger one, freeing the first as it
 * is: starting with a non-ASCII character makes that move happen before anything is copied, so no
 * copy of the secret is left behind in freed memory.
 */
export function readPacked(value, maxNumbers, max, optionLimit, valueLimit, totalLimit, request) {
  try {
    if (NUMBERS.length !== maxNumbers) NUMBERS = new Float64Array(maxNumbers);
    const limits = { option: optionLimit, value: valueLimit, total: totalLimit };
    return `\u00ff${readObject(value, max, { values: NUMBERS, count: 0 }, request, limits)}`;
  } catch {
    return '\u00ff*';
  }
}

/** Number `index` of the latest reading (NaN past the end). */
export function takeNumber(index) {
  return index < NUMBERS.length ? NUMBERS[index] : NaN;
}

// Results cross from wasm as one string of NUL-separated fields: one crossing instead of dozens.
// No field can hold a NUL: validation refuses control characters in every value that is echoed,
// and the Rust side checks it again before joining. Known keys (parameter and header names)
// cross as one control character each, a code into a name table: property keys this module already
// holds, so no fresh string has to be made into a key on every call.
//
// Objects get own data properties only. The fast path assigns into a fresh object, which is safe
// while Object.prototype has no property of that name: none of the names a result uses is a
// built-in one, so only code that planted an accessor or a read-only property under one of them
// takes the slow path, Object.fromEntries, which defines properties and runs no setter.

const ObjectPrototype = Object.prototype;
let PARAM_NAMES = [];
let HEADER_NAMES = [];

/** Property keys of the engine's own for NUL-separated names. */
function keyTable(text) {
  const parts = text.split('\0');
  // A prototype-less object runs no setter; Object.keys hands back the engine's own key strings.
  const table = Object.create(null);
  for (let i = 0; i < parts.length; i++) table[parts[i]] = i;
  return Object.keys(table);
}

/** The two name tables, sent once by the wasm side; code `c` names entry `c - 1`. */
export function setNames(params, headers) {
  PARAM_NAMES = keyTable(params);
  HEADER_NAMES = keyTable(headers);
}

function keyOf(names, field) {
  if (field.length !== 1) return field;
  const code = field.charCodeAt(0);
  return code >= 1 && code <= names.length ? names[code - 1] : field;
}

function* entriesOf(names, parts, from, to) {
  for (let i = from; i + 1 < to; i += 2) yield [keyOf(names, parts[i]), parts[i + 1]];
}

function definePairs(names, parts, from, to) {
  return Object.fromEntries(entriesOf(names, parts, from, to));
}

function pairs(names, parts, from, to) {
  const out = {};
  for (let i = from; i + 1 < to; i += 2) {
    const key = keyOf(names, parts[i]);
    if (key in ObjectPrototype) return definePairs(names, parts, from, to);
    out[key] = parts[i + 1];
  }
  return out;
}

/**
 * `method, url, body, canonicalQuery, canonicalRequest, stringToSign, signature, n, n header
 * pairs, param pairs`. `null` when building it threw (only a sabotaged global can make it), so
 * that it never throws.
 */
export function assembleSigned(text) {
  try {
    return assembleSignedUnchecked(text);
  } catch {
    return null;
  }
}

function assembleSignedUnchecked(text) {
  const parts = text.split('\0');
  const paramsFrom = 8 + 2 * Number(parts[7]);
  const headers = pairs(HEADER_NAMES, parts, 8, paramsFrom);
  const params = pairs(PARAM_NAMES, parts, paramsFrom, parts.length);
  // Three fixed shapes (v1 POST with a body, v1 GET, V3 with its canonical request) keep these
  // literals fast.
  if (parts[4] !== '') {
    return {
      method: parts[0], url: parts[1], headers, params,
      canonicalQuery: parts[3], canonicalRequest: parts[4], stringToSign: parts[5], signature: parts[6],
    };
  }
  return parts[2] === ''
    ? {
      method: parts[0], url: parts[1], headers, params,
      canonicalQuery: parts[3], stringToSign: parts[5], signature: parts[6],
    }
    : {
      method: parts[0], url: parts[1], headers, body: parts[2], params,
      canonicalQuery: parts[3], stringToSign: parts[5], signature: parts[6],
    };
}

/** `field, code, message` triples, as an array of plain objects; `null` when building it threw. */
export function assembleProblems(text) {
  try {
    // Array.from over a generator defines each element; nothing is read from a prototype.
    return text === '' ? [] : Array.from(problemsOf(text.split('\0')));
  } catch {
    return null;
  }
}

function* problemsOf(parts) {
  for (let i = 0; i + 2 < parts.length; i += 3) yield { field: parts[i], code: parts[i + 1], message: parts[i + 2] };
}

