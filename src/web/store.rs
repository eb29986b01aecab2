//! The stored choice in the `keksi_consent` cookie (CONTRACT §7), and cookie deletion.
#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

use super::dom;
use crate::core::config::Settings;
use crate::core::consent::ConsentRecord;
use crate::core::cookie::{self, WriteOptions};

/// The page's document, for `cookie` (web-sys has it on `HtmlDocument`; every engine
/// has it on `Document`). Both accessors are called with a catch: no runtime check.
fn html_document() -> Option<HtmlDocument> {
    dom::document().map(|d| d.unchecked_into())
}

/// The page's cookie string (empty when cookies are disabled, when reading throws). A
/// plain property read: no import of its own for the getter.
pub fn jar() -> String {
    dom::document()
        .and_then(|d| super::patch::get(&d, "cookie").as_string())
        .unwrap_or_default()
}

/// Assign one cookie string through `document.cookie`.
pub fn set_raw(text: &str) {
    // keksi's own writes skip its guard.
    if super::cookie_guard::native_write(text) {
        return;
    }
    if let Some(d) = html_document() {
        let _ = d.set_cookie(text);
    }
}

/// The valid stored choice in the consent cookie `value`, for these settings and the
/// privacy signal sent now. Unreadable values are reported and treated as absent; stale
/// or expired ones silently so.
pub fn load(settings: &Settings, value: Option<&str>, gpc: bool) -> Option<ConsentRecord> {
    ConsentRecord::load(value, settings, dom::now_ms(), gpc).unwrap_or_else(|e| {
        dom::warn(&e.message());
        None
    })
}

/// Whether the page is served over https (the consent cookie is then `Secure`).
pub fn is_https() -> bool {
    dom::text_prop(&dom::location(), "protocol") == "https:"
}

/// The consent cookie for a choice: lives until the choice expires, at most 365 days.
pub fn cookie_text(settings: &Settings, record: &ConsentRecord, now_ms: u64, secure: bool) -> String {
    let age = record.max_age_secs(settings, now_ms);
    let o = WriteOptions {
        max_age: Some(age),
        domain: settings.cookie_domain.as_deref(),
        secure,
    };
    cookie::write_string(&settings.cookie_name, &record.encode(), &o)
}

/// Remove a cookie wherever script could have set it.
pub fn delete(name: &str) {
    let loc = dom::location();
    let host = dom::text_prop(&loc, "hostname");
    let path = dom::text_prop(&loc, "pathname");
    // By reference: a consuming loop is an `IntoIter` of its own in keksi.js.
    for s in &cookie::deletion_strings(name, &host, &path) {
        set_raw(s);
    }
}
