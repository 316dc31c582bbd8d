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

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The environment for child processes: nothing from `npm test` or the test runner that could steer them. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'NODE_TEST_CONTEXT' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

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
