//! MFA enrolment and MFA session credentials with the real AWS CLI against `iamd serve` (the
//! CLI-user journey of ../shared/JOURNEYS.md, seeds 002 and 001): a CLI user under
//! the Japanese blog's force-MFA policy enrols a virtual MFA device from the QR code, trades
//! an MFA code for session credentials, and only then may use IAM beyond the MFA
//! self-service. Codes are computed from the seed inside the QR code the CLI wrote.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iamd_core::crypto::{base32, totp};
use serde_json::Value;
use support::cli::{Cli, Outcome};
use support::{fixture, Server, ACCOUNT};

const SERIAL_BOB: &str = "arn:aws:iam::123456789012:mfa/bob";

/// Waits until at least 10 s remain in the current 30-second TOTP step, so that codes
/// computed now are still current (or previous) when the server checks them.
fn fresh_step() -> u64 {
    loop {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if secs % 30 < 20 {
            return secs / 30;
        }
        std::thread::sleep(Duration::from_secs(30 - secs % 30));
    }
}

/// Reads the QR code PNG the CLI wrote and returns the `otpauth://` URI in it.
fn qr_uri(path: &std::path::Path) -> String {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = buf.len() / (w * h).max(1);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[(y * w + x) * channels]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the PNG");
    grids[0].decode().unwrap().1
}

fn secret_of(uri: &str) -> Vec<u8> {
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    base32::decode(secret).unwrap()
}

fn error_of(outcome: &Outcome, code: &str, operation: &str) -> String {
    assert!(
        !outcome.ok,
        "aws {operation} should fail: {}",
        outcome.stdout
    );
    let prefix = format!("An error occurred ({code}) when calling the {operation} operation: ");
    let line = outcome
        .stderr
        .lines()
        .find(|l| l.contains(&prefix))
        .unwrap_or_else(|| panic!("stderr lacks `{prefix}`:\n{}", outcome.stderr));
    line.split(&prefix).nth(1).unwrap().to_string()
}

#[test]
fn cli_user_enrols_mfa_and_uses_session_credentials() {
    let server = Server::start();
    let cli = Cli::new(&server);

    // Setup as the administrator: bob with AdministratorAccess and the seed 002 policy, and a key.
    cli.root(&["iam", "create-user", "--user-name", "bob"]);
    cli.root(&["iam", "create-user", "--user-name", "carol"]);
    for (name, file) in [
        ("AdministratorAccess", "administrator-access.json"),
        ("ForceMFA", "seed002-force-mfa-blog-ja.json"),
    ] {
        let doc = fixture(file);
        let created = cli.root(&[
            "iam",
            "create-policy",
            "--policy-name",
            name,
            "--policy-document",
            &doc,
        ]);
        let arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
        cli.root(&[
            "iam",
            "attach-user-policy",
            "--user-name",
            "bob",
            "--policy-arn",
            &arn,
        ]);
    }
    let key = cli.root(&["iam", "create-access-key", "--user-name", "bob"]);
    let id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    let bob = |args: &[&str]| cli.run(&id, &secret, args);

    // 1. get-caller-identity needs no permission.
    let me = bob(&["sts", "get-caller-identity"]).json();
    assert_eq!(me["Arn"], "arn:aws:iam::123456789012:user/bob");
    assert_eq!(me["Account"], ACCOUNT);

    // 2. list-users is left out of the deny; list-groups is an explicit deny, explained.
    bob(&["iam", "list-users"]).json();
    let denied = error_of(&bob(&["iam", "list-groups"]), "AccessDenied", "ListGroups");
    assert!(denied.starts_with("User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListGroups on resource: arn:aws:iam::123456789012:group/ with an explicit deny in an identity-based policy"), "{denied}");
    assert!(
        denied.contains("aws:MultiFactorAuthPresent is absent"),
        "{denied}"
    );
    assert!(denied.contains("aws sts get-session-token"), "{denied}");

    // 3. A virtual device named bob, bootstrapped as a QR code PNG; not one named carol.
    let qr = cli.dir().join("qr.png");
    let qr_arg = qr.to_str().unwrap();
    let created = bob(&[
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "bob",
        "--outfile",
        qr_arg,
        "--bootstrap-method",
        "QRCodePNG",
    ])
    .json();
    assert_eq!(created["VirtualMFADevice"]["SerialNumber"], SERIAL_BOB);
    let uri = qr_uri(&qr);
    assert!(uri.starts_with("otpauth://totp/bob@"), "{uri}");
    let seed = secret_of(&uri);
    error_of(
        &bob(&[
            "iam",
            "create-virtual-mfa-device",
            "--virtual-mfa-device-name",
            "carol",
            "--outfile",
            qr_arg,
            "--bootstrap-method",
            "QRCodePNG",
        ]),
        "AccessDenied",
        "CreateVirtualMFADevice",
    );

    // 4. Two consecutive codes enable it; wrong codes do not; carol's user is not bob's to touch.
    let step = fresh_step();
    let code = |s: u64| totp::code_for_step(&seed, s).unwrap();
    let wrong = |s: u64| format!("{:06}", (code(s).parse::<u32>().unwrap() + 1) % 1_000_000);
    let enable = |user: &str, c1: &str, c2: &str| {
        bob(&[
            "iam",
            "enable-mfa-device",
            "--user-name",
            user,
            "--serial-number",
            SERIAL_BOB,
            "--authentication-code1",
            c1,
            "--authentication-code2",
            c2,
        ])
    };
    let bad = error_of(
        &enable("bob", &wrong(step - 1), &wrong(step)),
        "InvalidAuthenticationCode",
        "EnableMFADevice",
    );
    assert_eq!(bad, "Authentication code for device is not valid.");
    error_of(
        &enable("carol", &code(step - 2), &code(step - 1)),
        "AccessDenied",
        "EnableMFADevice",
    );
    let enabled = enable("bob", &code(step - 2), &code(step - 1));
    assert!(enabled.ok, "{}", enabled.stderr);
    let devices = bob(&["iam", "list-mfa-devices"]).json();
    assert_eq!(devices["MFADevices"][0]["SerialNumber"], SERIAL_BOB);

    // 5. GetSessionToken with a code: a wrong code is refused, the right one works once.
    let bad = error_of(
        &bob(&[
            "sts",
            "get-session-token",
            "--serial-number",
            SERIAL_BOB,
            "--token-code",
            &wrong(step),
        ]),
        "AccessDenied",
        "GetSessionToken",
    );
    assert_eq!(
        bad,
        "MultiFactorAuthentication failed with invalid MFA one time pass code."
    );
    let session = bob(&[
        "sts",
        "get-session-token",
        "--serial-number",
        SERIAL_BOB,
        "--token-code",
        &code(step),
    ])
    .json();
    let creds = &session["Credentials"];
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(creds["Expiration"].as_str().is_some(), "{session}");
    let replay = error_of(
        &bob(&[
            "sts",
            "get-session-token",
            "--serial-number",
            SERIAL_BOB,
            "--token-code",
            &code(step),
        ]),
        "AccessDenied",
        "GetSessionToken",
    );
    assert_eq!(
        replay,
        "MultiFactorAuthentication failed with invalid MFA one time pass code."
    );

    // 6. With the MFA session, list-groups works.
    let as_session = |creds: &Value, args: &[&str]| {
        cli.run_with_token(
            creds["AccessKeyId"].as_str().unwrap(),
            creds["SecretAccessKey"].as_str().unwrap(),
            creds["SessionToken"].as_str(),
            args,
        )
    };
    as_session(creds, &["iam", "list-groups"]).json();
    let who = as_session(creds, &["sts", "get-caller-identity"]).json();
    assert_eq!(who["Arn"], "arn:aws:iam::123456789012:user/bob");

    // 7. A session without MFA cannot call IAM; session credentials cannot get another session.
    let plain = bob(&["sts", "get-session-token"]).json();
    let plain = &plain["Credentials"];
    let invalid = error_of(
        &as_session(plain, &["iam", "list-users"]),
        "InvalidClientTokenId",
        "ListUsers",
    );
    assert!(
        invalid.starts_with("The security token included in the request is invalid"),
        "{invalid}"
    );
    let nested = error_of(
        &as_session(creds, &["sts", "get-session-token"]),
        "AccessDenied",
        "GetSessionToken",
    );
    assert_eq!(
        nested,
        "Cannot call GetSessionToken with session credentials"
    );
}
