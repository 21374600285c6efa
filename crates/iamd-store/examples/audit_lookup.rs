//! Times audit lookups in a SQLite store of many records (the scale benchmark's LookupEvents
//! by user, without HTTP): not a test, a measuring tool.
//!
//!   cargo run --release -p iamd-store --example audit_lookup -- DIR [RECORDS] [BLOCK] [LOOKUPS]
//!
//! Writes RECORDS (default 1,000,000) records shaped as `scale_fixture`'s (users
//! `user-000000`.., one per ten records, times over 80 days, five event names) in blocks of
//! BLOCK (default 5,000, as that fixture writes them) into DIR/iamd.db unless it exists, then
//! prints the database size and the p50/p99 of LOOKUPS (default 200) lookups by username
//! (50 records a page), of the newest page, and of a page by event name.

use std::time::Instant;

use iamd_store::{AuditQuery, AuditRecord, SqliteStore, Store};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: audit_lookup DIR [RECORDS] [BLOCK] [LOOKUPS]")?;
    let number = |arg: Option<String>, default: usize| -> Result<usize, String> {
        arg.map_or(Ok(default), |a| a.parse().map_err(|e| format!("{a}: {e}")))
    };
    let records = number(args.next(), 1_000_000)?;
    let block = number(args.next(), 5_000)?.max(1);
    let lookups = number(args.next(), 200)?;
    let users = (records / 10).max(1);
    let path = std::path::Path::new(&dir).join("iamd.db");
    let fresh = !path.exists();
    let store = SqliteStore::open(&path, false).map_err(|e| e.0)?;
    if fresh {
        let started = Instant::now();
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let now = 1_795_423_481i64;
        const NAMES: [(&str, bool); 5] = [
            ("GetUser", true),
            ("ListGroupsForUser", true),
            ("CreateAccessKey", false),
            ("AttachUserPolicy", false),
            ("GetCallerIdentity", true),
        ];
        for start in (0..records).step_by(block) {
            let batch: Vec<AuditRecord> = (start..(start + block).min(records))
                .map(|i| {
                    let user = format!("user-{:06}", next(users));
                    let (event, read_only) = NAMES[next(NAMES.len())];
                    let time = now - next(80 * 86_400) as i64;
                    let id = format!(
                        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                        i,
                        next(65536),
                        next(4096),
                        next(4096),
                        next(1 << 30)
                    );
                    let body = format!(
                        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/{user}","accountId":"123456789012","accessKeyId":"AKIASCALEFIXTURE0000","userName":"{user}"}},"eventTime":"{time}","eventSource":"iam.amazonaws.com","eventName":"{event}","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"scale-fixture","requestParameters":{{"userName":"{user}"}},"responseElements":null,"requestID":"{id}","eventID":"{id}","readOnly":{read_only},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}}"#
                    );
                    AuditRecord {
                        event_id: id,
                        event_time: time,
                        event_name: event.into(),
                        event_source: "iam.amazonaws.com".into(),
                        username: user,
                        body,
                        lookup: Default::default(),
                    }
                })
                .collect();
            store.commit(&[], &batch).map_err(|e| e.0)?;
        }
        println!(
            "wrote {records} records in blocks of {block} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let size: u64 = ["iamd.db", "iamd.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(std::path::Path::new(&dir).join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!("database {:.1} MB", size as f64 / 1e6);
    let time = |label: &str, query: &dyn Fn(usize) -> AuditQuery| -> Result<(), String> {
        let mut ms = Vec::new();
        let mut found = 0;
        for i in 0..lookups {
            let started = Instant::now();
            found += store.audit_page(&query(i)).map_err(|e| e.0)?.len();
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q) as usize).min(ms.len() - 1)];
        println!(
            "{label}: p50 {:.2} ms, p99 {:.2} ms ({lookups} lookups, {found} records)",
            at(0.5),
            at(0.99)
        );
        Ok(())
    };
    time("by username", &|i| AuditQuery {
        username: Some(format!("user-{:06}", (i * 7919) % users)),
        limit: 50,
        ..Default::default()
    })?;
    time("newest page", &|_| AuditQuery {
        limit: 50,
        ..Default::default()
    })?;
    time("by event name", &|_| AuditQuery {
        event_name: Some("CreateAccessKey".into()),
        limit: 50,
        ..Default::default()
    })?;
    Ok(())
}
