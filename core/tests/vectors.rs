//! Runs the shared conformance vectors (`tests/vectors/conformance.json`) through the core.
//! The Python, Node and Go suites run the same file through their bindings.

use std::path::PathBuf;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::{verify_webhook, Backend, Digest, Event, Webhook, WebhookOptions};
use serde_json::Value;

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/conformance.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn options(case: &Value, backend: Backend) -> WebhookOptions {
    let o = &case["options"];
    let mut options = WebhookOptions::default().backend(backend);
    if let Some(n) = o["max_body_bytes"].as_u64() {
        options = options.max_body_bytes(n as usize);
    }
    if let Some(d) = o["digest"].as_str() {
        options = options.digest(d.parse::<Digest>().unwrap());
    }
    if let Some(s) = o["max_age_seconds"].as_u64() {
        options = options.max_age(Some(Duration::from_secs(s)));
    }
    options
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

fn run_case(case: &Value, backend: Backend) -> Result<(), String> {
    let name = case["name"].as_str().unwrap();
    let expect = &case["expect"];
    let keys = strings(&case["keys"]);
    let body = STANDARD.decode(case["body_b64"].as_str().unwrap()).unwrap();
    let headers: Vec<(String, String)> = case["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let pair = strings(h);
            (pair[0].clone(), pair[1].clone())
        })
        .collect();

    let webhook = match Webhook::from_keys(&keys, options(case, backend)) {
        Ok(w) => w,
        Err(e) if expect["stage"] == "construct" && expect["error"] == e.code().as_str() => {
            return Ok(())
        }
        Err(e) => return Err(format!("{name}: construction failed unexpectedly: {e}")),
    };
    if expect["stage"] == "construct" {
        return Err(format!("{name}: construction should have failed"));
    }
    match webhook.verify(&body, &headers) {
        Ok(event) => {
            if expect["ok"] != true {
                return Err(format!("{name}: verified, expected {}", expect["error"]));
            }
            let checks = [
                ("domain", Some(event.domain.as_str().to_string())),
                ("idempotency_key", Some(event.idempotency_key.clone())),
                ("resource_id", event.resource_id.clone()),
                ("updated_at", event.updated_at.clone()),
                ("status", event.status.clone()),
                ("timestamp", event.timestamp.clone()),
                ("key_fingerprint", Some(event.key_fingerprint.clone())),
            ];
            for (field, got) in checks {
                let want = expect[field].as_str().map(str::to_string);
                if got != want {
                    return Err(format!("{name}: {field} = {got:?}, expected {want:?}"));
                }
            }
            let back = Event::from_json(&event.to_json())
                .map_err(|e| format!("{name}: event did not round-trip: {e}"))?;
            if back != event {
                return Err(format!("{name}: event changed through JSON"));
            }
            Ok(())
        }
        Err(e) if expect["ok"] == true => Err(format!("{name}: refused: {e}")),
        Err(e) if expect["error"] != e.code().as_str() => Err(format!(
            "{name}: got {}, expected {}",
            e.code(),
            expect["error"]
        )),
        Err(_) => Ok(()),
    }
}

fn run_all(backend: Backend) {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c, backend).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn conformance_vectors_fast_backend() {
    run_all(Backend::Fast);
}

#[test]
fn conformance_vectors_reference_backend() {
    run_all(Backend::Reference);
}

#[test]
fn conformance_covers_every_error_code_that_input_can_cause() {
    let v = vectors();
    let seen: std::collections::BTreeSet<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["expect"]["error"].as_str())
        .collect();
    // ERR_BODY_NOT_RAW (a parsed object passed as body) and ERR_STORE_UNAVAILABLE (a store that
    // cannot answer) cannot be written as bytes on the wire; each binding tests them itself.
    for code in palisade_webhooks::ErrorCode::ALL {
        let s = code.as_str();
        if s == "ERR_BODY_NOT_RAW" || s == "ERR_STORE_UNAVAILABLE" {
            continue;
        }
        assert!(seen.contains(s), "no vector produces {s}");
    }
}

#[test]
fn documented_function_cases() {
    let v = vectors();
    // Three passes: a key's first call verifies on the reference backend, its second prepares
    // the fast one, later calls reuse it (the drop-in's key cache); every answer is the same.
    for pass in 1..=3 {
        for case in v["verify_webhook_cases"].as_array().unwrap() {
            let got = verify_webhook(
                case["public_key"].as_str().unwrap(),
                case["signature"].as_str().unwrap(),
                case["payload"].as_str().unwrap(),
            );
            let expected = case["expect"].as_bool().unwrap();
            assert_eq!(got, expected, "pass {pass}: {}", case["name"]);
        }
    }
}
