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
    /// The record's lookup fields when its writer knows them ([`LookupHint::none`]: read
    /// from `body` when needed). Not stored; not part of equality.
    pub lookup: LookupHint,
}

/// The lookup fields of a record as its writer gave them (saves reading them from the JSON
/// body when the record is stored).
#[derive(Debug, Clone, Default)]
pub struct LookupHint(pub Option<crate::lookup::LookupFields>);

impl LookupHint {
    pub fn none() -> LookupHint {
        LookupHint(None)
    }
}

impl PartialEq for LookupHint {
    fn eq(&self, _: &LookupHint) -> bool {
        true
    }
}

impl Eq for LookupHint {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// One change as the change log holds it; `body` `None` is a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    pub kind: String,
    pub key: String,
    pub body: Option<String>,
}

/// One commit of the change log: its position and its changes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCommit {
    pub seq: u64,
    pub changes: Vec<LoggedChange>,
}

/// Why [`ChangeLog::commit_after`] did not commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitError {
    /// Another commit came after the writer's position: nothing was written; catch up and
    /// apply the write again.
    Stale,
    Failed(StoreError),
}

/// The change log of a store that several nodes share (PostgreSQL). Positions number the
/// commits that changed records: gap-free and in commit order, 0 before the first.
pub trait ChangeLog: Send + Sync {
    /// Every record and the position it reflects, read together.
    fn load_at(&self) -> Result<(u64, Vec<Record>), StoreError>;
    /// Commits as [`Store::commit`] does, only if no commit came after position `seen`
    /// (checked under a lock every writer takes, so of two writers on one position exactly
    /// one commits); returns the new position.
    fn commit_after(
        &self,
        seen: u64,
        changes: &[Change],
        audit: &[AuditRecord],
    ) -> Result<u64, CommitError>;
    /// The commits after position `seen`, oldest first.
    fn commits_after(&self, seen: u64) -> Result<Vec<LoggedCommit>, StoreError>;
    /// Waits until the database says another commit came (since the last wait) or `timeout`
    /// passes, whichever is first.
    fn wait_for_commit(&self, timeout: std::time::Duration);
}

/// Durable storage. `commit` must be atomic and durable when it returns.
pub trait Store: Send + Sync {
    /// Every record, for building the state at start.
    fn load(&self) -> Result<Vec<Record>, StoreError>;
    /// Every record, given one at a time to `each`, for building the state at start without
    /// holding every stored body at once; stops at the first error of `each` and returns it
    /// (else the store's own error, as text). This default loads them all first.
    fn load_each(&self, each: &mut dyn FnMut(Record) -> Result<(), String>) -> Result<(), String> {
        self.load()
            .map_err(|e| e.to_string())?
            .into_iter()
            .try_for_each(each)
    }
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
    /// The change log, when other nodes may write to this store too; `None` (the default)
    /// when this process is its only writer.
    fn change_log(&self) -> Option<&dyn ChangeLog> {
        None
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
