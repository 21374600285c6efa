//! Federated user sessions (GetFederationToken) as callers: who they are, their context keys
//! and their session policies.

use std::sync::{Arc, LazyLock};

use iamd_policy::{Context, NamedPolicy, Policy, PolicyKind, Principal, PrincipalType};

use crate::authz::FederatedUser;
use crate::model::FederatedSession;
use crate::state::AccountState;

/// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
pub fn arn(account_id: &str, name: &str) -> String {
    format!("arn:aws:sts::{account_id}:federated-user/{name}")
}

/// `aws:userid` and `FederatedUserId`: `ACCOUNT:NAME`.
pub fn user_id(account_id: &str, name: &str) -> String {
    format!("{account_id}:{name}")
}

/// The principal of a federated user session.
pub fn principal(account_id: &str, name: &str) -> Principal {
    Principal {
        arn: arn(account_id, name),
        account: account_id.to_string(),
        kind: PrincipalType::FederatedUser,
        role_arn: None,
    }
}

/// The identity of a federated user session asked for by `user` (`None`: root).
pub fn identity(user: Option<&str>, session: &FederatedSession) -> FederatedUser {
    FederatedUser {
        name: session.name.clone(),
        user: user.map(str::to_string),
        created: session.created,
    }
}

/// The session's `aws:PrincipalTag/*`: the tags of the IAM user who asked for it, overridden
/// by its session tags.
pub fn fill_context(
    state: &AccountState,
    federated: &FederatedUser,
    access_key_id: &str,
    context: &mut Context,
) {
    let user_tags = federated
        .user
        .as_deref()
        .and_then(|name| state.user(name))
        .map(|u| u.tags.as_slice());
    let session_tags = state
        .sessions
        .get(access_key_id)
        .and_then(|s| s.federated.as_ref())
        .map(|f| f.tags.as_slice());
    for tag in user_tags
        .unwrap_or_default()
        .iter()
        .chain(session_tags.unwrap_or_default())
    {
        context.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.clone());
    }
}

/// The session policies of a federated user session. Without any, the session may do nothing
/// (AWS: "If you do not pass a policy to this operation, the resulting federated user session
/// has no permissions").
pub fn session_policies(state: &AccountState, session: &FederatedSession) -> Vec<Arc<NamedPolicy>> {
    if session.policy.is_none() && session.policy_arns.is_empty() {
        return crate::role_sessions::allows_nothing().into_iter().collect();
    }
    crate::role_sessions::policies_of(state, session.policy.as_ref(), &session.policy_arns)
}

/// What root's identity-based policies are for a root federated session: everything, so that
/// the session policies alone limit it.
pub fn root_allows() -> Vec<Arc<NamedPolicy>> {
    static ALL: LazyLock<Option<Arc<NamedPolicy>>> = LazyLock::new(|| {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let policy = Policy::parse(text, PolicyKind::Identity).ok()?;
        Some(NamedPolicy::new("root", policy))
    });
    ALL.iter().cloned().collect()
}
