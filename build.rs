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
    let mut langs: Vec<&String> = all.iter().filter(|l| *l != "en" && wanted.contains(l)).collect();
    langs.sort();
    let mut out = String::from(
        "/// Built-in languages and their data files. English first: it defines the key set.\npub const BUILTIN: &[(&str, &str)] = &[\n",
    );
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for l in std::iter::once(&"en".to_string()).chain(langs) {
        let json = fs::read_to_string(dir.join(format!("{l}.json"))).expect("language file exists");
        fs::write(Path::new(&out_dir).join(format!("texts-{l}.json")), minify_json(&json)).expect("write texts");
        out.push_str(&format!("    (\"{l}\", include_str!(concat!(env!(\"OUT_DIR\"), \"/texts-{l}.json\"))),\n"));
    }
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("languages.rs"), out).expect("write languages.rs");
    strip_comments(&out_dir);
    minify_css(&out_dir);
}

/// JSON without the whitespace between tokens (strings are copied as they are).
fn minify_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
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

/// The knowledge files without their comment lines: comments are for maintainers, and
/// every byte compiled in ships to every visitor.
fn strip_comments(out_dir: &str) {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("data");
    for name in ["cookies.tsv", "storage.tsv", "trackers.tsv"] {
        println!("cargo:rerun-if-changed=data/{name}");
        let text = fs::read_to_string(root.join(name)).expect("data file exists");
        let kept: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
        fs::write(Path::new(out_dir).join(name), kept.join("\n") + "\n").expect("write stripped data");
    }
}
