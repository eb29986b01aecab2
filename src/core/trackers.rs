//! Tracker matching (CONTRACT §4): which known tracker, if any, a URL belongs to.
//!
//! The built-in knowledge is `data/trackers.tsv` (host, category, vendor, service);
//! config `trackers` entries come first, so a site can add hosts or override one.
//! Matching is by host suffix on label boundaries, case-insensitive, ports ignored. An
//! entry may add a path (`google.com/maps`): for a host that also serves things that are
//! not tracking (Google's search, reCAPTCHA), only URLs under that path match.
//! Only absolute http(s) and protocol-relative URLs can be third-party: relative,
//! `data:`, `blob:` and `javascript:` URLs never match.
#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(target_arch = "wasm32")]
use crate::single::Once as OnceLock;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::OnceLock;

use super::config::Settings;
use super::knowledge::{ditto, rows};
use super::strings::{has_any, split_once, trim_by, trim_end_by, trim_start_by, until_any};

pub(crate) const TRACKERS_TSV: &str = include_str!(concat!(env!("OUT_DIR"), "/trackers.tsv"));

/// A built-in tracker host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownTracker {
    /// Host suffix.
    pub host: &'static str,
    /// Path under which URLs match (`maps` for `google.com/maps`); empty: any path.
    pub path: &'static str,
    /// Category it needs.
    pub category: &'static str,
    /// Vendor name.
    pub vendor: &'static str,
    /// Service inside the category, if any.
    pub service: Option<&'static str>,
}

/// Built-in tracker hosts.
pub fn known() -> &'static [KnownTracker] {
    static CELL: OnceLock<Vec<KnownTracker>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out = Vec::new();
        let mut last = ["", ""];
        for [entry, category, vendor, service, _] in rows(TRACKERS_TSV) {
            let category = ditto(category, &mut last[0]);
            let vendor = ditto(vendor, &mut last[1]);
            let (host, path) = split_once(entry, b'/').unwrap_or((entry, ""));
            out.push(KnownTracker {
                host,
                path,
                category,
                vendor,
                service: Some(service).filter(|s| !s.is_empty()),
            });
        }
        out
    })
}

/// What a URL was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerMatch {
    /// Category it needs.
    pub category: String,
    /// Service inside the category, if any.
    pub service: Option<String>,
    /// Vendor name.
    pub vendor: String,
}

/// The host of an absolute http(s) or protocol-relative URL, lower-cased, without
/// user info, port or trailing dot. `None` for anything else.
pub fn url_host(url: &str) -> Option<String> {
    url_parts(url).map(|(host, _)| host)
}

/// The host (as [`url_host`]) and the path (`/` first, before any query or fragment).
fn url_parts(url: &str) -> Option<(String, &str)> {
    // On bytes: every delimiter is ASCII, so each cut is a character boundary, and no
    // pattern searcher or UTF-8 decoding is compiled for it.
    let u = trim_by(url, |b| b.is_ascii_whitespace() || b.is_ascii_control());
    let rest = if let Some(r) = u.strip_prefix("//") {
        r
    } else {
        let (scheme, r) = split_once(u, b':')?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return None;
        }
        // Browsers accept `https:\\host` and missing slashes alike.
        trim_start_by(r, |b| b == b'/' || b == b'\\')
    };
    let authority = until_any(rest, b"/?#\\");
    let tail = rest.get(authority.len()..).unwrap_or("");
    // After any user info (`user:pw@`), up to any port.
    let host_port = match authority.bytes().rposition(|b| b == b'@') {
        Some(at) => authority.get(at + 1..)?,
        None => authority,
    };
    let host = match host_port.strip_prefix("[") {
        Some(v6) => until_any(v6, b"]"),
        None => until_any(host_port, b":"),
    };
    let host = trim_end_by(host, |b| b == b'.').to_ascii_lowercase();
    let path = Some(until_any(tail, b"?#")).filter(|p| !p.is_empty()).unwrap_or("/");
    (!host.is_empty()).then_some((host, path))
}

/// Whether a URL can only point at the page's own origin, decided without a URL parser:
/// a path (`/x`, `x.js`, `../x`), never `//host`, `/\host` or `scheme:`. Tabs and line
/// breaks are skipped, as URL parsers remove them anywhere. A fast path: `false` only
/// means "ask the real parser".
pub fn surely_same_origin(url: &str) -> bool {
    // On bytes: a non-ASCII first character is none of the ASCII ones tested (no UTF-8
    // decoding in keksi.js for it).
    let mut bytes = url.bytes().filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'));
    match bytes.next() {
        Some(b'/') => !matches!(bytes.next(), Some(b'/') | Some(b'\\')),
        Some(c) if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-' => {
            // A scheme can only come before the first `/`, `?` or `#`.
            let head = until_any(url, b"/?#");
            !has_any(head, b":\\")
        }
        _ => false,
    }
}

/// Whether `host` is `suffix` or a subdomain of it.
pub fn host_matches(host: &str, suffix: &str) -> bool {
    host == suffix || (host.len() > suffix.len() && host.ends_with(suffix) && host.as_bytes()[host.len() - suffix.len() - 1] == b'.')
}

/// Whether a request for `host` and `path` (the URL's path, `/` first; `None`: any path)
/// falls under an entry for `suffix` and `under` (`google.com` and `maps`): the host by
/// suffix, the path by whole segments and without case, as the host (`/maps` and
/// `/Maps/embed` match, `/mapsearch` does not).
pub fn entry_matches(host: &str, path: Option<&str>, suffix: &str, under: &str) -> bool {
    if !host_matches(host, suffix) {
        return false;
    }
    let (Some(p), false) = (path, under.is_empty()) else { return true };
    // Empty segments first (`//maps/embed`) are served as if they were not there.
    let (p, u) = (trim_start_by(p, |b| b == b'/').as_bytes(), under.as_bytes());
    p.get(..u.len()).is_some_and(|h| h.eq_ignore_ascii_case(u)) && (u.ends_with(b"/") || matches!(p.get(u.len()), None | Some(b'/')))
}

/// The tracker a URL belongs to: config entries first, then the built-in knowledge.
pub fn match_url(s: &Settings, url: &str) -> Option<TrackerMatch> {
    let (host, path) = url_parts(url)?;
    match_host(s, &host, Some(path))
}

/// The tracker a request to `host` (lower-case, no port) for `path` (`None`: whichever
/// path) belongs to.
pub fn match_host(s: &Settings, host: &str, path: Option<&str>) -> Option<TrackerMatch> {
    let host = trim_end_by(host, |b| b == b'.');
    let config = s.trackers.iter().find(|t| {
        // `host/under`: the path part after the first `/`, if any.
        // (`until_any` and a slice, not `split_once`: 30 B less in keksi.js here.)
        let suffix = until_any(&t.host, b"/");
        entry_matches(host, path, suffix, t.host.get(suffix.len() + 1..).unwrap_or(""))
    });
    if let Some(t) = config {
        return Some(TrackerMatch {
            category: t.category.clone(),
            service: t.service.clone(),
            vendor: t.vendor.clone().unwrap_or_else(|| until_any(&t.host, b"/").into()),
        });
    }
    let t = known().iter().find(|t| entry_matches(host, path, t.host, t.path))?;
    // A service the site declared is asked about in the category it put it in (YouTube
    // under its own "media"); one it did not declare follows the built-in category. (No
    // `break`: a service name is declared once, in one category.)
    let mut m = TrackerMatch {
        category: t.category.into(),
        service: None,
        vendor: t.vendor.into(),
    };
    for c in &s.categories {
        if let Some(v) = t.service.and_then(|svc| c.service(svc)) {
            m.category = c.name.clone();
            m.service = Some(v.name.clone());
        }
    }
    Some(m)
}

/// Whether `text` (a string of HTML, lower case) might name a tracker host: true when one
/// of its host-like words (letters, digits, `.`, `-`, `_`, with tabs and line breaks
/// removed as the URL parser removes them) is a tracker of the config or the knowledge, and
/// whenever a `src`/`srcset`/`href` value could hide a host from a plain reading (`&`
/// entities, `%` escapes, `\`, anything not ASCII, which IDNA may map onto ASCII), and for
/// a config tracker host without a dot or with a `:` (an IPv6 address), which words with a
/// dot do not cover. False means no URL in it can reach a tracker, so it needs no parsing
/// to find one. (Text outside those values, such as "café" or `&amp;`, does not count:
/// most of the world's markup has some.)
pub fn may_name_tracker(s: &Settings, text: &str) -> bool {
    let odd_config = s.trackers.iter().any(|t| !has_any(&t.host, b".") || has_any(&t.host, b":"));
    if odd_config || odd_url_value(text) {
        return true;
    }
    let mut word = String::new();
    // A space after the last byte ends the last word (a loop, not filter + chain).
    let bytes = text.as_bytes();
    for j in 0..=bytes.len() {
        let b = bytes.get(j).copied().unwrap_or(b' ');
        if matches!(b, b'\t' | b'\n' | b'\r') {
            continue;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            word.push(b.to_ascii_lowercase() as char);
            continue;
        }
        if has_any(&word, b".") && match_host(s, &word, None).is_some() {
            return true;
        }
        word.clear();
    }
    false
}

/// Whether a `src`, `srcset` or `href` attribute value in `html` (lower case) has a
/// character that could hide a host from a plain reading.
fn odd_url_value(html: &str) -> bool {
    let b = html.as_bytes();
    let skip = |mut j: usize, f: fn(&u8) -> bool| {
        while b.get(j).is_some_and(f) {
            j += 1;
        }
        j
    };
    for i in 0..b.len() {
        let rest = &b[i..];
        let name = if rest.starts_with(b"src") {
            3
        } else if rest.starts_with(b"href") {
            4
        } else {
            continue;
        };
        // `srcset` too, then spaces, `=`, spaces, the value (quoted, or up to a space or `>`).
        let j = skip(skip(i + name, u8::is_ascii_alphabetic), u8::is_ascii_whitespace);
        if b.get(j) != Some(&b'=') {
            continue;
        }
        let mut j = skip(j + 1, u8::is_ascii_whitespace);
        let quote = b.get(j).copied().filter(|q| *q == b'"' || *q == b'\'');
        if quote.is_some() {
            j += 1;
        }
        // The value's bytes, by a loop (not `take_while` + `any`).
        while let Some(&c) = b.get(j) {
            let end = match quote {
                Some(q) => c == q,
                None => c.is_ascii_whitespace() || c == b'>',
            };
            if end {
                break;
            }
            if c >= 0x80 || matches!(c, b'&' | b'%' | b'\\') {
                return true;
            }
            j += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `url_parts` as it was written with `str` patterns, before it worked on bytes.
    fn url_parts_by_patterns(url: &str) -> Option<(String, &str)> {
        let u = url.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
        let rest = if let Some(r) = u.strip_prefix("//") {
            r
        } else {
            let (scheme, r) = u.split_once(':')?;
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                return None;
            }
            r.trim_start_matches(['/', '\\'])
        };
        let (authority, tail) = rest.split_at(rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len()));
        let host_port = authority.rsplit('@').next()?;
        let host = if let Some(v6) = host_port.strip_prefix('[') {
            v6.split(']').next()?
        } else {
            host_port.split(':').next()?
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let path = Some(tail.split(['?', '#']).next().unwrap_or(""))
            .filter(|p| !p.is_empty())
            .unwrap_or("/");
        (!host.is_empty()).then_some((host, path))
    }

    #[test]
    fn url_parts_agrees_with_the_pattern_version() {
        let pieces = [
            "", "https:", "HTTP:", "//", "/", "\\", "@", ":", "8", "[", "]", "?", "#", "a.", "B", ".", " ", "\t", "\u{1}", "é", "\u{a0}",
            "data:",
        ];
        let n = pieces.len();
        for i in 0..n * n * n * n * n {
            let mut url = String::new();
            let mut k = i;
            for _ in 0..5 {
                url.push_str(pieces[k % n]);
                k /= n;
            }
            assert_eq!(url_parts(&url), url_parts_by_patterns(&url), "{url:?}");
        }
    }

    fn s() -> Settings {
        Settings::from_json(
            r#"{"categories":{"functional":{"services":{"youtube":{}}}},
                "trackers":[{"host":"cdn.example-analytics.com","category":"analytics","vendor":"Example"},
                            {"host":"www.googletagmanager.com","category":"functional"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn html_that_names_no_tracker_needs_no_parsing() {
        let s = s();
        for quiet in [
            "",
            "<p>Hello, world. <a href=\"https://example.com/x?y=1#z\">x</a></p>",
            "<img src=\"/img/a.png\" srcset=\"a.png 1x, b.png 2x\"><script src=\"app.js\"></script>",
            "<img src=\"data:image/gif;base64,R0lGODlh///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\">",
            "google-analytics is a word; google-analytics.com.example.org is another host",
            "<a href=\"https://notgoogle-analytics.com/\">look-alike</a>",
            "<p>caf\u{E9} &amp; cr\u{E8}me, 50% off</p><img src=\"/img/a.png\" alt=\"caf\u{E9}\">",
            "<p>the src is here, href=nothing</p>",
        ] {
            assert!(!may_name_tracker(&s, quiet), "{quiet}");
        }
    }

    #[test]
    fn every_known_host_has_a_dot_for_the_word_reading() {
        assert!(known().iter().all(|t| t.host.contains('.') && !t.host.contains(':')));
        let dotless = Settings::from_json(r#"{"trackers":[{"host":"intranet-stats","category":"analytics"}]}"#).unwrap();
        assert!(may_name_tracker(&dotless, "<img src=\"http://intranet-stats/p.gif\">"));
        assert!(!may_name_tracker(&s(), "<img src=\"http://intranet-stats/p.gif\">"));
    }

    #[test]
    fn html_that_may_name_a_tracker_is_parsed() {
        let s = s();
        for named in [
            "<script src=\"https://www.google-analytics.com/analytics.js\"></script>",
            "<img src=//region1.google-analytics.com/x>",
            "<img src=\"HTTPS://WWW.FACEBOOK.COM/tr?id=1\">",
            "<img src=\"https://user:pw@bat.bing.com.:443/x\">",
            "<img srcset=\"https://px.ads.linkedin.com/a.png 1x\">",
            "<iframe src=\"https:www.youtube.com/embed/x\"></iframe>",
            "<img src=\"https://www.google-ana\tly\ntics.com/x\">",
            "<img src=\"https://cdn.example-analytics.com/p.gif\">",
            "<img src=\"https://www&#46;google-analytics&#46;com/x\">",
            "<img src=\"https://www.google%2Danalytics.com/x\">",
            "<img src=\"https:\\\\www.google-analytics.com\\x\">",
            "<img src=\"https://www\u{FF0E}google-analytics\u{FF0E}com/x\">",
            "<img src = 'https://www&#46;google-analytics&#46;com/x'>",
            "<img srcset=https://www&#46;google-analytics&#46;com/x>",
            "<p>caf\u{E9}</p><a href=\"https://caf\u{E9}.example/\">x</a>",
        ] {
            assert!(may_name_tracker(&s, named), "{named}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(
            url_host("https://WWW.Google-Analytics.COM:443/g/collect?v=2").as_deref(),
            Some("www.google-analytics.com")
        );
        assert_eq!(
            url_host("//connect.facebook.net/en_US/fbevents.js").as_deref(),
            Some("connect.facebook.net")
        );
        assert_eq!(url_host("https://user:pw@bat.bing.com./bat.js").as_deref(), Some("bat.bing.com"));
        assert_eq!(url_host("  HTTP://static.hotjar.com#x").as_deref(), Some("static.hotjar.com"));
        assert_eq!(url_host("https://[::1]:8080/x").as_deref(), Some("::1"));
        for none in [
            "/js/app.js",
            "app.js",
            "data:text/javascript,1",
            "blob:https://x/1",
            "javascript:alert(1)",
            "",
            "https://",
            "mailto:a@b.c",
            "ftp://x.com/",
        ] {
            assert_eq!(url_host(none), None, "{none}");
        }
    }

    #[test]
    fn same_origin_fast_path() {
        for same in [
            "/js/app.js",
            "app.js",
            "./a.js",
            "../a.js",
            "img/x.png?ref=https://www.google-analytics.com/",
            "www.google-analytics.com/x.js",
        ] {
            assert!(surely_same_origin(same), "{same}");
        }
        for ask in [
            "//www.google-analytics.com/x.js",
            "/\\www.google-analytics.com/x.js",
            "/\t/www.google-analytics.com/x.js",
            "\t//www.google-analytics.com/x.js",
            "https://www.google-analytics.com/",
            "data:text/javascript,1",
            " //x.com",
            "\\\\x.com",
            "?q=1",
            "",
            "\u{e9}t\u{e9}.js",
            "\t\u{ff0f}/x.com",
        ] {
            assert!(!surely_same_origin(ask), "{ask:?}");
        }
    }

    #[test]
    fn suffix_matching_on_label_boundaries() {
        assert!(host_matches("stats.g.doubleclick.net", "doubleclick.net"));
        assert!(host_matches("doubleclick.net", "doubleclick.net"));
        assert!(!host_matches("notdoubleclick.net", "doubleclick.net"));
        assert!(!host_matches("doubleclick.net.evil.com", "doubleclick.net"));
    }

    #[test]
    fn built_in_and_config_entries() {
        let s = s();
        let m = match_url(&s, "https://www.google-analytics.com/analytics.js").unwrap();
        assert_eq!(m.category, "analytics");
        assert_eq!(
            match_url(&s, "https://connect.facebook.net/en_US/fbevents.js").unwrap().category,
            "advertising"
        );
        assert_eq!(match_url(&s, "https://cdn.example-analytics.com/a.js").unwrap().vendor, "Example");
        assert_eq!(
            match_url(&s, "https://www.googletagmanager.com/gtm.js?id=GTM-1").unwrap().category,
            "functional",
            "config overrides"
        );
        let yt = match_url(&s, "https://www.youtube-nocookie.com/embed/x").unwrap();
        assert_eq!((yt.category.as_str(), yt.service.as_deref()), ("functional", Some("youtube")));
        assert_eq!(
            match_url(&s, "https://player.vimeo.com/video/1").unwrap().service,
            None,
            "undeclared service follows its category"
        );
        // Vendors' own variants: TikTok's US data-residency pixel, X's image pixel on t.co.
        for url in [
            "https://analytics.us.tiktok.com/i18n/pixel/events.js",
            "https://t.co/i/adsct?p_id=1",
        ] {
            assert_eq!(match_url(&s, url).map(|m| m.category).as_deref(), Some("advertising"), "{url}");
        }
        assert!(match_url(&s, "https://www.tiktok.com/embed/v2/1").is_some_and(|m| m.category == "functional"));
    }

    #[test]
    fn a_built_in_service_follows_the_category_the_site_declared_it_in() {
        // The site asks about YouTube under its own "media" category: the visitor's
        // answer there is what YouTube's embeds wait for, not "functional"'s.
        let s = Settings::from_json(r#"{"categories":{"media":{"services":{"youtube":{},"vimeo":{}}}}}"#).unwrap();
        for url in ["https://www.youtube-nocookie.com/embed/x", "https://player.vimeo.com/video/1"] {
            let m = match_url(&s, url).unwrap();
            assert_eq!(
                (m.category.as_str(), m.service.as_deref()),
                ("media", url.contains("vimeo").then_some("vimeo").or(Some("youtube"))),
                "{url}"
            );
        }
        // Not declared: its built-in category, no service.
        let m = match_url(&s, "https://js.intercomcdn.com/x.js").unwrap();
        assert_eq!((m.category.as_str(), m.service), ("functional", None));
    }

    #[test]
    fn path_entries_match_whole_segments_under_their_path() {
        let s = Settings::from_json(
            r#"{"categories":{"functional":{"services":{"googlemaps":{}}}},
                "trackers":[{"host":"Shop.Example.com/Pixel/","category":"advertising"}]}"#,
        )
        .unwrap();
        let maps = match_url(&s, "https://www.google.com/maps/embed?pb=!1m18").unwrap();
        assert_eq!(
            (maps.category.as_str(), maps.service.as_deref()),
            ("functional", Some("googlemaps"))
        );
        assert_eq!(match_url(&s, "https://www.google.com/maps").unwrap().vendor, "Google Maps");
        assert_eq!(
            match_url(&s, "https://WWW.GOOGLE.COM:443/maps/embed/v1/place?key=k")
                .unwrap()
                .vendor,
            "Google Maps"
        );
        assert_eq!(match_url(&s, "https://www.bing.com/maps/embed?h=400").unwrap().vendor, "Bing Maps");
        assert_eq!(
            match_url(&s, "https://www.google.com/pagead/1p-conversion/1/").unwrap().category,
            "advertising"
        );
        assert_eq!(
            match_url(&s, "https://www.linkedin.com/embed/feed/update/urn:li:share:1")
                .unwrap()
                .category,
            "functional"
        );
        assert_eq!(
            match_url(&s, "https://shop.example.com/Pixel/p.gif").unwrap().category,
            "advertising"
        );
        assert_eq!(
            match_url(&s, "https://www.google.com/MAPS/embed?pb=1").unwrap().vendor,
            "Google Maps"
        );
        for untouched in [
            "https://www.google.com/recaptcha/api.js",
            "https://www.google.com/mapsearch",
            "https://www.google.com/search?q=/maps/embed",
            "https://www.google.com/x#/maps/embed",
            "https://www.google.com/",
            "https://www.linkedin.com/in/someone",
            "https://shop.example.com/Pixel",
            "https://shop.example.com/pixelated/p.gif",
            "https://shop.example.com/app.js?u=/Pixel/",
        ] {
            assert_eq!(match_url(&s, untouched), None, "{untouched}");
        }
        // Any path: HTML naming the host is parsed before it is trusted.
        assert!(match_host(&s, "www.google.com", None).is_some());
        assert!(may_name_tracker(&s, "<iframe src=\"https://www.google.com/maps/embed\"></iframe>"));
    }

    #[test]
    fn first_party_and_bad_urls_are_untouched() {
        let s = s();
        for url in [
            "/js/app.js",
            "https://shop.example.com/app.js?ref=https://www.google-analytics.com/",
            "https://shop.example.com/www.google-analytics.com/x.js",
            "data:text/javascript,alert(1)",
            "javascript:void(0)",
            "https://xn--caf-dma.example/",
            "https://caf\u{e9}.example/",
            "ht!tp://weird",
            "https://:443/",
        ] {
            assert_eq!(match_url(&s, url), None, "{url}");
        }
    }

    #[test]
    fn tracker_data_is_valid() {
        const CATS: [&str; 3] = ["analytics", "advertising", "functional"];
        let all = known();
        assert!(all.len() >= 150, "only {} trackers", all.len());
        assert_eq!(all.len(), rows(TRACKERS_TSV).count(), "every line parsed");
        for (i, t) in all.iter().enumerate() {
            assert!(CATS.contains(&t.category), "{}: category {}", t.host, t.category);
            assert!(!t.vendor.trim().is_empty(), "{}: vendor", t.host);
            let (host, path) = (t.host, t.path);
            assert!(
                host.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'),
                "{}: host form",
                t.host
            );
            assert!(!path.starts_with('/') && !path.contains(['?', '#']), "{}: path {path}", t.host);
            assert!(!host.starts_with('.') && host.contains('.'), "{}", t.host);
            assert!(
                all[..i].iter().all(|o| (o.host, o.path) != (t.host, t.path)),
                "duplicate {}",
                t.host
            );
            if let Some(svc) = t.service {
                assert!(super::super::category::is_valid_name(svc), "{}: service {svc}", t.host);
            }
        }
        for vendor in ["Google Analytics", "Hotjar", "YouTube", "Intercom"] {
            assert!(all.iter().any(|t| t.vendor.contains(vendor)), "no {vendor}");
        }
    }
}
