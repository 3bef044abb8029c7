//! Node.js binding of the palisade-webhooks core (napi-rs).
//!
//! Thin by design: every export converts arguments, calls the core and maps errors. Every export
//! is compiled with `catch_unwind`, and work run on the libuv pool catches panics itself, so no
//! panic crosses into Node. The JavaScript layer (`index.js`) turns the `code` of the errors
//! thrown here into `WebhookError` (core codes, `ERR_*`) or `TypeError` (argument errors).

#![deny(clippy::all)]

mod dedup;
mod event;
mod headers;
mod signer;

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::JsValue;
use napi_derive::napi;
use palisade_webhooks::{Digest, Webhook, WebhookOptions};

pub use dedup::{JsClaim, JsDeduplicator, JsStore};
pub use event::JsEvent;
use headers::{HeaderError, JsHeaders};
pub use signer::JsTestSigner;

// Errors thrown to JavaScript carry a string `code` (`napi::Error<String>`): a core code
// (`ERR_*`), `InvalidArg` for argument errors, `PendingException` when a JS exception is already
// on its way.

/// A core error, thrown with its stable code.
pub(crate) fn core_err(e: palisade_webhooks::Error) -> napi::Error<String> {
    napi::Error::new(e.code().as_str().to_string(), e.message().to_string())
}

/// An argument error (the JavaScript layer throws it as a `TypeError`).
pub(crate) fn arg_err(message: impl Into<String>) -> napi::Error<String> {
    napi::Error::new("InvalidArg".to_string(), message.into())
}

fn header_err(e: HeaderError) -> napi::Error<String> {
    match e {
        HeaderError::Type(m) => arg_err(m),
        HeaderError::Pending => napi::Error::new(
            Status::PendingException.as_ref().to_string(),
            "a JavaScript exception was thrown while reading the headers".to_string(),
        ),
    }
}

/// A non-negative number of seconds as a `Duration`.
pub(crate) fn seconds(name: &str, value: f64) -> napi::Result<Duration, String> {
    if !value.is_finite() || !(0.0..=1e12).contains(&value) {
        return Err(arg_err(format!(
            "{name} must be a finite, non-negative number of seconds"
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

/// A non-negative integer.
pub(crate) fn count(name: &str, value: f64) -> napi::Result<usize, String> {
    if !value.is_finite() || value < 0.0 || value.fract() != 0.0 || value > 9_007_199_254_740_991.0
    {
        return Err(arg_err(format!("{name} must be a non-negative integer")));
    }
    Ok(value as usize)
}

pub(crate) fn digest(value: Option<String>) -> napi::Result<Digest, String> {
    match value {
        None => Ok(Digest::Sha256),
        Some(d) => d.parse::<Digest>().map_err(|e| arg_err(e.to_string())),
    }
}

/// The native verifier behind `Webhook` (see `index.js`).
#[napi(js_name = "NativeWebhook")]
pub struct JsWebhook {
    inner: Arc<Webhook>,
}

#[napi]
impl JsWebhook {
    /// Parses the key(s) once and prepares them.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        keys: Vec<String>,
        max_body_bytes: Option<f64>,
        digest_name: Option<String>,
        max_age_seconds: Option<f64>,
    ) -> napi::Result<Self, String> {
        let mut options = WebhookOptions::default().digest(digest(digest_name)?);
        if let Some(n) = max_body_bytes {
            options = options.max_body_bytes(count("maxBodyBytes", n)?);
        }
        if let Some(s) = max_age_seconds {
            options = options.max_age(Some(seconds("maxAge", s)?));
        }
        let webhook = Webhook::from_keys(&keys, options).map_err(core_err)?;
        Ok(JsWebhook {
            inner: Arc::new(webhook),
        })
    }

    /// Verifies a body given as bytes (Buffer / Uint8Array, read in place).
    #[napi(catch_unwind)]
    pub fn verify_bytes(&self, body: &[u8], headers: Unknown) -> napi::Result<JsEvent, String> {
        self.verify_raw(body, headers)
    }

    /// Verifies a body given as a string.
    #[napi(catch_unwind)]
    pub fn verify_string(&self, body: String, headers: Unknown) -> napi::Result<JsEvent, String> {
        self.verify_raw(body.as_bytes(), headers)
    }

    /// The low-level check; returns the fingerprint of the key that verified.
    #[napi(catch_unwind)]
    pub fn verify_signature(
        &self,
        payload_b64: String,
        signature_b64: String,
    ) -> napi::Result<String, String> {
        self.inner
            .verify_signature(&payload_b64, &signature_b64)
            .map_err(core_err)
    }

    /// Verifies many deliveries on the libuv thread pool. `bodies[i]` goes with `headers[i]`.
    #[napi(catch_unwind)]
    pub fn verify_batch(
        &self,
        bodies: Vec<&[u8]>,
        headers: Vec<Unknown>,
    ) -> napi::Result<AsyncTask<BatchTask>, String> {
        if bodies.len() != headers.len() {
            return Err(arg_err("bodies and headers must have the same length"));
        }
        let mut items = Vec::with_capacity(bodies.len());
        for (body, h) in bodies.into_iter().zip(headers) {
            let value = h.value();
            let pairs = unsafe { JsHeaders::new(value.env, value.value) }
                .and_then(|h| h.to_owned_pairs())
                .map_err(header_err)?;
            items.push((body.to_vec(), pairs));
        }
        Ok(AsyncTask::new(BatchTask {
            webhook: Arc::clone(&self.inner),
            items,
        }))
    }

    /// Fingerprints of the configured keys, in the order they are tried.
    #[napi(getter, catch_unwind)]
    pub fn key_fingerprints(&self) -> Vec<String> {
        self.inner
            .keys()
            .iter()
            .map(|k| k.fingerprint().to_string())
            .collect()
    }

    /// The configured `maxBodyBytes`.
    #[napi(getter, catch_unwind)]
    pub fn max_body_bytes(&self) -> f64 {
        self.inner.options().max_body_bytes as f64
    }

    /// The configured digest construction.
    #[napi(getter, catch_unwind)]
    pub fn digest(&self) -> String {
        self.inner.options().digest.as_str().to_string()
    }

    /// The configured `maxAge` in seconds, or null.
    #[napi(getter, catch_unwind)]
    pub fn max_age_seconds(&self) -> Option<f64> {
        self.inner.options().max_age.map(|d| d.as_secs_f64())
    }
}

impl JsWebhook {
    fn verify_raw(&self, body: &[u8], headers: Unknown) -> napi::Result<JsEvent, String> {
        let value = headers.value();
        // SAFETY: both handles belong to the current call.
        let headers = unsafe { JsHeaders::new(value.env, value.value) }.map_err(header_err)?;
        let result = self.inner.verify(body, headers.iter());
        if let Some(e) = headers.take_error() {
            return Err(header_err(e));
        }
        result.map(JsEvent::from).map_err(core_err)
    }
}

/// One delivery of a batch: its body and header pairs, owned.
type BatchItem = (Vec<u8>, Vec<(String, String)>);

/// Work item of `verifyBatch`: owned bodies and headers, verified off the JS thread.
pub struct BatchTask {
    webhook: Arc<Webhook>,
    items: Vec<BatchItem>,
}

/// One result of `verifyBatch`: an event, or an error code and message.
#[napi(object, object_from_js = false)]
pub struct BatchOutcome {
    pub event: Option<JsEvent>,
    pub code: Option<String>,
    pub message: Option<String>,
}

type BatchResult = std::result::Result<palisade_webhooks::Event, (String, String)>;

impl Task for BatchTask {
    type Output = Vec<BatchResult>;
    type JsValue = Vec<BatchOutcome>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let webhook = &self.webhook;
        Ok(self
            .items
            .iter()
            .map(|(body, headers)| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    webhook
                        .verify(body, headers)
                        .map_err(|e| (e.code().as_str().to_string(), e.message().to_string()))
                }))
                .unwrap_or_else(|_| {
                    Err((
                        "InternalError".to_string(),
                        "internal error while verifying (please report it)".to_string(),
                    ))
                })
            })
            .collect())
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output
            .into_iter()
            .map(|r| match r {
                Ok(event) => BatchOutcome {
                    event: Some(JsEvent::from(event)),
                    code: None,
                    message: None,
                },
                Err((code, message)) => BatchOutcome {
                    event: None,
                    code: Some(code),
                    message: Some(message),
                },
            })
            .collect())
    }
}

/// The documentation's function: never throws, `false` for every failure.
#[napi(catch_unwind)]
pub fn verify_webhook(public_key_b64: String, signature_b64: String, payload_b64: String) -> bool {
    palisade_webhooks::verify_webhook(&public_key_b64, &signature_b64, &payload_b64)
}

/// Every error code, in the core's stable order.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    palisade_webhooks::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

/// The HTTP status a receiver should answer for an error code (the core's one table, shared by
/// every language); `null` for a string that is not an error code.
#[napi(catch_unwind)]
pub fn http_status_for(code: String) -> Option<u32> {
    palisade_webhooks::ErrorCode::from_str_code(&code).map(|c| u32::from(c.http_status()))
}

/// Panics on purpose: lets the test suite prove a panic becomes a JS error, not a crash.
#[napi(catch_unwind, js_name = "__panicForTests")]
pub fn panic_for_tests() -> napi::Result<(), String> {
    panic!("deliberate panic (test hook)");
}
