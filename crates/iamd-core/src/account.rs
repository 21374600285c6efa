//! The account service: the current snapshot, and writes that are validated, committed to the
//! store with their audit events, then published as a new snapshot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use serde::Serialize;

use crate::audit::waiting::Waiting;
use crate::clock::{unix_secs, Clock};
use crate::commit_queue::{Applied, CommitQueue};
use crate::crypto::SealingKey;
use crate::error::IamError;
use crate::model::LastUsed;
use crate::state::AccountState;
use crate::store::{AuditRecord, Change, Store};

/// One account: state, store, clock and the key that seals secrets.
pub struct Account {
    state: ArcSwap<AccountState>,
    /// Writes in flight (group commit).
    pub(crate) commits: CommitQueue,
    store: Box<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub sealing: SealingKey,
    /// The quotas in effect (AWS's unless the operator set others).
    pub quotas: crate::quotas::Quotas,
    /// Access key last use, kept in memory (it changes on every request) and flushed to the
    /// store periodically by [`Account::flush_deferred`]. The flag marks unflushed entries.
    last_used: Mutex<HashMap<String, (LastUsed, bool)>>,
    /// Audit records of calls that wrote nothing (reads; denied or invalid calls), flushed
    /// with the last uses: such calls must not wait for the database.
    deferred_audit: Mutex<DeferredAudit>,
    /// The store's records of the last flush, written over by the next one (their strings
    /// keep their capacity; see [`keep_for_next_flush`]).
    flushed_records: Mutex<Vec<AuditRecord>>,
    /// When the snapshot was last known to be the newest (a store several nodes share).
    caught_up: Mutex<std::time::Instant>,
    /// Where AssumeRoleWithWebIdentity finds an issuer's signing keys (set by the server;
    /// without it, web identity tokens cannot be verified and are refused).
    pub web_identity_keys: std::sync::OnceLock<Arc<dyn crate::web_identity::KeySource>>,
    /// The issuer URL of the account's outbound identity federation tokens (set by the
    /// server; see [`Account::outbound_issuer`]).
    pub outbound_issuer: std::sync::OnceLock<String>,
    /// Whether successful reads are recorded (`--audit-reads`, default on; off is not
    /// CloudTrail-faithful: its event history records reads).
    audit_reads: std::sync::atomic::AtomicBool,
}

/// Audit records waiting for the next flush, at most [`MAX_PENDING_AUDIT_RECORDS`] records
/// and [`MAX_PENDING_AUDIT_BYTES`] bytes. A call that finds them full flushes them itself
/// (back-pressure, see [`Account::audit_deferred`]); only records the store refused and that
/// no longer fit are dropped, counted and reported.
#[derive(Default)]
struct DeferredAudit {
    waiting: Waiting,
    /// An emptied buffer from the last flush, kept for its capacity.
    spare: Waiting,
    dropped: u64,
}

impl DeferredAudit {
    /// Whether `records` more records with bodies of `body_bytes` fit within the bounds.
    fn fits(&self, records: usize, body_bytes: usize) -> bool {
        self.waiting.len() + records <= MAX_PENDING_AUDIT_RECORDS
            && self.waiting.body_bytes() + body_bytes <= MAX_PENDING_AUDIT_BYTES
    }

    /// Keeps `record` if it fits, else counts it as dropped.
    fn keep(&mut self, record: &AuditRecord) {
        if self.fits(1, record.body.len()) {
            self.waiting.push(record);
        } else {
            self.dropped += 1;
            crate::telemetry::audit_record_dropped();
        }
    }

    /// What waits, leaving the spare buffer (if any) in its place.
    fn take(&mut self) -> Waiting {
        std::mem::replace(&mut self.waiting, std::mem::take(&mut self.spare))
    }

    /// Keeps a flushed buffer, emptied, for the next [`DeferredAudit::take`], unless it grew
    /// beyond [`KEPT_AUDIT_BUFFER_BYTES`] (records that piled up while a flush was slow, e.g.
    /// during a WAL checkpoint): that memory is given back, not kept for good.
    fn give_back(&mut self, mut flushed: Waiting) {
        flushed.clear();
        self.spare = match flushed.capacity_bytes() <= KEPT_AUDIT_BUFFER_BYTES {
            true => flushed,
            false => Waiting::default(),
        };
    }
}

/// The most memory an emptied buffer of audit records, or a flush's records, keep for the
/// next flush: a usual flush (20 ms of reads, ~1,000 records of ~1 KiB at 45,000 reads/s)
/// fits with room.
const KEPT_AUDIT_BUFFER_BYTES: usize = 4 << 20;

/// Keeps a flush's records for the next one to write over, unless they hold more than a
/// usual flush's worth of memory (after a burst, or a flush of records kept while the store
/// was failing): those are freed.
fn keep_for_next_flush(records: &mut Vec<AuditRecord>) {
    const MOST_RECORDS: usize = 4096;
    let body_bytes: usize = records.iter().map(|r| r.body.capacity()).sum();
    if records.len() > MOST_RECORDS || body_bytes > KEPT_AUDIT_BUFFER_BYTES {
        *records = Vec::new();
    }
}

/// How many times a write refused as stale (several nodes) runs again.
pub(crate) const STALE_RETRIES: u32 = 32;

/// A random pause of up to `attempts` milliseconds before a write refused as stale runs
/// again, so that nodes whose writes keep colliding stop doing so in step.
pub(crate) fn stale_backoff(attempts: u32) {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let micros = random % (1000 * u64::from(attempts));
    std::thread::sleep(std::time::Duration::from_micros(micros));
}

const MAX_PENDING_AUDIT_RECORDS: usize = 50_000;
const MAX_PENDING_AUDIT_BYTES: usize = 16 << 20;

/// A write in progress: a private copy of the state plus the changes to store.
pub struct Txn {
    pub state: AccountState,
    pub now: i64,
    changes: Vec<Change>,
    audit: Vec<AuditRecord>,
}

impl Txn {
    /// Records `value` as the stored body of (`kind`, `key`).
    pub fn put<T: Serialize>(
        &mut self,
        kind: crate::entities::Kind,
        key: &str,
        value: &T,
    ) -> Result<(), IamError> {
        let body = serde_json::to_string(value).map_err(|_| IamError::service_failure())?;
        self.changes.push(Change::Put {
            kind: kind.as_str(),
            key: key.to_string(),
            body,
        });
        Ok(())
    }

    pub fn delete(&mut self, kind: crate::entities::Kind, key: &str) {
        self.changes.push(Change::Delete {
            kind: kind.as_str(),
            key: key.to_string(),
        });
    }

    pub fn audit(&mut self, record: AuditRecord) {
        self.audit.push(record);
    }
}

impl Account {
    /// Loads the account from the store.
    pub fn open(
        account_id: &str,
        store: Box<dyn Store>,
        clock: Arc<dyn Clock>,
        sealing: SealingKey,
    ) -> Result<Account, String> {
        let mut state = AccountState::new(account_id);
        let mut last_used = HashMap::new();
        let mut put = |record: crate::store::Record| {
            if record.kind == crate::entities::Kind::LastUsed.as_str() {
                if let Ok(used) = serde_json::from_str(&record.body) {
                    last_used.insert(record.key.clone(), (used, false));
                }
            }
            state.put_record(record)
        };
        // From SQLite one record at a time: the stored bodies are never all in memory (at
        // 100,000 users resident memory at ready went from 331 to 308 MB).
        let seq = match store.change_log() {
            Some(log) => {
                let (seq, records) = log.load_at().map_err(|e| e.to_string())?;
                records.into_iter().try_for_each(&mut put)?;
                seq
            }
            None => {
                store.load_each(&mut put)?;
                0
            }
        };
        let state = Arc::new(state);
        Ok(Account {
            commits: CommitQueue::new(state.clone(), seq),
            state: ArcSwap::new(state),
            store,
            clock,
            sealing,
            quotas: Default::default(),
            last_used: Mutex::new(last_used),
            deferred_audit: Mutex::new(DeferredAudit::default()),
            flushed_records: Mutex::new(Vec::new()),
            caught_up: Mutex::new(std::time::Instant::now()),
            web_identity_keys: std::sync::OnceLock::new(),
            outbound_issuer: std::sync::OnceLock::new(),
            audit_reads: std::sync::atomic::AtomicBool::new(true),
        })
    }

    /// The issuer of GetWebIdentityToken's tokens: the server's, else
    /// [`crate::outbound::default_issuer`] of [`crate::outbound::DEFAULT_BASE`].
    pub fn outbound_issuer(&self) -> String {
        match self.outbound_issuer.get() {
            Some(issuer) => issuer.clone(),
            None => {
                crate::outbound::default_issuer(crate::outbound::DEFAULT_BASE, &self.account_id())
            }
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<AccountState> {
        self.state.load_full()
    }

    pub fn account_id(&self) -> String {
        self.state.load().account_id.clone()
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        unix_secs(self.clock.now()) as i64
    }

    /// Runs a write: `f` changes a private copy of the newest state; when it succeeds the
    /// changes are committed to the store (atomically, durably, possibly in one transaction with
    /// other writes queued meanwhile, see `commit_queue`) and the new state is published before
    /// this returns. Writes are applied one at a time; readers never wait.
    pub fn write<T>(&self, f: impl FnOnce(&mut Txn) -> Result<T, IamError>) -> Result<T, IamError> {
        self.commits
            .run(self.store.as_ref(), &self.state, |newest| {
                let mut txn = Txn {
                    state: newest.clone(),
                    now: self.now(),
                    changes: Vec::new(),
                    audit: Vec::new(),
                };
                let out = f(&mut txn);
                // A failed write leaves nothing behind: no changes, no audit record, no state.
                let applied = match out {
                    Ok(_) => Applied {
                        changes: txn.changes,
                        audit: txn.audit,
                        state: Some(Arc::new(txn.state)),
                    },
                    Err(_) => Applied {
                        changes: Vec::new(),
                        audit: Vec::new(),
                        state: None,
                    },
                };
                (out, applied)
            })
    }

    /// As [`Account::write`], running `f` again on the newer state when another node's commit
    /// made its state stale (several nodes on one database). For writes made outside
    /// `ops::dispatch`, which does the same for operations.
    pub fn write_retrying<T>(
        &self,
        f: impl Fn(&mut Txn) -> Result<T, IamError>,
    ) -> Result<T, IamError> {
        let mut attempts = 0;
        loop {
            match self.write(&f) {
                Err(e) if e.is_stale_snapshot() && attempts < STALE_RETRIES => {
                    attempts += 1;
                    stale_backoff(attempts);
                    self.catch_up()?;
                }
                out => return out,
            }
        }
    }

    /// A new audit event id, ordered by this account's clock (see [`crate::crypto::event_id`]).
    pub fn new_event_id(&self) -> Result<String, IamError> {
        crate::crypto::event_id(crate::clock::unix_millis(self.clock.now()))
            .map_err(|_| IamError::service_failure())
    }

    /// Records that an access key was used now, for a service in a region.
    pub fn record_key_use(&self, key_id: &str, service: &str, region: &str) {
        if let Ok(mut map) = self.last_used.lock() {
            let used = LastUsed {
                date: self.now(),
                service: service.to_string(),
                region: region.to_string(),
            };
            map.insert(key_id.to_string(), (used, true));
        }
    }

    pub fn key_last_used(&self, key_id: &str) -> Option<LastUsed> {
        self.last_used
            .lock()
            .ok()?
            .get(key_id)
            .map(|(used, _)| used.clone())
    }

    /// When a session of `role` last made a request, and in which region (role uses are
    /// recorded under the role's id with access keys' uses, see [`Account::record_key_use`]).
    pub fn role_last_used(&self, role: &crate::model::Role) -> Option<(i64, String)> {
        let recorded = self.key_last_used(&role.id).map(|u| (u.date, u.region));
        recorded.into_iter().chain(role.last_used.clone()).max()
    }

    /// Whether successful reads get an audit record (on unless [`Account::set_audit_reads`]
    /// turned it off).
    pub fn audits_reads(&self) -> bool {
        self.audit_reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Turns the audit records of successful reads on or off (`iamd serve --audit-reads`).
    /// Writes and failed calls are always recorded.
    pub fn set_audit_reads(&self, on: bool) {
        self.audit_reads
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Keeps the audit record of `call` (`error`: how it failed) for the next
    /// [`Account::flush_deferred`], as [`Account::audit_deferred`] does, written straight
    /// into the records waiting (nothing allocated per record). The one that goes over the
    /// bound is written to the store with them.
    pub fn audit_call(
        &self,
        call: &crate::audit::ApiCall<'_>,
        error: Option<&IamError>,
    ) -> Result<(), IamError> {
        let batch = {
            let mut pending = self
                .deferred_audit
                .lock()
                .map_err(|_| IamError::service_failure())?;
            call.record_into(error, &mut pending.waiting);
            if pending.fits(0, 0) {
                return Ok(());
            }
            pending.take().records()
        };
        self.write_now(batch)
    }

    /// Keeps the audit record of a call that wrote nothing for the next
    /// [`Account::flush_deferred`]. When the records waiting are at their bound, this call
    /// writes them and `record` to the store itself: the caller waits for the database
    /// (back-pressure) rather than the record being dropped. `Err` when the store refuses
    /// them (they are kept for the next flush as far as they fit, the rest counted).
    pub fn audit_deferred(&self, record: AuditRecord) -> Result<(), IamError> {
        let batch = {
            let mut pending = self
                .deferred_audit
                .lock()
                .map_err(|_| IamError::service_failure())?;
            if pending.fits(1, record.body.len()) {
                pending.waiting.push(&record);
                return Ok(());
            }
            let mut batch = pending.take().records();
            batch.push(record);
            batch
        };
        self.write_now(batch)
    }

    /// Writes `batch` (what waited, and a record that did not fit) on the caller's thread:
    /// back-pressure. When the store refuses it, it is kept for the next flush as far as it fits.
    fn write_now(&self, batch: Vec<AuditRecord>) -> Result<(), IamError> {
        if self.store.commit(&[], &batch).is_ok() {
            return Ok(());
        }
        self.put_back(Vec::new(), &batch);
        Err(IamError::service_failure())
    }

    /// Writes what is kept in memory to the store: the access key uses recorded since the last
    /// flush and the failed calls' audit records.
    /// When the store fails, what was taken is put back for the next flush.
    pub fn flush_deferred(&self) -> Result<(), IamError> {
        let taken: Vec<(String, LastUsed)> = {
            let mut map = self
                .last_used
                .lock()
                .map_err(|_| IamError::service_failure())?;
            map.iter_mut()
                .filter(|(_, (_, dirty))| *dirty)
                .map(|(id, (used, dirty))| {
                    *dirty = false;
                    (id.clone(), used.clone())
                })
                .collect()
        };
        let changes: Vec<Change> = taken
            .iter()
            .filter_map(|(id, used)| {
                Some(Change::Put {
                    kind: crate::entities::Kind::LastUsed.as_str(),
                    key: id.clone(),
                    body: serde_json::to_string(used).ok()?,
                })
            })
            .collect();
        let (flushed, dropped) = {
            let mut pending = self
                .deferred_audit
                .lock()
                .map_err(|_| IamError::service_failure())?;
            let dropped = std::mem::take(&mut pending.dropped);
            (pending.take(), dropped)
        };
        // Made into records here, on the flusher's thread, over the last flush's.
        let mut audit = self
            .flushed_records
            .lock()
            .map_err(|_| IamError::service_failure())?;
        flushed.records_into(&mut audit);
        if dropped > 0 {
            tracing::error!(target: "iamd", "{dropped} audit records dropped: the store refused them and over {MAX_PENDING_AUDIT_RECORDS} records or {MAX_PENDING_AUDIT_BYTES} bytes were waiting");
        }
        if (changes.is_empty() && audit.is_empty()) || self.store.commit(&changes, &audit).is_ok() {
            keep_for_next_flush(&mut audit);
            if let Ok(mut pending) = self.deferred_audit.lock() {
                pending.give_back(flushed);
            }
            return Ok(());
        }
        crate::telemetry::store_failed("flush");
        self.put_back(taken, &audit);
        Err(IamError::service_failure())
    }

    /// Marks the taken last uses unflushed again (unless newer ones came meanwhile) and puts the
    /// taken audit records back before the ones that came meanwhile, within the limit.
    fn put_back(&self, taken: Vec<(String, LastUsed)>, audit: &[AuditRecord]) {
        if let Ok(mut map) = self.last_used.lock() {
            for (id, used) in taken {
                if let Some((current, dirty)) = map.get_mut(&id) {
                    if *current == used {
                        *dirty = true;
                    }
                }
            }
        }
        if let Ok(mut pending) = self.deferred_audit.lock() {
            let newer = pending.take().records();
            for record in audit.iter().chain(&newer) {
                pending.keep(record);
            }
        }
    }

    /// Audit events matching `query`, newest first, with their positions (for paging).
    pub fn audit_lookup(
        &self,
        query: &crate::store::AuditQuery,
    ) -> Result<Vec<(i64, AuditRecord)>, IamError> {
        self.store
            .audit_page(query)
            .map_err(|_| IamError::service_failure())
    }

    /// Deletes at most `limit` audit events older than `time` (Unix seconds), oldest first;
    /// how many were deleted.
    pub fn expire_audit(&self, time: i64, limit: usize) -> Result<usize, IamError> {
        self.store
            .delete_audit_before(time, limit)
            .map_err(|_| IamError::service_failure())
    }

    /// Audit records waiting for the next flush (reads, failed calls).
    pub fn pending_audit_records(&self) -> usize {
        self.deferred_audit.lock().map_or(0, |p| p.waiting.len())
    }

    /// How many snapshots were published since the account was opened (one per committed
    /// batch that changed the state), and how long ago the current one was.
    pub fn snapshot_generation(&self) -> (u64, std::time::Duration) {
        self.commits.published()
    }

    /// Whether the store answers (readiness).
    pub fn store_reachable(&self) -> bool {
        self.store.audit_events(0).is_ok()
    }

    /// Applies the commits other nodes made since this node's snapshot (a store several
    /// nodes share; nothing to do otherwise). Called by the follower (`follow`) and before a
    /// write refused as stale runs again.
    pub fn catch_up(&self) -> Result<(), IamError> {
        let Some(log) = self.store.change_log() else {
            return Ok(());
        };
        let mut uses = Vec::new();
        self.commits
            .catch_up(&self.state, |state, seen| {
                crate::follow::advance(log, state, seen, &mut uses)
            })
            .map_err(|e| {
                tracing::warn!(target: "iamd", "catching up with the other nodes failed: {e}");
                IamError::service_failure()
            })?;
        if let Ok(mut caught_up) = self.caught_up.lock() {
            *caught_up = std::time::Instant::now();
        }
        if let Ok(mut map) = self.last_used.lock() {
            for (id, used) in uses {
                // Another node's record of a use, unless this node has a newer one.
                let newer = map.get(&id).is_none_or(|(mine, _)| mine.date < used.date);
                if newer {
                    map.insert(id, (used, false));
                }
            }
        }
        Ok(())
    }

    /// As [`Account::catch_up`], but first looks for newer commits without holding up this
    /// node's writes, and catches up only when there are (the follower's wake-ups are mostly
    /// this node's own commits).
    pub fn catch_up_if_behind(&self) -> Result<(), String> {
        let Some(log) = self.store.change_log() else {
            return Ok(());
        };
        let newer = log
            .commits_after(self.commits.position())
            .map_err(|e| e.to_string())?;
        if !newer.is_empty() {
            return self.catch_up().map_err(|e| e.message);
        }
        if let Ok(mut caught_up) = self.caught_up.lock() {
            *caught_up = std::time::Instant::now();
        }
        Ok(())
    }

    /// What `find` answers on the snapshot; on a store several nodes share, when it answers
    /// nothing, what it answers after catching up with the other nodes' commits (a console
    /// session or a security key ceremony another node has just stored).
    pub fn find_fresh<T>(&self, find: impl Fn(&AccountState) -> Option<T>) -> Option<T> {
        if let Some(found) = find(&self.snapshot()) {
            return Some(found);
        }
        self.store.change_log()?;
        self.catch_up_if_behind().ok()?;
        find(&self.snapshot())
    }

    /// How long since the snapshot was last known to be the newest, on a store several nodes
    /// share (`None` otherwise: this process is the only writer, its snapshot is the newest).
    pub fn snapshot_age(&self) -> Option<std::time::Duration> {
        self.store.change_log()?;
        let caught_up = *self.caught_up.lock().ok()?;
        Some(caught_up.elapsed())
    }

    /// Whether other nodes write to this account's store too (PostgreSQL).
    pub fn store_is_shared(&self) -> bool {
        self.store.change_log().is_some()
    }

    /// The store, for the follower.
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Audit events, newest first.
    pub fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, IamError> {
        self.store
            .audit_events(limit)
            .map_err(|_| IamError::service_failure())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::AuditRecord;

    fn record(bytes: usize) -> AuditRecord {
        AuditRecord {
            event_id: String::new(),
            event_time: 0,
            event_name: "PutUserPolicy".into(),
            event_source: "iam.amazonaws.com".into(),
            username: "mallory".into(),
            body: "x".repeat(bytes),
            lookup: Default::default(),
        }
    }

    fn record_with_id(bytes: usize, id: usize) -> AuditRecord {
        AuditRecord {
            event_id: format!("e{id}"),
            ..record(bytes)
        }
    }

    #[test]
    fn records_waiting_for_a_flush_are_bounded_by_bytes_and_written_when_full() {
        let (account, _) = crate::testing::account();
        for i in 0..40 {
            account.audit_deferred(record_with_id(1 << 20, i)).unwrap();
        }
        let pending = account.deferred_audit.lock().unwrap();
        // Twice full (16 MiB): the 17th and 34th calls wrote what waited, and themselves.
        assert_eq!(pending.waiting.len(), 6);
        assert_eq!(pending.waiting.body_bytes(), 6 << 20);
        assert_eq!(pending.dropped, 0);
        assert_eq!(account.audit_events(100).unwrap().len(), 34);
    }

    #[test]
    fn calls_recorded_in_place_are_bounded_and_written_when_full_in_order() {
        let (account, _) = crate::testing::account();
        let caller = crate::testing::root();
        let input = serde_json::json!({ "UserName": "u".repeat(100_000) });
        for i in 0..200 {
            let mut call = crate::audit::ApiCall::get_user(&caller, "123456789012", &input);
            call.event_id = format!("e{i:03}");
            account.audit_call(&call, None).unwrap();
        }
        // 16 MiB hold 166 such records (~101 KB): the 167th call wrote them and itself.
        assert_eq!(account.pending_audit_records(), 33);
        let stored = account.audit_events(1000).unwrap();
        assert_eq!(stored.len(), 167);
        account.flush_deferred().unwrap();
        let all = account.audit_events(1000).unwrap();
        let mut ids: Vec<&str> = all.iter().map(|r| r.event_id.as_str()).collect();
        ids.reverse(); // newest first
        let expected: Vec<String> = (0..200).map(|i| format!("e{i:03}")).collect();
        assert_eq!(ids, expected);
        assert!(all.iter().all(|r| r.body.contains(&"u".repeat(100_000))));
    }

    #[test]
    fn a_flushed_buffer_keeps_its_room_unless_records_piled_up() {
        let (account, _) = crate::testing::account();
        let spare = |account: &super::Account| {
            let pending = account.deferred_audit.lock().unwrap();
            pending.spare.capacity_bytes()
        };
        for i in 0..10 {
            account.audit_deferred(record_with_id(1000, i)).unwrap();
        }
        account.flush_deferred().unwrap();
        let kept = spare(&account);
        assert!(kept >= 10_000, "{kept}");
        // Records that piled up (10 MiB): their buffer is given back after the flush.
        for i in 10..20 {
            account.audit_deferred(record_with_id(1 << 20, i)).unwrap();
        }
        account.flush_deferred().unwrap();
        let kept = spare(&account);
        assert!(kept <= super::KEPT_AUDIT_BUFFER_BYTES, "{kept}");
        assert_eq!(account.audit_events(100).unwrap().len(), 20);
    }

    #[test]
    fn a_stored_record_of_an_unknown_kind_fails_loading_and_names_it() {
        use crate::store::{Change, MemoryStore, Store};
        let store = MemoryStore::default();
        let widget = Change::Put {
            kind: "widget",
            key: "w1".into(),
            body: "{}".into(),
        };
        store.commit(&[widget], &[]).unwrap();
        let clock = std::sync::Arc::new(crate::clock::ManualClock::at_unix_secs(0));
        let sealing = crate::crypto::SealingKey::from_bytes([7; 32]);
        let err = super::Account::open("111122223333", Box::new(store), clock, sealing)
            .err()
            .unwrap();
        assert!(err.contains("unknown kind `widget` (key `w1`)"), "{err}");
    }
}
