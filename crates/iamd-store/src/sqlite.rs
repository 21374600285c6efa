//! The embedded default: one SQLite file in WAL mode. A commit is one transaction; with
//! `synchronous=NORMAL` in WAL mode a committed write survives the process being killed
//! (`kill -9`), and `synchronous=FULL` (`IAMD_SQLITE_SYNC=full`) also survives power loss.

use std::path::Path;
use std::sync::Mutex;

use crate::{AuditQuery, AuditRecord, Change, Record, Store, StoreError};
use rusqlite::{params, Connection};

mod blocks;
mod checkpoint;
mod page;

/// The entities, and the audit records in blocks (see [`blocks`]). `WITHOUT ROWID`: the rows
/// are kept in the primary key's B-tree, so a write dirties one B-tree, not a table and its
/// key index (each dirtied page is a WAL frame at commit).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
";

/// Rebuilds a `records` table an older iamd made with a rowid as `WITHOUT ROWID` (same
/// columns and rows; no version change: older iamds read and write either).
fn migrate_records_without_rowid(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let sql: String = tx
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'records'",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    if sql.to_ascii_uppercase().contains("WITHOUT ROWID") {
        return Ok(());
    }
    tx.execute_batch(
        "ALTER TABLE records RENAME TO records_with_rowid;
         CREATE TABLE records (
             kind TEXT NOT NULL,
             key  TEXT NOT NULL,
             body TEXT NOT NULL,
             PRIMARY KEY (kind, key)
         ) WITHOUT ROWID;
         INSERT INTO records (kind, key, body)
             SELECT kind, key, body FROM records_with_rowid ORDER BY kind, key;
         DROP TABLE records_with_rowid;",
    )
    .map_err(fail)
}

/// Creates the schema; a database of an older iamd gets its audit records moved into blocks
/// (in one transaction with the new version number).
fn create_schema(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction().map_err(fail)?;
    tx.execute_batch(SCHEMA).map_err(fail)?;
    migrate_records_without_rowid(&tx)?;
    tx.execute_batch(blocks::SCHEMA).map_err(fail)?;
    blocks::migrate_audit_table(&tx)?;
    blocks::migrate_event_ids(&tx)?;
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The schema's version, kept in SQLite's `user_version` (0 in databases made before it was
/// kept: version 1's schema; 1 lacks the audit lookup columns; 2 keeps one `audit` row per
/// record with eight index entries; 3 keeps records in blocks, with an index entry per event
/// id; 4 keys blocks by their event ids' prefixes instead; 5 compresses new blocks, and reads
/// version 4's as they are; 6 writes new blocks' records as differences, stores small blocks
/// plain and keys them later (see `blocks::pending`), none of which an older iamd would read,
/// and reads the blocks of 4 and 5). A database of a newer version is refused.
pub(crate) const SCHEMA_VERSION: i64 = 6;

pub struct SqliteStore {
    conn: Mutex<Writer>,
    /// The WAL's checkpoints, off the connection (a database file's; none in memory).
    _checkpointer: Option<checkpoint::Checkpointer>,
}

/// The connection, and what it knows of the stored audit blocks (it is their only writer).
struct Writer {
    conn: Connection,
    recent: blocks::Recent,
}

impl std::ops::Deref for Writer {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

fn fail(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path, full_sync: bool) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path).map_err(fail)?;
        let sync = if full_sync { "FULL" } else { "NORMAL" };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA busy_timeout=5000;"
        ))
        .map_err(fail)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(fail)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError(format!(
                "database schema version {version} is newer than this iamd's ({SCHEMA_VERSION})"
            )));
        }
        let mut conn = conn;
        create_schema(&mut conn)?;
        conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint={};",
            checkpoint::FALLBACK_PAGES
        ))
        .map_err(fail)?;
        let mut store = SqliteStore::new(conn);
        store._checkpointer = Some(checkpoint::Checkpointer::start(path)?);
        Ok(store)
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(fail)?;
        create_schema(&mut conn)?;
        Ok(SqliteStore::new(conn))
    }

    fn new(conn: Connection) -> SqliteStore {
        // Room for the writes' statements beside the lookups' (16 by default: a lookup's
        // could push a write's out, to be parsed again).
        conn.set_prepared_statement_cache_capacity(64);
        SqliteStore {
            conn: Mutex::new(Writer {
                conn,
                recent: blocks::Recent::default(),
            }),
            _checkpointer: None,
        }
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Writer>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError("connection lock poisoned".into()))
    }

    /// Forgets what the writer knows of the blocks (tests that write to the database
    /// directly).
    #[cfg(test)]
    fn forget_recent(&self) {
        self.conn().unwrap().recent = blocks::Recent::default();
    }
}

/// Every stored entity, as [`Store::load`] and [`Store::load_each`] read them.
const LOAD_RECORDS: &str = "SELECT kind, key, body FROM records ORDER BY kind, key";

fn record_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        kind: row.get(0)?,
        key: row.get(1)?,
        body: row.get(2)?,
    })
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(LOAD_RECORDS).map_err(fail)?;
        let rows = stmt.query_map([], record_of).map_err(fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(fail)
    }

    fn load_each(&self, each: &mut dyn FnMut(Record) -> Result<(), String>) -> Result<(), String> {
        let conn = self.conn().map_err(|e| e.to_string())?;
        let text = |e: rusqlite::Error| fail(e).to_string();
        let mut stmt = conn.prepare(LOAD_RECORDS).map_err(text)?;
        let mut rows = stmt.query([]).map_err(text)?;
        while let Some(row) = rows.next().map_err(text)? {
            each(record_of(row).map_err(text)?)?;
        }
        Ok(())
    }

    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut writer = self.conn()?;
        let Writer { conn, recent } = &mut *writer;
        // Kept only if the transaction commits.
        let mut known = std::mem::take(recent);
        let tx = WriteTx::begin(conn)?;
        {
            // Cached statements: prepared once per connection, not on every commit.
            let mut put = tx
                .conn
                .prepare_cached(
                    "INSERT INTO records (kind, key, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
                )
                .map_err(fail)?;
            let mut delete = tx
                .conn
                .prepare_cached("DELETE FROM records WHERE kind = ?1 AND key = ?2")
                .map_err(fail)?;
            for change in changes {
                match change {
                    Change::Put { kind, key, body } => put.execute(params![kind, key, body]),
                    Change::Delete { kind, key } => delete.execute(params![kind, key]),
                }
                .map_err(fail)?;
            }
        }
        blocks::append(tx.conn, audit, &mut known)?;
        tx.commit()?;
        *recent = known;
        Ok(())
    }

    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        blocks::newest(&self.conn()?.conn, limit)
    }

    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
        page::page(&self.conn()?.conn, query)
    }

    fn delete_audit_before(&self, time: i64, limit: usize) -> Result<usize, StoreError> {
        let mut writer = self.conn()?;
        let Writer { conn, recent } = &mut *writer;
        // Deleted ids may be stored again; a deleted last block's positions are reused.
        *recent = blocks::Recent::default();
        let tx = WriteTx::begin(conn)?;
        let deleted = blocks::delete_before(tx.conn, time, limit)?;
        tx.commit()?;
        Ok(deleted)
    }
}

/// A transaction begun and committed by cached statements (rusqlite's `Transaction` parses
/// `BEGIN` and `COMMIT` again each time); rolled back when dropped uncommitted.
struct WriteTx<'a> {
    conn: &'a Connection,
    open: bool,
}

impl<'a> WriteTx<'a> {
    fn begin(conn: &'a Connection) -> Result<WriteTx<'a>, StoreError> {
        conn.prepare_cached("BEGIN")
            .map_err(fail)?
            .execute([])
            .map_err(fail)?;
        Ok(WriteTx { conn, open: true })
    }

    fn commit(mut self) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("COMMIT")
            .map_err(fail)?
            .execute([])
            .map_err(fail)?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// How many audit records the database at `conn` holds (backups).
pub(crate) fn audit_record_count(conn: &Connection) -> Result<i64, StoreError> {
    blocks::count(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_use_indexes() {
        let store = SqliteStore::in_memory().unwrap();
        let parameter = |value: Option<&str>| crate::ParameterMatch {
            names: vec!["userName".into(), "newUserName".into()],
            value: value.map(str::to_string),
        };
        let queries = [
            AuditQuery::default(),
            AuditQuery {
                read_only: Some(true),
                ..Default::default()
            },
            AuditQuery {
                access_key_id: Some("AKIA1".into()),
                ..Default::default()
            },
            AuditQuery {
                event_name: Some("GetUser".into()),
                before: Some((5, 9)),
                ..Default::default()
            },
            AuditQuery {
                event_id: Some("e1".into()),
                ..Default::default()
            },
            AuditQuery {
                username: Some("bob".into()),
                start: Some(3),
                ..Default::default()
            },
            AuditQuery {
                event_source: Some("iam.amazonaws.com".into()),
                ..Default::default()
            },
            AuditQuery {
                parameter: Some(parameter(Some("bob"))),
                ..Default::default()
            },
            AuditQuery {
                parameter: Some(parameter(None)),
                ..Default::default()
            },
        ];
        let conn = store.conn().unwrap();
        let int = rusqlite::types::Value::Integer;
        let mut plans = vec![
            (page::BLOCK_SQL.to_string(), vec![int(1)]),
            (blocks::pending::LIST_SQL.to_string(), vec![int(8), int(0)]),
        ];
        plans.extend(queries.iter().map(page::candidates_sql));
        for (sql, args) in plans {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(args), |row| row.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.iter().all(|step| !step.starts_with("SCAN")),
                "{sql}: {plan:?}"
            );
            assert!(
                plan.iter().any(|step| step.starts_with("SEARCH")),
                "{sql}: {plan:?}"
            );
        }
    }

    /// One record of each kind a version 2 database holds, as its `audit` table had them.
    const VERSION_2: &str = "
        CREATE TABLE records (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (kind, key));
        CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE, event_time INTEGER NOT NULL,
            event_name TEXT NOT NULL, event_source TEXT NOT NULL,
            username TEXT NOT NULL, body TEXT NOT NULL, read_only INTEGER, access_key_id TEXT);
        CREATE INDEX audit_by_time ON audit (event_time);
        CREATE TABLE audit_parameters (seq INTEGER NOT NULL, name TEXT NOT NULL,
            value TEXT NOT NULL, PRIMARY KEY (seq, name)) WITHOUT ROWID;
        CREATE TRIGGER audit_parameters_delete AFTER DELETE ON audit BEGIN
            DELETE FROM audit_parameters WHERE seq = old.seq;
        END;
        INSERT INTO records VALUES ('user', 'bob', '{}');
        INSERT INTO audit (seq, event_id, event_time, event_name, event_source, username, body)
        VALUES (7, 'old', 5, 'GetUser', 'iam.amazonaws.com', 'root',
            '{\"readOnly\":true,\"userIdentity\":{\"accessKeyId\":\"AKIA1\"},\"requestParameters\":{\"userName\":\"bob\"}}'),
            (9, 'older', 4, 'CreateUser', 'iam.amazonaws.com', 'root',
            '{\"readOnly\":false,\"requestParameters\":{\"userName\":\"bob\"}}');
        PRAGMA user_version = 2;
    ";

    #[test]
    fn a_version_2_database_keeps_its_records_in_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamd.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(VERSION_2)
            .unwrap();
        let store = SqliteStore::open(&path, false).unwrap();
        let found = |query: AuditQuery| {
            let page = store.audit_page(&AuditQuery { limit: 5, ..query }).unwrap();
            page.into_iter()
                .map(|(position, r)| (position, r.event_id))
                .collect::<Vec<_>>()
        };
        let old = vec![(7, "old".to_string())];
        let read_only = AuditQuery {
            read_only: Some(true),
            ..Default::default()
        };
        assert_eq!(found(read_only), old);
        let key = AuditQuery {
            access_key_id: Some("AKIA1".into()),
            ..Default::default()
        };
        assert_eq!(found(key), old);
        let bob = AuditQuery {
            parameter: Some(crate::ParameterMatch {
                names: vec!["userName".into()],
                value: Some("bob".into()),
            }),
            ..Default::default()
        };
        assert_eq!(found(bob), [(7, "old".into()), (9, "older".into())]);
        assert_eq!(store.load().unwrap().len(), 1);
        assert!(records_without_rowid(&store));
        // New records come after the old positions; a duplicate of an old id is refused.
        store
            .commit(&[], &[crate::conformance::event("new", "GetUser")])
            .unwrap();
        assert!(store
            .commit(&[], &[crate::conformance::event("old", "GetUser")])
            .is_err());
        let all = found(AuditQuery::default());
        assert_eq!(all[0], (10, "new".to_string()));
        drop(store);
        // Opening again changes nothing; the old tables are gone.
        let store = SqliteStore::open(&path, false).unwrap();
        assert_eq!(store.audit_events(10).unwrap().len(), 3);
        let conn = store.conn().unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let old_tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('audit', 'audit_parameters')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(old_tables, 0);
    }

    #[test]
    fn a_version_3_database_keys_its_blocks_by_event_id_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamd.db");
        let ids = [
            "01a24fc0-2068-7abc-8def-0123456789ab",
            "légacy-ünïcode-id",
            "e1",
        ];
        {
            let store = SqliteStore::open(&path, false).unwrap();
            let records: Vec<AuditRecord> = ids
                .iter()
                .map(|id| crate::conformance::event(id, "GetUser"))
                .collect();
            store.commit(&[], &records).unwrap();
            // Back to version 3: an index entry per event id, no prefix keys.
            store
                .conn()
                .unwrap()
                .execute_batch(&format!(
                    "CREATE TABLE audit_event_ids (event_id TEXT PRIMARY KEY,
                         block INTEGER NOT NULL) WITHOUT ROWID;
                     INSERT INTO audit_event_ids VALUES ('{}', 1), ('{}', 1), ('{}', 1);
                     DELETE FROM audit_block_keys WHERE attr = 7;
                     PRAGMA user_version = 3;",
                    ids[0], ids[1], ids[2]
                ))
                .unwrap();
        }
        let store = SqliteStore::open(&path, false).unwrap();
        for id in ids {
            let page = store
                .audit_page(&AuditQuery {
                    event_id: Some(id.into()),
                    limit: 5,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(page.len(), 1, "{id}");
            assert_eq!(page[0].1.event_id, id);
            assert!(store
                .commit(&[], &[crate::conformance::event(id, "GetUser")])
                .is_err());
        }
        let conn = store.conn().unwrap();
        let (version, old): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version),
                        (SELECT count(*) FROM sqlite_master WHERE name = 'audit_event_ids')",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((version, old), (SCHEMA_VERSION, 0));
    }

    #[test]
    fn event_ids_are_unique_within_and_across_blocks() {
        let store = SqliteStore::in_memory().unwrap();
        let event = |id: &str| crate::conformance::event(id, "GetUser");
        let a = "01a24fc0-2068-7abc-8def-0123456789ab";
        let b = "01a24fc0-2068-7abc-8def-0123456789ac";
        store.commit(&[], &[event(a)]).unwrap();
        assert!(store.commit(&[], &[event(b), event(b)]).is_err());
        assert!(store.commit(&[], &[event(b), event(a)]).is_err());
        store.commit(&[], &[event(b)]).unwrap();
        assert_eq!(store.audit_events(10).unwrap().len(), 2);
        // Two blocks share the prefix: a lookup by either id finds only it.
        for id in [a, b] {
            let page = store
                .audit_page(&AuditQuery {
                    event_id: Some(id.into()),
                    limit: 5,
                    ..Default::default()
                })
                .unwrap();
            let found: Vec<_> = page.iter().map(|(_, r)| r.event_id.as_str()).collect();
            assert_eq!(found, [id]);
        }
    }

    #[test]
    fn a_lookup_reads_only_the_blocks_it_needs() {
        let store = SqliteStore::in_memory().unwrap();
        for block in 0..20 {
            let records: Vec<AuditRecord> = (0..10)
                .map(|i| AuditRecord {
                    event_id: format!("e{block}-{i}"),
                    event_time: block * 10 + i,
                    ..crate::conformance::event(
                        "",
                        if block == 3 { "CreateUser" } else { "GetUser" },
                    )
                })
                .collect();
            store.commit(&[], &records).unwrap();
        }
        let page = |query: AuditQuery| {
            store
                .audit_page(&AuditQuery { limit: 4, ..query })
                .unwrap()
                .into_iter()
                .map(|(_, r)| r.event_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            page(AuditQuery::default()),
            ["e19-9", "e19-8", "e19-7", "e19-6"]
        );
        let created = AuditQuery {
            event_name: Some("CreateUser".into()),
            end: Some(35),
            ..Default::default()
        };
        assert_eq!(page(created), ["e3-5", "e3-4", "e3-3", "e3-2"]);
        let first = store
            .audit_page(&AuditQuery {
                limit: 6,
                ..Default::default()
            })
            .unwrap();
        let (position, last) = first.last().unwrap();
        let next = AuditQuery {
            before: Some((last.event_time, *position)),
            ..Default::default()
        };
        assert_eq!(page(next), ["e19-3", "e19-2", "e19-1", "e19-0"]);
        // Retention: a block partly older than the limit keeps its newer records.
        assert_eq!(store.delete_audit_before(15, 100).unwrap(), 15);
        assert_eq!(store.audit_events(usize::MAX).unwrap().len(), 185);
        let window = AuditQuery {
            end: Some(16),
            ..Default::default()
        };
        assert_eq!(page(window), ["e1-6", "e1-5"]);
    }

    #[test]
    fn in_memory_conforms() {
        crate::conformance::run(&SqliteStore::in_memory().unwrap());
    }

    #[test]
    fn file_conforms_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamd.db");
        {
            let store = SqliteStore::open(&path, false).unwrap();
            crate::conformance::run(&store);
        }
        let reopened = SqliteStore::open(&path, true).unwrap();
        let records = reopened.load().unwrap();
        assert_eq!(
            records.len(),
            1,
            "what the suite left behind is still there"
        );
        assert_eq!(reopened.audit_events(10).unwrap().len(), 5);
        assert_eq!(audit_record_count(&reopened.conn().unwrap()).unwrap(), 5);
    }

    fn records_without_rowid(store: &SqliteStore) -> bool {
        let conn = store.conn().unwrap();
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'records'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        sql.contains("WITHOUT ROWID")
    }

    #[test]
    fn records_of_a_rowid_table_are_kept_in_a_without_rowid_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamd.db");
        let store = SqliteStore::open(&path, false).unwrap();
        assert!(records_without_rowid(&store));
        drop(store);
        // As an older iamd made it, with entities and the current audit tables.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE records;
             CREATE TABLE records (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
                 PRIMARY KEY (kind, key));
             INSERT INTO records VALUES ('user', 'bob', '{\"n\":1}'), ('group', 'g', '{}');",
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path, false).unwrap();
        assert!(records_without_rowid(&store));
        let keys: Vec<_> = store
            .load()
            .unwrap()
            .into_iter()
            .map(|r| (r.kind, r.key, r.body))
            .collect();
        assert_eq!(
            keys,
            [
                ("group".into(), "g".into(), "{}".into()),
                ("user".into(), "bob".into(), "{\"n\":1}".into())
            ]
        );
        // Writes replace and delete as before.
        let put = Change::Put {
            kind: "user",
            key: "bob".into(),
            body: "{}".into(),
        };
        let delete = Change::Delete {
            kind: "group",
            key: "g".into(),
        };
        store.commit(&[put, delete], &[]).unwrap();
        drop(store);
        let store = SqliteStore::open(&path, false).unwrap();
        let all = store.load().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].key.as_str(), all[0].body.as_str()), ("bob", "{}"));
    }
}
