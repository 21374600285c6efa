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

/// Devices are found by their user and by their serial number case-insensitively (serial
/// numbers are unique so); virtual devices are counted (the account's quota).
/// The `AssignmentStatus` of a virtual device, as ListVirtualMFADevices names it.
pub fn virtual_status(assigned: bool) -> &'static str {
    if assigned {
        "Assigned"
    } else {
        "Unassigned"
    }
}

impl crate::state::Indexed for MfaDevice {
    fn index_keys(&self, key: &str) -> Vec<(crate::state::By, String)> {
        use crate::state::By;
        let mut keys = vec![(By::Name, key.to_ascii_lowercase())];
        if let Some(user) = &self.user {
            keys.push((By::Owner, user.to_ascii_lowercase()));
        }
        if self.kind == MfaKind::Virtual {
            keys.push((By::Status, virtual_status(self.user.is_some()).to_string()));
        }
        keys
    }

    fn counted(&self) -> bool {
        self.kind == MfaKind::Virtual
    }
}
