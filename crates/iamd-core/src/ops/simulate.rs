//! The policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy and the context keys
//! the policies use (GetContextKeysForPrincipalPolicy / GetContextKeysForCustomPolicy).
//!
//! A principal's policies are gathered by `AccountState::gather_policies`, the walk
//! enforcement uses, and each request is decided by the engine as enforcement decides it
//! (see `simulate_eval`). The simulated context is the caller's principal keys
//! (`aws:username`, `aws:PrincipalArn`, ...) plus the `ContextEntries`: nothing else, so
//! `aws:MultiFactorAuthPresent` is absent, as with long-term keys, unless an entry gives it.

use std::sync::Arc;

use iamd_policy::{
    Context, ContextValue, NamedPolicy, Policy, PolicyKind, Principal, PrincipalType,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::simulate_eval::{Origin, Simulation, Sourced};
use super::support::{input, paginate};
use super::{Auth, OpContext, Operation};
use crate::error::IamError;
use crate::state::{PolicyHolder, PolicyOrigin};

/// The `SourcePolicyType` AWS reports for identity-based policies, inline, managed or given
/// as input alike (observed; the model's enum lists `user`, `group`, ... which AWS does not
/// send). Boundaries get it too: what AWS sends for them is not known.
const IDENTITY_POLICY: &str = "IAM Policy";

pub(super) static OPS: &[Operation] = &[
    op("SimulatePrincipalPolicy", simulate_principal_policy),
    op("SimulateCustomPolicy", simulate_custom_policy),
    op(
        "GetContextKeysForPrincipalPolicy",
        context_keys_for_principal,
    ),
    op("GetContextKeysForCustomPolicy", context_keys_for_custom),
];

const fn op(name: &'static str, handler: super::Handler) -> Operation {
    Operation {
        service: &crate::service::IAM,
        name,
        auth: Auth::Policy,
        handler,
        read_only: true,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContextEntry {
    context_key_name: Option<String>,
    #[serde(default)]
    context_key_values: Vec<String>,
    context_key_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SimulateInput {
    policy_source_arn: Option<String>,
    #[serde(default)]
    policy_input_list: Vec<String>,
    #[serde(default)]
    permissions_boundary_policy_input_list: Vec<String>,
    #[serde(default)]
    action_names: Vec<String>,
    resource_arns: Option<Vec<String>>,
    resource_policy: Option<String>,
    resource_owner: Option<String>,
    caller_arn: Option<String>,
    #[serde(default)]
    context_entries: Vec<ContextEntry>,
    max_items: Option<i64>,
    marker: Option<String>,
}

/// What `PolicySourceArn` brings to a simulation.
struct SourcePolicies {
    identity: Vec<Sourced>,
    boundary: Option<Sourced>,
    /// The user, when the source is one (the default caller).
    user: Option<Principal>,
}

/// The policies of `PolicySourceArn`: a user (its own, its groups' and its boundary), a
/// group (its own) or a role (its own and its boundary).
fn source_policies(ctx: &OpContext<'_>, arn: &str) -> Result<SourcePolicies, IamError> {
    let state = &ctx.state;
    let (kind, name) = entity_of(arn, ctx.account_id()).ok_or_else(|| {
        IamError::invalid_input(format!(
            "PolicySourceArn {arn} is not the ARN of an IAM user, group or role in this account."
        ))
    })?;
    let missing = |what: &str| {
        IamError::no_such_entity(format!("The {what} with name {name} cannot be found."))
    };
    // The ARN must be the entity's own, path included.
    let (holder, principal) = match kind {
        "user" => {
            let user = state.user(name).filter(|u| u.arn == arn);
            let user = user.ok_or_else(|| missing("user"))?;
            (PolicyHolder::User(user), Principal::from_arn(&user.arn))
        }
        "group" => {
            let group = state.group(name).filter(|g| g.arn == arn);
            (
                PolicyHolder::Group(group.ok_or_else(|| missing("group"))?),
                None,
            )
        }
        _ => {
            let role = state.role(name).filter(|r| r.arn == arn);
            (
                PolicyHolder::Role(role.ok_or_else(|| missing("role"))?),
                None,
            )
        }
    };
    let owned = |origin: PolicyOrigin<'_>, policy: &Arc<NamedPolicy>| {
        let origin = Origin {
            id: origin.id.to_string(),
            kind: IDENTITY_POLICY,
            text: origin.text.to_string(),
        };
        (policy.clone(), origin)
    };
    let mut identity = Vec::new();
    let boundary = state.gather_policies(holder, &mut |o, p| identity.push(owned(o, p)));
    Ok(SourcePolicies {
        identity,
        boundary: boundary.map(|(o, p)| owned(o, p)),
        user: principal,
    })
}

/// `("user" | "group" | "role", name)` of an IAM entity ARN of account `account`.
fn entity_of<'a>(arn: &'a str, account: &str) -> Option<(&'a str, &'a str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (owner, resource) = rest.split_once(':')?;
    let (kind, path_and_name) = resource.split_once('/')?;
    let name = path_and_name.rsplit('/').next()?;
    let known = matches!(kind, "user" | "group" | "role");
    (owner == account && known && !name.is_empty()).then_some((kind, name))
}

/// Parses the documents of input list `list_name`, named `LIST.N` as AWS names them.
fn input_policies(list_name: &str, texts: &[String]) -> Result<Vec<Sourced>, IamError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let id = format!("{list_name}.{}", i + 1);
            let policy = Policy::parse(text, PolicyKind::Identity).map_err(|e| {
                IamError::invalid_input(format!("{id} is not a valid policy: {}", e.message))
            })?;
            let origin = Origin {
                id: id.clone(),
                kind: IDENTITY_POLICY,
                text: text.clone(),
            };
            Ok((NamedPolicy::new(id, policy), origin))
        })
        .collect()
}

/// The context entries as context keys. List types, or several values, make multi-valued
/// keys; an entry without values is left out (the key stays absent).
fn context_of(entries: &[ContextEntry]) -> Result<Context, IamError> {
    let mut context = Context::default();
    for entry in entries {
        let Some(key) = entry.context_key_name.as_deref() else {
            continue;
        };
        let kind = entry.context_key_type.as_deref().unwrap_or("string");
        let values = &entry.context_key_values;
        for v in values {
            let ok = match kind.trim_end_matches("List") {
                "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
                "numeric" => v.trim().parse::<f64>().is_ok(),
                _ => true,
            };
            if !ok {
                return Err(IamError::invalid_input(format!(
                    "The value {v} of context key {key} is not of type {kind}."
                )));
            }
        }
        match (kind.ends_with("List"), values.as_slice()) {
            (_, []) => {}
            (false, [one]) => context.insert(key, one.clone()),
            _ => context.set(key, ContextValue::Multi(values.clone())),
        }
    }
    Ok(context)
}

/// The simulated caller: `CallerArn` (an IAM user), else the source user.
fn caller_principal(
    input: &SimulateInput,
    source_user: Option<Principal>,
    account: &str,
) -> Result<Principal, IamError> {
    if let Some(arn) = &input.caller_arn {
        return Principal::from_arn(arn)
            .filter(|p| p.kind == PrincipalType::User)
            .ok_or_else(|| {
                IamError::invalid_input(format!("CallerArn {arn} is not the ARN of an IAM user."))
            });
    }
    if let Some(user) = source_user {
        return Ok(user);
    }
    if input.resource_policy.is_some() {
        return Err(IamError::invalid_input(
            "CallerArn is required when ResourcePolicy is given and PolicySourceArn is not a user.",
        ));
    }
    // A group or role without a caller: identity-based policies alone decide, and no
    // principal keys are set. Safer than inventing a user name.
    Ok(Principal {
        arn: format!("arn:aws:iam::{account}:root"),
        account: account.to_string(),
        kind: PrincipalType::Anonymous,
        role_arn: None,
    })
}

fn simulate(
    ctx: &OpContext<'_>,
    input: SimulateInput,
    source: SourcePolicies,
) -> Result<Value, IamError> {
    let SourcePolicies {
        mut identity,
        boundary,
        user: source_user,
    } = source;
    if input.action_names.is_empty() {
        return Err(IamError::invalid_input(
            "ActionNames must name at least one action.",
        ));
    }
    identity.extend(input_policies("PolicyInputList", &input.policy_input_list)?);
    let mut boundaries = input_policies(
        "PermissionsBoundaryPolicyInputList",
        &input.permissions_boundary_policy_input_list,
    )?;
    if boundaries.len() > 1 {
        return Err(IamError::invalid_input(
            "The list of Permissions Boundary policies cannot exceed 1 items.",
        ));
    }
    // A boundary given as input replaces the principal's own.
    let boundary = boundaries.pop().or(boundary);
    let resource = match &input.resource_policy {
        Some(text) => {
            let policy = Policy::parse(text, PolicyKind::Resource).map_err(|e| {
                IamError::invalid_input(format!("ResourcePolicy is not valid: {}", e.message))
            })?;
            let origin = Origin {
                id: "ResourcePolicy".to_string(),
                kind: "Resource Policy",
                text: text.clone(),
            };
            Some((NamedPolicy::new("ResourcePolicy", policy), origin))
        }
        None => None,
    };
    let principal = caller_principal(&input, source_user, ctx.account_id())?;
    let mut context = context_of(&input.context_entries)?;
    if principal.kind != PrincipalType::Anonymous {
        principal.fill_context(&mut context);
    }
    let resource_account = input.resource_owner.as_deref().map(|owner| {
        let account = owner.strip_prefix("arn:aws:iam::").unwrap_or(owner);
        account.split(':').next().unwrap_or(account).to_string()
    });
    let simulation = Simulation {
        identity,
        boundary,
        resource,
        principal,
        context,
        resource_account,
    };
    let resources = input.resource_arns.as_deref().filter(|r| !r.is_empty());
    let keyed = input
        .action_names
        .iter()
        .enumerate()
        .map(|(i, action)| (format!("{i:06}"), action));
    let page = paginate(keyed, input.marker.as_deref(), input.max_items)?;
    let results: Vec<Value> = page
        .items
        .iter()
        .map(|action| simulation.evaluate(action, resources))
        .collect();
    super::Page {
        items: results,
        marker: page.marker,
    }
    .finish(Map::new(), "EvaluationResults")
}

fn simulate_principal_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: SimulateInput = input(value)?;
    let arn = input.policy_source_arn.clone().unwrap_or_default();
    ctx.authorize("iam:SimulatePrincipalPolicy", &arn)?;
    let source = source_policies(ctx, &arn)?;
    simulate(ctx, input, source)
}

fn simulate_custom_policy(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: SimulateInput = input(value)?;
    ctx.authorize("iam:SimulateCustomPolicy", "*")?;
    let none = SourcePolicies {
        identity: Vec::new(),
        boundary: None,
        user: None,
    };
    simulate(ctx, input, none)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContextKeysInput {
    policy_source_arn: Option<String>,
    #[serde(default)]
    policy_input_list: Vec<String>,
}

/// The condition keys `policies` use, each once (case-insensitively), in document order.
fn context_keys<'a>(policies: impl Iterator<Item = &'a Sourced>) -> Value {
    let mut keys: Vec<String> = Vec::new();
    let conditions = policies
        .flat_map(|(p, _)| p.policy.statements())
        .flat_map(|s| s.conditions.iter());
    for condition in conditions {
        if !keys.iter().any(|k| k.eq_ignore_ascii_case(&condition.key)) {
            keys.push(condition.key.clone());
        }
    }
    json!({ "ContextKeyNames": keys })
}

fn context_keys_for_principal(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ContextKeysInput = input(value)?;
    let arn = input.policy_source_arn.unwrap_or_default();
    ctx.authorize("iam:GetContextKeysForPrincipalPolicy", &arn)?;
    let source = source_policies(ctx, &arn)?;
    let mut policies = source.identity;
    policies.extend(source.boundary);
    policies.extend(input_policies("PolicyInputList", &input.policy_input_list)?);
    Ok(context_keys(policies.iter()))
}

fn context_keys_for_custom(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: ContextKeysInput = input(value)?;
    ctx.authorize("iam:GetContextKeysForCustomPolicy", "*")?;
    let policies = input_policies("PolicyInputList", &input.policy_input_list)?;
    Ok(context_keys(policies.iter()))
}
