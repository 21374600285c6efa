//! Instance profiles: Create/Get/Delete/ListInstanceProfiles, AddRoleToInstanceProfile,
//! RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole (tags: `tags`).
//!
//! Choices, as AWS:
//! - names are unique case-insensitively ("Instance Profile X already exists.", NoSuchEntity
//!   "Instance Profile X cannot be found.");
//! - a profile holds at most one role (LimitExceeded "Cannot exceed quota for
//!   InstanceSessionsPerInstanceProfile: 1"), adding the role it already holds included;
//! - a profile holding a role cannot be deleted ("Cannot delete entity, must remove roles from
//!   instance profile first.");
//! - removing a role: NoSuchEntity "The role with name X cannot be found." when there is no
//!   such role, "Role X in Instance Profile P cannot be found." when the profile does not hold
//!   it (AWS's answers recorded in LocalStack's AWS-validated snapshot
//!   `test_iam_instance_profiles.snapshot.json`, `test_role_instance_profile_operations_errors`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::roles::{RoleDetail, RoleView};
use super::support::{input, paginate, path_or_root};
use super::tags::{list_tags, merge_tags, tag, tag_context, untag, Tagged};
use super::{iam_op as op, OpContext, Operation};
use crate::crypto::{unique_id, UniqueIdKind};
use crate::entities::instance_profiles::{find_profile, profile_arn, save_profile};
use crate::entities::roles::{check_modifiable, find_role, role_arn};
use crate::error::IamError;
use crate::model::{InstanceProfile, Tag};
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    op("CreateInstanceProfile", create_profile, false),
    op("GetInstanceProfile", get_profile, true),
    op("DeleteInstanceProfile", delete_profile, false),
    op("ListInstanceProfiles", list_profiles, true),
    op("AddRoleToInstanceProfile", add_role, false),
    op("RemoveRoleFromInstanceProfile", remove_role, false),
    op("ListInstanceProfilesForRole", list_profiles_for_role, true),
    op(
        "TagInstanceProfile",
        |c, v| tag(c, v, Tagged::InstanceProfile),
        false,
    ),
    op(
        "UntagInstanceProfile",
        |c, v| untag(c, v, Tagged::InstanceProfile),
        false,
    ),
    op(
        "ListInstanceProfileTags",
        |c, v| list_tags(c, v, Tagged::InstanceProfile),
        true,
    ),
];

/// Roles in one instance profile (a fixed AWS limit).
pub(crate) const MAX_ROLES_PER_PROFILE: usize = 1;

/// An instance profile as the API shows it (the model's `InstanceProfile` shape).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileView {
    path: String,
    instance_profile_name: String,
    instance_profile_id: String,
    arn: String,
    create_date: i64,
    roles: Vec<RoleView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<Tag>>,
}

impl ProfileView {
    /// `with_tags`: CreateInstanceProfile and GetInstanceProfile show tags; lists do not.
    fn of(state: &AccountState, profile: &InstanceProfile, with_tags: bool) -> ProfileView {
        ProfileView {
            path: profile.path.clone(),
            instance_profile_name: profile.name.clone(),
            instance_profile_id: profile.id.clone(),
            arn: profile.arn.clone(),
            create_date: profile.create_date,
            roles: profile
                .roles
                .iter()
                .filter_map(|name| state.role(name))
                .map(|role| RoleView::of(role, RoleDetail::Listed))
                .collect(),
            tags: (with_tags && !profile.tags.is_empty()).then(|| profile.tags.clone()),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateProfileInput {
    instance_profile_name: String,
    path: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn create_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateProfileInput = input(value)?;
    let path = path_or_root(input.path);
    let arn = ctx.arn("instance-profile", &path, &input.instance_profile_name);
    ctx.authorize_with(
        "iam:CreateInstanceProfile",
        &arn,
        &tag_context(&input.tags)?,
    )?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags)?;
    let id = unique_id(UniqueIdKind::InstanceProfile).map_err(|_| IamError::service_failure())?;
    let profile = ctx.write(|txn| {
        let name = &input.instance_profile_name;
        if txn.state.instance_profile(name).is_some() {
            return Err(IamError::already_exists(format!(
                "Instance Profile {name} already exists."
            )));
        }
        ctx.account.quotas.check(
            crate::quotas::Quota::InstanceProfilesPerAccount,
            txn.state.instance_profiles.len(),
        )?;
        let profile = InstanceProfile {
            name: name.clone(),
            id,
            path,
            arn,
            create_date: txn.now,
            roles: Vec::new(),
            tags,
        };
        save_profile(txn, profile.clone())?;
        Ok(profile)
    })?;
    let view = ProfileView::of(&ctx.state, &profile, true);
    Ok(json!({ "InstanceProfile": view }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileNameInput {
    instance_profile_name: String,
}

fn get_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ProfileNameInput = input(value)?;
    let name = &input.instance_profile_name;
    ctx.authorize("iam:GetInstanceProfile", &profile_arn(ctx, name))?;
    let profile = find_profile(&ctx.state, name)?;
    let view = ProfileView::of(&ctx.state, &profile, true);
    Ok(json!({ "InstanceProfile": view }))
}

fn delete_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ProfileNameInput = input(value)?;
    let name = &input.instance_profile_name;
    ctx.authorize("iam:DeleteInstanceProfile", &profile_arn(ctx, name))?;
    ctx.write(|txn| {
        let profile = find_profile(&txn.state, name)?;
        if !profile.roles.is_empty() {
            return Err(IamError::delete_conflict(
                "Cannot delete entity, must remove roles from instance profile first.",
            ));
        }
        let key = profile.name.to_lowercase();
        txn.delete(crate::entities::Kind::InstanceProfile, &key);
        txn.state.instance_profiles.remove(&key);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListProfilesInput {
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_profiles(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListProfilesInput = input(value)?;
    ctx.authorize(
        "iam:ListInstanceProfiles",
        &ctx.arn("instance-profile", "/", ""),
    )?;
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let state = &ctx.state;
    let profiles = state
        .instance_profiles
        .iter()
        .filter(|(_, p)| p.path.starts_with(&prefix))
        .map(|(k, p)| (k.clone(), ProfileView::of(state, p, false)));
    paginate(profiles, input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "InstanceProfiles")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileRoleInput {
    instance_profile_name: String,
    role_name: String,
}

/// Authorized on the instance profile, as AWS's service authorization reference lists it.
fn add_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ProfileRoleInput = input(value)?;
    let arn = profile_arn(ctx, &input.instance_profile_name);
    ctx.authorize("iam:AddRoleToInstanceProfile", &arn)?;
    ctx.write(|txn| {
        let mut profile = (*find_profile(&txn.state, &input.instance_profile_name)?).clone();
        let role = find_role(&txn.state, &input.role_name)?;
        check_modifiable(&role)?;
        if profile.roles.len() >= MAX_ROLES_PER_PROFILE {
            return Err(IamError::limit_exceeded(format!(
                "Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES_PER_PROFILE}"
            )));
        }
        profile.roles.push(role.name.clone());
        save_profile(txn, profile)
    })?;
    Ok(json!({}))
}

fn remove_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ProfileRoleInput = input(value)?;
    let arn = profile_arn(ctx, &input.instance_profile_name);
    ctx.authorize("iam:RemoveRoleFromInstanceProfile", &arn)?;
    ctx.write(|txn| {
        let mut profile = (*find_profile(&txn.state, &input.instance_profile_name)?).clone();
        let Some(position) = profile
            .roles
            .iter()
            .position(|r| r.eq_ignore_ascii_case(&input.role_name))
        else {
            if txn.state.role(&input.role_name).is_none() {
                return Err(crate::entities::roles::no_such_role(&input.role_name));
            }
            return Err(IamError::no_such_entity(format!(
                "Role {} in Instance Profile {} cannot be found.",
                input.role_name, input.instance_profile_name
            )));
        };
        if let Some(role) = txn.state.role(&input.role_name) {
            check_modifiable(role)?;
        }
        profile.roles.remove(position);
        save_profile(txn, profile)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfilesForRoleInput {
    role_name: String,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_profiles_for_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ProfilesForRoleInput = input(value)?;
    let arn = role_arn(ctx, &input.role_name);
    ctx.authorize("iam:ListInstanceProfilesForRole", &arn)?;
    let role = find_role(&ctx.state, &input.role_name)?;
    let state = &ctx.state;
    let profiles = state
        .instance_profiles
        .iter()
        .filter(|(_, p)| p.roles.iter().any(|r| r.eq_ignore_ascii_case(&role.name)))
        .map(|(k, p)| (k.clone(), ProfileView::of(state, p, false)));
    paginate(profiles, input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "InstanceProfiles")
}
