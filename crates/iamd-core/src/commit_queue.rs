//! Group commit. Writes are applied one at a time to the newest state, which may include writes
//! whose commit is still in flight, and queued. One writer at a time (the leader) takes every
//! queued write, commits them to the store in one transaction and publishes the newest state;
//! the others wait meanwhile, and apply their own changes while the leader's commit runs. A
//! write returns once the batch it is in has committed, so an acknowledged write is durable and
//! visible to every later request.
//!
//! When a batch fails to commit, every write in it fails, and so does every write applied on top
//! of it (they are queued behind it or being applied): the newest state goes back to the
//! published one and nothing of the failed writes is visible.
//!
//! On a store several nodes share (a change log, see `follow`) a batch commits only on the
//! change log position its state was built on; when another node committed meanwhile the
//! batch is refused as stale (nothing is written, its writes fail with
//! `IamError::stale_snapshot`, to be applied again after catching up, see
//! [`CommitQueue::catch_up`]), so no write built on an old state is ever lost or wrongly
//! accepted.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::error::IamError;
use crate::state::AccountState;
use crate::store::{AuditRecord, Change, CommitError, Store};

/// What a write hands over to be committed.
pub(crate) struct Applied {
    pub changes: Vec<Change>,
    pub audit: Vec<AuditRecord>,
    /// The state after the write; `None` when the write failed (it waits for the writes before
    /// it all the same, since its answer was computed from their state).
    pub state: Option<Arc<AccountState>>,
}

/// How a write ended, set once by the leader (under the queue's lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    Committed,
    Failed,
    /// Built on a state another node's commit made stale.
    Stale,
}

/// A queued write's outcome, and the thread waiting for it: the leader wakes exactly the
/// writers its batch settled, and the next leader, instead of every waiting writer (at
/// saturation most waiters belong to the next batch, and waking them all costs two context
/// switches each, for nothing).
struct Waiter {
    settled: OnceLock<Settled>,
    thread: std::thread::Thread,
}

type Outcome = Arc<Waiter>;

pub(crate) struct CommitQueue {
    /// Serialises applying writes, so each one sees the previous one's state.
    apply: Mutex<()>,
    inner: Mutex<Inner>,
    /// Notified when a batch has settled, for [`CommitQueue::catch_up`] (writers are woken
    /// one by one, see [`Waiter`]).
    settled: Condvar,
}

struct Inner {
    /// The newest state: the published one plus the queued and committing writes.
    newest: Arc<AccountState>,
    /// Bumped when a batch fails; a write applied on an older generation is failed.
    generation: u64,
    /// How the last failed batch failed (a write applied on it fails the same way).
    last_failure: Settled,
    queue: Vec<(Outcome, Applied)>,
    committing: bool,
    /// Snapshots published since the start, and when the last one was (for metrics).
    publications: u64,
    published_at: Instant,
    /// The change log position of the published state (0 on a store without one).
    seq: u64,
}

impl CommitQueue {
    pub fn new(published: Arc<AccountState>, seq: u64) -> CommitQueue {
        CommitQueue {
            apply: Mutex::new(()),
            inner: Mutex::new(Inner {
                newest: published,
                generation: 0,
                last_failure: Settled::Failed,
                queue: Vec::new(),
                committing: false,
                publications: 0,
                published_at: Instant::now(),
                seq,
            }),
            settled: Condvar::new(),
        }
    }

    /// The queue's lock. Every change made under it leaves the queue consistent (no code that
    /// can panic runs under it), so a poisoned lock is taken over as it is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Snapshots published since the start, and the current one's age.
    pub fn published(&self) -> (u64, Duration) {
        let inner = self.lock();
        (inner.publications, inner.published_at.elapsed())
    }

    /// Applies one write with `apply` (given the newest state), then waits until it is committed
    /// and published in `published`.
    pub fn run<T>(
        &self,
        store: &dyn Store,
        published: &ArcSwap<AccountState>,
        apply: impl FnOnce(&AccountState) -> (Result<T, IamError>, Applied),
    ) -> Result<T, IamError> {
        let outcome = Arc::new(Waiter {
            settled: OnceLock::new(),
            thread: std::thread::current(),
        });
        let out = {
            // `()` guards no data: a write that panicked while applying leaves nothing behind.
            let _applying = self.apply.lock().unwrap_or_else(PoisonError::into_inner);
            let (base, generation) = {
                let inner = self.lock();
                (inner.newest.clone(), inner.generation)
            };
            let (out, applied) = apply(&base);
            let mut inner = self.lock();
            if inner.generation != generation {
                // Built on writes that failed while this one was being applied.
                return Err(match inner.last_failure {
                    Settled::Stale => IamError::stale_snapshot(),
                    _ => IamError::service_failure(),
                });
            }
            if let Some(state) = &applied.state {
                inner.newest = state.clone();
            }
            inner.queue.push((outcome.clone(), applied));
            out
        };
        match self.wait_committed(&outcome, store, published) {
            Settled::Committed => out,
            Settled::Failed => Err(IamError::service_failure()),
            Settled::Stale => Err(IamError::stale_snapshot()),
        }
    }

    /// Waits for the outcome of a queued write, leading the commit of the queue when no one is.
    fn wait_committed(
        &self,
        outcome: &Waiter,
        store: &dyn Store,
        published: &ArcSwap<AccountState>,
    ) -> Settled {
        let mut inner = self.lock();
        loop {
            if let Some(&settled) = outcome.settled.get() {
                return settled;
            }
            if inner.committing || inner.queue.is_empty() {
                // Woken (unparked) once this write is settled or may lead the next batch; a
                // spurious wake-up only checks again.
                drop(inner);
                std::thread::park();
                if let Some(&settled) = outcome.settled.get() {
                    return settled;
                }
                inner = self.lock();
                continue;
            }
            inner.committing = true;
            let (mut outcomes, batch): (Vec<Outcome>, Vec<Applied>) =
                std::mem::take(&mut inner.queue).into_iter().unzip();
            let seen = inner.seq;
            drop(inner);
            crate::telemetry::batch_committing(outcomes.len());
            // A store that panics fails the batch like one that returns an error.
            let committed = catch_unwind(AssertUnwindSafe(|| commit_batch(store, batch, seen)))
                .unwrap_or_else(|_| Err(Some("the store panicked".to_string())));
            inner = self.lock();
            let failure = match committed {
                Ok((state, seq)) => {
                    if let Some(state) = state {
                        published.store(state);
                        inner.publications += 1;
                        inner.published_at = Instant::now();
                    }
                    inner.seq = seq;
                    for outcome in &outcomes {
                        let _ = outcome.settled.set(Settled::Committed);
                    }
                    None
                }
                Err(message) => {
                    // The batch and every write queued on top of it fail.
                    let settled = match message {
                        Some(_) => Settled::Failed,
                        None => Settled::Stale,
                    };
                    for outcome in outcomes.iter().chain(inner.queue.iter().map(|(o, _)| o)) {
                        let _ = outcome.settled.set(settled);
                    }
                    // Their threads are woken below, with the batch's.
                    let failed = std::mem::take(&mut inner.queue);
                    outcomes.extend(failed.into_iter().map(|(o, _)| o));
                    inner.generation += 1;
                    inner.last_failure = settled;
                    inner.newest = published.load_full();
                    Some(message)
                }
            };
            inner.committing = false;
            // The first queued write's thread leads the next batch.
            let next = inner.queue.first().map(|(o, _)| o.thread.clone());
            drop(inner);
            self.settled.notify_all();
            for outcome in &outcomes {
                outcome.thread.unpark();
            }
            if let Some(next) = next {
                next.unpark();
            }
            if let Some(Some(message)) = failure {
                store_failed(&message);
            }
            inner = self.lock();
        }
    }
}

impl CommitQueue {
    /// The change log position of the published state.
    pub fn position(&self) -> u64 {
        self.lock().seq
    }

    /// Brings the published state forward to the change log's newest position, once this
    /// node has no write being applied or committed (writes wait meanwhile). `follow` is
    /// given the published state and its position and answers the newer state and position,
    /// or `None` when nothing is newer.
    pub fn catch_up(
        &self,
        published: &ArcSwap<AccountState>,
        follow: impl FnOnce(&AccountState, u64) -> Result<Option<(AccountState, u64)>, String>,
    ) -> Result<(), String> {
        let _applying = self.apply.lock().unwrap_or_else(PoisonError::into_inner);
        let mut inner = self.lock();
        while inner.committing || !inner.queue.is_empty() {
            inner = self
                .settled
                .wait(inner)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if let Some((state, seq)) = follow(&published.load(), inner.seq)? {
            let state = Arc::new(state);
            published.store(state.clone());
            inner.newest = state;
            inner.seq = seq;
        }
        Ok(())
    }
}

/// Commits a batch built on change log position `seen` in one store transaction; returns the
/// newest state in it and its position. Fails with `None` when the batch is stale.
fn commit_batch(
    store: &dyn Store,
    batch: Vec<Applied>,
    seen: u64,
) -> Result<(Option<Arc<AccountState>>, u64), Option<String>> {
    let mut changes = Vec::new();
    let mut audit = Vec::new();
    let mut newest = None;
    for applied in batch {
        changes.extend(applied.changes);
        audit.extend(applied.audit);
        if applied.state.is_some() {
            newest = applied.state;
        }
    }
    if changes.is_empty() && audit.is_empty() {
        return Ok((newest, seen));
    }
    let seq = match store.change_log() {
        Some(log) => log
            .commit_after(seen, &changes, &audit)
            .map_err(|e| match e {
                CommitError::Stale => None,
                CommitError::Failed(e) => Some(e.to_string()),
            })?,
        None => {
            store
                .commit(&changes, &audit)
                .map_err(|e| Some(e.to_string()))?;
            seen
        }
    };
    Ok((newest, seq))
}

/// Store failures are logged and counted, without request data.
fn store_failed(message: &str) {
    crate::telemetry::store_failed("commit");
    tracing::error!(target: "iamd", "store commit failed: {message}");
}

#[cfg(test)]
mod tests;
