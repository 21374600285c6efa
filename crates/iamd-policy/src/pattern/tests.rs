//! Pattern matching: wildcards, escapes, variables, and the in-place template matching
//! against the reference (resolve everything, then glob).

use proptest::prelude::*;

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

/// Tokens of templates: literals, wildcards, a set variable (whose value has a `*`, which
/// must stay literal), a variable with a default, and one without value.
fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "ab", "é", "/"]).prop_map(|s| Token::Lit(s.into())),
        Just(Token::Star),
        Just(Token::One),
        Just(Token::Var {
            key: KeyName::new("aws:username"),
            default: None
        }),
        Just(Token::Var {
            key: KeyName::new("aws:PrincipalTag/x"),
            default: Some("b".into())
        }),
        Just(Token::Var {
            key: KeyName::new("aws:unset"),
            default: None
        }),
    ]
}

proptest! {
    #[test]
    fn in_place_matching_agrees_with_resolve_then_glob(
        tokens in prop::collection::vec(token(), 0..7),
        subject in "[ab*é/]{0,8}",
    ) {
        let mut ctx = Context::default();
        ctx.insert("aws:username", "a*");
        let pattern = Pattern::from_tokens(tokens.clone());
        let matches = pattern.is_match(&subject, &ctx);
        prop_assert_eq!(matches, glob_resolved(&tokens, subject.as_bytes(), &ctx));
        prop_assert!(crate::lead::Lead::of(&pattern).admits(subject.as_bytes()) || !matches);
    }
}

proptest! {
    #[test]
    fn word_comparison_is_byte_equality(
        a in prop::collection::vec(prop::sample::select(vec![0u8, b'a', b'b', 0xff]), 0..40),
        flip in any::<prop::sample::Index>(),
    ) {
        prop_assert!(same(&a, &a));
        let mut b = a.clone();
        if !b.is_empty() {
            let at = flip.index(b.len());
            b[at] = b[at].wrapping_add(1);
            prop_assert!(!same(&a, &b));
        }
        prop_assert_eq!(same(&a, &a[..a.len() / 2]), a.is_empty());
    }
}
