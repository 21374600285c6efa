//! SSH public keys, signing certificates and service-specific credentials, called as the
//! server would; and seed 000's self-service statements for them.

use base64::Engine;
use serde_json::{json, Value};

use crate::account::Account;
use crate::authz::{Caller, MfaInfo};
use crate::error::IamError;
use crate::testing::{account, call, root, user, ACCOUNT_ID};

const KEY_A: &str = include_str!("../../../../../fixtures/credentials/ssh-rsa-2048-a.pub");
const KEY_B: &str = include_str!("../../../../../fixtures/credentials/ssh-rsa-2048-b.pub");
const KEY_B_PEM: &str = include_str!("../../../../../fixtures/credentials/ssh-rsa-2048-b.pem");
const KEY_SHORT: &str = include_str!("../../../../../fixtures/credentials/ssh-rsa-1024.pub");
const KEY_ED25519: &str = include_str!("../../../../../fixtures/credentials/ssh-ed25519.pub");
const CERT_1: &str = include_str!("../../../../../fixtures/credentials/signing-cert1.pem");
const CERT_2: &str = include_str!("../../../../../fixtures/credentials/signing-cert2.pem");
const CERT_3: &str = include_str!("../../../../../fixtures/credentials/signing-cert3.pem");
const CERT_EXPIRED: &str = include_str!("../../../../../fixtures/credentials/signing-expired.pem");
const SEED000: &str =
    include_str!("../../../../../fixtures/policies/seed000-force-mfa-blog-ko.json");

fn iam(acct: &Account, caller: &Caller, action: &str, input: Value) -> Result<Value, IamError> {
    call(acct, caller, "iam", action, input)
}

fn ok(acct: &Account, action: &str, input: Value) -> Value {
    iam(acct, &root(), action, input).unwrap()
}

/// Calls as root and returns the error's code, status and message.
fn fails(acct: &Account, action: &str, input: Value) -> (&'static str, u16, String) {
    let e = iam(acct, &root(), action, input).unwrap_err();
    (e.code, e.status, e.message)
}

fn with_users(names: &[&str]) -> Account {
    let (acct, _) = account();
    for name in names {
        ok(&acct, "CreateUser", json!({ "UserName": name }));
    }
    acct
}

/// Another valid-looking 2048-bit RSA key: key B with one modulus byte changed.
fn variant_of_b(n: u8) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut blob = b64
        .decode(KEY_B.split_whitespace().nth(1).unwrap())
        .unwrap();
    let at = blob.len() - 100;
    blob[at] = blob[at].wrapping_add(n);
    format!("ssh-rsa {}", b64.encode(blob))
}

fn upload_key(acct: &Account, user: &str, body: &str) -> Result<Value, IamError> {
    iam(
        acct,
        &root(),
        "UploadSSHPublicKey",
        json!({"UserName": user, "SSHPublicKeyBody": body}),
    )
}

#[test]
fn ssh_public_key_lifecycle() {
    let acct = with_users(&["alice", "bob"]);
    let up = upload_key(&acct, "alice", KEY_A).unwrap()["SSHPublicKey"].clone();
    let id = up["SSHPublicKeyId"].as_str().unwrap().to_string();
    assert!(id.starts_with("APKA") && id.len() == 20, "{id}");
    assert_eq!(up["UserName"], "alice");
    assert_eq!(
        up["Fingerprint"],
        "07:c1:13:80:77:c8:37:b8:e1:0f:8c:17:8f:a2:26:fe"
    );
    assert_eq!(up["SSHPublicKeyBody"], KEY_A.trim());
    assert_eq!(up["Status"], "Active");
    assert!(up["UploadDate"].is_i64());

    let get = |encoding: &str| {
        ok(
            &acct,
            "GetSSHPublicKey",
            json!({"UserName": "alice", "SSHPublicKeyId": id, "Encoding": encoding}),
        )["SSHPublicKey"]
            .clone()
    };
    assert_eq!(get("SSH")["SSHPublicKeyBody"], KEY_A.trim());
    let pem = get("PEM")["SSHPublicKeyBody"].as_str().unwrap().to_string();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");

    // A PEM upload comes back as an OpenSSH line, and a PEM with the same key.
    let b = upload_key(&acct, "alice", KEY_B_PEM).unwrap()["SSHPublicKey"].clone();
    let b_id = b["SSHPublicKeyId"].as_str().unwrap();
    let b_ssh = ok(
        &acct,
        "GetSSHPublicKey",
        json!({"UserName": "alice", "SSHPublicKeyId": b_id, "Encoding": "SSH"}),
    );
    let line: Vec<&str> = KEY_B.split_whitespace().take(2).collect();
    assert_eq!(b_ssh["SSHPublicKey"]["SSHPublicKeyBody"], line.join(" "));

    ok(
        &acct,
        "UpdateSSHPublicKey",
        json!({"UserName": "Alice", "SSHPublicKeyId": id, "Status": "Inactive"}),
    );
    let listed = ok(&acct, "ListSSHPublicKeys", json!({"UserName": "alice"}));
    let keys = listed["SSHPublicKeys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let first = keys
        .iter()
        .find(|k| k["SSHPublicKeyId"] == id.as_str())
        .unwrap();
    assert_eq!(first["Status"], "Inactive");
    assert!(first.get("SSHPublicKeyBody").is_none() && first["UploadDate"].is_i64());
    assert_eq!(listed["IsTruncated"], false);
    let bobs = ok(&acct, "ListSSHPublicKeys", json!({"UserName": "bob"}));
    assert_eq!(bobs["SSHPublicKeys"], json!([]));
    // The root user has no SSH keys.
    let roots = ok(&acct, "ListSSHPublicKeys", json!({}));
    assert_eq!(roots["SSHPublicKeys"], json!([]));

    // Bob cannot reach alice's key by its id.
    let as_bob = json!({"UserName": "bob", "SSHPublicKeyId": id, "Encoding": "SSH"});
    let missing = format!("The Public Key with id {id} cannot be found.");
    assert_eq!(
        fails(&acct, "GetSSHPublicKey", as_bob),
        ("NoSuchEntity", 404, missing.clone())
    );
    let delete = json!({"UserName": "alice", "SSHPublicKeyId": id});
    ok(&acct, "DeleteSSHPublicKey", delete.clone());
    assert_eq!(
        fails(&acct, "DeleteSSHPublicKey", delete),
        ("NoSuchEntity", 404, missing)
    );
}

#[test]
fn ssh_public_key_refusals() {
    let acct = with_users(&["alice", "bob"]);
    upload_key(&acct, "alice", KEY_B).unwrap();
    let upload_err = |user: &str, body: &str| {
        let e = upload_key(&acct, user, body).unwrap_err();
        (e.code, e.status)
    };
    // The same key again, in either encoding; another user may have it.
    assert_eq!(upload_err("alice", KEY_B), ("DuplicateSSHPublicKey", 400));
    assert_eq!(
        upload_err("alice", KEY_B_PEM),
        ("DuplicateSSHPublicKey", 400)
    );
    upload_key(&acct, "bob", KEY_B).unwrap();
    assert_eq!(upload_err("alice", KEY_SHORT), ("InvalidPublicKey", 400));
    assert_eq!(upload_err("alice", KEY_ED25519), ("InvalidPublicKey", 400));
    assert_eq!(
        upload_err("alice", "ssh-rsa AAAA"),
        ("InvalidPublicKey", 400)
    );
    assert_eq!(
        upload_err("alice", "hello"),
        ("UnrecognizedPublicKeyEncoding", 400)
    );
    assert_eq!(upload_err("carol", KEY_A), ("NoSuchEntity", 404));
    let short = upload_key(&acct, "alice", KEY_SHORT).unwrap_err().message;
    assert!(
        short.contains("1024 bits") && short.contains("2048"),
        "{short}"
    );

    // Five keys per user.
    for n in 1..=4 {
        upload_key(&acct, "alice", &variant_of_b(n)).unwrap();
    }
    let e = upload_key(&acct, "alice", KEY_A).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "LimitExceeded",
            "Cannot exceed quota for SSHPublicKeysPerUser: 5"
        )
    );

    let id = ok(&acct, "ListSSHPublicKeys", json!({"UserName": "alice"}))["SSHPublicKeys"][0]
        ["SSHPublicKeyId"]
        .clone();
    let expired = json!({"UserName": "alice", "SSHPublicKeyId": id, "Status": "Expired"});
    assert_eq!(
        fails(&acct, "UpdateSSHPublicKey", expired).0,
        "InvalidInput"
    );
    let page = ok(
        &acct,
        "ListSSHPublicKeys",
        json!({"UserName": "alice", "MaxItems": 3}),
    );
    assert_eq!(page["SSHPublicKeys"].as_array().unwrap().len(), 3);
    assert_eq!(page["IsTruncated"], true);
    let rest = json!({"UserName": "alice", "Marker": page["Marker"]});
    let rest = ok(&acct, "ListSSHPublicKeys", rest);
    assert_eq!(rest["SSHPublicKeys"].as_array().unwrap().len(), 2);
}

#[test]
fn signing_certificate_lifecycle_and_refusals() {
    let acct = with_users(&["alice", "bob"]);
    let upload = |user: Option<&str>, body: &str| {
        let mut input = json!({ "CertificateBody": body });
        if let Some(user) = user {
            input["UserName"] = json!(user);
        }
        iam(&acct, &root(), "UploadSigningCertificate", input)
    };
    let cert = upload(Some("alice"), CERT_1).unwrap()["Certificate"].clone();
    assert_eq!(cert["CertificateId"], "MHNPUO35USQ5BYGF5Y2QXIHHYKHN4XOD");
    assert_eq!(cert["UserName"], "alice");
    assert_eq!(cert["CertificateBody"], CERT_1.trim());
    assert_eq!(cert["Status"], "Active");

    // The same certificate anywhere in the account; two per user.
    let code = |r: Result<Value, IamError>| r.map_err(|e| (e.code, e.status)).err();
    assert_eq!(
        code(upload(Some("bob"), CERT_1)),
        Some(("DuplicateCertificate", 409))
    );
    upload(Some("alice"), CERT_2).unwrap();
    let e = upload(Some("alice"), CERT_3).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "LimitExceeded",
            "Cannot exceed quota for CertificatesPerUser: 2"
        )
    );
    assert_eq!(
        code(upload(Some("bob"), CERT_EXPIRED)),
        Some(("MalformedCertificate", 400))
    );
    // A body that is no certificate is echoed, as AWS does, unless it holds a private key.
    let e = upload(Some("bob"), KEY_B_PEM).unwrap_err();
    assert_eq!(
        (e.code, e.message),
        (
            "MalformedCertificate",
            format!("Certificate {KEY_B_PEM} is malformed.")
        )
    );
    let private = include_str!("../../../../../fixtures/server-certs/leaf-key.pkcs8.pem");
    let e = upload(Some("bob"), private).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "MalformedCertificate",
            "Unable to parse certificate. Please ensure the certificate is in PEM format."
        )
    );
    assert_eq!(
        code(upload(Some("carol"), CERT_3)),
        Some(("NoSuchEntity", 404))
    );

    // Without UserName: the caller's own, the root user's here (named by the account id).
    let mine = upload(None, CERT_3).unwrap()["Certificate"].clone();
    assert_eq!(mine["UserName"], ACCOUNT_ID);
    let roots = ok(&acct, "ListSigningCertificates", json!({}));
    assert_eq!(roots["Certificates"].as_array().unwrap().len(), 1);
    let alices = ok(
        &acct,
        "ListSigningCertificates",
        json!({"UserName": "alice"}),
    );
    assert_eq!(alices["Certificates"].as_array().unwrap().len(), 2);

    let id = cert["CertificateId"].clone();
    let update = json!({"UserName": "alice", "CertificateId": id, "Status": "Inactive"});
    ok(&acct, "UpdateSigningCertificate", update);
    let alices = ok(
        &acct,
        "ListSigningCertificates",
        json!({"UserName": "alice"}),
    );
    let listed = alices["Certificates"].as_array().unwrap();
    assert!(listed
        .iter()
        .any(|c| c["CertificateId"] == id && c["Status"] == "Inactive"));
    // Not root's: the same id under another owner is not found.
    let as_root = json!({"CertificateId": id});
    let (code, status, message) = fails(&acct, "DeleteSigningCertificate", as_root);
    assert_eq!((code, status), ("NoSuchEntity", 404), "{message}");
    ok(
        &acct,
        "DeleteSigningCertificate",
        json!({"UserName": "alice", "CertificateId": id}),
    );
    // Freed: the certificate may now go to bob.
    upload(Some("bob"), CERT_1).unwrap();
}

fn create_credential(acct: &Account, user: &str, service: &str) -> Result<Value, IamError> {
    let input = json!({"UserName": user, "ServiceName": service});
    iam(acct, &root(), "CreateServiceSpecificCredential", input)
        .map(|out| out["ServiceSpecificCredential"].clone())
}

#[test]
fn service_specific_credentials() {
    let acct = with_users(&["alice", "bob"]);
    let git = "codecommit.amazonaws.com";
    let first = create_credential(&acct, "alice", git).unwrap();
    let id = first["ServiceSpecificCredentialId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("ACCA") && id.len() == 21, "{id}");
    assert_eq!(first["ServiceUserName"], format!("alice-at-{ACCOUNT_ID}"));
    assert_eq!(
        (first["UserName"].clone(), first["Status"].clone()),
        (json!("alice"), json!("Active"))
    );
    let password = first["ServicePassword"].as_str().unwrap().to_string();
    assert_eq!(password.len(), 60);

    // Sealed at rest, and opened it is the password given.
    let stored = acct
        .snapshot()
        .service_credentials
        .get(&id)
        .unwrap()
        .clone();
    assert!(!stored.sealed_password.contains(&password));
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(&stored.sealed_password)
        .unwrap();
    let opened = acct.sealing.open(&sealed, id.as_bytes()).unwrap();
    assert_eq!(opened.as_slice(), password.as_bytes());

    let second = create_credential(&acct, "alice", git).unwrap();
    assert_eq!(
        second["ServiceUserName"],
        format!("alice+1-at-{ACCOUNT_ID}")
    );
    let e = create_credential(&acct, "alice", git).unwrap_err();
    assert_eq!((e.code, e.status), ("LimitExceeded", 409));
    // The quota is per service.
    create_credential(&acct, "alice", "cassandra.amazonaws.com").unwrap();
    create_credential(&acct, "bob", git).unwrap();
    let e = create_credential(&acct, "alice", "s3.amazonaws.com").unwrap_err();
    assert_eq!(
        (e.code, e.status, e.message.as_str()),
        (
            "NoSuchEntity",
            404,
            "No such service s3.amazonaws.com is supported for Service Specific Credentials"
        )
    );
    let aged = json!({"UserName": "alice", "ServiceName": git, "CredentialAgeDays": 30});
    assert_eq!(
        fails(&acct, "CreateServiceSpecificCredential", aged).0,
        "InvalidInput"
    );

    let list = |input: Value| {
        let out = ok(&acct, "ListServiceSpecificCredentials", input);
        assert!(!out.to_string().contains("ServicePassword"));
        out["ServiceSpecificCredentials"].as_array().unwrap().len()
    };
    assert_eq!(list(json!({"UserName": "alice"})), 3);
    assert_eq!(list(json!({"UserName": "alice", "ServiceName": git})), 2);
    assert_eq!(list(json!({"AllUsers": true, "ServiceName": git})), 3);
    assert_eq!(list(json!({})), 0);
    let both = json!({"AllUsers": true, "UserName": "alice"});
    assert_eq!(
        fails(&acct, "ListServiceSpecificCredentials", both).0,
        "InvalidInput"
    );

    // Reset: a new password, returned once.
    let reset = json!({"UserName": "alice", "ServiceSpecificCredentialId": id});
    let out = ok(&acct, "ResetServiceSpecificCredential", reset);
    let new_password = out["ServiceSpecificCredential"]["ServicePassword"]
        .as_str()
        .unwrap();
    assert_eq!(new_password.len(), 60);
    assert_ne!(new_password, password);

    let update =
        json!({"UserName": "alice", "ServiceSpecificCredentialId": id, "Status": "Inactive"});
    ok(&acct, "UpdateServiceSpecificCredential", update);
    assert_eq!(
        acct.snapshot()
            .service_credentials
            .get(&id)
            .unwrap()
            .status
            .as_str(),
        "Inactive"
    );
    let bobs = json!({"UserName": "bob", "ServiceSpecificCredentialId": id});
    let missing = format!("No such credential {id} exists");
    assert_eq!(
        fails(&acct, "DeleteServiceSpecificCredential", bobs),
        ("NoSuchEntity", 404, missing)
    );
    ok(
        &acct,
        "DeleteServiceSpecificCredential",
        json!({"UserName": "alice", "ServiceSpecificCredentialId": id}),
    );
    assert_eq!(list(json!({"UserName": "alice"})), 2);
}

#[test]
fn delete_user_refuses_while_any_remain_and_rename_carries_them() {
    let acct = with_users(&["alice"]);
    let conflict = || fails(&acct, "DeleteUser", json!({"UserName": "alice"}));
    let expected = (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove referenced objects first.".to_string(),
    );
    let key = upload_key(&acct, "alice", KEY_A).unwrap()["SSHPublicKey"]["SSHPublicKeyId"].clone();
    let cert = json!({"UserName": "alice", "CertificateBody": CERT_1});
    let cert = ok(&acct, "UploadSigningCertificate", cert)["Certificate"]["CertificateId"].clone();
    let cred = create_credential(&acct, "alice", "codecommit.amazonaws.com").unwrap();
    let cred = cred["ServiceSpecificCredentialId"].clone();
    assert_eq!(conflict(), expected);

    ok(
        &acct,
        "UpdateUser",
        json!({"UserName": "alice", "NewUserName": "alicia"}),
    );
    let renamed = |action: &str, list: &str| {
        ok(&acct, action, json!({"UserName": "alicia"}))[list]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(renamed("ListSSHPublicKeys", "SSHPublicKeys"), 1);
    assert_eq!(renamed("ListSigningCertificates", "Certificates"), 1);
    assert_eq!(
        renamed(
            "ListServiceSpecificCredentials",
            "ServiceSpecificCredentials"
        ),
        1
    );
    let conflict = || fails(&acct, "DeleteUser", json!({"UserName": "alicia"}));

    ok(
        &acct,
        "DeleteSSHPublicKey",
        json!({"UserName": "alicia", "SSHPublicKeyId": key}),
    );
    assert_eq!(conflict(), expected);
    ok(
        &acct,
        "DeleteSigningCertificate",
        json!({"UserName": "alicia", "CertificateId": cert}),
    );
    assert_eq!(conflict(), expected);
    ok(
        &acct,
        "DeleteServiceSpecificCredential",
        json!({"UserName": "alicia", "ServiceSpecificCredentialId": cred}),
    );
    ok(&acct, "DeleteUser", json!({"UserName": "alicia"}));
}

#[test]
fn seed000_lets_users_manage_their_own_credentials_with_mfa_only() {
    let (acct, _) = account();
    for name in ["alice", "bob"] {
        ok(&acct, "CreateUser", json!({ "UserName": name }));
    }
    let policy = ok(
        &acct,
        "CreatePolicy",
        json!({"PolicyName": "seed000", "PolicyDocument": SEED000}),
    );
    let attach = json!({"UserName": "alice", "PolicyArn": policy["Policy"]["Arn"]});
    ok(&acct, "AttachUserPolicy", attach);
    let now = acct.now();
    let mfa = MfaInfo {
        present: true,
        authenticated_at: Some(now),
    };
    let alice = user(&acct, "alice", Some(mfa));
    let upload = |who: &str| {
        let input = json!({"UserName": who, "SSHPublicKeyBody": KEY_A});
        iam(&acct, &alice, "UploadSSHPublicKey", input)
    };
    let own = upload("alice").unwrap();
    let id = own["SSHPublicKey"]["SSHPublicKeyId"].clone();
    let e = upload("bob").unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("iam:UploadSSHPublicKey on resource: arn:aws:iam::111122223333:user/bob"),
        "{}",
        e.message
    );
    iam(&acct, &alice, "ListSSHPublicKeys", json!({})).unwrap();
    let get = json!({"UserName": "alice", "SSHPublicKeyId": id, "Encoding": "PEM"});
    iam(&acct, &alice, "GetSSHPublicKey", get).unwrap();
    let cert = json!({"CertificateBody": CERT_1});
    let cert = iam(&acct, &alice, "UploadSigningCertificate", cert).unwrap();
    assert_eq!(cert["Certificate"]["UserName"], "alice");
    let git = json!({"UserName": "alice", "ServiceName": "codecommit.amazonaws.com"});
    iam(&acct, &alice, "CreateServiceSpecificCredential", git).unwrap();
    iam(&acct, &alice, "ListServiceSpecificCredentials", json!({})).unwrap();
    // Everyone's credentials are not hers to list.
    let all = json!({"AllUsers": true});
    let e = iam(&acct, &alice, "ListServiceSpecificCredentials", all).unwrap_err();
    assert_eq!(e.code, "AccessDenied");

    // Signed with long-term keys (no MFA), seed 000 denies all of it.
    let no_mfa = user(&acct, "alice", None);
    let e = iam(&acct, &no_mfa, "ListSSHPublicKeys", json!({})).unwrap_err();
    assert!(e.message.contains("with an explicit deny"), "{}", e.message);
    let delete = json!({"UserName": "alice", "SSHPublicKeyId": id});
    assert_eq!(
        iam(&acct, &no_mfa, "DeleteSSHPublicKey", delete.clone())
            .unwrap_err()
            .code,
        "AccessDenied"
    );
    iam(&acct, &alice, "DeleteSSHPublicKey", delete).unwrap();
}
