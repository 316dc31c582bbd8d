// The console page's "via proxy" mode in real Chromium: the page (served by the emulator) sends
// only parameters to the edge worker running in real workerd, which holds the key and signs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { createEmulator } from '../emulator/server.mjs';
import { CasterClient } from '../dist/node.mjs';
import { WORKER } from './support/worker.mjs';
import { launchChromium } from './support/chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEY = { accessKeyId: 'LTAI5tProxyPageKey', accessKeySecret: 'proxy-page-secret-9f3c2e7a' };
const PROXY_TOKEN = 'proxy-page-token-4b8d1e66';
const CASTER = 'LIVEPRODUCER_POST-cn-proxy-page';

let emulator;
let worker;
let workerUrl;
let pageUrl;
let browser;
const apiLog = [];

before(async () => {
  emulator = createEmulator({
    config: {
      accessKeys: [KEY],
      casters: [{ casterId: CASTER, status: 'started', ingestEndpoints: 4, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }] }],
    },
    wwwDir: join(ROOT, 'www'),
    log: (line) => apiLog.push(line),
  });
  const emulatorPort = await emulator.listen(0);
  pageUrl = `http://127.0.0.1:${emulatorPort}/`;
  worker = new Miniflare({
    ...WORKER,
    host: '127.0.0.1',
    port: 0,
    bindings: {
      ACCESS_KEY_ID: KEY.accessKeyId,
      ACCESS_KEY_SECRET: KEY.accessKeySecret,
      PROXY_TOKEN,
      UPSTREAM: `http://127.0.0.1:${emulatorPort}`,
      ALLOWED_ORIGINS: `http://127.0.0.1:${emulatorPort}`,
    },
  });
  workerUrl = (await worker.ready).toString().replace(/\/$/, '');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await worker?.dispose();
  await emulator?.close();
});

test('via proxy: the page holds no AccessKey, the worker signs, and both operations succeed', async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(5000);
  const consoleText = [];
  page.on('console', (message) => consoleText.push(message.text()));
  await page.goto(pageUrl);
  await page.getByRole('status').filter({ hasText: /^Ready/ }).waitFor();

  // No demo key here: the connection is open, the mode under Advanced.
  await page.locator('#advanced summary').click();
  await page.getByRole('radio', { name: /Via proxy/ }).check();
  for (const label of [/^AccessKeyId/, /^AccessKeySecret/, /^SecurityToken/, /^RegionId/]) {
    assert.equal(await page.getByLabel(label).isVisible(), false, `${label} is hidden in proxy mode`);
  }
  await page.getByLabel(/^Endpoint/).fill(workerUrl);
  // Without the token nothing is sent: the problem is shown instead.
  await page.getByRole('button', { name: 'Use this connection' }).click();
  assert.match(await page.locator('#proxyToken-error').textContent(), /proxy token is required/);
  assert.deepEqual(apiLog, [], 'nothing reached the emulator');
  await page.getByLabel(/^Proxy token/).fill(PROXY_TOKEN);
  await page.getByRole('button', { name: 'Use this connection' }).click();
  assert.match(await page.getByRole('status').textContent(), /via the proxy at/);

  // The only studio is chosen; start its scene.
  await page.getByRole('list', { name: 'Positions' }).waitFor();
  const scene = page.getByRole('list', { name: 'Scenes' }).getByRole('listitem').filter({ hasText: 'pvw-1' });
  await scene.getByRole('button', { name: /^Start preview scene/ }).click();
  await scene.locator('.result.success').waitFor();
  assert.match(await scene.locator('.result').innerText(), /rtmp:\/\/emulator\.localhost\/caster\/LIVEPRODUCER_POST-cn-proxy-page\/pvw-1/);
  assert.match(await scene.innerText(), /running/);

  // Add a source in the free position the view offers.
  const rv01 = page.locator('[data-location="RV01"]');
  await rv01.getByRole('button', { name: /^Add a source here/ }).click();
  await rv01.getByLabel(/^Name/).fill('Camera via proxy');
  await rv01.getByLabel(/^Stream URL/).fill('rtmp://example.com/live/proxied');
  await rv01.getByRole('button', { name: /^Add source/ }).click();
  await rv01.locator('.result.success').waitFor();
  assert.match(await rv01.innerText(), /Camera via proxy/);

  // The emulator saw the worker's correctly signed requests and recorded the source.
  assert.ok(apiLog.length >= 5, apiLog.join('\n'));
  assert.deepEqual(apiLog.filter((line) => !line.startsWith('POST 200 OK')), [], 'every request through the worker succeeded');
  const caster = emulator.state.snapshot().casters.find((c) => c.casterId === CASTER);
  assert.deepEqual(caster.resources.map((r) => [r.locationId, r.resourceName]), [['RV01', 'Camera via proxy']]);

  // Another client fills RV02 behind the page's back: the page's add there comes back through the
  // worker as DuplicateLocationID, next to the position.
  await new CasterClient({ endpoint: pageUrl, regionId: 'cn-shanghai', ...KEY })
    .addCasterVideoResource({ CasterId: CASTER, ResourceName: 'Elsewhere', LocationId: 'RV02', LiveStreamUrl: 'rtmp://example.com/live/other' });
  const rv02 = page.locator('[data-location="RV02"]');
  await rv02.getByRole('button', { name: /^Add a source here/ }).click();
  await rv02.getByLabel(/^Name/).fill('Camera two');
  await rv02.getByLabel(/^Stream URL/).fill('rtmp://example.com/live/two');
  await rv02.getByRole('button', { name: /^Add source/ }).click();
  await page.locator('[data-location="RV02"] .result.failure').waitFor();
  assert.match(await page.locator('[data-location="RV02"] .result').innerText(), /DuplicateLocationID/);
  // The view refreshed: RV02 shows the other client's source.
  await page.locator('[data-location="RV02"]').getByText('Elsewhere').waitFor();

  // The request details show the JSON request with the token masked; nothing holds the token or key.
  await page.locator('#inspector-details summary').click();
  const inspector = await page.locator('#inspector').innerText();
  assert.match(inspector, /\/v1\/AddCasterVideoResource/);
  assert.match(inspector, /authorization: Bearer •+\ncontent-type: application\/json/);
  const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie, location.href, document.documentElement.outerHTML]));
  for (const secret of [PROXY_TOKEN, KEY.accessKeySecret]) {
    assert.ok(!inspector.includes(secret), 'the inspector shows the token');
    assert.ok(!stored.includes(secret), 'storage, cookies, the URL or the page hold a secret');
    assert.ok(!consoleText.some((text) => text.includes(secret)), 'the console shows a secret');
  }
  await page.close();
});
