//! Regenerates `tests/vectors/conformance.json`, the cases every language's suite runs.
//!
//! Run: `cargo run -p palisade-webhooks --example generate_vectors > tests/vectors/conformance.json`
//!
//! Keys come from fixed seeds and signatures are RFC 6979 (deterministic), so the output is
//! byte-for-byte reproducible: regenerate only when adding cases, and review the diff.

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine as _;
use p256::ecdsa::Signature;
use palisade_webhooks::testing::{DeliveryOptions, TestSigner};
use palisade_webhooks::Digest;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

const TS: &str = "2025-05-08T14:15:37Z";

struct Gen {
    primary: TestSigner,
    secondary: TestSigner,
    other: TestSigner,
    cases: Vec<Value>,
}

/// What a case expects.
enum Expect {
    Ok {
        domain: &'static str,
        key: String,
        id: Option<&'static str>,
        updated: Option<&'static str>,
        status: Option<&'static str>,
        timestamp: Option<&'static str>,
        fingerprint: String,
    },
    Err(&'static str, &'static str),
}

impl Gen {
    fn fp(&self, s: &TestSigner) -> String {
        s.public_key().fingerprint().to_string()
    }

    #[allow(clippy::too_many_arguments)]
    fn case(
        &mut self,
        name: &str,
        description: &str,
        keys: Vec<String>,
        options: Value,
        body: &[u8],
        headers: Vec<(&str, String)>,
        expect: Expect,
    ) {
        let mut case = json!({
            "name": name,
            "description": description,
            "keys": keys,
            "options": options,
            "body_b64": STANDARD.encode(body),
            "headers": headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        });
        if let Ok(text) = std::str::from_utf8(body) {
            case["body"] = json!(text);
        }
        case["expect"] = match expect {
            Expect::Ok {
                domain,
                key,
                id,
                updated,
                status,
                timestamp,
                fingerprint,
            } => json!({
                "ok": true,
                "error": null,
                "stage": null,
                "domain": domain,
                "idempotency_key": key,
                "resource_id": id,
                "updated_at": updated,
                "status": status,
                "timestamp": timestamp,
                "key_fingerprint": fingerprint,
            }),
            Expect::Err(stage, code) => json!({"ok": false, "error": code, "stage": stage}),
        };
        self.cases.push(case);
    }

    fn primary_key(&self) -> Vec<String> {
        vec![self.primary.public_key_b64()]
    }
}

fn envelope(domain: Option<&str>, timestamp: Option<&str>, payload: &str) -> Vec<u8> {
    let mut m = serde_json::Map::new();
    if let Some(d) = domain {
        m.insert("domain".into(), json!(d));
    }
    if let Some(t) = timestamp {
        m.insert("timestamp".into(), json!(t));
    }
    m.insert("payload".into(), json!(payload));
    serde_json::to_vec(&m).unwrap()
}

fn sig_headers(sig: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".to_string()),
        ("Signature", sig.to_string()),
    ]
}

/// A DER SubjectPublicKeyInfo (ecPublicKey, prime256v1) around any `point` bytes.
fn spki_with_point(point: &[u8]) -> Vec<u8> {
    let algorithm = hex::decode("301306072a8648ce3d020106082a8648ce3d030107").unwrap();
    let mut bits = vec![0x03, u8::try_from(point.len() + 1).unwrap(), 0x00];
    bits.extend_from_slice(point);
    let mut der = vec![0x30, u8::try_from(algorithm.len() + bits.len()).unwrap()];
    der.extend(algorithm);
    der.extend(bits);
    der
}

fn b64(s: &str) -> String {
    STANDARD.encode(s.as_bytes())
}

/// The expected idempotency keys, written out here from the documented format rather than by
/// calling the core, so the vectors check the core's derivation instead of copying it.
/// A key component: `%`, `/` and control characters (U+0000-U+001F, U+007F-U+009F) become
/// `%XX` of their UTF-8 bytes.
fn key_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '%'
                || c == '/'
                || ('\0'..='\u{1f}').contains(&c)
                || ('\u{7f}'..='\u{9f}').contains(&c)
            {
                c.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `{domain}/{id}/{updatedAt}`.
fn field_key(domain: &str, id: &str, updated: &str) -> String {
    format!(
        "{}/{}/{}",
        key_part(domain),
        key_part(id),
        key_part(updated)
    )
}

/// `{domain}/sha256:{hex of the payload string}`.
fn hash_key(domain: &str, payload: &str) -> String {
    format!(
        "{}/sha256:{}",
        key_part(domain),
        hex::encode(Sha256::digest(payload))
    )
}

fn main() {
    let mut g = Gen {
        primary: TestSigner::from_seed(1),
        secondary: TestSigner::from_seed(2),
        other: TestSigner::from_seed(3),
        cases: Vec::new(),
    };
    let fp1 = g.fp(&g.primary.clone());
    let fp2 = g.fp(&g.secondary.clone());

    let tx = r#"{"id":"0196153b-aaaa-7cd3-b511-354373d28130","walletId":"0196153b-67bc-7cd3-b511-354373d28130","vaultId":"0196152d-5294-739d-9945-2a499f9e3989","createdAt":"2025-05-08T14:15:30.123Z","updatedAt":"2025-05-08T14:15:36.900490Z","status":"CONFIRMED","action":"DEPOSIT","blockchain":"ETHEREUM","asset":{"id":"eth","symbol":"ETH","blockchain":"ETHEREUM","decimals":18},"qty":"0.000000000000000001","sequence":"18446744073709551615","destination":{"type":"WALLET","address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"},"attributes":{"k":"v"},"hash":"0xabc"}"#;
    let wallet = r#"{"id":"0196153b-67bc-7cd3-b511-354373d28130", "vaultId":"0196152d-5294-739d-9945-2a499f9e3989", "organizationId":"21c81319-5b83-45f9-b648-42055084af15", "quorumId":"00000000-0000-0000-0000-000000000000", "createdBy":"a55df9e0-e14a-4410-a983-12afae46662f", "createdAt":"2025-04-08T11:48:56.899086Z", "updatedAt":"2025-04-08T11:48:56.900490Z", "name":"ewqfew", "description":"", "address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e", "publicKey":"0481cb02e821e55a2c6196ffde380ba3b49817bdbf02f315dc28b56f70792d56e6adac917e7adaf87f10c088408a8c6a0e6d180793c050c3d0c8771cb9ddf8258d", "keystore":"HSM", "blockchain":"ARBITRUM", "settings":{}, "status":"PROVISIONED"}"#;
    let approval = r#"{"id":"a-1","approvalSetId":"s-1","userId":"u-1","organizationId":"o-1","createdAt":"2025-05-08T14:00:00Z","updatedAt":"2025-05-08T14:10:00.5Z","status":"APPROVED","reasons":["ok"],"policy":{"n":2}}"#;

    let delivery = |s: &TestSigner, domain: &str, json: &str| {
        s.delivery_with(
            domain,
            json,
            &DeliveryOptions::default().timestamp(Some(TS)),
        )
        .unwrap()
    };
    let ok = |domain: &'static str,
              id: &'static str,
              updated: &'static str,
              status: Option<&'static str>,
              fp: &str| Expect::Ok {
        domain,
        key: field_key(domain, id, updated),
        id: Some(id),
        updated: Some(updated),
        status,
        timestamp: Some(TS),
        fingerprint: fp.to_string(),
    };
    let tx_ok = |fp: &str| {
        ok(
            "TRANSACTION",
            "0196153b-aaaa-7cd3-b511-354373d28130",
            "2025-05-08T14:15:36.900490Z",
            Some("CONFIRMED"),
            fp,
        )
    };
    let keys1 = g.primary_key();
    let none = json!({});

    // ---- valid deliveries, one per domain -------------------------------------------------
    let d = delivery(&g.primary, "TRANSACTION", tx);
    g.case(
        "transaction_valid",
        "A TRANSACTION delivery with typed fields (decimal qty, uint64 sequence).",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&d.signature),
        tx_ok(&fp1),
    );
    let d = delivery(&g.primary, "WALLET", wallet);
    g.case(
        "wallet_valid_documented_example",
        "The documentation's WALLET example (non-canonical ', ' separators).",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&d.signature),
        ok(
            "WALLET",
            "0196153b-67bc-7cd3-b511-354373d28130",
            "2025-04-08T11:48:56.900490Z",
            Some("PROVISIONED"),
            &fp1,
        ),
    );
    let d = delivery(&g.primary, "APPROVAL", approval);
    g.case(
        "approval_valid",
        "An APPROVAL delivery; unmodelled fields stay in raw.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&d.signature),
        ok(
            "APPROVAL",
            "a-1",
            "2025-05-08T14:10:00.5Z",
            Some("APPROVED"),
            &fp1,
        ),
    );
    let d = delivery(
        &g.primary,
        "VAULT",
        r#"{"id":"v-1","updatedAt":"2025-05-08T14:00:00Z","status":"ACTIVE","whatever":[1,2,3]}"#,
    );
    g.case(
        "unknown_domain_is_not_an_error",
        "An unknown domain parses into an unknown event keeping the raw resource.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&d.signature),
        ok("VAULT", "v-1", "2025-05-08T14:00:00Z", Some("ACTIVE"), &fp1),
    );

    // ---- envelope variations ----------------------------------------------------------------
    let payload = b64(tx);
    let sig = g.primary.sign(&payload);
    g.case(
        "missing_domain",
        "No domain: an unknown event with an empty domain.",
        keys1.clone(),
        none.clone(),
        &envelope(None, Some(TS), &payload),
        sig_headers(&sig),
        Expect::Ok {
            domain: "",
            key: "/0196153b-aaaa-7cd3-b511-354373d28130/2025-05-08T14:15:36.900490Z".into(),
            id: Some("0196153b-aaaa-7cd3-b511-354373d28130"),
            updated: Some("2025-05-08T14:15:36.900490Z"),
            status: Some("CONFIRMED"),
            timestamp: Some(TS),
            fingerprint: fp1.clone(),
        },
    );
    g.case(
        "missing_timestamp",
        "Older deliveries have no timestamp.",
        keys1.clone(),
        none.clone(),
        &envelope(Some("TRANSACTION"), None, &payload),
        sig_headers(&sig),
        Expect::Ok {
            domain: "TRANSACTION",
            key: "TRANSACTION/0196153b-aaaa-7cd3-b511-354373d28130/2025-05-08T14:15:36.900490Z"
                .into(),
            id: Some("0196153b-aaaa-7cd3-b511-354373d28130"),
            updated: Some("2025-05-08T14:15:36.900490Z"),
            status: Some("CONFIRMED"),
            timestamp: None,
            fingerprint: fp1.clone(),
        },
    );
    let body = format!(
        r#"{{"version":2,"domain":"TRANSACTION","meta":{{"a":[1,{{"b":null}}]}},"timestamp":"{TS}","payload":"{payload}","extra":true}}"#
    );
    g.case(
        "unknown_envelope_fields_ignored",
        "Fields Palisade may add later are ignored.",
        keys1.clone(),
        none.clone(),
        body.as_bytes(),
        sig_headers(&sig),
        tx_ok(&fp1),
    );
    let escaped = payload.replace('/', "\\/");
    let body = format!(r#"{{"domain":"TRANSACTION","timestamp":"{TS}","payload":"{escaped}"}}"#);
    g.case(
        "payload_with_json_escapes",
        "The payload string is the JSON string value: '\\/' escapes decode to '/'.",
        keys1.clone(),
        none.clone(),
        body.as_bytes(),
        sig_headers(&sig),
        tx_ok(&fp1),
    );
    let body = format!(" \n{{ \"domain\" : \"TRANSACTION\" ,\n \"timestamp\" : \"{TS}\" , \"payload\" : \"{payload}\" }}\n");
    g.case(
        "envelope_whitespace",
        "Whitespace around and inside the envelope.",
        keys1.clone(),
        none.clone(),
        body.as_bytes(),
        sig_headers(&sig),
        tx_ok(&fp1),
    );
    let nopad = b64(r#"{"id":"np","updatedAt":"2025-01-01T00:00:00Z"}"#)
        .trim_end_matches('=')
        .to_string();
    let sig_np = g.primary.sign(&nopad);
    g.case(
        "payload_without_padding",
        "A payload whose base64 lost its '=' padding still decodes.",
        keys1.clone(),
        none.clone(),
        &envelope(Some("WALLET"), Some(TS), &nopad),
        sig_headers(&sig_np),
        ok("WALLET", "np", "2025-01-01T00:00:00Z", None, &fp1),
    );

    // ---- idempotency --------------------------------------------------------------------------
    let p = b64(r#"{"id":"t-no-update","status":"REQUESTED"}"#);
    let s = g.primary.sign(&p);
    g.case(
        "idempotency_fallback_hash",
        "No updatedAt: the key is sha256 of the payload string.",
        keys1.clone(),
        none.clone(),
        &envelope(Some("TRANSACTION"), Some(TS), &p),
        sig_headers(&s),
        Expect::Ok {
            domain: "TRANSACTION",
            key: hash_key("TRANSACTION", &p),
            id: Some("t-no-update"),
            updated: None,
            status: Some("REQUESTED"),
            timestamp: Some(TS),
            fingerprint: fp1.clone(),
        },
    );
    let p = b64(r#"{"updatedAt":"2025-01-01T00:00:00Z","status":"X"}"#);
    let s = g.primary.sign(&p);
    g.case(
        "idempotency_fallback_unknown_domain_no_id",
        "Unknown domain without id: hash key, never an error.",
        keys1.clone(),
        none.clone(),
        &envelope(Some("FUTURE"), None, &p),
        sig_headers(&s),
        Expect::Ok {
            domain: "FUTURE",
            key: hash_key("FUTURE", &p),
            id: None,
            updated: Some("2025-01-01T00:00:00Z"),
            status: Some("X"),
            timestamp: None,
            fingerprint: fp1.clone(),
        },
    );
    // The key is injective: each case below pairs with another that collided under the first
    // key format ("{id}:{updatedAt}" / "sha256:<hex>"), and the expected keys are written out.
    let keyed = |domain: Option<&'static str>,
                 json: &str,
                 key: &str,
                 id: Option<&'static str>,
                 updated: Option<&'static str>| {
        let payload = b64(json);
        let sig = g.primary.sign(&payload);
        let expect = Expect::Ok {
            domain: domain.unwrap_or(""),
            key: key.to_string(),
            id,
            updated,
            status: None,
            timestamp: Some(TS),
            fingerprint: fp1.clone(),
        };
        (
            envelope(domain, Some(TS), &payload),
            sig_headers(&sig),
            expect,
        )
    };
    let key_cases = [
        (
            "idempotency_id_with_colon",
            "An id containing ':' (the old form gave this and the next case one key).",
            keyed(
                Some("WALLET"),
                r#"{"id":"a:2025-01-01T00","updatedAt":"00:00Z"}"#,
                "WALLET/a:2025-01-01T00/00:00Z",
                Some("a:2025-01-01T00"),
                Some("00:00Z"),
            ),
        ),
        (
            "idempotency_colon_counterpart",
            "The id/updatedAt split the previous case could be mistaken for: a key of its own.",
            keyed(
                Some("WALLET"),
                r#"{"id":"a","updatedAt":"2025-01-01T00:00:00Z"}"#,
                "WALLET/a/2025-01-01T00:00:00Z",
                Some("a"),
                Some("2025-01-01T00:00:00Z"),
            ),
        ),
        (
            "idempotency_same_id_transaction",
            "A TRANSACTION and (next case) a WALLET with equal id and updatedAt: the domain \
             namespaces the key.",
            keyed(
                Some("TRANSACTION"),
                r#"{"id":"same-1","updatedAt":"2025-01-01T00:00:00Z"}"#,
                "TRANSACTION/same-1/2025-01-01T00:00:00Z",
                Some("same-1"),
                Some("2025-01-01T00:00:00Z"),
            ),
        ),
        (
            "idempotency_same_id_wallet",
            "A WALLET with the previous case's id and updatedAt.",
            keyed(
                Some("WALLET"),
                r#"{"id":"same-1","updatedAt":"2025-01-01T00:00:00Z"}"#,
                "WALLET/same-1/2025-01-01T00:00:00Z",
                Some("same-1"),
                Some("2025-01-01T00:00:00Z"),
            ),
        ),
        (
            "idempotency_slash_and_percent_encoded",
            "'/', '%' and control characters in a component are percent-encoded (uppercase hex, \
             UTF-8 bytes for U+0085).",
            keyed(
                Some("WALLET"),
                "{\"id\":\"a/b%2Fc\",\"updatedAt\":\"x\\n\\u0085y\"}",
                "WALLET/a%2Fb%252Fc/x%0A%C2%85y",
                Some("a/b%2Fc"),
                Some("x\n\u{85}y"),
            ),
        ),
        (
            "idempotency_slash_in_domain",
            "A domain containing '/' is encoded too: \"A/B\" with id \"C\" is not \"A\" with id \
             \"B/C\" (next case).",
            keyed(
                Some("A/B"),
                r#"{"id":"C","updatedAt":"D"}"#,
                "A%2FB/C/D",
                Some("C"),
                Some("D"),
            ),
        ),
        (
            "idempotency_slash_in_id",
            "Domain \"A\", id \"B/C\": the counterpart of the previous case.",
            keyed(
                Some("A"),
                r#"{"id":"B/C","updatedAt":"D"}"#,
                "A/B%2FC/D",
                Some("B/C"),
                Some("D"),
            ),
        ),
        (
            "idempotency_empty_id_falls_back",
            "An empty id counts as missing: the payload-hash key.",
            keyed(
                Some("WALLET"),
                r#"{"id":"","updatedAt":"2025-01-01T00:00:00Z"}"#,
                &hash_key(
                    "WALLET",
                    &b64(r#"{"id":"","updatedAt":"2025-01-01T00:00:00Z"}"#),
                ),
                Some(""),
                Some("2025-01-01T00:00:00Z"),
            ),
        ),
    ];
    for (name, description, (body, headers, expect)) in key_cases {
        g.case(
            name,
            description,
            keys1.clone(),
            none.clone(),
            &body,
            headers,
            expect,
        );
    }
    // The hash fallback cannot be imitated by an id "sha256" whose updatedAt is the hex digest
    // (the old form gave both "sha256:<hex>").
    let hashed = b64(r#"{"id":"h-1","status":"X"}"#);
    let digest = hex::encode(Sha256::digest(&hashed));
    let imitation = format!(r#"{{"id":"sha256","updatedAt":"{digest}"}}"#);
    let s_hashed = g.primary.sign(&hashed);
    g.case(
        "idempotency_hash_fallback",
        "No updatedAt: the key is the payload hash, with one '/' (next case: an imitation).",
        keys1.clone(),
        none.clone(),
        &envelope(Some("WALLET"), Some(TS), &hashed),
        sig_headers(&s_hashed),
        Expect::Ok {
            domain: "WALLET",
            key: format!("WALLET/sha256:{digest}"),
            id: Some("h-1"),
            updated: None,
            status: Some("X"),
            timestamp: Some(TS),
            fingerprint: fp1.clone(),
        },
    );
    let p_imitation = b64(&imitation);
    let s_imitation = g.primary.sign(&p_imitation);
    g.case(
        "idempotency_id_sha256",
        "id \"sha256\" and updatedAt the previous case's digest: a field key, two '/'.",
        keys1.clone(),
        none.clone(),
        &envelope(Some("WALLET"), Some(TS), &p_imitation),
        sig_headers(&s_imitation),
        Expect::Ok {
            domain: "WALLET",
            key: format!("WALLET/sha256/{digest}"),
            id: Some("sha256"),
            updated: Some(Box::leak(digest.clone().into_boxed_str())),
            status: None,
            timestamp: Some(TS),
            fingerprint: fp1.clone(),
        },
    );
    // A captured delivery replayed with its domain changed or removed still verifies (the
    // domain is not signed), but under a key of its own.
    let genuine =
        b64(r#"{"id":"w-swap","updatedAt":"2025-01-01T00:00:00Z","status":"PROVISIONED"}"#);
    let s_genuine = g.primary.sign(&genuine);
    for (name, description, domain, key) in [
        (
            "idempotency_domain_swap_genuine",
            "The genuine WALLET delivery of the next two cases.",
            Some("WALLET"),
            "WALLET/w-swap/2025-01-01T00:00:00Z",
        ),
        (
            "idempotency_domain_swap_relabelled",
            "The same signed payload replayed as APPROVAL: it verifies, under another key.",
            Some("APPROVAL"),
            "APPROVAL/w-swap/2025-01-01T00:00:00Z",
        ),
        (
            "idempotency_domain_swap_removed",
            "The same signed payload replayed without a domain: an empty first component.",
            None,
            "/w-swap/2025-01-01T00:00:00Z",
        ),
    ] {
        g.case(
            name,
            description,
            keys1.clone(),
            none.clone(),
            &envelope(domain, Some(TS), &genuine),
            sig_headers(&s_genuine),
            Expect::Ok {
                domain: domain.unwrap_or(""),
                key: key.to_string(),
                id: Some("w-swap"),
                updated: Some("2025-01-01T00:00:00Z"),
                status: Some("PROVISIONED"),
                timestamp: Some(TS),
                fingerprint: fp1.clone(),
            },
        );
    }
    let d = delivery(
        &g.primary,
        "TRANSACTION",
        r#"{"id":"t-2","updatedAt":"2025-05-08T14:15:36Z","status":"TELEPORTED","action":"NEW_ACTION","blockchain":"MARS"}"#,
    );
    g.case(
        "unknown_enum_values_kept",
        "Enum values the SDK does not know are kept as strings.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&d.signature),
        ok(
            "TRANSACTION",
            "t-2",
            "2025-05-08T14:15:36Z",
            Some("TELEPORTED"),
            &fp1,
        ),
    );

    // ---- header casing and signature encodings -------------------------------------------------
    let d = delivery(&g.primary, "TRANSACTION", tx);
    for (name, header) in [
        ("header_lowercase", "signature"),
        ("header_uppercase", "SIGNATURE"),
        ("header_mixed_case", "sIgNaTuRe"),
    ] {
        g.case(
            name,
            "The Signature header is found case-insensitively.",
            keys1.clone(),
            none.clone(),
            &d.body,
            vec![
                ("content-type", "application/json".into()),
                (header, d.signature.clone()),
            ],
            tx_ok(&fp1),
        );
    }
    g.case(
        "signature_without_padding",
        "Base64 padding on the signature is optional.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(d.signature.trim_end_matches('=')),
        tx_ok(&fp1),
    );
    g.case(
        "signature_with_whitespace",
        "Surrounding whitespace in the header value is ignored.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&format!("  {} ", d.signature)),
        tx_ok(&fp1),
    );
    let der = STANDARD.decode(&d.signature).unwrap();
    let parsed = Signature::from_der(&der).unwrap();
    let (r, s) = parsed.split_scalars();
    let high_s = Signature::from_scalars(r.to_bytes(), (-*s.as_ref()).to_bytes()).unwrap();
    let (low, high) = if parsed.normalize_s().is_none() {
        (parsed, high_s)
    } else {
        (high_s, parsed)
    };
    let _ = low;
    g.case(
        "high_s_accepted",
        "A high-S signature (s > n/2) verifies: P-256 signers do not normalise S.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&STANDARD.encode(high.to_der().as_bytes())),
        tx_ok(&fp1),
    );

    // ---- key formats and rotation ---------------------------------------------------------------
    let pk = g.primary.public_key();
    let vk = pk.verifying_key();
    use p256::pkcs8::EncodePublicKey;
    let formats = [
        (
            "key_pem",
            vk.to_public_key_pem(p256::pkcs8::LineEnding::LF).unwrap(),
        ),
        (
            "key_sec1_hex_uncompressed",
            hex::encode(vk.to_encoded_point(false).as_bytes()),
        ),
        (
            "key_sec1_hex_compressed",
            hex::encode(vk.to_encoded_point(true).as_bytes()),
        ),
        (
            "key_sec1_base64_uncompressed",
            STANDARD.encode(vk.to_encoded_point(false).as_bytes()),
        ),
        (
            "key_spki_with_line_breaks",
            pk.to_spki_b64()
                .as_bytes()
                .chunks(24)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\r\n "),
        ),
    ];
    for (name, key) in formats {
        g.case(
            name,
            "Accepted key format; the fingerprint is the same whatever the format.",
            vec![key],
            none.clone(),
            &d.body,
            sig_headers(&d.signature),
            tx_ok(&fp1),
        );
    }
    g.case(
        "rotation_new_key_second",
        "Rotation: two keys, the delivery is signed by the second.",
        vec![g.secondary.public_key_b64(), g.primary.public_key_b64()],
        none.clone(),
        &d.body,
        sig_headers(&d.signature),
        tx_ok(&fp1),
    );
    let d2 = delivery(&g.secondary, "TRANSACTION", tx);
    g.case(
        "rotation_records_verifying_key",
        "Rotation: the event records which key verified it.",
        vec![g.primary.public_key_b64(), g.secondary.public_key_b64()],
        none.clone(),
        &d2.body,
        sig_headers(&d2.signature),
        tx_ok(&fp2),
    );

    // ---- digest modes -------------------------------------------------------------------------
    let dd = g
        .primary
        .delivery_with(
            "TRANSACTION",
            tx,
            &DeliveryOptions::default()
                .timestamp(Some(TS))
                .digest(Digest::Sha256Double),
        )
        .unwrap();
    g.case(
        "digest_double_when_configured",
        "digest=sha256-double verifies a SHA-256(SHA-256(payload)) signature.",
        keys1.clone(),
        json!({"digest": "sha256-double"}),
        &dd.body,
        sig_headers(&dd.signature),
        tx_ok(&fp1),
    );
    g.case(
        "digest_double_refused_by_default",
        "The default digest never accepts the double-hash construction.",
        keys1.clone(),
        none.clone(),
        &dd.body,
        sig_headers(&dd.signature),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );
    g.case(
        "digest_single_refused_when_double_configured",
        "Never both: with sha256-double, a standard signature fails.",
        keys1.clone(),
        json!({"digest": "sha256-double"}),
        &d.body,
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );

    // ---- freshness ------------------------------------------------------------------------------
    g.case(
        "max_age_fresh_enough",
        "max_age on the signed updatedAt: within the limit.",
        keys1.clone(),
        json!({"max_age_seconds": 3_153_600_000u64}),
        &d.body,
        sig_headers(&d.signature),
        tx_ok(&fp1),
    );
    g.case(
        "max_age_stale",
        "max_age on the signed updatedAt: a 2025 event is older than one day.",
        keys1.clone(),
        json!({"max_age_seconds": 86_400}),
        &d.body,
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_STALE_EVENT"),
    );
    let dn = delivery(&g.primary, "TRANSACTION", r#"{"id":"t-3"}"#);
    g.case(
        "max_age_without_updated_at",
        "With max_age set, a payload without updatedAt cannot be judged: refused.",
        keys1.clone(),
        json!({"max_age_seconds": 86_400}),
        &dn.body,
        sig_headers(&dn.signature),
        Expect::Err("verify", "ERR_STALE_EVENT"),
    );

    // ---- tampering ------------------------------------------------------------------------------
    let tampered_payload = b64(&tx.replace("0.000000000000000001", "1000"));
    g.case(
        "tampered_payload",
        "The payload was changed after signing.",
        keys1.clone(),
        none.clone(),
        &envelope(Some("TRANSACTION"), Some(TS), &tampered_payload),
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );
    let mut der_flip = der.clone();
    let last = der_flip.len() - 1;
    der_flip[last] ^= 0x01;
    g.case(
        "tampered_signature",
        "One bit of s flipped (still valid DER).",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&STANDARD.encode(&der_flip)),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );
    let d3 = delivery(&g.other, "TRANSACTION", tx);
    g.case(
        "signed_by_another_key",
        "A delivery signed by a key that is not configured.",
        keys1.clone(),
        none.clone(),
        &d3.body,
        sig_headers(&d3.signature),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );
    g.case("domain_swapped_is_unsigned", "domain is not signed: it picks the model and namespaces the key. A TRANSACTION payload relabelled WALLET still verifies (and fits the WALLET model, since only id is required), under a key of its own: the genuine TRANSACTION delivery's key stays free.",
        keys1.clone(), none.clone(), &envelope(Some("WALLET"), Some(TS), &d.payload), sig_headers(&d.signature),
        Expect::Ok { domain: "WALLET", key: "WALLET/0196153b-aaaa-7cd3-b511-354373d28130/2025-05-08T14:15:36.900490Z".into(), id: Some("0196153b-aaaa-7cd3-b511-354373d28130"), updated: Some("2025-05-08T14:15:36.900490Z"), status: Some("CONFIRMED"), timestamp: Some(TS), fingerprint: fp1.clone() });
    let over_json = g.primary.sign(tx);
    g.case(
        "signature_over_decoded_json",
        "Signed the decoded JSON instead of the payload string.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&over_json),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );
    let over_body = g.primary.sign(std::str::from_utf8(&d.body).unwrap());
    g.case(
        "signature_over_whole_body",
        "Signed the whole body instead of the payload string.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&over_body),
        Expect::Err("verify", "ERR_INVALID_SIGNATURE"),
    );

    // ---- malformed signatures ---------------------------------------------------------------------
    g.case(
        "missing_signature_header",
        "No Signature header at all.",
        keys1.clone(),
        none.clone(),
        &d.body,
        vec![("Content-Type", "application/json".into())],
        Expect::Err("verify", "ERR_MISSING_SIGNATURE"),
    );
    g.case(
        "empty_signature_header",
        "An empty Signature header.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(""),
        Expect::Err("verify", "ERR_MISSING_SIGNATURE"),
    );
    g.case(
        "signature_raw_p1363",
        "A 64-byte raw r||s signature is refused as malformed (not DER).",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&STANDARD.encode(parsed.to_bytes())),
        Expect::Err("verify", "ERR_MALFORMED_SIGNATURE"),
    );
    g.case(
        "signature_not_base64",
        "The header is not base64.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers("not base64!"),
        Expect::Err("verify", "ERR_MALFORMED_SIGNATURE"),
    );
    // Find a signature whose base64 has '+' or '/', so the URL-safe form differs.
    let mut n = 0;
    let (url_body, url_sig) = loop {
        let dd = delivery(
            &g.primary,
            "WALLET",
            &format!(r#"{{"id":"w-{n}","updatedAt":"2025-01-01T00:00:00Z"}}"#),
        );
        if dd.signature.contains('+') || dd.signature.contains('/') {
            break (
                dd.body,
                URL_SAFE.encode(STANDARD.decode(&dd.signature).unwrap()),
            );
        }
        n += 1;
    };
    g.case(
        "signature_url_safe_base64",
        "URL-safe base64 ('-', '_') is not what Palisade sends.",
        keys1.clone(),
        none.clone(),
        &url_body,
        sig_headers(&url_sig),
        Expect::Err("verify", "ERR_MALFORMED_SIGNATURE"),
    );
    let mut trailing = der.clone();
    trailing.push(0);
    g.case(
        "signature_der_trailing_bytes",
        "Bytes after the DER SEQUENCE.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&STANDARD.encode(&trailing)),
        Expect::Err("verify", "ERR_MALFORMED_SIGNATURE"),
    );
    let mut ber = vec![0x30, 0x81, der[1]];
    ber.extend_from_slice(&der[2..]);
    g.case(
        "signature_ber_long_form_length",
        "BER long-form length: not strict DER.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&STANDARD.encode(&ber)),
        Expect::Err("verify", "ERR_MALFORMED_SIGNATURE"),
    );
    g.case(
        "signature_oversized_header",
        "A huge header value is refused before decoding.",
        keys1.clone(),
        none.clone(),
        &d.body,
        sig_headers(&"A".repeat(10_000)),
        Expect::Err("verify", "ERR_MALFORMED_SIGNATURE"),
    );

    // ---- body and envelope ------------------------------------------------------------------------
    g.case(
        "body_too_large",
        "The body is larger than max_body_bytes (checked first).",
        keys1.clone(),
        json!({"max_body_bytes": 100}),
        &d.body,
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_BODY_TOO_LARGE"),
    );
    g.case(
        "body_too_large_beats_missing_signature",
        "Size is checked before the header.",
        keys1.clone(),
        json!({"max_body_bytes": 10}),
        &d.body,
        vec![],
        Expect::Err("verify", "ERR_BODY_TOO_LARGE"),
    );
    g.case(
        "missing_signature_beats_bad_envelope",
        "The header is checked before the envelope.",
        keys1.clone(),
        none.clone(),
        b"not json",
        vec![],
        Expect::Err("verify", "ERR_MISSING_SIGNATURE"),
    );
    g.case(
        "body_not_json",
        "The body is not JSON.",
        keys1.clone(),
        none.clone(),
        b"payload=abc",
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "body_empty",
        "An empty body.",
        keys1.clone(),
        none.clone(),
        b"",
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "body_not_utf8",
        "Invalid UTF-8 in the body.",
        keys1.clone(),
        none.clone(),
        b"{\"payload\":\"\xff\xfe\"}",
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "envelope_is_array",
        "The body is JSON but not an object.",
        keys1.clone(),
        none.clone(),
        format!(r#"["{}"]"#, d.payload).as_bytes(),
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "envelope_duplicate_payload",
        "Two payload keys: refused, so no two parsers can disagree on which was verified.",
        keys1.clone(),
        none.clone(),
        format!(
            r#"{{"domain":"TRANSACTION","payload":"{}","payload":"{}"}}"#,
            d.payload, tampered_payload
        )
        .as_bytes(),
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "envelope_duplicate_domain",
        "Duplicate keys are refused for every field.",
        keys1.clone(),
        none.clone(),
        format!(
            r#"{{"domain":"TRANSACTION","domain":"WALLET","payload":"{}"}}"#,
            d.payload
        )
        .as_bytes(),
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "envelope_payload_not_string",
        "payload must be a string.",
        keys1.clone(),
        none.clone(),
        br#"{"domain":"TRANSACTION","payload":{"id":"x"}}"#,
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "envelope_without_payload",
        "No payload field.",
        keys1.clone(),
        none.clone(),
        br#"{"domain":"TRANSACTION","timestamp":"2025-05-08T14:15:37Z"}"#,
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    g.case(
        "envelope_trailing_garbage",
        "Data after the JSON object.",
        keys1.clone(),
        none.clone(),
        format!("{}x", std::str::from_utf8(&d.body).unwrap()).as_bytes(),
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );
    let deep = format!("{}{}", "{\"a\":".repeat(5000), "}".repeat(5000));
    g.case(
        "envelope_hostile_nesting",
        "Deeply nested JSON is refused without exhausting the stack.",
        keys1.clone(),
        none.clone(),
        deep.as_bytes(),
        sig_headers(&d.signature),
        Expect::Err("verify", "ERR_MALFORMED_ENVELOPE"),
    );

    // ---- malformed payloads (validly signed) -------------------------------------------------------
    let signed = |g: &Gen, payload: &str| {
        (
            envelope(Some("TRANSACTION"), Some(TS), payload),
            g.primary.sign(payload),
        )
    };
    for (name, description, payload) in [
        (
            "payload_not_base64",
            "A signed payload that is not base64.",
            "!!not-base64!!".to_string(),
        ),
        (
            "payload_not_json",
            "Base64 of text that is not JSON.",
            b64("hello"),
        ),
        (
            "payload_json_array",
            "Base64 of a JSON array, not an object.",
            b64("[1,2,3]"),
        ),
        (
            "payload_missing_id",
            "A TRANSACTION without id does not fit its model.",
            b64(r#"{"status":"SIGNED"}"#),
        ),
        (
            "payload_wrong_field_type",
            "A typed field with the wrong JSON type.",
            b64(r#"{"id":"t","signOnly":"yes"}"#),
        ),
        (
            "payload_nested_too_deep",
            "A payload nested deeper than 64 levels.",
            b64(&format!(
                r#"{{"id":"t","x":{}{}}}"#,
                "[".repeat(100),
                "]".repeat(100)
            )),
        ),
        (
            "payload_not_utf8",
            "Base64 of bytes that are not UTF-8.",
            STANDARD.encode([0x7b, 0xff, 0x7d]),
        ),
    ] {
        let (body, sig) = signed(&g, &payload);
        g.case(
            name,
            description,
            keys1.clone(),
            none.clone(),
            &body,
            sig_headers(&sig),
            Expect::Err("verify", "ERR_MALFORMED_PAYLOAD"),
        );
    }

    // ---- keys refused when the verifier is built ----------------------------------------------------
    let secp256k1 = "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEeb5mfvncu6xVoGKVzocLBwKb/NstzijZWfKBWxb4F5hIOtp3JqPEZV2k+/wOEQio/Re0SKaFVBmcR9CP+xDUuA==";
    let rsa = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQAB";
    let mut off_curve = vk.to_encoded_point(false).as_bytes().to_vec();
    off_curve[64] ^= 1;
    let mut spki_off = pk.spki_der().to_vec();
    let n = spki_off.len();
    spki_off[n - 1] ^= 1;
    for (name, description, keys) in [
        (
            "key_not_base64",
            "Garbage instead of a key.",
            vec!["this is not a key".to_string()],
        ),
        (
            "key_secp256k1",
            "A secp256k1 key (the wallet curve, not the webhook curve).",
            vec![secp256k1.to_string()],
        ),
        ("key_rsa", "An RSA key.", vec![rsa.to_string()]),
        (
            "key_point_off_curve_sec1",
            "A SEC1 point that is not on P-256.",
            vec![hex::encode(&off_curve)],
        ),
        (
            "key_point_off_curve_spki",
            "An SPKI whose point is not on P-256.",
            vec![STANDARD.encode(&spki_off)],
        ),
        (
            "key_truncated",
            "A truncated SPKI.",
            vec![pk.to_spki_b64()[..60].to_string()],
        ),
        ("key_list_empty", "No key at all.", vec![]),
        (
            "key_rotation_one_bad",
            "One bad key in a rotation list fails construction.",
            vec![g.primary.public_key_b64(), "garbage!".to_string()],
        ),
    ] {
        g.case(
            name,
            description,
            keys,
            none.clone(),
            &d.body,
            sig_headers(&d.signature),
            Expect::Err("construct", "ERR_INVALID_PUBLIC_KEY"),
        );
    }

    // ---- keys whose point uses an encoding Palisade never uses, or with bytes after the key -----------
    // (refused when the verifier is built: a lenient decoder would pick a point that verifies
    // nothing). This block only appends cases; it changes none of the cases above.
    {
        let point = vk.to_encoded_point(false);
        let (x, y) = (point.x().unwrap().to_vec(), point.y().unwrap().to_vec());
        let compact = [&[0x05][..], &x].concat();
        let hybrid = [&[0x06 | (y[31] & 1)][..], &x, &y].concat();
        let p_field =
            hex::decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
                .unwrap();
        let x_not_below_p = [&[0x02][..], &p_field].concat();
        let trailing = [pk.spki_der(), &[0x00][..]].concat();
        for (name, description, key) in [
            (
                "key_spki_compact_point",
                "An SPKI whose point uses the compact SEC1 encoding (05 || x).",
                STANDARD.encode(spki_with_point(&compact)),
            ),
            (
                "key_spki_hybrid_point",
                "An SPKI whose point uses the hybrid SEC1 encoding (06/07 || x || y).",
                STANDARD.encode(spki_with_point(&hybrid)),
            ),
            (
                "key_sec1_compact_point",
                "A bare compact SEC1 point (05 || x), as hex.",
                hex::encode(&compact),
            ),
            (
                "key_spki_trailing_bytes",
                "A valid SPKI followed by one extra byte.",
                STANDARD.encode(&trailing),
            ),
            (
                "key_sec1_compressed_x_not_below_p",
                "A compressed SEC1 point whose x is the field prime p (not a valid encoding).",
                hex::encode(&x_not_below_p),
            ),
            (
                "key_spki_compressed_x_not_below_p",
                "An SPKI whose compressed point has x = p.",
                STANDARD.encode(spki_with_point(&x_not_below_p)),
            ),
        ] {
            g.case(
                name,
                description,
                vec![key],
                none.clone(),
                &d.body,
                sig_headers(&d.signature),
                Expect::Err("construct", "ERR_INVALID_PUBLIC_KEY"),
            );
        }
    }

    // ---- the documentation's function ----------------------------------------------------------------
    let doc = |pk: &str, sig: &str, payload: &str, valid: bool, name: &str| json!({"name": name, "public_key": pk, "signature": sig, "payload": payload, "expect": valid});
    let verify_webhook_cases = vec![
        doc(
            &g.primary.public_key_b64(),
            &d.signature,
            &d.payload,
            true,
            "valid",
        ),
        doc(
            &g.primary.public_key_b64(),
            &d.signature,
            &tampered_payload,
            false,
            "tampered_payload",
        ),
        doc(
            &g.other.public_key_b64(),
            &d.signature,
            &d.payload,
            false,
            "wrong_key",
        ),
        doc("garbage", &d.signature, &d.payload, false, "garbage_key"),
        doc(
            &g.primary.public_key_b64(),
            &STANDARD.encode(parsed.to_bytes()),
            &d.payload,
            false,
            "raw_signature",
        ),
        doc(
            &g.primary.public_key_b64(),
            "",
            &d.payload,
            false,
            "empty_signature",
        ),
        doc(
            &g.primary.public_key_b64(),
            &dd.signature,
            &dd.payload,
            false,
            "double_hash_signature",
        ),
    ];

    let out = json!({
        "description": "Conformance vectors for palisade-webhooks. Every language's suite builds a Webhook from `keys` and `options`, calls verify(body, headers) and checks `expect` (outcome, error code and, for successes, the event fields). Generated by core/examples/generate_vectors.rs; do not edit by hand.",
        "version": 2,
        "keys": {
            "primary": {"public_key": g.primary.public_key_b64(), "private_key_hex": g.primary.private_key_hex(), "fingerprint": fp1},
            "secondary": {"public_key": g.secondary.public_key_b64(), "private_key_hex": g.secondary.private_key_hex(), "fingerprint": fp2},
            "other": {"public_key": g.other.public_key_b64(), "private_key_hex": g.other.private_key_hex(), "fingerprint": g.fp(&g.other.clone())},
        },
        "cases": g.cases,
        "verify_webhook_cases": verify_webhook_cases,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
