//! AWS's published SigV4 test suite (`aws-signing-test-suite/v4`, as shipped by
//! awslabs/aws-c-auth and the `aws-sigv4` crate; Apache-2.0, see its LICENSE): every
//! signed request, header- and query-signed, must verify, and must stop verifying
//! when tampered with.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iamd_sigv4::{parse, verify, ErrorKind, SecretKey, SignedRequest};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the suite's signing time.
const SUITE_TIME: u64 = 1_440_938_160;

struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl RawRequest {
    /// Parses the suite's request files: a request line, `Name:value` lines
    /// (continuation lines start with spaces), a blank line, the body.
    fn parse(text: &str) -> RawRequest {
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut lines = head.lines();
        let request_line = lines.next().unwrap();
        let (method, target) = request_line.split_once(' ').unwrap();
        let target = target.strip_suffix(" HTTP/1.1").unwrap_or(target);
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        for line in lines {
            if line.starts_with(' ') || line.starts_with('\t') {
                headers
                    .last_mut()
                    .unwrap()
                    .1
                    .extend_from_slice(line.as_bytes());
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_owned(), value.as_bytes().to_vec()));
            }
        }
        RawRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn verify(
        &self,
        secret: &str,
        now: SystemTime,
    ) -> Result<Option<String>, iamd_sigv4::SigV4Error> {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let req = SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            body: &self.body,
        };
        let parsed = parse(&req)?;
        assert_eq!(
            parsed.scope().service,
            parsed.scope().service.to_lowercase()
        );
        verify(&parsed, &req, &SecretKey::from(secret), now)?;
        Ok(parsed.session_token().map(str::to_owned))
    }
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws-signing-test-suite/v4")
}

fn suite_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(SUITE_TIME)
}

/// The cases whose context asks for path normalization (iamd, like every AWS
/// service but S3, always normalizes).
fn normalized_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            std::fs::read_to_string(p.join("context.json"))
                .map(|c| c.contains("\"normalize\": true"))
                .unwrap_or(false)
        })
        .collect();
    cases.sort();
    cases
}

fn context_token(case: &Path) -> Option<String> {
    let context = std::fs::read_to_string(case.join("context.json")).unwrap();
    let start = context.find("\"token\": \"")? + "\"token\": \"".len();
    let end = context[start..].find('"')? + start;
    Some(context[start..end].to_owned())
}

#[test]
fn every_header_signed_request_verifies() {
    let cases = normalized_cases();
    assert!(cases.len() >= 30, "suite not found: {}", cases.len());
    for case in &cases {
        let text = std::fs::read_to_string(case.join("header-signed-request.txt")).unwrap();
        let token = RawRequest::parse(&text)
            .verify(SECRET, suite_time())
            .unwrap_or_else(|e| panic!("{}: {e} {:?}", case.display(), e.detail()));
        assert_eq!(token, context_token(case), "{}", case.display());
    }
}

fn omits_session_token(case: &Path) -> bool {
    std::fs::read_to_string(case.join("context.json"))
        .unwrap()
        .contains("\"omit_session_token\": true")
}

#[test]
fn every_query_signed_request_verifies() {
    for case in normalized_cases() {
        if omits_session_token(&case) {
            continue; // see unsigned_query_session_token_is_refused
        }
        let text = std::fs::read_to_string(case.join("query-signed-request.txt")).unwrap();
        let token = RawRequest::parse(&text)
            .verify(SECRET, suite_time())
            .unwrap_or_else(|e| panic!("{}: {e} {:?}", case.display(), e.detail()));
        assert_eq!(token, context_token(&case), "{}", case.display());
    }
}

/// `post-sts-header-after` adds `X-Amz-Security-Token` after signing. In a header it
/// need not be signed (accepted above); in a presigned query string iamd signs every
/// parameter but `X-Amz-Signature`, so an unsigned token there is refused.
#[test]
fn unsigned_query_session_token_is_refused() {
    let case = suite_dir().join("post-sts-header-after");
    let text = std::fs::read_to_string(case.join("query-signed-request.txt")).unwrap();
    let err = RawRequest::parse(&text)
        .verify(SECRET, suite_time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureDoesNotMatch);
}

#[test]
fn double_encoded_paths_verify() {
    // The request path as it came on the wire (`%3A`), signed with its `%` encoded again.
    let dir = suite_dir();
    let text =
        std::fs::read_to_string(dir.join("double-url-encode/header-signed-request.txt")).unwrap();
    let at = UNIX_EPOCH + Duration::from_secs(1_620_747_645); // 20210511T154045Z
    RawRequest::parse(&text).verify(SECRET, at).unwrap();

    let text =
        std::fs::read_to_string(dir.join("double-encode-path/header-signed-request.txt")).unwrap();
    // aws-credential-types' `Credentials::for_tests()` secret.
    RawRequest::parse(&text)
        .verify("notrealrnrELgWzOk3IfjzDKtFBhDby", suite_time())
        .unwrap();
}

#[test]
fn tampering_breaks_every_case() {
    for case in normalized_cases() {
        for file in ["header-signed-request.txt", "query-signed-request.txt"] {
            let text = std::fs::read_to_string(case.join(file)).unwrap();
            let original = RawRequest::parse(&text);

            let wrong_secret = RawRequest::parse(&text);
            let err = wrong_secret.verify("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", suite_time());
            assert_eq!(err.unwrap_err().kind(), ErrorKind::SignatureDoesNotMatch);

            let mut other_method = RawRequest::parse(&text);
            other_method.method = if original.method == "GET" {
                "POST"
            } else {
                "GET"
            }
            .into();
            let err = other_method.verify(SECRET, suite_time()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::SignatureDoesNotMatch,
                "{}",
                case.display()
            );
            assert!(err
                .detail()
                .unwrap()
                .contains("The Canonical String for this request should have been"));

            let mut other_path = RawRequest::parse(&text);
            other_path.path = format!("{}x", original.path);
            let err = other_path.verify(SECRET, suite_time()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::SignatureDoesNotMatch,
                "{}",
                case.display()
            );

            let mut other_host = RawRequest::parse(&text);
            for (name, value) in &mut other_host.headers {
                if name.eq_ignore_ascii_case("host") {
                    *value = b"evil.example.com".to_vec();
                }
            }
            let err = other_host.verify(SECRET, suite_time()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::SignatureDoesNotMatch,
                "{}",
                case.display()
            );

            let mut extra_param = RawRequest::parse(&text);
            extra_param.query = if original.query.is_empty() {
                "Action=DeleteUser".into()
            } else {
                format!("{}&Action=DeleteUser", original.query)
            };
            let err = extra_param.verify(SECRET, suite_time()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::SignatureDoesNotMatch,
                "{}",
                case.display()
            );
        }
    }
}
