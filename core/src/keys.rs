//! Public keys: every format a Palisade user is likely to paste, validated as P-256 up front.

use std::fmt;
use std::sync::Arc;

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::der::asn1::ObjectIdentifier;
use p256::pkcs8::der::{Decode, ErrorKind};
use p256::pkcs8::spki::SubjectPublicKeyInfoRef;
use p256::pkcs8::EncodePublicKey;
use sha2::{Digest as _, Sha256};

use crate::encoding::{decode_b64, encode_b64, looks_url_safe};
use crate::error::{err, Result};
use crate::fast::PreparedKey;

const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Names of algorithms and curves a user might hand us by mistake, for error messages.
const KNOWN_OIDS: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "RSA key"),
    ("1.2.840.113549.1.1.10", "RSA-PSS key"),
    ("1.3.101.112", "Ed25519 key"),
    ("1.3.101.113", "Ed448 key"),
    ("1.3.101.110", "X25519 key"),
    ("1.3.132.0.10", "secp256k1 key"),
    ("1.3.132.0.34", "P-384 key"),
    ("1.3.132.0.35", "P-521 key"),
    ("1.2.840.10045.3.1.1", "P-192 key"),
    ("1.3.132.0.33", "P-224 key"),
];

fn describe_oid(oid: &ObjectIdentifier) -> String {
    let s = oid.to_string();
    KNOWN_OIDS
        .iter()
        .find(|(o, _)| *o == s)
        .map(|(_, name)| (*name).to_string())
        .unwrap_or_else(|| format!("key with algorithm OID {}", crate::error::clip(&s, 40)))
}

/// Which verification implementation a [`PublicKey`] uses.
///
/// [`Backend::Fast`] (the default) uses per-key precomputed tables and runs in variable time,
/// which is safe here because verification only ever handles public data (key, message,
/// signature). [`Backend::Reference`] is `p256`'s own constant-time verify, kept for comparison
/// and differential testing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// Precomputed-table verification (the default).
    #[default]
    Fast,
    /// `p256::ecdsa::VerifyingKey::verify_prehash`.
    Reference,
}

/// A parsed and validated P-256 public key.
///
/// Cheap to clone (the key and its precomputed tables are shared behind an [`Arc`]) and safe to
/// share across threads. Parse it once, at start-up, and reuse it for every delivery.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<Inner>,
}

struct Inner {
    verifying_key: VerifyingKey,
    spki_der: Vec<u8>,
    fingerprint: String,
    prepared: Option<PreparedKey>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("fingerprint", &self.inner.fingerprint)
            .field("backend", &self.backend())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner.spki_der == other.inner.spki_der
    }
}
impl Eq for PublicKey {}

impl PublicKey {
    /// Parses a key in any of the formats Palisade users meet, and validates it as P-256:
    ///
    /// - base64 of a DER SubjectPublicKeyInfo, as the console and the webhooks API show it
    ///   (`MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...`); spaces and line breaks are ignored;
    /// - PEM (`-----BEGIN PUBLIC KEY-----`);
    /// - a SEC1 point as hex or base64: 65 bytes uncompressed (`04...`) or 33 bytes compressed.
    ///
    /// Fails with `ERR_INVALID_PUBLIC_KEY` and a message naming what was seen (an RSA key, a
    /// secp256k1 key, a private key, not base64, ...).
    ///
    /// ```
    /// use palisade_webhooks::PublicKey;
    /// let key = PublicKey::parse(
    ///     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpHiEkdd/ba5dU4sNCgsWrMOE6fLakHywl0OgF5aVfxkiqNh22oybRAREev7jvnwH4jqitHx79KGi6CMwiJjmaw==",
    /// ).unwrap();
    /// assert_eq!(key.fingerprint().len(), 16);
    /// ```
    pub fn parse(input: &str) -> Result<PublicKey> {
        Self::parse_with_backend(input, Backend::default())
    }

    /// Like [`PublicKey::parse`], choosing the verification backend.
    pub fn parse_with_backend(input: &str, backend: Backend) -> Result<PublicKey> {
        let verifying_key = parse_verifying_key(input)?;
        Ok(Self::from_verifying_key(verifying_key, backend))
    }

    /// Wraps an already-validated `p256` key.
    pub fn from_verifying_key(verifying_key: VerifyingKey, backend: Backend) -> PublicKey {
        // Encoding a valid P-256 key as SPKI cannot fail; the fallback keeps this path panic-free.
        let spki_der = verifying_key
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default();
        let fingerprint = hex::encode(&Sha256::digest(&spki_der)[..8]);
        let prepared = match backend {
            Backend::Fast => Some(PreparedKey::new(&verifying_key)),
            Backend::Reference => None,
        };
        PublicKey {
            inner: Arc::new(Inner {
                verifying_key,
                spki_der,
                fingerprint,
                prepared,
            }),
        }
    }

    /// First 16 hex characters of SHA-256 over the key's DER SubjectPublicKeyInfo: the same for
    /// a key whatever format it was given in. Use it in logs instead of the key.
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    /// The key as Palisade shows it: base64 of the DER SubjectPublicKeyInfo.
    pub fn to_spki_b64(&self) -> String {
        encode_b64(&self.inner.spki_der)
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.inner.spki_der
    }

    /// The underlying `p256` key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.inner.verifying_key
    }

    /// Which verification implementation this key uses.
    pub fn backend(&self) -> Backend {
        if self.inner.prepared.is_some() {
            Backend::Fast
        } else {
            Backend::Reference
        }
    }

    /// Bytes of precomputed tables held for this key (0 for the reference backend).
    pub fn table_bytes(&self) -> usize {
        self.inner
            .prepared
            .as_ref()
            .map_or(0, PreparedKey::table_bytes)
    }

    /// Verifies an ECDSA signature over a 32-byte digest. High-S signatures are accepted.
    pub fn verify_prehash(&self, prehash: &[u8; 32], signature: &Signature) -> bool {
        match &self.inner.prepared {
            Some(prepared) => prepared.verify_prehash(prehash, signature),
            None => self
                .inner
                .verifying_key
                .verify_prehash(prehash, signature)
                .is_ok(),
        }
    }
}

fn parse_verifying_key(input: &str) -> Result<VerifyingKey> {
    let text = input.trim();
    if text.is_empty() {
        return Err(err!(InvalidPublicKey, "the public key is empty"));
    }
    if text.starts_with("-----BEGIN") {
        return parse_pem(text);
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len().is_multiple_of(2) && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        // Hex is tried first: a hex key is never valid base64 of a key of the right length.
        let bytes = hex::decode(&compact)
            .map_err(|_| err!(InvalidPublicKey, "the public key is not valid hex"))?;
        return key_from_bytes(&bytes, "hex");
    }
    match decode_b64(compact.as_bytes()) {
        Ok(bytes) => key_from_bytes(&bytes, "base64"),
        Err(_) if looks_url_safe(&compact) => Err(err!(
            InvalidPublicKey,
            "the public key is not standard base64 (it uses the URL-safe alphabet '-' and '_'); \
             paste the key exactly as the Palisade console shows it"
        )),
        Err(_) => Err(err!(
            InvalidPublicKey,
            "the public key is neither base64, hex nor PEM; expected the base64 DER key shown by \
             the Palisade console (it starts with MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE)"
        )),
    }
}

fn parse_pem(text: &str) -> Result<VerifyingKey> {
    let (label, der) = pem_rfc7468::decode_vec(text.as_bytes())
        .map_err(|e| err!(InvalidPublicKey, "the PEM public key is malformed ({e})"))?;
    match label {
        "PUBLIC KEY" => key_from_spki(&der),
        "EC PRIVATE KEY" | "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => Err(err!(
            InvalidPublicKey,
            "this is a private key ({label}); a receiver needs only the public key"
        )),
        "RSA PUBLIC KEY" => Err(err!(
            InvalidPublicKey,
            "this is an RSA key; Palisade signs with ECDSA P-256"
        )),
        "CERTIFICATE" => Err(err!(
            InvalidPublicKey,
            "this is a certificate; pass the webhook's public key instead"
        )),
        // The label is not quoted: it is whatever text was pasted, of any length.
        _ => Err(err!(
            InvalidPublicKey,
            "the PEM block is not a public key (its label is not \"PUBLIC KEY\"); expected \
             -----BEGIN PUBLIC KEY-----"
        )),
    }
}

fn key_from_bytes(bytes: &[u8], encoding: &str) -> Result<VerifyingKey> {
    match (bytes.len(), bytes.first()) {
        (_, Some(0x30)) => key_from_spki(bytes),
        (65, Some(0x04)) | (33, Some(0x02 | 0x03)) => point_from_sec1(bytes, "the SEC1 point"),
        (_, Some(0x00 | 0x05..=0x07)) if bytes.len() <= 65 => {
            point_from_sec1(bytes, "the SEC1 point")
        }
        (64, _) => Err(err!(
            InvalidPublicKey,
            "the {encoding} key decodes to 64 bytes: that looks like a bare x||y point; \
             prefix it with 04 (uncompressed SEC1) or use the base64 DER key"
        )),
        (32, _) => Err(err!(
            InvalidPublicKey,
            "the {encoding} key decodes to 32 bytes: that is a private scalar or a bare \
             x coordinate, not a public key"
        )),
        (n, _) => Err(err!(
            InvalidPublicKey,
            "the {encoding} key decodes to {n} bytes, which is neither a DER \
             SubjectPublicKeyInfo nor a 33/65-byte SEC1 P-256 point"
        )),
    }
}

fn key_from_spki(der: &[u8]) -> Result<VerifyingKey> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| match e.kind() {
        // Bytes after the key would be ignored by a lenient parser; a key given with extra
        // data is damaged or not what the console shows, so it is refused.
        ErrorKind::TrailingData { remaining, .. } => err!(
            InvalidPublicKey,
            "the key has {remaining} extra byte(s) after its DER SubjectPublicKeyInfo; paste \
             the key exactly as the Palisade console shows it"
        ),
        _ => err!(
            InvalidPublicKey,
            "the key is not a DER SubjectPublicKeyInfo (is it a private key or a certificate?)"
        ),
    })?;
    let alg = &spki.algorithm;
    if alg.oid != OID_EC_PUBLIC_KEY {
        return Err(err!(
            InvalidPublicKey,
            "this is an {}; Palisade signs with ECDSA P-256",
            describe_oid(&alg.oid)
        ));
    }
    let curve = alg
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| {
            err!(
                InvalidPublicKey,
                "the EC key does not name its curve (explicit curve parameters are not supported)"
            )
        })?;
    if curve != OID_P256 {
        return Err(err!(
            InvalidPublicKey,
            "this is a {}, not a P-256 (prime256v1) key",
            describe_oid(&curve)
        ));
    }
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| err!(InvalidPublicKey, "the key's BIT STRING has unused bits"))?;
    point_from_sec1(point, "the key's point")
}

/// The P-256 field prime p, big-endian: a compressed point's x must be below it.
const FIELD_PRIME: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// A SEC1 point in one of the two encodings Palisade keys use: uncompressed (`04 || x || y`,
/// 65 bytes) or compressed (`02/03 || x`, 33 bytes). The other encodings SEC1 and some
/// libraries know (compact `05 || x`, hybrid `06/07 || x || y`, the point at infinity `00`) are
/// refused by name: a lenient decoder may pick a different point than the signer's, and the key
/// would then verify nothing.
fn point_from_sec1(point: &[u8], what: &str) -> Result<VerifyingKey> {
    let n = point.len();
    match (point.first(), n) {
        (Some(0x04), 65) => {}
        (Some(0x02 | 0x03), 33) => {
            // Big-endian byte strings of equal length compare like the numbers they encode.
            if point[1..] >= FIELD_PRIME[..] {
                return Err(err!(
                    InvalidPublicKey,
                    "{what} is compressed with an x coordinate that is not below the P-256 \
                     field prime, so it is not a valid encoding"
                ));
            }
        }
        (Some(0x00), _) => {
            return Err(err!(
                InvalidPublicKey,
                "{what} is the point at infinity, which is not a public key"
            ))
        }
        (Some(0x05), _) => {
            return Err(err!(
                InvalidPublicKey,
                "{what} uses the compact SEC1 encoding (first byte 05), which Palisade keys \
                 never use; expected an uncompressed (04) or compressed (02/03) point"
            ))
        }
        (Some(0x06 | 0x07), _) => {
            return Err(err!(
                InvalidPublicKey,
                "{what} uses the hybrid SEC1 encoding (first byte {:02x}), which Palisade keys \
                 never use; expected an uncompressed (04) or compressed (02/03) point",
                point[0]
            ))
        }
        (Some(tag @ (0x02..=0x04)), _) => {
            return Err(err!(
                InvalidPublicKey,
                "{what} is {n} bytes long with first byte {tag:02x}: a P-256 point is 65 bytes \
                 uncompressed (04) or 33 bytes compressed (02/03)"
            ))
        }
        (Some(tag), _) => {
            return Err(err!(
                InvalidPublicKey,
                "{what} starts with {tag:02x}, which is not a SEC1 point encoding; expected an \
                 uncompressed (04) or compressed (02/03) P-256 point"
            ))
        }
        (None, _) => return Err(err!(InvalidPublicKey, "{what} is empty")),
    }
    VerifyingKey::from_sec1_bytes(point).map_err(|_| {
        err!(
            InvalidPublicKey,
            "{what} ({n} bytes) is not on the P-256 curve"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    pub(crate) const DOC_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpHiEkdd/ba5dU4sNCgsWrMOE6fLakHywl0OgF5aVfxkiqNh22oybRAREev7jvnwH4jqitHx79KGi6CMwiJjmaw==";

    fn code_of(input: &str) -> (ErrorCode, String) {
        let e = PublicKey::parse(input).unwrap_err();
        (e.code(), e.message().to_string())
    }

    #[test]
    fn all_formats_give_the_same_fingerprint() {
        let key = PublicKey::parse(DOC_KEY).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        let compressed = key.verifying_key().to_encoded_point(true);
        let pem = key
            .verifying_key()
            .to_public_key_pem(p256::pkcs8::LineEnding::LF)
            .unwrap();
        let wrapped: String = DOC_KEY
            .as_bytes()
            .chunks(20)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n  ");
        let unpadded = DOC_KEY.trim_end_matches('=');
        let forms = [
            hex::encode(point.as_bytes()),
            hex::encode(compressed.as_bytes()).to_uppercase(),
            encode_b64(point.as_bytes()),
            encode_b64(compressed.as_bytes()),
            pem,
            wrapped,
            unpadded.to_string(),
            hex::encode(key.spki_der()),
        ];
        for form in forms {
            let k = PublicKey::parse(&form).unwrap_or_else(|e| panic!("{form}: {e}"));
            assert_eq!(k.fingerprint(), key.fingerprint(), "{form}");
            assert_eq!(k, key);
        }
        assert_eq!(key.to_spki_b64(), DOC_KEY);
    }

    #[test]
    fn wrong_keys_are_named() {
        // secp256k1 SPKI (generator point), RSA SPKI prefix.
        let k1 = "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEeb5mfvncu6xVoGKVzocLBwKb/NstzijZWfKBWxb4F5hIOtp3JqPEZV2k+/wOEQio/Re0SKaFVBmcR9CP+xDUuA==";
        let (code, msg) = code_of(k1);
        assert_eq!(code, ErrorCode::InvalidPublicKey);
        assert!(msg.contains("secp256k1"), "{msg}");

        let rsa = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQAB";
        let (_, msg) = code_of(rsa);
        assert!(msg.contains("RSA"), "{msg}");

        let (_, msg) = code_of("not a key!");
        assert!(msg.contains("neither base64"), "{msg}");
        let (_, msg) = code_of("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpHiEkdd_ba5dU4sNCgsW");
        assert!(msg.contains("URL-safe"), "{msg}");
        let (_, msg) = code_of("");
        assert!(msg.contains("empty"), "{msg}");
        let (_, msg) = code_of(&"ab".repeat(32));
        assert!(msg.contains("32 bytes"), "{msg}");
        let (_, msg) =
            code_of("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assert!(
            msg.contains("private key") || msg.contains("malformed"),
            "{msg}"
        );
    }

    #[test]
    fn point_off_curve_is_refused() {
        let mut bytes = PublicKey::parse(DOC_KEY)
            .unwrap()
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        bytes[64] ^= 1;
        let (code, msg) = code_of(&hex::encode(&bytes));
        assert_eq!(code, ErrorCode::InvalidPublicKey);
        assert!(msg.contains("not on the P-256 curve"), "{msg}");
    }

    /// A DER SubjectPublicKeyInfo (ecPublicKey, prime256v1) around any `point` bytes.
    pub(crate) fn spki_with_point(point: &[u8]) -> Vec<u8> {
        let algorithm = hex::decode("301306072a8648ce3d020106082a8648ce3d030107").unwrap();
        let mut bits = vec![0x03, u8::try_from(point.len() + 1).unwrap(), 0x00];
        bits.extend_from_slice(point);
        let mut der = vec![0x30, u8::try_from(algorithm.len() + bits.len()).unwrap()];
        der.extend(algorithm);
        der.extend(bits);
        der
    }

    fn doc_point() -> (Vec<u8>, Vec<u8>) {
        let point = PublicKey::parse(DOC_KEY)
            .unwrap()
            .verifying_key()
            .to_encoded_point(false);
        (point.x().unwrap().to_vec(), point.y().unwrap().to_vec())
    }

    fn refused(input: &str, expected: &str) {
        let (code, msg) = code_of(input);
        assert_eq!(code, ErrorCode::InvalidPublicKey, "{msg}");
        assert!(msg.contains(expected), "{expected:?} not in {msg:?}");
        // The same refusal when a verifier is built with it.
        let e = crate::Webhook::from_keys(&[input], crate::WebhookOptions::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidPublicKey);
    }

    #[test]
    fn the_wrapper_builds_the_same_spki_as_the_key() {
        let (x, y) = doc_point();
        let point = [&[0x04][..], &x, &y].concat();
        assert_eq!(
            spki_with_point(&point),
            PublicKey::parse(DOC_KEY).unwrap().spki_der()
        );
    }

    #[test]
    fn point_encodings_palisade_never_uses_are_refused() {
        let (x, y) = doc_point();
        let hybrid_tag = 0x06 | (y[31] & 1);
        let compact = [&[0x05][..], &x].concat();
        let hybrid = [&[hybrid_tag][..], &x, &y].concat();
        refused(
            &encode_b64(&spki_with_point(&compact)),
            "compact SEC1 encoding",
        );
        refused(
            &encode_b64(&spki_with_point(&hybrid)),
            "hybrid SEC1 encoding",
        );
        refused(&hex::encode(&compact), "compact SEC1 encoding");
        refused(&hex::encode(&hybrid), "hybrid SEC1 encoding");
        refused(&encode_b64(&spki_with_point(&[0x00])), "point at infinity");
        refused(
            &encode_b64(&spki_with_point(&[&[0x04][..], &x].concat())),
            "33 bytes long with first byte 04",
        );
        refused(
            &encode_b64(&spki_with_point(&[&[0x09][..], &x].concat())),
            "not a SEC1 point encoding",
        );
    }

    #[test]
    fn trailing_bytes_after_the_spki_are_refused() {
        let der = PublicKey::parse(DOC_KEY).unwrap().spki_der().to_vec();
        for extra in [&[0x00][..], &[0x05, 0x00], &der] {
            let input = encode_b64(&[&der[..], extra].concat());
            refused(&input, "extra byte(s) after its DER SubjectPublicKeyInfo");
        }
        let b64 = encode_b64(&[&der[..], &[0x00]].concat());
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        );
        refused(&pem, "extra byte(s)");
    }

    #[test]
    fn compressed_x_not_below_the_field_prime_is_refused() {
        let p_plus_1: [u8; 32] =
            hex::decode("ffffffff00000001000000000000000000000001000000000000000000000000")
                .unwrap()
                .try_into()
                .unwrap();
        for x in [FIELD_PRIME, p_plus_1, [0xff; 32]] {
            for tag in [0x02, 0x03] {
                let point = [&[tag][..], &x].concat();
                refused(&hex::encode(&point), "not below the P-256 field prime");
                refused(
                    &encode_b64(&spki_with_point(&point)),
                    "not below the P-256 field prime",
                );
            }
        }
        // Just below p is a well-formed encoding; this x is not on the curve.
        let mut p_minus_1 = FIELD_PRIME;
        p_minus_1[31] -= 1;
        let point = [&[0x02][..], &p_minus_1].concat();
        let (_, msg) = code_of(&hex::encode(&point));
        assert!(!msg.contains("field prime"), "{msg}");
    }
}
