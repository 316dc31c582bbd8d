// Load on loopback: 50 concurrent clients against the emulator (its command line, a process of its
// own), then through the edge worker (Miniflare) in front of it, then against an emulator with
// --state that is SIGKILLed while the 50 are adding. Each client adds sources at locations of its
// own, races the others for shared locations, and starts scenes. Afterwards the emulator's state
// must hold every acknowledged source exactly once, nothing that was refused, and nothing else but
// sources whose reply was lost; every reply must be well-formed. Request counts and p50/p99
// latencies are printed, never asserted.
//
// Each client has its own AccessKeyId: the emulator, like the API, allows 10 requests a second
// per key, and CasterClient paces itself to that (maxQps 10), so 50 keys give ~450 requests a
// second. The worker signs with one key of its own and its client paces every caller of the
// isolate to 10 a second: through it, the 50 queue, and that phase runs for a shorter while.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Miniflare } from 'miniflare';
import { CasterClient } from 'aliyun-caster';
import { spawnCli } from './support/emulator.mjs';
import { WORKER } from './support/worker.mjs';

const CLIENTS = 50;
const EMULATOR_SECONDS = 10;
const WORKER_SECONDS = 2;
const KILL_AFTER_SECONDS = 2;
const RESUME_SECONDS = 1;

const keyOf = (i) => ({ accessKeyId: `LTAIload${String(i).padStart(2, '0')}`, accessKeySecret: `load-secret-${i}-wombat` });
const WORKER_KEY = { accessKeyId: 'LTAIloadWorker', accessKeySecret: 'load-worker-secret-wombat' };
const PROXY_TOKEN = 'load-proxy-token-0123456789';
const SHARED = 8; // studios whose locations the clients race for
const SCENE_STUDIOS = 4;
const location = (n) => `RV${String(n).padStart(2, '0')}`;
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;

/** Studios for one run, named with `prefix`: per client two of its own, shared ones, scene ones. */
function studios(prefix) {
  return [
    ...Array.from({ length: CLIENTS * 2 }, (_, i) => ({ casterId: `${prefix}own-${Math.floor(i / 2)}-${i % 2}`, ingestEndpoints: 99 })),
    ...Array.from({ length: SHARED }, (_, i) => ({ casterId: `${prefix}shared-${i}`, ingestEndpoints: 99 })),
    ...Array.from({ length: SCENE_STUDIOS }, (_, i) => ({
      casterId: `${prefix}scenes-${i}`, status: 'started', scenes: Array.from({ length: 5 }, (__, j) => ({ sceneId: `pvw-${j}`, type: 'PVW' })),
    })),
  ];
}

const CONFIG = {
  accessKeys: [...Array.from({ length: CLIENTS }, (_, i) => keyOf(i)), WORKER_KEY],
  casters: [...studios(''), ...studios('w-'), ...studios('k-')],
};

let dir;
let configFile;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'aliyun-caster-load-'));
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(CONFIG));
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// ---------------------------------------------------------------------------------------------
// The load: what each client does, and what came of it
// ---------------------------------------------------------------------------------------------

/**
 * Runs CLIENTS concurrent callers until `stopAt` (or until `stopped()`), each one call at a time:
 * half of them adds at its own next location, a quarter adds racing the others for the location
 * of the current quarter second, a quarter starts a scene, all in the studios named with
 * `prefix`; sources are named with `names` (own locations counted from `ownFrom`).
 * `perform(client, action, params)` resolves to `{ ok: true, value }` or `{ ok: false, code,
 * uncertain }`. Resolves to every op.
 */
async function drive({ prefix, names = prefix, ownFrom = 0, stopAt, stopped = () => false, perform }) {
  const ops = [];
  const started = Date.now();
  const caller = async (client) => {
    let own = ownFrom;
    let n = 0;
    while (Date.now() < stopAt && !stopped()) {
      const r = Math.random();
      const op = { client, at: Date.now(), name: `${names}${client}-${n++}` };
      if (r < 0.5) {
        op.kind = 'own';
        op.action = 'AddCasterVideoResource';
        op.params = { CasterId: `${prefix}own-${client}-${Math.floor(own / 99)}`, ResourceName: op.name, LocationId: location((own % 99) + 1),
          ImageId: `image-${op.name}` };
        own += 1;
      } else if (r < 0.75) {
        const slot = Math.floor((Date.now() - started) / 250);
        op.kind = 'race';
        op.action = 'AddCasterVideoResource';
        op.params = { CasterId: `${prefix}shared-${slot % SHARED}`, ResourceName: op.name, LocationId: location(Math.floor(slot / SHARED) + 1),
          LiveStreamUrl: `rtmp://example.com/live/${op.name}` };
      } else {
        op.kind = 'start';
        op.action = 'StartCasterScene';
        op.params = { CasterId: `${prefix}scenes-${Math.floor(Math.random() * SCENE_STUDIOS)}`, SceneId: `pvw-${Math.floor(Math.random() * 5)}` };
      }
      const t0 = performance.now();
      Object.assign(op, await perform(client, op.action, op.params));
      op.ms = performance.now() - t0;
      ops.push(op);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => caller(i)));
  return ops;
}

/** The outcome of a CasterClient call, for drive(): a lost reply leaves an add uncertain. */
async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, code: error.code, uncertain: error.kind === 'network' || error.kind === 'timeout' };
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

const ms = (v) => `${v.toFixed(1)} ms`;

/** Every reply seen on the wire: latency, status and code; and the ones that were not well-formed. */
function wireStats() {
  return { latencies: [], statuses: {}, codes: {}, malformed: [] };
}

/** Why a reply body is not a well-formed API reply, or undefined. */
function malformed(status, text, { requestId = true } = {}) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return `HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return `HTTP ${status} with JSON that is not an object`;
  if (requestId && !(typeof body.RequestId === 'string' && UUID.test(body.RequestId))) return `HTTP ${status} without a RequestId: ${text}`;
  if (status === 200) {
    if (typeof body.StreamUrl !== 'string' && typeof body.ResourceId !== 'string') return `a success without a value: ${text}`;
  } else if (typeof body.Code !== 'string' || typeof body.Message !== 'string') {
    return `HTTP ${status} without Code and Message: ${text}`;
  }
  return undefined;
}

function noteReply(stats, started, status, text, options) {
  stats.latencies.push(performance.now() - started);
  stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
  let code = 'OK';
  try {
    code = JSON.parse(text).Code ?? 'OK';
  } catch {
    code = 'not JSON';
  }
  stats.codes[code] = (stats.codes[code] ?? 0) + 1;
  const problem = malformed(status, text, options);
  if (problem && stats.malformed.length < 20) stats.malformed.push(problem);
}

/** A fetch for CasterClient that notes every reply it passes on (the real fetch, watched). */
function watchedFetch(stats) {
  return async (url, init) => {
    const started = performance.now();
    const res = await fetch(url, init);
    const text = await res.text();
    noteReply(stats, started, res.status, text);
    return new Response(text, { status: res.status, headers: res.headers });
  };
}

/**
 * Checks the state against the ops: every acknowledged source once, where it was added; none that
 * was refused; none else but those whose reply was lost; one winner per raced location; every
 * scene start answered the scene's stream. Returns counts for the report.
 */
function checkState(state, ops, prefix) {
  const casters = state.casters.filter((c) => c.casterId.startsWith(prefix) && (prefix !== '' || !/^[wk]-/.test(c.casterId)));
  const held = new Map(); // ResourceId → resource
  const byName = new Map();
  for (const caster of casters) {
    assert.equal(new Set(caster.resources.map((r) => r.locationId)).size, caster.resources.length, `${caster.casterId}: a location holds two sources`);
    for (const r of caster.resources) {
      assert.ok(!held.has(r.resourceId), `ResourceId ${r.resourceId} is held twice`);
      held.set(r.resourceId, { ...r, casterId: caster.casterId });
      byName.set(r.resourceName, { ...r, casterId: caster.casterId });
    }
  }
  const adds = ops.filter((op) => op.action === 'AddCasterVideoResource');
  const acked = adds.filter((op) => op.ok);
  const uncertain = adds.filter((op) => !op.ok && op.uncertain);
  for (const op of acked) {
    const r = held.get(op.value.ResourceId);
    assert.ok(r, `the acknowledged add ${op.name} (${op.params.CasterId} ${op.params.LocationId}) is not in the state`);
    assert.equal(r.casterId, op.params.CasterId);
    assert.equal(r.locationId, op.params.LocationId);
    assert.equal(r.resourceName, op.name);
  }
  assert.equal(new Set(acked.map((op) => op.value.ResourceId)).size, acked.length, 'two adds were acknowledged with one ResourceId');
  for (const op of adds.filter((o) => !o.ok && !o.uncertain)) {
    assert.ok(!byName.has(op.name), `the refused add ${op.name} (${op.code}) is in the state`);
  }
  const accounted = new Set([...acked, ...uncertain].map((op) => op.name));
  let lostButHeld = 0;
  for (const r of held.values()) {
    assert.ok(accounted.has(r.resourceName), `${r.resourceName} at ${r.casterId} ${r.locationId} is in the state, but was never added`);
    if (!acked.some((op) => op.name === r.resourceName)) lostButHeld += 1;
  }
  // Races: a location won once at most; the losers were told DuplicateLocationID.
  const races = new Map();
  for (const op of adds.filter((o) => o.kind === 'race')) {
    const key = `${op.params.CasterId} ${op.params.LocationId}`;
    races.set(key, [...(races.get(key) ?? []), op]);
  }
  let contested = 0;
  for (const [key, contenders] of races) {
    const winners = contenders.filter((op) => op.ok);
    assert.ok(winners.length <= 1, `${key} was won by ${winners.length} adds`);
    if (contenders.length > 1) contested += 1;
    for (const op of contenders.filter((o) => !o.ok && !o.uncertain)) {
      assert.ok(['DuplicateLocationID', 'Throttling.User'].includes(op.code), `${op.name} lost ${key} with ${op.code}`);
    }
  }
  for (const op of ops.filter((o) => o.action === 'StartCasterScene' && o.ok)) {
    const scene = casters.find((c) => c.casterId === op.params.CasterId).scenes.find((s) => s.sceneId === op.params.SceneId);
    assert.equal(scene.status, 'inUse');
    assert.equal(op.value.StreamUrl, scene.streamUrl, 'a start answered another stream than the scene\'s');
  }
  return { adds: adds.length, acked: acked.length, uncertain: uncertain.length, lostButHeld, races: races.size, contested };
}

/**
 * Prints what a run did: calls, their latency (with the client's own pacing), the HTTP replies and
 * theirs, the emulator's own handling time (from its log lines, `… <n>ms`), and how busy this
 * process was (all 50 clients share its one thread: their signing and fetching queue there too).
 */
function report(t, label, { ops, stats, seconds, log, busy }) {
  const failed = {};
  for (const op of ops.filter((o) => !o.ok)) failed[op.code] = (failed[op.code] ?? 0) + 1;
  const calls = ops.map((op) => op.ms);
  t.diagnostic(`${label}: ${ops.length} calls by ${CLIENTS} clients in ${seconds.toFixed(1)} s (${(ops.length / seconds).toFixed(0)}/s); `
    + `call latency p50 ${ms(percentile(calls, 50))}, p99 ${ms(percentile(calls, 99))}; failed calls: ${JSON.stringify(failed)}`);
  t.diagnostic(`${label}: ${stats.latencies.length} HTTP replies, latency p50 ${ms(percentile(stats.latencies, 50))}, p99 `
    + `${ms(percentile(stats.latencies, 99))}; statuses ${JSON.stringify(stats.statuses)}; codes ${JSON.stringify(stats.codes)}`);
  const handled = log.map((line) => /^[A-Z]+ \d{3} \S+ \S+ \S+ (\d+)ms$/.exec(line)?.[1]).filter(Boolean).map(Number);
  t.diagnostic(`${label}: the emulator handled ${handled.length} requests in p50 ${percentile(handled, 50)} ms, p99 ${percentile(handled, 99)} ms; `
    + `this process's event loop was busy ${(busy * 100).toFixed(0)}% of the time`);
}

/** The emulator's log lines printed since `from` (an offset into its stdout). */
const logSince = (emulator, from) => emulator.output.stdout.slice(from).split('\n').filter(Boolean);

// ---------------------------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------------------------

let emulator;
after(() => emulator?.child.kill('SIGKILL'));

test(`${CLIENTS} clients, ${EMULATOR_SECONDS} s against the emulator: every acknowledged add held once, every reply well-formed`, { timeout: 60000 }, async (t) => {
  emulator = await spawnCli({ config: configFile });
  const endpoint = emulator.url;
  const stats = wireStats();
  const clients = Array.from({ length: CLIENTS }, (_, i) => new CasterClient({ ...keyOf(i), endpoint, fetch: watchedFetch(stats) }));
  const from = emulator.output.stdout.length;
  const loop = performance.eventLoopUtilization();
  const started = Date.now();
  const ops = await drive({
    prefix: '',
    stopAt: started + EMULATOR_SECONDS * 1000,
    perform: (client, action, params) => settle(action === 'StartCasterScene'
      ? clients[client].startCasterScene(params) : clients[client].addCasterVideoResource(params)),
  });
  const seconds = (Date.now() - started) / 1000;
  report(t, 'emulator', { ops, stats, seconds, log: logSince(emulator, from), busy: performance.eventLoopUtilization(loop).utilization });

  assert.deepEqual(stats.malformed, [], 'replies that are not well-formed');
  const state = await (await fetch(`${endpoint}_emulator/state`)).json();
  const counts = checkState(state, ops, '');
  t.diagnostic(`emulator: ${counts.adds} adds, ${counts.acked} acknowledged, ${counts.uncertain} with the reply lost `
    + `(${counts.lostButHeld} of them held); ${counts.races} raced locations, ${counts.contested} contested`);
  assert.ok(ops.length >= CLIENTS * EMULATOR_SECONDS * 2, `only ${ops.length} calls: the load did not run`);
  assert.ok(counts.contested >= 10, 'the clients hardly raced');
  assert.equal(counts.uncertain, 0, 'replies were lost on loopback with nothing killed');
  const unexpected = ops.filter((op) => !op.ok && op.code !== 'DuplicateLocationID');
  assert.deepEqual(unexpected.map((op) => `${op.name}: ${op.code}`).slice(0, 10), [], 'calls failed for another reason than a lost race');
});

test(`${CLIENTS} callers, ${WORKER_SECONDS} s through the worker in front of the emulator: queued by its 10 QPS, none lost`, { timeout: 60000 }, async (t) => {
  assert.ok(emulator, 'the emulator of the previous test');
  const mf = new Miniflare({
    ...WORKER,
    bindings: { ...{ ACCESS_KEY_ID: WORKER_KEY.accessKeyId, ACCESS_KEY_SECRET: WORKER_KEY.accessKeySecret }, PROXY_TOKEN, UPSTREAM: emulator.url.replace(/\/$/, '') },
  });
  t.after(() => mf.dispose());
  await mf.ready;
  const from = emulator.output.stdout.length;
  const loop = performance.eventLoopUtilization();
  const stats = wireStats();
  const perform = async (client, action, params) => {
    const started = performance.now();
    const res = await mf.dispatchFetch(`http://worker/v1/${action}`, {
      method: 'POST', headers: { authorization: `Bearer ${PROXY_TOKEN}` }, body: JSON.stringify(params),
    });
    const text = await res.text();
    // The worker's own refusals carry no RequestId; an upstream's answer does.
    noteReply(stats, started, res.status, text, { requestId: res.status === 200 || /"RequestId"/.test(text) });
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, code: 'not JSON', uncertain: true };
    }
    if (res.status === 200) return { ok: true, value: body };
    return { ok: false, code: body.Code, uncertain: res.status === 502 || res.status === 504 };
  };
  const started = Date.now();
  const ops = await drive({ prefix: 'w-', stopAt: started + WORKER_SECONDS * 1000, perform });
  const seconds = (Date.now() - started) / 1000;
  const upstream = logSince(emulator, from);
  report(t, 'worker', { ops, stats, seconds, log: upstream, busy: performance.eventLoopUtilization(loop).utilization });

  assert.deepEqual(stats.malformed, [], 'replies that are not well-formed');
  const state = await (await fetch(`${emulator.url}_emulator/state`)).json();
  const counts = checkState(state, ops, 'w-');
  t.diagnostic(`worker: ${counts.adds} adds, ${counts.acked} acknowledged, ${counts.uncertain} with the reply lost; `
    + `${counts.races} raced locations, ${counts.contested} contested`);
  assert.ok(ops.length >= CLIENTS, `only ${ops.length} calls`);
  assert.equal(counts.uncertain, 0);
  const unexpected = ops.filter((op) => !op.ok && op.code !== 'DuplicateLocationID');
  assert.deepEqual(unexpected.map((op) => `${op.name}: ${op.code}`).slice(0, 10), [], 'calls failed for another reason than a lost race');
  // The isolate paced its one key: the emulator never had to throttle it, and saw each call once.
  assert.ok(!upstream.some((line) => line.includes('Throttling')), 'the emulator throttled the worker');
  assert.equal(upstream.length, ops.length, 'the emulator did not see each call through the worker exactly once');
});

test(`SIGKILL while ${CLIENTS} clients add (--state): the file parses and holds every acknowledged add; a restart serves them`, { timeout: 60000 }, async (t) => {
  emulator?.child.kill('SIGTERM');
  const stateFile = join(dir, 'state.json');
  let running = await spawnCli({ config: configFile, state: stateFile });
  t.after(() => running.child.kill('SIGKILL'));
  const stats = wireStats();
  let killed = false;
  const clientsFor = (endpoint) => Array.from({ length: CLIENTS }, (_, i) => new CasterClient({
    ...keyOf(i), endpoint, fetch: watchedFetch(stats), maxRetries: 1,
  }));
  let clients = clientsFor(running.url);
  const perform = (client, action, params) => settle(action === 'StartCasterScene'
    ? clients[client].startCasterScene(params) : clients[client].addCasterVideoResource(params));

  // Kill it in the middle of the load; the clients notice by their connections failing.
  const loop = performance.eventLoopUtilization();
  const started = Date.now();
  const timer = setTimeout(() => { killed = true; running.child.kill('SIGKILL'); }, KILL_AFTER_SECONDS * 1000);
  const ops = await drive({ prefix: 'k-', stopAt: started + 60_000, stopped: () => killed, perform });
  clearTimeout(timer);
  assert.equal((await running.exited).signal, 'SIGKILL');
  const onDisk = JSON.parse(readFileSync(stateFile, 'utf8')); // whole: it parses
  const atKill = checkState(onDisk, ops, 'k-');
  report(t, 'killed emulator', {
    ops, stats, seconds: (Date.now() - started) / 1000, log: logSince(running, 0), busy: performance.eventLoopUtilization(loop).utilization,
  });
  t.diagnostic(`at the kill: ${atKill.acked} adds acknowledged and on disk, ${atKill.uncertain} in flight (${atKill.lostButHeld} of them on disk)`);
  assert.ok(atKill.acked >= 100, `only ${atKill.acked} adds were acknowledged before the kill`);

  // Restarted on the same file: it serves what the file holds, and takes more.
  running = await spawnCli({ config: configFile, state: stateFile });
  clients = clientsFor(running.url);
  const served = await (await fetch(`${running.url}_emulator/state`)).json();
  assert.deepEqual(served.casters, onDisk.casters, 'the restarted emulator does not serve what the file holds');
  // On at locations of their own past those of the first run (a client makes ~20 calls a second).
  const more = await drive({ prefix: 'k-', names: 'k-again-', ownFrom: 20 * KILL_AFTER_SECONDS, stopAt: Date.now() + RESUME_SECONDS * 1000, perform });
  running.child.kill('SIGTERM');
  assert.equal((await running.exited).code, 0);
  const all = [...ops, ...more];
  const resumed = checkState(JSON.parse(readFileSync(stateFile, 'utf8')), all, 'k-');
  t.diagnostic(`after the restart: ${more.length} more calls; ${resumed.acked} adds acknowledged in all, every one on disk`);
  assert.deepEqual(stats.malformed, [], 'replies that are not well-formed');
});
