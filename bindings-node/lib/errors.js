'use strict'

const { ERROR_STATUS, TICKET_SETTLED } = require('./codes.js')

/** Every delivery error code, in the core's stable order (the same strings in every language). */
const ERROR_CODES = Object.freeze(Object.keys(ERROR_STATUS))
/** Every code a `WebhookError` carries: the delivery codes and `ERR_TICKET_SETTLED`. */
const WEBHOOK_ERROR_CODES = Object.freeze([...ERROR_CODES, TICKET_SETTLED.code])
const CODE_SET = new Set(WEBHOOK_ERROR_CODES)

/**
 * The one error type of the SDK. `code` is stable across versions and languages; `message`
 * says what to fix; it never quotes unauthenticated input (body, headers, payload contents)
 * and is at most 200 characters.
 */
class WebhookError extends Error {
  /**
   * @param {string} code one of `WebhookError.codes`
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(code, message, options) {
    super(message, options)
    this.code = code
  }

  get name() {
    return 'WebhookError'
  }

  /** Every code a `WebhookError` carries: the delivery codes and `ERR_TICKET_SETTLED`. */
  static get codes() {
    return WEBHOOK_ERROR_CODES
  }
}

// napi statuses that mean "this argument has the wrong type or value".
const ARGUMENT_STATUSES = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
  'ArrayBufferExpected',
])

/**
 * Maps an error thrown by the native addon: a core code becomes a `WebhookError`, an argument
 * of the wrong type a `TypeError`, an option out of its range (a zero or absurd duration) a
 * `RangeError`, a caught Rust panic a plain `Error`. Anything else (an exception thrown by the
 * caller's own getter, say) passes through untouched.
 * @param {unknown} e
 * @returns {unknown}
 */
function fromNative(e) {
  if (!(e instanceof Error) || e instanceof WebhookError || typeof e.code !== 'string') return e
  if (CODE_SET.has(e.code)) return new WebhookError(e.code, e.message)
  if (ARGUMENT_STATUSES.has(e.code)) return new TypeError(e.message)
  if (e.code === 'RangeError') return new RangeError(e.message)
  if (e.code === 'GenericFailure' || e.code === 'InternalError') {
    return new Error(`palisade-webhooks internal error (please report it): ${e.message}`)
  }
  return e
}

/** An error from a native result object `{ code, message }`. */
function fromOutcome(code, message) {
  if (CODE_SET.has(code)) return new WebhookError(code, message)
  return new Error(`palisade-webhooks internal error (please report it): ${message}`)
}

/** Calls `fn`, mapping native errors. */
function call(fn) {
  try {
    return fn()
  } catch (e) {
    throw fromNative(e)
  }
}

/** The error of settling a ticket or a claim twice (the core's code and message). */
function ticketSettled() {
  return new WebhookError(TICKET_SETTLED.code, TICKET_SETTLED.message)
}

/**
 * The HTTP status a receiver should answer for an error code, from the core's table (the same
 * in every language): 401 for a missing, malformed or invalid signature, 400 for a malformed
 * envelope/payload or a stale event, 413 for a body over `maxBodyBytes`, 503 when the
 * idempotency store is unavailable, and 500 for server misconfiguration (a body that is not
 * raw, a bad key) and for anything that is not an error code.
 * @param {string | { code?: unknown }} codeOrError
 * @returns {number}
 */
function httpStatusFor(codeOrError) {
  const code =
    typeof codeOrError === 'string' ? codeOrError : codeOrError && /** @type {any} */ (codeOrError).code
  if (typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code)) return ERROR_STATUS[/** @type {keyof typeof ERROR_STATUS} */ (code)]
  // Not an error code: something went wrong on the receiver's side.
  return 500
}

/**
 * Checks an optional numeric option (undefined / null mean "default").
 * @param {string} name
 * @param {unknown} value
 * @returns {number | undefined}
 */
function optionalNumber(name, value) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name} must be a number`)
  return value
}

module.exports = { WebhookError, ERROR_CODES, fromNative, fromOutcome, call, httpStatusFor, optionalNumber, ticketSettled }
