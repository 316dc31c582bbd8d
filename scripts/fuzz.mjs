// Runs the cargo-fuzz targets in fuzz/ one after another, FUZZ_SECONDS each (default 600).
//
//   node scripts/fuzz.mjs [--update-corpus] [target ...]     (npm run fuzz -- ...)
//
// Each run starts from the committed corpus (fuzz/corpus/<target>) and writes what it grows to
// fuzz/target/grown/<target>, so a run leaves the working tree as it was. With --update-corpus,
// the grown inputs that reach new code are merged into fuzz/corpus/<target>, which is then
// minimised (cargo fuzz cmin): commit the result. A crash is saved under fuzz/artifacts/<target>/,
// which `cargo test` (tests/fuzz_corpus.rs) replays too.
//
// Uses the `nightly` toolchain when rustup has one; otherwise stable with RUSTC_BOOTSTRAP=1 (which
// lets stable accept the unstable flags cargo-fuzz passes; FUZZ_TOOLCHAIN=stable forces that).
// Installs cargo-fuzz when it is missing.
// Prints executions per target and one summary line; exits non-zero on any crash or failed run.
// Plain Node, no dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fuzzDir = join(root, 'fuzz');
const cargoBin = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin');
if (!(process.env.PATH || '').split(delimiter).includes(cargoBin)) {
  process.env.PATH = `${cargoBin}${delimiter}${process.env.PATH || ''}`;
}

const allTargets = readdirSync(join(fuzzDir, 'fuzz_targets'))
  .filter((name) => name.endsWith('.rs'))
  .map((name) => name.slice(0, -3))
  .sort();
const args = process.argv.slice(2);
const updateCorpus = args.includes('--update-corpus');
const targets = args.filter((arg) => arg !== '--update-corpus');
for (const target of targets) {
  if (!allTargets.includes(target)) {
    console.error(`fuzz: no target "${target}"; the targets are ${allTargets.join(', ')}`);
    process.exit(2);
  }
}
if (targets.length === 0) targets.push(...allTargets);
const seconds = Number(process.env.FUZZ_SECONDS || 600);
if (!Number.isInteger(seconds) || seconds < 1) {
  console.error(`fuzz: FUZZ_SECONDS must be a whole number of seconds, not "${process.env.FUZZ_SECONDS}"`);
  process.exit(2);
}

/** Runs a command to its end with captured output: { ok, out }. */
function capture(cmd, cmdArgs, env = process.env) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: !r.error && r.status === 0, out: `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

function die(message, out = '') {
  if (out) process.stderr.write(out.endsWith('\n') ? out : `${out}\n`);
  console.error(`fuzz: FAILED: ${message}`);
  process.exit(1);
}

// The toolchain: `cargo +nightly`, or stable told to accept nightly flags.
const nightly = process.env.FUZZ_TOOLCHAIN !== 'stable' && capture('cargo', ['+nightly', '--version']).ok;
const cargoArgs = nightly ? ['+nightly'] : [];
const env = nightly ? process.env : { ...process.env, RUSTC_BOOTSTRAP: '1' };
const toolchain = nightly ? 'nightly' : 'stable with RUSTC_BOOTSTRAP=1';

// cargo-fuzz, quietly when it is there.
if (!capture('cargo', ['fuzz', '--version']).ok) {
  console.log('fuzz: installing cargo-fuzz (a few minutes)');
  const locked = capture('cargo', ['install', 'cargo-fuzz', '--locked']);
  if (!locked.ok) {
    console.log('fuzz: `cargo install --locked` failed; retrying without --locked');
    const unlocked = capture('cargo', ['install', 'cargo-fuzz']);
    if (!unlocked.ok) die('could not install cargo-fuzz', `${locked.out}\n${unlocked.out}`);
  }
}

// No address sanitizer: the core has no unsafe code, so it would only slow the runs down.
// Release build with debug assertions (overflow checks on), cargo-fuzz's default.
const cargoFuzz = (command, ...rest) => [...cargoArgs, 'fuzz', command, '--fuzz-dir', fuzzDir, '--sanitizer', 'none', ...rest];

console.log(`fuzz: building ${targets.join(', ')} (${toolchain})`);
const build = capture('cargo', cargoFuzz('build', ...(targets.length === 1 ? targets : [])), env);
if (!build.ok) die('the fuzz targets did not build', build.out);

const countFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()) : []);
const corpusSize = (dir) => countFiles(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

/** Runs one target for `seconds`; resolves to what its final stats and output say. */
function fuzz(target) {
  const corpus = join(fuzzDir, 'corpus', target);
  const grown = join(fuzzDir, 'target', 'grown', target);
  rmSync(grown, { recursive: true, force: true });
  mkdirSync(grown, { recursive: true });
  mkdirSync(corpus, { recursive: true });
  const log = join(fuzzDir, 'target', `fuzz-${target}.log`);
  const runArgs = cargoFuzz('run', target, grown, corpus, '--', `-max_total_time=${seconds}`, '-print_final_stats=1', '-timeout=30');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('cargo', runArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const file = createWriteStream(log);
    const stats = {};
    const problems = [];
    let pending = '';
    let afterPanic = false;
    const onData = (chunk) => {
      file.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const stat = line.match(/^stat::(\w+):\s+(\d+)/);
        if (stat) stats[stat[1]] = Number(stat[2]);
        // The line after "panicked at" holds the panic's message.
        if (afterPanic || /panicked at|^SUMMARY:|Test unit written to|^==\d+==ERROR|out-of-memory|timeout after/.test(line)) {
          problems.push(line);
        }
        afterPanic = /panicked at/.test(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      file.end();
      const elapsed = (Date.now() - started) / 1000;
      resolve({ target, code, stats, problems, elapsed, log, corpus, grown });
    });
  });
}

/**
 * Merges the grown inputs that add coverage into the committed corpus, then minimises it to the
 * fewest inputs that still reach every edge (`-use_counters=0`: how often an edge runs does not
 * count, which keeps the committed corpus a few hundred files).
 */
function update({ target, corpus, grown }) {
  const merge = capture('cargo', cargoFuzz('run', target, corpus, grown, '--', '-merge=1'), env);
  if (!merge.ok) die(`merging the grown corpus of ${target} failed`, merge.out);
  const cmin = capture('cargo', cargoFuzz('cmin', target, corpus, '--', '-use_counters=0'), env);
  if (!cmin.ok) die(`minimising the corpus of ${target} failed`, cmin.out);
}

const results = [];
for (const target of targets) {
  console.log(`fuzz: ${target} for ${seconds} s`);
  const result = await fuzz(target);
  const executions = result.stats.number_of_executed_units;
  const crashed = result.code !== 0 || executions === undefined;
  results.push({ ...result, crashed, executions: executions ?? 0 });
  if (crashed) {
    for (const line of result.problems) console.log(`  ${line}`);
    console.log(`fuzz: ${target} FAILED (exit ${result.code}) after ${result.elapsed.toFixed(0)} s; full output in ${result.log}`);
    continue;
  }
  if (updateCorpus) update(result);
  const files = countFiles(result.corpus).length;
  const bytes = corpusSize(result.corpus);
  const size = bytes < 10240 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(0)} KB`;
  console.log(
    `fuzz: ${target}: ${executions} executions (${result.stats.average_exec_per_sec} exec/s) in ` +
      `${result.elapsed.toFixed(0)} s, no crash; corpus ${files} files, ${size}` +
      (updateCorpus ? ' (merged and minimised)' : `, ${countFiles(result.grown).length} inputs grown`),
  );
}

const crashes = results.filter((r) => r.crashed);
const total = results.reduce((sum, r) => sum + r.executions, 0);
console.log(
  `fuzz: ${results.length} targets, ${total} executions, ${crashes.length} crashed` +
    (crashes.length ? ` (${crashes.map((r) => r.target).join(', ')}; inputs in fuzz/artifacts/)` : ''),
);
process.exit(crashes.length ? 1 : 0);
