//! The 12-month rule (CONTRACT §5): no persistent cookie lives longer than 365 days.
//! A write with a later expiry is rewritten to exactly 365 days, whatever its category.
#[allow(unused_imports)]
use crate::prelude::*;

use super::cookie_write::CookieWrite;

/// 365 days in seconds: the longest a persistent cookie may live.
pub const MAX_AGE_SECS: i64 = MAX_AGE_DAYS as i64 * 86_400;
/// The same 12 months in days, as the dialog shows them.
pub const MAX_AGE_DAYS: u32 = 365;

/// What a write does to its cookie, as the browser will apply it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Ends when the browser closes.
    Session,
    /// Lives until this Unix time in milliseconds.
    Persistent(i64),
    /// Expires the cookie at once (a deletion).
    Deletion,
}

/// The lifetime a write asks for at `now_ms` (`Max-Age` wins over `Expires`).
pub fn lifetime(w: &CookieWrite, now_ms: i64) -> Lifetime {
    if let Some(age) = w.max_age {
        return if age <= 0 {
            Lifetime::Deletion
        } else {
            Lifetime::Persistent(now_ms.saturating_add(super::time::times_saturating(age, 1000)))
        };
    }
    match w.expires_ms {
        Some(t) if t <= now_ms => Lifetime::Deletion,
        Some(t) => Lifetime::Persistent(t),
        None => Lifetime::Session,
    }
}

/// Whether an expiry lies beyond the 12 months allowed from `now_ms`.
pub fn too_long(expires_ms: i64, now_ms: i64) -> bool {
    expires_ms > now_ms.saturating_add(MAX_AGE_SECS * 1000)
}

/// The days a cookie whose vendor default is `days` lives here: script writes are capped,
/// so a 2-year `_ga` is shown as the 365 days it gets.
pub fn capped_days(days: u32) -> u32 {
    days.min(MAX_AGE_DAYS)
}

/// The `expires` (ms) that `cookieStore.set`'s `maxAge` (seconds) makes at `now_ms`. A
/// deletion (`maxAge` 0 or less) a day in the past, not `now`: Firefox keeps a cookie that
/// expires in the current second until that second ends, where its own `maxAge: 0` deletes.
pub fn from_max_age(max_age_secs: f64, now_ms: i64) -> i64 {
    let t = now_ms.saturating_add((max_age_secs * 1000.0) as i64);
    if t <= now_ms {
        now_ms - 86_400_000
    } else {
        t
    }
}

/// The unit a word of a declared `duration` text names, in twelfths of a day (a month is
/// a twelfth of 365 days), by its first letters, English and Finnish: `y`/`yr`/`year`,
/// `vuosi`; `mo`/`month`, `kuukausi`/`kk`; `w`/`wk`/`week`, `viikko`; `d`/`day`,
/// `päivä`/`vuorokausi`/`vrk`. No table of words: a pair of bytes (a fourth for `vuor`).
fn unit(word: &[u8]) -> Option<u64> {
    let first = word.first()?.to_ascii_lowercase();
    let second = word.get(1).map_or(0, u8::to_ascii_lowercase);
    Some(match (first, second) {
        // `vuorokausi` (24 hours) before `vuosi`: `vuo` then `r`.
        (b'v', b'u') if word.get(3).is_some_and(|b| b.eq_ignore_ascii_case(&b'r')) => 12,
        (b'y', _) | (b'v', b'u') => 4380,
        (b'm', b'o') | (b'k', b'u' | b'k') => 365,
        (b'w', _) | (b'v', b'i') => 84,
        // `ä` is 0xC3 0xA4 (0xC3 0x84 in upper case).
        (b'd', _) | (b'p', 0xc3) | (b'v', b'r') => 12,
        _ => return None,
    })
}

/// The longest lifetime in days a config's free-text `duration` states (`"2 years"`,
/// `"1 year 6 months"`, `"13 kuukautta"`, `"1.5 y"`), or 0 where it states none keksi
/// reads. A number followed by a unit adds to a run; any other word, or a sign but a comma,
/// ends the run, so that `"6 or 9 months"` is 9 months, not 15, and `"1 year (365 days)"`
/// one year. Only to tell the visitor the truth: a cookie declared longer than the
/// 12-month rule lets it live is shown capped.
pub fn stated_days(text: &str) -> u64 {
    let mut best = 0;
    let mut run = 0;
    // The number just read, in tenths, waiting for its unit.
    let mut num = None;
    let mut rest = text.as_bytes();
    while let Some(&c) = rest.first() {
        let is_letter = |b: &u8| b.is_ascii_alphabetic() || *b >= 0x80;
        let len = if c.is_ascii_digit() {
            let mut n: u64 = 0;
            let mut len = 0;
            for &b in rest {
                if !b.is_ascii_digit() {
                    break;
                }
                n = (n * 10 + u64::from(b - b'0')).min(10_000_000);
                len += 1;
            }
            // One decimal (`1.5`, `1,5`), the rest of them skipped.
            let mut tenth = 0;
            if let (Some(b'.' | b','), Some(&d)) = (rest.get(len), rest.get(len + 1)) {
                if d.is_ascii_digit() {
                    tenth = u64::from(d - b'0');
                    len += 2;
                    while rest.get(len).is_some_and(u8::is_ascii_digit) {
                        len += 1;
                    }
                }
            }
            num = Some(n * 10 + tenth);
            len
        } else if is_letter(&c) {
            let len = rest.iter().take_while(|b| is_letter(b)).count();
            let unit = unit(rest.get(..len).unwrap_or(&[]));
            match (num.take(), unit) {
                (Some(n), Some(twelfths)) => run += n * twelfths / 120,
                _ => {
                    best = best.max(run);
                    run = 0;
                }
            }
            len
        } else {
            // Only spaces (and controls) and commas join a run (`1 year, 6 months`): a range or an
            // aside (`6 months - 1 year`, `1 year (365 days)`) states one lifetime twice.
            if c > b' ' && c != b',' {
                best = best.max(run);
                run = 0;
            }
            1
        };
        rest = rest.get(len..).unwrap_or(&[]);
    }
    best.max(run)
}

/// Whether a declared `duration` text states more than the 12-month rule lets a cookie
/// live (as [`stated_days`] reads it).
pub fn stated_too_long(text: &str) -> bool {
    stated_days(text) > u64::from(MAX_AGE_DAYS)
}

/// The write to pass on, or `None` to pass it unchanged: a lifetime past the rule is
/// replaced by `Max-Age` of exactly 365 days; a write whose lifetime browsers may read
/// differently from keksi gets keksi's reading written out as `Max-Age`, so that what
/// keksi judged (a deletion, a session cookie, a date within the rule) is what the
/// browser does. That is any `Expires`: each engine reads odd dates its own way
/// (Chromium skips `1st`, keksi reads it as RFC 6265 does), and a date keksi read as
/// past but a browser as 2099 would pass a tracker's cookie as a deletion; and several
/// `Max-Age`/`Expires`, or one keksi cannot read.
pub fn cap(text: &str, w: &CookieWrite, now_ms: i64) -> Option<String> {
    let life = lifetime(w, now_ms);
    let too_long = matches!(life, Lifetime::Persistent(t) if too_long(t, now_ms));
    let ambiguous = w.lifetime_attrs > 1 || w.unreadable_lifetimes > 0 || w.expires_ms.is_some();
    if !too_long && !ambiguous {
        return None;
    }
    let mut s = String::from(w.name);
    let pair = super::strings::until_any(text, b";");
    if super::strings::has_any(pair, b"=") {
        s.push('=');
    }
    s.push_str(w.value);
    for a in &w.other_attrs {
        s.push_str("; ");
        s.push_str(a);
    }
    let secs = match life {
        Lifetime::Session => return Some(s),
        Lifetime::Deletion => 0,
        // Whole seconds, at least one: `Max-Age=0` would delete.
        Lifetime::Persistent(t) => ((t - now_ms + 999) / 1000).clamp(1, MAX_AGE_SECS),
    };
    s.push_str("; Max-Age=");
    super::json::push_u64(&mut s, secs as u64);
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::super::cookie_write::parse;
    use super::*;

    #[test]
    fn a_max_age_of_zero_or_less_is_a_date_in_the_past() {
        let now = 1_800_000_000_000;
        for age in [0.0, -0.0, -1.0, -1.5e19, f64::NAN] {
            assert_eq!(from_max_age(age, now), now - 86_400_000, "{age}");
        }
        assert_eq!(from_max_age(86_400.0, now), now + 86_400_000);
        assert_eq!(from_max_age(1e300, now), i64::MAX);
    }

    #[test]
    fn stated_durations() {
        for (text, days) in [
            ("2 years", 730),
            ("1 year", 365),
            ("12 months", 365),
            ("13 months", 395),
            ("13 MONTHS", 395),
            ("400 days", 400),
            ("52 weeks", 364),
            ("53 weeks", 371),
            ("1 year 6 months", 547),
            ("1 year, 6 months", 547),
            ("6 or 9 months", 273),
            ("1.5 years", 547),
            ("1,5 vuotta", 547),
            ("0.5 years", 182),
            ("2 vuotta", 730),
            ("13 kuukautta", 395),
            ("400 p\u{e4}iv\u{e4}\u{e4}", 400),
            ("2y", 730),
            ("24 mo", 730),
            ("session", 0),
            ("", 0),
            ("until you log out", 0),
            ("2 hours", 0),
            ("2 extra years", 0),
            ("30 minutes", 0),
            ("24 h", 0),
            ("99999999999999999999999 years", 3_650_000_000),
        ] {
            assert_eq!(stated_days(text), days, "{text}");
        }
    }

    #[test]
    fn a_range_or_an_aside_is_not_added_up() {
        // Within the 12-month rule, yet added up they were read as past it (shown as the
        // capped 365 days, with a warning).
        for (text, days) in [
            ("1 year (365 days)", 365),
            ("6 months - 1 year", 365),
            ("30 days / 1 year", 365),
            ("12 months (1 year)", 365),
            ("1 day-1 year", 365),
            ("1 year, 6 months", 547),
            ("1 year\t6 months", 547),
            ("2-year", 730),
        ] {
            assert_eq!(stated_days(text), days, "{text}");
        }
    }

    #[test]
    fn a_finnish_day_of_24_hours_is_not_a_year() {
        // `vuorokausi` (a day, `vrk`) starts as `vuosi` (a year) does: "2 vuorokautta" is
        // two days, not shown as 365 days capped.
        for (text, days) in [
            ("2 vuorokautta", 2),
            ("1 vuorokausi", 1),
            ("400 VUOROKAUTTA", 400),
            ("2 vuotta", 730),
            ("1 vuoden", 365),
        ] {
            assert_eq!(stated_days(text), days, "{text}");
        }
        assert!(!stated_too_long("2 vuorokautta"));
    }

    #[test]
    fn a_huge_max_age_saturates_as_before() {
        for age in [1, i64::MAX / 1000 - 1, i64::MAX / 1000, i64::MAX / 1000 + 1, i64::MAX] {
            let text = format!("a=1; Max-Age={age}");
            let w = parse(&text);
            let want = Lifetime::Persistent(5i64.saturating_add(age.saturating_mul(1000)));
            assert_eq!(lifetime(&w, 5), want, "{age}");
        }
    }

    const NOW: i64 = 1_795_689_846_000;
    const DAY: i64 = 86_400;

    fn capped(text: &str) -> Option<String> {
        cap(text, &parse(text), NOW)
    }

    #[test]
    fn boundaries() {
        assert_eq!(capped(&format!("a=1; Max-Age={}", 365 * DAY)), None, "exactly 365 d stays");
        assert_eq!(
            capped(&format!("a=1; Max-Age={}", 365 * DAY + 1)).as_deref(),
            Some("a=1; Max-Age=31536000"),
            "365 d + 1 s is capped"
        );
        assert_eq!(
            capped("a=1; max-age=63072000; path=/; SameSite=Lax").as_deref(),
            Some("a=1; path=/; SameSite=Lax; Max-Age=31536000")
        );
        assert_eq!(
            capped("a=1; expires=Fri, 31 Dec 9999 23:59:59 GMT; domain=.example.com").as_deref(),
            Some("a=1; domain=.example.com; Max-Age=31536000")
        );
        assert_eq!(
            capped("a=1; max-age=99999999999999999999").as_deref(),
            Some("a=1; Max-Age=31536000")
        );
        assert_eq!(capped("a=1"), None, "session cookies stay session cookies");
        assert_eq!(capped("a=1; max-age=86400"), None);
    }

    #[test]
    fn deletions_by_max_age_pass_untouched() {
        for t in ["a=; Max-Age=0", "a=; max-age=-1", "a=; Max-Age=-99999999999999999999"] {
            assert_eq!(lifetime(&parse(t), NOW), Lifetime::Deletion, "{t}");
            assert_eq!(capped(t), None);
        }
    }

    #[test]
    fn expires_is_written_out_as_keksi_read_it() {
        // A deletion by date becomes one by Max-Age, so no engine reads a later date in it.
        let t = "a=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/";
        assert_eq!(lifetime(&parse(t), NOW), Lifetime::Deletion);
        assert_eq!(capped(t).as_deref(), Some("a=; Path=/; Max-Age=0"));
        // Dates keksi reads as 1970 (RFC 6265) where Chromium reads 2099: deleted, never set.
        for t in [
            "_ga=1; Expires=00:00:00 01 Jan 1970xx 2099",
            "_ga=1; Expires=Thu, 01 Jan 99:99 2099 00:00:00",
        ] {
            assert_eq!(capped(t).as_deref(), Some("_ga=1; Max-Age=0"), "{t}");
        }
        // A date within the rule: the same lifetime, in whole seconds.
        assert_eq!(
            capped("a=1; expires=Thu, 31 Dec 2026 23:59:59 GMT").as_deref(),
            Some("a=1; Max-Age=3071753")
        );
    }

    #[test]
    fn max_age_wins_over_expires() {
        let t = "a=1; expires=Fri, 31 Dec 9999 23:59:59 GMT; max-age=60";
        let w = parse(t);
        assert_eq!(lifetime(&w, NOW), Lifetime::Persistent(NOW + 60_000));
        // Two lifetimes: keksi's reading is written out, so no browser reads it otherwise.
        assert_eq!(cap(t, &w, NOW).as_deref(), Some("a=1; Max-Age=60"));
        let w = parse("a=1; max-age=0; expires=Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(lifetime(&w, NOW), Lifetime::Deletion);
    }

    #[test]
    fn nameless_writes_keep_their_shape() {
        assert_eq!(capped("v; max-age=63072000").as_deref(), Some("v; Max-Age=31536000"));
        assert!(too_long(NOW + 365 * DAY * 1000 + 1, NOW));
        assert!(!too_long(NOW + 365 * DAY * 1000, NOW));
    }

    #[test]
    fn vendor_lifetimes_are_shown_capped() {
        assert_eq!(capped_days(730), 365);
        assert_eq!(capped_days(365), 365);
        assert_eq!(capped_days(30), 30);
    }

    #[test]
    fn lifetimes_browsers_may_read_otherwise_are_written_out() {
        // A deletion hidden behind a junk Max-Age (Chromium takes the last one, junk or not).
        assert_eq!(capped("_ga=X; Max-Age=0; Max-Age=x").as_deref(), Some("_ga=X; Max-Age=0"));
        // `+` is not a Max-Age keksi reads: a session cookie, written as one.
        assert_eq!(capped("a=1; max-age=+63072000; Path=/").as_deref(), Some("a=1; Path=/"));
        // A session cookie keksi reads as persistent stays capped, never longer.
        assert_eq!(capped("a=1; Max-Age=63072000; Max-Age=x").as_deref(), Some("a=1; Max-Age=31536000"));
        // One readable lifetime within the rule: untouched.
        assert_eq!(capped("a=1; Max-Age=60; Secure"), None);
    }

    #[test]
    fn padded_and_unicode_writes() {
        // A value browsers ignore (over 1024 bytes) is no deletion: written out as a session cookie.
        let padded = format!("_ga=X; Max-Age={}", "0".repeat(1100));
        assert_eq!(lifetime(&parse(&padded), NOW), Lifetime::Session);
        assert_eq!(capped(&padded).as_deref(), Some("_ga=X"));
        // Only spaces and tabs are trimmed: a value ending in U+00A0 keeps it when rewritten.
        assert_eq!(capped("a=1\u{A0}; Max-Age=5; Max-Age=6").as_deref(), Some("a=1\u{A0}; Max-Age=6"));
    }
}
