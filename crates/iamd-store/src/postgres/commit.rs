//! One commit: records, change log and audit events in one transaction.

use tokio_postgres::types::ToSql;

use super::fail;

/// Every this many commits, the change log drops what is older than [`LOG_KEPT`] commits: a
/// node further behind finds a gap and reloads the account instead.
const PRUNE_EVERY: i64 = 1_000;
const LOG_KEPT: i64 = 100_000;
use super::pool::Pool;
use crate::{AuditRecord, Change, StoreError};

/// Commits `changes` and `audit`. A commit that changes records takes the next position from
/// `change_head`, locking its row until it ends: commits are serialised across nodes. With
/// `seen`, it commits only if that lock finds position `seen` (nothing came after it),
/// else writes nothing and answers `Ok(None)`. Answers the new position.
pub(super) async fn commit(
    pool: &std::sync::Arc<Pool>,
    seen: Option<u64>,
    changes: &[Change],
    audit: &[AuditRecord],
) -> Result<Option<u64>, StoreError> {
    let mut lease = pool.get().await?;
    let conn = lease.conn()?;
    let statements = &conn.statements;
    let tx = conn.client.transaction().await.map_err(fail)?;
    let rows: Vec<(i32, &str, &String, Option<&String>)> = (0i32..)
        .zip(changes)
        .map(|(n, change)| match change {
            Change::Put { kind, key, body } => (n, *kind, key, Some(body)),
            Change::Delete { kind, key } => (n, *kind, key, None),
        })
        .collect();
    let seq: i64 = if changes.is_empty() {
        tx.query_one("SELECT seq FROM change_head WHERE id = 1", &[])
            .await
            .map_err(fail)?
            .get(0)
    } else {
        tx.query_one(&statements.next_seq, &[])
            .await
            .map_err(fail)?
            .get(0)
    };
    let before = if changes.is_empty() { seq } else { seq - 1 };
    if seen.is_some_and(|seen| i64::try_from(seen).ok() != Some(before)) {
        tx.rollback().await.map_err(fail)?;
        lease.release();
        return Ok(None);
    }
    // Sent together (pipelined), not one round trip each.
    let mut writes = Vec::new();
    for (n, kind, key, body) in &rows {
        writes.push(match body {
            Some(body) => tx.execute_raw(
                &statements.put,
                vec![kind as &(dyn ToSql + Sync), key, body],
            ),
            None => tx.execute_raw(&statements.delete, vec![kind as &(dyn ToSql + Sync), key]),
        });
        writes.push(tx.execute_raw(
            &statements.log,
            vec![&seq as &(dyn ToSql + Sync), n, kind, key, body],
        ));
    }
    for event in audit {
        writes.push(tx.execute_raw(
            &statements.audit,
            vec![
                &event.event_id as &(dyn ToSql + Sync),
                &event.event_time,
                &event.event_name,
                &event.event_source,
                &event.username,
                &event.body,
            ],
        ));
    }
    futures_util::future::try_join_all(writes)
        .await
        .map_err(fail)?;
    if !changes.is_empty() && seq % PRUNE_EVERY == 0 {
        tx.execute(
            "DELETE FROM change_log WHERE seq <= $1",
            &[&(seq - LOG_KEPT)],
        )
        .await
        .map_err(fail)?;
    }
    if !changes.is_empty() {
        // Delivered at commit: wakes the other nodes.
        tx.batch_execute("NOTIFY iamd_changes")
            .await
            .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    lease.release();
    Ok(Some(u64::try_from(seq).unwrap_or(0)))
}
