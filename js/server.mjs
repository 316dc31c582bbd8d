// Node, for servers that receive signed requests (the emulator, proxies): everything of the Node
// entry, plus reading a request's parameters and checking its v1 or V3 signature with the same core.
// It runs the server build of the core (dist/server/), which carries those exports; the Node
// entry's build leaves them out, so pages and workers never download them. One build is loaded
// either way, and CasterError is the same class as the Node entry's (see js/boundary.js).
import { readFileSync } from 'node:fs';
import { checkConfig, initSync, signRequest, validateParams } from './server/aliyun_caster.js';
import { defineCasterClient, operationSigners, readyCore } from './client.js';

initSync({ module: readFileSync(new URL('./server/aliyun_caster_bg.wasm', import.meta.url)) });

export { checkConfig, signRequest, validateParams };
export { CasterError } from './caster-error.js';
export { parseAuthorization, parseRequestParams, parseTimestamp, verifySignature, verifySignatureV3 } from './server/aliyun_caster.js';

export const CasterClient = defineCasterClient(readyCore(signRequest, validateParams, checkConfig));

// One signer per operation (startCasterScene, addCasterVideoResource, …): the build writes the
// names of the core's operation table here (scripts/build.mjs).
export const {} = operationSigners(signRequest);
export { OPERATIONS } from './operations.js';

/** Nothing to do in Node: kept so that code written for every runtime can call it. */
export default async function init() {}
