// The console page's "via proxy" mode in real Chromium: the page (served by the emulator) sends
// only parameters to the edge worker running in real workerd, which holds the key and signs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { chromium } from 'playwright-core';
import { createEmulator } from '../emulator/server.mjs';
import { WORKER } from './support/worker.mjs';

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
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await worker?.dispose();
  await emulator?.close();
});

test('via proxy: the page holds no AccessKey, the worker signs, and both operations succeed', async () => {
  const page = await browser.newPage();
  const consoleText = [];
  page.on('console', (message) => consoleText.push(message.text()));
  await page.goto(pageUrl);
  await page.getByText('Ready', { exact: false }).first().waitFor();

  await page.getByRole('radio', { name: /Via proxy/ }).check();
  for (const label of [/^AccessKeyId/, /^AccessKeySecret/, /^SecurityToken/, /^RegionId/]) {
    assert.equal(await page.getByLabel(label).isVisible(), false, `${label} is hidden in proxy mode`);
  }
  await page.getByLabel(/^Endpoint/).fill(workerUrl);
  const start = page.locator('#start-form');
  await start.getByLabel(/^CasterId/).fill(CASTER);
  await start.getByLabel(/^SceneId/).fill('pvw-1');
  const startButton = page.getByRole('button', { name: 'StartCasterScene' });
  assert.equal(await startButton.isDisabled(), true, 'no proxy token yet: the button is disabled');
  await page.getByLabel(/^Proxy token/).fill(PROXY_TOKEN);
  await startButton.click();
  const log = page.getByRole('log');
  await log.getByText('StreamUrl').waitFor();
  assert.match(await log.innerText(), /rtmp:\/\/emulator\.localhost\/caster\/LIVEPRODUCER_POST-cn-proxy-page\/pvw-1/);

  const add = page.locator('#add-form');
  await add.getByLabel(/^CasterId/).fill(CASTER);
  await add.getByLabel(/^ResourceName/).fill('Camera via proxy');
  await add.getByLabel(/^LocationId/).fill('RV05');
  await add.getByLabel(/^LiveStreamUrl/).fill('rtmp://example.com/live/proxied');
  await page.getByRole('button', { name: 'AddCasterVideoResource' }).click();
  await log.getByText('ResourceId').waitFor();

  // The emulator saw the worker's correctly signed requests and recorded the source.
  assert.deepEqual(apiLog.map((line) => line.split(' ').slice(0, 3).join(' ')), ['POST 200 OK', 'POST 200 OK']);
  const caster = emulator.state.snapshot().casters.find((c) => c.casterId === CASTER);
  assert.deepEqual(caster.resources.map((r) => [r.locationId, r.resourceName]), [['RV05', 'Camera via proxy']]);

  // An API error comes back through the worker with its code.
  await page.getByRole('button', { name: 'AddCasterVideoResource' }).click();
  await log.getByText('DuplicateLocationID').waitFor();

  // The inspector shows the JSON request with the token masked; nothing holds the token or key.
  const inspector = await page.locator('#inspector').innerText();
  assert.match(inspector, /\/v1\/AddCasterVideoResource/);
  const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie, location.href, document.documentElement.outerHTML]));
  for (const secret of [PROXY_TOKEN, KEY.accessKeySecret]) {
    assert.ok(!inspector.includes(secret), 'the inspector shows the token');
    assert.ok(!stored.includes(secret), 'storage, cookies, the URL or the page hold a secret');
    assert.ok(!consoleText.some((text) => text.includes(secret)), 'the console shows a secret');
  }
  await page.close();
});
