//! Where the start tags of an HTML string are, found as the HTML tokenizer finds them:
//! comments, doctypes, end tags and the text of raw-text elements (`<script>`, `<style>`,
//! `<textarea>`, `<noscript>`, …) are skipped; quoted attribute values may hold `>`.
//!
//! keksi rewrites the start tags of the trackers it holds in the page's own HTML string
//! and leaves the rest of the text as the page wrote it: a serialised parse would drop
//! the doctype, `<html>` and `<body>` of a whole document, close the elements a
//! `document.write` leaves open for the next one, and drop the end tags it closes.
use super::strings;
#[allow(unused_imports)]
use crate::prelude::*;

/// A start tag: `html[start..end]`, its name in lowercase.
#[derive(Debug, PartialEq, Eq)]
pub struct Tag {
    /// Index of its `<`.
    pub start: usize,
    /// Index after its `>`.
    pub end: usize,
    /// Its name, lowercase.
    pub name: String,
}

/// Elements whose content the tokenizer reads as text up to their end tag (scripting on,
/// as in a page: `noscript` too). `plaintext` has no end.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "textarea",
    "title",
    "plaintext",
];

/// Whether an element of this (lowercase) name holds raw text: markup given to it is text.
pub fn is_raw_text(name: &str) -> bool {
    RAW_TEXT.contains(&name)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

// No indexing below (`get` instead): the panic paths of slicing cost keksi.js kilobytes
// of formatting code.

/// The bytes from `i` on (none past the end).
fn from(h: &[u8], i: usize) -> &[u8] {
    h.get(i..).unwrap_or_default()
}

/// Index after the `>` ending a tag whose attributes start at `i`, or `None` when the
/// string ends first (the tokenizer then drops the tag).
fn tag_end(h: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *h.get(i)? {
            b'>' => return Some(i + 1),
            q @ (b'"' | b'\'') if is_value_start(h, i) => {
                i += 2 + from(h, i + 1).iter().position(|&b| b == q)?;
            }
            _ => i += 1,
        }
    }
}

/// Whether a quote at `i` opens an attribute value: after `=` and any white space.
fn is_value_start(h: &[u8], i: usize) -> bool {
    let before = h.get(..i).unwrap_or_default();
    before.iter().rev().find(|&&b| !is_space(b)) == Some(&b'=')
}

/// Index after the end tag `</name` (any case, followed by space, `/` or `>`) at or
/// after `i`: where raw text ends; the string's end when it has none.
fn raw_text_end(h: &[u8], mut i: usize, name: &str) -> usize {
    let n = name.as_bytes();
    while let Some(p) = strings::find_bytes(from(h, i), b"</") {
        let at = i + p + 2;
        let rest = from(h, at);
        let fits = rest.get(..n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n));
        if fits && rest.get(n.len()).is_none_or(|&b| is_space(b) || b == b'/' || b == b'>') {
            return tag_end(h, at + n.len()).unwrap_or(h.len());
        }
        i = at;
    }
    h.len()
}

/// Index after the first `>` at or after `i`, or the end.
fn past_gt(h: &[u8], i: usize) -> usize {
    from(h, i).iter().position(|&b| b == b'>').map_or(h.len(), |q| i + q + 1)
}

/// Every start tag of `html`, in order.
pub fn start_tags(html: &str) -> Vec<Tag> {
    let h = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = from(h, i).iter().position(|&b| b == b'<') {
        let lt = i + p;
        let after = from(h, lt + 1);
        let next = after.first().copied().unwrap_or(0);
        if let Some(body) = after.strip_prefix(b"!--") {
            // `<!-->` and `<!--->` are whole (empty) comments.
            i = lt
                + 4
                + if body.starts_with(b">") {
                    1
                } else if body.starts_with(b"->") {
                    2
                } else {
                    strings::find_bytes(body, b"-->").map_or(h.len(), |q| q + 3)
                };
        } else if next == b'!' || next == b'?' || (next == b'/' && !after.get(1).is_some_and(u8::is_ascii_alphabetic)) {
            // Doctypes and bogus comments end at the first `>`; `</>` is dropped.
            i = past_gt(h, lt);
        } else if next == b'/' {
            i = tag_end(h, lt + 2).unwrap_or(h.len());
        } else if next.is_ascii_alphabetic() {
            let name_len = after
                .iter()
                .position(|&b| is_space(b) || b == b'/' || b == b'>')
                .unwrap_or(after.len());
            let name = html.get(lt + 1..lt + 1 + name_len).unwrap_or_default().to_ascii_lowercase();
            let Some(end) = tag_end(h, lt + 1 + name_len) else { break };
            i = if name == "plaintext" {
                h.len()
            } else if is_raw_text(&name) {
                raw_text_end(h, end, &name)
            } else {
                end
            };
            out.push(Tag { start: lt, end, name });
        } else {
            i = lt + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(html: &str) -> Vec<&str> {
        start_tags(html).into_iter().map(|t| &html[t.start..t.end]).collect()
    }

    #[test]
    fn finds_start_tags_in_order_with_their_names() {
        let h = r#"<div class="ad"><IMG SRC="https://x/p.gif?a=1&b=2" alt='a > b'><p>t</p>"#;
        let tags = start_tags(h);
        assert_eq!(tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["div", "img", "p"]);
        assert_eq!(
            found(h),
            [r#"<div class="ad">"#, r#"<IMG SRC="https://x/p.gif?a=1&b=2" alt='a > b'>"#, "<p>"]
        );
    }

    #[test]
    fn skips_comments_doctypes_and_end_tags() {
        let h = "<!doctype html><!-- <img src=a> --><!--><img id=1><!---><?x <img>?></div a='>'><img id=2></>";
        assert_eq!(found(h), ["<img id=1>", "<img id=2>"]);
    }

    #[test]
    fn raw_text_is_not_read_as_tags() {
        let h = "<script>var s = '<img src=x>'; if (a</b) {}</script ><img id=1><style>p{}/*<img>*/</style>\
                 <textarea><img></TEXTAREA><noscript><img src=px></noscript><img id=2>";
        assert_eq!(
            found(h),
            ["<script>", "<img id=1>", "<style>", "<textarea>", "<noscript>", "<img id=2>"]
        );
        // A script never closed takes the rest of the string.
        assert_eq!(start_tags("<script>x<img>").len(), 1);
        assert_eq!(start_tags("<plaintext><img>").len(), 1);
    }

    #[test]
    fn unquoted_values_and_spaces_around_equals() {
        let h = r#"<img src = "a>b" data-x=c>d><iframe src=y/>"#;
        assert_eq!(found(h), [r#"<img src = "a>b" data-x=c>"#, "<iframe src=y/>"]);
        // A quote inside a name is not a value.
        assert_eq!(found(r#"<img a"b>c>"#), [r#"<img a"b>"#]);
    }

    #[test]
    fn a_tag_cut_off_by_the_end_is_dropped_and_a_lone_lt_is_text() {
        assert_eq!(start_tags("a < b <img src=\"x"), vec![]);
        assert_eq!(start_tags("1<2 <3>"), vec![]);
        assert_eq!(start_tags("<!-- never closed <img>"), vec![]);
    }
}
