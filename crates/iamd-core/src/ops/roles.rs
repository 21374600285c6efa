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

use std::sync::Arc;

use iamd_policy::{messages, PolicyKind, PrincipalEntry};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::inline_policies::{encode_document, policy_size};
use super::support::{input, paginate, path_or_root};
use super::tags::{merge_tags, tag_context};
use super::users::{boundary_context, check_boundary_policy};
use super::{iam_op as op, OpContext, Operation};
use crate::account::Txn;
use crate::crypto::{unique_id, UniqueIdKind};
use crate::error::IamError;
use crate::model::{Document, Role, Tag};
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    op("CreateRole", create_role, false),
    op("GetRole", get_role, true),
    op("DeleteRole", delete_role, false),
    op("ListRoles", list_roles, true),
];

/// AWS's default quota of roles in an account.
pub(crate) const MAX_ROLES: usize = 1000;
/// AWS's quota on a trust policy's size (characters other than whitespace).
pub(crate) const MAX_TRUST_POLICY_SIZE: usize = 2048;
/// `MaxSessionDuration` when CreateRole does not say.
pub(crate) const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

/// What AWS answers for a trust policy statement without `Principal` (observed text).
const TRUST_POLICY_WITHOUT_PRINCIPAL: &str = "Invalid principal in policy: \
     com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!";

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
    max_session_duration: i64,
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
            max_session_duration: role.max_session_duration,
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

/// The ARN of role `name`: its real one when it exists, else with the root path.
pub(crate) fn role_arn(ctx: &OpContext<'_>, name: &str) -> String {
    match ctx.state.role(name) {
        Some(role) => role.arn.clone(),
        None => ctx.arn("role", "/", name),
    }
}

/// AWS's NoSuchEntity for a missing role.
pub(crate) fn no_such_role(name: &str) -> IamError {
    IamError::no_such_entity(format!("The role with name {name} cannot be found."))
}

/// Looks a role up (case-insensitively) in a state.
pub(crate) fn find_role(state: &AccountState, name: &str) -> Result<Arc<Role>, IamError> {
    state.role(name).cloned().ok_or_else(|| no_such_role(name))
}

/// Stores a role in a transaction.
pub(crate) fn save_role(txn: &mut Txn, role: Role) -> Result<(), IamError> {
    let key = role.name.to_lowercase();
    txn.put("role", &key, &role)?;
    txn.state.roles.insert(key, Arc::new(role));
    Ok(())
}

/// Checks and compiles the trust policy of role `role_name` against `state` (whose users and
/// roles the policy's principals must name).
pub(crate) fn compile_trust_policy(
    state: &AccountState,
    role_name: &str,
    text: &str,
) -> Result<Document, IamError> {
    if policy_size(text) > MAX_TRUST_POLICY_SIZE {
        return Err(IamError::limit_exceeded(format!(
            "Cannot exceed quota for ACLSizePerRole: {MAX_TRUST_POLICY_SIZE}"
        )));
    }
    if let Some(field) = prohibited_field(text) {
        return Err(IamError::malformed_policy(format!(
            "Has prohibited field {field}"
        )));
    }
    let document = Document::compile(role_name, text, PolicyKind::Resource).map_err(|e| {
        if e.message == messages::MISSING_PRINCIPAL {
            IamError::malformed_policy(TRUST_POLICY_WITHOUT_PRINCIPAL)
        } else {
            e
        }
    })?;
    let statements = document.compiled.iter().flat_map(|p| p.policy.statements());
    for principals in statements.filter_map(|s| s.principals.as_ref()) {
        for entry in &principals.entries {
            if let PrincipalEntry::Arn(arn) = entry {
                if !principal_exists(state, arn) {
                    return Err(IamError::malformed_policy(format!(
                        "Invalid principal in policy: \"AWS\":\"{arn}\""
                    )));
                }
            }
        }
    }
    Ok(document)
}

/// `Resource` or `NotResource` in a trust policy statement: a trust policy applies to its
/// role, so AWS refuses them, before it looks at the principals. Text that is not JSON is
/// left to the parser.
fn prohibited_field(text: &str) -> Option<&'static str> {
    let policy: Value = serde_json::from_str(text).ok()?;
    let statements = match policy.get("Statement")? {
        Value::Array(list) => list.iter().collect(),
        single => vec![single],
    };
    statements.into_iter().find_map(|statement| {
        ["Resource", "NotResource"]
            .into_iter()
            .find(|field| statement.get(field).is_some())
    })
}

/// Whether an `AWS` principal ARN names an existing user or role; ARNs of other accounts and
/// of sessions (`sts`) cannot be checked here and are accepted.
fn principal_exists(state: &AccountState, arn: &str) -> bool {
    let own = format!("arn:aws:iam::{}:", state.account_id);
    let Some(resource) = arn.strip_prefix(&own) else {
        return true;
    };
    let name = resource.rsplit('/').next().unwrap_or_default();
    match resource.split_once('/') {
        Some(("user", _)) => state.user(name).is_some_and(|u| u.arn == arn),
        Some(("role", _)) => state.role(name).is_some_and(|r| r.arn == arn),
        _ => true,
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
    let mut extra = tag_context(&input.tags);
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
        if txn.state.roles.len() >= MAX_ROLES {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for RolesPerAccount: {MAX_ROLES}"
            )));
        }
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
        };
        save_role(txn, role.clone())?;
        Ok(role)
    })?;
    Ok(json!({ "Role": RoleView::of(&role, RoleDetail::Created) }))
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
        txn.delete("role", &key);
        txn.state.roles.remove(&key);
        Ok(())
    })?;
    Ok(json!({}))
}
