//! `RedisStore` against a real `redis-server`: exactly-once across threads and processes, a
//! worker killed while holding a lease, and faults (server killed, frozen, restarted on the same
//! port). (The store contract suite runs in the crate's unit tests.)
//!
//! Most tests use the server the test run started (`PALISADE_TEST_REDIS_URL`, set by
//! `scripts/with-redis.sh`; they fail when it is missing). The fault tests start their own.
#![cfg(feature = "redis")]

mod store_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_webhooks::dedup::{
    ClaimOutcome, Deduplicator, IdempotencyStore, RedisOptions, RedisStore,
};
use store_common::*;

/// The key prefix children use (set by the parent test).
const CHILD_PREFIX: &str = "PALISADE_STORE_TEST_REDIS_PREFIX";
const LEASE: Duration = Duration::from_secs(3);

fn open(prefix: &str) -> Arc<dyn IdempotencyStore> {
    let options = RedisOptions::default().prefix(prefix);
    Arc::new(RedisStore::connect_with(&redis_url(), options).expect("the test server answers"))
}

fn child_store() -> Arc<dyn IdempotencyStore> {
    open(&std::env::var(CHILD_PREFIX).expect("prefix"))
}

#[test]
fn threads_sharing_a_server_process_each_event_exactly_once() {
    let prefix = format!("{}:", run_id());
    let open = || open(&prefix);
    let keys = keys("threads", 300);
    let stats = exactly_once_threads(&open, &keys, 8, 20);
    println!("redis, 8 threads, 300 events, 20 % handler failures: {stats:?}");
    assert_eq!(stats.processed, 300);
}

#[test]
fn processes_sharing_a_server_process_each_event_exactly_once() {
    const TEST: &str = "processes_sharing_a_server_process_each_event_exactly_once";
    const KEYS: usize = 300;
    if std::env::var(CHILD_ROLE).is_ok() {
        exactly_once_child(&Deduplicator::new(child_store()), KEYS);
        return;
    }
    let env = [(CHILD_PREFIX, format!("{}:", run_id()))];
    let stats = exactly_once_processes(TEST, &env, "processes", KEYS, 4);
    println!("redis, 4 processes, {KEYS} events, 20 % handler failures: {stats:?}");
    assert_eq!(stats.processed, KEYS as u64);
}

#[test]
fn a_killed_worker_blocks_the_event_only_until_its_lease_expires() {
    const TEST: &str = "a_killed_worker_blocks_the_event_only_until_its_lease_expires";
    if std::env::var(CHILD_ROLE).is_ok() {
        hold_child(&Deduplicator::new(child_store()).with_lease(LEASE).unwrap());
    }
    let prefix = format!("{}:", run_id());
    let dedup = Deduplicator::new(open(&prefix)).with_lease(LEASE).unwrap();
    let waited = dead_worker(TEST, &[(CHILD_PREFIX, prefix)], &dedup);
    println!("redis: taken over {waited:?} after the worker died (lease {LEASE:?})");
}

#[test]
fn a_store_built_before_fork_processes_each_event_exactly_once_in_every_process() {
    let env = [(CHILD_PREFIX, format!("{}:", run_id()))];
    store_across_fork(
        "a_store_built_before_fork_processes_each_event_exactly_once_in_every_process",
        "redis",
        &env,
        child_store,
    );
}

/// Claims `key` and expects a new claim, which it completes.
fn process(dedup: &Deduplicator, key: &str) {
    match dedup.claim(key).unwrap() {
        ClaimOutcome::New(claim) => assert!(dedup.complete(&claim).unwrap()),
        other => panic!("{key}: expected new, got {other:?}"),
    }
}

#[test]
fn a_killed_server_is_store_unavailable_and_processing_resumes_after_restart() {
    let mut server = RedisServer::start();
    let timeout = Duration::from_millis(300);
    let options = RedisOptions::default()
        .timeout(timeout)
        .unwrap()
        .connect_timeout(timeout)
        .unwrap();
    let store = Arc::new(RedisStore::connect_with(&server.url(), options).unwrap());
    let dedup = Arc::new(Deduplicator::new(store).with_lease(LEASE).unwrap());
    for i in 0..10 {
        process(&dedup, &format!("before-{i}"));
    }
    let ClaimOutcome::New(in_flight) = dedup.claim("in-flight").unwrap() else {
        panic!("new key")
    };

    server.kill();
    let started = Instant::now();
    let d = dedup.clone();
    let message = within(timeout * 100, "claim while the server is down", move || {
        expect_unavailable(d.claim("during"))
    });
    println!(
        "redis down: claim failed after {:?}: {message}",
        started.elapsed()
    );
    assert!(message.contains(&server.addr()), "{message}");
    // A completion that cannot be recorded is reported, not swallowed.
    expect_unavailable(dedup.complete(&in_flight));
    expect_unavailable(dedup.claim("before-0"));

    // Restarted on the same port (empty: this server keeps nothing): processing resumes on the
    // same store object, and the retried completion is recorded.
    assert!(server.spawn(), "restart on the same port");
    process(&dedup, "during");
    assert!(dedup.complete(&in_flight).unwrap());
    assert_eq!(dedup.claim("in-flight").unwrap(), ClaimOutcome::Duplicate);
    for i in 0..10 {
        process(&dedup, &format!("after-{i}"));
    }
}

#[test]
fn a_frozen_server_times_out_instead_of_hanging_and_processing_resumes() {
    let server = RedisServer::start();
    let timeout = Duration::from_millis(300);
    let options = RedisOptions::default()
        .timeout(timeout)
        .unwrap()
        .connect_timeout(timeout)
        .unwrap();
    let store = Arc::new(RedisStore::connect_with(&server.url(), options).unwrap());
    let dedup = Arc::new(Deduplicator::new(store).with_lease(LEASE).unwrap());
    process(&dedup, "before");

    // The process is stopped: connections are accepted by the kernel but nothing answers.
    server.signal("STOP");
    for key in ["frozen-1", "frozen-2"] {
        let started = Instant::now();
        let d = dedup.clone();
        let message = within(
            timeout * 100,
            "claim while the server is frozen",
            move || expect_unavailable(d.claim(key)),
        );
        println!(
            "redis frozen: claim failed after {:?}: {message}",
            started.elapsed()
        );
    }

    server.signal("CONT");
    process(&dedup, "after");
    // A claim that timed out may still have been applied once the server woke up: the key is
    // then held until the lease expires, and the retry after that processes it.
    let started = Instant::now();
    let claim = loop {
        match dedup.claim("frozen-1").unwrap() {
            ClaimOutcome::New(claim) => break claim,
            ClaimOutcome::InProgress => {
                assert!(started.elapsed() < LEASE * 20, "the lease never expired");
                std::thread::sleep(Duration::from_millis(50));
            }
            ClaimOutcome::Duplicate => panic!("nobody completed frozen-1"),
        }
    };
    println!(
        "redis thawed: frozen-1 claimable after {:?}",
        started.elapsed()
    );
    assert!(dedup.complete(&claim).unwrap());
    drop(server);
}

#[test]
fn connect_fails_fast_when_nothing_listens() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.kill();
    let message = within(
        Duration::from_secs(60),
        "connect to a dead port",
        move || expect_unavailable(RedisStore::connect(&url)),
    );
    assert!(message.contains("127.0.0.1"), "{message}");
}
