//! The idempotency stores of the core behind one handle type, `PwStore`: in memory, SQLite
//! and Redis (each durable store behind its Cargo feature, on by default).

use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use palisade_webhooks::dedup::{DEFAULT_MAX_ENTRIES, DEFAULT_TTL};
use palisade_webhooks::testing::FaultyStore;
use palisade_webhooks::{IdempotencyStore, MemoryStore};

use crate::memory::{bytes, free_handle, put, put_handle, text};
use crate::status::{guard, Fail, PwError, PwStatus};

/// An idempotency store (memory, SQLite, Redis, or the testing faulty store: one handle type).
/// Thread-safe.
pub struct PwStore {
    pub(crate) inner: Arc<dyn IdempotencyStore>,
    /// Set when the store is a `FaultyStore`, so its failing step can be changed.
    pub(crate) faulty: Option<Arc<FaultyStore>>,
}

impl PwStore {
    pub(crate) fn new(inner: Arc<dyn IdempotencyStore>) -> PwStore {
        PwStore {
            inner,
            faulty: None,
        }
    }
}

/// An in-process idempotency store keeping at most `max_entries` keys (0 = the default,
/// 100,000), none longer than `ttl_ns` nanoseconds (0 = the default, 24 h). Free with
/// `pw_store_free` (deduplicators built on it keep it alive on their own).
///
/// # Safety
/// `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_memory_store_new(
    max_entries: u64,
    ttl_ns: u64,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let store = if max_entries == 0 && ttl_ns == 0 {
                MemoryStore::default()
            } else {
                let max = match max_entries {
                    0 => DEFAULT_MAX_ENTRIES,
                    n => usize::try_from(n).unwrap_or(usize::MAX),
                };
                let ttl = match ttl_ns {
                    0 => DEFAULT_TTL,
                    n => Duration::from_nanos(n),
                };
                MemoryStore::new(max, ttl).map_err(|e| Fail::arg(e.to_string()))?
            };
            put_handle(out, PwStore::new(Arc::new(store)))
        })
    }
}

/// Options for `pw_sqlite_store_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwSqliteOptions {
    /// Whether `busy_timeout_ns` is set (default 5 s).
    pub has_busy_timeout: bool,
    /// How long an operation waits for a write lock held by another connection before failing
    /// with `PW_ERR_STORE_UNAVAILABLE`, in nanoseconds.
    pub busy_timeout_ns: u64,
    /// Whether `sync_every_commit` is set (default true).
    pub has_sync_every_commit: bool,
    /// true: every claim and completion is flushed to disk before it is reported (survives a
    /// power loss); false: faster, survives a process crash but maybe not an OS crash.
    pub sync_every_commit: bool,
}

/// Options for `pw_redis_store_new`. Pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PwRedisOptions {
    /// Whether the `prefix` argument of `pw_redis_store_new` is used (default
    /// `"palisade:idem:"`); when set, an empty prefix is an empty prefix.
    pub has_prefix: bool,
    /// Whether `timeout_ns` is set (default 2 s).
    pub has_timeout: bool,
    /// How long one command may take before the call fails with `PW_ERR_STORE_UNAVAILABLE`.
    pub timeout_ns: u64,
    /// Whether `connect_timeout_ns` is set (default 2 s).
    pub has_connect_timeout: bool,
    /// How long opening a connection may take.
    pub connect_timeout_ns: u64,
    /// Whether `max_idle` is set (default 16).
    pub has_max_idle: bool,
    /// Accepted for compatibility and ignored (must be at least 1 when set): see
    /// `connections`.
    pub max_idle: u64,
    /// Whether `connections` is set (default 4).
    pub has_connections: bool,
    /// The most connections one process opens to the server, 1 to 64. Concurrent calls each
    /// take a connection nobody is using, opened when first needed; beyond that they share
    /// one, pipelined. Signed, so that a negative count reaches the core's check (and its
    /// message) like any other out-of-range one.
    pub connections: i64,
}

/// A durable idempotency store in one SQLite file (created if needed; WAL mode), shared by every
/// process on the host that opens the same file. `path` is the file's path (not NUL-terminated;
/// must be UTF-8); `options` may be NULL. Fails with `PW_ERR_STORE_UNAVAILABLE` when the file
/// cannot be opened or created (the message names it and the cause). Free with `pw_store_free`.
///
/// # Safety
/// `path` valid for `path_len` (NULL when 0); `options` NULL or valid; `out` valid for writes.
#[no_mangle]
pub unsafe extern "C" fn pw_sqlite_store_new(
    path: *const u8,
    path_len: usize,
    options: *const PwSqliteOptions,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let path = std::str::from_utf8(bytes(path, path_len, "path")?)
                .map_err(|_| Fail::arg("the SQLite path is not UTF-8"))?;
            if path.is_empty() {
                return Err(Fail::arg("the SQLite path is empty"));
            }
            let given = options.as_ref().copied().unwrap_or_default();
            let store = durable::sqlite(path, &given)?;
            put_handle(out, PwStore::new(store))
        })
    }
}

/// A shared idempotency store on the Redis server at `url` (`redis://[user:password@]host
/// [:port][/db]` or `redis+unix://`), checked with a PING. `prefix` is read only when
/// `options->has_prefix`; `options` may be NULL. Fails with `PW_ERR_STORE_UNAVAILABLE` when the
/// URL is invalid or the server cannot be reached in time. Free with `pw_store_free`.
///
/// # Safety
/// Pointers valid for their lengths (NULL when 0); `options` NULL or valid; `out` valid.
#[no_mangle]
pub unsafe extern "C" fn pw_redis_store_new(
    url: *const u8,
    url_len: usize,
    prefix: *const u8,
    prefix_len: usize,
    options: *const PwRedisOptions,
    out: *mut *mut PwStore,
    err: *mut PwError,
) -> PwStatus {
    // SAFETY: forwarded.
    unsafe {
        guard(err, || {
            put(out, ptr::null_mut(), "out")?;
            let url = text(url, url_len, "url")?;
            let given = options.as_ref().copied().unwrap_or_default();
            let prefix = if given.has_prefix {
                Some(text(prefix, prefix_len, "prefix")?)
            } else {
                None
            };
            let store = durable::redis(&url, prefix.as_deref(), &given)?;
            put_handle(out, PwStore::new(store))
        })
    }
}

/// The durable stores, each behind its Cargo feature (on by default). A build without one
/// keeps the export and fails with `PW_ERR_STORE_UNAVAILABLE`, so the header never changes.
mod durable {
    use super::{Fail, PwRedisOptions, PwSqliteOptions};
    use palisade_webhooks::IdempotencyStore;
    use std::sync::Arc;
    #[cfg(any(feature = "sqlite", feature = "redis"))]
    use std::time::Duration;

    #[cfg(feature = "sqlite")]
    pub(super) fn sqlite(
        path: &str,
        given: &PwSqliteOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        use palisade_webhooks::{SqliteOptions, SqliteStore};
        let mut options = SqliteOptions::default();
        if given.has_busy_timeout {
            options = options
                .busy_timeout(Duration::from_nanos(given.busy_timeout_ns))
                .map_err(|e| Fail::arg(e.to_string()))?;
        }
        if given.has_sync_every_commit {
            options = options.sync_every_commit(given.sync_every_commit);
        }
        Ok(Arc::new(SqliteStore::open_with(path, options)?))
    }

    #[cfg(not(feature = "sqlite"))]
    pub(super) fn sqlite(
        _path: &str,
        _given: &PwSqliteOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        Err(Fail {
            code: crate::status::PW_ERR_STORE_UNAVAILABLE,
            message: "this build of the library has no SQLite store (feature \"sqlite\")".into(),
        })
    }

    #[cfg(feature = "redis")]
    pub(super) fn redis(
        url: &str,
        prefix: Option<&str>,
        given: &PwRedisOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        use palisade_webhooks::{RedisOptions, RedisStore};
        let mut options = RedisOptions::default();
        if let Some(prefix) = prefix {
            options = options.prefix(prefix);
        }
        if given.has_timeout {
            options = options
                .timeout(Duration::from_nanos(given.timeout_ns))
                .map_err(|e| Fail::arg(e.to_string()))?;
        }
        if given.has_connect_timeout {
            options = options
                .connect_timeout(Duration::from_nanos(given.connect_timeout_ns))
                .map_err(|e| Fail::arg(e.to_string()))?;
        }
        if given.has_connections {
            // Below 1 is refused as 0 is; the message names the value given.
            options = options
                .connections(usize::try_from(given.connections).unwrap_or(0))
                .map_err(|e| {
                    Fail::arg(format!(
                        "connections {}, not {}",
                        e.requirement(),
                        given.connections
                    ))
                })?;
        }
        if given.has_max_idle {
            // Kept for compatibility: there is no idle pool to size; `connections` bounds the
            // connections (docs/stores.md).
            if given.max_idle == 0 {
                return Err(Fail::arg("max_idle must be at least 1"));
            }
        }
        Ok(Arc::new(RedisStore::connect_with(url, options)?))
    }

    #[cfg(not(feature = "redis"))]
    pub(super) fn redis(
        _url: &str,
        _prefix: Option<&str>,
        _given: &PwRedisOptions,
    ) -> Result<Arc<dyn IdempotencyStore>, Fail> {
        Err(Fail {
            code: crate::status::PW_ERR_STORE_UNAVAILABLE,
            message: "this build of the library has no Redis store (feature \"redis\")".into(),
        })
    }
}

/// Frees a store handle. Accepts NULL.
///
/// # Safety
/// `store` NULL or a live store handle, freed once.
#[no_mangle]
pub unsafe extern "C" fn pw_store_free(store: *mut PwStore) {
    // SAFETY: forwarded.
    unsafe { free_handle(store) }
}
