//! Security review, finding 6: connections could be held forever (no header-read or idle
//! timeout) and without limit, so a few hundred idle sockets exhausted the server's file
//! descriptors and with them all service. Now request headers must arrive within
//! `--header-timeout` (`IAMD_HEADER_TIMEOUT`) of a connection's opening or of the previous
//! response, and at most `--max-connections` (`IAMD_MAX_CONNECTIONS`; default the
//! open-files limit less 64) connections are served at once. Against a real `iamd serve`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{Options, Server, REGION, ROOT_KEY_ID, ROOT_SECRET};

/// How long a test waits for the server to close a connection: generous against a 1 s
/// header timeout (a loaded CI machine), far below "never".
const CLOSE_WITHIN: Duration = Duration::from_secs(10);

/// Reads `stream` until the server closes it (EOF or reset); panics if it is still open
/// after [`CLOSE_WITHIN`]. Returns what was read.
fn read_until_closed(mut stream: TcpStream, what: &str) -> Vec<u8> {
    stream.set_read_timeout(Some(CLOSE_WITHIN)).unwrap();
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe) => {
                return received
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "{what}: still open after {:?} (received {:?})",
                    started.elapsed(),
                    String::from_utf8_lossy(&received)
                )
            }
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(("127.0.0.1", server.port)).unwrap()
}

/// Finding 6 (a): with `--header-timeout 1`, a connection that sends nothing and one that
/// sends half a request head are closed by the server. On the old code both stay open (the
/// read times out after 10 s and the test fails).
#[test]
fn silent_and_half_sent_connections_are_closed_after_the_header_timeout() {
    let server = Server::start_opts(&Options::args(&["--header-timeout", "1"]));
    server.wait_for_log("request headers within 1 s");
    let silent = connect(&server);
    let mut half = connect(&server);
    half.write_all(b"POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: applic")
        .unwrap();
    let silent = std::thread::spawn(move || read_until_closed(silent, "silent connection"));
    let half = std::thread::spawn(move || read_until_closed(half, "half-sent head"));
    let silent = silent.join().unwrap();
    half.join().unwrap();
    assert!(silent.is_empty(), "{:?}", String::from_utf8_lossy(&silent));

    // The server still serves.
    let (status, xml) = server.signed_post(
        "sts",
        ROOT_KEY_ID,
        ROOT_SECRET,
        b"Action=GetCallerIdentity&Version=2011-06-15",
    );
    assert_eq!(status, 200, "{xml}");
}

/// Finding 6 (b): a keep-alive connection left idle after a complete request and its
/// response is closed after the header timeout (the old server kept it open forever).
#[test]
fn idle_keep_alive_connections_are_closed_after_the_header_timeout() {
    let server = Server::start_opts(&Options::args(&["--header-timeout", "1"]));
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let headers = server.signed_headers(
        "/",
        "application/x-www-form-urlencoded; charset=utf-8",
        "sts",
        REGION,
        (ROOT_KEY_ID, ROOT_SECRET),
        body,
    );
    let mut head = format!(
        "POST / HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-length: {}\r\n",
        server.port,
        body.len()
    );
    for (name, value) in &headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = connect(&server);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let received = read_until_closed(stream, "idle keep-alive connection");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 "), "{text}");
    assert!(text.contains("<GetCallerIdentityResult>"), "{text}");
    // The response kept the connection open: it was closed for being idle.
    assert!(
        !text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
}

/// Finding 6 (c): with an open-files limit of 256 (connection limit 256 - 64 = 192), 300
/// idle sockets no longer starve the server: it serves at most 192 at once, closes idle ones
/// after the header timeout, and then serves a real client. On the old code the server
/// accepted until it ran out of descriptors (EMFILE) and the idle sockets were never
/// closed: the SDK call never got an answer.
#[tokio::test]
async fn idle_sockets_beyond_the_open_files_limit_do_not_stop_service() {
    let server = Server::start_opts(&Options {
        open_files: Some(256),
        ..Options::args(&["--header-timeout", "1"])
    });
    server.wait_for_log("at most 192 connections");
    let mut idle = Vec::new();
    for _ in 0..300 {
        let stream =
            TcpStream::connect_timeout(&([127, 0, 0, 1], server.port).into(), CLOSE_WITHIN)
                .expect("connect");
        idle.push(stream);
    }
    let started = Instant::now();
    let sts = server.sts();
    let call = tokio::time::timeout(Duration::from_secs(15), sts.get_caller_identity().send());
    let Ok(answer) = call.await else {
        panic!("no answer within 15 s: {}", server.log());
    };
    let me = answer.unwrap();
    assert_eq!(me.account(), Some(server.account.as_str()));
    eprintln!("answered after {:?}", started.elapsed());
    drop(idle);
}

/// Finding 6 (c), the settings from the environment: `IAMD_MAX_CONNECTIONS=4` and
/// `IAMD_HEADER_TIMEOUT=0.5`. Ten idle sockets: four are served and timed out, then the
/// next four, and so on; a real client is served after them.
#[tokio::test]
async fn connection_limit_and_header_timeout_from_the_environment() {
    let server = Server::start_opts(&Options {
        env: vec![
            ("IAMD_MAX_CONNECTIONS".into(), "4".into()),
            ("IAMD_HEADER_TIMEOUT".into(), "0.5".into()),
        ],
        ..Options::default()
    });
    server.wait_for_log("at most 4 connections; request headers within 0.5 s");
    let idle: Vec<TcpStream> = (0..10).map(|_| connect(&server)).collect();
    let sts = server.sts();
    let call = tokio::time::timeout(Duration::from_secs(15), sts.get_caller_identity().send());
    let Ok(answer) = call.await else {
        panic!("no answer within 15 s: {}", server.log());
    };
    let me = answer.unwrap();
    assert_eq!(me.account(), Some(server.account.as_str()));
    for stream in idle {
        read_until_closed(stream, "idle socket");
    }
}

/// Finding 6 (d): a body that stalls (Content-Length 100, 10 bytes sent) is answered with
/// 408 RequestTimeout after the 30-second body timeout (a constant), and the connection
/// closed. Ignored by default for its 30 s; run with `--ignored`.
#[test]
#[ignore = "waits for the 30-second body timeout"]
fn a_stalled_body_is_answered_after_the_body_timeout() {
    let server = Server::start();
    let mut stream = connect(&server);
    let head = format!(
        "POST / HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nAction=Lis",
        server.port
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(45)))
        .unwrap();
    let started = Instant::now();
    let mut response = Vec::new();
    let result = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    assert!(
        result.is_ok() || !response.is_empty(),
        "{result:?} after {:?}",
        started.elapsed()
    );
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("<Code>RequestTimeout</Code>"), "{text}");
}
