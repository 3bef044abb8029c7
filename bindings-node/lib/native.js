'use strict'
// Loads the native addon, in the napi-rs convention. In order:
//   1. PALISADE_WEBHOOKS_NATIVE_PATH, when set (an addon built elsewhere);
//   2. a local build in the package directory, palisade-webhooks.<platform>-<arch>[-<abi>].node
//      (what `npm run build` writes in a checkout of the repository);
//   3. the platform package palisade-webhooks-<platform>-<arch>[-<abi>], which npm installs
//      from this package's optionalDependencies on the platforms that have a prebuilt addon.
// Otherwise it throws an error naming the platform and what to do.

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

// Platforms with a prebuilt addon published as a platform package (napi.targets in package.json).
const PREBUILT = ['linux-x64-gnu']

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

/** The napi-rs platform name of this process, e.g. `linux-x64-gnu`, `darwin-arm64`. */
function platformName() {
  const abi = libc()
  return `${process.platform}-${process.arch}${abi ? `-${abi}` : ''}`
}

function localBuilds() {
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
  const local = localBuilds()
  if (local.length > 0) return require(path.join(root, local[0]))

  const platform = platformName()
  const pkg = `palisade-webhooks-${platform}`
  try {
    return require(pkg)
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e)
    const missing = err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(pkg)
    if (!missing) {
      // The platform package is there but its addon does not load (e.g. a C library too old).
      throw new Error(`palisade-webhooks: the native addon ${pkg} failed to load on ${platform}: ${err && err.message}`, { cause: e })
    }
  }
  const what = PREBUILT.includes(platform)
    ? `The prebuilt addon for ${platform} comes in the optional dependency ${pkg}, which is not ` +
      'installed: reinstall without --omit=optional / --no-optional (npm install palisade-webhooks), ' +
      'and install on the platform that runs the code (not on another one, then copy node_modules).'
    : `No prebuilt addon exists for ${platform} (prebuilt: ${PREBUILT.join(', ')}). Build it from source ` +
      'with a Rust toolchain: in a checkout of the repository, `cd bindings-node && npm ci && npm run build`, ' +
      'then install that directory (npm install /path/to/bindings-node) or point ' +
      'PALISADE_WEBHOOKS_NATIVE_PATH at the built .node file.'
  throw new Error(`palisade-webhooks: no native addon for ${platform}. ${what}`)
}

module.exports = load()
