// CasterClient's `{ signal }`: an AbortSignal given as the second argument of a sending method
// cancels the call at every point where it waits: before it starts, in the rate limiter, on the
// credentials function, on the fetch, on the reply's body and in the backoff between retries.
// Against real node:http servers on 127.0.0.1 that would hold the call for seconds; each abort
// must settle the call within SETTLE_MS.

import { test as nodeTest, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { inspect } from 'node:util';
import { setMaxListeners } from 'node:events';

import { CasterClient, CasterError } from 'aliyun-caster';

const KEY_ID = 'LTAI5tSignalTestKey';
const SECRET = 'sIgNaL/sEcReT+q8=numbat-51c0';
const TOKEN = 'CAIS/sIgNaLtOkEn+v3==quokka-a7d2';
const START = { CasterId: 'caster-1', SceneId: 'scene-1' };
const ADD = { CasterId: 'caster-1', ResourceName: 'cam', LocationId: 'RV01', LiveStreamUrl: 'rtmp://h/app/s' };
const STREAM_URL = 'rtmp://live.example.com/caster/scene-1';
/** How soon an aborted call must settle; the servers here would hold it for seconds. */
const SETTLE_MS = 200;
/** How long the servers hold what they hold. */
const HOLD_MS = 5000;

function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 20000 }, options)
    : nodeTest(name, { timeout: 20000, ...options }, fn);
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Every CasterError of this file; the last test sweeps them for secrets. */
const ERRORS = [];

/**
 * A server on 127.0.0.1:0 that records each request (its arrival, and when its connection closed)
 * and answers `script(record)`: { status, headers, json, delayMs (before the headers), stallBodyMs
 * (after the headers and 5 bytes of the body) }. Its timers are cleared on close.
 */
async function serve(t, script = () => ({ json: { RequestId: 'req', StreamUrl: STREAM_URL, ResourceId: 'res' } })) {
  const requests = [];
  const timers = new Set();
  const pause = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });
  const server = createServer((req, res) => {
    const record = { index: requests.length, arrivedAt: performance.now(), closedAt: undefined, answered: false };
    requests.push(record);
    res.on('close', () => { record.closedAt = performance.now(); });
    req.resume();
    req.on('end', async () => {
      const reply = script(record);
      if (reply.delayMs) await pause(reply.delayMs);
      if (res.destroyed) return;
      const body = JSON.stringify(reply.json);
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json;charset=utf-8', ...reply.headers });
      if (reply.stallBodyMs) {
        res.flushHeaders();
        res.write(body.slice(0, 5));
        await pause(reply.stallBodyMs);
        if (res.destroyed) return;
      }
      record.answered = true;
      res.end(reply.stallBodyMs ? body.slice(5) : body);
    });
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const srv = { url: `http://127.0.0.1:${server.address().port}`, requests };
  t.after(async () => {
    for (const timer of timers) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise((resolve) => { server.close(resolve); });
  });
  return srv;
}

function makeClient(srv, extra = {}) {
  return new CasterClient({
    accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN, endpoint: srv.url, maxQps: 1000, timeoutMs: 3000, ...extra,
  });
}

/** Records how a call settles, at once, so that an early rejection is never unhandled. */
function track(promise) {
  const state = { settled: false };
  state.done = Promise.resolve(promise).then(
    (value) => { Object.assign(state, { settled: true, ok: true, value, at: performance.now() }); },
    (error) => { Object.assign(state, { settled: true, ok: false, error, at: performance.now() }); },
  );
  return state;
}

/** Waits (at most `ms`) until `condition()` holds; fails the test otherwise. */
async function until(condition, what, ms = 3000) {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(5);
  }
}

/**
 * Aborts `controller` with `reason` and waits for the tracked call to settle (at most 2 s more
 * than SETTLE_MS, so that a client that ignores the abort fails here instead of hanging); the call
 * must reject with an Aborted CasterError within SETTLE_MS. Returns it and the time it took.
 */
async function abortNow(t, call, controller, reason) {
  const at = performance.now();
  controller.abort(reason);
  await Promise.race([call.done, sleep(SETTLE_MS + 2000)]);
  assert.ok(call.settled, `the call had not settled ${SETTLE_MS + 2000} ms after the abort`);
  const ms = call.at - at;
  assert.equal(call.ok, false, `the call resolved ${ms.toFixed(0)} ms after the abort: ${inspect(call.value)}`);
  const { error } = call;
  assert.ok(error instanceof CasterError, `not a CasterError: ${inspect(error)}`);
  ERRORS.push(error);
  assert.equal(error.code, 'Aborted', error.message);
  assert.equal(error.kind, 'network');
  assert.equal(error.retryable, false);
  assert.equal(error.cause, reason, 'the cause is the signal\'s reason');
  assert.match(error.message, /aborted/);
  assert.ok(ms < SETTLE_MS, `settled ${ms.toFixed(1)} ms after the abort (limit ${SETTLE_MS} ms)`);
  t.diagnostic(`settled ${ms.toFixed(1)} ms after the abort`);
  return error;
}

/** A credentials function that counts its calls. */
function countingCredentials(result = () => ({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN })) {
  const fn = () => {
    fn.calls += 1;
    return result();
  };
  fn.calls = 0;
  return fn;
}

describe('a signal cancels the call', () => {
  test('an already-aborted signal: nothing is asked of the credentials function, nothing signed, nothing sent', async (t) => {
    const srv = await serve(t);
    const credentials = countingCredentials();
    let fetches = 0;
    const fetch = (url, init) => { fetches += 1; return globalThis.fetch(url, init); };
    const client = new CasterClient({ credentials, endpoint: srv.url, fetch, maxQps: 1000 });
    for (const [name, call] of [['startCasterScene', (o) => client.startCasterScene(START, o)],
      ['addCasterVideoResource', (o) => client.addCasterVideoResource(ADD, o)]]) {
      const reason = new Error(`switched studio (${name})`);
      const controller = new AbortController();
      controller.abort(reason);
      const started = performance.now();
      const tracked = track(call({ signal: controller.signal }));
      await Promise.race([tracked.done, sleep(2000)]);
      assert.ok(tracked.settled && !tracked.ok, `${name}: ${inspect(tracked.value)}`);
      const { error } = tracked;
      ERRORS.push(error);
      assert.ok(error instanceof CasterError, inspect(error));
      assert.equal(error.code, 'Aborted');
      assert.equal(error.kind, 'network');
      assert.equal(error.retryable, false);
      assert.equal(error.cause, reason);
      assert.match(error.message, /aborted/);
      assert.match(error.message, /not sent/);
      assert.ok(tracked.at - started < SETTLE_MS, `${name} took ${(tracked.at - started).toFixed(0)} ms`);
    }
    // The reason defaults as AbortController's does: an AbortError.
    const controller = new AbortController();
    controller.abort();
    const defaulted = track(client.startCasterScene(START, { signal: controller.signal }));
    await Promise.race([defaulted.done, sleep(2000)]);
    assert.ok(defaulted.settled && !defaulted.ok, inspect(defaulted.value));
    ERRORS.push(defaulted.error);
    assert.equal(defaulted.error.code, 'Aborted');
    assert.equal(defaulted.error.cause, controller.signal.reason);
    assert.equal(defaulted.error.cause.name, 'AbortError');
    await sleep(100);
    assert.equal(credentials.calls, 0, 'the credentials function was called');
    assert.equal(fetches, 0, 'fetch was called');
    assert.equal(srv.requests.length, 0, 'the server saw a request');
  });

  test('an abort while the rate limiter waits settles at once, and nothing is sent later', async (t) => {
    const srv = await serve(t);
    const credentials = countingCredentials();
    // One request every 1.1 s: the second call waits in the limiter.
    const client = new CasterClient({ credentials, endpoint: srv.url, maxQps: 1 });
    await client.startCasterScene(START);
    const controller = new AbortController();
    const call = track(client.startCasterScene(START, { signal: controller.signal }));
    await sleep(100);
    assert.equal(call.settled, false, 'the second call should be waiting for its slot');
    const error = await abortNow(t, call, controller, 'operator switched studio');
    assert.match(error.message, /not sent/);
    await sleep(1300); // past the slot it waited for
    assert.equal(srv.requests.length, 1, 'the aborted call was sent when its slot came');
  });

  test('an aborted limiter wait gives its slot back: the next call takes it instead of queueing behind it', async (t) => {
    const srv = await serve(t);
    const client = makeClient(srv, { maxQps: 1 }); // slots 1.1 s apart
    await client.startCasterScene(START);
    const first = srv.requests[0].arrivedAt;
    const controller = new AbortController();
    const waiting = track(client.startCasterScene(START, { signal: controller.signal }));
    await sleep(100);
    await abortNow(t, waiting, controller, 'gone');
    await client.startCasterScene(START);
    assert.equal(srv.requests.length, 2);
    const gap = srv.requests[1].arrivedAt - first;
    t.diagnostic(`the next call went ${gap.toFixed(0)} ms after the first (its slot: 1100 ms; behind the aborted one: 2200 ms)`);
    assert.ok(gap >= 1000 && gap < 1800, `the next call went ${gap.toFixed(0)} ms after the first`);
  });

  test('an abort while the credentials function is pending settles at once, without waiting for it; nothing sent', async (t) => {
    const srv = await serve(t);
    // A credentials function that would settle only after HOLD_MS (and then with good credentials).
    const credentials = countingCredentials(() => sleep(HOLD_MS).then(() => ({ accessKeyId: KEY_ID, accessKeySecret: SECRET })));
    const client = new CasterClient({ credentials, endpoint: srv.url, maxQps: 1000, timeoutMs: 3000 });
    const controller = new AbortController();
    const call = track(client.startCasterScene(START, { signal: controller.signal }));
    await until(() => credentials.calls === 1, 'the credentials function was called');
    await sleep(50);
    const error = await abortNow(t, call, controller, new Error('studio closed'));
    assert.match(error.message, /not sent/);
    assert.equal(srv.requests.length, 0);
  });

  test('an abort while the fetch is in flight settles at once, closes the connection and is not retried', async (t) => {
    const srv = await serve(t, () => ({ delayMs: HOLD_MS, json: { RequestId: 'late', StreamUrl: STREAM_URL, ResourceId: 'res' } }));
    const client = makeClient(srv, { timeoutMs: 10000, maxRetries: 2 });
    for (const [name, call, index] of [['StartCasterScene', (o) => client.startCasterScene(START, o), 0],
      ['AddCasterVideoResource', (o) => client.addCasterVideoResource(ADD, o), 1]]) {
      const controller = new AbortController();
      const tracked = track(call({ signal: controller.signal }));
      await until(() => srv.requests.length === index + 1, `${name} reached the server`);
      await sleep(50);
      const abortedAt = performance.now();
      const error = await abortNow(t, tracked, controller, `leave ${name}`);
      assert.match(error.message, /may have been sent/);
      if (name === 'AddCasterVideoResource') assert.match(error.message, /AddCasterVideoResource is not idempotent/);
      // The fetch itself was cancelled: the server saw the connection close, unanswered.
      await until(() => srv.requests[index].closedAt !== undefined, `${name}: the server saw its connection close`, 1000);
      assert.ok(srv.requests[index].closedAt - abortedAt < 500);
      assert.equal(srv.requests[index].answered, false);
    }
    await sleep(300);
    assert.equal(srv.requests.length, 2, 'an aborted call was retried');
  });

  test('an abort while the reply\'s body is read settles at once and closes the connection', async (t) => {
    const srv = await serve(t, () => ({ stallBodyMs: HOLD_MS, json: { RequestId: 'slow', StreamUrl: STREAM_URL } }));
    let responded = 0;
    const fetch = async (url, init) => {
      const response = await globalThis.fetch(url, init);
      responded += 1;
      return response;
    };
    const client = makeClient(srv, { fetch, timeoutMs: 10000 });
    const controller = new AbortController();
    const call = track(client.startCasterScene(START, { signal: controller.signal }));
    await until(() => responded === 1, 'the headers arrived');
    await sleep(50);
    const abortedAt = performance.now();
    const error = await abortNow(t, call, controller, 'enough');
    assert.match(error.message, /may have been sent/);
    await until(() => srv.requests[0].closedAt !== undefined, 'the server saw its connection close', 1000);
    assert.ok(srv.requests[0].closedAt - abortedAt < 500);
    assert.equal(srv.requests[0].answered, false);
    assert.equal(srv.requests.length, 1);
  });

  test('an abort during the backoff between retries settles at once, and the retry is never sent', async (t) => {
    // 503 asking for 600 ms: without the abort the retry goes 600 ms after the first reply.
    const srv = await serve(t, () => ({
      status: 503, headers: { 'x-acs-retry-after': '600' },
      json: { RequestId: 'busy', Code: 'ServiceUnavailable', Message: 'busy' },
    }));
    const client = makeClient(srv, { maxRetries: 2 });
    const controller = new AbortController();
    const call = track(client.startCasterScene(START, { signal: controller.signal }));
    await until(() => srv.requests[0]?.closedAt !== undefined || srv.requests[0]?.answered, 'the first attempt was answered');
    await sleep(100);
    assert.equal(call.settled, false, 'the call should be waiting to retry');
    const error = await abortNow(t, call, controller, 'stop retrying');
    // The first attempt was sent (and answered): the message says so.
    assert.match(error.message, /may have been sent/);
    await sleep(900);
    assert.equal(srv.requests.length, 1, 'a retry was sent after the abort');
  });
});

describe('the signal is read defensively', () => {
  test('a bad signal or options object → a validation CasterError on "signal" (or the key), nothing asked or sent', async (t) => {
    const srv = await serve(t);
    const credentials = countingCredentials();
    const client = new CasterClient({ credentials, endpoint: srv.url, maxQps: 1000 });
    const boom = () => { throw new Error('trap'); };
    const { proxy: revokedOptions, revoke: revokeOptions } = Proxy.revocable({}, {});
    revokeOptions();
    const { proxy: revokedSignal, revoke: revokeSignal } = Proxy.revocable(new AbortController().signal, {});
    revokeSignal();
    const cases = [
      ['a getter that throws', { get signal() { return boom(); } }, 'signal'],
      ['a revoked proxy as options', revokedOptions, 'options'],
      ['a revoked proxy as signal', { signal: revokedSignal }, 'signal'],
      ['a string', { signal: 'abort' }, 'signal'],
      ['a plain object', { signal: {} }, 'signal'],
      ['no addEventListener', { signal: { aborted: false } }, 'signal'],
      ['aborted that is not a boolean', { signal: { aborted: 'no', addEventListener() {}, removeEventListener() {} } }, 'signal'],
      ['aborted that throws', { signal: { get aborted() { return boom(); }, addEventListener() {}, removeEventListener() {} } }, 'signal'],
      ['options that are a number', 42, 'options'],
      ['options that are an array', [], 'options'],
    ];
    for (const [what, options, field] of cases) {
      const call = track(client.startCasterScene(START, options));
      await Promise.race([call.done, sleep(2000)]);
      assert.ok(call.settled && !call.ok, `${what}: ${inspect(call.value)}`);
      assert.ok(call.error instanceof CasterError, `${what}: ${inspect(call.error)}`);
      ERRORS.push(call.error);
      assert.equal(call.error.kind, 'validation', `${what}: ${call.error.message}`);
      assert.equal(call.error.code, 'InvalidParameter.Malformed', what);
      assert.equal(call.error.field, field, `${what}: ${call.error.message}`);
    }
    // An unknown key is refused, with the key it is close to.
    const typo = track(client.startCasterScene(START, { signl: new AbortController().signal }));
    await typo.done;
    assert.ok(typo.error instanceof CasterError, inspect(typo.error ?? typo.value));
    ERRORS.push(typo.error);
    assert.equal(typo.error.kind, 'validation');
    assert.equal(typo.error.field, 'signl');
    assert.match(typo.error.message, /did you mean "signal"\?/);
    assert.equal(credentials.calls, 0);
    assert.equal(srv.requests.length, 0);
  });

  test('only own properties are read: an inherited signal is not used', async (t) => {
    const srv = await serve(t);
    const client = makeClient(srv);
    const aborted = AbortSignal.abort('planted');
    assert.equal((await client.startCasterScene(START, Object.create({ signal: aborted }))).RequestId, 'req');
    assert.equal((await client.startCasterScene(START, {})).RequestId, 'req');
    // Absent and null are no signal.
    assert.equal((await client.startCasterScene(START, undefined)).RequestId, 'req');
    assert.equal((await client.startCasterScene(START, null)).RequestId, 'req');
    assert.equal((await client.startCasterScene(START, { signal: undefined })).RequestId, 'req');
    assert.equal(srv.requests.length, 5);
  });

  test('a long-lived signal shared by many calls holds one listener per pending call, and none once they settle', async (t) => {
    const srv = await serve(t, (rec) => {
      if (rec.index === 0) return { delayMs: 300, json: { RequestId: 'held', StreamUrl: STREAM_URL } };
      if (rec.index % 5 === 1) return { status: 503, json: { RequestId: 'busy', Code: 'ServiceUnavailable', Message: 'busy' } };
      if (rec.index % 5 === 2) return { status: 404, json: { RequestId: 'nf', Code: 'InvalidCaster.NotFound', Message: 'no' } };
      return { json: { RequestId: 'req', StreamUrl: STREAM_URL, ResourceId: 'res' } };
    });
    const controller = new AbortController();
    const { signal } = controller;
    // A real AbortSignal whose listeners are counted.
    const live = new Set();
    let added = 0;
    const add = signal.addEventListener;
    const remove = signal.removeEventListener;
    signal.addEventListener = function addEventListener(type, listener, options) {
      added += 1;
      live.add(listener);
      return Reflect.apply(add, this, [type, listener, options]);
    };
    signal.removeEventListener = function removeEventListener(type, listener, options) {
      live.delete(listener);
      return Reflect.apply(remove, this, [type, listener, options]);
    };
    // 40 calls pending at once hold 40 listeners, past Node's warning threshold of 10.
    setMaxListeners(64, signal);
    const client = makeClient(srv, { maxRetries: 1, timeoutMs: 3000 });
    // While a call is pending it watches the signal with one listener.
    const pendingCall = track(client.startCasterScene(START, { signal }));
    await until(() => srv.requests.length === 1, 'the first call reached the server');
    assert.equal(live.size, 1, 'a pending call listens to its signal once');
    await pendingCall.done;
    assert.equal(pendingCall.ok, true);
    assert.equal(live.size, 0, 'a settled call left its listener');
    // Many calls that succeed, retry, fail with an API error, or fail validation.
    const calls = [];
    for (let i = 0; i < 40; i++) {
      calls.push(track(i % 10 === 9
        ? client.startCasterScene({ CasterId: '' }, { signal })
        : i % 2 ? client.addCasterVideoResource(ADD, { signal }) : client.startCasterScene(START, { signal })));
    }
    await Promise.all(calls.map((c) => c.done));
    const outcomes = new Set(calls.map((c) => (c.ok ? 'ok' : c.error.code)));
    t.diagnostic(`outcomes: ${[...outcomes].join(', ')}; listeners added ${added}, left ${live.size}`);
    assert.ok(outcomes.has('ok') && outcomes.has('InvalidCaster.NotFound'), [...outcomes].join());
    assert.equal(live.size, 0, `${live.size} listeners left on the shared signal`);
    // Aborting it now touches no settled call.
    controller.abort('later');
    await sleep(20);
  });
});

test('no secret appears in any error of this file', () => {
  assert.ok(ERRORS.length >= 15, `only ${ERRORS.length} errors collected`);
  const forms = [SECRET, TOKEN].flatMap((s) => [s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s))]);
  for (const error of ERRORS) {
    const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10, showHidden: true })}`;
    for (const form of forms) assert.ok(!text.includes(form), `${error.code}: a secret in ${text.slice(0, 200)}`);
  }
});
