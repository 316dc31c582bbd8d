// The object signRequest returns. It is assembled from one string out of wasm, in which the
// canonical query crosses once, inside the body or the URL, and is sliced out in JS. However it is
// assembled, the result must read, copy, clone, serialise, freeze and assign as a plain object of
// data properties, and hold the values the reference signer computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { signRequest } from '../dist/node.mjs';
import { canonicalQuery, enc, referenceSign } from './support/reference-signer.mjs';

const SECRET = 'sr/SeCrEt+5=wombat-4b2e';
const TOKEN = 'CAIS/srTOKEN+z3==echidna-9f61';
const REQUEST = {
  action: 'AddCasterVideoResource',
  params: {
    CasterId: 'LIVEPRODUCER_POST-cn-result', ResourceName: 'Opening clip é 😀 +&=%/?', LocationId: 'RV01',
    VodUrl: 'https://cdn.example.com/vod/Opening_(1)*.mp4?auth_key=1767225600-0-0-a1b2!c~d', BeginOffset: 1000, RepeatNum: -1,
  },
  accessKeyId: 'LTAI5tResultTest', accessKeySecret: SECRET, securityToken: TOKEN,
  timestamp: '2026-01-02T03:04:05Z', nonce: 'f2b7c2a4-1d3e-4b5f-8a6c-7d8e9f0a1b2c',
};
const SHAPES = {
  'v1 POST': {},
  'v1 GET': { method: 'GET' },
  'V3 POST': { signatureAlgorithm: 'v3' },
  'V3 GET': { signatureAlgorithm: 'v3', method: 'GET' },
};
const KEYS = {
  'v1 POST': ['method', 'url', 'headers', 'body', 'params', 'canonicalQuery', 'stringToSign', 'signature'],
  'v1 GET': ['method', 'url', 'headers', 'params', 'canonicalQuery', 'stringToSign', 'signature'],
  'V3 POST': ['method', 'url', 'headers', 'params', 'canonicalQuery', 'canonicalRequest', 'stringToSign', 'signature'],
  'V3 GET': ['method', 'url', 'headers', 'params', 'canonicalQuery', 'canonicalRequest', 'stringToSign', 'signature'],
};
const sign = (shape) => signRequest({ ...REQUEST, ...SHAPES[shape] });

/** Every own property's value, read once each, into a plain object of data properties. */
const plain = (object) => Object.fromEntries(Object.keys(object).map((key) => [key, object[key]]));

for (const shape of Object.keys(SHAPES)) {
  test(`${shape}: the keys, in order, and every value a plain copy reads`, () => {
    const signed = sign(shape);
    assert.deepEqual(Object.keys(signed), KEYS[shape]);
    const copy = plain(sign(shape));
    assert.deepStrictEqual(signed, copy);
    assert.equal(JSON.stringify(sign(shape)), JSON.stringify(copy));
    assert.deepStrictEqual(structuredClone(sign(shape)), copy);
    assert.deepStrictEqual({ ...sign(shape) }, copy);
    assert.deepStrictEqual(Object.entries(sign(shape)), Object.entries(copy));
    assert.deepStrictEqual(Object.assign({}, sign(shape)), copy);
  });

  test(`${shape}: every property is an own enumerable writable data property, and reads are stable`, () => {
    const signed = sign(shape);
    const first = signed.params;
    assert.equal(signed.params, first, 'the same object on every read');
    assert.equal(signed.stringToSign, signed.stringToSign);
    for (const key of Object.keys(signed)) {
      const descriptor = Object.getOwnPropertyDescriptor(signed, key);
      assert.deepEqual(Object.keys(descriptor).sort(), ['configurable', 'enumerable', 'value', 'writable'], key);
      assert.ok(descriptor.enumerable && descriptor.writable && descriptor.configurable, key);
    }
    assert.equal(Object.getPrototypeOf(signed), Object.prototype);
    assert.deepEqual(Object.getOwnPropertySymbols(signed), []);
    assert.deepEqual(Object.getOwnPropertyNames(signed), KEYS[shape]);
  });

  test(`${shape}: params and the canonical query are the reference signer's, decoded, Signature last for v1`, () => {
    const signed = sign(shape);
    const { Signature, ...signedParams } = signed.params;
    assert.equal(canonicalQuery(signedParams), signed.canonicalQuery);
    assert.equal(signedParams.ResourceName, REQUEST.params.ResourceName);
    assert.equal(signedParams.RepeatNum, '-1');
    assert.deepEqual(Object.keys(signedParams), Object.keys(signedParams).sort((a, b) => (a < b ? -1 : 1)));
    if (shape.startsWith('v1')) {
      assert.equal(Signature, signed.signature);
      assert.equal(Object.keys(signed.params).at(-1), 'Signature');
      const reference = referenceSign(signed.method, signedParams, SECRET);
      assert.equal(signed.stringToSign, reference.stringToSign);
      assert.equal(signed.signature, reference.signature);
      const query = `${signed.canonicalQuery}&Signature=${enc(signed.signature)}`;
      assert.equal(shape === 'v1 POST' ? signed.body : signed.url.split('?')[1], query);
    } else {
      assert.equal(Signature, undefined);
      assert.equal(signed.url.split('?')[1], signed.canonicalQuery);
    }
  });

  test(`${shape}: frozen or sealed before anything is read, it reads the same values, the same on every read`, () => {
    const copy = plain(sign(shape));
    for (const lock of [Object.freeze, Object.seal, Object.preventExtensions]) {
      const signed = lock(sign(shape));
      assert.deepStrictEqual(plain(signed), copy);
      assert.equal(signed.params, signed.params);
      assert.deepStrictEqual(structuredClone(signed), copy);
    }
    const frozen = Object.freeze(sign(shape));
    assert.throws(() => { frozen.params = {}; }, TypeError);
    assert.throws(() => { frozen.stringToSign = ''; }, TypeError);
    assert.deepStrictEqual(frozen.params, copy.params);
  });

  test(`${shape}: assigning or deleting before reading acts on a data property`, () => {
    const signed = sign(shape);
    signed.params = 'replaced';
    signed.stringToSign = 'replaced too';
    assert.equal(signed.params, 'replaced');
    assert.equal(signed.stringToSign, 'replaced too');
    assert.ok('value' in Object.getOwnPropertyDescriptor(signed, 'params'));
    const other = sign(shape);
    assert.ok(delete other.params);
    assert.equal(other.params, undefined);
    assert.deepEqual(Object.keys(other), KEYS[shape].filter((key) => key !== 'params'));
  });
}

test('a setter planted on Object.prototype under a result\'s names never runs, and the values stay right', () => {
  const copy = plain(sign('v1 POST'));
  const v3 = plain(sign('V3 POST'));
  const planted = [];
  const names = ['params', 'canonicalQuery', 'canonicalRequest', 'stringToSign', 'signature', 'Action', 'Signature'];
  for (const name of names) {
    Object.defineProperty(Object.prototype, name, { set(value) { planted.push([name, value]); }, get() { return 'planted'; }, configurable: true });
  }
  try {
    assert.deepStrictEqual(plain(sign('v1 POST')), copy);
    assert.deepStrictEqual(plain(sign('V3 POST')), v3);
    assert.deepEqual(planted, []);
  } finally {
    for (const name of names) delete Object.prototype[name];
  }
});

test('no property, read in any order or not at all, holds the secret or leaks it in any encoding', () => {
  const forms = [SECRET, enc(SECRET), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64'), 'wombat'];
  for (const shape of Object.keys(SHAPES)) {
    for (const text of [JSON.stringify(sign(shape)), JSON.stringify(structuredClone(sign(shape))), String(Object.values(sign(shape)))]) {
      for (const form of forms) assert.ok(!text.includes(form), `${shape}: ${form}`);
    }
  }
});
