// The edge worker (worker/index.js) as Miniflare runs it in the tests: the same module rules as
// worker/wrangler.toml (the package's .wasm imported as a compiled module).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Miniflare worker options for worker/index.js; add `bindings` (and `name`, `routes`). */
export const WORKER = Object.freeze({
  modules: true,
  modulesRoot: ROOT,
  scriptPath: join(ROOT, 'worker/index.js'),
  modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01',
});
