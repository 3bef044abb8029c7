// Types of palisade-webhooks. The native classes are described by the generated
// lib/native.d.ts; this file is the public, typed layer over them.

/// <reference types="node" />

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'

// ---------------------------------------------------------------------------------------------
// Codes (generated from the Rust core: lib/codes.d.ts)

import type { ErrorCode, ReceiverCode, AnswerCode, TicketSettledCode } from './lib/codes'
export type { ErrorCode, ReceiverCode, AnswerCode, TicketSettledCode } from './lib/codes'
export { CODES, ERROR_STATUS, RECEIVER_STATUS } from './lib/codes'

/** Every delivery error code, in a stable order. */
export declare const ERROR_CODES: readonly ErrorCode[]

/** The codes a receiver's answers add to the delivery error codes, in a stable order. */
export declare const ANSWER_CODES: readonly ReceiverCode[]

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * The one error type of the SDK. `code` is stable across versions and languages; `message`
 * says what to fix; it never quotes unauthenticated input (body, headers, payload contents)
 * and is at most 200 characters. Wrong argument types throw `TypeError`.
 */
export declare class WebhookError extends Error {
  constructor(code: ErrorCode | TicketSettledCode, message: string, options?: ErrorOptions)
  readonly code: ErrorCode | TicketSettledCode
  readonly name: 'WebhookError'
  /** Every code a `WebhookError` carries: the delivery codes and `ERR_TICKET_SETTLED`. */
  static readonly codes: readonly (ErrorCode | TicketSettledCode)[]
}

/**
 * The HTTP status a receiver should answer for an error: 401 (missing, malformed or invalid
 * signature), 400 (malformed envelope or payload, stale event), 413 (body too large),
 * 503 (idempotency store unavailable), 500 (misconfiguration: body not raw, bad key; and
 * anything that is not an error code). The table is the Rust core's, shared by every SDK.
 */
export declare function httpStatusFor(codeOrError: ErrorCode | string | { code?: unknown }): number

// ---------------------------------------------------------------------------------------------
// Resources (generated from the Rust core's models: lib/resources.d.ts). Every field is optional
// except `id`; enum values this version does not know are kept as strings; 64-bit integers and
// decimal quantities are strings.

import type { Domain, Resource } from './lib/resources'
export type {
  TransactionStatus,
  TransactionAction,
  Blockchain,
  WalletStatus,
  Keystore,
  KeyAlgorithm,
  ApprovalStatus,
  Asset,
  TransferParty,
  Transaction,
  WalletSettings,
  Wallet,
  Approval,
  UnknownResource,
  Resource,
  Domain,
} from './lib/resources'

// ---------------------------------------------------------------------------------------------
// Event

/** The serialised event shared by every SDK (what `JSON.stringify(event)` produces). */
export interface EventJSON {
  domain: string
  timestamp: string | null
  idempotency_key: string
  resource_id: string | null
  updated_at: string | null
  status: string | null
  payload: string
  key_fingerprint: string
  raw: Record<string, unknown>
}

/**
 * A verified delivery. Everything except `domain` and `timestamp` comes from the signed
 * payload. `raw` and `data` are parsed on first access.
 */
export declare class Event {
  private constructor()
  /**
   * Restores an event serialised with `JSON.stringify(event)` / `toJSONString()` (also by the
   * Python or Go SDK). Does not re-verify: only restore events your own receiver enqueued.
   */
  static fromJSON(json: string | EventJSON): Event
  /** The envelope's domain: an unsigned routing hint. */
  readonly domain: Domain
  /** The envelope's timestamp (unsigned; null in older deliveries). */
  readonly timestamp: string | null
  /**
   * `"{domain}/{id}/{updatedAt}"` (`id` and `updatedAt` from the signed payload, each part
   * percent-encoded for `%`, `/` and control characters), or `"{domain}/sha256:<hex>"` of the
   * payload when either is missing: deduplicate on this.
   */
  readonly idempotencyKey: string
  /** The resource's `id`, or null. */
  readonly resourceId: string | null
  /** The resource's `updatedAt`, or null. */
  readonly updatedAt: string | null
  /** The resource's `status`, or null. */
  readonly status: string | null
  /** The typed resource, discriminated by `kind`. */
  readonly data: Resource
  /** The decoded payload JSON, exactly as signed (every field, including unmodelled ones). */
  readonly raw: Record<string, unknown>
  /** The signed base64 payload string. */
  readonly payload: string
  /** Fingerprint of the key that verified the delivery. */
  readonly keyFingerprint: string
  /** The shared serialised form (snake_case keys, `raw` embedded). */
  toJSON(): EventJSON
  /** `JSON.stringify(this)`, produced natively. */
  toJSONString(): string
}

// ---------------------------------------------------------------------------------------------
// Webhook

/**
 * A raw request body: exactly the bytes received. Bytes are read in place, after the headers
 * (so any getter of yours on the headers runs first); a detached buffer is a `TypeError`.
 */
export type RawBody = Buffer | Uint8Array | ArrayBuffer | ArrayBufferView | SharedArrayBuffer | string

/** Any header collection: Node's `req.headers`, a Fetch `Headers`, a `Map`, an object or pairs. */
export type HeadersLike =
  | IncomingHttpHeaders
  | Headers
  | Map<string, string | readonly string[]>
  | Record<string, string | readonly string[] | number | undefined>
  | ReadonlyArray<readonly [string, string]>

export interface WebhookOptions {
  /** Bodies larger than this are refused (`ERR_BODY_TOO_LARGE`). Default 1 MiB. */
  maxBodyBytes?: number
  /** The digest construction. Default `'sha256'`; `'sha256-double'` only if a diagnosis says so. */
  digest?: 'sha256' | 'sha256-double'
  /** Refuse events whose signed `updatedAt` is older than this many seconds. Off by default. */
  maxAge?: number | null
}

/** One item of `Webhook.verifyBatch`. */
export interface BatchItem {
  body: RawBody
  headers: HeadersLike
}

export type BatchResult = { ok: true; event: Event } | { ok: false; error: WebhookError }

/**
 * A webhook endpoint's verifier: its public key(s) and options. Build it once at start-up and
 * reuse it for every delivery.
 */
export declare class Webhook {
  /**
   * @param publicKey the key from the Palisade console (base64 DER SPKI, PEM or SEC1), or
   *   several during a rotation (a delivery verifies if any key verifies it).
   * @throws {WebhookError} `ERR_INVALID_PUBLIC_KEY`
   */
  constructor(publicKey: string | readonly string[], options?: WebhookOptions)
  /**
   * Verifies a delivery and returns its event.
   * @param body the raw request body (never a parsed object: that throws `ERR_BODY_NOT_RAW`)
   * @param headers the request headers; `Signature` is found case-insensitively
   * @throws {WebhookError} when the delivery is refused
   */
  verify(body: RawBody, headers: HeadersLike): Event
  /**
   * The low-level check over the envelope's `payload` string. Returns the fingerprint of the
   * key that verified.
   * @throws {WebhookError}
   */
  verifySignature(payloadB64: string, signatureB64: string): string
  /** Verifies many deliveries on the libuv thread pool; one result per item, in order. */
  verifyBatch(items: Iterable<BatchItem>): Promise<BatchResult[]>
  /**
   * Explains why a delivery does or does not verify: the report the CLI's `doctor` prints, for
   * your own debugging (it runs several verifications: never call it on every refusal). With
   * several keys, the report is that of the key the signature matches, else the first key's.
   */
  diagnose(body: RawBody, headers: HeadersLike): Diagnosis
  /** Fingerprints of the configured keys, in the order they are tried. */
  readonly keyFingerprints: string[]
  /** The largest body accepted, in bytes. */
  readonly maxBodyBytes: number
  /** The digest construction. */
  readonly digest: 'sha256' | 'sha256-double'
  /** `maxAge` in seconds, or null. */
  readonly maxAge: number | null
}

/** One step of a diagnosis. */
export interface DiagnosisCheck {
  /** What was checked: `'public key'`, `'signature header'`, `'envelope'`, `'signature encoding'`, `'signature match'`, `'payload'`. */
  readonly name: string
  readonly ok: boolean
  /** What was found. */
  readonly detail: string
}

/** What a diagnosis concluded. */
export interface Diagnosis {
  /** True when the delivery verifies with the default options. */
  readonly verifies: boolean
  /** The digest construction the signature matches, when one does. */
  readonly digest: 'sha256' | 'sha256-double' | null
  /** The error a default `Webhook` gives for this delivery, if any. */
  readonly error: ErrorCode | null
  /** The likely cause, in one sentence, with what to do about it. */
  readonly cause: string
  /** Every check that ran, in order. */
  readonly checks: readonly DiagnosisCheck[]
}

/** A `verifyWebhook` argument: base64 text, or (as the documentation's snippet takes it) bytes. */
export type WebhookArgument = string | Uint8Array | ArrayBuffer

/**
 * The documentation's function, same name and argument order. Returns false for every failure;
 * never throws. Like the documentation's snippet it also takes bytes: the key and the
 * signature as raw DER, the payload as its bytes. Prefer `Webhook`, which parses the key once
 * and says why a delivery failed.
 *
 * The 8 most recently used keys are remembered: a key's second call prepares the fast verifier
 * (about 1 ms, once) and later calls reuse it. At most ~2.1 MB (262 KB per key).
 */
export declare function verifyWebhook(
  publicKeyB64: WebhookArgument,
  signatureB64: WebhookArgument,
  payloadB64: WebhookArgument
): boolean

// ---------------------------------------------------------------------------------------------
// Deduplication

/**
 * An in-process idempotency store: bounded, forgets on restart. For one process with nothing
 * to survive a restart.
 */
export declare class MemoryStore {
  /**
   * `maxEntries` default 100 000; `ttlSeconds` (cap on any key's life) default 24 h.
   * @throws {RangeError} `maxEntries` below 1, or `ttlSeconds` below 0.001 or above 3650 days
   */
  constructor(options?: { maxEntries?: number; ttlSeconds?: number })
}

export interface SqliteStoreOptions {
  /** How long a call waits for another process's write lock before `ERR_STORE_UNAVAILABLE`. Default 5000; 1 to 3 600 000. */
  busyTimeoutMs?: number
  /** Flush every claim/completion to disk (survives power loss). Default true. */
  syncEveryCommit?: boolean
}

/**
 * A durable idempotency store in one SQLite file, shared by every process on the host that
 * opens it. Opened now; calls run on the libuv thread pool.
 * @throws {WebhookError} `ERR_STORE_UNAVAILABLE` when the file cannot be opened or created
 * @throws {RangeError} `busyTimeoutMs` out of its range
 */
export declare class SqliteStore {
  constructor(path: string, options?: SqliteStoreOptions)
  /** The SQLite file. */
  readonly path: string
}

export interface RedisStoreOptions {
  /** Prefix of every key written. Default `'palisade:idem:'`; the same for every instance of one app. */
  prefix?: string
  /** Bound on one command's round trip, in ms. Default 2000; 1 to 3 600 000. */
  timeoutMs?: number
  /** Bound on opening a connection, in ms. Default 2000; 1 to 3 600 000. */
  connectTimeoutMs?: number
  /**
   * Most connections this process opens to the server, each as concurrent calls need it.
   * Default 4; 1 to 64. Calls beyond that share one, pipelined.
   */
  connections?: number
}

/**
 * An idempotency store on one Redis server, shared by every receiver instance. The URL is
 * checked now; connections open on first use, on the libuv thread pool. Concurrent calls each
 * take a free connection (up to `connections`), then share one, pipelined.
 * @throws {WebhookError} `ERR_STORE_UNAVAILABLE` when the URL is invalid
 * @throws {RangeError} a timeout or `connections` out of its range
 */
export declare class RedisStore {
  constructor(url: string, options?: RedisStoreOptions)
  /** The key prefix in use. */
  readonly prefix: string
  /**
   * Checks that the server answers (connecting if needed).
   * @throws {WebhookError} `ERR_STORE_UNAVAILABLE`
   */
  ping(): Promise<void>
}

/** An idempotency store usable by a `Deduplicator`. */
export type IdempotencyStore = MemoryStore | SqliteStore | RedisStore | FaultyStore

export interface DeduplicatorOptions {
  /** Default: a new `MemoryStore`. */
  store?: IdempotencyStore
  /** How long a claim blocks other workers. Default 60; 0.001 to 3650 days (a `RangeError` otherwise). */
  leaseSeconds?: number
  /** How long completed keys are remembered. Default 7 days; 0.001 to 3650 days (a `RangeError` otherwise). */
  retainSeconds?: number
  /** Run store calls on the libuv thread pool. Default: only for disk/network stores. */
  offload?: boolean
}

export type ClaimStatus = 'new' | 'duplicate' | 'in_progress'

/**
 * A claim on an idempotency key. It settles once: a second `complete()` or `release()`
 * rejects with a `WebhookError` `ERR_TICKET_SETTLED`.
 */
export declare class Claim {
  private constructor()
  readonly status: ClaimStatus
  /** Records success (status `'new'` only); false if the lease was lost to another worker. */
  complete(): Promise<boolean>
  /** Gives the claim up after a failure, so a retry processes the event again. */
  release(): Promise<boolean>
}

export type ProcessResult<R> =
  | {
      status: 'processed'
      result: R
      /** False when the completion was not recorded (lease lost, or the store failed: see `completeError`). */
      completed: boolean
      /** The store's error when recording the completion failed. */
      completeError?: Error
    }
  | { status: 'duplicate' }
  | { status: 'in_progress' }

/** Something with an idempotency key: an `Event`, its serialised form's key, or the key itself. */
export type Deduplicable = { readonly idempotencyKey: string } | string

/** Idempotency for at-least-once delivery, keyed by `Event.idempotencyKey`. */
export declare class Deduplicator {
  constructor(options?: DeduplicatorOptions)
  readonly leaseSeconds: number
  readonly retainSeconds: number
  /**
   * Claims an event: `'new'` (process, then complete or release), `'duplicate'` (answer 2xx),
   * `'in_progress'` (answer 409 so Palisade retries).
   * @throws {WebhookError} `ERR_STORE_UNAVAILABLE`
   */
  claim(event: Deduplicable): Promise<Claim>
  /**
   * Runs `handler` at most once per idempotency key: completes the claim on success; on a
   * throw, releases it and rethrows the handler's error.
   */
  process<E extends Deduplicable, R>(event: E, handler: (event: E) => R | Promise<R>): Promise<ProcessResult<Awaited<R>>>
}

// ---------------------------------------------------------------------------------------------
// Receiver

/** The level of an answer's log line. */
export type LogLevel = 'info' | 'warning' | 'error'

/**
 * What to answer Palisade, decided by the core: write `status`, `headers` and `body` exactly,
 * and log `logMessage` at `logLevel`. The table is in `docs/receiver.md`.
 */
export interface Answer {
  readonly status: number
  /** The JSON body, exactly as it goes on the wire. */
  readonly body: string
  /** The stable code: a delivery status (`processed`, `duplicate`, `in_progress`) or an `ERR_*` code. */
  readonly code: AnswerCode
  /** `Content-Type: application/json`, plus `Allow: POST` on a 405. */
  readonly headers: readonly (readonly [string, string])[]
  readonly logLevel: LogLevel
  /** One log line: the idempotency key and error codes, never payload contents. */
  readonly logMessage: string
}

export interface BeginOptions {
  /** The request's method. Default `'POST'`; anything else is answered 405. */
  method?: string
  /** The request's `Content-Length`, when it sent one (over the limit: refused unread). */
  declaredLength?: number | null
}

/** What `Receiver.begin` decided: answer at once, or run the handler and finish the ticket. */
export type Begin = { answer: Answer; event?: never; ticket?: never } | { answer?: never; event: Event; ticket: Ticket }

/**
 * The right and the duty to settle one delivery: finish it exactly once with the handler's
 * outcome and send the answer it returns. A second finish throws a `WebhookError`
 * `ERR_TICKET_SETTLED`. A ticket garbage-collected unsettled releases its claim.
 */
export declare class Ticket {
  private constructor()
  /** Whether the ticket was finished already. */
  readonly settled: boolean
  /** The handler succeeded: 200 `processed` (even when the store fails to record it: see the log line). */
  finishOk(): Answer
  /** The handler failed (`reason`, an Error or text, is logged, never sent): the claim is released; 500. */
  finishFailed(reason: unknown): Answer
  /** `finishOk()` with the store call on the libuv thread pool. */
  finishOkAsync(): Promise<Answer>
  /** `finishFailed()` with the store call on the libuv thread pool. */
  finishFailedAsync(reason: unknown): Promise<Answer>
}

/**
 * A webhook endpoint's whole receiving policy (verification, deduplication, answers), decided
 * by the Rust core the same way in every language. The adapters are I/O around it.
 */
export declare class Receiver {
  constructor(webhook: Webhook, deduplicator?: Deduplicator | null)
  readonly webhook: Webhook
  readonly deduplicator: Deduplicator | null
  /** Read at most one byte more than this (an oversize body without a length is then recognised). */
  readonly maxBodyBytes: number
  /** Starts receiving one request (store calls on this thread: prefer `beginAsync` on a server). */
  begin(body: RawBody, headers: HeadersLike, options?: BeginOptions): Begin
  /** `begin` on the libuv thread pool. */
  beginAsync(body: RawBody, headers: HeadersLike, options?: BeginOptions): Promise<Begin>
}

// ---------------------------------------------------------------------------------------------
// Testing

/** A signed delivery, as Palisade would POST it. */
export interface Delivery {
  body: Buffer
  headers: Record<string, string>
  payload: string
  signature: string
}

/** A P-256 key pair standing in for Palisade's signer (tests only). */
export declare class TestSigner {
  private constructor()
  /** A fresh random key. */
  static generate(): TestSigner
  /** A key derived from a number: the same seed gives the same key. */
  static fromSeed(seed: number): TestSigner
  /** Loads PKCS#8 PEM, SEC1 PEM or a 64-hex-character scalar. */
  static fromPrivateKey(text: string): TestSigner
  /** The public key as Palisade shows it: pass it to `new Webhook(...)`. */
  readonly publicKeyB64: string
  readonly privateKeyPem: string
  readonly fingerprint: string
  /** Signs a payload string: the `Signature` header value. */
  sign(payloadB64: string, options?: { digest?: 'sha256' | 'sha256-double' }): string
  /**
   * A complete delivery for `domain` carrying `resource` (an object, or JSON text used as is).
   * `timestamp`: fixed, `null` to omit, or the current time when left out.
   */
  delivery(
    domain: Domain,
    resource: object | string,
    options?: { timestamp?: string | null; digest?: 'sha256' | 'sha256-double' }
  ): Delivery
}

/** Where a `FaultyStore` fails. */
export type FailAt = 'nothing' | 'claim' | 'complete' | 'release'

/**
 * An idempotency store that fails on purpose (`ERR_STORE_UNAVAILABLE`) at one step, to test a
 * receiver's answers to store outages (tests only).
 */
export declare class FaultyStore {
  /** `failAt` defaults to `'complete'`. */
  constructor(inner: MemoryStore | SqliteStore | RedisStore, failAt?: FailAt)
  /** Where it fails; may be changed while in use. */
  failAt: FailAt
}

// ---------------------------------------------------------------------------------------------
// Adapters

/** Where the adapters log each answer's line: `console`, pino, winston, ... */
export interface Logger {
  info(message: string, ...rest: unknown[]): unknown
  warn(message: string, ...rest: unknown[]): unknown
  error(message: string, ...rest: unknown[]): unknown
}

interface AdapterCommon<H> {
  /** Runs for a verified, new delivery; throwing (or rejecting) answers 500 `ERR_HANDLER_FAILED`. */
  handler: H
  /**
   * Where each answer's log line goes (a handler's error with it). Default: warnings and
   * errors to `console`; `null`: nothing.
   */
  logger?: Logger | null
}

/** An adapter's options: a webhook (and a deduplicator), or a `Receiver` built from them. */
export type AdapterOptions<H> = AdapterCommon<H> &
  (
    | { webhook: Webhook; deduplicator?: Deduplicator | null; receiver?: never }
    | { receiver: Receiver; webhook?: never; deduplicator?: never }
  )

/** A request as Express presents it (structural, so Express itself is not a dependency). */
export type ExpressRequest = IncomingMessage & { body?: unknown; rawBody?: Buffer }

/**
 * Express middleware; mount it for every method so a wrong method gets the receiver's 405:
 * `app.all('/webhooks/palisade', expressWebhook({ webhook, handler }))`. Reads the raw body
 * itself, bounded (or uses `express.raw()` / `captureRawBody`), runs `handler(event, req)` and
 * answers what the core's `Receiver` decides. A body already parsed by `express.json()` goes
 * to `next(err)` (`ERR_BODY_NOT_RAW`, saying how to fix the app).
 */
export declare function expressWebhook<Req extends IncomingMessage = ExpressRequest>(
  options: AdapterOptions<(event: Event, req: Req) => unknown>
): (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void

/** `express.json({ verify: captureRawBody })`: keeps the raw bytes as `req.rawBody`. */
export declare function captureRawBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): void

/**
 * Fastify plugin: `app.register(fastifyWebhook, { prefix: '/webhooks/palisade', webhook, handler })`.
 * Its raw-body parser (bounded by `maxBodyBytes + 1`) is scoped to the plugin's route
 * (`<prefix><path>`, every method).
 */
export declare function fastifyWebhook(
  fastify: any,
  options: AdapterOptions<(event: Event, request: any) => unknown> & { path?: string },
  done: (err?: Error) => void
): void

/**
 * Fetch-API handler (Next.js route handlers, Hono, ...): `const handle = fetchWebhook({ webhook, handler })`.
 * Answers what the core's `Receiver` decides; the handler's return value does not change it.
 */
export declare function fetchWebhook(
  options: AdapterOptions<(event: Event, request: Request) => unknown>
): (request: Request) => Promise<Response>
