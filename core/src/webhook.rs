//! `Webhook`: one or more keys plus options; verifies a raw delivery into an [`Event`].

use std::time::{Duration, SystemTime};

use p256::ecdsa::Signature;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::diagnose::{Diagnosis, KeyDiagnosis};
use crate::envelope::Envelope;
use crate::error::{err, Error, ErrorCode, Result};
use crate::event::Event;
use crate::key_cache::{KeyCache, DROP_IN_KEYS};
use crate::keys::{Backend, PublicKey};
use crate::signature::{parse_signature, Digest};

/// Default `max_body_bytes`: 1 MiB. Palisade resources are a few kilobytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// The HTTP header that carries the signature (looked up case-insensitively).
pub const SIGNATURE_HEADER: &str = "Signature";

/// Whether a header name is [`SIGNATURE_HEADER`] as verification matches it: surrounding
/// whitespace ignored, ASCII case ignored. For bindings and adapters that pick the one header
/// out of a collection themselves (the first match wins, as in [`Webhook::verify`]).
///
/// ```
/// use palisade_webhooks::is_signature_header;
/// assert!(is_signature_header("signature") && is_signature_header(" SIGNATURE "));
/// assert!(!is_signature_header("X-Signature"));
/// ```
pub fn is_signature_header(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case(SIGNATURE_HEADER)
}

/// Options of a [`Webhook`]. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookOptions {
    /// Bodies longer than this are refused with `ERR_BODY_TOO_LARGE` before any parsing.
    pub max_body_bytes: usize,
    /// The digest construction (docs/protocol.md); `sha256` unless a diagnosis says otherwise.
    pub digest: Digest,
    /// When set, events whose signed `updatedAt` is older than this are refused with
    /// `ERR_STALE_EVENT`. Off by default: Palisade's retries can arrive hours late.
    pub max_age: Option<Duration>,
    /// Verification implementation for keys parsed from strings.
    pub backend: Backend,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            digest: Digest::Sha256,
            max_age: None,
            backend: Backend::Fast,
        }
    }
}

impl WebhookOptions {
    /// Sets `max_body_bytes`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }
    /// Sets the digest construction.
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self
    }
    /// Sets (or clears) `max_age`.
    pub fn max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }
    /// Sets the verification backend.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }
}

/// A webhook endpoint's verifier: its public key(s) and options.
///
/// Build it once at start-up (key parsing and table preparation happen here) and share it:
/// it is `Send + Sync` and verification takes `&self`.
///
/// ```
/// use palisade_webhooks::{testing::TestSigner, Webhook, WebhookOptions};
///
/// let signer = TestSigner::from_seed(7);
/// let webhook = Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default())?;
/// let delivery = signer.delivery("WALLET", r#"{"id":"w1","updatedAt":"2025-04-08T11:48:56Z"}"#)?;
/// let event = webhook.verify(&delivery.body, &delivery.headers)?;
/// assert_eq!(event.idempotency_key, "WALLET/w1/2025-04-08T11:48:56Z");
/// # Ok::<(), palisade_webhooks::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Webhook {
    keys: Vec<PublicKey>,
    options: WebhookOptions,
}

impl Webhook {
    /// Builds a verifier from parsed keys. At least one key is required; during a rotation pass
    /// the old and the new key (a delivery verifies if any key verifies it).
    pub fn new(keys: Vec<PublicKey>, options: WebhookOptions) -> Result<Webhook> {
        if keys.is_empty() {
            return Err(err!(
                InvalidPublicKey,
                "no public key given; pass the webhook's key (or keys, during a rotation)"
            ));
        }
        Ok(Webhook { keys, options })
    }

    /// Parses each key (any format [`PublicKey::parse`] accepts) and builds a verifier. The first
    /// key that fails to parse fails the whole construction, with its position in the message.
    pub fn from_keys<S: AsRef<str>>(keys: &[S], options: WebhookOptions) -> Result<Webhook> {
        let parsed = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                PublicKey::parse_with_backend(k.as_ref(), options.backend).map_err(|e| {
                    if keys.len() > 1 {
                        err!(InvalidPublicKey, "key #{}: {}", i + 1, e.message())
                    } else {
                        e
                    }
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Webhook::new(parsed, options)
    }

    /// The keys, in the order they are tried.
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// The options.
    pub fn options(&self) -> &WebhookOptions {
        &self.options
    }

    /// Verifies a delivery: `body` is the raw HTTP body, `headers` any iterator of
    /// `(name, value)` pairs (the `Signature` header is found case-insensitively).
    ///
    /// Checks run in this order, and the first failure is returned: body size
    /// (`ERR_BODY_TOO_LARGE`), signature header present (`ERR_MISSING_SIGNATURE`), envelope
    /// (`ERR_MALFORMED_ENVELOPE`), signature encoding (`ERR_MALFORMED_SIGNATURE`), signature
    /// (`ERR_INVALID_SIGNATURE`), payload decoding and model (`ERR_MALFORMED_PAYLOAD`), then
    /// freshness when `max_age` is set (`ERR_STALE_EVENT`).
    pub fn verify<I>(&self, body: &[u8], headers: I) -> Result<Event>
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        self.verify_at(body, headers, SystemTime::now())
    }

    /// [`Webhook::verify`] with an explicit "now" for the `max_age` check (for tests).
    pub fn verify_at<I>(&self, body: &[u8], headers: I, now: SystemTime) -> Result<Event>
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        self.check_size(body)?;
        let signature = find_signature_header(headers);
        self.verify_with_signature_at(body, signature.as_deref(), now)
    }

    /// Verifies a delivery whose `Signature` header value the caller has already extracted
    /// (`None` when the header is absent). Same checks and order as [`Webhook::verify`].
    pub fn verify_with_signature(&self, body: &[u8], signature: Option<&str>) -> Result<Event> {
        self.verify_with_signature_at(body, signature, SystemTime::now())
    }

    /// [`Webhook::verify_with_signature`] with an explicit "now" for the `max_age` check.
    pub fn verify_with_signature_at(
        &self,
        body: &[u8],
        signature: Option<&str>,
        now: SystemTime,
    ) -> Result<Event> {
        self.check_size(body)?;
        // Base64 has no comma, so a comma means several Signature headers that the framework
        // joined into one value (as Node's and WSGI's servers do): the first one wins, as it does
        // when a framework keeps them apart (docs/receiver.md).
        let signature = match signature.map(|s| s.split(',').next().unwrap_or(s).trim()) {
            Some(s) if !s.is_empty() => s,
            Some(_) => return Err(err!(MissingSignature, "the Signature header is empty")),
            None => {
                return Err(err!(
                    MissingSignature,
                    "no Signature header; Palisade signs every delivery (is a proxy dropping it?)"
                ))
            }
        };
        let envelope = Envelope::parse(body)?;
        let signature = parse_signature(signature)?;
        let key = self.verifying_key_for(envelope.payload.as_bytes(), &signature)?;
        let event = Event::from_verified(
            envelope.domain.as_deref(),
            envelope.timestamp.as_deref(),
            envelope.payload.into_owned(),
            key.fingerprint().to_string(),
        )?;
        self.check_age(&event, now)?;
        Ok(event)
    }

    /// The low-level check: does `signature_b64` sign `payload_b64` (the base64 text, exactly as
    /// in the envelope) under one of the keys? Returns the fingerprint of the key that verified.
    ///
    /// When the `signature_b64` argument is not a signature but `payload_b64` is one, the
    /// error's message says the two arguments look swapped.
    pub fn verify_signature(&self, payload_b64: &str, signature_b64: &str) -> Result<String> {
        let signature = parse_signature(signature_b64).map_err(|e| {
            if e.code() == ErrorCode::MalformedSignature && parse_signature(payload_b64).is_ok() {
                Error::new(
                    e.code(),
                    format!(
                        "{}; the payload argument is a signature: are the two arguments \
                         swapped? The payload comes first, then the signature",
                        e.message()
                    ),
                )
            } else {
                e
            }
        })?;
        let key = self.verifying_key_for(payload_b64.as_bytes(), &signature)?;
        Ok(key.fingerprint().to_string())
    }

    /// Explains why a delivery does or does not verify: the report the CLI's `doctor` prints,
    /// for a user's own debugging (it runs several verifications: never call it on every
    /// refusal). Each key is diagnosed in turn; the report is that of the first key the
    /// signature matches (with any digest), else that of the first key.
    pub fn diagnose<I>(&self, body: &[u8], headers: I) -> Diagnosis
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        let signature = find_signature_header(headers);
        // Lazily: the keys after the one the signature matches are not diagnosed.
        let mut reports = self.key_diagnoses(body, signature.as_deref());
        let first = reports.next().expect("a Webhook has at least one key");
        if first.diagnosis.digest.is_some() {
            return first.diagnosis;
        }
        reports
            .find(|r| r.diagnosis.digest.is_some())
            .unwrap_or(first)
            .diagnosis
    }

    /// [`Webhook::diagnose`] under every key, in the order the keys are tried: one
    /// [`KeyDiagnosis`] per key, each naming its key by fingerprint. The `Signature` header is
    /// found in `headers` as [`Webhook::verify`] finds it.
    ///
    /// ```
    /// use palisade_webhooks::{testing::TestSigner, Webhook, WebhookOptions};
    ///
    /// let (old, new) = (TestSigner::from_seed(1), TestSigner::from_seed(2));
    /// let webhook =
    ///     Webhook::from_keys(&[old.public_key_b64(), new.public_key_b64()], WebhookOptions::default())?;
    /// let delivery = new.delivery("WALLET", r#"{"id":"w1"}"#)?;
    /// let reports = webhook.diagnose_keys(&delivery.body, &delivery.headers);
    /// assert_eq!(reports.len(), 2);
    /// assert_eq!(reports[1].key_fingerprint, new.public_key().fingerprint());
    /// assert!(!reports[0].diagnosis.verifies && reports[1].diagnosis.verifies);
    /// # Ok::<(), palisade_webhooks::Error>(())
    /// ```
    pub fn diagnose_keys<I>(&self, body: &[u8], headers: I) -> Vec<KeyDiagnosis>
    where
        I: IntoIterator,
        I::Item: HeaderPair,
    {
        let signature = find_signature_header(headers);
        self.key_diagnoses(body, signature.as_deref()).collect()
    }

    fn key_diagnoses<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> impl Iterator<Item = KeyDiagnosis> + 'a {
        self.keys.iter().map(move |key| KeyDiagnosis {
            key_fingerprint: key.fingerprint().to_string(),
            diagnosis: crate::diagnose::diagnose(&key.to_spki_b64(), body, signature),
        })
    }

    fn check_size(&self, body: &[u8]) -> Result<()> {
        if body.len() > self.options.max_body_bytes {
            return Err(err!(
                BodyTooLarge,
                "the body is {} bytes, over max_body_bytes = {}",
                body.len(),
                self.options.max_body_bytes
            ));
        }
        Ok(())
    }

    fn verifying_key_for(&self, message: &[u8], signature: &Signature) -> Result<&PublicKey> {
        let prehash = self.options.digest.prehash(message);
        self.keys
            .iter()
            .find(|k| k.verify_prehash(&prehash, signature))
            .ok_or_else(|| {
                // Up to three fingerprints: a long rotation list must not grow the message.
                const SHOWN: usize = 3;
                let shown: Vec<&str> = self
                    .keys
                    .iter()
                    .take(SHOWN)
                    .map(|k| k.fingerprint())
                    .collect();
                let more = match self.keys.len().saturating_sub(SHOWN) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                err!(
                    InvalidSignature,
                    "the signature does not verify under key(s) {}{more} with digest {} (wrong \
                     key, a modified payload, or a re-serialised body?)",
                    shown.join(", "),
                    self.options.digest
                )
            })
    }

    fn check_age(&self, event: &Event, now: SystemTime) -> Result<()> {
        let Some(max_age) = self.options.max_age else {
            return Ok(());
        };
        let Some(updated_at) = event.updated_at.as_deref() else {
            return Err(err!(
                StaleEvent,
                "max_age is set but the signed payload has no updatedAt to judge freshness by"
            ));
        };
        let updated = OffsetDateTime::parse(updated_at, &Rfc3339).map_err(|_| {
            err!(
                StaleEvent,
                "max_age is set but the signed updatedAt is not an RFC 3339 time"
            )
        })?;
        let now = OffsetDateTime::from(now);
        let age = now - updated;
        if age > max_age {
            return Err(err!(
                StaleEvent,
                "the event was updated {}s ago, over max_age = {}s",
                age.whole_seconds(),
                max_age.as_secs()
            ));
        }
        Ok(())
    }
}

/// Finds the `Signature` header case-insensitively; the first one wins.
pub(crate) fn find_signature_header<I>(headers: I) -> Option<String>
where
    I: IntoIterator,
    I::Item: HeaderPair,
{
    headers
        .into_iter()
        .find(|h| is_signature_header(h.name()))
        .map(|h| h.value().to_string())
}

/// A `(name, value)` header pair, owned or borrowed: lets [`Webhook::verify`] take a
/// `Vec<(String, String)>`, a slice of `(&str, &str)`, a map's iterator, and so on.
pub trait HeaderPair {
    /// The header name.
    fn name(&self) -> &str;
    /// The header value.
    fn value(&self) -> &str;
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderPair for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderPair for &(K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

/// The documentation's function, same name and argument order: does `signature_b64` (base64
/// DER) sign `payload_b64` (the envelope's `payload` string) under `public_key_b64`?
///
/// Returns `false` for every failure, including a malformed key or signature; never panics.
/// Prefer [`Webhook`], which parses the key once and says *why* a delivery failed.
///
/// # Speed and memory
///
/// The keys this function is called with are remembered, by key string, in a process-wide
/// cache of the 8 most recently used keys (thread-safe). A key's first call parses it and
/// verifies with `p256`'s reference code, as a one-off check should; its second call prepares
/// the fast verifier's tables (about 1 ms, once); from then on a call costs what
/// [`Webhook::verify_signature`] costs. Each prepared key holds ~262 KB of tables, so the cache
/// holds at most about 2.1 MB (8 × 262 KB), and a key that fails to parse is not remembered.
pub fn verify_webhook(public_key_b64: &str, signature_b64: &str, payload_b64: &str) -> bool {
    verify_webhook_with(&DROP_IN_KEYS, public_key_b64, signature_b64, payload_b64)
}

/// [`verify_webhook`] over a given key cache (tests use small ones). The same checks as
/// [`Webhook::verify_signature`] with the default options: the standard digest, any backend
/// giving the same answer.
pub(crate) fn verify_webhook_with(
    cache: &KeyCache,
    public_key_b64: &str,
    signature_b64: &str,
    payload_b64: &str,
) -> bool {
    // The signature first: a malformed one is refused without touching the cache.
    let Ok(signature) = parse_signature(signature_b64) else {
        return false;
    };
    let Ok(key) = cache.key_for(public_key_b64) else {
        return false;
    };
    key.verify_prehash(&Digest::Sha256.prehash(payload_b64.as_bytes()), &signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestSigner;

    #[test]
    fn swapped_verify_signature_arguments_are_named() {
        let signer = TestSigner::from_seed(5);
        let webhook =
            Webhook::from_keys(&[signer.public_key_b64()], WebhookOptions::default()).unwrap();
        let d = signer.delivery("WALLET", r#"{"id":"w1"}"#).unwrap();
        let e = webhook
            .verify_signature(&d.signature, &d.payload)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedSignature);
        assert!(e.message().contains("swapped"), "{}", e.message());
        // A malformed signature alone says nothing about swapping.
        let e = webhook
            .verify_signature(&d.payload, "not base64!")
            .unwrap_err();
        assert!(!e.message().contains("swapped"), "{}", e.message());
        assert!(webhook.verify_signature(&d.payload, &d.signature).is_ok());
    }

    #[test]
    fn diagnose_reports_the_key_that_signed() {
        let old = TestSigner::from_seed(6);
        let new = TestSigner::from_seed(7);
        let keys = [old.public_key_b64(), new.public_key_b64()];
        let webhook = Webhook::from_keys(&keys, WebhookOptions::default()).unwrap();
        let d = new.delivery("WALLET", r#"{"id":"w1"}"#).unwrap();
        let report = webhook.diagnose(&d.body, &d.headers);
        assert!(report.verifies, "{report:?}");
        let other = TestSigner::from_seed(8)
            .delivery("WALLET", r#"{"id":"w1"}"#)
            .unwrap();
        let report = webhook.diagnose(&other.body, &other.headers);
        assert!(!report.verifies);
        assert!(
            report.cause.contains(old.public_key().fingerprint()),
            "{}",
            report.cause
        );
        let report = webhook.diagnose(&d.body, Vec::<(String, String)>::new());
        assert_eq!(report.error, Some("ERR_MISSING_SIGNATURE"));
    }

    #[test]
    fn diagnose_keys_reports_every_key_in_order() {
        let signers = [6, 7, 8].map(TestSigner::from_seed);
        let keys = signers.each_ref().map(|s| s.public_key_b64());
        let webhook = Webhook::from_keys(&keys, WebhookOptions::default()).unwrap();
        let d = signers[1].delivery("WALLET", r#"{"id":"w1"}"#).unwrap();
        // The header as any client may spell it.
        let headers = [("  signature ", d.signature.as_str())];
        let reports = webhook.diagnose_keys(&d.body, headers);
        assert_eq!(reports.len(), 3);
        for ((report, signer), key) in reports.iter().zip(&signers).zip(&keys) {
            assert_eq!(report.key_fingerprint, signer.public_key().fingerprint());
            let alone = crate::diagnose::diagnose(key, &d.body, Some(&d.signature));
            assert_eq!(report.diagnosis, alone);
        }
        let verifies: Vec<bool> = reports.iter().map(|r| r.diagnosis.verifies).collect();
        assert_eq!(verifies, [false, true, false]);
        assert_eq!(webhook.diagnose(&d.body, headers), reports[1].diagnosis);

        // One flat object per key, `key_fingerprint` first.
        let text = serde_json::to_string(&reports[1]).unwrap();
        let fingerprint = signers[1].public_key().fingerprint().to_string();
        assert!(
            text.starts_with(&format!(
                r#"{{"key_fingerprint":"{fingerprint}","verifies":true,"#
            )),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        let want = [
            "cause",
            "checks",
            "digest",
            "error",
            "key_fingerprint",
            "verifies",
        ];
        assert_eq!(fields, want);
        assert_eq!(json["digest"], "sha256");
        assert_eq!(json["error"], serde_json::Value::Null);
    }
}
