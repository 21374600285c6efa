//! `iamd audit credentials --endpoint-url URL [--unused-days N] [--rotation-days N]
//! [--format text|json|html] [--out FILE]`: reads the account's credential report from a
//! running iamd (GenerateCredentialReport, then GetCredentialReport, signed with the
//! credentials of the environment as for `iamd mfa import`) and the users' policies
//! (GetAccountAuthorizationDetails), and lists what needs attention before an MFA rollout
//! locks anyone out or after it leaves holes:
//!
//! - HIGH: a console password without MFA (the seed policies deny such a user everything but
//!   MFA self-service after sign-in); the root user with an active access key;
//! - MEDIUM: active access keys without MFA (the user cannot get MFA session credentials with
//!   `sts get-session-token`, so MFA-conditioned permissions never apply); a user whose
//!   policies require MFA (decided by evaluation, as `iamd policy lint` does) without a device;
//! - LOW: an active access key or a password not used for N days (default 90), or never used
//!   and older than that (a user none of whose credentials is in use is one "inactive user"
//!   finding); an access key not rotated for `--rotation-days` (default 90).
//!
//! Then a line with the MFA coverage. `--format html` is one self-contained page (no external
//! assets): a chart of the coverage, the findings most serious first and the users, in tables
//! sorted by clicking a column. Exit codes: 0 nothing found, 1 findings, 2 errors.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use clap::{Args, Subcommand};

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use super::signed_http::{credentials_from_env, form_encode, Endpoint};
use super::{exit, fail, out, ERROR, NO, OK};

mod events;
mod html;
mod policies;

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
    /// An active access key older than this many days is reported (rotate it).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    rotation_days: u32,
    /// The region to sign for.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
    /// Text lines, JSON, or one self-contained HTML page.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Html,
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
    // Without the users' policies the report is still worth having: say what is left out.
    let requiring_mfa = fetch_requirements(args).unwrap_or_else(|message| {
        fail(&format!(
            "the users' policies could not be read ({message}): the report leaves out whose \
             policies require MFA"
        ));
        BTreeMap::new()
    });
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let limits = Limits {
        now,
        unused_days: args.unused_days,
        rotation_days: args.rotation_days,
    };
    let report = match audit(&csv, &limits, &requiring_mfa) {
        Ok(report) => report,
        Err(message) => {
            fail(&format!("the credential report: {message}"));
            return ERROR;
        }
    };
    let text = match args.format {
        Format::Text => report.render(),
        Format::Json => {
            let json = report.to_json(&limits);
            let text = serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string());
            format!("{text}\n")
        }
        Format::Html => html::page(&report, &limits),
    };
    match &args.out {
        None => out(&text),
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                fail(&format!("cannot write {}: {e}", path.display()));
                return ERROR;
            }
        }
    }
    if report.findings.is_empty() {
        OK
    } else {
        NO
    }
}

/// User name → why their policies require MFA, from GetAccountAuthorizationDetails.
fn fetch_requirements(args: &CredentialsArgs) -> Result<BTreeMap<String, String>, String> {
    let endpoint = Endpoint::parse(&args.endpoint_url)?;
    let credentials = credentials_from_env()?;
    let mut details = policies::Details::default();
    let mut marker: Option<String> = None;
    for _ in 0..1000 {
        let mut form = "Action=GetAccountAuthorizationDetails&Version=2010-05-08".to_string();
        if let Some(marker) = &marker {
            form.push_str(&format!("&Marker={}", form_encode(marker)));
        }
        let (status, body) = endpoint
            .signed_form(&credentials, &args.region, "iam", &form)
            .map_err(|e| format!("{}: {e}", args.endpoint_url))?;
        if status != 200 {
            return Err(error_text(status, &body));
        }
        marker = details
            .add_page(&body)
            .map_err(|e| format!("GetAccountAuthorizationDetails: {e}"))?;
        if marker.is_none() {
            return Ok(details.requiring_mfa());
        }
    }
    Err("GetAccountAuthorizationDetails: too many pages".into())
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
        }
    }
}

#[derive(Debug, PartialEq, Eq, Serialize)]
struct Finding {
    severity: Severity,
    user: String,
    text: String,
}

/// One user of the report, for the users table.
#[derive(Debug, Serialize)]
struct UserRow {
    user: String,
    password: bool,
    mfa: bool,
    active_keys: usize,
    /// Days since the password or a key was last used; `None` when never.
    last_used_days: Option<i64>,
    /// The statement that makes the user's policies require MFA, when they do.
    policies_require_mfa: Option<String>,
    inactive: bool,
}

/// The report's clock and thresholds.
struct Limits {
    now: i64,
    unused_days: u32,
    rotation_days: u32,
}

#[derive(Debug)]
struct Audit {
    findings: Vec<Finding>,
    users: Vec<UserRow>,
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
            text.push_str(&format!(
                "{:<6}  {:width$}  {}\n",
                f.severity.word(),
                f.user,
                f.text
            ));
        }
        text.push_str(&format!(
            "MFA: {} of {} users with a password or an active access key have an MFA device; {} finding(s)\n",
            self.with_mfa,
            self.with_credentials,
            self.findings.len()
        ));
        text
    }

    /// Counts for the coverage chart: (label, with MFA, without MFA).
    fn coverage(&self) -> [(&'static str, usize, usize); 2] {
        let count = |pick: &dyn Fn(&UserRow) -> bool, mfa: bool| {
            self.users
                .iter()
                .filter(|u| pick(u) && u.mfa == mfa)
                .count()
        };
        let password = |u: &UserRow| u.password;
        let keys = |u: &UserRow| u.active_keys > 0;
        [
            (
                "Console password",
                count(&password, true),
                count(&password, false),
            ),
            (
                "Active access keys",
                count(&keys, true),
                count(&keys, false),
            ),
        ]
    }

    fn to_json(&self, limits: &Limits) -> serde_json::Value {
        let coverage: Vec<_> = self
            .coverage()
            .iter()
            .map(|(label, with, without)| {
                serde_json::json!({"credential": label, "with_mfa": with, "without_mfa": without})
            })
            .collect();
        serde_json::json!({
            "generated": iamd_core::time::iso8601(limits.now),
            "unused_days": limits.unused_days,
            "rotation_days": limits.rotation_days,
            "coverage": coverage,
            "users_with_credentials": self.with_credentials,
            "users_with_mfa": self.with_mfa,
            "findings": self.findings,
            "users": self.users,
        })
    }
}

/// Reads the report's CSV (AWS's columns, found by name) into findings; `requiring_mfa` names
/// the users whose policies require MFA.
fn audit(
    csv: &str,
    limits: &Limits,
    requiring_mfa: &BTreeMap<String, String>,
) -> Result<Audit, String> {
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
    let unused = i64::from(limits.unused_days);
    let rotation = i64::from(limits.rotation_days);
    let days_since = |date: &str| -> Option<i64> {
        let utc = date.strip_suffix("+00:00").map(|d| format!("{d}Z"))?;
        iamd_core::time::parse_iso8601(&utc).map(|t| (limits.now - t) / 86_400)
    };
    let mut audit = Audit {
        findings: Vec::new(),
        users: Vec::new(),
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
        let has_credentials = password || !active_keys.is_empty();
        if has_credentials {
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
        let requirement = requiring_mfa.get(&user);
        if let Some(why) = requirement.filter(|_| has_credentials && !mfa) {
            add(
                Severity::Medium,
                format!("policies require MFA ({why}) but the user has no MFA device: until one is enrolled only MFA self-service works"),
            );
        }
        // Unused credentials, and the most recent use of any.
        let mut idle = Vec::new();
        let mut last_used: Option<i64> = None;
        let mut note_use = |days: Option<i64>| {
            if let Some(days) = days {
                last_used = Some(last_used.map_or(days, |l: i64| l.min(days)));
            }
        };
        for (n, _, rotated, used) in &active_keys {
            let (used, age) = (days_since(cell(*used)), days_since(cell(*rotated)));
            note_use(used);
            match (used, age) {
                (Some(days), _) if days >= unused => {
                    idle.push(format!("access key {n} last used {days} days ago"));
                }
                (None, Some(age)) if age >= unused => {
                    idle.push(format!("access key {n} never used, created {age} days ago"));
                }
                (_, Some(age)) if age >= rotation => add(
                    Severity::Low,
                    format!("access key {n} not rotated for {age} days (rotate every {rotation}): create a new key, switch to it, delete this one"),
                ),
                _ => {}
            }
        }
        if password {
            let used = days_since(cell(password_used_col));
            note_use(used);
            match (used, days_since(cell(password_changed_col))) {
                (Some(days), _) if days >= unused => {
                    idle.push(format!("password last used {days} days ago"));
                }
                (None, Some(age)) if age >= unused => {
                    idle.push(format!("password never used, set {age} days ago"));
                }
                _ => {}
            }
        }
        let credentials = usize::from(password) + active_keys.len();
        let inactive = credentials > 0 && idle.len() == credentials;
        if inactive {
            add(
                Severity::Low,
                format!(
                    "inactive user ({}): disable or delete the user",
                    idle.join("; ")
                ),
            );
        } else {
            for text in idle {
                let advice = if text.starts_with("password") {
                    ""
                } else if text.contains("never used") {
                    ": delete it"
                } else {
                    ": deactivate it if unneeded"
                };
                add(Severity::Low, format!("{text}{advice}"));
            }
        }
        audit.users.push(UserRow {
            user: user.clone(),
            password,
            mfa,
            active_keys: active_keys.len(),
            last_used_days: last_used,
            policies_require_mfa: requirement.cloned(),
            inactive,
        });
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
