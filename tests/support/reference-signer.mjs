// An independent signature v1 reference for the tests, written from the contract's section 1 with
// node:crypto only: it shares no code with the package it checks.
import { createHmac } from 'node:crypto';

/** UTF-8 bytes; A-Z a-z 0-9 - _ . ~ kept; every other byte %XX upper-case. */
export function enc(value) {
  let out = '';
  for (const byte of Buffer.from(String(value), 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9\-_.~]$/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Every parameter but Signature, encoded, sorted by encoded key in byte order, joined. */
export function canonicalQuery(params) {
  return Object.entries(params)
    .filter(([key]) => key !== 'Signature')
    .map(([key, value]) => [enc(key), enc(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** `{ canonical, stringToSign, signature }` of `params` for `method` with the AccessKeySecret. */
export function referenceSign(method, params, secret) {
  const canonical = canonicalQuery(params);
  const stringToSign = `${method}&${enc('/')}&${enc(canonical)}`;
  const signature = createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
  return { canonical, stringToSign, signature };
}

/** `k=v&k=v` with strict percent-decoding (a `+` stays a `+`); a repeated key is an error. */
export function decodeForm(text) {
  const out = {};
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const at = piece.indexOf('=');
    const key = decodeURIComponent(at < 0 ? piece : piece.slice(0, at));
    const value = at < 0 ? '' : decodeURIComponent(piece.slice(at + 1));
    if (Object.hasOwn(out, key)) throw new Error(`parameter ${key} sent twice`);
    out[key] = value;
  }
  return out;
}
