//! The user the analysis imagines and the requests of the onboarding journey, decided by the
//! real engine: `alice` in account 111122223333, signed with long-term keys (the MFA key
//! absent), signed in without MFA (`false`) or with MFA (`true`).

use std::sync::Arc;

use crate::context::{Context, Principal, PrincipalType, Request};
use crate::evaluate::{evaluate, Decision, NamedPolicy, PolicySet};
use crate::policy::{Effect, Policy, PolicyKind, Statement};

use super::PolicyFile;

pub const ACCOUNT: &str = "111122223333";
pub const USER: &str = "alice";
/// Another user of the account, whose devices and credentials alice must not touch.
pub const OTHER: &str = "bob";

/// The three states of `aws:MultiFactorAuthPresent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa {
    /// Long-term access keys: the key is not in the request.
    Absent,
    /// Console sign-in or session credentials without MFA.
    False,
    /// Signed in with MFA, or MFA session credentials.
    True,
}

impl Mfa {
    /// A short column value.
    pub fn short(self) -> &'static str {
        match self {
            Mfa::Absent => "absent",
            Mfa::False => "false",
            Mfa::True => "true",
        }
    }

    /// For sentences.
    pub fn describe(self) -> &'static str {
        match self {
            Mfa::Absent => {
                "for requests signed with long-term access keys (aws:MultiFactorAuthPresent absent)"
            }
            Mfa::False => "for a user signed in without MFA (aws:MultiFactorAuthPresent = false)",
            Mfa::True => "for a user signed in with MFA (aws:MultiFactorAuthPresent = true)",
        }
    }
}

/// Policies the analysis may add to the set, to ask what the set takes away or what the
/// console adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// `Allow * *`: anything the user may be granted elsewhere.
    Anything,
    /// AWS's `IAMUserChangePassword`, which the console attaches to a user created with
    /// "must reset password at next sign-in".
    ConsoleChangePassword,
}

const ANYTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const CHANGE_PASSWORD: &str = r#"{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},
{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}"#;

/// Where a deciding statement sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct By {
    /// Index into the files; `None` for a policy the analysis added ([`Extra`]).
    pub file: Option<usize>,
    /// The statement's index in its policy.
    pub statement: usize,
    /// `Sid` or `#N`.
    pub label: String,
    pub effect: Effect,
}

/// A decision and the statement that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    pub by: Option<By>,
}

impl Outcome {
    pub fn allowed(&self) -> bool {
        self.decision == Decision::Allow
    }

    pub fn explicit_deny(&self) -> bool {
        self.decision == Decision::ExplicitDeny
    }
}

/// The policy set under analysis, compiled once.
pub struct Subject<'f> {
    pub files: &'f [PolicyFile],
    named: Vec<Arc<NamedPolicy>>,
    anything: Arc<NamedPolicy>,
    change_password: Arc<NamedPolicy>,
}

impl<'f> Subject<'f> {
    /// `None` only if the built-in documents failed to parse (a unit test proves they do not).
    pub fn new(files: &'f [PolicyFile]) -> Option<Subject<'f>> {
        let named = files
            .iter()
            .map(|f| NamedPolicy::new(f.name.clone(), f.policy.clone()))
            .collect();
        let builtin = |name: &str, text: &str| {
            Policy::parse(text, PolicyKind::Identity)
                .ok()
                .map(|p| NamedPolicy::new(name, p))
        };
        Some(Subject {
            files,
            named,
            anything: builtin("(anything granted elsewhere)", ANYTHING)?,
            change_password: builtin(
                "IAMUserChangePassword (attached by the console)",
                CHANGE_PASSWORD,
            )?,
        })
    }

    /// Decides `action` on `resource` (`*`, or relative to the account such as `user/alice`)
    /// for alice in state `mfa`, with the set plus `extras`.
    pub fn decide(&self, extras: &[Extra], action: &str, resource: &str, mfa: Mfa) -> Outcome {
        let mut identity = self.named.clone();
        for extra in extras {
            identity.push(match extra {
                Extra::Anything => self.anything.clone(),
                Extra::ConsoleChangePassword => self.change_password.clone(),
            });
        }
        self.judge(&identity, &request(action, resource, mfa))
    }

    /// As [`decide`](Self::decide) for a full resource ARN (or `*`), with the set alone.
    pub fn decide_arn(&self, action: &str, resource_arn: &str, mfa: Mfa) -> Outcome {
        let mut request = request(action, "*", mfa);
        request.resource = resource_arn.to_string();
        self.judge(&self.named, &request)
    }

    /// The decision on `request` by `identity` (the set's policies first), with the deciding
    /// statement placed in the set.
    fn judge(&self, identity: &[Arc<NamedPolicy>], request: &Request) -> Outcome {
        let set = PolicySet {
            identity,
            ..Default::default()
        };
        let evaluation = evaluate(&set, request);
        let by = evaluation.statement.map(|s| By {
            file: self
                .named
                .iter()
                .position(|p| std::ptr::eq(p.as_ref(), s.policy)),
            statement: s.statement.index,
            label: s.statement.label(),
            effect: s.statement.effect,
        });
        Outcome {
            decision: evaluation.decision,
            by,
        }
    }

    /// Whether one statement applies to the request (whatever the others say).
    pub fn applies(&self, statement: &Statement, action: &str, resource: &str, mfa: Mfa) -> bool {
        crate::evaluate::applies(statement, &request(action, resource, mfa)).is_some()
    }

    /// The linted files' statements with their places.
    pub fn linted_statements(&self) -> impl Iterator<Item = (usize, &'f Statement)> + '_ {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.linted)
            .flat_map(|(i, f)| f.policy.statements().iter().map(move |s| (i, s)))
    }
}

/// The full ARN of `resource` in the account (`*` stays `*`).
pub fn arn(resource: &str) -> String {
    if resource == "*" {
        resource.to_string()
    } else {
        format!("arn:aws:iam::{ACCOUNT}:{resource}")
    }
}

/// alice's request, with the context a server would build.
fn request(action: &str, resource: &str, mfa: Mfa) -> Request {
    let principal = Principal {
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{USER}"),
        account: ACCOUNT.to_string(),
        kind: PrincipalType::User,
        role_arn: None,
    };
    let mut context = Context::default();
    context.insert("aws:SecureTransport", "true");
    match mfa {
        Mfa::Absent => {}
        Mfa::False => context.insert("aws:MultiFactorAuthPresent", "false"),
        Mfa::True => {
            context.insert("aws:MultiFactorAuthPresent", "true");
            context.insert("aws:MultiFactorAuthAge", "60");
        }
    }
    principal.fill_context(&mut context);
    Request::new(principal, action, &arn(resource), context)
}
