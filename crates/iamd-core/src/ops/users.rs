//! Users: Create/Get/Update/Delete/List, tags and permissions boundaries.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::support::{entries_from, input, paginate_by, path_or_root};
use super::tags::{list_tags, tag, tag_context, untag, Tagged, MAX_TAGS};
use super::{iam_op as op, OpContext, Operation};
use crate::crypto::{unique_id, UniqueIdKind};
use crate::entities::boundaries::{boundary_context, boundary_view, check_boundary_policy};
use crate::entities::users::{find_user, save_user, user_arn};
use crate::error::IamError;
use crate::model::{Tag, User};

pub(super) static OPS: &[Operation] = &[
    op("CreateUser", create_user, false),
    op("GetUser", get_user, true),
    op("ListUsers", list_users, true),
    op("UpdateUser", update_user, false),
    op("DeleteUser", delete_user, false),
    op("TagUser", |c, v| tag(c, v, Tagged::User), false),
    op("UntagUser", |c, v| untag(c, v, Tagged::User), false),
    op("ListUserTags", |c, v| list_tags(c, v, Tagged::User), true),
    op("PutUserPermissionsBoundary", put_boundary, false),
    op("DeleteUserPermissionsBoundary", delete_boundary, false),
];

/// A user as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserView {
    path: String,
    user_name: String,
    user_id: String,
    arn: String,
    create_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<Tag>>,
}

impl UserView {
    /// `full`: with boundary and tags (GetUser, CreateUser); lists leave them out.
    pub(crate) fn of(user: &User, full: bool) -> UserView {
        UserView {
            path: user.path.clone(),
            user_name: user.name.clone(),
            user_id: user.id.clone(),
            arn: user.arn.clone(),
            create_date: user.create_date,
            permissions_boundary: user.boundary.as_deref().filter(|_| full).map(boundary_view),
            tags: (full && !user.tags.is_empty()).then(|| user.tags.clone()),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateUserInput {
    user_name: String,
    path: Option<String>,
    permissions_boundary: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

fn create_user(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateUserInput = input(value)?;
    let path = path_or_root(input.path);
    let arn = ctx.arn("user", &path, &input.user_name);
    let mut extra = tag_context(&input.tags)?;
    extra.extend(input.permissions_boundary.as_deref().map(boundary_context));
    ctx.authorize_with("iam:CreateUser", &arn, &extra)?;
    if input.tags.len() > MAX_TAGS {
        return Err(super::tags::too_many_tags());
    }
    let id = unique_id(UniqueIdKind::User).map_err(|_| IamError::service_failure())?;
    let user = ctx.write(|txn| {
        if txn.state.user(&input.user_name).is_some() {
            return Err(IamError::already_exists(format!(
                "User with name {} already exists.",
                input.user_name
            )));
        }
        ctx.account
            .quotas
            .check(crate::quotas::Quota::UsersPerAccount, txn.state.users.len())?;
        if let Some(b) = &input.permissions_boundary {
            check_boundary_policy(&txn.state, b)?;
        }
        let user = User {
            name: input.user_name.clone(),
            id,
            path,
            arn,
            create_date: txn.now,
            tags: input.tags,
            inline: Default::default(),
            attached: Vec::new(),
            groups: Vec::new(),
            boundary: input.permissions_boundary,
        };
        // The answer is the audit record's response elements too: built once.
        let answer = json!({ "User": UserView::of(&user, true) });
        save_user(txn, user)?;
        ctx.record_response(answer.clone());
        Ok(answer)
    })?;
    Ok(user)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserNameInput {
    user_name: Option<String>,
}

fn get_user(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UserNameInput = input(value)?;
    let Some(name) = ctx.user_or_caller(input.user_name)? else {
        // The root user asking about itself.
        let arn = format!("arn:aws:iam::{}:root", ctx.account_id());
        ctx.authorize("iam:GetUser", &arn)?;
        return Ok(json!({ "User": {
            "Path": "/", "UserName": ctx.account_id(), "UserId": ctx.account_id(), "Arn": arn,
            "CreateDate": 0
        }}));
    };
    ctx.authorize("iam:GetUser", &user_arn(ctx, &name))?;
    let user = find_user(&ctx.state, &name)?;
    Ok(json!({ "User": UserView::of(&user, true) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_users(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListInput = input(value)?;
    ctx.authorize("iam:ListUsers", &ctx.arn("user", "/", ""))?;
    let prefix = input.path_prefix.unwrap_or_else(|| "/".into());
    let marker = input.marker.as_deref();
    let users = entries_from(&ctx.state.users, marker)
        .filter(|(_, u)| u.path.starts_with(&prefix))
        .map(|(k, u)| (k.clone(), u));
    paginate_by(users, marker, input.max_items, |u| UserView::of(u, false))?
        .finish(Map::new(), "Users")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateUserInput {
    user_name: String,
    new_path: Option<String>,
    new_user_name: Option<String>,
}

fn update_user(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateUserInput = input(value)?;
    ctx.authorize("iam:UpdateUser", &user_arn(ctx, &input.user_name))?;
    if let Some(new_name) = &input.new_user_name {
        let user = ctx.state.user(&input.user_name);
        let new_arn = ctx.arn("user", user.map_or("/", |u| &u.path), new_name);
        ctx.authorize("iam:UpdateUser", &new_arn)?;
    }
    ctx.write(|txn| {
        let old = find_user(&txn.state, &input.user_name)?;
        let mut user = (*old).clone();
        if let Some(new_name) = &input.new_user_name {
            if new_name.to_lowercase() != old.name.to_lowercase()
                && txn.state.user(new_name).is_some()
            {
                return Err(IamError::already_exists(format!(
                    "User with name {new_name} already exists."
                )));
            }
            user.name = new_name.clone();
        }
        if let Some(path) = &input.new_path {
            user.path = path.clone();
        }
        user.arn = format!(
            "arn:aws:iam::{}:user{}{}",
            txn.state.account_id, user.path, user.name
        );
        let old_key = old.name.to_lowercase();
        if user.name.to_lowercase() != old_key {
            txn.delete(crate::entities::Kind::User, &old_key);
            txn.state.users.remove(&old_key);
            super::user_rename::move_belongings(txn, &old.name, &user.name)?;
        }
        save_user(txn, user)
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteUserInput {
    user_name: String,
}

fn delete_user(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: DeleteUserInput = input(value)?;
    ctx.authorize("iam:DeleteUser", &user_arn(ctx, &input.user_name))?;
    ctx.write(|txn| {
        let user = find_user(&txn.state, &input.user_name)?;
        let conflict = |what: &str| {
            Err(IamError::delete_conflict(format!(
                "Cannot delete entity, must {what} first."
            )))
        };
        if txn
            .state
            .access_keys
            .values()
            .any(|k| k.user.as_deref() == Some(user.name.as_str()))
        {
            return conflict("delete access keys");
        }
        if !user.attached.is_empty() {
            return conflict("detach all policies");
        }
        if !user.inline.is_empty() {
            return conflict("delete policies");
        }
        if !user.groups.is_empty() {
            return conflict("remove users from group");
        }
        if txn
            .state
            .login_profiles
            .contains_key(&user.name.to_lowercase())
        {
            return conflict("delete login profile");
        }
        if txn.state.user_mfa_devices(&user.name).next().is_some() {
            return conflict("delete MFA device");
        }
        if crate::entities::user_credentials::user_has_any(&txn.state, &user.name) {
            return conflict("remove referenced objects");
        }
        let key = user.name.to_lowercase();
        txn.delete(crate::entities::Kind::User, &key);
        txn.state.users.remove(&key);
        super::user_rename::delete_sessions(txn, &user.name);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutBoundaryInput {
    user_name: String,
    permissions_boundary: String,
}

fn put_boundary(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: PutBoundaryInput = input(value)?;
    let extra = [boundary_context(&input.permissions_boundary)];
    ctx.authorize_with(
        "iam:PutUserPermissionsBoundary",
        &user_arn(ctx, &input.user_name),
        &extra,
    )?;
    ctx.write(|txn| {
        let mut user = (*find_user(&txn.state, &input.user_name)?).clone();
        check_boundary_policy(&txn.state, &input.permissions_boundary)?;
        user.boundary = Some(input.permissions_boundary);
        save_user(txn, user)
    })?;
    Ok(json!({}))
}

fn delete_boundary(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: DeleteUserInput = input(value)?;
    ctx.authorize(
        "iam:DeleteUserPermissionsBoundary",
        &user_arn(ctx, &input.user_name),
    )?;
    ctx.write(|txn| {
        let mut user = (*find_user(&txn.state, &input.user_name)?).clone();
        user.boundary = None;
        save_user(txn, user)
    })?;
    Ok(json!({}))
}
