// The vendor's own signature V3, from its npm package @alicloud/openapi-util 0.3.3 (pinned in
// package.json): `getAuthorization`, with the canonical request and string to sign it computes
// captured from inside it (it hands them to its own `hash` and `signatureMethod`, wrapped here for
// the length of one call). It shares no code with the package under test.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default;

export const ALGORITHM = 'ACS3-HMAC-SHA256';

/** `hex(SHA-256(bytes))` as the package computes a payload hash. */
export function vendorPayloadHash(bytes) {
  return OpenApiUtil.hexEncode(OpenApiUtil.hash(Buffer.from(bytes), ALGORITHM));
}

/**
 * Signs with `OpenApiUtil.getAuthorization` for RPC (pathname `/`). `query` maps names to values
 * (strings, or numbers the package stringifies); `headers` are the request's headers as sent,
 * `host` included; `payloadHash` is the `x-acs-content-sha256` value. Returns the
 * Authorization header and the canonical request, string to sign and signature the package hashed.
 */
export function vendorSignV3({ method, query, headers, payloadHash, accessKeyId, accessKeySecret }) {
  const seen = { canonicalRequest: undefined, stringToSign: undefined, signature: undefined };
  const { hash, signatureMethod } = OpenApiUtil;
  OpenApiUtil.hash = function capturedHash(raw, algorithm) {
    // The first hash of a call is the canonical request's.
    if (seen.canonicalRequest === undefined) seen.canonicalRequest = Buffer.from(raw).toString('utf8');
    return hash.call(this, raw, algorithm);
  };
  OpenApiUtil.signatureMethod = function capturedSignature(secret, source, algorithm) {
    const out = signatureMethod.call(this, secret, source, algorithm);
    seen.stringToSign = source;
    seen.signature = OpenApiUtil.hexEncode(out);
    return out;
  };
  try {
    const authorization = OpenApiUtil.getAuthorization({ method, pathname: '/', query, headers }, ALGORITHM, payloadHash,
      accessKeyId, accessKeySecret);
    return { authorization, ...seen };
  } finally {
    OpenApiUtil.hash = hash;
    OpenApiUtil.signatureMethod = signatureMethod;
  }
}

/** The vendor's published V3 example ("fixed parameter values" of its V3 signature page). */
export const DOC_EXAMPLE = Object.freeze({
  input: {
    method: 'POST',
    query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
    headers: {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    accessKeyId: 'YourAccessKeyId',
    accessKeySecret: 'YourAccessKeySecret',
  },
  stringToSign: 'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
  signature: '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
  authorization: 'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;'
    + 'x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
});
