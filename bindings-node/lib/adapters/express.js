'use strict'
// Express (4 and 5) middleware, I/O around the core's Receiver. It needs the raw body: it uses
// it when express.raw() / express.text() / captureRawBody already kept it, reads the request
// stream itself (bounded) when no body parser consumed it, and otherwise explains how to fix
// the app.

const { WebhookError, httpStatusFor } = require('../errors.js')
const { adapterOptions, declaredLengthOf, readStream, receive } = require('./common.js')

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
 * Writes an answer exactly: status, headers, body bytes.
 * @param {import('node:http').ServerResponse} res
 * @param {import('../../index').Answer} answer
 * @param {boolean} complete whether the whole request body was read
 */
function send(res, answer, complete) {
  if (res.headersSent) return
  res.statusCode = answer.status
  for (const [name, value] of answer.headers) res.setHeader(name, value)
  // The rest of the body was not read: close rather than drain it.
  if (!complete) res.setHeader('Connection', 'close')
  res.end(answer.body)
}

/**
 * Express middleware for a Palisade webhook route; mount it for every method, so a wrong
 * method gets the receiver's 405:
 * `app.all('/webhooks/palisade', expressWebhook({ webhook, deduplicator, handler }))`.
 *
 * Runs `handler(event, req)` for a verified, new delivery and answers what the core's
 * `Receiver` decides (200 processed or duplicate, 409 in progress, 401 / 400 / 413 / 503
 * refusals, 405, 500 `ERR_HANDLER_FAILED` when the handler throws; `docs/receiver.md` has the
 * table). Each answer's log line goes to `logger`. A body already consumed by a JSON parser
 * goes to `next(err)` (a `WebhookError` `ERR_BODY_NOT_RAW` saying how to fix the app).
 * @param {{ webhook?: import('../webhook.js').Webhook, deduplicator?: import('../dedup.js').Deduplicator | null, receiver?: import('../receiver.js').Receiver, handler: Function, logger?: import('../../index').Logger | null }} options
 */
function expressWebhook(options) {
  const adapter = adapterOptions('expressWebhook', options)
  const { receiver, handler } = adapter
  return function palisadeWebhook(/** @type {any} */ req, /** @type {any} */ res, /** @type {Function} */ next) {
    const run = async () => {
      let body = availableBody(req)
      if (body === undefined) {
        // `status` tells Express's error handler which code to answer.
        const error = new WebhookError('ERR_BODY_NOT_RAW', PARSED_MESSAGE)
        throw Object.assign(error, { status: httpStatusFor(error) })
      }
      const declaredLength = declaredLengthOf(req.headers['content-length'])
      let complete = true
      if (body === null) ({ body, complete } = await readStream(req, receiver.maxBodyBytes, declaredLength))
      const answer = await receive(
        adapter,
        { method: req.method, declaredLength, body, headers: req.headers },
        (event) => handler(event, req)
      )
      send(res, answer, complete)
    }
    run().catch(next)
  }
}

module.exports = { expressWebhook, captureRawBody }
