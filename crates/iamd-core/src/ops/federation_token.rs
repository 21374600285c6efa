//! STS GetFederationToken: temporary credentials for a federated user, on behalf of the IAM
//! user (or root) who calls with long-term keys. The session may do what both the caller's
//! policies and the session policies passed allow (nothing without session policies).

use serde::Deserialize;
use serde_json::{json, Value};

use super::assume_role::{PolicyArn, SessionPolicies};
use super::sessions::FreshCredentials;
use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::authz::Identity;
use crate::entities::sessions::store_session;
use crate::error::IamError;
use crate::federated_sessions::{arn, user_id};
use crate::model::{FederatedSession, Session, Tag};

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::STS,
    name: "GetFederationToken",
    auth: Auth::Policy,
    handler: get_federation_token,
    read_only: false,
}];

/// AWS's text, as for GetSessionToken.
pub const WITH_SESSION_CREDENTIALS: &str =
    "Cannot call GetFederationToken with session credentials";

/// AWS's default; the model limits `DurationSeconds` to 900..129600.
const DEFAULT_SECONDS: i64 = 43_200;
/// "Temporary credentials obtained by using the root user credentials have a maximum duration
/// of 3,600 seconds (1 hour)."
const ROOT_MAX_SECONDS: i64 = 3_600;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetFederationTokenInput {
    name: String,
    policy: Option<String>,
    policy_arns: Option<Vec<PolicyArn>>,
    duration_seconds: Option<i64>,
    tags: Option<Vec<Tag>>,
}

fn get_federation_token(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetFederationTokenInput = input(value)?;
    if ctx.caller.session.is_some() {
        return Err(IamError::access_denied(WITH_SESSION_CREDENTIALS));
    }
    let user = match &ctx.caller.identity {
        Identity::Root => None,
        Identity::User(name) => Some(name.clone()),
        Identity::AssumedRole(_) | Identity::FederatedUser(_) | Identity::Anonymous => {
            return Err(IamError::access_denied(WITH_SESSION_CREDENTIALS))
        }
    };
    let account_id = ctx.account_id();
    let federated_arn = arn(account_id, &input.name);
    let tags = input.tags.unwrap_or_default();
    let SessionPolicies {
        policy,
        policy_arns,
        packed_size,
    } = SessionPolicies::of(input.policy.as_deref(), input.policy_arns, &tags)?;
    let extra = match tags.is_empty() {
        true => Vec::new(),
        false => super::tags::tag_context(&tags)?,
    };
    ctx.authorize_with("sts:GetFederationToken", &federated_arn, &extra)?;
    if !tags.is_empty() {
        ctx.authorize_with("sts:TagSession", &federated_arn, &extra)?;
    }
    let duration = match user {
        None => input
            .duration_seconds
            .unwrap_or(ROOT_MAX_SECONDS)
            .min(ROOT_MAX_SECONDS),
        Some(_) => input.duration_seconds.unwrap_or(DEFAULT_SECONDS),
    };
    let fresh = FreshCredentials::new(ctx)?;
    let session = ctx.write(|txn| {
        let session = Session {
            user: user.clone(),
            user_id: ctx.caller.user_id.clone(),
            federated: Some(FederatedSession {
                name: input.name.clone(),
                created: txn.now,
                tags,
                policy,
                policy_arns,
            }),
            ..fresh.session(txn.now + duration)
        };
        store_session(txn, &session)?;
        Ok(session)
    })?;
    let mut out = json!({
        "Credentials": fresh.json(session.expiration),
        "FederatedUser": {
            "FederatedUserId": user_id(account_id, &input.name),
            "Arn": federated_arn,
        },
    });
    if let Some(size) = packed_size {
        out["PackedPolicySize"] = json!(size);
    }
    Ok(out)
}
