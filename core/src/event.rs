//! The verified event handed to the receiver, and how it is built from a verified payload.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use crate::encoding::decode_b64;
use crate::envelope::describe_json_error;
use crate::error::{err, Result};
use crate::resources::{Approval, CommonFields, Resource, Transaction, Wallet};

/// Deepest JSON nesting accepted in a payload. Palisade resources are a few levels deep; the bound
/// keeps every language's JSON decoder (some recursive) safe when the raw payload is re-parsed.
pub const MAX_PAYLOAD_DEPTH: usize = 64;

/// The envelope's `domain`: which kind of resource the payload carries.
///
/// It is **not signed**: it selects the model the payload is parsed with, and namespaces the
/// idempotency key (so a replay relabelled with another domain is a different key), nothing
/// more. A handler that acts on a resource should check it is the kind it expects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Domain {
    /// `"TRANSACTION"`
    Transaction,
    /// `"WALLET"`
    Wallet,
    /// `"APPROVAL"`
    Approval,
    /// Any other value (an empty string when the envelope had no `domain`).
    Unknown(String),
}

impl Domain {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Domain::Transaction => "TRANSACTION",
            Domain::Wallet => "WALLET",
            Domain::Approval => "APPROVAL",
            Domain::Unknown(s) => s,
        }
    }
}

impl From<&str> for Domain {
    fn from(s: &str) -> Self {
        match s {
            "TRANSACTION" => Domain::Transaction,
            "WALLET" => Domain::Wallet,
            "APPROVAL" => Domain::Approval,
            other => Domain::Unknown(other.to_string()),
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verified delivery.
///
/// Everything except `domain` and `timestamp` comes from the signed payload. An `Event`
/// serialises to JSON (and back with [`Event::from_json`]) so a receiver can enqueue it and
/// answer 2xx at once.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event {
    /// The envelope's domain (unsigned routing hint).
    pub domain: Domain,
    /// The envelope's timestamp (unsigned; absent in older deliveries).
    pub timestamp: Option<String>,
    /// `"{domain}/{id}/{updatedAt}"` (`id` and `updatedAt` from the signed payload, each part
    /// percent-encoded for `%`, `/` and control characters), or `"{domain}/sha256:<hex>"` of the
    /// payload string when either is missing or empty: see [`idempotency_key`]. Deduplicate on
    /// this.
    pub idempotency_key: String,
    /// The resource's `id`, when present.
    pub resource_id: Option<String>,
    /// The resource's `updatedAt`, when present.
    pub updated_at: Option<String>,
    /// The resource's `status`, when present.
    pub status: Option<String>,
    /// The typed resource.
    pub data: Resource,
    /// The decoded payload JSON, exactly as signed (`event.raw.get()` is the text).
    pub raw: RawJson,
    /// The signed base64 payload string.
    pub payload: String,
    /// Fingerprint of the key that verified the delivery.
    pub key_fingerprint: String,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.domain == other.domain
            && self.timestamp == other.timestamp
            && self.idempotency_key == other.idempotency_key
            && self.resource_id == other.resource_id
            && self.updated_at == other.updated_at
            && self.status == other.status
            && self.data == other.data
            && self.raw.get() == other.raw.get()
            && self.payload == other.payload
            && self.key_fingerprint == other.key_fingerprint
    }
}

impl Event {
    /// Decodes a payload whose signature has already been verified, and builds the event.
    pub(crate) fn from_verified(
        domain: Option<&str>,
        timestamp: Option<&str>,
        payload: String,
        key_fingerprint: String,
    ) -> Result<Event> {
        let decoded = decode_b64(payload.as_bytes()).map_err(|_| {
            err!(
                MalformedPayload,
                "the payload is not valid base64 (standard alphabet)"
            )
        })?;
        let text = String::from_utf8(decoded)
            .map_err(|_| err!(MalformedPayload, "the decoded payload is not UTF-8 JSON"))?;
        let domain = Domain::from(domain.unwrap_or(""));
        // One typed parse gives the resource, the signed fields the key is built from, and the
        // proof that the text is valid JSON.
        let (data, common, raw) = decode_payload(&domain, text)?;
        let idempotency_key = idempotency_key(
            domain.as_str(),
            common.id.as_deref(),
            common.updated_at.as_deref(),
            &payload,
        );
        Ok(Event {
            domain,
            timestamp: timestamp.map(str::to_string),
            idempotency_key,
            resource_id: common.id,
            updated_at: common.updated_at,
            status: common.status,
            data,
            raw,
            payload,
            key_fingerprint,
        })
    }

    /// The typed transaction, when `domain` is TRANSACTION.
    pub fn transaction(&self) -> Option<&Transaction> {
        match &self.data {
            Resource::Transaction(t) => Some(t),
            _ => None,
        }
    }

    /// The typed wallet, when `domain` is WALLET.
    pub fn wallet(&self) -> Option<&Wallet> {
        match &self.data {
            Resource::Wallet(w) => Some(w),
            _ => None,
        }
    }

    /// The typed approval, when `domain` is APPROVAL.
    pub fn approval(&self) -> Option<&Approval> {
        match &self.data {
            Resource::Approval(a) => Some(a),
            _ => None,
        }
    }

    /// Serialises the event (snake_case keys; `raw` embedded as JSON). Never fails.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Restores an event serialised by [`Event::to_json`] (in any language). The typed resource
    /// is rebuilt from `raw`. This does not re-verify anything: only restore events your own
    /// receiver verified and enqueued.
    pub fn from_json(json: &str) -> Result<Event> {
        serde_json::from_str(json).map_err(|e| {
            err!(
                MalformedPayload,
                "not a serialised event: {}",
                describe_json_error(&e)
            )
        })
    }
}

/// The decoded payload's JSON text, exactly as signed: one JSON object, nested at most
/// [`MAX_PAYLOAD_DEPTH`] levels, validated when the event was built.
///
/// This is the very text the typed resource was parsed from, kept as it is: that parse already
/// proved it valid JSON, so it is not parsed a second time into a `serde_json` `RawValue` on
/// every delivery. [`RawJson::get`] gives the text (as `RawValue::get` does), and
/// [`RawJson::to_raw_value`] the `serde_json` type when one is needed. It serialises as the JSON
/// it holds, embedded verbatim (no digit of a number is changed).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawJson(String);

impl RawJson {
    /// Wraps text already validated as one JSON value, without the whitespace around it (as a
    /// `RawValue` holds it).
    fn from_validated(text: String) -> RawJson {
        let trimmed = text.trim_matches(is_json_whitespace);
        if trimmed.len() == text.len() {
            RawJson(text)
        } else {
            RawJson(trimmed.to_string())
        }
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// The same text as a `serde_json` `RawValue` (validated again, so this costs one parse).
    pub fn to_raw_value(&self) -> Box<RawValue> {
        // Cannot fail: the text was validated when the event was built. The fallback keeps this
        // panic-free anyway.
        RawValue::from_string(self.0.clone()).unwrap_or_default()
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson")
            .field(&format_args!("{}", self.0))
            .finish()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RawJson {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        // Borrowed: validates without copying, then embeds the text verbatim.
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(S::Error::custom)?;
        raw.serialize(s)
    }
}

/// JSON's insignificant whitespace (RFC 8259 §2).
pub(crate) fn is_json_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Decodes a verified payload's JSON text for `domain` with [`Resource::decode`] (the one
/// parse of a delivery's payload), and keeps the text as the event's `raw`.
fn decode_payload(domain: &Domain, text: String) -> Result<(Resource, CommonFields, RawJson)> {
    let (data, common) = Resource::decode(domain, &text)?;
    Ok((data, common, RawJson::from_validated(text)))
}

/// True when brackets nest deeper than `max` (string contents are skipped). Linear, so the
/// bound is checked before any recursive parser sees the text.
pub(crate) fn json_depth_exceeds(bytes: &[u8], max: usize) -> bool {
    // Nesting can only pass `max` if more than `max` brackets open somewhere in the text
    // (strings included). Counting them is a branch-free pass the compiler vectorises, many
    // times cheaper than the exact scan, which then runs only for bracket-heavy payloads.
    if opening_brackets(bytes) <= max {
        return false;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b'"' => {
                // Skip the string: to the closing quote, stepping over escaped characters.
                while i < bytes.len() {
                    let c = bytes[i];
                    i += 1;
                    if c == b'"' {
                        break;
                    }
                    if c == b'\\' {
                        i += 1;
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// How many `{` and `[` bytes `bytes` holds.
fn opening_brackets(bytes: &[u8]) -> usize {
    // `{` (0x7B) and `[` (0x5B) differ only in bit 5. Byte-wide counters over chunks of at most
    // 255 bytes cannot overflow and let the loop run 16 or 32 bytes per instruction.
    bytes
        .chunks(255)
        .map(|chunk| {
            let n = chunk
                .iter()
                .fold(0u8, |n, &b| n + u8::from((b | 0x20) == b'{'));
            usize::from(n)
        })
        .sum()
}

/// The idempotency key of a verified delivery: `"{domain}/{id}/{updatedAt}"` when `id` and
/// `updatedAt` are both non-empty strings in the signed payload, else
/// `"{domain}/sha256:{hex}"` (see [`payload_hash_key`]).
///
/// Each component is percent-encoded for `%`, `/` and control characters (see
/// [`push_key_component`]), so the key splits back into exactly the strings it was built from:
/// distinct `(domain, id, updatedAt)` triples, or distinct payloads, never share a key. The
/// `domain` is the envelope's string as given (`""` when absent). It is not signed, which is
/// why it is part of the key: a replay relabelled with another domain gets a key of its own and
/// cannot take the genuine delivery's.
///
/// ```
/// use palisade_webhooks::idempotency_key;
/// let key = idempotency_key("WALLET", Some("w/1"), Some("2025-04-08T11:48:56Z"), "eyJpZCI6...");
/// assert_eq!(key, "WALLET/w%2F1/2025-04-08T11:48:56Z");
/// assert!(idempotency_key("WALLET", Some("w1"), None, "e30=").starts_with("WALLET/sha256:"));
/// ```
pub fn idempotency_key(
    domain: &str,
    id: Option<&str>,
    updated_at: Option<&str>,
    payload: &str,
) -> String {
    match (id, updated_at) {
        (Some(id), Some(updated)) if !id.is_empty() && !updated.is_empty() => {
            let mut key = String::with_capacity(domain.len() + id.len() + updated.len() + 2);
            push_key_component(&mut key, domain);
            key.push('/');
            push_key_component(&mut key, id);
            key.push('/');
            push_key_component(&mut key, updated);
            key
        }
        _ => payload_hash_key(domain, payload),
    }
}

/// The fallback idempotency key, for payloads without a usable `id` and `updatedAt`:
/// `"{domain}/sha256:"` followed by the lowercase hex SHA-256 of the signed payload string (the
/// base64 text exactly as in the envelope), the domain percent-encoded as in
/// [`idempotency_key`]. It has one `/` where the other form has two, so the forms never meet.
pub fn payload_hash_key(domain: &str, payload: &str) -> String {
    let mut key = String::with_capacity(domain.len() + 8 + 64);
    push_key_component(&mut key, domain);
    key.push_str("/sha256:");
    key.push_str(&hex::encode(Sha256::digest(payload.as_bytes())));
    key
}

/// Appends `component` to a key, percent-encoding `%` (as `%25`), `/` (as `%2F`) and every
/// control character (Unicode category Cc: U+0000 to U+001F and U+007F to U+009F) as `%XX` of
/// each of its UTF-8 bytes, in uppercase hex. Everything else is kept as it is.
///
/// `%` is encoded so that an encoded `/` cannot be confused with a literal `%2F` in the input;
/// `/` because it separates the components; control characters so that a key is safe to print
/// in a log line or to use in a Redis key or a SQL text column.
fn push_key_component(out: &mut String, component: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for c in component.chars() {
        if c == '%' || c == '/' || c.is_control() {
            let mut utf8 = [0u8; 4];
            for &b in c.encode_utf8(&mut utf8).as_bytes() {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xF)] as char);
            }
        } else {
            out.push(c);
        }
    }
}

/// The wire form of an [`Event`]: snake_case keys, the same in every language.
#[derive(Serialize, Deserialize)]
struct EventWire<'a> {
    domain: std::borrow::Cow<'a, str>,
    timestamp: Option<std::borrow::Cow<'a, str>>,
    idempotency_key: std::borrow::Cow<'a, str>,
    resource_id: Option<std::borrow::Cow<'a, str>>,
    updated_at: Option<std::borrow::Cow<'a, str>>,
    status: Option<std::borrow::Cow<'a, str>>,
    payload: std::borrow::Cow<'a, str>,
    key_fingerprint: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    raw: std::borrow::Cow<'a, RawValue>,
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        use std::borrow::Cow::Borrowed;
        // Borrowed: validates without copying; the text is embedded verbatim.
        let raw: &RawValue = serde_json::from_str(self.raw.get()).map_err(S::Error::custom)?;
        EventWire {
            domain: Borrowed(self.domain.as_str()),
            timestamp: self.timestamp.as_deref().map(Borrowed),
            idempotency_key: Borrowed(&self.idempotency_key),
            resource_id: self.resource_id.as_deref().map(Borrowed),
            updated_at: self.updated_at.as_deref().map(Borrowed),
            status: self.status.as_deref().map(Borrowed),
            payload: Borrowed(&self.payload),
            key_fingerprint: Borrowed(&self.key_fingerprint),
            raw: Borrowed(raw),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = EventWire::deserialize(d)?;
        let domain = Domain::from(wire.domain.as_ref());
        let (data, _, raw) =
            decode_payload(&domain, wire.raw.get().to_string()).map_err(D::Error::custom)?;
        Ok(Event {
            domain,
            timestamp: wire.timestamp.map(|c| c.into_owned()),
            idempotency_key: wire.idempotency_key.into_owned(),
            resource_id: wire.resource_id.map(|c| c.into_owned()),
            updated_at: wire.updated_at.map(|c| c.into_owned()),
            status: wire.status.map(|c| c.into_owned()),
            data,
            raw,
            payload: wire.payload.into_owned(),
            key_fingerprint: wire.key_fingerprint.into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode_b64;
    use crate::error::ErrorCode;
    use crate::resources::{from_model, Strictness};

    fn event(domain: &str, json: &str) -> Result<Event> {
        Event::from_verified(Some(domain), None, encode_b64(json.as_bytes()), "fp".into())
    }

    #[test]
    fn idempotency_key_from_signed_fields_or_hash() {
        let e = event(
            "WALLET",
            r#"{"id":"w1","updatedAt":"2025-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(e.idempotency_key, "WALLET/w1/2025-01-01T00:00:00Z");
        let e = event("WALLET", r#"{"id":"w1"}"#).unwrap();
        assert_eq!(e.idempotency_key, payload_hash_key("WALLET", &e.payload));
        let hex = hex::encode(Sha256::digest(e.payload.as_bytes()));
        assert_eq!(e.idempotency_key, format!("WALLET/sha256:{hex}"));
        let e = event("WALLET", r#"{"id":"w1","updatedAt":""}"#).unwrap();
        assert!(e.idempotency_key.starts_with("WALLET/sha256:"));
        let e = event("SOMETHING", r#"{"id":7,"updatedAt":"x"}"#).unwrap();
        assert!(e.idempotency_key.starts_with("SOMETHING/sha256:"));
        assert_eq!(e.resource_id, None);
        assert_eq!(e.data, Resource::Unknown);
        // No domain in the envelope: the domain component is empty.
        let payload = encode_b64(br#"{"id":"a","updatedAt":"b"}"#);
        let e = Event::from_verified(None, None, payload, "fp".into()).unwrap();
        assert_eq!(e.idempotency_key, "/a/b");
    }

    #[test]
    fn key_components_are_percent_encoded() {
        let key = |d: &str, i: &str, u: &str| idempotency_key(d, Some(i), Some(u), "p");
        assert_eq!(key("W", "a/b", "c%d"), "W/a%2Fb/c%25d");
        assert_eq!(key("W", "%2F", "x"), "W/%252F/x");
        assert_eq!(key("a/b", "c", "d"), "a%2Fb/c/d");
        assert_eq!(key("W", "tab\there", "nl\n\u{7f}"), "W/tab%09here/nl%0A%7F");
        // C1 controls are encoded byte by byte; other non-ASCII text is kept.
        assert_eq!(key("W", "\u{85}é", "日本"), "W/%C2%85é/日本");
        // ':' needs no encoding: the separator is '/'.
        assert_eq!(key("W", "a:b", "c"), "W/a:b/c");
        assert_eq!(
            payload_hash_key("a/%", "p")
                .split_once("/sha256:")
                .unwrap()
                .0,
            "a%2F%25"
        );
    }

    #[test]
    fn the_old_collisions_are_gone() {
        let p = "cGF5bG9hZA==";
        // An id containing ':' against the split the old "{id}:{updatedAt}" form could not tell.
        assert_ne!(
            idempotency_key("W", Some("a:2025-01-01T00"), Some("00:00Z"), p),
            idempotency_key("W", Some("a"), Some("2025-01-01T00:00:00Z"), p)
        );
        // Two domains with equal id and updatedAt.
        assert_ne!(
            idempotency_key("TRANSACTION", Some("x"), Some("u"), p),
            idempotency_key("WALLET", Some("x"), Some("u"), p)
        );
        // An id "sha256" against the hash fallback of the same domain.
        let hashed = payload_hash_key("W", p);
        let hex = hashed.strip_prefix("W/sha256:").unwrap();
        assert_ne!(idempotency_key("W", Some("sha256"), Some(hex), p), hashed);
        assert_ne!(
            idempotency_key("W/sha256:", Some(hex), Some("x"), p),
            hashed
        );
        // A domain swapped or removed in a replay.
        let genuine = idempotency_key("WALLET", Some("w"), Some("u"), p);
        assert_ne!(
            idempotency_key("APPROVAL", Some("w"), Some("u"), p),
            genuine
        );
        assert_ne!(idempotency_key("", Some("w"), Some("u"), p), genuine);
        assert_ne!(payload_hash_key("WALLET", p), payload_hash_key("", p));
    }

    #[test]
    fn malformed_payloads() {
        let bad = |json: &str| {
            let e = event("WALLET", json).unwrap_err();
            assert_eq!(e.code(), ErrorCode::MalformedPayload);
            e.message().to_string()
        };
        assert!(bad("[1,2]").contains("not an object"));
        assert!(bad("{").contains("truncated"));
        assert!(bad(r#"{"name":"w"}"#).contains("missing field `id`"));
        let m = bad(r#"{"id":"w","name":"top-secret-name","settings":"secret"}"#);
        assert!(!m.contains("secret"), "{m}");
        let deep = format!(r#"{{"id":"w","x":{}{}}}"#, "[".repeat(65), "]".repeat(65));
        assert!(bad(&deep).contains("deeper than 64"));
        let e = Event::from_verified(Some("WALLET"), None, "!!!".into(), "fp".into()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedPayload);
    }

    #[test]
    fn depth_scan_ignores_brackets_in_strings() {
        let s = format!(r#"{{"a":"{}"}}"#, "[".repeat(100));
        assert!(!json_depth_exceeds(s.as_bytes(), 2));
        assert!(json_depth_exceeds(br#"{"a":[[1]]}"#, 2));
        assert!(!json_depth_exceeds(br#"{"a":"\"[[[[","b":[1]}"#, 2));
    }

    /// The depth scan as first written: one state machine over every byte. The specification
    /// the counting shortcut and the string-skipping loop must agree with.
    fn depth_exceeds_byte_by_byte(bytes: &[u8], max: usize) -> bool {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for &b in bytes {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > max {
                        return true;
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        false
    }

    /// A small deterministic generator (xorshift64*), so the differential tests below need no
    /// seed handling and always cover the same cases.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn depth_scan_matches_the_byte_by_byte_scan() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let alphabet = b"{}[]\"\\a:,";
        for case in 0..20_000 {
            let len = rng.below(if case % 10 == 0 { 2000 } else { 120 });
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            for max in [0, 1, 2, 3, 5, 8, 64] {
                assert_eq!(
                    json_depth_exceeds(&bytes, max),
                    depth_exceeds_byte_by_byte(&bytes, max),
                    "{:?} max {max}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
        for n in [255, 256, 510, 511, 1000] {
            let open = "[".repeat(n);
            assert_eq!(opening_brackets(open.as_bytes()), n);
            assert_eq!(opening_brackets(format!("{open}{{").as_bytes()), n + 1);
        }
    }

    /// How a payload's JSON is checked, one check after the other, as specified: the depth
    /// bound, JSON syntax (as a `RawValue`), an object, then the model (an unknown domain's
    /// common fields read leniently). `decode_payload` must answer exactly this, error
    /// messages included.
    fn step_by_step(domain: &Domain, text: &str) -> Result<(Resource, CommonFields, String)> {
        if depth_exceeds_byte_by_byte(text.as_bytes(), MAX_PAYLOAD_DEPTH) {
            return Err(err!(
                MalformedPayload,
                "the decoded payload nests deeper than {MAX_PAYLOAD_DEPTH} levels"
            ));
        }
        let raw = RawValue::from_string(text.to_string()).map_err(|e| {
            err!(
                MalformedPayload,
                "the decoded payload {}",
                describe_json_error(&e)
            )
        })?;
        if !raw.get().trim_start().starts_with('{') {
            return Err(err!(
                MalformedPayload,
                "the decoded payload is JSON but not an object"
            ));
        }
        let (data, common) = from_model(domain, raw.get(), Strictness::Lenient)?;
        Ok((data, common, raw.get().to_string()))
    }

    fn assert_same_answer(domain: &Domain, text: &str) {
        let got = decode_payload(domain, text.to_string());
        let want = step_by_step(domain, text);
        match (got, want) {
            (Ok((data, common, raw)), Ok((want_data, want_common, want_raw))) => {
                assert_eq!(data, want_data, "{domain} {text:?}");
                assert_eq!(
                    (&common.id, &common.updated_at, &common.status),
                    (
                        &want_common.id,
                        &want_common.updated_at,
                        &want_common.status
                    ),
                    "{domain} {text:?}"
                );
                assert_eq!(raw.get(), want_raw, "{domain} {text:?}");
            }
            (Err(e), Err(want)) => {
                assert_eq!(e.code(), want.code(), "{domain} {text:?}");
                assert_eq!(e.message(), want.message(), "{domain} {text:?}");
            }
            (got, want) => panic!(
                "{domain} {text:?}: got {:?}, want {:?}",
                got.map(|r| r.2),
                want.map(|r| r.2)
            ),
        }
    }

    #[test]
    fn one_typed_parse_answers_like_the_step_by_step_checks() {
        let domains = [
            Domain::Transaction,
            Domain::Wallet,
            Domain::Approval,
            Domain::from("OTHER"),
        ];
        let seeds = [
            r#"{"id":"t1","updatedAt":"u","status":"SIGNED","qty":"1.0","sequence":7,"asset":{"decimals":"18"},"attributes":{"a":"b"},"config":{"x":[1,{"y":null}]},"z":[true,false,-1.5e3]}"#,
            r#" { "id" : "w" , "settings" : { "enabled" : true } , "name" : "\u00e9\n" } "#,
            r#"{"id":"a","status":"APPROVED","reasons":["x"],"id2":"\ud83d\ude00"}"#,
        ];
        let fixed = [
            "{}",
            "[]",
            r#"["id"]"#,
            r#"["w","v"]"#,
            "\t\r\n{\"id\":\"w\"}\n ",
            "\u{a0}{\"id\":\"w\"}",
            r#"{"id":"w"} x"#,
            r#"{"id":"w"}{}"#,
            r#"{"id":"w","id":"v"}"#,
            r#"{"id":"w","updatedAt":"u","updatedAt":"v"}"#,
            r#"{"id":1e999999,"updatedAt":"u"}"#,
            r#"{"id":"w","x":1e999999}"#,
            r#"{"id":"w","config":1e999999}"#,
            r#"{"id":"w","x":"\ud800"}"#,
            r#"{"id":"\ud800"}"#,
            r#"{"id":"w","x":"\q"}"#,
            r#"{"id":"w","x":"a\u0001"}"#,
            "{\"id\":\"w\",\"x\":\"\u{1}\"}",
            r#"{"id":"w","qty":[1]}"#,
            r#"{"id":"w","sequence":18446744073709551616}"#,
            r#"{"id":"w","asset":{"decimals":-1}}"#,
            r#"{"id":null}"#,
            r#"{"id":7,"status":5}"#,
            r#"{"id":"w","x":01}"#,
            r#"{"id":"w","x":[1,]}"#,
            r#"{"id":"w",}"#,
            "\"id\"",
            "null",
            "",
            " ",
        ];
        let mut texts: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        texts.extend(seeds.iter().map(|s| s.to_string()));
        texts.push(format!(
            r#"{{"id":"w","x":{}1{}}}"#,
            "[".repeat(63),
            "]".repeat(63)
        ));
        texts.push(format!(
            r#"{{"id":"w","x":{}1{}}}"#,
            "[".repeat(64),
            "]".repeat(64)
        ));
        texts.push(format!(r#"{{"id":"w","x":"{}"}}"#, "[".repeat(100)));
        // Every single-byte deletion and a few substitutions and insertions of each seed.
        for seed in seeds {
            let bytes = seed.as_bytes();
            for i in 0..bytes.len() {
                let mut deleted = bytes.to_vec();
                deleted.remove(i);
                for b in [b'"', b'{', b']', b',', b'1', b'\\', b' '] {
                    let mut replaced = bytes.to_vec();
                    replaced[i] = b;
                    let mut inserted = bytes.to_vec();
                    inserted.insert(i, b);
                    texts.extend(
                        [replaced, inserted]
                            .into_iter()
                            .filter_map(|v| String::from_utf8(v).ok()),
                    );
                }
                texts.extend(String::from_utf8(deleted).ok());
            }
        }
        for text in &texts {
            for domain in &domains {
                assert_same_answer(domain, text);
            }
        }
    }

    #[test]
    fn json_round_trip() {
        let e = Event::from_verified(
            Some("TRANSACTION"),
            Some("2025-05-08T14:15:37Z"),
            encode_b64(br#"{"id":"t1","updatedAt":"u","status":"SIGNED","qty":"1.0","zz":1}"#),
            "abcd".into(),
        )
        .unwrap();
        let json = e.to_json();
        assert!(
            json.contains(r#""idempotency_key":"TRANSACTION/t1/u""#),
            "{json}"
        );
        let back = Event::from_json(&json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.transaction().unwrap().qty.as_deref(), Some("1.0"));
        assert_eq!(
            Event::from_json("{}").unwrap_err().code(),
            ErrorCode::MalformedPayload
        );
    }
}
