//! Shared by the `store_*` integration tests: a worker loop that processes events with retries,
//! child processes (the test binary re-executed), and a private `redis-server`.
//!
//! Each test binary uses part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use palisade_webhooks::dedup::{ClaimOutcome, Deduplicator, IdempotencyStore};
use palisade_webhooks::{Error, ErrorCode};

/// Set in a re-executed test binary: the role it plays (see [`spawn_child`]).
pub const CHILD_ROLE: &str = "PALISADE_STORE_TEST_CHILD";
/// Set in a re-executed test binary: the run's key namespace.
pub const CHILD_RUN: &str = "PALISADE_STORE_TEST_RUN";
/// Set in a re-executed test binary: its index among its siblings (seeds its randomness).
pub const CHILD_INDEX: &str = "PALISADE_STORE_TEST_INDEX";
/// Set in a re-executed test binary: a file whose creation starts the work of all siblings.
pub const CHILD_GO: &str = "PALISADE_STORE_TEST_GO";

/// A fresh namespace for one test's keys (stores may be shared with other tests).
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("run-{}-{nanos}", std::process::id())
}

/// The keys of one exactly-once run.
pub fn keys(run: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{run}:event-{i}")).collect()
}

/// A tiny deterministic PRNG (xorshift64*), so every worker has its own reproducible order and
/// failures.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// What one worker saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct WorkerStats {
    pub processed: u64,
    pub failed: u64,
    pub duplicate: u64,
    pub in_progress: u64,
}

impl WorkerStats {
    pub fn add(&mut self, other: WorkerStats) {
        self.processed += other.processed;
        self.failed += other.failed;
        self.duplicate += other.duplicate;
        self.in_progress += other.in_progress;
    }
}

/// Processes every key the way a receiver does under Palisade's retries: claim; on `New` run
/// the handler, which fails `fail_percent` % of the time before its side effect (then release,
/// and the key is retried), else records the side effect with `effect` and completes; on
/// `InProgress` retry later; on `Duplicate` the key is done.
pub fn work(
    dedup: &Deduplicator,
    keys: &[String],
    seed: u64,
    fail_percent: u64,
    mut effect: impl FnMut(&str),
) -> WorkerStats {
    let mut rng = Rng::new(seed);
    let mut stats = WorkerStats::default();
    let mut pending: Vec<&String> = keys.iter().collect();
    rng.shuffle(&mut pending);
    while !pending.is_empty() {
        let mut retry = Vec::new();
        for key in pending {
            match dedup.claim(key).expect("claim") {
                ClaimOutcome::New(claim) => {
                    if rng.below(100) < fail_percent {
                        stats.failed += 1;
                        assert!(dedup.release(&claim).expect("release"), "release {key}");
                        retry.push(key);
                    } else {
                        effect(key);
                        stats.processed += 1;
                        assert!(dedup.complete(&claim).expect("complete"), "complete {key}");
                    }
                }
                ClaimOutcome::Duplicate => stats.duplicate += 1,
                ClaimOutcome::InProgress => {
                    stats.in_progress += 1;
                    retry.push(key);
                }
            }
        }
        if !retry.is_empty() {
            // Palisade retries later; other workers finish what they hold meanwhile.
            thread::sleep(Duration::from_millis(1));
            rng.shuffle(&mut retry);
        }
        pending = retry;
    }
    stats
}

/// Asserts that every key had its side effect exactly once.
pub fn assert_exactly_once(keys: &[String], effects: &HashMap<String, u32>) {
    let missing: Vec<&String> = keys.iter().filter(|k| !effects.contains_key(*k)).collect();
    let twice: Vec<(&String, &u32)> = effects.iter().filter(|(_, n)| **n != 1).collect();
    let unknown: Vec<&String> = effects.keys().filter(|k| !keys.contains(k)).collect();
    assert!(missing.is_empty(), "events never processed: {missing:?}");
    assert!(
        twice.is_empty(),
        "events processed more than once: {twice:?}"
    );
    assert!(
        unknown.is_empty(),
        "side effects for unknown events: {unknown:?}"
    );
}

/// Runs `threads` workers in this process, each over its own store from `open` (so, for a
/// file or a server, its own connections), until every key is done; asserts exactly once.
pub fn exactly_once_threads(
    open: &(dyn Fn() -> Arc<dyn IdempotencyStore> + Sync),
    keys: &[String],
    threads: usize,
    fail_percent: u64,
) -> WorkerStats {
    let effects = std::sync::Mutex::new(HashMap::<String, u32>::new());
    let shared = open();
    let mut total = WorkerStats::default();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                // Half the workers share one store object, half have their own.
                let store = if i % 2 == 0 { shared.clone() } else { open() };
                let effects = &effects;
                scope.spawn(move || {
                    let dedup = Deduplicator::new(store);
                    work(&dedup, keys, i as u64 + 1, fail_percent, |key| {
                        *effects.lock().unwrap().entry(key.to_string()).or_default() += 1;
                    })
                })
            })
            .collect();
        for h in handles {
            total.add(h.join().expect("worker thread"));
        }
    });
    assert_exactly_once(keys, &effects.into_inner().unwrap());
    total
}

/// The child half of [`exactly_once_processes`]: say `READY`, wait for the start signal, then
/// process the run's keys, printing one `EFFECT <key>` line per side effect and a final
/// `STATS` line.
pub fn exactly_once_child(dedup: &Deduplicator, n_keys: usize) {
    let run = std::env::var(CHILD_RUN).expect("run id");
    let index: u64 = std::env::var(CHILD_INDEX).unwrap().parse().unwrap();
    let go = std::path::PathBuf::from(std::env::var(CHILD_GO).unwrap());
    let keys = keys(&run, n_keys);
    let mut out = child_stdout();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    let waiting = Instant::now();
    while !go.exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(120),
            "no start signal"
        );
        thread::sleep(Duration::from_millis(1));
    }
    let stats = work(dedup, &keys, 1000 + index, 20, |key| {
        writeln!(out, "EFFECT {key}").unwrap();
    });
    writeln!(
        out,
        "STATS {} {} {} {}",
        stats.processed, stats.failed, stats.duplicate, stats.in_progress
    )
    .unwrap();
    out.flush().unwrap();
}

/// Re-executes this test binary to run only `test` (an exact test name) as a child playing
/// `role`, with `env` added. Its stdout is piped.
pub fn spawn_child(test: &str, role: &str, env: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ROLE, role)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn the test binary as a child")
}

/// Runs `processes` children of `test` (role `exactly-once`) over the run's keys, all at once,
/// and asserts every key had its side effect exactly once across them.
pub fn exactly_once_processes(
    test: &str,
    env: &[(&str, String)],
    run: &str,
    n_keys: usize,
    processes: usize,
) -> WorkerStats {
    let go_dir = tempfile::tempdir().unwrap();
    let go = go_dir.path().join("go");
    let mut children: Vec<(Child, BufReader<std::process::ChildStdout>)> = (0..processes)
        .map(|i| {
            let mut env = env.to_vec();
            env.push((CHILD_RUN, run.to_string()));
            env.push((CHILD_INDEX, i.to_string()));
            env.push((CHILD_GO, go.display().to_string()));
            let mut child = spawn_child(test, "exactly-once", &env);
            let stdout = BufReader::new(child.stdout.take().unwrap());
            (child, stdout)
        })
        .collect();
    // Start them together, so they contend for the same keys.
    for (child, stdout) in &mut children {
        let mut line = String::new();
        while line.trim_end() != "READY" {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("a child exited before it was ready: {:?}", child.wait());
            }
        }
    }
    std::fs::write(&go, b"go").unwrap();
    let mut effects = HashMap::<String, u32>::new();
    let mut total = WorkerStats::default();
    for (mut child, mut reader) in children {
        let mut stdout = String::new();
        reader.read_to_string(&mut stdout).unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "child failed: {status}");
        let mut saw_stats = false;
        for line in stdout.lines() {
            if let Some(key) = line.strip_prefix("EFFECT ") {
                *effects.entry(key.to_string()).or_default() += 1;
            } else if let Some(s) = line.strip_prefix("STATS ") {
                let n: Vec<u64> = s.split(' ').map(|x| x.parse().unwrap()).collect();
                total.add(WorkerStats {
                    processed: n[0],
                    failed: n[1],
                    duplicate: n[2],
                    in_progress: n[3],
                });
                saw_stats = true;
            }
        }
        assert!(saw_stats, "a child did not finish its work:\n{stdout}");
    }
    assert_exactly_once(&keys(run, n_keys), &effects);
    total
}

/// The child half of [`dead_worker`]: claim the key, say so, and hang until killed.
pub fn hold_child(dedup: &Deduplicator) -> ! {
    let key = std::env::var(CHILD_RUN).expect("key");
    let outcome = dedup.claim(&key).expect("claim");
    assert!(matches!(outcome, ClaimOutcome::New(_)), "{outcome:?}");
    announce_and_hang("HELD")
}

/// In a child: prints `line` for the parent ([`wait_for_line`]), then hangs until killed.
pub fn announce_and_hang(line: &str) -> ! {
    let mut out = child_stdout();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
    loop {
        thread::sleep(Duration::from_secs(60));
    }
}

/// A child's stdout, after ending the line the test harness left open (it prints
/// `test NAME ... ` before running a test on one thread).
pub fn child_stdout() -> std::io::StdoutLock<'static> {
    let mut out = std::io::stdout().lock();
    writeln!(out).unwrap();
    out
}

/// Reads the child's stdout until the line `expected`; fails if the child exits first, or
/// kills it and fails if it prints nothing of the kind for a long while (a liveness bound).
pub fn wait_for_line(child: &mut Child, expected: &str) {
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let (tx, rx) = mpsc::channel();
    let expected_line = expected.to_string();
    thread::spawn(move || {
        let found = stdout
            .lines()
            .any(|line| line.map(|l| l == expected_line).unwrap_or(false));
        let _ = tx.send(found);
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(true) => {}
        Ok(false) => panic!("the child exited without printing {expected:?}"),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child did not print {expected:?}");
        }
    }
}

/// A worker process claims a key and is killed while holding it: the key stays in progress
/// until the lease (`lease`, which the child must also use) expires, then another worker
/// processes it. Returns how long the takeover waited.
pub fn dead_worker(test: &str, env: &[(&str, String)], dedup: &Deduplicator) -> Duration {
    let key = format!("{}:dead-worker", run_id());
    let mut env = env.to_vec();
    env.push((CHILD_RUN, key.clone()));
    let mut child = spawn_child(test, "hold", &env);
    wait_for_line(&mut child, "HELD");
    let died = Instant::now();
    child.kill().expect("kill the worker");
    child.wait().unwrap();

    assert_eq!(
        dedup.claim(&key).unwrap(),
        ClaimOutcome::InProgress,
        "a dead worker's lease holds the key until it expires"
    );
    let claim = loop {
        match dedup.claim(&key).unwrap() {
            ClaimOutcome::New(claim) => break claim,
            ClaimOutcome::InProgress => {
                assert!(
                    died.elapsed() < dedup.lease() * 20,
                    "the lease never expired"
                );
                thread::sleep(Duration::from_millis(50));
            }
            ClaimOutcome::Duplicate => panic!("nobody completed the key"),
        }
    };
    let waited = died.elapsed();
    assert!(dedup.complete(&claim).unwrap());
    assert_eq!(dedup.claim(&key).unwrap(), ClaimOutcome::Duplicate);
    waited
}

/// Runs `f` on a thread and fails the test if it has not returned after `limit`: turns a hang
/// into a failure (the limit is a liveness bound, far above any expected duration).
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(_) => panic!("{what}: still blocked after {limit:?}"),
    }
}

/// Asserts `result` is an `ERR_STORE_UNAVAILABLE` error and returns its message.
pub fn expect_unavailable<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{e}");
            e.message().to_string()
        }
        Ok(v) => panic!("expected ERR_STORE_UNAVAILABLE, got Ok({v:?})"),
    }
}

/// Runs this test binary's `test` as a child playing `role` to the end, within a liveness bound;
/// asserts it succeeded and returns what it printed.
pub fn run_child(test: &str, role: &str, env: &[(&str, String)]) -> String {
    let child = spawn_child(test, role, env);
    let output = within(
        Duration::from_secs(300),
        "the child test process",
        move || child.wait_with_output().expect("wait for the child"),
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "child failed: {}\n{stdout}",
        output.status
    );
    stdout
}

/// What [`forked_workers`] found.
#[derive(Debug)]
pub struct ForkStats {
    /// Every worker's counts, the forking process's included.
    pub workers: WorkerStats,
    /// Processes that processed events: the forking one and its children.
    pub processes: usize,
}

/// The child half of a fork test: `dedup` was built, and has already been used, in this
/// process; it then forks `children` processes that, like this one, process every key of the
/// run over the *inherited* store object at the same time. Each process writes its side effects
/// to its own file in `dir`; this returns once every child has exited successfully, after
/// asserting each key had its side effect exactly once across all the processes.
///
/// Must run in a process with no other busy thread (a re-executed test binary: see
/// [`spawn_child`]): only the forking thread exists in a child.
pub fn forked_workers(
    dedup: &Deduplicator,
    keys: &[String],
    children: usize,
    dir: &std::path::Path,
) -> ForkStats {
    // The connection exists before the fork: the children inherit it.
    let warm = format!("{}:warm-up", keys[0]);
    match dedup.claim(&warm).expect("claim before the fork") {
        ClaimOutcome::New(claim) => assert!(dedup.complete(&claim).unwrap()),
        other => panic!("warm-up key: {other:?}"),
    }
    let run = |index: u64| {
        let path = dir.join(format!("effects-{index}"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let stats = work(dedup, keys, 7000 + index, 20, |key| {
            writeln!(file, "EFFECT {key}").unwrap();
        });
        writeln!(
            file,
            "STATS {} {} {} {}",
            stats.processed, stats.failed, stats.duplicate, stats.in_progress
        )
        .unwrap();
        file.flush().unwrap();
    };
    let mut pids = Vec::new();
    for index in 1..=children {
        // SAFETY: fork() in a process whose only busy thread is this one (see above); the child
        // runs ordinary Rust and leaves with _exit, never returning into the test harness.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(index as u64)));
            // SAFETY: _exit ends the child without running the parent's atexit handlers or
            // flushing the harness's buffers twice.
            unsafe { libc::_exit(i32::from(outcome.is_err())) };
        }
        pids.push(pid);
    }
    run(0);
    for pid in pids {
        let mut status = 0;
        // SAFETY: waiting for a child this process forked.
        let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
        assert_eq!(waited, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "forked worker {pid} failed (status {status})"
        );
    }
    // The forking process's own connection still answers correctly after the children closed
    // their copies of it.
    assert_eq!(dedup.claim(&warm).unwrap(), ClaimOutcome::Duplicate);

    let mut effects = HashMap::<String, u32>::new();
    let mut workers = WorkerStats::default();
    for index in 0..=children {
        let text = std::fs::read_to_string(dir.join(format!("effects-{index}"))).unwrap();
        for line in text.lines() {
            if let Some(key) = line.strip_prefix("EFFECT ") {
                *effects.entry(key.to_string()).or_default() += 1;
            } else if let Some(s) = line.strip_prefix("STATS ") {
                let n: Vec<u64> = s.split(' ').map(|x| x.parse().unwrap()).collect();
                workers.add(WorkerStats {
                    processed: n[0],
                    failed: n[1],
                    duplicate: n[2],
                    in_progress: n[3],
                });
            }
        }
    }
    assert_exactly_once(keys, &effects);
    ForkStats {
        workers,
        processes: children + 1,
    }
}

/// A whole fork test for one store kind: in the child role (see [`spawn_child`]), builds the
/// store with `child_store`, uses it, forks four more workers over it ([`forked_workers`]) and
/// reports; in the test's own process, runs that child with `env` and prints its report under
/// `label`. `test` is the calling test's name.
pub fn store_across_fork(
    test: &str,
    label: &str,
    env: &[(&str, String)],
    child_store: impl FnOnce() -> std::sync::Arc<dyn palisade_webhooks::IdempotencyStore>,
) {
    const KEYS: usize = 300;
    if std::env::var(CHILD_ROLE).is_ok() {
        // One store, built and used here, then inherited by four forked children.
        let dedup = Deduplicator::new(child_store());
        let dir = tempfile::tempdir().unwrap();
        let stats = forked_workers(&dedup, &keys(&run_id(), KEYS), 4, dir.path());
        let mut out = child_stdout();
        writeln!(out, "FORKED {stats:?}").unwrap();
        return;
    }
    let stdout = run_child(test, "fork", env);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("FORKED"))
        .unwrap_or(&stdout);
    println!("{label}, one store across fork, 5 processes, {KEYS} events: {line}");
}

/// The URL of the Redis server the test run started.
pub fn redis_url() -> String {
    std::env::var("PALISADE_TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "PALISADE_TEST_REDIS_URL is not set: the Redis store tests need a real server. \
             Run them with `make test-rust`, or as `scripts/with-redis.sh cargo test ...`, \
             which starts a throwaway redis-server on 127.0.0.1."
        )
    })
}

/// A private `redis-server` on 127.0.0.1 (no persistence) that a test can stop, freeze and
/// restart on the same port. Killed when dropped.
pub struct RedisServer {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free port. The binary is `PALISADE_TEST_REDIS_SERVER` (set by the
    /// test wrapper) or `redis-server` from `PATH`.
    pub fn start() -> RedisServer {
        let bin = std::env::var("PALISADE_TEST_REDIS_SERVER")
            .unwrap_or_else(|_| "redis-server".to_string());
        let dir = tempfile::tempdir().unwrap();
        let mut server = RedisServer {
            bin,
            dir,
            port: 0,
            child: None,
        };
        for _ in 0..10 {
            server.port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            if server.spawn() {
                return server;
            }
        }
        panic!("could not start {} on a free port", server.bin);
    }

    /// Starts (again) on the same port. Returns false if the server exited at once.
    pub fn spawn(&mut self) -> bool {
        let log = self.dir.path().join("redis.log");
        let child = Command::new(&self.bin)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e} (install the Debian package redis-server; \
                     `make redis-server` does)",
                    self.bin
                )
            });
        self.child = Some(child);
        for _ in 0..400 {
            if let Ok(Some(_)) = self.child.as_mut().unwrap().try_wait() {
                self.child = None;
                return false;
            }
            if self.answers_ping() {
                return true;
            }
            thread::sleep(Duration::from_millis(25));
        }
        panic!("{} did not answer on port {}", self.bin, self.port);
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let mut reply = [0u8; 5];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut reply).is_ok() && &reply == b"+PONG"
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://{}/0", self.addr())
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: a crash, nothing saved).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Sends a signal (`"STOP"` freezes the server: it accepts connections but never answers;
    /// `"CONT"` resumes it).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id();
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {pid}");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
