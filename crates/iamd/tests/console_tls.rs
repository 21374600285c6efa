//! `iamd serve --tls-cert --tls-key`: the API and the console over HTTPS (a self-signed
//! certificate made with openssl), with `Secure` console cookies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;

use support::{Options, Server};

/// Runs curl against the server over HTTPS, trusting `ca`; returns its output (headers and body).
fn curl(ca: &std::path::Path, url: &str) -> String {
    let out = Command::new("curl")
        .args(["-sS", "-i", "--cacert"])
        .arg(ca)
        .arg(url)
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_api_and_the_console_are_served_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let options = Options::args(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let server = Server::start_opts(&options);
    server.wait_for_log("serving IAM and STS on https://");
    let https = server.endpoint.replace("http://", "https://");
    let root = curl(&cert, &format!("{https}/"));
    assert!(root.starts_with("HTTP/1.1 303"), "{root}");
    let signin = curl(&cert, &format!("{https}/console/signin"));
    assert!(signin.starts_with("HTTP/1.1 200"), "{signin}");
    let cookie = signin
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie: iamd-signin="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // The Query API answers over HTTPS too (unsigned: AWS's error document).
    let api = curl(
        &cert,
        &format!("{https}/?Action=ListUsers&Version=2010-05-08"),
    );
    assert!(api.contains("<ErrorResponse"), "{api}");
}
