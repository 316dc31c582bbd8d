// The console page (www/) in Debian's Chromium, driven by playwright-core, against the emulator
// exactly as `npm start` runs it (`node emulator/cli.mjs`, here on a free port). Covers starting a
// scene and adding live-stream and video-file sources with no typing beyond choosing the demo
// studio, source-type fields, validation that blocks sending (checked on the server's request
// log), API errors with their codes, a wrong secret, labels and roles, the request inspector, and
// that no secret reaches storage, cookies, the URL or the browser console. Screenshots of a result
// and of an error go to test-artifacts/ (git-ignored).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CasterClient } from '../dist/node.mjs';
import { launchChromium } from './support/chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const STUDIO = 'LIVEPRODUCER_POST-cn-emulator-demo';
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const API_LINE = /^(GET|POST) \d{3} /;

// Distinctive secrets (with characters that percent-encode) that must never leak anywhere.
const WRONG_SECRET = 'wrong+Secret/dingo=4711';
const INSPECTOR_SECRETS = ['Insp3ctor+Secret/wombat==', 'Insp3ctor+Secret/wallaby=='];
const FINAL_SECRET = 'Final+Secret/numbat==2718';
const FINAL_TOKEN = 'CAIS+sessionToken/quokka==5150';

let emulator; // the child process
let base; // http://127.0.0.1:PORT/
let demoKey; // { id, secret } as the emulator printed them
const apiLines = []; // the emulator's one-line-per-API-request log
const emulatorOutput = [];
let browser;
let context;
let page;
const consoleMessages = []; // every console message and page error of the whole file
const browserApiRequests = []; // API requests the page sent (static files and /_emulator/state excluded)

// ---- helpers ------------------------------------------------------------------------------------

function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['emulator/cli.mjs', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let url;
    let id;
    let secret;
    const timer = setTimeout(() => reject(new Error(`the emulator did not start:\n${emulatorOutput.join('\n')}`)), 10_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => emulatorOutput.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}):\n${emulatorOutput.join('\n')}`));
    });
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        emulatorOutput.push(line);
        if (API_LINE.test(line)) apiLines.push(line);
        url ??= line.match(/^aliyun-caster emulator on (http:\/\/127\.0\.0\.1:\d+\/) /)?.[1];
        id ??= line.match(/^demo AccessKeyId:\s+(\S+)/)?.[1];
        secret ??= line.match(/^demo AccessKeySecret:\s+(\S+)/)?.[1];
        if (url && id && secret) {
          clearTimeout(timer);
          resolve({ child, url, demo: { id, secret } });
        }
      }
    });
  });
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Waits for the emulator to log a request of `action` after the first `since` lines; returns its line. */
async function waitForLine(action, since) {
  const deadline = Date.now() + 5000;
  const find = () => apiLines.slice(since).find((line) => line.split(' ').includes(action));
  while (!find() && Date.now() < deadline) await sleep(20);
  assert.ok(find(), `no ${action} among the API requests logged since:\n${apiLines.slice(since).join('\n')}`);
  return find();
}

/** Waits until the page has sent nothing for 300 ms (at most 5 s): a refresh it started is over. */
async function quiet() {
  const deadline = Date.now() + 5000;
  let seen = -1;
  while (seen !== apiLines.length && Date.now() < deadline) {
    seen = apiLines.length;
    await sleep(300);
  }
}

/** Gives a request that should not happen time to arrive, then checks none did. */
async function assertNothingSent(serverBefore, browserBefore) {
  await sleep(600);
  assert.equal(apiLines.length, serverBefore, `no API request should reach the emulator; it logged:\n${apiLines.slice(serverBefore).join('\n')}`);
  assert.equal(browserApiRequests.length, browserBefore, `the page should send nothing; it sent ${browserApiRequests.slice(browserBefore).join(', ')}`);
}

/** Another client of the same studio: CasterClient in this process, with the demo key. */
const otherClient = () => new CasterClient({ endpoint: base, regionId: 'cn-shanghai', accessKeyId: demoKey.id, accessKeySecret: demoKey.secret });

async function emulatorState() {
  const response = await fetch(new URL('_emulator/state', base));
  assert.equal(response.status, 200);
  return response.json();
}

const region = (name) => page.getByRole('region', { name });
const connectionRegion = () => region('Connection');
const studioRegion = () => region('Studio');
const log = () => page.getByRole('log');
const scene = (id) => page.getByRole('list', { name: 'Scenes' }).getByRole('listitem').filter({ hasText: id });
const position = (location) => page.locator(`[data-location="${location}"]`);

/** Opens the connection form when it is the one-line summary. */
async function editConnection() {
  const edit = connectionRegion().getByRole('button', { name: 'Edit', exact: true });
  if (await edit.isVisible()) await edit.click();
}

async function openAdvanced() {
  await editConnection();
  if (!(await page.locator('#advanced').evaluate((d) => d.open))) await page.locator('#advanced summary').click();
}

/** Picks the demo studio in the studio view, as a user would, and waits for its positions. */
async function chooseDemoStudio() {
  await studioRegion().getByRole('combobox', { name: /^Studio/ }).selectOption(STUDIO);
  await page.getByRole('list', { name: 'Positions' }).waitFor();
  await scene('demo-pvw-scene-1').waitFor();
}

/** A result next to a control: its class, and its term → value pairs. */
function readResult(locator) {
  return locator.evaluate((box) => ({
    className: box.className,
    text: box.textContent,
    fields: Object.fromEntries([...box.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()])),
  }));
}

/**
 * Clicks `button` and waits for a result at `where` (a scene or a position) and for the API
 * requests the emulator logs (the action, then the view's refresh); returns the result and the
 * action's log line.
 */
async function actAndRead(button, where, action) {
  await quiet();
  const serverBefore = apiLines.length;
  await button.click();
  await where.locator('.result').waitFor({ timeout: 5000 });
  const result = await readResult(where.locator('.result'));
  const line = await waitForLine(action, serverBefore);
  await quiet(); // the view's refresh after it
  return { result, line };
}

/** Opens the editor in a free position, fills it and adds the source there. */
async function addSource(location, fields, type = 'live stream') {
  const at = position(location);
  await at.getByRole('button', { name: /^Add a source here/ }).click();
  await at.getByRole('radio', { name: type, exact: true }).check();
  for (const [label, value] of Object.entries(fields)) await at.getByLabel(new RegExp(`^${label}`)).fill(value);
  return actAndRead(at.getByRole('button', { name: /^Add source/ }), position(location), 'AddCasterVideoResource');
}

async function requestDetails() {
  const details = page.locator('#inspector-details');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  return details.evaluate((d) => ({
    text: d.textContent,
    terms: Object.fromEntries([...d.querySelectorAll('dl > dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()])),
  }));
}

async function useDemoKey() {
  await editConnection();
  await connectionRegion().getByRole('button', { name: "Use the emulator's demo key" }).click();
  assert.equal(await connectionRegion().getByLabel(/^AccessKeySecret/).inputValue(), demoKey.secret);
  await connectionRegion().getByRole('button', { name: 'Use this connection' }).click();
}

/** Types a secret into the connection and uses it. */
async function useSecret(secret) {
  await editConnection();
  await connectionRegion().getByLabel(/^AccessKeySecret/).fill(secret);
  await connectionRegion().getByRole('button', { name: 'Use this connection' }).click();
}

// ---- set-up -------------------------------------------------------------------------------------

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = await startEmulator();
  emulator = started.child;
  base = started.url;
  demoKey = started.demo;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(5000);
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.stack ?? error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== new URL(base).origin || url.pathname !== '/') return;
    if (request.method() === 'POST' || url.search !== '') browserApiRequests.push(`${request.method()} ${url.pathname}`);
  });
  await page.goto(base);
  await page.getByRole('status').filter({ hasText: /^Ready/ }).waitFor({ timeout: 10_000 })
    .catch(async () => { throw new Error(`the page did not get ready; status: ${await page.getByRole('status').textContent()}`); });
});

after(async () => {
  await browser?.close();
  if (emulator && emulator.exitCode === null) {
    const exited = new Promise((resolve) => { emulator.once('exit', resolve); });
    emulator.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (emulator.exitCode === null && emulator.signalCode === null) emulator.kill('SIGKILL');
  }
});

// ---- tests --------------------------------------------------------------------------------------

test('the page fills the demo key; choosing the demo studio is enough to start a scene', async () => {
  assert.match(await connectionRegion().locator('#connection-line').textContent(), new RegExp(demoKey.id));
  await editConnection();
  const connection = connectionRegion();
  assert.equal(await connection.getByLabel(/^AccessKeyId/).inputValue(), demoKey.id);
  assert.equal(await connection.getByLabel(/^AccessKeySecret/).inputValue(), demoKey.secret);
  assert.equal(await connection.getByLabel(/^Endpoint/).inputValue().then((v) => new URL(v).origin), new URL(base).origin);
  await connection.getByRole('button', { name: 'Use this connection' }).click();

  await chooseDemoStudio();
  const pvw = scene('demo-pvw-scene-1');
  assert.match(await pvw.innerText(), /stopped/);
  const { result, line } = await actAndRead(pvw.getByRole('button', { name: /^Start preview scene · StartCasterScene/ }), pvw, 'StartCasterScene');
  assert.match(line, /^POST 200 OK /);
  assert.match(result.className, /success/, result.text);
  assert.equal(result.fields.StreamUrl, `rtmp://emulator.localhost/caster/${STUDIO}/demo-pvw-scene-1`);
  assert.match(result.fields.RequestId, UUID);
  assert.match(await scene('demo-pvw-scene-1').innerText(), /running/);
  assert.match(await log().getByRole('listitem').filter({ hasText: 'StartCasterScene' }).first().innerText(), /StreamUrl/);
});

test('adds a live-stream source and a video-file source; ResourceIds shown', async () => {
  await chooseDemoStudio();
  const live = await addSource('RV01', { Name: 'Camera 1', 'Stream URL': 'rtmp://example.com/live/camera1' });
  assert.match(live.line, /^POST 200 OK /);
  assert.match(live.result.className, /success/, live.result.text);
  assert.match(live.result.fields.ResourceId ?? '', UUID);
  assert.match(await position('RV01').innerText(), /Camera 1[\s\S]*live stream/);

  const vod = await addSource('RV02', { Name: 'Clip', 'File URL': 'https://example.com/media/clip.mp4' }, 'video file');
  assert.match(vod.result.className, /success/, vod.result.text);
  assert.match(vod.result.fields.ResourceId ?? '', UUID);
  assert.notEqual(vod.result.fields.ResourceId, live.result.fields.ResourceId);

  // The emulator holds exactly what the page showed.
  const resources = (await emulatorState()).casters.find((c) => c.casterId === STUDIO).resources;
  const byId = Object.fromEntries(resources.map((r) => [r.resourceId, r]));
  assert.deepEqual(
    { locationId: byId[live.result.fields.ResourceId]?.locationId, url: byId[live.result.fields.ResourceId]?.LiveStreamUrl },
    { locationId: 'RV01', url: 'rtmp://example.com/live/camera1' },
  );
  assert.deepEqual(
    { locationId: byId[vod.result.fields.ResourceId]?.locationId, url: byId[vod.result.fields.ResourceId]?.VodUrl, live: byId[vod.result.fields.ResourceId]?.LiveStreamUrl },
    { locationId: 'RV02', url: 'https://example.com/media/clip.mp4', live: undefined },
  );

  const path = join(ARTIFACTS, 'console-result.png');
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 0);
});

test('each source type shows only the fields that source takes', async () => {
  await chooseDemoStudio();
  const at = position('RV03');
  await at.getByRole('button', { name: /^Add a source here/ }).click();
  const sourceFields = ['Stream URL', 'Media asset ID', 'File URL', 'Library image ID', 'Image URL', 'Start at', 'End at', 'Repeats',
    'PTS callback every', 'Fixed delay'];
  // Every source takes a PTS callback interval and a fixed delay.
  const every = ['PTS callback every', 'Fixed delay'];
  const shown = {
    'live stream': ['Stream URL', ...every],
    'media asset': ['Media asset ID', 'Start at', 'End at', 'Repeats', ...every],
    'video file': ['File URL', 'Start at', 'End at', 'Repeats', ...every],
    'library image': ['Library image ID', ...every],
    'image URL': ['Image URL', ...every],
  };
  for (const [type, expected] of Object.entries(shown)) {
    await at.getByRole('radio', { name: type, exact: true }).check();
    const visible = [];
    for (const name of [...sourceFields, 'Name']) {
      if (await at.getByLabel(new RegExp(`^${name}\\b`)).isVisible()) visible.push(name);
    }
    assert.deepEqual(visible, [...expected, 'Name'], `fields shown for "${type}"`);
  }
  await at.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await at.getByRole('button', { name: /^Add a source here/ }).isVisible(), true);
});

test('an invalid stream URL is explained next to the field and nothing is sent', async () => {
  await chooseDemoStudio();
  const at = position('RV03');
  await at.getByRole('button', { name: /^Add a source here/ }).click();
  const url = at.getByLabel(/^Stream URL/);
  // Nothing is marked before it was touched.
  assert.equal(await at.locator('[aria-invalid="true"]').count(), 0, 'marked wrong before anything was typed');

  await url.fill('ftp://example.com/not-a-stream');
  await url.press('Tab');
  const describedBy = await url.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the input points at its message');
  const message = page.locator(`[id="${describedBy}"]`);
  assert.match(await message.textContent(), /LiveStreamUrl/);
  assert.equal(await message.isVisible(), true);
  assert.equal(await message.evaluate((m, id) => m.parentElement === document.getElementById(id).parentElement, await url.getAttribute('id')), true);
  assert.equal(await url.getAttribute('aria-invalid'), 'true');

  await quiet();
  const serverBefore = apiLines.length;
  const browserBefore = browserApiRequests.length;
  await at.getByRole('button', { name: /^Add source/ }).click();
  await url.press('Enter');
  await assertNothingSent(serverBefore, browserBefore);
  // A send tried shows every problem: the name is missing too, and the focus goes to the first.
  assert.match(await at.getByLabel(/^Name/).getAttribute('aria-invalid'), /true/);
  assert.equal(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent.trim().startsWith('Name')), true);

  // Fixing it clears the message.
  await url.fill('rtmp://example.com/live/fixed');
  assert.equal(await message.textContent(), '');
  await at.getByRole('button', { name: 'Cancel' }).click();
});

test('an API error is shown with its code next to the position (DuplicateLocationID)', async () => {
  await chooseDemoStudio();
  // Another client takes RV03 after the page read the studio: the page still offers it.
  await quiet();
  const before = apiLines.length;
  await otherClient().addCasterVideoResource({ CasterId: STUDIO, ResourceName: 'Elsewhere', LocationId: 'RV03', LiveStreamUrl: 'rtmp://example.com/live/elsewhere' });
  await waitForLine('AddCasterVideoResource', before);
  const { result, line } = await addSource('RV03', { Name: 'Camera 3', 'Stream URL': 'rtmp://example.com/live/camera3' });
  assert.match(line, /^POST 400 DuplicateLocationID /);
  assert.match(result.className, /failure/);
  assert.equal(result.fields.Code, 'DuplicateLocationID');
  assert.match(result.fields.Message ?? '', /RV03/);
  assert.match(result.fields.RequestId ?? '', UUID);
  // The view refreshed: the other client's source is in RV03 now.
  await position('RV03').getByText('Elsewhere', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('result')), true, 'the focus is on the result');

  const path = join(ARTIFACTS, 'console-error.png');
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 0);
});

test('a wrong secret shows InvalidAccessKeySecret, saying the AccessKeySecret is wrong; no secret sends nothing', async () => {
  await chooseDemoStudio();
  try {
    await editConnection();
    await connectionRegion().getByLabel(/^AccessKeySecret/).fill('');
    await connectionRegion().getByRole('button', { name: 'Use this connection' }).click();
    assert.match(await page.locator('#accessKeySecret-error').textContent(), /AccessKeySecret/);
    await quiet();
    const serverBefore = apiLines.length;
    const browserBefore = browserApiRequests.length;
    await scene('demo-pvw-scene-2').getByRole('button', { name: /^Start preview scene/ }).click();
    await assertNothingSent(serverBefore, browserBefore);

    await useSecret(WRONG_SECRET);
    const pvw = scene('demo-pvw-scene-2');
    await quiet();
    const serverAt = apiLines.length;
    await pvw.getByRole('button', { name: /^Start preview scene/ }).click();
    await pvw.locator('.result').waitFor();
    const line = await waitForLine('StartCasterScene', serverAt);
    await quiet();
    const result = await readResult(pvw.locator('.result'));
    assert.match(line, /^POST 400 SignatureDoesNotMatch /);
    assert.match(result.className, /failure/);
    // The emulator signed the very string the page signed: only the secret can be wrong.
    assert.equal(result.fields.Code, 'InvalidAccessKeySecret');
    assert.match(result.fields.Message ?? '', /^the AccessKeySecret is wrong/);
    assert.match(result.fields['What it means'] ?? '', /AccessKeySecret is wrong/);
    assert.ok(!result.text.includes(WRONG_SECRET), 'the result never shows the secret');
    // The two strings to sign, side by side, in the request details.
    const sides = await page.locator('#compare .side pre').allTextContents();
    assert.equal(sides.length, 2);
    assert.match(sides[0], /^POST&%2F&.*Action%3DStartCasterScene/);
    assert.equal(sides[1], sides[0], 'the server signed the same string');
  } finally {
    await useDemoKey();
  }
});

test('every input has a label; operator wording first, API names second; results and log', async () => {
  await chooseDemoStudio();
  await position('RV04').getByRole('button', { name: /^Add a source here/ }).click();
  await editConnection();
  await openAdvanced();
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && el.offsetParent)
    .filter((el) => !el.labels || el.labels.length === 0 || [...el.labels].every((l) => l.textContent.trim() === ''))
    .map((el) => el.id || `${el.tagName.toLowerCase()}[name=${el.name}]`));
  assert.deepEqual(unlabelled, [], 'inputs without a <label>');

  for (const [name, id] of [['Endpoint', 'endpoint'], ['RegionId', 'regionId'], ['AccessKeyId', 'accessKeyId'], ['AccessKeySecret', 'accessKeySecret'], ['SecurityToken', 'securityToken']]) {
    const matches = connectionRegion().getByLabel(new RegExp(`^${name}\\b`));
    assert.equal(await matches.count(), 1, `one input labelled "${name}…"`);
    assert.equal(await matches.getAttribute('id'), id);
  }
  for (const [words, api] of [['Name', 'ResourceName'], ['Stream URL', 'LiveStreamUrl']]) {
    const label = await position('RV04').getByLabel(new RegExp(`^${words}`)).evaluate((el) => el.labels[0].textContent.trim());
    assert.ok(label.startsWith(words) && label.includes(api), `label "${label}": ${words} first, ${api} after`);
  }
  const names = await studioRegion().getByRole('button').allInnerTexts();
  for (const expected of [/^Start preview scene · StartCasterScene$/, /^Add source · AddCasterVideoResource$/]) {
    assert.ok(names.some((n) => expected.test(n.trim())), `a button ${expected} among ${names.join(' | ')}`);
  }
  await position('RV04').getByRole('button', { name: 'Cancel' }).click();
  await connectionRegion().getByRole('button', { name: 'Use this connection' }).click();
  assert.equal(await log().count(), 1);
  assert.equal(await page.locator('[aria-live="polite"]').count() >= 1, true, 'an aria-live region announces results');
  assert.equal(await log().getByRole('listitem').count() > 0, true, 'the log holds the results');
});

test('the inspector shows the signature and string to sign, never the secret', async () => {
  await chooseDemoStudio();
  const signatures = [];
  try {
    for (const value of INSPECTOR_SECRETS) {
      await useSecret(value);
      const pvw = scene('demo-pvw-scene-2');
      await quiet();
      const before = apiLines.length;
      await pvw.getByRole('button', { name: /^Start preview scene/ }).click();
      await pvw.locator('.result').waitFor();
      await waitForLine('StartCasterScene', before);
      await quiet();
      const { text, terms } = await requestDetails();
      for (const leaked of [value, encodeURIComponent(value), demoKey.secret]) {
        assert.ok(!text.includes(leaked), `the inspector shows ${JSON.stringify(leaked)}`);
      }
      assert.match(terms['String to sign'] ?? '', /^POST&%2F&.*Action%3DStartCasterScene/);
      assert.match(terms['String to sign'], /SceneId%3Ddemo-pvw-scene-2/);
      assert.match(terms.Signature ?? '', /^[A-Za-z0-9+/]{27}=$/);
      // The signature shown is the HMAC-SHA1 of the string shown, keyed with the typed secret, and
      // the one the request carried.
      const expected = createHmac('sha1', `${value}&`).update(terms['String to sign']).digest('base64');
      assert.equal(terms.Signature, expected);
      assert.ok(terms.Body.includes(`Signature=${encodeURIComponent(expected)}`), 'the body sent carries the signature shown');
      signatures.push(terms.Signature);
    }
    assert.notEqual(signatures[0], signatures[1]);
  } finally {
    await useDemoKey();
  }
});

test('no secret in storage, cookies, the URL or the console', async () => {
  await chooseDemoStudio();
  await editConnection();
  await openAdvanced();
  const connection = connectionRegion();
  await connection.getByLabel(/^AccessKeySecret/).fill(FINAL_SECRET);
  await connection.getByLabel(/^SecurityToken/).fill(FINAL_TOKEN);
  await connection.getByRole('button', { name: 'Use this connection' }).click();

  const pvw = scene('demo-pvw-scene-2');
  const post = await actAndRead(pvw.getByRole('button', { name: /^Start preview scene/ }), pvw, 'StartCasterScene');
  assert.match(post.line, /^POST 400 SignatureDoesNotMatch /);
  // And once with GET, which puts the signed parameters (the token among them) in the request URL.
  await editConnection();
  await connection.getByRole('radio', { name: /^GET/ }).check();
  await connection.getByRole('button', { name: 'Use this connection' }).click();
  const get = await addSource('RV04', { Name: 'Camera 4', 'Stream URL': 'rtmp://example.com/live/camera4' });
  assert.match(get.line, /^GET 400 SignatureDoesNotMatch /);
  await requestDetails();
  await editConnection();
  await connection.getByRole('radio', { name: /^POST/ }).check();

  const stored = await page.evaluate(() => {
    const dump = (storage) => Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i))}`).join('\n');
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie };
  });
  const cookies = JSON.stringify(await context.cookies());
  const markup = async () => page.evaluate(() => {
    // Every text and attribute, and what the inputs hold (but the password inputs, where secrets belong).
    const values = [...document.querySelectorAll('input:not([type="password"])')].map((i) => i.value).join('\n');
    return `${document.documentElement.outerHTML}\n${values}`;
  });
  const secrets = [FINAL_SECRET, FINAL_TOKEN, WRONG_SECRET, ...INSPECTOR_SECRETS, demoKey.secret];
  for (const secret of secrets) {
    for (const form of [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret))]) {
      assert.ok(!stored.local.includes(form), `localStorage holds ${form}`);
      assert.ok(!stored.session.includes(form), `sessionStorage holds ${form}`);
      assert.ok(!stored.cookie.includes(form), `document.cookie holds ${form}`);
      assert.ok(!cookies.includes(form), `a cookie holds ${form}`);
      assert.ok(!page.url().includes(form), `the page URL holds ${form}`);
      // Neither the secret nor the token, even where the request details show the signed request.
      assert.ok(!(await markup()).includes(form), `the page's markup holds ${form}`);
      const leaking = consoleMessages.filter((message) => message.includes(form));
      assert.deepEqual(leaking, [], `console messages holding ${form}`);
    }
  }
  assert.equal(consoleMessages.filter((m) => m.startsWith('pageerror')).length, 0, consoleMessages.join('\n'));
  await useDemoKey();
});

test('a Recommend that is not an http(s) URL is shown as text, never as a link', async () => {
  // A server (or a proxy on the way) that answers every request with a crafted error: what it
  // says in Recommend is the page's to show.
  const recommends = [
    'javascript:alert(document.domain)',
    '  JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/steal',
    'https://api.aliyun.com/troubleshoot?q=InvalidCaster.NotFound&product=live',
    'http://127.0.0.1:9/help',
  ];
  let recommend;
  const crafted = createServer((req, res) => {
    req.resume();
    res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ RequestId: 'crafted-request', HostId: 'crafted', Code: 'InvalidCaster.NotFound', Message: 'crafted', Recommend: recommend }));
  });
  await new Promise((resolve) => { crafted.listen(0, '127.0.0.1', resolve); });
  // A page of its own, so that the endpoint it remembers stays out of the other tests' page.
  const own = await browser.newContext();
  try {
    const crafty = await own.newPage();
    crafty.setDefaultTimeout(5000);
    await crafty.goto(base);
    await crafty.getByRole('status').filter({ hasText: /^Ready/ }).waitFor({ timeout: 10_000 });
    await crafty.getByRole('button', { name: 'Edit', exact: true }).click();
    await crafty.getByLabel(/^Endpoint/).fill(`http://127.0.0.1:${crafted.address().port}`);
    await crafty.getByLabel(/^Endpoint/).press('Tab');
    const results = crafty.getByRole('log').getByRole('listitem');
    const read = (item) => item.evaluate((box) => {
      const term = [...box.querySelectorAll('dt')].find((dt) => dt.textContent.trim() === 'Recommend');
      const dd = term?.nextElementSibling;
      return { code: box.querySelector('dd')?.textContent, text: dd?.textContent, links: [...(dd?.querySelectorAll('a') ?? [])].map((a) => a.getAttribute('href')) };
    });
    for (const text of recommends) {
      recommend = text;
      const count = await results.count();
      await crafty.getByRole('button', { name: /^Refresh/ }).click();
      await results.nth(count).waitFor();
      // In the session's log, and next to the Refresh button that asked.
      for (const shown of [await read(results.first()), await read(crafty.locator('#studio-result'))]) {
        assert.equal(shown.code, 'InvalidCaster.NotFound', `the crafted error for ${text}`);
        assert.equal(shown.text, text, 'the Recommend is shown as it came');
        const linked = /^https?:\/\//.test(text);
        assert.deepEqual(shown.links, linked ? [new URL(text).href] : [], `${text}: ${linked ? 'a link' : 'no link'}`);
      }
    }
    const scripted = await crafty.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((href) => !/^https?:/i.test(href)));
    assert.deepEqual(scripted, [], 'a link that is not http(s) on the page');
  } finally {
    await own.close();
    await new Promise((resolve) => { crafted.close(resolve); });
  }
});
