//! State the nodes of one PostgreSQL database share, through real `iamd serve` processes: the
//! console's sign-in failure throttle counts every node's failures, and a console session
//! started on one node works on the others. Needs `IAMD_TEST_POSTGRES_URL` (scripts/test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use support::console::{request, sign_in};
use support::nodes::{nodes, within};
use support::Server;

const PASSWORD: &str = "Right-Passw0rd!";

/// User `name` with a console password, known to every node in `all`.
async fn console_user(all: &[Server], name: &str) {
    let iam = all[0].iam();
    iam.create_user().user_name(name).send().await.unwrap();
    iam.create_login_profile()
        .user_name(name)
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    for node in &all[1..] {
        within(Duration::from_secs(2), || async {
            let iam = node.iam();
            iam.get_login_profile().user_name(name).send().await.is_ok()
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_failures_are_counted_across_nodes() {
    let url = iamd_store::postgres::test_database::fresh("e2e_signin_throttle");
    let all = nodes(&url, 3);
    console_user(&all, "alice").await;
    // Five wrong passwords, one node after the other: none of the nodes saw more than two.
    for attempt in 0..5 {
        let node = &all[attempt % 3];
        let answer = tokio::task::block_in_place(|| sign_in(node, "alice", "wrong"));
        assert_eq!(answer.status, 401, "attempt {attempt}");
        let expected = if attempt < 4 {
            "Your authentication information is incorrect"
        } else {
            "Too many failed sign-in attempts. Try again in "
        };
        assert!(
            answer.body.contains(expected),
            "attempt {attempt}: {}",
            answer.body
        );
    }
    // Locked on every node, the right password included.
    for node in &all {
        let answer = tokio::task::block_in_place(|| sign_in(node, "alice", PASSWORD));
        assert_eq!(answer.status, 401);
        assert!(
            answer.body.contains("Too many failed sign-in attempts"),
            "{}",
            answer.body
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_session_works_on_every_node() {
    let url = iamd_store::postgres::test_database::fresh("e2e_console_nodes");
    let all = nodes(&url, 2);
    console_user(&all, "bob").await;
    let (a, b) = (&all[0], &all[1]);
    let signed_in = tokio::task::block_in_place(|| sign_in(a, "bob", PASSWORD));
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let session = signed_in.set_cookie("iamd-console").unwrap();
    let cookies = [("iamd-console", session.as_str())];
    // At once on B: the console's home page, not the sign-in page.
    let home = tokio::task::block_in_place(|| request(b, "GET", "/console/", &cookies, ""));
    assert_eq!(home.status, 200, "{:?}", home.header("location"));
    // Signed out on B: over on A too.
    let form = tokio::task::block_in_place(|| request(b, "GET", "/console/signout", &cookies, ""));
    let body = format!("csrf={}", form.csrf());
    let out =
        tokio::task::block_in_place(|| request(b, "POST", "/console/signout", &cookies, &body));
    assert_eq!(out.status, 303);
    within(Duration::from_secs(1), || async {
        let page = tokio::task::block_in_place(|| request(a, "GET", "/console/", &cookies, ""));
        page.status == 303 && page.header("location") == Some("/console/signin")
    })
    .await;
}
