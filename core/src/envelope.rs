//! The delivery envelope: `{"domain": ..., "timestamp": ..., "payload": "<base64>"}`.
//!
//! Parsed strictly (one JSON object, no duplicate keys, `payload` a string) but tolerant of what
//! Palisade may add later (unknown fields are skipped, `timestamp` may be absent).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::error::{err, Error, Result};

/// The parsed envelope, borrowing from the body where the JSON has no escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    /// Unsigned routing hint; `None` when the field is absent.
    pub domain: Option<Cow<'a, str>>,
    /// Unsigned delivery time; `None` when absent or `null`.
    pub timestamp: Option<Cow<'a, str>>,
    /// The signed base64 text.
    pub payload: Cow<'a, str>,
}

impl<'a> Envelope<'a> {
    /// Parses the raw body. Every failure is `ERR_MALFORMED_ENVELOPE`; messages describe the
    /// problem without quoting the body.
    pub fn parse(body: &'a [u8]) -> Result<Envelope<'a>> {
        // JSON is UTF-8 (RFC 8259). Checked up front because the parser skips the contents of
        // fields it ignores without validating them.
        let text = std::str::from_utf8(body).map_err(|e| {
            err!(
                MalformedEnvelope,
                "the body is not UTF-8 JSON (invalid byte at offset {})",
                e.valid_up_to()
            )
        })?;
        let mut de = serde_json::Deserializer::from_str(text);
        let envelope = Envelope::deserialize(&mut de).map_err(envelope_error)?;
        de.end().map_err(envelope_error)?;
        Ok(envelope)
    }
}

/// Describes a JSON error by category and position only (serde's own text can quote input).
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "could not be read",
        serde_json::error::Category::Syntax => "is not valid JSON",
        serde_json::error::Category::Eof => "is truncated JSON",
        serde_json::error::Category::Data => "has the wrong shape",
    };
    if e.line() == 0 {
        what.to_string()
    } else {
        format!("{what} (line {}, column {})", e.line(), e.column())
    }
}

fn envelope_error(e: serde_json::Error) -> Error {
    let text = e.to_string();
    // Our own visitor's messages are safe to show: they name the envelope's own fields, never
    // a value or a key from the body. serde_json appends the position.
    if let Some(own) = text.strip_prefix(OWN_PREFIX) {
        let own = own.rsplit_once(" at line ").map_or(own, |(own, _)| own);
        return err!(
            MalformedEnvelope,
            "{own} (line {}, column {})",
            e.line(),
            e.column()
        );
    }
    err!(MalformedEnvelope, "the body {}", describe_json_error(&e))
}

const OWN_PREFIX: &str = "envelope: ";

impl<'de: 'a, 'a> Deserialize<'de> for Envelope<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

/// A string-or-null field value, borrowed when possible.
struct OptStr<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for OptStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(OptStr(Option::<Cow<'a, str>>::deserialize(deserializer)?))
    }
}

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut domain: Option<Option<Cow<'de, str>>> = None;
        let mut timestamp: Option<Option<Cow<'de, str>>> = None;
        let mut payload: Option<Cow<'de, str>> = None;
        // Duplicate keys are refused: two `payload`s would let a proxy and the SDK disagree on
        // which one was verified. Unknown keys are remembered only to detect their duplicates, in
        // a hash set (SipHash, randomly keyed) so a body of many distinct keys costs linear time:
        // this runs before the signature is checked, on anyone's input.
        let mut others: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            // Named when it is one of the envelope's fields; any other key is the sender's text,
            // which a refusal never quotes (it can be megabytes, and nothing is verified yet).
            let duplicate = || match key.as_ref() {
                known @ ("payload" | "domain" | "timestamp") => {
                    de::Error::custom(format!("{OWN_PREFIX}duplicate key {known:?}"))
                }
                _ => de::Error::custom(format!(
                    "{OWN_PREFIX}duplicate key (a field the envelope does not use)"
                )),
            };
            match key.as_ref() {
                "payload" => {
                    if payload.is_some() {
                        return Err(duplicate());
                    }
                    let value: OptStr<'de> = map.next_value().map_err(|_| {
                        de::Error::custom(format!("{OWN_PREFIX}\"payload\" must be a string"))
                    })?;
                    payload = Some(value.0.ok_or_else(|| {
                        de::Error::custom(format!("{OWN_PREFIX}\"payload\" must be a string"))
                    })?);
                }
                "domain" | "timestamp" => {
                    let slot = if key == "domain" {
                        &mut domain
                    } else {
                        &mut timestamp
                    };
                    if slot.is_some() {
                        return Err(duplicate());
                    }
                    let value: OptStr<'de> = map.next_value().map_err(|_| {
                        de::Error::custom(format!(
                            "{OWN_PREFIX}{key:?} must be a string when present"
                        ))
                    })?;
                    *slot = Some(value.0);
                }
                _ => {
                    if others.contains(&key) {
                        return Err(duplicate());
                    }
                    map.next_value::<IgnoredAny>()?;
                    others.insert(key);
                }
            }
        }
        let payload = payload.ok_or_else(|| {
            de::Error::custom(format!("{OWN_PREFIX}the envelope has no \"payload\" field"))
        })?;
        Ok(Envelope {
            domain: domain.flatten(),
            timestamp: timestamp.flatten(),
            payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn bad(body: &str) -> String {
        let e = Envelope::parse(body.as_bytes()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedEnvelope);
        e.message().to_string()
    }

    #[test]
    fn parses_and_ignores_unknown_fields() {
        let e = Envelope::parse(
            br#"{"domain":"WALLET","x":{"a":[1,2]},"timestamp":"2025-05-08T14:15:37Z","payload":"e30="}"#,
        )
        .unwrap();
        assert_eq!(e.domain.as_deref(), Some("WALLET"));
        assert_eq!(e.timestamp.as_deref(), Some("2025-05-08T14:15:37Z"));
        assert_eq!(e.payload, "e30=");
        let e = Envelope::parse(br#" {"payload":"e30=","timestamp":null} "#).unwrap();
        assert_eq!(e.domain, None);
        assert_eq!(e.timestamp, None);
    }

    #[test]
    fn invalid_utf8_anywhere_is_refused() {
        let e = Envelope::parse(b"{\"payload\":\"e30=\",\"x\":\"\xff\"}").unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedEnvelope);
        assert!(e.message().contains("UTF-8"));
    }

    #[test]
    fn escaped_payload_is_unescaped() {
        let e = Envelope::parse(br#"{"payload":"a\/b"}"#).unwrap();
        assert_eq!(e.payload, "a/b");
    }

    #[test]
    fn refuses_malformed_envelopes() {
        assert!(bad(r#"{"payload":"a","payload":"b"}"#).contains("duplicate key \"payload\""));
        let m = bad(r#"{"x":1,"payload":"a","x":2}"#);
        assert_eq!(
            m,
            "duplicate key (a field the envelope does not use) (line 1, column 24)"
        );
        assert!(bad(r#"{"domain":"A","payload":"a","domain":"B"}"#).contains("duplicate"));
        assert!(bad(r#"{"payload":5}"#).contains("must be a string"));
        assert!(bad(r#"{"payload":null}"#).contains("must be a string"));
        assert!(bad(r#"{"domain":5,"payload":"a"}"#).contains("\"domain\" must be a string"));
        assert!(bad(r#"{"domain":"WALLET"}"#).contains("no \"payload\""));
        assert!(bad(r#"["payload"]"#).contains("wrong shape"));
        assert!(bad(r#"{"payload":"a"} x"#).contains("not valid JSON"));
        assert!(bad(r#"{"payload":"a""#).contains("truncated"));
        assert!(bad("").contains("truncated"));
        assert!(!bad(r#"{"payload":"secret-value"#).contains("secret"));
    }

    #[test]
    fn many_distinct_keys_parse_in_linear_time() {
        // 1 MiB of distinct unknown keys: quadratic duplicate detection would take minutes.
        let mut body = String::from("{");
        let mut i = 0;
        while body.len() < (1 << 20) - 64 {
            body.push_str(&format!("\"k{i}\":0,"));
            i += 1;
        }
        body.push_str("\"payload\":\"e30=\"}");
        assert_eq!(Envelope::parse(body.as_bytes()).unwrap().payload, "e30=");
        let dup = body.replacen("\"k1\":0", "\"k0\":0", 1);
        assert!(bad(&dup).contains("duplicate key (a field"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            r#"{{"payload":"a","x":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        // Either accepted (skipped iteratively) or refused, but never a stack overflow.
        let _ = Envelope::parse(deep.as_bytes());
        let deep_obj = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
        bad(&deep_obj);
    }
}
