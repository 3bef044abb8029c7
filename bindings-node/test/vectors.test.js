'use strict'
// The shared conformance vectors and Wycheproof, run through the Node binding: the outcome,
// the error code and the event fields must match what every other SDK produces.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const { Webhook, Event, WebhookError, verifyWebhook } = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const conformance = JSON.parse(fs.readFileSync(path.join(VECTORS, 'conformance.json'), 'utf8'))

function optionsOf(c) {
  const o = c.options || {}
  const options = {}
  if (o.max_body_bytes != null) options.maxBodyBytes = o.max_body_bytes
  if (o.digest != null) options.digest = o.digest
  if (o.max_age_seconds != null) options.maxAge = o.max_age_seconds
  return options
}

const FIELDS = [
  ['domain', 'domain'],
  ['idempotency_key', 'idempotencyKey'],
  ['resource_id', 'resourceId'],
  ['updated_at', 'updatedAt'],
  ['status', 'status'],
  ['timestamp', 'timestamp'],
  ['key_fingerprint', 'keyFingerprint'],
]

test('the vector file is substantial', () => {
  assert.ok(conformance.cases.length >= 40, `only ${conformance.cases.length} cases`)
  assert.ok(conformance.verify_webhook_cases.length > 0)
})

for (const c of conformance.cases) {
  test(`conformance: ${c.name}`, () => {
    const expect = c.expect
    const body = Buffer.from(c.body_b64, 'base64')
    let webhook
    try {
      webhook = new Webhook(c.keys, optionsOf(c))
    } catch (e) {
      assert.equal(expect.stage, 'construct', `construction failed unexpectedly: ${e}`)
      assert.ok(e instanceof WebhookError, `expected a WebhookError, got ${e}`)
      assert.equal(e.code, expect.error)
      return
    }
    assert.notEqual(expect.stage, 'construct', 'construction should have failed')

    // The headers exactly as in the vector (pairs), as Node presents them (an object with
    // lower-case names), and as a Fetch Headers.
    const asObject = {}
    for (const [name, value] of c.headers) {
      const key = name.toLowerCase()
      assert.ok(!(key in asObject), 'vectors carry each header once')
      asObject[key] = value
    }
    const forms = [c.headers, asObject, new Headers(c.headers)]

    for (const [i, headers] of forms.entries()) {
      let event
      try {
        event = webhook.verify(body, headers)
      } catch (e) {
        assert.ok(e instanceof WebhookError, `expected a WebhookError, got ${e && e.stack}`)
        assert.equal(expect.ok, false, `refused: ${e.code}: ${e.message}`)
        assert.equal(e.code, expect.error, `form ${i}`)
        continue
      }
      assert.equal(expect.ok, true, `verified, expected ${expect.error} (form ${i})`)
      for (const [wire, js] of FIELDS) {
        assert.equal(event[js], expect[wire] ?? null, `${js} (form ${i})`)
      }
      // The typed data, the raw JSON and the serialised form agree.
      assert.equal(typeof event.data.kind, 'string')
      assert.deepEqual(event.raw, JSON.parse(Buffer.from(event.payload, 'base64').toString('utf8')))
      if (event.resourceId !== null && event.data.kind !== 'unknown') assert.equal(event.data.id, event.resourceId)
      const back = Event.fromJSON(JSON.stringify(event))
      for (const [, js] of FIELDS) assert.equal(back[js], event[js])
      assert.deepEqual(back.raw, event.raw)
      assert.deepEqual(back.data, event.data)
    }
  })
}

test('idempotency keys are distinct exactly for distinct events', () => {
  // Two verified vectors share a key exactly when they share the domain and the signed id and
  // updatedAt (or, without those, the payload).
  const identityOf = new Map()
  const identities = new Set()
  for (const c of conformance.cases) {
    if (!c.expect.ok) continue
    const event = new Webhook(c.keys, optionsOf(c)).verify(Buffer.from(c.body_b64, 'base64'), c.headers)
    const fields = event.resourceId && event.updatedAt ? [event.resourceId, event.updatedAt] : [event.payload]
    const identity = JSON.stringify([event.domain, ...fields])
    if (!identityOf.has(event.idempotencyKey)) identityOf.set(event.idempotencyKey, identity)
    assert.equal(identityOf.get(event.idempotencyKey), identity, c.name)
    identities.add(identity)
  }
  assert.equal(identityOf.size, identities.size)
  assert.ok(identities.size >= 20, `only ${identities.size} distinct events`)
})

for (const c of conformance.verify_webhook_cases) {
  test(`verifyWebhook: ${c.name}`, () => {
    assert.equal(verifyWebhook(c.public_key, c.signature, c.payload), c.expect)
  })
}

test('Wycheproof ECDSA P-256 SHA-256: valid verify, invalid are refused', () => {
  const dir = path.join(VECTORS, 'wycheproof')
  const file = 'ecdsa_secp256r1_sha256_test.json'
  const bytes = fs.readFileSync(path.join(dir, file))
  const pinned = fs
    .readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')
    .split('\n')
    .find((l) => l.endsWith(file))
    .split(/\s+/)[0]
  assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), pinned, 'vendored file changed')
  const data = JSON.parse(bytes.toString('utf8'))
  let valid = 0
  let invalid = 0
  for (const group of data.testGroups) {
    const key = Buffer.from(group.publicKeyDer, 'hex').toString('base64')
    const webhook = new Webhook(key)
    for (const t of group.tests) {
      const msg = Buffer.from(t.msg, 'hex').toString('latin1')
      const sig = Buffer.from(t.sig, 'hex').toString('base64')
      let error = null
      let fingerprint = null
      try {
        fingerprint = webhook.verifySignature(msg, sig)
      } catch (e) {
        error = e
      }
      if (t.result === 'valid') {
        assert.equal(error, null, `tc ${t.tcId} valid but refused: ${error}`)
        assert.equal(fingerprint, webhook.keyFingerprints[0])
        assert.equal(verifyWebhook(key, sig, msg), true, `tc ${t.tcId} verifyWebhook`)
        valid++
      } else if (t.result === 'invalid') {
        assert.ok(error instanceof WebhookError, `tc ${t.tcId} invalid but accepted`)
        const expected = sig === '' ? ['ERR_MISSING_SIGNATURE'] : ['ERR_INVALID_SIGNATURE', 'ERR_MALFORMED_SIGNATURE']
        assert.ok(expected.includes(error.code), `tc ${t.tcId}: ${error.code}`)
        assert.equal(verifyWebhook(key, sig, msg), false, `tc ${t.tcId} verifyWebhook`)
        invalid++
      } else {
        throw new Error(`tc ${t.tcId}: unexpected result ${t.result}`)
      }
    }
  }
  assert.equal(valid + invalid, data.numberOfTests)
  assert.ok(valid > 0 && invalid > 0)
})
