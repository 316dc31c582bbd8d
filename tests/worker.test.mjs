// The edge worker (worker/index.js) in real workerd through miniflare, with the local emulator as
// its upstream. One Miniflare instance (one workerd process) runs the worker several times over,
// each with its own environment and so its own isolate, picked by the request's host name:
//   main        the emulator as UPSTREAM, a permanent key                 (http://worker/...)
//   capture     a recording node:http proxy in front of the emulator as   (http://capture/...)
//               UPSTREAM, another permanent key: the test sees the exact request the worker sends
//   sts         the recording proxy, STS credentials with SECURITY_TOKEN  (http://sts/...)
//   v3          the recording proxy, STS credentials, SIGNATURE_ALGORITHM  (http://v3/...)
//               "v3": the upstream gets V3 requests
//   badalg      SIGNATURE_ALGORITHM "v2": misconfigured                   (http://badalg/...)
//   down        UPSTREAM on a closed port                                 (http://down/...)
//   notoken     no PROXY_TOKEN set                                        (http://notoken/...)
//   echo        a tiny worker that reports a request's Content-Length and body size, to prove
//               that the streamed oversize body really arrives without a Content-Length
// main, capture, sts and v3 use different keys: the emulator's 10 QPS window is per AccessKeyId,
// and each isolate's limiter only knows its own requests. The proxy forwards every header as it
// came, host included: a V3 signature covers host.
// Every worker response of the file is recorded; the last test sweeps them for the secrets.

import { decodeForm, enc, referenceSign } from './support/reference-signer.mjs';
import { after, before, describe, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';

import { Miniflare } from 'miniflare';
import { validateParams } from 'aliyun-caster';
import { createEmulator } from '../emulator/server.mjs';
import { WORKER } from './support/worker.mjs';
import { vendorPayloadHash, vendorSignV3 } from './support/openapi-util.mjs';

/** Every test gets a time limit, so that a hang (a stuck body upload, a retry loop) fails instead. */
function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 10000 }, options)
    : nodeTest(name, { timeout: 10000, ...options }, fn);
}

// Secrets with characters that percent-encode (/ + =), as real ones have, and a distinctive
// animal each, so that a leak in any form (raw, encoded, cut short) is easy to find.
const MAIN_KEY = { accessKeyId: 'LTAI5tWorkerMainKey', accessKeySecret: 'wRk/sEcReT+9=numbat-60e2' };
const CAPTURE_KEY = { accessKeyId: 'LTAI5tWorkerCaptureKey', accessKeySecret: 'cPt/SeCrEt+3=wallaby-7d41' };
const STS_KEY = {
  accessKeyId: 'STS.NWorkerStsKey', accessKeySecret: 'sts/SeCrEt+4=quokka-1a7c', securityToken: 'CAIS/wkTOKEN+x7==bilby-88d1',
};
const V3_KEY = {
  accessKeyId: 'STS.NWorkerV3Key', accessKeySecret: 'v3/SeCrEt+8=bettong-2c9f', securityToken: 'CAIS/v3TOKEN+y5==potoroo-3e17',
};
const PROXY_TOKEN = 'pxy-T0ken_dugong-5c3a9e7b21f04d6a';
const SECRETS = [MAIN_KEY.accessKeySecret, CAPTURE_KEY.accessKeySecret, STS_KEY.accessKeySecret, STS_KEY.securityToken,
  V3_KEY.accessKeySecret, V3_KEY.securityToken, PROXY_TOKEN];
const FRAGMENTS = ['numbat', 'wallaby', 'quokka', 'bilby', 'bettong', 'potoroo', 'dugong'];

const ALLOWED = 'https://console.example';
const ALLOWED_2 = 'https://second.example';
const OTHER_ORIGIN = 'https://evil.example';

const MAIN = 'caster-main';
const CONFIG = {
  accessKeys: [MAIN_KEY, CAPTURE_KEY, STS_KEY, V3_KEY],
  casters: [
    {
      casterId: MAIN,
      status: 'started',
      ingestEndpoints: 10,
      scenes: [
        { sceneId: 'pvw-1', type: 'PVW' }, { sceneId: 'pvw-2', type: 'PVW' }, { sceneId: 'pvw-big', type: 'PVW' },
        { sceneId: 'pvw-rate', type: 'PVW' }, { sceneId: 'pgm', type: 'PGM' }, { sceneId: 'pvw-stop', type: 'PVW' },
      ],
    },
    { casterId: 'caster-capture', status: 'started', ingestEndpoints: 4, scenes: [{ sceneId: 'cap-pvw', type: 'PVW' }] },
    { casterId: 'caster-sts', status: 'started', ingestEndpoints: 4, scenes: [{ sceneId: 'sts-pvw', type: 'PVW' }] },
    {
      casterId: 'caster-v3', casterName: 'V3 studio', status: 'started', ingestEndpoints: 4, scenes: [{ sceneId: 'v3-pvw', type: 'PVW' }],
      tags: [{ key: 'env', value: 'prod' }],
    },
    { casterId: 'caster-idle', status: 'idle', ingestEndpoints: 2, scenes: [{ sceneId: 'idle-pvw', type: 'PVW' }] },
  ],
};

const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const UUID_ANY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const MAX_BODY = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Fixtures: emulator, recording proxy, one Miniflare with every worker configuration
// ---------------------------------------------------------------------------------------------

/** Every line the emulator logged (one per API request), with the time it was logged. */
const EMULATOR_LOG = [];
/** Every request that reached the recording proxy, and what the emulator answered it. */
const RECORDED = [];
/** Every response a worker gave in this file: the final test sweeps them for secrets. */
const RESPONSES = [];

let emulator;
let recorder;
let mf;

/** Sends a received request on to `target` as it came: method, path, every header (host too), body. */
function forward(target, req, body) {
  const { hostname, port } = new URL(target);
  return new Promise((resolve, reject) => {
    const out = httpRequest({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

function startRecorder(target) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const entry = { method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') };
    RECORDED.push(entry);
    try {
      const upstream = await forward(target, req, body);
      entry.status = upstream.status;
      entry.reply = upstream.text;
      res.writeHead(upstream.status, {
        'content-type': upstream.headers['content-type'] ?? 'application/json',
        date: upstream.headers.date ?? new Date().toUTCString(),
      });
      res.end(entry.reply);
    } catch (error) {
      entry.status = 599;
      entry.reply = String(error);
      res.writeHead(599).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
function closedPort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  emulator = createEmulator({ config: CONFIG, log: (line) => EMULATOR_LOG.push({ line, at: Date.now() }) });
  const emulatorPort = await emulator.listen(0);
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  recorder = await startRecorder(emulatorUrl);
  const recorderUrl = `http://127.0.0.1:${recorder.port}`;
  const downUrl = `http://127.0.0.1:${await closedPort()}`;

  const env = (key, upstream, extra = {}) => ({
    ACCESS_KEY_ID: key.accessKeyId,
    ACCESS_KEY_SECRET: key.accessKeySecret,
    PROXY_TOKEN,
    UPSTREAM: upstream,
    ALLOWED_ORIGINS: `${ALLOWED}, ${ALLOWED_2}`,
    REGION_ID: 'cn-shanghai',
    ...extra,
  });
  const { PROXY_TOKEN: _none, ...noToken } = env(MAIN_KEY, recorderUrl);
  mf = new Miniflare({
    workers: [
      // The first worker also answers every host that no route names (http://worker/...).
      { name: 'main', ...WORKER, bindings: env(MAIN_KEY, emulatorUrl) },
      { name: 'capture', ...WORKER, routes: ['capture/*'], bindings: env(CAPTURE_KEY, recorderUrl) },
      { name: 'sts', ...WORKER, routes: ['sts/*'], bindings: env(STS_KEY, recorderUrl, { SECURITY_TOKEN: STS_KEY.securityToken }) },
      {
        name: 'v3', ...WORKER, routes: ['v3/*'],
        bindings: env(V3_KEY, recorderUrl, { SECURITY_TOKEN: V3_KEY.securityToken, SIGNATURE_ALGORITHM: 'v3' }),
      },
      { name: 'badalg', ...WORKER, routes: ['badalg/*'], bindings: env(V3_KEY, recorderUrl, { SIGNATURE_ALGORITHM: 'v2' }) },
      { name: 'down', ...WORKER, routes: ['down/*'], bindings: env(MAIN_KEY, downUrl) },
      { name: 'notoken', ...WORKER, routes: ['notoken/*'], bindings: noToken },
      {
        name: 'echo',
        modules: true,
        routes: ['echo/*'],
        compatibilityDate: '2026-04-01',
        script: `export default { async fetch(request) {
          const size = request.body ? (await request.arrayBuffer()).byteLength : 0;
          return Response.json({ contentLength: request.headers.get('content-length'), size });
        } };`,
      },
    ],
  });
  await mf.ready;
}, { timeout: 20000 });

after(async () => {
  await mf?.dispose();
  if (recorder) {
    recorder.server.closeAllConnections();
    await new Promise((resolve) => { recorder.server.close(() => resolve()); });
  }
  await emulator?.close();
});

/**
 * Sends one request to a worker (by host: worker, capture, sts, down, notoken) and records the
 * whole response. Resolves to { status, headers (a plain object), text, json }.
 */
async function call(path, { host = 'worker', method = 'POST', body, json, token = PROXY_TOKEN, authorization, origin = ALLOWED, headers = {}, duplex } = {}) {
  const h = { ...headers };
  if (authorization !== undefined) h.authorization = authorization;
  else if (token !== null) h.authorization = `Bearer ${token}`;
  if (origin !== null) h.origin = origin;
  const init = { method, headers: h };
  if (json !== undefined) init.body = JSON.stringify(json);
  else if (body !== undefined) init.body = body;
  if (duplex) init.duplex = duplex;
  const res = await mf.dispatchFetch(`http://${host}${path}`, init);
  const text = await res.text();
  const out = { status: res.status, headers: Object.fromEntries(res.headers), text, json: undefined };
  try {
    out.json = JSON.parse(text);
  } catch {
    // not JSON: left undefined, the tests that expect JSON say so
  }
  RESPONSES.push({ where: `${method} http://${host}${path}`, ...out });
  return out;
}

const VALID_SCENE = { CasterId: MAIN, SceneId: 'pvw-2' };
const start = (params, options) => call('/v1/StartCasterScene', { json: params, ...options });
const add = (params, options) => call('/v1/AddCasterVideoResource', { json: params, ...options });

/** Counts what reached the upstream side (emulator log lines and proxy records) during fn. */
async function upstreamTraffic(fn) {
  const logBefore = EMULATOR_LOG.length;
  const recBefore = RECORDED.length;
  await fn();
  return { emulator: EMULATOR_LOG.slice(logBefore).map((e) => e.line), recorded: RECORDED.length - recBefore };
}

function assertRefusal(res, status, { code, what = '' } = {}) {
  assert.equal(res.status, status, `${what}: expected HTTP ${status}, got ${res.status} ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `${what}: the refusal is not a JSON object: ${res.text}`);
  assert.equal(typeof res.json.Code, 'string', `${what}: no Code in ${res.text}`);
  assert.ok(res.json.Code.length > 0, `${what}: empty Code`);
  assert.equal(typeof res.json.Message, 'string', `${what}: no Message in ${res.text}`);
  if (code) assert.equal(res.json.Code, code, `${what}: ${res.text}`);
}

const scene = (casterId, sceneId) => emulator.state.snapshot().casters
  .find((c) => c.casterId === casterId).scenes.find((s) => s.sceneId === sceneId);
const resources = (casterId) => emulator.state.snapshot().casters.find((c) => c.casterId === casterId).resources;

// ---------------------------------------------------------------------------------------------
// Both operations, end to end
// ---------------------------------------------------------------------------------------------

describe('both operations succeed end to end', () => {
  test('StartCasterScene: the operation\'s JSON, and the emulator\'s scene is in use', async () => {
    assert.equal(scene(MAIN, 'pvw-1').status, 'idle');
    let res;
    const traffic = await upstreamTraffic(async () => { res = await start({ CasterId: MAIN, SceneId: 'pvw-1', RegionId: 'cn-shanghai' }); });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.json).sort(), ['RequestId', 'StreamUrl']);
    assert.match(res.json.RequestId, UUID_UPPER);
    const now = scene(MAIN, 'pvw-1');
    assert.equal(now.status, 'inUse');
    assert.equal(res.json.StreamUrl, now.streamUrl);
    // The upstream accepted it: a correctly signed request, once.
    assert.deepEqual(traffic.emulator.map((l) => l.split(' ').slice(0, 3).join(' ')), ['POST 200 OK']);
  });

  test('AddCasterVideoResource: the operation\'s JSON, and the emulator holds the source', async () => {
    const params = {
      CasterId: MAIN, ResourceName: 'Main cam (1) ★ ü', LocationId: 'RV01',
      LiveStreamUrl: 'rtmp://push.example.com/app/stream?auth_key=1700000000-0-0-abc123&t=a*b~c',
      PtsCallbackInterval: 1000,
    };
    let res;
    const traffic = await upstreamTraffic(async () => { res = await add(params); });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.json).sort(), ['RequestId', 'ResourceId']);
    assert.match(res.json.RequestId, UUID_UPPER);
    const held = resources(MAIN).find((r) => r.resourceId === res.json.ResourceId);
    assert.ok(held, `the emulator has no source ${res.json.ResourceId}`);
    assert.equal(held.locationId, 'RV01');
    assert.equal(held.resourceName, params.ResourceName);
    assert.equal(held.LiveStreamUrl, params.LiveStreamUrl);
    assert.equal(held.PtsCallbackInterval, '1000');
    assert.deepEqual(traffic.emulator.map((l) => l.split(' ').slice(0, 3).join(' ')), ['POST 200 OK']);
  });

  test('a file source with integer fields (VodUrl, BeginOffset, RepeatNum) is accepted upstream', async () => {
    const res = await add({
      CasterId: MAIN, ResourceName: 'clip', LocationId: 'RV12',
      VodUrl: 'https://cdn.example.com/v/clip%20one.MP4?x=1&y=a*b~', BeginOffset: 1500, RepeatNum: -1,
    });
    assert.equal(res.status, 200, res.text);
    const held = resources(MAIN).find((r) => r.resourceId === res.json.ResourceId);
    assert.equal(held?.locationId, 'RV12');
    assert.equal(held.BeginOffset, '1500');
    assert.equal(held.RepeatNum, '-1');
  });

  test('a body of exactly 64 KB is accepted', async () => {
    const json = JSON.stringify({ CasterId: MAIN, SceneId: 'pvw-big' });
    const body = json + ' '.repeat(MAX_BODY - Buffer.byteLength(json));
    assert.equal(Buffer.byteLength(body), MAX_BODY);
    const res = await call('/v1/StartCasterScene', { body });
    assert.equal(res.status, 200, res.text);
    assert.equal(scene(MAIN, 'pvw-big').status, 'inUse');
  });
});

// ---------------------------------------------------------------------------------------------
// The studio workflow, end to end: list, add, rename, remove, start and stop
// ---------------------------------------------------------------------------------------------

describe('the six workflow operations succeed end to end', () => {
  const op = (name, params, options) => call(`/v1/${name}`, { json: params, ...options });

  test('v1: list studios by tag and by page, list scenes, then add, list, rename, remove a source, and remove it again', async () => {
    const tagged = await op('DescribeCasters', { Tag: [{ Key: 'env', Value: 'prod' }] });
    assert.equal(tagged.status, 200, tagged.text);
    assert.deepEqual(tagged.json.CasterList.Caster.map((c) => [c.CasterId, c.CasterName]), [['caster-v3', 'V3 studio']]);
    assert.equal(tagged.json.Total, 1);
    const paged = await op('DescribeCasters', { PageNum: 1, PageSize: 2 });
    assert.equal(paged.json.Total, CONFIG.casters.length);
    assert.equal(paged.json.CasterList.Caster.length, 2);

    const scenes = await op('DescribeCasterScenes', { CasterId: MAIN });
    assert.equal(scenes.status, 200, scenes.text);
    const pgm = scenes.json.SceneList.Scene.find((s) => s.SceneId === 'pgm');
    assert.equal(pgm.OutputType, '1');

    const added = await op('AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'Camera 9', LocationId: 'RV09', LiveStreamUrl: 'rtmp://e.example/a/cam9' });
    assert.equal(added.status, 200, added.text);
    const { ResourceId } = added.json;
    const listed = async () => (await op('DescribeCasterVideoResources', { CasterId: MAIN })).json.VideoResources.VideoResource
      .find((r) => r.ResourceId === ResourceId);
    assert.deepEqual([(await listed()).ResourceName, (await listed()).LocationId], ['Camera 9', 'RV09']);

    const renamed = await op('ModifyCasterVideoResource', { CasterId: MAIN, ResourceId, ResourceName: 'Camera nine' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual([renamed.json.CasterId, renamed.json.ResourceId], [MAIN, ResourceId]);
    assert.equal((await listed()).ResourceName, 'Camera nine');

    const removed = await op('DeleteCasterVideoResource', { CasterId: MAIN, ResourceId });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(Object.keys(removed.json), ['RequestId']);
    assert.equal(await listed(), undefined);
    assertRefusal(await op('DeleteCasterVideoResource', { CasterId: MAIN, ResourceId }), 404, { code: 'InvalidResource.NotFound', what: 'a second delete' });
  });

  test('v1: start and stop a scene; stopping it again is IncorrectSceneStatus.Idle', async () => {
    assert.equal((await op('StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-stop' })).status, 200);
    assert.equal(scene(MAIN, 'pvw-stop').status, 'inUse');
    const stopped = await op('StopCasterScene', { CasterId: MAIN, SceneId: 'pvw-stop' });
    assert.equal(stopped.status, 200, stopped.text);
    assert.equal(scene(MAIN, 'pvw-stop').status, 'idle');
    const listed = await op('DescribeCasterScenes', { CasterId: MAIN, SceneId: 'pvw-stop' });
    assert.deepEqual(listed.json.SceneList.Scene.map((s) => [s.SceneId, s.Status]), [['pvw-stop', 0]]);
    assertRefusal(await op('StopCasterScene', { CasterId: MAIN, SceneId: 'pvw-stop' }), 400, { code: 'IncorrectSceneStatus.Idle', what: 'a second stop' });
  });

  test('V3: the tag filter crosses as Tag.1.Key and Tag.1.Value in the signed query, and the upstream accepts it', async () => {
    const before = RECORDED.length;
    const res = await op('DescribeCasters', { Tag: [{ Key: 'env', Value: 'prod' }] }, { host: 'v3' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.CasterList.Caster.map((c) => c.CasterId), ['caster-v3']);
    const [sent] = RECORDED.slice(before);
    assert.match(String(sent.headers.authorization), /^ACS3-HMAC-SHA256 /);
    assert.equal(sent.headers['x-acs-action'], 'DescribeCasters');
    const query = new URLSearchParams(sent.url.split('?')[1] ?? sent.body);
    assert.deepEqual([query.get('Tag.1.Key'), query.get('Tag.1.Value')], ['env', 'prod']);
    assert.equal(sent.status, 200, sent.reply);
  });

  test('bad parameters of a new operation are refused by the worker, and nothing goes upstream', async () => {
    let res;
    const traffic = await upstreamTraffic(async () => { res = await op('DescribeCasters', { Tag: [{ Key: 'env', Colour: 'red' }] }); });
    assertRefusal(res, 400, { code: 'InvalidParameter.Malformed', what: 'an unknown tag member' });
    assert.equal(res.json.Field, 'Tag');
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// The upstream sees a correctly signed request
// ---------------------------------------------------------------------------------------------

describe('the upstream sees a correctly signed request', () => {
  function checkRecorded(entry, { action, key, token }) {
    assert.equal(entry.method, 'POST');
    assert.equal(entry.url, '/', 'the request goes to path / with no query');
    assert.match(String(entry.headers['content-type']), /^application\/x-www-form-urlencoded/);
    const params = decodeForm(entry.body);
    const { canonical, signature } = referenceSign('POST', params, key.accessKeySecret);
    assert.equal(params.Signature, signature, 'the Signature does not verify with HMAC-SHA1(secret + "&")');
    assert.equal(entry.body, `${canonical}&Signature=${enc(signature)}`, 'the body is not the canonical query + &Signature=');
    assert.equal(params.Action, action);
    assert.equal(params.Version, '2016-11-01');
    assert.equal(params.Format, 'JSON');
    assert.equal(params.AccessKeyId, key.accessKeyId);
    assert.equal(params.SignatureMethod, 'HMAC-SHA1');
    assert.equal(params.SignatureVersion, '1.0');
    assert.match(params.SignatureNonce, UUID_ANY);
    assert.match(params.Timestamp, TIMESTAMP_FORM);
    assert.ok(Math.abs(Date.parse(params.Timestamp) - Date.now()) < 60 * 1000, `Timestamp ${params.Timestamp} is not now`);
    assert.equal(params.RegionId, 'cn-shanghai');
    if (token === undefined) assert.equal(params.SecurityToken, undefined, 'a SecurityToken was sent without STS credentials');
    else assert.equal(params.SecurityToken, token);
    // The caller's bearer token is for the worker only: it never travels upstream.
    assert.equal(entry.headers.authorization, undefined, 'the caller\'s Authorization header was forwarded');
    const raw = `${JSON.stringify(entry.headers)}\n${entry.url}\n${entry.body}`;
    assert.ok(!raw.includes(PROXY_TOKEN) && !raw.includes(enc(PROXY_TOKEN)), 'the PROXY_TOKEN was sent upstream');
    assert.ok(!raw.includes(key.accessKeySecret) && !raw.includes(enc(key.accessKeySecret)), 'the secret itself was sent upstream');
    return params;
  }

  test('AddCasterVideoResource with characters that need encoding: recomputed signature matches, emulator says 200', async () => {
    const params = {
      CasterId: 'caster-capture', ResourceName: 'Cam 1 * ~ 摄像机 (a+b=c/d)', LocationId: 'RV07',
      LiveStreamUrl: 'rtmp://push.example.com/app/s?auth_key=1-0-0-f00&x=a*b~c!\'()',
    };
    let res;
    let recorded;
    const traffic = await upstreamTraffic(async () => {
      const before = RECORDED.length;
      res = await add(params, { host: 'capture' });
      recorded = RECORDED.slice(before);
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(recorded.length, 1, 'exactly one request upstream');
    const [entry] = recorded;
    const sent = checkRecorded(entry, { action: 'AddCasterVideoResource', key: CAPTURE_KEY });
    for (const [name, value] of Object.entries(params)) assert.equal(sent[name], value, `${name} on the wire`);
    const extra = Object.keys(sent).filter((k) => !(k in params) && ![
      'Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp',
      'RegionId', 'Signature'].includes(k));
    assert.deepEqual(extra, [], 'unexpected parameters on the wire');
    assert.deepEqual(traffic.emulator.map((l) => l.split(' ').slice(0, 3).join(' ')), ['POST 200 OK']);
    assert.equal(JSON.parse(entry.reply).ResourceId, res.json.ResourceId, 'the worker\'s ResourceId is the upstream\'s');
    assert.equal(JSON.parse(entry.reply).RequestId, res.json.RequestId, 'the worker\'s RequestId is the upstream\'s');
  });

  test('STS credentials: SecurityToken is sent and signed, emulator says 200', async () => {
    const before = RECORDED.length;
    const logBefore = EMULATOR_LOG.length;
    const res = await start({ CasterId: 'caster-sts', SceneId: 'sts-pvw' }, { host: 'sts' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.StreamUrl, scene('caster-sts', 'sts-pvw').streamUrl);
    const recorded = RECORDED.slice(before);
    assert.equal(recorded.length, 1);
    checkRecorded(recorded[0], { action: 'StartCasterScene', key: STS_KEY, token: STS_KEY.securityToken });
    assert.deepEqual(EMULATOR_LOG.slice(logBefore).map((e) => e.line.split(' ').slice(0, 3).join(' ')), ['POST 200 OK']);
  });
});

// ---------------------------------------------------------------------------------------------
// SIGNATURE_ALGORITHM = "v3": V3 requests upstream
// ---------------------------------------------------------------------------------------------

describe('SIGNATURE_ALGORITHM "v3": the upstream gets V3 requests, and accepts them', () => {
  /** Checks a recorded V3 request and re-signs it with the vendor's openapi-util: the same Authorization. */
  function checkRecordedV3(entry, { action, key }) {
    const { headers } = entry;
    assert.equal(entry.method, 'POST');
    assert.equal(entry.body, '', 'a V3 request carries no body');
    assert.equal(headers['content-type'], undefined);
    assert.equal(headers['x-acs-action'], action);
    assert.equal(headers['x-acs-version'], '2016-11-01');
    assert.match(headers['x-acs-date'], TIMESTAMP_FORM);
    assert.ok(Math.abs(Date.parse(headers['x-acs-date']) - Date.now()) < 60 * 1000, `x-acs-date ${headers['x-acs-date']} is not now`);
    assert.match(headers['x-acs-signature-nonce'], UUID_ANY);
    assert.equal(headers['x-acs-content-sha256'], vendorPayloadHash(''));
    assert.equal(headers['x-acs-security-token'], key.securityToken);
    assert.equal(headers.host, `127.0.0.1:${recorder.port}`);
    const query = Object.fromEntries(new URL(entry.url, 'http://x').searchParams);
    assert.equal(query.RegionId, 'cn-shanghai');
    for (const name of ['Action', 'Signature', 'AccessKeyId', 'SecurityToken', 'Timestamp']) assert.equal(query[name], undefined, `${name} in the query`);
    const signedHere = Object.fromEntries(Object.entries(headers).filter(([name]) => name === 'host' || name.startsWith('x-acs-')));
    const vendor = vendorSignV3({
      method: 'POST', query, headers: signedHere, payloadHash: headers['x-acs-content-sha256'], ...key,
    });
    assert.equal(headers.authorization, vendor.authorization, 'the vendor\'s signer computes another Authorization');
    const raw = `${JSON.stringify(headers)}\n${entry.url}`;
    assert.ok(!raw.includes(PROXY_TOKEN) && !raw.includes(key.accessKeySecret) && !raw.includes(enc(key.accessKeySecret)), 'a secret went upstream');
    return query;
  }

  test('both operations: 200 through the worker, V3 on the wire (the vendor\'s signer agrees), the emulator accepts them', async () => {
    const logBefore = EMULATOR_LOG.length;
    const before = RECORDED.length;
    const started = await start({ CasterId: 'caster-v3', SceneId: 'v3-pvw' }, { host: 'v3' });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.json.StreamUrl, scene('caster-v3', 'v3-pvw').streamUrl);
    const params = {
      CasterId: 'caster-v3', ResourceName: 'V3 cam * ~ 摄像机 (a+b=c/d)', LocationId: 'RV02',
      LiveStreamUrl: 'rtmp://push.example.com/app/s?auth_key=1-0-0-f00&x=a*b~c!\'()',
    };
    const added = await add(params, { host: 'v3' });
    assert.equal(added.status, 200, added.text);
    const held = resources('caster-v3').find((r) => r.resourceId === added.json.ResourceId);
    assert.equal(held?.resourceName, params.ResourceName);
    assert.equal(held.LiveStreamUrl, params.LiveStreamUrl);

    const recorded = RECORDED.slice(before);
    assert.equal(recorded.length, 2, 'one request upstream per call');
    checkRecordedV3(recorded[0], { action: 'StartCasterScene', key: V3_KEY });
    const query = checkRecordedV3(recorded[1], { action: 'AddCasterVideoResource', key: V3_KEY });
    for (const [name, value] of Object.entries(params)) assert.equal(query[name], value, `${name} in the query`);
    assert.deepEqual(recorded.map((e) => e.status), [200, 200]);
    assert.deepEqual(EMULATOR_LOG.slice(logBefore).map((e) => e.line.split(' ').slice(0, 3).join(' ')), ['POST 200 OK', 'POST 200 OK']);
  });

  test('the upstream\'s V3 refusals pass through: a reused LocationId → DuplicateLocationID 400', async () => {
    const res = await add({ CasterId: 'caster-v3', ResourceName: 'again', LocationId: 'RV02', ImageId: 'i' }, { host: 'v3' });
    assertRefusal(res, 400, { code: 'DuplicateLocationID' });
  });

  test('SIGNATURE_ALGORITHM "v2" → 500 WorkerMisconfigured naming the setting, never its value; nothing upstream', async () => {
    const traffic = await upstreamTraffic(async () => {
      const res = await start({ CasterId: 'caster-v3', SceneId: 'v3-pvw' }, { host: 'badalg' });
      assertRefusal(res, 500, { code: 'WorkerMisconfigured' });
      assert.ok(res.json.Message.includes('SIGNATURE_ALGORITHM'), res.text);
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

describe('refusals (nothing reaches the upstream)', () => {
  const VALID = { CasterId: MAIN, SceneId: 'pvw-2' };

  test('404 for any other path or action', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const path of ['/v1/StopCaster', '/v1/DeleteCaster', '/', '/v1', '/v1/', '/StartCasterScene',
        '/v2/StartCasterScene', '/v1/StartCasterScene/extra', '/v1/startcasterscene']) {
        assertRefusal(await call(path, { json: VALID }), 404, { what: `POST ${path}` });
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
    assert.equal(scene(MAIN, 'pvw-2').status, 'idle');
  });

  test('405 with an Allow header for other methods on a route', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const path of ['/v1/StartCasterScene', '/v1/AddCasterVideoResource']) {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
          const res = await call(path, { method, json: ['GET'].includes(method) ? undefined : VALID });
          assertRefusal(res, 405, { what: `${method} ${path}` });
          assert.ok(res.headers.allow, `${method} ${path}: no Allow header`);
          const allowed = res.headers.allow.split(',').map((m) => m.trim().toUpperCase());
          assert.ok(allowed.includes('POST'), `Allow: ${res.headers.allow}`);
          assert.ok(!allowed.includes(method), `Allow lists the refused ${method}`);
        }
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });

  test('401 for a missing or wrong token', async () => {
    const cases = [
      ['no Authorization', { token: null }],
      ['wrong token', { token: 'pxy-T0ken_wrong-000000000000000000' }],
      ['a prefix of the token', { token: PROXY_TOKEN.slice(0, -1) }],
      ['the token plus a character', { token: `${PROXY_TOKEN}0` }],
      ['an empty bearer token', { authorization: 'Bearer ' }],
      ['the token without a scheme', { authorization: PROXY_TOKEN }],
      ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`u:${PROXY_TOKEN}`).toString('base64')}` }],
      ['the token in another header', { token: null, headers: { 'x-proxy-token': PROXY_TOKEN } }],
    ];
    const traffic = await upstreamTraffic(async () => {
      for (const [what, options] of cases) {
        assertRefusal(await start(VALID, options), 401, { what });
        assertRefusal(await add({ CasterId: MAIN, ResourceName: 'x', LocationId: 'RV02', ImageId: 'img' }, options), 401, { what });
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
    assert.equal(scene(MAIN, 'pvw-2').status, 'idle');
  });

  test('the Bearer scheme name is matched in any case (RFC 7235), the token exactly', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        // Past the token check, the missing SceneId is what is refused: authentication passed.
        const res = await start({ CasterId: MAIN }, { authorization: `${scheme} ${PROXY_TOKEN}` });
        assert.equal(res.status, 400, scheme);
        assert.equal(res.json?.Code, 'MissingParameter', scheme);
      }
      assertRefusal(await start(VALID_SCENE, { authorization: `bearer ${PROXY_TOKEN.toUpperCase()}` }), 401, { what: 'token case' });
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });

  test('400 for a body that is not JSON', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const body of ['not json', '', '{"CasterId":', "{'CasterId':'x'}", 'CasterId=caster-main&SceneId=pvw-2', '\u0000']) {
        assertRefusal(await call('/v1/StartCasterScene', { body }), 400, { what: JSON.stringify(body) });
      }
      // No body at all
      assertRefusal(await call('/v1/AddCasterVideoResource', {}), 400, { what: 'no body' });
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });

  test('400 for JSON that is not an object (array, null, string, number, boolean)', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const body of ['[]', `[${JSON.stringify(VALID)}]`, 'null', '"caster-main"', '42', 'true']) {
        assertRefusal(await call('/v1/StartCasterScene', { body }), 400, { what: body });
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });

  test('413 for a body over 64 KB that says so in Content-Length', async () => {
    const json = JSON.stringify(VALID);
    const traffic = await upstreamTraffic(async () => {
      // One byte over, as otherwise valid JSON
      const over = json + ' '.repeat(MAX_BODY + 1 - Buffer.byteLength(json));
      assert.equal(Buffer.byteLength(over), MAX_BODY + 1);
      assertRefusal(await call('/v1/StartCasterScene', { body: over }), 413, { what: '64 KB + 1' });
      // Further over (kept under ~100 KB: a bigger body refused unread makes local workerd reset the
      // connection while undici is still writing, and the client sees ECONNRESET, not the reply)
      assertRefusal(await call('/v1/AddCasterVideoResource', { body: `{"pad":"${'a'.repeat(90000)}"}` }), 413, { what: '90 KB' });
      // Over in bytes, under in characters (3-byte UTF-8)
      const wide = JSON.stringify({ ...VALID, ResourceName: '摄'.repeat(22000) });
      assert.ok(wide.length < MAX_BODY && Buffer.byteLength(wide) > MAX_BODY);
      assertRefusal(await call('/v1/StartCasterScene', { body: wide }), 413, { what: 'multi-byte' });
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });

  test('413 for a body over 64 KB streamed without a Content-Length', async () => {
    const stream = (text, pieces = 7) => {
      const bytes = new TextEncoder().encode(text);
      const size = Math.ceil(bytes.length / pieces);
      let at = 0;
      return new ReadableStream({
        pull(controller) {
          if (at >= bytes.length) controller.close();
          else { controller.enqueue(bytes.slice(at, at + size)); at += size; }
        },
      });
    };
    // Otherwise a valid request: without the limit the worker would send it upstream.
    const json = JSON.stringify(VALID);
    const over = json + ' '.repeat(MAX_BODY + 1 - Buffer.byteLength(json));
    const wide = `{"CasterId":"${MAIN}","SceneId":"pvw-2"${' '.repeat(10)}${'\u3000'.repeat(22000)}}`;
    assert.ok(Buffer.byteLength(wide) > MAX_BODY && wide.length < MAX_BODY);

    // The transport really streams it: a worker sees no Content-Length, and all the bytes.
    const probe = await mf.dispatchFetch('http://echo/', { method: 'POST', body: stream(over), duplex: 'half' });
    assert.deepEqual(await probe.json(), { contentLength: null, size: MAX_BODY + 1 });

    const traffic = await upstreamTraffic(async () => {
      assertRefusal(await call('/v1/StartCasterScene', { body: stream(over), duplex: 'half' }), 413, { what: 'streamed 64 KB + 1' });
      assertRefusal(await call('/v1/StartCasterScene', { body: stream(wide), duplex: 'half' }), 413, { what: 'streamed multi-byte' });
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });

  test('a streamed body under 64 KB is read whole (the limit is not a refusal of streaming)', async () => {
    const body = new ReadableStream({
      start(controller) {
        const bytes = new TextEncoder().encode(JSON.stringify({ CasterId: MAIN, SceneId: 'pvw-2' }) + ' '.repeat(40000));
        controller.enqueue(bytes.slice(0, 20000));
        controller.enqueue(bytes.slice(20000));
        controller.close();
      },
    });
    const res = await call('/v1/StartCasterScene', { body, duplex: 'half' });
    assert.equal(res.status, 200, res.text);
    assert.equal(scene(MAIN, 'pvw-2').status, 'inUse');
  });

  test('400 with the validation error for invalid parameters, and zero requests upstream', async () => {
    const cases = [
      ['StartCasterScene', {}, 'MissingParameter', 'CasterId'],
      ['StartCasterScene', { CasterId: MAIN }, 'MissingParameter', 'SceneId'],
      ['StartCasterScene', { CasterId: ' ', SceneId: 'pvw-1' }, 'InvalidCasterId.Malformed', 'CasterId'],
      ['StartCasterScene', { CasterId: MAIN, SceneId: 'pvw-1', SceneID: 'x' }, 'InvalidParameter.Malformed', undefined],
      ['StartCasterScene', { CasterId: 42, SceneId: 'pvw-1' }, 'InvalidParameter.Malformed', 'CasterId'],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV100', ImageId: 'img' }, 'UnexpectedLocationID', 'LocationId'],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV03' }, 'MissingParameter', undefined],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV03', ImageId: 'a', MaterialId: 'b' }, 'InvalidParameter.Malformed', undefined],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV03', VodUrl: 'ftp://example.com/a.mp4' }, 'InvalidVodUrl.Malformed', 'VodUrl'],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV03', LiveStreamUrl: 'rtmp://h/a', RepeatNum: 2 }, 'InvalidParameter.Malformed', undefined],
      ['AddCasterVideoResource', { CasterId: MAIN, ResourceName: 'x', LocationId: 'RV03', VodUrl: 'https://h/a.mp4', BeginOffset: 1.5 }, 'InvalidParameter.Malformed', 'BeginOffset'],
    ];
    const traffic = await upstreamTraffic(async () => {
      for (const [action, params, code, field] of cases) {
        const what = `${action} ${JSON.stringify(params)}`;
        const [expected] = validateParams(action, params);
        assert.ok(expected, `${what}: the library itself finds nothing wrong`);
        const res = await call(`/v1/${action}`, { json: params });
        assertRefusal(res, 400, { what, code });
        assert.equal(res.json.Code, expected.code, what);
        assert.equal(res.json.Field, expected.field, `${what}: Field`);
        if (field) assert.equal(res.json.Field, field, `${what}: Field`);
        assert.ok(res.json.Message.length > 10, `${what}: Message "${res.json.Message}"`);
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
    assert.ok(!resources(MAIN).some((r) => r.locationId === 'RV03' || r.locationId === 'RV100'));
  });

  test('the checks hold on the other worker configurations too (capture, sts): still nothing upstream', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const host of ['capture', 'sts']) {
        assertRefusal(await call('/v1/StartCasterScene', { host, json: { CasterId: MAIN } }), 400, { what: host, code: 'MissingParameter' });
        assertRefusal(await call('/v1/StartCasterScene', { host, json: VALID, token: 'nope' }), 401, { what: host });
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// API errors pass through with the upstream's status
// ---------------------------------------------------------------------------------------------

describe('API errors from the upstream', () => {
  function assertApiError(res, status, code) {
    assert.equal(res.status, status, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['Code', 'Message', 'RequestId'], res.text);
    assert.equal(res.json.Code, code);
    assert.match(res.json.RequestId, UUID_UPPER);
    assert.ok(res.json.Message.length > 0);
  }

  test('InvalidCaster.NotFound 404 (StartCasterScene, AddCasterVideoResource)', async () => {
    const traffic = await upstreamTraffic(async () => {
      assertApiError(await start({ CasterId: 'caster-nope', SceneId: 'pvw-1' }), 404, 'InvalidCaster.NotFound');
      assertApiError(await add({ CasterId: 'caster-nope', ResourceName: 'x', LocationId: 'RV01', ImageId: 'i' }), 404, 'InvalidCaster.NotFound');
    });
    assert.deepEqual(traffic.emulator.map((l) => l.split(' ').slice(0, 3).join(' ')),
      ['POST 404 InvalidCaster.NotFound', 'POST 404 InvalidCaster.NotFound']);
  });

  test('DuplicateLocationID 400, with the upstream\'s own RequestId and Message', async () => {
    const source = { CasterId: 'caster-capture', ResourceName: 'poster', LocationId: 'RV05', ImageUrl: 'https://h/a.png' };
    const first = await add(source, { host: 'capture' });
    assert.equal(first.status, 200, first.text);
    const before = RECORDED.length;
    const res = await add({ ...source, ResourceName: 'again' }, { host: 'capture' });
    assertApiError(res, 400, 'DuplicateLocationID');
    const recorded = RECORDED.slice(before);
    assert.equal(recorded.length, 1, 'AddCasterVideoResource is not retried');
    const upstream = JSON.parse(recorded[0].reply);
    assert.equal(recorded[0].status, 400);
    assert.equal(res.json.RequestId, upstream.RequestId);
    assert.equal(res.json.Code, upstream.Code);
    assert.equal(res.json.Message, upstream.Message);
  });

  test('other statuses pass through too: InvalidScene.NotFound 404, IncorrectCasterStatus.Idle 400, IncorrectSceneStatus 400', async () => {
    assertApiError(await start({ CasterId: MAIN, SceneId: 'no-such-scene' }), 404, 'InvalidScene.NotFound');
    assertApiError(await start({ CasterId: 'caster-idle', SceneId: 'idle-pvw' }), 400, 'IncorrectCasterStatus.Idle');
    assertApiError(await start({ CasterId: MAIN, SceneId: 'pgm' }), 400, 'IncorrectSceneStatus');
  });
});

// ---------------------------------------------------------------------------------------------
// Upstream unreachable, missing configuration
// ---------------------------------------------------------------------------------------------

describe('upstream unreachable and misconfiguration', () => {
  test('upstream unreachable → 502 UpstreamUnreachable (both operations)', async () => {
    for (const res of [
      await start({ CasterId: MAIN, SceneId: 'pvw-1' }, { host: 'down' }),
      await add({ CasterId: MAIN, ResourceName: 'x', LocationId: 'RV04', ImageId: 'img' }, { host: 'down' }),
    ]) {
      assert.equal(res.status, 502, res.text);
      assert.equal(res.json?.Code, 'UpstreamUnreachable', res.text);
      assert.equal(typeof res.json.Message, 'string');
      assert.ok(!/\bat .+:\d+:\d+/.test(res.text), `a stack trace in ${res.text}`);
      assert.ok(!res.text.includes('127.0.0.1'), `the upstream address in ${res.text}`);
    }
  });

  test('no PROXY_TOKEN configured → 500 WorkerMisconfigured for every caller; nothing upstream', async () => {
    const traffic = await upstreamTraffic(async () => {
      for (const options of [{ token: null }, { authorization: 'Bearer ' }, { authorization: 'Bearer undefined' },
        { authorization: 'Bearer null' }, { token: PROXY_TOKEN }]) {
        const res = await start({ CasterId: MAIN, SceneId: 'pvw-1' }, { host: 'notoken', ...options });
        assertRefusal(res, 500, { code: 'WorkerMisconfigured', what: JSON.stringify(options) });
      }
    });
    assert.deepEqual(traffic, { emulator: [], recorded: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// CORS
// ---------------------------------------------------------------------------------------------

describe('CORS', () => {
  const corsHeaders = (res) => Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

  test('an allowed origin gets access-control-allow-origin = that origin (each origin of the list)', async () => {
    for (const origin of [ALLOWED, ALLOWED_2]) {
      const res = await start({ CasterId: MAIN, SceneId: 'pvw-1' }, { origin });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['access-control-allow-origin'], origin);
    }
  });

  test('a disallowed or absent origin gets no CORS grant', async () => {
    for (const origin of [OTHER_ORIGIN, 'null', `${ALLOWED}.evil.example`, 'http://console.example', ALLOWED.toUpperCase(), null]) {
      const res = await start({ CasterId: MAIN, SceneId: 'pvw-1' }, { origin });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(corsHeaders(res), [], `origin ${origin}: ${JSON.stringify(res.headers)}`);
    }
    // Refusals grant nothing to other origins either
    const refused = await start({ CasterId: MAIN, SceneId: 'pvw-1' }, { origin: OTHER_ORIGIN, token: null });
    assert.equal(refused.status, 401);
    assert.deepEqual(corsHeaders(refused), []);
  });

  test('preflight OPTIONS from an allowed origin → 204 with allow-methods and allow-headers', async () => {
    for (const path of ['/v1/StartCasterScene', '/v1/AddCasterVideoResource']) {
      const res = await call(path, {
        method: 'OPTIONS', token: null, origin: ALLOWED,
        headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
      const methods = (res.headers['access-control-allow-methods'] ?? '').split(',').map((m) => m.trim().toUpperCase());
      assert.ok(methods.includes('POST'), `allow-methods: ${res.headers['access-control-allow-methods']}`);
      const allowHeaders = (res.headers['access-control-allow-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase());
      for (const h of ['authorization', 'content-type']) assert.ok(allowHeaders.includes(h), `allow-headers: ${res.headers['access-control-allow-headers']}`);
    }
  });

  test('preflight from a disallowed origin gets no grant', async () => {
    const res = await call('/v1/StartCasterScene', {
      method: 'OPTIONS', token: null, origin: OTHER_ORIGIN,
      headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.deepEqual(corsHeaders(res), [], JSON.stringify(res.headers));
  });
});

// ---------------------------------------------------------------------------------------------
// Rate limit
// ---------------------------------------------------------------------------------------------

describe('per-isolate rate limit', () => {
  test('25 concurrent calls all succeed, the emulator never throttles, and they reach it over ≥ 2 s', { timeout: 20000 }, async () => {
    // Let the emulator's one-second window forget the earlier tests' requests.
    await new Promise((resolve) => { setTimeout(resolve, 1100); });
    const logBefore = EMULATOR_LOG.length;
    const results = await Promise.all(Array.from({ length: 25 }, () => start({ CasterId: MAIN, SceneId: 'pvw-rate' })));
    const seen = EMULATOR_LOG.slice(logBefore);
    for (const res of results) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.StreamUrl, scene(MAIN, 'pvw-rate').streamUrl);
    }
    assert.equal(new Set(results.map((r) => r.json.RequestId)).size, 25, 'each call got its own upstream RequestId');
    // Each call reached the emulator once and was accepted: no Throttling.User even hidden by a retry.
    assert.deepEqual(seen.map((e) => e.line.split(' ').slice(0, 3).join(' ')), Array(25).fill('POST 200 OK'));
    const span = seen.at(-1).at - seen[0].at;
    assert.ok(span >= 2000, `the emulator saw 25 requests within ${span} ms: no 10 QPS limit`);
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets never leave the worker
// ---------------------------------------------------------------------------------------------

test('no response of this file (status, headers, body) contains a secret, the token, or a stack trace', () => {
  assert.ok(RESPONSES.length >= 100, `only ${RESPONSES.length} responses recorded`);
  const statuses = new Set(RESPONSES.map((r) => r.status));
  for (const status of [200, 204, 400, 401, 404, 405, 413, 500, 502]) assert.ok(statuses.has(status), `no ${status} response was swept`);
  const forms = SECRETS.flatMap((s) => [s, encodeURIComponent(s), enc(s), encodeURIComponent(encodeURIComponent(s)),
    Buffer.from(s).toString('base64'), JSON.stringify(s).slice(1, -1)]);
  for (const res of RESPONSES) {
    const whole = `${res.status}\n${JSON.stringify(res.headers)}\n${Object.entries(res.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n${res.text}`;
    for (const form of forms) assert.ok(!whole.includes(form), `${res.where} (${res.status}) leaks a secret`);
    for (const fragment of FRAGMENTS) assert.ok(!whole.toLowerCase().includes(fragment), `${res.where} (${res.status}) contains "${fragment}"`);
    assert.ok(!/\n\s+at .+:\d+:\d+/.test(res.text), `${res.where} (${res.status}) holds a stack trace: ${res.text}`);
  }
});
