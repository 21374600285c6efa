//! One simulation: the policies (with where each comes from), the simulated caller and
//! context, decided per action and resource by the engine exactly as enforcement decides
//! (`authz::request_for` builds the request, `iamd_policy::explain` decides), then shaped
//! as AWS's `EvaluationResult`.

use std::sync::Arc;

use iamd_policy::{
    explain, statement_spans, Context, Decision, Effect, NamedPolicy, Outcome, PolicySet,
    Principal, Source, Span, StatementTrace,
};
use serde_json::{json, Map, Value};

use crate::authz::request_for;

/// Where a simulated policy comes from: AWS's `SourcePolicyId` / `SourcePolicyType`, and
/// the text its statement positions are taken from.
#[derive(Debug, Clone)]
pub(super) struct Origin {
    pub id: String,
    pub kind: &'static str,
    pub text: String,
}

/// A policy with its origin.
pub(super) type Sourced = (Arc<NamedPolicy>, Origin);

/// Everything a simulation decides with.
pub(super) struct Simulation {
    pub identity: Vec<Sourced>,
    pub boundary: Option<Sourced>,
    pub resource: Option<Sourced>,
    pub principal: Principal,
    pub context: Context,
    /// The account owning the resources (`ResourceOwner`), when given.
    pub resource_account: Option<String>,
}

/// The decision for one action on one resource.
struct ResourceResult {
    resource: String,
    decision: Decision,
    matched: Vec<Value>,
    missing: Vec<String>,
    /// `AllowedByPermissionsBoundary`, when there is a boundary.
    boundary_allows: Option<bool>,
}

fn decision_text(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    }
}

/// Most restrictive first.
fn severity(decision: Decision) -> u8 {
    match decision {
        Decision::ExplicitDeny => 2,
        Decision::ImplicitDeny => 1,
        Decision::Allow => 0,
    }
}

fn position(p: iamd_policy::Position) -> Value {
    json!({ "Line": p.line, "Column": p.column })
}

impl Simulation {
    /// Every policy with its origin, in the engine's evaluation order (`PolicySet::all`).
    fn in_order(&self) -> impl Iterator<Item = &Sourced> {
        self.identity
            .iter()
            .chain(self.boundary.as_ref())
            .chain(self.resource.as_ref())
    }

    /// AWS's `EvaluationResult` for `action` on `resources` (`None`: no `ResourceArns`,
    /// the resource is `*`).
    pub fn evaluate(&self, action: &str, resources: Option<&[String]>) -> Value {
        let star = [String::from("*")];
        let list = resources.unwrap_or(&star);
        let results: Vec<ResourceResult> = list.iter().map(|r| self.decide(action, r)).collect();
        let worst = results
            .iter()
            .map(|r| r.decision)
            .max_by_key(|d| severity(*d))
            .unwrap_or(Decision::ImplicitDeny);
        let mut matched: Vec<Value> = Vec::new();
        for r in results.iter().filter(|r| r.decision == worst) {
            for m in &r.matched {
                if !matched.contains(m) {
                    matched.push(m.clone());
                }
            }
        }
        let mut out = Map::new();
        out.insert("EvalActionName".into(), json!(action));
        if let [only] = list {
            out.insert("EvalResourceName".into(), json!(only));
        }
        out.insert("EvalDecision".into(), json!(decision_text(worst)));
        out.insert("MatchedStatements".into(), json!(matched));
        // With `*` the missing keys show here; with resources, per resource (as AWS does).
        let missing = match resources {
            None => results
                .first()
                .map(|r| r.missing.clone())
                .unwrap_or_default(),
            Some(_) => Vec::new(),
        };
        out.insert("MissingContextValues".into(), json!(missing));
        // AWS: present but empty for resources in the same account, absent for `*`. The
        // per-policy-type details of cross-account simulations are not given (unknown keys).
        if resources.is_some() {
            out.insert("EvalDecisionDetails".into(), json!({}));
        }
        if self.boundary.is_some() {
            let allowed = results.iter().all(|r| r.boundary_allows == Some(true));
            out.insert(
                "PermissionsBoundaryDecisionDetail".into(),
                json!({ "AllowedByPermissionsBoundary": allowed }),
            );
        }
        let specific: Vec<Value> = results.iter().map(|r| self.specific(r)).collect();
        out.insert("ResourceSpecificResults".into(), json!(specific));
        Value::Object(out)
    }

    fn specific(&self, r: &ResourceResult) -> Value {
        let mut out = Map::new();
        out.insert("EvalResourceName".into(), json!(r.resource));
        out.insert(
            "EvalResourceDecision".into(),
            json!(decision_text(r.decision)),
        );
        out.insert("MatchedStatements".into(), json!(r.matched));
        out.insert("MissingContextValues".into(), json!(r.missing));
        if let Some(allowed) = r.boundary_allows {
            out.insert(
                "PermissionsBoundaryDecisionDetail".into(),
                json!({ "AllowedByPermissionsBoundary": allowed }),
            );
        }
        Value::Object(out)
    }

    /// Decides one action on one resource with the engine, and reads its explanation.
    fn decide(&self, action: &str, resource: &str) -> ResourceResult {
        let identity: Vec<Arc<NamedPolicy>> =
            self.identity.iter().map(|(p, _)| p.clone()).collect();
        let set = PolicySet {
            identity: &identity,
            boundary: self.boundary.as_ref().map(|(p, _)| p.as_ref()),
            session: &[],
            resource: self.resource.as_ref().map(|(p, _)| p.as_ref()),
        };
        let mut request = request_for(&self.principal, action, resource, self.context.clone(), &[]);
        request.resource_account = self.resource_account.clone();
        let explanation = explain(&set, &request);
        // Allowed: the allow statements that apply. Explicit deny: the deny statements,
        // then the allows they override (as AWS's results show them). Implicit deny: none.
        let effects: &[Effect] = match explanation.decision {
            Decision::Allow => &[Effect::Allow],
            Decision::ExplicitDeny => &[Effect::Deny, Effect::Allow],
            Decision::ImplicitDeny => &[],
        };
        let mut missing: Vec<String> = Vec::new();
        let mut applying: Vec<(Effect, Value)> = Vec::new();
        let mut traces = explanation.statements.iter();
        for (policy, origin) in self.in_order() {
            let count = policy.policy.statements().len();
            let mut spans: Option<Vec<Span>> = None;
            for trace in traces.by_ref().take(count) {
                note_missing(trace, &mut missing);
                if !matches!(trace.outcome, Outcome::Applies { .. }) {
                    continue;
                }
                let spans = spans.get_or_insert_with(|| statement_spans(&origin.text));
                let statement = matched_statement(origin, spans.get(trace.index));
                applying.push((trace.effect, statement));
            }
        }
        let matched = effects
            .iter()
            .flat_map(|e| applying.iter().filter(move |(effect, _)| effect == e))
            .map(|(_, statement)| statement.clone())
            .collect();
        let boundary_allows = self.boundary.as_ref().map(|_| {
            let of_boundary = || {
                explanation
                    .statements
                    .iter()
                    .filter(|t| t.source == Source::Boundary)
                    .filter(|t| matches!(t.outcome, Outcome::Applies { .. }))
            };
            of_boundary().any(|t| t.effect == Effect::Allow)
                && !of_boundary().any(|t| t.effect == Effect::Deny)
        });
        ResourceResult {
            resource: resource.to_string(),
            decision: explanation.decision,
            matched,
            missing,
            boundary_allows,
        }
    }
}

/// Adds the keys that a statement concerning the request tests and the context lacks.
fn note_missing(trace: &StatementTrace, missing: &mut Vec<String>) {
    let conditions = match &trace.outcome {
        Outcome::Applies { conditions } | Outcome::ConditionNotMet { conditions } => conditions,
        _ => return,
    };
    for c in conditions.iter().filter(|c| c.actual.is_none()) {
        if !missing.iter().any(|m| m.eq_ignore_ascii_case(&c.key)) {
            missing.push(c.key.clone());
        }
    }
}

fn matched_statement(origin: &Origin, span: Option<&Span>) -> Value {
    let mut out = Map::new();
    out.insert("SourcePolicyId".into(), json!(origin.id));
    out.insert("SourcePolicyType".into(), json!(origin.kind));
    if let Some(span) = span {
        out.insert("StartPosition".into(), position(span.start));
        out.insert("EndPosition".into(), position(span.end));
    }
    Value::Object(out)
}
