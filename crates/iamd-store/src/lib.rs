//! Storage for iamd: the [`Store`] trait and its records, the backends (embedded SQLite, the
//! default; PostgreSQL, for several nodes; memory, for tests and throwaway servers), [`open`] to choose one from a URL, and
//! one conformance suite (`conformance`) that every backend passes.

pub mod backup;
pub mod conformance;
pub mod lookup;
mod memory;
pub mod postgres;
mod sqlite;
mod store;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use store::{
    AuditQuery, AuditRecord, Change, ChangeLog, CommitError, LoggedChange, LoggedCommit,
    LookupHint, ParameterMatch, Record, Store, StoreError,
};

/// Opens the store a database URL names: `sqlite:PATH` (also `sqlite://PATH`),
/// `postgres://USER@HOST:PORT/DB` (also `postgresql://`) or `memory:`.
/// `full_sync`: SQLite's `synchronous=FULL` (survives power loss, not only a killed
/// process).
pub fn open(url: &str, full_sync: bool) -> Result<Box<dyn Store>, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = std::path::Path::new(path.trim_start_matches("//"));
        return Ok(Box::new(SqliteStore::open(path, full_sync)?));
    }
    if postgres::is_postgres_url(url) {
        return Ok(Box::new(PostgresStore::open(url)?));
    }
    if url == "memory:" {
        return Ok(Box::new(MemoryStore::default()));
    }
    Err(StoreError(format!(
        "unsupported database URL `{url}`: iamd supports `sqlite:PATH`, `postgres://USER@HOST:PORT/DB` and `memory:`"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_chooses_the_backend_from_the_url() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("a.db").display());
        conformance::run(open(&url, false).unwrap().as_ref());
        conformance::run(open("memory:", false).unwrap().as_ref());
        let err = open("mysql://localhost/iamd", false).err().unwrap();
        assert!(err.0.contains("unsupported database URL"), "{err}");
    }
}
