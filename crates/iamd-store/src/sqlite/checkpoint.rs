//! WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs in the
//! connection whose commit takes the WAL past 1,000 pages: it copies the pages into the
//! database file and syncs it while holding the store's one connection, so writes, the audit
//! flush and lookups waited behind it (a flush of reads grew to 21,235 records, 0.5 s of
//! reads, 2026-12-08). Here the store's connection checkpoints by itself only past
//! [`FALLBACK_PAGES`] (should this thread fall behind, the WAL stays bounded), and a thread
//! with its own connection runs a passive checkpoint every [`INTERVAL`]: one that copies
//! what no reader still needs, never waits for a writer and never blocks one.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::fail;
use crate::StoreError;

/// How often the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_millis(500);

/// The WAL's size in pages past which the store's connection checkpoints by itself.
pub(super) const FALLBACK_PAGES: u32 = 16_000;

/// Whether to stop, and the condition the thread waits on between checkpoints.
type Stop = Arc<(Mutex<bool>, Condvar)>;

/// The checkpointing thread of one database file; stopped (and joined) when dropped.
pub(super) struct Checkpointer {
    stop: Stop,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the WAL of the database at `path` (in WAL mode already).
    pub fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path).map_err(fail)?;
        let stop: Stop = Arc::default();
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("iamd-checkpoint".into())
            .spawn(move || run(&conn, &stopped))
            .map_err(|e| StoreError(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

/// Checkpoints every [`INTERVAL`] until told to stop.
fn run(conn: &Connection, stop: &Stop) {
    let (lock, wake) = &**stop;
    loop {
        let Ok(stopped) = lock.lock() else { return };
        let Ok((stopped, _)) = wake.wait_timeout_while(stopped, INTERVAL, |stop| !*stop) else {
            return;
        };
        if *stopped {
            return;
        }
        drop(stopped);
        // A failure (the disk full, say) is tried again at the next interval, and the store's
        // connection checkpoints by itself past FALLBACK_PAGES meanwhile (its commits report
        // what fails there).
        let _ = checkpoint(conn);
    }
}

/// One passive checkpoint: the WAL's frames and how many of them are in the database now.
pub(super) fn checkpoint(conn: &Connection) -> Result<(i64, i64), StoreError> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get(1)?, row.get(2)?))
    })
    .map_err(fail)
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, wake) = &*self.stop;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
        }
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wal_connection(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint={FALLBACK_PAGES};
             CREATE TABLE t (x BLOB);"
        ))
        .unwrap();
        conn
    }

    #[test]
    fn the_thread_copies_the_wal_into_the_database_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let writer = wal_connection(&path);
        for _ in 0..200 {
            writer
                .execute("INSERT INTO t VALUES (zeroblob(4000))", [])
                .unwrap();
        }
        // The writer did not checkpoint: the rows are in the WAL only.
        let size = || std::fs::metadata(&path).unwrap().len();
        assert!(size() < 100_000, "{}", size());
        let checkpointer = Checkpointer::start(&path).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while size() < 800_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(size() >= 800_000, "{}", size());
        drop(checkpointer);
        // Everything is in the database: a passive checkpoint has nothing left to copy.
        let (frames, copied) = checkpoint(&writer).unwrap();
        assert_eq!(frames, copied);
    }
}
