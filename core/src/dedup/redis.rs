//! `RedisStore`: a store shared by every receiver instance that talks to one Redis server.
//!
//! Each process has up to [`RedisOptions::connections`] connections ("lanes"), opened as
//! concurrent calls need them: a call takes a lane nobody is using, so the round trips of
//! concurrent callers overlap instead of queueing behind one another. When every lane is in
//! use, callers share one, pipelined: while one caller's batch is on the wire, the others queue
//! their commands, and the next caller sends them all in one write and reads all their replies.
//! A claim and a completion are one round trip each.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::Thread;
use std::time::Duration;

use ::redis::{Client, Cmd, Connection, IntoConnectionInfo, RedisError, Script, Value};

use super::options::{self, InvalidOption};
use super::per_process::PerProcess;
use super::{IdempotencyStore, StoreClaim};
use crate::error::{clip, clip_start, err, Error, Result};

/// Longest expiry sent to Redis (about 2,000 years, far below what overflows its clock).
const MAX_EXPIRY_MS: u128 = 1 << 46;

/// Values stored under a key: `h:<token>` while held, `c:<token>` once completed. Every script
/// treats a repeat of its own token as success, so a command re-sent after a dropped
/// connection cannot turn the caller's own claim into "held by someone else".
///
/// Claim: take the key with `SET NX PX` (Redis expires a lapsed lease by itself); the holder
/// asking again renews its lease; otherwise report what holds it. A claim is normally the single
/// command `SET key value NX PX lease GET` instead (see [`RedisStore::claim`]); this script is
/// for the holder's repeated claim and for servers older than Redis 7.0.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local v = redis.call('GET', KEYS[1])
if not v or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
if string.sub(v, 1, 2) == 'c:' then return 1 end
return 2
";

/// Complete: only if the key is still ours or free (our lease lapsed and nobody took over); a
/// key this token completed already stays as it is.
const COMPLETE: &str = r"
local v = redis.call('GET', KEYS[1])
if v == ARGV[2] then return 1 end
if not v or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
";

/// Release: only the holder may free the key.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
";

/// A Lua script and its SHA-1 (what `EVALSHA` names it by).
struct Lua {
    source: &'static str,
    sha1: String,
}

impl Lua {
    fn new(source: &'static str) -> Self {
        Lua {
            source,
            sha1: Script::new(source).get_hash().to_string(),
        }
    }
}

struct Scripts {
    claim: Lua,
    complete: Lua,
    release: Lua,
}

fn scripts() -> &'static Scripts {
    static SCRIPTS: std::sync::OnceLock<Scripts> = std::sync::OnceLock::new();
    SCRIPTS.get_or_init(|| Scripts {
        claim: Lua::new(CLAIM),
        complete: Lua::new(COMPLETE),
        release: Lua::new(RELEASE),
    })
}

/// Options for [`RedisStore::connect_with`].
///
/// ```
/// use std::time::Duration;
/// use palisade_webhooks::dedup::RedisOptions;
///
/// let options = RedisOptions::default()
///     .prefix("payments:idem:")
///     .timeout(Duration::from_millis(500))?;
/// # let _ = options;
/// # Ok::<(), palisade_webhooks::dedup::InvalidOption>(())
/// ```
#[derive(Debug, Clone)]
pub struct RedisOptions {
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    connections: usize,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            prefix: Self::DEFAULT_PREFIX.to_string(),
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            connections: Self::DEFAULT_CONNECTIONS,
        }
    }
}

impl RedisOptions {
    /// Default prefix put before every idempotency key in Redis.
    pub const DEFAULT_PREFIX: &'static str = "palisade:idem:";
    /// Default bound on one command's round trip (write and read): 2 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
    /// Default bound on opening a connection: 2 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    /// Default number of connections a process may open to the server: 4.
    pub const DEFAULT_CONNECTIONS: usize = 4;
    /// Most connections [`RedisOptions::connections`] accepts.
    pub const MAX_CONNECTIONS: usize = 64;

    /// The prefix of every key this store writes (default `"palisade:idem:"`). Give each
    /// application sharing a Redis database its own prefix; every instance of one application
    /// must use the same.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one command may take (sending it and reading the answer) before the call fails
    /// with `ERR_STORE_UNAVAILABLE`. Default 2 s; at least [`MIN_DURATION`](super::MIN_DURATION),
    /// at most [`MAX_TIMEOUT`](super::MAX_TIMEOUT).
    pub fn timeout(mut self, timeout: Duration) -> std::result::Result<Self, InvalidOption> {
        self.timeout = options::timeout("timeout", timeout)?;
        Ok(self)
    }

    /// How long opening a connection may take. Default 2 s; same range as
    /// [`RedisOptions::timeout`].
    pub fn connect_timeout(
        mut self,
        timeout: Duration,
    ) -> std::result::Result<Self, InvalidOption> {
        self.connect_timeout = options::timeout("connect_timeout", timeout)?;
        Ok(self)
    }

    /// How many connections one process may open to the server (default 4, at most
    /// [`MAX_CONNECTIONS`](Self::MAX_CONNECTIONS)). They are opened only as concurrent calls
    /// need them: a call takes a connection nobody is using, opening it the first time, and
    /// when every one is in use it joins one of them (its command is pipelined with the other
    /// callers' on that connection). A single-threaded process opens one. Each
    /// connection carries one round trip at a time, so concurrent callers on separate
    /// connections wait for the network side by side instead of one after the other; fewer
    /// connections mean fewer sockets on the server and larger pipelined batches.
    pub fn connections(mut self, n: usize) -> std::result::Result<Self, InvalidOption> {
        self.connections = options::between_one_and("connections", n, Self::MAX_CONNECTIONS)?;
        Ok(self)
    }

    /// The key prefix.
    pub fn get_prefix(&self) -> &str {
        &self.prefix
    }

    /// The command timeout.
    pub fn get_timeout(&self) -> Duration {
        self.timeout
    }

    /// The connect timeout.
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The most connections one process opens.
    pub fn get_connections(&self) -> usize {
        self.connections
    }
}

/// An [`IdempotencyStore`] in Redis, shared by every receiver instance connected to the same
/// server: the store to use when **several instances or hosts** receive the same webhooks
/// (one host alone can use `SqliteStore`, one process `MemoryStore`).
///
/// Each operation is one atomic server-side step: a claim is `SET key NX PX lease GET`, which
/// takes a free key or returns the value that makes it "completed" or "held" (a Lua script on
/// Redis before 7.0, and for the holder renewing its own lease); complete and release are
/// compare-and-set scripts that only the holder of the claim's token can apply. Lease and
/// retention are Redis key expiries, measured by the Redis server's clock: a lease held by a
/// worker that died expires and another worker takes the key over; a completed key is
/// remembered for the deduplicator's retention. Completed keys live in Redis memory: use a
/// server with persistence (AOF or RDB) and a `noeviction` or `volatile-*` policy if the
/// deduplication must survive a Redis restart or memory pressure.
///
/// The store keeps up to [`RedisOptions::connections`] connections per process (default 4),
/// each opened when concurrent calls first need it and replaced when it breaks; beyond that,
/// concurrent calls are pipelined over one. A connection found broken is retried once on
/// a fresh one (safe: every script is idempotent for the same token). Works with `redis://` and
/// `redis+unix://` URLs (no TLS).
///
/// Use one Redis server (a primary, or an address that Sentinel or a proxy keeps pointing at the
/// primary), not Redis Cluster.
///
/// **Failures.** Every command has a timeout. When the server cannot be reached, refuses, or
/// does not answer in time, the call fails with `ERR_STORE_UNAVAILABLE` — it never hangs (a
/// call takes at most about the connect timeout plus the command timeout, plus the batch ahead
/// of it) and never answers "new" without a record (answer 503 so Palisade retries). A command
/// that timed out may still be applied by a server that was only slow: at worst the key then
/// stays held until the lease expires, and the retry after that processes the event.
///
/// **Fork.** A store used in a forked child (gunicorn `--preload` and other pre-fork servers)
/// opens its own connections there before its first command: the connections inherited from the
/// parent are never written to or read from by the child. Fork from a thread while no other
/// thread is inside a call of the store: a child forked in the middle of another thread's call
/// may get `ERR_STORE_UNAVAILABLE` from this store (open a new one in the child) instead of a
/// hang.
///
/// ```no_run
/// use std::sync::Arc;
/// use palisade_webhooks::dedup::{Deduplicator, RedisOptions, RedisStore};
///
/// let store = RedisStore::connect_with(
///     "redis://127.0.0.1:6379/0",
///     RedisOptions::default().prefix("payments:idem:"),
/// )?;
/// let dedup = Deduplicator::new(Arc::new(store));
/// # Ok::<(), palisade_webhooks::Error>(())
/// ```
pub struct RedisStore {
    client: Client,
    options: RedisOptions,
    addr: String,
    /// This process's connections and their queues (a forked child makes its own).
    lanes: PerProcess<Arc<Lanes>>,
    /// Claims use `SET NX GET` (Redis ≥ 7.0) until the server refuses it, then the script.
    set_nx_get: AtomicBool,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("addr", &self.addr)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to the Redis server at `url` (`redis://[user:password@]host[:port][/db]`) with
    /// default options, checking that it answers.
    ///
    /// Fails with `ERR_STORE_UNAVAILABLE` when the URL is invalid or the server cannot be
    /// reached within the connect timeout.
    pub fn connect(url: &str) -> Result<RedisStore> {
        Self::connect_with(url, RedisOptions::default())
    }

    /// Connects to the Redis server at `url` with `options`, checking that it answers.
    pub fn connect_with(url: &str, options: RedisOptions) -> Result<RedisStore> {
        let store = Self::connect_lazy(url, options)?;
        store.ping()?;
        Ok(store)
    }

    /// A store on the Redis server at `url` that connects on first use: nothing is sent now,
    /// so building it never blocks and an application can start while Redis is down (its calls
    /// fail with `ERR_STORE_UNAVAILABLE` until the server answers).
    ///
    /// Fails with `ERR_STORE_UNAVAILABLE` only when the URL is invalid.
    pub fn connect_lazy(url: &str, options: RedisOptions) -> Result<RedisStore> {
        // The URL may carry a password: it never goes into a message.
        let invalid = |e: RedisError| {
            err!(
                StoreUnavailable,
                "Redis idempotency store: invalid URL: {}",
                clip(&e.to_string(), 80)
            )
        };
        let info = url.into_connection_info().map_err(invalid)?;
        // Requests are small and each waits for its reply: Nagle's algorithm could only hold one
        // back.
        let tcp = info.tcp_settings().clone().set_nodelay(true);
        let client = Client::open(info.set_tcp_settings(tcp)).map_err(invalid)?;
        let addr = client.get_connection_info().addr().to_string();
        Ok(RedisStore {
            client,
            lanes: PerProcess::new(Arc::new(Lanes::new(options.connections))),
            options,
            addr,
            set_nx_get: AtomicBool::new(true),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.options.prefix
    }

    /// The options it was built with.
    pub fn options(&self) -> &RedisOptions {
        &self.options
    }

    /// Checks that the server answers (`PING`), e.g. for a readiness probe.
    pub fn ping(&self) -> Result<()> {
        let what = "cannot reach the server";
        match self.call(what, ::redis::cmd("PING").get_packed_command())? {
            Value::SimpleString(_) | Value::BulkString(_) => Ok(()),
            other => Err(self.unexpected(what, &other)),
        }
    }

    /// This process's lanes (a forked child replaces those it inherited, dropping them here
    /// only: closing a socket in one process leaves it open in the other).
    fn lanes(&self, what: &str) -> Result<Arc<Lanes>> {
        let lanes = self
            .lanes
            .lock(
                |inherited| *inherited = Arc::new(Lanes::new(self.options.connections)),
                self.options.connect_timeout,
            )
            .map_err(|_| {
                err!(
                    StoreUnavailable,
                    "Redis idempotency store at {}: {what}: this process was forked while \
                     another thread was using the store; open the store again in this process",
                    self.addr
                )
            })?;
        Ok(Arc::clone(&lanes))
    }

    /// Sends one packed command, on a connection of its own or with those of concurrent
    /// callers, and returns its reply.
    fn call(&self, what: &str, packed: Vec<u8>) -> Result<Value> {
        let lanes = self.lanes(what)?;
        let (lane, _using) = lanes.pick();
        lane.call(packed, |conn, batch, commands| {
            self.exchange(conn, batch, commands)
        })
        .map_err(|e| self.unavailable(what, &e))
    }

    /// Runs a script: `EVALSHA`, or `EVAL` once if the server does not know the script yet
    /// (first use, or after a restart or `SCRIPT FLUSH`), which also caches it there.
    fn script(&self, what: &str, script: &Lua, key: &str, args: &[&[u8]]) -> Result<i64> {
        let packed = |command: &str, script_arg: &str| {
            let mut cmd = Cmd::new();
            cmd.arg(command).arg(script_arg).arg(1).arg(key);
            for a in args {
                cmd.arg(*a);
            }
            cmd.get_packed_command()
        };
        let mut reply = self.call(what, packed("EVALSHA", &script.sha1))?;
        if matches!(&reply, Value::ServerError(e) if e.code() == "NOSCRIPT") {
            reply = self.call(what, packed("EVAL", script.source))?;
        }
        match reply {
            Value::Int(n) => Ok(n),
            other => Err(self.unexpected(what, &other)),
        }
    }

    fn open(&self) -> std::result::Result<Connection, RedisError> {
        let conn = self
            .client
            .get_connection_with_timeout(self.options.connect_timeout)?;
        let timeout = Some(self.options.timeout);
        conn.set_read_timeout(timeout)?;
        conn.set_write_timeout(timeout)?;
        Ok(conn)
    }

    /// The I/O of one batch: sends every command in one write and reads every reply. A reused
    /// connection that turns out broken (the server restarted or closed it while idle) is
    /// replaced once and the whole batch re-sent: every script is idempotent for its token.
    /// Returns the connection when it is still usable.
    fn exchange(
        &self,
        conn: Option<Connection>,
        batch: &[u8],
        commands: usize,
    ) -> (
        Option<Connection>,
        std::result::Result<Vec<Value>, RedisError>,
    ) {
        let reused = conn.is_some();
        let mut conn = match conn.map_or_else(|| self.open(), Ok) {
            Ok(conn) => conn,
            Err(e) => return (None, Err(e)),
        };
        match round_trip(&mut conn, batch, commands) {
            Ok(replies) => (Some(conn), Ok(replies)),
            Err(e) if reused && e.is_connection_dropped() => match self.open() {
                Ok(mut fresh) => match round_trip(&mut fresh, batch, commands) {
                    Ok(replies) => (Some(fresh), Ok(replies)),
                    Err(e) => (None, Err(e)),
                },
                Err(e) => (None, Err(e)),
            },
            // Timed out or failed half-way: replies may still be in flight, so the connection
            // is not reused.
            Err(e) => (None, Err(e)),
        }
    }

    fn unavailable(&self, what: &str, e: &RedisError) -> Error {
        let hint = if e.is_timeout() {
            format!(" (no answer within {:?})", self.options.timeout)
        } else {
            String::new()
        };
        err!(
            StoreUnavailable,
            "Redis idempotency store at {}: {what}: {}{hint}",
            clip_start(&self.addr, 50),
            clip(&e.to_string(), 60)
        )
    }

    fn unexpected(&self, what: &str, reply: &Value) -> Error {
        let reply = match reply {
            Value::ServerError(e) => e.to_string(),
            other => format!("{other:?}"),
        };
        err!(
            StoreUnavailable,
            "Redis idempotency store at {}: {what}: unexpected reply {reply}",
            self.addr
        )
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.options.prefix)
    }
}

/// Writes `batch` (`commands` packed commands) and reads as many replies, stopping at the first
/// I/O error (so a dead server costs one timeout, not one per command).
fn round_trip(
    conn: &mut Connection,
    batch: &[u8],
    commands: usize,
) -> std::result::Result<Vec<Value>, RedisError> {
    conn.send_packed_command(batch)?;
    (0..commands).map(|_| conn.recv_response()).collect()
}

/// A process's connections to the server (at most [`RedisOptions::connections`]), each with
/// the callers using it.
struct Lanes(Box<[Lane]>);

impl Lanes {
    fn new(connections: usize) -> Self {
        Lanes((0..connections.max(1)).map(|_| Lane::default()).collect())
    }

    /// The lane for a call, counted as used until the returned guard drops: the first lane
    /// nobody is using (lowest first, so a process opens another connection only when calls
    /// overlap), or, when every lane is in use, the calling thread's own, whose next batch
    /// will carry the command. Spreading threads over the lanes keeps each batch small and
    /// lets the round trips of different lanes overlap.
    fn pick(&self) -> (&Lane, Using<'_>) {
        let idle = self.0.iter().find(|lane| {
            lane.callers
                .compare_exchange(0, 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        });
        let lane = idle.unwrap_or_else(|| {
            let lane = &self.0[thread_slot() % self.0.len()];
            lane.callers.fetch_add(1, Ordering::Relaxed);
            lane
        });
        (lane, Using(&lane.callers))
    }
}

/// A small number for the calling thread, different for threads started one after another.
fn thread_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local!(static SLOT: usize = NEXT.fetch_add(1, Ordering::Relaxed));
    SLOT.with(|slot| *slot)
}

/// A caller counted on a lane; uncounted when dropped (also if the call unwinds).
struct Using<'a>(&'a AtomicUsize);

impl Drop for Using<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One connection and the callers waiting to use it.
#[derive(Default)]
struct Lane {
    /// Callers between picking this lane and getting their reply: a lane at 0 is free, and a
    /// caller takes a free lane by moving it from 0 to 1 (so two callers cannot both take it
    /// as free). Kept outside the lock: picking a lane never waits.
    callers: AtomicUsize,
    state: Mutex<LaneState>,
}

#[derive(Default)]
struct LaneState {
    /// The idle connection: `None` before the first call, while a caller is using it, and after
    /// it broke.
    conn: Option<Connection>,
    /// A caller is sending a batch and reading its replies.
    busy: bool,
    /// Commands waiting for the next batch: (id, packed command).
    queue: Vec<(u64, Vec<u8>)>,
    /// Replies not collected yet by their callers.
    replies: Vec<(u64, std::result::Result<Value, RedisError>)>,
    /// Callers parked until their reply or their turn to send: (id, thread). A caller registers
    /// only when it must wait, so a lone caller never touches its thread handle.
    parked: Vec<(u64, Thread)>,
    next_id: u64,
}

impl LaneState {
    /// Takes the parked threads of `ids` (answered), and of the first queued command (whose
    /// turn it is to send), to be woken once the lock is released.
    fn take_wakers(&mut self, ids: &[u64]) -> Vec<Thread> {
        let next = self.queue.first().map(|(id, _)| *id);
        let mut wake = Vec::new();
        self.parked.retain(|(id, thread)| {
            let woken = ids.contains(id) || Some(*id) == next;
            if woken {
                wake.push(thread.clone());
            }
            !woken
        });
        wake
    }
}

type Exchanged = (
    Option<Connection>,
    std::result::Result<Vec<Value>, RedisError>,
);

impl Lane {
    fn state(&self) -> MutexGuard<'_, LaneState> {
        // Every change to the state is made under the lock in a few assignments that cannot
        // panic half-way, so a poisoned lock (a panic elsewhere) leaves it consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `packed` and returns its reply. The caller that finds the connection free sends
    /// everything queued (its command and those of callers that queued while the previous
    /// batch was on the wire) through `exchange`, then wakes exactly the callers it answered,
    /// and the caller whose turn it is to send the next batch.
    fn call(
        &self,
        packed: Vec<u8>,
        exchange: impl Fn(Option<Connection>, &[u8], usize) -> Exchanged,
    ) -> std::result::Result<Value, RedisError> {
        let mut state = self.state();
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        state.queue.push((id, packed));
        loop {
            if let Some(at) = state.replies.iter().position(|(i, _)| *i == id) {
                return state.replies.swap_remove(at).1;
            }
            if state.busy {
                if !state.parked.iter().any(|(i, _)| *i == id) {
                    state.parked.push((id, std::thread::current()));
                }
                // Parking after unlocking loses no wake-up: an `unpark` that comes first makes
                // `park` return at once. Waking for another reason just checks again.
                drop(state);
                std::thread::park();
                state = self.state();
                continue;
            }
            // Lead: our command is queued (not answered, and nobody is sending).
            state.busy = true;
            state.parked.retain(|(i, _)| *i != id);
            let batch = std::mem::take(&mut state.queue);
            let conn = state.conn.take();
            drop(state);
            let ids: Vec<u64> = batch.iter().map(|(i, _)| *i).collect();
            let mut leading = Leading {
                lane: self,
                ids: &ids,
                done: false,
            };
            let commands = batch.len();
            let bytes = if commands == 1 {
                batch.into_iter().next().map(|(_, p)| p).unwrap_or_default()
            } else {
                batch.into_iter().flat_map(|(_, p)| p).collect()
            };
            let (conn, replies) = exchange(conn, &bytes, commands);
            leading.done = true;
            state = self.state();
            state.busy = false;
            state.conn = conn;
            let mut mine = None;
            match replies {
                Ok(values) => {
                    for (i, value) in ids.iter().zip(values) {
                        if *i == id {
                            mine = Some(Ok(value));
                        } else {
                            state.replies.push((*i, Ok(value)));
                        }
                    }
                }
                Err(e) => {
                    for i in ids.iter().filter(|i| **i != id) {
                        state.replies.push((*i, Err(e.clone())));
                    }
                    mine = Some(Err(e));
                }
            }
            let wake = state.take_wakers(&ids);
            // Woken after unlocking, so they do not wake only to wait for the lock.
            drop(state);
            for thread in wake {
                thread.unpark();
            }
            // `round_trip` reads one reply per command or fails, so `mine` is always set.
            return mine.unwrap_or_else(|| {
                Err(RedisError::from(std::io::Error::other(
                    "the server sent fewer replies than commands",
                )))
            });
        }
    }
}

/// Frees the lane if the caller sending a batch unwinds (a bug, but the callers waiting on it
/// must not wait forever): its batch is answered with an error.
struct Leading<'a> {
    lane: &'a Lane,
    ids: &'a [u64],
    done: bool,
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = self.lane.state();
        state.busy = false;
        for id in self.ids {
            let e = RedisError::from(std::io::Error::other(
                "internal error while sending a batch (please report it)",
            ));
            state.replies.push((*id, Err(e)));
        }
        let wake = state.take_wakers(self.ids);
        drop(state);
        for thread in wake {
            thread.unpark();
        }
    }
}

impl IdempotencyStore for RedisStore {
    /// One `SET key h:<token> NX PX lease GET`: it takes a free key, and otherwise returns the
    /// value that holds it (`c:` completed, `h:` another token's live lease), all in one command
    /// with no script. Only the holder claiming again (its own `h:<token>`: a command re-sent
    /// after a dropped connection) needs the script, which renews the lease. Redis before 7.0
    /// refuses `NX` with `GET` (a syntax error, applied to nothing): the store then uses the
    /// script for every claim.
    fn claim(&self, key: &str, token: &str, lease: Duration) -> Result<StoreClaim> {
        let (key, held, lease) = (self.key(key), held(token), expiry_ms(lease).to_string());
        let what = "cannot claim a key";
        if self.set_nx_get.load(Ordering::Relaxed) {
            let mut cmd = Cmd::new();
            cmd.arg("SET")
                .arg(&key)
                .arg(&held)
                .arg("NX")
                .arg("PX")
                .arg(&lease)
                .arg("GET");
            match self.call(what, cmd.get_packed_command())? {
                Value::Nil => return Ok(StoreClaim::Claimed),
                Value::BulkString(v) if v.starts_with(b"c:") => return Ok(StoreClaim::Completed),
                Value::BulkString(v) if v != held.as_bytes() => return Ok(StoreClaim::Held),
                // Our own live claim: the script renews its lease.
                Value::BulkString(_) => {}
                // Refused, so applied to nothing: the script answers instead (it reports a
                // lasting problem, such as a key of another type, as its own error). A server
                // without `NX` with `GET` gets the script from now on.
                Value::ServerError(e) => {
                    if refuses_nx_with_get(&e) {
                        self.set_nx_get.store(false, Ordering::Relaxed);
                    }
                }
                other => return Err(self.unexpected(what, &other)),
            }
        }
        match self.script(
            what,
            &scripts().claim,
            &key,
            &[held.as_bytes(), lease.as_bytes()],
        )? {
            0 => Ok(StoreClaim::Claimed),
            1 => Ok(StoreClaim::Completed),
            2 => Ok(StoreClaim::Held),
            other => Err(self.unexpected(what, &Value::Int(other))),
        }
    }

    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool> {
        let (key, held, done) = (self.key(key), held(token), completed(token));
        let retain = expiry_ms(retain).to_string();
        let args: [&[u8]; 3] = [held.as_bytes(), done.as_bytes(), retain.as_bytes()];
        Ok(self.script("cannot complete a key", &scripts().complete, &key, &args)? == 1)
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        let (key, held) = (self.key(key), held(token));
        Ok(self.script(
            "cannot release a key",
            &scripts().release,
            &key,
            &[held.as_bytes()],
        )? == 1)
    }
}

/// The error of a server that does not know `SET ... NX ... GET` (Redis before 7.0: "ERR syntax
/// error"; before 6.2 `GET` is not an option at all, the same error).
fn refuses_nx_with_get(e: &::redis::ServerError) -> bool {
    e.code() == "ERR" && e.details().is_some_and(|d| d.contains("syntax"))
}

fn held(token: &str) -> String {
    format!("h:{token}")
}

fn completed(token: &str) -> String {
    format!("c:{token}")
}

/// A duration as Redis `PX` milliseconds: rounded up, at least 1 (Redis refuses 0).
fn expiry_ms(d: Duration) -> u64 {
    let ms = d.as_nanos().div_ceil(1_000_000).clamp(1, MAX_EXPIRY_MS);
    u64::try_from(ms).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::contract;
    use crate::error::ErrorCode;

    /// The server the test run started (`scripts/with-redis.sh` sets it; `make test` does so).
    fn test_url() -> String {
        std::env::var("PALISADE_TEST_REDIS_URL").unwrap_or_else(|_| {
            panic!(
                "PALISADE_TEST_REDIS_URL is not set: the Redis store tests need a real server. \
                 Run them with `make test-rust`, or as `scripts/with-redis.sh cargo test ...`, \
                 which starts a throwaway redis-server on 127.0.0.1."
            )
        })
    }

    fn test_store(prefix: &str) -> RedisStore {
        let options = RedisOptions::default().prefix(format!("test:{prefix}:"));
        RedisStore::connect_with(&test_url(), options).expect("the test Redis server answers")
    }

    #[test]
    fn contract_suite() {
        let store = test_store("contract");
        contract::run_all(&store, &std::thread::sleep);
    }

    #[test]
    fn contract_suite_of_a_lazily_connected_store() {
        let options = RedisOptions::default().prefix("test:lazy:");
        let store = RedisStore::connect_lazy(&test_url(), options).unwrap();
        contract::run_all(&store, &std::thread::sleep);
    }

    #[test]
    fn contract_suite_with_script_claims() {
        // What a server older than Redis 7.0 gets: every claim through the script.
        let store = test_store("script-claims");
        store.set_nx_get.store(false, Ordering::Relaxed);
        contract::run_all(&store, &std::thread::sleep);
        assert!(!store.set_nx_get.load(Ordering::Relaxed));
    }

    #[test]
    fn the_holder_claiming_again_renews_its_lease() {
        // `SET NX GET` finds the holder's own value and leaves the renewal to the script.
        let store = test_store("renew");
        let key = format!("k-{}", crate::dedup::new_token());
        let short = Duration::from_millis(300);
        assert_eq!(store.claim(&key, "t", short).unwrap(), StoreClaim::Claimed);
        assert_eq!(
            store.claim(&key, "t", Duration::from_secs(30)).unwrap(),
            StoreClaim::Claimed
        );
        std::thread::sleep(short + Duration::from_millis(200));
        assert_eq!(
            store.claim(&key, "u", Duration::from_secs(30)).unwrap(),
            StoreClaim::Held,
            "the renewed lease outlives the first one"
        );
        assert!(store.set_nx_get.load(Ordering::Relaxed));
    }

    #[test]
    fn a_syntax_error_is_recognised_as_a_server_without_nx_get() {
        // `NX` with `XX` is a syntax error on every version: the same reply Redis < 7.0 gives
        // to `NX` with `GET`.
        let store = test_store("syntax");
        let key = format!("k-{}", crate::dedup::new_token());
        let mut cmd = Cmd::new();
        cmd.arg("SET").arg(&key).arg("v").arg("NX").arg("XX");
        match store.call("syntax", cmd.get_packed_command()).unwrap() {
            Value::ServerError(e) => assert!(refuses_nx_with_get(&e), "{e:?}"),
            other => panic!("{other:?}"),
        }
        let mut cmd = Cmd::new();
        cmd.arg("INCR").arg(&key);
        assert_eq!(
            store.call("incr", cmd.get_packed_command()).unwrap(),
            Value::Int(1)
        );
        let mut cmd = Cmd::new();
        cmd.arg("SET").arg(&key).arg("v").arg("NX").arg("GET");
        // The key holds "1": SET NX GET answers with it and sets nothing.
        assert_eq!(
            store.call("get", cmd.get_packed_command()).unwrap(),
            Value::BulkString(b"1".to_vec())
        );
    }

    #[test]
    fn concurrent_callers_each_get_their_own_reply() {
        // Many threads over a few connections (pipelined on each), and over one.
        concurrent_callers_each_get_their_own_reply_with(test_store("pipelined"));
        let one = RedisOptions::default()
            .prefix("test:pipelined-one:")
            .connections(1)
            .unwrap();
        concurrent_callers_each_get_their_own_reply_with(
            RedisStore::connect_with(&test_url(), one).unwrap(),
        );
    }

    fn concurrent_callers_each_get_their_own_reply_with(store: RedisStore) {
        let run = crate::dedup::new_token();
        let lease = Duration::from_secs(30);
        std::thread::scope(|scope| {
            for t in 0..16 {
                let (store, run) = (&store, &run);
                scope.spawn(move || {
                    for i in 0..200 {
                        let key = format!("{run}:{t}:{i}");
                        let mine = format!("t{t}");
                        assert_eq!(
                            store.claim(&key, &mine, lease).unwrap(),
                            StoreClaim::Claimed
                        );
                        assert_eq!(store.claim(&key, "other", lease).unwrap(), StoreClaim::Held);
                        assert!(!store.release(&key, "other").unwrap());
                        if i % 2 == 0 {
                            assert!(store.complete(&key, &mine, lease).unwrap());
                            assert_eq!(
                                store.claim(&key, "other", lease).unwrap(),
                                StoreClaim::Completed
                            );
                        } else {
                            assert!(store.release(&key, &mine).unwrap());
                        }
                    }
                });
            }
        });
    }

    /// The server's clients connected to database `db` (each has `db=N` in `CLIENT LIST`).
    fn clients_on(db: u8) -> usize {
        let client = Client::open(test_url()).unwrap();
        let mut conn = client.get_connection().unwrap();
        let list: String = ::redis::cmd("CLIENT").arg("LIST").query(&mut conn).unwrap();
        let tag = format!(" db={db} ");
        list.lines().filter(|l| l.contains(&tag)).count()
    }

    #[test]
    fn connections_open_as_calls_overlap_and_never_beyond_the_bound() {
        // Database 11 is this test's alone, so the server's client list counts the store's
        // connections.
        let url = test_url();
        let url = format!("{}/11", url.strip_suffix("/0").unwrap_or(&url));
        let options = RedisOptions::default().connections(3).unwrap();
        let store = RedisStore::connect_lazy(&url, options).unwrap();
        assert_eq!(clients_on(11), 0);
        let lease = Duration::from_secs(30);
        let run = crate::dedup::new_token();
        // One caller at a time: one connection, however many calls.
        for i in 0..50 {
            let key = format!("{run}:seq:{i}");
            assert_eq!(store.claim(&key, "t", lease).unwrap(), StoreClaim::Claimed);
        }
        assert_eq!(clients_on(11), 1);
        // Twelve threads at once: more connections, never more than three.
        let start = std::sync::Barrier::new(12);
        std::thread::scope(|scope| {
            for t in 0..12 {
                let (store, run, start) = (&store, &run, &start);
                scope.spawn(move || {
                    start.wait();
                    for i in 0..100 {
                        let key = format!("{run}:{t}:{i}");
                        assert_eq!(store.claim(&key, "t", lease).unwrap(), StoreClaim::Claimed);
                    }
                });
            }
        });
        let open = clients_on(11);
        assert!((2..=3).contains(&open), "{open} connections");
        drop(store);
        // Dropping the store closes them (the server notices asynchronously).
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while clients_on(11) > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "connections left open"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn scripts_flushed_from_the_server_are_sent_again() {
        let store = test_store("noscript");
        let key = format!("k-{}", crate::dedup::new_token());
        let lease = Duration::from_secs(5);
        assert_eq!(store.claim(&key, "t", lease).unwrap(), StoreClaim::Claimed);
        let flushed = store
            .call(
                "flush",
                ::redis::cmd("SCRIPT").arg("FLUSH").get_packed_command(),
            )
            .unwrap();
        assert!(
            matches!(flushed, Value::Okay | Value::SimpleString(_)),
            "{flushed:?}"
        );
        assert!(store.complete(&key, "t", lease).unwrap());
        assert_eq!(
            store.claim(&key, "u", lease).unwrap(),
            StoreClaim::Completed
        );
    }

    #[test]
    fn out_of_range_timeouts_are_refused() {
        for bad in [
            Duration::ZERO,
            Duration::from_micros(999),
            Duration::from_secs(3601),
        ] {
            assert_eq!(
                RedisOptions::default().timeout(bad).unwrap_err().option(),
                "timeout"
            );
            assert_eq!(
                RedisOptions::default()
                    .connect_timeout(bad)
                    .unwrap_err()
                    .option(),
                "connect_timeout"
            );
        }
    }

    #[test]
    fn a_lazy_store_with_nothing_listening_fails_only_when_used() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let store = RedisStore::connect_lazy(
            &format!("redis://127.0.0.1:{port}/"),
            RedisOptions::default(),
        )
        .unwrap();
        let e = store.claim("k", "t", Duration::from_secs(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        let e = RedisStore::connect_lazy("http://h/", RedisOptions::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    }

    #[test]
    fn prefixes_keep_applications_apart() {
        let key = format!("k-{}", crate::dedup::new_token());
        let a = test_store("app-a");
        let b = test_store("app-b");
        let lease = Duration::from_secs(5);
        assert_eq!(a.claim(&key, "t1", lease).unwrap(), StoreClaim::Claimed);
        assert_eq!(b.claim(&key, "t2", lease).unwrap(), StoreClaim::Claimed);
        assert_eq!(a.claim(&key, "t3", lease).unwrap(), StoreClaim::Held);
        assert_eq!(a.prefix(), "test:app-a:");
    }

    #[test]
    fn repeated_commands_of_the_same_holder_are_idempotent() {
        // What a retry after a dropped connection sends again.
        let store = test_store("repeat");
        let key = format!("k-{}", crate::dedup::new_token());
        let lease = Duration::from_secs(5);
        assert_eq!(store.claim(&key, "t", lease).unwrap(), StoreClaim::Claimed);
        assert_eq!(store.claim(&key, "t", lease).unwrap(), StoreClaim::Claimed);
        assert!(store.complete(&key, "t", lease).unwrap());
        assert!(store.complete(&key, "t", lease).unwrap());
        assert!(!store.complete(&key, "u", lease).unwrap());
        assert_eq!(
            store.claim(&key, "u", lease).unwrap(),
            StoreClaim::Completed
        );
    }

    #[test]
    fn tiny_durations_are_valid_expiries() {
        let store = test_store("tiny");
        let key = format!("k-{}", crate::dedup::new_token());
        assert_eq!(
            store.claim(&key, "t", Duration::ZERO).unwrap(),
            StoreClaim::Claimed
        );
        assert!(store.complete(&key, "t", Duration::from_nanos(1)).unwrap());
        assert!(store
            .complete(&key, "t", Duration::from_secs(u64::MAX))
            .unwrap());
        assert_eq!(
            store.claim(&key, "u", Duration::MAX).unwrap(),
            StoreClaim::Completed
        );
    }

    #[test]
    fn invalid_url_is_store_unavailable_without_echoing_it() {
        let e = RedisStore::connect("http://user:s3cret@127.0.0.1/").unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        assert!(!e.message().contains("s3cret"), "{}", e.message());
    }

    #[test]
    fn refused_connection_is_store_unavailable() {
        // A port nobody listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = RedisStore::connect(&format!("redis://127.0.0.1:{port}/")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        assert!(
            e.message().contains(&format!("127.0.0.1:{port}")),
            "{}",
            e.message()
        );
    }

    #[test]
    fn expiry_ms_rounds_up_and_clamps() {
        assert_eq!(expiry_ms(Duration::ZERO), 1);
        assert_eq!(expiry_ms(Duration::from_micros(1500)), 2);
        assert_eq!(expiry_ms(Duration::from_secs(60)), 60_000);
        assert_eq!(expiry_ms(Duration::MAX), 1 << 46);
    }
}
