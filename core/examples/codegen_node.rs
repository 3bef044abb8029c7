//! Prints the Node binding's code constants, generated from the core so they are never restated
//! by hand: the delivery error codes with their HTTP statuses, the receiver's answer codes with
//! theirs, and the ticket-settled error.
//!
//! Run from the repository root:
//! `cargo run -q -p palisade-webhooks --example codegen_node -- js > bindings-node/lib/codes.js`
//! `cargo run -q -p palisade-webhooks --example codegen_node -- dts > bindings-node/lib/codes.d.ts`
//!
//! `bindings-node/test/codegen.test.js` fails when the committed files differ from this output.

use palisade_webhooks::receiver::TicketSettled;
use palisade_webhooks::{AnswerCode, ErrorCode};

const HEADER: &str = "// Generated from the Rust core by core/examples/codegen_node.rs: do not edit.\n\
                      // Regenerate with `cargo run -q -p palisade-webhooks --example codegen_node -- ";

/// The constant name of a code: `ERR_INVALID_SIGNATURE` → `INVALID_SIGNATURE`,
/// `in_progress` → `IN_PROGRESS`.
fn constant(code: &str) -> String {
    code.strip_prefix("ERR_")
        .unwrap_or(code)
        .to_ascii_uppercase()
}

/// A JavaScript string literal (JSON's is one).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// Every named code, in order: delivery codes, receiver codes, then the ticket-settled code.
fn named_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    codes.extend(AnswerCode::RECEIVER_CODES.iter().map(|c| c.as_str()));
    codes.push(TicketSettled::CODE);
    codes
}

fn js() -> String {
    let mut out = format!("{HEADER}js > bindings-node/lib/codes.js`.\n'use strict'\n\n");
    out.push_str(
        "/**\n * The delivery error codes, in the core's stable order, each with the HTTP status a receiver\n \
         * answers it with (`httpStatusFor`).\n * @type {Readonly<Record<import('./codes').ErrorCode, number>>}\n */\n\
         const ERROR_STATUS = Object.freeze({\n",
    );
    for code in ErrorCode::ALL {
        out.push_str(&format!("  {}: {},\n", code.as_str(), code.http_status()));
    }
    out.push_str("})\n\n");
    out.push_str(
        "/**\n * The codes a receiver's answers add to the delivery error codes, each with its HTTP status.\n \
         * @type {Readonly<Record<import('./codes').ReceiverCode, number>>}\n */\n\
         const RECEIVER_STATUS = Object.freeze({\n",
    );
    for code in AnswerCode::RECEIVER_CODES {
        out.push_str(&format!("  {}: {},\n", code.as_str(), code.http_status()));
    }
    out.push_str("})\n\n");
    out.push_str("/** Every code by name: `CODES.INVALID_SIGNATURE === 'ERR_INVALID_SIGNATURE'`. */\nconst CODES = Object.freeze({\n");
    for code in named_codes() {
        out.push_str(&format!("  {}: {},\n", constant(code), quoted(code)));
    }
    out.push_str("})\n\n");
    out.push_str(&format!(
        "/** The error of settling a ticket (or a claim) a second time. */\nconst TICKET_SETTLED = Object.freeze({{\n  code: {},\n  message: {},\n}})\n\n",
        quoted(TicketSettled::CODE),
        quoted(TicketSettled::MESSAGE)
    ));
    out.push_str("module.exports = { ERROR_STATUS, RECEIVER_STATUS, CODES, TICKET_SETTLED }\n");
    out
}

fn union(codes: impl IntoIterator<Item = &'static str>) -> String {
    codes
        .into_iter()
        .map(|c| format!("\n  | {}", quoted(c)))
        .collect()
}

fn dts() -> String {
    let mut out = format!("{HEADER}dts > bindings-node/lib/codes.d.ts`.\n\n");
    out.push_str(&format!(
        "/** A delivery error code (the same strings in every language). */\nexport type ErrorCode ={}\n\n",
        union(ErrorCode::ALL.iter().map(|c| c.as_str()))
    ));
    out.push_str(&format!(
        "/** A code only a receiver's answer carries: the delivery statuses and the receiver-side errors. */\nexport type ReceiverCode ={}\n\n",
        union(AnswerCode::RECEIVER_CODES.iter().map(|c| c.as_str()))
    ));
    out.push_str("/** Every code an answer carries. */\nexport type AnswerCode = ReceiverCode | ErrorCode\n\n");
    out.push_str(&format!(
        "/** The code of settling a ticket (or a claim) twice. */\nexport type TicketSettledCode = {}\n\n",
        quoted(TicketSettled::CODE)
    ));
    out.push_str("/** The delivery error codes with the HTTP status a receiver answers each with. */\nexport declare const ERROR_STATUS: {\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!(
            "  readonly {}: {}\n",
            code.as_str(),
            code.http_status()
        ));
    }
    out.push_str("}\n\n/** The receiver's own codes with their HTTP statuses. */\nexport declare const RECEIVER_STATUS: {\n");
    for code in AnswerCode::RECEIVER_CODES {
        out.push_str(&format!(
            "  readonly {}: {}\n",
            code.as_str(),
            code.http_status()
        ));
    }
    out.push_str("}\n\n/** Every code by name. */\nexport declare const CODES: {\n");
    for code in named_codes() {
        out.push_str(&format!(
            "  readonly {}: {}\n",
            constant(code),
            quoted(code)
        ));
    }
    out.push_str(&format!(
        "}}\n\n/** The error of settling a ticket (or a claim) a second time. */\nexport declare const TICKET_SETTLED: {{\n  readonly code: {}\n  readonly message: {}\n}}\n",
        quoted(TicketSettled::CODE),
        quoted(TicketSettled::MESSAGE)
    ));
    out
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("js") => print!("{}", js()),
        Some("dts") => print!("{}", dts()),
        _ => {
            eprintln!("usage: codegen_node js|dts");
            std::process::exit(2);
        }
    }
}
