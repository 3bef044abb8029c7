//! `SqliteStore`: a durable store in one SQLite file, shared by every process on one host.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::{IdempotencyStore, StoreClaim};
use crate::error::{clip, clip_start, err, Error, Result};

/// Default time to wait for another process's write lock before giving up: 5 s.
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Expired rows are purged on every this-many-th write of a store (amortised housekeeping).
const PURGE_EVERY: u32 = 256;
/// At most this many expired rows are purged at a time, so no call pays for a long backlog.
const PURGE_BATCH: i64 = 1024;

const STATE_HELD: i64 = 0;
const STATE_COMPLETED: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS palisade_idempotency (
    key        TEXT    PRIMARY KEY NOT NULL,
    state      INTEGER NOT NULL,
    token      TEXT,
    expires_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS palisade_idempotency_expires ON palisade_idempotency (expires_ms);
";

/// Options for [`SqliteStore::open_with`].
///
/// ```
/// use std::time::Duration;
/// use palisade_webhooks::dedup::SqliteOptions;
///
/// let options = SqliteOptions::default()
///     .busy_timeout(Duration::from_secs(2))
///     .sync_every_commit(false);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    busy_timeout: Duration,
    sync_every_commit: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            sync_every_commit: true,
        }
    }
}

impl SqliteOptions {
    /// How long an operation waits for a write lock held by another connection (another
    /// process, usually) before failing with `ERR_STORE_UNAVAILABLE`. Default: 5 s.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// `true` (the default): every claim and completion is flushed to disk before it is
    /// reported (`PRAGMA synchronous = FULL`), so it survives a power loss or an OS crash.
    /// `false`: `synchronous = NORMAL`, several times faster; a record still survives the crash
    /// of any process, but the last few may be lost if the whole machine goes down, and those
    /// events may then be processed again.
    pub fn sync_every_commit(mut self, sync: bool) -> Self {
        self.sync_every_commit = sync;
        self
    }
}

/// A durable [`IdempotencyStore`] in one SQLite file: survives restarts and is shared by every
/// process on the host that opens the same file.
///
/// Choose it when your receivers run on **one host** (one or several processes): it needs no
/// server, and deduplication survives restarts and crashes. A single process with nothing to
/// survive can use the faster `MemoryStore`; receivers on **several hosts** need a shared store
/// (`RedisStore`). Do not put the file on a network file system: SQLite's locking is not
/// reliable there.
///
/// The database runs in WAL mode. Each operation is one transaction (a claim takes the write
/// lock up front with `BEGIN IMMEDIATE`), so a key is claimed by exactly one caller across all
/// threads and processes. Expiry is wall-clock time (milliseconds since the Unix epoch, shared by
/// all processes): a lease held by a worker that died expires and the key can be taken over;
/// a completed key is remembered for the deduplicator's retention (a jump of the system clock
/// shortens or stretches both accordingly). Expired rows are purged opportunistically, a batch
/// at a time.
///
/// **Failures.** If the file cannot be opened or written, or another process keeps it locked for
/// longer than the busy timeout, the operation fails with `ERR_STORE_UNAVAILABLE` (the message
/// names the file and the cause) and records nothing: a claim never answers "new" without a
/// record.
///
/// ```
/// use std::sync::Arc;
/// use palisade_webhooks::dedup::{ClaimOutcome, Deduplicator, SqliteStore};
///
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("idempotency.sqlite3");
/// let store = SqliteStore::open(&path)?;
/// let dedup = Deduplicator::new(Arc::new(store));
/// let ClaimOutcome::New(claim) = dedup.claim("WALLET/w1/2025-04-08T11:48:56Z")? else { unreachable!() };
/// // ... process the event ...
/// dedup.complete(&claim)?;
/// assert_eq!(dedup.claim("WALLET/w1/2025-04-08T11:48:56Z")?, ClaimOutcome::Duplicate);
/// # Ok::<(), palisade_webhooks::Error>(())
/// ```
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    options: SqliteOptions,
    writes: AtomicU32,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store in the SQLite file at `path`, with default options.
    ///
    /// Fails with `ERR_STORE_UNAVAILABLE` when the file cannot be opened or created (missing
    /// directory, permissions, not a database) or stays locked beyond the busy timeout.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (creating if needed) the store at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let fail = |e: rusqlite::Error| unavailable(&path, &options, "cannot open", e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(fail)?;
        conn.busy_timeout(options.busy_timeout).map_err(fail)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(err!(
                StoreUnavailable,
                "SQLite idempotency store {}: cannot switch to WAL mode (got {:?})",
                clip_start(&path.display().to_string(), 60),
                clip(&mode, 20)
            ));
        }
        let sync = if options.sync_every_commit {
            "FULL"
        } else {
            "NORMAL"
        };
        conn.execute_batch(&format!("PRAGMA synchronous = {sync};"))
            .map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path,
            options,
            writes: AtomicU32::new(0),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Deletes every expired row now (the store also does this a batch at a time as it goes).
    /// Returns how many rows were deleted.
    pub fn purge_expired(&self) -> Result<usize> {
        let conn = self.lock();
        conn.execute(
            "DELETE FROM palisade_idempotency WHERE expires_ms <= ?1",
            params![now_ms()],
        )
        .map_err(|e| self.unavailable("cannot purge expired keys", e))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // Every operation is a transaction that rolls back if dropped half-way, so a panic in
        // another thread cannot leave the connection in a half-written state.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn unavailable(&self, what: &str, e: rusqlite::Error) -> Error {
        unavailable(&self.path, &self.options, what, e)
    }

    /// Runs `op` in one `BEGIN IMMEDIATE` transaction, committing on success.
    fn write<T>(
        &self,
        what: &str,
        op: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.unavailable(what, e))?;
        let now = now_ms();
        let value = op(&tx, now).map_err(|e| self.unavailable(what, e))?;
        if self.writes.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == PURGE_EVERY - 1 {
            tx.prepare_cached(
                "DELETE FROM palisade_idempotency WHERE key IN
                 (SELECT key FROM palisade_idempotency WHERE expires_ms <= ?1 LIMIT ?2)",
            )
            .and_then(|mut purge| purge.execute(params![now, PURGE_BATCH]))
            .map_err(|e| self.unavailable("cannot purge expired keys", e))?;
        }
        tx.commit().map_err(|e| self.unavailable(what, e))?;
        Ok(value)
    }
}

impl IdempotencyStore for SqliteStore {
    fn claim(&self, key: &str, token: &str, lease: Duration) -> Result<StoreClaim> {
        self.write("cannot claim a key", |tx, now| {
            let live: Option<i64> = tx
                .prepare_cached(
                    "SELECT state FROM palisade_idempotency WHERE key = ?1 AND expires_ms > ?2",
                )?
                .query_row(params![key, now], |row| row.get(0))
                .optional()?;
            match live {
                Some(STATE_COMPLETED) => Ok(StoreClaim::Completed),
                Some(_) => Ok(StoreClaim::Held),
                None => {
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO palisade_idempotency (key, state, token, expires_ms)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![key, STATE_HELD, token, expiry(now, lease)])?;
                    Ok(StoreClaim::Claimed)
                }
            }
        })
    }

    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool> {
        self.write("cannot complete a key", |tx, now| {
            let row: Option<(i64, Option<String>, i64)> = tx
                .prepare_cached(
                    "SELECT state, token, expires_ms FROM palisade_idempotency WHERE key = ?1",
                )?
                .query_row(params![key], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            let ours_or_free = match row {
                // Still ours, even if the lease ran out: nobody took it over, and the work is
                // done (or already recorded as done: completing twice is harmless).
                Some((_, Some(t), _)) if t == token => true,
                // Expired (someone else's lapsed lease, or a forgotten completion): free.
                Some((_, _, expires)) => expires <= now,
                // Our row was purged and nobody claimed the key since: record it.
                None => true,
            };
            if ours_or_free {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO palisade_idempotency (key, state, token, expires_ms)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    key,
                    STATE_COMPLETED,
                    token,
                    expiry(now, retain)
                ])?;
            }
            Ok(ours_or_free)
        })
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        let conn = self.lock();
        conn.prepare_cached(
            "DELETE FROM palisade_idempotency WHERE key = ?1 AND state = ?2 AND token = ?3",
        )
        .and_then(|mut delete| delete.execute(params![key, STATE_HELD, token]))
        .map(|deleted| deleted == 1)
        .map_err(|e| self.unavailable("cannot release a key", e))
    }
}

fn unavailable(path: &Path, options: &SqliteOptions, what: &str, e: rusqlite::Error) -> Error {
    let busy = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    let hint = if busy {
        format!(
            " (still locked by another connection after the busy timeout of {:?})",
            options.busy_timeout
        )
    } else {
        String::new()
    };
    err!(
        StoreUnavailable,
        "SQLite idempotency store {}: {what}: {}{hint}",
        clip_start(&path.display().to_string(), 60),
        clip(&e.to_string(), 60)
    )
}

/// Milliseconds since the Unix epoch (the time every process sharing the file agrees on).
fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// `now + d`, rounded up to the next millisecond so a non-zero lease never expires at once.
fn expiry(now: i64, d: Duration) -> i64 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    now.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::contract;
    use crate::error::ErrorCode;

    #[test]
    fn contract_suite() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("store.sqlite3")).unwrap();
        contract::run_all(&store, &std::thread::sleep);
    }

    #[test]
    fn contract_suite_without_sync() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions::default().sync_every_commit(false);
        let store = SqliteStore::open_with(dir.path().join("store.sqlite3"), options).unwrap();
        contract::run_all(&store, &std::thread::sleep);
    }

    #[test]
    fn purge_removes_only_expired_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("store.sqlite3")).unwrap();
        for i in 0..10 {
            let key = format!("short{i}");
            store.claim(&key, "t", Duration::from_millis(1)).unwrap();
        }
        store.claim("long", "t", Duration::from_secs(60)).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(store.purge_expired().unwrap(), 10);
        assert_eq!(
            store.claim("long", "u", Duration::from_secs(1)).unwrap(),
            StoreClaim::Held
        );
    }

    #[test]
    fn opportunistic_purge_keeps_the_table_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions::default().sync_every_commit(false);
        let store = SqliteStore::open_with(dir.path().join("store.sqlite3"), options).unwrap();
        for i in 0..(PURGE_EVERY * 4) {
            let key = format!("k{i}");
            store.claim(&key, "t", Duration::ZERO).unwrap();
        }
        let rows: i64 = store
            .lock()
            .query_row("SELECT count(*) FROM palisade_idempotency", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(rows < i64::from(PURGE_EVERY), "{rows} rows left");
    }

    #[test]
    fn completing_twice_is_harmless_but_only_for_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("store.sqlite3")).unwrap();
        let lease = Duration::from_secs(5);
        assert_eq!(store.claim("k", "t", lease).unwrap(), StoreClaim::Claimed);
        assert!(store.complete("k", "t", lease).unwrap());
        assert!(store.complete("k", "t", lease).unwrap());
        assert!(!store.complete("k", "u", lease).unwrap());
        assert!(!store.release("k", "t").unwrap());
        assert_eq!(store.claim("k", "u", lease).unwrap(), StoreClaim::Completed);
    }

    #[test]
    fn unopenable_path_is_store_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("store.sqlite3");
        let e = SqliteStore::open(&path).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        assert!(e.message().contains("missing-dir"), "{}", e.message());
    }

    #[test]
    fn not_a_database_is_store_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.sqlite3");
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let e = SqliteStore::open(&path).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        assert!(e.message().contains("garbage.sqlite3"), "{}", e.message());
    }

    #[test]
    fn lock_held_beyond_busy_timeout_is_store_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite3");
        let options = SqliteOptions::default().busy_timeout(Duration::from_millis(100));
        let store = SqliteStore::open_with(&path, options).unwrap();
        // Another connection (as another process would) holds the write lock.
        let mut other = Connection::open(&path).unwrap();
        let tx = other
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let e = store.claim("k", "t", Duration::from_secs(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        assert!(e.message().contains("busy timeout"), "{}", e.message());
        // Nothing was recorded: once the lock is gone the key is free.
        drop(tx);
        assert_eq!(
            store.claim("k", "t", Duration::from_secs(1)).unwrap(),
            StoreClaim::Claimed
        );
    }
}
