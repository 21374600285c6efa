//! The entity layer under the operations: for each kind of entity, how it is found in a
//! snapshot, saved in a write (the stored record and the snapshot in one call) and named
//! (ARNs, "cannot be found" errors). Operations build on it and never on one another's
//! entity helpers; [`Kind`] names every kind of stored record, for writes and for loading.

pub mod access_jobs;
pub mod access_keys;
pub mod boundaries;
pub mod console_sessions;
pub mod documents;
pub mod groups;
pub mod instance_profiles;
mod kind;
pub mod login_profiles;
pub mod mfa_devices;
pub mod oidc_providers;
pub mod policies;
pub mod roles;
pub mod saml_assertions;
pub mod saml_providers;
pub mod server_certificates;
pub mod service_linked_roles;
pub mod sessions;
pub mod user_credentials;
pub mod users;

pub use kind::Kind;
