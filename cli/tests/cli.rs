//! The CLI as a user runs it: keygen → sign → verify, and `doctor` over every delivery of the
//! shared conformance vectors (it must name the same error code the SDKs give, and the right
//! cause for the classic mistakes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade-webhooks"))
        .args(args)
        .output()
        .expect("run the CLI")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn keygen_sign_verify_round_trip() {
    let dir = temp_dir("roundtrip");
    let (key, public) = (dir.join("key.pem"), dir.join("key.pub"));
    let out = cli(&["keygen", "--out", s(&key), "--public-out", s(&public)]);
    assert!(out.status.success(), "{out:?}");
    let public_key = std::fs::read_to_string(&public).unwrap();
    assert!(public_key.starts_with("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"));

    let resource = dir.join("tx.json");
    std::fs::write(
        &resource,
        r#"{"id":"tx-1","status":"CONFIRMED","updatedAt":"2025-05-08T14:15:37Z"}"#,
    )
    .unwrap();
    let out = cli(&[
        "sign",
        "--key-file",
        s(&key),
        "--domain",
        "TRANSACTION",
        "--resource",
        s(&resource),
    ]);
    assert!(out.status.success(), "{out:?}");
    let delivery = dir.join("delivery.json");
    std::fs::write(&delivery, &out.stdout).unwrap();

    let out = cli(&[
        "verify",
        "--key-file",
        s(&public),
        "--delivery",
        s(&delivery),
    ]);
    assert!(out.status.success(), "{out:?}");
    let event: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        event["idempotency_key"],
        "TRANSACTION/tx-1/2025-05-08T14:15:37Z"
    );
    assert_eq!(event["domain"], "TRANSACTION");

    // Another key: exit 1 and the error code on stdout.
    let other = dir.join("other.pub");
    cli(&[
        "keygen",
        "--out",
        s(&dir.join("o.pem")),
        "--public-out",
        s(&other),
    ]);
    let out = cli(&[
        "verify",
        "--key-file",
        s(&other),
        "--delivery",
        s(&delivery),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ERR_INVALID_SIGNATURE"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// A raw HTTP request capture of a vector case (works for any body, UTF-8 or not).
fn capture(case: &Value, path: &Path) {
    let body = STANDARD.decode(case["body_b64"].as_str().unwrap()).unwrap();
    let mut raw = b"POST /webhooks/palisade HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for h in case["headers"].as_array().unwrap() {
        raw.extend_from_slice(
            format!("{}: {}\r\n", h[0].as_str().unwrap(), h[1].as_str().unwrap()).as_bytes(),
        );
    }
    raw.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    raw.extend_from_slice(&body);
    std::fs::write(path, raw).unwrap();
}

#[test]
fn doctor_names_the_cause_of_every_broken_vector() {
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/conformance.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // The cause each classic mistake must be named by.
    let causes = [
        ("digest_double_refused_by_default", "sha256-double"),
        ("signature_over_decoded_json", "decoded payload JSON"),
        ("signature_over_whole_body", "whole body"),
        ("signature_raw_p1363", "P1363"),
        ("signature_url_safe_base64", "URL-safe"),
        ("signed_by_another_key", "does not match this key"),
        ("tampered_payload", "does not match this key"),
        ("missing_signature_header", "no Signature header"),
        ("body_not_json", "not a Palisade envelope"),
        ("payload_missing_id", "signature is fine"),
        ("key_secp256k1", "secp256k1"),
        ("key_rsa", "RSA"),
    ];
    let dir = temp_dir("doctor");
    let mut checked = 0;
    for case in vectors["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let keys = case["keys"].as_array().unwrap();
        // The doctor judges with default options and one key at a time.
        if keys.len() != 1 || case["options"].as_object().is_some_and(|o| !o.is_empty()) {
            continue;
        }
        let request = dir.join(format!("{name}.http"));
        capture(case, &request);
        let out = cli(&[
            "doctor",
            "--json",
            "--key",
            keys[0].as_str().unwrap(),
            "--request",
            s(&request),
        ]);
        let diagnosis: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}: {out:?}"));
        let expect = &case["expect"];
        if expect["ok"] == true {
            assert_eq!(diagnosis["verifies"], true, "{name}: {diagnosis}");
            assert_eq!(out.status.code(), Some(0), "{name}");
        } else {
            assert_eq!(diagnosis["error"], expect["error"], "{name}: {diagnosis}");
            assert_eq!(out.status.code(), Some(1), "{name}");
        }
        if let Some((_, cause)) = causes.iter().find(|(n, _)| *n == name) {
            let text = diagnosis["cause"].as_str().unwrap();
            assert!(
                text.contains(cause),
                "{name}: cause {text:?} should mention {cause:?}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} vectors diagnosed");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn helpful_usage_errors() {
    let out = cli(&["verify", "--key", "MFkw"]);
    assert!(!out.status.success());
    let out = cli(&["listen", "--key", "not a key", "--port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ERR_INVALID_PUBLIC_KEY"));
    let out = cli(&["send", "http://127.0.0.1:9/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to send"));
}
