use serde_json::json;

use super::*;
use crate::Service;

fn cloudtrail() -> &'static ServiceModel {
    ServiceModel::get(Service::CloudTrail)
}

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

#[test]
fn the_target_names_the_operation() {
    for target in [TARGET, "CloudTrail_20131101.LookupEvents"] {
        assert_eq!(
            operation_of_target(cloudtrail(), target).unwrap(),
            "LookupEvents"
        );
    }
    for bad in [
        "LookupEvents",
        "Other_20131101.LookupEvents",
        ".LookupEvents",
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.NoSuchThing",
        "com.example.Other.LookupEvents",
    ] {
        let e = operation_of_target(cloudtrail(), bad).unwrap_err();
        assert_eq!(e.code, "UnknownOperationException", "{bad}");
    }
}

#[test]
fn input_follows_the_model_with_timestamps_as_iso_text() {
    let body =
        br#"{"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}],
        "StartTime": 1700000000.5, "EndTime": "2023-11-15T00:00:00Z", "MaxResults": 5,
        "NextToken": null, "Unknown": 1}"#;
    let input = decode_json_request(cloudtrail(), "LookupEvents", body).unwrap();
    assert_eq!(
        input,
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}],
               "StartTime": "2023-11-14T22:13:20Z", "EndTime": "2023-11-15T00:00:00Z",
               "MaxResults": 5})
    );
    assert_eq!(
        decode_json_request(cloudtrail(), "LookupEvents", b"").unwrap(),
        json!({})
    );
}

#[test]
fn a_body_that_does_not_fit_the_model_is_a_serialization_exception() {
    for body in [
        &b"{"[..],
        br#"{"MaxResults": "5"}"#,
        br#"{"MaxResults": 1.5}"#,
        br#"{"LookupAttributes": {"AttributeKey": "EventName"}}"#,
        br#"{"StartTime": true}"#,
        br#"[]"#,
    ] {
        let e = decode_json_request(cloudtrail(), "LookupEvents", body).unwrap_err();
        assert_eq!(
            e.code,
            "SerializationException",
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(e.status, 400);
    }
}

#[test]
fn output_timestamps_are_unix_seconds_and_unknown_members_left_out() {
    let output = json!({"Events": [{"EventId": "e1", "EventTime": "2023-11-14T22:13:20Z",
        "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}],
        "Internal": "x"}], "NextToken": "t"});
    let body = encode_json_response(cloudtrail(), "LookupEvents", &output).unwrap();
    let parsed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        parsed,
        json!({"Events": [{"EventId": "e1", "EventTime": 1700000000,
            "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}]}],
            "NextToken": "t"})
    );
}

#[test]
fn errors_are_type_and_message() {
    let body: Value =
        serde_json::from_str(&encode_json_error("InvalidTimeRangeException", "m")).unwrap();
    assert_eq!(
        body,
        json!({"__type": "InvalidTimeRangeException", "message": "m"})
    );
}
