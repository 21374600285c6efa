//! Applying other nodes' commits to a snapshot: in order, deletions included, last uses
//! handed over, and a gap in the log reloading the account.

use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::store::{AuditRecord, Change, CommitError, LoggedChange, LoggedCommit, StoreError};

/// A change log with fixed commits and records.
struct FixedLog {
    commits: Vec<LoggedCommit>,
    records: Vec<Record>,
    reloads: Mutex<usize>,
}

impl ChangeLog for FixedLog {
    fn load_at(&self) -> Result<(u64, Vec<Record>), StoreError> {
        *self.reloads.lock().unwrap() += 1;
        let seq = self.commits.last().map_or(0, |c| c.seq);
        Ok((seq, self.records.clone()))
    }
    fn commit_after(&self, _: u64, _: &[Change], _: &[AuditRecord]) -> Result<u64, CommitError> {
        Err(CommitError::Stale)
    }
    fn commits_after(&self, seen: u64) -> Result<Vec<LoggedCommit>, StoreError> {
        Ok(self
            .commits
            .iter()
            .filter(|c| c.seq > seen)
            .cloned()
            .collect())
    }
    fn wait_for_commit(&self, _: Duration) {}
}

fn user_body(name: &str) -> String {
    let (account, _) = crate::testing::account();
    let caller = crate::testing::root();
    crate::testing::call(
        &account,
        &caller,
        "iam",
        "CreateUser",
        serde_json::json!({ "UserName": name }),
    )
    .unwrap();
    let user = account.snapshot().users.get(name).unwrap().clone();
    serde_json::to_string(&*user).unwrap()
}

fn change(key: &str, body: Option<String>) -> LoggedChange {
    LoggedChange {
        kind: "user".into(),
        key: key.into(),
        body,
    }
}

#[test]
fn commits_are_applied_in_order_deletions_included() {
    let log = FixedLog {
        commits: vec![
            LoggedCommit {
                seq: 4,
                changes: vec![
                    change("alice", Some(user_body("alice"))),
                    change("bob", Some(user_body("bob"))),
                ],
            },
            LoggedCommit {
                seq: 5,
                changes: vec![
                    change("bob", None),
                    LoggedChange {
                        kind: "last_used".into(),
                        key: "AKIAEXAMPLE".into(),
                        body: Some(r#"{"date":7,"service":"iam","region":"us-east-1"}"#.into()),
                    },
                ],
            },
        ],
        records: Vec::new(),
        reloads: Mutex::new(0),
    };
    let state = AccountState::new("111122223333");
    let mut uses = Vec::new();
    let (next, seq) = advance(&log, &state, 3, &mut uses).unwrap().unwrap();
    assert_eq!(seq, 5);
    assert!(next.users.contains_key("alice"));
    assert!(!next.users.contains_key("bob"));
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0].1.date, 7);
    assert_eq!(*log.reloads.lock().unwrap(), 0);
    assert!(
        advance(&log, &next, 5, &mut uses).unwrap().is_none(),
        "nothing newer"
    );
}

#[test]
fn a_gap_in_the_log_reloads_the_account() {
    let log = FixedLog {
        commits: vec![LoggedCommit {
            seq: 9,
            changes: vec![change("alice", None)],
        }],
        records: vec![Record {
            kind: "user".into(),
            key: "carol".into(),
            body: user_body("carol"),
        }],
        reloads: Mutex::new(0),
    };
    let state = AccountState::new("111122223333");
    let (next, seq) = advance(&log, &state, 3, &mut Vec::new()).unwrap().unwrap();
    assert_eq!(*log.reloads.lock().unwrap(), 1);
    assert_eq!(seq, 9);
    assert!(next.users.contains_key("carol"), "the reloaded records");
}
