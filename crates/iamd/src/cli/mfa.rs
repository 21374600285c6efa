//! `iamd mfa login` and `iamd mfa credential-process` are in `mfa_session`.
//!
//! `iamd mfa import FILE --endpoint-url URL [--format csv|pskc]`: registers hardware TOTP
//! tokens on a running iamd through its admin extension `POST /iamd/admin/hardware-mfa-devices`
//! (action `iamd:ImportHardwareMFADevices`).
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally
//! `AWS_SESSION_TOKEN`, as for the AWS CLI; the request is signed with SigV4 for service
//! `iam`. The endpoint must be `http://` (meant for loopback or a trusted network; put a
//! TLS-terminating proxy in front otherwise). Prints the imported serial numbers, one a
//! line. Exit codes: 0 imported, 1 refused by the server (4xx: bad file, access denied),
//! 2 usage, file, network or server (5xx) errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::mfa_session::{CredentialProcessArgs, LoginArgs};
use super::signed_http::{credentials_from_env, Endpoint};
use super::{exit, fail, out, ERROR, NO, OK};

/// The admin route, as served by `iamd serve`.
const IMPORT_PATH: &str = "/iamd/admin/hardware-mfa-devices";

/// The `iamd mfa` commands.
#[derive(Debug, Subcommand)]
pub enum MfaCommand {
    /// Register hardware TOTP tokens (serial number and seed) from a CSV or PSKC file.
    Import(ImportArgs),
    /// Get MFA session credentials (GetSessionToken) for the AWS CLI into profile `P-mfa`.
    ///
    /// Reads the long-term keys of profile P from the AWS shared files, asks for the code on
    /// the terminal, and reuses the session while it is valid. Exit 0, or 2 with one line
    /// saying what is wrong (the files then unchanged).
    Login(LoginArgs),
    /// Print MFA session credentials as the AWS CLI's `credential_process` expects them.
    ///
    /// Use it in a profile: `credential_process = iamd mfa credential-process --profile P`.
    /// The session is cached (mode 0600) until shortly before it expires; the code is asked on
    /// the terminal when a new one is needed.
    CredentialProcess(CredentialProcessArgs),
}

/// Flags of `iamd mfa import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The token file: CSV (`serial,seed` lines) or PSKC (RFC 6030, PlainValue secrets).
    file: PathBuf,
    /// The iamd endpoint, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: String,
    /// The file's format (default: from the extension: .csv, or .xml / .pskc).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The region to sign for.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
}

/// A token file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Pskc,
}

impl Format {
    fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xml" | "pskc" => Some(Format::Pskc),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Pskc => "application/pskc+xml",
        }
    }
}

pub fn run(command: MfaCommand) -> ExitCode {
    match command {
        MfaCommand::Import(args) => exit(import(&args)),
        MfaCommand::Login(args) => exit(super::mfa_session::login(&args)),
        MfaCommand::CredentialProcess(args) => exit(super::mfa_session::credential_process(&args)),
    }
}

/// Why the command stopped: a code (see the module documentation) and a message.
struct Stop(u8, String);

fn import(args: &ImportArgs) -> u8 {
    match try_import(args) {
        Ok(serials) => {
            let mut text = String::new();
            for serial in serials {
                text.push_str(&serial);
                text.push('\n');
            }
            out(&text);
            OK
        }
        Err(Stop(code, message)) => {
            fail(&message);
            code
        }
    }
}

fn try_import(args: &ImportArgs) -> Result<Vec<String>, Stop> {
    let usage = |message: String| Stop(ERROR, message);
    let format = match args.format {
        Some(format) => format,
        None => Format::from_extension(&args.file).ok_or_else(|| {
            usage(format!(
                "cannot tell the format of {} from its extension: give --format csv or --format pskc",
                args.file.display()
            ))
        })?,
    };
    let body = std::fs::read(&args.file)
        .map_err(|e| usage(format!("cannot read {}: {e}", args.file.display())))?;
    let endpoint = Endpoint::parse(&args.endpoint_url).map_err(usage)?;
    let credentials = credentials_from_env().map_err(usage)?;
    let (status, response) = endpoint
        .signed_post(
            &credentials,
            &args.region,
            IMPORT_PATH,
            format.content_type(),
            &body,
        )
        .map_err(|e| Stop(ERROR, format!("{}: {e}", args.endpoint_url)))?;
    answer(status, &response)
}

/// Reads the server's answer: the serials, or the error with the exit code it deserves.
fn answer(status: u16, body: &str) -> Result<Vec<String>, Stop> {
    let json: Option<Value> = serde_json::from_str(body).ok();
    if status == 200 {
        let serials = json
            .as_ref()
            .and_then(|v| v["Imported"].as_array())
            .map(|list| list.iter().filter_map(|s| s.as_str().map(String::from)));
        return match serials {
            Some(serials) => Ok(serials.collect()),
            None => Err(Stop(ERROR, format!("unexpected answer: {body}"))),
        };
    }
    let error = json.as_ref().map(|v| &v["Error"]);
    let text = |key: &str| error.and_then(|e| e[key].as_str()).map(String::from);
    let message = match (text("Code"), text("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        _ => format!("HTTP {status}: {}", body.trim()),
    };
    let code = if (400..500).contains(&status) {
        NO
    } else {
        ERROR
    };
    Err(Stop(code, message))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn formats_and_answers() {
        assert_eq!(
            Format::from_extension(Path::new("t.CSV")),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::from_extension(Path::new("t.pskc")),
            Some(Format::Pskc)
        );
        assert_eq!(Format::from_extension(Path::new("t.txt")), None);
        let ok = answer(200, r#"{"Imported":["A","B"]}"#).ok().unwrap();
        assert_eq!(ok, ["A", "B"]);
        let refused = r#"{"Error":{"Code":"AccessDenied","Message":"no"}}"#;
        assert!(matches!(answer(403, refused), Err(Stop(NO, m)) if m == "AccessDenied: no"));
        assert!(matches!(answer(500, "boom"), Err(Stop(ERROR, _))));
    }
}
