//! STS AssumeRoleWithSAML: role credentials for the bearer of a SAML 2.0 response from one of
//! the account's SAML providers (`PrincipalArn`). The request is unsigned; the response is
//! verified ([`crate::saml_assertion`]), its `Role` attribute must offer the role through
//! that provider, and the role's trust policy alone decides, for the principal
//! `{"Federated": PROVIDER_ARN}` with the `saml:` condition keys (plus `sts:TagSession` for
//! `PrincipalTag` attributes and `sts:SetSourceIdentity` for `SourceIdentity`, as AWS
//! requires). Each assertion is accepted once ([`crate::entities::saml_assertions`]).
//!
//! The session lasts `DurationSeconds` (default one hour, within the role's maximum),
//! shortened by the `SessionDuration` attribute and the `AuthnStatement`'s
//! `SessionNotOnOrAfter`, as AWS documents. A role that does not exist, is not offered by
//! the assertion, or does not trust it is AccessDenied "Not authorized to perform
//! sts:AssumeRoleWithSAML", as AWS answers all three.

use iamd_policy::{Principal, PrincipalType};
use serde::Deserialize;
use serde_json::{json, Value};

use super::assume_role::{
    duration, find_role, granted, request_context, session_of, PolicyArn, SessionPolicies,
};
use super::input_checks::{check_role_arn, check_session_tags};
use super::sessions::FreshCredentials;
use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::authz::{Access, Caller, Identity};
use crate::entities::saml_assertions;
use crate::entities::sessions::store_session;
use crate::error::IamError;
use crate::model::{RoleSession, SamlProvider, Session};
use crate::role_sessions::{session_arn, user_id};
use crate::saml_assertion::{not_authorized, verify, Verified, NO_PROVIDER, REPLAYED};
use crate::web_identity::invalid_token;

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::STS,
    name: "AssumeRoleWithSAML",
    auth: Auth::Policy,
    handler: assume_role_with_saml,
    read_only: false,
}];

const ACTION: &str = "sts:AssumeRoleWithSAML";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Input {
    role_arn: String,
    principal_arn: String,
    #[serde(rename = "SAMLAssertion")]
    saml_assertion: String,
    policy_arns: Option<Vec<PolicyArn>>,
    policy: Option<String>,
    duration_seconds: Option<i64>,
}

fn assume_role_with_saml(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: Input = input(value)?;
    check_role_arn(&input.role_arn)?;
    check_role_arn(&input.principal_arn)?;
    let provider = ctx
        .state
        .saml_providers
        .get(&input.principal_arn)
        .cloned()
        .ok_or_else(|| invalid_token(NO_PROVIDER))?;
    let assertion = verify(&input.saml_assertion, &provider, ctx.now)?;
    let caller = saml_caller(ctx.caller, ctx.account_id(), &provider, &assertion);
    ctx.audit_as(caller.clone());
    let replay_key = assertion.replay_key();
    if saml_assertions::used(&ctx.state, &replay_key) {
        return Err(invalid_token(REPLAYED));
    }
    let claims = &assertion.claims;
    if !claims.offers(&input.role_arn, &input.principal_arn) {
        return Err(not_authorized());
    }
    let role = find_role(&ctx.state, &input.role_arn).ok_or_else(not_authorized)?;
    check_session_tags(&claims.tags, &claims.transitive_tag_keys, &[])?;
    let policies = SessionPolicies::of(input.policy.as_deref(), input.policy_arns, &claims.tags)?;
    let mut context = assertion.context(ctx.account_id(), &provider);
    let transitive = Some(claims.transitive_tag_keys.clone()).filter(|k| !k.is_empty());
    context.extend(request_context(
        &None,
        &claims.session_name,
        &claims.tags,
        &transitive,
        claims.source_identity.as_deref(),
    ));
    let trust = role.assume_role_policy.compiled().map(|p| &**p);
    let trust = trust.ok_or_else(IamError::service_failure)?;
    let mut actions = vec![ACTION];
    if !claims.tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if claims.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        let access = Access {
            action,
            resource: &role.arn,
            extra: &context,
            trust_policy: Some(trust),
        };
        ctx.authorize_federated(&caller, &access)?;
    }
    let seconds = lifetime(
        &assertion,
        duration(&caller, &role, input.duration_seconds)?,
        ctx.now,
    );
    let fresh = FreshCredentials::new(ctx)?;
    let role_session = RoleSession {
        policy: policies.policy,
        policy_arns: policies.policy_arns,
        ..session_of(
            &role,
            claims.session_name.clone(),
            None,
            claims.tags.clone(),
            claims.transitive_tag_keys.clone(),
            claims.source_identity.clone(),
        )
    };
    let answer = answer(ctx.account_id(), &provider, &assertion);
    let session = ctx.write(|txn| {
        // Checked again in the write: two nodes may have accepted it at once.
        if saml_assertions::used(&txn.state, &replay_key) {
            return Err(invalid_token(REPLAYED));
        }
        saml_assertions::record(txn, &replay_key, assertion.usable_until)?;
        let session = Session {
            role: Some(RoleSession {
                created: txn.now,
                ..role_session
            }),
            ..fresh.session(txn.now + seconds)
        };
        store_session(txn, &session)?;
        let name = &claims.session_name;
        let mut recorded = json!({
            "Credentials": fresh.audit_json(session.expiration),
            "AssumedRoleUser": {
                "AssumedRoleId": user_id(&role, name),
                "Arn": session_arn(ctx.account_id(), &role.name, name),
            },
        });
        merge(&mut recorded, &answer);
        ctx.record_response(recorded);
        Ok(session)
    })?;
    let mut out = granted(ctx, &fresh, &session, &role, policies.packed_size)?;
    merge(&mut out, &answer);
    Ok(out)
}

/// The session's seconds: `requested` (already within the role's maximum), shortened by the
/// `SessionDuration` attribute and `SessionNotOnOrAfter`.
fn lifetime(assertion: &Verified, requested: i64, now: i64) -> i64 {
    let mut seconds = requested;
    if let Some(limit) = assertion.claims.session_duration {
        seconds = seconds.min(limit);
    }
    if let Some(until) = assertion.session_not_on_or_after {
        seconds = seconds.min(until - now);
    }
    seconds
}

/// The answer's members about the assertion: `Subject`, `SubjectType`, `Issuer`, `Audience`
/// (the `Recipient`, as the API reference defines it) and `NameQualifier`.
fn answer(account_id: &str, provider: &SamlProvider, assertion: &Verified) -> Value {
    json!({
        "Subject": assertion.subject,
        "SubjectType": assertion.subject_type(),
        "Issuer": assertion.issuer,
        "Audience": assertion.recipient,
        "NameQualifier": assertion.name_qualifier(account_id, provider),
    })
}

fn merge(out: &mut Value, members: &Value) {
    if let (Some(out), Some(members)) = (out.as_object_mut(), members.as_object()) {
        out.extend(members.clone());
    }
}

/// The request's caller as the trust policy sees it: the provider (`Federated`); its
/// `aws:userid` is `NAMEQUALIFIER:SUBJECT`, CloudTrail's `principalId` of a SAML user.
fn saml_caller(
    caller: &Caller,
    account_id: &str,
    provider: &SamlProvider,
    assertion: &Verified,
) -> Caller {
    Caller {
        principal: Principal {
            arn: provider.arn.clone(),
            account: String::new(),
            kind: PrincipalType::Anonymous,
            role_arn: None,
        },
        identity: Identity::Anonymous,
        user_id: format!(
            "{}:{}",
            assertion.name_qualifier(account_id, provider),
            assertion.subject
        ),
        access_key_id: String::new(),
        mfa: None,
        session: None,
        ..caller.clone()
    }
}
