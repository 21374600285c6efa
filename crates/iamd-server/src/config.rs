//! Server settings (flags and `IAMD_*` environment variables are mapped onto this by the binary).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite:PATH`, `postgres://...` or `memory:`; `None`: `DATA_DIR/iamd.db`.
    pub database_url: Option<String>,
    pub account_id: String,
    /// Root credentials to install on first start (automation, tests).
    pub root_access_key_id: Option<String>,
    pub root_secret_access_key: Option<String>,
    /// Base64 sealing key; `None`: the key file `DATA_DIR/sealing.key`.
    pub sealing_key: Option<String>,
    /// The regions a credential scope may name (default: [`crate::AWS_REGIONS`]).
    pub regions: Vec<String>,
    /// Connections served at once, how long a request's headers may take, how long a
    /// shutdown waits for requests in flight.
    pub limits: crate::Limits,
    /// Audit records older than this many days are deleted (default 90, as AWS's event
    /// history).
    pub audit_retention_days: u32,
    /// Whether successful reads get an audit record (default on, as CloudTrail's event
    /// history; off only to measure what it costs).
    pub audit_reads: bool,
    /// Where `/metrics` is served; `None`: on the API port.
    pub metrics_listen: Option<SocketAddr>,
    /// Several nodes on one database: how old the snapshot may grow without contact with the
    /// database before the node refuses authentications (it may miss a revoked key).
    pub max_staleness: std::time::Duration,
    /// HTTPS: the PEM certificate chain and private key files (`--tls-cert`, `--tls-key`).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The console's origin, the WebAuthn relying party (`--console-origin`); `None`:
    /// `http://localhost:PORT` of the listen address.
    pub console_origin: Option<String>,
    /// OpenID Connect federation: the CAs trusted for issuers and key sets on disk
    /// (`--oidc-ca-file`, `--oidc-jwks-dir`).
    pub oidc: crate::OidcSettings,
    /// The account's quotas (`--quota`; AWS's by default).
    pub quotas: iamd_core::quotas::Quotas,
    /// The issuer URL of GetWebIdentityToken's tokens (`--outbound-issuer-url`); `None`:
    /// `SCHEME://HOST:PORT/outbound/ACCOUNT` of the listen address.
    pub outbound_issuer: Option<String>,
}

impl Config {
    /// Defaults: 127.0.0.1:8080, `./data`, account 123456789012.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            database_url: None,
            account_id: "123456789012".to_string(),
            root_access_key_id: None,
            root_secret_access_key: None,
            sealing_key: None,
            regions: crate::AWS_REGIONS.iter().map(|r| r.to_string()).collect(),
            limits: crate::Limits {
                max_connections: crate::Limits::default_max_connections(),
                header_timeout: std::time::Duration::from_secs(10),
                shutdown_timeout: std::time::Duration::from_secs(30),
            },
            audit_retention_days: iamd_core::audit_retention::DEFAULT_RETENTION_DAYS,
            audit_reads: true,
            metrics_listen: None,
            max_staleness: std::time::Duration::from_secs(5),
            tls: None,
            console_origin: None,
            oidc: crate::OidcSettings::default(),
            quotas: Default::default(),
            outbound_issuer: None,
        }
    }

    /// Checks what can be checked without opening anything.
    pub fn validate(&self) -> Result<(), String> {
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "account id `{}` must be 12 digits",
                self.account_id
            ));
        }
        if let Some(url) = &self.outbound_issuer {
            crate::outbound::issuer(Some(url), self.listen, "http", &self.account_id)?;
        }
        Ok(())
    }
}
