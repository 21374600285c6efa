//! ARNs and ARN patterns, matched as AWS does: segment by segment (partition, service,
//! region, account), wildcards never crossing a segment, and the resource part (which may
//! itself contain `:` and `/`) matched as a whole.

use crate::context::Context;
use crate::lead::Lead;
use crate::pattern::{tokenize, Pattern, Token};

/// A parsed ARN, borrowing from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `arn:partition:service:region:account:resource`.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let rest = text.strip_prefix("arn:")?;
        let cuts = first_four_colons(rest.as_bytes())?;
        Some(Arn {
            partition: rest.get(..cuts[0])?,
            service: rest.get(cuts[0] + 1..cuts[1])?,
            region: rest.get(cuts[1] + 1..cuts[2])?,
            account: rest.get(cuts[2] + 1..cuts[3])?,
            resource: rest.get(cuts[3] + 1..)?,
        })
    }
}

/// Where the first four `:` of `bytes` are. This runs once per decision, so it looks at
/// eight bytes at a time: a word whose bytes equal `:` is found with the exact zero-byte
/// test of "Bit Twiddling Hacks" on `word ^ "::::::::"`.
fn first_four_colons(bytes: &[u8]) -> Option<[usize; 4]> {
    const COLONS: u64 = 0x3a3a_3a3a_3a3a_3a3a;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut cuts = [0usize; 4];
    let mut found = 0;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().ok()?) ^ COLONS;
        // The high bit of each byte that was `:`, nothing else.
        let mut hits = !(((word & LOW7) + LOW7) | word | LOW7);
        while hits != 0 {
            *cuts.get_mut(found)? = base + (hits.trailing_zeros() / 8) as usize;
            found += 1;
            if found == cuts.len() {
                return Some(cuts);
            }
            hits &= hits - 1;
        }
        base += 8;
    }
    for (i, b) in chunks.remainder().iter().enumerate() {
        if *b == b':' {
            *cuts.get_mut(found)? = base + i;
            found += 1;
            if found == cuts.len() {
                return Some(cuts);
            }
        }
    }
    None
}

/// A compiled resource (or `Arn*` condition) pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnPattern {
    /// `*`: every resource.
    Any,
    /// An entry AWS accepts whose first part is not `arn` (`foo:aws:s3:::b`): it names no
    /// ARN, so it matches nothing (the safer reading; AWS documents no other).
    Nothing,
    /// Per-segment patterns (partition, service, region, account, resource), and the lead
    /// of the resource part, checked first.
    Segments(Box<[Pattern; 5]>, Lead),
}

impl ArnPattern {
    /// Compiles `text`; `None` when it is neither `*` nor in ARN format.
    pub(crate) fn compile(text: &str, variables: bool) -> Option<ArnPattern> {
        if text == "*" {
            return Some(ArnPattern::Any);
        }
        let tokens = tokenize(text, true, variables);
        let mut groups: Vec<Vec<Token>> = vec![Vec::new()];
        for token in tokens {
            match token {
                Token::Lit(s) if groups.len() < 6 && s.contains(':') => {
                    let mut pieces = s.split(':').peekable();
                    while let Some(piece) = pieces.next() {
                        if !piece.is_empty() {
                            push_lit(groups.last_mut(), piece);
                        }
                        if pieces.peek().is_some() {
                            if groups.len() < 6 {
                                groups.push(Vec::new());
                            } else {
                                push_lit(groups.last_mut(), ":");
                            }
                        }
                    }
                }
                other => {
                    if let Some(group) = groups.last_mut() {
                        group.push(other);
                    }
                }
            }
        }
        if groups.len() != 6 || groups[0] != [Token::Lit("arn".into())] {
            return None;
        }
        ArnPattern::from_groups(groups)
    }

    /// Compiles a `Resource` entry that passed AWS's create-time checks: missing parts are
    /// `*` (`arn:aws:fdsasf` is `arn:aws:fdsasf:*:*:*`); an entry whose first part is not
    /// `arn` is accepted but matches nothing (found by the `arn_pattern` fuzz target against
    /// the reference matcher). `None` without any `:`.
    pub(crate) fn compile_resource(text: &str, variables: bool) -> Option<ArnPattern> {
        if text == "*" {
            return Some(ArnPattern::Any);
        }
        let (prefix, rest) = text.split_once(':')?;
        if prefix != "arn" {
            return Some(ArnPattern::Nothing);
        }
        let mut parts: Vec<&str> = rest.splitn(5, ':').collect();
        if parts == [""] {
            parts.clear();
        }
        parts.resize(5, "*");
        ArnPattern::compile(&format!("arn:{}", parts.join(":")), variables)
    }

    fn from_groups(groups: Vec<Vec<Token>>) -> Option<ArnPattern> {
        let mut patterns = groups.into_iter().skip(1).map(Pattern::from_tokens);
        let segments = [
            patterns.next()?,
            patterns.next()?,
            patterns.next()?,
            patterns.next()?,
            patterns.next()?,
        ];
        let lead = Lead::of(&segments[4]);
        Some(ArnPattern::Segments(Box::new(segments), lead))
    }

    /// Whether the ARN matches; `None` when a policy variable could not be resolved (the
    /// engine reads that as no match, see `is_match`; the tests tell the two apart).
    #[cfg(test)]
    pub(crate) fn matches(&self, subject: &str, context: &Context) -> Option<bool> {
        match self {
            ArnPattern::Any => Some(true),
            ArnPattern::Nothing => Some(false),
            ArnPattern::Segments(..) => self.matches_parsed(Arn::parse(subject).as_ref(), context),
        }
    }

    /// The quick reject of the resource part (one that admits everything for `*`).
    pub(crate) fn lead(&self) -> Lead {
        match self {
            ArnPattern::Any | ArnPattern::Nothing => Lead::default(),
            ArnPattern::Segments(_, lead) => *lead,
        }
    }

    /// Whether the ARN matches; an unresolved policy variable matches nothing.
    pub(crate) fn is_match(&self, subject: &str, context: &Context) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Nothing => false,
            ArnPattern::Segments(..) => self.is_match_parsed(Arn::parse(subject).as_ref(), context),
        }
    }

    /// `is_match` with the subject already parsed (`None`: not an ARN). The resource part
    /// first, as it differs most often, then account, service, region, partition.
    #[inline]
    pub(crate) fn is_match_parsed(&self, arn: Option<&Arn<'_>>, context: &Context) -> bool {
        let (segments, lead) = match self {
            ArnPattern::Any => return true,
            ArnPattern::Nothing => return false,
            ArnPattern::Segments(segments, lead) => (segments, lead),
        };
        let Some(arn) = arn else {
            return false;
        };
        if !lead.admits(arn.resource.as_bytes()) {
            return false;
        }
        let [partition, service, region, account, resource] = &**segments;
        resource.is_match(arn.resource, context)
            && account.is_match(arn.account, context)
            && service.is_match(arn.service, context)
            && region.is_match(arn.region, context)
            && partition.is_match(arn.partition, context)
    }

    /// `matches` with the subject already parsed (`None`: not an ARN).
    #[cfg(test)]
    pub(crate) fn matches_parsed(&self, arn: Option<&Arn<'_>>, context: &Context) -> Option<bool> {
        let segments = match self {
            ArnPattern::Any => return Some(true),
            ArnPattern::Nothing => return Some(false),
            ArnPattern::Segments(segments, _) => segments,
        };
        let Some(arn) = arn else {
            return Some(false);
        };
        // Any mismatch decides, so the order is free: the resource part first, as it differs
        // most often, then account, service, region, partition.
        let [partition, service, region, account, resource] = &**segments;
        let checks = [
            (resource, arn.resource),
            (account, arn.account),
            (service, arn.service),
            (region, arn.region),
            (partition, arn.partition),
        ];
        let mut unresolved = false;
        for (pattern, part) in checks {
            match pattern.matches(part, context) {
                Some(true) => {}
                Some(false) => return Some(false),
                None => unresolved = true,
            }
        }
        if unresolved {
            None
        } else {
            Some(true)
        }
    }
}

fn push_lit(group: Option<&mut Vec<Token>>, piece: &str) {
    let Some(group) = group else { return };
    if let Some(Token::Lit(prev)) = group.last_mut() {
        prev.push_str(piece);
    } else {
        group.push(Token::Lit(piece.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, arn: &str) -> Option<bool> {
        let mut ctx = Context::default();
        ctx.insert("aws:username", "alice");
        ArnPattern::compile(pattern, true).and_then(|p| p.matches(arn, &ctx))
    }

    #[test]
    fn a_resource_entry_not_starting_with_arn_matches_nothing() {
        // The arn_pattern fuzz target's finding: `a${:aws:s3:::bucket/*` matched
        // `arn:aws:s3:::bucket/key` as though its first part were `arn`.
        let ctx = Context::default();
        for text in ["a${:aws:s3:::bucket/*", "foo:aws:s3:::bucket/*", "a:b"] {
            let pattern = ArnPattern::compile_resource(text, true).unwrap();
            assert!(!pattern.is_match("arn:aws:s3:::bucket/key", &ctx), "{text}");
            assert_eq!(
                pattern.matches("arn:aws:s3:::bucket/key", &ctx),
                Some(false)
            );
        }
        let padded = ArnPattern::compile_resource("arn:aws:s3", true).unwrap();
        assert!(padded.is_match("arn:aws:s3:::bucket/key", &ctx));
    }

    #[test]
    fn segment_matching() {
        let cases = [
            ("*", "arn:aws:iam::111122223333:user/alice", true),
            (
                "arn:aws:iam::*:user/alice",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            (
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            (
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::111122223333:user/bob",
                false,
            ),
            (
                "arn:aws:iam::*:mfa/*",
                "arn:aws:iam::111122223333:mfa/alice",
                true,
            ),
            (
                "arn:aws:iam::*:mfa/*",
                "arn:aws:iam::111122223333:user/alice",
                false,
            ),
            // A wildcard does not cross a segment.
            (
                "arn:aws:iam::*:*",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            (
                "arn:aws:i*::*:*",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            (
                "arn:aws:*:*:*:*",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", true),
            (
                "arn:aws:logs:*:*:log-group:x:*",
                "arn:aws:logs:us-east-1:1:log-group:x:log-stream:y",
                true,
            ),
            (
                "arn:aws:iam::111122223333:user/*",
                "arn:aws:iam::444455556666:user/alice",
                false,
            ),
            ("arn:aws:iam::*:user/alice", "*", false),
        ];
        for (p, arn, expected) in cases {
            assert_eq!(m(p, arn), Some(expected), "{p} vs {arn}");
        }
    }

    #[test]
    fn parsing() {
        let arn = Arn::parse("arn:aws:lambda:us-east-1:111122223333:function:f:1");
        let parts = arn.map(|a| (a.partition, a.service, a.region, a.account, a.resource));
        assert_eq!(
            parts,
            Some(("aws", "lambda", "us-east-1", "111122223333", "function:f:1"))
        );
        // Colons at every place around the eight-byte words, and `;` (`:` + 1) beside them.
        let texts = [
            "arn:aws:s3:::b;:x",
            "arn:aws-us-gov:iam::111122223333:user/a",
            "arn:a:b:c:d:",
            "arn:::::::",
            "arn:1234567:12345678:;;;;;;;;:1:",
            "arn:é:ü;:x:y:z",
            "arn:aws:s3::b",
            "arn:abcdefgh:",
        ];
        for text in texts {
            let expected: Vec<&str> = text.splitn(6, ':').collect();
            let expected = (expected.len() == 6).then_some(expected);
            let parsed = Arn::parse(text).map(|a| {
                vec![
                    "arn",
                    a.partition,
                    a.service,
                    a.region,
                    a.account,
                    a.resource,
                ]
            });
            assert_eq!(parsed, expected, "{text}");
        }
    }

    #[test]
    fn not_an_arn() {
        assert!(ArnPattern::compile("bucket-name", true).is_none());
        assert!(ArnPattern::compile("arn:aws:s3", true).is_none());
        assert!(
            ArnPattern::compile("arn:aws:iam::*", true).is_none(),
            "five segments"
        );
        assert!(ArnPattern::compile("arn:aws:iam::1:user/x", true).is_some());
    }

    #[test]
    fn unresolved_variable() {
        assert_eq!(
            m(
                "arn:aws:iam::*:user/${aws:PrincipalTag/x}",
                "arn:aws:iam::1:user/a"
            ),
            None
        );
        assert_eq!(
            m(
                "arn:aws:iam::2:user/${aws:PrincipalTag/x}",
                "arn:aws:iam::1:user/a"
            ),
            Some(false),
            "a segment that fails decides, even with an unresolved variable elsewhere"
        );
    }
}
