//! What the writing connection knows of the stored blocks without reading them back: where
//! the next block starts, and every event id stored under the few most recent event id
//! prefixes (a prefix is read whole from the database the first time a block holds it; every
//! later block is this connection's). Time-ordered ids share a prefix for 256 ms, so a write
//! checks its id's uniqueness in memory instead of reading the blocks of its prefix back.
//!
//! It also counts the pending blocks, and keeps their keys. It is forgotten when another connection has committed (`PRAGMA data_version`), when a
//! transaction fails (the store keeps it only once its transaction committed), and when
//! records are deleted.

use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use rusqlite::Connection;

use super::super::fail;
use crate::StoreError;

/// How many prefixes are remembered (the least recently used is forgotten first).
const PREFIXES: usize = 4;

/// Event ids, hashed cheaply: they are this server's (time and random bits), not chosen by
/// a client, and every read's id goes through here. Ids of 36 bytes (a UUID's text: all of
/// iamd's) are kept as arrays, without a string of their own; any other id as its text.
#[derive(Debug, PartialEq)]
pub(in crate::sqlite) struct Ids {
    uuids: HashSet<[u8; UUID_TEXT], BuildHasherDefault<IdHasher>>,
    others: HashSet<String, BuildHasherDefault<IdHasher>>,
}

/// The length of a UUID's `8-4-4-4-12` text.
const UUID_TEXT: usize = 36;

/// Room for this many ids of a prefix from the start (at 30,000 reads a second, a prefix's
/// 256 ms hold ~7,700; growing a set rehashes what it holds).
const ROOM: usize = 1024;

impl Default for Ids {
    fn default() -> Ids {
        Ids {
            uuids: HashSet::with_capacity_and_hasher(ROOM, BuildHasherDefault::default()),
            others: HashSet::default(),
        }
    }
}

impl Ids {
    /// Adds `id`; `false` when it was there already.
    pub fn insert(&mut self, id: &str) -> bool {
        match <[u8; UUID_TEXT]>::try_from(id.as_bytes()) {
            Ok(bytes) => self.uuids.insert(bytes),
            Err(_) if self.others.contains(id) => false,
            Err(_) => self.others.insert(id.to_string()),
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.uuids.len() + self.others.len()
    }
}

/// A multiply-and-rotate hash of 8 bytes at a time (as rustc's `FxHasher`).
#[derive(Default)]
pub(in crate::sqlite) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Default)]
pub(in crate::sqlite) struct Recent {
    /// `PRAGMA data_version` when this was last valid; `None`: nothing is known yet.
    data_version: Option<i64>,
    /// The position the next block starts at.
    pub next: Option<i64>,
    /// How many blocks are pending (see `pending`).
    pub pending: Option<usize>,
    /// The keys of the pending blocks' records, when this connection wrote them all.
    pub pending_keys: Option<BTreeSet<(i64, String)>>,
    /// Prefixes with every event id stored under them, most recently used last.
    prefixes: Vec<(String, Ids)>,
}

impl Recent {
    /// Forgets everything when another connection has committed since the last call (in the
    /// transaction `tx`, which sees every commit before it).
    pub fn sync(&mut self, tx: &Connection) -> Result<(), StoreError> {
        let version: i64 = tx
            .prepare_cached("PRAGMA data_version")
            .map_err(fail)?
            .query_row([], |row| row.get(0))
            .map_err(fail)?;
        if self.data_version != Some(version) {
            *self = Recent {
                data_version: Some(version),
                ..Recent::default()
            };
        }
        Ok(())
    }

    /// The event ids stored under `prefix`, when known (it becomes the most recent).
    pub fn ids(&mut self, prefix: &str) -> Option<&mut Ids> {
        // Most often the most recent one: looked at first.
        let index = match self.prefixes.last() {
            Some((p, _)) if p == prefix => self.prefixes.len() - 1,
            _ => self.prefixes.iter().position(|(p, _)| p == prefix)?,
        };
        let last = self.prefixes.len() - 1;
        if index != last {
            let entry = self.prefixes.remove(index);
            self.prefixes.push(entry);
        }
        self.prefixes.last_mut().map(|(_, ids)| ids)
    }

    /// Remembers every event id stored under `prefix`, forgetting the least recent prefix
    /// beyond [`PREFIXES`].
    pub fn remember(&mut self, prefix: &str, ids: Ids) {
        self.prefixes.retain(|(p, _)| p != prefix);
        if self.prefixes.len() >= PREFIXES {
            self.prefixes.remove(0);
        }
        self.prefixes.push((prefix.to_string(), ids));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(of: &[&str]) -> Ids {
        let mut ids = Ids::default();
        for id in of {
            assert!(ids.insert(id));
        }
        ids
    }

    #[test]
    fn an_id_is_new_once_whatever_its_length() {
        let uuid = "0193a5c1-0e4f-7a2b-8c3d-4e5f60718293";
        let mut ids = Ids::default();
        assert!(ids.insert(uuid));
        assert!(!ids.insert(uuid));
        // Another text of the same UUID is another id (ids are compared as text).
        assert!(ids.insert(&uuid.to_uppercase()));
        for other in [
            "",
            "x",
            "0193a5c1-0e4f-7a2b-8c3d-4e5f6071829",
            "0193a5c1-0e4f-7a2b-8c3d-4e5f607182933",
            "0193a5c1-0e4f-7a2b-8c3d-4e5f607182é",
            "0193a5c1-0e4f-7a2b-8c3d-4e5f6071829é",
        ] {
            assert!(ids.insert(other), "{other}");
            assert!(!ids.insert(other), "{other}");
        }
        assert_eq!(ids.len(), 8);
        assert!(ids.insert("0193a5c1-0e4f-7a2b-8c3d-4e5f60718294"));
        assert_eq!(ids.len(), 9);
    }

    #[test]
    fn ids_hash_by_every_byte() {
        use std::hash::BuildHasher;
        let hash = |id: &str| BuildHasherDefault::<IdHasher>::default().hash_one(id);
        let a = "0193a5c1-0000-7000-8000-00000000000a";
        let b = "0193a5c1-0000-7000-8000-00000000000b";
        assert_ne!(hash(a), hash(b));
        assert_ne!(hash("0193a5c1"), hash("0293a5c1"));
        assert_eq!(hash(a), hash(a));
    }

    #[test]
    fn the_least_recent_prefix_is_forgotten() {
        let mut recent = Recent::default();
        for prefix in ["a", "b", "c", "d"] {
            recent.remember(prefix, ids(&[prefix]));
        }
        assert!(recent.ids("a").is_some(), "a is now the most recent");
        recent.remember("e", ids(&["e"]));
        assert!(recent.ids("b").is_none());
        for prefix in ["a", "c", "d", "e"] {
            assert_eq!(recent.ids(prefix), Some(&mut ids(&[prefix])));
        }
        recent.remember("a", ids(&["a", "a2"]));
        assert_eq!(recent.ids("a").map(|ids| ids.len()), Some(2));
    }

    #[test]
    fn another_connections_commit_forgets_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let ours = Connection::open(&path).unwrap();
        let theirs = Connection::open(&path).unwrap();
        ours.execute_batch("CREATE TABLE t (x)").unwrap();
        let mut recent = Recent::default();
        recent.sync(&ours).unwrap();
        recent.next = Some(7);
        recent.remember("a", ids(&["a"]));
        // Our own commits change nothing.
        ours.execute_batch("INSERT INTO t VALUES (1)").unwrap();
        recent.sync(&ours).unwrap();
        assert_eq!(recent.next, Some(7));
        theirs.execute_batch("INSERT INTO t VALUES (2)").unwrap();
        recent.sync(&ours).unwrap();
        assert_eq!(recent.next, None);
        assert!(recent.ids("a").is_none());
    }
}
