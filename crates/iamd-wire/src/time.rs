//! Timestamps: parse ISO 8601 / RFC 3339 text or epoch seconds, format as AWS does
//! (`2026-11-23T08:44:41Z`, UTC, whole seconds).

/// Seconds since the Unix epoch for an ISO 8601 date-time such as `2026-11-23T08:44:41Z`,
/// `2026-11-23T08:44:41.123+02:00` or `2026-11-23` (midnight UTC). `None` if malformed.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some(days * 86_400);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut second = 0;
    if b.get(16) == Some(&b':') {
        second = num(17, 2)?;
        i = 19;
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if b.len() == i + 1 => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (oh, om) = if b.len() == i + 6 && b.get(i + 3) == Some(&b':') {
                (num(i + 1, 2)?, num(i + 4, 2)?)
            } else if b.len() == i + 5 {
                (num(i + 1, 2)?, num(i + 3, 2)?)
            } else {
                return None;
            };
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        None => 0, // no zone: taken as UTC
        _ => return None,
    };
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Format seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_iso8601(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Append `epoch` as `YYYY-MM-DDTHH:MM:SSZ` (what [`format_iso8601`] returns) to `out`.
pub fn write_iso8601(out: &mut String, epoch: i64) {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        use std::fmt::Write as _;
        let _ = write!(out, "{y:04}");
    } else {
        push_digits(out, y, 4);
    }
    out.push('-');
    push_digits(out, m, 2);
    out.push('-');
    push_digits(out, d, 2);
    out.push('T');
    push_digits(out, secs / 3600, 2);
    out.push(':');
    push_digits(out, secs / 60 % 60, 2);
    out.push(':');
    push_digits(out, secs % 60, 2);
    out.push('Z');
}

/// The `width` low decimal digits of `n` (0 ≤ n), zero-padded.
fn push_digits(out: &mut String, n: i64, width: u32) {
    let mut div = 10i64.pow(width.saturating_sub(1));
    while div > 0 {
        let digit = (n / div % 10).unsigned_abs();
        out.push(char::from(b'0' + (digit as u8)));
        div /= 10;
    }
}

/// Seconds since the epoch of a timestamp JSON value (RFC 3339 string, or epoch seconds as a
/// number or numeric string). `None` if it is neither.
pub fn epoch_of(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::String(s) => {
            parse_iso8601(s).or_else(|| s.trim().parse::<f64>().ok().and_then(epoch_from_f64))
        }
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(epoch_from_f64)),
        _ => None,
    }
}

/// Normalise a timestamp JSON value (RFC 3339 string, or epoch seconds as a number or numeric
/// string) to AWS's text form. `None` if it is neither.
pub fn normalize(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => parse_iso8601(s)
            .or_else(|| s.trim().parse::<f64>().ok().and_then(epoch_from_f64))
            .map(format_iso8601),
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().and_then(epoch_from_f64))
            .map(format_iso8601),
        _ => None,
    }
}

/// Whole seconds from a float epoch, within ±10^12 s (years ≈ ±31,000).
fn epoch_from_f64(f: f64) -> Option<i64> {
    if f.is_finite() && f.abs() < 1e12 {
        // In range and finite: the truncating cast is exact for whole seconds.
        #[allow(clippy::cast_possible_truncation)]
        Some(f.floor() as i64)
    } else {
        None
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        let t = parse_iso8601("2026-11-23T08:44:41Z");
        assert_eq!(
            t.map(format_iso8601).as_deref(),
            Some("2026-11-23T08:44:41Z")
        );
        assert_eq!(format_iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_iso8601(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn write_matches_format() {
        for epoch in [
            0,
            -1,
            951_782_400,
            1_795_423_481,
            253_402_300_799,
            253_402_300_800,
            -62_167_219_200,
            -62_167_219_201,
            999_999_999_999,
            -999_999_999_999,
        ] {
            let mut out = String::from("x");
            write_iso8601(&mut out, epoch);
            assert_eq!(out, format!("x{}", format_iso8601(epoch)), "{epoch}");
        }
    }

    #[test]
    fn offsets_fractions_and_errors() {
        assert_eq!(
            parse_iso8601("2026-11-23T10:44:41.5+02:00"),
            parse_iso8601("2026-11-23T08:44:41Z")
        );
        assert_eq!(
            parse_iso8601("2026-11-23"),
            parse_iso8601("2026-11-23T00:00:00Z")
        );
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "20261123",
            "2026-11-23T8:44Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn normalizes_values() {
        let want = Some("2026-11-23T08:44:41Z".to_string());
        assert_eq!(normalize(&json!("2026-11-23T08:44:41.123456Z")), want);
        assert_eq!(normalize(&json!(1_795_423_481)), want);
        assert_eq!(normalize(&json!(1_795_423_481.9)), want);
        assert_eq!(normalize(&json!(true)), None);
        assert_eq!(normalize(&json!(1e300)), None);
    }
}
