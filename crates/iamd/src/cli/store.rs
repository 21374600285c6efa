//! `iamd store copy --from sqlite:PATH --to postgres://...`: moves an account from one
//! database to another (from the embedded default to PostgreSQL, for several nodes). Every
//! record is copied as it is stored (sealed secrets stay sealed: the nodes need the source's
//! sealing key), and every audit event, oldest first. The target must be empty; the copy is
//! checked after (the target's records equal the source's, and the audit event counts match).
//! Stop the server first: a copy made while it writes may miss the last writes.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use iamd_store::{AuditRecord, Change, Record, Store};

use super::{exit, fail, out, ERROR, OK};

/// `iamd store` commands.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy an account into a new, empty database (e.g. SQLite to PostgreSQL).
    Copy(CopyArgs),
}

/// Arguments of `iamd store copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy: `sqlite:PATH` (e.g. sqlite:./data/iamd.db) or `postgres://...`.
    #[arg(long, value_name = "URL")]
    from: String,
    /// The empty database to copy into: `postgres://USER@HOST:PORT/DB` or `sqlite:PATH`.
    #[arg(long, value_name = "URL")]
    to: String,
}

pub fn run(command: StoreCommand) -> ExitCode {
    match command {
        StoreCommand::Copy(args) => match copy(&args.from, &args.to) {
            Ok(copied) => {
                out(&format!(
                    "copied {} records and {} audit events from {} to {} (counts checked); \
                     start the nodes with the source's sealing key\n",
                    copied.records,
                    copied.audit_events,
                    redact(&args.from),
                    redact(&args.to)
                ));
                exit(OK)
            }
            Err(e) => {
                fail(&e);
                exit(ERROR)
            }
        },
    }
}

/// What a copy moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Copied {
    records: usize,
    audit_events: usize,
}

/// Records per commit into the target (each commit is one transaction, bounded in time).
const BATCH: usize = 1_000;

fn copy(from: &str, to: &str) -> Result<Copied, String> {
    if redact(from) == redact(to) {
        return Err("--from and --to name the same database".into());
    }
    let source = open_existing(from)?;
    let target = open(to, "--to")?;
    let (records, audit) = read_all(source.as_ref()).map_err(|e| format!("--from: {e}"))?;
    let (held, events) = read_all(target.as_ref()).map_err(|e| format!("--to: {e}"))?;
    if !held.is_empty() || !events.is_empty() {
        return Err(format!(
            "--to {} is not empty ({} records, {} audit events): copy only into a new database",
            redact(to),
            held.len(),
            events.len()
        ));
    }
    let changes = records
        .iter()
        .map(|r| {
            let kind = iamd_core::entities::Kind::parse(&r.kind).ok_or_else(|| {
                format!(
                    "--from holds a record of unknown kind `{}`: written by a newer iamd?",
                    r.kind
                )
            })?;
            Ok(Change::Put {
                kind: kind.as_str(),
                key: r.key.clone(),
                body: r.body.clone(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let partial = |e: iamd_store::StoreError| {
        format!("--to: {e}; the target now holds part of the copy: empty it before trying again")
    };
    for batch in changes.chunks(BATCH) {
        target.commit(batch, &[]).map_err(partial)?;
    }
    for batch in audit.chunks(BATCH) {
        target.commit(&[], batch).map_err(partial)?;
    }
    let (copied, events) = read_all(target.as_ref()).map_err(|e| format!("--to: {e}"))?;
    if copied != records || events.len() != audit.len() {
        return Err(format!(
            "the copy does not match: {} of {} records, {} of {} audit events",
            copied.len(),
            records.len(),
            events.len(),
            audit.len()
        ));
    }
    Ok(Copied {
        records: records.len(),
        audit_events: audit.len(),
    })
}

/// Every record, sorted, and every audit event, oldest first.
fn read_all(store: &dyn Store) -> Result<(Vec<Record>, Vec<AuditRecord>), String> {
    let mut records = store.load().map_err(|e| e.to_string())?;
    records.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
    let mut audit = store.audit_events(usize::MAX).map_err(|e| e.to_string())?;
    audit.reverse();
    Ok((records, audit))
}

/// The source: it must exist (opening a missing SQLite file would create an empty one).
fn open_existing(url: &str) -> Result<Box<dyn Store>, String> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = std::path::Path::new(path.trim_start_matches("//"));
        if !path.is_file() {
            return Err(format!("--from: no database at {}", path.display()));
        }
    }
    open(url, "--from")
}

fn open(url: &str, flag: &str) -> Result<Box<dyn Store>, String> {
    if url == "memory:" {
        return Err(format!("{flag}: memory: holds nothing and keeps nothing"));
    }
    iamd_store::open(url, true).map_err(|e| format!("{flag}: {e}"))
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or("");
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://iamd:s3cret@db:5432/iamd"),
            "postgres://iamd:***@db:5432/iamd"
        );
        assert_eq!(redact("sqlite:/var/lib/iamd.db"), "sqlite:/var/lib/iamd.db");
    }

    #[test]
    fn bad_input_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = format!("sqlite:{}", dir.path().join("none.db").display());
        let to = format!("sqlite:{}", dir.path().join("to.db").display());
        assert_eq!(
            copy(&missing, &to).unwrap_err(),
            format!(
                "--from: no database at {}",
                dir.path().join("none.db").display()
            )
        );
        assert!(!dir.path().join("none.db").exists(), "nothing created");
        assert!(copy(&to, &to).unwrap_err().contains("same database"));
        assert!(copy(&to, "mysql://x/y").is_err());
    }

    #[test]
    fn a_copy_is_whole_and_refused_into_a_database_that_is_not_empty() {
        let dir = tempfile::tempdir().unwrap();
        let from = format!("sqlite:{}", dir.path().join("from.db").display());
        let to = format!("sqlite:{}", dir.path().join("to.db").display());
        let source = iamd_store::open(&from, false).unwrap();
        let user = Change::Put {
            kind: "user",
            key: "alice".into(),
            body: "{\"sealed\":\"v1:abc\"}".into(),
        };
        let event = |id: &str, time| AuditRecord {
            event_id: id.into(),
            event_time: time,
            event_name: "CreateUser".into(),
            event_source: "iam.amazonaws.com".into(),
            username: "root".into(),
            body: "{}".into(),
            lookup: iamd_store::LookupHint::none(),
        };
        source
            .commit(&[user], &[event("e1", 1), event("e2", 2)])
            .unwrap();
        drop(source);
        let copied = copy(&from, &to).unwrap();
        assert_eq!(
            copied,
            Copied {
                records: 1,
                audit_events: 2
            }
        );
        let target = iamd_store::open(&to, false).unwrap();
        assert_eq!(target.load().unwrap()[0].body, "{\"sealed\":\"v1:abc\"}");
        let ids: Vec<_> = target
            .audit_events(10)
            .unwrap()
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(ids, ["e2", "e1"], "the order kept");
        let again = copy(&from, &to).unwrap_err();
        assert!(
            again.contains("is not empty (1 records, 2 audit events)"),
            "{again}"
        );
    }
}
