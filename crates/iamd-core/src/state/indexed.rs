//! A map of entities by key with secondary indexes and a count, kept in step by its only
//! mutators (`insert`, `remove`), so that "the devices of user X", "is this name taken"
//! and "how many virtual devices" are answered without walking the whole map (an account
//! of 100,000 users has 50,000 MFA devices and 10,000 policies). Reads go through `Deref`
//! to the ordered map, as before.

use std::ops::Deref;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

/// Which secondary index an entry is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum By {
    /// The owning user's lowercase name.
    Owner,
    /// A lowercase name that must be unique case-insensitively.
    Name,
}

/// What an entity is indexed under.
pub trait Indexed {
    /// The (index, lowercase value) pairs `self`, stored under `key`, is found by.
    fn index_keys(&self, key: &str) -> Vec<(By, String)>;

    /// Whether `self` counts towards [`IndexedMap::counted`].
    fn counted(&self) -> bool {
        false
    }
}

/// An ordered map of entities with the indexes [`Indexed`] names.
#[derive(Debug)]
pub struct IndexedMap<V> {
    map: OrdMap<String, Arc<V>>,
    /// (index, value, key of the entity).
    index: OrdSet<(By, String, String)>,
    counted: usize,
}

// Cloning shares the entries (`Arc`): no `V: Clone` needed.
impl<V> Clone for IndexedMap<V> {
    fn clone(&self) -> Self {
        IndexedMap {
            map: self.map.clone(),
            index: self.index.clone(),
            counted: self.counted,
        }
    }
}

impl<V> Default for IndexedMap<V> {
    fn default() -> Self {
        IndexedMap {
            map: OrdMap::new(),
            index: OrdSet::new(),
            counted: 0,
        }
    }
}

impl<V> Deref for IndexedMap<V> {
    type Target = OrdMap<String, Arc<V>>;

    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<V: Indexed> IndexedMap<V> {
    /// Sets the entity under `key`; the one it replaces.
    pub fn insert(&mut self, key: String, value: Arc<V>) -> Option<Arc<V>> {
        let old = self.remove(&key);
        for (by, found) in value.index_keys(&key) {
            self.index.insert((by, found, key.clone()));
        }
        if value.counted() {
            self.counted += 1;
        }
        self.map.insert(key, value);
        old
    }

    /// Removes the entity under `key`; the one removed.
    pub fn remove(&mut self, key: &str) -> Option<Arc<V>> {
        let old = self.map.remove(key)?;
        for (by, found) in old.index_keys(key) {
            self.index.remove(&(by, found, key.to_string()));
        }
        if old.counted() {
            self.counted -= 1;
        }
        Some(old)
    }

    /// The entities found under `value` (lowercase) in index `by`, in key order.
    pub fn find<'a>(&'a self, by: By, value: &str) -> impl Iterator<Item = &'a Arc<V>> + 'a {
        let value = value.to_string();
        self.index
            .range((by, value.clone(), String::new())..)
            .take_while(move |(b, v, _)| *b == by && *v == value)
            .filter_map(|(_, _, key)| self.map.get(key))
    }

    /// How many entities count (see [`Indexed::counted`]).
    pub fn counted(&self) -> usize {
        self.counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Thing {
        owner: &'static str,
        special: bool,
    }

    impl Indexed for Thing {
        fn index_keys(&self, key: &str) -> Vec<(By, String)> {
            vec![
                (By::Owner, self.owner.to_lowercase()),
                (By::Name, key.to_lowercase()),
            ]
        }

        fn counted(&self) -> bool {
            self.special
        }
    }

    fn thing(owner: &'static str, special: bool) -> Arc<Thing> {
        Arc::new(Thing { owner, special })
    }

    fn keys<'a>(
        found: impl Iterator<Item = &'a Arc<Thing>>,
        map: &IndexedMap<Thing>,
    ) -> Vec<String> {
        let found: Vec<_> = found.collect();
        map.iter()
            .filter(|(_, v)| found.iter().any(|f| Arc::ptr_eq(f, v)))
            .map(|(k, _)| k.clone())
            .collect()
    }

    #[test]
    fn indexes_and_count_follow_inserts_replacements_and_removals() {
        let mut map = IndexedMap::default();
        map.insert("b".into(), thing("Alice", true));
        map.insert("a".into(), thing("alice", false));
        map.insert("C".into(), thing("bob", true));
        assert_eq!(keys(map.find(By::Owner, "alice"), &map), ["a", "b"]);
        assert_eq!(keys(map.find(By::Name, "c"), &map), ["C"]);
        assert_eq!(map.counted(), 2);
        // Replacing moves the entry to its new owner and recounts it.
        let old = map.insert("b".into(), thing("bob", false));
        assert_eq!(old, Some(thing("Alice", true)));
        assert_eq!(keys(map.find(By::Owner, "alice"), &map), ["a"]);
        assert_eq!(keys(map.find(By::Owner, "bob"), &map), ["C", "b"]);
        assert_eq!(map.counted(), 1);
        assert_eq!(map.remove("C"), Some(thing("bob", true)));
        assert_eq!(map.remove("C"), None);
        assert_eq!(map.find(By::Name, "c").count(), 0);
        assert_eq!(map.counted(), 0);
        assert_eq!(map.len(), 2);
        // A prefix of an indexed value finds nothing.
        assert_eq!(map.find(By::Owner, "ali").count(), 0);
    }

    #[test]
    fn a_clone_is_independent() {
        let mut map = IndexedMap::default();
        map.insert("a".into(), thing("alice", true));
        let before = map.clone();
        map.remove("a");
        assert_eq!(before.find(By::Owner, "alice").count(), 1);
        assert_eq!(before.counted(), 1);
        assert_eq!(map.find(By::Owner, "alice").count(), 0);
    }
}
