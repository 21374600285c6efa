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
    config.validate()?;
    private_dir(&config.data_dir)?;
    let full_sync = std::env::var("IAMD_SQLITE_SYNC").is_ok_and(|v| v.eq_ignore_ascii_case("full"));
    let url = database_url(config);
    if let Some(path) = url.strip_prefix("sqlite:") {
        private_file(Path::new(path.trim_start_matches("//")))?;
    }
    // The database first: a wrong URL or an unreachable database writes nothing (no new
    // sealing key beside a database whose secrets another key sealed).
    let store = iamd_store::open(&url, full_sync).map_err(|e| e.to_string())?;
    let sealing = match &config.sealing_key {
        Some(b64) => SealingKey::from_base64(b64).map_err(|e| format!("IAMD_SEALING_KEY: {e}"))?,
        None => {
            let path = config.data_dir.join("sealing.key");
            if path.exists() {
                refuse_if_open(&path, "sealing key")?;
            }
            SealingKey::load_or_create(&path).map_err(|e| format!("sealing key: {e}"))?
        }
    };
    let mut account = Account::open(&config.account_id, store, clock.clone(), sealing)?;
    account.quotas = config.quotas.clone();
    account.set_audit_reads(config.audit_reads);
    let issuer_keys = crate::oidc::IssuerKeys::new(&config.oidc, clock)
        .map_err(|e| format!("OpenID Connect: {e}"))?;
    // A fresh account: nothing has set its key source yet.
    let _ = account.web_identity_keys.set(Arc::new(issuer_keys));
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
        tracing::info!(
            target: "iamd",
            "root access key {id} created; its secret is in {} (mode 0600)",
            path.display()
        );
    }
    Ok(account)
}

/// Creates the data directory readable by its owner only (0700): it holds the database
/// (password hashes, the audit log) and the sealing key. An existing directory that others
/// may read or enter is refused: the server does not start.
fn private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    let fail = |e: std::io::Error| format!("cannot create data directory {}: {e}", dir.display());
    if !dir.exists() {
        return std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail);
    }
    refuse_if_open(dir, "data directory")
}

/// Refuses `path` (the data directory, the sealing key file) when group or others have any
/// permission on it.
fn refuse_if_open(path: &Path, what: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "{what} {} is open to others (mode {mode:o}); refusing to start: run `chmod go= {}`",
            path.display(),
            path.display()
        ));
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
        tracing::warn!(
            target: "iamd",
            "{} was readable by others (mode {current:o}); now {mode:o}",
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
    // Listen first: a port in use leaves the data directory untouched.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let metrics_listener = match config.metrics_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr} (metrics): {e}"))?,
        ),
        None => None,
    };
    let tls = match &config.tls {
        Some((cert, key)) => Some(crate::tls::acceptor(cert, key)?),
        None => None,
    };
    let account = Arc::new(open_account(&config, Arc::new(SystemClock))?);
    crate::telemetry::install()?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let issuer = crate::outbound::issuer(
        config.outbound_issuer.as_deref(),
        addr,
        scheme,
        &config.account_id,
    )?;
    let _ = account.outbound_issuer.set(issuer.clone());
    tracing::info!(target: "iamd", "outbound identity federation issuer: {issuer}");
    tracing::info!(
        target: "iamd",
        "account {} serving IAM and STS on {scheme}://{addr} (console at {scheme}://{addr}/console/)",
        config.account_id
    );
    tracing::info!(
        target: "iamd",
        "at most {} connections; request headers within {} s",
        config.limits.max_connections,
        config.limits.header_timeout.as_secs_f64()
    );
    iamd_core::follow::spawn(&account)
        .map_err(|e| format!("cannot follow the other nodes: {e}"))?;
    spawn_deferred_flusher(account.clone());
    spawn_session_purger(account.clone());
    spawn_audit_expirer(account.clone(), config.audit_retention_days);
    let pipeline = Arc::new(crate::pipeline::Pipeline {
        account: account.clone(),
        authenticator: crate::authn::Authenticator::new(
            config.regions.clone(),
            config.max_staleness,
        ),
        secure: tls.is_some(),
    });
    let root_password = crate::console::RootPassword::load(&config.data_dir)?;
    let console_origin = config
        .console_origin
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
    let relying_party = iamd_core::security_keys::RelyingParty::new(&console_origin)?;
    let app = crate::query::router(pipeline.clone(), root_password, Arc::new(relying_party))
        .merge(crate::probes::router(
            pipeline.clone(),
            metrics_listener.is_none(),
        ))
        .merge(crate::outbound::router(pipeline.clone(), &issuer));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    if let Some(metrics_listener) = metrics_listener {
        let metrics_addr = metrics_listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(target: "iamd", "metrics on http://{metrics_addr}/metrics");
        let app = crate::probes::metrics_router(pipeline.clone());
        let mut stop = stop.clone();
        tokio::spawn(crate::listener::serve(
            metrics_listener,
            app,
            config.limits,
            None,
            async move {
                let _ = stop.wait_for(|s| *s).await;
            },
        ));
    }
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    };
    crate::listener::serve(listener, app, config.limits, tls, shutdown).await;
    account.flush_deferred().map_err(|e| e.to_string())?;
    tracing::info!(
        target: "iamd",
        "stopped ({} failed authentications since start)",
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
            tracing::warn!(
                target: "iamd",
                "cannot listen for SIGTERM ({e}); only SIGINT stops the server cleanly"
            );
            interrupt.await;
        }
    }
    tracing::info!(target: "iamd", "shutting down: finishing requests in flight, then flushing");
}

/// Persists access key last use (recorded in memory per request) and failed calls' audit
/// records every few seconds.
fn spawn_deferred_flusher(account: Arc<Account>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_CHECK);
        let mut last = std::time::Instant::now();
        loop {
            tick.tick().await;
            // Under load, audit records are written in batches of about FLUSH_BATCH on the
            // blocking pool, long before a request would find the buffer full and have to
            // write it itself (back-pressure on a request's thread: a latency spike).
            let due =
                last.elapsed() >= FLUSH_EVERY || account.pending_audit_records() >= FLUSH_BATCH;
            if !due {
                continue;
            }
            last = std::time::Instant::now();
            let account = account.clone();
            let _ = tokio::task::spawn_blocking(move || account.flush_deferred()).await;
        }
    });
}

/// How often the flusher looks at the buffer, writes it at least, and the size that makes
/// it write early. Small batches often rather than thousands of records a tenth of a second:
/// at 40,000 reads/s the records waiting stay within a core's cache (page faults of the
/// server: 0.06-0.08 a request with 100 ms and 2,048, 0.02 with 10 ms and 256).
const FLUSH_CHECK: std::time::Duration = std::time::Duration::from_millis(20);
const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
const FLUSH_BATCH: usize = 512;

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
                Ok(Ok(n)) => tracing::info!(target: "iamd", "{n} expired sessions removed"),
                Ok(Err(e)) => tracing::error!(
                    target: "iamd",
                    "removing expired sessions failed: {}",
                    e.message
                ),
                Err(_) => tracing::error!(target: "iamd", "removing expired sessions failed"),
            }
        }
    });
}

/// Deletes audit records older than the retention period, at start and then every minute.
fn spawn_audit_expirer(account: Arc<Account>, days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let account = account.clone();
            let expired = tokio::task::spawn_blocking(move || {
                iamd_core::audit_retention::expire_audit_records(&account, days)
            })
            .await;
            match expired {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => {
                    tracing::info!(target: "iamd", "{n} audit records older than {days} days removed")
                }
                Ok(Err(e)) => {
                    tracing::warn!(target: "iamd", "removing old audit records failed: {}", e.message)
                }
                Err(_) => tracing::warn!(target: "iamd", "removing old audit records failed"),
            }
        }
    });
}
