'use strict'
// The Receiver bound 1:1: begin / finish, sync and on the thread pool, the ticket that
// settles once, the answers; every receiver vector replayed through it directly.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')

const {
  Webhook,
  WebhookError,
  TestSigner,
  Deduplicator,
  MemoryStore,
  FaultyStore,
  Receiver,
  Ticket,
  Event,
  CODES,
  ANSWER_CODES,
  RECEIVER_STATUS,
} = require('..')
const { TICKET_SETTLED } = require('../lib/codes.js')

const VECTORS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', 'receiver.json'), 'utf8'))

const signer = TestSigner.fromSeed(17)
const webhook = new Webhook(signer.publicKeyB64, { maxBodyBytes: 4096 })

/** @param {string} id */
function delivery(id) {
  return signer.delivery('WALLET', { id, updatedAt: '2025-01-01T00:00:00Z' })
}

const isSettled = (/** @type {unknown} */ e) =>
  e instanceof WebhookError && e.code === 'ERR_TICKET_SETTLED' && e.message === TICKET_SETTLED.message

for (const mode of ['sync', 'async']) {
  test(`receiver vectors through Receiver directly (${mode})`, async () => {
    for (const c of VECTORS.cases) {
      const w = new Webhook(VECTORS.keys, { maxBodyBytes: VECTORS.max_body_bytes })
      const dedup = c.deduplicator ? new Deduplicator({ store: new FaultyStore(new MemoryStore(), c.store_fails_at) }) : null
      const receiver = new Receiver(w, dedup)
      for (const [i, step] of c.steps.entries()) {
        const label = `${c.name}#${i}`
        const r = step.request
        const body = Buffer.from(r.body_b64, 'base64')
        const options = { method: r.method, declaredLength: r.send_length ? body.length : undefined }
        const held = step.hold ? receiver.begin(body, r.headers, options) : null
        const begun = mode === 'sync' ? receiver.begin(body, r.headers, options) : await receiver.beginAsync(body, r.headers, options)
        let answer
        if (begun.answer) {
          answer = begun.answer
          assert.equal(begun.event, undefined)
        } else {
          assert.ok(begun.event instanceof Event && begun.ticket instanceof Ticket)
          const t = begun.ticket
          if (step.handler === 'ok') answer = mode === 'sync' ? t.finishOk() : await t.finishOkAsync()
          else answer = mode === 'sync' ? t.finishFailed('the test handler failed') : await t.finishFailedAsync('the test handler failed')
        }
        if (held && held.ticket) held.ticket.finishOk()
        assert.equal(answer.status, step.expect.status, label)
        assert.equal(answer.body, step.expect.body, label)
        assert.equal(answer.code, step.expect.code, label)
        assert.equal(!begun.answer, step.expect.handler_runs, `${label}: handler runs`)
        assert.deepEqual(
          answer.headers,
          answer.status === 405 ? [['Content-Type', 'application/json'], ['Allow', 'POST']] : [['Content-Type', 'application/json']],
          label
        )
      }
    }
  })
}

test('answers are frozen, with the log line and level', () => {
  const receiver = new Receiver(webhook, new Deduplicator())
  const d = delivery('w-answer')
  const begun = receiver.begin(d.body, d.headers)
  assert.ok(begun.ticket)
  const answer = begun.ticket.finishOk()
  assert.ok(Object.isFrozen(answer) && Object.isFrozen(answer.headers) && Object.isFrozen(answer.headers[0]))
  assert.deepEqual(Object.keys(answer), ['status', 'body', 'code', 'headers', 'logLevel', 'logMessage'])
  assert.equal(answer.logLevel, 'info')
  assert.match(answer.logMessage, /^processed 200 WALLET /)
  const dup = receiver.begin(d.body, d.headers)
  assert.ok(dup.answer)
  assert.equal(dup.answer.code, CODES.DUPLICATE)
  assert.equal(dup.answer.status, RECEIVER_STATUS.duplicate)
  const refused = receiver.begin(d.body, {})
  assert.equal(refused.answer?.logLevel, 'warning')
  assert.match(refused.answer?.logMessage ?? '', /^rejected 401 /)
})

test('a ticket settles exactly once, sync or async, with ERR_TICKET_SETTLED after', async () => {
  const receiver = new Receiver(webhook, new Deduplicator())
  const settlements = [
    (/** @type {Ticket} */ t) => t.finishOk(),
    (/** @type {Ticket} */ t) => t.finishFailed(new Error('x')),
    (/** @type {Ticket} */ t) => t.finishOkAsync(),
    (/** @type {Ticket} */ t) => t.finishFailedAsync('x'),
  ]
  for (const [i, first] of settlements.entries()) {
    for (const [j, second] of settlements.entries()) {
      const d = delivery(`w-settle-${i}-${j}`)
      const begun = receiver.begin(d.body, d.headers)
      const ticket = /** @type {Ticket} */ (begun.ticket)
      assert.equal(ticket.settled, false)
      const pending = first(ticket)
      // Settled as soon as the first call is made, even while its store call is in flight.
      assert.equal(ticket.settled, true)
      if (j < 2) assert.throws(() => second(ticket), isSettled, `${i} then ${j}`)
      else await assert.rejects(/** @type {Promise<unknown>} */ (second(ticket)), isSettled, `${i} then ${j}`)
      const answer = await pending
      assert.equal(answer.code, i % 2 === 0 ? 'processed' : 'ERR_HANDLER_FAILED')
      // The first settlement stands.
      const again = receiver.begin(d.body, d.headers)
      if (i % 2 === 0) assert.equal(again.answer?.code, 'duplicate')
      else again.ticket?.finishOk()
    }
  }
})

test('the handler failure reason goes to the log line, bounded, never to the body', () => {
  const receiver = new Receiver(webhook)
  const d = delivery('w-reason')
  const reasons = [
    [new TypeError('secret detail'), /TypeError: secret detail/],
    ['plain text', /plain text/],
    [{ toString: () => 'an object' }, /an object/],
    [{ toString: () => { throw new Error('no') } }, /cannot be shown as text/],
    [undefined, /undefined/],
  ]
  for (const [reason, pattern] of reasons) {
    const begun = receiver.begin(d.body, d.headers)
    const answer = /** @type {Ticket} */ (begun.ticket).finishFailed(reason)
    assert.match(answer.logMessage, /** @type {RegExp} */ (pattern))
    assert.equal(answer.body, '{"error":"ERR_HANDLER_FAILED","message":"the handler failed; the delivery will be retried"}')
    assert.equal(answer.logLevel, 'error')
  }
  const long = /** @type {Ticket} */ (receiver.begin(d.body, d.headers).ticket).finishFailed('x'.repeat(100000))
  assert.ok(long.logMessage.length < 1000)
})

test('an unsettled ticket that is garbage-collected releases its claim', async () => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  const receiver = new Receiver(webhook, new Deduplicator())
  const d = delivery('w-dropped')
  ;(() => {
    const begun = receiver.begin(d.body, d.headers)
    assert.ok(begun.ticket)
  })()
  assert.equal(receiver.begin(d.body, d.headers).answer?.code, 'in_progress')
  for (let i = 0; i < 20; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
    const again = receiver.begin(d.body, d.headers)
    if (again.ticket) {
      again.ticket.finishOk()
      return
    }
  }
  assert.fail('the claim of a collected ticket was never released')
})

test('begin checks its arguments; the method and the declared length reach the core', () => {
  const receiver = new Receiver(webhook)
  const d = delivery('w-args')
  const r = /** @type {any} */ (receiver)
  assert.throws(() => r.begin(d.body, d.headers, null), TypeError)
  assert.throws(() => r.begin(d.body, d.headers, { method: 5 }), TypeError)
  for (const declaredLength of [-1, 1.5, '10', NaN, Infinity]) {
    assert.throws(() => r.begin(d.body, d.headers, { declaredLength }), TypeError, String(declaredLength))
  }
  assert.throws(() => r.begin({ parsed: true }, d.headers), { code: 'ERR_BODY_NOT_RAW' })
  assert.throws(() => r.begin(d.body, 'headers'), TypeError)
  assert.equal(receiver.begin(d.body, d.headers, { method: 'GET' }).answer?.status, 405)
  const big = receiver.begin(d.body, d.headers, { declaredLength: 4097 })
  assert.equal(big.answer?.body, '{"error":"ERR_BODY_TOO_LARGE","message":"the body is 4097 bytes (Content-Length), over max_body_bytes = 4096"}')
  assert.ok(receiver.begin(d.body, d.headers, { declaredLength: null }).ticket?.finishOk())
  assert.equal(receiver.maxBodyBytes, 4096)
  assert.equal(receiver.webhook, webhook)
  assert.equal(receiver.deduplicator, null)
  assert.throws(() => new Receiver(/** @type {any} */ ({})), TypeError)
  assert.throws(() => new Receiver(webhook, /** @type {any} */ ({})), TypeError)
  assert.throws(() => new /** @type {any} */ (Ticket)({}), TypeError)
})

test('beginAsync runs on the thread pool and rejects like begin throws', async () => {
  const receiver = new Receiver(webhook, new Deduplicator({ offload: true }))
  const d = delivery('w-async')
  await assert.rejects(receiver.beginAsync(/** @type {any} */ ({ parsed: true }), d.headers), { code: 'ERR_BODY_NOT_RAW' })
  await assert.rejects(receiver.beginAsync(d.body, /** @type {any} */ (5)), TypeError)
  // Many at once, interleaved with the event loop: each delivery is processed once.
  const many = Array.from({ length: 40 }, (_, i) => delivery(`w-many-${i % 20}`))
  const begun = await Promise.all(many.map((m) => receiver.beginAsync(m.body, m.headers)))
  const processing = begun.filter((b) => b.ticket)
  assert.equal(processing.length, 20)
  assert.ok(begun.filter((b) => b.answer).every((b) => b.answer?.code === 'in_progress'))
  const answers = await Promise.all(processing.map((b) => /** @type {Ticket} */ (b.ticket).finishOkAsync()))
  assert.ok(answers.every((a) => a.code === 'processed'))
})

test('FaultyStore fails where it is told, and can be moved', async () => {
  const store = new FaultyStore(new MemoryStore())
  assert.equal(store.failAt, 'complete')
  const receiver = new Receiver(webhook, new Deduplicator({ store }))
  const d = delivery('w-faulty')
  let begun = receiver.begin(d.body, d.headers)
  const answer = /** @type {Ticket} */ (begun.ticket).finishOk()
  assert.equal(answer.status, 200)
  assert.equal(answer.logLevel, 'warning')
  assert.match(answer.logMessage, /ERR_STORE_UNAVAILABLE/)
  store.failAt = 'claim'
  assert.equal(store.failAt, 'claim')
  begun = receiver.begin(delivery('w-faulty-2').body, delivery('w-faulty-2').headers)
  assert.equal(begun.answer?.status, 503)
  store.failAt = 'nothing'
  assert.ok(receiver.begin(delivery('w-faulty-3').body, delivery('w-faulty-3').headers).ticket?.finishOk())
  assert.throws(() => new FaultyStore(new MemoryStore(), /** @type {any} */ ('sometimes')), /failAt must be one of 'nothing', 'claim', 'complete', 'release'/)
  assert.throws(() => new FaultyStore(/** @type {any} */ ({})), TypeError)
  assert.throws(() => {
    store.failAt = /** @type {any} */ ('never')
  }, TypeError)
})

test('answer codes come from the core', () => {
  assert.deepEqual([...ANSWER_CODES], ['processed', 'duplicate', 'in_progress', 'ERR_HANDLER_FAILED', 'ERR_METHOD_NOT_ALLOWED'])
  const seen = new Set(VECTORS.cases.flatMap((/** @type {any} */ c) => c.steps.map((/** @type {any} */ s) => s.expect.code)))
  for (const code of ANSWER_CODES) assert.ok(seen.has(code), `no vector answers ${code}`)
  for (const c of VECTORS.cases) {
    for (const s of c.steps) {
      const status = Object.hasOwn(RECEIVER_STATUS, s.expect.code) ? RECEIVER_STATUS[s.expect.code] : require('..').httpStatusFor(s.expect.code)
      assert.equal(status, s.expect.status, s.expect.code)
    }
  }
})
