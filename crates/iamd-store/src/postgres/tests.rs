//! The store on PostgreSQL: the same conformance suite as every backend, migrations, URLs.
//! Each test works in a database of its own (see `test_database`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn conforms_and_persists() {
    let url = test_database::fresh("conforms");
    let events = {
        let store = PostgresStore::open(&url).unwrap();
        crate::conformance::run(&store);
        store.audit_events(100).unwrap().len()
    };
    let reopened = crate::open(&url, false).unwrap();
    assert_eq!(
        reopened.load().unwrap().len(),
        1,
        "what the suite left is still there"
    );
    assert!(events > 0);
    assert_eq!(reopened.audit_events(100).unwrap().len(), events);
}

#[test]
fn nodes_starting_at_once_migrate_once() {
    let url = test_database::fresh("migrate");
    let opened: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PostgresStore::open(&url).map(|_| ()))
        })
        .collect();
    for node in opened {
        node.join().unwrap().unwrap();
    }
    let store = PostgresStore::open(&url).unwrap();
    let versions: i64 = store
        .runtime
        .run({
            let pool = store.pool.clone();
            async move {
                let mut lease = pool.get().await?;
                let row = lease
                    .conn()?
                    .client
                    .query_one("SELECT COUNT(*) FROM schema_version", &[])
                    .await
                    .map_err(fail)?;
                Ok(row.get(0))
            }
        })
        .unwrap();
    assert_eq!(versions, i64::from(schema::LATEST));
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let url = test_database::fresh("newer");
    let store = PostgresStore::open(&url).unwrap();
    let pool = store.pool.clone();
    store
        .runtime
        .run(async move {
            let mut lease = pool.get().await?;
            lease
                .conn()?
                .client
                .batch_execute("INSERT INTO schema_version VALUES (99)")
                .await
                .map_err(fail)
        })
        .unwrap();
    let err = PostgresStore::open(&url).err().unwrap();
    assert!(err.0.contains("schema version 99 is newer"), "{err}");
}

#[test]
fn bad_urls_and_unreachable_servers_are_one_clear_error() {
    let err = PostgresStore::open("postgres://u@h:notaport/db")
        .err()
        .unwrap();
    assert!(err.0.starts_with("invalid PostgreSQL URL"), "{err}");
    let err = PostgresStore::open("postgres://postgres@127.0.0.1:5432/db?sslmode=verify")
        .err()
        .unwrap();
    assert!(err.0.contains("sslmode=verify (expected disable"), "{err}");
    // Port 1 on loopback: nothing listens there.
    let err = PostgresStore::open("postgres://postgres:secret@127.0.0.1:1/iamd")
        .err()
        .unwrap();
    assert!(
        err.0.contains("cannot connect to 127.0.0.1:1/iamd"),
        "{err}"
    );
    assert!(
        !err.0.contains("secret"),
        "the password is never shown: {err}"
    );
}

#[test]
fn calls_from_inside_an_async_runtime_work() {
    let url = test_database::fresh("async");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = crate::open(&url, false).unwrap();
        store
            .commit(
                &[Change::Put {
                    kind: "user",
                    key: "a".into(),
                    body: "{}".into(),
                }],
                &[],
            )
            .unwrap();
        assert_eq!(store.load().unwrap().len(), 1);
    });
}

fn put(key: &str) -> Vec<Change> {
    vec![Change::Put {
        kind: "user",
        key: key.into(),
        body: "{}".into(),
    }]
}

#[test]
fn of_two_writers_on_one_position_exactly_one_commits() {
    let url = test_database::fresh("changelog");
    let (a, b) = (
        PostgresStore::open(&url).unwrap(),
        PostgresStore::open(&url).unwrap(),
    );
    assert_eq!(a.load_at().unwrap(), (0, vec![]));
    assert_eq!(a.commit_after(0, &put("alice"), &[]), Ok(1));
    assert_eq!(
        b.commit_after(0, &put("bob"), &[]),
        Err(crate::CommitError::Stale)
    );
    assert_eq!(
        b.load_at().unwrap().1.len(),
        1,
        "the stale commit wrote nothing"
    );
    let seen = b.commits_after(0).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].seq, seen[0].changes[0].key.as_str()), (1, "alice"));
    let delete = [Change::Delete {
        kind: "user",
        key: "alice".into(),
    }];
    assert_eq!(b.commit_after(1, &delete, &[]), Ok(2));
    let seen = a.commits_after(1).unwrap();
    assert_eq!(seen[0].changes[0].body, None, "a deletion");
    // Plain commits are logged too, and numbered after the others.
    a.commit(&put("carol"), &[]).unwrap();
    assert_eq!(a.commits_after(2).unwrap()[0].seq, 3);
    assert_eq!(a.load_at().unwrap().0, 3);
}

#[test]
fn a_commit_wakes_the_other_nodes() {
    let url = test_database::fresh("wake");
    let (a, b) = (
        PostgresStore::open(&url).unwrap(),
        PostgresStore::open(&url).unwrap(),
    );
    // Past the wake-up the listener gives when it starts listening.
    std::thread::sleep(std::time::Duration::from_millis(500));
    b.wait_for_commit(std::time::Duration::from_millis(1));
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        a.commit(&put("alice"), &[]).unwrap();
    });
    b.wait_for_commit(std::time::Duration::from_secs(60));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "woken by the notification, not the timeout"
    );
}
