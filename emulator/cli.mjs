#!/usr/bin/env node
// aliyun-caster-emulator [--port N] [--config FILE] [--state FILE] [--www DIR] [--cors gateway|open]
// A strict local stand-in for https://live.aliyuncs.com on 127.0.0.1. Exits 2 when it cannot
// start: a bad option, config or state file, or a state file another emulator holds.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CORS_POLICIES, DEFAULT_WWW_DIR, DEMO_ACCESS_KEY, createEmulator } from './server.mjs';
import { MAX_STATE_BYTES, readFileLimited } from './state.mjs';

const usage = `usage: aliyun-caster-emulator [--port N] [--config FILE] [--state FILE] [--www DIR] [--cors gateway|open]
  --config FILE  access keys and studios (JSON; at most ${MAX_STATE_BYTES} bytes)
  --state FILE   keep the state in FILE across restarts: every change is on disk before it is
                 acknowledged. FILE is locked while the emulator runs (FILE.lock). With --config,
                 an existing FILE must hold the config's studios; remove it to start afresh.
  --cors gateway|open
                 gateway (the default): CORS as the real endpoint answers it. Pages of other
                 origins can send v1 requests and read their bodies, but not V3 requests (their
                 preflight fails) nor any reply header. open: any page may send V3, and Date,
                 x-acs-request-id and the retry headers are exposed.`;
let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' }, config: { type: 'string' }, state: { type: 'string' }, www: { type: 'string' },
      cors: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const port = Number(values.port ?? process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535\n${usage}`);
  process.exit(2);
}

if (values.cors !== undefined && !CORS_POLICIES.includes(values.cors)) {
  console.error(`--cors must be "gateway" or "open"\n${usage}`);
  process.exit(2);
}

let config;
if (values.config) {
  let text;
  try {
    text = readFileLimited(values.config, MAX_STATE_BYTES, '--config');
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  if (text === undefined) {
    console.error(`cannot read --config ${values.config}: ENOENT`);
    process.exit(2);
  }
  try {
    config = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which holds the access key secrets.
    console.error(`--config ${values.config} is not valid JSON`);
    process.exit(2);
  }
}
const wwwDir = values.www ?? (existsSync(DEFAULT_WWW_DIR) ? DEFAULT_WWW_DIR : undefined);

// The first line printed is the address (tools wait for it): what is logged while starting
// (leftovers removed next to the state file) follows it.
let starting = [];
const log = (line) => { if (starting) starting.push(line); else console.log(line); };
// Studios read back from an existing state file are the user's own from an earlier run, not demo ones.
const restored = values.state !== undefined && existsSync(values.state);
let emulator;
try {
  emulator = createEmulator({ config, configFile: values.config, stateFile: values.state, wwwDir, log, cors: values.cors });
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
// Before the address is printed: whoever read it may stop the emulator at once, and a stop writes
// what is pending and releases the state file's lock.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  });
}
const actualPort = await emulator.listen(port).catch(async (error) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${error.message}`);
  await emulator.close().catch(() => {}); // releases the state file's lock
  process.exit(1);
});

const base = `http://127.0.0.1:${actualPort}`;
console.log(`aliyun-caster emulator on ${base}/ (API endpoint${wwwDir ? ' and console page' : ''})`);
console.log(`state: ${base}/_emulator/state${values.state ? `, kept in ${values.state}` : ' (in memory)'}`);
if (values.cors === 'open') console.log('CORS: open (pages of any origin may send V3 and read every reply header; the real endpoint does not allow that)');
if (!config?.accessKeys) {
  console.log(`demo AccessKeyId:     ${DEMO_ACCESS_KEY.accessKeyId}`);
  console.log(`demo AccessKeySecret: ${DEMO_ACCESS_KEY.accessKeySecret}  (accepted only by this emulator)`);
}
if (!config?.casters) {
  for (const caster of emulator.state.snapshot().casters) {
    const label = restored ? `studio ${caster.casterId} (restored from ${values.state};` : `demo studio ${caster.casterId} (`;
    console.log(`${label}${caster.status}, ${caster.ingestEndpoints} ingest endpoints): scenes ${caster.scenes.map((s) => `${s.sceneId} ${s.type}`).join(', ')}`);
  }
}
for (const line of starting) console.log(line);
starting = undefined;
