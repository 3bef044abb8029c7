'use strict'
// The code constants (lib/codes.js, lib/codes.d.ts) and the resource types (lib/resources.d.ts)
// are generated from the Rust core by core/examples/codegen_node.rs: this fails when the
// committed files are stale.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const ROOT = path.join(__dirname, '..', '..')

for (const [kind, file] of [
  ['js', 'codes.js'],
  ['dts', 'codes.d.ts'],
  ['resources', 'resources.d.ts'],
]) {
  test(`lib/${file} is what the core generates`, () => {
    const r = spawnSync(
      process.env.CARGO || 'cargo',
      ['run', '-q', '-p', 'palisade-webhooks', '--features', 'schema', '--example', 'codegen_node', '--', kind],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 }
    )
    assert.equal(r.error, undefined, `cargo could not run: ${r.error}`)
    assert.equal(r.status, 0, r.stderr)
    const committed = fs.readFileSync(path.join(__dirname, '..', 'lib', file), 'utf8')
    assert.equal(
      committed,
      r.stdout,
      `lib/${file} is stale: run \`cargo run -q -p palisade-webhooks --features schema --example codegen_node -- ${kind} > bindings-node/lib/${file}\``
    )
  })
}
