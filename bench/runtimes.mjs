// Start-up where the package runs outside Node, for `npm run bench`: the time from navigation to
// the first signature in Chromium, and a worker's cold start in workerd. Measured and reported,
// never asserted. Each measurement is bounded in count and in time; every server, browser and
// workerd process started here is stopped before the function returns.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

// The page: imports the browser entry, initialises it (fetch + compile + instantiate the .wasm)
// and signs one request; `performance.now()` then is the time since navigation started.
const PAGE = `<!doctype html><meta charset="utf-8"><title>first signature</title>
<script type="module">
import init, { signRequest } from '/dist/browser.js';
try {
  await init();
  const signed = signRequest({
    action: 'StartCasterScene',
    params: { CasterId: 'LIVEPRODUCER_POST-cn-0pp1czt5t02', SceneId: 'a2b8e671-2fe5-4642-a2ec-bf93880e1b2f' },
    accessKeyId: 'LTAI5tBenchmarkAccessKey', accessKeySecret: 'BenchmarkAccessKeySecret0123456',
  });
  window.firstSignature = { ms: performance.now(), ok: signed.signature.length === 28 };
} catch (error) {
  window.firstSignature = { ms: performance.now(), ok: false, error: String(error) };
}
</script>`;

/** A static server on 127.0.0.1 for the page and dist/; resolves to `{ origin, close }`. */
async function staticServer(root) {
  const dist = join(root, 'dist');
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(PAGE);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(dist + sep) || !TYPES[extname(file)]) {
      res.writeHead(404).end();
      return;
    }
    try {
      const bytes = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)], 'cache-control': 'no-store' }).end(bytes);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/**
 * Navigation to the first signature in headless Chromium, `loads` times, each in a fresh browser
 * context (empty HTTP cache); `{ samples }` in ms, or `{ skipped }` with the reason.
 */
export async function browserFirstSignature(root, { loads = 9, executablePath = '/usr/bin/chromium', timeoutMs = 15000 } = {}) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    return { skipped: `playwright-core is not installed (${error.message})` };
  }
  const server = await staticServer(root);
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: timeoutMs });
  } catch (error) {
    await server.close();
    return { skipped: `Chromium could not be started from ${executablePath} (${error.message.split('\n')[0]})` };
  }
  const samples = [];
  try {
    // One load first, untimed: the browser's own start-up work (its first renderer, the disk
    // cache of compiled code being set up) is not the page's.
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(server.origin, { timeout: timeoutMs });
        await page.waitForFunction(() => window.firstSignature !== undefined, null, { timeout: timeoutMs });
        const result = await page.evaluate(() => window.firstSignature);
        if (!result.ok) throw new Error(`the page did not sign: ${result.error ?? 'wrong signature length'}`);
        if (i > 0) samples.push(result.ms);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { samples };
}

/**
 * A worker's cold start in workerd through Miniflare, `starts` times: from `new Miniflare(…)`
 * with worker/index.js to the reply of its first request, one the worker answers itself (a
 * validation error, 400, no upstream). `{ ready, first, total }` arrays of ms, or `{ skipped }`.
 */
export async function workerColdStart(root, { starts = 7 } = {}) {
  let Miniflare;
  try {
    ({ Miniflare } = await import('miniflare'));
  } catch (error) {
    return { skipped: `miniflare is not installed (${error.message})` };
  }
  const { WORKER } = await import(join(root, 'tests/support/worker.mjs'));
  const token = 'bench-proxy-token-0123456789abcdef';
  const ready = [];
  const first = [];
  const total = [];
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const mf = new Miniflare({
      ...WORKER,
      bindings: { PROXY_TOKEN: token, ACCESS_KEY_ID: 'LTAI5tBenchmarkAccessKey', ACCESS_KEY_SECRET: 'BenchmarkAccessKeySecret0123456' },
    });
    try {
      await mf.ready;
      const t1 = performance.now();
      const res = await mf.dispatchFetch('http://worker/v1/StartCasterScene', {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
      });
      const body = await res.json();
      const t2 = performance.now();
      if (res.status !== 400 || body.Code !== 'MissingParameter') {
        throw new Error(`the worker answered ${res.status} ${JSON.stringify(body)}, not a 400 MissingParameter`);
      }
      ready.push(t1 - t0);
      first.push(t2 - t1);
      total.push(t2 - t0);
    } finally {
      await mf.dispose();
    }
  }
  return { ready, first, total };
}
