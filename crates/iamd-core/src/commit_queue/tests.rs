//! Group commit: batching, ordering, and failure of the writes built on a failed batch.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::account::Account;
use crate::clock::ManualClock;
use crate::crypto::SealingKey;
use crate::error::IamError;
use crate::store::{AuditRecord, Change, MemoryStore, Record, Store, StoreError};

/// A memory store that can hold a commit until released, and fail it.
#[derive(Default)]
struct GateStore {
    inner: MemoryStore,
    commits: AtomicUsize,
    hold: AtomicBool,
    fail_next: AtomicBool,
    entered: Mutex<Option<mpsc::Sender<()>>>,
    release: Mutex<Option<mpsc::Receiver<()>>>,
}

impl Store for GateStore {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        self.inner.load()
    }
    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        self.commits.fetch_add(1, Ordering::SeqCst);
        if self.hold.swap(false, Ordering::SeqCst) {
            if let Some(tx) = self.entered.lock().unwrap().as_ref() {
                tx.send(()).unwrap();
            }
            if let Some(rx) = self.release.lock().unwrap().as_ref() {
                rx.recv().unwrap();
            }
        }
        if self.fail_next.swap(false, Ordering::SeqCst) {
            return Err(StoreError("disk full".into()));
        }
        self.inner.commit(changes, audit)
    }
    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.inner.audit_events(limit)
    }
}

fn account_on(store: Arc<GateStore>) -> Account {
    struct Shared(Arc<GateStore>);
    impl Store for Shared {
        fn load(&self) -> Result<Vec<Record>, StoreError> {
            self.0.load()
        }
        fn commit(&self, c: &[Change], a: &[AuditRecord]) -> Result<(), StoreError> {
            self.0.commit(c, a)
        }
        fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
            self.0.audit_events(limit)
        }
    }
    let clock = Arc::new(ManualClock::at_unix_secs(1_795_423_481));
    Account::open(
        "111122223333",
        Box::new(Shared(store)),
        clock,
        SealingKey::from_bytes([7; 32]),
    )
    .unwrap()
}

/// A write that appends `name` to the account alias (the state) and stores a record.
fn append(account: &Account, name: &str) -> Result<String, IamError> {
    account.write(|txn| {
        let alias = format!(
            "{}{name},",
            txn.state.account_alias.clone().unwrap_or_default()
        );
        txn.state.account_alias = Some(alias.clone());
        txn.put(crate::entities::Kind::AccountAlias, name, &alias)?;
        Ok(alias)
    })
}

fn stored_keys(store: &GateStore) -> Vec<String> {
    let mut keys: Vec<String> = store.load().unwrap().into_iter().map(|r| r.key).collect();
    keys.sort();
    keys
}

#[test]
fn concurrent_writes_all_commit_in_order_and_are_published_when_acknowledged() {
    let store = Arc::new(GateStore::default());
    let account = Arc::new(account_on(store.clone()));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let account = account.clone();
            thread::spawn(move || {
                for i in 0..50 {
                    let name = format!("w{t}-{i}");
                    let alias = append(&account, &name).unwrap();
                    // Acknowledged means published: the snapshot holds this write.
                    let published = account.snapshot().account_alias.clone().unwrap();
                    assert!(published.starts_with(&alias), "{published} / {alias}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let alias = account.snapshot().account_alias.clone().unwrap();
    assert_eq!(alias.split(',').filter(|s| !s.is_empty()).count(), 400);
    assert_eq!(stored_keys(&store).len(), 400);
    assert!(store.commits.load(Ordering::SeqCst) <= 400);
}

#[test]
fn a_failed_write_stores_nothing_and_keeps_its_own_error() {
    let store = Arc::new(GateStore::default());
    let account = account_on(store.clone());
    let out: Result<(), IamError> = account.write(|txn| {
        txn.put(crate::entities::Kind::AccountAlias, "half", &"done")?;
        txn.state.account_alias = Some("half".into());
        Err(IamError::no_such_entity("not there"))
    });
    assert_eq!(out.unwrap_err().code, "NoSuchEntity");
    assert!(stored_keys(&store).is_empty());
    assert_eq!(account.snapshot().account_alias, None);
    assert_eq!(append(&account, "next").unwrap(), "next,");
}

#[test]
fn when_a_batch_fails_the_writes_built_on_it_fail_and_the_state_goes_back() {
    let store = Arc::new(GateStore::default());
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    *store.entered.lock().unwrap() = Some(entered_tx);
    *store.release.lock().unwrap() = Some(release_rx);
    let account = Arc::new(account_on(store.clone()));
    assert_eq!(append(&account, "a").unwrap(), "a,");

    // Write b commits slowly; c is applied on top of it meanwhile and queued behind it.
    store.hold.store(true, Ordering::SeqCst);
    store.fail_next.store(true, Ordering::SeqCst);
    let b = {
        let account = account.clone();
        thread::spawn(move || append(&account, "b"))
    };
    entered_rx.recv().unwrap();
    let c = {
        let account = account.clone();
        thread::spawn(move || append(&account, "c"))
    };
    // c is queued once the newest state holds it.
    while account.commits.lock().queue.is_empty() {
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(account.snapshot().account_alias.as_deref(), Some("a,"));
    release_tx.send(()).unwrap();

    assert_eq!(b.join().unwrap().unwrap_err().code, "ServiceFailure");
    assert_eq!(c.join().unwrap().unwrap_err().code, "ServiceFailure");
    assert_eq!(stored_keys(&store), vec!["a"]);
    assert_eq!(account.snapshot().account_alias.as_deref(), Some("a,"));
    // The next write starts from the published state, without b or c.
    assert_eq!(append(&account, "d").unwrap(), "a,d,");
    assert_eq!(stored_keys(&store), vec!["a", "d"]);
}

#[test]
fn a_write_being_applied_while_the_batch_under_it_fails_fails_too() {
    let store = Arc::new(GateStore::default());
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    *store.entered.lock().unwrap() = Some(entered_tx);
    *store.release.lock().unwrap() = Some(release_rx);
    let account = Arc::new(account_on(store.clone()));

    store.hold.store(true, Ordering::SeqCst);
    store.fail_next.store(true, Ordering::SeqCst);
    let b = {
        let account = account.clone();
        thread::spawn(move || append(&account, "b"))
    };
    entered_rx.recv().unwrap();
    // c starts applying on top of b (it sees "b,") and is held there while b's commit fails.
    let (applying_tx, applying_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let c = {
        let account = account.clone();
        thread::spawn(move || {
            account.write(|txn| {
                let seen = txn.state.account_alias.clone();
                applying_tx.send(seen.clone()).unwrap();
                go_rx.recv().unwrap();
                txn.state.account_alias = Some(format!("{}c,", seen.unwrap_or_default()));
                txn.put(crate::entities::Kind::AccountAlias, "c", &"c")?;
                Ok(())
            })
        })
    };
    assert_eq!(applying_rx.recv().unwrap().as_deref(), Some("b,"));
    release_tx.send(()).unwrap();
    assert_eq!(b.join().unwrap().unwrap_err().code, "ServiceFailure");
    go_tx.send(()).unwrap();
    assert_eq!(c.join().unwrap().unwrap_err().code, "ServiceFailure");

    assert!(stored_keys(&store).is_empty());
    assert_eq!(account.snapshot().account_alias, None);
    assert_eq!(append(&account, "d").unwrap(), "d,");
}

#[test]
fn deferred_records_survive_a_failed_flush() {
    let store = Arc::new(GateStore::default());
    let account = account_on(store.clone());
    let record = |id: &str| AuditRecord {
        event_id: id.to_string(),
        event_time: 1,
        event_name: "GetUser".into(),
        event_source: "iam.amazonaws.com".into(),
        username: "bob".into(),
        body: "{}".into(),
        lookup: Default::default(),
    };
    account.record_key_use("AKIAEXAMPLE", "iam", "us-east-1");
    account.audit_deferred(record("first")).unwrap();
    store.fail_next.store(true, Ordering::SeqCst);
    assert!(account.flush_deferred().is_err());
    account.audit_deferred(record("second")).unwrap();
    account.flush_deferred().unwrap();
    let ids: Vec<String> = store
        .audit_events(10)
        .unwrap()
        .into_iter()
        .map(|r| r.event_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"first".to_string()) && ids.contains(&"second".to_string()));
    assert_eq!(stored_keys(&store), vec!["AKIAEXAMPLE"]);
}

/// Two nodes' view of one shared store: a change log in memory that refuses a commit on a
/// stale position, as PostgreSQL's does.
#[derive(Default)]
struct SharedLog {
    commits: Mutex<Vec<crate::store::LoggedCommit>>,
}

struct Node(Arc<SharedLog>);

impl Store for Node {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        Ok(Vec::new())
    }
    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let seen = self.0.commits.lock().unwrap().len() as u64;
        crate::store::ChangeLog::commit_after(self, seen, changes, audit)
            .map(|_| ())
            .map_err(|_| StoreError("stale".into()))
    }
    fn audit_events(&self, _: usize) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(Vec::new())
    }
    fn change_log(&self) -> Option<&dyn crate::store::ChangeLog> {
        Some(self)
    }
}

impl crate::store::ChangeLog for Node {
    fn load_at(&self) -> Result<(u64, Vec<Record>), StoreError> {
        Ok((self.0.commits.lock().unwrap().len() as u64, Vec::new()))
    }
    fn commit_after(
        &self,
        seen: u64,
        changes: &[Change],
        _: &[AuditRecord],
    ) -> Result<u64, crate::store::CommitError> {
        let mut commits = self.0.commits.lock().unwrap();
        if commits.len() as u64 != seen {
            return Err(crate::store::CommitError::Stale);
        }
        let changes = changes
            .iter()
            .map(|c| match c {
                Change::Put { kind, key, body } => crate::store::LoggedChange {
                    kind: kind.to_string(),
                    key: key.clone(),
                    body: Some(body.clone()),
                },
                Change::Delete { kind, key } => crate::store::LoggedChange {
                    kind: kind.to_string(),
                    key: key.clone(),
                    body: None,
                },
            })
            .collect();
        commits.push(crate::store::LoggedCommit {
            seq: seen + 1,
            changes,
        });
        Ok(seen + 1)
    }
    fn commits_after(&self, seen: u64) -> Result<Vec<crate::store::LoggedCommit>, StoreError> {
        let commits = self.0.commits.lock().unwrap();
        Ok(commits.iter().skip(seen as usize).cloned().collect())
    }
    fn wait_for_commit(&self, _: Duration) {}
}

fn node_on(log: &Arc<SharedLog>) -> Account {
    let clock = Arc::new(ManualClock::at_unix_secs(1_795_423_481));
    Account::open(
        "111122223333",
        Box::new(Node(log.clone())),
        clock,
        SealingKey::from_bytes([7; 32]),
    )
    .unwrap()
}

#[test]
fn a_write_on_a_stale_snapshot_is_refused_and_runs_again_after_catching_up() {
    let log = Arc::new(SharedLog::default());
    let (a, b) = (node_on(&log), node_on(&log));
    assert_eq!(append(&a, "from-a").unwrap(), "from-a,");
    // B has not seen A's commit: its write is refused, nothing written.
    let err = append(&b, "from-b").unwrap_err();
    assert!(err.is_stale_snapshot(), "{err:?}");
    assert_eq!(log.commits.lock().unwrap().len(), 1);
    assert_eq!(b.snapshot().account_alias, None, "nothing of it published");
    // Run again on the newer state, it builds on A's write.
    let alias = b
        .write_retrying(|txn| {
            let alias = format!(
                "{}from-b,",
                txn.state.account_alias.clone().unwrap_or_default()
            );
            txn.state.account_alias = Some(alias.clone());
            txn.put(crate::entities::Kind::AccountAlias, "from-b", &alias)?;
            Ok(alias)
        })
        .unwrap();
    assert_eq!(alias, "from-a,from-b,");
    a.catch_up().unwrap();
    assert_eq!(
        a.snapshot().account_alias.as_deref(),
        Some("from-a,from-b,")
    );
}
