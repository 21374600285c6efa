//! Audit lookups over blocks: the candidate blocks come from an index (a lookup value's or
//! an event id's prefix's `audit_block_keys`, or the blocks' times), newest
//! `max_time` first; each is read and its records filtered, until no block left can hold a
//! record newer than the page's last. The pending blocks (not keyed yet, a few small ones)
//! are read first.

use rusqlite::types::Value;
use rusqlite::Connection;

use super::blocks::{
    event_id_prefix, parameter_key, pending, read_only_key, Attr, Block, Bodies, Head,
};
use super::fail;
use crate::{AuditQuery, AuditRecord, StoreError};

/// Reads one block.
pub(super) const BLOCK_SQL: &str = "SELECT min_time, records FROM audit_blocks WHERE id = ?1";

/// The SQL listing candidate blocks (`block`, `max_time`) newest first, and its arguments.
pub(super) fn candidates_sql(query: &AuditQuery) -> (String, Vec<Value>) {
    let start = query.start.unwrap_or(i64::MIN);
    let key = |attr: Attr, values: Vec<String>| {
        let mut args: Vec<Value> = vec![(attr as i64).into(), start.into()];
        let mut marks = Vec::new();
        for value in values {
            args.push(value.into());
            marks.push(format!("?{}", args.len()));
        }
        (
            format!(
                "SELECT block, max_time FROM audit_block_keys
                 WHERE attr = ?1 AND value IN ({}) AND max_time >= ?2
                 ORDER BY max_time DESC, block DESC",
                marks.join(", ")
            ),
            args,
        )
    };
    let one = |value: &String| vec![value.clone()];
    if let Some(event_id) = &query.event_id {
        return key(
            Attr::EventIdPrefix,
            vec![event_id_prefix(event_id).to_string()],
        );
    }
    if let Some(name) = &query.event_name {
        return key(Attr::EventName, one(name));
    }
    if let Some(username) = &query.username {
        return key(Attr::Username, one(username));
    }
    if let Some(access_key) = &query.access_key_id {
        return key(Attr::AccessKeyId, one(access_key));
    }
    if let Some(parameter) = &query.parameter {
        return match &parameter.value {
            Some(value) => key(
                Attr::Parameter,
                parameter
                    .names
                    .iter()
                    .map(|name| parameter_key(name, value))
                    .collect(),
            ),
            None => key(Attr::ParameterName, parameter.names.clone()),
        };
    }
    if let Some(source) = &query.event_source {
        return key(Attr::EventSource, one(source));
    }
    if let Some(read_only) = query.read_only {
        return key(Attr::ReadOnly, vec![read_only_key(read_only).to_string()]);
    }
    (
        "SELECT id, max_time FROM audit_blocks WHERE max_time >= ?1
         ORDER BY max_time DESC, id DESC"
            .into(),
        vec![start.into()],
    )
}

/// The newest (event time, position) a record of the page may have.
fn upper_bound(query: &AuditQuery) -> (i64, i64) {
    let end = (query.end.unwrap_or(i64::MAX), i64::MAX);
    match query.before {
        // `before` is exclusive: the record at it was on the previous page.
        Some((time, position)) => end.min((time, position.saturating_sub(1))),
        None => end,
    }
}

/// The records matching `query`, newest first, with their positions.
pub(super) fn page(
    conn: &Connection,
    query: &AuditQuery,
) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
    let (sql, args) = candidates_sql(query);
    let bound = upper_bound(query);
    let mut found: Vec<(i64, AuditRecord)> = Vec::new();
    if query.limit == 0 {
        return Ok(found);
    }
    let mut read = conn.prepare_cached(BLOCK_SQL).map_err(fail)?;
    let mut seen = std::collections::HashSet::new();
    // Reads one candidate block; `true` once no block of `max_time` or older can make the
    // page.
    let mut visit = |block: i64, max_time: i64| -> Result<bool, StoreError> {
        if found.len() >= query.limit {
            if let Some((_, last)) = found.last() {
                if max_time < last.event_time {
                    return Ok(true);
                }
            }
        }
        // A block found by two values (parameter names), or pending, is read once.
        if !seen.insert(block) {
            return Ok(false);
        }
        let (min_time, bytes): (i64, Vec<u8>) = read
            .query_row([block], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(fail)?;
        if min_time > bound.0 {
            return Ok(false);
        }
        // Records older than a full page's last cannot make it.
        let oldest = match found.last() {
            Some((position, last)) if found.len() >= query.limit => (last.event_time, *position),
            _ => (i64::MIN, i64::MIN),
        };
        let block = Block::read(&bytes)?;
        let mut bodies = Bodies::default();
        for (index, head) in block.heads()?.iter().enumerate() {
            let at = (head.event_time, head.position);
            if at <= bound && at > oldest && may_match(query, head) {
                let record = block.record(index, head, &mut bodies)?;
                if query.matches(&record) {
                    found.push((head.position, record));
                }
            }
        }
        found.sort_by_key(|(position, r)| std::cmp::Reverse((r.event_time, *position)));
        found.truncate(query.limit);
        Ok(false)
    };
    for (block, max_time) in pending::list(conn, query.start.unwrap_or(i64::MIN))? {
        visit(block, max_time)?;
    }
    let mut stmt = conn.prepare_cached(&sql).map_err(fail)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(fail)?;
    while let Some(row) = rows.next().map_err(fail)? {
        let (block, max_time): (i64, i64) = (row.get(0).map_err(fail)?, row.get(1).map_err(fail)?);
        if visit(block, max_time)? {
            break;
        }
    }
    Ok(found)
}

/// Whether the record of `head` may match `query`: its lookup fields do (`query.matches`
/// decides, on the record, for the few that do).
fn may_match(query: &AuditQuery, head: &Head<'_>) -> bool {
    let field = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    field(&query.username, head.username)
        && field(&query.event_name, head.event_name)
        && field(&query.event_id, head.event_id)
        && field(&query.event_source, head.event_source)
}
