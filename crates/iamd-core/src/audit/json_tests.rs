//! The hand-written record text (`json::write`) against serde's text of the typed record.

use serde_json::{json, Value};

use super::*;
use crate::authz::{AssumedRole, FederatedUser, MfaInfo};
use crate::error::IamError;

/// Text that needs every kind of escape, and some that needs none.
const TRICKY: &[&str] = &[
    "",
    "plain",
    "quote\" backslash\\ slash/",
    "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f}",
    "ünïcødé ✓ 🦀",
    "\\\"\\",
    "end\n",
];

fn callers() -> Vec<Caller> {
    let root = crate::testing::root();
    let mut callers = vec![root.clone()];
    for (i, text) in TRICKY.iter().enumerate() {
        let mut user = root.clone();
        user.identity = Identity::User(format!("u{text}"));
        user.user_id = format!("AIDA{text}");
        user.principal.arn = format!("arn:aws:iam::123456789012:user/{text}");
        user.source_ip = text.to_string();
        user.region = text.to_string();
        user.mfa = match i % 3 {
            0 => None,
            n => Some(MfaInfo {
                present: n == 1,
                authenticated_at: Some(5),
            }),
        };
        callers.push(user.clone());
        let mut role = user.clone();
        role.identity = Identity::AssumedRole(AssumedRole {
            role: format!("r{text}"),
            role_id: "AROA1".into(),
            role_arn: format!("arn:aws:iam::123456789012:role/{text}"),
            session_name: text.to_string(),
            created: 1_796_634_321,
        });
        callers.push(role);
        for by in [None, Some(format!("bob{text}"))] {
            let mut federated = user.clone();
            federated.identity = Identity::FederatedUser(FederatedUser {
                name: text.to_string(),
                user: by,
                created: 1_796_634_000,
            });
            callers.push(federated);
        }
        let mut anonymous = user.clone();
        anonymous.identity = Identity::Anonymous;
        anonymous.principal.arn = if i % 2 == 0 {
            String::new()
        } else {
            "token.actions.githubusercontent.com".into()
        };
        callers.push(anonymous);
    }
    callers
}

fn inputs() -> Vec<Value> {
    let mut inputs = vec![
        Value::Null,
        json!({}),
        json!({"UserName": "bob", "MaxItems": 5, "Marker": null, "OnlyAttached": true,
               "Password": "hunter2", "Tags": [{"Key": "k", "Value": "v"}, 7, [], {}],
               "DurationSeconds": 3600.5, "Ünicode": "x", "PolicyDocument": "x".repeat(5000)}),
        json!({"NewPassword": {"nested": [1, 2]}, "ContextEntries": [{"ContextKeyName": "a\"b",
               "Secret": "s"}], "Values": [-1, 18446744073709551615u64, 1e300]}),
    ];
    for text in TRICKY {
        inputs.push(json!({ "UserName": text, *text: text, "Path": [text] }));
    }
    inputs
}

#[test]
fn the_written_record_is_what_serde_writes() {
    let errors = [
        None,
        Some(IamError::no_such_entity(
            "The user with name \"x\" cannot be found.\n",
        )),
        Some(IamError::access_denied("denied ✓")),
    ];
    let responses = [
        None,
        Some(
            json!({"User": {"UserName": "bob\u{1}", "CreateDate": 1_796_590_800,
                             "Tags": [{"Key": "k"}]},
                    "Credentials": {"SecretAccessKey": "s", "Expiration": 1}}),
        ),
    ];
    let mut checked = 0;
    for caller in callers() {
        for input in inputs() {
            for (e, error) in errors.iter().enumerate() {
                let response = responses[e % 2].clone();
                for user_agent in ["", "aws-cli/2 \"q\"\t"] {
                    let call = ApiCall {
                        caller: &caller,
                        account_id: "123456789012",
                        event_source: "sts.amazonaws.com",
                        event_name: "GetUser",
                        input: &input,
                        read_only: e == 0,
                        request_id: "req\"1",
                        user_agent,
                        event_id: "01a24fc0-2068-7abc-8def-0123456789ab".into(),
                        now: 1_796_634_321,
                        response: response.clone(),
                    };
                    let written = call.record_with(error.as_ref()).body;
                    assert_eq!(written, call.record_by_serde(error.as_ref()));
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn every_control_character_is_escaped_as_serde_escapes_it() {
    for byte in 0u8..=0x7f {
        // At every offset of a text longer than the eight bytes read at once.
        for at in 0..20 {
            let mut text: String = "abcdefghijklmnopqrst".into();
            text.replace_range(at..at + 1, &char::from(byte).to_string());
            text.push('é');
            // And in every shorter text that holds it (shorter than a word, too).
            for end in at + 1..=text.len() {
                let Some(text) = text.get(at.saturating_sub(3)..end) else {
                    continue;
                };
                let mut out = json::Out::with_capacity(8);
                out.text(text);
                assert_eq!(
                    out.into_string(),
                    serde_json::to_string(&text).unwrap(),
                    "{byte} at {at}, to {end}"
                );
            }
        }
    }
}

#[test]
fn a_callers_identity_is_written_anew_when_anything_it_is_made_of_differs() {
    // Callers alike but for one thing each, recorded in turn (the thread's last identity is
    // used again only for the very same caller and account).
    let mut base = callers()[2].clone();
    base.mfa = Some(MfaInfo {
        present: false,
        authenticated_at: None,
    });
    let mut variants = vec![base.clone()];
    let mut other_key = base.clone();
    other_key.access_key_id = "ASIAOTHER".into();
    let mut other_mfa = base.clone();
    other_mfa.mfa = Some(MfaInfo {
        present: true,
        authenticated_at: Some(9),
    });
    let mut no_mfa = base.clone();
    no_mfa.mfa = None;
    let mut other_arn = base.clone();
    other_arn.principal.arn.push('x');
    let mut other_id = base.clone();
    other_id.user_id.push('x');
    let mut other_identity = base.clone();
    other_identity.identity = Identity::Root;
    variants.extend([
        other_key,
        other_mfa,
        no_mfa,
        other_arn,
        other_id,
        other_identity,
    ]);
    let input = json!({"UserName": "bob"});
    let mut seen = std::collections::HashSet::new();
    for round in 0..3 {
        for caller in &variants {
            for account_id in ["123456789012", "210987654321"] {
                let call = ApiCall::get_user(caller, account_id, &input);
                let written = call.record_with(None).body;
                assert_eq!(written, call.record_by_serde(None), "round {round}");
                seen.insert(written);
            }
        }
    }
    assert_eq!(
        seen.len(),
        variants.len() * 2,
        "each caller's record differs"
    );
}
