#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::{AuditRecord, Change, SqliteStore, Store};

fn store_with_one_user(path: &Path) -> SqliteStore {
    let store = SqliteStore::open(path, false).unwrap();
    let audit = AuditRecord {
        event_id: "e1".into(),
        event_time: 1,
        event_name: "CreateUser".into(),
        event_source: "iam.amazonaws.com".into(),
        username: "root".into(),
        body: "{}".into(),
        lookup: Default::default(),
    };
    let change = Change::Put {
        kind: "user",
        key: "alice".into(),
        body: "{}".into(),
    };
    store.commit(&[change], &[audit]).unwrap();
    store
}

#[test]
fn a_backup_taken_while_the_store_is_open_restores_to_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("iamd.db");
    let store = store_with_one_user(&live);
    let out = dir.path().join("backup.db");
    let info = backup(&live, &out).unwrap();
    assert_eq!(
        (info.schema_version, info.records, info.audit_events),
        (crate::sqlite::SCHEMA_VERSION, 1, 1)
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The backup is a copy: later writes are not in it.
    store
        .commit(
            &[Change::Delete {
                kind: "user",
                key: "alice".into(),
            }],
            &[],
        )
        .unwrap();
    let restored = dir.path().join("restored.db");
    assert_eq!(restore(&out, &restored).unwrap(), info);
    let records = SqliteStore::open(&restored, false).unwrap().load().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].key, "alice");
    // Never over an existing file.
    assert!(backup(&live, &out).unwrap_err().0.contains("cannot create"));
    let err = restore(&out, &restored).unwrap_err();
    assert!(err.0.contains("exists"), "{err}");
}

#[test]
fn truncated_foreign_and_newer_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("iamd.db");
    drop(store_with_one_user(&live));
    let out = dir.path().join("backup.db");
    backup(&live, &out).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    let target = dir.path().join("target.db");

    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let err = restore(&truncated, &target).unwrap_err();
    assert!(err.0.contains("truncated"), "{err}");

    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "x".repeat(200)).unwrap();
    let err = restore(&foreign, &target).unwrap_err();
    assert!(err.0.contains("not an SQLite database"), "{err}");

    let newer = dir.path().join("newer.db");
    let mut changed = bytes.clone();
    changed[60..64].copy_from_slice(&7i32.to_be_bytes());
    std::fs::write(&newer, &changed).unwrap();
    let err = restore(&newer, &target).unwrap_err();
    assert!(err.0.contains("schema version 7"), "{err}");
    let err = SqliteStore::open(&newer, false).err().unwrap();
    assert!(err.0.contains("newer than this iamd"), "{err}");

    assert!(!target.exists());
    let err = backup(&dir.path().join("missing.db"), &dir.path().join("b2.db")).unwrap_err();
    assert!(err.0.contains("no database"), "{err}");
}
