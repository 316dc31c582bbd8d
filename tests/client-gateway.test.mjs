// CasterClient and the console page against what the gateway really does: a throttled reply's
// x-acs-retry-after (milliseconds) and a QPS limit per operation; a SignatureDoesNotMatch whose
// server string to sign equals the client's (only the AccessKeySecret can be wrong); the request
// id in an x-acs-request-id header; and CORS as the gateway grants it (simple v1 requests from any
// origin, no V3 preflight, no response header readable by a page), which hides Date from a
// browser and so makes clock-skew correction impossible there.
//
// Node: real HTTP servers on 127.0.0.1 that answer as the gateway does, the emulator's command
// line, and the edge worker in workerd (miniflare). Browser: Debian's Chromium driven by
// playwright-core, the page served from one 127.0.0.1 origin and the emulator on another.

import { test as nodeTest, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { inspect } from 'node:util';

import { Miniflare } from 'miniflare';

import { CasterClient, CasterError } from 'aliyun-caster';
import { createEmulator } from '../emulator/server.mjs';
import { decodeForm } from './support/reference-signer.mjs';
import { spawnCli } from './support/emulator.mjs';
import { secretForms } from './support/secrets.mjs';
import { ROOT, WORKER } from './support/worker.mjs';
import { launchChromium } from './support/chromium.mjs';

const KEY_ID = 'LTAI5tGatewayTestKey';
const SECRET = 'gAtEwAy/sEcReT+kW7=wombat-9c1d';
const TOKEN = 'CAIS+gAtEwAy/tOkEn==bilby-3e7f';
const START = { CasterId: 'caster-1', SceneId: 'scene-1' };
const ADD = { CasterId: 'caster-1', ResourceName: 'cam', LocationId: 'RV01', LiveStreamUrl: 'rtmp://h/app/s' };
const DEMO_STUDIO = 'LIVEPRODUCER_POST-cn-emulator-demo';

/** Every test gets a time limit: a client that hangs or retries forever fails instead. */
function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 30_000 }, options)
    : nodeTest(name, { timeout: 30_000, ...options }, fn);
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Every CasterError of this file; the last test sweeps them for the secret and the token. */
const ERRORS = [];

async function failure(promise) {
  let error;
  try {
    error = await promise;
  } catch (e) {
    assert.ok(e instanceof CasterError, `not a CasterError: ${inspect(e)}`);
    ERRORS.push(e);
    return e;
  }
  assert.fail(`expected a rejection, got ${inspect(error)}`);
}

// ---- a server that answers as the gateway does ---------------------------------------------------

/**
 * A server on 127.0.0.1:0 that records every request (arrival time, Action) and answers from
 * `script(record)`: { status, headers, json }. `limitPerSecond`: at most that many requests of one
 * AccessKeyId and one Action in any sliding second, else 400 Throttling.User (as the gateway
 * counts). `sendDate: false` leaves the Date header out.
 */
async function startGateway(t, script, { limitPerSecond, sendDate = true } = {}) {
  const requests = [];
  const arrivals = new Map();
  let throttled = 0;
  const server = createServer((req, res) => {
    const arrivedAt = Date.now();
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      const params = { ...decodeForm(query), ...decodeForm(body) };
      const record = { index: requests.length, arrivedAt, params, action: params.Action, headers: req.headers };
      requests.push(record);
      res.sendDate = sendDate;
      let reply;
      if (limitPerSecond !== undefined) {
        const key = `${params.AccessKeyId}\n${params.Action}`;
        const recent = (arrivals.get(key) ?? []).filter((at) => at > arrivedAt - 1000);
        recent.push(arrivedAt);
        arrivals.set(key, recent);
        if (recent.length > limitPerSecond) {
          throttled += 1;
          record.throttled = true;
          reply = { status: 400, json: { RequestId: `t-${record.index}`, Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } };
        }
      }
      reply ??= await script(record);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json;charset=utf-8', ...reply.headers });
      res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
    });
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => { server.close(resolve); });
  });
  return { url: `http://127.0.0.1:${server.address().port}`, requests, get throttled() { return throttled; } };
}

const success = (record) => ({
  json: record.action === 'AddCasterVideoResource'
    ? { RequestId: `req-${record.index}`, ResourceId: `res-${record.index}` }
    : { RequestId: `req-${record.index}`, StreamUrl: 'rtmp://h/live/s' },
});
const throttledOnce = (headers) => (record) => (record.index === 0
  ? { status: 400, headers, json: { RequestId: 'throttled-0', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } }
  : success(record));

function client(url, extra = {}) {
  return new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN, endpoint: url, timeoutMs: 5000, ...extra });
}

/** Runs `fn` with Math.random pinned to 0: the full-jitter backoff is then 0 ms. */
async function withoutJitter(fn) {
  const random = Math.random;
  Math.random = () => 0;
  try {
    return await fn();
  } finally {
    Math.random = random;
  }
}

// ---- throttling ---------------------------------------------------------------------------------

describe('throttling: x-acs-retry-after and a limit per operation', () => {
  test('x-acs-retry-after: 1500 on a Throttling.User reply → the retry arrives ≥ 1.5 s later', async (t) => {
    const gateway = await startGateway(t, throttledOnce({ 'x-acs-retry-after': '1500' }));
    const value = await withoutJitter(() => client(gateway.url).startCasterScene(START));
    assert.equal(value.RequestId, 'req-1');
    assert.equal(gateway.requests.length, 2);
    const gap = gateway.requests[1].arrivedAt - gateway.requests[0].arrivedAt;
    t.diagnostic(`retry ${gap} ms after the throttled reply`);
    assert.ok(gap >= 1500 && gap < 5000, `the retry came ${gap} ms after a reply asking for 1500 ms`);
  });

  test('Retry-After: 1 and x-acs-retry-after: 1800 together → the longer wait, ≥ 1.8 s', async (t) => {
    const gateway = await startGateway(t, throttledOnce({ 'Retry-After': '1', 'x-acs-retry-after': '1800' }));
    await withoutJitter(() => client(gateway.url).startCasterScene(START));
    const gap = gateway.requests[1].arrivedAt - gateway.requests[0].arrivedAt;
    t.diagnostic(`retry ${gap} ms after the throttled reply`);
    assert.ok(gap >= 1800 && gap < 5000, `gap ${gap} ms`);
  });

  test('a malformed x-acs-retry-after (abc, -5, 1.5e3, 0, empty, 12ms) is ignored: the retry is not held', async (t) => {
    for (const value of ['abc', '-5', '1.5e3', '0', '', '12ms']) {
      const gateway = await startGateway(t, throttledOnce({ 'x-acs-retry-after': value }));
      const result = await withoutJitter(() => client(gateway.url).startCasterScene(START));
      assert.equal(result.RequestId, 'req-1', value);
      const gap = gateway.requests[1].arrivedAt - gateway.requests[0].arrivedAt;
      assert.ok(gap < 1000, `x-acs-retry-after ${JSON.stringify(value)}: retried after ${gap} ms`);
    }
  });

  test('the wait a throttled reply asks for holds the other calls of that operation too', async (t) => {
    const gateway = await startGateway(t, throttledOnce({ 'x-acs-retry-after': '1200' }));
    const c = client(gateway.url, { maxQps: 1000 });
    const first = withoutJitter(() => c.startCasterScene(START));
    await sleep(200); // the throttled reply has come back by now
    const second = c.startCasterScene(START);
    await Promise.all([first, second]);
    const [throttled, ...later] = gateway.requests.map((r) => r.arrivedAt);
    const soonest = Math.min(...later) - throttled;
    assert.ok(soonest >= 1150, `a call of the throttled operation went ${soonest} ms after the reply asked for 1200`);
  });

  test('a burst of 20 StartCasterScene and 20 AddCasterVideoResource at once: paced per operation, none throttled', async (t) => {
    // The gateway counts each operation of a key on its own (10 a second for each of these two).
    const gateway = await startGateway(t, success, { limitPerSecond: 10 });
    const c = client(gateway.url, { maxRetries: 3 });
    const started = Date.now();
    const calls = Array.from({ length: 40 }, (_, i) => (i % 2 ? c.addCasterVideoResource({ ...ADD, LocationId: `RV${String(i).padStart(2, '0')}` }) : c.startCasterScene(START)));
    const results = await Promise.allSettled(calls);
    const elapsed = Date.now() - started;
    const failed = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failed.map((r) => r.reason?.code), []);
    const spanOf = (action) => {
      const times = gateway.requests.filter((r) => r.action === action).map((r) => r.arrivedAt);
      return Math.max(...times) - Math.min(...times);
    };
    const startSpan = spanOf('StartCasterScene');
    const addSpan = spanOf('AddCasterVideoResource');
    t.diagnostic(`40 calls in ${elapsed} ms; StartCasterScene spread ${startSpan} ms, AddCasterVideoResource ${addSpan} ms; `
      + `${gateway.throttled} throttled by the gateway`);
    // 20 of one operation at 10 a second take ~2 s; one limiter shared by both operations would
    // take ~4.3 s for the 40.
    assert.ok(startSpan >= 1800 && addSpan >= 1800, 'each operation is paced to its limit');
    assert.ok(elapsed < 3300, `the two operations were paced as one: 40 calls took ${elapsed} ms`);
  });

  test('maxQps: a number for every operation, or an object by operation; anything else is a config error', async (t) => {
    const gateway = await startGateway(t, success);
    const timed = async (c, call, n) => {
      const from = gateway.requests.length;
      await Promise.all(Array.from({ length: n }, () => call(c)));
      const times = gateway.requests.slice(from).map((r) => r.arrivedAt);
      return Math.max(...times) - Math.min(...times);
    };
    const slowStart = client(gateway.url, { maxQps: { StartCasterScene: 4 } });
    const startSpan = await timed(slowStart, (c) => c.startCasterScene(START), 5);
    const addSpan = await timed(slowStart, (c) => c.addCasterVideoResource(ADD), 5);
    assert.ok(startSpan >= 1000, `StartCasterScene at 4 a second: 5 calls over ${startSpan} ms`);
    assert.ok(addSpan < 800, `AddCasterVideoResource kept its documented 10 a second: 5 calls over ${addSpan} ms`);
    const both = client(gateway.url, { maxQps: 4 });
    assert.ok(await timed(both, (c) => c.addCasterVideoResource(ADD), 5) >= 1000, 'a number applies to every operation');

    for (const bad of [0, -1, 1001, NaN, '10', [], { StopCaster: 15 }, { StartCasterScene: 0 }, { StartCasterScene: '5' }]) {
      let error;
      try {
        client(gateway.url, { maxQps: bad });
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof CasterError, `maxQps ${inspect(bad)} was accepted`);
      assert.equal(error.kind, 'config');
      assert.match(error.field, /^maxQps/);
    }
  });
});

// ---- a wrong secret -----------------------------------------------------------------------------

describe('a wrong AccessKeySecret is named', () => {
  let cli;
  let dir;
  const KEYS = {
    plain: { accessKeyId: 'LTAI5tGatewayPlainKey', accessKeySecret: 'the-right-secret-for-plain' },
    sts: { accessKeyId: 'STS.GatewayStsKey', accessKeySecret: 'the-right-secret-for-sts', securityToken: TOKEN },
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caster-gateway-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      accessKeys: Object.values(KEYS),
      casters: [{ casterId: 'caster-1', status: 'started', ingestEndpoints: 2, scenes: [{ sceneId: 'scene-1', type: 'PVW' }] }],
    }));
    cli = await spawnCli({ config });
  });
  after(async () => {
    cli?.child.kill('SIGTERM');
    await Promise.race([cli?.exited, sleep(3000)]);
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, options] of [
    ['v1 POST', {}], ['v1 GET', { method: 'GET' }], ['V3', { signatureAlgorithm: 'v3' }],
  ]) {
    for (const key of ['plain', 'sts']) {
      test(`${label}, ${key} key, against the emulator: InvalidAccessKeySecret, saying the secret is wrong and what the server answered`, async () => {
        const c = new CasterClient({ ...KEYS[key], accessKeySecret: SECRET, endpoint: cli.url, maxQps: 1000, ...options });
        const error = await failure(c.startCasterScene(START));
        assert.equal(error.code, 'InvalidAccessKeySecret');
        assert.equal(error.kind, 'api');
        assert.equal(error.httpStatus, 400);
        assert.equal(error.retryable, false);
        assert.match(error.message, /^the AccessKeySecret is wrong/);
        assert.match(error.message, /SignatureDoesNotMatch/);
        assert.equal(error.serverCode, 'SignatureDoesNotMatch', 'the server\'s own code is kept on the error');
        assert.equal(error.toJSON().serverCode, 'SignatureDoesNotMatch');
        assert.equal(typeof error.requestId, 'string');
        // The right one works: the key and the request are fine.
        const right = new CasterClient({ ...KEYS[key], endpoint: cli.url, maxQps: 1000, ...options });
        assert.equal(typeof (await right.startCasterScene(START)).StreamUrl, 'string');
      });
    }
  }

  test('a SignatureDoesNotMatch whose server string differs (the request was changed on the way) stays SignatureDoesNotMatch', async (t) => {
    const gateway = await startGateway(t, () => ({
      status: 400,
      json: { RequestId: 'r-1', Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Dsomething-else' },
    }));
    const error = await failure(client(gateway.url, { maxQps: 1000 }).startCasterScene(START));
    assert.equal(error.code, 'SignatureDoesNotMatch');
    assert.doesNotMatch(error.message, /AccessKeySecret is wrong/);
  });

  test('a proxy that rewrites one parameter on the way: the emulator\'s SignatureDoesNotMatch is kept', async () => {
    const rewrite = (url, init) => fetch(url, { ...init, body: init.body.replace('SceneId=scene-1', 'SceneId=scene-2') });
    const c = new CasterClient({ ...KEYS.plain, endpoint: cli.url, maxQps: 1000, fetch: rewrite });
    const error = await failure(c.startCasterScene(START));
    assert.equal(error.code, 'SignatureDoesNotMatch');
  });
});

// ---- request ids --------------------------------------------------------------------------------

describe('the request id from the x-acs-request-id header', () => {
  const ID = '5A4F6E10-1C5B-4E3A-9F8A-2B6D0C7E8F91';
  test('a success body without RequestId: the header\'s id', async (t) => {
    const gateway = await startGateway(t, () => ({ headers: { 'x-acs-request-id': ID }, json: { StreamUrl: 'rtmp://h/live/s' } }));
    assert.deepEqual(await client(gateway.url).startCasterScene(START), { RequestId: ID, StreamUrl: 'rtmp://h/live/s' });
  });

  test('an error body without RequestId: the header\'s id on the CasterError', async (t) => {
    const gateway = await startGateway(t, () => ({ status: 404, headers: { 'x-acs-request-id': ID }, json: { Code: 'InvalidCaster.NotFound', Message: 'no' } }));
    const error = await failure(client(gateway.url).startCasterScene(START));
    assert.equal(error.code, 'InvalidCaster.NotFound');
    assert.equal(error.requestId, ID);
  });

  test('the body\'s RequestId wins over the header\'s', async (t) => {
    const gateway = await startGateway(t, () => ({ headers: { 'x-acs-request-id': ID }, json: { RequestId: 'body-id', StreamUrl: 'rtmp://h/s' } }));
    assert.equal((await client(gateway.url).startCasterScene(START)).RequestId, 'body-id');
  });

  test('a header echoing the secret or the token is redacted; one over 256 characters is ignored', async (t) => {
    let header;
    const gateway = await startGateway(t, () => ({ status: 400, headers: { 'x-acs-request-id': header }, json: { Code: 'Bad.Thing', Message: 'm' } }));
    for (const secret of [SECRET, TOKEN]) {
      for (const form of secretForms(secret)) {
        header = `id-${form}-end`;
        const error = await failure(client(gateway.url).startCasterScene(START));
        assert.equal(error.requestId, 'id-<redacted>-end', form);
      }
    }
    header = 'x'.repeat(257);
    assert.equal((await failure(client(gateway.url).startCasterScene(START))).requestId, undefined);
    header = 'x'.repeat(256);
    assert.equal((await failure(client(gateway.url).startCasterScene(START))).requestId, header);
  });
});

// ---- clock skew without a readable Date ---------------------------------------------------------

describe('clock skew when the reply\'s Date cannot be read', () => {
  test('InvalidTimeStamp.Expired without a Date header: the local clock is off, fix it or use the worker proxy; one request', async (t) => {
    const gateway = await startGateway(t, () => ({
      status: 400, headers: { 'x-acs-request-id': 'skew-1' }, json: { Code: 'InvalidTimeStamp.Expired', Message: 'Specified time stamp or date value is expired.' },
    }), { sendDate: false });
    const error = await failure(client(gateway.url).startCasterScene(START));
    assert.equal(error.code, 'InvalidTimeStamp.Expired');
    assert.equal(error.kind, 'api');
    assert.equal(error.retryable, false);
    assert.equal(error.requestId, 'skew-1');
    assert.match(error.message, /local clock is off/);
    assert.match(error.message, /cannot be known/);
    assert.match(error.message, /worker proxy/);
    assert.equal(gateway.requests.length, 1);
  });

  test('through the edge worker in workerd, an emulator 20 minutes ahead: the worker reads Date and corrects', async () => {
    const emulator = createEmulator({
      config: { accessKeys: [{ accessKeyId: KEY_ID, accessKeySecret: SECRET }], casters: [{ casterId: 'caster-1', status: 'started', ingestEndpoints: 2, scenes: [{ sceneId: 'scene-1', type: 'PVW' }] }] },
      now: () => Date.now() + 20 * 60_000,
      log: () => {},
    });
    const port = await emulator.listen(0);
    const mf = new Miniflare({
      ...WORKER,
      bindings: { ACCESS_KEY_ID: KEY_ID, ACCESS_KEY_SECRET: SECRET, PROXY_TOKEN: 'proxy-token-for-the-skew-test', UPSTREAM: `http://127.0.0.1:${port}`, ALLOWED_ORIGINS: 'http://page.example' },
    });
    try {
      await mf.ready;
      const response = await mf.dispatchFetch('http://worker/v1/StartCasterScene', {
        method: 'POST', headers: { authorization: 'Bearer proxy-token-for-the-skew-test', 'content-type': 'application/json' }, body: JSON.stringify(START),
      });
      const reply = await response.json();
      assert.equal(response.status, 200, JSON.stringify(reply));
      assert.equal(typeof reply.StreamUrl, 'string');
    } finally {
      await mf.dispose();
      await emulator.close();
    }
  });
});

// ---- the console page in Chromium, on another origin than the endpoint ------------------------

describe('the console page on another origin than the emulator', () => {
  const STATIC_TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
  let cli;
  let pageServer;
  let pageOrigin;
  let browser;
  const emulatorRequests = []; // what the browser sent to the emulator's origin

  before(async () => {
    cli = await spawnCli();
    // The page and the package, as `npm start` serves them, from a second origin.
    pageServer = createServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      const [root, rest] = path.startsWith('/dist/') ? ['dist', path.slice(6)] : ['www', path === '/' ? 'index.html' : path.slice(1)];
      const relative = normalize(rest);
      try {
        if (relative.startsWith('..')) throw new Error('outside');
        const content = readFileSync(join(ROOT, root, relative));
        res.writeHead(200, { 'content-type': STATIC_TYPES[extname(relative)] ?? 'application/octet-stream' });
        res.end(content);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((resolve) => { pageServer.listen(0, '127.0.0.1', resolve); });
    pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (pageServer) {
      pageServer.closeAllConnections();
      await new Promise((resolve) => { pageServer.close(resolve); });
    }
    cli?.child.kill('SIGTERM');
    await Promise.race([cli?.exited, sleep(3000)]);
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  });

  /** A fresh page on the page origin, connected to the emulator with its demo key. */
  async function openPage({ clockAt } = {}) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    if (clockAt !== undefined) await page.clock.install({ time: clockAt });
    const emulatorOrigin = new URL(cli.url).origin;
    page.on('request', (request) => {
      if (new URL(request.url()).origin === emulatorOrigin) emulatorRequests.push(`${request.method()} ${request.url()}`);
    });
    await page.goto(`${pageOrigin}/`);
    await page.getByRole('status').filter({ hasText: /^Ready/ }).waitFor({ timeout: 10_000 });
    const connection = page.getByRole('region', { name: 'Connection' });
    await connection.getByLabel(/^Endpoint/).fill(cli.url);
    await connection.getByLabel(/^AccessKeyId/).fill('LTAI5tEmulatorDemoKey');
    await connection.getByLabel(/^AccessKeySecret/).fill('emulator-demo-secret-not-a-real-key');
    return { context, page, connection, useButton: connection.getByRole('button', { name: 'Use this connection' }) };
  }

  /** Opens Advanced in the connection (the method and signature live there). */
  async function advanced(page) {
    const edit = page.getByRole('button', { name: 'Edit', exact: true });
    if (await edit.isVisible()) await edit.click();
    if (!(await page.locator('#advanced').evaluate((d) => d.open))) await page.locator('#advanced summary').click();
  }

  /** Uses the connection, picks the demo studio, and returns the start button of its first scene. */
  async function openStudio(page, sceneId) {
    await page.getByRole('button', { name: 'Use this connection' }).click();
    await page.getByRole('combobox', { name: /^Studio/ }).selectOption(DEMO_STUDIO);
    const scene = page.getByRole('list', { name: 'Scenes' }).getByRole('listitem').filter({ hasText: sceneId });
    await scene.waitFor();
    return scene.getByRole('button', { name: /^Start preview scene · StartCasterScene/ });
  }

  /** Clicks `button` and reads the newest log entry of `action` once there is one more. */
  async function sendAndRead(page, button, action) {
    const entries = page.getByRole('log').getByRole('listitem').filter({ has: page.locator('strong', { hasText: new RegExp(`^ ?${action} ?$`) }) });
    const before = await entries.count();
    await button.click();
    await entries.nth(before).waitFor({ timeout: 10_000 });
    return entries.first().evaluate((item) => ({
      className: item.className,
      text: item.textContent,
      fields: Object.fromEntries([...item.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()])),
    }));
  }

  test('V3 in direct mode is explained, not sent (its preflight would fail); v1 from the same page goes through', async () => {
    const { context, page, connection, useButton } = await openPage();
    try {
      await advanced(page);
      await connection.getByRole('radio', { name: /^V3/ }).check();
      const explanation = page.locator('#signatureAlgorithm-error');
      const before = emulatorRequests.length;
      await useButton.click(); // a send tried: the problem is shown, nothing goes out
      await assert.doesNotReject(explanation.filter({ hasText: /preflight/ }).waitFor({ timeout: 3000 }));
      assert.match(await explanation.textContent(), /worker proxy/);
      assert.equal(await explanation.isVisible(), true);
      await sleep(600);
      assert.deepEqual(emulatorRequests.slice(before), [], 'nothing goes to the endpoint, not even a preflight');

      await connection.getByRole('radio', { name: /^v1/ }).check();
      assert.equal(await explanation.textContent(), '');
      const entry = await sendAndRead(page, await openStudio(page, 'demo-pvw-scene-1'), 'StartCasterScene');
      assert.equal(entry.className, 'success', entry.text);
      assert.match(entry.fields.StreamUrl ?? '', /^rtmp:\/\//);
    } finally {
      await context.close();
    }
  });

  test('V3 to the page\'s own origin (no CORS, no preflight) is offered and goes through', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(5000);
      await page.goto(cli.url); // the emulator serves the page: the endpoint is its own origin
      await page.getByRole('status').filter({ hasText: /^Ready/ }).waitFor({ timeout: 10_000 });
      const connection = page.getByRole('region', { name: 'Connection' });
      await advanced(page);
      await connection.getByRole('radio', { name: /^V3/ }).check();
      assert.equal(await page.locator('#signatureAlgorithm-error').textContent(), '');
      const entry = await sendAndRead(page, await openStudio(page, 'demo-pvw-scene-2'), 'StartCasterScene');
      assert.equal(entry.className, 'success', entry.text);
      // The request details show the V3 request as it went out: its canonical request and hex signature.
      await page.locator('#inspector-details summary').click();
      const inspector = await page.getByRole('region', { name: 'Request details' }).textContent();
      assert.match(inspector, /ACS3-HMAC-SHA256\n[0-9a-f]{64}/);
      assert.match(inspector, /StartCasterScene, as sent at/);
    } finally {
      await context.close();
    }
  });

  test('a clock an hour behind, calling the emulator from another origin: InvalidTimeStamp.Expired says the local clock is off', async () => {
    const { context, page, useButton } = await openPage({ clockAt: Date.now() - 60 * 60_000 });
    try {
      const entry = await sendAndRead(page, useButton, 'DescribeCasters');
      assert.equal(entry.className, 'failure', entry.text);
      assert.equal(entry.fields.Code, 'InvalidTimeStamp.Expired');
      assert.match(entry.fields.Message ?? '', /local clock is off/);
      assert.match(entry.fields.Message ?? '', /worker proxy/);
    } finally {
      await context.close();
    }
  });

  test('a wrong secret: the result says the AccessKeySecret is wrong', async () => {
    const { context, page, connection, useButton } = await openPage();
    try {
      await connection.getByLabel(/^AccessKeySecret/).fill('not-the-emulator-secret');
      const entry = await sendAndRead(page, useButton, 'DescribeCasters');
      assert.equal(entry.fields.Code, 'InvalidAccessKeySecret');
      assert.match(entry.text, /the AccessKeySecret is wrong/);
      assert.ok(!entry.text.includes('not-the-emulator-secret'));
    } finally {
      await context.close();
    }
  });
});

test('no error of this file holds the secret or the token, in any form', () => {
  assert.ok(ERRORS.length > 10);
  for (const error of ERRORS) {
    const texts = [error.message, error.stack, JSON.stringify(error), inspect(error, { depth: 5 })].join('\n');
    for (const secret of [SECRET, TOKEN]) {
      for (const form of secretForms(secret)) assert.ok(!texts.includes(form), `${error.code} holds ${form}`);
    }
  }
});
