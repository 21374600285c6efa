//! `iamd policy lint` and `iamd policy journey`, run as processes from the repository root
//! (so file names in the outputs are the relative paths given). Full outputs are compared
//! with `fixtures/lint/expected/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

const SEED000: &str = "fixtures/policies/seed000-force-mfa-blog-ko.json";
const SEED001: &str = "fixtures/policies/seed001-aws-docs-manage-own-mfa.json";
const SEED002: &str = "fixtures/policies/seed002-force-mfa-blog-ja.json";
const NAIVE: &str = "fixtures/policies/naive-bool-deny.json";
const ADMIN_FILE: &str = "fixtures/policies/administrator-access.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn iamd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("iamd runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/lint/expected").join(name)).unwrap()
}

/// Runs, checks the exit code and compares stdout with the expected file in full.
fn check(args: &[&str], code: i32, file: &str) {
    let o = iamd(args);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
    assert_eq!(stdout(&o), expected(file), "{args:?}");
}

#[test]
fn lint_text_of_the_aws_documentation_policy() {
    // The lockout seed 000 describes is an error: exit 1 under the default --fail-on error.
    check(&["policy", "lint", SEED001], 1, "lint-seed001.txt");
}

#[test]
fn lint_json_of_seed_002_with_administrator_access_by_name() {
    // A security finding but no error: exit 0 by default, 1 with --fail-on security.
    let args = [
        "policy",
        "lint",
        SEED002,
        "--with",
        "AdministratorAccess",
        "--format",
        "json",
    ];
    check(&args, 0, "lint-seed002-admin.json");
    let value: serde_json::Value =
        serde_json::from_str(&expected("lint-seed002-admin.json")).unwrap();
    let codes: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"mfa-device-bypass"), "{codes:?}");
    let o = iamd(&[
        "policy",
        "lint",
        SEED002,
        "--with",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "--fail-on",
        "security",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn lint_sarif_of_the_naive_bool_deny() {
    check(
        &[
            "policy", "lint", NAIVE, "--with", ADMIN_FILE, "--format", "sarif",
        ],
        0,
        "lint-naive-admin.sarif",
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&expected("lint-naive-admin.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "mfa-bool-deny-skipped"
    );
}

#[test]
fn lint_exit_codes() {
    // Clean of anything at or above warning: seed 000 has one suggestion.
    let o = iamd(&["policy", "lint", SEED000, "--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = iamd(&["policy", "lint", SEED000, "--fail-on", "suggestion"]);
    assert_eq!(o.status.code(), Some(1));
    // Not about MFA: no findings.
    let o = iamd(&["policy", "lint", ADMIN_FILE]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "no findings\n")
    );
    // A document AWS refuses is an error finding (exit 1).
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("no-resource.json");
    std::fs::write(
        &bad,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*"}]}"#,
    )
    .unwrap();
    let o = iamd(&["policy", "lint", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(
            "error malformed-policy: AWS would refuse this document: MalformedPolicyDocument"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn lint_bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"Version\": ").unwrap();
    let cases: [(Vec<&str>, &str); 5] = [
        (
            vec!["fixtures/lint/terraform.tf"],
            "is Terraform (HCL), not a JSON policy document",
        ),
        (vec![broken.to_str().unwrap()], "is not JSON"),
        (
            vec!["no-such-file.json"],
            "cannot read no-such-file.json: no such file",
        ),
        (
            vec![SEED000, "--with", "NoSuchManagedPolicy"],
            "not an AWS managed policy iamd ships",
        ),
        (
            vec![SEED000, "--fail-on", "fatal"],
            "is not one of error, security, warning, suggestion",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["policy", "lint"];
        all.extend(args);
        let o = iamd(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert!(stderr(&o).contains(message), "{all:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{all:?}");
    }
}

#[test]
fn journey_seed_000_passes() {
    // J1's setup: seed 000 and IAMReadOnlyAccess, password to reset at first sign-in.
    check(
        &[
            "policy",
            "journey",
            "--policy",
            SEED000,
            "IAMReadOnlyAccess",
            "--password-reset-required",
        ],
        0,
        "journey-seed000-reset.txt",
    );
}

#[test]
fn journey_seed_001_is_stuck_at_the_password_change_and_the_retry() {
    check(
        &[
            "policy",
            "journey",
            "--policy",
            SEED001,
            "--password-reset-required",
        ],
        1,
        "journey-seed001-reset.txt",
    );
    let text = expected("journey-seed001-reset.txt");
    assert!(
        text.contains("Stuck at step 1: set a new password."),
        "{text}"
    );
    assert!(
        text.contains("  step 4: iam:DeleteVirtualMFADevice on mfa/alice is explicitly denied"),
        "{text}"
    );
}

#[test]
fn journey_seed_002_with_administrator_access_passes_with_the_device_swap_hole() {
    check(
        &[
            "policy",
            "journey",
            "--policy",
            SEED002,
            "AdministratorAccess",
            "--cli",
        ],
        0,
        "journey-seed002-admin-cli.txt",
    );
    let text = expected("journey-seed002-admin-cli.txt");
    assert!(text.contains("The journey passes."), "{text}");
    assert!(
        text.contains("HOLE: a password alone can call iam:DeactivateMFADevice on user/alice"),
        "{text}"
    );
}
