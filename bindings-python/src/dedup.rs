//! `Store`, `MemoryStore`, `SqliteStore`, `RedisStore`, `Deduplicator` and `Claim`.
//!
//! Every native store is a `Store` subclass holding an `Arc<dyn IdempotencyStore>` from the
//! core; `Deduplicator` only sees that trait object. Any other Python object with `claim`,
//! `complete` and `release` methods (the `IdempotencyStore` protocol of the Python package)
//! works too, through `PythonStore`. Every call that reaches a store's disk or network runs with
//! the interpreter detached.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use palisade_webhooks::dedup::{
    Claim, ClaimOutcome, Deduplicator, IdempotencyStore, InvalidOption, StoreClaim, DEFAULT_LEASE,
    DEFAULT_MAX_ENTRIES, DEFAULT_RETENTION, DEFAULT_TTL,
};
use palisade_webhooks::{
    Error, ErrorCode, MemoryStore, RedisOptions, RedisStore, SqliteOptions, SqliteStore,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::{seconds_to_duration, type_name};
use crate::errors::{ticket_settled, OrRaise};
use crate::event::{repr, PyEvent};

// Every default is the core's public constant, and every range check is the core's: a value
// out of range (zero, or absurdly large) raises `ValueError` naming the Python parameter.

/// The core's refusal of an option, as a `ValueError` naming the Python parameter and value.
fn invalid(param: &str, given: impl std::fmt::Display, e: &InvalidOption) -> PyErr {
    PyValueError::new_err(format!("{param} {}, not {given}", e.requirement()))
}

/// `seconds` as a `Duration` the core accepts for `apply` (a builder method of the core).
fn seconds_option<T>(
    param: &str,
    seconds: f64,
    apply: impl FnOnce(Duration) -> Result<T, InvalidOption>,
) -> PyResult<T> {
    let d = seconds_to_duration(seconds, param)?;
    apply(d).map_err(|e| invalid(param, format!("{seconds:?}"), &e))
}

/// Base class of the idempotency stores implemented in the native core (`MemoryStore`,
/// `SqliteStore`, `RedisStore`). Not instantiable itself.
#[pyclass(subclass, frozen, module = "palisade_webhooks", name = "Store")]
pub(crate) struct PyStore {
    inner: Arc<dyn IdempotencyStore>,
}

impl PyStore {
    /// The base part of a store subclass.
    pub(crate) fn new(inner: Arc<dyn IdempotencyStore>) -> Self {
        PyStore { inner }
    }
}

/// An in-process idempotency store: deduplicates within one process and forgets on restart.
///
/// Memory is bounded: at most `max_entries` keys (default 100 000; those closest to expiry are
/// evicted first), none kept longer than `ttl_seconds` (default 86 400: one day), even if the
/// deduplicator's retention is longer.
///
/// Raises:
///     ValueError: `max_entries` below 1, or `ttl_seconds` below 0.001 or above 3650 days.
#[pyclass(extends = PyStore, frozen, module = "palisade_webhooks", name = "MemoryStore")]
pub(crate) struct PyMemoryStore {
    store: Arc<MemoryStore>,
    max_entries: usize,
    ttl: Duration,
}

impl PyMemoryStore {
    fn initializer(store: MemoryStore) -> PyClassInitializer<Self> {
        let (max_entries, ttl) = (store.max_entries(), store.ttl());
        let store = Arc::new(store);
        PyClassInitializer::from(PyStore::new(store.clone())).add_subclass(PyMemoryStore {
            store,
            max_entries,
            ttl,
        })
    }
}

#[pymethods]
impl PyMemoryStore {
    #[new]
    #[pyo3(signature = (
        max_entries = DEFAULT_MAX_ENTRIES as i64,
        ttl_seconds = DEFAULT_TTL.as_secs_f64()
    ))]
    fn new(max_entries: i64, ttl_seconds: f64) -> PyResult<PyClassInitializer<Self>> {
        let ttl = seconds_to_duration(ttl_seconds, "ttl_seconds")?;
        // A negative count is as out of range as zero: the core says what the range is.
        let max = usize::try_from(max_entries).unwrap_or(0);
        let store = MemoryStore::new(max, ttl).map_err(|e| match e.option() {
            "max_entries" => invalid("max_entries", max_entries, &e),
            _ => invalid("ttl_seconds", format!("{ttl_seconds:?}"), &e),
        })?;
        Ok(Self::initializer(store))
    }

    /// The bound on remembered keys.
    #[getter]
    fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The cap on how long any key is kept, in seconds.
    #[getter]
    fn ttl_seconds(&self) -> f64 {
        self.ttl.as_secs_f64()
    }

    /// Number of keys currently held (including expired ones not yet purged).
    fn __len__(&self) -> usize {
        self.store.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "MemoryStore(max_entries={}, ttl_seconds={:?}, len={})",
            self.max_entries,
            self.ttl.as_secs_f64(),
            self.store.len()
        )
    }
}

/// A durable idempotency store in one SQLite file, shared by every process on one host that
/// opens the same file; it survives restarts and crashes.
///
/// Args:
///     path: the database file (`str` or `os.PathLike`); created, with its table, if missing.
///         Its directory must exist. Do not put it on a network file system, and do not open
///         it with another SQLite library (`sqlite3`) in the same process: SQLite's locks only
///         work between processes.
///     busy_timeout_seconds: how long a call waits for another process's write lock before
///         failing with `StoreUnavailableError` (default 5 s).
///     sync_every_commit: `True` (the default) flushes every claim and completion to disk
///         before reporting it, so records survive a power loss or an OS crash. `False` is
///         several times faster; records still survive the crash of any process, but the last
///         few may be lost if the whole machine goes down (those events may then be processed
///         again).
///
/// Raises:
///     StoreUnavailableError: the file cannot be opened or created, is not a database, or
///         stays locked beyond the busy timeout.
///     ValueError: `busy_timeout_seconds` below 0.001 or above 3600.
///
/// A store opened before a fork (gunicorn `--preload`, `multiprocessing` with "fork") opens its
/// own connection in each child before its first statement there.
///
/// Each claim is one transaction that takes the write lock up front, so a key is claimed by
/// exactly one caller across all threads and processes. Lease and retention are wall-clock
/// expiries shared by all processes; expired rows are purged a batch at a time as it goes.
#[pyclass(extends = PyStore, frozen, module = "palisade_webhooks", name = "SqliteStore")]
pub(crate) struct PySqliteStore {
    store: Arc<SqliteStore>,
}

#[pymethods]
impl PySqliteStore {
    #[new]
    #[pyo3(signature = (
        path,
        *,
        busy_timeout_seconds = SqliteOptions::DEFAULT_BUSY_TIMEOUT.as_secs_f64(),
        sync_every_commit = SqliteOptions::DEFAULT_SYNC_EVERY_COMMIT
    ))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        busy_timeout_seconds: f64,
        sync_every_commit: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let options = seconds_option("busy_timeout_seconds", busy_timeout_seconds, |d| {
            SqliteOptions::default().busy_timeout(d)
        })?
        .sync_every_commit(sync_every_commit);
        let store = py
            .detach(|| SqliteStore::open_with(&path, options))
            .or_raise(py)?;
        let store = Arc::new(store);
        Ok(PyClassInitializer::from(PyStore::new(store.clone()))
            .add_subclass(PySqliteStore { store }))
    }

    /// The database file, as given.
    #[getter]
    fn path(&self) -> String {
        self.store.path().to_string_lossy().into_owned()
    }

    /// How long a call waits for another process's write lock, in seconds.
    #[getter]
    fn busy_timeout_seconds(&self) -> f64 {
        self.store.options().get_busy_timeout().as_secs_f64()
    }

    /// Whether every commit is flushed to disk before it is reported.
    #[getter]
    fn sync_every_commit(&self) -> bool {
        self.store.options().get_sync_every_commit()
    }

    /// Deletes every expired row now (the store also does this a batch at a time as it goes)
    /// and returns how many were deleted.
    ///
    /// Raises:
    ///     StoreUnavailableError: the file cannot be written.
    fn purge_expired(&self, py: Python<'_>) -> PyResult<usize> {
        let store = &self.store;
        py.detach(|| store.purge_expired()).or_raise(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "SqliteStore({}, busy_timeout_seconds={:?}, sync_every_commit={})",
            repr(py, Some(self.path().as_str()))?,
            self.busy_timeout_seconds(),
            if self.sync_every_commit() {
                "True"
            } else {
                "False"
            }
        ))
    }
}

/// An idempotency store in Redis, shared by every receiver instance (on any host) that talks
/// to the same Redis server.
///
/// Args:
///     url: `redis://[user:password@]host[:port][/db]` (or `redis+unix://`; no TLS). One
///         server (a primary), not Redis Cluster.
///     prefix: put before every key this store writes. Give each application sharing a Redis
///         database its own prefix; every instance of one application must use the same.
///     timeout_seconds: the bound on one command's round trip (default 2 s).
///     connect_timeout_seconds: the bound on opening a connection (default 2 s).
///     connections: the most connections one process opens (default 4, at most 64). Concurrent
///         calls (threads; each call releases the GIL) each take a connection nobody is using,
///         opened the first time it is needed; beyond that they share one, pipelined. A
///         single-threaded process opens one.
///
/// Raises:
///     StoreUnavailableError: the URL is invalid or the server does not answer a `PING`
///         within the timeouts.
///     ValueError: a timeout below 0.001 or above 3600 seconds, or `connections` below 1 or
///         above 64.
///
/// A store built before a fork (gunicorn `--preload`, `multiprocessing` with "fork") opens its
/// own connections in each child before its first command there.
///
/// Each claim is one atomic server-side step (`SET NX PX GET`); complete and
/// release apply only for the holder of the claim. Lease and retention are Redis key expiries.
/// A call never hangs: when the server cannot be reached or does not answer in time it raises
/// `StoreUnavailableError` (the adapters answer 503, so Palisade retries), and it never reports
/// a claim it did not record. A connection that breaks is replaced. Completed
/// keys live in Redis memory: use persistence (AOF or RDB) and a `noeviction` or `volatile-*`
/// policy if deduplication must survive a Redis restart or memory pressure.
#[pyclass(extends = PyStore, frozen, module = "palisade_webhooks", name = "RedisStore")]
pub(crate) struct PyRedisStore {
    store: Arc<RedisStore>,
}

#[pymethods]
impl PyRedisStore {
    #[new]
    #[pyo3(signature = (
        url,
        *,
        prefix = RedisOptions::DEFAULT_PREFIX,
        timeout_seconds = RedisOptions::DEFAULT_TIMEOUT.as_secs_f64(),
        connect_timeout_seconds = RedisOptions::DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
        connections = RedisOptions::DEFAULT_CONNECTIONS as i64
    ))]
    fn new(
        py: Python<'_>,
        url: &str,
        prefix: &str,
        timeout_seconds: f64,
        connect_timeout_seconds: f64,
        connections: i64,
    ) -> PyResult<PyClassInitializer<Self>> {
        let options = RedisOptions::default().prefix(prefix);
        let options = seconds_option("timeout_seconds", timeout_seconds, |d| options.timeout(d))?;
        let options = seconds_option("connect_timeout_seconds", connect_timeout_seconds, |d| {
            options.connect_timeout(d)
        })?;
        // A negative count is refused as 0 is (same message, with the value given).
        let options = options
            .connections(usize::try_from(connections).unwrap_or(0))
            .map_err(|e| invalid("connections", connections, &e))?;
        let store = py
            .detach(|| RedisStore::connect_with(url, options))
            .or_raise(py)?;
        let store = Arc::new(store);
        Ok(PyClassInitializer::from(PyStore::new(store.clone()))
            .add_subclass(PyRedisStore { store }))
    }

    /// The prefix of every key this store writes.
    #[getter]
    fn prefix(&self) -> &str {
        self.store.prefix()
    }

    /// The bound on one command's round trip, in seconds.
    #[getter]
    fn timeout_seconds(&self) -> f64 {
        self.store.options().get_timeout().as_secs_f64()
    }

    /// The bound on opening a connection, in seconds.
    #[getter]
    fn connect_timeout_seconds(&self) -> f64 {
        self.store.options().get_connect_timeout().as_secs_f64()
    }

    /// The most connections one process opens.
    #[getter]
    fn connections(&self) -> usize {
        self.store.options().get_connections()
    }

    /// Checks that the server answers (`PING`), e.g. for a readiness probe.
    ///
    /// Raises:
    ///     StoreUnavailableError: it does not, within the timeouts.
    fn ping(&self, py: Python<'_>) -> PyResult<()> {
        let store = &self.store;
        py.detach(|| store.ping()).or_raise(py)
    }

    /// The URL is not shown: it may carry a password.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "RedisStore(prefix={}, timeout_seconds={:?}, connect_timeout_seconds={:?}, \
             connections={})",
            repr(py, Some(self.store.prefix()))?,
            self.timeout_seconds(),
            self.connect_timeout_seconds(),
            self.connections()
        ))
    }
}

/// A store implemented in Python: `claim(key, token, lease_seconds) -> "claimed" |
/// "completed" | "held"`, `complete(key, token, retain_seconds) -> bool`,
/// `release(key, token) -> bool`. Any exception it raises is `ERR_STORE_UNAVAILABLE`.
struct PythonStore {
    object: Py<PyAny>,
}

impl PythonStore {
    fn call<T>(
        &self,
        method: &str,
        f: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
    ) -> palisade_webhooks::Result<T> {
        Python::attach(|py| {
            f(self.object.bind(py)).map_err(|e| {
                // The exception's text is the store's own, of any length: 80 characters of it.
                let text = e.to_string();
                let text = match text.char_indices().nth(80) {
                    Some((cut, _)) => format!("{}…", &text[..cut]),
                    None => text,
                };
                Error::new(
                    ErrorCode::StoreUnavailable,
                    format!("the store's {method}() failed ({text})"),
                )
            })
        })
    }
}

impl IdempotencyStore for PythonStore {
    fn claim(
        &self,
        key: &str,
        token: &str,
        lease: Duration,
    ) -> palisade_webhooks::Result<StoreClaim> {
        self.call("claim", |store| {
            let py = store.py();
            let answer =
                store.call_method1(intern!(py, "claim"), (key, token, lease.as_secs_f64()))?;
            match answer.extract::<String>()?.as_str() {
                "claimed" => Ok(StoreClaim::Claimed),
                "completed" => Ok(StoreClaim::Completed),
                "held" => Ok(StoreClaim::Held),
                other => Err(PyValueError::new_err(format!(
                    "claim() must return 'claimed', 'completed' or 'held', not {other:?}"
                ))),
            }
        })
    }

    fn complete(
        &self,
        key: &str,
        token: &str,
        retain: Duration,
    ) -> palisade_webhooks::Result<bool> {
        self.call("complete", |store| {
            let py = store.py();
            store
                .call_method1(intern!(py, "complete"), (key, token, retain.as_secs_f64()))?
                .is_truthy()
        })
    }

    fn release(&self, key: &str, token: &str) -> palisade_webhooks::Result<bool> {
        self.call("release", |store| {
            let py = store.py();
            store
                .call_method1(intern!(py, "release"), (key, token))?
                .is_truthy()
        })
    }
}

/// The core store behind a Python store object: a native store's own, or a `PythonStore`
/// calling the object's `claim`, `complete` and `release` methods.
pub(crate) fn core_store(store: &Bound<'_, PyAny>) -> PyResult<Arc<dyn IdempotencyStore>> {
    if let Ok(native) = store.cast::<PyStore>() {
        return Ok(native.get().inner.clone());
    }
    if ["claim", "complete", "release"]
        .iter()
        .all(|m| store.hasattr(*m).unwrap_or(false))
    {
        return Ok(Arc::new(PythonStore {
            object: store.clone().unbind(),
        }));
    }
    Err(PyTypeError::new_err(format!(
        "store must be a MemoryStore, SqliteStore or RedisStore, or an object with claim(), \
         complete() and release() methods; not {}",
        type_name(store)
    )))
}

/// Idempotent processing of at-least-once deliveries, keyed by `Event.idempotency_key`.
///
/// Args:
///     store: where claims are recorded: a `MemoryStore` (the default: one process), a
///         `SqliteStore` (every process of one host), a `RedisStore` (every instance sharing
///         one Redis server), or any object implementing the `IdempotencyStore` protocol.
///     lease_seconds: how long a claim is held before another worker may take it over (so a
///         crashed worker does not block an event forever; default 60 s).
///     retain_seconds: how long completed keys are remembered (default 7 days).
///
/// Raises:
///     ValueError: a lease or retention below 0.001 s or above 3650 days (zero would turn
///         deduplication off).
///     TypeError: `store` is not a store.
///
/// Use `with dedup.claim(event) as claim:`, then check `claim.status`.
#[pyclass(frozen, module = "palisade_webhooks", name = "Deduplicator")]
pub(crate) struct PyDeduplicator {
    inner: Deduplicator,
    store: Py<PyAny>,
}

impl PyDeduplicator {
    /// The core deduplicator (cheap to clone: it shares the store).
    pub(crate) fn core(&self) -> &Deduplicator {
        &self.inner
    }
}

#[pymethods]
impl PyDeduplicator {
    #[new]
    #[pyo3(signature = (
        store = None,
        *,
        lease_seconds = DEFAULT_LEASE.as_secs_f64(),
        retain_seconds = DEFAULT_RETENTION.as_secs_f64()
    ))]
    fn new(
        py: Python<'_>,
        store: Option<Bound<'_, PyAny>>,
        lease_seconds: f64,
        retain_seconds: f64,
    ) -> PyResult<Self> {
        // Checked before the store is looked at, so a bad value fails the same way whatever
        // the store.
        let base = Deduplicator::in_memory();
        let base = seconds_option("lease_seconds", lease_seconds, |d| base.with_lease(d))?;
        let base = seconds_option("retain_seconds", retain_seconds, |d| base.with_retention(d))?;
        let (lease, retention) = (base.lease(), base.retention());
        let store = match store {
            Some(s) if !s.is_none() => s,
            _ => Bound::new(py, PyMemoryStore::initializer(MemoryStore::default()))?.into_any(),
        };
        let inner = core_store(&store)?;
        let inner = Deduplicator::new(inner)
            .with_lease(lease)
            .and_then(|d| d.with_retention(retention))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyDeduplicator {
            inner,
            store: store.unbind(),
        })
    }

    /// The store claims are recorded in.
    #[getter]
    fn store(&self, py: Python<'_>) -> Py<PyAny> {
        self.store.clone_ref(py)
    }

    /// The lease of a claim, in seconds.
    #[getter]
    fn lease_seconds(&self) -> f64 {
        self.inner.lease().as_secs_f64()
    }

    /// How long completed keys are remembered, in seconds.
    #[getter]
    fn retain_seconds(&self) -> f64 {
        self.inner.retention().as_secs_f64()
    }

    /// Claims an event (or an idempotency key given as `str`).
    ///
    /// Returns a `Claim` whose `status` is `"new"` (process the event), `"duplicate"` (already
    /// processed: answer 2xx) or `"in_progress"` (another worker holds it: answer 409 so
    /// Palisade retries later). Used as a context manager, a new claim is completed when the
    /// block exits normally and released when it raises (so the retry processes it again).
    ///
    /// Raises:
    ///     StoreUnavailableError: the store could not be reached.
    fn claim(&self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<PyClaim> {
        let key: String = if let Ok(e) = event.cast::<PyEvent>() {
            e.get().idempotency_key_str().to_string()
        } else if let Ok(s) = event.cast::<PyString>() {
            s.to_str()?.to_string()
        } else {
            return Err(PyTypeError::new_err(format!(
                "claim() takes an Event or an idempotency key (str), not {}",
                type_name(event)
            )));
        };
        let outcome = py.detach(|| self.inner.claim(&key)).or_raise(py)?;
        Ok(PyClaim {
            dedup: self.inner.clone(),
            outcome,
            key,
            settled: false,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Deduplicator(lease_seconds={:?}, retain_seconds={:?})",
            self.lease_seconds(),
            self.retain_seconds()
        )
    }
}

/// The answer to `Deduplicator.claim()`: a context manager.
///
/// `status` is `"new"`, `"duplicate"` or `"in_progress"`. Only a new claim holds the key, and it
/// is settled exactly once, as a receiver's ticket is: leaving the `with` block normally
/// completes it, leaving it with an exception releases it; outside a `with` block call
/// `complete()` or `release()` yourself. Settling it a second time raises
/// `TicketSettledError`. A claim that is never settled is freed when its lease ends.
#[pyclass(module = "palisade_webhooks", name = "Claim")]
pub(crate) struct PyClaim {
    dedup: Deduplicator,
    outcome: ClaimOutcome,
    key: String,
    settled: bool,
}

impl PyClaim {
    /// The held claim, marked settled: the first call settles it, whatever the store answers
    /// (the core's ticket rule). `None` when the claim holds nothing (duplicate, in progress);
    /// `TicketSettledError` when it was settled already.
    fn settle(&mut self, py: Python<'_>) -> PyResult<Option<Claim>> {
        let ClaimOutcome::New(claim) = &self.outcome else {
            return Ok(None);
        };
        if self.settled {
            return Err(ticket_settled(py));
        }
        self.settled = true;
        Ok(Some(claim.clone()))
    }
}

#[pymethods]
impl PyClaim {
    /// `"new"`, `"duplicate"` or `"in_progress"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.outcome.status()
    }

    /// The idempotency key claimed.
    #[getter]
    fn key(&self) -> &str {
        &self.key
    }

    /// Whether a new claim was completed or released already (always `False` for a claim that
    /// holds nothing).
    #[getter]
    fn settled(&self) -> bool {
        self.settled
    }

    /// Records that the event was processed. Returns `False` when the lease had expired and
    /// another worker took the key over, and for a claim that holds nothing (a duplicate, or
    /// one in progress elsewhere).
    ///
    /// Raises:
    ///     TicketSettledError: the claim was completed or released already.
    ///     StoreUnavailableError: the store could not be reached (the claim is settled all the
    ///         same; its lease frees the key).
    fn complete(&mut self, py: Python<'_>) -> PyResult<bool> {
        let Some(claim) = self.settle(py)? else {
            return Ok(false);
        };
        let dedup = &self.dedup;
        py.detach(|| dedup.complete(&claim)).or_raise(py)
    }

    /// Gives the claim up after a failure, so Palisade's retry processes the event again.
    /// Returns `False` when the claim no longer held the key, and for a claim that holds
    /// nothing.
    ///
    /// Raises:
    ///     TicketSettledError: the claim was completed or released already.
    ///     StoreUnavailableError: the store could not be reached (its lease frees the key).
    fn release(&mut self, py: Python<'_>) -> PyResult<bool> {
        let Some(claim) = self.settle(py)? else {
            return Ok(false);
        };
        let dedup = &self.dedup;
        py.detach(|| dedup.release(&claim)).or_raise(py)
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Settles a claim the block left unsettled: completes it on normal exit, releases it on
    /// an exception (a failure to release is ignored: the lease expires anyway, and the
    /// original exception matters more).
    #[pyo3(signature = (exc_type = None, exc_value = None, traceback = None))]
    fn __exit__(
        &mut self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let _ = (exc_value, traceback);
        if self.settled {
            return Ok(false);
        }
        match exc_type {
            Some(t) if !t.is_none() => {
                let _ = self.release(py);
            }
            _ => {
                self.complete(py)?;
            }
        }
        Ok(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Claim(status='{}', key={})",
            self.status(),
            repr(py, Some(&self.key))?
        ))
    }
}
