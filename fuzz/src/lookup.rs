//! The account and checks of the `lookup_events` target.

use std::time::Duration;

use iamd_core::testing::{account, call as call_op, root, user};
use iamd_core::{Account, IamError};
use iamd_wire::ServiceModel;
use serde_json::{json, Value};

/// An account with a few events: users created and read by root, one denied call, one
/// failed call.
pub fn history() -> Account {
    let (acct, clock) = account();
    let r = root();
    for name in ["alice", "bob", "carol"] {
        let _ = call_op(&acct, &r, "iam", "CreateUser", json!({ "UserName": name }));
        clock.advance(Duration::from_secs(1));
        let _ = call_op(&acct, &r, "iam", "GetUser", json!({ "UserName": name }));
        clock.advance(Duration::from_secs(1));
    }
    let _ = call_op(
        &acct,
        &user(&acct, "bob", None),
        "iam",
        "ListUsers",
        json!({}),
    );
    let _ = call_op(&acct, &r, "iam", "GetUser", json!({"UserName": "nobody"}));
    clock.advance(Duration::from_secs(1));
    acct
}

pub fn call(account: &Account, input: &Value) -> Result<Value, IamError> {
    call_op(
        account,
        &root(),
        "cloudtrail",
        "LookupEvents",
        input.clone(),
    )
}

/// A refusal: 400 with one of CloudTrail's exceptions.
pub fn check_error(e: &IamError) {
    const CODES: &[&str] = &[
        "InvalidLookupAttributesException",
        "InvalidTimeRangeException",
        "InvalidMaxResultsException",
        "InvalidEventCategoryException",
        "InvalidNextTokenException",
        "ValidationException",
    ];
    assert!(
        e.status == 400 && CODES.contains(&e.code),
        "LookupEvents refused with {} {}: {}",
        e.code,
        e.status,
        e.message
    );
}

/// Checks one page against the model and MaxResults; returns its event ids.
pub fn check_page(model: &ServiceModel, input: &Value, output: &Value) -> Vec<String> {
    let problems = iamd_wire::check_output(model, "LookupEvents", output);
    assert!(problems.is_empty(), "{problems:?}: {output}");
    let events = output["Events"].as_array().cloned().unwrap_or_default();
    let most = input["MaxResults"].as_i64().unwrap_or(50);
    assert!(
        events.len() as i64 <= most,
        "{} events, MaxResults {most}",
        events.len()
    );
    events
        .iter()
        .map(|e| e["EventId"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `token` with one character changed (first, middle, last), cut short, and lengthened.
pub fn tampered(token: &str) -> Vec<String> {
    let bytes = token.as_bytes();
    let mut out = Vec::new();
    for at in [0, bytes.len() / 2, bytes.len().saturating_sub(1)] {
        if let Some(b) = bytes.get(at) {
            let mut changed = bytes.to_vec();
            changed[at] = if *b == b'A' { b'B' } else { b'A' };
            out.push(String::from_utf8_lossy(&changed).into_owned());
        }
    }
    out.push(token[..token.len().saturating_sub(4)].to_string());
    out.push(format!("{token}AAAA"));
    out
}
