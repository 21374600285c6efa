#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::journey::{walk, Route, Verdict};
use super::*;

/// Fixture texts by name: the seed policies and the variants of fixtures/lint.
fn fixture(name: &str) -> &'static str {
    macro_rules! files {
        ($($dir:literal / $file:literal),* $(,)?) => {
            match name {
                $($file => include_str!(concat!("../../../../fixtures/", $dir, "/", $file)),)*
                _ => panic!("no fixture {name}"),
            }
        };
    }
    files!(
        "policies" / "seed000-force-mfa-blog-ko.json",
        "policies" / "seed001-aws-docs-manage-own-mfa.json",
        "policies" / "seed002-force-mfa-blog-ja.json",
        "policies" / "administrator-access.json",
        "policies" / "iam-user-change-password.json",
        "policies" / "naive-bool-deny.json",
        "lint" / "terraform-rendered-bool-deny.json",
        "lint" / "deny-all-bool-json-false.json",
        "lint" / "null-and-bool-deny.json",
        "lint" / "deny-null-mfa-age.json",
        "lint" / "deny-everything-without-mfa.json",
        "lint" / "deny-forgets-enable.json",
        "lint" / "allow-list-bool.json",
        "lint" / "wildcard-mfa-any-user.json",
        "lint" / "inverted-deny.json",
        "lint" / "self-service-only.json",
        "lint" / "allow-boolifexists-true.json",
        "lint" / "terraform.tf",
        "lint" / "typos-and-mismatches.json",
        "lint" / "shadowed-allow.json",
    )
}

fn file(name: &str, linted: bool) -> PolicyFile {
    match load(name, fixture(name), linted) {
        Ok(Loaded::Policy(p)) => p,
        Ok(Loaded::Malformed(f)) => panic!("{name}: {}", f.message),
        Err(e) => panic!("{name}: {}", e.0),
    }
}

fn set(linted: &[&str], with: &[&str]) -> Vec<PolicyFile> {
    let mut files: Vec<_> = linted.iter().map(|n| file(n, true)).collect();
    files.extend(with.iter().map(|n| file(n, false)));
    files
}

/// The codes found, in order, with severities.
fn codes(linted: &[&str], with: &[&str]) -> Vec<&'static str> {
    lint(&set(linted, with))
        .into_iter()
        .map(|f| f.code)
        .collect()
}

const ADMIN: &str = "administrator-access.json";

const SEED000: &str = "seed000-force-mfa-blog-ko.json";
const SEED001: &str = "seed001-aws-docs-manage-own-mfa.json";
const SEED002: &str = "seed002-force-mfa-blog-ja.json";

/// Every set with its exact findings: the seeds as their documents report them, and at
/// least two phrasings of each pitfall plus sets that must not trigger it.
#[test]
fn verdicts() {
    let cases: &[(&[&str], &[&str], &[&str])] = &[
        // Seed 000 fixes both lockouts; CLI users still need a session token.
        (&[SEED000], &[], &["mfa-cli-needs-session-token"]),
        // Seed 000 in J1's setup (with IAMReadOnlyAccess's reach, here AdministratorAccess):
        // its NotAction exempts iam:EnableMFADevice on any user, so with a broad allow a
        // password alone can enrol a device for another user.
        (
            &[SEED000],
            &[ADMIN],
            &[
                "mfa-device-bypass",
                "mfa-extra-device",
                "mfa-cli-needs-session-token",
            ],
        ),
        // The AWS documentation's policy: the lockout seed 000 describes (with the policy the
        // console attaches), the abandoned device (AWS: an administrator deletes it), any
        // device name, the CLI.
        (
            &[SEED001],
            &[],
            &[
                "mfa-password-change-lockout",
                "mfa-abandoned-device",
                "mfa-extra-device",
                "mfa-cli-needs-session-token",
            ],
        ),
        (
            &[SEED001, "iam-user-change-password.json"],
            &[],
            &[
                "mfa-password-change-lockout",
                "mfa-abandoned-device",
                "mfa-extra-device",
                "mfa-cli-needs-session-token",
            ],
        ),
        // Seed 002 alone: nothing to swap (no allow for DeactivateMFADevice).
        (
            &[SEED002],
            &[],
            &[
                "mfa-ineffective-deny",
                "mfa-password-change-lockout",
                "mfa-cli-needs-session-token",
            ],
        ),
        // Seed 002 as the blog uses it, with AdministratorAccess: the device-swap hole.
        (
            &[SEED002],
            &[ADMIN],
            &[
                "mfa-device-bypass",
                "mfa-ineffective-deny",
                "mfa-password-change-lockout",
                "mfa-cli-needs-session-token",
            ],
        ),
        (
            &["naive-bool-deny.json"],
            &[ADMIN],
            &[
                "mfa-bool-deny-skipped",
                "mfa-device-bypass",
                "mfa-password-change-lockout",
                "mfa-extra-device",
            ],
        ),
        (
            &["terraform-rendered-bool-deny.json"],
            &[],
            &["mfa-bool-deny-skipped"],
        ),
        (
            &["terraform-rendered-bool-deny.json"],
            &[ADMIN],
            &[
                "mfa-bool-deny-skipped",
                "mfa-device-bypass",
                "mfa-extra-device",
            ],
        ),
        (
            &["deny-all-bool-json-false.json"],
            &[ADMIN],
            &[
                "mfa-enrolment-lockout",
                "mfa-bool-deny-skipped",
                "mfa-device-bypass",
                "mfa-ineffective-deny",
                "mfa-password-change-lockout",
            ],
        ),
        (
            &["allow-boolifexists-true.json"],
            &[],
            &[
                "mfa-bool-deny-skipped",
                "mfa-device-bypass",
                "mfa-abandoned-device",
            ],
        ),
        (
            &["null-and-bool-deny.json"],
            &[],
            &["mfa-cli-needs-session-token"],
        ),
        (
            &["deny-null-mfa-age.json"],
            &[],
            &[
                "mfa-password-change-lockout",
                "mfa-abandoned-device",
                "mfa-cli-needs-session-token",
            ],
        ),
        (
            &["deny-everything-without-mfa.json"],
            &[ADMIN],
            &[
                "mfa-enrolment-lockout",
                "mfa-password-change-lockout",
                "mfa-abandoned-device",
                "mfa-ineffective-deny",
                "mfa-cli-needs-session-token",
            ],
        ),
        (
            &["deny-forgets-enable.json"],
            &[],
            &["mfa-enrolment-lockout", "mfa-cli-needs-session-token"],
        ),
        (
            &["allow-list-bool.json"],
            &[],
            &[
                "mfa-device-bypass",
                "mfa-cli-needs-session-token",
                "mfa-extra-device",
            ],
        ),
        (
            &["wildcard-mfa-any-user.json"],
            &[],
            &[
                "mfa-device-bypass",
                "mfa-extra-device",
                "mfa-cli-needs-session-token",
            ],
        ),
        (
            &["inverted-deny.json"],
            &[],
            &["mfa-abandoned-device", "mfa-not-enforced"],
        ),
        (
            &["self-service-only.json"],
            &[],
            &["mfa-abandoned-device", "mfa-not-enforced"],
        ),
        // Not about MFA: no MFA findings.
        (&[ADMIN], &[], &[]),
    ];
    for (linted, with, expected) in cases {
        let mut found = codes(linted, with);
        let mut expected = expected.to_vec();
        found.sort_unstable();
        expected.sort_unstable();
        assert_eq!(found, expected, "{linted:?} with {with:?}");
    }
}

#[test]
fn findings_point_at_the_statement_and_its_line() {
    let findings = lint(&set(&[SEED001], &[]));
    let lockout = findings
        .iter()
        .find(|f| f.code == "mfa-password-change-lockout")
        .unwrap();
    assert_eq!(lockout.severity, Severity::Error);
    assert_eq!(
        lockout.statement.as_deref(),
        Some("DenyAllExceptListedIfNoMFA")
    );
    assert_eq!(lockout.line, Some(31));
    assert_eq!(lockout.file, SEED001);
    // Most serious first.
    assert_eq!(findings.first().map(|f| f.severity), Some(Severity::Error));
    // A hole granted by a --with policy is reported on the linted deny that leaves it open.
    let bypass = lint(&set(&[SEED002], &[ADMIN]));
    let bypass = bypass
        .iter()
        .find(|f| f.code == "mfa-device-bypass")
        .unwrap();
    assert_eq!(
        (
            bypass.file.as_str(),
            bypass.statement.as_deref(),
            bypass.line
        ),
        (SEED002, Some("#3"), Some(31))
    );
}

#[test]
fn terraform_and_broken_json_are_unusable_and_malformed_documents_are_findings() {
    let Err(Unusable(why)) = load("main.tf", fixture("terraform.tf"), true) else {
        panic!("terraform accepted")
    };
    assert!(why.contains("Terraform (HCL)"), "{why}");
    let Err(Unusable(why)) = load("x.json", "{\"Version\": ", true) else {
        panic!("broken JSON accepted")
    };
    assert!(why.starts_with("x.json is not JSON"), "{why}");
    let Ok(Loaded::Malformed(finding)) = load(
        "x.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*"}]}"#,
        true,
    ) else {
        panic!("malformed accepted")
    };
    assert_eq!(finding.code, "malformed-policy");
    assert!(
        finding.message.contains("MalformedPolicyDocument"),
        "{}",
        finding.message
    );
}

#[test]
fn severities_order_for_fail_on() {
    assert!(Severity::Error.reaches(Severity::Warning));
    assert!(Severity::Security.reaches(Severity::Security));
    assert!(!Severity::Suggestion.reaches(Severity::Warning));
    assert_eq!(Severity::parse("security"), Some(Severity::Security));
    assert_eq!(Severity::parse("fatal"), None);
}

#[test]
fn sarif_has_every_rule_and_a_located_result_per_finding() {
    let findings = lint(&set(&[SEED001], &[]));
    let sarif = to_sarif(&findings);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        RULES.len()
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    assert_eq!(results[0]["ruleId"], "mfa-password-change-lockout");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        31
    );
    let json = to_json(&findings);
    assert_eq!(
        json["findings"][0]["statement"],
        "DenyAllExceptListedIfNoMFA"
    );
    assert_eq!(json["findings"][0]["severity"], "error");
}

fn stuck_steps(
    linted: &[&str],
    route: Route,
) -> (Vec<(&'static str, &'static str)>, Vec<&'static str>) {
    let files = set(linted, &[]);
    let walk = walk(&files, route).unwrap();
    let stuck = walk
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Stuck(_)))
        .map(|c| (c.step, c.action))
        .collect();
    let holes = walk.holes().map(|c| c.action).collect();
    (stuck, holes)
}

#[test]
fn journeys_reproduce_the_seed_documents() {
    let console = Route::Console {
        password_reset: true,
    };
    // Seed 000 passes, in the console and on the CLI.
    assert_eq!(stuck_steps(&[SEED000], console), (vec![], vec![]));
    assert_eq!(stuck_steps(&[SEED000], Route::Cli), (vec![], vec![]));
    // Seed 001: stuck at the password change, and at the retry after an abandoned device.
    assert_eq!(
        stuck_steps(&[SEED001], console).0,
        vec![
            ("1", "iam:ChangePassword"),
            ("4", "iam:DeleteVirtualMFADevice")
        ]
    );
    // Seed 002 with AdministratorAccess passes, with the device-swap hole.
    for route in [console, Route::Cli] {
        let (stuck, holes) = stuck_steps(&[SEED002, ADMIN], route);
        assert!(stuck.is_empty(), "{stuck:?}");
        assert!(holes.contains(&"iam:DeactivateMFADevice"), "{holes:?}");
    }
}

#[test]
fn mfa_requirement_by_evaluation() {
    let of = |names: &[&str]| mfa_requirement(&set(names, &[]));
    assert_eq!(
        of(&[SEED000, ADMIN]).as_deref(),
        Some("seed000-force-mfa-blog-ko.json statement DenyAllExceptListedIfNoMFA")
    );
    // The allow-list phrasing: the allow that needs MFA.
    assert_eq!(
        of(&["allow-list-bool.json"]).as_deref(),
        Some("allow-list-bool.json statement EverythingWithMfa")
    );
    // Seed 000 alone allows managing one's access keys only with MFA.
    assert!(of(&[SEED000]).is_some());
    // Nothing beyond self-service is allowed even with MFA, or MFA changes nothing.
    assert_eq!(of(&["self-service-only.json"]), None);
    assert_eq!(of(&[ADMIN]), None);
    assert_eq!(
        of(&["naive-bool-deny.json", ADMIN]).as_deref(),
        Some("naive-bool-deny.json statement DenyWithoutMFA")
    );
}

#[test]
fn actions_resources_and_condition_types_against_the_reference() {
    let findings = lint(&set(&["typos-and-mismatches.json"], &[]));
    let seen: Vec<(&str, &str, &str)> = findings
        .iter()
        .filter(|f| !f.code.starts_with("mfa-"))
        .map(|f| (f.code, f.statement.as_deref().unwrap(), f.fix.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("unknown-action", "Typos", "Did you mean `iam:CreateVirtualMFADevice`?"),
            ("unknown-service", "Typos", "Check the service prefix in AWS's Service Authorization Reference (e.g. `iam`, `sts`, `s3`, `ec2`)."),
            ("resource-mismatch", "ObjectsOnUsers", "Use ARNs of the resource types the actions take (or `*` for actions without resource types), or split the statement by resource type."),
            ("condition-type-mismatch", "RecentMfaAsDate", "Use a numeric operator for aws:MultiFactorAuthAge."),
        ]
    );
    let mismatch = findings
        .iter()
        .find(|f| f.code == "resource-mismatch")
        .unwrap();
    assert!(
        mismatch.message.contains("s3:GetObject"),
        "{}",
        mismatch.message
    );
    assert!(
        mismatch.message.contains("object (arn:*:s3:::*/*)"),
        "{}",
        mismatch.message
    );
    assert_eq!(mismatch.line, Some(10));
}

#[test]
fn wildcard_patterns_overlap() {
    use super::catalog::{arn_overlap, overlap, variables_to_wildcards};
    let o = |a: &str, b: &str| arn_overlap(a, b);
    assert!(o("arn:aws:iam::*:user/*", "arn:*:iam::*:user/*"));
    assert!(o("arn:aws:iam::1:mfa/alice", "arn:*:iam::*:mfa/*"));
    assert!(!o("arn:aws:iam::*:user/alice", "arn:*:s3:::*/*"));
    // Whole strings: a wildcard may span anything.
    assert!(overlap(b"arn:aws:iam::*:user/alice", b"arn:*:s3:::*/*"));
    assert!(overlap(b"a?c", b"*b*"));
    assert!(!overlap(b"a?c", b"abd"));
    assert_eq!(
        variables_to_wildcards("arn:${Partition}:iam::${Account}:mfa/${Name}"),
        "arn:*:iam::*:mfa/*"
    );
}

#[test]
fn allows_that_a_deny_always_beats_are_shadowed() {
    let findings = lint(&set(&["shadowed-allow.json"], &[]));
    let shadowed: Vec<(&str, Option<usize>, &str)> = findings
        .iter()
        .filter(|f| f.code == "allow-shadowed")
        .map(|f| (f.statement.as_deref().unwrap(), f.line, f.message.as_str()))
        .collect();
    assert_eq!(
        shadowed,
        [(
            "ManageOwnKeys",
            Some(4),
            "this Allow never grants anything: every one of its actions on its resources is explicitly denied (by statement NoKeysEver), with or without MFA"
        )]
    );
    // An allow denied only without MFA is not shadowed (seed 000's access keys).
    assert!(lint(&set(&[SEED000], &[]))
        .iter()
        .all(|f| f.code != "allow-shadowed"));
}
