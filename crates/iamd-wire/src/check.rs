//! Check a result against the operation's output shape, strictly: what a handler returns
//! must be exactly what the model describes, not merely something the encoder can coerce.

use serde_json::Value;

use crate::encode::Path;
use crate::model::{Member, ServiceModel, ShapeKind};
use crate::time;

/// Values nested deeper than this are not checked (reported as a problem instead).
const MAX_DEPTH: usize = 64;

/// Values AWS is observed to send for an enum shape although the model does not list them
/// (shape, value): the simulator's `SourcePolicyType` is `IAM Policy` for identity-based
/// policies and `Resource Policy` for the resource policy, never the model's `user`, `group`…
const SENT_OUTSIDE_ENUM: &[(&str, &str)] = &[
    ("PolicySourceType", "IAM Policy"),
    ("PolicySourceType", "Resource Policy"),
];

/// Everything in `result` that does not match the output shape of `action`, one line each
/// (`User.Nickname: not in the model`); empty when it matches. Reported:
///
/// - members the shape does not have (`Extra: not in the model`);
/// - values of the wrong JSON type for their shape: strings, blobs (base64 text) and enum
///   values must be JSON strings, integers JSON integers, doubles JSON numbers, booleans JSON
///   booleans, timestamps ISO 8601 text or Unix seconds as a number
///   (`IsTruncated: expected a boolean, got a string`);
/// - enum values the model does not list (`Status: "On" is not one of Active, Inactive…`),
///   except those AWS is known to send anyway;
/// - required members that are absent or `null` (`User.Arn: required but missing`);
/// - `null` list items and map values.
///
/// A stricter successor of [`check_result`](crate::check_result), which reports only what the
/// encoder leaves out. Meant for tests: every handler's output should pass it.
pub fn check_output(model: &ServiceModel, action: &str, result: &Value) -> Vec<String> {
    let Some(op) = model.operation(action) else {
        return vec![format!("the model has no operation {action}")];
    };
    let mut c = Checker {
        model,
        problems: Vec::new(),
    };
    match &op.output {
        Some(shape) => c.structure(shape, result, &Path::Root, 0),
        None => match result {
            Value::Null => {}
            Value::Object(obj) => {
                for (k, v) in obj {
                    if !v.is_null() {
                        c.problems.push(format!("{k}: {action} has no output"));
                    }
                }
            }
            other => c.problems.push(format!(
                "result: expected an object, got {}",
                json_type(other)
            )),
        },
    }
    c.problems
}

struct Checker<'m> {
    model: &'m ServiceModel,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn problem(&mut self, path: &Path<'_>, what: std::fmt::Arguments<'_>) {
        let at = path.render();
        let at = if at.is_empty() { "result" } else { &at };
        self.problems.push(format!("{at}: {what}"));
    }

    /// The structure `shape` from `value` (an object; `null` is an absent result).
    fn structure(&mut self, shape: &str, value: &Value, path: &Path<'_>, depth: usize) {
        let Some(ShapeKind::Structure { members, required }) =
            self.model.shape(shape).map(|s| &s.kind)
        else {
            self.problem(path, format_args!("model shape {shape} is not a structure"));
            return;
        };
        let empty = serde_json::Map::new();
        let obj = match value {
            Value::Object(obj) => obj,
            // An operation's whole result may be absent; required members are then missing.
            Value::Null if matches!(path, Path::Root) => &empty,
            other => {
                self.problem(
                    path,
                    format_args!("expected an object, got {}", json_type(other)),
                );
                return;
            }
        };
        for m in members {
            let at = Path::Member(path, &m.name);
            match obj.get(&m.name) {
                None | Some(Value::Null) => {
                    if required.iter().any(|r| r == &m.name) {
                        self.problem(&at, format_args!("required but missing"));
                    }
                }
                Some(v) => self.value(m, v, &at, depth + 1),
            }
        }
        for k in obj.keys() {
            if !members.iter().any(|m| &m.name == k) {
                self.problem(&Path::Member(path, k), format_args!("not in the model"));
            }
        }
    }

    /// `value` against the shape `member` refers to.
    fn value(&mut self, member: &Member, value: &Value, path: &Path<'_>, depth: usize) {
        if depth > MAX_DEPTH {
            self.problem(path, format_args!("nested too deeply"));
            return;
        }
        let Some(shape) = self.model.shape(&member.shape) else {
            self.problem(path, format_args!("model lacks shape {}", member.shape));
            return;
        };
        let wrong = |c: &mut Self, expected: &str| {
            c.problem(
                path,
                format_args!("expected {expected}, got {}", json_type(value)),
            );
        };
        match &shape.kind {
            ShapeKind::Structure { .. } => {
                if value.is_object() {
                    self.structure(&member.shape, value, path, depth);
                } else {
                    wrong(self, "an object");
                }
            }
            ShapeKind::List { member: item, .. } => {
                let Some(items) = value.as_array() else {
                    return wrong(self, "an array");
                };
                for (i, v) in items.iter().enumerate() {
                    let at = Path::Index(path, i);
                    if v.is_null() {
                        self.problem(&at, format_args!("null list item"));
                    } else {
                        self.value(item, v, &at, depth + 1);
                    }
                }
            }
            ShapeKind::Map {
                key, value: val, ..
            } => {
                let Some(entries) = value.as_object() else {
                    return wrong(self, "an object (map)");
                };
                for (k, v) in entries {
                    let at = Path::Key(path, k);
                    self.value(key, &Value::String(k.clone()), &at, depth + 1);
                    if v.is_null() {
                        self.problem(&at, format_args!("null map value"));
                    } else {
                        self.value(val, v, &at, depth + 1);
                    }
                }
            }
            ShapeKind::String { enum_values, .. } => match value.as_str() {
                None => wrong(self, "a string"),
                Some(s)
                    if !enum_values.is_empty()
                        && !enum_values.iter().any(|e| e == s)
                        && !SENT_OUTSIDE_ENUM.contains(&(member.shape.as_str(), s)) =>
                {
                    self.problem(
                        path,
                        format_args!(
                            "{s:?} is not one of {} ({})",
                            enum_values.join(", "),
                            member.shape
                        ),
                    )
                }
                Some(_) => {}
            },
            ShapeKind::Blob => match value.as_str() {
                Some(s) if is_base64(s) => {}
                Some(_) => self.problem(path, format_args!("not base64 text")),
                None => wrong(self, "a string (base64)"),
            },
            ShapeKind::Integer | ShapeKind::Long => {
                if !(value.is_i64() || value.is_u64()) {
                    wrong(self, "an integer");
                }
            }
            ShapeKind::Double => {
                if !value.is_number() {
                    wrong(self, "a number");
                }
            }
            ShapeKind::Boolean => {
                if !value.is_boolean() {
                    wrong(self, "a boolean");
                }
            }
            ShapeKind::Timestamp => match value {
                Value::String(_) | Value::Number(_) if time::epoch_of(value).is_some() => {}
                Value::String(s) => {
                    self.problem(path, format_args!("{s:?} is not a valid timestamp"));
                }
                _ => wrong(
                    self,
                    "a timestamp (ISO 8601 text or Unix seconds as a number)",
                ),
            },
        }
    }
}

/// The JSON type of `v`, for messages.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Standard base64 with padding (what AWS sends for blobs).
fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    pad <= 2
        && b[..b.len() - pad]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

#[cfg(test)]
mod tests;
