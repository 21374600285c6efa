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
        out: String::with_capacity(1024),
        problems: Vec::new(),
    };
    w.out.push('<');
    w.out.push_str(action);
    w.out.push_str("Response xmlns=\"");
    escape_into(&mut w.out, &model.xml_namespace);
    w.out.push_str("\">");
    match &op.output {
        Some(shape) => {
            if let Some(wrapper) = &op.result_wrapper {
                w.open(wrapper, None);
                w.members(shape, result, &Path::Root, 0);
                w.close(wrapper);
            } else {
                w.members(shape, result, &Path::Root, 0);
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
    w.out.push_str("</");
    w.out.push_str(action);
    w.out.push_str("Response>");
    Ok(Encoded {
        xml: w.out,
        problems: w.problems,
    })
}

/// The members of `result` the output shape of `action` does not account for (see
/// [`Encoded::problems`]); empty when it matches. Lenient: it accepts what the encoder can
/// coerce; [`check_output`](crate::check_output) also reports JSON types that differ from the
/// shape's, enum values and missing required members.
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
        // A JSON service: no XML documents (only reached when encoding its errors as XML).
        Service::CloudTrail => "https://cloudtrail.amazonaws.com/doc/2013-11-01/",
    }
}

/// Escape text for XML content or a double-quoted attribute. `\r` is written as `&#xD;` so it
/// survives parsing; other control characters XML 1.0 cannot carry become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Whether `c` is written as something other than itself by [`escape`].
fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{FFFE}' | '\u{FFFF}')
        || ((c as u32) < 0x20 && c != '\t' && c != '\n')
}

/// [`escape`], appending to `out`: runs of characters that need nothing are copied whole.
fn escape_into(out: &mut String, s: &str) {
    // Most texts (names, ids, ARNs, dates) are plain ASCII: one byte scan, one copy.
    let plain_ascii =
        |b: &u8| (0x20..0x80).contains(b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'');
    if s.as_bytes().iter().all(plain_ascii) {
        out.push_str(s);
        return;
    }
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        if !needs_escape(c) {
            continue;
        }
        out.push_str(&s[plain..i]);
        plain = i + c.len_utf8();
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push('\u{FFFD}'),
        }
    }
    out.push_str(&s[plain..]);
}

/// Where a value sits in the result, rendered (`Users[3].CreateDate`) only when a problem is
/// reported.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root,
    Member(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    /// `Users[3].CreateDate`; empty for the result itself.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    fn render_into(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.render_into(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, i) => {
                parent.render_into(out);
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Path::Key(parent, k) => {
                parent.render_into(out);
                out.push('.');
                out.push_str(k);
            }
        }
    }
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
            escape_into(&mut self.out, ns);
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
        escape_into(&mut self.out, text);
        self.close(name);
    }

    fn problem(&mut self, path: &Path<'_>, what: std::fmt::Arguments<'_>) {
        self.problems.push(format!("{}: {what}", path.render()));
    }

    /// Emit the members of the structure `shape` from the object `value`, in model order.
    fn members(&mut self, shape: &str, value: &Value, path: &Path<'_>, depth: usize) {
        let Some(ShapeKind::Structure { members, .. }) = self.model.shape(shape).map(|s| &s.kind)
        else {
            self.problem(path, format_args!("model shape {shape} is not a structure"));
            return;
        };
        let Some(obj) = value.as_object() else {
            if !value.is_null() {
                let at = path.render();
                self.problems
                    .push(format!("{}: expected an object", display(&at)));
            }
            return;
        };
        for m in members {
            match obj.get(&m.name) {
                None | Some(Value::Null) => {}
                Some(v) => {
                    let at = Path::Member(path, &m.name);
                    self.element(m.wire_name(), m, v, &at, depth + 1);
                }
            }
        }
        for k in obj.keys() {
            if !members.iter().any(|m| &m.name == k) {
                self.problem(&Path::Member(path, k), format_args!("not in the model"));
            }
        }
    }

    /// Emit `<name>…</name>` for `value` of the shape `member` refers to.
    fn element(
        &mut self,
        name: &str,
        member: &Member,
        value: &Value,
        path: &Path<'_>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            self.problem(path, format_args!("nested too deeply"));
            return;
        }
        let Some(shape) = self.model.shape(&member.shape) else {
            self.problem(path, format_args!("model lacks shape {}", member.shape));
            return;
        };
        match &shape.kind {
            ShapeKind::Structure { .. } => {
                if !value.is_object() {
                    self.problem(path, format_args!("expected an object"));
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
                    self.problem(path, format_args!("expected an array"));
                    return;
                };
                if !flattened {
                    self.open(name, None);
                }
                let item_name = if *flattened { name } else { item.wire_name() };
                for (i, v) in items.iter().enumerate() {
                    if !v.is_null() {
                        self.element(item_name, item, v, &Path::Index(path, i), depth + 1);
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
                    self.problem(path, format_args!("expected an object"));
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
                        self.element(val.wire_name(), val, v, &Path::Key(path, k), depth + 1);
                    }
                    self.close(entry_name);
                }
                if !flattened {
                    self.close(name);
                }
            }
            kind => {
                let mark = self.out.len();
                self.open(name, None);
                if self.scalar_text(kind, value) {
                    self.close(name);
                } else {
                    self.out.truncate(mark);
                    self.problem(path, format_args!("not a valid {}", kind_name(kind)));
                }
            }
        }
    }

    /// Appends the text of a scalar value; `false` (having appended nothing) if it does not
    /// fit the shape's kind.
    fn scalar_text(&mut self, kind: &ShapeKind, value: &Value) -> bool {
        use std::fmt::Write as _;
        let out = &mut self.out;
        match (kind, value) {
            (ShapeKind::Timestamp, v) => match time::epoch_of(v) {
                Some(epoch) => time::write_iso8601(out, epoch),
                None => return false,
            },
            (ShapeKind::Boolean, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
            (ShapeKind::Boolean, Value::String(s)) if s == "true" || s == "false" => {
                out.push_str(s)
            }
            (ShapeKind::Integer | ShapeKind::Long, Value::Number(n))
                if n.is_i64() || n.is_u64() =>
            {
                let _ = write!(out, "{n}");
            }
            (ShapeKind::Integer | ShapeKind::Long, Value::String(s))
                if s.parse::<i64>().is_ok() =>
            {
                escape_into(out, s)
            }
            (ShapeKind::Double, Value::Number(n)) => {
                let _ = write!(out, "{n}");
            }
            (ShapeKind::Double, Value::String(s)) if s.parse::<f64>().is_ok() => {
                escape_into(out, s)
            }
            (ShapeKind::String { .. } | ShapeKind::Blob, Value::String(s)) => escape_into(out, s),
            (ShapeKind::String { .. }, Value::Number(n)) => {
                let _ = write!(out, "{n}");
            }
            (ShapeKind::String { .. }, Value::Bool(b)) => {
                out.push_str(if *b { "true" } else { "false" })
            }
            _ => return false,
        }
        true
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

fn display(path: &str) -> &str {
    if path.is_empty() {
        "result"
    } else {
        path
    }
}

#[cfg(test)]
mod tests;
