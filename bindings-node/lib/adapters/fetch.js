'use strict'
// Fetch-API handler: `(request: Request) => Promise<Response>`, for Next.js route handlers,
// Hono, Deno-style servers, Cloudflare-like runtimes and anything built on Request/Response.
// I/O around the core's Receiver.

const { adapterOptions, declaredLengthOf, receive } = require('./common.js')

/**
 * Reads a Request body, keeping at most `limit + 1` bytes (enough for the Receiver to
 * recognise an oversize body, with or without a declared length); with a declared length over
 * the limit, nothing is read.
 * @param {Request} request
 * @param {number} limit `maxBodyBytes`
 * @param {number | undefined} declared
 * @returns {Promise<Uint8Array>}
 */
async function readBody(request, limit, declared) {
  if (!request.body) return new Uint8Array(0)
  if (declared !== undefined && declared > limit) {
    await request.body.cancel().catch(() => {})
    return new Uint8Array(0)
  }
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
  return Buffer.concat(chunks, size).subarray(0, limit + 1)
}

/**
 * A Fetch-API webhook handler: `const handle = fetchWebhook({ webhook, deduplicator, handler })`,
 * then `export const POST = handle` (Next.js) or `app.all('/webhooks/palisade', (c) => handle(c.req.raw))` (Hono).
 *
 * Runs `handler(event, request)` for a verified, new delivery and answers what the core's
 * `Receiver` decides (`docs/receiver.md` has the table); the handler's return value does not
 * change the answer. A handler that throws gets the core's 500 `ERR_HANDLER_FAILED`, and its
 * error goes to `logger`.
 * @param {{ webhook?: import('../webhook.js').Webhook, deduplicator?: import('../dedup.js').Deduplicator | null, receiver?: import('../receiver.js').Receiver, handler: Function, logger?: import('../../index').Logger | null }} options
 * @returns {(request: Request) => Promise<Response>}
 */
function fetchWebhook(options) {
  const adapter = adapterOptions('fetchWebhook', options)
  const { receiver, handler } = adapter
  return async function palisadeWebhook(request) {
    const declaredLength = declaredLengthOf(request.headers.get('content-length') ?? undefined)
    const body = await readBody(request, receiver.maxBodyBytes, declaredLength)
    const answer = await receive(
      adapter,
      { method: request.method, declaredLength, body, headers: request.headers },
      (event) => handler(event, request)
    )
    return new Response(answer.body, { status: answer.status, headers: answer.headers.map(([n, v]) => [n, v]) })
  }
}

module.exports = { fetchWebhook }
