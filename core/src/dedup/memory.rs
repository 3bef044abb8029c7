//! `MemoryStore`: a bounded, thread-safe, in-process store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Clock, IdempotencyStore, StoreClaim, SystemClock};
use crate::error::Result;

/// Default bound on remembered keys.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;
/// Default cap on how long any key is kept: 24 h.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug)]
enum State {
    Held { token: String },
    Completed,
}

#[derive(Debug)]
struct Entry {
    state: State,
    expires: Instant,
}

/// An in-process [`IdempotencyStore`]: deduplicates within one process, forgets on restart.
///
/// Memory is bounded two ways: no entry outlives `ttl` (even if the deduplicator's retention is
/// longer), and beyond `max_entries` the entries closest to expiry are evicted first. Use
/// `SqliteStore` for durability on one host and `RedisStore` across instances.
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Entry>>,
    max_entries: usize,
    ttl: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("max_entries", &self.max_entries)
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_MAX_ENTRIES, DEFAULT_TTL)
    }
}

impl MemoryStore {
    /// A store keeping at most `max_entries` keys (at least 1), none longer than `ttl`.
    pub fn new(max_entries: usize, ttl: Duration) -> Self {
        Self::with_clock(max_entries, ttl, Arc::new(SystemClock))
    }

    /// Like [`MemoryStore::new`], with an injected clock (see `ManualClock`).
    pub fn with_clock(max_entries: usize, ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        MemoryStore {
            entries: Mutex::new(HashMap::new()),
            max_entries: max_entries.max(1),
            ttl,
            clock,
        }
    }

    /// Number of entries currently held (including expired ones not yet purged).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic in another thread cannot leave an entry half-written (each update is a single
        // insert or field assignment), so a poisoned lock is safe to keep using.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes room for one more entry: drop expired entries, then (if still full) the tenth of
    /// the entries closest to expiry, so the sort is paid once per many inserts.
    fn make_room(&self, entries: &mut HashMap<String, Entry>, now: Instant) {
        if entries.len() < self.max_entries {
            return;
        }
        entries.retain(|_, e| e.expires > now);
        if entries.len() < self.max_entries {
            return;
        }
        let mut by_expiry: Vec<(Instant, String)> = entries
            .iter()
            .map(|(k, e)| (e.expires, k.clone()))
            .collect();
        by_expiry.sort_unstable();
        let evict = (self.max_entries / 10).max(1);
        for (_, key) in by_expiry.into_iter().take(evict) {
            entries.remove(&key);
        }
    }
}

impl IdempotencyStore for MemoryStore {
    fn claim(&self, key: &str, token: &str, lease: Duration) -> Result<StoreClaim> {
        let now = self.clock.now();
        let mut entries = self.lock();
        if let Some(entry) = entries.get(key) {
            if entry.expires > now {
                return Ok(match entry.state {
                    State::Completed => StoreClaim::Completed,
                    State::Held { .. } => StoreClaim::Held,
                });
            }
        } else {
            self.make_room(&mut entries, now);
        }
        entries.insert(
            key.to_string(),
            Entry {
                state: State::Held {
                    token: token.to_string(),
                },
                expires: now + lease.min(self.ttl),
            },
        );
        Ok(StoreClaim::Claimed)
    }

    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool> {
        let now = self.clock.now();
        let mut entries = self.lock();
        match entries.get_mut(key) {
            // Still ours, even if the lease ran out: nobody took it over, and the work is done.
            Some(entry) if matches!(&entry.state, State::Held { token: t } if t == token) => {
                entry.state = State::Completed;
                entry.expires = now + retain.min(self.ttl);
                Ok(true)
            }
            Some(_) => Ok(false),
            None => {
                // Our entry was evicted or expired and nobody claimed the key since: record it.
                self.make_room(&mut entries, now);
                entries.insert(
                    key.to_string(),
                    Entry {
                        state: State::Completed,
                        expires: now + retain.min(self.ttl),
                    },
                );
                Ok(true)
            }
        }
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        let mut entries = self.lock();
        match entries.get(key) {
            Some(Entry {
                state: State::Held { token: t },
                ..
            }) if t == token => {
                entries.remove(key);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::contract;
    use crate::dedup::ManualClock;

    #[test]
    fn contract_suite() {
        let clock = Arc::new(ManualClock::new());
        let store = MemoryStore::with_clock(1000, Duration::from_secs(3600), clock.clone());
        contract::run_all(&store, &|d| clock.advance(d));
    }

    #[test]
    fn bounded_entries_evict_oldest_first() {
        let clock = Arc::new(ManualClock::new());
        let store = MemoryStore::with_clock(100, Duration::from_secs(3600), clock.clone());
        for i in 0..1000 {
            clock.advance(Duration::from_millis(1));
            store
                .complete(&format!("k{i}"), "t", Duration::from_secs(60))
                .unwrap();
        }
        assert!(store.len() <= 100, "{}", store.len());
        // The newest keys are still remembered; the oldest were evicted.
        assert_eq!(
            store.claim("k999", "x", Duration::from_secs(1)).unwrap(),
            StoreClaim::Completed
        );
        assert_eq!(
            store.claim("k0", "x", Duration::from_secs(1)).unwrap(),
            StoreClaim::Claimed
        );
    }

    #[test]
    fn ttl_caps_retention() {
        let clock = Arc::new(ManualClock::new());
        let store = MemoryStore::with_clock(10, Duration::from_secs(10), clock.clone());
        store.claim("k", "t", Duration::from_secs(1)).unwrap();
        store
            .complete("k", "t", Duration::from_secs(86_400))
            .unwrap();
        clock.advance(Duration::from_secs(11));
        assert_eq!(
            store.claim("k", "u", Duration::from_secs(1)).unwrap(),
            StoreClaim::Claimed
        );
    }
}
