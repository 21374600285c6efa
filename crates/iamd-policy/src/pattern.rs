//! Wildcard patterns (`*` any run, `?` one character) with policy variables (`${key}`),
//! compiled once and matched without re-parsing.

use crate::context::{Context, KeyName};

/// One element of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Literal text; `*` and `?` inside are literal (they came from `${*}`, `${?}` or a
    /// non-wildcard operator).
    Lit(String),
    Star,
    One,
    /// `${key}` or `${key, 'default'}`.
    Var {
        key: KeyName,
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
            key: KeyName::new(key.trim()),
            default: Some(default.to_string()),
        }
    } else {
        Token::Var {
            key: KeyName::new(inner.trim()),
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
    /// Contains policy variables: resolved per request. The first `head` and the last
    /// `tail` tokens are literals and variables (no wildcards): they are compared in place.
    Template {
        tokens: Vec<Token>,
        head: usize,
        tail: usize,
    },
}

impl Pattern {
    pub(crate) fn from_tokens(tokens: Vec<Token>) -> Pattern {
        if tokens.iter().any(|t| matches!(t, Token::Var { .. })) {
            let fixed = |t: &&Token| !matches!(t, Token::Star | Token::One);
            let head = tokens.iter().take_while(fixed).count();
            let tail = tokens[head..].iter().rev().take_while(fixed).count();
            return Pattern::Template { tokens, head, tail };
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

    /// Whether `subject` matches; a variable absent from the context without a default
    /// makes the pattern match nothing (AWS).
    #[inline(always)]
    pub(crate) fn is_match(&self, subject: &str, context: &Context) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(s) => same(s.as_bytes(), subject.as_bytes()),
            Pattern::Prefix(p) => starts_with(subject.as_bytes(), p.as_bytes()),
            Pattern::Glob(units) => glob(units, subject.as_bytes()),
            Pattern::Template { tokens, head, tail } => {
                template(tokens, (*head, *tail), subject.as_bytes(), context)
            }
        }
    }

    /// `is_match`, telling apart the no-match of an unresolved variable: `None` when a
    /// variable is absent from the context and has no default (for the tests).
    #[cfg(test)]
    pub(crate) fn matches(&self, subject: &str, context: &Context) -> Option<bool> {
        match self {
            Pattern::Template { tokens, .. } if !resolvable(tokens, context) => None,
            _ => Some(self.is_match(subject, context)),
        }
    }

    /// The pattern with variables resolved, as text (for explanations).
    pub(crate) fn resolve_text(tokens: &[Token], context: &Context) -> Option<String> {
        let mut out = String::new();
        for token in tokens {
            match token {
                Token::Lit(s) => out.push_str(s),
                Token::Star => out.push('*'),
                Token::One => out.push('?'),
                Token::Var { key, default } => match context.single_of(key) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(default.as_deref()?),
                },
            }
        }
        Some(out)
    }
}

/// Byte equality without a `memcmp` call for the short strings of policies (actions,
/// resource prefixes): up to 16 bytes are compared as two overlapping words.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..=3 => a == b,
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => word8(a, 0) == word8(b, 0) && a == b,
    }
}

/// The 4 bytes of `s` from `at` as a number (0 when out of range, never for `same`'s use).
#[inline]
fn word4(s: &[u8], at: usize) -> u32 {
    s.get(at..at + 4)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// The 8 bytes of `s` from `at` as a number (0 when out of range, never for `same`'s use).
#[inline]
fn word8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_le_bytes)
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

/// The text a literal or a variable stands for; `None` for wildcards and for a variable
/// without value or default.
fn text_of<'t>(token: &'t Token, context: &'t Context) -> Option<&'t [u8]> {
    match token {
        Token::Lit(s) => Some(s.as_bytes()),
        Token::Var { key, default } => context
            .single_of(key)
            .or(default.as_deref())
            .map(str::as_bytes),
        Token::Star | Token::One => None,
    }
}

/// A template matched against `subject` with its variables resolved from `context`. The
/// `head` tokens before the first wildcard and the `tail` tokens after the last one are
/// compared in place; only a middle other than a lone `*` is resolved into units and globbed
/// (on the stack for up to 160 bytes).
fn template(
    tokens: &[Token],
    (head, tail): (usize, usize),
    subject: &[u8],
    context: &Context,
) -> bool {
    let (head, rest) = tokens.split_at(head.min(tokens.len()));
    let (middle, tail) = rest.split_at(rest.len().saturating_sub(tail));
    let (mut start, mut end) = (0, subject.len());
    for token in head {
        let Some(text) = text_of(token, context) else {
            return false;
        };
        if !subject
            .get(start..end)
            .is_some_and(|s| starts_with(s, text))
        {
            return false;
        }
        start += text.len();
    }
    for token in tail.iter().rev() {
        let Some(text) = text_of(token, context) else {
            return false;
        };
        if !subject.get(start..end).is_some_and(|s| ends_with(s, text)) {
            return false;
        }
        end -= text.len();
    }
    let rest = subject.get(start..end).unwrap_or_default();
    match middle {
        [] => rest.is_empty(),
        [Token::Star] => true,
        _ => glob_resolved(middle, rest, context),
    }
}

/// Resolves the tokens into units and globs them.
fn glob_resolved(tokens: &[Token], subject: &[u8], context: &Context) -> bool {
    let mut units = Units::Stack([Unit::Star; 160], 0);
    for token in tokens {
        match token {
            Token::Star => units.push(Unit::Star),
            Token::One => units.push(Unit::One),
            _ => match text_of(token, context) {
                Some(text) => text.iter().for_each(|b| units.push(Unit::Byte(*b))),
                None => return false,
            },
        }
    }
    glob(units.as_slice(), subject)
}

/// Whether every variable of the template has a value or a default.
#[cfg(test)]
fn resolvable(tokens: &[Token], context: &Context) -> bool {
    tokens.iter().all(|token| match token {
        Token::Var { key, default } => default.is_some() || context.single_of(key).is_some(),
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

/// `subject.ends_with(suffix)` through [`same`].
#[inline]
fn ends_with(subject: &[u8], suffix: &[u8]) -> bool {
    subject
        .len()
        .checked_sub(suffix.len())
        .and_then(|at| subject.get(at..))
        .is_some_and(|tail| same(suffix, tail))
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
mod tests;
