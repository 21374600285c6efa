//! Web console sessions: a random id in the browser's cookie, stored only as its SHA-256
//! digest (a copy of the store does not sign anyone in), with the sign-in's stage and MFA
//! facts. Idle and absolute timeouts are decided here from the account's clock.

use std::sync::Arc;

use base64::Engine;
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};

use crate::account::Txn;
use crate::entities::sessions::token_digest;
use crate::error::IamError;
use crate::state::AccountState;

/// A session unused this long (seconds) is over.
pub const IDLE_TIMEOUT: i64 = 3600;
/// A session is over this long (seconds) after its sign-in, used or not.
pub const ABSOLUTE_TIMEOUT: i64 = 12 * 3600;
/// `last_seen` is written at most this often (seconds): a page view is not a write.
const TOUCH_EVERY: i64 = 60;

/// Where a sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// The password was right; an MFA code is still due. Nothing else is allowed.
    MfaPending,
    /// The password must be changed (PasswordResetRequired, or expired) before anything else.
    ChangePassword,
    /// Signed in.
    Active,
}

/// One console sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleSession {
    /// The IAM user's name as created; `None` for the root user.
    pub user: Option<String>,
    /// The user's unique id (`AIDA...`), or the account id for root: a user deleted and
    /// created again under the same name does not inherit the session.
    pub user_id: String,
    /// The temporary access key id AWS gives console sessions (`ASIA...`), for audit records.
    pub access_key_id: String,
    pub stage: Stage,
    /// Sign-in time (Unix seconds).
    pub created: i64,
    pub last_seen: i64,
    /// When this sign-in passed its MFA step, and with which device; `None` without MFA.
    pub mfa_at: Option<i64>,
    pub mfa_serial: Option<String>,
}

/// A new session's cookie value: 32 random bytes, base64url.
pub fn new_session_id() -> Result<String, IamError> {
    let bytes = crate::crypto::random::bytes::<32>().map_err(|_| IamError::service_failure())?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The CSRF token of the forms of the browser holding cookie value `cookie`: an HMAC of the
/// cookie under a purpose label. Only the holder of the HttpOnly cookie can know it; it is
/// checked with [`csrf_ok`] (constant time).
pub fn csrf_token(cookie: &str) -> String {
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(cookie.as_bytes()) else {
        return String::new();
    };
    mac.update(b"iamd console form");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is the CSRF token for cookie value `cookie` (constant time).
pub fn csrf_ok(cookie: &str, given: &str) -> bool {
    !cookie.is_empty() && crate::crypto::ct_eq(csrf_token(cookie).as_bytes(), given.as_bytes())
}

/// The value of cookie `name` in one `Cookie` header value (`a=1; b=2`): that of the first
/// pair of that name (possibly empty: the console reads an empty value as no cookie).
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The session of cookie value `cookie`, when it exists and has not timed out at `now`.
pub fn find(state: &AccountState, cookie: &str, now: i64) -> Option<Arc<ConsoleSession>> {
    let session = state.console_sessions.get(&token_digest(cookie))?;
    live(session, now).then(|| session.clone())
}

/// Whether `session` is within its idle and absolute timeouts at `now`.
pub fn live(session: &ConsoleSession, now: i64) -> bool {
    now < session.last_seen + IDLE_TIMEOUT && now < session.created + ABSOLUTE_TIMEOUT
}

/// Whether the session's `last_seen` is old enough to be written again.
pub fn needs_touch(session: &ConsoleSession, now: i64) -> bool {
    now >= session.last_seen + TOUCH_EVERY
}

/// Stores `session` under cookie value `cookie` in a transaction.
pub fn save(txn: &mut Txn, cookie: &str, session: ConsoleSession) -> Result<(), IamError> {
    let key = token_digest(cookie);
    txn.put(crate::entities::Kind::ConsoleSession, &key, &session)?;
    txn.state.console_sessions.insert(key, Arc::new(session));
    Ok(())
}

/// Deletes the session of cookie value `cookie` (sign-out, or a new id at a sign-in step).
pub fn delete(txn: &mut Txn, cookie: &str) {
    let key = token_digest(cookie);
    if txn.state.console_sessions.remove(&key).is_some() {
        txn.delete(crate::entities::Kind::ConsoleSession, &key);
    }
}

/// Deletes every session that has timed out at `now`; returns how many.
pub fn purge(txn: &mut Txn, now: i64) -> usize {
    let over: Vec<String> = txn
        .state
        .console_sessions
        .iter()
        .filter(|(_, s)| !live(s, now))
        .map(|(k, _)| k.clone())
        .collect();
    for key in &over {
        txn.state.console_sessions.remove(key);
        txn.delete(crate::entities::Kind::ConsoleSession, key);
    }
    over.len()
}

#[cfg(test)]
mod tests;
