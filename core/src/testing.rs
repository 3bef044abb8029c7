//! Test deliveries: sign payloads and build complete requests, so receivers can be tested
//! offline, exactly as Palisade would call them.

use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand_core::OsRng;
use sha2::{Digest as _, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::dedup::{IdempotencyStore, StoreClaim};
use crate::encoding::encode_b64;
use crate::error::{err, Result};
use crate::keys::{Backend, PublicKey};
use crate::signature::Digest;
use crate::webhook::SIGNATURE_HEADER;

/// A complete signed delivery, as Palisade would POST it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The raw JSON body (the envelope).
    pub body: Vec<u8>,
    /// The request headers: `Content-Type` and `Signature`.
    pub headers: Vec<(String, String)>,
    /// The envelope's `payload` string (what was signed).
    pub payload: String,
    /// The `Signature` header value.
    pub signature: String,
}

/// Options for [`TestSigner::delivery_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryOptions {
    /// The envelope's `timestamp`: `None` for "now", `Some(None)` to leave it out.
    pub timestamp: Option<Option<String>>,
    /// The digest construction to sign with.
    pub digest: Digest,
}

impl DeliveryOptions {
    /// Sets a fixed envelope timestamp (`None` leaves the field out).
    pub fn timestamp(mut self, timestamp: Option<&str>) -> Self {
        self.timestamp = Some(timestamp.map(str::to_string));
        self
    }
    /// Sets the digest construction.
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self
    }
}

/// A P-256 key pair standing in for Palisade's signer. Signatures are deterministic (RFC 6979),
/// so the same key and payload always give the same delivery.
#[derive(Clone)]
pub struct TestSigner {
    key: SigningKey,
}

impl std::fmt::Debug for TestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSigner")
            .field("fingerprint", &self.public_key().fingerprint())
            .finish()
    }
}

impl TestSigner {
    /// A fresh random key.
    pub fn generate() -> TestSigner {
        TestSigner {
            key: SigningKey::random(&mut OsRng),
        }
    }

    /// A key derived from a number: the same seed always gives the same key. For reproducible
    /// tests and vectors only, never for anything real.
    pub fn from_seed(seed: u64) -> TestSigner {
        let mut counter = 0u32;
        loop {
            let digest = Sha256::new()
                .chain_update(b"palisade-webhooks test key")
                .chain_update(seed.to_be_bytes())
                .chain_update(counter.to_be_bytes())
                .finalize();
            // A digest is a valid scalar with overwhelming probability; loop for the rest.
            if let Ok(key) = SigningKey::from_slice(&digest) {
                return TestSigner { key };
            }
            counter += 1;
        }
    }

    /// Loads a private key: PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), SEC1 PEM
    /// (`-----BEGIN EC PRIVATE KEY-----`) or the 32-byte scalar as hex.
    pub fn from_private_key(text: &str) -> Result<TestSigner> {
        let text = text.trim();
        let key = if text.contains("BEGIN PRIVATE KEY") {
            SigningKey::from_pkcs8_pem(text).ok()
        } else if text.contains("BEGIN EC PRIVATE KEY") {
            p256::SecretKey::from_sec1_pem(text)
                .ok()
                .map(SigningKey::from)
        } else {
            hex::decode(text)
                .ok()
                .and_then(|b| SigningKey::from_slice(&b).ok())
        };
        key.map(|key| TestSigner { key }).ok_or_else(|| {
            err!(
                InvalidPublicKey,
                "not a P-256 private key (expected PKCS#8 PEM, SEC1 PEM or 64 hex characters)"
            )
        })
    }

    /// The private key as PKCS#8 PEM (to save with `keygen`-style tools).
    pub fn private_key_pem(&self) -> String {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .unwrap_or_default()
    }

    /// The private scalar as hex.
    pub fn private_key_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// The public key as Palisade shows it (base64 DER SubjectPublicKeyInfo).
    pub fn public_key_b64(&self) -> String {
        self.public_key().to_spki_b64()
    }

    /// The public key, parsed.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_verifying_key(*self.key.verifying_key(), Backend::Reference)
    }

    /// Signs a payload string (the base64 text) with SHA-256: returns the `Signature` header
    /// value (base64 DER).
    pub fn sign(&self, payload_b64: &str) -> String {
        self.sign_with(payload_b64, Digest::Sha256)
    }

    /// Signs with an explicit digest construction.
    pub fn sign_with(&self, payload_b64: &str, digest: Digest) -> String {
        let prehash = digest.prehash(payload_b64.as_bytes());
        // Signing a 32-byte prehash with a valid key cannot fail.
        let signature: Signature = self
            .key
            .sign_prehash(&prehash)
            .expect("P-256 signing of a 32-byte prehash");
        encode_b64(signature.to_der().as_bytes())
    }

    /// Builds a complete delivery for `domain` carrying `resource_json` (a JSON object), with a
    /// current timestamp and the SHA-256 construction.
    pub fn delivery(&self, domain: &str, resource_json: &str) -> Result<Delivery> {
        self.delivery_with(domain, resource_json, &DeliveryOptions::default())
    }

    /// Builds a complete delivery with explicit options.
    pub fn delivery_with(
        &self,
        domain: &str,
        resource_json: &str,
        options: &DeliveryOptions,
    ) -> Result<Delivery> {
        let value: serde_json::Value = serde_json::from_str(resource_json)
            .map_err(|_| err!(MalformedPayload, "the resource is not valid JSON"))?;
        if !value.is_object() {
            return Err(err!(MalformedPayload, "the resource must be a JSON object"));
        }
        let payload = encode_b64(resource_json.as_bytes());
        let signature = self.sign_with(&payload, options.digest);
        let timestamp = match &options.timestamp {
            Some(fixed) => fixed.clone(),
            None => Some(now_rfc3339()),
        };
        let mut envelope = serde_json::Map::new();
        envelope.insert("domain".into(), domain.into());
        if let Some(ts) = timestamp {
            envelope.insert("timestamp".into(), ts.into());
        }
        envelope.insert("payload".into(), payload.clone().into());
        let body = serde_json::to_vec(&envelope).unwrap_or_default();
        Ok(Delivery {
            body,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (SIGNATURE_HEADER.into(), signature.clone()),
            ],
            payload,
            signature,
        })
    }
}

/// Now as `2025-05-08T14:15:37Z` (whole seconds, UTC), the envelope's format.
pub fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}

/// Where a [`FaultyStore`] fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailAt {
    /// Never: the store behaves like the one it wraps.
    Nothing,
    /// Every `claim` fails.
    Claim,
    /// Every `complete` fails (after the handler ran).
    Complete,
    /// Every `release` fails (after the handler failed).
    Release,
}

impl FailAt {
    /// Every variant, in a stable order.
    pub const ALL: [FailAt; 4] = [
        FailAt::Nothing,
        FailAt::Claim,
        FailAt::Complete,
        FailAt::Release,
    ];

    /// `"nothing"`, `"claim"`, `"complete"` or `"release"` (the spelling the receiver vectors
    /// and every binding use).
    pub const fn as_str(self) -> &'static str {
        match self {
            FailAt::Nothing => "nothing",
            FailAt::Claim => "claim",
            FailAt::Complete => "complete",
            FailAt::Release => "release",
        }
    }

    /// Parses [`FailAt::as_str`]'s spelling.
    pub fn parse(s: &str) -> Option<FailAt> {
        FailAt::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// An idempotency store that fails on purpose at one step, so a receiver's answers to store
/// outages (at claim, at complete, at release) can be tested without taking a real store down
/// at exactly the right moment. Failures are `ERR_STORE_UNAVAILABLE`, as a real outage's are;
/// the step can be changed while the store is in use.
pub struct FaultyStore {
    inner: Arc<dyn IdempotencyStore>,
    fail_at: Mutex<FailAt>,
}

impl std::fmt::Debug for FaultyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultyStore")
            .field("fail_at", &self.fail_at())
            .finish_non_exhaustive()
    }
}

impl FaultyStore {
    /// Wraps `inner`, failing at `fail_at`.
    pub fn new(inner: Arc<dyn IdempotencyStore>, fail_at: FailAt) -> FaultyStore {
        FaultyStore {
            inner,
            fail_at: Mutex::new(fail_at),
        }
    }

    /// Where it fails now.
    pub fn fail_at(&self) -> FailAt {
        *self.fail_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes where it fails.
    pub fn set_fail_at(&self, fail_at: FailAt) {
        *self.fail_at.lock().unwrap_or_else(|p| p.into_inner()) = fail_at;
    }

    fn check(&self, step: FailAt) -> Result<()> {
        if self.fail_at() == step {
            return Err(err!(
                StoreUnavailable,
                "the store failed at {} (an injected test fault)",
                step.as_str()
            ));
        }
        Ok(())
    }
}

impl IdempotencyStore for FaultyStore {
    fn claim(&self, key: &str, token: &str, lease: Duration) -> Result<StoreClaim> {
        self.check(FailAt::Claim)?;
        self.inner.claim(key, token, lease)
    }

    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool> {
        self.check(FailAt::Complete)?;
        self.inner.complete(key, token, retain)
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        self.check(FailAt::Release)?;
        self.inner.release(key, token)
    }
}
