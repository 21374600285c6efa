use std::time::Duration;

use serde_json::json;

use super::*;
use crate::testing::{account, call, root};

#[test]
fn records_older_than_the_retention_period_are_deleted_by_the_accounts_clock() {
    let (acct, clock) = account();
    let r = root();
    call(&acct, &r, "iam", "CreateUser", json!({"UserName": "old"})).unwrap();
    call(&acct, &r, "iam", "GetUser", json!({"UserName": "old"})).unwrap();
    acct.flush_deferred().unwrap();
    clock.advance(Duration::from_secs(60 * 86_400));
    for i in 0..1_500 {
        let user = format!("u{i}");
        call(&acct, &r, "iam", "GetUser", json!({"UserName": user})).unwrap_err();
    }
    call(&acct, &r, "iam", "CreateUser", json!({"UserName": "new"})).unwrap();
    acct.flush_deferred().unwrap();
    assert_eq!(
        expire_audit_records(&acct, 90).unwrap(),
        0,
        "nothing is 90 days old yet"
    );

    // 31 days later the first two records are 91 days old; the others 31.
    clock.advance(Duration::from_secs(31 * 86_400));
    assert_eq!(expire_audit_records(&acct, 90).unwrap(), 2);
    let left = acct.audit_events(usize::MAX).unwrap();
    assert_eq!(left.len(), 1_501);
    assert!(left.iter().all(|r| !r.body.contains(r#""userName":"old""#)));
    // A shorter retention takes the rest, more than one batch.
    assert_eq!(expire_audit_records(&acct, 30).unwrap(), 1_501);
    assert!(acct.audit_events(10).unwrap().is_empty());
}
