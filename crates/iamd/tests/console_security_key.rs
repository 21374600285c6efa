//! FIDO2 / WebAuthn security keys in Chromium (issue 20): `e2e/console-security-key.mjs`
//! registers a key with the DevTools protocol's virtual authenticator, signs in with it (the
//! users list shows under the seed 000 policy), and a clone of the key (its counter set
//! back) is refused; the genuine key still signs in and is removed in the console. Meanwhile the IAM API lists the key with AWS's FIDO serial number; the
//! audit log holds the sign-ins with `MFAUsed: Yes` and the refused clone.
//!
//! Needs `node`, `/usr/bin/chromium` and `e2e/node_modules` (scripts/test installs them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::browser::{console_logins, run_script, setup};
use support::cli::Cli;

/// Assigns alice a virtual MFA device `alice-app` (mixed kinds: the sign-in offers both).
async fn assign_authenticator_app(server: &support::Server) {
    let iam = server.iam();
    let created = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-app")
        .send()
        .await
        .unwrap();
    let device = created.virtual_mfa_device.unwrap();
    let seed = support::mfa_seed(&device);
    let step = support::fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(device.serial_number)
        .authentication_code1(support::totp_code(&seed, step - 1))
        .authentication_code2(support::totp_code(&seed, step))
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn security_key_registration_sign_in_and_clone_refusal_in_chromium() {
    let mut server = setup("seed000-force-mfa-blog-ko.json", false, false).await;
    let cli = Cli::new(&server);
    let mut serial = String::new();
    let mut checks = 0;
    run_script(&server, "console-security-key.mjs", "security-key", || {
        checks += 1;
        if checks == 2 {
            // After its removal in the console: the authenticator app is left.
            let listed = cli.root(&["iam", "list-mfa-devices", "--user-name", "alice"]);
            let devices = listed["MFADevices"].as_array().unwrap();
            assert_eq!(devices.len(), 1, "{listed}");
            assert_eq!(
                devices[0]["SerialNumber"],
                "arn:aws:iam::123456789012:mfa/alice-app"
            );
            return;
        }
        let listed = cli.root(&["iam", "list-mfa-devices", "--user-name", "alice"]);
        let devices = listed["MFADevices"].as_array().unwrap();
        assert_eq!(devices.len(), 1, "{listed}");
        serial = devices[0]["SerialNumber"].as_str().unwrap().to_string();
        let prefix = "arn:aws:iam::123456789012:u2f/user/alice/alice-key-";
        let id = serial
            .strip_prefix(prefix)
            .expect("AWS's FIDO serial number");
        assert_eq!(id.len(), 26, "{serial}");
        let got = cli.root(&[
            "iam",
            "get-mfa-device",
            "--user-name",
            "alice",
            "--serial-number",
            &serial,
        ]);
        assert_eq!(got["SerialNumber"], serial.as_str(), "{got}");
        assert_eq!(got["UserName"], "alice");
        assert!(got["EnableDate"].is_string(), "{got}");
        // A second kind of device: an authenticator app, assigned by the administrator.
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(assign_authenticator_app(&server))
        });
    });
    assert_eq!(checks, 2, "the script asked for both API checks");
    assert!(server.terminate().success());
    // The registration is audited as AWS's console does: alice's EnableMFADevice, its
    // parameters hidden.
    let enabled: Vec<_> = support::audit_records(&server.data_dir())
        .into_iter()
        .filter(|r| r.event_name == "EnableMFADevice" && r.username == "alice")
        .collect();
    assert_eq!(enabled.len(), 1);
    assert!(!enabled[0].body.contains("cred_id"), "{}", enabled[0].body);
    // Several sign-ins fall in one second: compared without their order.
    let logins = console_logins(&server);
    let mut summary: Vec<(&str, &str)> = logins
        .iter()
        .map(|l| {
            (
                l["responseElements"]["ConsoleLogin"].as_str().unwrap(),
                l["additionalEventData"]["MFAUsed"].as_str().unwrap(),
            )
        })
        .collect();
    summary.sort();
    assert_eq!(
        summary,
        [
            ("Failure", "Yes"),
            ("Success", "No"),
            ("Success", "Yes"),
            ("Success", "Yes")
        ],
        "{logins:#?}"
    );
    for login in logins.iter().filter(|l| {
        l["responseElements"]["ConsoleLogin"] == "Success"
            && l["additionalEventData"]["MFAUsed"] == "Yes"
    }) {
        assert_eq!(login["additionalEventData"]["MFAIdentifier"], serial);
        assert_eq!(login["additionalEventData"]["MfaType"], "U2F MFA");
    }
    let refused = logins
        .iter()
        .find(|l| l["responseElements"]["ConsoleLogin"] == "Failure")
        .unwrap();
    assert!(
        refused.to_string().contains("counter"),
        "the refused clone is audited with its reason: {refused:#}"
    );
}

/// Over plain HTTP: a registration answer without a challenge under way (stale, reused or
/// forged) is refused with a clear message, nothing is registered, and the refusal is
/// audited as alice's failed EnableMFADevice.
#[tokio::test(flavor = "multi_thread")]
async fn a_registration_answer_without_its_challenge_is_refused_and_audited() {
    let mut server = setup("seed000-force-mfa-blog-ko.json", false, false).await;
    let signed = support::console::sign_in(&server, "alice", support::browser::PASSWORD);
    let session = signed.set_cookie("iamd-console").unwrap();
    let path = "/console/security-credentials/security-key";
    let answer = support::console::submit(
        &server,
        &session,
        path,
        &[("name", "key"), ("credential", "{\"id\":\"forged\"}")],
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("expired or was already used"),
        "{}",
        answer.body
    );
    let listed = server
        .iam()
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(listed.mfa_devices.is_empty());
    assert!(server.terminate().success());
    let refused: Vec<_> = support::audit_records(&server.data_dir())
        .into_iter()
        .filter(|r| r.event_name == "EnableMFADevice" && r.username == "alice")
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].body.contains("No registration under way"),
        "{}",
        refused[0].body
    );
}
