//! Who is calling, and the one function that authorizes every operation.

use iamd_policy::{
    evaluate, explain, Context, ContextValue, Decision, PolicySet, Principal, Request, Source,
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
}

/// What kind of temporary credentials a caller signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `sts:GetSessionToken`: without MFA such a session may not call IAM at all.
    SessionToken,
    /// A console sign-in.
    Console,
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
    /// The request context AWS builds for this caller at time `now` (Unix seconds).
    pub fn context(&self, state: &AccountState, now: i64) -> Context {
        let mut context = Context::default();
        self.principal.fill_context(&mut context);
        context.insert("aws:userid", self.user_id.clone());
        if let Identity::User(name) = &self.identity {
            if let Some(user) = state.user(name) {
                for tag in &user.tags {
                    context.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.clone());
                }
            }
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
    if caller.identity == Identity::Root {
        return Ok(());
    }
    let Identity::User(name) = &caller.identity else {
        return Err(IamError::service_failure());
    };
    let Some(user) = state.user(name) else {
        return Err(IamError::new(
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        ));
    };
    let policies = state.user_policies(user);
    let context = caller.context(state, now);
    let request = request_for(&caller.principal, action, resource, context, extra);
    let set = policy_set(&policies);
    let evaluation = evaluate(&set, &request);
    if evaluation.decision == Decision::Allow {
        return Ok(());
    }
    let explanation = explain(&set, &request);
    let denied = crate::authz_message::Denied {
        caller_id: &caller.user_id,
        request: &request,
        evaluation: &evaluation,
        explanation: &explanation,
    };
    let mut message = denied_message(&caller.principal, action, resource, &explanation);
    // Without a message (sealing failed) the denial stands, with the plain text only.
    if let Some(encoded) = denied.seal(sealing, &state.account_id) {
        message.push_str(" Encoded authorization failure message: ");
        message.push_str(&encoded);
    }
    Err(IamError::access_denied(message))
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
