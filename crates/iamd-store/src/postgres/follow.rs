//! Following the other nodes: the change log read back, and a listening connection that
//! turns the database's notifications of commits into wake-ups (`LISTEN iamd_changes`). A
//! lost notification or a dropped listening connection only delays a wake-up: the node
//! polls too, and the listener reconnects.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use tokio_postgres::AsyncMessage;

use super::{fail, PostgresStore};
use crate::{
    AuditRecord, Change, ChangeLog, CommitError, LoggedChange, LoggedCommit, Record, StoreError,
};

/// A commit notification not waited for yet.
#[derive(Default)]
pub(super) struct Wake {
    pending: Mutex<bool>,
    woken: Condvar,
}

impl Wake {
    fn set(&self) {
        *self.pending.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.woken.notify_all();
    }

    fn wait(&self, timeout: Duration) {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut pending, _) = self
            .woken
            .wait_timeout_while(pending, timeout, |pending| !*pending)
            .unwrap_or_else(PoisonError::into_inner);
        *pending = false;
    }
}

/// Listens for commit notifications for as long as the store lives, reconnecting after a
/// second when the connection fails (and then waking the node: it may have missed some).
pub(super) async fn listen(pool: Arc<super::pool::Pool>, wake: Arc<Wake>) {
    loop {
        if let Ok((client, mut connection)) = pool.config().connect(pool.tls()).await {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            let listening = client.batch_execute("LISTEN iamd_changes");
            tokio::pin!(listening);
            let mut listened = false;
            loop {
                tokio::select! {
                    result = &mut listening, if !listened => {
                        if result.is_err() { break; }
                        listened = true;
                        wake.set();
                    }
                    message = messages.next() => match message {
                        Some(Ok(AsyncMessage::Notification(_))) => wake.set(),
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break,
                    }
                }
            }
        }
        wake.set();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

impl ChangeLog for PostgresStore {
    fn load_at(&self) -> Result<(u64, Vec<Record>), StoreError> {
        let pool = self.pool.clone();
        self.runtime.run(async move {
            let mut lease = pool.get().await?;
            let client = &mut lease.conn()?.client;
            // One snapshot of the database for the position and the records.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(fail)?;
            let seq: i64 = tx
                .query_one("SELECT seq FROM change_head WHERE id = 1", &[])
                .await
                .map_err(fail)?
                .get(0);
            let rows = tx
                .query(
                    "SELECT kind, key, body FROM records ORDER BY kind, key",
                    &[],
                )
                .await
                .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            lease.release();
            let records = rows
                .iter()
                .map(|row| Record {
                    kind: row.get(0),
                    key: row.get(1),
                    body: row.get(2),
                })
                .collect();
            Ok((u64::try_from(seq).unwrap_or(0), records))
        })
    }

    fn commit_after(
        &self,
        seen: u64,
        changes: &[Change],
        audit: &[AuditRecord],
    ) -> Result<u64, CommitError> {
        let pool = self.pool.clone();
        let (changes, audit) = (changes.to_vec(), audit.to_vec());
        match self
            .runtime
            .run(async move { super::commit::commit(&pool, Some(seen), &changes, &audit).await })
        {
            Ok(Some(seq)) => Ok(seq),
            Ok(None) => Err(CommitError::Stale),
            Err(e) => Err(CommitError::Failed(e)),
        }
    }

    fn commits_after(&self, seen: u64) -> Result<Vec<LoggedCommit>, StoreError> {
        let seen = i64::try_from(seen).unwrap_or(i64::MAX);
        let rows = self.query(
            "SELECT seq, kind, key, body FROM change_log WHERE seq > $1 ORDER BY seq, n",
            vec![Box::new(seen)],
        )?;
        let mut commits: Vec<LoggedCommit> = Vec::new();
        for row in &rows {
            let seq = u64::try_from(row.get::<_, i64>(0)).unwrap_or(0);
            let change = LoggedChange {
                kind: row.get(1),
                key: row.get(2),
                body: row.get(3),
            };
            match commits.last_mut() {
                Some(last) if last.seq == seq => last.changes.push(change),
                _ => commits.push(LoggedCommit {
                    seq,
                    changes: vec![change],
                }),
            }
        }
        Ok(commits)
    }

    fn wait_for_commit(&self, timeout: Duration) {
        self.wake.wait(timeout);
    }
}
