//! The behaviour every `IdempotencyStore` must have, as one suite the store tests run (the
//! table in the trait's documentation, case by case).
//!
//! `advance` moves the store's notion of time forward (a manual clock, or a real sleep for
//! stores whose time is the server's).

use std::time::Duration;

use super::{IdempotencyStore, StoreClaim};

/// Leases and retentions that do not run out during a test (so a slow machine cannot fail an
/// assertion that is not about expiry).
const LEASE: Duration = Duration::from_secs(60);
const RETAIN: Duration = Duration::from_secs(60);
/// A lease that runs out, and a wait past it.
const SHORT_LEASE: Duration = Duration::from_millis(200);
const LEASE_EXPIRED: Duration = Duration::from_millis(250);
/// A retention that runs out: long enough to see the key completed first.
const SHORT_RETAIN: Duration = Duration::from_secs(1);

/// Runs every contract test with fresh keys (the store may be shared with other runs).
pub(crate) fn run_all(store: &dyn IdempotencyStore, advance: &dyn Fn(Duration)) {
    let prefix = format!("contract-{}", super::new_token());
    let key = |name: &str| format!("{prefix}:{name}");
    claim_complete_duplicate(store, &key("a"));
    held_then_released(store, &key("b"));
    repeated_and_foreign_calls(store, &key("repeat"));
    completing_a_free_key_records_it(store, &key("free"), &key("released"));
    after_the_lease_expires(
        store,
        [
            &key("takeover"),
            &key("late-release"),
            &key("late-complete"),
            &key("lapsed-other"),
        ],
        advance,
    );
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
    assert!(!store.release(k, "t1").unwrap(), "released once only");
    assert_eq!(store.claim(k, "t2", LEASE).unwrap(), StoreClaim::Claimed);
    assert!(store.complete(k, "t2", RETAIN).unwrap());
}

/// The holder repeating itself (what a command re-sent after a dropped connection does), and
/// tokens that never held the key.
fn repeated_and_foreign_calls(store: &dyn IdempotencyStore, k: &str) {
    assert_eq!(store.claim(k, "t1", LEASE).unwrap(), StoreClaim::Claimed);
    assert_eq!(
        store.claim(k, "t1", LEASE).unwrap(),
        StoreClaim::Claimed,
        "the holder claiming again keeps its claim"
    );
    assert_eq!(store.claim(k, "t2", LEASE).unwrap(), StoreClaim::Held);
    assert!(store.complete(k, "t1", RETAIN).unwrap());
    assert!(
        store.complete(k, "t1", RETAIN).unwrap(),
        "completing twice is harmless"
    );
    assert!(
        !store.complete(k, "t2", RETAIN).unwrap(),
        "another token cannot complete a completed key"
    );
    assert!(!store.release(k, "t1").unwrap());
    assert!(!store.release(k, "t2").unwrap());
    assert_eq!(store.claim(k, "t1", LEASE).unwrap(), StoreClaim::Completed);
    assert_eq!(store.claim(k, "t3", LEASE).unwrap(), StoreClaim::Completed);
}

/// A key nobody holds (never claimed, or released) is recorded by `complete`: the work was done
/// and nobody else is doing it.
fn completing_a_free_key_records_it(store: &dyn IdempotencyStore, never: &str, released: &str) {
    assert!(store.complete(never, "t1", RETAIN).unwrap());
    assert_eq!(
        store.claim(never, "t2", LEASE).unwrap(),
        StoreClaim::Completed
    );
    assert_eq!(
        store.claim(released, "t1", LEASE).unwrap(),
        StoreClaim::Claimed
    );
    assert!(store.release(released, "t1").unwrap());
    assert!(store.complete(released, "t1", RETAIN).unwrap());
    assert_eq!(
        store.claim(released, "t2", LEASE).unwrap(),
        StoreClaim::Completed
    );
}

/// Four keys whose leases run out together (one wait for the stores on real time).
fn after_the_lease_expires(
    store: &dyn IdempotencyStore,
    [takeover, late_release, late_complete, lapsed_other]: [&str; 4],
    advance: &dyn Fn(Duration),
) {
    for k in [takeover, late_release, late_complete] {
        assert_eq!(
            store.claim(k, "dead", SHORT_LEASE).unwrap(),
            StoreClaim::Claimed
        );
    }
    assert_eq!(
        store.claim(lapsed_other, "other", SHORT_LEASE).unwrap(),
        StoreClaim::Claimed
    );
    advance(LEASE_EXPIRED);

    // Taken over: the worker that lost its lease cannot complete or release the new holder's
    // claim, nor its completion.
    assert_eq!(
        store.claim(takeover, "alive", LEASE).unwrap(),
        StoreClaim::Claimed
    );
    assert!(!store.complete(takeover, "dead", RETAIN).unwrap());
    assert!(!store.release(takeover, "dead").unwrap());
    assert!(store.complete(takeover, "alive", RETAIN).unwrap());
    assert!(!store.complete(takeover, "dead", RETAIN).unwrap());
    assert_eq!(
        store.claim(takeover, "x", LEASE).unwrap(),
        StoreClaim::Completed
    );

    // Expired, not taken over: releasing is moot (the key is already free) ...
    assert!(!store.release(late_release, "dead").unwrap());
    assert_eq!(
        store.claim(late_release, "next", LEASE).unwrap(),
        StoreClaim::Claimed
    );
    // ... and completing records the work that was done.
    assert!(store.complete(late_complete, "dead", RETAIN).unwrap());
    assert_eq!(
        store.claim(late_complete, "x", LEASE).unwrap(),
        StoreClaim::Completed
    );
    // Another token's lapsed lease does not hold the key either.
    assert!(store.complete(lapsed_other, "late", RETAIN).unwrap());
    assert_eq!(
        store.claim(lapsed_other, "x", LEASE).unwrap(),
        StoreClaim::Completed
    );
}

fn retention_expiry_forgets(store: &dyn IdempotencyStore, k: &str, advance: &dyn Fn(Duration)) {
    assert_eq!(store.claim(k, "t1", LEASE).unwrap(), StoreClaim::Claimed);
    assert!(store.complete(k, "t1", SHORT_RETAIN).unwrap());
    assert_eq!(store.claim(k, "t2", LEASE).unwrap(), StoreClaim::Completed);
    advance(SHORT_RETAIN + Duration::from_millis(50));
    assert_eq!(store.claim(k, "t3", LEASE).unwrap(), StoreClaim::Claimed);
}
