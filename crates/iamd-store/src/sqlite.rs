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
";

/// The schema's version, kept in SQLite's `user_version` (0 in databases made before it was
/// kept: the same schema). A database of a newer version is refused.
pub(crate) const SCHEMA_VERSION: i64 = 1;

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
            "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA busy_timeout=5000; {SCHEMA}"
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
        conn.execute_batch(SCHEMA).map_err(fail)?;
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
                    "INSERT INTO audit (event_id, event_time, event_name, event_source, username, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
                insert_audit
                    .execute(params![
                        event.event_id,
                        event.event_time,
                        event.event_name,
                        event.event_source,
                        event.username,
                        event.body
                    ])
                    .map_err(fail)?;
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
        let mut sql = String::from(
            "SELECT seq, event_id, event_time, event_name, event_source, username, body
             FROM audit WHERE 1 = 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut text = |column: &str, value: &Option<String>, sql: &mut String| {
            if let Some(value) = value {
                args.push(value.clone().into());
                sql.push_str(&format!(" AND {column} = ?{}", args.len()));
            }
        };
        text("event_name", &query.event_name, &mut sql);
        text("event_source", &query.event_source, &mut sql);
        text("username", &query.username, &mut sql);
        text("event_id", &query.event_id, &mut sql);
        for (condition, value) in [
            ("event_time >=", query.start),
            ("event_time <=", query.end),
            ("seq <", query.before),
        ] {
            if let Some(value) = value {
                args.push(value.into());
                sql.push_str(&format!(" AND {condition} ?{}", args.len()));
            }
        }
        args.push(i64::try_from(query.limit).unwrap_or(i64::MAX).into());
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT ?{}", args.len()));
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&sql).map_err(fail)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(reopened.audit_events(10).unwrap().len(), 4);
    }
}
