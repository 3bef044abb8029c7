'use strict'
// The idempotency stores wired into the binding, over real components: SQLite files in a
// temporary directory and a real redis-server (the one `make test-node` starts through
// scripts/with-redis.sh, plus servers of our own for stop/restart faults). The stores' own
// contract (leases, concurrent claims, processes sharing a store) is the core's and is tested
// there; here: options reach the store, calls run off the event loop, failures map to
// ERR_STORE_UNAVAILABLE.

const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const path = require('node:path')

const { Deduplicator, MemoryStore, SqliteStore, RedisStore, WebhookError, TestSigner, Webhook } = require('..')
const { KINDS, newStore, redisUrl, uniquePrefix, sqlitePath, closedPort, ownRedis } = require('./stores.js')

const isUnavailable = (/** @type {unknown} */ e) => e instanceof WebhookError && e.code === 'ERR_STORE_UNAVAILABLE'

const signer = TestSigner.fromSeed(21)
const webhook = new Webhook(signer.publicKeyB64)

for (const kind of KINDS) {
  test(`${kind} store: claims, completions and releases reach the store`, async () => {
    const dedup = new Deduplicator({ store: newStore(kind) })
    const d = signer.delivery('TRANSACTION', { id: `tx-${kind}`, status: 'CONFIRMED', updatedAt: 'u1' })
    const event = webhook.verify(d.body, d.headers)

    const first = await dedup.claim(event)
    assert.equal(first.status, 'new')
    assert.equal((await dedup.claim(event.idempotencyKey)).status, 'in_progress')
    assert.equal(await first.complete(), true)
    assert.equal((await dedup.claim(event)).status, 'duplicate')

    const held = await dedup.claim('k-release')
    assert.equal(await held.release(), true)
    assert.equal((await dedup.claim('k-release')).status, 'new', 'a released key is new again')

    let calls = 0
    assert.deepEqual(await dedup.process('k-process', () => ++calls), { status: 'processed', result: 1, completed: true })
    assert.deepEqual(await dedup.process('k-process', () => ++calls), { status: 'duplicate' })
  })
}

test('durable stores are blocking (run on the thread pool); memory is not', () => {
  const { kNative } = require('../lib/dedup.js')
  assert.equal(new MemoryStore()[kNative].blocking, false)
  assert.equal(new SqliteStore(sqlitePath())[kNative].blocking, true)
  assert.equal(new RedisStore(redisUrl())[kNative].blocking, true)
})

test('Redis prefixes keep applications apart', async () => {
  const a = new Deduplicator({ store: new RedisStore(redisUrl(), { prefix: uniquePrefix('app-a') }) })
  const b = new Deduplicator({ store: new RedisStore(redisUrl(), { prefix: uniquePrefix('app-b') }) })
  assert.equal((await a.process('same-key', () => 1)).status, 'processed')
  assert.equal((await b.process('same-key', () => 1)).status, 'processed')
  assert.equal((await a.process('same-key', () => 1)).status, 'duplicate')
})

test('a SQLite store survives a restart (reopened file)', async () => {
  const file = sqlitePath('restart')
  const before = new Deduplicator({ store: new SqliteStore(file) })
  assert.equal((await before.process('k-restart', () => 1)).status, 'processed')
  const after = new Deduplicator({ store: new SqliteStore(file) })
  assert.equal((await after.process('k-restart', () => 1)).status, 'duplicate')
})

test('a SQLite file that cannot be opened fails with ERR_STORE_UNAVAILABLE', () => {
  const missingDir = path.join(path.dirname(sqlitePath()), 'no-such-dir', 'x.sqlite3')
  assert.throws(() => new SqliteStore(missingDir), (e) => isUnavailable(e) && e.message.includes('no-such-dir'))
  assert.throws(() => new SqliteStore(__dirname), isUnavailable) // a directory
})

test('store options are checked', () => {
  assert.throws(() => new SqliteStore(), TypeError)
  assert.throws(() => new SqliteStore(''), TypeError)
  assert.throws(() => new SqliteStore(sqlitePath(), { busyTimeoutMs: -1 }), RangeError)
  assert.throws(() => new SqliteStore(sqlitePath(), { busyTimeoutMs: 'x' }), TypeError)
  assert.throws(() => new SqliteStore(sqlitePath(), { syncEveryCommit: 'yes' }), TypeError)
  assert.throws(() => new SqliteStore(sqlitePath(), null), TypeError)
  assert.throws(() => new RedisStore(5), TypeError)
  assert.throws(() => new RedisStore(redisUrl(), { prefix: 5 }), TypeError)
  assert.throws(() => new RedisStore(redisUrl(), { timeoutMs: Infinity }), RangeError)
  assert.throws(() => new RedisStore(redisUrl(), { connectTimeoutMs: -3 }), RangeError)
  // Zero and absurd timeouts: the core's range (1 ms to 1 h), as RangeErrors naming the option.
  for (const ms of [0, 0.5, 3_600_001, 1e19]) {
    const range = /must be at least 1 ms and at most 1 h/
    assert.throws(() => new SqliteStore(sqlitePath(), { busyTimeoutMs: ms }), (e) => e instanceof RangeError && /^busyTimeoutMs /.test(e.message) && range.test(e.message))
    assert.throws(() => new RedisStore(redisUrl(), { timeoutMs: ms }), (e) => e instanceof RangeError && /^timeoutMs /.test(e.message) && range.test(e.message))
    assert.throws(() => new RedisStore(redisUrl(), { connectTimeoutMs: ms }), (e) => e instanceof RangeError && /^connectTimeoutMs /.test(e.message))
  }
  // The connection count: an integer from 1 to 64, refused as the core refuses it.
  for (const n of [0, -1, 65, 1e19]) {
    assert.throws(() => new RedisStore(redisUrl(), { connections: n }), (e) => e instanceof RangeError && e.message === `connections must be at least 1 and at most 64, not ${n}`)
  }
  assert.throws(() => new RedisStore(redisUrl(), { connections: 1.5 }), (e) => e instanceof TypeError && /connections must be an integer/.test(e.message))
  assert.throws(() => new RedisStore(redisUrl(), { connections: '2' }), TypeError)
  assert.equal(new RedisStore(redisUrl(), { connections: 64 }).prefix, 'palisade:idem:')
  assert.equal(new RedisStore(redisUrl(), { timeoutMs: 3_600_000 }).prefix, 'palisade:idem:')
  assert.equal(new RedisStore(redisUrl(), { prefix: 'app:' }).prefix, 'app:')
  // A URL Redis cannot use is refused at once, without echoing it (it may hold a password).
  for (const url of ['', 'http://127.0.0.1:6379', 'not a url', 'redis://user:s3cret@[::1']) {
    assert.throws(() => new RedisStore(url), (e) => isUnavailable(e) && !e.message.includes('s3cret'), url)
  }
  const store = new RedisStore('redis://127.0.0.1:1/0', { prefix: 'app:' })
  assert.equal(store.prefix, 'app:')
  assert.equal(new RedisStore(redisUrl()).prefix, 'palisade:idem:')
  assert.equal(new SqliteStore(sqlitePath('p')).path.endsWith('.sqlite3'), true)
})

test('Redis unreachable (closed port): ERR_STORE_UNAVAILABLE, nothing processed', async () => {
  const store = new RedisStore(`redis://127.0.0.1:${await closedPort()}/0`, { connectTimeoutMs: 500 })
  await assert.rejects(store.ping(), isUnavailable)
  const dedup = new Deduplicator({ store })
  await assert.rejects(dedup.claim('k'), isUnavailable)
  await assert.rejects(
    dedup.process('k', () => assert.fail('the handler must not run without a claim')),
    isUnavailable
  )
  assert.equal(await new RedisStore(redisUrl()).ping(), undefined)
})

test('a Redis that never answers times out with ERR_STORE_UNAVAILABLE, off the event loop', async (t) => {
  // Accepts connections and reads, never replies.
  const sockets = new Set()
  const silent = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
  })
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  const { port } = /** @type {net.AddressInfo} */ (silent.address())
  const store = new RedisStore(`redis://127.0.0.1:${port}/0`, { timeoutMs: 300, connectTimeoutMs: 300 })
  const dedup = new Deduplicator({ store })
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  try {
    await assert.rejects(dedup.claim('k'), (e) => isUnavailable(e) && /127\.0\.0\.1/.test(e.message))
  } finally {
    clearInterval(timer)
  }
  // The wait happened on the thread pool: the event loop kept running timers meanwhile.
  assert.ok(ticks > 0, 'timers ran while the store call was pending')
})

test('Redis stopped mid-run: ERR_STORE_UNAVAILABLE; processing resumes when it is back', async (t) => {
  const server = await ownRedis()
  t.after(() => server.close())
  const store = new RedisStore(server.url, { timeoutMs: 1000, connectTimeoutMs: 500 })
  await store.ping()
  const dedup = new Deduplicator({ store })
  assert.equal((await dedup.process('k-1', () => 1)).status, 'processed')

  // A completion that fails after the handler ran is reported, not swallowed.
  const outcome = await dedup.process('k-2', async () => {
    await server.stop()
    return 'work done'
  })
  assert.equal(outcome.status, 'processed')
  assert.equal(outcome.result, 'work done')
  assert.equal(outcome.completed, false)
  assert.ok(isUnavailable(outcome.completeError), String(outcome.completeError))

  await assert.rejects(dedup.claim('k-3'), isUnavailable)
  await assert.rejects(store.ping(), isUnavailable)

  await server.start() // empty again (no persistence): like a failover to an empty replica
  await store.ping()
  assert.equal((await dedup.process('k-3', () => 3)).status, 'processed')
  assert.equal((await dedup.process('k-3', () => 3)).status, 'duplicate')
})

test('a RedisStore created while Redis is down works once it is up', async (t) => {
  const server = await ownRedis()
  t.after(() => server.close())
  await server.stop()
  const dedup = new Deduplicator({ store: new RedisStore(server.url, { connectTimeoutMs: 500 }) })
  await assert.rejects(dedup.claim('k'), isUnavailable)
  await server.start()
  assert.equal((await dedup.process('k', () => 1)).status, 'processed')
  assert.equal((await dedup.process('k', () => 1)).status, 'duplicate')
})
