// The AccessKeySecret is zeroed inside the wasm instance (docs/security.md): after signRequest
// returns, normally or with an error, no copy of the secret's bytes is left anywhere in the
// instance's linear memory, not even in freed memory. The Rust side zeroes the reading that
// carried the request in, every value read from it, the Credentials, and the HMAC key blocks;
// the JS side makes wasm-bindgen write the reading straight into the buffer that is zeroed.
//
// The instance here is a fresh one of the package's own glue and .wasm, so that its memory can be
// read. A control shows the scan finds what is not zeroed: the AccessKeyId, which is returned in
// the clear, is found in freed memory after the same calls.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
// A query string makes this a module instance of its own, with a wasm instance of its own.
const glue = await import(new URL('aliyun_caster.js?secret-memory', dist));
const wasm = glue.initSync({ module: readFileSync(new URL('aliyun_caster_bg.wasm', dist)) });

const encoder = new TextEncoder();

/** Every offset of `needle` in the instance's memory. */
function occurrences(text) {
  const memory = new Uint8Array(wasm.memory.buffer);
  const needle = encoder.encode(text);
  const found = [];
  let from = 0;
  for (;;) {
    const at = memory.indexOf(needle[0], from);
    if (at < 0 || at + needle.length > memory.length) return found;
    let whole = true;
    for (let i = 1; i < needle.length; i++) {
      if (memory[at + i] !== needle[i]) { whole = false; break; }
    }
    if (whole) found.push(at);
    from = at + 1;
  }
}

const PARAMS = {
  CasterId: 'LIVEPRODUCER_POST-cn-memory', ResourceName: 'Opening clip', LocationId: 'RV01',
  VodUrl: 'https://cdn.example.com/vod/a.mp4', BeginOffset: 1000, RegionId: 'cn-shanghai',
};

let serial = 0;
/** A secret no earlier call used, of a given shape. */
function freshSecret(shape) {
  serial += 1;
  const tag = `${serial}`.padStart(4, '0');
  switch (shape) {
    case 'long': return `LongSecret${tag}-`.padEnd(100, 'q'); // over one HMAC block: hashed first
    case 'one-block': return `Blk${tag}`.padEnd(63, 'b'); // with the "&", exactly 64 bytes
    default: return `Sx${tag}/Zq9+kW7=memory-scan`;
  }
}

const CASES = [
  ['POST, fixed nonce and timestamp', (s) => ({ accessKeySecret: s, timestamp: '2026-01-01T00:00:00Z', nonce: 'n-1' })],
  ['GET, drawn nonce and clock time', (s) => ({ accessKeySecret: s, method: 'GET' })],
  ['an STS token', (s) => ({ accessKeySecret: s, securityToken: 'CAIS.token/memory+scan' })],
  ['a secret over one HMAC block', (s) => ({ accessKeySecret: s }), 'long'],
  ['a key of exactly one HMAC block', (s) => ({ accessKeySecret: s }), 'one-block'],
  ['non-ASCII text among the parameters', (s) => ({ accessKeySecret: s, params: { ...PARAMS, ResourceName: '开场 clip ✓' } })],
  ['the secret given before the parameters', (s) => ({ accessKeySecret: s, action: 'AddCasterVideoResource', params: PARAMS })],
];

test('no copy of the secret is left in wasm memory after signRequest signs', () => {
  for (const [name, extra, shape] of CASES) {
    const secret = freshSecret(shape);
    const request = { action: 'AddCasterVideoResource', params: PARAMS, accessKeyId: 'LTAI5tMemoryScanKey', ...extra(secret) };
    const signed = glue.signRequest(request);
    assert.match(signed.signature, /^[A-Za-z0-9+/]{27}=$/, name);
    assert.deepEqual(occurrences(secret), [], `${name}: the secret is in wasm memory`);
  }
});

test('no copy of the secret is left in wasm memory when signRequest refuses the request', () => {
  const refusals = [
    ['invalid parameters', (s) => ({ accessKeySecret: s, params: { ...PARAMS, LocationId: 'RV00' } }), 'UnexpectedLocationID'],
    ['a secret with a control character', (s) => ({ accessKeySecret: `${s}\n` }), 'InvalidParameter.Malformed'],
    ['an unknown option after the secret', (s) => ({ accessKeySecret: s, regionID: 'cn-shanghai' }), 'InvalidParameter.Malformed'],
    ['a bad timestamp', (s) => ({ accessKeySecret: s, timestamp: 'yesterday' }), 'InvalidParameter.Malformed'],
    ['an empty accessKeyId', (s) => ({ accessKeySecret: s, accessKeyId: '' }), 'MissingParameter'],
  ];
  for (const [name, extra, code] of refusals) {
    const secret = freshSecret();
    const request = { action: 'AddCasterVideoResource', params: PARAMS, accessKeyId: 'LTAI5tMemoryScanKey', ...extra(secret) };
    assert.throws(() => glue.signRequest(request), (error) => error.code === code, name);
    assert.deepEqual(occurrences(secret), [], `${name}: the secret is in wasm memory`);
  }
});

test('control: the scan finds what is not zeroed (the AccessKeyId, returned in the clear)', () => {
  const accessKeyId = 'LTAI5tControlKey4242';
  glue.signRequest({ action: 'StartCasterScene', params: { CasterId: 'c-1', SceneId: 's-1' }, accessKeyId, accessKeySecret: freshSecret() });
  assert.ok(occurrences(accessKeyId).length > 0, 'the scan found nothing, so its silence about secrets means nothing');
});
