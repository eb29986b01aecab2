//! Cookie governance (CONTRACT §5): classify every cookie, decide every write, and plan
//! the sweep that re-caps and deletes what consent does not cover.
#[allow(unused_imports)]
use crate::prelude::*;

use super::config::{Settings, UnknownCookies};
use super::consent::{allowed, Choice};
use super::cookie_write;
use super::expiry::{self, Lifetime};
use super::knowledge;
use super::pattern;

/// Category name for cookies nobody classified.
pub const UNKNOWN: &str = "unknown";

/// Where a classification came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// keksi's own consent cookie.
    Own,
    /// The site's config `cookies`.
    Declared,
    /// The built-in cookie knowledge.
    Known,
    /// Nobody.
    Unknown,
}

/// What keksi knows about a cookie name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified<'a> {
    /// Category (`unknown` when unclassified).
    pub category: &'a str,
    /// Who sets it (may be empty).
    pub vendor: &'a str,
    /// What it is for (may be empty).
    pub purpose: &'a str,
    /// Typical lifetime in days, when known from the knowledge.
    pub lifetime_days: Option<u32>,
    /// Where this came from.
    pub source: Source,
}

/// Classify a cookie: keksi's own, then the config, then the knowledge, else unknown.
pub fn classify<'a>(s: &'a Settings, name: &str) -> Classified<'a> {
    if name == s.cookie_name {
        return Classified {
            category: "necessary",
            vendor: "",
            purpose: "",
            lifetime_days: None,
            source: Source::Own,
        };
    }
    if let Some(d) = s.declared_cookie(name) {
        return Classified {
            category: &d.category,
            vendor: d.provider.as_deref().unwrap_or(""),
            purpose: d.purpose.as_deref().unwrap_or(""),
            lifetime_days: None,
            source: Source::Declared,
        };
    }
    match knowledge::known_cookie(name) {
        Some(k) => Classified {
            category: k.category,
            vendor: k.vendor,
            purpose: k.purpose,
            lifetime_days: k.lifetime_days,
            source: Source::Known,
        },
        None => Classified {
            category: UNKNOWN,
            vendor: "",
            purpose: "",
            lifetime_days: None,
            source: Source::Unknown,
        },
    }
}

/// Whether the cookie `name` may exist now (its category's answer).
pub fn name_allowed(s: &Settings, choice: Option<&Choice>, name: &str) -> bool {
    cookie_allowed(s, choice, classify(s, name).category)
}

/// Whether a cookie of this category may exist now.
pub fn cookie_allowed(s: &Settings, choice: Option<&Choice>, category: &str) -> bool {
    if category == UNKNOWN {
        return s.unknown_cookies == UnknownCookies::Allow;
    }
    // A category the config does not have (from the knowledge, e.g. a site that removed
    // one) is treated as refused.
    allowed(s, choice, category, None)
}

/// The decision on one cookie write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Pass the write on as it is.
    Pass,
    /// Pass this rewritten write on instead (lifetime capped at 365 days).
    Rewrite(String),
    /// Drop it: its category is not allowed.
    Drop,
}

/// A judged write: the verdict, the cookie name and the lifetime that results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// What to do.
    pub verdict: Verdict,
    /// The cookie written.
    pub name: String,
    /// Its lifetime after keksi's rule (for `keksi.cookies()`).
    pub lifetime: Lifetime,
}

/// Decide a `document.cookie` write. Deletions always pass: removing data never needs
/// consent.
pub fn judge_write(s: &Settings, choice: Option<&Choice>, text: &str, now_ms: i64) -> Judged {
    let w = cookie_write::parse(text);
    let life = expiry::lifetime(&w, now_ms);
    let name = w.name.to_string();
    // Browsers ignore a write with a control character (RFC 6265bis §5.7): dropped here
    // too, never rewritten into one they would take.
    if text.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
        return Judged {
            verdict: Verdict::Drop,
            name,
            lifetime: life,
        };
    }
    if life == Lifetime::Deletion {
        // Deleting needs no consent; written out as keksi read it when browsers may not.
        return Judged {
            verdict: expiry::cap(text, &w, now_ms).map_or(Verdict::Pass, Verdict::Rewrite),
            name,
            lifetime: life,
        };
    }
    let class = classify(s, &name);
    if !cookie_allowed(s, choice, class.category) {
        return Judged {
            verdict: Verdict::Drop,
            name,
            lifetime: life,
        };
    }
    match expiry::cap(text, &w, now_ms) {
        Some(rewritten) => Judged {
            verdict: Verdict::Rewrite(rewritten),
            name,
            lifetime: match life {
                Lifetime::Persistent(t) => Lifetime::Persistent(t.min(now_ms + expiry::MAX_AGE_SECS * 1000)),
                other => other,
            },
        },
        None => Judged {
            verdict: Verdict::Pass,
            name,
            lifetime: life,
        },
    }
}

/// The decision on one `cookieStore.set` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreVerdict {
    /// Pass it on as it is.
    Pass,
    /// Pass it on with this expiry (Unix ms): capped at 365 days.
    Cap(i64),
    /// Drop it: its category is not allowed.
    Drop,
}

/// Decide a `cookieStore.set` call. Deletions (an expiry in the past) always pass.
pub fn judge_store_set(s: &Settings, choice: Option<&Choice>, name: &str, expires_ms: Option<i64>, now_ms: i64) -> StoreVerdict {
    if let Some(t) = expires_ms {
        if t <= now_ms {
            return StoreVerdict::Pass;
        }
    }
    if !name_allowed(s, choice, name) {
        return StoreVerdict::Drop;
    }
    match expires_ms {
        Some(t) if expiry::too_long(t, now_ms) => StoreVerdict::Cap(now_ms + expiry::MAX_AGE_SECS * 1000),
        _ => StoreVerdict::Pass,
    }
}

/// The category of a storage key: the config's `storage` patterns first, then the
/// knowledge. `None` = not governed.
pub fn storage_category<'a>(s: &'a Settings, key: &str) -> Option<&'a str> {
    for c in &s.categories {
        if c.storage.iter().any(|p| pattern::matches(p, key)) {
            return Some(&c.name);
        }
    }
    knowledge::known_key(key).map(|k| k.category)
}

/// Whether a storage key may be written now.
pub fn storage_allowed(s: &Settings, choice: Option<&Choice>, key: &str) -> bool {
    match storage_category(s, key) {
        Some(cat) => allowed(s, choice, cat, None),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_689_846_000;

    fn settings(extra: &str) -> Settings {
        let mut text =
            String::from(r#"{"cookies":[{"name":"_ga","category":"necessary","provider":"Us"},{"name":"shop_*","category":"functional"}]"#);
        text.push_str(extra);
        text.push('}');
        Settings::from_json(&text).unwrap()
    }

    #[test]
    fn precedence_config_then_knowledge_then_unknown() {
        let s = settings("");
        assert_eq!(classify(&s, "_ga").source, Source::Declared, "the site's declaration wins");
        assert_eq!(classify(&s, "_ga").category, "necessary");
        assert_eq!(classify(&s, "shop_cart").category, "functional");
        assert_eq!(classify(&s, "_gid").source, Source::Known);
        assert_eq!(classify(&s, "_gid").category, "analytics");
        assert_eq!(classify(&s, "zzz").category, UNKNOWN);
        assert_eq!(classify(&s, "keksi_consent").source, Source::Own);
    }

    #[test]
    fn writes_without_consent() {
        let s = settings("");
        assert_eq!(judge_write(&s, None, "_fbp=fb.1.2; max-age=7776000", NOW).verdict, Verdict::Drop);
        assert_eq!(judge_write(&s, None, "_gid=1; path=/", NOW).verdict, Verdict::Drop);
        assert_eq!(judge_write(&s, None, "PHPSESSID=abc; path=/", NOW).verdict, Verdict::Pass);
        assert_eq!(
            judge_write(&s, None, "site_pref=dark; max-age=100", NOW).verdict,
            Verdict::Pass,
            "unknown allowed by default"
        );
        assert_eq!(
            judge_write(&s, None, "_fbp=; max-age=0", NOW).verdict,
            Verdict::Pass,
            "deletions pass"
        );
        let block = settings(r#","unknownCookies":"block""#);
        assert_eq!(judge_write(&block, None, "site_pref=dark", NOW).verdict, Verdict::Drop);
        // A tracker's cookie with a date keksi reads as past (a deletion) is written out as
        // one: no engine can read 2099 in it and keep the cookie.
        assert_eq!(
            judge_write(&s, None, "_ga=1; Expires=00:00:00 01 Jan 1970xx 2099; Secure; Partitioned", NOW).verdict,
            Verdict::Rewrite("_ga=1; Secure; Partitioned; Max-Age=0".into())
        );
        // Browsers ignore writes with control characters; keksi never writes them out clean.
        for t in ["_ga=1; Max-Age=63072000\0", "pref=1\u{7f}", "PHPSESSID=a\nb"] {
            assert_eq!(judge_write(&s, None, t, NOW).verdict, Verdict::Drop, "{t:?}");
        }
        assert_eq!(
            judge_write(&s, None, "PHPSESSID=a\tb", NOW).verdict,
            Verdict::Pass,
            "tabs are no control"
        );
    }

    #[test]
    fn writes_with_consent_are_capped_whatever_the_category() {
        let s = settings("");
        let all = Choice::all(&s);
        let j = judge_write(&s, Some(&all), "_ga=GA1; max-age=63072000; path=/", NOW);
        assert_eq!(j.verdict, Verdict::Rewrite("_ga=GA1; path=/; Max-Age=31536000".into()));
        assert_eq!(j.lifetime, Lifetime::Persistent(NOW + 365 * 86_400_000));
        let j = judge_write(&s, None, "pref=1; expires=Fri, 31 Dec 9999 23:59:59 GMT", NOW);
        assert_eq!(
            j.verdict,
            Verdict::Rewrite("pref=1; Max-Age=31536000".into()),
            "unknown site cookies are capped too"
        );
        assert_eq!(judge_write(&s, Some(&all), "_fbp=1", NOW).lifetime, Lifetime::Session);
    }

    #[test]
    fn cookie_store_sets() {
        let s = settings("");
        let year = 365 * 86_400_000;
        assert_eq!(judge_store_set(&s, None, "_fbp", None, NOW), StoreVerdict::Drop);
        assert_eq!(
            judge_store_set(&s, None, "_fbp", Some(NOW - 1), NOW),
            StoreVerdict::Pass,
            "deletion"
        );
        assert_eq!(
            judge_store_set(&s, None, "pref", Some(NOW + 2 * year), NOW),
            StoreVerdict::Cap(NOW + year)
        );
        assert_eq!(judge_store_set(&s, None, "pref", Some(NOW + year), NOW), StoreVerdict::Pass);
    }

    #[test]
    fn storage_keys() {
        let s = Settings::from_json(r#"{"categories":{"analytics":{"storage":["my_stats_*"]}}}"#).unwrap();
        assert_eq!(storage_category(&s, "my_stats_1"), Some("analytics"));
        assert!(!storage_allowed(&s, None, "my_stats_1"));
        assert!(storage_allowed(&s, None, "cart"));
        assert!(storage_allowed(&s, Some(&Choice::all(&s)), "my_stats_1"));
        assert_eq!(storage_category(&s, "_hjLocalStorageTest"), Some("analytics"));
    }
}
