// A seeded generator of hostile JavaScript values: wrong types, objects with own `__proto__` keys
// and polluted prototypes, getters that throw, proxies with throwing or lying traps, revoked
// proxies, huge and deeply nested objects, lone surrogates, NUL bytes and 1 MB strings. The same
// seed gives the same sequence of values, so that a failure can be replayed.

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `name` in the environment (decimal or 0x hex), else a fresh random one. */
export function seedFrom(name) {
  const given = process.env[name];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xFFFFFFFF) throw new Error(`${name} must be an integer from 0 to 2^32-1, not ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

const MB = 1 << 20;
// Built once: generating a megabyte per value would dominate the run time.
const HUGE_STRINGS = [
  'x'.repeat(MB),
  '中'.repeat(MB / 3), // 1 MB of UTF-8
  `${'a'.repeat(MB - 1)}\uD800`, // a lone surrogate after a megabyte
  `\0${'b'.repeat(MB)}`,
  'k=v&'.repeat(MB / 4), // a megabyte of form pairs
  '%41'.repeat(MB / 3),
  'RV01'.repeat(MB / 4),
  `https://h/${'p/'.repeat(MB / 2)}a.mp4`,
];

// Strings at and just over the package's limits (src/limits.rs): 16,384 bytes a parameter value,
// 8,192 an option, in UTF-16 units and in UTF-8 bytes (8,193 "é" are 8,193 units but 16,386
// bytes), forms of 256 and 257 parameters, 256 and 257 headers, and a value of 20M characters,
// which must never be copied into wasm.
const form = (count) => Array.from({ length: count }, (_, i) => `k${i}=${i}`).join('&');
const headers = (count) => Array.from({ length: count }, (_, i) => `x-h${i}\0v`).join('\0');
const LIMIT_STRINGS = [
  'x'.repeat(16_384), 'x'.repeat(16_385), 'é'.repeat(8_192), 'é'.repeat(8_193), '😀'.repeat(4_096), `${'😀'.repeat(4_096)}x`,
  'x'.repeat(8_192), 'x'.repeat(8_193), 'é'.repeat(4_097), `https://h/${'p'.repeat(16_370)}.mp4`,
  form(256), form(257), `${form(128)}&&&&${form(129)}`, headers(256), headers(257), 'é'.repeat(20e6),
];

function hugeObject() {
  const object = {};
  for (let i = 0; i < 100_000; i++) object[`k${i}`] = i;
  return object;
}

function deepObject(depth) {
  let object = { CasterId: 'c', SceneId: 's' };
  for (let i = 0; i < depth; i++) object = { CasterId: object, SceneId: 's', nested: object };
  return object;
}

function cyclic() {
  const object = { CasterId: 'c', SceneId: 's' };
  object.self = object;
  object.CasterId = object;
  return object;
}

const HUGE_OBJECTS = [
  hugeObject(),
  deepObject(100_000),
  cyclic(),
  Array.from({ length: 200_000 }, (_, i) => i),
  new Array(2 ** 32 - 1), // sparse: the longest array there is
  Object.assign(new Array(1000), { CasterId: 'c', SceneId: 's' }),
];

// Strings that mean something to the package or to a decoder.
const WORDS = [
  '', ' ', 'StartCasterScene', 'AddCasterVideoResource', 'startCasterScene', 'POST', 'GET', 'get', 'PUT', 'HEAD', 'caster-1',
  'scene-1', 'RV01', 'RV99', 'RV00', 'RV100', 'rv01', 'cn-shanghai', 'CN SHANGHAI', 'https://live.aliyuncs.com',
  'http://127.0.0.1:1/', 'https://u:p@h/', 'javascript:alert(1)', 'rtmp://h/app/s', 'http://h/a.mp4', 'https://h/a.png',
  '2016-02-23T12:46:24Z', '2016-02-30T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '1970-01-01T00:00:00Z',
  '-0001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', 'HMAC-SHA1', '1.0', '2016-11-01', 'JSON', '__proto__', 'constructor',
  'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', 'NaN', 'Infinity', '-1', '0', '2147483647',
  '2147483648', '-2147483649', '1e3', '0x10', '١٢', '%', '%%', '%4', '%G1', '%FF', '%C3%28', '%ED%A0%80', '%F4%90%80%80',
  '%00', 'a+b', '=', '&', '&&', '=&=', 'a=1&a=2', 'Signature=', '\0', 'a\0b', '\uD800', '\uDC00', '\uDC00\uD800', 'a\uD83D',
  '\uFFFD', '\uFEFF', '\u2028', '\u3000', '\u0085', '\x7F', '\t', '\r\n', '😀', '👨‍👩‍👧‍👦', '\u0301', 'İ', 'ß',
];

export const REQUEST_KEYS = ['action', 'params', 'accessKeyId', 'accessKeySecret', 'securityToken', 'regionId', 'endpoint',
  'method', 'timestamp', 'nonce', 'signatureAlgorithm'];
export const PARAM_KEYS = ['CasterId', 'SceneId', 'RegionId', 'ResourceName', 'LocationId', 'LiveStreamUrl', 'VodUrl', 'MaterialId',
  'ImageId', 'ImageUrl', 'BeginOffset', 'EndOffset', 'RepeatNum', 'PtsCallbackInterval', 'FixedDelayDuration', 'casterId',
  'sceneId', 'locationId', 'vodUrl', 'imageId'];
export const CONFIG_KEYS = ['accessKeyId', 'accessKeySecret', 'securityToken', 'credentials', 'regionId', 'endpoint', 'method',
  'timeoutMs', 'maxRetries', 'maxQps', 'fetch', 'signatureAlgorithm'];
export const ERROR_KEYS = ['code', 'message', 'kind', 'field', 'httpStatus', 'requestId', 'recommend', 'retryable', 'cause'];
const JUNK_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'then', 'Signature', 'Timestamp', 'AccessKeyId',
  'Action', 'SignatureNonce', 'SecurityToken', '', ' ', '\0', '\uD800', 'x'.repeat(300), '0', '1', '-1', 'length', 'Extra',
  'CasterID', 'casterid', 'secret', 'accessKeyID'];

const NUMBERS = [0, -0, 1, -1, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53,
  -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e21, 5000, 5001, 1000, 10, 1001, 0.1];

/** Reasons a getter or a trap throws: an Error, or any value at all. */
const THROWN = [() => new Error('boom'), () => new TypeError('type boom'), () => 'a string', () => undefined, () => null,
  () => 42, () => Symbol('thrown'), () => ({ message: 'not an Error' }), () => new RangeError('Maximum call stack size exceeded'),
  () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }];

export class Hostile {
  /** Objects whose reads may run code or change between reads (proxies, accessors). */
  impure = new WeakSet();

  /** @param {() => number} random */
  constructor(random) {
    this.random = random;
  }

  int(n) { return Math.floor(this.random() * n); }

  chance(p) { return this.random() < p; }

  pick(list) { return list[this.int(list.length)]; }

  number() {
    return this.chance(0.6) ? this.pick(NUMBERS) : (this.int(2 ** 16) - 2 ** 15) * (this.chance(0.2) ? 1.25 : 1);
  }

  /** Random UTF-16 code units: any of them, surrogates and controls included. */
  units(length) {
    let out = '';
    for (let i = 0; i < length; i++) {
      const r = this.random();
      out += String.fromCharCode(r < 0.5 ? 0x20 + this.int(0x5F) : r < 0.6 ? this.int(0x20) : r < 0.75 ? 0xD800 + this.int(0x800)
        : this.int(0x10000));
    }
    return out;
  }

  string() {
    const r = this.random();
    if (r < 0.35) return this.pick(WORDS);
    if (r < 0.55) return this.units(this.int(40));
    if (r < 0.7) { // a word with something spliced into it
      const word = this.pick(WORDS);
      const at = this.int(word.length + 1);
      return word.slice(0, at) + this.pick(['\0', '\uD800', '\uDC00', '%', '&', '=', ' ', '\n', '+', '😀']) + word.slice(at);
    }
    if (r < 0.8) return this.pick(WORDS).repeat(1 + this.int(200));
    if (r < 0.84) return this.pick(HUGE_STRINGS);
    if (r < 0.88) return this.pick(LIMIT_STRINGS);
    return `${this.pick(WORDS)}${this.int(1000)}`;
  }

  primitive() {
    const r = this.random();
    if (r < 0.1) return undefined;
    if (r < 0.18) return null;
    if (r < 0.24) return this.chance(0.5);
    if (r < 0.45) return this.number();
    if (r < 0.5) return BigInt(this.int(100)) - 50n;
    if (r < 0.54) return Symbol(this.pick(WORDS));
    return this.string();
  }

  /** A getter that throws (or, sometimes, answers something new on every read). */
  accessor() {
    if (this.chance(0.7)) {
      const make = this.pick(THROWN);
      return { get() { throw make(); }, enumerable: true, configurable: true };
    }
    const values = [this.primitive(), this.primitive(), this.string()];
    let reads = 0;
    return { get() { reads += 1; return values[reads % values.length]; }, enumerable: true, configurable: true };
  }

  /** A proxy over `target`: some trap throws, lies, or everything is forwarded. */
  proxy(target) {
    const make = this.pick(THROWN);
    const trap = this.pick(['ownKeys', 'get', 'getOwnPropertyDescriptor', 'has', 'getPrototypeOf', 'none', 'lyingKeys', 'lyingGet']);
    const handler = {};
    if (trap === 'lyingKeys') {
      // Keys that do not exist, duplicates and symbols (some of these break proxy invariants).
      const keys = [...REQUEST_KEYS.slice(0, this.int(4)), 'CasterId', 'CasterId', Symbol('s')];
      handler.ownKeys = () => keys;
    } else if (trap === 'lyingGet') {
      const values = [this.primitive(), this.string(), 'caster-1'];
      let reads = 0;
      handler.get = () => values[(reads += 1) % values.length];
    } else if (trap !== 'none') {
      handler[trap] = () => { throw make(); };
    }
    const proxy = new Proxy(target, handler);
    this.impure.add(proxy);
    if (this.chance(0.1)) {
      const revocable = Proxy.revocable(target, handler);
      revocable.revoke();
      this.impure.add(revocable.proxy);
      return revocable.proxy;
    }
    return proxy;
  }

  /** An odd object: not a plain object, or a plain one with something wrong about it. */
  special() {
    const r = this.int(30);
    switch (r) {
      case 0: return [];
      case 1: return [this.primitive(), this.string()];
      case 2: return () => {};
      case 3: return Object.assign(function named() {}, { CasterId: 'c', SceneId: 's' });
      case 4: return new Date(this.chance(0.5) ? NaN : this.int(2 ** 40));
      case 5: return new Map([['CasterId', 'c']]);
      case 6: return new Set(['x']);
      case 7: return new Uint8Array(this.int(64));
      case 8: return new ArrayBuffer(8);
      case 9: return new String(this.string()); // eslint-disable-line no-new-wrappers
      case 10: return new Number(this.number()); // eslint-disable-line no-new-wrappers
      case 11: return /CasterId/g;
      case 12: return new Error(this.string());
      case 13: return Promise.resolve(1);
      case 14: return new WeakMap();
      case 15: return this.pick(HUGE_OBJECTS);
      case 16: return { [Symbol.toPrimitive]() { throw new Error('toPrimitive'); }, toString() { throw new Error('toString'); } };
      case 17: return Object.defineProperty({}, Symbol.toStringTag, { get() { throw new Error('toStringTag'); } });
      case 18: return Object.create(null);
      case 19: return Object.freeze({ CasterId: this.string(), SceneId: this.string() });
      case 20: return JSON.parse('{"__proto__": {"accessKeySecret": "polluted", "CasterId": "polluted"}, "CasterId": "c"}');
      case 21: return Object.create({ CasterId: 'inherited', accessKeySecret: 'inherited', action: 'StartCasterScene' });
      case 22: return new (class Holder { constructor() { this.CasterId = 'c'; this.SceneId = 's'; } })();
      case 23: return this.proxy({ CasterId: 'c', SceneId: 's' });
      case 24: return new SharedArrayBuffer(8);
      case 25: return new WeakRef({});
      case 26: return (function args() { return arguments; })(1, 2); // eslint-disable-line prefer-rest-params
      case 27: return new DataView(new ArrayBuffer(4));
      case 28: {
        const object = Object.defineProperty({ SceneId: 's' }, 'CasterId', this.accessor());
        this.impure.add(object);
        return object;
      }
      default: return globalThis;
    }
  }

  /** Any value: a primitive, a special object, or an object of keys from `keys`. */
  value(keys = JUNK_KEYS, depth = 0) {
    const r = this.random();
    if (r < 0.5 || depth > 2) return this.primitive();
    if (r < 0.7) return this.special();
    return this.object(keys, depth + 1);
  }

  /** An object with some of `keys` (and junk keys), each a random value, made hostile at times. */
  object(keys, depth = 0) {
    let object = this.chance(0.1) ? Object.create(null) : {};
    const count = this.int(8);
    for (let i = 0; i < count; i++) this.setKey(object, this.chance(0.85) ? this.pick(keys) : this.pick(JUNK_KEYS), depth);
    return this.disguise(object);
  }

  /** Sets `key` on `object` to a random value, by assignment, as an own `__proto__`, or as a getter. */
  setKey(object, key, depth = 0) {
    const value = this.value(PARAM_KEYS, depth + 1);
    if (this.chance(0.07)) {
      Object.defineProperty(object, key, this.accessor());
      this.impure.add(object);
    } else {
      // defineProperty makes even "__proto__" an own, enumerable data property.
      Object.defineProperty(object, key, { value, enumerable: this.chance(0.95), writable: true, configurable: true });
    }
  }

  /** Sometimes: frozen, given an odd prototype, or wrapped in a proxy. */
  disguise(object) {
    const r = this.random();
    if (r < 0.05) return Object.freeze(object);
    if (r < 0.1) return Object.setPrototypeOf(object, this.pick([null, Array.prototype, Function.prototype, { CasterId: 'proto' }]));
    if (r < 0.18) return this.proxy(object);
    return object;
  }

  /** Whether reading `value` and its own values can run code (a proxy or an accessor anywhere one level down). */
  isPure(value) {
    if (value === null || typeof value !== 'object') return true;
    if (this.impure.has(value)) return false;
    return Object.values(Object.getOwnPropertyDescriptors(value)).every((d) => !d.get && !this.impure.has(d.value));
  }
}

// ---------------------------------------------------------------------------------------------
// Sabotaged globals: the text coders the wasm glue relies on, replaced by a page
// ---------------------------------------------------------------------------------------------

/** Replaces `object[key]` by `value`; returns the undo. */
function replace(object, key, value) {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  Object.defineProperty(object, key, { value, writable: true, configurable: true, enumerable: false });
  return () => {
    if (descriptor) Object.defineProperty(object, key, descriptor);
    else delete object[key];
  };
}

const thrower = (what) => function sabotaged() { throw new Error(`sabotaged ${what}`); };

/**
 * Ways a page can break TextEncoder and TextDecoder, each a function that applies it and returns
 * its undo: every method the glue could call, throwing or answering garbage, and the globals
 * themselves replaced.
 */
export const SABOTAGES = [
  ['TextEncoder.prototype.encodeInto throws', () => replace(TextEncoder.prototype, 'encodeInto', thrower('encodeInto'))],
  ['TextEncoder.prototype.encodeInto writes garbage', () => replace(TextEncoder.prototype, 'encodeInto', (text, view) => {
    const written = Math.min(view.length, text.length);
    view.fill(0xff, 0, written);
    return { read: text.length, written };
  })],
  ['TextEncoder.prototype.encodeInto claims too much', () => replace(TextEncoder.prototype, 'encodeInto', () => ({ read: 1, written: 2 ** 31 }))],
  ['TextEncoder.prototype.encode throws', () => replace(TextEncoder.prototype, 'encode', thrower('encode'))],
  ['TextEncoder.prototype.encode returns garbage', () => replace(TextEncoder.prototype, 'encode', () => new Uint8Array([0xff, 0xfe, 0]))],
  ['TextDecoder.prototype.decode throws', () => replace(TextDecoder.prototype, 'decode', thrower('decode'))],
  ['TextDecoder.prototype.decode returns garbage', () => replace(TextDecoder.prototype, 'decode', () => 'garbage\0\u0001')],
  ['the TextEncoder and TextDecoder globals throw when constructed', () => {
    const undo = [replace(globalThis, 'TextEncoder', thrower('TextEncoder')), replace(globalThis, 'TextDecoder', thrower('TextDecoder'))];
    return () => undo.forEach((f) => f());
  }],
  ['the TextEncoder and TextDecoder globals are impostors', () => {
    class Encoder { encode() { return new Uint8Array(3); } encodeInto() { return { read: 0, written: 0 }; } }
    class Decoder { decode() { return ''; } }
    const undo = [replace(globalThis, 'TextEncoder', Encoder), replace(globalThis, 'TextDecoder', Decoder)];
    return () => undo.forEach((f) => f());
  }],
  ['the TextEncoder and TextDecoder globals are gone', () => {
    const undo = [replace(globalThis, 'TextEncoder', undefined), replace(globalThis, 'TextDecoder', undefined)];
    return () => undo.forEach((f) => f());
  }],
];

/** What a call did, as text to compare: its value as JSON, or its CasterError, or what else it threw. */
export async function outcomeOf(run, CasterError) {
  try {
    return `returned ${JSON.stringify(await run())}`;
  } catch (error) {
    let isCasterError = false;
    try {
      isCasterError = error instanceof CasterError;
    } catch {
      // a revoked proxy thrown
    }
    if (!isCasterError) return `NOT A CasterError: ${Object.prototype.toString.call(error)} ${String(error?.message ?? error).slice(0, 200)}`;
    return `threw ${error.code} (${error.kind}) on ${error.field}: ${error.message}`;
  }
}

/**
 * One call of every exported function of the two Node entries that reaches the wasm core, on
 * fixed input: outcomes that are the same in every process. `entry` is aliyun-caster,
 * `server` aliyun-caster/server.
 */
export function exportCalls(entry, server) {
  const secret = 'Sabotage/Secret+3=tapir';
  const request = {
    action: 'AddCasterVideoResource', accessKeyId: 'LTAIsabotage', accessKeySecret: secret, securityToken: 'CAIS+token/1==',
    timestamp: '2016-02-23T12:46:24Z', nonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    params: { CasterId: 'caster-1', ResourceName: '机位 ★ 😀', LocationId: 'RV02', VodUrl: 'https://h/a.mp4', RepeatNum: -1 },
  };
  const v3 = { ...request, signatureAlgorithm: 'v3' };
  // Signed once, before any sabotage can apply, by the caller of the calls.
  let signedV1;
  let signedV3;
  const sign = () => {
    signedV1 ??= server.signRequest(request);
    signedV3 ??= server.signRequest(v3);
  };
  const headersOf = (signed) => [...Object.entries(signed.headers), ['host', 'live.aliyuncs.com']].flat().join('\0');
  const reply = { status: 200, headers: { get: () => null }, text: async () => '{"RequestId":"r-1","StreamUrl":"rtmp://h/app/s"}' };
  return {
    prepare: sign,
    calls: [
      ['signRequest v1', () => entry.signRequest(request)],
      ['signRequest v3', () => entry.signRequest(v3)],
      ['signRequest refused', () => entry.signRequest({ ...request, params: { ...request.params, LocationId: 'RV00' } })],
      ['signRequest with a lone surrogate', () => entry.signRequest({ ...request, accessKeyId: 'LTAI\uD800' })],
      ['validateParams', () => entry.validateParams(request.action, { ...request.params, ResourceName: '', VodUrl: 'ftp://é' })],
      ['validateParams, an unknown action', () => entry.validateParams('StartCasterScené', {})],
      ['server signRequest', () => server.signRequest(request)],
      ['server validateParams', () => server.validateParams(request.action, request.params)],
      ['parseRequestParams', () => server.parseRequestParams('A=%E6%9C%BA%E4%BD%8D&B=a+b', 'C=%F0%9F%98%80&D=%00')],
      ['parseRequestParams refused', () => server.parseRequestParams('A=1', 'A=2')],
      ['verifySignature', () => server.verifySignature('POST', '', signedV1.body, secret)],
      ['verifySignature, another secret', () => server.verifySignature('POST', '', signedV1.body, 'other')],
      ['verifySignatureV3', () => server.verifySignatureV3('POST', signedV3.url.split('?')[1], headersOf(signedV3), '', secret)],
      ['verifySignatureV3, a body', () => server.verifySignatureV3('POST', '', headersOf(signedV3), new Uint8Array([0xe6, 0x9c, 0xba]), secret)],
      ['parseAuthorization', () => server.parseAuthorization(signedV3.headers.authorization)],
      ['parseAuthorization refused', () => server.parseAuthorization('ACS3-HMAC-SHA256 Credential=é')],
      ['parseTimestamp', () => server.parseTimestamp('2016-02-23T12:46:24Z')],
      ['CasterClient startCasterScene', () => new entry.CasterClient({ accessKeyId: 'LTAIsabotage', accessKeySecret: secret,
        fetch: async () => reply }).startCasterScene({ CasterId: 'caster-1', SceneId: 'scene-1' })],
      ['CasterClient refused', () => new entry.CasterClient({ accessKeyId: 'LTAIsabotage', accessKeySecret: secret,
        fetch: async () => reply }).startCasterScene({ CasterId: 'caster 1', SceneId: 'scene-1' })],
    ],
  };
}
