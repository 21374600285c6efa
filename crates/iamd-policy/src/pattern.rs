//! Wildcard patterns (`*` any run, `?` one character) with policy variables (`${key}`),
//! compiled once and matched without re-parsing.

use crate::context::Context;

/// One element of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Literal text; `*` and `?` inside are literal (they came from `${*}`, `${?}` or a
    /// non-wildcard operator).
    Lit(String),
    Star,
    One,
    /// `${key}` or `${key, 'default'}`; the key is stored lowercase.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// Splits a policy string into tokens. `wildcards`: whether `*` and `?` are wildcards;
/// `variables`: whether `${...}` is a policy variable (version 2012-10-17 only).
pub(crate) fn tokenize(text: &str, wildcards: bool, variables: bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if variables && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                match inner {
                    "*" | "?" | "$" => lit.push_str(inner),
                    _ => {
                        flush(&mut tokens, &mut lit);
                        tokens.push(parse_variable(inner));
                    }
                }
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '*' if wildcards => {
                flush(&mut tokens, &mut lit);
                tokens.push(Token::Star);
            }
            '?' if wildcards => {
                flush(&mut tokens, &mut lit);
                tokens.push(Token::One);
            }
            _ => lit.push(c),
        }
    }
    flush(&mut tokens, &mut lit);
    tokens
}

fn flush(tokens: &mut Vec<Token>, lit: &mut String) {
    if !lit.is_empty() {
        tokens.push(Token::Lit(std::mem::take(lit)));
    }
}

/// `aws:username` or `aws:username, 'default'`.
fn parse_variable(inner: &str) -> Token {
    if let Some((key, default)) = inner.split_once(',') {
        let default = default.trim();
        let default = default
            .strip_prefix('\'')
            .and_then(|d| d.strip_suffix('\''))
            .unwrap_or(default);
        Token::Var {
            key: key.trim().to_ascii_lowercase(),
            default: Some(default.to_string()),
        }
    } else {
        Token::Var {
            key: inner.trim().to_ascii_lowercase(),
            default: None,
        }
    }
}

/// One unit of a wildcard pattern after variables are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Byte(u8),
    Star,
    One,
}

/// A compiled pattern, specialised for the common shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// `*`: matches everything.
    Any,
    /// No wildcards, no variables.
    Exact(String),
    /// `prefix*`.
    Prefix(String),
    /// Wildcards, no variables.
    Glob(Vec<Unit>),
    /// Contains policy variables: resolved per request.
    Template(Vec<Token>),
}

impl Pattern {
    pub(crate) fn from_tokens(tokens: Vec<Token>) -> Pattern {
        if tokens.iter().any(|t| matches!(t, Token::Var { .. })) {
            return Pattern::Template(tokens);
        }
        match tokens.as_slice() {
            [] => Pattern::Exact(String::new()),
            [Token::Star] => Pattern::Any,
            [Token::Lit(s)] => Pattern::Exact(s.clone()),
            [Token::Lit(s), Token::Star] => Pattern::Prefix(s.clone()),
            _ => {
                let mut units = Vec::new();
                push_units(&mut units, &tokens);
                Pattern::Glob(units)
            }
        }
    }

    /// Parses and compiles `text`.
    pub(crate) fn compile(text: &str, wildcards: bool, variables: bool) -> Pattern {
        Pattern::from_tokens(tokenize(text, wildcards, variables))
    }

    /// Whether `subject` matches. `None` when a variable is absent from the context and has
    /// no default: then the element matches nothing (AWS).
    #[inline]
    pub(crate) fn matches(&self, subject: &str, context: &Context) -> Option<bool> {
        Some(match self {
            Pattern::Any => true,
            Pattern::Exact(s) => same(s.as_bytes(), subject.as_bytes()),
            Pattern::Prefix(p) => starts_with(subject.as_bytes(), p.as_bytes()),
            Pattern::Glob(units) => glob(units, subject.as_bytes()),
            Pattern::Template(tokens) => return template(tokens, subject, context),
        })
    }

    /// The pattern with variables resolved, as text (for explanations).
    pub(crate) fn resolve_text(tokens: &[Token], context: &Context) -> Option<String> {
        let mut out = String::new();
        for token in tokens {
            match token {
                Token::Lit(s) => out.push_str(s),
                Token::Star => out.push('*'),
                Token::One => out.push('?'),
                Token::Var { key, default } => match context.single(key) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(default.as_deref()?),
                },
            }
        }
        Some(out)
    }
}

/// Byte equality that rejects on length and on the last and first bytes before comparing
/// the rest: actions share their service prefix, so they mostly differ at the end, and the
/// short strings here do not pay for a `memcmp` call.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.last() == b.last() && a.first() == b.first() && a == b
}

/// Units resolved on the stack when they fit (policy ARNs are short), else on the heap.
/// Lives only on the stack of one match, so the large variant is the point.
#[allow(clippy::large_enum_variant)]
enum Units {
    Stack([Unit; 160], usize),
    Heap(Vec<Unit>),
}

impl Units {
    fn push(&mut self, unit: Unit) {
        match self {
            Units::Stack(buf, len) => match buf.get_mut(*len) {
                Some(slot) => {
                    *slot = unit;
                    *len += 1;
                }
                None => {
                    let mut heap = Vec::with_capacity(buf.len() * 2);
                    heap.extend_from_slice(buf);
                    heap.push(unit);
                    *self = Units::Heap(heap);
                }
            },
            Units::Heap(v) => v.push(unit),
        }
    }

    fn as_slice(&self) -> &[Unit] {
        match self {
            Units::Stack(buf, len) => buf.get(..*len).unwrap_or(buf),
            Units::Heap(v) => v,
        }
    }
}

/// A template matched against `subject` with its variables resolved from `context`;
/// allocation-free for resolved patterns of up to 160 bytes.
fn template(tokens: &[Token], subject: &str, context: &Context) -> Option<bool> {
    // Literal text at either end must match as is: reject before resolving anything. A
    // variable that cannot be resolved makes the result `None` rather than `false`.
    let literal_mismatch = match (tokens.first(), tokens.last()) {
        (Some(Token::Lit(head)), _) if !starts_with(subject.as_bytes(), head.as_bytes()) => true,
        (_, Some(Token::Lit(tail))) if !subject.ends_with(tail.as_str()) => true,
        _ => false,
    };
    if literal_mismatch {
        return resolvable(tokens, context).then_some(false);
    }
    let mut units = Units::Stack([Unit::Star; 160], 0);
    for token in tokens {
        match token {
            Token::Var { key, default } => {
                let value = match context.single(key) {
                    Some(v) => v,
                    None => default.as_deref()?,
                };
                value.bytes().for_each(|b| units.push(Unit::Byte(b)));
            }
            Token::Lit(s) => s.bytes().for_each(|b| units.push(Unit::Byte(b))),
            Token::Star => units.push(Unit::Star),
            Token::One => units.push(Unit::One),
        }
    }
    Some(glob(units.as_slice(), subject.as_bytes()))
}

/// Whether every variable of the template has a value or a default.
fn resolvable(tokens: &[Token], context: &Context) -> bool {
    tokens.iter().all(|token| match token {
        Token::Var { key, default } => default.is_some() || context.single(key).is_some(),
        _ => true,
    })
}

/// `subject.starts_with(prefix)` through [`same`].
#[inline]
fn starts_with(subject: &[u8], prefix: &[u8]) -> bool {
    subject
        .get(..prefix.len())
        .is_some_and(|head| same(prefix, head))
}

fn push_units(units: &mut Vec<Unit>, tokens: &[Token]) {
    for token in tokens {
        match token {
            Token::Lit(s) => units.extend(s.bytes().map(Unit::Byte)),
            Token::Star => units.push(Unit::Star),
            Token::One => units.push(Unit::One),
            Token::Var { .. } => {}
        }
    }
}

/// Length of the UTF-8 character starting with `first`.
fn char_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Wildcard match with single-star backtracking: linear in practice, no allocation.
pub(crate) fn glob(pattern: &[Unit], subject: &[u8]) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while s < subject.len() {
        match pattern.get(p) {
            Some(Unit::Star) => {
                backtrack = Some((p, s));
                p += 1;
                continue;
            }
            Some(Unit::One) => {
                p += 1;
                s += char_len(subject[s]);
                continue;
            }
            Some(Unit::Byte(b)) if *b == subject[s] => {
                p += 1;
                s += 1;
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((star_p, star_s)) => {
                let next = star_s + char_len(subject[star_s]);
                backtrack = Some((star_p, next));
                p = star_p + 1;
                s = next;
            }
            None => return false,
        }
    }
    s == subject.len()
        && pattern[p.min(pattern.len())..]
            .iter()
            .all(|u| *u == Unit::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, subject: &str) -> bool {
        Pattern::compile(pattern, true, true)
            .matches(subject, &Context::default())
            .unwrap_or(false)
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "anything", true),
            ("*", "", true),
            ("iam:*", "iam:listusers", true),
            ("iam:*", "sts:getcalleridentity", false),
            ("iam:*mfadevice*", "iam:listmfadevices", true),
            ("iam:*mfadevice*", "iam:listvirtualmfadevices", true),
            ("iam:*mfadevice*", "iam:listusers", false),
            ("iam:get?ser", "iam:getuser", true),
            ("iam:get?ser", "iam:getuuser", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("a*a*a", "aaa", true),
            ("a*a*a", "aa", false),
            ("??", "é!", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("*ly", "exactly", true),
        ];
        for (p, s, expected) in cases {
            assert_eq!(m(p, s), expected, "{p} vs {s}");
        }
    }

    #[test]
    fn escapes_are_literal() {
        assert!(m("a${*}b", "a*b"));
        assert!(!m("a${*}b", "aXb"));
        assert!(m("a${?}b", "a?b"));
        assert!(!m("a${?}b", "aXb"));
        assert!(m("${$}x", "$x"));
    }

    #[test]
    fn variables_and_defaults() {
        let mut ctx = Context::default();
        ctx.insert("aws:username", "alice");
        let p = Pattern::compile("user/${aws:username}", true, true);
        assert_eq!(p.matches("user/alice", &ctx), Some(true));
        assert_eq!(p.matches("user/bob", &ctx), Some(false));
        let p = Pattern::compile("user/${aws:UserName}", true, true);
        assert_eq!(
            p.matches("user/alice", &ctx),
            Some(true),
            "key names are case-insensitive"
        );
        let p = Pattern::compile("tag/${aws:PrincipalTag/team, 'none'}", true, true);
        assert_eq!(p.matches("tag/none", &ctx), Some(true));
        let p = Pattern::compile("tag/${aws:PrincipalTag/team}", true, true);
        assert_eq!(
            p.matches("tag/none", &ctx),
            None,
            "absent key without default matches nothing"
        );
        // A variable's value is literal text: a `*` in it is no wildcard.
        let mut ctx = Context::default();
        ctx.insert("aws:username", "*");
        let p = Pattern::compile("user/${aws:username}", true, true);
        assert_eq!(p.matches("user/bob", &ctx), Some(false));
        assert_eq!(p.matches("user/*", &ctx), Some(true));
    }

    #[test]
    fn variables_off_in_old_versions() {
        let p = Pattern::compile("user/${aws:username}", true, false);
        assert_eq!(
            p.matches("user/${aws:username}", &Context::default()),
            Some(true)
        );
    }

    #[test]
    fn specialisation() {
        assert_eq!(Pattern::compile("*", true, true), Pattern::Any);
        assert_eq!(
            Pattern::compile("iam:*", true, true),
            Pattern::Prefix("iam:".into())
        );
        assert_eq!(
            Pattern::compile("a*", false, true),
            Pattern::Exact("a*".into())
        );
    }
}
