//! Persistence behind one trait. A write is a list of changes committed atomically together
//! with its audit event; a backend (SQLite, PostgreSQL) only stores and returns records.

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
    /// Audit events matching `query`, newest first (by event time, then by position in the
    /// log), each with its position (for paging on with [`AuditQuery::before`]). This
    /// default reads the whole log; a database backend answers it from indexes.
    fn audit_page(&self, query: &AuditQuery) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
        let all = self.audit_events(usize::MAX)?;
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let mut matching: Vec<(i64, AuditRecord)> = all
            .into_iter()
            .zip((1..=total).rev())
            .map(|(record, position)| (position, record))
            .filter(|(position, record)| {
                query
                    .before
                    .is_none_or(|b| (record.event_time, *position) < b)
                    && query.matches(record)
            })
            .collect();
        matching
            .sort_by_key(|(position, record)| std::cmp::Reverse((record.event_time, *position)));
        matching.truncate(query.limit);
        Ok(matching)
    }
    /// Deletes at most `limit` of the oldest audit events older than `time` (Unix seconds);
    /// returns how many it deleted. Retention calls it in small batches, so that no call
    /// holds the database for long.
    fn delete_audit_before(&self, time: i64, limit: usize) -> Result<usize, StoreError> {
        let _ = (time, limit);
        Err(StoreError(
            "this backend does not implement audit retention".into(),
        ))
    }
}

/// A lookup in the audit log: every given field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub event_name: Option<String>,
    pub event_source: Option<String>,
    pub username: Option<String>,
    pub event_id: Option<String>,
    /// The record's `readOnly`.
    pub read_only: Option<bool>,
    /// The record's `userIdentity.accessKeyId`.
    pub access_key_id: Option<String>,
    /// Events whose `requestParameters` have one of these top-level members (with this text
    /// value, when given): how resources are looked up.
    pub parameter: Option<ParameterMatch>,
    /// Event times, Unix seconds, inclusive.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// Only events older than this (event time, position): the last event of the previous
    /// page.
    pub before: Option<(i64, i64)>,
    pub limit: usize,
}

/// Request parameters an event must have: one of `names`, with `value` if given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParameterMatch {
    pub names: Vec<String>,
    pub value: Option<String>,
}

impl AuditQuery {
    /// Whether `record` matches (all but `before` and `limit`).
    pub fn matches(&self, record: &AuditRecord) -> bool {
        let field = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let simple = field(&self.event_name, &record.event_name)
            && field(&self.event_source, &record.event_source)
            && field(&self.username, &record.username)
            && field(&self.event_id, &record.event_id)
            && self.start.is_none_or(|t| record.event_time >= t)
            && self.end.is_none_or(|t| record.event_time <= t);
        if !simple {
            return false;
        }
        if self.read_only.is_none() && self.access_key_id.is_none() && self.parameter.is_none() {
            return true;
        }
        let fields = crate::lookup::LookupFields::of(&record.body);
        let read_only = self.read_only.is_none_or(|r| fields.read_only == Some(r));
        let key = self
            .access_key_id
            .as_deref()
            .is_none_or(|k| fields.access_key_id.as_deref() == Some(k));
        let parameter = self.parameter.as_ref().is_none_or(|p| {
            fields.parameters.iter().any(|(name, value)| {
                p.names.contains(name) && p.value.as_ref().is_none_or(|want| want == value)
            })
        });
        read_only && key && parameter
    }
}
