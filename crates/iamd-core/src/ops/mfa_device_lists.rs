//! MFA device reads and tags: ListMFADevices, ListVirtualMFADevices, GetMFADevice,
//! TagMFADevice, UntagMFADevice, ListMFADeviceTags. Never a seed: it is returned by
//! CreateVirtualMFADevice only.

use iamd_policy::ContextValue;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use std::sync::Arc;

use super::support::{entries_from, input, paginate, paginate_by};
use super::tags::{merge_tags, tag_context};
use super::users::UserView;
use super::OpContext;
use crate::entities::mfa_devices::{
    device_arn, find_device, no_such_device, save_device, user_or_root_arn,
};
use crate::entities::users::find_user;
use crate::error::IamError;
use crate::model::{MfaDevice, MfaKind, Tag};
use crate::state::By;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListMfaInput {
    user_name: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// ListMFADevices: the devices assigned to a user (default: the caller), virtual and
/// hardware, by serial number. The root user has no API-managed devices: an empty list.
pub(super) fn list_mfa_devices(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListMfaInput = input(value)?;
    let name = ctx.user_or_caller(input.user_name)?;
    ctx.authorize(
        "iam:ListMFADevices",
        &user_or_root_arn(ctx, name.as_deref()),
    )?;
    let mut items = Vec::new();
    if let Some(name) = &name {
        let user = find_user(&ctx.state, name)?;
        items.extend(ctx.state.user_mfa_devices(&user.name).map(|d| {
            let item = json!({
                "UserName": user.name,
                "SerialNumber": d.serial,
                "EnableDate": d.enable_date.unwrap_or(d.create_date),
            });
            (d.serial.clone(), item)
        }));
    }
    paginate(items.into_iter(), input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "MFADevices")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListVirtualInput {
    assignment_status: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// ListVirtualMFADevices: virtual devices by serial number, filtered by `AssignmentStatus`
/// (`Assigned`, `Unassigned`, default `Any`); assigned ones carry `EnableDate` and `User`.
pub(super) fn list_virtual_mfa_devices(
    ctx: &OpContext<'_>,
    value: &Value,
) -> Result<Value, IamError> {
    let input: ListVirtualInput = input(value)?;
    ctx.authorize("iam:ListVirtualMFADevices", &ctx.arn("mfa", "/", ""))?;
    // `None`: any status, the virtual devices among all (few are not virtual); otherwise
    // the status index, so that a page starts at its marker in O(log n).
    let status = match input.assignment_status.as_deref() {
        None | Some("Any") => None,
        Some(status @ ("Assigned" | "Unassigned")) => Some(status),
        Some(other) => {
            return Err(IamError::validation(format!(
                "1 validation error detected: Value '{other}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]"
            )))
        }
    };
    let marker = input.marker.as_deref();
    let devices = &ctx.state.mfa_devices;
    let items: Box<dyn Iterator<Item = (&String, &Arc<MfaDevice>)>> = match status {
        None => Box::new(entries_from(devices, marker).filter(|(_, d)| d.kind == MfaKind::Virtual)),
        Some(status) => Box::new(devices.find_from(By::Status, status, marker)),
    };
    let items = items.map(|(serial, d)| (serial.clone(), d));
    paginate_by(items, marker, input.max_items, |d| {
        let mut item = json!({ "SerialNumber": d.serial });
        if let Some(user) = d.user.as_deref().and_then(|u| ctx.state.user(u)) {
            item["User"] = json!(UserView::of(user, false));
            if let Some(date) = d.enable_date {
                item["EnableDate"] = json!(date);
            }
        }
        item
    })?
    .finish(Map::new(), "VirtualMFADevices")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetInput {
    serial_number: String,
    user_name: Option<String>,
}

/// GetMFADevice: a FIDO security key of the user, with its enable date and no certifications
/// (AWS documents that it accepts only FIDO security key ARNs). For a TOTP device (virtual or hardware) the answer is NoSuchEntity
/// (the only client error AWS models for this operation), saying to use ListMFADevices.
pub(super) fn get_mfa_device(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetInput = input(value)?;
    let name = ctx.user_or_caller(input.user_name)?;
    ctx.authorize("iam:GetMFADevice", &user_or_root_arn(ctx, name.as_deref()))?;
    if let Some(name) = &name {
        find_user(&ctx.state, name)?;
    }
    let serial = &input.serial_number;
    let device = find_device(&ctx.state, serial)?;
    let owner = device.user.as_deref();
    if device.kind == MfaKind::SecurityKey
        && owner.is_some_and(|o| name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(o)))
    {
        // Certifications come from the FIDO metadata service, which iamd does not consult.
        return Ok(json!({
            "UserName": owner,
            "SerialNumber": device.serial,
            "EnableDate": device.enable_date.unwrap_or(device.create_date),
            "Certifications": {},
        }));
    }
    Err(IamError::no_such_entity(format!(
        "MFA Device with serial number {serial} is not a FIDO security key: GetMFADevice accepts only FIDO security key ARNs. Use ListMFADevices for TOTP devices."
    )))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagInput {
    serial_number: String,
    tags: Vec<Tag>,
}

pub(super) fn tag_mfa_device(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: TagInput = input(value)?;
    let serial = input.serial_number.as_str();
    ctx.authorize_with(
        "iam:TagMFADevice",
        &device_arn(ctx, serial),
        &tag_context(&input.tags)?,
    )?;
    ctx.write(|txn| {
        let mut device = (*find_device(&txn.state, serial)?).clone();
        merge_tags(&mut device.tags, input.tags)?;
        save_device(txn, device)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UntagInput {
    serial_number: String,
    tag_keys: Vec<String>,
}

pub(super) fn untag_mfa_device(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UntagInput = input(value)?;
    let serial = input.serial_number.as_str();
    let extra = [(
        "aws:TagKeys".to_string(),
        ContextValue::Multi(input.tag_keys.clone()),
    )];
    ctx.authorize_with("iam:UntagMFADevice", &device_arn(ctx, serial), &extra)?;
    ctx.write(|txn| {
        let mut device = (*find_device(&txn.state, serial)?).clone();
        device.tags.retain(|t| !input.tag_keys.contains(&t.key));
        save_device(txn, device)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListTagsInput {
    serial_number: String,
    marker: Option<String>,
    max_items: Option<i64>,
}

pub(super) fn list_mfa_device_tags(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListTagsInput = input(value)?;
    let serial = input.serial_number.as_str();
    ctx.authorize("iam:ListMFADeviceTags", &device_arn(ctx, serial))?;
    let device = ctx
        .state
        .mfa_devices
        .get(serial)
        .cloned()
        .ok_or_else(|| no_such_device(serial))?;
    let tags = device
        .tags
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("{i:08}"), t.clone()));
    paginate(tags, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Tags")
}
