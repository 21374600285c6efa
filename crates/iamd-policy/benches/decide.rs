//! Decision throughput. Requests are built before the timing loop; one iteration decides
//! every request of the scenario once, so per-decision time = iteration time / requests
//! (criterion's throughput line reports decisions per second).
//!
//! - `seed002_admin/*`: AdministratorAccess + the seed 002 force-MFA policy (set E of
//!   EXPECTED.md) over 20 typical requests × MFA absent/false/true, with `evaluate` (the fast
//!   path) and `explain`.
//! - `ten_policies/evaluate`: 10 attached policies × 20 statements with conditions and policy
//!   variables over 24 requests.
//! - `*/cedar` (with `--features cedar-bench`): Cedar deciding an equivalent policy set on the
//!   same requests (`cedar/mod.rs`); the bench fails unless both engines decide alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iamd_policy::{
    evaluate, explain, Context, NamedPolicy, Policy, PolicyKind, PolicySet, Principal, Request,
};

#[cfg(feature = "cedar-bench")]
mod cedar;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const EPOCH_TIME: &str = "1714564800";

/// One request of alice's: action, resource and condition keys (besides the principal's and
/// the time), from which both engines' requests are built.
struct Spec {
    action: &'static str,
    resource: String,
    keys: Vec<(&'static str, &'static str)>,
}

fn fixture(name: &str) -> Arc<NamedPolicy> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/policies")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    NamedPolicy::new(name, Policy::parse(&text, PolicyKind::Identity).unwrap())
}

fn request(spec: &Spec) -> Request {
    let principal = Principal::from_arn(ALICE).unwrap();
    let mut context = Context::default();
    for (k, v) in &spec.keys {
        context.insert(k, *v);
    }
    principal.fill_context(&mut context);
    context.insert("aws:CurrentTime", "2024-05-01T12:00:00Z");
    context.insert("aws:EpochTime", EPOCH_TIME);
    Request::new(principal, spec.action, &spec.resource, context)
}

/// 20 typical requests of alice's, each with MFA absent, false and true.
fn seed_requests() -> Vec<Spec> {
    let iam = |r: &str| format!("arn:aws:iam::111122223333:{r}");
    let typical: Vec<(&str, String)> = vec![
        ("iam:ChangePassword", iam("user/alice")),
        ("iam:ChangePassword", iam("user/bob")),
        ("iam:CreateVirtualMFADevice", iam("mfa/alice")),
        ("iam:EnableMFADevice", iam("user/alice")),
        ("iam:DeactivateMFADevice", iam("user/alice")),
        ("iam:ListMFADevices", iam("user/alice")),
        ("iam:GetUser", iam("user/alice")),
        ("iam:GetUser", iam("user/bob")),
        ("iam:ListUsers", "*".into()),
        ("iam:CreateAccessKey", iam("user/alice")),
        ("iam:DeleteUser", iam("user/bob")),
        ("iam:GetAccountPasswordPolicy", "*".into()),
        ("sts:GetSessionToken", "*".into()),
        ("sts:AssumeRole", iam("role/admin")),
        ("s3:ListAllMyBuckets", "*".into()),
        ("s3:GetObject", "arn:aws:s3:::reports/2024/q1.csv".into()),
        ("s3:PutObject", "arn:aws:s3:::home/alice/notes.txt".into()),
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:111122223333:function:resize".into(),
        ),
        (
            "lambda:CreateFunction",
            "arn:aws:lambda:us-east-1:111122223333:function:new".into(),
        ),
        ("iam:UpdateLoginProfile", iam("user/bob")),
    ];
    let mut requests = Vec::new();
    for mfa in [None, Some("false"), Some("true")] {
        for (action, resource) in &typical {
            let keys = mfa
                .map(|m| ("aws:MultiFactorAuthPresent", m))
                .into_iter()
                .collect();
            requests.push(Spec {
                action,
                resource: resource.clone(),
                keys,
            });
        }
    }
    requests
}

/// Statement `j` of policy `i`'s service, whether it denies, and its resource pattern with
/// `user` where the user's name goes.
fn statement_shape(i: usize, j: usize, user: &str) -> (&'static str, bool, String) {
    let services = ["s3", "ec2", "dynamodb", "lambda", "sqs"];
    let service = services[(i + j) % services.len()];
    let resource = match service {
        "s3" => format!("arn:aws:s3:::bucket{i}/home/{user}/*"),
        "ec2" => format!("arn:aws:ec2:*:111122223333:instance/i-{i}{j}*"),
        "dynamodb" => format!("arn:aws:dynamodb:us-east-1:111122223333:table/t{j}"),
        "lambda" => format!("arn:aws:lambda:*:111122223333:function:f{i}-*"),
        _ => format!("arn:aws:sqs:us-east-1:111122223333:q{j}"),
    };
    (service, j % 7 == 6, resource)
}

/// Statement `j` of policy `i`: a different service and condition per statement.
fn statement(i: usize, j: usize) -> String {
    let (service, deny, resource) = statement_shape(i, j, "${aws:username}");
    let effect = if deny { "Deny" } else { "Allow" };
    let condition = match j % 6 {
        0 => r#"{"StringEquals":{"aws:PrincipalTag/team":"data","aws:RequestedRegion":"us-east-1"}}"#
            .to_string(),
        1 => r#"{"StringLike":{"s3:prefix":["home/${aws:username}/*","public/*"]}}"#.to_string(),
        2 => r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#.to_string(),
        3 => r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}"#.to_string(),
        4 => r#"{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}}"#.to_string(),
        _ => r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"StringNotEquals":{"aws:username":"admin"}}"#.to_string(),
    };
    format!(
        r#"{{"Sid":"S{i}x{j}","Effect":"{effect}","Action":["{service}:Get*","{service}:List*","{service}:Put{j}*"],"Resource":"{resource}","Condition":{condition}}}"#
    )
}

fn ten_policies() -> Vec<Arc<NamedPolicy>> {
    (0..10)
        .map(|i| {
            let statements: Vec<String> = (0..20).map(|j| statement(i, j)).collect();
            let doc = format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                statements.join(",")
            );
            NamedPolicy::new(
                format!("p{i}"),
                Policy::parse(&doc, PolicyKind::Identity).unwrap(),
            )
        })
        .collect()
}

fn ten_policy_requests() -> Vec<Spec> {
    let contexts: [&[(&'static str, &'static str)]; 4] = [
        &[],
        &[
            ("aws:MultiFactorAuthPresent", "true"),
            ("aws:MultiFactorAuthAge", "120"),
            ("aws:SourceIp", "10.1.2.3"),
        ],
        &[
            ("aws:MultiFactorAuthPresent", "false"),
            ("aws:PrincipalTag/team", "data"),
            ("aws:RequestedRegion", "us-east-1"),
        ],
        &[
            ("s3:prefix", "home/alice/docs"),
            ("aws:SourceIp", "203.0.113.9"),
        ],
    ];
    let targets = [
        ("s3:GetObject", "arn:aws:s3:::bucket3/home/alice/a.txt"),
        ("s3:ListBucket", "arn:aws:s3:::bucket9/home/bob/b.txt"),
        (
            "ec2:GetConsoleOutput",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-42abc",
        ),
        (
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-1:111122223333:table/t7",
        ),
        (
            "lambda:ListTags",
            "arn:aws:lambda:us-east-1:111122223333:function:f5-x",
        ),
        ("iam:CreateUser", "arn:aws:iam::111122223333:user/mallory"),
    ];
    let mut requests = Vec::new();
    for keys in contexts {
        for (action, resource) in targets {
            requests.push(Spec {
                action,
                resource: resource.to_string(),
                keys: keys.to_vec(),
            });
        }
    }
    requests
}

/// Not inlined, so that instruction counts can be taken for it alone (see the README's
/// "Policy engine" section: callgrind with `--toggle-collect='*decide_all*'`).
#[inline(never)]
fn decide_all(set: &PolicySet<'_>, requests: &[Request]) -> usize {
    requests
        .iter()
        .filter(|r| evaluate(set, black_box(r)).decision.is_allowed())
        .count()
}

/// Scenario (a)'s or (b)'s Cedar equivalent, after checking that it decides every request
/// as iamd does.
#[cfg(feature = "cedar-bench")]
fn cedar_scenario(policies: &str, specs: &[Spec], set: &PolicySet<'_>) -> cedar::Scenario {
    let scenario = cedar::Scenario::new(policies, specs);
    let iamd: Vec<bool> = specs
        .iter()
        .map(|spec| evaluate(set, &request(spec)).decision.is_allowed())
        .collect();
    let cedar = scenario.decisions();
    for (spec, (iamd, cedar)) in specs.iter().zip(iamd.iter().zip(&cedar)) {
        assert_eq!(
            iamd, cedar,
            "iamd and Cedar decide {} on {} with {:?} differently (iamd allowed: {iamd})",
            spec.action, spec.resource, spec.keys
        );
    }
    let allowed = iamd.iter().filter(|a| **a).count();
    assert!(
        allowed > 0 && allowed < iamd.len(),
        "the scenario should both allow and deny"
    );
    scenario
}

fn benches(c: &mut Criterion) {
    let seed = [
        fixture("seed002-force-mfa-blog-ja.json"),
        fixture("administrator-access.json"),
    ];
    let set = PolicySet {
        identity: &seed,
        ..Default::default()
    };
    let specs = seed_requests();
    let requests: Vec<Request> = specs.iter().map(request).collect();
    let mut group = c.benchmark_group("seed002_admin");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("evaluate", |b| b.iter(|| decide_all(&set, &requests)));
    group.bench_function("explain", |b| {
        b.iter(|| {
            requests
                .iter()
                .map(|r| explain(&set, black_box(r)).statements.len())
                .sum::<usize>()
        })
    });
    #[cfg(feature = "cedar-bench")]
    {
        let scenario = cedar_scenario(cedar::SEED002_ADMIN, &specs, &set);
        group.bench_function("cedar", |b| b.iter(|| cedar::decide_all(&scenario)));
    }
    group.finish();

    let ten = ten_policies();
    let set = PolicySet {
        identity: &ten,
        ..Default::default()
    };
    let specs = ten_policy_requests();
    let requests: Vec<Request> = specs.iter().map(request).collect();
    let mut group = c.benchmark_group("ten_policies");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("evaluate", |b| b.iter(|| decide_all(&set, &requests)));
    #[cfg(feature = "cedar-bench")]
    {
        let scenario = cedar_scenario(&cedar::ten_policies(), &specs, &set);
        group.bench_function("cedar", |b| b.iter(|| cedar::decide_all(&scenario)));
    }
    group.finish();
}

criterion_group!(decide, benches);
criterion_main!(decide);
