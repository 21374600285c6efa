//! Property tests: no input makes the wire layer panic; every model operation decodes and
//! encodes without internal errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamd_wire::{
    decode_request, encode_response_checked, parse_form, Service, ServiceModel, WireError,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn decode_bytes(service: Service, body: &[u8]) -> Result<(), WireError> {
    let params = parse_form(body)?;
    decode_request(ServiceModel::get(service), &params).map(|_| ())
}

/// Keys built from segments the IAM/STS models use, so decoding reaches deep paths.
fn key() -> impl Strategy<Value = String> {
    let seg = prop::sample::select(vec![
        "Tags",
        "member",
        "entry",
        "key",
        "value",
        "Key",
        "Value",
        "UserName",
        "Path",
        "MaxItems",
        "PolicyArns",
        "arn",
        "ContextEntries",
        "ContextKeyValues",
        "ContextKeyName",
        "ContextKeyType",
        "PolicyInputList",
        "ActionNames",
        "1",
        "2",
        "0",
        "01",
        "x",
        "",
        "4294967296",
        "DurationSeconds",
        "ProvidedContexts",
        "ProviderArn",
    ]);
    prop::collection::vec(seg, 1..8).prop_map(|s| s.join("."))
}

fn action() -> impl Strategy<Value = String> {
    let mut names: Vec<String> = ServiceModel::get(Service::Iam)
        .operation_names()
        .chain(ServiceModel::get(Service::Sts).operation_names())
        .map(str::to_string)
        .collect();
    names.sort();
    prop::sample::select(names)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_bytes(Service::Iam, &body);
        let _ = decode_bytes(Service::Sts, &body);
    }

    #[test]
    fn arbitrary_text_never_panics(body in "[A-Za-z0-9.=&%+_-]{0,300}") {
        let _ = decode_bytes(Service::Iam, body.as_bytes());
    }

    #[test]
    fn structured_params_never_panic_nor_fail_internally(
        action in action(),
        params in prop::collection::vec((key(), "[a-z0-9 /:.*-]{0,12}"), 0..24),
    ) {
        let mut all = vec![("Action".to_string(), action)];
        all.extend(params);
        for service in [Service::Iam, Service::Sts] {
            if let Err(e) = decode_request(ServiceModel::get(service), &all) {
                prop_assert!(e.status == 400, "{e}");
            }
        }
    }

    #[test]
    fn arbitrary_results_encode_without_panic(action in action(), value in json_value()) {
        for service in [Service::Iam, Service::Sts] {
            let model = ServiceModel::get(service);
            if model.operation(&action).is_some() {
                let _ = encode_response_checked(model, &action, &value, "r").unwrap();
            }
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[A-Za-z0-9<&>: -]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        let names = prop::sample::select(vec![
            "User",
            "Users",
            "UserName",
            "CreateDate",
            "Tags",
            "Key",
            "Value",
            "IsTruncated",
            "SummaryMap",
            "Credentials",
            "Expiration",
            "VirtualMFADevice",
            "QRCodePNG",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(names, inner, 0..5).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

#[test]
fn every_operation_decodes_and_encodes() {
    for service in [Service::Iam, Service::Sts] {
        let model = ServiceModel::get(service);
        for action in model.operation_names() {
            let params = vec![("Action".to_string(), action.to_string())];
            match decode_request(model, &params) {
                Ok(req) => assert_eq!(req.action, action),
                Err(e) => assert_eq!(e.code, "ValidationError", "{action}: {e}"),
            }
            let enc = encode_response_checked(model, action, &json!({}), "r").unwrap();
            assert!(enc.problems.is_empty(), "{action}: {:?}", enc.problems);
            assert!(enc.xml.starts_with(&format!("<{action}Response xmlns=\"")));
        }
    }
}

#[test]
fn pathological_requests_are_bounded() {
    let deep = format!(
        "Action=CreateUser&UserName=a&{}=x",
        vec!["Tags.member.1"; 5000].join(".")
    );
    assert!(decode_bytes(Service::Iam, deep.as_bytes()).is_ok());
    let many: String = (1..=9000)
        .map(|i| format!("&Tags.member.{i}.Key=k&Tags.member.{i}.Value=v"))
        .collect();
    let e = decode_bytes(
        Service::Iam,
        format!("Action=CreateUser&UserName=a{many}").as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.code, "MalformedQueryString");
    let many: String = (1..=4000)
        .map(|i| format!("&Tags.member.{i}.Key=k&Tags.member.{i}.Value=v"))
        .collect();
    let e = decode_bytes(
        Service::Iam,
        format!("Action=CreateUser&UserName=a{many}").as_bytes(),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("Member must have length less than or equal to 50"),
        "{e}"
    );
    assert!(decode_bytes(Service::Iam, b"Action=GetUser&UserName=%").is_err());
}
