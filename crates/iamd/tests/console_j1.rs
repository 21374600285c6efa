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

use support::browser::{browse, console_logins, setup};
use support::{audit_records, cli::Cli};

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
