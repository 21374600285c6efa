//! Several `iamd serve` nodes on one PostgreSQL database (see `postgres_nodes.rs`).

use std::time::{Duration, Instant};

use super::{Options, Server};

/// One sealing key for every node of a test (nodes share the database, and so the sealed
/// secrets in it).
pub const SEALING_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";

/// A node: `iamd serve` on the database `url`.
pub fn node(url: &str, more: &[&str]) -> Server {
    let mut options = Options::args(&["--database", url]);
    options.args.extend(more.iter().map(|a| a.to_string()));
    options
        .env
        .push(("IAMD_SEALING_KEY".into(), SEALING_KEY.into()));
    Server::start_opts(&options)
}

/// `n` nodes on the database `url`, started at once (each migrates the database and
/// creates the root key unless another node did first).
pub fn nodes(url: &str, n: usize) -> Vec<Server> {
    let starting: Vec<_> = (0..n)
        .map(|_| {
            let url = url.to_string();
            std::thread::spawn(move || node(&url, &[]))
        })
        .collect();
    starting.into_iter().map(|s| s.join().unwrap()).collect()
}

/// Calls `probe` until it answers true, for at most `bound`; answers how long that took.
pub async fn within<F, Fut>(bound: Duration, mut probe: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if probe().await {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < bound,
            "not within {} ms",
            bound.as_millis()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
