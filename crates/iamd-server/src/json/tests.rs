use super::json_error;

#[test]
fn query_codes_become_the_json_protocols() {
    let cases = [
        (
            ("InvalidClientTokenId", 403),
            ("UnrecognizedClientException", 400),
        ),
        (
            ("SignatureDoesNotMatch", 403),
            ("InvalidSignatureException", 400),
        ),
        (("AccessDenied", 403), ("AccessDeniedException", 400)),
        (
            ("InvalidMaxResultsException", 400),
            ("InvalidMaxResultsException", 400),
        ),
        (("ServiceFailure", 500), ("InternalFailure", 500)),
        (
            ("RequestEntityTooLarge", 413),
            ("RequestEntityTooLarge", 413),
        ),
    ];
    for ((code, status), (name, want)) in cases {
        assert_eq!(json_error(code, status), (name.to_string(), want), "{code}");
    }
}
