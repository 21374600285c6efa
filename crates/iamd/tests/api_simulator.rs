//! The policy simulator through the official AWS SDK for Rust against a real `iamd serve`:
//! SimulateCustomPolicy, SimulatePrincipalPolicy, GetContextKeysFor*Policy; and every row of
//! `fixtures/policies/EXPECTED.md` simulated both ways with the decision the row expects
//! (the MFA column as a context entry: absent, false, true).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, PolicyEvaluationDecisionType};
use support::{code_message, fixture, Server};

#[path = "../../iamd-policy/tests/common/mod.rs"]
mod common;

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    {"Effect": "Allow", "Action": "iam:Delete*", "Resource": "*"}
  ]
}"#;

fn mfa_entry(value: &str) -> ContextEntry {
    ContextEntry::builder()
        .context_key_name("aws:MultiFactorAuthPresent")
        .context_key_values(value)
        .context_key_type(ContextKeyTypeEnum::Boolean)
        .build()
}

#[tokio::test]
async fn custom_policy_results_as_aws_shapes_them() {
    let server = Server::start();
    let iam = server.iam();
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(POLICY)
        .action_names("iam:GetUser")
        .action_names("iam:DeleteUser")
        .action_names("s3:ListBucket")
        .send()
        .await
        .unwrap();
    assert!(!out.is_truncated());
    let results = out.evaluation_results();
    let decisions: Vec<_> = results.iter().map(|r| r.eval_decision().clone()).collect();
    assert_eq!(
        decisions,
        [
            PolicyEvaluationDecisionType::Allowed,
            PolicyEvaluationDecisionType::ExplicitDeny,
            PolicyEvaluationDecisionType::ImplicitDeny
        ]
    );
    let read = &results[0].matched_statements()[0];
    assert_eq!(read.source_policy_id(), Some("PolicyInputList.1"));
    // AWS sends "IAM Policy", outside the model's enum: the SDK keeps it as unknown.
    assert_eq!(read.source_policy_type().unwrap().as_str(), "IAM Policy");
    let start = read.start_position().unwrap();
    let end = read.end_position().unwrap();
    assert_eq!((start.line(), start.column()), (4, 5));
    assert_eq!((end.line(), end.column()), (4, 78));
    assert_eq!(
        results[1].missing_context_values(),
        ["aws:MultiFactorAuthPresent"]
    );
    assert_eq!(results[1].eval_resource_name(), Some("*"));

    let with_mfa = iam
        .simulate_custom_policy()
        .policy_input_list(POLICY)
        .action_names("iam:DeleteUser")
        .context_entries(mfa_entry("true"))
        .send()
        .await
        .unwrap();
    let result = &with_mfa.evaluation_results()[0];
    assert_eq!(
        result.eval_decision(),
        &PolicyEvaluationDecisionType::Allowed
    );
    assert!(result.missing_context_values().is_empty());

    let page = iam
        .simulate_custom_policy()
        .policy_input_list(POLICY)
        .action_names("iam:GetUser")
        .action_names("iam:GetRole")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(page.is_truncated());
    let rest = iam
        .simulate_custom_policy()
        .policy_input_list(POLICY)
        .action_names("iam:GetUser")
        .action_names("iam:GetRole")
        .marker(page.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        rest.evaluation_results()[0].eval_action_name(),
        "iam:GetRole"
    );

    let keys = iam
        .get_context_keys_for_custom_policy()
        .policy_input_list(POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(keys.context_key_names(), ["aws:MultiFactorAuthPresent"]);
}

#[tokio::test]
async fn principal_policy_of_a_user_and_its_errors() {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("dave").send().await.unwrap();
    iam.put_user_policy()
        .user_name("dave")
        .policy_name("mine")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap();
    let dave = "arn:aws:iam::123456789012:user/dave";
    let out = iam
        .simulate_principal_policy()
        .policy_source_arn(dave)
        .action_names("iam:DeleteUser")
        .resource_arns(dave)
        .context_entries(mfa_entry("false"))
        .send()
        .await
        .unwrap();
    let result = &out.evaluation_results()[0];
    assert_eq!(
        result.eval_decision(),
        &PolicyEvaluationDecisionType::ExplicitDeny
    );
    let statement = &result.matched_statements()[0];
    assert_eq!(statement.source_policy_id(), Some("mine"));
    assert_eq!(
        statement.source_policy_type().unwrap().as_str(),
        "IAM Policy"
    );
    let specific = &result.resource_specific_results()[0];
    assert_eq!(specific.eval_resource_name(), dave);

    let keys = iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(dave)
        .send()
        .await
        .unwrap();
    assert_eq!(keys.context_key_names(), ["aws:MultiFactorAuthPresent"]);

    let missing = iam
        .simulate_principal_policy()
        .policy_source_arn("arn:aws:iam::123456789012:user/nobody")
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_message(missing),
        (
            "NoSuchEntity".to_string(),
            "The user with name nobody cannot be found.".to_string()
        )
    );

    let (key, secret) = server.user_with_key("erin").await;
    let denied = server
        .iam_as(&key, &secret)
        .simulate_principal_policy()
        .policy_source_arn(dave)
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    let (code, message) = code_message(denied);
    assert_eq!(code, "AccessDenied");
    assert!(
        message.starts_with(
            "User: arn:aws:iam::123456789012:user/erin is not authorized to perform: \
             iam:SimulatePrincipalPolicy on resource: arn:aws:iam::123456789012:user/dave \
             because no identity-based policy allows the iam:SimulatePrincipalPolicy action"
        ),
        "{message}"
    );
}

fn decision(d: &PolicyEvaluationDecisionType) -> &'static str {
    match d {
        PolicyEvaluationDecisionType::Allowed => "Allow",
        PolicyEvaluationDecisionType::ExplicitDeny => "Deny",
        _ => "Implicit",
    }
}

/// alice holds each set in turn as customer managed policies (seed 000 is over the inline
/// size limit); every row is simulated with her policies and with the set's documents.
#[tokio::test]
async fn every_expected_md_row_through_the_simulator() {
    let server = Server::start_with_account(common::ACCOUNT);
    let iam = server.iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    let alice = format!("arn:aws:iam::{}:user/alice", common::ACCOUNT);
    let rows = common::rows();
    assert!(rows.len() >= 3 * 60, "the table was read ({})", rows.len());
    let mut attached: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut failures = Vec::new();
    for row in &rows {
        if row.files != current {
            for arn in attached.drain(..) {
                iam.detach_user_policy()
                    .user_name("alice")
                    .policy_arn(&arn)
                    .send()
                    .await
                    .unwrap();
            }
            for file in &row.files {
                let name = file.trim_end_matches(".json");
                let arn = format!("arn:aws:iam::{}:policy/{name}", common::ACCOUNT);
                // Policies are created once; sets share some.
                let _ = iam
                    .create_policy()
                    .policy_name(name)
                    .policy_document(fixture(file))
                    .send()
                    .await;
                iam.attach_user_policy()
                    .user_name("alice")
                    .policy_arn(&arn)
                    .send()
                    .await
                    .unwrap();
                attached.push(arn);
            }
            current = row.files.clone();
        }
        let entries: Vec<ContextEntry> = row.mfa.map(mfa_entry).into_iter().collect();
        let mut custom = iam
            .simulate_custom_policy()
            .action_names(&row.action)
            .resource_arns(&row.resource)
            .caller_arn(&alice)
            .set_context_entries(Some(entries.clone()));
        for file in &row.files {
            custom = custom.policy_input_list(fixture(file));
        }
        let custom = custom.send().await.unwrap();
        let principal = iam
            .simulate_principal_policy()
            .policy_source_arn(&alice)
            .action_names(&row.action)
            .resource_arns(&row.resource)
            .set_context_entries(Some(entries))
            .send()
            .await
            .unwrap();
        let got = [
            decision(custom.evaluation_results()[0].eval_decision()),
            decision(principal.evaluation_results()[0].eval_decision()),
        ];
        if got.iter().any(|g| *g != row.expected) {
            failures.push(format!(
                "{} {} {} mfa={:?}: expected {}, custom/principal {got:?}",
                row.id, row.action, row.resource, row.mfa, row.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
