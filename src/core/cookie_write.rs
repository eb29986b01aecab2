//! Parsing a cookie write (`document.cookie = "..."`) the way browsers do (RFC 6265
//! §5.2): attributes in any case and order, junk ignored, `Expires` in every date form
//! the cookie-date algorithm accepts (§5.1.1), `Max-Age` winning over `Expires`.
#[allow(unused_imports)]
use crate::prelude::*;

// Trimmed as browsers trim a cookie's parts: spaces and tabs only (not other Unicode
// white space, which would change a name or value keksi writes back).
use super::strings::{pieces, split_once, trim_cookie_part as trim};
use super::time::{days_from_civil, times_saturating};

/// One parsed cookie write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieWrite<'a> {
    /// Cookie name (empty for a write without `=`, as browsers treat it).
    pub name: &'a str,
    /// Cookie value.
    pub value: &'a str,
    /// `Max-Age` in seconds, when present and valid.
    pub max_age: Option<i64>,
    /// `Expires` as Unix milliseconds, when present and a valid date.
    pub expires_ms: Option<i64>,
    /// `Domain` attribute, when present.
    pub domain: Option<&'a str>,
    /// `Path` attribute, when present.
    pub path: Option<&'a str>,
    /// The attributes as written, minus `Expires` and `Max-Age`: kept for rewriting.
    pub other_attrs: Vec<&'a str>,
    /// How many `Max-Age` and `Expires` attributes the write has, valid or not, and how
    /// many of them keksi could not read. Browsers differ on such writes (Chromium takes
    /// the last `Max-Age` even when it is junk, Firefox reads `+5` or `5x` as 5): keksi
    /// writes its own reading back for them (`expiry::cap`).
    pub lifetime_attrs: u8,
    /// See `lifetime_attrs`.
    pub unreadable_lifetimes: u8,
}

/// Parse a cookie string. Never fails: whatever a browser would ignore is ignored.
pub fn parse(text: &str) -> CookieWrite<'_> {
    let mut parts = pieces(text, b';');
    let pair = parts.next().unwrap_or("");
    let (name, value) = split_once(pair, b'=').unwrap_or(("", pair));
    let (name, value) = (trim(name), trim(value));
    let mut w = CookieWrite {
        name,
        value,
        max_age: None,
        expires_ms: None,
        domain: None,
        path: None,
        other_attrs: Vec::new(),
        lifetime_attrs: 0,
        unreadable_lifetimes: 0,
    };
    for raw in parts {
        let (key, val) = split_once(raw, b'=').unwrap_or((raw, ""));
        let (key, val) = (trim(key), trim(val));
        let max_age = key.eq_ignore_ascii_case("max-age");
        if max_age || key.eq_ignore_ascii_case("expires") {
            w.lifetime_attrs = w.lifetime_attrs.saturating_add(1);
            // The last valid one wins; invalid ones are ignored (RFC 6265 §5.2).
            // Browsers ignore an attribute value over 1024 bytes; read as they read it.
            let read = if val.len() > MAX_ATTR_VALUE {
                None
            } else if max_age {
                parse_max_age(val).map(|v| w.max_age = Some(v))
            } else {
                parse_date(val).map(|ms| w.expires_ms = Some(ms))
            };
            if read.is_none() {
                w.unreadable_lifetimes = w.unreadable_lifetimes.saturating_add(1);
            }
            continue;
        }
        if key.eq_ignore_ascii_case("domain") && !val.is_empty() {
            w.domain = Some(val);
        } else if key.eq_ignore_ascii_case("path") && val.starts_with("/") {
            w.path = Some(val);
        }
        if !key.is_empty() {
            w.other_attrs.push(trim(raw));
        }
    }
    w
}

/// The longest attribute value browsers read (RFC 6265bis).
const MAX_ATTR_VALUE: usize = 1024;

/// `Max-Age` per RFC 6265 §5.2.2: an optional `-` then digits; anything else ignored.
/// Huge values saturate.
fn parse_max_age(v: &str) -> Option<i64> {
    // A `&str` pattern, as everywhere (see `strings::parse_u32`).
    let (neg, digits) = match v.strip_prefix("-") {
        Some(d) => (true, d),
        None => (false, v),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits
        .bytes()
        .fold(0i64, |acc, b| times_saturating(acc, 10).saturating_add(i64::from(b - b'0')));
    Some(if neg { -n } else { n })
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2F | 0x3B..=0x40 | 0x5B..=0x60 | 0x7B..=0x7E)
}

/// Leading digits of a token (1..=max of them), and whether a non-digit may follow.
fn leading_digits(t: &[u8], min: usize, max: usize) -> Option<(u32, usize)> {
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    let v = t[..n].iter().fold(0u32, |a, b| a * 10 + u32::from(b - b'0'));
    Some((v, n))
}

fn parse_time(t: &[u8]) -> Option<(u32, u32, u32)> {
    let (h, n1) = leading_digits(t, 1, 2)?;
    let rest = t.get(n1..)?.strip_prefix(b":")?;
    let (m, n2) = leading_digits(rest, 1, 2)?;
    let rest = rest.get(n2..)?.strip_prefix(b":")?;
    let (s, _) = leading_digits(rest, 1, 2)?;
    Some((h, m, s))
}

fn parse_month(t: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
    ];
    let head = t.get(..3)?;
    MONTHS.iter().position(|m| head.eq_ignore_ascii_case(*m)).map(|i| i as u32 + 1)
}

/// The cookie-date algorithm of RFC 6265 §5.1.1, to Unix milliseconds.
pub fn parse_date(text: &str) -> Option<i64> {
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    for token in text.as_bytes().split(|b| is_delimiter(*b)).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some((d, _)) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some((y, _)) = leading_digits(token, 2, 4) {
                year = Some(y);
            }
        }
    }
    let (h, mi, s) = time?;
    let (d, mo, mut y) = (day?, month?, year?);
    if (70..=99).contains(&y) {
        y += 1900;
    } else if y <= 69 {
        y += 2000;
    }
    if !(1..=31).contains(&d) || y < 1601 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    // A day that does not exist in its month (Feb 30) is not a date.
    if super::time::civil_from_days(days).2 != d {
        return None;
    }
    Some((days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_1_2027: i64 = 1_798_761_600_000;

    #[test]
    fn vendor_writes() {
        // gtag.js
        let w = parse("_ga=GA1.1.123.456; expires=Fri, 26 Nov 2027 10:00:00 GMT; path=/; domain=example.com; SameSite=Lax");
        assert_eq!((w.name, w.value), ("_ga", "GA1.1.123.456"));
        assert_eq!(w.expires_ms, Some(1_827_223_200_000));
        assert_eq!(w.domain, Some("example.com"));
        assert_eq!(w.path, Some("/"));
        assert_eq!(w.other_attrs, ["path=/", "domain=example.com", "SameSite=Lax"]);
        // Meta pixel
        let w = parse("_fbp=fb.1.1700000000000.123;expires=Sat, 24 Feb 2024 00:00:00 GMT;domain=.example.com;path=/");
        assert_eq!(w.name, "_fbp");
        assert!(w.expires_ms.is_some());
        // Hotjar
        let w = parse("_hjSessionUser_123=eyJpZCI6IjEifQ==; Max-Age=31536000; Path=/; Domain=example.com; SameSite=Lax; Secure");
        assert_eq!(w.value, "eyJpZCI6IjEifQ==");
        assert_eq!(w.max_age, Some(31_536_000));
        // Attributes in any case and order, spaces anywhere.
        let w = parse(" x = 1 ;MAX-AGE=10;  EXPIRES = Thu, 01 Jan 2027 00:00:00 GMT ; SECURE");
        assert_eq!((w.name, w.value, w.max_age, w.expires_ms), ("x", "1", Some(10), Some(JAN_1_2027)));
        assert_eq!(w.other_attrs, ["SECURE"]);
    }

    #[test]
    fn malformed_writes() {
        let w = parse("justavalue");
        assert_eq!((w.name, w.value), ("", "justavalue"));
        let w = parse("a=b; max-age=12x; max-age=; max-age=+5; expires=garbage; =; ;;");
        assert_eq!((w.max_age, w.expires_ms), (None, None));
        assert_eq!(
            parse("a=b; max-age=5; max-age=oops").max_age,
            Some(5),
            "invalid later ones are ignored"
        );
        assert_eq!(parse("a=b; max-age=-1").max_age, Some(-1));
        assert_eq!(parse("a=b; max-age=99999999999999999999999").max_age, Some(i64::MAX));
        // Around the overflow: the same as the saturating multiply it stands for.
        for n in [i64::MAX / 10 - 1, i64::MAX / 10, i64::MAX / 10 + 1, i64::MAX - 1, i64::MAX] {
            for d in ["", "0", "7", "9"] {
                let text = format!("{n}{d}");
                let want = text
                    .bytes()
                    .fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')));
                assert_eq!(parse_max_age(&text), Some(want), "{text}");
            }
        }
        assert_eq!(parse("").name, "");
        assert_eq!(parse("a=b=c").value, "b=c");
        assert_eq!(parse("a=b; path=relative").path, None);
    }

    #[test]
    fn date_forms_browsers_accept() {
        for d in [
            "Thu, 01 Jan 2027 00:00:00 GMT",
            "Thursday, 01-Jan-27 00:00:00 GMT",
            "Thu Jan  1 00:00:00 2027",
            "Thu, 01-Jan-2027 00:00:00 GMT",
            "1 January 2027 00:00:00",
            "2027 jan 01 00:00:00",
            "Fri, 01 JAN 2027 00:00:00 UTC",
        ] {
            assert_eq!(parse_date(d), Some(JAN_1_2027), "{d}");
        }
        assert_eq!(parse_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_date("Wed, 31 Dec 9999 23:59:59 GMT"), Some(253_402_300_799_000));
        for bad in [
            "",
            "garbage",
            "Thu, 01 Jan 2027",
            "01 Jan 2027 25:00:00",
            "31 Feb 2027 00:00:00",
            "01 Foo 2027 00:00:00",
            "01 Jan 1600 00:00:00",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
