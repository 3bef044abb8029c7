'use strict'

const native = require('./native.js')
const { call } = require('./errors.js')
const { kNative } = require('./dedup.js')

const { NativeTestSigner, NativeStore } = native

/**
 * A P-256 key pair standing in for Palisade's signer: signs payloads and builds complete
 * deliveries, so a receiver can be tested offline exactly as Palisade would call it.
 * Signatures are deterministic (RFC 6979). For tests only.
 */
class TestSigner {
  #native

  /** @internal Use `TestSigner.generate()`, `fromSeed()` or `fromPrivateKey()`. */
  constructor(nativeSigner) {
    if (!(nativeSigner instanceof NativeTestSigner)) {
      throw new TypeError('use TestSigner.generate(), TestSigner.fromSeed(n) or TestSigner.fromPrivateKey(pem)')
    }
    this.#native = nativeSigner
  }

  /** A fresh random key. */
  static generate() {
    return new TestSigner(call(() => NativeTestSigner.generate()))
  }

  /**
   * A key derived from a number: the same seed always gives the same key (reproducible tests).
   * @param {number} seed a non-negative safe integer
   */
  static fromSeed(seed) {
    if (typeof seed !== 'number') throw new TypeError('seed must be a number')
    return new TestSigner(call(() => NativeTestSigner.fromSeed(seed)))
  }

  /**
   * Loads a private key: PKCS#8 PEM, SEC1 PEM or the 32-byte scalar as hex.
   * @param {string} text
   */
  static fromPrivateKey(text) {
    return new TestSigner(call(() => NativeTestSigner.fromPrivateKey(text)))
  }

  /** The public key as Palisade shows it (base64 DER SubjectPublicKeyInfo): give it to `Webhook`. */
  get publicKeyB64() {
    return this.#native.publicKeyB64
  }

  /** The private key as PKCS#8 PEM. */
  get privateKeyPem() {
    return this.#native.privateKeyPem
  }

  /** Fingerprint of the public key (as in `Event.keyFingerprint`). */
  get fingerprint() {
    return this.#native.fingerprint
  }

  /**
   * Signs a payload string (the envelope's base64 `payload`): returns the `Signature` header value.
   * @param {string} payloadB64
   * @param {{ digest?: 'sha256' | 'sha256-double' }} [options]
   */
  sign(payloadB64, options = {}) {
    if (typeof payloadB64 !== 'string') throw new TypeError('payloadB64 must be a string')
    return call(() => this.#native.sign(payloadB64, options.digest))
  }

  /**
   * Builds a complete signed delivery for `domain` carrying `resource` (an object, or its JSON
   * text, used byte for byte). `timestamp`: a fixed envelope timestamp, `null` to leave it out,
   * or omitted for the current time.
   * @param {string} domain `'TRANSACTION'`, `'WALLET'`, `'APPROVAL'` or any other string
   * @param {object | string} resource
   * @param {{ timestamp?: string | null, digest?: 'sha256' | 'sha256-double' }} [options]
   * @returns {{ body: Buffer, headers: Record<string, string>, payload: string, signature: string }}
   */
  delivery(domain, resource, options = {}) {
    const json = typeof resource === 'string' ? resource : JSON.stringify(resource)
    if (typeof json !== 'string') throw new TypeError('resource must be an object or a JSON string')
    if (typeof domain !== 'string') throw new TypeError('domain must be a string')
    const { timestamp, digest } = options
    const d = call(() =>
      this.#native.delivery(domain, json, timestamp === null ? undefined : timestamp, timestamp === null, digest)
    )
    return {
      body: d.body,
      headers: Object.fromEntries(d.headers),
      payload: d.payload,
      signature: d.signature,
    }
  }
}

/**
 * An idempotency store that fails on purpose at one step, so a receiver's answers to store
 * outages can be tested without taking a real store down at the right moment: it wraps
 * `inner` (a `MemoryStore`, `SqliteStore` or `RedisStore`) and fails with
 * `ERR_STORE_UNAVAILABLE` at every `'claim'`, `'complete'` or `'release'` (or at `'nothing'`).
 * For tests only.
 */
class FaultyStore {
  /**
   * @param {import('./dedup.js').MemoryStore | import('./dedup.js').SqliteStore | import('./dedup.js').RedisStore} inner
   * @param {'nothing' | 'claim' | 'complete' | 'release'} [failAt]
   */
  constructor(inner, failAt = 'complete') {
    const nativeInner = inner && /** @type {any} */ (inner)[kNative]
    if (!(nativeInner instanceof NativeStore)) {
      throw new TypeError('inner must be a store from this package (MemoryStore, SqliteStore or RedisStore)')
    }
    if (typeof failAt !== 'string') throw new TypeError('failAt must be a string')
    /** @internal */
    this[kNative] = call(() => NativeStore.faulty(nativeInner, failAt))
  }

  /** Where it fails now. */
  get failAt() {
    return this[kNative].failAt
  }

  /** Changes where it fails (also while in use). */
  set failAt(step) {
    if (typeof step !== 'string') throw new TypeError('failAt must be a string')
    call(() => this[kNative].setFailAt(step))
  }
}

module.exports = { TestSigner, FaultyStore }
