//! STS GetSessionToken: temporary credentials for the caller, with MFA when a device code is
//! given. Needs no permission; only long-term keys may call it.

use std::time::SystemTime;

use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::mfa_devices::{audit_rejection, locked_seconds};
use super::support::input;
use super::{Auth, OpContext, Operation};
use crate::account::Txn;
use crate::authz::Identity;
use crate::crypto::{access_key_id, secret_access_key, session_token, AccessKeyKind, Secret};
use crate::entities::sessions::{store_session, token_digest};
use crate::error::IamError;
use crate::mfa::{check_code, Check, Outcome, Rejection};
use crate::model::Session;

pub(super) static OPS: &[Operation] = &[Operation {
    service: &crate::service::STS,
    name: "GetSessionToken",
    auth: Auth::None,
    handler: get_session_token,
    read_only: false,
}];

/// AWS's texts.
pub const WITH_SESSION_CREDENTIALS: &str = "Cannot call GetSessionToken with session credentials";
pub const INVALID_CODE: &str =
    "MultiFactorAuthentication failed with invalid MFA one time pass code.";
pub const UNKNOWN_SERIAL: &str = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";

const DEFAULT_USER_SECONDS: i64 = 43_200;
const ROOT_MAX_SECONDS: i64 = 3_600;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetSessionTokenInput {
    duration_seconds: Option<i64>,
    serial_number: Option<String>,
    token_code: Option<String>,
}

/// Checks an MFA code an IAM user (`user`; `None` for root, who has no API-managed devices)
/// gives to an STS call, in `txn`: the device must be the user's, the code valid and unused.
/// A refused code is audited and recorded on the device: `Ok(Err(e))` then, for the caller
/// to commit and answer `e`.
pub(super) fn check_caller_code(
    ctx: &OpContext<'_>,
    txn: &mut Txn,
    user: Option<&str>,
    serial: &str,
    code: &str,
    now: SystemTime,
) -> Result<Result<(), IamError>, IamError> {
    let owned = txn
        .state
        .mfa_devices
        .get(serial)
        .is_some_and(|d| match (&d.user, user) {
            (Some(owner), Some(name)) => owner.eq_ignore_ascii_case(name),
            _ => false,
        });
    if !owned {
        return Ok(Err(IamError::access_denied(UNKNOWN_SERIAL)));
    }
    let caller = ctx.caller.principal.arn.as_str();
    match check_code(
        txn,
        &ctx.account.sealing,
        serial,
        caller,
        Check::One(code),
        now,
    )? {
        Outcome::Accepted => Ok(Ok(())),
        Outcome::Rejected(rejection) => {
            let error = IamError::access_denied(match rejection {
                Rejection::Locked => format!(
                    "{INVALID_CODE} Too many failed attempts: this device accepts no codes for {} more seconds.",
                    locked_seconds(txn, serial, caller)
                ),
                _ => INVALID_CODE.to_string(),
            });
            audit_rejection(ctx, txn, serial, rejection, &error)?;
            Ok(Err(error))
        }
    }
}

fn get_session_token(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetSessionTokenInput = input(value)?;
    if ctx.caller.session.is_some() {
        return Err(IamError::access_denied(WITH_SESSION_CREDENTIALS));
    }
    let user = ctx.caller_user().map(str::to_string);
    let duration = match (&ctx.caller.identity, input.duration_seconds) {
        (Identity::Root, d) => d.unwrap_or(ROOT_MAX_SECONDS).min(ROOT_MAX_SECONDS),
        (_, d) => d.unwrap_or(DEFAULT_USER_SECONDS),
    };
    let mfa_code = match (input.serial_number, input.token_code) {
        (Some(serial), Some(code)) => Some((serial, code)),
        (None, None) => None,
        _ => {
            return Err(IamError::access_denied(UNKNOWN_SERIAL));
        }
    };
    let fresh = FreshCredentials::new(ctx)?;
    let now = ctx.account.clock.now();
    let session = ctx.write_committed(|txn| {
        let mut mfa_serial = None;
        if let Some((serial, code)) = &mfa_code {
            if let Err(error) = check_caller_code(ctx, txn, user.as_deref(), serial, code, now)? {
                return Ok(Err(error));
            }
            mfa_serial = Some(serial.clone());
        }
        let session = Session {
            user: user.clone(),
            user_id: ctx.caller.user_id.clone(),
            mfa_present: mfa_serial.is_some(),
            mfa_authenticated_at: mfa_serial.as_ref().map(|_| txn.now),
            mfa_serial,
            ..fresh.session(txn.now + duration)
        };
        store_session(txn, &session)?;
        ctx.record_response(json!({ "Credentials": fresh.audit_json(session.expiration) }));
        Ok(Ok(session))
    })?;
    Ok(json!({ "Credentials": fresh.json(session.expiration) }))
}

/// New temporary credentials: an `ASIA` key id, its secret (also sealed for storage) and a
/// session token (stored as its digest only).
pub(super) struct FreshCredentials {
    key_id: String,
    secret: Secret,
    token: Secret,
    sealed_secret: String,
}

impl FreshCredentials {
    pub(super) fn new(ctx: &OpContext<'_>) -> Result<Self, IamError> {
        let fail = |_| IamError::service_failure();
        let key_id = access_key_id(AccessKeyKind::Temporary).map_err(fail)?;
        let secret = secret_access_key().map_err(fail)?;
        let token = session_token().map_err(fail)?;
        let sealed = ctx
            .account
            .sealing
            .seal(secret.expose().as_bytes(), key_id.as_bytes())
            .map_err(|_| IamError::service_failure())?;
        Ok(FreshCredentials {
            key_id,
            secret,
            token,
            sealed_secret: base64::engine::general_purpose::STANDARD.encode(&sealed),
        })
    }

    /// A root session (no user, no MFA, no role) with these credentials: callers set the rest.
    pub(super) fn session(&self, expiration: i64) -> Session {
        Session {
            access_key_id: self.key_id.clone(),
            sealed_secret: self.sealed_secret.clone(),
            token_sha256: token_digest(self.token.expose()),
            user: None,
            user_id: String::new(),
            expiration,
            mfa_present: false,
            mfa_authenticated_at: None,
            mfa_serial: None,
            role: None,
            federated: None,
        }
    }

    /// The `Credentials` of a response.
    /// The credentials as an audit record shows them: the key id and expiration, never the
    /// secret key or the session token.
    pub(super) fn audit_json(&self, expiration: i64) -> Value {
        json!({ "AccessKeyId": self.key_id, "Expiration": expiration })
    }

    pub(super) fn json(&self, expiration: i64) -> Value {
        json!({
            "AccessKeyId": self.key_id,
            "SecretAccessKey": self.secret.expose(),
            "SessionToken": self.token.expose(),
            "Expiration": expiration,
        })
    }
}
