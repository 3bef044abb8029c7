'use strict'

const native = require('./native.js')
const { call, fromNative, fromOutcome, optionalNumber, ticketSettled } = require('./errors.js')

const { NativeStore, NativeDeduplicator } = native

/** Where a store class keeps its native store. */
const kNative = Symbol('palisade-webhooks.nativeStore')

/**
 * An in-process idempotency store: deduplicates within one process and forgets on restart.
 * Bounded: at most `maxEntries` keys (default 100 000), none kept longer than `ttlSeconds`
 * (default 24 h). Use `SqliteStore` to survive restarts on one host, `RedisStore` when several
 * instances receive deliveries.
 * @throws {RangeError} `maxEntries` below 1, or `ttlSeconds` below 0.001 or above 3650 days
 * @throws {TypeError} an option that is not a number (or a `maxEntries` that is not an integer)
 */
class MemoryStore {
  /** @param {{ maxEntries?: number, ttlSeconds?: number }} [options] */
  constructor(options = {}) {
    checkOptions(options)
    const maxEntries = optionalNumber('maxEntries', options.maxEntries)
    const ttlSeconds = optionalNumber('ttlSeconds', options.ttlSeconds)
    /** @internal */
    this[kNative] = call(() => NativeStore.memory(maxEntries, ttlSeconds))
  }
}

/**
 * A durable idempotency store in one SQLite file: survives restarts and crashes, and is shared
 * by every process on the host that opens the same file (not on a network file system). The
 * file is opened (and created if needed) now; store calls then run on the libuv thread pool.
 *
 * `busyTimeoutMs` (default 5000): how long a call waits for another process's write lock
 * before failing with `ERR_STORE_UNAVAILABLE`. `syncEveryCommit` (default true): flush every
 * claim and completion to disk (survives a power loss); false is several times faster and
 * still survives a process crash, but the last few records may be lost if the machine goes down.
 * @throws {WebhookError} `ERR_STORE_UNAVAILABLE` when the file cannot be opened or created
 * @throws {RangeError} `busyTimeoutMs` below 1 or above 3 600 000 (one hour)
 */
class SqliteStore {
  /**
   * @param {string} path
   * @param {{ busyTimeoutMs?: number, syncEveryCommit?: boolean }} [options]
   */
  constructor(path, options = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string')
    checkOptions(options)
    const busyTimeoutMs = optionalNumber('busyTimeoutMs', options.busyTimeoutMs)
    const sync = optionalBoolean('syncEveryCommit', options.syncEveryCommit)
    /** @internal */
    this[kNative] = call(() => NativeStore.sqlite(path, busyTimeoutMs, sync))
    /** The SQLite file. */
    this.path = path
  }
}

/**
 * An idempotency store on one Redis server, shared by every receiver instance that uses the
 * same server and `prefix` (default `'palisade:idem:'`). The URL (`redis://[user:password@]host[:port][/db]`)
 * is checked now; the connection is opened by the first call, on the libuv thread pool, so
 * creating the store never blocks the event loop and the app can start while Redis is down
 * (calls fail with `ERR_STORE_UNAVAILABLE`, which the adapters answer with 503, until it is back).
 * `await store.ping()` checks the server, e.g. at startup or in a readiness probe.
 *
 * `timeoutMs` (default 2000) bounds each command, `connectTimeoutMs` (default 2000) opening a
 * connection: a call never hangs. Concurrent calls (on the libuv pool) each take a connection
 * nobody is using, up to `connections` (default 4, at most 64) opened as they are needed; beyond
 * that they share one, pipelined.
 * @throws {WebhookError} `ERR_STORE_UNAVAILABLE` when the URL is invalid
 * @throws {RangeError} a timeout below 1 ms or above one hour, `connections` below 1 or above 64
 */
class RedisStore {
  /**
   * @param {string} url
   * @param {{ prefix?: string, timeoutMs?: number, connectTimeoutMs?: number, connections?: number }} [options]
   */
  constructor(url, options = {}) {
    if (typeof url !== 'string') throw new TypeError('url must be a string')
    checkOptions(options)
    const { prefix } = options
    if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') {
      throw new TypeError('prefix must be a string')
    }
    const timeoutMs = optionalNumber('timeoutMs', options.timeoutMs)
    const connectTimeoutMs = optionalNumber('connectTimeoutMs', options.connectTimeoutMs)
    const connections = optionalNumber('connections', options.connections)
    /** @internal */
    this[kNative] = call(() => NativeStore.redis(url, prefix ?? undefined, timeoutMs, connectTimeoutMs, connections))
    /** The prefix of every key this store writes. */
    this.prefix = /** @type {string} */ (this[kNative].prefix)
  }

  /**
   * Checks that the server answers (connecting if needed), off the event loop.
   * @returns {Promise<void>}
   * @throws {WebhookError} `ERR_STORE_UNAVAILABLE` when it does not
   */
  async ping() {
    const outcome = await this[kNative].pingAsync().catch((/** @type {unknown} */ e) => Promise.reject(fromNative(e)))
    if (outcome.code) throw fromOutcome(outcome.code, outcome.message || '')
  }
}

/** @param {unknown} options */
function checkOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
}

/**
 * @param {string} name
 * @param {unknown} value
 * @returns {boolean | undefined}
 */
function optionalBoolean(name, value) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`)
  return value
}

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
 * The native deduplicator of a `Deduplicator` (for `Receiver`; not part of the API).
 * @type {(dedup: Deduplicator) => InstanceType<typeof NativeDeduplicator>}
 */
let nativeOf

/**
 * Idempotency for Palisade's at-least-once delivery, keyed by `Event.idempotencyKey` (the
 * envelope's domain plus the signed `id` and `updatedAt`).
 */
class Deduplicator {
  /** @type {InstanceType<typeof NativeDeduplicator>} */
  #native
  /** @type {boolean} */
  #offload

  static {
    nativeOf = (dedup) => dedup.#native
  }

  /**
   * @param {{ store?: MemoryStore | SqliteStore | RedisStore, leaseSeconds?: number, retainSeconds?: number, offload?: boolean }} [options]
   *   `store` defaults to a new `MemoryStore`; `leaseSeconds` (default 60) is how long a claim
   *   blocks other workers; `retainSeconds` (default 7 days) how long completed keys are
   *   remembered; `offload` runs store calls on the libuv thread pool (default: only for stores
   *   that do disk or network I/O).
   * @throws {RangeError} a lease or retention below 0.001 s or above 3650 days (zero would turn
   *   deduplication off)
   */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const { store = new MemoryStore(), offload } = options
    const leaseSeconds = optionalNumber('leaseSeconds', options.leaseSeconds)
    const retainSeconds = optionalNumber('retainSeconds', options.retainSeconds)
    const nativeStore = store && /** @type {any} */ (store)[kNative]
    if (!(nativeStore instanceof NativeStore)) {
      throw new TypeError('store must be a store from this package (MemoryStore, SqliteStore or RedisStore)')
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
   * handler's error (so Palisade's retry processes the event again). The claim is settled
   * exactly once, as a `Receiver`'s ticket is.
   *
   * Resolves to `{ status: 'processed', result, completed }` when the handler ran
   * (`completed` is false if the completion could not be recorded: the lease was lost, or the
   * store failed, in which case `completeError` holds its `WebhookError`; the work is done
   * either way and counts as processed, as a `Receiver` answers it, but a retry after the
   * lease expires may process the event again), or
   * `{ status: 'duplicate' }` / `{ status: 'in_progress' }` without calling the handler.
   * Rejects with the handler's own error, or with a `WebhookError` `ERR_STORE_UNAVAILABLE`
   * when the claim itself fails.
   * @template T, R
   * @param {T & ({ idempotencyKey: string } | string)} event
   * @param {(event: T) => R | Promise<R>} handler
   * @returns {Promise<{ status: 'processed', result: R, completed: boolean, completeError?: Error } | { status: 'duplicate' | 'in_progress' }>}
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
    try {
      return { status: 'processed', result, completed: await claim.complete() }
    } catch (completeError) {
      return { status: 'processed', result, completed: false, completeError }
    }
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
   * when the lease had expired and another worker took the key over. A claim settles once:
   * a second `complete()` or `release()` rejects with a `WebhookError` `ERR_TICKET_SETTLED`.
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
    if (this.#settled) throw ticketSettled()
    this.#settled = true
    return this.#dedup._finish(kind, this.#native)
  }
}

module.exports = { Deduplicator, MemoryStore, SqliteStore, RedisStore, Claim, kNative, nativeOf: (/** @type {Deduplicator} */ d) => nativeOf(d) }
