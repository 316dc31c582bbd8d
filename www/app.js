// The console page: an operator's view of one production studio. Pick the studio (DescribeCasters),
// see its scenes and start or stop them, see its positions RV01… and add, edit or remove the source
// in each. Every action is validated with the package's own validateParams, sent with CasterClient
// (or through the edge worker in proxy mode), answered next to the control that sent it, and kept
// in the session's log; the request details show exactly what went out. Secrets live in this
// module's memory and the password fields only: never in storage, the URL, the DOM or the console.
import init, { CasterClient, CasterError, OPERATIONS, checkConfig, signRequest, validateParams } from '/dist/browser.js';

const SETTINGS_KEY = 'aliyun-caster-console';
const REMEMBERED = ['mode', 'endpoint', 'regionId', 'accessKeyId']; // never a secret or a token
// The emulator's documented demo key pair (README); the emulator is the only place it works.
const DEMO_SECRET = 'emulator-demo-secret-not-a-real-key';
const SOURCES = ['LiveStreamUrl', 'MaterialId', 'VodUrl', 'ImageId', 'ImageUrl'];
const SOURCE_NAMES = { LiveStreamUrl: 'live stream', MaterialId: 'media asset', VodUrl: 'video file', ImageId: 'library image', ImageUrl: 'image URL' };
const FILE_FIELDS = ['BeginOffset', 'EndOffset', 'RepeatNum'];
// The most this page reads of the worker's reply or of the emulator's state view, as CasterClient's
// maxReplyBytes: the server decides how much it sends, and past this the read is cancelled and the
// connection let go. A reply is well under 1 KB; a state view over this (an emulator configured
// with thousands of sources) is treated as absent, and the page offers no demo tools.
const MAX_REPLY_BYTES = 1024 * 1024;
// The state view only tells whether the endpoint is the emulator: a server that has not answered it
// in full by then is not, and the page does not wait longer to become usable.
const STATE_TIMEOUT_MS = 5000;
/** Positions a studio can have: the API's LocationId is RV01 … RV99. */
const MAX_POSITIONS = 99;
/** Entries the session's log keeps; older ones are dropped. */
const MAX_LOG_ENTRIES = 200;
const SERVER_STRING_TO_SIGN = 'server string to sign is:';
const MASK = '••••••••';

/** What the operator reads first, then the API's name. */
const WORDING = {
  DescribeCasters: 'List studios',
  DescribeCasterScenes: 'List scenes',
  DescribeCasterVideoResources: 'List sources',
  StartCasterScene: 'Start preview scene',
  StopCasterScene: 'Stop preview scene',
  AddCasterVideoResource: 'Add source',
  ModifyCasterVideoResource: 'Save source',
  DeleteCasterVideoResource: 'Remove source',
};
// An operation the page has no words of its own for is named by the table's summary.
for (const { name, summary } of OPERATIONS) WORDING[name] ??= summary[0].toUpperCase() + summary.slice(1);

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
/** An element with properties and children; text is set as text, never parsed as HTML. */
function el(tag, props = {}, ...children) {
  const made = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(made.dataset, value);
    else if (key.startsWith('aria-') || key === 'role') made.setAttribute(key, value);
    else made[key] = value;
  }
  made.append(...children.filter((c) => c !== undefined && c !== null && c !== false));
  return made;
}
/** "Start preview scene · StartCasterScene" as a button's content. */
const actionLabel = (action, words = WORDING[action]) => [`${words} `, el('span', { className: 'api', textContent: `· ${action}` })];
const methodOf = (action) => action[0].toLowerCase() + action.slice(1);

const view = {
  emulatorState: undefined,
  connectionOpen: true,
  touched: new Set(),
  triedConnection: false,
  studios: [],
  studioId: '',
  scenes: [],
  resources: [],
  loaded: false,
  editing: undefined, // { location, resourceId?, form }
  confirming: undefined, // a LocationId whose removal awaits confirmation
  results: new Map(), // where → { action, outcome }
  focusAfterRender: undefined,
  busy: new Set(),
};

// ---- connection -------------------------------------------------------------------------------

const mode = () => $('input[name="mode"]:checked').value;

function connection() {
  const value = (id) => $(`#${id}`).value.trim();
  return {
    endpoint: value('endpoint'),
    regionId: value('regionId'),
    accessKeyId: value('accessKeyId'),
    accessKeySecret: $('#accessKeySecret').value,
    securityToken: $('#securityToken').value || undefined,
    method: $('input[name="method"]:checked').value,
    signatureAlgorithm: $('input[name="signatureAlgorithm"]:checked').value,
  };
}

/** The secrets this page holds now: masked wherever a request is shown. */
function secrets() {
  return [$('#accessKeySecret').value, $('#securityToken').value, $('#proxyToken').value].filter((s) => s.length > 0);
}

/** Text with every form of each secret (as typed, percent-encoded once or twice) masked. */
function masked(text) {
  let out = String(text);
  for (const secret of secrets()) {
    const once = encodeURIComponent(secret);
    const pop = once.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    for (const form of [encodeURIComponent(pop), encodeURIComponent(once), pop, once, secret]) out = out.split(form).join(MASK);
  }
  return out;
}

function loadSettings() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') ?? {};
  } catch {
    saved = {};
  }
  $('#endpoint').value = typeof saved.endpoint === 'string' && saved.endpoint ? saved.endpoint : location.origin;
  if (typeof saved.regionId === 'string' && saved.regionId) $('#regionId').value = saved.regionId;
  if (typeof saved.accessKeyId === 'string') $('#accessKeyId').value = saved.accessKeyId;
  if (saved.method === 'GET' || saved.method === 'POST') $(`input[name="method"][value="${saved.method}"]`).checked = true;
  if (saved.signatureAlgorithm === 'v1' || saved.signatureAlgorithm === 'v3') {
    $(`input[name="signatureAlgorithm"][value="${saved.signatureAlgorithm}"]`).checked = true;
  }
  if (saved.mode === 'direct' || saved.mode === 'proxy') $(`input[name="mode"][value="${saved.mode}"]`).checked = true;
}

function saveSettings() {
  const current = connection();
  const settings = Object.fromEntries(REMEMBERED.map((name) => [name, current[name]]));
  settings.method = current.method;
  settings.signatureAlgorithm = current.signatureAlgorithm;
  settings.mode = mode();
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage may be unavailable (private mode); settings are a convenience.
  }
}

/**
 * V3 from this page to another origin can only fail: its authorization and x-acs-* headers make
 * the browser ask first (a CORS preflight), and the API grants no preflight to pages, so the
 * browser stops the request before it is sent. (To the page's own origin there is no preflight.)
 */
function v3CrossOrigin(c) {
  if (c.signatureAlgorithm !== 'v3') return undefined;
  let origin;
  try {
    origin = new URL(c.endpoint).origin;
  } catch {
    return undefined; // the endpoint's own check explains a bad endpoint
  }
  if (origin === location.origin) return undefined;
  return {
    field: 'signatureAlgorithm',
    message: 'V3 cannot be sent from this page to another origin: its authorization and x-acs-* headers need a CORS '
      + 'preflight, which the API does not grant to pages, so the browser would stop it unsent. Use v1 here, or V3 '
      + 'through the worker proxy (Via proxy, with SIGNATURE_ALGORITHM = "v3") or from a server.',
  };
}

/**
 * Every problem with the connection at once: each field checked by the core's checkConfig on its
 * own (the others set to values it takes), so that one bad field does not hide another.
 */
function connectionProblems() {
  const c = connection();
  const problems = [];
  let url;
  try {
    url = new URL(c.endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push({ field: 'endpoint', message: mode() === 'proxy' ? 'Endpoint must be the worker\'s http or https URL' : 'Endpoint must be an http or https URL' });
  }
  if (mode() === 'proxy') {
    if (!$('#proxyToken').value) problems.push({ field: 'proxyToken', message: 'The proxy token is required' });
    return problems;
  }
  const fine = {
    endpoint: location.origin, regionId: 'cn-shanghai', accessKeyId: 'LTAI5tExampleKeyId', accessKeySecret: 'example-secret-value',
    method: c.method, signatureAlgorithm: 'v1',
  };
  for (const field of ['endpoint', 'regionId', 'accessKeyId', 'accessKeySecret', 'securityToken']) {
    if (problems.some((p) => p.field === field)) continue;
    if (!c[field]) {
      if (field === 'accessKeyId' || field === 'accessKeySecret') problems.push({ field, message: `${field === 'accessKeyId' ? 'AccessKeyId' : 'AccessKeySecret'} is required` });
      continue;
    }
    try {
      checkConfig({ ...fine, [field]: c[field] });
    } catch (error) {
      if (error instanceof CasterError) problems.push({ field, message: error.message });
      else throw error;
    }
  }
  const v3Problem = v3CrossOrigin(c);
  if (v3Problem) problems.push(v3Problem);
  return problems;
}

const CONNECTION_FIELDS = ['endpoint', 'regionId', 'accessKeyId', 'accessKeySecret', 'securityToken', 'method', 'signatureAlgorithm', 'proxyToken'];

/** Shows the problems of the fields touched (all of them once a send or a connect was tried). */
function showConnectionProblems(problems = connectionProblems()) {
  for (const field of CONNECTION_FIELDS) {
    const problem = problems.find((p) => p.field === field);
    const shown = problem && (view.triedConnection || view.touched.has(field));
    $(`#${field}-error`).textContent = shown ? problem.message : '';
    const input = $(`#${field}`);
    if (input?.tagName === 'INPUT') input.setAttribute('aria-invalid', shown ? 'true' : 'false');
  }
  // A problem under Advanced opens it, so that it is seen.
  if (problems.some((p) => ['securityToken', 'method', 'signatureAlgorithm'].includes(p.field) && (view.triedConnection || view.touched.has(p.field)))) {
    $('#advanced').open = true;
  }
}

function showModeFields() {
  for (const field of $$('[data-mode]')) field.hidden = field.dataset.mode !== mode();
  $('#emulator-tools').hidden = !(view.emulatorState?.demoAccessKeyId && mode() === 'direct');
}

function hostOf(endpoint) {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

/** The header's line and the connection's one-line summary: where the page is connected, now. */
function showWhere() {
  const c = connection();
  const problems = connectionProblems();
  let where;
  if (mode() === 'proxy') where = `via the proxy at ${c.endpoint}`;
  else if (view.emulatorState) where = `to the local emulator at ${c.endpoint}`;
  else where = `directly to ${c.endpoint}`;
  $('#status').textContent = problems.length
    ? `Ready. Not connected ${where} yet: ${problems.length === 1 ? 'one thing' : `${problems.length} things`} to fix in Connection.`
    : `Ready. Connected ${where}.`;
  const line = mode() === 'proxy'
    ? `Via proxy · ${hostOf(c.endpoint)} · token ${MASK}`
    : `Direct · ${hostOf(c.endpoint)} · ${c.regionId} · ${c.accessKeyId} · ${c.method} ${c.signatureAlgorithm}${view.emulatorState ? ' · emulator' : ''}`;
  $('#connection-line').textContent = line;
}

function setConnectionOpen(open) {
  view.connectionOpen = open;
  $('#connection-form').hidden = !open;
  $('#connection-summary').hidden = open;
  $('#edit-connection').setAttribute('aria-expanded', String(open));
}

function connectionChanged() {
  showModeFields();
  showConnectionProblems();
  showWhere();
}

/** "Use this connection": all problems at once, or collapse it and load the studios. */
async function useConnection() {
  view.triedConnection = true;
  const problems = connectionProblems();
  showConnectionProblems(problems);
  showWhere();
  if (problems.length) {
    $(`#${problems[0].field}`)?.focus();
    return;
  }
  saveSettings();
  setConnectionOpen(false);
  $('#edit-connection').focus();
  await loadStudios();
}

// ---- sending ----------------------------------------------------------------------------------

/**
 * A reply's body as text, read as a stream up to MAX_REPLY_BYTES; undefined past it, when the
 * read is cancelled. Rejects as the body does when it breaks off.
 */
async function readCapped(response) {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REPLY_BYTES) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
}

/** Sends the parameters to the edge worker, which holds the key. Resolves like CasterClient. */
async function sendViaProxy(action, params, shown) {
  const url = `${connection().endpoint.replace(/\/+$/, '')}/v1/${action}`;
  const body = JSON.stringify(params);
  if (shown) showSent({ action, proxy: true, url, body });
  let response;
  try {
    // The token goes to the worker's URL and nowhere else: a redirect is not followed.
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${$('#proxyToken').value}`, 'content-type': 'application/json' },
      body,
      redirect: 'manual',
    });
  } catch {
    throw { code: 'NetworkError', message: 'the worker could not be reached (is the URL right, and is this origin in its ALLOWED_ORIGINS?)' };
  }
  if (response.type === 'opaqueredirect' || response.redirected || (response.status >= 300 && response.status <= 399)) {
    throw { code: 'Redirected', message: 'the worker\'s URL answered with a redirect, which is not followed: use the worker\'s own URL' };
  }
  let text;
  try {
    text = await readCapped(response);
  } catch {
    throw { code: 'InvalidResponse', message: `the worker answered HTTP ${response.status}, then its body broke off` };
  }
  if (text === undefined) {
    throw { code: 'ReplyTooLarge', message: `the worker answered HTTP ${response.status} with a body over ${MAX_REPLY_BYTES} bytes; it was not read further` };
  }
  let reply;
  try {
    reply = JSON.parse(text);
  } catch {
    throw { code: 'InvalidResponse', message: `the worker answered HTTP ${response.status} with a body that is not JSON` };
  }
  if (!response.ok) {
    throw {
      code: String(reply?.Code ?? `HTTP${response.status}`),
      message: masked(String(reply?.Message ?? '')),
      requestId: reply?.RequestId === undefined ? undefined : masked(String(reply.RequestId)),
      recommend: typeof reply?.Recommend === 'string' ? masked(reply.Recommend) : undefined,
    };
  }
  return reply;
}

/** Sends directly with CasterClient; the request details show exactly the request that went out. */
async function sendDirect(action, params, shown, record) {
  const c = connection();
  const client = new CasterClient({
    ...c,
    fetch: (url, init) => {
      const sent = { url: String(url), init };
      record.signed = signedAsSent(action, params, c, sent);
      if (shown) showSent({ action, params, c, sent, signed: record.signed });
      return fetch(url, init);
    },
  });
  return client[methodOf(action)](params);
}

/**
 * Runs one action: nothing goes out while the connection has a problem (the connection opens and
 * shows them all). Resolves to { value } or { error }, logged in the session's log.
 */
async function run(action, params, { background = false } = {}) {
  const problems = connectionProblems();
  if (problems.length) {
    view.triedConnection = true;
    setConnectionOpen(true);
    showConnectionProblems(problems);
    showWhere();
    return { error: { code: 'ConnectionIncomplete', message: `Fix the connection first: ${problems.map((p) => p.message).join('; ')}` }, unsent: true };
  }
  saveSettings();
  let outcome;
  const record = {};
  try {
    outcome = { value: mode() === 'proxy' ? await sendViaProxy(action, params, !background) : await sendDirect(action, params, !background, record) };
  } catch (error) {
    const shown = error instanceof CasterError || (error && typeof error.code === 'string')
      ? error : { code: 'Error', message: String(error?.message ?? error) };
    outcome = { error: shown };
    if (!background && record.signed && ['SignatureDoesNotMatch', 'InvalidAccessKeySecret', 'IncompleteSignature'].includes(shown.code)) {
      showComparison(shown, record.signed);
    }
  }
  logResult(action, outcome);
  return outcome;
}

// ---- request details --------------------------------------------------------------------------

/** A term and its value (text, or an element) at the end of a <dl>. Text is never parsed as HTML. */
function appendTerm(list, term, value) {
  list.append(el('dt', { textContent: term }), value instanceof Node ? el('dd', {}, value) : el('dd', { textContent: value }));
}

/** The wire's time and nonce of a request that went out. */
function timeAndNonce(c, sent) {
  const headers = sent.init?.headers ?? {};
  const wire = new URLSearchParams(typeof sent.init?.body === 'string' ? sent.init.body : new URL(sent.url).search);
  return c.signatureAlgorithm === 'v3'
    ? { timestamp: headers['x-acs-date'], nonce: headers['x-acs-signature-nonce'] }
    : { timestamp: wire.get('Timestamp'), nonce: wire.get('SignatureNonce') };
}

/** The request sent, signed again from the same parameters, time and nonce: the same bytes, and its parts. */
function signedAsSent(action, params, c, sent) {
  const { timestamp, nonce } = timeAndNonce(c, sent);
  try {
    return signRequest({ ...c, action, params, timestamp: timestamp ?? undefined, nonce: nonce ?? undefined });
  } catch {
    return undefined;
  }
}

/** The request that went out: its method, URL, headers and body as sent, and how it was signed. */
function showSent({ action, proxy, url, body, c, sent, signed }) {
  $('#compare').hidden = true;
  const list = $('#inspector-fields');
  list.replaceChildren();
  const add = (term, value) => appendTerm(list, term, typeof value === 'string' ? masked(value) : value);
  if (proxy) {
    $('#inspector-caption').textContent = `${WORDING[action]} · ${action}, as sent to the proxy: the worker validates, signs and forwards it. No AccessKey is in this page.`;
    add('Method', 'POST');
    add('URL', url);
    add('Headers', `authorization: Bearer ${MASK}\ncontent-type: application/json`);
    add('Body', body);
    return;
  }
  const headers = sent.init?.headers ?? {};
  const { timestamp } = timeAndNonce(c, sent);
  $('#inspector-caption').textContent = `${WORDING[action]} · ${action}, as sent at ${timestamp}. The AccessKeySecret and tokens are never shown.`;
  add('Method', sent.init?.method ?? 'GET');
  add('URL', sent.url);
  const headerText = Object.entries(headers).map(([name, value]) => `${name}: ${/^authorization$/i.test(name) ? value.replace(/Signature=.*/, 'Signature=…') : value}`).join('\n');
  if (headerText) add('Headers', headerText);
  if (typeof sent.init?.body === 'string') add('Body', sent.init.body);
  if (signed) {
    const table = el('table', { className: 'params' });
    for (const [name, value] of Object.entries(signed.params)) {
      const row = table.insertRow();
      row.insertCell().textContent = name;
      row.insertCell().textContent = masked(value);
    }
    add('Parameters', table);
    add('Canonical query', signed.canonicalQuery);
    if (signed.canonicalRequest !== undefined) add('Canonical request', signed.canonicalRequest);
    add('String to sign', signed.stringToSign);
    add('Signature', signed.signature);
  }
}

/** After a signature error: this page's string to sign beside the server's. */
function showComparison(error, signed) {
  const message = String(error.message ?? '');
  const at = message.indexOf(SERVER_STRING_TO_SIGN);
  const ours = masked(signed.stringToSign);
  let theirs = at >= 0 ? masked(message.slice(at + SERVER_STRING_TO_SIGN.length)) : undefined;
  if (theirs === undefined && error.code === 'InvalidAccessKeySecret') theirs = ours;
  const same = theirs === ours;
  const column = (title, text) => el('div', { className: 'side' }, el('h3', { textContent: title }), el('pre', { textContent: text ?? 'the server did not say' }));
  const compare = $('#compare');
  compare.replaceChildren(
    el('p', {
      textContent: same
        ? 'The server signed the very same string: the request arrived as sent, so the AccessKeySecret is what differs.'
        : 'The strings differ: the request was changed on the way (a proxy re-encoding it?) or signed by other rules.',
    }),
    el('div', { className: 'sides' }, column('This page signed', ours), column('The server signed', theirs)),
  );
  compare.hidden = false;
  $('#inspector-details').open = true;
}

// ---- results ----------------------------------------------------------------------------------

/**
 * A server's Recommend: a link only to an http or https URL. The server, or a proxy on the way,
 * chooses the text, and a javascript: or data: link would run in this page when clicked.
 */
function recommendation(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return text;
  return el('a', { href: url.href, textContent: text, target: '_blank', rel: 'noopener noreferrer' });
}

/** What the codes a user can act on mean here, beside the message. */
const MEANINGS = {
  InvalidAccessKeySecret: 'The AccessKeySecret is wrong for this AccessKeyId: the server signed exactly what this page '
    + 'signed, and the signatures still differ. Check the secret.',
  SignatureDoesNotMatch: 'The server signed another string than this page did: the request was changed on the way '
    + '(a proxy re-encoding it?). Compare the two strings to sign in Request details.',
  ResourceNumberExceed: 'The studio has as many sources as it takes: remove one first.',
  DuplicateLocationID: 'Another source is in this position: refresh to see it.',
  'IncorrectCasterStatus.Idle': 'The studio is idle: start it (in the vendor\'s console) before starting a scene.',
};

/**
 * A describe's list in a few words (`3 × Caster`): the studio view shows the items themselves.
 * Anything else as compact JSON text (never parsed as HTML).
 */
function summaryOf(value) {
  const entries = Object.entries(value);
  if (entries.length === 1 && Array.isArray(entries[0][1])) return `${entries[0][1].length} × ${entries[0][0]}`;
  return JSON.stringify(value);
}

/** An outcome's details as a <dl>: the value's fields, or the error's code, message, RequestId, Recommend. */
function outcomeDetails(outcome, { brief = false } = {}) {
  const details = el('dl');
  const add = (term, value) => {
    if (value !== undefined && value !== '') appendTerm(details, term, value);
  };
  if (outcome.error) {
    const { error } = outcome;
    add('Code', error.code);
    add('Message', error.message);
    add('What it means', MEANINGS[error.code]);
    add('RequestId', error.requestId);
    if (error.recommend) add('Recommend', recommendation(error.recommend));
  } else {
    for (const [name, value] of Object.entries(outcome.value)) {
      if (brief && typeof value === 'object') continue;
      add(name, typeof value === 'object' ? summaryOf(value) : String(value));
    }
  }
  return details;
}

function logResult(action, outcome) {
  const at = new Date();
  const item = el('li', { className: outcome.error ? 'failure' : 'success' },
    el('time', { dateTime: at.toISOString(), textContent: at.toLocaleTimeString() }),
    el('strong', { textContent: ` ${action} ` }),
    el('span', { className: 'explain', textContent: WORDING[action] }),
    outcomeDetails(outcome));
  const results = $('#results');
  results.prepend(item);
  while (results.children.length > MAX_LOG_ENTRIES) results.lastElementChild.remove();
}

/** The one-line summary read out by a screen reader. */
function spoken(action, outcome, success) {
  return outcome.error
    ? `${WORDING[action]} failed: ${outcome.error.code}. ${outcome.error.message ?? ''}`
    : `${WORDING[action]}: ${success ?? 'done'}.`;
}

/** A result box next to a control: success text or the error's details. */
function resultBox(where) {
  const result = view.results.get(where);
  if (!result) return undefined;
  const { action, outcome, success } = result;
  const box = el('div', { className: `result ${outcome.error ? 'failure' : 'success'}`, tabIndex: -1, dataset: { where } },
    el('p', { className: 'result-title' },
      el('strong', { textContent: outcome.error ? `${WORDING[action]} failed` : `${WORDING[action]}: done` }),
      el('span', { className: 'api', textContent: ` · ${action}` })),
    success ? el('p', { className: 'result-text', textContent: success }) : undefined,
    outcomeDetails(outcome, { brief: true }));
  return box;
}

function announce(text) {
  const region = $('#announce');
  region.textContent = '';
  // A change the screen reader notices even when the same text comes twice.
  requestAnimationFrame(() => { region.textContent = text; });
}

/** Records an outcome at `where`, re-renders, then moves the focus to it and announces it. */
function settle(where, action, outcome, success) {
  view.results.set(where, { action, outcome, success });
  view.focusAfterRender = where;
  announce(spoken(action, outcome, success));
}

function focusResult() {
  const where = view.focusAfterRender;
  view.focusAfterRender = undefined;
  if (!where) return;
  const box = $$('.result[data-where]').find((b) => b.dataset.where === where);
  if (box) {
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: 'nearest' });
  }
}

// ---- the studio view --------------------------------------------------------------------------

const positionName = (n) => `RV${String(n).padStart(2, '0')}`;
const sourceOf = (resource) => SOURCES.find((s) => resource[s] !== undefined && resource[s] !== '');

/** How many sources the studio takes, when known (the emulator says; the API does not). */
function capacity() {
  return view.emulatorState?.casters?.find((c) => c.casterId === view.studioId)?.ingestEndpoints;
}

async function loadStudios({ report = false } = {}) {
  const outcome = await run('DescribeCasters', {});
  const select = $('#studio');
  if (outcome.error) {
    if (!outcome.unsent) {
      view.results.set('studio', { action: 'DescribeCasters', outcome });
      view.focusAfterRender = 'studio';
      announce(spoken('DescribeCasters', outcome));
    }
    renderStudio();
    return;
  }
  view.studios = outcome.value.CasterList?.Caster ?? [];
  if (report) settle('studio', 'DescribeCasters', outcome, `${view.studios.length} studio${view.studios.length === 1 ? '' : 's'} found`);
  else view.results.delete('studio');
  const chosen = view.studioId;
  select.replaceChildren(new Option(view.studios.length ? 'choose a studio…' : 'no studios', ''));
  for (const caster of view.studios) {
    const name = caster.CasterName && caster.CasterName !== caster.CasterId ? `${caster.CasterName} (${caster.CasterId})` : caster.CasterId;
    select.add(new Option(`${name} · ${caster.Status === 1 ? 'in production' : 'idle'}`, caster.CasterId));
  }
  const still = view.studios.some((c) => c.CasterId === chosen);
  select.value = still ? chosen : '';
  if (!still && view.studios.length === 1) select.value = view.studios[0].CasterId;
  if (select.value) await loadStudio(select.value, { keepResult: report });
  else {
    view.studioId = '';
    view.loaded = false;
    renderStudio();
  }
}

/** Reads the studio's scenes and sources (and, on the emulator, how many sources it takes). */
async function loadStudio(casterId, { keepResult = false, background = false } = {}) {
  const sameStudio = casterId === view.studioId;
  if (!sameStudio) {
    view.editing = undefined;
    view.confirming = undefined;
    view.results = new Map([...view.results].filter(([key]) => key === 'studio'));
  }
  if (!keepResult && !view.focusAfterRender) view.results.delete('studio');
  view.studioId = casterId;
  if (!casterId) {
    view.loaded = false;
    renderStudio();
    return;
  }
  const [scenes, sources] = await Promise.all([
    run('DescribeCasterScenes', { CasterId: casterId }, { background }),
    run('DescribeCasterVideoResources', { CasterId: casterId }, { background: true }),
    view.emulatorState ? refreshEmulatorState() : undefined,
  ]);
  const failed = [scenes, sources].find((o) => o.error && !o.unsent);
  if (failed) {
    const action = failed === scenes ? 'DescribeCasterScenes' : 'DescribeCasterVideoResources';
    view.results.set('studio', { action, outcome: failed });
    if (!view.focusAfterRender) view.focusAfterRender = 'studio';
    announce(spoken(action, failed));
  }
  view.scenes = scenes.value?.SceneList?.Scene ?? view.scenes;
  view.resources = sources.value?.VideoResources?.VideoResource ?? view.resources;
  // A refresh that fails keeps the studio's last view, with the failure above it.
  view.loaded = Boolean(scenes.value && sources.value) || (view.loaded && sameStudio);
  renderStudio();
}

function renderStudio() {
  const studioResult = resultBox('studio');
  $('#studio-result').replaceWith(studioResult ? Object.assign(studioResult, { id: 'studio-result' }) : el('div', { id: 'studio-result', className: 'result', hidden: true }));
  $('#studio-body').hidden = !view.loaded;
  if (view.loaded) {
    renderScenes();
    renderPositions();
  }
  focusResult();
}

function renderScenes() {
  const list = $('#scenes');
  list.replaceChildren();
  if (view.scenes.length === 0) list.append(el('li', { className: 'empty', textContent: 'This studio has no scenes.' }));
  for (const scene of view.scenes) {
    const preview = String(scene.OutputType) !== '1';
    const running = scene.Status === 1;
    const where = `scene:${scene.SceneId}`;
    const name = scene.SceneName && scene.SceneName !== scene.SceneId ? `${scene.SceneName} (${scene.SceneId})` : scene.SceneId;
    const nameId = `scene-name-${view.scenes.indexOf(scene)}`;
    const item = el('li', { className: 'scene' },
      el('div', { className: 'scene-head' },
        el('span', { className: 'scene-name', id: nameId, textContent: name }),
        el('span', { className: 'tag', textContent: preview ? 'preview · PVW' : 'program · PGM' }),
        el('span', { className: `state ${running ? 'on' : 'off'}`, textContent: running ? 'running' : 'stopped' })),
      running && scene.StreamUrl ? el('p', { className: 'mono', textContent: scene.StreamUrl }) : undefined);
    if (preview) {
      const action = running ? 'StopCasterScene' : 'StartCasterScene';
      const button = el('button', { type: 'button', className: running ? 'secondary' : '', 'aria-describedby': nameId }, ...actionLabel(action));
      button.disabled = view.busy.has(where);
      button.addEventListener('click', () => sceneAction(action, scene, where));
      item.append(el('div', { className: 'actions' }, button));
    }
    item.append(resultBox(where) ?? '');
    list.append(item);
  }
}

async function sceneAction(action, scene, where) {
  view.busy.add(where);
  renderStudio();
  const outcome = await run(action, { CasterId: view.studioId, SceneId: scene.SceneId });
  view.busy.delete(where);
  if (outcome.unsent) {
    renderStudio();
    return;
  }
  const success = outcome.value?.StreamUrl ? `Running; its stream: ${outcome.value.StreamUrl}` : `${scene.SceneId} stopped`;
  settle(where, action, outcome, success);
  await loadStudio(view.studioId, { background: true });
}

function renderPositions() {
  const list = $('#positions');
  list.replaceChildren();
  const byLocation = new Map(view.resources.map((r) => [r.LocationId, r]));
  const cap = capacity();
  const highest = Math.max(0, ...view.resources.map((r) => Number(String(r.LocationId).slice(2)) || 0));
  const full = cap !== undefined && view.resources.length >= cap;
  let count;
  if (cap !== undefined) count = Math.min(MAX_POSITIONS, Math.max(cap, highest));
  else count = Math.min(MAX_POSITIONS, Math.max(highest + 1, 1));
  $('#positions-note').textContent = cap !== undefined
    ? `${view.resources.length} of ${cap} sources${full ? ': the studio is full; remove a source to add another.' : '.'}`
    : `${view.resources.length} source${view.resources.length === 1 ? '' : 's'}. The API does not say how many this studio takes; past its limit an add answers ResourceNumberExceed.`;
  for (let n = 1; n <= count; n += 1) {
    const location = positionName(n);
    const resource = byLocation.get(location);
    if (!resource && cap === undefined && n !== count && !view.results.has(`pos:${location}`)) continue;
    list.append(positionItem(location, resource, full));
  }
}

function positionItem(location, resource, full) {
  const where = `pos:${location}`;
  const editing = view.editing?.location === location;
  const item = el('li', { className: `position ${resource ? 'taken' : 'free'}${editing ? ' editing' : ''}`, dataset: { location } });
  const heading = el('h4', { id: `pos-${location}`, textContent: location });
  item.append(heading);
  if (resource) {
    const type = sourceOf(resource);
    item.append(
      el('p', { className: 'source-name', textContent: resource.ResourceName ?? '' }),
      el('p', { className: 'tag', textContent: `${SOURCE_NAMES[type] ?? 'source'}${type ? ` · ${type}` : ''}` }),
      type ? el('p', { className: 'mono', textContent: resource[type] }) : undefined,
    );
  } else {
    item.append(el('p', { className: 'muted', textContent: full ? 'free; the studio is full' : 'free' }));
  }
  if (editing) {
    item.append(view.editing.form);
  } else if (view.confirming === location && resource) {
    const confirm = el('button', { type: 'button', className: 'danger' }, ...actionLabel('DeleteCasterVideoResource', `Remove ${resource.ResourceName ?? location}`));
    const keep = el('button', { type: 'button', className: 'secondary', textContent: 'Keep it' });
    confirm.addEventListener('click', () => removeSource(location, resource));
    keep.addEventListener('click', () => {
      view.confirming = undefined;
      renderStudio();
      $(`[data-location="${location}"] button`)?.focus();
    });
    item.append(el('div', { className: 'actions' }, confirm, keep));
    queueMicrotask(() => confirm.focus());
  } else if (resource) {
    const edit = el('button', { type: 'button', className: 'secondary', 'aria-label': `Edit the source in ${location}` }, 'Edit');
    const remove = el('button', { type: 'button', className: 'secondary', 'aria-label': `Remove the source in ${location}` }, 'Remove');
    edit.addEventListener('click', () => openEditor(location, resource));
    remove.addEventListener('click', () => {
      view.confirming = location;
      renderStudio();
    });
    edit.disabled = remove.disabled = view.busy.has(where);
    item.append(el('div', { className: 'actions' }, edit, remove));
  } else if (!full) {
    const add = el('button', { type: 'button', 'aria-label': `Add a source here: ${location}` }, 'Add a source here');
    add.addEventListener('click', () => openEditor(location));
    item.append(el('div', { className: 'actions' }, add));
  }
  item.append(resultBox(where) ?? '');
  return item;
}

// ---- the source editor ------------------------------------------------------------------------

/** A source form for `location`: empty to add, filled from `resource` to edit it. */
function openEditor(location, resource) {
  const form = $('#source-form-template').content.firstElementChild.cloneNode(true);
  const action = resource ? 'ModifyCasterVideoResource' : 'AddCasterVideoResource';
  const prefix = `src-${location}`;
  form.id = `${prefix}-form`;
  form.setAttribute('aria-label', resource ? `Edit the source in ${location}` : `Add a source in ${location}`);
  for (const input of $$('input[data-name]', form)) {
    input.id = `${prefix}-${input.dataset.name}`;
    input.name = input.dataset.name;
    const error = input.parentElement.querySelector('.error');
    error.id = `${input.id}-error`;
    input.setAttribute('aria-describedby', error.id);
  }
  for (const label of $$('label[data-for]', form)) label.htmlFor = `${prefix}-${label.dataset.for}`;
  for (const radio of $$('input[data-radio]', form)) radio.name = `${prefix}-${radio.dataset.radio}`;
  $('[data-error="source"]', form).id = `${prefix}-source-error`;
  $('button[data-role="send"]', form).append(...actionLabel(action, resource ? 'Save changes' : 'Add source'));
  const editor = { location, resourceId: resource?.ResourceId, action, form, touched: new Set(), tried: false };
  if (resource) {
    $('[data-name="ResourceName"]', form).value = resource.ResourceName ?? '';
    const type = sourceOf(resource) ?? 'LiveStreamUrl';
    $(`input[data-radio][value="${type}"]`, form).checked = true;
    for (const name of [...SOURCES, ...FILE_FIELDS]) {
      const input = $(`[data-name="${name}"]`, form);
      if (input && resource[name] !== undefined) input.value = String(resource[name]);
    }
  }
  // A field typed in counts as touched once it is left: its problems show from then on.
  const typed = new Set();
  form.addEventListener('input', (event) => {
    if (event.target.dataset?.name) typed.add(event.target.dataset.name);
    checkEditor(editor);
  });
  form.addEventListener('change', () => checkEditor(editor));
  form.addEventListener('focusout', (event) => {
    const name = event.target.dataset?.name;
    if (name && typed.has(name) && !editor.touched.has(name)) {
      editor.touched.add(name);
      checkEditor(editor);
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sendEditor(editor);
  });
  $('button[data-role="cancel"]', form).addEventListener('click', () => {
    view.editing = undefined;
    renderStudio();
    $(`[data-location="${location}"] .actions button`)?.focus();
  });
  view.editing = editor;
  view.confirming = undefined;
  view.results.delete(`pos:${location}`);
  checkEditor(editor);
  renderStudio();
  $('[data-name="ResourceName"]', form).focus();
}

const sourceTypeOf = (editor) => $('input[data-radio]:checked', editor.form).value;

/** The editor's parameters: the position's, and every visible non-empty field as typed. */
function editorParams(editor) {
  const params = { CasterId: view.studioId };
  if (editor.resourceId) params.ResourceId = editor.resourceId;
  else params.LocationId = editor.location;
  for (const input of $$('.field:not([hidden]) input[data-name]', editor.form)) {
    const value = input.value.trim();
    if (value !== '') params[input.dataset.name] = value;
  }
  return params;
}

/** Shows the fields of the chosen source type, and the problems of the fields touched. */
function checkEditor(editor) {
  const type = sourceTypeOf(editor);
  // A field of another source type, or of the other operation (FixedDelayDuration is only AddCasterVideoResource's), is hidden.
  for (const field of $$('[data-sources]', editor.form)) {
    field.hidden = !field.dataset.sources.split(' ').includes(type) || (field.dataset.only !== undefined && field.dataset.only !== editor.action);
  }
  const problems = validateParams(editor.action, editorParams(editor));
  const shows = (name) => editor.tried || editor.touched.has(name);
  for (const error of $$('.error', editor.form)) error.textContent = '';
  for (const input of $$('input[data-name]', editor.form)) input.setAttribute('aria-invalid', 'false');
  const general = [];
  for (const problem of problems) {
    const field = $(`.field[data-field="${problem.field}"]:not([hidden])`, editor.form);
    if (field) {
      if (!shows(problem.field)) continue;
      const error = $('.error', field);
      if (!error.textContent) error.textContent = problem.message;
      $('input', field).setAttribute('aria-invalid', 'true');
    } else if (SOURCES.some((s) => problem.field.includes(s))) {
      if (shows(type)) $('[data-error="source"]', editor.form).textContent = problem.message;
    } else if (editor.tried) {
      general.push(problem.message);
    }
  }
  $('.form-error', editor.form).textContent = general.join(' ');
  return problems;
}

async function sendEditor(editor) {
  editor.tried = true;
  const problems = checkEditor(editor);
  if (problems.length) {
    ($('[aria-invalid="true"]', editor.form) ?? $('input[data-name]', editor.form)).focus();
    return;
  }
  const params = editorParams(editor);
  const where = `pos:${editor.location}`;
  const button = $('button[data-role="send"]', editor.form);
  button.disabled = true;
  const outcome = await run(editor.action, params);
  button.disabled = false;
  if (outcome.unsent) return;
  if (outcome.error) {
    // The form stays open, with the answer under it.
    settle(where, editor.action, outcome);
  } else {
    view.editing = undefined;
    const name = params.ResourceName ?? 'the source';
    settle(where, editor.action, outcome, editor.resourceId ? `${name} saved in ${editor.location}` : `${name} added in ${editor.location}`);
  }
  await loadStudio(view.studioId, { background: true });
}

async function removeSource(location, resource) {
  const where = `pos:${location}`;
  view.confirming = undefined;
  view.busy.add(where);
  renderStudio();
  const outcome = await run('DeleteCasterVideoResource', { CasterId: view.studioId, ResourceId: resource.ResourceId });
  view.busy.delete(where);
  if (outcome.unsent) {
    renderStudio();
    return;
  }
  settle(where, 'DeleteCasterVideoResource', outcome, `${resource.ResourceName ?? 'The source'} removed from ${location}`);
  await loadStudio(view.studioId, { background: true });
}

// ---- the emulator -----------------------------------------------------------------------------

async function refreshEmulatorState() {
  const base = connection().endpoint.replace(/\/+$/, '');
  let state;
  try {
    // A redirect is not ok: no state. The timeout covers the body too.
    const response = await fetch(`${base}/_emulator/state`, { redirect: 'manual', signal: AbortSignal.timeout(STATE_TIMEOUT_MS) });
    if (!response.ok) throw new Error(String(response.status));
    const text = await readCapped(response);
    state = text === undefined ? undefined : JSON.parse(text); // too large: not the emulator's
    if (!state || typeof state !== 'object' || !Array.isArray(state.casters)) state = undefined;
  } catch {
    state = undefined;
  }
  // Only the answer for the endpoint still typed counts.
  if (connection().endpoint.replace(/\/+$/, '') === base) view.emulatorState = state;
  showModeFields();
  showWhere();
}

function useDemoKey() {
  if (!view.emulatorState?.demoAccessKeyId) return;
  $('#accessKeyId').value = view.emulatorState.demoAccessKeyId;
  $('#accessKeySecret').value = DEMO_SECRET;
  connectionChanged();
}

// ---- start ------------------------------------------------------------------------------------

async function main() {
  loadSettings();
  showModeFields();
  try {
    await init();
  } catch (error) {
    $('#status').textContent = `The signer could not be loaded: ${error.message}`;
    return;
  }
  await refreshEmulatorState();
  const state = view.emulatorState;
  if (state?.demoAccessKeyId && mode() === 'direct' && !$('#accessKeySecret').value
    && (!$('#accessKeyId').value || $('#accessKeyId').value === state.demoAccessKeyId)) {
    useDemoKey();
  }
  connectionChanged();
  const ready = connectionProblems().length === 0;
  setConnectionOpen(!ready);

  const form = $('#connection-form');
  form.addEventListener('input', connectionChanged);
  form.addEventListener('change', (event) => {
    if (event.target.name) view.touched.add(event.target.name);
    if (event.target.id === 'endpoint' || event.target.name === 'mode') refreshEmulatorState().then(connectionChanged);
    else connectionChanged();
  });
  const typed = new Set();
  form.addEventListener('input', (event) => {
    if (event.target.id) typed.add(event.target.id);
  }, { capture: true });
  form.addEventListener('focusout', (event) => {
    const { id } = event.target;
    if (id && CONNECTION_FIELDS.includes(id) && typed.has(id) && !view.touched.has(id)) {
      view.touched.add(id);
      connectionChanged();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    useConnection();
  });
  $('#edit-connection').addEventListener('click', () => {
    setConnectionOpen(true);
    $('#endpoint').focus();
  });
  $('#use-demo-key').addEventListener('click', useDemoKey);
  $('#studio').addEventListener('change', (event) => loadStudio(event.target.value));
  // A studio by its ID, for keys that may not list studios: checked as the API checks a CasterId.
  $('#studio-id-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('#studio-id');
    const casterId = input.value.trim();
    const [problem] = validateParams('DescribeCasterScenes', { CasterId: casterId });
    $('#studio-id-error').textContent = problem ? problem.message : '';
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) {
      input.focus();
      return;
    }
    $('#studio').value = view.studios.some((c) => c.CasterId === casterId) ? casterId : '';
    await loadStudio(casterId);
  });
  $('#refresh').addEventListener('click', async () => {
    const button = $('#refresh');
    button.disabled = true;
    try {
      await loadStudios({ report: true });
    } finally {
      button.disabled = false;
    }
    if (!view.focusAfterRender && document.activeElement === document.body) button.focus();
  });
  if (ready) await loadStudios();
  showWhere();
}

main();
