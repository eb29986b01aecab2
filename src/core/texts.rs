//! The UI texts: one JSON data file per language in `data/texts/`, compiled in (as bare
//! values in English's key order, see build.rs), with the config's `texts` overrides on
//! top. English is complete and defines the keys.
#[allow(unused_imports)]
use crate::prelude::*;

use super::category::Category;
use super::language;

// `KEYS` and `BUILTIN`: the text keys and each compiled-in language's values, both
// joined by U+001F; `key`: each key's index (`key::ACCEPT_ALL`), for `Texts::at`;
// written by build.rs, which checks every file has every key.
include!(concat!(env!("OUT_DIR"), "/languages.rs"));

/// Codes of the built-in languages.
pub fn available() -> Vec<&'static str> {
    let mut out = Vec::new();
    for (code, _) in BUILTIN {
        out.push(*code);
    }
    out
}

fn keys() -> impl Iterator<Item = &'static str> {
    super::strings::pieces(KEYS, 0x1f)
}

fn parse(data: &'static str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in keys().zip(super::strings::pieces(data, 0x1f)) {
        out.push((k.into(), v.into()));
    }
    out
}

fn builtin(lang: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(code, _)| *code == lang).map(|(_, data)| *data)
}

/// Whether `key` is a text key (present in the English data file).
pub fn is_key(key: &str) -> bool {
    keys().any(|k| k == key)
}

/// The texts of one language, resolved: overrides, then the language, then English.
#[derive(Debug, Clone)]
pub struct Texts {
    /// The language code these texts are in.
    pub lang: String,
    entries: Vec<(String, String)>,
}

impl Texts {
    /// Texts for `lang` with the config's `(language, key, text)` overrides applied.
    pub fn load(lang: &str, overrides: &[(String, String, String)]) -> Texts {
        // build.rs compiles in every language with every key, in English's order: the
        // language's own texts are complete; an unknown language gets English's.
        let mut entries = parse(builtin(lang).unwrap_or(BUILTIN[0].1));
        for (l, k, v) in overrides {
            // The config keeps overrides by base language.
            if l == lang {
                set(&mut entries, k.clone(), v.clone());
            }
        }
        Texts {
            lang: lang.into(),
            entries,
        }
    }

    /// Every (key, text) pair, in the order of the English file.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// The text of key number `key` (a [`key`] constant: entries stay in `KEYS` order,
    /// overrides replace texts in place). Not inlined: a call at each use is smaller than
    /// the bounds check written out there.
    #[inline(never)]
    pub fn at(&self, key: usize) -> &str {
        self.entries.get(key).map_or("", |(_, v)| v.as_str())
    }

    /// The text of key number `key` (see [`Texts::at`]) with `{name}` placeholders filled in.
    pub fn fill(&self, key: usize, vars: &[(&str, &str)]) -> String {
        let mut out = self.at(key).to_string();
        for (name, value) in vars {
            let mut pat = String::from("{");
            pat.push_str(name);
            pat.push('}');
            out = super::strings::replace(&out, &pat, value);
        }
        out
    }

    /// A lifetime of `n` whole days, as the dialog's cookie table shows it: one day by
    /// its own text (no language here says "1 days").
    pub fn days(&self, n: u64) -> String {
        let mut num = String::new();
        super::json::push_u64(&mut num, n);
        self.fill(if n == 1 { key::DURATION_DAY } else { key::DURATION_DAYS }, &[("n", &num)])
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        language::is_rtl(&self.lang)
    }

    /// What a category is called: the config's title, else the built-in one in this
    /// language, else its name.
    pub fn title_of<'a>(&'a self, c: &'a Category) -> &'a str {
        c.title.as_deref().or_else(|| self.category_title(&c.name)).unwrap_or(&c.name)
    }

    /// A category's description: the config's, else the built-in one, else none.
    pub fn description_of<'a>(&'a self, c: &'a Category) -> &'a str {
        c.description
            .as_deref()
            .or_else(|| self.category_description(&c.name))
            .unwrap_or("")
    }

    /// Title of a built-in category in this language, if it has one.
    pub fn category_title(&self, name: &str) -> Option<&str> {
        self.category_text(name, 0)
    }

    /// Description of a built-in category in this language, if it has one.
    pub fn category_description(&self, name: &str) -> Option<&str> {
        self.category_text(name, 1)
    }

    /// The built-in categories' texts are keys `<name>Title` and `<name>Description`,
    /// one pair after another in `DEFAULT_CATEGORIES`' order from `necessaryTitle` on (a
    /// test checks).
    fn category_text(&self, name: &str, which: usize) -> Option<&str> {
        let i = crate::core::category::DEFAULT_CATEGORIES.iter().position(|c| *c == name)?;
        Some(self.at(key::NECESSARY_TITLE + 2 * i + which))
    }
}

fn set(entries: &mut Vec<(String, String)>, key: String, value: String) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(e) => e.1 = value,
        None => entries.push((key, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Texts {
        /// The text for `key` by its name; the key itself when unknown. Only the tests'
        /// own look-up, to check [`Texts::at`]'s indices against: keksi uses `at`.
        fn get<'a>(&'a self, key: &'a str) -> &'a str {
            self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or(key)
        }
    }

    #[test]
    fn every_language_has_every_key_non_empty() {
        use crate::core::json::Json;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/texts");
        let file = |code: &str| {
            let text = std::fs::read_to_string(format!("{dir}/{code}.json")).expect("language file");
            match Json::parse(&text) {
                Ok(Json::Obj(members)) => members,
                other => panic!("{code}.json is not an object: {other:?}"),
            }
        };
        let keys: Vec<String> = file("en").into_iter().map(|(k, _)| k).collect();
        assert!(keys.len() >= 30, "English defines the keys");
        assert_eq!(super::keys().collect::<Vec<_>>(), keys, "compiled-in keys are English's, in order");
        assert_eq!(std::fs::read_dir(dir).expect("data/texts").count(), BUILTIN.len(), "all built in");
        for (code, _) in BUILTIN {
            let members = file(code);
            assert_eq!(members.len(), keys.len(), "{code} has exactly English's keys");
            let t = Texts::load(code, &[]);
            for (key, v) in &members {
                assert!(keys.contains(key), "{code} has a key English lacks: {key}");
                let v = v.as_str().unwrap_or_else(|| panic!("{code}.{key} is not a string"));
                assert!(!v.trim().is_empty(), "{code}.{key} is empty");
                // What build.rs compiled in is exactly the file's text.
                assert_eq!(t.get(key), v, "{code}.{key} as compiled in");
            }
        }
    }

    #[test]
    fn translations_are_not_english_left_in() {
        let en = Texts::load("en", &[]);
        assert!(BUILTIN.len() >= 14, "all languages are built in by default");
        for (code, _) in &BUILTIN[1..] {
            let t = Texts::load(code, &[]);
            for key in [
                "bannerTitle",
                "bannerText",
                "acceptAll",
                "rejectAll",
                "preferences",
                "save",
                "dialogTitle",
                "dialogText",
                "placeholderText",
                "gpcNote",
            ] {
                assert_ne!(en.get(key), t.get(key), "{code}.{key} is still English");
            }
            for key in ["placeholderText", "placeholderAllow"] {
                assert!(t.get(key).contains("{service}"), "{code}.{key} lost its placeholder");
            }
            assert!(t.get("durationDays").contains("{n}"), "{code}.durationDays");
        }
    }

    #[test]
    fn one_day_is_no_days() {
        // The dialog's cookie table: Google Analytics' `_gid` and Cloudflare's `__cf_bm`
        // live a day, on most sites.
        assert_eq!(Texts::load("en", &[]).days(1), "1 day");
        assert_eq!(Texts::load("en", &[]).days(365), "365 days");
        assert_eq!(Texts::load("fi", &[]).days(1), "1 p\u{e4}iv\u{e4}");
        assert_eq!(Texts::load("fi", &[]).days(2), "2 p\u{e4}iv\u{e4}\u{e4}");
        for (code, _) in BUILTIN {
            let t = Texts::load(code, &[]);
            assert_ne!(t.days(1), t.days(2).replace('2', "1"), "{code}: one day reads as several");
        }
    }

    #[test]
    fn builtin_category_texts_by_index() {
        let t = Texts::load("fi", &[]);
        for c in crate::core::category::DEFAULT_CATEGORIES {
            assert_eq!(t.category_title(c), Some(t.get(&format!("{c}Title"))));
            assert_eq!(t.category_description(c), Some(t.get(&format!("{c}Description"))));
        }
        // Only those: not another key that happens to end in `Title`.
        assert_eq!(t.category_title("banner"), None);
        assert_eq!(t.category_title("unclassified"), None);
    }

    #[test]
    fn overrides_by_region_tag_reach_their_language() {
        let s = crate::core::config::Settings::from_json(r#"{"texts":{"fi-FI":{"save":"Tallenna!"},"FA":{"save":"ذخیره"}}}"#).unwrap();
        assert_eq!(Texts::load("fi", &s.texts).at(key::SAVE), "Tallenna!");
        // A language not built in: the config's texts, English for the rest.
        let fa = Texts::load("fa", &s.texts);
        assert_eq!((fa.at(key::SAVE), fa.at(key::CLOSE), fa.is_rtl()), ("ذخیره", "Close", true));
    }

    #[test]
    fn rtl_languages() {
        assert!(Texts::load("ar", &[]).is_rtl());
        assert!(Texts::load("he", &[]).is_rtl());
        assert!(!Texts::load("de", &[]).is_rtl());
    }

    #[test]
    fn lookup_overrides_and_fill() {
        let t = Texts::load(
            "fi",
            &[
                ("fi".into(), "acceptAll".into(), "Okei".into()),
                ("en".into(), "rejectAll".into(), "No".into()),
            ],
        );
        assert_eq!(t.get("acceptAll"), "Okei");
        assert_eq!(t.get("rejectAll"), "Hylkää kaikki");
        assert_eq!(t.get("noSuchKey"), "noSuchKey");
        assert_eq!(t.fill(key::PLACEHOLDER_ALLOW, &[("service", "YouTube")]), "Salli YouTube");
        assert_eq!(t.at(key::REJECT_ALL), "Hylkää kaikki");
        assert_eq!(t.at(key::ACCEPT_ALL), "Okei");
        assert_eq!(t.category_title("analytics"), Some("Analytiikka"));
        assert_eq!(t.category_title("custom"), None);
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        assert_eq!(Texts::load("xx", &[]).get("acceptAll"), "Accept all");
        assert!(is_key("acceptAll"));
        assert!(!is_key("accept_all"));
    }
}
