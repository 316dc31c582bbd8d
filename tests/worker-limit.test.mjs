// The edge worker's global rate limit (a Durable Object per AccessKeyId and operation) and its
// allow-list of operations, in real workerd through miniflare. One Miniflare instance runs the
// worker several times over; each `workers` entry is its own service, so its own isolate with its
// own CasterClient and per-isolate limiter, like two isolates of one deployment:
//   free-a, free-b    no RATE_LIMIT binding: each isolate paces only itself        (same key)
//   paced-a, paced-b  RATE_LIMIT bound to paced-a's RateLimit class: one limiter  (same key)
//   queue             RATE_LIMIT bound to the same class, another key: the bounded wait
//   spy, spy-v3       RATE_LIMIT bound to a recording stand-in: what the object is sent (v1, V3)
//   broken            RATE_LIMIT bound to an object whose every call throws
//   notns             RATE_LIMIT bound to a plain string: not a namespace
//   allow-start       ALLOWED_OPERATIONS "StartCasterScene"
//   allow-bad         ALLOWED_OPERATIONS naming an operation the table lacks
//   allow-blank       ALLOWED_OPERATIONS of no names
// The upstream is a node:http server on 127.0.0.1 that answers success JSON for both operations
// and records each request's arrival time, operation and AccessKeyId.

import { after, before, describe, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

import { Miniflare } from 'miniflare';
import { WORKER } from './support/worker.mjs';

function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 15000 }, options)
    : nodeTest(name, { timeout: 15000, ...options }, fn);
}

const QPS = 10; // both operations' documented limit (the table's `qps`)
const PROXY_TOKEN = 'pxy-T0ken_narwhal-41c2d0e9b7a35f18';
const KEY = { accessKeyId: 'LTAI5tLimitSharedKey', accessKeySecret: 'lMt/sEcReT+2=pangolin-9f3b' };
const QUEUE_KEY = { accessKeyId: 'LTAI5tLimitQueueKey', accessKeySecret: 'qUe/sEcReT+5=echidna-06ad' };
const SPY_KEY = { accessKeyId: 'LTAI5tLimitSpyKey', accessKeySecret: 'sPy/sEcReT+7=okapi-c1d8' };
const SPY_V3_KEY = { accessKeyId: 'LTAI5tLimitSpyV3Key', accessKeySecret: 'sV3/sEcReT+1=tapir-58e0' };
const SECRETS = [KEY.accessKeySecret, QUEUE_KEY.accessKeySecret, SPY_KEY.accessKeySecret, SPY_V3_KEY.accessKeySecret, PROXY_TOKEN];

/** Every request that reached the upstream: { at (ms, performance.now), action, keyId }. */
const ARRIVALS = [];
/** Every worker response of the file: swept for secrets at the end. */
const RESPONSES = [];

let upstream;
let mf;

function startUpstream() {
  const server = createServer(async (req, res) => {
    const at = performance.now();
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const url = new URL(req.url, 'http://upstream');
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const param = (name) => url.searchParams.get(name) ?? form.get(name);
    ARRIVALS.push({ at, action: param('Action') ?? req.headers['x-acs-action'], keyId: param('AccessKeyId') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ RequestId: crypto.randomUUID().toUpperCase(), StreamUrl: 'rtmp://x/y', ResourceId: 'r-1' }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

// A stand-in for the rate-limit object: grants every slot at once and records what it was sent
// and under which name; `GET /records` on its service answers the records.
const SPY_SCRIPT = `
const RECORDS = [];
export class Spy {
  constructor(ctx) { this.ctx = ctx; }
  async fetch(request) {
    RECORDS.push({ name: this.ctx.id.name ?? null, id: this.ctx.id.toString(), url: request.url, method: request.method,
      headers: [...request.headers], body: await request.text() });
    return Response.json({ granted: true, waitMs: 0 });
  }
}
export default { fetch() { return Response.json(RECORDS); } };`;

const BROKEN_SCRIPT = `
export class Broken { async fetch() { throw new Error('the rate-limit object is down'); } }
export default { fetch() { return new Response('none'); } };`;

before(async () => {
  upstream = await startUpstream();
  const env = (key, extra = {}) => ({
    ACCESS_KEY_ID: key.accessKeyId, ACCESS_KEY_SECRET: key.accessKeySecret, PROXY_TOKEN, UPSTREAM: upstream.url,
    REGION_ID: 'cn-shanghai', ...extra,
  });
  const shared = { className: 'RateLimit', scriptName: 'paced-a' };
  mf = new Miniflare({
    workers: [
      { name: 'free-a', ...WORKER, bindings: env(KEY) },
      { name: 'free-b', ...WORKER, routes: ['free-b/*'], bindings: env(KEY) },
      { name: 'paced-a', ...WORKER, routes: ['paced-a/*'], bindings: env(KEY), durableObjects: { RATE_LIMIT: 'RateLimit' } },
      { name: 'paced-b', ...WORKER, routes: ['paced-b/*'], bindings: env(KEY), durableObjects: { RATE_LIMIT: shared } },
      { name: 'queue', ...WORKER, routes: ['queue/*'], bindings: env(QUEUE_KEY), durableObjects: { RATE_LIMIT: shared } },
      { name: 'spy', ...WORKER, routes: ['spy/*'], bindings: env(SPY_KEY), durableObjects: { RATE_LIMIT: { className: 'Spy', scriptName: 'spy-object' } } },
      {
        name: 'spy-v3', ...WORKER, routes: ['spy-v3/*'], bindings: env(SPY_V3_KEY, { SIGNATURE_ALGORITHM: 'v3' }),
        durableObjects: { RATE_LIMIT: { className: 'Spy', scriptName: 'spy-object' } },
      },
      { name: 'spy-object', modules: true, routes: ['spy-object/*'], compatibilityDate: '2026-04-01', script: SPY_SCRIPT },
      { name: 'broken', ...WORKER, routes: ['broken/*'], bindings: env(KEY), durableObjects: { RATE_LIMIT: { className: 'Broken', scriptName: 'broken-object' } } },
      { name: 'broken-object', modules: true, compatibilityDate: '2026-04-01', script: BROKEN_SCRIPT },
      { name: 'notns', ...WORKER, routes: ['notns/*'], bindings: env(KEY, { RATE_LIMIT: 'not-a-namespace' }) },
      { name: 'allow-start', ...WORKER, routes: ['allow-start/*'], bindings: env(KEY, { ALLOWED_OPERATIONS: ' StartCasterScene ' }) },
      { name: 'allow-bad', ...WORKER, routes: ['allow-bad/*'], bindings: env(KEY, { ALLOWED_OPERATIONS: 'StartCasterScene,StopCaster' }) },
      { name: 'allow-blank', ...WORKER, routes: ['allow-blank/*'], bindings: env(KEY, { ALLOWED_OPERATIONS: ' , ' }) },
    ],
  });
  await mf.ready;
}, { timeout: 20000 });

after(async () => {
  await mf?.dispose();
  if (upstream) {
    upstream.server.closeAllConnections();
    await new Promise((resolve) => { upstream.server.close(() => resolve()); });
  }
});

async function call(host, path, { method = 'POST', json, token = PROXY_TOKEN } = {}) {
  const init = { method, headers: { authorization: `Bearer ${token}` } };
  if (json !== undefined) init.body = JSON.stringify(json);
  const res = await mf.dispatchFetch(`http://${host}${path}`, init);
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const out = { status: res.status, headers: Object.fromEntries(res.headers), text, json: body };
  RESPONSES.push({ where: `${method} http://${host}${path}`, ...out });
  return out;
}

const START = { CasterId: 'c-1', SceneId: 's-1' };
const ADD = { CasterId: 'c-1', ResourceName: 'r', LocationId: 'RV01', ImageId: 'img-1' };
const OPERATIONS = { StartCasterScene: START, AddCasterVideoResource: ADD };

/** The most arrivals in any window of one second (each window opening at an arrival). */
function busiestSecond(times) {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** `perHost` concurrent calls of each operation through each host; what reached the upstream. */
async function burst(hosts, perHost, operations) {
  const from = ARRIVALS.length;
  const started = performance.now();
  const results = await Promise.all(hosts.flatMap((host) => operations.flatMap((action) => Array.from({ length: perHost },
    () => call(host, `/v1/${action}`, { json: OPERATIONS[action] })))));
  const seen = ARRIVALS.slice(from);
  return { results, seen, ms: performance.now() - started };
}

describe('the rate limit across isolates', () => {
  test('without a RATE_LIMIT binding, two isolates each pace only themselves: the upstream sees more than 10 a second', async (t) => {
    const { results, seen, ms } = await burst(['free-a', 'free-b'], 12, ['StartCasterScene']);
    assert.deepEqual(results.map((r) => r.status), Array(24).fill(200), results.map((r) => r.text).join('\n'));
    assert.equal(seen.length, 24);
    const most = busiestSecond(seen.map((a) => a.at));
    t.diagnostic(`unbound: 24 calls in ${Math.round(ms)} ms, busiest second upstream ${most}`);
    assert.ok(most > QPS, `the upstream saw at most ${most} requests in a second`);
  });

  test('with RATE_LIMIT, two isolates share one limiter per key and operation: never more than 10 a second of each', async (t) => {
    const { results, seen, ms } = await burst(['paced-a', 'paced-b'], 12, ['StartCasterScene', 'AddCasterVideoResource']);
    assert.deepEqual(results.map((r) => r.status), Array(48).fill(200), results.filter((r) => r.status !== 200).map((r) => r.text).join('\n'));
    const ranges = {};
    for (const action of Object.keys(OPERATIONS)) {
      const times = seen.filter((a) => a.action === action).map((a) => a.at);
      assert.equal(times.length, 24, `${action}: one upstream request per call`);
      const most = busiestSecond(times);
      const gaps = times.sort((a, b) => a - b).slice(1).map((at, i) => at - times[i]);
      t.diagnostic(`bound: ${action} busiest second ${most}, gaps ${Math.round(Math.min(...gaps))}–${Math.round(Math.max(...gaps))} ms`);
      assert.ok(most <= QPS, `${action}: the upstream saw ${most} requests in one second`);
      // Paced, not starved: 24 requests 110 ms apart take about 2.5 s.
      ranges[action] = [times[0], times.at(-1)];
      const span = times.at(-1) - times[0];
      assert.ok(span >= 23 * 100 && span < 5000, `${action}: 24 requests over ${Math.round(span)} ms`);
    }
    // The two operations are limited each on its own, so they ran side by side.
    const [start, add] = Object.values(ranges);
    assert.ok(add[0] < start[1] && start[0] < add[1], 'one operation waited for the other');
    t.diagnostic(`bound: 48 calls in ${Math.round(ms)} ms`);
  });

  test('a wait past 5 s is refused 429 RateLimitQueueFull without taking a slot; the upstream still sees at most 10 a second', async (t) => {
    const { results, seen, ms } = await burst(['queue'], 60, ['StartCasterScene']);
    const statuses = results.map((r) => r.status);
    const refused = results.filter((r) => r.status === 429);
    assert.ok(statuses.every((s) => s === 200 || s === 429), `statuses: ${statuses.join(' ')}`);
    assert.ok(refused.length > 0, 'nothing was refused: the wait is not bounded');
    for (const r of refused) assert.equal(r.json?.Code, 'RateLimitQueueFull', r.text);
    assert.equal(seen.length, results.length - refused.length, 'only the granted calls went upstream');
    assert.ok(busiestSecond(seen.map((a) => a.at)) <= QPS);
    t.diagnostic(`queue: ${seen.length} of 60 sent, ${refused.length} refused, in ${Math.round(ms)} ms`);
    assert.ok(ms < 8000, `the calls took ${Math.round(ms)} ms`);
  });
});

describe('the rate-limit object', () => {
  test('is named by the SHA-256 of the AccessKeyId and the operation, and is never sent the AccessKeyId', async () => {
    const from = ARRIVALS.length;
    const expected = [];
    // v1 carries the operation in Action=, V3 in x-acs-action: both are read.
    for (const [host, key] of [['spy', SPY_KEY], ['spy-v3', SPY_V3_KEY]]) {
      const hash = createHash('sha256').update(key.accessKeyId).digest('hex');
      for (const action of Object.keys(OPERATIONS)) {
        const res = await call(host, `/v1/${action}`, { json: OPERATIONS[action] });
        assert.equal(res.status, 200, `${host} ${action}: ${res.text}`);
        expected.push(`${hash}/${action}`);
      }
    }
    assert.deepEqual(ARRIVALS.slice(from).map((a) => a.action), [...Object.keys(OPERATIONS), ...Object.keys(OPERATIONS)]);
    const records = await (await mf.dispatchFetch('http://spy-object/records')).json();
    assert.deepEqual(records.map((r) => r.name), expected);
    const seen = JSON.stringify(records).toLowerCase();
    for (const form of [SPY_KEY.accessKeyId, SPY_V3_KEY.accessKeyId, SPY_KEY.accessKeySecret, SPY_V3_KEY.accessKeySecret, PROXY_TOKEN,
      'okapi', 'tapir']) {
      assert.ok(!seen.includes(form.toLowerCase()), `the object was sent ${form}`);
    }
  });

  test('an object that fails → 503 RateLimitUnavailable, nothing sent upstream unpaced, nothing leaked', async () => {
    const from = ARRIVALS.length;
    for (const action of Object.keys(OPERATIONS)) {
      const res = await call('broken', `/v1/${action}`, { json: OPERATIONS[action] });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.json.Code, 'RateLimitUnavailable', res.text);
      assert.equal(typeof res.json.Message, 'string');
      assert.ok(!res.text.includes('is down'), `the object's error is passed on: ${res.text}`);
      assert.ok(!res.text.includes(KEY.accessKeyId), res.text);
    }
    assert.equal(ARRIVALS.length - from, 0, 'a request went upstream without a slot');
  });

  test('RATE_LIMIT that is not a Durable Object namespace → 500 WorkerMisconfigured naming the setting; nothing upstream', async () => {
    const from = ARRIVALS.length;
    const res = await call('notns', '/v1/StartCasterScene', { json: START });
    assert.equal(res.status, 500, res.text);
    assert.equal(res.json.Code, 'WorkerMisconfigured');
    assert.ok(res.json.Message.includes('RATE_LIMIT'), res.text);
    assert.equal(ARRIVALS.length - from, 0);
  });
});

describe('ALLOWED_OPERATIONS', () => {
  test('an operation not on the list is 404 NotFound like an unknown path, and the message names only the allowed routes', async () => {
    const from = ARRIVALS.length;
    for (const method of ['POST', 'OPTIONS']) {
      const res = await call('allow-start', '/v1/AddCasterVideoResource', { method, json: method === 'POST' ? ADD : undefined });
      assert.equal(res.status, 404, res.text);
      assert.equal(res.json.Code, 'NotFound');
      assert.ok(!res.text.includes('AddCasterVideoResource'), `the refused route is advertised: ${res.text}`);
      assert.ok(res.json.Message.includes('POST /v1/StartCasterScene'), res.text);
    }
    const other = await call('allow-start', '/v1/Nope', { json: START });
    assert.equal(other.status, 404);
    assert.equal(other.json.Message, (await call('allow-start', '/v1/AddCasterVideoResource', { json: ADD })).json.Message);
    assert.equal(ARRIVALS.length - from, 0);
    const allowed = await call('allow-start', '/v1/StartCasterScene', { json: START });
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.json.StreamUrl, 'rtmp://x/y');
  });

  test('without the setting every operation of the table is served and advertised', async () => {
    for (const action of Object.keys(OPERATIONS)) {
      assert.equal((await call('free-a', `/v1/${action}`, { json: OPERATIONS[action] })).status, 200);
    }
    const res = await call('free-a', '/v1/Nope', { json: START });
    for (const action of Object.keys(OPERATIONS)) assert.ok(res.json.Message.includes(`POST /v1/${action}`), res.text);
  });

  test('a name that is not an operation of the table, or no name at all → 500 WorkerMisconfigured for every path; nothing upstream', async () => {
    const from = ARRIVALS.length;
    for (const host of ['allow-bad', 'allow-blank']) {
      for (const path of ['/v1/StartCasterScene', '/v1/Nope']) {
        const res = await call(host, path, { json: START });
        assert.equal(res.status, 500, `${host} ${path}: ${res.text}`);
        assert.equal(res.json.Code, 'WorkerMisconfigured');
        assert.ok(res.json.Message.includes('ALLOWED_OPERATIONS'), res.text);
        assert.ok(!res.text.includes('StopCaster'), res.text);
      }
    }
    assert.equal(ARRIVALS.length - from, 0);
  });
});

test('no response of this file holds a secret or the proxy token', () => {
  assert.ok(RESPONSES.length > 100, `only ${RESPONSES.length} responses`);
  for (const res of RESPONSES) {
    const whole = `${JSON.stringify(res.headers)}\n${res.text}`;
    for (const secret of SECRETS) {
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
        assert.ok(!whole.includes(form), `${res.where} leaks a secret`);
      }
    }
    assert.ok(!/\n\s+at .+:\d+:\d+/.test(res.text), `${res.where} holds a stack trace`);
  }
});
