//! `iamd backup` and `iamd restore`: an online, consistent copy of the database (the server
//! may keep running and writing), and its restore into a new data directory. The sealing key
//! is not in a backup: it is backed up separately (without it, the MFA seeds and secrets
//! sealed in the database cannot be opened; with it, whoever holds the backup could).

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use iamd_store::backup::BackupInfo;

use super::{exit, fail, out, ERROR, OK};

/// The database file in a data directory (what `iamd serve` uses by default).
const DATABASE: &str = "iamd.db";

/// Arguments of `iamd backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The data directory of the server (running or not).
    #[arg(long, env = "IAMD_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// The server's database URL when it is not DATA_DIR/iamd.db: `sqlite:PATH`.
    #[arg(long, env = "IAMD_DATABASE_URL")]
    database: Option<String>,
    /// The backup file to write (must not exist; created mode 0600).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

impl BackupArgs {
    /// The SQLite file to back up.
    fn database_file(&self) -> Result<PathBuf, String> {
        match &self.database {
            None => Ok(self.data_dir.join(DATABASE)),
            Some(url) => match url.strip_prefix("sqlite:") {
                Some(path) => Ok(PathBuf::from(path.trim_start_matches("//"))),
                None => Err(format!(
                    "cannot back up `{url}`: iamd backup copies SQLite databases (sqlite:PATH)"
                )),
            },
        }
    }
}

/// Arguments of `iamd restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (from `iamd backup`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The data directory to restore into: it must not exist or be empty.
    #[arg(long, env = "IAMD_DATA_DIR")]
    data_dir: PathBuf,
}

fn summary(info: &BackupInfo) -> String {
    format!(
        "schema version {}, {} records, {} audit events, {} bytes",
        info.schema_version, info.records, info.audit_events, info.bytes
    )
}

pub fn backup(args: BackupArgs) -> ExitCode {
    let database = match args.database_file() {
        Ok(database) => database,
        Err(e) => {
            fail(&e);
            return exit(ERROR);
        }
    };
    match iamd_store::backup::backup(&database, &args.out) {
        Ok(info) => {
            out(&format!(
                "backed up {} to {} ({}); back up {} separately: it is not in the backup\n",
                database.display(),
                args.out.display(),
                summary(&info),
                args.data_dir.join("sealing.key").display(),
            ));
            exit(OK)
        }
        Err(e) => {
            fail(&e.0);
            exit(ERROR)
        }
    }
}

pub fn restore(args: RestoreArgs) -> ExitCode {
    match restore_into(&args.file, &args.data_dir) {
        Ok(info) => {
            out(&format!(
                "restored {} into {} ({}); put the sealing key of the backed-up server in {} \
                 (mode 0600) or IAMD_SEALING_KEY before starting iamd serve\n",
                args.file.display(),
                args.data_dir.display(),
                summary(&info),
                args.data_dir.join("sealing.key").display(),
            ));
            exit(OK)
        }
        Err(e) => {
            fail(&e);
            exit(ERROR)
        }
    }
}

/// Checks the file, then the target directory (missing or empty), then restores.
fn restore_into(file: &Path, data_dir: &Path) -> Result<BackupInfo, String> {
    iamd_store::backup::verify(file).map_err(|e| e.0)?;
    match std::fs::read_dir(data_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "{} is not empty; restore only into a new data directory",
                    data_dir.display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(data_dir)
                .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        }
        Err(e) => return Err(format!("cannot read {}: {e}", data_dir.display())),
    }
    iamd_store::backup::restore(file, &data_dir.join(DATABASE)).map_err(|e| e.0)
}
