//! CloudTrail's `ConsoleLogin` records (`eventSource` `signin.amazonaws.com`, `eventType`
//! `AwsConsoleSignIn`): `responseElements.ConsoleLogin` `Success` or `Failure`,
//! `additionalEventData.MFAUsed` `Yes` or `No` (and the device as `MFAIdentifier` when used),
//! failures with AWS's `errorMessage`. An unknown user name is not recorded (AWS writes
//! `HIDDEN_DUE_TO_SECURITY_REASONS`: it may be a password typed in the wrong field). Never a
//! password or a code. Sign-outs are recorded as `ConsoleSignOut` with the same shape (AWS's
//! record of a console sign-out is not in our reference: the name is iamd's).

use serde_json::{json, Value};

use super::Origin;
use crate::entities::console_sessions::ConsoleSession;
use crate::error::IamError;
use crate::model::User;
use crate::state::AccountState;
use crate::store::AuditRecord;

const EVENT_SOURCE: &str = "signin.amazonaws.com";
const EVENT_NAME: &str = "ConsoleLogin";
const SIGN_OUT: &str = "ConsoleSignOut";
/// What AWS records instead of an unknown user name.
pub const HIDDEN_USER: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Who signs in.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    User(&'a User),
    Root,
    /// A name that is none of the account's users.
    Unknown,
}

impl Who<'_> {
    fn username(&self) -> String {
        match self {
            Who::User(u) => u.name.clone(),
            Who::Root => "root".to_string(),
            Who::Unknown => HIDDEN_USER.to_string(),
        }
    }
}

/// A failed sign-in step.
pub struct Failure<'a> {
    pub who: Who<'a>,
    /// AWS's `errorMessage` (`Failed authentication`).
    pub reason: &'a str,
    /// Whether the step that failed was the MFA step.
    pub mfa_used: bool,
}

fn user_identity(state: &AccountState, who: Who<'_>) -> Value {
    match who {
        Who::User(u) => json!({
            "type": "IAMUser",
            "principalId": u.id,
            "arn": u.arn,
            "accountId": state.account_id,
            "userName": u.name,
        }),
        Who::Root => json!({
            "type": "Root",
            "principalId": state.account_id,
            "arn": format!("arn:aws:iam::{}:root", state.account_id),
            "accountId": state.account_id,
        }),
        Who::Unknown => json!({
            "type": "IAMUser",
            "accountId": state.account_id,
            "accessKeyId": "",
            "userName": HIDDEN_USER,
        }),
    }
}

fn body(
    state: &AccountState,
    who: Who<'_>,
    origin: &Origin<'_>,
    now: i64,
    event_id: &str,
) -> Value {
    json!({
        "eventVersion": "1.11",
        "userIdentity": user_identity(state, who),
        "eventTime": crate::time::iso8601(now),
        "eventSource": EVENT_SOURCE,
        "eventName": EVENT_NAME,
        "awsRegion": "us-east-1",
        "sourceIPAddress": origin.source_ip,
        "requestParameters": Value::Null,
        "eventID": event_id,
        "readOnly": false,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": true,
        "eventCategory": "Management",
        "recipientAccountId": state.account_id,
    })
}

fn additional(origin: &Origin<'_>, mfa_used: bool, serial: Option<&str>) -> Value {
    let mut data = json!({
        "LoginTo": origin.login_to,
        "MobileVersion": "No",
        "MFAUsed": if mfa_used { "Yes" } else { "No" },
    });
    if let Some(serial) = serial {
        data["MFAIdentifier"] = Value::String(serial.to_string());
    }
    data
}

fn audit_record(event_id: String, now: i64, username: String, body: Value) -> AuditRecord {
    AuditRecord {
        event_id,
        event_time: now,
        event_name: EVENT_NAME.to_string(),
        event_source: EVENT_SOURCE.to_string(),
        username,
        body: body.to_string(),
        lookup: Default::default(),
    }
}

/// The record of a completed sign-in.
pub fn success(
    state: &AccountState,
    who: Who<'_>,
    session: &ConsoleSession,
    origin: &Origin<'_>,
    now: i64,
) -> Result<AuditRecord, IamError> {
    let event_id = crate::crypto::request_id().map_err(|_| IamError::service_failure())?;
    let mut body = body(state, who, origin, now, &event_id);
    body["responseElements"] = json!({"ConsoleLogin": "Success"});
    body["additionalEventData"] = additional(
        origin,
        session.mfa_at.is_some(),
        session.mfa_serial.as_deref(),
    );
    // The kind of device used (a security key: "U2F MFA").
    if let Some(device) = session
        .mfa_serial
        .as_deref()
        .and_then(|s| state.mfa_devices.get(s))
    {
        body["additionalEventData"]["MfaType"] = json!(device.kind.audit_name());
    }
    Ok(audit_record(event_id, now, who.username(), body))
}

/// The record of a failed sign-in step.
pub fn failure(
    state: &AccountState,
    failure: &Failure<'_>,
    origin: &Origin<'_>,
    now: i64,
) -> AuditRecord {
    let event_id = crate::crypto::request_id().unwrap_or_default();
    let mut body = body(state, failure.who, origin, now, &event_id);
    body["responseElements"] = json!({"ConsoleLogin": "Failure"});
    body["additionalEventData"] = additional(origin, failure.mfa_used, None);
    body["errorMessage"] = Value::String(failure.reason.to_string());
    audit_record(event_id, now, failure.who.username(), body)
}

/// The record of a sign-out.
pub fn sign_out(
    state: &AccountState,
    who: Who<'_>,
    origin: &Origin<'_>,
    now: i64,
) -> Result<AuditRecord, IamError> {
    let event_id = crate::crypto::request_id().map_err(|_| IamError::service_failure())?;
    let mut body = body(state, who, origin, now, &event_id);
    body["eventName"] = Value::String(SIGN_OUT.to_string());
    body["responseElements"] = json!({"ConsoleSignOut": "Success"});
    let mut record = audit_record(event_id, now, who.username(), body);
    record.event_name = SIGN_OUT.to_string();
    Ok(record)
}
