//! Built-in knowledge compiled in from `data/`: known cookies and storage keys (and, in
//! `trackers`, tracker hosts). The files are TAB-separated text: compact to ship, read
//! without copying (entries borrow from the compiled-in text), and checked by tests.
#[allow(unused_imports)]
use crate::prelude::*;

use super::category::DEFAULT_CATEGORIES;
#[cfg(target_arch = "wasm32")]
use crate::single::Once as OnceLock;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::OnceLock;

/// A cookie name pattern the built-in knowledge classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCookie {
    /// Exact name or `*` glob.
    pub pattern: &'static str,
    /// Category it belongs to.
    pub category: &'static str,
    /// Who sets it.
    pub vendor: &'static str,
    /// Typical lifetime in days; `None` for a session cookie (and for every storage key,
    /// which has no lifetime).
    pub lifetime_days: Option<u32>,
    /// What it is for (English); empty for a storage key.
    pub purpose: &'static str,
}

/// A `localStorage`/`sessionStorage` key pattern the built-in knowledge classifies: an
/// entry of the cookie kind without lifetime or purpose, read by the same code.
pub type KnownKey = KnownCookie;

const COOKIES_TSV: &str = include_str!(concat!(env!("OUT_DIR"), "/cookies.tsv"));
/// The distinct purposes of `cookies.tsv`, a line each: its purpose column holds the index
/// of the row's purpose here, its category column the category's index in
/// `DEFAULT_CATEGORIES` (build.rs `code_cookie_columns`).
const COOKIE_PURPOSES: &str = include_str!(concat!(env!("OUT_DIR"), "/cookie-purposes"));
const STORAGE_TSV: &str = include_str!(concat!(env!("OUT_DIR"), "/storage.tsv"));

/// The entries of a compiled-in data file, each as its first five fields (`""` for a
/// field it does not have). build.rs stores the files column by column (a column's
/// fields joined by `\n`, the columns by U+001E). An array, not a list per entry: no
/// allocation and no list code for each of the ~800 entries read.
pub fn rows(table: &'static str) -> impl Iterator<Item = [&'static str; 5]> {
    let mut columns = [const { super::strings::pieces("", b'\n') }; 5];
    // A counter, not `enumerate` (+19 B of keksi.js) or a zip with the slots (+36 B).
    let mut i = 0;
    #[allow(clippy::explicit_counter_loop)]
    for c in super::strings::pieces(table, 0x1e) {
        if let Some(slot) = columns.get_mut(i) {
            *slot = super::strings::pieces(c, b'\n');
        }
        i += 1;
    }
    core::iter::from_fn(move || {
        let mut row = [""; 5];
        for (field, c) in row.iter_mut().zip(columns.iter_mut()) {
            *field = c.next().unwrap_or("");
        }
        // The first column ends with the entries (the others may be shorter: empty).
        (!row[0].is_empty()).then_some(row)
    })
}

/// Known cookies, in precedence order (first match wins).
pub fn cookies() -> &'static [KnownCookie] {
    static CELL: OnceLock<Vec<KnownCookie>> = OnceLock::new();
    table(&CELL, COOKIES_TSV, COOKIE_PURPOSES)
}

/// Known storage keys, in precedence order.
pub fn storage_keys() -> &'static [KnownKey] {
    static CELL: OnceLock<Vec<KnownKey>> = OnceLock::new();
    table(&CELL, STORAGE_TSV, "")
}

/// The entries of the cookie or the storage knowledge, read once into `cell`. Both code
/// their category as its index (build.rs); a storage entry has no lifetime or purpose
/// (`purpose_texts` empty). A purpose is the index of its text in `purpose_texts`, or
/// empty for the next text not used yet (build.rs lists them in order of first use).
fn table(cell: &'static OnceLock<Vec<KnownCookie>>, text: &'static str, purpose_texts: &'static str) -> &'static [KnownCookie] {
    cell.get_or_init(|| {
        // Loops, not adapter chains: each chain is code of its own in keksi.js.
        let mut purposes = Vec::new();
        for p in super::strings::pieces(purpose_texts, b'\n') {
            purposes.push(p);
        }
        let mut out = Vec::new();
        let mut last_vendor = "";
        let mut next = 0;
        for [pattern, category, vendor, lifetime, purpose] in rows(text) {
            let vendor = ditto(vendor, &mut last_vendor);
            // '0' to '3' (build.rs): the low two bits are the index.
            let category = DEFAULT_CATEGORIES[usize::from(category.bytes().next().unwrap_or(0) & 3)];
            out.push(KnownCookie {
                pattern,
                category,
                vendor,
                lifetime_days: super::strings::parse_u32(lifetime),
                purpose: match purpose {
                    "" => {
                        next += 1;
                        purposes.get(next - 1).copied()
                    }
                    _ => pick(purpose, &purposes),
                }
                .unwrap_or(""),
            });
        }
        out
    })
}

/// `field`, or the field of the entry before (`last`) when it is empty: build.rs leaves a
/// vendor (and a tracker's category) empty where it repeats the entry before's.
pub(crate) fn ditto(field: &'static str, last: &mut &'static str) -> &'static str {
    if !field.is_empty() {
        *last = field;
    }
    last
}

/// `from[index]`, the index given as decimal text.
fn pick(index: &str, from: &[&'static str]) -> Option<&'static str> {
    from.get(super::strings::parse_u32(index)? as usize).copied()
}

/// Exact names (sorted, with their first position) and the positions of glob patterns:
/// a lookup costs a binary search plus the globs listed before it, not a scan of every
/// entry. (A sorted list, not a hash map: no hashing code in keksi.js.)
struct CookieIndex {
    exact: Vec<(&'static str, usize)>,
    globs: Vec<usize>,
}

fn cookie_index() -> &'static CookieIndex {
    static CELL: OnceLock<CookieIndex> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut exact = Vec::new();
        let mut globs = Vec::new();
        for (i, c) in cookies().iter().enumerate() {
            if super::strings::has_any(c.pattern, b"*") {
                globs.push(i);
            } else {
                exact.push((c.pattern, i));
            }
        }
        // By (name, position): the first of equal names comes first and survives dedup.
        shell_sort(&mut exact);
        exact.dedup_by(|later, first| later.0 == first.0);
        CookieIndex { exact, globs }
    })
}

/// Shell sort (Ciura's gaps): a few hundred entries sorted once, in ~100 bytes of code
/// where the standard library's sorts cost ~5 KB of keksi.js.
fn shell_sort<T: Ord + Copy>(v: &mut [T]) {
    for &gap in &[132, 57, 23, 10, 4, 1] {
        for i in gap..v.len() {
            let x = v[i];
            let mut j = i;
            while j >= gap && v[j - gap] > x {
                v[j] = v[j - gap];
                j -= gap;
            }
            v[j] = x;
        }
    }
}

/// The first known cookie whose pattern matches `name` (first in file order wins).
pub fn known_cookie(name: &str) -> Option<&'static KnownCookie> {
    let idx = cookie_index();
    let exact = idx.exact.binary_search_by(|(n, _)| (*n).cmp(name)).ok().map(|at| idx.exact[at].1);
    // A glob before the exact entry in file order wins (a loop, not take_while/find).
    let mut found = exact;
    for &i in &idx.globs {
        if exact.is_some_and(|e| i >= e) {
            break;
        }
        if super::pattern::matches(cookies()[i].pattern, name) {
            found = Some(i);
            break;
        }
    }
    found.map(|i| &cookies()[i])
}

/// The first known storage key whose pattern matches `key`.
pub fn known_key(key: &str) -> Option<&'static KnownKey> {
    storage_keys().iter().find(|k| super::pattern::matches(k.pattern, key))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::pattern::matches;
    use super::*;

    #[test]
    fn shell_sort_sorts_like_std() {
        let mut seed = 12345u32;
        for len in [0usize, 1, 2, 5, 133, 500, 1200] {
            let mut v: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    ((seed >> 16) % 50, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            shell_sort(&mut v);
            assert_eq!(v, want, "len {len}");
        }
    }

    const CATEGORIES: [&str; 4] = ["necessary", "functional", "analytics", "advertising"];

    /// Names a pattern certainly matches: `*` as empty, as one char, as a long run.
    pub(crate) fn samples(pattern: &str) -> Vec<String> {
        ["", "x", "Abc123.-_"].iter().map(|fill| pattern.replace('*', fill)).collect()
    }

    fn check_well_formed<S: AsRef<str> + core::fmt::Debug>(file: &str, rows: &[Vec<S>], fields: usize) {
        for (i, f) in rows.iter().enumerate() {
            let f: Vec<&str> = f.iter().map(AsRef::as_ref).collect();
            assert_eq!(f.len(), fields, "{file} entry {i}: {f:?}");
            assert!(
                !f[0].is_empty() && f[0].trim() == f[0] && f[0] != "*",
                "{file} entry {i}: bad pattern {:?}",
                f[0]
            );
            assert!(CATEGORIES.contains(&f[1]), "{file} entry {i}: bad category {:?}", f[1]);
            assert!(!f[2].trim().is_empty(), "{file} entry {i}: no vendor");
        }
    }

    fn check_no_shadowing(file: &str, patterns: &[&str]) {
        for (j, later) in patterns.iter().enumerate() {
            for earlier in &patterns[..j] {
                assert_ne!(earlier, later, "{file}: duplicate {later}");
                let all = samples(later).iter().all(|n| matches(earlier, n));
                assert!(!all, "{file}: {later} is shadowed by the earlier {earlier}");
            }
        }
    }

    /// The source lines of `data/{file}`, split at TABs, comments and blank lines skipped.
    pub(crate) fn source_rows(file: &str) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"))).expect("data file");
        text.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split('\t').map(String::from).collect())
            .collect()
    }

    #[test]
    fn compiled_in_tables_are_the_data_files() {
        // The trackers' vendors are left out where the entry before has the same one.
        let mut got = Vec::new();
        for t in super::super::trackers::known() {
            let entry = if t.path.is_empty() {
                t.host.to_string()
            } else {
                format!("{}/{}", t.host, t.path)
            };
            let mut f = vec![entry, t.category.to_string(), t.vendor.to_string()];
            f.extend(t.service.map(String::from));
            got.push(f);
        }
        assert_eq!(got, source_rows("trackers.tsv"));
        // The storage keys' category is coded as the cookies' is.
        let keys: Vec<Vec<&str>> = storage_keys().iter().map(|k| vec![k.pattern, k.category, k.vendor]).collect();
        assert_eq!(keys, source_rows("storage.tsv"));
        assert!(storage_keys().iter().all(|k| k.lifetime_days.is_none() && k.purpose.is_empty()));
        // The cookies' category and purpose columns are coded (build.rs): read back, each
        // entry is its source line.
        assert_eq!(cookie_rows(), source_rows("cookies.tsv"));
    }

    /// A compiled-in entry's fields as its source line has them: no empty ones at the end.
    pub(crate) fn fields(row: [&'static str; 5]) -> Vec<&'static str> {
        let mut f = row.to_vec();
        while f.last() == Some(&"") {
            f.pop();
        }
        f
    }

    /// The known cookies as the source lines write them.
    fn cookie_rows() -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for c in cookies() {
            let lifetime = c.lifetime_days.map_or("session".into(), |d| d.to_string());
            out.push(vec![
                c.pattern.into(),
                c.category.into(),
                c.vendor.into(),
                lifetime,
                c.purpose.into(),
            ]);
        }
        out
    }

    #[test]
    fn coded_cookie_columns_read_back() {
        let c = |pattern, category, vendor, lifetime_days, purpose| KnownCookie {
            pattern,
            category,
            vendor,
            lifetime_days,
            purpose,
        };
        for want in [
            c("_ga", "analytics", "Google Analytics", Some(730), "Distinguishes users."),
            c("__utmc", "analytics", "Google Analytics", None, "Tracks the visitor's session."),
            c(
                "__gads",
                "advertising",
                "Google AdSense",
                Some(390),
                "Measures ad interactions and prevents repeated ads.",
            ),
            c(
                "googtrans",
                "functional",
                "Google Translate",
                None,
                "Remembers the visitor's language or region.",
            ),
            c(
                "_fbp",
                "advertising",
                "Meta Pixel",
                Some(90),
                "Identifies the browser for ad targeting and measurement.",
            ),
            c("__cf_bm", "necessary", "Cloudflare", Some(1), "Distinguishes humans from bots."),
            c("PHPSESSID", "necessary", "PHP", None, "Keeps the user's session on the server."),
            c(
                "wp-settings-*",
                "functional",
                "WordPress",
                Some(365),
                "Stores the user's dashboard settings.",
            ),
        ] {
            assert_eq!(cookies().iter().find(|k| k.pattern == want.pattern), Some(&want));
        }
        // Compiled in coded: digits where the category was; where the purpose was, nothing
        // for a purpose used first (the next in `COOKIE_PURPOSES`), else an index into it.
        let first = rows(COOKIES_TSV).next().unwrap();
        assert_eq!(fields(first).len(), 4);
        assert_eq!(first[..2], ["_ga", "2"]);
        assert_eq!(COOKIE_PURPOSES.split('\n').next(), Some("Distinguishes users."));
        let gat = rows(COOKIES_TSV).find(|r| r[0] == "_gat_*").unwrap();
        assert_eq!(
            COOKIE_PURPOSES.split('\n').nth(gat[4].parse().unwrap()),
            Some("Throttles the request rate.")
        );
        // Every purpose read back as the source file writes it.
        let source = include_str!("../../data/cookies.tsv");
        let lines: Vec<&str> = source.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
        assert_eq!(lines.len(), cookies().len());
        for (line, c) in lines.iter().zip(cookies()) {
            assert_eq!(line.split('\t').nth(4), Some(c.purpose), "{}", c.pattern);
        }
    }

    #[test]
    fn cookie_data_is_valid() {
        check_well_formed("cookies.tsv", &cookie_rows(), 5);
        assert!(cookies().len() >= 300, "only {} known cookies", cookies().len());
        assert_eq!(cookies().len(), rows(COOKIES_TSV).count(), "every line parsed");
        for c in cookies() {
            let ok = c.lifetime_days.map(|d| d > 0).unwrap_or(true);
            assert!(ok, "{}: lifetime must be `session` or days > 0", c.pattern);
        }
        for f in rows(COOKIES_TSV) {
            assert!(f[3].is_empty() || f[3].parse::<u32>().is_ok(), "{}: lifetime {:?}", f[0], f[3]);
        }
        let patterns: Vec<&str> = cookies().iter().map(|c| c.pattern).collect();
        check_no_shadowing("cookies.tsv", &patterns);
    }

    #[test]
    fn storage_data_is_valid() {
        let keys: Vec<Vec<&str>> = storage_keys().iter().map(|k| vec![k.pattern, k.category, k.vendor]).collect();
        check_well_formed("storage.tsv", &keys, 3);
        assert!(storage_keys().len() >= 40);
        let patterns: Vec<&str> = storage_keys().iter().map(|k| k.pattern).collect();
        check_no_shadowing("storage.tsv", &patterns);
    }

    #[test]
    fn well_known_cookies() {
        for (name, cat) in [
            ("_ga", "analytics"),
            ("_ga_ABC123", "analytics"),
            ("_gid", "analytics"),
            ("_fbp", "advertising"),
            ("_gcl_au", "advertising"),
            ("_hjSessionUser_123", "analytics"),
            ("PHPSESSID", "necessary"),
            ("__cf_bm", "necessary"),
            ("_pk_id.1.abcd", "analytics"),
            // Set when the visitor types a post's password: the service they asked for.
            ("wp-postpass_0123abcd", "necessary"),
        ] {
            assert_eq!(known_cookie(name).map(|c| c.category), Some(cat), "{name}");
        }
        assert!(known_cookie("my_shop_pref").is_none());
        // DoubleClick's `test_cookie` lives on doubleclick.net, which no page here can see;
        // a site's own cookie check by that name (a common one) must not be an ad cookie
        // dropped before consent, which the site takes for cookies being disabled.
        assert!(known_cookie("test_cookie").is_none());
        // Likewise every cookie that exists only on a vendor's own domain (data/cookies.tsv
        // header): a site's own `fr` (a language) or `IDE` is the site's, not Facebook's
        // or DoubleClick's.
        for name in ["fr", "IDE", "NID", "CONSENT", "datr", "MUID", "bcookie", "YSC", "guest_id"] {
            assert!(known_cookie(name).is_none(), "{name}");
        }
        // The index gives the same answer as a scan in file order, for every pattern.
        for c in cookies() {
            for name in samples(c.pattern) {
                let scan = cookies().iter().find(|k| matches(k.pattern, &name));
                assert_eq!(known_cookie(&name), scan, "{name}");
            }
        }
    }
}
