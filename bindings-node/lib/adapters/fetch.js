'use strict'
// Fetch-API handler: `(request: Request) => Promise<Response>`, for Next.js route handlers,
// Hono, Deno-style servers, Cloudflare-like runtimes and anything built on Request/Response.

const { WebhookError } = require('../errors.js')
const { checkOptions, processDelivery, errorBody, tooLarge } = require('./common.js')

/**
 * Reads a Request body, stopping once it exceeds `limit` (the core then refuses it).
 * @param {Request} request
 * @param {number} limit
 * @returns {Promise<Uint8Array | WebhookError>}
 */
async function readBody(request, limit) {
  const declared = Number(request.headers.get('content-length'))
  if (request.headers.has('content-length') && Number.isFinite(declared) && declared > limit) {
    return tooLarge(declared, limit)
  }
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  /** @type {Uint8Array[]} */
  const chunks = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      break
    }
  }
  return Buffer.concat(chunks, size)
}

/**
 * @param {number} status
 * @param {unknown} body
 */
function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/**
 * A Fetch-API webhook handler: `export const POST = fetchWebhook({ webhook, deduplicator, handler })`.
 *
 * Answers 401 / 400 / 413 / 503 for refused deliveries; runs `handler(event, request)` for a
 * verified delivery and returns its `Response` if it gives one, else 200
 * `{ status: 'processed' }`. With a deduplicator: duplicate → 200 without calling the handler,
 * in progress → 409. A handler error releases the claim, is passed to `onError` (default:
 * `console.error`) and answers 500.
 * @param {{ webhook: import('../webhook.js').Webhook, handler: Function, deduplicator?: import('../dedup.js').Deduplicator | null, onError?: (error: unknown) => void }} options
 * @returns {(request: Request) => Promise<Response>}
 */
function fetchWebhook(options) {
  const opts = checkOptions('fetchWebhook', options)
  const onError = typeof options.onError === 'function' ? options.onError : (/** @type {unknown} */ e) => console.error(e)
  return async function palisadeWebhook(request) {
    const body = await readBody(request, opts.webhook.maxBodyBytes)
    if (body instanceof WebhookError) return json(413, errorBody(body))
    try {
      const outcome = await processDelivery(opts, body, request.headers, (event) => opts.handler(event, request))
      if (outcome.kind === 'refused') return json(outcome.status, errorBody(outcome.error))
      if (outcome.kind === 'processed' && outcome.result instanceof Response) return outcome.result
      return json(outcome.status, { status: outcome.kind })
    } catch (e) {
      onError(e)
      return json(500, { error: 'handler_failed', message: 'the webhook handler failed; the delivery will be retried' })
    }
  }
}

module.exports = { fetchWebhook }
