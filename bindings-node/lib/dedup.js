'use strict'

const native = require('./native.js')
const { call, fromNative, fromOutcome, optionalNumber } = require('./errors.js')

const { NativeStore, NativeDeduplicator } = native

/** Where a store class keeps its native store. */
const kNative = Symbol('palisade-webhooks.nativeStore')

/**
 * An in-process idempotency store: deduplicates within one process and forgets on restart.
 * Bounded: at most `maxEntries` keys (default 100 000), none kept longer than `ttlSeconds`
 * (default 24 h). Use a shared store (Redis) when several instances receive deliveries.
 */
class MemoryStore {
  /** @param {{ maxEntries?: number, ttlSeconds?: number }} [options] */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const maxEntries = optionalNumber('maxEntries', options.maxEntries)
    const ttlSeconds = optionalNumber('ttlSeconds', options.ttlSeconds)
    /** @internal */
    this[kNative] = call(() => NativeStore.memory(maxEntries, ttlSeconds))
  }
}

// Durable stores follow the same pattern once the core exposes them, e.g.:
//   class SqliteStore { constructor(path) { this[kNative] = call(() => NativeStore.sqlite(path)) } }
//   class RedisStore { constructor(url, { prefix } = {}) { this[kNative] = call(() => NativeStore.redis(url, prefix)) } }
// The native factory marks them `blocking`, so the Deduplicator drives them on the thread pool.

/**
 * @param {unknown} event
 * @returns {string}
 */
function keyOf(event) {
  if (typeof event === 'string') return event
  const key = event && /** @type {any} */ (event).idempotencyKey
  if (typeof key !== 'string') {
    throw new TypeError('expected an Event (or an object with a string idempotencyKey, or the key itself)')
  }
  return key
}

/**
 * Idempotency for Palisade's at-least-once delivery, keyed by `Event.idempotencyKey` (built
 * from signed data only).
 */
class Deduplicator {
  /** @type {InstanceType<typeof NativeDeduplicator>} */
  #native
  /** @type {boolean} */
  #offload

  /**
   * @param {{ store?: MemoryStore, leaseSeconds?: number, retainSeconds?: number, offload?: boolean }} [options]
   *   `store` defaults to a new `MemoryStore`; `leaseSeconds` (default 60) is how long a claim
   *   blocks other workers; `retainSeconds` (default 7 days) how long completed keys are
   *   remembered; `offload` runs store calls on the libuv thread pool (default: only for stores
   *   that do disk or network I/O).
   */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const { store = new MemoryStore(), offload } = options
    const leaseSeconds = optionalNumber('leaseSeconds', options.leaseSeconds)
    const retainSeconds = optionalNumber('retainSeconds', options.retainSeconds)
    const nativeStore = store && /** @type {any} */ (store)[kNative]
    if (!(nativeStore instanceof NativeStore)) {
      throw new TypeError('store must be a store from this package (e.g. new MemoryStore())')
    }
    this.#native = call(() => new NativeDeduplicator(nativeStore, leaseSeconds, retainSeconds))
    this.#offload = offload === undefined ? nativeStore.blocking : Boolean(offload)
  }

  /** The lease in seconds. */
  get leaseSeconds() {
    return this.#native.leaseSeconds
  }

  /** The retention in seconds. */
  get retainSeconds() {
    return this.#native.retainSeconds
  }

  /**
   * Claims an event. `status` is `'new'` (process it, then `complete()` or `release()`),
   * `'duplicate'` (already processed: answer 2xx) or `'in_progress'` (another worker holds it:
   * answer 409 so Palisade retries later).
   * @param {{ idempotencyKey: string } | string} event
   * @returns {Promise<Claim>}
   * @throws {WebhookError} `ERR_STORE_UNAVAILABLE` when the store cannot answer
   */
  async claim(event) {
    const key = keyOf(event)
    let claim
    if (this.#offload) {
      const outcome = await this.#native.claimAsync(key).catch((e) => Promise.reject(fromNative(e)))
      if (outcome.code) throw fromOutcome(outcome.code, outcome.message || '')
      claim = outcome.claim
    } else {
      claim = call(() => this.#native.claim(key))
    }
    return new Claim(this, claim)
  }

  /**
   * Processes an event at most once per idempotency key: claims it; when new, awaits
   * `handler(event)`, then completes the claim on success, or releases it and rethrows the
   * handler's error (so Palisade's retry processes the event again).
   *
   * Resolves to `{ status: 'processed', result, completed }` when the handler ran
   * (`completed` is false if the completion could not be recorded: lease lost or store error;
   * the work is done either way), or `{ status: 'duplicate' }` / `{ status: 'in_progress' }`
   * without calling the handler. Rejects with the handler's own error, or with a
   * `WebhookError` `ERR_STORE_UNAVAILABLE` when the claim itself fails.
   * @template T, R
   * @param {T & ({ idempotencyKey: string } | string)} event
   * @param {(event: T) => R | Promise<R>} handler
   * @returns {Promise<{ status: 'processed', result: R, completed: boolean } | { status: 'duplicate' | 'in_progress' }>}
   */
  async process(event, handler) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function')
    const claim = await this.claim(event)
    if (claim.status !== 'new') return { status: claim.status }
    let result
    try {
      result = await handler(event)
    } catch (err) {
      // Best effort: if the store cannot release, the lease expires on its own.
      await claim.release().catch(() => false)
      throw err
    }
    const completed = await claim.complete().catch(() => false)
    return { status: 'processed', result, completed }
  }

  /** @internal */
  async _finish(kind, nativeClaim) {
    if (this.#offload) {
      const task = kind === 'complete' ? this.#native.completeAsync(nativeClaim) : this.#native.releaseAsync(nativeClaim)
      const outcome = await task.catch((e) => Promise.reject(fromNative(e)))
      if (outcome.code) throw fromOutcome(outcome.code, outcome.message || '')
      return Boolean(outcome.done)
    }
    return call(() => (kind === 'complete' ? this.#native.complete(nativeClaim) : this.#native.release(nativeClaim)))
  }
}

/** A claim on an idempotency key, from `Deduplicator.claim`. */
class Claim {
  #dedup
  #native
  #settled = false

  /** @internal */
  constructor(dedup, nativeClaim) {
    this.#dedup = dedup
    this.#native = nativeClaim
    /** @type {'new' | 'duplicate' | 'in_progress'} */
    this.status = /** @type {any} */ (nativeClaim.status)
  }

  /**
   * Records that the event was processed (only for `status === 'new'`). Resolves to false
   * when the lease had expired and another worker took the key over.
   * @returns {Promise<boolean>}
   */
  async complete() {
    return this.#settle('complete')
  }

  /**
   * Gives the claim up after a failure, so a retry processes the event again.
   * @returns {Promise<boolean>}
   */
  async release() {
    return this.#settle('release')
  }

  async #settle(kind) {
    if (this.status !== 'new') throw new TypeError(`a claim with status '${this.status}' cannot be ${kind}d`)
    if (this.#settled) throw new TypeError('this claim was already completed or released')
    this.#settled = true
    return this.#dedup._finish(kind, this.#native)
  }
}

module.exports = { Deduplicator, MemoryStore, Claim, kNative }
