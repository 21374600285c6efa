//! Failed-attempt throttling for one MFA device (or any one secret being guessed).
//!
//! Pure data plus functions over `now`; the caller persists a [`Throttle`] with the device
//! and saves it after every attempt. Policy:
//! - after [`MAX_FAILURES_IN_A_ROW`] (5) failures in a row the device is locked for
//!   [`LOCKOUT_SECONDS`] (60 s), then the in-a-row count starts again; the lock is short on
//!   purpose, so an attacker cannot lock the owner out for long;
//! - at most [`MAX_FAILURES_PER_HOUR`] (100) failures in any rolling hour (OWASP ASVS 4.0.3
//!   2.2.1): when the 100th failure within an hour lands, the device is locked until the
//!   oldest of those failures is an hour old;
//! - a success resets the in-a-row count (not the hourly record).
//!
//! Attempts made while locked must be refused without checking the code and are not
//! recorded (check with [`Throttle::check`] first).
//!
//! With 3 acceptable codes per attempt, 100 attempts an hour give a guesser about a
//! 3-in-10,000 chance per hour against a 6-digit TOTP.

use std::time::SystemTime;

use thiserror::Error;

use crate::clock::{from_unix_secs, unix_secs};

/// Failures in a row that lock the device for [`LOCKOUT_SECONDS`].
pub const MAX_FAILURES_IN_A_ROW: u32 = 5;
/// How long 5 failures in a row lock the device.
pub const LOCKOUT_SECONDS: u64 = 60;
/// Failures allowed in any rolling hour.
pub const MAX_FAILURES_PER_HOUR: usize = 100;
/// The rolling window of [`MAX_FAILURES_PER_HOUR`].
pub const HOUR_SECONDS: u64 = 3600;

/// The device refuses attempts until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("too many failed attempts; try again later")]
pub struct Locked {
    /// When the next attempt will be considered.
    pub until: SystemTime,
}

/// Persisted throttle state. All times are Unix seconds so it stores as plain integers.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Throttle {
    /// Failures since the last success or the last in-a-row lockout.
    pub failures_in_a_row: u32,
    /// Unix seconds of recent failures, oldest first; entries older than an hour are
    /// dropped, and at most [`MAX_FAILURES_PER_HOUR`] are kept.
    pub recent_failures: Vec<u64>,
    /// Unix seconds until which attempts are refused, if locked.
    pub locked_until: Option<u64>,
}

impl Throttle {
    /// A device with no failures.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Ok(())` if an attempt may be made at `now`, else when it may.
    pub fn check(&self, now: SystemTime) -> Result<(), Locked> {
        let now = unix_secs(now);
        match self.locked_until {
            Some(until) if now < until => Err(Locked {
                until: from_unix_secs(until),
            }),
            _ => Ok(()),
        }
    }

    /// Records a failed attempt at `now`, locking the device when a limit is reached.
    /// Returns the lock, if this failure caused (or extended) one.
    pub fn record_failure(&mut self, now: SystemTime) -> Option<Locked> {
        let now = unix_secs(now);
        self.forget_old(now);
        if self.recent_failures.len() >= MAX_FAILURES_PER_HOUR {
            self.recent_failures.remove(0);
        }
        self.recent_failures.push(now);
        self.failures_in_a_row = self.failures_in_a_row.saturating_add(1);

        let mut until: Option<u64> = None;
        if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
            self.failures_in_a_row = 0;
            until = Some(now.saturating_add(LOCKOUT_SECONDS));
        }
        if self.recent_failures.len() >= MAX_FAILURES_PER_HOUR {
            let oldest = self.recent_failures.first().copied().unwrap_or(now);
            let hourly = oldest.saturating_add(HOUR_SECONDS);
            until = Some(until.map_or(hourly, |u| u.max(hourly)));
        }
        let until = until?;
        let until = self.locked_until.map_or(until, |u| u.max(until));
        self.locked_until = Some(until);
        Some(Locked {
            until: from_unix_secs(until),
        })
    }

    /// Records a successful attempt at `now`: resets the in-a-row count and clears an
    /// expired lock. The hourly record is kept.
    pub fn record_success(&mut self, now: SystemTime) {
        let now = unix_secs(now);
        self.failures_in_a_row = 0;
        self.forget_old(now);
        if self.locked_until.is_some_and(|until| until <= now) {
            self.locked_until = None;
        }
    }

    /// Failures counted against the hourly limit at `now`.
    pub fn failures_in_last_hour(&self, now: SystemTime) -> usize {
        let now = unix_secs(now);
        self.recent_failures
            .iter()
            .filter(|&&t| t.saturating_add(HOUR_SECONDS) > now)
            .count()
    }

    fn forget_old(&mut self, now: u64) {
        self.recent_failures
            .retain(|&t| t.saturating_add(HOUR_SECONDS) > now);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        from_unix_secs(secs)
    }

    #[test]
    fn five_in_a_row_locks_for_a_minute() {
        let mut t = Throttle::new();
        for i in 0..4 {
            assert!(t.check(at(1000 + i)).is_ok());
            assert_eq!(t.record_failure(at(1000 + i)), None);
        }
        let lock = t.record_failure(at(1004)).unwrap();
        assert_eq!(lock.until, at(1064));
        assert_eq!(t.check(at(1005)), Err(Locked { until: at(1064) }));
        assert!(t.check(at(1063)).is_err());
        assert!(t.check(at(1064)).is_ok());
        // The count starts again after the lock: 4 more failures do not lock.
        for i in 0..4 {
            assert_eq!(t.record_failure(at(1064 + i)), None);
        }
        assert!(t.record_failure(at(1070)).is_some());
    }

    #[test]
    fn success_resets_the_row() {
        let mut t = Throttle::new();
        for i in 0..4 {
            t.record_failure(at(i));
        }
        t.record_success(at(10));
        assert_eq!(t.failures_in_a_row, 0);
        for i in 0..4 {
            assert_eq!(t.record_failure(at(11 + i)), None);
        }
        assert!(t.check(at(20)).is_ok());
        assert_eq!(t.failures_in_last_hour(at(20)), 8);
    }

    #[test]
    fn hourly_cap() {
        let mut t = Throttle::new();
        let mut now = 10_000;
        // 4 failures then a success, repeated: never 5 in a row, but the hour fills up.
        let mut failures = 0;
        while failures < 99 {
            assert!(t.check(at(now)).is_ok(), "failure {failures}");
            assert_eq!(t.record_failure(at(now)), None);
            failures += 1;
            if failures % 4 == 0 {
                t.record_success(at(now));
            }
            now += 10;
        }
        assert_eq!(t.failures_in_last_hour(at(now)), 99);
        // The 100th failure within the hour locks until the first is an hour old.
        let lock = t.record_failure(at(now)).unwrap();
        assert_eq!(lock.until, at(10_000 + 3600));
        assert!(t.check(at(10_000 + 3599)).is_err());
        assert!(t.check(at(10_000 + 3600)).is_ok());
        // Then one more failure is allowed per failure that ages out.
        assert_eq!(t.failures_in_last_hour(at(13_600)), 99);
        t.record_success(at(13_600));
        let lock = t.record_failure(at(13_600)).unwrap();
        assert_eq!(lock.until, at(10_010 + 3600));
        assert!(t.recent_failures.len() <= MAX_FAILURES_PER_HOUR);
    }

    #[test]
    fn old_failures_age_out() {
        let mut t = Throttle::new();
        for i in 0..3 {
            t.record_failure(at(i));
        }
        t.record_success(at(3));
        // A failure counts for exactly one hour: the one at second 2 until second 3601.
        assert_eq!(t.failures_in_last_hour(at(3601)), 1);
        assert_eq!(t.failures_in_last_hour(at(3602)), 0);
        t.record_failure(at(3602));
        assert_eq!(t.recent_failures, vec![3602]);
    }
}
