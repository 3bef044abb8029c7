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

// The resource of core/examples/bench.rs `sample_resource()`, byte for byte.
const attributes = Array.from({ length: 12 }, (_, i) => `"attr${i}":"value-${i}-0123456789abcdef"`).join(',')
const RESOURCE =
  '{"id":"0196153b-aaaa-7cd3-b511-354373d28130","walletId":"0196153b-67bc-7cd3-b511-354373d28130",' +
  '"vaultId":"0196152d-5294-739d-9945-2a499f9e3989","createdBy":"a55df9e0-e14a-4410-a983-12afae46662f",' +
  '"createdAt":"2025-05-08T14:15:30.123456Z","updatedAt":"2025-05-08T14:15:36.900490Z",' +
  '"status":"CONFIRMED","action":"WITHDRAWAL","externalId":"order-982734","blockchain":"ETHEREUM",' +
  '"asset":{"id":"usdc-eth","symbol":"USDC","name":"USD Coin","blockchain":"ETHEREUM",' +
  '"decimals":6,"contract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},"feeAsset":{"id":"eth",' +
  '"symbol":"ETH","name":"Ether","blockchain":"ETHEREUM","decimals":18},"origin":{"id":"0196153b-67bc-7cd3-b511-354373d28130",' +
  '"type":"WALLET","address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"},"destination":{"type":"ADDRESS",' +
  '"address":"0x8ba1f109551bD432803012645Ac136ddd64DBA72"},"qty":"1250.000000","feeQty":"0.000421337000000000",' +
  '"sequence":"18446744073709551615","hash":"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",' +
  `"attributes":{${attributes}}}`

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
