//! Test support: a signer that makes deliveries exactly as Palisade would (`PwSigner`), and a
//! store that fails on purpose at one step (`pw_faulty_store_new`), so receivers can be tested
//! offline, store outages included.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use palisade_webhooks::testing::{DeliveryOptions, FailAt, FaultyStore, TestSigner};

use crate::memory::{free_handle, handle, put, put_handle, text, PwBuf};
use crate::status::{guard, Fail, PwError, PwStatus};
use crate::stores::PwStore;
use crate::webhook::digest;

/// `pw_signer_delivery` timestamp mode: the current time.
pub const PW_TIMESTAMP_NOW: i32 = 0;
/// `pw_signer_delivery` timestamp mode: leave the envelope's `timestamp` out.
pub const PW_TIMESTAMP_OMIT: i32 = 1;
/// `pw_signer_delivery` timestamp mode: use the given text.
pub const PW_TIMESTAMP_FIXED: i32 = 2;

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

/// A test signer (P-256 key pair).
pub struct PwSigner {
    inner: TestSigner,
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
    // SAFETY: forwarded.
    unsafe { free_handle(signer) }
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

/// Parses a failing step: `"nothing"`, `"claim"`, `"complete"` or `"release"`.
fn fail_at(name: &str) -> Result<FailAt, Fail> {
    FailAt::parse(name).ok_or_else(|| {
        Fail::arg(format!(
            "unknown store step {name:?}: use nothing, claim, complete or release"
        ))
    })
}

/// A store for tests that wraps `inner` (which it keeps alive) and fails on purpose at one step:
/// `fail_at` is `"nothing"`, `"claim"`, `"complete"` or `"release"`. Every failure is
/// `ERR_STORE_UNAVAILABLE`, as a real outage's is, so a receiver's answers to an outage at
/// each step can be tested. Free with `pw_store_free`.
///
/// # Safety
/// `inner` NULL or live; `fail_at` valid for its length (NULL when 0); `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_faulty_store_new(
    inner: *const PwStore,
    fail_at_name: *const u8,
    fail_at_len: usize,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let inner = handle(inner, "inner")?;
            let step = fail_at(&text(fail_at_name, fail_at_len, "fail_at")?)?;
            let faulty = Arc::new(FaultyStore::new(Arc::clone(&inner.inner), step));
            let store = PwStore {
                inner: faulty.clone(),
                faulty: Some(faulty),
            };
            put_handle(out, store)
        })
    }
}

/// Changes the step a store made by `pw_faulty_store_new` fails at (the same names). Fails with
/// `PW_ERR_INVALID_ARGUMENT` for any other store.
///
/// # Safety
/// `store` NULL or live; `fail_at` valid for its length (NULL when 0).
#[no_mangle]
pub unsafe extern "C" fn pw_faulty_store_set_fail_at(
    store: *const PwStore,
    fail_at_name: *const u8,
    fail_at_len: usize,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            let store = handle(store, "store")?;
            let step = fail_at(&text(fail_at_name, fail_at_len, "fail_at")?)?;
            let faulty = store
                .faulty
                .as_ref()
                .ok_or_else(|| Fail::arg("the store was not made by pw_faulty_store_new"))?;
            faulty.set_fail_at(step);
            Ok(())
        })
    }
}
