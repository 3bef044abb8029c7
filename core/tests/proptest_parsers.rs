//! Property tests: every parser facing untrusted input returns a value or the SDK's typed error
//! (with the codes its entry point documents) for arbitrary bytes and strings, and never panics.
//! Arbitrary input, and input shaped like the real thing (JSON envelopes, base64 DER, keys) so
//! the properties reach past the first check.
//!
//! Default: 256 cases per property (`PROPTEST_CASES` overrides, e.g.
//! `PROPTEST_CASES=20000 cargo test --release -p palisade-webhooks --test proptest_parsers`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::diagnose::diagnose;
use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::{
    parse_signature, verify_webhook, ErrorCode, Event, PublicKey, Webhook, WebhookOptions,
};
use proptest::prelude::*;
use std::sync::OnceLock;

mod proptest_common;
use proptest_common::config;

fn webhook() -> &'static Webhook {
    static WEBHOOK: OnceLock<Webhook> = OnceLock::new();
    WEBHOOK.get_or_init(|| {
        Webhook::from_keys(
            &[TestSigner::from_seed(1).public_key_b64()],
            WebhookOptions::default(),
        )
        .unwrap()
    })
}

/// What `Webhook::verify` may answer for a body given as bytes, without a store or `max_age`.
fn is_verify_code(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::BodyTooLarge
            | ErrorCode::MissingSignature
            | ErrorCode::MalformedEnvelope
            | ErrorCode::MalformedSignature
            | ErrorCode::InvalidSignature
            | ErrorCode::MalformedPayload
    )
}

/// Arbitrary JSON values, nested a few levels.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(Into::into),
        any::<i64>().prop_map(Into::into),
        any::<f64>().prop_map(
            |f| serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        ),
        any::<String>().prop_map(Into::into),
        "[A-Za-z0-9+/]{0,40}={0,2}".prop_map(Into::into),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Into::into),
            proptest::collection::btree_map(json_key(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("payload".to_string()),
        Just("domain".to_string()),
        Just("timestamp".to_string()),
        Just("id".to_string()),
        Just("updatedAt".to_string()),
        any::<String>(),
    ]
}

/// Base64 text of arbitrary bytes, or of bytes that look like a JSON object.
fn payload_text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| STANDARD.encode(b)),
        json_value().prop_map(|v| STANDARD.encode(v.to_string())),
        any::<String>(),
    ]
}

/// Raw envelope text: either a JSON object with plausible fields (written by hand, so
/// duplicate keys and odd separators occur) or arbitrary text.
fn envelope_body() -> impl Strategy<Value = Vec<u8>> {
    let field = (
        json_key(),
        prop_oneof![
            payload_text().prop_map(serde_json::Value::from),
            json_value(),
        ],
    )
        .prop_map(|(k, v)| format!("{}:{}", serde_json::Value::from(k), v));
    prop_oneof![
        proptest::collection::vec(field, 0..5)
            .prop_map(|f| format!("{{{}}}", f.join(",")).into_bytes()),
        any::<Vec<u8>>(),
        any::<String>().prop_map(String::into_bytes),
    ]
}

/// Signature header values: arbitrary text, base64 of arbitrary bytes, base64 of DER-shaped
/// bytes (SEQUENCE of two INTEGERs with arbitrary contents and lengths).
fn signature_text() -> impl Strategy<Value = String> {
    let integer = proptest::collection::vec(any::<u8>(), 0..40).prop_map(|v| {
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    });
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..100).prop_map(|b| STANDARD.encode(b)),
        (integer.clone(), integer, any::<bool>()).prop_map(|(r, s, lie)| {
            let mut der = vec![0x30, (r.len() + s.len()) as u8 + u8::from(lie)];
            der.extend(r);
            der.extend(s);
            STANDARD.encode(der)
        }),
    ]
}

/// Key-shaped text: arbitrary, hex, base64 (of arbitrary or SPKI-prefixed bytes), PEM.
fn key_text() -> impl Strategy<Value = String> {
    const SPKI_PREFIX: &str = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..100).prop_map(hex::encode),
        proptest::collection::vec(any::<u8>(), 0..100).prop_map(|b| STANDARD.encode(b)),
        proptest::collection::vec(any::<u8>(), 65)
            .prop_map(|b| { STANDARD.encode([hex::decode(SPKI_PREFIX).unwrap(), b].concat()) }),
        (
            prop_oneof![Just(0x02u8), Just(0x03), Just(0x04)],
            proptest::collection::vec(any::<u8>(), 32..=64)
        )
            .prop_map(|(tag, b)| hex::encode([vec![tag], b].concat())),
        (
            prop_oneof![
                "PUBLIC KEY",
                "EC PRIVATE KEY",
                "CERTIFICATE",
                "[A-Z ]{0,20}"
            ],
            proptest::collection::vec(any::<u8>(), 0..120),
        )
            .prop_map(|(label, b)| format!(
                "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
                STANDARD.encode(b)
            )),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn verify_never_panics(
        body in envelope_body(),
        signature in proptest::option::of(signature_text()),
        header_name in prop_oneof![Just("Signature"), Just("signature"), Just("SIGNATURE"), Just("X-Other")],
    ) {
        let headers: Vec<(&str, &str)> = signature.iter().map(|s| (header_name, s.as_str())).collect();
        match webhook().verify(&body, &headers) {
            Ok(event) => prop_assert!(false, "a forged delivery verified: {event:?}"),
            Err(e) => prop_assert!(is_verify_code(e.code()), "{e}"),
        }
        let direct = webhook().verify_with_signature(&body, signature.as_deref());
        prop_assert!(direct.is_err());
        // The diagnosis of the same delivery answers too, and agrees that it does not verify.
        let diagnosis = diagnose(&TestSigner::from_seed(1).public_key_b64(), &body, signature.as_deref());
        prop_assert!(!diagnosis.verifies);
    }

    /// A correctly signed payload of arbitrary content: the post-verification path (base64,
    /// UTF-8, JSON, depth bound, typed models) answers with an event or `ERR_MALFORMED_PAYLOAD`.
    #[test]
    fn verified_payloads_of_any_content_give_an_event_or_a_typed_error(
        payload in payload_text(),
        domain in prop_oneof![Just("TRANSACTION"), Just("WALLET"), Just("APPROVAL"), Just("?")],
    ) {
        let signature = TestSigner::from_seed(1).sign(&payload);
        let body = serde_json::to_vec(&serde_json::json!({"domain": domain, "payload": payload})).unwrap();
        match webhook().verify(&body, [("Signature", signature.as_str())]) {
            Ok(event) => {
                prop_assert_eq!(&event.payload, &payload);
                let back = Event::from_json(&event.to_json()).unwrap();
                prop_assert_eq!(back, event);
            }
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::MalformedPayload, "{}", e),
        }
    }

    #[test]
    fn key_parsing_never_panics(text in key_text()) {
        match PublicKey::parse(&text) {
            Ok(key) => {
                let again = PublicKey::parse(&key.to_spki_b64()).unwrap();
                prop_assert_eq!(again.fingerprint(), key.fingerprint());
            }
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::InvalidPublicKey),
        }
        let built = Webhook::from_keys(&[text.as_str(), text.as_str()], WebhookOptions::default());
        if let Err(e) = built {
            prop_assert_eq!(e.code(), ErrorCode::InvalidPublicKey);
        }
    }

    #[test]
    fn signature_parsing_never_panics(text in signature_text()) {
        match parse_signature(&text) {
            Ok(sig) => {
                let again = parse_signature(&STANDARD.encode(sig.to_der().as_bytes())).unwrap();
                prop_assert_eq!(again, sig);
            }
            Err(e) if text.trim().is_empty() => prop_assert_eq!(e.code(), ErrorCode::MissingSignature),
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::MalformedSignature),
        }
    }

    #[test]
    fn verify_webhook_never_panics(key in key_text(), signature in signature_text(), payload in payload_text()) {
        prop_assert!(!verify_webhook(&key, &signature, &payload));
    }

    #[test]
    fn event_from_json_never_panics(
        text in prop_oneof![
            any::<String>(),
            json_value().prop_map(|v| v.to_string()),
            // Event-shaped objects with arbitrary field values.
            proptest::collection::btree_map(
                prop_oneof![
                    Just("domain"), Just("timestamp"), Just("idempotency_key"), Just("resource_id"),
                    Just("updated_at"), Just("status"), Just("payload"), Just("key_fingerprint"),
                    Just("raw"),
                ],
                json_value(),
                0..10,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()).to_string()),
        ],
    ) {
        match Event::from_json(&text) {
            Ok(event) => {
                let json = event.to_json();
                prop_assert_eq!(Event::from_json(&json).unwrap(), event);
            }
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::MalformedPayload),
        }
    }

    /// A serialised event with one character changed restores or fails with a typed error.
    #[test]
    fn edited_event_json_gives_an_event_or_a_typed_error(index in any::<usize>(), c in any::<char>()) {
        let signer = TestSigner::from_seed(1);
        static JSON: OnceLock<String> = OnceLock::new();
        let json = JSON.get_or_init(|| {
            let d = signer
                .delivery("TRANSACTION", r#"{"id":"t1","updatedAt":"2025-05-08T14:15:37Z","status":"SIGNED","qty":"1.5","asset":{"decimals":18}}"#)
                .unwrap();
            webhook().verify(&d.body, &d.headers).unwrap().to_json()
        });
        let mut chars: Vec<char> = json.chars().collect();
        let i = index % chars.len();
        chars[i] = c;
        let edited: String = chars.into_iter().collect();
        if let Err(e) = Event::from_json(&edited) {
            prop_assert_eq!(e.code(), ErrorCode::MalformedPayload);
        }
    }
}
