//! Persistence behind one trait. A write is a list of changes committed atomically together
//! with its audit event; a backend (SQLite, PostgreSQL) only stores and returns records.

use std::sync::Mutex;

/// One stored entity: its kind (`user`, `group`, `policy`, `access_key`, ...), key and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: String,
    pub key: String,
    pub body: String,
}

/// One change of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Put {
        kind: &'static str,
        key: String,
        body: String,
    },
    Delete {
        kind: &'static str,
        key: String,
    },
}

/// An audit event (CloudTrail's record as JSON) with the fields it is looked up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub event_id: String,
    pub event_time: i64,
    pub event_name: String,
    pub event_source: String,
    pub username: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Durable storage. `commit` must be atomic and durable when it returns.
pub trait Store: Send + Sync {
    /// Every record, for building the state at start.
    fn load(&self) -> Result<Vec<Record>, StoreError>;
    /// Applies the changes and appends the audit events, all or nothing.
    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError>;
    /// Audit events, newest first, at most `limit`.
    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
}

/// A store in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<(Vec<Record>, Vec<AuditRecord>)>,
}

impl Store for MemoryStore {
    fn load(&self) -> Result<Vec<Record>, StoreError> {
        let inner = self
            .inner
            .lock()
            .map_err(|_| StoreError("poisoned".into()))?;
        Ok(inner.0.clone())
    }

    fn commit(&self, changes: &[Change], audit: &[AuditRecord]) -> Result<(), StoreError> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| StoreError("poisoned".into()))?;
        for change in changes {
            match change {
                Change::Put { kind, key, body } => {
                    inner.0.retain(|r| !(r.kind == *kind && r.key == *key));
                    inner.0.push(Record {
                        kind: kind.to_string(),
                        key: key.clone(),
                        body: body.clone(),
                    });
                }
                Change::Delete { kind, key } => {
                    inner.0.retain(|r| !(r.kind == *kind && r.key == *key));
                }
            }
        }
        inner.1.extend(audit.iter().cloned());
        Ok(())
    }

    fn audit_events(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let inner = self
            .inner
            .lock()
            .map_err(|_| StoreError("poisoned".into()))?;
        Ok(inner.1.iter().rev().take(limit).cloned().collect())
    }
}
