//! Deduplication: stores, the deduplicator, and its claims.
//!
//! A store is one native class with a factory per kind. Adding a durable store is a factory
//! here (`NativeStore.sqlite(path)`, `NativeStore.redis(url, prefix)`, marked `blocking`) and a
//! small class in `index.js`: blocking stores are driven through the `*Async` methods, which run
//! on the libuv thread pool so the event loop never waits on disk or network.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use palisade_webhooks::dedup::{Claim, ClaimOutcome, Deduplicator, IdempotencyStore};
use palisade_webhooks::MemoryStore;

use crate::{count, seconds};

/// `MemoryStore` defaults, the same as the core's `MemoryStore::default()` (the core does not
/// export them yet).
const MEMORY_MAX_ENTRIES: usize = 100_000;
const MEMORY_TTL: Duration = Duration::from_secs(24 * 3600);

/// An idempotency store (`MemoryStore` and friends wrap it in `index.js`).
#[napi(js_name = "NativeStore")]
pub struct JsStore {
    inner: Arc<dyn IdempotencyStore>,
    blocking: bool,
}

#[napi]
impl JsStore {
    /// An in-process store: at most `maxEntries` keys, none kept longer than `ttlSeconds`.
    #[napi(factory, catch_unwind)]
    pub fn memory(
        max_entries: Option<f64>,
        ttl_seconds: Option<f64>,
    ) -> napi::Result<Self, String> {
        let max_entries = match max_entries {
            Some(n) => count("maxEntries", n)?,
            None => MEMORY_MAX_ENTRIES,
        };
        let ttl = match ttl_seconds {
            Some(s) => seconds("ttlSeconds", s)?,
            None => MEMORY_TTL,
        };
        Ok(JsStore {
            inner: Arc::new(MemoryStore::new(max_entries, ttl)),
            blocking: false,
        })
    }

    /// True when store calls may block (disk or network): they then run on the thread pool.
    #[napi(getter, catch_unwind)]
    pub fn blocking(&self) -> bool {
        self.blocking
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
    inner: Deduplicator,
}

fn held(claim: &JsClaim) -> napi::Result<Claim, String> {
    claim.claim.clone().ok_or_else(|| {
        crate::arg_err("only a claim whose status is \"new\" can be completed or released")
    })
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
            inner = inner.with_lease(seconds("leaseSeconds", s)?);
        }
        if let Some(s) = retain_seconds {
            inner = inner.with_retention(seconds("retainSeconds", s)?);
        }
        Ok(JsDeduplicator { inner })
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
        self.inner
            .claim(&key)
            .map(JsClaim::from)
            .map_err(crate::core_err)
    }

    /// Completes a new claim; false when the lease had expired and another worker took over.
    #[napi(catch_unwind)]
    pub fn complete(&self, claim: &JsClaim) -> napi::Result<bool, String> {
        self.inner.complete(&held(claim)?).map_err(crate::core_err)
    }

    /// Releases a new claim so a retry processes the event again.
    #[napi(catch_unwind)]
    pub fn release(&self, claim: &JsClaim) -> napi::Result<bool, String> {
        self.inner.release(&held(claim)?).map_err(crate::core_err)
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
            Err(_) => StoreResult::Failed(
                "InternalError".into(),
                "internal error in the idempotency store (please report it)".into(),
            ),
        })
    }

    fn resolve(&mut self, _env: Env, output: StoreResult) -> napi::Result<StoreOutcome> {
        let empty = StoreOutcome {
            claim: None,
            done: None,
            code: None,
            message: None,
        };
        Ok(match output {
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
        })
    }
}
