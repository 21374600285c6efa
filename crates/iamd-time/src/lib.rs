//! iamd's one calendar, without a date-time dependency: UTC only, the proleptic Gregorian
//! calendar, whole Unix seconds (milliseconds where policy conditions need them).
//!
//! - the calendar: [`days_from_civil`], [`civil_from_days`], [`days_in_month`];
//! - ISO 8601 as AWS writes it (`2026-11-23T08:44:41Z`): [`format_iso8601`],
//!   [`write_iso8601`], and three readers for the three places that read it:
//!   [`parse_iso8601_exact`] (exactly AWS's form), [`parse_iso8601`] (a request's timestamp
//!   member: offsets, fractions, a bare date) and [`parse_iso8601_millis`] (a policy's `Date*`
//!   condition value, to the millisecond);
//! - SigV4's basic format (`20150830T123600Z`): [`format_amz_date`], [`parse_amz_date`];
//! - the RFC 1123 HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`): [`parse_http_date`];
//! - `SystemTime` to and from Unix seconds: [`to_unix`], [`from_unix`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds in a day (UTC has no leap seconds in Unix time).
pub const SECS_PER_DAY: i64 = 86_400;

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days of `month` (1–12) in `year`; 0 for a month out of range.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
///
/// `month` must be 1–12; a `day` past the month's end counts on into the next month
/// (31 April is 1 May), which is what the policy reader relies on.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day in 1..=31 and month in 1..=12 by construction.
    (year, month as u32, day as u32)
}

/// Unix seconds of a civil date and time; `None` when a field is out of range (the day
/// checked against its month, seconds 0–59).
pub fn unix_seconds(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * SECS_PER_DAY + i64::from(h * 3600 + m * 60 + s))
}

/// The date and the seconds into that day of Unix seconds.
fn split_day(unix: i64) -> ((i64, u32, u32), i64) {
    let days = unix.div_euclid(SECS_PER_DAY);
    (civil_from_days(days), unix.rem_euclid(SECS_PER_DAY))
}

/// `2026-11-23T08:44:41Z` for Unix seconds (`YYYY-MM-DDTHH:MM:SSZ`, what AWS writes).
pub fn format_iso8601(unix: i64) -> String {
    let ((y, m, d), secs) = split_day(unix);
    let Some([y, m, d, h, min, s]) = clock_fields(y, m, d, secs) else {
        return format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    };
    let mut out = String::with_capacity(20);
    push_padded(&mut out, y, 4);
    for (sep, value) in [('-', m), ('-', d), ('T', h), (':', min), (':', s)] {
        out.push(sep);
        push_padded(&mut out, value, 2);
    }
    out.push('Z');
    out
}

/// Year (0 to 9999), month, day, hour, minute and second, for the digit-by-digit formatters;
/// `None` for a year outside four digits (formatted with `format!` instead).
fn clock_fields(year: i64, month: u32, day: u32, secs: i64) -> Option<[u32; 6]> {
    let year = u32::try_from(year).ok().filter(|y| *y <= 9999)?;
    let secs = u32::try_from(secs).ok()?;
    Some([year, month, day, secs / 3600, secs / 60 % 60, secs % 60])
}

/// Appends `value` zero-padded to `width` digits (higher digits are dropped: callers pass
/// values that fit).
fn push_padded(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Appends `unix` as `YYYY-MM-DDTHH:MM:SSZ` (what [`format_iso8601`] returns) to `out`,
/// without allocating.
pub fn write_iso8601(out: &mut String, unix: i64) {
    let ((y, m, d), secs) = split_day(unix);
    if !(0..=9999).contains(&y) {
        use std::fmt::Write as _;
        let _ = write!(out, "{y:04}");
    } else {
        push_digits(out, y, 4);
    }
    out.push('-');
    push_digits(out, i64::from(m), 2);
    out.push('-');
    push_digits(out, i64::from(d), 2);
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

/// The number made of `digits`, which must all be ASCII digits (1 to 9 of them).
fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Unix seconds of exactly `YYYY-MM-DDTHH:MM:SSZ` (AWS's own form, as in its managed policies'
/// metadata and the credential report). Anything else, or a date that does not exist, is
/// `None`.
pub fn parse_iso8601_exact(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shape_ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape_ok {
        return None;
    }
    let (year, month, day) = (number(&b[0..4])?, number(&b[5..7])?, number(&b[8..10])?);
    let (h, m, s) = (
        number(&b[11..13])?,
        number(&b[14..16])?,
        number(&b[17..19])?,
    );
    unix_seconds(i64::from(year), month, day, h, m, s)
}

/// Unix seconds of an ISO 8601 / RFC 3339 date-time as a request's timestamp member may hold
/// it: `2026-11-23T08:44:41Z`, `2026-11-23T08:44:41.123+02:00`, `2026-11-23 08:44`, or a bare
/// `2026-11-23` (midnight UTC). Surrounding whitespace is ignored; `T`, `t` or a space
/// separates date and time; seconds are optional and may carry a fraction (`.` or `,`, dropped);
/// the zone is `Z`/`z`, `±HH:MM`, `±HHMM` or absent (UTC); second 60 is accepted. `None` if
/// malformed or the date does not exist.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
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
    // month and day are two digits, so they fit a u32.
    let (month, day) = (month as u32, day as u32);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some(days * SECS_PER_DAY);
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
    Some(days * SECS_PER_DAY + hour * 3600 + minute * 60 + second - offset)
}

/// Unix milliseconds of an ISO 8601 date as a policy's `Date*` condition holds it:
/// `2026-11-23`, `2026-11-23T08:44:41Z`, with minutes only, a fraction (`.`, kept to the
/// millisecond), a zone `Z`/`z`, `±HH`, `±HH:MM` or `±HHMM`, or no zone (UTC). Surrounding
/// whitespace is ignored; `T` or `t` separates date and time; second 60 is accepted; a day up
/// to 31 counts on into the next month (`2026-02-30` is 2 March). `None` if malformed.
pub fn parse_iso8601_millis(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, rest)) => (d, Some(rest)),
        None => (t, None),
    };
    let mut d = date.split('-');
    let year: i64 = fixed_number(d.next()?, 4)?;
    let month: i64 = fixed_number(d.next()?, 2)?;
    let day: i64 = fixed_number(d.next()?, 2)?;
    if d.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // month and day are checked above, so they fit a u32.
    let mut millis = days_from_civil(year, month as u32, day as u32) * SECS_PER_DAY * 1000;
    if let Some(time) = time {
        let (clock, offset_minutes) = split_offset(time)?;
        let (hms, fraction) = match clock.split_once('.') {
            Some((hms, f)) => (hms, Some(f)),
            None => (clock, None),
        };
        let mut parts = hms.split(':');
        let h: i64 = fixed_number(parts.next()?, 2)?;
        let m: i64 = fixed_number(parts.next()?, 2)?;
        let s: i64 = match parts.next() {
            Some(s) => fixed_number(s, 2)?,
            None => 0,
        };
        if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
            return None;
        }
        let frac_ms = match fraction {
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                let digits: String = f.chars().chain("000".chars()).take(3).collect();
                digits.parse::<i64>().ok()?
            }
            Some(_) => return None,
            None => 0,
        };
        millis += ((h * 60 + m - offset_minutes) * 60 + s) * 1000 + frac_ms;
    }
    Some(millis)
}

/// The number written with exactly `width` ASCII digits.
fn fixed_number(text: &str, width: usize) -> Option<i64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Splits `08:44:41Z` / `08:44:41+09:00` into the clock and the offset in minutes.
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    if let Some(pos) = time.rfind(['+', '-']) {
        let (clock, offset) = time.split_at(pos);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let digits = offset[1..].replace(':', "");
        let h: i64 = fixed_number(digits.get(0..2)?, 2)?;
        let m: i64 = fixed_number(digits.get(2..4).unwrap_or("00"), 2)?;
        return Some((clock, sign * (h * 60 + m)));
    }
    Some((time, 0))
}

/// Parses `YYYYMMDDTHHMMSSZ` (what `X-Amz-Date` holds) into Unix seconds.
pub fn parse_amz_date(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let year = number(&b[0..4])?;
    let month = number(&b[4..6])?;
    let day = number(&b[6..8])?;
    let h = number(&b[9..11])?;
    let m = number(&b[11..13])?;
    let s = number(&b[13..15])?;
    unix_seconds(i64::from(year), month, day, h, m, s)
}

/// Formats Unix seconds as `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(unix: i64) -> String {
    let ((year, month, day), secs) = split_day(unix);
    let Some([y, m, d, h, min, s]) = clock_fields(year, month, day, secs) else {
        return format!(
            "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        );
    };
    let mut out = String::with_capacity(16);
    push_padded(&mut out, y, 4);
    push_padded(&mut out, m, 2);
    push_padded(&mut out, d, 2);
    out.push('T');
    for value in [h, min, s] {
        push_padded(&mut out, value, 2);
    }
    out.push('Z');
    out
}

/// Parses an RFC 1123 HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, or `UTC`) into Unix seconds.
/// The weekday is not checked against the date.
pub fn parse_http_date(value: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = value.split_ascii_whitespace().collect();
    let [weekday, day, month, year, clock, zone] = parts.as_slice() else {
        return None;
    };
    if !weekday.ends_with(',') || !(*zone == "GMT" || *zone == "UTC") {
        return None;
    }
    let day = number(day.as_bytes()).filter(|_| day.len() <= 2)?;
    let month = MONTHS.iter().position(|m| m == month)? as u32 + 1;
    let year = number(year.as_bytes()).filter(|_| year.len() == 4)?;
    let c = clock.as_bytes();
    if c.len() != 8 || c[2] != b':' || c[5] != b':' {
        return None;
    }
    let (h, m, s) = (number(&c[0..2])?, number(&c[3..5])?, number(&c[6..8])?);
    unix_seconds(i64::from(year), month, day, h, m, s)
}

/// Unix seconds of a `SystemTime` (negative before 1970, saturating far away).
pub fn to_unix(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs())
            .map(|s| -s)
            .unwrap_or(i64::MIN),
    }
}

/// The `SystemTime` of Unix seconds (the epoch when the platform cannot represent it).
pub fn from_unix(unix: i64) -> SystemTime {
    let d = Duration::from_secs(unix.unsigned_abs());
    if unix >= 0 {
        UNIX_EPOCH.checked_add(d).unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH.checked_sub(d).unwrap_or(UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests;
