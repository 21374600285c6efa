//! Server certificates called as the server would: the lifecycle, the checks of body, key
//! and chain with AWS's errors, the sealed key, tags, quota and the account summary.

use serde_json::{json, Value};

use super::policies::{fails, ok, strings};
use crate::account::Account;
use crate::testing::account;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../../../fixtures/server-certs/", $name))
    };
}
const LEAF: &str = fixture!("leaf.pem");
const KEY: &str = fixture!("leaf-key.pkcs1.pem");
const OTHER_KEY: &str = fixture!("other-key.pem");
const CHAIN: &str = fixture!("chain.pem");
const REVERSED: &str = fixture!("chain-reversed.pem");
const EXPIRED: &str = fixture!("expired.pem");

fn upload(acct: &Account, name: &str, path: &str) -> Value {
    let input = json!({"ServerCertificateName": name, "Path": path,
        "CertificateBody": LEAF, "PrivateKey": KEY, "CertificateChain": CHAIN});
    ok(acct, "UploadServerCertificate", input)
}

fn summary(acct: &Account) -> Value {
    ok(acct, "GetAccountSummary", json!({}))["SummaryMap"].clone()
}

#[test]
fn server_certificate_lifecycle() {
    let (acct, _) = account();
    let out = upload(&acct, "web", "/cloudfront/");
    let meta = &out["ServerCertificateMetadata"];
    assert_eq!(
        meta["Arn"],
        "arn:aws:iam::111122223333:server-certificate/cloudfront/web"
    );
    assert!(meta["ServerCertificateId"]
        .as_str()
        .unwrap()
        .starts_with("ASCA"));
    // 2120-01-01, the end of the fixture's validity.
    assert_eq!(meta["Expiration"], 4_733_510_400_i64);
    assert_eq!(summary(&acct)["ServerCertificates"], 1);
    // Audited, the key hidden.
    let events = acct.audit_events(10).unwrap();
    let record = events
        .iter()
        .find(|e| e.event_name == "UploadServerCertificate")
        .unwrap();
    assert!(record
        .body
        .contains(r#""privateKey":"HIDDEN_DUE_TO_SECURITY_REASONS""#));
    assert!(!record.body.contains("PRIVATE KEY"));

    let got = ok(
        &acct,
        "GetServerCertificate",
        json!({"ServerCertificateName": "WEB"}),
    );
    let cert = &got["ServerCertificate"];
    // Body and chain exactly as uploaded; the key never.
    assert_eq!(cert["CertificateBody"], LEAF);
    assert_eq!(cert["CertificateChain"], CHAIN);
    assert!(!got.to_string().contains("PRIVATE KEY"));
    let stored = acct.snapshot();
    let stored = stored.server_certificates.get("web").unwrap();
    assert!(!stored.sealed_private_key.contains("PRIVATE"));

    upload(&acct, "api", "/");
    let listed = ok(
        &acct,
        "ListServerCertificates",
        json!({"PathPrefix": "/cloudfront/"}),
    );
    assert_eq!(
        strings(
            &listed,
            "ServerCertificateMetadataList",
            "ServerCertificateName"
        ),
        ["web"]
    );
    fails(
        &acct,
        "UpdateServerCertificate",
        json!({"ServerCertificateName": "web", "NewServerCertificateName": "API"}),
        "EntityAlreadyExists",
        "The Server Certificate with name API already exists.",
    );
    ok(
        &acct,
        "UpdateServerCertificate",
        json!({"ServerCertificateName": "web", "NewServerCertificateName": "www", "NewPath": "/x/"}),
    );
    let got = ok(
        &acct,
        "GetServerCertificate",
        json!({"ServerCertificateName": "www"}),
    );
    assert_eq!(
        got["ServerCertificate"]["ServerCertificateMetadata"]["Arn"],
        "arn:aws:iam::111122223333:server-certificate/x/www"
    );
    fails(
        &acct,
        "GetServerCertificate",
        json!({"ServerCertificateName": "web"}),
        "NoSuchEntity",
        "The Server Certificate with name web cannot be found.",
    );

    let tags = json!([{"Key": "env", "Value": "prod"}]);
    ok(
        &acct,
        "TagServerCertificate",
        json!({"ServerCertificateName": "www", "Tags": tags}),
    );
    let listed = ok(
        &acct,
        "ListServerCertificateTags",
        json!({"ServerCertificateName": "www"}),
    );
    assert_eq!(listed["Tags"], tags);
    ok(
        &acct,
        "UntagServerCertificate",
        json!({"ServerCertificateName": "www", "TagKeys": ["env"]}),
    );
    ok(
        &acct,
        "DeleteServerCertificate",
        json!({"ServerCertificateName": "www"}),
    );
    fails(
        &acct,
        "DeleteServerCertificate",
        json!({"ServerCertificateName": "www"}),
        "NoSuchEntity",
        "The Server Certificate with name www cannot be found.",
    );
    assert_eq!(summary(&acct)["ServerCertificates"], 1);
}

#[test]
fn uploads_are_checked_with_aws_errors() {
    let (acct, _) = account();
    upload(&acct, "web", "/");
    let attempt = |name: &str, body: &str, key: &str, chain: Option<&str>| {
        json!({"ServerCertificateName": name, "CertificateBody": body, "PrivateKey": key,
               "CertificateChain": chain})
    };
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("Web", LEAF, KEY, None),
        "EntityAlreadyExists",
        "The Server Certificate with name Web already exists.",
    );
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("b", LEAF, OTHER_KEY, None),
        "KeyPairMismatch",
        "The public key certificate and the private key do not match.",
    );
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("b", "nope", KEY, None),
        "MalformedCertificate",
        "Unable to parse certificate. Please ensure the certificate is in PEM format.",
    );
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("b", EXPIRED, KEY, None),
        "MalformedCertificate",
        "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.",
    );
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("b", LEAF, "nope", None),
        "MalformedCertificate",
        "Unable to parse private key. Please ensure the private key is an unencrypted RSA or EC key in PEM format.",
    );
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("b", LEAF, KEY, Some(REVERSED)),
        "MalformedCertificate",
        "Unable to validate certificate chain. The certificate chain must start with the \
         immediate signing certificate, followed by any intermediaries in order. The index \
         within the chain of the invalid certificate is: -1",
    );
    for i in 1..20 {
        upload(&acct, &format!("c{i}"), "/");
    }
    fails(
        &acct,
        "UploadServerCertificate",
        attempt("c20", LEAF, KEY, None),
        "LimitExceeded",
        "Cannot exceed quota for ServerCertificatesPerAccount: 20",
    );
}
