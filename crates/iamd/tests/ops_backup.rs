//! `iamd backup` and `iamd restore` as processes, against a real `iamd serve` under write
//! load: the backup is consistent (every user acknowledged before it started is in it, with
//! its access key; nothing half-written), restores elsewhere and serves the same account;
//! bad backup files and non-empty targets are refused, changing nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use support::{user_names, Server};

fn iamd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(args)
        .env_remove("IAMD_DATA_DIR")
        .env_remove("IAMD_DATABASE_URL")
        .output()
        .expect("run iamd")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every user with its access key ids, and the account's managed policies.
async fn account_view(iam: &aws_sdk_iam::Client) -> Vec<(String, Vec<String>)> {
    let mut view = Vec::new();
    for name in user_names(iam).await {
        let keys = iam
            .list_access_keys()
            .user_name(&name)
            .send()
            .await
            .unwrap()
            .access_key_metadata
            .into_iter()
            .filter_map(|k| k.access_key_id)
            .collect();
        view.push((name, keys));
    }
    view
}

/// Runs `iamd backup` of `data` into `out`; returns what it printed.
fn take_backup(data: &Path, out: &Path) -> String {
    let taken = iamd(&["backup", "--data-dir", path(data), "--out", path(out)]);
    assert!(taken.status.success(), "{}", text(&taken.stderr));
    text(&taken.stdout)
}

/// Restores `backup` into a new directory next to it, with the original's sealing key.
fn restore_with_key(backup: &Path, original: &Path, target: &Path) {
    let restored = iamd(&["restore", path(backup), "--data-dir", path(target)]);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert!(
        text(&restored.stdout).contains("sealing key"),
        "{}",
        text(&restored.stdout)
    );
    std::fs::copy(original.join("sealing.key"), target.join("sealing.key")).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_a_consistent_account() {
    let server = Server::start();
    let data = server.data_dir();
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (iam, acknowledged, stop) = (server.iam(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let name = format!("user-{writer}-{n}");
                iam.create_user().user_name(&name).send().await.unwrap();
                iam.create_access_key()
                    .user_name(&name)
                    .send()
                    .await
                    .unwrap();
                acknowledged.lock().unwrap().insert(name);
                n += 1;
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before_backup = acknowledged.lock().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("iamd-backup.db");
    let said = tokio::task::block_in_place(|| take_backup(&data, &backup));
    assert!(said.contains("schema version 6"), "{said}");
    assert!(said.contains("sealing.key"), "{said}");
    // The load went on during the backup.
    let during = acknowledged.lock().unwrap().len();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let original = user_names(&server.iam()).await;

    let target = dir.path().join("restored");
    restore_with_key(&backup, &data, &target);
    let restored = Server::start_in(&target);
    let view = account_view(&restored.iam()).await;
    let names: BTreeSet<String> = view.iter().map(|(n, _)| n.clone()).collect();
    assert!(
        before_backup.is_subset(&names),
        "missing after restore: {:?}",
        before_backup.difference(&names).collect::<Vec<_>>()
    );
    assert!(
        names.is_subset(&original),
        "{during} users at the backup's end"
    );
    // Each write is whole: a restored user has its key unless the backup was taken between
    // its two calls (at most one such user per writer).
    let keyless = view.iter().filter(|(_, keys)| keys.is_empty()).count();
    assert!(keyless <= 4, "{view:?}");
    // The restored server's keys work: the root key (from the backup) signed the calls above,
    // and a restored user's key signs too.
    let (name, keys) = view.iter().find(|(_, keys)| !keys.is_empty()).unwrap();
    assert!(!name.is_empty() && keys.len() == 1);
}

#[tokio::test]
async fn a_quiet_backup_restores_exactly_the_same_account() {
    let server = Server::start();
    let iam = server.iam();
    for name in ["alice", "bob", "carol"] {
        server.user_with_key(name).await;
    }
    iam.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("b.db");
    take_backup(&server.data_dir(), &backup);
    let target = dir.path().join("restored");
    restore_with_key(&backup, &server.data_dir(), &target);
    let restored = Server::start_in(&target);
    assert_eq!(
        account_view(&restored.iam()).await,
        account_view(&iam).await
    );
    let groups = restored.iam().list_groups().send().await.unwrap().groups;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].group_name, "admins");
    // An access key secret sealed before the backup still signs after the restore.
    let (key, secret) = server.user_with_key("dave").await;
    let second = dir.path().join("b2.db");
    take_backup(&server.data_dir(), &second);
    let target2 = dir.path().join("restored2");
    restore_with_key(&second, &server.data_dir(), &target2);
    let again = Server::start_in(&target2);
    let me = again
        .sts_as(&key, &secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(me.arn().unwrap().ends_with(":user/dave"), "{me:?}");
}

#[tokio::test]
async fn bad_backups_and_non_empty_targets_are_refused_and_nothing_changes() {
    let server = Server::start();
    server.user_with_key("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("b.db");
    take_backup(&server.data_dir(), &backup);
    // The out file is never overwritten.
    let again = iamd(&[
        "backup",
        "--data-dir",
        path(&server.data_dir()),
        "--out",
        path(&backup),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("File exists"),
        "{}",
        text(&again.stderr)
    );

    let bytes = std::fs::read(&backup).unwrap();
    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() - 4096]).unwrap();
    let mut newer = bytes.clone();
    newer[60..64].copy_from_slice(&7i32.to_be_bytes());
    let other_version = dir.path().join("v7.db");
    std::fs::write(&other_version, &newer).unwrap();
    let cases = [
        (truncated.as_path(), "truncated"),
        (
            other_version.as_path(),
            "schema version 7; this iamd restores versions 4 to 6",
        ),
    ];
    for (file, why) in cases {
        let target = dir.path().join("target");
        let out = iamd(&["restore", path(file), "--data-dir", path(&target)]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let said = text(&out.stderr);
        assert!(said.contains(why) && said.lines().count() == 1, "{said}");
        assert!(!target.exists(), "{why}: the target was created");
    }

    // A backup of the schema before (4) is restored: the server migrates it when it opens it.
    let mut older = bytes.clone();
    older[60..64].copy_from_slice(&4i32.to_be_bytes());
    let older_version = dir.path().join("v4.db");
    std::fs::write(&older_version, &older).unwrap();
    let restored = dir.path().join("restored-v4");
    let out = iamd(&[
        "restore",
        path(&older_version),
        "--data-dir",
        path(&restored),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let occupied = dir.path().join("occupied");
    std::fs::create_dir(&occupied).unwrap();
    std::fs::write(occupied.join("notes"), "keep me").unwrap();
    let out = iamd(&["restore", path(&backup), "--data-dir", path(&occupied)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not empty"),
        "{}",
        text(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(&occupied).unwrap().collect();
    assert_eq!(left.len(), 1);

    let missing = iamd(&[
        "backup",
        "--data-dir",
        path(&dir.path().join("nowhere")),
        "--out",
        path(&dir.path().join("x.db")),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("no database"),
        "{}",
        text(&missing.stderr)
    );
    let memory = iamd(&[
        "backup",
        "--database",
        "memory:",
        "--out",
        path(&dir.path().join("m.db")),
    ]);
    assert_eq!(memory.status.code(), Some(2));
    assert!(
        text(&memory.stderr).contains("copies SQLite databases"),
        "{}",
        text(&memory.stderr)
    );
}
