//! Graceful shutdown under write load, against a real `iamd serve`: on SIGTERM the server
//! stops accepting, answers every request on a connection it accepted (no reset), flushes and
//! exits 0, and every acknowledged write is there after a restart; `--shutdown-timeout`
//! bounds the wait for a connection that never finishes its request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{user_names, Options, Server, REGION, ROOT_KEY_ID, ROOT_SECRET};

/// What happened to one request.
enum Sent {
    /// The server answered with this status.
    Answered(u16),
    /// The connection was refused: the server no longer accepts.
    Refused,
    /// Accepted, then closed or reset without an answer: what must not happen.
    Lost(String),
}

/// Sends a signed CreateUser for `name` on a new connection (`Connection: close`).
fn create_user(server: &Server, name: &str) -> Sent {
    let body = format!("Action=CreateUser&Version=2010-05-08&UserName={name}");
    let headers = server.signed_headers(
        "/",
        "application/x-www-form-urlencoded; charset=utf-8",
        "iam",
        REGION,
        (ROOT_KEY_ID, ROOT_SECRET),
        body.as_bytes(),
    );
    let mut stream = match TcpStream::connect(("127.0.0.1", server.port)) {
        Ok(stream) => stream,
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Sent::Refused,
        Err(e) => return Sent::Lost(format!("connect: {e}")),
    };
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-length: {}\r\nconnection: close\r\n",
        server.port,
        body.len()
    );
    for (name, value) in &headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    if let Err(e) = stream.write_all(request.as_bytes()) {
        return Sent::Lost(format!("write: {e}"));
    }
    let mut response = Vec::new();
    if let Err(e) = stream.read_to_end(&mut response) {
        return Sent::Lost(format!("read: {e}"));
    }
    let text = String::from_utf8_lossy(&response);
    match text.split(' ').nth(1).and_then(|s| s.parse().ok()) {
        Some(status) if text.contains("</CreateUserResponse>") || status != 200 => {
            Sent::Answered(status)
        }
        _ => Sent::Lost(format!("incomplete answer: {text:?}")),
    }
}

#[test]
fn sigterm_under_write_load_loses_no_accepted_request_and_no_acknowledged_write() {
    let mut server = Server::start();
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let lost = Arc::new(Mutex::new(Vec::new()));
    let port = server.port;
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        let server = &server;
        for worker in 0..8 {
            let (acknowledged, lost, stop) = (acknowledged.clone(), lost.clone(), stop.clone());
            scope.spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let name = format!("user-{worker}-{n}");
                    match create_user(server, &name) {
                        Sent::Answered(200) => {
                            acknowledged.lock().unwrap().insert(name);
                        }
                        Sent::Answered(status) => panic!("{name}: status {status}"),
                        Sent::Refused => break,
                        Sent::Lost(why) => {
                            lost.lock().unwrap().push(format!("{name}: {why}"));
                            break;
                        }
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged.lock().unwrap().len() < 40 {
            assert!(Instant::now() < deadline, "no load: {}", server.log());
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGTERM while the workers keep sending; they stop once refused.
        let pid = server.pid().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        // Workers that never get refused (the process is gone before their next connect
        // attempt is refused) stop here at the latest.
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(Instant::now() < deadline, "still accepting after SIGTERM");
            std::thread::sleep(Duration::from_millis(5));
        }
        stop.store(true, Ordering::SeqCst);
    });
    let status = server.wait_exit();
    assert!(status.success(), "{status}: {}", server.log());
    let lost = lost.lock().unwrap();
    assert!(lost.is_empty(), "accepted requests lost: {lost:?}");
    let log = server.log();
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );

    let acknowledged = acknowledged.lock().unwrap().clone();
    let data = server.data_dir();
    let restarted = Server::start_in(&data);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let names = rt.block_on(user_names(&restarted.iam()));
    assert!(
        acknowledged.is_subset(&names),
        "acknowledged but missing after restart: {:?}",
        acknowledged.difference(&names).collect::<Vec<_>>()
    );
}

#[test]
fn shutdown_timeout_bounds_the_wait_for_an_unfinished_request() {
    let mut server = Server::start_opts(&Options::args(&[
        "--header-timeout",
        "120",
        "--shutdown-timeout",
        "1",
    ]));
    // Half a request: its connection stays busy until the header timeout.
    let mut stalled = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stalled
        .write_all(b"POST / HTTP/1.1\r\nhost: x\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let status = server.terminate();
    assert!(status.success(), "{status}: {}", server.log());
    // Far less than the 120-second header timeout.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert!(
        server.log().contains("shutdown timeout (1 s) reached"),
        "{}",
        server.log()
    );
}
