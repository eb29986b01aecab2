//! Escaping for the markup keksi builds, so config and cookie names can never inject.
#[allow(unused_imports)]
use crate::prelude::*;

/// Escape text for use in element content or a double-quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, text);
    out
}

/// [`escape`] onto the end of `out` (no string of its own to make and free).
pub fn escape_into(out: &mut String, text: &str) {
    // On bytes: every byte escaped is ASCII, the others pass through unchanged (no UTF-8
    // decoding and encoding of each character in keksi.js).
    // SAFETY: `text`'s UTF-8 sequences are appended whole (only ASCII bytes, never part
    // of a sequence, are replaced), and ASCII entities between them.
    let out = unsafe { out.as_mut_vec() };
    out.reserve(text.len());
    for &b in text.as_bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            _ => out.push(b),
        }
    }
}

/// A small builder for HTML strings: escaped by default.
#[derive(Default)]
pub struct Html(String);

impl Html {
    /// An empty document fragment.
    pub fn new() -> Self {
        Html(String::with_capacity(4096))
    }

    /// Append trusted markup (our own literals only). Not inlined: a call at each of the
    /// markup's many uses is smaller than the `push_str` written out there.
    #[inline(never)]
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Append escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.0, text);
        self
    }

    /// Append ` name="value"` with the value escaped.
    pub fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        escape_into(&mut self.0, value);
        self.0.push('"');
        self
    }

    /// The markup built so far.
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        // Other characters, any length in UTF-8, pass through whole.
        let t = "\u{e9}<\u{20ac}\"\u{1f36a}'\0";
        assert_eq!(escape(t), "\u{e9}&lt;\u{20ac}&quot;\u{1f36a}&#39;\0");
        let mut h = Html::new();
        h.raw("<p").attr("title", "\"><script>").raw(">").text("<b>").raw("</p>");
        assert_eq!(h.finish(), "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt;</p>");
    }
}
