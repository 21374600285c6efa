//! Groups: Create/Get/List/Update/Delete, and membership (AddUserToGroup,
//! RemoveUserFromGroup, ListGroupsForUser).
//!
//! Membership is stored on the user (`User.groups`, group names as created), so a user's
//! permissions follow their groups as soon as a write commits. Renaming or deleting a group
//! keeps every member's list consistent.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{input, paginate, path_or_root};
use super::users::UserView;
use super::{iam_op as op, OpContext, Operation};
use crate::account::Txn;
use crate::crypto::{unique_id, UniqueIdKind};
use crate::entities::groups::{find_group, group_arn, same_group, save_group};
use crate::entities::users::{find_user, save_user, user_arn};
use crate::error::IamError;
use crate::model::Group;

pub(super) static OPS: &[Operation] = &[
    op("CreateGroup", create_group, false),
    op("GetGroup", get_group, true),
    op("ListGroups", list_groups, true),
    op("UpdateGroup", update_group, false),
    op("DeleteGroup", delete_group, false),
    op("AddUserToGroup", add_user_to_group, false),
    op("RemoveUserFromGroup", remove_user_from_group, false),
    op("ListGroupsForUser", list_groups_for_user, true),
];

/// A group as the API shows it (the model's `Group` shape).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GroupView {
    path: String,
    group_name: String,
    group_id: String,
    arn: String,
    create_date: i64,
}

impl GroupView {
    pub(crate) fn of(group: &Group) -> GroupView {
        GroupView {
            path: group.path.clone(),
            group_name: group.name.clone(),
            group_id: group.id.clone(),
            arn: group.arn.clone(),
            create_date: group.create_date,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateGroupInput {
    group_name: String,
    path: Option<String>,
}

fn create_group(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateGroupInput = input(value)?;
    let path = path_or_root(input.path);
    let arn = ctx.arn("group", &path, &input.group_name);
    ctx.authorize("iam:CreateGroup", &arn)?;
    let id = unique_id(UniqueIdKind::Group).map_err(|_| IamError::service_failure())?;
    let group = ctx.write(|txn| {
        if txn.state.group(&input.group_name).is_some() {
            return Err(IamError::already_exists(format!(
                "Group with name {} already exists.",
                input.group_name
            )));
        }
        ctx.account.quotas.check(
            crate::quotas::Quota::GroupsPerAccount,
            txn.state.groups.len(),
        )?;
        let group = Group {
            name: input.group_name.clone(),
            id,
            path,
            arn,
            create_date: txn.now,
            inline: Default::default(),
            attached: Vec::new(),
        };
        save_group(txn, group.clone())?;
        Ok(group)
    })?;
    Ok(json!({ "Group": GroupView::of(&group) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetGroupInput {
    group_name: String,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// The group and its members, the members paginated (ordered by lowercase user name).
fn get_group(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetGroupInput = input(value)?;
    ctx.authorize("iam:GetGroup", &group_arn(ctx, &input.group_name))?;
    let group = find_group(&ctx.state, &input.group_name)?;
    let members = ctx
        .state
        .users
        .iter()
        .filter(|(_, u)| u.groups.iter().any(|g| same_group(g, &group.name)))
        .map(|(k, u)| (k.clone(), UserView::of(u, false)));
    let page = paginate(members, input.marker.as_deref(), input.max_items)?;
    let mut result = Map::new();
    result.insert("Group".into(), json!(GroupView::of(&group)));
    page.finish(result, "Users")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGroupsInput {
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_groups(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListGroupsInput = input(value)?;
    ctx.authorize("iam:ListGroups", &ctx.arn("group", "/", ""))?;
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let groups = ctx
        .state
        .groups
        .iter()
        .filter(|(_, g)| g.path.starts_with(&prefix))
        .map(|(k, g)| (k.clone(), GroupView::of(g)));
    paginate(groups, input.marker.as_deref(), input.max_items)?.finish(Map::new(), "Groups")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateGroupInput {
    group_name: String,
    new_path: Option<String>,
    new_group_name: Option<String>,
}

/// Renames and/or moves a group. As AWS, the caller needs `iam:UpdateGroup` on both the old
/// and the new name; members follow the new name.
fn update_group(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateGroupInput = input(value)?;
    ctx.authorize("iam:UpdateGroup", &group_arn(ctx, &input.group_name))?;
    if input.new_group_name.is_some() || input.new_path.is_some() {
        let existing = ctx.state.group(&input.group_name);
        let path = input
            .new_path
            .as_deref()
            .unwrap_or_else(|| existing.map_or("/", |g| &g.path));
        let name = input
            .new_group_name
            .as_deref()
            .unwrap_or_else(|| existing.map_or(&input.group_name, |g| &g.name));
        ctx.authorize("iam:UpdateGroup", &ctx.arn("group", path, name))?;
    }
    ctx.write(|txn| {
        let old = find_group(&txn.state, &input.group_name)?;
        let mut group = (*old).clone();
        if let Some(new_name) = &input.new_group_name {
            if !same_group(new_name, &old.name) && txn.state.group(new_name).is_some() {
                return Err(IamError::already_exists(format!(
                    "Group with name {new_name} already exists."
                )));
            }
            group.name = new_name.clone();
        }
        if let Some(path) = &input.new_path {
            group.path = path.clone();
        }
        group.arn = format!(
            "arn:aws:iam::{}:group{}{}",
            txn.state.account_id, group.path, group.name
        );
        if group.name != old.name {
            rename_memberships(txn, &old.name, &group.name)?;
        }
        let old_key = old.name.to_lowercase();
        if group.name.to_lowercase() != old_key {
            txn.delete(crate::entities::Kind::Group, &old_key);
            txn.state.groups.remove(&old_key);
        }
        save_group(txn, group)
    })?;
    Ok(json!({}))
}

/// Replaces group `old_name` by `new_name` in every member's list of groups.
fn rename_memberships(txn: &mut Txn, old_name: &str, new_name: &str) -> Result<(), IamError> {
    let members: Vec<_> = txn
        .state
        .users
        .values()
        .filter(|u| u.groups.iter().any(|g| same_group(g, old_name)))
        .cloned()
        .collect();
    for member in members {
        let mut user = (*member).clone();
        for name in user.groups.iter_mut() {
            if same_group(name, old_name) {
                *name = new_name.to_string();
            }
        }
        save_user(txn, user)?;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupNameInput {
    group_name: String,
}

/// Deletes an empty group: no members, no inline policies, no attached policies (checked in
/// that order, with AWS's DeleteConflict texts).
fn delete_group(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GroupNameInput = input(value)?;
    ctx.authorize("iam:DeleteGroup", &group_arn(ctx, &input.group_name))?;
    ctx.write(|txn| {
        let group = find_group(&txn.state, &input.group_name)?;
        let conflict = |what: &str| {
            Err(IamError::delete_conflict(format!(
                "Cannot delete entity, must {what} first."
            )))
        };
        if txn
            .state
            .users
            .values()
            .any(|u| u.groups.iter().any(|g| same_group(g, &group.name)))
        {
            return conflict("remove users from group");
        }
        if !group.inline.is_empty() {
            return conflict("delete policies");
        }
        if !group.attached.is_empty() {
            return conflict("detach all policies");
        }
        let key = group.name.to_lowercase();
        txn.delete(crate::entities::Kind::Group, &key);
        txn.state.groups.remove(&key);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MembershipInput {
    group_name: String,
    user_name: String,
}

/// Adds a user to a group; adding a member again changes nothing (as AWS).
fn add_user_to_group(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: MembershipInput = input(value)?;
    ctx.authorize("iam:AddUserToGroup", &group_arn(ctx, &input.group_name))?;
    ctx.write(|txn| {
        let group = find_group(&txn.state, &input.group_name)?;
        let member = find_user(&txn.state, &input.user_name)?;
        if member.groups.iter().any(|g| same_group(g, &group.name)) {
            return Ok(());
        }
        ctx.account
            .quotas
            .check(crate::quotas::Quota::GroupsPerUser, member.groups.len())?;
        let mut user = (*member).clone();
        user.groups.push(group.name.clone());
        save_user(txn, user)
    })?;
    Ok(json!({}))
}

/// Removes a user from a group. The group and the user must exist; removing a user who is
/// not a member succeeds without change, as AWS does (observed with the CLI:
/// cloud-custodian/cloud-custodian#4730).
fn remove_user_from_group(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: MembershipInput = input(value)?;
    ctx.authorize(
        "iam:RemoveUserFromGroup",
        &group_arn(ctx, &input.group_name),
    )?;
    ctx.write(|txn| {
        // The user is looked up first: with neither, AWS names the user (LocalStack's
        // AWS-validated `test_iam_groups.snapshot.json`, `test_remove_user_from_unknown_group`).
        let member = find_user(&txn.state, &input.user_name)?;
        let group = find_group(&txn.state, &input.group_name)?;
        if !member.groups.iter().any(|g| same_group(g, &group.name)) {
            return Ok(());
        }
        let mut user = (*member).clone();
        user.groups.retain(|g| !same_group(g, &group.name));
        save_user(txn, user)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGroupsForUserInput {
    user_name: String,
    marker: Option<String>,
    max_items: Option<i64>,
}

/// A user's groups, ordered by lowercase group name.
fn list_groups_for_user(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListGroupsForUserInput = input(value)?;
    ctx.authorize("iam:ListGroupsForUser", &user_arn(ctx, &input.user_name))?;
    let user = find_user(&ctx.state, &input.user_name)?;
    let mut groups: Vec<(String, GroupView)> = user
        .groups
        .iter()
        .filter_map(|name| ctx.state.group(name))
        .map(|g| (g.name.to_lowercase(), GroupView::of(g)))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    paginate(groups.into_iter(), input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "Groups")
}
