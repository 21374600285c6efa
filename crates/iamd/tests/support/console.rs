//! A browser's requests to the console over raw HTTP: cookies, forms and their CSRF tokens.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::Server;

/// A response: status, headers (lowercase names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of cookie `name` set by this response.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_string())
    }

    /// The value of the hidden `csrf` field of the page.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a CSRF field");
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub fn request(
    server: &Server,
    method: &str,
    path: &str,
    cookies: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let cookie = cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\nconnection: close\r\ncontent-length: {}\r\n",
        server.port,
        body.len()
    );
    if !cookie.is_empty() {
        head.push_str(&format!("cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        head.push_str("content-type: application/x-www-form-urlencoded\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body.as_bytes());
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A signed-out browser: its sign-in cookie and the sign-in form's CSRF token.
pub fn signin_form(server: &Server) -> (String, String) {
    let page = request(server, "GET", "/console/signin", &[], "");
    assert_eq!(page.status, 200);
    (page.set_cookie("iamd-signin").unwrap(), page.csrf())
}

pub fn sign_in(server: &Server, user: &str, password: &str) -> Answer {
    let (cookie, csrf) = signin_form(server);
    let body = form(&[
        ("csrf", &csrf),
        ("account", &server.account),
        ("username", user),
        ("password", password),
    ]);
    request(
        server,
        "POST",
        "/console/signin",
        &[("iamd-signin", &cookie)],
        &body,
    )
}

/// Signs in as the root user with `password`.
pub fn root_sign_in(server: &Server, password: &str) -> Answer {
    let (cookie, csrf) = signin_form(server);
    let body = form(&[
        ("csrf", &csrf),
        ("kind", "root"),
        ("account", &server.account),
        ("username", ""),
        ("password", password),
    ]);
    request(
        server,
        "POST",
        "/console/signin",
        &[("iamd-signin", &cookie)],
        &body,
    )
}

/// Submits the form of the page at `path` as the browser with session cookie `session`:
/// GETs the page for its CSRF token, then POSTs `fields` with it to `path`.
pub fn submit(server: &Server, session: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let cookies = [("iamd-console", session)];
    let csrf = request(server, "GET", path, &cookies, "").csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    request(server, "POST", path, &cookies, &form(&all))
}
