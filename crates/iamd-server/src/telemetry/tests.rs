#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn failure(code: &str, status: u16) -> Failure {
    Failure::new(Service::Iam, code, "message", status)
}

#[test]
fn outcomes_say_how_a_request_ended() {
    let unauthenticated = Seen::default();
    let authenticated = Seen {
        authenticated: true,
        ..Seen::default()
    };
    let denied = failure("AccessDenied", 403);
    let bad_signature = failure("SignatureDoesNotMatch", 403);
    let invalid = failure("ValidationError", 400);
    let broken = failure("ServiceFailure", 500);
    assert_eq!(outcome(&authenticated, None), "ok");
    assert_eq!(
        outcome(&unauthenticated, Some(&bad_signature)),
        "unauthenticated"
    );
    assert_eq!(outcome(&authenticated, Some(&denied)), "denied");
    assert_eq!(outcome(&authenticated, Some(&invalid)), "client_error");
    assert_eq!(outcome(&authenticated, Some(&broken)), "server_error");
}

#[tokio::test]
async fn a_scrape_shows_requests_and_the_account_gauges() {
    install().unwrap();
    let (account, _clock) = iamd_core::testing::account();
    let seen = Seen {
        service: Some(Service::Sts),
        authenticated: true,
        operation: Some("GetCallerIdentity"),
        principal: Some("arn:aws:iam::123456789012:root".into()),
    };
    request_done(&seen, None, Duration::from_millis(3), "request-1");
    request_done(
        &Seen::default(),
        Some(&failure("InvalidClientTokenId", 403)),
        Duration::ZERO,
        "request-2",
    );
    let text = render(&account);
    assert!(
        text.contains(
            r#"iamd_requests_total{service="sts",operation="GetCallerIdentity",outcome="ok"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"iamd_requests_total{service="unknown",operation="unknown",outcome="unauthenticated"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"iamd_request_duration_seconds_bucket{service="sts",operation="GetCallerIdentity",le="0.005"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("iamd_audit_buffer_records 0"), "{text}");
    assert!(
        text.contains("# TYPE iamd_snapshot_age_seconds gauge"),
        "{text}"
    );
    // Installing again is harmless.
    install().unwrap();
}
