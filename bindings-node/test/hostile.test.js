'use strict'
// Hostile input: whatever arrives, the process never crashes and only WebhookError (bad
// delivery), TypeError (wrong argument types) or RangeError (an option out of its range)
// comes out.

const test = require('node:test')
const assert = require('node:assert/strict')

const { Webhook, WebhookError, TestSigner, Event, verifyWebhook, Deduplicator, MemoryStore, SqliteStore, RedisStore, httpStatusFor } =
  require('..')
const { sqlitePath } = require('./stores.js')

// A small deterministic PRNG (mulberry32), so a failure reproduces.
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function expectSdkError(fn, label) {
  try {
    fn()
  } catch (e) {
    assert.ok(
      e instanceof WebhookError || e instanceof TypeError || e instanceof RangeError,
      `${label}: unexpected ${e && e.stack}`,
    )
    if (e instanceof WebhookError) assert.ok(WebhookError.codes.includes(e.code), `${label}: code ${e.code}`)
    return e
  }
  return null
}

const signer = TestSigner.fromSeed(3)
const webhook = new Webhook(signer.publicKeyB64, { maxBodyBytes: 64 * 1024 })
const good = signer.delivery('TRANSACTION', { id: 't', updatedAt: 'u', qty: '1' })

function randomValue(r, depth = 0) {
  const pick = Math.floor(r() * 12)
  switch (pick) {
    case 0:
      return undefined
    case 1:
      return null
    case 2:
      return r() * 1e6
    case 3:
      return BigInt(Math.floor(r() * 1e9))
    case 4:
      return r() < 0.5
    case 5:
      return Symbol('s')
    case 6:
      return () => 'fn'
    case 7:
      return depth < 3 ? [randomValue(r, depth + 1), randomValue(r, depth + 1)] : []
    case 8:
      return depth < 3 ? { toString: () => 'x', k: randomValue(r, depth + 1) } : {}
    case 9:
      return Buffer.from(randomBytes(r, 8))
    default:
      return randomString(r, Math.floor(r() * 200))
  }
}

function randomBytes(r, n) {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256)
  return b
}

function randomString(r, n) {
  let s = ''
  for (let i = 0; i < n; i++) {
    const c = r()
    s += c < 0.1 ? String.fromCharCode(Math.floor(r() * 0xd800)) : c < 0.12 ? '\ud800' : String.fromCharCode(32 + Math.floor(r() * 95))
  }
  return s
}

function mutate(r, bytes) {
  const out = Buffer.from(bytes)
  const edits = 1 + Math.floor(r() * 4)
  for (let i = 0; i < edits; i++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256)
  return r() < 0.2 ? out.subarray(0, Math.floor(r() * out.length)) : out
}

test('random and mutated bodies', () => {
  const r = rng(1)
  for (let i = 0; i < 3000; i++) {
    const body = i % 3 === 0 ? randomBytes(r, Math.floor(r() * 600)) : mutate(r, good.body)
    const headers = i % 2 ? good.headers : { signature: randomString(r, Math.floor(r() * 120)) }
    expectSdkError(() => webhook.verify(body, headers), `body #${i}`)
    expectSdkError(() => webhook.verify(Buffer.from(body).toString('latin1'), headers), `string body #${i}`)
  }
})

test('random header collections', () => {
  const r = rng(2)
  for (let i = 0; i < 3000; i++) {
    let headers
    const shape = i % 5
    if (shape === 0) headers = Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 6) }, () => [r() < 0.3 ? 'Signature' : randomString(r, 10), randomValue(r)]))
    else if (shape === 1) headers = Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.7 ? [randomValue(r), randomValue(r)] : randomValue(r)))
    else if (shape === 2) headers = new Map(Array.from({ length: 3 }, () => [randomValue(r), randomValue(r)]))
    else if (shape === 3) headers = randomValue(r)
    else headers = { signature: randomValue(r), [Symbol('x')]: 'y', 0: 'numeric key' }
    expectSdkError(() => webhook.verify(good.body, headers), `headers #${i}`)
  }
})

test('random keys and options', () => {
  const r = rng(3)
  const realKey = signer.publicKeyB64
  for (let i = 0; i < 1500; i++) {
    const key =
      i % 4 === 0
        ? randomValue(r)
        : i % 4 === 1
          ? realKey.slice(0, Math.floor(r() * realKey.length)) + randomString(r, 4)
          : i % 4 === 2
            ? `-----BEGIN PUBLIC KEY-----\n${randomString(r, 80)}\n-----END PUBLIC KEY-----`
            : Buffer.from(randomBytes(r, Math.floor(r() * 100))).toString(r() < 0.5 ? 'base64' : 'hex')
    const options = r() < 0.5 ? {} : { maxBodyBytes: randomValue(r), digest: randomValue(r), maxAge: randomValue(r) }
    expectSdkError(() => new Webhook(key, options), `key #${i}`)
    assert.equal(typeof verifyWebhook(key, randomString(r, 90), randomString(r, 50)), 'boolean')
    expectSdkError(() => webhook.verifySignature(randomValue(r), randomValue(r)), `verifySignature #${i}`)
    expectSdkError(() => Event.fromJSON(randomValue(r)), `fromJSON #${i}`)
    expectSdkError(() => new MemoryStore({ maxEntries: randomValue(r), ttlSeconds: randomValue(r) }), `store #${i}`)
    expectSdkError(() => new Deduplicator({ leaseSeconds: randomValue(r), retainSeconds: randomValue(r) }), `dedup #${i}`)
    // Lazy: a RedisStore connects on first use, so random URLs and options reach no network.
    expectSdkError(
      () => new RedisStore(randomValue(r), { prefix: randomValue(r), timeoutMs: randomValue(r), connectTimeoutMs: randomValue(r) }),
      `redis store #${i}`
    )
    if (i % 50 === 0) {
      expectSdkError(() => new SqliteStore(sqlitePath(), { busyTimeoutMs: randomValue(r), syncEveryCommit: randomValue(r) }), `sqlite store #${i}`)
    }
    assert.equal(typeof httpStatusFor(randomValue(r)), 'number')
    expectSdkError(() => TestSigner.fromPrivateKey(randomValue(r)), `signer #${i}`)
    expectSdkError(() => signer.delivery(randomValue(r), randomValue(r)), `delivery #${i}`)
  }
})

test('validly signed but hostile payloads', () => {
  const deep = '{"id":"x","a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'
  const cases = [
    deep,
    '{"id":' + '1'.repeat(10000) + '}',
    '{"id":"x","qty":' + '9'.repeat(5000) + '}',
    '{"id":"\\ud800"}',
    '{"id":"x","id":"y"}',
    '{"id":null}',
    '{}',
  ]
  for (const json of cases) {
    for (const domain of ['TRANSACTION', 'WALLET', 'APPROVAL', 'OTHER']) {
      let d
      try {
        d = signer.delivery(domain, json)
      } catch (e) {
        assert.ok(e instanceof WebhookError)
        continue
      }
      const e = expectSdkError(() => {
        const ev = webhook.verify(d.body, d.headers)
        // A delivery that verifies must give usable lazy fields.
        assert.equal(typeof ev.data.kind, 'string')
        assert.equal(typeof ev.raw, 'object')
      }, `${domain} ${json.slice(0, 20)}`)
      if (e) assert.ok(['ERR_MALFORMED_PAYLOAD', 'ERR_BODY_TOO_LARGE'].includes(e.code), `${domain}: ${e.code}`)
    }
  }
})

test('huge bodies are refused before any parsing', () => {
  const huge = Buffer.alloc(10 * 1024 * 1024, 0x7b)
  assert.throws(() => webhook.verify(huge, good.headers), { code: 'ERR_BODY_TOO_LARGE' })
  assert.throws(() => webhook.verify(huge.toString('latin1'), good.headers), { code: 'ERR_BODY_TOO_LARGE' })
})

test('exceptions thrown by the caller’s own header objects pass through untouched', () => {
  const mine = new Error('mine')
  const throwingGetter = Object.defineProperty({}, 'signature', { enumerable: true, get: () => { throw mine } })
  assert.throws(() => webhook.verify(good.body, throwingGetter), (e) => e === mine)
  const proxy = new Proxy({}, { ownKeys: () => { throw mine } })
  assert.throws(() => webhook.verify(good.body, proxy), (e) => e === mine)
  // The binding still works afterwards.
  assert.equal(webhook.verify(good.body, good.headers).resourceId, 't')
})
