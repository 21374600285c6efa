//! Operations called as the server would, against an account in memory.

use serde_json::json;

use crate::testing::{account, call, root, user};

#[test]
fn users_lifecycle_and_errors() {
    let (acct, _) = account();
    let r = root();
    let out = call(
        &acct,
        &r,
        "iam",
        "CreateUser",
        json!({"UserName": "alice", "Path": "/dev/"}),
    )
    .unwrap();
    assert_eq!(
        out["User"]["Arn"],
        "arn:aws:iam::111122223333:user/dev/alice"
    );
    assert!(out["User"]["UserId"].as_str().unwrap().starts_with("AIDA"));
    let dup = call(&acct, &r, "iam", "CreateUser", json!({"UserName": "ALICE"})).unwrap_err();
    assert_eq!(
        (dup.code, dup.status, dup.message.as_str()),
        (
            "EntityAlreadyExists",
            409,
            "User with name ALICE already exists."
        )
    );
    let got = call(&acct, &r, "iam", "GetUser", json!({"UserName": "Alice"})).unwrap();
    assert_eq!(got["User"]["UserName"], "alice");
    let missing = call(&acct, &r, "iam", "GetUser", json!({"UserName": "bob"})).unwrap_err();
    assert_eq!(
        (missing.code, missing.message.as_str()),
        ("NoSuchEntity", "The user with name bob cannot be found.")
    );
    for i in 0..3 {
        call(
            &acct,
            &r,
            "iam",
            "CreateUser",
            json!({"UserName": format!("u{i}")}),
        )
        .unwrap();
    }
    let page = call(&acct, &r, "iam", "ListUsers", json!({"MaxItems": 2})).unwrap();
    assert_eq!(page["Users"].as_array().unwrap().len(), 2);
    assert_eq!(page["IsTruncated"], true);
    let rest = call(
        &acct,
        &r,
        "iam",
        "ListUsers",
        json!({"Marker": page["Marker"]}),
    )
    .unwrap();
    assert_eq!(rest["Users"].as_array().unwrap().len(), 2);
    assert_eq!(rest["IsTruncated"], false);
    let key = call(
        &acct,
        &r,
        "iam",
        "CreateAccessKey",
        json!({"UserName": "alice"}),
    )
    .unwrap();
    let conflict = call(&acct, &r, "iam", "DeleteUser", json!({"UserName": "alice"})).unwrap_err();
    assert_eq!(conflict.code, "DeleteConflict");
    let id = key["AccessKey"]["AccessKeyId"].clone();
    call(
        &acct,
        &r,
        "iam",
        "DeleteAccessKey",
        json!({"UserName": "alice", "AccessKeyId": id}),
    )
    .unwrap();
    call(&acct, &r, "iam", "DeleteUser", json!({"UserName": "alice"})).unwrap();
}

#[test]
fn users_without_policies_are_denied_with_aws_wording() {
    let (acct, _) = account();
    call(
        &acct,
        &root(),
        "iam",
        "CreateUser",
        json!({"UserName": "bob"}),
    )
    .unwrap();
    let bob = user(&acct, "bob", None);
    let e = call(&acct, &bob, "iam", "ListUsers", json!({})).unwrap_err();
    assert_eq!((e.code, e.status), ("AccessDenied", 403));
    assert!(e.message.starts_with("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111122223333:user/ because no identity-based policy allows the iam:ListUsers action"), "{}", e.message);
    // GetCallerIdentity needs no permission.
    let me = call(&acct, &bob, "sts", "GetCallerIdentity", json!({})).unwrap();
    assert_eq!(me["Arn"], "arn:aws:iam::111122223333:user/bob");
}

#[test]
fn failed_calls_and_reads_are_audited_after_the_write_with_their_error() {
    let (acct, _) = account();
    call(
        &acct,
        &root(),
        "iam",
        "CreateUser",
        json!({"UserName": "bob"}),
    )
    .unwrap();
    let bob = user(&acct, "bob", None);
    call(&acct, &bob, "iam", "ListUsers", json!({})).unwrap_err();
    call(&acct, &bob, "iam", "DeleteUser", json!({"UserName": "bob"})).unwrap_err();
    call(
        &acct,
        &root(),
        "iam",
        "GetUser",
        json!({"UserName": "nobody"}),
    )
    .unwrap_err();
    call(&acct, &root(), "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    // Kept in memory until the periodic flush.
    assert_eq!(acct.audit_events(10).unwrap().len(), 1);
    acct.flush_deferred().unwrap();
    let events: Vec<serde_json::Value> = acct
        .audit_events(10)
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let seen: Vec<(&str, &str, bool)> = events
        .iter()
        .map(|e| {
            (
                e["eventName"].as_str().unwrap(),
                e["errorCode"].as_str().unwrap_or("-"),
                e["readOnly"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("GetUser", "-", true),
            ("GetUser", "NoSuchEntityException", true),
            ("DeleteUser", "AccessDenied", false),
            ("ListUsers", "AccessDenied", true),
            ("CreateUser", "-", false),
        ]
    );
    assert_eq!(events[2]["userIdentity"]["userName"], "bob");
    assert!(events[2]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("is not authorized to perform: iam:DeleteUser"));
    // Flushed once.
    acct.flush_deferred().unwrap();
    assert_eq!(acct.audit_events(10).unwrap().len(), 5);
}

#[test]
fn writes_record_their_response_without_secrets_and_reads_none() {
    let (acct, _) = account();
    let r = root();
    call(&acct, &r, "iam", "CreateUser", json!({"UserName": "bob"})).unwrap();
    let key = call(
        &acct,
        &r,
        "iam",
        "CreateAccessKey",
        json!({"UserName": "bob"}),
    )
    .unwrap();
    let bob = user(&acct, "bob", None);
    let session = call(&acct, &bob, "sts", "GetSessionToken", json!({})).unwrap();
    call(&acct, &r, "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    acct.flush_deferred().unwrap();
    let records = acct.audit_events(10).unwrap();
    let secrets = [
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
        session["Credentials"]["SecretAccessKey"].as_str().unwrap(),
        session["Credentials"]["SessionToken"].as_str().unwrap(),
    ];
    for record in &records {
        for secret in secrets {
            assert!(!record.body.contains(secret), "{}", record.body);
        }
    }
    let response = |name: &str| -> serde_json::Value {
        let record = records.iter().find(|r| r.event_name == name).unwrap();
        serde_json::from_str::<serde_json::Value>(&record.body).unwrap()["responseElements"].clone()
    };
    let created = response("CreateUser");
    assert_eq!(created["user"]["userName"], "bob");
    assert!(created["user"]["createDate"]
        .as_str()
        .unwrap()
        .ends_with('M'));
    let access_key = response("CreateAccessKey");
    assert_eq!(
        access_key["accessKey"]["accessKeyId"],
        key["AccessKey"]["AccessKeyId"]
    );
    assert_eq!(access_key["accessKey"]["status"], "Active");
    assert!(access_key["accessKey"].get("secretAccessKey").is_none());
    let credentials = response("GetSessionToken");
    assert_eq!(
        credentials["credentials"]["accessKeyId"],
        session["Credentials"]["AccessKeyId"]
    );
    assert!(credentials["credentials"]["expiration"].is_string());
    assert_eq!(response("GetUser"), serde_json::Value::Null);
}

#[test]
fn with_read_auditing_off_only_successful_reads_go_unrecorded() {
    let (acct, _) = account();
    acct.set_audit_reads(false);
    call(
        &acct,
        &root(),
        "iam",
        "CreateUser",
        json!({"UserName": "bob"}),
    )
    .unwrap();
    call(&acct, &root(), "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    call(
        &acct,
        &root(),
        "iam",
        "GetUser",
        json!({"UserName": "nobody"}),
    )
    .unwrap_err();
    acct.flush_deferred().unwrap();
    let names: Vec<(String, bool)> = acct
        .audit_events(10)
        .unwrap()
        .iter()
        .map(|r| (r.event_name.clone(), r.body.contains("\"errorCode\"")))
        .collect();
    assert_eq!(
        names,
        [
            ("GetUser".to_string(), true),
            ("CreateUser".to_string(), false)
        ]
    );
    acct.set_audit_reads(true);
    call(&acct, &root(), "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    acct.flush_deferred().unwrap();
    assert_eq!(acct.audit_events(10).unwrap().len(), 3);
}

#[test]
fn access_key_quota_and_secret_sealing() {
    let (acct, _) = account();
    let r = root();
    call(&acct, &r, "iam", "CreateUser", json!({"UserName": "carol"})).unwrap();
    let k1 = call(
        &acct,
        &r,
        "iam",
        "CreateAccessKey",
        json!({"UserName": "carol"}),
    )
    .unwrap();
    call(
        &acct,
        &r,
        "iam",
        "CreateAccessKey",
        json!({"UserName": "carol"}),
    )
    .unwrap();
    let e = call(
        &acct,
        &r,
        "iam",
        "CreateAccessKey",
        json!({"UserName": "carol"}),
    )
    .unwrap_err();
    assert_eq!(e.message, "Cannot exceed quota for AccessKeysPerUser: 2");
    let id = k1["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let secret = k1["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    let state = acct.snapshot();
    let stored = state.access_keys.get(id).unwrap();
    assert!(!stored.sealed_secret.contains(secret));
    let opened = crate::unseal_secret(&acct, stored).unwrap();
    assert_eq!(opened.as_slice(), secret.as_bytes());
    let listed = call(
        &acct,
        &r,
        "iam",
        "ListAccessKeys",
        json!({"UserName": "carol"}),
    )
    .unwrap();
    assert_eq!(listed["AccessKeyMetadata"].as_array().unwrap().len(), 2);
    assert!(
        listed.to_string().find(secret).is_none(),
        "secrets are returned only at creation"
    );
}

#[test]
fn calls_whose_input_was_refused_are_recorded_without_parameters() {
    let (acct, _) = account();
    let op = crate::ops::find("iam", "CreateUser").unwrap();
    let error = crate::IamError::validation("1 validation error detected: ...");
    crate::ops::audit_refused_input(&acct, &root(), op, &error, "req-1", "aws-cli/1");
    acct.flush_deferred().unwrap();
    let events = acct.audit_events(10).unwrap();
    assert_eq!(events.len(), 1);
    let record: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(record["eventName"], "CreateUser");
    assert_eq!(record["errorCode"], "ValidationErrorException");
    assert_eq!(record["requestParameters"], serde_json::Value::Null);
    assert_eq!(record["userAgent"], "aws-cli/1");
    assert_eq!(record["readOnly"], false);
}
