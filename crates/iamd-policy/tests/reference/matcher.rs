#![allow(dead_code)]
//! Naive reference matchers, straight from AWS's documentation of the policy language:
//! `*` matches any run of characters (none included), `?` exactly one; ARNs are compared
//! segment by segment (`arn:partition:service:region:account:resource`), wildcards never
//! crossing the `:` between the first five segments; the resource part is matched whole.
//! Policy variables `${key}` (and `${key, 'default'}`) are replaced by the request's value
//! before matching; `${*}`, `${?}` and `${$}` are the literal characters. No hashing, no
//! leads, no backtracking tricks: a table over characters.

/// One element of a pattern after variables are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Char(char),
    Star,
    One,
}

/// Whether `units` matches all of `subject`: the textbook table, `table[p][s]` telling whether
/// `units[p..]` matches `subject[s..]` (a `*` matches nothing, or one character and is
/// still there).
pub fn glob(units: &[Unit], subject: &[char]) -> bool {
    let (np, ns) = (units.len(), subject.len());
    let mut table = vec![vec![false; ns + 1]; np + 1];
    table[np][ns] = true;
    for p in (0..np).rev() {
        for s in (0..=ns).rev() {
            table[p][s] = match units[p] {
                Unit::Star => table[p + 1][s] || (s < ns && table[p][s + 1]),
                Unit::One => s < ns && table[p + 1][s + 1],
                Unit::Char(c) => s < ns && subject[s] == c && table[p + 1][s + 1],
            };
        }
    }
    table[0][0]
}

/// Resolves `${...}` in `text` (when `variables`) with `lookup`; `None` when a variable has
/// neither a value nor a default (AWS: the pattern then matches nothing). `*` and `?` are
/// wildcards when `wildcards`. Returns the units split into segments at the first `splits`
/// literal colons (`:` from a variable's value never splits).
pub fn resolve(
    text: &str,
    wildcards: bool,
    variables: bool,
    splits: usize,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<Vec<Vec<Unit>>> {
    let mut segments: Vec<Vec<Unit>> = vec![Vec::new()];
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if variables && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                let value = match inner {
                    "*" | "?" | "$" => inner.to_string(),
                    _ => variable(inner, lookup)?,
                };
                let last = segments.last_mut()?;
                last.extend(value.chars().map(Unit::Char));
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        let unit = match c {
            ':' if segments.len() <= splits => {
                segments.push(Vec::new());
                continue;
            }
            '*' if wildcards => Unit::Star,
            '?' if wildcards => Unit::One,
            _ => Unit::Char(c),
        };
        segments.last_mut()?.push(unit);
    }
    Some(segments)
}

/// The value of `key` or `key, 'default'`.
fn variable(inner: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let default = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(default);
            (key.trim(), Some(default.to_string()))
        }
        None => (inner.trim(), None),
    };
    lookup(&key.to_ascii_lowercase()).or(default)
}

/// Whether an action pattern (`iam:Get*`) matches an action: case-insensitive (ASCII), no
/// variables.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let Some(units) = resolve(&pattern, true, false, 0, &|_| None) else {
        return false;
    };
    let subject: Vec<char> = action.to_ascii_lowercase().chars().collect();
    glob(&units[0], &subject)
}

/// A `Resource` entry as AWS reads it: an entry with fewer than six parts has the missing
/// ones as `*` (`arn:aws:ec2:*` is `arn:aws:ec2:*:*:*`); the first part stays what it is.
pub fn resource_entry(pattern: &str) -> String {
    match pattern.split_once(':') {
        Some((prefix, rest)) if pattern != "*" => {
            let mut parts: Vec<&str> = rest.splitn(5, ':').collect();
            if parts == [""] {
                parts.clear();
            }
            parts.resize(5, "*");
            format!("{prefix}:{}", parts.join(":"))
        }
        _ => pattern.to_string(),
    }
}

/// Whether a resource pattern matches an ARN (`*` matches anything, ARN or not).
pub fn arn_matches(
    pattern: &str,
    arn: &str,
    variables: bool,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return false;
    }
    let Some(segments) = resolve(pattern, true, variables, 5, lookup) else {
        return false;
    };
    if segments.len() != 6 || segments[0] != [Unit::Char('a'), Unit::Char('r'), Unit::Char('n')] {
        return false;
    }
    segments
        .iter()
        .zip(&parts)
        .all(|(units, part)| glob(units, &part.chars().collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_entries_are_padded() {
        assert_eq!(resource_entry("arn:aws:ec2:*"), "arn:aws:ec2:*:*:*");
        assert_eq!(resource_entry("arn:"), "arn:*:*:*:*:*");
        assert_eq!(resource_entry("arn:aws:s3:::b/x:y"), "arn:aws:s3:::b/x:y");
        assert_eq!(resource_entry("*"), "*");
    }

    #[test]
    fn the_reference_matches_as_documented() {
        assert!(action_matches("iam:Get*", "IAM:GetUser"));
        assert!(!action_matches("iam:?etUser", "iam:GetUsers"));
        let none = |_: &str| None;
        assert!(arn_matches(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/x:y/z",
            true,
            &none
        ));
        assert!(!arn_matches(
            "arn:aws:*:::b",
            "arn:aws:s3:x::b",
            true,
            &none
        ));
        let alice = |k: &str| (k == "aws:username").then(|| "alice".to_string());
        assert!(arn_matches(
            "arn:aws:iam::1:user/${aws:username}",
            "arn:aws:iam::1:user/alice",
            true,
            &alice
        ));
        assert!(!arn_matches(
            "arn:aws:iam::1:user/${aws:nope}",
            "arn:aws:iam::1:user/",
            true,
            &alice
        ));
        assert!(arn_matches(
            "arn:aws:iam::1:user/${aws:nope, 'x'}",
            "arn:aws:iam::1:user/x",
            true,
            &alice
        ));
    }
}
