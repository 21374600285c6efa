//! The behaviour every `Store` must have. Call `run` from each backend's tests on an empty store.

use crate::{AuditQuery, AuditRecord, Change, Store};

fn put(kind: &'static str, key: &str, body: &str) -> Change {
    Change::Put {
        kind,
        key: key.into(),
        body: body.into(),
    }
}

fn event(id: &str, name: &str) -> AuditRecord {
    AuditRecord {
        event_id: id.into(),
        event_time: 1_795_423_481,
        event_name: name.into(),
        event_source: "iam.amazonaws.com".into(),
        username: "alice".into(),
        body: format!("{{\"eventName\":\"{name}\"}}"),
    }
}

/// Runs the suite; panics (in tests) on the first difference. Leaves one record and four
/// audit events behind.
#[allow(clippy::unwrap_used, clippy::panic)]
pub fn run(store: &dyn Store) {
    assert!(store.load().unwrap().is_empty(), "starts empty");
    store
        .commit(
            &[put("user", "alice", "{\"v\":1}"), put("user", "bob", "{}")],
            &[event("e1", "CreateUser")],
        )
        .unwrap();
    store
        .commit(
            &[
                put("user", "alice", "{\"v\":2}"),
                Change::Delete {
                    kind: "user",
                    key: "bob".into(),
                },
            ],
            &[event("e2", "DeleteUser")],
        )
        .unwrap();
    let records = store.load().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].key.as_str(), records[0].body.as_str()),
        ("alice", "{\"v\":2}")
    );
    // A failing commit (duplicate event id) changes nothing: all or nothing.
    let failed = store.commit(&[put("user", "carol", "{}")], &[event("e2", "Again")]);
    assert!(failed.is_err(), "duplicate event ids are refused");
    assert_eq!(
        store.load().unwrap().len(),
        1,
        "the failed commit left nothing behind"
    );
    let events = store.audit_events(10).unwrap();
    let names: Vec<_> = events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(names, ["DeleteUser", "CreateUser"], "newest first");
    assert_eq!(store.audit_events(1).unwrap().len(), 1);

    // Lookups: by field, newest first, paged by position.
    store
        .commit(&[], &[event("e3", "CreateUser"), event("e4", "CreateUser")])
        .unwrap();
    let query = AuditQuery {
        event_name: Some("CreateUser".into()),
        limit: 2,
        ..Default::default()
    };
    let page = store.audit_page(&query).unwrap();
    let ids: Vec<_> = page.iter().map(|(_, e)| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e4", "e3"]);
    let next = AuditQuery {
        before: Some(page[1].0),
        ..query.clone()
    };
    let rest = store.audit_page(&next).unwrap();
    let ids: Vec<_> = rest.iter().map(|(_, e)| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e1"]);
    let by_id = AuditQuery {
        event_id: Some("e2".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.audit_page(&by_id).unwrap().len(), 1);
    let late = AuditQuery {
        start: Some(i64::MAX),
        limit: 10,
        ..Default::default()
    };
    assert!(store.audit_page(&late).unwrap().is_empty());
}
