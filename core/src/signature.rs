//! Signature decoding (base64 of strict DER) and the digest construction.

use std::fmt;
use std::str::FromStr;

use p256::ecdsa::Signature;
use sha2::{Digest as _, Sha256};

use crate::encoding::{decode_b64, looks_url_safe};
use crate::error::{err, Result};

/// Longest `Signature` header value worth decoding. A P-256 DER signature is at most 72 bytes
/// (96 base64 characters); anything far longer is refused before any work is spent on it.
pub(crate) const MAX_SIGNATURE_CHARS: usize = 256;

/// How the signed bytes are hashed before ECDSA (docs/protocol.md, "The signature").
///
/// [`Digest::Sha256`] is the standard ECDSA-SHA256 construction and the default.
/// [`Digest::Sha256Double`] verifies `ECDSA(SHA-256(SHA-256(payload)))`, for the case where a
/// real delivery turns out to be signed that way; it is opt-in, and a `Webhook` never accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Digest {
    /// `SHA-256(payload)`: the default.
    #[default]
    Sha256,
    /// `SHA-256(SHA-256(payload))`: opt-in.
    Sha256Double,
}

impl Digest {
    /// The option string used in every language: `"sha256"` or `"sha256-double"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Digest::Sha256 => "sha256",
            Digest::Sha256Double => "sha256-double",
        }
    }

    /// The 32-byte value ECDSA signs for this construction.
    pub fn prehash(self, message: &[u8]) -> [u8; 32] {
        let once: [u8; 32] = Sha256::digest(message).into();
        match self {
            Digest::Sha256 => once,
            Digest::Sha256Double => Sha256::digest(once).into(),
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Returned when a digest option string is neither `"sha256"` nor `"sha256-double"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDigest(pub String);

impl fmt::Display for UnknownDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown digest {:?}: expected \"sha256\" (default) or \"sha256-double\"",
            self.0
        )
    }
}

impl std::error::Error for UnknownDigest {}

impl FromStr for Digest {
    type Err = UnknownDigest;
    fn from_str(s: &str) -> Result<Self, UnknownDigest> {
        match s {
            "sha256" => Ok(Digest::Sha256),
            "sha256-double" => Ok(Digest::Sha256Double),
            other => Err(UnknownDigest(other.to_string())),
        }
    }
}

/// Decodes a `Signature` header value: standard base64 (padding optional) of a strict ASN.1 DER
/// `SEQUENCE { r INTEGER, s INTEGER }` with `r` and `s` in `[1, n-1]`.
///
/// BER forms (long-form lengths, superfluous leading zeros), trailing bytes and the 64-byte raw
/// `r||s` (IEEE P1363) encoding are refused with `ERR_MALFORMED_SIGNATURE`, each with a message
/// that says which. An empty value is `ERR_MISSING_SIGNATURE`.
pub fn parse_signature(signature_b64: &str) -> Result<Signature> {
    let text = signature_b64.trim();
    if text.is_empty() {
        return Err(err!(MissingSignature, "the Signature header is empty"));
    }
    if text.len() > MAX_SIGNATURE_CHARS {
        return Err(err!(
            MalformedSignature,
            "the signature is {} bytes long; a base64 DER P-256 signature has at most 96",
            text.len()
        ));
    }
    let der = decode_b64(text.as_bytes()).map_err(|_| {
        if looks_url_safe(text) {
            err!(
                MalformedSignature,
                "the signature uses the URL-safe base64 alphabet ('-', '_'); Palisade sends \
                 standard base64"
            )
        } else {
            err!(MalformedSignature, "the signature is not valid base64")
        }
    })?;
    Signature::from_der(&der).map_err(|_| {
        if der.len() == 64 && der[0] != 0x30 {
            err!(
                MalformedSignature,
                "the signature is 64 bytes, which looks like raw r||s (IEEE P1363); Palisade \
                 signatures are ASN.1 DER"
            )
        } else if der.len() == 64 {
            err!(
                MalformedSignature,
                "the signature is not strict ASN.1 DER (64 bytes: is it raw r||s, IEEE P1363?)"
            )
        } else {
            err!(
                MalformedSignature,
                "the signature is not a strict ASN.1 DER ECDSA signature with r and s in [1, n-1] \
                 ({} bytes)",
                der.len()
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode_b64;
    use crate::error::ErrorCode;

    fn code(s: &str) -> (ErrorCode, String) {
        let e = parse_signature(s).unwrap_err();
        (e.code(), e.message().to_string())
    }

    const DER: &str = "3045022100b292a619339f6e567a305c951c0dcbcc42d16e47f219f9e98e76e09d8770b34a02200177e60492c5a8242f76f07bfe3661bde59ec2a17ce5bd2dab2abebdf89a62e2";

    #[test]
    fn accepts_der_with_and_without_padding() {
        let der = hex::decode(DER).unwrap();
        let b64 = encode_b64(&der);
        assert!(parse_signature(&b64).is_ok());
        assert!(parse_signature(b64.trim_end_matches('=')).is_ok());
        assert!(parse_signature(&format!("  {b64}\n")).is_ok());
    }

    #[test]
    fn refuses_raw_ber_trailing_and_garbage() {
        let sig = parse_signature(&encode_b64(&hex::decode(DER).unwrap())).unwrap();
        let raw = sig.to_bytes();
        let (c, m) = code(&encode_b64(&raw));
        assert_eq!(c, ErrorCode::MalformedSignature);
        assert!(m.contains("P1363"), "{m}");

        let mut trailing = hex::decode(DER).unwrap();
        trailing.push(0);
        assert_eq!(
            code(&encode_b64(&trailing)).0,
            ErrorCode::MalformedSignature
        );

        // Long-form length for the SEQUENCE (BER, not DER).
        let mut ber = vec![0x30, 0x81, 0x45];
        ber.extend_from_slice(&hex::decode(DER).unwrap()[2..]);
        assert_eq!(code(&encode_b64(&ber)).0, ErrorCode::MalformedSignature);

        assert_eq!(code("").0, ErrorCode::MissingSignature);
        assert!(code("abc$").1.contains("not valid base64"));
        assert!(code("MEUCIQ-yk_").1.contains("URL-safe"));
        assert!(code(&"A".repeat(1000)).1.contains("1000 bytes"));
    }

    #[test]
    fn digest_modes() {
        assert_eq!("sha256".parse::<Digest>().unwrap(), Digest::Sha256);
        assert_eq!(
            "sha256-double".parse::<Digest>().unwrap(),
            Digest::Sha256Double
        );
        assert!("SHA256".parse::<Digest>().is_err());
        let once = Digest::Sha256.prehash(b"abc");
        assert_eq!(
            hex::encode(once),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let twice: [u8; 32] = Sha256::digest(once).into();
        assert_eq!(Digest::Sha256Double.prehash(b"abc"), twice);
    }
}
