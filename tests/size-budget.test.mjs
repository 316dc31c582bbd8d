// The built .wasm is what every page downloads and every worker loads: its size is deterministic
// for a given source and toolchain, so a budget can be a test (speed lives in a benchmark).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const wasm = readFileSync(new URL('../dist/aliyun_caster_bg.wasm', import.meta.url));

// Measured at 158 KB raw, 65 KB gzip -9: signature v1 with validation was 126 KB / 52.6 KB,
// signature V3 (SHA-256, HMAC-SHA-256, canonical headers) added 19 KB / 7.5 KB, and the server's
// V3 check (the Authorization header's parser, the header rules, verifySignatureV3) 13 KB / 5 KB.
// The budget leaves room for small changes and catches the large ones, such as float formatting
// slipping in (that once made it 158 KB, 74 KB gzip, before V3) or SHA-256's unrolled rounds (6 KB).
const RAW_BUDGET = 158 * 1024;
const GZIP_BUDGET = 66 * 1024;

test(`the optimised .wasm fits ${RAW_BUDGET} bytes raw and ${GZIP_BUDGET} bytes gzip -9`, () => {
  const gzipped = gzipSync(wasm, { level: 9 }).length;
  assert.ok(wasm.length <= RAW_BUDGET, `raw ${wasm.length} bytes > ${RAW_BUDGET}`);
  assert.ok(gzipped <= GZIP_BUDGET, `gzip ${gzipped} bytes > ${GZIP_BUDGET}`);
});

test('the .wasm is stripped: no debug sections, no names, no producers', () => {
  const names = WebAssembly.Module.customSections(new WebAssembly.Module(wasm), 'name');
  assert.equal(names.length, 0, 'a name section is present');
  for (const section of ['producers', '.debug_info', '.debug_str', '.debug_line']) {
    assert.equal(WebAssembly.Module.customSections(new WebAssembly.Module(wasm), section).length, 0, section);
  }
});
