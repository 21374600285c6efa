//! Differential tests: generated policies and requests decided by the engine and by the
//! simple reference evaluator in `reference/` (written from AWS's documented evaluation logic,
//! no indexes, leads or hashing); they must agree on every case. The rows of
//! `fixtures/policies/EXPECTED.md` go through the reference too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod reference;

use std::collections::BTreeMap;

use common::{ACTIONS, RESOURCES};
use iamd_policy::{
    evaluate, Context, Decision, NamedPolicy, Policy, PolicyKind, PolicySet, Principal, Request,
};
use proptest::prelude::*;
use reference::{Req, Verdict};
use serde_json::{json, Map, Value};

const ACTION_PATTERNS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "iam:*User*",
    "iam:GetUser",
    "iam:?istUsers",
    "ec2:Run*",
    "IAM:getuser",
    "iam:*ccess*",
];
/// Resources beyond the shared ones: colons in the resource part, a region.
const MORE_RESOURCES: &[&str] = &[
    "arn:aws:s3:::other/key:with:colons",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/home/${aws:username}/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:iam::111122223333:user/*",
    "arn:aws:s3:::*/key*",
    "arn:aws:iam::444455556666:*",
    "arn:aws:iam::111122223333:user/${aws:nope, 'bob'}",
    "arn:aws:iam::111122223333:user/${aws:nope}",
    "arn:aws:ec2:*:*:instance/*",
    "arn:*:s3:::bucket/k?y",
    "arn:aws:s3:::${*}/key",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(list)
}

fn some_of(list: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::sample::subsequence(list, 1..=2).prop_map(|v| {
        if v.len() == 1 {
            json!(v[0])
        } else {
            json!(v)
        }
    })
}

/// One condition: (operator, key, values).
fn condition() -> impl Strategy<Value = (String, String, Value)> {
    let plain =
        |ops: &'static [&'static str], key: &'static str, values: &'static [&'static str]| {
            (pick(ops), any::<bool>(), some_of(values)).prop_map(move |(op, if_exists, values)| {
                let op = if if_exists {
                    format!("{op}IfExists")
                } else {
                    op.to_string()
                };
                (op, key.to_string(), values)
            })
        };
    prop_oneof![
        plain(
            &[
                "StringEquals",
                "StringNotEquals",
                "StringEqualsIgnoreCase",
                "StringNotEqualsIgnoreCase",
                "StringLike",
                "StringNotLike"
            ],
            "aws:RequestTag/env",
            &["prod", "dev", "PROD", "pr*", "${aws:username}", "?ev"],
        ),
        plain(
            &["StringEquals", "StringLike", "StringNotEquals"],
            "aws:username",
            &[
                "alice",
                "a?ice",
                "${aws:username}",
                "b*",
                "${aws:nope, 'alice'}"
            ]
        ),
        plain(
            &[
                "NumericEquals",
                "NumericNotEquals",
                "NumericLessThan",
                "NumericLessThanEquals",
                "NumericGreaterThan",
                "NumericGreaterThanEquals"
            ],
            "s3:max-keys",
            &["10", "50", "100"],
        ),
        plain(
            &[
                "DateLessThan",
                "DateGreaterThan",
                "DateEquals",
                "DateNotEquals"
            ],
            "aws:CurrentTime",
            &["2024-05-01T12:00:00Z", "2025-01-01T00:00:00Z", "1714564800"]
        ),
        plain(&["Bool"], "aws:MultiFactorAuthPresent", &["true", "false"]),
        plain(
            &["IpAddress", "NotIpAddress"],
            "aws:SourceIp",
            &["192.0.2.0/24", "203.0.113.5", "10.0.0.0/8"]
        ),
        plain(
            &["ArnLike", "ArnEquals", "ArnNotLike"],
            "aws:PrincipalArn",
            &[
                "arn:aws:iam::111122223333:user/*",
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::444455556666:*"
            ],
        ),
        (
            pick(&[
                "aws:MultiFactorAuthPresent",
                "aws:SourceIp",
                "aws:TagKeys",
                "aws:RequestTag/env"
            ]),
            pick(&["true", "false"])
        )
            .prop_map(|(key, v)| ("Null".to_string(), key.to_string(), json!(v))),
        (
            pick(&["ForAnyValue:", "ForAllValues:"]),
            pick(&[
                "StringEquals",
                "StringLike",
                "StringNotEquals",
                "StringNotLike"
            ]),
            some_of(&["env", "team", "t*"])
        )
            .prop_map(|(set, op, values)| (
                format!("{set}{op}"),
                "aws:TagKeys".to_string(),
                values
            )),
    ]
}

fn statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        any::<bool>(),
        some_of(ACTION_PATTERNS),
        any::<bool>(),
        some_of(RESOURCE_PATTERNS),
        proptest::collection::vec(condition(), 0..3),
    )
        .prop_map(
            |(allow, not_action, actions, not_resource, resources, conditions)| {
                let mut s = Map::new();
                s.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
                s.insert(
                    if not_action { "NotAction" } else { "Action" }.into(),
                    actions,
                );
                s.insert(
                    if not_resource {
                        "NotResource"
                    } else {
                        "Resource"
                    }
                    .into(),
                    resources,
                );
                if !conditions.is_empty() {
                    let mut block = Map::new();
                    for (op, key, values) in conditions {
                        let keys = block.entry(op).or_insert_with(|| json!({}));
                        keys[key] = values;
                    }
                    s.insert("Condition".into(), Value::Object(block));
                }
                Value::Object(s)
            },
        )
}

fn policy() -> impl Strategy<Value = Value> {
    (
        prop_oneof![3 => Just("2012-10-17"), 1 => Just("2008-10-17")],
        proptest::collection::vec(statement(), 1..4),
    )
        .prop_map(|(version, statements)| json!({"Version": version, "Statement": statements}))
}

/// The request's context keys beyond the principal's: each present or not.
fn context() -> impl Strategy<Value = Vec<(&'static str, Vec<&'static str>)>> {
    let maybe = |key: &'static str, values: &'static [&'static str]| {
        proptest::option::of(pick(values)).prop_map(move |v| v.map(|v| (key, vec![v])))
    };
    (
        maybe("aws:MultiFactorAuthPresent", &["true", "false"]),
        maybe(
            "aws:SourceIp",
            &["192.0.2.10", "203.0.113.5", "198.51.100.1"],
        ),
        maybe(
            "aws:CurrentTime",
            &[
                "2024-05-01T12:00:00Z",
                "2024-12-31T23:59:59Z",
                "2023-01-01T00:00:00Z",
            ],
        ),
        maybe("s3:max-keys", &["10", "50", "1000"]),
        maybe("aws:RequestTag/env", &["prod", "dev", "Prod"]),
        proptest::option::of(proptest::sample::subsequence(
            &["env", "team", "cost"][..],
            0..=3,
        )),
    )
        .prop_map(|(a, b, c, d, e, tags)| {
            let mut out: Vec<_> = [a, b, c, d, e].into_iter().flatten().collect();
            if let Some(tags) = tags {
                out.push(("aws:TagKeys", tags));
            }
            out
        })
}

struct Case {
    identity: Vec<Value>,
    boundary: Option<Value>,
    session: Vec<Value>,
    user: &'static str,
    action: &'static str,
    resource: &'static str,
    context: Vec<(&'static str, Vec<&'static str>)>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "identity: {}", Value::Array(self.identity.clone()))?;
        writeln!(
            f,
            "boundary: {:?}",
            self.boundary.as_ref().map(Value::to_string)
        )?;
        writeln!(f, "session: {}", Value::Array(self.session.clone()))?;
        write!(
            f,
            "{} {} {} {:?}",
            self.user, self.action, self.resource, self.context
        )
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(policy(), 1..3),
        proptest::option::weighted(0.3, policy()),
        proptest::collection::vec(policy(), 0..2),
        pick(&["alice", "bob"]),
        pick(ACTIONS),
        prop_oneof![3 => pick(RESOURCES), 1 => pick(MORE_RESOURCES)],
        context(),
    )
        .prop_map(
            |(identity, boundary, session, user, action, resource, context)| Case {
                identity,
                boundary,
                session,
                user,
                action,
                resource,
                context,
            },
        )
}

fn compile(doc: &Value) -> Option<std::sync::Arc<NamedPolicy>> {
    Policy::parse(&doc.to_string(), PolicyKind::Identity)
        .ok()
        .map(|p| NamedPolicy::new("p", p))
}

fn request(
    user: &str,
    action: &str,
    resource: &str,
    extra: &[(&str, Vec<&str>)],
) -> (Request, Req) {
    let principal = Principal::from_arn(&format!("arn:aws:iam::111122223333:user/{user}")).unwrap();
    let mut context = Context::default();
    for (key, values) in extra {
        match values.as_slice() {
            [one] if *key != "aws:TagKeys" => context.insert(key, *one),
            many => context.insert_multi(key, many.iter().map(|s| s.to_string()).collect()),
        }
    }
    principal.fill_context(&mut context);
    let reference = Req {
        action: action.to_string(),
        resource: resource.to_string(),
        context: context
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.values().to_vec()))
            .collect::<BTreeMap<_, _>>(),
    };
    (
        Request::new(principal, action, resource, context),
        reference,
    )
}

fn verdict(decision: Decision) -> Verdict {
    match decision {
        Decision::Allow => Verdict::Allow,
        Decision::ExplicitDeny => Verdict::Deny,
        Decision::ImplicitDeny => Verdict::Implicit,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, max_global_rejects: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_agrees_with_the_reference(case in case()) {
        let compiled: Option<Vec<_>> = case.identity.iter().map(compile).collect();
        let boundary = case.boundary.as_ref().map(compile);
        let session: Option<Vec<_>> = case.session.iter().map(compile).collect();
        let (Some(identity), Some(session)) = (compiled, session) else {
            prop_assume!(false);
            return Ok(());
        };
        prop_assume!(!matches!(boundary, Some(None)));
        let boundary = boundary.flatten();
        let set = PolicySet {
            identity: &identity,
            boundary: boundary.as_deref(),
            session: &session,
            resource: None,
        };
        let (request, req) = request(case.user, case.action, case.resource, &case.context);
        let engine = verdict(evaluate(&set, &request).decision);
        let expected = reference::decide(&case.identity, case.boundary.as_ref(), &case.session, &req);
        prop_assert_eq!(engine, expected, "{:?}", case);
    }
}

#[test]
fn every_row_of_expected_md_through_the_reference() {
    let rows = common::rows();
    assert!(
        rows.len() >= 3 * 60,
        "the table was read ({} rows)",
        rows.len()
    );
    let mut failures = Vec::new();
    for row in &rows {
        let docs: Vec<Value> = row
            .files
            .iter()
            .map(|f| {
                serde_json::from_str(&std::fs::read_to_string(common::fixtures().join(f)).unwrap())
                    .unwrap()
            })
            .collect();
        let extra: Vec<(&str, Vec<&str>)> = row
            .mfa
            .map(|m| vec![("aws:MultiFactorAuthPresent", vec![m])])
            .unwrap_or_default();
        let (_, req) = request("alice", &row.action, &row.resource, &extra);
        let got = match reference::decide(&docs, None, &[], &req) {
            Verdict::Allow => "Allow",
            Verdict::Deny => "Deny",
            Verdict::Implicit => "Implicit",
        };
        if got != row.expected {
            failures.push(format!(
                "{} {:?} mfa={:?}: reference {got}, table {}",
                row.id, row.files, row.mfa, row.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Regression (the first disagreement the generated cases found; the reference was wrong):
/// a multivalued key sent with an empty set of values counts as absent, so `Null: true`
/// holds. AWS's multivalued-key examples say a `Null: false` check keeps "missing context
/// keys or context keys with empty values" from matching.
#[test]
fn a_multivalued_key_with_no_values_counts_as_absent() {
    let doc = json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*",
        "Resource": "*", "Condition": {"Null": {"aws:TagKeys": "true"}}}});
    let policies = vec![compile(&doc).unwrap()];
    let set = PolicySet {
        identity: &policies,
        ..Default::default()
    };
    for (tags, want) in [(vec![], Verdict::Deny), (vec!["env"], Verdict::Implicit)] {
        let (request, req) = request("alice", "iam:ListUsers", "*", &[("aws:TagKeys", tags)]);
        assert_eq!(verdict(evaluate(&set, &request).decision), want);
        assert_eq!(
            reference::decide(std::slice::from_ref(&doc), None, &[], &req),
            want
        );
    }
}
