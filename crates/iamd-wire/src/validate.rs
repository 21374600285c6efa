//! Model constraints (`min`, `max`, `pattern`, `enum`, required, types) and AWS's wording for
//! their violations: `Value 'x' at 'userName' failed to satisfy constraint: Member must …`.

use crate::model::{Shape, ShapeKind};

/// The parameter path AWS names in messages: the member name with its first letter lowercased
/// (`UserName` → `userName`), joined by `.` below a parent (`tags.1.member.key`).
pub fn member_path(parent: &str, member: &str) -> String {
    let mut chars = member.chars();
    let camel: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    if parent.is_empty() {
        camel
    } else {
        format!("{parent}.{camel}")
    }
}

/// Collects constraint violations in the order they are found.
#[derive(Debug, Default)]
pub struct Violations(pub Vec<String>);

impl Violations {
    /// Record that `value` at `path` breaks `rule` ("Member must …"). A `None` value prints as
    /// `Value null`; a sensitive shape's value is never echoed (`Value at`).
    pub fn push(&mut self, value: Subject<'_>, path: &str, rule: &str) {
        let subject = match value {
            Subject::Null => "Value null".to_string(),
            Subject::Hidden => "Value".to_string(),
            Subject::Text(v) => format!("Value '{v}'"),
        };
        self.0.push(format!(
            "{subject} at '{path}' failed to satisfy constraint: {rule}"
        ));
    }

    /// A required member is absent.
    pub fn missing(&mut self, path: &str) {
        self.push(Subject::Null, path, "Member must not be null");
    }
}

/// How a value is shown in a violation message.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// The member is absent: `Value null`.
    Null,
    /// Not shown (sensitive, or not a scalar): `Value`.
    Hidden,
    /// Shown verbatim: `Value 'x'`.
    Text(&'a str),
}

impl<'a> Subject<'a> {
    /// `Text(raw)` unless `shape` is sensitive.
    pub fn of(shape: &Shape, raw: &'a str) -> Self {
        if shape.sensitive {
            Subject::Hidden
        } else {
            Subject::Text(raw)
        }
    }
}

/// Check a string against its shape's `pattern`, `enum`, `min` and `max` (lengths in Unicode
/// code points), in that order.
pub fn check_string(shape: &Shape, value: &str, path: &str, out: &mut Violations) {
    let subject = Subject::of(shape, value);
    if let ShapeKind::String {
        pattern,
        enum_values,
    } = &shape.kind
    {
        if let Some(p) = pattern {
            if p.matches(value) == Some(false) {
                let rule = format!(
                    "Member must satisfy regular expression pattern: {}",
                    p.source
                );
                out.push(subject, path, &rule);
            }
        }
        if !enum_values.is_empty() && !enum_values.iter().any(|e| e == value) {
            let rule = format!(
                "Member must satisfy enum value set: [{}]",
                enum_values.join(", ")
            );
            out.push(subject, path, &rule);
        }
    }
    check_length(shape, value.chars().count(), subject, path, out);
}

/// Check a length (string, list or map size) against `min` / `max`.
pub fn check_length(
    shape: &Shape,
    len: usize,
    subject: Subject<'_>,
    path: &str,
    out: &mut Violations,
) {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if let Some(max) = shape.max {
        if len > max {
            let rule = format!("Member must have length less than or equal to {max}");
            out.push(subject, path, &rule);
        }
    }
    if let Some(min) = shape.min {
        if len < min {
            let rule = format!("Member must have length greater than or equal to {min}");
            out.push(subject, path, &rule);
        }
    }
}

/// Check a number against `min` / `max` (values).
pub fn check_range(shape: &Shape, value: f64, raw: &str, path: &str, out: &mut Violations) {
    let subject = Subject::of(shape, raw);
    if let Some(max) = shape.max {
        // Model bounds are small integers: exact as f64.
        #[allow(clippy::cast_precision_loss)]
        if value > max as f64 {
            let rule = format!("Member must have value less than or equal to {max}");
            out.push(subject, path, &rule);
        }
    }
    if let Some(min) = shape.min {
        #[allow(clippy::cast_precision_loss)]
        if value < min as f64 {
            let rule = format!("Member must have value greater than or equal to {min}");
            out.push(subject, path, &rule);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_paths() {
        assert_eq!(member_path("", "UserName"), "userName");
        assert_eq!(
            member_path("", "SAMLMetadataDocument"),
            "sAMLMetadataDocument"
        );
        assert_eq!(member_path("tags.1.member", "Key"), "tags.1.member.key");
    }

    #[test]
    fn message_shapes() {
        let mut v = Violations::default();
        v.missing("userName");
        v.push(Subject::Text("x"), "a", "Member must b");
        v.push(Subject::Hidden, "password", "Member must c");
        assert_eq!(
            v.0,
            vec![
                "Value null at 'userName' failed to satisfy constraint: Member must not be null",
                "Value 'x' at 'a' failed to satisfy constraint: Member must b",
                "Value at 'password' failed to satisfy constraint: Member must c",
            ]
        );
    }
}
