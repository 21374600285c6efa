//! Findings against AWS's Service Authorization Reference ([`super::catalog`]): unknown service
//! prefixes and actions, and `Resource` ARNs that cannot match any resource type of the
//! statement's actions (the statement then never applies to them).

use crate::condition::Family;
use crate::policy::Statement;

use super::catalog::{self, arn_overlap, variables_to_wildcards, Service};
use super::{Finding, PolicyFile, Severity};

/// Adds the reference findings of the linted files to `out`.
pub fn check(files: &[PolicyFile], out: &mut Vec<Finding>) {
    for file in files.iter().filter(|f| f.linted) {
        for statement in file.policy.statements() {
            let finding = |code: &'static str, message: String, fix: String| Finding {
                file: file.name.clone(),
                code,
                severity: Severity::Warning,
                statement: Some(statement.label()),
                line: file.line_of(statement.index),
                message,
                fix,
            };
            for text in &statement.actions.texts {
                if let Some((code, message, fix)) = unknown(text) {
                    out.push(finding(code, message, fix));
                }
            }
            if let Some((message, fix)) = resource_mismatch(statement) {
                out.push(finding("resource-mismatch", message, fix));
            }
            for (message, fix) in condition_types(statement) {
                out.push(finding("condition-type-mismatch", message, fix));
            }
        }
    }
}

/// `unknown-service` or `unknown-action` for one `Action` / `NotAction` entry.
fn unknown(text: &str) -> Option<(&'static str, String, String)> {
    let (prefix, name) = text.split_once(':')?;
    if prefix.contains(['*', '?']) || prefix.eq_ignore_ascii_case(catalog::IAMD_SERVICE) {
        return None;
    }
    let Some(service) = catalog::services().get(&prefix.to_ascii_lowercase()) else {
        return Some((
            "unknown-service",
            format!(
                "`{text}`: no AWS service has the prefix `{prefix}`, so this entry matches nothing"
            ),
            "Check the service prefix in AWS's Service Authorization Reference (e.g. `iam`, \
             `sts`, `s3`, `ec2`)."
                .to_string(),
        ));
    };
    let lower = name.to_ascii_lowercase();
    if service.matching(&lower).next().is_some() {
        return None;
    }
    let hint = match service.closest(name) {
        Some(close) => format!("Did you mean `{prefix}:{close}`?"),
        None => format!(
            "Check the action names of `{prefix}` in AWS's Service Authorization Reference."
        ),
    };
    Some((
        "unknown-action",
        format!(
            "`{text}`: the service `{prefix}` has no such action, so this entry matches nothing"
        ),
        hint,
    ))
}

/// A statement naming actions (not `NotAction`) on ARNs (not `NotResource`, not `*`) none of
/// which can be a resource of those actions.
fn resource_mismatch(statement: &Statement) -> Option<(String, String)> {
    let resources = statement.resources.as_ref()?;
    if statement.actions.negated || resources.negated {
        return None;
    }
    let patterns: Vec<String> = resources
        .texts
        .iter()
        .map(|r| variables_to_wildcards(r))
        .collect();
    if patterns.iter().any(|p| !p.starts_with("arn:") || p == "*") {
        return None;
    }
    let mut formats: Vec<(String, String)> = Vec::new();
    let mut named = Vec::new();
    for text in &statement.actions.texts {
        let (prefix, name) = text.split_once(':')?;
        if prefix.contains(['*', '?']) {
            return None;
        }
        let service: &Service = catalog::services().get(&prefix.to_ascii_lowercase())?;
        let lower = name.to_ascii_lowercase();
        for action in service.matching(&lower) {
            if action.types.is_empty() {
                // An action without resource types (or one the reference lists without): no
                // claim about its resources.
                return None;
            }
            for &t in &action.types {
                if let Some(format) = service.types.get(t) {
                    formats.push(format.clone());
                }
            }
            named.push(format!("{prefix}:{}", action.name));
        }
    }
    if formats.is_empty() {
        return None;
    }
    let fits = patterns
        .iter()
        .any(|p| formats.iter().any(|(_, f)| arn_overlap(p, f)));
    if fits {
        return None;
    }
    formats.sort();
    formats.dedup();
    let types: Vec<String> = formats
        .iter()
        .take(4)
        .map(|(name, format)| format!("{name} ({format})"))
        .collect();
    let shown: Vec<&str> = named.iter().take(3).map(String::as_str).collect();
    Some((
        format!(
            "no Resource of this statement can be a resource of its actions ({}{}): they take {}; \
             the statement never applies",
            shown.join(", "),
            if named.len() > 3 { ", ..." } else { "" },
            types.join(", ")
        ),
        "Use ARNs of the resource types the actions take (or `*` for actions without resource \
         types), or split the statement by resource type."
            .to_string(),
    ))
}

/// The types of AWS's global condition keys whose type is not a string.
const KEY_TYPES: &[(&str, Family)] = &[
    ("aws:multifactorauthpresent", Family::Bool),
    ("aws:securetransport", Family::Bool),
    ("aws:viaawsservice", Family::Bool),
    ("aws:principalisawsservice", Family::Bool),
    ("aws:multifactorauthage", Family::Numeric),
    ("aws:currenttime", Family::Date),
    ("aws:tokenissuetime", Family::Date),
    ("aws:sourceip", Family::Ip),
    ("aws:vpcsourceip", Family::Ip),
    ("aws:principalarn", Family::Arn),
    ("aws:sourcearn", Family::Arn),
];

/// Conditions whose operator compares another type than the key has (a `Date` operator on
/// `aws:MultiFactorAuthAge`, `Bool` on `aws:CurrentTime`, ...): AWS compares nothing
/// meaningful, so the condition never holds (negated operators: always). String operators
/// and `Null` fit every key; ARN keys take string operators too.
fn condition_types(statement: &Statement) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for condition in &statement.conditions {
        let family = condition.operator.comparison.family();
        let key = condition.key.to_ascii_lowercase();
        let Some((_, expected)) = KEY_TYPES.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        let fits = family == *expected
            || matches!(family, Family::String | Family::Null)
            || (*expected == Family::Date && family == Family::Numeric && key == "aws:epochtime");
        if fits {
            continue;
        }
        found.push((
            format!(
                "`{}` compares {} values but {} is {}: the condition never holds as meant",
                condition.operator.to_text(),
                family_name(family),
                condition.key,
                family_name(*expected)
            ),
            format!(
                "Use a {} operator for {}.",
                family_name(*expected),
                condition.key
            ),
        ));
    }
    found
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::String => "string",
        Family::Numeric => "numeric",
        Family::Date => "date",
        Family::Bool => "boolean (Bool)",
        Family::Binary => "binary",
        Family::Ip => "IP address",
        Family::Arn => "ARN",
        Family::Null => "Null",
    }
}
