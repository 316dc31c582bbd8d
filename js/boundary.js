// The JavaScript half of the wasm boundary: the CasterError class, and the few reads of
// caller-supplied values that may run caller code (getters, proxy traps). The Rust side imports
// these with `catch`, so whatever they throw becomes a CasterError instead of unwinding through wasm.

/** Every failure of every function of this package. Branch on `.code` and `.kind`. */
export class CasterError extends Error {
  /**
   * @param {{ code: string, message: string, kind: "validation"|"config"|"api"|"network"|"timeout",
   *   field?: string, httpStatus?: number, requestId?: string, recommend?: string,
   *   retryable?: boolean, cause?: unknown }} init
   */
  constructor(init) {
    const { code, message, kind, field, httpStatus, requestId, recommend, retryable, cause } = init;
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.kind = kind;
    if (field !== undefined) this.field = field;
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
    if (requestId !== undefined) this.requestId = requestId;
    if (recommend !== undefined) this.recommend = recommend;
    this.retryable = retryable === true;
  }

  toJSON() {
    const { name, code, kind, message, field, httpStatus, requestId, recommend, retryable } = this;
    return { name, code, kind, message, field, httpStatus, requestId, recommend, retryable };
  }
}

Object.defineProperty(CasterError.prototype, 'name', {
  value: 'CasterError', writable: true, enumerable: false, configurable: true,
});

export function makeCasterError(code, kind, message, field) {
  return new CasterError({ code, kind, message, field: field ?? undefined });
}

const toStringTag = Object.prototype.toString;

/** `[object Object]`, `[object Array]`, `[object Map]`, …; may throw for a revoked proxy. */
export function typeTag(value) {
  return toStringTag.call(value);
}

/** Own enumerable string keys; may throw (proxy traps). */
export function ownKeys(value) {
  return Object.keys(value);
}

/** Whether a string has no lone surrogates. */
export function isWellFormed(text) {
  return typeof text.isWellFormed === 'function'
    ? text.isWellFormed()
    : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** The time value of a Date; throws for anything else. */
export function dateValue(value) {
  return Date.prototype.getTime.call(value);
}
