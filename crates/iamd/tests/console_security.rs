//! The console against bad input, over raw HTTP to a real `iamd serve`: forged or missing
//! CSRF tokens, a session used after sign-out, HTML typed into the sign-in form, oversized
//! form bodies, the same answer for unknown users and wrong passwords, and the Query API
//! unchanged on `/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::console::{form, request, root_sign_in, sign_in, signin_form};
use support::Server;

async fn bob(server: &Server) {
    let iam = server.iam();
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.create_login_profile()
        .user_name("bob")
        .password("Bob-Passw0rd-1")
        .send()
        .await
        .unwrap();
    let own_keys = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:ListMFADevices"],
        "Resource": "arn:aws:iam::*:user/${aws:username}"}]}"#;
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("own-keys")
        .policy_document(own_keys)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_root_path_redirects_browsers_and_still_serves_the_api() {
    let server = Server::start();
    let visit = request(&server, "GET", "/", &[], "");
    assert_eq!(visit.status, 303);
    assert_eq!(visit.header("location"), Some("/console/signin"));
    let api = request(
        &server,
        "GET",
        "/?Action=ListUsers&Version=2010-05-08",
        &[],
        "",
    );
    assert_eq!(api.status, 403, "{}", api.body);
    assert!(api.body.contains("<ErrorResponse"), "{}", api.body);
    // The SDK keeps working.
    server.iam().list_users().send().await.unwrap();
    let css = request(&server, "GET", "/console/assets/console.css", &[], "");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_answers_alike_for_unknown_users_and_wrong_passwords_and_escapes_input() {
    let server = Server::start();
    bob(&server).await;
    let wrong = sign_in(&server, "bob", "not-the-password");
    let unknown = sign_in(&server, "<script>alert(1)</script>", "whatever");
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let message = "Your authentication information is incorrect. Please try again.";
    assert!(wrong.body.contains(message));
    assert!(unknown.body.contains(message));
    assert!(!unknown.body.contains("<script>alert"), "{}", unknown.body);
    assert!(unknown
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(wrong.set_cookie("iamd-console").is_none());
    // The password is never echoed.
    assert!(!wrong.body.contains("not-the-password"));
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_without_their_csrf_token_change_nothing() {
    let server = Server::start();
    bob(&server).await;
    // The sign-in form needs its cookie and token.
    let body = form(&[
        ("account", &server.account),
        ("username", "bob"),
        ("password", "Bob-Passw0rd-1"),
    ]);
    let refused = request(&server, "POST", "/console/signin", &[], &body);
    assert_eq!(refused.status, 403);
    assert!(refused.set_cookie("iamd-console").is_none());

    let signed = sign_in(&server, "bob", "Bob-Passw0rd-1");
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.header("location"), Some("/console/"));
    let set = signed
        .headers
        .iter()
        .find(|(n, v)| n == "set-cookie" && v.starts_with("iamd-console="))
        .unwrap()
        .1
        .clone();
    assert!(
        set.contains("HttpOnly")
            && set.contains("SameSite=Strict")
            && set.contains("Path=/console"),
        "{set}"
    );
    let session = signed.set_cookie("iamd-console").unwrap();
    let cookies = [("iamd-console", session.as_str())];
    let page = request(
        &server,
        "GET",
        "/console/security-credentials",
        &cookies,
        "",
    );
    assert_eq!(page.status, 200);
    let csrf = page.csrf();

    // A forged token, then none: 403, and no access key was created.
    for token in ["forged", ""] {
        let body = form(&[("csrf", token), ("do", "create")]);
        let refused = request(
            &server,
            "POST",
            "/console/security-credentials/access-keys",
            &cookies,
            &body,
        );
        assert_eq!(refused.status, 403, "{}", refused.body);
    }
    let keys = server
        .iam()
        .list_access_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert!(keys.access_key_metadata.is_empty());
    // The right token creates one (its secret shown once).
    let body = form(&[("csrf", &csrf), ("do", "create")]);
    let created = request(
        &server,
        "POST",
        "/console/security-credentials/access-keys",
        &cookies,
        &body,
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("Secret access key"));
    assert!(created.body.contains("download=\"bob_accessKeys.csv\""));
    let keys = server
        .iam()
        .list_access_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(keys.access_key_metadata.len(), 1);

    // Sign-out deletes the session: the cookie no longer works.
    let out = request(
        &server,
        "POST",
        "/console/signout",
        &cookies,
        &form(&[("csrf", &csrf)]),
    );
    assert_eq!(out.status, 303);
    assert!(out.headers.iter().any(|(n, v)| n == "set-cookie"
        && v.starts_with("iamd-console=;")
        && v.contains("Max-Age=0")));
    let after = request(&server, "GET", "/console/users", &cookies, "");
    assert_eq!(after.status, 303);
    assert_eq!(after.header("location"), Some("/console/signin"));
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_forms_are_refused_with_a_page() {
    let server = Server::start();
    let (cookie, csrf) = signin_form(&server);
    let big = "x".repeat(300 * 1024);
    let body = form(&[("csrf", &csrf), ("username", &big)]);
    let refused = request(
        &server,
        "POST",
        "/console/signin",
        &[("iamd-signin", &cookie)],
        &body,
    );
    assert_eq!(refused.status, 413);
    assert!(refused
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(refused.body.contains("larger than"));
}

/// The root user signs in with the account id and the root password: generated at first
/// start into `DATA_DIR/root-password` (mode 0600), or `IAMD_ROOT_PASSWORD`.
#[tokio::test(flavor = "multi_thread")]
async fn the_root_user_signs_in_with_the_root_password() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start();
    bob(&server).await;
    let file = server.data_dir().join("root-password");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let password = std::fs::read_to_string(&file).unwrap().trim().to_string();
    let wrong = root_sign_in(&server, "not-it");
    assert_eq!(wrong.status, 401);
    let signed = root_sign_in(&server, &password);
    assert_eq!(signed.status, 303, "{}", signed.body);
    let session = signed.set_cookie("iamd-console").unwrap();
    let users = request(
        &server,
        "GET",
        "/console/users",
        &[("iamd-console", &session)],
        "",
    );
    assert_eq!(users.status, 200);
    assert!(
        users.body.contains("href=\"/console/users/bob\""),
        "{}",
        users.body
    );

    let options = support::Options {
        env: vec![("IAMD_ROOT_PASSWORD".into(), "Given-Root-Passw0rd".into())],
        ..Default::default()
    };
    let given = Server::start_opts(&options);
    assert!(!given.data_dir().join("root-password").exists());
    assert_eq!(root_sign_in(&given, "Given-Root-Passw0rd").status, 303);
}

/// Removing another user's MFA device from "My security credentials" (a forged serial in the
/// form) fails and leaves the device assigned.
#[tokio::test(flavor = "multi_thread")]
async fn another_users_device_cannot_be_removed() {
    let server = Server::start();
    bob(&server).await;
    let iam = server.iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    let seed = support::mfa_seed(&device);
    let step = support::fresh_step().await;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(&device.serial_number)
        .authentication_code1(support::totp_code(&seed, step - 1))
        .authentication_code2(support::totp_code(&seed, step))
        .send()
        .await
        .unwrap();
    let session = sign_in(&server, "bob", "Bob-Passw0rd-1")
        .set_cookie("iamd-console")
        .unwrap();
    let cookies = [("iamd-console", session.as_str())];
    let csrf = request(
        &server,
        "GET",
        "/console/security-credentials",
        &cookies,
        "",
    )
    .csrf();
    let body = form(&[("csrf", &csrf), ("serial", &device.serial_number)]);
    let refused = request(
        &server,
        "POST",
        "/console/security-credentials/mfa/remove",
        &cookies,
        &body,
    );
    assert!(refused.status >= 400, "{}", refused.body);
    let devices = iam
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(devices.mfa_devices.len(), 1);
}
