//! The behaviour every `IdempotencyStore` must have, as one suite the store tests run.
//!
//! `advance` moves the store's notion of time forward (a manual clock, or a real sleep for
//! stores whose time is the server's).

use std::time::Duration;

use super::{IdempotencyStore, StoreClaim};

const LEASE: Duration = Duration::from_millis(200);
const RETAIN: Duration = Duration::from_millis(400);

/// Runs every contract test with fresh keys (the store may be shared with other runs).
pub(crate) fn run_all(store: &dyn IdempotencyStore, advance: &dyn Fn(Duration)) {
    let prefix = format!("contract-{}", super::new_token());
    let key = |name: &str| format!("{prefix}:{name}");
    claim_complete_duplicate(store, &key("a"));
    held_then_released(store, &key("b"));
    lease_expiry_allows_takeover(store, &key("c"), advance);
    retention_expiry_forgets(store, &key("d"), advance);
}

fn claim_complete_duplicate(store: &dyn IdempotencyStore, k: &str) {
    assert_eq!(store.claim(k, "t1", LEASE).unwrap(), StoreClaim::Claimed);
    assert_eq!(store.claim(k, "t2", LEASE).unwrap(), StoreClaim::Held);
    assert!(!store.complete(k, "t2", RETAIN).unwrap(), "not the holder");
    assert!(!store.release(k, "t2").unwrap(), "not the holder");
    assert!(store.complete(k, "t1", RETAIN).unwrap());
    assert_eq!(store.claim(k, "t3", LEASE).unwrap(), StoreClaim::Completed);
    assert!(
        !store.release(k, "t1").unwrap(),
        "completed keys are not released"
    );
}

fn held_then_released(store: &dyn IdempotencyStore, k: &str) {
    assert_eq!(store.claim(k, "t1", LEASE).unwrap(), StoreClaim::Claimed);
    assert!(store.release(k, "t1").unwrap());
    assert_eq!(store.claim(k, "t2", LEASE).unwrap(), StoreClaim::Claimed);
    assert!(store.complete(k, "t2", RETAIN).unwrap());
}

fn lease_expiry_allows_takeover(store: &dyn IdempotencyStore, k: &str, advance: &dyn Fn(Duration)) {
    assert_eq!(store.claim(k, "dead", LEASE).unwrap(), StoreClaim::Claimed);
    advance(LEASE + Duration::from_millis(50));
    assert_eq!(store.claim(k, "alive", LEASE).unwrap(), StoreClaim::Claimed);
    // The worker that lost its lease cannot complete or release the new holder's claim.
    assert!(!store.complete(k, "dead", RETAIN).unwrap());
    assert!(!store.release(k, "dead").unwrap());
    assert!(store.complete(k, "alive", RETAIN).unwrap());
    assert_eq!(store.claim(k, "x", LEASE).unwrap(), StoreClaim::Completed);
}

fn retention_expiry_forgets(store: &dyn IdempotencyStore, k: &str, advance: &dyn Fn(Duration)) {
    assert_eq!(store.claim(k, "t1", LEASE).unwrap(), StoreClaim::Claimed);
    assert!(store.complete(k, "t1", RETAIN).unwrap());
    assert_eq!(store.claim(k, "t2", LEASE).unwrap(), StoreClaim::Completed);
    advance(RETAIN + Duration::from_millis(50));
    assert_eq!(store.claim(k, "t3", LEASE).unwrap(), StoreClaim::Claimed);
}
