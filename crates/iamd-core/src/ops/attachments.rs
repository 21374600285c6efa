//! Managed policy attachments: Attach/Detach/ListAttached for users, groups and roles (the role
//! operations are registered in `role_policies`), who uses a policy (ListEntitiesForPolicy),
//! and the usage counts GetPolicy and ListPolicies report.
//!
//! Attachments are stored on the entity (`User.attached`, `Group.attached`, `Role.attached`,
//! ARNs in attachment order), so permissions change as soon as the write commits.
//! Attaching a policy that is already attached changes nothing; detaching one that is not
//! attached is NoSuchEntity "Policy X was not found.".

use std::collections::HashMap;

use iamd_policy::ContextValue;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::holder::Holder;
use crate::quotas::{Quota, Quotas};

use super::support::{input, paginate, Page};
use super::{iam_op as op, OpContext, Operation};
use crate::entities::policies::{find_policy, is_aws_managed};
use crate::error::IamError;
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    op(
        "AttachUserPolicy",
        |c, v| attach_policy(c, v, Holder::User),
        false,
    ),
    op(
        "DetachUserPolicy",
        |c, v| detach_policy(c, v, Holder::User),
        false,
    ),
    op(
        "ListAttachedUserPolicies",
        |c, v| list_attached_policies(c, v, Holder::User),
        true,
    ),
    op(
        "AttachGroupPolicy",
        |c, v| attach_policy(c, v, Holder::Group),
        false,
    ),
    op(
        "DetachGroupPolicy",
        |c, v| detach_policy(c, v, Holder::Group),
        false,
    ),
    op(
        "ListAttachedGroupPolicies",
        |c, v| list_attached_policies(c, v, Holder::Group),
        true,
    ),
    op("ListEntitiesForPolicy", list_entities_for_policy, true),
];

pub(crate) use crate::state::PolicyUsage;

/// Usage of every policy in use, by ARN.
pub(crate) fn usage_counts(state: &AccountState) -> HashMap<&str, PolicyUsage> {
    state.policies_in_use()
}

/// Usage of one policy.
pub(crate) fn usage_of(state: &AccountState, arn: &str) -> PolicyUsage {
    state.policy_usage(arn)
}

/// `iam:PolicyARN`, the condition key of Attach/Detach*Policy.
fn policy_arn_context(arn: &str) -> [(String, ContextValue); 1] {
    [(
        "iam:PolicyARN".to_string(),
        ContextValue::Single(arn.to_string()),
    )]
}

/// A policy that can be attached: one that exists (customer or AWS managed).
fn require_attachable(state: &AccountState, arn: &str) -> Result<(), IamError> {
    match state.policy(arn) {
        Some(_) => Ok(()),
        None => Err(IamError::no_such_entity(format!(
            "Policy {arn} does not exist or is not attachable."
        ))),
    }
}

/// Adds `arn` to an entity's attachments; `Ok(false)` when it was already there.
fn attach(
    attached: &mut Vec<String>,
    arn: &str,
    quotas: &Quotas,
    quota: Quota,
) -> Result<bool, IamError> {
    if attached.iter().any(|a| a == arn) {
        return Ok(false);
    }
    quotas.check(quota, attached.len())?;
    attached.push(arn.to_string());
    Ok(true)
}

/// Removes `arn` from an entity's attachments.
fn detach(attached: &mut Vec<String>, arn: &str) -> Result<(), IamError> {
    let Some(position) = attached.iter().position(|a| a == arn) else {
        return Err(IamError::no_such_entity(format!(
            "Policy {arn} was not found."
        )));
    };
    attached.remove(position);
    Ok(())
}

/// The model's `AttachedPolicy`, with the policy's path for `PathPrefix` filters. Name and
/// path come from the ARN (`...:policy{path}{name}`), so a listing never needs the policy.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttachedPolicy {
    policy_name: String,
    policy_arn: String,
    #[serde(skip)]
    path: String,
}

impl AttachedPolicy {
    pub(crate) fn of(arn: &str) -> AttachedPolicy {
        let resource = arn.split_once(":policy").map_or("", |(_, rest)| rest);
        let (path, name) = resource.rsplit_once('/').unwrap_or(("", resource));
        AttachedPolicy {
            policy_name: name.to_string(),
            policy_arn: arn.to_string(),
            path: format!("{path}/"),
        }
    }
}

/// The input of Attach/Detach{User,Group,Role}Policy (the wire layer has checked the
/// operation's own shape, so only one entity name is present).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttachInput {
    #[serde(rename = "UserName", alias = "GroupName", alias = "RoleName")]
    entity_name: String,
    policy_arn: String,
}

/// Attach{User,Group,Role}Policy.
pub(super) fn attach_policy(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: AttachInput = input(value)?;
    ctx.authorize_with(
        &format!("iam:Attach{}Policy", holder.title()),
        &holder.arn(ctx, &input.entity_name),
        &policy_arn_context(&input.policy_arn),
    )?;
    ctx.write(|txn| {
        let mut held = holder.load(&txn.state, &input.entity_name)?;
        require_attachable(&txn.state, &input.policy_arn)?;
        let quota = holder.attached_quota();
        if attach(
            &mut held.attached,
            &input.policy_arn,
            &ctx.account.quotas,
            quota,
        )? {
            holder.store(txn, held)?;
        }
        Ok(())
    })?;
    Ok(json!({}))
}

/// Detach{User,Group,Role}Policy.
pub(super) fn detach_policy(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: AttachInput = input(value)?;
    ctx.authorize_with(
        &format!("iam:Detach{}Policy", holder.title()),
        &holder.arn(ctx, &input.entity_name),
        &policy_arn_context(&input.policy_arn),
    )?;
    ctx.write(|txn| {
        let mut held = holder.load(&txn.state, &input.entity_name)?;
        detach(&mut held.attached, &input.policy_arn)?;
        holder.store(txn, held)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAttachedInput {
    #[serde(rename = "UserName", alias = "GroupName", alias = "RoleName")]
    entity_name: String,
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// ListAttached{User,Group,Role}Policies.
pub(super) fn list_attached_policies(
    ctx: &OpContext<'_>,
    value: &Value,
    holder: Holder,
) -> Result<Value, IamError> {
    let input: ListAttachedInput = input(value)?;
    ctx.authorize(
        &format!("iam:ListAttached{}Policies", holder.title()),
        &holder.arn(ctx, &input.entity_name),
    )?;
    let held = holder.load(&ctx.state, &input.entity_name)?;
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    let policies = held
        .attached
        .iter()
        .enumerate()
        .map(|(i, arn)| (format!("{i:08}"), AttachedPolicy::of(arn)))
        .filter(|(_, p)| p.path.starts_with(prefix));
    paginate(policies, input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "AttachedPolicies")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListEntitiesInput {
    policy_arn: String,
    entity_filter: Option<String>,
    path_prefix: Option<String>,
    policy_usage_filter: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// An entity using a policy, in the list it is reported in.
enum PolicyEntity {
    Group(Value),
    Role(Value),
    User(Value),
}

/// Which entity kinds ListEntitiesForPolicy reports: (groups, roles, users).
fn wanted_kinds(filter: Option<&str>, aws_managed: bool) -> (bool, bool, bool) {
    match filter {
        Some("User") => (false, false, true),
        Some("Group") => (true, false, false),
        Some("Role") => (false, true, false),
        Some("LocalManagedPolicy") => (!aws_managed, !aws_managed, !aws_managed),
        Some("AWSManagedPolicy") => (aws_managed, aws_managed, aws_managed),
        _ => (true, true, true),
    }
}

/// Groups, then roles, then users, each by lowercase name; the marker is the sort key of the
/// first entity of the next page.
fn list_entities_for_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListEntitiesInput = input(value)?;
    ctx.authorize("iam:ListEntitiesForPolicy", &input.policy_arn)?;
    let policy = find_policy(&ctx.state, &input.policy_arn)?;
    let arn = policy.arn.as_str();
    let (groups_wanted, roles_wanted, users_wanted) =
        wanted_kinds(input.entity_filter.as_deref(), is_aws_managed(arn));
    let usage = input.policy_usage_filter.as_deref();
    let (as_policy, as_boundary) = (
        usage != Some("PermissionsBoundary"),
        usage != Some("PermissionsPolicy"),
    );
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let uses = |attached: &[String], boundary: Option<&str>| {
        (as_policy && attached.iter().any(|a| a == arn)) || (as_boundary && boundary == Some(arn))
    };

    let state = &ctx.state;
    let groups = state
        .groups
        .iter()
        .filter(|(_, g)| groups_wanted && g.path.starts_with(&prefix) && uses(&g.attached, None))
        .map(|(key, g)| {
            let view = json!({"GroupName": g.name, "GroupId": g.id});
            (format!("g/{key}"), PolicyEntity::Group(view))
        });
    let roles = state
        .roles
        .iter()
        .filter(|(_, r)| {
            roles_wanted && r.path.starts_with(&prefix) && uses(&r.attached, r.boundary.as_deref())
        })
        .map(|(key, r)| {
            let view = json!({"RoleName": r.name, "RoleId": r.id});
            (format!("r/{key}"), PolicyEntity::Role(view))
        });
    let users = state
        .users
        .iter()
        .filter(|(_, u)| {
            users_wanted && u.path.starts_with(&prefix) && uses(&u.attached, u.boundary.as_deref())
        })
        .map(|(key, u)| {
            let view = json!({"UserName": u.name, "UserId": u.id});
            (format!("u/{key}"), PolicyEntity::User(view))
        });
    let page = paginate(
        groups.chain(roles).chain(users),
        input.marker.as_deref(),
        input.max_items,
    )?;
    let (mut policy_groups, mut policy_roles, mut policy_users) =
        (Vec::new(), Vec::new(), Vec::new());
    for entity in page.items {
        match entity {
            PolicyEntity::Group(view) => policy_groups.push(view),
            PolicyEntity::Role(view) => policy_roles.push(view),
            PolicyEntity::User(view) => policy_users.push(view),
        }
    }
    let mut result = Map::new();
    result.insert("PolicyGroups".into(), Value::Array(policy_groups));
    result.insert("PolicyRoles".into(), Value::Array(policy_roles));
    Page {
        items: policy_users,
        marker: page.marker,
    }
    .finish(result, "PolicyUsers")
}
