//! Opening the account (store, sealing key, root credentials) and running the listener.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iamd_core::clock::{Clock, SystemClock};
use iamd_core::crypto::SealingKey;
use iamd_core::Account;

use crate::config::Config;

/// A running server's address and its shutdown.
pub struct Server {
    pub addr: std::net::SocketAddr,
    pub account: Arc<Account>,
}

/// The database URL: the configured one, else `sqlite:DATA_DIR/iamd.db`.
fn database_url(config: &Config) -> String {
    match &config.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite:{}", config.data_dir.join("iamd.db").display()),
    }
}

/// Opens (creating on first start) the account in the data directory.
pub fn open_account(config: &Config, clock: Arc<dyn Clock>) -> Result<Account, String> {
    if config.account_id.len() != 12 || !config.account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "account id `{}` must be 12 digits",
            config.account_id
        ));
    }
    private_dir(&config.data_dir)?;
    let sealing = match &config.sealing_key {
        Some(b64) => SealingKey::from_base64(b64).map_err(|e| format!("IAMD_SEALING_KEY: {e}"))?,
        None => SealingKey::load_or_create(&config.data_dir.join("sealing.key"))
            .map_err(|e| format!("sealing key: {e}"))?,
    };
    let full_sync = std::env::var("IAMD_SQLITE_SYNC").is_ok_and(|v| v.eq_ignore_ascii_case("full"));
    let url = database_url(config);
    if let Some(path) = url.strip_prefix("sqlite:") {
        private_file(Path::new(path.trim_start_matches("//")))?;
    }
    let store = iamd_store::open(&url, full_sync).map_err(|e| e.to_string())?;
    let account = Account::open(&config.account_id, store, clock, sealing)?;
    let given = match (&config.root_access_key_id, &config.root_secret_access_key) {
        (Some(id), Some(secret)) => Some((id.as_str(), secret.as_str())),
        (None, None) => None,
        _ => {
            return Err(
                "set both IAMD_ROOT_ACCESS_KEY_ID and IAMD_ROOT_SECRET_ACCESS_KEY, or neither"
                    .into(),
            )
        }
    };
    let generated = iamd_core::bootstrap_root_key(&account, given).map_err(|e| e.to_string())?;
    if let Some((id, secret)) = generated {
        let path = config.data_dir.join("root-credentials.csv");
        write_credentials(&path, &id, secret.expose())?;
        eprintln!(
            "iamd: root access key {id} created; its secret is in {} (mode 0600)",
            path.display()
        );
    }
    Ok(account)
}

/// Creates the data directory readable by its owner only (0700): it holds the database
/// (password hashes, the audit log) and the sealing key. An existing directory is left as it
/// is (it may be shared, `.` say), with a warning when others may read it.
fn private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let fail = |e: std::io::Error| format!("cannot create data directory {}: {e}", dir.display());
    if !dir.exists() {
        return std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail);
    }
    let mode = std::fs::metadata(dir).map_err(fail)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        eprintln!(
            "iamd: warning: data directory {} is open to others (mode {mode:o}); the database and key files in it are 0600",
            dir.display()
        );
    }
    Ok(())
}

/// Creates the database file readable by its owner only (0600) before SQLite opens it (its
/// `-wal` and `-shm` files take the same mode), or makes an existing one so.
fn private_file(path: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot create database {}: {e}", path.display());
    if !path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(fail)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if file.exists() {
            tighten(&file, 0o600).map_err(fail)?;
        }
    }
    Ok(())
}

/// Removes group and other permissions from `path` when it has any, and says so.
fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        eprintln!(
            "iamd: {} was readable by others (mode {current:o}); now {mode:o}",
            path.display()
        );
    }
    Ok(())
}

/// AWS's access key CSV layout.
fn write_credentials(path: &Path, id: &str, secret: &str) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writeln!(file, "Access key ID,Secret access key\n{id},{secret}")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Opens the account and serves until interrupted.
pub async fn serve(config: Config) -> Result<(), String> {
    let account = Arc::new(open_account(&config, Arc::new(SystemClock))?);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let tls = match &config.tls {
        Some((cert, key)) => Some(crate::tls::acceptor(cert, key)?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!(
        "iamd: account {} serving IAM and STS on {scheme}://{addr} (console at {scheme}://{addr}/console/)",
        config.account_id
    );
    eprintln!(
        "iamd: at most {} connections; request headers within {} s",
        config.limits.max_connections,
        config.limits.header_timeout.as_secs_f64()
    );
    spawn_deferred_flusher(account.clone());
    spawn_session_purger(account.clone());
    let pipeline = Arc::new(crate::pipeline::Pipeline {
        account: account.clone(),
        authenticator: crate::authn::Authenticator::new(config.regions.clone()),
        secure: tls.is_some(),
    });
    let root_password = crate::console::RootPassword::load(&config.data_dir)?;
    let app = crate::query::router(pipeline.clone(), root_password);
    crate::listener::serve(listener, app, config.limits, tls, shutdown_signal()).await;
    account.flush_deferred().map_err(|e| e.to_string())?;
    eprintln!(
        "iamd: stopped ({} failed authentications since start)",
        pipeline.authenticator.failures()
    );
    Ok(())
}

/// Resolves on SIGTERM (what service managers send) or SIGINT (Ctrl-C): the server then
/// stops accepting, finishes the requests in flight and flushes what it keeps in memory.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = interrupt => {}
                _ = terminate.recv() => {}
            }
        }
        Err(e) => {
            eprintln!(
                "iamd: cannot listen for SIGTERM ({e}); only SIGINT stops the server cleanly"
            );
            interrupt.await;
        }
    }
    eprintln!("iamd: shutting down: finishing requests in flight, then flushing");
}

/// Persists access key last use (recorded in memory per request) and failed calls' audit
/// records every few seconds.
fn spawn_deferred_flusher(account: Arc<Account>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            let account = account.clone();
            let _ = tokio::task::spawn_blocking(move || account.flush_deferred()).await;
        }
    });
}

/// Deletes expired STS sessions (a day after they expire) every minute.
fn spawn_session_purger(account: Arc<Account>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let account = account.clone();
            let purged = tokio::task::spawn_blocking(move || {
                iamd_core::session_purge::purge_expired_sessions(&account)
            })
            .await;
            match purged {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => eprintln!("iamd: {n} expired sessions removed"),
                Ok(Err(e)) => eprintln!("iamd: removing expired sessions failed: {}", e.message),
                Err(_) => eprintln!("iamd: removing expired sessions failed"),
            }
        }
    });
}
