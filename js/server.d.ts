// Types of aliyun-caster/server: the Node entry plus request verification, for servers.
export * from './index.js';
export { default } from './index.js';

/** A received request's parameters, query first then the form body, decoded; a repeated key throws. */
export function parseRequestParams(query: string, body: string): Array<[string, string]>;

/** Checks a received request's v1 signature. `stringToSign` is what the server signed. */
export function verifySignature(method: string, query: string, body: string, accessKeySecret: string): { valid: boolean; stringToSign: string };

/** Seconds since the epoch of a `Timestamp` parameter (or an `x-acs-date` header); throws a CasterError if it is malformed. */
export function parseTimestamp(text: string): number;

/**
 * The parts of a V3 `Authorization` header (`ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`):
 * the names lower-case and sorted. Throws a CasterError with code `IncompleteSignature` if it is malformed.
 */
export function parseAuthorization(header: string): { accessKeyId: string; signedHeaders: string[]; signature: string };

/**
 * Checks a received V3 request. `headers` is every header received, names and values in turn joined
 * by NUL characters (Node: `req.rawHeaders.join('\0')`); `body` the body's bytes (a string is taken as
 * UTF-8). `canonicalRequest` and `stringToSign` are what the server rebuilt (the canonical request
 * holds the signed headers' values, an STS token among them: do not echo it). Throws a CasterError
 * with code `IncompleteSignature` when the Authorization header is malformed or a host, content-type
 * or x-acs-* header is left unsigned.
 */
export function verifySignatureV3(
  method: string, query: string, headers: string, body: string | Uint8Array, accessKeySecret: string,
): { valid: boolean; canonicalRequest: string; stringToSign: string };
