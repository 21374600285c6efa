//! Condition operators, from AWS's "IAM JSON policy elements: Condition operators":
//! operators of a block, keys of an operator: all must be true; values of a key: any.
//! A key absent from the request: `...IfExists` is true, a negated operator (`StringNot...`,
//! `NumericNotEquals`, `DateNotEquals`, `NotIpAddress`, `ArnNot...`) is true, any other is
//! false. `ForAnyValue:` needs one request value to match (false without the key),
//! `ForAllValues:` needs every request value to match (true without the key). `Null`: `true`
//! means the key is absent (or
//! its value an empty set).

use std::net::Ipv4Addr;

use serde_json::Value;

use super::matcher::{self, Unit};
use super::{strings, Req};

pub fn all_true(block: Option<&Value>, variables: bool, req: &Req) -> bool {
    let Some(Value::Object(operators)) = block else {
        return true;
    };
    operators.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else {
            return false;
        };
        keys.iter()
            .all(|(key, values)| one(operator, key, &strings(values), variables, req))
    })
}

fn one(operator: &str, key: &str, policy: &[String], variables: bool, req: &Req) -> bool {
    // A key whose value is an empty set counts as absent: AWS's multivalued-key examples
    // prevent "missing context keys or context keys with empty values" from matching with
    // `Null: false`, so `Null` (and every operator) sees an empty set as no key.
    let present = req.values(key).filter(|values| !values.is_empty());
    if operator == "Null" {
        return policy
            .iter()
            .any(|p| p.eq_ignore_ascii_case("true") == present.is_none());
    }
    let (set, rest) = match operator.split_once(':') {
        Some((set, rest)) => (Some(set), rest),
        None => (None, operator),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let negated = is_negated(base);
    let value_ok = |v: &String| {
        let hit = policy.iter().any(|p| compare(base, p, v, variables, req));
        hit != negated
    };
    match (set, present) {
        (Some("ForAnyValue"), None) => false,
        (Some("ForAnyValue"), Some(values)) => values.iter().any(value_ok),
        (Some(_), None) => true,
        (Some(_), Some(values)) => values.iter().all(value_ok),
        (None, None) => if_exists || negated,
        (None, Some(values)) => values.iter().all(value_ok),
    }
}

fn is_negated(base: &str) -> bool {
    base.starts_with("StringNot")
        || base.starts_with("ArnNot")
        || base == "NumericNotEquals"
        || base == "DateNotEquals"
        || base == "NotIpAddress"
}

/// Whether the request value `v` equals / is like / is within the policy value `p` (the
/// positive form of `base`).
fn compare(base: &str, p: &str, v: &str, variables: bool, req: &Req) -> bool {
    let lookup = |key: &str| req.variable(key);
    let chars: Vec<char> = v.chars().collect();
    let glob = |p: &str, wildcards: bool, subject: &[char]| {
        matcher::resolve(p, wildcards, variables, 0, &lookup)
            .is_some_and(|units| matcher::glob(&units[0], subject))
    };
    match base {
        "StringEquals" | "StringNotEquals" => glob(p, false, &chars),
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
            let lower: Vec<char> = v.to_lowercase().chars().collect();
            matcher::resolve(p, false, variables, 0, &lookup).is_some_and(|units| {
                let units: Vec<Unit> = units[0]
                    .iter()
                    .map(|u| match u {
                        Unit::Char(c) => Unit::Char(c.to_lowercase().next().unwrap_or(*c)),
                        other => *other,
                    })
                    .collect();
                matcher::glob(&units, &lower)
            })
        }
        "StringLike" | "StringNotLike" => glob(p, true, &chars),
        "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => {
            matcher::arn_matches(p, v, variables, &lookup)
        }
        "Bool" => p.eq_ignore_ascii_case(v),
        "IpAddress" | "NotIpAddress" => in_cidr(p, v),
        numeric if numeric.starts_with("Numeric") => match (p.parse::<f64>(), v.parse::<f64>()) {
            (Ok(p), Ok(v)) => ordered(numeric.trim_start_matches("Numeric"), v, p),
            _ => false,
        },
        date if date.starts_with("Date") => match (epoch(p), epoch(v)) {
            (Some(p), Some(v)) => ordered(date.trim_start_matches("Date"), v as f64, p as f64),
            _ => false,
        },
        _ => false,
    }
}

/// `v OP p` for `Equals`, `NotEquals` (as equality: the caller negates), `LessThan`, ...
fn ordered(op: &str, v: f64, p: f64) -> bool {
    match op {
        "Equals" | "NotEquals" => v == p,
        "LessThan" => v < p,
        "LessThanEquals" => v <= p,
        "GreaterThan" => v > p,
        "GreaterThanEquals" => v >= p,
        _ => false,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` or epoch seconds.
fn epoch(text: &str) -> Option<i64> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn in_cidr(cidr: &str, ip: &str) -> bool {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    match (
        net.parse::<Ipv4Addr>(),
        bits.parse::<u32>(),
        ip.parse::<Ipv4Addr>(),
    ) {
        (Ok(net), Ok(bits), Ok(ip)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(net) & mask == u32::from(ip) & mask
        }
        _ => false,
    }
}
