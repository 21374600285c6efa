//! Every EXPECTED.md row decided alike by SimulateCustomPolicy, SimulatePrincipalPolicy and
//! enforcement (`authz::authorize`), the MFA column given to the simulator as a context entry
//! and to enforcement as the caller's credentials.

use serde_json::{json, Value};

use super::simulate::{ok, ALICE};
use crate::account::Account;
use crate::authz::{authorize, MfaInfo};
use crate::testing::{account, user};

#[path = "../../../../iamd-policy/tests/common/mod.rs"]
mod common;

fn decision_name(eval: &str) -> &'static str {
    match eval {
        "allowed" => "Allow",
        "explicitDeny" => "Deny",
        _ => "Implicit",
    }
}

/// The MFA column as a context entry (none for `absent`).
fn mfa_entries(mfa: Option<&str>) -> Value {
    match mfa {
        None => json!([]),
        Some(v) => json!([{"ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": [v], "ContextKeyType": "boolean"}]),
    }
}

#[test]
fn every_expected_md_row_simulated_as_enforced() {
    let rows = common::rows();
    assert!(rows.len() >= 3 * 60, "the table was read ({})", rows.len());
    let mut failures = Vec::new();
    let mut by_set: Vec<(Vec<String>, Account)> = Vec::new();
    for row in &rows {
        let texts: Vec<String> = row
            .files
            .iter()
            .map(|f| std::fs::read_to_string(common::fixtures().join(f)).unwrap())
            .collect();
        if !by_set.iter().any(|(files, _)| *files == row.files) {
            // alice holds the set as customer managed policies (seed 000 is over the
            // inline size limit).
            let (acct, _) = account();
            ok(&acct, "CreateUser", json!({"UserName": "alice"}));
            for (i, text) in texts.iter().enumerate() {
                let name = format!("p{i}");
                let created = ok(
                    &acct,
                    "CreatePolicy",
                    json!({"PolicyName": name, "PolicyDocument": text}),
                );
                let arn = created["Policy"]["Arn"].clone();
                ok(
                    &acct,
                    "AttachUserPolicy",
                    json!({"UserName": "alice", "PolicyArn": arn}),
                );
            }
            by_set.push((row.files.clone(), acct));
        }
        let Some((_, acct)) = by_set.iter().find(|(files, _)| *files == row.files) else {
            continue;
        };
        let common_input = json!({"ActionNames": [row.action], "ResourceArns": [row.resource],
            "ContextEntries": mfa_entries(row.mfa)});
        let mut custom_input = common_input.clone();
        custom_input["PolicyInputList"] = json!(texts);
        custom_input["CallerArn"] = json!(ALICE);
        let simulated = ok(acct, "SimulateCustomPolicy", custom_input);
        let mut principal_input = common_input;
        principal_input["PolicySourceArn"] = json!(ALICE);
        let principal = ok(acct, "SimulatePrincipalPolicy", principal_input);
        let mfa = row.mfa.map(|v| MfaInfo {
            present: v == "true",
            authenticated_at: None,
        });
        let caller = user(acct, "alice", mfa);
        let state = acct.snapshot();
        let enforced = match authorize(
            &state,
            &acct.sealing,
            &caller,
            &row.action,
            &row.resource,
            &[],
            acct.now(),
        ) {
            Ok(()) => "Allow",
            Err(e) if e.message.contains("with an explicit deny") => "Deny",
            Err(_) => "Implicit",
        };
        let got = [
            decision_name(
                simulated["EvaluationResults"][0]["EvalDecision"]
                    .as_str()
                    .unwrap(),
            ),
            decision_name(
                principal["EvaluationResults"][0]["EvalDecision"]
                    .as_str()
                    .unwrap(),
            ),
            enforced,
        ];
        if got.iter().any(|g| *g != row.expected) {
            failures.push(format!(
                "{} {} {} mfa={:?}: expected {}, custom/principal/enforced {got:?}",
                row.id, row.action, row.resource, row.mfa, row.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
