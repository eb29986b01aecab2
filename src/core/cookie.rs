//! Reading `document.cookie` and writing cookie strings, including deletion that reaches
//! every domain and path form a script can address.
#[allow(unused_imports)]
use crate::prelude::*;

use super::strings::{pieces, split_once, trim_cookie_part as trim};

/// The `name=value` pairs of a `document.cookie` string, in order.
pub fn parse_jar(jar: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for pair in pieces(jar, b';') {
        // Spaces and tabs only, as browsers and `cookie_write` trim: a name with other
        // white space at an end (`\u{a0}_ga`) is its own cookie, to be swept by that name.
        let pair = trim(pair);
        if !pair.is_empty() {
            out.push(match split_once(pair, b'=') {
                Some((n, v)) => (trim(n), trim(v)),
                // A cookie without `=` has an empty name in browsers' model.
                None => ("", pair),
            });
        }
    }
    out
}

/// The value of the first cookie called `name`.
pub fn get<'a>(jar: &'a str, name: &str) -> Option<&'a str> {
    // By reference, as every caller of `parse_jar` walks it: a consuming loop or
    // `into_iter` is code of its own.
    for &(n, v) in &parse_jar(jar) {
        if n == name {
            return Some(v);
        }
    }
    None
}

/// Attributes of a cookie write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions<'a> {
    /// `Max-Age` in seconds; `None` for a session cookie.
    pub max_age: Option<u64>,
    /// `Domain` attribute.
    pub domain: Option<&'a str>,
    /// Add `Secure` (on https pages).
    pub secure: bool,
}

/// A `document.cookie` assignment for a first-party cookie on `Path=/`, `SameSite=Lax`.
pub fn write_string(name: &str, value: &str, o: &WriteOptions) -> String {
    let mut s = String::from(name);
    s.push('=');
    s.push_str(value);
    s.push_str("; Path=/");
    if let Some(age) = o.max_age {
        s.push_str("; Max-Age=");
        super::json::push_u64(&mut s, age);
    }
    if let Some(d) = o.domain {
        s.push_str("; Domain=");
        s.push_str(d);
    }
    s.push_str("; SameSite=Lax");
    if o.secure {
        s.push_str("; Secure");
    }
    s
}

/// Every `document.cookie` assignment that expires `name` wherever script could have set
/// it: each path prefix of `path`, and the host and each parent domain (with and without
/// a leading dot), plus no `Domain` at all. No public-suffix list is needed: a browser
/// ignores writes to a public suffix.
pub fn deletion_strings(name: &str, host: &str, path: &str) -> Vec<String> {
    let mut domains: Vec<String> = vec![String::new()];
    // IP hosts have no parent domains (IPv6 hosts contain ':').
    let is_ip = super::strings::has_any(host, b":") || host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !is_ip && !host.is_empty() {
        // The host and each parent domain but the last label: `a.b.c`, `b.c` (a suffix of
        // the host after each dot, no list of labels to join again).
        let dots = host.bytes().filter(|&b| b == b'.').count();
        let mut d = host;
        for _ in 0..dots.max(1) {
            domains.push(d.into());
            let mut dotted = String::from(".");
            dotted.push_str(d);
            domains.push(dotted);
            d = split_once(d, b'.').map_or("", |(_, parent)| parent);
        }
    }
    // Browsers take a write to a prefixed name only with `Secure` (Chromium matches the
    // prefix in any case); a `__Host-` cookie lives on the host alone, at `Path=/`. In
    // another case, an engine that matches it exactly may hold it anywhere: every form.
    let host_only = name.starts_with("__Host-");
    if host_only {
        domains.truncate(1);
    }
    let secure = has_prefix(name, b"__host-") || has_prefix(name, b"__secure-");
    let paths = if host_only { vec![String::from("/")] } else { path_prefixes(path) };
    let mut out = Vec::new();
    for p in &paths {
        for d in &domains {
            // A nameless cookie (`document.cookie = "v"`) is deleted by a nameless write;
            // `=` with an empty value would be ignored.
            let mut s = String::from(if name.is_empty() { "x" } else { name });
            if !name.is_empty() {
                s.push('=');
            }
            s.push_str("; Max-Age=0; Path=");
            s.push_str(p);
            if !d.is_empty() {
                s.push_str("; Domain=");
                s.push_str(d);
            }
            if secure {
                s.push_str("; Secure");
            }
            // A partitioned cookie (CHIPS) is only reached by a partitioned write, which
            // must be `Secure` (on http the browser ignores it).
            let mut partitioned = s.clone();
            if !secure {
                partitioned.push_str("; Secure");
            }
            partitioned.push_str("; Partitioned");
            out.push(s);
            out.push(partitioned);
        }
    }
    out
}

/// Whether `name` starts with `prefix` (lower case) in any case, as browsers compare
/// the `__Host-`/`__Secure-` prefixes.
fn has_prefix(name: &str, prefix: &[u8]) -> bool {
    name.as_bytes().get(..prefix.len()).is_some_and(|b| b.eq_ignore_ascii_case(prefix))
}

/// Pieces between slashes, from the root, whose prefixes deletion covers. Each costs a write per
/// domain per cookie, and a page's URL is anyone's to make long (`/a/a/a/…`, `/a//////…`).
const MAX_PATH_DEPTH: usize = 16;

/// Every path a cookie visible on a page at `path` may carry, as written: by RFC 6265
/// 5.1.4 a cookie path matches the page's if it is the page's path, or a prefix of it
/// that ends in `/` or is followed by `/`. Browsers keep repeated slashes (`/a//b` is
/// not `/a/b`), so on `/a///x` a cookie written without `Path` lives at `/a//` (the
/// path up to its last `/`), and one written with `Path=/a///` is seen there too. So at
/// the end of each piece between slashes: the prefix before the slash (after a name
/// only: `/a`, not `/a/` twice) and the one through it (at the end: the page's path with
/// a `/` added). Bounded: only the first [`MAX_PATH_DEPTH`] pieces and the last three (the
/// page's own default path, directory and path, whatever comes before) count: at most
/// 2 × 20 paths.
fn path_prefixes(path: &str) -> Vec<String> {
    // Where each piece between slashes ends, by one loop (not a split).
    let mut ends = Vec::new();
    let mut at = 0;
    for s in pieces(path, b'/') {
        at += s.len();
        // Not the empty piece after a trailing `/` (the page's own path ends the list),
        // but `/` for an empty path.
        if at < path.len() || !s.is_empty() || at == 0 {
            ends.push(at);
        }
        at += 1;
    }
    let mut out = Vec::new();
    for (i, &end) in ends.iter().enumerate() {
        if i <= MAX_PATH_DEPTH || i + 3 >= ends.len() {
            let acc = path.get(..end).unwrap_or("");
            // Before the slash only after a name (`/a`, not `/a/` again, nor ``).
            if acc.as_bytes().last().is_some_and(|&b| b != b'/') {
                out.push(acc.into());
            }
            let mut slash = String::from(acc);
            slash.push('/');
            out.push(slash);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jar() {
        let j = "a=1; keksi_consent=1|2|x; empty=; novalue;  spaced = v ";
        assert_eq!(get(j, "keksi_consent"), Some("1|2|x"));
        assert_eq!(get(j, "empty"), Some(""));
        assert_eq!(get(j, "spaced"), Some("v"));
        assert_eq!(get(j, "missing"), None);
        assert_eq!(parse_jar(j)[3], ("", "novalue"));
        assert!(parse_jar("").is_empty());
    }

    #[test]
    fn jar_names_keep_other_white_space() {
        // As browsers and `cookie_write::parse` read a name: only spaces and tabs trimmed.
        // A `\u{a0}_ga` is not `_ga` (sweeping `_ga` would leave it in place).
        let j = "\u{a0}_ga=1\u{a0}; \t_gid = 2 ;\u{3000}";
        assert_eq!(parse_jar(j), [("\u{a0}_ga", "1\u{a0}"), ("_gid", "2"), ("", "\u{3000}")]);
        assert_eq!(parse_jar(j)[0].0, super::super::cookie_write::parse("\u{a0}_ga=1").name);
    }

    #[test]
    fn writes() {
        let o = WriteOptions {
            max_age: Some(100),
            domain: Some(".example.com"),
            secure: true,
        };
        assert_eq!(
            write_string("c", "v", &o),
            "c=v; Path=/; Max-Age=100; Domain=.example.com; SameSite=Lax; Secure"
        );
        assert_eq!(write_string("c", "v", &WriteOptions::default()), "c=v; Path=/; SameSite=Lax");
    }

    #[test]
    fn deletion_domains_are_the_joined_label_suffixes() {
        for host in ["a", "a.b", "shop.www.example.com", "a..b", ".a", "a.", "x.y.", "ä.example"] {
            let labels: Vec<&str> = host.split('.').collect();
            let mut want = vec![String::new()];
            for i in 0..labels.len().saturating_sub(1).max(1) {
                let d = labels[i..].join(".");
                want.push(d.clone());
                want.push(format!(".{d}"));
            }
            let got: Vec<String> = deletion_strings("x", host, "/")
                .iter()
                .filter(|s| !s.contains("Partitioned"))
                .map(|s| s.split_once("; Domain=").map_or("", |(_, d)| d).to_string())
                .collect();
            assert_eq!(got, want, "{host}");
        }
    }

    #[test]
    fn deletion_reaches_parent_domains_and_sub_paths() {
        let all = deletion_strings("_ga", "shop.www.example.com", "/a/b");
        let has = |d: &str, p: &str| {
            all.iter()
                .any(|s| s.contains(&format!("Path={p}")) && (d.is_empty() && !s.contains("Domain") || s.ends_with(&format!("Domain={d}"))))
        };
        for d in ["", "shop.www.example.com", "www.example.com", ".example.com", "example.com"] {
            for p in ["/", "/a", "/a/", "/a/b", "/a/b/"] {
                assert!(has(d, p), "missing {d} {p}");
            }
        }
        assert!(
            !all.iter().any(|s| s.ends_with("Domain=com") || s.ends_with("Domain=.com")),
            "never the bare TLD"
        );
        assert!(all.iter().all(|s| s.starts_with("_ga=; Max-Age=0;")));
    }

    #[test]
    fn deletion_keeps_empty_path_segments() {
        // On `/a//b/c` a cookie written without `Path` lives at `/a//b`: the browser keeps
        // the empty segment, and so must the deletion (`/a/b` is another path).
        let all = deletion_strings("_ga", "example.com", "/a//b/c");
        for p in ["/a/", "/a//b", "/a//b/"] {
            assert!(all.iter().any(|s| s.contains(&format!("Path={p};"))), "missing {p}");
        }
    }

    #[test]
    fn deletion_reaches_paths_with_repeated_and_trailing_slashes() {
        // On `/a///x` a cookie written without `Path` lives at `/a//` (RFC 6265 5.1.4: up
        // to the last `/`); `Path=/a///` is seen there too.
        let paths = path_prefixes("/a///x");
        assert_eq!(paths, ["/", "/a", "/a/", "/a//", "/a///", "/a///x", "/a///x/"]);
        // `Path=/x//` on a page at `/x//` or below it.
        assert!(path_prefixes("/x//").contains(&"/x//".to_string()));
        assert!(path_prefixes("/x//y").contains(&"/x//".to_string()));
        assert_eq!(path_prefixes("/"), ["/"]);
        assert_eq!(path_prefixes(""), ["/"]);
        assert_eq!(path_prefixes("/a/b"), ["/", "/a", "/a/", "/a/b", "/a/b/"]);
    }

    #[test]
    fn deletion_paths_are_every_path_that_path_matches() {
        // RFC 6265 5.1.4 path-match, by the letter.
        let matches = |req: &str, c: &str| req == c || req.starts_with(c) && (c.ends_with('/') || req[c.len()..].starts_with('/'));
        for page in ["/", "/a", "/a/", "//", "/a//b", "/a///x", "/x//", "/x//y/", "///", "/a/b//c///d"] {
            let got = path_prefixes(page);
            for end in 1..=page.len() {
                let c = &page[..end];
                assert_eq!(got.iter().any(|g| g == c), matches(page, c), "{page}: {c}");
            }
            // And nothing else but the page's path with a `/` added.
            for g in &got {
                assert!(matches(page, g) || *g == format!("{page}/"), "{page}: extra {g}");
            }
        }
    }

    #[test]
    fn deletion_of_many_slashes_is_bounded_and_keeps_the_default_path() {
        let page = format!("/a{}x", "/".repeat(5000));
        let paths = path_prefixes(&page);
        assert!(paths.len() <= 2 * (MAX_PATH_DEPTH + 4), "{}", paths.len());
        let default = format!("/a{}", "/".repeat(4999));
        assert!(paths.contains(&default), "the default path");
        assert!(paths.contains(&page));
    }

    #[test]
    fn deletion_on_ip_and_localhost() {
        let ip = deletion_strings("x", "127.0.0.1", "/");
        assert_eq!(ip, ["x=; Max-Age=0; Path=/", "x=; Max-Age=0; Path=/; Secure; Partitioned"]);
        let local = deletion_strings("x", "localhost", "/");
        assert_eq!(local.len(), 6);
    }

    #[test]
    fn deletion_of_a_deep_path_is_bounded() {
        let deep = "/a".repeat(5000);
        let n = deletion_strings("x", "example.com", &deep).len();
        // 3 domain forms ("", example.com, .example.com) × (1 + 2 × 16 + 3 × 2) paths:
        // the first 16 levels, and the last three slashes (the page's own default path,
        // directory and path). Each twice: unpartitioned and partitioned.
        assert_eq!(n, 2 * 3 * (1 + 2 * MAX_PATH_DEPTH + 6));
        let deep = deletion_strings("x", "", &deep);
        assert!(deep.iter().any(|s| s.ends_with(&"/a".repeat(4999))), "the page's directory");
    }

    #[test]
    fn prefixed_names_are_deleted_as_browsers_take_them() {
        let host = deletion_strings("__Host-id", "www.example.com", "/a/b");
        assert_eq!(
            host,
            [
                "__Host-id=; Max-Age=0; Path=/; Secure",
                "__Host-id=; Max-Age=0; Path=/; Secure; Partitioned"
            ]
        );
        let secure = deletion_strings("__Secure-id", "www.example.com", "/a");
        assert_eq!(secure.len(), deletion_strings("id", "www.example.com", "/a").len());
        assert!(secure.iter().all(|s| s.contains("; Secure")));
        // Chromium applies the prefixes in any case (Secure on every form); an engine that
        // matches them exactly may hold `__HOST-x` on any domain and path: every form.
        let upper = deletion_strings("__HOST-x", "www.example.com", "/a/b");
        assert!(upper.contains(&"__HOST-x=; Max-Age=0; Path=/; Secure".to_string()));
        assert!(upper.len() > 2 && upper.iter().all(|s| s.contains("; Secure")));
        assert!(deletion_strings("__secure-x", "example.com", "/")
            .iter()
            .all(|s| s.contains("; Secure")));
    }

    #[test]
    fn partitioned_and_nameless_cookies_are_reached() {
        let all = deletion_strings("_gid", "www.example.com", "/");
        let partitioned: Vec<_> = all.iter().filter(|s| s.ends_with("; Secure; Partitioned")).collect();
        assert_eq!(partitioned.len() * 2, all.len(), "a partitioned twin of every form");
        assert!(partitioned.iter().any(|s| s.contains("Domain=.example.com")));
        // `document.cookie = "v"` made a cookie with an empty name: `x; Max-Age=0` deletes it.
        assert!(deletion_strings("", "example.com", "/")
            .iter()
            .all(|s| s.starts_with("x; Max-Age=0; Path=/")));
    }
}
