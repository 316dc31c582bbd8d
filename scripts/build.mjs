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
const cargoOut = join(root, 'target/wasm32-unknown-unknown/release/aliyun_caster.wasm');
// Two builds of the crate: the signer for every runtime (dist/), and the same with the server-side
// exports (the `server` feature: request parsing and signature verification) for Node servers
// such as the emulator (dist/server/). Cargo keeps both feature sets compiled; each build's
// output is copied aside because both land on the same path.
const builds = [
  { features: ['--no-default-features'], wasm: join(root, 'target/caster/aliyun_caster.wasm'), out: dist },
  { features: ['--no-default-features', '--features', 'server'], wasm: join(root, 'target/caster/aliyun_caster_server.wasm'), out: join(dist, 'server') },
];
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

// cargo runs with --quiet: a first build says what the pause is and how long it usually lasts.
if (!builds.every((build) => existsSync(build.wasm))) {
  console.log('build: compiling the Rust core for wasm32 in release mode, twice: the signer and the server build ' +
    '(about 45 s to 2 minutes the first time; seconds after a change)');
}
mkdirSync(join(root, 'target/caster'), { recursive: true });
for (const build of builds) {
  run('cargo', ['build', '--quiet', '--release', '--lib', '--target', 'wasm32-unknown-unknown', ...build.features], 'cargo build');
  copyFileSync(cargoOut, build.wasm);
}

const entrySources = readdirSync(join(root, 'js')).sort().map((name) => join(root, 'js', name));
const stampFile = join(dist, '.build-stamp');
// The operation table (see writeOperations) is part of what the stamp covers: its documentation
// is in neither .wasm.
const tableJson = run('cargo', ['run', '--quiet', '--bin', 'operation_table'], 'the operation table').stdout.trim();
const stamp = hashFiles([...builds.map((build) => build.wasm), ...entrySources, fileURLToPath(import.meta.url)])
  + createHash('sha256').update(tableJson).digest('hex');
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

console.log('build: wasm-bindgen, wasm-opt and entries → dist/');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const wasmOpt = join(root, 'node_modules/binaryen/bin/wasm-opt');
for (const build of builds) {
  mkdirSync(build.out, { recursive: true });
  run('wasm-bindgen', [build.wasm, '--out-dir', build.out, '--target', 'web', '--no-typescript', '--out-name', 'aliyun_caster'], 'wasm-bindgen');
  const wasmOut = join(build.out, 'aliyun_caster_bg.wasm');
  // Cargo leaves the target-features section in (no `strip`), so wasm-bindgen and wasm-opt both
  // know which wasm features are in use; wasm-opt strips debug info and names last.
  run(process.execPath, [wasmOpt, '-O3', '--strip-debug', '--strip-producers', wasmOut, '-o', wasmOut], 'wasm-opt');
}

// The glue looks up TextEncoder's encodeInto and TextDecoder's decode when it calls them, so a page
// that replaced them broke every export (see js/boundary.js, textCoders). It is rewritten to take
// both from the snippet instead; the build fails if the glue no longer has the expected shape, and
// if any use of TextEncoder or TextDecoder is left.
const CODERS_FROM = "let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });";
const CODERS_TO_END = `if (!('encodeInto' in cachedTextEncoder)) {`;
const CODERS = `const cachedTextEncoder = textCoders.encoder;

function decodeText(bytes) {
    return textCoders.decode(bytes);
}
`;

function useOwnTextCoders(file) {
  let glue = readFileSync(file, 'utf8');
  const snippet = /^import \{[^}]*\} from '(\.\/snippets\/[^']+\/js\/boundary\.js)';$/m.exec(glue)?.[1];
  const from = glue.indexOf(CODERS_FROM);
  const polyfill = glue.indexOf(CODERS_TO_END, from);
  const to = glue.indexOf('\n}\n', polyfill);
  if (!snippet || from < 0 || polyfill < 0 || to < 0 || glue.indexOf(CODERS_FROM, from + 1) >= 0) {
    console.error(`build: ${relative(root, file)} does not have the text coders this build replaces; see scripts/build.mjs`);
    process.exit(1);
  }
  glue = `import { textCoders } from '${snippet}';\n${glue.slice(0, from)}${CODERS}${glue.slice(to + 3)}`;
  if (/\bText(En|De)coder\b/.test(glue)) {
    console.error(`build: ${relative(root, file)} still uses TextEncoder or TextDecoder after its text coders were replaced`);
    process.exit(1);
  }
  writeFileSync(file, glue);
}

for (const build of builds) useOwnTextCoders(join(build.out, 'aliyun_caster.js'));

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
writeOperations(tableJson);
writeFileSync(stampFile, stamp);

// The core owns what an operation is (src/operations/): its table crosses to JS once, here, as
// the JSON `table_json()` writes (src/bin/operation_table.rs), into dist/operations.js, which the
// client, the worker, the emulator and the page read; neither .wasm carries it. Each entry's
// per-operation signers (startCasterScene, …) are exported under names the build writes into the
// entry's `export const { } = operationSigners(…)` line: ESM export names are static.
function writeOperations(json) {
  const table = JSON.parse(json);
  writeFileSync(join(dist, 'operations.js'), `// Generated by scripts/build.mjs from the core's operation table (src/operations/); do not edit.
function freeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) freeze(item);
    Object.freeze(value);
  }
  return value;
}

/** Every operation: name, summary, idempotent, qps, params, reply and codes. */
export const OPERATIONS = freeze(JSON.parse(${JSON.stringify(json)}));
`);
  const names = table.map((operation) => operation.name[0].toLowerCase() + operation.name.slice(1)).join(', ');
  for (const entry of ['node.mjs', 'browser.js', 'workerd.js', 'server.mjs']) {
    const file = join(dist, entry);
    const text = readFileSync(file, 'utf8');
    const marker = 'export const {} = operationSigners(';
    if (text.split(marker).length !== 2) {
      console.error(`build: ${entry} needs exactly one \`${marker}…)\` line for the per-operation signers`);
      process.exit(1);
    }
    writeFileSync(file, text.replace(marker, `export const { ${names} } = operationSigners(`));
  }
}
