// Signature V3 against the vendor's own implementation: 1,000 seeded random requests signed by our
// signRequest({ signatureAlgorithm: 'v3' }) and by @alicloud/openapi-util 0.3.3's getAuthorization
// (support/openapi-util.mjs) over the same method, query, headers and payload hash. The
// Authorization headers must be equal byte for byte, and so must the canonical requests and
// strings to sign. The oracle first has to reproduce the vendor's published example, so that a
// broken oracle cannot pass. The seed is printed; replay a run with V3_ORACLE_SEED=<seed>.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { signRequest, validateParams } from 'aliyun-caster';
import { DOC_EXAMPLE, vendorPayloadHash, vendorSignV3 } from './support/openapi-util.mjs';
import { prng, seedFrom } from './support/hostile.mjs';

const SEED = seedFrom('V3_ORACLE_SEED');
console.log(`# V3 oracle: seed ${SEED} (replay with V3_ORACLE_SEED=${SEED})`);

const REQUESTS = 1000;
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// Every printable ASCII character (the reserved ones, space and ~*'()! among them), then
// non-ASCII text of 2, 3 and 4 UTF-8 bytes.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
const NON_ASCII = ['é', 'ü', 'ß', '中', '机位', '★', '\u00a0', '😀', '𝄞'];
const ENDPOINTS = ['https://live.aliyuncs.com', 'https://live.aliyuncs.com:443/', 'http://127.0.0.1:8080', 'https://live.example.com:8443/'];
const REGIONS = ['cn-shanghai', 'cn-beijing', 'ap-southeast-1'];

class Generator {
  constructor(seed) {
    this.random = prng(seed);
  }

  int(n) { return Math.floor(this.random() * n); }

  chance(p) { return this.random() < p; }

  pick(list) { return list[this.int(list.length)]; }

  /** Text of `length` characters: mostly printable ASCII, some non-ASCII. */
  text(length, { spaces = true } = {}) {
    let out = '';
    while (out.length < length) {
      const ch = this.chance(0.85) ? this.pick(ASCII) : this.pick(NON_ASCII);
      if (!spaces && /\s/.test(ch)) continue;
      out += ch;
    }
    return out;
  }

  /** An integer as a JS number or a numeric string, in [min, max]. */
  integer(min, max) {
    const n = min + this.int(max - min + 1);
    return this.chance(0.5) ? n : String(n);
  }

  params(action) {
    const id = () => this.text(1 + this.int(30), { spaces: false });
    if (action === 'StartCasterScene') {
      const params = { CasterId: id(), SceneId: id() };
      if (this.chance(0.4)) params.RegionId = this.pick(REGIONS);
      return params;
    }
    const params = { CasterId: id(), ResourceName: this.text(1 + this.int(40)), LocationId: `RV${String(1 + this.int(99)).padStart(2, '0')}` };
    const tail = () => this.text(this.int(20), { spaces: false });
    switch (this.int(5)) {
      case 0:
        params.LiveStreamUrl = `${this.pick(['rtmp', 'rtmps', 'http', 'https', 'artc', 'srt'])}://push.example.com/app/${tail()}?auth_key=${tail()}`;
        break;
      case 1:
        params.MaterialId = id();
        break;
      case 2:
        params.VodUrl = `https://cdn.example.com/${tail()}.${this.pick(['mp4', 'MP4', 'flv', 'ts'])}?x=${tail()}`;
        break;
      case 3:
        params.ImageId = id();
        break;
      default:
        params.ImageUrl = `http://img.example.com/${tail()}.${this.pick(['jpg', 'jpeg', 'PNG'])}`;
    }
    if (params.VodUrl !== undefined || params.MaterialId !== undefined) {
      if (this.chance(0.6)) params.BeginOffset = this.integer(0, 100000);
      if (this.chance(0.6)) params.EndOffset = this.integer(-100000, -1);
      if (this.chance(0.6)) params.RepeatNum = this.integer(-1, 10);
    }
    if (this.chance(0.4)) params.PtsCallbackInterval = this.integer(0, 5000);
    if (this.chance(0.4)) params.FixedDelayDuration = this.integer(0, 5000);
    if (this.chance(0.3)) params.RegionId = this.pick(REGIONS);
    return params;
  }

  request() {
    const action = this.chance(0.5) ? 'StartCasterScene' : 'AddCasterVideoResource';
    const request = {
      action,
      params: this.params(action),
      accessKeyId: `LTAI${this.text(12, { spaces: false }).replace(/[^A-Za-z0-9]/g, 'x')}`,
      // Secrets hold any printable ASCII; tokens no spaces (the core refuses whitespace in them).
      accessKeySecret: this.text(8 + this.int(30)),
      method: this.pick(['POST', 'GET']),
      endpoint: this.pick(ENDPOINTS),
      signatureAlgorithm: 'v3',
      timestamp: new Date(Date.UTC(2000 + this.int(60), this.int(12), 1 + this.int(28), this.int(24), this.int(60), this.int(60))),
    };
    if (this.chance(0.3)) request.securityToken = `CAIS${this.text(10 + this.int(60), { spaces: false }).replace(/[^\x21-\x7e]/g, '+')}`;
    if (this.chance(0.5)) request.nonce = this.text(8 + this.int(30), { spaces: false }).replace(/[^\x21-\x7e]/g, '-');
    if (this.chance(0.3)) request.regionId = this.pick(REGIONS);
    return request;
  }
}

test('the oracle (the vendor\'s openapi-util) reproduces the vendor\'s published V3 example', () => {
  const vendor = vendorSignV3(DOC_EXAMPLE.input);
  assert.equal(vendor.stringToSign, DOC_EXAMPLE.stringToSign);
  assert.equal(vendor.signature, DOC_EXAMPLE.signature);
  assert.equal(vendor.authorization, DOC_EXAMPLE.authorization);
  assert.equal(vendorPayloadHash(''), EMPTY_HASH);
  // It is sensitive to what it signs: a changed secret or header gives another signature.
  assert.notEqual(vendorSignV3({ ...DOC_EXAMPLE.input, accessKeySecret: 'other' }).signature, DOC_EXAMPLE.signature);
  const headers = { ...DOC_EXAMPLE.input.headers, 'x-acs-date': '2023-10-26T10:22:33Z' };
  assert.notEqual(vendorSignV3({ ...DOC_EXAMPLE.input, headers }).signature, DOC_EXAMPLE.signature);
});

test(`${REQUESTS} random requests: our V3 Authorization equals the vendor's byte for byte`, (t) => {
  const g = new Generator(SEED);
  const seen = { actions: new Set(), methods: new Set(), sts: 0, negative: 0, nonAscii: 0, hosts: new Set(), skipped: 0 };
  const charsSigned = new Set();
  const started = performance.now();
  let compared = 0;
  while (compared < REQUESTS) {
    const request = g.request();
    // Random text can break a rule (a URL the validator refuses): such requests are not signed.
    if (validateParams(request.action, request.params).length > 0) {
      seen.skipped += 1;
      assert.ok(seen.skipped < REQUESTS, `seed ${SEED}: the generator makes mostly invalid requests`);
      continue;
    }
    const ours = signRequest(request);
    const host = new URL(request.endpoint).host;
    const { authorization, ...sent } = ours.headers;
    const vendor = vendorSignV3({
      method: ours.method, query: ours.params, headers: { ...sent, host }, payloadHash: vendorPayloadHash(''),
      accessKeyId: request.accessKeyId, accessKeySecret: request.accessKeySecret,
    });
    const label = `seed ${SEED}, request ${compared}: ${JSON.stringify({ ...request, accessKeySecret: undefined })}`;
    assert.equal(ours.canonicalRequest, vendor.canonicalRequest, label);
    assert.equal(ours.stringToSign, vendor.stringToSign, label);
    assert.equal(ours.signature, vendor.signature, label);
    assert.equal(authorization, vendor.authorization, label);
    // What is sent: the URL carries the canonical query, there is no body, the hash is SHA-256("").
    assert.equal(ours.url, `${request.endpoint.replace(/\/$/, '')}/?${ours.canonicalQuery}`, label);
    assert.equal(ours.body, undefined, label);
    assert.equal(sent['x-acs-content-sha256'], EMPTY_HASH, label);
    assert.equal(sent['x-acs-security-token'], request.securityToken, label);

    compared += 1;
    seen.actions.add(request.action);
    seen.methods.add(ours.method);
    seen.hosts.add(host);
    if (request.securityToken) seen.sts += 1;
    for (const value of Object.values(request.params)) {
      for (const ch of String(value)) charsSigned.add(ch);
      if (/^-\d+$/.test(String(value))) seen.negative += 1;
      if (/[^\x00-\x7f]/.test(String(value))) seen.nonAscii += 1;
    }
  }
  const ms = performance.now() - started;
  t.diagnostic(`seed ${SEED}: ${compared} requests compared (${seen.skipped} generated ones refused by validation) in ${ms.toFixed(0)} ms; `
    + `${seen.sts} with an STS token, ${seen.negative} negative integers, ${seen.nonAscii} non-ASCII values, hosts ${[...seen.hosts].join(' ')}`);
  // The run covered what it is meant to cover.
  assert.deepEqual([...seen.actions].sort(), ['AddCasterVideoResource', 'StartCasterScene']);
  assert.deepEqual([...seen.methods].sort(), ['GET', 'POST']);
  assert.ok(seen.sts >= 100 && seen.negative >= 50 && seen.nonAscii >= 100, JSON.stringify({ ...seen, hosts: [...seen.hosts] }));
  assert.equal(seen.hosts.size, 3, 'the default port is left out of host, another is kept');
  const missing = ASCII.filter((ch) => !charsSigned.has(ch));
  assert.deepEqual(missing, [], 'printable ASCII characters no signed value held');
});
