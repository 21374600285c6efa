//! Every row of `fixtures/policies/EXPECTED.md`, decided and explained by the engine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use iamd_policy::{
    evaluate, explain, Context, Decision, NamedPolicy, Policy, PolicyKind, PolicySet, Principal,
    Request,
};

fn decide(row: &common::Row) -> (Decision, String) {
    let policies: Vec<_> = row
        .files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(common::fixtures().join(f)).unwrap();
            NamedPolicy::new(
                f.trim_end_matches(".json"),
                Policy::parse(&text, PolicyKind::Identity).unwrap(),
            )
        })
        .collect();
    let principal = Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
    let mut context = Context::default();
    principal.fill_context(&mut context);
    if let Some(mfa) = row.mfa {
        context.insert("aws:MultiFactorAuthPresent", mfa);
    }
    let request = Request::new(principal, &row.action, &row.resource, context);
    let set = PolicySet {
        identity: &policies,
        ..Default::default()
    };
    let fast = evaluate(&set, &request).decision;
    let explained = explain(&set, &request);
    assert_eq!(
        fast, explained.decision,
        "explain agrees with evaluate for {}",
        row.id
    );
    (fast, explained.summary)
}

#[test]
fn every_row_of_expected_md() {
    let rows = common::rows();
    assert!(
        rows.len() >= 3 * 60,
        "the table was read ({} rows)",
        rows.len()
    );
    let mut failures = Vec::new();
    for row in &rows {
        let (decision, summary) = decide(row);
        let got = match decision {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "Deny",
            Decision::ImplicitDeny => "Implicit",
        };
        if got != row.expected {
            failures.push(format!(
                "{} {} {} mfa={:?}: expected {}, got {} ({summary})",
                row.id, row.action, row.resource, row.mfa, row.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_seed_denial_explains_itself() {
    let row = common::rows()
        .into_iter()
        .find(|r| r.id == "A8" && r.mfa.is_none())
        .unwrap();
    let (_, summary) = decide(&row);
    assert!(
        summary.contains(
            "denied by statement DenyAllExceptListedIfNoMFA of policy seed000-force-mfa-blog-ko"
        ),
        "{summary}"
    );
    assert!(summary.contains("aws:MultiFactorAuthPresent is absent (requests signed with long-term access keys carry no MFA)"), "{summary}");
    assert!(summary.contains("aws sts get-session-token"), "{summary}");
    let row = common::rows()
        .into_iter()
        .find(|r| r.id == "A8" && r.mfa == Some("false"))
        .unwrap();
    let (_, summary) = decide(&row);
    assert!(summary.contains("signed in without MFA"), "{summary}");
    assert!(summary.contains("sign in again"), "{summary}");
}

#[test]
fn implicit_denials_name_the_closest_statement() {
    let row = common::rows()
        .into_iter()
        .find(|r| r.id == "A16" && r.mfa == Some("true"))
        .unwrap();
    let (decision, summary) = decide(&row);
    assert_eq!(decision, Decision::ImplicitDeny);
    assert!(
        summary.contains("no identity-based policy allows iam:GetUser"),
        "{summary}"
    );
    assert!(summary.contains("AllowManageOwnPasswords"), "{summary}");
    assert!(
        summary.contains("arn:aws:iam::*:user/${aws:username}"),
        "{summary}"
    );
}
