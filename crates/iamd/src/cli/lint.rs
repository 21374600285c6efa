//! `iamd policy lint` and `iamd policy journey`: the analysis is `iamd_policy::lint`; this
//! module reads the files (or AWS managed policies by name) and prints.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use iamd_policy::lint::journey::{self, Route};
use iamd_policy::lint::{self, Finding, Loaded, Severity, Unusable};

use super::{fail, out, ERROR, NO, OK};

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// Arguments of `iamd policy lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The policy documents to lint (JSON).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Other policies the user also has, so the set is judged as a whole: a file, or the name
    /// (or ARN) of an AWS managed policy iamd ships, e.g. `AdministratorAccess`.
    #[arg(long = "with", value_name = "FILE|NAME", num_args = 1.., action = clap::ArgAction::Append)]
    with: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when a finding is at or above this severity: error, security, warning,
    /// suggestion (in that order).
    #[arg(long, value_name = "LEVEL", default_value = "error", value_parser = parse_severity)]
    fail_on: Severity,
}

/// Arguments of `iamd policy journey`.
#[derive(Debug, Args)]
pub struct JourneyArgs {
    /// The user's policies: files, or names (or ARNs) of AWS managed policies iamd ships.
    #[arg(long = "policy", value_name = "FILE|NAME", required = true, num_args = 1.., action = clap::ArgAction::Append)]
    policies: Vec<String>,
    /// The user was created with "must reset password at next sign-in" (the console then
    /// attaches IAMUserChangePassword).
    #[arg(long)]
    password_reset_required: bool,
    /// Walk the CLI journey (J2: long-term access keys) instead of the console's (J1).
    #[arg(long)]
    cli: bool,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("`{text}` is not one of error, security, warning, suggestion"))
}

/// Runs `lint`: 0 clean, 1 a finding at or above `--fail-on`, 2 unusable input.
pub fn run_lint(args: &LintArgs) -> u8 {
    let mut files = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let sources = args
        .files
        .iter()
        .map(|p| (p.display().to_string(), true))
        .chain(args.with.iter().map(|w| (w.clone(), false)));
    for (name, linted) in sources {
        match read(&name, linted) {
            Ok(Loaded::Policy(file)) => files.push(file),
            Ok(Loaded::Malformed(finding)) => findings.push(finding),
            Err(Unusable(why)) => {
                fail(&why);
                return ERROR;
            }
        }
    }
    findings.extend(lint::lint(&files));
    match args.format {
        Format::Text => out(&lint::to_text(&findings)),
        Format::Json => out(&lint::to_json_text(&findings)),
        Format::Sarif => out(&pretty(&lint::to_sarif(&findings))),
    }
    if findings.iter().any(|f| f.severity.reaches(args.fail_on)) {
        NO
    } else {
        OK
    }
}

/// Runs `journey`: 0 the user gets through, 1 stuck, 2 unusable input.
pub fn run_journey(args: &JourneyArgs) -> u8 {
    let mut files = Vec::new();
    for name in &args.policies {
        match read(name, true) {
            Ok(Loaded::Policy(file)) => files.push(file),
            Ok(Loaded::Malformed(finding)) => {
                fail(&format!("{}: {}", finding.file, finding.message));
                return ERROR;
            }
            Err(Unusable(why)) => {
                fail(&why);
                return ERROR;
            }
        }
    }
    let route = if args.cli {
        Route::Cli
    } else {
        Route::Console {
            password_reset: args.password_reset_required,
        }
    };
    let Some(walk) = journey::walk(&files, route) else {
        fail("internal error: the built-in policies did not parse");
        return ERROR;
    };
    out(&journey::to_text(&walk, &files));
    if walk.stuck().is_some() {
        NO
    } else {
        OK
    }
}

/// A file, or else an AWS managed policy by name or ARN.
fn read(name: &str, linted: bool) -> Result<Loaded, Unusable> {
    let path = Path::new(name);
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Unusable(format!("cannot read {name}: {e}")))?;
        return lint::load(name, &text, linted);
    }
    let wanted = name.rsplit('/').next().unwrap_or(name);
    let managed =
        iamd_core::aws_policies::by_name(wanted).filter(|p| name == wanted || name == p.arn);
    let text = managed
        .and_then(|p| p.versions.last())
        .map(|v| v.document.text.clone());
    match text {
        Some(text) => lint::load(name, &text, linted),
        None => Err(Unusable(format!(
            "cannot read {name}: no such file, and not an AWS managed policy iamd ships"
        ))),
    }
}

fn pretty(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    format!("{text}\n")
}
