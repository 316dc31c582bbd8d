#!/usr/bin/env node
// aliyun-caster-emulator [--port N] [--config FILE] [--state FILE] [--www DIR]
// A strict local stand-in for https://live.aliyuncs.com on 127.0.0.1.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_WWW_DIR, DEMO_ACCESS_KEY, createEmulator } from './server.mjs';

const usage = 'usage: aliyun-caster-emulator [--port N] [--config FILE] [--state FILE] [--www DIR]';
let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' }, config: { type: 'string' }, state: { type: 'string' }, www: { type: 'string' },
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

let config;
if (values.config) {
  try {
    config = JSON.parse(readFileSync(values.config, 'utf8'));
  } catch (error) {
    console.error(`cannot read --config ${values.config}: ${error.message}`);
    process.exit(2);
  }
}
const wwwDir = values.www ?? (existsSync(DEFAULT_WWW_DIR) ? DEFAULT_WWW_DIR : undefined);

let emulator;
try {
  emulator = createEmulator({ config, stateFile: values.state, wwwDir, log: (line) => console.log(line) });
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const actualPort = await emulator.listen(port).catch((error) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${error.message}`);
  process.exit(1);
});

const base = `http://127.0.0.1:${actualPort}`;
console.log(`aliyun-caster emulator on ${base}/ (API endpoint${wwwDir ? ' and console page' : ''})`);
console.log(`state: ${base}/_emulator/state${values.state ? `, kept in ${values.state}` : ' (in memory)'}`);
if (!config?.accessKeys) {
  console.log(`demo AccessKeyId:     ${DEMO_ACCESS_KEY.accessKeyId}`);
  console.log(`demo AccessKeySecret: ${DEMO_ACCESS_KEY.accessKeySecret}  (accepted only by this emulator)`);
}
if (!config?.casters) {
  for (const caster of emulator.state.snapshot().casters) {
    console.log(`demo studio ${caster.casterId} (${caster.status}, ${caster.ingestEndpoints} ingest endpoints): scenes ${caster.scenes.map((s) => `${s.sceneId} ${s.type}`).join(', ')}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  });
}
