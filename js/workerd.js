// workerd (Cloudflare Workers): the .wasm is imported as a module, never compiled from bytes at run
// time, so the module is ready right after import; `await init()` is harmless.
import wasmModule from './aliyun_caster_bg.wasm';
import { checkConfig, initSync, signRequest, validateParams } from './aliyun_caster.js';
import { defineCasterClient, operationSigners, readyCore } from './client.js';

initSync({ module: wasmModule });

export { checkConfig, signRequest, validateParams };
export { CasterError } from './caster-error.js';

export const CasterClient = defineCasterClient(readyCore(signRequest, validateParams, checkConfig));

// One signer per operation (startCasterScene, addCasterVideoResource, …): the build writes the
// names of the core's operation table here (scripts/build.mjs).
export const {} = operationSigners(signRequest);
export { OPERATIONS } from './operations.js';

/** Nothing to do in workerd: kept so that code written for every runtime can call it. */
export default async function init() {}
