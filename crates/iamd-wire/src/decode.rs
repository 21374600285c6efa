//! Decode AWS Query parameters into a JSON input following the operation's input shape, and
//! validate it against the model.
//!
//! Wire rules (botocore's query serializer): structure members by name (`Parent.Member`);
//! lists `Name.member.N` (1-based; `Name.N` when flattened; an empty list is sent as `Name=`);
//! maps `Name.entry.N.key` / `.value`. Decisions where AWS's behaviour is not documented:
//! a repeated parameter keeps its first value; list indices are sorted and gaps closed up;
//! an index that is not a whole number ≥ 1 is rejected; parameters the model does not know
//! (and keys deeper than [`MAX_KEY_DEPTH`] segments) are ignored, as AWS ignores unknown ones.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::WireError;
use crate::model::{Member, ServiceModel, Shape, ShapeKind};
use crate::time;
use crate::validate::{check_length, check_range, check_string, member_path, Subject, Violations};

/// Keys with more `.`-separated segments than this are ignored (no model input is this deep).
pub const MAX_KEY_DEPTH: usize = 32;

/// A request decoded against the model.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRequest {
    /// The operation name, e.g. `CreateUser`.
    pub action: String,
    /// The `Version` parameter, if sent.
    pub version: Option<String>,
    /// The input: a JSON object with the input shape's member names (PascalCase) as keys.
    pub input: Value,
}

/// Decode and validate the parameters of one request. `Action` selects the operation;
/// `Version`, `Action` and `X-Amz-*` are not input members. Errors: `MissingAction`,
/// `InvalidAction` (unknown action, or a `Version` other than the model's), `ValidationError`
/// (constraint violations, all reported at once, or a malformed list index).
pub fn decode_request(
    model: &ServiceModel,
    params: &[(String, String)],
) -> Result<DecodedRequest, WireError> {
    if let Some(e) = &model.load_error {
        return Err(WireError::internal(format!(
            "service model failed to load: {e}"
        )));
    }
    let first = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let action = first("Action").ok_or_else(WireError::missing_action)?;
    let version = first("Version");
    let shown_version = version.as_deref().unwrap_or(&model.api_version);
    if shown_version != model.api_version {
        return Err(WireError::invalid_action(&action, shown_version));
    }
    let op = model
        .operation(&action)
        .ok_or_else(|| WireError::invalid_action(&action, shown_version))?;
    let input = match &op.input {
        None => Value::Object(Map::new()),
        Some(shape) => {
            let root = Node::build(params);
            let mut d = Decoder {
                model,
                violations: Violations::default(),
            };
            let shape = d.shape(shape)?;
            let input = match d.structure(shape, &root, "")? {
                Decoded::Value(v) => v,
                Decoded::Absent | Decoded::Invalid => Value::Object(Map::new()),
            };
            if !d.violations.0.is_empty() {
                return Err(WireError::validation(&d.violations.0));
            }
            input
        }
    };
    Ok(DecodedRequest {
        action,
        version,
        input,
    })
}

/// The parameters as a tree of `.`-separated key segments.
#[derive(Debug, Default)]
struct Node<'a> {
    value: Option<&'a str>,
    children: BTreeMap<&'a str, Node<'a>>,
}

impl<'a> Node<'a> {
    fn build(params: &'a [(String, String)]) -> Node<'a> {
        let mut root = Node::default();
        for (key, value) in params {
            if key == "Action" || key == "Version" || key.starts_with("X-Amz-") {
                continue;
            }
            if key.split('.').nth(MAX_KEY_DEPTH).is_some() {
                continue;
            }
            let mut node = &mut root;
            for seg in key.split('.') {
                node = node.children.entry(seg).or_default();
            }
            // A repeated parameter keeps its first value.
            node.value.get_or_insert(value.as_str());
        }
        root
    }

    /// The indexed children (`1`, `2`, …) sorted by index; gaps are closed up and for an index
    /// written twice (`1`, `01`) the first in key order wins.
    fn indexed(&self, key_prefix: &str) -> Result<Vec<&Node<'a>>, WireError> {
        let mut items: Vec<(u32, &Node<'a>)> = Vec::with_capacity(self.children.len());
        for (seg, child) in &self.children {
            match seg.parse::<u32>() {
                Ok(n) if n >= 1 && seg.bytes().all(|b| b.is_ascii_digit()) => {
                    items.push((n, child))
                }
                _ => {
                    return Err(WireError::validation_message(format!(
                        "Invalid list index '{seg}' in parameter '{key_prefix}.{seg}': \
                         list and map indices are whole numbers starting at 1."
                    )))
                }
            }
        }
        items.sort_by_key(|(n, _)| *n);
        items.dedup_by_key(|(n, _)| *n);
        Ok(items.into_iter().map(|(_, c)| c).collect())
    }
}

/// The outcome of decoding one member.
enum Decoded {
    Value(Value),
    /// Not sent.
    Absent,
    /// Sent but unusable (a violation was recorded).
    Invalid,
}

struct Decoder<'m> {
    model: &'m ServiceModel,
    violations: Violations,
}

impl<'m> Decoder<'m> {
    fn shape(&self, name: &str) -> Result<&'m Shape, WireError> {
        self.model
            .shape(name)
            .ok_or_else(|| WireError::internal(format!("service model lacks shape {name}")))
    }

    /// Decode `node` as the shape `member` refers to; `path` names it in messages.
    fn value(
        &mut self,
        member: &Member,
        node: &Node<'_>,
        path: &str,
    ) -> Result<Decoded, WireError> {
        let shape = self.shape(&member.shape)?;
        match &shape.kind {
            ShapeKind::Structure { .. } => self.structure(shape, node, path),
            ShapeKind::List {
                member: item,
                flattened,
            } => {
                let container = if *flattened {
                    Some(node)
                } else {
                    node.children.get(item.wire_name())
                };
                let mut out = Vec::new();
                if let Some(c) = container {
                    for (i, child) in c.indexed(path)?.into_iter().enumerate() {
                        let item_path = format!("{path}.{}.member", i + 1);
                        if let Decoded::Value(v) = self.value(item, child, &item_path)? {
                            out.push(v);
                        }
                    }
                } else if node.value.is_none() {
                    return Ok(Decoded::Absent);
                }
                check_length(
                    shape,
                    out.len(),
                    Subject::Hidden,
                    path,
                    &mut self.violations,
                );
                Ok(Decoded::Value(Value::Array(out)))
            }
            ShapeKind::Map {
                key,
                value,
                flattened,
            } => {
                let container = if *flattened {
                    Some(node)
                } else {
                    node.children.get("entry")
                };
                let mut out = Map::new();
                if let Some(c) = container {
                    for (i, entry) in c.indexed(path)?.into_iter().enumerate() {
                        let entry_path = format!("{path}.{}", i + 1);
                        let k = entry.children.get(key.wire_name());
                        let v = entry.children.get(value.wire_name());
                        let k = match k {
                            Some(k) => self.value(key, k, &format!("{entry_path}.key"))?,
                            None => Decoded::Absent,
                        };
                        let v = match v {
                            Some(v) => self.value(value, v, &format!("{entry_path}.value"))?,
                            None => Decoded::Absent,
                        };
                        match (k, v) {
                            (Decoded::Value(Value::String(k)), Decoded::Value(v)) => {
                                out.entry(k).or_insert(v);
                            }
                            (Decoded::Absent, _) => {
                                self.violations.missing(&format!("{entry_path}.key"))
                            }
                            (_, Decoded::Absent) => {
                                self.violations.missing(&format!("{entry_path}.value"))
                            }
                            _ => {}
                        }
                    }
                } else if node.value.is_none() {
                    return Ok(Decoded::Absent);
                }
                check_length(
                    shape,
                    out.len(),
                    Subject::Hidden,
                    path,
                    &mut self.violations,
                );
                Ok(Decoded::Value(Value::Object(out)))
            }
            _ => match node.value {
                Some(raw) => Ok(self.scalar(shape, raw, path)),
                None => Ok(Decoded::Absent),
            },
        }
    }

    /// Decode a structure: each member from the child named by its wire name.
    fn structure(
        &mut self,
        shape: &Shape,
        node: &Node<'_>,
        path: &str,
    ) -> Result<Decoded, WireError> {
        let ShapeKind::Structure { members, required } = &shape.kind else {
            return Err(WireError::internal(format!(
                "{} is not a structure",
                shape.name
            )));
        };
        let mut out = Map::new();
        for m in members {
            let m_path = member_path(path, &m.name);
            let decoded = match node.children.get(m.wire_name()) {
                Some(child) => self.value(m, child, &m_path)?,
                None => Decoded::Absent,
            };
            match decoded {
                Decoded::Value(v) => {
                    out.insert(m.name.clone(), v);
                }
                Decoded::Absent if required.contains(&m.name) => self.violations.missing(&m_path),
                Decoded::Absent | Decoded::Invalid => {}
            }
        }
        Ok(Decoded::Value(Value::Object(out)))
    }

    /// Decode and check one scalar.
    fn scalar(&mut self, shape: &Shape, raw: &str, path: &str) -> Decoded {
        let v = &mut self.violations;
        let subject = Subject::of(shape, raw);
        match &shape.kind {
            ShapeKind::Integer | ShapeKind::Long => {
                let parsed = raw.parse::<i64>().ok().filter(|n| {
                    !matches!(shape.kind, ShapeKind::Integer) || i32::try_from(*n).is_ok()
                });
                match parsed {
                    Some(n) => {
                        // Integers well inside ±2^53 compare exactly; the rest are rejected above.
                        #[allow(clippy::cast_precision_loss)]
                        check_range(shape, n as f64, raw, path, v);
                        Decoded::Value(Value::from(n))
                    }
                    None => {
                        v.push(subject, path, "Member must be a valid integer");
                        Decoded::Invalid
                    }
                }
            }
            ShapeKind::Double => match raw.parse::<f64>().ok().filter(|f| f.is_finite()) {
                Some(f) => {
                    check_range(shape, f, raw, path, v);
                    Decoded::Value(Value::from(f))
                }
                None => {
                    v.push(subject, path, "Member must be a valid number");
                    Decoded::Invalid
                }
            },
            ShapeKind::Boolean => {
                if raw.eq_ignore_ascii_case("true") {
                    Decoded::Value(Value::Bool(true))
                } else if raw.eq_ignore_ascii_case("false") {
                    Decoded::Value(Value::Bool(false))
                } else {
                    v.push(
                        subject,
                        path,
                        "Member must be a valid boolean (true or false)",
                    );
                    Decoded::Invalid
                }
            }
            ShapeKind::Timestamp => match time::normalize(&Value::String(raw.to_string())) {
                Some(t) => Decoded::Value(Value::String(t)),
                None => {
                    v.push(subject, path, "Member must be a valid ISO 8601 timestamp");
                    Decoded::Invalid
                }
            },
            // Kept as the base64 text it arrives as.
            ShapeKind::Blob => Decoded::Value(Value::String(raw.to_string())),
            _ => {
                check_string(shape, raw, path, v);
                Decoded::Value(Value::String(raw.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests;
