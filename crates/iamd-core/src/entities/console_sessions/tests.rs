use super::*;

fn session(created: i64, last_seen: i64) -> ConsoleSession {
    ConsoleSession {
        user: Some("alice".into()),
        user_id: "AIDAALICE".into(),
        access_key_id: "ASIAALICE".into(),
        stage: Stage::Active,
        created,
        last_seen,
        mfa_at: None,
        mfa_serial: None,
    }
}

#[test]
fn sessions_time_out_after_an_idle_hour_or_twelve_hours() {
    let s = session(0, 0);
    assert!(live(&s, IDLE_TIMEOUT - 1));
    assert!(!live(&s, IDLE_TIMEOUT));
    let busy = session(0, ABSOLUTE_TIMEOUT - 10);
    assert!(live(&busy, ABSOLUTE_TIMEOUT - 1));
    assert!(!live(&busy, ABSOLUTE_TIMEOUT));
}

#[test]
fn csrf_tokens_belong_to_their_cookie() {
    let a = new_session_id().unwrap();
    let b = new_session_id().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 43);
    assert!(csrf_ok(&a, &csrf_token(&a)));
    assert!(!csrf_ok(&a, &csrf_token(&b)));
    assert!(!csrf_ok(&a, ""));
    assert!(!csrf_ok("", &csrf_token("")));
}

#[test]
fn sessions_are_stored_by_digest_and_purged_when_over() {
    let (account, clock) = crate::testing::account();
    let now = account.now();
    account
        .write(|txn| save(txn, "cookie-1", session(now, now)))
        .unwrap();
    let state = account.snapshot();
    assert!(state.console_sessions.get("cookie-1").is_none());
    assert!(find(&state, "cookie-1", now).is_some());
    assert!(find(&state, "cookie-2", now).is_none());
    clock.advance(std::time::Duration::from_secs(IDLE_TIMEOUT as u64));
    assert!(find(&account.snapshot(), "cookie-1", account.now()).is_none());
    let purged = account.write(|txn| Ok(purge(txn, txn.now))).unwrap();
    assert_eq!(purged, 1);
    assert!(account.snapshot().console_sessions.is_empty());
}

#[test]
fn cookies_are_read_by_name_from_a_cookie_header() {
    let header = "theme=dark; iamd-console=abc=def;iamd-signin=; iamd-console=second";
    assert_eq!(cookie(header, "iamd-console"), Some("abc=def"));
    assert_eq!(cookie(header, "iamd-signin"), Some(""));
    assert_eq!(cookie(header, "theme"), Some("dark"));
    assert_eq!(cookie(header, "iamd"), None);
    assert_eq!(cookie("iamd-console", "iamd-console"), None);
    assert_eq!(cookie("", "iamd-console"), None);
}
