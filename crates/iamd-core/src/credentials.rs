//! Resolving the access key of a signed request: long-term keys and temporary session
//! credentials (checked against their session token in constant time, and their expiry).

use base64::Engine;
use zeroize::Zeroizing;

use crate::account::Account;
use crate::authz::{Caller, Identity, MfaInfo, SessionKind};
use crate::crypto::ct_eq;
use crate::model::{FederatedSession, KeyStatus, RoleSession};
use crate::ops::token_digest;
use crate::state::AccountState;

/// The credentials behind an access key id.
pub struct Resolved {
    pub secret: Zeroizing<Vec<u8>>,
    /// The user (name as created); `None` for root and role sessions.
    pub user: Option<String>,
    /// Set for role sessions.
    pub role: Option<RoleSession>,
    /// Set for federated user sessions (then `user` is who asked for it).
    pub federated: Option<FederatedSession>,
    pub mfa: Option<MfaInfo>,
    pub session: Option<SessionKind>,
}

/// Why credentials were refused: AWS answers `InvalidClientTokenId` or `ExpiredToken`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Invalid,
    Expired,
}

/// The credentials behind an access key id, checked (status, session token, expiry, owner)
/// but with the secret still sealed: [`find`] is cheap enough for every request, and
/// [`Found::unseal`] can be skipped by a server that caches what it derives from the secret,
/// keyed by [`Found::sealed_secret`].
pub struct Found<'s> {
    /// The user (name as created); `None` for root and role sessions.
    pub user: Option<&'s str>,
    /// Set for role sessions (then `user` is `None`).
    pub role: Option<&'s RoleSession>,
    /// Set for federated user sessions (then `user` is who asked for it; `None`: root).
    pub federated: Option<&'s FederatedSession>,
    pub mfa: Option<MfaInfo>,
    pub session: Option<SessionKind>,
    key_id: &'s str,
    sealed_secret: &'s str,
}

impl Found<'_> {
    /// The stored (sealed, base64) secret. It identifies the secret: a key that is replaced
    /// has another one, since every sealing uses a fresh nonce.
    pub fn sealed_secret(&self) -> &str {
        self.sealed_secret
    }

    /// The secret, unsealed.
    pub fn unseal(&self, account: &Account) -> Result<Zeroizing<Vec<u8>>, Refused> {
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(self.sealed_secret)
            .map_err(|_| Refused::Invalid)?;
        account
            .sealing
            .open(&sealed, self.key_id.as_bytes())
            .map_err(|_| Refused::Invalid)
    }
}

/// Finds and checks the credentials of `key_id` in `state`; `token` is the request's
/// `X-Amz-Security-Token`. Refuses an inactive key, a long-term key sent with a token, an
/// unknown key, a wrong token (compared in constant time), an expired session and a session of
/// a deleted user or role (checked by unique id: a user or role created again under the same
/// name does not inherit the sessions of the one deleted).
pub fn find<'s>(
    state: &'s AccountState,
    key_id: &str,
    token: Option<&str>,
    now: i64,
) -> Result<Found<'s>, Refused> {
    if let Some(key) = state.access_keys.get(key_id) {
        if key.status != KeyStatus::Active || token.is_some() {
            return Err(Refused::Invalid);
        }
        return Ok(Found {
            user: key.user.as_deref(),
            role: None,
            federated: None,
            mfa: None,
            session: None,
            key_id: &key.id,
            sealed_secret: &key.sealed_secret,
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
        if state.user(user).is_none_or(|u| u.id != session.user_id) {
            return Err(Refused::Invalid);
        }
    }
    if let Some(role_session) = &session.role {
        let role = state.role(&role_session.role);
        if role.is_none_or(|r| r.id != role_session.role_id) {
            return Err(Refused::Invalid);
        }
    }
    Ok(Found {
        user: session.user.as_deref(),
        role: session.role.as_ref(),
        federated: session.federated.as_ref(),
        mfa: Some(MfaInfo {
            present: session.mfa_present,
            authenticated_at: session.mfa_authenticated_at,
        }),
        session: Some(match (&session.role, &session.federated) {
            (Some(_), _) => SessionKind::AssumedRole,
            (None, Some(_)) => SessionKind::Federated,
            (None, None) => SessionKind::SessionToken,
        }),
        key_id: &session.access_key_id,
        sealed_secret: &session.sealed_secret,
    })
}

/// Finds the secret and owner of `key_id`; `token` is the request's `X-Amz-Security-Token`.
/// [`find`] then [`Found::unseal`].
pub fn resolve(
    account: &Account,
    state: &AccountState,
    key_id: &str,
    token: Option<&str>,
    now: i64,
) -> Result<Resolved, Refused> {
    let found = find(state, key_id, token, now)?;
    Ok(Resolved {
        secret: found.unseal(account)?,
        user: found.user.map(str::to_string),
        role: found.role.cloned(),
        federated: found.federated.cloned(),
        mfa: found.mfa,
        session: found.session,
    })
}

/// Where a request comes from, for the caller's context keys.
pub struct Origin<'a> {
    pub access_key_id: &'a str,
    pub source_ip: &'a str,
    pub region: &'a str,
}

/// The caller behind credentials found by [`find`]: root, an IAM user or a role session.
pub fn caller(state: &AccountState, found: &Found<'_>, origin: &Origin<'_>) -> Option<Caller> {
    let (principal, identity, user_id) = match (found.federated, found.role, found.user) {
        (Some(session), _, _) => {
            let account = &state.account_id;
            (
                crate::federated_sessions::principal(account, &session.name),
                Identity::FederatedUser(crate::federated_sessions::identity(found.user, session)),
                crate::federated_sessions::user_id(account, &session.name),
            )
        }
        (None, Some(session), _) => {
            let role = state.role(&session.role)?;
            (
                crate::role_sessions::principal(&state.account_id, role, &session.session_name),
                Identity::AssumedRole(crate::role_sessions::identity(role, session)),
                crate::role_sessions::user_id(role, &session.session_name),
            )
        }
        (None, None, Some(name)) => {
            let user = state.user(name)?;
            (
                iamd_policy::Principal::from_arn(&user.arn)?,
                Identity::User(user.name.clone()),
                user.id.clone(),
            )
        }
        (None, None, None) => (
            iamd_policy::Principal::from_arn(&format!("arn:aws:iam::{}:root", state.account_id))?,
            Identity::Root,
            state.account_id.clone(),
        ),
    };
    Some(Caller {
        principal,
        identity,
        user_id,
        access_key_id: origin.access_key_id.to_string(),
        mfa: found.mfa,
        session: found.session,
        source_ip: origin.source_ip.to_string(),
        secure_transport: false,
        region: origin.region.to_string(),
    })
}
