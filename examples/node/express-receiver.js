// A Palisade webhook receiver on Express: verifies, deduplicates and logs one line per delivery.
// What it answers (status and body) is decided by the SDK's receiver, the same in every language.
//
//   PALISADE_PUBLIC_KEY=MFkw... node express-receiver.js [port]     (or PORT=...; default 3000)
//   then POST deliveries to http://127.0.0.1:<port>/webhooks/palisade
//
// The idempotency store: PALISADE_REDIS_URL=redis://host:6379/0 (several instances share it),
// else PALISADE_SQLITE_PATH=/var/lib/app/idempotency.sqlite3 (every process on this host shares
// it, survives restarts), else in memory (this process only).

'use strict'

const express = require('express')
const { Webhook, Deduplicator, MemoryStore, SqliteStore, RedisStore, expressWebhook } = require('palisade-webhooks')

const publicKey = process.env.PALISADE_PUBLIC_KEY
if (!publicKey) {
  console.error(
    'PALISADE_PUBLIC_KEY is not set: export the public key shown for this webhook in the Palisade ' +
      'console (base64, starts with MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE)'
  )
  process.exit(2)
}
const port = Number(process.argv[2] || process.env.PORT || 3000)

const webhook = new Webhook(publicKey)
const redisUrl = process.env.PALISADE_REDIS_URL
const sqlitePath = process.env.PALISADE_SQLITE_PATH
const store = redisUrl ? new RedisStore(redisUrl) : sqlitePath ? new SqliteStore(sqlitePath) : new MemoryStore()
const storeName = redisUrl ? 'redis' : sqlitePath ? 'sqlite' : 'memory'
const deduplicator = new Deduplicator({ store })

const app = express()

// One line per delivery: the receiver's own line (processed / duplicate / rejected ..., with the
// idempotency key, never payload contents) on stdout; a failing handler's error on stderr.
const logger = {
  info: (/** @type {string} */ line) => console.log(line),
  warn: (/** @type {string} */ line) => console.log(line),
  error: (/** @type {string} */ line, /** @type {unknown[]} */ ...error) => console.error(line, ...error),
}

// Every method: a wrong one gets the receiver's 405.
app.all(
  '/webhooks/palisade',
  expressWebhook({
    webhook,
    deduplicator,
    logger,
    handler: async (event) => {
      // Route on the typed resource. Do heavy work asynchronously: answer within a few seconds.
      const data = event.data
      switch (data.kind) {
        case 'transaction':
          console.log(`transaction ${data.id} ${data.status ?? ''} ${data.qty ?? ''}`.trim())
          break
        case 'wallet':
          console.log(`wallet ${data.id} ${data.status ?? ''}`.trim())
          break
        case 'approval':
          console.log(`approval ${data.id} ${data.status ?? ''}`.trim())
          break
        default:
          console.log(`unknown domain ${event.domain}`)
      }
    },
  })
)

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address()
  const actual = address && typeof address === 'object' ? address.port : port
  console.log(`listening on http://127.0.0.1:${actual}/webhooks/palisade (key ${webhook.keyFingerprints[0]}, ${storeName} store)`)
})
