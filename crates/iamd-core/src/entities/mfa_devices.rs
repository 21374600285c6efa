//! MFA devices: find, save, ARN.

use std::sync::Arc;

use crate::account::Txn;
use crate::entities::users::user_arn;
use crate::error::IamError;
use crate::model::*;
use crate::ops::OpContext;

/// `MFA Device with serial number X does not exist.` (AWS's text).
pub fn no_such_device(serial: &str) -> IamError {
    IamError::no_such_entity(format!(
        "MFA Device with serial number {serial} does not exist."
    ))
}

/// The ARN policies see for a device: virtual serials are ARNs already; a hardware token's
/// serial number becomes `arn:aws:iam::ACCOUNT:mfa/SERIAL`.
pub fn device_arn(ctx: &OpContext<'_>, serial: &str) -> String {
    if serial.starts_with("arn:") {
        serial.to_string()
    } else {
        ctx.arn("mfa", "/", serial)
    }
}

/// The ARN of user `name`, or of the account's root user when there is no name.
pub fn user_or_root_arn(ctx: &OpContext<'_>, name: Option<&str>) -> String {
    match name {
        Some(name) => user_arn(ctx, name),
        None => format!("arn:aws:iam::{}:root", ctx.account_id()),
    }
}

/// Stores a device in a transaction.
pub fn save_device(txn: &mut Txn, device: MfaDevice) -> Result<(), IamError> {
    txn.put(crate::entities::Kind::MfaDevice, &device.serial, &device)?;
    txn.state
        .mfa_devices
        .insert(device.serial.clone(), Arc::new(device));
    Ok(())
}

/// Looks a device up in a transaction's state.
pub fn find_device(
    state: &crate::state::AccountState,
    serial: &str,
) -> Result<Arc<MfaDevice>, IamError> {
    state
        .mfa_devices
        .get(serial)
        .cloned()
        .ok_or_else(|| no_such_device(serial))
}
