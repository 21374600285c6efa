//! A deliberately simple reference evaluator, written straight from AWS's documentation of
//! the policy evaluation logic (same account, identity-based policies, a permissions boundary
//! and session policies): no compilation, no indexes, no leads, no hashing. It reads the
//! policy documents as JSON on every decision.
//!
//! 1. A `Deny` statement that applies, in any policy, decides: explicit deny.
//! 2. Otherwise an identity-based `Allow` must apply, and, when there is a boundary, an
//!    `Allow` of the boundary, and, when there are session policies, an `Allow` of one of
//!    them; else implicit deny.
//!
//! A statement applies when its `Action` matches (or `NotAction` does not), its `Resource`
//! matches (or `NotResource` does not) and every condition is true.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod conditions;
pub mod matcher;

use std::collections::BTreeMap;

use serde_json::Value;

/// The request as the reference sees it: context keys lowercase, each with its values.
pub struct Req {
    pub action: String,
    pub resource: String,
    pub context: BTreeMap<String, Vec<String>>,
}

impl Req {
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.context
            .get(&key.to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    /// A policy variable's value (single-valued keys only).
    pub fn variable(&self, key: &str) -> Option<String> {
        match self.values(key) {
            Some([one]) => Some(one.clone()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
    Implicit,
}

/// A string or a list of strings, as a list.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn statements(policy: &Value) -> Vec<&Value> {
    match &policy["Statement"] {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    }
}

fn uses_variables(policy: &Value) -> bool {
    policy["Version"] == "2012-10-17"
}

/// Whether `statement` (of a policy with or without variables) applies to `req`.
pub fn applies(statement: &Value, variables: bool, req: &Req) -> bool {
    let action = |patterns: &Value| {
        strings(patterns)
            .iter()
            .any(|p| matcher::action_matches(p, &req.action))
    };
    let action_ok = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => action(a),
        (None, Some(n)) => !action(n),
        (None, None) => false,
    };
    let lookup = |key: &str| req.variable(key);
    let resource = |patterns: &Value| {
        strings(patterns).iter().any(|p| {
            matcher::arn_matches(
                &matcher::resource_entry(p),
                &req.resource,
                variables,
                &lookup,
            )
        })
    };
    let resource_ok = match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(r), _) => resource(r),
        (None, Some(n)) => !resource(n),
        (None, None) => false,
    };
    action_ok && resource_ok && conditions::all_true(statement.get("Condition"), variables, req)
}

/// Whether some statement of `effect` in `policy` applies.
fn any(policy: &Value, effect: &str, req: &Req) -> bool {
    let variables = uses_variables(policy);
    statements(policy)
        .into_iter()
        .any(|s| s["Effect"] == effect && applies(s, variables, req))
}

/// Decides `req` against identity-based policies, an optional boundary and session policies.
pub fn decide(
    identity: &[Value],
    boundary: Option<&Value>,
    session: &[Value],
    req: &Req,
) -> Verdict {
    let all = identity.iter().chain(boundary).chain(session);
    if all.clone().any(|p| any(p, "Deny", req)) {
        return Verdict::Deny;
    }
    let identity_ok = identity.iter().any(|p| any(p, "Allow", req));
    let boundary_ok = boundary.is_none_or(|b| any(b, "Allow", req));
    let session_ok = session.is_empty() || session.iter().any(|p| any(p, "Allow", req));
    if identity_ok && boundary_ok && session_ok {
        Verdict::Allow
    } else {
        Verdict::Implicit
    }
}
