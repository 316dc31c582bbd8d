// Differential test against the vendor's own Node SDK (@alicloud/pop-core 1.8.0, RPCClient).
//
// For each randomised, valid request we sign it with our `signRequest` (fixed timestamp and nonce)
// and have pop-core sign and really send the same request to a local node:http server. What the
// server receives (the GET query, or the POST form body) must be byte-identical to what we produce:
// canonical query, signature, and wire string.
//
// The run's seed is in the suite name. Re-run a failing seed with
//   ORACLE_SEED=<seed> node --test --test-reporter=spec tests/pop-core-oracle.test.mjs
// (ORACLE_CASES=<n> changes the number of cases per group; there are 8 groups.)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

import { signRequest } from 'aliyun-caster';

const require = createRequire(import.meta.url);
const { RPCClient } = require('@alicloud/pop-core');

const SEED = process.env.ORACLE_SEED !== undefined
  ? Number(process.env.ORACLE_SEED) >>> 0
  : randomBytes(4).readUInt32BE(0);
const CASES_PER_GROUP = Number(process.env.ORACLE_CASES ?? 130); // 8 groups → 1,040 requests

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32) and helpers
// ---------------------------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  /** Integer in [lo, hi], both inclusive (safe for the 32-bit ranges used here). */
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p) { return this.next() < p; }
  pick(list) { return list[this.int(0, list.length - 1)]; }
}

// ---------------------------------------------------------------------------------------------
// Character pools
// ---------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UNRESERVED_MARKS = '-_.~';
// Every reserved / special printable ASCII character except space (space is whitespace, which
// IDs and URLs must not contain).
const RESERVED = '!"#$%&\'()*+,/:;<=>?@[\\]^`{|}~';
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🇯🇵', '🏳️‍🌈', '🦀', '💩', '🧪', '❤️'];
const TRICKY = ['%41', '%2F', '%', '+', '%20', '&Signature=x', '=', '==', '&&', 'a=b&c=d', '\uFFFD', '\uFFFE', '\uFFFF',
  '\u200D', '\u200F', '\u202E', 'é', 'ß', 'İ', 'Ω', 'ﬃ', '\u0627\u0644\u0639\u0631\u0628\u064A\u0629'];

/** Whitespace (JS \s is a superset of Unicode White_Space but for U+0085) or a control (Cc). */
const WS_OR_CONTROL = /[\s\p{Cc}]/u;

function bmpChar(rng, allowWhitespace) {
  for (;;) {
    const cp = rng.int(0xa0, 0xffff);
    if (cp >= 0xd800 && cp <= 0xdfff) continue; // surrogates
    const ch = String.fromCodePoint(cp);
    if (!allowWhitespace && WS_OR_CONTROL.test(ch)) continue;
    return ch;
  }
}

/**
 * One random token. `space`: whether whitespace (space, U+3000, U+00A0, …) is allowed.
 * `exclude`: characters that must not appear.
 */
function token(rng, { space = false, exclude = '' } = {}) {
  const kinds = ['alnum', 'alnum', 'reserved', 'reserved', 'bmp', 'astral', 'emoji', 'cjk', 'cjkB', 'combining', 'tricky', 'mark'];
  if (space) kinds.push('space', 'space');
  for (;;) {
    let out;
    switch (rng.pick(kinds)) {
      case 'alnum': out = rng.pick(ALNUM); break;
      case 'mark': out = rng.pick(UNRESERVED_MARKS); break;
      case 'reserved': out = rng.pick(RESERVED); break;
      case 'space': out = rng.pick([' ', ' ', ' ', '\u3000', '\u00A0', '\u2003', '\u2028']); break;
      case 'bmp': out = bmpChar(rng, space); break;
      case 'astral': out = String.fromCodePoint(rng.int(0x10000, 0x10ffff)); break;
      case 'emoji': out = rng.pick(EMOJI); break;
      case 'cjk': out = String.fromCodePoint(rng.int(0x4e00, 0x9fff)); break;
      case 'cjkB': out = String.fromCodePoint(rng.int(0x20000, 0x2a6df)); break;
      case 'combining': {
        // A base (sometimes a reserved char) with one to three combining marks (U+0300–U+036F).
        out = rng.chance(0.5) ? rng.pick(ALNUM) : rng.pick(RESERVED);
        for (let n = rng.int(1, 3); n > 0; n -= 1) out += String.fromCodePoint(rng.int(0x300, 0x36f));
        break;
      }
      case 'tricky': out = rng.pick(TRICKY); break;
      default: throw new Error('unreachable');
    }
    if ([...exclude].some((c) => out.includes(c))) continue;
    if (!space && WS_OR_CONTROL.test(out)) continue;
    return out;
  }
}

const utf8Length = (s) => Buffer.byteLength(s, 'utf8');

/** Random text of 1…maxTokens tokens and at most maxBytes UTF-8 bytes; never empty. */
function text(rng, { minTokens = 1, maxTokens = 40, maxBytes = Infinity, ...opts } = {}) {
  const want = rng.int(minTokens, maxTokens);
  let out = '';
  let count = 0;
  for (let tries = 0; count < want && tries < want * 4; tries += 1) {
    const next = token(rng, opts);
    if (utf8Length(out + next) > maxBytes) continue;
    out += next;
    count += 1;
  }
  while (out === '') out = rng.pick(ALNUM); // every token was too long for maxBytes
  return out;
}

/** An ID: 1–128 UTF-8 bytes, no whitespace or control characters; sometimes exactly 128 bytes. */
function id(rng) {
  if (rng.chance(0.1)) {
    // Exactly 128 bytes: fill with random tokens, then pad with ASCII to the limit.
    let out = text(rng, { maxTokens: 60, maxBytes: 128 });
    while (utf8Length(out) < 128) out += rng.pick(ALNUM + RESERVED);
    return out;
  }
  if (rng.chance(0.15)) return rng.pick(['a', '~', '*', '%', '😀', '中', '\uFFFD', 'c-' + rng.int(0, 1e6)]);
  return text(rng, { maxTokens: rng.int(1, 40), maxBytes: 128 });
}

function host(rng) {
  switch (rng.int(0, 4)) {
    case 0: return `${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}`;
    case 1: return rng.pick(['localhost', '[::1]', '[2001:db8::7]', 'live.aliyuncs.com', 'EXAMPLE.com']);
    default: {
      const labels = [];
      for (let n = rng.int(1, 4); n > 0; n -= 1) {
        let label = '';
        for (let k = rng.int(1, 12); k > 0; k -= 1) label += rng.pick('abcdefghijklmnopqrstuvwxyz0123456789');
        if (label.length > 2 && rng.chance(0.2)) label = `${label[0]}-${label.slice(1)}`;
        labels.push(label);
      }
      return labels.join('.');
    }
  }
}

function authority(rng, { userinfo = false } = {}) {
  let out = '';
  if (userinfo && rng.chance(0.15)) out += `${text(rng, { maxTokens: 6, exclude: RESERVED })}:${rng.int(0, 99999)}@`;
  out += host(rng);
  if (rng.chance(0.4)) out += `:${rng.int(1, 65535)}`;
  return out;
}

/** Random case of an ASCII word (schemes, extensions). */
function anyCase(rng, word) {
  return [...word].map((c) => (rng.chance(0.2) ? c.toUpperCase() : c)).join('');
}

/** A path (starting with '/'): reserved chars and Unicode, no whitespace or control characters. */
function path(rng, exclude = '') {
  let out = '';
  for (let n = rng.int(1, 4); n > 0; n -= 1) out += `/${text(rng, { maxTokens: 10, exclude: `/${exclude}` })}`;
  return out;
}

function liveStreamUrl(rng) {
  const scheme = anyCase(rng, rng.pick(['rtmp', 'rtmps', 'http', 'https', 'artc', 'srt']));
  let url = `${scheme}://${authority(rng, { userinfo: true })}${path(rng)}`;
  if (rng.chance(0.6)) url += `?${text(rng, { maxTokens: 25 })}`;
  return url;
}

/** http(s) URL whose path (before any '?') ends in one of `exts`; the query may hold anything. */
function fileUrl(rng, exts) {
  const scheme = anyCase(rng, rng.pick(['http', 'https']));
  // No '?' or '#' in the path: the path must end in the extension before any '?'.
  const name = text(rng, { maxTokens: 8, exclude: '/?#' });
  let url = `${scheme}://${authority(rng)}${rng.chance(0.5) ? path(rng, '?#') : ''}/${name}${anyCase(rng, rng.pick(exts))}`;
  if (rng.chance(0.6)) url += `?${text(rng, { maxTokens: 25 })}`;
  return url;
}

const REGIONS = ['cn-shanghai', 'cn-beijing', 'cn-hangzhou', 'cn-shenzhen', 'cn-qingdao', 'ap-southeast-1',
  'ap-southeast-5', 'ap-northeast-1', 'ap-south-1', 'eu-central-1', 'eu-west-1', 'us-west-1', 'us-east-1',
  'cn-hangzhou-finance', 'me-east-1'];

function regionId(rng) {
  if (rng.chance(0.7)) return rng.pick(REGIONS);
  let out = rng.pick('abcdefghijklmnopqrstuvwxyz');
  for (let n = rng.int(0, 20); n > 0; n -= 1) out += rng.pick('abcdefghijklmnopqrstuvwxyz0123456789-');
  return out + rng.pick('abcdefghijklmnopqrstuvwxyz0123456789');
}

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

function intIn(rng, lo, hi) {
  if (rng.chance(0.15)) return lo;
  if (rng.chance(0.15)) return hi;
  if (rng.chance(0.4)) return rng.int(lo, Math.min(hi, lo + 10000));
  return rng.int(lo, hi);
}

/** An integer as a JS number, or sometimes as its canonical decimal string. */
function asIntegerValue(rng, n) {
  return rng.chance(0.2) ? String(n) : n;
}

/** First letter lower-cased: the camelCase spelling the contract accepts. */
const camel = (name) => name[0].toLowerCase() + name.slice(1);

const reservedCoverage = new Set();

/**
 * One random valid request. Returns what we hand to signRequest, and what pop-core gets
 * (PascalCase params with the common parameters we fixed), and the expected decoded params.
 */
function makeCase(rng, { action, method, withToken }) {
  const fields = {}; // API name → value as given (number or string)
  fields.CasterId = id(rng);
  if (action === 'StartCasterScene') {
    fields.SceneId = id(rng);
  } else {
    fields.ResourceName = text(rng, { space: true, maxTokens: rng.int(1, 60) });
    fields.LocationId = `RV${String(rng.int(1, 99)).padStart(2, '0')}`;
    const source = rng.pick(['LiveStreamUrl', 'MaterialId', 'VodUrl', 'ImageId', 'ImageUrl', 'VodUrl', 'MaterialId']);
    switch (source) {
      case 'LiveStreamUrl': fields.LiveStreamUrl = liveStreamUrl(rng); break;
      case 'MaterialId': fields.MaterialId = id(rng); break;
      case 'VodUrl': fields.VodUrl = fileUrl(rng, ['.mp4', '.flv', '.ts']); break;
      case 'ImageId': fields.ImageId = id(rng); break;
      case 'ImageUrl': fields.ImageUrl = fileUrl(rng, ['.jpg', '.jpeg', '.png']); break;
      default: throw new Error('unreachable');
    }
    if (source === 'VodUrl' || source === 'MaterialId') {
      let begin = 0;
      if (rng.chance(0.5)) { begin = intIn(rng, 0, INT_MAX); fields.BeginOffset = begin; }
      if (rng.chance(0.5)) {
        fields.EndOffset = begin < INT_MAX && rng.chance(0.5) ? intIn(rng, begin + 1, INT_MAX) : intIn(rng, INT_MIN, -1);
      }
      if (rng.chance(0.5)) fields.RepeatNum = intIn(rng, -1, INT_MAX);
    }
    if (rng.chance(0.4)) fields.PtsCallbackInterval = intIn(rng, 0, INT_MAX);
    if (rng.chance(0.4)) fields.FixedDelayDuration = intIn(rng, 0, 5000);
  }

  // RegionId: in params, as the regionId option, both (params wins), or neither (default).
  const regionMode = rng.pick(['params', 'option', 'both', 'none']);
  const optionRegion = regionMode === 'option' || regionMode === 'both' ? regionId(rng) : undefined;
  if (regionMode === 'params' || regionMode === 'both') fields.RegionId = regionId(rng);
  const effectiveRegion = fields.RegionId ?? optionRegion ?? 'cn-shanghai';

  const accessKeyId = rng.chance(0.5)
    ? `LTAI${text(rng, { maxTokens: 20, exclude: RESERVED })}`
    : text(rng, { maxTokens: 30, maxBytes: 256 });
  const accessKeySecret = text(rng, { space: true, maxTokens: 40, maxBytes: 1024 });
  const securityToken = withToken
    ? (rng.chance(0.5) ? randomBase64(rng, rng.int(100, 1200)) : text(rng, { maxTokens: 80 }))
    : undefined;

  const seconds = rng.int(Date.UTC(1970, 0, 1) / 1000, Date.UTC(2200, 0, 1) / 1000);
  const timestampText = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Ours gets either the string or a Date with random milliseconds (dropped).
  const timestamp = rng.chance(0.3) ? new Date(seconds * 1000 + rng.int(0, 999)) : timestampText;
  const nonce = rng.chance(0.5) ? randomUuid(rng) : text(rng, { maxTokens: 30, maxBytes: 128 });

  // Our params: each name PascalCase or camelCase; integers as numbers or decimal strings.
  const ourParams = {};
  const popParams = {};
  for (const [name, value] of Object.entries(fields)) {
    const given = typeof value === 'number' ? asIntegerValue(rng, value) : value;
    ourParams[rng.chance(0.3) ? camel(name) : name] = given;
    popParams[name] = given;
  }
  // undefined / null values count as absent, even next to the other spelling of a given field.
  if (rng.chance(0.15)) {
    const names = action === 'StartCasterScene'
      ? ['CasterId', 'SceneId', 'RegionId']
      : ['CasterId', 'ResourceName', 'LocationId', 'LiveStreamUrl', 'MaterialId', 'VodUrl', 'BeginOffset', 'EndOffset',
        'RepeatNum', 'PtsCallbackInterval', 'FixedDelayDuration', 'ImageId', 'ImageUrl', 'RegionId'];
    const name = rng.pick(names);
    const spelling = rng.chance(0.5) ? camel(name) : name;
    if (!(spelling in ourParams)) ourParams[spelling] = rng.chance(0.5) ? undefined : null;
  }

  const endpoint = `http://127.0.0.1:${port}${rng.chance(0.5) ? '/' : ''}`;
  const request = { action, params: ourParams, accessKeyId, accessKeySecret, endpoint, timestamp, nonce };
  if (withToken) request.securityToken = securityToken;
  else if (rng.chance(0.3)) request.securityToken = rng.pick(['', undefined, null]);
  if (optionRegion !== undefined) request.regionId = optionRegion;
  if (method === 'GET' || rng.chance(0.5)) request.method = method;

  for (const v of [...Object.values(fields), accessKeyId, accessKeySecret, nonce, securityToken ?? '']) {
    for (const c of `${v}`) if (RESERVED.includes(c) || c === ' ') reservedCoverage.add(c);
  }

  const expected = {
    Action: action, Version: '2016-11-01', Format: 'JSON', AccessKeyId: accessKeyId,
    SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: nonce, Timestamp: timestampText,
    RegionId: effectiveRegion,
  };
  if (withToken) expected.SecurityToken = securityToken;
  for (const [name, value] of Object.entries(fields)) expected[name] = String(value);

  return {
    request,
    pop: {
      config: { accessKeyId, accessKeySecret, securityToken },
      params: { ...popParams, RegionId: effectiveRegion, Timestamp: timestampText, SignatureNonce: nonce },
    },
    expected,
  };
}

function randomBase64(rng, length) {
  const alphabet = `${ALNUM}+/`;
  let out = '';
  for (let i = 0; i < length; i += 1) out += rng.pick(alphabet);
  return out + '='.repeat(rng.int(0, 2));
}

function randomUuid(rng) {
  const hex = () => rng.int(0, 15).toString(16);
  const part = (n) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-${part(4)}-${part(4)}-${part(12)}`;
}

// ---------------------------------------------------------------------------------------------
// The local server pop-core sends to
// ---------------------------------------------------------------------------------------------

let server;
let port;
let agent;
let lastReceived = null;

before(async () => {
  server = http.createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1'); // the form body is pure ASCII
      lastReceived = { method: req.method, url: req.url, contentType: req.headers['content-type'], body };
      const reply = '{"RequestId":"x"}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
});

after(async () => {
  agent?.destroy();
  if (server) {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Has pop-core sign and send the request; returns what the server received. */
async function sendWithPopCore(action, method, pop) {
  const client = new RPCClient({
    endpoint: `http://127.0.0.1:${port}`,
    apiVersion: '2016-11-01',
    accessKeyId: pop.config.accessKeyId,
    accessKeySecret: pop.config.accessKeySecret,
    securityToken: pop.config.securityToken,
  });
  lastReceived = null;
  const reply = await client.request(action, pop.params, { method, agent, timeout: 10000 });
  assert.equal(reply.RequestId, 'x'); // json-bigint parses into a null-prototype object
  assert.ok(lastReceived, 'the server received nothing');
  const got = lastReceived;
  assert.equal(got.method, method);
  if (method === 'GET') {
    assert.ok(got.url.startsWith('/?'), `unexpected GET target ${got.url.slice(0, 80)}`);
    assert.equal(got.body, '');
    return got.url.slice(2);
  }
  assert.equal(got.url, '/');
  assert.equal(got.contentType, 'application/x-www-form-urlencoded');
  return got.body;
}

/** Our canonical query decoded back into pairs (keys and values percent-decoded). */
function decodeQuery(query) {
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return [decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1))];
  });
}

function describeCase(index, c) {
  const shown = { ...c.request, timestamp: c.request.timestamp instanceof Date ? c.request.timestamp.toISOString() : c.request.timestamp };
  return `seed ${SEED}, case ${index}: ${JSON.stringify(shown)}`;
}

async function checkCase(index, c, action, method) {
  const where = describeCase(index, c);
  let ours;
  try {
    ours = signRequest(c.request);
  } catch (err) {
    assert.fail(`signRequest threw ${err?.code} (${err?.field}): ${err?.message}\n${where}`);
  }
  const sent = await sendWithPopCore(action, method, c.pop);

  const cut = sent.lastIndexOf('&Signature=');
  assert.ok(cut > 0, `pop-core sent no Signature\n${where}`);
  const popCanonical = sent.slice(0, cut);
  const popSignature = decodeURIComponent(sent.slice(cut + '&Signature='.length));

  assert.equal(ours.method, method, where);
  assert.equal(ours.canonicalQuery, popCanonical, `canonical query differs from pop-core's\n${where}`);
  assert.equal(ours.signature, popSignature, `signature differs from pop-core's\n${where}`);
  if (method === 'POST') {
    assert.equal(ours.url, `http://127.0.0.1:${port}/`, where);
    assert.equal(ours.body, sent, `POST body differs from pop-core's\n${where}`);
  } else {
    const q = ours.url.indexOf('?');
    assert.equal(ours.url.slice(0, q), `http://127.0.0.1:${port}/`, where);
    assert.equal(ours.url.slice(q + 1), sent, `GET query differs from pop-core's\n${where}`);
    assert.equal(ours.body, undefined, where);
  }

  // Every returned param decodes back to the input, and nothing else is signed.
  assert.deepEqual(ours.params, { ...c.expected, Signature: ours.signature }, `params differ from the inputs\n${where}`);
  assert.deepEqual(Object.fromEntries(decodeQuery(ours.canonicalQuery)), c.expected,
    `canonical query does not decode back to the inputs\n${where}`);
}

const GROUPS = [];
for (const action of ['StartCasterScene', 'AddCasterVideoResource']) {
  for (const method of ['GET', 'POST']) {
    for (const withToken of [false, true]) GROUPS.push({ action, method, withToken });
  }
}

describe(`pop-core 1.8.0 oracle (seed ${SEED}; reproduce with ORACLE_SEED=${SEED})`, () => {
  GROUPS.forEach((group, groupIndex) => {
    const name = `${group.action} ${group.method} ${group.withToken ? 'with' : 'without'} SecurityToken: ` +
      `${CASES_PER_GROUP} random requests identical to pop-core's`;
    test(name, async () => {
      // One PRNG stream per group, so a group is reproducible on its own.
      const rng = new Rng((SEED ^ Math.imul(groupIndex + 1, 0x9e3779b1)) >>> 0);
      for (let i = 0; i < CASES_PER_GROUP; i += 1) {
        const c = makeCase(rng, group);
        await checkCase(`${groupIndex}.${i}`, c, group.action, group.method);
      }
    });
  });

  test('the random inputs covered every reserved ASCII character and space', () => {
    const missing = [...`${RESERVED} `].filter((c) => !reservedCoverage.has(c));
    assert.deepEqual(missing, [], `seed ${SEED}: never generated ${JSON.stringify(missing.join(''))}`);
  });
});
