//! Time as a parameter.
//!
//! Nothing in this crate reads the wall clock except [`SystemClock`]: every function that
//! needs the time takes it as an argument, and services hold an `Arc<dyn Clock>` so tests
//! can drive time with a [`ManualClock`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one place in this crate that reads the wall clock.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to, for tests.
///
/// Holds milliseconds since the Unix epoch in an atomic, so it can be shared between
/// threads (`Arc<ManualClock>`) and moved through `&self`.
#[derive(Debug, Default)]
pub struct ManualClock {
    unix_millis: AtomicU64,
}

impl ManualClock {
    /// A clock showing `unix_millis` milliseconds after the Unix epoch.
    pub fn new(unix_millis: u64) -> Self {
        Self {
            unix_millis: AtomicU64::new(unix_millis),
        }
    }

    /// A clock showing `unix_secs` seconds after the Unix epoch.
    pub fn at_unix_secs(unix_secs: u64) -> Self {
        Self::new(unix_secs.saturating_mul(1000))
    }

    /// Sets the clock to `unix_millis` milliseconds after the Unix epoch (may go backwards).
    pub fn set_unix_millis(&self, unix_millis: u64) {
        self.unix_millis.store(unix_millis, Ordering::SeqCst);
    }

    /// Sets the clock to `time`; times before the epoch are clamped to the epoch.
    pub fn set(&self, time: SystemTime) {
        self.set_unix_millis(unix_millis(time));
    }

    /// Moves the clock forward by `by` (saturating).
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        // fetch_update with a closure that never fails always returns Ok.
        let _ = self
            .unix_millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |ms| {
                Some(ms.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        from_unix_millis(self.unix_millis.load(Ordering::SeqCst))
    }
}

/// Whole seconds since the Unix epoch; times before the epoch give 0.
pub fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch; times before the epoch give 0, far futures saturate.
pub fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Latest time these helpers produce (2^40 s, about 34,800 years after 1970): keeps
/// `SystemTime` arithmetic from overflowing on any platform.
const MAX_UNIX_SECS: u64 = 1 << 40;

/// The time `secs` seconds after the Unix epoch, clamped to 2^40 seconds.
pub fn from_unix_secs(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.min(MAX_UNIX_SECS))
}

/// The time `millis` milliseconds after the Unix epoch, clamped to 2^40 seconds.
pub fn from_unix_millis(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis.min(MAX_UNIX_SECS * 1000))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn manual_clock_set_and_advance() {
        let clock = ManualClock::at_unix_secs(59);
        assert_eq!(unix_secs(clock.now()), 59);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(unix_millis(clock.now()), 60_500);
        clock.set(from_unix_secs(1_111_111_109));
        assert_eq!(unix_secs(clock.now()), 1_111_111_109);
        clock.advance(Duration::MAX);
        assert_eq!(unix_secs(clock.now()), 1 << 40);
        assert_eq!(unix_secs(from_unix_secs(u64::MAX)), 1 << 40);
    }

    #[test]
    fn clocks_are_shareable_trait_objects() {
        let manual = Arc::new(ManualClock::new(0));
        let clock: Arc<dyn Clock> = manual.clone();
        manual.advance(Duration::from_secs(30));
        assert_eq!(unix_secs(clock.now()), 30);
        let system: Arc<dyn Clock> = Arc::new(SystemClock);
        assert!(unix_secs(system.now()) > 1_600_000_000);
    }

    #[test]
    fn before_epoch_is_zero() {
        let before = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(unix_secs(before), 0);
        assert_eq!(unix_millis(before), 0);
    }
}
