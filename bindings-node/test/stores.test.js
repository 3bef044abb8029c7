'use strict'
// The idempotency stores over real components: SQLite files in a temporary directory and a real
// redis-server (the one `make test-node` starts through scripts/with-redis.sh, plus servers of
// our own for stop/restart faults). The same scenario runs over every store.

const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const path = require('node:path')
const { spawn } = require('node:child_process')

const { Deduplicator, MemoryStore, SqliteStore, RedisStore, WebhookError, TestSigner, Webhook } = require('..')
const { KINDS, newStore, redisUrl, uniquePrefix, sqlitePath, closedPort, ownRedis } = require('./stores.js')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const isUnavailable = (e) => e instanceof WebhookError && e.code === 'ERR_STORE_UNAVAILABLE'

const signer = TestSigner.fromSeed(21)
const webhook = new Webhook(signer.publicKeyB64)

for (const kind of KINDS) {
  test(`${kind} store: new → duplicate, release → new again, in progress`, async () => {
    const store = newStore(kind)
    const dedup = new Deduplicator({ store })
    const d = signer.delivery('TRANSACTION', { id: `tx-${kind}`, status: 'CONFIRMED', updatedAt: 'u1' })
    const event = webhook.verify(d.body, d.headers)

    const first = await dedup.claim(event)
    assert.equal(first.status, 'new')
    assert.equal(await first.complete(), true)
    assert.equal((await dedup.claim(event)).status, 'duplicate')
    assert.equal((await dedup.claim(event.idempotencyKey)).status, 'duplicate')

    const held = await dedup.claim('k-release')
    assert.equal(held.status, 'new')
    assert.equal((await dedup.claim('k-release')).status, 'in_progress')
    assert.equal(await held.release(), true)
    const again = await dedup.claim('k-release')
    assert.equal(again.status, 'new', 'a released key is new again')
    assert.equal(await again.complete(), true)
    assert.equal((await dedup.claim('k-release')).status, 'duplicate')

    // process(): once; a failing handler releases, so the retry processes.
    let calls = 0
    assert.deepEqual(await dedup.process('k-process', () => ++calls), { status: 'processed', result: 1, completed: true })
    assert.deepEqual(await dedup.process('k-process', () => ++calls), { status: 'duplicate' })
    await assert.rejects(
      dedup.process('k-fail', () => {
        throw new Error('boom')
      }),
      /boom/
    )
    assert.equal((await dedup.process('k-fail', () => 'ok')).status, 'processed')

    // While a handler runs, another delivery of the same event is in progress.
    let open
    const running = dedup.process('k-held', () => new Promise((resolve) => (open = resolve)))
    while (!open) await sleep(5)
    assert.deepEqual(await dedup.process('k-held', () => assert.fail('must not run')), { status: 'in_progress' })
    open('done')
    assert.equal((await running).status, 'processed')
    assert.equal(calls, 1)
  })

  test(`${kind} store: an expired lease lets another worker take over`, async () => {
    const dedup = new Deduplicator({ store: newStore(kind), leaseSeconds: 0.2 })
    const first = await dedup.claim('k-lease')
    assert.equal((await dedup.claim('k-lease')).status, 'in_progress')
    await sleep(500)
    const second = await dedup.claim('k-lease')
    assert.equal(second.status, 'new')
    assert.equal(await first.complete(), false, 'the old holder lost the key')
    assert.equal(await second.complete(), true)
    assert.equal((await dedup.claim('k-lease')).status, 'duplicate')
  })
}

test('durable stores are blocking (run on the thread pool); memory is not', () => {
  const { kNative } = require('../lib/dedup.js')
  assert.equal(new MemoryStore()[kNative].blocking, false)
  assert.equal(new SqliteStore(sqlitePath())[kNative].blocking, true)
  assert.equal(new RedisStore(redisUrl())[kNative].blocking, true)
})

/**
 * Two deduplicators with their own store handles on the same place, processing the same keys
 * concurrently: each key is processed exactly once.
 */
async function exactlyOnce(storeA, storeB) {
  const a = new Deduplicator({ store: storeA })
  const b = new Deduplicator({ store: storeB })
  const keys = Array.from({ length: 60 }, (_, i) => `shared-${i}`)
  const processed = new Map()
  const handler = (who) => async (key) => {
    processed.set(key, [...(processed.get(key) || []), who])
    await sleep(1)
  }
  const outcomes = await Promise.all(
    keys.flatMap((key) => [a.process(key, handler('a')), b.process(key, handler('b')), a.process(key, handler('a'))])
  )
  for (const key of keys) assert.equal(processed.get(key)?.length, 1, `${key} processed once: ${processed.get(key)}`)
  assert.equal(outcomes.filter((o) => o.status === 'processed').length, keys.length)
  assert.ok(outcomes.every((o) => o.status !== 'processed' || o.completed))
  // Afterwards both see every key as a duplicate.
  for (const key of keys.slice(0, 5)) {
    assert.equal((await a.claim(key)).status, 'duplicate')
    assert.equal((await b.claim(key)).status, 'duplicate')
  }
}

test('two Deduplicators over one SQLite file agree', async () => {
  const file = sqlitePath('shared')
  await exactlyOnce(new SqliteStore(file), new SqliteStore(file, { syncEveryCommit: false, busyTimeoutMs: 10000 }))
})

test('two Deduplicators over one Redis agree', async () => {
  const prefix = uniquePrefix('shared')
  await exactlyOnce(new RedisStore(redisUrl(), { prefix }), new RedisStore(redisUrl(), { prefix, timeoutMs: 5000 }))
})

test('Redis prefixes keep applications apart', async () => {
  const a = new Deduplicator({ store: new RedisStore(redisUrl(), { prefix: uniquePrefix('app-a') }) })
  const b = new Deduplicator({ store: new RedisStore(redisUrl(), { prefix: uniquePrefix('app-b') }) })
  assert.equal((await a.process('same-key', () => 1)).status, 'processed')
  assert.equal((await b.process('same-key', () => 1)).status, 'processed')
  assert.equal((await a.process('same-key', () => 1)).status, 'duplicate')
})

// Several receiver processes on one store: each runs the same keys in its own order.
const WORKER = `
const { Deduplicator, SqliteStore, RedisStore } = require(${JSON.stringify(path.join(__dirname, '..'))})
const [kind, where, prefix, count, seed] = process.argv.slice(1)
const store = kind === 'sqlite' ? new SqliteStore(where) : new RedisStore(where, { prefix })
const dedup = new Deduplicator({ store, leaseSeconds: 30 })
const keys = Array.from({ length: Number(count) }, (_, i) => 'k-' + i)
let s = Number(seed)
for (let i = keys.length - 1; i > 0; i--) {
  s = (s * 1103515245 + 12345) % 2147483648
  const j = s % (i + 1)
  ;[keys[i], keys[j]] = [keys[j], keys[i]]
}
const mine = []
let next = 0
async function lane() {
  while (next < keys.length) {
    const key = keys[next++]
    const r = await dedup.process(key, async () => { mine.push(key) })
    if (r.status === 'in_progress') keys.push(key) // Palisade would retry it later
  }
}
Promise.all([lane(), lane(), lane(), lane()]).then(() => console.log(JSON.stringify(mine)), (e) => { console.error(e); process.exit(1) })
`

function runWorker(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`))))
  })
}

for (const kind of ['sqlite', 'redis']) {
  test(`${kind}: three receiver processes on one store process each key exactly once`, async () => {
    const count = 300
    const where = kind === 'sqlite' ? sqlitePath('processes') : redisUrl()
    const prefix = uniquePrefix('processes')
    const results = await Promise.all([1, 2, 3].map((seed) => runWorker([kind, where, prefix, String(count), String(seed)])))
    const all = results.flat()
    assert.equal(all.length, count, `processed ${all.length} times for ${count} keys (${results.map((r) => r.length)})`)
    assert.equal(new Set(all).size, count, 'no key processed twice, none lost')
  })
}

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
