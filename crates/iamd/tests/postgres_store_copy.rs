//! `iamd store copy`: an account served from SQLite, copied into PostgreSQL, then served from
//! there (its keys' sealed secrets still sign, its audit events still there). Needs
//! `IAMD_TEST_POSTGRES_URL` (scripts/test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::{Command, Output};

use support::nodes::{node, SEALING_KEY};
use support::{Options, Server};

fn store_copy(from: &str, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["store", "copy", "--from", from, "--to", to])
        .output()
        .unwrap()
}

/// Standard error, which must be one line.
fn one_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[tokio::test]
async fn an_account_copied_from_sqlite_is_served_from_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut options = Options::default();
    options
        .env
        .push(("IAMD_SEALING_KEY".into(), SEALING_KEY.into()));
    let embedded = Server::start_in_with(&data, &options);
    let (key_id, secret) = embedded.user_with_key("alice").await;
    embedded
        .iam()
        .create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    embedded.kill();

    let url = iamd_store::postgres::test_database::fresh("e2e_copy");
    let from = format!("sqlite:{}", data.join("iamd.db").display());
    let copied = store_copy(&from, &url);
    assert!(copied.status.success(), "{copied:?}");
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(
        said.starts_with("copied ") && said.contains("(counts checked)"),
        "{said}"
    );

    // Once only: the target is no longer empty.
    let again = one_line(&store_copy(&from, &url));
    assert!(again.contains("is not empty"), "{again}");

    let served = node(&url, &[]);
    let user = served.iam().get_user().user_name("alice").send().await;
    assert_eq!(user.unwrap().user.unwrap().user_name, "alice");
    served
        .iam()
        .get_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let me = served
        .sts_as(&key_id, &secret)
        .get_caller_identity()
        .send()
        .await;
    assert!(me.unwrap().arn.unwrap().ends_with(":user/alice"));
    // The audit events came along, in their order.
    let events = iamd_store::open(&url, false)
        .unwrap()
        .audit_events(1000)
        .unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.event_name.as_str()).collect();
    let create_user = names.iter().position(|n| *n == "CreateUser").unwrap();
    let create_group = names.iter().position(|n| *n == "CreateGroup").unwrap();
    assert!(create_group < create_user, "newest first: {names:?}");
}

#[test]
fn bad_input_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite:{}", dir.path().join("none.db").display());
    let err = one_line(&store_copy(&missing, "postgres://postgres@127.0.0.1:1/x"));
    assert!(err.starts_with("iamd: --from: no database at"), "{err}");
    let source = format!("sqlite:{}", dir.path().join("a.db").display());
    iamd_store::open(&source, false).unwrap();
    let err = one_line(&store_copy(
        &source,
        "postgres://postgres:hunter2@127.0.0.1:1/x",
    ));
    assert!(
        err.contains("--to: store: postgres: cannot connect to 127.0.0.1:1/x"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let err = one_line(&store_copy(&source, "postgres://u@h:port/x"));
    assert!(err.contains("invalid PostgreSQL URL"), "{err}");
}
