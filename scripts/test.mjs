// Runs every test suite in sequence, streaming output live while capturing it, then
// prints `tests: N passed, M failed` and exits non-zero if any suite failed.
// Plain Node (no npm dependencies).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingReferences } from './doc-refs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const cargoBin = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin');
if (!(process.env.PATH || '').split(delimiter).includes(cargoBin)) {
  process.env.PATH = `${cargoBin}${delimiter}${process.env.PATH || ''}`;
}
// Keep colours when a human is watching (output is piped through us, so tools can't tell).
const colour = process.stdout.isTTY && !process.env.NO_COLOR
  ? { CARGO_TERM_COLOR: 'always', FORCE_COLOR: '1' } : {};

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

// libtest and wasm-bindgen-test both print `test result: ok. 3 passed; 0 failed; ...`
// (`FAILED.` instead of `ok.` when something failed), once per test binary.
export function cargoCounts(out) {
  let passed = 0, failed = 0, found = false;
  for (const m of stripAnsi(out).matchAll(/^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed/gm)) {
    passed += Number(m[1]); failed += Number(m[2]); found = true;
  }
  return { passed, failed, found };
}

// node --test --test-reporter=spec ends with `ℹ pass N` / `ℹ fail N` lines.
export function nodeCounts(out) {
  const text = stripAnsi(out);
  const pass = text.match(/^ℹ pass (\d+)$/m);
  const fail = text.match(/^ℹ fail (\d+)$/m);
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0), found: Boolean(pass || fail) };
}

const wasmRunner = { CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: 'wasm-bindgen-test-runner' };
// No `--quiet` for the wasm suites: `cargo test --quiet` forwards `--quiet` to the test
// runner, and wasm-bindgen-test-runner rejects it ("unexpected argument '--quiet'").
const wasmArgs = ['test', '--target', 'wasm32-unknown-unknown', '--test', 'wasm_boundary'];
const browserNeeds = ['/usr/bin/chromium', '/usr/bin/chromedriver'];

const suites = [
  { name: 'cargo test (native)', cmd: 'cargo', args: ['test', '--quiet'], count: cargoCounts },
  { name: 'cargo clippy (lint gate)', cmd: 'cargo', args: ['clippy', '--all-targets', '--quiet', '--', '-D', 'warnings'] },
  // The wasm boundary compiles only for wasm32, so it is linted there too.
  {
    name: 'cargo clippy wasm32 (lint gate)', cmd: 'cargo',
    args: ['clippy', '--target', 'wasm32-unknown-unknown', '--all-targets', '--quiet', '--', '-D', 'warnings'],
  },
  // The two .wasm builds leave the default `table` feature out: lint them as they are built.
  {
    name: 'cargo clippy wasm32, signer build as shipped (lint gate)', cmd: 'cargo',
    args: ['clippy', '--target', 'wasm32-unknown-unknown', '--lib', '--no-default-features', '--quiet', '--', '-D', 'warnings'],
  },
  {
    name: 'cargo clippy wasm32, server build as shipped (lint gate)', cmd: 'cargo',
    args: ['clippy', '--target', 'wasm32-unknown-unknown', '--lib', '--no-default-features', '--features', 'server', '--quiet', '--', '-D', 'warnings'],
  },
  // The server build (dist/server/) compiles the server-side exports in.
  {
    name: 'cargo clippy wasm32, server build (lint gate)', cmd: 'cargo',
    args: ['clippy', '--target', 'wasm32-unknown-unknown', '--all-targets', '--features', 'server', '--quiet', '--', '-D', 'warnings'],
  },
  { name: 'wasm-bindgen tests (Node)', cmd: 'cargo', args: wasmArgs, env: wasmRunner, count: cargoCounts },
  {
    name: 'wasm-bindgen tests (headless Chromium)', cmd: 'cargo', args: wasmArgs, count: cargoCounts,
    env: {
      ...wasmRunner,
      WASM_BINDGEN_USE_BROWSER: '1', // run in a browser without `wasm_bindgen_test_configure!(run_in_browser)`
      CHROMEDRIVER: '/usr/bin/chromedriver',
      WASM_BINDGEN_TEST_WEBDRIVER_JSON: join(root, 'webdriver.json'), // headless Chromium capabilities
    },
    precheck: () => {
      const missing = browserNeeds.filter((p) => !existsSync(p));
      return missing.length ? `${missing.join(' and ')} not installed; as root run \`node scripts/setup.mjs\` ` +
        'or `apt-get install chromium chromium-driver`' : null;
    },
  },
  { name: 'node --test tests/', cmd: process.execPath, args: ['--test', '--test-reporter=spec', 'tests/'], count: nodeCounts },
  // Every `file › test name` the docs cite is a test that ran (see scripts/doc-refs.mjs).
  { name: 'docs cite tests that exist', check: (outputs) => docsCheck(outputs.get('node --test tests/') ?? '') },
];

function docsCheck(nodeOutput) {
  const { count, missing } = missingReferences(root, nodeOutput);
  const lines = missing.map((ref) => `  ${ref.doc}: \`${ref.text}\` names no test that ran`);
  lines.push(`${count} test references in the docs, ${missing.length} naming no test that ran`);
  return { code: missing.length === 0 ? 0 : 1, out: `${lines.join('\n')}\n` };
}

// Spawn a command, mirroring its stdout/stderr to ours as it arrives; resolve with exit code + output.
function runLive(cmd, args, env) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...colour, ...env }, stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8'); // decode across chunk boundaries (e.g. the 3-byte `ℹ`)
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('error', (e) => { out += `${e.message}\n`; console.error(`test: could not start ${cmd}: ${e.message}`); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

async function main() {
  let passed = 0, failed = 0;
  const recap = [];
  const outputs = new Map();
  for (const s of suites) {
    console.log(`\n== ${s.name}`);
    const problem = s.precheck?.();
    if (problem) {
      console.error(`test: FAILED: ${s.name}: ${problem}`);
      failed += 1; recap.push(`  FAIL ${s.name}: not run (${problem})`);
      continue;
    }
    const { code, out } = s.check ? s.check(outputs) : await runLive(s.cmd, s.args, s.env);
    if (s.check) process.stdout.write(out);
    outputs.set(s.name, out);
    let p, f;
    if (s.count) {
      ({ passed: p, failed: f } = s.count(out));
      // A suite that exits non-zero without reporting a failed test (build error, crash,
      // missing test target, ...) still counts as one failure.
      if (code !== 0 && f === 0) f = 1;
    } else {
      [p, f] = code === 0 ? [1, 0] : [0, 1];
    }
    passed += p; failed += f;
    recap.push(`  ${code === 0 && f === 0 ? 'ok  ' : 'FAIL'} ${s.name}: ${p} passed, ${f} failed${code !== 0 ? ` (exit ${code})` : ''}`);
  }
  console.log(`\n== summary\n${recap.join('\n')}`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

// Only run when executed directly (importing it, e.g. to check the parsers, runs nothing).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
