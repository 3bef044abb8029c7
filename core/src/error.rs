//! The one error type of the SDK, with the stable codes every language shares.

use std::fmt;

/// Stable, language-independent error codes (DESIGN.md). The string form returned by
/// [`ErrorCode::as_str`] is the contract: it is what the Python, Node and Go bindings expose.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No `Signature` header (or an empty one).
    MissingSignature,
    /// The signature is not base64, not strict DER, or looks like raw `r||s`.
    MalformedSignature,
    /// The signature is well-formed but no configured key verifies it.
    InvalidSignature,
    /// A public key could not be parsed as a P-256 key.
    InvalidPublicKey,
    /// The body handed to `verify` was not the raw bytes (e.g. a parsed JSON object).
    BodyNotRaw,
    /// The body is larger than `max_body_bytes`.
    BodyTooLarge,
    /// The envelope is not a JSON object with a `payload` string.
    MalformedEnvelope,
    /// The payload is not base64 of a JSON object, or does not fit its domain's model.
    MalformedPayload,
    /// The signed `updatedAt` is older than `max_age` (or missing while `max_age` is set).
    StaleEvent,
    /// The idempotency store could not be reached or timed out.
    StoreUnavailable,
}

impl ErrorCode {
    /// Every code, in a stable order (used by the bindings to build their error classes).
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::MissingSignature,
        ErrorCode::MalformedSignature,
        ErrorCode::InvalidSignature,
        ErrorCode::InvalidPublicKey,
        ErrorCode::BodyNotRaw,
        ErrorCode::BodyTooLarge,
        ErrorCode::MalformedEnvelope,
        ErrorCode::MalformedPayload,
        ErrorCode::StaleEvent,
        ErrorCode::StoreUnavailable,
    ];

    /// The stable string form, e.g. `"ERR_INVALID_SIGNATURE"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingSignature => "ERR_MISSING_SIGNATURE",
            ErrorCode::MalformedSignature => "ERR_MALFORMED_SIGNATURE",
            ErrorCode::InvalidSignature => "ERR_INVALID_SIGNATURE",
            ErrorCode::InvalidPublicKey => "ERR_INVALID_PUBLIC_KEY",
            ErrorCode::BodyNotRaw => "ERR_BODY_NOT_RAW",
            ErrorCode::BodyTooLarge => "ERR_BODY_TOO_LARGE",
            ErrorCode::MalformedEnvelope => "ERR_MALFORMED_ENVELOPE",
            ErrorCode::MalformedPayload => "ERR_MALFORMED_PAYLOAD",
            ErrorCode::StaleEvent => "ERR_STALE_EVENT",
            ErrorCode::StoreUnavailable => "ERR_STORE_UNAVAILABLE",
        }
    }

    /// The HTTP status a receiver should answer with, the same in every language's adapters:
    ///
    /// - 401 when the delivery is not authenticated (missing, malformed or invalid signature);
    /// - 400 when an authenticated delivery cannot be used (envelope, payload, stale);
    /// - 413 when the body is too large;
    /// - 503 when the idempotency store is unavailable (Palisade retries later);
    /// - 500 for the receiver's own mistakes (bad key configuration, a parsed body).
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::MissingSignature
            | ErrorCode::MalformedSignature
            | ErrorCode::InvalidSignature => 401,
            ErrorCode::MalformedEnvelope | ErrorCode::MalformedPayload | ErrorCode::StaleEvent => {
                400
            }
            ErrorCode::BodyTooLarge => 413,
            ErrorCode::StoreUnavailable => 503,
            ErrorCode::InvalidPublicKey | ErrorCode::BodyNotRaw => 500,
        }
    }

    /// Parses the string form back (used by the vectors and the bindings).
    pub fn from_str_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An SDK error: a stable [`ErrorCode`] plus a message that says what to fix.
///
/// Messages never echo payload contents (a forged payload must not reach logs through us).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Builds an error from a code and a human-readable message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message alone, without the code prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! err {
    ($code:ident, $($arg:tt)+) => {
        $crate::error::Error::new($crate::error::ErrorCode::$code, format!($($arg)+))
    };
}
pub(crate) use err;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_str_code(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_str_code("ERR_NOPE"), None);
    }

    #[test]
    fn display_has_code_and_message() {
        let e = Error::new(ErrorCode::InvalidSignature, "no key verified it");
        assert_eq!(e.to_string(), "ERR_INVALID_SIGNATURE: no key verified it");
    }
}
