// Secrets (contract section 4, docs/security.md): an AccessKeySecret, and the worker's
// PROXY_TOKEN, never appear in an error, a log line, a printed line, a value the package returns
// (the signature is derived, not the secret), an emulator reply, the emulator's state file or a
// worker reply. The STS SecurityToken is a signed parameter, so it is in a signed request and in
// the emulator's string to sign for the request that carried it; nowhere else: not in an error,
// a log line, the state, or anything the worker answers its callers. Most requests here are made
// to fail: wrong secrets and tokens, bad parameters, failing credential providers, an upstream
// that echoes every secret it can, a misconfigured worker.
//
// Every text is recorded as it is produced; the last tests sweep them all, with everything this
// process printed (console.* and writes to stdout and stderr) and everything workerd printed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Miniflare } from 'miniflare';
import { CasterClient, CasterError, signRequest, validateParams } from 'aliyun-caster';
import { parseRequestParams, verifySignature } from 'aliyun-caster/server';
import { createEmulator } from '../emulator/server.mjs';
import { spawnCli } from './support/emulator.mjs';
import { enc } from './support/reference-signer.mjs';
import { captureOutput, errorTexts, findSecret } from './support/secrets.mjs';
import { WORKER } from './support/worker.mjs';

// Distinctive secrets with characters that percent-encode, and an animal each, so that a leak in
// any form is easy to find.
const KEY = { accessKeyId: 'LTAI5tSecretsPlainKey', accessKeySecret: 'sCrT/Zq9+kW7=narwhal-8a3f' };
const STS = { accessKeyId: 'STS.NSecretsStsKey', accessKeySecret: 'sts/ScRt+2=axolotl-4c1e', securityToken: 'CAIS+sEcTok/x8==tapir-77b0' };
const SPARE = { accessKeyId: 'LTAI5tSecretsSpareKey', accessKeySecret: 'spr/ScRt+5=quoll-90d2' };
const PROXY_TOKEN = 'pxy-secrets_okapi-2f9c7a1e5d3b4c6a';
const SECRETS = [KEY.accessKeySecret, STS.accessKeySecret, SPARE.accessKeySecret];
const SECRET_WORDS = ['narwhal', 'axolotl', 'quoll'];
const TOKEN = STS.securityToken;

const CASTER = 'caster-secrets';
const CONFIG = {
  accessKeys: [KEY, STS, SPARE],
  casters: [{ casterId: CASTER, status: 'started', ingestEndpoints: 20, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }, { sceneId: 'pgm', type: 'PGM' }] }],
};
const START = { CasterId: CASTER, SceneId: 'pvw-1' };
const add = (n) => ({ CasterId: CASTER, ResourceName: `source ${n}`, LocationId: `RV${String(n).padStart(2, '0')}`, ImageId: `image-${n}` });

// ---------------------------------------------------------------------------------------------
// What is swept at the end
// ---------------------------------------------------------------------------------------------

/** Every text produced in this file: where it came from, and whether it may hold the STS token. */
const TEXTS = [];
const OUTPUT = captureOutput();
OUTPUT.start();

function record(source, where, text, { tokenAllowed = false } = {}) {
  TEXTS.push({ source, where, text: String(text), tokenAllowed });
}

function recordError(source, where, error) {
  assert.ok(error instanceof CasterError, `${where}: not a CasterError: ${error}`);
  for (const [what, text] of errorTexts(error)) record(source, `${where} (${what})`, text);
}

/** Runs fn, which must throw a CasterError; records it. */
function refused(source, where, fn) {
  try {
    fn();
  } catch (error) {
    recordError(source, where, error);
    return error;
  }
  assert.fail(`${where}: did not throw`);
}

/** Awaits a call that must reject with a CasterError; records it. */
async function rejected(source, where, promise) {
  try {
    const value = await promise;
    assert.fail(`${where}: resolved to ${JSON.stringify(value)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    recordError(source, where, error);
    return error;
  }
}

// ---------------------------------------------------------------------------------------------
// Servers: the emulator, an upstream that echoes every secret it can, and the worker
// ---------------------------------------------------------------------------------------------

/**
 * An upstream that knows the caller's secret and token (as a compromised or buggy one might), and
 * puts them, and the whole request it received, into every field of its replies: the forms the
 * client promises to redact (raw, percent-encoded once and twice). The CasterId picks the reply.
 */
function startEchoUpstream() {
  const requests = [];
  const echo = (body) => {
    const forms = [STS.accessKeySecret, TOKEN].flatMap((s) => [s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s))]);
    return `${forms.join(' | ')} | received: ${body}`;
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(body);
      const params = new URLSearchParams(body);
      const said = echo(`${req.url} ${JSON.stringify(req.headers)} ${body}`);
      const mode = params.get('CasterId') ?? 'api-error';
      let status = 400;
      let reply;
      if (mode === 'success') {
        status = 200;
        reply = JSON.stringify({ RequestId: `req ${said}`, StreamUrl: `rtmp://h/${said}`, ResourceId: `res ${said}` });
      } else if (mode === 'code') {
        reply = JSON.stringify({ RequestId: said, Code: STS.accessKeySecret, Message: said, Recommend: said, HostId: said });
      } else if (mode === 'html') {
        status = 502;
        reply = `<html><body>Bad gateway: ${said}</body></html>`;
      } else if (mode === 'throttled') {
        status = 429;
        reply = JSON.stringify({ RequestId: said, Code: 'Throttling.User', Message: said, Recommend: said });
      } else {
        reply = JSON.stringify({ RequestId: said, Code: 'SignatureDoesNotMatch', Message: `server string to sign is:${said}`, Recommend: said, HostId: said });
      }
      res.writeHead(status, { 'content-type': status === 502 ? 'text/html' : 'application/json', 'x-echo': encodeURIComponent(said).slice(0, 4000) });
      res.end(reply);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}`, requests }));
  });
}

let emulator;
let emulatorUrl;
const EMULATOR_LOG = [];
let echoUpstream;
let mf;
const WORKERD_OUTPUT = { stdout: '', stderr: '' };
let stateDir;

before(async () => {
  emulator = createEmulator({ config: CONFIG, log: (line) => EMULATOR_LOG.push(line) });
  emulatorUrl = `http://127.0.0.1:${await emulator.listen(0)}`;
  echoUpstream = await startEchoUpstream();
  stateDir = mkdtempSync(join(tmpdir(), 'aliyun-caster-secrets-'));

  const env = (upstream, extra = {}) => ({
    ACCESS_KEY_ID: STS.accessKeyId, ACCESS_KEY_SECRET: STS.accessKeySecret, SECURITY_TOKEN: TOKEN, PROXY_TOKEN,
    UPSTREAM: upstream, REGION_ID: 'cn-shanghai', ALLOWED_ORIGINS: 'https://console.example', ...extra,
  });
  mf = new Miniflare({
    handleRuntimeStdio(stdout, stderr) {
      stdout.setEncoding('utf8');
      stderr.setEncoding('utf8');
      stdout.on('data', (d) => { WORKERD_OUTPUT.stdout += d; });
      stderr.on('data', (d) => { WORKERD_OUTPUT.stderr += d; });
    },
    workers: [
      { name: 'main', ...WORKER, bindings: env(emulatorUrl) },
      { name: 'echo', ...WORKER, routes: ['echo/*'], bindings: env(echoUpstream.url) },
      // A secret that cannot be a secret (a newline in it): the worker must say so without it.
      { name: 'broken', ...WORKER, routes: ['broken/*'], bindings: env(emulatorUrl, { ACCESS_KEY_SECRET: `${STS.accessKeySecret}\n` }) },
      { name: 'down', ...WORKER, routes: ['down/*'], bindings: env('http://127.0.0.1:9') },
    ],
  });
  await mf.ready;
}, { timeout: 30000 });

after(async () => {
  OUTPUT.stop();
  await mf?.dispose();
  echoUpstream?.server.closeAllConnections();
  await new Promise((resolve) => { echoUpstream?.server.close(resolve) ?? resolve(); });
  await emulator?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The package's own functions
// ---------------------------------------------------------------------------------------------

describe('the package', () => {
  const base = { action: 'StartCasterScene', params: START, ...KEY };

  test('signRequest: the result holds no form of the secret; the token only where it is signed', () => {
    for (const method of ['POST', 'GET']) {
      for (const key of [KEY, STS]) {
        const result = signRequest({ ...base, ...key, method });
        assert.ok(result.signature.length > 0);
        record('result', `signRequest ${method} ${key.accessKeyId}`, JSON.stringify(result), { tokenAllowed: true });
        if (key === STS) assert.equal(result.params.SecurityToken, TOKEN, 'the token is a signed parameter');
      }
    }
    const add7 = signRequest({ ...STS, action: 'AddCasterVideoResource', params: add(7) });
    record('result', 'signRequest AddCasterVideoResource', JSON.stringify(add7), { tokenAllowed: true });
  });

  test('signRequest: refusals of every kind, with the secret in the request, hold no form of it', () => {
    const secret = KEY.accessKeySecret;
    const cases = {
      'a bad parameter': { ...base, params: { ...START, SceneId: 'a b' } },
      'credentials spread into params': { ...base, params: { ...START, ...KEY, AccessKeySecret: secret } },
      'a secret with a newline': { ...base, accessKeySecret: `${secret}\n` },
      'a secret with a lone surrogate': { ...base, accessKeySecret: `${secret}\uD800` },
      'a secret with a NUL': { ...base, accessKeySecret: `${secret}\0` },
      'a 1 MB secret': { ...base, accessKeySecret: secret.repeat(40_000) },
      'a boxed secret': { ...base, accessKeySecret: new String(secret) }, // eslint-disable-line no-new-wrappers
      'a secret in an array': { ...base, accessKeySecret: [secret] },
      'a secret behind toString': { ...base, accessKeySecret: { toString: () => secret } },
      'a secret as a symbol': { ...base, accessKeySecret: Symbol(secret) },
      'a secret as a function name': { ...base, accessKeySecret: Object.defineProperty(() => {}, 'name', { value: secret }) },
      'a malformed token': { ...base, ...STS, securityToken: `${TOKEN} ${secret}` },
      'the secret in the endpoint\'s user info': { ...base, endpoint: `https://${KEY.accessKeyId}:${secret}@live.aliyuncs.com/` },
      'the secret in the endpoint\'s query': { ...base, endpoint: `https://live.aliyuncs.com/?AccessKeySecret=${encodeURIComponent(secret)}` },
      'the secret under an unknown option': { ...base, secret },
      'the secret under a misspelt option': { ...base, accessKeySecret: undefined, AccessKeySecret: secret },
      'the secret as the method': { ...base, method: secret },
      'the secret as the region': { ...base, regionId: secret },
      'the secret as the timestamp': { ...base, timestamp: secret },
      'a getter that throws an error holding the secret': Object.defineProperty({ ...base }, 'params', {
        get() { throw new Error(secret); }, enumerable: true,
      }),
    };
    for (const [where, request] of Object.entries(cases)) refused('error', `signRequest: ${where}`, () => signRequest(request));
    for (const where of ['a bad parameter', 'credentials spread into params']) {
      for (const problem of validateParams('StartCasterScene', cases[where].params)) {
        record('result', `validateParams: ${where}`, JSON.stringify(problem));
      }
    }
  });

  test('verifySignature and parseRequestParams: results and refusals hold no form of the secret', () => {
    const signed = signRequest({ ...base, ...STS });
    for (const secret of [STS.accessKeySecret, KEY.accessKeySecret]) {
      const result = verifySignature('POST', '', signed.body, secret);
      assert.equal(result.valid, secret === STS.accessKeySecret);
      record('result', 'verifySignature', JSON.stringify(result), { tokenAllowed: true });
    }
    record('result', 'parseRequestParams', JSON.stringify(parseRequestParams('', signed.body)), { tokenAllowed: true });
    const secret = STS.accessKeySecret;
    for (const [where, args] of Object.entries({
      'a malformed escape': ['POST', '', `${signed.body}&x=%G1`, secret],
      'a repeated key': ['POST', '', `${signed.body}&CasterId=x`, secret],
      'a boxed secret': ['POST', '', signed.body, new String(secret)], // eslint-disable-line no-new-wrappers
      'a secret behind toString': ['POST', '', signed.body, { toString: () => secret }],
      'a secret with a lone surrogate': ['POST', '', signed.body, `${secret}\uDC00`],
    })) {
      const error = (() => {
        try {
          return { result: verifySignature(...args) };
        } catch (e) {
          return { error: e };
        }
      })();
      if (error.error) recordError('error', `verifySignature: ${where}`, error.error);
      else record('result', `verifySignature: ${where}`, JSON.stringify(error.result), { tokenAllowed: true });
    }
    refused('error', 'parseRequestParams: a malformed escape', () => parseRequestParams(`a=%${secret}`, ''));
  });

  test('CasterClient: construction refusals hold no form of the secret', () => {
    const secret = KEY.accessKeySecret;
    const good = { ...KEY, endpoint: emulatorUrl };
    for (const [where, config] of Object.entries({
      'a secret with a newline': { ...good, accessKeySecret: `${secret}\n` },
      'the secret in the endpoint': { ...good, endpoint: `https://u:${secret}@live.aliyuncs.com` },
      'the secret under an unknown option': { ...good, secret },
      'the secret under a misspelt option': { accessKeyId: KEY.accessKeyId, accessKeysecret: secret },
      'keys and a provider': { ...good, credentials: () => KEY },
      'a getter that throws an error holding the secret': Object.defineProperty({ ...good }, 'regionId', {
        get() { throw new Error(secret); }, enumerable: true,
      }),
      'the secret as maxQps': { ...good, maxQps: secret },
      'the secret as fetch': { ...good, fetch: secret },
    })) {
      refused('error', `new CasterClient: ${where}`, () => new CasterClient(config));
    }
  });

  test('CasterClient: credential providers that fail, networks that fail, and timeouts', async () => {
    const fetchNothing = () => { throw new Error('not to be called'); };
    const thrown = new Error('the STS endpoint is unreachable');
    const unavailable = await rejected('error', 'a provider that throws',
      new CasterClient({ credentials: () => { throw thrown; }, fetch: fetchNothing }).startCasterScene(START));
    assert.equal(unavailable.code, 'CredentialsUnavailable');
    // The provider's own error is kept as the cause, as it was thrown: see docs/security.md.
    assert.equal(unavailable.cause, thrown);
    for (const [where, given] of Object.entries({
      'a provider returning a secret with a newline': { ...STS, accessKeySecret: `${STS.accessKeySecret}\n` },
      'a provider returning a malformed token': { ...STS, securityToken: `${TOKEN}\n` },
      'a provider returning a secret getter that throws it': Object.defineProperty({ ...STS }, 'accessKeySecret', {
        get() { throw new Error(STS.accessKeySecret); },
      }),
    })) {
      await rejected('error', where, new CasterClient({ credentials: async () => given, fetch: fetchNothing }).startCasterScene(START));
    }
    const slow = createServer(() => {}); // accepts, never answers
    await new Promise((resolve) => { slow.listen(0, '127.0.0.1', resolve); });
    try {
      const endpoint = `http://127.0.0.1:${slow.address().port}`;
      const timeout = await rejected('error', 'a timeout', new CasterClient({ ...STS, endpoint, timeoutMs: 200, maxRetries: 0 }).addCasterVideoResource(add(1)));
      assert.equal(timeout.kind, 'timeout');
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
    const refusedConnection = await rejected('error', 'a refused connection',
      new CasterClient({ ...STS, endpoint: 'http://127.0.0.1:9', maxRetries: 0 }).startCasterScene(START));
    assert.equal(refusedConnection.kind, 'network');
  });

  test('CasterClient against an upstream that echoes the secret, the token and the request in every field', async () => {
    for (const [credentials, label] of [[{ ...STS }, 'keys'], [{ credentials: async () => ({ ...STS }) }, 'provider']]) {
      const client = new CasterClient({ ...credentials, endpoint: echoUpstream.url, maxRetries: 0, maxQps: 1000 });
      for (const mode of ['api-error', 'code', 'html', 'throttled']) {
        const error = await rejected('error', `echoing upstream, ${mode}, ${label}`, client.startCasterScene({ CasterId: mode, SceneId: 's' }));
        assert.equal(error.kind, 'api');
      }
      const value = await client.startCasterScene({ CasterId: 'success', SceneId: 's' });
      record('result', `echoing upstream, success, ${label}`, JSON.stringify(value));
      assert.match(value.StreamUrl, /<redacted>/);
    }
    // The upstream really did receive the token (it is signed) and really sent back every form.
    assert.ok(echoUpstream.requests.some((body) => body.includes(enc(TOKEN))));
  });
});

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

/** Sends a signed request to the emulator; records the raw reply. */
async function emulatorReply(where, signed, { tokenAllowed = false, url } = {}) {
  const res = await fetch(url ?? signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
  const text = await res.text();
  record('emulator', where, `${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${text}`, { tokenAllowed });
  return { status: res.status, json: JSON.parse(text) };
}

describe('the emulator', () => {
  const sign = (key, action, params, extra = {}) => signRequest({ ...key, action, params, endpoint: emulatorUrl, ...extra });

  test('its replies (successes and every kind of refusal), its log and its state hold no secret and no token', async () => {
    const cases = [
      ['an accepted start', sign(KEY, 'StartCasterScene', START), 200],
      ['an accepted STS add', sign(STS, 'AddCasterVideoResource', add(1)), 200, { tokenAllowed: true }],
      ['a wrong secret', sign({ ...KEY, accessKeySecret: SPARE.accessKeySecret }, 'StartCasterScene', START), 400],
      ['a wrong secret with the token', sign({ ...STS, accessKeySecret: KEY.accessKeySecret }, 'StartCasterScene', START), 400, { tokenAllowed: true }],
      ['the wrong token', sign({ ...STS, securityToken: 'STS.not-the-token' }, 'StartCasterScene', START), 400],
      ['no token for an STS key', sign({ ...STS, securityToken: undefined }, 'StartCasterScene', START), 400],
      ['a token for a plain key', sign({ ...SPARE, securityToken: TOKEN }, 'StartCasterScene', START), 400, { tokenAllowed: true }],
      ['an unknown key', sign({ accessKeyId: 'LTAIunknown', accessKeySecret: KEY.accessKeySecret }, 'StartCasterScene', START), 404],
      ['an expired timestamp', sign(SPARE, 'StartCasterScene', START, { timestamp: '2016-02-23T12:46:24Z' }), 400],
      ['a state error', sign(SPARE, 'StartCasterScene', { ...START, SceneId: 'pgm' }), 400],
      ['a duplicate location', sign(STS, 'AddCasterVideoResource', add(1)), 400, { tokenAllowed: true }],
    ];
    for (const [where, signed, status, options] of cases) {
      const { status: got, json } = await emulatorReply(where, signed, options);
      assert.equal(got, status, `${where}: ${JSON.stringify(json)}`);
    }
    // The same request twice (a replay), a tampered body, malformed encodings, a wrong method or path.
    const once = sign(SPARE, 'AddCasterVideoResource', add(2));
    await emulatorReply('a replay (first)', once);
    assert.equal((await emulatorReply('a replay', once)).json.Code, 'SignatureNonceUsed');
    const tampered = { ...once, body: once.body.replace('source%202', 'tampered') };
    assert.equal((await emulatorReply('a tampered body', tampered)).json.Code, 'SignatureDoesNotMatch');
    for (const [where, init, url] of [
      ['a malformed escape', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${once.body}&x=%G1` }],
      ['a PUT', { method: 'PUT', body: once.body }],
      ['another path', { method: 'GET' }, `${emulatorUrl}/v1/secret`],
      ['a 1 MB body', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${once.body}&Pad=${'x'.repeat(1 << 20)}` }],
    ]) {
      const res = await fetch(url ?? `${emulatorUrl}/`, init);
      record('emulator', where, `${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${await res.text()}`);
    }
    // Through CasterClient: what the client makes of the same refusals.
    await rejected('error', 'client, wrong secret', new CasterClient({ ...STS, accessKeySecret: KEY.accessKeySecret, endpoint: emulatorUrl, maxRetries: 0 })
      .startCasterScene(START));
    await rejected('error', 'client, wrong token', new CasterClient({ ...STS, securityToken: 'STS.wrong', endpoint: emulatorUrl, maxRetries: 0 })
      .startCasterScene(START));
    const res = await fetch(`${emulatorUrl}/_emulator/state`);
    record('state', 'GET /_emulator/state', await res.text());
    for (const line of EMULATOR_LOG) record('log', 'emulator log', line);
    assert.ok(EMULATOR_LOG.length >= 15, `only ${EMULATOR_LOG.length} log lines`);
  });

  test('signature V3: results, replies and the client\'s refusals hold no secret; the token only where it is signed', async () => {
    // A fresh second for the emulator's per-key throttling after the test before.
    await new Promise((resolve) => { setTimeout(resolve, 1100); });
    const v3 = { signatureAlgorithm: 'v3' };
    for (const key of [KEY, STS]) {
      const result = sign(key, 'StartCasterScene', START, v3);
      assert.match(result.headers.authorization, /^ACS3-HMAC-SHA256 /);
      record('result', `signRequest v3 ${key.accessKeyId}`, JSON.stringify(result), { tokenAllowed: true });
    }
    const cases = [
      ['V3: an accepted start', sign(KEY, 'StartCasterScene', START, v3), 200],
      ['V3: an accepted STS add', sign(STS, 'AddCasterVideoResource', add(5), v3), 200, { tokenAllowed: true }],
      ['V3: a wrong secret', sign({ ...KEY, accessKeySecret: SPARE.accessKeySecret }, 'StartCasterScene', START, v3), 400],
      ['V3: a wrong secret with the token', sign({ ...STS, accessKeySecret: KEY.accessKeySecret }, 'StartCasterScene', START, v3), 400, { tokenAllowed: true }],
      ['V3: the wrong token', sign({ ...STS, securityToken: 'STS.not-the-token' }, 'StartCasterScene', START, v3), 400],
      ['V3: an unknown key', sign({ accessKeyId: 'LTAIunknown', accessKeySecret: KEY.accessKeySecret }, 'StartCasterScene', START, v3), 404],
      ['V3: an expired date', sign(SPARE, 'StartCasterScene', START, { ...v3, timestamp: '2016-02-23T12:46:24Z' }), 400],
    ];
    for (const [where, signed, status, options] of cases) {
      const { status: got, json } = await emulatorReply(where, signed, options);
      assert.equal(got, status, `${where}: ${JSON.stringify(json)}`);
    }
    await rejected('error', 'V3 client, wrong secret', new CasterClient({
      ...STS, accessKeySecret: KEY.accessKeySecret, endpoint: emulatorUrl, maxRetries: 0, signatureAlgorithm: 'v3',
    }).startCasterScene(START));
  });

  test('the command line with --state: what it prints and the state file it writes hold no secret and no token', { timeout: 20000 }, async () => {
    const configFile = join(stateDir, 'config.json');
    const stateFile = join(stateDir, 'state.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
    const cli = await spawnCli({ config: configFile, state: stateFile });
    try {
      const url = cli.url.replace(/\/$/, '');
      const signHere = (key, action, params) => signRequest({ ...key, action, params, endpoint: url });
      await emulatorReply('cli: an STS add', signHere(STS, 'AddCasterVideoResource', add(3)), { tokenAllowed: true });
      await emulatorReply('cli: a start', signHere(KEY, 'StartCasterScene', START));
      await emulatorReply('cli: a wrong token', signHere({ ...STS, securityToken: 'STS.wrong' }, 'StartCasterScene', START));
      await emulatorReply('cli: a wrong secret', signHere({ ...KEY, accessKeySecret: SPARE.accessKeySecret }, 'StartCasterScene', START));
      record('state', 'cli: GET /_emulator/state', await (await fetch(`${url}/_emulator/state`)).text());
    } finally {
      cli.child.kill('SIGTERM');
    }
    assert.equal((await cli.exited).code, 0);
    const saved = readFileSync(stateFile, 'utf8');
    assert.ok(JSON.parse(saved).casters[0].resources.length === 1, 'the add is in the state file');
    record('state', 'the --state file', saved);
    record('printed', 'the command line\'s stdout', cli.output.stdout);
    record('printed', 'the command line\'s stderr', cli.output.stderr);
    assert.ok(cli.output.stdout.split('\n').length >= 6, 'the command line printed too little to be swept');
  });
});

// ---------------------------------------------------------------------------------------------
// The worker
// ---------------------------------------------------------------------------------------------

async function workerCall(where, host, path, { method = 'POST', json, body, authorization = `Bearer ${PROXY_TOKEN}` } = {}) {
  const headers = { origin: 'https://console.example' };
  if (authorization !== null) headers.authorization = authorization;
  const res = await mf.dispatchFetch(`http://${host}${path}`, { method, headers, body: json === undefined ? body : JSON.stringify(json) });
  const text = await res.text();
  record('worker', where, `${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${text}`);
  return { status: res.status, text };
}

describe('the worker', () => {
  test('its replies hold no secret, no token and no proxy token: successes, refusals, upstream errors, an echoing upstream', async () => {
    const ok = await workerCall('a start', 'worker', '/v1/StartCasterScene', { json: START });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await workerCall('an add', 'worker', '/v1/AddCasterVideoResource', { json: add(9) })).status, 200);
    const cases = [
      ['a duplicate location', 'worker', '/v1/AddCasterVideoResource', { json: add(9) }, 400],
      ['a state error', 'worker', '/v1/StartCasterScene', { json: { ...START, SceneId: 'pgm' } }, 400],
      ['an unknown studio', 'worker', '/v1/StartCasterScene', { json: { ...START, CasterId: 'caster-nobody' } }, 404],
      ['invalid params', 'worker', '/v1/AddCasterVideoResource', { json: { ...add(10), LocationId: 'RV100' } }, 400],
      ['credentials sent as params', 'worker', '/v1/StartCasterScene', { json: { ...START, ...STS, PROXY_TOKEN } }, 400],
      ['not JSON', 'worker', '/v1/StartCasterScene', { body: `{${PROXY_TOKEN}` }, 400],
      ['no token', 'worker', '/v1/StartCasterScene', { json: START, authorization: null }, 401],
      ['a wrong token', 'worker', '/v1/StartCasterScene', { json: START, authorization: `Bearer ${PROXY_TOKEN.slice(0, -1)}` }, 401],
      ['the token without a scheme', 'worker', '/v1/StartCasterScene', { json: START, authorization: PROXY_TOKEN }, 401],
      ['the secret as the bearer token', 'worker', '/v1/StartCasterScene', { json: START, authorization: `Bearer ${STS.accessKeySecret}` }, 401],
      ['a GET', 'worker', '/v1/StartCasterScene', { method: 'GET' }, 405],
      ['another path', 'worker', '/v1/DeleteCaster', { json: START }, 404],
      ['a preflight', 'worker', '/v1/StartCasterScene', { method: 'OPTIONS', authorization: null }, 204],
      ['a 65 KB body', 'worker', '/v1/StartCasterScene', { body: JSON.stringify(START) + ' '.repeat(65 * 1024) }, 413],
      ['a broken secret', 'broken', '/v1/StartCasterScene', { json: START }, 500],
      ['an unreachable upstream', 'down', '/v1/StartCasterScene', { json: START }, 502],
      ['an echoing upstream, an API error', 'echo', '/v1/StartCasterScene', { json: { CasterId: 'api-error', SceneId: 's' } }, 400],
      ['an echoing upstream, a Code that is the secret', 'echo', '/v1/StartCasterScene', { json: { CasterId: 'code', SceneId: 's' } }, 400],
      ['an echoing upstream, an HTML page', 'echo', '/v1/StartCasterScene', { json: { CasterId: 'html', SceneId: 's' } }, 502],
      ['an echoing upstream, throttled', 'echo', '/v1/StartCasterScene', { json: { CasterId: 'throttled', SceneId: 's' } }, 429],
      ['an echoing upstream, a success', 'echo', '/v1/StartCasterScene', { json: { CasterId: 'success', SceneId: 's' } }, 200],
    ];
    for (const [where, host, path, options, status] of cases) {
      const res = await workerCall(where, host, path, options);
      assert.equal(res.status, status, `${where}: ${res.text}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------------

/** The first leak in a text: a secret anywhere, the proxy token anywhere, the token where not allowed. */
function leak({ text, tokenAllowed }) {
  return findSecret(text, [...SECRETS, PROXY_TOKEN], [...SECRET_WORDS, 'okapi'])
    ?? (tokenAllowed ? undefined : findSecret(text, [TOKEN], ['tapir']));
}

describe('the sweep', () => {
  test('every recorded text: errors, returned values, emulator replies, logs, state, worker replies', () => {
    const counts = {};
    for (const entry of TEXTS) {
      counts[entry.source] = (counts[entry.source] ?? 0) + 1;
      const found = leak(entry);
      assert.equal(found, undefined, `${entry.source}: ${entry.where} holds "${found}": ${entry.text.slice(0, 300)}`);
    }
    // Everything was reached: a sweep of nothing would prove nothing.
    const least = { error: 150, result: 10, emulator: 20, state: 3, log: 15, printed: 2, worker: 20 };
    for (const [source, n] of Object.entries(least)) assert.ok((counts[source] ?? 0) >= n, `only ${counts[source] ?? 0} texts from ${source}`);
  });

  test('everything this process and workerd printed', () => {
    const printed = [...OUTPUT.texts, WORKERD_OUTPUT.stdout, WORKERD_OUTPUT.stderr];
    for (const text of printed) {
      const found = leak({ text, tokenAllowed: false });
      assert.equal(found, undefined, `printed output holds "${found}": ${text.slice(0, 300)}`);
    }
  });
});
