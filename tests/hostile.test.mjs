// Hostile input, generated: 10,000+ calls spread over every exported function of the Node entries
// (aliyun-caster and aliyun-caster/server) with seeded random JS values (see support/hostile.mjs).
// Every call must return a well-formed value or throw a CasterError with a stable code, never
// another error and never a wasm trap; an invalid request must never reach fetch; after every
// batch a known request still signs to the reference signature; and memory must not keep growing.
// The seed is printed; replay a run with HOSTILE_SEED=<seed>.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';

import * as entry from 'aliyun-caster';
import * as serverEntry from 'aliyun-caster/server';
import { initSync } from '../dist/aliyun_caster.js';
import { initSync as initServerSync } from '../dist/server/aliyun_caster.js';
import {
  Hostile, CONFIG_KEYS, ERROR_KEYS, PARAM_KEYS, REQUEST_KEYS, SABOTAGES, exportCalls, outcomeOf as sabotageOutcome, prng, seedFrom,
} from './support/hostile.mjs';
import { decodeForm, enc, referenceSign } from './support/reference-signer.mjs';
import { COMMON_PARAMS, secretForms } from './support/secrets.mjs';

const { CasterClient, CasterError, signRequest, validateParams } = entry;
// checkConfig's options: a configuration, as signRequest reads it.
const CHECK_CONFIG_KEYS = ['accessKeyId', 'accessKeySecret', 'securityToken', 'regionId', 'endpoint', 'method', 'signatureAlgorithm'];
const { parseAuthorization, parseRequestParams, parseTimestamp, verifySignature, verifySignatureV3 } = serverEntry;

const SEED = seedFrom('HOSTILE_SEED');
console.log(`# hostile inputs: seed ${SEED} (replay with HOSTILE_SEED=${SEED})`);

const BATCHES = 20;
const PER_BATCH = 520;
const POLLUTED_PER_BATCH = 24;

// Distinctive secrets with characters that percent-encode, as real ones have.
const SECRET = 'hOsTiLe/Secret+7=pangolin-31d9';
const TOKEN = 'CAIS+hostile/Token==aardvark-5e';
// Errors may hold neither; a signed request carries the token (a signed parameter), never the secret.
const SECRET_TEXTS = [...secretForms(SECRET), ...secretForms(TOKEN), 'pangolin', 'aardvark'];
const SECRET_ONLY = [...secretForms(SECRET), 'pangolin'];

const KINDS = ['validation', 'config', 'api', 'network', 'timeout'];
// The package's own codes (InvalidParameter.Malformed) and the server's (Throttling.User).
const CODE_FORM = /^[A-Za-z][\w-]{0,127}(\.[\w-]+)*$/;
const TIMESTAMP_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const ACTIONS = ['StartCasterScene', 'AddCasterVideoResource'];
const FIXED = { timestamp: '2016-02-23T12:46:24Z', nonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf' };

// ---------------------------------------------------------------------------------------------
// The wasm instance behind the package, for its memory and its table of JS references
// ---------------------------------------------------------------------------------------------

// Importing the glue by path gives the very module the package entries import (one module per
// URL), and initSync() of an instantiated glue returns the instance's exports. There are two:
// the signer behind the main entry, and the server build behind aliyun-caster/server.
const INSTANCES = [initSync(), initServerSync()];
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/**
 * The table of JS values the instance refers to: its size, the slots holding a value (kept alive
 * from wasm), and the slots left holding `undefined` (wasm-bindgen clears a released slot to
 * null; a slot it allocated and never released keeps what it was given).
 */
function tableCensus() {
  let size = 0;
  let live = 0;
  let unreleased = 0;
  for (const wasm of INSTANCES) {
    const table = wasm.__wbindgen_externrefs;
    size += table.length;
    for (let i = 0; i < table.length; i++) {
      const value = table.get(i);
      if (value === undefined) unreleased += 1;
      else if (value !== null) live += 1;
    }
  }
  return { size, live, unreleased };
}

async function measure() {
  await new Promise((resolve) => { setImmediate(resolve); });
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  const memory = INSTANCES.reduce((sum, wasm) => sum + wasm.memory.buffer.byteLength, 0);
  return { wasm: memory, ...tableCensus(), heap: heapUsed, external };
}

// ---------------------------------------------------------------------------------------------
// The known-good request, checked after every batch
// ---------------------------------------------------------------------------------------------

const KNOWN = {
  action: 'AddCasterVideoResource',
  params: { CasterId: 'caster~known*(1)', ResourceName: 'Cam 1 / 机位 ★', LocationId: 'RV07', VodUrl: 'https://h/v/a~b(1).mp4?x=1&y=a*b', RepeatNum: -1 },
  accessKeyId: 'LTAIknownKey', accessKeySecret: SECRET, securityToken: TOKEN, ...FIXED,
};
// The wire parameters written out from contract sections 1 and 4, signed by the reference.
const KNOWN_WIRE = {
  ...COMMON_PARAMS, Action: 'AddCasterVideoResource', AccessKeyId: 'LTAIknownKey', SecurityToken: TOKEN, RegionId: 'cn-shanghai',
  Timestamp: FIXED.timestamp, SignatureNonce: FIXED.nonce,
  CasterId: 'caster~known*(1)', ResourceName: 'Cam 1 / 机位 ★', LocationId: 'RV07', VodUrl: 'https://h/v/a~b(1).mp4?x=1&y=a*b', RepeatNum: '-1',
};
const KNOWN_REFERENCE = referenceSign('POST', KNOWN_WIRE, SECRET);

function checkKnown(label) {
  const result = signRequest(KNOWN);
  assert.equal(result.canonicalQuery, KNOWN_REFERENCE.canonical, label);
  assert.equal(result.stringToSign, KNOWN_REFERENCE.stringToSign, label);
  assert.equal(result.signature, KNOWN_REFERENCE.signature, label);
  assert.equal(result.body, `${KNOWN_REFERENCE.canonical}&Signature=${enc(KNOWN_REFERENCE.signature)}`, label);
  assert.deepEqual(validateParams(KNOWN.action, KNOWN.params), [], label);
  const { body } = result;
  assert.deepEqual(verifySignature('POST', '', body, SECRET), { valid: true, stringToSign: KNOWN_REFERENCE.stringToSign }, label);
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

const FAILURES = [];
const CODES = new Map(); // code → times thrown
const OUTCOMES = new Map(); // function → { returned, threw }

function preview(value) {
  try {
    return inspect(value, { depth: 2, maxStringLength: 40, maxArrayLength: 4, breakLength: Infinity, getters: false }).slice(0, 400);
  } catch {
    return '(not inspectable)';
  }
}

/** `instanceof` that answers false, instead of throwing, for a revoked proxy. */
function isInstance(value, Class) {
  try {
    return value instanceof Class;
  } catch {
    return false;
  }
}

function describeThrown(error) {
  try {
    return `${Object.prototype.toString.call(error)} ${error?.constructor?.name}: ${String(error?.message ?? error).slice(0, 200)}`;
  } catch {
    return '(a value that cannot be described)';
  }
}

const FAILURE_KINDS = new Set();

/** Records a failure: the first few of each kind (function and the start of the problem). */
function fail(call, problem) {
  const kind = `${call.fn}: ${problem.replace(/'.*$|\{.*$|\(.*$/s, '').slice(0, 60)}`;
  if (FAILURE_KINDS.has(kind) && FAILURES.length >= 10) return;
  FAILURE_KINDS.add(kind);
  if (FAILURES.length < 60) FAILURES.push(`#${call.index} ${call.fn}(${call.args.map(preview).join(', ')}): ${problem}`);
}

function tally(fn, what) {
  const entryFor = OUTCOMES.get(fn) ?? { returned: 0, threw: 0 };
  entryFor[what] += 1;
  OUTCOMES.set(fn, entryFor);
}

function noSecret(text, where, forms = SECRET_TEXTS) {
  const found = forms.find((form) => String(text).includes(form));
  return found === undefined ? undefined : `${where} holds the secret (${found})`;
}

/** Why `error` is not an acceptable failure, or undefined when it is. */
function badError(error) {
  if (!isInstance(error, CasterError)) return `threw ${describeThrown(error)}`;
  if (error instanceof WebAssembly.RuntimeError) return 'a wasm trap';
  const { code, kind, field, message } = error;
  if (typeof code !== 'string' || !CODE_FORM.test(code)) return `code ${preview(code)} is not a stable code`;
  if (!KINDS.includes(kind)) return `kind ${preview(kind)}`;
  if (field !== undefined && (typeof field !== 'string' || field.length > 400)) return `field ${preview(field)}`;
  if (typeof message !== 'string' || message.length === 0 || message.length > 2000) return `message ${preview(message)}`;
  if (error.name !== 'CasterError') return `name ${preview(error.name)}`;
  CODES.set(code, (CODES.get(code) ?? 0) + 1);
  let texts;
  try {
    texts = [message, field, String(error), JSON.stringify(error), error.stack];
  } catch (e) {
    return `String(), JSON.stringify() or .stack of the error threw ${describeThrown(e)}`;
  }
  for (const text of texts) {
    const leak = noSecret(text, 'the error');
    if (leak) return leak;
  }
  return undefined;
}

function judgeThrown(call, error) {
  tally(call.fn, 'threw');
  const bad = badError(error) ?? call.threw?.(error);
  if (bad) fail(call, bad);
}

function judgeReturned(call, value) {
  tally(call.fn, 'returned');
  try {
    const bad = call.returned(value);
    if (bad) fail(call, bad);
  } catch (error) {
    fail(call, `the check of its result threw ${describeThrown(error)}`);
  }
}

function settleSync(call) {
  let value;
  try {
    value = call.run();
  } catch (error) {
    judgeThrown(call, error);
    return;
  }
  judgeReturned(call, value);
}

async function settleAsync(call) {
  let value;
  try {
    value = await call.run();
  } catch (error) {
    judgeThrown(call, error);
    return;
  }
  judgeReturned(call, value);
}

// ---------------------------------------------------------------------------------------------
// Near-valid inputs, and their mutations
// ---------------------------------------------------------------------------------------------

function validParams(h, action) {
  if (action === 'StartCasterScene') {
    const params = { CasterId: `caster-${h.int(100)}`, SceneId: `scene-${h.int(100)}` };
    if (h.chance(0.3)) params.RegionId = h.pick(['cn-shanghai', 'cn-beijing']);
    return params;
  }
  const params = { CasterId: `caster-${h.int(100)}`, ResourceName: h.pick(['cam', 'Cam 1 ★', '机位 (2)', 'a+b=c']),
    LocationId: `RV${String(1 + h.int(99)).padStart(2, '0')}` };
  const source = h.int(5);
  if (source === 0) params.LiveStreamUrl = 'rtmp://push.example.com/app/s?auth_key=1-0-0-abc';
  if (source === 1) Object.assign(params, { VodUrl: 'https://cdn.example.com/a.mp4', BeginOffset: h.int(1000), RepeatNum: -1 });
  if (source === 2) Object.assign(params, { MaterialId: `material-${h.int(9)}`, EndOffset: -1 });
  if (source === 3) params.ImageId = `image-${h.int(9)}`;
  if (source === 4) params.ImageUrl = 'https://h/a.png';
  if (h.chance(0.2)) params.FixedDelayDuration = h.int(5001);
  return params;
}

/** Valid params with 0–3 mutations; `mutated` says whether any was applied. */
function nearParams(h, action) {
  const params = validParams(h, action);
  const mutations = h.chance(0.3) ? 0 : 1 + h.int(3);
  for (let i = 0; i < mutations; i++) {
    const r = h.random();
    if (r < 0.6) h.setKey(params, h.pick(PARAM_KEYS));
    else if (r < 0.8) delete params[h.pick(Object.keys(params))];
    else h.setKey(params, h.string().slice(0, 20));
  }
  return { params: mutations > 0 ? h.disguise(params) : params, mutated: mutations > 0 };
}

function nearRequest(h, { fixed = false } = {}) {
  const action = h.pick(ACTIONS);
  const near = nearParams(h, action);
  const request = { action, params: near.params, accessKeyId: 'LTAIhostile', accessKeySecret: SECRET };
  if (h.chance(0.4)) request.securityToken = TOKEN;
  if (h.chance(0.3)) request.regionId = h.pick(['cn-shanghai', 'cn-beijing']);
  if (h.chance(0.3)) request.endpoint = h.pick(['https://live.aliyuncs.com', 'http://127.0.0.1:8080/']);
  if (h.chance(0.3)) request.method = h.pick(['POST', 'GET']);
  if (fixed || h.chance(0.5)) Object.assign(request, FIXED);
  const mutations = h.chance(0.5) ? 0 : 1 + h.int(2);
  let secretKnown = true;
  for (let i = 0; i < mutations; i++) {
    const key = h.chance(0.85) ? h.pick(REQUEST_KEYS) : h.string().slice(0, 20);
    if (key === 'accessKeySecret') secretKnown = false;
    h.setKey(request, key);
  }
  return {
    action, request: mutations > 0 ? h.disguise(request) : request, params: near.params, paramsOnly: mutations === 0, secretKnown,
  };
}

// A pool of signed requests for the verification side, signed once.
function signedPool() {
  const h = new Hostile(prng(SEED ^ 0x5EED));
  return Array.from({ length: 24 }, (_, i) => {
    const action = ACTIONS[i % 2];
    const signed = signRequest({
      action, params: validParams(h, action), accessKeyId: 'LTAIhostile', accessKeySecret: SECRET, method: i % 3 === 0 ? 'GET' : 'POST',
      ...(i % 4 === 0 ? { securityToken: TOKEN } : {}), ...(i % 5 === 0 ? FIXED : {}),
    });
    const query = signed.method === 'GET' ? signed.url.slice(signed.url.indexOf('?') + 1) : '';
    return { method: signed.method, query, body: signed.body ?? '', params: signed.params };
  });
}
const POOL = signedPool();

// The same for V3: the query of the URL, the headers as a server receives them (host added by the
// HTTP client), joined by NUL as verifySignatureV3 takes them.
function signedV3Pool() {
  const h = new Hostile(prng(SEED ^ 0x5EED3));
  return Array.from({ length: 16 }, (_, i) => {
    const action = ACTIONS[i % 2];
    const signed = signRequest({
      action, params: validParams(h, action), accessKeyId: 'LTAIhostile', accessKeySecret: SECRET, method: i % 3 === 0 ? 'GET' : 'POST',
      signatureAlgorithm: 'v3', ...(i % 4 === 0 ? { securityToken: TOKEN } : {}), ...(i % 5 === 0 ? FIXED : {}),
    });
    const headers = [...Object.entries(signed.headers), ['host', 'live.aliyuncs.com']].flat();
    return {
      method: signed.method, query: signed.url.slice(signed.url.indexOf('?') + 1), headers,
      authorization: signed.headers.authorization, canonicalRequest: signed.canonicalRequest,
    };
  });
}
const V3_POOL = signedV3Pool();

/** A query/body string with a small corruption. */
function corrupt(h, text) {
  const r = h.random();
  const at = h.int(text.length + 1);
  if (r < 0.3) return text.slice(0, at) + h.pick(['%', '%G', '%FF', '%ED%A0%80', '&', '=', '+', '\0', '\uD800', '&Signature=x', '&&']) + text.slice(at);
  if (r < 0.45) return text.slice(0, at);
  if (r < 0.6) { // a pair repeated
    const pairs = text.split('&');
    return [...pairs, h.pick(pairs)].join('&');
  }
  if (r < 0.7) return `${text}&${h.string()}=${h.string()}`;
  if (r < 0.8) return text.replace(/[A-Za-z0-9]/, (c) => (c === 'A' ? 'B' : 'A'));
  if (r < 0.9) return text.replaceAll('%20', '+');
  return h.string();
}

// ---------------------------------------------------------------------------------------------
// Checks of returned values
// ---------------------------------------------------------------------------------------------

function isPlainRecord(value) {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
    && Object.values(Object.getOwnPropertyDescriptors(value)).every((d) => 'value' in d);
}

function checkSigned(result, { secretKnown, pure }) {
  if (!isPlainRecord(result) || !isPlainRecord(result.params) || !isPlainRecord(result.headers)) return `not a plain result: ${preview(result)}`;
  if (!['POST', 'GET'].includes(result.method)) return `method ${preview(result.method)}`;
  for (const key of ['url', 'canonicalQuery', 'stringToSign', 'signature']) {
    if (typeof result[key] !== 'string') return `${key} is ${preview(result[key])}`;
  }
  if (Object.values(result.params).some((v) => typeof v !== 'string')) return 'a signed parameter is not a string';
  const leak = noSecret(JSON.stringify(result), 'the signed request', SECRET_ONLY);
  if (leak) return leak;
  if (secretKnown && pure) {
    const reference = referenceSign(result.method, result.params, SECRET);
    if (result.signature !== reference.signature || result.params.Signature !== reference.signature) {
      return 'the signature differs from the reference signature of the same parameters';
    }
    if (result.canonicalQuery !== reference.canonical) return 'the canonical query differs from the reference';
  }
  return undefined;
}

function checkProblems(problems) {
  if (!Array.isArray(problems)) return `not an array: ${preview(problems)}`;
  for (const p of problems) {
    if (!isPlainRecord(p) || Object.keys(p).sort().join() !== 'code,field,message') return `a problem of the wrong shape: ${preview(p)}`;
    if (typeof p.field !== 'string' || typeof p.message !== 'string' || !CODE_FORM.test(p.code)) return `a problem of the wrong type: ${preview(p)}`;
    const leak = noSecret(p.message, 'a problem');
    if (leak) return leak;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The drivers: one generated call of each exported function
// ---------------------------------------------------------------------------------------------

/** A fetch that answers from a list made in advance, and records what it is asked to send. */
function scriptedFetch(h) {
  const calls = [];
  const replies = [fetchReply(h)];
  if (h.chance(0.1)) replies.unshift(() => Response.json({ RequestId: 'r', Code: 'InvalidTimeStamp.Expired', Message: 'm' },
    { status: 400, headers: { date: h.pick([new Date(Date.now() + 3600e3).toUTCString(), 'not a date', '']) } }));
  const fetch = async (url, init) => {
    calls.push({ url, init });
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    return reply(init);
  };
  return { fetch, calls };
}

/** One reply of a fetch: a Response of some shape, something that is not a Response, or a throw. */
function fetchReply(h) {
  const r = h.int(14);
  const action = (init) => new URLSearchParams(init?.body ?? '').get('Action');
  const success = (init) => Response.json(action(init) === 'StartCasterScene'
    ? { RequestId: 'req-1', StreamUrl: 'rtmp://h/a/s' } : { RequestId: 'req-1', ResourceId: 'res-1' });
  if (r < 4) return success;
  const status = h.pick([200, 400, 404, 429, 500, 502, 503]);
  const code = h.chance(0.5) ? h.pick(['Throttling.User', 'InternalError', 'DuplicateLocationID', 'Weird code', '', 'a'.repeat(500)]) : h.value();
  const message = h.value();
  const requestId = h.value();
  const recommend = h.value();
  let bodyText;
  try {
    bodyText = h.chance(0.5) ? JSON.stringify({ RequestId: requestId, Code: code, Message: message, Recommend: recommend }) : h.string();
  } catch {
    bodyText = '{"Code":"X"}';
  }
  const thrown = h.value();
  const junk = h.special();
  const throwing = () => { throw thrown; };
  switch (r) {
    case 4: case 5: return () => new Response(bodyText, { status });
    case 6: return () => { throw thrown; };
    case 7: return () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: thrown }));
    case 8: return () => junk;
    case 9: return () => ({ status, text: throwing, headers: new Headers() });
    case 10: return () => ({ get status() { return throwing(); }, text: async () => bodyText });
    case 11: return () => ({ status, text: async () => thrown, headers: { get: throwing } });
    case 12: return () => h.proxy(new Response(bodyText, { status }));
    default: return () => null;
  }
}

/** Credentials for a client: fixed keys, or a provider that behaves, throws or returns junk. */
function credentialsFor(h) {
  const good = { accessKeyId: 'LTAIhostile', accessKeySecret: SECRET, securityToken: TOKEN };
  const r = h.int(10);
  if (r < 4) return { config: { accessKeyId: good.accessKeyId, accessKeySecret: SECRET }, secretKnown: true };
  if (r === 4) return { config: { credentials: () => good }, secretKnown: true };
  if (r === 5) return { config: { credentials: async () => ({ ...good }) }, secretKnown: true };
  const thrown = h.value();
  if (r === 6) return { config: { credentials: () => { throw thrown; } }, secretKnown: false };
  if (r === 7) return { config: { credentials: () => Promise.reject(thrown) }, secretKnown: false };
  const junk = h.chance(0.5) ? h.value(['accessKeyId', 'accessKeySecret', 'securityToken']) : h.proxy({ ...good });
  if (r === 8) return { config: { credentials: () => junk }, secretKnown: false };
  const withGetter = { ...good };
  h.setKey(withGetter, h.pick(['accessKeyId', 'accessKeySecret', 'securityToken']));
  return { config: { credentials: async () => withGetter }, secretKnown: false };
}

/**
 * Checks every request a client handed to fetch: correctly signed (when the secret is known) and
 * valid (what it carries passes validateParams), of the action called.
 */
function checkSent(calls, action, secretKnown) {
  for (const { url, init } of calls) {
    const query = String(url).includes('?') ? String(url).slice(String(url).indexOf('?') + 1) : '';
    let wire;
    try {
      wire = { ...decodeForm(query), ...decodeForm(typeof init?.body === 'string' ? init.body : '') };
    } catch (error) {
      return `fetch was given a request that does not decode: ${error.message}`;
    }
    if (wire.Action !== action) return `fetch was given Action ${wire.Action} for ${action}`;
    const operation = Object.fromEntries(Object.entries(wire).filter(([k]) => !(k in COMMON_PARAMS) && !['AccessKeyId',
      'SecurityToken', 'Timestamp', 'SignatureNonce', 'Signature', 'Action'].includes(k)));
    const problems = validateParams(action, operation);
    if (problems.length > 0) return `an invalid request reached fetch: ${JSON.stringify(problems[0])}`;
    if (secretKnown && referenceSign(init?.method ?? 'GET', wire, SECRET).signature !== wire.Signature) {
      return 'fetch was given a request whose signature does not verify';
    }
  }
  return undefined;
}

const DRIVERS = {
  signRequest(h) {
    if (h.chance(0.15)) {
      const request = h.value(REQUEST_KEYS);
      return { args: [request], run: () => signRequest(request), returned: (r) => checkSigned(r, { secretKnown: false }) };
    }
    const near = nearRequest(h);
    const pure = h.isPure(near.request) && h.isPure(near.params);
    // With only the params mutated, signRequest fails exactly when validateParams finds a problem.
    const problems = pure && near.paramsOnly ? validateParams(near.action, near.params) : undefined;
    return {
      args: [near.request],
      run: () => signRequest(near.request),
      returned: (result) => checkSigned(result, { secretKnown: near.secretKnown, pure })
        ?? (problems?.length ? `signed although validateParams reports ${JSON.stringify(problems[0])}` : undefined),
      threw: (error) => {
        if (problems && problems.length === 0 && error.kind === 'validation' && !['timestamp', 'nonce'].includes(error.field)) {
          return `threw ${error.code} on ${error.field} although validateParams reports nothing`;
        }
        if (problems?.length && !problems.some((p) => p.code === error.code && p.field === error.field)) {
          return `threw ${error.code} on ${error.field}, which validateParams does not report (${JSON.stringify(problems)})`;
        }
        return undefined;
      },
    };
  },

  checkConfig(h) {
    const options = h.chance(0.9) ? h.value(CHECK_CONFIG_KEYS) : h.value();
    return { args: [options], run: () => entry.checkConfig(options), returned: (r) => (r === undefined ? undefined : `returned ${preview(r)}`) };
  },

  validateParams(h) {
    const action = h.chance(0.85) ? h.pick(ACTIONS) : h.value();
    const params = h.chance(0.75) && ACTIONS.includes(action) ? nearParams(h, action).params : h.value(PARAM_KEYS);
    return { args: [action, params], run: () => validateParams(action, params), returned: checkProblems };
  },

  verifySignature(h) {
    const signed = h.pick(POOL);
    let [method, query, body, secret] = [signed.method, signed.query, signed.body, SECRET];
    const mutations = h.chance(0.3) ? 0 : 1 + h.int(2);
    for (let i = 0; i < mutations; i++) {
      const r = h.int(6);
      if (r === 0) method = h.chance(0.5) ? h.pick(['GET', 'POST', 'get', 'PUT', '']) : h.value();
      if (r === 1 || r === 2) query = h.chance(0.7) && typeof query === 'string' ? corrupt(h, query || signed.body) : h.value();
      if (r === 3 || r === 4) body = h.chance(0.7) && typeof body === 'string' ? corrupt(h, body || signed.query) : h.value();
      if (r === 5) secret = h.chance(0.5) ? h.string() : h.value();
    }
    return {
      args: [method, query, body, secret],
      run: () => verifySignature(method, query, body, secret),
      returned(result) {
        if (!isPlainRecord(result) || Object.keys(result).sort().join() !== 'stringToSign,valid') return `a result of the wrong shape: ${preview(result)}`;
        if (typeof result.valid !== 'boolean' || typeof result.stringToSign !== 'string') return `a result of the wrong type: ${preview(result)}`;
        if (mutations === 0 && !result.valid) return 'an untouched signed request does not verify';
        if (result.valid) {
          // Accepted: the signature really is HMAC-SHA1(secret&, the string to sign it reports).
          const sent = new Map(parseRequestParams(query, body)).get('Signature');
          const expected = createHmac('sha1', `${secret}&`).update(result.stringToSign, 'utf8').digest('base64');
          if (sent !== expected) return 'accepted a signature that is not the HMAC of its string to sign';
          if (!result.stringToSign.startsWith(`${method}&%2F&`)) return `accepted with the string to sign ${preview(result.stringToSign)}`;
        }
        return undefined;
      },
    };
  },

  parseAuthorization(h) {
    const signed = h.pick(V3_POOL);
    const untouched = h.chance(0.3);
    const header = untouched ? signed.authorization : h.chance(0.7) ? corrupt(h, signed.authorization) : h.value();
    return {
      args: [header],
      run: () => parseAuthorization(header),
      returned(parts) {
        if (!isPlainRecord(parts) || Object.keys(parts).sort().join() !== 'accessKeyId,signature,signedHeaders') return `a result of the wrong shape: ${preview(parts)}`;
        const { accessKeyId, signedHeaders, signature } = parts;
        if (typeof accessKeyId !== 'string' || !Array.isArray(signedHeaders) || !/^[0-9a-f]{64}$/.test(signature)) return `a result of the wrong type: ${preview(parts)}`;
        // Any lower-case header token may be signed (the vendor's SDKs sign accept and user-agent).
        if (signedHeaders.some((name, i) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || (i > 0 && signedHeaders[i - 1] >= name))) {
          return `signed header names out of form or order: ${preview(signedHeaders)}`;
        }
        // Accepted: a header of that algorithm that holds the parts it reports.
        if (typeof header !== 'string' || !header.trimStart().startsWith('ACS3-HMAC-SHA256 ')
          || !header.includes(`Credential=${accessKeyId}`) || !header.includes(`Signature=${signature}`)) {
          return `accepted ${preview(header)} as ${preview(parts)}`;
        }
        if (untouched && `ACS3-HMAC-SHA256 Credential=${accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}` !== header) {
          return 'an untouched Authorization header reads back as other parts';
        }
        return undefined;
      },
    };
  },

  verifySignatureV3(h) {
    const signed = h.pick(V3_POOL);
    let [method, query, body, secret] = [signed.method, signed.query, '', SECRET];
    const headers = [...signed.headers];
    let notText; // headers given as something else than text
    const mutations = h.chance(0.3) ? 0 : 1 + h.int(2);
    for (let i = 0; i < mutations; i++) {
      const r = h.int(8);
      if (r === 0) method = h.chance(0.5) ? h.pick(['GET', 'POST', 'get', '']) : h.value();
      if (r === 1) query = h.chance(0.7) && typeof query === 'string' ? corrupt(h, query) : h.value();
      if ((r === 2 || r === 3) && headers.length > 0) { // a header's value or name changed, one added or one dropped
        const at = h.int(headers.length);
        const k = h.int(4);
        if (k === 0) headers[at] = corrupt(h, headers[at]);
        if (k === 1) headers.push(h.pick(['x-acs-extra', 'Content-Type', 'authorization', 'X-ACS-DATE']), h.string());
        if (k === 2) headers.splice(at - (at % 2), 2);
        if (k === 3) headers[at] = h.string();
      }
      if (r === 4) notText = { value: h.value() };
      if (r === 5) body = h.pick([h.string(), new Uint8Array([h.int(256)]), Buffer.from('CasterId=c'), h.proxy(new Uint8Array(3))]);
      if (r === 6) body = h.value();
      if (r === 7) secret = h.chance(0.5) ? h.string() : h.value();
    }
    const joined = notText ? notText.value : headers.join('\0');
    return {
      args: [method, query, joined, body, secret],
      run: () => verifySignatureV3(method, query, joined, body, secret),
      returned(result) {
        if (!isPlainRecord(result) || Object.keys(result).sort().join() !== 'canonicalRequest,stringToSign,valid') return `a result of the wrong shape: ${preview(result)}`;
        const { valid, canonicalRequest, stringToSign } = result;
        if (typeof valid !== 'boolean' || typeof canonicalRequest !== 'string' || typeof stringToSign !== 'string') return `a result of the wrong type: ${preview(result)}`;
        if (stringToSign !== `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`) {
          return 'the string to sign is not the hash of the canonical request';
        }
        if (mutations === 0 && (!valid || canonicalRequest !== signed.canonicalRequest)) return 'an untouched signed request does not verify';
        if (valid) {
          // Accepted: the Authorization signature really is HMAC-SHA-256(secret, the string to sign it reports).
          const expected = createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
          if (!signed.authorization.endsWith(`Signature=${expected}`)) return 'accepted a signature that is not the HMAC of its string to sign';
          if (!canonicalRequest.startsWith(`${method}\n/\n`)) return `accepted with the canonical request ${preview(canonicalRequest)}`;
        }
        return undefined;
      },
    };
  },

  parseRequestParams(h) {
    const signed = h.pick(POOL);
    const untouched = h.chance(0.3);
    const query = untouched ? signed.query : h.chance(0.6) ? corrupt(h, signed.query || signed.body) : h.value();
    const body = untouched ? signed.body : h.chance(0.6) ? corrupt(h, signed.body || signed.query) : h.value();
    return {
      args: [query, body],
      run: () => parseRequestParams(query, body),
      returned(pairs) {
        if (!Array.isArray(pairs)) return `not an array: ${preview(pairs)}`;
        if (!pairs.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
          return `not [key, value] string pairs: ${preview(pairs)}`;
        }
        if (new Set(pairs.map(([k]) => k)).size !== pairs.length) return 'a key given twice came back twice';
        if (untouched) {
          const got = Object.fromEntries(pairs);
          if (JSON.stringify(got) !== JSON.stringify(signed.params)) return 'an untouched signed request decodes to other parameters';
        }
        return undefined;
      },
    };
  },

  parseTimestamp(h) {
    const text = h.chance(0.6) ? corrupt(h, h.pick(['2016-02-23T12:46:24Z', '2024-02-29T23:59:59Z', '1970-01-01T00:00:00Z'])) : h.value();
    return {
      args: [text],
      run: () => parseTimestamp(text),
      returned(seconds) {
        if (typeof text !== 'string' || !TIMESTAMP_FORM.test(text)) return `accepted ${preview(text)}`;
        if (seconds * 1000 !== Date.parse(text)) return `${seconds} is not ${text}`;
        return undefined;
      },
    };
  },

  CasterError(h) {
    let init;
    if (h.chance(0.3)) init = h.value(ERROR_KEYS);
    else {
      init = { code: h.pick(['InvalidParameter.Malformed', 'Throttling.User']), message: 'something failed', kind: h.pick(KINDS) };
      for (let i = h.int(3); i > 0; i--) h.setKey(init, h.pick(ERROR_KEYS));
      init = h.disguise(init);
    }
    return {
      args: [init],
      run: () => new CasterError(init),
      returned(error) {
        if (!(error instanceof CasterError) || !(error instanceof Error)) return `not a CasterError: ${preview(error)}`;
        try {
          JSON.stringify(error);
          String(error);
        } catch (e) {
          return `the constructed error cannot be printed: ${describeThrown(e)}`;
        }
        if (typeof error.code !== 'string' || !KINDS.includes(error.kind) || typeof error.message !== 'string') {
          return `constructed with code ${preview(error.code)}, kind ${preview(error.kind)}, message ${preview(error.message)}`;
        }
        return undefined;
      },
    };
  },

  CasterClient(h) {
    const { fetch } = scriptedFetch(h);
    const config = { ...credentialsFor(h).config, fetch, maxQps: 1000, maxRetries: 0 };
    for (let i = h.chance(0.3) ? 0 : 1 + h.int(2); i > 0; i--) h.setKey(config, h.chance(0.85) ? h.pick(CONFIG_KEYS) : h.string().slice(0, 12));
    const disguised = h.chance(0.5) ? h.disguise(config) : config;
    const arg = h.chance(0.1) ? h.value(CONFIG_KEYS) : disguised;
    return {
      args: [arg],
      run: () => new CasterClient(arg),
      returned: (client) => (client instanceof CasterClient ? undefined : `not a CasterClient: ${preview(client)}`),
    };
  },

  startCasterScene: (h) => clientCall(h, 'StartCasterScene'),
  addCasterVideoResource: (h) => clientCall(h, 'AddCasterVideoResource'),
  // The per-operation signers of the others: each must do exactly what signRequest does.
  ...Object.fromEntries(entry.OPERATIONS.slice(2).map(({ name }) => [name[0].toLowerCase() + name.slice(1), (h) => signerCall(h, name)])),

  default(h) {
    const arg = h.value();
    return {
      args: [arg],
      async: true,
      run: () => entry.default(arg),
      returned: (value) => (value === undefined ? undefined : `init() resolved to ${preview(value)}`),
    };
  },
};

// A valid call of each operation the signer drivers cover; the generator mutates around it.
const SIGNER_EXAMPLES = {
  DescribeCasters: { PageSize: 10, Tag: [{ Key: 'env', Value: 'prod' }] },
  DescribeCasterScenes: { CasterId: 'c-1' },
  DescribeCasterVideoResources: { CasterId: 'c-1' },
  ModifyCasterVideoResource: { CasterId: 'c-1', ResourceId: 'r-1', ResourceName: 'n' },
  DeleteCasterVideoResource: { CasterId: 'c-1', ResourceId: 'r-1' },
  StopCasterScene: { CasterId: 'c-1', SceneId: 's-1' },
};

/** What a call gave: its value as JSON, or its error's code, kind and field. */
function signedOutcome(run) {
  try {
    return JSON.stringify(run());
  } catch (error) {
    return error instanceof CasterError ? `${error.kind} ${error.code} ${error.field}` : `not a CasterError: ${error?.name}`;
  }
}

function signerCall(h, action) {
  const method = action[0].toLowerCase() + action.slice(1);
  const params = h.chance(0.4) ? { ...SIGNER_EXAMPLES[action] } : h.chance(0.5) ? { ...SIGNER_EXAMPLES[action], [h.pick(PARAM_KEYS)]: h.value() } : h.value(PARAM_KEYS);
  const options = { accessKeyId: 'LTAI5tHostileSigner', accessKeySecret: SECRET, timestamp: '2026-01-01T00:00:00Z', nonce: 'hostile-signer-nonce' };
  const pure = h.isPure(params);
  const expected = pure ? signedOutcome(() => signRequest({ action, params, ...options })) : undefined;
  return {
    args: [params, options],
    run: () => entry[method](params, options),
    returned(value) {
      if (!isPlainRecord(value) || typeof value.url !== 'string') return `returned ${preview(value)}`;
      if (pure && JSON.stringify(value) !== expected) return `not what signRequest returns: ${expected.slice(0, 120)}`;
      return undefined;
    },
    threw(error) {
      if (pure && `${error.kind} ${error.code} ${error.field}` !== expected) return `threw ${error.code}, signRequest gave ${expected.slice(0, 120)}`;
      return undefined;
    },
  };
}

function clientCall(h, action) {
  const { fetch, calls } = scriptedFetch(h);
  const credentials = credentialsFor(h);
  const client = new CasterClient({ ...credentials.config, fetch, maxQps: 1000, maxRetries: h.int(2), timeoutMs: 2000 });
  const near = h.chance(0.8) ? nearParams(h, action) : { params: h.value(PARAM_KEYS), mutated: true };
  const pure = h.isPure(near.params);
  const problems = pure ? validateParams(action, near.params) : undefined;
  const field = action === 'StartCasterScene' ? 'StreamUrl' : 'ResourceId';
  const method = action === 'StartCasterScene' ? 'startCasterScene' : 'addCasterVideoResource';
  return {
    args: [near.params],
    async: true,
    run: () => client[method](near.params),
    returned(value) {
      if (!isPlainRecord(value) || Object.keys(value).sort().join() !== ['RequestId', field].sort().join()) return `resolved to ${preview(value)}`;
      if (typeof value.RequestId !== 'string' || typeof value[field] !== 'string') return `resolved to ${preview(value)}`;
      if (calls.length === 0) return 'resolved without a request';
      return checkSent(calls, action, credentials.secretKnown) ?? (problems?.length ? 'resolved with invalid params' : undefined);
    },
    threw(error) {
      if (problems?.length) {
        if (calls.length > 0) return 'invalid params reached fetch';
        if (error.kind !== 'validation' || error.code !== problems[0].code || error.field !== problems[0].field) {
          return `rejected with ${error.kind} ${error.code} on ${error.field}, not the first problem ${JSON.stringify(problems[0])}`;
        }
      }
      return checkSent(calls, action, credentials.secretKnown);
    },
  };
}

const WEIGHTS = {
  signRequest: 25, validateParams: 18, verifySignature: 10, verifySignatureV3: 8, parseAuthorization: 5, parseRequestParams: 8,
  parseTimestamp: 6, CasterError: 5, checkConfig: 6,
  CasterClient: 8, startCasterScene: 8, addCasterVideoResource: 9, default: 3,
  ...Object.fromEntries(Object.keys(SIGNER_EXAMPLES).map((action) => [action[0].toLowerCase() + action.slice(1), 2])),
};
const WEIGHTED = Object.entries(WEIGHTS).flatMap(([name, weight]) => Array(weight).fill(name));

// ---------------------------------------------------------------------------------------------
// Object.prototype and Array.prototype polluted while the synchronous functions run
// ---------------------------------------------------------------------------------------------

const POLLUTED_NAMES = [...new Set([...REQUEST_KEYS, ...PARAM_KEYS, 'code', 'field', 'message', 'kind', 'url', 'headers', 'body',
  'signature', 'Signature', 'valid', 'stringToSign', 'canonicalQuery', 'content-type', 'Timestamp', '0', '1', '2',
  // What property descriptors and iterator results are read for.
  'get', 'set', 'value', 'writable', 'enumerable', 'configurable', 'done'])];

function pollute(mode) {
  for (const name of POLLUTED_NAMES) {
    for (const proto of [Object.prototype, Array.prototype]) {
      // Descriptors without a prototype: once `get` is planted, a plain one would inherit it.
      Object.defineProperty(proto, name, mode === 'data'
        ? { __proto__: null, value: 'polluted', writable: true, configurable: true }
        : {
          __proto__: null,
          get() { throw new Error(`polluted getter ${name}`); },
          set() { throw new Error(`polluted setter ${name}`); },
          configurable: true,
        });
    }
  }
}

function unpollute() {
  for (const name of POLLUTED_NAMES) {
    delete Object.prototype[name];
    delete Array.prototype[name];
  }
}

/** The outcome of a call as text: the result's JSON, or the error's code and field. */
function outcomeOf(run) {
  try {
    return `returned ${JSON.stringify(run())}`;
  } catch (error) {
    // Own values only: with Object.prototype polluted, a missing field would read the pollution.
    const own = (key) => Object.getOwnPropertyDescriptor(error, key)?.value;
    return error instanceof CasterError ? `threw ${own('code')} ${own('field')}` : `threw ${describeThrown(error)}`;
  }
}

/** Pure calls of the synchronous functions, run under pollution and again without: same outcome. */
function pollutedRound(h, batch) {
  const calls = [];
  for (let i = 0; i < POLLUTED_PER_BATCH; i++) {
    const near = nearRequest(h, { fixed: true });
    if (!h.isPure(near.request) || !h.isPure(near.params)) continue;
    // A nonce or timestamp mutated away is drawn afresh: the two outcomes would differ anyway.
    if (near.request.nonce !== FIXED.nonce || near.request.timestamp !== FIXED.timestamp) continue;
    const signed = h.pick(POOL);
    const v3 = h.pick(V3_POOL);
    const pick = h.int(6);
    if (pick === 0) calls.push(['signRequest', () => signRequest(near.request)]);
    if (pick === 1) calls.push(['validateParams', () => validateParams(near.action, near.params)]);
    if (pick === 2) calls.push(['verifySignature', () => verifySignature(signed.method, signed.query, signed.body, SECRET)]);
    if (pick === 3) calls.push(['parseRequestParams', () => parseRequestParams(signed.query, signed.body)]);
    if (pick === 4) calls.push(['verifySignatureV3', () => verifySignatureV3(v3.method, v3.query, v3.headers.join('\0'), '', SECRET)]);
    if (pick === 5) calls.push(['parseAuthorization', () => parseAuthorization(v3.authorization)]);
  }
  const mode = batch % 2 === 0 ? 'data' : 'accessor';
  let polluted;
  try {
    pollute(mode);
    polluted = calls.map(([, run]) => outcomeOf(run));
  } finally {
    unpollute();
  }
  calls.forEach(([name, run], i) => {
    const clean = outcomeOf(run);
    if (polluted[i] !== clean && FAILURES.length < 60) {
      FAILURES.push(`batch ${batch}, ${name} under ${mode} pollution: ${polluted[i].slice(0, 200)} instead of ${clean.slice(0, 200)}`);
    }
  });
  return calls.length;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

test(`${BATCHES * PER_BATCH} generated calls of every exported function: a value or a CasterError, and the instance keeps working`, { timeout: 60000 }, async (t) => {
  // Every exported function of both entries has a driver: a new export cannot go untested.
  const exported = [...new Set([...Object.entries(entry), ...Object.entries(serverEntry)]
    .filter(([, value]) => typeof value === 'function').map(([name]) => name))].sort();
  assert.deepEqual(exported.filter((name) => !DRIVERS[name] && name !== 'CasterClient'), []);
  assert.equal(serverEntry.CasterError, CasterError, 'the two entries hand out one CasterError class');
  for (const wasm of INSTANCES) assert.ok(wasm.memory instanceof WebAssembly.Memory, 'initSync() did not give the running instance');
  checkKnown('before the run');

  const h = new Hostile(prng(SEED));
  const counts = Object.fromEntries(Object.keys(WEIGHTS).map((name) => [name, 0]));
  const samples = [];
  let pollutedCalls = 0;
  const started = performance.now();
  for (let batch = 0; batch < BATCHES; batch++) {
    const pending = [];
    for (let i = 0; i < PER_BATCH; i++) {
      const fn = h.pick(WEIGHTED);
      const index = batch * PER_BATCH + i;
      let call;
      try {
        call = { ...DRIVERS[fn](h), fn, index };
      } catch (error) {
        // Making a call may itself call the package (a CasterClient for a method call, a
        // validateParams for the oracle): that too must only ever throw a CasterError.
        const bad = badError(error);
        if (bad) fail({ fn: `making a ${fn} call`, index, args: [] }, bad);
        continue;
      }
      counts[fn] += 1;
      if (call.async) pending.push(settleAsync(call));
      else settleSync(call);
    }
    pollutedCalls += pollutedRound(h, batch);
    await Promise.all(pending);
    checkKnown(`after batch ${batch + 1} (seed ${SEED})`);
    if (batch === 1 || batch === BATCHES / 2 || batch === BATCHES - 1) samples.push(await measure());
  }
  const seconds = (performance.now() - started) / 1000;

  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  t.diagnostic(`seed ${SEED}: ${total} calls + ${pollutedCalls} under pollution in ${seconds.toFixed(1)} s`);
  t.diagnostic(`calls: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  t.diagnostic(`outcomes: ${[...OUTCOMES].map(([k, v]) => `${k} ${v.returned}/${v.threw}`).join(', ')} (returned/threw)`);
  t.diagnostic(`codes: ${[...CODES].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const [early, middle, end] = samples;
  const mb = (n) => `${(n / 2 ** 20).toFixed(2)} MB`;
  const table = (m) => `${m.size} slots (${m.live} live, ${m.unreleased} unreleased)`;
  t.diagnostic(`wasm memory ${mb(early.wasm)} → ${mb(middle.wasm)} → ${mb(end.wasm)}; externref table ${table(early)} → ${table(middle)} → `
    + `${table(end)}; JS heap after GC ${mb(early.heap)} → ${mb(middle.heap)} → ${mb(end.heap)}; external ${mb(early.external)} → `
    + `${mb(middle.external)} → ${mb(end.external)}`);

  assert.deepEqual(FAILURES, [], `seed ${SEED} (replay with HOSTILE_SEED=${SEED})`);
  assert.ok(total >= 10_000, `only ${total} calls`);
  for (const [fn, n] of Object.entries(counts)) assert.ok(n >= 100, `${fn} was called only ${n} times`);
  // Both sides of each function were reached (validateParams reports problems, it does not throw).
  assert.ok(OUTCOMES.get('validateParams').returned >= 100);
  for (const fn of ['signRequest', 'verifySignature', 'verifySignatureV3', 'parseAuthorization', 'parseRequestParams', 'parseTimestamp', 'CasterError', 'CasterClient',
    'startCasterScene', 'addCasterVideoResource']) {
    const { returned, threw } = OUTCOMES.get(fn);
    assert.ok(returned >= 20 && threw >= 20, `${fn}: ${returned} returned, ${threw} threw: the generator misses one side`);
  }

  // Memory, first over the halves of the run, with a generous bound: wasm memory never shrinks,
  // so it grows to the largest peak one call has needed so far, and a later call may need more
  // (parseRequestParams of a megabyte of `k=v&` decodes 262,144 pairs: about 25 MB at its
  // peak). A leak of one 1 MB string per 100 calls would still break it.
  assert.ok(end.wasm - middle.wasm <= 48 * 2 ** 20, `wasm memory grew by ${mb(end.wasm - middle.wasm)} in the second half`);
  assert.ok(end.live - middle.live <= 16, `the instance keeps ${end.live - middle.live} more JS values alive after the second half`);
  assert.ok(end.heap - middle.heap <= 24 * 2 ** 20, `the JS heap grew by ${mb(end.heap - middle.heap)} in the second half`);

  // Then closely: the same calls again need no new memory. A fixed set of calls is replayed
  // (2 times to warm up, then twice 3 times); memory may still reach a new peak in the first
  // window (getters and proxies that answer differently on each read take other paths), but a
  // leak keeps growing: the second window must not grow at all.
  const replayed = replaySet();
  for (let i = 0; i < 2; i++) replay(replayed);
  const warm = await measure();
  for (let i = 0; i < 3; i++) replay(replayed);
  const first = await measure();
  for (let i = 0; i < 3; i++) replay(replayed);
  const second = await measure();
  t.diagnostic(`replaying ${replayed.length} calls 2+3+3 times: wasm memory ${mb(warm.wasm)} → ${mb(first.wasm)} → ${mb(second.wasm)}, `
    + `externref table ${table(warm)} → ${table(first)} → ${table(second)}, JS heap ${mb(warm.heap)} → ${mb(first.heap)} → ${mb(second.heap)}`);
  assert.equal(second.wasm, first.wasm, 'replaying the same calls keeps growing wasm memory: a leak');
  assert.equal(second.live, first.live, 'replaying the same calls keeps more and more JS values alive');
  // Unreleased slots (the table's own bookkeeping) are the subject of the next test.
  assert.ok(second.heap - first.heap <= 4 * 2 ** 20, `replaying the same calls grew the JS heap by ${mb(second.heap - first.heap)}`);
});

const REPLAYED = ['signRequest', 'validateParams', 'verifySignature', 'verifySignatureV3', 'parseAuthorization', 'parseRequestParams',
  'parseTimestamp', 'CasterError', 'CasterClient'];

/** A fixed set of synchronous calls, from their own seed. */
function replaySet() {
  const h = new Hostile(prng(SEED ^ 0xAB5E7));
  return Array.from({ length: 500 }, () => DRIVERS[h.pick(REPLAYED)](h).run);
}

function replay(runs) {
  for (const run of runs) {
    try {
      run();
    } catch {
      // checked in the main run; here only memory counts
    }
  }
}

// Found by the run above: a `catch` import of the boundary that returns a JS value (readEntries)
// and throws leaves one table slot allocated for the return value it never produced. A proxy
// whose ownKeys trap throws, passed as params or as the request, is enough; the table (and the
// allocator's bookkeeping in wasm memory) then grows by a slot per call, without bound.
test('a proxy whose ownKeys trap throws, 4,000 times: no externref table slot is left behind', async (t) => {
  const proxy = () => new Proxy({}, { ownKeys() { throw new Error('ownKeys'); } });
  const sent = [];
  const client = new CasterClient({ accessKeyId: 'LTAIhostile', accessKeySecret: SECRET, fetch: (url) => { sent.push(url); } });
  const calls = [
    () => validateParams('StartCasterScene', proxy()),
    () => signRequest(proxy()),
    () => signRequest({ ...KNOWN, params: proxy() }),
    () => client.addCasterVideoResource(proxy()),
  ];
  const run = async (count) => {
    for (let i = 0; i < count; i++) {
      try {
        const value = await calls[i % calls.length]();
        assert.ok(Array.isArray(value) && value.length === 1, 'validateParams reports the unreadable params');
      } catch (error) {
        assert.equal(badError(error), undefined);
      }
    }
  };
  await run(400); // the first calls may size the table
  const before = await measure();
  await run(4000);
  const after = await measure();
  t.diagnostic(`table ${before.size} → ${after.size} slots, unreleased ${before.unreleased} → ${after.unreleased}, wasm memory `
    + `${before.wasm} → ${after.wasm} bytes`);
  checkKnown('after the proxies');
  assert.deepEqual(sent, [], 'unreadable params reached fetch');
  assert.equal(after.live, before.live, 'JS values are kept alive');
  assert.ok(after.unreleased - before.unreleased <= 64, `${after.unreleased - before.unreleased} table slots were never released`);
  assert.ok(after.size - before.size <= 256, `the table grew by ${after.size - before.size} slots`);
});

// A page may replace TextEncoder or TextDecoder (their methods, or the globals) before or after it
// loads the package. wasm-bindgen's glue looked both up on every call, so each export threw a plain
// Error, or carried garbage across the boundary. The glue now uses the runtime's coders as they
// were when the package loaded, checked on known text, or a coder of its own.
test('TextEncoder and TextDecoder sabotaged after the package loaded: every export answers as before', async (t) => {
  const { prepare, calls } = exportCalls(entry, serverEntry);
  prepare();
  const expected = [];
  for (const [, run] of calls) expected.push(await sabotageOutcome(run, CasterError));
  assert.deepEqual(expected.filter((outcome) => outcome.startsWith('NOT')), []);
  const differences = [];
  for (const [name, sabotage] of SABOTAGES) {
    const outcomes = [];
    const undo = sabotage();
    try {
      for (const [, run] of calls) outcomes.push(await sabotageOutcome(run, CasterError));
    } finally {
      undo();
    }
    calls.forEach(([call], i) => {
      if (outcomes[i] !== expected[i]) differences.push(`${name}: ${call}: ${outcomes[i].slice(0, 160)}`);
    });
    try {
      checkKnown(`after ${name}`);
    } catch (error) {
      differences.push(`${name}: the known request no longer signs to the reference: ${String(error.message).slice(0, 160)}`);
    }
  }
  t.diagnostic(`${SABOTAGES.length} sabotages × ${calls.length} calls: ${differences.length} differ`);
  assert.deepEqual(differences, []);
});

const CHILD = `
const [hostile, main, server, name] = process.argv.slice(1);
const { SABOTAGES, exportCalls, outcomeOf } = await import(hostile);
SABOTAGES.find(([known]) => known === name)[1]();
// Node's own module loader decodes every source with TextDecoder.prototype.decode: where the
// sabotage breaks that, no module loads at all, this package's or any other.
try {
  await import('data:text/javascript,export default 1');
} catch (error) {
  process.stdout.write(JSON.stringify({ runtimeCannotLoad: \`\${error?.name}: \${error?.message}\` }));
  process.exit(0);
}
let entry;
let serverEntry;
try {
  entry = await import(main);
  serverEntry = await import(server);
} catch (error) {
  process.stdout.write(JSON.stringify({ importFailed: \`\${error?.name}: \${error?.message}\` }));
  process.exit(0);
}
const { prepare, calls } = exportCalls(entry, serverEntry);
const prepared = await outcomeOf(prepare, entry.CasterError);
const outcomes = [];
for (const [, run] of calls) outcomes.push(await outcomeOf(run, entry.CasterError));
process.stdout.write(JSON.stringify({ prepared, outcomes }));
`;

function runChild(name) {
  const urls = ['./support/hostile.mjs', '../dist/node.mjs', '../dist/server.mjs'].map((path) => new URL(path, import.meta.url).href);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', CHILD, ...urls, name], { timeout: 30_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ error, stdout, stderr }));
  });
}

test('TextEncoder and TextDecoder sabotaged before the package is imported: every export answers as with the real ones', async (t) => {
  const { prepare, calls } = exportCalls(entry, serverEntry);
  prepare();
  const expected = [];
  for (const [, run] of calls) expected.push(await sabotageOutcome(run, CasterError));
  const differences = [];
  const runtimeBroken = [];
  for (const [name] of SABOTAGES) {
    const { error, stdout, stderr } = await runChild(name);
    let result;
    try {
      result = JSON.parse(stdout);
    } catch {
      differences.push(`${name}: the child printed no result (${error?.code ?? error?.signal ?? 'exit 0'}): ${stderr.slice(0, 300)}`);
      continue;
    }
    if (result.runtimeCannotLoad) {
      runtimeBroken.push(name);
      continue;
    }
    if (result.importFailed) {
      differences.push(`${name}: importing the package threw ${result.importFailed.slice(0, 160)}`);
      continue;
    }
    if (result.prepared !== 'returned undefined') differences.push(`${name}: signing the requests to verify: ${result.prepared.slice(0, 160)}`);
    calls.forEach(([call], i) => {
      if (result.outcomes[i] !== expected[i]) differences.push(`${name}: ${call}: ${String(result.outcomes[i]).slice(0, 160)}`);
    });
  }
  t.diagnostic(`${SABOTAGES.length} child processes × ${calls.length} calls: ${differences.length} differ; Node itself loads no `
    + `module under ${runtimeBroken.length} (${runtimeBroken.join('; ')}), which the test above covers once the package is loaded`);
  assert.deepEqual(differences, []);
  // Only a sabotaged decode stops Node's loader; every other sabotage was run against the package.
  assert.deepEqual(runtimeBroken, SABOTAGES.map(([name]) => name).filter((name) => name.startsWith('TextDecoder.prototype.decode')));
});
