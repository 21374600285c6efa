//! Shared by the end-to-end tests: a real `iamd serve` process on a free loopback port with a
//! temporary data directory and fixed root credentials, SDK clients for any access key, and a
//! raw HTTP client for requests the SDK cannot send.
#![allow(dead_code)]

pub mod browser;
pub mod cli;
pub mod console;
pub mod nodes;
pub mod roles;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

pub const ACCOUNT: &str = "123456789012";
pub const ROOT_KEY_ID: &str = "AKIAIAMDTESTROOT0001";
pub const ROOT_SECRET: &str = "iamdTestRootSecret/0123456789abcdefghijklmn";
pub const REGION: &str = "us-east-1";

/// A running `iamd serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    pub endpoint: String,
    /// The account id the server was started with (`--account-id`).
    pub account: String,
    /// Holds the log, and the data directory unless one was given.
    dir: tempfile::TempDir,
    data: PathBuf,
}

/// A free loopback port: bind port 0, read it, release it.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

impl Server {
    /// Starts a server and waits until it accepts connections. Another process may take the
    /// chosen port between our probe and the server's bind; then it starts again elsewhere.
    pub fn start() -> Server {
        Server::start_with(ACCOUNT, None)
    }

    /// As [`start`](Self::start), for account `account` (`--account-id`).
    pub fn start_with_account(account: &str) -> Server {
        Server::start_with(account, None)
    }

    /// As [`start`](Self::start), on the data directory `data_dir` (created if missing), which
    /// outlives the server: another server may be started on it later.
    pub fn start_in(data_dir: &Path) -> Server {
        Server::start_with(ACCOUNT, Some(data_dir))
    }

    /// As [`start_in`](Self::start_in), with `options`.
    pub fn start_in_with(data_dir: &Path, options: &Options) -> Server {
        Server::start_with_options(ACCOUNT, Some(data_dir), options)
    }

    /// Sends a plain HTTP/1.1 GET of `path` (no signature) to `port` and returns the status,
    /// the headers (lowercase names) and the body.
    pub fn raw_get(port: u16, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let head =
            format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).expect("write head");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {text:?}"));
        (status, head.to_ascii_lowercase(), body.to_string())
    }

    fn start_with(account: &str, data_dir: Option<&Path>) -> Server {
        Server::start_with_options(account, data_dir, &Options::default())
    }

    /// As [`start`](Self::start), with `options`: more flags and environment variables, an
    /// open-files limit, a umask.
    pub fn start_opts(options: &Options) -> Server {
        Server::start_with_options(ACCOUNT, None, options)
    }

    fn start_with_options(account: &str, data_dir: Option<&Path>, options: &Options) -> Server {
        for _ in 0..5 {
            if let Some(server) = Server::try_start(account, data_dir, options) {
                return server;
            }
        }
        panic!("iamd serve did not start in 5 attempts");
    }

    fn try_start(account: &str, data_dir: Option<&Path>, options: &Options) -> Option<Server> {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = data_dir.map_or_else(|| dir.path().join("data"), Path::to_path_buf);
        if data_dir.is_some() && data.is_dir() {
            // iamd refuses a data directory open to others; tempfile makes them 0755.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700))
                .expect("make the data directory private");
        }
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("stderr.log")).expect("log file");
        let mut child = options
            .command()
            .arg("serve")
            .arg("--data-dir")
            .arg(&data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--account-id")
            .arg(account)
            .env("IAMD_ROOT_ACCESS_KEY_ID", ROOT_KEY_ID)
            .env("IAMD_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
            .env_remove("IAMD_DATABASE_URL")
            .env_remove("IAMD_SEALING_KEY")
            .args(&options.args)
            .envs(options.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn iamd serve");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                let log =
                    std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
                if log.contains("cannot listen") {
                    return None;
                }
                panic!("iamd serve exited with {status}: {log}");
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("iamd serve did not listen on port {port}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Server {
            child,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            account: account.to_string(),
            dir,
            data,
        })
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.clone()
    }

    /// Kills the server process at once (SIGKILL on Unix: no shutdown code runs) and waits
    /// for it to be gone.
    pub fn kill(mut self) {
        self.child.kill().expect("kill iamd serve");
        self.child.wait().expect("wait for iamd serve");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Stops the server as a service manager does: SIGTERM (`kill -TERM PID`), then waits up
    /// to 60 s for it to exit and returns its exit status. The server value (its log, its
    /// data directory) stays usable afterwards.
    pub fn terminate(&mut self) -> ExitStatus {
        self.stop_with("TERM")
    }

    /// As [`terminate`](Self::terminate) with SIGINT (Ctrl-C), which iamd has always handled
    /// by stopping gracefully.
    pub fn interrupt(&mut self) -> ExitStatus {
        self.stop_with("INT")
    }

    fn stop_with(&mut self, signal: &str) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([format!("-{signal}").as_str(), &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} {pid} failed: {sent}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "iamd serve did not exit within 60 s of SIG{signal}: {}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to 60 s for the server to exit (after a signal sent by the test) and returns
    /// its exit status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "iamd serve did not exit: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    /// Waits up to 10 s for the server's log to contain `needle` (lines written after the
    /// listener is bound may come after the server first accepts a connection); panics with
    /// the log if it does not.
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "the log lacks {needle:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// IAM client signing with the root user's key.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        self.iam_as(ROOT_KEY_ID, ROOT_SECRET)
    }

    /// STS client signing with the root user's key.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        self.sts_as(ROOT_KEY_ID, ROOT_SECRET)
    }

    /// IAM client signing with `key_id`/`secret`.
    pub fn iam_as(&self, key_id: &str, secret: &str) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::config::Builder::new()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(key_id, secret, None, None, "iamd-test"))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// IAM client signing with temporary credentials (an STS session).
    pub fn iam_session(&self, creds: &aws_sdk_sts::types::Credentials) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::config::Builder::new()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(session_credentials(creds))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// STS client signing with temporary credentials (an STS session).
    pub fn sts_session(&self, creds: &aws_sdk_sts::types::Credentials) -> aws_sdk_sts::Client {
        self.sts_with(session_credentials(creds))
    }

    /// STS client signing with `key_id`/`secret`.
    pub fn sts_as(&self, key_id: &str, secret: &str) -> aws_sdk_sts::Client {
        self.sts_with(Credentials::new(key_id, secret, None, None, "iamd-test"))
    }

    fn sts_with(&self, credentials: Credentials) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::config::Builder::new()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials)
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// Creates user `name` with one access key; returns (key id, secret).
    pub async fn user_with_key(&self, name: &str) -> (String, String) {
        let iam = self.iam();
        iam.create_user()
            .user_name(name)
            .send()
            .await
            .expect("CreateUser");
        let key = iam
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey")
            .access_key
            .expect("AccessKey");
        (key.access_key_id, key.secret_access_key)
    }

    /// Sends a raw HTTP/1.1 POST of `body` with `headers` (plus Host, Content-Length and
    /// Connection: close) and returns the status and the response body.
    pub fn raw_post(&self, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let mut head = format!(
            "POST / HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-length: {}\r\nconnection: close\r\n",
            self.port,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("write head");
        // The server may answer (and close) before reading a large body.
        let _ = stream.write_all(body);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// As [`raw_post`](Self::raw_post), SigV4-signed by the official signer for `service`
    /// (`iam` or `sts`) with `key_id`/`secret`, as a form body.
    pub fn signed_post(
        &self,
        service: &str,
        key_id: &str,
        secret: &str,
        body: &[u8],
    ) -> (u16, String) {
        let host = format!("127.0.0.1:{}", self.port);
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let identity: Identity = Credentials::new(key_id, secret, None, None, "iamd-test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(REGION)
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let url = format!("http://{host}/");
        let signable = SignableRequest::new(
            "POST",
            &url,
            [("host", host.as_str()), ("content-type", content_type)].into_iter(),
            SignableBody::Bytes(body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut headers: Vec<(&str, &str)> = vec![("content-type", content_type)];
        headers.extend(instructions.headers());
        self.raw_post(&headers, body)
    }

    /// The headers of a POST of `body` to `path` signed (SigV4, official signer) for
    /// `service` in `region` with `(key id, secret)`: Content-Type and the signer's headers
    /// (Authorization, X-Amz-Date, ...), not Host or Content-Length.
    pub fn signed_headers(
        &self,
        path: &str,
        content_type: &str,
        service: &str,
        region: &str,
        (key_id, secret): (&str, &str),
        body: &[u8],
    ) -> Vec<(String, String)> {
        let host = format!("127.0.0.1:{}", self.port);
        let identity: Identity = Credentials::new(key_id, secret, None, None, "iamd-test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let url = format!("http://{host}{path}");
        let signable = SignableRequest::new(
            "POST",
            &url,
            [("host", host.as_str()), ("content-type", content_type)].into_iter(),
            SignableBody::Bytes(body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut headers = vec![("content-type".to_string(), content_type.to_string())];
        headers.extend(
            instructions
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_string())),
        );
        headers
    }

    /// As [`signed_post`](Self::signed_post), signed for `region` instead of [`REGION`].
    pub fn signed_post_in(
        &self,
        service: &str,
        region: &str,
        key_id: &str,
        secret: &str,
        body: &[u8],
    ) -> (u16, String) {
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        self.signed_post_to("/", content_type, service, region, (key_id, secret), body)
    }

    /// A POST of `body` to `path` with `content_type`, signed for `service` in `region` with
    /// `(key id, secret)`, with Connection: close; returns the status and the response body.
    pub fn signed_post_to(
        &self,
        path: &str,
        content_type: &str,
        service: &str,
        region: &str,
        (key_id, secret): (&str, &str),
        body: &[u8],
    ) -> (u16, String) {
        let headers =
            self.signed_headers(path, content_type, service, region, (key_id, secret), body);
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-length: {}\r\nconnection: close\r\n",
            self.port,
            body.len()
        );
        for (name, value) in &headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.write_all(head.as_bytes()).expect("write head");
        // The server may answer (and close) before reading a large body.
        let _ = stream.write_all(body);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

/// How to start a server beyond the defaults (see [`Server::start_opts`]).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// More `iamd serve` flags, e.g. `["--header-timeout", "1"]`.
    pub args: Vec<String>,
    /// More environment variables, e.g. `("IAMD_MAX_CONNECTIONS", "4")`.
    pub env: Vec<(String, String)>,
    /// The open-files limit (soft and hard) to run the server with (`prlimit --nofile=N:N`).
    pub open_files: Option<u64>,
    /// The umask to run the server with (`sh -c 'umask M && exec ...'`).
    pub umask: Option<u32>,
}

impl Options {
    /// Options with these `iamd serve` flags.
    pub fn args(args: &[&str]) -> Options {
        Options {
            args: args.iter().map(|a| a.to_string()).collect(),
            ..Options::default()
        }
    }

    /// The command that runs the binary (still without `serve` and its flags). The wrappers
    /// exec the binary, so the child's pid is the server's.
    fn command(&self) -> Command {
        let binary = env!("CARGO_BIN_EXE_iamd");
        let mut program: Vec<String> = Vec::new();
        if let Some(n) = self.open_files {
            program.extend(["prlimit".into(), format!("--nofile={n}:{n}"), "--".into()]);
        }
        program.push(binary.into());
        match self.umask {
            Some(mask) => {
                let mut command = Command::new("sh");
                command
                    .arg("-c")
                    .arg(format!("umask {mask:03o} && exec \"$0\" \"$@\""))
                    .args(&program);
                command
            }
            None => {
                let mut command = Command::new(&program[0]);
                command.args(&program[1..]);
                command
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SDK credentials for an STS session's key, secret and session token.
fn session_credentials(creds: &aws_sdk_sts::types::Credentials) -> Credentials {
    Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        Some(creds.session_token.clone()),
        None,
        "iamd-test-session",
    )
}

/// A policy document from `fixtures/policies`.
pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/policies")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `<tag>` and `</tag>` in an XML document, unescaped.
pub fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    let text = xml[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    Some(text)
}

/// The code and message of a failed SDK call (any operation's error).
pub fn code_message<E, R>(
    err: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> (String, String)
where
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    use aws_sdk_iam::error::ProvideErrorMetadata;
    let code = err
        .code()
        .unwrap_or_else(|| panic!("no error code: {err:?}"));
    (
        code.to_string(),
        err.message().unwrap_or_default().to_string(),
    )
}

/// The code and message of the error of an SDK call expected to fail.
#[macro_export]
macro_rules! refused {
    ($call:expr $(,)?) => {
        $crate::support::code_message($call.unwrap_err())
    };
}

/// Decodes `%XX` escapes (policy documents come back percent-encoded, as from AWS).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii escape");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 document")
}

/// The TOTP seed of a virtual MFA device, from CreateVirtualMFADevice's `Base32StringSeed`
/// (the SDK has already undone the base64 of the blob: the bytes are the Base32 text).
pub fn mfa_seed(device: &aws_sdk_iam::types::VirtualMfaDevice) -> Vec<u8> {
    let blob = device
        .base32_string_seed
        .as_ref()
        .expect("Base32StringSeed");
    let text = std::str::from_utf8(blob.as_ref()).expect("Base32 text");
    iamd_core::crypto::base32::decode(text).expect("Base32 seed")
}

/// The names of every user (ListUsers, all pages).
pub async fn user_names(iam: &aws_sdk_iam::Client) -> std::collections::BTreeSet<String> {
    let users: Vec<_> = iam
        .list_users()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("ListUsers");
    users.into_iter().map(|u| u.user_name).collect()
}

/// The 6-digit TOTP code of `seed` for 30-second step `step`.
pub fn totp_code(seed: &[u8], step: u64) -> String {
    iamd_core::crypto::totp::code_for_step(seed, step).expect("TOTP code")
}

/// Waits until at least 10 s remain in the current 30-second TOTP step and returns the step,
/// so that codes for it (and the two before it) are still accepted when the server checks.
pub async fn fresh_step() -> u64 {
    loop {
        let secs = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        if secs % 30 < 20 {
            return secs / 30;
        }
        tokio::time::sleep(Duration::from_secs(30 - secs % 30)).await;
    }
}

/// Every audit record in the SQLite database of `data_dir` (`iamd.db`), newest first, read
/// directly from the store (decoded: blocks are stored compressed). For a server that has
/// stopped: a running one may still hold failed calls' records in memory. Reads a copy of
/// the database and its WAL, so that the data directory is left as it was (opening it
/// would checkpoint the WAL, hiding what a restart would have to recover).
pub fn audit_records(data_dir: &Path) -> Vec<iamd_store::AuditRecord> {
    use iamd_store::Store;
    let copy = tempfile::tempdir().expect("temporary directory");
    for name in ["iamd.db", "iamd.db-wal"] {
        if data_dir.join(name).exists() {
            std::fs::copy(data_dir.join(name), copy.path().join(name)).expect("copy iamd.db");
        }
    }
    let store =
        iamd_store::SqliteStore::open(&copy.path().join("iamd.db"), false).expect("open iamd.db");
    store.audit_events(1_000_000).expect("audit events")
}

/// The fields of every audit record of `data_dir` (decoded, see [`audit_records`]), one a
/// line: what a search for a secret in the audit log must look at, since blocks are stored
/// compressed.
pub fn audit_text(data_dir: &Path) -> String {
    let mut text = String::new();
    for r in audit_records(data_dir) {
        for field in [
            &r.event_id,
            &r.event_name,
            &r.event_source,
            &r.username,
            &r.body,
        ] {
            text.push_str(field);
            text.push('\n');
        }
    }
    text
}

/// The files under `dir` (recursively) with their contents.
pub fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push((path, bytes));
            }
        }
    }
    files
}
