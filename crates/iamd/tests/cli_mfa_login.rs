//! `iamd mfa login` and `iamd mfa credential-process` as processes against a real `iamd serve`,
//! with a temporary HOME and the AWS shared files in it. The MFA code is typed on a
//! pseudo-terminal (`script` runs the command on one and forwards what the test writes), and
//! then the AWS CLI uses the written profile and a `credential_process` profile.
//!
//! The user has AdministratorAccess and the AWS documentation's MFA policy (seed 001): with
//! the long-term keys alone `aws iam list-users` is denied; with the MFA session it works.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{fixture, fresh_step, mfa_seed, totp_code, Server, ACCOUNT, REGION};

/// Creates user `name` with a key, AdministratorAccess and seed 001 inline, and an enabled
/// virtual MFA device; returns (key id, secret, serial, seed, the step whose codes are unused).
async fn user_with_device(server: &Server, name: &str) -> (String, String, String, Vec<u8>, u64) {
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key(name).await;
    iam.attach_user_policy()
        .user_name(name)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("force-mfa")
        .policy_document(fixture("seed001-aws-docs-manage-own-mfa.json"))
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let serial = device.serial_number;
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name(name)
        .serial_number(&serial)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    (key_id, secret, serial, seed, step)
}

/// A temporary HOME with `~/.aws/credentials` and `~/.aws/config`.
struct Home {
    dir: tempfile::TempDir,
    endpoint: String,
}

impl Home {
    fn new(server: &Server, credentials: &str, config: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(aws.join("credentials"), credentials).unwrap();
        std::fs::set_permissions(
            aws.join("credentials"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        std::fs::write(aws.join("config"), config).unwrap();
        Home {
            dir,
            endpoint: server.endpoint.clone(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(".aws").join(name)
    }

    fn credentials(&self) -> String {
        std::fs::read_to_string(self.path("credentials")).unwrap()
    }

    /// The environment of a person's shell: only HOME says where the files are.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("HOME", self.dir.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_PAGER", "")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("SHELL", "/bin/sh")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .env_remove("AWS_CONFIG_FILE");
        command
    }

    /// Runs `args` without a controlling terminal (`setsid`), so nothing can be asked.
    fn run(&self, args: &[&str]) -> Output {
        self.command("setsid")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `args` on a pseudo-terminal and types `typed` on it.
    fn run_on_terminal(&self, args: &[&str], typed: &str) -> Output {
        let line: Vec<String> = args.iter().map(|a| quote(a)).collect();
        let mut child = self
            .command("script")
            .args(["-qec", &line.join(" "), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn aws(&self, args: &[&str]) -> Output {
        let program = std::env::var("IAMD_TEST_AWS_CLI").unwrap_or_else(|_| "aws".into());
        let mut all = args.to_vec();
        all.extend(["--endpoint-url", &self.endpoint, "--output", "json"]);
        let mut command = vec![program.as_str()];
        command.extend(all);
        self.run(&command)
    }
}

fn quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

fn iamd() -> &'static str {
    env!("CARGO_BIN_EXE_iamd")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_login_writes_the_session_profile_and_the_aws_cli_uses_it() {
    let server = Server::start();
    let (key_id, secret, serial, seed, step) = user_with_device(&server, "dev").await;
    let credentials = format!(
        "# Keys of the team (keep this comment)\n[other]\naws_access_key_id = AKIAOTHER\n\
         aws_secret_access_key = other ; kept\n\n[dev]\naws_access_key_id = {key_id}\n\
         aws_secret_access_key = {secret}\n"
    );
    let config = format!(
        "[profile dev]\nregion = {REGION}\nendpoint_url = {}\n",
        server.endpoint
    );
    let home = Home::new(&server, &credentials, &config);
    assert_eq!(serial, format!("arn:aws:iam::{ACCOUNT}:mfa/dev"));

    // Without MFA the CLI is denied (seed 001's deny).
    let denied = home.aws(&["--profile", "dev", "iam", "list-users"]);
    assert!(!denied.status.success());
    assert!(
        text(&denied.stderr).contains("AccessDenied"),
        "{}",
        text(&denied.stderr)
    );

    // A wrong code: one line, exit 2, the credentials file untouched.
    let wrong = format!(
        "{:06}",
        (totp_code(&seed, step).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let refused = home.run_on_terminal(
        &[iamd(), "mfa", "login", "--profile", "dev"],
        &format!("{wrong}\n"),
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stdout));
    let said = text(&refused.stdout);
    assert!(said.contains(&format!("MFA code for {serial}: ")), "{said}");
    assert!(said.contains("iamd: the MFA code was refused"), "{said}");
    assert_eq!(home.credentials(), credentials);

    // The right code typed on the terminal: the device found with ListMFADevices, the
    // session written to profile dev-mfa, everything else kept byte for byte.
    let code = totp_code(&seed, step);
    let login = home.run_on_terminal(
        &[iamd(), "mfa", "login", "--profile", "dev"],
        &format!("{code}\n"),
    );
    let said = text(&login.stdout);
    assert_eq!(login.status.code(), Some(0), "{said}");
    assert!(
        said.contains("Wrote MFA session credentials to profile dev-mfa"),
        "{said}"
    );
    let written = home.credentials();
    assert!(written.starts_with(&credentials), "{written}");
    let added = &written[credentials.len()..];
    assert!(
        added.starts_with("\n[dev-mfa]\naws_access_key_id = ASIA"),
        "{added}"
    );
    assert!(added.contains("\naws_session_token = "), "{added}");
    assert!(added.contains("\nexpiration = "), "{added}");
    assert_eq!(mode(&home.path("credentials")), 0o600);

    // The AWS CLI uses it: list-users is allowed with the MFA session.
    let listed = home.aws(&[
        "--profile",
        "dev-mfa",
        "--region",
        REGION,
        "iam",
        "list-users",
    ]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(text(&listed.stdout).contains("\"UserName\": \"dev\""));

    // Run again: the session is still valid, nothing is asked (no terminal here).
    let again = home.run(&[iamd(), "mfa", "login", "--profile", "dev"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("valid until"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(home.credentials(), written);

    // The same code again (replayed) into another profile: refused, file untouched.
    let replay = home.run(&[
        iamd(),
        "mfa",
        "login",
        "--profile",
        "dev",
        "--mfa-profile",
        "dev-2",
        "--token-code",
        &code,
    ]);
    assert_eq!(replay.status.code(), Some(2));
    assert!(
        text(&replay.stderr).starts_with("iamd: the MFA code was refused"),
        "{}",
        text(&replay.stderr)
    );
    assert_eq!(home.credentials(), written);
}

#[tokio::test(flavor = "multi_thread")]
async fn credential_process_profile_just_works_and_is_cached() {
    let server = Server::start();
    let (key_id, secret, _serial, seed, step) = user_with_device(&server, "ops").await;
    let credentials =
        format!("[ops]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n");
    let config = format!(
        "[profile ops]\nregion = {REGION}\nendpoint_url = {endpoint}\n\n\
         [profile ops-mfa]\nregion = {REGION}\n\
         credential_process = {iamd} mfa credential-process --profile ops\n",
        endpoint = server.endpoint,
        iamd = iamd(),
    );
    let home = Home::new(&server, &credentials, &config);

    // The AWS CLI runs the process, which asks for the code on the terminal.
    let program = std::env::var("IAMD_TEST_AWS_CLI").unwrap_or_else(|_| "aws".into());
    let code = totp_code(&seed, step);
    let listed = home.run_on_terminal(
        &[
            &program,
            "--profile",
            "ops-mfa",
            "iam",
            "list-users",
            "--endpoint-url",
            &server.endpoint,
            "--output",
            "json",
        ],
        &format!("{code}\n"),
    );
    let said = text(&listed.stdout);
    assert_eq!(listed.status.code(), Some(0), "{said}");
    assert!(said.contains("\"UserName\": \"ops\""), "{said}");

    // Cached (0600, in a 0700 folder): the next calls ask nothing, without a terminal.
    let cache = home.dir.path().join(".cache/iamd/mfa-session-ops.json");
    assert_eq!(mode(&cache), 0o600);
    assert_eq!(mode(cache.parent().unwrap()), 0o700);
    let again = home.aws(&["--profile", "ops-mfa", "iam", "list-users"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let printed = home.run(&[iamd(), "mfa", "credential-process", "--profile", "ops"]);
    assert_eq!(printed.status.code(), Some(0), "{}", text(&printed.stderr));
    let json: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    for key in ["SecretAccessKey", "SessionToken", "Expiration"] {
        assert!(json[key].is_string(), "{json}");
    }
    // The long-term keys were never touched.
    assert_eq!(home.credentials(), credentials);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_one_line_exit_2_and_the_files_unchanged() {
    let server = Server::start();
    let (key_id, secret) = server.user_with_key("eve").await;
    server
        .iam()
        .put_user_policy()
        .user_name("eve")
        .policy_name("list-own-devices")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListMFADevices","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let (zed_key, zed_secret) = server.user_with_key("zed").await;
    let credentials = format!(
        "[eve]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n\n\
         [zed]\naws_access_key_id = {zed_key}\naws_secret_access_key = {zed_secret}\n\n\
         [stale]\naws_access_key_id = {key_id}\naws_secret_access_key = not-the-secret\n\n\
         [session]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\n"
    );
    let home = Home::new(&server, &credentials, "");
    let endpoint = server.endpoint.clone();
    let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/eve");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--profile", "nobody", "--endpoint-url", &endpoint],
            "profile nobody has no access keys in",
        ),
        (
            vec!["--profile", "session", "--endpoint-url", &endpoint],
            "holds session credentials",
        ),
        (vec!["--profile", "eve"], "no endpoint: give --endpoint-url"),
        (
            vec![
                "--profile",
                "eve",
                "--endpoint-url",
                "http://127.0.0.1:1",
                "--serial-number",
                &serial,
                "--token-code",
                "123456",
            ],
            "cannot reach http://127.0.0.1:1",
        ),
        (
            vec![
                "--profile",
                "stale",
                "--endpoint-url",
                &endpoint,
                "--serial-number",
                &serial,
                "--token-code",
                "123456",
            ],
            "the access key of profile stale was refused",
        ),
        (
            vec![
                "--profile",
                "eve",
                "--endpoint-url",
                &endpoint,
                "--serial-number",
                &serial,
            ],
            "no terminal to ask for the MFA code",
        ),
        (
            vec![
                "--profile",
                "eve",
                "--endpoint-url",
                &endpoint,
                "--serial-number",
                &serial,
                "--token-code",
                "12ab",
            ],
            "the MFA code must be the 6 digits",
        ),
        (
            vec!["--profile", "eve", "--endpoint-url", &endpoint],
            "this user has no MFA device",
        ),
        (
            vec!["--profile", "zed", "--endpoint-url", &endpoint],
            "the user may not list their MFA devices",
        ),
    ];
    for (args, message) in cases {
        for command in ["login", "credential-process"] {
            let mut all = vec![iamd(), "mfa", command];
            all.extend(&args);
            let o = home.run(&all);
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{all:?}: {err}");
            assert!(err.contains(message), "{all:?}: {err}");
            assert!(o.stdout.is_empty(), "{all:?}");
            assert_eq!(home.credentials(), credentials);
        }
    }
    assert!(!home.dir.path().join(".cache").exists());

    // AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are honoured.
    let elsewhere = home.dir.path().join("elsewhere");
    let o = home
        .command("setsid")
        .args([iamd(), "mfa", "login", "--endpoint-url", &endpoint])
        .env("AWS_PROFILE", "nobody")
        .env("AWS_SHARED_CREDENTIALS_FILE", &elsewhere)
        .env("AWS_CONFIG_FILE", home.path("config"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    let expected = format!(
        "iamd: profile nobody has no access keys in {} or {}",
        elsewhere.display(),
        home.path("config").display()
    );
    assert!(err.starts_with(&expected), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_asks_which_device_when_there_are_several() {
    let server = Server::start();
    let (key_id, secret, first, _, _) = user_with_device(&server, "sam").await;
    // A second device, enabled by the administrator.
    let iam = server.iam();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("sam-backup")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = mfa_seed(&device);
    let step = fresh_step().await;
    iam.enable_mfa_device()
        .user_name("sam")
        .serial_number(&device.serial_number)
        .authentication_code1(totp_code(&seed, step - 2))
        .authentication_code2(totp_code(&seed, step - 1))
        .send()
        .await
        .unwrap();
    let credentials =
        format!("[sam]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n");
    let config = format!("[profile sam]\nendpoint_url = {}\n", server.endpoint);
    let home = Home::new(&server, &credentials, &config);

    let backup = &device.serial_number;
    let typed = format!("2\n{}\n", totp_code(&seed, step));
    let login = home.run_on_terminal(&[iamd(), "mfa", "login", "--profile", "sam"], &typed);
    let said = text(&login.stdout);
    assert_eq!(login.status.code(), Some(0), "{said}");
    let listed = [first.as_str(), backup.as_str()];
    let menu = format!(
        "Several MFA devices:\r\n  1) {}\r\n  2) {}\r\nWhich one? ",
        listed[0], listed[1]
    );
    assert!(said.contains(&menu), "{said}");
    assert!(said.contains(&format!("MFA code for {backup}: ")), "{said}");
    assert!(home
        .credentials()
        .contains("[sam-mfa]\naws_access_key_id = ASIA"));
}
