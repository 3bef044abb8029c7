//! `RedisStore`: a store shared by every receiver instance that talks to one Redis server.

use std::fmt;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use ::redis::{Client, Connection, RedisError, Script};

use super::{IdempotencyStore, StoreClaim};
use crate::error::{clip, clip_start, err, Error, Result};

/// Default prefix put before every idempotency key in Redis.
const DEFAULT_PREFIX: &str = "palisade:idem:";
/// Default bound on one command's round trip (write and read): 2 s.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default bound on opening a connection: 2 s.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default number of idle connections kept for reuse.
const DEFAULT_MAX_IDLE: usize = 16;

/// Longest expiry sent to Redis (about 2,000 years, far below what overflows its clock).
const MAX_EXPIRY_MS: u128 = 1 << 46;

/// Values stored under a key: `h:<token>` while held, `c:<token>` once completed. Every script
/// treats a repeat of its own token as success, so a command re-sent after a dropped
/// connection cannot turn the caller's own claim into "held by someone else".
///
/// Claim: take the key with `SET NX PX` (Redis expires a lapsed lease by itself); otherwise
/// report what holds it.
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

/// Complete: only if the key is still ours, or free (our lease lapsed and nobody took over).
const COMPLETE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v or v == ARGV[1] or v == ARGV[2] then
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

struct Scripts {
    claim: Script,
    complete: Script,
    release: Script,
}

fn scripts() -> &'static Scripts {
    static SCRIPTS: OnceLock<Scripts> = OnceLock::new();
    SCRIPTS.get_or_init(|| Scripts {
        claim: Script::new(CLAIM),
        complete: Script::new(COMPLETE),
        release: Script::new(RELEASE),
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
///     .timeout(Duration::from_millis(500));
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct RedisOptions {
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    max_idle: usize,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            prefix: DEFAULT_PREFIX.to_string(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_idle: DEFAULT_MAX_IDLE,
        }
    }
}

impl RedisOptions {
    /// The prefix of every key this store writes (default `"palisade:idem:"`). Give each
    /// application sharing a Redis database its own prefix; every instance of one application
    /// must use the same.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one command may take (sending it and reading the answer) before the call fails
    /// with `ERR_STORE_UNAVAILABLE`. Default 2 s; at least 1 ms.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long opening a connection may take. Default 2 s; at least 1 ms.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many idle connections are kept for reuse (default 16). Concurrent calls beyond this
    /// open extra connections, which are closed after use.
    pub fn max_idle(mut self, connections: usize) -> Self {
        self.max_idle = connections;
        self
    }
}

/// An [`IdempotencyStore`] in Redis, shared by every receiver instance connected to the same
/// server: the store to use when **several instances or hosts** receive the same webhooks
/// (one host alone can use `SqliteStore`, one process `MemoryStore`).
///
/// Each operation is one atomic server-side step: a claim is a `SET key NX PX lease` inside a
/// Lua script that otherwise reports "completed" or "held"; complete and release are
/// compare-and-set scripts that only the holder of the claim's token can apply. Lease and
/// retention are Redis key expiries, measured by the Redis server's clock: a lease held by a
/// worker that died expires and another worker takes the key over; a completed key is
/// remembered for the deduplicator's retention. Completed keys live in Redis memory: use a
/// server with persistence (AOF or RDB) and a `noeviction` or `volatile-*` policy if the
/// deduplication must survive a Redis restart or memory pressure.
///
/// Connections are opened lazily beyond the first, reused, and replaced when they break; a
/// connection found broken is retried once on a fresh one (safe: every script is idempotent for
/// the same token). Works with `redis://` and `redis+unix://` URLs (no TLS).
///
/// Use one Redis server (a primary, or an address that Sentinel or a proxy keeps pointing at the
/// primary), not Redis Cluster.
///
/// **Failures.** Every command has a timeout. When the server cannot be reached, refuses, or
/// does not answer in time, the call fails with `ERR_STORE_UNAVAILABLE` — it never hangs (a
/// call takes at most about the connect timeout plus the command timeout) and never answers
/// "new" without a record (answer 503 so Palisade retries). A command that timed out may still
/// be applied by a server that was only slow: at worst the key then stays held until the lease
/// expires, and the retry after that processes the event.
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
    idle: Mutex<Vec<Connection>>,
    addr: String,
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
        // The URL may carry a password: it never goes into a message.
        let client = Client::open(url).map_err(|e| {
            err!(
                StoreUnavailable,
                "Redis idempotency store: invalid URL: {}",
                clip(&e.to_string(), 80)
            )
        })?;
        let addr = client.get_connection_info().addr().to_string();
        let store = RedisStore {
            client,
            options,
            idle: Mutex::new(Vec::new()),
            addr,
        };
        store.ping()?;
        Ok(store)
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.options.prefix
    }

    /// Checks that the server answers (`PING`), e.g. for a readiness probe.
    pub fn ping(&self) -> Result<()> {
        self.run("cannot reach the server", |conn| {
            ::redis::cmd("PING").query::<String>(conn).map(drop)
        })
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        // The list is only pushed to and popped from: a panic elsewhere cannot corrupt it.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open(&self) -> std::result::Result<Connection, RedisError> {
        let conn = self
            .client
            .get_connection_with_timeout(at_least_1ms(self.options.connect_timeout))?;
        let timeout = Some(at_least_1ms(self.options.timeout));
        conn.set_read_timeout(timeout)?;
        conn.set_write_timeout(timeout)?;
        Ok(conn)
    }

    /// Runs `op` on a pooled connection. A connection that fails is dropped (it may have a reply
    /// in flight); one that was reused and turns out broken is replaced once and `op` retried.
    fn run<T>(
        &self,
        what: &str,
        mut op: impl FnMut(&mut Connection) -> std::result::Result<T, RedisError>,
    ) -> Result<T> {
        let pooled = self.idle().pop();
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.open().map_err(|e| self.unavailable(what, &e))?,
        };
        let value = match op(&mut conn) {
            Ok(value) => value,
            Err(e) if reused && e.is_connection_dropped() => {
                conn = self.open().map_err(|e| self.unavailable(what, &e))?;
                op(&mut conn).map_err(|e| self.unavailable(what, &e))?
            }
            Err(e) => return Err(self.unavailable(what, &e)),
        };
        let mut idle = self.idle();
        if idle.len() < self.options.max_idle {
            idle.push(conn);
        }
        Ok(value)
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

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.options.prefix)
    }
}

impl IdempotencyStore for RedisStore {
    fn claim(&self, key: &str, token: &str, lease: Duration) -> Result<StoreClaim> {
        let (key, held, lease) = (self.key(key), held(token), expiry_ms(lease));
        let found: i64 = self.run("cannot claim a key", |conn| {
            scripts().claim.key(&key).arg(&held).arg(lease).invoke(conn)
        })?;
        match found {
            0 => Ok(StoreClaim::Claimed),
            1 => Ok(StoreClaim::Completed),
            2 => Ok(StoreClaim::Held),
            other => Err(err!(
                StoreUnavailable,
                "Redis idempotency store at {}: unexpected claim answer {other}",
                self.addr
            )),
        }
    }

    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool> {
        let (key, held, done) = (self.key(key), held(token), completed(token));
        let retain = expiry_ms(retain);
        let applied: i64 = self.run("cannot complete a key", |conn| {
            scripts()
                .complete
                .key(&key)
                .arg(&held)
                .arg(&done)
                .arg(retain)
                .invoke(conn)
        })?;
        Ok(applied == 1)
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        let (key, held) = (self.key(key), held(token));
        let applied: i64 = self.run("cannot release a key", |conn| {
            scripts().release.key(&key).arg(&held).invoke(conn)
        })?;
        Ok(applied == 1)
    }
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

fn at_least_1ms(d: Duration) -> Duration {
    d.max(Duration::from_millis(1))
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
    fn contract_suite_over_one_connection() {
        let url = test_url();
        let store = RedisStore::connect_with(&url, RedisOptions::default().max_idle(1)).unwrap();
        contract::run_all(&store, &std::thread::sleep);
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
