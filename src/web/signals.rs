//! Privacy signals (CONTRACT §10): Google Consent Mode v2 through `dataLayer`/`gtag`,
//! Microsoft UET and Meta Pixel consent calls, Global Privacy Control, and consent
//! receipts to the site's `consentLog`.
#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use super::patch::get;
use super::{dom, state};
use crate::core::consent_mode;
use crate::core::json::Json;
use crate::core::receipt::{self, Action};
use crate::single::Shared;

crate::single::local! {
    /// The loader's Google-style `gtag`, for the restart after `keksi.init()`.
    static LOADER_GTAG: Shared<Option<JsValue>> = const { Shared::new(None) };
}

fn window() -> Option<JsValue> {
    dom::window().map(JsValue::from)
}

/// Global Privacy Control is on (or Do Not Track, when the config honours it).
pub fn privacy_signal(honor_dnt: bool) -> bool {
    let Some(w) = window() else { return false };
    let nav = get(&w, "navigator");
    get(&nav, "globalPrivacyControl") == JsValue::TRUE || (honor_dnt && get(&nav, "doNotTrack") == JsValue::from_str("1"))
}

/// `gtag(command, name, value)`: every call keksi makes has these three arguments (the
/// two strings made here, not at each caller).
fn gtag(command: &str, name: &str, value: &JsValue) {
    let Some(w) = window() else { return };
    let Some(f) = super::patch::method(&w, "gtag") else { return };
    let _ = f.call3(&JsValue::UNDEFINED, &s(command), &s(name), value);
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// At start-up, synchronously: create `dataLayer` if absent (never replace it), define
/// `gtag` if absent with the loader's Google-style function, push `consent default`,
/// then `consent update` from a stored choice.
pub fn start(gtag_fn: JsValue) {
    LOADER_GTAG.with(|g| {
        if let Ok(mut g) = g.try_borrow_mut() {
            *g = Some(gtag_fn.clone());
        }
    });
    let Some(w) = window() else { return };
    let Some((enabled, default, redact, passthrough, stored)) = state::read(|st| {
        let cm = &st.settings.consent_mode;
        let stored = st
            .record
            .as_ref()
            .map(|r| dom::to_js(&consent_mode::update_command(&st.settings, Some(&r.choice))));
        (
            cm.enabled,
            dom::to_js(&consent_mode::default_command(&st.settings)),
            cm.ads_data_redaction,
            cm.url_passthrough,
            stored,
        )
    }) else {
        return;
    };
    if enabled {
        // Created only when absent: a page's own queue (an object with `push`) is kept.
        let dl = get(&w, "dataLayer");
        if dl.is_null_or_undefined() {
            super::patch::set(&w, "dataLayer", &Array::new());
        }
        if !get(&w, "gtag").is_function() && gtag_fn.is_function() {
            super::patch::set(&w, "gtag", &gtag_fn);
        }
        gtag("consent", "default", &default);
        if redact {
            gtag("set", "ads_data_redaction", &JsValue::TRUE);
        }
        if passthrough {
            gtag("set", "url_passthrough", &JsValue::TRUE);
        }
        if let Some(update) = &stored {
            gtag("consent", "update", update);
        }
    }
    uet("default", false);
    if stored.is_some() {
        vendors_update();
    }
}

/// After `keksi.init()` replaced the config that start-up used: Consent Mode's default
/// again with the new options, then the stored choice as the new config reads it. When
/// start-up had replayed a choice that the new config no longer accepts (a new revision),
/// an update puts everything back to denied.
pub fn restart(had_choice: bool) {
    let gtag_fn = LOADER_GTAG.with(|g| g.try_borrow().ok().and_then(|g| g.clone()));
    start(gtag_fn.unwrap_or(JsValue::UNDEFINED));
    let Some((enabled, none_now, update)) = state::read(|st| {
        (
            st.settings.consent_mode.enabled,
            st.record.is_none(),
            dom::to_js(&consent_mode::update_command(&st.settings, None)),
        )
    }) else {
        return;
    };
    if had_choice && none_now {
        if enabled {
            gtag("consent", "update", &update);
        }
        vendors_update();
    }
}

/// Once the page is parsed (after any `keksi.init()`, which may void the stored choice):
/// the `keksi_consent` event for a stored choice, so that Tag Manager triggers on it fire
/// on every page view of a returning visitor, once.
pub fn ready() {
    if state::read(|st| st.settings.consent_mode.enabled && st.record.is_some()).unwrap_or(false) {
        push_event();
    }
}

/// `uetq.push('consent', mode, {ad_storage})`. Before the UET tag (keksi comes first) the
/// queue is made here as Microsoft's snippet makes it (`window.uetq = window.uetq || []`),
/// which keeps it: its tag reads the default from it when it loads.
fn uet(mode: &str, granted: bool) {
    let Some(w) = window() else { return };
    let mut q = get(&w, "uetq");
    if q.is_null_or_undefined() {
        q = js_sys::Array::new().into();
        if Reflect::set(&w, &s("uetq"), &q).is_err() {
            return;
        }
    }
    let Some(push) = super::patch::method(&q, "push") else { return };
    let o = js_sys::Object::new();
    super::patch::set(&o, "ad_storage", &s(if granted { "granted" } else { "denied" }));
    let _ = push.call3(&q, &s("consent"), &s(mode), &o);
}

/// Tell UET and the Meta Pixel (when present) what advertising consent is now.
fn vendors_update() {
    let ads = state::read(|st| consent_mode::granted(&st.settings, st.choice(), "ad_storage")).unwrap_or(false);
    uet("update", ads);
    let Some(w) = window() else { return };
    if let Some(fbq) = super::patch::method(&w, "fbq") {
        let _ = fbq.call2(&JsValue::UNDEFINED, &s("consent"), &s(if ads { "grant" } else { "revoke" }));
    }
}

/// After every change of choice: `consent update`, the `keksi_consent` dataLayer event,
/// UET and Meta calls, and a receipt of `action` (none for a choice made in another page,
/// which sent its own).
pub fn changed(action: Option<Action>) {
    let Some((enabled, update)) = state::read(|st| {
        (
            st.settings.consent_mode.enabled,
            dom::to_js(&consent_mode::update_command(&st.settings, st.choice())),
        )
    }) else {
        return;
    };
    if enabled {
        gtag("consent", "update", &update);
        push_event();
    }
    vendors_update();
    if let Some(a) = action {
        send_receipt(a);
    }
}

/// Push `{event: "keksi_consent", keksi: {categories, services}}` to `dataLayer`.
fn push_event() {
    let Some(event) = state::read(|st| dom::to_js(&consent_mode::data_layer_event(&st.settings, st.choice()))) else {
        return;
    };
    let Some(w) = window() else { return };
    let dl = get(&w, "dataLayer");
    if let Some(push) = super::patch::method(&dl, "push") {
        let _ = push.call1(&dl, &event);
    }
}

/// Send a receipt to `consentLog` with `sendBeacon` (fallback: `fetch` keepalive).
fn send_receipt(action: Action) {
    let Some(w) = dom::window() else { return };
    let page = dom::text_prop(&dom::location(), "href");
    // A plain property read (`navigator.userAgent` never throws): no import of its own.
    let ua = dom::text_prop(&w.navigator(), "userAgent");
    let receipt_id = crate::core::consent::id_from_bytes(&dom::random_bytes());
    let Some(Some((url, body))) = state::read(|st| {
        let url = st.settings.consent_log.clone()?;
        let consent_id = st.record.as_ref().map(|r| r.id.as_str()).unwrap_or(&st.last_consent_id);
        let cx = receipt::Context {
            receipt_id: &receipt_id,
            consent_id,
            now_ms: dom::now_ms(),
            page: &page,
            user_agent: &ua,
            gpc: st.gpc,
        };
        let r: Json = receipt::build(&st.settings, &st.texts, action, st.choice(), &cx);
        Some((url, r.to_text()))
    }) else {
        return;
    };
    let sent = w.navigator().send_beacon_with_opt_str(&url, Some(&body)).unwrap_or(false);
    if !sent {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&s(&body));
        super::patch::set(&init, "keepalive", &JsValue::TRUE);
        let _ = w.fetch_with_str_and_init(&url, &init);
    }
}
