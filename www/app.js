// The console page: validates as you type with the package's own validateParams, shows the signed
// request, sends it with CasterClient, and logs the outcome. Secrets live in this module's memory
// and the password fields only: never in storage, the URL or the console.
import init, { CasterClient, CasterError, OPERATIONS, checkConfig, signRequest, validateParams } from '/dist/browser.js';

const SETTINGS_KEY = 'aliyun-caster-console';
const REMEMBERED = ['mode', 'endpoint', 'regionId', 'accessKeyId']; // never a secret or a token
// The emulator's documented demo key pair (README); the emulator is the only place it works.
const DEMO_SECRET = 'emulator-demo-secret-not-a-real-key';
const SOURCES = ['LiveStreamUrl', 'MaterialId', 'VodUrl', 'ImageId', 'ImageUrl'];
// The most this page reads of the worker's reply or of the emulator's state view, as CasterClient's
// maxReplyBytes: the server decides how much it sends, and past this the read is cancelled and the
// connection let go. A reply is well under 1 KB; a state view over this (an emulator configured
// with thousands of sources) is treated as absent, and the page offers no demo tools.
const MAX_REPLY_BYTES = 1024 * 1024;
// The state view only tells whether the endpoint is the emulator: a server that has not answered it
// in full by then is not, and the page does not wait longer to become usable.
const STATE_TIMEOUT_MS = 5000;

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
/**
 * A form for an operation the page has no form of its own for, built from the core's table: one
 * field per parameter (a repeat list such as Tag as `key=value` pairs, comma-separated), placed
 * before the log. Text is set as text, never parsed as HTML.
 */
function buildForm({ name, summary, params }) {
  const element = (tag, props = {}, ...children) => {
    const made = Object.assign(document.createElement(tag), props);
    made.append(...children);
    return made;
  };
  const id = `op-${name}`;
  const heading = element('h2', { id: `${id}-title` }, `${name} `, element('span', { className: 'explain', textContent: summary }));
  const form = element('form', { id: `${id}-form`, noValidate: true });
  form.dataset.action = name;
  const grid = element('div', { className: 'grid' });
  for (const param of params) {
    if (param.name === 'RegionId' || param.name === 'OwnerId') continue; // the connection's region; an account's own id
    const inputId = `${id}-${param.name}`;
    const field = element('div', { className: 'field' });
    field.dataset.field = param.name;
    const hint = param.type === 'list' ? `${param.members.join('=')} pairs, comma-separated` : param.rule;
    const label = element('label', { htmlFor: inputId }, `${param.name}${param.required ? '' : ' '}`,
      element('span', { className: 'explain', textContent: param.required ? hint : `optional; ${hint}` }));
    const input = element('input', { id: inputId, name: param.name, type: 'text', spellcheck: false });
    if (param.type === 'list') input.dataset.list = param.members.join(' ');
    input.setAttribute('aria-describedby', `${inputId}-error`);
    const error = element('p', { className: 'error', id: `${inputId}-error` });
    error.setAttribute('aria-live', 'polite');
    field.append(label, input, error);
    grid.append(field);
  }
  const formError = element('p', { className: 'error form-error' });
  formError.setAttribute('aria-live', 'polite');
  form.append(grid, formError, element('button', { type: 'submit', name: 'submit', textContent: name }));
  const section = element('section', { className: 'panel' }, heading, form);
  section.setAttribute('aria-labelledby', `${id}-title`);
  $('#log').before(section);
  return form;
}

// One form per operation of the core's table (OPERATIONS), each marked with its data-action: the
// page's own for the first two, one built from the table for each of the others.
const forms = Object.fromEntries(OPERATIONS.map((op) => [op.name, $(`form[data-action="${op.name}"]`) ?? buildForm(op)]));
for (const [name, form] of Object.entries(forms)) if (!form) throw new Error(`the page has no form for ${name}`);
let lastEdited = OPERATIONS[0].name;
/** The CasterClient method of an operation: its wire name in camelCase. */
const methodOf = (action) => action[0].toLowerCase() + action.slice(1);
let emulatorState;

function setStatus(text) {
  $('#status').textContent = text;
}

// ---- connection -------------------------------------------------------------------------------

function mode() {
  return $('input[name="mode"]:checked').value;
}

/** Direct mode shows the AccessKey fields; proxy mode only the endpoint and the proxy token. */
function showModeFields() {
  for (const field of $$('[data-mode]')) field.hidden = field.dataset.mode !== mode();
}

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
    return undefined; // the signer's dry run explains a bad endpoint
  }
  if (origin === location.origin) return undefined;
  return {
    field: 'signatureAlgorithm',
    message: 'V3 cannot be sent from this page to another origin: its authorization and x-acs-* headers need a CORS '
      + 'preflight, which the API does not grant to pages, so the browser would stop it unsent. Use v1 here, or V3 '
      + 'through the worker proxy (Via proxy, with SIGNATURE_ALGORITHM = "v3") or from a server.',
  };
}

/** Problems with the connection: in direct mode found by the core's checkConfig, as signing would. */
function connectionProblems() {
  const c = connection();
  const problems = [];
  if (mode() === 'proxy') {
    let url;
    try {
      url = new URL(c.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push({ field: 'endpoint', message: 'Endpoint must be the worker\'s http or https URL' });
    }
    if (!$('#proxyToken').value) problems.push({ field: 'proxyToken', message: 'The proxy token is required' });
    return problems;
  }
  const v3Problem = v3CrossOrigin(c);
  if (v3Problem) problems.push(v3Problem);
  if (!c.accessKeyId) problems.push({ field: 'accessKeyId', message: 'AccessKeyId is required' });
  if (!c.accessKeySecret) problems.push({ field: 'accessKeySecret', message: 'AccessKeySecret is required' });
  try {
    // The settings always; the credentials' shape once both are typed (the two checks above say
    // what is missing).
    const keysGiven = c.accessKeyId && c.accessKeySecret;
    checkConfig(keysGiven ? c : { ...c, accessKeyId: undefined, accessKeySecret: undefined, securityToken: undefined });
  } catch (error) {
    if (error instanceof CasterError && error.field) problems.push({ field: error.field, message: error.message });
    else throw error;
  }
  return problems;
}

function showConnectionProblems(problems) {
  for (const field of ['endpoint', 'regionId', 'accessKeyId', 'accessKeySecret', 'securityToken', 'method', 'signatureAlgorithm', 'proxyToken']) {
    const problem = problems.find((p) => p.field === field);
    $(`#${field}-error`).textContent = problem?.message ?? '';
    $(`#${field}`)?.setAttribute('aria-invalid', problem ? 'true' : 'false');
  }
}

// ---- forms ------------------------------------------------------------------------------------

function sourceType() {
  return $('input[name="sourceType"]:checked', forms.AddCasterVideoResource).value;
}

/** Shows only the fields the chosen source takes. */
function showSourceFields() {
  const source = sourceType();
  for (const field of $$('[data-sources]', forms.AddCasterVideoResource)) {
    field.hidden = !field.dataset.sources.split(' ').includes(source);
  }
}

/** The operation's parameters: every visible, non-empty field, as typed (a list's `k=v, k2=v2` as its items). */
function paramsOf(action) {
  const params = {};
  for (const input of $$('.field:not([hidden]) input', forms[action])) {
    const value = input.value.trim();
    if (value === '') continue;
    if (input.dataset.list) {
      const [first, second] = input.dataset.list.split(' ');
      params[input.name] = value.split(',').map((pair) => {
        const at = pair.indexOf('=');
        return at < 0 ? { [first]: pair.trim() } : { [first]: pair.slice(0, at).trim(), [second]: pair.slice(at + 1).trim() };
      });
    } else {
      params[input.name] = value;
    }
  }
  return params;
}

function showProblems(action, problems) {
  const form = forms[action];
  for (const element of $$('.field .error', form)) element.textContent = '';
  for (const input of $$('.field input', form)) input.setAttribute('aria-invalid', 'false');
  $('#add-source-error').textContent = '';
  const general = [];
  for (const problem of problems) {
    const fieldElement = $(`.field[data-field="${problem.field}"]:not([hidden])`, form);
    if (fieldElement) {
      const error = $('.error', fieldElement);
      if (!error.textContent) error.textContent = problem.message;
      $('input', fieldElement).setAttribute('aria-invalid', 'true');
    } else if (action === 'AddCasterVideoResource' && SOURCES.some((s) => problem.field.includes(s))) {
      $('#add-source-error').textContent = problem.message;
    } else {
      general.push(problem.message);
    }
  }
  $('.form-error', form).textContent = general.join(' ');
}

/** Validates one form as typed; enables its button only when it and the connection are valid. */
function check(action) {
  const problems = validateParams(action, paramsOf(action));
  showProblems(action, problems);
  const connectionOk = connectionProblems().length === 0;
  $('button[type="submit"]', forms[action]).disabled = problems.length > 0 || !connectionOk;
  return problems.length === 0 && connectionOk;
}

function checkAll() {
  showConnectionProblems(connectionProblems());
  for (const action of Object.keys(forms)) check(action);
  inspect(lastEdited);
}

/** A term and its value (text, or an element) at the end of a <dl>. Text is never parsed as HTML. */
function appendTerm(list, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  list.append(dt, dd);
}

// ---- inspector --------------------------------------------------------------------------------

function showSigned(caption, signed) {
  $('#inspector-caption').textContent = caption;
  const list = $('#inspector-fields');
  list.replaceChildren();
  const add = (term, value) => appendTerm(list, term, value);
  if (!signed) return;
  add('Method', signed.method);
  add('URL', signed.url);
  const table = document.createElement('table');
  table.className = 'params';
  for (const [name, value] of Object.entries(signed.params)) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = value;
  }
  add('Parameters', table);
  add('Canonical query', signed.canonicalQuery);
  if (signed.canonicalRequest !== undefined) add('Canonical request', signed.canonicalRequest);
  add('String to sign', signed.stringToSign);
  add('Signature', signed.signature);
}

/** Proxy mode: the JSON request to the worker, its token masked. */
function proxyRequest(action) {
  const base = connection().endpoint.replace(/\/+$/, '');
  return { url: `${base}/v1/${action}`, body: JSON.stringify(paramsOf(action)) };
}

function showProxyRequest(caption, action) {
  $('#inspector-caption').textContent = caption;
  const list = $('#inspector-fields');
  list.replaceChildren();
  const { url, body } = proxyRequest(action);
  appendTerm(list, 'Method', 'POST');
  appendTerm(list, 'URL', url);
  appendTerm(list, 'Headers', 'authorization: Bearer ••••••••\ncontent-type: application/json');
  appendTerm(list, 'Body', body);
}

function inspect(action) {
  if (mode() === 'proxy') {
    showProxyRequest(`${action} via the proxy: the worker validates, signs and forwards it. No AccessKey is in this page.`, action);
    return;
  }
  const c = connection();
  if (!c.accessKeyId || !c.accessKeySecret) {
    showSigned(`${action}: enter an AccessKeyId and AccessKeySecret to see the signed request.`);
    return;
  }
  try {
    const signed = signRequest({ ...c, action, params: paramsOf(action) });
    showSigned(`${action}, as it would be signed now (each send gets a fresh Timestamp and SignatureNonce). The AccessKeySecret is never shown.`, signed);
  } catch (error) {
    showSigned(`${action}: ${error.message}`);
  }
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
  const link = document.createElement('a');
  link.href = url.href;
  link.textContent = text;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

/** What the codes a user can act on mean here, beside the message. */
const MEANINGS = {
  InvalidAccessKeySecret: 'The AccessKeySecret is wrong for this AccessKeyId: the server signed exactly what this page '
    + 'signed, and the signatures still differ. Check the secret.',
  SignatureDoesNotMatch: 'The server signed another string than this page did: the request was changed on the way '
    + '(a proxy re-encoding it?). Compare the inspector\'s string to sign with the server\'s.',
};

function logResult(action, outcome) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  const at = new Date();
  time.dateTime = at.toISOString();
  time.textContent = at.toLocaleTimeString();
  const title = document.createElement('strong');
  title.textContent = ` ${action} `;
  item.append(time, title);
  const details = document.createElement('dl');
  const add = (term, value) => {
    if (value !== undefined && value !== '') appendTerm(details, term, value);
  };
  if (outcome.error) {
    const { error } = outcome;
    item.className = 'failure';
    add('Code', error.code);
    add('Message', error.message);
    add('What it means', MEANINGS[error.code]);
    add('RequestId', error.requestId);
    if (error.recommend) add('Recommend', recommendation(error.recommend));
  } else {
    item.className = 'success';
    // A describe's lists are shown as JSON text (never parsed as HTML).
    for (const [name, value] of Object.entries(outcome.value)) add(name, typeof value === 'object' ? JSON.stringify(value, null, 1) : String(value));
  }
  item.append(details);
  $('#results').prepend(item);
}

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
async function sendViaProxy(action) {
  const { url, body } = proxyRequest(action);
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
    throw { code: String(reply?.Code ?? `HTTP${response.status}`), message: String(reply?.Message ?? ''), requestId: reply?.RequestId };
  }
  return reply;
}

async function submit(action) {
  if (!check(action)) return;
  const form = forms[action];
  const button = $('button[type="submit"]', form);
  button.disabled = true;
  saveSettings();
  if (mode() === 'proxy') {
    try {
      logResult(action, { value: await sendViaProxy(action) });
    } catch (error) {
      logResult(action, { error });
    } finally {
      button.disabled = false;
      check(action);
    }
    showProxyRequest(`${action} via the proxy, as last sent.`, action);
    return;
  }
  const c = connection();
  let sent;
  const client = new CasterClient({
    ...c,
    // Keeps what went out, for the inspector.
    fetch: (url, init) => {
      sent = { url, init };
      return fetch(url, init);
    },
  });
  const call = client[methodOf(action)](paramsOf(action));
  try {
    logResult(action, { value: await call });
    if (action === 'AddCasterVideoResource') {
      // Against the emulator, move LocationId on to the next free position.
      await refreshEmulatorState();
      const caster = emulatorState?.casters?.find((c) => c.casterId === $('#add-CasterId').value.trim());
      const next = caster && freeLocation(caster);
      if (next) $('#add-LocationId').value = next;
    }
  } catch (error) {
    logResult(action, { error: error instanceof CasterError ? error : { code: 'Error', message: String(error?.message ?? error) } });
  } finally {
    button.disabled = false;
    check(action);
  }
  if (sent) showSent(action, c, sent);
}

/** The request that went out, signed again from its own time and nonce: the same bytes. */
function showSent(action, c, sent) {
  const wire = new URLSearchParams(typeof sent.init?.body === 'string' ? sent.init.body : new URL(sent.url).search);
  // V3 carries them in headers; v1 in the parameters.
  const headers = sent.init?.headers ?? {};
  const timestamp = c.signatureAlgorithm === 'v3' ? headers['x-acs-date'] : wire.get('Timestamp');
  const nonce = c.signatureAlgorithm === 'v3' ? headers['x-acs-signature-nonce'] : wire.get('SignatureNonce');
  try {
    const signed = signRequest({ ...c, action, params: paramsOf(action), timestamp: timestamp ?? undefined, nonce: nonce ?? undefined });
    showSigned(`${action}, as last sent (at ${timestamp}). The AccessKeySecret is never shown.`, signed);
  } catch {
    // The form changed since; the live preview will show it.
  }
}

// ---- the emulator -----------------------------------------------------------------------------

async function refreshEmulatorState() {
  const base = connection().endpoint.replace(/\/+$/, '');
  try {
    // A redirect is not ok: no state. The timeout covers the body too.
    const response = await fetch(`${base}/_emulator/state`, { redirect: 'manual', signal: AbortSignal.timeout(STATE_TIMEOUT_MS) });
    if (!response.ok) throw new Error(String(response.status));
    const text = await readCapped(response);
    emulatorState = text === undefined ? undefined : JSON.parse(text); // too large: not the emulator's
  } catch {
    emulatorState = undefined;
  }
  $('#emulator-tools').hidden = !emulatorState;
  if (!emulatorState) return;
  const select = $('#studio');
  const chosen = select.value;
  select.replaceChildren(new Option('choose a studio…', ''));
  for (const caster of emulatorState.casters ?? []) {
    select.add(new Option(`${caster.casterId} (${caster.status}, ${caster.resources.length}/${caster.ingestEndpoints} sources)`, caster.casterId));
  }
  select.value = chosen;
  $('#use-demo-key').hidden = !emulatorState.demoAccessKeyId;
}

function useDemoKey() {
  if (!emulatorState?.demoAccessKeyId) return;
  $('#accessKeyId').value = emulatorState.demoAccessKeyId;
  $('#accessKeySecret').value = DEMO_SECRET;
  checkAll();
}

/** The first layout position the studio has not filled, by the emulator's state. */
function freeLocation(caster) {
  const taken = new Set(caster.resources.map((r) => r.locationId));
  return Array.from({ length: 99 }, (_, i) => `RV${String(i + 1).padStart(2, '0')}`).find((id) => !taken.has(id));
}

function chooseStudio(casterId) {
  const caster = emulatorState?.casters?.find((c) => c.casterId === casterId);
  if (!caster) return;
  const pvw = caster.scenes.find((s) => s.type === 'PVW');
  $('#start-CasterId').value = caster.casterId;
  $('#start-SceneId').value = pvw?.sceneId ?? '';
  $('#add-CasterId').value = caster.casterId;
  $('#add-LocationId').value = freeLocation(caster) ?? 'RV01';
  const fill = (id, value) => { if (!$(id).value) $(id).value = value; };
  fill('#add-ResourceName', 'Camera 1');
  fill('#add-LiveStreamUrl', 'rtmp://example.com/live/camera1');
  fill('#add-VodUrl', 'https://example.com/media/opening.mp4');
  checkAll();
}

// ---- start ------------------------------------------------------------------------------------

async function main() {
  loadSettings();
  showModeFields();
  showSourceFields();
  try {
    await init();
  } catch (error) {
    setStatus(`The signer could not be loaded: ${error.message}`);
    return;
  }
  await refreshEmulatorState();
  if (emulatorState?.demoAccessKeyId && !$('#accessKeySecret').value && (!$('#accessKeyId').value || $('#accessKeyId').value === emulatorState.demoAccessKeyId)) {
    useDemoKey();
  }
  setStatus(emulatorState
    ? `Ready. Connected to the local emulator at ${connection().endpoint}: choose a demo studio to fill the forms.`
    : 'Ready.');

  $('#connection').addEventListener('input', () => {
    showModeFields();
    checkAll();
  });
  $('#connection').addEventListener('change', (event) => {
    if (event.target.id === 'endpoint') refreshEmulatorState().then(checkAll);
  });
  $('#use-demo-key').addEventListener('click', useDemoKey);
  $('#studio').addEventListener('change', (event) => chooseStudio(event.target.value));
  for (const [action, form] of Object.entries(forms)) {
    form.addEventListener('input', () => {
      lastEdited = action;
      if (action === 'AddCasterVideoResource') showSourceFields();
      check(action);
      inspect(action);
    });
    form.addEventListener('focusin', () => {
      if (lastEdited !== action) {
        lastEdited = action;
        inspect(action);
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit(action);
    });
  }
  $('#connection-form').addEventListener('submit', (event) => event.preventDefault());
  checkAll();
}

main();
