//! Checking a TOTP code against a device: constant time (in `crypto::totp`), each code usable
//! once per device, a bounded window, and throttling of repeated failures. The device's
//! replay and throttle state is written in the caller's transaction whether the code is
//! accepted or not, so callers must commit a rejection too (return `Ok(outcome)` from the
//! write and turn a rejection into an error afterwards).

use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine;
use zeroize::Zeroizing;

use crate::account::Txn;
use crate::crypto::{totp, SealingKey, TotpError};
use crate::error::IamError;
use crate::model::{MfaDevice, MfaKind};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not six digits.
    Malformed,
    /// Wrong code (or, for enabling, not two consecutive codes).
    Invalid,
    /// A code of a step already used.
    Replayed,
    /// Too many failures: the device is locked for a while.
    Locked,
}

/// The result of a code check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Rejected(Rejection),
}

/// Seals a new seed for device `serial`.
pub fn seal_seed(sealing: &SealingKey, serial: &str, seed: &[u8]) -> Result<String, IamError> {
    let sealed = sealing
        .seal(seed, serial.as_bytes())
        .map_err(|_| IamError::service_failure())?;
    Ok(B64.encode(sealed))
}

/// The device's seed, unsealed.
pub fn open_seed(sealing: &SealingKey, device: &MfaDevice) -> Result<Zeroizing<Vec<u8>>, IamError> {
    let sealed = B64
        .decode(&device.sealed_seed)
        .map_err(|_| IamError::service_failure())?;
    sealing
        .open(&sealed, device.serial.as_bytes())
        .map_err(|_| IamError::service_failure())
}

/// How a code is checked.
pub enum Check<'a> {
    /// One code (sign-in, GetSessionToken, AssumeRole).
    One(&'a str),
    /// Two consecutive codes (EnableMFADevice, ResyncMFADevice).
    Consecutive(&'a str, &'a str),
}

/// Checks `check`, given by `caller` (a principal ARN), against the device with serial
/// `serial` and records the result on the device in `txn` (last used step on success;
/// throttle on failure: the device's own, or the caller's while the device is unassigned,
/// see [`MfaDevice::throttle_for`]).
pub fn check_code(
    txn: &mut Txn,
    sealing: &SealingKey,
    serial: &str,
    caller: &str,
    check: Check<'_>,
    now: SystemTime,
) -> Result<Outcome, IamError> {
    let device = txn.state.mfa_devices.get(serial).cloned().ok_or_else(|| {
        IamError::no_such_entity(format!(
            "MFA Device with serial number {serial} does not exist."
        ))
    })?;
    if device.kind == MfaKind::SecurityKey {
        // Safer than guessing AWS's exact answer: refused, saying why.
        return Err(IamError::access_denied(format!(
            "MFA device {serial} is a FIDO security key, which works only for console sign-in. \
             Use a virtual or hardware TOTP device for the CLI and the API."
        )));
    }
    let mut updated = (*device).clone();
    if device
        .throttle_for(caller)
        .is_some_and(|t| t.check(now).is_err())
    {
        let outcome = Outcome::Rejected(Rejection::Locked);
        crate::telemetry::mfa_checked(outcome);
        return Ok(outcome);
    }
    let now_secs = txn.now;
    let seed = open_seed(sealing, &device)?;
    let result =
        match check {
            Check::One(code) => totp::verify_code(&seed, code, now, device.last_used_step),
            Check::Consecutive(code1, code2) => totp::verify_enable(&seed, code1, code2, now)
                .and_then(|step| match device.last_used_step {
                    // Both codes must be newer than the last one used.
                    Some(last) if step.saturating_sub(1) <= last => Err(TotpError::Replayed),
                    _ => Ok(step),
                }),
        };
    let outcome = match result {
        Ok(step) => {
            updated.last_used_step = Some(step);
            updated
                .throttle_for_mut(caller, now_secs)
                .record_success(now);
            Outcome::Accepted
        }
        Err(e) => {
            let rejection = match e {
                TotpError::Malformed => Rejection::Malformed,
                TotpError::Replayed => Rejection::Replayed,
                _ => Rejection::Invalid,
            };
            let locked = updated
                .throttle_for_mut(caller, now_secs)
                .record_failure(now);
            Outcome::Rejected(if locked.is_some() {
                Rejection::Locked
            } else {
                rejection
            })
        }
    };
    txn.put(crate::entities::Kind::MfaDevice, &updated.serial, &updated)?;
    txn.state
        .mfa_devices
        .insert(updated.serial.clone(), Arc::new(updated));
    crate::telemetry::mfa_checked(outcome);
    Ok(outcome)
}
