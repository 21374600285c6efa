//! CloudTrail's LookupEvents over the records of reads, writes, denials and other sources.

use serde_json::{json, Value};

use crate::account::Account;
use crate::store::AuditRecord;
use crate::testing::{account, call, root, user};

fn lookup(acct: &Account, input: Value) -> Value {
    call(acct, &root(), "cloudtrail", "LookupEvents", input).unwrap()
}

fn by(key: &str, value: &str) -> Value {
    json!({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]})
}

/// The event names of a lookup's answer, leaving out the lookups themselves (each is a read
/// the trail records, seen by the next lookup).
fn names(events: &Value) -> Vec<String> {
    events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventName"].as_str().unwrap().to_string())
        .filter(|name| name != "LookupEvents")
        .collect()
}

fn record_of(event: &Value) -> Value {
    serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap()
}

/// Bob (no permissions) and a key for him; the root user reads him once; bob is denied once.
fn history() -> Account {
    let (acct, clock) = account();
    let r = root();
    call(&acct, &r, "iam", "CreateUser", json!({"UserName": "bob"})).unwrap();
    clock.advance(std::time::Duration::from_secs(1));
    call(&acct, &r, "iam", "GetUser", json!({"UserName": "bob"})).unwrap();
    clock.advance(std::time::Duration::from_secs(1));
    let denied = call(
        &acct,
        &user(&acct, "bob", None),
        "iam",
        "ListUsers",
        json!({}),
    );
    assert_eq!(denied.unwrap_err().code, "AccessDenied");
    clock.advance(std::time::Duration::from_secs(1));
    acct.flush_deferred().unwrap();
    acct
}

#[test]
fn reads_writes_and_denials_are_found_newest_first() {
    let acct = history();
    let all = lookup(&acct, json!({}));
    assert_eq!(names(&all), ["ListUsers", "GetUser", "CreateUser"]);

    let created = lookup(&acct, by("EventName", "CreateUser"));
    let event = &created["Events"][0];
    assert_eq!(event["ReadOnly"], "false");
    assert_eq!(event["Username"], "root");
    assert_eq!(event["EventSource"], "iam.amazonaws.com");
    assert_eq!(event["AccessKeyId"], "AKIAROOTROOTROOTROOT");
    assert_eq!(
        event["Resources"],
        json!([{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}])
    );
    let record = record_of(event);
    assert_eq!(record["eventID"], event["EventId"]);
    assert_eq!(record["eventType"], "AwsApiCall");

    let read = &lookup(&acct, by("EventName", "GetUser"))["Events"][0];
    assert_eq!(read["ReadOnly"], "true");
    let record = record_of(read);
    for (field, value) in [
        ("eventVersion", json!("1.11")),
        ("eventSource", json!("iam.amazonaws.com")),
        ("awsRegion", json!("us-east-1")),
        ("readOnly", json!(true)),
        ("managementEvent", json!(true)),
        ("eventCategory", json!("Management")),
        ("recipientAccountId", json!("111122223333")),
        ("requestID", json!("test-request")),
        ("responseElements", Value::Null),
    ] {
        assert_eq!(record[field], value, "{field}: {record}");
    }
    assert_eq!(record["userIdentity"]["type"], "Root");
    assert_eq!(record["requestParameters"], json!({"userName": "bob"}));

    let denied = &lookup(&acct, by("Username", "bob"))["Events"][0];
    let record = record_of(denied);
    assert_eq!(record["eventName"], "ListUsers");
    assert_eq!(record["errorCode"], "AccessDenied");
}

#[test]
fn every_lookup_attribute_narrows_the_events() {
    let acct = history();
    let event_id = lookup(&acct, by("EventName", "GetUser"))["Events"][0]["EventId"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        ("EventId", event_id.as_str(), vec!["GetUser"]),
        ("EventName", "CreateUser", vec!["CreateUser"]),
        ("ReadOnly", "true", vec!["ListUsers", "GetUser"]),
        ("ReadOnly", "false", vec!["CreateUser"]),
        ("Username", "root", vec!["GetUser", "CreateUser"]),
        (
            "ResourceType",
            "AWS::IAM::User",
            vec!["GetUser", "CreateUser"],
        ),
        ("ResourceType", "AWS::IAM::Role", vec![]),
        ("ResourceName", "bob", vec!["GetUser", "CreateUser"]),
        (
            "EventSource",
            "iam.amazonaws.com",
            vec!["ListUsers", "GetUser", "CreateUser"],
        ),
        ("EventSource", "sts.amazonaws.com", vec![]),
        ("AccessKeyId", "AKIATESTTESTTESTTEST", vec!["ListUsers"]),
    ];
    for (key, value, expected) in cases {
        assert_eq!(
            names(&lookup(&acct, by(key, value))),
            expected,
            "{key}={value}"
        );
    }
}

#[test]
fn time_ranges_are_inclusive() {
    let acct = history();
    let t0 = 1_795_423_481;
    let window = |start: i64, end: i64| json!({"StartTime": crate::time::iso8601(start), "EndTime": crate::time::iso8601(end)});
    assert_eq!(
        names(&lookup(&acct, window(t0 + 1, t0 + 2))),
        ["ListUsers", "GetUser"]
    );
    assert_eq!(names(&lookup(&acct, window(t0, t0))), ["CreateUser"]);
    assert!(names(&lookup(&acct, window(t0 + 3, t0 + 9))).is_empty());
}

#[test]
fn pages_follow_next_tokens_which_only_open_for_their_lookup() {
    let (acct, clock) = account();
    let r = root();
    for _ in 0..120 {
        call(&acct, &r, "iam", "GetAccountSummary", json!({})).unwrap();
        clock.advance(std::time::Duration::from_secs(1));
    }
    acct.flush_deferred().unwrap();
    let query = by("EventName", "GetAccountSummary");
    let mut seen = Vec::new();
    let mut input = query.clone();
    loop {
        let page = lookup(&acct, input.clone());
        let events = page["Events"].as_array().unwrap();
        assert!(events.len() <= 50);
        seen.extend(
            events
                .iter()
                .map(|e| e["EventTime"].as_str().unwrap().to_string()),
        );
        let Some(token) = page["NextToken"].as_str() else {
            break;
        };
        input["NextToken"] = json!(token);
    }
    assert_eq!(seen.len(), 120);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first across pages");

    let first = lookup(
        &acct,
        json!({"LookupAttributes": query["LookupAttributes"], "MaxResults": 7}),
    );
    let token = first["NextToken"].as_str().unwrap().to_string();
    assert_eq!(first["Events"].as_array().unwrap().len(), 7);
    // Another lookup's token, a changed token, garbage.
    let mut tampered = token.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    for (input, why) in [
        (json!({"NextToken": token}), "another lookup"),
        (
            json!({"LookupAttributes": query["LookupAttributes"],
                   "NextToken": String::from_utf8(tampered).unwrap()}),
            "changed",
        ),
        (json!({"NextToken": "not a token"}), "garbage"),
    ] {
        let err = call(&acct, &r, "cloudtrail", "LookupEvents", input).unwrap_err();
        assert_eq!(
            (err.code, err.status),
            ("InvalidNextTokenException", 400),
            "{why}"
        );
    }
}

#[test]
fn bad_input_gets_cloudtrails_exceptions() {
    let (acct, _) = account();
    let two = json!({"LookupAttributes": [
        {"AttributeKey": "EventName", "AttributeValue": "CreateUser"},
        {"AttributeKey": "Username", "AttributeValue": "bob"}]});
    let cases = [
        (two, "InvalidLookupAttributesException"),
        (by("Colour", "blue"), "InvalidLookupAttributesException"),
        (by("EventName", ""), "InvalidLookupAttributesException"),
        (by("ReadOnly", "maybe"), "InvalidLookupAttributesException"),
        (
            json!({"StartTime": "2026-11-23T10:00:00Z", "EndTime": "2026-11-23T09:00:00Z"}),
            "InvalidTimeRangeException",
        ),
        (json!({"MaxResults": 0}), "InvalidMaxResultsException"),
        (json!({"MaxResults": 51}), "InvalidMaxResultsException"),
        (
            json!({"EventCategory": "data"}),
            "InvalidEventCategoryException",
        ),
    ];
    for (input, code) in cases {
        let err = call(&acct, &root(), "cloudtrail", "LookupEvents", input.clone()).unwrap_err();
        assert_eq!((err.code, err.status), (code, 400), "{input}");
    }
    assert_eq!(
        lookup(&acct, json!({"EventCategory": "insight"})),
        json!({"Events": []})
    );
}

#[test]
fn callers_need_cloudtrail_lookup_events() {
    let acct = history();
    let bob = user(&acct, "bob", None);
    let err = call(&acct, &bob, "cloudtrail", "LookupEvents", json!({})).unwrap_err();
    assert_eq!(err.code, "AccessDenied");
    assert!(
        err.message.contains("cloudtrail:LookupEvents"),
        "{}",
        err.message
    );
    let r = root();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}]});
    call(
        &acct,
        &r,
        "iam",
        "PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "trail", "PolicyDocument": policy.to_string()}),
    )
    .unwrap();
    let found = call(
        &acct,
        &bob,
        "cloudtrail",
        "LookupEvents",
        by("EventName", "CreateUser"),
    );
    assert_eq!(names(&found.unwrap()), ["CreateUser"]);
}

/// Records of any event source are served: a console sign-in (written by the console)
/// is found by its source, name and user.
#[test]
fn sign_in_records_of_other_sources_are_served() {
    let (acct, _) = account();
    let body = json!({
        "eventVersion": "1.11", "eventID": "sign-in-1", "eventTime": "2026-11-23T08:44:41Z",
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
        "eventType": "AwsConsoleSignIn", "readOnly": false,
        "userIdentity": {"type": "IAMUser", "userName": "carol", "accessKeyId": ""},
        "requestParameters": null, "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {"MFAUsed": "Yes"},
    });
    let record = AuditRecord {
        event_id: "sign-in-1".into(),
        event_time: 1_795_423_481,
        event_name: "ConsoleLogin".into(),
        event_source: "signin.amazonaws.com".into(),
        username: "carol".into(),
        body: body.to_string(),
        lookup: Default::default(),
    };
    acct.audit_deferred(record).unwrap();
    acct.flush_deferred().unwrap();
    for (key, value) in [
        ("EventSource", "signin.amazonaws.com"),
        ("EventName", "ConsoleLogin"),
        ("Username", "carol"),
    ] {
        let found = lookup(&acct, by(key, value));
        let event = &found["Events"][0];
        assert_eq!(event["EventId"], "sign-in-1", "{key}");
        assert_eq!(event.get("AccessKeyId"), None);
        assert_eq!(record_of(event)["additionalEventData"]["MFAUsed"], "Yes");
    }
}
