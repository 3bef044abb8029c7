//! `TestSigner`: sign payloads and build complete deliveries, to test receivers offline.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use palisade_webhooks::testing::{DeliveryOptions, TestSigner};

use crate::{arg_err, core_err, digest};

/// The native signer behind `TestSigner` (see `index.js`).
#[napi(js_name = "NativeTestSigner")]
pub struct JsTestSigner {
    inner: TestSigner,
}

/// A signed delivery: the raw body, the headers as `[name, value]` pairs, what was signed.
#[napi(object, object_from_js = false)]
pub struct NativeDelivery {
    pub body: Buffer,
    pub headers: Vec<Vec<String>>,
    pub payload: String,
    pub signature: String,
}

#[napi]
impl JsTestSigner {
    /// A fresh random key.
    #[napi(factory, catch_unwind)]
    pub fn generate() -> Self {
        JsTestSigner {
            inner: TestSigner::generate(),
        }
    }

    /// A key derived from a non-negative integer (reproducible tests only).
    #[napi(factory, catch_unwind)]
    pub fn from_seed(seed: f64) -> napi::Result<Self, String> {
        if !seed.is_finite() || seed < 0.0 || seed.fract() != 0.0 || seed > 9_007_199_254_740_991.0
        {
            return Err(arg_err("seed must be a non-negative safe integer"));
        }
        Ok(JsTestSigner {
            inner: TestSigner::from_seed(seed as u64),
        })
    }

    /// Loads a private key (PKCS#8 PEM, SEC1 PEM or 64 hex characters).
    #[napi(factory, catch_unwind)]
    pub fn from_private_key(text: String) -> napi::Result<Self, String> {
        TestSigner::from_private_key(&text)
            .map(|inner| JsTestSigner { inner })
            .map_err(core_err)
    }

    /// The public key as Palisade shows it (base64 DER SubjectPublicKeyInfo).
    #[napi(getter, catch_unwind)]
    pub fn public_key_b64(&self) -> String {
        self.inner.public_key_b64()
    }

    /// The private key as PKCS#8 PEM.
    #[napi(getter, catch_unwind)]
    pub fn private_key_pem(&self) -> String {
        self.inner.private_key_pem()
    }

    /// Fingerprint of the public key.
    #[napi(getter, catch_unwind)]
    pub fn fingerprint(&self) -> String {
        self.inner.public_key().fingerprint().to_string()
    }

    /// Signs a payload string: the `Signature` header value (base64 DER).
    #[napi(catch_unwind)]
    pub fn sign(
        &self,
        payload_b64: String,
        digest_name: Option<String>,
    ) -> napi::Result<String, String> {
        Ok(self.inner.sign_with(&payload_b64, digest(digest_name)?))
    }

    /// Builds a complete delivery. `timestamp`: a fixed envelope timestamp; `omitTimestamp`
    /// leaves the field out; neither gives the current time.
    #[napi(catch_unwind)]
    pub fn delivery(
        &self,
        domain: String,
        resource_json: String,
        timestamp: Option<String>,
        omit_timestamp: Option<bool>,
        digest_name: Option<String>,
    ) -> napi::Result<NativeDelivery, String> {
        let mut options = DeliveryOptions::default().digest(digest(digest_name)?);
        if omit_timestamp.unwrap_or(false) {
            options = options.timestamp(None);
        } else if let Some(ts) = timestamp.as_deref() {
            options = options.timestamp(Some(ts));
        }
        let d = self
            .inner
            .delivery_with(&domain, &resource_json, &options)
            .map_err(core_err)?;
        Ok(NativeDelivery {
            body: d.body.into(),
            headers: d.headers.into_iter().map(|(n, v)| vec![n, v]).collect(),
            payload: d.payload,
            signature: d.signature,
        })
    }
}
