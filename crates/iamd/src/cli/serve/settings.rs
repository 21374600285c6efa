//! The effective settings of `iamd serve`: defaults, then the `--config` TOML file, then
//! `IAMD_*` environment variables, then flags (clap knows which of the last two gave a value;
//! the file fills in the rest).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;

use super::logging::{parse_filter, LogFormat};
use super::ServeArgs;

/// The `--config` file: the flags' names as keys, every key optional, no other key allowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileSettings {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
    account_id: Option<String>,
    max_connections: Option<usize>,
    header_timeout: Option<f64>,
    regions: Option<Vec<String>>,
    metrics_listen: Option<SocketAddr>,
    audit_retention_days: Option<u32>,
    audit_reads: Option<bool>,
    max_staleness: Option<f64>,
    tls_cert: Option<PathBuf>,
    console_origin: Option<String>,
    tls_key: Option<PathBuf>,
    oidc_ca_file: Option<PathBuf>,
    oidc_jwks_dir: Option<PathBuf>,
    outbound_issuer_url: Option<String>,
    shutdown_timeout: Option<f64>,
    log_format: Option<LogFormat>,
    log_level: Option<String>,
    sealing_key: Option<String>,
    root_access_key_id: Option<String>,
    root_secret_access_key: Option<String>,
    /// `[quotas]`: `UsersPerAccount = 100000`, ...
    quotas: Option<std::collections::BTreeMap<String, usize>>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Default,
    File,
    Environment,
    Flag,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "config file",
            Source::Environment => "environment",
            Source::Flag => "flag",
        }
    }
}

/// The settings `iamd serve` runs with.
pub struct Settings {
    pub config: iamd_server::Config,
    pub check_config: bool,
    pub log_format: LogFormat,
    pub log_filter: String,
    /// Each setting's name, shown value (secrets masked) and source, for `--check-config`.
    shown: Vec<(&'static str, String, Source)>,
}

/// Picks settings by precedence and records where each came from.
struct Picker<'a> {
    matches: &'a ArgMatches,
    shown: Vec<(&'static str, String, Source)>,
}

impl Picker<'_> {
    /// The flag's (or its environment variable's) value when one was given, else the file's,
    /// else the default (which clap put in `flag`).
    fn pick<T: std::fmt::Debug>(&mut self, id: &'static str, flag: T, file: Option<T>) -> T {
        let given = match self.matches.value_source(id) {
            Some(ValueSource::CommandLine) => Some(Source::Flag),
            Some(ValueSource::EnvVariable) => Some(Source::Environment),
            _ => None,
        };
        let (value, source) = match (given, file) {
            (Some(source), _) => (flag, source),
            (None, Some(file)) => (file, Source::File),
            (None, None) => (flag, Source::Default),
        };
        self.shown.push((id, shown(format!("{value:?}")), source));
        value
    }

    /// A secret: from the environment variable `env`, else the file; shown masked.
    fn secret(&mut self, id: &'static str, env: &str, file: Option<String>) -> Option<String> {
        let (value, source) = match (std::env::var(env).ok(), file) {
            (Some(v), _) => (Some(v), Source::Environment),
            (None, Some(v)) => (Some(v), Source::File),
            (None, None) => (None, Source::Default),
        };
        let shown = if value.is_some() {
            "\"********\""
        } else {
            NOT_SET
        };
        self.shown.push((id, shown.to_string(), source));
        value
    }
}

impl Settings {
    /// Merges the file (if any) under the flags and environment, and checks the result.
    pub fn resolve(args: ServeArgs, matches: &ArgMatches) -> Result<Settings, String> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let mut p = Picker {
            matches,
            shown: Vec::new(),
        };
        let data_dir = p.pick("data_dir", args.data_dir, file.data_dir);
        let mut config = iamd_server::Config::new(data_dir);
        config.listen = p.pick("listen", args.listen, file.listen);
        config.database_url = p.pick("database", args.database, file.database.map(Some));
        config.account_id = p.pick("account_id", args.account_id, file.account_id);
        let max_connections = p.pick(
            "max_connections",
            args.max_connections,
            file.max_connections.map(Some),
        );
        if let Some(max) = max_connections {
            config.limits.max_connections = max.max(1);
        }
        let header_timeout = p.pick("header_timeout", args.header_timeout, file.header_timeout);
        config.limits.header_timeout = seconds("header-timeout", header_timeout)?;
        let regions = p.pick("regions", args.regions, file.regions);
        if !regions.is_empty() {
            config.regions = regions;
        }
        config.metrics_listen = p.pick(
            "metrics_listen",
            args.metrics_listen,
            file.metrics_listen.map(Some),
        );
        config.audit_retention_days = p.pick(
            "audit_retention_days",
            args.audit_retention_days,
            file.audit_retention_days,
        );
        config.audit_reads = p.pick("audit_reads", args.audit_reads, file.audit_reads);
        config.console_origin = p.pick(
            "console_origin",
            args.console_origin,
            file.console_origin.map(Some),
        );
        let tls_cert = p.pick("tls_cert", args.tls_cert, file.tls_cert.map(Some));
        let tls_key = p.pick("tls_key", args.tls_key, file.tls_key.map(Some));
        config.tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err("set both tls-cert and tls-key, or neither".into()),
        };
        config.oidc.ca_file = p.pick(
            "oidc_ca_file",
            args.oidc_ca_file,
            file.oidc_ca_file.map(Some),
        );
        config.oidc.jwks_dir = p.pick(
            "oidc_jwks_dir",
            args.oidc_jwks_dir,
            file.oidc_jwks_dir.map(Some),
        );
        config.outbound_issuer = p.pick(
            "outbound_issuer_url",
            args.outbound_issuer_url,
            file.outbound_issuer_url.map(Some),
        );
        let max_staleness = p.pick("max_staleness", args.max_staleness, file.max_staleness);
        config.max_staleness = seconds("max-staleness", max_staleness)?;
        let shutdown_timeout = p.pick(
            "shutdown_timeout",
            args.shutdown_timeout,
            file.shutdown_timeout,
        );
        config.limits.shutdown_timeout = seconds("shutdown-timeout", shutdown_timeout)?;
        let log_format = p.pick("log_format", args.log_format, file.log_format);
        let log_level = p.pick("log_level", args.log_level, file.log_level.map(Some));
        // `--log-level` / IAMD_LOG_LEVEL, else RUST_LOG, else the file's, else `info`.
        let log_filter = match (&log_level, std::env::var("RUST_LOG").ok()) {
            (Some(level), _) if matches.value_source("log_level").is_some() => level.clone(),
            (_, Some(rust_log)) => rust_log,
            (Some(level), None) => level.clone(),
            (None, None) => "info".to_string(),
        };
        parse_filter(&log_filter)?;
        config.sealing_key = p.secret("sealing_key", "IAMD_SEALING_KEY", file.sealing_key);
        config.root_access_key_id = p.secret(
            "root_access_key_id",
            "IAMD_ROOT_ACCESS_KEY_ID",
            file.root_access_key_id,
        );
        config.root_secret_access_key = p.secret(
            "root_secret_access_key",
            "IAMD_ROOT_SECRET_ACCESS_KEY",
            file.root_secret_access_key,
        );
        config.quotas = quotas(&mut p, &args.quotas, file.quotas.unwrap_or_default())?;
        config.validate()?;
        Ok(Settings {
            config,
            check_config: args.check_config,
            log_format,
            log_filter,
            shown: p.shown,
        })
    }

    /// The effective settings, one per line: `name = value  # source`.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        for (id, value, source) in &self.shown {
            let key = id.replace('_', "-");
            text.push_str(&format!("{key} = {value}  # {}\n", source.name()));
        }
        text.push_str(&format!(
            "# log filter in effect: {}; format: {}\n",
            self.log_filter,
            self.log_format.name()
        ));
        text
    }
}

/// The quotas: the file's `[quotas]`, then each `--quota NAME=VALUE` over them.
fn quotas(
    p: &mut Picker<'_>,
    flags: &[String],
    file: std::collections::BTreeMap<String, usize>,
) -> Result<iamd_core::quotas::Quotas, String> {
    let mut quotas = iamd_core::quotas::Quotas::default();
    for (name, value) in &file {
        quotas
            .set(name, *value)
            .map_err(|e| format!("config file [quotas]: {e}"))?;
    }
    for flag in flags {
        quotas.set_from_str(flag)?;
    }
    let source = match p.matches.value_source("quotas") {
        Some(ValueSource::CommandLine) => Source::Flag,
        Some(ValueSource::EnvVariable) => Source::Environment,
        _ if !file.is_empty() => Source::File,
        _ => Source::Default,
    };
    let changed = quotas.changed();
    let shown = if changed.is_empty() {
        "AWS's".to_string()
    } else {
        changed.join(", ")
    };
    p.shown.push(("quotas", shown, source));
    Ok(quotas)
}

/// How `--check-config` shows a setting without a value.
const NOT_SET: &str = "(not set)";

/// A value as `--check-config` shows it: its debug form without `Some(...)`.
fn shown(debug: String) -> String {
    match debug
        .strip_prefix("Some(")
        .and_then(|d| d.strip_suffix(')'))
    {
        Some(inner) => inner.to_string(),
        None if debug == "None" => NOT_SET.to_string(),
        None => debug,
    }
}

/// A positive number of seconds.
fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    match Duration::try_from_secs_f64(value) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("--{flag} must be a positive number of seconds")),
    }
}

/// Reads and parses the TOML file; an error names the file, the line and the key.
fn read_file(path: &Path) -> Result<FileSettings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map_or(String::new(), |l| format!(" line {l}"));
        format!(
            "config file {}{at}: {}",
            path.display(),
            e.message().trim_end()
        )
    })
}

#[cfg(test)]
mod tests;
