//! The throttle on password guesses, for every place a password is checked (ChangePassword's
//! old password now, the console's sign-in next): per user (by unique id), the MFA devices'
//! policy (`crypto::throttle`: five wrong in a row lock for a minute, at most 100 an hour).
//! A locked user's guesses are refused before any hashing. Kept in memory: a restart forgets
//! it, which costs a guesser at most one more minute's worth of attempts per restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::crypto::{verify_password, Locked, Throttle};

/// Why a password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRefusal {
    /// Not the password.
    Wrong,
    /// Too many wrong ones: no password is checked until then.
    Locked { seconds: u64 },
}

#[derive(Default)]
pub struct PasswordGuard {
    by_user: Mutex<HashMap<String, Throttle>>,
    /// Console sign-in failures per source address, whichever user they name.
    by_source: Mutex<HashMap<String, Throttle>>,
}

/// Source addresses tracked at most; beyond, those not locked are forgotten.
const MAX_SOURCES: usize = 10_000;
/// Users (and unknown user names tried at sign-in) tracked at most; beyond, those not
/// locked are forgotten.
const MAX_TRACKED: usize = 100_000;

impl PasswordGuard {
    /// Checks `candidate` against `phc`, the password of the user with id `user_id`, unless
    /// that user is locked; records the outcome.
    pub fn check(
        &self,
        user_id: &str,
        phc: &str,
        candidate: &str,
        now: SystemTime,
    ) -> Result<(), PasswordRefusal> {
        self.check_with(user_id, now, || verify_password(phc, candidate))
    }

    /// As [`check`](Self::check), with `verify` deciding whether the password is right
    /// (called only when `user_id` is not locked).
    pub fn check_with(
        &self,
        user_id: &str,
        now: SystemTime,
        verify: impl FnOnce() -> bool,
    ) -> Result<(), PasswordRefusal> {
        let locked = |lock: Locked| PasswordRefusal::Locked {
            seconds: lock
                .until
                .duration_since(now)
                .map_or(1, |d| d.as_secs().max(1)),
        };
        if let Some(throttle) = self.lock().get(user_id) {
            throttle.check(now).map_err(locked)?;
        }
        let right = verify();
        let mut by_user = self.lock();
        // Console sign-ins throttle unknown user names too: keep the map bounded.
        if by_user.len() >= MAX_TRACKED && !by_user.contains_key(user_id) {
            by_user.retain(|_, t| t.check(now).is_err());
        }
        let throttle = by_user.entry(user_id.to_string()).or_default();
        if right {
            throttle.record_success(now);
            return Ok(());
        }
        match throttle.record_failure(now) {
            Some(lock) => Err(locked(lock)),
            None => Err(PasswordRefusal::Wrong),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Throttle>> {
        self.by_user.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether sign-in attempts from `source` (an IP address) are allowed at `now`; when
    /// locked, for how many more seconds they are refused.
    pub fn check_source(&self, source: &str, now: SystemTime) -> Result<(), u64> {
        let sources = self.by_source.lock().unwrap_or_else(|p| p.into_inner());
        match sources.get(source).map(|t| t.check(now)) {
            Some(Err(lock)) => Err(lock
                .until
                .duration_since(now)
                .map_or(1, |d| d.as_secs().max(1))),
            _ => Ok(()),
        }
    }

    /// Records a sign-in attempt from `source`: a failure counts towards its lock.
    pub fn record_source(&self, source: &str, success: bool, now: SystemTime) {
        let mut sources = self.by_source.lock().unwrap_or_else(|p| p.into_inner());
        if sources.len() >= MAX_SOURCES && !sources.contains_key(source) {
            sources.retain(|_, t| t.check(now).is_err());
        }
        let throttle = sources.entry(source.to_string()).or_default();
        if success {
            throttle.record_success(now);
        } else {
            throttle.record_failure(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::crypto::hash_password;

    #[test]
    fn five_wrong_passwords_lock_the_user_for_a_minute_without_hashing() {
        let guard = PasswordGuard::default();
        let phc = hash_password("Right-Password-1").unwrap();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for _ in 0..4 {
            assert_eq!(
                guard.check("AIDA1", &phc, "nope", t0),
                Err(PasswordRefusal::Wrong)
            );
        }
        assert_eq!(
            guard.check("AIDA1", &phc, "nope", t0),
            Err(PasswordRefusal::Locked { seconds: 60 })
        );
        // Even the right password is refused while locked; another user is not affected.
        let later = t0 + Duration::from_secs(30);
        assert_eq!(
            guard.check("AIDA1", &phc, "Right-Password-1", later),
            Err(PasswordRefusal::Locked { seconds: 30 })
        );
        assert_eq!(
            guard.check("AIDA2", &phc, "Right-Password-1", later),
            Ok(())
        );
        let after = t0 + Duration::from_secs(61);
        assert_eq!(
            guard.check("AIDA1", &phc, "Right-Password-1", after),
            Ok(())
        );
    }
}
