//! The one app state the API needs, and start-up.
//!
//! State is only touched inside short `read`/`write` closures that never call page
//! code, so a page listener that calls back into keksi cannot hit a borrowed state.
#[allow(unused_imports)]
use crate::prelude::*;

use crate::single::Shared;
use core::cell::{Ref, RefMut};

use wasm_bindgen::prelude::*;

use super::{activation, cookie_guard, dom, interceptor, signals, store, ui};
use crate::core::config::Settings;
use crate::core::consent::{Choice, ConsentRecord};
use crate::core::hooks::CONFIG_ID;
use crate::core::language;
use crate::core::texts::{self, Texts};

/// What keksi knows about this page visit.
pub struct State {
    /// Validated settings (defaults when the config was bad).
    pub settings: Settings,
    /// UI texts in the chosen language.
    pub texts: Texts,
    /// The valid stored choice, if any.
    pub record: Option<ConsentRecord>,
    /// An API call other than `init` has happened.
    pub api_used: bool,
    /// Nonce of keksi.js, given to the scripts it activates.
    pub nonce: String,
    /// Log what is held and released (config `debug` or `?keksi-debug` in the URL).
    pub debug: bool,
    /// The visitor sent Global Privacy Control (or Do Not Track, when honoured).
    pub gpc: bool,
    /// Id of the last choice, kept after a withdrawal for its receipt.
    pub last_consent_id: String,
    /// The consent cookie's value as this page last read it: a different one read later
    /// was written since, by this page or another of the site.
    pub seen: Option<String>,
    /// The config is valid: a stored choice counts (on the defaults, none does).
    pub trusted: bool,
}

impl State {
    /// The current choice, if the visitor made one.
    pub fn choice(&self) -> Option<&Choice> {
        self.record.as_ref().map(|r| &r.choice)
    }

    /// Whether `category` (and `service`) may run now.
    pub fn allows(&self, category: &str, service: Option<&str>) -> bool {
        crate::core::consent::allowed(&self.settings, self.choice(), category, service)
    }
}

crate::single::local! {
    static STATE: Shared<Option<State>> = const { Shared::new(None) };
}

/// Read the state; `None` before boot or while it is being written.
pub fn read<R>(f: impl FnOnce(&State) -> R) -> Option<R> {
    current().map(|s| f(&s))
}

/// The state borrowed, as for [`read`]: the borrowing written once, not in each of
/// `read`'s thirty-odd instances.
fn current() -> Option<Ref<'static, State>> {
    Ref::filter_map(STATE.get().try_borrow().ok()?, Option::as_ref).ok()
}

/// Decide with the current settings and choice; before boot (or while the state is
/// being written) with the defaults and no choice, so a guard never fails open.
pub fn judge<R>(f: impl FnOnce(&Settings, Option<&Choice>) -> R) -> R {
    let st = current();
    // `f` called in one place: two calls put a copy of it at each caller.
    let (settings, choice) = match st.as_deref() {
        Some(st) => (&st.settings, st.choice()),
        None => (defaults(), None),
    };
    f(settings, choice)
}

/// The settings a guard decides with before boot, made once: a `Settings` built and
/// dropped inside [`judge`] was code of its own at each of its callers.
fn defaults() -> &'static Settings {
    static DEFAULTS: crate::single::Once<Settings> = crate::single::Once::new();
    DEFAULTS.get_or_init(Settings::default)
}

/// In debug mode (config `debug` or `?keksi-debug`), log `keksi: ` and the parts,
/// space-separated, with `console.info`.
pub fn debug(parts: &[&str]) {
    if read(|s| s.debug).unwrap_or(false) {
        let mut m = String::from("keksi:");
        for p in parts {
            m.push(' ');
            m.push_str(p);
        }
        dom::info(&m);
    }
}

/// Change the state; `None` before boot or while it is borrowed.
pub fn write<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    current_mut().map(|mut s| f(&mut s))
}

/// The state borrowed for a change, as for [`write`] (written once, as [`current`]).
fn current_mut() -> Option<RefMut<'static, State>> {
    RefMut::filter_map(STATE.get().try_borrow_mut().ok()?, Option::as_mut).ok()
}

/// Settings from the inline config element, or fail-closed defaults with an error.
fn settings_from_page() -> (Settings, bool) {
    let text = dom::document()
        .and_then(|d| d.get_element_by_id(CONFIG_ID))
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    settings_from_text(&text)
}

/// Parse a config text; on error, report it and fall back to the defaults.
pub(crate) fn settings_from_text(text: &str) -> (Settings, bool) {
    match Settings::from_json(text) {
        Ok(s) => {
            // By reference: a consuming loop is an `IntoIter` of its own in keksi.js.
            for e in &s.long_durations() {
                dom::warn(&e.message());
            }
            (s, false)
        }
        Err(e) => {
            let mut m = e.message();
            m.push_str(". keksi runs on its defaults: nothing optional runs until the visitor chooses.");
            dom::error(&m);
            (Settings::default(), true)
        }
    }
}

fn pick_texts(settings: &Settings) -> Texts {
    let doc = dom::document();
    let html_lang = doc
        .as_ref()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    let mut nav = Vec::new();
    if let Some(w) = dom::window() {
        // Read as a plain property (no import of its own): an array of strings where
        // there is one (`Array.isArray`, so that an engine without it cannot stop the start).
        if let Ok(languages) = super::patch::get(&w.navigator(), "languages").dyn_into::<js_sys::Array>() {
            for v in languages.iter() {
                if let Some(v) = v.as_string() {
                    nav.push(v);
                }
            }
        }
    }
    // A language the config gives texts for is one to pick too, built in or not: its
    // texts are the config's, and English's for the keys it does not give.
    let mut available = texts::available();
    for (l, _, _) in &settings.texts {
        available.push(l);
    }
    let lang = language::pick(settings.language.as_deref(), html_lang.as_deref(), &nav, &available);
    Texts::load(lang, &settings.texts)
}

/// Build the state from settings: texts and the stored choice (ignored when degraded).
pub(crate) fn make_state(settings: Settings, degraded: bool, nonce: String) -> State {
    let texts = pick_texts(&settings);
    let gpc = signals::privacy_signal(settings.honor_do_not_track);
    let seen = crate::core::cookie::get(&store::jar(), &settings.cookie_name).map(String::from);
    let record = if degraded {
        None
    } else {
        store::load(&settings, seen.as_deref(), gpc)
    };
    let last_consent_id = record.as_ref().map(|r| r.id.clone()).unwrap_or_default();
    let in_url = crate::core::strings::contains(&dom::text_prop(&dom::location(), "search"), "keksi-debug");
    let debug = settings.debug || in_url;
    State {
        settings,
        texts,
        record,
        api_used: false,
        nonce,
        debug,
        gpc,
        last_consent_id,
        seen,
        trusted: !degraded,
    }
}

static PARSED_WORK_DONE: crate::single::Local<core::cell::Cell<bool>> = crate::single::Local::new(core::cell::Cell::new(false));

/// Whether start-up's work after parsing (sweep, UI, activation) has run.
pub(crate) fn parsed_work_done() -> bool {
    PARSED_WORK_DONE.with(|d| d.get())
}

/// Start keksi: called by the loader right after the WebAssembly is instantiated,
/// while the parser is still blocked on keksi.js.
///
/// `gtag` is the loader's Google-style `gtag` (it pushes `arguments` to `dataLayer`),
/// installed as `window.gtag` when the page has none and Consent Mode is on.
///
/// `nonce` is the script's nonce, a string: taken as a `JsValue` (read with `as_string`,
/// as elsewhere), a `String` argument costs the glue and the export their own conversion.
#[wasm_bindgen]
pub fn boot(nonce: JsValue, gtag: JsValue) {
    let (settings, degraded) = settings_from_page();
    let state = make_state(settings, degraded, nonce.as_string().unwrap_or_default());
    STATE.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Some(state);
        }
    });
    super::trusted::install();
    signals::start(gtag);
    super::patch::install_in(&super::dom::global());
    cookie_guard::install();
    interceptor::install();
    activation::install();
    dom::when_parsed(|| {
        PARSED_WORK_DONE.with(|d| d.set(true));
        cookie_guard::sweep();
        cookie_guard::watch_changes();
        super::api::follow_other_pages();
        ui::mount();
        activation::refresh();
        signals::ready();
        dom::dispatch("keksi:ready", &JsValue::UNDEFINED);
    });
}

/// Undo `boot`: remove the UI, stop observing, forget the state. For tests that start
/// keksi several times in one page.
#[doc(hidden)]
pub fn shutdown() {
    PARSED_WORK_DONE.with(|d| d.set(false));
    ui::unmount();
    activation::uninstall();
    super::api::forget_ran();
    STATE.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = None;
        }
    });
}
