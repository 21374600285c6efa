//! Property tests: random policies from a small vocabulary and random requests, checked
//! against the rules of AWS's evaluation logic; and the parser never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{ACTIONS, RESOURCES};
use iamd_policy::{
    evaluate, explain, Context, Decision, Effect, NamedPolicy, Outcome, Policy, PolicyKind,
    PolicySet, Principal, Reason, Request, Source,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const ACTION_PATTERNS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "iam:*User*",
    "iam:GetUser",
    "iam:?istUsers",
    "ec2:RunInstances",
    "s3:PutObject",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/home/${aws:username}/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:iam::111122223333:user/*",
    "arn:aws:s3:::*/key",
    "arn:aws:iam::444455556666:*",
];
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:sts::111122223333:assumed-role/app/session1",
];
const POLICY_PRINCIPALS: &[&str] = &[
    "*",
    "111122223333",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:sts::111122223333:assumed-role/app/session1",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(list)
}

/// One `Condition` operator block.
fn condition() -> impl Strategy<Value = (String, Value)> {
    let mfa = prop_oneof![Just("true"), Just("false")];
    prop_oneof![
        (prop_oneof![Just("Bool"), Just("BoolIfExists")], mfa.clone())
            .prop_map(|(op, v)| (op.to_string(), json!({"aws:MultiFactorAuthPresent": v}))),
        mfa.prop_map(|v| ("Null".to_string(), json!({"aws:MultiFactorAuthPresent": v}))),
        pick(&["alice", "bob", "a*"]).prop_map(|v| {
            let op = if v.contains('*') {
                "StringLike"
            } else {
                "StringEquals"
            };
            (op.to_string(), json!({"aws:username": v}))
        }),
        pick(&["StringLike", "StringNotLike", "StringEqualsIfExists"]).prop_map(|op| (
            op.to_string(),
            json!({"s3:prefix": ["home/${aws:username}/*", "public"]})
        )),
        pick(&["NumericLessThan", "NumericGreaterThanEquals"])
            .prop_map(|op| (op.to_string(), json!({"aws:MultiFactorAuthAge": "3600"}))),
        pick(&["IpAddress", "NotIpAddress"]).prop_map(|op| (
            op.to_string(),
            json!({"aws:SourceIp": ["10.0.0.0/8", "192.0.2.1"]})
        )),
        pick(&["DateLessThan", "DateGreaterThan"]).prop_map(|op| (
            op.to_string(),
            json!({"aws:CurrentTime": "2024-06-01T00:00:00Z"})
        )),
        pick(&["ForAnyValue:StringEquals", "ForAllValues:StringLike"])
            .prop_map(|op| (op.to_string(), json!({"aws:TagKeys": ["team", "cost*"]}))),
    ]
}

/// One statement; `effect` forced when given. Resource policies get a `Principal`.
fn statement(effect: Option<&'static str>, resource_policy: bool) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => pick(&["Allow", "Deny"]).boxed(),
    };
    (
        effect,
        any::<bool>(),
        proptest::collection::vec(pick(ACTION_PATTERNS), 1..3),
        prop_oneof![3 => Just(false), 1 => Just(true)],
        proptest::collection::vec(pick(RESOURCE_PATTERNS), 1..3),
        proptest::collection::vec(condition(), 0..3),
        proptest::collection::vec(pick(POLICY_PRINCIPALS), 1..3),
    )
        .prop_map(
            move |(
                effect,
                not_action,
                actions,
                not_resource,
                resources,
                conditions,
                principals,
            )| {
                let mut st = serde_json::Map::new();
                st.insert("Effect".into(), json!(effect));
                st.insert(
                    (if not_action { "NotAction" } else { "Action" }).into(),
                    json!(actions),
                );
                st.insert(
                    (if not_resource {
                        "NotResource"
                    } else {
                        "Resource"
                    })
                    .into(),
                    json!(resources),
                );
                if !conditions.is_empty() {
                    let block: serde_json::Map<String, Value> = conditions.into_iter().collect();
                    st.insert("Condition".into(), Value::Object(block));
                }
                if resource_policy {
                    st.insert("Principal".into(), json!({"AWS": principals}));
                }
                Value::Object(st)
            },
        )
}

/// A policy document of 1 to 4 statements.
fn document(effect: Option<&'static str>, resource_policy: bool) -> impl Strategy<Value = String> {
    proptest::collection::vec(statement(effect, resource_policy), 1..5).prop_map(|statements| {
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    })
}

fn compile(doc: &str, name: &str, kind: PolicyKind) -> Arc<NamedPolicy> {
    let policy = Policy::parse(doc, kind).unwrap_or_else(|e| panic!("{e}\n{doc}"));
    NamedPolicy::new(name, policy)
}

/// The policies of a random set, owned.
#[derive(Debug, Clone)]
struct Set {
    identity: Vec<Arc<NamedPolicy>>,
    boundary: Option<Arc<NamedPolicy>>,
    session: Vec<Arc<NamedPolicy>>,
    resource: Option<Arc<NamedPolicy>>,
}

impl Set {
    fn view(&self) -> PolicySet<'_> {
        PolicySet {
            identity: &self.identity,
            boundary: self.boundary.as_deref(),
            session: &self.session,
            resource: self.resource.as_deref(),
        }
    }

    fn decide(&self, request: &Request) -> Decision {
        evaluate(&self.view(), request).decision
    }
}

/// A random set of policies; `effect` forces every statement's effect.
fn policy_set(effect: Option<&'static str>) -> impl Strategy<Value = Set> {
    (
        proptest::collection::vec(document(effect, false), 0..4),
        proptest::option::of(document(effect, false)),
        proptest::collection::vec(document(effect, false), 0..2),
        proptest::option::weighted(0.3, document(effect, true)),
    )
        .prop_map(|(identity, boundary, session, resource)| Set {
            identity: identity
                .iter()
                .enumerate()
                .map(|(i, d)| compile(d, &format!("identity{i}"), PolicyKind::Identity))
                .collect(),
            boundary: boundary.map(|d| compile(&d, "boundary", PolicyKind::Identity)),
            session: session
                .iter()
                .enumerate()
                .map(|(i, d)| compile(d, &format!("session{i}"), PolicyKind::Identity))
                .collect(),
            resource: resource.map(|d| compile(&d, "resource", PolicyKind::Resource)),
        })
}

/// A random request with some context keys.
fn request() -> impl Strategy<Value = Request> {
    (
        pick(PRINCIPALS),
        pick(ACTIONS),
        pick(RESOURCES),
        proptest::option::of(pick(&["true", "false"])),
        proptest::option::of(pick(&["10.1.2.3", "192.0.2.1", "203.0.113.5"])),
        proptest::option::of(pick(&["60", "7200"])),
        proptest::option::of(pick(&["home/alice/docs", "public", "home/bob/x"])),
        proptest::collection::vec(pick(&["team", "cost-center", "owner"]), 0..3),
        proptest::option::of(pick(&["111122223333", "444455556666"])),
    )
        .prop_map(
            |(principal, action, resource, mfa, ip, age, prefix, tags, account)| {
                let principal = Principal::from_arn(principal).unwrap();
                let mut context = Context::default();
                principal.fill_context(&mut context);
                context.insert("aws:CurrentTime", "2024-05-01T12:00:00Z");
                let optional = [
                    ("aws:MultiFactorAuthPresent", mfa),
                    ("aws:SourceIp", ip),
                    ("aws:MultiFactorAuthAge", age),
                    ("s3:prefix", prefix),
                ];
                for (key, value) in optional {
                    if let Some(v) = value {
                        context.insert(key, v);
                    }
                }
                if !tags.is_empty() {
                    context
                        .insert_multi("aws:TagKeys", tags.iter().map(|t| t.to_string()).collect());
                }
                let mut request = Request::new(principal, action, resource, context);
                request.resource_account = account.map(str::to_string);
                request
            },
        )
}

/// Arbitrary JSON, with object keys drawn mostly from the policy grammar.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".*".prop_map(Value::String),
        pick(&[
            "2012-10-17",
            "2008-10-17",
            "Allow",
            "Deny",
            "*",
            "s3:*",
            "iam:Get*",
            "arn:aws:s3:::b/*",
            "arn:aws:iam::*:user/${aws:username}",
            "${aws:username}",
            "true",
            "10.0.0.0/8",
            "2024-01-01T00:00:00Z",
            "123",
            "arn:aws:iam::111122223333:root",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    let keys = prop_oneof![
        4 => pick(&[
            "Version", "Id", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource",
            "NotResource", "Principal", "NotPrincipal", "Condition", "AWS", "Service", "Federated",
            "CanonicalUser", "StringEquals", "StringLike", "Bool", "BoolIfExists", "Null",
            "NumericLessThan", "DateGreaterThan", "IpAddress", "ArnLike",
            "ForAnyValue:StringEquals", "ForAllValues:StringLike", "aws:username", "aws:SourceIp",
        ])
        .prop_map(str::to_string),
        1 => ".*",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn deny_statement(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": action, "Resource": "*"}})
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    /// A matching unconditional Deny anywhere decides, whatever else there is.
    #[test]
    fn explicit_deny_always_wins(set in policy_set(None), request in request(), place in 0..3u8) {
        let mut set = set;
        let deny = compile(&deny_statement(request.action()), "deny", PolicyKind::Identity);
        match place {
            0 => set.identity.push(deny),
            1 => set.session.insert(0, deny),
            _ => {
                let mut statements = set.boundary.as_ref().map(|b| b.policy.statements().to_vec()).unwrap_or_default();
                statements.extend(deny.policy.statements().to_vec());
                let policy = deny.policy.clone().with_statements(statements);
                set.boundary = Some(NamedPolicy::new("boundary", policy));
            }
        }
        prop_assert_eq!(set.decide(&request), Decision::ExplicitDeny);
    }

    /// Without any Allow statement nothing is allowed (the principals are never root).
    #[test]
    fn no_allow_statement_never_allows(set in policy_set(Some("Deny")), request in request()) {
        prop_assert_ne!(set.decide(&request), Decision::Allow);
    }

    /// Granting more in an identity-based policy never takes an Allow away.
    #[test]
    fn adding_an_allow_never_denies(
        set in policy_set(None),
        extra in document(Some("Allow"), false),
        request in request(),
    ) {
        let before = set.decide(&request);
        let mut more = set.clone();
        more.identity.push(compile(&extra, "extra", PolicyKind::Identity));
        let after = more.decide(&request);
        if before == Decision::Allow {
            prop_assert_eq!(after, Decision::Allow, "{}", extra);
        }
        // An extra Allow also never turns a deny into an explicit deny or back.
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    /// A permissions boundary only narrows.
    #[test]
    fn boundaries_only_narrow(set in policy_set(None), request in request()) {
        let mut without = set.clone();
        without.boundary = None;
        if set.decide(&request) == Decision::Allow {
            prop_assert_eq!(without.decide(&request), Decision::Allow);
        }
    }

    /// Session policies only narrow.
    #[test]
    fn session_policies_only_narrow(set in policy_set(None), request in request()) {
        let mut without = set.clone();
        without.session.clear();
        if set.decide(&request) == Decision::Allow {
            prop_assert_eq!(without.decide(&request), Decision::Allow);
        }
    }

    /// The explanation always reports the decision of the fast path.
    #[test]
    fn explain_agrees_with_evaluate(set in policy_set(None), request in request()) {
        let fast = evaluate(&set.view(), &request);
        let explained = explain(&set.view(), &request);
        prop_assert_eq!(explained.decision, fast.decision);
        prop_assert_eq!(explained.reason, fast.reason);
        prop_assert_eq!(explained.to_json()["decision"].as_str().is_some(), true);
        prop_assert!(!explained.to_text().is_empty());
    }

    /// The fast path (deny pass, then allow pass over the service index, with quick
    /// rejects) picks the statements a plain pass in document order over every statement
    /// does: the first deny that applies, else for identity-based grants the first allow.
    #[test]
    fn fast_path_picks_what_a_plain_pass_picks(set in policy_set(None), request in request()) {
        let fast = evaluate(&set.view(), &request);
        let picked = fast
            .statement
            .map(|s| (s.source, s.policy.name.clone(), s.statement.index));
        let traces = explain(&set.view(), &request).statements;
        let applying = |effect: Effect| {
            traces
                .iter()
                .filter(move |t| t.effect == effect && matches!(t.outcome, Outcome::Applies { .. }))
                .map(|t| (t.source, t.policy.clone(), t.index))
        };
        if let Some(deny) = applying(Effect::Deny).next() {
            prop_assert_eq!(fast.decision, Decision::ExplicitDeny);
            prop_assert_eq!(picked, Some(deny));
        } else {
            prop_assert_ne!(fast.decision, Decision::ExplicitDeny);
            if fast.reason == Reason::AllowedByIdentityPolicy {
                let first = applying(Effect::Allow).find(|t| t.0 == Source::Identity);
                prop_assert_eq!(picked, first);
            }
        }
    }

    /// The parser never panics on arbitrary text.
    #[test]
    fn parse_never_panics_on_strings(text in ".*") {
        let _ = Policy::parse(&text, PolicyKind::Identity);
        let _ = Policy::parse(&text, PolicyKind::Resource);
    }

    /// The parser never panics on arbitrary JSON, mostly shaped like policies.
    #[test]
    fn parse_never_panics_on_json(value in json_value()) {
        let text = value.to_string();
        for kind in [PolicyKind::Identity, PolicyKind::Resource] {
            if let Ok(policy) = Policy::parse(&text, kind) {
                let policies = [NamedPolicy::new("p", policy)];
                let alice = Principal::from_arn(PRINCIPALS[0]).unwrap();
                let request = Request::new(alice, "s3:GetObject", "arn:aws:s3:::b/k", Context::default());
                let set = PolicySet { identity: &policies, ..Default::default() };
                let _ = explain(&set, &request);
            }
        }
    }

    /// A statement-shaped document with arbitrary values never panics either.
    #[test]
    fn parse_never_panics_on_statement_shapes(
        values in proptest::collection::vec(json_value(), 5),
        version in pick(&["2012-10-17", "2008-10-17", ""]),
    ) {
        let doc = json!({"Version": version, "Statement": [{
            "Effect": values[0], "Action": values[1], "Resource": values[2],
            "Condition": values[3], "Principal": values[4],
        }]});
        let _ = Policy::parse(&doc.to_string(), PolicyKind::Identity);
        let _ = Policy::parse(&doc.to_string(), PolicyKind::Resource);
    }
}

/// The generators are not vacuous: they reach all three decisions, also with a boundary and
/// session policies in play, so the narrowing properties above are exercised.
#[test]
fn the_generators_reach_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = (policy_set(None), request());
    let mut counts = [0usize; 3];
    let mut narrowed = [0usize; 2];
    for _ in 0..2000 {
        let (set, request) = strategy.new_tree(&mut runner).unwrap().current();
        let decision = set.decide(&request);
        counts[decision as usize] += 1;
        if decision == Decision::Allow && set.boundary.is_some() {
            narrowed[0] += 1;
        }
        if decision == Decision::Allow && !set.session.is_empty() {
            narrowed[1] += 1;
        }
    }
    assert!(counts.iter().all(|&n| n >= 50), "{counts:?}");
    assert!(narrowed.iter().all(|&n| n >= 10), "{narrowed:?}");
}
