//! Timestamps: parse ISO 8601 / RFC 3339 text or epoch seconds, format as AWS does
//! (`2026-11-23T08:44:41Z`, UTC, whole seconds). The calendar is [`iamd_time`]'s.

pub use iamd_time::{format_iso8601, parse_iso8601, write_iso8601};

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
    .filter(|secs| FOUR_DIGIT_YEARS.contains(secs))
}

/// The epoch seconds whose text form has a four-digit year (0001-01-01 to 9999-12-31): what
/// a timestamp may be, so that its text form parses again (found by the `cloudtrail_json`
/// fuzz target: epoch 340000333330000 became year 10776151).
const FOUR_DIGIT_YEARS: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;

/// Normalise a timestamp JSON value (RFC 3339 string, or epoch seconds as a number or numeric
/// string) to AWS's text form. `None` if it is neither.
pub fn normalize(value: &serde_json::Value) -> Option<String> {
    epoch_of(value).map(format_iso8601)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_values() {
        let want = Some("2026-11-23T08:44:41Z".to_string());
        assert_eq!(normalize(&json!("2026-11-23T08:44:41.123456Z")), want);
        assert_eq!(normalize(&json!(1_795_423_481)), want);
        assert_eq!(normalize(&json!(1_795_423_481.9)), want);
        assert_eq!(normalize(&json!(true)), None);
        assert_eq!(normalize(&json!(1e300)), None);
        // Beyond year 9999 the text form would not parse again: refused.
        assert_eq!(normalize(&json!(340_000_333_330_000_i64)), None);
        assert_eq!(epoch_of(&json!(253_402_300_800_i64)), None);
        assert_eq!(
            normalize(&json!(253_402_300_799_i64)).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
    }
}
