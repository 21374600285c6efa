use super::format::{encode_plain, pack, pack_whole};
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
    // block compressed.
    assert!(store.commit(&[], &[read_record(3)]).is_err());
    assert_eq!(store.delete_audit_before(old[1].event_time, 10).unwrap(), 2);
    let conn = store.conn().unwrap();
    let bytes: Vec<u8> = conn
        .query_row("SELECT records FROM audit_blocks WHERE id = 2", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(bytes, pack(&[(3, &old[1]), (4, &old[2])]));
    assert_eq!(decode(&bytes).unwrap().len(), 2);
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
