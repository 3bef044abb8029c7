'use strict'

const util = require('node:util')
const native = require('./native.js')
const { WebhookError, fromNative, fromOutcome, call, optionalNumber } = require('./errors.js')

const { Event, NativeWebhook } = native

// ---------------------------------------------------------------------------------------------
// Event: the native class, with `raw` and `data` parsed on first access and cached.

/**
 * Defines a lazily computed, cached property on the prototype of the native Event class.
 * @param {string} name
 * @param {(this: any) => unknown} compute
 */
function lazy(name, compute) {
  Object.defineProperty(Event.prototype, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = compute.call(this)
      Object.defineProperty(this, name, { value, enumerable: true, configurable: true, writable: false })
      return value
    },
  })
}

lazy('raw', function () {
  return JSON.parse(this._rawJson)
})
lazy('data', function () {
  return JSON.parse(this._dataJson)
})

const nativeFromJSON = Event._fromJson
Object.defineProperties(Event, {
  fromJSON: {
    configurable: true,
    writable: true,
    /**
     * Restores an event serialised with `JSON.stringify(event)` or `event.toJSONString()` (also
     * by the Python or Go SDK). It does not re-verify: only restore events you enqueued yourself.
     * @param {string | object} json
     */
    value: function fromJSON(json) {
      const text = typeof json === 'string' ? json : JSON.stringify(json)
      if (typeof text !== 'string') throw new TypeError('Event.fromJSON expects a string or an object')
      return call(() => nativeFromJSON.call(Event, text))
    },
  },
})

Object.defineProperties(Event.prototype, {
  toJSON: {
    configurable: true,
    writable: true,
    /** The serialised form shared by every SDK (snake_case keys, `raw` embedded). */
    value: function toJSON() {
      return JSON.parse(this.toJSONString())
    },
  },
  [util.inspect.custom]: {
    configurable: true,
    value: function inspect(depth, options, inspectFn) {
      const view = {
        domain: this.domain,
        timestamp: this.timestamp,
        idempotencyKey: this.idempotencyKey,
        resourceId: this.resourceId,
        updatedAt: this.updatedAt,
        status: this.status,
        keyFingerprint: this.keyFingerprint,
        data: this.data,
      }
      return `Event ${(inspectFn || util.inspect)(view, { ...options, depth: options.depth == null ? null : options.depth })}`
    },
  },
})

// ---------------------------------------------------------------------------------------------
// Headers and bodies.

/**
 * Converts the accepted header forms into what the addon reads directly: a plain object
 * (Node's `IncomingHttpHeaders`, `{ name: value }`) or an array of `[name, value]` pairs.
 * Fetch `Headers` (its `signature` entry), `Map`s and other iterables of pairs become arrays.
 * The addon then reads only the first `Signature` header (found case-insensitively).
 * @param {unknown} headers
 */
function nativeHeaders(headers) {
  if (headers === null || typeof headers !== 'object') {
    throw new TypeError(
      'headers must be an object: IncomingHttpHeaders (req.headers), a Fetch Headers, a Map, ' +
        'a plain object or an array of [name, value] pairs'
    )
  }
  if (Array.isArray(headers)) return headers
  // A Fetch Headers holds unique, lower-case, whitespace-free names: its one `signature` entry
  // is the only one the core would find, so only that entry crosses.
  if (typeof Headers === 'function' && headers instanceof Headers) {
    const signature = headers.get('signature')
    return signature === null ? [] : [['signature', signature]]
  }
  const h = /** @type {any} */ (headers)
  if (typeof h.entries === 'function' && typeof h.get === 'function') return Array.from(h.entries())
  if (typeof h[Symbol.iterator] === 'function') return Array.from(h)
  return headers
}

/**
 * @param {unknown} body
 * @returns {never}
 */
function bodyNotRaw(body) {
  const what =
    body === undefined || body === null
      ? `${body}`
      : Array.isArray(body)
        ? 'an array'
        : typeof body === 'object'
          ? 'a parsed object'
          : `a ${typeof body}`
  // Kept within the 200 characters every refusal message fits in (the README says more).
  throw new WebhookError(
    'ERR_BODY_NOT_RAW',
    `the body must be the raw request bytes (Buffer, Uint8Array or string), got ${what}: use ` +
      "express.raw({ type: 'application/json' }), expressWebhook, fastifyWebhook or fetchWebhook"
  )
}

/**
 * A raw body as the addon reads it: strings, `ArrayBuffer`s and views (`Buffer`, `Uint8Array`,
 * other typed arrays, `DataView`) as they are, a `SharedArrayBuffer` as a view of it. Anything
 * else (a parsed object, say) throws `ERR_BODY_NOT_RAW`.
 * @param {unknown} body
 * @returns {string | ArrayBuffer | ArrayBufferView}
 */
function rawBody(body) {
  if (typeof body === 'string' || ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return body
  if (typeof SharedArrayBuffer === 'function' && body instanceof SharedArrayBuffer) return new Uint8Array(body)
  return bodyNotRaw(body)
}

// ---------------------------------------------------------------------------------------------
// Webhook.

/**
 * The native verifier of a `Webhook` (for `Receiver`; not part of the API).
 * @type {(webhook: Webhook) => InstanceType<typeof NativeWebhook>}
 */
let nativeOf

/**
 * A webhook endpoint's verifier: its public key(s) and options. Build it once at start-up (the
 * keys are parsed and prepared here) and reuse it for every delivery.
 */
class Webhook {
  /** @type {InstanceType<typeof NativeWebhook>} */
  #native

  static {
    nativeOf = (webhook) => webhook.#native
  }

  /**
   * @param {string | string[]} publicKey the key from the Palisade console (base64 DER SPKI,
   *   PEM or SEC1), or several during a key rotation.
   * @param {{ maxBodyBytes?: number, digest?: 'sha256' | 'sha256-double', maxAge?: number | null }} [options]
   *   `maxAge` in seconds, judged on the signed `updatedAt` (off by default).
   */
  constructor(publicKey, options = {}) {
    const keys = typeof publicKey === 'string' ? [publicKey] : publicKey
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw new TypeError('publicKey must be a string or an array of strings')
    }
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const maxBodyBytes = optionalNumber('maxBodyBytes', options.maxBodyBytes)
    const maxAge = optionalNumber('maxAge', options.maxAge)
    const digest = options.digest === undefined || options.digest === null ? undefined : options.digest
    if (digest !== undefined && typeof digest !== 'string') throw new TypeError('digest must be a string')
    this.#native = call(() => new NativeWebhook(keys, maxBodyBytes, digest, maxAge))
  }

  /**
   * Verifies a delivery and returns its `Event`.
   * @param {Buffer | Uint8Array | ArrayBuffer | string} body the raw request body
   * @param {object} headers the request headers, in any supported form
   * @returns {Event}
   * @throws {WebhookError} when the delivery is refused (see `code`)
   * @throws {TypeError} when `headers` is not a header collection
   */
  verify(body, headers) {
    const h = nativeHeaders(headers)
    const raw = rawBody(body)
    // The addon reads the headers before the body, and the body in place: your header getters
    // run first, then the body is read as it is at that moment.
    return call(() => this.#native.verify(raw, h))
  }

  /**
   * Explains why a delivery does or does not verify: the report the CLI's `doctor` prints. For
   * your own debugging: it runs several verifications, so do not call it on every refusal.
   * @param {Buffer | Uint8Array | ArrayBuffer | string} body the raw request body
   * @param {object} headers the request headers, in any supported form
   * @returns {import('../index').Diagnosis}
   */
  diagnose(body, headers) {
    const h = nativeHeaders(headers)
    const raw = rawBody(body)
    const d = call(() => this.#native.diagnose(raw, h))
    return Object.freeze({
      verifies: d.verifies,
      digest: d.digest ?? null,
      error: d.error ?? null,
      cause: d.cause,
      checks: Object.freeze(d.checks.map((c) => Object.freeze({ name: c.name, ok: c.ok, detail: c.detail }))),
    })
  }

  /**
   * The low-level check: does `signatureB64` sign `payloadB64` (the envelope's `payload`
   * string, exactly as received) under one of the keys? Returns the fingerprint of the key
   * that verified; throws a `WebhookError` otherwise.
   * @param {string} payloadB64
   * @param {string} signatureB64
   * @returns {string}
   */
  verifySignature(payloadB64, signatureB64) {
    if (typeof payloadB64 !== 'string' || typeof signatureB64 !== 'string') {
      throw new TypeError('payloadB64 and signatureB64 must be strings')
    }
    return call(() => this.#native.verifySignature(payloadB64, signatureB64))
  }

  /**
   * Verifies many deliveries on the libuv thread pool (for queue consumers). Never rejects
   * because of a bad delivery: each result says `ok` and carries the event or the error.
   * @param {Iterable<{ body: Buffer | Uint8Array | ArrayBuffer | string, headers: object }>} items
   * @returns {Promise<Array<{ ok: true, event: Event } | { ok: false, error: WebhookError }>>}
   */
  async verifyBatch(items) {
    if (items === null || typeof items !== 'object' || typeof items[Symbol.iterator] !== 'function') {
      throw new TypeError('verifyBatch expects an array of { body, headers }')
    }
    // Each item's result, or null while it waits for the pool. Bodies that are not raw fail on
    // their own, without reaching the pool.
    /** @type {any[]} */
    const results = []
    /** @type {number[]} */
    const indices = []
    const bodies = []
    const headers = []
    for (const item of items) {
      if (item === null || typeof item !== 'object') throw new TypeError('each item must be { body, headers }')
      const h = nativeHeaders(item.headers)
      let body
      try {
        body = rawBody(item.body)
      } catch (error) {
        results.push({ ok: false, error })
        continue
      }
      indices.push(results.length)
      results.push(null)
      bodies.push(body)
      headers.push(h)
    }
    let outcomes
    try {
      outcomes = await this.#native.verifyBatch(bodies, headers)
    } catch (e) {
      throw fromNative(e)
    }
    // Each outcome is the verified Event itself, or the { code, message } of a refusal.
    for (let j = 0; j < outcomes.length; j++) {
      const o = outcomes[j]
      results[indices[j]] = o instanceof Event ? { ok: true, event: o } : { ok: false, error: fromOutcome(o.code, o.message) }
    }
    return /** @type {any} */ (results)
  }

  /** Fingerprints of the configured keys, in the order they are tried. */
  get keyFingerprints() {
    return this.#native.keyFingerprints
  }

  /** The largest body accepted, in bytes. */
  get maxBodyBytes() {
    return this.#native.maxBodyBytes
  }

  /** The digest construction: `'sha256'` or `'sha256-double'`. */
  get digest() {
    return this.#native.digest
  }

  /** `maxAge` in seconds, or null when off. */
  get maxAge() {
    return this.#native.maxAgeSeconds
  }
}

/**
 * One argument of `verifyWebhook` as text. Bytes are taken the way the documentation's Node
 * snippet takes them (`Buffer.from(x, 'base64')` copies a Buffer as it is, and the verifier
 * hashes a Buffer's bytes): the key and the signature as raw DER, the payload as its own
 * bytes (base64 text, so ASCII). Null when the argument cannot be one.
 * @param {unknown} value
 * @param {'der' | 'text'} kind
 * @returns {string | null}
 */
function argumentText(value, kind) {
  if (typeof value === 'string') return value
  let bytes
  if (value instanceof ArrayBuffer) bytes = new Uint8Array(value)
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  else return null
  if (kind === 'der') return Buffer.from(bytes).toString('base64')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/**
 * The documentation's function, same name and argument order: does `signatureB64` (base64
 * DER) sign `payloadB64` (the envelope's `payload` string) under `publicKeyB64`? Returns false
 * for every failure (including a malformed key); never throws. Like the documentation's
 * snippet it also takes Buffers (or other bytes): the key and the signature as raw DER, the
 * payload as its bytes. Prefer `Webhook`, which parses the key once and says why a delivery
 * failed.
 * @param {string | Uint8Array | ArrayBuffer} publicKeyB64
 * @param {string | Uint8Array | ArrayBuffer} signatureB64
 * @param {string | Uint8Array | ArrayBuffer} payloadB64
 * @returns {boolean}
 */
function verifyWebhook(publicKeyB64, signatureB64, payloadB64) {
  try {
    const key = argumentText(publicKeyB64, 'der')
    const signature = argumentText(signatureB64, 'der')
    const payload = argumentText(payloadB64, 'text')
    if (key === null || signature === null || payload === null) return false
    return native.verifyWebhook(key, signature, payload)
  } catch {
    // A detached buffer, say: false, as for every other failure.
    return false
  }
}

module.exports = { Webhook, Event, verifyWebhook, nativeHeaders, rawBody, nativeOf: (/** @type {Webhook} */ w) => nativeOf(w) }
