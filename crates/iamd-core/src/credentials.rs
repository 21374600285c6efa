//! Resolving the access key of a signed request: long-term keys and temporary session
//! credentials (checked against their session token in constant time, and their expiry).

use base64::Engine;
use zeroize::Zeroizing;

use crate::account::Account;
use crate::authz::{MfaInfo, SessionKind};
use crate::crypto::ct_eq;
use crate::model::KeyStatus;
use crate::ops::token_digest;
use crate::state::AccountState;

/// The credentials behind an access key id.
pub struct Resolved {
    pub secret: Zeroizing<Vec<u8>>,
    /// The user (name as created); `None` for root.
    pub user: Option<String>,
    pub mfa: Option<MfaInfo>,
    pub session: Option<SessionKind>,
}

/// Why credentials were refused: AWS answers `InvalidClientTokenId` or `ExpiredToken`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Invalid,
    Expired,
}

/// Finds the secret and owner of `key_id`; `token` is the request's `X-Amz-Security-Token`.
pub fn resolve(
    account: &Account,
    state: &AccountState,
    key_id: &str,
    token: Option<&str>,
    now: i64,
) -> Result<Resolved, Refused> {
    if let Some(key) = state.access_keys.get(key_id) {
        if key.status != KeyStatus::Active || token.is_some() {
            return Err(Refused::Invalid);
        }
        let secret = crate::unseal_secret(account, key).ok_or(Refused::Invalid)?;
        return Ok(Resolved {
            secret,
            user: key.user.clone(),
            mfa: None,
            session: None,
        });
    }
    let session = state.sessions.get(key_id).ok_or(Refused::Invalid)?;
    let token = token.ok_or(Refused::Invalid)?;
    if !ct_eq(
        token_digest(token).as_bytes(),
        session.token_sha256.as_bytes(),
    ) {
        return Err(Refused::Invalid);
    }
    if now >= session.expiration {
        return Err(Refused::Expired);
    }
    if let Some(user) = &session.user {
        if state.user(user).is_none() {
            return Err(Refused::Invalid);
        }
    }
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(&session.sealed_secret)
        .map_err(|_| Refused::Invalid)?;
    let secret = account
        .sealing
        .open(&sealed, session.access_key_id.as_bytes())
        .map_err(|_| Refused::Invalid)?;
    Ok(Resolved {
        secret,
        user: session.user.clone(),
        mfa: Some(MfaInfo {
            present: session.mfa_present,
            authenticated_at: session.mfa_authenticated_at,
        }),
        session: Some(SessionKind::SessionToken),
    })
}
