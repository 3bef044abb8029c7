//! `MemoryStore`: a bounded, thread-safe, in-process store.

use std::collections::{hash_map, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::options::{self, InvalidOption};
use super::{Clock, IdempotencyStore, StoreClaim, SystemClock};
use crate::error::Result;

/// Default bound on remembered keys.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;
/// Default cap on how long any key is kept: 24 h.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug)]
enum State {
    Held,
    Completed,
}

#[derive(Debug)]
struct Entry {
    state: State,
    /// The token that claimed (and, once completed, completed) the key.
    token: Token,
    expires: Instant,
}

/// A token kept inline when it fits (the deduplicator's are 32 hex characters), so recording a
/// claim allocates nothing but the key.
#[derive(Debug)]
enum Token {
    Inline { len: u8, bytes: [u8; INLINE_TOKEN] },
    Boxed(Box<str>),
}

const INLINE_TOKEN: usize = 32;

impl Token {
    fn new(token: &str) -> Self {
        match u8::try_from(token.len()) {
            Ok(len) if token.len() <= INLINE_TOKEN => {
                let mut bytes = [0; INLINE_TOKEN];
                bytes[..token.len()].copy_from_slice(token.as_bytes());
                Token::Inline { len, bytes }
            }
            _ => Token::Boxed(token.into()),
        }
    }

    fn is(&self, token: &str) -> bool {
        match self {
            Token::Inline { len, bytes } => &bytes[..usize::from(*len)] == token.as_bytes(),
            Token::Boxed(b) => **b == *token,
        }
    }
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires > now
    }
}

type Entries = HashMap<String, Entry, foldhash::fast::RandomState>;

/// An in-process [`IdempotencyStore`]: deduplicates within one process, forgets on restart.
///
/// Memory is bounded two ways: no entry outlives `ttl` (even if the deduplicator's retention is
/// longer), and beyond `max_entries` the entries closest to expiry are evicted first. Use
/// `SqliteStore` for durability on one host and `RedisStore` across instances. A forked child
/// starts with a copy of its parent's entries and keeps its own from then on.
pub struct MemoryStore {
    entries: Mutex<Entries>,
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
        MemoryStore {
            entries: Mutex::new(Entries::default()),
            max_entries: DEFAULT_MAX_ENTRIES,
            ttl: DEFAULT_TTL,
            clock: Arc::new(SystemClock),
        }
    }
}

impl MemoryStore {
    /// A store keeping at most `max_entries` keys (at least 1), none longer than `ttl`
    /// ([`MIN_DURATION`](super::MIN_DURATION) ..= [`MAX_EXPIRY`](super::MAX_EXPIRY)).
    pub fn new(max_entries: usize, ttl: Duration) -> Result<Self, InvalidOption> {
        Self::with_clock(max_entries, ttl, Arc::new(SystemClock))
    }

    /// Like [`MemoryStore::new`], with an injected clock (see `ManualClock`).
    pub fn with_clock(
        max_entries: usize,
        ttl: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, InvalidOption> {
        Ok(MemoryStore {
            entries: Mutex::new(Entries::default()),
            max_entries: options::positive("max_entries", max_entries)?,
            ttl: options::expiry("ttl", ttl)?,
            clock,
        })
    }

    /// The bound on remembered keys.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The cap on how long any key is kept.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Number of entries currently held (including expired ones not yet purged).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic in another thread cannot leave an entry half-written (each update is a single
        // insert or field assignment), so a poisoned lock is safe to keep using.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `now + d`, capped by the TTL. The TTL is at most `MAX_EXPIRY` (checked when the store is
    /// built), which a monotonic clock cannot overflow; `checked_add` keeps even a clock at the
    /// end of its range panic-free.
    fn expiry(&self, now: Instant, d: Duration) -> Instant {
        now.checked_add(d.min(self.ttl)).unwrap_or(now)
    }

    /// Makes room for one more entry: drop expired entries, then (if still full) the tenth of
    /// the entries closest to expiry, so the sort is paid once per many inserts.
    fn make_room(&self, entries: &mut Entries, now: Instant) {
        if entries.len() < self.max_entries {
            return;
        }
        entries.retain(|_, e| e.live(now));
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
        let expires = self.expiry(now, lease);
        let held = || Entry {
            state: State::Held,
            token: Token::new(token),
            expires,
        };
        let mut entries = self.lock();
        if entries.len() >= self.max_entries && !entries.contains_key(key) {
            self.make_room(&mut entries, now);
        }
        // One hash of the key, whether it is new or known.
        match entries.entry(key.to_string()) {
            hash_map::Entry::Occupied(mut known) => {
                let entry = known.get_mut();
                if entry.live(now) {
                    return Ok(match entry.state {
                        State::Completed => StoreClaim::Completed,
                        // The holder asking again (a re-sent command): still its claim.
                        State::Held if entry.token.is(token) => {
                            entry.expires = expires;
                            StoreClaim::Claimed
                        }
                        State::Held => StoreClaim::Held,
                    });
                }
                *entry = held();
            }
            hash_map::Entry::Vacant(free) => {
                free.insert(held());
            }
        }
        Ok(StoreClaim::Claimed)
    }

    fn complete(&self, key: &str, token: &str, retain: Duration) -> Result<bool> {
        let now = self.clock.now();
        let expires = self.expiry(now, retain);
        let mut entries = self.lock();
        if let Some(entry) = entries.get_mut(key) {
            let ours = entry.token.is(token);
            match entry.state {
                // Completed by this token already: nothing changes.
                State::Completed if ours && entry.live(now) => return Ok(true),
                // Someone else's live lease or completion: the key was taken over.
                _ if !ours && entry.live(now) => return Ok(false),
                // Ours (even if the lease ran out: nobody took it over, and the work is done),
                // or free.
                _ => {}
            }
            *entry = Entry {
                state: State::Completed,
                token: Token::new(token),
                expires,
            };
            return Ok(true);
        }
        // Our entry was evicted or purged and nobody claimed the key since: record it.
        self.make_room(&mut entries, now);
        entries.insert(
            key.to_string(),
            Entry {
                state: State::Completed,
                token: Token::new(token),
                expires,
            },
        );
        Ok(true)
    }

    fn release(&self, key: &str, token: &str) -> Result<bool> {
        let now = self.clock.now();
        let mut entries = self.lock();
        match entries.get(key) {
            Some(entry)
                if matches!(entry.state, State::Held)
                    && entry.token.is(token)
                    && entry.live(now) =>
            {
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
        let store =
            MemoryStore::with_clock(1000, Duration::from_secs(3600), clock.clone()).unwrap();
        contract::run_all(&store, &|d| clock.advance(d));
    }

    #[test]
    fn bounded_entries_evict_oldest_first() {
        let clock = Arc::new(ManualClock::new());
        let store = MemoryStore::with_clock(100, Duration::from_secs(3600), clock.clone()).unwrap();
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
        let store = MemoryStore::with_clock(10, Duration::from_secs(10), clock.clone()).unwrap();
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
