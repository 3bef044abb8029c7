//! Diagnosis of a delivery that does not verify: from one captured delivery and the key, say in
//! plain words what is wrong (it settles which digest construction a webhook uses: docs/protocol.md).
//!
//! Verification itself never guesses; this module does, on purpose, and only to explain.

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use p256::ecdsa::Signature;
use serde::Serialize;

use crate::encoding::decode_b64;
use crate::envelope::Envelope;
use crate::error::{clip, Error, ErrorCode};
use crate::keys::{Backend, PublicKey};
use crate::signature::{parse_signature, Digest};

/// What the diagnosis concluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diagnosis {
    /// True when the delivery verifies with the default options.
    pub verifies: bool,
    /// The digest construction the delivery matches, when one does.
    pub digest: Option<&'static str>,
    /// The error a default `Webhook` gives for this delivery, if any.
    pub error: Option<&'static str>,
    /// The likely cause, in one sentence, with what to do about it.
    pub cause: String,
    /// Every check that was run, in order, with its result.
    pub checks: Vec<Check>,
}

/// A [`Diagnosis`] under one of a webhook's keys: what [`Webhook::diagnose_keys`] gives for
/// each key. Serialises as the diagnosis's fields with `key_fingerprint` first.
///
/// [`Webhook::diagnose_keys`]: crate::Webhook::diagnose_keys
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KeyDiagnosis {
    /// Fingerprint of the key this diagnosis is for.
    pub key_fingerprint: String,
    /// The diagnosis under that key.
    #[serde(flatten)]
    pub diagnosis: Diagnosis,
}

/// One step of a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn check(&mut self, name: &'static str, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            name,
            ok,
            detail: detail.into(),
        });
    }

    fn finish(
        self,
        verifies: bool,
        digest: Option<Digest>,
        error: Option<ErrorCode>,
        cause: impl Into<String>,
    ) -> Diagnosis {
        Diagnosis {
            verifies,
            digest: digest.map(Digest::as_str),
            error: error.map(ErrorCode::as_str),
            cause: cause.into(),
            checks: self.checks,
        }
    }
}

/// Diagnoses a captured delivery: `key` as the console shows it (any accepted format), the raw
/// `body`, and the `Signature` header value (`None` when absent).
pub fn diagnose(key: &str, body: &[u8], signature: Option<&str>) -> Diagnosis {
    let mut r = Report { checks: Vec::new() };

    let key = match PublicKey::parse_with_backend(key, Backend::Reference) {
        Ok(k) => {
            r.check(
                "public key",
                true,
                format!("a P-256 key, fingerprint {}", k.fingerprint()),
            );
            k
        }
        Err(e) => {
            r.check("public key", false, e.message());
            return r.finish(
                false,
                None,
                Some(e.code()),
                format!("the public key is unusable: {}", e.message()),
            );
        }
    };

    // What a default Webhook says: the error code every diagnosis reports.
    let verdict = crate::webhook::Webhook::new(vec![key.clone()], Default::default())
        .and_then(|w| w.verify_with_signature(body, signature));
    let error = verdict.as_ref().err().map(Error::code);

    let Some(signature_text) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
        r.check("signature header", false, "absent or empty");
        return r.finish(
            false,
            None,
            error,
            "no Signature header reached the receiver: check that your framework or proxy \
             forwards it",
        );
    };

    let envelope = match Envelope::parse(body) {
        Ok(env) => {
            r.check(
                "envelope",
                true,
                format!(
                    "a JSON object with a {}-character payload, domain {}",
                    env.payload.len(),
                    // The domain is unsigned input: shown, but never at full length.
                    env.domain
                        .as_deref()
                        .map_or("(none)".into(), |d| format!("{:?}", clip(d, 40)))
                ),
            );
            env
        }
        Err(e) => {
            r.check("envelope", false, e.message());
            return r.finish(
                false,
                None,
                error,
                "the body is not a Palisade envelope: make sure you pass the raw request body, \
                 not a parsed or re-encoded one",
            );
        }
    };
    let payload = envelope.payload.as_ref();

    let (signature, encoding_problem) = match decode_signature(signature_text) {
        Ok(found) => found,
        Err(e) => {
            r.check("signature encoding", false, e.message());
            return r.finish(
                false,
                None,
                error,
                format!("the signature cannot be decoded: {}", e.message()),
            );
        }
    };
    match &encoding_problem {
        None => r.check("signature encoding", true, "standard base64 of strict DER"),
        Some(problem) => r.check("signature encoding", false, problem.clone()),
    }

    // Which message and digest does the signature match?
    let candidates: [(&str, Vec<u8>); 3] = [
        ("the payload string", payload.as_bytes().to_vec()),
        ("the whole body", body.to_vec()),
        (
            "the decoded payload JSON",
            decode_b64(payload.as_bytes()).unwrap_or_default(),
        ),
    ];
    let mut matched: Option<(&str, Digest)> = None;
    'outer: for (what, message) in &candidates {
        for digest in [Digest::Sha256, Digest::Sha256Double] {
            if key.verify_prehash(&digest.prehash(message), &signature) {
                matched = Some((what, digest));
                break 'outer;
            }
        }
    }
    let detail = match matched {
        Some((what, digest)) => format!("the signature covers {what} with digest {digest}"),
        None => "the signature matches none of: payload string, whole body, decoded JSON \
                 (with sha256 or sha256-double)"
            .to_string(),
    };
    r.check("signature match", matched.is_some(), detail);

    let default_result = verdict;

    let cause = match (matched, &encoding_problem) {
        (Some(("the payload string", Digest::Sha256)), None) => match &default_result {
            Ok(_) => {
                r.check(
                    "payload",
                    true,
                    "decodes to a JSON object that fits its domain",
                );
                "the delivery verifies: nothing is wrong".to_string()
            }
            Err(e) => {
                r.check("payload", false, e.message());
                format!("the signature is fine, but {}", e.message())
            }
        },
        (Some(("the payload string", Digest::Sha256)), Some(problem)) => format!(
            "the signature is correct but encoded wrongly ({problem}): Palisade sends standard \
             base64 of ASN.1 DER; something between Palisade and you re-encoded the header"
        ),
        (Some(("the payload string", Digest::Sha256Double)), _) => {
            "these deliveries are signed over SHA-256(SHA-256(payload)): build the Webhook with \
             digest=\"sha256-double\""
                .to_string()
        }
        (Some((what, _)), _) => format!(
            "the signature covers {what}, not the payload string: the signer (or your test \
             sender) signs the wrong bytes; Palisade signs the base64 payload text"
        ),
        (None, _) => format!(
            "the signature does not match this key ({}): check that the key is this webhook's \
             (each webhook has its own), or the payload was modified after signing",
            key.fingerprint()
        ),
    };
    let verifies = default_result.is_ok();
    r.finish(verifies, matched.map(|(_, d)| d), error, cause)
}

/// Decodes the header strictly, else leniently (URL-safe base64, raw `r||s`) to explain.
fn decode_signature(text: &str) -> Result<(Signature, Option<String>), Error> {
    match parse_signature(text) {
        Ok(sig) => return Ok((sig, None)),
        Err(e) if e.code() == ErrorCode::MissingSignature => return Err(e),
        Err(_) => {}
    }
    let bytes = decode_b64(text.as_bytes())
        .ok()
        .map(|b| (b, "standard"))
        .or_else(|| {
            let padded = format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4));
            URL_SAFE.decode(padded).ok().map(|b| (b, "URL-safe"))
        });
    let Some((bytes, alphabet)) = bytes else {
        return Err(parse_signature(text).unwrap_err());
    };
    if let Ok(sig) = Signature::from_der(&bytes) {
        return Ok((
            sig,
            Some(format!("{alphabet} base64 alphabet instead of standard")),
        ));
    }
    if bytes.len() == 64 {
        if let Ok(sig) = Signature::from_slice(&bytes) {
            return Ok((
                sig,
                Some("raw r||s (IEEE P1363) instead of ASN.1 DER".to_string()),
            ));
        }
    }
    Err(parse_signature(text).unwrap_err())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode_b64;
    use crate::testing::{DeliveryOptions, TestSigner};

    const TX: &str = r#"{"id":"t","updatedAt":"2025-01-01T00:00:00Z"}"#;

    fn signer() -> TestSigner {
        TestSigner::from_seed(9)
    }

    #[test]
    fn healthy_delivery() {
        let s = signer();
        let d = s.delivery("TRANSACTION", TX).unwrap();
        let diag = diagnose(&s.public_key_b64(), &d.body, Some(&d.signature));
        assert!(diag.verifies, "{diag:?}");
        assert_eq!(diag.digest, Some("sha256"));
        assert!(diag.cause.contains("nothing is wrong"));
    }

    #[test]
    fn names_each_cause() {
        let s = signer();
        let key = s.public_key_b64();
        let d = s.delivery("TRANSACTION", TX).unwrap();

        let dd = s
            .delivery_with(
                "TRANSACTION",
                TX,
                &DeliveryOptions::default().digest(Digest::Sha256Double),
            )
            .unwrap();
        let diag = diagnose(&key, &dd.body, Some(&dd.signature));
        assert_eq!(diag.digest, Some("sha256-double"));
        assert!(diag.cause.contains("sha256-double"), "{}", diag.cause);
        assert_eq!(diag.error, Some("ERR_INVALID_SIGNATURE"));

        let over_body = s.sign(std::str::from_utf8(&d.body).unwrap());
        let diag = diagnose(&key, &d.body, Some(&over_body));
        assert!(diag.cause.contains("whole body"), "{}", diag.cause);

        let over_json = s.sign(TX);
        let diag = diagnose(&key, &d.body, Some(&over_json));
        assert!(
            diag.cause.contains("decoded payload JSON"),
            "{}",
            diag.cause
        );

        let sig = parse_signature(&d.signature).unwrap();
        let raw = encode_b64(&sig.to_bytes());
        let diag = diagnose(&key, &d.body, Some(&raw));
        assert!(diag.cause.contains("P1363"), "{}", diag.cause);
        assert_eq!(diag.error, Some("ERR_MALFORMED_SIGNATURE"));

        let url = URL_SAFE.encode(sig.to_der().as_bytes());
        let diag = diagnose(&key, &d.body, Some(&url));
        assert!(!diag.verifies);

        let other = TestSigner::from_seed(10).public_key_b64();
        let diag = diagnose(&other, &d.body, Some(&d.signature));
        assert!(
            diag.cause.contains("does not match this key"),
            "{}",
            diag.cause
        );

        let diag = diagnose(&key, &d.body, None);
        assert_eq!(diag.error, Some("ERR_MISSING_SIGNATURE"));

        let diag = diagnose("nonsense", &d.body, Some(&d.signature));
        assert_eq!(diag.error, Some("ERR_INVALID_PUBLIC_KEY"));

        let diag = diagnose(&key, b"{\"id\":1}", Some(&d.signature));
        assert_eq!(diag.error, Some("ERR_MALFORMED_ENVELOPE"));
    }
}
