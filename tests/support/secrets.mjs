// Helpers for proving that secrets stay secret: every form a secret could take in a text, the
// texts of an error, and a capture of everything a process prints while a test runs.
import { inspect } from 'node:util';
import { enc } from './reference-signer.mjs';

/** The common parameters whose values never vary (contract section 1). */
export const COMMON_PARAMS = Object.freeze({
  Version: '2016-11-01', Format: 'JSON', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
});

/** A secret as it could appear in a text: raw, percent-encoded once or twice, base64, JSON-escaped. */
export function secretForms(secret) {
  return [...new Set([
    secret, encodeURIComponent(secret), enc(secret), enc(enc(secret)), encodeURIComponent(encodeURIComponent(secret)),
    Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1),
  ])];
}

/** Every text of an error a program could print or send: message, stack, JSON, String, inspect. */
export function errorTexts(error) {
  const texts = [
    ['message', error?.message], ['stack', error?.stack], ['String()', String(error)], ['JSON.stringify', JSON.stringify(error)],
    ['toJSON', JSON.stringify(error?.toJSON?.())], ['inspect', inspect(error, { depth: 10, showHidden: true })],
  ];
  for (const key of Reflect.ownKeys(error ?? {})) {
    if (key === 'cause') continue; // the caller's own error, kept as given: see docs/security.md
    const value = error[key];
    texts.push([`.${String(key)}`, value !== null && typeof value === 'object' ? inspect(value, { depth: 10 }) : String(value)]);
  }
  return texts.map(([where, text]) => [where, String(text)]);
}

/**
 * Records everything written to stdout and stderr and every console call from `start()` until
 * `stop()`; returns the recorded texts. The output still goes where it went.
 */
export function captureOutput() {
  const texts = [];
  const saved = [];
  return {
    texts,
    start() {
      for (const stream of [process.stdout, process.stderr]) {
        const write = stream.write;
        saved.push([stream, 'write', write]);
        stream.write = function capture(chunk, ...rest) {
          texts.push(String(chunk));
          return write.call(this, chunk, ...rest);
        };
      }
      for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir']) {
        const original = console[name];
        saved.push([console, name, original]);
        console[name] = function capture(...args) {
          texts.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10, showHidden: true }))).join(' '));
          return original.apply(this, args);
        };
      }
    },
    stop() {
      for (const [target, name, original] of saved.splice(0)) target[name] = original;
      return texts;
    },
  };
}

/** The first form of any of `secrets` (or a `fragments` word) found in `text`, or undefined. */
export function findSecret(text, secrets, fragments = []) {
  const lower = String(text).toLowerCase();
  for (const secret of secrets) {
    for (const form of secretForms(secret)) if (String(text).includes(form)) return form;
  }
  return fragments.find((fragment) => lower.includes(fragment.toLowerCase()));
}
