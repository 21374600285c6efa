//! Encoded authorization failure messages, as EC2 returns them and
//! `sts:DecodeAuthorizationMessage` decodes them: an AccessDenied carries the request context
//! and iamd's explanation sealed with the account's key (AES-GCM, bound to the account id),
//! opaque and tamper-proof for the caller.
//!
//! The sealed form is compact; [`open`] expands it into the JSON AWS documents
//! (`allowed`, `explicitDeny`, `matchedStatements`, `failures`, `context`) plus an `iamd`
//! member with the explanation.

use base64::Engine;
use iamd_policy::{Decision, Evaluation, Explanation, Request};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::crypto::SealingKey;
use crate::error::IamError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What the additional authenticated data binds a message to: its purpose and account.
fn aad(account_id: &str) -> Vec<u8> {
    format!("iamd authorization message {account_id}").into_bytes()
}

/// A denial to encode.
pub struct Denied<'a> {
    /// The caller's unique id (`AIDA...`).
    pub caller_id: &'a str,
    pub request: &'a Request,
    pub evaluation: &'a Evaluation<'a>,
    pub explanation: &'a Explanation,
}

/// The sealed payload, with short member names to keep the message short.
#[derive(Serialize, Deserialize)]
struct Sealed {
    /// Principal id, name, ARN.
    p: (String, String, String),
    a: String,
    r: String,
    /// The deny statement that applied: policy, statement id, actions, resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<(String, String, Vec<String>, Vec<String>)>,
    /// The request context: key and values.
    c: Vec<(String, Vec<String>)>,
    /// iamd's explanation.
    x: String,
}

impl Denied<'_> {
    /// The encoded message, or `None` when sealing fails (the denial stands without it).
    pub fn seal(&self, sealing: &SealingKey, account_id: &str) -> Option<String> {
        let principal = &self.request.principal;
        let deny = self
            .evaluation
            .statement
            .filter(|_| self.evaluation.decision == Decision::ExplicitDeny)
            .map(|s| {
                let resources = s.statement.resources.as_ref();
                (
                    s.policy.name.clone(),
                    s.statement.sid.clone().unwrap_or_default(),
                    s.statement.actions.texts.clone(),
                    resources.map(|r| r.texts.clone()).unwrap_or_default(),
                )
            });
        let sealed = Sealed {
            p: (
                self.caller_id.to_string(),
                principal.name().to_string(),
                principal.arn.clone(),
            ),
            a: self.request.action().to_string(),
            r: self.request.resource.clone(),
            d: deny,
            c: self
                .request
                .context
                .iter()
                .map(|(k, v)| (k.to_string(), v.values().to_vec()))
                .collect(),
            x: self.explanation.summary.clone(),
        };
        let plain = serde_json::to_vec(&sealed).ok()?;
        let bytes = sealing.seal(&plain, &aad(account_id)).ok()?;
        Some(B64.encode(bytes))
    }
}

/// AWS's error for a message that does not decode.
fn invalid() -> IamError {
    IamError::new(
        "InvalidAuthorizationMessageException",
        400,
        "The encoded authorization message is invalid.",
    )
}

fn items(values: impl IntoIterator<Item = Value>) -> Value {
    json!({ "items": values.into_iter().collect::<Vec<_>>() })
}

fn value_items(values: &[String]) -> Value {
    items(values.iter().map(|v| json!({ "value": v })))
}

/// Opens a message sealed for `account_id` into AWS's decoded JSON (as text).
pub fn open(sealing: &SealingKey, account_id: &str, encoded: &str) -> Result<String, IamError> {
    let bytes = B64.decode(encoded.trim()).map_err(|_| invalid())?;
    let plain = sealing
        .open(&bytes, &aad(account_id))
        .map_err(|_| invalid())?;
    let sealed: Sealed = serde_json::from_slice(&plain).map_err(|_| invalid())?;
    let matched = sealed.d.as_ref().map(|(policy, sid, actions, resources)| {
        json!({
            "statementId": sid,
            "effect": "DENY",
            "actions": value_items(actions),
            "resources": value_items(resources),
            "iamdPolicyName": policy,
        })
    });
    let conditions = sealed
        .c
        .iter()
        .map(|(key, values)| json!({ "key": key, "values": value_items(values) }));
    let (id, name, arn) = &sealed.p;
    let decoded = json!({
        "allowed": false,
        "explicitDeny": sealed.d.is_some(),
        "matchedStatements": items(matched),
        "failures": items([]),
        "context": {
            "principal": { "id": id, "name": name, "arn": arn },
            "action": sealed.a,
            "resource": sealed.r,
            "conditions": items(conditions),
        },
        "iamd": { "explanation": sealed.x },
    });
    serde_json::to_string(&decoded).map_err(|_| IamError::service_failure())
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_policy::{evaluate, explain, Context, NamedPolicy, Policy, PolicyKind, PolicySet};
    use iamd_policy::{Principal, Request};

    fn denial(doc: &str) -> (String, SealingKey) {
        let policies = vec![NamedPolicy::new(
            "deny-all",
            Policy::parse(doc, PolicyKind::Identity).unwrap(),
        )];
        let principal = Principal::from_arn("arn:aws:iam::111122223333:user/bob").unwrap();
        let mut context = Context::default();
        principal.fill_context(&mut context);
        context.insert("aws:SourceIp", "192.0.2.1");
        let request = Request::new(principal, "iam:ListUsers", "*", context);
        let set = PolicySet {
            identity: &policies,
            ..Default::default()
        };
        let evaluation = evaluate(&set, &request);
        let explanation = explain(&set, &request);
        let key = SealingKey::from_bytes([3; 32]);
        let denied = Denied {
            caller_id: "AIDAEXAMPLE",
            request: &request,
            evaluation: &evaluation,
            explanation: &explanation,
        };
        (denied.seal(&key, "111122223333").unwrap(), key)
    }

    const DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#;

    #[test]
    fn an_explicit_deny_decodes_as_aws_documents_it() {
        let (encoded, key) = denial(DENY);
        assert!(!encoded.contains("ListUsers"), "opaque");
        let text = open(&key, "111122223333", &encoded).unwrap();
        let decoded: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(decoded["allowed"], false);
        assert_eq!(decoded["explicitDeny"], true);
        let statement = &decoded["matchedStatements"]["items"][0];
        assert_eq!(statement["statementId"], "NoIam");
        assert_eq!(statement["actions"]["items"][0]["value"], "iam:*");
        assert_eq!(decoded["failures"]["items"], json!([]));
        let context = &decoded["context"];
        assert_eq!(context["principal"]["id"], "AIDAEXAMPLE");
        assert_eq!(context["principal"]["name"], "bob");
        assert_eq!(context["action"], "iam:ListUsers");
        assert_eq!(context["resource"], "*");
        let ip = context["conditions"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "aws:SourceIp")
            .unwrap();
        assert_eq!(ip["values"]["items"][0]["value"], "192.0.2.1");
        let why = decoded["iamd"]["explanation"].as_str().unwrap();
        assert!(why.contains("denied by statement NoIam"), "{why}");
    }

    #[test]
    fn an_implicit_deny_has_no_matched_statement() {
        let allow_s3 = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
        let (encoded, key) = denial(allow_s3);
        let decoded: Value =
            serde_json::from_str(&open(&key, "111122223333", &encoded).unwrap()).unwrap();
        assert_eq!(decoded["explicitDeny"], false);
        assert_eq!(decoded["matchedStatements"]["items"], json!([]));
    }

    #[test]
    fn tampered_foreign_or_garbage_messages_are_refused() {
        let (encoded, key) = denial(DENY);
        let mut bytes = B64.decode(&encoded).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = B64.encode(&bytes);
        for (account, text) in [
            ("111122223333", tampered.as_str()),
            ("444455556666", encoded.as_str()),
            ("111122223333", "not a message"),
            ("111122223333", ""),
        ] {
            let e = open(&key, account, text).unwrap_err();
            assert_eq!(
                (e.code, e.status),
                ("InvalidAuthorizationMessageException", 400)
            );
        }
        let other_key = SealingKey::from_bytes([4; 32]);
        assert!(open(&other_key, "111122223333", &encoded).is_err());
    }
}
