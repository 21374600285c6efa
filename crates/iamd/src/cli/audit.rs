//! `iamd audit credentials --endpoint-url URL [--unused-days N]`: reads the account's credential
//! report from a running iamd (GenerateCredentialReport, then GetCredentialReport, signed with
//! the credentials of the environment as for `iamd mfa import`) and lists what needs attention
//! before an MFA rollout locks anyone out or after it leaves holes:
//!
//! - HIGH: a console password without MFA (the seed policies deny such a user everything but
//!   MFA self-service after sign-in); the root user with an active access key;
//! - MEDIUM: active access keys without MFA (the user cannot get MFA session credentials with
//!   `sts get-session-token`, so MFA-conditioned permissions never apply);
//! - LOW: an active access key or a password not used for N days (default 90), or never used
//!   and older than that.
//!
//! Then a line with the MFA coverage. Exit codes: 0 nothing found, 1 findings, 2 errors.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use clap::{Args, Subcommand};

use super::signed_http::{credentials_from_env, Endpoint};
use super::{exit, fail, out, ERROR, NO, OK};

mod events;

/// The `iamd audit` commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// MFA coverage and unused credentials, from the credential report.
    Credentials(CredentialsArgs),
    /// The event history as JSON Lines (one CloudTrail record a line), via LookupEvents.
    Events(events::EventsArgs),
}

/// Flags of `iamd audit credentials`.
#[derive(Debug, Args)]
pub struct CredentialsArgs {
    /// The iamd endpoint, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: String,
    /// A password or access key not used for this many days is reported.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    unused_days: u32,
    /// The region to sign for.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
}

pub fn run(command: AuditCommand) -> ExitCode {
    match command {
        AuditCommand::Credentials(args) => exit(credentials(&args)),
        AuditCommand::Events(args) => exit(events::run(&args)),
    }
}

fn credentials(args: &CredentialsArgs) -> u8 {
    let csv = match fetch_report(args) {
        Ok(csv) => csv,
        Err(message) => {
            fail(&message);
            return ERROR;
        }
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    match audit(&csv, now, args.unused_days) {
        Ok(report) => {
            out(&report.render());
            if report.findings.is_empty() {
                OK
            } else {
                NO
            }
        }
        Err(message) => {
            fail(&format!("the credential report: {message}"));
            ERROR
        }
    }
}

/// Generates the report (waiting while AWS-style generation is in progress) and returns its
/// CSV text.
fn fetch_report(args: &CredentialsArgs) -> Result<String, String> {
    let endpoint = Endpoint::parse(&args.endpoint_url)?;
    let credentials = credentials_from_env()?;
    let call = |action: &str| -> Result<(u16, String), String> {
        let body = format!("Action={action}&Version=2010-05-08");
        endpoint
            .signed_post(
                &credentials,
                &args.region,
                "/",
                "application/x-www-form-urlencoded; charset=utf-8",
                body.as_bytes(),
            )
            .map_err(|e| format!("{}: {e}", args.endpoint_url))
    };
    let (status, body) = call("GenerateCredentialReport")?;
    if status != 200 {
        return Err(error_text(status, &body));
    }
    for _ in 0..30 {
        let (status, body) = call("GetCredentialReport")?;
        if status == 200 {
            let content = xml_text(&body, "Content").ok_or("no Content in the answer")?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(content.trim())
                .map_err(|e| format!("the report's Content is not base64: {e}"))?;
            return String::from_utf8(bytes).map_err(|_| "the report is not UTF-8".to_string());
        }
        if xml_text(&body, "Code").as_deref() != Some("ReportInProgress") {
            return Err(error_text(status, &body));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    Err("the credential report was still being generated after 30 s".into())
}

/// The text of the first `<tag>` element of `xml`.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + xml.get(start..)?.find(&format!("</{tag}>"))?;
    xml.get(start..end).map(String::from)
}

fn error_text(status: u16, body: &str) -> String {
    match (xml_text(body, "Code"), xml_text(body, "Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => format!("HTTP {status}: {}", body.trim()),
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    High,
    Medium,
    Low,
}

#[derive(Debug, PartialEq, Eq)]
struct Finding {
    severity: Severity,
    user: String,
    text: String,
}

#[derive(Debug)]
struct Audit {
    findings: Vec<Finding>,
    /// Users with a password or an active access key, and how many of them have MFA.
    with_credentials: usize,
    with_mfa: usize,
}

impl Audit {
    fn render(&self) -> String {
        let mut text = String::new();
        let width = self
            .findings
            .iter()
            .map(|f| f.user.len())
            .max()
            .unwrap_or(0);
        for f in &self.findings {
            let severity = match f.severity {
                Severity::High => "HIGH  ",
                Severity::Medium => "MEDIUM",
                Severity::Low => "LOW   ",
            };
            text.push_str(&format!("{severity}  {:width$}  {}\n", f.user, f.text));
        }
        text.push_str(&format!(
            "MFA: {} of {} users with a password or an active access key have an MFA device; {} finding(s)\n",
            self.with_mfa,
            self.with_credentials,
            self.findings.len()
        ));
        text
    }
}

/// Reads the report's CSV (AWS's columns, found by name) into findings.
fn audit(csv: &str, now: i64, unused_days: u32) -> Result<Audit, String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().ok_or("empty")?.split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("no column {name}"))
    };
    let user_col = column("user")?;
    let mfa_col = column("mfa_active")?;
    let password_col = column("password_enabled")?;
    let password_used_col = column("password_last_used")?;
    let password_changed_col = column("password_last_changed")?;
    let mut key_cols = Vec::new();
    for n in 1..=2 {
        key_cols.push((
            n,
            column(&format!("access_key_{n}_active"))?,
            column(&format!("access_key_{n}_last_rotated"))?,
            column(&format!("access_key_{n}_last_used_date"))?,
        ));
    }
    let limit = i64::from(unused_days) * 86_400;
    let days_since = |date: &str| -> Option<i64> {
        let utc = date.strip_suffix("+00:00").map(|d| format!("{d}Z"))?;
        iamd_core::time::parse_iso8601(&utc).map(|t| (now - t) / 86_400)
    };
    let mut audit = Audit {
        findings: Vec::new(),
        with_credentials: 0,
        with_mfa: 0,
    };
    for line in lines.filter(|l| !l.is_empty()) {
        let cells = split_csv(line);
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let user = cell(user_col).to_string();
        let mut add = |severity, text: String| {
            audit.findings.push(Finding {
                severity,
                user: user.clone(),
                text,
            });
        };
        let active_keys: Vec<_> = key_cols
            .iter()
            .filter(|(_, active, _, _)| cell(*active) == "true")
            .collect();
        if user == "<root_account>" {
            for (n, ..) in &active_keys {
                add(
                    Severity::High,
                    format!("the root user has an active access key ({n}): delete it and use IAM users or roles"),
                );
            }
            continue;
        }
        let mfa = cell(mfa_col) == "true";
        let password = cell(password_col) == "true";
        if password || !active_keys.is_empty() {
            audit.with_credentials += 1;
            if mfa {
                audit.with_mfa += 1;
            }
        }
        if password && !mfa {
            add(
                Severity::High,
                "console password without MFA: assign an MFA device".into(),
            );
        } else if !active_keys.is_empty() && !mfa {
            add(
                Severity::Medium,
                "active access keys without MFA: no MFA session credentials possible (sts get-session-token)".into(),
            );
        }
        for (n, _, rotated, used) in &active_keys {
            match (days_since(cell(*used)), days_since(cell(*rotated))) {
                (Some(days), _) if days * 86_400 >= limit => add(
                    Severity::Low,
                    format!("access key {n} last used {days} days ago: deactivate it if unneeded"),
                ),
                (None, Some(age)) if age * 86_400 >= limit => add(
                    Severity::Low,
                    format!("access key {n} never used, created {age} days ago: delete it"),
                ),
                _ => {}
            }
        }
        if password {
            match (
                days_since(cell(password_used_col)),
                days_since(cell(password_changed_col)),
            ) {
                (Some(days), _) if days * 86_400 >= limit => {
                    add(Severity::Low, format!("password last used {days} days ago"))
                }
                (None, Some(age)) if age * 86_400 >= limit => add(
                    Severity::Low,
                    format!("password never used, set {age} days ago"),
                ),
                _ => {}
            }
        }
    }
    audit
        .findings
        .sort_by(|a, b| (a.severity, &a.user).cmp(&(b.severity, &b.user)));
    Ok(audit)
}

/// The cells of one CSV line (quoted cells may hold commas; `""` is a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                push(&mut cells, '"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => push(&mut cells, c),
        }
    }
    cells
}

fn push(cells: &mut [String], c: char) {
    if let Some(last) = cells.last_mut() {
        last.push(c);
    }
}

#[cfg(test)]
mod tests;
