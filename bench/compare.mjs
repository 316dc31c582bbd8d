// `node bench/compare.mjs <dist A> <dist B> [seconds]`: signRequest of two builds side by side in
// one process (AddCasterVideoResource v1 POST, fixed timestamp and nonce; then the default
// timestamp and nonce; then V3), in interleaved rounds; prints the median of per-round ratios
// A ÷ B (above 1× = B faster) and their quartiles. The results are checked equal first.
import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dirA, dirB, seconds = '6'] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node bench/compare.mjs <dist A> <dist B> [seconds per case]');
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, 'node.mjs')).href);
const [a, b] = [await load(dirA), await load(dirB)];

const request = {
  action: 'AddCasterVideoResource',
  params: {
    CasterId: 'LIVEPRODUCER_POST-cn-0pp1czt5t02', ResourceName: 'Opening clip', LocationId: 'RV01',
    VodUrl: 'https://cdn.example.com/vod/Opening_(1)*.mp4?auth_key=1767225600-0-0-a1b2!c~d',
    BeginOffset: 1000, EndOffset: -2000, RepeatNum: 2, PtsCallbackInterval: 1000, FixedDelayDuration: 500, RegionId: 'cn-shanghai',
  },
  accessKeyId: 'LTAI5tBenchmarkAccessKey', accessKeySecret: 'BenchmarkAccessKeySecret0123456', method: 'POST',
};
const fixed = { ...request, timestamp: '2026-01-01T00:00:00Z', nonce: '3f2b9c1e-8a4d-4e6b-9f0a-1c2d3e4f5a6b' };
const cases = [
  ['v1, fixed timestamp + nonce', fixed],
  ['v1, default timestamp + nonce', request],
  ['V3, fixed timestamp + nonce', { ...fixed, signatureAlgorithm: 'v3' }],
];
for (const [name, input] of cases) {
  if (name.includes('fixed') && !isDeepStrictEqual(a.signRequest(input), b.signRequest(input))) {
    console.error(`${name}: the two builds sign differently`);
    process.exit(1);
  }
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const now = () => Number(process.hrtime.bigint()) / 1e6;
const loop = (sign, input, n) => {
  let sink = 0;
  for (let i = 0; i < n; i++) sink ^= sign(input).signature.length;
  return sink;
};
const median = (v) => { const s = [...v].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ROUND_MS = 100;
for (const [name, input] of cases) {
  const ratios = [];
  let n = 200;
  for (let w = 0; w < 5; w++) { loop(a.signRequest, input, n); loop(b.signRequest, input, n); }
  const t = now(); loop(a.signRequest, input, n); n = Math.max(50, Math.round((n * ROUND_MS) / (now() - t)));
  const end = now() + Number(seconds) * 1000;
  const us = { a: [], b: [] };
  for (let round = 0; now() < end && round < 1000; round++) {
    const order = round % 2 ? ['a', 'b'] : ['b', 'a'];
    const took = {};
    for (const k of order) {
      gc();
      const t0 = now();
      loop(k === 'a' ? a.signRequest : b.signRequest, input, n);
      took[k] = ((now() - t0) * 1000) / n;
      us[k].push(took[k]);
    }
    ratios.push(took.a / took.b);
  }
  const s = [...ratios].sort((x, y) => x - y);
  const q = (p) => s[Math.round(p * (s.length - 1))];
  console.log(`${name}: B is ${median(ratios).toFixed(3)}× A (quartiles ${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}, ${ratios.length} rounds; ` +
    `A ${median(us.a).toFixed(2)} µs, B ${median(us.b).toFixed(2)} µs)`);
}
