'use strict'
// Fastify (4 and 5) plugin. Registered as an encapsulated plugin, its raw-body content-type
// parser applies to the webhook route only; the rest of the app keeps its JSON parser.

const { checkOptions, processDelivery, errorBody } = require('./common.js')

/**
 * Fastify plugin for a Palisade webhook route:
 * `app.register(fastifyWebhook, { prefix: '/webhooks/palisade', webhook, deduplicator, handler })`
 * (the route is `POST <prefix><path>`, `path` defaulting to `/`).
 *
 * Answers 401 / 400 / 413 / 503 for refused deliveries; runs `handler(event, request, reply)`
 * for a verified delivery and answers 200 `{ status: 'processed' }` unless the handler replied
 * itself. With a deduplicator: duplicate → 200 without calling the handler, in progress → 409,
 * handler error → claim released and the error thrown to Fastify (500).
 * @param {any} fastify
 * @param {{ webhook: import('../webhook.js').Webhook, handler: Function, deduplicator?: import('../dedup.js').Deduplicator | null, path?: string }} options
 * @param {(err?: Error) => void} done
 */
function fastifyWebhook(fastify, options, done) {
  let opts
  try {
    opts = checkOptions('fastifyWebhook', options)
  } catch (e) {
    done(/** @type {Error} */ (e))
    return
  }
  const path = options.path === undefined ? '/' : options.path
  // Scoped to this plugin: every content type arrives as the raw bytes, bounded by maxBodyBytes.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: opts.webhook.maxBodyBytes },
    (/** @type {unknown} */ _req, /** @type {Buffer} */ body, /** @type {Function} */ next) => next(null, body)
  )
  fastify.post(path, async (/** @type {any} */ request, /** @type {any} */ reply) => {
    const body = request.body === undefined || request.body === null ? Buffer.alloc(0) : request.body
    const outcome = await processDelivery(opts, body, request.headers, (event) => opts.handler(event, request, reply))
    if (outcome.kind === 'refused') return reply.code(outcome.status).send(errorBody(outcome.error))
    if (reply.sent) return reply
    return reply.code(outcome.status).send({ status: outcome.kind })
  })
  done()
}

module.exports = { fastifyWebhook }
