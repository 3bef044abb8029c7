//! Property tests of verification itself: it is deterministic, a delivery that verifies stops
//! verifying after any single-byte change to the signed payload string or to the signature, and
//! what is not signed (the envelope's domain and timestamp) is exactly what can change without
//! breaking it.
//!
//! Default case counts keep the debug `cargo test` quick (every case signs a delivery and runs
//! several unoptimised verifications). For a longer run:
//! `PROPTEST_CASES=5000 cargo test --release -p palisade-webhooks --test proptest_verify`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::testing::{Delivery, DeliveryOptions, TestSigner};
use palisade_webhooks::{Backend, ErrorCode, Event, Webhook, WebhookOptions};
use proptest::prelude::*;
use std::sync::OnceLock;

mod proptest_common;
use proptest_common::config;

/// A resource JSON object: an id, maybe an updatedAt and a status, and a few arbitrary fields
/// (any Unicode, so payloads vary in length and padding).
fn resource() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9-]{1,40}",
        proptest::option::of(
            "2025-0[1-9]-[0-2][0-9]T[01][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z",
        ),
        proptest::option::of(prop_oneof![
            "CONFIRMED",
            "SIGNED",
            "PROVISIONED",
            "APPROVED"
        ]),
        proptest::collection::btree_map("[a-z][a-zA-Z]{0,12}", any::<String>(), 0..4),
    )
        .prop_map(|(id, updated_at, status, extra)| {
            let mut object = serde_json::Map::new();
            for (k, v) in extra {
                object.insert(format!("x{k}"), v.into());
            }
            object.insert("id".into(), id.into());
            if let Some(u) = updated_at {
                object.insert("updatedAt".into(), u.into());
            }
            if let Some(s) = status {
                object.insert("status".into(), s.to_string().into());
            }
            serde_json::Value::Object(object).to_string()
        })
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("TRANSACTION".to_string()),
        Just("WALLET".to_string()),
        Just("APPROVAL".to_string()),
        "[A-Z_]{0,12}",
    ]
}

/// Signer seeds 1 and 2 are the keys the webhook under test holds (a rotation pair).
fn signer(seed: u64) -> TestSigner {
    TestSigner::from_seed(seed)
}

fn new_webhook(backend: Backend) -> Webhook {
    let keys = [signer(1).public_key_b64(), signer(2).public_key_b64()];
    Webhook::from_keys(&keys, WebhookOptions::default().backend(backend)).unwrap()
}

/// The verifier under test, built once per backend (key preparation is not what is tested).
fn webhook(backend: Backend) -> &'static Webhook {
    static FAST: OnceLock<Webhook> = OnceLock::new();
    static REFERENCE: OnceLock<Webhook> = OnceLock::new();
    let cell = match backend {
        Backend::Fast => &FAST,
        Backend::Reference => &REFERENCE,
    };
    cell.get_or_init(|| new_webhook(backend))
}

fn delivery(seed: u64, domain: &str, json: &str) -> Delivery {
    let options = DeliveryOptions::default().timestamp(Some("2025-05-08T14:15:37Z"));
    signer(seed).delivery_with(domain, json, &options).unwrap()
}

/// The body with `payload` replaced (serialised properly, so the envelope stays valid JSON).
fn body_with_payload(domain: &str, payload: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "domain": domain,
        "timestamp": "2025-05-08T14:15:37Z",
        "payload": payload,
    }))
    .unwrap()
}

/// A single-character edit of `text`: substitution, insertion or deletion at `index`.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Mostly ASCII (base64 characters, padding, whitespace, JSON specials), sometimes any char.
    let ch = prop_oneof![
        4 => proptest::char::range('\0', '\x7f'),
        1 => any::<char>(),
    ];
    prop_oneof![
        3 => (any::<usize>(), ch.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        1 => (any::<usize>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
        1 => any::<usize>().prop_map(Edit::Delete),
    ]
}

/// Applies the edit (the index is taken modulo the length); `None` when it changes nothing.
fn apply(text: &str, edit: &Edit) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    match *edit {
        Edit::Replace(i, c) => out[i % chars.len()] = c,
        Edit::Insert(i, c) => out.insert(i % (chars.len() + 1), c),
        Edit::Delete(i) => {
            out.remove(i % chars.len());
        }
    }
    (out != chars).then(|| out.into_iter().collect())
}

/// Signature texts that must still verify: the same base64 with trailing `=` padding removed
/// or replaced by surrounding whitespace, which decodes to the very same DER bytes. The core
/// trims the header and accepts base64 with or without padding; anything else is a different
/// signature value, or not one at all.
fn same_signature_value(original: &str, edited: &str) -> bool {
    let trimmed = edited.trim();
    let data = original.trim_end_matches('=');
    trimmed.len() >= data.len()
        && original.starts_with(trimmed)
        && original[trimmed.len()..].bytes().all(|b| b == b'=')
}

fn outcome(result: &palisade_webhooks::Result<Event>) -> Result<Event, (ErrorCode, String)> {
    result
        .clone()
        .map_err(|e| (e.code(), e.message().to_string()))
}

proptest! {
    #![proptest_config(config(64))]

    /// Same input, same answer: twice on one verifier, on a fresh verifier, on both backends,
    /// through `verify` and `verify_with_signature`.
    #[test]
    fn verify_is_deterministic(
        seed in 1u64..=3,
        domain in domain(),
        json in resource(),
        garble in proptest::option::of(edit()),
    ) {
        let d = delivery(seed, &domain, &json);
        let signature = match &garble {
            Some(e) => apply(&d.signature, e).unwrap_or_else(|| d.signature.clone()),
            None => d.signature.clone(),
        };
        let headers = [("Signature", signature.as_str())];
        let fast = webhook(Backend::Fast);
        let first = outcome(&fast.verify(&d.body, headers));
        prop_assert_eq!(&first, &outcome(&fast.verify(&d.body, headers)));
        prop_assert_eq!(&first, &outcome(&new_webhook(Backend::Fast).verify(&d.body, headers)));
        prop_assert_eq!(&first, &outcome(&webhook(Backend::Reference).verify(&d.body, headers)));
        prop_assert_eq!(&first, &outcome(&fast.verify_with_signature(&d.body, Some(&signature))));
        if seed == 3 {
            // Not one of the webhook's keys.
            prop_assert!(first.is_err());
        }
        if garble.is_none() && seed != 3 {
            let event = first.unwrap();
            prop_assert_eq!(&event.payload, &d.payload);
            let key = signer(seed).public_key();
            prop_assert_eq!(event.key_fingerprint.as_str(), key.fingerprint());
        }
    }

    /// Any single-character change to the signed payload text breaks the signature, including
    /// changes that decode to the same JSON (dropping `=` padding, changing unused trailing
    /// bits): the signature covers the base64 text, not the decoded bytes.
    #[test]
    fn changing_the_payload_text_breaks_verification(
        seed in 1u64..=2,
        domain in domain(),
        json in resource(),
        edit in edit(),
    ) {
        let d = delivery(seed, &domain, &json);
        let fast = webhook(Backend::Fast);
        prop_assert!(fast.verify(&d.body, &d.headers).is_ok());
        let Some(payload) = apply(&d.payload, &edit) else { return Ok(()) };

        let low = fast.verify_signature(&payload, &d.signature).unwrap_err();
        prop_assert_eq!(low.code(), ErrorCode::InvalidSignature);
        let body = body_with_payload(&domain, &payload);
        let full = fast.verify(&body, &d.headers).unwrap_err();
        prop_assert_eq!(full.code(), ErrorCode::InvalidSignature);
        let reference = webhook(Backend::Reference).verify(&body, &d.headers).unwrap_err();
        prop_assert_eq!(reference.code(), ErrorCode::InvalidSignature);
    }

    /// The same for the padding and trailing-bit variants of the payload specifically (the
    /// changes most likely to be mistaken for harmless): none verifies.
    #[test]
    fn payload_variants_with_the_same_decoding_do_not_verify(
        seed in 1u64..=2,
        json in resource(),
    ) {
        let d = delivery(seed, "WALLET", &json);
        let fast = webhook(Backend::Fast);
        let decoded = STANDARD.decode(&d.payload).unwrap();
        let mut variants = vec![format!("{}\n", d.payload), format!(" {}", d.payload)];
        // Unused low bits of the last data character set: decodes identically in lenient
        // decoders (the core's decoder refuses non-zero trailing bits, but only after
        // verification, which must already have failed).
        let data = d.payload.trim_end_matches('=');
        let pad = d.payload.len() - data.len();
        if pad > 0 {
            variants.push(data.to_string());
            variants.push(format!("{}=", d.payload));
            let last = data.as_bytes()[data.len() - 1];
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let index = alphabet.iter().position(|&c| c == last).unwrap();
            let unused = if pad == 1 { 0b11 } else { 0b1111 };
            let flipped = alphabet[index | unused] as char;
            if flipped as u8 != last {
                variants.push(format!("{}{}{}", &data[..data.len() - 1], flipped, "=".repeat(pad)));
            }
        }
        for payload in variants {
            prop_assert_ne!(&payload, &d.payload);
            let e = fast.verify_signature(&payload, &d.signature).unwrap_err();
            prop_assert_eq!(e.code(), ErrorCode::InvalidSignature);
            let e = fast.verify(&body_with_payload("WALLET", &payload), &d.headers).unwrap_err();
            prop_assert_eq!(e.code(), ErrorCode::InvalidSignature);
        }
        prop_assert!(!decoded.is_empty());
    }

    /// Any single-character change to the signature text breaks verification, except removing
    /// `=` padding or turning trailing padding into surrounding whitespace: those leave the
    /// decoded DER, hence the signature value, unchanged, and it still verifies.
    #[test]
    fn changing_the_signature_text_breaks_verification(
        seed in 1u64..=2,
        domain in domain(),
        json in resource(),
        edit in edit(),
        near_end in any::<bool>(),
    ) {
        let d = delivery(seed, &domain, &json);
        let fast = webhook(Backend::Fast);
        // Half the time, edit one of the last three characters (where the padding is).
        let len = d.signature.chars().count();
        let edit = match edit {
            Edit::Replace(i, c) if near_end => Edit::Replace(len - 1 - i % 3, c),
            Edit::Insert(i, c) if near_end => Edit::Insert(len - i % 3, c),
            Edit::Delete(i) if near_end => Edit::Delete(len - 1 - i % 3),
            other => other,
        };
        let Some(signature) = apply(&d.signature, &edit) else { return Ok(()) };
        let result = fast.verify(&d.body, [("Signature", signature.as_str())]);
        let reference = webhook(Backend::Reference).verify(&d.body, [("Signature", signature.as_str())]);
        prop_assert_eq!(outcome(&result), outcome(&reference));
        if same_signature_value(&d.signature, &signature) {
            prop_assert!(result.is_ok(), "{:?} -> {:?}: {:?}", d.signature, signature, result);
        } else {
            let code = result.unwrap_err().code();
            prop_assert!(
                matches!(code, ErrorCode::InvalidSignature | ErrorCode::MalformedSignature),
                "{:?}", code
            );
        }
    }

    /// Any single-byte change to the DER signature bytes (re-encoded as base64) breaks
    /// verification: a different (r, s), or not DER at all.
    #[test]
    fn changing_a_signature_byte_breaks_verification(
        seed in 1u64..=2,
        json in resource(),
        index in any::<usize>(),
        xor in 1u8..=255,
    ) {
        let d = delivery(seed, "TRANSACTION", &json);
        let mut der = STANDARD.decode(&d.signature).unwrap();
        let i = index % der.len();
        der[i] ^= xor;
        let signature = STANDARD.encode(&der);
        let fast = webhook(Backend::Fast);
        let e = fast.verify(&d.body, [("Signature", signature.as_str())]).unwrap_err();
        prop_assert!(
            matches!(e.code(), ErrorCode::InvalidSignature | ErrorCode::MalformedSignature),
            "{}", e
        );
        let e2 = fast.verify_signature(&d.payload, &signature).unwrap_err();
        prop_assert_eq!(e.code(), e2.code());
    }

    /// What the signature does not cover: the envelope's `domain` and `timestamp` can be
    /// changed and the delivery still verifies, with the same signed content. The idempotency
    /// key is namespaced by the domain, so a relabelled replay gets a key of its own (it cannot
    /// take the genuine delivery's), while the timestamp does not enter the key at all.
    #[test]
    fn unsigned_envelope_fields_do_not_affect_verification(
        json in resource(),
        domain in proptest::option::of(domain()),
        timestamp in proptest::option::of("[ -~]{0,40}"),
    ) {
        let d = delivery(1, "WALLET", &json);
        let fast = webhook(Backend::Fast);
        let original = fast.verify(&d.body, &d.headers).unwrap();
        let mut envelope = serde_json::json!({"payload": d.payload});
        if let Some(domain) = &domain {
            envelope["domain"] = domain.clone().into();
        }
        if let Some(t) = &timestamp {
            envelope["timestamp"] = t.clone().into();
        }
        let body = serde_json::to_vec(&envelope).unwrap();
        // A relabelled payload may not fit the other domain's model; it still verifies.
        let changed = match fast.verify(&body, &d.headers) {
            Ok(event) => event,
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::MalformedPayload, "{}", e);
                return Ok(());
            }
        };
        let domain = domain.unwrap_or_default();
        prop_assert_eq!(changed.domain.as_str(), domain.as_str());
        prop_assert_eq!(&changed.timestamp, &timestamp);
        prop_assert_eq!(changed.raw.get(), original.raw.get());
        prop_assert_eq!(
            &changed.idempotency_key,
            &palisade_webhooks::idempotency_key(
                &domain,
                original.resource_id.as_deref(),
                original.updated_at.as_deref(),
                &original.payload,
            )
        );
        prop_assert_eq!(
            changed.idempotency_key == original.idempotency_key,
            domain == "WALLET",
            "{} vs {}", changed.idempotency_key, original.idempotency_key
        );
    }
}

/// The signature-text changes that legitimately still verify, spelled out: they leave the
/// decoded DER untouched. Every other change to the padding does not verify.
#[test]
fn padding_changes_that_keep_the_signature_value() {
    let fast = webhook(Backend::Fast);
    let mut seen_padding = [false; 3];
    for i in 0..64 {
        let d = delivery(1, "WALLET", &format!(r#"{{"id":"w{i}"}}"#));
        let pad = d.signature.len() - d.signature.trim_end_matches('=').len();
        seen_padding[pad] = true;
        let verify = |s: &str| fast.verify(&d.body, [("Signature", s)]);
        let data = d.signature.trim_end_matches('=');
        for k in 0..=pad {
            // Padding dropped (all or part of it), or turned into trailing whitespace.
            let cut = &d.signature[..data.len() + k];
            assert!(verify(cut).is_ok(), "{cut}");
            for ws in [" ", "\t", "\n", "\r\n"] {
                let s = format!("{cut}{}", ws.repeat(pad - k));
                assert!(verify(&s).is_ok(), "{s:?}");
            }
        }
        if pad == 2 {
            // A space inside the padding, or a data character in its place, is not base64 of
            // the same bytes.
            for s in [
                format!("{data} ="),
                format!("{data}A="),
                format!("{data}=A"),
            ] {
                let e = verify(&s).unwrap_err();
                assert_eq!(e.code(), ErrorCode::MalformedSignature, "{s:?}");
            }
        }
        if pad > 0 {
            // One `=` too many.
            let e = verify(&format!("{}=", d.signature)).unwrap_err();
            assert_eq!(e.code(), ErrorCode::MalformedSignature);
        }
    }
    assert!(seen_padding[0] && seen_padding[1] && seen_padding[2]);
}
