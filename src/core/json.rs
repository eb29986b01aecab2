//! A small JSON reader and writer, so keksi.js carries no serde machinery: every byte
//! of the WebAssembly is downloaded by every visitor.
//!
//! Objects keep the order their keys were written in (the dialog shows categories in
//! config order). Numbers stay as their source text; callers convert the ones they
//! need, so no float parser or printer is linked in.
#[allow(unused_imports)]
use crate::prelude::*;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string, unescaped.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, in source order.
    Obj(Vec<(String, Json)>),
}

/// Deepest nesting accepted; deeper input is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

impl Json {
    /// Parse a complete JSON text. The error names the byte offset and what was wrong.
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value(0)?;
        p.ws();
        if p.i != p.s.len() {
            return Err(p.err("unexpected text after the JSON value"));
        }
        Ok(v)
    }

    /// The name of this value's JSON type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }

    /// Member of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Serialize to compact JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_str(out, s),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// An object of `keys` and `values`, pairwise in order. Callers list their keys as a
/// table: a `String` made inline for every key of every literal object was code of its
/// own at each place that builds one.
pub fn obj(keys: &[&str], mut values: Vec<Json>) -> Json {
    let mut m = Vec::new();
    // Each value taken out in place (a `Null` left behind), not the list consumed: a
    // consuming loop is an `IntoIter` of its own in keksi.js.
    for (i, v) in values.iter_mut().enumerate() {
        if let Some(k) = keys.get(i) {
            m.push((String::from(*k), core::mem::replace(v, Json::Null)));
        }
    }
    Json::Obj(m)
}

/// A JSON number from an unsigned integer.
pub fn num(n: u64) -> Json {
    let mut s = String::new();
    push_u64(&mut s, n);
    Json::Num(s)
}

/// Append the decimal digits of `n` (without the formatting machinery of `to_string`).
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // SAFETY: only whole UTF-8 sequences of `s` (the bytes escaped are ASCII, never part
    // of a sequence) and ASCII are appended. On bytes: no UTF-8 decoding and encoding of
    // each character in keksi.js.
    let out = unsafe { out.as_mut_vec() };
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> String {
        let mut m = String::from(what);
        m.push_str(" at offset ");
        push_u64(&mut m, self.i as u64);
        m
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.i += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Json::Obj(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a quoted key"));
            }
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected `:`"));
            }
            self.i += 1;
            let v = self.value(depth + 1)?;
            // A repeated key replaces the earlier one, as JSON.parse does.
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(m) => m.1 = v,
                None => members.push((key, v)),
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        self.digits();
        let int = &self.s[int_start..self.i];
        if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
            return Err(self.err("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        // ASCII only (digits, `-`, `+`, `.`, `e`): each byte is its char. A loop, not
        // `map` + `collect` (code of their own).
        let mut n = String::new();
        for &b in &self.s[start..self.i] {
            n.push(b as char);
        }
        Ok(Json::Num(n))
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            match b {
                // SAFETY: `out` holds whole UTF-8 sequences: bytes of the `&str` being
                // parsed, cut only at `"` and `\\` (ASCII, never inside a sequence), and
                // escapes written by `char::encode_utf8`. (Checking again would keep
                // core's UTF-8 validator, ~0.2 KB, in keksi.js for nothing.)
                b'"' => return Ok(unsafe { String::from_utf8_unchecked(out) }),
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.err("unterminated string"));
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.err("invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err(self.err("control character in string")),
                _ => out.push(b),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !self.s[self.i..].starts_with(b"\\u") {
                return Err(self.err("lone surrogate"));
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.err("lone surrogate"));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.err("lone surrogate"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_everything_json_has() {
        let v = Json::parse(r#" {"b": [1, -2.5e3, true, false, null], "a": "x\"\\\/\n\u00e9\ud83c\udf6a", "e": {}} "#).unwrap();
        let Json::Obj(m) = &v else { panic!() };
        assert_eq!(
            m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["b", "a", "e"],
            "source order kept"
        );
        assert_eq!(v.get("a").unwrap().as_str(), Some("x\"\\/\né🍪"));
        assert_eq!(
            v.get("b"),
            Some(&Json::Arr(vec![
                Json::Num("1".into()),
                Json::Num("-2.5e3".into()),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for bad in [
            "",
            "{",
            "}",
            "{a:1}",
            "{'a':1}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            ".5",
            "1e",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"a\nb\"",
            "[1 2]",
            "{\"a\" 1}",
            "1 2",
            "\"\\u12g4\"",
        ] {
            assert!(Json::parse(bad).is_err(), "accepted {bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(&deep).is_err());
    }

    #[test]
    fn errors_say_where() {
        let e = Json::parse("{\"a\": tru}").unwrap_err();
        assert!(e.contains("offset 6"), "{e}");
    }

    #[test]
    fn round_trips_through_text() {
        let text = r#"{"id":"a\"b","n":12,"ok":true,"list":[null,"\u0001"],"o":{}}"#;
        let v = Json::parse(text).unwrap();
        assert_eq!(Json::parse(&v.to_text()).unwrap(), v);
        assert_eq!(v.to_text(), r#"{"id":"a\"b","n":12,"ok":true,"list":[null,"\u0001"],"o":{}}"#);
    }

    #[test]
    fn strings_written_keep_other_characters_whole() {
        let s = "\u{e9}\"\u{20ac}\\\u{1f36a}\u{1f}\n\u{7f}";
        let text = Json::Str(s.into()).to_text();
        assert_eq!(text, "\"\u{e9}\\\"\u{20ac}\\\\\u{1f36a}\\u001f\\n\u{7f}\"");
        assert_eq!(Json::parse(&text), Ok(Json::Str(s.into())));
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        assert_eq!(
            Json::parse(r#"{"a":1,"a":2}"#).unwrap(),
            Json::Obj(vec![("a".into(), Json::Num("2".into()))])
        );
    }

    #[test]
    fn numbers() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, "0 18446744073709551615");
        assert_eq!(num(42), Json::Num("42".into()));
    }
}
