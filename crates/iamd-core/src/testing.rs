//! Test support: an account in memory with a manual clock, callers, and a way to call an
//! operation by name as the server would (after the wire layer decoded the input).

use std::sync::Arc;

use iamd_policy::Principal;
use serde_json::Value;

use crate::account::Account;
use crate::authz::{Caller, Identity, MfaInfo};
use crate::clock::ManualClock;
use crate::crypto::SealingKey;
use crate::error::IamError;
use crate::store::MemoryStore;

pub const ACCOUNT_ID: &str = "111122223333";

/// An empty account at 2026-11-23T08:44:41Z.
pub fn account() -> (Account, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at_unix_secs(1_795_423_481));
    let sealing = SealingKey::from_bytes([7; 32]);
    match Account::open(
        ACCOUNT_ID,
        Box::new(MemoryStore::default()),
        clock.clone(),
        sealing,
    ) {
        Ok(account) => (account, clock),
        Err(e) => unreachable_account(&e),
    }
}

fn unreachable_account(e: &str) -> (Account, Arc<ManualClock>) {
    // MemoryStore cannot fail to load; keep the signature total without panicking.
    eprintln!("iamd test account: {e}");
    std::process::abort()
}

/// The account's root user, with long-term keys.
pub fn root() -> Caller {
    let arn = format!("arn:aws:iam::{ACCOUNT_ID}:root");
    Caller {
        principal: principal(&arn),
        identity: Identity::Root,
        user_id: ACCOUNT_ID.to_string(),
        access_key_id: "AKIAROOTROOTROOTROOT".to_string(),
        mfa: None,
        session: None,
        source_ip: "127.0.0.1".to_string(),
        secure_transport: false,
        region: "us-east-1".to_string(),
    }
}

/// IAM user `name` (which must exist for authorization to succeed), with `mfa` as given.
pub fn user(account: &Account, name: &str, mfa: Option<MfaInfo>) -> Caller {
    let state = account.snapshot();
    let (arn, id) = match state.user(name) {
        Some(u) => (u.arn.clone(), u.id.clone()),
        None => (
            format!("arn:aws:iam::{ACCOUNT_ID}:user/{name}"),
            "AIDAUNKNOWN".to_string(),
        ),
    };
    Caller {
        principal: principal(&arn),
        identity: Identity::User(name.to_string()),
        user_id: id,
        access_key_id: "AKIATESTTESTTESTTEST".to_string(),
        session: mfa.map(|_| crate::authz::SessionKind::SessionToken),
        mfa,
        source_ip: "127.0.0.1".to_string(),
        secure_transport: false,
        region: "us-east-1".to_string(),
    }
}

fn principal(arn: &str) -> Principal {
    Principal::from_arn(arn).unwrap_or(Principal {
        arn: arn.to_string(),
        account: ACCOUNT_ID.to_string(),
        kind: iamd_policy::PrincipalType::Anonymous,
        role_arn: None,
    })
}

/// Calls operation `action` of `service` with `input` (JSON in the wire layer's shape). In
/// iamd-core's own unit tests (`cfg(test)`; not for other crates using the `testing` feature)
/// a successful output must match the AWS model's output shape exactly (no member
/// the model lacks, the JSON type of each member's shape, every required member), or the
/// call panics with what differs; operations the model lacks (iamd extensions) are not
/// checked.
pub fn call(
    account: &Account,
    caller: &Caller,
    service: &str,
    action: &str,
    input: Value,
) -> Result<Value, IamError> {
    let Some(op) = crate::ops::find(service, action) else {
        return Err(IamError::new(
            "InvalidAction",
            400,
            format!("no operation {action}"),
        ));
    };
    let result = crate::ops::dispatch(account, caller, op, &input, "test-request");
    #[cfg(test)]
    if let Ok(output) = &result {
        check_output(service, action, output);
    }
    result
}

/// Asserts that `output` matches the output shape of `action` in the AWS model of `service`.
#[cfg(test)]
fn check_output(service: &str, action: &str, output: &Value) {
    let model = match service {
        "iam" => iamd_wire::ServiceModel::get(iamd_wire::Service::Iam),
        "sts" => iamd_wire::ServiceModel::get(iamd_wire::Service::Sts),
        "cloudtrail" => iamd_wire::ServiceModel::get(iamd_wire::Service::CloudTrail),
        _ => return,
    };
    if model.operation(action).is_none() {
        return;
    }
    let problems = iamd_wire::check_output(model, action, output);
    assert!(
        problems.is_empty(),
        "{service} {action}: the output does not match the AWS model:\n  {}\noutput: {output:#}",
        problems.join("\n  ")
    );
}

/// The caller the server would build for the `Credentials` of an STS response (as returned
/// by [`call`]), at the account's current time; `None` when they are refused.
pub fn caller_with(account: &Account, response: &Value) -> Option<Caller> {
    let state = account.snapshot();
    let credentials = &response["Credentials"];
    let key_id = credentials["AccessKeyId"].as_str()?;
    let token = credentials["SessionToken"].as_str();
    let found = crate::credentials::find(&state, key_id, token, account.now()).ok()?;
    let origin = crate::credentials::Origin {
        access_key_id: key_id,
        source_ip: "127.0.0.1",
        region: "us-east-1",
    };
    crate::credentials::caller(&state, &found, &origin)
}
