//! The verified event handed to the receiver, and how it is built from a verified payload.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use crate::encoding::decode_b64;
use crate::envelope::describe_json_error;
use crate::error::{err, Error, Result};
use crate::resources::{Approval, CommonFields, Resource, Transaction, Wallet};

/// Deepest JSON nesting accepted in a payload. Palisade resources are a few levels deep; the bound
/// keeps every language's JSON decoder (some recursive) safe when the raw payload is re-parsed.
pub const MAX_PAYLOAD_DEPTH: usize = 64;

/// The envelope's `domain`: which kind of resource the payload carries.
///
/// It is **not signed** (SPEC §3): it selects the model the payload is parsed with, nothing more.
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
    /// `"{id}:{updatedAt}"` from the signed payload, or `"sha256:<hex>"` of the payload string
    /// when either is missing (SPEC §3). Deduplicate on this.
    pub idempotency_key: String,
    /// The resource's `id`, when present.
    pub resource_id: Option<String>,
    /// The resource's `updatedAt`, when present.
    pub updated_at: Option<String>,
    /// The resource's `status`, when present.
    pub status: Option<String>,
    /// The typed resource.
    pub data: Resource,
    /// The decoded payload JSON, exactly as signed.
    pub raw: Box<RawValue>,
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
        let raw = raw_object(text)?;
        let domain = Domain::from(domain.unwrap_or(""));
        // One typed parse gives both the resource and the signed fields the key is built from.
        let (data, common) = parse_resource(&domain, raw.get())?;
        let idempotency_key = idempotency_key_for(&payload, &common);
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

/// Validates that `text` is a JSON object within the depth bound.
fn raw_object(text: String) -> Result<Box<RawValue>> {
    if json_depth_exceeds(text.as_bytes(), MAX_PAYLOAD_DEPTH) {
        return Err(err!(
            MalformedPayload,
            "the decoded payload nests deeper than {MAX_PAYLOAD_DEPTH} levels"
        ));
    }
    let raw = RawValue::from_string(text).map_err(|e| {
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
    Ok(raw)
}

/// True when brackets nest deeper than `max` (string contents are skipped). A linear scan, so the
/// bound is checked before any recursive parser sees the text.
fn json_depth_exceeds(bytes: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
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

/// SPEC §3: `"{id}:{updatedAt}"` when both are non-empty strings in the signed payload, else
/// `"sha256:" + hex(SHA-256(payload string))`.
fn idempotency_key_for(payload: &str, common: &CommonFields) -> String {
    match (common.id.as_deref(), common.updated_at.as_deref()) {
        (Some(id), Some(updated)) if !id.is_empty() && !updated.is_empty() => {
            format!("{id}:{updated}")
        }
        _ => payload_hash_key(payload),
    }
}

/// The fallback idempotency key: a hash of the signed payload string.
pub fn payload_hash_key(payload: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(payload.as_bytes())))
}

fn parse_resource(domain: &Domain, json: &str) -> Result<(Resource, CommonFields)> {
    fn typed<T: for<'de> Deserialize<'de>>(domain: &Domain, json: &str) -> Result<T> {
        serde_json::from_str(json).map_err(|e| model_error(domain, &e))
    }
    Ok(match domain {
        Domain::Transaction => {
            let t: Transaction = typed(domain, json)?;
            let common = CommonFields {
                id: Some(t.id.clone()),
                updated_at: t.updated_at.clone(),
                status: t.status.as_ref().map(|s| s.as_str().to_string()),
            };
            (Resource::Transaction(Box::new(t)), common)
        }
        Domain::Wallet => {
            let w: Wallet = typed(domain, json)?;
            let common = CommonFields {
                id: Some(w.id.clone()),
                updated_at: w.updated_at.clone(),
                status: w.status.as_ref().map(|s| s.as_str().to_string()),
            };
            (Resource::Wallet(Box::new(w)), common)
        }
        Domain::Approval => {
            let a: Approval = typed(domain, json)?;
            let common = CommonFields {
                id: Some(a.id.clone()),
                updated_at: a.updated_at.clone(),
                status: a.status.as_ref().map(|s| s.as_str().to_string()),
            };
            (Resource::Approval(Box::new(a)), common)
        }
        Domain::Unknown(_) => {
            let common: CommonFields = serde_json::from_str(json).unwrap_or_default();
            (Resource::Unknown, common)
        }
    })
}

/// A model mismatch, described by field name and position but never by value.
fn model_error(domain: &Domain, e: &serde_json::Error) -> Error {
    let text = e.to_string();
    let detail = if text.starts_with("missing field") || text.starts_with("duplicate field") {
        text.split(" at line ").next().unwrap_or("").to_string()
    } else if let Some((_, expected)) = text.split_once(", expected ") {
        let expected = expected.split(" at line ").next().unwrap_or("");
        format!("a field has the wrong type (expected {expected})")
    } else {
        describe_json_error(e)
    };
    err!(
        MalformedPayload,
        "the payload does not fit the {domain} model: {detail} (line {}, column {})",
        e.line(),
        e.column()
    )
}

/// The wire form of an [`Event`]: snake_case keys, as in DESIGN.md.
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
        use std::borrow::Cow::Borrowed;
        EventWire {
            domain: Borrowed(self.domain.as_str()),
            timestamp: self.timestamp.as_deref().map(Borrowed),
            idempotency_key: Borrowed(&self.idempotency_key),
            resource_id: self.resource_id.as_deref().map(Borrowed),
            updated_at: self.updated_at.as_deref().map(Borrowed),
            status: self.status.as_deref().map(Borrowed),
            payload: Borrowed(&self.payload),
            key_fingerprint: Borrowed(&self.key_fingerprint),
            raw: Borrowed(&self.raw),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = EventWire::deserialize(d)?;
        let domain = Domain::from(wire.domain.as_ref());
        let raw = raw_object(wire.raw.get().to_string()).map_err(D::Error::custom)?;
        let (data, _) = parse_resource(&domain, raw.get()).map_err(D::Error::custom)?;
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
        assert_eq!(e.idempotency_key, "w1:2025-01-01T00:00:00Z");
        let e = event("WALLET", r#"{"id":"w1"}"#).unwrap();
        assert_eq!(e.idempotency_key, payload_hash_key(&e.payload));
        assert!(e.idempotency_key.starts_with("sha256:"));
        let e = event("SOMETHING", r#"{"id":7,"updatedAt":"x"}"#).unwrap();
        assert!(e.idempotency_key.starts_with("sha256:"));
        assert_eq!(e.resource_id, None);
        assert_eq!(e.data, Resource::Unknown);
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
        assert!(json.contains(r#""idempotency_key":"t1:u""#), "{json}");
        let back = Event::from_json(&json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.transaction().unwrap().qty.as_deref(), Some("1.0"));
        assert_eq!(
            Event::from_json("{}").unwrap_err().code(),
            ErrorCode::MalformedPayload
        );
    }
}
