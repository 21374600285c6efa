//! Policy enforcement at the API: a user signing with long-term access keys (so
//! `aws:MultiFactorAuthPresent` is absent) gets exactly the "absent" column of
//! `fixtures/policies/EXPECTED.md` for the IAM operations iamd serves. Rows for operations
//! iamd does not serve yet (MFA devices, passwords, GetSessionToken, other services) are left
//! out here; the policy engine's own tests cover every row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{code_message, fixture, Server};

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const BOB: &str = "arn:aws:iam::123456789012:user/bob";
const ALL_USERS: &str = "arn:aws:iam::123456789012:user/";
const NO_MFA: &str = "aws:MultiFactorAuthPresent is absent (requests signed with long-term \
                      access keys carry no MFA)";
const REMEDY: &str = "sign in with MFA or use `aws sts get-session-token` with `--serial-number` \
                      and `--token-code` to get MFA session credentials";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny,
    Implicit,
}

#[derive(Debug, Clone, Copy)]
enum Call {
    GetUser(&'static str),
    ListUsers,
    CreateAccessKey(&'static str),
    ListAccessKeys(&'static str),
    GetAccountSummary,
}

impl Call {
    fn action_and_resource(self) -> (&'static str, &'static str) {
        let arn = |name| if name == "alice" { ALICE } else { BOB };
        match self {
            Call::GetUser(name) => ("iam:GetUser", arn(name)),
            Call::ListUsers => ("iam:ListUsers", ALL_USERS),
            Call::CreateAccessKey(name) => ("iam:CreateAccessKey", arn(name)),
            Call::ListAccessKeys(name) => ("iam:ListAccessKeys", arn(name)),
            Call::GetAccountSummary => ("iam:GetAccountSummary", "*"),
        }
    }

    /// Runs the call as the given client; `Err((code, message))` when it fails.
    async fn run(self, iam: &aws_sdk_iam::Client) -> Result<(), (String, String)> {
        match self {
            Call::GetUser(name) => iam
                .get_user()
                .user_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::ListUsers => iam
                .list_users()
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::CreateAccessKey(name) => iam
                .create_access_key()
                .user_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::ListAccessKeys(name) => iam
                .list_access_keys()
                .user_name(name)
                .send()
                .await
                .map(drop)
                .map_err(code_message),
            Call::GetAccountSummary => iam
                .get_account_summary()
                .send()
                .await
                .map(drop)
                .map_err(code_message),
        }
    }
}

/// How the policies reach alice.
#[derive(Debug, Clone, Copy)]
enum Via {
    Inline,
    Attached,
}

/// Starts a server with users alice (with an access key and `policies`: (name, fixture file))
/// and bob; returns the server and an IAM client signing as alice.
async fn alice_with(policies: &[(&str, &str)], via: Via) -> (Server, aws_sdk_iam::Client) {
    let server = Server::start();
    let iam = server.iam();
    let (key_id, secret) = server.user_with_key("alice").await;
    iam.create_user().user_name("bob").send().await.unwrap();
    for (name, file) in policies {
        let document = fixture(file);
        match via {
            Via::Inline => {
                iam.put_user_policy()
                    .user_name("alice")
                    .policy_name(*name)
                    .policy_document(document)
                    .send()
                    .await
                    .unwrap();
            }
            Via::Attached => {
                let arn = iam
                    .create_policy()
                    .policy_name(*name)
                    .policy_document(document)
                    .send()
                    .await
                    .unwrap()
                    .policy
                    .unwrap()
                    .arn
                    .unwrap();
                iam.attach_user_policy()
                    .user_name("alice")
                    .policy_arn(arn)
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
    let alice = server.iam_as(&key_id, &secret);
    (server, alice)
}

/// Checks one EXPECTED.md row; returns the AccessDenied message of a denial.
async fn check(alice: &aws_sdk_iam::Client, row: &str, call: Call, expect: Expect) -> String {
    let (action, resource) = call.action_and_resource();
    let result = call.run(alice).await;
    let head =
        format!("User: {ALICE} is not authorized to perform: {action} on resource: {resource} ");
    match (expect, result) {
        (Expect::Allow, Ok(())) => String::new(),
        (Expect::Allow, Err(e)) => panic!("{row}: {call:?} should be allowed, got {e:?}"),
        (_, Ok(())) => panic!("{row}: {call:?} should be denied ({expect:?}), was allowed"),
        (_, Err((code, message))) => {
            assert_eq!(code, "AccessDenied", "{row}: {message}");
            let because = if expect == Expect::Deny {
                "with an explicit deny in an identity-based policy. iamd: denied by statement "
                    .to_string()
            } else {
                format!(
                    "because no identity-based policy allows the {action} action. iamd: \
                     implicitly denied: no identity-based policy allows {action} on {resource}"
                )
            };
            let expected = format!("{head}{because}");
            assert!(
                message.starts_with(&expected),
                "{row}: {message}\n  does not start with\n{expected}"
            );
            if expect == Expect::Deny {
                assert!(message.contains(NO_MFA), "{row}: {message}");
                let remedy = format!("{REMEDY} Encoded authorization failure message: ");
                assert!(message.contains(&remedy), "{row}: {message}");
            }
            message
        }
    }
}

/// Seed 000 is larger than the 2048 characters AWS allows for a user's inline policies, so
/// it reaches alice as a managed policy (and inline is refused, as by AWS).
#[tokio::test]
async fn set_a_force_mfa_ko_alone() {
    let (server, alice) = alice_with(
        &[("force-mfa", "seed000-force-mfa-blog-ko.json")],
        Via::Attached,
    )
    .await;
    let (code, message) = server
        .iam()
        .put_user_policy()
        .user_name("alice")
        .policy_name("force-mfa")
        .policy_document(fixture("seed000-force-mfa-blog-ko.json"))
        .send()
        .await
        .map(drop)
        .map_err(code_message)
        .unwrap_err();
    assert_eq!(code, "LimitExceeded");
    assert_eq!(
        message,
        "Maximum policy size of 2048 bytes exceeded for user alice"
    );
    let a8 = check(&alice, "A8", Call::ListUsers, Expect::Deny).await;
    assert!(
        a8.contains(
            "denied by statement DenyAllExceptListedIfNoMFA of policy force-mfa \
             (identity-based policy)"
        ),
        "{a8}"
    );
    check(&alice, "A9", Call::CreateAccessKey("alice"), Expect::Deny).await;
    check(&alice, "A11", Call::GetAccountSummary, Expect::Deny).await;
    check(&alice, "A15", Call::GetUser("alice"), Expect::Allow).await;
    let a16 = check(&alice, "A16", Call::GetUser("bob"), Expect::Implicit).await;
    assert!(
        a16.contains(
            "closest: statement AllowManageOwnPasswords of policy force-mfa allows this \
             action only on arn:aws:iam::*:user/${aws:username}"
        ),
        "{a16}"
    );
    check(&alice, "A18", Call::ListAccessKeys("alice"), Expect::Deny).await;
}

#[tokio::test]
async fn set_b_force_mfa_ko_with_administrator_access() {
    let (_server, alice) = alice_with(
        &[
            ("force-mfa", "seed000-force-mfa-blog-ko.json"),
            ("admin", "administrator-access.json"),
        ],
        Via::Attached,
    )
    .await;
    check(&alice, "B1", Call::ListUsers, Expect::Deny).await;
    // Not a row of the table, but follows from it: GetUser is exempt from the deny and the
    // administrator policy allows it on anyone.
    check(&alice, "B-GetUser", Call::GetUser("bob"), Expect::Allow).await;
}

#[tokio::test]
async fn set_c_manage_own_mfa_alone() {
    let (_server, alice) = alice_with(
        &[("manage-own-mfa", "seed001-aws-docs-manage-own-mfa.json")],
        Via::Inline,
    )
    .await;
    check(&alice, "C9", Call::ListUsers, Expect::Deny).await;
}

async fn set_e(via: Via) {
    let (_server, alice) = alice_with(
        &[
            ("admin", "administrator-access.json"),
            ("force-mfa-ja", "seed002-force-mfa-blog-ja.json"),
        ],
        via,
    )
    .await;
    let e8 = check(&alice, "E8", Call::GetUser("alice"), Expect::Deny).await;
    let (text, encoded) = e8
        .split_once(" Encoded authorization failure message: ")
        .unwrap();
    assert_eq!(
        text,
        format!(
            "User: {ALICE} is not authorized to perform: iam:GetUser on resource: {ALICE} \
             with an explicit deny in an identity-based policy. iamd: denied by statement #3 \
             of policy force-mfa-ja (identity-based policy): {NO_MFA}; {REMEDY}"
        )
    );
    assert!(!encoded.is_empty() && !encoded.contains(' '), "{encoded}");
    check(&alice, "E9", Call::ListUsers, Expect::Allow).await;
}

#[tokio::test]
async fn set_e_force_mfa_ja_with_administrator_access_inline() {
    set_e(Via::Inline).await;
}

#[tokio::test]
async fn set_e_force_mfa_ja_with_administrator_access_attached() {
    set_e(Via::Attached).await;
}

#[tokio::test]
async fn set_f_force_mfa_ja_alone() {
    let (_server, alice) = alice_with(
        &[("force-mfa-ja", "seed002-force-mfa-blog-ja.json")],
        Via::Attached,
    )
    .await;
    check(&alice, "F4", Call::GetUser("alice"), Expect::Deny).await;
    check(&alice, "F5", Call::ListUsers, Expect::Allow).await;
}

#[tokio::test]
async fn set_g_naive_bool_deny_lets_long_term_keys_through() {
    let (_server, alice) = alice_with(
        &[
            ("naive", "naive-bool-deny.json"),
            ("admin", "administrator-access.json"),
        ],
        Via::Inline,
    )
    .await;
    check(&alice, "G3", Call::CreateAccessKey("alice"), Expect::Allow).await;
    check(&alice, "G-ListUsers", Call::ListUsers, Expect::Allow).await;
}

#[tokio::test]
async fn no_policy_is_implicit_deny_and_root_is_never_limited() {
    let (server, alice) = alice_with(&[], Via::Inline).await;
    check(&alice, "none", Call::ListUsers, Expect::Implicit).await;
    check(&alice, "none", Call::GetUser("alice"), Expect::Implicit).await;
    server.iam().list_users().send().await.unwrap();
}

#[tokio::test]
async fn removing_the_policy_changes_the_answer_at_once() {
    let (server, alice) = alice_with(
        &[("force-mfa-ja", "seed002-force-mfa-blog-ja.json")],
        Via::Inline,
    )
    .await;
    check(&alice, "F5", Call::ListUsers, Expect::Allow).await;
    server
        .iam()
        .delete_user_policy()
        .user_name("alice")
        .policy_name("force-mfa-ja")
        .send()
        .await
        .unwrap();
    check(&alice, "removed", Call::ListUsers, Expect::Implicit).await;
}
