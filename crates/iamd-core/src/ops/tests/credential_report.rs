//! The credential report, called as the server would.

use std::time::Duration;

use base64::Engine;
use serde_json::json;

use super::policies::{iam, ok};
use crate::testing::{account, user};

fn report_lines(acct: &crate::account::Account) -> Vec<String> {
    let got = ok(acct, "GetCredentialReport", json!({}));
    assert_eq!(got["ReportFormat"], "text/csv");
    let csv = base64::engine::general_purpose::STANDARD
        .decode(got["Content"].as_str().unwrap())
        .unwrap();
    String::from_utf8(csv)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn credential_report_lists_every_user_with_aws_columns_and_values() {
    let (acct, clock) = account();
    let e = iam(
        &acct,
        &crate::testing::root(),
        "GetCredentialReport",
        json!({}),
    )
    .unwrap_err();
    assert_eq!((e.code, e.status), ("ReportNotPresent", 410));

    ok(&acct, "CreateUser", json!({"UserName": "bob"}));
    ok(&acct, "CreateUser", json!({"UserName": "alice,admin"}));
    ok(
        &acct,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 90}),
    );
    ok(
        &acct,
        "CreateLoginProfile",
        json!({"UserName": "alice,admin", "Password": "First-Passw0rd"}),
    );
    let key = ok(&acct, "CreateAccessKey", json!({"UserName": "alice,admin"}));
    let key_id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &acct,
        "UpdateAccessKey",
        json!({"UserName": "alice,admin", "AccessKeyId": key_id, "Status": "Inactive"}),
    );
    clock.advance(Duration::from_secs(60));
    acct.record_key_use(&key_id, "iam", "us-east-1");

    let started = ok(&acct, "GenerateCredentialReport", json!({}));
    assert_eq!(started["State"], "STARTED");
    assert_eq!(
        started["Description"],
        "No report exists. Starting a new report generation task"
    );
    let lines = report_lines(&acct);
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines[0].starts_with("user,arn,user_creation_time,password_enabled,"));
    assert_eq!(lines[0].split(',').count(), 22);
    assert_eq!(
        lines[1],
        "<root_account>,arn:aws:iam::111122223333:root,N/A,not_supported,N/A,not_supported,\
         not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    );
    let created = "2026-11-23T08:44:41+00:00";
    let used = "2026-11-23T08:45:41+00:00";
    assert_eq!(
        lines[2],
        format!(
            "\"alice,admin\",\"arn:aws:iam::111122223333:user/alice,admin\",{created},true,\
             no_information,{created},2027-02-21T08:44:41+00:00,false,false,{created},{used},\
             us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        )
    );
    assert_eq!(
        lines[3],
        format!(
            "bob,arn:aws:iam::111122223333:user/bob,{created},false,N/A,N/A,N/A,false,false,\
             N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        )
    );

    // Within 4 hours the report is kept; after, a new one is made.
    ok(&acct, "CreateUser", json!({"UserName": "carol"}));
    let again = ok(&acct, "GenerateCredentialReport", json!({}));
    assert_eq!(again["State"], "COMPLETE");
    assert_eq!(report_lines(&acct).len(), 4);
    clock.advance(Duration::from_secs(4 * 3600));
    let later = ok(&acct, "GenerateCredentialReport", json!({}));
    assert_eq!(later["State"], "STARTED");
    assert!(later.get("Description").is_none());
    assert_eq!(report_lines(&acct).len(), 5);
}

#[test]
fn credential_report_needs_its_permissions() {
    let (acct, _) = account();
    ok(&acct, "CreateUser", json!({"UserName": "bob"}));
    let bob = user(&acct, "bob", None);
    for action in ["GenerateCredentialReport", "GetCredentialReport"] {
        let e = iam(&acct, &bob, action, json!({})).unwrap_err();
        assert_eq!(e.code, "AccessDenied", "{action}");
        assert!(
            e.message.contains(&format!("iam:{action} on resource: *")),
            "{}",
            e.message
        );
    }
}
