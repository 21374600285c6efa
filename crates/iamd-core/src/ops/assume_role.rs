//! STS AssumeRole: temporary credentials of a role, for a caller its trust policy allows
//! (evaluated with the caller's own policies, as AWS does within one account), optionally
//! with an MFA code, session policies, session tags and a source identity.

use iamd_policy::{ContextValue, PolicyKind};
use serde::Deserialize;
use serde_json::{json, Value};

use super::input_checks::{check_role_arn, check_session_tags};
use super::sessions::{check_caller_code, FreshCredentials};
use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::authz::{Access, Caller, Identity, MfaInfo};
use crate::entities::sessions::store_session;
use crate::error::IamError;
use crate::model::{Document, Role, RoleSession, Session, Tag};
use crate::role_sessions::{session_arn, transitive_tags, user_id};
use crate::state::{AccountState, SESSION_POLICY_NAME};

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::STS,
    name: "AssumeRole",
    auth: Auth::Policy,
    handler: assume_role,
    read_only: false,
}];

/// AWS's texts.
pub const ROOT_MAY_NOT: &str = "Roles may not be assumed by root accounts.";
pub const OVER_ROLE_MAX: &str =
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
pub const OVER_CHAINING_MAX: &str =
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";

const DEFAULT_SECONDS: i64 = 3_600;
/// Sessions assumed with temporary credentials (role chaining, and GetSessionToken
/// credentials as AWS counts them) last at most one hour.
const CHAINED_MAX_SECONDS: i64 = 3_600;
/// The plaintext limit of session policies and tags that [`packed_size`] measures against.
const PACKED_LIMIT: usize = 2_048;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleInput {
    role_arn: String,
    role_session_name: String,
    policy_arns: Option<Vec<PolicyArn>>,
    policy: Option<String>,
    duration_seconds: Option<i64>,
    tags: Option<Vec<Tag>>,
    transitive_tag_keys: Option<Vec<String>>,
    external_id: Option<String>,
    serial_number: Option<String>,
    token_code: Option<String>,
    source_identity: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct PolicyArn {
    arn: String,
}

/// Session policies passed to AssumeRole or AssumeRoleWithWebIdentity, compiled, with their
/// packed size.
pub(super) struct SessionPolicies {
    pub(super) policy: Option<Document>,
    pub(super) policy_arns: Vec<String>,
    pub(super) packed_size: Option<usize>,
}

impl SessionPolicies {
    /// Compiles `policy`; refuses policies and `tags` over the packed limit as AWS does.
    pub(super) fn of(
        policy: Option<&str>,
        policy_arns: Option<Vec<PolicyArn>>,
        tags: &[Tag],
    ) -> Result<SessionPolicies, IamError> {
        let compiled = match policy {
            Some(text) => Some(Document::compile(
                SESSION_POLICY_NAME,
                text,
                PolicyKind::Identity,
            )?),
            None => None,
        };
        let policy_arns: Vec<String> = policy_arns
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.arn)
            .collect();
        let packed_size = packed_size(policy, &policy_arns, tags);
        if let Some(size) = packed_size.filter(|s| *s > 100) {
            return Err(IamError::new(
                "PackedPolicyTooLarge",
                400,
                format!(
                    "Packed policy consumes {size}% of allotted space, please use smaller policy."
                ),
            ));
        }
        Ok(SessionPolicies {
            policy: compiled,
            policy_arns,
            packed_size,
        })
    }
}

/// The session being asked for, checked and ready to be granted.
struct Request {
    role: std::sync::Arc<Role>,
    session: RoleSession,
    duration: Option<i64>,
    packed_size: Option<usize>,
    mfa_code: Option<(String, String)>,
    context: Vec<(String, ContextValue)>,
}

fn assume_role(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: AssumeRoleInput = input(value)?;
    check_role_arn(&input.role_arn)?;
    if ctx.caller.identity == Identity::Root {
        return Err(IamError::access_denied(ROOT_MAY_NOT));
    }
    let request = prepare(ctx, input)?;
    let fresh = FreshCredentials::new(ctx)?;
    let clock_now = ctx.account.clock.now();
    let session = ctx.write_committed(|txn| {
        let mut caller = ctx.caller.clone();
        if let Some((serial, code)) = &request.mfa_code {
            let user = ctx.caller_user();
            if let Err(e) = check_caller_code(ctx, txn, user, serial, code, clock_now)? {
                return Ok(Err(e));
            }
            caller.mfa = Some(MfaInfo {
                present: true,
                authenticated_at: Some(txn.now),
            });
        }
        if let Err(e) = authorize(ctx, &txn.state, &caller, &request) {
            return Ok(Err(e));
        }
        let duration = match duration(ctx.caller, &request.role, request.duration) {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        let mfa = caller.mfa.filter(|m| m.present);
        let session = Session {
            mfa_present: mfa.is_some(),
            mfa_authenticated_at: mfa.and_then(|m| m.authenticated_at),
            mfa_serial: request.mfa_code.as_ref().map(|(serial, _)| serial.clone()),
            role: Some(RoleSession {
                created: txn.now,
                ..request.session.clone()
            }),
            ..fresh.session(txn.now + duration)
        };
        store_session(txn, &session)?;
        let name = &request.session.session_name;
        ctx.record_response(json!({
            "Credentials": fresh.audit_json(session.expiration),
            "AssumedRoleUser": {
                "AssumedRoleId": user_id(&request.role, name),
                "Arn": session_arn(ctx.account_id(), &request.role.name, name),
            },
        }));
        Ok(Ok(session))
    })?;
    granted(ctx, &fresh, &session, &request.role, request.packed_size)
}

/// The answer of AssumeRole and AssumeRoleWithWebIdentity for a granted `session`:
/// `Credentials`, `AssumedRoleUser`, `PackedPolicySize` and `SourceIdentity`.
pub(super) fn granted(
    ctx: &OpContext<'_>,
    fresh: &FreshCredentials,
    session: &Session,
    role: &Role,
    packed_size: Option<usize>,
) -> Result<Value, IamError> {
    let role_session = session
        .role
        .as_ref()
        .ok_or_else(IamError::service_failure)?;
    let mut out = json!({
        "Credentials": fresh.json(session.expiration),
        "AssumedRoleUser": {
            "AssumedRoleId": user_id(role, &role_session.session_name),
            "Arn": session_arn(ctx.account_id(), &role.name, &role_session.session_name),
        },
    });
    if let Some(size) = packed_size {
        out["PackedPolicySize"] = json!(size);
    }
    if let Some(source) = &role_session.source_identity {
        out["SourceIdentity"] = json!(source);
    }
    Ok(out)
}

/// Checks the input that needs no decision: the role (an unknown one is refused as AWS does,
/// without saying it does not exist), session policies and their packed size, session tags.
fn prepare(ctx: &OpContext<'_>, input: AssumeRoleInput) -> Result<Request, IamError> {
    let caller_session = ctx
        .state
        .sessions
        .get(&ctx.caller.access_key_id)
        .and_then(|s| s.role.clone());
    let requested_tags = input.tags.unwrap_or_default();
    check_session_tags(
        &requested_tags,
        input.transitive_tag_keys.as_deref().unwrap_or_default(),
        &transitive_tags(caller_session.as_ref()),
    )?;
    let role = find_role(&ctx.state, &input.role_arn).ok_or_else(|| {
        IamError::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
            ctx.caller.principal.arn, input.role_arn
        ))
    })?;
    let policies =
        SessionPolicies::of(input.policy.as_deref(), input.policy_arns, &requested_tags)?;
    let context = request_context(
        &input.external_id,
        &input.role_session_name,
        &requested_tags,
        &input.transitive_tag_keys,
        input.source_identity.as_deref(),
    );
    let session = session_of(
        &role,
        input.role_session_name,
        caller_session.as_ref(),
        requested_tags,
        input.transitive_tag_keys.unwrap_or_default(),
        input.source_identity,
    );
    let mfa_code = match (input.serial_number, input.token_code) {
        (Some(serial), Some(code)) => Some((serial, code)),
        (None, None) => None,
        _ => return Err(IamError::access_denied(super::sessions::UNKNOWN_SERIAL)),
    };
    Ok(Request {
        role,
        session: RoleSession {
            policy: policies.policy,
            policy_arns: policies.policy_arns,
            chained: ctx.caller.session.is_some(),
            ..session
        },
        duration: input.duration_seconds,
        packed_size: policies.packed_size,
        mfa_code,
        context,
    })
}

/// The role named by `arn` in this account (the ARN must match exactly, path included).
pub(super) fn find_role(state: &AccountState, arn: &str) -> Option<std::sync::Arc<Role>> {
    let name = arn.rsplit('/').next()?;
    state.role(name).filter(|r| r.arn == arn).cloned()
}

/// The new session's identity, tags and source identity. Transitive tags of the caller's
/// session carry over and cannot be replaced; a source identity once set cannot change.
pub(super) fn session_of(
    role: &Role,
    session_name: String,
    caller_session: Option<&RoleSession>,
    requested_tags: Vec<Tag>,
    transitive_keys: Vec<String>,
    source_identity: Option<String>,
) -> RoleSession {
    let inherited = transitive_tags(caller_session);
    let mut tags = inherited.clone();
    tags.extend(requested_tags);
    let mut transitive_tag_keys: Vec<String> = inherited.iter().map(|t| t.key.clone()).collect();
    transitive_tag_keys.extend(transitive_keys);
    RoleSession {
        role: role.name.clone(),
        role_id: role.id.clone(),
        created: 0,
        session_name,
        source_identity: caller_session
            .and_then(|s| s.source_identity.clone())
            .or(source_identity),
        tags,
        policy: None,
        policy_arns: Vec::new(),
        chained: false,
        transitive_tag_keys,
    }
}

/// The context keys AssumeRole adds to the request.
pub(super) fn request_context(
    external_id: &Option<String>,
    session_name: &str,
    tags: &[Tag],
    transitive_keys: &Option<Vec<String>>,
    source_identity: Option<&str>,
) -> Vec<(String, ContextValue)> {
    let single = |k: &str, v: &str| (k.to_string(), ContextValue::Single(v.to_string()));
    let mut context = vec![single("sts:RoleSessionName", session_name)];
    if let Some(id) = external_id {
        context.push(single("sts:ExternalId", id));
    }
    if let Some(source) = source_identity {
        context.push(single("sts:SourceIdentity", source));
    }
    for tag in tags {
        context.push(single(&format!("aws:RequestTag/{}", tag.key), &tag.value));
    }
    if !tags.is_empty() {
        let keys = tags.iter().map(|t| t.key.clone()).collect();
        context.push(("aws:TagKeys".to_string(), ContextValue::Multi(keys)));
    }
    if let Some(keys) = transitive_keys {
        context.push((
            "sts:TransitiveTagKeys".to_string(),
            ContextValue::Multi(keys.clone()),
        ));
    }
    context
}

/// `sts:AssumeRole` on the role, with its trust policy as the resource's policy; plus
/// `sts:TagSession` when session tags are passed and `sts:SetSourceIdentity` when a source
/// identity is, as AWS requires.
fn authorize(
    ctx: &OpContext<'_>,
    state: &AccountState,
    caller: &Caller,
    request: &Request,
) -> Result<(), IamError> {
    let trust = request
        .role
        .assume_role_policy
        .compiled()
        .map(|p| &**p)
        .ok_or_else(IamError::service_failure)?;
    let mut actions = vec!["sts:AssumeRole"];
    if request.context.iter().any(|(k, _)| k == "aws:TagKeys") {
        actions.push("sts:TagSession");
    }
    if request
        .context
        .iter()
        .any(|(k, _)| k == "sts:SourceIdentity")
    {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        let access = Access {
            action,
            resource: &request.role.arn,
            extra: &request.context,
            trust_policy: Some(trust),
        };
        ctx.authorize_access(state, caller, &access)?;
    }
    Ok(())
}

/// The session's duration: `requested` (default one hour) within the role's maximum, or one
/// hour when the caller signs with temporary credentials.
pub(super) fn duration(
    caller: &Caller,
    role: &Role,
    requested: Option<i64>,
) -> Result<i64, IamError> {
    let seconds = requested.unwrap_or(DEFAULT_SECONDS);
    if caller.session.is_some() && seconds > CHAINED_MAX_SECONDS {
        return Err(IamError::validation(OVER_CHAINING_MAX));
    }
    if seconds > role.max_session_duration {
        return Err(IamError::validation(OVER_ROLE_MAX));
    }
    Ok(seconds)
}

/// `PackedPolicySize`: how much of the allowed space session policies and tags take, in
/// percent; `None` when none are passed. AWS packs them in an undocumented compressed form;
/// iamd measures their plaintext (policy without whitespace, policy ARNs, tag keys and values)
/// against the documented 2,048-character plaintext limit, which refuses no less than AWS's
/// plaintext limit does.
fn packed_size(policy: Option<&str>, policy_arns: &[String], tags: &[Tag]) -> Option<usize> {
    if policy.is_none() && policy_arns.is_empty() && tags.is_empty() {
        return None;
    }
    let policy_chars = policy.map_or(0, crate::entities::documents::policy_size);
    let arn_chars: usize = policy_arns.iter().map(|a| a.chars().count()).sum();
    let tag_chars: usize = tags
        .iter()
        .map(|t| t.key.chars().count() + t.value.chars().count())
        .sum();
    let total = policy_chars + arn_chars + tag_chars;
    Some((total * 100).div_ceil(PACKED_LIMIT))
}
