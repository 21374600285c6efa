//! Signed HTTP calls from the command line to a running iamd: credentials from the
//! environment as for the AWS CLI (or a profile), SigV4 for service `iam` (or `sts`,
//! `cloudtrail`), a plain
//! HTTP/1.1 POST.
//! Endpoints must be `http://` (meant for loopback or a trusted network; put a
//! TLS-terminating proxy in front otherwise).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

/// How long to wait for the server at each step.
const TIMEOUT: Duration = Duration::from_secs(30);

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
pub fn credentials_from_env() -> Result<Credentials, String> {
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

/// The SigV4 headers (plus Content-Type) for a POST of `body` to `path`, for `service`.
fn sign_request(
    endpoint: &Endpoint,
    credentials: &Credentials,
    (region, service): (&str, &str),
    path: &str,
    content_type: &str,
    body: &[u8],
) -> Result<Vec<(String, String)>, String> {
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let url = format!("http://{}{path}", endpoint.host);
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

/// Percent-encoding for a Query API form value (RFC 3986 unreserved characters kept).
pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An `http://host[:port]` endpoint.
pub struct Endpoint {
    /// `host[:port]`, as sent in the Host header.
    host: String,
    /// What to connect to.
    address: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, String> {
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

    /// Signs (SigV4, service `iam`) and sends a POST of `body` to `path`; returns the status
    /// and body of the answer.
    pub fn signed_post(
        &self,
        credentials: &Credentials,
        region: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(u16, String), String> {
        let headers = sign_request(self, credentials, (region, "iam"), path, content_type, body)
            .map_err(|e| format!("cannot sign the request: {e}"))?;
        self.post(path, &headers, body)
    }

    /// Signs for `service` (`iam` or `sts`) and POSTs a Query API form to `/`; returns the
    /// status and body of the answer.
    pub fn signed_form(
        &self,
        credentials: &Credentials,
        region: &str,
        service: &str,
        form: &str,
    ) -> Result<(u16, String), String> {
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let body = form.as_bytes();
        let headers = sign_request(
            self,
            credentials,
            (region, service),
            "/",
            content_type,
            body,
        )
        .map_err(|e| format!("cannot sign the request: {e}"))?;
        self.post("/", &headers, body)
    }

    /// An AWS JSON 1.1 call: `target` (`X-Amz-Target`) with the JSON `body`, signed for
    /// `service`; returns the status and body of the answer.
    pub fn json_call(
        &self,
        credentials: &Credentials,
        (service, region): (&str, &str),
        target: &str,
        body: &str,
    ) -> Result<(u16, String), String> {
        let content_type = "application/x-amz-json-1.1";
        let mut headers = sign_request(
            self,
            credentials,
            (region, service),
            "/",
            content_type,
            body.as_bytes(),
        )
        .map_err(|e| format!("cannot sign the request: {e}"))?;
        headers.push(("x-amz-target".to_string(), target.to_string()));
        self.post("/", &headers, body.as_bytes())
    }

    /// Sends the POST over HTTP/1.1 (`Connection: close`) and returns the status and body.
    fn post(
        &self,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(u16, String), String> {
        let mut stream = TcpStream::connect(&self.address).map_err(|e| e.to_string())?;
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let _ = stream.set_write_timeout(Some(TIMEOUT));
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
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
    fn chunked_answers() {
        let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\n!!!\r\n0\r\n\r\n";
        assert_eq!(parse_response(raw).unwrap(), (200, "hello!!!".to_string()));
    }
}
