//! The throttle on password guesses, for every place a password is checked (ChangePassword's
//! old password, the console's sign-in): per user (by unique id, or `root`, or the name tried
//! for an unknown user) and per source address at sign-in, the MFA devices' policy
//! (`crypto::throttle`: five wrong in a row lock for a minute, at most 100 an hour). A locked
//! key's guesses are refused before any hashing.
//!
//! The throttles are stored records (kind `password_throttle`), written with the attempt's
//! outcome: every node of a shared database counts the same failures, and a restart forgets
//! nothing. A throttle with no lock in force and no failure in the last hour is deleted (at
//! the outcome, or by the periodic purge), so guesses at random names do not pile up.

use std::sync::Arc;
use std::time::SystemTime;

use crate::account::Txn;
use crate::crypto::{Locked, Throttle};
use crate::entities::Kind;
use crate::error::IamError;
use crate::state::AccountState;

/// The throttle key of sign-in attempts from source address `ip`.
pub fn source_key(ip: &str) -> String {
    format!("source:{ip}")
}

/// The throttle key of sign-in attempts naming an unknown user `name`.
pub fn unknown_user_key(name: &str) -> String {
    format!("unknown:{}", name.trim().to_lowercase())
}

/// For how many more seconds attempts on `key` are refused at `now`; `None` when allowed.
pub fn locked(state: &AccountState, key: &str, now: SystemTime) -> Option<u64> {
    let throttle = state.password_throttles.get(key)?;
    throttle
        .check(now)
        .err()
        .map(|lock| seconds_left(lock, now))
}

fn seconds_left(lock: Locked, now: SystemTime) -> u64 {
    lock.until
        .duration_since(now)
        .map_or(1, |d| d.as_secs().max(1))
}

/// Records an attempt on `key` in `txn`: a failure counts towards a lock (answered, in
/// seconds, when this failure caused one); a success resets the failures in a row.
pub fn record(
    txn: &mut Txn,
    key: &str,
    success: bool,
    now: SystemTime,
) -> Result<Option<u64>, IamError> {
    let current = txn.state.password_throttles.get(key).cloned();
    if success && current.is_none() {
        return Ok(None);
    }
    let mut throttle = current.map(|t| (*t).clone()).unwrap_or_default();
    let lock = if success {
        throttle.record_success(now);
        None
    } else {
        throttle.record_failure(now).map(|l| seconds_left(l, now))
    };
    if idle(&throttle, now) {
        txn.state.password_throttles.remove(key);
        txn.delete(Kind::PasswordThrottle, key);
    } else {
        txn.put(Kind::PasswordThrottle, key, &throttle)?;
        txn.state
            .password_throttles
            .insert(key.to_string(), Arc::new(throttle));
    }
    Ok(lock)
}

/// Nothing left to remember: no lock in force, no failure in the last hour.
fn idle(throttle: &Throttle, now: SystemTime) -> bool {
    throttle.check(now).is_ok() && throttle.failures_in_last_hour(now) == 0
}

/// Deletes the throttles with nothing left to remember at `now` (at most `limit`); how many.
pub fn purge(txn: &mut Txn, now: SystemTime, limit: usize) -> usize {
    let over: Vec<String> = txn
        .state
        .password_throttles
        .iter()
        .filter(|(_, t)| idle(t, now))
        .take(limit)
        .map(|(k, _)| k.clone())
        .collect();
    for key in &over {
        txn.state.password_throttles.remove(key);
        txn.delete(Kind::PasswordThrottle, key);
    }
    over.len()
}

/// Whether any throttle has nothing left to remember at `now` (a purge is due).
pub fn purge_due(state: &AccountState, now: SystemTime) -> bool {
    state.password_throttles.values().any(|t| idle(t, now))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn five_wrong_passwords_lock_the_key_for_a_minute_and_the_record_goes_after_an_hour() {
        let (acct, clock) = crate::testing::account();
        let t0 = acct.clock.now();
        for _ in 0..4 {
            let lock = acct.write(|txn| record(txn, "AIDA1", false, t0)).unwrap();
            assert_eq!(lock, None);
        }
        assert_eq!(
            acct.write(|txn| record(txn, "AIDA1", false, t0)).unwrap(),
            Some(60)
        );
        let later = t0 + Duration::from_secs(30);
        assert_eq!(locked(&acct.snapshot(), "AIDA1", later), Some(30));
        assert_eq!(locked(&acct.snapshot(), "AIDA2", later), None);
        let after = t0 + Duration::from_secs(61);
        assert_eq!(locked(&acct.snapshot(), "AIDA1", after), None);
        // A success keeps the hour's failures; an hour on, the record is purged.
        acct.write(|txn| record(txn, "AIDA1", true, after)).unwrap();
        assert!(acct.snapshot().password_throttles.contains_key("AIDA1"));
        clock.advance(Duration::from_secs(3601));
        let now = acct.clock.now();
        assert!(purge_due(&acct.snapshot(), now));
        assert_eq!(acct.write(|txn| Ok(purge(txn, now, 10))).unwrap(), 1);
        assert!(acct.snapshot().password_throttles.is_empty());
    }
}
