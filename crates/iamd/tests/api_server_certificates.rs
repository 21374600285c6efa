//! Server certificates through the official AWS SDK for Rust against a real `iamd serve`:
//! upload (certificate, chain and key checked), get (body as uploaded, no key), list, rename,
//! tags, delete, AWS's refusals, and the sealed key surviving a restart without ever being
//! written in clear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::roles::tag;
use support::{code_message, Server};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../fixtures/server-certs/", $name))
    };
}
const LEAF: &str = fixture!("leaf.pem");
const KEY: &str = fixture!("leaf-key.pkcs8.pem");
const OTHER_KEY: &str = fixture!("other-key.pem");
const CHAIN: &str = fixture!("chain.pem");
const EC_LEAF: &str = fixture!("ec-leaf.pem");
const EC_KEY: &str = fixture!("ec-key.sec1.pem");

/// The base64 lines of a PEM key, to look for in files and logs.
fn key_lines(pem: &str) -> Vec<&str> {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

#[tokio::test]
async fn server_certificates_end_to_end_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Server::start_in(&data);
    let iam = first.iam();
    let meta = iam
        .upload_server_certificate()
        .server_certificate_name("web")
        .path("/cloudfront/site/")
        .certificate_body(LEAF)
        .private_key(KEY)
        .certificate_chain(CHAIN)
        .tags(tag("env", "prod"))
        .send()
        .await
        .unwrap()
        .server_certificate_metadata
        .unwrap();
    assert_eq!(
        meta.arn,
        "arn:aws:iam::123456789012:server-certificate/cloudfront/site/web"
    );
    assert!(meta.server_certificate_id.starts_with("ASCA"));
    assert_eq!(meta.expiration.unwrap().secs(), 4_733_510_400);
    iam.upload_server_certificate()
        .server_certificate_name("ec")
        .certificate_body(EC_LEAF)
        .private_key(EC_KEY)
        .send()
        .await
        .unwrap();
    let summary = iam.get_account_summary().send().await.unwrap();
    let count =
        summary.summary_map().unwrap()[&aws_sdk_iam::types::SummaryKeyType::ServerCertificates];
    assert_eq!(count, 2);
    iam.update_server_certificate()
        .server_certificate_name("ec")
        .new_server_certificate_name("ec2")
        .new_path("/p/")
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_server_certificates()
        .path_prefix("/p/")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .server_certificate_metadata_list()
        .iter()
        .map(|m| m.server_certificate_name())
        .collect();
    assert_eq!(names, ["ec2"]);
    iam.delete_server_certificate()
        .server_certificate_name("EC2")
        .send()
        .await
        .unwrap();
    first.kill();

    // The key is sealed: no line of it in any file of the data directory or in the log.
    let second = Server::start_in(&data);
    for entry in std::fs::read_dir(&data).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for line in key_lines(KEY) {
            assert!(!text.contains(line), "key in clear in the data directory");
        }
    }
    // Audit blocks are compressed: searched decoded too.
    let audit = support::audit_text(&data);
    assert!(audit.contains("UploadServerCertificate"));
    for line in key_lines(KEY) {
        assert!(!audit.contains(line), "key in an audit record");
    }
    assert!(key_lines(KEY).iter().all(|l| !second.log().contains(l)));
    let iam = second.iam();
    let got = iam
        .get_server_certificate()
        .server_certificate_name("web")
        .send()
        .await
        .unwrap()
        .server_certificate
        .unwrap();
    assert_eq!(got.certificate_body, LEAF);
    assert_eq!(got.certificate_chain.as_deref(), Some(CHAIN));
    assert_eq!(got.tags()[0].key(), "env");
    let tags = iam
        .list_server_certificate_tags()
        .server_certificate_name("web")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    iam.untag_server_certificate()
        .server_certificate_name("web")
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    iam.tag_server_certificate()
        .server_certificate_name("web")
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap();
    let (code, message) = code_message(
        iam.get_server_certificate()
            .server_certificate_name("ec2")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "NoSuchEntity",
            "The Server Certificate with name ec2 cannot be found."
        )
    );
}

#[tokio::test]
async fn server_certificate_bad_input() {
    let server = Server::start();
    let iam = server.iam();
    let upload = |name: &str, body: &str, key: &str| {
        iam.upload_server_certificate()
            .server_certificate_name(name)
            .certificate_body(body)
            .private_key(key)
    };
    let (code, message) = refused!(upload("a", LEAF, OTHER_KEY).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "KeyPairMismatch",
            "The public key certificate and the private key do not match."
        )
    );
    let (code, _) = refused!(upload("a", LEAF, EC_KEY).send().await);
    assert_eq!(code, "KeyPairMismatch");
    let (code, message) = refused!(upload("a", "junk", KEY).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "MalformedCertificate",
            "Unable to parse certificate. Please ensure the certificate is in PEM format."
        )
    );
    let (code, _) = refused!(upload("a", LEAF, "junk").send().await);
    assert_eq!(code, "MalformedCertificate");
    let (code, _) = refused!(
        upload("a", LEAF, KEY)
            .certificate_chain("junk")
            .send()
            .await
    );
    assert_eq!(code, "MalformedCertificate");
    // The model's rules: name pattern, path pattern.
    let (code, _) = refused!(upload("a b", LEAF, KEY).send().await);
    assert_eq!(code, "ValidationError");
    let (code, _) = refused!(upload("a", LEAF, KEY).path("no-slashes").send().await);
    assert_eq!(code, "ValidationError");
    upload("a", LEAF, KEY).send().await.unwrap();
    let (code, message) = refused!(upload("A", LEAF, KEY).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "EntityAlreadyExists",
            "The Server Certificate with name A already exists."
        )
    );
    let (code, _) = refused!(
        iam.update_server_certificate()
            .server_certificate_name("missing")
            .new_path("/x/")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchEntity");
    let (code, _) = refused!(
        iam.delete_server_certificate()
            .server_certificate_name("missing")
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchEntity");
    // A user without permission is refused, and nothing is listed to it.
    let (key_id, secret) = server.user_with_key("bob").await;
    let bob = server.iam_as(&key_id, &secret);
    let (code, _) = refused!(bob.list_server_certificates().send().await);
    assert_eq!(code, "AccessDenied");
    let (code, _) = refused!(
        bob.get_server_certificate()
            .server_certificate_name("a")
            .send()
            .await,
    );
    assert_eq!(code, "AccessDenied");
}
