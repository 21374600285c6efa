//! `iamd serve` as a process: refusing data directories and sealing keys open to others,
//! the `--config` file under the environment and flags (`--check-config`), and bad input
//! (a malformed file, an unknown key, a port in use): one clear line, exit status 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use support::Server;

fn serve(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamd"))
        .arg("serve")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("IAMD_LISTEN")
        .env_remove("IAMD_ACCOUNT_ID")
        .env_remove("IAMD_SEALING_KEY")
        .env_remove("IAMD_CONFIG")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .output()
        .expect("run iamd serve")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn a_data_directory_or_sealing_key_open_to_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Server::start_in(&data);
    first.user_with_key("alice").await;
    first.kill();

    chmod(&data, 0o755);
    let out = serve(&data, &["--listen", "127.0.0.1:0"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("data directory") && said.contains("is open to others (mode 755)"),
        "{said}"
    );
    assert!(said.contains("chmod go="), "{said}");
    assert_eq!(
        std::fs::metadata(&data).unwrap().permissions().mode() & 0o777,
        0o755
    );

    chmod(&data, 0o700);
    let key = data.join("sealing.key");
    chmod(&key, 0o644);
    let out = serve(&data, &["--listen", "127.0.0.1:0"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sealing key") && stderr(&out).contains("(mode 644)"),
        "{}",
        stderr(&out)
    );

    chmod(&key, 0o600);
    let server = Server::start_in(&data);
    server
        .iam()
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap();
}

#[test]
fn check_config_prints_the_effective_settings_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("iamd.toml");
    std::fs::write(
        &file,
        "# iamd settings\nlisten = \"127.0.0.1:9100\"\naccount-id = \"111122223333\"\n\
         log-format = \"json\"\nshutdown-timeout = 7.5\nsealing-key = \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\"\n\
         metrics-listen = \"127.0.0.1:9101\"\naudit-reads = false\n",
    )
    .unwrap();
    let out = serve(
        &dir.path().join("data"),
        &[
            "--config",
            file.to_str().unwrap(),
            "--check-config",
            "--shutdown-timeout",
            "3",
        ],
        &[("IAMD_ACCOUNT_ID", "444455556666")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    for line in [
        "listen = 127.0.0.1:9100  # config file",
        "account-id = \"444455556666\"  # environment",
        "shutdown-timeout = 3.0  # flag",
        "log-format = \"json\"  # config file",
        "metrics-listen = 127.0.0.1:9101  # config file",
        "header-timeout = 10.0  # default",
        "audit-reads = false  # config file",
        "sealing-key = \"********\"  # config file",
    ] {
        assert!(shown.contains(line), "{line:?} not in:\n{shown}");
    }
    assert!(!shown.contains("c2VjcmV0"), "{shown}");
    // Nothing was created: the check opens nothing.
    assert!(!dir.path().join("data").exists());
}

#[test]
fn bad_settings_get_one_clear_line_and_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("iamd.toml");
    let cases = [
        (
            "listen = \"127.0.0.1:9100\"\nlisten-address = \"x\"\n",
            "line 2: unknown field `listen-address`",
        ),
        (
            "account-id = 1234\n",
            "line 1: invalid type: integer `1234`, expected a string",
        ),
        (
            "listen = \"127.0.0.1:9100\"\nlog-format = \"xml\"\n",
            "line 2: unknown variant `xml`",
        ),
        ("listen = \n", "line 1:"),
    ];
    for (text, expected) in cases {
        std::fs::write(&file, text).unwrap();
        let out = serve(&data, &["--config", file.to_str().unwrap()], &[]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(said.contains(expected), "{text}: {said}");
        assert!(said.contains("iamd.toml"), "{said}");
        assert!(said.trim_end().lines().count() == 1, "{said}");
        assert!(!data.exists());
    }
    let out = serve(&data, &["--config", "/nonexistent/iamd.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read config file"),
        "{}",
        stderr(&out)
    );

    // A port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = serve(&data, &["--listen", &addr], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stderr(&out).trim_end().lines().count(),
        1,
        "{}",
        stderr(&out)
    );
    assert!(!data.exists(), "the data directory was created");
}
