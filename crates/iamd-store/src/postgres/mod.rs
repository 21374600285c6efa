//! PostgreSQL: `postgres://USER[:PASSWORD]@HOST:PORT/DB`, for several iamd nodes on one
//! database. Migrations run at open (see `schema`); calls run on the store's own runtime
//! (`runtime`) over a small pool (`pool`). A commit (`commit`) is one transaction that also
//! appends its changes to the change log the nodes follow (`follow`).
//!
//! TLS as the URL asks, libpq's way (`sslmode`, `sslrootcert`; see `tls`).

mod commit;
mod follow;
mod pool;
mod runtime;
mod schema;
pub mod test_database;
mod tls;

use std::str::FromStr;
use std::sync::Arc;

use tokio_postgres::types::ToSql;
use tokio_postgres::Config;

use crate::{AuditQuery, AuditRecord, Change, ChangeLog, Record, Store, StoreError};
use pool::Pool;
use runtime::Runtime;

pub struct PostgresStore {
    runtime: Runtime,
    pool: Arc<Pool>,
    /// Set by the database's notifications of other commits (see `follow`).
    wake: Arc<follow::Wake>,
}

pub(crate) fn fail(e: tokio_postgres::Error) -> StoreError {
    StoreError(format!("postgres: {}", pool::error_text(&e)))
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The connection configuration of `url` and its TLS connector.
pub(crate) fn parse_url(
    url: &str,
) -> Result<(Config, tokio_postgres_rustls::MakeRustlsConnect), StoreError> {
    let (url, tls) = tls::split_url(url)?;
    let config = Config::from_str(&url).map_err(|e| {
        StoreError(format!(
            "invalid PostgreSQL URL (expected postgres://USER@HOST:PORT/DB): {e}"
        ))
    })?;
    Ok((config, tls::connector(&tls)?))
}

impl PostgresStore {
    /// Connects, refusing what it cannot honour, and applies the migrations.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let (config, tls) = parse_url(url)?;
        let runtime = Runtime::start()?;
        let pool = Pool::new(config, tls);
        let migrating = pool.clone();
        runtime.run(async move {
            let mut client = migrating.connect().await?;
            schema::migrate(&mut client).await
        })?;
        let wake = Arc::new(follow::Wake::default());
        runtime.spawn(follow::listen(pool.clone(), wake.clone()));
        Ok(PostgresStore {
            runtime,
            pool,
            wake,
        })
    }
}

impl PostgresStore {
    /// Runs one statement on a pooled connection; answers its rows.
    fn query(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let pool = self.pool.clone();
        let sql = sql.to_string();
        self.runtime.run(async move {
            let mut lease = pool.get().await?;
            let params: Vec<&(dyn ToSql + Sync)> = args
                .iter()
                .map(|a| a.as_ref() as &(dyn ToSql + Sync))
                .collect();
            let rows = lease
                .conn()?
                .client
                .query(&sql, &params)
                .await
                .map_err(fail)?;
            lease.release();
            Ok(rows)
        })
    }
}

/// A query argument, owned (it travels to the store's runtime).
type Arg = Box<dyn ToSql + Sync + Send>;

fn audit_record(row: &tokio_postgres::Row, first: usize) -> AuditRecord {
    AuditRecord {
        event_id: row.get(first),
        event_time: row.get(first + 1),
        event_name: row.get(first + 2),
        event_source: row.get(first + 3),
        username: row.get(first + 4),
        body: row.get(first + 5),
        lookup: Default::default(),
    }
}

impl Store for PostgresStore {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        let rows = self.query(
            "SELECT kind, key, body FROM records ORDER BY kind, key",
            Vec::new(),
        )?;
        Ok(rows
            .iter()
            .map(|row| Record {
                kind: row.get(0),
                key: row.get(1),
                body: row.get(2),
            })
            .collect())
    }

    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        let (changes, audit) = (changes.to_vec(), audit.to_vec());
        self.runtime
            .run(async move { commit::commit(&pool, None, &changes, &audit).await })
            .map(|_| ())
    }

    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_page(&AuditQuery {
            limit,
            ..Default::default()
        })
        .map(|page| page.into_iter().map(|(_, record)| record).collect())
    }

    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
        let (sql, args) = page_sql(query);
        let rows = self.query(&sql, args)?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), audit_record(row, 1)))
            .collect())
    }

    fn delete_audit_before(&self, time: i64, limit: usize) -> Result<usize, StoreError> {
        let pool = self.pool.clone();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.runtime.run(async move {
            let mut lease = pool.get().await?;
            let deleted = lease
                .conn()?
                .client
                .execute(
                    "DELETE FROM audit WHERE seq IN
                     (SELECT seq FROM audit WHERE event_time < $1 ORDER BY event_time, seq LIMIT $2)",
                    &[&time, &limit],
                )
                .await
                .map_err(fail)?;
            lease.release();
            Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
        })
    }

    fn change_log(&self) -> Option<&dyn ChangeLog> {
        Some(self)
    }
}

/// The SQL and arguments of an audit lookup (as SQLite's: newest first by event time, then
/// position). `readOnly`, the access key and the request parameters are read from the
/// record's JSON.
fn page_sql(query: &AuditQuery) -> (String, Vec<Arg>) {
    let mut sql = String::from(
        "SELECT seq, event_id, event_time, event_name, event_source, username, body
         FROM audit WHERE TRUE",
    );
    let mut args: Vec<Arg> = Vec::new();
    let text = [
        ("event_name", &query.event_name),
        ("event_source", &query.event_source),
        ("username", &query.username),
        ("event_id", &query.event_id),
        (
            "body::jsonb -> 'userIdentity' ->> 'accessKeyId'",
            &query.access_key_id,
        ),
    ];
    for (column, value) in text {
        if let Some(value) = value {
            args.push(Box::new(value.clone()));
            sql.push_str(&format!(" AND {column} = ${}", args.len()));
        }
    }
    if let Some(read_only) = query.read_only {
        args.push(Box::new(read_only));
        sql.push_str(&format!(
            " AND (body::jsonb ->> 'readOnly')::boolean = ${}",
            args.len()
        ));
    }
    for (condition, value) in [("event_time >=", query.start), ("event_time <=", query.end)] {
        if let Some(value) = value {
            args.push(Box::new(value));
            sql.push_str(&format!(" AND {condition} ${}", args.len()));
        }
    }
    if let Some((time, seq)) = query.before {
        args.push(Box::new(time));
        args.push(Box::new(seq));
        let (t, s) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND (event_time < ${t} OR (event_time = ${t} AND seq < ${s}))"
        ));
    }
    if let Some(parameter) = &query.parameter {
        args.push(Box::new(parameter.names.clone()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM jsonb_each(CASE
                 WHEN jsonb_typeof(body::jsonb -> 'requestParameters') = 'object'
                 THEN body::jsonb -> 'requestParameters' ELSE '{{}}'::jsonb END) p
               WHERE jsonb_typeof(p.value) = 'string' AND p.key = ANY(${})",
            args.len()
        ));
        if let Some(value) = &parameter.value {
            args.push(Box::new(value.clone()));
            sql.push_str(&format!(" AND p.value #>> '{{}}' = ${}", args.len()));
        }
        sql.push(')');
    }
    args.push(Box::new(i64::try_from(query.limit).unwrap_or(i64::MAX)));
    sql.push_str(&format!(
        " ORDER BY event_time DESC, seq DESC LIMIT ${}",
        args.len()
    ));
    (sql, args)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tls_tests;
