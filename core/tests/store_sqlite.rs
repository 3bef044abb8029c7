//! `SqliteStore` against real SQLite files: exactly-once across threads and processes sharing
//! one file, a worker killed while holding a lease, durability across reopening.
//! (The store contract suite runs in the crate's unit tests.)
#![cfg(feature = "sqlite")]

mod store_common;

use std::sync::Arc;
use std::time::Duration;

use palisade_webhooks::dedup::{
    ClaimOutcome, Deduplicator, IdempotencyStore, SqliteOptions, SqliteStore,
};
use store_common::*;

/// The file children open (set by the parent test).
const CHILD_PATH: &str = "PALISADE_STORE_TEST_SQLITE_PATH";
const LEASE: Duration = Duration::from_secs(3);

fn child_store() -> Arc<dyn IdempotencyStore> {
    let path = std::env::var(CHILD_PATH).expect("store path");
    Arc::new(SqliteStore::open(path).expect("open the shared file"))
}

#[test]
fn threads_sharing_a_file_process_each_event_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idempotency.sqlite3");
    let open = || -> Arc<dyn IdempotencyStore> { Arc::new(SqliteStore::open(&path).unwrap()) };
    let keys = keys(&run_id(), 300);
    let stats = exactly_once_threads(&open, &keys, 8, 20);
    println!("sqlite, 8 threads, 300 events, 20 % handler failures: {stats:?}");
    assert_eq!(stats.processed, 300);
}

#[test]
fn processes_sharing_a_file_process_each_event_exactly_once() {
    const TEST: &str = "processes_sharing_a_file_process_each_event_exactly_once";
    const KEYS: usize = 300;
    if std::env::var(CHILD_ROLE).is_ok() {
        exactly_once_child(&Deduplicator::new(child_store()), KEYS);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idempotency.sqlite3");
    // Created once up front; the children then race on the same file.
    drop(SqliteStore::open(&path).unwrap());
    let env = [(CHILD_PATH, path.display().to_string())];
    let stats = exactly_once_processes(TEST, &env, &run_id(), KEYS, 4);
    println!("sqlite, 4 processes, {KEYS} events, 20 % handler failures: {stats:?}");
    assert_eq!(stats.processed, KEYS as u64);
}

#[test]
fn a_killed_worker_blocks_the_event_only_until_its_lease_expires() {
    const TEST: &str = "a_killed_worker_blocks_the_event_only_until_its_lease_expires";
    if std::env::var(CHILD_ROLE).is_ok() {
        hold_child(&Deduplicator::new(child_store()).with_lease(LEASE).unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idempotency.sqlite3");
    let dedup = Deduplicator::new(Arc::new(SqliteStore::open(&path).unwrap()))
        .with_lease(LEASE)
        .unwrap();
    let env = [(CHILD_PATH, path.display().to_string())];
    let waited = dead_worker(TEST, &env, &dedup);
    println!("sqlite: taken over {waited:?} after the worker died (lease {LEASE:?})");
}

#[test]
fn a_store_built_before_fork_processes_each_event_exactly_once_in_every_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idempotency.sqlite3");
    let env = [(CHILD_PATH, path.display().to_string())];
    store_across_fork(
        "a_store_built_before_fork_processes_each_event_exactly_once_in_every_process",
        "sqlite",
        &env,
        child_store,
    );
    if std::env::var(CHILD_ROLE).is_ok() {
        return;
    }
    // The file is consistent afterwards: a fresh connection sees every key as processed.
    let integrity: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn completed_events_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idempotency.sqlite3");
    let dedup = Deduplicator::new(Arc::new(SqliteStore::open(&path).unwrap()));
    let ClaimOutcome::New(done) = dedup.claim("done").unwrap() else {
        panic!("new key")
    };
    assert!(dedup.complete(&done).unwrap());
    let ClaimOutcome::New(_held) = dedup.claim("held").unwrap() else {
        panic!("new key")
    };
    drop(dedup);

    // A restarted process (no sync-every-commit this time: the records are on disk already).
    let options = SqliteOptions::default().sync_every_commit(false);
    let dedup = Deduplicator::new(Arc::new(SqliteStore::open_with(&path, options).unwrap()));
    assert_eq!(dedup.claim("done").unwrap(), ClaimOutcome::Duplicate);
    assert_eq!(dedup.claim("held").unwrap(), ClaimOutcome::InProgress);
    assert!(matches!(
        dedup.claim("other").unwrap(),
        ClaimOutcome::New(_)
    ));
}

#[test]
fn a_process_stuck_holding_the_write_lock_is_store_unavailable_then_recovers() {
    const TEST: &str = "a_process_stuck_holding_the_write_lock_is_store_unavailable_then_recovers";
    if std::env::var(CHILD_ROLE).is_ok() {
        // Another process takes the write lock and hangs with it.
        let conn = rusqlite::Connection::open(std::env::var(CHILD_PATH).unwrap()).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        announce_and_hang("LOCKED");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idempotency.sqlite3");
    let options = SqliteOptions::default()
        .busy_timeout(Duration::from_millis(200))
        .unwrap();
    let dedup = Deduplicator::new(Arc::new(SqliteStore::open_with(&path, options).unwrap()));
    let env = [(CHILD_PATH, path.display().to_string())];
    let mut child = spawn_child(TEST, "lock", &env);
    wait_for_line(&mut child, "LOCKED");

    let message = expect_unavailable(dedup.claim("k"));
    assert!(message.contains("idempotency.sqlite3"), "{message}");
    assert!(message.contains("busy timeout"), "{message}");

    // The stuck process dies: its lock dies with it, and processing resumes.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(matches!(dedup.claim("k").unwrap(), ClaimOutcome::New(_)));
}
