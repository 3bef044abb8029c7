//! Deduplication: stores, the deduplicator, and its claims.
//!
//! A store is one native class with a factory per kind (`memory`, `sqlite`, `redis`); the
//! JavaScript classes `MemoryStore`, `SqliteStore` and `RedisStore` (`lib/dedup.js`) wrap it.
//! Stores that do disk or network I/O are marked `blocking`: the deduplicator then drives them
//! through the `*Async` methods, which run on the libuv thread pool so the event loop never
//! waits on disk or network.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use palisade_webhooks::dedup::{
    Claim, ClaimOutcome, Deduplicator, IdempotencyStore, InvalidOption, DEFAULT_MAX_ENTRIES,
    DEFAULT_TTL,
};
use palisade_webhooks::testing::{FailAt, FaultyStore};
use palisade_webhooks::{MemoryStore, RedisOptions, RedisStore, SqliteOptions, SqliteStore};

use crate::{arg_err, core_err};

/// An option the core refuses (zero, or absurdly large): a `RangeError` in JavaScript (see
/// `fromNative` in `lib/errors.js`), naming the JavaScript option and the value given.
fn range_err(name: &str, given: f64, e: &InvalidOption) -> napi::Error<String> {
    let given = if given.is_infinite() {
        if given > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        given.to_string()
    };
    napi::Error::new(
        "RangeError".to_string(),
        format!("{name} {}, not {given}", e.requirement()),
    )
}

/// A JavaScript number given for a count option, as the core's count: it must be an integer;
/// below 1 becomes 0 and beyond `usize` the largest count, so the core's range (and message)
/// applies to them too.
fn count(name: &str, n: f64) -> napi::Result<usize, String> {
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(arg_err(format!("{name} must be an integer")));
    }
    // `as` saturates: a negative count becomes 0, a huge one usize::MAX.
    Ok(n as usize)
}

/// `value` in units of `unit` seconds. Negative, infinite or unrepresentable values become 0 or
/// the largest duration, so the core's range (and message) applies to them too.
fn to_duration(value: f64, unit: f64) -> Duration {
    if value >= 0.0 {
        Duration::try_from_secs_f64(value * unit).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    }
}

/// `value` (in units of `unit` seconds) through `apply`, a builder of the core that checks it.
fn duration<T>(
    name: &str,
    value: f64,
    unit: f64,
    apply: impl FnOnce(Duration) -> std::result::Result<T, InvalidOption>,
) -> napi::Result<T, String> {
    apply(to_duration(value, unit)).map_err(|e| range_err(name, value, &e))
}

/// An idempotency store (`MemoryStore`, `SqliteStore` and `RedisStore` wrap it in `lib/dedup.js`).
#[napi(js_name = "NativeStore")]
pub struct JsStore {
    inner: Arc<dyn IdempotencyStore>,
    blocking: bool,
    redis: Option<Arc<RedisStore>>,
    faulty: Option<Arc<FaultyStore>>,
}

fn fail_at(name: &str) -> napi::Result<FailAt, String> {
    FailAt::parse(name).ok_or_else(|| {
        arg_err(format!(
            "failAt must be one of {}",
            FailAt::ALL
                .iter()
                .map(|f| format!("'{}'", f.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

#[napi]
impl JsStore {
    /// An in-process store: at most `maxEntries` keys, none kept longer than `ttlSeconds`.
    #[napi(factory, catch_unwind)]
    pub fn memory(
        max_entries: Option<f64>,
        ttl_seconds: Option<f64>,
    ) -> napi::Result<Self, String> {
        let max = match max_entries {
            Some(n) => count("maxEntries", n)?,
            None => DEFAULT_MAX_ENTRIES,
        };
        let ttl = ttl_seconds.unwrap_or(DEFAULT_TTL.as_secs_f64());
        let store = MemoryStore::new(max, to_duration(ttl, 1.0)).map_err(|e| match e.option() {
            "max_entries" => range_err("maxEntries", max_entries.unwrap_or(0.0), &e),
            _ => range_err("ttlSeconds", ttl, &e),
        })?;
        Ok(JsStore {
            inner: Arc::new(store),
            blocking: false,
            redis: None,
            faulty: None,
        })
    }

    /// A durable store in the SQLite file at `path` (created if needed), opened now: fails with
    /// `ERR_STORE_UNAVAILABLE` when the file cannot be opened or created.
    #[napi(factory, catch_unwind)]
    pub fn sqlite(
        path: String,
        busy_timeout_ms: Option<f64>,
        sync_every_commit: Option<bool>,
    ) -> napi::Result<Self, String> {
        let mut options = SqliteOptions::default();
        if let Some(ms) = busy_timeout_ms {
            options = duration("busyTimeoutMs", ms, 1e-3, |d| options.busy_timeout(d))?;
        }
        if let Some(sync) = sync_every_commit {
            options = options.sync_every_commit(sync);
        }
        let store = SqliteStore::open_with(&path, options).map_err(core_err)?;
        Ok(JsStore {
            inner: Arc::new(store),
            blocking: true,
            redis: None,
            faulty: None,
        })
    }

    /// A store on the Redis server at `url`. The URL is checked now; the connection is opened
    /// by the first call (on the thread pool): see `RedisStore::connect_lazy`.
    #[napi(factory, catch_unwind)]
    pub fn redis(
        url: String,
        prefix: Option<String>,
        timeout_ms: Option<f64>,
        connect_timeout_ms: Option<f64>,
        connections: Option<f64>,
    ) -> napi::Result<Self, String> {
        let mut options = RedisOptions::default();
        if let Some(prefix) = prefix {
            options = options.prefix(prefix);
        }
        if let Some(ms) = timeout_ms {
            options = duration("timeoutMs", ms, 1e-3, |d| options.timeout(d))?;
        }
        if let Some(ms) = connect_timeout_ms {
            options = duration("connectTimeoutMs", ms, 1e-3, |d| options.connect_timeout(d))?;
        }
        if let Some(n) = connections {
            options = options
                .connections(count("connections", n)?)
                .map_err(|e| range_err("connections", n, &e))?;
        }
        let store = Arc::new(RedisStore::connect_lazy(&url, options).map_err(core_err)?);
        Ok(JsStore {
            inner: Arc::clone(&store) as Arc<dyn IdempotencyStore>,
            blocking: true,
            redis: Some(store),
            faulty: None,
        })
    }

    /// For tests: `inner` wrapped so that it fails with `ERR_STORE_UNAVAILABLE` at one step
    /// (`"nothing"`, `"claim"`, `"complete"` or `"release"`).
    #[napi(factory, catch_unwind)]
    pub fn faulty(inner: &JsStore, fail_at_step: String) -> napi::Result<Self, String> {
        let faulty = Arc::new(FaultyStore::new(
            Arc::clone(&inner.inner),
            fail_at(&fail_at_step)?,
        ));
        Ok(JsStore {
            inner: Arc::clone(&faulty) as Arc<dyn IdempotencyStore>,
            blocking: inner.blocking,
            redis: inner.redis.clone(),
            faulty: Some(faulty),
        })
    }

    /// Where a faulty store fails now (null for other stores).
    #[napi(getter, catch_unwind)]
    pub fn fail_at(&self) -> Option<String> {
        self.faulty
            .as_ref()
            .map(|f| f.fail_at().as_str().to_string())
    }

    /// Changes where a faulty store fails.
    #[napi(catch_unwind)]
    pub fn set_fail_at(&self, fail_at_step: String) -> napi::Result<(), String> {
        let step = fail_at(&fail_at_step)?;
        match &self.faulty {
            Some(f) => {
                f.set_fail_at(step);
                Ok(())
            }
            None => Err(arg_err("only a FaultyStore can be told where to fail")),
        }
    }

    /// The key prefix of a Redis store (`null` for other stores).
    #[napi(getter, catch_unwind)]
    pub fn prefix(&self) -> Option<String> {
        self.redis.as_ref().map(|r| r.prefix().to_string())
    }

    /// True when store calls may block (disk or network): they then run on the thread pool.
    #[napi(getter, catch_unwind)]
    pub fn blocking(&self) -> bool {
        self.blocking
    }

    /// Checks that the store answers, on the thread pool (a Redis `PING`, connecting first if
    /// needed; other stores always answer).
    #[napi(catch_unwind)]
    pub fn ping_async(&self) -> AsyncTask<PingTask> {
        AsyncTask::new(PingTask {
            redis: self.redis.clone(),
        })
    }
}

/// `pingAsync` on the libuv thread pool.
pub struct PingTask {
    redis: Option<Arc<RedisStore>>,
}

impl Task for PingTask {
    type Output = StoreResult;
    type JsValue = StoreOutcome;

    fn compute(&mut self) -> napi::Result<StoreResult> {
        let Some(redis) = self.redis.as_ref() else {
            return Ok(StoreResult::Done(true));
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| redis.ping()));
        Ok(match result {
            Ok(Ok(())) => StoreResult::Done(true),
            Ok(Err(e)) => {
                let (code, message) = code_of(&e);
                StoreResult::Failed(code, message)
            }
            Err(_) => internal_failure(),
        })
    }

    fn resolve(&mut self, _env: Env, output: StoreResult) -> napi::Result<StoreOutcome> {
        Ok(output.into())
    }
}

/// A claim handed back by `claim`: its status and, when new, the proof of holding the key.
#[napi(js_name = "NativeClaim")]
pub struct JsClaim {
    status: &'static str,
    claim: Option<Claim>,
}

#[napi]
impl JsClaim {
    /// `"new"`, `"duplicate"` or `"in_progress"`.
    #[napi(getter, catch_unwind)]
    pub fn status(&self) -> String {
        self.status.to_string()
    }
}

impl From<ClaimOutcome> for JsClaim {
    fn from(outcome: ClaimOutcome) -> Self {
        let status = outcome.status();
        let claim = match outcome {
            ClaimOutcome::New(claim) => Some(claim),
            _ => None,
        };
        JsClaim { status, claim }
    }
}

/// The deduplicator behind `Deduplicator` (see `index.js`).
#[napi(js_name = "NativeDeduplicator")]
pub struct JsDeduplicator {
    pub(crate) inner: Deduplicator,
    /// Whether the store does disk or network I/O.
    pub(crate) blocking: bool,
}

fn held(claim: &JsClaim) -> napi::Result<Claim, String> {
    claim
        .claim
        .clone()
        .ok_or_else(|| arg_err("only a claim whose status is \"new\" can be completed or released"))
}

fn code_of(e: &palisade_webhooks::Error) -> (String, String) {
    (e.code().as_str().to_string(), e.message().to_string())
}

#[napi]
impl JsDeduplicator {
    /// A deduplicator over `store`, with optional lease and retention in seconds.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        store: &JsStore,
        lease_seconds: Option<f64>,
        retain_seconds: Option<f64>,
    ) -> napi::Result<Self, String> {
        let mut inner = Deduplicator::new(Arc::clone(&store.inner));
        if let Some(s) = lease_seconds {
            inner = duration("leaseSeconds", s, 1.0, |d| inner.with_lease(d))?;
        }
        if let Some(s) = retain_seconds {
            inner = duration("retainSeconds", s, 1.0, |d| inner.with_retention(d))?;
        }
        Ok(JsDeduplicator {
            inner,
            blocking: store.blocking,
        })
    }

    /// The lease, in seconds.
    #[napi(getter, catch_unwind)]
    pub fn lease_seconds(&self) -> f64 {
        self.inner.lease().as_secs_f64()
    }

    /// The retention, in seconds.
    #[napi(getter, catch_unwind)]
    pub fn retain_seconds(&self) -> f64 {
        self.inner.retention().as_secs_f64()
    }

    /// Claims a key on the calling thread (for stores that never block).
    #[napi(catch_unwind)]
    pub fn claim(&self, key: String) -> napi::Result<JsClaim, String> {
        self.inner.claim(&key).map(JsClaim::from).map_err(core_err)
    }

    /// Completes a new claim; false when the lease had expired and another worker took over.
    #[napi(catch_unwind)]
    pub fn complete(&self, claim: &JsClaim) -> napi::Result<bool, String> {
        self.inner.complete(&held(claim)?).map_err(core_err)
    }

    /// Releases a new claim so a retry processes the event again.
    #[napi(catch_unwind)]
    pub fn release(&self, claim: &JsClaim) -> napi::Result<bool, String> {
        self.inner.release(&held(claim)?).map_err(core_err)
    }

    /// `claim` on the libuv thread pool.
    #[napi(catch_unwind)]
    pub fn claim_async(&self, key: String) -> AsyncTask<StoreTask> {
        AsyncTask::new(StoreTask {
            dedup: self.inner.clone(),
            op: Op::Claim(key),
        })
    }

    /// `complete` on the libuv thread pool.
    #[napi(catch_unwind)]
    pub fn complete_async(&self, claim: &JsClaim) -> napi::Result<AsyncTask<StoreTask>, String> {
        Ok(AsyncTask::new(StoreTask {
            dedup: self.inner.clone(),
            op: Op::Complete(held(claim)?),
        }))
    }

    /// `release` on the libuv thread pool.
    #[napi(catch_unwind)]
    pub fn release_async(&self, claim: &JsClaim) -> napi::Result<AsyncTask<StoreTask>, String> {
        Ok(AsyncTask::new(StoreTask {
            dedup: self.inner.clone(),
            op: Op::Release(held(claim)?),
        }))
    }
}

/// A store operation.
pub enum Op {
    Claim(String),
    Complete(Claim),
    Release(Claim),
}

/// A store operation run on the libuv thread pool.
pub struct StoreTask {
    dedup: Deduplicator,
    op: Op,
}

/// What a store operation produced: a claim, a boolean, or an error code and message.
#[napi(object, object_from_js = false)]
pub struct StoreOutcome {
    pub claim: Option<JsClaim>,
    pub done: Option<bool>,
    pub code: Option<String>,
    pub message: Option<String>,
}

pub enum StoreResult {
    Claimed(ClaimOutcome),
    Done(bool),
    Failed(String, String),
}

impl Task for StoreTask {
    type Output = StoreResult;
    type JsValue = StoreOutcome;

    fn compute(&mut self) -> napi::Result<StoreResult> {
        let dedup = &self.dedup;
        let op = &self.op;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match op {
            Op::Claim(key) => dedup.claim(key).map(StoreResult::Claimed),
            Op::Complete(claim) => dedup.complete(claim).map(StoreResult::Done),
            Op::Release(claim) => dedup.release(claim).map(StoreResult::Done),
        }));
        Ok(match result {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                let (code, message) = code_of(&e);
                StoreResult::Failed(code, message)
            }
            Err(_) => internal_failure(),
        })
    }

    fn resolve(&mut self, _env: Env, output: StoreResult) -> napi::Result<StoreOutcome> {
        Ok(output.into())
    }
}

fn internal_failure() -> StoreResult {
    StoreResult::Failed(
        "InternalError".into(),
        "internal error in the idempotency store (please report it)".into(),
    )
}

impl From<StoreResult> for StoreOutcome {
    fn from(output: StoreResult) -> Self {
        let empty = StoreOutcome {
            claim: None,
            done: None,
            code: None,
            message: None,
        };
        match output {
            StoreResult::Claimed(c) => StoreOutcome {
                claim: Some(JsClaim::from(c)),
                ..empty
            },
            StoreResult::Done(b) => StoreOutcome {
                done: Some(b),
                ..empty
            },
            StoreResult::Failed(code, message) => StoreOutcome {
                code: Some(code),
                message: Some(message),
                ..empty
            },
        }
    }
}
