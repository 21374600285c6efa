//! SAML federation end to end: a SAML provider registered with the AWS SDK from the test
//! IdP's metadata (`crates/iamd-core/testdata/saml`), a role that trusts it, and
//! AssumeRoleWithSAML called with the SDK (unsigned, as AWS serves it) with responses the
//! test IdP signed in process with libxmlsec1, for good and bad responses; then the audit
//! trail, which names the SAML user and never holds an assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
#[path = "../../iamd-core/src/saml_assertion/test_idp.rs"]
mod test_idp;

use serde_json::json;
use support::{code_message, Server, ACCOUNT};
use test_idp::{aws, Response};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread")]
async fn assume_role_with_saml_for_good_and_bad_responses() {
    let server = Server::start();
    let iam = server.iam();
    let created = iam
        .create_saml_provider()
        .name("corp")
        .saml_metadata_document(test_idp::metadata())
        .send()
        .await
        .unwrap();
    let provider = format!("arn:aws:iam::{ACCOUNT}:saml-provider/corp");
    assert_eq!(created.saml_provider_arn(), Some(provider.as_str()));
    let role = format!("arn:aws:iam::{ACCOUNT}:role/admin");
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "saml:aud": "https://signin.aws.amazon.com/saml",
                "saml:iss": test_idp::ENTITY_ID,
                "saml:doc": format!("{ACCOUNT}/corp"),
            },
            "StringLike": {"saml:sub": "*@example.com"}
        }
    }]});
    iam.create_role()
        .role_name("admin")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    // Each response its own assertion ID (each is single use).
    let response = |id: &str| Response {
        id: format!("_{id}"),
        ..Response::new(now(), &role, &provider)
    };
    let sts = server.sts();
    let assume = |encoded: String, role: &str| {
        sts.assume_role_with_saml()
            .role_arn(role)
            .principal_arn(&provider)
            .saml_assertion(encoded)
            .send()
    };

    // Signed assertion, signed response, both; with a session tag.
    for (id, sign_response, sign_assertion) in [
        ("assertion", false, true),
        ("response", true, false),
        ("both", true, true),
    ] {
        let r = Response {
            sign_response,
            sign_assertion,
            ..response(id).with(&aws("PrincipalTag:team", "").0, &["ops"])
        };
        let out = assume(r.encoded(), &role).await.unwrap();
        assert_eq!(out.subject(), Some("alice@example.com"));
        assert_eq!(out.subject_type(), Some("persistent"));
        assert_eq!(out.issuer(), Some(test_idp::ENTITY_ID));
        assert_eq!(out.audience(), Some("https://signin.aws.amazon.com/saml"));
        assert_eq!(out.name_qualifier().map(str::len), Some(28));
        let user = out.assumed_role_user().unwrap();
        assert_eq!(
            user.arn(),
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice")
        );
        let who = server
            .sts_session(out.credentials().unwrap())
            .get_caller_identity()
            .send()
            .await
            .unwrap();
        assert_eq!(who.arn(), Some(user.arn()));
    }

    let refused = |result: Result<_, _>| code_message(result.map(drop).unwrap_err());
    let invalid = |message: &str| ("InvalidIdentityToken".to_string(), message.to_string());
    let signature = invalid("Response signature invalid");

    // Used once already.
    let r = response("once");
    assume(r.encoded(), &role).await.unwrap();
    assert_eq!(
        refused(assume(r.encoded(), &role).await),
        invalid("The SAML assertion has already been used.")
    );
    // Signed by a key the provider's metadata does not have, not signed, changed after
    // signing, or wrapped around an unsigned assertion.
    let forged = Response {
        key: test_idp::FORGER_KEY,
        ..response("forged")
    };
    assert_eq!(refused(assume(forged.encoded(), &role).await), signature);
    let unsigned = Response {
        sign_assertion: false,
        ..response("unsigned")
    };
    assert_eq!(refused(assume(unsigned.encoded(), &role).await), signature);
    let signed = response("tampered").xml();
    let tampered = signed.replace("alice@example.com", "admin@example.com");
    assert_eq!(
        refused(assume(test_idp::encode(&tampered), &role).await),
        signature
    );
    let evil = Response {
        subject: "admin@example.com".into(),
        ..response("evil")
    }
    .template(false, false);
    let evil =
        &evil[evil.find("<saml:Assertion").unwrap()..evil.find("</samlp:Response>").unwrap()];
    let wrapped = signed.replacen("<saml:Assertion", &format!("{evil}<saml:Assertion"), 1);
    assert_eq!(
        refused(assume(test_idp::encode(&wrapped), &role).await),
        signature
    );
    // Too old, for someone else, to somewhere else.
    let stale = Response {
        issued: now() - 600,
        not_on_or_after: now() + 600,
        ..response("stale")
    };
    assert_eq!(
        refused(assume(stale.encoded(), &role).await),
        (
            "ExpiredTokenException".into(),
            "Token must be redeemed within 5 minutes of issuance".into()
        )
    );
    let audience = Response {
        audience: "https://sp.example.com".into(),
        ..response("audience")
    };
    assert_eq!(
        refused(assume(audience.encoded(), &role).await),
        invalid("Response does not contain the required audience.")
    );
    let recipient = Response {
        recipient: "https://sp.example.com/acs".into(),
        ..response("recipient")
    };
    assert_eq!(
        refused(assume(recipient.encoded(), &role).await).0,
        "InvalidIdentityToken"
    );
    let no_name = response("no-name").without(&aws("RoleSessionName", "").0);
    assert_eq!(
        refused(assume(no_name.encoded(), &role).await),
        invalid("RoleSessionName is required in AuthnResponse")
    );
    // A role the assertion does not offer; a subject the trust policy does not allow.
    let other = format!("arn:aws:iam::{ACCOUNT}:role/other");
    let denied = (
        "AccessDenied".to_string(),
        "Not authorized to perform sts:AssumeRoleWithSAML".to_string(),
    );
    assert_eq!(
        refused(assume(response("other").encoded(), &other).await),
        denied
    );
    let outsider = Response {
        subject: "mallory@elsewhere.example".into(),
        ..response("outsider")
    };
    assert_eq!(refused(assume(outsider.encoded(), &role).await), denied);
    // No such provider; not base64.
    let nowhere = sts
        .assume_role_with_saml()
        .role_arn(&role)
        .principal_arn(format!("arn:aws:iam::{ACCOUNT}:saml-provider/nowhere"))
        .saml_assertion(response("nowhere").encoded())
        .send()
        .await;
    assert_eq!(
        refused(nowhere),
        invalid("Specified provider doesn't exist.")
    );
    assert_eq!(
        refused(assume("%%% not base64 %%%".into(), &role).await).0,
        "InvalidIdentityToken"
    );

    // Every call is in the audit trail, refused ones with their error; never the assertion
    // (base64 of `<samlp:` begins `PHNhbWxwO`).
    let mut server = server;
    server.terminate();
    let records: Vec<_> = support::audit_records(&server.data_dir())
        .into_iter()
        .filter(|r| r.event_name == "AssumeRoleWithSAML")
        .collect();
    assert_eq!(records.len(), 17, "{records:#?}");
    let succeeded: Vec<_> = records
        .iter()
        .filter(|r| !r.body.contains("errorCode"))
        .collect();
    assert_eq!(succeeded.len(), 4);
    for record in &succeeded {
        assert!(
            record.body.contains("\"type\":\"SAMLUser\""),
            "{}",
            record.body
        );
        assert!(record.body.contains("\"userName\":\"alice@example.com\""));
    }
    assert!(records.iter().all(|r| !r.body.contains("PHNhbWxwO")));
}
