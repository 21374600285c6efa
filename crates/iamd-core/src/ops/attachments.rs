//! Managed policy attachments: Attach/Detach/ListAttached for users and groups, who uses a
//! policy (ListEntitiesForPolicy), and the usage counts GetPolicy and ListPolicies report.
//!
//! Attachments are stored on the entity (`User.attached`, `Group.attached`, ARNs in
//! attachment order), so a user's permissions change as soon as the write commits.
//! Attaching a policy that is already attached changes nothing; detaching one that is not
//! attached is NoSuchEntity "Policy X was not found.".

use std::collections::HashMap;

use iamd_policy::ContextValue;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::groups::{find_group, group_arn, save_group};
use super::managed_policies::{find_policy, is_aws_managed};
use super::support::{input, paginate, Page};
use super::users::{find_user, save_user, user_arn};
use super::{iam_op as op, OpContext, Operation};
use crate::error::IamError;
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    op("AttachUserPolicy", attach_user_policy, false),
    op("DetachUserPolicy", detach_user_policy, false),
    op(
        "ListAttachedUserPolicies",
        list_attached_user_policies,
        true,
    ),
    op("AttachGroupPolicy", attach_group_policy, false),
    op("DetachGroupPolicy", detach_group_policy, false),
    op(
        "ListAttachedGroupPolicies",
        list_attached_group_policies,
        true,
    ),
    op("ListEntitiesForPolicy", list_entities_for_policy, true),
];

/// Managed policies attached to one user (AWS's default quota).
pub(crate) const MAX_POLICIES_PER_USER: usize = 10;
/// Managed policies attached to one group.
pub(crate) const MAX_POLICIES_PER_GROUP: usize = 10;

/// How a managed policy is used.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PolicyUsage {
    /// Users, groups and roles the policy is attached to.
    pub attachments: usize,
    /// Users and roles whose permissions boundary the policy is.
    pub boundaries: usize,
}

/// Usage of every policy in use, by ARN (one pass over users and groups).
pub(crate) fn usage_counts(state: &AccountState) -> HashMap<&str, PolicyUsage> {
    let mut usage: HashMap<&str, PolicyUsage> = HashMap::new();
    for user in state.users.values() {
        for arn in &user.attached {
            usage.entry(arn.as_str()).or_default().attachments += 1;
        }
        if let Some(arn) = &user.boundary {
            usage.entry(arn.as_str()).or_default().boundaries += 1;
        }
    }
    for group in state.groups.values() {
        for arn in &group.attached {
            usage.entry(arn.as_str()).or_default().attachments += 1;
        }
    }
    for role in state.roles.values() {
        for arn in &role.attached {
            usage.entry(arn.as_str()).or_default().attachments += 1;
        }
        if let Some(arn) = &role.boundary {
            usage.entry(arn.as_str()).or_default().boundaries += 1;
        }
    }
    usage
}

/// Usage of one policy.
pub(crate) fn usage_of(state: &AccountState, arn: &str) -> PolicyUsage {
    usage_counts(state).get(arn).copied().unwrap_or_default()
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
    quota: &str,
    max: usize,
) -> Result<bool, IamError> {
    if attached.iter().any(|a| a == arn) {
        return Ok(false);
    }
    if attached.len() >= max {
        return Err(IamError::limit_exceeded(format!(
            "Cannot exceed quota for {quota}: {max}"
        )));
    }
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

/// One page of an entity's attached policies.
fn list_attached(
    attached: &[String],
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i64>,
) -> Result<Value, IamError> {
    let prefix = path_prefix.unwrap_or("/");
    let policies = attached
        .iter()
        .enumerate()
        .map(|(i, arn)| (format!("{i:08}"), AttachedPolicy::of(arn)))
        .filter(|(_, p)| p.path.starts_with(prefix));
    paginate(policies, marker, max_items)?.finish(Map::new(), "AttachedPolicies")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserPolicyInput {
    user_name: String,
    policy_arn: String,
}

fn attach_user_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UserPolicyInput = input(value)?;
    ctx.authorize_with(
        "iam:AttachUserPolicy",
        &user_arn(ctx, &input.user_name),
        &policy_arn_context(&input.policy_arn),
    )?;
    ctx.write(|txn| {
        let mut user = (*find_user(&txn.state, &input.user_name)?).clone();
        require_attachable(&txn.state, &input.policy_arn)?;
        let quota = ("PoliciesPerUser", MAX_POLICIES_PER_USER);
        if attach(&mut user.attached, &input.policy_arn, quota.0, quota.1)? {
            save_user(txn, user)?;
        }
        Ok(())
    })?;
    Ok(json!({}))
}

fn detach_user_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UserPolicyInput = input(value)?;
    ctx.authorize_with(
        "iam:DetachUserPolicy",
        &user_arn(ctx, &input.user_name),
        &policy_arn_context(&input.policy_arn),
    )?;
    ctx.write(|txn| {
        let mut user = (*find_user(&txn.state, &input.user_name)?).clone();
        detach(&mut user.attached, &input.policy_arn)?;
        save_user(txn, user)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAttachedUserInput {
    user_name: String,
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_attached_user_policies(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListAttachedUserInput = input(value)?;
    ctx.authorize(
        "iam:ListAttachedUserPolicies",
        &user_arn(ctx, &input.user_name),
    )?;
    let user = find_user(&ctx.state, &input.user_name)?;
    list_attached(
        &user.attached,
        input.path_prefix.as_deref(),
        input.marker.as_deref(),
        input.max_items,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupPolicyInput {
    group_name: String,
    policy_arn: String,
}

fn attach_group_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GroupPolicyInput = input(value)?;
    ctx.authorize_with(
        "iam:AttachGroupPolicy",
        &group_arn(ctx, &input.group_name),
        &policy_arn_context(&input.policy_arn),
    )?;
    ctx.write(|txn| {
        let mut group = (*find_group(&txn.state, &input.group_name)?).clone();
        require_attachable(&txn.state, &input.policy_arn)?;
        let quota = ("PoliciesPerGroup", MAX_POLICIES_PER_GROUP);
        if attach(&mut group.attached, &input.policy_arn, quota.0, quota.1)? {
            save_group(txn, group)?;
        }
        Ok(())
    })?;
    Ok(json!({}))
}

fn detach_group_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GroupPolicyInput = input(value)?;
    ctx.authorize_with(
        "iam:DetachGroupPolicy",
        &group_arn(ctx, &input.group_name),
        &policy_arn_context(&input.policy_arn),
    )?;
    ctx.write(|txn| {
        let mut group = (*find_group(&txn.state, &input.group_name)?).clone();
        detach(&mut group.attached, &input.policy_arn)?;
        save_group(txn, group)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAttachedGroupInput {
    group_name: String,
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_attached_group_policies(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListAttachedGroupInput = input(value)?;
    ctx.authorize(
        "iam:ListAttachedGroupPolicies",
        &group_arn(ctx, &input.group_name),
    )?;
    let group = find_group(&ctx.state, &input.group_name)?;
    list_attached(
        &group.attached,
        input.path_prefix.as_deref(),
        input.marker.as_deref(),
        input.max_items,
    )
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
    User(Value),
}

/// Groups then users (roles will sort between them), each by lowercase name; the marker
/// is the sort key of the first entity of the next page.
fn list_entities_for_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListEntitiesInput = input(value)?;
    ctx.authorize("iam:ListEntitiesForPolicy", &input.policy_arn)?;
    let policy = find_policy(&ctx.state, &input.policy_arn)?;
    let arn = policy.arn.as_str();
    let aws_managed = is_aws_managed(arn);
    let (groups_wanted, users_wanted) = match input.entity_filter.as_deref() {
        Some("User") => (false, true),
        Some("Group") => (true, false),
        Some("Role") => (false, false),
        Some("LocalManagedPolicy") => (!aws_managed, !aws_managed),
        Some("AWSManagedPolicy") => (aws_managed, aws_managed),
        _ => (true, true),
    };
    let usage = input.policy_usage_filter.as_deref();
    let (as_policy, as_boundary) = (
        usage != Some("PermissionsBoundary"),
        usage != Some("PermissionsPolicy"),
    );
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let attached = |list: &[String]| as_policy && list.iter().any(|a| a == arn);

    let groups = ctx
        .state
        .groups
        .iter()
        .filter(|(_, g)| groups_wanted && g.path.starts_with(&prefix) && attached(&g.attached))
        .map(|(key, g)| {
            let view = json!({"GroupName": g.name, "GroupId": g.id});
            (format!("g/{key}"), PolicyEntity::Group(view))
        });
    let users = ctx
        .state
        .users
        .iter()
        .filter(|(_, u)| {
            let boundary = as_boundary && u.boundary.as_deref() == Some(arn);
            users_wanted && u.path.starts_with(&prefix) && (attached(&u.attached) || boundary)
        })
        .map(|(key, u)| {
            let view = json!({"UserName": u.name, "UserId": u.id});
            (format!("u/{key}"), PolicyEntity::User(view))
        });
    let page = paginate(
        groups.chain(users),
        input.marker.as_deref(),
        input.max_items,
    )?;
    let (mut policy_groups, mut policy_users) = (Vec::new(), Vec::new());
    for entity in page.items {
        match entity {
            PolicyEntity::Group(view) => policy_groups.push(view),
            PolicyEntity::User(view) => policy_users.push(view),
        }
    }
    let mut result = Map::new();
    result.insert("PolicyGroups".into(), Value::Array(policy_groups));
    result.insert("PolicyRoles".into(), Value::Array(Vec::new()));
    Page {
        items: policy_users,
        marker: page.marker,
    }
    .finish(result, "PolicyUsers")
}
