//! The AWS JSON 1.1 protocol (CloudTrail), driven by the service model: the operation named
//! by `X-Amz-Target`, a JSON body following the input shape, a JSON body following the output
//! shape (timestamps as Unix seconds), errors as `{"__type": CODE, "message": TEXT}`.
//!
//! Decoding checks the shapes' JSON types (a string where the model has a string, a whole
//! number for an integer, ...) and answers `SerializationException` as AWS's JSON services do
//! for a body that does not fit; members the model does not know are ignored. Constraints
//! (`min`, `max`, `enum`, required members) are left to the operation: CloudTrail reports
//! them with its own exceptions (`InvalidMaxResultsException`,
//! `InvalidLookupAttributesException`, ...), never `ValidationException`.

use serde_json::{Map, Value};

use crate::error::WireError;
use crate::model::{ServiceModel, ShapeKind};
use crate::time;

/// The content type of AWS JSON 1.1 requests and responses.
pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Values nested deeper than this are refused (no model input is this deep).
const MAX_DEPTH: usize = 32;

/// The operation an `X-Amz-Target` header names (`PREFIX.Operation`), if the model has it.
/// The prefix is botocore's `targetPrefix`
/// (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`) or, as the Smithy-based SDKs
/// send it, the service shape's name alone (`CloudTrail_20131101`). Errors:
/// `UnknownOperationException` (another prefix, or an operation the model lacks).
pub fn operation_of_target(model: &ServiceModel, target: &str) -> Result<String, WireError> {
    let unknown = || WireError::new("UnknownOperationException", "", 400);
    let (prefix, name) = target.rsplit_once('.').ok_or_else(unknown)?;
    let full = model.target_prefix.as_str();
    let shape_name = full.rsplit('.').next().unwrap_or(full);
    let known_prefix = !full.is_empty() && (prefix == full || prefix == shape_name);
    if !known_prefix || model.operation(name).is_none() {
        return Err(unknown());
    }
    Ok(name.to_string())
}

/// The input of `operation` from a JSON body (an empty body is `{}`), with timestamps as
/// AWS's ISO 8601 text like the Query decoder's.
pub fn decode_json_request(
    model: &ServiceModel,
    operation: &str,
    body: &[u8],
) -> Result<Value, WireError> {
    if let Some(e) = &model.load_error {
        return Err(WireError::internal(format!(
            "service model failed to load: {e}"
        )));
    }
    let op = model
        .operation(operation)
        .ok_or_else(|| WireError::new("UnknownOperationException", "", 400))?;
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|_| serialization("Malformed JSON body"))?
    };
    match &op.input {
        None => Ok(Value::Object(Map::new())),
        Some(shape) => decode_value(model, shape, value, 0),
    }
}

fn serialization(message: impl Into<String>) -> WireError {
    WireError::new("SerializationException", message, 400)
}

/// `value` as the shape `shape_name` wants it; `null` members are dropped as absent.
fn decode_value(
    model: &ServiceModel,
    shape_name: &str,
    value: Value,
    depth: usize,
) -> Result<Value, WireError> {
    if depth > MAX_DEPTH {
        return Err(serialization("JSON body nested too deeply"));
    }
    let shape = model
        .shape(shape_name)
        .ok_or_else(|| WireError::internal(format!("model shape {shape_name} missing")))?;
    let wrong = || serialization(format!("Unexpected value for {shape_name}"));
    Ok(match (&shape.kind, value) {
        (ShapeKind::Structure { members, .. }, Value::Object(map)) => {
            let mut out = Map::new();
            for (key, item) in map {
                let Some(member) = members.iter().find(|m| m.name == key) else {
                    continue;
                };
                if item.is_null() {
                    continue;
                }
                out.insert(key, decode_value(model, &member.shape, item, depth + 1)?);
            }
            Value::Object(out)
        }
        (ShapeKind::List { member, .. }, Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|item| decode_value(model, &member.shape, item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        (ShapeKind::Map { value: v, .. }, Value::Object(map)) => {
            let mut out = Map::new();
            for (key, item) in map {
                out.insert(key, decode_value(model, &v.shape, item, depth + 1)?);
            }
            Value::Object(out)
        }
        (ShapeKind::String { .. } | ShapeKind::Blob, Value::String(s)) => Value::String(s),
        (ShapeKind::Integer | ShapeKind::Long, Value::Number(n)) if n.is_i64() => Value::Number(n),
        (ShapeKind::Double, Value::Number(n)) => Value::Number(n),
        (ShapeKind::Boolean, Value::Bool(b)) => Value::Bool(b),
        (ShapeKind::Timestamp, v @ (Value::Number(_) | Value::String(_))) => {
            Value::String(time::normalize(&v).ok_or_else(wrong)?)
        }
        _ => return Err(wrong()),
    })
}

/// The JSON body of `operation`'s response: `output` following the output shape, its
/// timestamps as Unix seconds (numbers), members the shape does not have left out.
pub fn encode_json_response(
    model: &ServiceModel,
    operation: &str,
    output: &Value,
) -> Result<String, WireError> {
    let op = model
        .operation(operation)
        .ok_or_else(|| WireError::internal(format!("no operation {operation}")))?;
    let body = match &op.output {
        None => Value::Object(Map::new()),
        Some(shape) => encode_value(model, shape, output, 0)?,
    };
    Ok(body.to_string())
}

fn encode_value(
    model: &ServiceModel,
    shape_name: &str,
    value: &Value,
    depth: usize,
) -> Result<Value, WireError> {
    let shape = model
        .shape(shape_name)
        .ok_or_else(|| WireError::internal(format!("model shape {shape_name} missing")))?;
    if depth > 2 * MAX_DEPTH {
        return Err(WireError::internal("output nested too deeply"));
    }
    Ok(match (&shape.kind, value) {
        (ShapeKind::Structure { members, .. }, Value::Object(map)) => {
            let mut out = Map::new();
            for member in members {
                if let Some(item) = map.get(&member.name).filter(|v| !v.is_null()) {
                    let encoded = encode_value(model, &member.shape, item, depth + 1)?;
                    out.insert(member.name.clone(), encoded);
                }
            }
            Value::Object(out)
        }
        (ShapeKind::List { member, .. }, Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| encode_value(model, &member.shape, item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        (ShapeKind::Timestamp, v) => {
            let epoch = time::epoch_of(v)
                .ok_or_else(|| WireError::internal(format!("{shape_name}: not a timestamp")))?;
            Value::Number(epoch.into())
        }
        (_, v) => v.clone(),
    })
}

/// An AWS JSON error body: `{"__type": code, "message": message}`.
pub fn encode_json_error(code: &str, message: &str) -> String {
    serde_json::json!({"__type": code, "message": message}).to_string()
}

#[cfg(test)]
mod tests;
