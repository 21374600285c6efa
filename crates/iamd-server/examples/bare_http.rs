//! The HTTP floor of `bench/run.sh`: iamd's own accept loop and HTTP stack (the same hyper and
//! axum) answering every `POST /` with a fixed XML body of a given size, after reading the
//! request's body — no signature, no policy, no state, no audit record. iamd's CPU per request
//! divided by this server's is how far iamd is from the floor.
//!
//!     cargo run --release -p iamd-server --example bare_http -- 127.0.0.1:9000 600

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::post;
use axum::Router;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let listen: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:9000".into())
        .parse()
        .map_err(|e| format!("listen address: {e}"))?;
    let size: usize = args
        .next()
        .unwrap_or_else(|| "600".into())
        .parse()
        .map_err(|e| format!("body size: {e}"))?;
    let body = fixed_body(size);
    let app = Router::new().route(
        "/",
        post(move |_request: Bytes| {
            let body = body.clone();
            async move { ([(CONTENT_TYPE, "text/xml")], body) }
        }),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let limits = iamd_server::Limits {
            max_connections: 10_000,
            header_timeout: std::time::Duration::from_secs(10),
            shutdown_timeout: std::time::Duration::from_secs(1),
        };
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        iamd_server::serve_router(listener, app, limits, None, stop).await;
        Ok(())
    })
}

/// An XML document of exactly `size` bytes (at least the envelope's).
fn fixed_body(size: usize) -> Bytes {
    let head = "<Response><Padding>";
    let tail = "</Padding></Response>";
    let pad = size.saturating_sub(head.len() + tail.len());
    Bytes::from(format!("{head}{}{tail}", "x".repeat(pad)))
}
