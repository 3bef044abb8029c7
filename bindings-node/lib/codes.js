// Generated from the Rust core by core/examples/codegen_node.rs: do not edit.
// Regenerate with `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- js > bindings-node/lib/codes.js`.
'use strict'

/**
 * The delivery error codes, in the core's stable order, each with the HTTP status a receiver
 * answers it with (`httpStatusFor`).
 * @type {Readonly<Record<import('./codes').ErrorCode, number>>}
 */
const ERROR_STATUS = Object.freeze({
  ERR_MISSING_SIGNATURE: 401,
  ERR_MALFORMED_SIGNATURE: 401,
  ERR_INVALID_SIGNATURE: 401,
  ERR_INVALID_PUBLIC_KEY: 500,
  ERR_BODY_NOT_RAW: 500,
  ERR_BODY_TOO_LARGE: 413,
  ERR_MALFORMED_ENVELOPE: 400,
  ERR_MALFORMED_PAYLOAD: 400,
  ERR_STALE_EVENT: 400,
  ERR_STORE_UNAVAILABLE: 503,
})

/**
 * The codes a receiver's answers add to the delivery error codes, each with its HTTP status.
 * @type {Readonly<Record<import('./codes').ReceiverCode, number>>}
 */
const RECEIVER_STATUS = Object.freeze({
  processed: 200,
  duplicate: 200,
  in_progress: 409,
  ERR_HANDLER_FAILED: 500,
  ERR_METHOD_NOT_ALLOWED: 405,
})

/** Every code by name: `CODES.INVALID_SIGNATURE === 'ERR_INVALID_SIGNATURE'`. */
const CODES = Object.freeze({
  MISSING_SIGNATURE: "ERR_MISSING_SIGNATURE",
  MALFORMED_SIGNATURE: "ERR_MALFORMED_SIGNATURE",
  INVALID_SIGNATURE: "ERR_INVALID_SIGNATURE",
  INVALID_PUBLIC_KEY: "ERR_INVALID_PUBLIC_KEY",
  BODY_NOT_RAW: "ERR_BODY_NOT_RAW",
  BODY_TOO_LARGE: "ERR_BODY_TOO_LARGE",
  MALFORMED_ENVELOPE: "ERR_MALFORMED_ENVELOPE",
  MALFORMED_PAYLOAD: "ERR_MALFORMED_PAYLOAD",
  STALE_EVENT: "ERR_STALE_EVENT",
  STORE_UNAVAILABLE: "ERR_STORE_UNAVAILABLE",
  PROCESSED: "processed",
  DUPLICATE: "duplicate",
  IN_PROGRESS: "in_progress",
  HANDLER_FAILED: "ERR_HANDLER_FAILED",
  METHOD_NOT_ALLOWED: "ERR_METHOD_NOT_ALLOWED",
  TICKET_SETTLED: "ERR_TICKET_SETTLED",
})

/** The error of settling a ticket (or a claim) a second time. */
const TICKET_SETTLED = Object.freeze({
  code: "ERR_TICKET_SETTLED",
  message: "this ticket was already finished: a delivery is settled exactly once",
})

module.exports = { ERROR_STATUS, RECEIVER_STATUS, CODES, TICKET_SETTLED }
