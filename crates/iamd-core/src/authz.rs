//! Who is calling, and the one function that authorizes every operation.

use std::sync::Arc;

use iamd_policy::{
    evaluate, explain, Context, ContextValue, Decision, NamedPolicy, PolicySet, Principal, Request,
    Source,
};

use crate::crypto::SealingKey;
use crate::error::IamError;
use crate::state::{AccountState, UserPolicies};

/// MFA facts of the caller's credentials. `None` on a [`Caller`] means long-term access keys,
/// for which `aws:MultiFactorAuthPresent` is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MfaInfo {
    pub present: bool,
    /// When MFA was used (Unix seconds), for `aws:MultiFactorAuthAge`.
    pub authenticated_at: Option<i64>,
}

/// Who the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Root,
    /// An IAM user, by name.
    User(String),
    /// A role session (AssumeRole).
    AssumedRole(AssumedRole),
    /// A federated user session (GetFederationToken).
    FederatedUser(FederatedUser),
    /// An unsigned request (AssumeRoleWithWebIdentity): no IAM principal, no policies; only
    /// the operations that accept unsigned calls see it ([`crate::ops::accepts_unsigned`]).
    Anonymous,
}

/// The federated user behind a GetFederationToken caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedUser {
    /// The `Name` the session was given.
    pub name: String,
    /// The IAM user who asked for the session (name as created); `None`: root.
    pub user: Option<String>,
    /// When the session was created (Unix seconds).
    pub created: i64,
}

/// The role behind an assumed-role caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    /// The role's name as created.
    pub role: String,
    /// `AROA...`.
    pub role_id: String,
    pub role_arn: String,
    pub session_name: String,
    /// When the session was created (Unix seconds).
    pub created: i64,
}

/// What kind of temporary credentials a caller signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `sts:GetSessionToken`: without MFA such a session may not call IAM at all.
    SessionToken,
    /// A console sign-in.
    Console,
    /// `sts:AssumeRole`.
    AssumedRole,
    /// `sts:GetFederationToken`: such a session may not call IAM, nor STS beyond
    /// GetCallerIdentity.
    Federated,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub identity: Identity,
    /// The unique id (`AIDA...`, or the account id for root).
    pub user_id: String,
    pub access_key_id: String,
    pub mfa: Option<MfaInfo>,
    /// `None` for long-term access keys.
    pub session: Option<SessionKind>,
    pub source_ip: String,
    pub secure_transport: bool,
    pub region: String,
}

impl Caller {
    /// The caller of an unsigned request from `source_ip`: no principal until the operation
    /// finds one (a web identity token's issuer).
    pub fn anonymous(source_ip: &str, secure_transport: bool) -> Caller {
        Caller {
            principal: Principal {
                arn: String::new(),
                account: String::new(),
                kind: iamd_policy::PrincipalType::Anonymous,
                role_arn: None,
            },
            identity: Identity::Anonymous,
            user_id: String::new(),
            access_key_id: String::new(),
            mfa: None,
            session: None,
            source_ip: source_ip.to_string(),
            secure_transport,
            region: String::new(),
        }
    }

    /// The request context AWS builds for this caller at time `now` (Unix seconds).
    pub fn context(&self, state: &AccountState, now: i64) -> Context {
        let mut context = Context::default();
        self.principal.fill_context(&mut context);
        context.insert("aws:userid", self.user_id.clone());
        match &self.identity {
            Identity::User(name) => {
                for tag in state.user(name).iter().flat_map(|u| &u.tags) {
                    context.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.clone());
                }
            }
            Identity::AssumedRole(_) => {
                crate::role_sessions::fill_context(state, &self.access_key_id, &mut context)
            }
            Identity::FederatedUser(federated) => crate::federated_sessions::fill_context(
                state,
                federated,
                &self.access_key_id,
                &mut context,
            ),
            Identity::Root | Identity::Anonymous => {}
        }
        context.insert("aws:SourceIp", self.source_ip.clone());
        context.insert("aws:SecureTransport", self.secure_transport.to_string());
        context.insert("aws:RequestedRegion", self.region.clone());
        context.insert("aws:CurrentTime", crate::time::iso8601(now));
        context.insert("aws:EpochTime", now.to_string());
        if let Some(mfa) = self.mfa {
            context.insert("aws:MultiFactorAuthPresent", mfa.present.to_string());
            if let Some(at) = mfa.authenticated_at.filter(|_| mfa.present) {
                context.insert("aws:MultiFactorAuthAge", (now - at).max(0).to_string());
            }
        }
        context
    }
}

/// The request `principal` makes for `action` on `resource`: `context` (what AWS builds for
/// the caller, or the simulator's context entries) with `extra` keys (request tags, resource
/// tags) set over it. Shared by enforcement and the policy simulator.
pub fn request_for(
    principal: &Principal,
    action: &str,
    resource: &str,
    mut context: Context,
    extra: &[(String, ContextValue)],
) -> Request {
    for (key, value) in extra {
        context.set(key, value.clone());
    }
    Request::new(principal.clone(), action, resource, context)
}

/// The policies `policies` as the engine's policy set (identity-based and boundary).
pub fn policy_set(policies: &UserPolicies) -> PolicySet<'_> {
    PolicySet {
        identity: &policies.identity,
        boundary: policies.boundary.as_deref(),
        ..Default::default()
    }
}

/// What a request asks for: an action on a resource, with extra context keys (request tags,
/// resource tags) and, for a role, its trust policy.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub extra: &'a [(String, ContextValue)],
    /// A role's trust policy: evaluated as the resource's policy, and it must allow the caller
    /// itself (an identity-based allow is not enough to assume a role).
    pub trust_policy: Option<&'a NamedPolicy>,
}

/// Decides whether `caller` may perform `action` on `resource`, with `extra` context keys
/// (request tags, resource tags) added. The one place every operation is authorized. A
/// denial carries an authorization message sealed with `sealing` (see [`authz_message`]).
///
/// [`authz_message`]: crate::authz_message
pub fn authorize(
    state: &AccountState,
    sealing: &SealingKey,
    caller: &Caller,
    action: &str,
    resource: &str,
    extra: &[(String, ContextValue)],
    now: i64,
) -> Result<(), IamError> {
    let access = Access {
        action,
        resource,
        extra,
        trust_policy: None,
    };
    authorize_access(state, sealing, caller, &access, now)
}

/// The policies that apply to a caller: identity-based, boundary and session policies.
struct CallerPolicies {
    identity: Vec<Arc<NamedPolicy>>,
    boundary: Option<Arc<NamedPolicy>>,
    session: Vec<Arc<NamedPolicy>>,
}

fn invalid_token() -> IamError {
    IamError::invalid_client_token_id()
}

/// The caller's policies; `None` for root, whom they do not limit.
fn caller_policies(
    state: &AccountState,
    caller: &Caller,
) -> Result<Option<CallerPolicies>, IamError> {
    match &caller.identity {
        Identity::Root => Ok(None),
        Identity::Anonymous => Err(invalid_token()),
        Identity::User(name) => {
            let user = state.user(name).ok_or_else(invalid_token)?;
            let policies = state.user_policies(user);
            Ok(Some(CallerPolicies {
                identity: policies.identity,
                boundary: policies.boundary,
                session: Vec::new(),
            }))
        }
        Identity::AssumedRole(assumed) => {
            let role = state
                .role(&assumed.role)
                .filter(|r| r.id == assumed.role_id)
                .ok_or_else(invalid_token)?;
            let session = state
                .sessions
                .get(&caller.access_key_id)
                .and_then(|s| s.role.as_ref())
                .ok_or_else(invalid_token)?;
            let policies = state.role_policies(role);
            Ok(Some(CallerPolicies {
                identity: policies.identity,
                boundary: policies.boundary,
                session: crate::role_sessions::session_policies(state, session),
            }))
        }
        Identity::FederatedUser(federated) => {
            let (identity, boundary) = match &federated.user {
                Some(name) => {
                    let user = state.user(name).ok_or_else(invalid_token)?;
                    let policies = state.user_policies(user);
                    (policies.identity, policies.boundary)
                }
                None => (crate::federated_sessions::root_allows(), None),
            };
            let session = state
                .sessions
                .get(&caller.access_key_id)
                .and_then(|s| s.federated.as_ref())
                .ok_or_else(invalid_token)?;
            Ok(Some(CallerPolicies {
                identity,
                boundary,
                session: crate::federated_sessions::session_policies(state, session),
            }))
        }
    }
}

/// [`authorize`] for an [`Access`]: the caller's identity-based policies, permissions
/// boundary and session policies, with the resource's policy when there is one, evaluated as
/// AWS does within one account.
pub fn authorize_access(
    state: &AccountState,
    sealing: &SealingKey,
    caller: &Caller,
    access: &Access<'_>,
    now: i64,
) -> Result<(), IamError> {
    let Some(policies) = caller_policies(state, caller)? else {
        return Ok(());
    };
    let context = caller.context(state, now);
    let request = request_for(
        &caller.principal,
        access.action,
        access.resource,
        context,
        access.extra,
    );
    let set = PolicySet {
        identity: &policies.identity,
        boundary: policies.boundary.as_deref(),
        session: &policies.session,
        resource: access.trust_policy,
    };
    let evaluation = evaluate(&set, &request);
    let trusted = access
        .trust_policy
        .is_none_or(|t| trust_allows(t, &request));
    if evaluation.decision == Decision::Allow && trusted {
        return Ok(());
    }
    let explanation = explain(&set, &request);
    if access.trust_policy.is_some() && explanation.decision != Decision::ExplicitDeny {
        // AWS names no policy type when a trust policy does not allow.
        let why = if trusted {
            explanation.summary
        } else {
            "no statement of the role's trust policy allows this caller and request.".to_string()
        };
        return Err(IamError::access_denied(format!(
            "User: {} is not authorized to perform: {} on resource: {}. iamd: {why}",
            caller.principal.arn, access.action, access.resource
        )));
    }
    let denied = crate::authz_message::Denied {
        caller_id: &caller.user_id,
        request: &request,
        evaluation: &evaluation,
        explanation: &explanation,
    };
    let mut message = denied_message(
        &caller.principal,
        access.action,
        access.resource,
        &explanation,
    );
    // Without a message (sealing failed) the denial stands, with the plain text only.
    if let Some(encoded) = denied.seal(sealing, &state.account_id) {
        message.push_str(" Encoded authorization failure message: ");
        message.push_str(&encoded);
    }
    Err(IamError::access_denied(message))
}

/// Authorizes a federated caller (a web identity's provider as `caller.principal`), who has
/// no IAM policies: the role's trust policy alone decides, and must allow it explicitly.
/// AWS's refusal names the action only ("Not authorized to perform ACTION").
pub fn authorize_federated(
    state: &AccountState,
    caller: &Caller,
    access: &Access<'_>,
    now: i64,
) -> Result<(), IamError> {
    let denied = || IamError::access_denied(format!("Not authorized to perform {}", access.action));
    let trust = access.trust_policy.ok_or_else(denied)?;
    let request = request_for(
        &caller.principal,
        access.action,
        access.resource,
        caller.context(state, now),
        access.extra,
    );
    let set = PolicySet {
        resource: Some(trust),
        ..Default::default()
    };
    if evaluate(&set, &request).decision == Decision::Allow && trust_allows(trust, &request) {
        return Ok(());
    }
    Err(denied())
}

/// Whether an Allow statement of `trust` applies to `request` (naming the caller, its role or
/// its account, with its conditions met).
fn trust_allows(trust: &NamedPolicy, request: &Request) -> bool {
    let set = PolicySet {
        resource: Some(trust),
        ..Default::default()
    };
    explain(&set, request).statements.iter().any(|s| {
        s.source == Source::Resource
            && s.effect == iamd_policy::Effect::Allow
            && matches!(s.outcome, iamd_policy::Outcome::Applies { .. })
    })
}

/// AWS's AccessDenied text, followed by iamd's explanation.
pub fn denied_message(
    principal: &Principal,
    action: &str,
    resource: &str,
    explanation: &iamd_policy::Explanation,
) -> String {
    let because = match (
        explanation.decision,
        explanation.deciding.as_ref().map(|d| d.source),
    ) {
        (Decision::ExplicitDeny, Some(Source::Boundary)) => {
            "with an explicit deny in a permissions boundary".to_string()
        }
        (Decision::ExplicitDeny, Some(Source::Session)) => {
            "with an explicit deny in a session policy".to_string()
        }
        (Decision::ExplicitDeny, Some(Source::Resource)) => {
            "with an explicit deny in a resource-based policy".to_string()
        }
        (Decision::ExplicitDeny, _) => {
            "with an explicit deny in an identity-based policy".to_string()
        }
        _ => match explanation.reason {
            iamd_policy::Reason::BoundaryDoesNotAllow => {
                format!("because no permissions boundary allows the {action} action")
            }
            iamd_policy::Reason::SessionPolicyDoesNotAllow => {
                format!("because no session policy allows the {action} action")
            }
            _ => format!("because no identity-based policy allows the {action} action"),
        },
    };
    format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} {because}. iamd: {}",
        principal.arn, explanation.summary
    )
}
