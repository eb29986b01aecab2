//! Privacy signals to vendors (CONTRACT §10): the Google Consent Mode v2 commands and
//! the `dataLayer` event, computed from settings and the choice.
#[allow(unused_imports)]
use crate::prelude::*;

use super::config::{Settings, CONSENT_TYPES};
use super::consent::{allowed, states_json, Choice};
use super::json::{num, obj, Json};

fn state(granted: bool) -> Json {
    Json::Str(if granted { "granted" } else { "denied" }.into())
}

/// The argument of `gtag('consent', 'default', …)`: everything denied but
/// `security_storage`, plus `wait_for_update` and `region` when configured.
pub fn default_command(s: &Settings) -> Json {
    let cm = &s.consent_mode;
    let mut o = Vec::new();
    for &t in &CONSENT_TYPES {
        o.push((t.to_string(), state(t == "security_storage")));
    }
    if let Some(ms) = cm.wait_for_update {
        o.push(("wait_for_update".into(), num(u64::from(ms))));
    }
    if !cm.region.is_empty() {
        let mut list = Vec::new();
        for r in &cm.region {
            list.push(Json::Str(r.clone()));
        }
        o.push(("region".into(), Json::Arr(list)));
    }
    Json::Obj(o)
}

/// Whether a consent type is granted: some category mapped to it is allowed.
pub fn granted(s: &Settings, choice: Option<&Choice>, consent_type: &str) -> bool {
    consent_type == "security_storage"
        || s.consent_mode
            .mapping
            .iter()
            .any(|(cat, types)| types.iter().any(|t| t == consent_type) && allowed(s, choice, cat, None))
}

/// The argument of `gtag('consent', 'update', …)` for a choice.
pub fn update_command(s: &Settings, choice: Option<&Choice>) -> Json {
    let mut o = Vec::new();
    for &t in &CONSENT_TYPES {
        o.push((t.to_string(), state(granted(s, choice, t))));
    }
    Json::Obj(o)
}

/// The `dataLayer` event pushed after every change, for Tag Manager triggers:
/// `{event: "keksi_consent", keksi: {categories: {...}, services: {...}}}`.
pub fn data_layer_event(s: &Settings, choice: Option<&Choice>) -> Json {
    let (cats, svcs) = states_json(s, choice);
    obj(
        &["event", "keksi"],
        vec![
            Json::Str("keksi_consent".into()),
            obj(&["categories", "services"], vec![cats, svcs]),
        ],
    )
}

/// Everything on, except categories that are sale or sharing of personal data when the
/// visitor sent Global Privacy Control: "accept all" under GPC.
pub fn accept_all(s: &Settings, gpc: bool, current: Option<&Choice>) -> Choice {
    let mut c = Choice::all(s);
    if gpc {
        let none = Choice::default();
        let cur = current.unwrap_or(&none);
        // Plain loops and conditions, not `filter` adapters (code of their own).
        for cat in &s.categories {
            // What the visitor switched on one by one stays on: "accept all" never
            // takes consent back.
            if cat.sale_or_sharing && !cur.categories.contains(&cat.name) {
                c.set_category(s, &cat.name, false);
                for v in &cat.services {
                    if cur.services.contains(&v.name) {
                        c.set_service(&v.name, true);
                    }
                }
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(extra: &str) -> Settings {
        let mut t = String::from(r#"{"categories":{"social":{"saleOrSharing":true},"functional":{"services":{"yt":{}}}}"#);
        t.push_str(extra);
        t.push('}');
        Settings::from_json(&t).unwrap()
    }

    #[test]
    fn default_denies_all_but_security() {
        let d = default_command(&s(""));
        for &t in &CONSENT_TYPES {
            let want = if t == "security_storage" { "granted" } else { "denied" };
            assert_eq!(d.get(t).and_then(Json::as_str), Some(want), "{t}");
        }
        assert!(d.get("wait_for_update").is_none() && d.get("region").is_none());
        let d = default_command(&s(r#","googleConsentMode":{"waitForUpdate":500,"region":["ES"]}"#));
        assert_eq!(
            d.to_text(),
            r#"{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"denied","functionality_storage":"denied","personalization_storage":"denied","security_storage":"granted","wait_for_update":500,"region":["ES"]}"#
        );
    }

    #[test]
    fn update_follows_the_mapping() {
        let set = s("");
        let analytics_only = Choice::only(&set, &["analytics".into()]).unwrap();
        let u = update_command(&set, Some(&analytics_only));
        assert_eq!(u.get("analytics_storage").and_then(Json::as_str), Some("granted"));
        for t in [
            "ad_storage",
            "ad_user_data",
            "ad_personalization",
            "functionality_storage",
            "personalization_storage",
        ] {
            assert_eq!(u.get(t).and_then(Json::as_str), Some("denied"), "{t}");
        }
        let all = update_command(&set, Some(&Choice::all(&set)));
        assert!(CONSENT_TYPES.iter().all(|t| all.get(t).and_then(Json::as_str) == Some("granted")));
        let none = update_command(&set, None);
        assert_eq!(none.get("security_storage").and_then(Json::as_str), Some("granted"));
        assert_eq!(none.get("ad_storage").and_then(Json::as_str), Some("denied"));
    }

    #[test]
    fn gpc_keeps_sale_and_sharing_off() {
        let set = s("");
        let c = accept_all(&set, true, None);
        assert!(!allowed(&set, Some(&c), "advertising", None));
        assert!(!allowed(&set, Some(&c), "social", None));
        assert!(allowed(&set, Some(&c), "analytics", None));
        assert!(allowed(&set, Some(&c), "functional", Some("yt")));
        let c = accept_all(&set, false, None);
        assert!(allowed(&set, Some(&c), "advertising", None));
        // Switched on one by one before: kept on by "accept all" (CONTRACT §10).
        let set =
            Settings::from_json(r#"{"categories":{"advertising":{"services":{"fb":{},"x":{}}},"social":{"saleOrSharing":true}}}"#).unwrap();
        let mut mine = Choice::necessary_only();
        mine.set_category(&set, "social", true);
        mine.set_service("fb", true);
        let c = accept_all(&set, true, Some(&mine));
        assert!(allowed(&set, Some(&c), "social", None));
        assert!(allowed(&set, Some(&c), "advertising", Some("fb")));
        assert!(!allowed(&set, Some(&c), "advertising", Some("x")));
        assert!(!allowed(&set, Some(&c), "advertising", None));
    }

    #[test]
    fn data_layer_event_shape() {
        let set = s("");
        let e = data_layer_event(&set, Some(&Choice::all(&set)));
        assert_eq!(e.get("event").and_then(Json::as_str), Some("keksi_consent"));
        assert_eq!(
            e.get("keksi").and_then(|k| k.get("services")).and_then(|s| s.get("yt")),
            Some(&Json::Bool(true))
        );
    }
}
