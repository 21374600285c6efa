#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::*;
use crate::form::parse_form;
use crate::model::Service;

fn iam() -> &'static ServiceModel {
    ServiceModel::get(Service::Iam)
}

fn decode(model: &ServiceModel, body: &str) -> Result<DecodedRequest, WireError> {
    decode_request(model, &parse_form(body.as_bytes())?)
}

fn message(model: &ServiceModel, body: &str) -> String {
    let e = decode(model, body).unwrap_err();
    assert_eq!(e.status, 400, "{e}");
    e.message
}

#[test]
fn create_user_with_path_and_tags() {
    let d = decode(
        iam(),
        "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F\
         &Tags.member.1.Key=env&Tags.member.1.Value=prod\
         &Tags.member.2.Key=team&Tags.member.2.Value=",
    )
    .unwrap();
    assert_eq!(d.action, "CreateUser");
    assert_eq!(d.version.as_deref(), Some("2010-05-08"));
    assert_eq!(
        d.input,
        json!({
            "UserName": "alice",
            "Path": "/team/",
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": ""}]
        })
    );
}

#[test]
fn put_user_policy_and_create_policy() {
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let enc: String = doc.bytes().map(|b| format!("%{b:02X}")).collect();
    let d = decode(
        iam(),
        &format!("Action=PutUserPolicy&UserName=bob&PolicyName=all&PolicyDocument={enc}"),
    )
    .unwrap();
    assert_eq!(
        d.input,
        json!({"UserName": "bob", "PolicyName": "all", "PolicyDocument": doc})
    );
    let d = decode(
        iam(),
        &format!(
            "Action=CreatePolicy&PolicyName=p1&Path=/a/b/&Description=d+1&PolicyDocument={enc}"
        ),
    )
    .unwrap();
    assert_eq!(d.input["Path"], "/a/b/");
    assert_eq!(d.input["Description"], "d 1");
    assert_eq!(d.input["PolicyDocument"], doc);
    assert_eq!(d.version, None);
}

#[test]
fn list_users_max_items_is_a_number() {
    let d = decode(iam(), "Action=ListUsers&MaxItems=100&Marker=abc").unwrap();
    assert_eq!(d.input, json!({"MaxItems": 100, "Marker": "abc"}));
    let d = decode(iam(), "Action=ListUsers").unwrap();
    assert_eq!(d.input, json!({}));
}

#[test]
fn no_input_operation_and_unknown_params() {
    let sts = ServiceModel::get(Service::Sts);
    let d = decode(sts, "Action=GetCallerIdentity&Version=2011-06-15&Foo=bar").unwrap();
    assert_eq!(d.input, json!({}));
    let d = decode(
        iam(),
        "Action=GetUser&X-Amz-Date=20260101T000000Z&X-Amz-Signature=abc&Bogus.member.1=x",
    )
    .unwrap();
    assert_eq!(d.input, json!({}));
}

#[test]
fn sts_get_session_token() {
    let sts = ServiceModel::get(Service::Sts);
    let d = decode(
        sts,
        "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600&SerialNumber=arn:aws:iam::123456789012:mfa/alice&TokenCode=123456",
    )
    .unwrap();
    assert_eq!(d.input["DurationSeconds"], 3600);
    assert_eq!(d.input["TokenCode"], "123456");
    assert_eq!(
        message(sts, "Action=GetSessionToken&DurationSeconds=60"),
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: \
         Member must have value greater than or equal to 900"
    );
}

#[test]
fn missing_required_member() {
    let e = decode(iam(), "Action=CreateUser").unwrap_err();
    assert_eq!(e.code, "ValidationError");
    assert_eq!(
        e.message,
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn string_length_and_pattern() {
    let long = "a".repeat(65);
    assert_eq!(
        message(iam(), &format!("Action=CreateUser&UserName={long}")),
        format!(
            "1 validation error detected: Value '{long}' at 'userName' failed to satisfy \
             constraint: Member must have length less than or equal to 64"
        )
    );
    assert_eq!(
        message(iam(), "Action=CreateUser&UserName="),
        "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: \
         Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value '' at 'userName' \
         failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        message(iam(), "Action=CreateUser&UserName=bad+name"),
        "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    );
}

#[test]
fn integer_range_and_type() {
    let m = |body| message(iam(), body);
    assert_eq!(
        m("Action=ListUsers&MaxItems=0"),
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: \
         Member must have value greater than or equal to 1"
    );
    assert_eq!(
        m("Action=ListUsers&MaxItems=1001"),
        "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: \
         Member must have value less than or equal to 1000"
    );
    assert_eq!(
        m("Action=ListUsers&MaxItems=abc"),
        "1 validation error detected: Value 'abc' at 'maxItems' failed to satisfy constraint: \
         Member must be a valid integer"
    );
    assert!(m("Action=ListUsers&MaxItems=99999999999").contains("'maxItems'"));
}

#[test]
fn enum_and_several_errors() {
    assert_eq!(
        message(
            iam(),
            "Action=UpdateAccessKey&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=On"
        ),
        "1 validation error detected: Value 'On' at 'status' failed to satisfy constraint: \
         Member must satisfy enum value set: [Active, Inactive, Expired]"
    );
    let msg = message(iam(), "Action=UpdateAccessKey&Status=On");
    assert!(
        msg.starts_with("2 validation errors detected: Value null at 'accessKeyId'"),
        "{msg}"
    );
    assert!(msg.contains("; Value 'On' at 'status'"), "{msg}");
}

#[test]
fn boolean_parsing() {
    let body =
        "Action=UpdateAccountPasswordPolicy&RequireSymbols=true&AllowUsersToChangePassword=FALSE";
    let d = decode(iam(), body).unwrap();
    assert_eq!(d.input["RequireSymbols"], true);
    assert_eq!(d.input["AllowUsersToChangePassword"], false);
    let msg = message(
        iam(),
        "Action=UpdateAccountPasswordPolicy&RequireSymbols=maybe",
    );
    assert!(msg.contains("Value 'maybe' at 'requireSymbols'"), "{msg}");
}

#[test]
fn nested_paths_name_list_members() {
    let msg = message(
        iam(),
        "Action=CreateUser&UserName=a&Tags.member.1.Key=bad*key&Tags.member.1.Value=v",
    );
    assert_eq!(
        msg,
        "1 validation error detected: Value 'bad*key' at 'tags.1.member.key' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    );
    let msg = message(iam(), "Action=CreateUser&UserName=a&Tags.member.1.Key=k");
    assert!(msg.contains("Value null at 'tags.1.member.value'"), "{msg}");
}

#[test]
fn list_indices_gaps_order_and_empty_list() {
    let d = decode(
        iam(),
        "Action=CreateUser&UserName=a&Tags.member.10.Key=c&Tags.member.10.Value=3\
         &Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1",
    )
    .unwrap();
    let keys: Vec<_> = d.input["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["a", "b", "c"]);
    let d = decode(iam(), "Action=CreateUser&UserName=a&Tags=").unwrap();
    assert_eq!(d.input["Tags"], json!([]));
    for bad in ["0", "x", "-1", "99999999999", "+1"] {
        let e = decode(
            iam(),
            &format!(
                "Action=CreateUser&UserName=a&Tags.member.{bad}.Key=k&Tags.member.{bad}.Value=v"
            ),
        )
        .unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert!(e.message.contains("Invalid list index"), "{}", e.message);
    }
}

#[test]
fn list_length_limit() {
    let body: String = (1..=51)
        .map(|i| format!("&Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v"))
        .collect();
    let msg = message(iam(), &format!("Action=CreateUser&UserName=a{body}"));
    assert_eq!(
        msg,
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: \
         Member must have length less than or equal to 50"
    );
}

#[test]
fn scalar_lists() {
    let d = decode(
        iam(),
        "Action=CreateOpenIDConnectProvider&Url=https://example.com\
         &ClientIDList.member.1=a&ClientIDList.member.2=b&ThumbprintList.member.1=0123456789012345678901234567890123456789",
    )
    .unwrap();
    assert_eq!(d.input["ClientIDList"], json!(["a", "b"]));
}

#[test]
fn repeated_parameter_keeps_first() {
    let d = decode(
        iam(),
        "Action=GetUser&UserName=first&UserName=second&Action=ListUsers",
    )
    .unwrap();
    assert_eq!(d.action, "GetUser");
    assert_eq!(d.input["UserName"], "first");
}

#[test]
fn actions_and_versions() {
    let e = decode(iam(), "Action=Nope&Version=2010-05-08").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        (
            "InvalidAction",
            "Could not find operation Nope for version 2010-05-08",
            400
        )
    );
    let e = decode(iam(), "Action=GetUser&Version=2011-06-15").unwrap_err();
    assert_eq!(
        e.message,
        "Could not find operation GetUser for version 2011-06-15"
    );
    let e = decode(iam(), "UserName=a").unwrap_err();
    assert_eq!(e.code, "MissingAction");
}

#[test]
fn deep_and_huge_keys_are_ignored() {
    let deep = "A.member.1".repeat(1000);
    let d = decode(
        iam(),
        &format!("Action=GetUser&{deep}=x&UserName.member.1.member.1=y"),
    )
    .unwrap();
    assert_eq!(d.input, json!({}));
}
