// HMAC turns the AccessKeySecret into four things that sign as well as the secret does: the key
// block XOR ipad, the key block XOR opad, and the hash states after each of those blocks (whoever
// holds the two states computes HMAC(secret, anything) without the secret). None may be left in
// the wasm instance's linear memory after signRequest returns, for v1 (HMAC-SHA1, key secret + "&")
// or V3 (HMAC-SHA-256, key secret), with a key shorter than a block or one hashed first.
//
// The states are computed here with a SHA-1 / SHA-256 compression function of its own, checked
// against node:crypto first, and looked for in both byte orders.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
// A query string makes this a module instance of its own, with a wasm instance of its own.
const glue = await import(new URL('aliyun_caster.js?hmac-key-memory', dist));
const wasm = glue.initSync({ module: readFileSync(new URL('aliyun_caster_bg.wasm', dist)) });

const BLOCK = 64;
const rotl = (x, n) => (x << n) | (x >>> (32 - n));
const rotr = (x, n) => (x >>> n) | (x << (32 - n));
const word = (block, i) => block.readUInt32BE(i * 4);

/** SHA-1's state after one 64-byte block from the initial value. */
function sha1Compress(block, state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]) {
  const w = new Array(80);
  for (let i = 0; i < 16; i++) w[i] = word(block, i);
  for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  let [a, b, c, d, e] = state;
  for (let i = 0; i < 80; i++) {
    const [f, k] = i < 20 ? [(b & c) | (~b & d), 0x5a827999]
      : i < 40 ? [b ^ c ^ d, 0x6ed9eba1]
        : i < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
          : [b ^ c ^ d, 0xca62c1d6];
    const t = (rotl(a, 5) + f + e + k + w[i]) | 0;
    [a, b, c, d, e] = [t, a, rotl(b, 30), c, d];
  }
  return [a, b, c, d, e].map((x, i) => (x + state[i]) >>> 0);
}

const K256 = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/** SHA-256's state after one 64-byte block from the initial value. */
function sha256Compress(block, state = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]) {
  const w = new Array(64);
  for (let i = 0; i < 16; i++) w[i] = word(block, i);
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
    const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let [a, b, c, d, e, f, g, h] = state;
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    [a, b, c, d, e, f, g, h] = [(t1 + t2) | 0, a, b, c, (d + t1) | 0, e, f, g];
  }
  return [a, b, c, d, e, f, g, h].map((x, i) => (x + state[i]) >>> 0);
}

const HASHES = {
  sha1: { compress: sha1Compress, name: 'sha1' },
  sha256: { compress: sha256Compress, name: 'sha256' },
};

/** The words of a state as bytes, in one byte order. */
function stateBytes(words, littleEndian) {
  const out = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => (littleEndian ? out.writeUInt32LE(w, i * 4) : out.writeUInt32BE(w, i * 4)));
  return out;
}

/** What HMAC derives from `key` with `hash`, by name: the two padded blocks and the two states. */
function derived(hash, key) {
  const block = Buffer.alloc(BLOCK);
  (key.length > BLOCK ? createHash(hash.name).update(key).digest() : key).copy(block);
  const ipad = Buffer.from(block.map((b) => b ^ 0x36));
  const opad = Buffer.from(block.map((b) => b ^ 0x5c));
  const inner = hash.compress(ipad);
  const outer = hash.compress(opad);
  return {
    'key XOR ipad': ipad,
    'key XOR opad': opad,
    'inner state (little-endian words)': stateBytes(inner, true),
    'inner state (big-endian words)': stateBytes(inner, false),
    'outer state (little-endian words)': stateBytes(outer, true),
    'outer state (big-endian words)': stateBytes(outer, false),
  };
}

/** Every offset of `needle` in the instance's memory. */
function occurrences(needle) {
  const memory = new Uint8Array(wasm.memory.buffer);
  const found = [];
  for (let at = memory.indexOf(needle[0]); at >= 0 && at + needle.length <= memory.length; at = memory.indexOf(needle[0], at + 1)) {
    if (needle.every((byte, i) => memory[at + i] === byte)) found.push(at);
  }
  return found;
}

const PARAMS = {
  CasterId: 'LIVEPRODUCER_POST-cn-hmackey', ResourceName: 'Opening clip', LocationId: 'RV01',
  VodUrl: 'https://cdn.example.com/vod/a.mp4', BeginOffset: 1000, RegionId: 'cn-shanghai',
};

let serial = 0;
/** A secret no earlier call used: short, or over one block (hashed first). */
function freshSecret(long) {
  serial += 1;
  const secret = `Hk${`${serial}`.padStart(4, '0')}/Zq9+kW7=hmac-key`;
  return long ? secret.padEnd(100, 'q') : secret;
}

test('control: the compression functions give the states node:crypto reaches', () => {
  // A 55-byte message is one block once padded: its hash is the state after that block.
  const message = Buffer.from('x'.repeat(55));
  const padded = Buffer.concat([message, Buffer.from([0x80]), Buffer.alloc(6), Buffer.from([0x01, 0xb8])]);
  for (const hash of Object.values(HASHES)) {
    assert.equal(stateBytes(hash.compress(padded), false).toString('hex'), createHash(hash.name).update(message).digest('hex'), hash.name);
  }
});

const CASES = [
  ['v1, a secret shorter than a block', 'v1', false],
  ['v1, a secret over one block', 'v1', true],
  ['V3, a secret shorter than a block', 'v3', false],
  ['V3, a secret over one block', 'v3', true],
];

for (const [name, algorithm, long] of CASES) {
  test(`no key-derived HMAC block or state is left in wasm memory after signRequest: ${name}`, () => {
    const secret = freshSecret(long);
    const signed = glue.signRequest({
      action: 'AddCasterVideoResource', params: PARAMS, accessKeyId: 'LTAI5tHmacKeyScan', accessKeySecret: secret,
      signatureAlgorithm: algorithm, method: algorithm === 'v3' ? 'POST' : 'GET',
    });
    assert.ok(signed.signature.length > 0);
    const key = Buffer.from(algorithm === 'v1' ? `${secret}&` : secret);
    const left = Object.entries(derived(algorithm === 'v1' ? HASHES.sha1 : HASHES.sha256, key))
      .filter(([, needle]) => occurrences(needle).length > 0)
      .map(([what]) => what);
    assert.deepEqual(left, [], `${name}: found in wasm memory`);
  });
}
