//! The one error type of the SDK, with the stable codes every language shares.

use std::fmt;

/// Stable, language-independent error codes. The string form returned by
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

/// Longest [`Error::message`], in characters (Unicode scalar values).
///
/// Most refusals happen before (or because) a delivery is authenticated, and their messages end
/// up in HTTP responses and log lines: a message must not grow with the input. Each message
/// names the kind and position of a problem, never the content; this bound is the backstop.
pub const MAX_MESSAGE_CHARS: usize = 200;

/// What a message cut to [`MAX_MESSAGE_CHARS`] ends with. No message the SDK writes on purpose
/// ends with it, so tests can tell a message that had to be cut from one that fits.
pub const TRUNCATION_MARK: char = '…';

/// An SDK error: a stable [`ErrorCode`] plus a message that says what to fix.
///
/// Messages never quote unauthenticated input (body, headers, payload contents, JSON keys): they
/// name kinds and positions, and are at most [`MAX_MESSAGE_CHARS`] characters long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Builds an error from a code and a human-readable message. A message longer than
    /// [`MAX_MESSAGE_CHARS`] is cut at a character boundary and ends with [`TRUNCATION_MARK`].
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let mut message = message.into();
        bound_message(&mut message);
        Error { code, message }
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

/// Cuts `message` to at most [`MAX_MESSAGE_CHARS`] characters, the last being the mark.
fn bound_message(message: &mut String) {
    // Byte length bounds the character count from above: most messages skip the scan.
    if message.len() <= MAX_MESSAGE_CHARS {
        return;
    }
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS - 1) {
        if message[cut..].chars().nth(1).is_some() {
            message.truncate(cut);
            message.push(TRUNCATION_MARK);
        }
    }
}

/// `text` cut to at most `max_chars` characters (keeping its start, and ending with
/// [`TRUNCATION_MARK`] when cut): for configuration values and third-party error texts that go
/// into a message (a store's path or a driver's error), so the rest of the message survives.
pub(crate) fn clip(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars.saturating_sub(1)) {
        Some((cut, _)) if text[cut..].chars().nth(1).is_some() => {
            format!("{}{TRUNCATION_MARK}", &text[..cut]).into()
        }
        _ => text.into(),
    }
}

/// `text` cut to at most `max_chars` characters keeping its end (for paths: the file name is
/// the informative part), starting with [`TRUNCATION_MARK`] when cut.
#[cfg(any(feature = "sqlite", feature = "redis", test))]
pub(crate) fn clip_start(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    let count = text.chars().count();
    if count <= max_chars {
        return text.into();
    }
    let skip = count - max_chars.saturating_sub(1);
    let start = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
    format!("{TRUNCATION_MARK}{}", &text[start..]).into()
}

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
    fn messages_are_bounded_at_a_character_boundary() {
        for filler in ["x", "é", "日", "😀"] {
            for n in [0, 1, 199, 200, 201, 5000] {
                let e = Error::new(ErrorCode::MalformedEnvelope, filler.repeat(n));
                let chars = e.message().chars().count();
                assert_eq!(chars, n.min(MAX_MESSAGE_CHARS), "{filler} x {n}");
                assert_eq!(
                    e.message().ends_with(TRUNCATION_MARK),
                    n > MAX_MESSAGE_CHARS,
                    "{filler} x {n}"
                );
            }
        }
    }

    #[test]
    fn clipping_keeps_the_start_or_the_end() {
        assert_eq!(clip("abcdef", 10), "abcdef");
        assert_eq!(clip("abcdef", 6), "abcdef");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("日本語です", 3), "日本…");
        assert_eq!(clip_start("/a/b/file.db", 20), "/a/b/file.db");
        assert_eq!(clip_start("/a/b/file.db", 8), "…file.db");
        assert_eq!(clip_start("/日本/語.db", 5), "…語.db");
    }

    #[test]
    fn display_has_code_and_message() {
        let e = Error::new(ErrorCode::InvalidSignature, "no key verified it");
        assert_eq!(e.to_string(), "ERR_INVALID_SIGNATURE: no key verified it");
    }
}
