//! Audit records stored in blocks: one row holds the records of one commit or one flush of
//! buffered records (reads, failed calls), with one index entry per distinct lookup value of
//! the block (`audit_block_keys`), event ids included by their first [`EVENT_ID_PREFIX`]
//! characters: iamd's event ids begin with their time (see `iamd_core::crypto::event_id`),
//! so the ids of a block of 2,048 reads share a few prefixes. Writing such a block costs a few
//! index entries instead of eight per record (schema 2) or one per record (schema 3); a lookup
//! reads the blocks its index entries name (see `page`). Event ids stay unique: a block is
//! refused when a block holding one of its prefixes holds one of its ids (known in memory for
//! recent prefixes, see `recent`). A small block is keyed later, merged with others (see
//! `pending`).

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::fail;
use crate::lookup::LookupFields;

mod delta;
mod format;
pub(super) mod pending;
mod recent;
use crate::{AuditRecord, StoreError};
use format::encode;
pub(super) use format::{Block, Bodies, Head};
pub(super) use recent::Recent;

/// The block tables (schema version 4; version 5 compresses the records, see `format`).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_blocks (
    id       INTEGER PRIMARY KEY, -- the position of the block's first record
    span     INTEGER NOT NULL,    -- positions id .. id + span - 1 belong to this block
    min_time INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    records  BLOB NOT NULL        -- see `format`
);
CREATE INDEX IF NOT EXISTS audit_blocks_by_max_time ON audit_blocks (max_time);
CREATE INDEX IF NOT EXISTS audit_blocks_by_min_time ON audit_blocks (min_time);
CREATE TABLE IF NOT EXISTS audit_block_keys (
    attr     INTEGER NOT NULL, -- `Attr`
    value    TEXT NOT NULL,
    max_time INTEGER NOT NULL, -- the block's
    block    INTEGER NOT NULL,
    PRIMARY KEY (attr, value, max_time, block)
) WITHOUT ROWID;
";

/// How many leading characters of an event id its block key holds: 40 bits of a
/// time-ordered id's milliseconds (256 ms: a lookup by event id reads the few blocks written
/// in the same 256 ms; at 30,000 reads/s, a block of 2,048 usually has one prefix), or 40
/// random bits of another UUID.
const EVENT_ID_PREFIX: usize = 11;

/// The block key of an event id.
pub(super) fn event_id_prefix(event_id: &str) -> &str {
    event_id.get(..EVENT_ID_PREFIX).unwrap_or(event_id)
}

/// What a block key indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Attr {
    EventName = 0,
    EventSource = 1,
    Username = 2,
    ReadOnly = 3,
    AccessKeyId = 4,
    /// A top-level text request parameter's name.
    ParameterName = 5,
    /// `name` NUL `value` of a top-level text request parameter.
    Parameter = 6,
    /// An event id's [`event_id_prefix`].
    EventIdPrefix = 7,
    /// A block not keyed yet (value ""; see `pending`).
    Pending = 8,
}

/// The key value of a request parameter with its value.
pub(super) fn parameter_key(name: &str, value: &str) -> String {
    let mut key = String::new();
    write_parameter_key(&mut key, name, value);
    key
}

/// Sets `key` to [`parameter_key`] of `name` and `value` (reusing its allocation).
fn write_parameter_key(key: &mut String, name: &str, value: &str) {
    key.clear();
    key.push_str(name);
    key.push('\0');
    key.push_str(value);
}

pub(super) fn read_only_key(read_only: bool) -> &'static str {
    if read_only {
        "true"
    } else {
        "false"
    }
}

/// The distinct lookup values of a set of records. Ordered sets: most values repeat from
/// record to record, and a comparison or two costs less than hashing (every read's record
/// goes through here).
#[derive(Default)]
struct Keys {
    seen: [BTreeSet<String>; 8],
    /// The value last added of each attribute (a record's values are mostly the previous
    /// record's: one comparison, not a walk down the set).
    last: [String; 8],
    /// The parameter key being added (one allocation for all records).
    scratch: String,
}

impl Keys {
    fn add(&mut self, attr: Attr, value: &str) {
        let (Some(set), Some(last)) = (
            self.seen.get_mut(attr as usize),
            self.last.get_mut(attr as usize),
        ) else {
            return;
        };
        if last == value {
            return;
        }
        last.clear();
        last.push_str(value);
        if !set.contains(value) {
            set.insert(value.to_string());
        }
    }

    fn add_record(&mut self, record: &AuditRecord) {
        self.add(Attr::EventName, &record.event_name);
        self.add(Attr::EventSource, &record.event_source);
        self.add(Attr::Username, &record.username);
        self.add(Attr::EventIdPrefix, event_id_prefix(&record.event_id));
        let parsed;
        let fields = match &record.lookup.0 {
            Some(hint) => hint,
            None => {
                parsed = LookupFields::of(&record.body);
                &parsed
            }
        };
        if let Some(read_only) = fields.read_only {
            self.add(Attr::ReadOnly, read_only_key(read_only));
        }
        if let Some(key) = &fields.access_key_id {
            self.add(Attr::AccessKeyId, key);
        }
        let mut key = std::mem::take(&mut self.scratch);
        for (name, value) in &fields.parameters {
            self.add(Attr::ParameterName, name);
            write_parameter_key(&mut key, name, value);
            self.add(Attr::Parameter, &key);
        }
        self.scratch = key;
    }

    fn of<'a>(records: impl Iterator<Item = &'a AuditRecord>) -> BTreeSet<(i64, String)> {
        let mut keys = Keys::default();
        for record in records {
            keys.add_record(record);
        }
        keys.seen
            .into_iter()
            .enumerate()
            .flat_map(|(attr, values)| {
                let attr = i64::try_from(attr).unwrap_or(i64::MAX);
                values.into_iter().map(move |v| (attr, v))
            })
            .collect()
    }
}

/// The records of a stored block (see [`format`]); `Err` for bytes that are not one.
pub(super) fn decode(bytes: &[u8]) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
    Block::read(bytes)?.records()
}

/// The position the next block starts at.
fn next_position(tx: &Connection) -> Result<i64, StoreError> {
    let last: Option<i64> = tx
        .query_row(
            "SELECT id + span FROM audit_blocks ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(fail)?;
    Ok(last.unwrap_or(1))
}

/// Writes `records` as one block (in their order, at the next positions); an event id
/// already stored fails the transaction. `recent` is what the connection knows of the
/// stored blocks (brought up to date here; to be kept only if the transaction commits).
pub(super) fn append(
    tx: &Connection,
    records: &[AuditRecord],
    recent: &mut Recent,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    recent.sync(tx)?;
    let first = match recent.next {
        Some(next) => next,
        None => next_position(tx)?,
    };
    let positioned: Vec<(i64, &AuditRecord)> = (first..).zip(records).collect();
    let span = i64::try_from(records.len()).map_err(|_| StoreError("block too large".into()))?;
    check_unique(tx, &positioned, recent)?;
    let stored = match recent.pending {
        Some(count) => count,
        None => pending::list(tx, i64::MIN)?.len(),
    };
    if stored == 0 {
        recent.pending_keys = Some(BTreeSet::new());
    }
    let keys = Keys::of(records.iter());
    if records.len() < pending::SMALL && stored + 1 < pending::PENDING {
        insert_block(tx, first, span, &positioned, None)?;
        recent.pending = Some(stored + 1);
        if let Some(pending_keys) = &mut recent.pending_keys {
            pending_keys.extend(keys);
        }
    } else {
        // One keyed block of the pending ones and these, from the first pending position.
        let (start, merged) = match stored {
            0 => (None, Vec::new()),
            _ => pending::take(tx)?,
        };
        let mut all: Vec<(i64, &AuditRecord)> = merged.iter().map(|(p, r)| (*p, r)).collect();
        all.extend_from_slice(&positioned);
        // The pending records' keys as they were written, else read from their bodies.
        let keys = match recent.pending_keys.take() {
            Some(mut pending_keys) => {
                pending_keys.extend(keys);
                pending_keys
            }
            None => Keys::of(all.iter().map(|(_, r)| *r)),
        };
        let id = start.unwrap_or(first);
        insert_block(tx, id, first + span - id, &all, Some(keys))?;
        recent.pending = Some(0);
        recent.pending_keys = Some(BTreeSet::new());
    }
    recent.next = Some(first + span);
    Ok(())
}

/// Writes the block `id` of `span` positions holding `records` (not empty), keyed or
/// pending.
fn write_block(
    tx: &Connection,
    id: i64,
    span: i64,
    records: &[(i64, &AuditRecord)],
    keyed: bool,
) -> Result<(), StoreError> {
    check_unique(tx, records, &mut Recent::default())?;
    let keys = keyed.then(|| Keys::of(records.iter().map(|(_, r)| *r)));
    insert_block(tx, id, span, records, keys)
}

/// Inserts the block `id` of `span` positions holding `records` (not empty), with `keys`
/// (those of its records), or pending without them, and does not check its event ids.
fn insert_block(
    tx: &Connection,
    id: i64,
    span: i64,
    records: &[(i64, &AuditRecord)],
    keys: Option<BTreeSet<(i64, String)>>,
) -> Result<(), StoreError> {
    let min_time = records.iter().map(|(_, r)| r.event_time).min().unwrap_or(0);
    let max_time = records.iter().map(|(_, r)| r.event_time).max().unwrap_or(0);
    let count = i64::try_from(records.len()).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT INTO audit_blocks (id, span, min_time, max_time, count, records)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(fail)?
    .execute(params![
        id,
        span,
        min_time,
        max_time,
        count,
        encode(records)
    ])
    .map_err(fail)?;
    let Some(keys) = keys else {
        return pending::key(tx, id, max_time);
    };
    let mut insert_key = tx
        .prepare_cached(
            "INSERT INTO audit_block_keys (attr, value, max_time, block) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(fail)?;
    for (attr, value) in keys {
        insert_key
            .execute(params![attr, value, max_time, id])
            .map_err(fail)?;
    }
    Ok(())
}

/// Fails when an event id of `records` is twice among them or already stored (in a block
/// keyed by its prefix); adds them to `recent`'s ids of their prefixes.
fn check_unique(
    tx: &Connection,
    records: &[(i64, &AuditRecord)],
    recent: &mut Recent,
) -> Result<(), StoreError> {
    for (_, record) in records {
        let id = record.event_id.as_str();
        let prefix = event_id_prefix(id);
        if recent.ids(prefix).is_none() {
            recent.remember(prefix, stored_ids(tx, prefix)?);
        }
        let fresh = match recent.ids(prefix) {
            Some(ids) => ids.insert(id),
            None => false,
        };
        if !fresh {
            return Err(StoreError(format!("audit event id {id} is already stored")));
        }
    }
    Ok(())
}

/// Every event id of `prefix` stored in a block keyed by it or pending.
fn stored_ids(tx: &Connection, prefix: &str) -> Result<recent::Ids, StoreError> {
    let mut blocks: Vec<i64> = tx
        .prepare_cached("SELECT block FROM audit_block_keys WHERE attr = ?1 AND value = ?2")
        .map_err(fail)?
        .query_map(params![Attr::EventIdPrefix as i64, prefix], |row| {
            row.get(0)
        })
        .map_err(fail)?
        .collect::<Result<_, _>>()
        .map_err(fail)?;
    blocks.extend(pending::list(tx, i64::MIN)?.into_iter().map(|(id, _)| id));
    let mut read = tx
        .prepare_cached("SELECT records FROM audit_blocks WHERE id = ?1")
        .map_err(fail)?;
    let mut ids = recent::Ids::default();
    for block in blocks {
        let bytes: Vec<u8> = read.query_row([block], |row| row.get(0)).map_err(fail)?;
        for stored in Block::read(&bytes)?.heads()? {
            if event_id_prefix(stored.event_id) == prefix {
                ids.insert(stored.event_id);
            }
        }
    }
    Ok(ids)
}

/// A removed block: its span, its records, whether it was pending.
type Removed = (i64, Vec<(i64, AuditRecord)>, bool);

/// Removes the block `id` (its row and keys).
fn remove_block(tx: &Connection, id: i64) -> Result<Removed, StoreError> {
    let (span, max_time, bytes): (i64, i64, Vec<u8>) = tx
        .prepare_cached("SELECT span, max_time, records FROM audit_blocks WHERE id = ?1")
        .map_err(fail)?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .map_err(fail)?;
    let records = decode(&bytes)?;
    let was_pending = pending::unkey(tx, id, max_time)?;
    let mut delete_key = tx
        .prepare_cached(
            "DELETE FROM audit_block_keys WHERE attr = ?1 AND value = ?2 AND max_time = ?3
             AND block = ?4",
        )
        .map_err(fail)?;
    let keys = match was_pending {
        true => BTreeSet::new(),
        false => Keys::of(records.iter().map(|(_, r)| r)),
    };
    for (attr, value) in keys {
        delete_key
            .execute(params![attr, value, max_time, id])
            .map_err(fail)?;
    }
    tx.prepare_cached("DELETE FROM audit_blocks WHERE id = ?1")
        .map_err(fail)?
        .execute([id])
        .map_err(fail)?;
    Ok((span, records, was_pending))
}

/// Deletes at most `limit` of the oldest records older than `time`, block by block (a block
/// with newer records too is written again without them); how many it deleted.
pub(super) fn delete_before(tx: &Connection, time: i64, limit: usize) -> Result<usize, StoreError> {
    let mut deleted = 0;
    while deleted < limit {
        let oldest: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM audit_blocks WHERE min_time < ?1 ORDER BY min_time, id LIMIT 1",
            )
            .map_err(fail)?
            .query_row([time], |row| row.get(0))
            .optional()
            .map_err(fail)?;
        let Some(id) = oldest else { break };
        let (span, mut records, was_pending) = remove_block(tx, id)?;
        // Oldest first; the block keeps what is not deleted now.
        records.sort_by_key(|(position, r)| (r.event_time, *position));
        let old = records
            .iter()
            .take_while(|(_, r)| r.event_time < time)
            .count()
            .min(limit - deleted);
        deleted += old;
        let kept: Vec<(i64, &AuditRecord)> = records[old..]
            .iter()
            .map(|(position, r)| (*position, r))
            .collect();
        if !kept.is_empty() {
            let mut kept = kept;
            kept.sort_by_key(|(position, _)| *position);
            // Rewritten pending when it was: the pending blocks stay the newest.
            write_block(tx, id, span, &kept, !was_pending)?;
        }
    }
    Ok(deleted)
}

/// Moves the records of the `audit` table of schema version 2 (and before) into blocks of
/// `BLOCK` records, keeping their positions, and drops the old tables.
pub(super) fn migrate_audit_table(tx: &Transaction<'_>) -> Result<(), StoreError> {
    const BLOCK: usize = 1024;
    let exists: i64 = tx
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit'",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    if exists == 0 {
        return Ok(());
    }
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, AuditRecord)> = {
            let mut stmt = tx
                .prepare(
                    "SELECT seq, event_id, event_time, event_name, event_source, username, body
                     FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(fail)?;
            let rows = stmt
                .query_map(params![after, BLOCK as i64], |row| {
                    Ok((
                        row.get(0)?,
                        AuditRecord {
                            event_id: row.get(1)?,
                            event_time: row.get(2)?,
                            event_name: row.get(3)?,
                            event_source: row.get(4)?,
                            username: row.get(5)?,
                            body: row.get(6)?,
                            lookup: Default::default(),
                        },
                    ))
                })
                .map_err(fail)?;
            rows.collect::<Result<_, _>>().map_err(fail)?
        };
        let (Some((first, _)), Some((last, _))) = (rows.first(), rows.last()) else {
            break;
        };
        let (first, last) = (*first, *last);
        let positioned: Vec<(i64, &AuditRecord)> = rows.iter().map(|(p, r)| (*p, r)).collect();
        write_block(tx, first, last - first + 1, &positioned, true)?;
        after = last;
    }
    tx.execute_batch(
        "DROP TRIGGER IF EXISTS audit_parameters_delete;
         DROP TABLE IF EXISTS audit_parameters;
         DROP TABLE audit;",
    )
    .map_err(fail)
}

/// Moves schema version 3's event id index (`audit_event_ids`, an entry per record) into
/// block keys of the ids' prefixes, and drops it.
pub(super) fn migrate_event_ids(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let exists: i64 = tx
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_event_ids'",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    if exists == 0 {
        return Ok(());
    }
    let ids: Vec<(String, i64, i64)> = tx
        .prepare(
            "SELECT e.event_id, b.max_time, e.block
             FROM audit_event_ids e JOIN audit_blocks b ON b.id = e.block",
        )
        .map_err(fail)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .map_err(fail)?
        .collect::<Result<_, _>>()
        .map_err(fail)?;
    let mut insert_key = tx
        .prepare(
            "INSERT OR IGNORE INTO audit_block_keys (attr, value, max_time, block)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(fail)?;
    for (event_id, max_time, block) in &ids {
        insert_key
            .execute(params![
                Attr::EventIdPrefix as i64,
                event_id_prefix(event_id),
                max_time,
                block
            ])
            .map_err(fail)?;
    }
    tx.execute_batch("DROP TABLE audit_event_ids;")
        .map_err(fail)
}

/// Every record, newest position first, at most `limit`.
pub(super) fn newest(conn: &Connection, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare_cached("SELECT records FROM audit_blocks ORDER BY id DESC")
        .map_err(fail)?;
    let mut rows = stmt.query([]).map_err(fail)?;
    while out.len() < limit {
        let Some(row) = rows.next().map_err(fail)? else {
            break;
        };
        let bytes: Vec<u8> = row.get(0).map_err(fail)?;
        let mut records = decode(&bytes)?;
        records.sort_by_key(|(position, _)| std::cmp::Reverse(*position));
        out.extend(records.into_iter().map(|(_, r)| r).take(limit - out.len()));
    }
    Ok(out)
}

/// How many records the blocks hold.
pub(super) fn count(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row(
        "SELECT coalesce(sum(count), 0) FROM audit_blocks",
        [],
        |row| row.get(0),
    )
    .map_err(fail)
}

#[cfg(test)]
mod tests;
