//! What a database backend indexes an audit record by besides its columns, read from the
//! record itself (so that a record of any source, a sign-in as well as an API call, is found
//! by them): `readOnly`, `userIdentity.accessKeyId` and the top-level text request
//! parameters. One pass over the JSON text, building nothing but these.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Request parameter values longer than this are not indexed (lookup values are at most
/// 2000 characters).
pub const MAX_INDEXED_VALUE: usize = 2048;

/// The indexed fields of one record; all empty for a body that is not a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupFields {
    pub read_only: Option<bool>,
    pub access_key_id: Option<String>,
    /// (name, value) of each text request parameter of at most 2048 bytes.
    pub parameters: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(rename = "readOnly", default)]
    read_only: Option<bool>,
    #[serde(rename = "userIdentity", default, borrow)]
    user_identity: Option<UserIdentity<'a>>,
    #[serde(rename = "requestParameters", default, borrow)]
    request_parameters: Option<BTreeMap<Cow<'a, str>, Text<'a>>>,
}

#[derive(Deserialize)]
struct UserIdentity<'a> {
    #[serde(rename = "accessKeyId", default, borrow)]
    access_key_id: Option<Cow<'a, str>>,
}

/// A JSON value kept only when it is a string.
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl LookupFields {
    /// The indexed fields of the record `body`.
    pub fn of(body: &str) -> LookupFields {
        let Ok(parsed) = serde_json::from_str::<Body<'_>>(body) else {
            return LookupFields::default();
        };
        let parameters = parsed
            .request_parameters
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.into_owned(), value.0?.into_owned())))
            .filter(|(_, value)| value.len() <= MAX_INDEXED_VALUE)
            .collect();
        LookupFields {
            read_only: parsed.read_only,
            access_key_id: parsed
                .user_identity
                .and_then(|u| u.access_key_id)
                .map(Cow::into_owned),
            parameters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_from_any_record() {
        let body = r#"{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","accessKeyId":"AKIA1"},
            "readOnly":true,"requestParameters":{"userName":"b\"ob","policyDocument":"x",
            "tags":[{"key":"k"}],"maxItems":5,"nested":{"a":"b"}}}"#;
        assert_eq!(
            LookupFields::of(body),
            LookupFields {
                read_only: Some(true),
                access_key_id: Some("AKIA1".into()),
                parameters: vec![
                    ("policyDocument".into(), "x".into()),
                    ("userName".into(), "b\"ob".into())
                ],
            }
        );
        let sign_in = r#"{"eventName":"ConsoleLogin","requestParameters":null,"readOnly":false}"#;
        assert_eq!(LookupFields::of(sign_in).read_only, Some(false));
        assert_eq!(LookupFields::of("not json"), LookupFields::default());
        let long = format!(
            r#"{{"requestParameters":{{"policyDocument":"{}"}}}}"#,
            "x".repeat(3000)
        );
        assert!(LookupFields::of(&long).parameters.is_empty());
    }
}
