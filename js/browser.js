// Browsers: `await init()` (the default export) fetches and instantiates the .wasm once; later
// calls return at once. signRequest and validateParams before it throw a CasterError;
// CasterClient's methods are asynchronous and initialise by themselves.
import wasmInit, * as glue from './aliyun_caster.js';
import { CasterError } from './caster-error.js';
import { defineCasterClient, operationSigners } from './client.js';

let ready = false;
let loading;

/** @param {{ module_or_path?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }} [options] */
export default function init(options) {
  loading ??= wasmInit(options).then(
    () => { ready = true; },
    (error) => {
      loading = undefined;
      throw new CasterError({
        code: 'InitFailed', kind: 'config', cause: error,
        message: 'the aliyun-caster .wasm could not be loaded; check that it is served (application/wasm) next to the module',
      });
    },
  );
  return loading;
}

function requireReady() {
  if (!ready) {
    throw new CasterError({
      code: 'NotInitialized',
      kind: 'config',
      message: 'call `await init()` (the default export) once before using aliyun-caster in a browser',
    });
  }
}

export function signRequest(request) {
  requireReady();
  return glue.signRequest(request);
}

export function validateParams(action, params) {
  requireReady();
  return glue.validateParams(action, params);
}

export function checkConfig(options) {
  requireReady();
  return glue.checkConfig(options);
}

export const CasterClient = defineCasterClient({
  signRequest: glue.signRequest,
  validateParams: glue.validateParams,
  checkConfig: glue.checkConfig,
  isReady: () => ready,
  ready: () => init(),
});

// One signer per operation (startCasterScene, addCasterVideoResource, …), each throwing
// NotInitialized before `init()` as signRequest does: the build writes the names of the core's
// operation table here (scripts/build.mjs).
export const {} = operationSigners(signRequest);
export { OPERATIONS } from './operations.js';

export { CasterError };
