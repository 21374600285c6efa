use super::test_idp::{self, aws, encode, Response, FORGER_KEY};
use super::*;

const NOW: i64 = 1_795_423_481;
const ROLE: &str = "arn:aws:iam::111122223333:role/admin";
const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/corp";

fn provider() -> SamlProvider {
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

fn response() -> Response {
    Response::new(NOW, ROLE, PROVIDER)
}

fn check(encoded: &str) -> Result<Verified, IamError> {
    verify(encoded, &provider(), NOW)
}

fn refused(encoded: &str) -> (String, String) {
    let e = check(encoded).unwrap_err();
    (e.code.to_string(), e.message)
}

fn signature_invalid() -> (String, String) {
    ("InvalidIdentityToken".into(), SIGNATURE_INVALID.into())
}

#[test]
fn signed_assertion_response_or_both_are_read() {
    for (response_signed, assertion_signed) in [(false, true), (true, false), (true, true)] {
        let r = Response {
            sign_response: response_signed,
            sign_assertion: assertion_signed,
            ..response()
        };
        let v = check(&r.encoded()).unwrap();
        assert_eq!(v.subject, "alice@example.com");
        assert_eq!(v.subject_type(), "persistent");
        assert_eq!(v.issuer, test_idp::ENTITY_ID);
        assert_eq!(v.recipient, "https://signin.aws.amazon.com/saml");
        assert_eq!(v.assertion_id, format!("_a{NOW}"));
        assert_eq!(v.usable_until, NOW + 300);
        assert_eq!(v.claims.session_name, "alice");
        assert!(v.claims.offers(ROLE, PROVIDER));
        assert!(!v
            .claims
            .offers(ROLE, "arn:aws:iam::111122223333:saml-provider/other"));
    }
}

#[test]
fn unsigned_forged_and_tampered_responses_are_refused() {
    let unsigned = Response {
        sign_assertion: false,
        ..response()
    };
    assert_eq!(refused(&unsigned.encoded()), signature_invalid());
    let forged = Response {
        key: FORGER_KEY,
        ..response()
    };
    assert_eq!(refused(&forged.encoded()), signature_invalid());
    let signed = response().xml();
    let tampered = signed.replace(
        "<saml:AttributeValue>alice</saml:AttributeValue>",
        "<saml:AttributeValue>mallory</saml:AttributeValue>",
    );
    assert_ne!(tampered, signed);
    assert_eq!(refused(&encode(&tampered)), signature_invalid());
    // A signature over the response only covers it: a changed assertion inside breaks it.
    let response_signed = Response {
        sign_response: true,
        sign_assertion: false,
        ..response()
    }
    .xml();
    let tampered = response_signed.replace("alice@example.com", "root@example.com");
    assert_eq!(refused(&encode(&tampered)), signature_invalid());
}

/// The signed XML without its XML declaration, to be placed inside another document.
fn without_declaration(xml: &str) -> &str {
    xml[xml.find("<samlp:Response").unwrap()..].trim()
}

#[test]
fn signature_wrapping_is_refused() {
    let signed = response().xml();
    let body = without_declaration(&signed);
    // An unsigned assertion for another subject before the signed one.
    let evil = Response {
        subject: "root@example.com".into(),
        id: "_evil".into(),
        sign_assertion: false,
        ..response()
    }
    .template(false, false);
    let evil_assertion =
        &evil[evil.find("<saml:Assertion").unwrap()..evil.find("</samlp:Response>").unwrap()];
    let two = body.replacen(
        "<saml:Assertion",
        &format!("{evil_assertion}<saml:Assertion"),
        1,
    );
    assert_eq!(refused(&encode(&two)), signature_invalid());
    // The signed assertion moved into Extensions, an unsigned one in its place.
    let start = body.find("<saml:Assertion").unwrap();
    let end = body.find("</samlp:Response>").unwrap();
    let moved = format!(
        "{}<samlp:Extensions>{}</samlp:Extensions>{evil_assertion}</samlp:Response>",
        &body[..start],
        &body[start..end]
    );
    assert_eq!(refused(&encode(&moved)), signature_invalid());
    // A signed response wrapped in a new one that carries an unsigned assertion.
    let response_signed = Response {
        sign_response: true,
        sign_assertion: false,
        ..response()
    }
    .xml();
    let inner = without_declaration(&response_signed);
    let wrapper = evil.replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{inner}</samlp:Extensions><samlp:Status>"),
        1,
    );
    assert_eq!(refused(&encode(&wrapper)), signature_invalid());
}

#[test]
fn a_comment_inside_a_signed_value_changes_nothing_read() {
    // The IdP signed `alice@example.com.evil.example`; a comment inserted after
    // `alice@example.com` keeps the signature valid (canonical XML drops comments), and
    // the whole signed value is still what is read.
    let r = Response {
        subject: "alice@example.com.evil.example".into(),
        ..response()
    };
    let xml = r.xml().replace(
        "alice@example.com.evil.example</saml:NameID>",
        "alice@example.com<!---->.evil.example</saml:NameID>",
    );
    assert!(xml.contains("<!---->"));
    assert_eq!(
        check(&encode(&xml)).unwrap().subject,
        "alice@example.com.evil.example"
    );
}

#[test]
fn malformed_responses_are_invalid_tokens() {
    let invalid = (
        "InvalidIdentityToken".to_string(),
        INVALID_TOKEN.to_string(),
    );
    assert_eq!(refused("not base64 at all!"), invalid);
    assert_eq!(refused(&encode("<not-xml")), invalid);
    assert_eq!(
        refused(&encode(
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>"
        )),
        invalid
    );
    let dtd = format!(
        "<!DOCTYPE r [<!ENTITY a \"b\">]>{}",
        response().template(false, false)
    );
    assert_eq!(refused(&encode(&dtd)), invalid);
    let encrypted = response()
        .template(false, false)
        .replace("<samlp:Status>", "<saml:EncryptedAssertion/><samlp:Status>");
    assert_eq!(
        refused(&encode(&encrypted)),
        ("InvalidIdentityToken".to_string(), ENCRYPTED.to_string())
    );
    let failed = Response {
        status: "urn:oasis:names:tc:SAML:2.0:status:Requester".into(),
        ..response()
    };
    assert_eq!(refused(&failed.encoded()).0, "IDPRejectedClaim");
}

#[test]
fn issuer_audience_and_recipient_are_checked() {
    let other_issuer = Response {
        issuer: "https://other.example.com/saml".into(),
        ..response()
    };
    assert_eq!(
        refused(&other_issuer.encoded()),
        ("InvalidIdentityToken".into(), ISSUER_MISMATCH.into())
    );
    for audience in ["https://sp.example.com", "urn:amazon:webservices:other", ""] {
        let r = Response {
            audience: audience.into(),
            ..response()
        };
        assert_eq!(
            refused(&r.encoded()),
            ("InvalidIdentityToken".into(), NO_AUDIENCE.into()),
            "{audience}"
        );
    }
    for audience in [
        "https://signin.aws.amazon.com/saml",
        "https://us-west-2.signin.aws.amazon.com/saml",
    ] {
        let r = Response {
            audience: audience.into(),
            ..response()
        };
        assert!(check(&r.encoded()).is_ok(), "{audience}");
    }
    let r = Response {
        recipient: "https://sp.example.com/acs".into(),
        ..response()
    };
    assert_eq!(
        refused(&r.encoded()),
        ("InvalidIdentityToken".into(), WRONG_RECIPIENT.into())
    );
    let acs = Response {
        recipient: "https://signin.aws.amazon.com/saml/acs/0123456789ABCDEF0123456789ABCDEF".into(),
        ..response()
    };
    assert_eq!(
        check(&acs.encoded()).unwrap().recipient,
        "https://signin.aws.amazon.com/saml/acs/0123456789ABCDEF0123456789ABCDEF"
    );
}

#[test]
fn times_are_checked_with_the_clock() {
    let encoded = response().encoded();
    assert!(verify(&encoded, &provider(), NOW + 299).is_ok());
    let e = verify(&encoded, &provider(), NOW + 300).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("ExpiredTokenException", conditions::REDEEM_LATE)
    );
    let short = Response {
        not_on_or_after: NOW + 60,
        ..response()
    };
    let e = verify(&short.encoded(), &provider(), NOW + 60).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("ExpiredTokenException", conditions::EXPIRED)
    );
    assert_eq!(
        verify(&short.encoded(), &provider(), NOW)
            .unwrap()
            .usable_until,
        NOW + 60
    );
    let future = Response {
        issued: NOW + 600,
        not_on_or_after: NOW + 900,
        ..response()
    };
    assert_eq!(refused(&future.encoded()).0, "IDPRejectedClaim");
    // A minute of an IdP clock running ahead is tolerated.
    let ahead = Response {
        issued: NOW + 30,
        ..response()
    };
    assert!(check(&ahead.encoded()).is_ok());
}

#[test]
fn session_attributes_are_read_and_checked() {
    let r = response()
        .with(&aws("SessionDuration", "1800").0, &["1800"])
        .with(&aws("SourceIdentity", "alice").0, &["alice"])
        .with(&aws("PrincipalTag:team", "x").0, &["ops"])
        .with(&aws("PrincipalTag:cost", "x").0, &["42"])
        .with(&aws("TransitiveTagKeys", "x").0, &["team"])
        .with("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", &["staff", "member"])
        .with("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", &["alice@example.edu"])
        .with(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            &["alice@example.com"],
        );
    let v = check(&r.encoded()).unwrap();
    let c = &v.claims;
    assert_eq!(c.session_duration, Some(1800));
    assert_eq!(c.source_identity.as_deref(), Some("alice"));
    let tags: Vec<(&str, &str)> = c
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(tags, [("team", "ops"), ("cost", "42")]);
    assert_eq!(c.transitive_tag_keys, ["team"]);
    let context = v.context("111122223333", &provider());
    let find = |k: &str| {
        context
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        find("saml:edupersonaffiliation"),
        Some(ContextValue::Multi(vec!["staff".into(), "member".into()]))
    );
    assert_eq!(
        find("saml:edupersonprincipalname"),
        Some(ContextValue::Single("alice@example.edu".into()))
    );
    assert_eq!(
        find("saml:mail"),
        Some(ContextValue::Single("alice@example.com".into()))
    );
    assert_eq!(
        find("saml:doc"),
        Some(ContextValue::Single("111122223333/corp".into()))
    );
    assert_eq!(
        find("saml:aud"),
        Some(ContextValue::Single(
            "https://signin.aws.amazon.com/saml".into()
        ))
    );
    assert_eq!(
        find("saml:sub_type"),
        Some(ContextValue::Single("persistent".into()))
    );

    let name = |r: Response| refused(&r.encoded()).1;
    let session_name = aws("RoleSessionName", "").0;
    assert_eq!(
        name(response().without(&session_name)),
        claims::SESSION_NAME_REQUIRED
    );
    assert_eq!(
        name(response().with(&session_name, &["a b"])),
        claims::SESSION_NAME_INVALID
    );
    assert_eq!(
        name(response().with(&session_name, &["a"])),
        claims::SESSION_NAME_INVALID
    );
    let source = aws("SourceIdentity", "").0;
    assert_eq!(
        name(response().with(&source, &["aws:me"])),
        claims::SOURCE_IDENTITY_INVALID
    );
    let duration = aws("SessionDuration", "").0;
    assert_eq!(
        name(response().with(&duration, &["60"])),
        claims::SESSION_DURATION_INVALID
    );
    assert_eq!(
        name(response().with(&duration, &["soon"])),
        claims::SESSION_DURATION_INVALID
    );
}

#[test]
fn role_pairs_in_either_order_and_other_formats() {
    let r = response().with(
        test_idp::ROLE_ATTRIBUTE,
        &[
            &format!("{PROVIDER}, {ROLE}"),
            "arn:aws:iam::111122223333:role/other,arn:aws:iam::111122223333:saml-provider/other",
            "garbage",
        ],
    );
    let r = Response {
        format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into(),
        ..r
    };
    let v = check(&r.encoded()).unwrap();
    assert!(v.claims.offers(ROLE, PROVIDER));
    assert_eq!(v.claims.roles.len(), 2);
    assert_eq!(
        v.subject_type(),
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    );
}

#[test]
fn name_qualifier_is_the_documented_hash() {
    use sha1::Digest;
    let v = check(&response().encoded()).unwrap();
    let expected = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(format!(
        "{}111122223333/corp",
        test_idp::ENTITY_ID
    )));
    assert_eq!(v.name_qualifier("111122223333", &provider()), expected);
    assert_eq!(v.replay_key().len(), 64);
    let other = Response {
        id: "_other".into(),
        ..response()
    };
    assert_ne!(
        check(&other.encoded()).unwrap().replay_key(),
        v.replay_key()
    );
}
