//! The credential report with the real AWS CLI against `iamd serve`: `aws iam
//! generate-credential-report` then `aws iam get-credential-report` give the CSV with AWS's
//! exact columns; users without MFA show `mfa_active` false, unused keys `N/A` last use. The
//! same report read with the AWS SDK for Rust decodes as a blob with its generation time.
//!
//! The CLI is `$IAMD_TEST_AWS_CLI`, else `aws` on PATH (`scripts/test` installs it). Without it
//! the test fails: it is never skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine;
use support::cli::Cli;
use support::{Server, ROOT_KEY_ID, ROOT_SECRET};

const COLUMNS: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

#[test]
fn credential_report_with_the_aws_cli() {
    let server = Server::start();
    let cli = Cli::new(&server);
    for name in ["bob", "carol"] {
        cli.root(&["iam", "create-user", "--user-name", name]);
    }
    let key = cli.root(&["iam", "create-access-key", "--user-name", "bob"]);
    let key_id = key["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let secret = key["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    // bob's key is used once; carol's is never used.
    cli.run(key_id, secret, &["sts", "get-caller-identity"])
        .json();
    cli.root(&["iam", "create-access-key", "--user-name", "carol"]);
    cli.root(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "carol",
        "--password",
        "Carol-Passw0rd!",
    ]);

    // Before any report: ReportNotPresent.
    let none = cli.run(ROOT_KEY_ID, ROOT_SECRET, &["iam", "get-credential-report"]);
    assert!(!none.ok);
    assert!(
        none.stderr.contains("(ReportNotPresent)"),
        "{}",
        none.stderr
    );

    let started = cli.root(&["iam", "generate-credential-report"]);
    assert_eq!(started["State"], "STARTED", "{started}");
    let again = cli.root(&["iam", "generate-credential-report"]);
    assert_eq!(again["State"], "COMPLETE", "{again}");

    let got = cli.root(&["iam", "get-credential-report"]);
    assert_eq!(got["ReportFormat"], "text/csv");
    assert!(
        got["GeneratedTime"].as_str().unwrap().ends_with("Z"),
        "{got}"
    );
    let csv = base64::engine::general_purpose::STANDARD
        .decode(got["Content"].as_str().unwrap())
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(csv.lines().next().unwrap(), COLUMNS);
    let header = &rows[0];
    let cell = |row: &[&str], column: &str| -> String {
        let at = header.iter().position(|h| *h == column).unwrap();
        row[at].to_string()
    };
    let row = |user: &str| rows.iter().find(|r| r[0] == user).unwrap().clone();
    assert_eq!(rows.len(), 4, "{csv}");
    assert_eq!(rows[1][0], "<root_account>");
    assert_eq!(cell(&rows[1], "password_enabled"), "not_supported");

    let bob = row("bob");
    assert_eq!(cell(&bob, "mfa_active"), "false");
    assert_eq!(cell(&bob, "password_enabled"), "false");
    assert_eq!(cell(&bob, "access_key_1_active"), "true");
    assert!(cell(&bob, "access_key_1_last_used_date").ends_with("+00:00"));
    assert_eq!(cell(&bob, "access_key_1_last_used_service"), "sts");
    assert_eq!(cell(&bob, "access_key_2_active"), "false");
    assert_eq!(cell(&bob, "access_key_2_last_rotated"), "N/A");

    let carol = row("carol");
    assert_eq!(cell(&carol, "mfa_active"), "false");
    assert_eq!(cell(&carol, "password_enabled"), "true");
    assert_eq!(cell(&carol, "password_last_used"), "no_information");
    assert_eq!(cell(&carol, "access_key_1_active"), "true");
    assert_eq!(cell(&carol, "access_key_1_last_used_date"), "N/A");

    // The SDK reads the same report: a blob, decoded, and a timestamp.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt
        .block_on(server.iam().get_credential_report().send())
        .unwrap();
    let content = report.content().unwrap().as_ref().to_vec();
    assert_eq!(String::from_utf8(content).unwrap(), csv);
    assert!(report.generated_time().is_some());
    assert_eq!(report.report_format().map(|f| f.as_str()), Some("text/csv"));
}

/// Runs `iamd audit credentials --endpoint-url ...` signed with `key`/`secret`.
fn iamd_audit(server: &Server, key: &str, secret: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["audit", "credentials", "--endpoint-url", &server.endpoint])
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .output()
        .unwrap()
}

#[test]
fn iamd_audit_credentials_lists_mfa_gaps_from_the_report() {
    let server = Server::start();
    let iam = server.iam();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (key, secret) = rt.block_on(async {
        for name in ["bob", "carol", "dave"] {
            iam.create_user().user_name(name).send().await.unwrap();
        }
        iam.create_login_profile()
            .user_name("bob")
            .password("Bob-Passw0rd!")
            .send()
            .await
            .unwrap();
        let key = iam
            .create_access_key()
            .user_name("carol")
            .send()
            .await
            .unwrap();
        let key = key.access_key().unwrap();
        (
            key.access_key_id().to_string(),
            key.secret_access_key().to_string(),
        )
    });

    let run = iamd_audit(&server, ROOT_KEY_ID, ROOT_SECRET);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    // The server's root key (iamd's first start made it) is one.
    assert!(lines[0].starts_with("HIGH") && lines[0].contains("<root_account>"));
    assert!(lines[0].contains("the root user has an active access key"));
    assert!(lines[1].starts_with("HIGH") && lines[1].contains("bob"));
    assert!(lines[1].contains("console password without MFA"));
    assert!(lines[2].starts_with("MEDIUM") && lines[2].contains("carol"));
    assert_eq!(
        lines[3],
        "MFA: 0 of 2 users with a password or an active access key have an MFA device; 3 finding(s)"
    );

    // carol may not read the report: the server's AccessDenied, exit 2.
    let run = iamd_audit(&server, &key, &secret);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("AccessDenied"), "{stderr}");
    assert!(stderr.contains("iam:GenerateCredentialReport"), "{stderr}");
}
