//! End-to-end exactly-once: thousands of signed deliveries, 30 % of them duplicates, in random
//! order, sent (with Palisade-style retries) to two receiver processes that share one idempotency
//! store (a Redis server, and separately one SQLite file), with handlers that fail at random.
//! Every event's side effect must be recorded exactly once, none lost.
//!
//! The receivers are the CLI's `listen` (a real HTTP server on 127.0.0.1 over the core's
//! `Deduplicator`); the Redis server is the one `make test` starts (`PALISADE_TEST_REDIS_URL`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use palisade_webhooks::testing::TestSigner;

const UNIQUE: usize = 3_500;
const DUPLICATES: usize = 1_500; // 30 % of 5,000 deliveries
const FAIL_RATE: &str = "0.2";
const MAX_ATTEMPTS: usize = 60;

struct Receiver {
    child: Child,
    url: String,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn start_receiver(public_key: &str, store: &str, record: &Path) -> Receiver {
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade-webhooks"))
        .args(["listen", "--port", "0", "--quiet", "--key", public_key])
        .args(["--store", store, "--fail-rate", FAIL_RATE])
        .args(["--record", record.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start a receiver");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next()
        .expect("receiver output")
        .expect("receiver output");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    // Keep draining the receiver's output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Receiver { child, url }
}

/// xorshift64: a seeded, dependency-free shuffle and receiver choice.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One delivery to send: its idempotency key, body and headers.
type Outgoing = (String, Vec<u8>, Vec<(String, String)>);

#[derive(Default, Debug)]
struct Counts {
    processed: AtomicUsize,
    duplicate: AtomicUsize,
    failed: AtomicUsize,
    in_progress: AtomicUsize,
    attempts: AtomicUsize,
}

fn run(store: &str, label: &str) {
    let signer = TestSigner::from_seed(77);
    let run_id = format!("{}-{}", std::process::id(), label);
    let dir = std::env::temp_dir().join(format!("palisade-exactly-once-{run_id}"));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("side-effects.log");
    let store = store.replace("{dir}", dir.to_str().unwrap());

    let receivers = [
        start_receiver(&signer.public_key_b64(), &store, &record),
        start_receiver(&signer.public_key_b64(), &store, &record),
    ];
    let urls: Vec<String> = receivers.iter().map(|r| r.url.clone()).collect();

    // 3,500 distinct events plus 1,500 re-deliveries of them, shuffled.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut deliveries: Vec<Outgoing> = (0..UNIQUE)
        .map(|i| {
            let id = format!("tx-{run_id}-{i}");
            let json = format!(
                r#"{{"id":"{id}","status":"CONFIRMED","qty":"{i}.5","updatedAt":"2025-05-08T14:15:37Z"}}"#
            );
            let d = signer.delivery("TRANSACTION", &json).unwrap();
            (
                format!("TRANSACTION/{id}/2025-05-08T14:15:37Z"),
                d.body,
                d.headers,
            )
        })
        .collect();
    for _ in 0..DUPLICATES {
        let pick = deliveries[rng.below(UNIQUE)].clone();
        deliveries.push(pick);
    }
    for i in (1..deliveries.len()).rev() {
        let j = rng.below(i + 1);
        deliveries.swap(i, j);
    }

    let queue = Arc::new(Mutex::new(deliveries));
    let counts = Arc::new(Counts::default());
    let started = Instant::now();
    let senders: Vec<_> = (0..4u64)
        .map(|t| {
            let (queue, counts, urls) = (Arc::clone(&queue), Arc::clone(&counts), urls.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (t + 1));
                loop {
                    let Some((key, body, headers)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let mut delivered = false;
                    for attempt in 0..MAX_ATTEMPTS {
                        // Palisade may retry to any instance behind the load balancer.
                        let url = &urls[rng.below(urls.len())];
                        let mut request = agent.post(url);
                        for (name, value) in &headers {
                            request = request.header(name.as_str(), value.as_str());
                        }
                        counts.attempts.fetch_add(1, Ordering::Relaxed);
                        let Ok(response) = request.send(&body[..]) else {
                            std::thread::sleep(Duration::from_millis(20));
                            continue;
                        };
                        let status = response.status().as_u16();
                        let text = response.into_body().read_to_string().unwrap_or_default();
                        match status {
                            200 if text.contains("duplicate") => {
                                counts.duplicate.fetch_add(1, Ordering::Relaxed);
                            }
                            200 => {
                                counts.processed.fetch_add(1, Ordering::Relaxed);
                            }
                            409 => {
                                counts.in_progress.fetch_add(1, Ordering::Relaxed);
                                std::thread::sleep(Duration::from_millis(5 << attempt.min(5)));
                                continue;
                            }
                            500 => {
                                counts.failed.fetch_add(1, Ordering::Relaxed);
                                continue;
                            }
                            other => panic!("{key}: unexpected HTTP {other}: {text}"),
                        }
                        delivered = true;
                        break;
                    }
                    assert!(
                        delivered,
                        "{key}: not delivered after {MAX_ATTEMPTS} attempts"
                    );
                }
            })
        })
        .collect();
    for s in senders {
        s.join().expect("sender thread");
    }
    let elapsed = started.elapsed();
    drop(receivers);

    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in std::fs::read_to_string(&record).unwrap().lines() {
        *seen.entry(line.to_string()).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    println!(
        "exactly-once over {label}: {} deliveries ({UNIQUE} events + {DUPLICATES} duplicates) to 2 \
         receivers in {:.1}s; {} HTTP attempts: processed {}, duplicate {}, handler failures \
         (retried) {}, in progress (retried) {}; side effects recorded {} (distinct {})",
        UNIQUE + DUPLICATES,
        elapsed.as_secs_f64(),
        counts.attempts.load(Ordering::Relaxed),
        counts.processed.load(Ordering::Relaxed),
        counts.duplicate.load(Ordering::Relaxed),
        counts.failed.load(Ordering::Relaxed),
        counts.in_progress.load(Ordering::Relaxed),
        seen.values().sum::<usize>(),
        seen.len(),
    );
    assert!(twice.is_empty(), "processed more than once: {twice:?}");
    assert_eq!(seen.len(), UNIQUE, "events lost");
    assert_eq!(counts.processed.load(Ordering::Relaxed), UNIQUE);
    assert_eq!(counts.duplicate.load(Ordering::Relaxed), DUPLICATES);
    assert!(
        counts.failed.load(Ordering::Relaxed) > 0,
        "no handler failure was exercised"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn exactly_once_across_two_receivers_sharing_sqlite() {
    run("sqlite:{dir}/idempotency.sqlite3", "sqlite");
}

#[test]
fn exactly_once_across_two_receivers_sharing_redis() {
    let url = std::env::var("PALISADE_TEST_REDIS_URL").expect(
        "PALISADE_TEST_REDIS_URL is not set: run under scripts/with-redis.sh (make test does)",
    );
    run(&url, "redis");
}
