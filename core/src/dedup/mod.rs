//! Idempotency for at-least-once delivery.
//!
//! Palisade retries until it gets a 2xx and may deliver the same change twice, in any order,
//! to any of your instances. A [`Deduplicator`] turns that into "process each change once":
//!
//! 1. [`Deduplicator::claim`] the event's `idempotency_key`:
//!    [`ClaimOutcome::New`] (process it), [`ClaimOutcome::Duplicate`] (already done: answer 2xx),
//!    or [`ClaimOutcome::InProgress`] (another worker holds it: answer 409/503 so Palisade retries);
//! 2. on success [`Deduplicator::complete`] (the key is remembered for the retention period),
//!    on failure [`Deduplicator::release`] (the retry will process it again).
//!
//! A claim carries a lease: a worker that crashes while holding one blocks the key only until
//! the lease expires, after which another worker may take it over.
//!
//! Every duration and option is checked when the object is built ([`InvalidOption`]): zero
//! would silently turn deduplication off, and an absurdly large value would overflow a clock.
//!
//! **Fork.** The SQLite and Redis stores notice when they are used in a process forked from
//! the one that opened them (a pre-fork server such as gunicorn `--preload`, uWSGI, Celery
//! prefork, `multiprocessing` with "fork") and open their own connection there before the next
//! command: an inherited connection is never used by two processes.

mod memory;
mod options;
#[cfg(any(feature = "redis", feature = "sqlite"))]
mod per_process;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;
mod token;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Result;

#[cfg(feature = "redis")]
pub use self::redis::{RedisOptions, RedisStore};
pub use memory::{MemoryStore, DEFAULT_MAX_ENTRIES, DEFAULT_TTL};
pub use options::{InvalidOption, MAX_EXPIRY, MAX_TIMEOUT, MIN_DURATION};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore};

pub(crate) use token::new_token;

/// Default lease of a claim: 60 s (a handler should answer well within Palisade's 30 s).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// Default retention of completed keys: 7 days (longer than Palisade's retry horizon).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// What a store found when asked to claim a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreClaim {
    /// The key was free (never seen, released, expired, or its holder's lease ran out):
    /// it is now held under the caller's token.
    Claimed,
    /// The key was completed within its retention period.
    Completed,
    /// Another token holds an unexpired lease on the key.
    Held,
}

/// A place to record claims and completions. Implementations must make each method one atomic
/// step with respect to every other caller of the same store (threads, processes, hosts).
///
/// Every method fails with `ERR_STORE_UNAVAILABLE` when the store cannot answer; none may report
/// a claim it did not record. The memory, SQLite and Redis stores give the same answers in
/// every case below (one contract suite runs against all three):
///
/// | call | answer |
/// |---|---|
/// | `claim`, key never seen, released, or its lease or retention ran out | `Claimed` |
/// | `claim` by the token that holds the live lease (a command re-sent after a dropped connection) | `Claimed` (lease renewed) |
/// | `claim`, another token holds a live lease | `Held` |
/// | `claim`, completed within retention | `Completed` |
/// | `complete` by the holder, lease live or expired but not taken over | `true` (recorded) |
/// | `complete` again by the token that completed it | `true` (nothing changes) |
/// | `complete`, the key is free (the lease expired and was forgotten, nobody claimed it since) | `true` (recorded) |
/// | `complete` by a token that does not hold it: another token holds a live lease or completed it | `false` (nothing changes) |
/// | `release` by the holder of a live lease | `true` (the key is free) |
/// | `release` by anyone else, after the lease expired, or after completion | `false` (nothing changes) |
///
/// Durations reach a store already checked ([`MIN_DURATION`] ..= [`MAX_EXPIRY`]) when they come
/// from a [`Deduplicator`]; a store must still not panic on any other value.
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `token` for `lease`, unless it is completed or held by a live lease of
    /// another token.
    fn claim(&self, key: &str, token: &str, lease: Duration) -> Result<StoreClaim>;
    /// Marks `key` completed for `retain`, unless another token holds a live lease on it or
    /// completed it. Returns `false` in that case (the key was taken over).
    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool>;
    /// Frees `key` if `token` holds a live lease on it. Returns `false` otherwise.
    fn release(&self, key: &str, token: &str) -> Result<bool>;
}

/// A source of monotonic time, injectable so lease and retention logic can be tested without
/// sleeping.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to (for tests).
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    offset: std::sync::Mutex<Duration>,
}

impl ManualClock {
    /// A clock stopped at the current instant.
    pub fn new() -> Self {
        ManualClock {
            start: Instant::now(),
            offset: std::sync::Mutex::new(Duration::ZERO),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A held claim: proof that this worker may process the event. Pass it to
/// [`Deduplicator::complete`] or [`Deduplicator::release`].
#[derive(Clone, PartialEq, Eq)]
pub struct Claim {
    key: String,
    token: String,
}

impl Claim {
    /// The idempotency key claimed.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The random token that identifies this holder in the store.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim").field("key", &self.key).finish()
    }
}

/// The answer to [`Deduplicator::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// First time (or a retry after a failure): process it, then complete or release.
    New(Claim),
    /// Already processed: answer 2xx without processing.
    Duplicate,
    /// Another worker is processing it now: answer 409 (or 503) so Palisade retries later.
    InProgress,
}

impl ClaimOutcome {
    /// `"new"`, `"duplicate"` or `"in_progress"`: the status string every binding uses.
    pub fn status(&self) -> &'static str {
        match self {
            ClaimOutcome::New(_) => "new",
            ClaimOutcome::Duplicate => "duplicate",
            ClaimOutcome::InProgress => "in_progress",
        }
    }
}

/// Idempotent processing over an [`IdempotencyStore`].
///
/// ```
/// use palisade_webhooks::dedup::{ClaimOutcome, Deduplicator};
///
/// let dedup = Deduplicator::in_memory();
/// let ClaimOutcome::New(claim) = dedup.claim("WALLET/w1/2025-04-08T11:48:56Z")? else { unreachable!() };
/// // ... process the event ...
/// dedup.complete(&claim)?;
/// assert_eq!(dedup.claim("WALLET/w1/2025-04-08T11:48:56Z")?, ClaimOutcome::Duplicate);
/// # Ok::<(), palisade_webhooks::Error>(())
/// ```
#[derive(Clone)]
pub struct Deduplicator {
    store: Arc<dyn IdempotencyStore>,
    lease: Duration,
    retention: Duration,
}

impl fmt::Debug for Deduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deduplicator")
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl Deduplicator {
    /// A deduplicator over `store` with the default lease (60 s) and retention (7 days).
    pub fn new(store: Arc<dyn IdempotencyStore>) -> Self {
        Deduplicator {
            store,
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
        }
    }

    /// A deduplicator over a default [`MemoryStore`]: deduplicates within one process only.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(MemoryStore::default()))
    }

    /// Sets how long a claim is held before another worker may take it over: at least
    /// [`MIN_DURATION`] (a zero lease would let every worker take every key at once) and at most
    /// [`MAX_EXPIRY`].
    pub fn with_lease(mut self, lease: Duration) -> std::result::Result<Self, InvalidOption> {
        self.lease = options::expiry("lease", lease)?;
        Ok(self)
    }

    /// Sets how long completed keys are remembered: at least [`MIN_DURATION`] (zero would forget
    /// every key at once, so nothing would ever be a duplicate) and at most [`MAX_EXPIRY`].
    pub fn with_retention(
        mut self,
        retention: Duration,
    ) -> std::result::Result<Self, InvalidOption> {
        self.retention = options::expiry("retention", retention)?;
        Ok(self)
    }

    /// The lease.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The retention.
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn IdempotencyStore> {
        &self.store
    }

    /// Claims an idempotency key (normally `Event::idempotency_key`).
    pub fn claim(&self, key: &str) -> Result<ClaimOutcome> {
        let token = new_token();
        Ok(match self.store.claim(key, &token, self.lease)? {
            StoreClaim::Claimed => ClaimOutcome::New(Claim {
                key: key.to_string(),
                token,
            }),
            StoreClaim::Completed => ClaimOutcome::Duplicate,
            StoreClaim::Held => ClaimOutcome::InProgress,
        })
    }

    /// Records that the claimed event was processed. Returns `false` when the lease had expired
    /// and another worker took the key over (the event may then be processed twice: make the
    /// handler fast, or the lease longer).
    pub fn complete(&self, claim: &Claim) -> Result<bool> {
        self.store
            .complete(&claim.key, &claim.token, self.retention)
    }

    /// Gives the claim up after a failure, so Palisade's retry processes the event again.
    pub fn release(&self, claim: &Claim) -> Result<bool> {
        self.store.release(&claim.key, &claim.token)
    }

    /// Claims `key`, runs `handler` when the claim is new, then completes (handler `Ok`) or
    /// releases (handler `Err`). Returns the claim status and the handler's result, if it ran.
    pub fn process<T, E>(
        &self,
        key: &str,
        handler: impl FnOnce() -> std::result::Result<T, E>,
    ) -> Result<Processed<T, E>> {
        let claim = match self.claim(key)? {
            ClaimOutcome::New(claim) => claim,
            ClaimOutcome::Duplicate => return Ok(Processed::Duplicate),
            ClaimOutcome::InProgress => return Ok(Processed::InProgress),
        };
        match handler() {
            Ok(value) => {
                self.complete(&claim)?;
                Ok(Processed::Done(value))
            }
            Err(e) => {
                self.release(&claim)?;
                Ok(Processed::Failed(e))
            }
        }
    }
}

/// The result of [`Deduplicator::process`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed<T, E> {
    /// The handler ran and succeeded; the key is completed.
    Done(T),
    /// The handler ran and failed; the claim was released.
    Failed(E),
    /// Already processed; the handler did not run.
    Duplicate,
    /// Held by another worker; the handler did not run.
    InProgress,
}

#[cfg(test)]
pub(crate) mod contract;
