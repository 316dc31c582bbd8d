// Idempotent machine/project set-up, run before every `npm start` / `npm test`.
// Prints nothing when everything is already in place; one line per action otherwise.
// Plain Node (no npm dependencies): it runs before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Make sure cargo-installed binaries (wasm-bindgen, ...) are found by us and our children.
const cargoBin = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin');
if (!(process.env.PATH || '').split(delimiter).includes(cargoBin)) {
  process.env.PATH = `${cargoBin}${delimiter}${process.env.PATH || ''}`;
}

// Run a command with its output captured. Returns { ok, out }.
function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = (r.stdout || '') + (r.stderr || '') + (r.error ? `\n${r.error.message}\n` : '');
  return { ok: !r.error && r.status === 0, out };
}

function fail(message, out = '') {
  if (out) process.stderr.write(out.endsWith('\n') ? out : `${out}\n`);
  console.error(`setup: FAILED: ${message}`);
  process.exit(1);
}

// The long steps print a line every PROGRESS_SECONDS (SETUP_PROGRESS_SECONDS overrides; default 30)
// with the time taken so far and what the tool last said it was doing, so minutes are never silent.
const PROGRESS_SECONDS = Number(process.env.SETUP_PROGRESS_SECONDS) > 0 ? Number(process.env.SETUP_PROGRESS_SECONDS) : 30;
// The most of a long step's output kept for its failure report (the end is kept: errors come last).
const MAX_KEPT_OUTPUT = 4 * 1024 * 1024;
// The lines of cargo's own progress that say what it is doing now.
const CARGO_DOING = /^\s*(Updating|Downloading|Downloaded|Compiling|Finished|Installing|Replacing)\s+(.+)$/;

const duration = (ms) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

// Run a long command with its output captured, printing progress. Resolves to { ok, out, ms }.
function runWithProgress(what, cmd, args, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let pending = '';
    let doing = '';
    const take = (chunk) => {
      out = (out + chunk).slice(-MAX_KEPT_OUTPUT);
      const lines = (pending + chunk).split(/\r?\n|\r/);
      pending = lines.pop().slice(-4096);
      for (const line of lines) {
        const m = CARGO_DOING.exec(line);
        if (m) doing = `${m[1].toLowerCase()} ${m[2].trim()}`.slice(0, 120);
      }
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    const ticker = setInterval(() => {
      console.log(`setup: ${what}: ${duration(Date.now() - started)} so far${doing ? ` (cargo: ${doing})` : ''}`);
    }, PROGRESS_SECONDS * 1000);
    const done = (ok, extra = '') => {
      clearInterval(ticker);
      resolve({ ok, out: out + extra, ms: Date.now() - started });
    };
    child.on('error', (error) => done(false, `\n${error.message}\n`));
    child.on('close', (code) => done(code === 0));
  });
}

// The line that says why a command failed: its first `error:` line, else its last line.
function firstErrorLine(out) {
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /^error(\[\w+\])?:/.test(l)) ?? lines.at(-1) ?? '(no output)').slice(0, 300);
}

// Run a command that must succeed; on failure print its captured output and exit.
function must(cmd, args, env) {
  const r = run(cmd, args, env);
  if (!r.ok) fail(`\`${[cmd, ...args].join(' ')}\` failed (output above)`, r.out);
  return r.out;
}

// The same for a step of a minute or more, with progress lines while it runs.
async function mustLong(what, cmd, args, env) {
  const r = await runWithProgress(what, cmd, args, env);
  if (!r.ok) fail(`\`${[cmd, ...args].join(' ')}\` failed (output above)`, r.out);
  return r.out;
}

// a. wasm32 target
{
  const r = run('rustup', ['target', 'list', '--installed']);
  if (!r.ok) fail('could not run `rustup target list --installed` (is rustup installed?)', r.out);
  if (!r.out.split('\n').some((l) => l.trim() === 'wasm32-unknown-unknown')) {
    console.log('setup: adding Rust target wasm32-unknown-unknown');
    must('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  }
}

// a2. clippy, for the lint gate (absent from rustup's minimal profile)
if (!run('cargo', ['clippy', '--version']).ok) {
  console.log('setup: adding the clippy component');
  must('rustup', ['component', 'add', 'clippy']);
}

// b. wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock
{
  if (!existsSync('Cargo.lock')) fail('Cargo.lock is missing; cannot tell which wasm-bindgen-cli to install');
  const block = readFileSync('Cargo.lock', 'utf8')
    .split('[[package]]')
    .find((b) => /^name = "wasm-bindgen"$/m.test(b));
  const want = block && block.match(/^version = "([^"]+)"$/m)?.[1];
  if (!want) fail('no `wasm-bindgen` package found in Cargo.lock');
  const have = (tool) => {
    const r = run(tool, ['--version']);
    return r.ok && r.out.trim().split(/\s+/)[1] === want;
  };
  if (!have('wasm-bindgen') || !have('wasm-bindgen-test-runner')) {
    console.log(`setup: installing wasm-bindgen-cli ${want} with cargo install ` +
      `(compiles about 150 crates: usually 3 to 8 minutes, once; a line every ${PROGRESS_SECONDS} s)`);
    const what = `installing wasm-bindgen-cli ${want}`;
    const args = ['install', 'wasm-bindgen-cli', '--version', want];
    const locked = await runWithProgress(what, 'cargo', [...args, '--locked']);
    let installed = locked;
    if (!locked.ok) {
      // The crate's own Cargo.lock can name a version of a dependency (webpki-roots, say) that the
      // local registry index does not have yet, or no longer resolves; the newest compatible
      // versions still build the same tool.
      console.log(`setup: \`cargo install --locked\` failed after ${duration(locked.ms)}: ${firstErrorLine(locked.out)}`);
      console.log("setup: retrying without --locked (cargo picks the newest compatible versions of wasm-bindgen-cli's dependencies)");
      installed = await runWithProgress(what, 'cargo', args);
      if (!installed.ok) {
        fail(`could not install wasm-bindgen-cli ${want}`,
          `--- with --locked ---\n${locked.out}\n--- without --locked ---\n${installed.out}`);
      }
    }
    console.log(`setup: installed wasm-bindgen-cli ${want} in ${duration(installed.ms)}`);
    if (!have('wasm-bindgen')) fail(`wasm-bindgen ${want} still not found on PATH after installing (PATH includes ${cargoBin})`);
  }
}

// c. npm dependencies, re-installed when package.json / package-lock.json change or one is missing
// Run from an npm script (prepack: `npm pack --dry-run --json`), set-up inherits that command's
// flags as npm_config_*: the install would be a dry run that installs nothing. Those are unset
// for it; the user's own settings (registry, cache, proxy) are kept.
const NPM_COMMAND_FLAGS = Object.fromEntries(['dry_run', 'json', 'global', 'local_prefix', 'pack_destination', 'workspace', 'workspaces']
  .flatMap((flag) => [`npm_config_${flag}`, `NPM_CONFIG_${flag.toUpperCase()}`])
  .map((name) => [name, undefined]));
{
  const stampDir = '.setup-stamps';
  const stamp = join(stampDir, 'npm');
  const digest = () => {
    const h = createHash('sha256');
    h.update(readFileSync('package.json'));
    h.update('\0');
    if (existsSync('package-lock.json')) h.update(readFileSync('package-lock.json'));
    return h.digest('hex');
  };
  const stored = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const missing = () => Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((name) => !existsSync(join('node_modules', name, 'package.json')));
  if (missing().length || stored !== digest()) {
    // `npm install`, not `npm ci`: it still installs the locked versions, but tolerates an optional
    // platform package the registry lacks (rollup's, for other systems), which `npm ci` refuses.
    const args = ['install', '--no-audit', '--no-fund'];
    console.log(`setup: installing npm dependencies (npm ${args[0]})`);
    must('npm', args, NPM_COMMAND_FLAGS);
    const still = missing();
    if (still.length) fail(`npm install finished but node_modules lacks ${still.join(', ')}`);
    mkdirSync(stampDir, { recursive: true });
    writeFileSync(stamp, `${digest()}\n`); // after install: `npm install` may write the lock
  }
}

// d. Chromium + chromedriver for the headless browser tests
{
  const missing = ['/usr/bin/chromium', '/usr/bin/chromedriver'].filter((p) => !existsSync(p));
  if (missing.length) {
    if (process.getuid?.() === 0) {
      console.log('setup: installing chromium and chromium-driver with apt-get (about 1-2 minutes)');
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      must('apt-get', ['update', '-qq'], env);
      await mustLong('installing chromium', 'apt-get', ['install', '-y', '-qq', 'chromium', 'chromium-driver'], env);
      const still = missing.filter((p) => !existsSync(p));
      if (still.length) fail(`apt-get finished but ${still.join(' and ')} still missing`);
    } else {
      console.log(`setup: WARNING: ${missing.join(' and ')} missing and not root; ` +
        'the browser tests need them (install: apt-get install chromium chromium-driver)');
    }
  }
}

// e. The vendor's own Python SDKs, for tests/vendor-clients.test.mjs (the vendor's clients run
//    against the emulator): a venv in .venv-vendor/ (git-ignored) at pinned versions, re-created
//    when the pins change. The signing packages are pinned too: the tests hold values they compute.
{
  const venv = '.venv-vendor';
  const pins = [
    'alibabacloud-live20161101==3.0.2',
    'alibabacloud-tea-openapi==0.4.6',
    'darabonba-core==1.0.9',
    'aliyun-python-sdk-core==2.16.1',
    'aliyun-python-sdk-live==3.9.75',
  ];
  const stampDir = '.setup-stamps';
  const stamp = join(stampDir, 'vendor-python');
  const want = createHash('sha256').update(pins.join('\n')).digest('hex');
  const python = join(venv, 'bin', 'python');
  const stored = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (stored !== want || !existsSync(python)) {
    // Debian splits venv and ensurepip into python3-venv.
    const canVenv = () => run('python3', ['-c', 'import venv, ensurepip']).ok;
    if (!canVenv() && process.getuid?.() === 0) {
      console.log('setup: installing python3 and python3-venv with apt-get (about 1 minute)');
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      must('apt-get', ['update', '-qq'], env);
      must('apt-get', ['install', '-y', '-qq', 'python3', 'python3-venv'], env);
    }
    if (!canVenv()) {
      console.log('setup: WARNING: python3 with its venv module is missing and not root; ' +
        'the vendor-client tests need it (install: apt-get install python3 python3-venv)');
    } else {
      console.log(`setup: creating ${venv}/ with the vendor's Python SDKs (${pins.join(', ')}) (about 30 seconds)`);
      must('python3', ['-m', 'venv', '--clear', venv]);
      await mustLong("installing the vendor's Python SDKs", python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...pins]);
      mkdirSync(stampDir, { recursive: true });
      writeFileSync(stamp, `${want}\n`);
    }
  }
}
