//! `iamd policy validate` and `iamd policy simulate`, run as processes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const ACCOUNT: &str = "111122223333";

/// The repository's `fixtures/policies` folder.
fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/policies")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn iamd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(args)
        .output()
        .expect("iamd runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in a fresh temporary folder of this test process.
fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("iamd-policy-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// One row of `EXPECTED.md` for one MFA state.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    files: Vec<String>,
    action: String,
    resource: String,
    mfa: Option<&'static str>,
    /// `Allow`, `Deny` or `Implicit`.
    expected: String,
}

/// All rows of `fixtures/policies/EXPECTED.md` × the three MFA states.
fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures().join("EXPECTED.md")).unwrap();
    let mut files: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## Set ") {
            files = heading
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() != 8 || cells[1] == "#" || cells[1].starts_with("---") {
            continue;
        }
        let resource = cells[3].trim_matches('`');
        let resource = match resource.strip_prefix("...") {
            Some(rest) => format!("arn:aws:iam::{ACCOUNT}:{rest}"),
            None => resource.to_string(),
        };
        for (mfa, expected) in [
            (None, cells[4]),
            (Some("false"), cells[5]),
            (Some("true"), cells[6]),
        ] {
            rows.push(Row {
                id: cells[1].to_string(),
                files: files.clone(),
                action: cells[2].to_string(),
                resource: resource.clone(),
                mfa,
                expected: expected.to_string(),
            });
        }
    }
    rows
}

/// Runs `simulate --json` for a row; returns a mismatch description, if any.
fn check_row(row: &Row) -> Option<String> {
    let files: Vec<String> = row.files.iter().map(|f| fixture(f)).collect();
    let mut args = vec!["policy", "simulate", "--json", "--principal", ALICE];
    for f in &files {
        args.extend(["--policy", f.as_str()]);
    }
    args.extend(["--action", &row.action, "--resource", &row.resource]);
    let mfa = row.mfa.map(|m| format!("aws:MultiFactorAuthPresent={m}"));
    if let Some(m) = &mfa {
        args.extend(["--context", m.as_str()]);
    }
    let output = iamd(&args);
    let json: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(json) => json,
        Err(e) => return Some(format!("{row:?}: bad JSON ({e}): {}", stderr(&output))),
    };
    let (decision, code) = match row.expected.as_str() {
        "Allow" => ("Allow", 0),
        "Deny" => ("ExplicitDeny", 1),
        _ => ("ImplicitDeny", 1),
    };
    let got = json["decision"].as_str().unwrap_or("?");
    let got_code = output.status.code();
    (got != decision || got_code != Some(code)).then(|| {
        format!(
            "{} {} {} mfa={:?}: expected {decision} (exit {code}), got {got} (exit {got_code:?}): {}",
            row.id, row.action, row.resource, row.mfa, json["summary"]
        )
    })
}

#[test]
fn simulate_reproduces_every_row_of_expected_md() {
    let rows = rows();
    assert!(
        rows.len() >= 3 * 60,
        "the table was read ({} rows)",
        rows.len()
    );
    let threads = 4;
    let chunk = rows.len().div_ceil(threads);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().filter_map(check_row).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_seed_denial_explains_itself_in_text() {
    let policy = fixture("seed000-force-mfa-blog-ko.json");
    let output = iamd(&[
        "policy",
        "simulate",
        "--policy",
        &policy,
        "--action",
        "iam:ListUsers",
        "--resource",
        "*",
        "--principal",
        ALICE,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("Explicit deny: "), "{text}");
    assert!(text.contains("DenyAllExceptListedIfNoMFA"), "{text}");
    assert!(text.contains("aws sts get-session-token"), "{text}");
}

#[test]
fn allow_exits_zero_and_names_the_statement() {
    let output = iamd(&[
        "policy",
        "simulate",
        "--policy",
        &fixture("seed000-force-mfa-blog-ko.json"),
        "--action",
        "iam:ChangePassword",
        "--resource",
        &format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        "--principal",
        ALICE,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("Allow: "), "{text}");
    assert!(text.contains("AllowChangePassword"), "{text}");
}

#[test]
fn the_default_principal_is_documented_and_gives_aws_username() {
    let help = stdout(&iamd(&["policy", "simulate", "--help"]));
    assert!(
        help.contains("arn:aws:iam::123456789012:user/user"),
        "{help}"
    );
    let output = iamd(&[
        "policy",
        "simulate",
        "--policy",
        &fixture("iam-user-change-password.json"),
        "--action",
        "iam:ChangePassword",
        "--resource",
        "arn:aws:iam::123456789012:user/user",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn explicit_context_wins_over_the_principal() {
    let output = iamd(&[
        "policy",
        "simulate",
        "--policy",
        &fixture("iam-user-change-password.json"),
        "--action",
        "iam:ChangePassword",
        "--resource",
        &format!("arn:aws:iam::{ACCOUNT}:user/bob"),
        "--principal",
        ALICE,
        "--context",
        "aws:username=bob",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn repeated_context_keys_are_multi_valued() {
    let policy = temp_file(
        "tags.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:TagUser","Resource":"*",
            "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","project"]}}}}"#,
    );
    let run = |tags: &[&str]| {
        let mut args = vec![
            "policy",
            "simulate",
            "--json",
            "--policy",
            &policy,
            "--action",
            "iam:TagUser",
            "--resource",
            "*",
        ];
        for t in tags {
            args.extend(["--context", t]);
        }
        let output = iamd(&args);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), json)
    };
    let (code, json) = run(&["aws:TagKeys=team", "aws:TagKeys=project"]);
    assert_eq!(code, Some(0));
    assert_eq!(json["decision"], "Allow");
    let actual = &json["deciding"]["outcome"]["conditions"][0]["actual"];
    assert_eq!(actual, &serde_json::json!(["team", "project"]));
    let (code, json) = run(&["aws:TagKeys=team", "aws:TagKeys=cost"]);
    assert_eq!(code, Some(1));
    assert_eq!(json["decision"], "ImplicitDeny");
}

#[test]
fn the_clock_fills_current_time() {
    let policy = temp_file(
        "time.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
                         "NumericGreaterThan":{"aws:EpochTime":"1577836800"}}}}"#,
    );
    let args = [
        "policy",
        "simulate",
        "--policy",
        &policy,
        "--action",
        "s3:ListBucket",
        "--resource",
        "*",
    ];
    assert_eq!(iamd(&args).status.code(), Some(0));
    let mut past = args.to_vec();
    past.extend(["--context", "aws:CurrentTime=2019-06-01T00:00:00Z"]);
    assert_eq!(iamd(&past).status.code(), Some(1));
}

#[test]
fn validate_reports_ok_and_aws_messages() {
    let good = fixture("seed001-aws-docs-manage-own-mfa.json");
    let bad = temp_file(
        "novendor.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ListUsers","Resource":"*"}}"#,
    );
    let output = iamd(&["policy", "validate", &good]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("{good}: ok\n"));

    let output = iamd(&["policy", "validate", &good, &bad]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(&format!("{good}: ok")), "{text}");
    assert!(
        text.contains(&format!(
            "{bad}: MalformedPolicyDocument: Actions/Conditions must be prefaced by a vendor, \
             e.g., iam, sdb, ec2, etc. (at Statement[0] > Action: "
        )),
        "{text}"
    );
}

#[test]
fn validate_kinds() {
    let trust = temp_file(
        "trust.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",
            "Principal":{"Service":"ec2.amazonaws.com"}}}"#,
    );
    let output = iamd(&["policy", "validate", &trust]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("MalformedPolicyDocument"));
    let with_principal = temp_file(
        "principal.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
            "Principal":{"AWS":"*"}}}"#,
    );
    let output = iamd(&["policy", "validate", &with_principal]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("Policy document should not specify a principal."));
    for flag in [&["--resource-policy"][..], &["--kind", "resource"][..]] {
        let mut args = vec!["policy", "validate"];
        args.extend(flag);
        args.push(&trust);
        let output = iamd(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{flag:?}: {}",
            stdout(&output)
        );
    }
    let output = iamd(&[
        "policy",
        "validate",
        "--kind",
        "resource",
        &fixture("administrator-access.json"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("Missing required field Principal"));
}

#[test]
fn unreadable_files_exit_two() {
    let missing = "/nonexistent/iamd/policy.json";
    let output = iamd(&[
        "policy",
        "validate",
        &fixture("administrator-access.json"),
        missing,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(missing), "{}", stderr(&output));
    let output = iamd(&[
        "policy",
        "simulate",
        "--policy",
        missing,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(missing));
}

#[test]
fn invalid_policies_in_simulate_exit_two_with_the_validation_error() {
    let bad = temp_file("json.json", "{not json");
    let output = iamd(&[
        "policy",
        "simulate",
        "--policy",
        &bad,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        // AWS answers an identity policy that is not JSON "Syntax errors in policy."
        // (iamd-policy's tests/grammar.rs has the source).
        stderr(&output).contains("MalformedPolicyDocument: Syntax errors in policy."),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_errors_exit_two() {
    let policy = fixture("administrator-access.json");
    let cases: [&[&str]; 6] = [
        &[],
        &["policy"],
        &["policy", "validate"],
        &["policy", "simulate", "--policy", &policy, "--resource", "*"],
        &[
            "policy",
            "simulate",
            "--policy",
            &policy,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
            "--context",
            "novalue",
        ],
        &[
            "policy",
            "simulate",
            "--policy",
            &policy,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
            "--principal",
            "alice",
        ],
    ];
    for args in cases {
        let output = iamd(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
}
