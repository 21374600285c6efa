//! The account password policy (Update/Get/DeleteAccountPasswordPolicy), ChangePassword, and
//! the password rules the login profile operations share.
//!
//! Choices where AWS's behaviour is not recorded (see `reference/aws-behaviour.md` §3):
//! - With no account policy, passwords must meet AWS's documented *default* policy: at least
//!   8 characters and three of the four character kinds (uppercase, lowercase, numbers,
//!   symbols). AWS also refuses the account name or e-mail address; iamd has neither.
//! - ChangePassword with a wrong old password: 403 `AccessDenied` "The old password is
//!   incorrect." (AWS's code is not recorded).
//! - `PasswordReusePrevention = N` refuses the current password and the N before it.
//! - `AllowUsersToChangePassword` is stored and returned; it does not yet grant
//!   `iam:ChangePassword` by itself (attach `IAMUserChangePassword` or equivalent).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::support::input;

use super::{iam_op as op, OpContext, Operation};
use crate::crypto::{hash_password, verify_password};
use crate::entities::login_profiles::no_login_profile;
use crate::entities::users::user_arn;
use crate::error::IamError;
use crate::model::{LoginProfile, PasswordPolicy};
use crate::password_guard;
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    op("UpdateAccountPasswordPolicy", update_policy, false),
    op("GetAccountPasswordPolicy", get_policy, true),
    op("DeleteAccountPasswordPolicy", delete_policy, false),
    op("ChangePassword", change_password, false),
];

/// The characters AWS counts as symbols (`RequireSymbols`, and the default policy).
pub const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";
/// Longest password AWS accepts.
pub const MAX_PASSWORD_LENGTH: usize = 128;
/// Minimum length of AWS's default policy (no account policy set).
pub const DEFAULT_MINIMUM_LENGTH: usize = 8;
/// Earlier password hashes kept per login profile (the largest `PasswordReusePrevention`).
pub const HISTORY_LIMIT: usize = 24;

/// The store key of the account password policy.
const POLICY_KIND: crate::entities::Kind = crate::entities::Kind::PasswordPolicy;
const POLICY_KEY: &str = "account";

/// 400 `PasswordPolicyViolation` with AWS's text.
pub(crate) fn policy_violation() -> IamError {
    IamError::new(
        "PasswordPolicyViolation",
        400,
        "Password does not conform to the account password policy.",
    )
}

/// Whether `password` meets `policy` (or AWS's default policy when `None`). On failure, the
/// reasons, one sentence each, for the console to show. Never includes the password.
pub fn check_password(password: &str, policy: Option<&PasswordPolicy>) -> Result<(), Vec<String>> {
    let length = password.chars().count();
    let upper = password.chars().any(|c| c.is_ascii_uppercase());
    let lower = password.chars().any(|c| c.is_ascii_lowercase());
    let number = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password.chars().any(|c| SYMBOLS.contains(c));
    let mut reasons = Vec::new();
    if length > MAX_PASSWORD_LENGTH {
        reasons.push(format!(
            "Must be at most {MAX_PASSWORD_LENGTH} characters long."
        ));
    }
    match policy {
        Some(p) => {
            let min = p.minimum_password_length as usize;
            if length < min {
                reasons.push(format!("Must be at least {min} characters long."));
            }
            let rules = [
                (
                    p.require_uppercase_characters,
                    upper,
                    "an uppercase letter (A-Z)",
                ),
                (
                    p.require_lowercase_characters,
                    lower,
                    "a lowercase letter (a-z)",
                ),
                (p.require_numbers, number, "a number (0-9)"),
                (
                    p.require_symbols,
                    symbol,
                    "a symbol (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')",
                ),
            ];
            for (required, present, what) in rules {
                if required && !present {
                    reasons.push(format!("Must contain at least one {what}."));
                }
            }
        }
        None => {
            if length < DEFAULT_MINIMUM_LENGTH {
                reasons.push(format!(
                    "Must be at least {DEFAULT_MINIMUM_LENGTH} characters long."
                ));
            }
            if [upper, lower, number, symbol]
                .iter()
                .filter(|k| **k)
                .count()
                < 3
            {
                reasons.push(
                    "Must contain three of: uppercase letters, lowercase letters, numbers, \
                     symbols (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')."
                        .to_string(),
                );
            }
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

/// [`check_password`] against the account's policy in `state`, as an API error.
pub(crate) fn conform(password: &str, state: &AccountState) -> Result<(), IamError> {
    check_password(password, state.password_policy.as_deref()).map_err(|_| policy_violation())
}

/// Hashes a password (slow: call outside the write lock).
pub(crate) fn hash(password: &str) -> Result<String, IamError> {
    hash_password(password).map_err(|_| IamError::service_failure())
}

/// Replaces a profile's password hash, keeping the old one in its bounded history.
pub(crate) fn replace_hash(profile: &mut LoginProfile, new_hash: String, now: i64) {
    let old = std::mem::replace(&mut profile.password_hash, new_hash);
    profile.history.insert(0, old);
    profile.history.truncate(HISTORY_LIMIT);
    profile.password_last_changed = now;
}

/// `N validation error(s) detected: A; B` (AWS's format).
fn validation_errors(errors: &[String]) -> IamError {
    let plural = if errors.len() == 1 { "" } else { "s" };
    IamError::validation(format!(
        "{} validation error{plural} detected: {}",
        errors.len(),
        errors.join("; ")
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdatePolicyInput {
    minimum_password_length: Option<i64>,
    require_symbols: Option<bool>,
    require_numbers: Option<bool>,
    require_uppercase_characters: Option<bool>,
    require_lowercase_characters: Option<bool>,
    allow_users_to_change_password: Option<bool>,
    max_password_age: Option<i64>,
    password_reuse_prevention: Option<i64>,
    hard_expiry: Option<bool>,
}

/// Checks `value` of parameter `name` against `min..=max`, AWS's way (values not echoed).
fn check_range(name: &str, value: Option<i64>, min: i64, max: i64, errors: &mut Vec<String>) {
    let rule = match value {
        Some(v) if v > max => format!("less than or equal to {max}"),
        Some(v) if v < min => format!("greater than or equal to {min}"),
        _ => return,
    };
    errors.push(format!(
        "Value at '{name}' failed to satisfy constraint: Member must have value {rule}"
    ));
}

/// A range-checked value as `u32` (ranges are small and positive).
fn small(value: Option<i64>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

/// UpdateAccountPasswordPolicy: replaces the whole policy; omitted parameters take their
/// defaults (minimum length 6, everything else off).
fn update_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: UpdatePolicyInput = input(value)?;
    ctx.authorize("iam:UpdateAccountPasswordPolicy", "*")?;
    // AWS's order, as recorded: length, reuse, age.
    let mut errors = Vec::new();
    check_range(
        "minimumPasswordLength",
        input.minimum_password_length,
        6,
        128,
        &mut errors,
    );
    check_range(
        "passwordReusePrevention",
        input.password_reuse_prevention,
        1,
        24,
        &mut errors,
    );
    check_range(
        "maxPasswordAge",
        input.max_password_age,
        1,
        1095,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(validation_errors(&errors));
    }
    let policy = PasswordPolicy {
        minimum_password_length: small(input.minimum_password_length).unwrap_or(6),
        require_symbols: input.require_symbols.unwrap_or(false),
        require_numbers: input.require_numbers.unwrap_or(false),
        require_uppercase_characters: input.require_uppercase_characters.unwrap_or(false),
        require_lowercase_characters: input.require_lowercase_characters.unwrap_or(false),
        allow_users_to_change_password: input.allow_users_to_change_password.unwrap_or(false),
        max_password_age: small(input.max_password_age),
        password_reuse_prevention: small(input.password_reuse_prevention),
        hard_expiry: input.hard_expiry.unwrap_or(false),
    };
    ctx.write(|txn| {
        txn.put(POLICY_KIND, POLICY_KEY, &policy)?;
        txn.state.password_policy = Some(Arc::new(policy));
        Ok(())
    })?;
    Ok(json!({}))
}

/// The policy as GetAccountPasswordPolicy shows it: optional members only when set.
fn policy_view(p: &PasswordPolicy) -> Value {
    let mut out = Map::new();
    out.insert(
        "MinimumPasswordLength".into(),
        json!(p.minimum_password_length),
    );
    out.insert("RequireSymbols".into(), json!(p.require_symbols));
    out.insert("RequireNumbers".into(), json!(p.require_numbers));
    out.insert(
        "RequireUppercaseCharacters".into(),
        json!(p.require_uppercase_characters),
    );
    out.insert(
        "RequireLowercaseCharacters".into(),
        json!(p.require_lowercase_characters),
    );
    out.insert(
        "AllowUsersToChangePassword".into(),
        json!(p.allow_users_to_change_password),
    );
    out.insert(
        "ExpirePasswords".into(),
        json!(p.max_password_age.is_some()),
    );
    if let Some(age) = p.max_password_age {
        out.insert("MaxPasswordAge".into(), json!(age));
    }
    if let Some(n) = p.password_reuse_prevention {
        out.insert("PasswordReusePrevention".into(), json!(n));
    }
    if p.hard_expiry {
        out.insert("HardExpiry".into(), json!(true));
    }
    Value::Object(out)
}

fn get_policy(ctx: &OpContext<'_>, _value: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:GetAccountPasswordPolicy", "*")?;
    let Some(policy) = ctx.state.password_policy.as_deref() else {
        return Err(IamError::no_such_entity(format!(
            "The Password Policy with domain name {} cannot be found.",
            ctx.account_id()
        )));
    };
    Ok(json!({ "PasswordPolicy": policy_view(policy) }))
}

fn delete_policy(ctx: &OpContext<'_>, _value: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:DeleteAccountPasswordPolicy", "*")?;
    ctx.write(|txn| {
        if txn.state.password_policy.take().is_none() {
            return Err(IamError::no_such_entity(
                "The account policy with name PasswordPolicy cannot be found.",
            ));
        }
        txn.delete(POLICY_KIND, POLICY_KEY);
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChangePasswordInput {
    old_password: Option<String>,
    new_password: Option<String>,
}

/// A required member that is absent, in AWS's words.
pub(crate) fn missing(param: &str) -> IamError {
    validation_errors(&[format!(
        "Value null at '{param}' failed to satisfy constraint: Member must not be null"
    )])
}

/// Whether `password` is the profile's current password or one of the `n` before it.
fn reused(profile: &LoginProfile, password: &str, n: usize) -> bool {
    std::iter::once(&profile.password_hash)
        .chain(profile.history.iter().take(n))
        .any(|phc| verify_password(phc, password))
}

/// Whether the profile's password has expired under a policy with `HardExpiry` (then only an
/// administrator can set a new one).
fn hard_expired(profile: &LoginProfile, policy: Option<&PasswordPolicy>, now: i64) -> bool {
    policy.is_some_and(|p| {
        p.hard_expiry
            && p.max_password_age
                .is_some_and(|days| now >= profile.password_last_changed + i64::from(days) * 86_400)
    })
}

/// ChangePassword: the calling IAM user changes its own console password. The old password
/// and reuse are checked (argon2, slow) on the snapshot outside the write lock; the write then
/// only proceeds when the stored hash is still the one checked.
fn change_password(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ChangePasswordInput = input(value)?;
    let old_password = input.old_password.ok_or_else(|| missing("oldPassword"))?;
    let new_password = input.new_password.ok_or_else(|| missing("newPassword"))?;
    let Some(name) = ctx.caller_user().map(str::to_string) else {
        return Err(IamError::new(
            "InvalidUserType",
            400,
            "ChangePassword changes an IAM user's own password; the root user's password \
             cannot be changed with this API.",
        ));
    };
    ctx.authorize("iam:ChangePassword", &user_arn(ctx, &name))?;
    let key = name.to_lowercase();
    let profile = ctx
        .state
        .login_profiles
        .get(&key)
        .cloned()
        .ok_or_else(|| no_login_profile(&name))?;
    let policy = ctx.state.password_policy.as_deref();
    if hard_expired(&profile, policy, ctx.now) {
        return Err(IamError::access_denied(
            "Your password has expired and the account password policy requires an \
             administrator to reset it.",
        ));
    }
    // Throttled as sign-in is, on the user's id: a locked user's guesses are not hashed, and
    // a wrong one is recorded even though the call fails.
    let user_id = ctx.caller.user_id.clone();
    let now = ctx.account.clock.now();
    let locked = |seconds: u64| {
        IamError::limit_exceeded(format!(
            "Too many wrong passwords for user {name}: no password is checked for {seconds} more seconds."
        ))
    };
    if let Some(seconds) = password_guard::locked(&ctx.state, &user_id, now) {
        return Err(locked(seconds));
    }
    if !crate::crypto::verify_password(&profile.password_hash, &old_password) {
        return ctx.write_committed(|txn| {
            Ok(Err(
                match password_guard::record(txn, &user_id, false, now)? {
                    Some(seconds) => locked(seconds),
                    None => IamError::access_denied("The old password is incorrect."),
                },
            ))
        });
    }
    check_password(&new_password, policy).map_err(|_| policy_violation())?;
    if let Some(n) = policy.and_then(|p| p.password_reuse_prevention) {
        if reused(&profile, &new_password, n as usize) {
            return Err(policy_violation());
        }
    }
    let new_hash = hash(&new_password)?;
    ctx.write(|txn| {
        let current = txn
            .state
            .login_profiles
            .get(&key)
            .cloned()
            .ok_or_else(|| no_login_profile(&name))?;
        if current.password_hash != profile.password_hash {
            return Err(IamError::new(
                "EntityTemporarilyUnmodifiable",
                409,
                format!("Login Profile for User {name} was changed by another request; try again."),
            ));
        }
        // Other nodes' failures this node's snapshot did not hold yet.
        if let Some(seconds) = password_guard::locked(&txn.state, &user_id, now) {
            return Err(locked(seconds));
        }
        password_guard::record(txn, &user_id, true, now)?;
        let mut updated = (*current).clone();
        replace_hash(&mut updated, new_hash, txn.now);
        updated.password_reset_required = false;
        txn.put(crate::entities::Kind::LoginProfile, &key, &updated)?;
        txn.state
            .login_profiles
            .insert(key.clone(), Arc::new(updated));
        Ok(())
    })?;
    Ok(json!({}))
}
