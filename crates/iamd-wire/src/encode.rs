//! Encode results and errors as AWS Query XML, walking the operation's output shape.
//!
//! Structures emit members in model order (absent and `null` members skipped), lists
//! `<Name><member>…</member></Name>`, maps `<Name><entry><key/><value/></entry></Name>`,
//! timestamps `2026-11-23T08:44:41Z`, blobs as the base64 text they already are.

use serde_json::Value;

use crate::error::WireError;
use crate::model::{Member, Service, ServiceModel, ShapeKind};
use crate::time;

/// Values nested deeper than this are not emitted (reported as a problem instead).
const MAX_DEPTH: usize = 64;

/// An encoded response with the problems found on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The response document.
    pub xml: String,
    /// Parts of the result that were not emitted: members the model does not know
    /// (`User.Nickname`) and values of the wrong type (`User.CreateDate: not a timestamp`).
    /// Empty when the result matches the model; tests should assert that.
    pub problems: Vec<String>,
}

/// Encode `result` (a JSON object with the output shape's PascalCase member names) as the
/// `<{action}Response>` document. Parts the model does not know are left out; use
/// [`encode_response_checked`] to see them. Fails only for an action the model lacks.
pub fn encode_response(
    model: &ServiceModel,
    action: &str,
    result: &Value,
    request_id: &str,
) -> Result<String, WireError> {
    encode_response_checked(model, action, result, request_id).map(|e| e.xml)
}

/// [`encode_response`], also returning what was left out (for strict checks in tests and
/// debug builds).
pub fn encode_response_checked(
    model: &ServiceModel,
    action: &str,
    result: &Value,
    request_id: &str,
) -> Result<Encoded, WireError> {
    let op = model.operation(action).ok_or_else(|| {
        WireError::internal(format!(
            "cannot encode a response for unknown operation {action}"
        ))
    })?;
    let mut w = Writer {
        model,
        out: String::with_capacity(512),
        problems: Vec::new(),
    };
    w.open(&format!("{action}Response"), Some(&model.xml_namespace));
    match &op.output {
        Some(shape) => {
            if let Some(wrapper) = &op.result_wrapper {
                w.open(wrapper, None);
                w.members(shape, result, "", 0);
                w.close(wrapper);
            } else {
                w.members(shape, result, "", 0);
            }
        }
        None => {
            if let Some(obj) = result.as_object() {
                for (k, v) in obj {
                    if !v.is_null() {
                        w.problems.push(format!("{k}: {action} has no output"));
                    }
                }
            }
        }
    }
    w.open("ResponseMetadata", None);
    w.text_element("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close(&format!("{action}Response"));
    Ok(Encoded {
        xml: w.out,
        problems: w.problems,
    })
}

/// The members of `result` the output shape of `action` does not account for (see
/// [`Encoded::problems`]); empty when it matches.
pub fn check_result(model: &ServiceModel, action: &str, result: &Value) -> Vec<String> {
    match encode_response_checked(model, action, result, "") {
        Ok(e) => e.problems,
        Err(e) => vec![e.message],
    }
}

/// The AWS Query error envelope: `<ErrorResponse xmlns=…><Error><Type>Sender|Receiver</Type>
/// <Code/><Message/></Error><RequestId/></ErrorResponse>`.
pub fn encode_error(
    service: Service,
    code: &str,
    message: &str,
    sender: bool,
    request_id: &str,
) -> String {
    let ns = namespace(service);
    let kind = if sender { "Sender" } else { "Receiver" };
    format!(
        "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code>\
         <Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(ns),
        escape(code),
        escape(message),
        escape(request_id)
    )
}

/// [`encode_error`] for a [`WireError`].
pub fn encode_wire_error(service: Service, error: &WireError, request_id: &str) -> String {
    encode_error(
        service,
        &error.code,
        &error.message,
        error.is_sender(),
        request_id,
    )
}

fn namespace(service: Service) -> &'static str {
    let ns = &ServiceModel::get(service).xml_namespace;
    if !ns.is_empty() {
        return ns;
    }
    match service {
        Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
        Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
    }
}

/// Escape text for XML content or a double-quoted attribute. `\r` is written as `&#xD;` so it
/// survives parsing; other control characters XML 1.0 cannot carry become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

struct Writer<'m> {
    model: &'m ServiceModel,
    out: String,
    problems: Vec<String>,
}

impl Writer<'_> {
    fn open(&mut self, name: &str, ns: Option<&str>) {
        self.out.push('<');
        self.out.push_str(name);
        if let Some(ns) = ns {
            self.out.push_str(" xmlns=\"");
            self.out.push_str(&escape(ns));
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn text_element(&mut self, name: &str, text: &str) {
        self.open(name, None);
        self.out.push_str(&escape(text));
        self.close(name);
    }

    /// Emit the members of the structure `shape` from the object `value`, in model order.
    fn members(&mut self, shape: &str, value: &Value, path: &str, depth: usize) {
        let Some(ShapeKind::Structure { members, .. }) = self.model.shape(shape).map(|s| &s.kind)
        else {
            self.problems
                .push(format!("{path}: model shape {shape} is not a structure"));
            return;
        };
        let Some(obj) = value.as_object() else {
            if !value.is_null() {
                self.problems
                    .push(format!("{}: expected an object", display(path)));
            }
            return;
        };
        for m in members {
            match obj.get(&m.name) {
                None | Some(Value::Null) => {}
                Some(v) => self.element(m.wire_name(), m, v, &join(path, &m.name), depth + 1),
            }
        }
        for k in obj.keys() {
            if !members.iter().any(|m| &m.name == k) {
                self.problems
                    .push(format!("{}: not in the model", join(path, k)));
            }
        }
    }

    /// Emit `<name>…</name>` for `value` of the shape `member` refers to.
    fn element(&mut self, name: &str, member: &Member, value: &Value, path: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.problems.push(format!("{path}: nested too deeply"));
            return;
        }
        let Some(shape) = self.model.shape(&member.shape) else {
            self.problems
                .push(format!("{path}: model lacks shape {}", member.shape));
            return;
        };
        match &shape.kind {
            ShapeKind::Structure { .. } => {
                if !value.is_object() {
                    self.problems.push(format!("{path}: expected an object"));
                    return;
                }
                self.open(name, None);
                self.members(&member.shape, value, path, depth);
                self.close(name);
            }
            ShapeKind::List {
                member: item,
                flattened,
            } => {
                let Some(items) = value.as_array() else {
                    self.problems.push(format!("{path}: expected an array"));
                    return;
                };
                if !flattened {
                    self.open(name, None);
                }
                let item_name = if *flattened { name } else { item.wire_name() };
                for (i, v) in items.iter().enumerate() {
                    if !v.is_null() {
                        self.element(item_name, item, v, &format!("{path}[{i}]"), depth + 1);
                    }
                }
                if !flattened {
                    self.close(name);
                }
            }
            ShapeKind::Map {
                key,
                value: val,
                flattened,
            } => {
                let Some(entries) = value.as_object() else {
                    self.problems.push(format!("{path}: expected an object"));
                    return;
                };
                if !flattened {
                    self.open(name, None);
                }
                let entry_name = if *flattened { name } else { "entry" };
                for (k, v) in entries {
                    self.open(entry_name, None);
                    self.text_element(key.wire_name(), k);
                    if !v.is_null() {
                        let vp = format!("{path}.{k}");
                        self.element(val.wire_name(), val, v, &vp, depth + 1);
                    }
                    self.close(entry_name);
                }
                if !flattened {
                    self.close(name);
                }
            }
            kind => match scalar_text(kind, value) {
                Some(text) => self.text_element(name, &text),
                None => self
                    .problems
                    .push(format!("{path}: not a valid {}", kind_name(kind))),
            },
        }
    }
}

/// The text of a scalar value, or `None` if it does not fit the shape's kind.
fn scalar_text(kind: &ShapeKind, value: &Value) -> Option<String> {
    match (kind, value) {
        (ShapeKind::Timestamp, v) => time::normalize(v),
        (ShapeKind::Boolean, Value::Bool(b)) => Some(b.to_string()),
        (ShapeKind::Boolean, Value::String(s)) if s == "true" || s == "false" => Some(s.clone()),
        (ShapeKind::Integer | ShapeKind::Long, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            Some(n.to_string())
        }
        (ShapeKind::Integer | ShapeKind::Long, Value::String(s)) if s.parse::<i64>().is_ok() => {
            Some(s.clone())
        }
        (ShapeKind::Double, Value::Number(n)) => Some(n.to_string()),
        (ShapeKind::Double, Value::String(s)) if s.parse::<f64>().is_ok() => Some(s.clone()),
        (ShapeKind::String { .. } | ShapeKind::Blob, Value::String(s)) => Some(s.clone()),
        (ShapeKind::String { .. }, Value::Number(n)) => Some(n.to_string()),
        (ShapeKind::String { .. }, Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn kind_name(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Timestamp => "timestamp",
        ShapeKind::Boolean => "boolean",
        ShapeKind::Integer | ShapeKind::Long => "integer",
        ShapeKind::Double => "number",
        ShapeKind::Blob => "blob (base64 string)",
        _ => "string",
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn display(path: &str) -> &str {
    if path.is_empty() {
        "result"
    } else {
        path
    }
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
