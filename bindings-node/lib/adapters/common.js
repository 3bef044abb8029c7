'use strict'
// What every framework adapter shares: option checks and the verify → dedupe → handler flow.
// The adapters themselves only deal with reading raw bytes and writing responses.

const { WebhookError, httpStatusFor } = require('../errors.js')
const { Webhook } = require('../webhook.js')
const { Deduplicator } = require('../dedup.js')

/**
 * @param {string} adapter
 * @param {any} options
 */
function checkOptions(adapter, options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${adapter}: pass { webhook, handler, deduplicator? }`)
  }
  const { webhook, handler, deduplicator } = options
  if (!(webhook instanceof Webhook)) throw new TypeError(`${adapter}: webhook must be a Webhook`)
  if (typeof handler !== 'function') throw new TypeError(`${adapter}: handler must be a function`)
  if (deduplicator !== undefined && deduplicator !== null && !(deduplicator instanceof Deduplicator)) {
    throw new TypeError(`${adapter}: deduplicator must be a Deduplicator`)
  }
  return { webhook, handler, deduplicator: deduplicator || null }
}

/**
 * Verifies, deduplicates and runs the handler. Resolves to what the adapter should answer;
 * rejects only with the handler's own error (after releasing its claim).
 *
 * - refused delivery → `{ kind: 'refused', status: 401 | 400 | 413 | 503 | 500, error }`
 * - handler ran       → `{ kind: 'processed', status: 200, event, result }`
 * - already processed → `{ kind: 'duplicate', status: 200, event }` (handler not called)
 * - being processed   → `{ kind: 'in_progress', status: 409, event }` (handler not called)
 * @param {{ webhook: Webhook, deduplicator: Deduplicator | null }} options
 * @param {unknown} body
 * @param {object} headers
 * @param {(event: any) => unknown} invoke
 */
async function processDelivery(options, body, headers, invoke) {
  let event
  try {
    event = options.webhook.verify(/** @type {any} */ (body), headers)
  } catch (e) {
    if (e instanceof WebhookError) return { kind: 'refused', status: httpStatusFor(e.code), error: e }
    throw e
  }
  if (!options.deduplicator) {
    const result = await invoke(event)
    return { kind: 'processed', status: 200, event, result }
  }
  let handlerFailed = false
  let outcome
  try {
    outcome = await options.deduplicator.process(event, async (ev) => {
      try {
        return await invoke(ev)
      } catch (e) {
        handlerFailed = true
        throw e
      }
    })
  } catch (e) {
    if (!handlerFailed && e instanceof WebhookError) {
      return { kind: 'refused', status: httpStatusFor(e.code), error: e }
    }
    throw e
  }
  if (outcome.status === 'processed') return { kind: 'processed', status: 200, event, result: outcome.result }
  return { kind: outcome.status, status: outcome.status === 'duplicate' ? 200 : 409, event }
}

/** The JSON body of a refusal: the stable code and the message (never payload contents). */
function errorBody(error) {
  return { error: error.code, message: error.message }
}

/**
 * @param {number} size
 * @param {number} limit
 */
function tooLarge(size, limit) {
  return new WebhookError(
    'ERR_BODY_TOO_LARGE',
    `the body is ${size} bytes (Content-Length), over maxBodyBytes = ${limit}`
  )
}

module.exports = { checkOptions, processDelivery, errorBody, tooLarge }
