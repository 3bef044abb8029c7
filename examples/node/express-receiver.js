// A Palisade webhook receiver on Express: verifies, deduplicates and logs one line per delivery.
//
//   PALISADE_PUBLIC_KEY=MFkw... node express-receiver.js [port]     (or PORT=...; default 3000)
//   then POST deliveries to http://127.0.0.1:<port>/webhooks/palisade
//
// The idempotency store: PALISADE_REDIS_URL=redis://host:6379/0 (several instances share it),
// else PALISADE_SQLITE_PATH=/var/lib/app/idempotency.sqlite3 (every process on this host shares
// it, survives restarts), else in memory (this process only).

'use strict'

const express = require('express')
const { Webhook, Deduplicator, MemoryStore, SqliteStore, RedisStore, expressWebhook, httpStatusFor } = require('palisade-webhooks')

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

// One line per delivery outcome (after the response is sent).
app.use('/webhooks/palisade', (req, res, next) => {
  res.on('finish', () => {
    const outcome = res.locals.palisade
    if (outcome) console.log(outcome)
    else console.log(`refused status=${res.statusCode} reason=${res.locals.reason || 'see response'}`)
  })
  const json = res.json.bind(res)
  res.json = (body) => {
    if (body && body.error) res.locals.reason = body.error
    if (body && body.status === 'duplicate') res.locals.palisade = `duplicate status=${res.statusCode}`
    if (body && body.status === 'in_progress') res.locals.palisade = `in_progress status=${res.statusCode}`
    return json(body)
  }
  next()
})

app.post(
  '/webhooks/palisade',
  expressWebhook({
    webhook,
    deduplicator,
    handler: async (event, req, res) => {
      // Route on the typed resource. Do heavy work asynchronously: answer within a few seconds.
      const data = event.data
      let detail
      switch (data.kind) {
        case 'transaction':
          detail = `transaction ${data.id} ${data.status ?? ''} ${data.qty ?? ''}`.trim()
          break
        case 'wallet':
          detail = `wallet ${data.id} ${data.status ?? ''}`.trim()
          break
        case 'approval':
          detail = `approval ${data.id} ${data.status ?? ''}`.trim()
          break
        default:
          detail = `unknown domain ${event.domain}`
      }
      res.locals.palisade = `processed ${detail} key=${event.idempotencyKey}`
    },
  })
)

// Errors passed on by the middleware (a handler that threw, a misconfigured body parser).
/**
 * @param {any} err
 * @param {import('express').Request} req
 * @param {import('express').Response} res
 * @param {import('express').NextFunction} _next
 */
function onError(err, req, res, _next) {
  res.locals.reason = err.code || err.message
  res.status(err.code ? httpStatusFor(err.code) : 500).json({ error: err.code || 'internal_error' })
}
app.use(onError)

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address()
  const actual = address && typeof address === 'object' ? address.port : port
  console.log(`listening on http://127.0.0.1:${actual}/webhooks/palisade (key ${webhook.keyFingerprints[0]}, ${storeName} store)`)
})
