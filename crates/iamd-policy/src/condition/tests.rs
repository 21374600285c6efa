//! Table-driven tests: one row per operator and rule.

use super::*;

/// A context value for a row: absent, single or multi-valued.
enum Ctx<'a> {
    Absent,
    One(&'a str),
    Many(&'a [&'a str]),
}

fn check(operator: &str, policy_values: &[&str], actual: Ctx) -> bool {
    let Some(op) = Operator::parse(operator) else {
        return false;
    };
    let values = policy_values.iter().map(|s| s.to_string()).collect();
    let Ok(cond) = Condition::compile(op, "test:Key", values, true) else {
        return false;
    };
    let mut ctx = Context::default();
    ctx.insert("aws:username", "alice");
    match actual {
        Ctx::Absent => {}
        Ctx::One(v) => ctx.insert("test:key", v),
        Ctx::Many(vs) => ctx.insert_multi("TEST:KEY", vs.iter().map(|s| s.to_string()).collect()),
    }
    cond.evaluate(&ctx).0
}

#[test]
fn string_operators() {
    use Ctx::*;
    let rows: &[(&str, &[&str], Ctx, bool)] = &[
        ("StringEquals", &["a", "b"], One("b"), true),
        ("StringEquals", &["a"], One("A"), false),
        ("StringEquals", &["a*"], One("abc"), false),
        ("StringEquals", &["a*"], One("a*"), true),
        ("StringEquals", &["a"], Absent, false),
        ("StringNotEquals", &["a", "b"], One("c"), true),
        ("StringNotEquals", &["a", "b"], One("b"), false),
        ("StringNotEquals", &["a"], Absent, true),
        ("StringEqualsIgnoreCase", &["Alice"], One("ALICE"), true),
        ("StringNotEqualsIgnoreCase", &["Alice"], One("ALICE"), false),
        ("StringLike", &["home/*"], One("home/alice/x"), true),
        ("StringLike", &["home/?"], One("home/ab"), false),
        ("StringNotLike", &["home/*"], One("other"), true),
        ("StringNotLike", &["home/*"], Absent, true),
        ("StringEquals", &["${aws:username}"], One("alice"), true),
        ("StringEquals", &["${aws:nope}"], One("alice"), false),
        (
            "StringEquals",
            &["${aws:nope, 'alice'}"],
            One("alice"),
            true,
        ),
        ("StringEqualsIfExists", &["a"], Absent, true),
        ("StringEqualsIfExists", &["a"], One("b"), false),
    ];
    for (op, values, actual, expected) in rows {
        let label = format!("{op} {values:?}");
        let actual = match actual {
            One(v) => One(v),
            Many(v) => Many(v),
            Absent => Absent,
        };
        assert_eq!(check(op, values, actual), *expected, "{label}");
    }
}

#[test]
fn numeric_date_bool_binary() {
    use Ctx::*;
    assert!(check("NumericEquals", &["10"], One("10.0")));
    assert!(!check("NumericEquals", &["10"], One("11")));
    assert!(check("NumericNotEquals", &["10"], One("11")));
    assert!(check("NumericLessThan", &["10"], One("9")));
    assert!(!check("NumericLessThan", &["10"], One("10")));
    assert!(check("NumericLessThanEquals", &["10"], One("10")));
    assert!(check("NumericGreaterThan", &["3600"], One("3601")));
    assert!(check("NumericGreaterThanEquals", &["3600"], One("3600")));
    assert!(
        !check("NumericLessThan", &["10"], One("abc")),
        "a bad value never matches"
    );
    assert!(
        !check("NumericNotEquals", &["10"], One("abc")),
        "not even negated"
    );
    assert!(check(
        "DateGreaterThan",
        &["2026-01-01T00:00:00Z"],
        One("2026-11-23T08:00:00Z")
    ));
    assert!(!check(
        "DateLessThan",
        &["2026-01-01T00:00:00Z"],
        One("2026-11-23T08:00:00Z")
    ));
    assert!(check(
        "DateLessThanEquals",
        &["2026-11-23"],
        One("1795392000")
    ));
    assert!(check(
        "DateEquals",
        &["2026-11-23T00:00:00Z"],
        One("2026-11-23")
    ));
    assert!(check("DateNotEquals", &["2026-11-23"], One("2026-11-24")));
    assert!(check(
        "DateGreaterThanEquals",
        &["2026-11-23"],
        One("2026-11-23")
    ));
    assert!(check("Bool", &["true"], One("true")));
    assert!(check("Bool", &["true"], One("TRUE")));
    assert!(!check("Bool", &["false"], One("true")));
    assert!(
        !check("Bool", &["false"], Absent),
        "Bool on an absent key does not match"
    );
    assert!(
        check("BoolIfExists", &["false"], Absent),
        "BoolIfExists on an absent key matches"
    );
    assert!(!check("BoolIfExists", &["false"], One("true")));
    assert!(check("BinaryEquals", &["QmluYXJ5"], One("QmluYXJ5")));
    assert!(!check("BinaryEquals", &["QmluYXJ5"], One("eA==")));
}

#[test]
fn ip_and_arn() {
    use Ctx::*;
    assert!(check("IpAddress", &["203.0.113.0/24"], One("203.0.113.9")));
    assert!(!check(
        "IpAddress",
        &["203.0.113.0/24"],
        One("198.51.100.1")
    ));
    assert!(check("IpAddress", &["2001:db8::/32"], One("2001:db8::9")));
    assert!(check(
        "NotIpAddress",
        &["203.0.113.0/24"],
        One("198.51.100.1")
    ));
    assert!(check("NotIpAddress", &["203.0.113.0/24"], Absent));
    assert!(!check("IpAddress", &["203.0.113.0/24"], Absent));
    let role = "arn:aws:iam::111122223333:role/app";
    assert!(check(
        "ArnEquals",
        &["arn:aws:iam::111122223333:role/app"],
        One(role)
    ));
    assert!(check("ArnLike", &["arn:aws:iam::*:role/*"], One(role)));
    assert!(
        check("ArnEquals", &["arn:aws:iam::*:role/*"], One(role)),
        "ArnEquals = ArnLike"
    );
    assert!(!check("ArnLike", &["arn:aws:iam::*:user/*"], One(role)));
    assert!(check("ArnNotLike", &["arn:aws:iam::*:user/*"], One(role)));
    assert!(check("ArnNotEquals", &["arn:aws:iam::*:user/*"], Absent));
    assert!(!check(
        "ArnLike",
        &["arn:aws:iam::*:role/*"],
        One("not-an-arn")
    ));
}

#[test]
fn null_operator() {
    use Ctx::*;
    assert!(check("Null", &["true"], Absent));
    assert!(!check("Null", &["true"], One("x")));
    assert!(check("Null", &["false"], One("x")));
    assert!(!check("Null", &["false"], Absent));
    assert!(
        check("Null", &["true"], Many(&[])),
        "an empty multi-valued key is null"
    );
}

#[test]
fn set_qualifiers() {
    use Ctx::*;
    let allowed: &[&str] = &["team", "project"];
    // ForAllValues: every request value must be allowed; true when the key is absent.
    assert!(check("ForAllValues:StringEquals", allowed, Many(&["team"])));
    assert!(check(
        "ForAllValues:StringEquals",
        allowed,
        Many(&["team", "project"])
    ));
    assert!(!check(
        "ForAllValues:StringEquals",
        allowed,
        Many(&["team", "cost"])
    ));
    assert!(check("ForAllValues:StringEquals", allowed, Absent));
    assert!(check("ForAllValues:StringEquals", allowed, Many(&[])));
    // ForAnyValue: at least one; false when absent (unless IfExists).
    assert!(check(
        "ForAnyValue:StringEquals",
        allowed,
        Many(&["cost", "team"])
    ));
    assert!(!check("ForAnyValue:StringEquals", allowed, Many(&["cost"])));
    assert!(!check("ForAnyValue:StringEquals", allowed, Absent));
    assert!(check("ForAnyValue:StringEqualsIfExists", allowed, Absent));
    // Negated with qualifiers.
    assert!(check(
        "ForAllValues:StringNotEquals",
        allowed,
        Many(&["cost", "x"])
    ));
    assert!(!check(
        "ForAllValues:StringNotEquals",
        allowed,
        Many(&["cost", "team"])
    ));
    assert!(check(
        "ForAnyValue:StringNotEquals",
        allowed,
        Many(&["cost", "team"])
    ));
    assert!(!check(
        "ForAnyValue:StringNotEquals",
        allowed,
        Many(&["team"])
    ));
    // A single-valued operator does not match a multi-valued key.
    assert!(!check("StringEquals", allowed, Many(&["team"])));
    // Qualifiers on single-valued keys treat the value as a set of one.
    assert!(check("ForAnyValue:StringLike", &["t*"], One("team")));
}

#[test]
fn compile_errors() {
    let op = |name: &str| Operator::parse(name);
    let bad = |name: &str, value: &str| {
        op(name).map(|o| Condition::compile(o, "k:k", vec![value.to_string()], true).is_err())
    };
    assert_eq!(bad("NumericEquals", "ten"), Some(true));
    // A date the engine cannot read compiles to a value that matches nothing: which dates
    // are refused is the grammar's legacy-parsing phase (policy::grammar::date).
    assert_eq!(bad("DateEquals", "tomorrow"), Some(false));
    assert_eq!(bad("Bool", "yes"), Some(true));
    assert_eq!(bad("IpAddress", "10.0.0.0/99"), Some(true));
    assert_eq!(bad("ArnLike", "role/app"), Some(true));
    assert_eq!(bad("StringLike", "anything*"), Some(false));
}
