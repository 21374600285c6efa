//! Which services an entity's policies allow, and through which policies: the ground that
//! last-accessed reports stand on, and ListPoliciesGrantingServiceAccess.
//!
//! A policy grants a service when one of its `Allow` statements names an action of it
//! (`iam:*`, `s3:Get*`, `*`) or is a `NotAction` statement; conditions, resources and denies
//! are not weighed, as AWS's report says (it lists the services the policies *allow*).

use std::collections::BTreeSet;
use std::sync::Arc;

use iamd_policy::{Effect, NamedPolicy};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::support::{input, paginate};
use super::{iam_op as op, OpContext, Operation};
use crate::entities::access_jobs::JobEntity;
use crate::error::IamError;
use crate::model::{Document, Role, User};
use crate::state::AccountState;

pub(super) static OPS: &[Operation] = &[op(
    "ListPoliciesGrantingServiceAccess",
    list_policies_granting,
    true,
)];

/// The services whose calls iamd serves and records (their last access is known).
pub(crate) const RECORDED_SERVICES: [(&str, &str, &str); 2] = [
    (
        "iam",
        "AWS Identity and Access Management",
        "iam.amazonaws.com",
    ),
    ("sts", "AWS Security Token Service", "sts.amazonaws.com"),
];

/// The entity a report or listing is about.
pub(crate) enum Target {
    User(Arc<User>),
    Group(Arc<crate::model::Group>),
    Role(Arc<Role>),
    Policy(Arc<crate::model::ManagedPolicy>),
}

/// Reads `arn` as a user, group or role of this account, or a managed policy (`policy`:
/// whether a policy is a valid target). InvalidInput when it is not such an ARN,
/// NoSuchEntity when the entity does not exist.
pub(crate) fn target(state: &AccountState, arn: &str, policy: bool) -> Result<Target, IamError> {
    let invalid = || IamError::invalid_input(format!("ARN {arn} is not valid."));
    let own = format!("arn:aws:iam::{}:", state.account_id);
    let missing = |what: &str| {
        IamError::no_such_entity(format!("The {what} with ARN {arn} cannot be found."))
    };
    if policy
        && (arn.starts_with(&format!("{own}policy/"))
            || arn.starts_with("arn:aws:iam::aws:policy/"))
    {
        let found = state
            .policy(arn)
            .cloned()
            .ok_or_else(|| missing("policy"))?;
        return Ok(Target::Policy(found));
    }
    let resource = arn.strip_prefix(&own).ok_or_else(invalid)?;
    let (kind, rest) = resource.split_once('/').ok_or_else(invalid)?;
    let name = rest.rsplit('/').next().unwrap_or_default();
    let exact = |candidate: &str| candidate == arn;
    match kind {
        "user" => state
            .user(name)
            .filter(|u| exact(&u.arn))
            .cloned()
            .map(Target::User)
            .ok_or_else(|| missing("user")),
        "group" => state
            .group(name)
            .filter(|g| exact(&g.arn))
            .cloned()
            .map(Target::Group)
            .ok_or_else(|| missing("group")),
        "role" => state
            .role(name)
            .filter(|r| exact(&r.arn))
            .cloned()
            .map(Target::Role)
            .ok_or_else(|| missing("role")),
        _ => Err(invalid()),
    }
}

/// One policy that applies to a target, with how ListPoliciesGrantingServiceAccess names it.
pub(crate) struct HeldPolicy {
    pub name: String,
    /// `None` for inline policies.
    pub arn: Option<String>,
    /// For inline policies: `USER`, `GROUP` or `ROLE` and the entity's name.
    pub owner: Option<(&'static str, String)>,
    pub compiled: Arc<NamedPolicy>,
}

fn inline_policies(
    out: &mut Vec<HeldPolicy>,
    inline: &std::collections::BTreeMap<String, Document>,
    kind: &'static str,
    entity: &str,
) {
    for (name, doc) in inline {
        if let Some(compiled) = doc.compiled() {
            out.push(HeldPolicy {
                name: name.clone(),
                arn: None,
                owner: Some((kind, entity.to_string())),
                compiled: compiled.clone(),
            });
        }
    }
}

fn managed_policies(out: &mut Vec<HeldPolicy>, state: &AccountState, attached: &[String]) {
    for arn in attached {
        if let Some(policy) = state.policy(arn) {
            out.extend(managed(policy));
        }
    }
}

fn managed(policy: &crate::model::ManagedPolicy) -> Option<HeldPolicy> {
    let version = policy
        .versions
        .iter()
        .find(|v| v.id == policy.default_version)?;
    Some(HeldPolicy {
        name: policy.name.clone(),
        arn: Some(policy.arn.clone()),
        owner: None,
        compiled: version.document.compiled()?.clone(),
    })
}

/// The identity-based policies that apply to the target (a user's include its groups').
pub(crate) fn held_policies(state: &AccountState, target: &Target) -> Vec<HeldPolicy> {
    let mut out = Vec::new();
    match target {
        Target::User(user) => {
            inline_policies(&mut out, &user.inline, "USER", &user.name);
            managed_policies(&mut out, state, &user.attached);
            for group in user.groups.iter().filter_map(|g| state.group(g)) {
                inline_policies(&mut out, &group.inline, "GROUP", &group.name);
                managed_policies(&mut out, state, &group.attached);
            }
        }
        Target::Group(group) => {
            inline_policies(&mut out, &group.inline, "GROUP", &group.name);
            managed_policies(&mut out, state, &group.attached);
        }
        Target::Role(role) => {
            inline_policies(&mut out, &role.inline, "ROLE", &role.name);
            managed_policies(&mut out, state, &role.attached);
        }
        Target::Policy(policy) => out.extend(managed(policy)),
    }
    out
}

/// `*` and `?` wildcards, ASCII case-insensitive (patterns are lowercase).
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => {
            pattern.len() == text.len()
                && pattern
                    .chars()
                    .zip(text.chars())
                    .all(|(p, t)| p == '?' || p.eq_ignore_ascii_case(&t))
        }
        Some((head, tail)) => {
            text.len() >= head.len()
                && text.is_char_boundary(head.len())
                && glob(head, &text[..head.len()])
                && (head.len()..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .any(|i| glob(tail, &text[i..]))
        }
    }
}

/// The service part of each `Allow` statement's action patterns; `*` for `NotAction`.
fn allowed_service_patterns(policy: &NamedPolicy) -> impl Iterator<Item = &str> {
    policy
        .policy
        .statements()
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| {
            let all: &[String] = if s.actions.negated {
                &[]
            } else {
                &s.actions.texts
            };
            let star = s.actions.negated.then_some("*");
            all.iter()
                .map(|t| t.split(':').next().unwrap_or_default())
                .chain(star)
        })
}

/// Whether the policy allows some action of `namespace`.
pub(crate) fn grants(policy: &NamedPolicy, namespace: &str) -> bool {
    allowed_service_patterns(policy).any(|p| glob(p, namespace))
}

/// The services the policies allow: those named, and iamd's recorded services that a
/// wildcard covers.
pub(crate) fn allowed_services(policies: &[HeldPolicy]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for policy in policies {
        for pattern in allowed_service_patterns(&policy.compiled) {
            if pattern.contains(['*', '?']) {
                out.extend(
                    RECORDED_SERVICES
                        .iter()
                        .filter(|(ns, _, _)| glob(pattern, ns))
                        .map(|(ns, _, _)| ns.to_string()),
                );
            } else if !pattern.is_empty() {
                out.insert(pattern.to_string());
            }
        }
    }
    out
}

/// The users and roles a report counts for the target: a user or role itself, a group's
/// users, a policy's users (directly or through a group) and roles.
pub(crate) fn report_entities(state: &AccountState, target: &Target) -> Vec<JobEntity> {
    let user = |u: &User| JobEntity {
        arn: u.arn.clone(),
        name: u.name.clone(),
        kind: "USER".into(),
        id: u.id.clone(),
        path: u.path.clone(),
    };
    let role = |r: &Role| JobEntity {
        arn: r.arn.clone(),
        name: r.name.clone(),
        kind: "ROLE".into(),
        id: r.id.clone(),
        path: r.path.clone(),
    };
    let in_group = |u: &User, g: &str| u.groups.iter().any(|n| n.eq_ignore_ascii_case(g));
    match target {
        Target::User(u) => vec![user(u)],
        Target::Role(r) => vec![role(r)],
        Target::Group(g) => state
            .users
            .values()
            .filter(|u| in_group(u, &g.name))
            .map(|u| user(u))
            .collect(),
        Target::Policy(p) => {
            let holds = |attached: &[String]| attached.contains(&p.arn);
            let groups: Vec<&str> = state
                .groups
                .values()
                .filter(|g| holds(&g.attached))
                .map(|g| g.name.as_str())
                .collect();
            let users = state
                .users
                .values()
                .filter(|u| holds(&u.attached) || groups.iter().any(|g| in_group(u, g)))
                .map(|u| user(u));
            let roles = state
                .roles
                .values()
                .filter(|r| holds(&r.attached))
                .map(|r| role(r));
            users.chain(roles).collect()
        }
    }
}

/// The ARN the target's permission checks name.
pub(crate) fn target_arn(target: &Target) -> &str {
    match target {
        Target::User(u) => &u.arn,
        Target::Group(g) => &g.arn,
        Target::Role(r) => &r.arn,
        Target::Policy(p) => &p.arn,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GrantingInput {
    arn: String,
    service_namespaces: Vec<String>,
    marker: Option<String>,
}

fn list_policies_granting(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GrantingInput = input(value)?;
    ctx.authorize("iam:ListPoliciesGrantingServiceAccess", &input.arn)?;
    let target = target(&ctx.state, &input.arn, false)?;
    let policies = held_policies(&ctx.state, &target);
    let entries = input
        .service_namespaces
        .iter()
        .enumerate()
        .map(|(i, namespace)| {
            let granting: Vec<Value> = policies
                .iter()
                .filter(|p| grants(&p.compiled, namespace))
                .map(|p| {
                    let mut entry = json!({
                        "PolicyName": p.name,
                        "PolicyType": if p.arn.is_some() { "MANAGED" } else { "INLINE" },
                    });
                    if let Some(arn) = &p.arn {
                        entry["PolicyArn"] = json!(arn);
                    }
                    if let Some((kind, name)) = &p.owner {
                        entry["EntityType"] = json!(kind);
                        entry["EntityName"] = json!(name);
                    }
                    entry
                })
                .collect();
            let entry = json!({"ServiceNamespace": namespace, "Policies": granting});
            (format!("{i:08}"), entry)
        });
    paginate(entries, input.marker.as_deref(), None)?
        .finish(Map::new(), "PoliciesGrantingServiceAccess")
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn service_patterns_match_namespaces() {
        assert!(glob("*", "iam"));
        assert!(glob("i*", "iam"));
        assert!(glob("?am", "iam"));
        assert!(glob("s3", "s3"));
        assert!(!glob("s3", "sts"));
        assert!(!glob("i*x", "iam"));
        assert!(glob("*m", "iam"));
    }
}
