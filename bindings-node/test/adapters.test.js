'use strict'
// The Express, Fastify and Fetch adapters over real HTTP on 127.0.0.1: every case of
// tests/vectors/receiver.json (the same answers, byte for byte, as every receiver in every
// language), then what is particular to each framework, and the wiring to real stores.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const express = require('express')

const {
  Webhook,
  TestSigner,
  Deduplicator,
  MemoryStore,
  RedisStore,
  FaultyStore,
  Receiver,
  expressWebhook,
  captureRawBody,
  fastifyWebhook,
  fetchWebhook,
} = require('..')
const { newStore, closedPort } = require('./stores.js')
const { ADAPTERS, serve, send } = require('./http.js')

const VECTORS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', 'receiver.json'), 'utf8'))

/** A logger that keeps every line: `[level, message, ...rest]`. */
function recorder() {
  /** @type {any[][]} */
  const lines = []
  return {
    lines,
    logger: {
      info: (/** @type {any[]} */ ...a) => lines.push(['info', ...a]),
      warn: (/** @type {any[]} */ ...a) => lines.push(['warning', ...a]),
      error: (/** @type {any[]} */ ...a) => lines.push(['error', ...a]),
    },
  }
}

test('the receiver vectors are all there', () => {
  assert.ok(VECTORS.cases.length >= 15, `only ${VECTORS.cases.length} cases`)
})

for (const kind of ADAPTERS) {
  for (const c of VECTORS.cases) {
    test(`${kind}: receiver vector ${c.name}`, async (t) => {
      const webhook = new Webhook(VECTORS.keys, { maxBodyBytes: VECTORS.max_body_bytes })
      const deduplicator = c.deduplicator
        ? new Deduplicator({ store: new FaultyStore(new MemoryStore(), c.store_fails_at) })
        : null
      const receiver = new Receiver(webhook, deduplicator)
      let mode = 'ok'
      let runs = 0
      const handler = async () => {
        runs++
        if (mode === 'fail') throw new Error('the test handler failed')
      }
      const { lines, logger } = recorder()
      const { url, close } = await serve(kind, { receiver, handler, logger })
      t.after(close)

      for (const [i, step] of c.steps.entries()) {
        const label = `${c.name}#${i}`
        const r = step.request
        const body = Buffer.from(r.body_b64, 'base64')
        assert.equal(body.toString('utf8'), r.body, `${label}: body and body_b64 agree`)
        // Another worker holds the event until this request is answered.
        let held = null
        if (step.hold) {
          held = receiver.begin(body, r.headers, { declaredLength: r.send_length ? body.length : undefined })
          assert.ok(held.ticket, `${label}: the holding delivery is processed`)
        }
        mode = step.handler
        const before = runs
        const linesBefore = lines.length
        const res = await send(`${url}/hook`, { method: r.method, headers: r.headers, body, sendLength: r.send_length })
        if (held) held.ticket.finishOk()

        const expect = step.expect
        assert.equal(res.status, expect.status, `${label}: status (${res.body})`)
        assert.deepEqual(res.body, Buffer.from(expect.body, 'utf8'), `${label}: body bytes`)
        const json = JSON.parse(res.body.toString('utf8'))
        assert.equal(json.status ?? json.error, expect.code, `${label}: code`)
        assert.equal(res.headers['content-type'], 'application/json', `${label}: content type`)
        assert.equal(res.headers.allow, expect.status === 405 ? 'POST' : undefined, `${label}: Allow`)
        assert.equal(runs - before, expect.handler_runs ? 1 : 0, `${label}: handler runs`)
        assert.equal(lines.length - linesBefore, 1, `${label}: one log line per answer`)
      }
    })
  }
}

const signer = TestSigner.fromSeed(11)
const LIMIT = 4096
const webhook = new Webhook(signer.publicKeyB64, { maxBodyBytes: LIMIT })

/** @param {string} id */
function delivery(id) {
  return signer.delivery('WALLET', { id, updatedAt: '2025-01-01T00:00:00Z' })
}

/** @param {Record<string, string>} headers */
function pairs(headers) {
  return /** @type {[string, string][]} */ (Object.entries(headers))
}

for (const kind of ADAPTERS) {
  test(`${kind}: log lines, the handler's error and its arguments`, async (t) => {
    const { lines, logger } = recorder()
    /** @type {any[]} */
    const calls = []
    const failure = new Error('boom: not for the caller')
    const { url, close } = await serve(kind, {
      webhook,
      deduplicator: new Deduplicator(),
      logger,
      handler: async (/** @type {any[]} */ ...args) => {
        calls.push(args)
        if (args[0].resourceId === 'w-fail') throw failure
        // A return value (even a Response) does not change the answer.
        return new Response('mine', { status: 202 })
      },
    })
    t.after(close)

    const ok = delivery('w-ok')
    let r = await send(`${url}/hook`, { headers: pairs(ok.headers), body: ok.body })
    assert.equal(r.status, 200)
    assert.equal(r.body.toString(), '{"status":"processed"}')
    assert.equal(calls.length, 1)
    assert.equal(calls[0][0].resourceId, 'w-ok')
    assert.equal(calls[0].length, 2, 'handler(event, request)')
    assert.deepEqual(lines.at(-1)?.slice(0, 1), ['info'])
    assert.match(lines.at(-1)?.[1], /^processed 200 WALLET /)

    const bad = delivery('w-fail')
    r = await send(`${url}/hook`, { headers: pairs(bad.headers), body: bad.body })
    assert.equal(r.status, 500)
    assert.ok(!r.body.toString().includes('boom'), 'the reason is never sent')
    const [level, message, error] = /** @type {any[]} */ (lines.at(-1))
    assert.equal(level, 'error')
    assert.match(message, /the handler failed: Error: boom: not for the caller/)
    assert.equal(error, failure, 'the error itself goes to the logger')

    const forged = TestSigner.fromSeed(99).delivery('WALLET', { id: 'evil' })
    r = await send(`${url}/hook`, { headers: pairs(ok.headers), body: forged.body })
    assert.equal(r.status, 401)
    assert.ok(!r.body.toString().includes('evil'), 'no payload contents in answers')
    assert.equal(lines.at(-1)?.[0], 'warning')
  })

  test(`${kind}: an oversize body gets the receiver's 413, with or without a length`, async (t) => {
    const { url, close } = await serve(kind, { webhook, handler() {}, logger: null })
    t.after(close)
    const big = signer.delivery('WALLET', { id: 'big', name: 'x'.repeat(4 * LIMIT) })
    for (const sendLength of [true, false]) {
      const r = await send(`${url}/hook`, { headers: pairs(big.headers), body: big.body, sendLength })
      assert.equal(r.status, 413, String(r.body))
      const json = JSON.parse(r.body.toString())
      assert.equal(json.error, 'ERR_BODY_TOO_LARGE')
      assert.match(json.message, sendLength ? /\(Content-Length\)/ : /over max_body_bytes = 4096/)
    }
  })

  test(`${kind}: deliveries through SQLite and Redis stores (processed, then duplicate)`, async (t) => {
    for (const storeKind of ['sqlite', 'redis']) {
      let runs = 0
      const deduplicator = new Deduplicator({ store: newStore(storeKind) })
      const { url, close } = await serve(kind, { webhook, deduplicator, handler: () => runs++, logger: null })
      try {
        const d = delivery(`w-${storeKind}-${kind}`)
        const first = await send(`${url}/hook`, { headers: pairs(d.headers), body: d.body })
        const second = await send(`${url}/hook`, { headers: pairs(d.headers), body: d.body })
        assert.equal(first.body.toString(), '{"status":"processed"}', storeKind)
        assert.equal(second.body.toString(), '{"status":"duplicate"}', storeKind)
        assert.equal(runs, 1)
      } finally {
        await close()
      }
    }
  })

  test(`${kind}: an unreachable Redis store answers 503 without running the handler`, async (t) => {
    const store = new RedisStore(`redis://127.0.0.1:${await closedPort()}/0`, { connectTimeoutMs: 500 })
    let runs = 0
    const { url, close } = await serve(kind, {
      webhook,
      deduplicator: new Deduplicator({ store }),
      handler: () => runs++,
      logger: null,
    })
    t.after(close)
    const d = delivery('w-down')
    const r = await send(`${url}/hook`, { headers: pairs(d.headers), body: d.body })
    assert.equal(r.status, 503)
    assert.equal(JSON.parse(r.body.toString()).error, 'ERR_STORE_UNAVAILABLE')
    assert.equal(runs, 0)
  })
}

for (const kind of ['express', 'fastify']) {
  test(`${kind}: the rest of the app keeps parsing JSON`, async (t) => {
    const { url, close } = await serve(kind, { webhook, handler() {}, logger: null })
    t.after(close)
    const r = await send(`${url}/json`, { headers: [['content-type', 'application/json']], body: '{"a":1}' })
    assert.deepEqual(JSON.parse(r.body.toString()), { got: { a: 1 } })
  })
}

test('fastify: any content type, or none, reaches the receiver', async (t) => {
  let runs = 0
  const { url, close } = await serve('fastify', { webhook, handler: () => runs++, logger: null })
  t.after(close)
  const d = delivery('w-types')
  for (const type of ['text/plain', 'application/octet-stream', null]) {
    const headers = pairs(d.headers).filter(([n]) => n.toLowerCase() !== 'content-type')
    if (type) headers.push(['Content-Type', type])
    const r = await send(`${url}/hook`, { headers, body: d.body })
    assert.equal(r.status, 200, `${type}: ${r.body}`)
  }
  assert.equal(runs, 3)
})

test('express: works after express.raw(), express.text() and express.json({ verify: captureRawBody })', async () => {
  const setups = [
    (/** @type {any} */ app) => app.use('/hook', express.raw({ type: '*/*' })),
    (/** @type {any} */ app) => app.use('/hook', express.text({ type: '*/*' })),
    (/** @type {any} */ app) => app.use(express.json({ verify: captureRawBody })),
  ]
  for (const setup of setups) {
    let runs = 0
    const { url, close } = await serve('express', { webhook, handler: () => runs++, logger: null }, { setup })
    try {
      const d = delivery('w-parsers')
      const r = await send(`${url}/hook`, { headers: pairs(d.headers), body: d.body })
      assert.equal(r.status, 200, String(r.body))
      assert.equal(runs, 1)
    } finally {
      await close()
    }
  }
})

test('express: a body already parsed by express.json() goes to next(err) with a clear message', async (t) => {
  let runs = 0
  const { url, close } = await serve(
    'express',
    { webhook, handler: () => runs++, logger: null },
    { setup: (app) => app.use(express.json()) }
  )
  t.after(close)
  const d = delivery('w-parsed')
  const r = await send(`${url}/hook`, { headers: pairs(d.headers), body: d.body })
  assert.equal(r.status, 500)
  assert.equal(runs, 0)
  // A content type express.json() ignores leaves the stream unread: it works.
  const headers = pairs({ ...d.headers, 'Content-Type': 'application/octet-stream' })
  const r2 = await send(`${url}/hook`, { headers, body: d.body })
  assert.equal(r2.status, 200, String(r2.body))
})

test('express: the ERR_BODY_NOT_RAW error says how to fix the app', async () => {
  const middleware = expressWebhook({ webhook, handler() {}, logger: null })
  const err = await new Promise((resolve) => {
    const req = Object.assign(new (require('node:stream').PassThrough)(), {
      method: 'POST',
      headers: {},
      body: { parsed: true },
      _body: true,
    })
    middleware(req, /** @type {any} */ ({}), resolve)
  })
  assert.equal(/** @type {any} */ (err).code, 'ERR_BODY_NOT_RAW')
  assert.equal(/** @type {any} */ (err).status, 500)
  assert.match(/** @type {any} */ (err).message, /express\.raw/)
  assert.match(/** @type {any} */ (err).message, /captureRawBody/)
})

test('adapters check their options', async () => {
  const receiver = new Receiver(webhook)
  for (const make of [expressWebhook, fetchWebhook]) {
    const m = /** @type {any} */ (make)
    assert.throws(() => m({}), TypeError)
    assert.throws(() => m(null), TypeError)
    assert.throws(() => m({ webhook, handler: 'x' }), TypeError)
    assert.throws(() => m({ webhook, handler() {}, deduplicator: {} }), TypeError)
    assert.throws(() => m({ receiver: {}, handler() {} }), TypeError)
    assert.throws(() => m({ receiver, webhook, handler() {} }), TypeError)
    assert.throws(() => m({ webhook, handler() {}, logger: { info() {} } }), TypeError)
    assert.throws(() => m({ webhook, handler() {}, onError() {} }), /replaced by logger/)
    assert.equal(typeof m({ receiver, handler() {} }), 'function')
    assert.equal(typeof m({ webhook, handler() {}, logger: console }), 'function')
  }
  const Fastify = require('fastify')
  await assert.rejects(Fastify().register(fastifyWebhook, /** @type {any} */ ({ webhook: null, handler() {} })).ready(), TypeError)
})
