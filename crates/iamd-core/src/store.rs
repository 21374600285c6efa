//! Persistence: the [`Store`] trait and its records live in `iamd-store`, with the backends;
//! re-exported here under the names the core has always used.

pub use iamd_store::{
    AuditQuery, AuditRecord, Change, ChangeLog, CommitError, LoggedChange, LoggedCommit,
    MemoryStore, ParameterMatch, Record, Store, StoreError,
};
