//! A decision allocates nothing: every row of `fixtures/policies/EXPECTED.md` and requests
//! against policies with policy variables and conditions are decided under an allocator
//! that counts. (Its own test binary: the count is global to the process.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::alloc::System;

use iamd_policy::{
    evaluate, Context, Decision, NamedPolicy, Policy, PolicyKind, PolicySet, Principal, Request,
};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn policy(name: &str, text: &str) -> std::sync::Arc<NamedPolicy> {
    NamedPolicy::new(name, Policy::parse(text, PolicyKind::Identity).unwrap())
}

fn request(action: &str, resource: &str, keys: &[(&str, &str)]) -> Request {
    let principal = Principal::from_arn(ALICE).unwrap();
    let mut context = Context::default();
    for (k, v) in keys {
        context.insert(k, *v);
    }
    principal.fill_context(&mut context);
    Request::new(principal, action, resource, context)
}

#[test]
fn decisions_do_not_allocate() {
    // The EXPECTED.md rows, with the decision each must have.
    let mut cases: Vec<(Vec<_>, Request, Decision)> = Vec::new();
    for row in common::rows() {
        let policies = row
            .files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(common::fixtures().join(f)).unwrap();
                policy(f, &text)
            })
            .collect();
        let keys: Vec<_> = row
            .mfa
            .map(|m| ("aws:MultiFactorAuthPresent", m))
            .into_iter()
            .collect();
        let expected = match row.expected.as_str() {
            "Allow" => Decision::Allow,
            "Deny" => Decision::ExplicitDeny,
            _ => Decision::ImplicitDeny,
        };
        cases.push((
            policies,
            request(&row.action, &row.resource, &keys),
            expected,
        ));
    }
    // Variables in resources and conditions of every family.
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/home/${aws:username}/*",
         "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
        {"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:111122223333:instance/*${aws:username}*x",
         "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}},
        {"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/home/${aws:username}/*",
         "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;
    let variables = vec![policy("variables", doc)];
    let keys = [
        ("s3:prefix", "home/alice/docs"),
        ("aws:SourceIp", "10.1.2.3"),
        ("aws:CurrentTime", "2024-05-01T12:00:00Z"),
        ("aws:MultiFactorAuthAge", "120"),
    ];
    let s3 = "arn:aws:s3:::b/home/alice/a.txt";
    let ec2 = "arn:aws:ec2:us-east-1:111122223333:instance/i-alice-x";
    for (action, resource, expected) in [
        ("s3:GetObject", s3, Decision::Allow),
        (
            "s3:GetObject",
            "arn:aws:s3:::b/home/bob/a.txt",
            Decision::ExplicitDeny,
        ),
        ("ec2:StartInstances", ec2, Decision::Allow),
        (
            "ec2:StartInstances",
            &ec2.replace("alice", "bob"),
            Decision::ImplicitDeny,
        ),
    ] {
        cases.push((
            variables.clone(),
            request(action, resource, &keys),
            expected,
        ));
    }

    let region = Region::new(GLOBAL);
    let mut decisions: Vec<Decision> = Vec::with_capacity(cases.len());
    let before = region.change();
    for (policies, request, _) in &cases {
        let set = PolicySet {
            identity: policies,
            ..Default::default()
        };
        decisions.push(evaluate(&set, request).decision);
    }
    let during = region.change();
    assert_eq!(
        during.allocations - before.allocations,
        0,
        "allocations while deciding"
    );
    let expected: Vec<Decision> = cases.iter().map(|c| c.2).collect();
    assert_eq!(decisions, expected);
}
