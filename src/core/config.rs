//! The site's config (CONTRACT §6): parsed from JSON, checked once, and turned into the
//! [`Settings`] the rest of keksi reads.
//!
//! Parsing keeps the order of categories and services as written (the dialog shows them
//! in that order) and names the field at fault in every error.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::category::{is_valid_name, Category, Service, DEFAULT_CATEGORIES};
use super::error::{Error, Result};
use super::texts;

/// Default name of the consent cookie.
pub const DEFAULT_COOKIE_NAME: &str = "keksi_consent";
/// Default number of days a choice stays valid before the banner asks again.
pub const DEFAULT_VALIDITY_DAYS: u32 = 182;
/// The longest any choice (and any persistent cookie) may live: 12 months.
pub const MAX_DAYS: u32 = 365;

/// What to do with a cookie that neither the config nor the built-in knowledge knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UnknownCookies {
    /// Let it be written (a site's own cookies keep working). The default.
    #[default]
    Allow,
    /// Drop it.
    Block,
}

/// A cookie the site declares (config `cookies`): shown in the dialog, classified first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CookieDecl {
    /// Exact name or a glob where `*` matches any run of characters.
    pub name: String,
    /// Category it belongs to.
    pub category: String,
    /// Who sets it (vendor or the site itself).
    #[serde(default)]
    pub provider: Option<String>,
    /// What it is for.
    #[serde(default)]
    pub purpose: Option<String>,
    /// How long it lives, as text for the visitor (e.g. "1 year"); absent = session.
    #[serde(default)]
    pub duration: Option<String>,
}

/// A tracker host the site declares (config `trackers`), added to the built-in ones.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackerDecl {
    /// Host or host suffix, e.g. `cdn.example-analytics.com`.
    pub host: String,
    /// Category it needs.
    pub category: String,
    /// Service inside the category, if any.
    #[serde(default)]
    pub service: Option<String>,
    /// Vendor name shown to the visitor.
    #[serde(default)]
    pub vendor: Option<String>,
}

/// The validated config: everything keksi reads at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Config revision; a stored choice under another revision is void.
    pub revision: u32,
    /// Link to the site's privacy statement, shown in the banner and dialog.
    pub policy_url: Option<String>,
    /// Forced UI language; `None` picks it from the page and the browser.
    pub language: Option<String>,
    /// Categories in display order; `necessary` first.
    pub categories: Vec<Category>,
    /// Cookies the site declares.
    pub cookies: Vec<CookieDecl>,
    /// Tracker hosts the site declares.
    pub trackers: Vec<TrackerDecl>,
    /// Policy for cookies nobody classified.
    pub unknown_cookies: UnknownCookies,
    /// Drive Google Consent Mode v2.
    pub google_consent_mode: bool,
    /// URL receiving consent receipts.
    pub consent_log: Option<String>,
    /// Name of the consent cookie.
    pub cookie_name: String,
    /// Domain attribute of the consent cookie (to share it across subdomains).
    pub cookie_domain: Option<String>,
    /// Days a choice stays valid (1–365).
    pub consent_validity_days: u32,
    /// Text overrides: (language, key, text).
    pub texts: Vec<(String, String, String)>,
    /// Reload the page after a withdrawal, so code that already ran stops.
    pub reload_on_withdraw: bool,
    /// Log what keksi holds and releases.
    pub debug: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            revision: 0,
            policy_url: None,
            language: None,
            categories: DEFAULT_CATEGORIES.iter().map(|n| Category::named(n)).collect(),
            cookies: Vec::new(),
            trackers: Vec::new(),
            unknown_cookies: UnknownCookies::Allow,
            google_consent_mode: true,
            consent_log: None,
            cookie_name: DEFAULT_COOKIE_NAME.into(),
            cookie_domain: None,
            consent_validity_days: DEFAULT_VALIDITY_DAYS,
            texts: Vec::new(),
            reload_on_withdraw: true,
            debug: false,
        }
    }
}

impl Settings {
    /// Parse and validate a config text. An empty or blank text gives the defaults.
    pub fn from_json(text: &str) -> Result<Settings> {
        if text.trim().is_empty() {
            return Ok(Settings::default());
        }
        let raw: RawConfig = serde_json::from_str(text).map_err(convert_error)?;
        raw.into_settings()
    }

    /// The category with this name.
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The category that declares a service of this name.
    pub fn category_of_service(&self, service: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.service(service).is_some())
    }

    /// The first declaration matching a cookie name (exact or glob).
    pub fn declared_cookie(&self, name: &str) -> Option<&CookieDecl> {
        self.cookies.iter().find(|c| super::pattern::matches(&c.name, name))
    }

    /// Declared cookies of one category, in config order.
    pub fn cookies_of<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a CookieDecl> + 'a {
        self.cookies.iter().filter(move |c| c.category == category)
    }
}

/// A JSON object read into a list of pairs, keeping the order in which they were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> core::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<T>().map_err(|e| in_field(&key, e))?;
                    out.push((key, value));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// Marks an error message as carrying a field path (`\u{1}path: problem`).
const PATH_MARK: char = '\u{1}';

/// Prefix an error raised inside `key` with that key, building a dotted path.
fn in_field<E: de::Error>(key: &str, e: E) -> E {
    let text = e.to_string();
    // serde_json appends the position; the outermost error gets it again.
    let text = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    let mut m = String::new();
    m.push(PATH_MARK);
    m.push_str(key);
    match text.strip_prefix(PATH_MARK) {
        Some(rest) if !rest.starts_with('[') => {
            m.push('.');
            m.push_str(rest);
        }
        Some(rest) => m.push_str(rest),
        None => {
            m.push_str(": ");
            m.push_str(text);
        }
    }
    E::custom(m)
}

/// Turn a serde_json error into our error, recovering the field path when there is one.
fn convert_error(e: serde_json::Error) -> Error {
    let text = e.to_string();
    match text.strip_prefix(PATH_MARK) {
        Some(rest) => {
            let rest = match rest.find(" at line ") {
                Some(i) => &rest[..i],
                None => rest,
            };
            match rest.split_once(": ") {
                Some((path, problem)) => Error::field(path, problem),
                None => Error::field(rest, "invalid"),
            }
        }
        None if e.is_data() => match unknown_field(&text) {
            Some(name) => Error::field(name, "unknown field"),
            None => Error::ConfigSyntax(text),
        },
        None => Error::ConfigSyntax(text),
    }
}

/// The name in serde's "unknown field `x`" message.
fn unknown_field(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawService {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawCategory {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "services_field")]
    services: Ordered<RawService>,
    #[serde(default)]
    storage: Vec<String>,
    #[serde(default)]
    sale_or_sharing: Option<bool>,
}

/// Derived structs do not name their fields in nested errors; this one does.
fn services_field<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Ordered<RawService>, D::Error> {
    Ordered::deserialize(d).map_err(|e| in_field("services", e))
}

/// The config as written, before validation.
#[derive(Default)]
struct RawConfig {
    revision: Option<u32>,
    policy_url: Option<String>,
    language: Option<String>,
    categories: Ordered<RawCategory>,
    cookies: Vec<CookieDecl>,
    trackers: Vec<TrackerDecl>,
    unknown_cookies: Option<UnknownCookies>,
    google_consent_mode: Option<bool>,
    consent_log: Option<String>,
    cookie_name: Option<String>,
    cookie_domain: Option<String>,
    consent_validity_days: Option<u32>,
    texts: Ordered<Ordered<String>>,
    reload_on_withdraw: Option<bool>,
    debug: Option<bool>,
}

/// Every top-level key, for the "expected one of" message.
const KEYS: &str = "revision, policyUrl, language, categories, cookies, trackers, unknownCookies, \
googleConsentMode, consentLog, cookieName, cookieDomain, consentValidityDays, texts, \
reloadOnWithdraw, debug";

impl<'de> Deserialize<'de> for RawConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawConfig;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a config object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> core::result::Result<RawConfig, A::Error> {
                let mut c = RawConfig::default();
                while let Some(key) = map.next_key::<String>()? {
                    let k = key.as_str();
                    macro_rules! read {
                        () => {
                            map.next_value().map_err(|e| in_field(k, e))?
                        };
                    }
                    match k {
                        "revision" => c.revision = Some(read!()),
                        "policyUrl" => c.policy_url = read!(),
                        "language" => c.language = read!(),
                        "categories" => c.categories = read!(),
                        "cookies" => c.cookies = read!(),
                        "trackers" => c.trackers = read!(),
                        "unknownCookies" => c.unknown_cookies = Some(read!()),
                        "googleConsentMode" => c.google_consent_mode = Some(read!()),
                        "consentLog" => c.consent_log = read!(),
                        "cookieName" => c.cookie_name = Some(read!()),
                        "cookieDomain" => c.cookie_domain = read!(),
                        "consentValidityDays" => c.consent_validity_days = Some(read!()),
                        "texts" => c.texts = read!(),
                        "reloadOnWithdraw" => c.reload_on_withdraw = Some(read!()),
                        "debug" => c.debug = Some(read!()),
                        _ => {
                            let mut m = String::new();
                            m.push(PATH_MARK);
                            m.push_str(k);
                            m.push_str(": unknown field, expected one of ");
                            m.push_str(KEYS);
                            return Err(de::Error::custom(m));
                        }
                    }
                }
                Ok(c)
            }
        }
        d.deserialize_map(V)
    }
}

impl RawConfig {
    fn into_settings(self) -> Result<Settings> {
        let mut s = Settings::default();
        if let Some(r) = self.revision {
            s.revision = r;
        }
        s.policy_url = self.policy_url;
        s.language = check_language(self.language)?;
        merge_categories(&mut s.categories, self.categories)?;
        check_services_unique(&s.categories)?;
        for (i, c) in self.cookies.iter().enumerate() {
            check_declared(&s, "cookies", i, &c.category, &c.name)?;
        }
        s.cookies = self.cookies;
        for (i, t) in self.trackers.iter().enumerate() {
            check_declared(&s, "trackers", i, &t.category, &t.host)?;
            if let Some(svc) = &t.service {
                if s.category(&t.category).and_then(|c| c.service(svc)).is_none() {
                    return Err(Error::field(indexed("trackers", i, "service"), "not a service of its category"));
                }
            }
        }
        s.trackers = self.trackers;
        s.unknown_cookies = self.unknown_cookies.unwrap_or_default();
        if let Some(g) = self.google_consent_mode {
            s.google_consent_mode = g;
        }
        s.consent_log = self.consent_log;
        if let Some(name) = self.cookie_name {
            if !is_cookie_token(&name) {
                return Err(Error::field("cookieName", "must be 1-64 of A-Z a-z 0-9 _ - ."));
            }
            s.cookie_name = name;
        }
        s.cookie_domain = self.cookie_domain;
        if let Some(d) = self.consent_validity_days {
            if d == 0 || d > MAX_DAYS {
                return Err(Error::field("consentValidityDays", "must be between 1 and 365"));
            }
            s.consent_validity_days = d;
        }
        s.texts = check_texts(self.texts)?;
        if let Some(r) = self.reload_on_withdraw {
            s.reload_on_withdraw = r;
        }
        s.debug = self.debug.unwrap_or(false);
        Ok(s)
    }
}

fn indexed(list: &str, i: usize, field: &str) -> String {
    let mut p = String::from(list);
    p.push('[');
    p.push_str(&i.to_string());
    p.push_str("].");
    p.push_str(field);
    p
}

fn check_declared(s: &Settings, list: &str, i: usize, category: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        let field = if list == "cookies" { "name" } else { "host" };
        return Err(Error::field(indexed(list, i, field), "must not be empty"));
    }
    if s.category(category).is_none() {
        let mut p = String::from("unknown category `");
        p.push_str(category);
        p.push('`');
        return Err(Error::field(indexed(list, i, "category"), p));
    }
    Ok(())
}

fn check_language(lang: Option<String>) -> Result<Option<String>> {
    match lang {
        None => Ok(None),
        Some(l) if l == "auto" => Ok(None),
        Some(l) => {
            let ok = (2..=35).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if ok {
                Ok(Some(l))
            } else {
                Err(Error::field("language", "must be \"auto\" or a language tag such as \"fi\""))
            }
        }
    }
}

fn merge_categories(cats: &mut Vec<Category>, raw: Ordered<RawCategory>) -> Result<()> {
    for (name, rc) in raw.0 {
        if !is_valid_name(&name) {
            let mut f = String::from("categories.");
            f.push_str(&name);
            return Err(Error::field(f, "name must be 1-32 of a-z 0-9 _ -"));
        }
        let idx = match cats.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                cats.push(Category::named(&name));
                cats.len() - 1
            }
        };
        let c = &mut cats[idx];
        if rc.title.is_some() {
            c.title = rc.title;
        }
        if rc.description.is_some() {
            c.description = rc.description;
        }
        if let Some(s) = rc.sale_or_sharing {
            c.sale_or_sharing = s;
        }
        for key in &rc.storage {
            if key.is_empty() {
                return Err(Error::field(path2("categories", &name, "storage"), "keys must not be empty"));
            }
        }
        c.storage = rc.storage;
        for (sname, rs) in rc.services.0 {
            if !is_valid_name(&sname) {
                let mut f = path2("categories", &name, "services.");
                f.push_str(&sname);
                return Err(Error::field(f, "name must be 1-32 of a-z 0-9 _ -"));
            }
            c.services.push(Service { title: rs.title.unwrap_or_else(|| sname.clone()), name: sname, description: rs.description });
        }
    }
    Ok(())
}

fn path2(a: &str, b: &str, c: &str) -> String {
    let mut p = String::from(a);
    p.push('.');
    p.push_str(b);
    p.push('.');
    p.push_str(c);
    p
}

fn check_services_unique(cats: &[Category]) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for c in cats {
        for s in &c.services {
            if seen.contains(&s.name.as_str()) {
                let mut p = String::from("service `");
                p.push_str(&s.name);
                p.push_str("` is declared twice; service names must be unique");
                return Err(Error::field(path2("categories", &c.name, "services"), p));
            }
            seen.push(&s.name);
        }
    }
    Ok(())
}

fn check_texts(raw: Ordered<Ordered<String>>) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for (lang, entries) in raw.0 {
        for (key, text) in entries.0 {
            if !texts::is_key(&key) {
                let mut f = String::from("texts.");
                f.push_str(&lang);
                f.push('.');
                f.push_str(&key);
                return Err(Error::field(f, "unknown text key"));
            }
            out.push((lang.to_ascii_lowercase(), key, text));
        }
    }
    Ok(out)
}

fn is_cookie_token(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Error {
        Settings::from_json(text).expect_err("config should be rejected")
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::ConfigField { field, .. } => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn empty_config_gives_defaults() {
        let s = Settings::from_json("  ").unwrap();
        assert_eq!(s, Settings::default());
        let names: Vec<_> = s.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["necessary", "functional", "analytics", "advertising"]);
        assert_eq!(Settings::from_json("{}").unwrap(), Settings::default());
    }

    #[test]
    fn contract_example_parses() {
        let s = Settings::from_json(
            r#"{
              "revision": 1, "policyUrl": "/privacy", "language": "auto",
              "categories": {
                "functional": { "services": { "youtube": { "title": "YouTube" } } },
                "analytics":  { "storage": ["_hjLocalStorageTest"] }
              },
              "cookies":  [ { "name": "shop_session", "category": "necessary" },
                            { "name": "_pk_*", "category": "analytics", "provider": "Matomo", "purpose": "..." } ],
              "trackers": [ { "host": "cdn.example-analytics.com", "category": "analytics" } ],
              "unknownCookies": "allow", "googleConsentMode": true, "consentLog": "/consent-log"
            }"#,
        )
        .unwrap();
        assert_eq!(s.revision, 1);
        assert_eq!(s.language, None);
        let f = s.category("functional").unwrap();
        assert_eq!(f.services[0].name, "youtube");
        assert_eq!(f.services[0].title, "YouTube");
        assert_eq!(s.category("analytics").unwrap().storage, ["_hjLocalStorageTest"]);
        assert_eq!(s.cookies.len(), 2);
        assert_eq!(s.cookies_of("analytics").count(), 1);
        assert_eq!(s.consent_log.as_deref(), Some("/consent-log"));
        assert_eq!(s.category_of_service("youtube").unwrap().name, "functional");
        assert_eq!(s.declared_cookie("_pk_id.1.abcd").unwrap().provider.as_deref(), Some("Matomo"));
        assert_eq!(s.declared_cookie("shop_session").unwrap().category, "necessary");
        assert!(s.declared_cookie("shop_session2").is_none());
    }

    #[test]
    fn keeps_written_order_of_new_categories_and_services() {
        let s = Settings::from_json(
            r#"{"categories":{"zeta":{"services":{"b":{},"a":{}}},"alpha":{}}}"#,
        )
        .unwrap();
        let names: Vec<_> = s.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["necessary", "functional", "analytics", "advertising", "zeta", "alpha"]);
        let svcs: Vec<_> = s.category("zeta").unwrap().services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(svcs, ["b", "a"]);
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let e = err(r#"{"revison": 2}"#);
        assert!(e.message().contains("revison"), "{}", e.message());
        assert_eq!(field_of(e), "revison");
    }

    #[test]
    fn unknown_nested_key_is_named_with_its_path() {
        let e = err(r#"{"categories":{"analytics":{"titel":"x"}}}"#);
        let m = e.message();
        assert!(m.contains("categories.analytics"), "{m}");
        assert!(m.contains("titel"), "{m}");
        let e = err(r#"{"categories":{"functional":{"services":{"yt":{"name":1}}}}}"#);
        assert!(e.message().contains("categories.functional.services.yt"), "{}", e.message());
    }

    #[test]
    fn wrong_types_name_the_field() {
        assert_eq!(field_of(err(r#"{"revision": "3"}"#)), "revision");
        assert_eq!(field_of(err(r#"{"revision": -1}"#)), "revision");
        assert_eq!(field_of(err(r#"{"googleConsentMode": "yes"}"#)), "googleConsentMode");
        assert_eq!(field_of(err(r#"{"unknownCookies": "maybe"}"#)), "unknownCookies");
        assert_eq!(field_of(err(r#"{"categories": []}"#)), "categories");
        let f = field_of(err(r#"{"cookies": [{"name": 3, "category": "analytics"}]}"#));
        assert!(f.starts_with("cookies"), "{f}");
    }

    #[test]
    fn malformed_json_is_a_syntax_error() {
        assert!(matches!(err("{revision: 1"), Error::ConfigSyntax(_)));
        assert!(matches!(err("[1,2]"), Error::ConfigSyntax(_)));
        assert!(matches!(err("null"), Error::ConfigSyntax(_)));
    }

    #[test]
    fn values_are_validated() {
        assert_eq!(field_of(err(r#"{"cookies":[{"name":"a","category":"nope"}]}"#)), "cookies[0].category");
        assert_eq!(field_of(err(r#"{"cookies":[{"name":" ","category":"analytics"}]}"#)), "cookies[0].name");
        assert_eq!(field_of(err(r#"{"trackers":[{"host":"x.com","category":"nope"}]}"#)), "trackers[0].category");
        assert_eq!(
            field_of(err(r#"{"trackers":[{"host":"x.com","category":"analytics","service":"yt"}]}"#)),
            "trackers[0].service"
        );
        assert_eq!(field_of(err(r#"{"categories":{"Bad Name":{}}}"#)), "categories.Bad Name");
        assert_eq!(field_of(err(r#"{"categories":{"a":{"services":{"X":{}}}}}"#)), "categories.a.services.X");
        assert_eq!(
            field_of(err(r#"{"categories":{"a":{"services":{"x":{}}},"b":{"services":{"x":{}}}}}"#)),
            "categories.b.services"
        );
        assert_eq!(field_of(err(r#"{"cookieName":"a b"}"#)), "cookieName");
        assert_eq!(field_of(err(r#"{"consentValidityDays":0}"#)), "consentValidityDays");
        assert_eq!(field_of(err(r#"{"consentValidityDays":366}"#)), "consentValidityDays");
        assert_eq!(field_of(err(r#"{"language":"<script>"}"#)), "language");
        assert_eq!(field_of(err(r#"{"texts":{"en":{"nope":"x"}}}"#)), "texts.en.nope");
        assert_eq!(field_of(err(r#"{"categories":{"analytics":{"storage":[""]}}}"#)), "categories.analytics.storage");
    }

    #[test]
    fn overrides_apply() {
        let s = Settings::from_json(
            r#"{"language":"fi","cookieName":"c","consentValidityDays":365,"unknownCookies":"block",
                "googleConsentMode":false,"texts":{"EN":{"acceptAll":"OK"}},
                "categories":{"analytics":{"title":"Stats","saleOrSharing":true}}}"#,
        )
        .unwrap();
        assert_eq!(s.language.as_deref(), Some("fi"));
        assert_eq!(s.cookie_name, "c");
        assert_eq!(s.consent_validity_days, 365);
        assert_eq!(s.unknown_cookies, UnknownCookies::Block);
        assert!(!s.google_consent_mode);
        assert_eq!(s.texts, vec![("en".into(), "acceptAll".into(), "OK".into())]);
        let a = s.category("analytics").unwrap();
        assert_eq!(a.title.as_deref(), Some("Stats"));
        assert!(a.sale_or_sharing);
    }
}
