// CasterClient against a hostile endpoint: a real node:http server on 127.0.0.1 (or anything
// between) that answers an endless or a gzip-bomb reply, redirects the signed request elsewhere,
// forges its Date, or echoes a secret in an encoded form. The memory checks run the client in a
// child Node process with a 64 MB heap and read its peak RSS.

import { test as nodeTest, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { CasterClient, CasterError } from 'aliyun-caster';
import { writeZeros } from './support/hostile-server.mjs';

const KEY_ID = 'LTAI5tAttackTestKey';
const SECRET = 'aTk/sEcReT+5=wombat-3b8c';
const TOKEN = 'CAIS/aTkTOKEN+z9==kiwi-77e0';
const START = { CasterId: 'caster-1', SceneId: 'scene-1' };
const ADD = { CasterId: 'caster-1', ResourceName: 'cam', LocationId: 'RV01', LiveStreamUrl: 'rtmp://h/app/s' };
const STREAM_URL = 'rtmp://live.example.com/caster/scene-1';
const MIB = 1024 * 1024;

function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 30000 }, options)
    : nodeTest(name, { timeout: 30000, ...options }, fn);
}

async function failure(promise) {
  try {
    const value = await promise;
    assert.fail(`resolved instead of rejecting: ${JSON.stringify(value)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    assert.ok(error instanceof CasterError, `not a CasterError: ${error}`);
    return error;
  }
}

/**
 * A server on 127.0.0.1 that records each request and lets `handler(req, res, body)` answer it.
 * Closed (every socket destroyed) when the test ends, whether it passed or not.
 */
async function serve(t, handler) {
  const requests = [];
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method, url: req.url, headers: req.headers, body });
    try {
      await handler(req, res, body, requests.length - 1);
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
  t.after(close);
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close };
}

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const success = (res) => json(res, 200, { RequestId: 'req-ok', StreamUrl: STREAM_URL });


/** An endless (bounded at `limit`) chunked 200 reply. */
function endless(limit) {
  const stats = { written: 0 };
  return {
    stats,
    handler: async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"RequestId":"');
      stats.written = await writeZeros(res, res, limit);
    },
  };
}

/** A gzip reply whose decoded size is `limit` bytes of zeros: about 1,000 times its size on the wire. */
function gzipBomb(limit) {
  const stats = { written: 0 };
  return {
    stats,
    handler: async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      const gzip = createGzip({ level: 9 });
      gzip.pipe(res);
      gzip.write('{"RequestId":"');
      stats.written = await writeZeros(res, gzip, limit);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reply size
// ---------------------------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The child: one call, then its outcome and peak RSS as one JSON line.
const CHILD = `
import { CasterClient } from 'aliyun-caster';
const client = new CasterClient({ accessKeyId: 'LTAI5tChild', accessKeySecret: 'child-secret-1', endpoint: process.env.ENDPOINT,
  timeoutMs: 30000, maxRetries: 0 });
let outcome;
try {
  outcome = { value: await client.startCasterScene({ CasterId: 'c', SceneId: 's' }) };
} catch (error) {
  outcome = { code: error.code, kind: error.kind, message: error.message };
}
console.log(JSON.stringify({ ...outcome, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
`;

/**
 * Runs one call in a child Node process with a 64 MB heap; resolves to what it printed (the
 * outcome and its peak RSS), or to its exit when it crashed. Killed after `limitMs`.
 */
function inChild(endpoint, limitMs = 60000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=64', '--input-type=module', '-e', CHILD], {
      cwd: ROOT, env: { ...process.env, ENDPOINT: endpoint }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      let result;
      try {
        result = JSON.parse(out.trim().split('\n').pop());
      } catch {
        result = undefined;
      }
      resolve({ result, code, signal, stderr: err });
    });
  });
}

describe('reply size: read as a stream up to maxReplyBytes', () => {
  test('an endless chunked reply: ReplyTooLarge, the child\'s peak RSS stays small', async (t) => {
    const bomb = endless(512 * MIB);
    const srv = await serve(t, bomb.handler);
    const started = Date.now();
    const { result, code, signal, stderr } = await inChild(srv.url);
    const ms = Date.now() - started;
    t.diagnostic(`child exit ${code ?? signal} after ${ms} ms; server wrote ${(bomb.stats.written / MIB).toFixed(1)} MiB; ` +
      `result ${JSON.stringify(result)}`);
    assert.ok(result, `the child crashed: ${stderr}`);
    assert.equal(result.code, 'ReplyTooLarge');
    assert.equal(result.kind, 'api');
    assert.ok(result.maxRssMiB < 160, `peak RSS ${result.maxRssMiB} MiB`);
    assert.ok(bomb.stats.written < 64 * MIB, `the server wrote ${bomb.stats.written} bytes before the client hung up`);
  });

  test('a gzip bomb (decoded bytes are counted): ReplyTooLarge, the child\'s peak RSS stays small', async (t) => {
    const bomb = gzipBomb(1024 * MIB);
    const srv = await serve(t, bomb.handler);
    const { result, code, signal, stderr } = await inChild(srv.url);
    t.diagnostic(`child exit ${code ?? signal}; decoded bytes offered ${(bomb.stats.written / MIB).toFixed(1)} MiB; ` +
      `result ${JSON.stringify(result)}`);
    assert.ok(result, `the child crashed: ${stderr}`);
    assert.equal(result.code, 'ReplyTooLarge');
    assert.ok(result.maxRssMiB < 160, `peak RSS ${result.maxRssMiB} MiB`);
    assert.ok(bomb.stats.written < 256 * MIB, `${bomb.stats.written} decoded bytes went out before the client hung up`);
  });

  test('maxReplyBytes: a reply of exactly the cap is read, one byte more is refused; not retried', async (t) => {
    const body = JSON.stringify({ RequestId: 'r', StreamUrl: STREAM_URL });
    const padded = (n) => body.slice(0, -1) + ' '.repeat(n - body.length) + '}';
    let size = 2048;
    const srv = await serve(t, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(padded(size));
    });
    const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: srv.url, maxReplyBytes: 2048, maxQps: 1000 });
    assert.deepEqual(await client.startCasterScene(START), { RequestId: 'r', StreamUrl: STREAM_URL });
    size = 2049;
    const before = srv.requests.length;
    const err = await failure(client.addCasterVideoResource(ADD));
    assert.equal(err.code, 'ReplyTooLarge');
    assert.equal(err.kind, 'api');
    assert.equal(err.retryable, false);
    assert.equal(err.httpStatus, 200);
    assert.equal(srv.requests.length - before, 1, 'AddCasterVideoResource was retried');
  });

  test('a multi-byte character split across chunks decodes whole', async (t) => {
    const srv = await serve(t, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const bytes = Buffer.from(JSON.stringify({ RequestId: 'r-★ü', StreamUrl: 'rtmp://h/ü★' }));
      let i = 0;
      const next = () => {
        if (i >= bytes.length) { res.end(); return; }
        res.write(bytes.subarray(i, i + 1));
        i += 1;
        setImmediate(next);
      };
      next();
    });
    const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: srv.url });
    assert.deepEqual(await client.startCasterScene(START), { RequestId: 'r-★ü', StreamUrl: 'rtmp://h/ü★' });
  });

  test('the timeout covers the whole read: a reply that trickles in ends at timeoutMs', async (t) => {
    const srv = await serve(t, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const err = await failure(new CasterClient({
      accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: srv.url, timeoutMs: 300, maxRetries: 0,
    }).startCasterScene(START));
    assert.equal(err.code, 'Timeout');
    assert.ok(Date.now() - started < 3000);
  });

  test('a custom fetch without a body stream: a declared Content-Length over the cap is refused unread', async () => {
    let read = 0;
    const fetch = async () => ({
      status: 200,
      headers: new Headers({ 'content-length': String(10 * MIB) }),
      text: async () => { read += 1; return '{}'; },
    });
    const err = await failure(new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, fetch }).startCasterScene(START));
    assert.equal(err.code, 'ReplyTooLarge');
    assert.equal(read, 0);
    // Its text, once read, is held to the cap too.
    const big = async () => ({ status: 200, headers: new Headers(), text: async () => `{"RequestId":"${'x'.repeat(MIB)}"}` });
    assert.equal((await failure(new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, fetch: big }).startCasterScene(START))).code,
      'ReplyTooLarge');
  });

  test('maxReplyBytes out of range (or not an integer) is a config error', () => {
    for (const maxReplyBytes of [0, 1023, 64 * MIB + 1, 1.5, '1024', Infinity]) {
      assert.throws(() => new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, maxReplyBytes }),
        (e) => e instanceof CasterError && e.kind === 'config' && e.field === 'maxReplyBytes');
    }
    for (const maxReplyBytes of [1024, MIB, 64 * MIB]) new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, maxReplyBytes });
  });
});

// ---------------------------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------------------------

describe('redirects are never followed', () => {
  const STATUSES = [301, 302, 303, 307, 308];
  for (const signatureAlgorithm of ['v1', 'v3']) {
    for (const method of ['GET', 'POST']) {
      test(`${signatureAlgorithm} ${method}: 301, 302, 303, 307, 308 → Redirected; the other host receives nothing`, async (t) => {
        const other = await serve(t, (req, res) => success(res));
        let status;
        const srv = await serve(t, (req, res) => {
          res.writeHead(status, { location: `${other.url}/steal?Signature=stolen-sig&SecurityToken=stolen-tok` });
          res.end();
        });
        for (status of STATUSES) {
          const client = new CasterClient({
            accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN, endpoint: srv.url, method, signatureAlgorithm, maxQps: 1000,
          });
          for (const call of [() => client.startCasterScene(START), () => client.addCasterVideoResource(ADD)]) {
            const err = await failure(call());
            assert.equal(err.code, 'Redirected', `${status}: ${err.code} ${err.message}`);
            assert.equal(err.kind, 'api');
            assert.equal(err.httpStatus, status);
            assert.equal(err.retryable, false);
            assert.doesNotMatch(JSON.stringify({ ...err.toJSON(), message: err.message }), /stolen|steal/);
          }
        }
        assert.equal(other.requests.length, 0, `the other host received ${JSON.stringify(other.requests[0])}`);
        assert.equal(srv.requests.length, STATUSES.length * 2, 'a redirect was retried');
      });
    }
  }

  test('a custom fetch that follows anyway: a reply from another origin (or marked redirected) is refused', async (t) => {
    const other = await serve(t, (req, res) => success(res));
    const srv = await serve(t, (req, res) => {
      res.writeHead(307, { location: `${other.url}/` });
      res.end();
    });
    const following = (url, init) => globalThis.fetch(url, { ...init, redirect: 'follow' });
    const err = await failure(new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: srv.url, fetch: following })
      .startCasterScene(START));
    assert.equal(err.code, 'Redirected');
    // A result that says it was redirected, or comes from another origin, whatever its status.
    const body = JSON.stringify({ RequestId: 'r', StreamUrl: STREAM_URL });
    for (const result of [
      { status: 200, redirected: true, url: '', headers: new Headers(), text: async () => body },
      { status: 200, redirected: false, url: 'https://elsewhere.example/', headers: new Headers(), text: async () => body },
      { status: 0, type: 'opaqueredirect', url: '', headers: new Headers(), text: async () => '' },
    ]) {
      const e = await failure(new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, fetch: async () => result }).startCasterScene(START));
      assert.equal(e.code, 'Redirected', JSON.stringify(result));
    }
    // The configured origin's own URL is fine.
    const same = { status: 200, url: 'https://live.aliyuncs.com/?x=1', headers: new Headers(), text: async () => body };
    assert.deepEqual(await new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, fetch: async () => same }).startCasterScene(START),
      { RequestId: 'r', StreamUrl: STREAM_URL });
  });

  test('every fetch init asks for redirect: "manual"', async () => {
    const inits = [];
    const fetch = async (url, init) => { inits.push(init); return Response.json({ RequestId: 'r', StreamUrl: STREAM_URL }); };
    for (const signatureAlgorithm of ['v1', 'v3']) {
      await new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, fetch, signatureAlgorithm }).startCasterScene(START);
    }
    assert.deepEqual(inits.map((i) => i.redirect), ['manual', 'manual']);
  });
});

// ---------------------------------------------------------------------------------------------
// A forged Date
// ---------------------------------------------------------------------------------------------

describe('a forged server Date cannot break the client', () => {
  const FORGED = [
    'Sat, 01 Jan 10000 00:00:00 GMT', '+010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', 'Wed, 31 Dec 1969 23:59:59 GMT',
    '1960-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Mon, 01 Jan 2101 00:00:00 GMT',
  ];
  for (const signatureAlgorithm of ['v1', 'v3']) {
    test(`${signatureAlgorithm}: after InvalidTimeStamp.Expired with a Date out of range, later calls are sent and succeed`, async (t) => {
      let forged;
      const srv = await serve(t, (req, res, body, i) => {
        if (forged !== undefined) {
          const date = forged;
          forged = undefined;
          res.sendDate = false;
          json(res, 400, { RequestId: `r${i}`, Code: 'InvalidTimeStamp.Expired', Message: 'expired' }, { date });
          return;
        }
        success(res);
      });
      const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: srv.url, signatureAlgorithm, maxQps: 1000 });
      for (const date of FORGED) {
        forged = date;
        const sent = srv.requests.length;
        const err = await failure(client.startCasterScene(START));
        assert.equal(err.code, 'InvalidTimeStamp.Expired', `${date}: ${err.code} ${err.message}`);
        assert.equal(srv.requests.length - sent, 1, `${date}: the out-of-range Date was taken`);
        assert.deepEqual(await client.startCasterScene(START), { RequestId: 'req-ok', StreamUrl: STREAM_URL }, date);
      }
      // Every later request carries the local clock's time.
      for (const r of srv.requests) {
        const stamp = signatureAlgorithm === 'v1'
          ? new URLSearchParams(r.method === 'POST' ? r.body : r.url.split('?')[1]).get('Timestamp') : r.headers['x-acs-date'];
        assert.ok(Math.abs(Date.parse(stamp) - Date.now()) < 60000, `sent with ${stamp}`);
      }
    });
  }

  test('a Date within range is still taken (one retry), and a later correction replaces it', async (t) => {
    const stamps = [];
    let dates = [new Date(Date.now() + 3600e3).toUTCString()];
    const srv = await serve(t, (req, res, body, i) => {
      stamps.push(new URLSearchParams(body).get('Timestamp'));
      const date = dates.shift();
      if (date) {
        res.sendDate = false;
        json(res, 400, { RequestId: `r${i}`, Code: 'InvalidTimeStamp.Expired', Message: 'expired' }, { date });
        return;
      }
      success(res);
    });
    const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: srv.url, maxQps: 1000 });
    await client.startCasterScene(START);
    assert.ok(Math.abs(Date.parse(stamps[1]) - (Date.now() + 3600e3)) < 60000, `retried with ${stamps[1]}`);
    dates = [new Date().toUTCString()];
    await client.startCasterScene(START);
    assert.ok(Math.abs(Date.parse(stamps[3]) - Date.now()) < 60000, `corrected back: ${stamps[3]}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Redaction of every encoding of a secret
// ---------------------------------------------------------------------------------------------

const utf8 = (s) => Buffer.from(s, 'utf8');
const everyByte = (s, lower) => [...utf8(s)].map((b) => `%${b.toString(16).padStart(2, '0')[lower ? 'toLowerCase' : 'toUpperCase']()}`).join('');
const b64 = (bytes, url, pad) => {
  let s = Buffer.from(bytes).toString(url ? 'base64url' : 'base64');
  if (url && pad) s += '='.repeat((4 - (s.length % 4)) % 4);
  if (!pad) s = s.replace(/=+$/, '');
  return s;
};

/** Every encoded form of `secret` the server may echo, by name. */
function encodings(secret) {
  const forms = {
    raw: secret,
    'percent upper': encodeURIComponent(secret),
    'percent lower': encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'form (+ for space)': new URLSearchParams({ s: secret }).toString().slice(2),
    'every byte %XX': everyByte(secret, false),
    'every byte %xx': everyByte(secret, true),
    'every byte, mixed case': everyByte(secret, false).replace(/%([0-9A-F])([0-9A-F])/g, (m, a, b) => `%${a}${b.toLowerCase()}`),
    'percent, twice': encodeURIComponent(encodeURIComponent(secret)),
    'JSON \\u escapes': [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    'JSON \\u escapes, upper': [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`).join(''),
    'JSON \\/': JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    'hex lower': utf8(secret).toString('hex'),
    'hex upper': utf8(secret).toString('hex').toUpperCase(),
  };
  for (const url of [false, true]) {
    for (const pad of [false, true]) {
      for (let align = 0; align < 3; align++) {
        // Inside a longer base64 text: `align` bytes before it, some after.
        const bytes = Buffer.concat([Buffer.from('xyz').subarray(0, align), utf8(secret), Buffer.from('trailing bytes')]);
        forms[`base64${url ? 'url' : ''} ${pad ? 'padded' : 'unpadded'}, alone, offset ${align}`] = align === 0
          ? b64(utf8(secret), url, pad) : undefined;
        forms[`base64${url ? 'url' : ''} ${pad ? 'padded' : 'unpadded'}, inside, offset ${align}`] = b64(bytes, url, pad);
      }
    }
  }
  return Object.fromEntries(Object.entries(forms).filter(([, v]) => v !== undefined));
}

/** The part of a form that must not survive: for base64 inside a longer text, the secret's own bytes' characters. */
function core(secret, name, form) {
  if (!name.startsWith('base64') || !name.includes('inside')) return form;
  const align = Number(name.at(-1));
  const start = [0, 2, 3][align];
  const end = Math.floor(((align + utf8(secret).length) * 8) / 6);
  return form.slice(start, end);
}

describe('no encoding of a secret survives into any field', () => {
  const CASES = [
    // (A SecurityToken holds no whitespace; a secret may.)
    ['a secret and token that need encoding', 'rDt/sEcReT+7=dingo-5a1e x', 'CAIS/rDtTOKEN+q3==emu-c0fe'],
    ['a plain secret and token', 'PlainSecretGalah0123456789', 'CAISplainTokenCassowary9876'],
  ];
  for (const [label, secret, token] of CASES) {
    test(`${label}: every form in Code, Message, Recommend, RequestId and the result`, async () => {
      let reply;
      const fetch = async () => new Response(reply.body, { status: reply.status, headers: { 'content-type': 'application/json' } });
      const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: secret, securityToken: token, fetch, maxRetries: 0, maxQps: 1000 });
      const leaks = [];
      for (const [what, s] of [['secret', secret], ['token', token]]) {
        for (const [name, form] of Object.entries(encodings(s))) {
          const text = `before ${form} after`;
          const shapes = [
            ['Message', 400, { RequestId: 'r', Code: 'Bad.Thing', Message: text }],
            ['Recommend', 400, { RequestId: 'r', Code: 'Bad.Thing', Message: 'm', Recommend: `https://help/?q=${form}` }],
            ['RequestId', 400, { RequestId: text, Code: 'Bad.Thing', Message: 'm' }],
            ['Code', 400, { RequestId: 'r', Code: `X.${form}`, Message: 'm' }],
            ['StreamUrl', 200, { RequestId: 'r', StreamUrl: `rtmp://h/${form}` }],
            ['RequestId of a success', 200, { RequestId: text, StreamUrl: 'rtmp://h/s' }],
          ];
          for (const [field, status, body] of shapes) {
            reply = { status, body: JSON.stringify(body) };
            let shown;
            try {
              shown = JSON.stringify(await client.startCasterScene(START));
            } catch (error) {
              assert.ok(error instanceof CasterError, String(error));
              shown = JSON.stringify({ ...error.toJSON(), message: error.message });
            }
            const needle = core(s, name, form);
            if (shown.includes(needle) || shown.includes(JSON.stringify(needle).slice(1, -1)) || shown.includes(s)) {
              leaks.push(`${what} ${name} in ${field}: ${shown}`);
            }
          }
        }
      }
      assert.deepEqual(leaks, []);
    });
  }

  test('text around a redacted form is kept, and an unrelated text is untouched', async () => {
    const secret = 'rDt/sEcReT+7=dingo-5a1e';
    let body;
    const fetch = async () => new Response(body, { status: 400 });
    const client = new CasterClient({ accessKeyId: KEY_ID, accessKeySecret: secret, fetch, maxRetries: 0 });
    body = JSON.stringify({ RequestId: 'r', Code: 'Bad.Thing', Message: `key=${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}&next=1` });
    assert.equal((await failure(client.startCasterScene(START))).message, 'key=<redacted>&next=1');
    const plain = 'The specified signature 100%25 does+not match: a%2Fb \\u0041 QUJD 414243';
    body = JSON.stringify({ RequestId: 'r', Code: 'Bad.Thing', Message: plain });
    assert.equal((await failure(client.startCasterScene(START))).message, plain);
  });
});
