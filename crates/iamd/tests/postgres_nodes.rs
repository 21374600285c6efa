//! iamd on PostgreSQL (`iamd serve --database postgres://...`), through the AWS SDK: the
//! account outlives its server, and several servers on one database serve one account.
//! Each test works in a database of its own on the server `IAMD_TEST_POSTGRES_URL` names
//! (scripts/test prepares it); without it these tests fail, saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Options, Server};

/// One sealing key for every node of a test (nodes share the database, and so the sealed
/// secrets in it).
const SEALING_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";

/// A node: `iamd serve` on the database `url`.
fn node(url: &str, more: &[&str]) -> Server {
    let mut options = Options::args(&["--database", url]);
    options.args.extend(more.iter().map(|a| a.to_string()));
    options
        .env
        .push(("IAMD_SEALING_KEY".into(), SEALING_KEY.into()));
    Server::start_opts(&options)
}

#[tokio::test]
async fn the_account_outlives_its_server() {
    let url = iamd_store::postgres::test_database::fresh("e2e_restart");
    let first = node(&url, &[]);
    let (key_id, secret) = first.user_with_key("alice").await;
    first
        .iam()
        .create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    first.kill();

    let second = node(&url, &[]);
    let user = second
        .iam()
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user.unwrap().user_name, "alice");
    second
        .iam()
        .get_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    // The key (its secret sealed in the database) still signs requests.
    let me = second
        .sts_as(&key_id, &secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(me.arn.unwrap().ends_with(":user/alice"));
}

#[tokio::test]
async fn a_wrong_database_is_one_clear_line_and_a_failed_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg("postgres://postgres:hunter2@127.0.0.1:1/iamd")
        .arg("--data-dir")
        .arg(tempfile::tempdir().unwrap().path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot connect to 127.0.0.1:1/iamd"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
