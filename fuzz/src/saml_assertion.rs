//! The `saml_assertion` target's provider and responses: iamd-core's test identity provider
//! (its file, included by path) signs a few responses once, at start-up.

use std::sync::OnceLock;

use iamd_core::model::SamlProvider;
use iamd_core::saml_assertion::verify;
use iamd_core::IamError;

#[path = "../../crates/iamd-core/src/saml_assertion/test_idp.rs"]
mod test_idp;

use test_idp::{Response, FORGER_KEY};

/// When the fixtures are issued (and, in modes 0 and 1, checked).
pub const NOW: i64 = 1_795_423_481;
const ROLE: &str = "arn:aws:iam::111122223333:role/admin";
const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/corp";

/// A response and, when the IdP signed it, what `verify` reads from it (Debug text).
pub struct Fixture {
    pub label: &'static str,
    pub id: String,
    pub xml: String,
    pub expected: Option<String>,
}

/// The test IdP's provider, as CreateSAMLProvider stores it.
pub fn provider() -> SamlProvider {
    SamlProvider {
        name: "corp".into(),
        arn: PROVIDER.into(),
        uuid: "0123456789ABCDEF0123456789ABCDEF".into(),
        metadata: test_idp::metadata(),
        create_date: NOW,
        valid_until: NOW + 86_400,
        tags: Vec::new(),
        assertion_encryption_mode: None,
    }
}

/// The fixtures, signed once.
pub fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let base = Response::new(NOW, ROLE, PROVIDER);
        let aws = |name: &str| format!("https://aws.amazon.com/SAML/Attributes/{name}");
        let rich = base
            .clone()
            .with(
                test_idp::ROLE_ATTRIBUTE,
                &[
                    &format!("{PROVIDER},{ROLE}"),
                    "arn:aws:iam::111122223333:role/ops,arn:aws:iam::111122223333:saml-provider/corp",
                ],
            )
            .with(&aws("SessionDuration"), &["1800"])
            .with(&aws("SourceIdentity"), &["alice-src"])
            .with(&aws("PrincipalTag:dept"), &["eng"])
            .with(&aws("TransitiveTagKeys"), &["dept"])
            .with("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", &["alice@example.com"])
            .with(
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
                &["alice@corp"],
            );
        let signed = |label, id: &str, r: Response| {
            let r = Response { id: id.into(), ..r };
            let xml = r.xml();
            let v = verify(&test_idp::encode(&xml), &provider(), NOW)
                .unwrap_or_else(|e| panic!("the {label} fixture is refused: {e:?}"));
            Fixture {
                label,
                id: id.into(),
                xml,
                expected: Some(format!("{v:?}")),
            }
        };
        let refused = |label, id: &str, r: Response| {
            let r = Response { id: id.into(), ..r };
            let xml = r.xml();
            assert!(verify(&test_idp::encode(&xml), &provider(), NOW).is_err());
            Fixture {
                label,
                id: id.into(),
                xml,
                expected: None,
            }
        };
        let fixtures = vec![
            signed("assertion-signed", "_assertion", base.clone()),
            signed(
                "response-signed",
                "_response",
                Response {
                    sign_response: true,
                    sign_assertion: false,
                    ..base.clone()
                },
            ),
            signed(
                "both-signed",
                "_both",
                Response {
                    sign_response: true,
                    ..base.clone()
                },
            ),
            signed("every-attribute", "_rich", rich),
            refused(
                "unsigned",
                "_unsigned",
                Response {
                    sign_assertion: false,
                    ..base.clone()
                },
            ),
            refused(
                "forged",
                "_forged",
                Response {
                    key: FORGER_KEY,
                    ..base
                },
            ),
        ];
        if let Ok(folder) = std::env::var(SEEDS_FOLDER) {
            write_seeds(&folder, &fixtures);
        }
        fixtures
    })
}

/// When set, the fixtures are written there as seeds of modes 0 and 1 (`seeds/generate.py`
/// cannot sign), with two classic attacks on the assertion-signed one.
pub const SEEDS_FOLDER: &str = "IAMD_FUZZ_SAML_SEEDS";

fn write_seeds(folder: &str, fixtures: &[Fixture]) {
    let write = |name: String, mode: u8, text: &str| {
        let mut bytes = vec![mode];
        bytes.extend_from_slice(text.as_bytes());
        std::fs::write(format!("{folder}/{name}"), bytes).expect("a seed written");
    };
    for f in fixtures {
        // As IdPs send it: base64 in lines of 76.
        let encoded = test_idp::encode(&f.xml);
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
            .collect();
        write(format!("signed-{}-base64", f.label), 0, &lines.join("\r\n"));
        write(format!("signed-{}-xml", f.label), 1, &f.xml);
    }
    let xml = &fixtures[0].xml;
    let comment = xml.replace("alice@example.com<", "alice@example.com<!---->.evil.com<");
    write("attack-comment-in-name-id".into(), 1, &comment);
    let role = xml.replace("role/admin,", "role/root,");
    write("attack-changed-role".into(), 1, &role);
}

/// AssumeRoleWithSAML's refusals.
pub fn check_error(e: &IamError) {
    let known = matches!(
        (e.code, e.status),
        ("InvalidIdentityToken" | "ExpiredTokenException", 400)
            | ("IDPRejectedClaim" | "AccessDenied", 403)
    );
    assert!(known, "unexpected refusal: {e:?}");
}
