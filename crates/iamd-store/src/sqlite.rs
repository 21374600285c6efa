//! The embedded default: one SQLite file in WAL mode. A commit is one transaction; with
//! `synchronous=NORMAL` in WAL mode a committed write survives the process being killed
//! (`kill -9`), and `synchronous=FULL` (`IAMD_SQLITE_SYNC=full`) also survives power loss.

use std::path::Path;
use std::sync::Mutex;

use crate::{AuditQuery, AuditRecord, Change, Record, Store, StoreError};
use rusqlite::{params, Connection};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS audit (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL UNIQUE,
    event_time   INTEGER NOT NULL,
    event_name   TEXT NOT NULL,
    event_source TEXT NOT NULL,
    username     TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_name ON audit (event_name, event_time);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (event_time);
CREATE INDEX IF NOT EXISTS audit_by_source ON audit (event_source, event_time);
CREATE INDEX IF NOT EXISTS audit_by_username ON audit (username, event_time);
-- The top-level text request parameters of each event (resource lookups).
CREATE TABLE IF NOT EXISTS audit_parameters (
    seq   INTEGER NOT NULL,
    name  TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (seq, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_parameters_by_name ON audit_parameters (name, value, seq);
CREATE TRIGGER IF NOT EXISTS audit_parameters_delete AFTER DELETE ON audit BEGIN
    DELETE FROM audit_parameters WHERE seq = old.seq;
END;
";

/// Columns added to `audit` after its first release, with their indexes, and how to fill
/// them (and `audit_parameters`) for the records stored before.
const AUDIT_LOOKUP_COLUMNS: &str = "
ALTER TABLE audit ADD COLUMN read_only INTEGER;
ALTER TABLE audit ADD COLUMN access_key_id TEXT;
UPDATE audit SET read_only = json_extract(body, '$.readOnly'),
    access_key_id = json_extract(body, '$.userIdentity.accessKeyId')
    WHERE json_valid(body);
INSERT OR IGNORE INTO audit_parameters (seq, name, value)
    SELECT audit.seq, p.key, p.value FROM audit, json_each(audit.body, '$.requestParameters') p
    WHERE json_valid(audit.body) AND p.type = 'text' AND length(p.value) <= 2048;
";
const AUDIT_LOOKUP_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS audit_by_read_only ON audit (read_only, event_time);
CREATE INDEX IF NOT EXISTS audit_by_access_key ON audit (access_key_id, event_time);
";

/// Creates the schema, adding what a database of an older iamd lacks.
fn create_schema(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA).map_err(fail)?;
    let has_lookup_columns: bool = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('audit') WHERE name = 'read_only'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(fail)?
        > 0;
    if !has_lookup_columns {
        conn.execute_batch(&format!("BEGIN; {AUDIT_LOOKUP_COLUMNS} COMMIT;"))
            .map_err(fail)?;
    }
    conn.execute_batch(AUDIT_LOOKUP_INDEXES).map_err(fail)
}

/// The schema's version, kept in SQLite's `user_version` (0 in databases made before it was
/// kept: version 1's schema; 1 lacks the audit lookup columns that [`create_schema`] adds).
/// A database of a newer version is refused.
pub(crate) const SCHEMA_VERSION: i64 = 2;

pub struct SqliteStore {
    conn: Mutex<Connection>,
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
        create_schema(&conn)?;
        if version < SCHEMA_VERSION {
            conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
                .map_err(fail)?;
        }
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(fail)?;
        create_schema(&conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError("connection lock poisoned".into()))
    }
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare("SELECT kind, key, body FROM records ORDER BY kind, key")
            .map_err(fail)?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Record {
                    kind: row.get(0)?,
                    key: row.get(1)?,
                    body: row.get(2)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(fail)
    }

    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(fail)?;
        {
            // Cached statements: prepared once per connection, not on every commit.
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO records (kind, key, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
                )
                .map_err(fail)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM records WHERE kind = ?1 AND key = ?2")
                .map_err(fail)?;
            let mut insert_audit = tx
                .prepare_cached(
                    "INSERT INTO audit (event_id, event_time, event_name, event_source, username,
                                        body, read_only, access_key_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(fail)?;
            let mut insert_parameter = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO audit_parameters (seq, name, value) VALUES (?1, ?2, ?3)",
                )
                .map_err(fail)?;
            for change in changes {
                match change {
                    Change::Put { kind, key, body } => put.execute(params![kind, key, body]),
                    Change::Delete { kind, key } => delete.execute(params![kind, key]),
                }
                .map_err(fail)?;
            }
            for event in audit {
                let lookup = crate::lookup::LookupFields::of(&event.body);
                let seq = insert_audit
                    .insert(params![
                        event.event_id,
                        event.event_time,
                        event.event_name,
                        event.event_source,
                        event.username,
                        event.body,
                        lookup.read_only,
                        lookup.access_key_id,
                    ])
                    .map_err(fail)?;
                for (name, value) in &lookup.parameters {
                    insert_parameter
                        .execute(params![seq, name, value])
                        .map_err(fail)?;
                }
            }
        }
        tx.commit().map_err(fail)
    }

    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare(
                "SELECT event_id, event_time, event_name, event_source, username, body
                 FROM audit ORDER BY seq DESC LIMIT ?1",
            )
            .map_err(fail)?;
        let rows = stmt
            .query_map([limit as i64], |row| {
                Ok(AuditRecord {
                    event_id: row.get(0)?,
                    event_time: row.get(1)?,
                    event_name: row.get(2)?,
                    event_source: row.get(3)?,
                    username: row.get(4)?,
                    body: row.get(5)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(fail)
    }

    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
        let (sql, args) = page_sql(query);
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&sql).map_err(fail)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |row| {
                Ok((
                    row.get(0)?,
                    AuditRecord {
                        event_id: row.get(1)?,
                        event_time: row.get(2)?,
                        event_name: row.get(3)?,
                        event_source: row.get(4)?,
                        username: row.get(5)?,
                        body: row.get(6)?,
                    },
                ))
            })
            .map_err(fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(fail)
    }

    fn delete_audit_before(&self, time: i64, limit: usize) -> Result<usize, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare_cached(
                "DELETE FROM audit WHERE seq IN
                 (SELECT seq FROM audit WHERE event_time < ?1 ORDER BY event_time LIMIT ?2)",
            )
            .map_err(fail)?;
        stmt.execute(params![time, i64::try_from(limit).unwrap_or(i64::MAX)])
            .map_err(fail)
    }
}

/// The SQL and arguments of an audit lookup: every condition is answered by an index (on the
/// columns, or `audit_parameters`).
fn page_sql(query: &AuditQuery) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from(
        "SELECT seq, event_id, event_time, event_name, event_source, username, body
         FROM audit WHERE 1 = 1",
    );
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut condition = |sql: &mut String, expression: &str, value: rusqlite::types::Value| {
        args.push(value);
        sql.push_str(&format!(" AND {expression} ?{}", args.len()));
    };
    let text = [
        ("event_name =", &query.event_name),
        ("event_source =", &query.event_source),
        ("username =", &query.username),
        ("event_id =", &query.event_id),
        ("access_key_id =", &query.access_key_id),
    ];
    for (expression, value) in text {
        if let Some(value) = value {
            condition(&mut sql, expression, value.clone().into());
        }
    }
    if let Some(read_only) = query.read_only {
        condition(&mut sql, "read_only =", i64::from(read_only).into());
    }
    if let Some(start) = query.start {
        condition(&mut sql, "event_time >=", start.into());
    }
    if let Some(end) = query.end {
        condition(&mut sql, "event_time <=", end.into());
    }
    if let Some((time, seq)) = query.before {
        args.push(time.into());
        args.push(seq.into());
        let (t, s) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND (event_time < ?{t} OR (event_time = ?{t} AND seq < ?{s}))"
        ));
    }
    if let Some(parameter) = &query.parameter {
        let mut names = Vec::new();
        for name in &parameter.names {
            args.push(name.clone().into());
            names.push(format!("?{}", args.len()));
        }
        sql.push_str(&format!(
            " AND seq IN (SELECT seq FROM audit_parameters WHERE name IN ({})",
            names.join(", ")
        ));
        if let Some(value) = &parameter.value {
            args.push(value.clone().into());
            sql.push_str(&format!(" AND value = ?{}", args.len()));
        }
        sql.push(')');
    }
    args.push(i64::try_from(query.limit).unwrap_or(i64::MAX).into());
    sql.push_str(&format!(
        " ORDER BY event_time DESC, seq DESC LIMIT ?{}",
        args.len()
    ));
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_use_indexes() {
        let store = SqliteStore::in_memory().unwrap();
        let queries = [
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
                username: Some("bob".into()),
                ..Default::default()
            },
            AuditQuery {
                parameter: Some(crate::ParameterMatch {
                    names: vec!["userName".into()],
                    value: Some("bob".into()),
                }),
                ..Default::default()
            },
        ];
        let conn = store.conn().unwrap();
        for query in queries {
            let (sql, args) = page_sql(&AuditQuery { limit: 5, ..query });
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

    #[test]
    fn a_database_of_an_older_iamd_gets_the_lookup_columns_filled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamd.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE, event_time INTEGER NOT NULL,
                    event_name TEXT NOT NULL, event_source TEXT NOT NULL,
                    username TEXT NOT NULL, body TEXT NOT NULL);
                 INSERT INTO audit (event_id, event_time, event_name, event_source, username, body)
                 VALUES ('old', 5, 'GetUser', 'iam.amazonaws.com', 'root',
                    '{\"readOnly\":true,\"userIdentity\":{\"accessKeyId\":\"AKIA1\"},\"requestParameters\":{\"userName\":\"bob\"}}');",
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path, false).unwrap();
        let found = |query: AuditQuery| {
            let page = store.audit_page(&AuditQuery { limit: 5, ..query }).unwrap();
            page.into_iter()
                .map(|(_, r)| r.event_id)
                .collect::<Vec<_>>()
        };
        let read_only = AuditQuery {
            read_only: Some(true),
            ..Default::default()
        };
        assert_eq!(found(read_only), ["old"]);
        let key = AuditQuery {
            access_key_id: Some("AKIA1".into()),
            ..Default::default()
        };
        assert_eq!(found(key), ["old"]);
        let bob = AuditQuery {
            parameter: Some(crate::ParameterMatch {
                names: vec!["userName".into()],
                value: Some("bob".into()),
            }),
            ..Default::default()
        };
        assert_eq!(found(bob), ["old"]);
        drop(store);
        // Opening again changes nothing.
        let store = SqliteStore::open(&path, false).unwrap();
        assert_eq!(store.audit_events(10).unwrap().len(), 1);
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
    }
}
