//! Limits on hostile input: oversized bodies are refused before any parsing, deeply nested and
//! huge-number JSON is refused or handled without stack overflow, and `Signature` header values
//! of any size are bounded. Fixed worst cases plus property tests over sizes and depths.
//!
//! Default case counts are small (these inputs are large); `PROPTEST_CASES` overrides them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::testing::{Delivery, TestSigner};
use palisade_webhooks::{ErrorCode, Event, Webhook, WebhookOptions, DEFAULT_MAX_BODY_BYTES};
use proptest::prelude::*;
use std::sync::OnceLock;

mod proptest_common;
use proptest_common::config;

const MIB: usize = 1 << 20;

fn signer() -> &'static TestSigner {
    static SIGNER: OnceLock<TestSigner> = OnceLock::new();
    SIGNER.get_or_init(|| TestSigner::from_seed(1))
}

fn webhook_with(options: WebhookOptions) -> Webhook {
    Webhook::from_keys(&[signer().public_key_b64()], options).unwrap()
}

fn default_webhook() -> &'static Webhook {
    static WEBHOOK: OnceLock<Webhook> = OnceLock::new();
    WEBHOOK.get_or_init(|| webhook_with(WebhookOptions::default()))
}

fn code<T: std::fmt::Debug>(result: palisade_webhooks::Result<T>) -> ErrorCode {
    result.unwrap_err().code()
}

/// A delivery of an unknown domain (so any payload object fits) whose envelope carries
/// `payload`, signed correctly, after the raw JSON members `extra`.
fn envelope_with(payload: &str, extra: &str) -> (Vec<u8>, String) {
    let signature = signer().sign(payload);
    let body = format!(r#"{{"domain":"PING",{extra}"payload":"{payload}"}}"#);
    (body.into_bytes(), signature)
}

/// A correctly signed delivery of an arbitrary (possibly invalid) decoded payload text.
fn signed_payload(domain: &str, decoded: &str) -> (Vec<u8>, String) {
    let payload = STANDARD.encode(decoded);
    let signature = signer().sign(&payload);
    let body =
        serde_json::to_vec(&serde_json::json!({"domain": domain, "payload": payload})).unwrap();
    (body, signature)
}

fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

// ---------------------------------------------------------------------------------------------
// Body size

#[test]
fn a_100_mb_body_is_refused_before_parsing() {
    let webhook = default_webhook();
    let good = signer()
        .delivery(
            "WALLET",
            r#"{"id":"w1","updatedAt":"2025-04-08T11:48:56Z"}"#,
        )
        .unwrap();
    // 100 MB of '{': parsing it would be an error (or deep recursion); the size check comes first,
    // even before the missing-signature check.
    let brackets = vec![b'{'; 100 * MIB];
    assert_eq!(
        code(webhook.verify(&brackets, &good.headers)),
        ErrorCode::BodyTooLarge
    );
    assert_eq!(
        code(webhook.verify(&brackets, [("X", "y")])),
        ErrorCode::BodyTooLarge
    );
    assert_eq!(
        code(webhook.verify_with_signature(&brackets, None)),
        ErrorCode::BodyTooLarge
    );
    let e = webhook
        .verify_with_signature(&brackets, Some(&good.signature))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::BodyTooLarge);
    assert!(e.message().contains(&format!("{}", 100 * MIB)), "{e}");
    drop(brackets);

    // A correctly signed delivery followed by 100 MB of whitespace is still valid JSON, and
    // still refused for its size alone; with a limit above its size it verifies.
    let mut padded = good.body.clone();
    padded.resize(good.body.len() + 100 * MIB, b' ');
    assert_eq!(
        code(webhook.verify(&padded, &good.headers)),
        ErrorCode::BodyTooLarge
    );
    let roomy = webhook_with(WebhookOptions::default().max_body_bytes(101 * MIB));
    assert!(roomy.verify(&padded, &good.headers).is_ok());
}

#[test]
fn the_default_limit_is_one_mebibyte() {
    assert_eq!(DEFAULT_MAX_BODY_BYTES, MIB);
    assert_eq!(WebhookOptions::default().max_body_bytes, MIB);
    let good = signer().delivery("WALLET", r#"{"id":"w1"}"#).unwrap();
    let mut body = good.body.clone();
    body.resize(MIB, b' ');
    assert!(default_webhook().verify(&body, &good.headers).is_ok());
    body.push(b' ');
    assert_eq!(
        code(default_webhook().verify(&body, &good.headers)),
        ErrorCode::BodyTooLarge
    );
}

proptest! {
    #![proptest_config(config(64))]

    /// Over the limit by any amount: `ERR_BODY_TOO_LARGE` whatever the bytes and headers; at or
    /// under it, never.
    #[test]
    fn bodies_over_the_limit_are_refused_whatever_they_contain(
        limit in 0usize..2048,
        over in 1usize..4096,
        byte in any::<u8>(),
        signature in proptest::option::of("[ -~]{0,300}"),
    ) {
        let webhook = webhook_with(WebhookOptions::default().max_body_bytes(limit));
        let headers: Vec<(&str, &str)> = signature.iter().map(|s| ("Signature", s.as_str())).collect();
        let body = vec![byte; limit + over];
        prop_assert_eq!(code(webhook.verify(&body, &headers)), ErrorCode::BodyTooLarge);
        let body = vec![byte; limit];
        if let Err(e) = webhook.verify(&body, &headers) {
            prop_assert_ne!(e.code(), ErrorCode::BodyTooLarge);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Deep nesting

#[test]
fn deeply_nested_bodies_are_refused_without_stack_overflow() {
    let webhook = webhook_with(WebhookOptions::default().max_body_bytes(64 * MIB));
    let sig = signer().sign("e30=");
    let headers = [("Signature", sig.as_str())];
    for depth in [1_000, 100_000, 1_000_000] {
        // The whole body, the payload's value, unterminated: refused.
        for body in [
            nested(depth, "[", "]", ""),
            nested(depth, "{\"a\":", "}", "1"),
            format!(r#"{{"payload":{}}}"#, nested(depth, "[", "]", "")),
            format!(r#"{{"x":{}"#, "[".repeat(depth)),
        ] {
            let e = webhook.verify(body.as_bytes(), headers).unwrap_err();
            assert_eq!(e.code(), ErrorCode::MalformedEnvelope, "depth {depth}: {e}");
        }
        // An unknown (unsigned, unread) field: skipped or refused, never a crash.
        for body in [
            format!(
                r#"{{"x":{},"payload":"e30="}}"#,
                nested(depth, "[", "]", "")
            ),
            format!(
                r#"{{"x":{},"payload":"e30="}}"#,
                nested(depth, "{\"a\":", "}", "null")
            ),
        ] {
            match webhook.verify(body.as_bytes(), headers) {
                Ok(event) => assert_eq!(event.payload, "e30="),
                Err(e) => assert_eq!(e.code(), ErrorCode::MalformedEnvelope, "depth {depth}: {e}"),
            }
        }
    }
}

#[test]
fn deeply_nested_payloads_are_refused_without_stack_overflow() {
    let webhook = webhook_with(WebhookOptions::default().max_body_bytes(64 * MIB));
    for depth in [65, 1_000, 1_000_000] {
        for domain in ["WALLET", "TRANSACTION", "APPROVAL", "OTHER"] {
            for decoded in [
                nested(depth, "[", "]", ""),
                format!(r#"{{"id":"w","x":{}}}"#, nested(depth, "[", "]", "")),
                format!(r#"{{"id":"w","x":{}}}"#, nested(depth, "{\"a\":", "}", "1")),
                format!(r#"{{"id":{}}}"#, nested(depth, "[", "]", "")),
            ] {
                let (body, sig) = signed_payload(domain, &decoded);
                let e = webhook
                    .verify(&body, [("Signature", sig.as_str())])
                    .unwrap_err();
                assert_eq!(
                    e.code(),
                    ErrorCode::MalformedPayload,
                    "{domain} depth {depth}: {e}"
                );
            }
        }
    }
    // A restored event is held to the same bound.
    let raw = format!(r#"{{"id":"w","x":{}}}"#, nested(100_000, "[", "]", ""));
    let json = format!(
        r#"{{"domain":"WALLET","timestamp":null,"idempotency_key":"k","resource_id":null,"updated_at":null,"status":null,"payload":"","key_fingerprint":"f","raw":{raw}}}"#
    );
    assert_eq!(code(Event::from_json(&json)), ErrorCode::MalformedPayload);
}

proptest! {
    #![proptest_config(config(32))]

    /// Payload nesting up to `MAX_PAYLOAD_DEPTH` (64) verifies in every domain; one level more
    /// is `ERR_MALFORMED_PAYLOAD`.
    #[test]
    fn payload_depth_bound_is_exact(
        depth in 1usize..=80,
        brackets in prop_oneof![Just(("[", "]", "")), Just(("{\"k\":", "}", "0"))],
        domain in prop_oneof![Just("WALLET"), Just("TRANSACTION"), Just("APPROVAL"), Just("OTHER")],
    ) {
        let (open, close, inner) = brackets;
        // The top-level object is one level; the field adds `depth - 1` more.
        let decoded = format!(r#"{{"id":"w","x":{}}}"#, nested(depth - 1, open, close, inner));
        let decoded = if depth == 1 { r#"{"id":"w","x":0}"#.to_string() } else { decoded };
        let (body, sig) = signed_payload(domain, &decoded);
        let result = default_webhook().verify(&body, [("Signature", sig.as_str())]);
        if depth <= palisade_webhooks::MAX_PAYLOAD_DEPTH {
            let event = result.unwrap();
            prop_assert_eq!(event.raw.get(), decoded.as_str());
        } else {
            prop_assert_eq!(code(result), ErrorCode::MalformedPayload);
        }
    }

    /// Nesting of any depth in an unknown envelope field: accepted or `ERR_MALFORMED_ENVELOPE`.
    #[test]
    // From 1: depth 0 would leave the field without a value (invalid JSON, not a nesting case).
    fn envelope_nesting_of_any_depth_is_handled(depth in 1usize..5000) {
        let (body, sig) = envelope_with("e30=", &format!(r#""x":{},"#, nested(depth, "[", "]", "")));
        match default_webhook().verify(&body, [("Signature", sig.as_str())]) {
            Ok(event) => prop_assert_eq!(event.payload.as_str(), "e30="),
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::MalformedEnvelope, "{}", e),
        }
        if depth <= 64 {
            prop_assert!(default_webhook().verify(&body, [("Signature", sig.as_str())]).is_ok());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Huge numbers

fn huge_numbers() -> Vec<String> {
    let digits = "9".repeat(64 * 1024);
    vec![
        "1e999999999".into(),
        "-1e999999999".into(),
        "1e-999999999".into(),
        "123456789012345678901234567890123456789".into(),
        "18446744073709551616".into(),
        "-9223372036854775809".into(),
        digits.clone(),
        format!("0.{digits}"),
        format!("1e{digits}"),
    ]
}

#[test]
fn huge_numbers_in_the_envelope_are_skipped_or_refused() {
    let webhook = webhook_with(WebhookOptions::default().max_body_bytes(4 * MIB));
    for number in huge_numbers() {
        // In an unknown field: skipped (it is not signed and not read).
        let (body, sig) = envelope_with("e30=", &format!(r#""x":{number},"#));
        let event = webhook
            .verify(&body, [("Signature", sig.as_str())])
            .unwrap();
        assert_eq!(event.payload, "e30=");
        // As the payload or the domain: refused.
        let body = format!(r#"{{"payload":{number}}}"#);
        assert_eq!(
            code(webhook.verify(body.as_bytes(), [("Signature", sig.as_str())])),
            ErrorCode::MalformedEnvelope
        );
        let body = format!(r#"{{"domain":{number},"payload":"e30="}}"#);
        assert_eq!(
            code(webhook.verify(body.as_bytes(), [("Signature", sig.as_str())])),
            ErrorCode::MalformedEnvelope
        );
    }
}

#[test]
fn huge_numbers_in_the_payload_are_kept_raw_or_refused() {
    let webhook = webhook_with(WebhookOptions::default().max_body_bytes(4 * MIB));
    for number in huge_numbers() {
        for domain in ["WALLET", "TRANSACTION", "APPROVAL", "OTHER"] {
            for decoded in [
                // An unknown field: kept verbatim in `raw`.
                format!(r#"{{"id":"w","updatedAt":"u","x":{number}}}"#),
                // Typed fields that take numbers or strings.
                format!(r#"{{"id":"w","asset":{{"decimals":{number}}},"sequence":{number}}}"#),
                // The fields the idempotency key is built from.
                format!(r#"{{"id":{number},"updatedAt":{number}}}"#),
            ] {
                let (body, sig) = signed_payload(domain, &decoded);
                match webhook.verify(&body, [("Signature", sig.as_str())]) {
                    Ok(event) => {
                        assert_eq!(event.raw.get(), decoded);
                        let back = Event::from_json(&event.to_json()).unwrap();
                        assert_eq!(back, event);
                    }
                    Err(e) => assert_eq!(e.code(), ErrorCode::MalformedPayload, "{domain}: {e}"),
                }
            }
            // An unknown field never stops an event.
            let decoded = format!(r#"{{"id":"w","updatedAt":"u","x":{number}}}"#);
            let (body, sig) = signed_payload(domain, &decoded);
            let event = webhook
                .verify(&body, [("Signature", sig.as_str())])
                .unwrap();
            assert_eq!(event.idempotency_key, format!("{domain}/w/u"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Header values

fn good_delivery() -> &'static Delivery {
    static DELIVERY: OnceLock<Delivery> = OnceLock::new();
    DELIVERY.get_or_init(|| {
        signer()
            .delivery(
                "WALLET",
                r#"{"id":"w1","updatedAt":"2025-04-08T11:48:56Z"}"#,
            )
            .unwrap()
    })
}

#[test]
fn a_64_mb_signature_header_is_refused_unread() {
    let d = good_delivery();
    // Base64-valid characters, so only the length bound stops it.
    let huge = "A".repeat(64 * MIB);
    let e = default_webhook()
        .verify(&d.body, [("Signature", huge.as_str())])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedSignature);
    assert!(e.message().contains("bytes long"), "{e}");
    let e = default_webhook()
        .verify_signature(&d.payload, &huge)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedSignature);
    // The valid signature three times over (still base64): refused for its length, not decoded.
    let doubled = d.signature.repeat(3);
    assert_eq!(
        code(default_webhook().verify(&d.body, [("Signature", doubled.as_str())])),
        ErrorCode::MalformedSignature
    );
    // Surrounding whitespace of any length is trimmed (linear) and the signature still verifies.
    let padded = format!(
        "{}{}{}",
        " ".repeat(8 * MIB),
        d.signature,
        "\n".repeat(8 * MIB)
    );
    assert!(default_webhook()
        .verify(&d.body, [("Signature", padded.as_str())])
        .is_ok());
    // Nothing but whitespace: an empty header.
    let blank = " ".repeat(8 * MIB);
    assert_eq!(
        code(default_webhook().verify(&d.body, [("Signature", blank.as_str())])),
        ErrorCode::MissingSignature
    );
}

#[test]
fn many_headers_are_scanned_once() {
    let d = good_delivery();
    let mut headers: Vec<(String, String)> = (0..200_000)
        .map(|i| (format!("X-Header-{i}"), "v".repeat(16)))
        .collect();
    assert_eq!(
        code(default_webhook().verify(&d.body, &headers)),
        ErrorCode::MissingSignature
    );
    headers.push(("SIGNATURE".into(), d.signature.clone()));
    assert!(default_webhook().verify(&d.body, &headers).is_ok());
}

proptest! {
    #![proptest_config(config(64))]

    /// Header values longer than a DER signature could ever be (256 characters after trimming)
    /// are `ERR_MALFORMED_SIGNATURE` whatever their content; the signature's own length is
    /// reported, never its content.
    #[test]
    fn long_signature_values_are_refused_whatever_they_contain(
        len in 257usize..200_000,
        fill in prop_oneof![Just('A'), Just('='), Just('/'), Just('é'), Just('\u{0}'), any::<char>()],
    ) {
        let d = good_delivery();
        let mut value: String = std::iter::repeat_n(fill, len).collect();
        if value.trim().is_empty() {
            value.insert(0, 'A');
        }
        let trimmed_len = value.trim().len();
        let result = default_webhook().verify(&d.body, [("Signature", value.as_str())]);
        if trimmed_len > 256 {
            let e = result.unwrap_err();
            prop_assert_eq!(e.code(), ErrorCode::MalformedSignature);
            prop_assert!(e.message().contains(&trimmed_len.to_string()), "{}", e);
            prop_assert!(e.message().len() < 200);
        } else {
            prop_assert!(result.is_err());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Many keys in the envelope

#[test]
fn many_unknown_envelope_fields_are_accepted_and_duplicates_refused() {
    let fields: String = (0..5_000).map(|i| format!(r#""f{i}":{i},"#)).collect();
    let (body, sig) = envelope_with("e30=", &fields);
    assert!(default_webhook()
        .verify(&body, [("Signature", sig.as_str())])
        .is_ok());
    let (body, sig) = envelope_with("e30=", &format!(r#"{fields}"f17":0,"#));
    let e = default_webhook()
        .verify(&body, [("Signature", sig.as_str())])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedEnvelope);
    assert!(e.message().contains("duplicate"), "{e}");
}
