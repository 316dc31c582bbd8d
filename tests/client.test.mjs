// Issue 3: CasterClient against a real node:http server on 127.0.0.1 that each test starts and
// scripts. Covers both operations with POST and GET (signature re-verified independently with
// node:crypto per contract section 1), every error shape, retries with backoff (503, throttling,
// InternalError), per-attempt timeouts, connection resets and refusals, clock-skew correction,
// the client-side rate limiter against a sliding-window server, STS credential providers,
// validation and configuration errors, and that secrets never appear in any error.

import { decodeForm, enc, referenceSign } from './support/reference-signer.mjs';
import { test as nodeTest, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { inspect } from 'node:util';

import { CasterClient, CasterError } from 'aliyun-caster';

// Distinctive secrets with characters that percent-encode (+ / =), as real ones have.
const KEY_ID = 'LTAI5tClientTestKey';
const SECRET = 'sEcReT/zQ9+kW7=platypus-4f1d';
const TOKEN = 'CAIS+tOkEn/Xy7==echidna-9b2e';

const START = { CasterId: 'caster*1~ü', SceneId: 'scene-(1)' };
const ADD_LIVE = {
  CasterId: 'caster-1',
  ResourceName: 'Main cam (1) ★ ü',
  LocationId: 'RV01',
  LiveStreamUrl: 'rtmp://push.example.com/app/stream?auth_key=1700000000-0-0-abc123&t=a*b~c',
};
const ADD_VOD = {
  CasterId: 'caster-2', ResourceName: 'clip', LocationId: 'RV12',
  VodUrl: 'https://cdn.example.com/v/clip%20one.MP4?x=1&y=a*b~', BeginOffset: 1500, RepeatNum: -1,
};
const STREAM_URL = 'rtmp://live.example.com/caster/scene-1?auth_key=1-0-0-f00';
const TIMESTAMP_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const UUID_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every test gets a time limit, so that a client that hangs or retries forever fails instead. */
function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 15000 }, options)
    : nodeTest(name, { timeout: 15000, ...options }, fn);
}

/** Every CasterError produced anywhere in this file; the last test sweeps them for secrets. */
const ERRORS = [];

/**
 * Checks one received request: the signature recomputed from the decoded parameters, the exact
 * wire string (canonical query + `&Signature=` + enc(signature)), and the common parameters.
 */
function verifyRequest(rec, { method, action, secret = SECRET, token = TOKEN, keyId = KEY_ID }) {
  assert.equal(rec.method, method);
  assert.equal(rec.path, '/');
  const { canonical, signature } = referenceSign(method, rec.params, secret);
  assert.equal(rec.params.Signature, signature, 'the Signature does not verify');
  const wire = method === 'POST' ? rec.rawBody : rec.query;
  assert.equal(wire, `${canonical}&Signature=${enc(signature)}`, 'the wire string is not the canonical query + Signature');
  const p = rec.params;
  assert.equal(p.Action, action);
  assert.equal(p.Version, '2016-11-01');
  assert.equal(p.Format, 'JSON');
  assert.equal(p.AccessKeyId, keyId);
  assert.equal(p.SignatureMethod, 'HMAC-SHA1');
  assert.equal(p.SignatureVersion, '1.0');
  assert.match(p.SignatureNonce, UUID_FORM);
  assert.equal(p.RegionId, 'cn-shanghai');
  if (token === null) assert.equal(p.SecurityToken, undefined, 'SecurityToken sent without a token');
  else assert.equal(p.SecurityToken, token);
  assert.match(p.Timestamp, TIMESTAMP_FORM);
}

function assertRecentTimestamp(timestamp, reference = Date.now(), slackMs = 5000) {
  assert.match(timestamp, TIMESTAMP_FORM);
  const at = Date.parse(timestamp);
  assert.ok(Math.abs(at - reference) <= slackMs, `Timestamp ${timestamp} is not near ${new Date(reference).toISOString()}`);
}

// ---------------------------------------------------------------------------------------------
// The scripted server
// ---------------------------------------------------------------------------------------------

const ok = (rec) => (rec.params.Action === 'AddCasterVideoResource'
  ? { json: { RequestId: `req-${rec.index}`, ResourceId: `res-${rec.index}`, HostId: 'live.aliyuncs.com', Extra: 1 } }
  : { json: { RequestId: `req-${rec.index}`, StreamUrl: STREAM_URL, HostId: 'live.aliyuncs.com', Extra: 1 } });

const apiError = (status, Code, Message = `${Code} happened`, extra = {}) => (rec) => ({
  status,
  json: {
    RequestId: `err-${rec.index}`, HostId: 'live.aliyuncs.com', Code, Message,
    Recommend: `https://next.api.aliyun.com/troubleshoot?q=${Code}`,
  },
  ...extra,
});

/** Answers `replies[i]` to request i (the last one repeats); each entry a reply or a function of the request. */
const sequence = (...replies) => (rec) => {
  const reply = replies[Math.min(rec.index, replies.length - 1)];
  return typeof reply === 'function' ? reply(rec) : reply;
};

/**
 * Starts a server on 127.0.0.1:0 that records every request and answers from `script(record,
 * requests)`, which returns a reply: { status, headers, json | body, delayMs, reset, stallBodyMs }.
 * `limitPerSecond`: per-AccessKeyId, per-Action limit over any sliding one-second window (the
 * gateway counts each operation on its own) → 400 Throttling.User.
 * `sendDate: false` suppresses Node's automatic Date header.
 */
async function startServer(script = ok, { limitPerSecond, sendDate = true } = {}) {
  const requests = [];
  const timers = new Set();
  const arrivals = new Map();
  const state = { throttled: 0 };
  const pause = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });

  const server = createServer((req, res) => {
    const arrivedAt = Date.now();
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const q = req.url.indexOf('?');
      const path = q < 0 ? req.url : req.url.slice(0, q);
      const query = q < 0 ? '' : req.url.slice(q + 1);
      const record = {
        index: requests.length, method: req.method, url: req.url, path, query, headers: req.headers,
        rawBody, arrivedAt,
      };
      try {
        record.queryParams = decodeForm(query);
        record.formParams = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')
          ? decodeForm(rawBody) : {};
        record.params = { ...record.queryParams, ...record.formParams };
      } catch (e) {
        record.decodeError = String(e);
        record.params = {};
      }
      requests.push(record);
      res.sendDate = sendDate;

      let reply;
      if (limitPerSecond !== undefined) {
        const key = `${record.params.AccessKeyId ?? ''}\n${record.params.Action ?? ''}`;
        const recent = (arrivals.get(key) ?? []).filter((t) => t > arrivedAt - 1000);
        recent.push(arrivedAt);
        arrivals.set(key, recent);
        if (recent.length > limitPerSecond) {
          record.throttled = true;
          state.throttled += 1;
          reply = apiError(400, 'Throttling.User', 'Request was denied due to user flow control.')(record);
        }
      }
      if (!reply) {
        try {
          reply = await script(record, requests);
        } catch (e) {
          reply = { status: 599, body: `script failed: ${e}` };
        }
      }
      if (reply.delayMs) await pause(reply.delayMs);
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      if (res.destroyed || req.socket.destroyed) return;
      const headers = { ...reply.headers };
      let body = reply.body ?? '';
      if (reply.json !== undefined) {
        body = JSON.stringify(reply.json);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json;charset=utf-8';
      }
      res.writeHead(reply.status ?? 200, headers);
      if (reply.stallBodyMs) {
        res.flushHeaders();
        res.write(body.slice(0, 5));
        await pause(reply.stallBodyMs);
        if (!res.destroyed) res.end(body.slice(5));
        return;
      }
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get throttled() { return state.throttled; },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Starts a server for one test and stops it when the test ends. */
async function serve(t, script, options) {
  const srv = await startServer(script, options);
  t.after(() => srv.close());
  return srv;
}

/** A `fetch` that records its calls and forwards to the global one. */
function recordingFetch() {
  const calls = [];
  const fn = (url, init) => {
    calls.push({ url: String(url), init, at: Date.now() });
    return globalThis.fetch(url, init);
  };
  fn.calls = calls;
  return fn;
}

function makeClient(srv, extra = {}) {
  return new CasterClient({
    accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN,
    endpoint: srv.url, maxQps: 1000, timeoutMs: 3000, ...extra,
  });
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Awaits a call that must fail; returns (and collects) the CasterError. */
async function failure(promise) {
  let error;
  let settled = 'resolved';
  try {
    const value = await promise;
    error = value;
  } catch (e) {
    settled = 'rejected';
    error = e;
  }
  assert.equal(settled, 'rejected', `expected a rejection, got ${inspect(error)}`);
  assert.ok(error instanceof CasterError, `not a CasterError: ${inspect(error)}`);
  assert.equal(error.name, 'CasterError');
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  ERRORS.push(error);
  return error;
}

function constructionFailure(config) {
  let error;
  let threw = false;
  try {
    new CasterClient(config); // eslint-disable-line no-new
  } catch (e) {
    threw = true;
    error = e;
  }
  assert.ok(threw, `constructing with ${inspect(config)} did not throw`);
  assert.ok(error instanceof CasterError, `not a CasterError: ${inspect(error)}`);
  ERRORS.push(error);
  return error;
}

const OPS = [
  { name: 'StartCasterScene', call: (c, p = START) => c.startCasterScene(p), field: 'StreamUrl', params: START },
  { name: 'AddCasterVideoResource', call: (c, p = ADD_LIVE) => c.addCasterVideoResource(p), field: 'ResourceId', params: ADD_LIVE },
];
const [START_OP, ADD_OP] = OPS;

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

describe('success with POST and GET', () => {
  test('POST StartCasterScene: form body, no custom headers, verified signature, exactly {RequestId, StreamUrl}', async (t) => {
    const srv = await serve(t);
    const fetch = recordingFetch();
    const client = makeClient(srv, { fetch });
    const before = Date.now();
    const value = await client.startCasterScene(START);
    assert.deepEqual(value, { RequestId: 'req-0', StreamUrl: STREAM_URL });
    assert.equal(srv.requests.length, 1);
    const [rec] = srv.requests;
    verifyRequest(rec, { method: 'POST', action: 'StartCasterScene' });
    assert.equal(rec.query, '', 'a POST carries nothing in the query');
    assert.deepEqual(rec.queryParams, {});
    assert.equal(rec.params.CasterId, START.CasterId);
    assert.equal(rec.params.SceneId, START.SceneId);
    assertRecentTimestamp(rec.params.Timestamp, before);
    assert.equal(rec.headers['content-type'], 'application/x-www-form-urlencoded');
    for (const name of Object.keys(rec.headers)) {
      assert.ok(!name.startsWith('x-'), `custom header ${name} sent`);
      assert.notEqual(name, 'authorization');
    }
    // What the client itself set: only CORS-safelisted headers, so a browser sends a simple request.
    assert.equal(fetch.calls.length, 1);
    const { init } = fetch.calls[0];
    assert.equal(init.method, 'POST');
    const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries());
    assert.deepEqual(headers, { 'content-type': 'application/x-www-form-urlencoded' });
  });

  test('POST AddCasterVideoResource: exactly {RequestId, ResourceId}, values round-trip', async (t) => {
    const srv = await serve(t);
    const fetch = recordingFetch();
    const value = await makeClient(srv, { fetch }).addCasterVideoResource(ADD_LIVE);
    assert.deepEqual(value, { RequestId: 'req-0', ResourceId: 'res-0' });
    assert.equal(srv.requests.length, 1);
    const [rec] = srv.requests;
    verifyRequest(rec, { method: 'POST', action: 'AddCasterVideoResource' });
    assert.equal(rec.query, '');
    for (const [k, v] of Object.entries(ADD_LIVE)) assert.equal(rec.params[k], v, k);
    assert.equal(rec.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.ok(!Object.keys(rec.headers).some((h) => h.startsWith('x-') || h === 'authorization'));
    const headers = Object.fromEntries(new Headers(fetch.calls[0].init.headers ?? {}).entries());
    assert.deepEqual(headers, { 'content-type': 'application/x-www-form-urlencoded' });
  });

  test('GET StartCasterScene: empty body, everything in the query, verified signature', async (t) => {
    const srv = await serve(t);
    const fetch = recordingFetch();
    const value = await makeClient(srv, { method: 'GET', fetch }).startCasterScene(START);
    assert.deepEqual(value, { RequestId: 'req-0', StreamUrl: STREAM_URL });
    assert.equal(srv.requests.length, 1);
    const [rec] = srv.requests;
    verifyRequest(rec, { method: 'GET', action: 'StartCasterScene' });
    assert.equal(rec.rawBody, '');
    assert.deepEqual(rec.formParams, {});
    assert.equal(rec.params.CasterId, START.CasterId);
    assert.ok(!Object.keys(rec.headers).some((h) => h.startsWith('x-') || h === 'authorization'));
    assert.equal(fetch.calls[0].init.method, 'GET');
    assert.equal(fetch.calls[0].init.body ?? undefined, undefined);
  });

  test('GET AddCasterVideoResource (VodUrl + integers): exactly {RequestId, ResourceId}', async (t) => {
    const srv = await serve(t);
    const value = await makeClient(srv, { method: 'GET' }).addCasterVideoResource(ADD_VOD);
    assert.deepEqual(value, { RequestId: 'req-0', ResourceId: 'res-0' });
    assert.equal(srv.requests.length, 1);
    const [rec] = srv.requests;
    verifyRequest(rec, { method: 'GET', action: 'AddCasterVideoResource' });
    assert.equal(rec.rawBody, '');
    assert.deepEqual(rec.formParams, {});
    for (const [k, v] of Object.entries(ADD_VOD)) assert.equal(rec.params[k], String(v), k);
  });

  test('without a security token no SecurityToken parameter is sent', async (t) => {
    const srv = await serve(t);
    const client = makeClient(srv, { securityToken: undefined });
    await client.startCasterScene(START);
    verifyRequest(srv.requests[0], { method: 'POST', action: 'StartCasterScene', token: null });
  });
});

// ---------------------------------------------------------------------------------------------
// Error shapes
// ---------------------------------------------------------------------------------------------

describe('error shapes', () => {
  test('an API error body → kind api with Code, Message, RequestId, Recommend and the HTTP status', async (t) => {
    const body = {
      RequestId: 'B5E8D6C1-5F3A-4A7E-9B61-0D1E2F3A4B5C', HostId: 'live.aliyuncs.com', Code: 'InvalidCaster.NotFound',
      Message: 'The specified caster does not exist.', Recommend: 'https://next.api.aliyun.com/troubleshoot?q=InvalidCaster.NotFound',
    };
    const srv = await serve(t, () => ({ status: 404, json: body }));
    const err = await failure(makeClient(srv).startCasterScene(START));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'InvalidCaster.NotFound');
    assert.equal(err.httpStatus, 404);
    assert.equal(err.requestId, body.RequestId);
    assert.equal(err.recommend, body.Recommend);
    assert.ok(err.message.includes(body.Message), err.message);
    assert.equal(err.retryable, false);
    assert.equal(srv.requests.length, 1, 'a non-transient error is not retried');
  });

  test('AddCasterVideoResource: a non-transient API error (400 DuplicateLocationID) → not retried', async (t) => {
    const srv = await serve(t, apiError(400, 'DuplicateLocationID', 'The location is in use.'));
    const err = await failure(makeClient(srv).addCasterVideoResource(ADD_LIVE));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'DuplicateLocationID');
    assert.equal(err.httpStatus, 400);
    assert.equal(err.requestId, 'err-0');
    assert.equal(err.retryable, false);
    assert.equal(srv.requests.length, 1);
  });

  test("a gateway's HTML 502 → kind api, InvalidResponse, httpStatus 502", async (t) => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
    const srv = await serve(t, () => ({ status: 502, headers: { 'Content-Type': 'text/html' }, body: html }));
    // AddCasterVideoResource: the request may have been processed behind the gateway; one request.
    const err = await failure(makeClient(srv).addCasterVideoResource(ADD_LIVE));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'InvalidResponse');
    assert.equal(err.httpStatus, 502);
    assert.equal(err.retryable, false);
    assert.equal(srv.requests.length, 1);
    // StartCasterScene: same shape. Its attempt count is not asserted: js/client.js #read treats a
    // 502/504 as transient for an idempotent operation and retries it (3 requests by default),
    // which goes beyond the list of retried conditions (see report).
    const err2 = await failure(makeClient(srv, { maxRetries: 0 }).startCasterScene(START));
    assert.equal(err2.kind, 'api');
    assert.equal(err2.code, 'InvalidResponse');
    assert.equal(err2.httpStatus, 502);
  });

  test('truncated JSON with 200 → kind api, InvalidResponse, httpStatus 200, one request', async (t) => {
    const srv = await serve(t, () => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"RequestId":"req-0","StreamUrl":"rtmp://li' }));
    for (const op of OPS) {
      const before = srv.requests.length;
      const err = await failure(op.call(makeClient(srv)));
      assert.equal(err.kind, 'api', op.name);
      assert.equal(err.code, 'InvalidResponse', op.name);
      assert.equal(err.httpStatus, 200, op.name);
      assert.equal(srv.requests.length - before, 1, op.name);
    }
  });

  test('truncated JSON with an error status (400) → InvalidResponse with that status', async (t) => {
    const srv = await serve(t, () => ({ status: 400, headers: { 'Content-Type': 'application/json' }, body: '{"RequestId":"x","Code":"Invalid' }));
    const err = await failure(makeClient(srv).startCasterScene(START));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'InvalidResponse');
    assert.equal(err.httpStatus, 400);
  });

  test('200 without StreamUrl / without ResourceId → InvalidResponse', async (t) => {
    const srv = await serve(t, () => ({ json: { RequestId: 'req-x' } }));
    for (const op of OPS) {
      const err = await failure(op.call(makeClient(srv)));
      assert.equal(err.kind, 'api', op.name);
      assert.equal(err.code, 'InvalidResponse', op.name);
      assert.equal(err.httpStatus, 200, op.name);
    }
  });

  test('200 without RequestId → InvalidResponse', async (t) => {
    const srv = await serve(t, () => ({ json: { StreamUrl: STREAM_URL, ResourceId: 'res-1' } }));
    for (const op of OPS) {
      const err = await failure(op.call(makeClient(srv)));
      assert.equal(err.kind, 'api', op.name);
      assert.equal(err.code, 'InvalidResponse', op.name);
      assert.equal(err.httpStatus, 200, op.name);
    }
  });

  test('200 with a JSON array / a non-string StreamUrl → InvalidResponse', async (t) => {
    const srv = await serve(t, sequence({ json: [1, 2] }, { json: { RequestId: 'r', StreamUrl: 42 } }));
    for (let i = 0; i < 2; i += 1) {
      const err = await failure(makeClient(srv).startCasterScene(START));
      assert.equal(err.code, 'InvalidResponse');
      assert.equal(err.kind, 'api');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

describe('retries', () => {
  for (const op of OPS) {
    test(`${op.name}: 503 then 200 → success, two requests, fresh nonce and timestamp, both signed`, async (t) => {
      const srv = await serve(t, sequence(apiError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'), ok));
      const value = await op.call(makeClient(srv));
      assert.deepEqual(Object.keys(value).sort(), ['RequestId', op.field].sort());
      assert.equal(value.RequestId, 'req-1');
      assert.equal(srv.requests.length, 2);
      const [a, b] = srv.requests;
      for (const rec of [a, b]) {
        verifyRequest(rec, { method: 'POST', action: op.name });
        assertRecentTimestamp(rec.params.Timestamp);
      }
      assert.notEqual(a.params.SignatureNonce, b.params.SignatureNonce);
      assert.notEqual(a.params.Signature, b.params.Signature);
    });
  }

  test('a 503 with an HTML body then 200 → retried', async (t) => {
    const srv = await serve(t, sequence({ status: 503, headers: { 'Content-Type': 'text/html' }, body: '<html>503 Service Temporarily Unavailable</html>' }, ok));
    const value = await makeClient(srv).startCasterScene(START);
    assert.equal(value.RequestId, 'req-1');
    assert.equal(srv.requests.length, 2);
  });

  test('InternalError (500) then 200 → retried, for both operations', async (t) => {
    for (const op of OPS) {
      const srv = await startServer(sequence(apiError(500, 'InternalError', 'The request processing has failed due to some unknown error.'), ok));
      try {
        const value = await op.call(makeClient(srv));
        assert.equal(value.RequestId, 'req-1', op.name);
        assert.equal(srv.requests.length, 2, op.name);
      } finally {
        await srv.close();
      }
    }
  });

  test('ServiceUnavailable code with status 500 → retried', async (t) => {
    const srv = await serve(t, sequence(apiError(500, 'ServiceUnavailable'), ok));
    const value = await makeClient(srv).startCasterScene(START);
    assert.equal(value.RequestId, 'req-1');
    assert.equal(srv.requests.length, 2);
  });

  test('InternalError every time, maxRetries 1 → kind api InternalError, retryable, 2 requests', async (t) => {
    const srv = await serve(t, apiError(500, 'InternalError'));
    const err = await failure(makeClient(srv, { maxRetries: 1 }).startCasterScene(START));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'InternalError');
    assert.equal(err.httpStatus, 500);
    assert.equal(err.retryable, true);
    assert.equal(srv.requests.length, 2);
  });

  test('maxRetries 0 → a 503 is returned after one request, retryable true', async (t) => {
    const srv = await serve(t, apiError(503, 'ServiceUnavailable'));
    const err = await failure(makeClient(srv, { maxRetries: 0 }).startCasterScene(START));
    assert.equal(err.code, 'ServiceUnavailable');
    assert.equal(err.httpStatus, 503);
    assert.equal(err.retryable, true);
    assert.equal(srv.requests.length, 1);
  });

  test('a non-transient API error (404 InvalidCaster.NotFound) → one request, retryable false', async (t) => {
    const srv = await serve(t, apiError(404, 'InvalidCaster.NotFound'));
    const err = await failure(makeClient(srv).startCasterScene(START));
    assert.equal(err.code, 'InvalidCaster.NotFound');
    assert.equal(err.retryable, false);
    await sleep(300);
    assert.equal(srv.requests.length, 1);
  });
});

describe('throttling', () => {
  test('Throttling.User twice then 200 → 3 requests with growing gaps (exponential backoff)', async (t) => {
    // Full jitter draws from Math.random (js/client.js); pin it near 1 so the backoff is its cap:
    // ~200 ms then ~400 ms. maxQps is high so that the rate limiter adds no spacing of its own.
    const srv = await serve(t, sequence(apiError(400, 'Throttling.User'), apiError(400, 'Throttling.User'), ok));
    const client = makeClient(srv, { maxQps: 1000 });
    const random = Math.random;
    Math.random = () => 0.999;
    let value;
    try {
      value = await client.startCasterScene(START);
    } finally {
      Math.random = random;
    }
    assert.equal(value.RequestId, 'req-2');
    assert.equal(srv.requests.length, 3);
    const [a, b, c] = srv.requests.map((r) => r.arrivedAt);
    const gap1 = b - a;
    const gap2 = c - b;
    assert.ok(gap1 >= 150, `first backoff only ${gap1} ms`);
    assert.ok(gap2 >= 300, `second backoff only ${gap2} ms`);
    assert.ok(gap2 >= gap1 + 80, `backoff did not grow: ${gap1} ms then ${gap2} ms`);
    assert.ok(gap1 < 2000 && gap2 < 2000, `backoff too long: ${gap1} / ${gap2} ms`);
    const nonces = new Set(srv.requests.map((r) => r.params.SignatureNonce));
    assert.equal(nonces.size, 3);
  });

  test('always throttled, maxRetries 2 → Throttling.User, retryable true, exactly 3 requests', async (t) => {
    const srv = await serve(t, apiError(400, 'Throttling.User', 'Request was denied due to user flow control.'));
    const err = await failure(makeClient(srv, { maxRetries: 2 }).startCasterScene(START));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'Throttling.User');
    assert.equal(err.httpStatus, 400);
    assert.equal(err.retryable, true);
    await sleep(300);
    assert.equal(srv.requests.length, 3);
  });

  test('AddCasterVideoResource: Throttling (429 with a code) then 200 → retried', async (t) => {
    const srv = await serve(t, sequence(apiError(429, 'Throttling'), ok));
    const value = await makeClient(srv).addCasterVideoResource(ADD_LIVE);
    assert.deepEqual(value, { RequestId: 'req-1', ResourceId: 'res-1' });
    assert.equal(srv.requests.length, 2);
  });

  test('Retry-After: 1 on a throttling reply → the next attempt waits about a second', async (t) => {
    const srv = await serve(t, sequence(apiError(400, 'Throttling.User', 'slow down', { headers: { 'Retry-After': '1' } }), ok));
    const value = await makeClient(srv).startCasterScene(START);
    assert.equal(value.RequestId, 'req-1');
    assert.equal(srv.requests.length, 2);
    const gap = srv.requests[1].arrivedAt - srv.requests[0].arrivedAt;
    assert.ok(gap >= 950 && gap < 3000, `gap ${gap} ms`);
  });

  // MISMATCH (see report): the issue lists 429 itself as throttling; js/client.js #read only
  // treats a 429 as transient when its body is JSON with a Code (status 429 is not in
  // `transient` for InvalidResponse), so a bare 429 is returned at once, retryable false.
  for (const [label, reply] of [
    ['text/plain body', { status: 429, headers: { 'Content-Type': 'text/plain' }, body: 'Too Many Requests' }],
    ['JSON body without Code', { status: 429, json: { RequestId: 'r', Message: 'slow down' } }],
  ]) {
    test(`a 429 without a body code (${label}) → retried too`, async (t) => {
      const srv = await serve(t, sequence(reply, ok));
      let value;
      try {
        value = await makeClient(srv).startCasterScene(START);
      } catch (e) {
        assert.fail(`not retried: ${e.code} retryable=${e.retryable} after ${srv.requests.length} request(s)`);
      }
      assert.equal(value.RequestId, 'req-1');
      assert.equal(srv.requests.length, 2);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Timeouts, resets, refused connections
// ---------------------------------------------------------------------------------------------

describe('timeouts', () => {
  test('AddCasterVideoResource slower than timeoutMs → kind timeout, not retried: exactly one request', async (t) => {
    const srv = await serve(t, (rec) => ({ ...ok(rec), delayMs: 2000 }));
    const started = Date.now();
    const err = await failure(makeClient(srv, { timeoutMs: 300 }).addCasterVideoResource(ADD_LIVE));
    const elapsed = Date.now() - started;
    assert.equal(err.kind, 'timeout');
    assert.equal(err.code, 'Timeout');
    assert.equal(err.retryable, false);
    assert.ok(elapsed >= 250 && elapsed < 1500, `failed after ${elapsed} ms`);
    await sleep(700); // a late retry would arrive within this
    assert.equal(srv.requests.length, 1);
  });

  test('AddCasterVideoResource: headers on time but the body stalls → timeout, one request', async (t) => {
    const srv = await serve(t, (rec) => ({ ...ok(rec), stallBodyMs: 2000 }));
    const err = await failure(makeClient(srv, { timeoutMs: 300 }).addCasterVideoResource(ADD_LIVE));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.code, 'Timeout');
    assert.equal(err.retryable, false);
    await sleep(700);
    assert.equal(srv.requests.length, 1);
  });

  test('StartCasterScene slower than timeoutMs every time → retried, maxRetries+1 requests, kind timeout', async (t) => {
    const srv = await serve(t, (rec) => ({ ...ok(rec), delayMs: 2000 }));
    const err = await failure(makeClient(srv, { timeoutMs: 300, maxRetries: 2 }).startCasterScene(START));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.code, 'Timeout');
    assert.equal(err.retryable, true);
    await sleep(300);
    assert.equal(srv.requests.length, 3);
  });

  test('StartCasterScene: a slow first reply, then a quick one → success on the retry', async (t) => {
    const srv = await serve(t, (rec) => ({ ...ok(rec), delayMs: rec.index === 0 ? 2000 : 0 }));
    const value = await makeClient(srv, { timeoutMs: 300 }).startCasterScene(START);
    assert.deepEqual(value, { RequestId: 'req-1', StreamUrl: STREAM_URL });
    assert.equal(srv.requests.length, 2);
  });
});

describe('connection reset and refused', () => {
  test('AddCasterVideoResource: socket destroyed after the request arrived → kind network, not retried', async (t) => {
    const srv = await serve(t, () => ({ reset: true }));
    const err = await failure(makeClient(srv).addCasterVideoResource(ADD_LIVE));
    assert.equal(err.kind, 'network');
    assert.equal(err.retryable, false);
    await sleep(700);
    assert.equal(srv.requests.length, 1);
  });

  test('StartCasterScene: reset on the first request, answered on the second → success', async (t) => {
    const srv = await serve(t, sequence({ reset: true }, ok));
    const value = await makeClient(srv).startCasterScene(START);
    assert.deepEqual(value, { RequestId: 'req-1', StreamUrl: STREAM_URL });
    assert.equal(srv.requests.length, 2);
  });

  test('StartCasterScene: reset every time → kind network after maxRetries+1 requests', async (t) => {
    const srv = await serve(t, () => ({ reset: true }));
    const err = await failure(makeClient(srv, { maxRetries: 1 }).startCasterScene(START));
    assert.equal(err.kind, 'network');
    assert.equal(err.retryable, true);
    await sleep(300);
    assert.equal(srv.requests.length, 2);
  });

  test('connection refused → both operations retried, kind network, retryable true', async () => {
    const probe = createNetServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    for (const op of OPS) {
      const fetch = recordingFetch();
      const client = new CasterClient({
        accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN,
        endpoint: `http://127.0.0.1:${port}`, maxRetries: 2, maxQps: 1000, fetch,
      });
      const err = await failure(op.call(client));
      assert.equal(err.kind, 'network', op.name);
      assert.equal(err.retryable, true, op.name);
      assert.equal(fetch.calls.length, 3, `${op.name}: ${fetch.calls.length} attempts`);
      // Each attempt is freshly signed.
      const nonces = new Set(fetch.calls.map((c) => decodeForm(c.init.body).SignatureNonce));
      assert.equal(nonces.size, 3, op.name);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Clock skew
// ---------------------------------------------------------------------------------------------

describe('clock skew', () => {
  const HOUR = 3600_000;
  const LIMIT = 15 * 60_000;
  /** A server whose clock is `aheadMs` ahead; refuses Timestamps more than 15 min off. */
  const skewed = (aheadMs, { dateHeader = true, dateShown = aheadMs } = {}) => (rec) => {
    const serverNow = Date.now() + aheadMs;
    const at = Date.parse(rec.params.Timestamp);
    if (!(Math.abs(at - serverNow) <= LIMIT)) {
      return apiError(400, 'InvalidTimeStamp.Expired', `Specified time stamp or date value is expired.`, {
        headers: dateHeader ? { Date: new Date(Date.now() + dateShown).toUTCString() } : {},
      })(rec);
    }
    return ok(rec);
  };

  test('server 1 h ahead → corrected from its Date header in 2 requests; the next call needs 1', async (t) => {
    const srv = await serve(t, skewed(HOUR));
    const client = makeClient(srv);
    const first = await client.startCasterScene(START);
    assert.deepEqual(first, { RequestId: 'req-1', StreamUrl: STREAM_URL });
    assert.equal(srv.requests.length, 2);
    assertRecentTimestamp(srv.requests[0].params.Timestamp, Date.now());
    assertRecentTimestamp(srv.requests[1].params.Timestamp, Date.now() + HOUR);
    verifyRequest(srv.requests[1], { method: 'POST', action: 'StartCasterScene' });
    const second = await client.addCasterVideoResource(ADD_LIVE);
    assert.deepEqual(second, { RequestId: 'req-2', ResourceId: 'res-2' });
    assert.equal(srv.requests.length, 3, 'the offset was not kept');
    assertRecentTimestamp(srv.requests[2].params.Timestamp, Date.now() + HOUR);
  });

  test('InvalidTimeStamp.Expired without a Date header → the error is returned, one request', async (t) => {
    const srv = await serve(t, skewed(HOUR, { dateHeader: false }), { sendDate: false });
    const err = await failure(makeClient(srv).startCasterScene(START));
    assert.equal(err.kind, 'api');
    assert.equal(err.code, 'InvalidTimeStamp.Expired');
    assert.equal(err.httpStatus, 400);
    await sleep(300);
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.requests[0].headers.date, undefined);
  });

  test('a Date header that does not help → retried once only, then the error', async (t) => {
    // The server checks against now + 1 h but shows the real time in Date: the correction fails.
    const srv = await serve(t, skewed(HOUR, { dateShown: 0 }));
    const err = await failure(makeClient(srv).startCasterScene(START));
    assert.equal(err.code, 'InvalidTimeStamp.Expired');
    await sleep(300);
    assert.equal(srv.requests.length, 2);
  });
});

// ---------------------------------------------------------------------------------------------
// Rate limiter
// ---------------------------------------------------------------------------------------------

/** The shortest time spanned by `count` consecutive values of `times` (sorted). */
function shortestSpan(times, count) {
  const sorted = [...times].sort((a, b) => a - b);
  let shortest = Infinity;
  for (let i = 0; i + count - 1 < sorted.length; i += 1) shortest = Math.min(shortest, sorted[i + count - 1] - sorted[i]);
  return shortest;
}

describe('rate limiter', () => {
  test('50 concurrent calls of both operations at maxQps 10 against a server allowing 10 a second per operation: all succeed, no throttling error, each operation spread ≥ 2.2 s', async (t) => {
    const srv = await serve(t, ok, { limitPerSecond: 10 });
    const fetch = recordingFetch();
    const client = makeClient(srv, { maxQps: 10, timeoutMs: 10000, fetch });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => (
      i % 2 ? client.addCasterVideoResource(ADD_LIVE) : client.startCasterScene(START))));
    const rejected = results.filter((r) => r.status === 'rejected');
    for (const r of rejected) if (r.reason instanceof CasterError) ERRORS.push(r.reason);
    assert.equal(rejected.length, 0, `${rejected.length} failed: ${rejected.map((r) => r.reason?.code).join(', ')}`);
    results.forEach((r, i) => assert.deepEqual(Object.keys(r.value).sort(), ['RequestId', i % 2 ? 'ResourceId' : 'StreamUrl']));
    const times = srv.requests.map((r) => r.arrivedAt);
    const spread = Math.max(...times) - Math.min(...times);
    // 25 calls of each operation, each operation at 10 a second.
    for (const action of ['StartCasterScene', 'AddCasterVideoResource']) {
      const own = srv.requests.filter((r) => r.params.Action === action).map((r) => r.arrivedAt);
      const ownSpread = Math.max(...own) - Math.min(...own);
      assert.ok(ownSpread >= 2200, `${action}: spread only ${ownSpread} ms`);
    }
    // Reported, not asserted: under CPU load both can dip below 1000 ms (see the skipped test below).
    const clientSpan = shortestSpan(fetch.calls.map((c) => c.at), 11);
    t.diagnostic(`server-side: ${srv.throttled} throttled, shortest span of 11 arrivals ${shortestSpan(times, 11)} ms, `
      + `client-side shortest span of 11 attempts ${clientSpan} ms, spread ${spread} ms`);
  });

  // MISMATCH with the brief's "none throttled" under load (see report): RateLimiter in
  // js/client.js spaces attempts (1000/maxQps) * 1.05 ms apart when they are admitted, before they
  // are signed and handed to fetch; the first request of a burst also opens the connection and
  // reaches the server 30-60 ms after fetch is called, later ones ~2 ms. Under CPU load the
  // arrivals compress below one second (seen: 11 within 994 ms, and 868 ms with 5 throttled when
  // two busy loops ran alongside), so a strict sliding window throttles some; the retry hides it
  // from the caller, so the "no throttling error" still holds (asserted above).
  test('the sliding-window server never throttles any of the 50', async (t) => {
    const srv = await serve(t, ok, { limitPerSecond: 10 });
    const client = makeClient(srv, { maxQps: 10, timeoutMs: 10000 });
    await Promise.all(Array.from({ length: 50 }, () => client.startCasterScene(START)));
    assert.equal(srv.throttled, 0, `the server throttled ${srv.throttled} request(s)`);
    assert.equal(srv.requests.length, 50);
  });
});

// ---------------------------------------------------------------------------------------------
// STS credentials
// ---------------------------------------------------------------------------------------------

describe('STS credentials provider', () => {
  test('called once per attempt; each request carries the token of its own call', async (t) => {
    const srv = await serve(t, sequence(apiError(503, 'ServiceUnavailable'), ok));
    let n = 0;
    const credentials = async () => ({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: `${TOKEN}-${n++}` });
    const client = new CasterClient({ credentials, endpoint: srv.url, maxQps: 1000 });
    const value = await client.startCasterScene(START);
    assert.equal(value.RequestId, 'req-1');
    assert.equal(n, 2, `provider called ${n} times`);
    assert.equal(srv.requests.length, 2);
    verifyRequest(srv.requests[0], { method: 'POST', action: 'StartCasterScene', token: `${TOKEN}-0` });
    verifyRequest(srv.requests[1], { method: 'POST', action: 'StartCasterScene', token: `${TOKEN}-1` });
  });

  test('a provider that throws → kind config, CredentialsUnavailable, no request sent', async (t) => {
    const srv = await serve(t);
    const fetch = recordingFetch();
    const client = new CasterClient({
      credentials: async () => { throw new Error('STS endpoint unreachable'); }, endpoint: srv.url, fetch,
    });
    const err = await failure(client.startCasterScene(START));
    assert.equal(err.kind, 'config');
    assert.equal(err.code, 'CredentialsUnavailable');
    assert.equal(fetch.calls.length, 0);
    assert.equal(srv.requests.length, 0);
  });
});

// ---------------------------------------------------------------------------------------------
// Validation and configuration
// ---------------------------------------------------------------------------------------------

test('invalid params → kind validation, zero requests reach the server', async (t) => {
  const srv = await serve(t);
  const fetch = recordingFetch();
  const client = makeClient(srv, { fetch });
  const cases = [
    [START_OP, null, 'InvalidParameter.Malformed'],
    [START_OP, { CasterId: '', SceneId: 's' }, 'InvalidCasterId.Malformed'],
    [START_OP, { CasterId: 'c' }, 'MissingParameter'],
    [ADD_OP, { CasterId: 'c', ResourceName: 'n', LocationId: 'RV01' }, 'MissingParameter'],
    [ADD_OP, { ...ADD_LIVE, VodUrl: 'https://x.example.com/a.mp4' }, 'InvalidParameter.Malformed'],
    [ADD_OP, { ...ADD_LIVE, LocationId: 'RV100' }, 'UnexpectedLocationID'],
    [ADD_OP, { ...ADD_LIVE, LiveStreamUrl: 'ftp://x.example.com/s' }, 'InvalidLiveStreamUrl.Malformed'],
  ];
  for (const [op, params, code] of cases) {
    const err = await failure(op.call(client, params));
    assert.equal(err.kind, 'validation', inspect(params));
    assert.equal(err.code, code, inspect(params));
    assert.equal(err.retryable, false);
  }
  await sleep(100);
  assert.equal(fetch.calls.length, 0);
  assert.equal(srv.requests.length, 0);
});

test('configuration errors at construction → kind config, on the right field', () => {
  const base = { accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN };
  const credentials = async () => base;
  const cases = [
    [{ accessKeySecret: SECRET }, 'accessKeyId'],
    [{ accessKeyId: KEY_ID, securityToken: TOKEN }, 'accessKeySecret'],
    [{ ...base, endpoint: 'ftp://x' }, 'endpoint'],
    [{ ...base, maxQps: 0 }, 'maxQps'],
    [{ ...base, maxQps: -1 }, 'maxQps'],
    [{ ...base, timeoutMs: 0 }, 'timeoutMs'],
    [{ ...base, maxRetries: -1 }, 'maxRetries'],
    [{ ...base, maxRetries: 1.5 }, 'maxRetries'],
    [{ ...base, fetch: 'not a function' }, 'fetch'],
    [{ credentials: 'not a function' }, 'credentials'],
    [{ ...base, method: 'PUT' }, 'method'],
    [{ ...base, signatureAlgorithm: 'v2' }, 'signatureAlgorithm'],
    [{ ...base, signatureAlgorithm: 3 }, 'signatureAlgorithm'],
    [{ ...base, accessKeySecret: `${SECRET}\n` }, 'accessKeySecret'],
    [{ ...base, securityToken: `${TOKEN} x` }, 'securityToken'],
  ];
  for (const [config, field] of cases) {
    const err = constructionFailure(config);
    assert.equal(err.kind, 'config', `${field}: ${err.message}`);
    assert.equal(err.field, field, err.message);
    assert.equal(err.retryable, false);
  }
  // An unknown option, with the nearest known one suggested.
  const unknown = constructionFailure({ ...base, maxRetry: 3 });
  assert.equal(unknown.kind, 'config');
  assert.equal(unknown.field, 'maxRetry');
  assert.ok(unknown.message.includes('maxRetries'), unknown.message);
  // Both a provider and fixed keys.
  const both = constructionFailure({ credentials, accessKeyId: KEY_ID });
  assert.equal(both.kind, 'config');
  assert.ok(['accessKeyId', 'credentials'].includes(both.field), both.field);
  // Not an object at all.
  assert.equal(constructionFailure(undefined).kind, 'config');
  // The valid forms construct.
  assert.ok(new CasterClient(base));
  assert.ok(new CasterClient({ credentials }));
  assert.ok(new CasterClient({ ...base, signatureAlgorithm: 'v3' }));
});

// ---------------------------------------------------------------------------------------------
// Hostile config, credentials and fetch results (found by hostile.test.mjs)
// ---------------------------------------------------------------------------------------------

describe('hostile config, credentials and fetch results', () => {
  const boom = () => { throw new Error('boom'); };
  const base = { accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN, maxQps: 1000, maxRetries: 0 };

  test('a config that throws when read → kind config on the option read, or on "config"', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({ ...base }, {});
    revoke();
    const cases = [
      [Object.defineProperty({ ...base }, 'regionId', { get: boom, enumerable: true }), 'regionId'],
      [Object.defineProperty({ ...base }, 'fetch', { get: () => { throw Symbol('odd'); }, enumerable: true }), 'fetch'],
      [new Proxy({ ...base }, { get: boom }), 'accessKeyId'],
      [new Proxy({ ...base }, { ownKeys: boom }), 'config'],
      [revoked, 'config'],
    ];
    for (const [config, field] of cases) {
      const err = constructionFailure(config);
      assert.equal(err.kind, 'config', err.message);
      assert.equal(err.code, 'InvalidParameter.Malformed');
      assert.equal(err.field, field, err.message);
    }
  });

  test('options come from the config\'s own properties: a polluted Object.prototype supplies no fetch, endpoint or key', async (t) => {
    const srv = await serve(t);
    const stolen = [];
    try {
      Object.prototype.fetch = (url) => { stolen.push(url); return Promise.reject(new Error('no')); }; // eslint-disable-line no-extend-native
      Object.prototype.endpoint = 'https://evil.example'; // eslint-disable-line no-extend-native
      Object.prototype.accessKeySecret = 'planted'; // eslint-disable-line no-extend-native
      const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN, endpoint: srv.url, maxQps: 1000 });
      assert.equal((await client.startCasterScene(START)).RequestId, 'req-0');
      const keyless = constructionFailure({ accessKeyId: KEY_ID });
      assert.equal(keyless.field, 'accessKeySecret');
    } finally {
      delete Object.prototype.fetch;
      delete Object.prototype.endpoint;
      delete Object.prototype.accessKeySecret;
    }
    assert.deepEqual(stolen, []);
    verifyRequest(srv.requests[0], { method: 'POST', action: 'StartCasterScene' });
  });

  test('a fetch, a body or a credentials function that never settles (and ignores the signal) cannot outlive timeoutMs', async () => {
    const never = { then() {} }; // a thenable that never calls back
    const started = Date.now();
    // fetch never settles: a Timeout, as for a slow server.
    const stalledFetch = await failure(new CasterClient({ ...base, timeoutMs: 150, fetch: () => never }).startCasterScene(START));
    assert.equal(stalledFetch.code, 'Timeout');
    assert.equal(stalledFetch.kind, 'timeout');
    // The headers arrive, the body never does.
    const stalledBody = await failure(new CasterClient({
      ...base, timeoutMs: 150, fetch: async () => ({ status: 200, headers: new Headers(), text: () => never }),
    }).startCasterScene(START));
    assert.equal(stalledBody.code, 'Timeout');
    // The credentials function never settles: nothing is sent.
    const fetch = recordingFetch();
    const stalledCredentials = await failure(new CasterClient({ credentials: () => never, fetch, timeoutMs: 150, maxQps: 1000 })
      .startCasterScene(START));
    assert.equal(stalledCredentials.code, 'CredentialsUnavailable');
    assert.match(stalledCredentials.message, /did not settle within 150 ms/);
    assert.equal(fetch.calls.length, 0);
    assert.ok(Date.now() - started < 3000, 'each wait ended at its timeout');
  });

  test('credentials that throw when read → kind config on "credentials", nothing sent', async () => {
    const fetch = recordingFetch();
    const { proxy: revoked, revoke } = Proxy.revocable({ accessKeyId: KEY_ID, accessKeySecret: SECRET }, {});
    revoke();
    for (const given of [Object.defineProperty({ accessKeyId: KEY_ID }, 'accessKeySecret', { get: boom }), revoked,
      new Proxy({}, { get: boom })]) {
      const err = await failure(new CasterClient({ credentials: () => given, fetch, maxQps: 1000 }).startCasterScene(START));
      assert.equal(err.kind, 'config', err.message);
      assert.equal(err.field, 'credentials');
    }
    assert.equal(fetch.calls.length, 0);
  });

  test('fetch resolving to something that is not a usable Response → InvalidResponse, never a TypeError', async () => {
    const json = JSON.stringify({ RequestId: 'r', StreamUrl: 's' });
    const results = [
      null, undefined, 42, {}, { status: 'ok' }, { get status() { return boom(); } }, { status: 200, text: boom },
      { status: 200, text: async () => ({ not: 'text' }) }, { status: 200, text: async () => Symbol('s') },
    ];
    for (const [i, result] of results.entries()) {
      const client = new CasterClient({ ...base, fetch: async () => result });
      const err = await failure(client.startCasterScene(START));
      assert.equal(err.code, 'InvalidResponse', `result ${i}: ${err.message}`);
      assert.equal(err.kind, 'api');
    }
    // A status and a body are all a success needs; headers that cannot be read are not used.
    const unreadable = { status: 200, text: async () => json, headers: { get: boom }, get ok() { return boom(); } };
    assert.deepEqual(await new CasterClient({ ...base, fetch: async () => unreadable }).startCasterScene(START), { RequestId: 'r', StreamUrl: 's' });
    // A Response whose headers cannot be read: retries and the clock correction go without them.
    const badHeaders = (status, body) => ({ status, text: async () => JSON.stringify(body), headers: { get: boom } });
    const throttled = new CasterClient({ ...base, maxRetries: 1, fetch: async () => badHeaders(429, { Code: 'Throttling.User', Message: 'm' }) });
    assert.equal((await failure(throttled.startCasterScene(START))).code, 'Throttling.User');
    const expired = new CasterClient({ ...base, fetch: async () => badHeaders(400, { Code: 'InvalidTimeStamp.Expired', Message: 'm' }) });
    assert.equal((await failure(expired.startCasterScene(START))).code, 'InvalidTimeStamp.Expired');
    // fetch rejecting with values that cannot be read (a revoked proxy as the cause).
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const thrown of [revoked, Object.assign(new TypeError('fetch failed'), { cause: revoked }), undefined, () => {}]) {
      const err = await failure(new CasterClient({ ...base, fetch: async () => { throw thrown; } }).startCasterScene(START));
      assert.equal(err.code, 'NetworkError');
    }
    // A result whose `then` throws (a proxy) makes fetch's own promise reject: a network failure too.
    const thenThrows = new Proxy(new Response(json), { get: boom });
    assert.equal((await failure(new CasterClient({ ...base, fetch: async () => thenThrows }).startCasterScene(START))).code, 'NetworkError');
  });

  test('a Code that is not an error code (empty, spaces, 200 characters, not a string) → InvalidResponse', async (t) => {
    for (const Code of ['', 'has space', 'x'.repeat(200), '.Dot', 'A..B', 'Code\n']) {
      const srv = await serve(t, () => ({ status: 400, json: { RequestId: 'r', Code, Message: 'm' } }));
      const err = await failure(makeClient(srv, { maxRetries: 0 }).startCasterScene(START));
      assert.equal(err.code, 'InvalidResponse', JSON.stringify(Code));
      assert.equal(err.httpStatus, 400);
    }
    const srv = await serve(t, () => ({ status: 400, json: { RequestId: 'r', Code: 400, Message: 'm' } }));
    assert.equal((await failure(makeClient(srv, { maxRetries: 0 }).startCasterScene(START))).code, 'InvalidResponse');
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

describe('secrets', () => {
  test('a server Message or Recommend of a megabyte comes back cut to 1,000 characters, never mid-pair', async (t) => {
    const body = { RequestId: 'req-big', Code: 'InvalidParameter', Message: `${'x'.repeat(998)}😀${'y'.repeat(1 << 20)}`, Recommend: 'r'.repeat(1 << 20) };
    const srv = await serve(t, () => ({ status: 400, json: body }));
    // Over the default maxReplyBytes (1 MiB): the limit is raised to let the body in.
    const err = await failure(makeClient(srv, { maxReplyBytes: 4 * 1024 * 1024 }).startCasterScene(START));
    assert.equal(err.code, 'InvalidParameter');
    assert.equal(err.message, `${'x'.repeat(998)}…`);
    assert.equal(err.recommend.length, 1000);
    assert.ok(err.recommend.endsWith('r…'));
  });

  test('a server Message echoing the token (string to sign) comes back redacted', async (t) => {
    const srv = await serve(t, (rec) => {
      const { stringToSign } = referenceSign('POST', rec.params, 'the-server-does-not-matter');
      return apiError(400, 'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign} (token ${TOKEN})`)(rec);
    });
    const err = await failure(makeClient(srv).startCasterScene(START));
    assert.equal(err.code, 'SignatureDoesNotMatch');
    assert.equal(err.kind, 'api');
    assert.equal(err.httpStatus, 400);
    assert.equal(err.retryable, false);
    assert.equal(srv.requests.length, 1);
    assert.ok(err.message.includes('server string to sign is:'), err.message);
    // The double-encoded form really was in what the server sent.
    assert.ok(referenceSign('POST', srv.requests[0].params, 'x').stringToSign.includes(enc(enc(TOKEN))));
    for (const form of [TOKEN, enc(TOKEN), enc(enc(TOKEN))]) assert.ok(!err.message.includes(form), `token form ${form} not redacted`);
  });

  // MISMATCH (see report): js/client.js #read redacts Message but copies Recommend (and RequestId)
  // verbatim, so a server that echoes a secret there puts it into an error property.
  test('a server Recommend echoing the token comes back redacted', async (t) => {
    const srv = await serve(t, (rec) => ({
      status: 400,
      json: { RequestId: 'r', Code: 'SignatureDoesNotMatch', Message: 'no', Recommend: `https://example.com/?SecurityToken=${enc(TOKEN)}&t=${TOKEN}` },
    }));
    let err;
    try { await makeClient(srv).startCasterScene(START); } catch (e) { err = e; }
    assert.ok(err instanceof CasterError);
    for (const form of [TOKEN, enc(TOKEN)]) assert.ok(!JSON.stringify(err).includes(form), `token form ${form} in ${JSON.stringify(err)}`);
  });

  test('no secret appears in any error produced in this file', (t) => {
    assert.ok(ERRORS.length >= 40, `only ${ERRORS.length} errors collected`);
    const forms = [SECRET, TOKEN].flatMap((s) => [s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s)), enc(s), enc(enc(s))]);
    const kinds = new Set();
    for (const err of ERRORS) {
      kinds.add(err.kind);
      const texts = [
        ['message', err.message], ['stack', err.stack], ['JSON', JSON.stringify(err)],
        ['cause', String(err.cause)], ['inspect', inspect(err, { depth: 10, showHidden: true })],
      ];
      for (const key of Reflect.ownKeys(err)) {
        const value = err[key];
        texts.push([`property ${String(key)}`, value !== null && typeof value === 'object' ? inspect(value, { depth: 10 }) : String(value)]);
      }
      for (const [where, text] of texts) {
        for (const form of forms) assert.ok(!String(text).includes(form), `${err.kind}/${err.code}: a secret (${form}) in ${where}`);
      }
    }
    assert.deepEqual([...kinds].sort(), ['api', 'config', 'network', 'timeout', 'validation']);
    t.diagnostic(`${ERRORS.length} errors checked`);
  });
});
