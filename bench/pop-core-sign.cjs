'use strict';
// @alicloud/pop-core's OWN signing code, not a copy of it.
//
// lib/rpc.js keeps its helpers (`encode`, `normalize`, `canonicalize`) module-private and only
// exports the RPCClient class. To reach them we load the installed file through Node's normal
// CommonJS loader with Module.prototype._compile wrapped for that one filename: the wrapper
// appends
//     ;module.exports.__sign = { encode, normalize, canonicalize, kitx };
// to the source before it is compiled. The appended line runs in the module's own scope after
// `module.exports = RPCClient`, so it hands out the very functions (and the very `kitx` instance)
// that RPCClient#request calls. Nothing else in the file is changed; the wrapper is removed again
// at once. If a pop-core upgrade renamed or removed a helper, loading throws a ReferenceError, so
// the benchmark fails loudly instead of timing something else.
const Module = require('node:module');

const rpcPath = require.resolve('@alicloud/pop-core/lib/rpc.js');
const popCoreVersion = require('@alicloud/pop-core/package.json').version;

const originalCompile = Module.prototype._compile;
let RPCClient;
Module.prototype._compile = function compile(content, filename) {
  if (filename === rpcPath) {
    content += '\n;module.exports.__sign = { encode, normalize, canonicalize, kitx };\n';
  }
  return originalCompile.call(this, content, filename);
};
try {
  delete require.cache[rpcPath];
  RPCClient = require(rpcPath);
} finally {
  Module.prototype._compile = originalCompile;
}

const { encode, normalize, canonicalize, kitx } = RPCClient.__sign;

// popCoreSign below replays the signing steps of RPCClient#request in the same order; check that
// the installed request() still contains exactly those steps, so the replay cannot drift.
const requestSource = RPCClient.prototype.request.toString();
for (const step of [
  'const normalized = normalize(params);',
  'const canonicalized = canonicalize(normalized);',
  "const stringToSign = `${method}&${encode('/')}&${encode(canonicalized)}`;",
  "const key = credentials.accessKeySecret + '&';",
  "const signature = kitx.sha1(stringToSign, key, 'base64');",
  "normalized.push(['Signature', encode(signature)]);",
  'opts.data = canonicalize(normalized);',
]) {
  if (!requestSource.includes(step)) {
    throw new Error(`@alicloud/pop-core ${popCoreVersion}: RPCClient#request no longer contains \`${step}\``);
  }
}

/**
 * What RPCClient#request does to sign, given the complete parameter set (Action, Version, Format,
 * AccessKeyId, SignatureMethod, SignatureVersion, SignatureNonce, Timestamp, RegionId and the
 * operation's own): normalize → canonicalize → string to sign → kitx.sha1 → append Signature →
 * canonicalize again (the POST body, or the GET query string).
 */
function popCoreSign(method, params, accessKeySecret) {
  const normalized = normalize(params);
  const canonicalized = canonicalize(normalized);
  const stringToSign = `${method}&${encode('/')}&${encode(canonicalized)}`;
  const key = accessKeySecret + '&';
  const signature = kitx.sha1(stringToSign, key, 'base64');
  normalized.push(['Signature', encode(signature)]);
  const body = canonicalize(normalized);
  return { stringToSign, signature, body };
}

module.exports = { popCoreSign, popCoreVersion, rpcPath };
