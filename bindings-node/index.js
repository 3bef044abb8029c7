'use strict'
// palisade-webhooks: verify, parse and deduplicate Palisade webhook deliveries.
// The work is done by a native Rust core; this layer converts types and maps errors.

const { WebhookError, ERROR_CODES, httpStatusFor } = require('./lib/errors.js')
const { Webhook, Event, verifyWebhook } = require('./lib/webhook.js')
const { Deduplicator, MemoryStore, SqliteStore, RedisStore, Claim } = require('./lib/dedup.js')
const { TestSigner } = require('./lib/testing.js')
const { expressWebhook, captureRawBody } = require('./lib/adapters/express.js')
const { fastifyWebhook } = require('./lib/adapters/fastify.js')
const { fetchWebhook } = require('./lib/adapters/fetch.js')

module.exports = {
  Webhook,
  Event,
  verifyWebhook,
  WebhookError,
  ERROR_CODES,
  httpStatusFor,
  Deduplicator,
  MemoryStore,
  SqliteStore,
  RedisStore,
  Claim,
  TestSigner,
  expressWebhook,
  captureRawBody,
  fastifyWebhook,
  fetchWebhook,
}
