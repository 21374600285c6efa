//! CloudTrail-style audit records for API calls.

use serde_json::{json, Map, Value};

use crate::authz::{Caller, Identity};
use crate::store::AuditRecord;

/// Request parameters never written to the log.
const REDACTED: [&str; 4] = ["password", "oldPassword", "newPassword", "secretAccessKey"];

/// CloudTrail's camelCase request parameters from the PascalCase input.
fn request_parameters(input: &Value) -> Value {
    match input {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let mut chars = key.chars();
                let camel: String = match chars.next() {
                    Some(first) => first.to_lowercase().chain(chars).collect(),
                    None => String::new(),
                };
                let value = if REDACTED.contains(&camel.as_str()) {
                    Value::String("HIDDEN_DUE_TO_SECURITY_REASONS".into())
                } else {
                    request_parameters(value)
                };
                out.insert(camel, value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(request_parameters).collect()),
        other => other.clone(),
    }
}

/// `userIdentity` for a caller.
pub fn user_identity(caller: &Caller, account_id: &str) -> Value {
    let (kind, user_name) = match &caller.identity {
        Identity::Root => ("Root", None),
        Identity::User(name) => ("IAMUser", Some(name.clone())),
    };
    let mut identity = json!({
        "type": kind,
        "principalId": caller.user_id,
        "arn": caller.principal.arn,
        "accountId": account_id,
        "accessKeyId": caller.access_key_id,
    });
    if let Some(name) = user_name {
        identity["userName"] = Value::String(name);
    }
    if let Some(mfa) = caller.mfa {
        identity["sessionContext"] = json!({"attributes": {
            "mfaAuthenticated": mfa.present.to_string(),
        }});
    }
    identity
}

/// The record of one successful API call.
pub struct ApiCall<'a> {
    pub caller: &'a Caller,
    pub account_id: &'a str,
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub input: &'a Value,
    pub read_only: bool,
    pub request_id: &'a str,
    pub event_id: String,
    pub now: i64,
}

impl ApiCall<'_> {
    pub fn record(&self) -> AuditRecord {
        let body = json!({
            "eventVersion": "1.11",
            "userIdentity": user_identity(self.caller, self.account_id),
            "eventTime": crate::time::iso8601(self.now),
            "eventSource": self.event_source,
            "eventName": self.event_name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": self.caller.source_ip,
            "requestParameters": request_parameters(self.input),
            "responseElements": Value::Null,
            "requestID": self.request_id,
            "eventID": self.event_id,
            "readOnly": self.read_only,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "eventCategory": "Management",
            "recipientAccountId": self.account_id,
        });
        let username = match &self.caller.identity {
            Identity::Root => "root".to_string(),
            Identity::User(name) => name.clone(),
        };
        AuditRecord {
            event_id: self.event_id.clone(),
            event_time: self.now,
            event_name: self.event_name.to_string(),
            event_source: self.event_source.to_string(),
            username,
            body: body.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_camel_case_and_secrets_hidden() {
        let p = request_parameters(
            &json!({"UserName": "alice", "NewPassword": "hunter2", "Tags": [{"Key": "k"}]}),
        );
        assert_eq!(
            p,
            json!({"userName": "alice", "newPassword": "HIDDEN_DUE_TO_SECURITY_REASONS", "tags": [{"key": "k"}]})
        );
    }
}
