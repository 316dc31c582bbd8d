// Browsers: `await init()` (the default export) fetches and instantiates the .wasm once; later
// calls return at once. Calling an operation before it is ready throws a CasterError.
import wasmInit, * as glue from './aliyun_caster.js';
import { CasterError } from './caster-error.js';

let ready = false;

/** @param {{ module_or_path?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }} [options] */
export default async function init(options) {
  if (!ready) {
    await wasmInit(options);
    ready = true;
  }
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

export { CasterError };
