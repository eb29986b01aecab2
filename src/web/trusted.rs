//! Trusted Types: on a page whose CSP says `require-trusted-types-for 'script'`, the
//! browser refuses plain strings as HTML, script text and script URLs. keksi puts its own
//! markup and the scripts it releases in through a policy named `keksi` (a CSP that lists
//! `trusted-types` names must add it), and passes the page's own trusted values on as they
//! came. It never blesses a string the page did not: that would undo the page's policy.
#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::patch::get;
use crate::single::Shared;

crate::single::local! {
    /// `trustedTypes` and keksi's policy (none when the page's CSP refuses its name),
    /// where the browser has Trusted Types.
    static TT: Shared<Option<(JsValue, Option<JsValue>)>> = const { Shared::new(None) };
}

/// Create the policy (once, at start-up). Without Trusted Types, or when the page's CSP
/// does not allow the name, keksi goes on with strings, as the browser then accepts.
pub fn install() {
    let Some(w) = super::dom::window() else { return };
    let tt = get(&w, "trustedTypes");
    let Some(create) = super::patch::method(&tt, "createPolicy") else {
        return;
    };
    // `String` as the identity: keksi's values are strings already.
    let string = get(&w, "String");
    let rules = Object::new();
    for &kind in &[HTML, SCRIPT, SCRIPT_URL] {
        super::patch::set(&rules, kind, &string);
    }
    // Kept without a policy too: the page's own trusted values must still be told apart.
    let policy = create.call2(&tt, &"keksi".into(), &rules).ok();
    TT.with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            *t = Some((tt, policy));
        }
    });
}

/// `s` made a trusted value of `kind` by keksi's policy ([`HTML`]: keksi's own markup,
/// [`SCRIPT`]: a marked inline script's text, [`SCRIPT_URL`]: a released script's URL); the
/// string itself without Trusted Types.
pub fn make(kind: &str, s: &str) -> JsValue {
    let made = TT.with(|t| {
        let t = t.try_borrow().ok()?;
        let policy = t.as_ref()?.1.as_ref()?;
        super::patch::method(policy, kind)?.call1(policy, &JsValue::from_str(s)).ok()
    });
    made.unwrap_or_else(|| JsValue::from_str(s))
}

/// See [`make`].
pub const HTML: &str = "createHTML";
/// See [`make`].
pub const SCRIPT: &str = "createScript";
/// See [`make`].
pub const SCRIPT_URL: &str = "createScriptURL";

/// Whether `v` is a value the page's own policy made for the sinks keksi wraps
/// (`TrustedHTML`, `TrustedScriptURL`): pass it on as it is, never as a string.
pub fn is_trusted(v: &JsValue) -> bool {
    if !v.is_object() {
        return false;
    }
    TT.with(|t| {
        let Ok(t) = t.try_borrow() else { return false };
        let Some((tt, _)) = t.as_ref() else { return false };
        ["isHTML", "isScriptURL"].iter().any(|check| {
            super::patch::method(tt, check)
                .and_then(|f| f.call1(tt, v).ok())
                .is_some_and(|r| r == JsValue::TRUE)
        })
    })
}

/// Cleaned HTML to pass on in place of the page's: trusted again when all of the page's was
/// (its policy vouched for the markup; keksi only took tracker URLs out of it), else the
/// plain string, which the browser then judges as it would have judged the page's.
pub fn html_like(trusted: bool, clean: &str) -> JsValue {
    if trusted {
        make(HTML, clean)
    } else {
        JsValue::from_str(clean)
    }
}
