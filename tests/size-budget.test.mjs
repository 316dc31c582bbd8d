// The built .wasm is what every page downloads and every worker loads: its size is deterministic
// for a given source and toolchain, so a budget can be a test (speed lives in a benchmark).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const wasm = readFileSync(new URL('../dist/aliyun_caster_bg.wasm', import.meta.url));

// Measured at 118 KB raw, 51 KB gzip -9. The budget leaves room for small changes and catches
// the large ones, such as float formatting slipping in (that once made it 158 KB, 74 KB gzip).
const RAW_BUDGET = 128 * 1024;
const GZIP_BUDGET = 54 * 1024;

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
