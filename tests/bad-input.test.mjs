// Contract section 3 (validation before anything is signed) as seen from JavaScript, plus hostile
// JS values at the wasm boundary. Every bad input must come back as a CasterError (signRequest) or
// a problem (validateParams) with the expected code, field and kind; the wasm instance must keep
// working afterwards; and the secret must never appear in an error or in a returned value.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

import { signRequest, validateParams, CasterError, CasterClient } from 'aliyun-caster';

// Distinctive, unreserved characters only, so that it reads the same percent-encoded.
const SECRET = 'Zq9-SECRET-kangaroo-7f3e';
const TOKEN = 'STS.TOKEN-wombat-51c2';
const SECRET_FORMS = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex'), 'kangaroo'];
const TOKEN_FORMS = [TOKEN, 'wombat'];

const TIMESTAMP = '2016-02-23T12:46:24Z';
const NONCE = '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf';
const BASE = { accessKeyId: 'LTAI-test-id', accessKeySecret: SECRET, timestamp: TIMESTAMP, nonce: NONCE };
const START = { CasterId: 'caster-1', SceneId: 'scene-1' };
const ADD = { CasterId: 'caster-1', ResourceName: 'camera 1', LocationId: 'RV01' };
const VOD = { ...ADD, VodUrl: 'http://example.com/v/a.mp4' };
const MAT = { ...ADD, MaterialId: 'material-1' };
const LIVE = { ...ADD, LiveStreamUrl: 'rtmp://example.com/app/stream' };
const IMG_ID = { ...ADD, ImageId: 'image-1' };
const IMG_URL = { ...ADD, ImageUrl: 'https://example.com/a.png' };
const MB = 'x'.repeat(1 << 20);
const INT_MIN = -(2 ** 31);

let errorsChecked = 0;
let resultsChecked = 0;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function assertNoSecret(text, where) {
  for (const form of SECRET_FORMS) assert.ok(!text.includes(form), `the secret (${form}) leaked into ${where}`);
}

function assertNoToken(text, where) {
  for (const form of TOKEN_FORMS) assert.ok(!text.includes(form), `the security token leaked into ${where}`);
}

/** The full checks on a thrown value. */
function checkError(err, expected, label) {
  assert.ok(err instanceof CasterError, `${label}: not a CasterError: ${inspect(err)}`);
  assert.ok(err instanceof Error, `${label}: not an Error`);
  assert.equal(err.name, 'CasterError', label);
  assert.equal(err.retryable, false, label);
  assert.equal(typeof err.message, 'string', label);
  assert.ok(err.message.length > 0, `${label}: empty message`);
  assert.ok(err.message.length < 2000, `${label}: message of ${err.message.length} characters`);
  const got = { code: err.code, field: err.field, kind: err.kind };
  const want = { code: expected.code, field: expected.field, kind: expected.kind ?? 'validation' };
  assert.deepEqual(got, want, `${label}: ${err.message}`);
  if (expected.mentions) {
    for (const m of [].concat(expected.mentions)) assert.ok(err.message.includes(m), `${label}: message ${JSON.stringify(err.message)} does not mention ${m}`);
  }
  for (const [what, text] of [
    ['message', err.message], ['JSON.stringify(err)', JSON.stringify(err)], ['String(err)', String(err)],
    ['err.stack', String(err.stack)], ['inspect(err)', inspect(err, { depth: 10, showHidden: true })],
  ]) {
    assertNoSecret(text, `${label}: ${what}`);
    assertNoToken(text, `${label}: ${what}`);
  }
  errorsChecked += 1;
}

/** signRequest must throw a CasterError with exactly this code, field and kind. */
function expectThrow(request, expected, label = '') {
  let result;
  try {
    result = signRequest(request);
  } catch (err) {
    checkError(err, expected, label);
    return err;
  }
  assert.fail(`${label}: signRequest did not throw; returned ${JSON.stringify(result)?.slice(0, 300)}`);
}

/** validateParams must not throw and must report this problem (among others, possibly). */
function expectProblem(action, params, expected, label = '') {
  let problems;
  try {
    problems = validateParams(action, params);
  } catch (err) {
    assert.fail(`${label}: validateParams threw ${inspect(err)}`);
  }
  checkProblems(problems, label);
  assert.ok(problems.length > 0, `${label}: validateParams found nothing wrong`);
  const found = problems.some((p) => p.code === expected.code && p.field === expected.field);
  assert.ok(found, `${label}: no problem {code: ${expected.code}, field: ${expected.field}} in ${JSON.stringify(problems)}`);
  if (expected.mentions) {
    const p = problems.find((q) => q.code === expected.code && q.field === expected.field);
    for (const m of [].concat(expected.mentions)) assert.ok(p.message.includes(m), `${label}: ${p.message} does not mention ${m}`);
  }
  return problems;
}

function checkProblems(problems, label) {
  assert.ok(Array.isArray(problems), `${label}: validateParams did not return an array`);
  for (const p of problems) {
    assert.deepEqual(Object.keys(p).sort(), ['code', 'field', 'message'], label);
    for (const k of ['code', 'field', 'message']) assert.equal(typeof p[k], 'string', `${label}: ${k}`);
    assert.ok(p.message.length < 2000, `${label}: message of ${p.message.length} characters`);
    assertNoSecret(p.message, label);
  }
}

function catchError(fn) {
  try { fn(); } catch (err) { return err; }
  assert.fail('did not throw');
}

/** A parameter problem: signRequest throws it, and validateParams reports it. */
function expectParamProblem(action, params, expected, label = '') {
  expectThrow({ ...BASE, action, params }, expected, label);
  expectProblem(action, params, expected, label);
}

/** A valid request: signRequest returns, with no secret anywhere in what it returns. */
function sign(request, label = '') {
  let result;
  try {
    result = signRequest(request);
  } catch (err) {
    assert.fail(`${label}: signRequest threw ${err?.code} (${err?.field}): ${err?.message}`);
  }
  const text = JSON.stringify(result);
  assertNoSecret(text, `${label}: signRequest's result`);
  for (const [k, v] of Object.entries(result)) {
    if (typeof v === 'string') assertNoSecret(v, `${label}: result.${k}`);
  }
  resultsChecked += 1;
  return result;
}

function expectValid(action, params, label = '') {
  const problems = validateParams(action, params);
  assert.deepEqual(problems, [], `${label}: validateParams reported ${JSON.stringify(problems)}`);
  return sign({ ...BASE, action, params }, label);
}

/** Percent-encoding of contract section 1, written here from the rules (not from the package). */
function enc(text) {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9\-_.~]$/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Canonical query, string to sign and signature per contract section 1, independently. */
function independentSignature(method, params, secret) {
  const pairs = Object.entries(params).map(([k, v]) => [enc(k), enc(v)]);
  pairs.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  const canonicalQuery = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const stringToSign = `${method}&${enc('/')}&${enc(canonicalQuery)}`;
  const signature = createHmac('sha1', Buffer.from(`${secret}&`, 'utf8')).update(stringToSign, 'utf8').digest('base64');
  return { canonicalQuery, stringToSign, signature };
}

function commonParams(action, extra = {}) {
  return {
    Action: action, Version: '2016-11-01', Format: 'JSON', AccessKeyId: BASE.accessKeyId, SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0', SignatureNonce: NONCE, Timestamp: TIMESTAMP, RegionId: 'cn-shanghai', ...extra,
  };
}

// The known-answer request, signed before and after the hostile table.
const KNOWN_REQUEST = {
  action: 'StartCasterScene',
  params: { CasterId: 'LIVEPRODUCER_POST-cn-0pp1czt5g05', SceneId: 'scene~1*(x)/场' },
  accessKeyId: 'testid', accessKeySecret: SECRET, regionId: 'cn-beijing', method: 'POST',
  timestamp: TIMESTAMP, nonce: NONCE,
};
// Written out by hand from contract section 1: keys in byte order; `*` → %2A, `(` → %28, `)` → %29,
// `/` → %2F, `~` stays, 场 (U+573A) → E5 9C BA, `:` → %3A.
const KNOWN_CANONICAL = 'AccessKeyId=testid&Action=StartCasterScene&CasterId=LIVEPRODUCER_POST-cn-0pp1czt5g05'
  + '&Format=JSON&RegionId=cn-beijing&SceneId=scene~1%2A%28x%29%2F%E5%9C%BA&SignatureMethod=HMAC-SHA1'
  + '&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z'
  + '&Version=2016-11-01';

function checkKnownAnswer(label) {
  // The string to sign built by hand from the rules: the canonical query encoded a second time.
  const stringToSign = `POST&%2F&${KNOWN_CANONICAL.replaceAll('%', '%25').replaceAll('=', '%3D').replaceAll('&', '%26')}`;
  const signature = createHmac('sha1', `${SECRET}&`).update(stringToSign).digest('base64');
  const result = sign(KNOWN_REQUEST, label);
  assert.equal(result.canonicalQuery, KNOWN_CANONICAL, label);
  assert.equal(result.stringToSign, stringToSign, label);
  assert.equal(result.signature, signature, label);
  assert.equal(result.body, `${KNOWN_CANONICAL}&Signature=${encodeURIComponent(signature)}`, label);
  assert.equal(result.params.Signature, signature, label);
  return result;
}

// Signed at module load, before any test (and so before any hostile input) runs.
const KNOWN_BEFORE = checkKnownAnswer('before the table');

// ---------------------------------------------------------------------------------------------
// The JS values of every type
// ---------------------------------------------------------------------------------------------

class Holder {
  constructor(fields) { Object.assign(this, fields); }
  describe() { return 'a method on the prototype is not a field'; }
}

/** Values that are not plain objects: refused as the request and as params. */
const NOT_OBJECTS = [
  ['a number', 42], ['NaN', NaN], ['a string', 'StartCasterScene'], ['an empty string', ''], ['a boolean', true],
  ['false', false], ['a bigint', 10n], ['a symbol', Symbol('x')], ['a function', function named() {}],
  ['an arrow function with own fields', Object.assign(() => {}, START, BASE)], ['a class (constructor)', Holder],
  ['an array', []], ['an array with own fields', Object.assign([], START, BASE)], ['a Map', new Map(Object.entries(START))],
  ['a Set', new Set(['CasterId'])], ['a Date', new Date()], ['an invalid Date', new Date(NaN)], ['a boxed String', new String('x')],
  ['a boxed Number', new Number(1)], ['a RegExp', /CasterId/], ['an Error', new Error('x')], ['a Uint8Array', new Uint8Array(4)],
  ['an ArrayBuffer', new ArrayBuffer(4)], ['a WeakMap', new WeakMap()],
];

describe('the argument of signRequest', () => {
  for (const [name, value] of [['undefined', undefined], ['null', null], ...NOT_OBJECTS]) {
    test(`${name} as the request → InvalidParameter.Malformed on "request"`, () => {
      expectThrow(value, { code: 'InvalidParameter.Malformed', field: 'request' }, name);
    });
  }

  test('no argument at all → InvalidParameter.Malformed on "request"', () => {
    expectThrow(undefined, { code: 'InvalidParameter.Malformed', field: 'request' });
    let err;
    try { signRequest(); } catch (e) { err = e; }
    checkError(err, { code: 'InvalidParameter.Malformed', field: 'request' }, 'signRequest()');
  });

  test('a 1 MB string as the request → InvalidParameter.Malformed on "request", short message', () => {
    expectThrow(MB, { code: 'InvalidParameter.Malformed', field: 'request' });
  });

  test('a class instance, a null-prototype object and a frozen object are accepted as the request', () => {
    const plain = sign({ ...BASE, action: 'StartCasterScene', params: START }, 'plain');
    const instance = sign(new Holder({ ...BASE, action: 'StartCasterScene', params: START }), 'instance');
    const bare = sign(Object.assign(Object.create(null), BASE, { action: 'StartCasterScene', params: START }), 'null proto');
    const frozen = sign(Object.freeze({ ...BASE, action: 'StartCasterScene', params: Object.freeze({ ...START }) }), 'frozen');
    assert.deepEqual(instance, plain);
    assert.deepEqual(bare, plain);
    assert.deepEqual(frozen, plain);
  });
});

describe('the params argument', () => {
  for (const [name, value] of NOT_OBJECTS) {
    test(`${name} as params → InvalidParameter.Malformed on "params"`, () => {
      expectParamProblem('StartCasterScene', value, { code: 'InvalidParameter.Malformed', field: 'params' }, name);
      expectParamProblem('AddCasterVideoResource', value, { code: 'InvalidParameter.Malformed', field: 'params' }, name);
    });
  }

  test('params undefined, null or left out in signRequest: absent, so CasterId is missing', () => {
    for (const request of [{ ...BASE, action: 'StartCasterScene' }, { ...BASE, action: 'StartCasterScene', params: undefined },
      { ...BASE, action: 'StartCasterScene', params: null }]) {
      expectThrow(request, { code: 'MissingParameter', field: 'CasterId' }, JSON.stringify(request.params));
    }
  });

  test('validateParams(action, undefined | null) → InvalidParameter.Malformed on "params"', () => {
    expectProblem('StartCasterScene', undefined, { code: 'InvalidParameter.Malformed', field: 'params' });
    expectProblem('StartCasterScene', null, { code: 'InvalidParameter.Malformed', field: 'params' });
  });

  test('a 1 MB string as params → InvalidParameter.Malformed on "params"', () => {
    expectParamProblem('StartCasterScene', MB, { code: 'InvalidParameter.Malformed', field: 'params' });
  });

  test('a class instance with own enumerable fields is accepted as params, and signs the same', () => {
    const plain = expectValid('StartCasterScene', START, 'plain');
    const instance = expectValid('StartCasterScene', new Holder(START), 'instance');
    assert.deepEqual(instance, plain);
    const add = expectValid('AddCasterVideoResource', new Holder(VOD), 'instance');
    assert.deepEqual(add, expectValid('AddCasterVideoResource', VOD, 'plain'));
  });

  test('a null-prototype object and a frozen object are accepted as params', () => {
    const plain = expectValid('StartCasterScene', START);
    assert.deepEqual(expectValid('StartCasterScene', Object.assign(Object.create(null), START)), plain);
    assert.deepEqual(expectValid('StartCasterScene', Object.freeze({ ...START })), plain);
  });

  test('only own enumerable properties are read (prototype getters, non-enumerable and inherited keys are not)', () => {
    class WithGetter { get CasterId() { return 'from-prototype'; } }
    const onPrototype = Object.assign(new WithGetter(), { SceneId: 's' });
    expectParamProblem('StartCasterScene', onPrototype, { code: 'MissingParameter', field: 'CasterId' }, 'prototype getter');
    const hidden = Object.defineProperty({ SceneId: 's' }, 'CasterId', { value: 'c', enumerable: false });
    expectParamProblem('StartCasterScene', hidden, { code: 'MissingParameter', field: 'CasterId' }, 'non-enumerable');
    const inherited = Object.assign(Object.create({ CasterId: 'inherited', Bogus: 1 }), { SceneId: 's' });
    expectParamProblem('StartCasterScene', inherited, { code: 'MissingParameter', field: 'CasterId' }, 'inherited');
  });
});

describe('validateParams: the action argument', () => {
  for (const [name, value] of [['undefined', undefined], ['null', null],
    ...NOT_OBJECTS.filter(([, v]) => typeof v !== 'string'), ['a plain object', {}], ['a class instance', new Holder({})]]) {
    test(`${name} as the action → InvalidParameter.Malformed on "action"`, () => {
      expectProblem(value, START, { code: 'InvalidParameter.Malformed', field: 'action' }, name);
    });
  }

  for (const name of ['StopCaster', 'startCasterScene', 'StartCasterScene ', '', 'DescribeRegions', MB]) {
    test(`unknown action ${JSON.stringify(name.slice(0, 40))}${name.length > 40 ? '…' : ''} → InvalidAction.NotFound`, () => {
      expectProblem(name, START, { code: 'InvalidAction.NotFound', field: 'action' });
      expectThrow({ ...BASE, action: name, params: START }, { code: 'InvalidAction.NotFound', field: 'action' });
    });
  }

  test('signRequest: a missing action → MissingParameter on "action"; a non-string action → InvalidParameter.Malformed', () => {
    expectThrow({ ...BASE, params: START }, { code: 'MissingParameter', field: 'action' });
    expectThrow({ ...BASE, action: null, params: START }, { code: 'MissingParameter', field: 'action' });
    expectThrow({ ...BASE, action: 1, params: START }, { code: 'InvalidParameter.Malformed', field: 'action' });
    expectThrow({ ...BASE, action: ['StartCasterScene'], params: START }, { code: 'InvalidParameter.Malformed', field: 'action' });
  });

  test('the suggestion for a near-miss action names the real one', () => {
    expectProblem('StartCasterScen', START, { code: 'InvalidAction.NotFound', field: 'action', mentions: 'StartCasterScene' });
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile objects
// ---------------------------------------------------------------------------------------------

describe('hostile objects at the boundary', () => {
  const boom = () => { throw new Error(`getter threw, carrying ${SECRET} and ${TOKEN}`); };

  test('a throwing getter for a known field → InvalidParameter.Malformed on that field', () => {
    const params = Object.defineProperty({ SceneId: 's' }, 'CasterId', { get: boom, enumerable: true });
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'CasterId' });
  });

  test('a throwing getter for an unknown field → InvalidParameter.Malformed on that key', () => {
    const params = Object.defineProperty({ ...START }, 'Bogus', { get: boom, enumerable: true });
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'Bogus' });
  });

  test('a throwing getter on the request (accessKeySecret, params) → a CasterError on that key, nothing leaked', () => {
    const secretGetter = Object.defineProperty({ ...BASE, action: 'StartCasterScene', params: START }, 'accessKeySecret', { get: boom, enumerable: true });
    expectThrow(secretGetter, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret' });
    const paramsGetter = Object.defineProperty({ ...BASE, action: 'StartCasterScene' }, 'params', { get: boom, enumerable: true });
    expectThrow(paramsGetter, { code: 'InvalidParameter.Malformed', field: 'params' });
  });

  test('a Proxy whose ownKeys trap throws → InvalidParameter.Malformed on "params" / "request"', () => {
    const params = new Proxy({ ...START }, { ownKeys: boom });
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'params' });
    const request = new Proxy({ ...BASE, action: 'StartCasterScene', params: START }, { ownKeys: boom });
    expectThrow(request, { code: 'InvalidParameter.Malformed', field: 'request' });
  });

  test('a Proxy whose getOwnPropertyDescriptor trap throws → InvalidParameter.Malformed on "params"', () => {
    const params = new Proxy({ ...START }, { getOwnPropertyDescriptor: boom });
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'params' });
  });

  test('a Proxy whose get trap throws for CasterId → InvalidParameter.Malformed on CasterId', () => {
    const params = new Proxy({ ...START }, {
      get(target, key, receiver) { if (key === 'CasterId') boom(); return Reflect.get(target, key, receiver); },
    });
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'CasterId' });
  });

  test('a Proxy whose get trap throws on every read (Symbol.toStringTag too) → InvalidParameter.Malformed on "params"', () => {
    const params = new Proxy({ ...START }, { get: boom });
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'params' });
    expectThrow(new Proxy({ ...BASE, action: 'StartCasterScene', params: START }, { get: boom }),
      { code: 'InvalidParameter.Malformed', field: 'request' });
  });

  test('a well-behaved Proxy over valid params is accepted', () => {
    assert.deepEqual(expectValid('StartCasterScene', new Proxy({ ...START }, {})), expectValid('StartCasterScene', START));
  });

  test('a revoked Proxy as the request → InvalidParameter.Malformed on "request"', () => {
    const { proxy, revoke } = Proxy.revocable({ ...BASE, action: 'StartCasterScene', params: START }, {});
    revoke();
    expectThrow(proxy, { code: 'InvalidParameter.Malformed', field: 'request' });
  });

  test('a revoked Proxy as validateParams\' action → a problem on "action", not a thrown TypeError', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expectProblem(proxy, START, { code: 'InvalidParameter.Malformed', field: 'action' });
    // The instance must still answer afterwards.
    assert.deepEqual(validateParams('StartCasterScene', START), []);
  });

  test('a revoked Proxy as params → InvalidParameter.Malformed on "params" (signRequest and validateParams alike)', () => {
    const { proxy, revoke } = Proxy.revocable({ ...START }, {});
    revoke();
    expectProblem('StartCasterScene', proxy, { code: 'InvalidParameter.Malformed', field: 'params' });
    expectThrow({ ...BASE, action: 'StartCasterScene', params: proxy }, { code: 'InvalidParameter.Malformed', field: 'params' });
  });

  test('a revoked Proxy as a field value → InvalidParameter.Malformed (on that field or on params)', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const params = { ...START, CasterId: proxy };
    for (const problem of [validateParams('StartCasterScene', params)[0], catchError(() => signRequest({ ...BASE, action: 'StartCasterScene', params }))]) {
      assert.equal(problem.code, 'InvalidParameter.Malformed');
      assert.ok(['CasterId', 'params'].includes(problem.field), problem.field);
    }
  });

  test('more than 64 keys → InvalidParameter.Malformed on "params"', () => {
    const params = { ...START };
    for (let i = 0; i < 100; i += 1) params[`Extra${i}`] = i;
    expectParamProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: 'params' });
  });

  // The numbers of a reading wait in js/boundary.js for the core, in a buffer whose size the
  // core gives (MAX_NUMBERS, src/wasm/convert.rs): a buffer shorter than the core's key limit
  // would fail such a reading whole ("reading params threw") instead of naming each key.
  test('64 keys, every one a number, and a Date: each number reaches the core and each key is named', () => {
    const params = {};
    for (let i = 0; i < 64; i += 1) params[`N${i}`] = i;
    const problems = validateParams('StartCasterScene', params);
    for (let i = 0; i < 64; i += 1) {
      assert.ok(problems.some((p) => p.field === `N${i}` && p.code === 'InvalidParameter.Malformed' && /not a parameter/.test(p.message)), `N${i}`);
    }
    assert.ok(!problems.some((p) => /threw/.test(p.message)), JSON.stringify(problems.filter((p) => /threw/.test(p.message))));
    const error = catchError(() => signRequest({ ...BASE, action: 'StartCasterScene', params, timestamp: new Date(Date.UTC(2026, 0, 2)) }));
    assert.deepEqual([error.code, error.field], ['InvalidParameter.Malformed', 'N0'], error.message);
  });

  test('Object.prototype pollution supplies no missing CasterId, accessKeySecret or action', () => {
    try {
      Object.prototype.CasterId = 'evil'; // eslint-disable-line no-extend-native
      Object.prototype.casterId = 'evil'; // eslint-disable-line no-extend-native
      Object.prototype.accessKeySecret = 'evil'; // eslint-disable-line no-extend-native
      Object.prototype.action = 'StartCasterScene'; // eslint-disable-line no-extend-native
      expectParamProblem('StartCasterScene', { SceneId: 's' }, { code: 'MissingParameter', field: 'CasterId' });
      expectThrow({ accessKeyId: 'id', params: START }, { code: 'MissingParameter', field: 'accessKeySecret', kind: 'config' });
      expectThrow({ ...BASE, params: START }, { code: 'MissingParameter', field: 'action' });
      // With everything given, the polluted keys are not signed either.
      const result = sign({ ...BASE, action: 'StartCasterScene', params: { ...START } });
      assert.equal(result.params.CasterId, 'caster-1');
      assert.deepEqual(Object.keys(result.params).sort(), Object.keys({ ...commonParams('StartCasterScene', START), Signature: 1 }).sort());
    } finally {
      delete Object.prototype.CasterId;
      delete Object.prototype.casterId;
      delete Object.prototype.accessKeySecret;
      delete Object.prototype.action;
    }
    assert.equal({}.CasterId, undefined);
  });

  // Names of properties of what the two functions return. An accessor or a read-only property of
  // the same name on Object.prototype must neither alter the result (values must be own data
  // properties) nor turn into a TypeError (every failure is a CasterError).
  const RESULT_KEYS = ['method', 'url', 'headers', 'body', 'params', 'canonicalQuery', 'stringToSign', 'signature',
    'Signature', 'Timestamp', 'CasterId', 'AccessKeyId', 'SignatureNonce', 'content-type', 'field', 'code', 'message'];
  for (const mode of ['accessor', 'read-only']) {
    test(`an Object.prototype polluted with ${mode} properties named like result keys alters no result`, () => {
      const request = { ...BASE, action: 'StartCasterScene', params: START };
      const clean = signRequest(request);
      const cleanProblems = validateParams('StartCasterScene', { SceneId: 's' });
      const captured = [];
      let outcome;
      let problems;
      try {
        for (const key of RESULT_KEYS) {
          Object.defineProperty(Object.prototype, key, mode === 'accessor'
            ? { get() { return 'evil'; }, set(v) { captured.push(v); }, configurable: true }
            : { value: 'evil', writable: false, configurable: true });
        }
        try { outcome = { result: signRequest(request) }; } catch (err) { outcome = { threw: err }; }
        try { problems = { result: validateParams('StartCasterScene', { SceneId: 's' }) }; } catch (err) { problems = { threw: err }; }
      } finally {
        for (const key of RESULT_KEYS) delete Object.prototype[key];
      }
      assert.equal(outcome.threw, undefined, `signRequest threw ${outcome.threw?.constructor?.name}: ${outcome.threw?.message}`);
      assert.equal(problems.threw, undefined, `validateParams threw ${problems.threw?.constructor?.name}: ${problems.threw?.message}`);
      // Own enumerable data only (after the clean-up, inherited values are gone anyway).
      const own = (obj) => (obj !== null && typeof obj === 'object'
        ? Object.fromEntries(Object.keys(obj).map((k) => [k, obj[k]])) : obj);
      const result = outcome.result;
      assert.deepEqual({ ...own(result), headers: own(result.headers), params: own(result.params) }, clean);
      assert.deepEqual(problems.result.map(own), cleanProblems);
      assert.deepEqual(captured, [], 'a prototype setter received values of the result');
    });
  }
});

describe('hostile values that the generated suite (hostile.test.mjs) found', () => {
  const boom = () => { throw new Error('boom'); };
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();

  test('new CasterError with an init that is not { code, message, kind } throws a CasterError naming what is wrong', () => {
    const cases = [
      [undefined, 'init'], [null, 'init'], ['code', 'init'], [5, 'init'], [Symbol('s'), 'init'], [{}, 'code'],
      [{ code: '', message: 'm', kind: 'api' }, 'code'], [{ code: 5, message: 'm', kind: 'api' }, 'code'],
      [{ code: 'X', kind: 'api' }, 'message'], [{ code: 'X', message: 1n, kind: 'api' }, 'message'],
      [{ code: 'X', message: 'm', kind: 'other' }, 'kind'], [{ code: 'X', message: 'm', kind: 'api', field: {} }, 'field'],
      [{ code: 'X', message: 'm', kind: 'api', httpStatus: 1n }, 'httpStatus'], [{ code: 'X', message: 'm', kind: 'api', retryable: 'yes' }, 'retryable'],
      [{ code: 'X', message: 'm', kind: 'api', recommend: globalThis }, 'recommend'],
      [Object.defineProperty({ message: 'm', kind: 'api' }, 'code', { get: boom, enumerable: true }), 'code'],
      [new Proxy({ code: 'X', message: 'm', kind: 'api' }, { get: boom }), 'code'], [revoked, 'code'],
      // Inherited values are not the init's: a class instance or a polluted prototype supplies none.
      [Object.create({ code: 'X', message: 'm', kind: 'api' }), 'code'],
    ];
    for (const [init, field] of cases) {
      const err = catchError(() => new CasterError(init));
      checkError(err, { code: 'InvalidParameter.Malformed', field }, inspect(init, { depth: 0 }));
    }
  });

  test('new CasterError with a valid init: own, enumerable fields, as before', () => {
    const err = new CasterError({ code: 'Throttling.User', message: 'slow down', kind: 'api', httpStatus: 429, requestId: 'r', retryable: true, field: null, cause: 'c' });
    assert.deepEqual({ ...err }, { code: 'Throttling.User', kind: 'api', httpStatus: 429, requestId: 'r', retryable: true });
    assert.equal(err.message, 'slow down');
    assert.equal(err.cause, 'c');
    assert.deepEqual(err.toJSON(), { name: 'CasterError', code: 'Throttling.User', kind: 'api', message: 'slow down', field: undefined,
      httpStatus: 429, requestId: 'r', recommend: undefined, serverCode: undefined, retryable: true });
    assert.equal(new CasterError({ code: 'X', message: '', kind: 'config' }).retryable, false);
  });

  test('accessors planted on Object.prototype and Array.prototype (code, field, message, "0", "1", get, value) change no result or error', () => {
    const names = ['code', 'field', 'message', 'kind', '0', '1', '2', 'get', 'set', 'value'];
    const request = { ...BASE, action: 'AddCasterVideoResource', params: { ...VOD, BeginOffset: 5, RepeatNum: 2 } };
    const bad = { ...BASE, action: 'AddCasterVideoResource', params: { ...VOD, LocationId: 'RV00', RepeatNum: 1.5 } };
    const outcome = (fn) => {
      try {
        return { result: JSON.stringify(fn()) };
      } catch (err) {
        return { threw: err instanceof CasterError ? [err.code, Object.getOwnPropertyDescriptor(err, 'field')?.value] : String(err) };
      }
    };
    const runs = () => [outcome(() => signRequest(request)), outcome(() => signRequest(bad)), outcome(() => validateParams(bad.action, bad.params)),
      outcome(() => signRequest('not an object'))];
    const clean = runs();
    let polluted;
    try {
      for (const name of names) {
        for (const proto of [Object.prototype, Array.prototype]) {
          Object.defineProperty(proto, name, { __proto__: null, get: boom, set: boom, configurable: true });
        }
      }
      polluted = runs();
    } finally {
      for (const name of names) {
        delete Object.prototype[name];
        delete Array.prototype[name];
      }
    }
    assert.deepEqual(polluted, clean);
    assert.deepEqual(clean[1].threw, ['InvalidParameter.Malformed', 'RepeatNum']);
  });

  test('CasterClient with maxQps a revoked proxy, or a proxy whose traps throw → a config CasterError on maxQps (HOSTILE_SEED=192069923)', () => {
    const throwing = new Proxy({}, { ownKeys: boom, getPrototypeOf: boom, get: boom });
    for (const maxQps of [revoked, throwing]) {
      const err = catchError(() => new CasterClient({ accessKeyId: 'LTAIkey', accessKeySecret: 'secret-x', maxQps }));
      checkError(err, { code: 'InvalidParameter.Malformed', kind: 'config', field: 'maxQps' }, inspect(maxQps, { depth: 0 }));
    }
  });

  test('a 1 MB Symbol.toStringTag as params or request → a short message', () => {
    const tagged = { [Symbol.toStringTag]: MB, CasterId: 'c' };
    for (const err of [catchError(() => signRequest(tagged)), catchError(() => signRequest({ ...BASE, action: 'StartCasterScene', params: tagged }))]) {
      assert.equal(err.code, 'InvalidParameter.Malformed');
      assert.ok(err.message.length < 200, `a message of ${err.message.length} characters`);
    }
    const [problem] = validateParams('StartCasterScene', tagged);
    assert.ok(problem.message.length < 200, `a problem message of ${problem.message.length} characters`);
  });
});

// ---------------------------------------------------------------------------------------------
// Strings: size, surrogates, U+FFFD, NUL
// ---------------------------------------------------------------------------------------------

describe('strings: 1 MB, lone surrogates, U+FFFD, NUL', () => {
  test('a 1 MB CasterId → InvalidCasterId.Malformed (over 128 bytes), short message', () => {
    expectParamProblem('StartCasterScene', { ...START, CasterId: MB }, { code: 'InvalidCasterId.Malformed', field: 'CasterId' });
  });

  test('a 1 MB unknown key → InvalidParameter.Malformed, the field and message stay short', () => {
    const err = expectThrow({ ...BASE, action: 'StartCasterScene', params: { ...START, [MB]: 1 } },
      { code: 'InvalidParameter.Malformed', field: 'x'.repeat(64) });
    assert.ok(err.message.length < 500);
  });

  test('1 MB accessKeySecret / accessKeyId / securityToken / nonce / endpoint → refused', () => {
    const req = { ...BASE, action: 'StartCasterScene', params: START };
    expectThrow({ ...req, accessKeySecret: `${SECRET}${MB}` }, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret', kind: 'config' });
    expectThrow({ ...req, accessKeyId: MB }, { code: 'InvalidParameter.Malformed', field: 'accessKeyId', kind: 'config' });
    expectThrow({ ...req, securityToken: `${TOKEN}${MB}` }, { code: 'InvalidParameter.Malformed', field: 'securityToken', kind: 'config' });
    expectThrow({ ...req, nonce: MB }, { code: 'InvalidParameter.Malformed', field: 'nonce' });
  });

  const LONE = [['a lone high surrogate', '\uD800'], ['a lone low surrogate', '\uDC00'], ['a reversed pair', '\uDC00\uD83D'],
    ['a high surrogate at the end', 'abc\uD83D'], ['a lone surrogate next to a literal U+FFFD', '\uFFFD\uDFFF']];
  for (const [name, s] of LONE) {
    test(`${name} in a field → InvalidParameter.Malformed on that field`, () => {
      expectParamProblem('StartCasterScene', { ...START, CasterId: `id${s}` }, { code: 'InvalidParameter.Malformed', field: 'CasterId' });
      expectParamProblem('AddCasterVideoResource', { ...VOD, ResourceName: `name ${s} x` }, { code: 'InvalidParameter.Malformed', field: 'ResourceName' });
      expectParamProblem('AddCasterVideoResource', { ...ADD, VodUrl: `http://h/${s}.mp4` }, { code: 'InvalidParameter.Malformed', field: 'VodUrl' });
      expectParamProblem('AddCasterVideoResource', { ...VOD, BeginOffset: `1${s}` }, { code: 'InvalidParameter.Malformed', field: 'BeginOffset' });
    });
    test(`${name} in accessKeyId, accessKeySecret, securityToken → config error; in nonce → validation`, () => {
      const req = { ...BASE, action: 'StartCasterScene', params: START };
      expectThrow({ ...req, accessKeyId: `LTAI${s}` }, { code: 'InvalidParameter.Malformed', field: 'accessKeyId', kind: 'config' });
      expectThrow({ ...req, accessKeySecret: `${SECRET}${s}` }, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret', kind: 'config' });
      expectThrow({ ...req, accessKeySecret: `${s}${SECRET}` }, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret', kind: 'config' });
      expectThrow({ ...req, securityToken: `${TOKEN}${s}` }, { code: 'InvalidParameter.Malformed', field: 'securityToken', kind: 'config' });
      expectThrow({ ...req, nonce: `n${s}` }, { code: 'InvalidParameter.Malformed', field: 'nonce' });
    });
  }

  test('a correctly paired surrogate (emoji) is accepted in fields and credentials, signed as its UTF-8 bytes', () => {
    const secret = `${SECRET}😀`;
    const params = { ...START, CasterId: '😀🦀', SceneId: '👨‍👩‍👧‍👦' };
    const result = sign({ ...BASE, accessKeyId: 'id🇯🇵', accessKeySecret: secret, action: 'StartCasterScene', params });
    assert.ok(result.canonicalQuery.includes('CasterId=%F0%9F%98%80%F0%9F%A6%80&'));
    assert.ok(result.canonicalQuery.includes('AccessKeyId=id%F0%9F%87%AF%F0%9F%87%B5&'));
    const expected = independentSignature('POST', commonParams('StartCasterScene', { ...params, AccessKeyId: 'id🇯🇵' }), secret);
    assert.deepEqual([result.canonicalQuery, result.stringToSign, result.signature],
      [expected.canonicalQuery, expected.stringToSign, expected.signature]);
    assert.equal(result.params.SceneId, '👨‍👩‍👧‍👦');
  });

  test('a literal U+FFFD is accepted and signed as %EF%BF%BD (in a field and in the secret)', () => {
    const secret = `${SECRET}\uFFFD`;
    const params = { CasterId: '\uFFFD', SceneId: 'a\uFFFDb' };
    const result = sign({ ...BASE, accessKeySecret: secret, action: 'StartCasterScene', params });
    assert.ok(result.canonicalQuery.includes('&CasterId=%EF%BF%BD&'), result.canonicalQuery);
    assert.ok(result.canonicalQuery.includes('&SceneId=a%EF%BF%BDb&'), result.canonicalQuery);
    assert.equal(result.params.CasterId, '\uFFFD');
    const expected = independentSignature('POST', commonParams('StartCasterScene', params), secret);
    assert.equal(result.signature, expected.signature);
    assert.deepEqual(validateParams('StartCasterScene', params), []);
  });

  const NUL_FIELDS = [
    ['CasterId', 'StartCasterScene', { ...START, CasterId: 'a\0b' }, 'InvalidCasterId.Malformed'],
    ['SceneId', 'StartCasterScene', { ...START, SceneId: '\0' }, 'InvalidSceneId.Malformed'],
    ['MaterialId', 'AddCasterVideoResource', { ...ADD, MaterialId: 'm\0' }, 'InvalidMaterialId.Malformed'],
    ['ResourceName', 'AddCasterVideoResource', { ...VOD, ResourceName: 'cam\0era' }, 'InvalidParameter.Malformed'],
    ['LiveStreamUrl', 'AddCasterVideoResource', { ...ADD, LiveStreamUrl: 'rtmp://h/app/\0' }, 'InvalidLiveStreamUrl.Malformed'],
    ['VodUrl', 'AddCasterVideoResource', { ...ADD, VodUrl: 'http://h/\0a.mp4' }, 'InvalidVodUrl.Malformed'],
    ['ImageUrl', 'AddCasterVideoResource', { ...ADD, ImageUrl: 'http://h/\0a.png' }, 'InvalidParameter.Malformed'],
  ];
  for (const [field, action, params, code] of NUL_FIELDS) {
    test(`a NUL byte in ${field} → ${code}`, () => expectParamProblem(action, params, { code, field }));
  }

  test('a NUL byte in accessKeyId, accessKeySecret, securityToken → config errors; in a key → unknown field', () => {
    const req = { ...BASE, action: 'StartCasterScene', params: START };
    expectThrow({ ...req, accessKeyId: 'LTAI\0' }, { code: 'InvalidParameter.Malformed', field: 'accessKeyId', kind: 'config' });
    expectThrow({ ...req, accessKeySecret: `${SECRET}\0` }, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret', kind: 'config' });
    expectThrow({ ...req, securityToken: `${TOKEN}\0` }, { code: 'InvalidParameter.Malformed', field: 'securityToken', kind: 'config' });
  });

  test('a NUL byte in an unknown key → InvalidParameter.Malformed suggesting CasterId, from both functions', () => {
    const params = { SceneId: 's', 'Caster\0Id': 'c' };
    let err;
    try { signRequest({ ...BASE, action: 'StartCasterScene', params }); } catch (e) { err = e; }
    checkError(err, { code: 'InvalidParameter.Malformed', field: err?.field, mentions: '"CasterId"' }, 'signRequest');
    assert.ok(err.field.startsWith('Caster'), err.field);
    // validateParams must report the same problem, not throw.
    expectProblem('StartCasterScene', params, { code: 'InvalidParameter.Malformed', field: err.field, mentions: '"CasterId"' });
  });
});

// ---------------------------------------------------------------------------------------------
// Contract section 3, rule by rule
// ---------------------------------------------------------------------------------------------

describe('contract §3: missing fields and sources', () => {
  test('missing required fields → MissingParameter on each', () => {
    expectParamProblem('StartCasterScene', { SceneId: 's' }, { code: 'MissingParameter', field: 'CasterId' });
    expectParamProblem('StartCasterScene', { CasterId: 'c' }, { code: 'MissingParameter', field: 'SceneId' });
    const { CasterId, ResourceName, LocationId, ...rest } = VOD; // eslint-disable-line no-unused-vars
    expectParamProblem('AddCasterVideoResource', { ...rest, ResourceName, LocationId }, { code: 'MissingParameter', field: 'CasterId' });
    expectParamProblem('AddCasterVideoResource', { ...rest, CasterId, LocationId }, { code: 'MissingParameter', field: 'ResourceName' });
    expectParamProblem('AddCasterVideoResource', { ...rest, CasterId, ResourceName }, { code: 'MissingParameter', field: 'LocationId' });
  });

  test('validateParams reports every missing field of an empty object', () => {
    const problems = validateParams('AddCasterVideoResource', {});
    checkProblems(problems, 'empty');
    const missing = problems.filter((p) => p.code === 'MissingParameter').map((p) => p.field);
    for (const f of ['CasterId', 'ResourceName', 'LocationId']) assert.ok(missing.includes(f), `${f} not reported: ${JSON.stringify(problems)}`);
    assert.deepEqual(validateParams('StartCasterScene', {}).map((p) => [p.code, p.field]),
      [['MissingParameter', 'CasterId'], ['MissingParameter', 'SceneId']]);
  });

  test('no source → MissingParameter naming all five sources', () => {
    const five = ['LiveStreamUrl', 'MaterialId', 'VodUrl', 'ImageId', 'ImageUrl'];
    for (const params of [ADD, { ...ADD, VodUrl: undefined, ImageId: null }]) {
      let err;
      try { signRequest({ ...BASE, action: 'AddCasterVideoResource', params }); } catch (e) { err = e; }
      assert.ok(err instanceof CasterError);
      assert.equal(err.code, 'MissingParameter');
      assert.equal(err.kind, 'validation');
      for (const name of five) {
        assert.ok(err.message.includes(name), `message does not name ${name}: ${err.message}`);
        assert.ok(err.field.includes(name), `field does not name ${name}: ${err.field}`);
      }
      const problem = validateParams('AddCasterVideoResource', params).find((p) => p.code === 'MissingParameter');
      assert.equal(problem.field, err.field);
      for (const name of five) assert.ok(problem.message.includes(name));
    }
  });

  test('two or more sources → InvalidParameter.Malformed', () => {
    const sources = { LiveStreamUrl: LIVE.LiveStreamUrl, MaterialId: 'm', VodUrl: VOD.VodUrl, ImageId: 'i', ImageUrl: IMG_URL.ImageUrl };
    const names = Object.keys(sources);
    for (let i = 0; i < names.length; i += 1) {
      for (let j = i + 1; j < names.length; j += 1) {
        const params = { ...ADD, [names[i]]: sources[names[i]], [names[j]]: sources[names[j]] };
        const err = expectThrow({ ...BASE, action: 'AddCasterVideoResource', params },
          { code: 'InvalidParameter.Malformed', field: `${names[i]}|${names[j]}` }, `${names[i]} + ${names[j]}`);
        assert.ok(err.message.includes(names[i]) && err.message.includes(names[j]));
      }
    }
    const all = { ...ADD, ...sources };
    const err = expectThrow({ ...BASE, action: 'AddCasterVideoResource', params: all },
      { code: 'InvalidParameter.Malformed', field: names.join('|') });
    assert.ok(names.every((n) => err.message.includes(n)));
  });
});

describe('contract §3: IDs', () => {
  const ID_FIELDS = [
    ['CasterId', 'StartCasterScene', START, 'InvalidCasterId.Malformed'],
    ['SceneId', 'StartCasterScene', START, 'InvalidSceneId.Malformed'],
    ['CasterId', 'AddCasterVideoResource', VOD, 'InvalidCasterId.Malformed'],
    ['MaterialId', 'AddCasterVideoResource', ADD, 'InvalidMaterialId.Malformed'],
  ];
  const BAD_IDS = [
    ['empty', ''], ['a space', 'a b'], ['only a space', ' '], ['a tab', 'a\tb'], ['a newline', 'ab\n'], ['a CR', '\rab'],
    ['U+3000 ideographic space', 'a\u3000b'], ['U+00A0 no-break space', 'a\u00A0b'], ['U+2028 line separator', 'a\u2028b'],
    ['U+2003 em space', '\u2003'], ['DEL', 'a\u007F'], ['U+0085 (C1 control)', 'a\u0085b'], ['ESC', '\u001Bab'],
    ['129 ASCII bytes', 'x'.repeat(129)], ['129 bytes of CJK and ASCII', `${'中'.repeat(42)}abc`],
    ['130 bytes of emoji', '😀'.repeat(32) + 'ab'], ['1 MB', MB],
  ];
  const GOOD_IDS = [['128 ASCII bytes', 'x'.repeat(128)], ['128 bytes of CJK and ASCII', `${'中'.repeat(42)}ab`],
    ['128 bytes of emoji', '😀'.repeat(32)], ['reserved characters', '!"#$%&\'()*+,/:;<=>?@[\\]^`{|}~'], ['one byte', '~']];

  for (const [field, action, base, code] of ID_FIELDS) {
    for (const [name, value] of BAD_IDS) {
      test(`${action} ${field} with ${name} → ${code}`, () => {
        expectParamProblem(action, { ...base, [field]: value }, { code, field });
      });
    }
    test(`${action} ${field}: ${GOOD_IDS.map(([n]) => n).join(', ')} are accepted and signed as given`, () => {
      for (const [name, value] of GOOD_IDS) {
        const result = expectValid(action, { ...base, [field]: value }, name);
        assert.equal(result.params[field], value, name);
        assert.ok(result.canonicalQuery.includes(`&${field}=${enc(value)}&`), name);
      }
    });
  }

  test('ImageId follows the ID rules too (InvalidParameter.Malformed: the contract names no code for it)', () => {
    expectParamProblem('AddCasterVideoResource', { ...ADD, ImageId: '' }, { code: 'InvalidParameter.Malformed', field: 'ImageId' });
    expectParamProblem('AddCasterVideoResource', { ...ADD, ImageId: 'a b' }, { code: 'InvalidParameter.Malformed', field: 'ImageId' });
    expectParamProblem('AddCasterVideoResource', { ...ADD, ImageId: 'x'.repeat(129) }, { code: 'InvalidParameter.Malformed', field: 'ImageId' });
  });

  test('ResourceName: free text with spaces is accepted; empty or control characters are refused', () => {
    const result = expectValid('AddCasterVideoResource', { ...VOD, ResourceName: ' Camera 1 · 机位 #2 & "main" 😀\u3000' });
    assert.equal(result.params.ResourceName, ' Camera 1 · 机位 #2 & "main" 😀\u3000');
    expectParamProblem('AddCasterVideoResource', { ...VOD, ResourceName: '' }, { code: 'InvalidParameter.Malformed', field: 'ResourceName' });
    expectParamProblem('AddCasterVideoResource', { ...VOD, ResourceName: 'a\nb' }, { code: 'InvalidParameter.Malformed', field: 'ResourceName' });
    expectParamProblem('AddCasterVideoResource', { ...VOD, ResourceName: 'a\u0007' }, { code: 'InvalidParameter.Malformed', field: 'ResourceName' });
  });
});

describe('contract §3: LocationId and URLs', () => {
  for (const bad of ['RV00', 'RV100', 'rv01', 'Rv01', 'RV1', 'RV 1', 'RV01 ', ' RV01', '', 'XRV01', 'RV٠١', 'RVab', 'R V01']) {
    test(`LocationId ${JSON.stringify(bad)} → UnexpectedLocationID`, () => {
      expectParamProblem('AddCasterVideoResource', { ...VOD, LocationId: bad }, { code: 'UnexpectedLocationID', field: 'LocationId' });
    });
  }

  test('LocationId RV01, RV09, RV10, RV99 are accepted', () => {
    for (const good of ['RV01', 'RV09', 'RV10', 'RV99']) expectValid('AddCasterVideoResource', { ...VOD, LocationId: good }, good);
  });

  const BAD_LIVE = ['example.com/live/stream', '//example.com/live', 'ftp://example.com/live', 'rtsp://example.com/live',
    'file:///etc/passwd', 'rtmp:///app/stream', 'rtmp://', 'rtmp:/example.com/app', 'rtmp://:1935/app', 'rtmp://h:99999/app',
    'rtmp://h:port/app', 'rtmp://exa mple.com/app', 'rtmp://h/app stream', 'rtmp://h/app\tx', 'rtmp://h/app\n', '', ' ',
    'javascript:alert(1)', 'rtmp', 'http//h/x'];
  for (const bad of BAD_LIVE) {
    test(`LiveStreamUrl ${JSON.stringify(bad)} → InvalidLiveStreamUrl.Malformed`, () => {
      expectParamProblem('AddCasterVideoResource', { ...ADD, LiveStreamUrl: bad }, { code: 'InvalidLiveStreamUrl.Malformed', field: 'LiveStreamUrl' });
    });
  }

  test('LiveStreamUrl with each of the six schemes, ports, queries, reserved chars and Unicode is accepted', () => {
    for (const good of ['rtmp://h/app/s', 'rtmps://h:443/app/s', 'http://h/live/s.flv', 'https://h/live/s.m3u8?auth_key=1-0-0-abc',
      'artc://h/app/s', 'srt://h:9000?streamid=#!::r=live/s,m=request', 'rtmp://192.168.0.1:1935/app/流?a=(b)&c=*~',
      'rtmp://[2001:db8::1]:1935/app/s', 'rtmp://u:p@h/app/s']) {
      const result = expectValid('AddCasterVideoResource', { ...ADD, LiveStreamUrl: good }, good);
      assert.equal(result.params.LiveStreamUrl, good);
    }
  });

  const BAD_VOD = ['http://h/a.avi', 'http://h/a.mkv', 'http://h/a.mp4/', 'http://h/a.mp4.txt', 'http://h/a.avi?x=.mp4',
    'ftp://h/a.mp4', 'rtmp://h/a.flv', 'file:///a.mp4', 'h/a.mp4', '//h/a.mp4', 'http:///a.mp4', 'http://h/a b.mp4',
    'http://h/a.mp4 ', 'http://h/a.m p4', '', 'a.mp4', 'http://h/amp4'];
  for (const bad of BAD_VOD) {
    test(`VodUrl ${JSON.stringify(bad)} → InvalidVodUrl.Malformed`, () => {
      expectParamProblem('AddCasterVideoResource', { ...ADD, VodUrl: bad }, { code: 'InvalidVodUrl.Malformed', field: 'VodUrl' });
    });
  }

  test('VodUrl: http(s) .mp4/.flv/.ts in any case, with a query, is accepted', () => {
    for (const good of ['http://h/a.mp4', 'https://h/v/a.flv', 'http://h/a.ts', 'HTTP://H/A.MP4', 'https://h/a.Mp4', 'http://h/a.FLV',
      'http://h/a.tS', 'http://h:8080/a.mp4?x=.avi&sig=a/b+c==', 'https://h/视频/片段(1).mp4?t=1', 'http://h/a.ts?']) {
      expectValid('AddCasterVideoResource', { ...ADD, VodUrl: good }, good);
    }
  });

  const BAD_IMG = ['http://h/a.gif', 'http://h/a.webp', 'http://h/a.png.exe', 'http://h/a.bmp?x=.png', 'ftp://h/a.png',
    'rtmp://h/a.jpg', 'h/a.jpg', 'http://h/a b.jpg', '', 'http://h/'];
  for (const bad of BAD_IMG) {
    test(`ImageUrl ${JSON.stringify(bad)} → InvalidParameter.Malformed`, () => {
      expectParamProblem('AddCasterVideoResource', { ...ADD, ImageUrl: bad }, { code: 'InvalidParameter.Malformed', field: 'ImageUrl' });
    });
  }

  test('ImageUrl: http(s) .jpg/.jpeg/.png, with a query, is accepted', () => {
    for (const good of ['http://h/a.jpg', 'https://h/a.jpeg', 'http://h/i/a.png', 'https://h/a.png?x-oss-process=image/resize,w_100']) {
      expectValid('AddCasterVideoResource', { ...ADD, ImageUrl: good }, good);
    }
  });
});

describe('contract §3: integers', () => {
  const FILE_ONLY = ['BeginOffset', 'EndOffset', 'RepeatNum'];
  for (const [sourceName, base] of [['LiveStreamUrl', LIVE], ['ImageId', IMG_ID], ['ImageUrl', IMG_URL]]) {
    for (const field of FILE_ONLY) {
      test(`${field} with a ${sourceName} source → InvalidParameter.Malformed`, () => {
        const value = field === 'EndOffset' ? -1 : 0;
        expectParamProblem('AddCasterVideoResource', { ...base, [field]: value }, { code: 'InvalidParameter.Malformed', field });
      });
    }
  }

  test('BeginOffset/EndOffset/RepeatNum with VodUrl or MaterialId are accepted and signed as decimal', () => {
    for (const base of [VOD, MAT]) {
      const result = expectValid('AddCasterVideoResource', { ...base, BeginOffset: 1000, EndOffset: 5000, RepeatNum: -1 });
      assert.deepEqual([result.params.BeginOffset, result.params.EndOffset, result.params.RepeatNum], ['1000', '5000', '-1']);
    }
  });

  test('PtsCallbackInterval and FixedDelayDuration are accepted with every source', () => {
    for (const base of [VOD, MAT, LIVE, IMG_ID, IMG_URL]) {
      const result = expectValid('AddCasterVideoResource', { ...base, PtsCallbackInterval: 1000, FixedDelayDuration: 5000 });
      assert.deepEqual([result.params.PtsCallbackInterval, result.params.FixedDelayDuration], ['1000', '5000']);
    }
  });

  test('undefined / null file-only fields with a non-file source are absent, so accepted', () => {
    const result = expectValid('AddCasterVideoResource', { ...LIVE, BeginOffset: undefined, EndOffset: null, RepeatNum: undefined });
    assert.equal('BeginOffset' in result.params, false);
    assert.equal('EndOffset' in result.params, false);
  });

  const RANGE = [
    ['BeginOffset', -1], ['BeginOffset', INT_MIN], ['RepeatNum', -2], ['RepeatNum', INT_MIN], ['FixedDelayDuration', -1],
    ['FixedDelayDuration', 5001], ['FixedDelayDuration', 2 ** 31 - 1], ['PtsCallbackInterval', -1],
  ];
  for (const [field, value] of RANGE) {
    test(`${field} = ${value} (out of range) → InvalidParameter.Malformed`, () => {
      expectParamProblem('AddCasterVideoResource', { ...VOD, [field]: value }, { code: 'InvalidParameter.Malformed', field });
      expectParamProblem('AddCasterVideoResource', { ...VOD, [field]: String(value) }, { code: 'InvalidParameter.Malformed', field });
    });
  }

  test('range edges are accepted: BeginOffset 0 and 2^31-1, RepeatNum -1, FixedDelayDuration 0 and 5000, EndOffset -2^31', () => {
    for (const [field, value] of [['BeginOffset', 0], ['BeginOffset', 2 ** 31 - 1], ['RepeatNum', -1], ['RepeatNum', 0],
      ['FixedDelayDuration', 0], ['FixedDelayDuration', 5000], ['PtsCallbackInterval', 0], ['PtsCallbackInterval', 2 ** 31 - 1],
      ['EndOffset', -(2 ** 31)], ['EndOffset', 2 ** 31 - 1]]) {
      const result = expectValid('AddCasterVideoResource', { ...VOD, [field]: value }, `${field}=${value}`);
      assert.equal(result.params[field], String(value));
    }
  });

  test('a positive EndOffset not after BeginOffset → InvalidParameter.Malformed on EndOffset', () => {
    for (const [begin, end] of [[100, 100], [100, 50], [100, 1], ['100', '100'], [2 ** 31 - 1, 2 ** 31 - 1]]) {
      expectParamProblem('AddCasterVideoResource', { ...VOD, BeginOffset: begin, EndOffset: end },
        { code: 'InvalidParameter.Malformed', field: 'EndOffset' }, `${begin}..${end}`);
    }
    expectParamProblem('AddCasterVideoResource', { ...MAT, BeginOffset: 10, EndOffset: 10 }, { code: 'InvalidParameter.Malformed', field: 'EndOffset' });
  });

  test('a positive EndOffset after BeginOffset, or any negative EndOffset, is accepted', () => {
    for (const [begin, end] of [[100, 101], [100, -5], [undefined, 1], [0, 1], [2 ** 31 - 1, -1]]) {
      expectValid('AddCasterVideoResource', { ...VOD, BeginOffset: begin, EndOffset: end }, `${begin}..${end}`);
    }
  });

  const WRONG = [
    ['the string "abc"', 'abc'], ['1.5', 1.5], ['-0.5', -0.5], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
    ['2**31', 2 ** 31], ['-(2**31)-1', -(2 ** 31) - 1], ['1e21', 1e21], ['the string "1e3"', '1e3'], ['the string "1.0"', '1.0'],
    ['the string "1.5"', '1.5'], ['the string " 1"', ' 1'], ['the string "1 "', '1 '], ['the empty string', ''], ['the string "-"', '-'],
    ['the string "0x10"', '0x10'], ['the string "1_000"', '1_000'], ['Arabic-Indic digits', '١٢'], ['the string "2147483648"', '2147483648'],
    ['the string "Infinity"', 'Infinity'], ['the string "NaN"', 'NaN'], ['true', true], ['false', false], ['{}', {}], ['[]', []],
    ['[1]', [1]], ['a bigint', 1n], ['a symbol', Symbol('1')], ['a function', () => 1], ['a Date', new Date(0)], ['a boxed Number', new Number(1)],
  ];
  for (const field of ['BeginOffset', 'EndOffset', 'RepeatNum', 'PtsCallbackInterval', 'FixedDelayDuration']) {
    test(`${field}: ${WRONG.length} non-integers (${WRONG.slice(0, 6).map(([n]) => n).join(', ')}, …) → InvalidParameter.Malformed`, () => {
      for (const [name, value] of WRONG) {
        expectParamProblem('AddCasterVideoResource', { ...VOD, [field]: value }, { code: 'InvalidParameter.Malformed', field }, `${field} = ${name}`);
      }
    });
  }

  test('integers given as decimal strings are accepted and signed as the same digits', () => {
    const result = expectValid('AddCasterVideoResource', { ...VOD, BeginOffset: '42', EndOffset: '-7', RepeatNum: '3', FixedDelayDuration: '5000' });
    assert.deepEqual([result.params.BeginOffset, result.params.EndOffset, result.params.RepeatNum, result.params.FixedDelayDuration],
      ['42', '-7', '3', '5000']);
  });
});

describe('contract §3: JS types of string fields', () => {
  const WRONG = [['a number', 1], ['zero', 0], ['NaN', NaN], ['true', true], ['false', false], ['{}', {}], ['[]', []],
    ['["c"]', ['c']], ['a bigint', 1n], ['a symbol', Symbol('c')], ['a function', () => 'c'], ['a Date', new Date(0)],
    ['a boxed String', new String('c')], ['a Map', new Map()]];
  const FIELDS = [
    ['StartCasterScene', START, 'CasterId'], ['StartCasterScene', START, 'SceneId'], ['StartCasterScene', START, 'RegionId'],
    ['AddCasterVideoResource', VOD, 'ResourceName'], ['AddCasterVideoResource', VOD, 'LocationId'],
    ['AddCasterVideoResource', ADD, 'LiveStreamUrl'], ['AddCasterVideoResource', ADD, 'VodUrl'], ['AddCasterVideoResource', ADD, 'MaterialId'],
    ['AddCasterVideoResource', ADD, 'ImageId'], ['AddCasterVideoResource', ADD, 'ImageUrl'],
  ];
  for (const [action, base, field] of FIELDS) {
    test(`${action} ${field}: ${WRONG.map(([n]) => n).join(', ')} → InvalidParameter.Malformed`, () => {
      for (const [name, value] of WRONG) {
        expectParamProblem(action, { ...base, [field]: value }, { code: 'InvalidParameter.Malformed', field }, `${field} = ${name}`);
      }
    });
  }

  test('RegionId in params must look like a region ID', () => {
    for (const bad of ['CN SHANGHAI', 'cn-上海', '', 'cn_shanghai', '-cn', 'cn-shanghai ']) {
      expectParamProblem('StartCasterScene', { ...START, RegionId: bad }, { code: 'InvalidParameter.Malformed', field: 'RegionId' }, bad);
    }
  });
});

describe('contract §3: field names', () => {
  test('camelCase names are accepted as the same fields and signed under the PascalCase names', () => {
    const camel = { casterId: 'caster-1', sceneId: 'scene-1', regionId: 'cn-beijing' };
    const a = expectValid('StartCasterScene', camel);
    const b = expectValid('StartCasterScene', { CasterId: 'caster-1', SceneId: 'scene-1', RegionId: 'cn-beijing' });
    assert.deepEqual(a, b);
    const add = expectValid('AddCasterVideoResource', {
      casterId: 'c', resourceName: 'r', locationId: 'RV02', vodUrl: 'http://h/a.mp4', beginOffset: 1, endOffset: 2, repeatNum: 3,
      ptsCallbackInterval: 4, fixedDelayDuration: 5,
    });
    assert.deepEqual(Object.keys(add.params).filter((k) => k[0] === k[0].toLowerCase()), []);
    assert.equal(add.params.FixedDelayDuration, '5');
    expectValid('AddCasterVideoResource', { ...ADD, materialId: 'm' });
    expectValid('AddCasterVideoResource', { ...ADD, liveStreamUrl: 'rtmp://h/a' });
    expectValid('AddCasterVideoResource', { ...ADD, imageId: 'i' });
    expectValid('AddCasterVideoResource', { ...ADD, imageUrl: 'http://h/a.png' });
  });

  test('the same field under both spellings → InvalidParameter.Malformed', () => {
    expectParamProblem('StartCasterScene', { ...START, casterId: 'other' }, { code: 'InvalidParameter.Malformed', field: 'CasterId' });
  });

  const SUGGESTIONS = [
    ['StartCasterScene', START, 'casterID', 'CasterId'], ['StartCasterScene', START, 'CasterID', 'CasterId'],
    ['StartCasterScene', START, 'caster_id', 'CasterId'], ['StartCasterScene', START, 'sceneid', 'SceneId'],
    ['StartCasterScene', START, 'Region', 'RegionId'], ['AddCasterVideoResource', VOD, 'vodURL', 'VodUrl'],
    ['AddCasterVideoResource', VOD, 'LocationID', 'LocationId'], ['AddCasterVideoResource', VOD, 'RepeatNumber', 'RepeatNum'],
    ['AddCasterVideoResource', VOD, 'ResourceNam', 'ResourceName'],
  ];
  for (const [action, base, key, suggestion] of SUGGESTIONS) {
    test(`unknown name ${key} → InvalidParameter.Malformed suggesting "${suggestion}"`, () => {
      expectParamProblem(action, { ...base, [key]: 'x' }, { code: 'InvalidParameter.Malformed', field: key, mentions: `"${suggestion}"` });
    });
  }

  test('unknown names that are common parameters (Signature, Timestamp, AccessKeyId, Action, Version) are refused', () => {
    for (const key of ['Signature', 'Timestamp', 'AccessKeyId', 'Action', 'Version', 'SignatureNonce', 'Format', 'SecurityToken', '__proto__x']) {
      expectParamProblem('StartCasterScene', { ...START, [key]: 'x' }, { code: 'InvalidParameter.Malformed', field: key }, key);
    }
  });

  test('a parameter of the other operation is refused', () => {
    expectParamProblem('StartCasterScene', { ...START, ResourceName: 'r' }, { code: 'InvalidParameter.Malformed', field: 'ResourceName' });
    expectParamProblem('AddCasterVideoResource', { ...VOD, SceneId: 's' }, { code: 'InvalidParameter.Malformed', field: 'SceneId' });
  });

  test('undefined and null values count as absent (also for unknown names and the other spelling)', () => {
    const plain = expectValid('StartCasterScene', START);
    assert.deepEqual(expectValid('StartCasterScene', { ...START, RegionId: undefined, Bogus: null, casterId: undefined, sceneId: null }), plain);
    assert.deepEqual(expectValid('AddCasterVideoResource', { ...VOD, ImageId: null, ImageUrl: undefined, MaterialId: null, BeginOffset: null }),
      expectValid('AddCasterVideoResource', VOD));
    expectParamProblem('StartCasterScene', { CasterId: null, SceneId: 's' }, { code: 'MissingParameter', field: 'CasterId' });
    expectParamProblem('StartCasterScene', { CasterId: undefined, SceneId: 's' }, { code: 'MissingParameter', field: 'CasterId' });
  });

  test('a symbol-keyed property is not a parameter', () => {
    assert.deepEqual(expectValid('StartCasterScene', { ...START, [Symbol('CasterId')]: 'x' }), expectValid('StartCasterScene', START));
  });
});

// ---------------------------------------------------------------------------------------------
// The request options: credentials, endpoint, method, region, timestamp, nonce
// ---------------------------------------------------------------------------------------------

describe('request options', () => {
  const req = { ...BASE, action: 'StartCasterScene', params: START };

  test('missing accessKeyId / accessKeySecret (absent, undefined, null, empty) → config MissingParameter', () => {
    for (const v of ['absent', undefined, null, '']) {
      const noId = { ...req, accessKeyId: v };
      const noSecret = { ...req, accessKeySecret: v };
      if (v === 'absent') { delete noId.accessKeyId; delete noSecret.accessKeySecret; }
      expectThrow(noId, { code: 'MissingParameter', field: 'accessKeyId', kind: 'config' }, String(v));
      expectThrow(noSecret, { code: 'MissingParameter', field: 'accessKeySecret', kind: 'config' }, String(v));
    }
  });

  test('credentials of the wrong type or form → config InvalidParameter.Malformed', () => {
    for (const v of [5, true, {}, ['id'], 1n]) {
      expectThrow({ ...req, accessKeyId: v }, { code: 'InvalidParameter.Malformed', field: 'accessKeyId', kind: 'config' });
      expectThrow({ ...req, accessKeySecret: v }, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret', kind: 'config' });
      expectThrow({ ...req, securityToken: v }, { code: 'InvalidParameter.Malformed', field: 'securityToken', kind: 'config' });
    }
    expectThrow({ ...req, accessKeyId: 'LTAI id' }, { code: 'InvalidParameter.Malformed', field: 'accessKeyId', kind: 'config' });
    expectThrow({ ...req, securityToken: `${TOKEN} x` }, { code: 'InvalidParameter.Malformed', field: 'securityToken', kind: 'config' });
    expectThrow({ ...req, accessKeySecret: `${SECRET}\n` }, { code: 'InvalidParameter.Malformed', field: 'accessKeySecret', kind: 'config' });
  });

  const BAD_ENDPOINTS = ['ftp://x', 'not a url', 'https://user:pass@live.aliyuncs.com', 'https://u@h/', 'https://live.aliyuncs.com/?x=1',
    'https://live.aliyuncs.com?', 'https://h/#frag', 'live.aliyuncs.com', '//live.aliyuncs.com', 'javascript://x', 'file:///x', '',
    'https://', 'https://h:99999', 'https://h /', 'ws://h/'];
  for (const endpoint of BAD_ENDPOINTS) {
    test(`endpoint ${JSON.stringify(endpoint)} → config error on "endpoint"`, () => {
      expectThrow({ ...req, endpoint }, { code: 'InvalidParameter.Malformed', field: 'endpoint', kind: 'config' });
    });
  }

  test('endpoint of the wrong type → config error', () => {
    for (const endpoint of [5, {}, new URL('https://live.aliyuncs.com')]) {
      expectThrow({ ...req, endpoint }, { code: 'InvalidParameter.Malformed', field: 'endpoint', kind: 'config' });
    }
  });

  for (const method of ['PUT', 'DELETE', 'HEAD', 'PATCH', '', 'POST ', 'G ET']) {
    test(`method ${JSON.stringify(method)} → config error on "method"`, () => {
      expectThrow({ ...req, method }, { code: 'InvalidParameter.Malformed', field: 'method', kind: 'config' });
    });
  }

  test('method of the wrong type → config error', () => {
    for (const method of [1, true, {}]) expectThrow({ ...req, method }, { code: 'InvalidParameter.Malformed', field: 'method', kind: 'config' });
  });

  for (const signatureAlgorithm of ['v2', 'v4', 'V', '', ' v3', 'v3 ', 'v3\0', 'ACS3-HMAC-SHA256', 'HMAC-SHA1', 'sha256']) {
    test(`signatureAlgorithm ${JSON.stringify(signatureAlgorithm)} → config error on "signatureAlgorithm"`, () => {
      expectThrow({ ...req, signatureAlgorithm }, { code: 'InvalidParameter.Malformed', field: 'signatureAlgorithm', kind: 'config' });
    });
  }

  test('signatureAlgorithm of the wrong type → config error', () => {
    for (const signatureAlgorithm of [3, true, {}, ['v3'], 1n, Symbol('v3'), () => 'v3']) {
      expectThrow({ ...req, signatureAlgorithm }, { code: 'InvalidParameter.Malformed', field: 'signatureAlgorithm', kind: 'config' },
        typeof signatureAlgorithm);
    }
  });

  test('signatureAlgorithm "v1" (any case), undefined or null is the default; "v3" (any case) signs in headers', () => {
    const plain = sign(req);
    for (const signatureAlgorithm of ['v1', 'V1', undefined, null]) assert.deepEqual(sign({ ...req, signatureAlgorithm }), plain);
    const v3 = sign({ ...req, signatureAlgorithm: 'v3' });
    assert.deepEqual(sign({ ...req, signatureAlgorithm: 'V3' }), v3);
    assert.equal(v3.body, undefined);
    assert.match(v3.headers.authorization, /^ACS3-HMAC-SHA256 Credential=LTAI-test-id,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/);
    assert.equal(v3.headers['x-acs-date'], TIMESTAMP);
    assert.equal(v3.headers['x-acs-signature-nonce'], NONCE);
    assert.equal(v3.url, `https://live.aliyuncs.com/?${v3.canonicalQuery}`);
  });

  for (const regionId of ['CN SHANGHAI', 'CN-SHANGHAI', 'cn shanghai', 'cn-上海', '', 'cn_shanghai', '-cn', 'cn-', 5]) {
    test(`regionId ${JSON.stringify(regionId)} → config error on "regionId"`, () => {
      expectThrow({ ...req, regionId }, { code: 'InvalidParameter.Malformed', field: 'regionId', kind: 'config' });
    });
  }

  const BAD_TIMESTAMPS = [
    ['a date only', '2016-02-23'], ['a space instead of T', '2016-02-23 12:46:24Z'], ['no Z', '2016-02-23T12:46:24'],
    ['an offset', '2016-02-23T12:46:24+08:00'], ['lower-case t and z', '2016-02-23t12:46:24z'], ['month 13', '2016-13-01T00:00:00Z'],
    ['February 30', '2016-02-30T00:00:00Z'], ['February 29 of 2015', '2015-02-29T00:00:00Z'], ['hour 24', '2016-02-23T24:00:00Z'],
    ['minute 60', '2016-02-23T12:60:00Z'], ['words', 'yesterday'], ['empty', ''], ['Date.toString()', new Date(0).toString()],
    ['RFC 1123', 'Tue, 23 Feb 2016 12:46:24 GMT'], ['epoch seconds as a string', '1456231584'], ['a NUL', '2016-02-23T12:46:24Z\0'],
    ['a number', 1456231584000], ['an invalid Date', new Date(NaN)], ['an object', {}], ['true', true],
  ];
  for (const [name, timestamp] of BAD_TIMESTAMPS) {
    test(`timestamp: ${name} → validation error on "timestamp"`, () => {
      expectThrow({ ...req, timestamp }, { code: 'InvalidParameter.Malformed', field: 'timestamp', kind: 'validation' });
    });
  }

  test('timestamp as a valid Date is accepted and formatted without milliseconds', () => {
    const result = sign({ ...req, timestamp: new Date(Date.UTC(2021, 5, 7, 8, 9, 10, 987)) });
    assert.equal(result.params.Timestamp, '2021-06-07T08:09:10Z');
    assert.ok(result.canonicalQuery.includes('&Timestamp=2021-06-07T08%3A09%3A10Z&'));
    const again = sign({ ...req, timestamp: '2021-06-07T08:09:10Z' });
    assert.equal(result.signature, again.signature);
  });

  test('nonce: empty, with whitespace or control characters, or of the wrong type → validation error on "nonce"', () => {
    for (const nonce of ['', 'a b', 'a\nb', 'a\0', 5, {}, 'x'.repeat(129)]) {
      expectThrow({ ...req, nonce }, { code: 'InvalidParameter.Malformed', field: 'nonce' }, JSON.stringify(nonce));
    }
  });

  test('unknown request options → InvalidParameter.Malformed with a suggestion', () => {
    expectThrow({ ...req, accessKeyID: 'x' }, { code: 'InvalidParameter.Malformed', field: 'accessKeyID', mentions: '"accessKeyId"' });
    expectThrow({ ...req, secret: 'x' }, { code: 'InvalidParameter.Malformed', field: 'secret' });
    expectThrow({ ...req, CasterId: 'x' }, { code: 'InvalidParameter.Malformed', field: 'CasterId' });
  });

  test('undefined / null options count as absent', () => {
    const plain = sign(req);
    assert.deepEqual(sign({ ...req, securityToken: undefined, regionId: null, endpoint: undefined, method: null }), plain);
  });
});

// ---------------------------------------------------------------------------------------------
// After all of the above
// ---------------------------------------------------------------------------------------------

describe('after the hostile table', () => {
  test('the known-answer request was signed correctly before the table (at module load)', () => {
    assert.equal(KNOWN_BEFORE.signature, createHmac('sha1', `${SECRET}&`)
      .update(`POST&%2F&${KNOWN_CANONICAL.replaceAll('%', '%25').replaceAll('=', '%3D').replaceAll('&', '%26')}`).digest('base64'));
  });

  test('the instance still works: a fixed request signs to the independently computed signature', () => {
    const result = checkKnownAnswer('after the table');
    assert.deepEqual(result, KNOWN_BEFORE);
    // And a GET of the same request, against an independent computation.
    const get = sign({ ...KNOWN_REQUEST, method: 'GET' });
    const expected = independentSignature('GET', commonParams('StartCasterScene',
      { ...KNOWN_REQUEST.params, AccessKeyId: 'testid', RegionId: 'cn-beijing' }), SECRET);
    assert.equal(get.canonicalQuery, KNOWN_CANONICAL);
    assert.equal(expected.canonicalQuery, KNOWN_CANONICAL);
    assert.equal(get.signature, expected.signature);
    assert.equal(get.url, `https://live.aliyuncs.com/?${KNOWN_CANONICAL}&Signature=${enc(expected.signature)}`);
  });

  test('validateParams still works', () => {
    assert.deepEqual(validateParams('StartCasterScene', START), []);
    assert.deepEqual(validateParams('AddCasterVideoResource', VOD), []);
  });

  test('with a security token, the secret is in no part of the result and the token is signed', () => {
    const result = sign({ ...KNOWN_REQUEST, securityToken: TOKEN });
    assert.equal(result.params.SecurityToken, TOKEN);
    const expected = independentSignature('POST', commonParams('StartCasterScene',
      { ...KNOWN_REQUEST.params, AccessKeyId: 'testid', RegionId: 'cn-beijing', SecurityToken: TOKEN }), SECRET);
    assert.equal(result.signature, expected.signature);
  });
});

after(() => {
  // A sanity check that the table really ran.
  assert.ok(errorsChecked > 500, `only ${errorsChecked} errors were checked`);
  assert.ok(resultsChecked > 50, `only ${resultsChecked} results were checked`);
});

describe('CasterError across the two builds (dist/ and dist/server/)', () => {
  test('an error thrown by the server build is an instance of the main entry\'s CasterError, and the reverse', async () => {
    const server = await import('aliyun-caster/server');
    let fromServer;
    try { server.verifySignature('POST', 'a=%zz', '', 'secret'); } catch (error) { fromServer = error; }
    let fromSigner;
    try { signRequest({}); } catch (error) { fromSigner = error; }
    // Two builds, two copies of the class: the prototypes differ, instanceof holds both ways.
    assert.notEqual(Object.getPrototypeOf(fromServer), Object.getPrototypeOf(fromSigner));
    assert.ok(fromServer instanceof CasterError && fromServer instanceof server.CasterError);
    assert.ok(fromSigner instanceof server.CasterError);
    assert.ok(fromServer instanceof Error);
    assert.equal(server.CasterError, CasterError);
  });

  test('nothing else passes for one: plain errors, look-alikes, primitives, hostile proxies', () => {
    const brand = Symbol.for('aliyun-caster.CasterError');
    const lookAlike = { [brand]: true, code: 'X', name: 'CasterError' };
    const throwing = new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } });
    for (const value of [new Error('x'), lookAlike, null, undefined, 'CasterError', 1, throwing, Object.create(null)]) {
      assert.equal(value instanceof CasterError, false, inspect(value));
    }
    // A subclass keeps the ordinary check: a CasterError is not an instance of it.
    class Special extends CasterError {}
    let plain;
    try { signRequest({}); } catch (error) { plain = error; }
    assert.equal(plain instanceof Special, false);
    assert.ok(new Special({ code: 'X', kind: 'api', message: 'm' }) instanceof Special);
  });
});
