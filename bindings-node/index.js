'use strict'
// palisade-webhooks: verify, parse and deduplicate Palisade webhook deliveries.
// The work is done by a native Rust core; this layer converts types and maps errors.

const { WebhookError, ERROR_CODES, httpStatusFor } = require('./lib/errors.js')
const { CODES, ERROR_STATUS, RECEIVER_STATUS } = require('./lib/codes.js')
const { Webhook, Event, verifyWebhook } = require('./lib/webhook.js')
const { Deduplicator, MemoryStore, SqliteStore, RedisStore, Claim } = require('./lib/dedup.js')
const { Receiver, Ticket } = require('./lib/receiver.js')
const { TestSigner, FaultyStore } = require('./lib/testing.js')
const { expressWebhook, captureRawBody } = require('./lib/adapters/express.js')
const { fastifyWebhook } = require('./lib/adapters/fastify.js')
const { fetchWebhook } = require('./lib/adapters/fetch.js')

/** The codes a receiver's answers add to the delivery error codes, in the core's order. */
const ANSWER_CODES = Object.freeze(Object.keys(RECEIVER_STATUS))

module.exports = {
  Webhook,
  Event,
  verifyWebhook,
  WebhookError,
  ERROR_CODES,
  ANSWER_CODES,
  CODES,
  ERROR_STATUS,
  RECEIVER_STATUS,
  httpStatusFor,
  Receiver,
  Ticket,
  Deduplicator,
  MemoryStore,
  SqliteStore,
  RedisStore,
  Claim,
  TestSigner,
  FaultyStore,
  expressWebhook,
  captureRawBody,
  fastifyWebhook,
  fetchWebhook,
}
