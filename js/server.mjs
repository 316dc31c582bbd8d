// Node, for servers that receive signed requests (the emulator, proxies): everything of the Node
// entry, plus reading a request's parameters and checking its v1 or V3 signature with the same core.
export * from './node.mjs';
export { default } from './node.mjs';
export { parseAuthorization, parseRequestParams, parseTimestamp, verifySignature, verifySignatureV3 } from './aliyun_caster.js';
