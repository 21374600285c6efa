//! Several nodes on one database: each serves from its own snapshot and follows the change
//! log the others append to (a store with a [`ChangeLog`], PostgreSQL). A thread per node
//! waits for the database's notification of a commit, or [`POLL`] at most when notifications
//! are lost, and applies the commits it has not seen to the snapshot. Writes need no follower
//! to be correct: a write built on a stale snapshot is refused at commit and runs again
//! after catching up (see `commit_queue` and `ops::dispatch`).

use std::sync::Arc;
use std::time::Duration;

use crate::account::Account;
use crate::entities::Kind;
use crate::model::LastUsed;
use crate::state::AccountState;
use crate::store::{ChangeLog, Record};

/// The longest a node goes without looking for other nodes' commits.
pub const POLL: Duration = Duration::from_millis(500);

/// The state after the commits that follow position `seen`, and its position; `None` when
/// there are none. Other nodes' records of access key use are added to `uses`. A gap or an
/// out-of-order commit in the log reloads the whole account rather than guess.
pub(crate) fn advance(
    log: &dyn ChangeLog,
    state: &AccountState,
    seen: u64,
    uses: &mut Vec<(String, LastUsed)>,
) -> Result<Option<(AccountState, u64)>, String> {
    let commits = log.commits_after(seen).map_err(|e| e.to_string())?;
    let Some(last) = commits.last().map(|c| c.seq) else {
        return Ok(None);
    };
    if !commits
        .iter()
        .zip(seen + 1..)
        .all(|(c, want)| c.seq == want)
    {
        tracing::warn!(target: "iamd",
            "the change log does not follow on from position {seen}; reloading the account"
        );
        let (seq, records) = log.load_at().map_err(|e| e.to_string())?;
        uses.extend(records.iter().filter_map(last_use));
        let state = AccountState::from_records(&state.account_id, records)?;
        return Ok(Some((state, seq)));
    }
    let mut next = state.clone();
    for change in commits.into_iter().flat_map(|c| c.changes) {
        match change.body {
            Some(body) => {
                let record = Record {
                    kind: change.kind,
                    key: change.key,
                    body,
                };
                uses.extend(last_use(&record));
                next.put_record(record)?;
            }
            None => next.remove_record(&change.kind, &change.key)?,
        }
    }
    Ok(Some((next, last)))
}

/// The access key use a `last_used` record holds.
fn last_use(record: &Record) -> Option<(String, LastUsed)> {
    if record.kind != Kind::LastUsed.as_str() {
        return None;
    }
    Some((record.key.clone(), serde_json::from_str(&record.body).ok()?))
}

/// Starts following the other nodes' commits, when the account's store is shared; the
/// thread ends when the account is dropped.
pub fn spawn(account: &Arc<Account>) -> std::io::Result<()> {
    if account.store().change_log().is_none() {
        return Ok(());
    }
    let account = Arc::downgrade(account);
    std::thread::Builder::new()
        .name("iamd-follow".into())
        .spawn(move || {
            // Said once when contact is lost and once when it is back, not every round.
            let mut in_contact = true;
            while let Some(account) = account.upgrade() {
                if let Some(log) = account.store().change_log() {
                    log.wait_for_commit(POLL);
                }
                match account.catch_up_if_behind() {
                    Ok(()) if !in_contact => {
                        tracing::info!(target: "iamd", "following the other nodes' commits again");
                        in_contact = true;
                    }
                    Err(e) if in_contact => {
                        tracing::warn!(target: "iamd", "cannot follow the other nodes' commits (retrying): {e}");
                        in_contact = false;
                    }
                    _ => {}
                }
            }
        })
        .map(|_| ())
}

#[cfg(test)]
mod shared_tests;
#[cfg(test)]
mod tests;
