use super::*;

#[test]
fn calendar() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 2, 29), 11_016);
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    assert_eq!(days_from_civil(2026, 4, 31), days_from_civil(2026, 5, 1));
    for days in [-800_000, -719_468, -1, 0, 59, 11_016, 20_780, 2_932_896] {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days, "{days}");
    }
    assert_eq!(days_in_month(2000, 2), 29);
    assert_eq!(days_in_month(1900, 2), 28);
    assert_eq!(days_in_month(2024, 2), 29);
    assert_eq!(days_in_month(2026, 13), 0);
}

#[test]
fn formats() {
    assert_eq!(format_iso8601(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_iso8601(1_795_423_481), "2026-11-23T08:44:41Z");
    assert_eq!(format_iso8601(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(format_iso8601(1_700_000_000), "2023-11-14T22:13:20Z");
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
fn exact_parses_what_it_formats() {
    for secs in [0, 951_782_400, 1_423_247_986, 1_795_423_481] {
        assert_eq!(parse_iso8601_exact(&format_iso8601(secs)), Some(secs));
    }
    for bad in [
        "2015-02-06 18:39:46",
        "2015-13-06T18:39:46Z",
        "2015-02-06T18:39:46",
        "2015-02-06T18:39:46.5Z",
        "2015-02-06T18:39:60Z",
        "2015-02-06T24:00:00Z",
        "2015-02-29T00:00:00Z",
        "2015-+2-06T18:39:46Z",
        " 2015-02-06T18:39:46Z",
        "2015-02-06",
    ] {
        assert_eq!(parse_iso8601_exact(bad), None, "{bad}");
    }
}

#[test]
fn lenient_round_trips() {
    assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
    let t = parse_iso8601("2026-11-23T08:44:41Z");
    assert_eq!(
        t.map(format_iso8601).as_deref(),
        Some("2026-11-23T08:44:41Z")
    );
}

#[test]
fn lenient_offsets_fractions_and_errors() {
    assert_eq!(
        parse_iso8601("2026-11-23T10:44:41.5+02:00"),
        parse_iso8601("2026-11-23T08:44:41Z")
    );
    assert_eq!(
        parse_iso8601("2026-11-23T10:44:41,123456+0200"),
        parse_iso8601("2026-11-23T08:44:41Z")
    );
    assert_eq!(
        parse_iso8601(" 2026-11-23 08:44z "),
        parse_iso8601("2026-11-23T08:44:00Z")
    );
    assert_eq!(
        parse_iso8601("2026-11-23"),
        parse_iso8601("2026-11-23T00:00:00Z")
    );
    assert_eq!(parse_iso8601("2026-11-23T08:44:41"), Some(1_795_423_481));
    for bad in [
        "",
        "2026-13-01T00:00:00Z",
        "2026-02-30",
        "20261123",
        "2026-11-23T8:44Z",
        "2026-11-23T08:44:41.Z",
        "2026-11-23T08:44:41+09",
        "2026-11-23T08:44:41Zx",
    ] {
        assert_eq!(parse_iso8601(bad), None, "{bad}");
    }
}

#[test]
fn millis() {
    assert_eq!(parse_iso8601_millis("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_iso8601_millis("1970-01-02"), Some(86_400_000));
    assert_eq!(
        parse_iso8601_millis("2026-11-23T08:44:41Z"),
        Some(1_795_423_481_000)
    );
    assert_eq!(
        parse_iso8601_millis("2026-11-23T17:44:41+09:00"),
        Some(1_795_423_481_000)
    );
    assert_eq!(
        parse_iso8601_millis("2026-11-23T17:44:41+09"),
        Some(1_795_423_481_000)
    );
    assert_eq!(
        parse_iso8601_millis("2026-11-23T08:44:41.5Z"),
        Some(1_795_423_481_500)
    );
    assert_eq!(
        parse_iso8601_millis("2026-11-23t08:44:41.123456"),
        Some(1_795_423_481_123)
    );
    assert_eq!(
        parse_iso8601_millis("2026-02-30"),
        parse_iso8601_millis("2026-03-02")
    );
    for bad in [
        "2026-13-01",
        "2026-11-32",
        "yesterday",
        "",
        "86400",
        "2026-11-23 08:44:41Z",
        "2026-11-23T08:44:41,5Z",
        "2026-11-23T24:00:00Z",
    ] {
        assert_eq!(parse_iso8601_millis(bad), None, "{bad}");
    }
}

#[test]
fn amz_date_round_trips() {
    let t = parse_amz_date("20150830T123600Z");
    assert_eq!(t, Some(1_440_938_160));
    assert_eq!(format_amz_date(1_440_938_160), "20150830T123600Z");
    assert_eq!(format_amz_date(0), "19700101T000000Z");
    assert_eq!(parse_amz_date("20000229T235959Z"), Some(951_868_799));
    assert_eq!(format_amz_date(951_868_799), "20000229T235959Z");
    assert_eq!(format_amz_date(-1), "19691231T235959Z");
}

#[test]
fn amz_date_rejects_nonsense() {
    for bad in [
        "",
        "201",
        "20150830T123600",
        "20150830 123600Z",
        "20150230T123600Z",
        "20190229T000000Z",
        "20151330T123600Z",
        "20150830T243600Z",
        "20150830T126000Z",
        "20150830T123660Z",
        "2015083OT123600Z",
        "+0150830T123600Z",
        "2015-08-30T12:36:00Z",
        "２０15083T123600Z",
    ] {
        assert_eq!(parse_amz_date(bad), None, "{bad}");
    }
}

#[test]
fn http_date() {
    assert_eq!(
        parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
        Some(1_440_938_160)
    );
    assert_eq!(parse_http_date("Sun, 30 Aug 2015 12:36:00"), None);
    assert_eq!(parse_http_date("Sun, 31 Sep 2015 12:36:00 GMT"), None);
    assert_eq!(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"), None);
}

#[test]
fn system_time() {
    assert_eq!(to_unix(from_unix(1_440_938_160)), 1_440_938_160);
    assert_eq!(to_unix(from_unix(-5)), -5);
}

#[test]
fn digit_formatters_agree_with_format() {
    let reference = |unix: i64, amz: bool| {
        let ((y, m, d), secs) = split_day(unix);
        let (h, min, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if amz {
            format!("{y:04}{m:02}{d:02}T{h:02}{min:02}{s:02}Z")
        } else {
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
        }
    };
    let year = 365 * 86_400;
    let samples = [
        -62_200_000_000, // year 2, BC side of the calendar
        -62_135_596_800, // 0001-01-01
        -30_610_224_000, // 1000-01-01
        -1,
        0,
        1_795_423_481,
        253_402_300_799, // 9999-12-31T23:59:59Z
        253_402_300_800, // 10000-01-01: five digits
        -62_167_219_201, // year -1
    ];
    for unix in samples
        .into_iter()
        .chain((0..200).map(|i| i * year / 3 + i * 7_919))
    {
        assert_eq!(format_amz_date(unix), reference(unix, true), "{unix}");
        assert_eq!(format_iso8601(unix), reference(unix, false), "{unix}");
    }
}
