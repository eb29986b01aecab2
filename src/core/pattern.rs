//! Cookie-name and storage-key patterns: exact names or globs where `*` matches any run
//! of characters (`_ga_*`, `mp_*_mixpanel`). No regular expressions: every visitor
//! would download the engine.
#[allow(unused_imports)]
use crate::prelude::*;

/// Whether `name` matches `pattern`. Case-sensitive, as cookie names are.
pub fn matches(pattern: &str, name: &str) -> bool {
    if !super::strings::has_any(pattern, b"*") {
        return pattern == name;
    }
    let mut parts = super::strings::pieces(pattern, b'*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else { return false };
    // Each piece is known to be a middle one when the next comes: no list of them. (The
    // first one taken is the empty `last` below, which `find` finds at once.)
    let mut last = "";
    for p in parts {
        let piece = core::mem::replace(&mut last, p);
        match super::strings::find(rest, piece).and_then(|i| rest.get(i + piece.len()..)) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn exact_and_globs() {
        assert!(matches("_ga", "_ga"));
        assert!(!matches("_ga", "_gat"));
        assert!(matches("_ga_*", "_ga_ABC123"));
        assert!(matches("_ga_*", "_ga_"));
        assert!(!matches("_ga_*", "_ga"));
        assert!(matches("mp_*_mixpanel", "mp_0123_mixpanel"));
        assert!(!matches("mp_*_mixpanel", "mp_0123_mixpanelx"));
        assert!(!matches("a*a", "a"), "pieces must not overlap");
        assert!(matches("a*a", "aa"));
        assert!(matches("*", "anything"));
        assert!(matches("*_id", "user_id"));
        assert!(matches("x*y*z", "x12y34z"));
        assert!(!matches("x*y*z", "x12z34y"));
        assert!(!matches("_GA", "_ga"));
    }

    /// A glob read the plain way: `*` as any run, by recursion.
    fn reference(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| reference(rest, &n[i..])),
            Some((c, rest)) => n.first() == Some(c) && reference(rest, &n[1..]),
        }
    }

    #[test]
    fn agrees_with_a_plain_glob_reader() {
        let alphabet = ["", "a", "b", "*", "ab", "a*", "*b", "**"];
        let names = ["", "a", "b", "aa", "ab", "ba", "aba", "bab", "abab", "aabb", "bbaa"];
        for x in alphabet {
            for y in alphabet {
                for z in alphabet {
                    let p = [x, y, z].concat();
                    for n in names {
                        assert_eq!(matches(&p, n), reference(p.as_bytes(), n.as_bytes()), "{p:?} {n:?}");
                    }
                }
            }
        }
    }
}
