//! The site's config (CONTRACT §6): parsed from JSON, checked once, and turned into the
//! [`Settings`] the rest of keksi reads.
//!
//! Parsing keeps the order of categories and services as written (the dialog shows them
//! in that order), rejects unknown keys, and names the field at fault in every error.
#[allow(unused_imports)]
use crate::prelude::*;

use super::category::{is_valid_name, Category, Service, DEFAULT_CATEGORIES};
use super::error::{Error, Result};
use super::json::Json;
use super::texts;

/// Default name of the consent cookie.
pub const DEFAULT_COOKIE_NAME: &str = "keksi_consent";
/// Default number of days a choice stays valid before the banner asks again.
pub const DEFAULT_VALIDITY_DAYS: u32 = 182;
/// The longest any choice (and any persistent cookie) may live: 12 months.
pub const MAX_DAYS: u32 = 365;

/// What to do with a cookie that neither the config nor the built-in knowledge knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownCookies {
    /// Let it be written (a site's own cookies keep working). The default.
    #[default]
    Allow,
    /// Drop it.
    Block,
}

/// A cookie the site declares (config `cookies`): shown in the dialog, classified first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieDecl {
    /// Exact name or a glob where `*` matches any run of characters.
    pub name: String,
    /// Category it belongs to.
    pub category: String,
    /// Who sets it (vendor or the site itself).
    pub provider: Option<String>,
    /// What it is for.
    pub purpose: Option<String>,
    /// How long it lives, as text for the visitor (e.g. "1 year"); absent = session.
    pub duration: Option<String>,
}

/// A tracker host the site declares (config `trackers`), added to the built-in ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerDecl {
    /// Host or host suffix, e.g. `cdn.example-analytics.com`, optionally followed by a
    /// path (`www.example.com/pixel`): then only URLs under that path, by whole segments,
    /// compared without case.
    pub host: String,
    /// Category it needs.
    pub category: String,
    /// Service inside the category, if any.
    pub service: Option<String>,
    /// Vendor name shown to the visitor.
    pub vendor: Option<String>,
}

/// Google Consent Mode v2 options (config `googleConsentMode`: `true`/`false` or an
/// object with these keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentMode {
    /// Push `consent default`/`update` to `dataLayer` (default on).
    pub enabled: bool,
    /// ISO 3166-2 regions the default applies to (`region`); empty = everywhere.
    pub region: Vec<String>,
    /// `wait_for_update` in milliseconds.
    pub wait_for_update: Option<u32>,
    /// `gtag('set', 'ads_data_redaction', true)`.
    pub ads_data_redaction: bool,
    /// `gtag('set', 'url_passthrough', true)`.
    pub url_passthrough: bool,
    /// Category → consent types it grants, in order.
    pub mapping: Vec<(String, Vec<String>)>,
}

/// The consent types of Google Consent Mode v2.
pub const CONSENT_TYPES: [&str; 7] = [
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
];

/// The default `mapping`: category → the consent types it grants.
const DEFAULT_MAPPING: [(&str, &[&str]); 3] = [
    ("analytics", &["analytics_storage"]),
    ("advertising", &["ad_storage", "ad_user_data", "ad_personalization"]),
    ("functional", &["functionality_storage", "personalization_storage"]),
];

impl Default for ConsentMode {
    fn default() -> Self {
        // Made from a table by one loop, not a `vec!` of three calls.
        let mut mapping = Vec::new();
        for &(c, types) in &DEFAULT_MAPPING {
            let mut list = Vec::new();
            for t in types {
                list.push(String::from(*t));
            }
            mapping.push((String::from(c), list));
        }
        ConsentMode {
            enabled: true,
            region: Vec::new(),
            wait_for_update: None,
            ads_data_redaction: false,
            url_passthrough: false,
            mapping,
        }
    }
}

/// Where and how the banner shows (config `layout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// A bar along the bottom of the window (default).
    #[default]
    Bar,
    /// A box in the bottom corner.
    Box,
    /// A centred modal.
    Modal,
}

impl Layout {
    /// The name used in config and on the host's `data-layout` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Bar => "bar",
            Layout::Box => "box",
            Layout::Modal => "modal",
        }
    }
}

/// Colour scheme (config `theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme` (default).
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The name used in config and on the host's `data-theme` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
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
    /// Google Consent Mode v2.
    pub consent_mode: ConsentMode,
    /// Treat `navigator.doNotTrack == "1"` like Global Privacy Control.
    pub honor_do_not_track: bool,
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
    /// Banner layout.
    pub layout: Layout,
    /// Colour scheme.
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            revision: 0,
            policy_url: None,
            language: None,
            categories: {
                let mut list = Vec::new();
                for &n in &DEFAULT_CATEGORIES {
                    list.push(Category::named(n));
                }
                list
            },
            cookies: Vec::new(),
            trackers: Vec::new(),
            unknown_cookies: UnknownCookies::Allow,
            consent_mode: ConsentMode::default(),
            honor_do_not_track: false,
            consent_log: None,
            cookie_name: DEFAULT_COOKIE_NAME.into(),
            cookie_domain: None,
            consent_validity_days: DEFAULT_VALIDITY_DAYS,
            texts: Vec::new(),
            reload_on_withdraw: true,
            debug: false,
            layout: Layout::Bar,
            theme: Theme::Auto,
        }
    }
}

impl Settings {
    /// The declared cookies whose `duration` states more than the 12-month rule lets them
    /// live, as problems naming the field: not errors (the text is only shown, and the
    /// cookie is capped whatever it says), but the dialog shows the capped days instead.
    pub fn long_durations(&self) -> Vec<Error> {
        let mut out = Vec::new();
        for (i, c) in self.cookies.iter().enumerate() {
            if c.duration.as_deref().is_some_and(super::expiry::stated_too_long) {
                out.push(Error::field(
                    indexed("cookies", i, "duration"),
                    "past the 12-month cap: shown as 365 days",
                ));
            }
        }
        out
    }

    /// Parse and validate a config text. An empty or blank text gives the defaults.
    pub fn from_json(text: &str) -> Result<Settings> {
        if super::strings::trim_ascii_ws(text).is_empty() {
            return Ok(Settings::default());
        }
        let json = Json::parse(text).map_err(Error::ConfigSyntax)?;
        from_json_value(&json)
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

fn join(path: &str, key: &str) -> String {
    let mut p = String::from(path);
    if !p.is_empty() {
        p.push('.');
    }
    p.push_str(key);
    p
}

fn indexed(list: &str, i: usize, field: &str) -> String {
    let mut p = String::from(list);
    p.push('[');
    super::json::push_u64(&mut p, i as u64);
    p.push(']');
    if !field.is_empty() {
        p.push('.');
        p.push_str(field);
    }
    p
}

fn expected(path: &str, what: &str, found: &Json) -> Error {
    let mut p = String::from("expected ");
    p.push_str(what);
    p.push_str(", found ");
    p.push_str(found.kind());
    Error::field(path, p)
}

/// Where a config field's value goes, and the type it must have. Every object of the
/// config is read by one walk over a table of its fields ([`fields`]): the unknown-key
/// check, the type checks and the field paths in messages are written once, not per
/// object (the reader was keksi's largest function).
enum Slot<'s, 'j> {
    Str(&'s mut String),
    /// A string, or `null` for none.
    OptStr(&'s mut Option<String>),
    Bool(&'s mut bool),
    Whole(&'s mut u32),
    Strings(&'s mut Vec<String>),
    /// One of these names; the index of the one given.
    OneOf(&'s mut usize, &'static [&'static str]),
    /// Any value, checked afterwards by the field's own reader.
    Later(&'s mut Option<&'j Json>),
}

/// Read an object's members into the slots their keys name; a key without a slot is an
/// unknown field.
fn fields<'j>(v: &'j Json, path: &str, slots: &mut [(&str, Slot<'_, 'j>)]) -> Result<()> {
    for (k, value) in map(v, path)? {
        let p = join(path, k);
        let Some((_, slot)) = slots.iter_mut().find(|(name, _)| *name == k.as_str()) else {
            let mut m = String::from("unknown field, expected one of: ");
            for (i, (name, _)) in slots.iter().enumerate() {
                if i > 0 {
                    m.push_str(", ");
                }
                m.push_str(name);
            }
            return Err(Error::field(p, m));
        };
        match slot {
            Slot::Str(s) => **s = string(value, &p)?,
            Slot::OptStr(s) => **s = opt_string(value, &p)?,
            Slot::Bool(b) => **b = boolean(value, &p)?,
            Slot::Whole(n) => **n = whole(value, &p)?,
            Slot::Strings(l) => **l = strings(value, &p)?,
            Slot::OneOf(i, names) => **i = one_of(value, &p, names)?,
            Slot::Later(j) => **j = Some(value),
        }
    }
    Ok(())
}

/// An object whose keys the site chooses (categories, services, languages, mapping).
fn map<'a>(v: &'a Json, path: &str) -> Result<&'a [(String, Json)]> {
    match v {
        Json::Obj(m) => Ok(m),
        _ => Err(expected(path, "an object", v)),
    }
}

fn string(v: &Json, path: &str) -> Result<String> {
    v.as_str().map(String::from).ok_or_else(|| expected(path, "a string", v))
}

/// A string, or `None` for `null`.
fn opt_string(v: &Json, path: &str) -> Result<Option<String>> {
    match v {
        Json::Null => Ok(None),
        _ => string(v, path).map(Some),
    }
}

fn boolean(v: &Json, path: &str) -> Result<bool> {
    match v {
        Json::Bool(b) => Ok(*b),
        _ => Err(expected(path, "true or false", v)),
    }
}

fn whole(v: &Json, path: &str) -> Result<u32> {
    match v {
        Json::Num(n) => {
            crate::core::strings::parse_u32(n).ok_or_else(|| Error::field(path, "expected a whole number from 0 to 4294967295"))
        }
        _ => Err(expected(path, "a whole number", v)),
    }
}

fn strings(v: &Json, path: &str) -> Result<Vec<String>> {
    let Json::Arr(items) = v else {
        return Err(expected(path, "an array of strings", v));
    };
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        out.push(string(s, &indexed(path, i, ""))?);
    }
    Ok(out)
}

/// The index of the name given; the message lists them (`expected "a", "b" or "c"`).
fn one_of(v: &Json, path: &str, names: &[&str]) -> Result<usize> {
    if let Some(i) = v.as_str().and_then(|s| names.iter().position(|n| *n == s)) {
        return Ok(i);
    }
    let mut m = String::from("expected ");
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            m.push_str(if i + 1 == names.len() { " or " } else { ", " });
        }
        m.push('"');
        m.push_str(n);
        m.push('"');
    }
    Err(Error::field(path, m))
}

fn list<'a>(v: &'a Json, path: &str) -> Result<&'a [Json]> {
    match v {
        Json::Arr(items) => Ok(items),
        _ => Err(expected(path, "an array", v)),
    }
}

/// Validate a parsed config into settings.
pub fn from_json_value(v: &Json) -> Result<Settings> {
    let Json::Obj(_) = v else {
        let mut m = String::from("the config must be a JSON object, found ");
        m.push_str(v.kind());
        return Err(Error::ConfigSyntax(m));
    };
    let mut s = Settings::default();
    let (mut unknown, mut layout, mut theme) = (0, 0, 0);
    let (mut categories, mut cookies, mut trackers, mut consent_mode, mut texts) = (None, None, None, None, None);
    fields(
        v,
        "",
        &mut [
            ("revision", Slot::Whole(&mut s.revision)),
            ("policyUrl", Slot::OptStr(&mut s.policy_url)),
            ("language", Slot::OptStr(&mut s.language)),
            ("categories", Slot::Later(&mut categories)),
            ("cookies", Slot::Later(&mut cookies)),
            ("trackers", Slot::Later(&mut trackers)),
            ("unknownCookies", Slot::OneOf(&mut unknown, &["allow", "block"])),
            ("googleConsentMode", Slot::Later(&mut consent_mode)),
            ("honorDoNotTrack", Slot::Bool(&mut s.honor_do_not_track)),
            ("consentLog", Slot::OptStr(&mut s.consent_log)),
            ("cookieName", Slot::Str(&mut s.cookie_name)),
            ("cookieDomain", Slot::OptStr(&mut s.cookie_domain)),
            ("consentValidityDays", Slot::Whole(&mut s.consent_validity_days)),
            ("texts", Slot::Later(&mut texts)),
            ("reloadOnWithdraw", Slot::Bool(&mut s.reload_on_withdraw)),
            ("debug", Slot::Bool(&mut s.debug)),
            ("layout", Slot::OneOf(&mut layout, &["bar", "box", "modal"])),
            ("theme", Slot::OneOf(&mut theme, &["auto", "light", "dark"])),
        ],
    )?;
    if unknown == 1 {
        s.unknown_cookies = UnknownCookies::Block;
    }
    s.layout = match layout {
        1 => Layout::Box,
        2 => Layout::Modal,
        _ => Layout::Bar,
    };
    s.theme = match theme {
        1 => Theme::Light,
        2 => Theme::Dark,
        _ => Theme::Auto,
    };
    s.language = check_language(s.language.take())?;
    if !is_cookie_token(&s.cookie_name) {
        return Err(Error::field("cookieName", "must be 1-64 of A-Z a-z 0-9 _ - ."));
    }
    if s.consent_validity_days == 0 || s.consent_validity_days > MAX_DAYS {
        return Err(Error::field("consentValidityDays", "must be between 1 and 365"));
    }
    if let Some(c) = categories {
        merge_categories(&mut s.categories, c)?;
    }
    if let Some(c) = consent_mode {
        s.consent_mode = read_consent_mode(c)?;
    }
    if let Some(t) = texts {
        s.texts = read_texts(t)?;
    }
    check_services_unique(&s.categories)?;
    if let Some((cat, _)) = s.consent_mode.mapping.iter().find(|(c, _)| s.category(c).is_none()) {
        let mut m = String::from("unknown category `");
        m.push_str(cat);
        m.push('`');
        return Err(Error::field("googleConsentMode.mapping", m));
    }
    // After the categories: cookies and trackers name one.
    if let Some(c) = cookies {
        s.cookies = read_cookies(&s, c)?;
    }
    if let Some(t) = trackers {
        s.trackers = read_trackers(&s, t)?;
    }
    Ok(s)
}

fn read_consent_mode(v: &Json) -> Result<ConsentMode> {
    const K: &str = "googleConsentMode";
    let mut cm = ConsentMode::default();
    if let Json::Bool(b) = v {
        cm.enabled = *b;
        return Ok(cm);
    }
    let (mut wait, mut mapping) = (None, None);
    fields(
        v,
        K,
        &mut [
            ("enabled", Slot::Bool(&mut cm.enabled)),
            ("region", Slot::Strings(&mut cm.region)),
            ("waitForUpdate", Slot::Later(&mut wait)),
            ("adsDataRedaction", Slot::Bool(&mut cm.ads_data_redaction)),
            ("urlPassthrough", Slot::Bool(&mut cm.url_passthrough)),
            ("mapping", Slot::Later(&mut mapping)),
        ],
    )?;
    if let Some(w) = wait {
        cm.wait_for_update = Some(whole(w, "googleConsentMode.waitForUpdate")?);
    }
    if let Some(m) = mapping {
        let p = "googleConsentMode.mapping";
        cm.mapping.clear();
        for (cat, types) in map(m, p)? {
            let tp = join(p, cat);
            let types = strings(types, &tp)?;
            if let Some(bad) = types.iter().find(|t| !CONSENT_TYPES.contains(&t.as_str())) {
                let mut m = String::from("unknown consent type `");
                m.push_str(bad);
                m.push('`');
                return Err(Error::field(tp, m));
            }
            cm.mapping.push((cat.clone(), types));
        }
    }
    Ok(cm)
}

fn read_cookies(s: &Settings, v: &Json) -> Result<Vec<CookieDecl>> {
    let mut out = Vec::new();
    for (i, item) in list(v, "cookies")?.iter().enumerate() {
        let mut d = CookieDecl {
            name: String::new(),
            category: String::new(),
            provider: None,
            purpose: None,
            duration: None,
        };
        fields(
            item,
            &indexed("cookies", i, ""),
            &mut [
                ("name", Slot::Str(&mut d.name)),
                ("category", Slot::Str(&mut d.category)),
                ("provider", Slot::OptStr(&mut d.provider)),
                ("purpose", Slot::OptStr(&mut d.purpose)),
                ("duration", Slot::OptStr(&mut d.duration)),
            ],
        )?;
        check_declared(s, "cookies", i, &d.category, &d.name)?;
        // Browsers trim spaces and tabs from a name's ends, end it at `=` or `;` and take
        // none with a control character: such a name would never match its cookie.
        // (A write of the name alone, read as browsers read it, gives it back as its value.)
        let odd = d.name.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f);
        if odd || super::cookie_write::parse(&d.name).value != d.name {
            return Err(Error::field(
                indexed("cookies", i, "name"),
                "no space or tab at an end, `=`, `;` or control character",
            ));
        }
        out.push(d);
    }
    Ok(out)
}

fn read_trackers(s: &Settings, v: &Json) -> Result<Vec<TrackerDecl>> {
    let mut out = Vec::new();
    for (i, item) in list(v, "trackers")?.iter().enumerate() {
        let mut t = TrackerDecl {
            host: String::new(),
            category: String::new(),
            service: None,
            vendor: None,
        };
        fields(
            item,
            &indexed("trackers", i, ""),
            &mut [
                ("host", Slot::Str(&mut t.host)),
                ("category", Slot::Str(&mut t.category)),
                ("service", Slot::OptStr(&mut t.service)),
                ("vendor", Slot::OptStr(&mut t.vendor)),
            ],
        )?;
        t.host.make_ascii_lowercase();
        check_declared(s, "trackers", i, &t.category, &t.host)?;
        // Only a host and a path are compared, the host as the browser's URL parser gives
        // it: anything else would never match, and leave its tracker unblocked.
        let host = crate::core::strings::until_any(&t.host, b"/");
        let host_ok = host.starts_with("[") && host.ends_with("]")
            || !host.is_empty()
                && !host.starts_with(".")
                && !host.ends_with(".")
                && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !host_ok || crate::core::strings::has_any(&t.host, b"?#") {
            return Err(Error::field(
                indexed("trackers", i, "host"),
                "a host and maybe a path: no scheme, port, `*`, dot at an end, query or fragment; non-ASCII as xn--",
            ));
        }
        if let Some(svc) = &t.service {
            if s.category(&t.category).and_then(|c| c.service(svc)).is_none() {
                return Err(Error::field(indexed("trackers", i, "service"), "not a service of its category"));
            }
        }
        out.push(t);
    }
    Ok(out)
}

fn check_declared(s: &Settings, list: &str, i: usize, category: &str, name: &str) -> Result<()> {
    if super::strings::trim_ascii_ws(name).is_empty() {
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

fn merge_categories(cats: &mut Vec<Category>, v: &Json) -> Result<()> {
    for (name, rc) in map(v, "categories")? {
        let path = join("categories", name);
        if !is_valid_name(name) {
            return Err(Error::field(path, "name must be 1-32 of a-z 0-9 _ -"));
        }
        let idx = match cats.iter().position(|c| c.name == *name) {
            Some(i) => i,
            None => {
                cats.push(Category::named(name));
                cats.len() - 1
            }
        };
        let Some(c) = cats.get_mut(idx) else { continue };
        let mut services = None;
        fields(
            rc,
            &path,
            &mut [
                ("title", Slot::OptStr(&mut c.title)),
                ("description", Slot::OptStr(&mut c.description)),
                ("services", Slot::Later(&mut services)),
                ("storage", Slot::Strings(&mut c.storage)),
                ("saleOrSharing", Slot::Bool(&mut c.sale_or_sharing)),
            ],
        )?;
        // CONTRACT §10: advertising always stays off under Global Privacy Control,
        // whatever the config says (rejecting the config would drop the site's).
        c.sale_or_sharing |= c.name == "advertising";
        if c.storage.iter().any(String::is_empty) {
            return Err(Error::field(join(&path, "storage"), "keys must not be empty"));
        }
        if let Some(sv) = services {
            c.services = read_services(sv, &join(&path, "services"))?;
        }
    }
    Ok(())
}

fn read_services(v: &Json, path: &str) -> Result<Vec<Service>> {
    let mut out = Vec::new();
    for (name, sv) in map(v, path)? {
        let p = join(path, name);
        if !is_valid_name(name) {
            return Err(Error::field(p, "name must be 1-32 of a-z 0-9 _ -"));
        }
        let mut s = Service {
            name: name.clone(),
            title: name.clone(),
            description: None,
        };
        fields(
            sv,
            &p,
            &mut [
                ("title", Slot::Str(&mut s.title)),
                ("description", Slot::OptStr(&mut s.description)),
            ],
        )?;
        out.push(s);
    }
    Ok(out)
}

fn check_services_unique(cats: &[Category]) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for c in cats {
        for s in &c.services {
            if seen.contains(&s.name.as_str()) {
                let mut p = String::from("service `");
                p.push_str(&s.name);
                p.push_str("` is declared twice; service names must be unique");
                return Err(Error::field(join(&join("categories", &c.name), "services"), p));
            }
            seen.push(&s.name);
        }
    }
    Ok(())
}

fn read_texts(v: &Json) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for (lang, entries) in map(v, "texts")? {
        let lp = join("texts", lang);
        // By base language (`de-AT` → `de`), as texts are picked and looked up; one that
        // is no language (empty, `*`) would be picked for a page whose `lang` is empty.
        let base = super::language::base(lang);
        if base.is_empty() || !base.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(Error::field(lp, "not a language tag"));
        }
        for (key, text) in map(entries, &lp)? {
            let p = join(&lp, key);
            if !texts::is_key(key) {
                return Err(Error::field(p, "unknown text key"));
            }
            out.push((base.clone(), key.clone(), string(text, &p)?));
        }
    }
    Ok(out)
}

fn is_cookie_token(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
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
    fn texts_need_a_language_tag() {
        // An empty tag would be picked for `<html lang="">` ahead of the visitor's languages.
        for bad in [
            r#"{"texts":{"":{"save":"S"}}}"#,
            r#"{"texts":{"-x":{"save":"S"}}}"#,
            r#"{"texts":{"e n":{"save":"S"}}}"#,
            r#"{"texts":{"*":{"save":"S"}}}"#,
        ] {
            assert!(field_of(err(bad)).starts_with("texts"), "{bad}");
        }
        assert!(Settings::from_json(r#"{"texts":{"pt-BR":{"save":"S"},"FA":{"save":"S"}}}"#).is_ok());
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
        let s = Settings::from_json(r#"{"categories":{"zeta":{"services":{"b":{},"a":{}}},"alpha":{}}}"#).unwrap();
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
        assert_eq!(
            field_of(err(r#"{"cookies":[{"name":"a","category":"nope"}]}"#)),
            "cookies[0].category"
        );
        assert_eq!(
            field_of(err(r#"{"cookies":[{"name":" ","category":"analytics"}]}"#)),
            "cookies[0].name"
        );
        assert_eq!(
            field_of(err(r#"{"trackers":[{"host":"https://x.com/p","category":"analytics"}]}"#)),
            "trackers[0].host"
        );
        assert_eq!(
            field_of(err(r#"{"trackers":[{"host":"x.com/p?q=1","category":"analytics"}]}"#)),
            "trackers[0].host"
        );
        assert_eq!(
            field_of(err(r#"{"trackers":[{"host":"x.com","category":"nope"}]}"#)),
            "trackers[0].category"
        );
        assert_eq!(
            field_of(err(r#"{"trackers":[{"host":"x.com","category":"analytics","service":"yt"}]}"#)),
            "trackers[0].service"
        );
        assert_eq!(field_of(err(r#"{"categories":{"Bad Name":{}}}"#)), "categories.Bad Name");
        assert_eq!(
            field_of(err(r#"{"categories":{"a":{"services":{"X":{}}}}}"#)),
            "categories.a.services.X"
        );
        assert_eq!(
            field_of(err(r#"{"categories":{"a":{"services":{"x":{}}},"b":{"services":{"x":{}}}}}"#)),
            "categories.b.services"
        );
        assert_eq!(field_of(err(r#"{"cookieName":"a b"}"#)), "cookieName");
        assert_eq!(field_of(err(r#"{"consentValidityDays":0}"#)), "consentValidityDays");
        assert_eq!(field_of(err(r#"{"consentValidityDays":366}"#)), "consentValidityDays");
        assert_eq!(field_of(err(r#"{"language":"<script>"}"#)), "language");
        assert_eq!(field_of(err(r#"{"texts":{"en":{"nope":"x"}}}"#)), "texts.en.nope");
        assert_eq!(
            field_of(err(r#"{"categories":{"analytics":{"storage":[""]}}}"#)),
            "categories.analytics.storage"
        );
    }

    #[test]
    fn cookie_names_that_can_never_match_are_named() {
        // Browsers trim spaces and tabs from a cookie's name, end it at the first `=` or
        // `;` and take none with a control character: such a declaration would never
        // classify the cookie it means (an analytics one then passing as unknown).
        for name in ["_hj_custom ", "\\t_hj_custom", "a=b", "a;b", "a\\u0001b"] {
            let text = format!(r#"{{"cookies":[{{"name":"{name}","category":"analytics"}}]}}"#);
            assert_eq!(field_of(err(&text)), "cookies[0].name", "{name:?}");
        }
        for name in ["_pk_*", "my cookie", "x\\u00a0", "__Host-id"] {
            let text = format!(r#"{{"cookies":[{{"name":"{name}","category":"analytics"}}]}}"#);
            assert!(Settings::from_json(&text).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn tracker_hosts_that_can_never_match_are_named() {
        // The browser's host of a request has no leading or trailing dot, no port, no
        // `*` and no non-ASCII letters (IDNA gives `xn--`): such an entry would silently
        // leave its tracker unblocked.
        for host in [
            ".example-analytics.com",
            "*.example-analytics.com",
            "cdn.example-analytics.com.",
            "cdn.example-analytics.com:8080",
            "cdn.example-analytics.com:8080/p",
            "statistik.b\u{fc}cher.example",
            "cdn.example analytics.com",
            "/pixel",
            "https://cdn.example-analytics.com",
        ] {
            let text = format!(r#"{{"trackers":[{{"host":"{host}","category":"analytics"}}]}}"#);
            assert_eq!(field_of(err(&text)), "trackers[0].host", "{host}");
        }
        for host in [
            "cdn.example-analytics.com",
            "intranet-stats",
            "[::1]",
            "xn--bcher-kva.example/p.gif",
            "a.example.com/x:y",
        ] {
            let text = format!(r#"{{"trackers":[{{"host":"{host}","category":"analytics"}}]}}"#);
            assert!(Settings::from_json(&text).is_ok(), "{host}");
        }
    }

    #[test]
    fn consent_mode_options() {
        let s = Settings::from_json(
            r#"{"googleConsentMode":{"region":["ES","US-CA"],"waitForUpdate":500,"adsDataRedaction":true,
                "urlPassthrough":true,"mapping":{"analytics":["analytics_storage","ad_user_data"]}}}"#,
        )
        .unwrap();
        let cm = &s.consent_mode;
        assert!(cm.enabled && cm.ads_data_redaction && cm.url_passthrough);
        assert_eq!(cm.region, ["ES", "US-CA"]);
        assert_eq!(cm.wait_for_update, Some(500));
        assert_eq!(
            cm.mapping,
            vec![(
                "analytics".to_string(),
                vec!["analytics_storage".to_string(), "ad_user_data".to_string()]
            )]
        );
        assert_eq!(
            field_of(err(r#"{"googleConsentMode":{"mapping":{"analytics":["stats"]}}}"#)),
            "googleConsentMode.mapping.analytics"
        );
        assert_eq!(
            field_of(err(r#"{"googleConsentMode":{"mapping":{"nope":[]}}}"#)),
            "googleConsentMode.mapping"
        );
        assert_eq!(field_of(err(r#"{"googleConsentMode":{"wait":1}}"#)), "googleConsentMode.wait");
        assert!(Settings::from_json(r#"{"honorDoNotTrack":true}"#).unwrap().honor_do_not_track);
    }

    #[test]
    fn layout_and_theme() {
        let s = Settings::from_json(r#"{"layout":"modal","theme":"dark"}"#).unwrap();
        assert_eq!((s.layout, s.theme), (Layout::Modal, Theme::Dark));
        assert_eq!(field_of(err(r#"{"layout":"popup"}"#)), "layout");
        assert_eq!(field_of(err(r#"{"theme":1}"#)), "theme");
        let m = err(r#"{"layout":"popup"}"#).message();
        assert_eq!(m, r#"keksi: config field `layout`: expected "bar", "box" or "modal""#);
        let m = err(r#"{"unknownCookies":true}"#).message();
        assert_eq!(m, r#"keksi: config field `unknownCookies`: expected "allow" or "block""#);
        let m = err(r#"{"cookies":[{"name":"a","category":"analytics","owner":"x"}]}"#).message();
        assert_eq!(
            m,
            "keksi: config field `cookies[0].owner`: unknown field, expected one of: \
             name, category, provider, purpose, duration"
        );
        let s = Settings::from_json(r#"{"unknownCookies":"block","layout":"box","theme":"light"}"#).unwrap();
        assert_eq!(
            (s.unknown_cookies, s.layout, s.theme),
            (UnknownCookies::Block, Layout::Box, Theme::Light)
        );
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
        assert!(!s.consent_mode.enabled);
        assert_eq!(s.texts, vec![("en".into(), "acceptAll".into(), "OK".into())]);
        let a = s.category("analytics").unwrap();
        assert_eq!(a.title.as_deref(), Some("Stats"));
        assert!(a.sale_or_sharing);
    }

    #[test]
    fn advertising_cannot_stop_being_sale_or_sharing() {
        let s = Settings::from_json(r#"{"categories":{"advertising":{"saleOrSharing":false}}}"#).unwrap();
        assert!(s.category("advertising").unwrap().sale_or_sharing);
        let s = Settings::from_json(r#"{"categories":{"analytics":{"saleOrSharing":false}}}"#).unwrap();
        assert!(!s.category("analytics").unwrap().sale_or_sharing);
    }
}
