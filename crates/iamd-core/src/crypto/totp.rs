//! RFC 6238 TOTP as AWS virtual MFA devices use it: HMAC-SHA1, 6 digits, 30-second steps.
//!
//! Verification is shaped for AWS semantics:
//! - [`verify_enable`] (EnableMFADevice, ResyncMFADevice) takes two *consecutive* codes;
//! - [`verify_code`] (GetSessionToken, AssumeRole, console sign-in) takes one code and the
//!   last step this device accepted, and refuses any step at or before it (a code works once
//!   per device; once a newer code was used, older ones are refused too).
//!
//! Codes are compared in constant time over every candidate step, so timing does not tell
//! which step (if any) matched. Rate limiting lives in [`super::throttle`].

use std::time::SystemTime;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use thiserror::Error;
use zeroize::Zeroizing;

use super::random::{self, RandomError};
use crate::clock::unix_secs;

/// Length of a generated seed in bytes: 40 bytes are 64 Base32 characters, the length of
/// AWS's `Base32StringSeed`.
pub const SEED_LEN: usize = 40;
/// Seconds per TOTP step (RFC 6238 `X`).
pub const STEP_SECONDS: u64 = 30;
/// Digits in a code, as AWS requires (`AuthenticationCode1/2`, `TokenCode`: exactly 6).
pub const DIGITS: u32 = 6;
/// Steps either side of the current one that a code may come from. With 1, [`verify_code`]
/// accepts the previous, current and next step (clocks up to 30–60 s apart), and
/// [`verify_enable`] accepts a second code from the previous, current or next step.
pub const WINDOW_STEPS: u64 = 1;

/// Why a code was not accepted. Messages are for logs; the API answers with AWS's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TotpError {
    /// The code is not exactly 6 ASCII digits.
    #[error("authentication code must be exactly 6 digits")]
    Malformed,
    /// The code matches no step in the window (or, for enable, the pair is not consecutive).
    #[error("authentication code is not valid")]
    Invalid,
    /// The code is right but its step was already used on this device, or a newer one was.
    #[error("authentication code was already used")]
    Replayed,
    /// The seed is empty.
    #[error("mfa seed is empty")]
    InvalidSeed,
}

/// A fresh random seed of [`SEED_LEN`] bytes from the OS CSPRNG, zeroized on drop.
pub fn generate_seed() -> Result<Zeroizing<Vec<u8>>, RandomError> {
    let mut seed = Zeroizing::new(vec![0u8; SEED_LEN]);
    random::fill(&mut seed)?;
    Ok(seed)
}

/// The TOTP step (RFC 6238 `T`) containing `now`; times before 1970 are step 0.
pub fn step_at(now: SystemTime) -> u64 {
    unix_secs(now) / STEP_SECONDS
}

/// RFC 4226 HOTP: HMAC-SHA1 of the big-endian `counter`, dynamically truncated to `digits`
/// decimal digits (1..=9; other values are clamped into that range).
pub fn hotp(seed: &[u8], counter: u64, digits: u32) -> Result<u32, TotpError> {
    if seed.is_empty() {
        return Err(TotpError::InvalidSeed);
    }
    let mut mac = Hmac::<Sha1>::new_from_slice(seed).map_err(|_| TotpError::InvalidSeed)?;
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    Ok(binary % 10u32.pow(digits.clamp(1, 9)))
}

/// The 6-digit code (zero-padded) for `step`.
pub fn code_for_step(seed: &[u8], step: u64) -> Result<String, TotpError> {
    Ok(format!("{:06}", hotp(seed, step, DIGITS)?))
}

/// The 6-digit code (zero-padded) an authenticator app shows at `now`.
pub fn code_at(seed: &[u8], now: SystemTime) -> Result<String, TotpError> {
    code_for_step(seed, step_at(now))
}

/// Checks that `code` is exactly 6 ASCII digits.
fn parse(code: &str) -> Result<[u8; 6], TotpError> {
    let bytes: [u8; 6] = code
        .as_bytes()
        .try_into()
        .map_err(|_| TotpError::Malformed)?;
    if bytes.iter().all(u8::is_ascii_digit) {
        Ok(bytes)
    } else {
        Err(TotpError::Malformed)
    }
}

/// Codes for steps `first..=last` as 6 ASCII digits each.
fn codes(seed: &[u8], first: u64, last: u64) -> Result<Vec<(u64, [u8; 6])>, TotpError> {
    (first..=last)
        .map(|step| {
            let text = code_for_step(seed, step)?;
            let bytes: [u8; 6] = text
                .as_bytes()
                .try_into()
                .map_err(|_| TotpError::InvalidSeed)?;
            Ok((step, bytes))
        })
        .collect()
}

/// Verifies one code for sign-in or an MFA session.
///
/// Accepts the code of step `s - 1`, `s` or `s + 1` where `s` is the step at `now`.
/// Returns the matched step, which the caller stores as the device's new `last_used_step`.
/// Fails with [`TotpError::Replayed`] when the code is right but its step is
/// `<= last_used_step`; with [`TotpError::Invalid`] when it matches no step;
/// [`TotpError::Malformed`] (checked first) when it is not 6 digits.
/// All candidate codes are computed and compared in constant time.
pub fn verify_code(
    seed: &[u8],
    code: &str,
    now: SystemTime,
    last_used_step: Option<u64>,
) -> Result<u64, TotpError> {
    let code = parse(code)?;
    let current = step_at(now);
    let candidates = codes(
        seed,
        current.saturating_sub(WINDOW_STEPS),
        current.saturating_add(WINDOW_STEPS),
    )?;
    let mut any = Choice::from(0);
    let mut fresh_found = Choice::from(0);
    let mut chosen = 0u64;
    // Walk newest to oldest so the oldest fresh match wins: it advances the replay
    // counter the least.
    for (step, expected) in candidates.iter().rev() {
        let matched = expected.ct_eq(&code);
        let fresh = Choice::from(u8::from(last_used_step.is_none_or(|last| *step > last)));
        any |= matched;
        let take = matched & fresh;
        fresh_found |= take;
        chosen = u64::conditional_select(&chosen, step, take);
    }
    if bool::from(fresh_found) {
        Ok(chosen)
    } else if bool::from(any) {
        Err(TotpError::Replayed)
    } else {
        Err(TotpError::Invalid)
    }
}

/// Verifies the two consecutive codes of EnableMFADevice (and ResyncMFADevice).
///
/// Accepts when, for some step `t` in `s - 1 ..= s + 1` (`s` the step at `now`), `code1` is
/// the code of `t - 1` and `code2` the code of `t`: so the user may type the code shown,
/// wait for the next one and type it, with up to a step of clock skew or delay either way.
/// Returns `t`, the step of `code2`, which the caller stores as the device's
/// `last_used_step` so neither code can be used again. If several `t` match (a code
/// collision), the latest is returned. Constant time over all candidates.
pub fn verify_enable(
    seed: &[u8],
    code1: &str,
    code2: &str,
    now: SystemTime,
) -> Result<u64, TotpError> {
    let code1 = parse(code1)?;
    let code2 = parse(code2)?;
    let current = step_at(now);
    let first = current.saturating_sub(WINDOW_STEPS + 1);
    let last = current.saturating_add(WINDOW_STEPS);
    let candidates = codes(seed, first, last)?;
    let mut found = Choice::from(0);
    let mut chosen = 0u64;
    for pair in candidates.windows(2) {
        let [(_, previous), (step, expected)] = pair else {
            continue;
        };
        let matched = previous.ct_eq(&code1) & expected.ct_eq(&code2);
        found |= matched;
        chosen = u64::conditional_select(&chosen, step, matched);
    }
    if bool::from(found) {
        Ok(chosen)
    } else {
        Err(TotpError::Invalid)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::clock::from_unix_secs;

    /// RFC 6238 appendix B seed for HMAC-SHA1.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_sha1_vectors() {
        let vectors: [(u64, u32); 6] = [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (time, expected) in vectors {
            let step = step_at(from_unix_secs(time));
            assert_eq!(hotp(RFC_SEED, step, 8).unwrap(), expected, "time {time}");
            // The 6-digit code is the low 6 digits of the 8-digit one.
            assert_eq!(
                code_at(RFC_SEED, from_unix_secs(time)).unwrap(),
                format!("{:06}", expected % 1_000_000)
            );
        }
    }

    #[test]
    fn seeds_are_random_and_aws_sized() {
        let a = generate_seed().unwrap();
        let b = generate_seed().unwrap();
        assert_eq!(a.len(), SEED_LEN);
        assert_ne!(*a, *b);
        assert_eq!(super::super::base32::encode(&a).len(), 64);
    }

    fn code(step: u64) -> String {
        code_for_step(RFC_SEED, step).unwrap()
    }

    const NOW: u64 = 1_700_000_010; // step 56_666_667, 10 s into it
    const S: u64 = NOW / 30;

    #[test]
    fn verify_code_window_edges() {
        let now = from_unix_secs(NOW);
        assert_eq!(verify_code(RFC_SEED, &code(S), now, None), Ok(S));
        assert_eq!(verify_code(RFC_SEED, &code(S - 1), now, None), Ok(S - 1));
        assert_eq!(verify_code(RFC_SEED, &code(S + 1), now, None), Ok(S + 1));
        assert_eq!(
            verify_code(RFC_SEED, &code(S - 2), now, None),
            Err(TotpError::Invalid)
        );
        assert_eq!(
            verify_code(RFC_SEED, &code(S + 2), now, None),
            Err(TotpError::Invalid)
        );
        // Last second of the step and first of the next.
        let end = from_unix_secs(S * 30 + 29);
        assert_eq!(verify_code(RFC_SEED, &code(S - 1), end, None), Ok(S - 1));
        let next = from_unix_secs(S * 30 + 30);
        assert_eq!(
            verify_code(RFC_SEED, &code(S - 1), next, None),
            Err(TotpError::Invalid)
        );
    }

    #[test]
    fn replay_refused() {
        let now = from_unix_secs(NOW);
        let used = verify_code(RFC_SEED, &code(S), now, None).unwrap();
        assert_eq!(
            verify_code(RFC_SEED, &code(S), now, Some(used)),
            Err(TotpError::Replayed)
        );
        // An older code after a newer one is refused too.
        assert_eq!(
            verify_code(RFC_SEED, &code(S - 1), now, Some(used)),
            Err(TotpError::Replayed)
        );
        // The next step's code is still fine.
        assert_eq!(
            verify_code(RFC_SEED, &code(S + 1), now, Some(used)),
            Ok(S + 1)
        );
        // A wrong code stays Invalid, not Replayed.
        let wrong = if code(S) == "000000" {
            "000001"
        } else {
            "000000"
        };
        assert_eq!(
            verify_code(RFC_SEED, wrong, now, Some(used)),
            Err(TotpError::Invalid)
        );
    }

    #[test]
    fn malformed_codes() {
        let now = from_unix_secs(NOW);
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            " 12345",
            "１２３４５６",
            "-12345",
        ] {
            assert_eq!(
                verify_code(RFC_SEED, bad, now, None),
                Err(TotpError::Malformed),
                "{bad:?}"
            );
        }
        assert_eq!(
            verify_enable(RFC_SEED, &code(S - 1), "abcdef", now),
            Err(TotpError::Malformed)
        );
        assert_eq!(
            verify_code(&[], "123456", now, None),
            Err(TotpError::InvalidSeed)
        );
    }

    #[test]
    fn enable_with_consecutive_codes() {
        let now = from_unix_secs(NOW);
        // The usual case: code shown a moment ago, then the current one.
        assert_eq!(verify_enable(RFC_SEED, &code(S - 1), &code(S), now), Ok(S));
        // Skew: second code from the next step, or both one step old.
        assert_eq!(
            verify_enable(RFC_SEED, &code(S), &code(S + 1), now),
            Ok(S + 1)
        );
        assert_eq!(
            verify_enable(RFC_SEED, &code(S - 2), &code(S - 1), now),
            Ok(S - 1)
        );
        // Out of the window.
        assert_eq!(
            verify_enable(RFC_SEED, &code(S - 3), &code(S - 2), now),
            Err(TotpError::Invalid)
        );
        assert_eq!(
            verify_enable(RFC_SEED, &code(S + 1), &code(S + 2), now),
            Err(TotpError::Invalid)
        );
        // Not consecutive, reversed, or the same code twice.
        assert_eq!(
            verify_enable(RFC_SEED, &code(S - 1), &code(S + 1), now),
            Err(TotpError::Invalid)
        );
        assert_eq!(
            verify_enable(RFC_SEED, &code(S), &code(S - 1), now),
            Err(TotpError::Invalid)
        );
        assert_eq!(
            verify_enable(RFC_SEED, &code(S), &code(S), now),
            Err(TotpError::Invalid)
        );
        // After enabling, neither code can be used to sign in.
        let last = verify_enable(RFC_SEED, &code(S - 1), &code(S), now).unwrap();
        for step in [S - 1, S] {
            assert_eq!(
                verify_code(RFC_SEED, &code(step), now, Some(last)),
                Err(TotpError::Replayed)
            );
        }
    }

    #[test]
    fn step_zero_does_not_underflow() {
        let now = from_unix_secs(5);
        assert_eq!(verify_code(RFC_SEED, &code(0), now, None), Ok(0));
        assert_eq!(verify_enable(RFC_SEED, &code(0), &code(1), now), Ok(1));
    }
}
