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

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use crate::error::IamError;
use crate::state::AccountState;
use crate::store::{AuditRecord, Change, Store};

/// What a write hands over to be committed.
pub(crate) struct Applied {
    pub changes: Vec<Change>,
    pub audit: Vec<AuditRecord>,
    /// The state after the write; `None` when the write failed (it waits for the writes before
    /// it all the same, since its answer was computed from their state).
    pub state: Option<Arc<AccountState>>,
}

pub(crate) struct CommitQueue {
    /// Serialises applying writes, so each one sees the previous one's state.
    apply: Mutex<()>,
    inner: Mutex<Inner>,
    settled: Condvar,
}

struct Inner {
    /// The newest state: the published one plus the queued and committing writes.
    newest: Arc<AccountState>,
    /// Bumped when a batch fails; a write applied on an older generation is failed.
    generation: u64,
    queue: Vec<(u64, Applied)>,
    next_seq: u64,
    committing: bool,
    /// Every write up to this sequence number has an outcome.
    settled_through: u64,
    /// Sequence ranges (inclusive) that failed.
    failed: Vec<(u64, u64)>,
}

impl CommitQueue {
    pub fn new(published: Arc<AccountState>) -> CommitQueue {
        CommitQueue {
            apply: Mutex::new(()),
            inner: Mutex::new(Inner {
                newest: published,
                generation: 0,
                queue: Vec::new(),
                next_seq: 1,
                committing: false,
                settled_through: 0,
                failed: Vec::new(),
            }),
            settled: Condvar::new(),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, IamError> {
        self.inner.lock().map_err(|_| IamError::service_failure())
    }

    /// Applies one write with `apply` (given the newest state), then waits until it is committed
    /// and published in `published`. Returns whether it committed.
    pub fn run<T>(
        &self,
        store: &dyn Store,
        published: &ArcSwap<AccountState>,
        apply: impl FnOnce(&AccountState) -> (Result<T, IamError>, Applied),
    ) -> Result<T, IamError> {
        let (seq, out) = {
            let _applying = self.apply.lock().map_err(|_| IamError::service_failure())?;
            let (base, generation) = {
                let inner = self.lock()?;
                (inner.newest.clone(), inner.generation)
            };
            let (out, applied) = apply(&base);
            let mut inner = self.lock()?;
            if inner.generation != generation {
                // Built on writes that failed while this one was being applied.
                return Err(IamError::service_failure());
            }
            if let Some(state) = &applied.state {
                inner.newest = state.clone();
            }
            let seq = inner.next_seq;
            inner.next_seq += 1;
            inner.queue.push((seq, applied));
            (seq, out)
        };
        if self.wait_committed(seq, store, published)? {
            out
        } else {
            Err(IamError::service_failure())
        }
    }

    /// Waits for the outcome of write `seq`, leading the commit of the queue when no one is.
    fn wait_committed(
        &self,
        seq: u64,
        store: &dyn Store,
        published: &ArcSwap<AccountState>,
    ) -> Result<bool, IamError> {
        let mut inner = self.lock()?;
        loop {
            if inner.settled_through >= seq {
                let failed = inner.failed.iter().any(|&(a, b)| a <= seq && seq <= b);
                return Ok(!failed);
            }
            if inner.committing || inner.queue.is_empty() {
                inner = self
                    .settled
                    .wait(inner)
                    .map_err(|_| IamError::service_failure())?;
                continue;
            }
            inner.committing = true;
            let batch = std::mem::take(&mut inner.queue);
            drop(inner);
            let committed = commit_batch(store, batch);
            inner = self.lock()?;
            match committed {
                Ok((last, state)) => {
                    if let Some(state) = state {
                        published.store(state);
                    }
                    inner.settled_through = last;
                }
                Err((first, message)) => {
                    store_failed(&message);
                    let last = inner.next_seq - 1;
                    inner.failed.push((first, last));
                    inner.settled_through = last;
                    inner.queue.clear();
                    inner.generation += 1;
                    inner.newest = published.load_full();
                }
            }
            inner.committing = false;
            self.settled.notify_all();
        }
    }
}

/// A committed batch: its last sequence number and the newest state in it.
type Committed = (u64, Option<Arc<AccountState>>);
/// A failed batch: its first sequence number and the store's message.
type Failed = (u64, String);

/// Commits a batch in one store transaction.
fn commit_batch(store: &dyn Store, batch: Vec<(u64, Applied)>) -> Result<Committed, Failed> {
    let first = batch.first().map_or(0, |(seq, _)| *seq);
    let mut last = first;
    let mut changes = Vec::new();
    let mut audit = Vec::new();
    let mut newest = None;
    for (seq, applied) in batch {
        last = seq;
        changes.extend(applied.changes);
        audit.extend(applied.audit);
        if applied.state.is_some() {
            newest = applied.state;
        }
    }
    if !changes.is_empty() || !audit.is_empty() {
        store
            .commit(&changes, &audit)
            .map_err(|e| (first, e.to_string()))?;
    }
    Ok((last, newest))
}

/// Store failures are reported on standard error without request data.
fn store_failed(message: &str) {
    eprintln!("iamd: store commit failed: {message}");
}

#[cfg(test)]
#[path = "commit_queue_tests.rs"]
mod tests;
