//! MFA devices: virtual TOTP devices (create, enable, deactivate, delete, resync) and the
//! hardware TOTP tokens an administrator registered (see [`crate::hardware_tokens`]), which
//! are enabled, deactivated and resynced the same way. Lists, GetMFADevice and tags are in
//! [`super::mfa_device_lists`].
//!
//! Codes are checked by [`crate::mfa::check_code`]: constant time, each code once per device,
//! five failures in a row lock the device for a minute. A refused code still changes the
//! device (throttle state), so EnableMFADevice and ResyncMFADevice commit their refusals
//! ([`OpContext::write_committed`]) and write a `CheckMfa` audit record with the reason.
//!
//! The seed leaves iamd once, in the CreateVirtualMFADevice response; it is sealed at rest.

use std::sync::Arc;

use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::support::{input, path_or_root};
use super::tags::{tag_context, MAX_TAGS};

use super::{iam_op as op, OpContext, Operation};
use crate::account::Txn;
use crate::crypto::{base32, generate_seed, otpauth_uri, qr_png};
use crate::entities::mfa_devices::{
    device_arn, find_device, no_such_device, save_device, user_or_root_arn,
};
use crate::entities::users::{find_user, user_arn};
use crate::error::IamError;
use crate::mfa::{check_code, seal_seed, Check, Outcome, Rejection};
use crate::model::{MfaDevice, MfaKind, Tag};
use crate::state::By;

pub(super) static OPS: &[Operation] = &[
    op("CreateVirtualMFADevice", create_virtual, false),
    op("EnableMFADevice", enable, false),
    op("DeactivateMFADevice", deactivate, false),
    op("DeleteVirtualMFADevice", delete_virtual, false),
    op("ResyncMFADevice", resync, false),
    op(
        "ListMFADevices",
        super::mfa_device_lists::list_mfa_devices,
        true,
    ),
    op(
        "ListVirtualMFADevices",
        super::mfa_device_lists::list_virtual_mfa_devices,
        true,
    ),
    op(
        "GetMFADevice",
        super::mfa_device_lists::get_mfa_device,
        true,
    ),
    op(
        "TagMFADevice",
        super::mfa_device_lists::tag_mfa_device,
        false,
    ),
    op(
        "UntagMFADevice",
        super::mfa_device_lists::untag_mfa_device,
        false,
    ),
    op(
        "ListMFADeviceTags",
        super::mfa_device_lists::list_mfa_device_tags,
        true,
    ),
];

/// The console's registration of a FIDO security key the browser's WebAuthn ceremony
/// proved (see [`crate::security_keys`]): not in the API's registry (AWS has no API for it
/// either), authorized and audited as `EnableMFADevice`, as AWS's console does.
pub static ENABLE_SECURITY_KEY: Operation = op("EnableMFADevice", enable_security_key, false);

/// MFA devices in use per user.
pub(crate) const MAX_DEVICES_PER_USER: usize = 8;

/// AWS's text for a refused code (EnableMFADevice, ResyncMFADevice).
pub const INVALID_CODE: &str = "Authentication code for device is not valid.";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The device `serial` if it is assigned to user `user`.
fn assigned_device(
    state: &crate::state::AccountState,
    serial: &str,
    user: &str,
) -> Result<Arc<MfaDevice>, IamError> {
    let device = find_device(state, serial)?;
    if device
        .user
        .as_deref()
        .is_some_and(|owner| owner.eq_ignore_ascii_case(user))
    {
        Ok(device)
    } else {
        Err(no_such_device(serial))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    #[serde(rename = "VirtualMFADeviceName")]
    virtual_mfa_device_name: String,
    path: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// CreateVirtualMFADevice: a fresh 40-byte seed, sealed; the response is the only place the
/// seed (Base32 text, as a blob) and its QR code ever appear. The name stays taken until the
/// device is deleted, assigned or not (AWS's behaviour: a user who abandoned enrolment
/// deletes the unassigned device, or has an administrator delete it, before starting again).
fn create_virtual(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateInput = input(value)?;
    let path = path_or_root(input.path);
    let name = input.virtual_mfa_device_name;
    let serial = ctx.arn("mfa", &path, &name);
    ctx.authorize_with(
        "iam:CreateVirtualMFADevice",
        &serial,
        &tag_context(&input.tags)?,
    )?;
    if input.tags.len() > MAX_TAGS {
        return Err(super::tags::too_many_tags());
    }
    let seed = generate_seed().map_err(|_| IamError::service_failure())?;
    let sealed_seed = seal_seed(&ctx.account.sealing, &serial, &seed)?;
    let seed_text = Zeroizing::new(base32::encode(&seed));
    // AWS: the user name if the caller is a user, else the account id.
    let account_name = ctx.caller_user().unwrap_or(ctx.account_id()).to_string();
    let uri = Zeroizing::new(otpauth_uri(&name, &account_name, &seed_text));
    let png = qr_png(&uri).map_err(|_| {
        IamError::invalid_input("The virtual MFA device name is too long to fit in a QR code.")
    })?;
    let tags = input.tags;
    ctx.write(|txn| {
        let devices = &txn.state.mfa_devices;
        if devices
            .find(By::Name, &serial.to_ascii_lowercase())
            .next()
            .is_some()
        {
            return Err(IamError::already_exists("MFA device already exists."));
        }
        ctx.account.quotas.check(
            crate::quotas::Quota::VirtualMFADevicesPerAccount,
            devices.counted(),
        )?;
        let device = MfaDevice {
            serial: serial.clone(),
            name: name.clone(),
            path,
            kind: MfaKind::Virtual,
            sealed_seed,
            user: None,
            enable_date: None,
            create_date: txn.now,
            last_used_step: None,
            throttle: Default::default(),
            pending_throttles: Default::default(),
            security_key: None,
            tags: tags.clone(),
        };
        save_device(txn, device)
    })?;
    let mut device = json!({
        "SerialNumber": serial,
        "Base32StringSeed": B64.encode(seed_text.as_bytes()),
        "QRCodePNG": B64.encode(&png),
    });
    if !tags.is_empty() {
        device["Tags"] = json!(tags);
    }
    Ok(json!({ "VirtualMFADevice": device }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CodesInput {
    user_name: String,
    serial_number: String,
    authentication_code1: String,
    authentication_code2: String,
}

/// Checks two consecutive codes against device `serial` in `txn`. `Ok(Err(e))`: refused;
/// the device's throttle state is updated in `txn` and a `CheckMfa` record added, and the
/// caller must commit (return the inner error through [`OpContext::write_committed`]).
fn check_consecutive(
    ctx: &OpContext<'_>,
    txn: &mut Txn,
    serial: &str,
    code1: &str,
    code2: &str,
) -> Result<Result<(), IamError>, IamError> {
    let now = ctx.account.clock.now();
    let check = Check::Consecutive(code1, code2);
    let caller = ctx.caller.principal.arn.as_str();
    let rejection = match check_code(txn, &ctx.account.sealing, serial, caller, check, now)? {
        Outcome::Accepted => return Ok(Ok(())),
        Outcome::Rejected(rejection) => rejection,
    };
    let locked_for = locked_seconds(txn, serial, caller);
    let error = match rejection {
        Rejection::Malformed | Rejection::Invalid => invalid_code(INVALID_CODE.to_string()),
        Rejection::Replayed => invalid_code(format!(
            "{INVALID_CODE} These codes were already used: each code works once. \
             Wait for the next two codes."
        )),
        Rejection::Locked => invalid_code(format!(
            "{INVALID_CODE} Too many failed attempts: this device accepts no codes \
             for {locked_for} more seconds."
        )),
    };
    audit_rejection(ctx, txn, serial, rejection, &error)?;
    Ok(Err(error))
}

/// Seconds until a locked device accepts codes from `caller` again (at least 1 when locked).
pub(crate) fn locked_seconds(txn: &Txn, serial: &str, caller: &str) -> i64 {
    txn.state
        .mfa_devices
        .get(serial)
        .and_then(|d| d.throttle_for(caller)?.locked_until)
        .map_or(0, |until| (until as i64).saturating_sub(txn.now).max(1))
}

/// Adds a `CheckMfa` audit record for a refused code to `txn` (never the code itself).
pub(crate) fn audit_rejection(
    ctx: &OpContext<'_>,
    txn: &mut Txn,
    serial: &str,
    rejection: Rejection,
    error: &IamError,
) -> Result<(), IamError> {
    let device = find_device(&txn.state, serial)?;
    let reason = match rejection {
        Rejection::Malformed => "Malformed",
        Rejection::Invalid => "Invalid",
        Rejection::Replayed => "Replayed",
        Rejection::Locked => "Locked",
    };
    let event_id = ctx.account.new_event_id()?;
    let record = crate::audit::MfaCheckFailure {
        caller: ctx.caller,
        account_id: &txn.state.account_id,
        event_source: ctx.event_source(),
        operation: ctx.operation_name(),
        serial,
        mfa_type: device.kind.audit_name(),
        reason,
        error,
        request_id: ctx.request_id(),
        event_id,
        now: txn.now,
    }
    .record();
    txn.audit(record);
    Ok(())
}

/// 403 InvalidAuthenticationCode.
fn invalid_code(message: String) -> IamError {
    IamError::new("InvalidAuthenticationCode", 403, message)
}

/// EnableMFADevice: the user is checked first (AWS answers "user cannot be found" even with
/// bogus codes), then the device (missing, already in use), the per-user quota, and the two
/// consecutive codes. Refused codes leave the device unassigned, with the failure counted.
fn enable(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CodesInput = input(value)?;
    ctx.authorize("iam:EnableMFADevice", &user_arn(ctx, &input.user_name))?;
    let serial = input.serial_number.as_str();
    ctx.write_committed(|txn| {
        let user = find_user(&txn.state, &input.user_name)?;
        let device = find_device(&txn.state, serial)?;
        if device.user.is_some() {
            return Err(IamError::already_exists("MFA Device is already in use."));
        }
        if txn.state.user_mfa_devices(&user.name).count() >= MAX_DEVICES_PER_USER {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}"
            )));
        }
        let (c1, c2) = (&input.authentication_code1, &input.authentication_code2);
        if let Err(refused) = check_consecutive(ctx, txn, serial, c1, c2)? {
            return Ok(Err(refused));
        }
        // Re-read: the check recorded the codes' step on the device.
        let mut device = (*find_device(&txn.state, serial)?).clone();
        device.user = Some(user.name.clone());
        device.enable_date = Some(txn.now);
        device.pending_throttles.clear();
        save_device(txn, device)?;
        Ok(Ok(()))
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecurityKeyInput {
    user_name: String,
    device_name: String,
    security_key: webauthn_rs::prelude::SecurityKey,
}

/// Registers a verified security key as MFA device `DeviceName` of `UserName`, with AWS's
/// serial number `arn:aws:iam::ACCOUNT:u2f/user/USER/DEVICENAME-ID` (ID: 26 random base32
/// characters). Refused: a ninth device, a name the user already has, a key already
/// registered (to anyone).
fn enable_security_key(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: SecurityKeyInput = input(value)?;
    ctx.authorize("iam:EnableMFADevice", &user_arn(ctx, &input.user_name))?;
    let name = input.device_name.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
    {
        return Err(IamError::validation(
            "The device name must be 1 to 64 letters, digits or +=,.@-_ characters.",
        ));
    }
    let random = crate::crypto::random::bytes::<16>().map_err(|_| IamError::service_failure())?;
    let id: String = base32::encode(&random).chars().take(26).collect();
    let serial = ctx.write(|txn| {
        let user = find_user(&txn.state, &input.user_name)?;
        let devices: Vec<_> = txn.state.user_mfa_devices(&user.name).cloned().collect();
        if devices.len() >= MAX_DEVICES_PER_USER {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}"
            )));
        }
        if devices.iter().any(|d| d.name.eq_ignore_ascii_case(name)) {
            return Err(IamError::already_exists(format!(
                "You already have an MFA device named {name}. Choose another name."
            )));
        }
        let cred_id = input.security_key.cred_id();
        if txn.state.mfa_devices.values().any(|d| {
            d.security_key
                .as_ref()
                .is_some_and(|k| k.cred_id() == cred_id)
        }) {
            return Err(IamError::already_exists(
                "This security key is already registered.",
            ));
        }
        let serial = format!(
            "arn:aws:iam::{}:u2f/user/{}/{name}-{id}",
            txn.state.account_id, user.name
        );
        save_device(
            txn,
            MfaDevice {
                serial: serial.clone(),
                name: name.to_string(),
                path: "/".to_string(),
                kind: MfaKind::SecurityKey,
                sealed_seed: String::new(),
                user: Some(user.name.clone()),
                enable_date: Some(txn.now),
                create_date: txn.now,
                last_used_step: None,
                throttle: Default::default(),
                pending_throttles: Default::default(),
                tags: Vec::new(),
                security_key: Some(Box::new(input.security_key.clone())),
            },
        )?;
        Ok(serial)
    })?;
    Ok(json!({ "SerialNumber": serial }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeactivateInput {
    user_name: Option<String>,
    serial_number: String,
}

/// DeactivateMFADevice: unassigns the device (virtual or hardware); the device itself stays,
/// with its replay state, so codes already used stay refused if it is enabled again.
fn deactivate(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: DeactivateInput = input(value)?;
    let name = ctx.user_or_caller(input.user_name)?;
    ctx.authorize(
        "iam:DeactivateMFADevice",
        &user_or_root_arn(ctx, name.as_deref()),
    )?;
    let serial = input.serial_number.as_str();
    ctx.write(|txn| {
        // The root user has no API-managed devices.
        let Some(name) = &name else {
            return Err(no_such_device(serial));
        };
        let user = find_user(&txn.state, name)?;
        let mut device = (*assigned_device(&txn.state, serial, &user.name)?).clone();
        // A security key exists only as its user's device: deactivating deletes it.
        if device.kind == MfaKind::SecurityKey {
            txn.delete(crate::entities::Kind::MfaDevice, serial);
            txn.state.mfa_devices.remove(serial);
            return Ok(());
        }
        device.user = None;
        device.enable_date = None;
        save_device(txn, device)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SerialInput {
    serial_number: String,
}

/// DeleteVirtualMFADevice: only unassigned virtual devices. Hardware tokens are removed by
/// an administrator, not through this API.
fn delete_virtual(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: SerialInput = input(value)?;
    let serial = input.serial_number.as_str();
    ctx.authorize("iam:DeleteVirtualMFADevice", &device_arn(ctx, serial))?;
    ctx.write(|txn| {
        let device = find_device(&txn.state, serial)?;
        if device.kind != MfaKind::Virtual {
            return Err(IamError::no_such_entity(format!(
                "MFA Device with serial number {serial} is a hardware token, not a virtual MFA device."
            )));
        }
        if device.user.is_some() {
            return Err(IamError::delete_conflict(
                "MFA Device is in use and cannot be deleted.",
            ));
        }
        txn.delete(crate::entities::Kind::MfaDevice, serial);
        txn.state.mfa_devices.remove(serial);
        Ok(())
    })?;
    Ok(json!({}))
}

/// ResyncMFADevice: two consecutive codes newer than any code already used on the device.
fn resync(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CodesInput = input(value)?;
    ctx.authorize("iam:ResyncMFADevice", &user_arn(ctx, &input.user_name))?;
    let serial = input.serial_number.as_str();
    ctx.write_committed(|txn| {
        let user = find_user(&txn.state, &input.user_name)?;
        assigned_device(&txn.state, serial, &user.name)?;
        let (c1, c2) = (&input.authentication_code1, &input.authentication_code2);
        check_consecutive(ctx, txn, serial, c1, c2)
    })?;
    Ok(json!({}))
}
