use axum::http::{HeaderMap, HeaderValue, Method, Uri};

use super::is_browser_visit;

fn visit(method: Method, uri: &str, authorization: bool) -> bool {
    let mut headers = HeaderMap::new();
    if authorization {
        headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 ..."),
        );
    }
    let uri: Uri = uri.parse().unwrap();
    is_browser_visit(&method, &uri, &headers)
}

#[test]
fn only_a_plain_get_of_the_root_is_a_browser_visit() {
    assert!(visit(Method::GET, "/", false));
    assert!(visit(Method::GET, "/?utm=1", false));
    assert!(!visit(
        Method::GET,
        "/?Action=ListUsers&Version=2010-05-08",
        false
    ));
    assert!(!visit(Method::GET, "/?X-Amz-Signature=abc", false));
    assert!(!visit(Method::GET, "/", true));
    assert!(!visit(Method::POST, "/", false));
    assert!(!visit(Method::GET, "/other", false));
}
