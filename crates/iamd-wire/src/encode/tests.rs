#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roxmltree::{Document, Node};
use serde_json::json;

use super::*;

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

fn iam() -> &'static ServiceModel {
    ServiceModel::get(Service::Iam)
}

/// Encode strictly: the result must match the model.
fn encode(model: &ServiceModel, action: &str, result: Value) -> String {
    let e = encode_response_checked(model, action, &result, "req-1").unwrap();
    assert_eq!(e.problems, Vec::<String>::new());
    e.xml
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Node<'a, 'i> {
    n.children()
        .find(|c| c.has_tag_name(name))
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", n.tag_name().name()))
}

fn path<'a, 'i>(mut n: Node<'a, 'i>, names: &[&str]) -> Node<'a, 'i> {
    for name in names {
        n = child(n, name);
    }
    n
}

fn text<'a>(n: Node<'a, '_>, names: &[&str]) -> &'a str {
    path(n, names).text().unwrap_or("")
}

fn elements(n: Node<'_, '_>) -> Vec<String> {
    n.children()
        .filter(Node::is_element)
        .map(|c| c.tag_name().name().to_string())
        .collect()
}

fn user(name: &str) -> Value {
    json!({
        "UserName": name,
        "Path": "/",
        "UserId": "AIDAEXAMPLE",
        "Arn": format!("arn:aws:iam::123456789012:user/{name}"),
        "CreateDate": "2026-11-23T08:44:41.123+00:00"
    })
}

#[test]
fn get_user() {
    let xml = encode(iam(), "GetUser", json!({ "User": user("alice") }));
    let doc = Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "GetUserResponse");
    assert_eq!(root.tag_name().namespace(), Some(IAM_NS));
    assert_eq!(elements(root), ["GetUserResult", "ResponseMetadata"]);
    let u = path(root, &["GetUserResult", "User"]);
    assert_eq!(text(u, &["UserName"]), "alice");
    assert_eq!(text(u, &["CreateDate"]), "2026-11-23T08:44:41Z");
    // Model order (botocore's document order), absent members skipped.
    assert_eq!(
        elements(u),
        ["Path", "UserName", "UserId", "Arn", "CreateDate"]
    );
    assert_eq!(text(root, &["ResponseMetadata", "RequestId"]), "req-1");
}

#[test]
fn list_users_with_members_and_flags() {
    let xml = encode(
        iam(),
        "ListUsers",
        json!({"Users": [user("a"), user("b")], "IsTruncated": true, "Marker": "m&1"}),
    );
    let doc = Document::parse(&xml).unwrap();
    let r = path(doc.root_element(), &["ListUsersResult"]);
    assert_eq!(text(r, &["IsTruncated"]), "true");
    assert_eq!(text(r, &["Marker"]), "m&1");
    let users = child(r, "Users");
    assert_eq!(elements(users), ["member", "member"]);
    let names: Vec<_> = users
        .children()
        .filter(Node::is_element)
        .map(|m| text(m, &["UserName"]))
        .collect();
    assert_eq!(names, ["a", "b"]);
    // An empty list is an empty element.
    let xml = encode(
        iam(),
        "ListUsers",
        json!({"Users": [], "IsTruncated": false}),
    );
    assert!(xml.contains("<Users></Users>"), "{xml}");
}

#[test]
fn create_access_key() {
    let xml = encode(
        iam(),
        "CreateAccessKey",
        json!({"AccessKey": {
            "UserName": "alice", "AccessKeyId": "AKIAEXAMPLE", "Status": "Active",
            "SecretAccessKey": "s/e+c<r>et", "CreateDate": 1_795_423_481
        }}),
    );
    let doc = Document::parse(&xml).unwrap();
    let k = path(doc.root_element(), &["CreateAccessKeyResult", "AccessKey"]);
    assert_eq!(text(k, &["SecretAccessKey"]), "s/e+c<r>et");
    assert_eq!(text(k, &["CreateDate"]), "2026-11-23T08:44:41Z");
    assert_eq!(text(k, &["Status"]), "Active");
}

#[test]
fn create_virtual_mfa_device_blob() {
    let png = "iVBORw0KGgo=";
    let xml = encode(
        iam(),
        "CreateVirtualMFADevice",
        json!({"VirtualMFADevice": {
            "SerialNumber": "arn:aws:iam::123456789012:mfa/alice",
            "Base32StringSeed": "SlJHT0JTR0ZSRkk0TTVYRA==",
            "QRCodePNG": png,
            "Tags": [{"Key": "k", "Value": "v"}]
        }}),
    );
    let doc = Document::parse(&xml).unwrap();
    let d = path(
        doc.root_element(),
        &["CreateVirtualMFADeviceResult", "VirtualMFADevice"],
    );
    assert_eq!(text(d, &["QRCodePNG"]), png);
    assert_eq!(text(d, &["Base32StringSeed"]), "SlJHT0JTR0ZSRkk0TTVYRA==");
    assert_eq!(text(d, &["Tags", "member", "Key"]), "k");
}

#[test]
fn get_caller_identity_sts() {
    let sts = ServiceModel::get(Service::Sts);
    let xml = encode(
        sts,
        "GetCallerIdentity",
        json!({"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a", "UserId": "AIDA"}),
    );
    let doc = Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("https://sts.amazonaws.com/doc/2011-06-15/")
    );
    assert_eq!(
        text(root, &["GetCallerIdentityResult", "Account"]),
        "123456789012"
    );
}

#[test]
fn no_output_operation() {
    let xml = encode(iam(), "DeleteUser", json!({}));
    assert_eq!(
        xml,
        format!(
            "<DeleteUserResponse xmlns=\"{IAM_NS}\"><ResponseMetadata><RequestId>req-1</RequestId>\
             </ResponseMetadata></DeleteUserResponse>"
        )
    );
    assert_eq!(encode(iam(), "DeleteUser", Value::Null), xml);
}

#[test]
fn maps_use_entry_key_value() {
    let xml = encode(
        iam(),
        "GetAccountSummary",
        json!({"SummaryMap": {"Users": 3, "Groups": 0}}),
    );
    let doc = Document::parse(&xml).unwrap();
    let m = path(
        doc.root_element(),
        &["GetAccountSummaryResult", "SummaryMap"],
    );
    let entries: Vec<_> = m
        .children()
        .filter(Node::is_element)
        .map(|e| {
            (
                text(e, &["key"]).to_string(),
                text(e, &["value"]).to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [("Groups".into(), "0".into()), ("Users".into(), "3".into())]
    );
}

#[test]
fn unknown_members_and_bad_types_are_reported_not_emitted() {
    let mut u = user("a");
    u["Nickname"] = json!("x");
    u["CreateDate"] = json!("yesterday");
    let e =
        encode_response_checked(iam(), "GetUser", &json!({"User": u, "Extra": 1}), "r").unwrap();
    assert!(!e.xml.contains("Nickname") && !e.xml.contains("yesterday"));
    assert_eq!(
        e.problems,
        [
            "User.CreateDate: not a valid timestamp",
            "User.Nickname: not in the model",
            "Extra: not in the model"
        ]
    );
    assert_eq!(
        check_result(iam(), "GetUser", &json!({"User": user("a")})),
        Vec::<String>::new()
    );
    assert!(encode_response(iam(), "Nope", &json!({}), "r").is_err_and(|e| e.status == 500));
}

#[test]
fn error_envelope() {
    let xml = encode_error(
        Service::Iam,
        "NoSuchEntity",
        "The user with name <a> cannot be found.",
        true,
        "r-1",
    );
    let doc = Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "ErrorResponse");
    assert_eq!(root.tag_name().namespace(), Some(IAM_NS));
    assert_eq!(elements(root), ["Error", "RequestId"]);
    assert_eq!(elements(child(root, "Error")), ["Type", "Code", "Message"]);
    assert_eq!(text(root, &["Error", "Type"]), "Sender");
    assert_eq!(text(root, &["Error", "Code"]), "NoSuchEntity");
    assert_eq!(
        text(root, &["Error", "Message"]),
        "The user with name <a> cannot be found."
    );
    assert_eq!(text(root, &["RequestId"]), "r-1");
    let xml = encode_wire_error(Service::Sts, &WireError::internal("boom"), "r-2");
    assert!(xml.contains("<Type>Receiver</Type>") && xml.contains("sts.amazonaws.com"));
}

#[test]
fn escaping() {
    assert_eq!(
        escape("a&b<c>\"d'\r\u{1}é"),
        "a&amp;b&lt;c&gt;&quot;d&apos;&#xD;\u{FFFD}é"
    );
    // Plain ASCII is copied whole; tabs, newlines and DEL pass; U+FFFE/U+FFFF do not.
    assert_eq!(escape("arn:aws:iam::1:user/a~b"), "arn:aws:iam::1:user/a~b");
    assert_eq!(escape("a\tb\nc\u{7f}"), "a\tb\nc\u{7f}");
    assert_eq!(escape("x\u{FFFE}y\u{FFFF}"), "x\u{FFFD}y\u{FFFD}");
    assert_eq!(escape(""), "");
    let xml = encode(iam(), "GetUser", json!({"User": user("x\r\ny")}));
    let doc = Document::parse(&xml).unwrap();
    assert_eq!(
        text(doc.root_element(), &["GetUserResult", "User", "UserName"]),
        "x\r\ny"
    );
}
