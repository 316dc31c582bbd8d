// Node (ESM): the module is ready as soon as it is imported; `await init()` is harmless.
import { readFileSync } from 'node:fs';
import { initSync } from './aliyun_caster.js';

initSync({ module: readFileSync(new URL('./aliyun_caster_bg.wasm', import.meta.url)) });

export { signRequest, validateParams } from './aliyun_caster.js';
export { CasterError } from './caster-error.js';

/** Nothing to do in Node: kept so that code written for every runtime can call it. */
export default async function init() {}
