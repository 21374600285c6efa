use super::format::{encode, encode_plain, pack, pack_whole};
use super::*;
use crate::sqlite::SqliteStore;
use crate::{AuditQuery, Store};

/// A read's record as iamd writes them (the body of a GetUser, ~700 bytes).
fn read_record(i: i64) -> AuditRecord {
    let body = format!(
        r#"{{"eventVersion":"1.11","userIdentity":{{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}},"eventTime":"2026-12-07T12:00:{:02}Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"bench","requestParameters":{{"userName":"bench-user-{i:03}"}},"responseElements":null,"requestID":"{i:08x}-5d1c-4c7e-9b1a-0c7d2b6f1e3a","eventID":"0193a5c1-{i:04x}-7000-8000-000000000000","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}}"#,
        i % 60
    );
    AuditRecord {
        event_id: format!("0193a5c1-{i:04x}-7000-8000-000000000000"),
        event_time: 1_795_423_481 + i,
        event_name: "GetUser".into(),
        event_source: "iam.amazonaws.com".into(),
        username: "root".into(),
        body,
        lookup: Default::default(),
    }
}

#[test]
fn blocks_are_compressed_and_decode_to_their_records() {
    let records: Vec<AuditRecord> = (0..500).map(read_record).collect();
    let positioned: Vec<(i64, &AuditRecord)> = (1..).zip(&records).collect();
    let raw = encode_plain(&positioned);
    let packed = pack(&positioned);
    assert!(
        packed.len() * 5 < raw.len(),
        "{} bytes packed, {} raw",
        packed.len(),
        raw.len()
    );
    let decoded = decode(&packed).unwrap();
    assert_eq!(decoded.len(), records.len());
    for ((position, record), (expected_position, expected)) in decoded.iter().zip(&positioned) {
        assert_eq!(position, expected_position);
        assert_eq!(record, *expected);
    }
}

/// A record of `body` (the rest as [`read_record`]'s).
fn with_body(i: i64, body: &str) -> AuditRecord {
    AuditRecord {
        body: body.to_string(),
        ..read_record(i)
    }
}

#[test]
fn bodies_written_as_differences_decode_to_themselves() {
    // Alike, identical, empty, one the start or the end of the next, several-byte
    // characters differing inside a character, and more than a run of them.
    let bodies = [
        "{\"a\":1}",
        "{\"a\":1}",
        "",
        "",
        "{\"a\":12}",
        "{\"a\":1",
        "\"a\":1}",
        "x",
        "xyzzy-xyzzy",
        "é€😀 text é€😀",
        "é€😁 text é€😀",
        "€",
        "😀",
        "a long one that repeats, a long one",
        "a long one that differs, a long one",
        "{\"a\":1}",
    ];
    // Of several kinds (each written against the last of its kind), more than a run
    // remembers (nine usernames), and alike runs (stored) and unlike ones (compressed).
    let mut records: Vec<AuditRecord> = (0..150)
        .map(|i| AuditRecord {
            username: format!("user-{}", i % 9),
            event_name: ["GetUser", "ListUsers"][usize::try_from(i).unwrap() % 2].into(),
            ..with_body(i, bodies[usize::try_from(i).unwrap() % bodies.len()])
        })
        .collect();
    records.extend((150..300).map(read_record));
    let positioned: Vec<(i64, &AuditRecord)> = (1..).zip(&records).collect();
    let decoded = decode(&pack(&positioned)).unwrap();
    let bodies: Vec<&str> = decoded.iter().map(|(_, r)| r.body.as_str()).collect();
    let expected: Vec<&str> = records.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(bodies, expected);
}

#[test]
fn version_5_blocks_with_whole_bodies_still_decode() {
    let records: Vec<AuditRecord> = (0..130).map(read_record).collect();
    let positioned: Vec<(i64, &AuditRecord)> = (1..).zip(&records).collect();
    let whole = pack_whole(&positioned);
    assert_ne!(whole, pack(&positioned));
    let decoded = decode(&whole).unwrap();
    assert_eq!(decoded.len(), records.len());
    for ((_, record), expected) in decoded.iter().zip(&records) {
        assert_eq!(record, expected);
    }
}

#[test]
fn a_difference_longer_than_the_body_before_it_is_corrupt() {
    let records = [with_body(1, "abc"), with_body(2, "abd")];
    let positioned: Vec<(i64, &AuditRecord)> = (1..).zip(&records).collect();
    let packed = pack(&positioned);
    let heads_len = usize::try_from(u32::from_le_bytes(packed[8..12].try_into().unwrap())).unwrap();
    // The block with one run stored as it is: "abc" whole, then against it (one back)
    // `prefix` bytes kept from its start, "d", and `suffix` bytes kept from its end.
    let forged = |prefix: u8, suffix: u8| {
        let run = [0, 0, 0, 3, b'a', b'b', b'c', 1, prefix, suffix, 1, b'd'];
        let mut block = packed[..12 + heads_len].to_vec();
        block.extend_from_slice(&u32::try_from(run.len() + 1).unwrap().to_le_bytes());
        block.push(0);
        block.extend_from_slice(&run);
        block
    };
    assert_eq!(decode(&forged(2, 0)).unwrap()[1].1.body, "abd");
    assert_eq!(decode(&forged(1, 1)).unwrap()[1].1.body, "adc");
    assert!(decode(&forged(2, 2)).is_err());
    assert!(decode(&forged(4, 0)).is_err());
    assert!(decode(&forged(0x7f, 1)).is_err());
}

#[test]
fn version_4_blocks_still_decode() {
    let store = SqliteStore::in_memory().unwrap();
    store.commit(&[], &[read_record(1)]).unwrap();
    // A block as schema version 4 wrote it: `encode`'s bytes as they are.
    let old: Vec<AuditRecord> = (2..5).map(read_record).collect();
    let positioned: Vec<(i64, &AuditRecord)> = (2..).zip(&old).collect();
    {
        let conn = store.conn().unwrap();
        conn.execute(
            "INSERT INTO audit_blocks (id, span, min_time, max_time, count, records)
             VALUES (2, 3, ?1, ?2, 3, ?3)",
            params![
                old[0].event_time,
                old[2].event_time,
                encode_plain(&positioned)
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO audit_block_keys (attr, value, max_time, block) VALUES (?1, ?2, ?3, 2)",
            params![
                Attr::EventIdPrefix as i64,
                event_id_prefix(&old[0].event_id),
                old[2].event_time
            ],
        )
        .unwrap();
    }
    store.forget_recent();
    let ids: Vec<String> = store
        .audit_events(10)
        .unwrap()
        .into_iter()
        .map(|r| r.event_id)
        .collect();
    assert_eq!(
        ids,
        [4, 3, 2, 1].map(|i| read_record(i).event_id).to_vec(),
        "newest first, old and new blocks"
    );
    let found = store
        .audit_page(&AuditQuery {
            event_id: Some(old[1].event_id.clone()),
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, old[1]);
    // An id of the old block is still known (uniqueness), and retention rewrites the old
    // block (plain: small).
    assert!(store.commit(&[], &[read_record(3)]).is_err());
    assert_eq!(store.delete_audit_before(old[1].event_time, 10).unwrap(), 2);
    let conn = store.conn().unwrap();
    let bytes: Vec<u8> = conn
        .query_row("SELECT records FROM audit_blocks WHERE id = 2", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(bytes, encode(&[(3, &old[1]), (4, &old[2])]));
    assert_eq!(decode(&bytes).unwrap().len(), 2);
}

#[test]
fn small_blocks_are_plain_larger_ones_compressed() {
    let records: Vec<AuditRecord> = (0..5).map(read_record).collect();
    let positioned: Vec<(i64, &AuditRecord)> = (1..).zip(&records).collect();
    for n in 1..=5 {
        let bytes = encode(&positioned[..n]);
        let plain = encode_plain(&positioned[..n]);
        if plain.len() <= 3000 {
            assert_eq!(bytes, plain, "{n} records");
        } else {
            assert_eq!(bytes, pack(&positioned[..n]), "{n} records");
        }
        let decoded = decode(&bytes).unwrap();
        let expected: Vec<(i64, AuditRecord)> = positioned[..n]
            .iter()
            .map(|(p, r)| (*p, (*r).clone()))
            .collect();
        assert_eq!(decoded, expected);
    }
    assert_eq!(encode(&positioned[..1]), encode_plain(&positioned[..1]));
    assert_eq!(encode(&positioned), pack(&positioned));
}

#[test]
fn corrupt_blocks_are_errors() {
    let records: Vec<AuditRecord> = (0..100).map(read_record).collect();
    let positioned: Vec<(i64, &AuditRecord)> = (1..).zip(&records).collect();
    let packed = pack(&positioned);
    for cut in [9, 12, 40, packed.len() / 2, packed.len() - 3] {
        assert!(decode(&packed[..cut]).is_err(), "cut at {cut}");
    }
    // A run of bodies missing, or one too many.
    let heads_end =
        8 + 4 + usize::try_from(u32::from_le_bytes(packed[8..12].try_into().unwrap())).unwrap();
    assert!(decode(&packed[..heads_end]).is_err());
    let mut extra = packed.clone();
    extra.extend_from_slice(&packed[heads_end..]);
    assert!(decode(&extra).is_err());
    // A length that would inflate to more than a block can hold.
    let mut huge = packed[..8].to_vec();
    huge.extend_from_slice(&20u32.to_le_bytes());
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    huge.extend_from_slice(&[0; 16]);
    assert!(decode(&huge).is_err());
}

#[test]
fn a_lookup_inflates_the_bodies_it_returns() {
    let store = SqliteStore::in_memory().unwrap();
    let mut records: Vec<AuditRecord> = (0..300).map(read_record).collect();
    records[250].username = "bob".into();
    store.commit(&[], &records).unwrap();
    let found = store
        .audit_page(&AuditQuery {
            username: Some("bob".into()),
            limit: 50,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found, vec![(251, records[250].clone())]);
    // A body no longer valid: only the lookups reading it see it.
    let conn = store.conn().unwrap();
    let bytes: Vec<u8> = conn
        .query_row("SELECT records FROM audit_blocks", [], |row| row.get(0))
        .unwrap();
    let block = Block::read(&bytes).unwrap();
    let heads = block.heads().unwrap();
    assert_eq!(heads.len(), 300);
    let mut bodies = Bodies::default();
    assert_eq!(
        block.record(250, &heads[250], &mut bodies).unwrap(),
        records[250]
    );
    assert_eq!(block.record(3, &heads[3], &mut bodies).unwrap(), records[3]);
}

/// A record with this event id (time-ordered ids of one 256 ms share a prefix).
fn with_id(id: &str) -> AuditRecord {
    AuditRecord {
        event_id: id.into(),
        ..read_record(0)
    }
}

fn positions(store: &SqliteStore) -> Vec<i64> {
    let mut found: Vec<i64> = store
        .audit_page(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|(position, _)| position)
        .collect();
    found.sort_unstable();
    found
}

#[test]
fn ids_stay_unique_beyond_the_remembered_prefixes() {
    let store = SqliteStore::in_memory().unwrap();
    let ids: Vec<String> = (0..8)
        .map(|i| format!("0193a5c1-{i:02x}00-7000-8000-000000000000"))
        .collect();
    for id in &ids {
        store.commit(&[], &[with_id(id)]).unwrap();
    }
    // The first prefixes were forgotten, the last are remembered: both refuse.
    for id in &ids {
        let err = store.commit(&[], &[with_id(id)]).unwrap_err();
        assert!(err.0.contains("already stored"), "{err}");
    }
    // An id within the new block and stored under another prefix, in one block.
    let fresh = "0193a5c1-ff00-7000-8000-000000000000";
    assert!(store
        .commit(&[], &[with_id(fresh), with_id(&ids[0])])
        .is_err());
    assert!(store
        .commit(&[], &[with_id(fresh), with_id(fresh)])
        .is_err());
    store.commit(&[], &[with_id(fresh)]).unwrap();
    assert_eq!(positions(&store), (1..=9).collect::<Vec<_>>());
}

#[test]
fn a_failed_commit_leaves_nothing_remembered() {
    let store = SqliteStore::in_memory().unwrap();
    let a = "0193a5c1-0000-7000-8000-00000000000a";
    let b = "0193a5c1-0000-7000-8000-00000000000b";
    store.commit(&[], &[with_id(a)]).unwrap();
    // b is refused with a's duplicate: neither its id, its positions nor the entity
    // written with it are kept.
    let bob = crate::Change::Put {
        kind: "user",
        key: "bob".into(),
        body: "{}".into(),
    };
    assert!(store
        .commit(std::slice::from_ref(&bob), &[with_id(b), with_id(a)])
        .is_err());
    assert!(store.load().unwrap().is_empty());
    store.commit(&[], &[with_id(b)]).unwrap();
    assert_eq!(positions(&store), [1, 2]);
    // A commit the database refuses (an entity change) is undone with its block.
    store
        .conn()
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'no'); END;",
        )
        .unwrap();
    let c = "0193a5c1-0000-7000-8000-00000000000c";
    assert!(store.commit(&[bob], &[with_id(c)]).is_err());
    store.commit(&[], &[with_id(c)]).unwrap();
    assert_eq!(positions(&store), [1, 2, 3]);
}

#[test]
fn another_writer_on_the_same_file_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iamd.db");
    let ours = SqliteStore::open(&path, false).unwrap();
    let theirs = SqliteStore::open(&path, false).unwrap();
    let id = |i: u8| format!("0193a5c1-0000-7000-8000-0000000000{i:02x}");
    ours.commit(&[], &[with_id(&id(1))]).unwrap();
    theirs.commit(&[], &[with_id(&id(2))]).unwrap();
    // Ours sees their block: the next position is after it, and its id is taken.
    ours.commit(&[], &[with_id(&id(3))]).unwrap();
    assert!(ours.commit(&[], &[with_id(&id(2))]).is_err());
    theirs.commit(&[], &[with_id(&id(4))]).unwrap();
    assert!(theirs.commit(&[], &[with_id(&id(3))]).is_err());
    assert_eq!(positions(&ours), [1, 2, 3, 4]);
}

#[test]
fn deleted_ids_and_positions_are_free_again() {
    let store = SqliteStore::in_memory().unwrap();
    let a = "0193a5c1-0000-7000-8000-00000000000a";
    store
        .commit(
            &[],
            &[AuditRecord {
                event_time: 5,
                ..with_id(a)
            }],
        )
        .unwrap();
    assert_eq!(store.delete_audit_before(6, 10).unwrap(), 1);
    store.commit(&[], &[with_id(a)]).unwrap();
    assert_eq!(positions(&store), [1]);
}

fn key_rows(store: &SqliteStore, attr: Attr) -> i64 {
    store
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_block_keys WHERE attr = ?1",
            [attr as i64],
            |row| row.get(0),
        )
        .unwrap()
}

/// A read's record with a username of its own.
fn user_record(i: i64) -> AuditRecord {
    AuditRecord {
        username: format!("user-{i}"),
        ..read_record(i)
    }
}

fn by_user(store: &SqliteStore, i: i64) -> Vec<(i64, AuditRecord)> {
    store
        .audit_page(&AuditQuery {
            username: Some(format!("user-{i}")),
            limit: 5,
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn small_blocks_are_keyed_once_merged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iamd.db");
    let store = SqliteStore::open(&path, false).unwrap();
    let n = pending::PENDING as i64 - 1;
    for i in 1..=n {
        store.commit(&[], &[user_record(i)]).unwrap();
    }
    assert_eq!(key_rows(&store, Attr::Pending), n);
    assert_eq!(key_rows(&store, Attr::Username), 0);
    for i in 1..=n {
        assert_eq!(by_user(&store, i), [(i, user_record(i))]);
    }
    // Opened again, the next small block merges them all into one keyed block.
    drop(store);
    let store = SqliteStore::open(&path, false).unwrap();
    store.commit(&[], &[user_record(n + 1)]).unwrap();
    assert_eq!(key_rows(&store, Attr::Pending), 0);
    assert_eq!(key_rows(&store, Attr::Username), n + 1);
    let blocks: (i64, i64, i64) = store
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*), min(id), max(id + span) FROM audit_blocks",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(blocks, (1, 1, n + 2));
    for i in 1..=n + 1 {
        assert_eq!(by_user(&store, i), [(i, user_record(i))]);
        let id = user_record(i).event_id;
        assert!(store.commit(&[], &[with_id(&id)]).is_err(), "{id}");
    }
    // Pending again; a larger block merges at once.
    store.commit(&[], &[user_record(n + 2)]).unwrap();
    assert_eq!(key_rows(&store, Attr::Pending), 1);
    let large: Vec<AuditRecord> = (n + 3..n + 3 + pending::SMALL as i64)
        .map(user_record)
        .collect();
    store.commit(&[], &large).unwrap();
    assert_eq!(key_rows(&store, Attr::Pending), 0);
    assert_eq!(by_user(&store, n + 2), [(n + 2, user_record(n + 2))]);
    let last = n + 2 + pending::SMALL as i64;
    assert_eq!(by_user(&store, last), [(last, user_record(last))]);
    assert_eq!(
        store.audit_events(usize::MAX).unwrap().len(),
        usize::try_from(last).unwrap()
    );
}

#[test]
fn retention_keeps_pending_blocks_pending() {
    let store = SqliteStore::in_memory().unwrap();
    store
        .commit(&[], &[user_record(1), user_record(2)])
        .unwrap();
    store.commit(&[], &[user_record(3)]).unwrap();
    let deleted = store
        .delete_audit_before(user_record(2).event_time, 10)
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(key_rows(&store, Attr::Pending), 2);
    assert_eq!(by_user(&store, 2), [(2, user_record(2))]);
    // Merged (at the 33rd) and pending again: every position once, in order.
    for i in 4..=40 {
        store.commit(&[], &[user_record(i)]).unwrap();
    }
    assert!(key_rows(&store, Attr::Pending) < 10);
    assert_eq!(positions(&store), (2..=40).collect::<Vec<_>>());
    for i in 2..=40 {
        assert_eq!(by_user(&store, i), [(i, user_record(i))]);
    }
}

fn all_keys(store: &SqliteStore) -> Vec<(i64, String, i64, i64)> {
    let conn = store.conn().unwrap();
    let mut stmt = conn
        .prepare("SELECT attr, value, max_time, block FROM audit_block_keys ORDER BY 1, 2, 3, 4")
        .unwrap();
    let rows = stmt
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_merge_keys_the_records_as_their_bodies_say() {
    // With the lookup fields given by the writer (kept in memory while pending), and read
    // from the bodies (the store forgot them): the same keys.
    let hinted = |i: i64| {
        let record = user_record(i);
        let fields = crate::lookup::LookupFields::of(&record.body);
        AuditRecord {
            lookup: crate::LookupHint(Some(fields)),
            ..record
        }
    };
    let n = pending::PENDING as i64;
    let remembered = SqliteStore::in_memory().unwrap();
    let read = SqliteStore::in_memory().unwrap();
    for i in 1..=n {
        remembered.commit(&[], &[hinted(i)]).unwrap();
        if i == n {
            read.forget_recent();
        }
        read.commit(&[], &[hinted(i)]).unwrap();
    }
    assert_eq!(key_rows(&remembered, Attr::Pending), 0);
    let keys = all_keys(&remembered);
    assert_eq!(keys, all_keys(&read));
    assert!(keys.len() > 2 * pending::PENDING, "{}", keys.len());
}
