//! Journey J3 steps 1–2 with the real AWS CLI against `iamd serve`: groups carry the
//! permissions, moving a user between groups changes its answers at once, and a customer
//! managed policy made with `aws iam create-policy` works once attached to a group.
//!
//! The CLI is `$IAMD_TEST_AWS_CLI`, else `aws` on PATH (`scripts/test` installs it). Without it
//! the test fails: it is never skipped.
//!
//! Not covered yet: J3 step 2's AWS managed policies (`arn:aws:iam::aws:policy/...`), which
//! iamd does not provide yet (a later issue); this test attaches a customer managed policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::cli::Cli;
use support::Server;

const DEVELOPERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Developers","Effect":"Allow","Action":["iam:ListGroups","iam:ListUsers"],"Resource":"*"}]}"#;
const READERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Readers","Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}"#;

fn names(list: &Value, field: &str, name: &str) -> Vec<String> {
    list[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} in {list}"))
        .iter()
        .map(|item| item[name].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn j3_groups_carry_permissions_and_moving_a_user_changes_them_at_once() {
    let server = Server::start();
    let cli = Cli::new(&server);

    // An administrator sets up the two groups: developers with an inline policy, readers with
    // a customer managed policy.
    cli.root(&["iam", "create-group", "--group-name", "developers"]);
    cli.root(&["iam", "create-group", "--group-name", "readers"]);
    cli.root(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "developers",
        "--policy-name",
        "developers",
        "--policy-document",
        DEVELOPERS,
    ]);
    let created = cli.root(&[
        "iam",
        "create-policy",
        "--policy-name",
        "ReadersAccess",
        "--policy-document",
        READERS,
    ]);
    let policy_arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
    assert_eq!(policy_arn, "arn:aws:iam::123456789012:policy/ReadersAccess");
    assert_eq!(created["Policy"]["DefaultVersionId"], "v1");
    cli.root(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "readers",
        "--policy-arn",
        &policy_arn,
    ]);
    let attached = cli.root(&[
        "iam",
        "list-attached-group-policies",
        "--group-name",
        "readers",
    ]);
    assert_eq!(
        names(&attached, "AttachedPolicies", "PolicyArn"),
        [policy_arn.as_str()]
    );

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
    let dana = |args: &[&str]| cli.run(&key_id, &secret, args);

    let me = dana(&["sts", "get-caller-identity"]).json();
    assert_eq!(me["Arn"], "arn:aws:iam::123456789012:user/dana");
    assert_eq!(me["Account"], "123456789012");

    // In no group: nothing allowed.
    dana(&["iam", "list-users"]).denied(
        "ListUsers",
        "User: arn:aws:iam::123456789012:user/dana is not authorized to perform: \
         iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no \
         identity-based policy allows the iam:ListUsers action.",
    );

    // A developer lists groups but may not read a user.
    cli.root(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "developers",
        "--user-name",
        "dana",
    ]);
    let groups = dana(&["iam", "list-groups"]).json();
    assert_eq!(
        names(&groups, "Groups", "GroupName"),
        ["developers", "readers"]
    );
    assert!(
        names(&dana(&["iam", "list-users"]).json(), "Users", "UserName")
            .contains(&"dana".to_string())
    );
    dana(&["iam", "get-user", "--user-name", "dana"]).denied(
        "GetUser",
        "User: arn:aws:iam::123456789012:user/dana is not authorized to perform: \
         iam:GetUser on resource: arn:aws:iam::123456789012:user/dana because no \
         identity-based policy allows the iam:GetUser action.",
    );

    // Moved to readers: the answers flip on the next request, the user untouched.
    cli.root(&[
        "iam",
        "remove-user-from-group",
        "--group-name",
        "developers",
        "--user-name",
        "dana",
    ]);
    cli.root(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "readers",
        "--user-name",
        "dana",
    ]);
    let user = dana(&["iam", "get-user", "--user-name", "dana"]).json();
    assert_eq!(user["User"]["UserName"], "dana");
    assert_eq!(user["User"]["Arn"], "arn:aws:iam::123456789012:user/dana");
    dana(&["iam", "list-groups"]).denied(
        "ListGroups",
        "User: arn:aws:iam::123456789012:user/dana is not authorized to perform: \
         iam:ListGroups on resource: arn:aws:iam::123456789012:group/ because no \
         identity-based policy allows the iam:ListGroups action.",
    );
    let of_dana = cli.root(&["iam", "list-groups-for-user", "--user-name", "dana"]);
    assert_eq!(names(&of_dana, "Groups", "GroupName"), ["readers"]);

    // Detaching the managed policy takes the permission away again.
    cli.root(&[
        "iam",
        "detach-group-policy",
        "--group-name",
        "readers",
        "--policy-arn",
        &policy_arn,
    ]);
    dana(&["iam", "get-user", "--user-name", "dana"]).denied(
        "GetUser",
        "User: arn:aws:iam::123456789012:user/dana is not authorized to perform: \
         iam:GetUser on resource: arn:aws:iam::123456789012:user/dana because no \
         identity-based policy allows the iam:GetUser action.",
    );
}
