// The emulator's --state file under failure: a full disk, a read-only disk, bad state files, a
// state file that does not match --config, two emulators on one file, what a SIGKILLed emulator
// leaves behind. Every test runs the emulator's command line as a child process.
//
// The disk tests need a real small disk: the emulator runs in a mount namespace of its own
// (unshare -m, util-linux; root) on a tmpfs. A `sleep` owns the namespace, so that the tmpfs
// outlives an emulator and the next one restarts on the same files; emulators enter it with
// `nsenter -t <sleep> -m`, and the test reads its files through /proc/<sleep>/root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { signRequest } from 'aliyun-caster';
import { runCliToExit, spawnCli } from './support/emulator.mjs';

const KEYS = Array.from({ length: 20 }, (_, i) => ({
  accessKeyId: `LTAIdurable${String(i).padStart(2, '0')}`,
  accessKeySecret: `durable-secret-${i}-platypus`,
}));
const location = (n) => `RV${String(n).padStart(2, '0')}`;
const REPLY_FIELDS = ['Code', 'HostId', 'Message', 'Recommend', 'RequestId'];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A temporary directory, removed when the test ends. */
function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'aliyun-caster-durability-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A config file with the test keys and these studios; returns its path. */
function writeConfig(dir, casters, name = 'config.json') {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ accessKeys: KEYS, casters }));
  return file;
}

let signed = 0;
/** Signs and sends one call (each with the next key: the emulator allows 10 a second per key). */
async function call(url, action, params) {
  const request = signRequest({ action, params, ...KEYS[signed++ % KEYS.length], endpoint: url.slice(0, -1) });
  const res = await fetch(request.url, {
    method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}
const addSource = (url, add) => call(url, 'AddCasterVideoResource', add);

async function served(url) {
  const res = await fetch(`${url}_emulator/state`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return (await res.json()).casters;
}

/** The sources of one studio, by location. */
function sourcesOf(casters, casterId) {
  const caster = casters.find((c) => c.casterId === casterId);
  assert.ok(caster, `no studio ${casterId}`);
  return new Map(caster.resources.map((r) => [r.locationId, r]));
}

/** A 500 InternalError with the usual body, which says nothing of the disk. */
function assertInternalError(reply, dir) {
  assert.equal(reply.status, 500, reply.text);
  assert.equal(reply.body.Code, 'InternalError');
  assert.deepEqual(Object.keys(reply.body).sort(), REPLY_FIELDS);
  assert.ok(!reply.text.includes(dir) && !/\b(?:ENOSPC|EROFS|EIO|EFBIG|EDQUOT|EACCES)\b/.test(reply.text), `the reply tells of the disk: ${reply.text}`);
}

/** Stops an emulator with SIGTERM: a clean exit. */
async function stop(running) {
  running.child.kill('SIGTERM');
  const { code } = await running.exited;
  assert.equal(code, 0, `SIGTERM: exit ${code}: ${running.output.stderr}`);
}

/** A mount namespace with a tmpfs of `size` on a new empty directory, owned by a `sleep`. */
async function tmpfsNamespace(t, size) {
  const dir = tempDir(t);
  const holder = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    'mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$0" && echo mounted && exec sleep 600', dir, size], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => holder.kill('SIGKILL'));
  let out = '';
  let err = '';
  holder.stdout.setEncoding('utf8');
  holder.stderr.setEncoding('utf8');
  holder.stderr.on('data', (d) => { err += d; });
  await new Promise((resolve, reject) => {
    const cannot = (why) => reject(new Error('cannot make a mount namespace with a tmpfs (unshare -m and mount -t tmpfs, '
      + `from util-linux; this test needs root): ${why}`));
    const timer = setTimeout(() => cannot('no answer in 10 s'), 10_000);
    holder.stdout.on('data', (d) => {
      out += d;
      if (out.includes('mounted\n')) { clearTimeout(timer); resolve(); }
    });
    holder.once('error', (error) => { clearTimeout(timer); cannot(error.message); });
    holder.once('exit', (code) => { clearTimeout(timer); cannot(`exit ${code}: ${err}`); });
  });
  const prefix = ['nsenter', '-t', String(holder.pid), '-m', '--'];
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    prefix,
    /** A path inside the namespace's tmpfs, as this process reads it. */
    inside: (name = '') => `/proc/${holder.pid}/root${dir}/${name}`,
    /** Runs a command in the namespace; it must succeed. */
    run(...args) {
      const result = spawnSync(prefix[0], [...prefix.slice(1), ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.error?.message ?? result.stderr}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A full disk, a read-only disk
// ---------------------------------------------------------------------------------------------

test('a full disk: no add is acknowledged that is not on disk, the state file is never torn or shortened, '
  + 'a restart serves exactly the acknowledged adds, and a refused add succeeds once there is room', { timeout: 90_000 }, async (t) => {
  // 64 KB, 16 of them taken by a file that is removed at the end: the state (~1.1 KB an add)
  // fills the rest after about 20 adds, counting the temporary copy each write makes.
  const ns = await tmpfsNamespace(t, '64k');
  writeFileSync(ns.inside('filler'), Buffer.alloc(16 * 1024, 'f'));
  const configFile = writeConfig(tempDir(t), [{ casterId: 'caster-full', ingestEndpoints: 99 }]);
  let running = await spawnCli({ config: configFile, state: ns.stateFile, prefix: ns.prefix });
  t.after(() => running.child.kill('SIGKILL'));

  const adds = Array.from({ length: 60 }, (_, i) => ({
    CasterId: 'caster-full', ResourceName: `source ${i} ${'n'.repeat(1000)}`, LocationId: location(i + 1), VodUrl: `https://example.com/${i}.mp4`,
  }));
  const acked = new Map(); // LocationId → ResourceId
  const refused = [];
  let longest = 0;
  for (const add of adds) {
    const reply = await addSource(running.url, add);
    if (reply.status === 200) {
      acked.set(add.LocationId, reply.body.ResourceId);
    } else {
      assertInternalError(reply, ns.dir);
      refused.push(add);
    }
    // After every reply: the file parses, is never shorter than before (sources are only added),
    // holds exactly the acknowledged adds, and is what the emulator serves.
    const text = readFileSync(ns.inside('state.json'), 'utf8');
    let onDisk;
    assert.doesNotThrow(() => { onDisk = JSON.parse(text); }, `after ${acked.size} acknowledged and ${refused.length} refused adds the state file is torn (${text.length} bytes)`);
    assert.ok(text.length >= longest, `the state file shrank from ${longest} to ${text.length} bytes`);
    longest = text.length;
    const held = sourcesOf(onDisk.casters, 'caster-full');
    assert.deepEqual(new Map([...held].map(([loc, r]) => [loc, r.resourceId])), acked, 'the file does not hold exactly the acknowledged adds');
    assert.deepEqual(await served(running.url), onDisk.casters, 'the emulator serves something else than its file holds');
  }
  t.diagnostic(`64 KB tmpfs: ${acked.size} adds acknowledged, ${refused.length} refused with InternalError; state file ${longest} bytes`);
  assert.ok(acked.size >= 10 && refused.length >= 10, `the disk did not fill mid-way: ${acked.size} acknowledged, ${refused.length} refused`);
  assert.match(running.output.stdout, /state: cannot write .*\(ENOSPC\)/, 'no log line says why the state could not be written');
  // Failed writes gave their space back: no temporary file is left.
  assert.deepEqual(readdirSync(ns.inside()).sort(), ['filler', 'state.json', 'state.json.lock']);

  // Restarted on the same file: exactly the acknowledged adds, none of the refused.
  await stop(running);
  assert.ok(!existsSync(ns.inside('state.json.lock')), 'a clean stop leaves its lock');
  running = await spawnCli({ config: configFile, state: ns.stateFile, prefix: ns.prefix });
  const restarted = sourcesOf(await served(running.url), 'caster-full');
  assert.deepEqual(new Map([...restarted].map(([loc, r]) => [loc, r.resourceId])), acked);

  // Room again: the first refused add succeeds, and is on disk.
  unlinkSync(ns.inside('filler'));
  const [retry] = refused;
  const reply = await addSource(running.url, retry);
  assert.equal(reply.status, 200, reply.text);
  assert.match(reply.body.ResourceId, /^[0-9a-f-]{36}$/);
  const onDisk = JSON.parse(readFileSync(ns.inside('state.json'), 'utf8'));
  assert.equal(sourcesOf(onDisk.casters, 'caster-full').get(retry.LocationId)?.resourceId, reply.body.ResourceId);
  await stop(running);
});

test('a read-only disk: a failed write is not applied in memory; the retry succeeds once the disk is writable', { timeout: 60_000 }, async (t) => {
  const ns = await tmpfsNamespace(t, '1m');
  const configFile = writeConfig(tempDir(t), [
    { casterId: 'caster-ro', status: 'started', ingestEndpoints: 99, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }] },
  ]);
  let running = await spawnCli({ config: configFile, state: ns.stateFile, prefix: ns.prefix });
  t.after(() => running.child.kill('SIGKILL'));
  const add = (n) => ({ CasterId: 'caster-ro', ResourceName: `source ${n}`, LocationId: location(n), ImageId: `image-${n}` });

  const first = await addSource(running.url, add(1));
  assert.equal(first.status, 200, first.text);

  ns.run('mount', '-o', 'remount,ro', ns.dir);
  assertInternalError(await addSource(running.url, add(2)), ns.dir);
  assertInternalError(await call(running.url, 'StartCasterScene', { CasterId: 'caster-ro', SceneId: 'pvw-1' }), ns.dir);
  // Ten adds for one free location at once: none is acknowledged, and none is told the location
  // is taken (by an add whose write failed).
  const raced = await Promise.all(Array.from({ length: 10 }, () => addSource(running.url, add(3))));
  for (const reply of raced) assertInternalError(reply, ns.dir);
  let casters = await served(running.url);
  assert.deepEqual([...sourcesOf(casters, 'caster-ro').keys()], ['RV01'], 'a refused add is held in memory');
  assert.equal(casters[0].scenes[0].status, 'idle', 'a refused scene start is held in memory');
  assert.match(running.output.stdout, /state: cannot write .*\(EROFS\)/);

  ns.run('mount', '-o', 'remount,rw', ns.dir);
  const retried = await addSource(running.url, add(2));
  assert.equal(retried.status, 200, `the retry once the disk is writable: ${retried.text}`);
  assert.match(retried.body.ResourceId, /^[0-9a-f-]{36}$/);
  const third = await addSource(running.url, add(3));
  assert.equal(third.status, 200, third.text);
  const scene = await call(running.url, 'StartCasterScene', { CasterId: 'caster-ro', SceneId: 'pvw-1' });
  assert.equal(scene.status, 200, scene.text);

  await stop(running);
  running = await spawnCli({ config: configFile, state: ns.stateFile, prefix: ns.prefix });
  casters = await served(running.url);
  const held = sourcesOf(casters, 'caster-ro');
  assert.deepEqual([...held.keys()].sort(), ['RV01', 'RV02', 'RV03']);
  assert.equal(held.get('RV01').resourceId, first.body.ResourceId);
  assert.equal(held.get('RV02').resourceId, retried.body.ResourceId);
  assert.equal(held.get('RV03').resourceId, third.body.ResourceId);
  assert.equal(casters[0].scenes[0].status, 'inUse');
  await stop(running);
});

// ---------------------------------------------------------------------------------------------
// Bad state files, and a state file that does not match the config
// ---------------------------------------------------------------------------------------------

const RESOURCE_ID = randomUUID();
/** A valid state file, as the emulator writes it. */
const goodState = () => ({
  casters: [
    {
      casterId: 'caster-a',
      status: 'started',
      ingestEndpoints: 4,
      scenes: [
        { sceneId: 'pvw-1', type: 'PVW', status: 'inUse', streamUrl: 'rtmp://emulator.localhost/caster/caster-a/pvw-1' },
        { sceneId: 'pgm', type: 'PGM', status: 'idle' },
      ],
      resources: [
        { resourceId: RESOURCE_ID, resourceName: 'intro', locationId: 'RV01', VodUrl: 'https://example.com/intro.mp4', RepeatNum: '-1' },
      ],
    },
    { casterId: 'caster-b', status: 'idle', ingestEndpoints: 2, scenes: [], resources: [] },
  ],
});
const A = (s) => s.casters[0];
const B = (s) => s.casters[1];

/** [what is wrong, the text of the file or a change to the good state, what the message must say] */
const BAD_STATES = [
  ['a null studio', '{"casters":[null]}', 'casters[0] must be an object'],
  ['a syntax error', '{"casters":[{"casterId":"caster-a",', 'is not valid JSON'],
  ['an empty file', '', 'is not valid JSON'],
  ['not an object', '[]', 'the top level must be an object'],
  ['no studios array', '{"casters":{}}', '"casters" must be an array'],
  ['an unknown top-level field', (s) => { s.version = 2; }, 'unknown field "version"'],
  ['a studio without sources', (s) => { delete B(s).resources; }, 'casters[1].resources must be an array'],
  ['a studio without status', (s) => { delete B(s).status; }, 'casters[1].status must be "idle" or "started"'],
  ['a studio status', (s) => { A(s).status = 'paused'; }, 'casters[0].status must be'],
  ['ingest endpoints not a number', (s) => { A(s).ingestEndpoints = '4'; }, 'casters[0].ingestEndpoints must be a whole number'],
  ['ingest endpoints below 0', (s) => { B(s).ingestEndpoints = -1; }, 'casters[1].ingestEndpoints must be a whole number'],
  ['a studio id with a space', (s) => { B(s).casterId = 'caster b'; }, 'casters[1].casterId must be an ID'],
  ['a studio listed twice', (s) => { B(s).casterId = 'caster-a'; }, 'casters[1].casterId caster-a is listed twice'],
  ['an unknown studio field', (s) => { A(s).region = 'cn-shanghai'; }, 'casters[0] has an unknown field "region"'],
  ['scenes not an array', (s) => { B(s).scenes = null; }, 'casters[1].scenes must be an array'],
  ['a scene type', (s) => { A(s).scenes[1].type = 'XYZ'; }, 'casters[0].scenes[1].type must be "PVW" or "PGM"'],
  ['a scene status', (s) => { A(s).scenes[1].status = 'running'; }, 'casters[0].scenes[1].status must be "idle" or "inUse"'],
  ['a scene listed twice', (s) => { A(s).scenes[1].sceneId = 'pvw-1'; A(s).scenes[1].type = 'PVW'; }, 'casters[0].scenes[1].sceneId pvw-1 is listed twice'],
  ['a scene in use with another stream URL', (s) => { A(s).scenes[0].streamUrl = 'rtmp://elsewhere/x'; }, "casters[0].scenes[0].streamUrl is not the scene's stream URL"],
  ['a PGM scene in use', (s) => { Object.assign(A(s).scenes[1], { status: 'inUse', streamUrl: 'rtmp://emulator.localhost/caster/caster-a/pgm' }); }, 'casters[0].scenes[1] is in use, but only a PVW scene'],
  ['an idle scene with a stream URL', (s) => { A(s).scenes[1].streamUrl = 'rtmp://x/y'; }, 'casters[0].scenes[1].streamUrl is only for a scene in use'],
  ['a null source', (s) => { A(s).resources.push(null); }, 'casters[0].resources[1] must be an object'],
  ['a source id that is not a UUID', (s) => { A(s).resources[0].resourceId = 'r-1'; }, 'casters[0].resources[0].resourceId must be a UUID'],
  ['a source id listed twice', (s) => { B(s).resources.push({ ...A(s).resources[0], locationId: 'RV02' }); }, `casters[1].resources[0].resourceId ${RESOURCE_ID} is listed twice`],
  ['a source without a name', (s) => { delete A(s).resources[0].resourceName; }, 'casters[0].resources[0].resourceName must be a string'],
  ['a location out of range', (s) => { A(s).resources[0].locationId = 'RV00'; }, 'casters[0].resources[0] is not a valid video source'],
  ['two sources at one location', (s) => { A(s).resources.push({ ...A(s).resources[0], resourceId: randomUUID() }); }, 'casters[0].resources[1].locationId RV01 holds two video sources'],
  ['more sources than ingest endpoints', (s) => {
    B(s).resources = [1, 2, 3].map((n) => ({ resourceId: randomUUID(), resourceName: 'x', locationId: location(n), ImageId: 'i' }));
  }, 'casters[1] holds 3 video sources, more than its 2 ingest endpoints'],
  ['a source with two videos', (s) => { A(s).resources[0].ImageId = 'image-1'; }, 'casters[0].resources[0] is not a valid video source: give exactly one video source'],
  ['a source with no video', (s) => { delete A(s).resources[0].VodUrl; delete A(s).resources[0].RepeatNum; }, 'casters[0].resources[0] is not a valid video source'],
  ['a number where the wire gave a string', (s) => { A(s).resources[0].RepeatNum = -1; }, 'casters[0].resources[0].RepeatNum must be a string'],
  ['an unknown source field', (s) => { A(s).resources[0].vodUrl = 'https://example.com/x.mp4'; }, 'casters[0].resources[0] has an unknown field "vodUrl"'],
  ['a source filed under another studio', (s) => { A(s).resources[0].CasterId = 'caster-b'; }, 'casters[0].resources[0] has an unknown field "CasterId"'],
];

test('bad state files are refused at start: exit 2, with the file\'s name and the problem, and nothing is changed', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  // The control: the good state file starts, and is served as it is.
  const goodFile = join(dir, 'good.json');
  writeFileSync(goodFile, JSON.stringify(goodState()));
  const running = await spawnCli({ state: goodFile });
  t.after(() => running.child.kill('SIGKILL'));
  assert.deepEqual(await served(running.url), goodState().casters);
  await stop(running);

  const started = [];
  for (const [i, [what, bad, problem]] of BAD_STATES.entries()) {
    const file = join(dir, `bad-${i}.json`);
    let text = bad;
    if (typeof bad === 'function') {
      const state = goodState();
      bad(state);
      text = JSON.stringify(state);
    }
    writeFileSync(file, text);
    const result = await runCliToExit({ state: file });
    if (result.started) {
      started.push(what);
      continue;
    }
    assert.equal(result.code, 2, `${what}: exit ${result.code ?? result.signal}: ${result.stderr}`);
    assert.ok(result.stderr.includes(file), `${what}: the message does not name the file: ${result.stderr}`);
    assert.ok(result.stderr.includes(problem), `${what}: the message does not say "${problem}": ${result.stderr}`);
    assert.equal(readFileSync(file, 'utf8'), text, `${what}: the file was changed`);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith(`bad-${i}.`)), [`bad-${i}.json`], `${what}: a lock or another file is left`);
  }
  assert.deepEqual(started, [], 'the emulator started on these bad state files');
  t.diagnostic(`${BAD_STATES.length} bad state files refused`);

  // Not a file: a directory, and a FIFO that no one writes to (reading it would wait forever).
  const fifo = join(dir, 'fifo.json');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  for (const [what, file] of [['a directory', dir], ['a FIFO', fifo]]) {
    const began = Date.now();
    const result = await runCliToExit({ state: file, timeoutMs: 5_000 });
    assert.ok(!result.started, `${what}: started`);
    assert.equal(result.code, 2, `${what}: exit ${result.code ?? result.signal} after ${Date.now() - began} ms: ${result.stderr}`);
    assert.ok(result.stderr.includes(`${file} is not a regular file`), `${what}: ${result.stderr}`);
  }

  // The parser's message quotes the text: a file's stream URLs (and their auth keys) must not be.
  const secretUrl = 'rtmp://example.com/live?auth_key=echidna-7781';
  const torn = join(dir, 'torn.json');
  writeFileSync(torn, `{"casters":[{"resources":[{"LiveStreamUrl":"${secretUrl}"}}]`);
  const result = await runCliToExit({ state: torn });
  assert.equal(result.code, 2);
  assert.ok(!result.stderr.includes('echidna'), `the message quotes the file: ${result.stderr}`);
});

test('--config and an existing --state: a state file with other studios than the config is refused, naming both files', { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const casters = [{ casterId: 'caster-a', status: 'started', ingestEndpoints: 4, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }] }];
  const configFile = writeConfig(dir, casters);
  const stateFile = join(dir, 'state.json');

  // An empty state file would silently drop the config's studios.
  writeFileSync(stateFile, '{"casters":[]}');
  let result = await runCliToExit({ config: configFile, state: stateFile });
  assert.ok(!result.started, 'started on a state file without the config\'s studios');
  assert.equal(result.code, 2, result.stderr);
  assert.ok(result.stderr.includes(stateFile) && result.stderr.includes(configFile), `not both files named: ${result.stderr}`);
  assert.match(result.stderr, /studio "caster-a" of the config is not in the state file/);

  // A state file made from this config starts (and holds what was added) ...
  rmSync(stateFile);
  let running = await spawnCli({ config: configFile, state: stateFile });
  t.after(() => running.child.kill('SIGKILL'));
  const added = await addSource(running.url, { CasterId: 'caster-a', ResourceName: 'x', LocationId: 'RV01', ImageId: 'i' });
  assert.equal(added.status, 200, added.text);
  await stop(running);
  running = await spawnCli({ config: configFile, state: stateFile });
  assert.equal(sourcesOf(await served(running.url), 'caster-a').get('RV01').resourceId, added.body.ResourceId);
  await stop(running);

  // ... but not with a config that changed a studio, or names another.
  for (const [what, other, problem] of [
    ['more ingest endpoints', [{ ...casters[0], ingestEndpoints: 8 }], 'studio "caster-a" differs'],
    ['another scene', [{ ...casters[0], scenes: [{ sceneId: 'pvw-2', type: 'PVW' }] }], 'studio "caster-a" differs'],
    ['one more studio', [...casters, { casterId: 'caster-new' }], 'studio "caster-new" of the config is not in the state file'],
    ['another studio', [{ ...casters[0], casterId: 'caster-z' }], 'studio "caster-z" of the config is not in the state file'],
  ]) {
    const otherConfig = writeConfig(dir, other, 'other.json');
    result = await runCliToExit({ config: otherConfig, state: stateFile });
    assert.ok(!result.started, `${what}: started`);
    assert.equal(result.code, 2, `${what}: ${result.stderr}`);
    assert.ok(result.stderr.includes(stateFile) && result.stderr.includes(otherConfig), `${what}: not both files named: ${result.stderr}`);
    assert.ok(result.stderr.includes(problem), `${what}: ${result.stderr}`);
  }
  // Without --config, the state file's studios are served as they are.
  running = await spawnCli({ state: stateFile });
  assert.deepEqual((await served(running.url)).map((c) => c.casterId), ['caster-a']);
  await stop(running);
});

test('a --config that is not JSON: exit 2, naming the file, never quoting it (it holds the secrets)', async (t) => {
  const dir = tempDir(t);
  const configFile = join(dir, 'config.json');
  // An unquoted value: the parser's message would quote the text around it.
  writeFileSync(configFile, '{"accessKeys":[{"accessKeyId":"LTAIx","accessKeySecret":numbat-secret-4471}]}');
  const result = await runCliToExit({ config: configFile });
  assert.ok(!result.started);
  assert.equal(result.code, 2);
  assert.ok(result.stderr.includes(configFile), result.stderr);
  assert.ok(!result.stderr.includes('numbat'), `the message quotes the config: ${result.stderr}`);
});

// ---------------------------------------------------------------------------------------------
// The lock, and what a killed emulator leaves behind
// ---------------------------------------------------------------------------------------------

test('the lock: a second emulator on the same state file refuses to start; a lock left by SIGKILL, or naming a reused pid, does not block a restart', { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const configFile = writeConfig(dir, [{ casterId: 'caster-a', ingestEndpoints: 10 }]);
  const stateFile = join(dir, 'state.json');
  const lockFile = `${stateFile}.lock`;
  let first = await spawnCli({ config: configFile, state: stateFile });
  t.after(() => first.child.kill('SIGKILL'));

  const second = await runCliToExit({ config: configFile, state: stateFile });
  assert.ok(!second.started, 'a second emulator started on a state file in use');
  assert.equal(second.code, 2, second.stderr);
  assert.ok(second.stderr.includes(stateFile) && second.stderr.includes(`process ${first.child.pid}`), second.stderr);
  assert.match(second.stderr, /in use/);
  assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, first.child.pid);
  // The first one keeps its lock and its file.
  const added = await addSource(first.url, { CasterId: 'caster-a', ResourceName: 'x', LocationId: 'RV01', ImageId: 'i' });
  assert.equal(added.status, 200, added.text);

  // SIGKILL leaves the lock; the restart takes it over.
  first.child.kill('SIGKILL');
  await first.exited;
  const left = readFileSync(lockFile, 'utf8');
  assert.equal(JSON.parse(left).pid, first.child.pid, 'SIGKILL left no lock: this case tests nothing');
  first = await spawnCli({ config: configFile, state: stateFile });
  assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, first.child.pid);
  assert.equal(sourcesOf(await served(first.url), 'caster-a').get('RV01').resourceId, added.body.ResourceId);
  first.child.kill('SIGKILL');
  await first.exited;

  // The killed emulator's pid given to another process, alive: the lock is still stale.
  const reused = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => reused.kill('SIGKILL'));
  writeFileSync(lockFile, JSON.stringify({ ...JSON.parse(readFileSync(lockFile, 'utf8')), pid: reused.pid }));
  first = await spawnCli({ config: configFile, state: stateFile });
  assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, first.child.pid);
  await stop(first);
  assert.ok(!existsSync(lockFile), 'a clean stop leaves its lock');

  // Something at FILE.lock that is not an emulator's lock: refused, naming it.
  writeFileSync(lockFile, 'not a lock');
  const garbage = await runCliToExit({ config: configFile, state: stateFile });
  assert.equal(garbage.code, 2, garbage.stderr);
  assert.ok(garbage.stderr.includes(lockFile), garbage.stderr);
  assert.equal(readFileSync(lockFile, 'utf8'), 'not a lock');
});

test('temporary files a killed emulator left next to the state file are removed at start; nothing else is', { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const configFile = writeConfig(dir, [{ casterId: 'caster-a', ingestEndpoints: 10 }]);
  const stateFile = join(dir, 'state.json');
  const good = `${JSON.stringify({ casters: [{ casterId: 'caster-a', status: 'started', ingestEndpoints: 10, scenes: [], resources: [] }] })}\n`;
  writeFileSync(stateFile, good);

  // What a SIGKILL during a write leaves (a torn temporary file), by this and other pids; files
  // that only look alike stay.
  const leftovers = ['state.json.12345.tmp', `state.json.${process.pid}.tmp`, 'state.json.lock.999999.tmp'];
  const others = ['state.json.bak', 'other.json.12345.tmp', 'state.json.x.tmp'];
  for (const name of [...leftovers, ...others]) writeFileSync(join(dir, name), good.slice(0, 40));
  const running = await spawnCli({ config: configFile, state: stateFile });
  t.after(() => running.child.kill('SIGKILL'));
  const names = readdirSync(dir);
  for (const name of leftovers) assert.ok(!names.includes(name), `${name} was not removed`);
  for (const name of others) assert.ok(names.includes(name), `${name} was removed`);
  assert.equal(readFileSync(stateFile, 'utf8'), good);
  await stop(running); // and so its output is all read
  assert.match(running.output.stdout, /removed 3 temporary file/);
});

test('five emulators started at once on one state file, fresh and then over a stale lock: exactly one runs', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const configFile = writeConfig(dir, [{ casterId: 'caster-a', ingestEndpoints: 10 }]);
  const stateFile = join(dir, 'state.json');
  const children = [];
  t.after(() => { for (const child of children) child.kill('SIGKILL'); });
  for (const round of ['fresh', 'over a stale lock']) {
    const results = await Promise.all(Array.from({ length: 5 }, () => spawnCli({ config: configFile, state: stateFile }).then(
      (running) => { children.push(running.child); return running; },
      (error) => error,
    )));
    const runs = results.filter((r) => !(r instanceof Error));
    assert.equal(runs.length, 1, `${round}: ${runs.length} emulators run on one state file`);
    for (const refused of results.filter((r) => r instanceof Error)) assert.match(refused.message, /exited \(2\).*(in use|locked by another emulator|keeps changing)/s);
    // Leave a stale lock for the next round.
    runs[0].child.kill('SIGKILL');
    await runs[0].exited;
    assert.ok(existsSync(`${stateFile}.lock`));
  }
});
