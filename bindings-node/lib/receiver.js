'use strict'
// The core's Receiver: the whole receiving policy (verify, deduplicate, what to answer),
// decided in Rust once for every language. Every adapter of this package is I/O around it.

const native = require('./native.js')
const { call, fromNative } = require('./errors.js')
const { Webhook, nativeHeaders, rawBody, nativeOf: webhookNative } = require('./webhook.js')
const { Deduplicator, nativeOf: dedupNative } = require('./dedup.js')

const { NativeReceiver, NativeTicket } = native

/**
 * @typedef {import('../index').Answer} Answer
 * @typedef {import('../index').BeginOptions} BeginOptions
 */

/**
 * A native answer as a frozen plain object.
 * @param {any} a
 * @returns {Answer}
 */
function answerOf(a) {
  return Object.freeze({
    status: a.status,
    body: a.body,
    code: a.code,
    headers: Object.freeze(a.headers.map((/** @type {string[]} */ [name, value]) => Object.freeze([name, value]))),
    logLevel: a.logLevel,
    logMessage: a.logMessage,
  })
}

/**
 * The text of a handler's failure, for the log line (never sent to Palisade).
 * @param {unknown} reason an Error, or anything thrown
 * @returns {string}
 */
function reasonText(reason) {
  if (typeof reason === 'string') return reason
  try {
    if (reason instanceof Error) return `${reason.name}: ${reason.message}`
    return String(reason)
  } catch {
    return 'a value that cannot be shown as text'
  }
}

/**
 * A `{ method, declaredLength }` options object, checked.
 * @param {unknown} options
 * @returns {[string, number | undefined]}
 */
function beginOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const { method = 'POST', declaredLength } = /** @type {any} */ (options)
  if (typeof method !== 'string') throw new TypeError('method must be a string')
  if (declaredLength === undefined || declaredLength === null) return [method, undefined]
  if (typeof declaredLength !== 'number' || !Number.isInteger(declaredLength) || declaredLength < 0) {
    throw new TypeError('declaredLength must be a non-negative integer')
  }
  return [method, declaredLength]
}

/**
 * The right and the duty to settle one delivery: once the handler has run, finish it exactly
 * once with `finishOk()` or `finishFailed(reason)`, and answer what it returns. A second
 * finish throws a `WebhookError` `ERR_TICKET_SETTLED` and changes nothing. A ticket that is
 * garbage-collected unsettled releases its claim, as a failure would.
 */
class Ticket {
  #native

  /** @internal */
  constructor(nativeTicket) {
    if (!(nativeTicket instanceof NativeTicket)) throw new TypeError('tickets come from Receiver.begin()')
    this.#native = nativeTicket
  }

  /** Whether the ticket was finished already. */
  get settled() {
    return this.#native.settled
  }

  /**
   * The handler succeeded: the event is recorded as processed (when the store cannot record
   * it, the answer is still 200 and the log line, at warning level, says so).
   * @returns {Answer}
   */
  finishOk() {
    return answerOf(call(() => this.#native.finishOk()))
  }

  /**
   * The handler failed: the claim is released so Palisade's retry processes the event again;
   * the answer is 500 `ERR_HANDLER_FAILED`. `reason` (an Error or text) goes to the log line
   * only, never to the caller.
   * @param {unknown} reason
   * @returns {Answer}
   */
  finishFailed(reason) {
    const text = reasonText(reason)
    return answerOf(call(() => this.#native.finishFailed(text)))
  }

  /**
   * `finishOk()` with the store call on the libuv thread pool.
   * @returns {Promise<Answer>}
   */
  async finishOkAsync() {
    return answerOf(await call(() => this.#native.finishOkAsync()).catch(rethrow))
  }

  /**
   * `finishFailed(reason)` with the store call on the libuv thread pool.
   * @param {unknown} reason
   * @returns {Promise<Answer>}
   */
  async finishFailedAsync(reason) {
    const text = reasonText(reason)
    return answerOf(await call(() => this.#native.finishFailedAsync(text)).catch(rethrow))
  }
}

/** @param {unknown} e */
function rethrow(e) {
  throw fromNative(e)
}

/**
 * A native begin result as `{ answer }` or `{ event, ticket }`.
 * @param {any} b
 */
function begunOf(b) {
  if (b.answer) return { answer: answerOf(b.answer) }
  return { event: b.event, ticket: new Ticket(b.ticket) }
}

/**
 * A webhook endpoint's whole receiving policy: a `Webhook`, and optionally a `Deduplicator`.
 * Two phases, so your handler runs in JavaScript between them:
 *
 * 1. `begin(body, headers, { method, declaredLength })` → `{ answer }` (refused, duplicate, in
 *    progress, too large, wrong method: send it without running the handler) or
 *    `{ event, ticket }` (run the handler with `event`);
 * 2. `ticket.finishOk()` / `ticket.finishFailed(reason)` → the answer to send.
 *
 * An answer is `{ status, headers, body, code, logLevel, logMessage }`: write the status, the
 * headers and the body exactly, and log `logMessage` at `logLevel`. The `*Async` forms run the
 * same work on the libuv thread pool (use them on a server: store calls do disk or network
 * I/O). The framework adapters of this package do all of this for you.
 */
class Receiver {
  #native
  #webhook
  #deduplicator

  /**
   * @param {Webhook} webhook
   * @param {Deduplicator | null} [deduplicator]
   */
  constructor(webhook, deduplicator = null) {
    if (!(webhook instanceof Webhook)) throw new TypeError('webhook must be a Webhook')
    if (deduplicator !== null && deduplicator !== undefined && !(deduplicator instanceof Deduplicator)) {
      throw new TypeError('deduplicator must be a Deduplicator')
    }
    this.#webhook = webhook
    this.#deduplicator = deduplicator ?? null
    const nativeDedup = this.#deduplicator ? dedupNative(this.#deduplicator) : undefined
    this.#native = call(() => new NativeReceiver(webhookNative(webhook), nativeDedup))
  }

  /** The verifier. */
  get webhook() {
    return this.#webhook
  }

  /** The deduplicator, or null. */
  get deduplicator() {
    return this.#deduplicator
  }

  /**
   * The most body bytes worth reading: read at most one byte more than this (so an oversize
   * body sent without a length is still recognised) and pass what you read.
   */
  get maxBodyBytes() {
    return this.#native.maxBodyBytes
  }

  /**
   * Starts receiving one request. `body` is what was read (at most `maxBodyBytes + 1` bytes);
   * `method` defaults to `'POST'`; `declaredLength` is the request's `Content-Length`, when it
   * sent one (a declared length over the limit is refused without reading the body). Store
   * calls run on this thread: prefer `beginAsync` on a server.
   * @param {Buffer | Uint8Array | ArrayBuffer | string} body
   * @param {object} headers the request headers, in any supported form
   * @param {BeginOptions} [options]
   * @returns {{ answer: Answer } | { event: import('./webhook.js').Event, ticket: Ticket }}
   */
  begin(body, headers, options = {}) {
    const [method, declaredLength] = beginOptions(options)
    const h = nativeHeaders(headers)
    const raw = rawBody(body)
    return begunOf(call(() => this.#native.begin(method, declaredLength, raw, h)))
  }

  /**
   * `begin` on the libuv thread pool (verification and the store's claim included).
   * @param {Buffer | Uint8Array | ArrayBuffer | string} body
   * @param {object} headers
   * @param {BeginOptions} [options]
   * @returns {Promise<{ answer: Answer } | { event: import('./webhook.js').Event, ticket: Ticket }>}
   */
  async beginAsync(body, headers, options = {}) {
    const [method, declaredLength] = beginOptions(options)
    const h = nativeHeaders(headers)
    const raw = rawBody(body)
    return begunOf(await call(() => this.#native.beginAsync(method, declaredLength, raw, h)).catch(rethrow))
  }
}

module.exports = { Receiver, Ticket, reasonText }
