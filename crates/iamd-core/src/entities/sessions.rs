//! STS sessions: save, and the digest their tokens are stored as.

use std::sync::Arc;

use crate::account::Txn;
use crate::error::IamError;
use crate::model::*;
use sha2::{Digest, Sha256};

/// Stores a new session in a transaction.
pub fn store_session(txn: &mut Txn, session: &Session) -> Result<(), IamError> {
    txn.put(
        crate::entities::Kind::Session,
        &session.access_key_id,
        session,
    )?;
    txn.state
        .sessions
        .insert(session.access_key_id.clone(), Arc::new(session.clone()));
    Ok(())
}

/// Hex SHA-256 of a session token, as stored.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
