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

// ---------------------------------------------------------------------------------------------
// Bodies that JavaScript changes while the native code reads them. The native code reads the
// headers (which may run the caller's getters and Proxy traps) before it looks at the body,
// then reads the body as it is at that moment, in one piece; a detached body is a TypeError.
// Each case runs in its own process: reading a shrunk buffer in place is a segfault.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

/** V8 flags that turn on resizable buffers and `ArrayBuffer.prototype.transfer` where they are not on by default. */
function bufferFlags() {
  const v8Options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout
  const has = (/** @type {string[]} */ flags, /** @type {string} */ code) =>
    spawnSync(process.execPath, [...flags, '-e', `process.exit(${code} ? 0 : 1)`]).status === 0
  const flags = []
  if (!has(flags, "typeof ArrayBuffer.prototype.resize === 'function'") && v8Options.includes('--harmony-rab-gsab\n')) {
    flags.push('--harmony-rab-gsab')
  }
  if (!has(flags, "typeof ArrayBuffer.prototype.transfer === 'function'") && v8Options.includes('--harmony-rab-gsab-transfer')) {
    flags.push('--harmony-rab-gsab-transfer')
  }
  assert.ok(has(flags, "typeof ArrayBuffer.prototype.resize === 'function'"), 'this Node.js has resizable ArrayBuffers')
  return flags
}

const FIXTURE = path.join(__dirname, 'fixtures', 'hostile-buffers.js')
const ENTRIES = ['verify', 'diagnose', 'verifyBatch', 'begin', 'beginAsync']

/**
 * Runs one case through every entry point in a child process; the outcome of each entry.
 * @param {string[]} flags
 * @param {string} which
 * @returns {Record<string, object>}
 */
function runCase(flags, which) {
  const r = spawnSync(process.execPath, [...flags, FIXTURE, which, ...ENTRIES], { encoding: 'utf8', timeout: 60000 })
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  const done = lines.map((l) => l.entry)
  assert.equal(r.signal, null, `${which}: the process died with ${r.signal} after ${done.join(', ') || 'nothing'}`)
  assert.equal(r.status, 0, `${which}: ${r.stderr}`)
  assert.deepEqual(done, ENTRIES, which)
  return Object.fromEntries(lines.map(({ entry, ...outcome }) => [entry, outcome]))
}

const VERIFIED = {
  verify: { result: { resourceId: 'w-hostile' } },
  diagnose: { result: { verifies: true } },
  verifyBatch: { result: { resourceId: 'w-hostile' } },
  begin: { result: { resourceId: 'w-hostile' } },
  beginAsync: { result: { resourceId: 'w-hostile' } },
}
const EMPTY_BODY = { name: 'WebhookError', code: 'ERR_MALFORMED_ENVELOPE', message: 'the body is truncated JSON (line 1, column 0)' }
const DETACHED = {
  error: {
    name: 'TypeError',
    message: "the body's ArrayBuffer is detached (transferred or structured-cloned away): pass the bytes as they were received",
  },
}

/** What each case must give through each entry point. */
const EXPECTED = {
  // The body as it is once the headers are read: the whole grown delivery, which verifies
  // (read in place before the getter ran, it was a 10-byte prefix).
  getter_grows_body: VERIFIED,
  proxy_rewrites_body: VERIFIED,
  // Shrunk to nothing: an empty body, refused as such (not a read past its end).
  getter_shrinks_body: {
    verify: { error: EMPTY_BODY },
    diagnose: { result: { verifies: false } },
    verifyBatch: { error: EMPTY_BODY },
    begin: { result: { answer: 'ERR_MALFORMED_ENVELOPE' } },
    beginAsync: { result: { answer: 'ERR_MALFORMED_ENVELOPE' } },
  },
  // Detached (transferred, structured-cloned away, or before the call): a TypeError, not a
  // read of memory the body no longer owns.
  getter_transfers_body: Object.fromEntries(ENTRIES.map((e) => [e, DETACHED])),
  getter_clones_body_away: Object.fromEntries(ENTRIES.map((e) => [e, DETACHED])),
  detached_before: Object.fromEntries(ENTRIES.map((e) => [e, DETACHED])),
}

test('hostile bodies: changed, shrunk or detached from header getters and Proxy traps', () => {
  const flags = bufferFlags()
  for (const [which, expected] of Object.entries(EXPECTED)) {
    assert.deepEqual(runCase(flags, which), expected, which)
  }
})

test('bodies in other views, and in a SharedArrayBuffer, are read as their bytes', () => {
  const bytes = new Uint8Array(good.body)
  const copy = () => bytes.slice().buffer
  const shared = new SharedArrayBuffer(bytes.length)
  new Uint8Array(shared).set(bytes)
  const padded = new ArrayBuffer(bytes.length + 16)
  new Uint8Array(padded, 8, bytes.length).set(bytes)
  const forms = [
    new DataView(copy()),
    new Uint8ClampedArray(copy()),
    new Uint8Array(padded, 8, bytes.length),
    new DataView(padded, 8, bytes.length),
    shared,
    new Uint8Array(shared),
  ]
  if (bytes.length % 2 === 0) forms.push(new Uint16Array(copy()))
  for (const body of forms) assert.equal(webhook.verify(body, good.headers).resourceId, 't', Object.prototype.toString.call(body))
})
