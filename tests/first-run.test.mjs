// What a newcomer meets in the first ten minutes: the package as `npm pack` makes it, set-up's
// progress during its long steps, the emulator's log, the README's Workers and Vite snippets run
// for real, and a fresh clone that set-up and the build leave clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './support/child-env.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/**
 * Runs a command to its end or its time limit (then SIGKILL); resolves to { code, stdout, stderr, ms, lines }
 * where lines are stdout's lines with the milliseconds since the start at which each arrived.
 */
function run(command, args, { cwd = ROOT, timeoutMs = 60_000, env = childEnv() } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const lines = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      stdout += d;
      partial += d;
      const parts = partial.split('\n');
      partial = parts.pop();
      for (const text of parts) lines.push({ at: Date.now() - started, text });
    });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `signal ${signal}`, stdout, stderr, ms: Date.now() - started, lines });
    });
  });
}

function must(result, what) {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** npm pack --json's one entry, from output that may have a lifecycle script's lines before it. */
const packEntry = (stdout) => JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1 || stdout.indexOf('[')))[0];

// ---------------------------------------------------------------------------------------------
// Packaging
// ---------------------------------------------------------------------------------------------

describe('packaging', () => {
  test('LICENSE is the MIT licence package.json names, with the project\'s copyright line', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.license, 'MIT');
    assert.ok(existsSync(join(ROOT, 'LICENSE')), 'LICENSE exists');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 The aliyun-caster authors\n/);
    assert.match(license, /Permission is hereby granted, free of charge, to any person obtaining a copy/);
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  });

  test('npm pack --dry-run lists dist/, LICENSE and README, and nothing from tests/, src/ or target/', async (t) => {
    const result = must(await run('npm', ['pack', '--dry-run', '--json'], { timeoutMs: 600_000 }), 'npm pack --dry-run');
    const files = packEntry(result.stdout).files.map((f) => f.path);
    t.diagnostic(`${files.length} files: ${files.join(' ')}`);
    for (const file of ['LICENSE', 'README.md', 'package.json', 'dist/browser.js', 'dist/node.mjs', 'dist/node.cjs',
      'dist/workerd.js', 'dist/index.d.ts', 'dist/aliyun_caster_bg.wasm', 'dist/server/aliyun_caster_bg.wasm']) {
      assert.ok(files.includes(file), `${file} is in the tarball`);
    }
    for (const file of files) assert.doesNotMatch(file, /^(tests|src|target|scripts|worker|node_modules)\//, `${file} does not belong in the tarball`);
  });

});

// ---------------------------------------------------------------------------------------------
// Set-up's long steps
// ---------------------------------------------------------------------------------------------

// A real `cargo install wasm-bindgen-cli` takes 3 to 8 minutes and its `--locked` attempt fails
// only while the registry's index lags; a stand-in cargo (a real child process, a shell script on
// PATH through CARGO_HOME) replays both: a locked attempt refused as cargo refuses it, then a
// build that prints cargo's progress lines for a few seconds and installs the tools.
const WANT = /^name = "wasm-bindgen"\nversion = "([^"]+)"$/m.exec(readFileSync(join(ROOT, 'Cargo.lock'), 'utf8'))[1];
const LOCKED_ERROR = 'error: failed to select a version for the requirement `webpki-roots = "=0.26.11"`';

function standInCargoHome() {
  const home = mkdtempSync(join(tmpdir(), 'aliyun-caster-setup-'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  const script = (name, body) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script('rustup', 'printf "wasm32-unknown-unknown\\nx86_64-unknown-linux-gnu\\n"');
  script('wasm-bindgen', 'echo "wasm-bindgen 0.0.1"');
  script('wasm-bindgen-test-runner', 'echo "wasm-bindgen-test-runner 0.0.1"');
  script('cargo', `
case "$1" in
  clippy) echo "clippy 0.1.90"; exit 0 ;;
  install) ;;
  *) echo "unexpected cargo $*" >&2; exit 2 ;;
esac
for a in "$@"; do
  if [ "$a" = --locked ]; then
    echo "    Updating crates.io index" >&2
    echo '${LOCKED_ERROR}' >&2
    echo "candidate versions found which didn't match: 0.26.8, 0.26.7" >&2
    exit 101
  fi
done
echo "    Updating crates.io index" >&2
for c in proc-macro2 unicode-ident serde syn webpki-roots walrus; do
  echo "   Compiling $c v1.0.0" >&2
  sleep 1
done
printf '#!/bin/sh\\necho "wasm-bindgen ${WANT}"\\n' > "${bin}/wasm-bindgen"
printf '#!/bin/sh\\necho "wasm-bindgen-test-runner ${WANT}"\\n' > "${bin}/wasm-bindgen-test-runner"
echo "  Installing ${bin}/wasm-bindgen" >&2
exit 0`);
  return home;
}

describe('set-up', () => {
  test('cargo install of wasm-bindgen-cli: progress while it runs, and why --locked was given up', async (t) => {
    const home = standInCargoHome();
    try {
      const env = childEnv({
        CARGO_HOME: home,
        PATH: [join(home, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
        SETUP_PROGRESS_SECONDS: '1',
      });
      const first = must(await run(process.execPath, ['scripts/setup.mjs'], { env, timeoutMs: 300_000 }), 'set-up');
      for (const { at, text } of first.lines) t.diagnostic(`${(at / 1000).toFixed(1)} s  ${text}`);
      const lines = first.lines.map((l) => l.text);
      assert.ok(lines.some((l) => l.includes(`wasm-bindgen-cli ${WANT}`) && /usually 3 to 8 minutes/.test(l)),
        'says what it installs and how long that usually takes');
      const fallback = lines.find((l) => /--locked.* failed/.test(l));
      assert.ok(fallback, 'says the --locked attempt failed');
      assert.ok(fallback.includes(LOCKED_ERROR), `gives the locked attempt's first error line: ${fallback}`);
      // The build took about 6 s: progress lines arrive while it runs, naming what cargo compiles.
      const progress = first.lines.filter((l) => /so far \(cargo: compiling \S+ v1\.0\.0\)/.test(l.text));
      assert.ok(progress.length >= 2, `at least two progress lines during the install, got ${progress.length}`);
      const doneAt = first.lines.find((l) => /installed wasm-bindgen-cli/.test(l.text))?.at;
      assert.ok(doneAt !== undefined, 'says when it is done');
      assert.ok(progress[0].at < doneAt - 1500, 'progress is printed while cargo runs, not only at the end');

      const second = must(await run(process.execPath, ['scripts/setup.mjs'], { env, timeoutMs: 120_000 }), 'set-up again');
      assert.equal(second.stdout, '', 'a second run of set-up prints nothing');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The emulator's log and start-up lines
// ---------------------------------------------------------------------------------------------

describe('the emulator', () => {
  const DEMO_STUDIO = 'LIVEPRODUCER_POST-cn-emulator-demo';

  /** The CLI as `npm start` runs it (a child process), stopped when the test ends. */
  async function cli(t, options) {
    const { spawnCli } = await import('./support/emulator.mjs');
    const emulator = await spawnCli(options);
    t.after(async () => {
      emulator.child.kill('SIGTERM');
      const timer = setTimeout(() => emulator.child.kill('SIGKILL'), 5000);
      await emulator.exited;
      clearTimeout(timer);
    });
    return emulator;
  }

  async function untilLines(output, count, ms = 5000) {
    const end = Date.now() + ms;
    const apiLines = () => output.stdout.split('\n').filter((l) => /^(GET|POST) \d{3} /.test(l));
    while (apiLines().length < count && Date.now() < end) await new Promise((r) => { setTimeout(r, 20); });
    return apiLines();
  }

  test('a request\'s log line names its operation and studio, and no other value', async (t) => {
    const { signRequest, DEMO } = await import('aliyun-caster').then(async (m) => ({
      signRequest: m.signRequest, DEMO: (await import('../emulator/server.mjs')).DEMO_ACCESS_KEY,
    }));
    const emulator = await cli(t, {});
    const key = { accessKeyId: DEMO.accessKeyId, accessKeySecret: DEMO.accessKeySecret, endpoint: emulator.url.slice(0, -1) };
    const send = (s) => fetch(s.url, { method: s.method, headers: s.headers, body: s.body });
    const resource = 'rtmp://push.example.com/app/stream?auth_key=1700000000-0-0-logline-secret';
    const replies = [
      await send(signRequest({ action: 'StartCasterScene', params: { CasterId: DEMO_STUDIO, SceneId: 'demo-pvw-scene-1' }, ...key })),
      await send(signRequest({ action: 'AddCasterVideoResource', method: 'GET', signatureAlgorithm: 'v3', ...key,
        params: { CasterId: DEMO_STUDIO, ResourceName: 'log line', LocationId: 'RV07', LiveStreamUrl: resource } })),
      await send(signRequest({ action: 'StartCasterScene', params: { CasterId: 'no-such-studio', SceneId: 's' }, ...key })),
    ];
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 404]);
    const lines = await untilLines(emulator.output, 3);
    t.diagnostic(lines.join('\n'));
    assert.equal(lines.length, 3);
    assert.match(lines[0], new RegExp(`^POST 200 OK StartCasterScene ${DEMO_STUDIO} \\d+ms$`));
    assert.match(lines[1], new RegExp(`^GET 200 OK AddCasterVideoResource ${DEMO_STUDIO} \\d+ms$`));
    assert.match(lines[2], /^POST 404 \S+ StartCasterScene no-such-studio \d+ms$/);
    const log = emulator.output.stdout;
    for (const value of ['demo-pvw-scene-1', 'log line', 'RV07', 'logline-secret', 'push.example.com', DEMO.accessKeySecret]) {
      assert.ok(!log.slice(log.indexOf('\nPOST ')).includes(value), `the log does not hold ${value}`);
    }
  });

  test('with --state and no --config, restored studios are not called demo studios', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'aliyun-caster-state-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'config.json');
    const state = join(dir, 'state.json');
    writeFileSync(config, JSON.stringify({ casters: [{ casterId: 'studio-kept-on-disk', status: 'started', ingestEndpoints: 4,
      scenes: [{ sceneId: 'pvw', type: 'PVW' }] }] }));
    const first = await cli(t, { config, state });
    first.child.kill('SIGTERM');
    await first.exited;

    const again = await cli(t, { state });
    await new Promise((r) => { setTimeout(r, 200); });
    const startup = again.output.stdout.split('\n');
    t.diagnostic(startup.join('\n'));
    const line = startup.find((l) => l.includes('studio-kept-on-disk'));
    assert.ok(line, 'the restored studio is listed at start-up');
    assert.doesNotMatch(line, /demo/, 'a studio restored from the state file is not a demo studio');
    assert.match(line, new RegExp(`restored from ${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(startup.some((l) => l.startsWith('demo AccessKeyId:')), 'the demo key is still the key, and says so');
  });

  test('without --state or --config, the demo studios are called demo studios', async (t) => {
    const emulator = await cli(t, {});
    await new Promise((r) => { setTimeout(r, 200); });
    assert.ok(emulator.output.stdout.split('\n').some((l) => l.startsWith(`demo studio ${DEMO_STUDIO} `)), emulator.output.stdout);
  });
});

// ---------------------------------------------------------------------------------------------
// The README's Workers snippet, in real workerd
// ---------------------------------------------------------------------------------------------

/** The first ```js block after `heading` in the README. */
function readmeBlock(heading, lang = 'js') {
  const at = README.indexOf(heading);
  assert.ok(at >= 0, `the README has ${heading}`);
  const open = README.indexOf(`\`\`\`${lang}\n`, at);
  return README.slice(open + lang.length + 4, README.indexOf('\n```', open));
}

describe('the README\'s Workers snippet', () => {
  let mf;
  let emulator;
  const SECRET = 'readme/SeCrEt+7=kinkajou-4d2e';
  const KEY = { accessKeyId: 'LTAI5tReadmeWorkerKey', accessKeySecret: SECRET };
  const STUDIO = 'caster-readme';
  let scriptDir;

  before(async () => {
    const { Miniflare } = await import('miniflare');
    const { createEmulator } = await import('../emulator/server.mjs');
    emulator = createEmulator({ log: () => {}, config: { accessKeys: [KEY],
      casters: [{ casterId: STUDIO, status: 'started', ingestEndpoints: 4, scenes: [{ sceneId: 'pvw', type: 'PVW' }] }] } });
    const upstream = `http://127.0.0.1:${await emulator.listen(0)}`;
    // As the README has it, but with the package's path in this repository (wrangler would
    // resolve the bare name from node_modules). Written under test-artifacts/ (git-ignored).
    const source = readmeBlock('**Cloudflare Workers / workerd**').replace(/from 'aliyun-caster'/g, "from '../../dist/workerd.js'");
    scriptDir = join(ROOT, 'test-artifacts', `readme-worker-${process.pid}`);
    mkdirSync(scriptDir, { recursive: true });
    writeFileSync(join(scriptDir, 'worker.js'), source);
    mf = new Miniflare({
      modules: true, modulesRoot: ROOT, scriptPath: join(scriptDir, 'worker.js'), compatibilityDate: '2026-04-01',
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      bindings: { ACCESS_KEY_ID: KEY.accessKeyId, ACCESS_KEY_SECRET: SECRET, UPSTREAM: upstream },
    });
    await mf.ready;
  });

  after(async () => {
    await mf?.dispose();
    await emulator?.close();
    if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
  });

  const post = (body) => mf.dispatchFetch('http://worker/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  test('invalid parameters are a JSON 400 with the CasterError\'s code and field, and no stack', async () => {
    const response = await post(JSON.stringify({ CasterId: STUDIO }));
    const text = await response.text();
    assert.equal(response.status, 400, text);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    const body = JSON.parse(text);
    assert.equal(body.Code, 'MissingParameter');
    assert.equal(body.Field, 'SceneId');
    assert.doesNotMatch(text, /\bat \S+ \(|\.js:\d+|Error:|kinkajou/, `no stack and no secret: ${text}`);
  });

  test('a body that is not JSON is a JSON 400, and a studio the server does not know is its 404, code kept', async () => {
    const notJson = await post('{"CasterId":');
    const text = await notJson.text();
    assert.equal(notJson.status, 400, text);
    assert.doesNotMatch(text, /\bat \S+ \(|\.js:\d+|kinkajou/);
    assert.equal(typeof JSON.parse(text).Code, 'string');

    const unknown = await post(JSON.stringify({ CasterId: 'caster-nobody-has', SceneId: 'pvw' }));
    const body = await unknown.json();
    assert.equal(unknown.status, 404);
    assert.equal(typeof body.Code, 'string');
    assert.ok(body.RequestId, 'the upstream\'s RequestId is passed on');
  });

  test('valid parameters start the scene upstream', async () => {
    const response = await post(JSON.stringify({ CasterId: STUDIO, SceneId: 'pvw' }));
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.match(body.StreamUrl, /^rtmp:\/\//);
  });
});

test('worker/.dev.vars.example as .dev.vars: `wrangler dev` runs worker/ against the emulator with its demo key', async (t) => {
  const { cpSync, symlinkSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const { startEmulator } = await import('./support/emulator.mjs');
  const { DEMO_ACCESS_KEY } = await import('../emulator/server.mjs');
  const { url: upstream } = await startEmulator(t, { key: DEMO_ACCESS_KEY });
  // A copy of worker/ next to links to dist/ and node_modules/, so that wrangler's .wrangler/ and
  // the .dev.vars copied from the example stay out of the working tree.
  const dir = mkdtempSync(join(tmpdir(), 'aliyun-caster-wrangler-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'worker'), join(dir, 'worker'), { recursive: true });
  symlinkSync(join(ROOT, 'dist'), join(dir, 'dist'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const example = readFileSync(join(ROOT, 'worker/.dev.vars.example'), 'utf8');
  assert.match(example, /^UPSTREAM=http:\/\/127\.0\.0\.1:8080$/m, 'the example points at `npm start`\'s emulator');
  writeFileSync(join(dir, 'worker/.dev.vars'), example.replace('http://127.0.0.1:8080', upstream.replace(/\/$/, '')));
  const token = /^PROXY_TOKEN=(.+)$/m.exec(example)[1];

  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => { const p = probe.address().port; probe.close(() => resolve(p)); });
  });
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--ip', '127.0.0.1', '--port', String(port)], {
    cwd: join(dir, 'worker'), env: childEnv({ WRANGLER_SEND_METRICS: 'false', CI: '1' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { output += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => { child.once('exit', resolve); });
  t.after(async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  });
  const end = Date.now() + 60_000;
  while (!/Ready on http/.test(output) && child.exitCode === null && Date.now() < end) await new Promise((r) => { setTimeout(r, 100); });
  assert.match(output, /Ready on http/, `wrangler dev did not start:\n${output}`);

  const call = (authorization, body) => fetch(`http://127.0.0.1:${port}/v1/StartCasterScene`, {
    method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const ok = await call(`Bearer ${token}`, { CasterId: 'LIVEPRODUCER_POST-cn-emulator-demo', SceneId: 'demo-pvw-scene-1' });
  const text = await ok.text();
  assert.equal(ok.status, 200, text);
  assert.match(JSON.parse(text).StreamUrl, /^rtmp:\/\/emulator\.localhost\//);
  const refused = await call('Bearer wrong', { CasterId: 'LIVEPRODUCER_POST-cn-emulator-demo', SceneId: 'demo-pvw-scene-1' });
  assert.equal(refused.status, 401);
  await refused.body?.cancel();
  assert.ok(!output.includes(DEMO_ACCESS_KEY.accessKeySecret), 'wrangler does not print the secret');

  // What wrangler dev left in worker/ would be git-ignored in this repository; the example is not.
  const { readdirSync, statSync } = await import('node:fs');
  const left = readdirSync(join(dir, 'worker'), { recursive: true })
    .filter((f) => !existsSync(join(ROOT, 'worker', f)) && statSync(join(dir, 'worker', f)).isFile()).slice(0, 200);
  assert.ok(left.includes('.dev.vars') && left.some((f) => f.startsWith('.wrangler')), `wrangler dev's files: ${left.join(', ')}`);
  for (const file of left) {
    const check = await run('git', ['check-ignore', '--no-index', '-q', join('worker', file)], { cwd: ROOT });
    assert.equal(check.code, 0, `worker/${file}, left by wrangler dev, is git-ignored`);
  }
  const exampleCheck = await run('git', ['check-ignore', '--no-index', '-q', 'worker/.dev.vars.example'], { cwd: ROOT });
  assert.equal(exampleCheck.code, 1, 'worker/.dev.vars.example is not ignored');
});

// ---------------------------------------------------------------------------------------------
// A fresh clone
// ---------------------------------------------------------------------------------------------

// The committed tree as a newcomer clones it: `npm pack` (whose prepack runs set-up and the build,
// a first build of the core from nothing: one to three minutes here), then git status, then
// set-up once more.
test('a fresh clone: npm pack sets up and builds, has dist/, leaves git status clean, and set-up then prints nothing', { timeout: 1_200_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aliyun-caster-clone-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clone = join(dir, 'aliyun-caster');
  must(await run('git', ['clone', '--quiet', ROOT, clone], { cwd: dir }), 'git clone');
  assert.ok(!existsSync(join(clone, 'dist')), 'a clone has no dist/');

  const pack = must(await run('npm', ['pack', '--dry-run', '--json'], { cwd: clone, timeoutMs: 1_080_000 }), 'npm pack in the clone');
  for (const { at, text } of pack.lines.filter((l) => /^(setup|build):/.test(l.text))) t.diagnostic(`${(at / 1000).toFixed(0)} s  ${text}`);
  t.diagnostic(`npm pack of the fresh clone took ${(pack.ms / 1000).toFixed(0)} s`);
  const files = packEntry(pack.stdout).files.map((f) => f.path);
  for (const file of ['dist/browser.js', 'dist/aliyun_caster_bg.wasm', 'dist/server/aliyun_caster_bg.wasm', 'LICENSE', 'README.md']) {
    assert.ok(files.includes(file), `${file} is in the fresh clone's tarball`);
  }
  assert.ok(pack.lines.some((l) => /^build: compiling the Rust core/.test(l.text)), 'the first build says what its pause is');

  const status = must(await run('git', ['status', '--short', '--untracked-files=all'], { cwd: clone }), 'git status');
  assert.equal(status.stdout, '', `set-up and the build leave the clone clean:\n${status.stdout}`);

  const again = must(await run(process.execPath, ['scripts/setup.mjs'], { cwd: clone, timeoutMs: 120_000 }), 'set-up again');
  assert.equal(again.stdout, '', 'a second run of set-up prints nothing');
});
