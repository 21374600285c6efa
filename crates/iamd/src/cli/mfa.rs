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

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::{exit, fail, out, ERROR, NO, OK};

/// The admin route, as served by `iamd serve`.
const IMPORT_PATH: &str = "/iamd/admin/hardware-mfa-devices";
/// How long to wait for the server at each step.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `iamd mfa` commands.
#[derive(Debug, Subcommand)]
pub enum MfaCommand {
    /// Register hardware TOTP tokens (serial number and seed) from a CSV or PSKC file.
    Import(ImportArgs),
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
    let headers = sign_request(&endpoint, &credentials, &args.region, format, &body)
        .map_err(|e| usage(format!("cannot sign the request: {e}")))?;
    let (status, response) = endpoint
        .post(&headers, &body)
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

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
fn credentials_from_env() -> Result<Credentials, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(Credentials::new(
            id,
            secret,
            var("AWS_SESSION_TOKEN"),
            None,
            "environment",
        )),
        _ => Err(
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for \
                  session credentials)"
                .into(),
        ),
    }
}

/// The SigV4 headers (plus Content-Type) for a POST of `body` to the import route.
fn sign_request(
    endpoint: &Endpoint,
    credentials: &Credentials,
    region: &str,
    format: Format,
    body: &[u8],
) -> Result<Vec<(String, String)>, String> {
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("iam")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let url = format!("http://{}{IMPORT_PATH}", endpoint.host);
    let content_type = format.content_type();
    let signable = SignableRequest::new(
        "POST",
        &url,
        [
            ("host", endpoint.host.as_str()),
            ("content-type", content_type),
        ]
        .into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let mut headers = vec![("content-type".to_string(), content_type.to_string())];
    headers.extend(
        instructions
            .headers()
            .map(|(name, value)| (name.to_string(), value.to_string())),
    );
    Ok(headers)
}

/// An `http://host[:port]` endpoint.
struct Endpoint {
    /// `host[:port]`, as sent in the Host header.
    host: String,
    /// What to connect to.
    address: String,
}

impl Endpoint {
    fn parse(url: &str) -> Result<Endpoint, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("--endpoint-url {url}: only http:// endpoints are supported"))?;
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains(['/', '?', '#', '@']) {
            return Err(format!(
                "--endpoint-url {url}: give scheme, host and port only"
            ));
        }
        let has_port = host.rsplit_once(':').is_some_and(|(_, p)| !p.contains(']'));
        let address = if has_port {
            host.to_string()
        } else {
            format!("{host}:80")
        };
        Ok(Endpoint {
            host: host.to_string(),
            address,
        })
    }

    /// Sends the POST over HTTP/1.1 (`Connection: close`) and returns the status and body.
    fn post(&self, headers: &[(String, String)], body: &[u8]) -> Result<(u16, String), String> {
        let mut stream = TcpStream::connect(&self.address).map_err(|e| e.to_string())?;
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let _ = stream.set_write_timeout(Some(TIMEOUT));
        let mut head = format!(
            "POST {IMPORT_PATH} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
            self.host,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body))
            .map_err(|e| e.to_string())?;
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .map_err(|e| e.to_string())?;
        parse_response(&response)
    }
}

/// The status and body of an HTTP/1.1 response (with Content-Length, chunked, or up to
/// the end of the connection).
fn parse_response(response: &[u8]) -> Result<(u16, String), String> {
    let text = String::from_utf8_lossy(response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or("the server's answer is not HTTP")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("the server's answer has no HTTP status")?;
    let chunked = head.lines().any(|line| {
        let lower = line.to_ascii_lowercase();
        lower.starts_with("transfer-encoding:") && lower.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok((status, body))
}

/// Decodes a chunked body (sizes in hex, each chunk followed by CRLF, ending with size 0).
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size_line, after)) = rest.split_once("\r\n") {
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(after.get(..size).unwrap_or(""));
        rest = after.get(size..).unwrap_or("").trim_start_matches("\r\n");
    }
    body
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (e.host.as_str(), e.address.as_str()),
            ("127.0.0.1:8080", "127.0.0.1:8080")
        );
        let e = Endpoint::parse("http://iamd.internal").unwrap();
        assert_eq!(e.address, "iamd.internal:80");
        let e = Endpoint::parse("http://[::1]").unwrap();
        assert_eq!(e.address, "[::1]:80");
        assert!(Endpoint::parse("https://iamd.example").is_err());
        assert!(Endpoint::parse("http://h:1/path").is_err());
    }

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
        let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\n!!!\r\n0\r\n\r\n";
        assert_eq!(parse_response(raw).unwrap(), (200, "hello!!!".to_string()));
    }
}
