// The console page (www/) in Debian's Chromium against hostile endpoints: real node:http servers on
// 127.0.0.1, each port another origin, answering with CORS so that the page can see what they send.
// A redirect must take nothing (no request, no preflight, no proxy token) to the server it names,
// and an endless body must be cut off by the page at its cap, in direct mode (CasterClient), in
// proxy mode (the page's own fetch to the worker's URL) and in the emulator state view, which must
// never keep the page from becoming usable. The page is served by the emulator's command line, as
// `npm start` runs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import { spawnCli } from './support/emulator.mjs';
import { launchChromium } from './support/chromium.mjs';

const PROXY_TOKEN = 'proxy-token+hostile/kookaburra==3141';
const MiB = 1024 * 1024;
// What a hostile server sends at most: an endless body stops here, so that a page that does not
// cut it off fails the test instead of hanging it.
const BOUND_BYTES = 64 * MiB;
const BOUND_MS = 20_000;
// The page reads 1 MiB at most; the rest of what the server got rid of before the socket closed
// sits in the kernel's and the browser's buffers (about 16 MiB on loopback). Half the bound.
const MOST_WRITTEN = 32 * MiB;
const MOST_HEAP = 64 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-allow-methods': 'POST, OPTIONS',
};
const REDIRECTS = [301, 302, 303, 307, 308];

let emulator;
let base; // the page's origin: http://127.0.0.1:PORT/
let browser;
const servers = new Set();

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// ---- hostile servers ----------------------------------------------------------------------------

/**
 * A node:http server on 127.0.0.1 that records every request (method, path, headers) and answers
 * with `handle(req, res)`. Closed, with every connection it holds, by `close()` or in `after`.
 */
async function hostileServer(handle) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, path: req.url, headers: req.headers });
    req.resume();
    handle(req, res);
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const close = () => new Promise((resolve) => {
    servers.delete(close);
    server.closeAllConnections();
    server.close(() => resolve());
  });
  servers.add(close);
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close };
}

/** A server that takes whatever is redirected to it, and must never see a request. */
function landingServer() {
  return hostileServer((req, res) => {
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, { ...CORS, 'content-type': 'application/json' });
    res.end(req.method === 'OPTIONS' ? undefined : '{"StreamUrl":"rtmp://landed/","RequestId":"landed"}');
  });
}

/** Answers a CORS preflight as a permissive worker would; true when `req` was one. */
function preflight(req, res) {
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, CORS);
  res.end();
  return true;
}

/** A small API error, as the gateway's, readable by the page. */
function apiError(res) {
  res.writeHead(404, { ...CORS, 'content-type': 'application/json' });
  res.end(JSON.stringify({ RequestId: 'hostile-request', Code: 'InvalidCaster.NotFound', Message: 'no such studio' }));
}

/**
 * Writes an endless body (a JSON string that never ends) as fast as the reader takes it, until
 * the client hangs up, BOUND_BYTES are out (then the body ends) or BOUND_MS pass (then the socket
 * is destroyed). Resolves to what happened: bytes written, whether the client hung up first, ms.
 */
function endless(res) {
  const started = Date.now();
  const outcome = { written: 0, hungUp: false, bounded: false, ms: 0 };
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      outcome.bounded = true;
      res.destroy();
    }, BOUND_MS);
    res.on('close', () => {
      clearTimeout(timer);
      outcome.hungUp ||= !outcome.bounded && !res.writableFinished;
      outcome.ms = Date.now() - started;
      resolve(outcome);
    });
    res.writeHead(200, { ...CORS, 'content-type': 'application/json' });
    res.write('{"Code":"');
    const pump = () => {
      while (!res.destroyed && !outcome.bounded) {
        if (outcome.written >= BOUND_BYTES) {
          outcome.bounded = true;
          res.end('"}');
          return;
        }
        outcome.written += CHUNK.length;
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/**
 * Writes a body that never ends, a byte every 100 ms, until the client hangs up or BOUND_MS pass
 * (then the socket is destroyed). Resolves as `endless` does.
 */
function trickle(res) {
  const started = Date.now();
  const outcome = { written: 0, hungUp: false, bounded: false, ms: 0 };
  return new Promise((resolve) => {
    const drip = setInterval(() => {
      if (Date.now() - started < BOUND_MS) {
        outcome.written += 1;
        res.write(' ');
        return;
      }
      outcome.bounded = true;
      res.destroy();
    }, 100);
    res.on('close', () => {
      clearInterval(drip);
      outcome.hungUp = !outcome.bounded;
      outcome.ms = Date.now() - started;
      resolve(outcome);
    });
    res.writeHead(200, { ...CORS, 'content-type': 'application/json' });
    res.write('{"demoAccessKeyId":"LTAItrickle"');
  });
}

/** Asserts an endless body was cut off by the client, early. */
function assertCutOff(outcome, what) {
  const summary = `${what}: ${(outcome.written / MiB).toFixed(1)} MiB written in ${outcome.ms} ms, `
    + `${outcome.hungUp ? 'then the client hung up' : 'and the client never hung up'}`;
  console.log(summary);
  assert.equal(outcome.hungUp, true, summary);
  assert.ok(outcome.written < MOST_WRITTEN, summary);
}

// ---- the page -----------------------------------------------------------------------------------

/**
 * A fresh page (its own context: the settings it saves stay out of the other tests) on the
 * emulator, ready, with the demo key filled in. `settings` are saved before the page loads, as a
 * earlier visit would have left them.
 */
async function openPage(settings) {
  const context = await browser.newContext();
  if (settings) {
    await context.addInitScript((saved) => {
      localStorage.setItem('aliyun-caster-console', saved);
    }, JSON.stringify(settings));
  }
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(base);
  return { context, page, errors };
}

async function waitReady(page, timeout = 10_000) {
  await page.getByRole('status').filter({ hasText: /^Ready/ }).waitFor({ timeout })
    .catch(async () => { throw new Error(`the page did not get ready; status: ${await page.getByRole('status').textContent()}`); });
}

/** Opens the connection form when it is the one-line summary. */
async function editConnection(page) {
  const edit = page.getByRole('button', { name: 'Edit', exact: true });
  if (await edit.isVisible()) await edit.click();
}

/** Chooses GET or POST, under Advanced. */
async function chooseMethod(page, method) {
  await editConnection(page);
  if (!(await page.locator('#advanced').evaluate((d) => d.open))) await page.locator('#advanced summary').click();
  await page.getByRole('radio', { name: new RegExp(`^${method}`) }).check();
}

/** Points the page at `url` as a user would: type it, leave the field (which reads its state view). */
async function setEndpoint(page, url) {
  await editConnection(page);
  const endpoint = page.getByLabel(/^Endpoint/);
  await endpoint.fill(url);
  await endpoint.press('Tab');
}

/**
 * Clicks Refresh (DescribeCasters: one request) and waits for its entry in the session's log;
 * returns its Code and text.
 */
async function sendStart(page, timeout = BOUND_MS + 10_000) {
  const results = page.getByRole('log').getByRole('listitem');
  const count = await results.count();
  const button = page.getByRole('button', { name: /^Refresh/ });
  assert.equal(await button.isEnabled(), true, 'the Refresh button is enabled');
  const started = Date.now();
  await button.click();
  await results.nth(count).waitFor({ timeout });
  const ms = Date.now() - started;
  // Shortened in the page: a page that took in an endless body may show megabytes of it.
  const entry = await results.first().evaluate((item) => {
    const short = (text) => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text);
    return {
      className: item.className,
      text: short(item.textContent),
      length: item.textContent.length,
      fields: Object.fromEntries([...item.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), short(dt.nextElementSibling?.textContent.trim() ?? '')])),
    };
  });
  return { ...entry, code: entry.fields.Code, ms };
}

/** The page's JS heap in use (CDP's JSHeapUsedSize, no garbage collection forced). */
async function heapUsed(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  } finally {
    await cdp.detach();
  }
}

async function assertSmallHeap(page, what) {
  const used = await heapUsed(page);
  console.log(`${what}: JS heap ${(used / MiB).toFixed(1)} MiB`);
  assert.ok(used < MOST_HEAP, `${what}: the page's JS heap holds ${(used / MiB).toFixed(1)} MiB`);
}

const emulatorTools = (page) => page.locator('#emulator-tools');

/** The emulator tools are hidden: marked so, and not shown (the style sheet must not show them). */
async function assertToolsHidden(page) {
  assert.equal(await emulatorTools(page).getAttribute('hidden'), '', 'the emulator tools are marked hidden');
  assert.equal(await emulatorTools(page).isHidden(), true, 'the emulator tools are not shown');
  assert.equal(await page.getByRole('button', { name: "Use the emulator's demo key" }).isVisible(), false);
}

// ---- set-up -------------------------------------------------------------------------------------

before(async () => {
  const started = await spawnCli();
  emulator = started;
  base = started.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all([...servers].map((close) => close()));
  if (emulator && emulator.child.exitCode === null && emulator.child.signalCode === null) {
    emulator.child.kill('SIGTERM');
    await Promise.race([emulator.exited, sleep(3000)]);
    if (emulator.child.exitCode === null && emulator.child.signalCode === null) emulator.child.kill('SIGKILL');
  }
});

// ---- direct mode: CasterClient in the page --------------------------------------------------------

test('direct mode, v1 POST and GET: a redirect shows Redirected and the server it names receives nothing', { timeout: 90_000 }, async () => {
  const landing = await landingServer();
  let status;
  const endpoint = await hostileServer((req, res) => {
    if (req.url.startsWith('/_emulator/state')) return apiError(res);
    res.writeHead(status, { ...CORS, location: `${landing.url}/landed${req.url}` });
    return res.end();
  });
  const { context, page, errors } = await openPage();
  try {
    await waitReady(page);
    await setEndpoint(page, endpoint.url);
    for (const method of ['POST', 'GET']) {
      await chooseMethod(page, method);
      for (status of REDIRECTS) {
        const before = endpoint.requests.filter((r) => r.path === '/' || r.path.startsWith('/?')).length;
        const shown = await sendStart(page, 15_000);
        assert.equal(shown.code, 'Redirected', `${method} answered ${status}: ${shown.text}`);
        assert.equal(shown.className, 'failure');
        const sent = endpoint.requests.filter((r) => r.path === '/' || r.path.startsWith('/?')).slice(before);
        assert.deepEqual(sent.map((r) => r.method), [method], `${method} answered ${status}: one request, no preflight, no retry`);
      }
    }
    await sleep(300); // anything on its way to the landing server would have arrived by now
    assert.deepEqual(landing.requests.map((r) => `${r.method} ${r.path}`), [], 'requests that reached the server the redirect named');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await endpoint.close();
    await landing.close();
  }
});

test('direct mode: an endless body shows ReplyTooLarge, quickly, and the page hangs up', { timeout: 90_000 }, async () => {
  const outcomes = [];
  const endpoint = await hostileServer((req, res) => {
    if (req.url.startsWith('/_emulator/state')) return apiError(res);
    return outcomes.push(endless(res));
  });
  const { context, page, errors } = await openPage();
  try {
    await waitReady(page);
    await setEndpoint(page, endpoint.url);
    for (const method of ['POST', 'GET']) {
      await chooseMethod(page, method);
      const shown = await sendStart(page);
      console.log(`direct ${method}: ${shown.code} after ${shown.ms} ms`);
      assert.equal(shown.code, 'ReplyTooLarge', shown.text);
      assert.ok(shown.ms < 5000, `ReplyTooLarge after ${shown.ms} ms`);
      assert.equal(outcomes.length, 1, 'one request: a reply too large is not retried');
      assertCutOff(await outcomes.pop(), `direct ${method}`);
    }
    await assertSmallHeap(page, 'direct mode after two endless bodies');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await endpoint.close();
  }
});

// ---- proxy mode: the page's own fetch to the worker's URL ---------------------------------------

/** A page in "Via proxy" mode with its Endpoint at `url` and the proxy token typed in. */
async function proxyPage(url) {
  const opened = await openPage();
  const { page } = opened;
  await waitReady(page);
  await editConnection(page);
  await page.locator('#advanced summary').click();
  await page.getByRole('radio', { name: /Via proxy/ }).check();
  await setEndpoint(page, url);
  await page.getByLabel(/^Proxy token/).fill(PROXY_TOKEN);
  return opened;
}

test('proxy mode: a redirect from the worker\'s URL shows Redirected and the proxy token goes nowhere else', { timeout: 90_000 }, async () => {
  const landing = await landingServer();
  let status;
  const worker = await hostileServer((req, res) => {
    if (preflight(req, res)) return undefined;
    if (req.url.startsWith('/_emulator/state')) return apiError(res);
    res.writeHead(status, { ...CORS, location: `${landing.url}/steal${req.url}` });
    return res.end();
  });
  const { context, page, errors } = await proxyPage(worker.url);
  try {
    for (status of REDIRECTS) {
      const before = worker.requests.filter((r) => r.method === 'POST').length;
      const shown = await sendStart(page, 15_000);
      assert.equal(shown.code, 'Redirected', `the worker's URL answered ${status}: ${shown.text}`);
      assert.ok(!shown.text.includes(PROXY_TOKEN), 'the results show the proxy token');
      const posts = worker.requests.filter((r) => r.method === 'POST').slice(before);
      assert.deepEqual(posts.map((r) => [r.path, r.headers.authorization]), [['/v1/DescribeCasters', `Bearer ${PROXY_TOKEN}`]],
        'the token went to the worker\'s URL, once');
    }
    await sleep(300);
    assert.deepEqual(landing.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization ?? ''}`), [],
      'requests that reached the server the redirect named');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await worker.close();
    await landing.close();
  }
});

test('proxy mode: an endless body from the worker\'s URL shows ReplyTooLarge, quickly, and the page hangs up', { timeout: 90_000 }, async () => {
  const outcomes = [];
  const worker = await hostileServer((req, res) => {
    if (preflight(req, res)) return undefined;
    if (req.url.startsWith('/_emulator/state')) return apiError(res);
    return outcomes.push(endless(res));
  });
  const { context, page, errors } = await proxyPage(worker.url);
  try {
    const shown = await sendStart(page);
    console.log(`proxy: ${shown.code} after ${shown.ms} ms`);
    assert.equal(shown.code, 'ReplyTooLarge', shown.text);
    assert.equal(shown.className, 'failure');
    assert.ok(shown.ms < 5000, `ReplyTooLarge after ${shown.ms} ms`);
    assert.equal(outcomes.length, 1);
    assertCutOff(await outcomes.pop(), 'proxy');
    await assertSmallHeap(page, 'proxy mode after an endless body');
    // The page stays usable: the button is back, and a second send is answered the same way.
    const again = await sendStart(page);
    assert.equal(again.code, 'ReplyTooLarge', again.text);
    assertCutOff(await outcomes.pop(), 'proxy, again');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await worker.close();
  }
});

// ---- the emulator state view --------------------------------------------------------------------

test('state view: an endless /_emulator/state at load neither hangs nor fills the page; the tools stay hidden', { timeout: 90_000 }, async () => {
  const outcomes = [];
  const endpoint = await hostileServer((req, res) => {
    if (req.url.startsWith('/_emulator/state')) return outcomes.push(endless(res));
    return apiError(res);
  });
  // A page whose saved Endpoint is the hostile server: it reads that state view before it is ready.
  const { context, page, errors } = await openPage({ mode: 'direct', endpoint: endpoint.url, accessKeyId: 'LTAIhostileStateView' });
  try {
    const started = Date.now();
    await waitReady(page, BOUND_MS + 10_000);
    const readyMs = Date.now() - started;
    console.log(`state view at load: ready after ${readyMs} ms`);
    assert.equal(outcomes.length, 1, 'the page asked the saved endpoint for its state view');
    assertCutOff(await outcomes.pop(), 'state view at load');
    assert.ok(readyMs < 5000, `ready after ${readyMs} ms`);
    await assertToolsHidden(page);
    await assertSmallHeap(page, 'state view after an endless body');

    // Usable: with a key typed in, the page sends and shows the endpoint's answer.
    await page.getByLabel(/^AccessKeySecret/).fill('hostile-state-view-secret');
    const shown = await sendStart(page, 10_000);
    assert.equal(shown.code, 'InvalidCaster.NotFound', shown.text);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await endpoint.close();
  }
});

test('state view: a /_emulator/state that never finishes at load does not keep the page from being ready', { timeout: 90_000 }, async () => {
  const outcomes = [];
  const endpoint = await hostileServer((req, res) => {
    if (req.url.startsWith('/_emulator/state')) return outcomes.push(trickle(res));
    return apiError(res);
  });
  const { context, page, errors } = await openPage({ mode: 'direct', endpoint: endpoint.url, accessKeyId: 'LTAIhostileStateView' });
  try {
    const started = Date.now();
    await waitReady(page, BOUND_MS + 10_000);
    const readyMs = Date.now() - started;
    assert.equal(outcomes.length, 1, 'the page asked the saved endpoint for its state view');
    const outcome = await outcomes.pop();
    console.log(`slow state view at load: ready after ${readyMs} ms; the client hung up: ${outcome.hungUp}, after ${outcome.ms} ms`);
    assert.equal(outcome.hungUp, true, 'the page gave up on the state view before the server stopped');
    assert.ok(readyMs < 10_000, `ready after ${readyMs} ms`);
    await assertToolsHidden(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await endpoint.close();
  }
});

test('state view: an endless or redirecting /_emulator/state hides the tools; the redirect is not followed', { timeout: 90_000 }, async () => {
  const landing = await landingServer();
  const outcomes = [];
  const endless1 = await hostileServer((req, res) => {
    if (req.url.startsWith('/_emulator/state')) return outcomes.push(endless(res));
    return apiError(res);
  });
  const redirecting = await hostileServer((req, res) => {
    if (!req.url.startsWith('/_emulator/state')) return apiError(res);
    res.writeHead(302, { ...CORS, location: `${landing.url}/_emulator/state` });
    return res.end();
  });
  const { context, page, errors } = await openPage();
  try {
    await waitReady(page);
    await editConnection(page);
    assert.equal(await emulatorTools(page).isVisible(), true, 'on the emulator, the tools are shown');

    await setEndpoint(page, endless1.url);
    const deadline = Date.now() + BOUND_MS + 5000;
    while (outcomes.length === 0 && Date.now() < deadline) await sleep(50);
    assert.equal(outcomes.length, 1, 'the page asked the new endpoint for its state view');
    assertCutOff(await outcomes.pop(), 'state view on a change of endpoint');
    await emulatorTools(page).waitFor({ state: 'hidden', timeout: 5000 });
    await assertToolsHidden(page);
    await assertSmallHeap(page, 'state view after an endless body');

    // Back on the emulator the tools return, then a redirect hides them again.
    await setEndpoint(page, base);
    await emulatorTools(page).waitFor({ state: 'visible', timeout: 5000 });
    await setEndpoint(page, redirecting.url);
    await emulatorTools(page).waitFor({ state: 'hidden', timeout: 5000 });
    await assertToolsHidden(page);
    assert.equal(redirecting.requests.filter((r) => r.path.startsWith('/_emulator/state')).length, 1);
    await sleep(300);
    assert.deepEqual(landing.requests.map((r) => `${r.method} ${r.path}`), [], 'requests that reached the server the redirect named');

    // Still usable: the demo key from the emulator is there, and a send reaches the endpoint.
    const shown = await sendStart(page, 10_000);
    assert.equal(shown.code, 'InvalidCaster.NotFound', shown.text);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await endless1.close();
    await redirecting.close();
    await landing.close();
  }
});
