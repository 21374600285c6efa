//! Groups and managed policies with the real AWS CLI against `iamd serve`: groups carry the
//! permissions, moving a user between groups changes its answers at once, a customer managed
//! policy made with `aws iam create-policy` works once attached to a group, and an AWS managed
//! policy (`arn:aws:iam::aws:policy/IAMReadOnlyAccess`) attached to a group grants what its
//! real document grants but cannot be edited or deleted.
//!
//! The CLI is `$IAMD_TEST_AWS_CLI`, else `aws` on PATH (`scripts/test` installs it). Without it
//! the test fails: it is never skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::cli::Cli;
use support::{Server, ROOT_KEY_ID, ROOT_SECRET};

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

/// Creates an access key for user `name` as root; returns (key id, secret).
fn access_key(cli: &Cli<'_>, name: &str) -> (String, String) {
    let key = cli.root(&["iam", "create-access-key", "--user-name", name]);
    let field = |f: &str| key["AccessKey"][f].as_str().unwrap().to_string();
    (field("AccessKeyId"), field("SecretAccessKey"))
}

#[test]
fn groups_carry_permissions_and_moving_a_user_changes_them_at_once() {
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
    let (key_id, secret) = access_key(&cli, "dana");
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

#[test]
fn aws_managed_policies_can_be_attached_but_not_edited() {
    let server = Server::start();
    let cli = Cli::new(&server);
    let read_only = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";

    let listed = cli.root(&["iam", "list-policies", "--scope", "AWS"]);
    let aws = names(&listed, "Policies", "PolicyName");
    for expected in [
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "IAMReadOnlyAccess",
        "IAMFullAccess",
        "IAMUserChangePassword",
    ] {
        assert!(aws.iter().any(|n| n == expected), "{expected} in {aws:?}");
    }
    let policy = cli.root(&["iam", "get-policy", "--policy-arn", read_only]);
    assert_eq!(policy["Policy"]["PolicyId"], "ANPAJKSO7NDY4T57MWDSQ");
    assert_eq!(policy["Policy"]["DefaultVersionId"], "v4");
    let version = cli.root(&[
        "iam",
        "get-policy-version",
        "--policy-arn",
        read_only,
        "--version-id",
        "v4",
    ]);
    // The CLI decodes the document back into JSON.
    let actions = &version["PolicyVersion"]["Document"]["Statement"][0]["Action"];
    assert!(
        actions.as_array().unwrap().contains(&"iam:List*".into()),
        "{actions}"
    );

    cli.root(&["iam", "create-group", "--group-name", "auditors"]);
    cli.root(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "auditors",
        "--policy-arn",
        read_only,
    ]);
    cli.root(&["iam", "create-user", "--user-name", "erin"]);
    cli.root(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "auditors",
        "--user-name",
        "erin",
    ]);
    let (key_id, secret) = access_key(&cli, "erin");
    let erin = |args: &[&str]| cli.run(&key_id, &secret, args);

    // What IAMReadOnlyAccess grants: iam:Get*, iam:List* and the rest of its document.
    let users = erin(&["iam", "list-users"]).json();
    assert_eq!(names(&users, "Users", "UserName"), ["erin"]);
    let attached = erin(&[
        "iam",
        "list-attached-group-policies",
        "--group-name",
        "auditors",
    ])
    .json();
    assert_eq!(
        names(&attached, "AttachedPolicies", "PolicyName"),
        ["IAMReadOnlyAccess"]
    );
    let admin = erin(&[
        "iam",
        "get-policy",
        "--policy-arn",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    ])
    .json();
    assert_eq!(admin["Policy"]["PolicyId"], "ANPAIWMBCKSKIEE64ZLYK");
    // And nothing more.
    erin(&["iam", "create-user", "--user-name", "mallory"]).denied(
        "CreateUser",
        "User: arn:aws:iam::123456789012:user/erin is not authorized to perform: \
         iam:CreateUser on resource: arn:aws:iam::123456789012:user/mallory because no \
         identity-based policy allows the iam:CreateUser action.",
    );
    let in_use = cli.root(&["iam", "list-policies", "--scope", "AWS", "--only-attached"]);
    assert_eq!(
        names(&in_use, "Policies", "PolicyName"),
        ["IAMReadOnlyAccess"]
    );
    assert_eq!(in_use["Policies"][0]["AttachmentCount"], 1);

    // AWS's policies are AWS's: even the root user may not change them.
    let root = |args: &[&str]| cli.run(ROOT_KEY_ID, ROOT_SECRET, args);
    let document =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    root(&[
        "iam",
        "create-policy-version",
        "--policy-arn",
        read_only,
        "--policy-document",
        document,
        "--set-as-default",
    ])
    .denied(
        "CreatePolicyVersion",
        "User: arn:aws:iam::123456789012:root is not authorized to perform: \
         iam:CreatePolicyVersion on resource: policy arn:aws:iam::aws:policy/IAMReadOnlyAccess \
         because no resource-based policy allows the iam:CreatePolicyVersion action",
    );
    root(&["iam", "delete-policy", "--policy-arn", read_only]).denied(
        "DeletePolicy",
        "User: arn:aws:iam::123456789012:root is not authorized to perform: \
         iam:DeletePolicy on resource: policy arn:aws:iam::aws:policy/IAMReadOnlyAccess \
         because no resource-based policy allows the iam:DeletePolicy action",
    );
    // Still there, unchanged, still granting.
    let after = cli.root(&["iam", "get-policy", "--policy-arn", read_only]);
    assert_eq!(after["Policy"]["DefaultVersionId"], "v4");
    erin(&["iam", "list-users"]).json();
}
