#!/usr/bin/env node
// Node.js row of `make bench`: full-delivery verification through the SDK next to what a user
// would write with Node's own `crypto`, on one ~2 KB TRANSACTION delivery, single thread.
//
//   node bench/node_bench.js [SECONDS]     (after `npm run build` in bindings-node)
//
// SECONDS is the time spent on each figure (default 1). Each figure is the median of 7 timed
// batches within the run, the contenders' batches interleaved so that background load hits them
// alike. Before timing, it checks that the SDK and `crypto` both accept the delivery (and agree
// on what it says) and both refuse a forgery. Prints ONE JSON line (µs per delivery; the last
// key is a ratio):
//   sdk_verify_us                  webhook.verify(body, headers), then event.idempotencyKey / .status
//   sdk_signature_only_us          webhook.verifySignature(payload, signature)
//   crypto_keyobject_us            JSON.parse + crypto.verify with a KeyObject made once + JSON.parse
//   crypto_create_per_call_us      the same with crypto.createPublicKey on every call
//   verify_batch_2threads_scaling  throughput of verifyBatch split in two concurrent halves (libuv
//                                  pool, default size) / throughput of sequential verify()
//   crypto_async_2chains_scaling   what node:crypto itself gets from the pool: two concurrent
//                                  chains of its asynchronous crypto.verify (each delivery parsed
//                                  as crypto_keyobject_us does) / sequential synchronous ones
//   sdk_drop_in_us                 verifyWebhook(key, signature, payload), the SDK's drop-in, warm
//                                  (its key cache holds the prepared key from the second call on)
//   docs_function_us               the documentation's verifyWebhook written with node:crypto
//                                  (createPublicKey on every call, then crypto.verify)
//   sdk_drop_in_first_call_us      the drop-in's first call with a key it has not seen, and its
//   sdk_drop_in_second_call_us     second (table preparation): medians over six fresh keys
//
//   node bench/node_bench.js --paired
//
// times slices on request instead, for the driver's paired comparison of each binding with the
// core (bench/run.py): it reads lines `FIGURE SECONDS` on stdin, FIGURE `verify` (sdk_verify_us's
// work) or `signature` (sdk_signature_only_us's), and answers each with one line
// `{"us": µs per call}`, until stdin closes.
// The machine may be shared and noisy: compare ratios within one run, not absolute figures.

'use strict'

const crypto = require('node:crypto')
const path = require('node:path')

const { Webhook, TestSigner, verifyWebhook } = require(path.join(__dirname, '..', 'bindings-node'))

const { RESOURCE } = require('./sample_resource.js')

const paired = process.argv[2] === '--paired'
const seconds = paired ? 1 : Number(process.argv[2] ?? 1)
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`usage: node bench/node_bench.js [SECONDS > 0], got ${process.argv[2]}`)

const BATCHES = 7
const WARMUP_MS = 200

/** Keeps results alive so no work is optimised away. */
let sink = 0

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Times the contenders in BATCHES rounds, interleaved (round 1 of each, then round 2 of each...,
 * so a change in background load hits all of them alike), each batch about seconds/BATCHES
 * long, after a warm-up. Each `run(n)` does `n` deliveries (`n` a multiple of its `unit`);
 * returns the median µs per delivery of each.
 * @param {Record<string, { unit: number, run: (n: number) => void | Promise<void> }>} contenders
 * @returns {Promise<Record<string, number>>}
 */
async function measure(contenders) {
  const names = Object.keys(contenders)
  const budget = (seconds * 1000) / BATCHES
  for (const name of names) {
    const { unit, run } = contenders[name]
    const end = performance.now() + WARMUP_MS
    while (performance.now() < end) await run(unit)
  }
  /** @type {Record<string, number[]>} */
  const perOp = Object.fromEntries(names.map((n) => [n, []]))
  for (let b = 0; b < BATCHES; b++) {
    for (const name of names) perOp[name].push(await timeFor(contenders[name], budget))
  }
  return Object.fromEntries(names.map((n) => [n, median(perOp[n])]))
}

/**
 * Runs a contender in chunks of at least 50 deliveries until `budgetMs` has passed; returns µs
 * per delivery.
 * @param {{ unit: number, run: (n: number) => void | Promise<void> }} contender
 * @param {number} budgetMs
 */
async function timeFor({ unit, run }, budgetMs) {
  const chunk = Math.max(unit, 50)
  let n = 0
  let elapsed = 0
  const start = performance.now()
  do {
    await run(chunk)
    n += chunk
    elapsed = performance.now() - start
  } while (elapsed < budgetMs)
  return (elapsed * 1000) / n
}

/** One turn of the event loop. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/**
 * A synchronous operation as a contender. After each chunk it lets the event loop turn, inside
 * the timed region, as a server does between requests: Node runs native objects' finalizers
 * (those of the SDK's events) only then, so each contender pays for freeing what it made, and a
 * long synchronous loop does not pile up hundreds of MB of garbage that the next contender,
 * the first to yield, would be charged for.
 * @param {() => void} op
 */
function sync(op) {
  return {
    unit: 1,
    async run(/** @type {number} */ n) {
      for (let i = 0; i < n; i++) op()
      await nextTurn()
    },
  }
}

// One delivery as Palisade would POST it: raw body bytes and headers.
const signer = TestSigner.fromSeed(42)
const delivery = signer.delivery('TRANSACTION', RESOURCE)
const { body, headers, payload, signature } = delivery
const publicKeyB64 = signer.publicKeyB64
const webhook = new Webhook(publicKeyB64)
const SIGNATURE_HEADER = Object.keys(headers).find((name) => name.toLowerCase() === 'signature')
if (SIGNATURE_HEADER === undefined) throw new Error('the delivery has no Signature header')

// ---- The contenders ------------------------------------------------------------------------

function sdkVerify() {
  const event = webhook.verify(body, headers)
  sink += event.idempotencyKey.length + event.status.length
}

function sdkSignatureOnly() {
  sink += webhook.verifySignature(payload, signature).length
}

const der = Buffer.from(publicKeyB64, 'base64')
const keyObject = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' })

/** What a user writes with `crypto`: parse the envelope, verify the payload string, decode it. */
function cryptoVerify(key) {
  const envelope = JSON.parse(/** @type {any} */ (body))
  const sig = headers[SIGNATURE_HEADER]
  if (!crypto.verify('sha256', Buffer.from(envelope.payload), key, Buffer.from(sig, 'base64'))) {
    throw new Error('invalid signature')
  }
  const resource = JSON.parse(/** @type {any} */ (Buffer.from(envelope.payload, 'base64')))
  sink += resource.id.length + resource.status.length
  return resource
}

function cryptoKeyObject() {
  cryptoVerify(keyObject)
}

/** cryptoVerify with node:crypto's asynchronous verify, which runs on the libuv pool. */
function cryptoVerifyAsync() {
  const envelope = JSON.parse(/** @type {any} */ (body))
  const sig = Buffer.from(headers[SIGNATURE_HEADER], 'base64')
  return new Promise((resolve, reject) => {
    crypto.verify('sha256', Buffer.from(envelope.payload), keyObject, sig, (err, ok) => {
      if (err || !ok) return reject(err ?? new Error('invalid signature'))
      const resource = JSON.parse(/** @type {any} */ (Buffer.from(envelope.payload, 'base64')))
      sink += resource.id.length + resource.status.length
      resolve(undefined)
    })
  })
}

/** n deliveries through cryptoVerifyAsync as two concurrent chains. */
async function cryptoAsyncTwoChains(/** @type {number} */ n) {
  const chain = async (/** @type {number} */ k) => {
    for (let i = 0; i < k; i++) await cryptoVerifyAsync()
  }
  await Promise.all([chain(Math.ceil(n / 2)), chain(Math.floor(n / 2))])
}

function cryptoCreatePerCall() {
  cryptoVerify(crypto.createPublicKey({ key: der, format: 'der', type: 'spki' }))
}

/** The documentation's function, written with node:crypto as a user would copy it. */
function docsVerifyWebhook(publicKeyB64, signatureB64, payloadB64) {
  const key = crypto.createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' })
  return crypto.verify('sha256', Buffer.from(payloadB64), key, Buffer.from(signatureB64, 'base64'))
}

function sdkDropIn() {
  if (!verifyWebhook(publicKeyB64, signature, payload)) throw new Error('the drop-in refused the delivery')
}

function docsFunction() {
  if (!docsVerifyWebhook(publicKeyB64, signature, payload)) throw new Error('the documentation function refused the delivery')
}

/**
 * The drop-in's first and second call with keys it has not seen (six fresh keys: its cache keeps
 * eight, so the benchmark's own key stays in). Median µs of each.
 */
function dropInFirstCalls() {
  const first = []
  const second = []
  for (let seed = 1000; seed < 1006; seed++) {
    const s = TestSigner.fromSeed(seed)
    const key = s.publicKeyB64
    const sig = s.sign(payload)
    for (const calls of [first, second]) {
      const start = performance.now()
      const ok = verifyWebhook(key, sig, payload)
      calls.push((performance.now() - start) * 1000)
      if (!ok) throw new Error("a fresh key's delivery must verify")
    }
  }
  return [median(first), median(second)]
}

// ---- Both sides agree the delivery is valid (and on what it says) before anything is timed ----

const event = webhook.verify(body, headers)
const viaCrypto = cryptoVerify(keyObject)
const viaCryptoPerCall = cryptoVerify(crypto.createPublicKey({ key: der, format: 'der', type: 'spki' }))
if (event.domain !== 'TRANSACTION' || event.status !== 'CONFIRMED' || event.resourceId !== viaCrypto.id) {
  throw new Error(`the SDK and crypto disagree on the delivery: ${event.resourceId}/${event.status} vs ${viaCrypto.id}/${viaCrypto.status}`)
}
if (event.status !== viaCrypto.status || viaCryptoPerCall.id !== viaCrypto.id) throw new Error('crypto variants disagree')
if (event.idempotencyKey !== `TRANSACTION/${viaCrypto.id}/${viaCrypto.updatedAt}`) throw new Error(`unexpected key ${event.idempotencyKey}`)
if (webhook.verifySignature(payload, signature) !== event.keyFingerprint) throw new Error('verifySignature disagrees')
// And both refuse a forgery (another key's signature over the same payload).
const forged = TestSigner.fromSeed(43).sign(payload)
if (crypto.verify('sha256', Buffer.from(payload), keyObject, Buffer.from(forged, 'base64'))) throw new Error('crypto accepted a forgery')
let sdkRefused = false
try {
  webhook.verify(body, { ...headers, [SIGNATURE_HEADER]: forged })
} catch (e) {
  sdkRefused = /** @type {any} */ (e).code === 'ERR_INVALID_SIGNATURE'
}
if (!sdkRefused) throw new Error('the SDK accepted a forgery')
if (verifyWebhook(publicKeyB64, forged, payload) || docsVerifyWebhook(publicKeyB64, forged, payload)) {
  throw new Error('a verifyWebhook accepted a forgery')
}

// ---- verifyBatch on the libuv pool, two halves at once, vs sequential verify() ----------------

const BATCH = 1000
const halves = [0, 1].map(() => Array.from({ length: BATCH / 2 }, () => ({ body, headers })))

/** One big batch split in two halves verified concurrently on the libuv thread pool. */
async function verifyBatchTwoHalves() {
  const results = await Promise.all(halves.map((h) => webhook.verifyBatch(h)))
  for (const half of results) sink += half.length
}

/**
 * Answers the driver's slice requests (--paired, see the header): each slice runs the named
 * figure's op in chunks as `measure` does, the event loop turning between chunks, after a short
 * warm-up.
 * @param {Record<string, { unit: number, run: (n: number) => void | Promise<void> }>} contenders
 */
async function serveSlices(contenders) {
  const lines = require('node:readline').createInterface({ input: process.stdin })
  for await (const line of lines) {
    const [figure, secs] = line.trim().split(' ')
    const budget = Number(secs) * 1000
    const contender = Object.hasOwn(contenders, figure) ? contenders[figure] : undefined
    if (!contender || !(budget > 0)) {
      throw new Error(`expected a figure (${Object.keys(contenders).join(', ')}) and SECONDS, got ${JSON.stringify(line)}`)
    }
    await contender.run(20)
    process.stdout.write(`${JSON.stringify({ us: await timeFor(contender, budget) })}\n`)
  }
}

async function main() {
  if (paired) return serveSlices({ verify: sync(sdkVerify), signature: sync(sdkSignatureOnly) })
  const check = await webhook.verifyBatch(halves[0].slice(0, 8))
  if (!check.every((r) => r.ok && r.event.status === 'CONFIRMED')) throw new Error('verifyBatch refused the delivery')

  const us = await measure({
    sdk_verify_us: sync(sdkVerify),
    sdk_signature_only_us: sync(sdkSignatureOnly),
    crypto_keyobject_us: sync(cryptoKeyObject),
    crypto_create_per_call_us: sync(cryptoCreatePerCall),
    sdk_drop_in_us: sync(sdkDropIn),
    docs_function_us: sync(docsFunction),
    verify_batch_us: {
      unit: BATCH,
      async run(n) {
        for (let i = 0; i < n; i += BATCH) await verifyBatchTwoHalves()
      },
    },
    crypto_async_2chains_us: { unit: 100, run: cryptoAsyncTwoChains },
  })
  const [firstCall, secondCall] = dropInFirstCalls()
  const figures = {
    sdk_verify_us: us.sdk_verify_us,
    sdk_signature_only_us: us.sdk_signature_only_us,
    crypto_keyobject_us: us.crypto_keyobject_us,
    crypto_create_per_call_us: us.crypto_create_per_call_us,
    // Throughput ratio: deliveries/s of the split batch over deliveries/s of sequential verify().
    verify_batch_2threads_scaling: us.sdk_verify_us / us.verify_batch_us,
    crypto_async_2chains_scaling: us.crypto_keyobject_us / us.crypto_async_2chains_us,
    sdk_drop_in_us: us.sdk_drop_in_us,
    docs_function_us: us.docs_function_us,
    sdk_drop_in_first_call_us: firstCall,
    sdk_drop_in_second_call_us: secondCall,
  }
  if (sink === 0) throw new Error('nothing was computed')
  console.log(JSON.stringify(figures))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
