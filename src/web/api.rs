//! The JavaScript API (`window.keksi`, CONTRACT §8) and the actions behind the UI's
//! buttons. The loader copies these exports onto `window.keksi`.
#[allow(unused_imports)]
use crate::prelude::*;

use crate::single::Shared;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::needs::Needs;
use super::state::{self, State};
use super::{activation, cookie_guard, dom, signals, store, ui};
use crate::core::consent::{id_from_bytes, reread, Choice, ConsentRecord, Method};
use crate::core::consent_mode;
use crate::core::error::Error;
use crate::core::expiry::Lifetime;
use crate::core::governance::{self, Source};
use crate::core::markup::{push_declared_rows, CookieRow};
use crate::core::receipt::Action;
use crate::core::texts::key;

crate::single::local! {
    /// (category, service) of scripts that already ran: they cannot be unloaded.
    static RAN: Shared<Vec<(String, Option<String>)>> = const { Shared::new(Vec::new()) };
    /// `keksi:consent` details waiting while one is being dispatched (`None`: none is).
    /// The oldest last (taken by `pop`, no `Vec::remove` in keksi.js).
    static QUEUED: Shared<Option<Vec<JsValue>>> = const { Shared::new(None) };
}

/// Forget which scripts ran (a new page life, for tests).
pub(crate) fn forget_ran() {
    RAN.with(|r| r.borrow_mut().clear());
}

/// Remember that a script of this category/service ran.
pub(crate) fn note_ran(category: String, service: Option<String>) {
    RAN.with(|r| r.borrow_mut().push((category, service)));
}

fn js_error(e: &Error) -> JsValue {
    js_sys::Error::new(&e.message()).into()
}

fn type_error(call: &'static str, problem: &str) -> JsValue {
    js_sys::TypeError::new(
        &Error::BadArgument {
            call,
            problem: problem.into(),
        }
        .message(),
    )
    .into()
}

fn mark_used() {
    state::write(|s| s.api_used = true);
}

/// Apply a new choice: store it, hide the UI, delete what it no longer covers, release
/// what it allows, and tell the page.
fn decide(method: Method, choice: Choice) {
    let secure = store::is_https();
    // Read from the page before the state is borrowed: nothing of the page's runs inside.
    let now = dom::now_ms();
    let fresh_id = id_from_bytes(&dom::random_bytes());
    let Some((name, cookie)) = state::write(|s| {
        let id = match &s.record {
            Some(r) => r.id.clone(),
            None => fresh_id,
        };
        let record = ConsentRecord {
            revision: s.settings.revision,
            timestamp_ms: now,
            id,
            method,
            choice,
            gpc: s.gpc,
        };
        let cookie = store::cookie_text(&s.settings, &record, now, secure);
        s.last_consent_id = record.id.clone();
        s.record = Some(record);
        s.api_used = true;
        // Not yet read back: the next read is compared with the record (a value no cookie
        // has), so that one cleared or withdrawn elsewhere before any event is followed.
        s.seen = Some(String::from(";"));
        (s.settings.cookie_name.clone(), cookie)
    }) else {
        return;
    };
    // Every other copy goes first: one left from before `cookieDomain` was set (or
    // re-issued by a server without it) would be read first on the next page.
    store::delete(&name);
    store::set_raw(&cookie);
    // Read back: a `cookieDomain` the page's host is not under, a prefixed `cookieName` on
    // http, or blocked cookies store nothing, and the banner would return on every page.
    if crate::core::cookie::get(&store::jar(), &name).is_none() {
        let mut m = String::from("keksi: the choice could not be stored in the cookie `");
        m.push_str(&name);
        m.push_str("` (cookies blocked, or config `cookieDomain`/`cookieName` do not fit this page); it holds for this page only.");
        dom::error(&m);
    }
    ui::hide();
    after_change(Some(match method {
        Method::AcceptAll => Action::AcceptAll,
        Method::RejectAll => Action::RejectAll,
        Method::Custom => Action::Custom,
    }));
}

/// Adopt a choice made or withdrawn in another page of the site since this one last read
/// the consent cookie, as if made here (a removed or broken cookie is no choice: fail
/// closed), without storing it again or sending a second receipt: the page where the
/// visitor chose sent one.
pub(crate) fn sync() {
    let jar = store::jar();
    let now = dom::now_ms();
    let Some(Some(on)) = state::write(|s| {
        let value = crate::core::cookie::get(&jar, &s.settings.cookie_name);
        let changed = reread(&mut s.record, &mut s.seen, value, &s.settings, now, s.gpc, s.trusted);
        changed.then_some(s.record.is_some())
    }) else {
        return;
    };
    ui::hide();
    if !on {
        ui::show_banner(false);
    }
    after_change(None);
}

/// Read the consent cookie again whenever the page is shown again: back in its tab or
/// window, or restored from the back/forward cache with the choice it had when left.
pub(crate) fn follow_other_pages() {
    let Some(w) = dom::window() else { return };
    let cb = Closure::wrap(Box::new(|_: JsValue| sync()) as Box<dyn FnMut(JsValue)>);
    for &kind in &["visibilitychange", "pageshow", "focus"] {
        dom::listen(&w, kind, cb.as_ref().unchecked_ref(), false);
    }
    cb.forget();
}

/// Everything that follows a change of choice (or its withdrawal); `action` is the
/// receipt's, none for a choice adopted from another page.
fn after_change(action: Option<Action>) {
    cookie_guard::sweep();
    activation::refresh();
    signals::changed(action);
    // A listener that changes the choice again (a tag manager mirroring it) dispatches
    // after the current event has reached every listener, so all see them in order.
    let detail = consent();
    let nested = QUEUED.with(|q| match &mut *q.borrow_mut() {
        Some(list) => {
            list.insert(0, detail.clone());
            true
        }
        q => {
            *q = Some(Vec::new());
            false
        }
    });
    if !nested {
        let mut next = Some(detail);
        // A listener that changes the choice on every event would loop for ever: the
        // chain of events ends after 16.
        let mut left = 16;
        while let Some(d) = next.filter(|_| left > 0) {
            left -= 1;
            dom::dispatch("keksi:consent", &d);
            next = QUEUED.with(|q| q.borrow_mut().as_mut()?.pop());
        }
        QUEUED.with(|q| *q.borrow_mut() = None);
    }
    reload_if_withdrawn();
}

/// Scripts cannot be unloaded: when one that ran is no longer allowed, reload.
fn reload_if_withdrawn() {
    let withdrawn =
        state::read(|s| s.settings.reload_on_withdraw && RAN.with(|r| r.borrow().iter().any(|(c, svc)| !s.allows(c, svc.as_deref()))))
            .unwrap_or(false);
    if withdrawn {
        if let Some(w) = dom::window() {
            let _ = w.location().reload();
        }
    }
}

/// Allow what a held element needs (each service, or without one its category) on top
/// of the current choice: the placeholder's "Allow" button.
pub(crate) fn allow(needs: &Needs) {
    let Some(choice) = state::read(|s| {
        let mut c = s.choice().cloned().unwrap_or_else(Choice::necessary_only);
        for (category, service) in &needs.0 {
            match service
                .as_deref()
                .filter(|n| s.settings.category(category).and_then(|c| c.service(n)).is_some())
            {
                Some(svc) => c.set_service(svc, true),
                None => c.set_category(&s.settings, category, true),
            }
        }
        c
    }) else {
        return;
    };
    decide(Method::Custom, choice);
}

/// Save the dialog's toggles.
pub(crate) fn save_choice(choice: Choice) {
    decide(Method::Custom, choice);
}

/// Rows for the dialog's cookie tables: keksi's own, the declared ones, then every
/// other visible cookie as classified (unknown ones go to "Unclassified").
pub(crate) fn cookie_rows(s: &State) -> Vec<CookieRow> {
    let mut rows = vec![CookieRow {
        category: "necessary".into(),
        name: s.settings.cookie_name.clone(),
        provider: s.texts.at(key::CONSENT_COOKIE_PROVIDER).into(),
        purpose: s.texts.at(key::CONSENT_COOKIE_PURPOSE).into(),
        // What is left of the choice's validity (all of it before one is made).
        duration: crate::core::strings::replace(s.texts.at(key::CONSENT_COOKIE_DURATION), "{days}", &s.texts.days(own_days(s))),
        persistent: Some(true),
    }];
    push_declared_rows(&mut rows, &s.settings, &s.texts);
    let jar = store::jar();
    for &(name, _) in &crate::core::cookie::parse_jar(&jar) {
        let c = governance::classify(&s.settings, name);
        if matches!(c.source, Source::Own | Source::Declared) || rows.iter().any(|r| r.name == name) {
            continue;
        }
        let life = cookie_guard::seen(name);
        let days = match life {
            Some(Lifetime::Persistent(t)) => Some(((t - dom::now_ms() as i64).max(0) / 86_400_000) as u64 + 1),
            _ => c.lifetime_days.map(|d| u64::from(crate::core::expiry::capped_days(d))),
        };
        let persistent = match life {
            Some(l) => Some(matches!(l, Lifetime::Persistent(_))),
            None => c.lifetime_days.map(|_| true),
        };
        let duration = match days.filter(|_| persistent == Some(true)) {
            Some(d) => s.texts.days(d),
            None => String::new(),
        };
        rows.push(CookieRow {
            category: c.category.into(),
            name: name.into(),
            provider: c.vendor.into(),
            purpose: c.purpose.into(),
            duration,
            persistent,
        });
    }
    rows
}

/// Days keksi's own cookie lives on, a part of one counted whole (182 on the day of a
/// choice valid 182 days).
fn own_days(s: &State) -> u64 {
    match &s.record {
        Some(r) => r.max_age_secs(&s.settings, dom::now_ms()).div_ceil(86_400),
        None => u64::from(s.settings.consent_validity_days),
    }
}

/// Configure keksi from an object (or JSON text) instead of the inline config element.
/// Must come before any other call; returns `false` and reports the problem otherwise.
#[wasm_bindgen(js_name = init)]
pub fn init_config(config: JsValue) -> bool {
    if state::read(|s| s.api_used).unwrap_or(true) {
        dom::error("keksi.init: must be called before any other keksi call; the config was not changed");
        return false;
    }
    // An object `JSON.stringify` cannot write (a cycle, a BigInt; a function gives
    // `undefined`) is the site's config lost: reported, never read as `{}`.
    let text = match config.as_string() {
        Some(t) => t,
        None => match js_sys::JSON::stringify(&config).ok().and_then(|s| s.as_string()) {
            Some(t) => t,
            None => {
                dom::error("keksi.init: the config is not JSON (a cycle, a BigInt, a function or undefined); the config was not changed");
                return false;
            }
        },
    };
    let (settings, degraded) = state::settings_from_text(&text);
    let (nonce, had_choice) = state::read(|s| (s.nonce.clone(), s.record.is_some())).unwrap_or_default();
    let mut fresh = state::make_state(settings, degraded, nonce);
    // A second `init` would replace the config the page already acted on.
    fresh.api_used = true;
    state::write(|s| *s = fresh);
    signals::restart(had_choice);
    // Start-up's work after parsing has run with the old config: redo it with the new one.
    // (Until then it is still to come: on DOMContentLoaded, or in a microtask when keksi
    // started in a parsed document, as a module does.)
    if state::parsed_work_done() {
        cookie_guard::sweep();
        ui::mount();
        activation::refresh();
    }
    !degraded
}

/// As the banner's "Accept all".
#[wasm_bindgen(js_name = acceptAll)]
pub fn accept_all() {
    if let Some(c) = state::read(|s| consent_mode::accept_all(&s.settings, s.gpc, s.choice())) {
        decide(Method::AcceptAll, c);
    }
}

/// As the banner's "Reject all".
#[wasm_bindgen(js_name = rejectAll)]
pub fn reject_all() {
    decide(Method::RejectAll, Choice::necessary_only());
}

/// Exactly these categories (plus `necessary`) on, the rest off.
#[wasm_bindgen]
pub fn accept(categories: JsValue) -> Result<(), JsValue> {
    mark_used();
    if !Array::is_array(&categories) {
        return Err(type_error(
            "keksi.accept",
            "expects an array of category names, e.g. [\"analytics\"]",
        ));
    }
    let mut names = Vec::new();
    for v in Array::from(&categories).iter() {
        match v.as_string() {
            Some(n) => names.push(n),
            None => return Err(type_error("keksi.accept", "every entry must be a category name (string)")),
        }
    }
    let choice = state::read(|s| Choice::only(&s.settings, &names)).unwrap_or_else(|| Ok(Choice::necessary_only()));
    let choice = choice.map_err(|e| js_error(&e))?;
    decide(Method::Custom, choice);
    Ok(())
}

/// Whether a category (and optionally one of its services) is allowed now.
#[wasm_bindgen]
pub fn allowed(category: JsValue, service: JsValue) -> Result<bool, JsValue> {
    mark_used();
    let Some(category) = category.as_string() else {
        return Err(type_error("keksi.allowed", "category must be a string"));
    };
    let service = if service.is_null_or_undefined() {
        None
    } else {
        match service.as_string() {
            Some(s) => Some(s),
            None => return Err(type_error("keksi.allowed", "service must be a string")),
        }
    };
    Ok(state::read(|s| s.allows(&category, service.as_deref())).unwrap_or(false))
}

/// The current choice as an object, or `null` before one is made.
#[wasm_bindgen]
pub fn consent() -> JsValue {
    // What it answers depends on the config (its revision): `init` after it would change it.
    mark_used();
    state::read(|s| s.record.as_ref().map(|r| dom::to_js(&r.to_json(&s.settings))))
        .flatten()
        .unwrap_or(JsValue::NULL)
}

/// Show the banner.
#[wasm_bindgen(js_name = showBanner)]
pub fn show_banner() {
    mark_used();
    ui::show_banner(true);
}

/// Open the preferences dialog.
#[wasm_bindgen(js_name = showPreferences)]
pub fn show_preferences() {
    mark_used();
    ui::show_preferences(None);
}

/// Close banner and dialog.
#[wasm_bindgen]
pub fn hide() {
    mark_used();
    ui::hide();
}

/// Withdraw: forget the choice, delete optional cookies and storage, show the banner.
#[wasm_bindgen]
pub fn reset() {
    // The cookie goes even when this page holds no choice: one made in another tab that
    // this page has not read yet is withdrawn too, and one of another revision (or one
    // void for now, its date ahead of the clock) is still a choice on a page of that
    // revision. With no choice held here this page's own does not change: no
    // `keksi:consent`, Consent Mode update or receipt (CONTRACT §8: the event follows a
    // change of choice).
    let Some((name, had)) = state::write(|s| {
        s.api_used = true;
        (s.settings.cookie_name.clone(), s.record.take().is_some())
    }) else {
        return;
    };
    store::delete(&name);
    ui::close_preferences();
    ui::show_banner(true);
    if had {
        after_change(Some(Action::Withdraw));
    }
}

/// Every cookie the page can see: `{ name, category, lifetime, expires }`. Lifetime and
/// expiry are what keksi saw at write time or read from `cookieStore`; `expires` is an
/// ISO string or `null` where the browser does not tell.
#[wasm_bindgen]
pub fn cookies() -> JsValue {
    mark_used();
    let jar = store::jar();
    let out = Array::new();
    state::read(|s| {
        for &(name, _) in &crate::core::cookie::parse_jar(&jar) {
            let c = governance::classify(&s.settings, name);
            let life = match (c.source, &s.record) {
                (Source::Own, Some(r)) => Some(Lifetime::Persistent(
                    (r.timestamp_ms + u64::from(s.settings.consent_validity_days) * crate::core::time::DAY_MS) as i64,
                )),
                _ => cookie_guard::seen(name),
            };
            let persistent = match life {
                Some(l) => matches!(l, Lifetime::Persistent(_)),
                None => c.lifetime_days.is_some(),
            };
            let expires = match life {
                Some(Lifetime::Persistent(t)) => JsValue::from_str(&crate::core::time::iso8601(t)),
                _ => JsValue::NULL,
            };
            let o = Object::new();
            super::patch::set(&o, "name", &JsValue::from_str(name));
            super::patch::set(&o, "category", &JsValue::from_str(c.category));
            super::patch::set(
                &o,
                "lifetime",
                &JsValue::from_str(if persistent { "persistent" } else { "session" }),
            );
            super::patch::set(&o, "expires", &expires);
            out.push(&o);
        }
    });
    out.unchecked_into()
}
