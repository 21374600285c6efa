//! The decision: AWS's evaluation logic within an account and across accounts.
//!
//! An explicit deny in any policy wins. Otherwise, in the principal's account, an allow in a
//! resource-based policy that names the user or the role session is enough on its own; else
//! an identity-based policy must allow, and so must the permissions boundary and the session
//! policies when there are any. Across accounts both the identity-based policy and the
//! resource-based policy must allow. Everything else is an implicit deny.

use std::sync::Arc;

use crate::arn::Arn;
use crate::context::{PrincipalType, Request};
use crate::policy::{Effect, Policy, Statement};
use crate::principal::PrincipalMatch;

/// A policy with the name people know it by (policy name or ARN).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    pub name: String,
    pub policy: Policy,
}

impl NamedPolicy {
    pub fn new(name: impl Into<String>, policy: Policy) -> Arc<NamedPolicy> {
        Arc::new(NamedPolicy {
            name: name.into(),
            policy,
        })
    }
}

/// Which part of the evaluation a policy plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Identity,
    Boundary,
    Session,
    Resource,
}

impl Source {
    /// How AWS names the policy type.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Identity => "identity-based policy",
            Source::Boundary => "permissions boundary",
            Source::Session => "session policy",
            Source::Resource => "resource-based policy",
        }
    }
}

/// The policies that apply to a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicySet<'a> {
    pub identity: &'a [Arc<NamedPolicy>],
    pub boundary: Option<&'a NamedPolicy>,
    pub session: &'a [Arc<NamedPolicy>],
    pub resource: Option<&'a NamedPolicy>,
}

impl<'a> PolicySet<'a> {
    /// Every policy with its role, in evaluation order.
    pub fn all(&self) -> impl Iterator<Item = (Source, &'a NamedPolicy)> + '_ {
        let identity = self.identity.iter().map(|p| (Source::Identity, p.as_ref()));
        let boundary = self.boundary.map(|p| (Source::Boundary, p));
        let session = self.session.iter().map(|p| (Source::Session, p.as_ref()));
        let resource = self.resource.map(|p| (Source::Resource, p));
        identity.chain(boundary).chain(session).chain(resource)
    }
}

/// The three outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Why the decision came out as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A Deny statement applies.
    ExplicitDeny,
    /// An identity-based policy allows (and the boundary and session policies, if any).
    AllowedByIdentityPolicy,
    /// A resource-based policy allows the principal directly.
    AllowedByResourcePolicy,
    /// The account root user, whom identity-based policies do not limit.
    RootUser,
    /// No identity-based policy allows.
    NoIdentityAllow,
    /// The permissions boundary does not allow.
    BoundaryDoesNotAllow,
    /// The session policies do not allow.
    SessionPolicyDoesNotAllow,
    /// Across accounts the resource-based policy must allow too, and does not.
    NoResourcePolicyAllow,
}

/// The statement that decided.
#[derive(Debug, Clone, Copy)]
pub struct StatementRef<'a> {
    pub source: Source,
    pub policy: &'a NamedPolicy,
    pub statement: &'a Statement,
}

/// A decision with its reason and deciding statement.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation<'a> {
    pub decision: Decision,
    pub reason: Reason,
    /// The deny that applied, or the allow that granted; `None` for implicit denies.
    pub statement: Option<StatementRef<'a>>,
}

/// The first allowing statement found per part, and the deny if any.
#[derive(Default)]
struct Scan<'a> {
    identity: Option<StatementRef<'a>>,
    boundary: Option<StatementRef<'a>>,
    session: Option<StatementRef<'a>>,
    resource: Option<(StatementRef<'a>, PrincipalMatch)>,
}

/// Whether a statement applies to the request; `None` when it does not, else how the
/// principal matched (always `Direct` for policies without `Principal`).
pub(crate) fn applies(statement: &Statement, request: &Request) -> Option<PrincipalMatch> {
    applies_to(statement, request, Arn::parse(&request.resource).as_ref())
}

/// `applies` with the request's resource ARN parsed once (`None` when it is not an ARN).
/// The quick reject on the resource is inlined into the decision's loops; the rest is not.
#[inline(always)]
fn applies_to(
    statement: &Statement,
    request: &Request,
    resource: Option<&Arn<'_>>,
) -> Option<PrincipalMatch> {
    if !statement.may_match_resource(resource) {
        return None;
    }
    applies_fully(statement, request, resource)
}

#[inline(never)]
fn applies_fully(
    statement: &Statement,
    request: &Request,
    resource: Option<&Arn<'_>>,
) -> Option<PrincipalMatch> {
    if !statement.matches_action_fast(request.action_lower(), request.service_bit()) {
        return None;
    }
    let matched = principal_match(statement, request)?;
    if !statement.matches_resource_parsed(resource, &request.context) {
        return None;
    }
    if !statement
        .conditions
        .iter()
        .all(|c| c.evaluate(&request.context).0)
    {
        return None;
    }
    Some(matched)
}

pub(crate) fn principal_match(statement: &Statement, request: &Request) -> Option<PrincipalMatch> {
    let Some(set) = &statement.principals else {
        return Some(PrincipalMatch::Direct);
    };
    let best = set
        .entries
        .iter()
        .filter_map(|e| e.matches(&request.principal))
        .max_by_key(|m| strength(*m));
    match (set.negated, best) {
        (false, found) => found,
        (true, Some(_)) => None,
        (true, None) => Some(PrincipalMatch::Direct),
    }
}

fn strength(m: PrincipalMatch) -> u8 {
    match m {
        PrincipalMatch::Account => 0,
        PrincipalMatch::Role => 1,
        PrincipalMatch::Anyone | PrincipalMatch::Direct => 2,
    }
}

/// Decides a request. Allocation-free.
///
/// Two passes over the policies in evaluation order: first the Deny statements (the first
/// that applies decides at once), then the Allow statements, where a part of the evaluation
/// is skipped as soon as it has what it needs. The result is the one a single pass in
/// document order gives: the same first deny, the same first allow per part.
pub fn evaluate<'a>(set: &PolicySet<'a>, request: &Request) -> Evaluation<'a> {
    let resource = Arn::parse(&request.resource);
    let bit = request.service_bit();
    for (source, policy) in set.all() {
        for statement in policy.policy.candidates(Effect::Deny, bit) {
            if applies_to(statement, request, resource.as_ref()).is_some() {
                return Evaluation {
                    decision: Decision::ExplicitDeny,
                    reason: Reason::ExplicitDeny,
                    statement: Some(StatementRef {
                        source,
                        policy,
                        statement,
                    }),
                };
            }
        }
    }
    let mut scan = Scan::default();
    for (source, policy) in set.all() {
        for statement in policy.policy.candidates(Effect::Allow, bit) {
            if scan.settled(source) {
                break;
            }
            let Some(matched) = applies_to(statement, request, resource.as_ref()) else {
                continue;
            };
            scan.record(
                StatementRef {
                    source,
                    policy,
                    statement,
                },
                matched,
            );
        }
    }
    decide(set, request, &scan)
}

impl<'a> Scan<'a> {
    /// Whether further allows of `source` can change nothing: its first allow is known (for
    /// resource-based policies, one that names the principal as strongly as possible).
    fn settled(&self, source: Source) -> bool {
        match source {
            Source::Identity => self.identity.is_some(),
            Source::Boundary => self.boundary.is_some(),
            Source::Session => self.session.is_some(),
            Source::Resource => self.resource.is_some_and(|(_, m)| strength(m) == 2),
        }
    }

    /// Keeps an applying allow if it is the first of its part (or names the principal more
    /// strongly than the resource-based allow found so far).
    fn record(&mut self, here: StatementRef<'a>, matched: PrincipalMatch) {
        match here.source {
            Source::Identity => self.identity = self.identity.or(Some(here)),
            Source::Boundary => self.boundary = self.boundary.or(Some(here)),
            Source::Session => self.session = self.session.or(Some(here)),
            Source::Resource => {
                let better = self
                    .resource
                    .is_none_or(|(_, m)| strength(matched) > strength(m));
                if better {
                    self.resource = Some((here, matched));
                }
            }
        }
    }
}

fn decide<'a>(set: &PolicySet<'a>, request: &Request, scan: &Scan<'a>) -> Evaluation<'a> {
    let deny = |reason| Evaluation {
        decision: Decision::ImplicitDeny,
        reason,
        statement: None,
    };
    let allow = |reason, statement| Evaluation {
        decision: Decision::Allow,
        reason,
        statement,
    };
    let root = request.principal.kind == PrincipalType::Account;
    let boundary_ok = set.boundary.is_none() || scan.boundary.is_some();
    let session_ok = set.session.is_empty() || scan.session.is_some();

    if request.is_cross_account() {
        let Some((resource_allow, _)) = scan.resource else {
            return deny(Reason::NoResourcePolicyAllow);
        };
        if !root && scan.identity.is_none() {
            return deny(Reason::NoIdentityAllow);
        }
        if !boundary_ok {
            return deny(Reason::BoundaryDoesNotAllow);
        }
        if !session_ok {
            return deny(Reason::SessionPolicyDoesNotAllow);
        }
        return allow(Reason::AllowedByResourcePolicy, Some(resource_allow));
    }

    if let Some((statement, matched)) = scan.resource {
        let direct = match matched {
            PrincipalMatch::Direct | PrincipalMatch::Anyone => true,
            PrincipalMatch::Role => boundary_ok && session_ok,
            PrincipalMatch::Account => false,
        };
        if direct {
            return allow(Reason::AllowedByResourcePolicy, Some(statement));
        }
    }
    if root {
        return allow(Reason::RootUser, scan.identity);
    }
    let Some(identity_allow) = scan.identity else {
        return deny(Reason::NoIdentityAllow);
    };
    if !boundary_ok {
        return deny(Reason::BoundaryDoesNotAllow);
    }
    if !session_ok {
        return deny(Reason::SessionPolicyDoesNotAllow);
    }
    allow(Reason::AllowedByIdentityPolicy, Some(identity_allow))
}

#[cfg(test)]
mod tests;
