//! The account itself: its alias (CreateAccountAlias, DeleteAccountAlias, ListAccountAliases)
//! and its summary (GetAccountSummary). None of these name a resource: each is authorized on
//! `*`, as the service authorization reference lists them.
//!
//! Behaviour chosen where AWS leaves room:
//! - An account has at most one alias; CreateAccountAlias with another alias replaces it (as
//!   the console's "Edit" does); with the same alias it changes nothing.
//! - DeleteAccountAlias of a name that is not the account's alias is NoSuchEntity (the safer
//!   answer; AWS's text is not documented).
//! - GetAccountSummary: `PolicyVersionsInUse` counts managed policy attachments (users, groups,
//!   roles); `AccountPasswordPresent` is left out (iamd's root user has no console password);
//!   the root user has no MFA device (`AccountMFAEnabled` 0); identity providers do not exist in
//!   iamd (0).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::access_keys::MAX_KEYS;
use super::holder::{MAX_GROUP_INLINE_SIZE, MAX_ROLE_INLINE_SIZE, MAX_USER_INLINE_SIZE};
use super::managed_policies::{MAX_POLICY_SIZE, MAX_VERSIONS};
use super::support::{input, paginate};
use super::{iam_op, OpContext, Operation};
use crate::entities::policies::is_aws_managed;
use crate::error::IamError;
use crate::quotas::{Quota, Quotas};
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[
    iam_op("CreateAccountAlias", create_account_alias, false),
    iam_op("DeleteAccountAlias", delete_account_alias, false),
    iam_op("ListAccountAliases", list_account_aliases, true),
    iam_op("GetAccountSummary", get_account_summary, true),
    iam_op(
        "SetSecurityTokenServicePreferences",
        set_sts_preferences,
        false,
    ),
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsPreferencesInput {
    /// `v1Token` or `v2Token` (the wire layer checks the model's enum).
    global_endpoint_token_version: String,
}

/// SetSecurityTokenServicePreferences: the version of the session tokens the global STS
/// endpoint issues, kept and shown as the summary's `GlobalEndpointTokenVersion` (1 or 2).
/// iamd's tokens are the same in every region, so the setting changes no token.
fn set_sts_preferences(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: StsPreferencesInput = input(value)?;
    ctx.authorize("iam:SetSecurityTokenServicePreferences", "*")?;
    let version: u8 = if input.global_endpoint_token_version == "v2Token" {
        2
    } else {
        1
    };
    ctx.write(|txn| {
        txn.put(crate::entities::Kind::StsPreferences, "global", &version)?;
        txn.state.global_endpoint_token_version = Some(version);
        Ok(())
    })?;
    Ok(json!({}))
}

/// AWS's pattern for aliases (the wire layer cannot enforce its look-ahead).
const ALIAS_PATTERN: &str = "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$";

/// Whether `alias` matches [`ALIAS_PATTERN`]: 3 to 63 lowercase letters, digits and single
/// hyphens, starting and ending with a letter or digit.
fn alias_is_valid(alias: &str) -> bool {
    let bytes = alias.as_bytes();
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|&b| edge(b) || b == b'-')
        && bytes.first().is_some_and(|&b| edge(b))
        && bytes.last().is_some_and(|&b| edge(b))
        && !alias.contains("--")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AliasInput {
    account_alias: String,
}

fn create_account_alias(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: AliasInput = input(value)?;
    ctx.authorize("iam:CreateAccountAlias", "*")?;
    let alias = input.account_alias;
    if !alias_is_valid(&alias) {
        return Err(IamError::validation(format!(
            "1 validation error detected: Value '{alias}' at 'accountAlias' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: {ALIAS_PATTERN}"
        )));
    }
    ctx.write(|txn| {
        if txn.state.account_alias.as_deref() != Some(alias.as_str()) {
            txn.put(crate::entities::Kind::AccountAlias, "alias", &alias)?;
            txn.state.account_alias = Some(alias);
        }
        Ok(())
    })?;
    Ok(json!({}))
}

fn delete_account_alias(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: AliasInput = input(value)?;
    ctx.authorize("iam:DeleteAccountAlias", "*")?;
    ctx.write(|txn| {
        if txn.state.account_alias.as_deref() != Some(input.account_alias.as_str()) {
            return Err(IamError::no_such_entity(format!(
                "The account alias {} cannot be found.",
                input.account_alias
            )));
        }
        txn.delete(crate::entities::Kind::AccountAlias, "alias");
        txn.state.account_alias = None;
        Ok(())
    })?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    marker: Option<String>,
    max_items: Option<i64>,
}

fn list_account_aliases(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ListInput = input(value)?;
    ctx.authorize("iam:ListAccountAliases", "*")?;
    let aliases = ctx
        .state
        .account_alias
        .iter()
        .map(|a| (a.clone(), a.clone()));
    paginate(aliases, input.marker.as_deref(), input.max_items)?
        .finish(Map::new(), "AccountAliases")
}

fn get_account_summary(ctx: &OpContext<'_>, _value: &Value) -> Result<Value, IamError> {
    ctx.authorize("iam:GetAccountSummary", "*")?;
    Ok(json!({ "SummaryMap": summary(&ctx.state, &ctx.account.quotas) }))
}

/// AWS's summary keys: the account's counts and its quotas (those in effect).
fn summary(state: &AccountState, quotas: &Quotas) -> Value {
    let attachments: usize = state
        .users
        .values()
        .map(|u| u.attached.len())
        .sum::<usize>()
        + state
            .groups
            .values()
            .map(|g| g.attached.len())
            .sum::<usize>()
        + state
            .roles
            .values()
            .map(|r| r.attached.len())
            .sum::<usize>();
    let local_policies = state
        .policies
        .keys()
        .filter(|arn| !is_aws_managed(arn))
        .count();
    let devices_in_use = state
        .mfa_devices
        .values()
        .filter(|d| d.user.is_some())
        .count();
    let root_keys = state
        .access_keys
        .find(
            crate::state::By::Owner,
            &crate::entities::access_keys::key_owner(None),
        )
        .next()
        .is_some();
    json!({
        "Users": state.users.len(),
        "UsersQuota": quotas.get(Quota::UsersPerAccount),
        "Groups": state.groups.len(),
        "GroupsQuota": quotas.get(Quota::GroupsPerAccount),
        "Roles": state.roles.len(),
        "RolesQuota": quotas.get(Quota::RolesPerAccount),
        "InstanceProfiles": state.instance_profiles.len(),
        "InstanceProfilesQuota": quotas.get(Quota::InstanceProfilesPerAccount),
        "Policies": local_policies,
        "PoliciesQuota": quotas.get(Quota::PoliciesPerAccount),
        "PolicySizeQuota": MAX_POLICY_SIZE,
        "PolicyVersionsInUse": attachments,
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": MAX_VERSIONS,
        "MFADevices": state.mfa_devices.len(),
        "MFADevicesInUse": devices_in_use,
        "AccountMFAEnabled": 0,
        "AccountAccessKeysPresent": u8::from(root_keys),
        "AccountSigningCertificatesPresent": 0,
        "AccessKeysPerUserQuota": MAX_KEYS,
        "SigningCertificatesPerUserQuota": 2,
        "GroupsPerUserQuota": quotas.get(Quota::GroupsPerUser),
        "AttachedPoliciesPerUserQuota": quotas.get(Quota::PoliciesPerUser),
        "AttachedPoliciesPerGroupQuota": quotas.get(Quota::PoliciesPerGroup),
        "AttachedPoliciesPerRoleQuota": quotas.get(Quota::PoliciesPerRole),
        "UserPolicySizeQuota": MAX_USER_INLINE_SIZE,
        "GroupPolicySizeQuota": MAX_GROUP_INLINE_SIZE,
        "RolePolicySizeQuota": MAX_ROLE_INLINE_SIZE,
        "AssumeRolePolicySizeQuota": 2048,
        "Providers": state.oidc_providers.len() + state.saml_providers.len(),
        "ServerCertificates": state.server_certificates.len(),
        "ServerCertificatesQuota": super::server_certificates::MAX_SERVER_CERTIFICATES,
        "GlobalEndpointTokenVersion": state.global_endpoint_token_version.unwrap_or(1),
    })
}

#[cfg(test)]
mod tests {
    use super::alias_is_valid;

    #[test]
    fn aliases_follow_aws_pattern() {
        for ok in ["abc", "my-company", "a1-b2-c3", &"a".repeat(63)] {
            assert!(alias_is_valid(ok), "{ok}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "Abc",
            "a_b",
            "a.b",
            &"a".repeat(64),
        ] {
            assert!(!alias_is_valid(bad), "{bad}");
        }
    }
}
