//! The key and certificate material IAM users upload, and the service principals of
//! service-linked roles, through the operations on an account in memory. The first byte
//! picks one:
//! - 0: UploadServerCertificate (the rest: `body\0private key\0chain`; no chain when there is
//!   no second `\0`): certificate, key and chain parsing (`crypto::server_cert::check`);
//! - 1: UploadSigningCertificate (the rest: the PEM body; X.509 parsing);
//! - 2: UploadSSHPublicKey for a user (the rest: an OpenSSH line or a PEM public key);
//! - 3: CreateServiceLinkedRole (the rest: `AWSServiceName\0CustomSuffix`, no suffix without
//!   `\0`), then its deletion task by its id and by the id with a character changed.
//!
//! Checks: refusals are 4xx with the operation's error codes (no 5xx, no panic); what was
//! accepted reads back as uploaded (GetServerCertificate: body and chain exactly;
//! ListSigningCertificates: the body trimmed; GetSSHPublicKey in both encodings: the same key,
//! fingerprint and, SSH encoding, the body trimmed) and a second upload of it is refused as
//! a duplicate; an accepted SSH key parses again from its own OpenSSH and PEM writings; a
//! service-linked role is found by the name returned, under `/aws-service-role/`, deleted only
//! by DeleteServiceLinkedRole, whose task is found by its id; a changed task id is refused.
#![no_main]

use iamd_core::crypto::ssh_key::RsaPublicKey;
use iamd_core::testing::{account, call, root};
use iamd_core::{Account, IamError};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (acct, _clock) = account();
    match mode % 4 {
        0 => server_certificate(&acct, text),
        1 => signing_certificate(&acct, text),
        2 => ssh_key(&acct, text),
        _ => service_linked_role(&acct, text),
    }
});

fn iam(acct: &Account, action: &str, input: Value) -> Result<Value, IamError> {
    call(acct, &root(), "iam", action, input)
}

fn refused(e: &IamError, codes: &[&str]) {
    assert!(
        (400..500).contains(&e.status) && codes.contains(&e.code),
        "{} {}: {}",
        e.code,
        e.status,
        e.message
    );
}

fn server_certificate(acct: &Account, text: &str) {
    let mut parts = text.splitn(3, '\0');
    let body = parts.next().unwrap_or_default();
    let key = parts.next().unwrap_or_default();
    let chain = parts.next();
    let mut input =
        json!({"ServerCertificateName": "web", "CertificateBody": body, "PrivateKey": key});
    if let Some(chain) = chain {
        input["CertificateChain"] = json!(chain);
    }
    match iam(acct, "UploadServerCertificate", input.clone()) {
        Ok(_) => {
            let got = iam(
                acct,
                "GetServerCertificate",
                json!({"ServerCertificateName": "web"}),
            )
            .expect("an uploaded certificate reads");
            let cert = &got["ServerCertificate"];
            assert_eq!(cert["CertificateBody"].as_str(), Some(body));
            assert_eq!(cert["CertificateChain"].as_str(), chain);
            assert!(
                cert.get("PrivateKey").is_none(),
                "the private key is returned"
            );
            let again = iam(acct, "UploadServerCertificate", input).expect_err("uploaded twice");
            assert_eq!(again.code, "EntityAlreadyExists");
        }
        Err(e) => refused(&e, &["MalformedCertificate", "KeyPairMismatch"]),
    }
}

fn signing_certificate(acct: &Account, text: &str) {
    let input = json!({ "CertificateBody": text });
    match iam(acct, "UploadSigningCertificate", input.clone()) {
        Ok(out) => {
            let id = out["Certificate"]["CertificateId"]
                .as_str()
                .expect("an id")
                .to_string();
            let list = iam(acct, "ListSigningCertificates", json!({})).expect("a list");
            let found = list["Certificates"]
                .as_array()
                .and_then(|all| all.iter().find(|c| c["CertificateId"] == id.as_str()))
                .expect("the uploaded certificate is listed");
            assert_eq!(found["CertificateBody"].as_str(), Some(text.trim()));
            let again = iam(acct, "UploadSigningCertificate", input).expect_err("uploaded twice");
            assert_eq!((again.code, again.status), ("DuplicateCertificate", 409));
        }
        Err(e) => refused(&e, &["MalformedCertificate"]),
    }
}

fn ssh_key(acct: &Account, text: &str) {
    iam(acct, "CreateUser", json!({"UserName": "alice"})).expect("alice");
    let input = json!({"UserName": "alice", "SSHPublicKeyBody": text});
    let parsed = RsaPublicKey::parse(text);
    match iam(acct, "UploadSSHPublicKey", input.clone()) {
        Ok(out) => {
            let key = parsed.expect("an uploaded key parses");
            let id = out["SSHPublicKey"]["SSHPublicKeyId"]
                .as_str()
                .expect("an id");
            let fingerprint = out["SSHPublicKey"]["Fingerprint"]
                .as_str()
                .expect("a fingerprint");
            assert_eq!(fingerprint, key.fingerprint());
            for encoding in ["SSH", "PEM"] {
                let got = iam(
                    acct,
                    "GetSSHPublicKey",
                    json!({"UserName": "alice", "SSHPublicKeyId": id, "Encoding": encoding}),
                )
                .expect("an uploaded key reads");
                let body = got["SSHPublicKey"]["SSHPublicKeyBody"]
                    .as_str()
                    .expect("a body");
                assert_eq!(
                    got["SSHPublicKey"]["Fingerprint"].as_str(),
                    Some(fingerprint)
                );
                let again = RsaPublicKey::parse(body).expect("a key iamd wrote parses");
                assert_eq!(again, key, "{encoding}: {body}");
            }
            assert_eq!(RsaPublicKey::parse(&key.to_openssh()).as_ref(), Ok(&key));
            let pem = key.to_pem().expect("PEM");
            assert_eq!(RsaPublicKey::parse(&pem).as_ref(), Ok(&key));
            let again = iam(acct, "UploadSSHPublicKey", input).expect_err("uploaded twice");
            assert_eq!(again.code, "DuplicateSSHPublicKey");
        }
        Err(e) => {
            assert!(
                parsed.is_err(),
                "a key that parses was refused: {}",
                e.message
            );
            refused(&e, &["InvalidPublicKey", "UnrecognizedPublicKeyEncoding"]);
        }
    }
}

fn service_linked_role(acct: &Account, text: &str) {
    let (service, suffix) = match text.split_once('\0') {
        Some((service, suffix)) => (service, Some(suffix)),
        None => (text, None),
    };
    // The wire layer refuses what the model's pattern `[\w+=,.@-]+` does not match before an
    // operation runs (a suffix `a/b` would otherwise make a task id iamd cannot read back).
    let plain = |s: &str, most: usize| {
        !s.is_empty()
            && s.len() <= most
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
    };
    if !plain(service, 128) || suffix.is_some_and(|s| !plain(s, 64)) {
        return;
    }
    let mut input = json!({ "AWSServiceName": service });
    if let Some(suffix) = suffix {
        input["CustomSuffix"] = json!(suffix);
    }
    let created = match iam(acct, "CreateServiceLinkedRole", input.clone()) {
        Ok(out) => out,
        Err(e) => return refused(&e, &["InvalidInput"]),
    };
    let role = &created["Role"];
    let name = role["RoleName"].as_str().expect("a role name");
    assert!(name.starts_with("AWSServiceRoleFor"), "{name}");
    if let Some(suffix) = suffix {
        assert!(
            name.ends_with(&format!("_{suffix}")),
            "{name} lacks its suffix"
        );
    }
    let path = role["Path"].as_str().expect("a path");
    assert_eq!(path, format!("/aws-service-role/{service}/"));
    let got = iam(acct, "GetRole", json!({ "RoleName": name })).expect("the role reads");
    assert_eq!(got["Role"]["Arn"], role["Arn"]);
    let again = iam(acct, "CreateServiceLinkedRole", input).expect_err("created twice");
    refused(&again, &["InvalidInput", "EntityAlreadyExists"]);
    let deleted = iam(acct, "DeleteRole", json!({ "RoleName": name })).expect_err("DeleteRole");
    refused(&deleted, &["UnmodifiableEntity"]);
    let task = iam(acct, "DeleteServiceLinkedRole", json!({ "RoleName": name })).expect("deleted")
        ["DeletionTaskId"]
        .as_str()
        .expect("a task id")
        .to_string();
    let status = iam(
        acct,
        "GetServiceLinkedRoleDeletionStatus",
        json!({ "DeletionTaskId": task }),
    )
    .expect("the task reads");
    assert_eq!(status["Status"], "SUCCEEDED");
    let mut changed = task.clone().into_bytes();
    let last = changed.len() - 1;
    changed[last] = if changed[last] == b'0' { b'1' } else { b'0' };
    let changed = String::from_utf8_lossy(&changed).into_owned();
    let missing = iam(
        acct,
        "GetServiceLinkedRoleDeletionStatus",
        json!({ "DeletionTaskId": changed }),
    )
    .expect_err("a changed task id");
    refused(&missing, &["NoSuchEntity", "InvalidInput"]);
}
