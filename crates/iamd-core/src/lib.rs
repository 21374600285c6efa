//! The account: entities, operations, authentication, MFA, the authorization snapshot. No HTTP.

pub mod clock;
pub mod crypto;
