#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;

fn args(event_name: Option<&str>, user: Option<&str>) -> EventsArgs {
    EventsArgs {
        endpoint_url: "http://127.0.0.1:8080".into(),
        since: Some(1_700_000_000),
        until: None,
        event_name: event_name.map(str::to_string),
        user: user.map(str::to_string),
        out: None,
        region: "us-east-1".into(),
    }
}

#[test]
fn times_are_iso_8601_dates_or_unix_seconds() {
    assert_eq!(parse_time("1700000000").unwrap(), 1_700_000_000);
    assert_eq!(parse_time("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000);
    assert_eq!(parse_time("2023-11-14").unwrap(), 1_699_920_000);
    assert!(parse_time("yesterday").is_err());
}

#[test]
fn the_lookup_takes_one_attribute_the_event_name_first() {
    assert_eq!(
        first_request(&args(Some("CreateUser"), Some("bob"))),
        json!({"MaxResults": 50, "StartTime": 1_700_000_000,
               "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]})
    );
    assert_eq!(
        first_request(&args(None, Some("bob")))["LookupAttributes"],
        json!([{"AttributeKey": "Username", "AttributeValue": "bob"}])
    );
    assert_eq!(
        first_request(&args(None, None)).get("LookupAttributes"),
        None
    );
}
