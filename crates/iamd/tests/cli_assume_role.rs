//! Assuming a role that requires MFA, with the real AWS CLI against `iamd serve` (from the
//! administrator journey of ../shared/JOURNEYS.md): role `app` trusts the
//! account's users when they used MFA; `aws sts assume-role` fails with long-term keys and
//! succeeds with `--serial-number` and `--token-code`; the role session acts with the role's
//! permissions and shows as `assumed-role/app/SESSION` in GetCallerIdentity.
//!
//! The CLI is `$IAMD_TEST_AWS_CLI`, else `aws` on PATH (`scripts/test` installs it). Without it
//! the test fails: it is never skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::cli::Cli;
use support::{fresh_step, totp_code, Server};

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/app";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/dana";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
const MAY_ASSUME: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/app"}]}"#;
const APP: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;

#[tokio::test]
async fn assume_role_needs_mfa_and_the_session_acts_as_the_role() {
    let server = Server::start();
    let cli = Cli::new(&server);

    // The administrator: user dana with a key, allowed to assume roles; role app.
    cli.root(&["iam", "create-user", "--user-name", "dana"]);
    let key = cli.root(&["iam", "create-access-key", "--user-name", "dana"]);
    let key_id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    cli.root(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "dana",
        "--policy-name",
        "assume-app",
        "--policy-document",
        MAY_ASSUME,
    ]);
    let role = cli.root(&[
        "iam",
        "create-role",
        "--role-name",
        "app",
        "--assume-role-policy-document",
        TRUST,
    ]);
    assert_eq!(role["Role"]["Arn"], ROLE_ARN);
    cli.root(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "app",
        "--policy-name",
        "app",
        "--policy-document",
        APP,
    ]);

    // dana's virtual MFA device, its seed written as Base32 text.
    let seed_file = cli.dir().join("seed.txt");
    cli.root(&[
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "dana",
        "--outfile",
        seed_file.to_str().unwrap(),
        "--bootstrap-method",
        "Base32StringSeed",
    ]);
    let text = std::fs::read_to_string(&seed_file).unwrap();
    let seed = iamd_core::crypto::base32::decode(text.trim()).unwrap();
    let step = fresh_step().await;
    cli.root(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "dana",
        "--serial-number",
        SERIAL,
        "--authentication-code1",
        &totp_code(&seed, step - 2),
        "--authentication-code2",
        &totp_code(&seed, step - 1),
    ]);

    // Long-term keys: refused.
    let assume = [
        "sts",
        "assume-role",
        "--role-arn",
        ROLE_ARN,
        "--role-session-name",
        "dana-cli",
    ];
    cli.run(&key_id, &secret, &assume).denied(
        "AssumeRole",
        "User: arn:aws:iam::123456789012:user/dana is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/app",
    );

    // With the device's code: role credentials.
    let code = totp_code(&seed, step);
    let mut with_mfa = assume.to_vec();
    with_mfa.extend(["--serial-number", SERIAL, "--token-code", &code]);
    let out = cli.run(&key_id, &secret, &with_mfa).json();
    assert_eq!(
        out["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/app/dana-cli"
    );
    let creds = &out["Credentials"];
    let session = |args: &[&str]| {
        cli.run_with_token(
            creds["AccessKeyId"].as_str().unwrap(),
            creds["SecretAccessKey"].as_str().unwrap(),
            creds["SessionToken"].as_str(),
            args,
        )
    };
    let me = session(&["sts", "get-caller-identity"]).json();
    assert_eq!(
        me["Arn"],
        "arn:aws:sts::123456789012:assumed-role/app/dana-cli"
    );
    assert!(me["UserId"].as_str().unwrap().ends_with(":dana-cli"));
    let users = session(&["iam", "list-users"]).json();
    assert_eq!(users["Users"][0]["UserName"], "dana");
    session(&["iam", "list-groups"]).denied(
        "ListGroups",
        "User: arn:aws:sts::123456789012:assumed-role/app/dana-cli is not authorized to perform: iam:ListGroups",
    );

    // The code cannot be used twice.
    let again = cli.run(&key_id, &secret, &with_mfa);
    again.denied(
        "AssumeRole",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    );
}
