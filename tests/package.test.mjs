// The published package as its users get it: `npm pack`, then the tarball installed into fresh
// temporary projects, one per kind of consumer, each of which signs requests and drives
// CasterClient against one local emulator:
//   esm      a Node ESM script (`import init, { … } from 'aliyun-caster'`)
//   cjs      a Node CommonJS script (`require('aliyun-caster')`)
//   vite     a small page built by Vite, served as static files, run in headless Chromium
//   worker   a worker bundled the way wrangler bundles (esbuild, the `workerd` condition) and run
//            by miniflare in workerd
//   ts       TypeScript under `tsc --strict`: correct use compiles, misuse fails on the right line
// Signatures are checked against an independent node:crypto implementation of contract §1.
// Vite, tsc, esbuild, miniflare and playwright-core come from this repository's node_modules: the
// temporary projects hold nothing but the tarball.

import { enc } from './support/reference-signer.mjs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build as esbuild } from 'esbuild';
import { Miniflare } from 'miniflare';

import { OPERATIONS } from '../dist/operations.js';
import { DEMO_ACCESS_KEY, createEmulator } from '../emulator/server.mjs';
import { launchChromium } from './support/chromium.mjs';
import { childEnv } from './support/child-env.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = join(ROOT, 'node_modules');
const VITE = join(NODE_MODULES, 'vite/bin/vite.js');
const TSC = join(NODE_MODULES, 'typescript/bin/tsc');

const STUDIO = 'LIVEPRODUCER_POST-cn-emulator-demo'; // the default demo config's started studio
const KEY = { accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret };

// ---------------------------------------------------------------------------------------------
// Fixed signing inputs and their expected signatures, computed here from contract §1 alone
// ---------------------------------------------------------------------------------------------

const TIMESTAMP = '2026-01-02T03:04:05Z';
const SIGN_POST = {
  action: 'StartCasterScene',
  params: { CasterId: STUDIO, SceneId: 'demo-pvw-scene-1' },
  ...KEY,
  timestamp: TIMESTAMP,
  nonce: '6f1d3c1e-8f5b-4a8e-9a61-2d7b4c0e9f10',
};
const SIGN_GET = {
  action: 'AddCasterVideoResource',
  method: 'GET',
  regionId: 'cn-beijing',
  endpoint: 'https://live.aliyuncs.com',
  params: {
    CasterId: 'caster-1',
    ResourceName: 'cam 1',
    LocationId: 'RV09',
    LiveStreamUrl: 'rtmp://push.example.com/app/stream?auth_key=1700000000-0-0-abc123&t=a*b~c',
  },
  ...KEY,
  timestamp: TIMESTAMP,
  nonce: 'A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D',
};


function expectedSigned(input) {
  const method = input.method ?? 'POST';
  const params = {
    Action: input.action,
    Version: '2016-11-01',
    Format: 'JSON',
    AccessKeyId: input.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: input.nonce,
    Timestamp: input.timestamp,
    RegionId: input.regionId ?? 'cn-shanghai',
    ...input.params,
  };
  const canonical = Object.entries(params)
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const stringToSign = `${method}&${enc('/')}&${enc(canonical)}`;
  const signature = createHmac('sha1', `${input.accessKeySecret}&`).update(stringToSign).digest('base64');
  const signedQuery = `${canonical}&Signature=${enc(signature)}`;
  const endpoint = input.endpoint ?? 'https://live.aliyuncs.com';
  return method === 'POST'
    ? { method, signature, url: `${endpoint}/`, body: signedQuery }
    : { method, signature, url: `${endpoint}/?${signedQuery}`, body: null };
}

const EXPECTED_POST = expectedSigned(SIGN_POST);
const EXPECTED_GET = expectedSigned(SIGN_GET);

// ---------------------------------------------------------------------------------------------
// The scenario every runtime consumer runs (plain JS, inlined into each consumer's source)
// ---------------------------------------------------------------------------------------------

const SCENARIO = `
const SIGN_POST = ${JSON.stringify(SIGN_POST)};
const SIGN_GET = ${JSON.stringify(SIGN_GET)};
const KEY = ${JSON.stringify(KEY)};
const STUDIO = ${JSON.stringify(STUDIO)};

function describeError(e, CasterError) {
  return { isCasterError: e instanceof CasterError, name: e?.name, code: e?.code, kind: e?.kind,
    field: e?.field, httpStatus: e?.httpStatus, message: String(e?.message) };
}

/** The calls every consumer makes; api holds the package's exports as that consumer got them. */
async function scenario(api, endpoint, locationId) {
  const { signRequest, CasterClient, CasterError, validateParams } = api;
  const out = { exportTypes: {} };
  for (const name of ['default', 'signRequest', 'validateParams', 'CasterClient', 'CasterError']) {
    out.exportTypes[name] = typeof api[name];
  }
  // Before any init(): ready in Node and workerd, NotInitialized in browsers.
  try {
    out.beforeInit = { ok: true, signature: signRequest(SIGN_POST).signature };
  } catch (e) {
    out.beforeInit = { ok: false, ...describeError(e, CasterError) };
  }
  const initResult = await api.default();
  out.initResolvedTo = initResult === undefined ? 'undefined' : String(initResult);
  await api.default(); // a second call is harmless too

  const post = signRequest(SIGN_POST);
  const get = signRequest(SIGN_GET);
  out.post = { method: post.method, url: post.url, body: post.body ?? null, signature: post.signature,
    headers: post.headers, paramSignature: post.params.Signature };
  out.get = { method: get.method, url: get.url, body: get.body ?? null, signature: get.signature };

  const problems = validateParams('AddCasterVideoResource', { CasterId: STUDIO, ResourceName: 'r', LocationId: 'RV01' });
  out.problems = problems;
  out.validProblems = validateParams('StartCasterScene', { CasterId: STUDIO, SceneId: 's' });
  try {
    signRequest({ ...SIGN_POST, params: { CasterId: STUDIO } });
    out.invalid = 'no error';
  } catch (e) {
    out.invalid = describeError(e, CasterError);
  }

  const client = new CasterClient({ ...KEY, endpoint, maxRetries: 0 });
  out.start = await client.startCasterScene({ CasterId: STUDIO, SceneId: 'demo-pvw-scene-1' });
  // The credentials-provider form (STS refresh), for the non-idempotent operation.
  const refreshing = new CasterClient({ credentials: async () => ({ ...KEY }), endpoint, maxRetries: 0 });
  out.add = await refreshing.addCasterVideoResource({
    CasterId: STUDIO, ResourceName: 'package-' + locationId, LocationId: locationId,
    LiveStreamUrl: 'rtmp://push.example.com/app/' + locationId,
  });
  try {
    await client.startCasterScene({ CasterId: STUDIO, SceneId: 'demo-pgm-scene' });
    out.apiError = 'no error';
  } catch (e) {
    out.apiError = describeError(e, CasterError);
  }
  return out;
}
`;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------


/** Runs a command; resolves to { code, stdout, stderr } (never rejects on a non-zero exit). */
function run(command, args, { cwd, timeoutMs = 30_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? `signal ${signal}` : 1), stdout, stderr });
    });
  });
}

/** Lines of npm's stderr that are not the known-harmless "nodedir" config warning. */
const npmNoise = (stderr) => stderr.split('\n').filter((l) => l.trim() && !/nodedir/.test(l)).join('\n');

function must(result, what) {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The resource the emulator recorded under that id, if any. */
function recordedResource(resourceId) {
  const caster = emulator.state.snapshot().casters.find((c) => c.casterId === STUDIO);
  return caster.resources.find((r) => r.resourceId === resourceId);
}

/** The assertions every runtime consumer's scenario output must pass. */
function checkScenario(out, { locationId, readyBeforeInit }) {
  assert.deepEqual(out.exportTypes, {
    default: 'function', signRequest: 'function', validateParams: 'function', CasterClient: 'function', CasterError: 'function',
  });
  if (readyBeforeInit) {
    assert.deepEqual(out.beforeInit, { ok: true, signature: EXPECTED_POST.signature }, 'usable right after import, before init()');
  } else {
    assert.equal(out.beforeInit.ok, false, 'signRequest before init() must throw in a browser');
    assert.equal(out.beforeInit.isCasterError, true);
    assert.equal(out.beforeInit.name, 'CasterError');
    assert.equal(out.beforeInit.code, 'NotInitialized');
    assert.equal(out.beforeInit.kind, 'config');
  }
  assert.equal(out.initResolvedTo, 'undefined', 'init() resolves to undefined');

  assert.equal(out.post.signature, EXPECTED_POST.signature, 'POST signature (contract §1, computed independently)');
  assert.equal(out.post.paramSignature, EXPECTED_POST.signature);
  assert.equal(out.post.method, 'POST');
  assert.equal(out.post.url, EXPECTED_POST.url);
  assert.equal(out.post.body, EXPECTED_POST.body);
  assert.deepEqual(out.post.headers, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(out.get.signature, EXPECTED_GET.signature, 'GET signature (contract §1, computed independently)');
  assert.equal(out.get.method, 'GET');
  assert.equal(out.get.url, EXPECTED_GET.url);
  assert.equal(out.get.body, null);

  assert.ok(Array.isArray(out.problems) && out.problems.length >= 1, 'a source-less AddCasterVideoResource has problems');
  for (const p of out.problems) {
    assert.deepEqual(Object.keys(p).sort(), ['code', 'field', 'message']);
    for (const v of Object.values(p)) assert.equal(typeof v, 'string');
  }
  assert.deepEqual(out.validProblems, []);
  assert.equal(out.invalid.isCasterError, true, `a validation failure is a CasterError: ${JSON.stringify(out.invalid)}`);
  assert.equal(out.invalid.name, 'CasterError');
  assert.equal(out.invalid.kind, 'validation');
  assert.equal(out.invalid.field, 'SceneId');

  assert.equal(out.start.StreamUrl, `rtmp://emulator.localhost/caster/${encodeURIComponent(STUDIO)}/demo-pvw-scene-1`);
  assert.match(out.start.RequestId, /^[0-9A-F-]{36}$/);
  assert.match(out.add.ResourceId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(Object.keys(out.add).sort(), ['RequestId', 'ResourceId']);
  const recorded = recordedResource(out.add.ResourceId);
  assert.ok(recorded, 'the emulator recorded the added source');
  assert.equal(recorded.locationId, locationId);
  assert.equal(recorded.LiveStreamUrl, `rtmp://push.example.com/app/${locationId}`);

  assert.equal(out.apiError.isCasterError, true, `an API error is a CasterError: ${JSON.stringify(out.apiError)}`);
  assert.equal(out.apiError.kind, 'api');
  assert.equal(out.apiError.code, 'IncorrectSceneStatus');
  assert.equal(out.apiError.httpStatus, 400);
}

/** The one JSON line a Node consumer prints. */
function parseOutput(result) {
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

// ---------------------------------------------------------------------------------------------
// Set-up: pack, fresh projects, one emulator
// ---------------------------------------------------------------------------------------------

let work; // the temporary directory holding the tarball and every project
let tarball;
let packed; // npm pack --json's entry
let emulator;
let endpoint;
const projects = {};

function makeProject(name, packageJson) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, private: true, ...packageJson }, null, 2)}\n`);
  projects[name] = dir;
  return dir;
}

before(async () => {
  // One temporary directory under os.tmpdir() holds the tarball and every project.
  work = mkdtempSync(join(tmpdir(), 'aliyun-caster-package-'));
  const pack = must(await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, timeoutMs: 30_000 }), 'npm pack');
  [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
  tarball = join(work, packed.filename);

  makeProject('esm', {});
  makeProject('cjs', {});
  makeProject('vite', { type: 'module' });
  makeProject('vite-dev', { type: 'module' });
  makeProject('worker', { type: 'module' });
  makeProject('ts', { type: 'module' });
  // The tarball has no runtime dependencies, so --offline keeps every install hermetic.
  const installs = await Promise.all(Object.entries(projects).map(async ([name, dir]) => [name,
    await run('npm', ['install', '--no-audit', '--no-fund', '--offline', '--no-package-lock', tarball], { cwd: dir, timeoutMs: 30_000 })]));
  for (const [name, result] of installs) must(result, `npm install of the tarball into the ${name} project`);

  emulator = createEmulator({ log: () => {} });
  endpoint = `http://127.0.0.1:${await emulator.listen(0)}`;
});

after(async () => {
  await emulator?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The tarball
// ---------------------------------------------------------------------------------------------

test('npm pack: the tarball holds every file the exports map names, and nothing from the source tree', (t) => {
  const files = packed.files.map((f) => f.path).sort();
  t.diagnostic(`tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);
  for (const f of packed.files) t.diagnostic(`  ${f.path} (${f.size} bytes)`);

  const manifest = JSON.parse(readFileSync(join(projects.esm, 'node_modules/aliyun-caster/package.json'), 'utf8'));
  assert.equal(manifest.name, 'aliyun-caster');
  assert.deepEqual(manifest.dependencies ?? {}, {}, 'no runtime dependencies');
  const targets = new Set();
  const walk = (node) => {
    if (typeof node === 'string') targets.add(node.replace(/^\.\//, ''));
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(manifest.exports);
  for (const field of ['main', 'module', 'types']) if (manifest[field]) targets.add(manifest[field].replace(/^\.\//, ''));
  for (const target of targets) assert.ok(files.includes(target), `${target} (named by package.json) is in the tarball`);
  // Every relative import of a shipped entry resolves to a shipped file.
  for (const file of files.filter((f) => /^dist\/.*\.(m?js|cjs)$/.test(f))) {
    const source = readFileSync(join(projects.esm, 'node_modules/aliyun-caster', file), 'utf8');
    for (const [, spec] of source.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(file), spec)).split(sep).join('/');
      assert.ok(files.includes(target), `${file} imports ${spec}, which is in the tarball`);
    }
  }
  for (const file of files) {
    assert.doesNotMatch(file, /^(src|target|tests|scripts|js|worker|node_modules)\/|Cargo|\.rs$|package-lock/, `${file} does not belong in the tarball`);
  }
  assert.ok(packed.size < 512 * 1024, `the tarball is small (${packed.size} bytes)`);
});

// ---------------------------------------------------------------------------------------------
// Node
// ---------------------------------------------------------------------------------------------

describe('Node consumers', () => {
  test('ESM: import init, { … } from "aliyun-caster" signs, is ready before init(), and drives the emulator', async () => {
    writeFileSync(join(projects.esm, 'consumer.mjs'), `
import init, { signRequest, CasterClient, CasterError, validateParams } from 'aliyun-caster';
import * as namespace from 'aliyun-caster';
${SCENARIO}
const out = await scenario({ default: init, signRequest, CasterClient, CasterError, validateParams }, process.argv[2], 'RV01');
out.resolvedTo = import.meta.resolve('aliyun-caster');
out.namespaceKeys = Object.keys(namespace).sort();
console.log(JSON.stringify(out));
`);
    const result = must(await run(process.execPath, ['consumer.mjs', endpoint], { cwd: projects.esm }), 'the ESM consumer');
    const out = parseOutput(result);
    checkScenario(out, { locationId: 'RV01', readyBeforeInit: true });
    assert.match(out.resolvedTo, /\/node_modules\/aliyun-caster\/dist\/node\.mjs$/, 'the `node` + `import` condition');
    // The package's functions, and one signer per operation of the core's table.
    const names = OPERATIONS.map(({ name }) => name[0].toLowerCase() + name.slice(1));
    assert.ok(names.length >= 8 && names.includes('describeCasters'), names.join());
    assert.deepEqual(out.namespaceKeys, ['CasterClient', 'CasterError', 'OPERATIONS', 'checkConfig', 'default', 'signRequest', 'validateParams', ...names].sort());
    assert.equal(result.stderr, '', 'nothing on stderr');
  });

  test('CommonJS: require("aliyun-caster") signs, is ready at once, and drives the emulator', async () => {
    writeFileSync(join(projects.cjs, 'consumer.cjs'), `
const { signRequest, CasterClient, CasterError, validateParams } = require('aliyun-caster');
const init = require('aliyun-caster').default;
${SCENARIO}
scenario({ default: init, signRequest, CasterClient, CasterError, validateParams }, process.argv[2], 'RV02').then((out) => {
  out.resolvedTo = require.resolve('aliyun-caster');
  out.sameModule = require('aliyun-caster') === require('aliyun-caster');
  console.log(JSON.stringify(out));
}, (error) => { console.error(error); process.exitCode = 1; });
`);
    const result = must(await run(process.execPath, ['consumer.cjs', endpoint], { cwd: projects.cjs }), 'the CommonJS consumer');
    const out = parseOutput(result);
    checkScenario(out, { locationId: 'RV02', readyBeforeInit: true });
    assert.match(out.resolvedTo, /\/node_modules\/aliyun-caster\/dist\/node\.cjs$/, 'the `node` + `require` condition');
    assert.equal(out.sameModule, true);
    assert.doesNotMatch(result.stderr, /ExperimentalWarning|Error/, `stderr: ${result.stderr}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Browser: Vite build in headless Chromium
// ---------------------------------------------------------------------------------------------

const STATIC_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
};

/** A tiny static server for a built folder, on 127.0.0.1. */
async function serveStatic(root) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^[/\\]+/, '');
    if (relative.startsWith('..')) { res.writeHead(403).end(); return; }
    try {
      const content = await readFile(join(root, relative));
      res.writeHead(200, { 'content-type': STATIC_TYPES[extname(relative)] ?? 'application/octet-stream', 'content-length': content.length });
      res.end(content);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

test('browser: a Vite build of a page needs await init(), then signs and drives the emulator from Chromium', async (t) => {
  const dir = projects.vite;
  writeFileSync(join(dir, 'index.html'), `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>aliyun-caster consumer</title></head>
<body>
  <p>StreamUrl: <output id="stream-url"></output></p>
  <p>ResourceId: <output id="resource-id"></output></p>
  <pre id="result"></pre>
  <pre id="error"></pre>
  <script type="module" src="/main.js"></script>
</body>
</html>
`);
  writeFileSync(join(dir, 'main.js'), `
import init, { signRequest, CasterClient, CasterError, validateParams } from 'aliyun-caster';
${SCENARIO}
const endpoint = new URL(location.href).searchParams.get('endpoint');
scenario({ default: init, signRequest, CasterClient, CasterError, validateParams }, endpoint, 'RV03').then((out) => {
  document.getElementById('stream-url').textContent = out.start.StreamUrl;
  document.getElementById('resource-id').textContent = out.add.ResourceId;
  document.getElementById('result').textContent = JSON.stringify(out);
  document.body.dataset.done = 'ok';
}, (error) => {
  document.getElementById('error').textContent = String(error && error.stack || error) + ' ' + JSON.stringify(error);
  document.body.dataset.done = 'error';
});
`);
  const built = must(await run(process.execPath, [VITE, 'build', dir, '--outDir', 'dist', '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: dir, timeoutMs: 40_000 }), 'vite build');
  if (built.stderr.trim()) t.diagnostic(`vite build stderr: ${built.stderr.trim()}`);
  const assets = readdirSync(join(dir, 'dist/assets'));
  t.diagnostic(`vite emitted: ${assets.join(', ')}`);
  assert.ok(assets.some((f) => f.endsWith('.wasm')), 'Vite emitted the .wasm as an asset');
  const bundle = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, 'dist/assets', f), 'utf8')).join('\n');
  assert.doesNotMatch(bundle, /node:fs|readFileSync/, 'the browser bundle does not hold the Node entry');

  const site = await serveStatic(join(dir, 'dist'));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const messages = [];
    const wasmResponses = [];
    const failedResponses = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.url().endsWith('.wasm')) wasmResponses.push({ status: r.status(), type: r.headers()['content-type'] });
      if (r.status() >= 400) failedResponses.push(`${r.request().method()} ${new URL(r.url()).origin} ${r.status()}`);
    });
    await page.goto(`${site.url}/?endpoint=${encodeURIComponent(endpoint)}`);
    await page.waitForFunction(() => document.body.dataset.done, null, { timeout: 20_000 }).catch(async (error) => {
      throw new Error(`the page did not finish: ${error.message}\n${messages.join('\n')}\n${await page.content()}`);
    });
    const done = await page.evaluate(() => document.body.dataset.done);
    assert.equal(done, 'ok', `the page failed: ${await page.textContent('#error')}\n${messages.join('\n')}`);

    const out = JSON.parse(await page.textContent('#result'));
    checkScenario(out, { locationId: 'RV03', readyBeforeInit: false });
    assert.equal(await page.textContent('#stream-url'), out.start.StreamUrl);
    assert.equal(await page.textContent('#resource-id'), out.add.ResourceId);
    assert.match(await page.textContent('#stream-url'), /^rtmp:\/\/emulator\.localhost\/caster\//);
    assert.deepEqual(wasmResponses, [{ status: 200, type: 'application/wasm' }], 'the .wasm was fetched once, as application/wasm');
    // The one failed response is the deliberate IncorrectSceneStatus; Chromium logs it as "Failed to load resource".
    assert.deepEqual(failedResponses, [`POST ${endpoint} 400`], 'the only HTTP error is the deliberate API error');
    assert.deepEqual(messages.filter((m) => /^(error|pageerror)/.test(m) && !/Failed to load resource: .* 400/.test(m)), [],
      'no other errors in the console');
  } finally {
    await browser.close();
    site.server.closeAllConnections();
    await new Promise((resolve) => { site.server.close(resolve); });
  }
});

/** The README's vite.config.js for the dev server: the ```js block that starts `// vite.config.js`. */
function readmeViteConfig() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```js\n(\/\/ vite\.config\.js\n[\s\S]*?)\n```/.exec(readme);
  assert.ok(block, 'the README gives a vite.config.js for the dev server');
  return block[1];
}

/** A free port on 127.0.0.1 (Vite's --port 0 is not a random port). */
const freePort = () => new Promise((resolve, reject) => {
  const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  probe.on('error', reject);
});

test('browser: Vite\'s dev server (npx vite), with the README\'s vite.config.js, serves a page that signs in Chromium', async (t) => {
  const dir = projects['vite-dev'];
  writeFileSync(join(dir, 'vite.config.js'), `${readmeViteConfig()}\n`);
  writeFileSync(join(dir, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>dev</title></head>
<body><script type="module" src="/main.js"></script></body></html>
`);
  writeFileSync(join(dir, 'main.js'), `
import init, { signRequest, CasterError } from 'aliyun-caster';
const SIGN_POST = ${JSON.stringify(SIGN_POST)};
init().then(() => {
  document.body.dataset.signature = signRequest(SIGN_POST).signature;
  document.body.dataset.done = 'ok';
}, (e) => {
  document.body.dataset.error = (e instanceof CasterError ? e.code : 'not a CasterError') + ': ' + e.message + ' / ' + e.cause;
  document.body.dataset.done = 'error';
});
`);
  const port = await freePort();
  // Vite itself from this repository's node_modules; the project holds only the tarball.
  const vite = spawn(process.execPath, [VITE, '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--clearScreen', 'false'],
    { cwd: dir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  vite.stdout.setEncoding('utf8').on('data', (d) => { output += d; });
  vite.stderr.setEncoding('utf8').on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => { vite.once('exit', resolve); });
  let browser;
  try {
    const url = `http://127.0.0.1:${port}/`;
    const end = Date.now() + 30_000;
    for (;;) {
      const up = await fetch(url).then((r) => r.body?.cancel().then(() => r.ok), () => false);
      if (up) break;
      assert.ok(vite.exitCode === null && Date.now() < end, `vite did not start:\n${output}`);
      await new Promise((resolve) => { setTimeout(resolve, 100); });
    }
    browser = await launchChromium();
    const page = await browser.newPage();
    const wasm = [];
    page.on('response', (r) => { if (new URL(r.url()).pathname.endsWith('.wasm')) wasm.push(`${r.status()} ${new URL(r.url()).pathname}`); });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.done, null, { timeout: 30_000 });
    const result = await page.evaluate(() => ({ ...document.body.dataset }));
    t.diagnostic(`.wasm requests: ${wasm.join(', ')}`);
    assert.equal(result.done, 'ok', `the page failed: ${result.error}\n${output}`);
    assert.equal(result.signature, EXPECTED_POST.signature);
  } finally {
    await browser?.close();
    try { process.kill(-vite.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-vite.pid, 'SIGKILL'); } catch { /* already gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  }
});

// ---------------------------------------------------------------------------------------------
// workerd, through miniflare
// ---------------------------------------------------------------------------------------------

test('workerd: a worker bundled with the `workerd` condition is ready at import and drives the emulator', async (t) => {
  const dir = projects.worker;
  writeFileSync(join(dir, 'worker.js'), `
import init, { signRequest, CasterClient, CasterError, validateParams } from 'aliyun-caster';
${SCENARIO}
// At module scope, before any init(): the .wasm arrived as a compiled module import.
let atImport;
try { atImport = signRequest(SIGN_POST).signature; } catch (e) { atImport = 'threw ' + e.code; }

export default {
  async fetch(request) {
    const endpoint = new URL(request.url).searchParams.get('endpoint');
    try {
      const out = await scenario({ default: init, signRequest, CasterClient, CasterError, validateParams }, endpoint, 'RV04');
      return Response.json({ atImport, ...out });
    } catch (e) {
      return Response.json({ failed: String(e && e.stack || e), error: describeError(e, CasterError) }, { status: 500 });
    }
  },
};
`);

  // miniflare alone: does it resolve the bare specifier through package.json "exports"?
  let unbundled;
  try {
    unbundled = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2026-04-01',
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    });
    await unbundled.ready;
    t.diagnostic('miniflare ran the unbundled worker (it resolved the bare specifier itself)');
  } catch (error) {
    t.diagnostic(`miniflare does not resolve bare package specifiers (${error.code ?? error.name}): bundling first, as wrangler does`);
  } finally {
    await unbundled?.dispose().catch(() => {});
  }

  // Bundle as wrangler does: esbuild with the workerd conditions, the .wasm kept as a module import.
  const outdir = join(dir, 'out');
  const bundled = await esbuild({
    absWorkingDir: dir,
    entryPoints: ['worker.js'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    loader: { '.wasm': 'copy' },
    outdir,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(bundled.metafile.inputs);
  t.diagnostic(`bundle inputs: ${inputs.join(', ')}`);
  assert.ok(inputs.includes('node_modules/aliyun-caster/dist/workerd.js'), 'esbuild resolved the `workerd` export condition');
  for (const entry of ['browser.js', 'node.mjs', 'node.cjs']) {
    assert.ok(!inputs.includes(`node_modules/aliyun-caster/dist/${entry}`), `the bundle does not hold dist/${entry}`);
  }
  const outFiles = readdirSync(outdir);
  assert.ok(outFiles.some((f) => f.endsWith('.wasm')), `the .wasm stays a separate module: ${outFiles.join(', ')}`);
  assert.match(readFileSync(join(outdir, 'worker.js'), 'utf8'), /import \w+ from "\.\/aliyun_caster_bg[^"]*\.wasm"/,
    'the bundle imports the .wasm as a module (no compile from bytes)');

  const mf = new Miniflare({
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'worker.js'),
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
  });
  try {
    const response = await mf.dispatchFetch(`http://worker/?endpoint=${encodeURIComponent(endpoint)}`);
    const text = await response.text();
    assert.equal(response.status, 200, `the worker failed: ${text}`);
    const out = JSON.parse(text);
    assert.equal(out.atImport, EXPECTED_POST.signature, 'ready at module scope, before init()');
    checkScenario(out, { locationId: 'RV04', readyBeforeInit: true });
  } finally {
    await mf.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// TypeScript
// ---------------------------------------------------------------------------------------------

const TSC_FLAGS = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom'];

const GOOD_TS = `
import init, { signRequest, CasterClient, CasterError, validateParams } from 'aliyun-caster';
import type {
  AddCasterVideoResourceParams, AddCasterVideoResourceResult, CasterClientConfig, CasterErrorKind, Problem,
  SignatureAlgorithm, SignedRequest, SignRequestInput, StartCasterSceneParams, StartCasterSceneResult,
} from 'aliyun-caster';

await init();
await init({ module_or_path: new URL('https://example.com/aliyun_caster_bg.wasm') });

const start: SignedRequest = signRequest({
  action: 'StartCasterScene', params: { CasterId: 'c', SceneId: 's' },
  accessKeyId: 'id', accessKeySecret: 'secret', timestamp: new Date(), nonce: 'n',
});
const input: SignRequestInput = {
  action: 'AddCasterVideoResource', method: 'GET', regionId: 'cn-beijing', endpoint: 'http://127.0.0.1:1',
  params: { CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', VodUrl: 'https://x.example/a.mp4', BeginOffset: 1000, RepeatNum: '2' },
  accessKeyId: 'id', accessKeySecret: 'secret', securityToken: 'token', timestamp: '2026-01-02T03:04:05Z',
};
const add = signRequest(input);
const method: 'POST' | 'GET' = add.method;
const body: string | undefined = start.body;
const signature: string = start.signature + start.stringToSign + start.canonicalQuery + start.url;
const headers: Record<string, string> = start.headers;
const params: Record<string, string> = add.params;
const algorithm: SignatureAlgorithm = 'v3';
const v3 = signRequest({ ...input, signatureAlgorithm: algorithm });
const canonicalRequest: string | undefined = v3.canonicalRequest;
// @ts-expect-error  the signature is a string, not a number (fails if the reply type were any)
const notANumber: number = start.signature;

const sceneParams: StartCasterSceneParams = { CasterId: 'c', SceneId: 's', RegionId: 'cn-shanghai' };
const sources: AddCasterVideoResourceParams[] = [
  { CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', LiveStreamUrl: 'rtmp://a.example/b', PtsCallbackInterval: 1000 },
  { CasterId: 'c', ResourceName: 'r', LocationId: 'RV02', MaterialId: 'm', EndOffset: -1000, FixedDelayDuration: '500' },
  { CasterId: 'c', ResourceName: 'r', LocationId: 'RV03', ImageId: 'i' },
  { CasterId: 'c', ResourceName: 'r', LocationId: 'RV04', ImageUrl: 'https://x.example/a.png' },
];

const config: CasterClientConfig = { accessKeyId: 'id', accessKeySecret: 'secret', endpoint: 'http://127.0.0.1:1', maxRetries: 0, fetch };
const client = new CasterClient(config);
const refreshing = new CasterClient({
  credentials: async () => ({ accessKeyId: 'STS.id', accessKeySecret: 'secret', securityToken: 'token' }),
  regionId: 'cn-beijing', method: 'GET', signatureAlgorithm: 'v3', timeoutMs: 5000, maxQps: 5,
});
const started: StartCasterSceneResult = await client.startCasterScene(sceneParams);
const streamUrl: string = started.StreamUrl;
const added: AddCasterVideoResourceResult = await refreshing.addCasterVideoResource(sources[0]!);
const resourceId: string = added.ResourceId + added.RequestId;
// @ts-expect-error  the reply of StartCasterScene has no ResourceId
started.ResourceId;

const problems: Problem[] = validateParams('StartCasterScene', { CasterId: 'c' });
validateParams('AnyOtherString', 42);
const fields: string[] = problems.map((p) => p.field + p.code + p.message);

try {
  await client.addCasterVideoResource({ CasterId: 'c', ResourceName: 'r', LocationId: 'RV05', VodUrl: 'https://x.example/a.flv' });
} catch (error) {
  if (error instanceof CasterError) {
    const name: 'CasterError' = error.name;
    const kind: CasterErrorKind = error.kind;
    const code: string = error.code;
    const retryable: boolean = error.retryable;
    const extra: [string | undefined, number | undefined, string | undefined, string | undefined] =
      [error.field, error.httpStatus, error.requestId, error.recommend];
    const json = error.toJSON();
    const message: string = error.message + json.code;
    console.log(name, kind, code, retryable, extra, message);
  }
}
const made = new CasterError({ code: 'X', kind: 'config', message: 'm' });
const isError: Error = made;

console.log(method, body, signature, headers, params, canonicalRequest, notANumber, streamUrl, resourceId, fields, isError);
export {};
`;

// CommonJS TypeScript (.cts): `import x = require(...)` of the package.
const GOOD_CTS = `
import caster = require('aliyun-caster');
const signed: caster.SignedRequest = caster.signRequest({
  action: 'StartCasterScene', params: { CasterId: 'c', SceneId: 's' }, accessKeyId: 'id', accessKeySecret: 'secret',
});
const client = new caster.CasterClient({ accessKeyId: 'id', accessKeySecret: 'secret' });
const pending: Promise<caster.StartCasterSceneResult> = client.startCasterScene({ CasterId: 'c', SceneId: 's' });
const ready: Promise<void> = caster.default();
console.log(signed.signature, pending, ready);
`;

const PRELUDE = `import { signRequest, CasterClient } from 'aliyun-caster';
const key = { accessKeyId: 'id', accessKeySecret: 'secret' };
const client = new CasterClient(key);
`;
// Each line ending in `// ERROR` must fail to compile, and no other line may.
const BAD = {
  'bad-field.ts': `${PRELUDE}
signRequest({ action: 'StartCasterScene', params: { CasterId: 123, SceneId: 's' }, ...key }); // ERROR
void client.startCasterScene({ CasterId: 'c', SceneId: false }); // ERROR
void client.addCasterVideoResource({ CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', VodUrl: 'https://x/a.mp4', BeginOffset: true }); // ERROR
`,
  'bad-action.ts': `${PRELUDE}
signRequest({ action: 'DeleteCaster', params: { CasterId: 'c', SceneId: 's' }, ...key }); // ERROR
signRequest({ action: 'StartCasterScene', params: { CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', LiveStreamUrl: 'rtmp://a/b' }, ...key }); // ERROR
void client.deleteCaster({ CasterId: 'c' }); // ERROR
`,
  'bad-source.ts': `${PRELUDE}
void client.addCasterVideoResource({ CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', LiveStreamUrl: 'rtmp://a/b', VodUrl: 'https://x/a.mp4' }); // ERROR
void client.addCasterVideoResource({ CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', LiveStreamUrl: 'rtmp://a/b', BeginOffset: 1000 }); // ERROR
void client.addCasterVideoResource({ CasterId: 'c', ResourceName: 'r', LocationId: 'RV01', ImageUrl: 'https://x/a.png', RepeatNum: 2 }); // ERROR
void client.addCasterVideoResource({ CasterId: 'c', ResourceName: 'r', LocationId: 'RV01' }); // ERROR
`,
  'bad-config.ts': `${PRELUDE}
new CasterClient({ ...key, credentials: async () => key }); // ERROR
new CasterClient({ accessKeyId: 'id' }); // ERROR
new CasterClient({ ...key, method: 'PUT' }); // ERROR
new CasterClient({ ...key, signatureAlgorithm: 'v2' }); // ERROR
signRequest({ action: 'StartCasterScene', params: { CasterId: 'c', SceneId: 's' }, ...key, signatureAlgorithm: 'V3' }); // ERROR
`,
};

describe('TypeScript', () => {
  test('the shipped declarations have no `any`', () => {
    const dist = join(projects.ts, 'node_modules/aliyun-caster/dist');
    const declarations = readdirSync(dist).filter((f) => f.endsWith('.d.ts'));
    assert.ok(declarations.includes('index.d.ts'));
    for (const file of declarations) {
      const code = readFileSync(join(dist, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      assert.doesNotMatch(code, /\bany\b/, `${file} has an \`any\``);
    }
  });

  test('correct use compiles under tsc --strict (ESM and CommonJS consumers)', async (t) => {
    writeFileSync(join(projects.ts, 'good.ts'), GOOD_TS);
    writeFileSync(join(projects.ts, 'good-cjs.cts'), GOOD_CTS);
    const result = await run(process.execPath, [TSC, ...TSC_FLAGS, 'good.ts', 'good-cjs.cts'], { cwd: projects.ts });
    t.diagnostic(`tsc ${(await run(process.execPath, [TSC, '--version'])).stdout.trim()}`);
    assert.equal(result.code, 0, `tsc rejected correct use:\n${result.stdout}${result.stderr}`);
    assert.equal(result.stdout.trim(), '');
  });

  test('misuse (wrong field type, unknown operation, two sources, offsets on a live stream, bad config) fails on the expected lines', async (t) => {
    for (const [name, source] of Object.entries(BAD)) writeFileSync(join(projects.ts, name), source);
    const result = await run(process.execPath, [TSC, ...TSC_FLAGS, '--pretty', 'false', ...Object.keys(BAD)], { cwd: projects.ts });
    assert.notEqual(result.code, 0, 'tsc accepted misuse');
    const output = result.stdout + result.stderr;
    for (const line of output.split('\n').filter((l) => /^bad-.*: error TS/.test(l))) t.diagnostic(line.slice(0, 200));
    for (const [name, source] of Object.entries(BAD)) {
      const expected = source.split('\n').flatMap((line, i) => (line.endsWith('// ERROR') ? [i + 1] : []));
      const reported = [...output.matchAll(new RegExp(`^${name.replace('.', '\\.')}\\((\\d+),\\d+\\): error TS\\d+`, 'gm'))]
        .map((m) => Number(m[1]));
      assert.deepEqual([...new Set(reported)].sort((a, b) => a - b), expected,
        `${name}: errors expected on lines ${expected.join(', ')}; tsc said:\n${output}`);
    }
  });
});
