// The whole production-studio workflow through CasterClient against the emulator: list studios
// (filters and paging), list scenes, add, list, modify, delete a video source, start and stop a
// scene; and the same state after a restart on the state file. Every emulator is a real HTTP
// server on 127.0.0.1:0, stopped when its test ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CasterClient, CasterError } from 'aliyun-caster';
import { OPERATIONS } from '../dist/server.mjs';
import { OPERATION_QPS, createEmulator } from '../emulator/server.mjs';
import { castersFromConfig, castersFromStateFile } from '../emulator/state.mjs';
import { spawnCli, startEmulator } from './support/emulator.mjs';

const KEY = { accessKeyId: 'LTAIworkflowKey01', accessKeySecret: 'workflow-secret-Zq9-kangaroo' };
const MAIN = 'caster-main';
const CONFIG = {
  accessKeys: [KEY],
  casters: [
    {
      casterId: MAIN,
      casterName: 'Main stage',
      tags: [{ key: 'team', value: 'news' }, { key: 'env', value: 'prod' }],
      status: 'started',
      ingestEndpoints: 2,
      scenes: [{ sceneId: 'pvw-1', type: 'PVW' }, { sceneId: 'pvw-2', type: 'PVW' }, { sceneId: 'pgm', type: 'PGM' }],
    },
    { casterId: 'caster-sports', tags: [{ key: 'team', value: 'sports' }], status: 'idle', scenes: [{ sceneId: 'pvw', type: 'PVW' }] },
    { casterId: 'caster-news-2', tags: [{ key: 'team', value: 'news' }] },
    { casterId: 'caster-plain' },
  ],
};
const STREAM = 'rtmp://in.example.com/live/one?auth_key=1-0-0-abc';
const FILE = 'https://vod.example.com/v/intro.mp4';

const clientFor = (endpoint) => new CasterClient({ ...KEY, endpoint, maxRetries: 0 });

/** The CasterError a call rejects with; fails when it resolves. */
async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CasterError, `not a CasterError: ${error}`);
    return error;
  }
  assert.fail('the call succeeded');
}

const ids = (reply) => reply.CasterList.Caster.map((c) => c.CasterId);

test('DescribeCasters lists every studio with its name, status and tags, filtered by CasterId, CasterName, Status and Tag, paged by PageNum and PageSize; Total counts before paging', async (t) => {
  const { endpoint } = await startEmulator(t, { config: CONFIG });
  const client = clientFor(endpoint);

  const all = await client.describeCasters({});
  assert.equal(all.Total, 4);
  assert.deepEqual(ids(all), [MAIN, 'caster-sports', 'caster-news-2', 'caster-plain']);
  assert.deepEqual(all.CasterList.Caster[0], {
    CasterId: MAIN, CasterName: 'Main stage', Status: 1, NormType: 1, ChargeType: 'PostPaid',
    Tags: { tag: [{ TagKey: 'team', TagValue: 'news' }, { TagKey: 'env', TagValue: 'prod' }] },
  });
  // casterName defaults to the id, tags to none; an idle studio is Status 0.
  assert.equal(all.CasterList.Caster[1].Status, 0);
  assert.equal(all.CasterList.Caster[3].CasterName, 'caster-plain');
  assert.deepEqual(all.CasterList.Caster[3].Tags, { tag: [] });

  assert.deepEqual(ids(await client.describeCasters({ Tag: [{ Key: 'team', Value: 'news' }] })), [MAIN, 'caster-news-2']);
  assert.deepEqual(ids(await client.describeCasters({ Tag: [{ Key: 'team', Value: 'news' }, { Key: 'env', Value: 'prod' }] })), [MAIN]);
  assert.deepEqual(ids(await client.describeCasters({ Tag: [{ Key: 'team' }] })), [MAIN, 'caster-sports', 'caster-news-2']);
  assert.deepEqual(ids(await client.describeCasters({ Tag: [{ Key: 'team', Value: 'weather' }] })), []);
  assert.deepEqual(ids(await client.describeCasters({ Status: 0 })), ['caster-sports']);
  assert.deepEqual(ids(await client.describeCasters({ CasterName: 'Main stage' })), [MAIN]);
  const one = await client.describeCasters({ CasterId: 'caster-plain' });
  assert.deepEqual([ids(one), one.Total], [['caster-plain'], 1]);
  const none = await client.describeCasters({ CasterId: 'caster-unknown' });
  assert.deepEqual([ids(none), none.Total], [[], 0]);
  // Filters with nothing modelled behind them: every studio is pay-as-you-go, general mode, and
  // no creation time is kept, so the time filters match every studio.
  assert.equal((await client.describeCasters({ ChargeType: 1, NormType: '1', StartTime: '2020-01-01T00:00:00Z', EndTime: '2020-01-02T00:00:00Z' })).Total, 4);
  assert.equal((await client.describeCasters({ ChargeType: 0 })).Total, 0);

  const page2 = await client.describeCasters({ PageNum: 2, PageSize: 3 });
  assert.deepEqual([ids(page2), page2.Total], [['caster-plain'], 4]);
  const page1 = await client.describeCasters({ PageNum: 1, PageSize: 3, Tag: [{ Key: 'team' }] });
  assert.deepEqual([ids(page1), page1.Total], [[MAIN, 'caster-sports', 'caster-news-2'], 3]);
  const beyond = await client.describeCasters({ PageNum: 9, PageSize: 3 });
  assert.deepEqual([ids(beyond), beyond.Total], [[], 4]);
});

test('DescribeCasterScenes lists a studio\'s scenes (OutputType "0" PVW, "1" PGM; Status; StreamUrl once started), or the one SceneId; an unknown SceneId lists none; an unknown studio is InvalidCaster.NotFound', async (t) => {
  const { endpoint } = await startEmulator(t, { config: CONFIG });
  const client = clientFor(endpoint);

  const scenes = await client.describeCasterScenes({ CasterId: MAIN });
  assert.equal(scenes.Total, 3);
  assert.deepEqual(scenes.SceneList.Scene, [
    { SceneId: 'pvw-1', SceneName: 'pvw-1', OutputType: '0', Status: 0 },
    { SceneId: 'pvw-2', SceneName: 'pvw-2', OutputType: '0', Status: 0 },
    { SceneId: 'pgm', SceneName: 'pgm', OutputType: '1', Status: 0 },
  ]);
  const one = await client.describeCasterScenes({ CasterId: MAIN, SceneId: 'pgm' });
  assert.deepEqual([one.SceneList.Scene.map((s) => s.SceneId), one.Total], [['pgm'], 1]);
  const none = await client.describeCasterScenes({ CasterId: MAIN, SceneId: 'no-such-scene' });
  assert.deepEqual([none.SceneList.Scene, none.Total], [[], 0]);

  for (const call of [
    () => client.describeCasterScenes({ CasterId: 'caster-unknown' }),
    () => client.describeCasterVideoResources({ CasterId: 'caster-unknown' }),
    () => client.stopCasterScene({ CasterId: 'caster-unknown', SceneId: 'pvw-1' }),
    () => client.deleteCasterVideoResource({ CasterId: 'caster-unknown', ResourceId: 'r' }),
    () => client.modifyCasterVideoResource({ CasterId: 'caster-unknown', ResourceId: 'r', ResourceName: 'x' }),
  ]) {
    const error = await refusal(call());
    assert.deepEqual([error.code, error.httpStatus], ['InvalidCaster.NotFound', 404]);
  }
});

test('a video source is added, listed, renamed, given a new source, deleted and gone; its location is free again; deleting it again is InvalidResource.NotFound', async (t) => {
  const { endpoint } = await startEmulator(t, { config: CONFIG });
  const client = clientFor(endpoint);

  const { ResourceId } = await client.addCasterVideoResource({
    CasterId: MAIN, ResourceName: 'intro', LocationId: 'RV01', VodUrl: FILE, BeginOffset: 1000, EndOffset: 5000, RepeatNum: -1,
  });
  let listed = await client.describeCasterVideoResources({ CasterId: MAIN });
  assert.equal(listed.Total, 1);
  assert.deepEqual(listed.VideoResources.VideoResource, [{
    ResourceId, ResourceName: 'intro', LocationId: 'RV01', VodUrl: FILE, BeginOffset: 1000, EndOffset: 5000, RepeatNum: -1,
  }]);

  const renamed = await client.modifyCasterVideoResource({ CasterId: MAIN, ResourceId, ResourceName: 'opening', EndOffset: 8000 });
  assert.deepEqual([renamed.CasterId, renamed.ResourceId], [MAIN, ResourceId]);
  listed = await client.describeCasterVideoResources({ CasterId: MAIN });
  assert.deepEqual(listed.VideoResources.VideoResource, [{
    ResourceId, ResourceName: 'opening', LocationId: 'RV01', VodUrl: FILE, BeginOffset: 1000, EndOffset: 8000, RepeatNum: -1,
  }]);

  // A live stream replaces the file, and the file-only fields go with it.
  await client.modifyCasterVideoResource({ CasterId: MAIN, ResourceId, LiveStreamUrl: STREAM });
  listed = await client.describeCasterVideoResources({ CasterId: MAIN });
  assert.deepEqual(listed.VideoResources.VideoResource, [{ ResourceId, ResourceName: 'opening', LocationId: 'RV01', LiveStreamUrl: STREAM }]);
  // File-only fields on a live stream: refused, and nothing changes.
  const fileOnly = await refusal(client.modifyCasterVideoResource({ CasterId: MAIN, ResourceId, RepeatNum: 2 }));
  assert.deepEqual([fileOnly.code, fileOnly.httpStatus], ['InvalidParameter.Malformed', 400]);
  assert.deepEqual((await client.describeCasterVideoResources({ CasterId: MAIN })).VideoResources.VideoResource, listed.VideoResources.VideoResource);

  const unknown = await refusal(client.modifyCasterVideoResource({ CasterId: MAIN, ResourceId: 'no-such-resource', ResourceName: 'x' }));
  assert.deepEqual([unknown.code, unknown.httpStatus], ['InvalidResource.NotFound', 404]);

  assert.deepEqual(Object.keys(await client.deleteCasterVideoResource({ CasterId: MAIN, ResourceId })), ['RequestId']);
  listed = await client.describeCasterVideoResources({ CasterId: MAIN });
  assert.deepEqual([listed.VideoResources.VideoResource, listed.Total], [[], 0]);
  const again = await refusal(client.deleteCasterVideoResource({ CasterId: MAIN, ResourceId }));
  assert.deepEqual([again.code, again.httpStatus], ['InvalidResource.NotFound', 404]);

  // RV01 is free again, and the studio's two endpoints take two sources.
  await client.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'again', LocationId: 'RV01', LiveStreamUrl: STREAM });
  await client.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'second', LocationId: 'RV02', LiveStreamUrl: STREAM });
  assert.equal((await client.describeCasterVideoResources({ CasterId: MAIN })).Total, 2);
});

test('a PVW scene is started and stopped, its Status following each time; stopping it again is IncorrectSceneStatus.Idle, a PGM scene IncorrectSceneStatus, an unknown one InvalidScene.NotFound', async (t) => {
  const { endpoint } = await startEmulator(t, { config: CONFIG });
  const client = clientFor(endpoint);
  const status = async () => {
    const [scene] = (await client.describeCasterScenes({ CasterId: MAIN, SceneId: 'pvw-1' })).SceneList.Scene;
    return [scene.Status, scene.StreamUrl];
  };

  assert.deepEqual(await status(), [0, undefined]);
  const { StreamUrl } = await client.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  assert.deepEqual(await status(), [1, StreamUrl]);
  assert.deepEqual(Object.keys(await client.stopCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' })), ['RequestId']);
  assert.deepEqual(await status(), [0, undefined]);
  const idle = await refusal(client.stopCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' }));
  assert.deepEqual([idle.code, idle.httpStatus], ['IncorrectSceneStatus.Idle', 400]);
  await client.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  assert.deepEqual(await status(), [1, StreamUrl]);

  const pgm = await refusal(client.stopCasterScene({ CasterId: MAIN, SceneId: 'pgm' }));
  assert.deepEqual([pgm.code, pgm.httpStatus], ['IncorrectSceneStatus', 400]);
  const unknown = await refusal(client.stopCasterScene({ CasterId: MAIN, SceneId: 'no-such-scene' }));
  assert.deepEqual([unknown.code, unknown.httpStatus], ['InvalidScene.NotFound', 404]);
});

test('a describe shows the changes another client made: both read the one state', async (t) => {
  const { endpoint } = await startEmulator(t, { config: { ...CONFIG, accessKeys: [KEY, { accessKeyId: 'LTAIworkflowKey02', accessKeySecret: 'other-secret-Zq9-wombat' }] } });
  const one = clientFor(endpoint);
  const other = new CasterClient({ accessKeyId: 'LTAIworkflowKey02', accessKeySecret: 'other-secret-Zq9-wombat', endpoint, maxRetries: 0 });
  const { ResourceId } = await one.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'cam', LocationId: 'RV01', LiveStreamUrl: STREAM });
  await one.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-2' });
  assert.deepEqual((await other.describeCasterVideoResources({ CasterId: MAIN })).VideoResources.VideoResource.map((r) => r.ResourceId), [ResourceId]);
  assert.equal((await other.describeCasterScenes({ CasterId: MAIN, SceneId: 'pvw-2' })).SceneList.Scene[0].Status, 1);
  await other.deleteCasterVideoResource({ CasterId: MAIN, ResourceId });
  assert.equal((await one.describeCasterVideoResources({ CasterId: MAIN })).Total, 0);
});

test('the emulator throttles each new operation at the table\'s qps: 15 a second for the describes, 10 for modify, delete and stop', async (t) => {
  for (const { name, qps } of OPERATIONS) assert.equal(OPERATION_QPS[name], qps, name);
  assert.deepEqual(
    ['DescribeCasters', 'DescribeCasterScenes', 'DescribeCasterVideoResources', 'ModifyCasterVideoResource', 'DeleteCasterVideoResource', 'StopCasterScene'].map((name) => OPERATION_QPS[name]),
    [15, 15, 15, 10, 10, 10],
  );
  const { endpoint } = await startEmulator(t, { config: CONFIG });
  const client = new CasterClient({ ...KEY, endpoint, maxRetries: 0, maxQps: 1000 });
  const outcomes = await Promise.allSettled(Array.from({ length: 16 }, () => client.describeCasterScenes({ CasterId: MAIN })));
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 15);
  assert.equal(outcomes.find((o) => o.status === 'rejected')?.reason.code, 'Throttling.User');
});

test('a studio\'s casterName and tags in a config are checked: bad ones are refused naming the field', () => {
  const bad = [
    [{ casterId: 'c', casterName: '' }, /casters\[0\]\.casterName/],
    [{ casterId: 'c', casterName: 'a\nb' }, /casters\[0\]\.casterName/],
    [{ casterId: 'c', tags: {} }, /casters\[0\]\.tags must be an array/],
    [{ casterId: 'c', tags: [{ key: '' }] }, /casters\[0\]\.tags\[0\]\.key/],
    [{ casterId: 'c', tags: [{ key: 'k', value: 7 }] }, /casters\[0\]\.tags\[0\]\.value/],
    [{ casterId: 'c', tags: [{ key: 'k', colour: 'red' }] }, /casters\[0\]\.tags\[0\] has an unknown field "colour"/],
    [{ casterId: 'c', tags: [{ key: 'k' }, { key: 'k' }] }, /listed twice/],
    [{ casterId: 'c', tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}` })) }, /more than 20/],
    [{ casterId: 'c', tags: [{ key: 'k'.repeat(129) }] }, /casters\[0\]\.tags\[0\]\.key/],
  ];
  for (const [caster, message] of bad) assert.throws(() => castersFromConfig([caster]), message, JSON.stringify(caster).slice(0, 80));
  assert.deepEqual(castersFromConfig([{ casterId: 'c', tags: [{ key: 'k' }] }])[0].tags, [{ key: 'k', value: '' }]);
});

test('with --state, a restart shows the sources modified and deleted and the scenes stopped before it; a state file with a bad name or tag is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'emulator-workflow-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'config.json');
  const stateFile = join(dir, 'state.json');
  await writeFile(configFile, JSON.stringify(CONFIG));
  const stop = async (running) => {
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    assert.equal(code, 0, running.output.stderr);
  };

  let running = await spawnCli({ config: configFile, state: stateFile });
  t.after(() => running.child.kill('SIGKILL'));
  let client = clientFor(running.url.replace(/\/$/, ''));
  const kept = await client.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'kept', LocationId: 'RV01', VodUrl: FILE, RepeatNum: 3 });
  const gone = await client.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'gone', LocationId: 'RV02', LiveStreamUrl: STREAM });
  await client.modifyCasterVideoResource({ CasterId: MAIN, ResourceId: kept.ResourceId, ResourceName: 'renamed', RepeatNum: -1 });
  await client.deleteCasterVideoResource({ CasterId: MAIN, ResourceId: gone.ResourceId });
  await client.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  await client.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-2' });
  await client.stopCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  await stop(running);

  // What the file holds reads back under the same rules.
  const text = await readFile(stateFile, 'utf8');
  assert.equal(castersFromStateFile(stateFile, text)[0].casterName, 'Main stage');

  running = await spawnCli({ config: configFile, state: stateFile });
  client = clientFor(running.url.replace(/\/$/, ''));
  const listed = await client.describeCasterVideoResources({ CasterId: MAIN });
  assert.deepEqual(listed.VideoResources.VideoResource, [{ ResourceId: kept.ResourceId, ResourceName: 'renamed', LocationId: 'RV01', VodUrl: FILE, RepeatNum: -1 }]);
  const scenes = (await client.describeCasterScenes({ CasterId: MAIN })).SceneList.Scene.map((s) => [s.SceneId, s.Status]);
  assert.deepEqual(scenes, [['pvw-1', 0], ['pvw-2', 1], ['pgm', 0]]);
  assert.deepEqual(ids(await client.describeCasters({ Tag: [{ Key: 'env', Value: 'prod' }] })), [MAIN]);
  await stop(running);

  // The new fields of a state file are checked as strictly as the rest.
  const saved = JSON.parse(text);
  for (const [change, message] of [
    [(c) => { c.casterName = 42; }, /casterName/],
    [(c) => { c.tags = [{ key: 'team', value: 'news', extra: 1 }]; }, /unknown field "extra"/],
    [(c) => { c.tags = 'team=news'; }, /tags must be an array/],
  ]) {
    const broken = structuredClone(saved);
    change(broken.casters[0]);
    assert.throws(() => castersFromStateFile(stateFile, JSON.stringify(broken)), message);
  }
  // A studio renamed in the config no longer matches its state file: refused, naming both.
  const renamedConfig = join(dir, 'renamed.json');
  const renamed = { ...CONFIG, casters: [{ ...CONFIG.casters[0], casterName: 'Other' }, ...CONFIG.casters.slice(1)] };
  assert.throws(() => createEmulator({ config: renamed, stateFile, configFile: renamedConfig }), /differs \(name, tags/);
});
