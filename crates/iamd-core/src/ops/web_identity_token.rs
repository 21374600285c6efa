//! STS GetWebIdentityToken: a JWT about the caller, signed with the account's key for
//! `SigningAlgorithm` (RS256 or ES384), for services outside that trust the account's issuer
//! (see [`crate::outbound`]).
//!
//! As AWS documents it: the caller needs `sts:GetWebIdentityToken` (and
//! `sts:TagGetWebIdentityToken` to pass `Tags`), with the condition keys
//! `sts:IdentityTokenAudience` (every `Audience`), `sts:SigningAlgorithm`,
//! `sts:DurationSeconds`, `aws:RequestTag/*` and `aws:TagKeys`; the token has `iss`, `aud`,
//! `sub` (the principal's ARN: a role session's is its role's), `iat`, `exp` and `jti`, and
//! under `https://sts.amazonaws.com/` `aws_account`, `source_region`, `principal_tags`,
//! `request_tags`, `source_identity` and, for role sessions, `original_session_exp`.
//! `DurationSeconds` is 60 to 3,600 (default 300) and may not outlast the caller's session
//! (SessionDurationEscalationException).
//!
//! Chosen where AWS leaves room: `sts:DurationSeconds` is the token's lifetime (the default
//! when none is given); one audience is a string `aud`, several an array; the payload may
//! be at most [`MAX_PAYLOAD`] bytes (AWS does not publish its limit); the AWS Organizations
//! and compute claims (`org_id`, `ou_path`, `ec2_*`, `lambda_*`) never appear.

use iamd_policy::ContextValue;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::error::IamError;
use crate::model::Tag;
use crate::outbound::Alg;

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::STS,
    name: "GetWebIdentityToken",
    auth: Auth::Policy,
    handler: get_web_identity_token,
    read_only: false,
}];

/// AWS's default lifetime.
const DEFAULT_SECONDS: i64 = 300;
/// The largest JSON payload a token may have (iamd's choice).
pub const MAX_PAYLOAD: usize = 16 * 1024;
/// The namespace of AWS's own claims.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetWebIdentityTokenInput {
    audience: Vec<String>,
    signing_algorithm: String,
    duration_seconds: Option<i64>,
    tags: Option<Vec<Tag>>,
}

fn disabled() -> IamError {
    IamError::new(
        "OutboundWebIdentityFederationDisabledException",
        403,
        "The outbound web identity federation feature is not enabled for this account. To use \
         this feature, you must first enable it through the AWS Management Console or API.",
    )
}

fn get_web_identity_token(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetWebIdentityTokenInput = input(value)?;
    let Some(alg) = Alg::parse(&input.signing_algorithm) else {
        return Err(IamError::validation(format!(
            "1 validation error detected: Value '{}' at 'signingAlgorithm' failed to satisfy \
             constraint: Member must satisfy enum value set: [RS256, ES384]",
            input.signing_algorithm
        )));
    };
    let tags = input.tags.unwrap_or_default();
    super::input_checks::check_session_tags(&tags, &[], &[])?;
    let duration = input.duration_seconds.unwrap_or(DEFAULT_SECONDS);
    let mut extra = match tags.is_empty() {
        true => Vec::new(),
        false => super::tags::tag_context(&tags)?,
    };
    extra.push((
        "sts:IdentityTokenAudience".into(),
        ContextValue::Multi(input.audience.clone()),
    ));
    extra.push((
        "sts:SigningAlgorithm".into(),
        ContextValue::Single(alg.as_str().into()),
    ));
    extra.push((
        "sts:DurationSeconds".into(),
        ContextValue::Single(duration.to_string()),
    ));
    ctx.authorize_with("sts:GetWebIdentityToken", "*", &extra)?;
    if !tags.is_empty() {
        ctx.authorize_with("sts:TagGetWebIdentityToken", "*", &extra)?;
    }
    let setting = ctx
        .state
        .outbound_federation
        .as_ref()
        .filter(|s| s.enabled)
        .ok_or_else(disabled)?;
    let session_end = session_expiration(ctx);
    let expiration = ctx.now + duration;
    if session_end.is_some_and(|end| expiration > end) {
        return Err(IamError::new(
            "SessionDurationEscalationException",
            403,
            "The requested token duration would extend the session beyond its original \
             expiration time. Request a shorter DurationSeconds.",
        ));
    }
    let claims = claims(ctx, &input.audience, &tags, expiration, session_end)?;
    let payload = serde_json::to_vec(&claims).map_err(|_| IamError::service_failure())?;
    if payload.len() > MAX_PAYLOAD {
        return Err(IamError::new(
            "JWTPayloadSizeExceededException",
            400,
            "The requested token payload size exceeds the maximum allowed size. Reduce the \
             number of request tags included in the GetWebIdentityToken API call to reduce the \
             token payload size.",
        ));
    }
    let key = setting.key(alg).ok_or_else(|| {
        tracing::error!(target: "iamd", "no {} token signing key", alg.as_str());
        IamError::service_failure()
    })?;
    let token = key.sign(&ctx.account.sealing, &claims).map_err(|e| {
        tracing::error!(target: "iamd", "cannot sign a web identity token: {e}");
        IamError::service_failure()
    })?;
    Ok(json!({ "WebIdentityToken": token, "Expiration": expiration }))
}

/// When the caller's temporary credentials expire (`None`: long-term keys).
fn session_expiration(ctx: &OpContext<'_>) -> Option<i64> {
    ctx.caller.session?;
    ctx.state
        .sessions
        .get(&ctx.caller.access_key_id)
        .map(|s| s.expiration)
}

/// The token's claims.
fn claims(
    ctx: &OpContext<'_>,
    audience: &[String],
    tags: &[Tag],
    expiration: i64,
    session_end: Option<i64>,
) -> Result<Value, IamError> {
    let caller = ctx.caller;
    let context = caller.context(&ctx.state, ctx.now);
    let mut aws = Map::new();
    aws.insert("aws_account".into(), json!(ctx.account_id()));
    if !caller.region.is_empty() {
        aws.insert("source_region".into(), json!(caller.region));
    }
    let principal_tags: Map<String, Value> = context
        .iter()
        .filter_map(|(key, value)| {
            let tag = strip_prefix_ignore_case(key, "aws:PrincipalTag/")?;
            match value {
                ContextValue::Single(v) => Some((tag.to_string(), json!(v))),
                ContextValue::Multi(_) => None,
            }
        })
        .collect();
    if !principal_tags.is_empty() {
        aws.insert("principal_tags".into(), Value::Object(principal_tags));
    }
    if let Some(source) = context.single("aws:sourceidentity") {
        aws.insert("source_identity".into(), json!(source));
    }
    if let (Some(end), Some(crate::authz::SessionKind::AssumedRole)) = (session_end, caller.session)
    {
        aws.insert(
            "original_session_exp".into(),
            json!(crate::time::iso8601(end)),
        );
    }
    if !tags.is_empty() {
        let request_tags: Map<String, Value> = tags
            .iter()
            .map(|t| (t.key.clone(), json!(t.value)))
            .collect();
        aws.insert("request_tags".into(), Value::Object(request_tags));
    }
    let aud = match audience {
        [one] => json!(one),
        many => json!(many),
    };
    let jti = jti().map_err(|_| IamError::service_failure())?;
    Ok(json!({
        "iss": ctx.account.outbound_issuer(),
        "aud": aud,
        "sub": caller.principal.role_arn.as_deref().unwrap_or(&caller.principal.arn),
        "iat": ctx.now,
        "exp": expiration,
        "jti": jti,
        NAMESPACE: aws,
    }))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// A random UUID (version 4) as the token's id.
fn jti() -> Result<String, crate::crypto::RandomError> {
    let mut b = crate::crypto::random::bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}
