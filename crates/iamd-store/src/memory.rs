//! A store in memory: for tests, and for a throwaway server (`memory:`). Nothing survives the
//! process. It refuses what SQLite refuses (a duplicate audit event id), all or nothing.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use crate::{AuditRecord, Change, Record, Store, StoreError};

#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    records: BTreeMap<(String, String), String>,
    audit: Vec<AuditRecord>,
    event_ids: HashSet<String>,
}

impl MemoryStore {
    fn inner(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError("memory store: poisoned".into()))
    }
}

impl Store for MemoryStore {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        Ok(self
            .inner()?
            .records
            .iter()
            .map(|((kind, key), body)| Record {
                kind: kind.clone(),
                key: key.clone(),
                body: body.clone(),
            })
            .collect())
    }

    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut inner = self.inner()?;
        // Checked before anything is applied: a refused commit leaves nothing behind.
        let mut batch = HashSet::new();
        for record in audit {
            if inner.event_ids.contains(&record.event_id) || !batch.insert(&record.event_id) {
                return Err(StoreError(format!(
                    "memory store: duplicate audit event id {}",
                    record.event_id
                )));
            }
        }
        for change in changes {
            match change {
                Change::Put { kind, key, body } => {
                    inner
                        .records
                        .insert((kind.to_string(), key.clone()), body.clone());
                }
                Change::Delete { kind, key } => {
                    inner.records.remove(&(kind.to_string(), key.clone()));
                }
            }
        }
        for record in audit {
            inner.event_ids.insert(record.event_id.clone());
            inner.audit.push(record.clone());
        }
        Ok(())
    }

    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(self
            .inner()?
            .audit
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect())
    }

    fn delete_audit_before(&self, time: i64, limit: usize) -> Result<usize, StoreError> {
        let mut inner = self.inner()?;
        let mut old: Vec<(i64, usize)> = inner
            .audit
            .iter()
            .enumerate()
            .filter(|(_, r)| r.event_time < time)
            .map(|(i, r)| (r.event_time, i))
            .collect();
        old.sort_unstable();
        old.truncate(limit);
        let doomed: HashSet<usize> = old.into_iter().map(|(_, i)| i).collect();
        let mut index = 0;
        let mut removed = Vec::new();
        inner.audit.retain(|r| {
            let keep = !doomed.contains(&index);
            index += 1;
            if !keep {
                removed.push(r.event_id.clone());
            }
            keep
        });
        for id in &removed {
            inner.event_ids.remove(id);
        }
        Ok(removed.len())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::AuditQuery;

    fn event(id: &str, name: &str, time: i64) -> AuditRecord {
        AuditRecord {
            event_id: id.into(),
            event_time: time,
            event_name: name.into(),
            event_source: "iam.amazonaws.com".into(),
            username: "alice".into(),
            body: "{}".into(),
            lookup: Default::default(),
        }
    }

    #[test]
    fn conforms() {
        crate::conformance::run(&MemoryStore::default());
    }

    #[test]
    fn default_audit_page_filters_and_pages_newest_first() {
        let store = MemoryStore::default();
        let events = [
            event("e1", "CreateUser", 10),
            event("e2", "DeleteUser", 20),
            event("e3", "CreateUser", 30),
            event("e4", "CreateUser", 40),
        ];
        store.commit(&[], &events).unwrap();
        let query = AuditQuery {
            event_name: Some("CreateUser".into()),
            limit: 2,
            ..Default::default()
        };
        let page = store.audit_page(&query).unwrap();
        let ids: Vec<_> = page.iter().map(|(_, e)| e.event_id.as_str()).collect();
        assert_eq!(ids, ["e4", "e3"]);
        let rest = store
            .audit_page(&AuditQuery {
                before: Some((page[1].1.event_time, page[1].0)),
                ..query.clone()
            })
            .unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].1.event_id, "e1");
        let window = AuditQuery {
            start: Some(15),
            end: Some(30),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(store.audit_page(&window).unwrap().len(), 2);
    }
}
