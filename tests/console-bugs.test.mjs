// The console page's known faults, each a test in real Chromium (playwright-core) against the
// emulator in this process: emulator controls that stay off the emulator, an inspector that shows
// another request than the one sent, sideways scrolling at 390 px, results out of sight with focus
// lost, problems shown before anything was typed or one at a time, a full studio still offering a
// position, and a focus ring too faint to see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createEmulator, DEMO_ACCESS_KEY } from '../emulator/server.mjs';
import { CasterClient } from '../dist/node.mjs';
import { launchChromium } from './support/chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STUDIO = 'LIVEPRODUCER_POST-cn-emulator-demo';
const SMALL_STUDIO = 'LIVEPRODUCER_POST-cn-emulator-idle'; // two positions
const REAL_ENDPOINT = 'https://live.aliyuncs.com';

let emulator;
let base;
let browser;

before(async () => {
  emulator = createEmulator({ wwwDir: join(ROOT, 'www'), log: () => {} });
  base = `http://127.0.0.1:${await emulator.listen(0)}/`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await emulator?.close();
});

/** A fresh page (own context) at `viewport`, ready; the real endpoint never reached from here. */
async function open({ viewport = { width: 1280, height: 900 }, settings } = {}) {
  const context = await browser.newContext({ viewport });
  if (settings) {
    await context.addInitScript((saved) => { localStorage.setItem('aliyun-caster-console', saved); }, JSON.stringify(settings));
  }
  // The test machine has no way out: the real endpoint is refused at once, as an offline one is.
  await context.route(`${REAL_ENDPOINT}/**`, (route) => route.abort('connectionrefused'));
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  await page.goto(base);
  await page.getByRole('status').filter({ hasText: /^Ready/ }).first().waitFor({ timeout: 10_000 });
  return { context, page };
}

/** Picks the studio in the studio view and waits for its positions. */
async function chooseStudio(page, casterId) {
  await page.getByRole('combobox', { name: /^Studio/ }).selectOption(casterId);
  await page.getByRole('list', { name: 'Positions' }).waitFor();
}

/** Opens the connection form (it is a one-line summary once valid). */
async function editConnection(page) {
  if (await page.getByRole('button', { name: 'Edit', exact: true }).isVisible()) await page.getByRole('button', { name: 'Edit', exact: true }).click();
}

async function openAdvanced(page) {
  const advanced = page.locator('#advanced');
  if (!(await advanced.evaluate((d) => d.open))) await advanced.locator('summary').click();
}

/** Opens the request details and returns term → text, with a term's element for the Parameters table. */
async function requestDetails(page) {
  const details = page.locator('#inspector-details');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  return details.evaluate((d) => {
    const terms = Object.fromEntries([...d.querySelectorAll('dl > dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.innerText]));
    const params = Object.fromEntries([...d.querySelectorAll('table.params tr')].map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
    return { terms, params };
  });
}

const client = () => new CasterClient({ endpoint: base, regionId: 'cn-shanghai', ...DEMO_ACCESS_KEY });

test('off the emulator, its demo key and studio are not offered and the header says where the page is connected', async () => {
  const { context, page } = await open();
  try {
    const demoKey = page.getByRole('button', { name: "Use the emulator's demo key" });
    await editConnection(page);
    assert.equal(await demoKey.isVisible(), true, 'on the emulator the demo key is offered');
    await page.getByLabel(/^Endpoint/).fill(REAL_ENDPOINT);
    await page.getByLabel(/^Endpoint/).press('Tab');
    await demoKey.waitFor({ state: 'hidden' });
    const status = await page.getByRole('status').first().textContent();
    assert.doesNotMatch(status, /emulator/i, `the header says: ${status}`);
    assert.match(status, /live\.aliyuncs\.com/, `the header says: ${status}`);

    // Via the proxy, the page holds no key: no demo key either, though the endpoint is the emulator.
    await page.getByLabel(/^Endpoint/).fill(base);
    await page.getByLabel(/^Endpoint/).press('Tab');
    await demoKey.waitFor({ state: 'visible' });
    await openAdvanced(page);
    await page.getByRole('radio', { name: /Via proxy/ }).check();
    assert.equal(await demoKey.isVisible(), false, 'the demo key is offered in proxy mode');
    assert.match(await page.getByRole('status').first().textContent(), /proxy/i);
  } finally {
    await context.close();
  }
});

test('after an add, the request details show the LocationId that was sent', async () => {
  const { context, page } = await open();
  try {
    await chooseStudio(page, STUDIO);
    await page.getByRole('button', { name: /^Add a source here/ }).first().click();
    await page.getByLabel(/^Name/).fill('Camera 1');
    await page.getByLabel(/^Stream URL/).fill('rtmp://example.com/live/camera1');
    await page.getByRole('button', { name: /^Add source/ }).click();
    await page.locator('.result.success').filter({ hasText: 'ResourceId' }).waitFor();
    const { terms, params } = await requestDetails(page);
    const resources = emulator.state.snapshot().casters.find((c) => c.casterId === STUDIO).resources;
    assert.equal(params.LocationId, resources.at(-1).locationId, 'the LocationId shown as sent');
    // Exactly the request that went out: its body carries the signature shown.
    assert.match(terms.Body ?? '', new RegExp(`LocationId=${resources.at(-1).locationId}`));
    assert.ok(terms.Body.includes(`Signature=${encodeURIComponent(terms.Signature)}`), `the body sent: ${terms.Body}`);
  } finally {
    await context.close();
  }
});

test('at 390 px nothing scrolls sideways, names do not break mid-word, proxy headers are one a line', async () => {
  const { context, page } = await open({ viewport: { width: 390, height: 844 } });
  try {
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'the document\'s width');
    // The details' terms and the parameter names of their tables: cut, or laid out on more than
    // one line (a cell is as tall as its row, so its text's lines are counted instead).
    const brokenNames = () => page.locator('#inspector').evaluate((inspector) => [...inspector.querySelectorAll('dt, table.params td:first-child')]
      .filter((name) => {
        const range = document.createRange();
        range.selectNodeContents(name);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        return name.scrollWidth > name.clientWidth + 1 || lines.size > 1;
      })
      .map((name) => name.textContent));
    const direct = await requestDetails(page); // the studios were listed on load
    assert.ok(direct.terms['String to sign'], 'the details of the request sent at load');
    assert.deepEqual(await brokenNames(), [], 'names wrapped or cut');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'the document\'s width with the details open');

    await editConnection(page);
    await openAdvanced(page);
    await page.getByRole('radio', { name: /Via proxy/ }).check();
    await page.getByLabel(/^Proxy token/).fill('a-token');
    await page.getByRole('button', { name: 'Use this connection' }).click();
    await page.getByRole('log').getByRole('listitem').filter({ hasText: 'DescribeCasters' }).nth(1).waitFor();
    const { terms } = await requestDetails(page);
    assert.equal(terms.Headers.split('\n').length, 2, `the headers as shown: ${terms.Headers}`);
    assert.deepEqual(await brokenNames(), [], 'names wrapped or cut');
  } finally {
    await context.close();
  }
});

test('at 1920×1080 a result appears in view and takes the focus', async () => {
  const { context, page } = await open({ viewport: { width: 1920, height: 1080 } });
  try {
    await chooseStudio(page, STUDIO);
    const scene = page.getByRole('list', { name: 'Scenes' }).getByRole('listitem').filter({ hasText: 'demo-pvw-scene-2' });
    await scene.getByRole('button', { name: /^Start preview scene/ }).click();
    await scene.locator('.result').waitFor();
    await page.waitForTimeout(100);
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      return { tag: el.tagName, text: el.textContent.slice(0, 200), top: box.top, bottom: box.bottom };
    });
    assert.notEqual(focus.tag, 'BODY', 'focus dropped to the body');
    assert.match(focus.text, /rtmp:\/\//, 'the focused element is the result');
    assert.ok(focus.top >= 0 && focus.bottom <= 1080, `the result is in view: ${focus.top}…${focus.bottom}`);
  } finally {
    await context.close();
  }
});

test('on first load nothing is marked wrong; once touched, every connection problem shows at once', async () => {
  // A returning user with their own key id: nothing filled in for them, nothing typed yet.
  const { context, page } = await open({ settings: { mode: 'direct', endpoint: base, accessKeyId: 'LTAI5tSomeoneElsesKey' } });
  try {
    const marked = await page.evaluate(() => ({
      invalid: [...document.querySelectorAll('[aria-invalid="true"]')].map((el) => el.id),
      messages: [...document.querySelectorAll('.error')].filter((el) => el.textContent.trim() && el.offsetParent).map((el) => el.id || el.textContent),
    }));
    assert.deepEqual(marked, { invalid: [], messages: [] }, 'marked wrong before anything was typed');

    await page.getByLabel(/^Endpoint/).fill('ftp://nowhere');
    await page.getByLabel(/^RegionId/).fill('not a region');
    await page.getByLabel(/^AccessKeyId/).fill('');
    await page.getByLabel(/^AccessKeySecret/).fill('x');
    await page.getByLabel(/^AccessKeySecret/).fill('');
    await page.getByLabel(/^AccessKeySecret/).press('Tab');
    const shown = await page.evaluate(() => ['endpoint', 'regionId', 'accessKeyId', 'accessKeySecret']
      .filter((id) => document.getElementById(id).getAttribute('aria-invalid') === 'true'));
    assert.deepEqual(shown, ['endpoint', 'regionId', 'accessKeyId', 'accessKeySecret'], 'the problems marked');
  } finally {
    await context.close();
  }
});

test('a full studio offers no position to add a source in', async () => {
  const api = client();
  for (const [i, location] of ['RV01', 'RV02'].entries()) {
    await api.addCasterVideoResource({ CasterId: SMALL_STUDIO, ResourceName: `Camera ${i + 1}`, LocationId: location, LiveStreamUrl: `rtmp://example.com/live/${i}` });
  }
  const { context, page } = await open();
  try {
    await chooseStudio(page, SMALL_STUDIO);
    assert.match(await page.locator('#positions-note').textContent(), /2 of 2 sources/);
    const offers = await page.getByRole('button', { name: /\badd/i }).evaluateAll((buttons) => buttons
      .filter((b) => b.offsetParent && !b.disabled).map((b) => b.textContent.trim()));
    assert.deepEqual(offers, [], 'enabled buttons that add to a studio with 2 of 2 sources');
  } finally {
    await context.close();
    const { VideoResources } = await api.describeCasterVideoResources({ CasterId: SMALL_STUDIO });
    for (const r of VideoResources.VideoResource) await api.deleteCasterVideoResource({ CasterId: SMALL_STUDIO, ResourceId: r.ResourceId });
  }
});

/** WCAG's contrast ratio of two `rgb(…)` colours. */
function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('the focus ring has at least 3:1 contrast with what is around it', async () => {
  const { context, page } = await open();
  try {
    await page.keyboard.press('Tab');
    const rings = [];
    for (let i = 0; i < 6; i += 1) {
      rings.push(await page.evaluate(() => {
        const el = document.activeElement;
        if (el === document.body) return undefined; // past the last control
        let bg = 'rgba(0, 0, 0, 0)';
        for (let at = el.parentElement; at && /rgba\(0, 0, 0, 0\)|transparent/.test(bg); at = at.parentElement) bg = getComputedStyle(at).backgroundColor;
        const style = getComputedStyle(el);
        return { id: el.id || el.textContent.trim(), outline: style.outlineStyle === 'none' ? undefined : style.outlineColor, bg };
      }));
      await page.keyboard.press('Tab');
    }
    assert.ok(rings.filter(Boolean).length >= 4, `controls reached by Tab: ${rings.filter(Boolean).map((r) => r.id).join(', ')}`);
    for (const ring of rings.filter(Boolean)) {
      assert.ok(ring.outline, `${ring.id} shows no focus ring`);
      const ratio = contrast(ring.outline, ring.bg);
      assert.ok(ratio >= 3, `${ring.id}: focus ring ${ring.outline} on ${ring.bg} is ${ratio.toFixed(2)}:1`);
    }
  } finally {
    await context.close();
  }
});
