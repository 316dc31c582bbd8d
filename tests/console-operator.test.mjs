// The console page as an operator uses it, in real Chromium (playwright-core) against the emulator
// in this process: pick a studio, start and stop a scene, add a source in a free position, rename
// it, remove it, and see a source another client added once the view is refreshed; the same by
// keyboard alone; no sideways scrolling at 390, 1280 and 1920 px (screenshots in test-artifacts/);
// and axe-core with no serious or critical violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createEmulator, DEMO_ACCESS_KEY } from '../emulator/server.mjs';
import { CasterClient } from '../dist/node.mjs';
import { launchChromium } from './support/chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const STUDIO = 'LIVEPRODUCER_POST-cn-emulator-demo';
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

let emulator;
let base;
let browser;
const apiLog = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  emulator = createEmulator({ wwwDir: join(ROOT, 'www'), log: (line) => apiLog.push(line) });
  base = `http://127.0.0.1:${await emulator.listen(0)}/`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await emulator?.close();
});

async function open(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(base);
  await page.getByRole('status').filter({ hasText: /^Ready\. Connected to the local emulator/ }).waitFor({ timeout: 10_000 });
  return { context, page, errors };
}

const scenes = (page) => page.getByRole('list', { name: 'Scenes' });
const scene = (page, id) => scenes(page).getByRole('listitem').filter({ hasText: id });
const position = (page, location) => page.locator(`[data-location="${location}"]`);
const resources = () => emulator.state.snapshot().casters.find((c) => c.casterId === STUDIO).resources;

/** Waits for the result next to `where` and for the focus to be on it; returns its text. */
async function resultAt(page, where) {
  const box = where.locator('.result');
  await box.waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains('result'), null, { timeout: 3000 })
    .catch(() => { throw new Error('the focus did not move to the result'); });
  assert.equal(await box.evaluate((b) => b === document.activeElement), true, 'the focus is on this result');
  return box.innerText();
}

async function announced(page) {
  await page.waitForFunction(() => document.querySelector('#announce').textContent !== '', null, { timeout: 3000 });
  return page.locator('#announce').textContent();
}

test('an operator picks the studio, starts and stops a scene, adds, renames and removes a source, and sees another client\'s', async () => {
  const { context, page, errors } = await open();
  try {
    await page.getByRole('combobox', { name: /^Studio/ }).selectOption(STUDIO);
    await page.getByRole('list', { name: 'Positions' }).waitFor();
    assert.match(await page.locator('#positions-note').textContent(), /^0 of 4 sources/);
    assert.equal(await page.getByRole('button', { name: /^Add a source here/ }).count(), 4, 'four free positions offer an add');
    assert.deepEqual(await scenes(page).getByRole('listitem').evaluateAll((items) => items.map((i) => i.querySelector('.scene-name').textContent)),
      ['demo-pvw-scene-1', 'demo-pvw-scene-2', 'demo-pgm-scene']);

    // Start, then stop, the first preview scene.
    const pvw = scene(page, 'demo-pvw-scene-1');
    await pvw.getByRole('button', { name: /^Start preview scene · StartCasterScene/ }).click();
    assert.match(await resultAt(page, pvw), new RegExp(`rtmp://emulator\\.localhost/caster/${STUDIO}/demo-pvw-scene-1`));
    assert.match(await announced(page), /^Start preview scene: Running/);
    assert.match(await pvw.locator('.state').textContent(), /running/);
    await pvw.getByRole('button', { name: /^Stop preview scene · StopCasterScene/ }).click();
    assert.match(await resultAt(page, pvw), /Stop preview scene: done[\s\S]*demo-pvw-scene-1 stopped/);
    assert.match(await pvw.locator('.state').textContent(), /stopped/);
    assert.equal(emulator.state.snapshot().casters.find((c) => c.casterId === STUDIO).scenes[0].status, 'idle');

    // Add a source in RV02; it shows in its position.
    const rv02 = position(page, 'RV02');
    await rv02.getByRole('button', { name: /^Add a source here/ }).click();
    await rv02.getByLabel(/^Name/).fill('Stage camera');
    await rv02.getByLabel(/^Stream URL/).fill('rtmp://example.com/live/stage');
    await rv02.getByRole('button', { name: /^Add source · AddCasterVideoResource/ }).click();
    const added = await resultAt(page, rv02);
    assert.match(added, /Stage camera added in RV02/);
    const [source] = resources();
    assert.equal(source.locationId, 'RV02');
    assert.match(source.resourceId, UUID);
    assert.ok(added.includes(source.resourceId), 'the new ResourceId is shown');
    assert.match(await rv02.innerText(), /Stage camera\s+live stream · LiveStreamUrl\s+rtmp:\/\/example\.com\/live\/stage/);

    // Rename it.
    await rv02.getByRole('button', { name: /^Edit/ }).click();
    assert.equal(await rv02.getByLabel(/^Name/).inputValue(), 'Stage camera');
    assert.equal(await rv02.getByLabel(/^Stream URL/).inputValue(), 'rtmp://example.com/live/stage');
    // ModifyCasterVideoResource takes a PTS callback interval but no fixed delay.
    assert.equal(await rv02.getByLabel(/^PTS callback every/).isVisible(), true);
    assert.equal(await rv02.getByLabel(/^Fixed delay/).isVisible(), false);
    await rv02.getByLabel(/^Name/).fill('Wide shot');
    await rv02.getByRole('button', { name: /^Save changes · ModifyCasterVideoResource/ }).click();
    assert.match(await resultAt(page, rv02), /Wide shot saved in RV02/);
    assert.equal(resources()[0].resourceName, 'Wide shot');
    assert.match(await rv02.locator('.source-name').textContent(), /^Wide shot$/);

    // Another client adds a source in RV04: it appears after a refresh.
    await new CasterClient({ endpoint: base, regionId: 'cn-shanghai', ...DEMO_ACCESS_KEY })
      .addCasterVideoResource({ CasterId: STUDIO, ResourceName: 'Lobby feed', LocationId: 'RV04', VodUrl: 'https://example.com/media/lobby.mp4' });
    assert.equal(await position(page, 'RV04').getByText('Lobby feed').count(), 0, 'not shown before a refresh');
    await page.getByRole('button', { name: /^Refresh/ }).click();
    await position(page, 'RV04').getByText('Lobby feed', { exact: true }).waitFor();
    assert.match(await position(page, 'RV04').innerText(), /video file · VodUrl/);
    assert.match(await page.locator('#positions-note').textContent(), /^2 of 4 sources/);
    assert.match(await page.locator('#studio-result').innerText(), /2 studios found/);

    // Remove the renamed source: confirmed first, then its position is free again.
    await rv02.getByRole('button', { name: /^Remove/ }).click();
    await rv02.getByRole('button', { name: /^Remove Wide shot · DeleteCasterVideoResource/ }).click();
    assert.match(await resultAt(page, rv02), /Wide shot removed from RV02/);
    assert.equal(await rv02.getByRole('button', { name: /^Add a source here/ }).count(), 1);
    assert.deepEqual(resources().map((r) => r.locationId), ['RV04']);

    // The session's log holds every request, newest first.
    const logged = await page.getByRole('log').getByRole('listitem').locator('strong').allTextContents();
    for (const action of ['DescribeCasters', 'StartCasterScene', 'StopCasterScene', 'AddCasterVideoResource', 'ModifyCasterVideoResource', 'DeleteCasterVideoResource']) {
      assert.ok(logged.some((text) => text.trim() === action), `${action} is in the log`);
    }
    assert.deepEqual(apiLog.filter((line) => !line.startsWith('POST 200 OK')), [], 'every request succeeded');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a studio is opened by its ID, for keys that may not list studios; a malformed ID is explained and nothing is sent', async () => {
  const { context, page, errors } = await open();
  try {
    const form = page.locator('#studio-id-form');
    const sent = apiLog.length;
    await form.getByLabel(/^Or open a studio by ID/).fill('not an id');
    await form.getByRole('button', { name: 'Open studio' }).click();
    assert.match(await page.locator('#studio-id-error').textContent(), /CasterId must not contain whitespace/);
    assert.equal(apiLog.length, sent, 'nothing was sent');

    await form.getByLabel(/^Or open a studio by ID/).fill('LIVEPRODUCER_POST-cn-emulator-idle');
    await form.getByRole('button', { name: 'Open studio' }).click();
    await scene(page, 'idle-pvw-scene').waitFor();
    assert.equal(await page.locator('#studio-id-error').textContent(), '');
    // The log says what a describe found in a few words; the studio view shows the items.
    const listed = page.getByRole('log').getByRole('listitem').filter({ hasText: /DescribeCasters\b/ }).first();
    assert.match(await listed.innerText(), /CasterList\s+2 × Caster\b/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('by keyboard alone: pick the studio, add a source in a free position, and hear the result', async () => {
  const { context, page, errors } = await open();
  try {
    const press = async (key, times = 1) => {
      for (let i = 0; i < times; i += 1) await page.keyboard.press(key);
    };
    /** Tabs until `predicate` holds for the focused element, at most `limit` presses. */
    const tabTo = async (what, predicate, limit = 40) => {
      for (let i = 0; i < limit; i += 1) {
        await press('Tab');
        if (await page.evaluate(predicate)) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo('the studio list', () => document.activeElement.id === 'studio');
    await press('ArrowDown'); // the first studio
    await page.getByRole('list', { name: 'Positions' }).waitFor();
    const free = await page.locator('.position.free').first().getAttribute('data-location');
    await tabTo(`the add button of ${free}`, () => document.activeElement.textContent === 'Add a source here');
    await press('Enter');
    assert.match(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent ?? ''), /^Name/, 'the focus is in the new form');
    await page.keyboard.type('Keyboard camera');
    await press('Tab'); // the source type: live stream
    await press('Tab'); // the stream URL
    await page.keyboard.type('rtmp://example.com/live/keyboard');
    await press('Enter'); // submits the form
    const text = await resultAt(page, position(page, free));
    assert.match(text, new RegExp(`Keyboard camera added in ${free}`));
    assert.match(await announced(page), new RegExp(`^Add source: Keyboard camera added in ${free}`));
    assert.ok(resources().some((r) => r.resourceName === 'Keyboard camera' && r.locationId === free));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('at 390, 1280 and 1920 px nothing scrolls sideways; screenshots in test-artifacts/', async () => {
  for (const width of [390, 1280, 1920]) {
    const { context, page } = await open({ width, height: width === 390 ? 844 : 1080 });
    try {
      await page.getByRole('combobox', { name: /^Studio/ }).selectOption(STUDIO);
      await page.getByRole('list', { name: 'Positions' }).waitFor();
      const free = await page.locator('.position.free').first().getAttribute('data-location');
      await position(page, free).getByRole('button', { name: /^Add a source here/ }).click();
      await page.locator('#inspector-details summary').click();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.equal(scrollWidth, width, `the document at ${width} px is ${scrollWidth} px wide`);
      const wider = await page.evaluate((w) => [...document.querySelectorAll('body *')]
        .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > w + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}`).slice(0, 5), width);
      assert.deepEqual(wider, [], `elements past the right edge at ${width} px`);
      const path = join(ARTIFACTS, `console-${width}.png`);
      await page.screenshot({ path, fullPage: true });
      assert.ok(statSync(path).size > 0);
    } finally {
      await context.close();
    }
  }
});

test('axe-core finds no serious or critical violation: on load, with a studio open, an editor, a failure and the details', async () => {
  const { context, page } = await open();
  try {
    await page.addScriptTag({ path: AXE });
    const check = async (state) => {
      const { violations, passes } = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const results = await axe.run(document, { resultTypes: ['violations'] });
        return {
          passes: results.passes.length,
          violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })),
        };
      });
      const counts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
      for (const v of violations) counts[v.impact] += 1;
      console.log(`axe-core, ${state}: ${JSON.stringify(counts)}, ${passes} rules passed${violations.length ? `; ${JSON.stringify(violations)}` : ''}`);
      assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], `${state}: serious or critical violations`);
    };
    await check('on load');
    await page.getByRole('combobox', { name: /^Studio/ }).selectOption(STUDIO);
    await page.getByRole('list', { name: 'Positions' }).waitFor();
    await check('a studio open');
    const free = await page.locator('.position.free').first().getAttribute('data-location');
    await position(page, free).getByRole('button', { name: /^Add a source here/ }).click();
    await position(page, free).getByRole('button', { name: /^Add source/ }).click(); // empty: every problem shown
    await check('an editor with its problems');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.locator('#advanced summary').click();
    await page.locator('#inspector-details summary').click();
    await check('the connection, Advanced and the request details open');
    const idle = scene(page, 'demo-pvw-scene-2');
    await page.getByRole('button', { name: 'Use this connection' }).click();
    await page.getByRole('combobox', { name: /^Studio/ }).selectOption('LIVEPRODUCER_POST-cn-emulator-idle');
    await scene(page, 'idle-pvw-scene').getByRole('button', { name: /^Start preview scene/ }).click();
    assert.match(await resultAt(page, scene(page, 'idle-pvw-scene')), /IncorrectCasterStatus\.Idle/);
    assert.equal(await idle.count(), 0);
    await check('a failure shown');
  } finally {
    await context.close();
  }
});
