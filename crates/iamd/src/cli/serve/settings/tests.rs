#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use clap::{CommandFactory, FromArgMatches, Parser};

use super::*;

#[derive(Parser)]
struct Wrapper {
    #[command(flatten)]
    serve: ServeArgs,
}

fn resolve(file: &str, flags: &[&str]) -> Result<Settings, String> {
    let mut config = tempfile::NamedTempFile::new().unwrap();
    config.write_all(file.as_bytes()).unwrap();
    let path = config.path().to_str().unwrap().to_string();
    let mut argv = vec!["iamd", "--config", &path];
    argv.extend(flags);
    let matches = Wrapper::command().try_get_matches_from(argv).unwrap();
    let args = Wrapper::from_arg_matches(&matches).unwrap().serve;
    Settings::resolve(args, &matches)
}

#[test]
fn the_file_fills_in_what_flags_do_not_give() {
    let settings = resolve(
        "listen = \"127.0.0.1:9000\"\naccount-id = \"111122223333\"\nshutdown-timeout = 5.0\nregions = [\"eu-west-1\"]\n",
        &["--account-id", "444455556666"],
    )
    .unwrap();
    assert_eq!(settings.config.listen.port(), 9000);
    assert_eq!(settings.config.account_id, "444455556666");
    assert_eq!(
        settings.config.limits.shutdown_timeout,
        Duration::from_secs(5)
    );
    assert_eq!(settings.config.regions, ["eu-west-1"]);
    let shown = settings.describe();
    assert!(
        shown.contains("listen = 127.0.0.1:9000  # config file"),
        "{shown}"
    );
    assert!(
        shown.contains("account-id = \"444455556666\"  # flag"),
        "{shown}"
    );
    assert!(
        shown.contains("header-timeout = 10.0  # default"),
        "{shown}"
    );
}

#[test]
fn secrets_are_masked() {
    let settings = resolve("root-secret-access-key = \"hunter2hunter2\"\n", &[]).unwrap();
    let shown = settings.describe();
    if std::env::var("IAMD_ROOT_SECRET_ACCESS_KEY").is_err() {
        assert_eq!(
            settings.config.root_secret_access_key.as_deref(),
            Some("hunter2hunter2")
        );
    }
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("root-secret-access-key = \"********\""),
        "{shown}"
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let err = resolve("listen = \"127.0.0.1:9000\"\n\nlisten-port = 9\n", &[])
        .err()
        .unwrap();
    assert!(err.contains(" line 3: "), "{err}");
    assert!(err.contains("unknown field `listen-port`"), "{err}");
}

#[test]
fn a_malformed_value_is_named_with_its_line() {
    let err = resolve("account-id = \"111122223333\"\nlisten = \"nowhere\"\n", &[])
        .err()
        .unwrap();
    assert!(err.contains(" line 2: "), "{err}");
    let err = resolve("listen = [\n", &[]).err().unwrap();
    assert!(err.contains("config file"), "{err}");
}

#[test]
fn bad_values_are_refused() {
    let err = resolve("account-id = \"12\"\n", &[]).err().unwrap();
    assert!(err.contains("must be 12 digits"), "{err}");
    let err = resolve("shutdown-timeout = -1.0\n", &[]).err().unwrap();
    assert!(err.contains("--shutdown-timeout"), "{err}");
}

#[test]
fn openid_connect_settings_come_from_the_file_or_flags() {
    let settings = resolve(
        "oidc-ca-file = \"/etc/iamd/ca.pem\"\noidc-jwks-dir = \"/etc/iamd/jwks\"\n",
        &["--oidc-jwks-dir", "/srv/jwks"],
    )
    .unwrap();
    let oidc = &settings.config.oidc;
    assert_eq!(oidc.ca_file.as_deref(), Some(Path::new("/etc/iamd/ca.pem")));
    assert_eq!(oidc.jwks_dir.as_deref(), Some(Path::new("/srv/jwks")));
}

#[test]
fn quotas_come_from_the_file_and_flags_over_it() {
    let settings = resolve(
        "[quotas]\nUsersPerAccount = 100000\nRolesPerAccount = 2000\n",
        &[
            "--quota",
            "RolesPerAccount=3000",
            "--quota",
            "GroupsPerAccount=500",
        ],
    )
    .unwrap();
    let quotas = &settings.config.quotas;
    use iamd_core::quotas::Quota;
    assert_eq!(quotas.get(Quota::UsersPerAccount), 100_000);
    assert_eq!(quotas.get(Quota::RolesPerAccount), 3000);
    assert_eq!(quotas.get(Quota::GroupsPerAccount), 500);
    assert_eq!(quotas.get(Quota::PoliciesPerAccount), 1500);
    let shown = settings.describe();
    assert!(shown.contains("GroupsPerAccount=500"), "{shown}");
}

#[test]
fn unknown_quotas_are_refused() {
    let e = resolve("", &["--quota", "UsersPerAcount=10"])
        .err()
        .unwrap();
    assert!(e.contains("unknown quota \"UsersPerAcount\""), "{e}");
    let e = resolve("[quotas]\nBogus = 1\n", &[]).err().unwrap();
    assert!(e.contains("config file [quotas]: unknown quota"), "{e}");
}
