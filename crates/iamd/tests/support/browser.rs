//! The console's browser tests' shared part: J1's setup (alice in group `developers` with a
//! seed policy) and the run of an `e2e/*.mjs` script in Chromium.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{audit_records, fixture, Server};

pub const PASSWORD: &str = "Temporary-Passw0rd!";
pub const NEW_PASSWORD: &str = "Alice-New-Passw0rd-2026";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// J1's setup: alice with a login profile (`reset`: PasswordResetRequired) in group
/// `developers`, which has `policy` (a fixture, as a customer managed policy; with the
/// change-password policy a console attaches when `change_password`) and IAMReadOnlyAccess.
pub async fn setup(policy: &str, change_password: bool, reset: bool) -> Server {
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

/// Runs the browser journey `variant` of J1 against `server`; `admin` is called when the
/// script asks for the administrator (it prints `J1-WAIT-FOR-ADMIN` and waits for a line).
pub fn browse(server: &Server, variant: &str, admin: impl FnMut()) {
    run_script(server, "console-j1.mjs", variant, admin)
}

/// Runs `e2e/SCRIPT` (node, playwright-core, Debian's chromium) against `server` with J1's
/// user, passwords and `variant`; `admin` is called when it prints `J1-WAIT-FOR-ADMIN`.
pub fn run_script(server: &Server, script: &str, variant: &str, mut admin: impl FnMut()) {
    let root = workspace();
    let shots = root.join("target/console-screenshots");
    let mut child = Command::new("node")
        .arg(root.join("e2e").join(script))
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
pub fn console_logins(server: &Server) -> Vec<Value> {
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
