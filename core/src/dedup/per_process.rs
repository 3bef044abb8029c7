//! Connections that never cross a `fork()`.
//!
//! A pre-fork server (gunicorn `--preload`, uWSGI without lazy-apps, Celery prefork,
//! `multiprocessing` with "fork") builds the store once and forks workers that inherit it. A
//! socket shared by two processes interleaves their requests and replies, so one worker reads
//! another's answer; an SQLite connection carried across a fork corrupts its locking. So each
//! store keeps its connection in a [`PerProcess`] slot: the process id is checked on every use,
//! and in a forked child the inherited value is replaced before anything is sent on it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// A value that belongs to the process that made it.
pub(crate) struct PerProcess<T> {
    /// The process the slot's value belongs to (read without the lock, so a forked child never
    /// blocks on a lock that a thread of its parent held at the fork).
    owner: AtomicU32,
    slot: Mutex<T>,
}

/// The slot was locked at the fork by a thread that does not exist in this process.
#[derive(Debug)]
pub(crate) struct ForkedWhileBusy;

impl<T> PerProcess<T> {
    /// A slot owned by the calling process.
    pub(crate) fn new(value: T) -> Self {
        PerProcess {
            owner: AtomicU32::new(std::process::id()),
            slot: Mutex::new(value),
        }
    }

    /// Locks this process's value. In a process forked since the value was made, `renew` first
    /// replaces it (dropping the inherited one here only: the parent's copy is untouched).
    ///
    /// A child waits at most `patience` for the lock: if a thread of the parent held it at the
    /// fork, nobody will ever release it, and the child gets [`ForkedWhileBusy`] instead of a
    /// hang.
    pub(crate) fn lock(
        &self,
        renew: impl FnOnce(&mut T),
        patience: Duration,
    ) -> Result<MutexGuard<'_, T>, ForkedWhileBusy> {
        let pid = std::process::id();
        if self.owner.load(Ordering::Acquire) == pid {
            // Every update of the value is a single assignment, so a panic elsewhere cannot have
            // left it half-written: a poisoned lock is safe to keep using.
            return Ok(self.slot.lock().unwrap_or_else(|p| p.into_inner()));
        }
        let deadline = Instant::now() + patience;
        let mut guard = loop {
            match self.slot.try_lock() {
                Ok(guard) => break guard,
                Err(TryLockError::Poisoned(p)) => break p.into_inner(),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(TryLockError::WouldBlock) => return Err(ForkedWhileBusy),
            }
        };
        // Another thread of this child may have renewed it while we waited.
        if self.owner.load(Ordering::Acquire) != pid {
            renew(&mut guard);
            self.owner.store(pid, Ordering::Release);
        }
        Ok(guard)
    }
}
