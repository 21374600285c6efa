//! The behaviour every `Store` must have. Call `run` from each backend's tests on an empty store.

use crate::{AuditQuery, AuditRecord, Change, Store};

fn put(kind: &'static str, key: &str, body: &str) -> Change {
    Change::Put {
        kind,
        key: key.into(),
        body: body.into(),
    }
}

/// A record of `name` with the id `id` (also for backends' own tests).
pub fn event(id: &str, name: &str) -> AuditRecord {
    AuditRecord {
        event_id: id.into(),
        event_time: 1_795_423_481,
        event_name: name.into(),
        event_source: "iam.amazonaws.com".into(),
        username: "alice".into(),
        body: format!("{{\"eventName\":\"{name}\"}}"),
        lookup: Default::default(),
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
    store
        .commit(
            &[put("group", "admins", "{}"), put("user", "zed", "{}")],
            &[],
        )
        .unwrap();
    // One at a time: the same records as `load`, and the first error of the callee stops it.
    let mut each = Vec::new();
    store
        .load_each(&mut |record| {
            each.push(record);
            Ok(())
        })
        .unwrap();
    let mut all = store.load().unwrap();
    all.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
    each.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
    assert_eq!(each, all);
    assert_eq!(each.len(), 3);
    let mut seen = 0;
    let stopped = store.load_each(&mut |_| {
        seen += 1;
        Err("no more".into())
    });
    assert_eq!((stopped, seen), (Err("no more".to_string()), 1));
    store
        .commit(
            &[
                Change::Delete {
                    kind: "group",
                    key: "admins".into(),
                },
                Change::Delete {
                    kind: "user",
                    key: "zed".into(),
                },
            ],
            &[],
        )
        .unwrap();
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
        before: Some((page[1].1.event_time, page[1].0)),
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
    lookups_by_record_fields(store);
    retention(store);
    every_kind(store);
}

/// Every kind of record iamd stores (iamd-core's `Kind::ALL` names, held equal to this list by
/// a test there), so that the suite covers each new kind of entity.
pub const ENTITY_KINDS: &[&str] = &[
    "user",
    "group",
    "role",
    "instance_profile",
    "oidc_provider",
    "policy",
    "access_key",
    "mfa_device",
    "login_profile",
    "password_policy",
    "credential_report",
    "account_alias",
    "session",
    "ssh_public_key",
    "signing_certificate",
    "service_credential",
    "last_used",
    "console_session",
    "saml_provider",
    "password_throttle",
    "key_ceremony",
    "server_certificate",
    "deletion_task",
    "access_job",
    "sts_preferences",
    "saml_assertion",
    "outbound_federation",
];

/// A record of every kind is stored, read back with its kind, key and body (keys with `/`,
/// as deletion task and job ids have), and deleted; the records already there stay.
#[allow(clippy::unwrap_used, clippy::panic)]
fn every_kind(store: &dyn Store) {
    let before = store.load().unwrap();
    let key = |kind: &str| format!("task/aws-service-role/{kind}.amazonaws.com/R/0");
    let puts: Vec<Change> = ENTITY_KINDS
        .iter()
        .map(|&kind| put(kind, &key(kind), &format!("{{\"kind\":\"{kind}\"}}")))
        .collect();
    store.commit(&puts, &[]).unwrap();
    let records = store.load().unwrap();
    for &kind in ENTITY_KINDS {
        let found = records
            .iter()
            .find(|r| r.kind == kind && r.key == key(kind))
            .unwrap_or_else(|| panic!("no {kind} record read back"));
        assert_eq!(found.body, format!("{{\"kind\":\"{kind}\"}}"));
    }
    let deletes: Vec<Change> = ENTITY_KINDS
        .iter()
        .map(|&kind| Change::Delete {
            kind,
            key: key(kind),
        })
        .collect();
    store.commit(&deletes, &[]).unwrap();
    assert_eq!(store.load().unwrap(), before);
}

fn record(id: &str, time: i64, body: &str) -> AuditRecord {
    AuditRecord {
        event_id: id.into(),
        event_time: time,
        event_name: "GetUser".into(),
        event_source: "iam.amazonaws.com".into(),
        username: "bob".into(),
        body: body.into(),
        lookup: Default::default(),
    }
}

#[allow(clippy::unwrap_used)]
fn ids(store: &dyn Store, query: AuditQuery) -> Vec<String> {
    let query = AuditQuery { limit: 10, ..query };
    store
        .audit_page(&query)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.event_id)
        .collect()
}

/// `readOnly`, the access key and request parameters, newest first by event time even when
/// an older event was stored later (reads are buffered before they are stored).
#[allow(clippy::unwrap_used)]
fn lookups_by_record_fields(store: &dyn Store) {
    let bodies = [
        (
            "r1",
            100,
            r#"{"readOnly":true,"userIdentity":{"accessKeyId":"AKIA1"},"requestParameters":{"userName":"bob"}}"#,
        ),
        (
            "r3",
            300,
            r#"{"readOnly":false,"userIdentity":{"accessKeyId":"AKIA2"},"requestParameters":{"roleName":"admin","userName":"carol"}}"#,
        ),
        (
            "r2",
            200,
            r#"{"readOnly":true,"userIdentity":{"accessKeyId":"AKIA2"},"requestParameters":null}"#,
        ),
    ];
    let records: Vec<_> = bodies
        .iter()
        .map(|(id, time, body)| record(id, *time, body))
        .collect();
    store.commit(&[], &records).unwrap();
    let window = |q: AuditQuery| AuditQuery {
        start: Some(100),
        end: Some(300),
        ..q
    };
    assert_eq!(
        ids(store, window(AuditQuery::default())),
        ["r3", "r2", "r1"]
    );
    let read_only = window(AuditQuery {
        read_only: Some(true),
        ..Default::default()
    });
    assert_eq!(ids(store, read_only), ["r2", "r1"]);
    let key = window(AuditQuery {
        access_key_id: Some("AKIA2".into()),
        ..Default::default()
    });
    assert_eq!(ids(store, key), ["r3", "r2"]);
    let users = |value: Option<&str>| {
        window(AuditQuery {
            parameter: Some(crate::ParameterMatch {
                names: vec!["userName".into(), "newUserName".into()],
                value: value.map(str::to_string),
            }),
            ..Default::default()
        })
    };
    assert_eq!(ids(store, users(None)), ["r3", "r1"]);
    assert_eq!(ids(store, users(Some("bob"))), ["r1"]);
    assert!(ids(store, users(Some("admin"))).is_empty());
    // Paging on from (time, position) of the last event of a page.
    let first = store
        .audit_page(&AuditQuery {
            limit: 1,
            ..window(AuditQuery::default())
        })
        .unwrap();
    let next = window(AuditQuery {
        before: Some((first[0].1.event_time, first[0].0)),
        ..Default::default()
    });
    assert_eq!(ids(store, next), ["r2", "r1"]);
}

/// Old events are deleted oldest first, at most `limit` a call.
#[allow(clippy::unwrap_used)]
fn retention(store: &dyn Store) {
    let before = store.audit_events(usize::MAX).unwrap().len();
    assert_eq!(store.delete_audit_before(250, 1).unwrap(), 1);
    let left = |q| ids(store, q);
    let window = AuditQuery {
        start: Some(100),
        end: Some(300),
        ..Default::default()
    };
    assert_eq!(left(window.clone()), ["r3", "r2"]);
    assert_eq!(store.delete_audit_before(250, 10).unwrap(), 1);
    assert_eq!(left(window), ["r3"]);
    let users = AuditQuery {
        parameter: Some(crate::ParameterMatch {
            names: vec!["userName".into()],
            value: Some("bob".into()),
        }),
        ..Default::default()
    };
    assert!(
        left(users).is_empty(),
        "a deleted event is not found by its parameters"
    );
    assert_eq!(store.audit_events(usize::MAX).unwrap().len(), before - 2);
    assert_eq!(store.delete_audit_before(0, 10).unwrap(), 0);
}
