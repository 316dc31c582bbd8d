// The emulator answers as the real gateway (live.aliyuncs.com) does where a client can tell:
// its CORS answers (those of a captured reply of the gateway, unless `cors: 'open'` /
// `--cors open`), throttling per AccessKeyId and per operation with the retry headers the
// vendor's current SDK cores read, the request id in an `x-acs-request-id` header as well as in
// the body, and the SignatureDoesNotMatch Message the vendor's SDKs parse. Every request is real
// HTTP to an emulator on 127.0.0.1 started and stopped by its test (in process, or its command
// line as a child); the browser checks run a page of another 127.0.0.1 origin in Chromium.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

import { signRequest } from 'aliyun-caster';
import { DEMO_ACCESS_KEY, createEmulator } from '../emulator/server.mjs';
import { rawRequest, startEmulator } from './support/emulator.mjs';
import { launchChromium } from './support/chromium.mjs';

const CLI = fileURLToPath(new URL('../emulator/cli.mjs', import.meta.url));
const KEY = { accessKeyId: 'LTAIgatewayTestKey', accessKeySecret: 'gateway-secret-Zq9-platypus-4c1a' };
const OTHER = { accessKeyId: 'LTAIgatewayOtherKey', accessKeySecret: 'gateway-secret-Zq9-platypus-9e2b' };
const CASTER = 'caster-gateway';
const CONFIG = {
  accessKeys: [KEY, OTHER],
  casters: [{ casterId: CASTER, status: 'started', ingestEndpoints: 99, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }] }],
};
const SCENE = { CasterId: CASTER, SceneId: 'pvw-1' };
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/**
 * What a reply of the real gateway carried (captured from live.aliyuncs.com): these four, and no
 * Access-Control-Expose-Headers. The emulator's default policy must answer exactly this.
 */
const GATEWAY_CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, X-Sequence, _aop_secret, _aop_signature',
  'access-control-max-age': '172800',
};
/** What `cors: 'open'` exposes to page scripts (compared without regard to case). */
const OPEN_EXPOSED = ['date', 'x-acs-request-id', 'x-acs-retry-after', 'retry-after'];
const V3_HEADERS = ['authorization', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-security-token', 'x-acs-signature-nonce', 'x-acs-version'];
/** The vendor gateway's words before the string it computed (aliyun/alibaba-cloud-sdk-go, sdk/errors). */
const MISMATCH_PREFIX = 'Specified signature is not matched with our calculation. server string to sign is:';

const timestamp = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const location = (n) => `RV${String(n).padStart(2, '0')}`;
const add = (n) => ({ CasterId: CASTER, ResourceName: `gateway ${n}`, LocationId: location(n), ImageId: `image-${n}` });
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** An emulator in this process with this file's config and key (see support/emulator.mjs). */
const start = (t, options = {}) => startEmulator(t, { config: CONFIG, key: KEY, ...options });

const send = (signed, headers = {}) => fetch(signed.url, { method: signed.method, headers: { ...signed.headers, ...headers }, body: signed.body });

/** The access-control-* headers of a fetch Response or of a raw reply's header object. */
function corsOf(headers) {
  const entries = typeof headers.entries === 'function' ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(entries.filter(([name]) => name.toLowerCase().startsWith('access-control-')).map(([n, v]) => [n.toLowerCase(), v]));
}



/**
 * Every kind of API reply the emulator makes, each as { what, status, headers, json }: successes
 * (v1 POST and GET, V3), API errors, the HTTP layer's refusals (Host, method, size, unknown path)
 * and the answers written on the bare socket (malformed HTTP, headers too large).
 */
async function everyKindOfReply({ port, url, sign }) {
  const replies = [];
  const fromFetch = async (what, res) => {
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    replies.push({ what, status: res.status, headers: Object.fromEntries(res.headers.entries()), json });
  };
  const fromSocket = async (what, text) => replies.push({ what, ...(await rawRequest(port, text)) });
  const host = `127.0.0.1:${port}`;

  await fromFetch('v1 POST success', await send(sign('StartCasterScene', SCENE)));
  await fromFetch('v1 GET success', await send(sign('AddCasterVideoResource', add(1), { method: 'GET' })));
  await fromFetch('V3 success', await send(sign('StartCasterScene', SCENE, { signatureAlgorithm: 'v3' })));
  await fromFetch('MissingParameter', await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=StartCasterScene' }));
  await fromFetch('SignatureDoesNotMatch', await send(sign('StartCasterScene', SCENE, { accessKeySecret: 'not-the-secret' })));
  await fromFetch('unknown path', await fetch(`${url}no-such-path`));
  await fromFetch('method', await fetch(url, { method: 'PUT', body: 'x' }));
  await fromFetch('too large', await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a'.repeat(1024 * 1024 + 1) }));
  await fromSocket('foreign Host', `GET /?Action=StartCasterScene HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
  await fromSocket('malformed HTTP', 'GET / HTTP/1.1\r\nHost: \x01\x02 bad\r\n\r\n');
  await fromSocket('headers too large', `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`);
  for (const reply of replies) assert.ok(reply.status > 0, `${reply.what}: no reply ${reply.raw ?? ''}`);
  return replies;
}

/** A preflight as a browser sends it for a cross-origin request. */
const preflight = (url, requestHeaders) => fetch(url, {
  method: 'OPTIONS',
  headers: {
    origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST',
    ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
  },
});

/** Runs the command line with `args` on port 0; resolves once it prints its address. Killed when the test ends. */
function startCli(t, args) {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => { child.once('exit', (code, signal) => resolve({ code, signal })); });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { output.stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the command line did not start in 10 s: ${output.stderr}`)), 10_000);
    child.stdout.on('data', (d) => {
      output.stdout += d;
      const url = /^aliyun-caster emulator on (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(output.stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output, exited });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the command line exited (${code ?? signal}): ${output.stderr}`));
    });
  });
}

/** Runs the command line expecting it to refuse to start; resolves to its exit code and output (killed after 10 s). */
function runCliToExit(args) {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    output.stdout += d;
    if (/^aliyun-caster emulator on /m.test(output.stdout)) child.kill('SIGKILL'); // started: the wrong outcome
  });
  child.stderr.on('data', (d) => { output.stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// CORS
// ---------------------------------------------------------------------------------------------

test('CORS by default is the gateway\'s: every API reply and every preflight carry exactly its four headers, whatever is asked; nothing is exposed', async (t) => {
  const emulator = await start(t);
  for (const requested of [V3_HEADERS.join(','), 'content-type', 'x-anything-at-all', undefined]) {
    const res = await preflight(emulator.url, requested);
    assert.equal(res.status, 204, `preflight for ${requested}`);
    assert.equal(await res.text(), '');
    assert.deepEqual(corsOf(res.headers), GATEWAY_CORS, `preflight for ${requested}`);
  }
  for (const reply of await everyKindOfReply(emulator)) {
    assert.deepEqual(corsOf(reply.headers), GATEWAY_CORS, `${reply.what} (HTTP ${reply.status})`);
  }
  // The state view is for this machine only: no CORS header at all, whatever the policy.
  const state = await fetch(`${emulator.url}_emulator/state`);
  assert.equal(state.status, 200);
  assert.deepEqual(corsOf(state.headers), {});
});

test('CORS open (createEmulator({ cors: "open" })): a preflight is granted what it asks; Date, x-acs-request-id, x-acs-retry-after and Retry-After are exposed on every API reply', async (t) => {
  const emulator = await start(t, { cors: 'open' });
  const res = await preflight(emulator.url, V3_HEADERS.join(','));
  assert.equal(res.status, 204);
  const cors = corsOf(res.headers);
  assert.equal(cors['access-control-allow-origin'], '*');
  const methods = cors['access-control-allow-methods'].split(',').map((m) => m.trim());
  for (const method of ['GET', 'POST']) assert.ok(methods.includes(method), `allow-methods: ${methods}`);
  // Listed by name: a wildcard would not cover authorization.
  const allowed = cors['access-control-allow-headers'].split(',').map((h) => h.trim().toLowerCase());
  for (const name of V3_HEADERS) assert.ok(allowed.includes(name), `${name} is not allowed: ${allowed}`);

  for (const reply of await everyKindOfReply(emulator)) {
    const replyCors = corsOf(reply.headers);
    assert.equal(replyCors['access-control-allow-origin'], '*', reply.what);
    const exposed = (replyCors['access-control-expose-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase());
    assert.deepEqual(exposed.sort(), [...OPEN_EXPOSED].sort(), `${reply.what}: exposed ${exposed}`);
  }
  const state = await fetch(`${emulator.url}_emulator/state`);
  assert.deepEqual(corsOf(state.headers), {}, 'the state view carries no CORS header under the open policy either');
});

test('an unknown CORS policy: createEmulator throws, and the command line exits 2 naming the values it takes', async (t) => {
  for (const cors of ['Open', 'none', '', 1, null]) {
    assert.throws(() => createEmulator({ config: CONFIG, cors }), /cors/i, `cors: ${JSON.stringify(cors)}`);
  }
  const refused = await runCliToExit(['--cors', 'wide']);
  assert.equal(refused.code, 2, `exit ${refused.code ?? refused.signal}: ${refused.stderr}`);
  assert.match(refused.stderr, /--cors must be "gateway" or "open"/);
  // The flag's two values start it, and its help names the flag.
  for (const value of ['gateway', 'open']) {
    const { url } = await startCli(t, ['--cors', value]);
    const res = await preflight(url, 'authorization');
    assert.equal(corsOf(res.headers)['access-control-allow-headers'] === GATEWAY_CORS['access-control-allow-headers'], value === 'gateway', value);
  }
  const help = await runCliToExit(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--cors gateway\|open/);
});

test('in Chromium, from a page of another origin: by default a v1 POST\'s JSON is read but not Date, and a V3 call fails its preflight; under --cors open all three work', { timeout: 60_000 }, async (t) => {
  // The page: a blank document of another 127.0.0.1 origin; its script sends what Node signed.
  const site = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>another origin</title></head><body></body></html>');
  });
  await new Promise((resolve) => { site.listen(0, '127.0.0.1', resolve); });
  t.after(() => new Promise((resolve) => { site.closeAllConnections(); site.close(resolve); }));
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${site.address().port}/`);

  /** From the page: a v1 POST and a V3 POST to the emulator at `url`; what the script could read. */
  async function fromPage(url) {
    const signFor = (algorithm) => {
      const s = signRequest({ action: 'StartCasterScene', params: { CasterId: 'LIVEPRODUCER_POST-cn-emulator-demo', SceneId: 'demo-pvw-scene-1' },
        ...DEMO_ACCESS_KEY, endpoint: url, signatureAlgorithm: algorithm });
      return { url: s.url, method: s.method, headers: s.headers, body: s.body ?? null };
    };
    return page.evaluate(async (requests) => {
      const out = {};
      for (const [name, r] of Object.entries(requests)) {
        try {
          const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
          out[name] = { status: res.status, body: await res.json(), date: res.headers.get('date'), requestId: res.headers.get('x-acs-request-id') };
        } catch (error) {
          out[name] = { failed: `${error.name}: ${error.message}` };
        }
      }
      return out;
    }, { v1: signFor('v1'), v3: signFor('v3') });
  }
  const apiLines = (output) => output.stdout.split('\n').filter((line) => /^(GET|POST) \d{3} /.test(line));

  const gateway = await startCli(t, []);
  const strict = await fromPage(gateway.url);
  assert.equal(strict.v1.status, 200, JSON.stringify(strict));
  assert.match(strict.v1.body.StreamUrl, /^rtmp:\/\//);
  assert.equal(strict.v1.date, null, 'a page script read Date');
  assert.equal(strict.v1.requestId, null, 'a page script read x-acs-request-id');
  assert.match(strict.v3.failed ?? '', /TypeError/, `the V3 call was not refused by its preflight: ${JSON.stringify(strict.v3)}`);
  await sleep(200); // a log line follows its reply
  assert.deepEqual(apiLines(gateway.output).map((l) => l.split(' ').slice(0, 3).join(' ')), ['POST 200 OK'], 'the V3 request never reached the emulator');

  const open = await startCli(t, ['--cors', 'open']);
  const opened = await fromPage(open.url);
  assert.equal(opened.v1.status, 200, JSON.stringify(opened));
  assert.equal(new Date(opened.v1.date).toUTCString(), opened.v1.date, `Date: ${opened.v1.date}`);
  assert.equal(opened.v1.requestId, opened.v1.body.RequestId);
  assert.equal(opened.v3.status, 200, JSON.stringify(opened.v3));
  assert.match(opened.v3.body.StreamUrl, /^rtmp:\/\//);
  assert.equal(opened.v3.requestId, opened.v3.body.RequestId);
});

// ---------------------------------------------------------------------------------------------
// Throttling
// ---------------------------------------------------------------------------------------------

/** A throttled reply: 400 Throttling.User with both retry headers; returns the wait in ms. */
async function expectThrottled(res, what) {
  const body = await res.json();
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.Code, 'Throttling.User', what);
  const ms = res.headers.get('x-acs-retry-after');
  const seconds = res.headers.get('retry-after');
  assert.match(ms ?? '', /^[1-9]\d*$/, `${what}: x-acs-retry-after ${ms}`);
  assert.ok(Number(ms) <= 1000, `${what}: x-acs-retry-after ${ms} ms is more than the one-second window`);
  assert.equal(seconds, String(Math.ceil(Number(ms) / 1000)), `${what}: Retry-After ${seconds} for ${ms} ms`);
  return Number(ms);
}

test('throttling is per AccessKeyId and per operation: the 11th StartCasterScene in a second is Throttling.User with x-acs-retry-after and Retry-After, an AddCasterVideoResource of the same key in that second is not; after the wait a request passes', async (t) => {
  let clock = Date.parse('2024-05-01T08:00:00Z');
  const { sign } = await start(t, { now: () => clock });
  const starts = (n, opts = {}) => Promise.all(Array.from({ length: n }, () => send(sign('StartCasterScene', SCENE, { timestamp: timestamp(clock), ...opts }))));

  const burst = await starts(10);
  assert.deepEqual(burst.map((r) => r.status), Array(10).fill(200));
  clock += 250;
  const wait = await expectThrottled((await starts(1))[0], '11th StartCasterScene');
  assert.equal(wait, 750, 'the wait is until the first of the ten leaves the one-second window');
  // V3 counts with v1, and is answered with the same headers.
  assert.equal(await expectThrottled((await starts(1, { signatureAlgorithm: 'v3' }))[0], 'V3 StartCasterScene'), 750);

  // The same key, another operation, the same second: its own limit.
  for (let n = 1; n <= 10; n++) {
    const res = await send(sign('AddCasterVideoResource', add(n), { timestamp: timestamp(clock) }));
    assert.equal(res.status, 200, `AddCasterVideoResource ${n}: ${await res.text()}`);
  }
  assert.equal(await expectThrottled(await send(sign('AddCasterVideoResource', add(11), { timestamp: timestamp(clock) })), '11th AddCasterVideoResource'), 1000);
  // Another key is not throttled by this one.
  assert.equal((await send(sign('StartCasterScene', SCENE, { ...OTHER, timestamp: timestamp(clock) }))).status, 200);

  // One millisecond short of the wait: still throttled, now for 1 ms (Retry-After rounds up to 1 s).
  clock += wait - 1;
  assert.equal(await expectThrottled((await starts(1))[0], 'one millisecond early'), 1);
  clock += 1;
  const passed = (await starts(1))[0];
  assert.equal(passed.status, 200, await passed.text());
});

test('throttling with the real clock: a client that waits x-acs-retry-after milliseconds after a throttled reply gets through', { timeout: 30_000 }, async (t) => {
  const { sign } = await start(t);
  const once = () => send(sign('StartCasterScene', SCENE));
  const waits = [];
  // Bounded: at most 40 requests; the first throttled reply comes by the 11th unless a second passes.
  for (let i = 0; i < 40 && waits.length < 3; i++) {
    const res = await once();
    if (res.status === 200) {
      await res.arrayBuffer();
      continue;
    }
    const wait = await expectThrottled(res, `request ${i + 1}`);
    waits.push(wait);
    await sleep(wait);
    const after = await once();
    assert.equal(after.status, 200, `after waiting ${wait} ms: ${await after.text()}`);
  }
  t.diagnostic(`waits given: ${waits.join(', ')} ms`);
  assert.equal(waits.length, 3, 'three throttled replies within 40 requests');
});

// ---------------------------------------------------------------------------------------------
// Request ids
// ---------------------------------------------------------------------------------------------

test('x-acs-request-id: every reply with a RequestId carries the same id in that header (successes, API errors, the HTTP layer\'s refusals, answers on the socket)', async (t) => {
  const emulator = await start(t);
  const replies = await everyKindOfReply(emulator);
  // Throttled, and the state view's refusal of another origin.
  let throttled;
  for (let i = 0; i < 40 && !throttled; i++) {
    const res = await send(emulator.sign('StartCasterScene', SCENE));
    if (res.status === 200) await res.arrayBuffer();
    else throttled = { what: 'Throttling.User', status: res.status, headers: Object.fromEntries(res.headers.entries()), json: await res.json() };
  }
  assert.ok(throttled, 'no throttled reply in 40 requests');
  replies.push(throttled);
  const stateRefusal = await fetch(`${emulator.url}_emulator/state`, { headers: { origin: 'http://evil.example' } });
  replies.push({ what: 'state view refusal', status: stateRefusal.status, headers: Object.fromEntries(stateRefusal.headers.entries()), json: await stateRefusal.json() });

  const ids = new Set();
  for (const reply of replies) {
    assert.ok(reply.json, `${reply.what}: not JSON`);
    assert.match(reply.json.RequestId ?? '', REQUEST_ID, `${reply.what}: RequestId`);
    assert.equal(reply.headers['x-acs-request-id'], reply.json.RequestId, `${reply.what} (HTTP ${reply.status}): x-acs-request-id`);
    ids.add(reply.json.RequestId);
  }
  assert.equal(ids.size, replies.length, 'every reply has its own id');
  t.diagnostic(`${replies.length} kinds of reply: ${replies.map((r) => `${r.what} ${r.status}`).join(', ')}`);
  // The state view itself carries no RequestId, and so no header.
  const state = await fetch(`${emulator.url}_emulator/state`);
  assert.equal((await state.json()).RequestId, undefined);
  assert.equal(state.headers.get('x-acs-request-id'), null);
});

// ---------------------------------------------------------------------------------------------
// A wrong secret
// ---------------------------------------------------------------------------------------------

test('a wrong secret: SignatureDoesNotMatch, 400, whose Message is the gateway\'s words and then exactly the string the client signed (v1 POST and GET, V3), as the vendor SDKs parse it', async (t) => {
  const { sign } = await start(t);
  for (const [what, options] of [['v1 POST', {}], ['v1 GET', { method: 'GET' }], ['V3 POST', { signatureAlgorithm: 'v3' }], ['V3 GET', { signatureAlgorithm: 'v3', method: 'GET' }]]) {
    const signed = sign('StartCasterScene', SCENE, { ...options, accessKeySecret: 'a-wrong-secret' });
    const res = await send(signed);
    const body = await res.json();
    assert.equal(res.status, 400, what);
    assert.equal(body.Code, 'SignatureDoesNotMatch', what);
    assert.equal(body.Message, `${MISMATCH_PREFIX}${signed.stringToSign}`, what);
    // aliyun-python-sdk-core (aliyunsdkcore/client.py): InvalidAccessKeySecret when
    // `string_to_sign == server_error_message.split(':')[1]`: no colon may come before or within it.
    assert.equal(body.Message.split(':')[1], signed.stringToSign, `${what}: as aliyun-python-sdk-core reads it`);
    // alibaba-cloud-sdk-go (sdk/errors/signature_does_not_match_wrapper.go): the text after its MessagePrefix.
    assert.ok(body.Message.startsWith(MISMATCH_PREFIX), what);
    assert.ok(!body.Message.includes('platypus'), `${what}: the secret is in the Message`);
  }
});
