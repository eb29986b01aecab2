//! Chooses which UI languages are compiled in: all files in `data/texts/` by default, or
//! only those named in `KEKSI_LANGUAGES` (e.g. `en,fi`), so a site pays only for what it
//! uses. English is always included: it defines the text keys and is the fallback.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=KEKSI_LANGUAGES");
    println!("cargo:rerun-if-changed=data/texts");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("data/texts");
    let mut all: Vec<String> = fs::read_dir(&dir)
        .expect("data/texts exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).map(String::from))
        .collect();
    all.sort();
    let wanted: Vec<String> = match env::var("KEKSI_LANGUAGES") {
        Ok(list) if !list.trim().is_empty() => list.split(',').map(|l| l.trim().to_ascii_lowercase()).collect(),
        _ => all.clone(),
    };
    for w in &wanted {
        assert!(all.contains(w), "KEKSI_LANGUAGES names `{w}`, which has no data/texts/{w}.json");
    }
    // Related languages next to each other: LZMA then finds shared words at short
    // distances (~0.25 KB less packed keksi.js than alphabetical). Others follow, sorted.
    const ORDER: [&str; 14] = ["de", "nl", "da", "no", "sv", "fi", "et", "fr", "es", "pt", "it", "pl", "he", "ar"];
    let rank = |l: &str| ORDER.iter().position(|o| *o == l).unwrap_or(ORDER.len());
    let mut langs: Vec<&String> = all.iter().filter(|l| *l != "en" && wanted.contains(l)).collect();
    langs.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    // Each language ships as its values only, in English's key order, joined by U+001F:
    // the keys repeated in every language cost ~1 KB of packed keksi.js for nothing.
    let read = |l: &str| -> Vec<(String, String)> {
        let path = dir.join(format!("{l}.json"));
        let text = fs::read_to_string(&path).expect("language file exists");
        flat_object(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let en = read("en");
    let keys: Vec<&str> = en.iter().map(|(k, _)| k.as_str()).collect();
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut out = String::from(
        "/// The text keys, in English's order, joined by U+001F.\npub const KEYS: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/texts-keys\"));\n\
         /// Built-in languages: (code, its texts in `KEYS` order joined by U+001F). English first.\npub const BUILTIN: &[(&str, &str)] = &[\n",
    );
    fs::write(Path::new(&out_dir).join("texts-keys"), keys.join("\u{1f}")).expect("write keys");
    for l in std::iter::once(&"en".to_string()).chain(langs) {
        let texts = if l == "en" { en.clone() } else { read(l) };
        // No key twice (flat_object), as many as English's, each of English's: the same set.
        assert!(
            texts.len() == keys.len(),
            "data/texts/{l}.json must have exactly the keys of en.json"
        );
        let mut values = Vec::new();
        for k in &keys {
            let Some((_, v)) = texts.iter().find(|(key, _)| key == k) else {
                panic!("data/texts/{l}.json lacks `{k}`, which en.json has");
            };
            assert!(
                !v.trim().is_empty() && !v.contains('\u{1f}'),
                "data/texts/{l}.json: `{k}` is empty or holds U+001F"
            );
            values.push(v.as_str());
        }
        fs::write(Path::new(&out_dir).join(format!("texts-{l}")), values.join("\u{1f}")).expect("write texts");
        out.push_str(&format!(
            "    (\"{l}\", include_str!(concat!(env!(\"OUT_DIR\"), \"/texts-{l}\"))),\n"
        ));
    }
    out.push_str("];\n");
    // Each key's index in `KEYS` (and in every language's values), for `Texts::at`: a
    // number at each use instead of the key's name (a string literal, and a search).
    out.push_str("/// Each text key's index in `KEYS` (`bannerTitle` is `key::BANNER_TITLE`).\npub mod key {\n");
    for (i, k) in keys.iter().enumerate() {
        let mut name = String::new();
        for c in k.chars() {
            if c.is_ascii_uppercase() {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        out.push_str(&format!("    /// `{k}`.\n    pub const {name}: usize = {i};\n"));
    }
    out.push_str("}\n");
    fs::write(Path::new(&out_dir).join("languages.rs"), out).expect("write languages.rs");
    strip_comments(&out_dir);
    minify_css(&out_dir);
}

/// A language file: one JSON object of string values, read in file order. Only what
/// those files need (string escapes, no nesting); anything else stops the build.
fn flat_object(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut chars = text.trim().chars().peekable();
    let mut out = Vec::new();
    let skip_ws = |c: &mut std::iter::Peekable<std::str::Chars>| {
        while c.peek().is_some_and(|c| c.is_whitespace()) {
            c.next();
        }
    };
    let string = |c: &mut std::iter::Peekable<std::str::Chars>| -> Result<String, String> {
        if c.next() != Some('"') {
            return Err("expected a string".into());
        }
        let mut s = String::new();
        loop {
            match c.next().ok_or("unterminated string")? {
                '"' => return Ok(s),
                '\\' => match c.next().ok_or("unterminated escape")? {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'u' => {
                        let hex: String = c.by_ref().take(4).collect();
                        let n = u32::from_str_radix(&hex, 16).map_err(|_| format!("bad \\u{hex}"))?;
                        s.push(char::from_u32(n).ok_or("\\u escape is not a character")?);
                    }
                    e @ ('"' | '\\' | '/') => s.push(e),
                    e => return Err(format!("unsupported escape \\{e}")),
                },
                ch => s.push(ch),
            }
        }
    };
    if chars.next() != Some('{') {
        return Err("expected an object".into());
    }
    loop {
        skip_ws(&mut chars);
        let key = string(&mut chars)?;
        skip_ws(&mut chars);
        if chars.next() != Some(':') {
            return Err(format!("expected `:` after {key}"));
        }
        skip_ws(&mut chars);
        let value = string(&mut chars)?;
        if out.iter().any(|(k, _)| *k == key) {
            return Err(format!("{key} appears twice"));
        }
        out.push((key, value));
        skip_ws(&mut chars);
        match chars.next() {
            Some(',') => continue,
            Some('}') if chars.next().is_none() => return Ok(out),
            _ => return Err("expected `,` or a final `}`".into()),
        }
    }
}

/// The stylesheets without comments and runs of whitespace (they ship to every visitor).
/// Deliberately simple: spaces are only dropped around `{`, `}`, `;` and `,`, never
/// around `:` (`a :hover` and `a:hover` differ).
fn minify_css(out_dir: &str) {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("src/web");
    for name in ["keksi.css", "placeholder.css"] {
        println!("cargo:rerun-if-changed=src/web/{name}");
        let css = fs::read_to_string(root.join(name)).expect("stylesheet exists");
        let mut out = String::with_capacity(css.len());
        let mut rest = css.as_str();
        while let Some(start) = rest.find("/*") {
            out.push_str(&rest[..start]);
            rest = rest[start + 2..].split_once("*/").map(|(_, after)| after).unwrap_or("");
        }
        out.push_str(rest);
        let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut min = String::with_capacity(collapsed.len());
        for c in collapsed.chars() {
            if matches!(c, '{' | '}' | ';' | ',') && min.ends_with(' ') {
                min.pop();
            }
            if c == ' ' && min.ends_with(['{', '}', ';', ',']) {
                continue;
            }
            min.push(c);
        }
        fs::write(Path::new(out_dir).join(name), min).expect("write minified css");
    }
}

/// The knowledge files without their comment lines (comments are for maintainers, and
/// every byte compiled in ships to every visitor), stored column by column: the fields of
/// a column joined by `\n`, the columns by U+001E, a missing last field as an empty one.
/// LZMA finds a column's repetitions (categories, vendors, lifetimes) closer together:
/// ~0.5 KB less packed keksi.js than line by line. `core::knowledge::rows` reads it back.
fn strip_comments(out_dir: &str) {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("data");
    for name in ["cookies.tsv", "storage.tsv", "trackers.tsv"] {
        println!("cargo:rerun-if-changed=data/{name}");
        let text = fs::read_to_string(root.join(name)).expect("data file exists");
        let mut rows: Vec<Vec<&str>> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split('\t').collect())
            .collect();
        let coded = match name {
            "cookies.tsv" => code_cookie_columns(&rows, out_dir),
            "storage.tsv" => rows.iter().map(|r| [category_digit(r[1]), String::new()]).collect(),
            _ => Vec::new(),
        };
        for (r, [category, purpose]) in rows.iter_mut().zip(&coded) {
            r[1] = category;
            if r.len() > 4 {
                r[4] = purpose;
                // A session cookie's lifetime as an empty field: what is not a number of
                // days is a session (`core::knowledge::table`), and it packs smaller.
                if r[3] == "session" {
                    r[3] = "";
                }
            }
        }
        // A category or vendor the entry before also has is left empty ("ditto"): entries
        // come grouped by vendor, and an empty field packs smaller than the text again.
        // (Not the cookies' one-digit categories: no gain there.)
        let ditto: &[usize] = if name == "trackers.tsv" { &[1, 2] } else { &[2] };
        for i in (1..rows.len()).rev() {
            for &c in ditto {
                assert!(!rows[i][c].is_empty(), "data/{name}: an entry without category or vendor");
                if rows[i][c] == rows[i - 1][c] {
                    rows[i][c] = "";
                }
            }
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        let columns: Vec<String> = (0..width)
            .map(|i| rows.iter().map(|r| r.get(i).copied().unwrap_or("")).collect::<Vec<_>>().join("\n"))
            .collect();
        assert!(!text.contains('\u{1e}'), "data/{name} holds U+001E");
        fs::write(Path::new(out_dir).join(name), columns.join("\u{1e}")).expect("write data columns");
    }
}

/// A knowledge file's category as its index in `core::category::DEFAULT_CATEGORIES`: the
/// cookie and storage tables are then read by the same code (`core::knowledge::table`).
fn category_digit(category: &str) -> String {
    const CATEGORIES: [&str; 4] = ["necessary", "functional", "analytics", "advertising"];
    let i = CATEGORIES.iter().position(|c| *c == category);
    i.unwrap_or_else(|| panic!("unknown category {category:?} in data/")).to_string()
}

/// The cookie knowledge's category and purpose columns, coded (`core::knowledge::table`
/// reads them back): the category as its index in `core::category::DEFAULT_CATEGORIES`
/// (one digit), the purpose as the index of its text in `cookie-purposes`, which holds the
/// distinct purposes (126 in 428 rows) in order of first use, a line each. 50–77 B less
/// gzip of keksi.js than the two columns written out (measured 2026-11-29: English, en+fi,
/// all languages; the purposes alone gained 24 B, the category alone nothing). A purpose
/// used first is left empty, as its index is the next one: −59 B en+fi.
fn code_cookie_columns(rows: &[Vec<&str>], out_dir: &str) -> Vec<[String; 2]> {
    let mut purposes: Vec<&str> = Vec::new();
    let mut coded = Vec::new();
    for r in rows {
        assert!(r.len() == 5 && !r[4].is_empty(), "cookies.tsv: five fields, a purpose last: {r:?}");
        let category = category_digit(r[1]);
        // A purpose not used before as an empty field: `table` counts them.
        let purpose = match purposes.iter().position(|p| *p == r[4]) {
            Some(i) => i.to_string(),
            None => {
                purposes.push(r[4]);
                String::new()
            }
        };
        coded.push([category, purpose]);
    }
    fs::write(Path::new(out_dir).join("cookie-purposes"), purposes.join("\n")).expect("write cookie purposes");
    coded
}
