//! The AWS service models (botocore `service-2.json`), embedded and parsed once.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::error::WireError;
use crate::pattern::Pattern;

/// A service iamd serves: IAM and STS speak the AWS Query protocol, CloudTrail AWS JSON 1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// AWS Identity and Access Management (`2010-05-08`).
    Iam,
    /// AWS Security Token Service (`2011-06-15`).
    Sts,
    /// AWS CloudTrail (`2013-11-01`): its event history (LookupEvents).
    CloudTrail,
}

impl Service {
    /// Every service, in the order their models are searched.
    pub const ALL: [Service; 3] = [Service::Iam, Service::Sts, Service::CloudTrail];
}

/// One operation of a service.
#[derive(Debug)]
pub struct Operation {
    /// The operation name, e.g. `CreateUser` (the `Action` parameter).
    pub name: String,
    /// The input shape's name, if the operation takes input.
    pub input: Option<String>,
    /// The output shape's name, if the operation returns a result.
    pub output: Option<String>,
    /// The element wrapping the result in the response, e.g. `CreateUserResult`.
    pub result_wrapper: Option<String>,
}

/// A reference to a shape: a structure member, a list member, or a map key/value.
#[derive(Debug)]
pub struct Member {
    /// The member's name in the model (for list members and map keys/values: `member`,
    /// `key`, `value`).
    pub name: String,
    /// The name of the shape it refers to.
    pub shape: String,
    /// The wire name set by the model, if any.
    pub location_name: Option<String>,
}

impl Member {
    /// The name used on the wire: `locationName` if set, else the member name.
    pub fn wire_name(&self) -> &str {
        self.location_name.as_deref().unwrap_or(&self.name)
    }
}

/// What kind of value a shape describes.
#[derive(Debug)]
pub enum ShapeKind {
    /// A structure, with members in model order and the names of the required ones.
    Structure {
        /// Members in model order.
        members: Vec<Member>,
        /// Names of the required members.
        required: Vec<String>,
    },
    /// A list (`Name.member.N`, or `Name.N` when flattened).
    List {
        /// The element reference.
        member: Member,
        /// botocore's `flattened`.
        flattened: bool,
    },
    /// A map (`Name.entry.N.key` / `.value`).
    Map {
        /// The key reference.
        key: Member,
        /// The value reference.
        value: Member,
        /// botocore's `flattened`.
        flattened: bool,
    },
    /// A string, possibly constrained by a pattern or an enum.
    String {
        /// The model's (Java) regular expression, if any.
        pattern: Option<Pattern>,
        /// The allowed values, in model order (empty: any).
        enum_values: Vec<String>,
    },
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A floating-point number (`float` or `double`).
    Double,
    /// `true` / `false`.
    Boolean,
    /// A point in time (ISO 8601 on the wire).
    Timestamp,
    /// Bytes (base64 on the wire).
    Blob,
}

/// A named shape with its constraints.
#[derive(Debug)]
pub struct Shape {
    /// The shape's name in the model.
    pub name: String,
    /// Its kind and kind-specific details.
    pub kind: ShapeKind,
    /// `min` (length for strings/lists/maps, value for numbers).
    pub min: Option<i64>,
    /// `max` (length for strings/lists/maps, value for numbers).
    pub max: Option<i64>,
    /// `sensitive`: the value is never echoed in error messages.
    pub sensitive: bool,
}

/// How a service's requests and responses are encoded (`metadata.protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// The AWS Query protocol: form parameters in, XML out (IAM, STS).
    Query,
    /// AWS JSON 1.0/1.1: a JSON body with `X-Amz-Target` (CloudTrail).
    Json,
    /// A protocol iamd does not speak.
    Other,
}

/// A parsed service model: metadata, operations and shapes.
#[derive(Debug)]
pub struct ServiceModel {
    /// Which service this is.
    pub service: Service,
    /// `metadata.protocol`.
    pub protocol: Protocol,
    /// The SigV4 signing name: `metadata.signingName`, else `metadata.endpointPrefix`.
    pub signing_name: String,
    /// `metadata.apiVersion`, e.g. `2010-05-08`.
    pub api_version: String,
    /// `metadata.xmlNamespace`, e.g. `https://iam.amazonaws.com/doc/2010-05-08/`.
    pub xml_namespace: String,
    /// `metadata.targetPrefix` of JSON services: `X-Amz-Target` is `PREFIX.Operation`.
    pub target_prefix: String,
    operations: HashMap<String, Operation, FastNames>,
    shapes: HashMap<String, Shape, FastNames>,
    errors: HashMap<String, u16, FastNames>,
    /// Why the embedded model failed to load (a build defect); `None` when it loaded.
    pub load_error: Option<String>,
}

/// The model's maps hash names with [`NameHasher`] (FxHash's mixing): a request looks up
/// several shapes and operations, and SipHash costs several times more per name. The keys are
/// the model's own; a request's names are only looked up, never inserted, so crafted names
/// cannot degrade the maps.
type FastNames = std::hash::BuildHasherDefault<NameHasher>;

/// FxHash (rustc's hasher): a word at a time, rotate, xor, multiply.
#[derive(Default)]
struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

static IAM: LazyLock<ServiceModel> = LazyLock::new(|| {
    ServiceModel::load(
        Service::Iam,
        include_str!("../../../model/iam/service-2.json"),
    )
});
static STS: LazyLock<ServiceModel> = LazyLock::new(|| {
    ServiceModel::load(
        Service::Sts,
        include_str!("../../../model/sts/service-2.json"),
    )
});
static CLOUDTRAIL: LazyLock<ServiceModel> = LazyLock::new(|| {
    ServiceModel::load(
        Service::CloudTrail,
        include_str!("../../../model/cloudtrail/service-2.json"),
    )
});

impl ServiceModel {
    /// The embedded model of `service`, parsed on first use.
    pub fn get(service: Service) -> &'static ServiceModel {
        match service {
            Service::Iam => &IAM,
            Service::Sts => &STS,
            Service::CloudTrail => &CLOUDTRAIL,
        }
    }

    /// The embedded model of the service requests signed for `signing_name` are for.
    pub fn by_signing_name(signing_name: &str) -> Option<&'static ServiceModel> {
        Service::ALL
            .into_iter()
            .map(ServiceModel::get)
            .find(|m| m.signing_name == signing_name)
    }

    /// The operation named `name` (the `Action`), if the model has it.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// All operation names (unordered).
    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    /// The shape named `name`.
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// All shapes (unordered).
    pub fn shapes(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.values()
    }

    /// The HTTP status the model assigns to the error code `code` (e.g. `NoSuchEntity` → 404).
    pub fn error_status(&self, code: &str) -> Option<u16> {
        self.errors.get(code).copied()
    }

    /// Parse a botocore `service-2.json` text (e.g. a test model) as the model of `service`.
    pub fn from_json(service: Service, text: &str) -> Result<ServiceModel, WireError> {
        serde_json::from_str::<RawModel>(text)
            .map(|raw| Self::from_raw(service, raw))
            .map_err(|e| WireError::internal(format!("invalid service model: {e}")))
    }

    /// Parse an embedded model; on failure the result is empty and carries `load_error`.
    fn load(service: Service, text: &str) -> ServiceModel {
        match Self::from_json(service, text) {
            Ok(model) => model,
            Err(e) => ServiceModel {
                service,
                protocol: Protocol::Other,
                signing_name: String::new(),
                api_version: String::new(),
                xml_namespace: String::new(),
                target_prefix: String::new(),
                operations: HashMap::default(),
                shapes: HashMap::default(),
                errors: HashMap::default(),
                load_error: Some(e.message),
            },
        }
    }

    fn from_raw(service: Service, raw: RawModel) -> ServiceModel {
        let operations = raw
            .operations
            .into_iter()
            .map(|(name, op)| {
                let (output, result_wrapper) = match op.output {
                    Some(o) => (Some(o.shape), o.result_wrapper),
                    None => (None, None),
                };
                let op = Operation {
                    name: name.clone(),
                    input: op.input.map(|i| i.shape),
                    output,
                    result_wrapper,
                };
                (name, op)
            })
            .collect();
        let mut errors = HashMap::default();
        let mut shapes = HashMap::default();
        for (name, s) in raw.shapes {
            if let Some(err) = &s.error {
                errors.insert(err.code.clone(), err.http_status_code.unwrap_or(400));
            }
            shapes.insert(name.clone(), convert_shape(name, s));
        }
        let protocol = match raw.metadata.protocol.as_str() {
            "query" => Protocol::Query,
            "json" => Protocol::Json,
            _ => Protocol::Other,
        };
        let signing_name = raw
            .metadata
            .signing_name
            .unwrap_or(raw.metadata.endpoint_prefix);
        ServiceModel {
            service,
            protocol,
            signing_name,
            api_version: raw.metadata.api_version,
            xml_namespace: raw.metadata.xml_namespace.unwrap_or_default(),
            target_prefix: raw.metadata.target_prefix.unwrap_or_default(),
            operations,
            shapes,
            errors,
            load_error: None,
        }
    }
}

fn convert_shape(name: String, s: RawShape) -> Shape {
    let member = |r: Option<RawRef>, default: &str| {
        let r = r.unwrap_or_default();
        Member {
            name: default.to_string(),
            shape: r.shape,
            location_name: r.location_name,
        }
    };
    let kind = match s.kind.as_str() {
        "structure" => ShapeKind::Structure {
            members: s
                .members
                .map(|m| m.0)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, r)| Member {
                    name,
                    shape: r.shape,
                    location_name: r.location_name,
                })
                .collect(),
            required: s.required,
        },
        "list" => ShapeKind::List {
            member: member(s.member, "member"),
            flattened: s.flattened,
        },
        "map" => ShapeKind::Map {
            key: member(s.key, "key"),
            value: member(s.value, "value"),
            flattened: s.flattened,
        },
        "integer" => ShapeKind::Integer,
        "long" => ShapeKind::Long,
        "float" | "double" => ShapeKind::Double,
        "boolean" => ShapeKind::Boolean,
        "timestamp" => ShapeKind::Timestamp,
        "blob" => ShapeKind::Blob,
        _ => ShapeKind::String {
            pattern: s.pattern.map(Pattern::new),
            enum_values: s.enum_values.unwrap_or_default(),
        },
    };
    Shape {
        name,
        kind,
        min: s.min.as_ref().and_then(number_to_i64),
        max: s.max.as_ref().and_then(number_to_i64),
        sensitive: s.sensitive,
    }
}

fn number_to_i64(n: &serde_json::Number) -> Option<i64> {
    // Model bounds are integral; a float bound is truncated toward zero.
    #[allow(clippy::cast_possible_truncation)]
    n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))
}

#[derive(Deserialize)]
struct RawModel {
    metadata: RawMeta,
    operations: HashMap<String, RawOperation>,
    shapes: HashMap<String, RawShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    api_version: String,
    xml_namespace: Option<String>,
    target_prefix: Option<String>,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    endpoint_prefix: String,
    signing_name: Option<String>,
}

#[derive(Deserialize)]
struct RawOperation {
    input: Option<RawRef>,
    output: Option<RawOutput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOutput {
    shape: String,
    result_wrapper: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawRef {
    #[serde(default)]
    shape: String,
    location_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawError {
    code: String,
    http_status_code: Option<u16>,
}

#[derive(Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    kind: String,
    members: Option<Ordered<RawRef>>,
    #[serde(default)]
    required: Vec<String>,
    member: Option<RawRef>,
    key: Option<RawRef>,
    value: Option<RawRef>,
    min: Option<serde_json::Number>,
    max: Option<serde_json::Number>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    enum_values: Option<Vec<String>>,
    #[serde(default)]
    flattened: bool,
    #[serde(default)]
    sensitive: bool,
    error: Option<RawError>,
}

/// A JSON object kept in document order (serde_json's `Map` sorts without `preserve_order`).
struct Ordered<T>(Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_load() {
        for s in Service::ALL {
            let m = ServiceModel::get(s);
            assert_eq!(m.load_error, None);
            assert!(m.operation_names().count() > 5);
        }
        let iam = ServiceModel::get(Service::Iam);
        assert_eq!(iam.api_version, "2010-05-08");
        assert_eq!(
            iam.xml_namespace,
            "https://iam.amazonaws.com/doc/2010-05-08/"
        );
        let sts = ServiceModel::get(Service::Sts);
        assert_eq!(
            sts.xml_namespace,
            "https://sts.amazonaws.com/doc/2011-06-15/"
        );
    }

    #[test]
    fn operation_and_shapes() {
        let iam = ServiceModel::get(Service::Iam);
        let op = iam.operation("CreateUser");
        assert!(op.is_some_and(|o| o.result_wrapper.as_deref() == Some("CreateUserResult")));
        assert!(iam
            .operation("DeleteUser")
            .is_some_and(|o| o.output.is_none()));
        let Some(Shape {
            kind: ShapeKind::Structure { members, required },
            ..
        }) = iam.shape("User")
        else {
            unreachable!("User is a structure")
        };
        assert!(required.iter().any(|r| r == "UserName"));
        assert!(members.iter().any(|m| m.name == "CreateDate"));
        assert_eq!(iam.error_status("NoSuchEntity"), Some(404));
        assert_eq!(iam.error_status("ServiceFailure"), Some(500));
    }
}
