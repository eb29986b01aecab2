//! Property tests: the parsers that read page input (cookie writes, cookie dates, the
//! consent cookie, config JSON, URLs) never panic and keep their invariants, over a
//! few hundred thousand generated inputs. Deterministic (a fixed-seed xorshift), so a
//! failure reproduces; `KEKSI_FUZZ_RUNS` raises the count.
#[allow(unused_imports)]
use crate::prelude::*;

use super::config::Settings;
use super::consent::ConsentRecord;
use super::cookie_write::{parse, parse_date};
use super::expiry;
use super::json::Json;
use super::trackers::{match_url, url_host};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A string built from pieces that matter to the parsers, plus random characters.
    fn input(&mut self, pieces: &[&str]) -> String {
        let mut s = String::new();
        for _ in 0..self.below(24) {
            if self.below(4) == 0 {
                let c = char::from_u32((self.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}');
                s.push(c);
            } else {
                s.push_str(pieces[self.below(pieces.len())]);
            }
        }
        s
    }
}

fn runs() -> usize {
    std::env::var("KEKSI_FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

const COOKIE_PIECES: &[&str] = &[
    ";",
    "=",
    " ",
    "\t",
    ",",
    ":",
    "-",
    "/",
    "a",
    "_ga",
    "max-age",
    "Max-Age",
    "expires",
    "Expires",
    "domain",
    "path",
    "Secure",
    "SameSite=Lax",
    "0",
    "1",
    "99999999999999999999",
    "-1",
    "Thu",
    "01",
    "Jan",
    "2027",
    "00:00:00",
    "GMT",
    "1970",
    "69",
    "70",
    "31",
    "Feb",
    "\"",
    "\u{e9}",
    "\u{1f36a}",
    "\u{0}",
];

#[test]
fn cookie_writes_never_panic_and_keep_invariants() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let now = 1_795_689_846_000;
    for _ in 0..runs() {
        let text = rng.input(COOKIE_PIECES);
        let w = parse(&text);
        assert_eq!(w.name, w.name.trim_matches([' ', '\t']), "{text:?}");
        assert_eq!(w.value, w.value.trim_matches([' ', '\t']), "{text:?}");
        if let Some(rewritten) = expiry::cap(&text, &w, now) {
            // A rewritten write reads back as keksi read the original, within the rule,
            // and with one readable lifetime at most: rewriting it again changes nothing.
            let again = parse(&rewritten);
            let (was, is) = (expiry::lifetime(&w, now), expiry::lifetime(&again, now));
            match was {
                expiry::Lifetime::Persistent(t) => {
                    let want = t.min(now + expiry::MAX_AGE_SECS * 1000);
                    assert!(
                        matches!(is, expiry::Lifetime::Persistent(u) if (u - want).abs() < 1000),
                        "{text:?} -> {rewritten:?}"
                    );
                }
                other => assert_eq!(is, other, "{text:?} -> {rewritten:?}"),
            }
            assert!(
                again.lifetime_attrs <= 1 && again.unreadable_lifetimes == 0,
                "{text:?} -> {rewritten:?}"
            );
            assert_eq!(expiry::cap(&rewritten, &again, now), None, "capping is idempotent");
        }
        if let Some(ms) = parse_date(&text) {
            assert!(ms >= -11_644_473_600_000, "dates start in 1601: {text:?}");
        }
    }
}

#[test]
fn consent_values_never_panic() {
    let pieces = [
        "1",
        "|",
        "+",
        "3",
        "abab",
        "0123456789abcdef",
        "accept-all",
        "custom",
        "analytics",
        "z",
        ".",
        "-",
        "\u{e9}",
    ];
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..runs() {
        let text = rng.input(&pieces);
        if let Ok(r) = ConsentRecord::decode(&text) {
            assert_eq!(ConsentRecord::decode(&r.encode()), Ok(r), "{text:?}");
        }
    }
}

#[test]
fn json_and_config_never_panic() {
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\\",
        "\\u",
        "d83c",
        "null",
        "true",
        "1",
        "-",
        "e",
        ".",
        "\"revision\"",
        "\"categories\"",
        "\"a\"",
        " ",
    ];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..runs() {
        let text = rng.input(&pieces);
        if let Ok(v) = Json::parse(&text) {
            assert_eq!(Json::parse(&v.to_text()), Ok(v.clone()), "{text:?}");
        }
        let _ = Settings::from_json(&text);
    }
}

#[test]
fn urls_never_panic() {
    let pieces = [
        "https:",
        "http:",
        "//",
        "/",
        "\\",
        "@",
        ":",
        "443",
        "[",
        "]",
        "?",
        "#",
        "www.",
        "google-analytics",
        ".com",
        ".",
        "data:",
        "x",
    ];
    let mut rng = Rng(0x0f0f_0f0f_1234_4321);
    let s = Settings::default();
    for _ in 0..runs() {
        let text = rng.input(&pieces);
        if let Some(h) = url_host(&text) {
            assert!(!h.is_empty() && h == h.to_ascii_lowercase(), "{text:?}");
        }
        let _ = match_url(&s, &text);
    }
}

#[test]
fn start_tags_never_panic_and_lie_within_the_text() {
    let pieces = [
        "<", ">", "/", "!--", "--", "-", "!", "?", "img", "IMG", "script", "</script", "textarea", " ", "=", "\"", "'", "src", "ä", "x",
    ];
    let mut rng = Rng(0x7a65_7461_6773_0001);
    for _ in 0..runs() {
        let text = rng.input(&pieces);
        let mut last = 0;
        for t in super::tags::start_tags(&text) {
            assert!(t.start >= last && t.start < t.end && t.end <= text.len(), "{text:?}: {t:?}");
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end), "{text:?}: {t:?}");
            assert!(
                text[t.start..t.end].starts_with('<') && text[t.start..t.end].ends_with('>'),
                "{text:?}: {t:?}"
            );
            last = t.end;
        }
    }
}
