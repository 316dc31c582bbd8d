// The emulator for tests: in this process (createEmulator on 127.0.0.1:0), or its command line
// (emulator/cli.mjs) as a child process, for the tests that kill it, restart it on its state file,
// or read everything it prints.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

import { signRequest } from 'aliyun-caster';
import { createEmulator } from '../../emulator/server.mjs';

/**
 * Starts an emulator in this process on 127.0.0.1:0 with `options` (createEmulator's), logging into
 * `lines`; closed when the test `t` ends, failed or not. `sign(action, params, opts)` signs for it
 * with `key`.
 */
export async function startEmulator(t, { key, ...options } = {}) {
  const lines = [];
  const emulator = createEmulator({ log: (line) => lines.push(line), ...options });
  const port = await emulator.listen(0);
  t.after(() => emulator.close());
  const endpoint = `http://127.0.0.1:${port}`;
  const sign = (action, params, opts = {}) => signRequest({ action, params, ...key, endpoint, ...opts });
  return { emulator, port, endpoint, url: `${endpoint}/`, lines, sign };
}

export const CLI = fileURLToPath(new URL('../../emulator/cli.mjs', import.meta.url));

const ADDRESS = /^aliyun-caster emulator on (http:\/\/127\.0\.0\.1:(\d+)\/)/;

/**
 * The command line for `--config` and `--state` when given, on port 0. `prefix` runs it through
 * another command that then execs node (e.g. `nsenter -t PID -m --`), so the child is the emulator.
 */
function start({ config, state, prefix = [] }) {
  const args = [CLI, '--port', '0'];
  if (config) args.push('--config', config);
  if (state) args.push('--state', state);
  const [command, ...rest] = prefix.length ? [...prefix, process.execPath] : [process.execPath];
  const child = spawn(command, [...rest, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => { child.once('exit', (code, signal) => resolve({ code, signal })); });
  const output = { stdout: '', stderr: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { output.stderr += d; });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => { output.stdout += d; });
  return { child, exited, output };
}

/**
 * Runs the CLI on 127.0.0.1, port 0, with `--config` and `--state` when given; resolves once it
 * has printed its address, to `{ child, url, exited, output }`. Its stdout and stderr are drained
 * all along (the emulator logs every request) and kept in `output` ({ stdout, stderr }).
 */
export function spawnCli({ config, state, prefix } = {}) {
  const { child, exited, output } = start({ config, state, prefix });
  return new Promise((resolve, reject) => {
    let done = false;
    child.stdout.on('data', () => {
      if (done) return;
      const newline = output.stdout.indexOf('\n');
      if (newline < 0) return;
      done = true;
      const first = output.stdout.slice(0, newline);
      const match = ADDRESS.exec(first);
      if (!match) {
        child.kill('SIGKILL');
        reject(new Error(`unexpected first line: ${first}`));
        return;
      }
      resolve({ child, url: match[1], exited, output });
    });
    exited.then(({ code, signal }) => {
      if (!done) reject(new Error(`the emulator exited (${code ?? signal}) before listening: ${output.stderr}`));
    });
  });
}

/**
 * Runs the CLI where it is expected to refuse to start: resolves to `{ code, signal, stdout,
 * stderr, started }` once it exits, or, if it starts listening instead (`started: true`), once it
 * has been killed. Killed after `timeoutMs` whatever it does.
 */
export function runCliToExit({ config, state, prefix, timeoutMs = 10_000 } = {}) {
  const { child, exited, output } = start({ config, state, prefix });
  let started = false;
  child.stdout.on('data', () => {
    if (!started && ADDRESS.test(output.stdout)) {
      started = true;
      child.kill('SIGKILL');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return exited.then(({ code, signal }) => {
    clearTimeout(timer);
    return { code, signal, started, ...output };
  });
}

// ---- raw HTTP, for what fetch would normalise or refuse to send -----------------------------

/** Parses the first HTTP response in `raw` (a latin1 string): status, lower-case headers, body, JSON. */
export function parseResponse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '', raw };
  const [statusLine, ...headerLines] = raw.slice(0, end).split('\r\n');
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? NaN);
  const bytes = Buffer.from(raw.slice(end + 4), 'latin1');
  const body = (Number.isInteger(length) ? bytes.subarray(0, length) : bytes).toString('utf8');
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, json, raw };
}

/**
 * Writes `request` (a string, sent as latin1 bytes, or a Buffer) on a new connection to the
 * emulator and reads until the server closes it or `timeoutMs` passes; the socket is destroyed
 * either way.
 */
export function rawRequest(port, request, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', () => {});
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
  });
}
