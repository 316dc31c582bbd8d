// The operation table: the core declares each operation once (src/operations/), the build hands
// the table to JS (dist/operations.js), and the client, the per-operation signers, the types, the
// worker and the emulator are built from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import * as pkg from '../dist/node.mjs';

const { CasterClient, CasterError, OPERATIONS, signRequest } = pkg;
const root = fileURLToPath(new URL('..', import.meta.url));
const methodName = (action) => action[0].toLowerCase() + action.slice(1);

const CREDENTIALS = { accessKeyId: 'LTAI5tTableTest', accessKeySecret: 'table-test-secret' };
const FIXED = { ...CREDENTIALS, timestamp: '2026-01-02T03:04:05Z', nonce: 'f2b7c2a4-1d3e-4b5f-8a6c-7d8e9f0a1b2c' };
const EXAMPLES = {
  StartCasterScene: { CasterId: 'LIVEPRODUCER_POST-cn-table', SceneId: 'scene-1' },
  AddCasterVideoResource: { CasterId: 'LIVEPRODUCER_POST-cn-table', ResourceName: 'intro', LocationId: 'RV02', VodUrl: 'https://e.example/a.mp4', RepeatNum: -1 },
  DescribeCasters: { PageNum: 1, PageSize: 20, Status: 1, Tag: [{ Key: 'env', Value: 'prod' }, { Key: 'team' }], OwnerId: '1234567890123' },
  DescribeCasterScenes: { CasterId: 'LIVEPRODUCER_POST-cn-table', SceneId: 'scene-1' },
  DescribeCasterVideoResources: { CasterId: 'LIVEPRODUCER_POST-cn-table' },
  ModifyCasterVideoResource: { CasterId: 'LIVEPRODUCER_POST-cn-table', ResourceId: 'r-1', ResourceName: 'renamed' },
  DeleteCasterVideoResource: { CasterId: 'LIVEPRODUCER_POST-cn-table', ResourceId: 'r-1' },
  StopCasterScene: { CasterId: 'LIVEPRODUCER_POST-cn-table', SceneId: 'scene-1' },
};

test('dist/operations.js holds the core\'s table as the Rust crate prints it', () => {
  const printed = spawnSync('cargo', ['run', '--quiet', '--bin', 'operation_table'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(printed.status, 0, printed.stderr);
  assert.deepEqual(OPERATIONS, JSON.parse(printed.stdout));
  assert.ok(Object.isFrozen(OPERATIONS) && OPERATIONS.every((op) => Object.isFrozen(op) && Object.isFrozen(op.params)), 'frozen throughout');
  assert.deepEqual(OPERATIONS.map((op) => op.name), ['StartCasterScene', 'AddCasterVideoResource', 'DescribeCasters', 'DescribeCasterScenes',
    'DescribeCasterVideoResources', 'ModifyCasterVideoResource', 'DeleteCasterVideoResource', 'StopCasterScene']);
  // Retried blindly only when sending twice does what sending once does; the vendor's per-user QPS.
  assert.deepEqual(OPERATIONS.map((op) => [op.idempotent, op.qps]), [
    [true, 10], [false, 10], [true, 15], [true, 15], [true, 15], [false, 10], [false, 10], [true, 10],
  ]);
  const byName = Object.fromEntries(OPERATIONS.map((op) => [op.name, op]));
  assert.deepEqual(byName.StartCasterScene.reply, [{ name: 'StreamUrl', type: 'string' }]);
  assert.deepEqual(byName.ModifyCasterVideoResource.reply.map((f) => f.name), ['CasterId', 'ResourceId']);
  assert.deepEqual(byName.StopCasterScene.reply, []);
  const casters = byName.DescribeCasters.reply;
  assert.deepEqual(casters.map((f) => [f.name, f.type]), [['CasterList', 'object'], ['Total', 'integer']]);
  assert.equal(casters[0].fields[0].name, 'Caster');
  assert.equal(casters[0].fields[0].items.type, 'object');
  const tag = byName.DescribeCasters.params.find((p) => p.name === 'Tag');
  assert.deepEqual([tag.type, tag.members, tag.max], ['list', ['Key', 'Value'], 20]);
  for (const op of OPERATIONS) assert.ok(EXAMPLES[op.name], `an example call of ${op.name} in this test`);
});

test('CasterClient has one sending method per operation, named after it', () => {
  for (const { name } of OPERATIONS) {
    const method = CasterClient.prototype[methodName(name)];
    assert.equal(typeof method, 'function', name);
    assert.equal(method.name, methodName(name));
    assert.equal(Object.getOwnPropertyDescriptor(CasterClient.prototype, methodName(name)).enumerable, false, 'a method, as a class defines one');
  }
});

test('each per-operation signer returns exactly what signRequest returns', () => {
  const variants = [{}, { method: 'GET' }, { signatureAlgorithm: 'v3' }, { securityToken: 'CAIS-table-token', regionId: 'cn-beijing' },
    { endpoint: 'http://127.0.0.1:9', method: 'GET', signatureAlgorithm: 'v3' }];
  let compared = 0;
  for (const { name } of OPERATIONS) {
    const signer = pkg[methodName(name)];
    assert.equal(typeof signer, 'function', `${methodName(name)} is exported`);
    for (const variant of variants) {
      const options = { ...FIXED, ...variant };
      assert.deepEqual(signer(EXAMPLES[name], options), signRequest({ action: name, params: EXAMPLES[name], ...options }), `${name} ${JSON.stringify(variant)}`);
      compared += 1;
    }
  }
  assert.equal(compared, OPERATIONS.length * variants.length);
});

/** What a call returned, or the CasterError it threw: for comparing two calls. */
function outcome(run) {
  try {
    return { value: run() };
  } catch (error) {
    assert.ok(error instanceof CasterError, `a CasterError, not ${error?.name}: ${error?.message}`);
    return { code: error.code, kind: error.kind, field: error.field, message: error.message };
  }
}

/** What a thrown CasterError says, for comparing two of them. */
function thrown(run) {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CasterError, `a CasterError, not ${error?.name}: ${error?.message}`);
    return { code: error.code, kind: error.kind, field: error.field, message: error.message };
  }
  assert.fail('did not throw');
}

test('bad parameters and options give the signer the same CasterError as signRequest', () => {
  const bad = [
    [{ CasterId: '' }, FIXED],
    [{ casterId: 'c', SceneID: 's' }, FIXED],
    ['not an object', FIXED],
    [undefined, FIXED],
    [{ CasterId: 'c', SceneId: 's', LocationId: 'RV00', VodUrl: 'ftp://x/a.avi' }, FIXED],
    [EXAMPLES.StartCasterScene, { ...FIXED, endpoint: 'ftp://example.com' }],
    [EXAMPLES.StartCasterScene, { ...FIXED, signatureAlgorithm: 'V2' }],
    [EXAMPLES.StartCasterScene, { ...FIXED, method: 'PUT' }],
    [EXAMPLES.StartCasterScene, { ...FIXED, regionId: 'CN SHANGHAI' }],
    [EXAMPLES.StartCasterScene, { ...FIXED, timestamp: 'yesterday' }],
    [EXAMPLES.StartCasterScene, { ...FIXED, acessKeyId: 'typo' }],
    [EXAMPLES.StartCasterScene, { accessKeyId: 'LTAI5tTableTest' }],
    [EXAMPLES.StartCasterScene, {}],
  ];
  let refused = 0;
  for (const { name } of OPERATIONS) {
    for (const [params, options] of bad) {
      // Absent params are none, which DescribeCasters (all filters) takes: the same outcome either way.
      const expected = outcome(() => signRequest({ action: name, params, ...options, nonce: FIXED.nonce, timestamp: FIXED.timestamp }));
      assert.deepEqual(outcome(() => pkg[methodName(name)](params, { ...options, nonce: FIXED.nonce, timestamp: FIXED.timestamp })), expected,
        `${name} ${JSON.stringify(params)} ${JSON.stringify(Object.keys(options))}`);
      if (!('value' in expected)) refused += 1;
    }
  }
  assert.ok(refused >= OPERATIONS.length * (bad.length - 1), `${refused} refused`);
});

test('a signer\'s options cannot name another action, and hostile options are a CasterError', () => {
  const secret = CREDENTIALS.accessKeySecret;
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const cases = [
    [{ ...FIXED, action: 'AddCasterVideoResource' }, 'action'],
    [{ ...FIXED, params: { CasterId: 'x' } }, 'params'],
    ['options', 'options'],
    [[FIXED], 'options'],
    [revocable.proxy, 'options'],
    [{ ...FIXED, get endpoint() { throw new Error(`getter ${secret}`); } }, 'endpoint'],
    [new Proxy(FIXED, { ownKeys() { throw new Error('trap'); } }), 'options'],
  ];
  for (const [options, field] of cases) {
    const error = thrown(() => pkg.startCasterScene(EXAMPLES.StartCasterScene, options));
    assert.equal(error.code, 'InvalidParameter.Malformed');
    assert.equal(error.field, field);
    assert.ok(!error.message.includes(secret), 'no secret in the message');
  }
  // Absent options are none: the credentials are then what is missing, as for signRequest.
  assert.deepEqual(thrown(() => pkg.startCasterScene(EXAMPLES.StartCasterScene)),
    thrown(() => signRequest({ action: 'StartCasterScene', params: EXAMPLES.StartCasterScene })));
});

test('js/index.d.ts declares every operation of the table: its method, signer, parameters and reply fields', () => {
  const types = readFileSync(new URL('../js/index.d.ts', import.meta.url), 'utf8');
  const block = (start) => {
    const at = types.indexOf(start);
    assert.ok(at >= 0, `index.d.ts declares ${start}`);
    const end = types.indexOf('\n}', at);
    const union = types.indexOf('\n);', at);
    return types.slice(at, Math.max(end, union > 0 && (end < 0 || union < end + 400) ? union : end));
  };
  const actions = /export type Action =\s*([^;]+);/.exec(types)?.[1] ?? '';
  assert.deepEqual([...actions.matchAll(/'(\w+)'/g)].map((m) => m[1]).sort(), OPERATIONS.map((op) => op.name).sort(), 'the Action union');
  for (const op of OPERATIONS) {
    const method = methodName(op.name);
    assert.match(types, new RegExp(`\\n  ${method}\\(params: ${op.name}Params, options\\?: CallOptions\\): Promise<${op.name}Result>;`), `CasterClient.${method}`);
    assert.match(types, new RegExp(`\\nexport function ${method}\\(params: ${op.name}Params, options: SignOptions\\): SignedRequest;`), `the ${method} signer`);
    assert.match(types, new RegExp(`\\n  ${op.name}: ${op.name}Params;`), `ParamsOf.${op.name}`);
    const result = block(`export interface ${op.name}Result {`);
    // A string is `string`, an integer `number`, an object or a list a type of its own.
    const shape = { string: 'string;', integer: 'number;', object: '\\{|\\w+;', list: '\\w+\\[\\];' };
    for (const field of [{ name: 'RequestId', type: 'string' }, ...op.reply]) {
      assert.match(result, new RegExp(`\\n  ${field.name}: (?:${shape[field.type]})`), `${op.name}Result.${field.name}`);
    }
    assert.equal([...result.matchAll(/\n {2}(\w+): /g)].length, op.reply.length + 1, `${op.name}Result has no other field`);
    const params = op.name === 'AddCasterVideoResource'
      ? types.slice(types.indexOf('interface VideoResourceBase'), types.indexOf('/** A 64-bit integer'))
      : block(`export interface ${op.name}Params {`);
    for (const param of op.params) {
      const declared = new RegExp(`\\b${param.name}(\\??): (string|IntegerLike|LongLike|\\w+\\[\\]|'[^;]+)`).exec(params);
      assert.ok(declared, `${op.name}Params.${param.name} is declared`);
      // A string may be declared as the union of its documented values.
      const expected = { string: /^(string|'.*)$/, integer: /^IntegerLike$/, long: /^LongLike$/, list: /^\w+\[\]$/ }[param.type];
      assert.match(declared[2], expected, `${op.name}.${param.name}'s type`);
      if (param.required) assert.equal(declared[1], '', `${op.name}.${param.name} is required`);
    }
  }
});

test('checkConfig throws the CasterError signing throws for a bad option, and CasterClient checks with it', () => {
  const bad = [
    { endpoint: 'ftp://example.com' }, { endpoint: 'https://u:p@example.com' }, { method: 'PUT' }, { regionId: 'CN SHANGHAI' },
    { signatureAlgorithm: 'V2' }, { accessKeyId: '' }, { accessKeyId: 'LTAI5tTableTest' }, { accessKeyId: 'a b', accessKeySecret: 's' },
    { ...CREDENTIALS, endpoint: 42 }, { ...CREDENTIALS, regionId: 'x'.repeat(9000) },
  ];
  for (const options of bad) {
    const withKeys = options.accessKeyId === undefined ? { ...CREDENTIALS, ...options } : options;
    const expected = thrown(() => signRequest({ action: 'StartCasterScene', params: EXAMPLES.StartCasterScene, ...withKeys }));
    assert.deepEqual(thrown(() => pkg.checkConfig(withKeys)), expected, JSON.stringify(options).slice(0, 80));
    assert.equal(expected.kind, 'config');
    assert.deepEqual(thrown(() => new CasterClient(withKeys)), expected, `CasterClient ${JSON.stringify(options).slice(0, 80)}`);
  }
  assert.equal(pkg.checkConfig({}), undefined, 'nothing given: the defaults are valid; credentials are not checked');
  assert.equal(pkg.checkConfig({ ...CREDENTIALS, endpoint: 'http://127.0.0.1:9', method: 'GET', signatureAlgorithm: 'v3' }), undefined);
  assert.equal(thrown(() => pkg.checkConfig({ action: 'StartCasterScene' })).field, 'action', 'only configuration');
  assert.equal(thrown(() => pkg.checkConfig('https://example.com')).code, 'InvalidParameter.Malformed');
  // A client given its credentials by a function has them checked at each call, not now.
  assert.ok(new CasterClient({ credentials: async () => CREDENTIALS, regionId: 'cn-beijing' }));
  assert.equal(thrown(() => new CasterClient({ credentials: async () => CREDENTIALS, method: 'PUT' })).field, 'method');
});

test('CasterClient and the core suggest the same name for a mistyped configuration option', () => {
  // The client checks its options in JS (a browser may construct it before the core is loaded),
  // the core checks signing's: one edit distance in each language, held to agree here.
  const suggested = (run) => /did you mean "(\w+)"\?/.exec(thrown(run).message)?.[1];
  const typos = ['acessKeyId', 'accessKeySecrt', 'securityTokn', 'regionID', 'regionid', 'endpont', 'Endpoint', 'methd', 'signatureAlgorithem', 'SignatureAlgorithm'];
  for (const typo of typos) {
    const fromCore = suggested(() => pkg.checkConfig({ [typo]: 'x' }));
    assert.ok(fromCore, `the core suggests a name for ${typo}`);
    assert.equal(suggested(() => new CasterClient({ ...CREDENTIALS, [typo]: 'x' })), fromCore, typo);
  }
});
