'use strict'
// Refusal messages never quote unauthenticated input: for each error code, hostile input
// carrying a marker (often hundreds of kilobytes of it) gives a message of at most 200
// characters that does not contain the marker.

const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')

const { Webhook, Event, WebhookError, ERROR_CODES, TestSigner, Deduplicator, RedisStore } = require('..')

const MARKER = 'PWNMARKER'
const MAX_MESSAGE_CHARS = 200
const huge = (size) => MARKER.repeat(Math.ceil(size / MARKER.length))
const b64 = (text) => Buffer.from(text).toString('base64')

const signer = TestSigner.fromSeed(61)
const webhook = new Webhook(signer.publicKeyB64)

/** Checks a refusal's code and message; returns the message. */
function check(code, error) {
  assert.ok(error instanceof WebhookError, `expected a WebhookError, got ${error}`)
  assert.equal(error.code, code, error.message.slice(0, 300))
  const chars = [...error.message].length
  assert.ok(chars > 0 && chars <= MAX_MESSAGE_CHARS, `${chars} characters: ${error.message.slice(0, 300)}`)
  assert.ok(!error.message.includes(MARKER), error.message.slice(0, 300))
  assert.ok(!error.message.endsWith('…'), `cut by the backstop, not short as written: ${error.message}`)
  return error.message
}

function refused(code, action) {
  try {
    action()
  } catch (e) {
    return check(code, e)
  }
  assert.fail(`expected ${code}`)
}

async function refusedAsync(code, action) {
  try {
    await action()
  } catch (e) {
    return check(code, e)
  }
  assert.fail(`expected ${code}`)
}

function signed(domain, payload) {
  return { body: Buffer.from(JSON.stringify({ domain, payload })), headers: { Signature: signer.sign(payload) } }
}

const covered = new Set()
function codeTest(code, fn) {
  covered.add(code)
  test(code, fn)
}

codeTest('ERR_MISSING_SIGNATURE', () => {
  const body = JSON.stringify({ payload: huge(1000), domain: huge(300_000) })
  refused('ERR_MISSING_SIGNATURE', () => webhook.verify(body, {}))
  refused('ERR_MISSING_SIGNATURE', () => webhook.verify(body, { Signature: '  ' }))
  refused('ERR_MISSING_SIGNATURE', () => webhook.verify(body, [[huge(10_000), huge(10_000)]]))
})

codeTest('ERR_MALFORMED_SIGNATURE', () => {
  const { body } = signed('WALLET', b64('{"id":"w"}'))
  for (const signature of [huge(400_000), `${MARKER}$`, `${MARKER}-_`, b64(huge(60))]) {
    refused('ERR_MALFORMED_SIGNATURE', () => webhook.verify(body, { Signature: signature }))
  }
})

codeTest('ERR_INVALID_SIGNATURE', async () => {
  const { headers } = signed('WALLET', 'e30=')
  const body = JSON.stringify({ domain: huge(300_000), payload: b64(huge(300_000)) })
  refused('ERR_INVALID_SIGNATURE', () => webhook.verify(body, headers))
  const keys = Array.from({ length: 12 }, (_, i) => TestSigner.fromSeed(100 + i).publicKeyB64)
  const rotation = new Webhook(keys)
  assert.match(refused('ERR_INVALID_SIGNATURE', () => rotation.verify(body, headers)), /and 9 more/)
  // The batch path reports the same errors.
  const [result] = await webhook.verifyBatch([{ body, headers }])
  assert.equal(result.ok, false)
  check('ERR_INVALID_SIGNATURE', result.error)
})

codeTest('ERR_INVALID_PUBLIC_KEY', () => {
  const label = `-----BEGIN ${huge(10_000)}-----\nAAAA\n-----END ${huge(10_000)}-----\n`
  for (const key of [huge(400_000), `${MARKER}!`, label]) {
    refused('ERR_INVALID_PUBLIC_KEY', () => new Webhook(key))
    const message = refused('ERR_INVALID_PUBLIC_KEY', () => new Webhook([signer.publicKeyB64, key]))
    assert.ok(message.startsWith('key #2: '), message)
  }
})

codeTest('ERR_BODY_NOT_RAW', () => {
  const { headers } = signed('WALLET', 'e30=')
  const parsed = { [huge(100_000)]: huge(100_000), payload: huge(1000) }
  for (const body of [parsed, [huge(100_000)], null, undefined, 42, true]) {
    refused('ERR_BODY_NOT_RAW', () => webhook.verify(body, headers))
  }
})

codeTest('ERR_BODY_TOO_LARGE', () => {
  const small = new Webhook(signer.publicKeyB64, { maxBodyBytes: 1000 })
  refused('ERR_BODY_TOO_LARGE', () => small.verify(huge(100_000), { Signature: huge(1000) }))
})

codeTest('ERR_MALFORMED_ENVELOPE', () => {
  const key = huge(400_000)
  const { headers } = signed('WALLET', 'e30=')
  const bodies = [
    // A 400 KB key given twice, before any signature check.
    `{"${key}":1,"payload":"e30=","${key}":2}`,
    `{"payload":"e30=","payload":"${key}"}`,
    `{"payload":5,"${key}":1}`,
    `{"domain":["${key}"],"payload":"e30="}`,
    `{"${key}":1}`,
    `["${key}"]`,
    `{"payload":"${key}`,
    Buffer.concat([Buffer.from(`{"payload":"e30=","x":"${key}`), Buffer.from([0xff, 0x22, 0x7d])]),
  ]
  for (const body of bodies) refused('ERR_MALFORMED_ENVELOPE', () => webhook.verify(body, headers))
})

codeTest('ERR_MALFORMED_PAYLOAD', () => {
  const m = huge(100_000)
  const payloads = [
    `${MARKER}!!`,
    b64(m),
    b64(`["${m}"]`),
    b64(`{"id":{"${m}":1}}`),
    b64(`{"id":"x","asset":"${m}, expected ${m} at line 1"}`),
    b64(`{"id":"x","qty":["${m}"]}`),
    b64(`{"${m}":1}`),
  ]
  for (const payload of payloads) {
    const { body, headers } = signed('TRANSACTION', payload)
    refused('ERR_MALFORMED_PAYLOAD', () => webhook.verify(body, headers))
  }
  refused('ERR_MALFORMED_PAYLOAD', () => Event.fromJSON(`{"${m}":1}`))
})

codeTest('ERR_STALE_EVENT', () => {
  const strict = new Webhook(signer.publicKeyB64, { maxAge: 60 })
  const m = huge(100_000)
  for (const resource of [{ id: m, updatedAt: m }, { id: m, updatedAt: '2020-01-01T00:00:00Z', x: m }, { id: m }]) {
    const d = signer.delivery('WALLET', resource)
    refused('ERR_STALE_EVENT', () => strict.verify(d.body, d.headers))
  }
})

/** A port nothing listens on. */
async function closedPort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = /** @type {net.AddressInfo} */ (server.address())
  await new Promise((resolve) => server.close(resolve))
  return port
}

codeTest('ERR_STORE_UNAVAILABLE', async () => {
  refused('ERR_STORE_UNAVAILABLE', () => new RedisStore(`redis://${huge(300)}[/`))
  // A closed port, with a password in the URL: the URL is never quoted, nor the key claimed.
  const url = `redis://user:${huge(300)}@127.0.0.1:${await closedPort()}/0`
  const store = new RedisStore(url, { timeoutMs: 300, connectTimeoutMs: 300 })
  const dedup = new Deduplicator({ store })
  await refusedAsync('ERR_STORE_UNAVAILABLE', () => dedup.claim(huge(100_000)))
})

test('every error code is covered here', () => {
  assert.deepEqual([...covered].sort(), [...ERROR_CODES].sort())
})
