//! Small blocks (a commit's few writes) are stored without their keys: each has one
//! `Attr::Pending` key instead of one per lookup value (eight for one write's record, each a
//! B-tree page more to the WAL at commit), and lookups and the uniqueness check read every
//! pending block. Once [`PENDING`] of them are stored, or a larger block is written, they are
//! merged with it into one keyed block. Pending blocks are always the newest positions (only
//! `append` writes new ones, and retention rewrites a pending block pending), so the merged
//! block's positions follow one another as they did.

use rusqlite::{params, Connection};

use super::{decode, fail, Attr};
use crate::{AuditRecord, StoreError};

/// Blocks of fewer records than this are written pending.
pub(super) const SMALL: usize = 16;

/// At most this many blocks are pending.
pub(super) const PENDING: usize = 32;

/// Lists the pending blocks (`block`, `max_time`) whose `max_time` is at least `?2`.
pub(in crate::sqlite) const LIST_SQL: &str = "SELECT block, max_time FROM audit_block_keys
     WHERE attr = ?1 AND value = '' AND max_time >= ?2";

/// The pending blocks (`id`, `max_time`) whose `max_time` is at least `since`.
pub(in crate::sqlite) fn list(
    conn: &Connection,
    since: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    conn.prepare_cached(LIST_SQL)
        .map_err(fail)?
        .query_map(params![Attr::Pending as i64, since], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .map_err(fail)?
        .collect::<Result<_, _>>()
        .map_err(fail)
}

/// The pending key of block `id`.
pub(super) fn key(tx: &Connection, id: i64, max_time: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO audit_block_keys (attr, value, max_time, block) VALUES (?1, '', ?2, ?3)",
    )
    .map_err(fail)?
    .execute(params![Attr::Pending as i64, max_time, id])
    .map_err(fail)?;
    Ok(())
}

/// Removes block `id`'s pending key; whether it had one.
pub(super) fn unkey(tx: &Connection, id: i64, max_time: i64) -> Result<bool, StoreError> {
    let removed = tx
        .prepare_cached(
            "DELETE FROM audit_block_keys WHERE attr = ?1 AND value = '' AND max_time = ?2
             AND block = ?3",
        )
        .map_err(fail)?
        .execute(params![Attr::Pending as i64, max_time, id])
        .map_err(fail)?;
    Ok(removed > 0)
}

/// The first pending block's id, and the pending records with their positions.
type Taken = (Option<i64>, Vec<(i64, AuditRecord)>);

/// Removes every pending block; returns the first one's id and their records in position
/// order.
pub(super) fn take(tx: &Connection) -> Result<Taken, StoreError> {
    let mut blocks = list(tx, i64::MIN)?;
    blocks.sort_unstable();
    let mut records = Vec::new();
    let mut read = tx
        .prepare_cached("SELECT records FROM audit_blocks WHERE id = ?1")
        .map_err(fail)?;
    let mut delete = tx
        .prepare_cached("DELETE FROM audit_blocks WHERE id = ?1")
        .map_err(fail)?;
    for (id, _) in &blocks {
        let bytes: Vec<u8> = read.query_row([id], |row| row.get(0)).map_err(fail)?;
        records.extend(decode(&bytes)?);
        delete.execute([id]).map_err(fail)?;
    }
    tx.prepare_cached("DELETE FROM audit_block_keys WHERE attr = ?1")
        .map_err(fail)?
        .execute([Attr::Pending as i64])
        .map_err(fail)?;
    records.sort_by_key(|(position, _)| *position);
    Ok((blocks.first().map(|(id, _)| *id), records))
}
