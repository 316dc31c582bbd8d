// `npm run bench`: aliyun-caster's signRequest against @alicloud/pop-core's own signing code, a
// hand-written node:crypto signer and WebCrypto, side by side in one process; then the .wasm and
// JS sizes and the start-up cost, each measured here and printed as markdown.
//
// Exits non-zero when the implementations disagree on a signature (checked before any timing);
// the targets at the end are reported, never enforced.
import { spawnSync } from 'node:child_process';
import { createHmac, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

import { signRequest } from 'aliyun-caster';

import { browserFirstSignature, workerColdStart } from './runtimes.mjs';

const require = createRequire(import.meta.url);
const { popCoreSign, popCoreVersion } = require('./pop-core-sign.cjs');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const WARMUP_MS = 300; // per variant, before the first timed round
// Timed rounds per variant, interleaved across variants; the median is reported. Many short rounds
// rather than a few long ones: on small VMs the speed of allocation-heavy code drifts in phases of
// a few seconds, and more rounds spread every variant evenly over those phases.
const ROUND_MS = 150; // target length of one timed round
const ROUNDS = 15;
const PROCESSES = 20; // fresh processes per start-up measurement
const PAGE_LOADS = 9; // fresh Chromium page loads (each in a new browser context)
const WORKER_STARTS = 7; // fresh workerd processes

// ─── Inputs ─────────────────────────────────────────────────────────────────────────────────────

const TIMESTAMP = '2026-01-01T00:00:00Z';
const NONCE = '3f2b9c1e-8a4d-4e6b-9f0a-1c2d3e4f5a6b';
const accessKeyId = 'LTAI5tBenchmarkAccessKey';
const accessKeySecret = 'BenchmarkAccessKeySecret0123456';

const operations = [
  {
    action: 'AddCasterVideoResource',
    // 10 parameters: a VodUrl source with offsets. The URL has characters that must be escaped.
    params: {
      CasterId: 'LIVEPRODUCER_POST-cn-0pp1czt5t02',
      ResourceName: 'Opening clip',
      LocationId: 'RV01',
      VodUrl: 'https://cdn.example.com/vod/Opening_(1)*.mp4?auth_key=1767225600-0-0-a1b2!c~d',
      BeginOffset: 1000,
      EndOffset: -2000,
      RepeatNum: 2,
      PtsCallbackInterval: 1000,
      FixedDelayDuration: 500,
      RegionId: 'cn-shanghai',
    },
  },
  {
    action: 'StartCasterScene',
    params: {
      CasterId: 'LIVEPRODUCER_POST-cn-0pp1czt5t02',
      SceneId: 'a2b8e671-2fe5-4642-a2ec-bf93880e1b2f',
      RegionId: 'cn-shanghai',
    },
  },
];

function signInput(op, method, fixed = true) {
  return {
    action: op.action,
    params: op.params,
    accessKeyId,
    accessKeySecret,
    method,
    ...(fixed ? { timestamp: TIMESTAMP, nonce: NONCE } : {}),
  };
}

// The complete parameter set every other implementation signs: our signRequest's `params`
// without Signature, so all of them sign the identical set.
function fullParams(op, method) {
  const { Signature, ...rest } = signRequest(signInput(op, method)).params;
  return rest;
}

// ─── The hand-written signers ───────────────────────────────────────────────────────────────────

// RFC 3986 percent-encoding, as Alibaba Cloud's RPC signature wants it.
const percent = (text) => encodeURIComponent(text)
  .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(params) {
  const keys = Object.keys(params).sort();
  let query = '';
  for (let i = 0; i < keys.length; i++) {
    if (i) query += '&';
    query += `${percent(keys[i])}=${percent(params[keys[i]])}`;
  }
  return query;
}

function nodeCryptoSign(method, params, secret) {
  const query = canonicalQuery(params);
  const stringToSign = `${method}&%2F&${percent(query)}`;
  const signature = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  return { stringToSign, signature, body: `${query}&Signature=${percent(signature)}` };
}

const utf8 = new TextEncoder();
async function webCryptoSigner(secret) {
  // importKey once; each operation then only canonicalizes and calls sign().
  const key = await webcrypto.subtle.importKey(
    'raw', utf8.encode(`${secret}&`), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign'],
  );
  return async (method, params) => {
    const query = canonicalQuery(params);
    const stringToSign = `${method}&%2F&${percent(query)}`;
    const mac = await webcrypto.subtle.sign('HMAC', key, utf8.encode(stringToSign));
    const signature = Buffer.from(mac).toString('base64');
    return { stringToSign, signature, body: `${query}&Signature=${percent(signature)}` };
  };
}
const webCryptoSign = await webCryptoSigner(accessKeySecret);

// ─── Correctness first: every implementation must agree, for both operations and methods ────────

const failures = [];
function expectEqual(what, actual, expected) {
  if (actual !== expected) failures.push(`${what}:\n    got      ${actual}\n    expected ${expected}`);
}

for (const op of operations) {
  for (const method of ['POST', 'GET']) {
    const ours = signRequest(signInput(op, method));
    const params = fullParams(op, method);
    const pop = popCoreSign(method, params, accessKeySecret);
    const hand = nodeCryptoSign(method, params, accessKeySecret);
    const web = await webCryptoSign(method, params);
    const where = `${op.action} ${method}`;
    expectEqual(`${where}: pop-core string to sign`, ours.stringToSign, pop.stringToSign);
    expectEqual(`${where}: pop-core signature`, ours.signature, pop.signature);
    expectEqual(`${where}: node:crypto signature`, hand.signature, pop.signature);
    expectEqual(`${where}: WebCrypto signature`, web.signature, pop.signature);
    expectEqual(`${where}: node:crypto body`, hand.body, pop.body);
    expectEqual(`${where}: WebCrypto body`, web.body, pop.body);
    if (method === 'POST') expectEqual(`${where}: body`, ours.body, pop.body);
    else expectEqual(`${where}: URL`, ours.url, `https://live.aliyuncs.com/?${pop.body}`);

    // The default variant (fresh timestamp and nonce per call) must sign correctly too.
    const fresh = signRequest(signInput(op, method, false));
    const { Signature, ...freshParams } = fresh.params;
    expectEqual(`${where} (default timestamp+nonce): pop-core signature`,
      fresh.signature, popCoreSign(method, freshParams, accessKeySecret).signature);
  }
}
if (failures.length) {
  console.error(`SIGNATURE MISMATCH — nothing timed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}

// ─── Throughput ─────────────────────────────────────────────────────────────────────────────────

// Each variant gets its own freshly compiled loop (new Function), so that no loop's call site
// becomes polymorphic across variants and penalises whichever variant happens to run later.
function makeLoop(isAsync) {
  return isAsync
    ? new Function('fn', 'n', `return (async () => {
        let sink = 0;
        for (let i = 0; i < n; i++) sink ^= (await fn()).signature.length;
        return sink;
      })();`)
    : new Function('fn', 'n', `
        let sink = 0;
        for (let i = 0; i < n; i++) sink ^= fn().signature.length;
        return sink;`);
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

// A full GC before every timed round, so that no round pays for garbage (or, for WebCrypto,
// external ArrayBuffer memory) left by the variant before it. `--expose-gc` set at run time:
// the function is taken from a fresh context, where V8 installs it once the flag is on.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');
let sink = 0;

const variants = [];
for (const op of operations) {
  const fixed = signInput(op, 'POST');
  const fresh = signInput(op, 'POST', false);
  const params = fullParams(op, 'POST');
  variants.push(
    { op, key: 'ours', label: '**aliyun-caster `signRequest`**', fn: () => signRequest(fixed) },
    { op, key: 'pop', label: `@alicloud/pop-core ${popCoreVersion} (its own rpc.js code)`, fn: () => popCoreSign('POST', params, accessKeySecret) },
    { op, key: 'node', label: 'hand-written `node:crypto` signer', fn: () => nodeCryptoSign('POST', params, accessKeySecret) },
    { op, key: 'web', label: 'WebCrypto `crypto.subtle` (async, awaited one at a time)', fn: () => webCryptoSign('POST', params), isAsync: true },
    { op, key: 'oursDefault', label: 'aliyun-caster `signRequest`, default timestamp + nonce', fn: () => signRequest(fresh) },
  );
}

const loadAtStart = loadavg()[0];
const benchStart = now();
for (const v of variants) {
  v.loop = makeLoop(v.isAsync);
  // Warm-up: batches that double until one takes ≥ 20 ms, for WARMUP_MS in all; the last batch
  // sets how many operations make a ROUND_MS round.
  let n = 8;
  let perOp;
  const start = now();
  for (;;) {
    const t = now();
    sink ^= await v.loop(v.fn, n);
    const dt = now() - t;
    perOp = dt / n;
    if (now() - start >= WARMUP_MS) break;
    if (dt < 20) n *= 2;
  }
  v.n = Math.max(1, Math.round(ROUND_MS / perOp));
  v.samples = [];
}
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, and rotated each round, so that drift (thermal, noisy neighbours) and GC left
  // over by the previous variant spread evenly instead of landing on one variant.
  for (let i = 0; i < variants.length; i++) {
    const v = variants[(i + round) % variants.length];
    collectGarbage();
    const t = now();
    sink ^= await v.loop(v.fn, v.n);
    v.samples.push(((now() - t) * 1000) / v.n); // µs/op
  }
}
const throughputSeconds = (now() - benchStart) / 1000;

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
for (const v of variants) v.us = median(v.samples);
// How many times faster `v` is than `base`: the median over rounds of base's round ÷ v's round.
// The two ran seconds apart in the same round, so a slow phase of the machine (this one's speed
// jumps by up to 1.6× for seconds at a time) slows both and cancels out of each ratio.
const pairedRatio = (base, v) => median(base.samples.map((us, round) => us / v.samples[round]));
const find = (action, key) => variants.find((v) => v.op.action === action && v.key === key);

// ─── Sizes ──────────────────────────────────────────────────────────────────────────────────────

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli11 = (bytes) => brotliCompressSync(bytes, {
  params: {
    [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
    [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
  },
}).length;
const sizes = (files) => {
  let raw = 0, gz = 0, br = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gz += gzip9(bytes);
    br += brotli11(bytes);
  }
  return { raw, gz, br };
};

// Every JS file the browser entry loads: follow its relative static imports.
function importGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = /(?:^|[\s;])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
    for (const m of source.matchAll(specifiers)) visit(join(dirname(file), m[1] ?? m[2]));
  };
  visit(entry);
  return [...seen];
}

const wasmFile = join(dist, 'aliyun_caster_bg.wasm');
const glueFile = join(dist, 'aliyun_caster.js');
const browserFiles = importGraph(join(dist, 'browser.js'));
const wasmSize = sizes([wasmFile]);
const serverWasmSize = sizes([join(dist, 'server/aliyun_caster_bg.wasm')]);
const glueSize = sizes([glueFile]);
const browserSize = sizes(browserFiles);

// ─── Start-up: medians of fresh processes, wall time measured here ──────────────────────────────

const startups = [
  { key: 'bare', label: "`node -e ''`", args: ['-e', ''] },
  { key: 'esm', label: "ESM loader alone, for reference: `node -e \"import('data:text/javascript,')\"`", args: ['-e', "import('data:text/javascript,')"] },
  { key: 'init', label: "module init alone: `node -e \"import('./bench/init-only.mjs')\"` (glue + `initSync`: compile + instantiate)", args: ['-e', "import('./bench/init-only.mjs')"], reportsNs: true },
  { key: 'import', label: "`node -e \"import('aliyun-caster')\"` (import + initSync)", args: ['-e', "import('aliyun-caster')"] },
  { key: 'pop', label: "`node -e \"require('@alicloud/pop-core')\"`", args: ['-e', "require('@alicloud/pop-core')"] },
];
function spawnTimed(s) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, s.args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) {
    console.error(`start-up: \`node ${s.args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})\n${r.stderr}`);
    process.exit(1);
  }
  if (s.reportsNs) s.inProcess.push(Number(r.stdout) / 1e6);
  return ms;
}
for (const s of startups) {
  s.samples = [];
  s.inProcess = [];
  spawnTimed(s); // one untimed run each: file-system cache
  s.inProcess.length = 0;
}
for (let i = 0; i < PROCESSES; i++) {
  for (let j = 0; j < startups.length; j++) {
    const s = startups[(i + j) % startups.length];
    s.samples.push(spawnTimed(s));
  }
}
for (const s of startups) s.ms = median(s.samples);
const startup = Object.fromEntries(startups.map((s) => [s.key, s]));
const over = (key) => startup[key].ms - startup.bare.ms;

// ─── Start-up in Chromium and workerd ───────────────────────────────────────────────────────────

const browser = await browserFirstSignature(root, { loads: PAGE_LOADS });
const worker = await workerColdStart(root, { starts: WORKER_STARTS });

// ─── Report ─────────────────────────────────────────────────────────────────────────────────────

const fmtUs = (us) => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));
const fmtOps = (us) => Math.round(1e6 / us).toLocaleString('en-US');
const fmtX = (x) => `${x.toFixed(2)}×`;
const fmtBytes = (n) => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`;
const fmtMs = (ms) => ms.toFixed(1);
const fmtDelta = (ms) => `${ms < 0 ? '−' : '+'}${Math.abs(ms).toFixed(1)} ms`;
const spread = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return `${fmtUs(s[0])}–${fmtUs(s[s.length - 1])}`;
};

const lines = [];
const out = (line = '') => lines.push(line);
const cpu = cpus();
out('## aliyun-caster benchmark');
out();
out(`Node ${process.version} (V8 ${process.versions.v8}), ${process.platform} ${process.arch}, ` +
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}. One process; per variant ${WARMUP_MS} ms of warm-up, ` +
  `then ${ROUNDS} rounds of ~${ROUND_MS} ms interleaved across variants; medians reported ` +
  `(throughput part: ${throughputSeconds.toFixed(1)} s). 1-minute load average at start: ${loadAtStart.toFixed(2)} ` +
  `(anything else running on the ${cpu.length} cores makes every number noisier).`);
out();
out(`### Signing throughput (POST; fixed timestamp \`${TIMESTAMP}\` and nonce unless noted)`);
out();
out('All implementations sign the identical parameter set (checked equal, signature and body, for both operations ' +
  'and POST + GET, before timing). `signRequest` goes through the public JS API, validation included; the others start ' +
  'from the complete parameter set and produce string to sign, signature and form body.');
out();
out('| Operation | Implementation | µs/op (median) | ops/s | min–max µs/op | vs pop-core | vs node:crypto |');
out('|---|---|--:|--:|--:|--:|--:|');
for (const op of operations) {
  const pop = find(op.action, 'pop');
  const hand = find(op.action, 'node');
  for (const v of variants.filter((x) => x.op === op)) {
    out(`| ${op.action} | ${v.label} | ${fmtUs(v.us)} | ${fmtOps(v.us)} | ${spread(v.samples)} | ` +
      `${fmtX(pairedRatio(pop, v))} | ${fmtX(pairedRatio(hand, v))} |`);
  }
}
out();
out('"vs X" = the median over rounds of X\'s µs/op ÷ this row\'s µs/op in the same round (above 1× = faster ' +
  'than X); pairing rounds cancels the machine\'s slow and fast phases, which the medians of the µs/op column do not.');
out();
out('### Sizes');
out();
out('| Artifact | raw | gzip -9 | brotli (quality 11) |');
out('|---|--:|--:|--:|');
out(`| \`dist/aliyun_caster_bg.wasm\` (the signer every runtime loads) | ${fmtBytes(wasmSize.raw)} | ${fmtBytes(wasmSize.gz)} | ${fmtBytes(wasmSize.br)} |`);
out(`| \`dist/server/aliyun_caster_bg.wasm\` (with request verification; Node servers only) | ${fmtBytes(serverWasmSize.raw)} | ` +
  `${fmtBytes(serverWasmSize.gz)} | ${fmtBytes(serverWasmSize.br)} |`);
out(`| JS glue \`dist/aliyun_caster.js\` | ${fmtBytes(glueSize.raw)} | ${fmtBytes(glueSize.gz)} | ${fmtBytes(glueSize.br)} |`);
out(`| browser entry, all JS it loads (${browserFiles.length} files) | ${fmtBytes(browserSize.raw)} | ${fmtBytes(browserSize.gz)} | ${fmtBytes(browserSize.br)} |`);
out();
out(`Browser entry files, each compressed on its own as served: ${browserFiles.map((f) => `\`${relative(root, f)}\``).join(', ')}.`);
out();
out(`### Start-up (median wall time of ${PROCESSES} fresh processes each, measured by the parent)`);
out();
out('| Process | median ms | p25–p75 ms | over bare `node -e \'\'` (difference of medians) |');
out('|---|--:|--:|--:|');
for (const s of startups) {
  const sorted = [...s.samples].sort((a, b) => a - b);
  const quartile = (q) => sorted[Math.round(q * (sorted.length - 1))];
  out(`| ${s.label} | ${fmtMs(s.ms)} | ${fmtMs(quartile(0.25))}–${fmtMs(quartile(0.75))} | ` +
    `${s.key === 'bare' ? '—' : fmtDelta(over(s.key))} |`);
}
const initInProcess = median(startup.init.inProcess);
out();
out(`\`initSync\` alone, timed inside the child (\`new WebAssembly.Module\` + \`new WebAssembly.Instance\` + glue finalize): median ${initInProcess.toFixed(2)} ms.`);
out();

const quartiles = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.round(q * (sorted.length - 1))];
  return `${fmtMs(at(0.25))}–${fmtMs(at(0.75))}`;
};
out('### Start-up in a browser and in workerd (wall time, medians)');
out();
out('| What | median ms | p25–p75 ms |');
out('|---|--:|--:|');
if (browser.skipped) out(`| Chromium: navigation to the first signature | not measured: ${browser.skipped} | |`);
else {
  out(`| Chromium (headless, ${PAGE_LOADS} loads, each in a fresh context): navigation → \`await init()\` → first \`signRequest\` ` +
    `(the page's \`performance.now()\`; page, glue and .wasm from a local server) | ${fmtMs(median(browser.samples))} | ${quartiles(browser.samples)} |`);
}
if (worker.skipped) out(`| workerd: a worker's cold start | not measured: ${worker.skipped} | |`);
else {
  out(`| workerd via Miniflare (${WORKER_STARTS} fresh processes): \`new Miniflare\` with worker/index.js → ready | ${fmtMs(median(worker.ready))} | ${quartiles(worker.ready)} |`);
  out(`| … then its first request, answered by the worker itself (400 MissingParameter: isolate start, module and .wasm load, validation) | ` +
    `${fmtMs(median(worker.first))} | ${quartiles(worker.first)} |`);
  out(`| … the two together: cold start to the first reply | ${fmtMs(median(worker.total))} | ${quartiles(worker.total)} |`);
}
out();

const addOurs = find('AddCasterVideoResource', 'ours');
const addPop = find('AddCasterVideoResource', 'pop');
const addNode = find('AddCasterVideoResource', 'node');
const vsPop = pairedRatio(addPop, addOurs);
const vsNode = pairedRatio(addNode, addOurs);
const WASM_GZIP_LIMIT = 40 * 1024;
const targets = [
  [vsPop >= 3, `\`signRequest\` ≥ 3× pop-core on AddCasterVideoResource: **${fmtX(vsPop)}** ` +
    `(${fmtUs(addOurs.us)} µs/op vs ${fmtUs(addPop.us)} µs/op)`],
  [vsNode >= 1.5, `\`signRequest\` ≥ 1.5× the hand-written \`node:crypto\` signer on AddCasterVideoResource: **${fmtX(vsNode)}** ` +
    `(${fmtUs(addOurs.us)} µs/op vs ${fmtUs(addNode.us)} µs/op)`],
  [wasmSize.gz <= WASM_GZIP_LIMIT, `\`.wasm\` ≤ 40 KiB (${WASM_GZIP_LIMIT.toLocaleString('en-US')} B) gzip -9: **${fmtBytes(wasmSize.gz)}**`],
  [over('import') <= 10, `\`import('aliyun-caster')\` in Node ≤ +10 ms over bare \`node\`: **${fmtDelta(over('import'))}** ` +
    `(glue + \`initSync\` alone: ${fmtDelta(over('init'))}; in-process initSync ${initInProcess.toFixed(2)} ms; ` +
    `Node's ESM loader alone: ${fmtDelta(over('esm'))}; pop-core require: ${fmtDelta(over('pop'))})`],
  [!browser.skipped && !worker.skipped, 'navigation to the first signature in Chromium, and a worker\'s cold start in workerd, measured: ' +
    `**${browser.skipped ? 'Chromium not measured' : `${fmtMs(median(browser.samples))} ms`}** in Chromium, ` +
    `**${worker.skipped ? 'workerd not measured' : `${fmtMs(median(worker.total))} ms`}** in workerd to the first reply`],
];
out('### Targets');
out();
for (const [met, text] of targets) out(`- ${met ? '✅ met' : '❌ not met'} — ${text}`);
out();
out(`${targets.filter(([met]) => met).length} of ${targets.length} targets met (reported, not enforced).`);

console.log(lines.join('\n'));
if (sink === 0.5) console.log(''); // keep `sink` observable
