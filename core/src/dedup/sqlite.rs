//! `SqliteStore`: a durable store in one SQLite file, shared by every process on one host.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::MutexGuard;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::options::{self, InvalidOption};
use super::per_process::PerProcess;
use super::{IdempotencyStore, StoreClaim};
use crate::error::{clip, clip_start, err, Error, Result};

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
///     .busy_timeout(Duration::from_secs(2))?
///     .sync_every_commit(false);
/// # let _ = options;
/// # Ok::<(), palisade_webhooks::dedup::InvalidOption>(())
/// ```
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    busy_timeout: Duration,
    sync_every_commit: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Self::DEFAULT_BUSY_TIMEOUT,
            sync_every_commit: Self::DEFAULT_SYNC_EVERY_COMMIT,
        }
    }
}

impl SqliteOptions {
    /// Default time to wait for another process's write lock before giving up: 5 s.
    pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default durability: every commit is flushed to disk (`true`).
    pub const DEFAULT_SYNC_EVERY_COMMIT: bool = true;

    /// How long an operation waits for a write lock held by another connection (another
    /// process, usually) before failing with `ERR_STORE_UNAVAILABLE`. Default: 5 s; at least
    /// [`MIN_DURATION`](super::MIN_DURATION), at most [`MAX_TIMEOUT`](super::MAX_TIMEOUT).
    pub fn busy_timeout(mut self, timeout: Duration) -> std::result::Result<Self, InvalidOption> {
        self.busy_timeout = options::timeout("busy_timeout", timeout)?;
        Ok(self)
    }

    /// The busy timeout.
    pub fn get_busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// Whether every commit is flushed to disk.
    pub fn get_sync_every_commit(&self) -> bool {
        self.sync_every_commit
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
/// **Fork.** SQLite forbids using a connection in a process other than the one that opened it.
/// A store used in a forked child (gunicorn `--preload` and other pre-fork servers) closes the
/// copy it inherited (in the child only) and opens its own connection before its first
/// statement there. Fork from a thread while no other thread is inside a call of the store: a
/// child forked in the middle of another thread's call gets `ERR_STORE_UNAVAILABLE` from this
/// store (open a new one in the child) rather than a connection in an unknown state.
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
    /// `None` until (re)opened in this process: a forked child drops its inherited connection.
    conn: PerProcess<Option<Connection>>,
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
        let conn = connect(&path, &options)?;
        Ok(SqliteStore {
            conn: PerProcess::new(Some(conn)),
            path,
            options,
            writes: AtomicU32::new(0),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options it was opened with.
    pub fn options(&self) -> &SqliteOptions {
        &self.options
    }

    /// Deletes every expired row now (the store also does this a batch at a time as it goes).
    /// Returns how many rows were deleted.
    pub fn purge_expired(&self) -> Result<usize> {
        let what = "cannot purge expired keys";
        let mut slot = self.lock(what)?;
        let conn = self.connection(&mut slot)?;
        conn.execute(
            "DELETE FROM palisade_idempotency WHERE expires_ms <= ?1",
            params![now_ms()],
        )
        .map_err(|e| self.unavailable(what, e))
    }

    /// This process's connection slot. Every operation is a transaction that rolls back if
    /// dropped half-way, so a panic in another thread cannot leave the connection half-written.
    fn lock(&self, what: &str) -> Result<MutexGuard<'_, Option<Connection>>> {
        // In a forked child, the inherited connection is closed here (closing only frees this
        // process's copy and the locks SQLite believes it holds; no transaction is open on it,
        // since each runs under this lock) and a new one is opened on first use.
        self.conn
            .lock(
                |inherited| drop(inherited.take()),
                self.options.busy_timeout,
            )
            .map_err(|_| {
                err!(
                    StoreUnavailable,
                    "SQLite idempotency store {}: {what}: this process was forked while another \
                     thread was using the store; open the store again in this process",
                    self.path.display()
                )
            })
    }

    /// The open connection in `slot`, opening it first if this process has none yet.
    fn connection<'a>(&self, slot: &'a mut Option<Connection>) -> Result<&'a mut Connection> {
        let conn = match slot.take() {
            Some(conn) => conn,
            None => connect(&self.path, &self.options)?,
        };
        Ok(slot.insert(conn))
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
        let mut slot = self.lock(what)?;
        let conn = self.connection(&mut slot)?;
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
            let live: Option<(i64, Option<String>)> = tx
                .prepare_cached(
                    "SELECT state, token FROM palisade_idempotency \
                     WHERE key = ?1 AND expires_ms > ?2",
                )?
                .query_row(params![key, now], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            match live {
                Some((STATE_COMPLETED, _)) => Ok(StoreClaim::Completed),
                // The holder asking again (a re-sent command) keeps its claim, lease renewed.
                Some((_, Some(t))) if t == token => {
                    tx.prepare_cached(
                        "UPDATE palisade_idempotency SET expires_ms = ?2 WHERE key = ?1",
                    )?
                    .execute(params![key, expiry(now, lease)])?;
                    Ok(StoreClaim::Claimed)
                }
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
            if let Some((state, t, expires)) = row {
                let (ours, live) = (t.as_deref() == Some(token), expires > now);
                match (state, ours, live) {
                    // Completed by this token already: nothing changes.
                    (STATE_COMPLETED, true, true) => return Ok(true),
                    // Someone else's live lease or completion: the key was taken over.
                    (_, false, true) => return Ok(false),
                    // Ours (even if the lease ran out: nobody took it over, and the work is
                    // done), or expired, so free.
                    _ => {}
                }
            }
            // Ours, free, or our row was purged and nobody claimed the key since: record it.
            tx.prepare_cached(
                "INSERT OR REPLACE INTO palisade_idempotency (key, state, token, expires_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![key, STATE_COMPLETED, token, expiry(now, retain)])?;
            Ok(true)
        })
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        let what = "cannot release a key";
        let mut slot = self.lock(what)?;
        let conn = self.connection(&mut slot)?;
        // One statement: atomic on its own. Only a live lease is released: an expired one
        // already left the key free (and may have been taken over).
        conn.prepare_cached(
            "DELETE FROM palisade_idempotency \
             WHERE key = ?1 AND state = ?2 AND token = ?3 AND expires_ms > ?4",
        )
        .and_then(|mut delete| delete.execute(params![key, STATE_HELD, token, now_ms()]))
        .map(|deleted| deleted == 1)
        .map_err(|e| self.unavailable(what, e))
    }
}

/// Opens the file (creating it and its table if needed) in WAL mode with `options`.
fn connect(path: &Path, options: &SqliteOptions) -> Result<Connection> {
    let fail = |e: rusqlite::Error| unavailable(path, options, "cannot open", e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(fail)?;
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
    Ok(conn)
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
    use crate::dedup::{contract, MAX_TIMEOUT};
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
        let rows: i64 = Connection::open(store.path())
            .unwrap()
            .query_row("SELECT count(*) FROM palisade_idempotency", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(rows < i64::from(PURGE_EVERY), "{rows} rows left");
    }

    #[test]
    fn busy_timeout_out_of_range_is_refused() {
        for bad in [Duration::ZERO, Duration::from_secs(3601), Duration::MAX] {
            let e = SqliteOptions::default().busy_timeout(bad).unwrap_err();
            assert_eq!(e.option(), "busy_timeout");
        }
        let options = SqliteOptions::default().busy_timeout(MAX_TIMEOUT).unwrap();
        assert_eq!(options.get_busy_timeout(), MAX_TIMEOUT);
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
        let options = SqliteOptions::default()
            .busy_timeout(Duration::from_millis(100))
            .unwrap();
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
