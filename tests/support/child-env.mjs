// The environment for the child processes a test starts (npm, node, vite, wrangler).

/**
 * This process's environment without what could steer a child: npm_* variables (from `npm test`,
 * which could redirect npm), the test runner's context and NODE_OPTIONS; colour off; `extra` on top.
 */
export function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'NODE_TEST_CONTEXT' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}
