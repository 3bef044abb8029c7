//! C ABI over the `palisade-webhooks` core, consumed by the Go package `palisade` through cgo.
//!
//! The header `include/palisade_webhooks.h` is generated from this file by cbindgen (see
//! `tests/header.rs`). The rules every export follows:
//!
//! * **Status plus message in the same call.** Each fallible function returns a status code
//!   (`PW_OK` = 0, otherwise one of the `PW_ERR_*` codes) and, when its `err` argument is not
//!   NULL, fills that `PwError` with the code and a message. There is no thread-local "last
//!   error". The previous contents of `*err` are overwritten without being freed: pass a zeroed
//!   `PwError`, and free a filled one with `pw_error_free`.
//! * **Inputs are pointer + length.** A NULL pointer is allowed when the length is 0. Text inputs
//!   that are not UTF-8 are decoded lossily (so a bad header or key gives the SDK's typed error,
//!   never a crash). Lists of strings are passed flat: one byte buffer holding every string back
//!   to back, plus an array of lengths (no pointers inside caller memory).
//! * **Opaque handles** (`PwWebhook`, `PwEvent`, `PwSigner`, `PwStore`, `PwDedup`, `PwClaim`)
//!   are created and freed by this library; every `*_free` accepts NULL. `PwWebhook`,
//!   `PwStore` and `PwDedup` may be used from many threads at once; freeing a handle while
//!   another thread uses it is the caller's bug.
//! * **Outputs are owned buffers** (`PwBuf`, NUL-terminated for convenience; `len` excludes the
//!   terminator) or views borrowed from a handle (`PwStr`, valid until the handle is freed).
//!   The caller copies what it needs and frees buffers with `pw_buf_free`.
//! * **No panic crosses the boundary.** Every export runs inside `catch_unwind`; a panic (a bug)
//!   becomes `PW_ERR_INTERNAL`.

#![deny(unsafe_op_in_unsafe_fn)]

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use palisade_webhooks::dedup::Claim;
use palisade_webhooks::testing::{DeliveryOptions, TestSigner};
use palisade_webhooks::{
    verify_webhook, ClaimOutcome, Deduplicator, Digest, ErrorCode, Event, IdempotencyStore,
    MemoryStore, Webhook, WebhookOptions,
};

/// A status code: `PW_OK` or one of the `PW_ERR_*` values.
pub type PwStatus = i32;

/// Success.
pub const PW_OK: PwStatus = 0;
/// `ERR_MISSING_SIGNATURE`
pub const PW_ERR_MISSING_SIGNATURE: PwStatus = 1;
/// `ERR_MALFORMED_SIGNATURE`
pub const PW_ERR_MALFORMED_SIGNATURE: PwStatus = 2;
/// `ERR_INVALID_SIGNATURE`
pub const PW_ERR_INVALID_SIGNATURE: PwStatus = 3;
/// `ERR_INVALID_PUBLIC_KEY`
pub const PW_ERR_INVALID_PUBLIC_KEY: PwStatus = 4;
/// `ERR_BODY_NOT_RAW`
pub const PW_ERR_BODY_NOT_RAW: PwStatus = 5;
/// `ERR_BODY_TOO_LARGE`
pub const PW_ERR_BODY_TOO_LARGE: PwStatus = 6;
/// `ERR_MALFORMED_ENVELOPE`
pub const PW_ERR_MALFORMED_ENVELOPE: PwStatus = 7;
/// `ERR_MALFORMED_PAYLOAD`
pub const PW_ERR_MALFORMED_PAYLOAD: PwStatus = 8;
/// `ERR_STALE_EVENT`
pub const PW_ERR_STALE_EVENT: PwStatus = 9;
/// `ERR_STORE_UNAVAILABLE`
pub const PW_ERR_STORE_UNAVAILABLE: PwStatus = 10;
/// A programming error on the caller's side: NULL where a value is required, lengths that do
/// not add up, an unknown digest name. Not a delivery error.
pub const PW_ERR_INVALID_ARGUMENT: PwStatus = 64;
/// A bug inside the library (a caught panic). Please report it.
pub const PW_ERR_INTERNAL: PwStatus = 65;

/// `pw_dedup_claim` outcome: first time (or a retry after a failure): process, then complete
/// or release the claim.
pub const PW_CLAIM_NEW: i32 = 1;
/// `pw_dedup_claim` outcome: already processed; answer 2xx without processing.
pub const PW_CLAIM_DUPLICATE: i32 = 2;
/// `pw_dedup_claim` outcome: another worker holds it; answer 409 so it is retried later.
pub const PW_CLAIM_IN_PROGRESS: i32 = 3;

/// `pw_signer_delivery` timestamp mode: the current time.
pub const PW_TIMESTAMP_NOW: i32 = 0;
/// `pw_signer_delivery` timestamp mode: leave the envelope's `timestamp` out.
pub const PW_TIMESTAMP_OMIT: i32 = 1;
/// `pw_signer_delivery` timestamp mode: use the given text.
pub const PW_TIMESTAMP_FIXED: i32 = 2;

fn status_of(code: ErrorCode) -> PwStatus {
    match code {
        ErrorCode::MissingSignature => PW_ERR_MISSING_SIGNATURE,
        ErrorCode::MalformedSignature => PW_ERR_MALFORMED_SIGNATURE,
        ErrorCode::InvalidSignature => PW_ERR_INVALID_SIGNATURE,
        ErrorCode::InvalidPublicKey => PW_ERR_INVALID_PUBLIC_KEY,
        ErrorCode::BodyNotRaw => PW_ERR_BODY_NOT_RAW,
        ErrorCode::BodyTooLarge => PW_ERR_BODY_TOO_LARGE,
        ErrorCode::MalformedEnvelope => PW_ERR_MALFORMED_ENVELOPE,
        ErrorCode::MalformedPayload => PW_ERR_MALFORMED_PAYLOAD,
        ErrorCode::StaleEvent => PW_ERR_STALE_EVENT,
        ErrorCode::StoreUnavailable => PW_ERR_STORE_UNAVAILABLE,
        // A code added to the core without a number here: caught by the unit tests below.
        _ => PW_ERR_INTERNAL,
    }
}

/// An owned byte buffer allocated by this library. `ptr` is NULL when empty-and-unset;
/// `ptr[len]` is a NUL byte. Free with `pw_buf_free`.
#[repr(C)]
#[derive(Debug)]
pub struct PwBuf {
    /// First byte (NUL-terminated).
    pub ptr: *mut u8,
    /// Length in bytes, without the terminator.
    pub len: usize,
}

impl PwBuf {
    const EMPTY: PwBuf = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };

    fn from_vec(mut bytes: Vec<u8>) -> PwBuf {
        let len = bytes.len();
        bytes.push(0);
        let boxed = bytes.into_boxed_slice();
        PwBuf {
            ptr: Box::into_raw(boxed) as *mut u8,
            len,
        }
    }

    fn from_string(s: String) -> PwBuf {
        PwBuf::from_vec(s.into_bytes())
    }

    /// # Safety
    /// `self` must come from `from_vec` (or be EMPTY).
    unsafe fn release(&mut self) {
        if !self.ptr.is_null() {
            let slice = ptr::slice_from_raw_parts_mut(self.ptr, self.len + 1);
            // SAFETY: allocated by `from_vec` as a boxed slice of exactly len + 1 bytes.
            drop(unsafe { Box::from_raw(slice) });
        }
        *self = PwBuf::EMPTY;
    }
}

/// A borrowed view of text owned by a handle. `ptr` is NULL when the value is absent; a present
/// empty string has a non-NULL `ptr` and `len` 0 (do not dereference it).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PwStr {
    /// First byte (not NUL-terminated).
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl PwStr {
    const ABSENT: PwStr = PwStr {
        ptr: ptr::null(),
        len: 0,
    };

    fn of(s: &str) -> PwStr {
        PwStr {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    fn opt(s: Option<&str>) -> PwStr {
        s.map_or(PwStr::ABSENT, PwStr::of)
    }
}

/// The error half of a call: `code` (as returned) and a message saying what to fix.
#[repr(C)]
#[derive(Debug)]
pub struct PwError {
    /// `PW_OK` or a `PW_ERR_*` code.
    pub code: PwStatus,
    /// The message (empty on success). Freed by `pw_error_free`.
    pub message: PwBuf,
}

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

/// The fields of a verified event, borrowed from its `PwEvent` (valid until `pw_event_free`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PwEventView {
    /// The envelope's domain (unsigned; empty when the envelope had none).
    pub domain: PwStr,
    /// The envelope's timestamp (unsigned; NULL when absent).
    pub timestamp: PwStr,
    /// The signed idempotency key.
    pub idempotency_key: PwStr,
    /// The resource's `id` (NULL when absent).
    pub resource_id: PwStr,
    /// The resource's `updatedAt` (NULL when absent).
    pub updated_at: PwStr,
    /// The resource's `status` (NULL when absent).
    pub status: PwStr,
    /// The decoded payload JSON, exactly as signed.
    pub raw: PwStr,
    /// The signed base64 payload string.
    pub payload: PwStr,
    /// Fingerprint of the key that verified the delivery.
    pub key_fingerprint: PwStr,
}

/// A signed test delivery made by `pw_signer_delivery`. Free with `pw_delivery_free`.
#[repr(C)]
#[derive(Debug)]
pub struct PwDelivery {
    /// The raw JSON body.
    pub body: PwBuf,
    /// The headers as a JSON array of `[name, value]` pairs.
    pub headers_json: PwBuf,
    /// The envelope's `payload` string (what was signed).
    pub payload: PwBuf,
    /// The `Signature` header value.
    pub signature: PwBuf,
}

/// A verifier: one or more public keys plus options. Thread-safe.
pub struct PwWebhook {
    inner: Webhook,
}

/// A verified event.
pub struct PwEvent {
    inner: Event,
}

/// A test signer (P-256 key pair).
pub struct PwSigner {
    inner: TestSigner,
}

/// An idempotency store (memory, SQLite or Redis: one handle type). Thread-safe.
pub struct PwStore {
    inner: Arc<dyn IdempotencyStore>,
}

/// A deduplicator over a store. Thread-safe.
pub struct PwDedup {
    inner: Deduplicator,
}

/// A held claim from `pw_dedup_claim`.
pub struct PwClaim {
    inner: Claim,
}

/// A failed call: status plus message.
struct Fail {
    code: PwStatus,
    message: String,
}

impl Fail {
    fn arg(message: impl Into<String>) -> Fail {
        Fail {
            code: PW_ERR_INVALID_ARGUMENT,
            message: message.into(),
        }
    }
}

/// An option the core refuses (zero, or absurdly large): `PW_ERR_INVALID_ARGUMENT`.
impl From<palisade_webhooks::dedup::InvalidOption> for Fail {
    fn from(e: palisade_webhooks::dedup::InvalidOption) -> Fail {
        Fail::arg(e.to_string())
    }
}

impl From<palisade_webhooks::Error> for Fail {
    fn from(e: palisade_webhooks::Error) -> Fail {
        Fail {
            code: status_of(e.code()),
            message: e.message().to_string(),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    format!("internal error (a bug in palisade-webhooks, please report it): panic: {detail}")
}

/// Runs `f` inside `catch_unwind` and reports its outcome through the status and `*err`.
///
/// # Safety
/// `err` is NULL or valid for writes.
unsafe fn guard(err: *mut PwError, f: impl FnOnce() -> Result<(), Fail>) -> PwStatus {
    let outcome = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => None,
        Ok(Err(fail)) => Some(fail),
        Err(payload) => Some(Fail {
            code: PW_ERR_INTERNAL,
            message: panic_message(payload.as_ref()),
        }),
    };
    let (code, message) = match outcome {
        None => (PW_OK, PwBuf::EMPTY),
        Some(fail) => (fail.code, PwBuf::from_string(fail.message)),
    };
    if err.is_null() {
        let mut message = message;
        // SAFETY: just allocated by from_string (or EMPTY).
        unsafe { message.release() };
    } else {
        // SAFETY: the caller guarantees `err` is valid for writes.
        unsafe { ptr::write(err, PwError { code, message }) };
    }
    code
}

/// Borrows `len` bytes at `ptr` (NULL allowed when `len` is 0).
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Fail> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Fail::arg(format!("{what} is NULL with a length of {len}")));
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows text (lossily decoded when it is not UTF-8).
///
/// # Safety
/// As for [`bytes`].
unsafe fn text<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<std::borrow::Cow<'a, str>, Fail> {
    // SAFETY: forwarded.
    Ok(String::from_utf8_lossy(unsafe { bytes(ptr, len, what)? }))
}

/// Splits a flat string list (`data` holding `count` strings back to back, their lengths in
/// `lens`) into borrowed, lossily decoded strings.
///
/// # Safety
/// `data` valid for `data_len` bytes, `lens` valid for `count` elements (each NULL when 0).
unsafe fn string_list<'a>(
    data: *const u8,
    data_len: usize,
    lens: *const usize,
    count: usize,
    what: &str,
) -> Result<Vec<std::borrow::Cow<'a, str>>, Fail> {
    // SAFETY: forwarded.
    let data = unsafe { bytes(data, data_len, what)? };
    let lens: &[usize] = if count == 0 {
        &[]
    } else if lens.is_null() {
        return Err(Fail::arg(format!("{what}: lengths array is NULL")));
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(lens, count) }
    };
    let mut out = Vec::with_capacity(lens.len());
    let mut at = 0usize;
    for &len in lens {
        let end = at
            .checked_add(len)
            .filter(|&end| end <= data.len())
            .ok_or_else(|| Fail::arg(format!("{what}: lengths exceed the buffer")))?;
        out.push(String::from_utf8_lossy(&data[at..end]));
        at = end;
    }
    if at != data.len() {
        return Err(Fail::arg(format!(
            "{what}: lengths do not add up to the buffer length"
        )));
    }
    Ok(out)
}

/// # Safety
/// `p` is NULL or valid for reads.
unsafe fn handle<'a, T>(p: *const T, what: &str) -> Result<&'a T, Fail> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_ref() }.ok_or_else(|| Fail::arg(format!("{what} is NULL")))
}

/// Writes `value` through an out-pointer, or fails when it is NULL.
///
/// # Safety
/// `out` is NULL or valid for writes.
unsafe fn put<T>(out: *mut T, value: T, what: &str) -> Result<(), Fail> {
    if out.is_null() {
        return Err(Fail::arg(format!("{what} (output) is NULL")));
    }
    // SAFETY: guaranteed by the caller.
    unsafe { ptr::write(out, value) };
    Ok(())
}

/// Boxes `value` into a new handle written through `out`; checks `out` first, so a NULL
/// out-pointer never leaks the handle.
///
/// # Safety
/// `out` is NULL or valid for writes.
unsafe fn put_handle<T>(out: *mut *mut T, value: T) -> Result<(), Fail> {
    if out.is_null() {
        return Err(Fail::arg("out (output) is NULL"));
    }
    // SAFETY: checked non-NULL; the caller guarantees validity.
    unsafe { ptr::write(out, Box::into_raw(Box::new(value))) };
    Ok(())
}

/// Parses a digest name (empty = the default).
fn digest(name: &str) -> Result<Digest, Fail> {
    if name.is_empty() {
        return Ok(Digest::default());
    }
    name.parse::<Digest>()
        .map_err(|e| Fail::arg(format!("{e}")))
}

fn duration_ns(ns: u64) -> Duration {
    Duration::from_nanos(ns)
}

/// The library version, NUL-terminated, static.
#[no_mangle]
pub extern "C" fn pw_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The stable name of a status code (`"ERR_INVALID_SIGNATURE"`, `"OK"`, `"INVALID_ARGUMENT"`,
/// `"INTERNAL"`), NUL-terminated and static; NULL for an unknown code.
#[no_mangle]
pub extern "C" fn pw_code_name(code: PwStatus) -> *const c_char {
    let name: &'static str = match code {
        PW_OK => "OK\0",
        PW_ERR_MISSING_SIGNATURE => "ERR_MISSING_SIGNATURE\0",
        PW_ERR_MALFORMED_SIGNATURE => "ERR_MALFORMED_SIGNATURE\0",
        PW_ERR_INVALID_SIGNATURE => "ERR_INVALID_SIGNATURE\0",
        PW_ERR_INVALID_PUBLIC_KEY => "ERR_INVALID_PUBLIC_KEY\0",
        PW_ERR_BODY_NOT_RAW => "ERR_BODY_NOT_RAW\0",
        PW_ERR_BODY_TOO_LARGE => "ERR_BODY_TOO_LARGE\0",
        PW_ERR_MALFORMED_ENVELOPE => "ERR_MALFORMED_ENVELOPE\0",
        PW_ERR_MALFORMED_PAYLOAD => "ERR_MALFORMED_PAYLOAD\0",
        PW_ERR_STALE_EVENT => "ERR_STALE_EVENT\0",
        PW_ERR_STORE_UNAVAILABLE => "ERR_STORE_UNAVAILABLE\0",
        PW_ERR_INVALID_ARGUMENT => "INVALID_ARGUMENT\0",
        PW_ERR_INTERNAL => "INTERNAL\0",
        _ => return ptr::null(),
    };
    name.as_ptr().cast()
}

/// The core's error code for a status, when it is one of the `PW_ERR_*` delivery codes.
fn code_of(status: PwStatus) -> Option<ErrorCode> {
    ErrorCode::ALL.into_iter().find(|&c| status_of(c) == status)
}

/// The HTTP status a receiver should answer for a failed call, as the core defines it for every
/// SDK: 401 for a missing, malformed or invalid signature; 400 for a malformed envelope or
/// payload or a stale event; 413 for a body over the limit; 503 when the idempotency store is
/// unavailable (Palisade retries); 500 for the rest (`PW_ERR_INVALID_PUBLIC_KEY`,
/// `PW_ERR_BODY_NOT_RAW`, `PW_ERR_INVALID_ARGUMENT`, `PW_ERR_INTERNAL`: the receiver's own
/// bug). 0 for `PW_OK` and unknown codes.
#[no_mangle]
pub extern "C" fn pw_http_status(code: PwStatus) -> u16 {
    match code {
        PW_ERR_INVALID_ARGUMENT | PW_ERR_INTERNAL => 500,
        other => catch_unwind(|| code_of(other).map_or(0, ErrorCode::http_status)).unwrap_or(0),
    }
}

/// Frees a buffer's memory and resets it to empty. Accepts NULL and empty buffers.
///
/// # Safety
/// `buf` is NULL or points to a `PwBuf` filled by this library (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_buf_free(buf: *mut PwBuf) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(buf) = unsafe { buf.as_mut() } {
            // SAFETY: filled by this library.
            unsafe { buf.release() };
        }
    }));
}

/// Frees an error's message and resets it to `{PW_OK, empty}`. Accepts NULL.
///
/// # Safety
/// `err` is NULL or points to a `PwError` filled by this library (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_error_free(err: *mut PwError) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(err) = unsafe { err.as_mut() } {
            // SAFETY: filled by this library.
            unsafe { err.message.release() };
            err.code = PW_OK;
        }
    }));
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
                opts = opts.max_age(Some(duration_ns(given.max_age_ns)));
            }
            let webhook = Webhook::from_keys(&keys, opts)?;
            put_handle(out, PwWebhook { inner: webhook })
        })
    }
}

/// Frees a verifier. Accepts NULL.
///
/// # Safety
/// `webhook` is NULL or a handle from `pw_webhook_new` not yet freed, used by no other thread.
#[no_mangle]
pub unsafe extern "C" fn pw_webhook_free(webhook: *mut PwWebhook) {
    if !webhook.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(webhook) })));
    }
}

/// The verifier's `max_body_bytes` (0 for NULL), so an HTTP adapter can cap its reads.
///
/// # Safety
/// `webhook` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn pw_webhook_max_body_bytes(webhook: *const PwWebhook) -> u64 {
    // SAFETY: guaranteed by the caller.
    match unsafe { webhook.as_ref() } {
        Some(w) => u64::try_from(w.inner.options().max_body_bytes).unwrap_or(u64::MAX),
        None => 0,
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
            let webhook = handle(webhook, "webhook")?;
            let body = bytes(body, body_len, "body")?;
            let pairs = header_count
                .checked_mul(2)
                .ok_or_else(|| Fail::arg("header_count overflows"))?;
            let flat = string_list(header_data, header_data_len, header_lens, pairs, "headers")?;
            let headers = flat.chunks_exact(2).map(|p| (&p[0], &p[1]));
            let event = webhook.inner.verify(body, headers)?;
            put_handle(out, PwEvent { inner: event })
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

/// Fills `*view` with the event's fields, borrowed from `event` (valid until `pw_event_free`).
/// Returns false (and leaves `*view` untouched) when either pointer is NULL.
///
/// # Safety
/// `event` NULL or live; `view` NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_view(event: *const PwEvent, view: *mut PwEventView) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        let Some(event) = (unsafe { event.as_ref() }) else {
            return false;
        };
        if view.is_null() {
            return false;
        }
        let e = &event.inner;
        let fields = PwEventView {
            domain: PwStr::of(e.domain.as_str()),
            timestamp: PwStr::opt(e.timestamp.as_deref()),
            idempotency_key: PwStr::of(&e.idempotency_key),
            resource_id: PwStr::opt(e.resource_id.as_deref()),
            updated_at: PwStr::opt(e.updated_at.as_deref()),
            status: PwStr::opt(e.status.as_deref()),
            raw: PwStr::of(e.raw.get()),
            payload: PwStr::of(&e.payload),
            key_fingerprint: PwStr::of(&e.key_fingerprint),
        };
        // SAFETY: checked non-NULL; the caller guarantees validity.
        unsafe { ptr::write(view, fields) };
        true
    }))
    .unwrap_or(false)
}

/// Serialises an event to the JSON wire form shared by every language (free with
/// `pw_buf_free`).
///
/// # Safety
/// `event` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_to_json(
    event: *const PwEvent,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let event = handle(event, "event")?;
            put(out, PwBuf::from_string(event.inner.to_json()), "out")
        })
    }
}

/// Restores an event from its JSON wire form (as written by any language's SDK). This does not
/// re-verify anything. `*out` is a new event (free with `pw_event_free`) or NULL.
///
/// # Safety
/// `json` valid for `json_len` (NULL when 0); `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_from_json(
    json: *const u8,
    json_len: usize,
    out: *mut *mut PwEvent,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let json = text(json, json_len, "json")?;
            let event = Event::from_json(&json)?;
            put_handle(out, PwEvent { inner: event })
        })
    }
}

/// Frees an event. Accepts NULL.
///
/// # Safety
/// `event` NULL or a live event handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_event_free(event: *mut PwEvent) {
    if !event.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(event) })));
    }
}

/// The canonical JSON of an event's typed resource: the core's own serialisation (camelCase,
/// absent fields left out, numbers kept as the text protobuf-JSON allows, unknown enum values
/// kept), or `null` for an unknown domain.
fn resource_json(event: &Event) -> Result<String, Fail> {
    serde_json::to_string(&event.data).map_err(|e| Fail {
        code: PW_ERR_INTERNAL,
        message: format!("the resource could not be serialised: {e}"),
    })
}

/// Writes the canonical JSON of the event's typed resource (free with `pw_buf_free`): the
/// core's serialisation of its model (camelCase, absent fields left out, decimals and 64-bit
/// integers as strings, unknown enum values kept), or `null` for an unknown domain.
///
/// # Safety
/// `event` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_event_resource_json(
    event: *const PwEvent,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let event = handle(event, "event")?;
            put(out, PwBuf::from_string(resource_json(&event.inner)?), "out")
        })
    }
}

/// Parses a resource (`raw`, the decoded payload JSON) with the model of `domain`, exactly as
/// verification does, and writes its canonical JSON as `pw_event_resource_json` does (`null`
/// for an unknown domain). Lets a binding that copied an event's fields decode the typed
/// resource later without re-implementing the model. A resource that does not fit the model
/// fails with `PW_ERR_MALFORMED_PAYLOAD`.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_resource_json(
    domain: *const u8,
    domain_len: usize,
    raw: *const u8,
    raw_len: usize,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let domain = text(domain, domain_len, "domain")?;
            let raw = text(raw, raw_len, "raw")?;
            let event = event_from_parts(&domain, &raw)?;
            put(out, PwBuf::from_string(resource_json(&event)?), "out")
        })
    }
}

/// Rebuilds an event around `raw` with the core's own parser (its wire form: the typed resource
/// is parsed from `raw` with the model of `domain`). The core has no public "parse a resource
/// for a domain" function; this goes through the one it has.
fn event_from_parts(domain: &str, raw: &str) -> Result<Event, Fail> {
    // Validate first, then splice the text in verbatim: going through serde_json::Value would
    // round decimals.
    let raw = serde_json::value::RawValue::from_string(raw.to_string()).map_err(|e| Fail {
        code: PW_ERR_MALFORMED_PAYLOAD,
        message: format!(
            "the resource is not JSON (line {}, column {})",
            e.line(),
            e.column()
        ),
    })?;
    let domain = serde_json::to_string(domain).map_err(|e| Fail::arg(format!("domain: {e}")))?;
    let wire = format!(
        r#"{{"domain":{domain},"idempotency_key":"","payload":"","key_fingerprint":"","raw":{}}}"#,
        raw.get()
    );
    Ok(Event::from_json(&wire)?)
}

/// A test signer with a fresh random key (free with `pw_signer_free`).
///
/// # Safety
/// `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_signer_generate(
    out: *mut *mut PwSigner,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            let signer = PwSigner {
                inner: TestSigner::generate(),
            };
            put_handle(out, signer)
        })
    }
}

/// A test signer whose key is derived from `seed` (reproducible; tests only).
///
/// # Safety
/// `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_signer_from_seed(
    seed: u64,
    out: *mut *mut PwSigner,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            let signer = PwSigner {
                inner: TestSigner::from_seed(seed),
            };
            put_handle(out, signer)
        })
    }
}

/// A test signer from a private key (PKCS#8 PEM, SEC1 PEM or 64 hex characters).
///
/// # Safety
/// `key` valid for `key_len` (NULL when 0); `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_signer_from_private_key(
    key: *const u8,
    key_len: usize,
    out: *mut *mut PwSigner,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let key = text(key, key_len, "private key")?;
            let signer = PwSigner {
                inner: TestSigner::from_private_key(&key)?,
            };
            put_handle(out, signer)
        })
    }
}

/// Frees a test signer. Accepts NULL.
///
/// # Safety
/// `signer` NULL or a live signer handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_signer_free(signer: *mut PwSigner) {
    if !signer.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(signer) })));
    }
}

/// The signer's public key as Palisade shows it (base64 DER SPKI) when `which` is 0, or its
/// private key as PKCS#8 PEM when `which` is 1. Free `*out` with `pw_buf_free`.
///
/// # Safety
/// `signer` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_signer_key(
    signer: *const PwSigner,
    which: i32,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let signer = handle(signer, "signer")?;
            let text = match which {
                0 => signer.inner.public_key_b64(),
                1 => signer.inner.private_key_pem(),
                other => return Err(Fail::arg(format!("unknown key selector {other}"))),
            };
            put(out, PwBuf::from_string(text), "out")
        })
    }
}

/// Signs a payload string (the base64 text) with `digest` (empty = `"sha256"`): `*out` is the
/// `Signature` header value (free with `pw_buf_free`).
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `signer` live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_signer_sign(
    signer: *const PwSigner,
    payload: *const u8,
    payload_len: usize,
    digest_name: *const u8,
    digest_len: usize,
    out: *mut PwBuf,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, PwBuf::EMPTY, "out")?;
            let signer = handle(signer, "signer")?;
            let payload = text(payload, payload_len, "payload")?;
            let digest = digest(&text(digest_name, digest_len, "digest")?)?;
            let signature = signer.inner.sign_with(&payload, digest);
            put(out, PwBuf::from_string(signature), "out")
        })
    }
}

/// Builds a complete signed delivery for `domain` carrying `resource_json` (a JSON object).
/// `timestamp_mode` is one of `PW_TIMESTAMP_*` (`timestamp` is read for `PW_TIMESTAMP_FIXED`
/// only); `digest` empty = `"sha256"`. Free `*out` with `pw_delivery_free`.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `signer` live; `out` valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pw_signer_delivery(
    signer: *const PwSigner,
    domain: *const u8,
    domain_len: usize,
    resource_json: *const u8,
    resource_json_len: usize,
    timestamp_mode: i32,
    timestamp: *const u8,
    timestamp_len: usize,
    digest_name: *const u8,
    digest_len: usize,
    out: *mut PwDelivery,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            let empty = PwDelivery {
                body: PwBuf::EMPTY,
                headers_json: PwBuf::EMPTY,
                payload: PwBuf::EMPTY,
                signature: PwBuf::EMPTY,
            };
            put(out, empty, "out")?;
            let signer = handle(signer, "signer")?;
            let domain = text(domain, domain_len, "domain")?;
            let resource = text(resource_json, resource_json_len, "resource")?;
            let mut options = DeliveryOptions::default().digest(digest(&text(
                digest_name,
                digest_len,
                "digest",
            )?)?);
            match timestamp_mode {
                PW_TIMESTAMP_NOW => {}
                PW_TIMESTAMP_OMIT => options = options.timestamp(None),
                PW_TIMESTAMP_FIXED => {
                    let ts = text(timestamp, timestamp_len, "timestamp")?;
                    options = options.timestamp(Some(&ts));
                }
                other => return Err(Fail::arg(format!("unknown timestamp mode {other}"))),
            }
            let d = signer.inner.delivery_with(&domain, &resource, &options)?;
            let headers = serde_json::to_string(&d.headers)
                .map_err(|e| Fail::arg(format!("headers: {e}")))?;
            let delivery = PwDelivery {
                body: PwBuf::from_vec(d.body),
                headers_json: PwBuf::from_string(headers),
                payload: PwBuf::from_string(d.payload),
                signature: PwBuf::from_string(d.signature),
            };
            put(out, delivery, "out")
        })
    }
}

/// Frees a delivery's buffers and resets them. Accepts NULL.
///
/// # Safety
/// `delivery` NULL or filled by `pw_signer_delivery` (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_delivery_free(delivery: *mut PwDelivery) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(d) = unsafe { delivery.as_mut() } {
            // SAFETY: each buffer was filled by this library (or is empty).
            unsafe {
                d.body.release();
                d.headers_json.release();
                d.payload.release();
                d.signature.release();
            }
        }
    }));
}

/// Options for `pw_memory_store_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwMemoryOptions {
    /// Whether `max_entries` is set (default 100,000).
    pub has_max_entries: bool,
    /// The bound on remembered keys: at least 1.
    pub max_entries: u64,
    /// Whether `ttl_ns` is set (default 24 h).
    pub has_ttl: bool,
    /// The cap on how long any key is kept, in nanoseconds: 1 ms to 3650 days.
    pub ttl_ns: u64,
}

/// An in-process idempotency store; `options` may be NULL (the defaults). An option out of its
/// range (zero, or absurdly large) fails with `PW_INVALID_ARGUMENT`. Free with `pw_store_free`
/// (deduplicators built on it keep it alive on their own).
///
/// # Safety
/// `options` NULL or valid; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_memory_store_new(
    options: *const PwMemoryOptions,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let given = options.as_ref().copied().unwrap_or_default();
            let defaults = MemoryStore::default();
            let max = if given.has_max_entries {
                // Beyond the address space is no bound at all: the largest one.
                usize::try_from(given.max_entries).unwrap_or(usize::MAX)
            } else {
                defaults.max_entries()
            };
            let ttl = if given.has_ttl {
                duration_ns(given.ttl_ns)
            } else {
                defaults.ttl()
            };
            let handle = PwStore {
                inner: Arc::new(MemoryStore::new(max, ttl)?),
            };
            put_handle(out, handle)
        })
    }
}

/// Options for `pw_sqlite_store_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwSqliteOptions {
    /// Whether `busy_timeout_ns` is set (default 5 s).
    pub has_busy_timeout: bool,
    /// How long an operation waits for a write lock held by another connection before failing
    /// with `PW_ERR_STORE_UNAVAILABLE`, in nanoseconds: 1 ms to 1 h.
    pub busy_timeout_ns: u64,
    /// Whether `sync_every_commit` is set (default true).
    pub has_sync_every_commit: bool,
    /// true: every claim and completion is flushed to disk before it is reported (survives a
    /// power loss); false: faster, survives a process crash but maybe not an OS crash.
    pub sync_every_commit: bool,
}

/// Options for `pw_redis_store_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwRedisOptions {
    /// Whether the `prefix` argument of `pw_redis_store_new` is used (default
    /// `"palisade:idem:"`); when set, an empty prefix is an empty prefix.
    pub has_prefix: bool,
    /// Whether `timeout_ns` is set (default 2 s).
    pub has_timeout: bool,
    /// How long one command may take before the call fails with `PW_ERR_STORE_UNAVAILABLE`:
    /// 1 ms to 1 h.
    pub timeout_ns: u64,
    /// Whether `connect_timeout_ns` is set (default 2 s).
    pub has_connect_timeout: bool,
    /// How long opening a connection may take: 1 ms to 1 h.
    pub connect_timeout_ns: u64,
}

/// A durable idempotency store in one SQLite file (created if needed; WAL mode), shared by every
/// process on the host that opens the same file. `path` is the file's path (not NUL-terminated;
/// must be UTF-8); `options` may be NULL. Fails with `PW_ERR_STORE_UNAVAILABLE` when the file
/// cannot be opened or created (the message names it and the cause). Free with `pw_store_free`.
///
/// # Safety
/// `path` valid for `path_len` (NULL when 0); `options` NULL or valid; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_sqlite_store_new(
    path: *const u8,
    path_len: usize,
    options: *const PwSqliteOptions,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let path = std::str::from_utf8(bytes(path, path_len, "path")?)
                .map_err(|_| Fail::arg("the SQLite path is not UTF-8"))?;
            if path.is_empty() {
                return Err(Fail::arg("the SQLite path is empty"));
            }
            let given = options.as_ref().copied().unwrap_or_default();
            let store = stores::sqlite(path, &given)?;
            put_handle(out, PwStore { inner: store })
        })
    }
}

/// A shared idempotency store on the Redis server at `url` (`redis://[user:password@]host
/// [:port][/db]` or `redis+unix://`), checked with a PING. `prefix` is read only when
/// `options->has_prefix`; `options` may be NULL. Fails with `PW_ERR_STORE_UNAVAILABLE` when the
/// URL is invalid or the server cannot be reached in time. Free with `pw_store_free`.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `options` NULL or valid; `out` valid.
#[no_mangle]
pub unsafe extern "C" fn pw_redis_store_new(
    url: *const u8,
    url_len: usize,
    prefix: *const u8,
    prefix_len: usize,
    options: *const PwRedisOptions,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let url = text(url, url_len, "url")?;
            let given = options.as_ref().copied().unwrap_or_default();
            let prefix = if given.has_prefix {
                Some(text(prefix, prefix_len, "prefix")?)
            } else {
                None
            };
            let store = stores::redis(&url, prefix.as_deref(), &given)?;
            put_handle(out, PwStore { inner: store })
        })
    }
}

/// The durable stores, each behind its Cargo feature (on by default). A build without one
/// keeps the export and fails with `PW_ERR_STORE_UNAVAILABLE`, so the header never changes.
mod stores {
    use super::{Fail, PwRedisOptions, PwSqliteOptions};
    use palisade_webhooks::IdempotencyStore;
    use std::sync::Arc;

    #[cfg(feature = "sqlite")]
    pub(super) fn sqlite(
        path: &str,
        given: &PwSqliteOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        use palisade_webhooks::{SqliteOptions, SqliteStore};
        let mut options = SqliteOptions::default();
        if given.has_busy_timeout {
            options = options.busy_timeout(super::duration_ns(given.busy_timeout_ns))?;
        }
        if given.has_sync_every_commit {
            options = options.sync_every_commit(given.sync_every_commit);
        }
        Ok(Arc::new(SqliteStore::open_with(path, options)?))
    }

    #[cfg(not(feature = "sqlite"))]
    pub(super) fn sqlite(
        _path: &str,
        _given: &PwSqliteOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        Err(Fail {
            code: super::PW_ERR_STORE_UNAVAILABLE,
            message: "this build of the library has no SQLite store (feature \"sqlite\")".into(),
        })
    }

    #[cfg(feature = "redis")]
    pub(super) fn redis(
        url: &str,
        prefix: Option<&str>,
        given: &PwRedisOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        use palisade_webhooks::{RedisOptions, RedisStore};
        let mut options = RedisOptions::default();
        if let Some(prefix) = prefix {
            options = options.prefix(prefix);
        }
        if given.has_timeout {
            options = options.timeout(super::duration_ns(given.timeout_ns))?;
        }
        if given.has_connect_timeout {
            options = options.connect_timeout(super::duration_ns(given.connect_timeout_ns))?;
        }
        Ok(Arc::new(RedisStore::connect_with(url, options)?))
    }

    #[cfg(not(feature = "redis"))]
    pub(super) fn redis(
        _url: &str,
        _prefix: Option<&str>,
        _given: &PwRedisOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        Err(Fail {
            code: super::PW_ERR_STORE_UNAVAILABLE,
            message: "this build of the library has no Redis store (feature \"redis\")".into(),
        })
    }
}

/// Frees a store handle. Accepts NULL.
///
/// # Safety
/// `store` NULL or a live store handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_store_free(store: *mut PwStore) {
    if !store.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(store) })));
    }
}

/// Options for `pw_dedup_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwDedupOptions {
    /// Whether `lease_ns` is set (default 60 s).
    pub has_lease: bool,
    /// How long a claim is held before another worker may take it over, in nanoseconds: 1 ms
    /// to 3650 days.
    pub lease_ns: u64,
    /// Whether `retention_ns` is set (default 7 days).
    pub has_retention: bool,
    /// How long completed keys are remembered, in nanoseconds: 1 ms to 3650 days.
    pub retention_ns: u64,
}

/// A deduplicator over `store` (which it keeps alive); `options` may be NULL (the defaults). A
/// lease or retention out of its range (zero would turn deduplication off) fails with
/// `PW_INVALID_ARGUMENT`. Free with `pw_dedup_free`.
///
/// # Safety
/// `store` NULL or live; `options` NULL or valid; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_dedup_new(
    store: *const PwStore,
    options: *const PwDedupOptions,
    out: *mut *mut PwDedup,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let store = handle(store, "store")?;
            let given = options.as_ref().copied().unwrap_or_default();
            let mut dedup = Deduplicator::new(Arc::clone(&store.inner));
            if given.has_lease {
                dedup = dedup.with_lease(duration_ns(given.lease_ns))?;
            }
            if given.has_retention {
                dedup = dedup.with_retention(duration_ns(given.retention_ns))?;
            }
            put_handle(out, PwDedup { inner: dedup })
        })
    }
}

/// Frees a deduplicator. Accepts NULL.
///
/// # Safety
/// `dedup` NULL or a live handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_dedup_free(dedup: *mut PwDedup) {
    if !dedup.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(dedup) })));
    }
}

/// Claims an idempotency key. `*outcome` is one of `PW_CLAIM_*`; for `PW_CLAIM_NEW`, `*claim`
/// is a new claim handle (pass it to `pw_dedup_complete` or `pw_dedup_release`, then free it
/// with `pw_claim_free`), otherwise NULL.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `dedup` live; `outcome`, `claim` valid.
#[no_mangle]
pub unsafe extern "C" fn pw_dedup_claim(
    dedup: *const PwDedup,
    key: *const u8,
    key_len: usize,
    outcome: *mut i32,
    claim: *mut *mut PwClaim,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(claim, ptr::null_mut(), "claim")?;
            put(outcome, 0, "outcome")?;
            let dedup = handle(dedup, "dedup")?;
            let key = text(key, key_len, "key")?;
            match dedup.inner.claim(&key)? {
                ClaimOutcome::New(c) => {
                    put_handle(claim, PwClaim { inner: c })?;
                    put(outcome, PW_CLAIM_NEW, "outcome")
                }
                ClaimOutcome::Duplicate => put(outcome, PW_CLAIM_DUPLICATE, "outcome"),
                ClaimOutcome::InProgress => put(outcome, PW_CLAIM_IN_PROGRESS, "outcome"),
                // A new outcome added to the core: refuse rather than guess.
                #[allow(unreachable_patterns)]
                _ => Err(Fail {
                    code: PW_ERR_INTERNAL,
                    message: "unknown claim outcome".into(),
                }),
            }
        })
    }
}

/// Records that a claimed event was processed. `*kept` (may be NULL) is false when the lease
/// had expired and another worker took the key over.
///
/// # Safety
/// `dedup`, `claim` live; `kept` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn pw_dedup_complete(
    dedup: *const PwDedup,
    claim: *const PwClaim,
    kept: *mut bool,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            let dedup = handle(dedup, "dedup")?;
            let claim = handle(claim, "claim")?;
            let done = dedup.inner.complete(&claim.inner)?;
            if !kept.is_null() {
                ptr::write(kept, done);
            }
            Ok(())
        })
    }
}

/// Gives a claim up after a failure, so a retry processes the event again. `*kept` (may be
/// NULL) is false when the claim was no longer held.
///
/// # Safety
/// `dedup`, `claim` live; `kept` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn pw_dedup_release(
    dedup: *const PwDedup,
    claim: *const PwClaim,
    kept: *mut bool,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            let dedup = handle(dedup, "dedup")?;
            let claim = handle(claim, "claim")?;
            let done = dedup.inner.release(&claim.inner)?;
            if !kept.is_null() {
                ptr::write(kept, done);
            }
            Ok(())
        })
    }
}

/// Frees a claim handle (without completing or releasing it). Accepts NULL.
///
/// # Safety
/// `claim` NULL or a live claim handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_claim_free(claim: *mut PwClaim) {
    if !claim.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(claim) })));
    }
}

/// For tests of the boundary itself: panics inside the library, which must come back as
/// `PW_ERR_INTERNAL` with a message, never as a crash.
///
/// # Safety
/// `err` NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_test_panic(err: *mut PwError) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || -> Result<(), Fail> {
            panic!("deliberate panic for the boundary test")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_core_code_has_a_status_and_a_name() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let status = status_of(code);
            assert!((1..PW_ERR_INVALID_ARGUMENT).contains(&status), "{code}");
            assert!(seen.insert(status), "duplicate status for {code}");
            let name = unsafe { CStr::from_ptr(pw_code_name(status)) };
            assert_eq!(name.to_str().unwrap(), code.as_str());
        }
        assert!(pw_code_name(999).is_null());
    }

    #[test]
    fn panics_become_internal_errors() {
        let mut err = PwError {
            code: PW_OK,
            message: PwBuf::EMPTY,
        };
        let status = unsafe { pw_test_panic(&mut err) };
        assert_eq!(status, PW_ERR_INTERNAL);
        assert_eq!(err.code, PW_ERR_INTERNAL);
        let msg = unsafe { std::slice::from_raw_parts(err.message.ptr, err.message.len) };
        assert!(std::str::from_utf8(msg)
            .unwrap()
            .contains("deliberate panic"));
        unsafe { pw_error_free(&mut err) };
        assert!(err.message.ptr.is_null());
    }
}
