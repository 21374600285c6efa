//! Role sessions (AssumeRole) as callers: who they are, their context keys and their session
//! policies.

use std::sync::Arc;

use iamd_policy::{Context, NamedPolicy, Policy, PolicyKind, Principal, PrincipalType};

use crate::authz::AssumedRole;
use crate::model::{Document, Role, RoleSession, Tag};
use crate::state::AccountState;

/// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (the role's path is not part of it).
pub fn session_arn(account_id: &str, role: &str, session_name: &str) -> String {
    format!("arn:aws:sts::{account_id}:assumed-role/{role}/{session_name}")
}

/// The principal of a session of `role`: `aws:PrincipalArn` is the role's ARN, path included.
pub fn principal(account_id: &str, role: &Role, session_name: &str) -> Principal {
    Principal {
        arn: session_arn(account_id, &role.name, session_name),
        account: account_id.to_string(),
        kind: PrincipalType::AssumedRole,
        role_arn: Some(role.arn.clone()),
    }
}

/// The identity of a session of `role`.
pub fn identity(role: &Role, session: &RoleSession) -> AssumedRole {
    AssumedRole {
        role: role.name.clone(),
        role_id: role.id.clone(),
        role_arn: role.arn.clone(),
        session_name: session.session_name.clone(),
        created: session.created,
    }
}

/// `aws:userid` of a role session: `AROA...:SESSION`.
pub fn user_id(role: &Role, session_name: &str) -> String {
    format!("{}:{session_name}", role.id)
}

/// The session's `aws:PrincipalTag/*` (the role's tags, overridden by session tags) and
/// `aws:SourceIdentity`, for the session signing with `access_key_id`.
pub fn fill_context(state: &AccountState, access_key_id: &str, context: &mut Context) {
    let Some(session) = state
        .sessions
        .get(access_key_id)
        .and_then(|s| s.role.as_ref())
    else {
        return;
    };
    let role_tags = state.role(&session.role).map(|r| r.tags.as_slice());
    for tag in role_tags.unwrap_or_default().iter().chain(&session.tags) {
        context.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.clone());
    }
    if let Some(source) = &session.source_identity {
        context.insert("aws:SourceIdentity", source.clone());
    }
}

/// The session policies of a role session: its inline `Policy` and its `PolicyArns`. A session
/// created with session policies stays limited by them even when a managed policy it names
/// no longer exists: then it gets a policy allowing nothing (never no limit at all).
pub fn session_policies(state: &AccountState, session: &RoleSession) -> Vec<Arc<NamedPolicy>> {
    policies_of(state, session.policy.as_ref(), &session.policy_arns)
}

/// Session policies `policy` and `policy_arns` as the engine's policies (see
/// [`session_policies`]).
pub fn policies_of(
    state: &AccountState,
    policy: Option<&Document>,
    policy_arns: &[String],
) -> Vec<Arc<NamedPolicy>> {
    let mut policies: Vec<Arc<NamedPolicy>> = policy
        .iter()
        .filter_map(|d| d.compiled().cloned())
        .collect();
    let mut missing = policy.is_some() && policies.is_empty();
    for arn in policy_arns {
        match state.policy(arn).and_then(|p| p.compiled()) {
            Some(policy) => policies.push(policy.clone()),
            None => missing = true,
        }
    }
    if missing {
        if let Some(nothing) = allows_nothing() {
            policies.push(nothing);
        }
    }
    policies
}

/// A session policy without statements: it allows nothing.
pub(crate) fn allows_nothing() -> Option<Arc<NamedPolicy>> {
    let text =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let policy = Policy::parse(text, PolicyKind::Identity).ok()?;
    Some(NamedPolicy::new(
        "missing session policy",
        policy.with_statements(Vec::new()),
    ))
}

/// The session tags a new session gets from the caller's session: its transitive ones.
pub fn transitive_tags(caller_session: Option<&RoleSession>) -> Vec<Tag> {
    let Some(session) = caller_session else {
        return Vec::new();
    };
    session
        .tags
        .iter()
        .filter(|t| {
            session
                .transitive_tag_keys
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&t.key))
        })
        .cloned()
        .collect()
}
