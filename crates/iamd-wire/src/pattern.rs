//! The model's `pattern`s are Java regular expressions; translate them for the `regex` crate.
//!
//! Differences handled: `\uXXXX` escapes become `\x{XXXX}`; `\w`, `\d` and `\s` are ASCII-only
//! in Java (Unicode in `regex`), so they are spelled out; and Java's `matches()` is a whole-string
//! match, so the translation is anchored. A pattern `regex` cannot compile (e.g. one with a
//! look-ahead) is not enforced.

use std::sync::OnceLock;

use regex::Regex;

/// A model pattern with its lazily compiled, anchored translation.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern as written in the model (quoted verbatim in error messages).
    pub source: String,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// Wrap a model pattern; it is compiled on first use.
    pub fn new(source: String) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// Whether the whole of `value` matches. `None` when the pattern is not enforceable here.
    pub fn matches(&self, value: &str) -> Option<bool> {
        self.compiled
            .get_or_init(|| Regex::new(&translate(&self.source)).ok())
            .as_ref()
            .map(|re| re.is_match(value))
    }
}

/// Translate a Java regular expression into an anchored `regex`-crate one.
pub fn translate(java: &str) -> String {
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::with_capacity(java.len() + 16);
    out.push_str(r"\A(?:");
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let e = chars[i + 1];
                i += 2;
                match e {
                    'u' => {
                        let (cp, used) = unicode_escape(&chars[i..]);
                        match cp {
                            Some(cp) => {
                                out.push_str(&format!("\\x{{{cp:X}}}"));
                                i += used;
                            }
                            None => out.push_str("\\u"),
                        }
                    }
                    'w' => out.push_str(class(in_class, "0-9A-Za-z_")),
                    'd' => out.push_str(class(in_class, "0-9")),
                    's' => out.push_str(class(in_class, r" \t\n\x0B\f\r")),
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out.push_str(r")\z");
    out
}

/// `\d`-style class contents, bracketed when outside a character class.
fn class(in_class: bool, body: &'static str) -> &'static str {
    if in_class {
        body
    } else {
        match body {
            "0-9A-Za-z_" => "[0-9A-Za-z_]",
            "0-9" => "[0-9]",
            _ => r"[ \t\n\x0B\f\r]",
        }
    }
}

/// Parse the hex digits after `\u`: four, or up to six when the model clearly means a code
/// point above U+FFFF (botocore's STS model writes `\u10000-\u10FFFF`).
fn unicode_escape(rest: &[char]) -> (Option<u32>, usize) {
    let hex: Vec<u32> = rest.iter().take(6).map_while(|c| c.to_digit(16)).collect();
    if hex.len() < 4 {
        return (None, 0);
    }
    let value = |n: usize| hex[..n].iter().fold(0u32, |acc, d| acc * 16 + d);
    for n in (5..=hex.len()).rev() {
        let v = value(n);
        if (0x10000..=0x10FFFF).contains(&v) {
            return (Some(v), n);
        }
    }
    (Some(value(4)), 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::new(s.to_string())
    }

    #[test]
    fn word_class_is_ascii_and_anchored() {
        let user = p(r"[\w+=,.@-]+");
        assert_eq!(user.matches("alice.b+c=d,e@f-g_h"), Some(true));
        assert_eq!(user.matches("bad name"), Some(false));
        assert_eq!(user.matches("é"), Some(false));
        assert_eq!(user.matches(""), Some(false));
    }

    #[test]
    fn unicode_escapes() {
        let path = p(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)");
        assert_eq!(path.matches("/"), Some(true));
        assert_eq!(path.matches("/a/b/"), Some(true));
        assert_eq!(path.matches("/a b/"), Some(false));
        let doc = p(
            r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+",
        );
        assert_eq!(doc.matches("ok 😀"), Some(true));
        assert_eq!(doc.matches("\u{1}"), Some(false));
    }

    #[test]
    fn unicode_properties_and_escaped_punctuation() {
        let tag = p(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+");
        assert_eq!(tag.matches("Env: prod/é"), Some(true));
        assert_eq!(tag.matches("bad*key"), Some(false));
        assert_eq!(p(r"[\w+=,.@\:-]*").matches("a:b"), Some(true));
        assert_eq!(p(r"\d{12}").matches("123456789012"), Some(true));
    }

    #[test]
    fn every_model_pattern_compiles_except_look_ahead() {
        use crate::model::{Service, ServiceModel, ShapeKind};
        for svc in [Service::Iam, Service::Sts] {
            for shape in ServiceModel::get(svc).shapes() {
                if let ShapeKind::String {
                    pattern: Some(pat), ..
                } = &shape.kind
                {
                    let ok = pat.matches("x").is_some();
                    assert_eq!(ok, !pat.source.contains("(?!"), "{}", pat.source);
                }
            }
        }
        assert_eq!(p("a(?!-)").matches("a"), None);
    }
}
