//! Journey J1 in a real browser: a real `iamd serve`, set up by the administrator with the
//! AWS SDK (alice with a temporary password that must be changed, in group `developers` with
//! the seed policy and IAMReadOnlyAccess), then `node e2e/console-j1.mjs` drives Debian's
//! chromium through the console (playwright-core, never a downloaded browser). The audit log
//! must then hold alice's ConsoleLogin events, without MFA and then with, which seed 000's
//! journey also finds on the console's event history page.
//!
//! Needs `node`, `/usr/bin/chromium` and `e2e/node_modules` (scripts/test installs them): a
//! missing one fails the test, it is never skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{audit_records, cli::Cli, fixture, Server};

const PASSWORD: &str = "Temporary-Passw0rd!";
const NEW_PASSWORD: &str = "Alice-New-Passw0rd-2026";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// J1's setup: alice with a login profile (`reset`: PasswordResetRequired) in group
/// `developers`, which has `policy` (a fixture, as a customer managed policy; with the
/// change-password policy a console attaches when `change_password`) and IAMReadOnlyAccess.
async fn setup(policy: &str, change_password: bool, reset: bool) -> Server {
    let server = Server::start();
    let iam = server.iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password(PASSWORD)
        .password_reset_required(reset)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("developers")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let mut files = vec![("force-mfa", policy)];
    if change_password {
        files.push(("change-password", "iam-user-change-password.json"));
    }
    let mut arns = vec!["arn:aws:iam::aws:policy/IAMReadOnlyAccess".to_string()];
    for (name, file) in files {
        let created = iam
            .create_policy()
            .policy_name(name)
            .policy_document(fixture(file))
            .send()
            .await
            .unwrap();
        arns.push(created.policy.unwrap().arn.unwrap());
    }
    for arn in arns {
        iam.attach_group_policy()
            .group_name("developers")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    server
}

/// Runs the browser journey `variant` against `server`; `admin` is called when the script
/// asks for the administrator (it prints `J1-WAIT-FOR-ADMIN` and waits for a line).
fn browse(server: &Server, variant: &str, mut admin: impl FnMut()) {
    let root = workspace();
    let shots = root.join("target/console-screenshots");
    let mut child = Command::new("node")
        .arg(root.join("e2e/console-j1.mjs"))
        .current_dir(root.join("e2e"))
        .env("IAMD_URL", &server.endpoint)
        .env("IAMD_ACCOUNT", &server.account)
        .env("J1_USER", "alice")
        .env("J1_PASSWORD", PASSWORD)
        .env("J1_NEW_PASSWORD", NEW_PASSWORD)
        .env("J1_VARIANT", variant)
        .env("SCREENSHOT_DIR", &shots)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect(
            "node must be installed (scripts/test installs it with chromium and e2e/node_modules)",
        );
    let mut stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        println!("{line}");
        if line == "J1-WAIT-FOR-ADMIN" {
            admin();
            stdin.write_all(b"go\n").unwrap();
        }
    }
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "the browser journey {variant} failed ({status}); server log:\n{}",
        server.log()
    );
}

/// The bodies of the `ConsoleLogin` records of the stopped server, oldest first.
fn console_logins(server: &Server) -> Vec<Value> {
    let mut records: Vec<_> = audit_records(&server.data_dir())
        .into_iter()
        .filter(|r| r.event_name == "ConsoleLogin")
        .collect();
    records.sort_by_key(|r| r.event_time);
    records
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn j1_seed000_console_onboarding_in_chromium() {
    let mut server = setup("seed000-force-mfa-blog-ko.json", false, true).await;
    // Step 8 looks the sign-ins up in the console's event history: the administrator lets
    // the developers read it (seed 000's policy still denies it without MFA).
    server
        .iam()
        .put_group_policy()
        .group_name("developers")
        .policy_name("read-events")
        .policy_document(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "cloudtrail:LookupEvents", "Resource": "*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    browse(&server, "seed000", || {
        panic!("no administrator is needed under seed 000")
    });
    assert!(server.terminate().success());
    // Step 8: ConsoleLogin without MFA, then with.
    let logins = console_logins(&server);
    let used: Vec<&str> = logins
        .iter()
        .map(|l| l["additionalEventData"]["MFAUsed"].as_str().unwrap())
        .collect();
    assert_eq!(used, ["No", "Yes"], "{logins:#?}");
    for login in &logins {
        assert_eq!(login["eventSource"], "signin.amazonaws.com");
        assert_eq!(login["eventType"], "AwsConsoleSignIn");
        assert_eq!(login["responseElements"]["ConsoleLogin"], "Success");
        assert_eq!(login["userIdentity"]["type"], "IAMUser");
        assert_eq!(login["userIdentity"]["userName"], "alice");
        assert!(!login.to_string().contains("Passw0rd"));
    }
    assert_eq!(
        logins[1]["additionalEventData"]["MFAIdentifier"],
        "arn:aws:iam::123456789012:mfa/alice"
    );
    // Her sign-out between the two is recorded too.
    let sign_outs = audit_records(&server.data_dir())
        .into_iter()
        .filter(|r| r.event_name == "ConsoleSignOut" && r.username == "alice")
        .count();
    assert_eq!(sign_outs, 1);
}

/// Seed 001 with the change-password policy: the forced password change is denied without
/// MFA, and the page says exactly that.
#[tokio::test(flavor = "multi_thread")]
async fn j1_seed001_password_change_lockout_is_explained() {
    let server = setup("seed001-aws-docs-manage-own-mfa.json", true, true).await;
    browse(&server, "seed001-reset", || panic!("no administrator step"));
}

/// Seed 001, password without reset: deleting the abandoned device is denied, the page says
/// an administrator must delete it and how; the administrator does so with the AWS CLI, and
/// the retry succeeds through to an MFA sign-in.
#[tokio::test(flavor = "multi_thread")]
async fn j1_seed001_abandoned_device_needs_the_administrator() {
    let server = setup("seed001-aws-docs-manage-own-mfa.json", true, false).await;
    let cli = Cli::new(&server);
    browse(&server, "seed001-device", || {
        let listed = cli.root(&[
            "iam",
            "list-virtual-mfa-devices",
            "--assignment-status",
            "Unassigned",
        ]);
        let serial = listed["VirtualMFADevices"][0]["SerialNumber"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(serial, "arn:aws:iam::123456789012:mfa/alice");
        cli.root(&[
            "iam",
            "delete-virtual-mfa-device",
            "--serial-number",
            &serial,
        ]);
    });
}
