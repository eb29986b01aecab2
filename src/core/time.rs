//! Time arithmetic on Unix milliseconds, without a date library.
#[allow(unused_imports)]
use crate::prelude::*;

/// Milliseconds in a day.
pub const DAY_MS: u64 = 86_400_000;

/// `n * k` for a non-negative `n` and a positive `k`, saturating at `i64::MAX`: by a
/// comparison, because a saturating or checked 64-bit multiply is a 128-bit one on wasm32
/// (compiler-rt's `__multi3` in keksi.js).
pub fn times_saturating(n: i64, k: i64) -> i64 {
    if n > i64::MAX / k {
        i64::MAX
    } else {
        n * k
    }
}

/// Civil date (year, month 1–12, day 1–31) of a day count since 1970-01-01.
///
/// Howard Hinnant's `civil_from_days`, valid for the whole proleptic Gregorian range.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a civil date (inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn push_num(out: &mut String, n: i64, width: usize) {
    let mut s = String::new();
    if n < 0 {
        out.push('-');
    }
    super::json::push_u64(&mut s, n.unsigned_abs());
    for _ in s.len()..width {
        out.push('0');
    }
    out.push_str(&s);
}

/// ISO 8601 UTC text of a Unix time in milliseconds, e.g. `2026-11-26T10:44:06.000Z`.
pub fn iso8601(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS as i64);
    let rest = ms.rem_euclid(DAY_MS as i64);
    let (y, mo, d) = civil_from_days(days);
    let mut s = String::with_capacity(24);
    push_num(&mut s, y, 4);
    s.push('-');
    push_num(&mut s, i64::from(mo), 2);
    s.push('-');
    push_num(&mut s, i64::from(d), 2);
    s.push('T');
    push_num(&mut s, rest / 3_600_000, 2);
    s.push(':');
    push_num(&mut s, rest / 60_000 % 60, 2);
    s.push(':');
    push_num(&mut s, rest / 1000 % 60, 2);
    s.push('.');
    push_num(&mut s, rest % 1000, 3);
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_689_846_123), "2026-11-26T10:44:06.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 59, 60, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
