//! Cedar (`cedar-policy`) deciding the same requests as iamd, for the comparison of issue 18
//! (built with `--features cedar-bench`).
//!
//! Modelling: alice is `User::"alice"` with `name`; a resource is an entity whose `arn`
//! attribute the policies match with `like` (IAM's `*` is Cedar's `*`); an action is an entity
//! in the action groups `svc:Get*` / `svc:List*` that IAM's wildcard actions name; condition
//! keys are context attributes under their AWS names, typed (Bool as bool, numbers and
//! `aws:EpochTime` as longs, `aws:SourceIp` as `ip`). Cedar has no policy variables inside
//! strings, so `${aws:username}` is written as `alice` (every request is alice's): that gives
//! Cedar the easier job. Entities and requests are built before the timing loop, as iamd's are.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hint::black_box;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request,
    RestrictedExpression,
};

use super::Spec;

/// A policy set, its entities and the requests of one scenario, ready to decide.
pub struct Scenario {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    requests: Vec<Request>,
}

fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_str(&format!("{kind}::{id:?}")).unwrap()
}

/// The action groups an action belongs to (the IAM wildcard actions of the policies).
fn action_groups(action: &str) -> HashSet<EntityUid> {
    let (service, name) = action.split_once(':').unwrap();
    ["Get", "List"]
        .iter()
        .filter(|prefix| name.starts_with(*prefix))
        .map(|prefix| uid("Action", &format!("{service}:{prefix}*")))
        .collect()
}

fn context_value(key: &str, value: &str) -> RestrictedExpression {
    match key {
        "aws:MultiFactorAuthPresent" => RestrictedExpression::new_bool(value == "true"),
        "aws:MultiFactorAuthAge" | "aws:EpochTime" => {
            RestrictedExpression::new_long(value.parse().unwrap())
        }
        "aws:SourceIp" => RestrictedExpression::new_ip(value),
        _ => RestrictedExpression::new_string(value.to_string()),
    }
}

impl Scenario {
    pub fn new(policies: &str, specs: &[Spec]) -> Self {
        let alice = Entity::new(
            uid("User", "alice"),
            HashMap::from([(
                "name".to_string(),
                RestrictedExpression::new_string("alice".into()),
            )]),
            HashSet::new(),
        )
        .unwrap();
        let resources: BTreeSet<&str> = specs.iter().map(|s| s.resource.as_str()).collect();
        let actions: BTreeSet<&str> = specs.iter().map(|s| s.action).collect();
        let mut entities = vec![alice];
        for arn in resources {
            let attrs = HashMap::from([(
                "arn".to_string(),
                RestrictedExpression::new_string(arn.to_string()),
            )]);
            entities.push(Entity::new(uid("Resource", arn), attrs, HashSet::new()).unwrap());
        }
        for action in actions {
            let groups = action_groups(action);
            for group in &groups {
                entities.push(Entity::new_no_attrs(group.clone(), HashSet::new()));
            }
            entities.push(Entity::new_no_attrs(uid("Action", action), groups));
        }
        // Two actions of one service share a group entity: keep one of each.
        entities.sort_by_key(|e| e.uid().to_string());
        entities.dedup_by_key(|e| e.uid().to_string());
        let requests = specs
            .iter()
            .map(|spec| {
                let pairs = spec
                    .keys
                    .iter()
                    .chain([&("aws:EpochTime", super::EPOCH_TIME)])
                    .map(|(k, v)| (k.to_string(), context_value(k, v)));
                Request::new(
                    uid("User", "alice"),
                    uid("Action", spec.action),
                    uid("Resource", &spec.resource),
                    Context::from_pairs(pairs).unwrap(),
                    None,
                )
                .unwrap()
            })
            .collect();
        Self {
            authorizer: Authorizer::new(),
            policies: PolicySet::from_str(policies).unwrap(),
            entities: Entities::from_entities(entities, None).unwrap(),
            requests,
        }
    }

    fn allowed(&self, request: &Request) -> bool {
        let response = self
            .authorizer
            .is_authorized(request, &self.policies, &self.entities);
        assert!(
            response.diagnostics().errors().next().is_none(),
            "a Cedar policy failed to evaluate: {:?}",
            response.diagnostics()
        );
        response.decision() == Decision::Allow
    }

    /// Each request's decision (allowed or not), in order.
    pub fn decisions(&self) -> Vec<bool> {
        self.requests.iter().map(|r| self.allowed(r)).collect()
    }
}

/// Not inlined, so that instruction counts can be taken for it alone (instructions.sh).
#[inline(never)]
pub fn decide_all(scenario: &Scenario) -> usize {
    scenario
        .requests
        .iter()
        .filter(|r| {
            scenario
                .authorizer
                .is_authorized(black_box(r), &scenario.policies, &scenario.entities)
                .decision()
                == Decision::Allow
        })
        .count()
}

/// Scenario (a): AdministratorAccess and the seed 002 force-MFA policy.
pub const SEED002_ADMIN: &str = r#"
// AdministratorAccess
permit (principal, action, resource);

// seed 002, VisualEditor0
permit (
    principal,
    action in [Action::"iam:EnableMFADevice", Action::"iam:ResyncMFADevice",
        Action::"iam:CreateVirtualMFADevice", Action::"iam:ListMFADevices", Action::"iam:GetUser",
        Action::"iam:ChangePassword", Action::"iam:DeleteVirtualMFADevice"],
    resource
) when { resource.arn like "arn:aws:iam::*:user/alice" || resource.arn like "arn:aws:iam::*:mfa/*" };

// seed 002, VisualEditor1
permit (
    principal,
    action in [Action::"iam:ListUsers", Action::"iam:ListVirtualMFADevices",
        Action::"iam:GetAccountPasswordPolicy"],
    resource
);

// seed 002: Deny NotAction [...] when MultiFactorAuthPresent is false or absent
forbid (principal, action, resource) when {
    !(action in [Action::"iam:ListUsers", Action::"iam:ListVirtualMFADevices",
        Action::"iam:ListMFADevices", Action::"iam:EnableMFADevice", Action::"iam:ResyncMFADevice",
        Action::"iam:DeleteVirtualMFADevice", Action::"iam:CreateVirtualMFADevice",
        Action::"iam:DeactivateMFADevice", Action::"iam:ChangePassword",
        Action::"iam:CreateLoginProfile", Action::"iam:DeleteLoginProfile",
        Action::"iam:GetLoginProfile", Action::"iam:UpdateLoginProfile"]) &&
    (!(context has "aws:MultiFactorAuthPresent") || context["aws:MultiFactorAuthPresent"] == false)
};

// seed 002: Deny [...] NotResource [own MFA device, own user] when MFA is false or absent
forbid (
    principal,
    action in [Action::"iam:EnableMFADevice", Action::"iam:ResyncMFADevice",
        Action::"iam:DeleteVirtualMFADevice", Action::"iam:CreateVirtualMFADevice",
        Action::"iam:DeactivateMFADevice", Action::"iam:ChangePassword",
        Action::"iam:CreateLoginProfile", Action::"iam:DeleteLoginProfile",
        Action::"iam:GetLoginProfile", Action::"iam:UpdateLoginProfile"],
    resource
) when {
    !(resource.arn like "arn:aws:iam::*:mfa/alice" || resource.arn like "arn:aws:iam::*:user/alice") &&
    (!(context has "aws:MultiFactorAuthPresent") || context["aws:MultiFactorAuthPresent"] == false)
};
"#;

/// Statement `j` of policy `i` of scenario (b), as `super::statement` writes it in IAM.
fn statement(i: usize, j: usize) -> String {
    let (service, deny, resource) = super::statement_shape(i, j, "alice");
    let effect = if deny { "forbid" } else { "permit" };
    let condition = match j % 6 {
        0 => {
            r#"context has "aws:PrincipalTag/team" && context["aws:PrincipalTag/team"] == "data" && context has "aws:RequestedRegion" && context["aws:RequestedRegion"] == "us-east-1""#
        }
        1 => {
            r#"context has "s3:prefix" && (context["s3:prefix"] like "home/alice/*" || context["s3:prefix"] like "public/*")"#
        }
        2 => {
            r#"context has "aws:MultiFactorAuthPresent" && context["aws:MultiFactorAuthPresent"] == true && context has "aws:MultiFactorAuthAge" && context["aws:MultiFactorAuthAge"] < 3600"#
        }
        3 => {
            r#"context has "aws:SourceIp" && (context["aws:SourceIp"].isInRange(ip("10.0.0.0/8")) || context["aws:SourceIp"].isInRange(ip("192.0.2.0/24")))"#
        }
        // DateGreaterThan 2024-01-01T00:00:00Z, DateLessThan 2025-01-01T00:00:00Z
        4 => r#"context["aws:EpochTime"] > 1704067200 && context["aws:EpochTime"] < 1735689600"#,
        _ => {
            r#"(!(context has "aws:MultiFactorAuthPresent") || context["aws:MultiFactorAuthPresent"] == false) && principal.name != "admin""#
        }
    };
    format!(
        r#"@id("S{i}x{j}") {effect} (principal, action in [Action::"{service}:Get*", Action::"{service}:List*", Action::"{service}:Put{j}*"], resource) when {{ resource.arn like "{resource}" && {condition} }};"#
    )
}

/// Scenario (b): 10 policies × 20 statements.
pub fn ten_policies() -> String {
    (0..10)
        .flat_map(|i| (0..20).map(move |j| statement(i, j)))
        .collect::<Vec<_>>()
        .join("\n")
}
