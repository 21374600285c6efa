#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::HeaderMap;

use super::*;

fn incoming(method: Method, uri: &str, authorization: bool) -> Incoming {
    let mut headers = HeaderMap::new();
    if authorization {
        headers.insert(
            header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 ...".parse().unwrap(),
        );
    }
    Incoming {
        peer: "127.0.0.1:1".parse().unwrap(),
        method,
        uri: uri.parse().unwrap(),
        headers,
        body: Body::empty(),
    }
}

#[test]
fn only_plain_gets_are_probes() {
    assert!(is_probe(&incoming(Method::GET, "/health", false)));
    assert!(!is_probe(&incoming(Method::POST, "/health", false)));
    assert!(!is_probe(&incoming(Method::HEAD, "/health", false)));
    assert!(!is_probe(&incoming(Method::GET, "/health", true)));
    assert!(!is_probe(&incoming(
        Method::GET,
        "/health?Action=GetUser&X-Amz-Signature=abc",
        false
    )));
}
