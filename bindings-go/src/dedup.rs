//! Deduplication: `PwDedup` (a deduplicator over a `PwStore`) and the claims it hands out, for
//! callers that settle claims themselves rather than through a `PwReceiver`.

use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use palisade_webhooks::dedup::Claim;
use palisade_webhooks::{ClaimOutcome, Deduplicator};

use crate::memory::{free_handle, handle, put, put_handle, text};
use crate::status::{guard, Fail, PwError, PwStatus};
use crate::stores::PwStore;

/// `pw_dedup_claim` outcome: first time (or a retry after a failure): process, then complete
/// or release the claim.
pub const PW_CLAIM_NEW: i32 = 1;
/// `pw_dedup_claim` outcome: already processed; answer 2xx without processing.
pub const PW_CLAIM_DUPLICATE: i32 = 2;
/// `pw_dedup_claim` outcome: another worker holds it; answer 409 so it is retried later.
pub const PW_CLAIM_IN_PROGRESS: i32 = 3;

/// A deduplicator over a store. Thread-safe.
pub struct PwDedup {
    pub(crate) inner: Deduplicator,
}

/// A held claim from `pw_dedup_claim`.
pub struct PwClaim {
    inner: Claim,
}

/// A deduplicator over `store` (which it keeps alive) with a claim lease of `lease_ns` and a
/// retention of completed keys of `retention_ns` (0 = the defaults: 60 s and 7 days). Free with
/// `pw_dedup_free`.
///
/// # Safety
/// `store` NULL or live; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_dedup_new(
    store: *const PwStore,
    lease_ns: u64,
    retention_ns: u64,
    out: *mut *mut PwDedup,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let store = handle(store, "store")?;
            let mut dedup = Deduplicator::new(Arc::clone(&store.inner));
            if lease_ns != 0 {
                dedup = dedup
                    .with_lease(Duration::from_nanos(lease_ns))
                    .map_err(|e| Fail::arg(e.to_string()))?;
            }
            if retention_ns != 0 {
                dedup = dedup
                    .with_retention(Duration::from_nanos(retention_ns))
                    .map_err(|e| Fail::arg(e.to_string()))?;
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
    // SAFETY: forwarded.
    unsafe { free_handle(dedup) }
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
                _ => Err(Fail::internal("unknown claim outcome")),
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
    // SAFETY: forwarded.
    unsafe { free_handle(claim) }
}
