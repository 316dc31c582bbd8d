// Node (ESM): the module is ready as soon as it is imported; `await init()` is harmless.
import { readFileSync } from 'node:fs';
import { checkConfig, initSync, signRequest, validateParams } from './aliyun_caster.js';
import { defineCasterClient, operationSigners, readyCore } from './client.js';

initSync({ module: readFileSync(new URL('./aliyun_caster_bg.wasm', import.meta.url)) });

export { checkConfig, signRequest, validateParams };
export { CasterError } from './caster-error.js';

export const CasterClient = defineCasterClient(readyCore(signRequest, validateParams, checkConfig));

// One signer per operation (startCasterScene, addCasterVideoResource, …): the build writes the
// names of the core's operation table here (scripts/build.mjs).
export const {} = operationSigners(signRequest);
export { OPERATIONS } from './operations.js';

/** Nothing to do in Node: kept so that code written for every runtime can call it. */
export default async function init() {}
