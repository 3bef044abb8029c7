//! Verification: `PwWebhook` (keys plus options) and the documentation's one-shot function.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::time::Duration;

use palisade_webhooks::{verify_webhook, Digest, Event, Webhook, WebhookOptions};

use crate::event::{event_data_into, PwEvent, PwEventData};
use crate::memory::{
    bytes, free_handle, handle, put, put_handle, string_list, text, Headers, PwBuf,
};
use crate::status::{guard, Fail, PwError, PwStatus};

/// Options for `pw_webhook_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwWebhookOptions {
    /// Whether `max_body_bytes` is set (default 1 MiB).
    pub has_max_body_bytes: bool,
    /// Bodies longer than this are refused with `PW_ERR_BODY_TOO_LARGE`.
    pub max_body_bytes: u64,
    /// Whether `max_age_ns` is set (default: no freshness check).
    pub has_max_age: bool,
    /// Maximum age of the signed `updatedAt`, in nanoseconds.
    pub max_age_ns: u64,
}

/// A verifier: one or more public keys plus options. Thread-safe.
pub struct PwWebhook {
    pub(crate) inner: Webhook,
}

/// Parses a digest name (empty = the default).
pub(crate) fn digest(name: &str) -> Result<Digest, Fail> {
    if name.is_empty() {
        return Ok(Digest::default());
    }
    name.parse::<Digest>()
        .map_err(|e| Fail::arg(format!("{e}")))
}

/// Builds a verifier from `key_count` public keys (base64 SPKI, PEM or SEC1; passed flat:
/// `keys_data` holds them back to back, `key_lens` their lengths). `digest` is `"sha256"`,
/// `"sha256-double"` or empty for the default; `options` may be NULL. On success `*out` is a
/// new handle (free with `pw_webhook_free`); on failure it is NULL.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `out` valid for writes; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn pw_webhook_new(
    keys_data: *const u8,
    keys_data_len: usize,
    key_lens: *const usize,
    key_count: usize,
    digest_name: *const u8,
    digest_len: usize,
    options: *const PwWebhookOptions,
    out: *mut *mut PwWebhook,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: the caller's guarantees are forwarded to each helper.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let keys = string_list(keys_data, keys_data_len, key_lens, key_count, "keys")?;
            let digest = digest(&text(digest_name, digest_len, "digest")?)?;
            let given = options.as_ref().copied().unwrap_or_default();
            let mut opts = WebhookOptions::default().digest(digest);
            if given.has_max_body_bytes {
                let max = usize::try_from(given.max_body_bytes).unwrap_or(usize::MAX);
                opts = opts.max_body_bytes(max);
            }
            if given.has_max_age {
                opts = opts.max_age(Some(Duration::from_nanos(given.max_age_ns)));
            }
            let webhook = Webhook::from_keys(&keys, opts)?;
            put_handle(out, PwWebhook { inner: webhook })
        })
    }
}

/// Frees a verifier. Accepts NULL. Receivers built on it keep their own reference.
///
/// # Safety
/// `webhook` is NULL or a handle from `pw_webhook_new` not yet freed, used by no other thread.
#[no_mangle]
pub unsafe extern "C" fn pw_webhook_free(webhook: *mut PwWebhook) {
    // SAFETY: forwarded.
    unsafe { free_handle(webhook) }
}

/// The verifier's `max_body_bytes` (0 for NULL), so an HTTP adapter can cap its reads.
///
/// # Safety
/// `webhook` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn pw_webhook_max_body_bytes(webhook: *const PwWebhook) -> u64 {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        match unsafe { webhook.as_ref() } {
            Some(w) => u64::try_from(w.inner.options().max_body_bytes).unwrap_or(u64::MAX),
            None => 0,
        }
    }))
    .unwrap_or(0)
}

/// The verification both `pw_webhook_verify` exports share: the webhook, the body and the flat
/// header list read from the caller's pointers, then the core's `verify`.
///
/// # Safety
/// As for `pw_webhook_verify`.
unsafe fn verify_flat(
    webhook: *const PwWebhook,
    (body, body_len): (*const u8, usize),
    (data, data_len, lens, count): (*const u8, usize, *const usize, usize),
) -> Result<Event, Fail> {
    // SAFETY: forwarded from the export's caller.
    unsafe {
        let webhook = handle(webhook, "webhook")?;
        let body = bytes(body, body_len, "body")?;
        let headers = Headers::read(data, data_len, lens, count)?;
        Ok(webhook.inner.verify(body, headers.pairs())?)
    }
}

/// Verifies a delivery: `body` is the raw HTTP body; the headers are `header_count` (name,
/// value) pairs passed flat (`header_lens` holds `2 * header_count` lengths: name, value, name,
/// value, ...). The `Signature` header is found case-insensitively by the core. On success
/// `*out` is a new event (free with `pw_event_free`); on failure it is NULL.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `webhook` live; `out` valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pw_webhook_verify(
    webhook: *const PwWebhook,
    body: *const u8,
    body_len: usize,
    header_data: *const u8,
    header_data_len: usize,
    header_lens: *const usize,
    header_count: usize,
    out: *mut *mut PwEvent,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: the caller's guarantees are forwarded to each helper.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let event = verify_flat(
                webhook,
                (body, body_len),
                (header_data, header_data_len, header_lens, header_count),
            )?;
            put_handle(out, PwEvent { inner: event })
        })
    }
}

/// `pw_webhook_verify` and `pw_event_data_into` in one call, without an event handle: on
/// success `*out` holds the event's data, written to `buf` (`cap` bytes) when it fits (then
/// `out->bytes.ptr` is NULL), else in an owned buffer (free with `pw_event_data_free`). About
/// `2.5 * body_len + 256` bytes hold a typical event. On failure `*out` is empty.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `buf` valid for writes of `cap` bytes and
/// overlapping no input; `webhook` live; `out` valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pw_webhook_verify_into(
    webhook: *const PwWebhook,
    body: *const u8,
    body_len: usize,
    header_data: *const u8,
    header_data_len: usize,
    header_lens: *const usize,
    header_count: usize,
    buf: *mut u8,
    cap: usize,
    out: *mut PwEventData,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: the caller's guarantees are forwarded to each helper.
    unsafe {
        guard(err, || {
            put(out, PwEventData::EMPTY, "out")?;
            let event = verify_flat(
                webhook,
                (body, body_len),
                (header_data, header_data_len, header_lens, header_count),
            )?;
            event_data_into(&event, buf, cap, out)
        })
    }
}

/// The low-level check: does `signature` (base64 DER) sign `payload` (the base64 text, exactly
/// as in the envelope) under one of the keys? On success `*fingerprint` receives the fingerprint
/// of the key that verified (free with `pw_buf_free`); it may be NULL when not wanted.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `webhook` live; `fingerprint` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn pw_webhook_verify_signature(
    webhook: *const PwWebhook,
    payload: *const u8,
    payload_len: usize,
    signature: *const u8,
    signature_len: usize,
    fingerprint: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: the caller's guarantees are forwarded to each helper.
    unsafe {
        guard(err, || {
            if !fingerprint.is_null() {
                ptr::write(fingerprint, PwBuf::EMPTY);
            }
            let webhook = handle(webhook, "webhook")?;
            let payload = text(payload, payload_len, "payload")?;
            let signature = text(signature, signature_len, "signature")?;
            let fp = webhook.inner.verify_signature(&payload, &signature)?;
            if !fingerprint.is_null() {
                ptr::write(fingerprint, PwBuf::from_string(fp));
            }
            Ok(())
        })
    }
}

/// The documentation's function: does `signature_b64` sign `payload_b64` under
/// `public_key_b64`? `false` for every failure (including bad input and NULLs); never fails.
///
/// # Safety
/// Pointers NULL or valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn pw_verify_webhook(
    public_key_b64: *const u8,
    public_key_len: usize,
    signature_b64: *const u8,
    signature_len: usize,
    payload_b64: *const u8,
    payload_len: usize,
) -> bool {
    catch_unwind(AssertUnwindSafe(|| -> Result<bool, Fail> {
        // SAFETY: guaranteed by the caller.
        unsafe {
            let key = text(public_key_b64, public_key_len, "public key")?;
            let sig = text(signature_b64, signature_len, "signature")?;
            let payload = text(payload_b64, payload_len, "payload")?;
            Ok(verify_webhook(&key, &sig, &payload))
        }
    }))
    .ok()
    .and_then(Result::ok)
    .unwrap_or(false)
}
