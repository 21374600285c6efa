//! `iamd serve`: the IAM and STS API server on an embedded SQLite database or PostgreSQL.
//!
//! Every setting comes from, in increasing precedence: its default, the TOML file of
//! `--config` (`settings.rs`), its `IAMD_*` environment variable, its flag.

mod logging;
mod settings;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args};

pub use logging::LogFormat;

/// Flags of `iamd serve`; each also reads an `IAMD_*` environment variable and a key of the
/// `--config` file (the flag's name without the dashes in front: `data-dir = "/var/lib/iamd"`).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML file of settings (keys as the flags: `listen`, `data-dir`, ...; also
    /// `sealing-key`, `root-access-key-id`, `root-secret-access-key`). The environment and
    /// flags override it.
    #[arg(long, env = "IAMD_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Validate the settings, print the effective ones (secrets masked) and exit.
    #[arg(long)]
    check_config: bool,
    /// Address to listen on.
    #[arg(long, env = "IAMD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory for the database, the sealing key and the root credentials file.
    #[arg(long, env = "IAMD_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL: `sqlite:PATH` (default: DATA_DIR/iamd.db), `postgres://USER@HOST:PORT/DB`
    /// (several nodes may share one) or `memory:` (nothing kept).
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
    /// Audit records older than this many days are deleted (AWS's event history keeps 90).
    #[arg(long, env = "IAMD_AUDIT_RETENTION_DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    audit_retention_days: u32,
    /// Record successful reads in the audit trail (`false` only to measure what it costs:
    /// CloudTrail's event history records reads).
    #[arg(long, env = "IAMD_AUDIT_READS", default_value_t = true, action = clap::ArgAction::Set,
          value_name = "BOOL")]
    audit_reads: bool,
    /// Serve `GET /metrics` on this address instead of the API port.
    #[arg(long, env = "IAMD_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
    /// Seconds a shutdown (SIGTERM, SIGINT) waits for requests in flight.
    #[arg(long, env = "IAMD_SHUTDOWN_TIMEOUT", default_value_t = 30.0)]
    shutdown_timeout: f64,
    /// Log lines as human-readable text or as JSON objects, one per line.
    #[arg(long, env = "IAMD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// What to log: `info` (a line per request), `warn`, `error`, or a `RUST_LOG` filter
    /// such as `iamd::request=off,info` (default: `RUST_LOG`, else `info`).
    #[arg(long, env = "IAMD_LOG_LEVEL", value_name = "FILTER")]
    log_level: Option<String>,
    /// Several nodes on one database (PostgreSQL): seconds the node's snapshot may go without
    /// contact with the database before it refuses authentications rather than accept keys
    /// that may have been revoked meanwhile.
    #[arg(long, env = "IAMD_MAX_STALENESS", default_value_t = 5.0)]
    max_staleness: f64,
    /// The console's address as browsers see it (e.g. https://iam.example.com): the
    /// WebAuthn relying party of security keys. Default: http://localhost:PORT.
    #[arg(long, env = "IAMD_CONSOLE_ORIGIN")]
    console_origin: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, env = "IAMD_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "IAMD_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// OpenID Connect federation: PEM CA certificates trusted for issuers' HTTPS (their
    /// discovery document and key set), besides the public web PKI.
    #[arg(long, env = "IAMD_OIDC_CA_FILE")]
    oidc_ca_file: Option<PathBuf>,
    /// OpenID Connect federation in closed networks: a directory of issuers' key sets (JWKS),
    /// `HOST_PATH.json` for the provider `https://HOST/PATH` (`/` as `_`), used instead of
    /// fetching them.
    #[arg(long, env = "IAMD_OIDC_JWKS_DIR")]
    oidc_jwks_dir: Option<PathBuf>,
    /// Outbound identity federation: the issuer URL of GetWebIdentityToken's tokens as
    /// the services that verify them reach iamd (its discovery document and key set are
    /// served under its path). Default: http(s)://HOST:PORT/outbound/ACCOUNT of --listen
    /// (localhost when listening on every address).
    #[arg(long, env = "IAMD_OUTBOUND_ISSUER_URL", value_name = "URL")]
    outbound_issuer_url: Option<String>,
    /// Set one of the account's quotas, e.g. `UsersPerAccount=100000` (repeatable; AWS's
    /// quotas otherwise). Names: UsersPerAccount, GroupsPerAccount, RolesPerAccount,
    /// PoliciesPerAccount, InstanceProfilesPerAccount, VirtualMFADevicesPerAccount,
    /// GroupsPerUser, PoliciesPerUser, PoliciesPerGroup, PoliciesPerRole.
    #[arg(
        long = "quota",
        env = "IAMD_QUOTAS",
        value_delimiter = ',',
        value_name = "NAME=VALUE"
    )]
    quotas: Vec<String>,
}

pub fn run(args: ServeArgs, matches: &ArgMatches) -> ExitCode {
    let settings = match settings::Settings::resolve(args, matches) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("iamd: {e}");
            return ExitCode::from(2);
        }
    };
    if settings.check_config {
        super::out(&settings.describe());
        return ExitCode::SUCCESS;
    }
    let _log = match logging::init(settings.log_format, &settings.log_filter) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("iamd: {e}");
            return ExitCode::from(2);
        }
    };
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
    match runtime.block_on(iamd_server::serve(settings.config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(target: "iamd", "{e}");
            ExitCode::from(2)
        }
    }
}
