// Node, for servers that receive signed requests (the emulator, proxies): everything of the Node
// entry, plus reading a request's parameters and checking its signature with the same core.
export * from './node.mjs';
export { default } from './node.mjs';
export { parseRequestParams, parseTimestamp, verifySignature } from './aliyun_caster.js';
