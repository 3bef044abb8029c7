'use strict'
// The Express, Fastify and Fetch adapters, each over real HTTP on 127.0.0.1 with the real
// framework, through the same scenarios.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { Readable } = require('node:stream')

const express = require('express')
const Fastify = require('fastify')

const {
  Webhook,
  TestSigner,
  Deduplicator,
  RedisStore,
  expressWebhook,
  captureRawBody,
  fastifyWebhook,
  fetchWebhook,
} = require('..')
const { KINDS, newStore, closedPort } = require('./stores.js')

const signer = TestSigner.fromSeed(11)
const LIMIT = 4096
const webhook = new Webhook(signer.publicKeyB64, { maxBodyBytes: LIMIT })

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)))
}

/** Serves a Fetch-API handler over node:http (the way Node-based Fetch runtimes do). */
function fetchServer(handler) {
  return http.createServer(async (req, res) => {
    try {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        for (const v of [].concat(value)) headers.append(name, v)
      }
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        body: hasBody ? Readable.toWeb(req) : undefined,
        duplex: 'half',
      })
      const response = await handler(request)
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch (e) {
      res.writeHead(599)
      res.end(String(e))
    }
  })
}

/**
 * Starts one adapter with a handler that records events; `gate` (when set) makes the handler
 * wait, `fail` makes it throw.
 */
async function start(kind, { deduplicator, setup } = {}) {
  const state = { events: [], gate: null, fail: false, errors: [] }
  const handler = async (event) => {
    state.events.push(event)
    if (state.gate) await state.gate
    if (state.fail) throw new Error('handler failed')
  }
  let url
  let close
  if (kind === 'express') {
    const app = express()
    app.set('env', 'test')
    if (setup) setup(app)
    app.post('/hook', expressWebhook({ webhook, deduplicator, handler }))
    app.post('/json', express.json(), (req, res) => res.json({ got: req.body }))
    const server = http.createServer(app)
    url = await listen(server)
    close = () => new Promise((r) => server.close(r))
  } else if (kind === 'fastify') {
    const app = Fastify()
    await app.register(fastifyWebhook, { prefix: '/hook', webhook, deduplicator, handler })
    app.post('/json', async (request) => ({ got: request.body }))
    url = await app.listen({ port: 0, host: '127.0.0.1' })
    close = () => app.close()
  } else {
    const server = fetchServer(
      fetchWebhook({ webhook, deduplicator, handler, onError: (e) => state.errors.push(e) })
    )
    url = await listen(server)
    close = () => new Promise((r) => server.close(r))
  }
  return { url, close, state }
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', body, headers, duplex: 'half' })
  const text = await res.text()
  let json = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: res.status, json, text }
}

function delivery(resource = { id: `w-${Math.random()}`, updatedAt: '2025-01-01T00:00:00Z' }) {
  return signer.delivery('WALLET', resource)
}

for (const kind of ['express', 'fastify', 'fetch']) {
  test(`${kind}: verified, refused and oversized deliveries`, async (t) => {
    const { url, close, state } = await start(kind)
    t.after(close)
    const hook = `${url}/hook`
    const d = delivery()

    let r = await post(hook, d.body, d.headers)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.json, { status: 'processed' })
    assert.equal(state.events.length, 1)
    assert.equal(state.events[0].idempotencyKey, `WALLET/${JSON.parse(Buffer.from(d.payload, 'base64')).id}/2025-01-01T00:00:00Z`)

    r = await post(hook, d.body, { 'content-type': 'application/json' })
    assert.equal(r.status, 401)
    assert.equal(r.json.error, 'ERR_MISSING_SIGNATURE')

    const forged = TestSigner.fromSeed(99).delivery('WALLET', { id: 'evil' })
    r = await post(hook, forged.body, d.headers)
    assert.equal(r.status, 401)
    assert.equal(r.json.error, 'ERR_INVALID_SIGNATURE')
    assert.ok(!r.text.includes('evil'), 'no payload contents in responses')

    r = await post(hook, d.body, { ...d.headers, signature: 'AAAA' })
    assert.equal(r.status, 401)
    assert.equal(r.json.error, 'ERR_MALFORMED_SIGNATURE')

    r = await post(hook, '{"domain":"WALLET"}', d.headers)
    assert.equal(r.status, 400)
    assert.equal(r.json.error, 'ERR_MALFORMED_ENVELOPE')

    const bigResource = { id: 'big', name: 'x'.repeat(LIMIT) }
    const big = signer.delivery('WALLET', bigResource)
    r = await post(hook, big.body, big.headers)
    assert.equal(r.status, 413)

    // Without Content-Length (chunked): the adapter stops reading past the limit.
    const chunks = [big.body.subarray(0, 1000), big.body.subarray(1000)]
    r = await post(hook, Readable.toWeb(Readable.from(chunks)), { ...big.headers })
    assert.equal(r.status, 413)

    // Signature header in any case; content type irrelevant.
    const d2 = delivery()
    r = await post(hook, d2.body, { 'content-type': 'text/plain', SIGNATURE: d2.signature })
    assert.equal(r.status, 200, r.text)
    assert.equal(state.events.length, 2)

    if (kind !== 'fetch') {
      // The rest of the app still parses JSON normally.
      r = await post(`${url}/json`, '{"a":1}', { 'content-type': 'application/json' })
      assert.deepEqual(r.json, { got: { a: 1 } })
    }
  })

  for (const storeKind of KINDS) {
    test(`${kind}: deduplication statuses (${storeKind} store)`, async (t) => {
      const dedup = new Deduplicator({ store: newStore(storeKind) })
      const { url, close, state } = await start(kind, { deduplicator: dedup })
      t.after(close)
      const hook = `${url}/hook`
      const d = delivery()

      let r = await post(hook, d.body, d.headers)
      assert.equal(r.status, 200)
      assert.deepEqual(r.json, { status: 'processed' })
      r = await post(hook, d.body, d.headers)
      assert.equal(r.status, 200)
      assert.deepEqual(r.json, { status: 'duplicate' })
      assert.equal(state.events.length, 1, 'the handler is not called for a duplicate')

      // In progress: a second delivery of the same event while the first is being handled.
      const d2 = delivery()
      let open
      state.gate = new Promise((resolve) => (open = resolve))
      const first = post(hook, d2.body, d2.headers)
      while (state.events.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
      r = await post(hook, d2.body, d2.headers)
      assert.equal(r.status, 409)
      assert.deepEqual(r.json, { status: 'in_progress' })
      open()
      state.gate = null
      assert.equal((await first).status, 200)

      // A handler error answers 500 and releases the claim: the retry processes the event.
      const d3 = delivery()
      state.fail = true
      r = await post(hook, d3.body, d3.headers)
      assert.equal(r.status, 500)
      state.fail = false
      r = await post(hook, d3.body, d3.headers)
      assert.equal(r.status, 200)
      assert.deepEqual(r.json, { status: 'processed' })
      assert.equal(state.events.length, 4)
      if (kind === 'fetch') assert.equal(state.errors.length, 1)
    })
  }

  test(`${kind}: an unreachable Redis store answers 503`, async (t) => {
    // A real RedisStore whose server cannot be reached (nothing listens on the port).
    const store = new RedisStore(`redis://127.0.0.1:${await closedPort()}/0`, { connectTimeoutMs: 500 })
    const { url, close, state } = await start(kind, { deduplicator: new Deduplicator({ store }) })
    t.after(close)
    const d = delivery()
    const r = await post(`${url}/hook`, d.body, d.headers)
    assert.equal(r.status, 503)
    assert.equal(r.json.error, 'ERR_STORE_UNAVAILABLE')
    assert.equal(state.events.length, 0)
  })
}

test('express: works after express.raw(), express.text() and express.json({ verify: captureRawBody })', async (t) => {
  const setups = [
    (app) => app.use('/hook', express.raw({ type: '*/*' })),
    (app) => app.use('/hook', express.text({ type: '*/*' })),
    (app) => app.use(express.json({ verify: captureRawBody })),
  ]
  for (const setup of setups) {
    const { url, close, state } = await start('express', { setup })
    try {
      const d = delivery()
      const r = await post(`${url}/hook`, d.body, d.headers)
      assert.equal(r.status, 200, r.text)
      assert.equal(state.events.length, 1)
    } finally {
      await close()
    }
  }
})

test('express: a body already parsed by express.json() gives a clear 500', async (t) => {
  const { url, close, state } = await start('express', { setup: (app) => app.use(express.json()) })
  t.after(close)
  const d = delivery()
  const r = await post(`${url}/hook`, d.body, d.headers)
  assert.equal(r.status, 500)
  assert.match(r.text, /ERR_BODY_NOT_RAW|before app\.use\(express\.json\(\)\)/)
  assert.match(r.text, /express\.raw/)
  assert.equal(state.events.length, 0)
  // Deliveries whose content type express.json() ignores still work: the stream is unread.
  const r2 = await post(`${url}/hook`, d.body, { ...d.headers, 'content-type': 'application/octet-stream' })
  assert.equal(r2.status, 200, r2.text)
})

test('adapters check their options', () => {
  for (const make of [expressWebhook, fetchWebhook]) {
    assert.throws(() => make({}), TypeError)
    assert.throws(() => make({ webhook, handler: 'x' }), TypeError)
    assert.throws(() => make({ webhook, handler() {}, deduplicator: {} }), TypeError)
  }
})

test('fastify: bad plugin options fail registration', async () => {
  const app = Fastify()
  await assert.rejects(app.register(fastifyWebhook, { webhook: null, handler() {} }).ready(), TypeError)
})

test('a handler may answer itself', async (t) => {
  const app = express()
  app.post('/hook', expressWebhook({ webhook, handler: (event, req, res) => res.status(202).json({ mine: event.resourceId }) }))
  const server = http.createServer(app)
  const url = await listen(server)
  t.after(() => new Promise((r) => server.close(r)))
  const d = signer.delivery('WALLET', { id: 'w-own' })
  const r = await post(`${url}/hook`, d.body, d.headers)
  assert.equal(r.status, 202)
  assert.deepEqual(r.json, { mine: 'w-own' })

  const f = Fastify()
  await f.register(fastifyWebhook, { webhook, handler: (event, request, reply) => reply.code(202).send({ mine: event.resourceId }) })
  const furl = await f.listen({ port: 0, host: '127.0.0.1' })
  t.after(() => f.close())
  const r2 = await post(furl, d.body, d.headers)
  assert.equal(r2.status, 202)
  assert.deepEqual(r2.json, { mine: 'w-own' })

  const handler = fetchWebhook({ webhook, handler: (event) => new Response(event.resourceId, { status: 202 }) })
  const r3 = await handler(new Request('http://x/hook', { method: 'POST', body: d.body, headers: d.headers }))
  assert.equal(r3.status, 202)
  assert.equal(await r3.text(), 'w-own')
})
