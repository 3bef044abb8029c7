//! `Resource::parse`: the same answer as a delivery's payload gets, and explicit `null`s read as
//! absent fields in every model (so every language's `data` is the same).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::testing::TestSigner;
use palisade_webhooks::wire_fields;
use palisade_webhooks::{
    Approval, Asset, ErrorCode, Resource, Transaction, TransferParty, Wallet, WalletSettings,
    Webhook, WebhookOptions,
};
use serde_json::{json, Map, Value};

/// Verifies a delivery of `text` (any bytes, not only JSON) signed correctly for `domain`.
fn verify_payload(domain: &str, text: &str) -> palisade_webhooks::Result<Resource> {
    let signer = TestSigner::from_seed(31);
    let webhook = Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default())?;
    let payload = STANDARD.encode(text);
    let body = json!({"domain": domain, "payload": payload}).to_string();
    let headers = [("Signature", signer.sign(&payload))];
    webhook.verify(body.as_bytes(), headers).map(|e| e.data)
}

#[test]
fn parse_answers_as_verification_does() {
    let texts = [
        r#"{"id":"t1","updatedAt":"u","status":"SIGNED","qty":"1.0","sequence":7,"asset":{"decimals":"18"}}"#,
        r#" { "id" : "w" , "settings" : { "enabled" : true } , "name" : "\u00e9" } "#,
        r#"{"id":"a","status":"APPROVED","reasons":["x"]}"#,
        r#"{"id":7,"status":5}"#,
        r#"{"id":"w","id":"v"}"#,
        r#"{"name":"no id"}"#,
        r#"{"id":"w","qty":[1]}"#,
        r#"{"id":"w","asset":{"decimals":-1}}"#,
        r#"{"id":"w"} trailing"#,
        r#"{"id":"w","#,
        "[1,2]",
        "\"text\"",
        "",
        "not json",
    ];
    let deep = format!(r#"{{"id":"w","x":{}{}}}"#, "[".repeat(70), "]".repeat(70));
    let domains = ["TRANSACTION", "WALLET", "APPROVAL", "SOMETHING_NEW", ""];
    let mut compared = 0;
    for text in texts.iter().copied().chain([deep.as_str()]) {
        for domain in domains {
            let parsed = Resource::parse(domain, text);
            match (parsed, verify_payload(domain, text)) {
                (Ok(parsed), Ok(verified)) => assert_eq!(parsed, verified, "{domain} {text:?}"),
                (Err(parsed), Err(verified)) => {
                    assert_eq!(
                        parsed.code(),
                        ErrorCode::MalformedPayload,
                        "{domain} {text:?}"
                    );
                    assert_eq!(parsed.code(), verified.code(), "{domain} {text:?}");
                    assert_eq!(parsed.message(), verified.message(), "{domain} {text:?}");
                }
                (parsed, verified) => panic!("{domain} {text:?}: {parsed:?} / {verified:?}"),
            }
            compared += 1;
        }
    }
    assert_eq!(compared, (texts.len() + 1) * domains.len());
}

#[test]
fn domains_pick_their_models() {
    let text = r#"{"id":"x","updatedAt":"2025-01-01T00:00:00Z","status":"SOMETHING"}"#;
    assert!(matches!(
        Resource::parse("TRANSACTION", text).unwrap(),
        Resource::Transaction(t) if t.id == "x" && t.status.as_ref().unwrap().as_str() == "SOMETHING"
    ));
    assert!(matches!(Resource::parse("WALLET", text).unwrap(), Resource::Wallet(w) if w.id == "x"));
    assert!(
        matches!(Resource::parse("APPROVAL", text).unwrap(), Resource::Approval(a) if a.id == "x")
    );
    // The domain is matched exactly, as on the wire.
    for unknown in ["transaction", " WALLET", "", "APPROVALS"] {
        assert_eq!(Resource::parse(unknown, text).unwrap(), Resource::Unknown);
    }
    // An unknown domain's object is not held to any model, but it must still be a JSON object.
    assert_eq!(
        Resource::parse("OTHER", r#"{"id":[],"updatedAt":{}}"#).unwrap(),
        Resource::Unknown
    );
    let e = Resource::parse("OTHER", "[]").unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedPayload);
    assert!(e.message().contains("not an object"), "{}", e.message());
}

/// Every field but `id` set to `null`, the nested models' fields too.
fn all_null(fields: &[&str], nested: &[(&str, &[&str])]) -> Value {
    let mut map = Map::new();
    for &field in fields {
        map.insert(field.to_string(), Value::Null);
    }
    for &(field, inner) in nested {
        let inner: Map<String, Value> =
            inner.iter().map(|f| (f.to_string(), Value::Null)).collect();
        map.insert(field.to_string(), Value::Object(inner));
    }
    map.insert("id".to_string(), json!("r1"));
    Value::Object(map)
}

#[test]
fn explicit_nulls_read_as_absent_fields() {
    let asset = wire_fields::<Asset>();
    let party = wire_fields::<TransferParty>();
    let settings = wire_fields::<WalletSettings>();
    let cases = [
        (
            "TRANSACTION",
            all_null(
                wire_fields::<Transaction>(),
                &[
                    ("asset", asset),
                    ("feeAsset", asset),
                    ("origin", party),
                    ("destination", party),
                ],
            ),
            // A nested model present with every field null is an empty object, as when it is
            // present with no fields.
            r#"{"id":"r1","asset":{},"feeAsset":{},"origin":{},"destination":{}}"#,
        ),
        (
            "WALLET",
            all_null(wire_fields::<Wallet>(), &[("settings", settings)]),
            r#"{"id":"r1","settings":{}}"#,
        ),
        (
            "APPROVAL",
            all_null(wire_fields::<Approval>(), &[]),
            r#"{"id":"r1"}"#,
        ),
    ];
    assert!(wire_fields::<Transaction>().contains(&"config"));
    assert!(wire_fields::<Transaction>().contains(&"feeQty"));
    assert!(asset.contains(&"decimals"));
    for (domain, with_nulls, want) in cases {
        let text = with_nulls.to_string();
        let parsed = Resource::parse(domain, &text).unwrap();
        // The canonical JSON every language's `data` is built from.
        assert_eq!(serde_json::to_string(&parsed).unwrap(), want, "{domain}");
        assert_eq!(parsed, Resource::parse(domain, want).unwrap(), "{domain}");
        assert_eq!(verify_payload(domain, &text).unwrap(), parsed, "{domain}");
    }
    // Nulls inside a field kept raw are the payload's own content, and are kept.
    let t = Resource::parse(
        "TRANSACTION",
        r#"{"id":"t","config":{"gas":null},"reasons":[null]}"#,
    );
    assert_eq!(
        serde_json::to_string(&t.unwrap()).unwrap(),
        r#"{"id":"t","config":{"gas":null},"reasons":[null]}"#
    );
}
