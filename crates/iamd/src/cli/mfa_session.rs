//! `iamd mfa login` and `iamd mfa credential-process`: MFA session credentials for the AWS
//! CLI. Both read the long-term keys of profile P from the shared files (never changing
//! them), find the MFA device (`--serial-number`, the profile's `mfa_serial`, or
//! ListMFADevices), ask for the code on the terminal (`/dev/tty`, so it is never in shell
//! history and never on standard output) and call GetSessionToken.
//!
//! - `login` writes the session into profile `P-mfa` of the credentials file, with
//!   `expiration`, and reuses it while it is valid.
//! - `credential-process` prints what the AWS CLI's `credential_process` expects
//!   (`{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`) and
//!   caches it (mode 0600) until shortly before it expires.
//!
//! Errors (unknown profile, wrong or replayed code, unreachable endpoint, refused key) are one
//! line on standard error and exit 2; the files are then left exactly as they were.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use clap::Args;
use serde_json::{json, Value};

use super::aws_files::{self, IniFile};
use super::signed_http::{form_encode, Endpoint};
use super::{fail, out, ERROR, OK};

/// Session credentials are reused while they have at least this long left (the AWS CLI
/// refreshes credentials from a process 15 minutes before they expire).
const REUSE_MARGIN_SECONDS: i64 = 15 * 60;

/// What both commands share.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// The profile with the long-term access keys (default: `AWS_PROFILE`, else `default`).
    #[arg(long)]
    profile: Option<String>,
    /// The MFA device's ARN (default: the profile's `mfa_serial`, else the user's device found
    /// with ListMFADevices).
    #[arg(long, value_name = "ARN")]
    serial_number: Option<String>,
    /// The 6-digit code (default: asked on the terminal).
    #[arg(long, value_name = "CODE")]
    token_code: Option<String>,
    /// How long the session lasts, in seconds (900 to 129600; default: the server's, 12 hours).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(900..=129_600))]
    duration: Option<u32>,
    /// The iamd (or AWS) endpoint (default: `AWS_ENDPOINT_URL`, else the profile's
    /// `endpoint_url`).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
}

/// Arguments of `iamd mfa login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// The profile that receives the session credentials (default: `P-mfa`).
    #[arg(long, value_name = "NAME")]
    mfa_profile: Option<String>,
}

/// Arguments of `iamd mfa credential-process`.
#[derive(Debug, Args)]
pub struct CredentialProcessArgs {
    #[command(flatten)]
    session: SessionArgs,
}

/// Runs `login`.
pub fn login(args: &LoginArgs) -> u8 {
    report(try_login(args))
}

/// Runs `credential-process`.
pub fn credential_process(args: &CredentialProcessArgs) -> u8 {
    report(try_credential_process(&args.session))
}

fn report(result: Result<(), String>) -> u8 {
    match result {
        Ok(()) => OK,
        Err(message) => {
            fail(&message);
            ERROR
        }
    }
}

/// Session credentials from GetSessionToken.
struct Session {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// As the server wrote it.
    expiration: String,
}

fn try_login(args: &LoginArgs) -> Result<(), String> {
    let profile = Profile::resolve(args.session.profile.as_deref())?;
    let target = args
        .mfa_profile
        .clone()
        .unwrap_or_else(|| format!("{}-mfa", profile.name));
    if target == profile.name {
        return Err(format!(
            "--mfa-profile {target} is the long-term profile itself: its keys are never replaced"
        ));
    }
    let expiration = profile.credentials.value(&target, "expiration");
    if let Some(expiration) = expiration.filter(|e| still_valid(e)) {
        out(&format!(
            "Profile {target} holds MFA session credentials valid until {expiration}; nothing \
             to do.\n"
        ));
        return Ok(());
    }
    let session = profile.get_session_token(&args.session)?;
    let text = profile.credentials.with_section(
        &target,
        &[
            ("aws_access_key_id", &session.access_key_id),
            ("aws_secret_access_key", &session.secret_access_key),
            ("aws_session_token", &session.session_token),
            ("expiration", &session.expiration),
        ],
    );
    profile.credentials.write(&text)?;
    out(&format!(
        "Wrote MFA session credentials to profile {target} in {} (valid until {}).\n\
         Use them with `aws --profile {target} ...` or AWS_PROFILE={target}.\n",
        profile.credentials.path.display(),
        session.expiration
    ));
    Ok(())
}

fn try_credential_process(args: &SessionArgs) -> Result<(), String> {
    let profile = Profile::resolve(args.profile.as_deref())?;
    let cache = cache_path(&profile.name)?;
    if let Some(cached) = read_cache(&cache) {
        out(&format!("{cached}\n"));
        return Ok(());
    }
    let session = profile.get_session_token(args)?;
    let document = json!({
        "Version": 1,
        "AccessKeyId": session.access_key_id,
        "SecretAccessKey": session.secret_access_key,
        "SessionToken": session.session_token,
        "Expiration": session.expiration,
    });
    let text = document.to_string();
    aws_files::write_atomically(&cache, text.as_bytes())?;
    out(&format!("{text}\n"));
    Ok(())
}

/// `$XDG_CACHE_HOME/iamd` or `~/.cache/iamd`, file `mfa-session-PROFILE.json`.
fn cache_path(profile: &str) -> Result<PathBuf, String> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => aws_files::home()?.join(".cache"),
    };
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(base.join("iamd").join(format!("mfa-session-{safe}.json")))
}

/// The cached document, if it is well formed and still valid.
fn read_cache(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    let expiration = value["Expiration"].as_str()?;
    let complete = ["AccessKeyId", "SecretAccessKey", "SessionToken"]
        .iter()
        .all(|k| value[k].is_string());
    (complete && value["Version"] == 1 && still_valid(expiration)).then(|| value.to_string())
}

/// Whether `expiration` (ISO 8601) is more than the margin away.
fn still_valid(expiration: &str) -> bool {
    let whole = expiration.get(..19).map(|s| format!("{s}Z"));
    let Some(at) = whole.and_then(|s| iamd_core::time::parse_iso8601(&s)) else {
        return false;
    };
    now() + REUSE_MARGIN_SECONDS < at
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The long-term profile and what it says.
struct Profile {
    name: String,
    credentials: IniFile,
    config: IniFile,
    keys: Credentials,
}

impl Profile {
    fn resolve(flag: Option<&str>) -> Result<Profile, String> {
        let name = flag
            .map(String::from)
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".to_string());
        let credentials = IniFile::read(aws_files::credentials_path()?)?;
        let config = IniFile::read(aws_files::config_path()?)?;
        let section = aws_files::config_section(&name);
        let value = |key: &str| {
            credentials
                .value(&name, key)
                .or_else(|| config.value(&section, key))
                .filter(|v| !v.is_empty())
        };
        let (Some(id), Some(secret)) = (value("aws_access_key_id"), value("aws_secret_access_key"))
        else {
            return Err(format!(
                "profile {name} has no access keys in {} or {}: check --profile (or \
                 AWS_PROFILE), or run `aws configure --profile {name}`",
                credentials.path.display(),
                config.path.display()
            ));
        };
        if value("aws_session_token").is_some() {
            return Err(format!(
                "profile {name} holds session credentials: GetSessionToken needs the \
                 long-term access keys of an IAM user"
            ));
        }
        let keys = Credentials::new(id, secret, None, None, "profile");
        Ok(Profile {
            name,
            credentials,
            config,
            keys,
        })
    }

    /// A setting of the profile in the config file.
    fn setting(&self, key: &str) -> Option<String> {
        self.config
            .value(&aws_files::config_section(&self.name), key)
            .filter(|v| !v.is_empty())
    }

    fn region(&self) -> String {
        ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
            .or_else(|| self.setting("region"))
            .unwrap_or_else(|| "us-east-1".to_string())
    }

    fn endpoint(&self, flag: Option<&str>) -> Result<(String, Endpoint), String> {
        let url = flag
            .map(String::from)
            .or_else(|| {
                std::env::var("AWS_ENDPOINT_URL")
                    .ok()
                    .filter(|u| !u.is_empty())
            })
            .or_else(|| self.setting("endpoint_url"))
            .ok_or_else(|| {
                format!(
                    "no endpoint: give --endpoint-url, set AWS_ENDPOINT_URL, or add \
                     endpoint_url to profile {} in {}",
                    self.name,
                    self.config.path.display()
                )
            })?;
        let endpoint = Endpoint::parse(&url)?;
        Ok((url, endpoint))
    }

    fn get_session_token(&self, args: &SessionArgs) -> Result<Session, String> {
        let (url, endpoint) = self.endpoint(args.endpoint_url.as_deref())?;
        let region = self.region();
        let call = |service: &str, form: &str| {
            endpoint
                .signed_form(&self.keys, &region, service, form)
                .map_err(|e| {
                    format!(
                        "cannot reach {url}: {e}: check --endpoint-url and that the server runs"
                    )
                })
        };
        let serial = match args
            .serial_number
            .clone()
            .or_else(|| self.setting("mfa_serial"))
        {
            Some(serial) => serial,
            None => {
                let (status, body) = call("iam", "Action=ListMFADevices&Version=2010-05-08")?;
                if status != 200 {
                    return Err(self.refused("ListMFADevices", status, &body));
                }
                choose_device(&xml_all(&body, "SerialNumber"))?
            }
        };
        let code = match &args.token_code {
            Some(code) => code.clone(),
            None => ask(&format!("MFA code for {serial}: "))?,
        };
        let code = code.trim().to_string();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the MFA code must be the 6 digits your device shows".to_string());
        }
        let mut form = format!(
            "Action=GetSessionToken&Version=2011-06-15&SerialNumber={}&TokenCode={code}",
            form_encode(&serial)
        );
        if let Some(seconds) = args.duration {
            form.push_str(&format!("&DurationSeconds={seconds}"));
        }
        let (status, body) = call("sts", &form)?;
        if status != 200 {
            return Err(self.refused("GetSessionToken", status, &body));
        }
        let field = |tag: &str| {
            xml_all(&body, tag)
                .into_iter()
                .next()
                .ok_or_else(|| format!("GetSessionToken answered without {tag}"))
        };
        Ok(Session {
            access_key_id: field("AccessKeyId")?,
            secret_access_key: field("SecretAccessKey")?,
            session_token: field("SessionToken")?,
            expiration: field("Expiration")?,
        })
    }

    /// One line for a refused call, with what to do.
    fn refused(&self, operation: &str, status: u16, body: &str) -> String {
        let code = xml_all(body, "Code").into_iter().next();
        let message = xml_all(body, "Message")
            .into_iter()
            .next()
            .unwrap_or_default();
        let what = match code.as_deref() {
            Some("InvalidClientTokenId" | "SignatureDoesNotMatch" | "ExpiredToken") => format!(
                "the access key of profile {} was refused: check or rotate the keys in {}",
                self.name,
                self.credentials.path.display()
            ),
            Some("AccessDenied") if operation == "GetSessionToken" => {
                "the MFA code was refused: wait for the next code (each works once) and check \
                 the serial number"
                    .to_string()
            }
            Some("AccessDenied") => format!(
                "the user may not list their MFA devices to find the serial number: give \
                 --serial-number ARN, or add mfa_serial = ARN to profile {} in {}",
                self.name,
                self.config.path.display()
            ),
            _ => format!("{operation} failed"),
        };
        match code {
            Some(code) => format!("{what} ({code}: {message})"),
            None => format!("{what} (HTTP {status}: {})", body.trim()),
        }
    }
}

/// The one device, or the one the person picks on the terminal.
fn choose_device(serials: &[String]) -> Result<String, String> {
    match serials {
        [] => Err("this user has no MFA device: enrol one first (or give --serial-number)".into()),
        [one] => Ok(one.clone()),
        several => {
            let mut prompt = String::from("Several MFA devices:\n");
            for (i, serial) in several.iter().enumerate() {
                prompt.push_str(&format!("  {}) {serial}\n", i + 1));
            }
            prompt.push_str("Which one? ");
            let answer = ask(&prompt)?;
            answer
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| several.get(i))
                .cloned()
                .ok_or_else(|| format!("`{}` is not one of 1 to {}", answer.trim(), several.len()))
        }
    }
}

/// Asks on the terminal (`/dev/tty`): standard output may belong to the AWS CLI.
fn ask(prompt: &str) -> Result<String, String> {
    let no_tty =
        |e: std::io::Error| format!("no terminal to ask for the MFA code ({e}): give --token-code");
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(no_tty)?;
    tty.write_all(prompt.as_bytes())
        .and_then(|()| tty.flush())
        .map_err(no_tty)?;
    let mut line = String::new();
    BufReader::new(tty).read_line(&mut line).map_err(no_tty)?;
    Ok(line.trim().to_string())
}

/// The texts of every `<tag>` element of `xml`.
fn xml_all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        found.push(unescape(&after[..end]));
        rest = &after[end + close.len()..];
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn xml_and_forms() {
        let xml = "<a><SerialNumber>arn:aws:iam::1:mfa/x</SerialNumber><SerialNumber>s&amp;2</SerialNumber></a>";
        assert_eq!(
            xml_all(xml, "SerialNumber"),
            ["arn:aws:iam::1:mfa/x", "s&2"]
        );
        assert_eq!(
            form_encode("arn:aws:iam::1:mfa/a b"),
            "arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fa%20b"
        );
    }

    #[test]
    fn validity() {
        assert!(still_valid("2999-01-01T00:00:00Z"));
        assert!(still_valid("2999-01-01T00:00:00.123Z"));
        assert!(!still_valid("2000-01-01T00:00:00Z"));
        assert!(!still_valid("soon"));
    }
}
