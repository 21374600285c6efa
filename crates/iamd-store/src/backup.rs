//! Backups of the SQLite database: taken online (SQLite's `VACUUM INTO`, one read
//! transaction: a consistent copy while the server writes, without stopping it), checked
//! before they are restored (an SQLite file, whole, not corrupt, of this iamd's schema
//! version or an older one it migrates), restored into a database that does not exist yet.
//! The sealing key is not in the database, so never in a backup.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::sqlite::SCHEMA_VERSION;
use crate::StoreError;

/// The oldest schema a backup may have: iamd moves such a database to its own schema when it
/// opens it (as it does an older data directory's). Older ones kept records another way.
const OLDEST_RESTORABLE_SCHEMA: i64 = 4;

/// What a backup file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub schema_version: i64,
    /// Stored entities (users, keys, policies, ...).
    pub records: i64,
    pub audit_events: i64,
    pub bytes: u64,
}

/// SQLite's file header: the magic string, then (big-endian) the page size at 16, the page
/// count at 28 and the user version (iamd's schema version) at 60.
const HEADER_LEN: usize = 100;
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn fail(what: &str, path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("{what} {}: {e}", path.display()))
}

/// Copies the database at `database` into `out` (created, mode 0600; it must not exist) while
/// other connections may be writing, and checks the copy.
pub fn backup(database: &Path, out: &Path) -> Result<BackupInfo, StoreError> {
    if !database.is_file() {
        return Err(StoreError(format!(
            "no database at {} (is the data directory right?)",
            database.display()
        )));
    }
    // VACUUM INTO writes into an empty file: created here, private, and never over another.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| fail("cannot create", out, e))?;
    let copied = copy_into(database, out).and_then(|()| verify(out));
    if copied.is_err() {
        let _ = std::fs::remove_file(out);
    }
    copied
}

fn copy_into(database: &Path, out: &Path) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| fail("cannot open", database, e))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(|e| fail("cannot open", database, e))?;
    let target = out
        .to_str()
        .ok_or_else(|| StoreError(format!("{}: not a UTF-8 path", out.display())))?;
    conn.execute("VACUUM INTO ?1", [target])
        .map_err(|e| fail("cannot back up", database, e))?;
    Ok(())
}

/// Checks a backup file: SQLite's header, its full length, SQLite's integrity check, the
/// schema version and iamd's tables.
pub fn verify(file: &Path) -> Result<BackupInfo, StoreError> {
    let not_backup = |why: String| {
        StoreError(format!(
            "{} is not a usable iamd backup: {why}",
            file.display()
        ))
    };
    let mut header = [0u8; HEADER_LEN];
    let bytes = std::fs::metadata(file)
        .map_err(|e| fail("cannot read", file, e))?
        .len();
    std::fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|_| not_backup("too short for an SQLite database".into()))?;
    if &header[..16] != MAGIC {
        return Err(not_backup("not an SQLite database".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    if bytes < page_size * pages {
        return Err(not_backup(format!(
            "truncated ({bytes} bytes of {})",
            page_size * pages
        )));
    }
    let version = i64::from(i32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ]));
    if !(OLDEST_RESTORABLE_SCHEMA..=SCHEMA_VERSION).contains(&version) {
        return Err(not_backup(format!(
            "schema version {version}; this iamd restores versions \
             {OLDEST_RESTORABLE_SCHEMA} to {SCHEMA_VERSION}"
        )));
    }
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not_backup(e.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|e| not_backup(e.to_string()))?;
    if check != "ok" {
        return Err(not_backup(format!("corrupt ({check})")));
    }
    let count = |table: &str| -> Result<i64, StoreError> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .map_err(|e| not_backup(e.to_string()))
    };
    Ok(BackupInfo {
        schema_version: version,
        records: count("records")?,
        audit_events: crate::sqlite::audit_record_count(&conn).map_err(|e| not_backup(e.0))?,
        bytes,
    })
}

/// Checks `file` and copies it to `database`, which must not exist (written under a
/// temporary name, mode 0600, then renamed: a failed restore leaves no database).
pub fn restore(file: &Path, database: &Path) -> Result<BackupInfo, StoreError> {
    let info = verify(file)?;
    if database.exists() {
        return Err(StoreError(format!(
            "{} exists; restore only into a new data directory",
            database.display()
        )));
    }
    let mut partial = database.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = std::path::PathBuf::from(partial);
    let copied = (|| -> std::io::Result<()> {
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)?;
        std::io::copy(&mut std::fs::File::open(file)?, &mut to)?;
        to.sync_all()?;
        std::fs::rename(&partial, database)
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(fail("cannot restore into", database, e));
    }
    Ok(info)
}

#[cfg(test)]
mod tests;
