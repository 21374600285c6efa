//! A quick reject for resource patterns: most statements a request visits name other
//! resources, and they differ from the request's within the literal text the pattern's
//! resource part starts with (`bucket7/`, `instance/i-42`, `table/t3`). Up to eight bytes of
//! that text are compared as one word before any pattern is matched.

use crate::pattern::{Pattern, Token, Unit};

/// Up to eight bytes that every matching subject has at offset `at` (the last eight bytes of
/// the pattern's literal start), as a word with a mask of the bytes that count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Lead {
    at: usize,
    word: u64,
    mask: u64,
}

impl Lead {
    /// The lead of a pattern; one that admits everything when it starts with a wildcard or
    /// a policy variable.
    pub(crate) fn of(pattern: &Pattern) -> Lead {
        let start: Vec<u8> = match pattern {
            Pattern::Any => Vec::new(),
            Pattern::Exact(s) | Pattern::Prefix(s) => s.as_bytes().to_vec(),
            Pattern::Glob(units) => units
                .iter()
                .map_while(|u| match u {
                    Unit::Byte(b) => Some(*b),
                    Unit::Star | Unit::One => None,
                })
                .collect(),
            Pattern::Template { tokens, .. } => match tokens.first() {
                Some(Token::Lit(s)) => s.as_bytes().to_vec(),
                _ => Vec::new(),
            },
        };
        let at = start.len().saturating_sub(8);
        let tail = start.get(at..).unwrap_or_default();
        let mut word = [0u8; 8];
        let mut mask = [0u8; 8];
        for (i, b) in tail.iter().enumerate() {
            word[i] = *b;
            mask[i] = 0xff;
        }
        Lead {
            at,
            word: u64::from_le_bytes(word),
            mask: u64::from_le_bytes(mask),
        }
    }

    /// `false` only when `subject` cannot match the pattern.
    #[inline]
    pub(crate) fn admits(&self, subject: &[u8]) -> bool {
        if self.mask == 0 {
            return true;
        }
        let window = subject.get(self.at..).unwrap_or_default();
        let word = match window.get(..8) {
            Some(eight) => eight.try_into().map_or(0, u64::from_le_bytes),
            // Shorter than eight bytes: zero-padded (a padding byte can only admit more).
            None => {
                let mut bytes = [0u8; 8];
                for (slot, b) in bytes.iter_mut().zip(window) {
                    *slot = *b;
                }
                u64::from_le_bytes(bytes)
            }
        };
        word & self.mask == self.word
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;

    #[test]
    fn admits_every_match_and_rejects_other_starts() {
        let mut ctx = Context::default();
        ctx.insert("aws:username", "alice");
        let patterns = [
            "*",
            "table/t7",
            "instance/i-42*",
            "bucket3/home/${aws:username}/*",
            "${aws:username}/x",
            "a?c*",
            "f",
            "",
        ];
        let subjects = [
            "table/t7",
            "table/t70",
            "table/t8",
            "instance/i-42abc",
            "instance/i-4",
            "bucket3/home/alice/a",
            "bucket9/home/alice/a",
            "alice/x",
            "abc",
            "f",
            "",
        ];
        for text in patterns {
            let pattern = Pattern::compile(text, true, true);
            let lead = Lead::of(&pattern);
            for subject in subjects {
                let matches = pattern.is_match(subject, &ctx);
                let admits = lead.admits(subject.as_bytes());
                assert!(admits || !matches, "{text} must admit {subject}");
                let literal_start = !text.starts_with(['*', '?', '$']) && !text.is_empty();
                if literal_start && !subject.starts_with(&text[..1]) {
                    assert!(!admits, "{text} must reject {subject}");
                }
            }
        }
    }
}
