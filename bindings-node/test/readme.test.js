'use strict'
// The README quick start, pasted as is into a fresh process, must work.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

test('README quick start runs and prints what it says', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  const marker = readme.indexOf('<!-- quick-start')
  assert.ok(marker > 0, 'quick-start marker present')
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker))
  assert.ok(block, 'a js block follows the marker')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palisade-readme-'))
  try {
    fs.symlinkSync(path.join(__dirname, '..'), path.join(dir, 'palisade-webhooks'), 'dir')
    const script = path.join(dir, 'quick-start.js')
    fs.writeFileSync(script, block[1])
    const r = spawnSync(process.execPath, [script], { env: { ...process.env, NODE_PATH: dir }, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, 'TRANSACTION TRANSACTION/tx-1/2025-05-08T14:15:37Z\nCONFIRMED 1.5\n')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
