//! Parsing of typed condition values: numbers, dates, booleans, IP ranges.

use std::net::IpAddr;

/// Parses a number as AWS's `Numeric*` operators do (integers and decimals).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t.contains(['x', 'X', 'e', 'E', 'n', 'N', 'i', 'I']) {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Parses a boolean (`true` / `false`, any case).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Parses a date as AWS's `Date*` operators do: ISO 8601 (`2026-11-23`,
/// `2026-11-23T08:44:41Z`, with fractions or an offset; see
/// [`iamd_time::parse_iso8601_millis`]) or epoch seconds. Returns epoch milliseconds.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok()?.checked_mul(1000);
    }
    iamd_time::parse_iso8601_millis(t)
}

/// An IPv4 or IPv6 network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `203.0.113.0/24`, `2001:db8::/32` or a bare address.
    pub(crate) fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    /// Whether `ip` (an address, or a network whose address is used) lies in this network.
    pub(crate) fn contains(&self, ip: &str) -> Option<bool> {
        let other = IpNet::parse(ip)?.addr;
        Some(match (self.addr, other) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date("86400"), Some(86_400_000));
        assert_eq!(parse_date("2026-11-23T08:44:41Z"), Some(1_795_423_481_000));
        assert_eq!(
            parse_date("2026-11-23T17:44:41+09:00"),
            Some(1_795_423_481_000)
        );
        assert_eq!(
            parse_date("2026-11-23T08:44:41.5Z"),
            Some(1_795_423_481_500)
        );
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
    }

    #[test]
    fn networks() {
        let net = IpNet::parse("203.0.113.0/24");
        assert_eq!(net.and_then(|n| n.contains("203.0.113.77")), Some(true));
        assert_eq!(net.and_then(|n| n.contains("203.0.114.1")), Some(false));
        assert_eq!(net.and_then(|n| n.contains("2001:db8::1")), Some(false));
        let v6 = IpNet::parse("2001:db8::/32");
        assert_eq!(v6.and_then(|n| n.contains("2001:db8:1::5")), Some(true));
        assert_eq!(v6.and_then(|n| n.contains("2001:db9::5")), Some(false));
        assert_eq!(
            IpNet::parse("0.0.0.0/0").and_then(|n| n.contains("8.8.8.8")),
            Some(true)
        );
        assert!(IpNet::parse("10.0.0.0/33").is_none());
        assert!(IpNet::parse("not-an-ip").is_none());
        assert_eq!(
            IpNet::parse("10.0.0.1").and_then(|n| n.contains("10.0.0.1")),
            Some(true)
        );
    }
}
