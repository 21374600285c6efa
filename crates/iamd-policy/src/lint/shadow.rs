//! `allow-shadowed`: an Allow statement whose every action, on the resources it names, is
//! explicitly denied by the set in every MFA state: it can never grant anything. Decided by
//! evaluation: the statement's own requests (its actions on its resources, with wildcards and
//! policy variables filled in as alice's) are decided with the whole set.

use crate::policy::Effect;

use super::probe::{Mfa, Subject, ACCOUNT, USER};
use super::{Finding, Severity};

/// Adds the shadowed allows of the linted files to `out`.
pub fn check(subject: &Subject<'_>, out: &mut Vec<Finding>) {
    for (index, statement) in subject.linted_statements() {
        if statement.effect != Effect::Allow || statement.actions.negated {
            continue;
        }
        let Some(resources) = statement.resources.as_ref().filter(|r| !r.negated) else {
            continue;
        };
        let actions = &statement.actions.texts;
        if actions.iter().any(|a| a.contains(['*', '?'])) {
            continue;
        }
        let requests: Vec<(&str, String)> = actions
            .iter()
            .flat_map(|a| {
                resources
                    .texts
                    .iter()
                    .map(move |r| (a.as_str(), concrete(r)))
            })
            .collect();
        let denied_by = requests.iter().try_fold(None, |by, (action, resource)| {
            let mut deny = by;
            for mfa in [Mfa::Absent, Mfa::False, Mfa::True] {
                let outcome = subject.decide_arn(action, resource, mfa);
                if !outcome.explicit_deny() {
                    return None;
                }
                deny = deny.or(outcome.by.map(|b| b.label));
            }
            Some(deny)
        });
        let Some(deny) = denied_by else { continue };
        let Some(file) = subject.files.get(index) else {
            continue;
        };
        out.push(Finding {
            file: file.name.clone(),
            code: "allow-shadowed",
            severity: Severity::Warning,
            statement: Some(statement.label()),
            line: file.line_of(statement.index),
            message: format!(
                "this Allow never grants anything: every one of its actions on its resources is \
                 explicitly denied{}, with or without MFA",
                deny.map(|d| format!(" (by statement {d})"))
                    .unwrap_or_default()
            ),
            fix: "Remove the statement, or narrow the deny that covers it (an explicit deny \
                  always wins)."
                .to_string(),
        });
    }
}

/// A resource pattern made into one ARN alice could ask for: policy variables and wildcards
/// filled in (`*` stays `*`).
fn concrete(pattern: &str) -> String {
    if pattern == "*" {
        return pattern.to_string();
    }
    let filled = super::catalog::variables_to_wildcards(pattern);
    let mut parts: Vec<String> = filled.splitn(6, ':').map(String::from).collect();
    if let Some(account) = parts.get_mut(4).filter(|a| a.contains(['*', '?'])) {
        *account = ACCOUNT.to_string();
    }
    parts.join(":").replace(['*', '?'], USER)
}
