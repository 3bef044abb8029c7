//! The keys [`verify_webhook`](crate::verify_webhook) has seen, by key string: a small, bounded,
//! thread-safe LRU cache, so the documentation's one-call function gets the fast verifier
//! without the caller keeping a [`Webhook`](crate::Webhook).
//!
//! A key's first call parses it for the reference backend (no tables: a one-off check costs
//! what it always did); its second call prepares the fast backend's tables (~262 KB, about a
//! millisecond, once); every later call is a table lookup and a fast verification. A key seen
//! only once is never worth a table, and a caller cycling through more distinct keys than the
//! cache holds keeps the one-off cost instead of rebuilding tables on every call.

use std::sync::{Mutex, PoisonError};

use crate::error::Result;
use crate::keys::{Backend, PublicKey};

/// Keys remembered by [`verify_webhook`](crate::verify_webhook): 8 keys with tables of ~262 KB
/// each bound the cache at about 2.1 MB.
pub(crate) const CAPACITY: usize = 8;

/// The process-wide cache behind [`verify_webhook`](crate::verify_webhook).
pub(crate) static DROP_IN_KEYS: KeyCache = KeyCache::new(CAPACITY);

/// A bounded LRU map from key strings to parsed keys.
pub(crate) struct KeyCache {
    /// Most recently used first; never longer than `capacity`. A linear scan over a handful of
    /// entries is cheaper than hashing a 124-character key.
    entries: Mutex<Vec<Entry>>,
    capacity: usize,
}

struct Entry {
    /// The key exactly as the caller passed it.
    text: Box<str>,
    /// Reference backend after the first call, fast (with tables) from the second.
    key: PublicKey,
}

impl KeyCache {
    /// An empty cache of at most `capacity` keys (at least 1).
    pub(crate) const fn new(capacity: usize) -> KeyCache {
        KeyCache {
            entries: Mutex::new(Vec::new()),
            capacity: if capacity == 0 { 1 } else { capacity },
        }
    }

    /// The parsed key for `text`: the reference backend on its first call, the fast backend
    /// (tables prepared now) from its second. A key that does not parse is not remembered.
    pub(crate) fn key_for(&self, text: &str) -> Result<PublicKey> {
        match self.lookup(text) {
            Some(key) if key.backend() == Backend::Fast => Ok(key),
            Some(seen_once) => {
                // Built outside the lock, so other keys are served meanwhile. Two threads
                // may both build a key's tables on its second call; `remember` keeps one.
                let prepared =
                    PublicKey::from_verifying_key(*seen_once.verifying_key(), Backend::Fast);
                Ok(self.remember(text, prepared))
            }
            None => {
                let key = PublicKey::parse_with_backend(text, Backend::Reference)?;
                Ok(self.remember(text, key))
            }
        }
    }

    /// The entry for `text`, moved to the front (most recently used).
    fn lookup(&self, text: &str) -> Option<PublicKey> {
        let mut entries = self.lock();
        let i = entries.iter().position(|e| &*e.text == text)?;
        entries[..=i].rotate_right(1);
        Some(entries[0].key.clone())
    }

    /// Stores `key` for `text` at the front, evicting the least recently used entry beyond
    /// the capacity, and returns the key to use: a fast key already stored by another thread
    /// wins over a reference one, so no key ever goes back to the slow path.
    fn remember(&self, text: &str, key: PublicKey) -> PublicKey {
        let mut entries = self.lock();
        match entries.iter().position(|e| &*e.text == text) {
            Some(i) => {
                entries[..=i].rotate_right(1);
                if entries[0].key.backend() != Backend::Fast {
                    entries[0].key = key;
                }
            }
            None => {
                entries.insert(
                    0,
                    Entry {
                        text: text.into(),
                        key,
                    },
                );
                entries.truncate(self.capacity);
            }
        }
        entries[0].key.clone()
    }

    /// The entries; a panic elsewhere while the lock was held cannot leave them inconsistent
    /// (every update is a single move or push), so a poisoned lock is simply taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The key strings held, most recently used first, with their backends.
    #[cfg(test)]
    fn snapshot(&self) -> Vec<(String, Backend)> {
        self.lock()
            .iter()
            .map(|e| (e.text.to_string(), e.key.backend()))
            .collect()
    }

    /// Bytes of precomputed tables held.
    #[cfg(test)]
    fn table_bytes(&self) -> usize {
        self.lock().iter().map(|e| e.key.table_bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestSigner;
    use crate::webhook::{verify_webhook_with, Webhook, WebhookOptions};

    fn key(seed: u64) -> String {
        TestSigner::from_seed(seed).public_key_b64()
    }

    #[test]
    fn reference_first_then_fast_from_the_second_call() {
        let cache = KeyCache::new(4);
        let k = key(1);
        assert_eq!(cache.key_for(&k).unwrap().backend(), Backend::Reference);
        assert_eq!(cache.snapshot(), vec![(k.clone(), Backend::Reference)]);
        assert_eq!(cache.table_bytes(), 0);
        assert_eq!(cache.key_for(&k).unwrap().backend(), Backend::Fast);
        assert_eq!(cache.key_for(&k).unwrap().backend(), Backend::Fast);
        assert_eq!(cache.snapshot(), vec![(k, Backend::Fast)]);
        assert!(cache.table_bytes() > 200_000);
    }

    #[test]
    fn invalid_keys_are_not_remembered() {
        let cache = KeyCache::new(4);
        assert!(cache.key_for("not a key").is_err());
        assert!(cache.key_for("not a key").is_err());
        assert!(cache.snapshot().is_empty());
    }

    #[test]
    fn least_recently_used_is_evicted_and_memory_stays_bounded() {
        let cache = KeyCache::new(3);
        let keys: Vec<String> = (10..15).map(key).collect();
        for k in &keys[..3] {
            cache.key_for(k).unwrap();
            cache.key_for(k).unwrap();
        }
        // Use keys[0] again: keys[1] becomes the least recently used.
        cache.key_for(&keys[0]).unwrap();
        cache.key_for(&keys[3]).unwrap();
        let held: Vec<String> = cache.snapshot().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            held,
            vec![keys[3].clone(), keys[0].clone(), keys[2].clone()]
        );
        // An evicted key starts over: reference first, then fast.
        assert_eq!(
            cache.key_for(&keys[1]).unwrap().backend(),
            Backend::Reference
        );
        assert_eq!(cache.key_for(&keys[1]).unwrap().backend(), Backend::Fast);
        assert_eq!(cache.snapshot().len(), 3);
        // However many keys pass through, at most `capacity` tables are held.
        for k in keys.iter().cycle().take(40) {
            cache.key_for(k).unwrap();
            cache.key_for(k).unwrap();
            assert!(cache.snapshot().len() <= 3);
            assert!(cache.table_bytes() <= 3 * 270_000);
        }
    }

    #[test]
    fn the_process_cache_holds_eight_keys() {
        assert_eq!(DROP_IN_KEYS.capacity, 8);
        assert_eq!(KeyCache::new(0).capacity, 1);
    }

    #[test]
    fn concurrent_callers_get_correct_answers() {
        // Six keys over a 4-entry cache: threads promote, evict and re-parse keys under each
        // other while checking every answer against a reference-backend Webhook.
        let cache = KeyCache::new(4);
        let signers: Vec<TestSigner> = (20..26).map(TestSigner::from_seed).collect();
        let cases: Vec<(String, String, String, bool)> = signers
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                let payload = format!("eyJpZCI6I{i}");
                let good = s.sign(&payload);
                let other = signers[(i + 1) % signers.len()].sign(&payload);
                [
                    (s.public_key_b64(), good.clone(), payload.clone(), true),
                    (s.public_key_b64(), other, payload.clone(), false),
                    (s.public_key_b64(), good, format!("{payload}x"), false),
                ]
            })
            .collect();
        for (k, sig, payload, expected) in &cases {
            let reference =
                Webhook::from_keys(&[k], WebhookOptions::default().backend(Backend::Reference))
                    .unwrap();
            assert_eq!(reference.verify_signature(payload, sig).is_ok(), *expected);
        }
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (cache, cases) = (&cache, &cases);
                scope.spawn(move || {
                    for round in 0..6 {
                        for (i, (k, sig, payload, expected)) in cases.iter().enumerate() {
                            if (i + t + round) % 3 == 0 {
                                let got = verify_webhook_with(cache, k, sig, payload);
                                assert_eq!(got, *expected, "thread {t} round {round} case {i}");
                            }
                        }
                    }
                });
            }
        });
        assert!(cache.snapshot().len() <= 4);
    }
}
