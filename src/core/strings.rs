//! Lean string operations: substring search on bytes, and join.
//!
//! `str::find(&str)`, `contains(&str)` and `replace(&str, …)` bring core's two-way
//! searcher and, through its char-boundary checks, the formatting of their panic
//! messages: ~7 KB of keksi.js; `[_]::join` is another ~1.4 KB of generic code. keksi
//! works on short strings (cookie names, a query string, an HTML fragment for `src`),
//! where a plain scan is as fast.
#[allow(unused_imports)]
use crate::prelude::*;

/// Byte offset of the first `needle` in `hay`. A match of a valid UTF-8 needle in a
/// valid UTF-8 string starts and ends on character boundaries.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    find_bytes(hay.as_bytes(), needle.as_bytes())
}

/// [`find`] on bytes (the HTML tokenizer's `</` and `-->`): one search loop in keksi.js.
pub fn find_bytes(h: &[u8], n: &[u8]) -> Option<usize> {
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w == n)
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// Whether `needle` (lowercase ASCII) occurs in `hay` in any ASCII case.
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    n.is_empty() || hay.as_bytes().windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// `hay` with every `from` (non-empty) replaced by `to`, left to right.
pub fn replace(hay: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find(rest, from).filter(|_| !from.is_empty()) {
        out.push_str(rest.get(..i).unwrap_or(""));
        out.push_str(to);
        rest = rest.get(i + from.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `text` as a `u32`, read exactly as `str::parse::<u32>` reads it (ASCII digits after
/// an optional `+`, `None` when empty or too large), without core's generic integer
/// parser (~0.3 KB of WASM) for the few whole numbers keksi reads.
pub fn parse_u32(text: &str) -> Option<u32> {
    // `"+"`, not `'+'`: keksi's prefix tests all take a `&str` pattern, so core's char
    // version of `strip_prefix`/`starts_with` is not in keksi.js.
    let digits = text.strip_prefix("+").unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for b in digits.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(d))?;
    }
    Some(n)
}

/// `text` up to its first byte in `stops` (ASCII), all of it when none occurs: what
/// `text.split([..]).next()` gives, without a pattern searcher and split iterator
/// compiled for each set of characters.
pub fn until_any<'a>(text: &'a str, stops: &[u8]) -> &'a str {
    let mut end = text.len();
    'bytes: for (i, b) in text.bytes().enumerate() {
        // A loop, not `stops.contains`: that is core's `memchr` (0.4 KB of WASM), made
        // for long slices, not for sets of one to four bytes.
        for &s in stops {
            if s == b {
                end = i;
                break 'bytes;
            }
        }
    }
    // An ASCII byte is a character boundary: `get` never fails here.
    text.get(..end).unwrap_or(text)
}

/// Whether `text` holds any of the ASCII bytes in `set`: `str::contains` for a character
/// or a few, through [`until_any`] (no `memchr` of its own).
pub fn has_any(text: &str, set: &[u8]) -> bool {
    until_any(text, set).len() < text.len()
}

/// `text` without the bytes `strip` picks at either end: `str::trim_matches` for the
/// ASCII sets keksi trims (cookie parts, URLs), on bytes: no UTF-8 decoding in either
/// direction (core's `next_code_point` and its reverse), and one copy for every caller.
/// `strip` must pick ASCII bytes only, so that the cuts fall on character boundaries.
pub fn trim_by(text: &str, strip: fn(u8) -> bool) -> &str {
    trim_end_by(trim_start_by(text, strip), strip)
}

/// `text` without ASCII white space (space, tab, line feed, form feed, carriage return)
/// at either end: HTML's white space, where attributes and language tags are trimmed.
/// Not `str::trim`: its Unicode white space (`U+00A0` …) is none of these places' own,
/// and it brings core's char searcher and UTF-8 decoding (~0.25 KB of keksi.js).
pub fn trim_ascii_ws(text: &str) -> &str {
    trim_by(text, |b| b.is_ascii_whitespace())
}

/// `text` without spaces and tabs at either end: how browsers trim a cookie's name,
/// value and attributes (RFC 6265bis), not other white space.
pub fn trim_cookie_part(text: &str) -> &str {
    trim_by(text, |b| b == b' ' || b == b'\t')
}

/// `text` without the bytes `strip` (ASCII only, as for [`trim_by`]) picks at its start.
#[inline(never)]
pub fn trim_start_by(text: &str, strip: fn(u8) -> bool) -> &str {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && strip(b[i]) {
        i += 1;
    }
    text.get(i..).unwrap_or(text)
}

/// `text` without the bytes `strip` (ASCII only, as for [`trim_by`]) picks at its end.
#[inline(never)]
pub fn trim_end_by(text: &str, strip: fn(u8) -> bool) -> &str {
    let b = text.as_bytes();
    let mut i = b.len();
    while i > 0 && strip(b[i - 1]) {
        i -= 1;
    }
    text.get(..i).unwrap_or(text)
}

/// The pieces of `text` between `sep`s, as a list: one loop for every caller (a
/// `collect` is code of its own at each).
pub fn split(text: &str, sep: u8) -> Vec<&str> {
    let mut out = Vec::new();
    for p in pieces(text, sep) {
        out.push(p);
    }
    out
}

/// `text.split(sep)` for an ASCII `sep`, on bytes: every separator keksi splits at is
/// one ASCII character, and core's `Split` and char searcher are ~0.5 KB of WASM.
pub const fn pieces(text: &str, sep: u8) -> Pieces<'_> {
    Pieces { rest: Some(text), sep }
}

/// The iterator of [`pieces`].
pub struct Pieces<'a> {
    /// What is left to split; `None` once the last piece is out.
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest?;
        let (piece, rest) = match split_once(text, self.sep) {
            Some((piece, rest)) => (piece, Some(rest)),
            None => (text, None),
        };
        self.rest = rest;
        Some(piece)
    }
}

/// `text.split_once(sep)` for an ASCII `sep`, on bytes (an ASCII byte is a character
/// boundary: `get` never fails here).
pub fn split_once(text: &str, sep: u8) -> Option<(&str, &str)> {
    let i = text.bytes().position(|b| b == sep)?;
    Some((text.get(..i)?, text.get(i + 1..)?))
}

/// `parts` joined with `sep`, written onto the end of `out` (no string of its own to copy).
pub fn push_joined<S: AsRef<str>>(out: &mut String, parts: &[S], sep: &str) {
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_ignore_case_finds_any_ascii_case() {
        assert!(contains_ignore_case("<IFrame src=x>", "<iframe"));
        assert!(contains_ignore_case("a<iframe", "<iframe"));
        assert!(!contains_ignore_case("<ifram", "<iframe"));
        assert!(!contains_ignore_case("<ıframe", "<iframe"));
        assert!(contains_ignore_case("", ""));
    }

    #[test]
    fn pieces_agree_with_std() {
        for t in ["", ";", "a", "a;b", ";a;;b;", "é;ü;", "a=b=c", "=", "\u{1f}x\u{1f}"] {
            for sep in [b';', b'=', 0x1f] {
                let std: Vec<&str> = t.split(char::from(sep)).collect();
                assert_eq!(pieces(t, sep).collect::<Vec<_>>(), std, "{t:?}");
                assert_eq!(split(t, sep), std);
                assert_eq!(split_once(t, sep), t.split_once(char::from(sep)), "{t:?}");
            }
        }
    }

    #[test]
    fn trims_agree_with_std() {
        let ws = |b: u8| b == b' ' || b == b'\t';
        for t in [
            "",
            " ",
            "\t a b \t",
            "ab",
            " \u{a0}x\u{a0} ",
            "\u{3000} ",
            "..a..",
            "//x/",
            "\n\x0c\rx\x0b\r\n",
        ] {
            assert_eq!(trim_by(t, ws), t.trim_matches([' ', '\t']));
            assert_eq!(trim_cookie_part(t), t.trim_matches([' ', '\t']));
            assert_eq!(trim_ascii_ws(t), t.trim_ascii());
            assert_eq!(has_any(t, b".a"), t.contains(['.', 'a']));
            assert_eq!(trim_start_by(t, |b| b == b'/'), t.trim_start_matches('/'));
            assert_eq!(trim_end_by(t, |b| b == b'.'), t.trim_end_matches('.'));
        }
    }

    #[test]
    fn parse_u32_agrees_with_std() {
        for t in [
            "",
            "+",
            "-",
            "0",
            "+0",
            "-0",
            "00",
            "7",
            "+7",
            "++7",
            "-7",
            " 7",
            "7 ",
            "1e3",
            "4294967295",
            "4294967296",
            "+4294967295",
            "04294967295",
            "99999999999",
            "١",
            "12a",
            "a12",
            "0x10",
        ] {
            assert_eq!(parse_u32(t), t.parse::<u32>().ok(), "{t:?}");
        }
    }

    #[test]
    fn until_any_agrees_with_split() {
        for t in ["", "a", "a/b?c#d", "?x", "äö#ü", "pt-BR", "x_y-z", "noend"] {
            for stops in [&['?', '#'][..], &['/', '?', '#'], &['-', '_']] {
                let bytes: Vec<u8> = stops.iter().map(|&c| c as u8).collect();
                assert_eq!(until_any(t, &bytes), t.split(stops).next().unwrap());
            }
        }
    }

    #[test]
    fn join_agrees_with_std() {
        for parts in [vec![], vec!["a"], vec!["a", "", "b"], vec!["ä", "ö"]] {
            let mut out = String::from(">");
            push_joined(&mut out, &parts, ", ");
            assert_eq!(out, format!(">{}", parts.join(", ")));
        }
        let owned: Vec<String> = vec!["x".into(), "y".into()];
        let mut out = String::new();
        push_joined(&mut out, &owned, "+");
        assert_eq!(out, "x+y");
    }

    #[test]
    fn agrees_with_std() {
        let hays = ["", "a", "abc", "aaab", "src=x href", "ää{n}öö{n}", "{service} and {service}", "xyz"];
        let needles = ["", "a", "ab", "aab", "href", "{n}", "{service}", "ö", "zz"];
        for h in hays {
            for n in needles {
                assert_eq!(find(h, n), h.find(n), "find({h:?}, {n:?})");
                assert_eq!(find_bytes(h.as_bytes(), n.as_bytes()), h.find(n));
                assert_eq!(contains(h, n), h.contains(n));
                if !n.is_empty() {
                    assert_eq!(replace(h, n, "<>"), h.replace(n, "<>"), "replace({h:?}, {n:?})");
                }
            }
        }
    }
}
