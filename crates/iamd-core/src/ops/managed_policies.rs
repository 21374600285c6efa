//! Managed policies: create, read, delete and list them and their versions (tags are in
//! `policy_tags`). AWS managed policies are read and listed here too; changing them is
//! refused (`aws_policies`).
//!
//! Behaviour chosen where AWS leaves room:
//! - Names are unique case-insensitively across paths ("A policy called X already exists...").
//! - DeletePolicy refuses a policy that is attached or used as a permissions boundary first,
//!   then one with versions other than the default (AWS's two `DeleteConflict` texts).
//! - `UpdateDate` is the creation time of the newest version, as AWS documents it.
//! - Version ids are never reused (`v1`, `v2`, ... even after deletions).
//! - ListPolicies `PolicyUsageFilter`: `PermissionsBoundary` keeps the policies used as a
//!   boundary; `PermissionsPolicy` keeps every policy, or with `OnlyAttached` the attached ones.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::attachments::{usage_counts, usage_of, PolicyUsage};

use super::support::{input, paginate, path_or_root};
use super::tags::{merge_tags, tag_context};
use super::{iam_op as op, OpContext, Operation};
use crate::crypto::{unique_id, UniqueIdKind};
use crate::entities::documents::encode_document;
use crate::entities::policies::{
    find_policy, is_aws_managed, refuse_aws_managed_change, save_policy,
};
use crate::error::IamError;
use crate::model::{Document, ManagedPolicy, PolicyVersion, Tag};
use crate::state::By;

pub(super) static OPS: &[Operation] = &[
    op("CreatePolicy", create_policy, false),
    op("GetPolicy", get_policy, true),
    op("DeletePolicy", delete_policy, false),
    op("ListPolicies", list_policies, true),
    op("CreatePolicyVersion", create_policy_version, false),
    op("GetPolicyVersion", get_policy_version, true),
    op("ListPolicyVersions", list_policy_versions, true),
    op("DeletePolicyVersion", delete_policy_version, false),
    op("SetDefaultPolicyVersion", set_default_policy_version, false),
];

/// Characters of a managed policy document, whitespace excluded.
pub(crate) const MAX_POLICY_SIZE: usize = 6144;
/// Versions a managed policy keeps.
pub(crate) const MAX_VERSIONS: usize = 5;

/// A managed policy as the API shows it (the model's `Policy` shape).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyView {
    policy_name: String,
    policy_id: String,
    arn: String,
    path: String,
    default_version_id: String,
    attachment_count: usize,
    permissions_boundary_usage_count: usize,
    is_attachable: bool,
    create_date: i64,
    update_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<Tag>>,
}

/// Which members a policy's answer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PolicyDetail {
    /// ListPolicies: no description, no tags.
    Listed,
    /// CreatePolicy: the description; tags only when there are some.
    Created,
    /// GetPolicy: also `Tags`, an empty list when there are none (AWS responses recorded in
    /// LocalStack's `test_iam_policies.snapshot.json`, `test_policy_lifecycle`).
    Full,
}

impl PolicyView {
    pub(crate) fn of(
        policy: &ManagedPolicy,
        usage: PolicyUsage,
        detail: PolicyDetail,
    ) -> PolicyView {
        let full = detail != PolicyDetail::Listed;
        PolicyView {
            policy_name: policy.name.clone(),
            policy_id: policy.id.clone(),
            arn: policy.arn.clone(),
            path: policy.path.clone(),
            default_version_id: policy.default_version.clone(),
            attachment_count: usage.attachments,
            permissions_boundary_usage_count: usage.boundaries,
            is_attachable: true,
            create_date: policy.create_date,
            update_date: policy.update_date,
            description: policy.description.clone().filter(|_| full),
            tags: (detail == PolicyDetail::Full || (full && !policy.tags.is_empty()))
                .then(|| policy.tags.clone()),
        }
    }
}

/// A policy version as the API shows it; the document (URL-encoded) only for GetPolicyVersion
/// and GetAccountAuthorizationDetails.
pub(crate) fn version_view(
    policy: &ManagedPolicy,
    version: &PolicyVersion,
    with_document: bool,
) -> Value {
    let mut view = json!({
        "VersionId": version.id,
        "IsDefaultVersion": version.id == policy.default_version,
        "CreateDate": version.create_date,
    });
    if with_document {
        view["Document"] = encode_document(&version.document.text).into();
    }
    view
}

/// Checks the size quota, then parses and compiles a document of policy `name`.
fn compile_document(name: &str, text: &str) -> Result<Document, IamError> {
    let size = text.chars().filter(|c| !c.is_whitespace()).count();
    if size > MAX_POLICY_SIZE {
        return Err(IamError::limit_exceeded(format!(
            "Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}"
        )));
    }
    Document::compile_managed(name, text)
}

/// A version of a policy, or AWS-style NoSuchEntity.
fn find_version<'p>(
    policy: &'p ManagedPolicy,
    version_id: &str,
) -> Result<&'p PolicyVersion, IamError> {
    policy
        .versions
        .iter()
        .find(|v| v.id == version_id)
        .ok_or_else(|| {
            IamError::no_such_entity(format!(
                "Policy {} version {version_id} does not exist or is not attachable.",
                policy.arn
            ))
        })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreatePolicyInput {
    policy_name: String,
    path: Option<String>,
    policy_document: String,
    description: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn create_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreatePolicyInput = input(value)?;
    let path = path_or_root(input.path);
    let arn = ctx.arn("policy", &path, &input.policy_name);
    ctx.authorize_with("iam:CreatePolicy", &arn, &tag_context(&input.tags)?)?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags)?;
    let document = compile_document(&input.policy_name, &input.policy_document)?;
    let id = unique_id(UniqueIdKind::Policy).map_err(|_| IamError::service_failure())?;
    let name = input.policy_name;
    let policy = ctx.write(|txn| {
        // Only customer managed policies are stored (AWS's are never, see `save_policy`).
        let local = &txn.state.policies;
        if local
            .find(By::Name, &name.to_ascii_lowercase())
            .next()
            .is_some()
        {
            return Err(IamError::already_exists(format!(
                "A policy called {name} already exists. Duplicate names are not allowed."
            )));
        }
        ctx.account
            .quotas
            .check(crate::quotas::Quota::PoliciesPerAccount, local.len())?;
        let policy = ManagedPolicy {
            name,
            id,
            path,
            arn,
            description: input.description,
            create_date: txn.now,
            update_date: txn.now,
            default_version: "v1".into(),
            versions: vec![PolicyVersion {
                id: "v1".into(),
                document,
                create_date: txn.now,
            }],
            next_version: 2,
            tags,
        };
        save_policy(txn, policy.clone())?;
        Ok(policy)
    })?;
    Ok(json!({ "Policy": PolicyView::of(&policy, PolicyUsage::default(), PolicyDetail::Created) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyArnInput {
    policy_arn: String,
}

fn get_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: PolicyArnInput = input(value)?;
    ctx.authorize("iam:GetPolicy", &input.policy_arn)?;
    let policy = find_policy(&ctx.state, &input.policy_arn)?;
    let usage = usage_of(&ctx.state, &policy.arn);
    Ok(json!({ "Policy": PolicyView::of(&policy, usage, PolicyDetail::Full) }))
}

fn delete_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: PolicyArnInput = input(value)?;
    ctx.authorize("iam:DeletePolicy", &input.policy_arn)?;
    refuse_aws_managed_change(ctx, "iam:DeletePolicy", &input.policy_arn)?;
    ctx.write(|txn| {
        let policy = find_policy(&txn.state, &input.policy_arn)?;
        let usage = usage_of(&txn.state, &policy.arn);
        if usage.attachments > 0 || usage.boundaries > 0 {
            return Err(IamError::delete_conflict(
                "Cannot delete a policy attached to entities.",
            ));
        }
        if policy.versions.len() > 1 {
            return Err(IamError::delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must \
                 delete the policy's versions. The default version is deleted with the policy.",
            ));
        }
        txn.delete(crate::entities::Kind::Policy, &policy.arn);
        txn.state.policies.remove(&policy.arn);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListPoliciesInput {
    scope: Option<String>,
    #[serde(default)]
    only_attached: bool,
    path_prefix: Option<String>,
    policy_usage_filter: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_policies(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListPoliciesInput = input(value)?;
    ctx.authorize("iam:ListPolicies", &ctx.arn("policy", "/", ""))?;
    let usage = usage_counts(&ctx.state);
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let scope = input.scope.unwrap_or_else(|| "All".into());
    let wanted = |policy: &ManagedPolicy, used: PolicyUsage| {
        let in_scope = match scope.as_str() {
            "AWS" => is_aws_managed(&policy.arn),
            "Local" => !is_aws_managed(&policy.arn),
            _ => true,
        };
        let (as_policy, as_boundary) = (used.attachments > 0, used.boundaries > 0);
        let in_use = match input.policy_usage_filter.as_deref() {
            Some("PermissionsBoundary") => as_boundary,
            Some(_) => as_policy || !input.only_attached,
            None => as_policy || as_boundary || !input.only_attached,
        };
        in_scope && in_use && policy.path.starts_with(&prefix)
    };
    // In ARN order: the account's policies (`arn:aws:iam::<digits>:`) sort before AWS's
    // (`arn:aws:iam::aws:`), which the catalogue lists sorted.
    let local = ctx.state.policies.values().map(|p| &**p);
    let aws = crate::aws_policies::entries().iter().map(|e| &e.summary);
    let policies = local.chain(aws).filter_map(|policy| {
        let used = usage.get(policy.arn.as_str()).copied().unwrap_or_default();
        wanted(policy, used).then(|| {
            (
                policy.arn.clone(),
                PolicyView::of(policy, used, PolicyDetail::Listed),
            )
        })
    });
    paginate(policies, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Policies")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateVersionInput {
    policy_arn: String,
    policy_document: String,
    #[serde(default)]
    set_as_default: bool,
}

fn create_policy_version(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateVersionInput = input(value)?;
    ctx.authorize("iam:CreatePolicyVersion", &input.policy_arn)?;
    refuse_aws_managed_change(ctx, "iam:CreatePolicyVersion", &input.policy_arn)?;
    let (policy, version) = ctx.write(|txn| {
        let mut policy = (*find_policy(&txn.state, &input.policy_arn)?).clone();
        if policy.versions.len() >= MAX_VERSIONS {
            return Err(IamError::limit_exceeded(format!(
                "A managed policy can have up to {MAX_VERSIONS} versions. Before you create a \
                 new version, you must delete an existing version."
            )));
        }
        let version = PolicyVersion {
            id: format!("v{}", policy.next_version),
            document: compile_document(&policy.name, &input.policy_document)?,
            create_date: txn.now,
        };
        policy.next_version += 1;
        policy.update_date = txn.now;
        if input.set_as_default {
            policy.default_version = version.id.clone();
        }
        policy.versions.push(version.clone());
        save_policy(txn, policy.clone())?;
        Ok((policy, version))
    })?;
    Ok(json!({ "PolicyVersion": version_view(&policy, &version, false) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersionInput {
    policy_arn: String,
    version_id: String,
}

fn get_policy_version(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: VersionInput = input(value)?;
    ctx.authorize("iam:GetPolicyVersion", &input.policy_arn)?;
    let policy = find_policy(&ctx.state, &input.policy_arn)?;
    let version = find_version(&policy, &input.version_id)?;
    Ok(json!({ "PolicyVersion": version_view(&policy, version, true) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListByPolicyInput {
    pub(super) policy_arn: String,
    pub(super) marker: Option<String>,
    pub(super) max_items: Option<i64>,
}

/// Versions, newest first as AWS lists them, without their documents.
fn list_policy_versions(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListByPolicyInput = input(value)?;
    ctx.authorize("iam:ListPolicyVersions", &input.policy_arn)?;
    let policy = find_policy(&ctx.state, &input.policy_arn)?;
    let versions = policy
        .versions
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| (format!("{i:08}"), version_view(&policy, v, false)));
    paginate(versions, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Versions")
}

fn delete_policy_version(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: VersionInput = input(value)?;
    ctx.authorize("iam:DeletePolicyVersion", &input.policy_arn)?;
    refuse_aws_managed_change(ctx, "iam:DeletePolicyVersion", &input.policy_arn)?;
    ctx.write(|txn| {
        let mut policy = (*find_policy(&txn.state, &input.policy_arn)?).clone();
        find_version(&policy, &input.version_id)?;
        if policy.default_version == input.version_id {
            return Err(IamError::delete_conflict(
                "Cannot delete the default version of a policy.",
            ));
        }
        policy.versions.retain(|v| v.id != input.version_id);
        save_policy(txn, policy)
    })?;
    Ok(json!({}))
}

fn set_default_policy_version(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: VersionInput = input(value)?;
    ctx.authorize("iam:SetDefaultPolicyVersion", &input.policy_arn)?;
    refuse_aws_managed_change(ctx, "iam:SetDefaultPolicyVersion", &input.policy_arn)?;
    ctx.write(|txn| {
        let mut policy = (*find_policy(&txn.state, &input.policy_arn)?).clone();
        find_version(&policy, &input.version_id)?;
        policy.default_version = input.version_id;
        save_policy(txn, policy)
    })?;
    Ok(json!({}))
}
