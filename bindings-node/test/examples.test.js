'use strict'
// Runs the examples in examples/node against this build, as a user would after
// `npm install palisade-webhooks express`.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const readline = require('node:readline')

const { TestSigner } = require('..')
const { sqlitePath, redisUrl } = require('./stores.js')

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'node')

// `require('palisade-webhooks')` resolves to this package, `require('express')` to its dev dependency.
const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'palisade-node-examples-'))
fs.symlinkSync(path.join(__dirname, '..'), path.join(modules, 'palisade-webhooks'), 'dir')
const NODE_PATH = [modules, path.join(__dirname, '..', 'node_modules')].join(path.delimiter)
test.after(() => fs.rmSync(modules, { recursive: true, force: true }))

function env(extra) {
  return { ...process.env, NODE_PATH, ...extra }
}

test('docs-snippet.js: the documentation function over the SDK', () => {
  const script = path.join(EXAMPLES, 'docs-snippet.js')
  let r = spawnSync(process.execPath, [script], { env: env(), encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /signature valid/)

  const signer = TestSigner.generate()
  const d = signer.delivery('TRANSACTION', { id: 't1' })
  r = spawnSync(process.execPath, [script, signer.publicKeyB64, d.signature, d.payload], { env: env(), encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  r = spawnSync(process.execPath, [script, signer.publicKeyB64, d.signature, d.payload.slice(1)], { env: env(), encoding: 'utf8' })
  assert.equal(r.status, 1)
  assert.match(r.stdout, /INVALID/)

  // It is importable and keeps the documentation's three-argument signature.
  r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(script)}).verifyWebhook.length)`], {
    env: env(),
    encoding: 'utf8',
  })
  assert.equal(r.stdout.trim(), '3', r.stderr)
})

test('express-receiver.js: refuses to start without a key', () => {
  const r = spawnSync(process.execPath, [path.join(EXAMPLES, 'express-receiver.js'), '0'], {
    env: env({ PALISADE_PUBLIC_KEY: '' }),
    encoding: 'utf8',
  })
  assert.equal(r.status, 2)
  assert.match(r.stderr, /PALISADE_PUBLIC_KEY is not set/)
})

/** Starts express-receiver.js; `next()` reads its next output line, `send(d)` POSTs a delivery. */
async function receiver(t, signer, extraEnv = {}) {
  const child = spawn(process.execPath, [path.join(EXAMPLES, 'express-receiver.js'), '0'], {
    env: env({ PALISADE_PUBLIC_KEY: signer.publicKeyB64, PALISADE_REDIS_URL: '', PALISADE_SQLITE_PATH: '', ...extraEnv }),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.after(() => child.kill())
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async () => (await lines.next()).value
  const first = await next()
  const port = Number(/127\.0\.0\.1:(\d+)\//.exec(first)[1])
  const url = `http://127.0.0.1:${port}/webhooks/palisade`
  const send = (/** @type {any} */ d, method = 'POST') => fetch(url, { method, body: d.body, headers: d.headers })
  return { first, next, send }
}

test('express-receiver.js: one line per delivery outcome', async (t) => {
  const signer = TestSigner.generate()
  const { first, next, send } = await receiver(t, signer)
  assert.match(first, /memory store/)

  const d = signer.delivery('TRANSACTION', { id: 'tx-9', status: 'CONFIRMED', qty: '2.5', updatedAt: 'u' })
  let r = await send(d)
  assert.equal(r.status, 200)
  assert.equal(await r.text(), '{"status":"processed"}')
  assert.equal(await next(), 'transaction tx-9 CONFIRMED 2.5')
  assert.match(await next(), /^processed 200 TRANSACTION \S+$/)
  r = await send(d)
  assert.equal(await r.text(), '{"status":"duplicate"}')
  assert.match(await next(), /^duplicate 200 TRANSACTION \S+$/)
  const forged = TestSigner.generate().delivery('WALLET', { id: 'w' })
  assert.equal((await send(forged)).status, 401)
  assert.match(await next(), /^rejected 401 ERR_INVALID_SIGNATURE/)
  const w = signer.delivery('WALLET', { id: 'w-1', status: 'PROVISIONED' })
  assert.equal((await send(w)).status, 200)
  assert.equal(await next(), 'wallet w-1 PROVISIONED')
  assert.match(await next(), /^processed 200 WALLET \S+$/)
  // Every method reaches the receiver: a PUT gets its 405.
  r = await send(w, 'PUT')
  assert.equal(r.status, 405)
  assert.equal(r.headers.get('allow'), 'POST')
  assert.match(await next(), /^rejected 405 ERR_METHOD_NOT_ALLOWED/)
})

for (const [kind, storeEnv] of [
  ['SQLite', () => ({ PALISADE_SQLITE_PATH: sqlitePath('example') })],
  ['Redis', () => ({ PALISADE_REDIS_URL: redisUrl() })],
]) {
  test(`express-receiver.js: two instances on one ${kind} store process a delivery once`, async (t) => {
    const signer = TestSigner.generate()
    const shared = storeEnv()
    const a = await receiver(t, signer, shared)
    const b = await receiver(t, signer, shared)
    assert.match(a.first, new RegExp(`${kind.toLowerCase()} store`))
    const d = signer.delivery('WALLET', { id: `w-${kind}`, status: 'PROVISIONED', updatedAt: `u-${Date.now()}` })
    assert.equal((await a.send(d)).status, 200)
    assert.match(await a.next(), /^wallet w-/)
    assert.match(await a.next(), /^processed 200 WALLET /)
    const again = await b.send(d)
    assert.equal(await again.text(), '{"status":"duplicate"}')
    assert.match(await b.next(), /^duplicate 200 WALLET /)
  })
}
