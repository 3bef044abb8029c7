//! Project Wycheproof's ECDSA P-256 / SHA-256 cases, through the SDK's own entry point
//! (`Webhook::verify_signature`: base64 DER signature over the message bytes), on both backends.

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::{verify_webhook, Backend, ErrorCode, Webhook, WebhookOptions};
use serde_json::Value;
use sha2::{Digest, Sha256};

const FILE: &str = "ecdsa_secp256r1_sha256_test.json";

fn load() -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/wycheproof");
    let bytes = std::fs::read(dir.join(FILE)).unwrap();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let pinned = sums
        .lines()
        .find(|l| l.ends_with(FILE))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        pinned,
        "vendored file changed"
    );
    serde_json::from_slice(&bytes).unwrap()
}

fn run(backend: Backend) {
    let data = load();
    let (mut valid, mut invalid) = (0, 0);
    let mut failures = Vec::new();
    for group in data["testGroups"].as_array().unwrap() {
        let key_der = hex::decode(group["publicKeyDer"].as_str().unwrap()).unwrap();
        let webhook = Webhook::from_keys(
            &[STANDARD.encode(&key_der)],
            WebhookOptions::default().backend(backend),
        )
        .unwrap();
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let msg = String::from_utf8(hex::decode(test["msg"].as_str().unwrap()).unwrap())
                .expect("every message is ASCII");
            let sig = STANDARD.encode(hex::decode(test["sig"].as_str().unwrap()).unwrap());
            let result = webhook.verify_signature(&msg, &sig);
            match (test["result"].as_str().unwrap(), result) {
                ("valid", Ok(_)) => valid += 1,
                ("valid", Err(e)) => failures.push(format!("tc {id} valid but refused: {e}")),
                ("invalid", Ok(_)) => failures.push(format!("tc {id} invalid but accepted")),
                ("invalid", Err(e)) => {
                    invalid += 1;
                    // An empty signature is reported the way an empty header is.
                    let expected = if sig.is_empty() {
                        matches!(e.code(), ErrorCode::MissingSignature)
                    } else {
                        matches!(
                            e.code(),
                            ErrorCode::InvalidSignature | ErrorCode::MalformedSignature
                        )
                    };
                    if !expected {
                        failures.push(format!("tc {id}: unexpected error {e}"));
                    }
                }
                (other, _) => failures.push(format!("tc {id}: unexpected result {other}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((valid, invalid), (174, 310));
}

#[test]
fn wycheproof_fast_backend() {
    run(Backend::Fast);
}

#[test]
fn wycheproof_reference_backend() {
    run(Backend::Reference);
}

/// The documentation's function over every case, three times each: a key's first call takes
/// the reference backend, its second prepares the fast one (the drop-in's key cache), later calls
/// reuse it. Every call must give the vector's answer.
#[test]
fn wycheproof_drop_in_function() {
    let data = load();
    let mut failures = Vec::new();
    let mut checked = 0;
    for group in data["testGroups"].as_array().unwrap() {
        let key = STANDARD.encode(hex::decode(group["publicKeyDer"].as_str().unwrap()).unwrap());
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let msg = String::from_utf8(hex::decode(test["msg"].as_str().unwrap()).unwrap())
                .expect("every message is ASCII");
            let sig = STANDARD.encode(hex::decode(test["sig"].as_str().unwrap()).unwrap());
            let expected = test["result"].as_str().unwrap() == "valid";
            for call in 1..=3 {
                if verify_webhook(&key, &sig, &msg) != expected {
                    failures.push(format!("tc {id}, call {call}: expected {expected}"));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 3 * 484);
}
