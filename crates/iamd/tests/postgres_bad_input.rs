//! `iamd serve --database postgres://...` refusing to start: a wrong URL, wrong credentials, a
//! database of a newer schema version, an unreachable database. Each is one line naming what
//! is wrong (never the password), a non-zero exit, and nothing written: no sealing key made,
//! the database untouched. Needs `IAMD_TEST_POSTGRES_URL` (scripts/test) and psql.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

/// Starts `iamd serve` on `url`; answers its one line of standard error, after checking that
/// it failed and wrote nothing into its data directory.
fn failed_start(url: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", url])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!output.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the password is never shown: {stderr}"
    );
    let written: Vec<_> = std::fs::read_dir(&data)
        .map(|entries| entries.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "nothing written: {written:?}");
    stderr
}

/// `sql`'s answer on the database `url` (psql).
fn psql(url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args(["-w", "-At", url, "-c", sql])
        .output()
        .expect("psql");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn a_wrong_url_is_one_clear_line() {
    let stderr = failed_start("postgres://postgres:hunter2@127.0.0.1:notaport/iamd");
    assert!(stderr.contains("invalid PostgreSQL URL"), "{stderr}");
    let stderr = failed_start("postgres://postgres@127.0.0.1/iamd?sslmode=sometimes");
    assert!(
        stderr.contains("sslmode=sometimes (expected disable"),
        "{stderr}"
    );
}

#[test]
fn wrong_credentials_are_one_clear_line() {
    let base = iamd_store::postgres::test_database::fresh("e2e_credentials");
    let (_, host_and_db) = base.split_once('@').unwrap();
    let stderr = failed_start(&format!("postgres://nobody_here:hunter2@{host_and_db}"));
    assert!(stderr.contains("cannot connect to"), "{stderr}");
    assert!(
        stderr.contains("role \"nobody_here\" does not exist"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_database_is_one_clear_line() {
    let stderr = failed_start("postgres://postgres:hunter2@127.0.0.1:1/iamd");
    assert!(
        stderr.contains("cannot connect to 127.0.0.1:1/iamd"),
        "{stderr}"
    );
}

#[test]
fn a_database_of_a_newer_schema_is_refused_untouched() {
    let url = iamd_store::postgres::test_database::fresh("e2e_newer");
    drop(iamd_store::open(&url, false).unwrap());
    psql(&url, "INSERT INTO schema_version VALUES (99)");
    let stderr = failed_start(&url);
    assert!(
        stderr.contains("the database's schema version 99 is newer than this iamd's"),
        "{stderr}"
    );
    assert_eq!(psql(&url, "SELECT MAX(version) FROM schema_version"), "99");
    assert_eq!(psql(&url, "SELECT COUNT(*) FROM records"), "0");
}
