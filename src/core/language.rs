//! Picking the UI language: config, then `<html lang>`, then `navigator.languages`,
//! then English. Region variants fall back to their base language (`fi-FI` → `fi`).
#[allow(unused_imports)]
use crate::prelude::*;

/// The language used when nothing else matches.
pub const FALLBACK: &str = "en";

/// The base language of a tag, lower-cased: `pt-BR` → `pt`, `nb` → `no`.
pub fn base(tag: &str) -> String {
    let primary = super::strings::trim_ascii_ws(super::strings::until_any(tag, b"-_")).to_ascii_lowercase();
    match primary.as_str() {
        // Norwegian Bokmål and Nynorsk read the same banner.
        "nb" | "nn" => "no".into(),
        _ => primary,
    }
}

/// Choose the UI language among `available`.
///
/// `forced` is the config's `language` (when not `auto`); `html_lang` is the page's
/// `<html lang>`; `navigator` is `navigator.languages` in the visitor's order.
pub fn pick<'a>(forced: Option<&str>, html_lang: Option<&str>, navigator: &[String], available: &[&'a str]) -> &'a str {
    let candidates = forced.into_iter().chain(html_lang).chain(navigator.iter().map(String::as_str));
    for tag in candidates {
        let b = base(tag);
        if let Some(found) = available.iter().find(|a| **a == b) {
            return found;
        }
    }
    FALLBACK
}

/// Whether a language is written right to left: those of the Arabic and Hebrew scripts
/// and Thaana (the config may give texts for any language; `iw` is Hebrew's old code).
pub fn is_rtl(lang: &str) -> bool {
    matches!(
        base(lang).as_str(),
        "ar" | "he" | "iw" | "fa" | "ur" | "ps" | "sd" | "ug" | "ckb" | "yi" | "dv"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const AV: &[&str] = &["en", "fi", "no", "pt"];

    fn nav(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn order_of_sources() {
        assert_eq!(pick(Some("fi"), Some("en"), &nav(&["en"]), AV), "fi");
        assert_eq!(pick(None, Some("fi-FI"), &nav(&["en-US"]), AV), "fi");
        assert_eq!(pick(None, None, &nav(&["de-DE", "fi"]), AV), "fi");
        assert_eq!(pick(None, Some("de"), &nav(&["sv"]), AV), "en");
        assert_eq!(pick(None, Some(""), &[], AV), "en");
    }

    #[test]
    fn region_and_case_fall_back_to_base() {
        assert_eq!(pick(None, Some("PT-br"), &[], AV), "pt");
        assert_eq!(pick(None, Some("nb-NO"), &[], AV), "no");
        assert_eq!(pick(None, Some("fi_FI"), &[], AV), "fi");
    }

    #[test]
    fn rtl() {
        assert!(is_rtl("ar"));
        assert!(is_rtl("he-IL"));
        assert!(!is_rtl("fi"));
        // Languages not built in that a config may give texts for.
        for l in ["ps", "yi", "dv", "ckb", "sd", "ug", "iw"] {
            assert!(is_rtl(l), "{l}");
        }
    }
}
