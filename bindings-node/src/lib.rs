//! Node.js binding of the palisade-webhooks core (napi-rs).
//!
//! Thin by design: every export converts arguments, calls the core and maps errors. Every export
//! is compiled with `catch_unwind`, and work run on the libuv pool catches panics itself, so no
//! panic crosses into Node. The JavaScript layer (`index.js`) turns the `code` of the errors
//! thrown here into `WebhookError` (core codes, `ERR_*`) or `TypeError` (argument errors).

#![deny(clippy::all)]

mod body;
mod dedup;
mod diagnose;
mod event;
mod headers;
mod receiver;
mod signer;

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::JsValue;
use napi_derive::napi;
use palisade_webhooks::{Digest, Webhook, WebhookOptions};

use body::BodyError;
pub use dedup::{JsClaim, JsDeduplicator, JsStore};
pub use event::JsEvent;
use headers::HeaderError;
pub use receiver::{JsReceiver, JsTicket};
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

/// A failure inside the binding itself (a caught panic): the JavaScript layer reports it as an
/// internal error to be reported.
pub(crate) fn internal_err(message: &str) -> napi::Error {
    napi::Error::new(Status::GenericFailure, message.to_string())
}

fn pending(what: &str) -> napi::Error<String> {
    napi::Error::new(
        Status::PendingException.as_ref().to_string(),
        format!("a JavaScript exception was thrown while reading the {what}"),
    )
}

pub(crate) fn header_err(e: HeaderError) -> napi::Error<String> {
    match e {
        HeaderError::Type(m) => arg_err(m),
        HeaderError::Pending => pending("headers"),
    }
}

pub(crate) fn body_err(e: BodyError) -> napi::Error<String> {
    match e {
        BodyError::Type(m) => arg_err(m),
        BodyError::Pending => pending("body"),
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
    pub(crate) inner: Arc<Webhook>,
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

    /// Verifies a body (a string, or bytes read in place) with its headers.
    #[napi(catch_unwind)]
    pub fn verify(&self, body: Unknown, headers: Unknown) -> napi::Result<JsEvent, String> {
        let (bytes, signature) = read_delivery(body, headers)?;
        self.inner
            .verify_with_signature(&bytes, signature.value())
            .map(JsEvent::from)
            .map_err(core_err)
    }

    /// The core's diagnosis of a delivery (what the CLI's `doctor` prints).
    #[napi(catch_unwind)]
    pub fn diagnose(
        &self,
        body: Unknown,
        headers: Unknown,
    ) -> napi::Result<diagnose::NativeDiagnosis, String> {
        let (bytes, signature) = read_delivery(body, headers)?;
        Ok(self.inner.diagnose(&bytes, signature.pairs()).into())
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
    ///
    /// Only the conversion runs here, on the JS thread: each delivery's `Signature` header and
    /// a copy of its body (JavaScript may change the buffer while the pool works). Everything
    /// else runs in the task, so concurrent batches use as many pool threads as they are.
    #[napi(catch_unwind)]
    pub fn verify_batch(
        &self,
        bodies: Vec<Unknown>,
        headers: Vec<Unknown>,
    ) -> napi::Result<AsyncTask<BatchTask>, String> {
        if bodies.len() != headers.len() {
            return Err(arg_err("bodies and headers must have the same length"));
        }
        // Every header collection first (they may run JavaScript), then the bodies, copied.
        let signatures = headers
            .iter()
            .map(|h| {
                let v = h.value();
                unsafe { headers::signature(v.env, v.value) }.map_err(header_err)
            })
            .collect::<napi::Result<Vec<_>, String>>()?;
        let mut items = Vec::with_capacity(bodies.len());
        for (body, signature) in bodies.iter().zip(signatures) {
            let v = body.value();
            let bytes = unsafe { body::read(v.env, v.value) }
                .map_err(body_err)?
                .into_owned();
            items.push((bytes, signature));
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

/// Reads a delivery's `Signature` header, then its body (in that order: see `body.rs`). The
/// body may borrow a JS buffer: use it before any JavaScript runs.
pub(crate) fn read_delivery<'a>(
    body: Unknown,
    headers: Unknown,
) -> napi::Result<(std::borrow::Cow<'a, [u8]>, headers::Signature), String> {
    let h = headers.value();
    // SAFETY: both handles belong to the current call.
    let signature = unsafe { headers::signature(h.env, h.value) }.map_err(header_err)?;
    let b = body.value();
    let bytes = unsafe { body::read(b.env, b.value) }.map_err(body_err)?;
    Ok((bytes, signature))
}

/// One delivery of a batch: its body and `Signature` header, owned.
type BatchItem = (Vec<u8>, headers::Signature);

/// Work item of `verifyBatch`: owned bodies and signatures, verified off the JS thread.
pub struct BatchTask {
    webhook: Arc<Webhook>,
    items: Vec<BatchItem>,
}

/// A refused delivery of `verifyBatch`: its error code and message (verified deliveries come
/// back as `Event`s, in the same array, so a batch of good deliveries creates no other object).
#[napi(object, object_from_js = false)]
pub struct BatchFailure {
    pub code: String,
    pub message: String,
}

type BatchResult = std::result::Result<palisade_webhooks::Event, (String, String)>;

impl Task for BatchTask {
    type Output = Vec<BatchResult>;
    type JsValue = Vec<Either<JsEvent, BatchFailure>>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let webhook = &self.webhook;
        Ok(self
            .items
            .iter()
            .map(|(body, signature)| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    webhook
                        .verify_with_signature(body, signature.value())
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
                Ok(event) => Either::A(JsEvent::from(event)),
                Err((code, message)) => Either::B(BatchFailure { code, message }),
            })
            .collect())
    }
}

/// The documentation's function: never throws, `false` for every failure.
#[napi(catch_unwind)]
pub fn verify_webhook(public_key_b64: String, signature_b64: String, payload_b64: String) -> bool {
    palisade_webhooks::verify_webhook(&public_key_b64, &signature_b64, &payload_b64)
}

/// Panics on purpose: lets the test suite prove a panic becomes a JS error, not a crash.
#[napi(catch_unwind, js_name = "__panicForTests")]
pub fn panic_for_tests() -> napi::Result<(), String> {
    panic!("deliberate panic (test hook)");
}

/// Every allocation of the addon's Rust code (the core's included). Node frees an event only
/// when its finalizer runs, after a garbage collection and on a later turn of the event loop,
/// so the events of many deliveries are freed together, their memory cold; verifyBatch's are
/// allocated on pool threads and freed on the JS thread. mimalloc's per-page free lists make
/// both cheap where glibc's malloc consolidates its fast bins (see docs/architecture.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
