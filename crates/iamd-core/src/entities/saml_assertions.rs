//! The SAML assertions AssumeRoleWithSAML accepted, each usable once: a record per
//! assertion (by a digest of its issuer and `ID`, see
//! [`crate::saml_assertion::Verified::replay_key`]) kept until the assertion could no
//! longer be accepted anyway, stored like every entity so that all the nodes of one
//! database refuse a replay.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::account::Txn;
use crate::entities::Kind;
use crate::error::IamError;
use crate::state::AccountState;

/// An accepted assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedAssertion {
    /// Until when the assertion itself would be accepted (Unix seconds): after it, the record
    /// can go.
    pub until: i64,
}

/// Whether the assertion under `key` was already accepted.
pub fn used(state: &AccountState, key: &str) -> bool {
    state.saml_assertions.contains_key(key)
}

/// Records the assertion under `key` as used until `until`.
pub fn record(txn: &mut Txn, key: &str, until: i64) -> Result<(), IamError> {
    let used = UsedAssertion { until };
    txn.put(Kind::SamlAssertion, key, &used)?;
    txn.state
        .saml_assertions
        .insert(key.to_string(), Arc::new(used));
    Ok(())
}

/// Whether a record is past its time (so a purge has something to do).
pub fn purge_due(state: &AccountState, now: i64) -> bool {
    state.saml_assertions.values().any(|u| u.until <= now)
}

/// Deletes at most `max` records past their time; returns how many.
pub fn purge(txn: &mut Txn, now: i64, max: usize) -> usize {
    let keys: Vec<String> = txn
        .state
        .saml_assertions
        .iter()
        .filter(|(_, u)| u.until <= now)
        .take(max)
        .map(|(k, _)| k.clone())
        .collect();
    for key in &keys {
        txn.delete(Kind::SamlAssertion, key);
        txn.state.saml_assertions.remove(key);
    }
    keys.len()
}
