'use strict'
// Fastify (4 and 5) plugin, I/O around the core's Receiver. Registered as an encapsulated
// plugin: its content-type parser (every type, the raw bytes, bounded) applies to the webhook
// route only; the rest of the app keeps its own parsers.

const { adapterOptions, declaredLengthOf, readStream, receive } = require('./common.js')

/** Where the parser leaves what it read (a request decoration would be app-wide). */
const kRead = Symbol('palisade-webhooks.read')

/**
 * Fastify plugin for a Palisade webhook route:
 * `app.register(fastifyWebhook, { prefix: '/webhooks/palisade', webhook, deduplicator, handler })`
 * (the route is `<prefix><path>`, `path` defaulting to `/`, for every method so a wrong method
 * gets the receiver's 405).
 *
 * The plugin reads the body itself, bounded by `maxBodyBytes + 1`, so an oversize body gets
 * the receiver's 413 (not Fastify's own `FST_ERR_CTP_BODY_TOO_LARGE`). Runs
 * `handler(event, request)` for a verified, new delivery and answers what the core's
 * `Receiver` decides (`docs/receiver.md` has the table); a handler that throws gets the core's
 * 500 `ERR_HANDLER_FAILED`, and its error goes to `logger`.
 * @param {any} fastify
 * @param {{ webhook?: import('../webhook.js').Webhook, deduplicator?: import('../dedup.js').Deduplicator | null, receiver?: import('../receiver.js').Receiver, handler: Function, logger?: import('../../index').Logger | null, path?: string }} options
 * @param {(err?: Error) => void} done
 */
function fastifyWebhook(fastify, options, done) {
  let adapter
  try {
    adapter = adapterOptions('fastifyWebhook', options)
  } catch (e) {
    done(/** @type {Error} */ (e))
    return
  }
  const { receiver, handler } = adapter
  const path = options.path === undefined ? '/' : options.path
  // Scoped to this plugin: every content type (or none) arrives as the raw bytes.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', async (/** @type {any} */ request, /** @type {any} */ payload) => {
    const declaredLength = declaredLengthOf(request.headers['content-length'])
    return { [kRead]: await readStream(payload, receiver.maxBodyBytes, declaredLength) }
  })
  fastify.all(path, async (/** @type {any} */ request, /** @type {any} */ reply) => {
    const read = request.body && request.body[kRead]
    // No body at all (a GET, say) leaves the parser out.
    const { body, complete } = read || { body: Buffer.alloc(0), complete: true }
    const answer = await receive(
      adapter,
      {
        method: request.method,
        declaredLength: declaredLengthOf(request.headers['content-length']),
        body,
        headers: request.headers,
      },
      (event) => handler(event, request)
    )
    reply.code(answer.status)
    for (const [name, value] of answer.headers) reply.header(name, value)
    // The rest of the body was not read: close rather than drain it.
    if (!complete) reply.header('connection', 'close')
    // Bytes, not a string: Fastify would add a charset to the Content-Type of a string.
    return reply.send(Buffer.from(answer.body, 'utf8'))
  })
  done()
}

module.exports = { fastifyWebhook }
