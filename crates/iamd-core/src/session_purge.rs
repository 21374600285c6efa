//! Removing expired STS sessions (GetSessionToken, AssumeRole), which would otherwise stay in
//! memory and in the store for ever: GetSessionToken needs no permission, so any key can
//! make them at will. A session is kept [`KEEP_AFTER_EXPIRY_SECS`] after it expires, so that
//! a client still using it is told `ExpiredToken` (and renews) rather than
//! `InvalidClientTokenId`; after that it is deleted, and its credentials are then simply
//! unknown (`InvalidClientTokenId`).

use crate::account::Account;
use crate::error::IamError;

/// How long an expired session is kept to answer `ExpiredToken`: a day.
pub const KEEP_AFTER_EXPIRY_SECS: i64 = 24 * 3600;

/// The most sessions one purge deletes (one transaction); the next purge takes the rest.
const MAX_PER_PURGE: usize = 10_000;

/// Deletes the sessions expired more than [`KEEP_AFTER_EXPIRY_SECS`] ago, the console
/// sessions past their timeouts, and the sign-in state left over (password throttles with
/// nothing left to remember, security key ceremonies too old to finish, records of SAML
/// assertions that have expired); returns how many.
pub fn purge_expired_sessions(account: &Account) -> Result<usize, IamError> {
    let console = crate::signin::purge(account)?;
    Ok(console + purge_sts_sessions(account)? + purge_sign_in_state(account)?)
}

fn purge_sign_in_state(account: &Account) -> Result<usize, IamError> {
    let now = account.clock.now();
    let state = account.snapshot();
    let assertions = crate::entities::saml_assertions::purge_due(&state, account.now());
    if !crate::password_guard::purge_due(&state, now)
        && !crate::security_keys::expiry_due(&state, account.now())
        && !assertions
    {
        return Ok(0);
    }
    account.write_retrying(|txn| {
        let throttles = crate::password_guard::purge(txn, now, MAX_PER_PURGE);
        let used = crate::entities::saml_assertions::purge(txn, txn.now, MAX_PER_PURGE);
        Ok(throttles + crate::security_keys::expire(txn) + used)
    })
}

fn purge_sts_sessions(account: &Account) -> Result<usize, IamError> {
    let due = |expiration: i64, now: i64| expiration.saturating_add(KEEP_AFTER_EXPIRY_SECS) <= now;
    let now = account.now();
    if !account
        .snapshot()
        .sessions
        .values()
        .any(|s| due(s.expiration, now))
    {
        return Ok(0);
    }
    account.write_retrying(|txn| {
        let now = txn.now;
        let ids: Vec<String> = txn
            .state
            .sessions
            .values()
            .filter(|s| due(s.expiration, now))
            .take(MAX_PER_PURGE)
            .map(|s| s.access_key_id.clone())
            .collect();
        for id in &ids {
            txn.delete(crate::entities::Kind::Session, id);
            txn.state.sessions.remove(id);
        }
        Ok(ids.len())
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::credentials::{find, Refused};
    use crate::testing::{account, call, root};

    #[test]
    fn expired_sessions_answer_expired_for_a_day_then_are_gone() {
        let (acct, clock) = account();
        let r = root();
        let made = call(
            &acct,
            &r,
            "sts",
            "GetSessionToken",
            json!({"DurationSeconds": 900}),
        );
        let creds = &made.unwrap()["Credentials"];
        let id = creds["AccessKeyId"].as_str().unwrap().to_string();
        let token = creds["SessionToken"].as_str().unwrap().to_string();
        let check = |acct: &Account| {
            find(&acct.snapshot(), &id, Some(&token), acct.now())
                .map(|_| ())
                .unwrap_err()
        };

        assert_eq!(purge_expired_sessions(&acct).unwrap(), 0);
        clock.advance(std::time::Duration::from_secs(900));
        assert_eq!(check(&acct), Refused::Expired);
        assert_eq!(purge_expired_sessions(&acct).unwrap(), 0);
        assert_eq!(check(&acct), Refused::Expired);

        clock.advance(std::time::Duration::from_secs(
            KEEP_AFTER_EXPIRY_SECS as u64,
        ));
        assert_eq!(purge_expired_sessions(&acct).unwrap(), 1);
        assert_eq!(check(&acct), Refused::Invalid);
        assert!(acct.snapshot().sessions.is_empty());
        assert_eq!(purge_expired_sessions(&acct).unwrap(), 0);
    }
}
