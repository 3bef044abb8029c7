//! Throughput of `claim` + `complete` (one event processed) for each idempotency store.
//!
//! ```text
//! cargo run --release -p palisade-webhooks --example store_throughput [REDIS_URL]
//! ```
//!
//! The Redis store is measured when a URL is given (argument, or `PALISADE_TEST_REDIS_URL` as
//! set by `scripts/with-redis.sh`). `PALISADE_BENCH_STORES=memory,sqlite,redis` (the default)
//! picks which stores to measure, e.g. `redis` alone under a profiler. `PALISADE_BENCH_EVENTS=N`
//! processes N events per thread in every measurement instead of each store's default, so
//! instruction counts under `valgrind --tool=callgrind` can be compared between two values of N
//! (the difference divided by the extra events is the cost of one event, without the set-up).
//! `PALISADE_BENCH_THREADS=1` (or `4`) measures only the one-thread (four-thread) figures.
//! `PALISADE_BENCH_REDIS_CONNECTIONS=N` sets the Redis store's `connections` (default 4), e.g. 1
//! to compare with every thread pipelined over one connection.
//! SQLite files go to a temporary directory under `PALISADE_BENCH_DIR` (default: the system
//! temporary directory). Prints one line per store and a final JSON line with events/s.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use palisade_webhooks::dedup::{
    ClaimOutcome, Deduplicator, IdempotencyStore, MemoryStore, RedisOptions, RedisStore,
    SqliteOptions, SqliteStore,
};

/// Processes `events` distinct keys on each of `threads` threads (claim, then complete) and
/// returns events per second, or `None` when `PALISADE_BENCH_THREADS` excludes this figure.
fn measure(store: Arc<dyn IdempotencyStore>, events: usize, threads: usize) -> Option<f64> {
    let events = events_override().unwrap_or(events);
    if let Ok(wanted) = std::env::var("PALISADE_BENCH_THREADS") {
        if wanted.trim() != threads.to_string() {
            return None;
        }
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let run = format!("bench-{}-{nanos}", std::process::id());
    let dedup = Deduplicator::new(store);
    // Warm up (connections, statements, caches).
    for i in 0..events.min(100) {
        process(&dedup, &format!("{run}:warm:{i}"));
    }
    let started = Instant::now();
    thread::scope(|scope| {
        for t in 0..threads {
            let (dedup, run) = (&dedup, &run);
            scope.spawn(move || {
                for i in 0..events {
                    process(dedup, &format!("{run}:{t}:{i}"));
                }
            });
        }
    });
    Some((events * threads) as f64 / started.elapsed().as_secs_f64())
}

/// `PALISADE_BENCH_EVENTS`, when set.
fn events_override() -> Option<usize> {
    let value = std::env::var("PALISADE_BENCH_EVENTS").ok()?;
    match value.parse() {
        Ok(n) if n > 0 => Some(n),
        _ => panic!("PALISADE_BENCH_EVENTS must be a positive number of events, not {value:?}"),
    }
}

fn process(dedup: &Deduplicator, key: &str) {
    match dedup.claim(key).expect("claim") {
        ClaimOutcome::New(claim) => assert!(dedup.complete(&claim).expect("complete")),
        other => panic!("{key}: {other:?}"),
    }
}

fn main() {
    let redis_url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PALISADE_TEST_REDIS_URL").ok());
    let base = std::env::var_os("PALISADE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temporary directory");

    let mut results: Vec<(String, f64)> = Vec::new();
    let mut report = |name: &str, ops: Option<f64>| {
        let Some(ops) = ops else { return };
        println!("{name:<34} {ops:>12.0} events/s (claim + complete)");
        results.push((name.to_string(), ops));
    };

    let wanted =
        std::env::var("PALISADE_BENCH_STORES").unwrap_or_else(|_| "memory,sqlite,redis".into());
    let wants = |store: &str| wanted.split(',').any(|w| w.trim() == store);

    if wants("memory") {
        let memory =
            Arc::new(MemoryStore::new(1_000_000, Duration::from_secs(3600)).expect("valid"));
        report("memory, 1 thread", measure(memory.clone(), 200_000, 1));
        report("memory, 4 threads", measure(memory, 50_000, 4));
    }

    if wants("sqlite") {
        let path = dir.path().join("sync.sqlite3");
        let sqlite = Arc::new(SqliteStore::open(&path).expect("open"));
        report(
            "sqlite (sync every commit), 1 thread",
            measure(sqlite, 2_000, 1),
        );

        let path = dir.path().join("normal.sqlite3");
        let options = SqliteOptions::default().sync_every_commit(false);
        let sqlite = Arc::new(SqliteStore::open_with(&path, options).expect("open"));
        report(
            "sqlite (sync off), 1 thread",
            measure(sqlite.clone(), 20_000, 1),
        );
        report("sqlite (sync off), 4 threads", measure(sqlite, 5_000, 4));
    }

    if wants("redis") {
        match redis_url {
            Some(url) => {
                let mut options = RedisOptions::default();
                if let Ok(n) = std::env::var("PALISADE_BENCH_REDIS_CONNECTIONS") {
                    let n = n
                        .parse()
                        .expect("PALISADE_BENCH_REDIS_CONNECTIONS: a number");
                    options = options.connections(n).expect("a valid connection count");
                }
                let redis =
                    Arc::new(RedisStore::connect_with(&url, options).expect("connect to Redis"));
                report("redis, 1 thread", measure(redis.clone(), 10_000, 1));
                report("redis, 4 threads", measure(redis, 10_000, 4));
            }
            None => {
                println!("redis: not measured (pass a URL, or run under scripts/with-redis.sh)")
            }
        }
    }

    let fields: Vec<String> = results
        .iter()
        .map(|(name, ops)| format!("{name:?}: {ops:.0}"))
        .collect();
    println!("{{\"store_events_per_s\": {{{}}}}}", fields.join(", "));
}
