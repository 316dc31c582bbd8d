// Attacks on the emulator's HTTP surface (contract section 5), each written against the code it
// broke: a request dated ahead of the clock replayed once its nonce was forgotten; the state view
// (stream keys included) read by the page of another site; a foreign Host (DNS rebinding) reaching
// the API, the state and the page; request-targets that made it answer 500 with no log line; and
// clients that hold a connection by sending slowly. Every request is real HTTP to an emulator on
// 127.0.0.1 started and closed by its test; odd targets and headers go raw over a socket, since
// fetch normalises them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { signRequest } from 'aliyun-caster';
import {
  CLOCK_TOLERANCE_MS, DEMO_ACCESS_KEY, HEADERS_TIMEOUT_MS, MAX_HEADER_BYTES, NONCE_TTL_MS, REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from '../emulator/server.mjs';
import { parseResponse, rawRequest, startEmulator } from './support/emulator.mjs';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', 'www');
const MINUTE = 60 * 1000;
const KEY = { accessKeyId: 'LTAIattackTestKey', accessKeySecret: 'attack-secret-Zq9-echidna-0b7d' };
const CASTER = 'caster-attack';
const CONFIG = { accessKeys: [KEY], casters: [{ casterId: CASTER, status: 'started', ingestEndpoints: 20, scenes: [{ sceneId: 'pvw-1', type: 'PVW' }] }] };
/** One log line per request: method (or "-" when none could be read), status, code, operation, studio, time. */
const LOG_LINE = /^(\S+) (\d{3}) (\S+) \S+ \S+ \d+ms$/;

const timestamp = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const location = (n) => `RV${String(n).padStart(2, '0')}`;
const add = (n, source = { ImageId: `image-${n}` }) => ({ CasterId: CASTER, ResourceName: `attack ${n}`, LocationId: location(n), ...source });

/** An emulator in this process with this file's config and key (see support/emulator.mjs). */
const start = (t, options = {}) => startEmulator(t, { config: CONFIG, key: KEY, ...options });

const send = (signed, headers = {}) => fetch(signed.url, { method: signed.method, headers: { ...signed.headers, ...headers }, body: signed.body });



/** A request with `Connection: close`, `headers` given as [name, value] pairs (`host` among them or not). */
function requestText(method, target, headers, body = '') {
  const lines = [`${method} ${target} HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`)];
  if (body !== '' || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * A refusal: `status`, a JSON body in the API's error shape with `code`, and exactly one new log
 * line (`lines` after `before` of them) that names the same status and code.
 */
function expectRefusal(reply, status, code, lines, before, what) {
  const about = `${what}: HTTP ${reply.status} ${reply.raw.slice(0, 300)}`;
  assert.equal(reply.status, status, about);
  assert.match(reply.headers['content-type'] ?? '', /^application\/json/, about);
  assert.ok(reply.json, `${what}: the body is not JSON: ${reply.body}`);
  for (const field of ['RequestId', 'HostId', 'Code', 'Message']) {
    assert.equal(typeof reply.json[field], 'string', `${what}: ${field} in ${reply.body}`);
    assert.ok(reply.json[field].length > 0, `${what}: ${field} is empty`);
  }
  assert.equal(reply.json.Code, code, about);
  const added = lines.slice(before);
  assert.equal(added.length, 1, `${what}: one log line, got ${JSON.stringify(added)}`);
  const [, , loggedStatus, loggedCode] = LOG_LINE.exec(added[0]) ?? [];
  assert.deepEqual([loggedStatus, loggedCode], [String(status), code], `${what}: log line ${added[0]}`);
}

/** Waits until `lines` has `count` lines or a second has passed (a log line follows its reply). */
async function settle(lines, count) {
  const deadline = Date.now() + 1000;
  while (lines.length < count && Date.now() < deadline) await new Promise((resolve) => { setTimeout(resolve, 10); });
}

// ---------------------------------------------------------------------------------------------
// Replay: a nonce is remembered for as long as its request could be accepted
// ---------------------------------------------------------------------------------------------

for (const algorithm of ['v1', 'v3']) {
  const dateName = algorithm === 'v1' ? 'Timestamp' : 'x-acs-date';
  test(`replay (${algorithm}): a request dated 14 minutes ahead is refused as a replay for as long as its ${dateName} is acceptable`, async (t) => {
    let clock = Date.now();
    const T = clock;
    const { emulator, sign } = await start(t, { now: () => clock });
    const signed = sign('AddCasterVideoResource', add(1), { signatureAlgorithm: algorithm, timestamp: timestamp(T + 14 * MINUTE) });
    assert.equal((await send(signed)).status, 200, 'a request 14 minutes ahead is within the tolerance');

    // 16 and 28 minutes later the nonce has been held longer than NONCE_TTL_MS, but the request's
    // own time (cut to the second) is still within the tolerance of the clock: a replay must be
    // refused.
    assert.ok(16 * MINUTE > NONCE_TTL_MS && 28 * MINUTE - 14 * MINUTE < CLOCK_TOLERANCE_MS);
    for (const later of [16, 28]) {
      clock = T + later * MINUTE;
      const replay = await send(signed);
      const body = await replay.json();
      assert.deepEqual([replay.status, body.Code], [400, 'SignatureNonceUsed'], `the replay ${later} minutes later: ${JSON.stringify(body)}`);
    }
    // Past the tolerance the request itself is refused.
    clock = T + 14 * MINUTE + CLOCK_TOLERANCE_MS + 1000;
    assert.equal((await (await send(signed)).json()).Code, 'InvalidTimeStamp.Expired');
    const held = emulator.state.snapshot().casters.find((c) => c.casterId === CASTER).resources;
    assert.deepEqual(held.map((r) => r.locationId), ['RV01'], 'the source was added more than once');
  });
}

test('the nonce table is bounded: when it is full a request is refused (503 ServiceUnavailable) until nonces expire', async (t) => {
  let clock = Date.now();
  const T = clock;
  const { sign, lines } = await start(t, { now: () => clock, maxNonces: 4 });
  const scene = { CasterId: CASTER, SceneId: 'pvw-1' };
  for (let i = 0; i < 4; i++) assert.equal((await send(sign('StartCasterScene', scene, { timestamp: timestamp(clock) }))).status, 200);
  const fifth = await send(sign('StartCasterScene', scene, { timestamp: timestamp(clock) }));
  assert.deepEqual([fifth.status, (await fifth.json()).Code], [503, 'ServiceUnavailable']);
  assert.match(lines.at(-1), /^POST 503 ServiceUnavailable /);
  // Once the four are past their expiry they are pruned, and a request is accepted again.
  clock = T + Math.max(NONCE_TTL_MS, CLOCK_TOLERANCE_MS) + 1000;
  assert.equal((await send(sign('StartCasterScene', scene, { timestamp: timestamp(clock) }))).status, 200);
});

// ---------------------------------------------------------------------------------------------
// The state view: this machine only, and no credentials in URLs
// ---------------------------------------------------------------------------------------------

test('the state view carries no CORS header, is refused to other origins, and shows no URL query or userinfo', async (t) => {
  const { port, sign, lines } = await start(t);
  const host = `127.0.0.1:${port}`;
  const sources = [
    { LiveStreamUrl: 'rtmp://example.com/live/cam?auth_key=1700000000-0-0-echidnaStreamKey' },
    { VodUrl: 'https://example.com/v.mp4?Signature=echidnaVodSig#t=echidnaFragment' },
    { ImageUrl: 'https://echidnaUser:echidnaPass@example.com/i.png' },
  ];
  for (const [i, source] of sources.entries()) assert.equal((await send(sign('AddCasterVideoResource', add(i + 1, source)))).status, 200);

  const state = (headers, method = 'GET') => rawRequest(port, requestText(method, '/_emulator/state', [['Host', host], ...headers]));
  const allowed = await state([]);
  assert.equal(allowed.status, 200, allowed.raw);
  assert.deepEqual(Object.keys(allowed.headers).filter((name) => name.startsWith('access-control-')), [], 'CORS headers on the state view');
  assert.ok(!/echidna/i.test(allowed.body), `the state view shows a credential from a URL: ${allowed.body}`);
  const held = allowed.json.casters.find((c) => c.casterId === CASTER).resources;
  assert.deepEqual(held.map((r) => r.LiveStreamUrl ?? r.VodUrl ?? r.ImageUrl),
    ['rtmp://example.com/live/cam?…', 'https://example.com/v.mp4?…', 'https://…@example.com/i.png']);

  // What a browser sends for the page of another site, or for another origin of this one.
  const refused = [
    [['Origin', 'http://evil.example']],
    [['Origin', 'null']],
    [['Origin', `http://localhost:${port}`]],
    [['Sec-Fetch-Site', 'cross-site']],
    [['Sec-Fetch-Site', 'same-site']],
    [['Origin', `http://${host}`], ['Sec-Fetch-Site', 'cross-site']],
  ];
  for (const headers of refused) {
    const before = lines.length;
    const reply = await state(headers);
    await settle(lines, before + 1);
    expectRefusal(reply, 403, 'Forbidden.CrossOrigin', lines, before, JSON.stringify(headers));
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
    assert.ok(!/echidna/i.test(reply.body));
  }
  // A preflight for it is not granted either.
  const preflight = await state([['Origin', 'http://evil.example'], ['Access-Control-Request-Method', 'GET']], 'OPTIONS');
  assert.equal(preflight.headers['access-control-allow-origin'], undefined, preflight.raw);
  // The page's own requests: same origin, or typed into the address bar.
  for (const headers of [[['Origin', `http://${host}`]], [['Sec-Fetch-Site', 'same-origin']], [['Sec-Fetch-Site', 'none']]]) {
    assert.equal((await state(headers)).status, 200, JSON.stringify(headers));
  }
});

// ---------------------------------------------------------------------------------------------
// Host: only the emulator's own address (DNS rebinding)
// ---------------------------------------------------------------------------------------------

test('a Host that is not the emulator\'s own address is refused: the API (correctly signed with the demo key), the state view, the page, a preflight', async (t) => {
  const { port, lines } = await start(t, { config: undefined, wwwDir: WWW });
  // A page of evil.example whose name now resolves to 127.0.0.1 signs with the public demo key.
  const signed = signRequest({
    action: 'StartCasterScene', params: { CasterId: 'LIVEPRODUCER_POST-cn-emulator-demo', SceneId: 'demo-pvw-scene-1' },
    ...DEMO_ACCESS_KEY, endpoint: `http://evil.example:${port}`,
  });
  const form = ['Content-Type', 'application/x-www-form-urlencoded'];
  const requests = [
    ['POST', '/', [form], signed.body],
    ['GET', '/_emulator/state', [], ''],
    ['GET', '/', [], ''],
    ['GET', '/app.js', [], ''],
    ['OPTIONS', '/', [['Origin', `http://evil.example:${port}`], ['Access-Control-Request-Method', 'POST']], ''],
  ];
  const foreign = [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`, `127.0.0.2:${port}`, ''];
  for (const host of foreign) {
    for (const [method, target, headers, body] of requests) {
      const before = lines.length;
      const reply = await rawRequest(port, requestText(method, target, [['Host', host], ...headers], body));
      await settle(lines, before + 1);
      expectRefusal(reply, 403, 'Forbidden.Host', lines, before, `${method} ${target} with Host "${host}"`);
    }
  }
  // HTTP/1.0 may leave Host out: that is no address of the emulator either.
  const before = lines.length;
  const noHost = await rawRequest(port, 'GET /_emulator/state HTTP/1.0\r\n\r\n');
  await settle(lines, before + 1);
  expectRefusal(noHost, 403, 'Forbidden.Host', lines, before, 'HTTP/1.0 without Host');

  // The emulator's own names, in any case; nothing above reached the API.
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LocalHost:${port}`]) {
    const page = await rawRequest(port, requestText('GET', '/', [['Host', host]]));
    assert.equal(page.status, 200, `the page with Host ${host}`);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.equal((await rawRequest(port, requestText('GET', '/_emulator/state', [['Host', host]]))).status, 200, `the state with Host ${host}`);
  }
  const api = await rawRequest(port, requestText('POST', '/', [['Host', `127.0.0.1:${port}`], form], signed.body));
  assert.equal(api.status, 200, `the same signed request with the emulator's Host: ${api.body}`);
});

// ---------------------------------------------------------------------------------------------
// Request-targets and requests Node's parser refuses
// ---------------------------------------------------------------------------------------------

test('request-targets that are not a plain path are 4xx with a JSON error body and a log line; the emulator keeps serving', async (t) => {
  const { port, lines, sign } = await start(t, { wwwDir: WWW });
  const host = ['Host', `127.0.0.1:${port}`];
  const cases = [
    // Targets Node hands over, which URL parsing reads as a host, or which are not a path at all.
    ['GET', '//', 400, 'InvalidRequestTarget'],
    ['POST', '//', 400, 'InvalidRequestTarget'],
    ['OPTIONS', '//', 400, 'InvalidRequestTarget'],
    ['GET', '//x', 400, 'InvalidRequestTarget'],
    ['GET', '//x:99999/', 400, 'InvalidRequestTarget'],
    ['GET', '//[', 400, 'InvalidRequestTarget'],
    ['GET', '//_emulator/state', 400, 'InvalidRequestTarget'],
    ['GET', 'http://evil.example/', 400, 'InvalidRequestTarget'],
    ['POST', 'http://evil.example/?Action=StartCasterScene', 400, 'InvalidRequestTarget'],
    ['GET', 'http://127.0.0.1/_emulator/state', 400, 'InvalidRequestTarget'],
    ['GET', '*', 400, 'InvalidRequestTarget'],
    ['OPTIONS', '*', 400, 'InvalidRequestTarget'],
    // Paths that do not percent-decode to text.
    ['GET', '/%', 400, 'InvalidRequestTarget'],
    ['GET', '/dist/%zz', 400, 'InvalidRequestTarget'],
    ['GET', '/%E0%A4%A', 400, 'InvalidRequestTarget'],
    ['GET', '/app.js%00.html', 400, 'InvalidRequestTarget'],
    ['POST', '/%', 400, 'InvalidRequestTarget'],
    // Requests Node's parser refuses before any handler runs.
    ['GET', 'x', 400, 'BadRequest'],
    ['GET', '/\x7f', 400, 'BadRequest'],
    ['GET', '/\xe9', 400, 'BadRequest'],
    ['GET', 'evil.example:443', 400, 'BadRequest'],
    ['CONNECT', 'evil.example:443', 405, 'UnsupportedHTTPMethod'],
    // Methods the API and the page do not take.
    ['PUT', '/', 405, 'UnsupportedHTTPMethod'],
    ['DELETE', '/_emulator/state', 405, 'UnsupportedHTTPMethod'],
  ];
  for (const [method, target, status, code] of cases) {
    const before = lines.length;
    const reply = await rawRequest(port, requestText(method, target, [host]));
    await settle(lines, before + 1);
    expectRefusal(reply, status, code, lines, before, `${method} ${JSON.stringify(target)}`);
  }
  // A header line Node cannot parse is refused the same way.
  const before = lines.length;
  const reply = await rawRequest(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nBad Header\r\n\r\n`);
  await settle(lines, before + 1);
  expectRefusal(reply, 400, 'BadRequest', lines, before, 'a header line without a colon');

  // Still serving: the page, a missing file, the API.
  assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${port}/no-such-file.js`)).status, 404);
  assert.equal((await send(sign('StartCasterScene', { CasterId: CASTER, SceneId: 'pvw-1' }))).status, 200);
});

// ---------------------------------------------------------------------------------------------
// Limits on what a client may make the emulator read or wait for
// ---------------------------------------------------------------------------------------------

test(`a request line and headers over ${MAX_HEADER_BYTES} bytes: 431 with a JSON error body and a log line`, async (t) => {
  const { port, lines } = await start(t);
  const before = lines.length;
  const reply = await rawRequest(port, requestText('GET', '/', [['Host', `127.0.0.1:${port}`], ['X-Pad', 'a'.repeat(MAX_HEADER_BYTES)]]));
  await settle(lines, before + 1);
  expectRefusal(reply, 431, 'RequestHeaderFieldsTooLarge', lines, before, 'a 16 KiB header');
});

/**
 * Opens a connection, writes `head`, then one byte every 250 ms until the server answers or
 * closes, or `limitMs` passes; on the first reply it sends `rest(bytes dripped)` at once (a
 * request completed just too late must not be run). Resolves to the reply and how long it took,
 * a second after the reply.
 */
function slowClient(port, head, { limitMs, rest = () => '' }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    let dripped = 0;
    let answeredAt;
    const finish = () => {
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: parseResponse(Buffer.concat(chunks).toString('latin1')), ms: (answeredAt ?? Date.now()) - started });
    };
    const timer = setTimeout(finish, limitMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (answeredAt !== undefined) return;
      answeredAt = Date.now();
      clearInterval(drip);
      if (socket.writable) socket.write(rest(dripped));
      setTimeout(finish, 1000);
    });
    socket.on('close', finish);
    socket.on('error', () => {});
    socket.write(head);
    const drip = setInterval(() => {
      if (!socket.writable) return;
      socket.write('a');
      dripped++;
    }, 250);
  });
}

const BODY_BYTES = 1000;
for (const [what, limit, code, head, rest] of [
  ['a body sent a byte at a time', () => REQUEST_TIMEOUT_MS, 'RequestTimeout',
    (port) => `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`,
    (dripped) => 'a'.repeat(BODY_BYTES - dripped)],
  ['headers sent a byte at a time', () => HEADERS_TIMEOUT_MS, 'RequestTimeout',
    (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `, () => '\r\n\r\n'],
]) {
  test(`${what} is cut off after its time limit: 408 with a JSON error body and a log line`, { timeout: 60_000 }, async (t) => {
    const { port, lines } = await start(t);
    // Three times the limit, and never less than 20 s: a server without the limit (Node's own
    // defaults are 60 s for headers, 300 s for the whole request) is still waiting then.
    const limitMs = Math.max(20_000, 3 * limit());
    const { reply, ms } = await slowClient(port, head(port), { limitMs, rest });
    t.diagnostic(`${what}: answered ${reply.status || 'nothing'} after ${ms} ms (limit ${limit()} ms)`);
    await settle(lines, 2); // a second line would be the request run after all
    expectRefusal(reply, 408, code, lines, 0, what);
    assert.equal(reply.raw.split('HTTP/1.1 ').length - 1, 1, `one response only: ${reply.raw}`);
    assert.ok(ms < limit() + TIMEOUT_CHECK_INTERVAL_MS + 2000, `cut off after ${ms} ms; the limit is ${limit()} ms`);
  });
}
