//! Base64 flavours the protocol uses, in one place so every parser agrees on them.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// Standard alphabet; decodes with or without `=` padding (Palisade pads, hand-copied values
/// often lose it); encodes with padding, as Palisade does.
pub(crate) const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes standard base64 (padding optional).
pub(crate) fn decode_b64(input: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD_LENIENT.decode(input)
}

/// Encodes standard base64 with padding.
pub(crate) fn encode_b64(input: &[u8]) -> String {
    STANDARD_LENIENT.encode(input)
}

/// True when the text uses the URL-safe alphabet (`-`, `_`), which Palisade does not: used to turn
/// a bare "not base64" into an error message that names the likely mistake.
pub(crate) fn looks_url_safe(input: &str) -> bool {
    input.bytes().any(|b| b == b'-' || b == b'_')
}
