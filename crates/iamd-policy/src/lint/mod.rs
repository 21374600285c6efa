//! `iamd policy lint`: judges a policy set by what it does. The MFA rollout findings come
//! from evaluating the set with the real engine over the requests of the onboarding journey
//! (see [`journey`]) for a user signed with long-term keys, signed in without MFA, and with
//! MFA, so any phrasing (Deny + NotAction, Allow lists with `Bool`, `Null` on the MFA key,
//! `NotResource` with `${aws:username}`, generated documents) is judged the same way.

mod catalog;
mod finding;
pub mod journey;
mod mfa;
mod probe;
mod reference;
mod report;
mod shadow;

pub use finding::{Finding, Severity};
pub use probe::{Mfa, ACCOUNT, OTHER, USER};
pub use report::{to_json, to_json_text, to_sarif, to_text, RULES};

use crate::policy::{Policy, PolicyKind};
use crate::positions::statement_spans;
use probe::Subject;

/// One policy of the set, parsed.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The path (or AWS managed policy name) people know it by.
    pub name: String,
    pub text: String,
    pub policy: Policy,
    /// `true` for the files being linted, `false` for the `--with` policies that complete
    /// the set (findings point into linted files where they can).
    pub linted: bool,
}

impl PolicyFile {
    /// The line of statement `index` (from 1), when the text shows it.
    pub fn line_of(&self, index: usize) -> Option<usize> {
        statement_spans(&self.text).get(index).map(|s| s.start.line)
    }
}

/// Why a document could not be judged at all (the command exits 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable(pub String);

/// What reading one document gave: a policy, or a finding saying why AWS would refuse it.
pub enum Loaded {
    Policy(PolicyFile),
    Malformed(Finding),
}

/// Parses `text` (named `name`). Text that is not JSON at all (or is Terraform) is
/// [`Unusable`]; JSON that AWS would refuse is a `malformed-policy` finding.
pub fn load(name: &str, text: &str, linted: bool) -> Result<Loaded, Unusable> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        if looks_like_terraform(text) {
            return Err(Unusable(format!(
                "{name} is Terraform (HCL), not a JSON policy document: lint the rendered \
                 JSON instead (e.g. `terraform console` with `data.aws_iam_policy_document.NAME.json`, \
                 or the `policy` value of `terraform show -json`)"
            )));
        }
        return Err(Unusable(format!(
            "{name} is not JSON ({e}): an IAM policy document is a JSON object with `Version` \
             and `Statement`"
        )));
    }
    match Policy::parse(text, PolicyKind::Identity) {
        Ok(policy) => Ok(Loaded::Policy(PolicyFile {
            name: name.to_string(),
            text: text.to_string(),
            policy,
            linted,
        })),
        Err(error) => Ok(Loaded::Malformed(Finding {
            file: name.to_string(),
            code: "malformed-policy",
            severity: Severity::Error,
            statement: None,
            line: None,
            message: format!("AWS would refuse this document: {error}"),
            fix: "Correct the document where the message says; `iamd policy validate` gives the \
                  same message AWS does."
                .to_string(),
        })),
    }
}

fn looks_like_terraform(text: &str) -> bool {
    let t = text.trim_start();
    [
        "resource \"",
        "data \"",
        "provider \"",
        "variable \"",
        "locals {",
        "module \"",
    ]
    .iter()
    .any(|start| t.starts_with(start) || text.contains(&format!("\n{start}")))
}

/// The findings of a set: `files` holds the linted documents and the `--with` policies.
/// Sorted most serious first, then by file and line.
pub fn lint(files: &[PolicyFile]) -> Vec<Finding> {
    let Some(subject) = Subject::new(files) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    reference::check(files, &mut findings);
    mfa::check(&subject, &mut findings);
    shadow::check(&subject, &mut findings);
    findings.sort_by(|a, b| {
        (a.severity, &a.file, a.line.unwrap_or(0), a.code).cmp(&(
            b.severity,
            &b.file,
            b.line.unwrap_or(0),
            b.code,
        ))
    });
    findings
}

/// Whether a user with exactly these policies must use MFA for anything beyond MFA
/// self-service, decided by evaluation as [`lint`] does: `Some("POLICY statement S")` naming
/// the statement that makes the difference, `None` when MFA changes nothing.
pub fn mfa_requirement(files: &[PolicyFile]) -> Option<String> {
    mfa::requirement(&Subject::new(files)?)
}

#[cfg(test)]
mod tests;
