'use strict'
// What every framework adapter shares. An adapter is I/O only: it reads the body (bounded),
// hands it to the core's Receiver, runs the handler, and writes the answer the Receiver
// decided: status, headers and body, byte for byte. No status or body is decided here.

const { Webhook } = require('../webhook.js')
const { Deduplicator } = require('../dedup.js')
const { Receiver } = require('../receiver.js')

/**
 * @typedef {import('../../index').Answer} Answer
 * @typedef {import('../../index').Logger} Logger
 */

/** By default, warnings (refused deliveries, store trouble) and errors (handler failures). */
const DEFAULT_LOGGER = Object.freeze({
  info() {},
  warn: (/** @type {unknown[]} */ ...args) => console.warn(...args),
  error: (/** @type {unknown[]} */ ...args) => console.error(...args),
})

const QUIET = Object.freeze({ info() {}, warn() {}, error() {} })

/**
 * Checks an adapter's options: `{ receiver, handler, logger? }` or
 * `{ webhook, deduplicator?, handler, logger? }`.
 * @param {string} adapter
 * @param {any} options
 * @returns {{ receiver: Receiver, handler: Function, logger: Logger }}
 */
function adapterOptions(adapter, options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${adapter}: pass { webhook, deduplicator?, handler } or { receiver, handler }`)
  }
  const { handler, deduplicator } = options
  if (typeof handler !== 'function') throw new TypeError(`${adapter}: handler must be a function`)
  if (options.onError !== undefined) {
    throw new TypeError(`${adapter}: onError is replaced by logger: a failing handler's error goes to logger.error`)
  }
  let receiver = options.receiver
  if (receiver !== undefined && receiver !== null) {
    if (!(receiver instanceof Receiver)) throw new TypeError(`${adapter}: receiver must be a Receiver`)
    if (options.webhook !== undefined || deduplicator !== undefined) {
      throw new TypeError(`${adapter}: pass either a receiver or a webhook (and deduplicator), not both`)
    }
  } else {
    if (!(options.webhook instanceof Webhook)) throw new TypeError(`${adapter}: webhook must be a Webhook`)
    if (deduplicator !== undefined && deduplicator !== null && !(deduplicator instanceof Deduplicator)) {
      throw new TypeError(`${adapter}: deduplicator must be a Deduplicator`)
    }
    receiver = new Receiver(options.webhook, deduplicator ?? null)
  }
  return { receiver, handler, logger: loggerOf(adapter, options.logger) }
}

/**
 * @param {string} adapter
 * @param {unknown} logger
 * @returns {Logger}
 */
function loggerOf(adapter, logger) {
  if (logger === undefined) return DEFAULT_LOGGER
  if (logger === null) return QUIET
  const l = /** @type {any} */ (logger)
  if (typeof l !== 'object' || !['info', 'warn', 'error'].every((m) => typeof l[m] === 'function')) {
    throw new TypeError(`${adapter}: logger must have info, warn and error methods (console, pino, winston...)`)
  }
  return l
}

/**
 * Logs an answer's line at its level (and, for a handler failure, the error itself).
 * @param {Logger} logger
 * @param {Answer} answer
 * @param {unknown} [error]
 */
function log(logger, answer, error) {
  const method = answer.logLevel === 'error' ? 'error' : answer.logLevel === 'warning' ? 'warn' : 'info'
  if (error === undefined) logger[method](answer.logMessage)
  else logger[method](answer.logMessage, error)
}

/**
 * `Content-Length` as a number, or undefined when absent or not a plain decimal.
 * @param {unknown} value
 * @returns {number | undefined}
 */
function declaredLengthOf(value) {
  const text = Array.isArray(value) ? value[0] : value
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text)) return undefined
  return Number(text)
}

/**
 * Reads a Node stream (an `IncomingMessage`), keeping at most `limit + 1` bytes: enough for the
 * Receiver to recognise an oversize body, whether or not a length was declared. With a
 * declared length over the limit, nothing is read (the Receiver refuses it on the length).
 * `complete` says whether the whole body was read; when it is not, the adapter closes the
 * connection after answering instead of draining the rest.
 * @param {import('node:stream').Readable} stream
 * @param {number} limit `maxBodyBytes`
 * @param {number | undefined} declared
 * @returns {Promise<{ body: Buffer, complete: boolean }>}
 */
function readStream(stream, limit, declared) {
  if (declared !== undefined && declared > limit) return Promise.resolve({ body: Buffer.alloc(0), complete: false })
  if (stream.readableEnded) return Promise.resolve({ body: Buffer.alloc(0), complete: true })
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = []
    let size = 0
    const cleanup = () => {
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onError)
      stream.off('close', onClose)
    }
    const onData = (/** @type {Buffer} */ chunk) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > limit) {
        cleanup()
        stream.pause()
        resolve({ body: Buffer.concat(chunks, size).subarray(0, limit + 1), complete: false })
      }
    }
    const onEnd = () => {
      cleanup()
      resolve({ body: Buffer.concat(chunks, size), complete: true })
    }
    const onError = (/** @type {Error} */ e) => {
      cleanup()
      reject(e)
    }
    // Closed before its end: the client went away mid-body.
    const onClose = () => onError(new Error('the request was closed before its body ended'))
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}

/**
 * Receives one request through the Receiver, off the event loop: begin, the handler, finish.
 * A handler that throws (or rejects) does not escape: the answer is the core's
 * `ERR_HANDLER_FAILED`, and the error goes to the logger with the answer's line.
 * @param {{ receiver: Receiver, logger: Logger }} adapter
 * @param {{ method: string, declaredLength: number | undefined, body: Uint8Array, headers: object }} request
 * @param {(event: import('../webhook.js').Event) => unknown} run calls the user's handler
 * @returns {Promise<Answer>}
 */
async function receive({ receiver, logger }, request, run) {
  const begun = await receiver.beginAsync(request.body, request.headers, {
    method: request.method,
    declaredLength: request.declaredLength,
  })
  if ('answer' in begun) {
    log(logger, begun.answer)
    return begun.answer
  }
  let failure
  try {
    // The handler's return value does not change the answer.
    await run(begun.event)
  } catch (e) {
    failure = { error: e }
  }
  if (failure) {
    const answer = await begun.ticket.finishFailedAsync(failure.error)
    log(logger, answer, failure.error)
    return answer
  }
  const answer = await begun.ticket.finishOkAsync()
  log(logger, answer)
  return answer
}

module.exports = { adapterOptions, declaredLengthOf, readStream, receive }
