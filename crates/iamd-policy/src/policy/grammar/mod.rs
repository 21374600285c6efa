//! AWS's create-time checks of a policy document, in the order AWS applies them, so that a
//! document with several problems gets the message AWS gives for it.
//!
//! The phases and texts follow AWS's answers recorded by others (moto's
//! `tests/test_iam/test_iam_policies.py`, each case a real `CreatePolicy` response) and
//! AWS's grammar page ("Grammar of the IAM JSON policy language"):
//!
//! 1. syntax (`Syntax errors in policy.`): shapes, element names, `Version` value, `Effect`
//!    in any case, condition operators known unless their block is empty;
//! 2. for managed policies, `Version` 2012-10-17 (`Policy document must be version
//!    2012-10-17 or greater.`);
//! 3. legacy parsing (`The policy failed legacy parsing`): `Effect` in its exact case,
//!    `Date*` values, then the resources (after their format checks, see `resource`);
//! 4. unique `Sid`s; 5. actions present; 6. resources present (identity policies);
//! 7. the first resource format error; 8. action vendors (`Action`, then `NotAction`).
//!
//! Condition keys need no vendor prefix (AWS accepts `{"StringEqualsIfExists": {"a":
//! "asf"}}`), condition blocks may be empty, and a key may have an empty list of values.

mod date;
mod resource;

use serde_json::{Map, Value};

use super::PolicyKind;
use crate::condition::{Family, Operator};
use crate::error::{messages, Place, PolicyError};

type Statement<'a> = (Place, &'a Map<String, Value>);

/// Checks `doc` as AWS does when the document is created. `managed`: a managed policy's
/// version, which must be 2012-10-17.
pub(super) fn check(doc: &Value, kind: PolicyKind, managed: bool) -> Result<(), PolicyError> {
    let statements = syntax(doc)?;
    if managed && doc.get("Version").and_then(Value::as_str) != Some("2012-10-17") {
        let place = Place::root().child("Version");
        let detail = "a managed policy needs \"Version\": \"2012-10-17\"";
        return Err(PolicyError::new(messages::VERSION, &place, detail));
    }
    for (place, st) in &statements {
        legacy_statement(place, st)?;
    }
    let resource_error = resource::check_all(&statements)?;
    unique_sids(&statements)?;
    for (place, st) in &statements {
        present(place, st, "Action", messages::MISSING_ACTIONS)?;
    }
    if kind == PolicyKind::Identity {
        for (place, st) in &statements {
            present(place, st, "Resource", messages::MISSING_RESOURCES)?;
        }
    }
    if let Some(error) = resource_error {
        return Err(error);
    }
    for key in ["Action", "NotAction"] {
        for (place, st) in &statements {
            for action in strings(st.get(key)) {
                check_action(action, &place.child(key))?;
            }
        }
    }
    Ok(())
}

fn syntax_error(place: &Place, detail: impl Into<String>) -> PolicyError {
    PolicyError::new(messages::SYNTAX, place, detail)
}

/// Phase 1: the statements, with their places, or `Syntax errors in policy.`.
fn syntax(doc: &Value) -> Result<Vec<Statement<'_>>, PolicyError> {
    let root = Place::root();
    let Value::Object(doc) = doc else {
        return Err(syntax_error(&root, "the document must be a JSON object"));
    };
    if let Some(key) = doc
        .keys()
        .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
    {
        return Err(syntax_error(&root, format!("unknown element `{key}`")));
    }
    match doc.get("Version") {
        None => {}
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {}
        Some(other) => {
            let detail = format!("`{other}` is not 2012-10-17 or 2008-10-17");
            return Err(syntax_error(&root.child("Version"), detail));
        }
    }
    if doc.get("Id").is_some_and(|id| !id.is_string()) {
        return Err(syntax_error(&root.child("Id"), "`Id` must be a string"));
    }
    let items: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(items)) if !items.is_empty() => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => {
            let detail = "`Statement` must be an object or a non-empty array of objects";
            return Err(syntax_error(&root.child("Statement"), detail));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| statement_syntax(index, item))
        .collect()
}

const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

fn statement_syntax(index: usize, item: &Value) -> Result<Statement<'_>, PolicyError> {
    let mut place = Place::root().child(format!("Statement[{index}]"));
    let Value::Object(st) = item else {
        return Err(syntax_error(&place, "a statement must be a JSON object"));
    };
    match st.get("Sid") {
        None => {}
        Some(Value::String(sid)) => {
            place = Place::root().child(format!("Statement[{index}] (Sid {sid})"));
        }
        Some(_) => return Err(syntax_error(&place.child("Sid"), "`Sid` must be a string")),
    }
    if let Some(key) = st.keys().find(|k| !STATEMENT_KEYS.contains(&k.as_str())) {
        return Err(syntax_error(&place, format!("unknown element `{key}`")));
    }
    for name in ["Action", "Resource", "Principal"] {
        if st.contains_key(name) && st.contains_key(&format!("Not{name}")) {
            let detail = format!("a statement cannot have both `{name}` and `Not{name}`");
            return Err(syntax_error(&place, detail));
        }
    }
    let effect_ok = st
        .get("Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("Allow") || e.eq_ignore_ascii_case("Deny"));
    if !effect_ok {
        let detail = "`Effect` must be `Allow` or `Deny`";
        return Err(syntax_error(&place.child("Effect"), detail));
    }
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        if st.get(key).is_some_and(|v| !is_string_list(v)) {
            let detail = format!("`{key}` must be a string or an array of strings");
            return Err(syntax_error(&place.child(key), detail));
        }
    }
    if let Some(block) = st.get("Condition") {
        condition_syntax(block, &place.child("Condition"))?;
    }
    Ok((place, st))
}

fn is_string_list(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Array(items) => items.iter().all(Value::is_string),
        _ => false,
    }
}

/// The strings of `Action`-like elements (after the syntax phase: a string or strings).
fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `Condition`: an object of operators, each an object of keys; a key's values a scalar or
/// an array of scalars. An unknown operator is refused unless its block is empty.
fn condition_syntax(block: &Value, place: &Place) -> Result<(), PolicyError> {
    let Value::Object(operators) = block else {
        return Err(syntax_error(
            place,
            "`Condition` must be an object of operators",
        ));
    };
    for (name, keys) in operators {
        let op_place = place.child(name);
        let Value::Object(keys) = keys else {
            let detail = "an operator must map condition keys to values";
            return Err(syntax_error(&op_place, detail));
        };
        if Operator::parse(name).is_none() && !keys.is_empty() {
            let detail = format!("unknown condition operator `{name}`");
            return Err(syntax_error(&op_place, detail));
        }
        for (key, values) in keys {
            let scalar =
                |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
            let ok = match values {
                Value::Array(items) => items.iter().all(scalar),
                other => scalar(other),
            };
            if !ok {
                let detail = "values must be strings, numbers, booleans or an array of them";
                return Err(syntax_error(&op_place.child(key), detail));
            }
        }
    }
    Ok(())
}

/// Phase 3, first part: `Effect` in its exact case and `Date*` condition values.
fn legacy_statement(place: &Place, st: &Map<String, Value>) -> Result<(), PolicyError> {
    let effect = st.get("Effect").and_then(Value::as_str).unwrap_or_default();
    if effect != "Allow" && effect != "Deny" {
        let detail = format!("`{effect}` must be written `Allow` or `Deny`");
        return Err(PolicyError::new(
            messages::LEGACY_PARSING,
            &place.child("Effect"),
            detail,
        ));
    }
    let Some(Value::Object(operators)) = st.get("Condition") else {
        return Ok(());
    };
    for (name, keys) in operators {
        let is_date =
            Operator::parse(name).is_some_and(|op| op.comparison.family() == Family::Date);
        let Value::Object(keys) = keys else { continue };
        for (key, values) in keys.iter().filter(|_| is_date) {
            for value in scalars(values) {
                if !date::legacy_date(&value) {
                    let detail = format!("`{value}` is not an ISO 8601 date or epoch time");
                    let place = place.child("Condition").child(name).child(key);
                    return Err(PolicyError::new(messages::LEGACY_PARSING, &place, detail));
                }
            }
        }
    }
    Ok(())
}

/// A condition key's values as text.
pub(super) fn scalars(values: &Value) -> Vec<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match values {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        other => text(other).into_iter().collect(),
    }
}

/// Phase 4: non-empty `Sid`s are unique.
fn unique_sids(statements: &[Statement<'_>]) -> Result<(), PolicyError> {
    let mut seen: Vec<&str> = Vec::new();
    for (place, st) in statements {
        let Some(sid) = st.get("Sid").and_then(Value::as_str) else {
            continue;
        };
        if !sid.is_empty() && seen.contains(&sid) {
            let detail = format!("`{sid}` is used twice");
            return Err(PolicyError::new(
                messages::SID_UNIQUE,
                &place.child("Sid"),
                detail,
            ));
        }
        seen.push(sid);
    }
    Ok(())
}

/// Phases 5 and 6: `name` or `Not{name}` is present and not an empty list.
fn present(
    place: &Place,
    st: &Map<String, Value>,
    name: &str,
    message: &str,
) -> Result<(), PolicyError> {
    let not_name = format!("Not{name}");
    let key = if st.contains_key(name) {
        name
    } else {
        not_name.as_str()
    };
    match st.get(key) {
        None => {
            let detail = format!("no `{name}` or `{not_name}`");
            Err(PolicyError::new(message, place, detail))
        }
        Some(Value::Array(items)) if items.is_empty() => Err(PolicyError::new(
            message,
            &place.child(key),
            format!("`{key}` is empty"),
        )),
        Some(_) => Ok(()),
    }
}

/// Phase 8: `vendor:action` (one colon; the vendor letters, digits, `-`, `.` and the
/// wildcards) or `*`.
fn check_action(text: &str, place: &Place) -> Result<(), PolicyError> {
    if text == "*" {
        return Ok(());
    }
    let detail = format!("`{text}`");
    let Some((vendor, name)) = text.split_once(':') else {
        return Err(PolicyError::new(messages::NO_VENDOR, place, detail));
    };
    if name.contains(':') {
        return Err(PolicyError::new(messages::ONE_COLON, place, detail));
    }
    let vendor_ok = !vendor.is_empty()
        && vendor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'*' | b'?'));
    if !vendor_ok {
        return Err(PolicyError::new(
            format!("Vendor {vendor} is not valid"),
            place,
            detail,
        ));
    }
    if name.is_empty() {
        return Err(syntax_error(place, format!("`{text}` names no action")));
    }
    Ok(())
}
