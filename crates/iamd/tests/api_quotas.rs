//! Quotas as configuration (`iamd serve --quota NAME=VALUE`) through the official AWS SDK for
//! Rust against a real `iamd serve`: AWS's quotas are the defaults, with AWS's errors; a raised
//! quota lets an account go past AWS's value and GetAccountSummary reports it; an unknown quota
//! name stops the server from starting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aws_sdk_iam::types::SummaryKeyType;
use support::{code_message, Options, Server};

const GROUPS: usize = 11;

/// Creates `user` and `GROUPS` groups, then adds the user to each; the outcome of each add.
async fn join_groups(iam: &aws_sdk_iam::Client) -> Vec<Result<(), (String, String)>> {
    iam.create_user().user_name("alice").send().await.unwrap();
    let mut outcomes = Vec::new();
    for i in 0..GROUPS {
        let group = format!("g{i}");
        iam.create_group().group_name(&group).send().await.unwrap();
        let added = iam
            .add_user_to_group()
            .group_name(&group)
            .user_name("alice")
            .send()
            .await;
        outcomes.push(added.map(|_| ()).map_err(code_message));
    }
    outcomes
}

async fn summary(iam: &aws_sdk_iam::Client, key: SummaryKeyType) -> i32 {
    let out = iam.get_account_summary().send().await.unwrap();
    *out.summary_map().unwrap().get(&key).unwrap()
}

#[tokio::test]
async fn aws_quota_is_the_default_with_aws_error() {
    let server = Server::start();
    let iam = server.iam();
    let outcomes = join_groups(&iam).await;
    assert!(outcomes[..10].iter().all(Result::is_ok), "{outcomes:?}");
    let (code, message) = outcomes[10].clone().unwrap_err();
    assert_eq!(code, "LimitExceeded");
    assert_eq!(message, "Cannot exceed quota for GroupsPerUser: 10");
    assert_eq!(summary(&iam, SummaryKeyType::GroupsPerUserQuota).await, 10);
    assert_eq!(summary(&iam, SummaryKeyType::UsersQuota).await, 5000);
}

#[tokio::test]
async fn a_raised_quota_goes_past_aws_default_and_is_reported() {
    let server = Server::start_opts(&Options::args(&[
        "--quota",
        "GroupsPerUser=11",
        "--quota",
        "UsersPerAccount=100000",
    ]));
    let iam = server.iam();
    let outcomes = join_groups(&iam).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let user = iam.list_groups_for_user().user_name("alice").send().await;
    assert_eq!(user.unwrap().groups().len(), GROUPS);
    // One more group is past the raised quota: the error names the configured value.
    iam.create_group().group_name("g11").send().await.unwrap();
    let over = iam
        .add_user_to_group()
        .group_name("g11")
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_message(over),
        (
            "LimitExceeded".to_string(),
            "Cannot exceed quota for GroupsPerUser: 11".to_string()
        )
    );
    assert_eq!(summary(&iam, SummaryKeyType::GroupsPerUserQuota).await, 11);
    assert_eq!(summary(&iam, SummaryKeyType::UsersQuota).await, 100_000);
    assert_eq!(summary(&iam, SummaryKeyType::GroupsQuota).await, 300);
}

#[test]
fn an_unknown_quota_name_fails_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--listen")
        .arg("127.0.0.1:0")
        .args(["--quota", "UsersPerAcount=100000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown quota \"UsersPerAcount\"; the quotas are UsersPerAccount,"),
        "{stderr}"
    );
    assert!(!dir.path().join("data").exists(), "nothing was created");
}
