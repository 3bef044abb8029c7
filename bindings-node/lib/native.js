'use strict'
// Loads the native addon built from source by `npm run build` (napi build --platform), which
// names it palisade-webhooks.<platform>-<arch>[-<abi>].node in the package directory.

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

function libc() {
  if (process.platform !== 'linux') return null
  try {
    const report = process.report && process.report.getReport()
    const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header
    return header && header.glibcVersionRuntime ? 'gnu' : 'musl'
  } catch {
    return 'gnu'
  }
}

function candidates() {
  const prefix = `palisade-webhooks.${process.platform}-${process.arch}`
  const files = fs.readdirSync(root).filter((f) => f.startsWith(prefix) && f.endsWith('.node'))
  const abi = libc()
  // Prefer the file built for this C library (gnu / musl) when both are present.
  return files.sort((a, b) => Number(abi !== null && b.includes(`-${abi}`)) - Number(abi !== null && a.includes(`-${abi}`)))
}

function load() {
  if (process.env.PALISADE_WEBHOOKS_NATIVE_PATH) {
    return require(path.resolve(process.env.PALISADE_WEBHOOKS_NATIVE_PATH))
  }
  const found = candidates()
  if (found.length === 0) {
    throw new Error(
      `palisade-webhooks: no native addon for ${process.platform}-${process.arch} in ${root}. ` +
        'The package is built from source: run `npm run build` in it (needs a Rust toolchain).'
    )
  }
  return require(path.join(root, found[0]))
}

module.exports = load()
