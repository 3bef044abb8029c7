'use strict'
// Express (4 and 5) middleware. It needs the raw body: it uses it when express.raw() /
// express.text() / captureRawBody already kept it, reads the request stream itself when no
// body parser consumed it, and otherwise explains how to fix the app.

const { WebhookError } = require('../errors.js')
const { checkOptions, processDelivery, errorBody, tooLarge } = require('./common.js')

/**
 * A `verify` hook for `express.json()` that keeps the raw bytes, so the webhook route works
 * even when `express.json()` is mounted app-wide: `app.use(express.json({ verify: captureRawBody }))`.
 * @param {any} req
 * @param {unknown} _res
 * @param {Buffer} buf
 */
function captureRawBody(req, _res, buf) {
  req.rawBody = buf
}

/**
 * Reads the request stream, stopping once it exceeds `limit` (the core then refuses the body
 * with ERR_BODY_TOO_LARGE, so memory stays bounded).
 * @param {import('node:http').IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<Buffer | WebhookError>}
 */
function readBody(req, limit) {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge(declared, limit))
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = []
    let size = 0
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    const onData = (/** @type {Buffer} */ chunk) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        resolve(Buffer.concat(chunks, size))
      }
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = (/** @type {Error} */ e) => {
      cleanup()
      reject(e)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/**
 * The raw body already available on `req`, `null` when the stream is still unread, or
 * `undefined` when a body parser consumed it without keeping the bytes.
 * @param {any} req
 */
function availableBody(req) {
  const body = req.body
  if (body instanceof Uint8Array || typeof body === 'string') return body
  const raw = req.rawBody
  if (raw instanceof Uint8Array || typeof raw === 'string') return raw
  if (req._body === true || req.readableEnded) return undefined
  return null
}

// Within the 200 characters every refusal message fits in; the README explains more.
const PARSED_MESSAGE =
  'express.json() ran first, so the signed bytes are gone: mount the route before ' +
  "app.use(express.json()), or use express.raw({ type: 'application/json' }) or " +
  'express.json({ verify: captureRawBody })'

/**
 * Express middleware for a Palisade webhook route:
 * `app.post('/webhooks/palisade', expressWebhook({ webhook, deduplicator, handler }))`.
 *
 * Answers 401 (missing/invalid signature), 400 (malformed delivery), 413 (too large),
 * 503 (idempotency store unavailable); runs `handler(event, req, res)` for a verified delivery
 * and answers 200 `{ status: 'processed' }` unless the handler responded itself. With a
 * deduplicator: a duplicate answers 200 without calling the handler, an event being processed
 * elsewhere 409; a handler error releases the claim and goes to `next(err)` (Express answers 500).
 * @param {{ webhook: import('../webhook.js').Webhook, handler: Function, deduplicator?: import('../dedup.js').Deduplicator | null }} options
 */
function expressWebhook(options) {
  const opts = checkOptions('expressWebhook', options)
  return function palisadeWebhook(/** @type {any} */ req, /** @type {any} */ res, /** @type {Function} */ next) {
    const run = async () => {
      let body = availableBody(req)
      if (body === undefined) {
        // `status` tells Express's error handler which code to answer.
        throw Object.assign(new WebhookError('ERR_BODY_NOT_RAW', PARSED_MESSAGE), { status: 500 })
      }
      if (body === null) body = await readBody(req, opts.webhook.maxBodyBytes)
      if (body instanceof WebhookError) {
        res.set('Connection', 'close')
        res.status(413).json(errorBody(body))
        return
      }
      const outcome = await processDelivery(opts, body, req.headers, (event) => opts.handler(event, req, res))
      if (outcome.kind === 'refused') {
        if (outcome.status === 413) res.set('Connection', 'close')
        res.status(outcome.status).json(errorBody(outcome.error))
        return
      }
      if (res.headersSent) return
      res.status(outcome.status).json({ status: outcome.kind })
    }
    run().catch(next)
  }
}

module.exports = { expressWebhook, captureRawBody }
