#!/usr/bin/env node
// A fixed amount of work for profilers, the Node.js counterpart of core/examples/profile.rs:
// N deliveries of the benchmark's ~2 KB TRANSACTION resource through the SDK, reading
// `event.idempotencyKey` and `event.status` as bench/node_bench.js does.
//
// Timings are noisy on a shared machine; instruction counts are not. Run it under
// `valgrind --tool=callgrind` with N and with 0 and take the difference per delivery; compare
// with the core's figure from core/examples/profile.rs (same resource, same key):
//
//   valgrind --tool=callgrind node bench/node_profile.js 2000 full
//   valgrind --tool=callgrind node bench/node_profile.js 0 full
//
// Modes:
//   full       webhook.verify(body, headers), one delivery at a time
//   signature  webhook.verifySignature(payload, signature)
//   batch      verifyBatch in two concurrent halves of 500 (N rounded to a multiple of 1000);
//              add --separate-threads=yes to see the JS thread's share (conversion, events,
//              finalizers) apart from the libuv pool threads' (verification)
// Every mode lets the event loop turn every 500 deliveries, so the events' finalizers (which
// Node runs only then) are counted as they would be in a server, not all at exit.

'use strict'

const path = require('node:path')

const { Webhook, TestSigner } = require(path.join(__dirname, '..', 'bindings-node'))

const [n = 1000, mode = 'full'] = [Number(process.argv[2] ?? 1000), process.argv[3]]
if (!Number.isInteger(n) || n < 0 || !['full', 'signature', 'batch'].includes(mode)) {
  throw new Error('usage: node bench/node_profile.js N [full|signature|batch]')
}

const { RESOURCE } = require('./sample_resource.js')

const signer = TestSigner.fromSeed(42)
const { body, headers, payload, signature } = signer.delivery('TRANSACTION', RESOURCE)
const webhook = new Webhook(signer.publicKeyB64)
const half = Array.from({ length: 500 }, () => ({ body, headers }))
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

let sink = 0

/** @param {import('../bindings-node').Event} event */
function read(event) {
  sink += event.idempotencyKey.length + (event.status ?? '').length
}

/** `count` deliveries in `mode`. */
async function run(count) {
  if (mode === 'batch') {
    for (let done = 0; done + 1000 <= count; done += 1000) {
      const halves = await Promise.all([webhook.verifyBatch(half), webhook.verifyBatch(half)])
      for (const results of halves) {
        for (const r of results) {
          if (!r.ok) throw r.error
          read(r.event)
        }
      }
      await nextTurn()
    }
    return
  }
  for (let i = 0; i < count; i++) {
    if (mode === 'full') read(webhook.verify(body, headers))
    else sink += webhook.verifySignature(payload, signature).length
    if (i % 500 === 499) await nextTurn()
  }
  await nextTurn()
}

async function main() {
  // Outside the counted work (it runs for N = 0 too): the first calls (lazy setup, JIT warm-up).
  await run(mode === 'batch' ? 2000 : 200)
  await run(n)
  if (sink === 0) throw new Error('nothing was computed')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
