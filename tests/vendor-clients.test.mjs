// The vendor's own clients against the emulator. The emulator must neither refuse what the real
// gateway accepts nor accept what it refuses; the vendor's SDKs, run as real clients in child
// processes over real HTTP, are the judges:
//
//   tea-v3    alibabacloud-live20161101 (Python) on its default signing, ACS3-HMAC-SHA256
//   tea-v1    the same client with signature_algorithm 'v2': RPC signature v1 (HMAC-SHA1)
//   core      aliyun-python-sdk-core's AcsClient with aliyun-python-sdk-live's request classes
//   pop-core  @alicloud/pop-core's RPCClient (Node)
//
// The Python SDKs live in .venv-vendor/, which scripts/setup.mjs creates at the versions it pins;
// the drivers are tests/support/vendor_client.py and tests/support/vendor_client_pop_core.cjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { signRequest, validateParams } from 'aliyun-caster';
import { createEmulator, DEMO_ACCESS_KEY } from '../emulator/server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = `${ROOT}.venv-vendor/bin/python`;
const PY_DRIVER = `${ROOT}tests/support/vendor_client.py`;
const NODE_DRIVER = `${ROOT}tests/support/vendor_client_pop_core.cjs`;
/** A child that has not finished by then is killed (its Python start-up takes about a second). */
const CHILD_TIMEOUT_MS = 60_000;

const CASTER = 'LIVEPRODUCER_POST-cn-emulator-demo';
const SCENE = 'demo-pvw-scene-1';
const STREAM_URL = `rtmp://emulator.localhost/caster/${CASTER}/${SCENE}`;
const WRONG_SECRET = 'wrong-secret-for-the-demo-key';

// Sources whose URLs hold a space in the query, as a vendor client sends them.
const SOURCES = [
  { LocationId: 'RV01', LiveStreamUrl: 'rtmp://a.example.com/live/s?auth_key=1-0-0-x&a=b c' },
  { LocationId: 'RV02', VodUrl: 'https://vod.example.com/v/intro.mp4?token=a b&x=1+2' },
  { LocationId: 'RV03', ImageUrl: 'https://img.example.com/i/logo.png?v=1 2' },
];

const CLIENTS = ['tea-v3', 'tea-v1', 'core', 'pop-core'];
/** The clients that drive the whole production-studio workflow: the Tea SDK on both signatures. */
const WORKFLOW_CLIENTS = ['tea-v3', 'tea-v1'];
/** The demo key with two studios, one of them tagged, for the workflow. */
const WORKFLOW_CONFIG = {
  accessKeys: [DEMO_ACCESS_KEY],
  casters: [
    { casterId: CASTER, casterName: 'Demo studio', tags: [{ key: 'team', value: 'news' }], ingestEndpoints: 2,
      scenes: [{ sceneId: SCENE, type: 'PVW' }, { sceneId: 'demo-pgm-scene', type: 'PGM' }] },
    { casterId: 'LIVEPRODUCER_POST-cn-emulator-other', tags: [{ key: 'team', value: 'sports' }] },
  ],
};
const FILE_URL = 'https://vod.example.com/v/intro.mp4?token=a b';

/**
 * An emulator with the demo key and studios (or `config`'s) on 127.0.0.1:0, its state in a file of a temporary
 * folder (the state view shows no URL's query; the file holds what was acknowledged), closed and
 * removed when the test ends.
 */
async function start(t, { config } = {}) {
  const log = [];
  const dir = await mkdtemp(join(tmpdir(), 'vendor-clients-'));
  const stateFile = join(dir, 'state.json');
  const emulator = createEmulator({ stateFile, config, log: (line) => log.push(line) });
  t.after(() => rm(dir, { recursive: true, force: true }));
  t.after(() => emulator.close());
  const port = await emulator.listen(0);
  const resources = async () => {
    const { casters } = JSON.parse(await readFile(stateFile, 'utf8'));
    return casters.find((c) => c.casterId === CASTER).resources;
  };
  return { endpoint: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/`, log, resources };
}

/**
 * Runs one vendor client as a child process on `requests`; resolves to the outcomes it printed,
 * one per request sent. The child is killed after CHILD_TIMEOUT_MS, or when the test ends.
 */
function runClient(t, client, endpoint, requests, { secret = DEMO_ACCESS_KEY.accessKeySecret } = {}) {
  if (client !== 'pop-core' && !existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`node scripts/setup.mjs\` to create the vendor SDKs' venv`);
  }
  const [command, args] = client === 'pop-core' ? [process.execPath, [NODE_DRIVER]] : [PYTHON, [PY_DRIVER]];
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  t.after(() => { clearTimeout(timer); if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  child.stdin.end(JSON.stringify({
    sdk: client, endpoint, accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: secret, requests,
  }));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${client} exited with ${code ?? signal}: ${stderr.slice(-4000)}`));
        return;
      }
      resolve({ outcomes: stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)), stdout, stderr });
    });
  });
}

async function emulatorState(url) {
  const response = await fetch(`${url}_emulator/state`);
  assert.equal(response.status, 200);
  return response.json();
}

/** What a test records of an outcome: the SDK's error code and message, or success. */
const summary = (o) => (o.ok ? `ok ${JSON.stringify(o.body)}` : `${o.type} ${o.status} ${o.code}: ${o.message}`);

test('our own validateParams and signRequest take the same sources, a space encoded as %20 as the vendor encodes it', () => {
  for (const source of SOURCES) {
    const params = { CasterId: CASTER, ResourceName: 'cam 1', ...source };
    assert.deepEqual(validateParams('AddCasterVideoResource', params), []);
    const [name, value] = Object.entries(source).find(([key]) => key !== 'LocationId');
    for (const signatureAlgorithm of ['v1', 'v3']) {
      const signed = signRequest({ action: 'AddCasterVideoResource', params, ...DEMO_ACCESS_KEY, signatureAlgorithm });
      // Python's quote(value, safe='~'), as alibabacloud_tea_openapi's get_canonical_query_string
      // encodes a value: encodeURIComponent, and !'()* as well.
      const vendor = encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
      assert.ok(signed.canonicalQuery.split('&').includes(`${name}=${vendor}`) && vendor.includes('%20'), signed.canonicalQuery);
    }
  }
});

describe("the vendor's own clients against the emulator", () => {
  for (const client of WORKFLOW_CLIENTS) {
    test(`${client}: the production-studio workflow: DescribeCasters by Tag, DescribeCasterScenes, add, list, modify, delete (twice: refused), start and stop a scene (twice: refused)`, async (t) => {
      const { endpoint, resources } = await start(t, { config: WORKFLOW_CONFIG });
      const [source] = SOURCES;
      const steps = [
        ['DescribeCasters', { Tag: [{ Key: 'team', Value: 'news' }], PageNum: 1, PageSize: 10 }],
        ['DescribeCasterScenes', { CasterId: CASTER }],
        ['AddCasterVideoResource', { CasterId: CASTER, ResourceName: 'cam 1', ...source }],
        ['DescribeCasterVideoResources', { CasterId: CASTER }],
        ['ModifyCasterVideoResource', { CasterId: CASTER, ResourceId: '$ResourceId', ResourceName: 'intro file', VodUrl: FILE_URL, RepeatNum: -1 }],
        ['DescribeCasterVideoResources', { CasterId: CASTER }],
        ['DeleteCasterVideoResource', { CasterId: CASTER, ResourceId: '$ResourceId' }],
        ['DeleteCasterVideoResource', { CasterId: CASTER, ResourceId: '$ResourceId' }],
        ['DescribeCasterVideoResources', { CasterId: CASTER }],
        ['StartCasterScene', { CasterId: CASTER, SceneId: SCENE }],
        ['StopCasterScene', { CasterId: CASTER, SceneId: SCENE }],
        ['DescribeCasterScenes', { CasterId: CASTER, SceneId: SCENE }],
        ['StopCasterScene', { CasterId: CASTER, SceneId: SCENE }],
      ];
      const { outcomes } = await runClient(t, client, endpoint, steps.map(([action, params]) => ({ action, params })));
      for (const outcome of outcomes) t.diagnostic(`${client} ${outcome.action}: ${summary(outcome)}`);
      assert.equal(outcomes.length, steps.length);
      const [casters, scenes, added, listed, modified, relisted, deleted, deletedAgain, emptied, started, stopped, afterStop, stoppedAgain] = outcomes;
      for (const outcome of [casters, scenes, added, listed, modified, relisted, deleted, emptied, started, stopped, afterStop]) {
        assert.ok(outcome.ok, `${outcome.action}: ${summary(outcome)}`);
      }
      // The SDK's own models read every field back (to_map): names and types as it declares them.
      assert.equal(casters.body.Total, 1);
      assert.deepEqual(casters.body.CasterList.Caster.map((c) => [c.CasterId, c.CasterName, c.Status, c.Tags.tag]),
        [[CASTER, 'Demo studio', 1, [{ TagKey: 'team', TagValue: 'news' }]]]);
      assert.deepEqual(scenes.body.SceneList.Scene.map((s) => [s.SceneId, s.OutputType, s.Status]), [[SCENE, '0', 0], ['demo-pgm-scene', '1', 0]]);
      const id = added.body.ResourceId;
      assert.deepEqual(listed.body.VideoResources.VideoResource, [{ ResourceId: id, ResourceName: 'cam 1', ...source }]);
      assert.deepEqual([modified.body.CasterId, modified.body.ResourceId], [CASTER, id]);
      assert.deepEqual(relisted.body.VideoResources.VideoResource, [{ ResourceId: id, ResourceName: 'intro file', LocationId: 'RV01', VodUrl: FILE_URL, RepeatNum: -1 }]);
      assert.deepEqual([deletedAgain.ok, deletedAgain.status, deletedAgain.code], [false, 404, 'InvalidResource.NotFound']);
      assert.deepEqual([emptied.body.Total, emptied.body.VideoResources.VideoResource], [0, []]);
      assert.equal(started.body.StreamUrl, STREAM_URL);
      assert.deepEqual(Object.keys(stopped.body), ['RequestId']);
      assert.deepEqual(afterStop.body.SceneList.Scene.map((s) => [s.SceneId, s.Status, s.StreamUrl]), [[SCENE, 0, undefined]]);
      assert.deepEqual([stoppedAgain.ok, stoppedAgain.status, stoppedAgain.code], [false, 400, 'IncorrectSceneStatus.Idle']);
      assert.deepEqual(await resources(), []);
    });
  }

  for (const client of CLIENTS) {
    test(`${client}: StartCasterScene on a demo scene, then AddCasterVideoResource with LiveStreamUrl, VodUrl and ImageUrl whose queries hold a space`, async (t) => {
      const { endpoint, resources } = await start(t);
      const adds = SOURCES.map((source) => ({
        action: 'AddCasterVideoResource', params: { CasterId: CASTER, ResourceName: `cam ${source.LocationId}`, ...source },
      }));
      const { outcomes } = await runClient(t, client, endpoint, [
        { action: 'StartCasterScene', params: { CasterId: CASTER, SceneId: SCENE } }, ...adds,
      ]);
      for (const outcome of outcomes) t.diagnostic(`${client} ${outcome.action}: ${summary(outcome)}`);
      assert.equal(outcomes.length, 1 + adds.length);
      const [started, ...added] = outcomes;
      assert.ok(started.ok, summary(started));
      assert.equal(started.body.StreamUrl, STREAM_URL);
      assert.match(started.body.RequestId, /^[0-9A-F-]{36}$/);
      added.forEach((outcome, i) => assert.ok(outcome.ok, `${SOURCES[i].LocationId}: ${summary(outcome)}`));
      // The emulator holds each source exactly as the client was given it: the space decoded back.
      assert.deepEqual(
        (await resources()).map(({ resourceId, locationId, LiveStreamUrl, VodUrl, ImageUrl }) => ({
          resourceId, LocationId: locationId,
          ...(LiveStreamUrl ? { LiveStreamUrl } : {}), ...(VodUrl ? { VodUrl } : {}), ...(ImageUrl ? { ImageUrl } : {}),
        })),
        SOURCES.map((source, i) => ({ resourceId: added[i].body.ResourceId, ...source })),
      );
    });

    // aliyun-python-sdk-core 2.16.1 (aliyunsdkcore/client.py, _handle_single_request) compares the
    // "server string to sign is:…" of a SignatureDoesNotMatch with its own string to sign; when they
    // are equal the secret is what differs, and it reports InvalidAccessKeySecret instead: so its
    // code shows that the emulator signed exactly what the SDK signed.
    const expected = client === 'core'
      ? { code: 'InvalidAccessKeySecret', message: /^The AccessKeySecret is incorrect\./ }
      : { code: 'SignatureDoesNotMatch', message: /server string to sign is:/ };
    test(`${client}: a wrong secret is ${expected.code}, surfaced by the SDK`, async (t) => {
      const { endpoint, url, log } = await start(t);
      const { outcomes, stdout, stderr } = await runClient(t, client, endpoint, [
        { action: 'StartCasterScene', params: { CasterId: CASTER, SceneId: SCENE } },
      ], { secret: WRONG_SECRET });
      t.diagnostic(`${client} wrong secret: ${summary(outcomes[0])}`);
      assert.equal(outcomes.length, 1);
      const [refused] = outcomes;
      assert.equal(refused.ok, false);
      assert.equal(refused.code, expected.code);
      assert.equal(refused.status, 400);
      assert.match(refused.message, expected.message);
      // Neither secret in what the client printed or the emulator logged; nothing was started.
      for (const text of [stdout, stderr, log.join('\n')]) {
        assert.ok(!text.includes(WRONG_SECRET) && !text.includes(DEMO_ACCESS_KEY.accessKeySecret));
      }
      const { casters } = await emulatorState(url);
      assert.equal(casters.find((c) => c.casterId === CASTER).scenes.find((s) => s.sceneId === SCENE).status, 'idle');
    });

    test(`${client}: a burst of up to 40 requests with one key meets Throttling.User, surfaced by the SDK`, async (t) => {
      const { endpoint } = await start(t);
      const started = Date.now();
      const { outcomes } = await runClient(t, client, endpoint, [
        { action: 'StartCasterScene', params: { CasterId: CASTER, SceneId: SCENE }, count: 40, stopOn: 'Throttling.User' },
      ]);
      const last = outcomes.at(-1);
      t.diagnostic(`${client} burst: ${outcomes.length} sent in ${Date.now() - started} ms (start-up included), ` +
        `${outcomes.filter((o) => o.ok).length} accepted; last: ${summary(last)}`);
      assert.ok(outcomes.length <= 40);
      assert.equal(last.ok, false, summary(last));
      assert.equal(last.code, 'Throttling.User');
      assert.ok(outcomes.slice(0, -1).every((o) => o.ok), outcomes.map(summary).join('\n'));
      assert.ok(outcomes.length >= 11, `throttled after ${outcomes.length - 1} accepted requests`);
    });
  }
});
