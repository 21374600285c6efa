//! Console passwords of IAM users: Create/Get/Update/DeleteLoginProfile.
//!
//! Passwords are hashed with argon2id (slow) before the write starts; the write re-checks
//! what the snapshot said. Neither passwords nor hashes are ever returned or logged (the
//! audit record hides the `password` parameter).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Value};

use super::passwords::{conform, hash, missing, replace_hash};
use super::support::input;

use super::{iam_op as op, OpContext, Operation};
use crate::account::Txn;
use crate::entities::login_profiles::no_login_profile;
use crate::entities::users::{find_user, user_arn};
use crate::error::IamError;
use crate::model::LoginProfile;

pub(super) static OPS: &[Operation] = &[
    op("CreateLoginProfile", create_profile, false),
    op("GetLoginProfile", get_profile, true),
    op("UpdateLoginProfile", update_profile, false),
    op("DeleteLoginProfile", delete_profile, false),
];

const KIND: crate::entities::Kind = crate::entities::Kind::LoginProfile;

/// A login profile as the API shows it (`LoginProfile` shape).
fn view(profile: &LoginProfile) -> Value {
    json!({ "LoginProfile": {
        "UserName": profile.user,
        "CreateDate": profile.create_date,
        "PasswordResetRequired": profile.password_reset_required,
    }})
}

/// The user a request names, or the calling IAM user when it names none (the model makes
/// `UserName` optional). The root user must name one.
fn target_user(ctx: &OpContext<'_>, name: Option<String>) -> Result<String, IamError> {
    name.or_else(|| ctx.caller_user().map(str::to_string))
        .ok_or_else(|| missing("userName"))
}

/// Stores a profile in a transaction.
fn save(txn: &mut Txn, profile: LoginProfile) -> Result<(), IamError> {
    let key = profile.user.to_lowercase();
    txn.put(KIND, &key, &profile)?;
    txn.state.login_profiles.insert(key, Arc::new(profile));
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    user_name: Option<String>,
    password: Option<String>,
    #[serde(default)]
    password_reset_required: bool,
}

fn already_exists(user: &str) -> IamError {
    IamError::already_exists(format!("Login Profile for user {user} already exists."))
}

fn create_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: CreateInput = input(value)?;
    let name = target_user(ctx, input.user_name)?;
    let password = input.password.ok_or_else(|| missing("password"))?;
    ctx.authorize("iam:CreateLoginProfile", &user_arn(ctx, &name))?;
    // Cheap checks on the snapshot first, so a refused request costs no hashing.
    let user = find_user(&ctx.state, &name)?;
    if ctx
        .state
        .login_profiles
        .contains_key(&user.name.to_lowercase())
    {
        return Err(already_exists(&user.name));
    }
    conform(&password, &ctx.state)?;
    let password_hash = hash(&password)?;
    let profile = ctx.write(|txn| {
        let user = find_user(&txn.state, &name)?;
        if txn
            .state
            .login_profiles
            .contains_key(&user.name.to_lowercase())
        {
            return Err(already_exists(&user.name));
        }
        let profile = LoginProfile {
            user: user.name.clone(),
            password_hash,
            create_date: txn.now,
            password_reset_required: input.password_reset_required,
            password_last_changed: txn.now,
            password_last_used: None,
            history: Vec::new(),
        };
        save(txn, profile.clone())?;
        Ok(profile)
    })?;
    Ok(view(&profile))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameInput {
    user_name: Option<String>,
}

/// The user (404 when absent) and its profile (404 when absent) in `state`.
fn find_profile(
    state: &crate::state::AccountState,
    name: &str,
) -> Result<Arc<LoginProfile>, IamError> {
    let user = find_user(state, name)?;
    state
        .login_profiles
        .get(&user.name.to_lowercase())
        .cloned()
        .ok_or_else(|| no_login_profile(&user.name))
}

fn get_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: NameInput = input(value)?;
    let name = target_user(ctx, input.user_name)?;
    ctx.authorize("iam:GetLoginProfile", &user_arn(ctx, &name))?;
    let profile = find_profile(&ctx.state, &name)?;
    Ok(view(&profile))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateInput {
    user_name: Option<String>,
    password: Option<String>,
    password_reset_required: Option<bool>,
}

/// UpdateLoginProfile: an administrator sets a new password and/or the reset flag. The new
/// password must meet the account policy; reuse prevention applies to ChangePassword only.
fn update_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdateInput = input(value)?;
    let name = target_user(ctx, input.user_name)?;
    ctx.authorize("iam:UpdateLoginProfile", &user_arn(ctx, &name))?;
    find_profile(&ctx.state, &name)?;
    let new_hash = match &input.password {
        Some(password) => {
            conform(password, &ctx.state)?;
            Some(hash(password)?)
        }
        None => None,
    };
    ctx.write(|txn| {
        let mut profile = (*find_profile(&txn.state, &name)?).clone();
        if let Some(new_hash) = new_hash {
            replace_hash(&mut profile, new_hash, txn.now);
        }
        if let Some(reset) = input.password_reset_required {
            profile.password_reset_required = reset;
        }
        save(txn, profile)
    })?;
    Ok(json!({}))
}

fn delete_profile(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: NameInput = input(value)?;
    let name = target_user(ctx, input.user_name)?;
    ctx.authorize("iam:DeleteLoginProfile", &user_arn(ctx, &name))?;
    ctx.write(|txn| {
        let profile = find_profile(&txn.state, &name)?;
        let key = profile.user.to_lowercase();
        txn.delete(KIND, &key);
        txn.state.login_profiles.remove(&key);
        Ok(())
    })?;
    Ok(json!({}))
}
