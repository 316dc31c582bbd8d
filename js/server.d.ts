// Types of aliyun-caster/server: the Node entry plus request verification, for servers.
export * from './index.js';
export { default } from './index.js';

/** A received request's parameters, query first then the form body, decoded; a repeated key throws. */
export function parseRequestParams(query: string, body: string): Array<[string, string]>;

/** Checks a received request's v1 signature. `stringToSign` is what the server signed. */
export function verifySignature(method: string, query: string, body: string, accessKeySecret: string): { valid: boolean; stringToSign: string };

/** Seconds since the epoch of a `Timestamp` parameter; throws a CasterError if it is malformed. */
export function parseTimestamp(text: string): number;
