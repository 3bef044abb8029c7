'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')

const crypto = require('node:crypto')

const sdk = require('..')
const {
  Webhook,
  Event,
  WebhookError,
  ERROR_CODES,
  ERROR_STATUS,
  CODES,
  TestSigner,
  Deduplicator,
  MemoryStore,
  verifyWebhook,
  httpStatusFor,
} = sdk

const signer = TestSigner.fromSeed(42)
const webhook = new Webhook(signer.publicKeyB64)
const TX = {
  id: 'tx-1',
  walletId: 'w-1',
  status: 'CONFIRMED',
  action: 'DEPOSIT',
  updatedAt: '2025-05-08T14:15:37Z',
  qty: 1.5,
  sequence: '18446744073709551615',
  asset: { symbol: 'ETH', decimals: '18' },
  custom: { kept: true },
}

test('verify returns a typed, camelCase event', () => {
  const d = signer.delivery('TRANSACTION', TX, { timestamp: '2025-05-08T14:15:38Z' })
  assert.ok(Buffer.isBuffer(d.body))
  assert.equal(d.headers.Signature, d.signature)
  const event = webhook.verify(d.body, d.headers)
  assert.ok(event instanceof Event)
  assert.equal(event.domain, 'TRANSACTION')
  assert.equal(event.timestamp, '2025-05-08T14:15:38Z')
  assert.equal(event.idempotencyKey, 'TRANSACTION/tx-1/2025-05-08T14:15:37Z')
  assert.equal(event.resourceId, 'tx-1')
  assert.equal(event.updatedAt, '2025-05-08T14:15:37Z')
  assert.equal(event.status, 'CONFIRMED')
  assert.equal(event.payload, d.payload)
  assert.equal(event.keyFingerprint, signer.fingerprint)
  assert.deepEqual(event.raw, TX)
  // data: the typed model (numbers the model keeps as text become strings; unknown fields only in raw)
  assert.equal(event.data.kind, 'transaction')
  assert.equal(event.data.qty, '1.5')
  assert.equal(event.data.sequence, '18446744073709551615')
  assert.deepEqual(event.data.asset, { symbol: 'ETH', decimals: 18 })
  assert.equal(event.data.custom, undefined)
  assert.equal(event.data.feeQty, undefined, 'absent fields are left out')
  // lazy values are cached
  assert.equal(event.raw, event.raw)
  assert.equal(event.data, event.data)
})

test('wallet, approval and unknown domains', () => {
  const w = webhook.verify(...Object.values(pick(signer.delivery('WALLET', { id: 'w1', keystore: 'MPC', status: 'TELEPORTED' }))))
  assert.equal(w.data.kind, 'wallet')
  assert.equal(w.data.keystore, 'MPC')
  assert.equal(w.data.status, 'TELEPORTED', 'unknown enum values are kept')
  assert.match(w.idempotencyKey, /^WALLET\/sha256:[0-9a-f]{64}$/, 'no updatedAt: hash key')
  const a = webhook.verify(...Object.values(pick(signer.delivery('APPROVAL', { id: 'a1', status: 'APPROVED', updatedAt: 'u' }))))
  assert.equal(a.data.kind, 'approval')
  assert.equal(a.data.status, 'APPROVED')
  const u = webhook.verify(...Object.values(pick(signer.delivery('SOMETHING_NEW', { id: 'x', anything: [1, 2] }))))
  assert.equal(u.domain, 'SOMETHING_NEW')
  assert.equal(u.data.kind, 'unknown')
  assert.deepEqual(u.data.anything, [1, 2])
})

function pick(d) {
  return { body: d.body, headers: d.headers }
}

test('every header form, found case-insensitively', () => {
  const d = signer.delivery('WALLET', { id: 'w1', updatedAt: 'u' })
  const lower = { 'content-type': 'application/json', signature: d.signature }
  const forms = [
    d.headers,
    lower,
    { SIGNATURE: d.signature },
    { signature: [d.signature, 'ignored'] },
    Object.entries(d.headers),
    [['sIgNaTuRe', d.signature]],
    new Headers(d.headers),
    new Map(Object.entries(d.headers)),
    Object.assign(Object.create(null), lower),
  ]
  for (const headers of forms) assert.equal(webhook.verify(d.body, headers).resourceId, 'w1')
  // Inherited properties are not headers.
  assert.throws(() => webhook.verify(d.body, Object.create({ signature: d.signature })), { code: 'ERR_MISSING_SIGNATURE' })
  assert.throws(() => webhook.verify(d.body, { signature: '' }), { code: 'ERR_MISSING_SIGNATURE' })
  assert.throws(() => webhook.verify(d.body, { signature: undefined }), { code: 'ERR_MISSING_SIGNATURE' })
})

test('only the first Signature header is read: other values are never touched', () => {
  const d = signer.delivery('WALLET', { id: 'w1', updatedAt: 'u' })
  const forged = TestSigner.fromSeed(7).sign(d.payload)
  const untouchable = () => {
    throw new Error('a header other than Signature was read')
  }
  // The first name that is Signature (trimmed, any ASCII case) wins, in the collection's order.
  const object = Object.defineProperties({}, {
    'x-other': { enumerable: true, get: untouchable },
    ' Signature\t': { enumerable: true, value: d.signature },
    signature: { enumerable: true, get: untouchable },
  })
  assert.equal(webhook.verify(d.body, object).resourceId, 'w1')
  const long = `${' '.repeat(200)}SIGNATURE`
  assert.equal(webhook.verify(d.body, { [long]: d.signature, signature: forged }).resourceId, 'w1')
  assert.throws(() => webhook.verify(d.body, { signature: forged, Signature: d.signature }), { code: 'ERR_INVALID_SIGNATURE' })
  const pairs = [['x-other', Object.defineProperty([], 0, { get: untouchable })], ['Signature', d.signature], ['signature', forged]]
  assert.equal(webhook.verify(d.body, pairs).resourceId, 'w1')
  // A malformed list is still refused, wherever its Signature header is.
  assert.throws(() => webhook.verify(d.body, [['Signature', d.signature], ['x']]), TypeError)
  assert.throws(() => webhook.verify(d.body, [['Signature', d.signature], [1, 'x']]), TypeError)
})

test('every body form', () => {
  const d = signer.delivery('WALLET', { id: 'w1', updatedAt: 'u' })
  const bytes = new Uint8Array(d.body)
  const forms = [d.body, bytes, d.body.toString('utf8'), bytes.buffer.slice(0), new DataView(bytes.buffer.slice(0))]
  for (const body of forms) assert.equal(webhook.verify(body, d.headers).resourceId, 'w1')
})

test('a parsed body is refused with ERR_BODY_NOT_RAW and a pointer to express.raw()', () => {
  const d = signer.delivery('WALLET', { id: 'w1' })
  for (const body of [JSON.parse(d.body.toString()), [1], undefined, null, 42, true]) {
    assert.throws(
      () => webhook.verify(body, d.headers),
      (e) => e instanceof WebhookError && e.code === 'ERR_BODY_NOT_RAW' && /express\.raw\(\)|express\.raw\(/.test(e.message)
    )
  }
})

test('refusals carry the stable codes', () => {
  const d = signer.delivery('WALLET', { id: 'w1' })
  const other = TestSigner.fromSeed(7)
  const forged = other.delivery('WALLET', { id: 'w1', name: 'other' })
  assert.throws(() => webhook.verify(d.body, {}), { name: 'WebhookError', code: 'ERR_MISSING_SIGNATURE' })
  assert.throws(() => webhook.verify(forged.body, d.headers), { code: 'ERR_INVALID_SIGNATURE' })
  assert.throws(() => webhook.verify(d.body, forged.headers), { code: 'ERR_INVALID_SIGNATURE' })
  assert.throws(() => webhook.verify(d.body, { signature: 'not base64!' }), { code: 'ERR_MALFORMED_SIGNATURE' })
  assert.throws(() => webhook.verify('{}', d.headers), { code: 'ERR_MALFORMED_ENVELOPE' })
  assert.throws(() => new Webhook(signer.publicKeyB64, { maxBodyBytes: 10 }).verify(d.body, d.headers), {
    code: 'ERR_BODY_TOO_LARGE',
  })
  assert.throws(() => new Webhook('not a key'), { code: 'ERR_INVALID_PUBLIC_KEY' })
  assert.throws(() => new Webhook([]), { code: 'ERR_INVALID_PUBLIC_KEY' })
  const stale = new Webhook(signer.publicKeyB64, { maxAge: 60 })
  const old = signer.delivery('WALLET', { id: 'w1', updatedAt: '2020-01-01T00:00:00Z' })
  assert.throws(() => stale.verify(old.body, old.headers), { code: 'ERR_STALE_EVENT' })
  const e = (() => {
    try {
      webhook.verify(forged.body, d.headers)
    } catch (err) {
      return err
    }
  })()
  assert.ok(e instanceof Error && e instanceof WebhookError)
  assert.equal(e.name, 'WebhookError')
  assert.ok(!e.message.includes('w1'), 'messages never echo payload contents')
  assert.deepEqual([...WebhookError.codes], [...ERROR_CODES, 'ERR_TICKET_SETTLED'])
  assert.equal(ERROR_CODES.length, 10)
  assert.equal(httpStatusFor('ERR_INVALID_SIGNATURE'), 401)
  assert.equal(httpStatusFor(e), 401)
  assert.equal(httpStatusFor('ERR_MALFORMED_PAYLOAD'), 400)
  assert.equal(httpStatusFor('ERR_BODY_TOO_LARGE'), 413)
  assert.equal(httpStatusFor('ERR_STORE_UNAVAILABLE'), 503)
})

test('httpStatusFor: the core table for every code, 500 for anything else', () => {
  // The table every SDK answers with (the core's ErrorCode::http_status).
  const expected = {
    ERR_MISSING_SIGNATURE: 401,
    ERR_MALFORMED_SIGNATURE: 401,
    ERR_INVALID_SIGNATURE: 401,
    ERR_INVALID_PUBLIC_KEY: 500,
    ERR_BODY_NOT_RAW: 500,
    ERR_BODY_TOO_LARGE: 413,
    ERR_MALFORMED_ENVELOPE: 400,
    ERR_MALFORMED_PAYLOAD: 400,
    ERR_STALE_EVENT: 400,
    ERR_STORE_UNAVAILABLE: 503,
  }
  assert.deepEqual(Object.fromEntries(ERROR_CODES.map((c) => [c, httpStatusFor(c)])), expected)
  for (const code of ERROR_CODES) assert.equal(httpStatusFor(new WebhookError(code, 'x')), expected[code])
  for (const other of ['', 'err_invalid_signature', 'ERR_NOPE', 'ERR_STORE_UNAVAILABLE ', null, undefined, 42, {}, { code: 7 }]) {
    assert.equal(httpStatusFor(/** @type {any} */ (other)), 500, String(other))
  }
})

test('programming errors are TypeErrors', () => {
  const d = signer.delivery('WALLET', { id: 'w1' })
  assert.throws(() => webhook.verify(d.body), TypeError)
  assert.throws(() => webhook.verify(d.body, 'signature: x'), TypeError)
  assert.throws(() => webhook.verify(d.body, [['signature']]), TypeError)
  assert.throws(() => webhook.verify(d.body, [[1, 'x']]), TypeError)
  assert.throws(() => new Webhook(42), TypeError)
  assert.throws(() => new Webhook([signer.publicKeyB64, 1]), TypeError)
  assert.throws(() => new Webhook(signer.publicKeyB64, { digest: 'md5' }), TypeError)
  assert.throws(() => new Webhook(signer.publicKeyB64, { maxBodyBytes: -1 }), TypeError)
  assert.throws(() => new Webhook(signer.publicKeyB64, { maxBodyBytes: 'big' }), TypeError)
  assert.throws(() => new Webhook(signer.publicKeyB64, { maxAge: Infinity }), TypeError)
  assert.throws(() => webhook.verifySignature(1, 2), TypeError)
  assert.throws(() => TestSigner.fromSeed(-1), TypeError)
  assert.throws(() => new Deduplicator({ store: {} }), TypeError)
  assert.throws(() => new Deduplicator({ leaseSeconds: -5 }), RangeError)
  assert.throws(() => new MemoryStore({ maxEntries: 1.5 }), TypeError)
  assert.throws(() => new Deduplicator({ store: Object.create(MemoryStore.prototype) }), TypeError)
  assert.throws(() => new Event(), Error)
})

test('options are exposed', () => {
  const w = new Webhook([signer.publicKeyB64, TestSigner.fromSeed(9).publicKeyB64], {
    maxBodyBytes: 4096,
    digest: 'sha256-double',
    maxAge: 3600,
  })
  assert.equal(w.maxBodyBytes, 4096)
  assert.equal(w.digest, 'sha256-double')
  assert.equal(w.maxAge, 3600)
  assert.equal(w.keyFingerprints.length, 2)
  assert.equal(webhook.maxBodyBytes, 1048576)
  assert.equal(webhook.digest, 'sha256')
  assert.equal(webhook.maxAge, null)
})

test('key rotation and the double-hash digest', () => {
  const next = TestSigner.fromSeed(43)
  const both = new Webhook([signer.publicKeyB64, next.publicKeyB64])
  const d = next.delivery('WALLET', { id: 'w1' })
  assert.equal(both.verify(d.body, d.headers).keyFingerprint, next.fingerprint)
  const dbl = signer.delivery('WALLET', { id: 'w1' }, { digest: 'sha256-double' })
  assert.throws(() => webhook.verify(dbl.body, dbl.headers), { code: 'ERR_INVALID_SIGNATURE' })
  assert.equal(new Webhook(signer.publicKeyB64, { digest: 'sha256-double' }).verify(dbl.body, dbl.headers).resourceId, 'w1')
})

test('verifySignature names swapped arguments', () => {
  const d = signer.delivery('WALLET', { id: 'w1' })
  assert.throws(
    () => webhook.verifySignature(d.signature, d.payload),
    (e) => e instanceof WebhookError && e.code === 'ERR_MALFORMED_SIGNATURE' && /arguments swapped\? The payload comes first/.test(e.message)
  )
  assert.throws(() => webhook.verifySignature(d.payload, 'AAAA'), (e) => e instanceof WebhookError && !/swapped/.test(e.message))
})

/**
 * The documentation's Node snippet, written with node:crypto the way it is published: what it
 * accepts, the drop-in accepts.
 * @param {any} publicKeyB64
 * @param {any} signatureB64
 * @param {any} payloadB64
 */
function documentationSnippet(publicKeyB64, signatureB64, payloadB64) {
  const key = crypto.createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' })
  const verifier = crypto.createVerify('SHA256')
  verifier.update(payloadB64)
  return verifier.verify(key, Buffer.from(signatureB64, 'base64'))
}

test('verifyWebhook takes Buffers as the documentation snippet does', () => {
  const d = signer.delivery('WALLET', { id: 'w-buffers' })
  const key = Buffer.from(signer.publicKeyB64, 'base64')
  const sig = Buffer.from(d.signature, 'base64')
  const payload = Buffer.from(d.payload)
  const forms = [
    [signer.publicKeyB64, d.signature, d.payload],
    [key, sig, payload],
    [signer.publicKeyB64, sig, d.payload],
    [key, d.signature, payload],
    [new Uint8Array(key), new Uint8Array(sig), new Uint8Array(payload)],
  ]
  for (const args of forms) {
    assert.equal(documentationSnippet(...args), true)
    assert.equal(verifyWebhook(...args), true, args.map((a) => typeof a).join())
  }
  const tampered = Buffer.from(d.payload + 'x')
  assert.equal(documentationSnippet(key, sig, tampered), false)
  assert.equal(verifyWebhook(key, sig, tampered), false)
  assert.equal(verifyWebhook(key, sig.subarray(1), payload), false)
  assert.equal(verifyWebhook(key.subarray(3), sig, payload), false)
  assert.equal(verifyWebhook(key, sig, Buffer.from([0xff, 0xfe])), false, 'a payload that is not text')
  const detached = new Uint8Array(payload)
  structuredClone(detached.buffer, { transfer: [detached.buffer] })
  assert.equal(verifyWebhook(key, sig, detached), false, 'a detached payload')
  assert.equal(verifyWebhook.length, 3)
})

test('diagnose: the doctor report, typed', () => {
  const d = signer.delivery('WALLET', { id: 'w-diag' })
  const ok = webhook.diagnose(d.body, d.headers)
  assert.deepEqual(Object.keys(ok), ['verifies', 'digest', 'error', 'cause', 'checks'])
  assert.equal(ok.verifies, true)
  assert.equal(ok.digest, 'sha256')
  assert.equal(ok.error, null)
  assert.ok(ok.checks.length > 0 && ok.checks.every((c) => c.ok && typeof c.name === 'string' && typeof c.detail === 'string'))
  assert.ok(Object.isFrozen(ok) && Object.isFrozen(ok.checks))

  const dbl = signer.delivery('WALLET', { id: 'w-diag' }, { digest: 'sha256-double' })
  const report = webhook.diagnose(dbl.body, dbl.headers)
  assert.equal(report.verifies, false)
  assert.equal(report.digest, 'sha256-double')
  assert.equal(report.error, 'ERR_INVALID_SIGNATURE')
  assert.match(report.cause, /sha256-double/)

  const missing = webhook.diagnose(d.body, {})
  assert.equal(missing.error, 'ERR_MISSING_SIGNATURE')
  assert.equal(missing.digest, null)
  const other = TestSigner.fromSeed(77).delivery('WALLET', { id: 'w' })
  assert.match(webhook.diagnose(other.body, other.headers).cause, /does not match this key/)
  // With two keys, the report is the signing key's.
  const rotated = new Webhook([TestSigner.fromSeed(78).publicKeyB64, signer.publicKeyB64])
  assert.equal(rotated.diagnose(d.body, d.headers).verifies, true)
  assert.throws(() => webhook.diagnose({}, d.headers), { code: 'ERR_BODY_NOT_RAW' })
  assert.throws(() => webhook.diagnose(d.body, /** @type {any} */ (7)), TypeError)
})

test('code constants come from the core', () => {
  assert.equal(CODES.INVALID_SIGNATURE, 'ERR_INVALID_SIGNATURE')
  assert.equal(CODES.TICKET_SETTLED, 'ERR_TICKET_SETTLED')
  assert.equal(CODES.IN_PROGRESS, 'in_progress')
  assert.deepEqual(Object.keys(ERROR_STATUS), [...ERROR_CODES])
  for (const code of ERROR_CODES) assert.equal(ERROR_STATUS[code], httpStatusFor(code))
  assert.ok(Object.isFrozen(CODES) && Object.isFrozen(ERROR_STATUS))
})

test('verifySignature and verifyWebhook', () => {
  const d = signer.delivery('WALLET', { id: 'w1' })
  assert.equal(webhook.verifySignature(d.payload, d.signature), signer.fingerprint)
  assert.equal(signer.sign(d.payload), d.signature)
  assert.throws(() => webhook.verifySignature(d.payload + 'x', d.signature), { code: 'ERR_INVALID_SIGNATURE' })
  assert.equal(verifyWebhook(signer.publicKeyB64, d.signature, d.payload), true)
  assert.equal(verifyWebhook(signer.publicKeyB64, d.signature, d.payload + 'x'), false)
  for (const args of [[], [1, 2, 3], [null, d.signature, d.payload], ['k', 's', 'p'], [signer.publicKeyB64, {}, d.payload]]) {
    assert.equal(verifyWebhook(...args), false)
  }
})

test('events serialise to the cross-language form and back', () => {
  const d = signer.delivery('TRANSACTION', TX, { timestamp: null })
  const event = webhook.verify(d.body, d.headers)
  assert.equal(event.timestamp, null)
  const json = JSON.parse(JSON.stringify(event))
  assert.equal(json.idempotency_key, event.idempotencyKey)
  assert.deepEqual(json.raw, TX)
  assert.equal(event.toJSONString(), JSON.stringify(json))
  for (const input of [JSON.stringify(event), json, event.toJSONString()]) {
    const back = Event.fromJSON(input)
    assert.ok(back instanceof Event)
    assert.equal(back.idempotencyKey, event.idempotencyKey)
    assert.deepEqual(back.data, event.data)
  }
  assert.throws(() => Event.fromJSON('{}'), { code: 'ERR_MALFORMED_PAYLOAD' })
  assert.throws(() => Event.fromJSON('not json'), { code: 'ERR_MALFORMED_PAYLOAD' })
  assert.match(require('node:util').inspect(event), /idempotencyKey: 'TRANSACTION\/tx-1\/2025-05-08T14:15:37Z'/)
})

test('TestSigner: generate, seeds, private keys', () => {
  const a = TestSigner.generate()
  const b = TestSigner.generate()
  assert.notEqual(a.publicKeyB64, b.publicKeyB64)
  assert.match(a.publicKeyB64, /^MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/)
  assert.equal(TestSigner.fromSeed(42).publicKeyB64, signer.publicKeyB64)
  const loaded = TestSigner.fromPrivateKey(a.privateKeyPem)
  assert.equal(loaded.publicKeyB64, a.publicKeyB64)
  assert.throws(() => TestSigner.fromPrivateKey('nope'), WebhookError)
  assert.throws(() => new TestSigner(), TypeError)
  assert.throws(() => a.delivery('WALLET', '[1]'), { code: 'ERR_MALFORMED_PAYLOAD' })
  const d = a.delivery('WALLET', '{"id":"w1", "name":"kept byte for byte"}')
  assert.equal(Buffer.from(d.payload, 'base64').toString(), '{"id":"w1", "name":"kept byte for byte"}')
  const ts = JSON.parse(a.delivery('WALLET', { id: 'w' }).body.toString()).timestamp
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
})

test('verifyBatch runs on the thread pool and reports each item', async () => {
  const good = signer.delivery('WALLET', { id: 'w1', updatedAt: 'u' })
  const forged = TestSigner.fromSeed(1).delivery('WALLET', { id: 'w2' })
  const items = [
    good,
    { body: good.body.toString(), headers: new Headers(good.headers) },
    { body: forged.body, headers: good.headers },
    { body: { parsed: true }, headers: good.headers },
    { body: good.body, headers: [] },
  ]
  const results = await webhook.verifyBatch(items)
  assert.equal(results.length, 5)
  assert.equal(results[0].ok, true)
  assert.equal(results[0].event.idempotencyKey, 'WALLET/w1/u')
  assert.equal(results[1].ok && results[1].event.resourceId, 'w1')
  assert.deepEqual(
    results.slice(2).map((r) => !r.ok && r.error.code),
    ['ERR_INVALID_SIGNATURE', 'ERR_BODY_NOT_RAW', 'ERR_MISSING_SIGNATURE']
  )
  assert.ok(results.slice(2).every((r) => !r.ok && r.error instanceof WebhookError))
  assert.deepEqual(await webhook.verifyBatch([]), [])
  await assert.rejects(webhook.verifyBatch(null), TypeError)
  await assert.rejects(webhook.verifyBatch([{ body: good.body, headers: 5 }]), TypeError)
  // Many at once, interleaved with the event loop.
  const many = Array.from({ length: 64 }, (_, i) => signer.delivery('WALLET', { id: `w${i}`, updatedAt: 'u' }))
  const all = await Promise.all([webhook.verifyBatch(many), webhook.verifyBatch(many)])
  for (const r of all.flat()) assert.equal(r.ok, true)
})

for (const offload of [false, true]) {
  test(`Deduplicator.process (${offload ? 'thread pool' : 'inline'})`, async () => {
    const dedup = new Deduplicator({ store: new MemoryStore(), leaseSeconds: 30, retainSeconds: 600, offload })
    assert.equal(dedup.leaseSeconds, 30)
    assert.equal(dedup.retainSeconds, 600)
    const d = signer.delivery('WALLET', { id: 'w1', updatedAt: 'u1' })
    const event = webhook.verify(d.body, d.headers)
    let calls = 0
    const first = await dedup.process(event, async (ev) => {
      calls++
      assert.equal(ev, event)
      return 'done'
    })
    assert.deepEqual(first, { status: 'processed', result: 'done', completed: true })
    assert.deepEqual(await dedup.process(event, () => calls++), { status: 'duplicate' })
    assert.equal(calls, 1)

    // A failing handler releases its claim and the error is rethrown: the retry processes it.
    const d2 = signer.delivery('WALLET', { id: 'w2', updatedAt: 'u1' })
    const e2 = webhook.verify(d2.body, d2.headers)
    await assert.rejects(
      dedup.process(e2, () => {
        throw new Error('boom')
      }),
      /boom/
    )
    assert.equal((await dedup.process(e2, () => 'ok')).status, 'processed')

    // While one worker holds the claim, others see in_progress.
    const d3 = signer.delivery('WALLET', { id: 'w3', updatedAt: 'u1' })
    const e3 = webhook.verify(d3.body, d3.headers)
    let release
    const holding = dedup.process(e3, () => new Promise((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(await dedup.process(e3, () => assert.fail('must not run')), { status: 'in_progress' })
    release('late')
    assert.equal((await holding).result, 'late')

    // Keys and plain objects work too; claim() gives manual control.
    const claim = await dedup.claim('manual-key')
    assert.equal(claim.status, 'new')
    assert.equal((await dedup.claim({ idempotencyKey: 'manual-key' })).status, 'in_progress')
    assert.equal(await claim.release(), true)
    // A claim settles once, as a Receiver's ticket does.
    const settledTwice = (/** @type {any} */ e) => e instanceof WebhookError && e.code === 'ERR_TICKET_SETTLED'
    await assert.rejects(claim.complete(), settledTwice)
    await assert.rejects(claim.release(), settledTwice)
    const again = await dedup.claim('manual-key')
    assert.equal(await again.complete(), true)
    const dup = await dedup.claim('manual-key')
    assert.equal(dup.status, 'duplicate')
    await assert.rejects(dup.complete(), TypeError)
    await assert.rejects(dedup.process({}, () => 1), TypeError)
    await assert.rejects(dedup.process(event, 'not a function'), TypeError)
  })
}

test('zero and absurd durations and counts are RangeErrors', () => {
  // Zero would turn deduplication off; huge values used to overflow the core's clock.
  for (const s of [0, 0.0009, -1, Infinity, -Infinity, 1e19, 3650 * 86400 + 1]) {
    const range = /must be at least 1 ms and at most 3650 days, not /
    for (const [build, name] of [
      [() => new Deduplicator({ leaseSeconds: s }), 'leaseSeconds'],
      [() => new Deduplicator({ retainSeconds: s }), 'retainSeconds'],
      [() => new MemoryStore({ ttlSeconds: s }), 'ttlSeconds'],
    ]) {
      assert.throws(build, (e) => e instanceof RangeError && e.message.startsWith(`${name} `) && range.test(e.message), `${name}: ${s}`)
    }
  }
  for (const n of [0, -1, -1e12]) {
    assert.throws(() => new MemoryStore({ maxEntries: n }), (e) => e instanceof RangeError && e.message === `maxEntries must be at least 1, not ${n}`)
  }
  assert.throws(() => new Deduplicator({ leaseSeconds: NaN }), TypeError)
  assert.throws(() => new MemoryStore({ ttlSeconds: '60' }), TypeError)
  // The bounds themselves are accepted.
  const tenYears = 3650 * 86400
  const dedup = new Deduplicator({ store: new MemoryStore({ maxEntries: 1, ttlSeconds: 0.001 }), leaseSeconds: tenYears, retainSeconds: 0.001 })
  assert.equal(dedup.leaseSeconds, tenYears)
  assert.equal(dedup.retainSeconds, 0.001)
})

test('an expired lease lets another worker take over', async () => {
  const dedup = new Deduplicator({ leaseSeconds: 0.05 })
  const first = await dedup.claim('k')
  await new Promise((r) => setTimeout(r, 120))
  const second = await dedup.claim('k')
  assert.equal(second.status, 'new')
  assert.equal(await first.complete(), false, 'the old holder lost the key')
  assert.equal(await second.complete(), true)
})

test('a MemoryStore can be shared by deduplicators', async () => {
  const store = new MemoryStore({ maxEntries: 10, ttlSeconds: 60 })
  const a = new Deduplicator({ store })
  const b = new Deduplicator({ store })
  assert.equal((await a.process('shared', () => 1)).status, 'processed')
  assert.equal((await b.process('shared', () => 1)).status, 'duplicate')
})

test('a Rust panic becomes an Error, not a crash', () => {
  const native = require('../lib/native.js')
  const { call } = require('../lib/errors.js')
  assert.throws(() => call(() => native.__panicForTests()), (e) => e instanceof Error && /internal error/.test(e.message))
})

test('ESM import gives the same objects', async () => {
  const esm = await import('palisade-webhooks')
  assert.equal(esm.Webhook, Webhook)
  assert.equal(esm.WebhookError, WebhookError)
  assert.equal(esm.default, sdk)
  const d = signer.delivery('WALLET', { id: 'w1' })
  assert.equal(new esm.Webhook(signer.publicKeyB64).verify(d.body, d.headers).resourceId, 'w1')
})

test('data: fields sent as null are left out, as in every language', () => {
  // The same payloads and expectations as the core's, Python's and Go's tests: the typed
  // resource is the core's canonical JSON, where a field sent as null is absent.
  const cases = [
    [
      'TRANSACTION',
      {
        id: 'tx-null', walletId: null, status: 'SIGNED', qty: null, sequence: null,
        attributes: null, config: null, signingPayloads: null, problems: null, reasons: null,
        signOnly: null, origin: null,
        asset: { symbol: 'ETH', decimals: null, contract: null, blockchain: null },
        feeAsset: { id: null },
        destination: { type: null, address: '0xabc', vaultId: null },
        freezeInfo: { frozen: null },
      },
      {
        kind: 'transaction', id: 'tx-null', status: 'SIGNED', asset: { symbol: 'ETH' },
        feeAsset: {}, destination: { address: '0xabc' },
        // A field kept raw holds the payload's own JSON, its nulls included.
        freezeInfo: { frozen: null },
      },
    ],
    [
      'WALLET',
      { id: 'w-null', name: null, keystore: null, reasons: null, settings: { enabled: null, sweepingEnabled: true } },
      { kind: 'wallet', id: 'w-null', settings: { sweepingEnabled: true } },
    ],
    [
      'APPROVAL',
      { id: 'a-null', signature: null, reasons: null, status: null },
      { kind: 'approval', id: 'a-null' },
    ],
    // An unknown domain has no model: its data is the payload itself.
    ['SOMETHING_NEW', { id: 'x', gone: null }, { kind: 'unknown', id: 'x', gone: null }],
  ]
  for (const [domain, resource, want] of cases) {
    const d = signer.delivery(domain, resource)
    const event = webhook.verify(d.body, d.headers)
    assert.deepEqual(event.raw, resource, domain)
    assert.deepEqual(event.data, want, domain)
    assert.deepEqual(Event.fromJSON(event.toJSONString()).data, want, domain)
  }
})
