//! Changes to an existing role: UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
//! Put/DeleteRolePermissionsBoundary, and its tags (Tag/Untag/ListRoleTags, shared with users
//! and instance profiles in `tags`).

use iamd_policy::ContextValue;
use serde::Deserialize;
use serde_json::{json, Value};

use super::roles::{RoleDetail, RoleNameInput, RoleView};
use super::support::input;
use super::tags::{list_tags, tag, untag, Tagged};

use super::{iam_op as op, OpContext, Operation};
use crate::entities::boundaries::{boundary_context, check_boundary_policy};
use crate::entities::roles::{
    check_modifiable, compile_trust_policy, find_role, role_arn, save_role,
};
use crate::error::IamError;
use crate::model::Role;

pub(super) static OPS: &[Operation] = &[
    op("UpdateRole", update_role, false),
    op("UpdateRoleDescription", update_role_description, false),
    op("UpdateAssumeRolePolicy", update_assume_role_policy, false),
    op("PutRolePermissionsBoundary", put_boundary, false),
    op("DeleteRolePermissionsBoundary", delete_boundary, false),
    op("TagRole", |c, v| tag(c, v, Tagged::Role), false),
    op("UntagRole", |c, v| untag(c, v, Tagged::Role), false),
    op("ListRoleTags", |c, v| list_tags(c, v, Tagged::Role), true),
];

/// Authorizes `action` on role `name`, then applies `change` to it in one write; returns the
/// role as stored.
fn change_role(
    ctx: &OpContext<'_>,
    action: &str,
    name: &str,
    extra: &[(String, ContextValue)],
    change: impl FnOnce(&crate::state::AccountState, &mut Role) -> Result<(), IamError>,
) -> Result<Role, IamError> {
    ctx.authorize_with(action, &role_arn(ctx, name), extra)?;
    ctx.write(|txn| {
        let mut role = (*find_role(&txn.state, name)?).clone();
        change(&txn.state, &mut role)?;
        save_role(txn, role.clone())?;
        Ok(role)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateRoleInput {
    role_name: String,
    description: Option<String>,
    /// 3600 to 43200 seconds (checked by the wire layer against the model).
    max_session_duration: Option<i64>,
}

/// UpdateRole: the description and/or the maximum session duration; absent members stay.
fn update_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateRoleInput = input(value)?;
    change_role(ctx, "iam:UpdateRole", &input.role_name, &[], |_, role| {
        if let Some(description) = input.description {
            role.description = Some(description);
        }
        if let Some(seconds) = input.max_session_duration {
            role.max_session_duration = seconds;
        }
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateDescriptionInput {
    role_name: String,
    description: String,
}

/// UpdateRoleDescription: returns the updated role.
fn update_role_description(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateDescriptionInput = input(value)?;
    let action = "iam:UpdateRoleDescription";
    let role = change_role(ctx, action, &input.role_name, &[], |_, role| {
        role.description = Some(input.description);
        Ok(())
    })?;
    Ok(json!({ "Role": RoleView::of(&role, RoleDetail::Created) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateTrustInput {
    role_name: String,
    policy_document: String,
}

/// UpdateAssumeRolePolicy: replaces the trust policy, under CreateRole's rules.
fn update_assume_role_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateTrustInput = input(value)?;
    let action = "iam:UpdateAssumeRolePolicy";
    change_role(ctx, action, &input.role_name, &[], |state, role| {
        check_modifiable(role)?;
        role.assume_role_policy = compile_trust_policy(state, &role.name, &input.policy_document)?;
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutBoundaryInput {
    role_name: String,
    permissions_boundary: String,
}

/// PutRolePermissionsBoundary, authorized with `iam:PermissionsBoundary`.
fn put_boundary(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: PutBoundaryInput = input(value)?;
    let extra = [boundary_context(&input.permissions_boundary)];
    let action = "iam:PutRolePermissionsBoundary";
    change_role(ctx, action, &input.role_name, &extra, |state, role| {
        check_modifiable(role)?;
        check_boundary_policy(state, &input.permissions_boundary)?;
        role.boundary = Some(input.permissions_boundary);
        Ok(())
    })?;
    Ok(json!({}))
}

fn delete_boundary(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: RoleNameInput = input(value)?;
    let action = "iam:DeleteRolePermissionsBoundary";
    change_role(ctx, action, &input.role_name, &[], |_, role| {
        check_modifiable(role)?;
        role.boundary = None;
        Ok(())
    })?;
    Ok(json!({}))
}
