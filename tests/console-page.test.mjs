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

import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
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

/** Waits until the emulator has logged `count` API requests in all; returns the new lines. */
async function waitForApiCount(count, since = count - 1) {
  const deadline = Date.now() + 3000;
  while (apiLines.length < count && Date.now() < deadline) await sleep(20);
  assert.equal(apiLines.length, count, `API requests logged by the emulator:\n${apiLines.join('\n')}`);
  return apiLines.slice(since);
}

/** Gives a request that should not happen time to arrive, then checks none did. */
async function assertNothingSent(serverBefore, browserBefore) {
  await sleep(600);
  assert.equal(apiLines.length, serverBefore, `no API request should reach the emulator; it logged:\n${apiLines.slice(serverBefore).join('\n')}`);
  assert.equal(browserApiRequests.length, browserBefore, `the page should send nothing; it sent ${browserApiRequests.slice(browserBefore).join(', ')}`);
}

async function emulatorState() {
  const response = await fetch(new URL('_emulator/state', base));
  assert.equal(response.status, 200);
  return response.json();
}

const region = (name) => page.getByRole('region', { name });
const connectionRegion = () => region('Connection');
const startRegion = () => region(/^StartCasterScene/);
const addRegion = () => region(/^AddCasterVideoResource/);
const inspectorRegion = () => region('Request inspector');
const startButton = () => page.getByRole('button', { name: 'StartCasterScene', exact: true });
const addButton = () => page.getByRole('button', { name: 'AddCasterVideoResource', exact: true });
const log = () => page.getByRole('log');

/** Chooses the demo studio in the "Demo studio" select, as a user would. */
async function chooseDemoStudio() {
  await connectionRegion().getByLabel('Demo studio').selectOption(STUDIO);
  await page.waitForFunction((studio) => document.querySelector('#start-CasterId')?.value === studio, STUDIO, { timeout: 3000 })
    .catch(() => { throw new Error('choosing the demo studio did not fill the StartCasterScene form'); });
}

/** The newest entry of the results log: its action, outcome class and its term → value pairs. */
async function newestEntry() {
  return log().getByRole('listitem').first().evaluate((item) => ({
    className: item.className,
    action: item.querySelector('strong')?.textContent.trim(),
    text: item.textContent,
    fields: Object.fromEntries([...item.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()])),
  }));
}

/** Clicks a submit button and waits for the results log to gain an entry; returns that entry. */
async function submitAndRead(button) {
  const before = await log().getByRole('listitem').count();
  const serverBefore = apiLines.length;
  assert.equal(await button.isEnabled(), true, 'the submit button should be enabled');
  await button.click();
  await log().getByRole('listitem').nth(before).waitFor({ timeout: 5000 });
  const entry = await newestEntry();
  const [line] = await waitForApiCount(serverBefore + 1, serverBefore);
  return { entry, line };
}

async function useDemoKey() {
  await connectionRegion().getByRole('button', { name: "Use the emulator's demo key" }).click();
  assert.equal(await connectionRegion().getByLabel(/^AccessKeySecret/).inputValue(), demoKey.secret);
}

// ---- set-up -------------------------------------------------------------------------------------

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = await startEmulator();
  emulator = started.child;
  base = started.url;
  demoKey = started.demo;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
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
  const connection = connectionRegion();
  assert.equal(await connection.getByLabel(/^AccessKeyId/).inputValue(), demoKey.id);
  assert.equal(await connection.getByLabel(/^AccessKeySecret/).inputValue(), demoKey.secret);
  assert.equal(await connection.getByLabel(/^Endpoint/).inputValue().then((v) => new URL(v).origin), new URL(base).origin);

  await chooseDemoStudio();
  assert.equal(await startRegion().getByLabel(/^CasterId/).inputValue(), STUDIO);
  assert.equal(await startRegion().getByLabel(/^SceneId/).inputValue(), 'demo-pvw-scene-1');
  assert.equal(await addRegion().getByLabel(/^CasterId/).inputValue(), STUDIO);

  const { entry, line } = await submitAndRead(startButton());
  assert.match(line, /^POST 200 OK /);
  assert.equal(entry.action, 'StartCasterScene');
  assert.equal(entry.className, 'success', entry.text);
  assert.equal(entry.fields.StreamUrl, `rtmp://emulator.localhost/caster/${STUDIO}/demo-pvw-scene-1`);
  assert.match(entry.fields.RequestId, UUID);
});

test('adds a live-stream source and a video-file source; ResourceIds shown', async () => {
  await chooseDemoStudio();
  const add = addRegion();
  assert.equal(await add.getByRole('radio', { name: 'live stream' }).isChecked(), true, 'live stream is the default source type');
  const liveUrl = await add.getByLabel(/^LiveStreamUrl/).inputValue();
  assert.match(liveUrl, /^rtmp:\/\//, 'the demo studio pre-fills a LiveStreamUrl');
  const liveLocation = await add.getByLabel(/^LocationId/).inputValue();

  const live = await submitAndRead(addButton());
  assert.match(live.line, /^POST 200 OK /);
  assert.equal(live.entry.action, 'AddCasterVideoResource');
  assert.equal(live.entry.className, 'success', live.entry.text);
  assert.match(live.entry.fields.ResourceId ?? '', UUID);

  const taken = new Set((await emulatorState()).casters.find((c) => c.casterId === STUDIO).resources.map((r) => r.locationId));
  const freeLocation = Array.from({ length: 99 }, (_, i) => `RV${String(i + 1).padStart(2, '0')}`).find((id) => !taken.has(id));
  await add.getByRole('radio', { name: 'video file' }).check();
  await add.getByLabel(/^VodUrl/).fill('https://example.com/media/clip.mp4');
  await add.getByLabel(/^ResourceName/).fill('Clip');
  await add.getByLabel(/^LocationId/).fill(freeLocation);

  const vod = await submitAndRead(addButton());
  assert.match(vod.line, /^POST 200 OK /);
  assert.equal(vod.entry.className, 'success', vod.entry.text);
  assert.match(vod.entry.fields.ResourceId ?? '', UUID);
  assert.notEqual(vod.entry.fields.ResourceId, live.entry.fields.ResourceId);

  // The emulator holds exactly what the page showed.
  const resources = (await emulatorState()).casters.find((c) => c.casterId === STUDIO).resources;
  const byId = Object.fromEntries(resources.map((r) => [r.resourceId, r]));
  assert.deepEqual(
    { locationId: byId[live.entry.fields.ResourceId]?.locationId, url: byId[live.entry.fields.ResourceId]?.LiveStreamUrl },
    { locationId: liveLocation, url: liveUrl },
  );
  assert.deepEqual(
    { locationId: byId[vod.entry.fields.ResourceId]?.locationId, url: byId[vod.entry.fields.ResourceId]?.VodUrl, live: byId[vod.entry.fields.ResourceId]?.LiveStreamUrl },
    { locationId: freeLocation, url: 'https://example.com/media/clip.mp4', live: undefined },
  );

  const path = join(ARTIFACTS, 'console-result.png');
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 0);
});

test('each source type shows only the fields that source takes', async () => {
  const add = addRegion();
  const sourceFields = ['LiveStreamUrl', 'MaterialId', 'VodUrl', 'ImageId', 'ImageUrl', 'BeginOffset', 'EndOffset', 'RepeatNum'];
  const shown = {
    'live stream': ['LiveStreamUrl'],
    'media asset': ['MaterialId', 'BeginOffset', 'EndOffset', 'RepeatNum'],
    'video file': ['VodUrl', 'BeginOffset', 'EndOffset', 'RepeatNum'],
    'library image': ['ImageId'],
    'image URL': ['ImageUrl'],
  };
  const always = ['CasterId', 'ResourceName', 'LocationId'];
  for (const [type, expected] of Object.entries(shown)) {
    await add.getByRole('radio', { name: type, exact: true }).check();
    const visible = [];
    for (const name of [...sourceFields, ...always]) {
      if (await add.getByLabel(new RegExp(`^${name}\\b`)).isVisible()) visible.push(name);
    }
    assert.deepEqual(visible, [...expected, ...always], `fields shown for "${type}"`);
  }
  await add.getByRole('radio', { name: 'live stream', exact: true }).check();
});

test('an invalid LocationId is explained next to the field and nothing can be sent', async () => {
  await chooseDemoStudio();
  const add = addRegion();
  const location = add.getByLabel(/^LocationId/);
  assert.equal(await addButton().isEnabled(), true, 'the form starts valid');

  await location.fill('');
  await location.pressSequentially('RV00');
  const describedBy = await location.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the LocationId input points at its message');
  const message = page.locator(`[id="${describedBy}"]`);
  assert.match(await message.textContent(), /RV01/);
  assert.equal(await message.isVisible(), true);
  // Next to the field: the message sits in the same field container as the input.
  assert.equal(await message.evaluate((m) => m.parentElement === document.querySelector('#add-LocationId').parentElement), true);
  assert.equal(await location.getAttribute('aria-invalid'), 'true');
  assert.equal(await addButton().isDisabled(), true);

  const serverBefore = apiLines.length;
  const browserBefore = browserApiRequests.length;
  const entriesBefore = await log().getByRole('listitem').count();
  await location.press('Enter');
  await addButton().click({ force: true });
  await location.evaluate((input) => input.form.requestSubmit());
  await assertNothingSent(serverBefore, browserBefore);
  assert.equal(await log().getByRole('listitem').count(), entriesBefore, 'nothing is logged');

  // Fixing it clears the message and enables the button again.
  await location.fill('RV05');
  assert.equal(await message.textContent(), '');
  assert.equal(await addButton().isEnabled(), true);
});

test('an API error is shown with its code (DuplicateLocationID)', async () => {
  await chooseDemoStudio();
  const add = addRegion();
  const resources = (await emulatorState()).casters.find((c) => c.casterId === STUDIO).resources;
  let takenLocation = resources[0]?.locationId;
  if (!takenLocation) {
    // The earlier test did not leave a source; add one here to collide with.
    takenLocation = await add.getByLabel(/^LocationId/).inputValue();
    const first = await submitAndRead(addButton());
    assert.equal(first.entry.className, 'success', first.entry.text);
  }
  await add.getByRole('radio', { name: 'live stream', exact: true }).check();
  await add.getByLabel(/^LocationId/).fill(takenLocation);

  const { entry, line } = await submitAndRead(addButton());
  assert.match(line, /^POST 400 DuplicateLocationID /);
  assert.equal(entry.action, 'AddCasterVideoResource');
  assert.equal(entry.className, 'failure');
  assert.equal(entry.fields.Code, 'DuplicateLocationID');
  assert.match(entry.fields.Message ?? '', new RegExp(takenLocation));
  assert.match(entry.fields.RequestId ?? '', UUID);

  const path = join(ARTIFACTS, 'console-error.png');
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 0);
});

test('a wrong secret shows InvalidAccessKeySecret, saying the AccessKeySecret is wrong; no secret disables the buttons', async () => {
  await chooseDemoStudio();
  const secret = connectionRegion().getByLabel(/^AccessKeySecret/);
  try {
    await secret.fill('');
    assert.match(await page.locator('#accessKeySecret-error').textContent(), /AccessKeySecret/);
    assert.equal(await startButton().isDisabled(), true, 'StartCasterScene is disabled without a secret');
    assert.equal(await addButton().isDisabled(), true, 'AddCasterVideoResource is disabled without a secret');

    await secret.fill(WRONG_SECRET);
    const { entry, line } = await submitAndRead(startButton());
    assert.match(line, /^POST 400 SignatureDoesNotMatch /);
    assert.equal(entry.className, 'failure');
    // The emulator signed the very string the page signed: only the secret can be wrong.
    assert.equal(entry.fields.Code, 'InvalidAccessKeySecret');
    assert.match(entry.fields.Message ?? '', /^the AccessKeySecret is wrong/);
    assert.match(entry.fields['What it means'] ?? '', /AccessKeySecret is wrong/);
    assert.ok(!entry.text.includes(WRONG_SECRET), 'the log never shows the secret');
  } finally {
    await useDemoKey();
  }
});

test('every input has a label; parameter labels start with the parameter name; buttons and log', async () => {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden')
    .filter((el) => !el.labels || el.labels.length === 0 || [...el.labels].every((l) => l.textContent.trim() === ''))
    .map((el) => el.id || `${el.tagName.toLowerCase()}[name=${el.name}]`));
  assert.deepEqual(unlabelled, [], 'inputs without a <label>');

  const expected = [
    [connectionRegion, 'Endpoint', 'endpoint'],
    [connectionRegion, 'RegionId', 'regionId'],
    [connectionRegion, 'AccessKeyId', 'accessKeyId'],
    [connectionRegion, 'AccessKeySecret', 'accessKeySecret'],
    [connectionRegion, 'SecurityToken', 'securityToken'],
    [startRegion, 'CasterId', 'start-CasterId'],
    [startRegion, 'SceneId', 'start-SceneId'],
    [addRegion, 'CasterId', 'add-CasterId'],
    [addRegion, 'ResourceName', 'add-ResourceName'],
    [addRegion, 'LocationId', 'add-LocationId'],
    [addRegion, 'LiveStreamUrl', 'add-LiveStreamUrl'],
    [addRegion, 'VodUrl', 'add-VodUrl'],
  ];
  for (const [scope, name, id] of expected) {
    const matches = scope().getByLabel(new RegExp(`^${name}\\b`));
    assert.equal(await matches.count(), 1, `one input labelled "${name}…" in its section`);
    assert.equal(await matches.getAttribute('id'), id, `the input labelled "${name}…"`);
    const labelText = await matches.evaluate((el) => el.labels[0].textContent.trim());
    assert.ok(labelText.startsWith(name), `label "${labelText}" starts with ${name}`);
  }

  assert.equal(await startButton().count(), 1);
  assert.equal(await addButton().count(), 1);
  assert.equal(await startRegion().getByRole('button', { name: 'StartCasterScene', exact: true }).count(), 1);
  assert.equal(await addRegion().getByRole('button', { name: 'AddCasterVideoResource', exact: true }).count(), 1);
  assert.equal(await log().count(), 1);
  assert.equal(await log().getByRole('listitem').count() > 0, true, 'the log holds the results');
});

test('the inspector shows the signature and string to sign, never the secret', async () => {
  await chooseDemoStudio();
  const inspector = inspectorRegion();
  const secret = connectionRegion().getByLabel(/^AccessKeySecret/);
  const read = () => inspector.evaluate((section) => ({
    text: section.textContent,
    terms: Object.fromEntries([...section.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()])),
  }));
  const signatures = [];
  try {
    for (const value of INSPECTOR_SECRETS) {
      await secret.fill(value);
      await startRegion().getByLabel(/^SceneId/).fill('demo-pvw-scene-2'); // edits the form the inspector follows
      const { text, terms } = await read();
      for (const leaked of [value, encodeURIComponent(value), demoKey.secret]) {
        assert.ok(!text.includes(leaked), `the inspector shows ${JSON.stringify(leaked)}`);
      }
      assert.match(terms['String to sign'] ?? '', /^POST&%2F&.*Action%3DStartCasterScene/);
      assert.match(terms['String to sign'], /SceneId%3Ddemo-pvw-scene-2/);
      assert.match(terms.Signature ?? '', /^[A-Za-z0-9+/]{27}=$/);
      // The signature shown is the HMAC-SHA1 of the string shown, keyed with the typed secret.
      const expected = createHmac('sha1', `${value}&`).update(terms['String to sign']).digest('base64');
      assert.equal(terms.Signature, expected);
      signatures.push(terms.Signature);
    }
    assert.notEqual(signatures[0], signatures[1]);
  } finally {
    await useDemoKey();
  }
});

test('no secret in storage, cookies, the URL or the console', async () => {
  await chooseDemoStudio();
  const connection = connectionRegion();
  await connection.getByLabel(/^AccessKeySecret/).fill(FINAL_SECRET);
  await connection.getByLabel(/^SecurityToken/).fill(FINAL_TOKEN);

  const post = await submitAndRead(startButton());
  assert.match(post.line, /^POST 400 SignatureDoesNotMatch /);
  // And once with GET, which puts the signed parameters (the token among them) in the request URL.
  await connection.getByRole('radio', { name: /^GET/ }).check();
  await addRegion().getByLabel(/^LocationId/).fill('RV09');
  const get = await submitAndRead(addButton());
  assert.match(get.line, /^GET 400 SignatureDoesNotMatch /);
  await connection.getByRole('radio', { name: /^POST/ }).check();

  const stored = await page.evaluate(() => {
    const dump = (storage) => Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i))}`).join('\n');
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie };
  });
  const cookies = JSON.stringify(await context.cookies());
  const secrets = [FINAL_SECRET, FINAL_TOKEN, WRONG_SECRET, ...INSPECTOR_SECRETS, demoKey.secret];
  for (const secret of secrets) {
    for (const form of [secret, encodeURIComponent(secret)]) {
      assert.ok(!stored.local.includes(form), `localStorage holds ${form}`);
      assert.ok(!stored.session.includes(form), `sessionStorage holds ${form}`);
      assert.ok(!stored.cookie.includes(form), `document.cookie holds ${form}`);
      assert.ok(!cookies.includes(form), `a cookie holds ${form}`);
      assert.ok(!page.url().includes(form), `the page URL holds ${form}`);
      // The SecurityToken is a signed request parameter, which the inspector shows; secrets never.
      if (secret !== FINAL_TOKEN) assert.ok(!(await page.content()).includes(form), `the page's markup holds ${form}`);
      const leaking = consoleMessages.filter((message) => message.includes(form));
      assert.deepEqual(leaking, [], `console messages holding ${form}`);
    }
  }
  assert.equal(consoleMessages.filter((m) => m.startsWith('pageerror')).length, 0, consoleMessages.join('\n'));
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
    await crafty.getByLabel(/^Endpoint/).fill(`http://127.0.0.1:${crafted.address().port}`);
    const start = crafty.getByRole('region', { name: /^StartCasterScene/ });
    await start.getByLabel(/^CasterId/).fill(STUDIO);
    await start.getByLabel(/^SceneId/).fill('demo-pvw-scene-1');
    const results = crafty.getByRole('log').getByRole('listitem');
    for (const [i, text] of recommends.entries()) {
      recommend = text;
      await crafty.getByRole('button', { name: 'StartCasterScene', exact: true }).click();
      await results.nth(i).waitFor();
      const shown = await results.first().evaluate((item) => {
        const term = [...item.querySelectorAll('dt')].find((dt) => dt.textContent.trim() === 'Recommend');
        const dd = term?.nextElementSibling;
        return { code: item.querySelector('dd')?.textContent, text: dd?.textContent, links: [...(dd?.querySelectorAll('a') ?? [])].map((a) => a.getAttribute('href')) };
      });
      assert.equal(shown.code, 'InvalidCaster.NotFound', `the crafted error for ${text}`);
      assert.equal(shown.text, text, 'the Recommend is shown as it came');
      const linked = /^https?:\/\//.test(text);
      assert.deepEqual(shown.links, linked ? [new URL(text).href] : [], `${text}: ${linked ? 'a link' : 'no link'}`);
    }
    const scripted = await crafty.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((href) => !/^https?:/i.test(href)));
    assert.deepEqual(scripted, [], 'a link that is not http(s) on the page');
  } finally {
    await own.close();
    await new Promise((resolve) => { crafted.close(resolve); });
  }
});
