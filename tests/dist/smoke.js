'use strict'
// Smoke test of the installed npm packages (run by tests/dist/run.py in a fresh project).
// A TestSigner delivery is verified, a tampered one is refused with its code, and the Fetch
// adapter answers both over real HTTP on 127.0.0.1 (a node:http server bridged to
// Request/Response). Prints one JSON line of facts the runner checks.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')

const { Webhook, WebhookError, TestSigner, fetchWebhook } = require('palisade-webhooks')

async function main() {
  const signer = TestSigner.generate()
  const webhook = new Webhook(signer.publicKeyB64)
  const good = signer.delivery('TRANSACTION', { id: 'tx-1', status: 'CONFIRMED', updatedAt: '2025-05-08T14:15:37Z' })
  const other = signer.delivery('TRANSACTION', { id: 'tx-2', status: 'CONFIRMED', updatedAt: '2025-05-08T14:15:37Z' })

  const event = webhook.verify(good.body, good.headers)
  assert.equal(event.domain, 'TRANSACTION')
  assert.equal(event.idempotencyKey, 'TRANSACTION/tx-1/2025-05-08T14:15:37Z')

  // Another delivery's body under this one's signature: well-formed, but not what was signed.
  let tampered = null
  try {
    webhook.verify(other.body, good.headers)
  } catch (e) {
    assert.ok(e instanceof WebhookError, String(e))
    tampered = e.code
  }
  assert.equal(tampered, 'ERR_INVALID_SIGNATURE')

  const seen = []
  const handle = fetchWebhook({ webhook, handler: (e) => { seen.push(e.idempotencyKey) } })
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) headers.set(name, String(value))
    const response = await handle(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }))
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/webhooks/palisade`
  const post = async (body) => {
    const r = await fetch(url, { method: 'POST', headers: good.headers, body })
    return [r.status, await r.json()]
  }
  let httpOk, httpTampered
  try {
    httpOk = await post(good.body)
    httpTampered = await post(other.body)
  } finally {
    server.close()
  }
  assert.deepEqual(httpOk, [200, { status: 'processed' }])
  assert.deepEqual(seen, [webhook.verify(good.body, good.headers).idempotencyKey])
  assert.equal(httpTampered[0], 401)
  assert.equal(httpTampered[1].error, 'ERR_INVALID_SIGNATURE')

  // The ES module entry point loads the same package.
  const esm = await import('palisade-webhooks')
  assert.equal(typeof esm.Webhook, 'function')

  const mainDir = path.dirname(require.resolve('palisade-webhooks/package.json'))
  const platformManifest = require.resolve('palisade-webhooks-linux-x64-gnu/package.json')
  console.log(JSON.stringify({
    module_file: require.resolve('palisade-webhooks'),
    // The addon comes from the platform package: the main package carries none.
    main_package_addons: fs.readdirSync(mainDir).filter((f) => f.endsWith('.node')),
    platform_package: path.dirname(platformManifest),
    version: require('palisade-webhooks/package.json').version,
    optional_dependencies: require('palisade-webhooks/package.json').optionalDependencies,
    platform_version: require(platformManifest).version,
    tampered,
    http: [httpOk[0], httpTampered[0]],
  }))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
