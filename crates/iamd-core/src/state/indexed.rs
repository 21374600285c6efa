//! A map of entities by key with secondary indexes, counts and tallies, kept in step by its
//! only mutators (`insert`, `remove`), so that "the devices of user X", "is this name taken",
//! "how many virtual devices" and "how many entities is this policy attached to" are answered
//! without walking the whole map (an account of 100,000 users has 50,000 MFA devices and
//! 10,000 policies). Reads go through `Deref` to the ordered map, as before.

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
    /// A managed policy's ARN, attached to the entity (tallies).
    Attached,
    /// A managed policy's ARN, the entity's permissions boundary (tallies).
    Boundary,
    /// Whether a virtual MFA device is `assigned` or `unassigned`.
    Status,
}

/// What an entity is indexed under.
pub trait Indexed {
    /// The (index, lowercase value) pairs `self`, stored under `key`, is found by.
    fn index_keys(&self, key: &str) -> Vec<(By, String)>;

    /// Whether `self` counts towards [`IndexedMap::counted`].
    fn counted(&self) -> bool {
        false
    }

    /// Calls `each` with every (tally, value) `self` counts once towards (see
    /// [`IndexedMap::tally`]): counts without an index entry per entity.
    fn tallies(&self, each: &mut dyn FnMut(By, &str)) {
        let _ = each;
    }
}

/// An ordered map of entities with the indexes [`Indexed`] names.
#[derive(Debug)]
pub struct IndexedMap<V> {
    map: OrdMap<String, Arc<V>>,
    /// (index, value, key of the entity).
    index: OrdSet<(By, String, String)>,
    counted: usize,
    /// How many entities count towards each (tally, value); absent when none.
    tally: OrdMap<(By, String), usize>,
}

// Cloning shares the entries (`Arc`): no `V: Clone` needed.
impl<V> Clone for IndexedMap<V> {
    fn clone(&self) -> Self {
        IndexedMap {
            map: self.map.clone(),
            index: self.index.clone(),
            counted: self.counted,
            tally: self.tally.clone(),
        }
    }
}

impl<V> Default for IndexedMap<V> {
    fn default() -> Self {
        IndexedMap {
            map: OrdMap::new(),
            index: OrdSet::new(),
            counted: 0,
            tally: OrdMap::new(),
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
        if let Some(old) = self.map.get(&key).cloned() {
            self.forget(&key, &old);
        }
        self.remember(&key, &value);
        self.map.insert(key, value)
    }

    /// Removes the entity under `key`; the one removed.
    pub fn remove(&mut self, key: &str) -> Option<Arc<V>> {
        let old = self.map.remove(key)?;
        self.forget(key, &old);
        Some(old)
    }

    /// Adds `value`'s index entries, count and tallies.
    fn remember(&mut self, key: &str, value: &V) {
        for (by, found) in value.index_keys(key) {
            self.index.insert((by, found, key.to_string()));
        }
        if value.counted() {
            self.counted += 1;
        }
        let tally = &mut self.tally;
        value.tallies(&mut |by, found| {
            *tally.entry((by, found.to_string())).or_insert(0) += 1;
        });
    }

    /// Removes `value`'s index entries, count and tallies.
    fn forget(&mut self, key: &str, value: &V) {
        for (by, found) in value.index_keys(key) {
            self.index.remove(&(by, found, key.to_string()));
        }
        if value.counted() {
            self.counted -= 1;
        }
        let tally = &mut self.tally;
        value.tallies(&mut |by, found| {
            let entry = (by, found.to_string());
            match tally.get(&entry) {
                Some(&n) if n > 1 => drop(tally.insert(entry, n - 1)),
                _ => drop(tally.remove(&entry)),
            }
        });
    }

    /// The entities found under `value` (lowercase) in index `by`, in key order.
    pub fn find<'a>(&'a self, by: By, value: &str) -> impl Iterator<Item = &'a Arc<V>> + 'a {
        self.find_from(by, value, None).map(|(_, v)| v)
    }

    /// As [`IndexedMap::find`], with their keys, from key `from` on (all without one): a
    /// page that starts in O(log n).
    pub fn find_from<'a>(
        &'a self,
        by: By,
        value: &str,
        from: Option<&str>,
    ) -> impl Iterator<Item = (&'a String, &'a Arc<V>)> + 'a {
        let value = value.to_string();
        let start = (by, value.clone(), from.unwrap_or_default().to_string());
        self.index
            .range(start..)
            .take_while(move |(b, v, _)| *b == by && *v == value)
            .filter_map(|(_, _, key)| self.map.get_key_value(key))
    }

    /// How many entities count (see [`Indexed::counted`]).
    pub fn counted(&self) -> usize {
        self.counted
    }

    /// How many entities count towards (`by`, `value`) (see [`Indexed::tallies`]).
    pub fn tally(&self, by: By, value: &str) -> usize {
        self.tally
            .get(&(by, value.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Every value of tally `by` with its count, in value order.
    pub fn tallies<'a>(&'a self, by: By) -> impl Iterator<Item = (&'a str, usize)> + 'a {
        self.tally
            .range((by, String::new())..)
            .take_while(move |((b, _), _)| *b == by)
            .map(|((_, value), n)| (value.as_str(), *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Thing {
        owner: &'static str,
        special: bool,
        attached: Vec<&'static str>,
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

        fn tallies(&self, each: &mut dyn FnMut(By, &str)) {
            for arn in &self.attached {
                each(By::Attached, arn);
            }
        }
    }

    fn thing(owner: &'static str, special: bool) -> Arc<Thing> {
        Arc::new(Thing {
            owner,
            special,
            attached: Vec::new(),
        })
    }

    fn attached(owner: &'static str, arns: &[&'static str]) -> Arc<Thing> {
        Arc::new(Thing {
            owner,
            special: false,
            attached: arns.to_vec(),
        })
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

    #[test]
    fn tallies_follow_inserts_replacements_and_removals() {
        let mut map = IndexedMap::default();
        map.insert("a".into(), attached("a", &["p1", "p2"]));
        map.insert("b".into(), attached("b", &["p1"]));
        assert_eq!(map.tally(By::Attached, "p1"), 2);
        assert_eq!(map.tally(By::Attached, "p2"), 1);
        assert_eq!(map.tally(By::Boundary, "p1"), 0);
        // Replacing counts the new value's tallies instead of the old one's.
        map.insert("a".into(), attached("a", &["p2", "p3"]));
        let all: Vec<_> = map.tallies(By::Attached).collect();
        assert_eq!(all, [("p1", 1), ("p2", 1), ("p3", 1)]);
        // Replacing with the same tallies leaves them as they were.
        map.insert("b".into(), attached("b", &["p1"]));
        assert_eq!(map.tally(By::Attached, "p1"), 1);
        map.remove("b");
        map.remove("a");
        assert_eq!(map.tally(By::Attached, "p1"), 0);
        assert_eq!(map.tallies(By::Attached).count(), 0);
        let clone = map.clone();
        map.insert("c".into(), attached("c", &["p1"]));
        assert_eq!(clone.tally(By::Attached, "p1"), 0);
        assert_eq!(map.tally(By::Attached, "p1"), 1);
    }

    #[test]
    fn find_from_starts_at_a_key() {
        let mut map = IndexedMap::default();
        for key in ["a", "b", "c", "d"] {
            map.insert(key.into(), thing("alice", false));
        }
        map.insert("bb".into(), thing("bob", false));
        let from = |k| -> Vec<&String> {
            map.find_from(By::Owner, "alice", k)
                .map(|(key, _)| key)
                .collect()
        };
        assert_eq!(from(None), ["a", "b", "c", "d"]);
        assert_eq!(from(Some("b")), ["b", "c", "d"]);
        assert_eq!(from(Some("bb")), ["c", "d"]);
        assert_eq!(from(Some("e")), Vec::<&String>::new());
    }
}
