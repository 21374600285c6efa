//! A small connection pool: at most [`POOL_SIZE`] connections, opened on demand, each with the
//! store's statements prepared once. A connection is put back only after a call that succeeded;
//! after a failure (or a timeout in the middle of a transaction) it is closed, so a broken or
//! half-used connection is never handed out again.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{Client, Config, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::fail;
use crate::StoreError;

pub(super) const POOL_SIZE: usize = 4;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The statements every commit uses, prepared once per connection.
pub(super) struct Statements {
    pub put: Statement,
    pub delete: Statement,
    pub log: Statement,
    pub audit: Statement,
    pub next_seq: Statement,
}

pub(super) struct Conn {
    pub client: Client,
    pub statements: Statements,
}

pub(super) struct Pool {
    config: Config,
    tls: MakeRustlsConnect,
    idle: Mutex<Vec<Conn>>,
    permits: Arc<Semaphore>,
}

/// A connection taken from the pool; closed when dropped unless [`Lease::release`]d.
pub(super) struct Lease {
    conn: Option<Conn>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    pub fn conn(&mut self) -> Result<&mut Conn, StoreError> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError("postgres: connection already released".into()))
    }

    /// Puts the connection back for the next call.
    pub fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

/// Where the configuration points, for messages (never the password).
pub(super) fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// Opens one connection, its driver running on the current (the store's) runtime.
pub(super) async fn connect(
    config: &Config,
    tls: &MakeRustlsConnect,
) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(tls.clone()).await.map_err(|e| {
        StoreError(format!(
            "postgres: cannot connect to {}: {}",
            describe(config),
            error_text(&e)
        ))
    })?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// An error's message with its cause (tokio-postgres keeps the useful part in the source).
pub(super) fn error_text(e: &tokio_postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    }
}

impl Pool {
    pub fn new(mut config: Config, tls: MakeRustlsConnect) -> Arc<Pool> {
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("iamd");
        Arc::new(Pool {
            config,
            tls,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(POOL_SIZE)),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A new connection outside the pool (migrations, the listener).
    pub async fn connect(&self) -> Result<Client, StoreError> {
        connect(&self.config, &self.tls).await
    }

    /// The TLS connector, for a connection whose messages the caller reads (the listener).
    pub fn tls(&self) -> MakeRustlsConnect {
        self.tls.clone()
    }

    /// A connection: an idle one that is still open, else a new one.
    pub async fn get(self: &Arc<Self>) -> Result<Lease, StoreError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError("postgres: pool closed".into()))?;
        let idle = loop {
            let conn = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            match conn {
                Some(conn) if conn.client.is_closed() => continue,
                other => break other,
            }
        };
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let client = self.connect().await?;
                let statements = prepare(&client).await?;
                Conn { client, statements }
            }
        };
        Ok(Lease {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
        })
    }
}

async fn prepare(client: &Client) -> Result<Statements, StoreError> {
    Ok(Statements {
        put: client
            .prepare(
                "INSERT INTO records (kind, key, body) VALUES ($1, $2, $3)
                 ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
            )
            .await
            .map_err(fail)?,
        delete: client
            .prepare("DELETE FROM records WHERE kind = $1 AND key = $2")
            .await
            .map_err(fail)?,
        log: client
            .prepare("INSERT INTO change_log (seq, n, kind, key, body) VALUES ($1, $2, $3, $4, $5)")
            .await
            .map_err(fail)?,
        audit: client
            .prepare(
                "INSERT INTO audit (event_id, event_time, event_name, event_source, username, body)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await
            .map_err(fail)?,
        // The one row every committing writer locks: commits are serialised across nodes and
        // numbered without gaps, in commit order.
        next_seq: client
            .prepare("UPDATE change_head SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .await
            .map_err(fail)?,
    })
}
