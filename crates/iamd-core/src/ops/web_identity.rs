//! STS AssumeRoleWithWebIdentity: role credentials for the bearer of an OpenID Connect token
//! (GitHub Actions, GitLab CI, Kubernetes service accounts...) whose issuer is a registered
//! OpenID Connect provider. The request is unsigned; the token is verified
//! ([`crate::web_identity`]) and the role's trust policy alone decides, for the principal
//! `{"Federated": PROVIDER_ARN}` with the provider's condition keys. The session is issued
//! as AssumeRole issues its own (`assume_role.rs`).
//!
//! The answer's `Provider` is the provider's ARN and `Audience` the client id, as AWS's
//! answers for EKS service accounts show them; a role that does not exist or does not trust
//! the token is AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity", as
//! AWS answers both.

use iamd_policy::{Principal, PrincipalType};
use serde::Deserialize;
use serde_json::Value;

use super::assume_role::{
    duration, find_role, granted, request_context, session_of, PolicyArn, SessionPolicies,
};
use super::sessions::FreshCredentials;
use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::authz::{Access, Caller, Identity};
use crate::entities::sessions::store_session;
use crate::error::IamError;
use crate::model::{RoleSession, Session};
use crate::web_identity::{verify, Verified};

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::STS,
    name: "AssumeRoleWithWebIdentity",
    auth: Auth::Policy,
    handler: assume_role_with_web_identity,
    read_only: false,
}];

const ACTION: &str = "sts:AssumeRoleWithWebIdentity";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Input {
    role_arn: String,
    role_session_name: String,
    web_identity_token: String,
    policy_arns: Option<Vec<PolicyArn>>,
    policy: Option<String>,
    duration_seconds: Option<i64>,
}

fn assume_role_with_web_identity(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: Input = input(value)?;
    let keys = ctx.account.web_identity_keys.get().map(|k| k.as_ref());
    let token = verify(&input.web_identity_token, &ctx.state, keys, ctx.now)?;
    let denied = || IamError::access_denied(format!("Not authorized to perform {ACTION}"));
    let role = find_role(&ctx.state, &input.role_arn).ok_or_else(denied)?;
    let tags = &token.session_tags;
    let policies = SessionPolicies::of(input.policy.as_deref(), input.policy_arns, tags)?;
    let caller = federated_caller(ctx.caller, &token);
    ctx.audit_as(caller.clone());
    let transitive = Some(token.transitive_tag_keys.clone()).filter(|k| !k.is_empty());
    let mut context = token.context();
    context.extend(request_context(
        &None,
        &input.role_session_name,
        tags,
        &transitive,
        None,
    ));
    let trust = role.assume_role_policy.compiled().map(|p| &**p);
    let trust = trust.ok_or_else(IamError::service_failure)?;
    // Session tags from the token need `sts:TagSession` too, as AWS requires.
    let actions: &[&str] = match tags.is_empty() {
        true => &[ACTION],
        false => &[ACTION, "sts:TagSession"],
    };
    for action in actions {
        let access = Access {
            action,
            resource: &role.arn,
            extra: &context,
            trust_policy: Some(trust),
        };
        ctx.authorize_federated(&caller, &access)?;
    }
    let seconds = duration(&caller, &role, input.duration_seconds)?;
    let fresh = FreshCredentials::new(ctx)?;
    let role_session = RoleSession {
        policy: policies.policy,
        policy_arns: policies.policy_arns,
        ..session_of(
            &role,
            input.role_session_name,
            None,
            token.session_tags.clone(),
            token.transitive_tag_keys.clone(),
            None,
        )
    };
    let session = ctx.write(|txn| {
        let session = Session {
            role: Some(RoleSession {
                created: txn.now,
                ..role_session
            }),
            ..fresh.session(txn.now + seconds)
        };
        store_session(txn, &session)?;
        Ok(session)
    })?;
    let mut out = granted(ctx, &fresh, &session, &role, policies.packed_size)?;
    out["SubjectFromWebIdentityToken"] = Value::String(token.subject);
    out["Audience"] = Value::String(token.audience);
    out["Provider"] = Value::String(token.provider.arn.clone());
    Ok(out)
}

/// The request's caller as the trust policy sees it: the provider (`Federated`), from the
/// request's address; `aws:userid` is `HOST/PATH:AUDIENCE:SUBJECT`, as CloudTrail names
/// web identity users.
fn federated_caller(caller: &Caller, token: &Verified) -> Caller {
    Caller {
        principal: Principal {
            arn: token.provider.arn.clone(),
            account: String::new(),
            kind: PrincipalType::Anonymous,
            role_arn: None,
        },
        identity: Identity::Anonymous,
        user_id: format!(
            "{}:{}:{}",
            token.provider.url, token.audience, token.subject
        ),
        access_key_id: String::new(),
        mfa: None,
        session: None,
        ..caller.clone()
    }
}
