//! Regenerates `tests/vectors/receiver.json`: scripted receiver situations and the exact answer
//! (status, JSON body, code) every receiver in every language must give.
//!
//! Run: `cargo run -p palisade-webhooks --example generate_receiver_vectors > tests/vectors/receiver.json`
//!
//! The expected answers are computed by the core's own `Receiver`, so the file states what the
//! core decides; `core/tests/receiver_vectors.rs` replays it and fails when it is stale. Each
//! binding replays it through every adapter, over real HTTP or its framework's test client.
//!
//! The format of a case:
//! - `deduplicator`: whether the receiver deduplicates (over an in-memory store);
//! - `store_fails_at`: `"nothing"`, `"claim"`, `"complete"` or `"release"`: the store wraps the
//!   memory store in the testing `FaultyStore` failing at that step;
//! - `steps`, in order, each a request and what it must get:
//!   - `hold`: before the request, begin the same delivery through the receiver directly and keep
//!     its ticket unsettled until the request is answered, then finish it `ok` (another worker
//!     holding the event);
//!   - `request`: `method`, `headers` (pairs, in order; repeated names are sent repeated),
//!     `body` (UTF-8 text) and `body_b64`, and `send_length`: whether a `Content-Length` is sent
//!     (`false`: the body goes chunked, without one);
//!   - `handler`: `"ok"` (returns normally) or `"fail"` (raises / rejects / returns an error);
//!   - `expect`: `status`, `body` (the exact JSON text), `code`, `handler_runs`.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::dedup::MemoryStore;
use palisade_webhooks::receiver::{Begin, Receiver};
use palisade_webhooks::testing::{DeliveryOptions, FailAt, FaultyStore, TestSigner};
use palisade_webhooks::{Deduplicator, Webhook, WebhookOptions};
use serde_json::{json, Value};

/// Small, so the oversize cases stay small too.
const MAX_BODY_BYTES: usize = 4096;

struct Step {
    hold: bool,
    method: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    send_length: bool,
    handler: &'static str,
}

fn step(headers: &[(String, String)], body: &[u8], handler: &'static str) -> Step {
    Step {
        hold: false,
        method: "POST",
        headers: headers.to_vec(),
        body: body.to_vec(),
        send_length: true,
        handler,
    }
}

fn run_case(
    signer: &TestSigner,
    name: &str,
    description: &str,
    dedup: bool,
    fail_at: FailAt,
    steps: Vec<Step>,
) -> Value {
    let webhook = Webhook::from_keys(
        &[signer.public_key_b64()],
        WebhookOptions::default().max_body_bytes(MAX_BODY_BYTES),
    )
    .expect("the signer's key is valid");
    let store = FaultyStore::new(Arc::new(MemoryStore::default()), fail_at);
    let receiver = Receiver::new(webhook, dedup.then(|| Deduplicator::new(Arc::new(store))));
    let mut out = Vec::new();
    for s in steps {
        let declared = s.send_length.then_some(s.body.len() as u64);
        // Another worker holds the event: its ticket stays open across this request.
        let held = if s.hold {
            match receiver.begin("POST", declared, &s.body, &s.headers) {
                Begin::Process(p) => Some(p),
                Begin::Answer(a) => panic!("{name}: the holding delivery was answered {a:?}"),
            }
        } else {
            None
        };
        let (answer, ran) = match receiver.begin(s.method, declared, &s.body, &s.headers) {
            Begin::Answer(a) => (a, false),
            Begin::Process(mut p) => {
                let a = if s.handler == "ok" {
                    p.ticket.finish_ok()
                } else {
                    p.ticket.finish_failed("the test handler failed")
                };
                (a.expect("settled once"), true)
            }
        };
        if let Some(mut p) = held {
            p.ticket.finish_ok().expect("settled once");
        }
        let mut request = json!({
            "method": s.method,
            "headers": s.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "body_b64": STANDARD.encode(&s.body),
            "send_length": s.send_length,
        });
        if let Ok(text) = std::str::from_utf8(&s.body) {
            request["body"] = json!(text);
        }
        out.push(json!({
            "hold": s.hold,
            "request": request,
            "handler": s.handler,
            "expect": {
                "status": answer.status,
                "body": answer.body,
                "code": answer.code,
                "handler_runs": ran,
            },
        }));
    }
    json!({
        "name": name,
        "description": description,
        "deduplicator": dedup,
        "store_fails_at": fail_at.as_str(),
        "steps": out,
    })
}

fn main() {
    let signer = TestSigner::from_seed(42);
    let delivery = signer
        .delivery_with(
            "TRANSACTION",
            r#"{"id":"tx-receiver-1","updatedAt":"2025-05-08T14:15:37Z","status":"CONFIRMED","qty":"1.5"}"#,
            &DeliveryOptions::default().timestamp(Some("2025-05-08T14:15:37Z")),
        )
        .expect("valid resource");
    let headers = delivery.headers.clone();
    let body = delivery.body.clone();
    let sig = delivery.signature.clone();
    let with = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut h = vec![("Content-Type".to_string(), "application/json".to_string())];
        h.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        h
    };
    let tampered = String::from_utf8(body.clone()).expect("utf-8").replacen(
        "\"payload\":\"",
        "\"payload\":\"e30",
        1,
    );
    let other_sig = signer.sign("e30=");
    let oversize = {
        let mut b = b"{\"domain\":\"TRANSACTION\",\"payload\":\"".to_vec();
        b.extend(std::iter::repeat_n(b'A', MAX_BODY_BYTES));
        b.extend(b"\"}");
        b
    };

    let mut cases = Vec::new();
    let mut add = |name: &str, description: &str, dedup: bool, fail: FailAt, steps: Vec<Step>| {
        cases.push(run_case(&signer, name, description, dedup, fail, steps));
    };

    add(
        "processed",
        "a valid delivery runs the handler and answers processed",
        true,
        FailAt::Nothing,
        vec![step(&headers, &body, "ok")],
    );
    add(
        "processed_without_deduplicator",
        "without a deduplicator every valid delivery runs the handler",
        false,
        FailAt::Nothing,
        vec![step(&headers, &body, "ok"), step(&headers, &body, "ok")],
    );
    add(
        "duplicate",
        "the same delivery again, after it was processed, answers duplicate without the handler",
        true,
        FailAt::Nothing,
        vec![step(&headers, &body, "ok"), step(&headers, &body, "ok")],
    );
    add(
        "in_progress",
        "a delivery whose event another worker is processing answers 409 without the handler",
        true,
        FailAt::Nothing,
        vec![
            Step {
                hold: true,
                ..step(&headers, &body, "ok")
            },
            step(&headers, &body, "ok"),
        ],
    );
    add(
        "handler_failed_then_retried",
        "a failing handler answers 500 and releases the claim, so the retry is processed",
        true,
        FailAt::Nothing,
        vec![
            step(&headers, &body, "fail"),
            step(&headers, &body, "ok"),
            step(&headers, &body, "ok"),
        ],
    );
    add(
        "handler_failed_without_deduplicator",
        "a failing handler answers 500 without a deduplicator too",
        false,
        FailAt::Nothing,
        vec![step(&headers, &body, "fail")],
    );
    add(
        "store_fails_at_claim",
        "a store that cannot claim answers 503 (Palisade retries) and the handler does not run",
        true,
        FailAt::Claim,
        vec![step(&headers, &body, "ok")],
    );
    add(
        "store_fails_at_complete",
        "a store failing after the handler succeeded still answers processed; the claim stays \
         held until its lease ends, so a redelivery meanwhile is in progress, never re-run",
        true,
        FailAt::Complete,
        vec![step(&headers, &body, "ok"), step(&headers, &body, "ok")],
    );
    add(
        "store_fails_at_release",
        "a store failing to release after a handler failure answers handler failed; the claim \
         stays held until its lease ends",
        true,
        FailAt::Release,
        vec![step(&headers, &body, "fail"), step(&headers, &body, "ok")],
    );
    add(
        "oversize_declared",
        "a declared Content-Length over max_body_bytes answers 413",
        true,
        FailAt::Nothing,
        vec![step(&headers, &oversize, "ok")],
    );
    add(
        "oversize_chunked",
        "a body over max_body_bytes sent without Content-Length answers 413 (read bounded)",
        true,
        FailAt::Nothing,
        vec![Step {
            send_length: false,
            ..step(&headers, &oversize, "ok")
        }],
    );
    add(
        "chunked_valid",
        "a valid delivery sent without Content-Length is processed",
        true,
        FailAt::Nothing,
        vec![Step {
            send_length: false,
            ..step(&headers, &body, "ok")
        }],
    );
    add(
        "wrong_method",
        "a PUT answers 405 with Allow: POST, before anything else",
        true,
        FailAt::Nothing,
        vec![Step {
            method: "PUT",
            ..step(&headers, &body, "ok")
        }],
    );
    add(
        "two_signatures_first_valid",
        "two Signature headers: the first wins, however the framework presents them",
        true,
        FailAt::Nothing,
        vec![step(
            &with(&[("Signature", &sig), ("Signature", &other_sig)]),
            &body,
            "ok",
        )],
    );
    add(
        "two_signatures_first_wrong",
        "two Signature headers: the first wins even when only the second is right",
        true,
        FailAt::Nothing,
        vec![step(
            &with(&[("Signature", &other_sig), ("Signature", &sig)]),
            &body,
            "ok",
        )],
    );
    add(
        "lowercase_signature_header",
        "the Signature header is found whatever its case",
        true,
        FailAt::Nothing,
        vec![step(&with(&[("signature", &sig)]), &body, "ok")],
    );
    add(
        "missing_signature",
        "no Signature header answers 401",
        true,
        FailAt::Nothing,
        vec![step(&with(&[]), &body, "ok")],
    );
    add(
        "invalid_signature",
        "a payload changed after signing answers 401",
        true,
        FailAt::Nothing,
        vec![step(&headers, tampered.as_bytes(), "ok")],
    );
    add(
        "malformed_envelope",
        "a body that is not a JSON envelope answers 400",
        true,
        FailAt::Nothing,
        vec![step(&headers, b"not json", "ok")],
    );

    let doc = json!({
        "description": "Receiver situations and the exact answers every receiver gives \
                        (generated by core/examples/generate_receiver_vectors.rs; do not edit)",
        "keys": [signer.public_key_b64()],
        "max_body_bytes": MAX_BODY_BYTES,
        "cases": cases,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&doc).expect("serialisable")
    );
}
