//! Property tests of the idempotency key: it is injective over (domain, id, updatedAt), or over
//! (domain, payload) for the hash fallback, and every key is well formed.
//!
//! Injectivity is shown two ways: every key decodes back to exactly the inputs it was built from
//! (a left inverse exists, so no two inputs can share a key), and pairs of inputs built to be
//! near-collisions (components moved across the separator, the domain changed, an id imitating
//! the hash form) get equal keys exactly when their inputs are equal.

use palisade_webhooks::testing::{DeliveryOptions, TestSigner};
use palisade_webhooks::{idempotency_key, payload_hash_key, Webhook, WebhookOptions};
use proptest::prelude::*;
use sha2::{Digest as _, Sha256};

mod proptest_common;
use proptest_common::config;

/// Text that stresses the encoding: the separator, the escape character, things that look like
/// escapes, the old separator, the hash prefix, control characters (C0, DEL, C1) and other
/// non-ASCII text; or any string at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(
            prop_oneof![
                Just("/".to_string()),
                Just("%".to_string()),
                Just("%2F".to_string()),
                Just("%25".to_string()),
                Just(":".to_string()),
                Just("sha256".to_string()),
                Just("sha256:".to_string()),
                "[a-f0-9]{1,4}",
                "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}]",
                "[é日\\u{2028}\\u{feff}\\u{1f600}]",
            ],
            0..6,
        )
        .prop_map(|parts| parts.concat()),
        1 => any::<String>(),
    ]
}

/// What a key stands for: the domain, and either `Ok((id, updatedAt))` (the field form) or
/// `Err(payload or its hex digest)` (the hash form).
type Identity = (String, Result<(String, String), String>);

/// An input to the key: the envelope's domain, the payload's `id` and `updatedAt` (absent or
/// empty ones make the key fall back to the payload hash) and the payload string.
#[derive(Debug, Clone)]
struct Input {
    domain: String,
    id: Option<String>,
    updated_at: Option<String>,
    payload: String,
}

impl Input {
    fn key(&self) -> String {
        idempotency_key(
            &self.domain,
            self.id.as_deref(),
            self.updated_at.as_deref(),
            &self.payload,
        )
    }

    /// What the key is documented to depend on, and nothing else.
    fn identity(&self) -> Identity {
        let fields = match (self.id.as_deref(), self.updated_at.as_deref()) {
            (Some(id), Some(u)) if !id.is_empty() && !u.is_empty() => {
                Ok((id.to_string(), u.to_string()))
            }
            _ => Err(self.payload.clone()),
        };
        (self.domain.clone(), fields)
    }
}

fn input() -> impl Strategy<Value = Input> {
    (
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        text(),
    )
        .prop_map(|(domain, id, updated_at, payload)| Input {
            domain,
            id,
            updated_at,
            payload,
        })
}

/// A second input close to the first: one that would collide under a careless encoding.
fn near(a: Input) -> impl Strategy<Value = Input> {
    let joined = |x: &Option<String>, y: &Option<String>| {
        format!(
            "{}{}",
            x.clone().unwrap_or_default(),
            y.clone().unwrap_or_default()
        )
    };
    let (d, i, u) = (a.domain.clone(), a.id.clone(), a.updated_at.clone());
    let all = format!(
        "{d}/{}/{}",
        i.clone().unwrap_or_default(),
        u.clone().unwrap_or_default()
    );
    let hex = hex::encode(Sha256::digest(a.payload.as_bytes()));
    prop_oneof![
        // Equal inputs (the key is a function), and an unrelated one.
        Just(a.clone()),
        input(),
        // A different domain, the same signed content.
        text().prop_map({
            let a = a.clone();
            move |domain| Input {
                domain,
                ..a.clone()
            }
        }),
        // The same characters split differently between id and updatedAt, or moved into the
        // domain.
        (0..=joined(&i, &u).chars().count()).prop_map({
            let (a, all) = (a.clone(), joined(&i, &u));
            move |cut| {
                let (x, y) = split_at_char(&all, cut);
                Input {
                    id: Some(x),
                    updated_at: Some(y),
                    ..a.clone()
                }
            }
        }),
        (0..=all.chars().count()).prop_map({
            let (a, all) = (a.clone(), all.clone());
            move |cut| {
                let (x, y) = split_at_char(&all, cut);
                Input {
                    domain: x,
                    id: Some(y),
                    updated_at: Some("u".into()),
                    ..a.clone()
                }
            }
        }),
        // An id and updatedAt imitating the hash fallback of the first input.
        Just(Input {
            id: Some("sha256".into()),
            updated_at: Some(hex.clone()),
            ..a.clone()
        }),
        Just(Input {
            domain: format!("{d}/sha256:{hex}"),
            ..a.clone()
        }),
        // Components spelled as their own escapes ("a/b" against "a%2Fb").
        Just(Input {
            domain: d.replace('/', "%2F"),
            id: i
                .as_ref()
                .map(|i| i.replace('/', "%2F").replace('\n', "%0A")),
            ..a.clone()
        }),
        // The same fields with another payload (the key ignores it unless it falls back).
        text().prop_map(move |payload| Input {
            payload,
            ..a.clone()
        }),
    ]
}

fn split_at_char(s: &str, chars: usize) -> (String, String) {
    let at = s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i);
    (s[..at].to_string(), s[at..].to_string())
}

/// Decodes one key component, checking it is in canonical form: no '/', no control character,
/// and a '%' only as `%XX` (uppercase hex) standing for a byte that had to be encoded.
fn decode_component(part: &str) -> Result<String, String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = part
                    .get(i + 1..i + 3)
                    .ok_or("a '%' without two hex digits")?;
                if !hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
                {
                    return Err(format!("'%{hex}' is not uppercase hex"));
                }
                out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
                i += 3;
            }
            b'/' => return Err("a raw '/' inside a component".into()),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(out).map_err(|_| "the escapes are not UTF-8".to_string())?;
    if part.chars().any(char::is_control) {
        return Err("a raw control character".into());
    }
    // Canonical: re-encoding gives the same text, so each input has exactly one spelling.
    if text.is_empty() {
        return Ok(text);
    }
    let again = idempotency_key("", Some(&text), Some("u"), "");
    if again != format!("/{part}/u") {
        return Err(format!("not canonical: {part:?} re-encodes as {again:?}"));
    }
    Ok(text)
}

/// Parses a key back into what it was built from: `(domain, Ok((id, updatedAt)))` for the
/// field form, `(domain, Err(hex digest))` for the hash form.
fn decode_key(key: &str) -> Result<Identity, String> {
    let parts: Vec<&str> = key.split('/').collect();
    match parts.as_slice() {
        [d, i, u] => {
            let (id, updated) = (decode_component(i)?, decode_component(u)?);
            if id.is_empty() || updated.is_empty() {
                return Err("an empty id or updatedAt in the field form".into());
            }
            Ok((decode_component(d)?, Ok((id, updated))))
        }
        [d, hash] => {
            let hex = hash
                .strip_prefix("sha256:")
                .ok_or("two parts but no sha256: prefix")?;
            if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return Err(format!("not 64 lowercase hex digits: {hex:?}"));
            }
            Ok((decode_component(d)?, Err(hex.to_string())))
        }
        _ => Err(format!("{} '/'-separated parts", parts.len())),
    }
}

proptest! {
    #![proptest_config(config(2000))]

    /// Every key is well formed and decodes back to its inputs.
    #[test]
    fn keys_decode_back_to_their_inputs(a in input()) {
        let key = a.key();
        let decoded = decode_key(&key).map_err(|e| TestCaseError::fail(format!("{key:?}: {e}")))?;
        let (domain, fields) = a.identity();
        prop_assert_eq!(&decoded.0, &domain);
        match (decoded.1, fields) {
            (Ok(got), Ok(want)) => prop_assert_eq!(got, want),
            (Err(hex), Err(payload)) => {
                prop_assert_eq!(&hex, &hex::encode(Sha256::digest(payload.as_bytes())));
                prop_assert_eq!(&key, &payload_hash_key(&domain, &payload));
            }
            (got, want) => prop_assert!(false, "{key:?}: decoded {got:?}, built from {want:?}"),
        }
    }

    /// Distinct inputs give distinct keys, equal inputs equal keys, for pairs built to be as
    /// close to a collision as possible.
    #[test]
    fn distinct_inputs_give_distinct_keys((a, b) in input().prop_flat_map(|a| (Just(a.clone()), near(a)))) {
        let (ka, kb) = (a.key(), b.key());
        prop_assert_eq!(
            ka == kb,
            a.identity() == b.identity(),
            "{:?} -> {:?}\n{:?} -> {:?}", a, ka, b, kb
        );
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// Through a real verification: the event's key is the documented function of the
    /// envelope's domain, the signed id and updatedAt, and the payload string.
    #[test]
    fn verified_events_carry_the_documented_key(
        domain in proptest::option::of(text()),
        id in proptest::option::of(text()),
        updated_at in proptest::option::of(text()),
    ) {
        let signer = TestSigner::from_seed(11);
        let webhook = Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default()).unwrap();
        let mut resource = serde_json::json!({"status": "X"});
        if let Some(id) = &id {
            resource["id"] = id.clone().into();
        }
        if let Some(u) = &updated_at {
            resource["updatedAt"] = u.clone().into();
        }
        // An unknown domain parses any object; the typed domains need an id.
        let domain = domain.map(|d| format!("X-{d}"));
        let delivery = signer
            .delivery_with("", &resource.to_string(), &DeliveryOptions::default())
            .unwrap();
        let mut envelope: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
        match &domain {
            Some(d) => envelope["domain"] = d.clone().into(),
            None => {
                envelope.as_object_mut().unwrap().remove("domain");
            }
        }
        let body = serde_json::to_vec(&envelope).unwrap();
        let event = webhook.verify(&body, &delivery.headers).unwrap();
        let domain = domain.unwrap_or_default();
        prop_assert_eq!(
            &event.idempotency_key,
            &idempotency_key(&domain, id.as_deref(), updated_at.as_deref(), &delivery.payload)
        );
        let (got_domain, fields) = decode_key(&event.idempotency_key).map_err(TestCaseError::fail)?;
        prop_assert_eq!(got_domain, domain);
        if let Ok((got_id, got_updated)) = fields {
            prop_assert_eq!(Some(got_id), id);
            prop_assert_eq!(Some(got_updated), updated_at);
        }
    }
}
