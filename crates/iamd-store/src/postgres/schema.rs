//! Versioned migrations, applied at start in one transaction under an advisory lock: when
//! several nodes start at once, one migrates and the others wait, then find nothing to do.
//! A database of a newer schema than this binary knows is refused, untouched.

use tokio_postgres::Client;

use super::fail;
use crate::StoreError;

/// The advisory lock key migrations hold ("iamd" in ASCII).
const MIGRATION_LOCK: i64 = 0x6961_6d64;

/// Migration N (1-based) is `MIGRATIONS[N - 1]`. Append only; never edit a released one.
const MIGRATIONS: &[&str] = &["
CREATE TABLE records (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE audit (
    seq          BIGSERIAL PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,
    event_time   BIGINT NOT NULL,
    event_name   TEXT NOT NULL,
    event_source TEXT NOT NULL,
    username     TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX audit_by_name ON audit (event_name, event_time);
-- The change log the nodes follow: every commit that changes records takes the next number
-- from change_head (a row lock, so numbers are gap-free and in commit order) and logs its
-- changes under it; body NULL is a deletion.
CREATE TABLE change_head (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO change_head (id, seq) VALUES (1, 0);
CREATE TABLE change_log (
    seq  BIGINT NOT NULL,
    n    INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (seq, n)
);
"];

/// The schema version this binary writes.
pub(super) const LATEST: i32 = MIGRATIONS.len() as i32;

/// Brings the database to [`LATEST`]; returns the version found before.
pub(super) async fn migrate(client: &mut Client) -> Result<i32, StoreError> {
    let tx = client.transaction().await.map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(fail)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .await
        .map_err(fail)?;
    let found: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
        .await
        .map_err(fail)?
        .get(0);
    if found > LATEST {
        return Err(StoreError(format!(
            "postgres: the database's schema version {found} is newer than this iamd's ({LATEST}): upgrade iamd"
        )));
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(found as usize) {
        tx.batch_execute(sql).await.map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(found)
}
