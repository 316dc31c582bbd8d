// Builds the package's runtime files into dist/: release wasm → wasm-bindgen (web target, the one
// glue every runtime can load) → wasm-opt (the npm binaryen build) → the per-runtime entries.
// Quiet and quick when nothing changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const wasmIn = join(root, 'target/wasm32-unknown-unknown/release/aliyun_caster.wasm');
const env = { ...process.env, PATH: `${join(homedir(), '.cargo/bin')}:${process.env.PATH}` };


function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(`build: ${what} failed${result.error ? `: ${result.error.message}` : ''}`);
    process.exit(1);
  }
  return result;
}

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

run('cargo', ['build', '--quiet', '--release', '--lib', '--target', 'wasm32-unknown-unknown'], 'cargo build');

const entrySources = readdirSync(join(root, 'js')).sort().map((name) => join(root, 'js', name));
const stampFile = join(dist, '.build-stamp');
const stamp = hashFiles([wasmIn, ...entrySources, fileURLToPath(import.meta.url)]);
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

console.log('build: wasm-bindgen, wasm-opt and entries → dist/');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
run('wasm-bindgen', [wasmIn, '--out-dir', dist, '--target', 'web', '--no-typescript'], 'wasm-bindgen');

const wasmOut = join(dist, 'aliyun_caster_bg.wasm');
const wasmOpt = join(root, 'node_modules/binaryen/bin/wasm-opt');
// Cargo leaves the target-features section in (no `strip`), so wasm-bindgen and wasm-opt both
// know which wasm features are in use; wasm-opt strips debug info and names last.
run(process.execPath, [wasmOpt, '-O3', '--strip-debug', '--strip-producers', wasmOut, '-o', wasmOut], 'wasm-opt');

// The CasterError class lives in the glue's snippet copy of js/boundary.js; every entry must
// hand out that same class so `instanceof` holds for errors thrown from wasm.
const snippets = join(dist, 'snippets');
const snippetDir = readdirSync(snippets).find((name) => existsSync(join(snippets, name, 'js/boundary.js')));
if (!snippetDir) {
  console.error('build: wasm-bindgen did not emit the js/boundary.js snippet');
  process.exit(1);
}
const boundary = relative(dist, join(snippets, snippetDir, 'js/boundary.js'));
writeFileSync(join(dist, 'caster-error.js'), `export { CasterError } from './${boundary}';\n`);
for (const source of entrySources) {
  if (!source.endsWith('boundary.js')) copyFileSync(source, join(dist, source.split('/').pop()));
}
writeFileSync(stampFile, stamp);
