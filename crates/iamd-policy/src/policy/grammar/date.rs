//! The legacy parser's reading of `Date*` condition values: an ISO 8601 date and time, any
//! part after the year optional, or epoch seconds. AWS's recorded answers (moto's
//! `test_iam_policies.py`): `01T` and `2016-12-13t2:00:00.593194+23` are valid;
//! `sdfdsf`, `234-13`, `...+1` (a one-digit offset), a fraction of ten digits and
//! `9223372036854775808` fail legacy parsing.

/// Whether AWS's legacy parser accepts `text` as a date.
pub(super) fn legacy_date(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains('t') || lower.contains('-') {
        iso_8601(&lower).is_some()
    } else {
        text.parse::<i64>().is_ok_and(|n| n >= 0)
    }
}

fn number_in(text: &str, low: i64, high: i64) -> Option<()> {
    let n: i64 = text.parse().ok()?;
    (low..=high).contains(&n).then_some(())
}

fn iso_8601(text: &str) -> Option<()> {
    let (date, time) = text.split_once('t').unwrap_or((text, ""));
    let (negative, date) = match date.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, date),
    };
    let parts: Vec<&str> = date.split('-').collect();
    if parts.len() > 3 {
        return None;
    }
    let year = parts.first()?;
    let year = if negative {
        format!("-{year}")
    } else {
        year.to_string()
    };
    number_in(&year, -292_275_054, 292_278_993)?;
    if let Some(month) = parts.get(1) {
        number_in(month, 1, 12)?;
    }
    if let Some(day) = parts.get(2) {
        number_in(day, 1, 31)?;
    }
    clock(time)
}

fn clock(time: &str) -> Option<()> {
    let parts: Vec<&str> = time.splitn(3, ':').collect();
    match parts.first() {
        Some(hours) if !hours.is_empty() => number_in(hours, 0, 23)?,
        _ => {}
    }
    if let Some(minutes) = parts.get(1) {
        number_in(minutes, 0, 59)?;
    }
    let Some(seconds) = parts.get(2) else {
        return Some(());
    };
    let seconds = if let Some((s, rest)) = seconds.split_once('z') {
        rest.is_empty().then_some(s)?
    } else if let Some((s, zone)) = seconds.split_once(['+', '-']) {
        offset(zone)?;
        s
    } else {
        seconds
    };
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, "0"));
    number_in(whole, 0, 59)?;
    number_in(fraction, 0, 999_999_999)
}

/// `hh` or `hh:mm`, two digits each.
fn offset(zone: &str) -> Option<()> {
    let (hours, minutes) = match zone.split_once(':') {
        Some((h, m)) => (h, Some(m)),
        None => (zone, None),
    };
    (hours.len() == 2).then_some(())?;
    number_in(hours, 0, 23)?;
    if let Some(minutes) = minutes {
        (minutes.len() == 2).then_some(())?;
        number_in(minutes, 0, 59)?;
    }
    Some(())
}
