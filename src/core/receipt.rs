//! Consent receipts (GDPR Art. 7(1)): a record of each choice, change and withdrawal,
//! sent to the site's `consentLog` endpoint. No IP address, no cookie values.
//!
//! `shownHash` fingerprints exactly what the visitor saw (texts, categories, services),
//! so a site can later prove which wording a consent was given to.
#[allow(unused_imports)]
use crate::prelude::*;

use super::config::Settings;
use super::consent::{states_json, Choice};
use super::json::{num, obj, Json};
use super::sha256;
use super::texts::Texts;
use super::time::iso8601;

/// What a receipt records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// "Accept all".
    AcceptAll,
    /// "Reject all".
    RejectAll,
    /// A choice of categories/services.
    Custom,
    /// The choice was withdrawn (`keksi.reset()`).
    Withdraw,
}

impl Action {
    /// The name in the receipt.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AcceptAll => "accept-all",
            Action::RejectAll => "reject-all",
            Action::Custom => "custom",
            Action::Withdraw => "withdraw",
        }
    }
}

/// SHA-256 of the texts, categories and services the visitor was shown.
pub fn shown_hash(s: &Settings, t: &Texts) -> String {
    let mut canon = String::new();
    let mut line = |parts: &[&str]| {
        super::strings::push_joined(&mut canon, parts, "\u{1f}");
        canon.push('\n');
    };
    line(&["lang", &t.lang]);
    for (k, v) in t.entries() {
        line(&["text", k, v]);
    }
    for c in &s.categories {
        line(&["category", &c.name, t.title_of(c), t.description_of(c)]);
        for v in &c.services {
            line(&["service", &c.name, &v.name, &v.title, v.description.as_deref().unwrap_or("")]);
        }
    }
    sha256::hex_digest(canon.as_bytes())
}

/// The facts of one receipt that come from the browser.
pub struct Context<'a> {
    /// Fresh random id of this receipt.
    pub receipt_id: &'a str,
    /// The consent id (stable across changes of one visitor's choice).
    pub consent_id: &'a str,
    /// Now, Unix milliseconds.
    pub now_ms: u64,
    /// Page origin and path, without query or fragment.
    pub page: &'a str,
    /// `navigator.userAgent`.
    pub user_agent: &'a str,
    /// Global Privacy Control (or honoured Do Not Track) was on.
    pub gpc: bool,
}

/// Build a receipt.
pub fn build(s: &Settings, t: &Texts, action: Action, choice: Option<&Choice>, cx: &Context) -> Json {
    let (cats, svcs) = states_json(s, choice);
    obj(
        &[
            "receiptId",
            "consentId",
            "timestamp",
            "action",
            "categories",
            "services",
            "revision",
            "shownHash",
            "language",
            "page",
            "userAgent",
            "gpc",
        ],
        vec![
            Json::Str(cx.receipt_id.into()),
            Json::Str(cx.consent_id.into()),
            Json::Str(iso8601(cx.now_ms as i64)),
            Json::Str(action.as_str().into()),
            cats,
            svcs,
            num(u64::from(s.revision)),
            Json::Str(shown_hash(s, t)),
            Json::Str(t.lang.clone()),
            Json::Str(page_without_query(cx.page).into()),
            Json::Str(cx.user_agent.into()),
            Json::Bool(cx.gpc),
        ],
    )
}

/// A URL without its query and fragment.
pub fn page_without_query(url: &str) -> &str {
    super::strings::until_any(url, b"?#")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context<'static> {
        Context {
            receipt_id: "r1",
            consent_id: "c1",
            now_ms: 1_795_689_846_000,
            page: "https://shop.example/a/b?email=x#y",
            user_agent: "UA",
            gpc: false,
        }
    }

    #[test]
    fn receipt_fields() {
        let s = Settings::from_json(r#"{"revision":4,"categories":{"functional":{"services":{"yt":{}}}}}"#).unwrap();
        let t = Texts::load("fi", &[]);
        let c = Choice::only(&s, &["analytics".into()]).unwrap();
        let r = build(&s, &t, Action::Custom, Some(&c), &cx());
        assert_eq!(r.get("action").and_then(Json::as_str), Some("custom"));
        assert_eq!(r.get("consentId").and_then(Json::as_str), Some("c1"));
        assert_eq!(
            r.get("page").and_then(Json::as_str),
            Some("https://shop.example/a/b"),
            "no query: it may hold personal data"
        );
        assert_eq!(r.get("language").and_then(Json::as_str), Some("fi"));
        assert_eq!(r.get("revision"), Some(&Json::Num("4".into())));
        assert_eq!(r.get("categories").and_then(|c| c.get("analytics")), Some(&Json::Bool(true)));
        assert_eq!(r.get("services").and_then(|c| c.get("yt")), Some(&Json::Bool(false)));
        assert_eq!(r.get("timestamp").and_then(Json::as_str), Some("2026-11-26T10:44:06.000Z"));
        let Json::Obj(fields) = &r else { panic!("object") };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "receiptId",
                "consentId",
                "timestamp",
                "action",
                "categories",
                "services",
                "revision",
                "shownHash",
                "language",
                "page",
                "userAgent",
                "gpc"
            ],
            "exactly these fields: no IP, no cookie values"
        );
        assert!(!r.to_text().contains("email"), "the query string is dropped");
        let w = build(&s, &t, Action::Withdraw, None, &cx());
        assert_eq!(w.get("categories").and_then(|c| c.get("analytics")), Some(&Json::Bool(false)));
    }

    #[test]
    fn hash_is_stable_and_changes_with_what_was_shown() {
        let s = Settings::default();
        let en = Texts::load("en", &[]);
        let a = shown_hash(&s, &en);
        assert_eq!(a, shown_hash(&s, &Texts::load("en", &[])), "stable");
        assert_eq!(a.len(), 64);
        let changed = Texts::load("en", &[("en".into(), "bannerText".into(), "Other words".into())]);
        assert_ne!(a, shown_hash(&s, &changed), "a text change changes the hash");
        assert_ne!(a, shown_hash(&s, &Texts::load("fi", &[])), "another language");
        let renamed = Settings::from_json(r#"{"categories":{"analytics":{"title":"Stats"}}}"#).unwrap();
        assert_ne!(a, shown_hash(&renamed, &en), "a category change changes the hash");
    }
}
