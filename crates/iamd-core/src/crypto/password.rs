//! Password hashing with argon2id (OWASP / ASVS 5.0 parameters: m = 19 MiB, t = 2, p = 1).

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;

use super::random::{self, RandomError};

/// Memory cost in KiB (19 MiB).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Passes over memory.
pub const T_COST: u32 = 2;
/// Lanes.
pub const P_COST: u32 = 1;
/// Salt length in bytes (128 bits, random per hash).
pub const SALT_LEN: usize = 16;
/// Hash output length in bytes.
pub const OUTPUT_LEN: usize = 32;

/// Why a password could not be hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// No random salt could be drawn.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The hash function refused its input (never expected with these parameters).
    #[error("password hashing failed")]
    Hash,
}

/// At most this many argon2id computations run at once (each takes 19 MiB): a flood of
/// password guesses queues here instead of growing memory without bound.
fn max_concurrent_hashes() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

/// A counting semaphore around the argon2id computations (they run on blocking threads).
struct HashSlots {
    in_use: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

static SLOTS: HashSlots = HashSlots {
    in_use: std::sync::Mutex::new(0),
    freed: std::sync::Condvar::new(),
};

/// Runs `f` once a hashing slot is free.
fn with_slot<T>(f: impl FnOnce() -> T) -> T {
    let max = max_concurrent_hashes();
    {
        let mut in_use = SLOTS.in_use.lock().unwrap_or_else(|p| p.into_inner());
        while *in_use >= max {
            in_use = SLOTS.freed.wait(in_use).unwrap_or_else(|p| p.into_inner());
        }
        *in_use += 1;
    }
    struct Release;
    impl Drop for Release {
        fn drop(&mut self) {
            let mut in_use = SLOTS.in_use.lock().unwrap_or_else(|p| p.into_inner());
            *in_use = in_use.saturating_sub(1);
            SLOTS.freed.notify_one();
        }
    }
    let _release = Release;
    f()
}

/// The most hashes that ran at once so far (for tests of the bound).
#[cfg(test)]
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn note_peak() {
    #[cfg(test)]
    {
        let now = *SLOTS.in_use.lock().unwrap_or_else(|p| p.into_inner());
        PEAK.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
    }
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN))
        .map_err(|_| PasswordError::Hash)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` with argon2id and a fresh 16-byte salt from the OS CSPRNG.
///
/// Returns a PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, which carries
/// everything [`verify_password`] needs. Two hashes of one password differ.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt: [u8; SALT_LEN] = random::bytes()?;
    let hasher = hasher()?;
    let hash = with_slot(|| {
        note_peak();
        hasher.hash_password_with_salt(password.as_bytes(), &salt)
    })
    .map_err(|_| PasswordError::Hash)?;
    Ok(hash.to_string())
}

/// Whether `candidate` is the password hashed in `phc`.
///
/// Uses the parameters stored in the PHC string (so older hashes keep verifying after the
/// defaults change); the final comparison is constant time (done by the `password-hash`
/// crate). A malformed PHC string verifies nothing and returns `false`.
pub fn verify_password(phc: &str, candidate: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    with_slot(|| {
        note_peak();
        Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Whether `phc` was made with other parameters than today's (argon2id, v19,
/// m = 19456, t = 2, p = 1): the caller can rehash after the next successful sign-in.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id"
        || parsed.version != Some(0x13)
        || params.m_cost() != M_COST_KIB
        || params.t_cost() != T_COST
        || params.p_cost() != P_COST
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_hashes_are_bounded() {
        let phc = hash_password("pw").unwrap();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let phc = phc.clone();
                std::thread::spawn(move || verify_password(&phc, "wrong"))
            })
            .collect();
        for t in threads {
            assert!(!t.join().unwrap());
        }
        let peak = PEAK.load(std::sync::atomic::Ordering::Relaxed);
        assert!(peak >= 1 && peak <= max_concurrent_hashes(), "{peak}");
    }

    #[test]
    fn hash_and_verify() {
        let phc = hash_password("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery staple"));
        assert!(!verify_password(&phc, "correct horse battery stapl"));
        assert!(!verify_password(&phc, ""));
        assert!(!needs_rehash(&phc));
        // A second hash of the same password has its own salt.
        let other = hash_password("correct horse battery staple").unwrap();
        assert_ne!(phc, other);
    }

    #[test]
    fn malformed_or_foreign_hashes() {
        assert!(!verify_password("", "x"));
        assert!(!verify_password("$argon2id$v=19$garbage", "x"));
        assert!(needs_rehash("not a hash"));
        // A hash with weaker parameters (m=4096) still verifies, but asks for a rehash.
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, Some(32)).unwrap(),
        )
        .hash_password_with_salt(b"pw", b"0123456789abcdef")
        .unwrap()
        .to_string();
        assert!(verify_password(&weak, "pw"));
        assert!(needs_rehash(&weak));
    }
}
