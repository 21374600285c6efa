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

mod denials {
    use iamd_core::IamError;

    use crate::console::denial::{Denial, Situation};

    const MFA_DENY: &str = "User: arn:aws:iam::123456789012:user/alice is not authorized to \
        perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ with an explicit deny \
        in an identity-based policy. iamd: denied by statement DenyAllExceptListedIfNoMFA of \
        policy force-mfa (identity-based policy): aws:MultiFactorAuthPresent is false (this \
        session was signed in without MFA) Encoded authorization failure message: abc-def";

    fn remedy(denial: &Denial, signed_in_with_mfa: bool, has_device: bool) -> String {
        let situation = Situation {
            signed_in_with_mfa,
            has_device,
        };
        denial.remedy(&situation).into_string()
    }

    #[test]
    fn an_mfa_deny_is_explained_with_its_remedy() {
        let denial = Denial::of(&IamError::access_denied(MFA_DENY)).unwrap();
        assert_eq!(denial.action, "iam:ListUsers");
        assert!(denial.needs_mfa);
        assert!(denial.aws.ends_with("identity-based policy."));
        let why = denial.why.as_deref().unwrap();
        assert!(why.starts_with("denied by statement DenyAllExceptListedIfNoMFA"));
        assert!(!why.contains("Encoded"), "the sealed message is not shown");
        assert!(remedy(&denial, false, false).contains("Assign an MFA device first"));
        assert_eq!(
            remedy(&denial, false, true),
            "Your permissions require signing in with MFA. You have an MFA device: sign out \
             and sign in again with it."
        );
    }

    #[test]
    fn other_denials_ask_the_administrator_and_other_errors_are_not_denials() {
        let plain = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: \
            iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no \
            identity-based policy allows the iam:CreateUser action. iamd: implicitly denied";
        let denial = Denial::of(&IamError::access_denied(plain)).unwrap();
        assert!(!denial.needs_mfa);
        assert!(remedy(&denial, false, false).contains("Ask your administrator"));
        assert!(Denial::of(&IamError::no_such_user("x")).is_none());
    }

    #[test]
    fn denials_are_escaped() {
        let denial = Denial::of(&IamError::access_denied(
            "User: <script>x</script> is not authorized to perform: iam:GetUser on resource: y",
        ))
        .unwrap();
        let html = denial
            .render(&Situation {
                signed_in_with_mfa: false,
                has_device: false,
            })
            .into_string();
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
