//! The accept loop: bounded connections and timeouts, so that idle, half-sent or stalled
//! connections cannot hold the server's file descriptors (and with them all service).
//!
//! - At most [`Limits::max_connections`] connections are served at once; beyond that the
//!   server stops accepting until one closes (new ones wait in the kernel's backlog).
//! - A request's headers must arrive within [`Limits::header_timeout`] of the connection's
//!   opening or of the previous response: this also closes idle keep-alive connections.
//! - A request's body must arrive within [`crate::body::BODY_TIMEOUT`] (see `body.rs`).
//! - Accept errors (`EMFILE` and the like) are counted and logged, and accepting resumes
//!   after a short pause instead of spinning.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// Connection limits and timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    /// How long a shutdown waits for the requests in flight before it stops anyway.
    pub shutdown_timeout: Duration,
}

/// File descriptors kept free of connections: the database, its WAL, logs, the listener.
const RESERVED_DESCRIPTORS: usize = 64;

impl Limits {
    /// The default connection limit: what the open-files limit leaves after
    /// [`RESERVED_DESCRIPTORS`], at most 10,000.
    pub fn default_max_connections() -> usize {
        let open_files = open_files_limit().unwrap_or(1024);
        open_files
            .saturating_sub(RESERVED_DESCRIPTORS)
            .clamp(16, 10_000)
    }
}

/// The soft limit on open files (`ulimit -n`), from `/proc/self/limits`.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and waits (at
/// most [`Limits::shutdown_timeout`]) for the connections in flight to finish their requests
/// (idle ones are closed at once).
/// With `tls`, connections are TLS: the handshake must finish within the header timeout.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let accept_errors = AtomicU64::new(0);
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                let n = accept_errors.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::error!(target: "iamd", "accept failed ({e}); {n} accept errors so far");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        spawn_connection(stream, peer, permit, &app, limits, &tls, &stop_rx);
    }
    let _ = stop_tx.send(true);
    drain_backlog(listener, &permits, &app, limits, &tls, &stop_rx);
    // Every connection holds a permit until it is done.
    let all = permits.acquire_many(u32::try_from(limits.max_connections).unwrap_or(u32::MAX));
    if tokio::time::timeout(limits.shutdown_timeout, all)
        .await
        .is_err()
    {
        let open = limits.max_connections - permits.available_permits();
        tracing::warn!(
            target: "iamd",
            "shutdown timeout ({} s) reached with {open} connections still open; stopping anyway",
            limits.shutdown_timeout.as_secs_f64()
        );
    }
}

/// Accepts the connections the kernel completed before the stop (closing the listener would
/// reset them) and has each answer its request; later ones are refused. The accepts are
/// direct system calls until the queue is empty: the runtime may not have seen them yet.
fn drain_backlog(
    listener: TcpListener,
    permits: &Arc<Semaphore>,
    app: &Router,
    limits: Limits,
    tls: &Option<tokio_rustls::TlsAcceptor>,
    stop: &watch::Receiver<bool>,
) {
    let Ok(listener) = listener.into_std() else {
        return;
    };
    while let Ok(permit) = permits.clone().try_acquire_owned() {
        let Ok((stream, peer)) = listener.accept() else {
            break;
        };
        let stream = stream
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpStream::from_std(stream));
        if let Ok(stream) = stream {
            spawn_connection(stream, peer, permit, app, limits, tls, stop);
        }
    }
}

/// Serves one accepted connection on its own task, holding `permit` until it is done.
fn spawn_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    permit: tokio::sync::OwnedSemaphorePermit,
    app: &Router,
    limits: Limits,
    tls: &Option<tokio_rustls::TlsAcceptor>,
    stop: &watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let app = app.clone();
    let mut stop = stop.clone();
    let tls = tls.clone();
    tokio::spawn(async move {
        let _permit = permit;
        match tls {
            None => serve_connection(stream, peer, app, limits, &mut stop).await,
            Some(acceptor) => {
                let handshake =
                    tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await;
                if let Ok(Ok(stream)) = handshake {
                    serve_connection(stream, peer, app, limits, &mut stop).await;
                }
            }
        }
    });
}

async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    stop: &mut watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // Set once the first request's head has been read.
    let (started_tx, mut started) = watch::channel(false);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        started_tx.send_replace(true);
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stop.wait_for(|stop| *stop) => {}
    }
    // hyper closes a connection at once when nothing of a request has been read yet, though
    // the client may have sent one: wait for the first request (the header timeout bounds it).
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = started.wait_for(|started| *started) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}
