// The local emulator (contract section 5) against real clients: the vendor's own Node SDK
// (@alicloud/pop-core RPCClient), our CasterClient, and hand-made requests (signRequest, or an
// independent signer below, plus raw fetch). Every test starts its own emulator on port 0; the
// --state tests run the CLI as a child process and SIGKILL it while adds are in flight.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import RPCClient from '@alicloud/pop-core';
import { CasterClient, CasterError, signRequest } from 'aliyun-caster';
import { createEmulator } from '../emulator/server.mjs';
import { spawnCli } from './support/emulator.mjs';
import { vendorPayloadHash, vendorSignV3 } from './support/openapi-util.mjs';

const VERSION = '2016-11-01';
const MINUTE = 60 * 1000;

// Secrets with distinctive, unreserved fragments ("kangaroo", "wombat"), so that they read the
// same percent-encoded and any leak is easy to find.
const KEYS = Array.from({ length: 20 }, (_, i) => ({
  accessKeyId: `LTAItestKey${String(i).padStart(2, '0')}`,
  accessKeySecret: `secret-${i}-Zq9-kangaroo-7f3e`,
}));
const [KEY] = KEYS;
const STS = { accessKeyId: 'STS.testKeyWithToken', accessKeySecret: 'sts-secret-Zq9-kangaroo-51c2', securityToken: 'STS.TOKEN-wombat-51c2' };
const SECRET_FRAGMENTS = ['kangaroo', 'wombat'];

const MAIN = 'caster-main';
const IDLE = 'caster-idle';
const SMALL = 'caster-small';
const CONFIG = {
  accessKeys: [...KEYS, STS],
  casters: [
    { casterId: MAIN, status: 'started', ingestEndpoints: 10, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }, { sceneId: 'pvw-2', type: 'PVW' }, { sceneId: 'pgm', type: 'PGM' }] },
    { casterId: IDLE, status: 'idle', ingestEndpoints: 2, scenes: [{ sceneId: 'idle-pvw', type: 'PVW' }] },
    { casterId: SMALL, status: 'started', ingestEndpoints: 2, scenes: [] },
    { casterId: 'caster-a', ingestEndpoints: 50 },
    { casterId: 'caster-b', ingestEndpoints: 50 },
    { casterId: 'caster-same', ingestEndpoints: 50 },
  ],
};

/** Every HTTP status and Code the emulator answered in this run (printed at the end). */
const SEEN = new Map();
function saw(status, code) {
  const key = `${code} ${status}`;
  SEEN.set(key, (SEEN.get(key) ?? 0) + 1);
}
process.on('exit', () => {
  if (SEEN.size) console.log(`# emulator answers seen: ${[...SEEN.keys()].sort().join(', ')}`);
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Starts an emulator on 127.0.0.1:0; closed when the test ends. */
async function start(t, options = {}) {
  const emulator = createEmulator({ config: CONFIG, ...options });
  const port = await emulator.listen(0);
  t.after(() => emulator.close());
  const endpoint = `http://127.0.0.1:${port}`;
  // signRequest against this emulator
  const signHere = (action, params, opts = {}) => sign(action, params, { endpoint, ...opts });
  return { emulator, endpoint, url: `${endpoint}/`, sign: signHere };
}

const timestamp = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const location = (n) => `RV${String(n).padStart(2, '0')}`;
// An independent v1 signer (contract section 1), for requests our own signRequest refuses to make.
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function canonical(params) {
  return Object.entries(params).map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
}
const stringToSign = (method, params) => `${method}&${enc('/')}&${enc(canonical(params))}`;

/**
 * Signs `params` (plus the common parameters, any of which `params` may override or, with
 * `undefined`, drop) with a key; returns the wire string (canonical query + Signature).
 */
function rawSign(method, params, { key = KEY, at = Date.now() } = {}) {
  const all = {
    Format: 'JSON', Version: VERSION, AccessKeyId: key.accessKeyId, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
    SignatureNonce: randomUUID(), Timestamp: timestamp(at), RegionId: 'cn-shanghai',
    ...(key.securityToken ? { SecurityToken: key.securityToken } : {}), ...params,
  };
  for (const name of Object.keys(all)) if (all[name] === undefined) delete all[name];
  const signature = createHmac('sha1', `${key.accessKeySecret}&`).update(stringToSign(method, all)).digest('base64');
  return `${canonical(all)}&Signature=${enc(signature)}`;
}

function sign(action, params, options = {}) {
  const { key = KEY, ...rest } = options;
  return signRequest({ action, params, ...key, ...rest });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const post = (url, body, query = '') => fetch(query ? `${url}?${query}` : url, { method: 'POST', headers: FORM, body });
const send = (signed) => fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });

/** A success reply: 200, JSON with RequestId and `field`. */
async function expectOk(res, field) {
  const text = await res.text();
  saw(res.status, 'OK');
  assert.equal(res.status, 200, text);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const body = JSON.parse(text);
  assert.equal(typeof body.RequestId, 'string');
  assert.ok(body.RequestId.length > 0);
  if (field) {
    assert.equal(typeof body[field], 'string', text);
    assert.ok(body[field].length > 0);
  }
  return body;
}

/** An error reply: the status, the code, and every field section 1 names. */
async function expectError(res, status, code) {
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  saw(res.status, body.Code);
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(statuses.includes(res.status), `expected HTTP ${statuses.join(' or ')} ${code}, got ${res.status}: ${text}`);
  assert.equal(body.Code, code, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  for (const field of ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']) {
    assert.equal(typeof body[field], 'string', `${field} in ${text}`);
    assert.ok(body[field].length > 0, `${field} is empty in ${text}`);
  }
  for (const fragment of SECRET_FRAGMENTS) assert.ok(!text.includes(fragment), `a secret leaked into ${text}`);
  return body;
}

/** A CasterError from the server, with everything the reply carried. */
async function expectApiError(promise, status, code) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected ${code}, but the call succeeded`);
  assert.ok(error instanceof CasterError, `not a CasterError: ${error}`);
  if (error.kind === 'api' && error.httpStatus !== undefined) saw(error.httpStatus, error.code);
  assert.equal(error.code, code, error.message);
  assert.equal(error.kind, 'api');
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(statuses.includes(error.httpStatus), `HTTP ${error.httpStatus} for ${code}`);
  assert.match(error.requestId ?? '', /^[0-9A-F-]{36}$/);
  assert.equal(typeof error.recommend, 'string');
  for (const fragment of SECRET_FRAGMENTS) assert.ok(!`${error.message} ${error.stack}`.includes(fragment), 'a secret leaked into the error');
  return error;
}

function client(endpoint, key = KEY, options = {}) {
  return new CasterClient({ ...key, endpoint, maxRetries: 0, ...options });
}

function resources(snapshot, casterId) {
  const caster = snapshot.casters.find((c) => c.casterId === casterId);
  assert.ok(caster, `no studio ${casterId} in the state`);
  return caster.resources;
}

// ---------------------------------------------------------------------------------------------
// The vendor's client
// ---------------------------------------------------------------------------------------------


/** StartCasterScene replies of a burst: each a success or Throttling.User, counted. */
async function tallyThrottled(replies) {
  let ok = 0;
  let throttled = 0;
  for (const res of replies) {
    if (res.status === 200) {
      await expectOk(res, 'StreamUrl');
      ok++;
    } else {
      await expectError(res, [400, 429], 'Throttling.User');
      throttled++;
    }
  }
  return { ok, throttled };
}

test('pop-core RPCClient, GET and POST: both operations succeed; a wrong secret gets SignatureDoesNotMatch', async (t) => {
  const { emulator, endpoint } = await start(t);
  const clients = [];
  const rpc = (key) => {
    const c = new RPCClient({ ...key, endpoint, apiVersion: VERSION });
    clients.push(c);
    return c;
  };
  t.after(() => { for (const c of clients) c.keepAliveAgent.destroy(); });
  const good = rpc(KEY);
  const sts = rpc(STS);

  const streams = {};
  for (const [method, sceneId] of [['GET', 'pvw-1'], ['POST', 'pvw-2']]) {
    const reply = await good.request('StartCasterScene', { CasterId: MAIN, SceneId: sceneId, RegionId: 'cn-shanghai' }, { method });
    assert.equal(typeof reply.RequestId, 'string');
    assert.equal(typeof reply.StreamUrl, 'string');
    assert.ok(reply.StreamUrl.length > 0);
    streams[sceneId] = reply.StreamUrl;
    saw(200, 'OK');
  }
  // Characters the two sides must encode alike: space, * ! ' ( ) ~ + and non-ASCII.
  const names = { GET: "cam 1 (front)*!'~+ é", POST: 'cam 2 / 机位 %20' };
  const ids = {};
  for (const [method, n] of [['GET', 1], ['POST', 2]]) {
    const reply = await good.request('AddCasterVideoResource',
      { CasterId: MAIN, ResourceName: names[method], LocationId: location(n), LiveStreamUrl: `rtmp://example.com/app/s${n}?a=1&b=2` }, { method });
    assert.equal(typeof reply.ResourceId, 'string');
    ids[method] = reply.ResourceId;
    saw(200, 'OK');
  }
  const viaSts = await sts.request('AddCasterVideoResource',
    { CasterId: MAIN, ResourceName: 'sts', LocationId: 'RV03', VodUrl: 'https://example.com/a.MP4?x=1', RepeatNum: -1 }, { method: 'POST' });
  saw(200, 'OK');

  let snapshot = emulator.state.snapshot();
  const scenes = snapshot.casters.find((c) => c.casterId === MAIN).scenes;
  assert.equal(scenes.find((s) => s.sceneId === 'pvw-1').streamUrl, streams['pvw-1']);
  assert.equal(scenes.find((s) => s.sceneId === 'pvw-2').streamUrl, streams['pvw-2']);
  const recorded = resources(snapshot, MAIN);
  assert.deepEqual(recorded.map((r) => r.resourceId), [ids.GET, ids.POST, viaSts.ResourceId]);
  assert.equal(recorded[0].resourceName, names.GET);
  assert.equal(recorded[0].locationId, 'RV01');
  assert.equal(recorded[0].LiveStreamUrl, 'rtmp://example.com/app/s1?a=1&b=2');
  assert.equal(recorded[1].resourceName, names.POST);
  assert.equal(recorded[2].VodUrl, 'https://example.com/a.MP4?x=1');

  const wrong = rpc({ accessKeyId: KEY.accessKeyId, accessKeySecret: 'not-the-secret' });
  for (const method of ['GET', 'POST']) {
    for (const [action, params] of [
      ['StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV09', MaterialId: 'm-1' }],
    ]) {
      await assert.rejects(wrong.request(action, params, { method }), (error) => {
        assert.equal(error.code, 'SignatureDoesNotMatch');
        assert.ok(error.data.Message.includes('server string to sign is:'), error.data.Message);
        assert.ok(error.data.Message.includes(`${method}&%2F&`), error.data.Message);
        saw(400, error.code);
        return true;
      });
    }
  }
  snapshot = emulator.state.snapshot();
  assert.equal(resources(snapshot, MAIN).length, 3, 'a refused request changed the state');
});

// ---------------------------------------------------------------------------------------------
// Our client
// ---------------------------------------------------------------------------------------------

test('CasterClient, POST and GET: both operations succeed, every kind of source is recorded', async (t) => {
  const { emulator, endpoint } = await start(t);
  const viaPost = client(endpoint);
  const viaGet = client(endpoint, KEYS[1], { method: 'GET' });
  const viaSts = client(endpoint, STS);

  const a = await viaPost.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  const b = await viaGet.startCasterScene({ casterId: MAIN, sceneId: 'pvw-2', regionId: 'cn-beijing' });
  for (const reply of [a, b]) {
    assert.deepEqual(Object.keys(reply).sort(), ['RequestId', 'StreamUrl']);
    saw(200, 'OK');
  }
  // Starting a scene again is harmless and answers the same stream.
  assert.equal((await viaSts.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' })).StreamUrl, a.StreamUrl);

  const sources = [
    [viaPost, { LiveStreamUrl: 'rtmp://example.com/live/stream?auth_key=1-0-0-abc' }],
    [viaGet, { MaterialId: 'material-1', BeginOffset: 1000, EndOffset: -500, RepeatNum: 3 }],
    [viaSts, { VodUrl: 'http://example.com/v/a.flv', BeginOffset: 0, EndOffset: 9000, RepeatNum: -1, FixedDelayDuration: 5000 }],
    [viaPost, { ImageId: 'image-1', PtsCallbackInterval: 1000 }],
    [viaGet, { ImageUrl: 'https://example.com/i/a.PNG' }],
  ];
  const acked = [];
  for (const [i, [c, source]] of sources.entries()) {
    const params = { CasterId: 'caster-a', ResourceName: `source ${i + 1}`, LocationId: location(i + 1), ...source };
    const reply = await c.addCasterVideoResource(params);
    assert.deepEqual(Object.keys(reply).sort(), ['RequestId', 'ResourceId']);
    saw(200, 'OK');
    acked.push({ id: reply.ResourceId, params });
  }
  const recorded = resources(emulator.state.snapshot(), 'caster-a');
  assert.equal(recorded.length, sources.length);
  for (const [i, { id, params }] of acked.entries()) {
    const r = recorded[i];
    assert.equal(r.resourceId, id);
    assert.equal(r.resourceName, params.ResourceName);
    assert.equal(r.locationId, params.LocationId);
    for (const [name, value] of Object.entries(params)) {
      if (['CasterId', 'ResourceName', 'LocationId'].includes(name)) continue;
      assert.equal(r[name], String(value), `${name} of source ${i + 1}`);
    }
  }
});

/** A fetch whose replies lack the Date header: the client cannot correct its clock from them. */
async function withoutDate(u, init) {
  const res = await fetch(u, init);
  const headers = new Headers(res.headers);
  headers.delete('date');
  return new Response(await res.text(), { status: res.status, headers });
}

/** A fetch that sends each request twice (a replaying proxy) and answers the second reply. */
async function replaying(u, init) {
  await fetch(u, init);
  return fetch(u, init);
}

/**
 * The emulator's signing and auth refusals through CasterClient with `options` (the signature
 * algorithm): a wrong secret, an unknown key, a missing or foreign STS token, a replay. Each must
 * come back as a CasterError with the server's code (a wrong secret as InvalidAccessKeySecret,
 * its Message kept); returns that one.
 */
async function expectAuthErrors(endpoint, options = {}) {
  const scene = { CasterId: MAIN, SceneId: 'pvw-1' };
  const add = { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', LiveStreamUrl: 'rtmp://example.com/a/b' };
  const c = (key, extra = {}) => client(endpoint, key, { ...options, ...extra });
  const wrongSecret = c({ accessKeyId: KEY.accessKeyId, accessKeySecret: 'wrong-secret' });
  // The server's string to sign is the client's own: only the secret can be wrong, and the client says so.
  const mismatch = await expectApiError(wrongSecret.startCasterScene(scene), 400, 'InvalidAccessKeySecret');
  await expectApiError(wrongSecret.addCasterVideoResource(add), 400, 'InvalidAccessKeySecret');
  await expectApiError(c({ accessKeyId: 'LTAInobodyHasThisKey', accessKeySecret: 's' }).startCasterScene(scene), 404, 'InvalidAccessKeyId.NotFound');
  await expectApiError(c({ ...STS, securityToken: undefined }).startCasterScene(scene), 400, 'MissingSecurityToken');
  await expectApiError(c({ ...STS, securityToken: 'STS.someone-elses-token' }).addCasterVideoResource(add), 400, 'InvalidSecurityToken.MismatchWithAccessKey');
  // The same signed request twice (a replaying proxy): the second is refused.
  await expectApiError(c(KEYS[2], { fetch: replaying }).startCasterScene(scene), 400, 'SignatureNonceUsed');
  return mismatch;
}

test('CasterClient: every signing, auth and transport error comes back as a CasterError with the server code', async (t) => {
  // The emulator's clock runs 20 minutes ahead of ours.
  let skew = 20 * MINUTE;
  const { endpoint, url } = await start(t, { now: () => Date.now() + skew });
  // No Date header to correct its clock from: the client reports the expiry.
  await expectApiError(client(endpoint, KEY, { fetch: withoutDate }).startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' }), 400, 'InvalidTimeStamp.Expired');
  // With it, the client corrects its clock and the call goes through.
  const corrected = await client(endpoint, KEYS[1]).startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  assert.equal(typeof corrected.StreamUrl, 'string');
  saw(200, 'OK');
  skew = 0;

  const start1 = { CasterId: MAIN, SceneId: 'pvw-1' };
  const error = await expectAuthErrors(endpoint);
  assert.match(error.message, /server string to sign is:POST&%2F&/);

  // Rewritten on the way (the Action and Version are checked before the signature).
  const rewrite = (from, to) => (u, init) => fetch(u, { ...init, body: init.body.replace(from, to) });
  await expectApiError(client(endpoint, KEYS[3], { fetch: rewrite('Action=StartCasterScene', 'Action=DescribeRegions') }).startCasterScene(start1), 404, 'InvalidAction.NotFound');
  await expectApiError(client(endpoint, KEYS[3], { fetch: rewrite(`Version=${VERSION}`, 'Version=2014-05-26') }).startCasterScene(start1), 400, 'InvalidVersion');
  const pad = (u, init) => fetch(u, { ...init, body: `${init.body}&Pad=${'x'.repeat(1024 * 1024)}` });
  await expectApiError(client(endpoint, KEYS[3], { fetch: pad }).startCasterScene(start1), 413, 'RequestEntityTooLarge');

  // No state changed on any of those.
  const state = await (await fetch(`${url}_emulator/state`)).json();
  assert.equal(resources(state, MAIN).length, 0);
});

test('CasterClient: more than 10 requests in a second per AccessKeyId get Throttling.User', async (t) => {
  const frozen = Date.now();
  const { endpoint } = await start(t, { now: () => frozen }); // every request lands in the same second
  const hasty = client(endpoint, KEY, { maxQps: 1000 });
  const results = await Promise.allSettled(Array.from({ length: 15 }, () => hasty.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' })));
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  assert.equal(ok.length, 10);
  assert.equal(refused.length, 5);
  for (const { reason } of refused) {
    await expectApiError(Promise.reject(reason), [400, 429], 'Throttling.User');
    assert.equal(reason.retryable, true);
  }
  // Per key: another key is not affected.
  await client(endpoint, KEYS[1]).startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' });
  // With the default client (maxQps 10, retries) the same burst is paced and all succeed.
  const { endpoint: second } = await start(t);
  const paced = client(second, KEYS[2], { maxRetries: 2 });
  const all = await Promise.all(Array.from({ length: 12 }, () => paced.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-2' })));
  assert.equal(all.length, 12);
});

test('CasterClient: the state errors of section 2', async (t) => {
  const { emulator, endpoint } = await start(t);
  const c = client(endpoint);
  await expectApiError(c.startCasterScene({ CasterId: 'caster-nobody', SceneId: 'pvw-1' }), 404, 'InvalidCaster.NotFound');
  await expectApiError(c.addCasterVideoResource({ CasterId: 'caster-nobody', ResourceName: 'x', LocationId: 'RV01', ImageId: 'i' }), 404, 'InvalidCaster.NotFound');
  await expectApiError(c.startCasterScene({ CasterId: MAIN, SceneId: 'no-such-scene' }), 404, 'InvalidScene.NotFound');
  await expectApiError(c.startCasterScene({ CasterId: IDLE, SceneId: 'idle-pvw' }), 400, 'IncorrectCasterStatus.Idle');
  await expectApiError(c.startCasterScene({ CasterId: MAIN, SceneId: 'pgm' }), 400, 'IncorrectSceneStatus');

  const first = await c.addCasterVideoResource({ CasterId: SMALL, ResourceName: 'one', LocationId: 'RV07', ImageId: 'i-1' });
  await expectApiError(c.addCasterVideoResource({ CasterId: SMALL, ResourceName: 'again', LocationId: 'RV07', ImageId: 'i-2' }), 400, 'DuplicateLocationID');
  // The same location in another studio is fine.
  await c.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'elsewhere', LocationId: 'RV07', ImageId: 'i-3' });
  const second = await c.addCasterVideoResource({ CasterId: SMALL, ResourceName: 'two', LocationId: 'RV08', ImageId: 'i-4' });
  await expectApiError(c.addCasterVideoResource({ CasterId: SMALL, ResourceName: 'three', LocationId: 'RV09', ImageId: 'i-5' }), 400, 'ResourceNumberExceed');

  const snapshot = emulator.state.snapshot();
  assert.deepEqual(resources(snapshot, SMALL).map((r) => [r.resourceId, r.locationId]), [[first.ResourceId, 'RV07'], [second.ResourceId, 'RV08']]);
  const scenes = snapshot.casters.find((x) => x.casterId === MAIN).scenes;
  assert.equal(scenes.find((s) => s.sceneId === 'pgm').status, 'idle', 'a refused StartCasterScene changed the PGM scene');
  assert.equal(snapshot.casters.find((x) => x.casterId === IDLE).scenes[0].status, 'idle');
});

// ---------------------------------------------------------------------------------------------
// Hand-made requests
// ---------------------------------------------------------------------------------------------

// [action, wire params (operation part), code]. The server answers these; CasterClient refuses
// the same before sending (except where marked wireOnly: names JS takes as aliases).
const PARAMETER_CASES = [
  ['StartCasterScene', { CasterId: MAIN }, 'MissingParameter'],
  ['StartCasterScene', { SceneId: 'pvw-1' }, 'MissingParameter'],
  ['StartCasterScene', { CasterId: ' ', SceneId: 'pvw-1' }, 'InvalidCasterId.Malformed'],
  ['StartCasterScene', { CasterId: MAIN, SceneId: 'pvw\u0001' }, 'InvalidSceneId.Malformed'],
  ['StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1', Foo: 'bar' }, 'InvalidParameter.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, LocationId: 'RV01', ImageId: 'i' }, 'MissingParameter'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', ImageId: 'i' }, 'MissingParameter'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01' }, 'MissingParameter'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV00', ImageId: 'i' }, 'UnexpectedLocationID'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV100', ImageId: 'i' }, 'UnexpectedLocationID'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'XX01', ImageId: 'i' }, 'UnexpectedLocationID'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', VodUrl: 'ftp://example.com/a.mp4' }, 'InvalidVodUrl.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', VodUrl: 'http://example.com/a.avi' }, 'InvalidVodUrl.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', LiveStreamUrl: 'not a url' }, 'InvalidLiveStreamUrl.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', MaterialId: 'm'.repeat(129) }, 'InvalidMaterialId.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', ImageUrl: 'https://example.com/a.gif' }, 'InvalidParameter.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', ImageId: 'i', MaterialId: 'm' }, 'InvalidParameter.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', LiveStreamUrl: 'rtmp://a/b', RepeatNum: '2' }, 'InvalidParameter.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', ImageId: 'i', FixedDelayDuration: '5001' }, 'InvalidParameter.Malformed'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', VodUrl: 'http://e.com/a.ts', BeginOffset: '1.5' }, 'InvalidParameter.Malformed'],
  ['AddCasterVideoResource', { CasterId: 'c'.repeat(129), ResourceName: 'x', LocationId: 'RV01', ImageId: 'i' }, 'InvalidCasterId.Malformed'],
  // camelCase is a JS-API alias (section 3), not a wire name: the state would not see it.
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', locationId: 'RV01', ImageId: 'i' }, 'InvalidParameter.Malformed', 'wireOnly'],
  ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV01', imageId: 'i' }, 'InvalidParameter.Malformed', 'wireOnly'],
];

test('parameter problems: the server answers the section 3 codes, and CasterClient refuses the same before sending', async (t) => {
  const { emulator, endpoint, url } = await start(t);
  const keys = [...KEYS]; // a few requests per key keeps clear of the per-key limit
  for (const [i, [action, params, code]] of PARAMETER_CASES.entries()) {
    const key = keys[i % keys.length];
    await expectError(await post(url, rawSign('POST', { Action: action, ...params }, { key })), 400, code);
    const res = await fetch(`${url}?${rawSign('GET', { Action: action, ...params }, { key })}`);
    await expectError(res, 400, code);
  }
  let sent = 0;
  const counting = (u, init) => { sent++; return fetch(u, init); };
  const c = client(endpoint, KEY, { fetch: counting });
  for (const [action, params, code, wireOnly] of PARAMETER_CASES) {
    if (wireOnly) continue;
    const typed = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, ['RepeatNum', 'FixedDelayDuration', 'BeginOffset'].includes(k) ? Number(v) : v]));
    const call = action === 'StartCasterScene' ? c.startCasterScene(typed) : c.addCasterVideoResource(typed);
    await assert.rejects(call, (error) => {
      assert.ok(error instanceof CasterError);
      assert.equal(error.kind, 'validation');
      assert.equal(error.code, code, `${JSON.stringify(params)}: ${error.message}`);
      return true;
    });
  }
  assert.equal(sent, 0, 'CasterClient sent a request it should have refused');
  for (const caster of emulator.state.snapshot().casters) assert.deepEqual(caster.resources, [], `${caster.casterId} changed`);
  // The camelCase spelling cannot slip past DuplicateLocationID either.
  await expectOk(await post(url, rawSign('POST', { Action: 'AddCasterVideoResource', CasterId: MAIN, ResourceName: 'x', LocationId: 'RV05', ImageId: 'i' }, { key: KEYS[19] })), 'ResourceId');
  await expectError(await post(url, rawSign('POST', { Action: 'AddCasterVideoResource', CasterId: MAIN, ResourceName: 'y', locationId: 'RV05', ImageId: 'i' }, { key: KEYS[19] })), 400, 'InvalidParameter.Malformed');
  assert.equal(resources(emulator.state.snapshot(), MAIN).length, 1);
});

test('wire: signature, key, STS token, nonce, timestamp, action, version and size are checked as section 1 says', async (t) => {
  let clock = Date.now();
  const { emulator, url, sign } = await start(t, { now: () => clock });
  const T = clock;
  const add = (n, extra = {}) => ({ CasterId: 'caster-a', ResourceName: `name ${n}`, LocationId: location(n), ImageId: `image-${n}`, ...extra });

  // Wrong secret: the Message carries exactly the string we signed.
  const wrong = sign('AddCasterVideoResource', add(1), { key: { accessKeyId: KEY.accessKeyId, accessKeySecret: 'wrong' }, timestamp: timestamp(T) });
  let body = await expectError(await send(wrong), 400, 'SignatureDoesNotMatch');
  assert.equal(body.Message.slice(body.Message.indexOf('server string to sign is:') + 'server string to sign is:'.length), wrong.stringToSign);
  // A parameter changed after signing: the server's string to sign is that of the changed set.
  const signed = sign('AddCasterVideoResource', add(1), { timestamp: timestamp(T) });
  const tampered = signed.body.replace('ResourceName=name%201', 'ResourceName=name%202');
  assert.notEqual(tampered, signed.body);
  body = await expectError(await post(url, tampered), 400, 'SignatureDoesNotMatch');
  const { Signature: _, ...changed } = { ...signed.params, ResourceName: 'name 2' };
  assert.ok(body.Message.endsWith(`server string to sign is:${stringToSign('POST', changed)}`), body.Message);
  // The method is signed too: a POST signature sent as a GET query does not verify.
  await expectError(await fetch(`${url}?${signed.body}`), 400, 'SignatureDoesNotMatch');
  // A missing signature is a missing parameter.
  await expectError(await post(url, signed.body.replace(/&Signature=[^&]*/, '')), 400, 'MissingParameter');

  // Unknown key; STS keys need their own token.
  await expectError(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' } })), 404, 'InvalidAccessKeyId.NotFound');
  await expectError(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: { ...STS, securityToken: undefined } })), 400, 'MissingSecurityToken');
  await expectError(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: { ...STS, securityToken: 'STS.other' } })), 400, 'InvalidSecurityToken.MismatchWithAccessKey');
  await expectOk(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: STS })), 'StreamUrl');

  // The same signed request twice: recorded once, then SignatureNonceUsed.
  await expectOk(await send(signed), 'ResourceId');
  await expectError(await send(signed), 400, 'SignatureNonceUsed');
  // The nonce stays used for 15 minutes, even in a freshly signed request...
  const nonce = signed.params.SignatureNonce;
  clock = T + 14 * MINUTE;
  await expectError(await send(sign('AddCasterVideoResource', add(2), { timestamp: timestamp(clock), nonce })), 400, 'SignatureNonceUsed');
  // ...and no longer.
  clock = T + 16 * MINUTE;
  await expectOk(await send(sign('AddCasterVideoResource', add(2), { timestamp: timestamp(clock), nonce })), 'ResourceId');
  assert.deepEqual(resources(emulator.state.snapshot(), 'caster-a').map((r) => r.locationId), ['RV01', 'RV02']);

  // Timestamps: within 15 minutes either way, not beyond.
  clock = T + 60 * MINUTE;
  await expectError(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: KEYS[4], timestamp: timestamp(clock - 16 * MINUTE) })), 400, 'InvalidTimeStamp.Expired');
  await expectError(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: KEYS[4], timestamp: timestamp(clock + 16 * MINUTE) })), 400, 'InvalidTimeStamp.Expired');
  await expectOk(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: KEYS[4], timestamp: timestamp(clock - 14 * MINUTE) })), 'StreamUrl');
  await expectOk(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: KEYS[4], timestamp: timestamp(clock + 14 * MINUTE) })), 'StreamUrl');

  // Unknown Action, wrong Version (both properly signed).
  await expectError(await post(url, rawSign('POST', { Action: 'DescribeRegions' }, { key: KEYS[5], at: clock })), 404, 'InvalidAction.NotFound');
  await expectError(await post(url, rawSign('POST', { Action: 'StartCasterScene', Version: '2014-05-26', CasterId: MAIN, SceneId: 'pvw-1' }, { key: KEYS[5], at: clock })), 400, 'InvalidVersion');

  // Bodies over 1 MB (a valid request padded with an extra parameter).
  const big = `${rawSign('POST', { Action: 'StartCasterScene', CasterId: MAIN, SceneId: 'pvw-1' }, { key: KEYS[5], at: clock })}&Pad=${'x'.repeat(1024 * 1024)}`;
  await expectError(await post(url, big), 413, 'RequestEntityTooLarge');
  // The emulator still serves after that.
  await expectOk(await post(url, rawSign('POST', { Action: 'StartCasterScene', CasterId: MAIN, SceneId: 'pvw-2' }, { key: KEYS[5], at: clock })), 'StreamUrl');
});

test('wire: more than 10 requests in one second per AccessKeyId get Throttling.User', async (t) => {
  let clock = Date.now();
  const { url } = await start(t, { now: () => clock });
  const burst = (key, n) => Promise.all(Array.from({ length: n }, () => post(url, rawSign('POST', { Action: 'StartCasterScene', CasterId: MAIN, SceneId: 'pvw-1' }, { key, at: clock }))));
  const replies = await burst(KEY, 14);
  const { ok, throttled } = await tallyThrottled(replies);
  assert.equal(ok, 10);
  assert.equal(throttled, 4);
  // Another key is not affected; the same key is, until the second has passed.
  await expectOk((await burst(KEYS[1], 1))[0], 'StreamUrl');
  await expectError((await burst(KEY, 1))[0], [400, 429], 'Throttling.User');
  clock += 1000;
  await expectOk((await burst(KEY, 1))[0], 'StreamUrl');
});

test('wire: accepts what real clients send (query, body or both; Format=json in any case; empty SignatureType; + for space)', async (t) => {
  const { emulator, url, sign } = await start(t);
  const add = (n, name = `name ${n}`) => ({ CasterId: 'caster-a', ResourceName: name, LocationId: location(n), LiveStreamUrl: `rtmp://example.com/live/s${n}` });
  const ids = [];
  const record = async (res) => ids.push((await expectOk(res, 'ResourceId')).ResourceId);

  await record(await send(sign('AddCasterVideoResource', add(1)))); // form body
  await record(await send(sign('AddCasterVideoResource', add(2), { method: 'GET' }))); // query
  // Split between query and body, the signature unchanged (it covers the set, not the place).
  const pairs = sign('AddCasterVideoResource', add(3)).body.split('&');
  const inQuery = pairs.filter((p) => /^(Action|Version|Signature|Timestamp|CasterId)=/.test(p));
  const inBody = pairs.filter((p) => !inQuery.includes(p));
  assert.equal(inQuery.length, 5);
  await record(await post(url, inBody.join('&'), inQuery.join('&')));
  // Nothing in the body at all, a POST with every parameter in the query.
  await record(await post(url, '', sign('AddCasterVideoResource', add(4)).body));
  // Format in any case; an extra signed, empty SignatureType (as pop-core-based SDKs may send).
  await record(await post(url, rawSign('POST', { Action: 'AddCasterVideoResource', ...add(5), Format: 'json' })));
  await record(await post(url, rawSign('POST', { Action: 'AddCasterVideoResource', ...add(6), Format: 'Json', SignatureType: '' })));
  await record(await fetch(`${url}?${rawSign('GET', { Action: 'AddCasterVideoResource', ...add(7), SignatureType: '' })}`));
  // Format left out altogether is JSON too.
  await record(await post(url, rawSign('POST', { Action: 'AddCasterVideoResource', ...add(8), Format: undefined })));
  // + for a space in a form body and in a query; a real + is %2B.
  const spaced = sign('AddCasterVideoResource', add(9, 'front camera 1'), { key: KEYS[1] });
  assert.ok(spaced.body.includes('%20'));
  await record(await post(url, spaced.body.replaceAll('%20', '+')));
  const spacedGet = sign('AddCasterVideoResource', add(10, 'back camera  2'), { key: KEYS[1], method: 'GET' });
  await record(await fetch(spacedGet.url.replaceAll('%20', '+')));
  await record(await send(sign('AddCasterVideoResource', add(11, 'a+b c'), { key: KEYS[1] })));

  const recorded = resources(emulator.state.snapshot(), 'caster-a');
  assert.deepEqual(recorded.map((r) => r.resourceId), ids);
  assert.deepEqual(recorded.map((r) => r.locationId), Array.from({ length: 11 }, (_, i) => location(i + 1)));
  assert.equal(recorded[8].resourceName, 'front camera 1');
  assert.equal(recorded[9].resourceName, 'back camera  2');
  assert.equal(recorded[10].resourceName, 'a+b c');
  assert.equal(recorded[2].LiveStreamUrl, 'rtmp://example.com/live/s3');
});

test('CORS, the gateway\'s by default: every API reply lets any origin read its body and exposes no header; preflight OPTIONS is answered 204', async (t) => {
  const { url } = await start(t);
  const pre = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  const methods = (pre.headers.get('access-control-allow-methods') ?? '').split(',').map((m) => m.trim());
  for (const m of ['GET', 'POST']) assert.ok(methods.includes(m), `allow-methods: ${methods}`);
  // The gateway's fixed list, whatever is asked (emulator-gateway.test.mjs has it whole).
  const allowHeaders = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',').map((h) => h.trim());
  assert.ok(!allowHeaders.includes('authorization') && !allowHeaders.includes('*'), allowHeaders);
  assert.equal(await pre.text(), '');

  const ok = await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { endpoint: url }));
  await expectOk(ok, 'StreamUrl');
  // As the gateway: a page's script cannot read Date (the client then reports a skew it cannot correct).
  assert.equal(ok.headers.get('access-control-expose-headers'), null);
  await expectError(await post(url, 'Action=StartCasterScene'), 400, 'MissingParameter'); // expectError checks the CORS header
  await expectError(await send(sign('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1' }, { key: { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' }, endpoint: url })), 404, 'InvalidAccessKeyId.NotFound');
  // The state view is for this machine only: no origin is granted it (emulator-attacks.test.mjs).
  const state = await fetch(`${url}_emulator/state`);
  assert.equal(state.headers.get('access-control-allow-origin'), null);
});

test('GET /_emulator/state returns the state and never a secret', async (t) => {
  const lines = [];
  const { url, endpoint } = await start(t, { log: (line) => lines.push(line) });
  const sts = client(endpoint, STS);
  const { ResourceId } = await sts.addCasterVideoResource({ CasterId: MAIN, ResourceName: 'via STS', LocationId: 'RV02', LiveStreamUrl: 'rtmp://example.com/a/b' });
  const { StreamUrl } = await client(endpoint).startCasterScene({ CasterId: MAIN, SceneId: 'pvw-2' });
  await expectApiError(client(endpoint, { ...STS, securityToken: 'STS.wombat-guess' }).startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' }), 400, 'InvalidSecurityToken.MismatchWithAccessKey');

  const res = await fetch(`${url}_emulator/state`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const text = await res.text();
  const state = JSON.parse(text);
  assert.deepEqual(state.casters.map((c) => c.casterId), CONFIG.casters.map((c) => c.casterId));
  const main = state.casters.find((c) => c.casterId === MAIN);
  assert.equal(main.ingestEndpoints, 10);
  assert.equal(main.status, 'started');
  assert.deepEqual(main.resources.map((r) => [r.resourceId, r.locationId, r.resourceName]), [[ResourceId, 'RV02', 'via STS']]);
  const scene = main.scenes.find((s) => s.sceneId === 'pvw-2');
  assert.equal(scene.streamUrl, StreamUrl);
  for (const secret of [...CONFIG.accessKeys.map((k) => k.accessKeySecret), STS.securityToken, ...SECRET_FRAGMENTS]) {
    assert.ok(!text.includes(secret), `the state holds a secret (${secret})`);
    for (const line of lines) assert.ok(!line.includes(secret), `a log line holds a secret: ${line}`);
  }
  assert.ok(lines.length >= 3, 'the emulator logged nothing');
});

// ---------------------------------------------------------------------------------------------
// Signature V3
// ---------------------------------------------------------------------------------------------

/** Sends a V3 signRequest result, with headers changed (`undefined` drops one), or another URL, method or body. */
function sendV3(signed, { headers = {}, url = signed.url, method = signed.method, body } = {}) {
  const all = { ...signed.headers, ...headers };
  for (const name of Object.keys(all)) if (all[name] === undefined) delete all[name];
  return fetch(url, { method, headers: all, body });
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const serverStringToSign = (message) => message.slice(message.indexOf('server string to sign is:') + 'server string to sign is:'.length);

/** A fetch that records what CasterClient hands it (method, URL, headers, body) and sends it on. */
function recordingFetch(sent, send = fetch) {
  return (url, init) => {
    sent.push({ url, method: init.method, headers: { ...init.headers }, body: init.body });
    return send(url, init);
  };
}

test('CasterClient with signatureAlgorithm "v3", POST and GET (STS too): both operations succeed, sent as V3', async (t) => {
  const { emulator, endpoint } = await start(t);
  const sent = [];
  const v3 = (key, options = {}) => client(endpoint, key, { signatureAlgorithm: 'v3', fetch: recordingFetch(sent), ...options });
  const viaPost = v3(KEY);
  const viaGet = v3(KEYS[1], { method: 'GET' });
  const viaSts = v3(STS);
  for (const c of [viaPost, viaGet, viaSts]) {
    assert.deepEqual(Object.keys(await c.startCasterScene({ CasterId: MAIN, SceneId: 'pvw-1' })).sort(), ['RequestId', 'StreamUrl']);
    saw(200, 'OK');
  }
  const sources = [
    [viaPost, { LiveStreamUrl: 'rtmp://example.com/live/s?auth_key=1-0-0-abc&x=a+b*~' }],
    [viaGet, { VodUrl: 'http://example.com/v/a~b(1)*.flv?t=1+2', BeginOffset: 0, EndOffset: -500, RepeatNum: -1 }],
    [viaSts, { ImageId: 'image-1', FixedDelayDuration: 5000 }],
  ];
  for (const [i, [c, source]] of sources.entries()) {
    const params = { CasterId: 'caster-a', ResourceName: `v3 source ${i + 1} (机位) *'!`, LocationId: location(i + 1), ...source };
    const { ResourceId } = await c.addCasterVideoResource(params);
    saw(200, 'OK');
    const r = resources(emulator.state.snapshot(), 'caster-a').find((x) => x.resourceId === ResourceId);
    assert.equal(r?.resourceName, params.ResourceName);
    for (const [name, value] of Object.entries(source)) assert.equal(r[name], String(value), name);
  }
  // What went out: V3 headers, the parameters in the query, no body, the token only from STS.
  assert.equal(sent.length, 6);
  for (const [i, request] of sent.entries()) {
    assert.equal(request.method, ['POST', 'GET', 'POST'][i % 3]);
    assert.match(request.headers.authorization, /^ACS3-HMAC-SHA256 Credential=\S+,SignedHeaders=[a-z0-9;-]+,Signature=[0-9a-f]{64}$/);
    assert.equal(request.body, undefined);
    assert.ok(!/[?&](Signature|Action|AccessKeyId)=/.test(request.url), request.url);
    assert.equal(request.headers['x-acs-security-token'], [2, 5].includes(i) ? STS.securityToken : undefined);
  }
});

test('CasterClient "v3": clock skew corrected, retries signed afresh, every auth error a CasterError with the server code', async (t) => {
  let skew = 20 * MINUTE;
  const { endpoint } = await start(t, { now: () => Date.now() + skew });
  const v3 = (key, options = {}) => client(endpoint, key, { signatureAlgorithm: 'v3', ...options });
  const scene = { CasterId: MAIN, SceneId: 'pvw-1' };
  await expectApiError(v3(KEY, { fetch: withoutDate }).startCasterScene(scene), 400, 'InvalidTimeStamp.Expired');
  // With the Date header the client corrects its clock and signs again: a new x-acs-date and nonce.
  const sent = [];
  await v3(KEYS[1], { fetch: recordingFetch(sent) }).startCasterScene(scene);
  saw(200, 'OK');
  assert.equal(sent.length, 2);
  const [first, second] = sent.map((r) => r.headers);
  assert.ok(Math.abs(Date.parse(second['x-acs-date']) - Date.parse(first['x-acs-date']) - skew) < 5000, `${first['x-acs-date']} → ${second['x-acs-date']}`);
  assert.notEqual(second['x-acs-signature-nonce'], first['x-acs-signature-nonce']);
  skew = 0;

  // A retry is signed afresh: the first attempt reaches the emulator (its nonce is used there),
  // but a 503 comes back; the retry's new nonce is accepted.
  const retried = [];
  let attempts = 0;
  const lostReply = recordingFetch(retried, async (u, init) => {
    const res = await fetch(u, init);
    attempts += 1;
    if (attempts > 1) return res;
    await res.text();
    return Response.json({ RequestId: 'x', Code: 'ServiceUnavailable', Message: 'lost' }, { status: 503 });
  });
  await v3(KEYS[6], { fetch: lostReply, maxRetries: 1 }).startCasterScene(scene);
  saw(200, 'OK');
  assert.equal(retried.length, 2);
  assert.notEqual(retried[0].headers['x-acs-signature-nonce'], retried[1].headers['x-acs-signature-nonce']);
  assert.notEqual(retried[0].headers.authorization, retried[1].headers.authorization);

  const error = await expectAuthErrors(endpoint, { signatureAlgorithm: 'v3' });
  assert.match(error.message, /server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
});

test('wire V3: signRequest\'s requests are accepted (POST, GET, STS); each part tampered with is refused with its code', async (t) => {
  let clock = Date.now();
  const { emulator, sign } = await start(t, { now: () => clock });
  const T = clock;
  const v3 = (action, params, options = {}) => sign(action, params, { signatureAlgorithm: 'v3', timestamp: timestamp(clock), ...options });
  const scene = { CasterId: MAIN, SceneId: 'pvw-1' };
  const add = (n) => ({
    CasterId: 'caster-a', ResourceName: `v3 source ${n} *(~!') é+`, LocationId: location(n), LiveStreamUrl: `rtmp://example.com/live/${n}?k=a+b&c=d~*`,
  });

  // Accepted: both operations, POST and GET, an STS key with its token.
  await expectOk(await sendV3(v3('StartCasterScene', scene)), 'StreamUrl');
  await expectOk(await sendV3(v3('StartCasterScene', scene, { method: 'GET', key: STS })), 'StreamUrl');
  const ids = [
    (await expectOk(await sendV3(v3('AddCasterVideoResource', add(1))), 'ResourceId')).ResourceId,
    (await expectOk(await sendV3(v3('AddCasterVideoResource', add(2), { method: 'GET', key: STS })), 'ResourceId')).ResourceId,
  ];
  const recorded = () => resources(emulator.state.snapshot(), 'caster-a');
  assert.deepEqual(recorded().map((r) => [r.resourceId, r.resourceName, r.LiveStreamUrl]),
    [1, 2].map((n, i) => [ids[i], add(n).ResourceName, add(n).LiveStreamUrl]), 'the query was not decoded as it was signed');

  // One request, tampered with one part at a time: each refused, and none of them used its nonce.
  const target = v3('AddCasterVideoResource', add(3), { key: KEYS[1] });
  const { authorization } = target.headers;
  const lastDigit = authorization.at(-1) === '0' ? '1' : '0';
  const cases = [
    ['x-acs-date one second later', { headers: { 'x-acs-date': timestamp(Date.parse(target.headers['x-acs-date']) + 1000) } }, 400, 'SignatureDoesNotMatch'],
    ['x-acs-action the other operation', { headers: { 'x-acs-action': 'StartCasterScene' } }, 400, 'SignatureDoesNotMatch'],
    ['x-acs-signature-nonce another', { headers: { 'x-acs-signature-nonce': randomUUID() } }, 400, 'SignatureDoesNotMatch'],
    ['an unsigned x-acs-foo header', { headers: { 'x-acs-foo': 'bar' } }, 400, 'IncompleteSignature'],
    ['a query value changed', { url: target.url.replace('RV03', 'RV04') }, 400, 'SignatureDoesNotMatch'],
    ['a query parameter added', { url: `${target.url}&PtsCallbackInterval=5` }, 400, 'SignatureDoesNotMatch'],
    ['a body added (its hash is not x-acs-content-sha256)', { body: new TextEncoder().encode('FixedDelayDuration=5') }, 400, 'SignatureDoesNotMatch'],
    ['a body added with x-acs-content-sha256 its hash', { body: new TextEncoder().encode('x'), headers: { 'x-acs-content-sha256': sha256('x') } }, 400, 'SignatureDoesNotMatch'],
    ['a form body with an unsigned content-type', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'FixedDelayDuration=5' }, 400, 'IncompleteSignature'],
    ['sent as GET', { method: 'GET' }, 400, 'SignatureDoesNotMatch'],
    ['the Signature\'s last digit changed', { headers: { authorization: authorization.slice(0, -1) + lastDigit } }, 400, 'SignatureDoesNotMatch'],
    ['the Credential another known key', { headers: { authorization: authorization.replace(KEYS[1].accessKeyId, KEYS[2].accessKeyId) } }, 400, 'SignatureDoesNotMatch'],
    ['the Credential an unknown key', { headers: { authorization: authorization.replace(KEYS[1].accessKeyId, 'LTAIunknown') } }, 404, 'InvalidAccessKeyId.NotFound'],
    ['SignedHeaders without x-acs-date', { headers: { authorization: authorization.replace(';x-acs-date', '') } }, 400, 'IncompleteSignature'],
    ['the Authorization header without Signature', { headers: { authorization: authorization.replace(/,Signature=.*$/, '') } }, 400, 'IncompleteSignature'],
    ['no x-acs-date', { headers: { 'x-acs-date': undefined } }, 400, 'MissingParameter'],
    ['x-acs-date not a date', { headers: { 'x-acs-date': 'yesterday' } }, 400, 'InvalidTimeStamp.Format'],
    ['x-acs-version another', { headers: { 'x-acs-version': '2014-05-26' } }, 400, 'InvalidVersion'],
    ['x-acs-action an unknown action', { headers: { 'x-acs-action': 'DescribeRegions' } }, 404, 'InvalidAction.NotFound'],
  ];
  for (const [what, change, status, code] of cases) {
    await t.test(what, async () => { await expectError(await sendV3(target, change), status, code); });
  }
  assert.equal(recorded().length, 2, 'a refused request changed the state');
  // The server canonicalised what it received: a changed query value is in its string to sign.
  const changed = await expectError(await sendV3(target, { url: target.url.replace('RV03', 'RV04') }), 400, 'SignatureDoesNotMatch');
  const changedQuery = target.canonicalQuery.replace('RV03', 'RV04');
  assert.equal(serverStringToSign(changed.Message), `ACS3-HMAC-SHA256\n${sha256(target.canonicalRequest.replace(target.canonicalQuery, changedQuery))}`);
  // The untouched request goes through, once: then its nonce is used.
  await expectOk(await sendV3(target), 'ResourceId');
  await expectError(await sendV3(target), 400, 'SignatureNonceUsed');

  // A wrong secret: the Message carries exactly the string we signed, and never the canonical
  // request (it would hold an STS token).
  const wrong = v3('AddCasterVideoResource', add(4), { key: { ...STS, accessKeySecret: 'wrong-secret' } });
  const body = await expectError(await sendV3(wrong), 400, 'SignatureDoesNotMatch');
  assert.equal(serverStringToSign(body.Message), wrong.stringToSign);
  assert.ok(!body.Message.includes(STS.securityToken) && !body.Message.includes('x-acs-'), body.Message);

  // STS: the token is checked after the signature, as with v1.
  await expectError(await sendV3(v3('StartCasterScene', scene, { key: { ...STS, securityToken: undefined } })), 400, 'MissingSecurityToken');
  await expectError(await sendV3(v3('StartCasterScene', scene, { key: { ...STS, securityToken: 'STS.other' } })), 400, 'InvalidSecurityToken.MismatchWithAccessKey');
  const sts = v3('StartCasterScene', scene, { key: STS });
  await expectError(await sendV3(sts, { headers: { 'x-acs-security-token': 'STS.other' } }), 400, 'SignatureDoesNotMatch');
  await expectError(await sendV3(sts, { headers: { 'x-acs-security-token': undefined } }), 400, 'IncompleteSignature');

  // Time: x-acs-date within 15 minutes either way, correctly signed; not beyond.
  clock = T + 60 * MINUTE;
  for (const [offset, code] of [[-16, 'InvalidTimeStamp.Expired'], [16, 'InvalidTimeStamp.Expired'], [-14, 'OK'], [14, 'OK']]) {
    const res = await sendV3(v3('StartCasterScene', scene, { key: KEYS[4], timestamp: timestamp(clock + offset * MINUTE) }));
    if (code === 'OK') await expectOk(res, 'StreamUrl');
    else await expectError(res, 400, code);
  }
  // A nonce stays used for 15 minutes, even in a freshly signed request.
  const nonce = randomUUID();
  await expectOk(await sendV3(v3('StartCasterScene', scene, { key: KEYS[5], nonce })), 'StreamUrl');
  clock += 14 * MINUTE;
  await expectError(await sendV3(v3('StartCasterScene', scene, { key: KEYS[5], nonce })), 400, 'SignatureNonceUsed');
  clock += 2 * MINUTE;
  await expectOk(await sendV3(v3('StartCasterScene', scene, { key: KEYS[5], nonce })), 'StreamUrl');
  assert.deepEqual(recorded().map((r) => r.locationId), ['RV01', 'RV02', 'RV03']);
});

test('wire V3: a form body signed by the vendor\'s openapi-util is read, and its bytes are what the hash covers', async (t) => {
  const { emulator, url } = await start(t);
  const body = 'CasterId=caster-b&ResourceName=form%20body%20%E6%9C%BA%E4%BD%8D&LocationId=RV01&ImageUrl=https%3A%2F%2Fexample.com%2Fa.png';
  const signedBy = (text, key = KEY) => {
    const headers = {
      host: new URL(url).host, 'content-type': 'application/x-www-form-urlencoded', 'x-acs-action': 'AddCasterVideoResource',
      'x-acs-version': VERSION, 'x-acs-date': timestamp(Date.now()), 'x-acs-signature-nonce': randomUUID(),
      'x-acs-content-sha256': vendorPayloadHash(text),
    };
    const { authorization } = vendorSignV3({
      method: 'POST', query: { RegionId: 'cn-shanghai' }, headers, payloadHash: headers['x-acs-content-sha256'], ...key,
    });
    const { host: _, ...sent } = headers;
    return { ...sent, authorization };
  };
  const headers = signedBy(body);
  // A byte of the body changed: its hash is no longer the signed one.
  await expectError(await fetch(`${url}?RegionId=cn-shanghai`, { method: 'POST', headers, body: body.replace('RV01', 'RV02') }), 400, 'SignatureDoesNotMatch');
  const { ResourceId } = await expectOk(await fetch(`${url}?RegionId=cn-shanghai`, { method: 'POST', headers, body }), 'ResourceId');
  const [source] = resources(emulator.state.snapshot(), 'caster-b');
  assert.deepEqual([source.resourceId, source.resourceName, source.locationId, source.ImageUrl],
    [ResourceId, 'form body 机位', 'RV01', 'https://example.com/a.png']);
});

test('wire V3: more than 10 requests in one second per AccessKeyId get Throttling.User, counted with v1 ones', async (t) => {
  let clock = Date.now();
  const { url, sign } = await start(t, { now: () => clock });
  const scene = { CasterId: MAIN, SceneId: 'pvw-1' };
  const v1 = () => post(url, rawSign('POST', { Action: 'StartCasterScene', ...scene }, { at: clock }));
  const v3 = (key = KEY) => sendV3(sign('StartCasterScene', scene, { key, signatureAlgorithm: 'v3', timestamp: timestamp(clock) }));
  const replies = await Promise.all([...Array.from({ length: 7 }, v1), ...Array.from({ length: 7 }, () => v3())]);
  const { ok } = await tallyThrottled(replies);
  assert.equal(ok, 10);
  // Another key is not affected; the same key is, until the second has passed.
  await expectOk(await v3(KEYS[1]), 'StreamUrl');
  await expectError(await v3(), [400, 429], 'Throttling.User');
  clock += 1000;
  await expectOk(await v3(), 'StreamUrl');
});

test('CORS open (cors: "open", for pages in development): a browser\'s preflight for V3 headers (authorization, x-acs-*) is granted', async (t) => {
  const { url } = await start(t, { cors: 'open' });
  const requested = ['authorization', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-security-token', 'x-acs-signature-nonce', 'x-acs-version'];
  const pre = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': requested.join(',') },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  // Listed by name: the wildcard does not cover authorization.
  const allowed = (pre.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
  for (const name of requested) assert.ok(allowed.includes(name), `${name} is not allowed: ${allowed}`);
});

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

test('100 concurrent AddCasterVideoResource calls with distinct LocationIds: every one recorded once', async (t) => {
  const { emulator, endpoint } = await start(t);
  const clients = KEYS.map((key) => client(endpoint, key, { maxRetries: 2 }));
  const calls = Array.from({ length: 100 }, (_, i) => ({
    CasterId: i < 50 ? 'caster-a' : 'caster-b', ResourceName: `concurrent ${i}`, LocationId: location((i % 50) + 1),
    LiveStreamUrl: `rtmp://example.com/live/${i}`,
  }));
  const replies = await Promise.all(calls.map((params, i) => clients[i % clients.length].addCasterVideoResource(params)));
  const acked = new Map(replies.map((r, i) => [r.ResourceId, calls[i]]));
  assert.equal(acked.size, 100, 'two calls got the same ResourceId');

  const snapshot = emulator.state.snapshot();
  const recorded = [...resources(snapshot, 'caster-a'), ...resources(snapshot, 'caster-b')];
  assert.equal(recorded.length, 100);
  for (const r of recorded) {
    const sent = acked.get(r.resourceId);
    assert.ok(sent, `${r.resourceId} was recorded but never acknowledged`);
    assert.equal(r.resourceName, sent.ResourceName);
    assert.equal(r.locationId, sent.LocationId);
    assert.equal(r.LiveStreamUrl, sent.LiveStreamUrl);
  }
  assert.equal(new Set(recorded.map((r) => r.resourceId)).size, 100, 'a source was recorded twice');
  for (const casterId of ['caster-a', 'caster-b']) {
    assert.equal(new Set(resources(snapshot, casterId).map((r) => r.locationId)).size, 50);
  }
  for (const caster of snapshot.casters) {
    if (caster.casterId !== 'caster-a' && caster.casterId !== 'caster-b') assert.deepEqual(caster.resources, []);
  }
});

test('20 concurrent calls for the same LocationId: exactly one succeeds, the rest DuplicateLocationID', async (t) => {
  const { emulator, endpoint } = await start(t);
  const results = await Promise.allSettled(KEYS.map((key, i) => client(endpoint, key).addCasterVideoResource({
    CasterId: 'caster-same', ResourceName: `contender ${i}`, LocationId: 'RV42', ImageUrl: `https://example.com/${i}.jpg`,
  })));
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1);
  for (const r of results) {
    if (r.status === 'rejected') await expectApiError(Promise.reject(r.reason), 400, 'DuplicateLocationID');
  }
  let recorded = resources(emulator.state.snapshot(), 'caster-same');
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].resourceId, won[0].value.ResourceId);
  assert.equal(recorded[0].locationId, 'RV42');

  // Once more with 20 requests signed beforehand and let go at the same moment.
  const signed = KEYS.map((key, i) => sign('AddCasterVideoResource', {
    CasterId: 'caster-same', ResourceName: `raw contender ${i}`, LocationId: 'RV43', ImageId: `image-${i}`,
  }, { key, endpoint }));
  const replies = await Promise.all(signed.map(send));
  let winner;
  for (const res of replies) {
    if (res.status === 200) {
      assert.equal(winner, undefined, 'a second call for RV43 succeeded');
      winner = (await expectOk(res, 'ResourceId')).ResourceId;
    } else {
      await expectError(res, 400, 'DuplicateLocationID');
    }
  }
  recorded = resources(emulator.state.snapshot(), 'caster-same');
  assert.deepEqual(recorded.map((r) => [r.resourceId, r.locationId]), [[won[0].value.ResourceId, 'RV42'], [winner, 'RV43']]);
});

// ---------------------------------------------------------------------------------------------
// --state: restarts and kills
// ---------------------------------------------------------------------------------------------

test('--state: a killed emulator leaves a whole state file with every acknowledged source; a restart serves them', { timeout: 20000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aliyun-caster-emulator-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'config.json');
  const stateFile = join(dir, 'state.json');
  // When to kill, one round each: as soon as the adds are on their way, and after 1, 10 and 35
  // acknowledgements. Each round adds to its own studio.
  const rounds = [{ afterAcks: 0 }, { afterAcks: 1 }, { afterAcks: 10 }, { afterAcks: 35 }];
  const studios = rounds.map((_, i) => `caster-round-${i}`);
  writeFileSync(configFile, JSON.stringify({ accessKeys: KEYS, casters: studios.map((casterId) => ({ casterId, ingestEndpoints: 99 })) }));

  let running;
  t.after(() => running?.child.kill('SIGKILL'));
  const acked = new Map(); // ResourceId → the add
  const sent = new Map(); // `${casterId} ${LocationId}` → the add
  const holdsEveryAck = (casters, when) => {
    const byId = new Map(casters.flatMap((c) => c.resources.map((r) => [r.resourceId, { ...r, casterId: c.casterId }])));
    for (const [id, add] of acked) {
      const r = byId.get(id);
      assert.ok(r, `${when}: the acknowledged source ${add.CasterId}/${add.LocationId} is missing`);
      assert.equal(r.casterId, add.CasterId);
      assert.equal(r.locationId, add.LocationId);
      assert.equal(r.resourceName, add.ResourceName);
    }
    for (const c of casters) {
      assert.equal(new Set(c.resources.map((r) => r.locationId)).size, c.resources.length, `${when}: a location holds two sources`);
      for (const r of c.resources) assert.ok(sent.has(`${c.casterId} ${r.locationId}`), `${when}: a source nobody added`);
    }
  };

  running = await spawnCli({ config: configFile, state: stateFile });
  for (const [round, { afterAcks }] of rounds.entries()) {
    // What this (re)started emulator serves is what the file holds, every acknowledged add included.
    const served = await (await fetch(`${running.url}_emulator/state`)).json();
    const onDisk = JSON.parse(readFileSync(stateFile, 'utf8'));
    assert.deepEqual(served.casters, onDisk.casters);
    holdsEveryAck(served.casters, `after restart ${round}`);

    const { child, url, exited } = running;
    let killed = false;
    const kill = () => {
      if (!killed) child.kill('SIGKILL');
      killed = true;
    };
    // Meanwhile, read the file as often as we can: it must parse every time.
    let reads = 0;
    const reader = (async () => {
      while (!killed) {
        JSON.parse(await readFile(stateFile, 'utf8'));
        reads++;
        await new Promise((resolve) => { setImmediate(resolve); });
      }
    })();

    let roundAcks = 0;
    const adds = Array.from({ length: 60 }, (_, i) => ({
      CasterId: studios[round], ResourceName: `round ${round} add ${i}`, LocationId: location(i + 1), ImageId: `image-${round}-${i}`,
    }));
    let next = 0;
    const worker = async () => { // ten in flight at a time; each key signs three adds in all
      while (!killed && next < adds.length) {
        const i = next++;
        const add = adds[i];
        sent.set(`${add.CasterId} ${add.LocationId}`, add);
        try {
          const res = await send(sign('AddCasterVideoResource', add, { key: KEYS[i % KEYS.length], endpoint: url }));
          const body = await res.json();
          if (killed) continue; // answered, but we had killed it before we read that
          assert.equal(res.status, 200, JSON.stringify(body));
          acked.set(body.ResourceId, add);
          roundAcks++;
          if (roundAcks >= afterAcks && afterAcks > 0) kill();
        } catch (error) {
          if (!killed) throw error;
        }
      }
    };
    const workers = Array.from({ length: 10 }, worker);
    if (afterAcks === 0) setImmediate(kill);
    await Promise.all(workers);
    kill();
    assert.equal((await exited).signal, 'SIGKILL');
    await reader;
    assert.ok(reads > 0);

    const saved = JSON.parse(readFileSync(stateFile, 'utf8')); // whole: it parses
    holdsEveryAck(saved.casters, `after kill ${round}`);
    if (afterAcks > 0) assert.ok(roundAcks >= afterAcks);
    running = await spawnCli({ config: configFile, state: stateFile }); // restart on the same file
  }
  const last = await (await fetch(`${running.url}_emulator/state`)).json();
  holdsEveryAck(last.casters, 'after the last restart');
  assert.ok(acked.size >= 46, `only ${acked.size} adds were acknowledged`);
  running.child.kill('SIGTERM');
  const { code } = await running.exited;
  assert.equal(code, 0, 'SIGTERM: a clean exit');
  running = undefined;
  // Closed cleanly, the file still holds everything.
  holdsEveryAck(JSON.parse(readFileSync(stateFile, 'utf8')).casters, 'after SIGTERM');
});
