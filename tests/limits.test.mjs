// The limits on outside input (src/limits.rs), each checked before the work it bounds:
// - a received request holds at most 256 parameters (query and body together) and a V3 request at
//   most 256 headers: counted by a byte scan before anything is decoded, so a megabyte of distinct
//   keys is refused at once (it took 41 to 93 s of quadratic duplicate checks, blocking the
//   emulator, before anything was authenticated);
// - a parameter value holds at most 16,384 UTF-8 bytes, all parameter names and values of one
//   request 65,536, an option (accessKeyId, accessKeySecret, securityToken, endpoint, nonce, …)
//   8,192: a longer string never crosses into wasm (a 60M-character value trapped the instance,
//   grew its memory to 2.7 GB and left two copies of the secret behind);
// - the text coders the wasm glue uses are the runtime's own, taken when the package loads (a page
//   that replaced TextEncoder or TextDecoder made every call throw a plain Error).
// Times and memory are printed as diagnostics.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import * as entry from 'aliyun-caster';
import * as serverEntry from 'aliyun-caster/server';
import { initSync } from '../dist/aliyun_caster.js';
import { initSync as initServerSync } from '../dist/server/aliyun_caster.js';
import { spawnCli } from './support/emulator.mjs';
import { enc, referenceSign } from './support/reference-signer.mjs';
import { COMMON_PARAMS, errorTexts, secretForms } from './support/secrets.mjs';

const { CasterClient, CasterError, signRequest, validateParams } = entry;
const { parseAuthorization, parseRequestParams, parseTimestamp, verifySignature, verifySignatureV3 } = serverEntry;

// The documented limits (README, docs/security.md); the core hands its own to the JS boundary.
const MAX_PARAMS = 256;
const MAX_HEADERS = 256;
const MAX_VALUE_BYTES = 16_384;
const MAX_PARAMS_BYTES = 65_536;
const MAX_OPTION_BYTES = 8_192;

const MiB = 1 << 20;
const FIXED = { timestamp: '2016-02-23T12:46:24Z', nonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf' };
const SECRET = 'Limits/Secret+9=okapi-77c1';

const mb = (bytes) => `${(bytes / MiB).toFixed(2)} MB`;

/** A form of distinct keys (`0=1&1=1&…`, keys in base 36), as long as fits in `bytes`. */
function distinctKeys(bytes) {
  const parts = [];
  let length = 0;
  for (let i = 0; ; i++) {
    const part = `${i.toString(36)}=1`;
    if (length + part.length + 1 > bytes) break;
    parts.push(part);
    length += part.length + 1;
  }
  return { text: parts.join('&'), count: parts.length };
}

/** `k0=0&k1=1&…`: `count` distinct parameters from `from`. */
const form = (count, from = 0) => Array.from({ length: count }, (_, i) => `k${from + i}=${from + i}`).join('&');

/** Runs `fn`; its error (which must be a CasterError) and how long it took. */
function refusal(fn) {
  const started = performance.now();
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - started;
  assert.ok(error !== undefined, 'not refused');
  assert.ok(error instanceof CasterError, `not a CasterError: ${error?.constructor?.name}: ${String(error?.message).slice(0, 200)}`);
  return { error, ms };
}

describe('parameter and header counts: counted before anything is decoded', () => {
  const attack = distinctKeys(MiB);

  test('a 1 MiB form body of 150,000+ distinct keys through the emulator over HTTP → 400 InvalidParameter.Malformed in < 2 s', async (t) => {
    assert.ok(attack.count > 80_000 && attack.text.length <= MiB);
    const emulator = await spawnCli();
    try {
      const started = performance.now();
      const reply = await fetch(emulator.url, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: attack.text,
        signal: AbortSignal.timeout(20_000),
      });
      const body = await reply.json();
      const ms = performance.now() - started;
      t.diagnostic(`${attack.count} keys, ${attack.text.length} bytes: ${reply.status} ${body.Code} in ${ms.toFixed(0)} ms`);
      assert.equal(reply.status, 400);
      assert.equal(body.Code, 'InvalidParameter.Malformed');
      assert.match(body.Message, /256/);
      assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
      // The emulator is not blocked: it answers the next request at once.
      const next = await fetch(new URL('/_emulator/state', emulator.url), { signal: AbortSignal.timeout(2000) });
      assert.equal(next.status, 200);
      await next.arrayBuffer();
    } finally {
      emulator.child.kill('SIGKILL');
      await emulator.exited;
    }
  });

  test('parseRequestParams, verifySignature and verifySignatureV3 refuse a 1 MiB form of distinct keys in < 2 s', (t) => {
    const runs = [
      ['parseRequestParams(query, "")', () => parseRequestParams(attack.text, '')],
      ['parseRequestParams("", body)', () => parseRequestParams('', attack.text)],
      ['verifySignature', () => verifySignature('POST', '', attack.text, SECRET)],
      ['verifySignatureV3 (the query)', () => verifySignatureV3('GET', attack.text, v3Headers(), '', SECRET)],
    ];
    for (const [name, run] of runs) {
      const { error, ms } = refusal(run);
      t.diagnostic(`${name}: ${error.code} on ${error.field} in ${ms.toFixed(1)} ms`);
      assert.equal(error.code, 'InvalidParameter.Malformed', name);
      assert.equal(error.field, 'request', name);
      assert.equal(error.kind, 'validation', name);
      assert.match(error.message, /256 parameters/, name);
      assert.ok(ms < 2000, `${name} took ${ms.toFixed(0)} ms`);
    }
  });

  test('256 parameters (query and body together) are read; 257 are refused, empty parts not counted', () => {
    assert.equal(parseRequestParams(form(100), form(156, 100)).length, MAX_PARAMS);
    assert.equal(parseRequestParams(`&&${form(200)}&&`, `&${form(56, 200)}&&&`).length, MAX_PARAMS);
    for (const [query, body] of [[form(257), ''], ['', form(257)], [form(100), form(157, 100)]]) {
      const { error } = refusal(() => parseRequestParams(query, body));
      assert.deepEqual([error.code, error.field], ['InvalidParameter.Malformed', 'request']);
      assert.match(error.message, /more than 256 parameters/);
      assert.ok(!error.message.includes('k256'), 'the message quotes no parameter');
    }
    // Counted before decoding: 257 malformed parts are refused for their number.
    assert.match(refusal(() => parseRequestParams('%zz&'.repeat(257), '')).error.message, /256/);
  });

  test('verifySignatureV3: 256 headers are read, 257 refused; 257 SignedHeaders names refused', () => {
    const signed = signRequest({ ...KNOWN, signatureAlgorithm: 'v3' });
    const query = signed.url.slice(signed.url.indexOf('?') + 1);
    const base = [...Object.entries(signed.headers), ['host', 'live.aliyuncs.com']];
    const padded = (count) => [...base, ...Array.from({ length: count - base.length }, (_, i) => [`x-pad-${i}`, 'v'])].flat().join('\0');
    const accepted = verifySignatureV3('POST', query, padded(MAX_HEADERS), '', SECRET);
    assert.equal(accepted.valid, true, 'unsigned extra headers that V3 does not sign are fine');
    const { error } = refusal(() => verifySignatureV3('POST', query, padded(MAX_HEADERS + 1), '', SECRET));
    assert.deepEqual([error.code, error.field], ['InvalidParameter.Malformed', 'headers']);
    assert.match(error.message, /more than 256 headers/);
    const names = (count) => Array.from({ length: count }, (_, i) => `x-acs-${String(i).padStart(4, '0')}`).join(';');
    const header = (count) => `ACS3-HMAC-SHA256 Credential=k,SignedHeaders=${names(count)},Signature=${'0'.repeat(64)}`;
    assert.equal(parseAuthorization(header(MAX_HEADERS)).signedHeaders.length, MAX_HEADERS);
    const tooMany = refusal(() => parseAuthorization(header(MAX_HEADERS + 1))).error;
    assert.deepEqual([tooMany.code, tooMany.field], ['IncompleteSignature', 'Authorization']);
    assert.match(tooMany.message, /256/);
  });

  test('verifySignatureV3: 100,000 headers and 60,000 SignedHeaders names (under a megabyte each) are refused in < 2 s', (t) => {
    const many = Array.from({ length: 100_000 }, (_, i) => `h${i}\0v`).join('\0');
    const names = Array.from({ length: 60_000 }, (_, i) => `x-acs-${String(i).padStart(5, '0')}`).join(';');
    assert.ok(many.length < MiB && names.length < MiB);
    const authorization = `ACS3-HMAC-SHA256 Credential=k,SignedHeaders=${names},Signature=${'0'.repeat(64)}`;
    for (const [name, run] of [
      ['headers', () => verifySignatureV3('POST', '', many, '', SECRET)],
      ['SignedHeaders', () => verifySignatureV3('POST', '', `authorization\0${authorization}`, '', SECRET)],
    ]) {
      const { error, ms } = refusal(run);
      t.diagnostic(`${name}: ${error.code} in ${ms.toFixed(1)} ms`);
      assert.match(error.message, /256/);
      assert.ok(ms < 2000, `${name} took ${ms.toFixed(0)} ms`);
    }
  });
});

// A received text is refused when it is longer than the limit in UTF-16 units (and so in bytes),
// before it is copied; the counts above bound the work on what is copied.
describe('received texts: at most 1,048,576 UTF-16 units each, looked at before they are copied', () => {
  const serverWasm = initServerSync();
  const MAX_RECEIVED_BYTES = MiB;

  test('a query, body, headers, Authorization or secret over 1,048,576 units → InvalidParameter.Malformed on it; 60M characters copy nothing', (t) => {
    const over = 'x'.repeat(MAX_RECEIVED_BYTES + 1);
    const huge = 'é'.repeat(60e6);
    const memoryBefore = serverWasm.memory.buffer.byteLength;
    for (const text of [over, huge]) {
      const runs = [
        ['query', () => parseRequestParams(text, '')],
        ['body', () => parseRequestParams('', text)],
        ['body', () => verifySignature('POST', '', text, SECRET)],
        ['query', () => verifySignatureV3('POST', text, 'host\0h', '', SECRET)],
        ['headers', () => verifySignatureV3('POST', '', text, '', SECRET)],
        ['body', () => verifySignatureV3('POST', '', 'host\0h', text, SECRET)],
        ['Authorization', () => parseAuthorization(text)],
        ['Timestamp', () => parseTimestamp(text)],
        ['accessKeySecret', () => verifySignature('POST', '', 'a=1', text)],
        ['accessKeySecret', () => verifySignatureV3('POST', '', 'host\0h', '', text)],
      ];
      for (const [field, run] of runs) {
        const { error, ms } = refusal(run);
        assert.deepEqual([error.code, error.field], ['InvalidParameter.Malformed', field], `${field}: ${error.message}`);
        assert.match(error.message, /1,048,576 bytes/);
        assert.ok(ms < 2000, `${field} took ${ms.toFixed(0)} ms`);
      }
    }
    const bytes = refusal(() => verifySignatureV3('POST', '', 'host\0h', new Uint8Array(MAX_RECEIVED_BYTES + 1), SECRET)).error;
    assert.deepEqual([bytes.code, bytes.field], ['InvalidParameter.Malformed', 'body']);
    t.diagnostic(`server wasm memory ${mb(memoryBefore)} → ${mb(serverWasm.memory.buffer.byteLength)}`);
    assert.ok(serverWasm.memory.buffer.byteLength - memoryBefore <= 8 * MiB, 'the huge texts were copied into wasm memory');
    // At the limit: read.
    const at = `a=${'x'.repeat(MAX_RECEIVED_BYTES - 2)}`;
    assert.equal(parseRequestParams(at, '')[0][1].length, MAX_RECEIVED_BYTES - 2);
  });
});

// ---------------------------------------------------------------------------------------------
// Lengths: checked before a value crosses into wasm
// ---------------------------------------------------------------------------------------------

// The running instance behind 'aliyun-caster' (initSync() of an instantiated glue returns it).
const wasm = initSync();

const KNOWN = {
  action: 'AddCasterVideoResource',
  params: { CasterId: 'caster-limits', ResourceName: 'Cam 1 / 机位', LocationId: 'RV07', VodUrl: 'https://h/v/a.mp4', RepeatNum: -1 },
  accessKeyId: 'LTAIlimitsKey', accessKeySecret: SECRET, ...FIXED,
};
const KNOWN_REFERENCE = referenceSign('POST', {
  ...COMMON_PARAMS, Action: KNOWN.action, AccessKeyId: KNOWN.accessKeyId, RegionId: 'cn-shanghai', Timestamp: FIXED.timestamp,
  SignatureNonce: FIXED.nonce, ...KNOWN.params, RepeatNum: '-1',
}, SECRET);

/** The instance is not poisoned: a known request still signs to the reference signature. */
function checkKnown(label) {
  const signed = signRequest(KNOWN);
  assert.equal(signed.signature, KNOWN_REFERENCE.signature, label);
  assert.equal(signed.canonicalQuery, KNOWN_REFERENCE.canonical, label);
}

/** The headers of a signed V3 request, as verifySignatureV3 takes them. */
function v3Headers() {
  const signed = signRequest({ ...KNOWN, signatureAlgorithm: 'v3' });
  return [...Object.entries(signed.headers), ['host', 'live.aliyuncs.com']].flat().join('\0');
}

const encoder = new TextEncoder();

/** How many times `text` (as UTF-8) is in the instance's memory, freed memory included. */
function copiesInMemory(text) {
  const memory = Buffer.from(wasm.memory.buffer);
  const needle = Buffer.from(encoder.encode(text));
  let count = 0;
  for (let at = memory.indexOf(needle); at >= 0; at = memory.indexOf(needle, at + 1)) count += 1;
  return count;
}

let serial = 0;
const freshSecret = () => `Huge${++serial}/Secret+scan=ibex-${serial}`;

/** No text of the error holds `value`'s start, or the secret in any form. */
function quotesNothing(error, value, secret) {
  for (const [where, text] of errorTexts(error)) {
    assert.ok(!text.includes(value.slice(0, 32)), `the error's ${where} quotes the value`);
    for (const form of secretForms(secret)) assert.ok(!text.includes(form), `the error's ${where} holds the secret`);
  }
}

describe('huge values: refused before they cross into wasm; the instance keeps working', () => {
  for (const length of [1e6, 20e6, 60e6]) {
    const label = `${length / 1e6}M`;
    test(`ResourceName and VodUrl of ${label} "é" each → CasterError on ResourceName (signRequest), both fields (validateParams); wasm memory and the secret unchanged`, (t) => {
      checkKnown('before');
      const huge = 'é'.repeat(length);
      const params = { CasterId: 'caster-huge', ResourceName: huge, LocationId: 'RV01', VodUrl: `https://h/${huge}.mp4` };
      const secret = freshSecret();
      const memoryBefore = wasm.memory.buffer.byteLength;
      const { error, ms } = refusal(() => signRequest({ ...KNOWN, params, accessKeySecret: secret }));
      assert.deepEqual([error.code, error.kind, error.field], ['InvalidParameter.Malformed', 'validation', 'ResourceName']);
      assert.match(error.message, /16,384 bytes/);
      quotesNothing(error, huge, secret);

      const started = performance.now();
      const problems = validateParams('AddCasterVideoResource', params);
      const validateMs = performance.now() - started;
      assert.deepEqual(problems.map((p) => [p.field, p.code]),
        [['ResourceName', 'InvalidParameter.Malformed'], ['VodUrl', 'InvalidVodUrl.Malformed']]);
      for (const problem of problems) assert.ok(!problem.message.includes('éééé') && problem.message.includes('16,384'));

      const grown = wasm.memory.buffer.byteLength - memoryBefore;
      t.diagnostic(`${label}: signRequest refused in ${ms.toFixed(1)} ms, validateParams in ${validateMs.toFixed(1)} ms; wasm memory `
        + `${mb(memoryBefore)} → ${mb(wasm.memory.buffer.byteLength)}`);
      assert.ok(grown <= 4 * MiB, `wasm memory grew by ${mb(grown)}`);
      assert.equal(copiesInMemory(secret), 0, 'the secret is left in wasm memory');
      assert.ok(ms < 2000 && validateMs < 2000);
      checkKnown(`after ${label}`);
    });
  }

  test('options of 20M characters (the secret, the token, the key, endpoint, nonce, region, action…) → CasterError on that option; nothing copied', (t) => {
    const huge = 'é'.repeat(20e6);
    const memoryBefore = wasm.memory.buffer.byteLength;
    const cases = [
      ['accessKeySecret', (s) => ({ accessKeySecret: `${s}${huge}` }), 'config', 'InvalidParameter.Malformed'],
      ['accessKeyId', () => ({ accessKeyId: huge }), 'config', 'InvalidParameter.Malformed'],
      ['securityToken', () => ({ securityToken: huge }), 'config', 'InvalidParameter.Malformed'],
      ['endpoint', () => ({ endpoint: `https://${huge}` }), 'config', 'InvalidParameter.Malformed'],
      ['regionId', () => ({ regionId: huge }), 'config', 'InvalidParameter.Malformed'],
      ['method', () => ({ method: huge }), 'config', 'InvalidParameter.Malformed'],
      ['signatureAlgorithm', () => ({ signatureAlgorithm: huge }), 'config', 'InvalidParameter.Malformed'],
      ['nonce', () => ({ nonce: huge }), 'validation', 'InvalidParameter.Malformed'],
      ['timestamp', () => ({ timestamp: huge }), 'validation', 'InvalidParameter.Malformed'],
      ['action', () => ({ action: huge }), 'validation', 'InvalidAction.NotFound'],
    ];
    for (const [field, extra, kind, code] of cases) {
      const secret = freshSecret();
      const { error, ms } = refusal(() => signRequest({ ...KNOWN, accessKeySecret: secret, ...extra(secret) }));
      assert.deepEqual([error.code, error.kind, error.field], [code, kind, field], field);
      assert.match(error.message, /8,192 bytes/, field);
      quotesNothing(error, huge, secret);
      assert.equal(copiesInMemory(secret), 0, `${field}: the secret is left in wasm memory`);
      assert.ok(ms < 2000, `${field} took ${ms.toFixed(0)} ms`);
    }
    // A huge unknown key: refused as unknown, named by its first 64 characters.
    const unknown = refusal(() => signRequest({ ...KNOWN, params: { ...KNOWN.params, [huge]: 1 } })).error;
    assert.deepEqual([unknown.code, unknown.field], ['InvalidParameter.Malformed', 'é'.repeat(64)]);
    assert.ok(unknown.message.length < 500);
    const problems = validateParams(huge, KNOWN.params);
    assert.deepEqual(problems.map((p) => [p.field, p.code]), [['action', 'InvalidAction.NotFound']]);
    const grown = wasm.memory.buffer.byteLength - memoryBefore;
    t.diagnostic(`wasm memory ${mb(memoryBefore)} → ${mb(wasm.memory.buffer.byteLength)}`);
    assert.ok(grown <= 4 * MiB, `wasm memory grew by ${mb(grown)}`);
    checkKnown('after the options');
  });

  test('a value of 16,384 UTF-8 bytes is signed; 16,385 is refused with the field\'s own code (counted in bytes, not characters)', () => {
    const sign = (params) => signRequest({ ...KNOWN, params: { ...KNOWN.params, ...params } });
    const refused = (params, field, code) => {
      const { error } = refusal(() => sign(params));
      assert.deepEqual([error.code, error.field], [code, field], JSON.stringify(Object.keys(params)));
      assert.match(error.message, /longer than 16,384 bytes/);
    };
    for (const at of ['x'.repeat(MAX_VALUE_BYTES), 'é'.repeat(MAX_VALUE_BYTES / 2), '😀'.repeat(MAX_VALUE_BYTES / 4), `${'中'.repeat(5461)}a`]) {
      assert.equal(Buffer.byteLength(at), MAX_VALUE_BYTES);
      const signed = sign({ ResourceName: at });
      assert.equal(signed.params.ResourceName, at);
      assert.ok(signed.body.includes(`&ResourceName=${enc(at)}&`));
      const over = `${at}x`;
      refused({ ResourceName: over }, 'ResourceName', 'InvalidParameter.Malformed');
      assert.deepEqual(validateParams(KNOWN.action, { ...KNOWN.params, ResourceName: over }).map((p) => p.field), ['ResourceName']);
    }
    // 8,193 characters of "é" are 16,386 bytes: under the limit in UTF-16 units, so they cross
    // into wasm, and the core refuses them by their bytes.
    refused({ ResourceName: 'é'.repeat(8193) }, 'ResourceName', 'InvalidParameter.Malformed');
    const url = (bytes) => `https://h/${'p'.repeat(bytes - 'https://h/.mp4'.length)}.mp4`;
    assert.equal(sign({ VodUrl: url(MAX_VALUE_BYTES) }).params.VodUrl, url(MAX_VALUE_BYTES));
    refused({ VodUrl: url(MAX_VALUE_BYTES + 1) }, 'VodUrl', 'InvalidVodUrl.Malformed');
    refused({ CasterId: 'c'.repeat(MAX_VALUE_BYTES + 1) }, 'CasterId', 'InvalidCasterId.Malformed');
    refused({ VodUrl: undefined, LiveStreamUrl: `rtmp://h/${'s'.repeat(MAX_VALUE_BYTES)}`, RepeatNum: undefined }, 'LiveStreamUrl',
      'InvalidLiveStreamUrl.Malformed');
    refused({ LocationId: 'R'.repeat(MAX_VALUE_BYTES + 1) }, 'LocationId', 'UnexpectedLocationID');
    refused({ RepeatNum: '1'.repeat(MAX_VALUE_BYTES + 1) }, 'RepeatNum', 'InvalidParameter.Malformed');
  });

  test('params of 65,536 bytes of names and values together pass that rule; 65,537 are refused whole on "params"', () => {
    // Unknown names, refused one by one while the whole is within the limit.
    const params = (total, char = 'x') => {
      const base = { CasterId: 'c', SceneId: 's', A: 'x'.repeat(MAX_VALUE_BYTES), B: 'x'.repeat(MAX_VALUE_BYTES), C: 'x'.repeat(MAX_VALUE_BYTES) };
      const used = Object.entries(base).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0) + 1;
      const rest = total - used;
      return { ...base, D: char === 'x' ? 'x'.repeat(rest) : 'é'.repeat(rest / 2) };
    };
    const size = (p) => Object.entries(p).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    const at = params(MAX_PARAMS_BYTES);
    assert.equal(size(at), MAX_PARAMS_BYTES);
    assert.deepEqual(validateParams('StartCasterScene', at).map((p) => p.field), ['A', 'B', 'C', 'D']);
    for (const over of [params(MAX_PARAMS_BYTES + 1), params(MAX_PARAMS_BYTES + 2, 'é')]) {
      assert.ok(size(over) > MAX_PARAMS_BYTES);
      const problems = validateParams('StartCasterScene', over);
      assert.deepEqual(problems.map((p) => [p.field, p.code]), [['params', 'InvalidParameter.Malformed']]);
      assert.match(problems[0].message, /65,536 bytes/);
      const { error } = refusal(() => signRequest({ ...KNOWN, action: 'StartCasterScene', params: over }));
      assert.deepEqual([error.code, error.field], ['InvalidParameter.Malformed', 'params']);
    }
  });

  test('options of 8,192 bytes pass the length rule; 8,193 (or 4,097 "é") are refused on that option', () => {
    const fields = ['accessKeyId', 'accessKeySecret', 'securityToken', 'regionId', 'endpoint', 'method', 'timestamp', 'nonce', 'signatureAlgorithm'];
    for (const field of fields) {
      const outcome = (value) => {
        try {
          signRequest({ ...KNOWN, [field]: value });
          return undefined;
        } catch (error) {
          assert.ok(error instanceof CasterError);
          return error;
        }
      };
      // At the limit the option's own rule may refuse it, but not the length limit.
      const at = outcome('a'.repeat(MAX_OPTION_BYTES));
      assert.ok(!at || !/the limit for an option/.test(at.message), `${field} at the limit: ${at?.message}`);
      for (const over of ['a'.repeat(MAX_OPTION_BYTES + 1), 'é'.repeat(MAX_OPTION_BYTES / 2 + 1)]) {
        const error = outcome(over);
        assert.equal(error?.field, field);
        assert.match(error.message, /8,192 bytes/, field);
      }
    }
    // A token of 8,192 bytes is signed.
    const token = 'T'.repeat(MAX_OPTION_BYTES);
    assert.equal(signRequest({ ...KNOWN, securityToken: token }).params.SecurityToken, token);
  });

  test('limits at the two Node entries and CasterClient: a CasterError, nothing sent', async () => {
    const sent = [];
    const client = new CasterClient({ accessKeyId: 'LTAIlimitsKey', accessKeySecret: SECRET, fetch: async (url) => { sent.push(url); } });
    await assert.rejects(client.addCasterVideoResource({ ...KNOWN.params, ResourceName: 'é'.repeat(20e6) }),
      (error) => error instanceof CasterError && error.code === 'InvalidParameter.Malformed' && error.field === 'ResourceName');
    assert.deepEqual(sent, []);
    assert.throws(() => serverEntry.signRequest({ ...KNOWN, params: { ...KNOWN.params, VodUrl: `https://h/${'é'.repeat(20e6)}.mp4` } }),
      (error) => error instanceof CasterError && error.code === 'InvalidVodUrl.Malformed' && error.field === 'VodUrl');
    checkKnown('after the entries');
  });
});
