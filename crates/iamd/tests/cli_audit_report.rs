//! `iamd audit credentials --format json|html` against a seeded `iamd serve`: the users whose
//! policies require MFA (decided by evaluation from GetAccountAuthorizationDetails) but who have
//! no device, the coverage, and the HTML page written with `--out` as one self-contained file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{fixture, fresh_step, mfa_seed, totp_code, Server, ROOT_KEY_ID, ROOT_SECRET};

fn iamd_audit(server: &Server, args: &[&str]) -> std::process::Output {
    iamd_audit_as(server, (ROOT_KEY_ID, ROOT_SECRET), args)
}

fn iamd_audit_as(server: &Server, key: (&str, &str), args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["audit", "credentials", "--endpoint-url", &server.endpoint])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", key.0)
        .env("AWS_SECRET_ACCESS_KEY", key.1)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .output()
        .unwrap()
}

/// Opens the report in Debian's chromium (`e2e/report-page.mjs`: the chart is drawn, the
/// tables sort, nothing is fetched) and keeps screenshots in `target/report-screenshots/`.
/// Needs node, chromium and `e2e/node_modules` (scripts/test installs them): a missing one fails.
fn open_in_chromium(page: &std::path::Path) {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = std::process::Command::new("node")
        .arg(root.join("e2e/report-page.mjs"))
        .current_dir(root.join("e2e"))
        .env("REPORT_FILE", page)
        .env("SCREENSHOT_DIR", root.join("target/report-screenshots"))
        .status()
        .expect(
            "node must be installed (scripts/test installs it with chromium and e2e/node_modules)",
        );
    assert!(
        status.success(),
        "the report page failed in chromium ({status})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_report_as_json_and_html() {
    let server = Server::start();
    let iam = server.iam();
    // alice: console password, in group developers with seed 000 and IAMReadOnlyAccess (J1's
    // setup), no MFA device yet.
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password("Temporary-Passw0rd!")
        .password_reset_required(true)
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
    let force_mfa = iam
        .create_policy()
        .policy_name("force-mfa")
        .policy_document(fixture("seed000-force-mfa-blog-ko.json"))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    for arn in [
        force_mfa.as_str(),
        "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
    ] {
        iam.attach_group_policy()
            .group_name("developers")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    // bob: access key, AdministratorAccess and seed 001 inline, and an MFA device.
    server.user_with_key("bob").await;
    iam.attach_user_policy()
        .user_name("bob")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("aws-docs-mfa")
        .policy_document(fixture("seed001-aws-docs-manage-own-mfa.json"))
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("bob")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("bob")
        .serial_number(&device.serial_number)
        .authentication_code1(totp_code(&seed, step - 1))
        .authentication_code2(totp_code(&seed, step))
        .send()
        .await
        .unwrap();
    // carol: an access key and no policy at all.
    server.user_with_key("carol").await;

    let run = iamd_audit(&server, &["--format", "json"]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let user = |name: &str| {
        json["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        user("alice")["policies_require_mfa"],
        "force-mfa statement DenyAllExceptListedIfNoMFA"
    );
    assert_eq!(user("alice")["mfa"], false);
    assert_eq!(
        user("bob")["policies_require_mfa"],
        "aws-docs-mfa statement DenyAllExceptListedIfNoMFA"
    );
    assert_eq!(user("bob")["mfa"], true);
    assert_eq!(
        user("carol")["policies_require_mfa"],
        serde_json::Value::Null
    );
    let findings: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("severity"), s("user"), s("text"))
        })
        .collect();
    let expected = [
        ("high", "<root_account>", "the root user has an active access key (1): delete it and use IAM users or roles"),
        ("high", "alice", "console password without MFA: assign an MFA device"),
        ("medium", "alice", "policies require MFA (force-mfa statement DenyAllExceptListedIfNoMFA) but the user has no MFA device: until one is enrolled only MFA self-service works"),
        ("medium", "carol", "active access keys without MFA: no MFA session credentials possible (sts get-session-token)"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(findings, expected);
    assert_eq!(json["coverage"][0]["credential"], "Console password");
    assert_eq!(
        (
            json["coverage"][0]["with_mfa"].clone(),
            json["coverage"][0]["without_mfa"].clone()
        ),
        (0.into(), 1.into())
    );
    assert_eq!(
        (
            json["coverage"][1]["with_mfa"].clone(),
            json["coverage"][1]["without_mfa"].clone()
        ),
        (1.into(), 1.into())
    );

    // The HTML page, written to a file: nothing printed, everything inline.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("mfa-report.html");
    let run = iamd_audit(
        &server,
        &["--format", "html", "--out", page.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stdout.is_empty());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(
            "1 of 3 users with a password or an active access key have an MFA device; 4 finding(s)"
        ),
        "{html}"
    );
    assert!(
        html.contains("<text x=\"0\" y=\"21\">Console password</text>"),
        "{html}"
    );
    assert!(html.contains("0 with MFA, 1 without"), "{html}");
    assert!(
        html.contains("<td>alice</td><td>yes</td><td>no</td><td>0</td>"),
        "{html}"
    );
    assert!(
        html.contains("yes: force-mfa statement DenyAllExceptListedIfNoMFA"),
        "{html}"
    );
    for needle in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(needle), "external asset: {needle}");
    }
    open_in_chromium(&page);

    // An auditor who may read the credential report but not the policies still gets it, with
    // one line saying what is left out.
    let (key, secret) = server.user_with_key("auditor").await;
    iam.put_user_policy()
        .user_name("auditor")
        .policy_name("reports")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GetCredentialReport"],"Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let run = iamd_audit_as(&server, (&key, &secret), &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("iamd: the users' policies could not be read (AccessDenied: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("iam:GetAccountAuthorizationDetails"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("console password without MFA"));
}
