//! The console's administration pages against a real `iamd serve`, signed in as the root
//! user and as a user without permissions: groups, policies (with their documents), roles
//! (with their trust policies), the password policy (shown and saved), the credential report
//! (table and CSV) and the policy simulator show what the API returns, or a denial.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::console::{form, request, root_sign_in, sign_in, submit, Answer};
use support::{Options, Server};

const ROOT_PASSWORD: &str = "Console-Root-Passw0rd";

/// A server whose root console password is [`ROOT_PASSWORD`].
fn start() -> Server {
    let options = Options {
        env: vec![("IAMD_ROOT_PASSWORD".into(), ROOT_PASSWORD.into())],
        ..Default::default()
    };
    Server::start_opts(&options)
}

fn get(server: &Server, session: &str, path: &str) -> Answer {
    request(server, "GET", path, &[("iamd-console", session)], "")
}

#[tokio::test(flavor = "multi_thread")]
async fn administration_pages_show_what_the_api_returns() {
    let server = start();
    let iam = server.iam();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("carol").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("developers")
        .user_name("carol")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("developers")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role()
        .role_name("app")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name("carol")
        .password("Carol-Passw0rd-1")
        .send()
        .await
        .unwrap();

    let signed = root_sign_in(&server, ROOT_PASSWORD);
    assert_eq!(signed.status, 303);
    let root = signed.set_cookie("iamd-console").unwrap();

    let groups = get(&server, &root, "/console/groups");
    assert!(
        groups.body.contains("href=\"/console/groups/developers\""),
        "{}",
        groups.body
    );
    let group = get(&server, &root, "/console/groups/developers");
    assert_eq!(group.status, 200);
    assert!(group.body.contains("carol") && group.body.contains("IAMReadOnlyAccess"));
    let aws = get(&server, &root, "/console/policies?scope=AWS");
    assert!(aws
        .body
        .contains("/console/policies/arn:aws:iam::aws:policy/IAMReadOnlyAccess"));
    let policy = get(
        &server,
        &root,
        "/console/policies/arn:aws:iam::aws:policy/IAMReadOnlyAccess",
    );
    assert_eq!(policy.status, 200, "{}", policy.body);
    assert!(
        policy
            .body
            .contains("&quot;iam:GenerateCredentialReport&quot;"),
        "{}",
        policy.body
    );
    let role = get(&server, &root, "/console/roles/app");
    assert!(role.body.contains("sts:AssumeRole"), "{}", role.body);

    // The password policy: none, then saved through the form.
    let page = get(&server, &root, "/console/password-policy");
    assert!(page.body.contains("No password policy is set"));
    let saved = submit(
        &server,
        &root,
        "/console/password-policy",
        &[("MinimumPasswordLength", "14"), ("RequireNumbers", "true")],
    );
    assert!(
        saved.body.contains("The password policy was saved."),
        "{}",
        saved.body
    );
    let policy = iam
        .get_account_password_policy()
        .send()
        .await
        .unwrap()
        .password_policy
        .unwrap();
    assert_eq!(policy.minimum_password_length, Some(14));
    assert!(policy.require_numbers && !policy.require_symbols);

    let report = get(&server, &root, "/console/credential-report");
    assert!(
        report.body.contains("<th>mfa_active</th>"),
        "{}",
        report.body
    );
    let csv = get(&server, &root, "/console/credential-report?format=csv");
    assert_eq!(csv.header("content-type"), Some("text/csv"));
    assert!(csv.body.starts_with("user,arn,user_creation_time"));

    let decided = submit(
        &server,
        &root,
        "/console/simulator",
        &[
            ("principal", "arn:aws:iam::123456789012:user/carol"),
            ("action", "iam:ListUsers"),
            ("resource", "*"),
        ],
    );
    assert!(
        decided.body.contains("<strong>allowed</strong>"),
        "{}",
        decided.body
    );

    // The policy editor: a refused document shows AWS's message and where the error is.
    let bad = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers"}]}"#;
    let refused = submit(
        &server,
        &root,
        "/console/policies",
        &[("name", "readers"), ("document", bad)],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("MalformedPolicyDocument: </strong>Policy statement must contain resources."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("At <code>Statement"),
        "{}",
        refused.body
    );
    let good = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}"#;
    let created = submit(
        &server,
        &root,
        "/console/policies",
        &[("name", "readers"), ("document", good)],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let page = "/console/policies/arn:aws:iam::123456789012:policy/readers";
    assert_eq!(created.header("location"), Some(page));
    let edited = good.replace("iam:ListUsers", "iam:ListGroups");
    assert_eq!(
        submit(&server, &root, page, &[("document", &edited)]).status,
        303
    );
    let shown = get(&server, &root, page);
    assert!(shown.body.contains("Default version v2"), "{}", shown.body);
    assert!(shown.body.contains("iam:ListGroups"));

    // carol may read IAM (IAMReadOnlyAccess) but not change the password policy.
    let carol = sign_in(&server, "carol", "Carol-Passw0rd-1")
        .set_cookie("iamd-console")
        .unwrap();
    assert_eq!(get(&server, &carol, "/console/roles").status, 200);
    let denied = submit(
        &server,
        &carol,
        "/console/password-policy",
        &[("MinimumPasswordLength", "6")],
    );
    assert_eq!(denied.status, 403);
    assert!(
        denied.body.contains("Access denied")
            && denied.body.contains("iam:UpdateAccountPasswordPolicy")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_manages_users_in_the_console() {
    let server = start();
    let iam = server.iam();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    let root = root_sign_in(&server, ROOT_PASSWORD)
        .set_cookie("iamd-console")
        .unwrap();
    let post = |path: &str, fields: &[(&str, &str)]| submit(&server, &root, path, fields);
    let created = post(
        "/console/users",
        &[
            ("name", "dave"),
            ("password", "Dave-Temp-Passw0rd"),
            ("reset", "true"),
        ],
    );
    assert!(
        created.body.contains("User dave was created."),
        "{}",
        created.body
    );
    let profile = iam
        .get_login_profile()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    assert!(profile.login_profile.unwrap().password_reset_required);

    let added = post(
        "/console/users/dave",
        &[("do", "add-group"), ("group", "developers")],
    );
    assert!(
        added.body.contains("href=\"/console/groups/developers\""),
        "{}",
        added.body
    );
    let arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    post("/console/users/dave", &[("do", "attach"), ("arn", arn)]);
    let attached = iam
        .list_attached_user_policies()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies.unwrap().len(), 1);
    // An inline policy: refused with the place of the error, then saved, then deleted.
    let inline = "/console/users/dave/inline-policy";
    let cookies = [("iamd-console", root.as_str())];
    let csrf = get(&server, &root, "/console/users/dave").csrf();
    let bad = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}"#;
    let body = form(&[("csrf", &csrf), ("name", "own"), ("document", bad)]);
    let refused = request(&server, "POST", inline, &cookies, &body);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused
        .body
        .contains("Policy statement must contain actions."));
    let good = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}"#;
    let body = form(&[("csrf", &csrf), ("name", "own"), ("document", good)]);
    assert_eq!(
        request(&server, "POST", inline, &cookies, &body).status,
        303
    );
    let names = iam
        .list_user_policies()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names, ["own"]);
    post(
        "/console/users/dave",
        &[("do", "delete-inline"), ("policy", "own")],
    );
    let names = iam
        .list_user_policies()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    assert!(names.policy_names.is_empty());

    // Deleting a user still in a group is AWS's DeleteConflict, shown on the page.
    let conflict = post("/console/users/dave", &[("do", "delete")]);
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    post("/console/users/dave", &[("do", "detach"), ("arn", arn)]);
    post(
        "/console/users/dave",
        &[("do", "remove-group"), ("group", "developers")],
    );
    assert!(iam
        .list_groups_for_user()
        .user_name("dave")
        .send()
        .await
        .unwrap()
        .groups
        .is_empty());
    let reset = post(
        "/console/users/dave",
        &[("do", "password"), ("password", "Dave-Other-Passw0rd")],
    );
    assert_eq!(reset.status, 200, "{}", reset.body);
    let profile = iam
        .get_login_profile()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    assert!(!profile.login_profile.unwrap().password_reset_required);
    iam.delete_login_profile()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    let deleted = post("/console/users/dave", &[("do", "delete")]);
    assert!(
        deleted.body.contains("User dave was deleted."),
        "{}",
        deleted.body
    );
    assert!(iam.get_user().user_name("dave").send().await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_manages_groups_and_roles_in_the_console() {
    let server = start();
    let iam = server.iam();
    let root = root_sign_in(&server, ROOT_PASSWORD)
        .set_cookie("iamd-console")
        .unwrap();
    let created = submit(&server, &root, "/console/groups", &[("name", "ops")]);
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.header("location"), Some("/console/groups/ops"));
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let page = "/console/groups/ops";
    assert_eq!(
        submit(&server, &root, page, &[("do", "attach"), ("arn", arn)]).status,
        303
    );
    let attached = iam
        .list_attached_group_policies()
        .group_name("ops")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies.unwrap().len(), 1);
    // A group with a policy attached cannot be deleted (AWS's DeleteConflict, on the page).
    let conflict = submit(&server, &root, page, &[("do", "delete")]);
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    submit(&server, &root, page, &[("do", "detach"), ("arn", arn)]);
    assert_eq!(
        submit(&server, &root, page, &[("do", "delete")]).status,
        303
    );
    assert!(iam.get_group().group_name("ops").send().await.is_err());

    // A role: its trust policy from the editor, refused with the place of the error first.
    let no_principal = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}"#;
    let refused = submit(
        &server,
        &root,
        "/console/roles",
        &[("name", "app"), ("document", no_principal)],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("MalformedPolicyDocument"),
        "{}",
        refused.body
    );
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}"#;
    let created = submit(
        &server,
        &root,
        "/console/roles",
        &[("name", "app"), ("document", trust)],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(iam.get_role().role_name("app").send().await.is_ok());
    assert_eq!(
        submit(&server, &root, "/console/roles/app", &[("do", "delete")]).status,
        303
    );
    assert!(iam.get_role().role_name("app").send().await.is_err());
}
