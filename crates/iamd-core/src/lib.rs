//! The account: entities, operations, authentication, MFA, the authorization snapshot. No HTTP.

pub mod account;
pub mod audit;
pub mod audit_retention;
pub mod authz;
pub mod authz_message;
pub mod aws_policies;
pub mod clock;
mod commit_queue;
pub mod credentials;
pub mod crypto;
pub mod entities;
pub mod error;
pub mod federated_sessions;
pub mod follow;
pub mod hardware_tokens;
pub mod mfa;
pub mod model;
pub mod ops;
pub mod outbound;
pub mod password_guard;
pub mod quotas;
pub mod role_sessions;
pub mod saml_assertion;
pub mod saml_metadata;
pub mod security_keys;
pub mod service;
pub mod session_purge;
pub mod signin;
pub mod state;
pub mod store;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
pub mod web_identity;

pub use account::{Account, Txn};
pub use authz::{authorize, Caller, Identity, MfaInfo, SessionKind};
pub use error::IamError;
pub use ops::access_keys_api::{bootstrap_root_key, unseal_secret};
pub use state::AccountState;
pub use store::{AuditQuery, AuditRecord, Change, MemoryStore, Record, Store, StoreError};
