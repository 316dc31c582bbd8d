// Child process of bench/run.mjs: module init alone. Loads only the wasm-bindgen glue (and the
// snippet it imports), reads the .wasm and calls the glue's initSync, which does
// `new WebAssembly.Module(bytes)` + `new WebAssembly.Instance(module, imports)`. Prints the
// in-process initSync time in nanoseconds, so the parent can report it next to the wall time.
import { readFileSync } from 'node:fs';
import { initSync } from '../dist/aliyun_caster.js';

const bytes = readFileSync(new URL('../dist/aliyun_caster_bg.wasm', import.meta.url));
const start = process.hrtime.bigint();
initSync({ module: bytes });
process.stdout.write(String(process.hrtime.bigint() - start));
