//! Serialization rules IAM/STS do not exercise (flattened lists, maps, `locationName`, long,
//! double, timestamp and blob inputs), checked against a small botocore-style model.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamd_wire::{decode_request, encode_response_checked, parse_form, Service, ServiceModel};
use serde_json::json;

const MODEL: &str = r#"{
  "metadata": {"apiVersion": "2020-01-01", "xmlNamespace": "https://example.com/doc/2020-01-01/",
               "protocol": "query"},
  "operations": {
    "Do": {"name": "Do", "input": {"shape": "DoRequest"},
           "output": {"shape": "DoResponse", "resultWrapper": "DoResult"}}
  },
  "shapes": {
    "DoRequest": {"type": "structure", "required": ["Name"], "members": {
      "Name": {"shape": "Str", "locationName": "TheName"},
      "Flat": {"shape": "FlatList"},
      "Named": {"shape": "NamedList"},
      "Attrs": {"shape": "AttrMap"},
      "Big": {"shape": "Long"},
      "Ratio": {"shape": "Double"},
      "When": {"shape": "Time"},
      "Data": {"shape": "Bytes"},
      "Secret": {"shape": "Secret"}
    }},
    "DoResponse": {"type": "structure", "members": {
      "Zeta": {"shape": "Str"},
      "Flat": {"shape": "FlatList"},
      "Named": {"shape": "NamedList"},
      "Attrs": {"shape": "AttrMap"},
      "Alpha": {"shape": "Long"},
      "When": {"shape": "Time"}
    }},
    "Str": {"type": "string"},
    "Secret": {"type": "string", "min": 8, "sensitive": true},
    "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": true},
    "NamedList": {"type": "list", "member": {"shape": "Str", "locationName": "item"}},
    "AttrMap": {"type": "map", "key": {"shape": "Str", "locationName": "Name"},
                "value": {"shape": "Str", "locationName": "Val"}},
    "Long": {"type": "long", "max": 10000000000},
    "Double": {"type": "double", "min": 0},
    "Time": {"type": "timestamp"},
    "Bytes": {"type": "blob"}
  }
}"#;

fn model() -> ServiceModel {
    ServiceModel::from_json(Service::Iam, MODEL).unwrap()
}

#[test]
fn decodes_every_serialization_rule() {
    let m = model();
    let body = "Action=Do&Version=2020-01-01&TheName=n&Flat.2=b&Flat.1=a\
                &Named.item.1=x&Attrs.entry.1.Name=k1&Attrs.entry.1.Val=v1\
                &Attrs.entry.2.Name=k2&Attrs.entry.2.Val=v2&Big=9999999999&Ratio=0.5\
                &When=2026-11-23T10%3A44%3A41%2B02%3A00&Data=aGVsbG8%3D";
    let d = decode_request(&m, &parse_form(body.as_bytes()).unwrap()).unwrap();
    assert_eq!(
        d.input,
        json!({
            "Name": "n", "Flat": ["a", "b"], "Named": ["x"],
            "Attrs": {"k1": "v1", "k2": "v2"}, "Big": 9_999_999_999_i64, "Ratio": 0.5,
            "When": "2026-11-23T08:44:41Z", "Data": "aGVsbG8="
        })
    );
}

#[test]
fn member_name_is_not_the_wire_name_when_location_name_is_set() {
    let m = model();
    let e = decode_request(&m, &parse_form(b"Action=Do&Name=n").unwrap()).unwrap_err();
    assert_eq!(
        e.message,
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn range_type_and_sensitive_messages() {
    let m = model();
    let body = b"Action=Do&TheName=n&Big=10000000001&Ratio=-1&When=soon&Secret=short";
    let e = decode_request(&m, &parse_form(body).unwrap()).unwrap_err();
    assert_eq!(
        e.message,
        "4 validation errors detected: \
         Value '10000000001' at 'big' failed to satisfy constraint: Member must have value less than or equal to 10000000000; \
         Value '-1' at 'ratio' failed to satisfy constraint: Member must have value greater than or equal to 0; \
         Value 'soon' at 'when' failed to satisfy constraint: Member must be a valid ISO 8601 timestamp; \
         Value at 'secret' failed to satisfy constraint: Member must have length greater than or equal to 8"
    );
}

#[test]
fn map_entry_missing_key_is_reported() {
    let m = model();
    let e = decode_request(
        &m,
        &parse_form(b"Action=Do&TheName=n&Attrs.entry.1.Val=v").unwrap(),
    )
    .unwrap_err();
    assert!(e.message.contains("Value null at 'attrs.1.key'"), "{e}");
}

#[test]
fn encodes_flattened_named_lists_and_maps_in_model_order() {
    let m = model();
    let result = json!({
        "Alpha": 12_345_678_901_i64, "Zeta": "z", "Flat": ["a", "b"], "Named": ["x"],
        "Attrs": {"k": "v"}, "When": 0
    });
    let e = encode_response_checked(&m, "Do", &result, "r").unwrap();
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(
        e.xml,
        "<DoResponse xmlns=\"https://example.com/doc/2020-01-01/\"><DoResult>\
         <Zeta>z</Zeta><Flat>a</Flat><Flat>b</Flat><Named><item>x</item></Named>\
         <Attrs><entry><Name>k</Name><Val>v</Val></entry></Attrs>\
         <Alpha>12345678901</Alpha><When>1970-01-01T00:00:00Z</When></DoResult>\
         <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DoResponse>"
    );
}

#[test]
fn bad_models_are_errors() {
    assert!(ServiceModel::from_json(Service::Iam, "{").is_err_and(|e| e.status == 500));
}
