// ESM entry point: the same objects as the CommonJS entry (one native addon, one class identity).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const sdk = require('./index.js')

export const {
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
} = sdk
export default sdk
