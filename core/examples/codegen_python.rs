//! Prints the Python SDK's error classes and code constants, generated from the core
//! (`bindings-python/python/palisade_webhooks/_errors.py`): one exception class per delivery
//! error code, `TicketSettledError`, and the closed set of codes a receiver answers with.
//!
//! Run: `cargo run -q -p palisade-webhooks --example codegen_python > bindings-python/python/palisade_webhooks/_errors.py`
//!
//! The Python test suite runs this and fails when the committed file differs.

use std::fmt::Write as _;

use palisade_webhooks::receiver::TicketSettled;
use palisade_webhooks::{AnswerCode, ErrorCode};

/// `ERR_MISSING_SIGNATURE` -> `MissingSignatureError`.
fn class_name(code: &str) -> String {
    let mut name: String = code
        .trim_start_matches("ERR_")
        .split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    name.push_str("Error");
    name
}

/// The docstring of a code's class (reStructuredText, as the rest of the package).
fn doc(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::MissingSignature => "No ``Signature`` header (or an empty one).",
        ErrorCode::MalformedSignature => {
            "The signature is not base64, not strict DER, or looks like a raw ``r||s`` pair."
        }
        ErrorCode::InvalidSignature => {
            "The signature is well-formed but no configured key verifies the payload."
        }
        ErrorCode::InvalidPublicKey => "A public key could not be parsed as a P-256 key.",
        ErrorCode::BodyNotRaw => {
            "The body passed to ``verify`` was not the raw request body (e.g. a parsed ``dict``)."
        }
        ErrorCode::BodyTooLarge => "The body is larger than ``max_body_bytes``.",
        ErrorCode::MalformedEnvelope => "The body is not a JSON object with a ``payload`` string.",
        ErrorCode::MalformedPayload => {
            "The payload is not base64 of a JSON object, or does not fit its domain's model."
        }
        ErrorCode::StaleEvent => {
            "The signed ``updatedAt`` is older than ``max_age`` (or missing while it is set)."
        }
        ErrorCode::StoreUnavailable => "The idempotency store could not be reached or failed.",
        other => panic!("no docstring for {other}: add one to codegen_python.rs"),
    }
}

fn tuple(codes: &[&str]) -> String {
    let mut out = String::from("(\n");
    for code in codes {
        let _ = writeln!(out, "    {code:?},");
    }
    out.push(')');
    out
}

fn main() {
    let error_codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let receiver_codes: Vec<&str> = AnswerCode::RECEIVER_CODES
        .iter()
        .map(|c| c.as_str())
        .collect();
    let mut classes = String::new();
    let mut names = Vec::new();
    for code in ErrorCode::ALL {
        let name = class_name(code.as_str());
        let _ = write!(
            classes,
            "\n\nclass {name}(WebhookError):\n    \"\"\"{doc}\n\n    Answered with HTTP status \
             {status}.\n    \"\"\"\n\n    code = {code:?}\n",
            doc = doc(code),
            status = code.http_status(),
            code = code.as_str(),
        );
        names.push(name);
    }
    let settled = class_name(TicketSettled::CODE);
    let _ = write!(
        classes,
        "\n\nclass {settled}(WebhookError):\n    \"\"\"A ticket (or a claim) was finished a second \
         time: a delivery is settled exactly once,\n    and the first settlement stands.\"\"\"\n\n    \
         code = {code:?}\n\n    def __init__(self, message: str = _TICKET_SETTLED_MESSAGE) -> None:\n        \
         super().__init__(message)\n",
        code = TicketSettled::CODE,
    );
    let mut all = vec![
        "ERROR_CODES".to_string(),
        "RECEIVER_CODES".to_string(),
        "TICKET_SETTLED".to_string(),
        "WebhookError".to_string(),
    ];
    all.extend(names.iter().cloned());
    all.push(settled.clone());
    let all: String = all.iter().map(|n| format!("    {n:?},\n")).collect();
    let by_code: String = names
        .iter()
        .chain([&settled])
        .map(|n| format!("        {n},\n"))
        .collect();

    print!(
        r#"# Generated from the Rust core by core/examples/codegen_python.rs: do not edit. Regenerate with
# cargo run -q -p palisade-webhooks --example codegen_python > bindings-python/python/palisade_webhooks/_errors.py
"""The exceptions of palisade_webhooks, one class per stable error code, and the codes a
receiver answers with.

Every failure of a delivery raises a subclass of :class:`WebhookError`; its ``code`` is the same
string in the Python, Node.js, Go and Rust SDKs. ``_BY_CODE`` is the one table from code to class
(the native module raises through it).
"""

from __future__ import annotations

from typing import ClassVar, Final

__all__ = [
{all}]

ERROR_CODES: Final[tuple[str, ...]] = {error_codes}
"""The delivery error codes, each with its exception class below."""

RECEIVER_CODES: Final[tuple[str, ...]] = {receiver_codes}
"""The codes a receiver's ``Answer`` carries besides the delivery error codes."""

TICKET_SETTLED: Final = {settled_code:?}
"""The code of finishing a ticket (or a claim) twice."""

_TICKET_SETTLED_MESSAGE: Final = (
    {settled_message:?}
)


class WebhookError(Exception):
    """Base class of every SDK error.

    ``code`` is the stable error code (for example ``"ERR_INVALID_SIGNATURE"``) and ``message``
    says what to fix; messages never quote unauthenticated input (body, headers, payload
    contents): they name kinds and positions, in at most 200 characters.
    """

    code: ClassVar[str] = "ERR_WEBHOOK"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{{self.code}}: {{self.message}}"
{classes}

# Shown (and pickled) under the package that exports them.
for _cls in (WebhookError, *WebhookError.__subclasses__()):
    _cls.__module__ = "palisade_webhooks"
del _cls

_BY_CODE: dict[str, type[WebhookError]] = {{
    cls.code: cls
    for cls in (
{by_code}    )
}}
"#,
        error_codes = tuple(&error_codes),
        receiver_codes = tuple(&receiver_codes),
        settled_code = TicketSettled::CODE,
        settled_message = TicketSettled::MESSAGE,
    );
}
