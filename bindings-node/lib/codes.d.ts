// Generated from the Rust core by core/examples/codegen_node.rs: do not edit.
// Regenerate with `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- dts > bindings-node/lib/codes.d.ts`.

/** A delivery error code (the same strings in every language). */
export type ErrorCode =
  | "ERR_MISSING_SIGNATURE"
  | "ERR_MALFORMED_SIGNATURE"
  | "ERR_INVALID_SIGNATURE"
  | "ERR_INVALID_PUBLIC_KEY"
  | "ERR_BODY_NOT_RAW"
  | "ERR_BODY_TOO_LARGE"
  | "ERR_MALFORMED_ENVELOPE"
  | "ERR_MALFORMED_PAYLOAD"
  | "ERR_STALE_EVENT"
  | "ERR_STORE_UNAVAILABLE"

/** A code only a receiver's answer carries: the delivery statuses and the receiver-side errors. */
export type ReceiverCode =
  | "processed"
  | "duplicate"
  | "in_progress"
  | "ERR_HANDLER_FAILED"
  | "ERR_METHOD_NOT_ALLOWED"

/** Every code an answer carries. */
export type AnswerCode = ReceiverCode | ErrorCode

/** The code of settling a ticket (or a claim) twice. */
export type TicketSettledCode = "ERR_TICKET_SETTLED"

/** The delivery error codes with the HTTP status a receiver answers each with. */
export declare const ERROR_STATUS: {
  readonly ERR_MISSING_SIGNATURE: 401
  readonly ERR_MALFORMED_SIGNATURE: 401
  readonly ERR_INVALID_SIGNATURE: 401
  readonly ERR_INVALID_PUBLIC_KEY: 500
  readonly ERR_BODY_NOT_RAW: 500
  readonly ERR_BODY_TOO_LARGE: 413
  readonly ERR_MALFORMED_ENVELOPE: 400
  readonly ERR_MALFORMED_PAYLOAD: 400
  readonly ERR_STALE_EVENT: 400
  readonly ERR_STORE_UNAVAILABLE: 503
}

/** The receiver's own codes with their HTTP statuses. */
export declare const RECEIVER_STATUS: {
  readonly processed: 200
  readonly duplicate: 200
  readonly in_progress: 409
  readonly ERR_HANDLER_FAILED: 500
  readonly ERR_METHOD_NOT_ALLOWED: 405
}

/** Every code by name. */
export declare const CODES: {
  readonly MISSING_SIGNATURE: "ERR_MISSING_SIGNATURE"
  readonly MALFORMED_SIGNATURE: "ERR_MALFORMED_SIGNATURE"
  readonly INVALID_SIGNATURE: "ERR_INVALID_SIGNATURE"
  readonly INVALID_PUBLIC_KEY: "ERR_INVALID_PUBLIC_KEY"
  readonly BODY_NOT_RAW: "ERR_BODY_NOT_RAW"
  readonly BODY_TOO_LARGE: "ERR_BODY_TOO_LARGE"
  readonly MALFORMED_ENVELOPE: "ERR_MALFORMED_ENVELOPE"
  readonly MALFORMED_PAYLOAD: "ERR_MALFORMED_PAYLOAD"
  readonly STALE_EVENT: "ERR_STALE_EVENT"
  readonly STORE_UNAVAILABLE: "ERR_STORE_UNAVAILABLE"
  readonly PROCESSED: "processed"
  readonly DUPLICATE: "duplicate"
  readonly IN_PROGRESS: "in_progress"
  readonly HANDLER_FAILED: "ERR_HANDLER_FAILED"
  readonly METHOD_NOT_ALLOWED: "ERR_METHOD_NOT_ALLOWED"
  readonly TICKET_SETTLED: "ERR_TICKET_SETTLED"
}

/** The error of settling a ticket (or a claim) a second time. */
export declare const TICKET_SETTLED: {
  readonly code: "ERR_TICKET_SETTLED"
  readonly message: "this ticket was already finished: a delivery is settled exactly once"
}
