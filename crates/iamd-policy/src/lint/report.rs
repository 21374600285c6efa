//! The findings as text lines, as JSON (`{"findings": [...]}`) and as SARIF 2.1.0 for
//! code-scanning tools.

use serde_json::{json, Value};

use super::{Finding, Severity};

/// Every rule: code, default severity, one-line description.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "malformed-policy",
        Severity::Error,
        "AWS would refuse the document (MalformedPolicyDocument)",
    ),
    (
        "unknown-service",
        Severity::Warning,
        "an action names a service prefix AWS does not have: the entry matches nothing",
    ),
    (
        "unknown-action",
        Severity::Warning,
        "an action the service does not have: the entry matches nothing",
    ),
    (
        "resource-mismatch",
        Severity::Warning,
        "no Resource ARN of the statement can be a resource of its actions: the statement never applies",
    ),
    (
        "condition-type-mismatch",
        Severity::Warning,
        "a condition operator of another type than its key's (Date on aws:MultiFactorAuthAge, ...)",
    ),
    (
        "allow-shadowed",
        Severity::Warning,
        "an Allow statement whose every action is explicitly denied by the set: it never grants anything",
    ),
    (
        "mfa-bool-deny-skipped",
        Severity::Security,
        "a deny meant for \"no MFA\" does not apply when the MFA key is absent: long-term access keys slip past it",
    ),
    (
        "mfa-password-change-lockout",
        Severity::Error,
        "a user whose password must be reset at first sign-in (no MFA yet) cannot change it",
    ),
    (
        "mfa-enrolment-lockout",
        Severity::Error,
        "a user without MFA cannot create or enable their own virtual MFA device, or list their devices",
    ),
    (
        "mfa-abandoned-device",
        Severity::Warning,
        "a user without MFA cannot delete their own unassigned virtual device: an abandoned wizard blocks the retry",
    ),
    (
        "mfa-device-bypass",
        Severity::Security,
        "a session without MFA can deactivate the user's device or act on other users' devices: a stolen password swaps the MFA device",
    ),
    (
        "mfa-ineffective-deny",
        Severity::Warning,
        "the set denies a call AWS does not authorize with policies (sts:GetSessionToken): the deny has no effect",
    ),
    (
        "mfa-extra-device",
        Severity::Suggestion,
        "a session without MFA may create and enable an additional device for the user",
    ),
    (
        "mfa-cli-needs-session-token",
        Severity::Suggestion,
        "CLI users are denied without MFA and must call sts:GetSessionToken first",
    ),
    (
        "mfa-not-enforced",
        Severity::Warning,
        "the set looks like an MFA policy but requires MFA for nothing beyond self-service",
    ),
];

/// `FILE:LINE: SEVERITY CODE (statement S): message` and an indented `fix:` line per
/// finding, then a count.
pub fn to_text(findings: &[Finding]) -> String {
    let mut text = String::new();
    for f in findings {
        let line = f.line.map(|l| format!(":{l}")).unwrap_or_default();
        let statement = f
            .statement
            .as_ref()
            .map(|s| format!(" (statement {s})"))
            .unwrap_or_default();
        text.push_str(&format!(
            "{}{line}: {} {}{statement}: {}\n  fix: {}\n",
            f.file,
            f.severity.as_str(),
            f.code,
            f.message,
            f.fix
        ));
    }
    text.push_str(&summary(findings));
    text
}

fn summary(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no findings\n".to_string();
    }
    let counts: Vec<String> = [
        Severity::Error,
        Severity::Security,
        Severity::Warning,
        Severity::Suggestion,
    ]
    .iter()
    .filter_map(|s| {
        let n = findings.iter().filter(|f| f.severity == *s).count();
        (n > 0).then(|| format!("{n} {}", s.as_str()))
    })
    .collect();
    let noun = if findings.len() == 1 {
        "finding"
    } else {
        "findings"
    };
    format!("{} {noun}: {}\n", findings.len(), counts.join(", "))
}

/// `{"findings": [{"file", "code", "severity", "statement", "line", "message", "fix"}]}`.
pub fn to_json(findings: &[Finding]) -> Value {
    json!({ "findings": findings })
}

/// [`to_json`] pretty-printed with each finding's members in that order.
pub fn to_json_text(findings: &[Finding]) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        findings: &'a [Finding],
    }
    let text = serde_json::to_string_pretty(&Report { findings }).unwrap_or_default();
    format!("{text}\n")
}

/// A SARIF 2.1.0 log with one run: every rule, and a result per finding.
pub fn to_sarif(findings: &[Finding]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(code, severity, text)| {
            let mut rule = json!({
                "id": code,
                "name": code,
                "shortDescription": { "text": text },
                "defaultConfiguration": { "level": level(*severity) },
                "properties": { "tags": tags(code, *severity) },
            });
            if *severity == Severity::Security {
                rule["properties"]["security-severity"] = json!("7.5");
            }
            rule
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut region = json!({});
            if let Some(line) = f.line {
                region = json!({ "startLine": line });
            }
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": f.file },
                }
            });
            if f.line.is_some() {
                location["physicalLocation"]["region"] = region;
            }
            if let Some(statement) = &f.statement {
                location["logicalLocations"] = json!([{ "name": statement, "kind": "member" }]);
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": RULES.iter().position(|(c, _, _)| *c == f.code),
                "level": level(f.severity),
                "message": { "text": format!("{} Fix: {}", sentence(&f.message), f.fix) },
                "locations": [location],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "iamd policy lint",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// SARIF's levels: `error`, `warning`, `note`.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error | Severity::Security => "error",
        Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

fn tags(code: &str, severity: Severity) -> Vec<&'static str> {
    let mut tags = vec!["iam"];
    if code.starts_with("mfa-") {
        tags.push("mfa");
    }
    if severity == Severity::Security {
        tags.insert(0, "security");
    }
    tags
}

/// The message as a sentence: capitalised (unless it starts with a name such as
/// `iam:DeactivateMFADevice`), with a full stop.
fn sentence(message: &str) -> String {
    let first_word = message.split(' ').next().unwrap_or("");
    if first_word.contains(':') || first_word.starts_with('`') {
        return format!("{message}.");
    }
    let mut chars = message.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}
