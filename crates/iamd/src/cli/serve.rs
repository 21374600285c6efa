//! `iamd serve`: the IAM and STS API server on an embedded SQLite database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Flags of `iamd serve`; each also reads an `IAMD_*` environment variable.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "IAMD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory for the database, the sealing key and the root credentials file.
    #[arg(long, env = "IAMD_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL: `sqlite:PATH` (default: DATA_DIR/iamd.db) or `memory:` (nothing kept).
    #[arg(long, env = "IAMD_DATABASE_URL")]
    database: Option<String>,
    /// The 12-digit account id.
    #[arg(long, env = "IAMD_ACCOUNT_ID", default_value = "123456789012")]
    account_id: String,
    /// Connections served at once (default: the open-files limit less 64, at most 10000).
    #[arg(long, env = "IAMD_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seconds a client may take to send a request's headers, also the idle time after which
    /// a keep-alive connection is closed.
    #[arg(long, env = "IAMD_HEADER_TIMEOUT", default_value_t = 10.0)]
    header_timeout: f64,
    /// Regions a request's credential scope may name, comma-separated (default: AWS's
    /// regions; `us-east-1` is what AWS's global IAM endpoint accepts).
    #[arg(long, env = "IAMD_REGIONS", value_delimiter = ',')]
    regions: Vec<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, env = "IAMD_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "IAMD_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

pub fn run(args: ServeArgs) -> ExitCode {
    let mut config = iamd_server::Config::new(args.data_dir);
    config.listen = args.listen;
    config.database_url = args.database;
    config.account_id = args.account_id;
    if let Some(max) = args.max_connections {
        config.limits.max_connections = max.max(1);
    }
    match std::time::Duration::try_from_secs_f64(args.header_timeout) {
        Ok(timeout) if !timeout.is_zero() => config.limits.header_timeout = timeout,
        _ => {
            eprintln!("iamd: --header-timeout must be a positive number of seconds");
            return ExitCode::from(2);
        }
    }
    if !args.regions.is_empty() {
        config.regions = args.regions;
    }
    config.tls = args.tls_cert.zip(args.tls_key);
    config.root_access_key_id = std::env::var("IAMD_ROOT_ACCESS_KEY_ID").ok();
    config.root_secret_access_key = std::env::var("IAMD_ROOT_SECRET_ACCESS_KEY").ok();
    config.sealing_key = std::env::var("IAMD_SEALING_KEY").ok();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("iamd: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(iamd_server::serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamd: {e}");
            ExitCode::from(2)
        }
    }
}
