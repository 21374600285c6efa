//! Roles: Create/Get/Delete/List, and the trust policy rules they share with
//! UpdateAssumeRolePolicy.
//!
//! Choices, as AWS:
//! - names are unique case-insensitively ("Role with name X already exists.");
//! - the trust policy is a resource-based policy (`Principal` required) of at most 2048
//!   characters other than whitespace (quota `ACLSizePerRole`); an `AWS` principal naming a
//!   user or role of this account that does not exist is refused ("Invalid principal in
//!   policy: "AWS":"ARN""), as AWS resolves such ARNs to unique ids when it stores the policy;
//!   `Resource`/`NotResource` are refused ("Has prohibited field Resource"), and a statement
//!   without `Principal` gets AWS's observed "...The passed in policy has a statement with no
//!   principals!";
//! - `AssumeRolePolicyDocument` is returned percent-encoded, like inline policy documents.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{input, paginate, path_or_root};
use super::tags::{merge_tags, tag_context};

use super::{iam_op as op, OpContext, Operation};
use crate::crypto::{unique_id, UniqueIdKind};
use crate::entities::boundaries::{boundary_context, check_boundary_policy};
use crate::entities::documents::encode_document;
use crate::entities::roles::{
    check_modifiable, compile_trust_policy, find_role, role_arn, save_role,
};
use crate::error::IamError;
use crate::model::{Role, Tag};

pub(super) static OPS: &[Operation] = &[
    op("CreateRole", create_role, false),
    op("GetRole", get_role, true),
    op("DeleteRole", delete_role, false),
    op("ListRoles", list_roles, true),
];

/// `MaxSessionDuration` when CreateRole does not say.
pub(crate) const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

/// How much of a role the API shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleDetail {
    /// ListRoles and the roles inside instance profiles: no boundary, tags or last use.
    Listed,
    /// CreateRole, UpdateRoleDescription: with boundary and tags.
    Created,
    /// GetRole: everything, `RoleLastUsed` included.
    Full,
}

/// A role as the API shows it (the model's `Role` shape).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RoleView {
    path: String,
    role_name: String,
    role_id: String,
    arn: String,
    create_date: i64,
    assume_role_policy_document: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Not in CreateRole's and UpdateRoleDescription's answers (AWS responses recorded in
    /// LocalStack's `test_iam_roles.snapshot.json`: `test_create_role_defaults`,
    /// `test_update_role`).
    #[serde(skip_serializing_if = "Option::is_none")]
    max_session_duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_last_used: Option<Value>,
}

impl RoleView {
    pub(crate) fn of(role: &Role, detail: RoleDetail) -> RoleView {
        let detailed = detail != RoleDetail::Listed;
        RoleView {
            path: role.path.clone(),
            role_name: role.name.clone(),
            role_id: role.id.clone(),
            arn: role.arn.clone(),
            create_date: role.create_date,
            assume_role_policy_document: encode_document(&role.assume_role_policy.text),
            description: role.description.clone(),
            max_session_duration: (detail != RoleDetail::Created)
                .then_some(role.max_session_duration),
            permissions_boundary: role.boundary.as_ref().filter(|_| detailed).map(|arn| {
                json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn})
            }),
            tags: (detailed && !role.tags.is_empty()).then(|| role.tags.clone()),
            // AWS returns an empty `RoleLastUsed` for a role never used.
            role_last_used: (detail == RoleDetail::Full).then(|| match &role.last_used {
                Some((date, region)) => json!({"LastUsedDate": date, "Region": region}),
                None => json!({}),
            }),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRoleInput {
    role_name: String,
    path: Option<String>,
    assume_role_policy_document: String,
    description: Option<String>,
    max_session_duration: Option<i64>,
    permissions_boundary: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn create_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateRoleInput = input(value)?;
    let path = path_or_root(input.path);
    let arn = ctx.arn("role", &path, &input.role_name);
    let mut extra = tag_context(&input.tags)?;
    extra.extend(input.permissions_boundary.as_deref().map(boundary_context));
    ctx.authorize_with("iam:CreateRole", &arn, &extra)?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags)?;
    let id = unique_id(UniqueIdKind::Role).map_err(|_| IamError::service_failure())?;
    let role = ctx.write(|txn| {
        if txn.state.role(&input.role_name).is_some() {
            return Err(IamError::already_exists(format!(
                "Role with name {} already exists.",
                input.role_name
            )));
        }
        check_role_quota(ctx, &txn.state)?;
        let trust = compile_trust_policy(
            &txn.state,
            &input.role_name,
            &input.assume_role_policy_document,
        )?;
        if let Some(b) = &input.permissions_boundary {
            check_boundary_policy(&txn.state, b)?;
        }
        let role = Role {
            name: input.role_name.clone(),
            id,
            path,
            arn,
            create_date: txn.now,
            description: input.description,
            max_session_duration: input
                .max_session_duration
                .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
            assume_role_policy: trust,
            tags,
            inline: Default::default(),
            attached: Vec::new(),
            boundary: input.permissions_boundary,
            last_used: None,
            linked_service: None,
        };
        save_role(txn, role.clone())?;
        Ok(role)
    })?;
    Ok(json!({ "Role": RoleView::of(&role, RoleDetail::Created) }))
}

/// AWS's quota of roles in an account (service-linked roles count).
pub(super) fn check_role_quota(
    ctx: &OpContext<'_>,
    state: &crate::state::AccountState,
) -> Result<(), IamError> {
    ctx.account
        .quotas
        .check(crate::quotas::Quota::RolesPerAccount, state.roles.len())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RoleNameInput {
    pub(super) role_name: String,
}

fn get_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: RoleNameInput = input(value)?;
    ctx.authorize("iam:GetRole", &role_arn(ctx, &input.role_name))?;
    let mut role = (*find_role(&ctx.state, &input.role_name)?).clone();
    // Sessions' requests are recorded in memory (see `Account::role_last_used`).
    role.last_used = ctx.account.role_last_used(&role);
    Ok(json!({ "Role": RoleView::of(&role, RoleDetail::Full) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRolesInput {
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_roles(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListRolesInput = input(value)?;
    ctx.authorize("iam:ListRoles", &ctx.arn("role", "/", ""))?;
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let roles = ctx
        .state
        .roles
        .iter()
        .filter(|(_, r)| r.path.starts_with(&prefix))
        .map(|(k, r)| (k.clone(), RoleView::of(r, RoleDetail::Listed)));
    paginate(roles, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Roles")
}

fn delete_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: RoleNameInput = input(value)?;
    ctx.authorize("iam:DeleteRole", &role_arn(ctx, &input.role_name))?;
    ctx.write(|txn| {
        let role = find_role(&txn.state, &input.role_name)?;
        check_modifiable(&role)?;
        let conflict = |what: &str| {
            Err(IamError::delete_conflict(format!(
                "Cannot delete entity, must {what} first."
            )))
        };
        let in_profile = txn
            .state
            .instance_profiles
            .values()
            .any(|p| p.roles.iter().any(|r| r.eq_ignore_ascii_case(&role.name)));
        if in_profile {
            return conflict("remove roles from instance profile");
        }
        if !role.attached.is_empty() {
            return conflict("detach all policies");
        }
        if !role.inline.is_empty() {
            return conflict("delete policies");
        }
        let key = role.name.to_lowercase();
        txn.delete(crate::entities::Kind::Role, &key);
        txn.state.roles.remove(&key);
        Ok(())
    })?;
    Ok(json!({}))
}
