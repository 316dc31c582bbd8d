// The defaults of signRequest (contract sections 1 and 4): timestamp and nonce when not given, the
// POST/GET layouts, endpoint, region and the security token.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { signRequest } from 'aliyun-caster';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const BASE = { action: 'StartCasterScene', params: { CasterId: 'caster-1', SceneId: 'scene-1' }, accessKeyId: 'LTAI-id', accessKeySecret: 'defaults-secret' };
const FIXED = { timestamp: '2016-02-23T12:46:24Z', nonce: 'fixed-nonce' };
const TIMESTAMP_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const UUID_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Timestamp when none is given', () => {
  test('is UTC YYYY-MM-DDThh:mm:ssZ with no milliseconds, within 2 s of Date.now()', () => {
    for (let i = 0; i < 50; i += 1) {
      const before = Date.now();
      const { params } = signRequest(BASE);
      const afterwards = Date.now();
      assert.match(params.Timestamp, TIMESTAMP_FORM);
      const at = Date.parse(params.Timestamp);
      assert.ok(Number.isFinite(at), params.Timestamp);
      // Milliseconds are dropped (floored), so the stamp may be up to 1 s before `before`.
      assert.ok(at >= before - 2000 && at <= afterwards + 2000, `${params.Timestamp} vs ${new Date(before).toISOString()}`);
      assert.ok(Math.abs(at - Date.now()) <= 2000);
      assert.equal(new Date(at).toISOString().replace('.000Z', 'Z'), params.Timestamp, 'not a canonical UTC time');
    }
  });

  test('is signed: the canonical query carries it encoded', () => {
    const result = signRequest(BASE);
    assert.ok(result.canonicalQuery.includes(`&Timestamp=${result.params.Timestamp.replaceAll(':', '%3A')}&`));
  });
});

describe('SignatureNonce when none is given', () => {
  const COUNT = 10_000;
  let sample;
  /** 10,000 generated nonces, drawn once and shared by the tests below. */
  function nonces() {
    if (!sample) {
      sample = [];
      for (let i = 0; i < COUNT; i += 1) {
        const { params, canonicalQuery } = signRequest(BASE);
        if (i < 100) assert.ok(canonicalQuery.includes(`&SignatureNonce=${params.SignatureNonce}&`));
        sample.push(params.SignatureNonce);
      }
    }
    return sample;
  }

  test(`${COUNT} nonces are in UUID form and all distinct`, () => {
    for (const n of nonces()) assert.match(n, UUID_FORM);
    assert.equal(new Set(nonces()).size, COUNT);
  });

  test('every hex position takes more than one value (no fixed UUID version or variant digits)', () => {
    const hex = nonces().map((n) => n.replaceAll('-', ''));
    for (let pos = 0; pos < 32; pos += 1) {
      const seen = new Set(hex.map((h) => h[pos]));
      assert.ok(seen.size > 1, `hex position ${pos} is always ${[...seen][0]}`);
      // With 10,000 samples every one of the 16 digits shows up at every position.
      assert.equal(seen.size, 16, `hex position ${pos} takes only ${seen.size} values`);
    }
  });

  test('all 128 bits vary, and each is set in 50% ± 5% of the nonces (128 random bits)', () => {
    const ones = new Array(128).fill(0);
    for (const n of nonces()) {
      const h = n.replaceAll('-', '');
      for (let pos = 0; pos < 32; pos += 1) {
        const digit = parseInt(h[pos], 16);
        for (let bit = 0; bit < 4; bit += 1) if (digit & (8 >> bit)) ones[pos * 4 + bit] += 1;
      }
    }
    // For a fair bit the count is 5000 ± 50 (1 s.d.); ±500 is 10 s.d.
    for (let bit = 0; bit < 128; bit += 1) {
      assert.ok(ones[bit] > 0 && ones[bit] < COUNT, `bit ${bit} never changes`);
      assert.ok(Math.abs(ones[bit] - COUNT / 2) < 500, `bit ${bit} is set in ${ones[bit]} of ${COUNT} nonces`);
    }
  });

  test('draws come from crypto.getRandomValues: without it, RandomSourceUnavailable, and a given nonce still signs', () => {
    // A fresh process whose runtime has no crypto, as some embedded engines do.
    const script = `
      delete globalThis.crypto;
      const { signRequest } = await import('aliyun-caster');
      const base = ${JSON.stringify(BASE)};
      const outcome = {};
      try { signRequest(base); outcome.drawn = 'signed'; } catch (e) { outcome.drawn = [e.name, e.code, e.kind, e.field]; }
      outcome.given = signRequest({ ...base, nonce: 'given-nonce' }).params.SignatureNonce;
      console.log(JSON.stringify(outcome));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      drawn: ['CasterError', 'RandomSourceUnavailable', 'config', 'nonce'],
      given: 'given-nonce',
    });
  });

  test('a given nonce and timestamp are used as they are', () => {
    const { params } = signRequest({ ...BASE, ...FIXED });
    assert.equal(params.SignatureNonce, 'fixed-nonce');
    assert.equal(params.Timestamp, '2016-02-23T12:46:24Z');
  });
});

describe('request layout', () => {
  test('POST (the default) has exactly the form content-type header and a body', () => {
    for (const request of [{ ...BASE, ...FIXED }, { ...BASE, ...FIXED, method: 'POST' }]) {
      const result = signRequest(request);
      assert.equal(result.method, 'POST');
      assert.deepEqual(result.headers, { 'content-type': 'application/x-www-form-urlencoded' });
      assert.deepEqual(Object.keys(result.headers), ['content-type']);
      assert.equal(typeof result.body, 'string');
      assert.equal(result.body, `${result.canonicalQuery}&Signature=${encodeURIComponent(result.signature)}`);
      assert.equal(result.url, 'https://live.aliyuncs.com/');
      assert.ok(!result.url.includes('?'));
      assert.ok(result.stringToSign.startsWith('POST&%2F&'));
    }
  });

  test('POST headers make a CORS simple request: only CORS-safelisted names and a safelisted content type', () => {
    const { headers } = signRequest({ ...BASE, ...FIXED });
    const safelisted = new Set(['accept', 'accept-language', 'content-language', 'content-type']);
    for (const [name, value] of Object.entries(headers)) {
      assert.ok(safelisted.has(name.toLowerCase()), `header ${name} is not CORS-safelisted`);
      if (name.toLowerCase() === 'content-type') {
        assert.ok(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'].includes(value.split(';')[0].trim()));
      }
    }
  });

  test('GET has no body, empty headers, and the signed query in the URL', () => {
    const result = signRequest({ ...BASE, ...FIXED, method: 'GET' });
    assert.equal(result.method, 'GET');
    assert.equal(result.body, undefined);
    assert.deepEqual(result.headers, {});
    assert.equal(result.url, `https://live.aliyuncs.com/?${result.canonicalQuery}&Signature=${encodeURIComponent(result.signature)}`);
    assert.ok(result.stringToSign.startsWith('GET&%2F&'));
  });

  test('POST and GET of the same request sign the same canonical query, with different signatures', () => {
    const post = signRequest({ ...BASE, ...FIXED, method: 'POST' });
    const get = signRequest({ ...BASE, ...FIXED, method: 'GET' });
    assert.equal(post.canonicalQuery, get.canonicalQuery);
    assert.notEqual(post.signature, get.signature);
  });

  test('params holds every signed parameter, Signature included, and nothing else', () => {
    const result = signRequest({ ...BASE, ...FIXED });
    assert.deepEqual(result.params, {
      AccessKeyId: 'LTAI-id', Action: 'StartCasterScene', CasterId: 'caster-1', Format: 'JSON', RegionId: 'cn-shanghai',
      SceneId: 'scene-1', SignatureMethod: 'HMAC-SHA1', SignatureNonce: 'fixed-nonce', SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z', Version: '2016-11-01', Signature: result.signature,
    });
  });
});

describe('endpoint and region defaults', () => {
  test('the default endpoint is https://live.aliyuncs.com/', () => {
    assert.equal(signRequest({ ...BASE, ...FIXED }).url, 'https://live.aliyuncs.com/');
    assert.ok(signRequest({ ...BASE, ...FIXED, method: 'GET' }).url.startsWith('https://live.aliyuncs.com/?AccessKeyId='));
  });

  test('a given endpoint is used, with "/" as the path when it has none', () => {
    assert.equal(signRequest({ ...BASE, ...FIXED, endpoint: 'http://127.0.0.1:8080' }).url, 'http://127.0.0.1:8080/');
    assert.equal(signRequest({ ...BASE, ...FIXED, endpoint: 'https://live.aliyuncs.com/' }).url, 'https://live.aliyuncs.com/');
    // The endpoint does not change what is signed.
    const a = signRequest({ ...BASE, ...FIXED, endpoint: 'http://127.0.0.1:8080' });
    const b = signRequest({ ...BASE, ...FIXED });
    assert.equal(a.signature, b.signature);
  });

  test('the default RegionId is cn-shanghai', () => {
    const { params, canonicalQuery } = signRequest({ ...BASE, ...FIXED });
    assert.equal(params.RegionId, 'cn-shanghai');
    assert.ok(canonicalQuery.includes('&RegionId=cn-shanghai&'));
  });

  test('the regionId option sets RegionId', () => {
    assert.equal(signRequest({ ...BASE, ...FIXED, regionId: 'cn-beijing' }).params.RegionId, 'cn-beijing');
  });

  test('a RegionId in params overrides the regionId option (and is signed once)', () => {
    for (const key of ['RegionId', 'regionId']) {
      const result = signRequest({ ...BASE, ...FIXED, regionId: 'cn-beijing', params: { ...BASE.params, [key]: 'ap-southeast-1' } });
      assert.equal(result.params.RegionId, 'ap-southeast-1');
      assert.equal(result.canonicalQuery.split('&').filter((p) => p.startsWith('RegionId=')).length, 1);
      assert.ok(result.canonicalQuery.includes('&RegionId=ap-southeast-1&'));
    }
  });
});

describe('SecurityToken', () => {
  test('appears only when given', () => {
    const without = signRequest({ ...BASE, ...FIXED });
    assert.equal('SecurityToken' in without.params, false);
    assert.ok(!without.canonicalQuery.includes('SecurityToken'));
    const withToken = signRequest({ ...BASE, ...FIXED, securityToken: 'STS.token/with+chars=' });
    assert.equal(withToken.params.SecurityToken, 'STS.token/with+chars=');
    assert.ok(withToken.canonicalQuery.includes('&SecurityToken=STS.token%2Fwith%2Bchars%3D&'));
    assert.notEqual(withToken.signature, without.signature);
  });

  test('an empty string, undefined or null counts as none', () => {
    const without = signRequest({ ...BASE, ...FIXED });
    for (const securityToken of ['', undefined, null]) {
      const result = signRequest({ ...BASE, ...FIXED, securityToken });
      assert.equal('SecurityToken' in result.params, false, JSON.stringify(securityToken));
      assert.deepEqual(result, without);
    }
  });
});
