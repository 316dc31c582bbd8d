// The edge worker (worker/index.js) in real workerd through miniflare, against a hostile UPSTREAM:
// a node:http server on 127.0.0.1 that answers an endless reply, a gzip bomb, redirects to a
// second server, or a forged Date. The worker must answer an error, stay within bounded memory
// (workerd's peak RSS, from /proc), send nothing to the second server, and keep answering.
//   main   UPSTREAM the hostile server, v1                           (http://worker/...)
//   v3     the same, SIGNATURE_ALGORITHM "v3" with STS credentials   (http://v3/...)

import { after, before, describe, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { createGzip } from 'node:zlib';

import { Miniflare } from 'miniflare';
import { WORKER } from './support/worker.mjs';
import { writeZeros } from './support/hostile-server.mjs';

function test(name, options, fn) {
  return typeof options === 'function'
    ? nodeTest(name, { timeout: 60000 }, options)
    : nodeTest(name, { timeout: 60000, ...options }, fn);
}

const KEY = { accessKeyId: 'LTAI5tWorkerAttackKey', accessKeySecret: 'wAk/sEcReT+2=dunnart-91b3' };
const V3_KEY = { accessKeyId: 'STS.NWorkerAttackV3', accessKeySecret: 'wA3/SeCrEt+6=bandicoot-0d5e', securityToken: 'CAIS/wA3TOKEN+k2==numbat-41c8' };
const PROXY_TOKEN = 'pxy-AttackToken_quoll-2f9e4c81d7';
const SECRETS = [KEY.accessKeySecret, V3_KEY.accessKeySecret, V3_KEY.securityToken, PROXY_TOKEN];
const SCENE = { CasterId: 'caster-1', SceneId: 'scene-1' };
const STREAM_URL = 'rtmp://live.example.com/caster/scene-1';
const MIB = 1024 * 1024;

/** A node:http server whose answers the test sets (`srv.handler`); every request recorded. */
async function hostileServer() {
  const sockets = new Set();
  const srv = { requests: [], handler: undefined };
  srv.server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    srv.requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    try {
      await (srv.handler ?? success)(req, res);
    } catch {
      res.destroy();
    }
  });
  srv.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => srv.server.listen(0, '127.0.0.1', resolve));
  srv.url = `http://127.0.0.1:${srv.server.address().port}`;
  srv.close = () => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    srv.server.close(() => resolve());
  });
  return srv;
}

function success(req, res) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ RequestId: 'req-ok', StreamUrl: STREAM_URL }));
}


/** workerd's process (a child of this one): its peak and current RSS in MiB, from /proc. */
function workerdMemory() {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid || !stat.includes('(workerd)')) continue;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]);
    return { pid: Number(pid), peakMiB: Math.round(kb('VmHWM') / 1024), rssMiB: Math.round(kb('VmRSS') / 1024) };
  }
  return undefined;
}

let upstream;
let other;
let mf;
const RESPONSES = [];

before(async () => {
  upstream = await hostileServer();
  other = await hostileServer();
  const env = (key, extra = {}) => ({
    ACCESS_KEY_ID: key.accessKeyId, ACCESS_KEY_SECRET: key.accessKeySecret, PROXY_TOKEN, UPSTREAM: upstream.url, REGION_ID: 'cn-shanghai', ...extra,
  });
  mf = new Miniflare({
    workers: [
      { name: 'main', ...WORKER, bindings: env(KEY) },
      { name: 'v3', ...WORKER, routes: ['v3/*'], bindings: env(V3_KEY, { SECURITY_TOKEN: V3_KEY.securityToken, SIGNATURE_ALGORITHM: 'v3' }) },
    ],
  });
  await mf.ready;
}, { timeout: 30000 });

after(async () => {
  await mf?.dispose();
  await upstream?.close();
  await other?.close();
});

async function start(host = 'worker') {
  const res = await mf.dispatchFetch(`http://${host}/v1/StartCasterScene`, {
    method: 'POST', headers: { authorization: `Bearer ${PROXY_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(SCENE),
    redirect: 'manual',
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const out = { status: res.status, headers: Object.fromEntries(res.headers), text, json };
  RESPONSES.push(out);
  return out;
}

describe('a reply too large for the worker', () => {
  test('an endless reply: an error answer, workerd\'s peak RSS stays small, and the next call works', async (t) => {
    const stats = { written: 0 };
    upstream.handler = async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"RequestId":"');
      stats.written = await writeZeros(res, res, 1024 * MIB);
    };
    const started = Date.now();
    const res = await start();
    const memory = workerdMemory();
    t.diagnostic(`${res.status} ${res.text} after ${Date.now() - started} ms; upstream wrote ${(stats.written / MIB).toFixed(1)} MiB; `
      + `workerd ${JSON.stringify(memory)}`);
    assert.equal(res.status, 502);
    assert.equal(res.json?.Code, 'ReplyTooLarge');
    assert.ok(memory, 'workerd\'s process was not found');
    assert.ok(memory.peakMiB < 512, `workerd peaked at ${memory.peakMiB} MiB`);
    upstream.handler = success;
    const next = await start();
    assert.equal(next.status, 200, next.text);
    assert.equal(workerdMemory()?.pid, memory.pid, 'workerd was restarted');
  });

  test('a gzip bomb: decoded bytes are counted; an error answer, small peak RSS, and the next call works', async (t) => {
    const stats = { written: 0 };
    upstream.handler = async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      const gzip = createGzip({ level: 9 });
      gzip.pipe(res);
      gzip.write('{"RequestId":"');
      stats.written = await writeZeros(res, gzip, 2048 * MIB);
    };
    const res = await start('v3');
    const memory = workerdMemory();
    t.diagnostic(`${res.status} ${res.text}; decoded bytes offered ${(stats.written / MIB).toFixed(1)} MiB; workerd ${JSON.stringify(memory)}`);
    assert.equal(res.status, 502);
    assert.equal(res.json?.Code, 'ReplyTooLarge');
    assert.ok(memory.peakMiB < 512, `workerd peaked at ${memory.peakMiB} MiB`);
    upstream.handler = success;
    assert.equal((await start('v3')).status, 200);
  });

  test('the worker takes at most 64 KiB of a reply: 64 KiB is answered, one byte more is ReplyTooLarge', async () => {
    for (const [size, status] of [[64 * 1024, 200], [64 * 1024 + 1, 502]]) {
      upstream.handler = (req, res) => {
        const body = JSON.stringify({ RequestId: 'req-ok', StreamUrl: STREAM_URL });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`${body.slice(0, -1)}${' '.repeat(size - body.length)}}`);
      };
      const res = await start();
      assert.equal(res.status, status, `${size}: ${res.text}`);
      if (status !== 200) assert.equal(res.json?.Code, 'ReplyTooLarge');
    }
    upstream.handler = success;
  });
});

describe('redirects', () => {
  for (const host of ['worker', 'v3']) {
    test(`${host === 'v3' ? 'V3' : 'v1'}: 301, 302, 303, 307, 308 upstream → 502 Redirected; the other host receives nothing`, async () => {
      for (const status of [301, 302, 303, 307, 308]) {
        upstream.handler = (req, res) => {
          res.writeHead(status, { location: `${other.url}/steal?Signature=stolen` });
          res.end();
        };
        const res = await start(host);
        assert.equal(res.status, 502, `${status}: ${res.status} ${res.text}`);
        assert.equal(res.json?.Code, 'Redirected', `${status}: ${res.text}`);
        assert.equal(res.headers.location, undefined);
        assert.doesNotMatch(res.text, /stolen|steal|127\.0\.0\.1/);
      }
      assert.equal(other.requests.length, 0, `the other host received ${JSON.stringify(other.requests[0])}`);
      upstream.handler = success;
    });
  }
});

describe('a forged Date', () => {
  for (const host of ['worker', 'v3']) {
    test(`${host === 'v3' ? 'V3' : 'v1'}: after InvalidTimeStamp.Expired with a Date out of range, the worker keeps answering`, async () => {
      for (const date of ['Sat, 01 Jan 10000 00:00:00 GMT', '+275760-09-13T00:00:00Z', 'Wed, 31 Dec 1969 23:59:59 GMT', 'Mon, 01 Jan 2101 00:00:00 GMT']) {
        let forged = true;
        upstream.handler = (req, res) => {
          if (!forged) return success(req, res);
          forged = false;
          res.sendDate = false;
          res.writeHead(400, { 'content-type': 'application/json', date });
          return res.end(JSON.stringify({ RequestId: 'r', Code: 'InvalidTimeStamp.Expired', Message: 'expired' }));
        };
        const first = await start(host);
        assert.equal(first.json?.Code, 'InvalidTimeStamp.Expired', `${date}: ${first.status} ${first.text}`);
        for (let i = 0; i < 3; i++) {
          const next = await start(host);
          assert.equal(next.status, 200, `${date}, call ${i + 1}: ${next.status} ${next.text}`);
        }
      }
      upstream.handler = success;
    });
  }
});

test('no reply of this file holds a secret or the proxy token', () => {
  for (const res of RESPONSES) {
    const all = `${JSON.stringify(res.headers)} ${res.text}`;
    for (const secret of SECRETS) {
      for (const form of [secret, encodeURIComponent(secret)]) assert.ok(!all.includes(form), `${form} in ${all}`);
    }
  }
});
