//! Explanations: which statement decided and why the others did not apply, as text a person
//! understands and as JSON.

use serde::Serialize;

use crate::condition::{Condition, Why};
use crate::context::{ContextValue, Request};
use crate::evaluate::{
    applies, evaluate, principal_match, Decision, Evaluation, PolicySet, Reason, Source,
};
use crate::policy::{Effect, Statement};

/// One condition as evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionTrace {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// The request's value, `None` when the key is absent.
    pub actual: Option<ContextValue>,
    pub holds: bool,
    pub why: Why,
}

impl ConditionTrace {
    fn of(condition: &Condition, request: &Request) -> ConditionTrace {
        let (holds, why) = condition.evaluate(&request.context);
        ConditionTrace {
            operator: condition.operator.to_text(),
            key: condition.key.clone(),
            values: condition.values.clone(),
            actual: condition.actual(&request.context).cloned(),
            holds,
            why,
        }
    }

    /// E.g. `aws:MultiFactorAuthPresent is absent` or `aws:SourceIp is 198.51.100.7`.
    fn describe_actual(&self) -> String {
        match &self.actual {
            None => format!("{} is absent", self.key),
            Some(ContextValue::Single(v)) => format!("{} is {v}", self.key),
            Some(ContextValue::Multi(vs)) => format!("{} is [{}]", self.key, vs.join(", ")),
        }
    }

    /// E.g. `BoolIfExists aws:MultiFactorAuthPresent = false`.
    fn describe_requirement(&self) -> String {
        format!(
            "{} {} = {}",
            self.operator,
            self.key,
            self.values.join(" or ")
        )
    }
}

/// Whether and why a statement applied.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    Applies { conditions: Vec<ConditionTrace> },
    ActionNotMatched,
    PrincipalNotMatched,
    ResourceNotMatched { resources: Vec<String> },
    ConditionNotMet { conditions: Vec<ConditionTrace> },
}

/// One statement as evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    pub source: Source,
    pub policy: String,
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub outcome: Outcome,
}

/// A full explanation of a decision.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub decision: Decision,
    pub reason: Reason,
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The deciding statement: `policy`, `sid`/`index`, `source`.
    pub deciding: Option<StatementTrace>,
    /// One sentence (or a few) for a person.
    pub summary: String,
    /// What to do about a denial, when iamd knows.
    pub remedy: Option<String>,
    pub statements: Vec<StatementTrace>,
}

fn trace(statement: &Statement, source: Source, policy: &str, request: &Request) -> StatementTrace {
    let outcome = if !statement.matches_action(request.action_lower()) {
        Outcome::ActionNotMatched
    } else if principal_match(statement, request).is_none() {
        Outcome::PrincipalNotMatched
    } else if !statement.matches_resource(&request.resource, &request.context) {
        let resources = statement.resources.as_ref().map(|r| r.texts.clone());
        Outcome::ResourceNotMatched {
            resources: resources.unwrap_or_default(),
        }
    } else {
        let conditions: Vec<_> = statement
            .conditions
            .iter()
            .map(|c| ConditionTrace::of(c, request))
            .collect();
        if conditions.iter().all(|c| c.holds) {
            Outcome::Applies { conditions }
        } else {
            Outcome::ConditionNotMet { conditions }
        }
    };
    StatementTrace {
        source,
        policy: policy.to_string(),
        index: statement.index,
        sid: statement.sid.clone(),
        effect: statement.effect,
        outcome,
    }
}

/// Decides and explains a request.
pub fn explain(set: &PolicySet<'_>, request: &Request) -> Explanation {
    let evaluation = evaluate(set, request);
    let statements: Vec<StatementTrace> = set
        .all()
        .flat_map(|(source, policy)| {
            policy
                .policy
                .statements()
                .iter()
                .map(move |s| trace(s, source, &policy.name, request))
        })
        .collect();
    let deciding = evaluation
        .statement
        .map(|s| trace(s.statement, s.source, &s.policy.name, request));
    debug_assert!(evaluation
        .statement
        .is_none_or(|s| applies(s.statement, request).is_some()));
    let (summary, remedy) = summarize(&evaluation, deciding.as_ref(), &statements, request);
    Explanation {
        decision: evaluation.decision,
        reason: evaluation.reason,
        principal: request.principal.arn.clone(),
        action: request.action().to_string(),
        resource: request.resource.clone(),
        deciding,
        summary,
        remedy,
        statements,
    }
}

fn label(trace: &StatementTrace) -> String {
    match &trace.sid {
        Some(sid) if !sid.is_empty() => sid.clone(),
        _ => format!("#{}", trace.index + 1),
    }
}

fn summarize(
    evaluation: &Evaluation<'_>,
    deciding: Option<&StatementTrace>,
    statements: &[StatementTrace],
    request: &Request,
) -> (String, Option<String>) {
    let action = request.action();
    let resource = &request.resource;
    match (evaluation.reason, deciding) {
        (Reason::ExplicitDeny, Some(d)) => {
            let held = match &d.outcome {
                Outcome::Applies { conditions } => conditions.clone(),
                _ => Vec::new(),
            };
            let mut text = format!(
                "denied by statement {} of policy {} ({})",
                label(d),
                d.policy,
                d.source.describe()
            );
            if held.is_empty() {
                text.push_str(&format!(
                    ": it denies {action} on {resource} without conditions"
                ));
            } else {
                let parts: Vec<String> = held.iter().map(describe_held).collect();
                text.push_str(&format!(": {}", parts.join("; ")));
            }
            let remedy = mfa_remedy(&held);
            if let Some(r) = &remedy {
                text.push_str(&format!("; {r}"));
            }
            (text, remedy)
        }
        (Reason::AllowedByIdentityPolicy | Reason::AllowedByResourcePolicy, Some(d)) => (
            format!(
                "allowed by statement {} of policy {} ({})",
                label(d),
                d.policy,
                d.source.describe()
            ),
            None,
        ),
        (Reason::RootUser, _) => (
            "allowed: the account's root user is not limited by identity-based policies".into(),
            None,
        ),
        (reason, _) => implicit(reason, statements, request),
    }
}

/// A condition that held, e.g. `aws:MultiFactorAuthPresent is absent`.
fn describe_held(c: &ConditionTrace) -> String {
    let mfa = c.key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent");
    match (&c.actual, mfa) {
        (None, true) => format!(
            "{} (requests signed with long-term access keys carry no MFA)",
            c.describe_actual()
        ),
        (Some(ContextValue::Single(v)), true) if v.eq_ignore_ascii_case("false") => format!(
            "{} (this session was signed in without MFA)",
            c.describe_actual()
        ),
        _ => format!("{} ({})", c.describe_actual(), c.describe_requirement()),
    }
}

/// The way out of a deny that hinges on MFA.
fn mfa_remedy(held: &[ConditionTrace]) -> Option<String> {
    let mfa = held
        .iter()
        .find(|c| c.key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent"))?;
    Some(match &mfa.actual {
        None => "sign in with MFA or use `aws sts get-session-token` with `--serial-number` and \
                 `--token-code` to get MFA session credentials"
            .to_string(),
        Some(_) => "sign out and sign in again with your MFA device (assign one under \
                    My security credentials first if you have none), or get MFA session \
                    credentials with `aws sts get-session-token`"
            .to_string(),
    })
}

fn implicit(
    reason: Reason,
    statements: &[StatementTrace],
    request: &Request,
) -> (String, Option<String>) {
    let action = request.action();
    let resource = &request.resource;
    let wanted = match reason {
        Reason::BoundaryDoesNotAllow => Source::Boundary,
        Reason::SessionPolicyDoesNotAllow => Source::Session,
        Reason::NoResourcePolicyAllow => Source::Resource,
        _ => Source::Identity,
    };
    let mut text = match reason {
        Reason::BoundaryDoesNotAllow => {
            format!("implicitly denied: the permissions boundary does not allow {action} on {resource}")
        }
        Reason::SessionPolicyDoesNotAllow => {
            format!("implicitly denied: the session policy does not allow {action} on {resource}")
        }
        Reason::NoResourcePolicyAllow => format!(
            "implicitly denied: the resource is in another account and its resource-based policy does not allow {action} for this principal"
        ),
        _ => format!("implicitly denied: no identity-based policy allows {action} on {resource}"),
    };
    let near: Vec<String> = statements
        .iter()
        .filter(|s| s.source == wanted && s.effect == Effect::Allow)
        .filter_map(near_miss)
        .take(3)
        .collect();
    if !near.is_empty() {
        text.push_str(&format!("; closest: {}", near.join("; ")));
    }
    (text, None)
}

/// An allow statement that matched the action but not the rest.
fn near_miss(s: &StatementTrace) -> Option<String> {
    let name = format!("statement {} of policy {}", label(s), s.policy);
    match &s.outcome {
        Outcome::ResourceNotMatched { resources } => Some(format!(
            "{name} allows this action only on {}",
            resources.join(", ")
        )),
        Outcome::ConditionNotMet { conditions } => {
            let failed: Vec<String> = conditions
                .iter()
                .filter(|c| !c.holds)
                .map(|c| {
                    format!(
                        "requires {} but {}",
                        c.describe_requirement(),
                        c.describe_actual()
                    )
                })
                .collect();
            Some(format!("{name} {}", failed.join(" and ")))
        }
        Outcome::PrincipalNotMatched => Some(format!("{name} names other principals")),
        _ => None,
    }
}

impl Explanation {
    /// The explanation as a few lines of text.
    pub fn to_text(&self) -> String {
        let head = match self.decision {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "Explicit deny",
            Decision::ImplicitDeny => "Implicit deny",
        };
        let mut out = format!(
            "{head}: {} {} on {}\n",
            self.principal, self.action, self.resource
        );
        out.push_str(&self.summary);
        out.push('\n');
        out
    }

    /// The explanation as JSON, with a top-level `decision`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
