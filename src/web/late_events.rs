//! Listeners that released scripts add for page events that have already fired.
//!
//! A marked script runs once the page is parsed (from keksi's own `DOMContentLoaded`
//! listener, or later, when the visitor agrees), but it was written to run while the
//! page parsed: `document.addEventListener("DOMContentLoaded", init)` is how many
//! snippets start, and a listener added after (or while) the event fires is never called.
//! Such listeners, added while a released script runs, go to a stand-in target of
//! keksi's instead, whose event is dispatched once the queue of released scripts has run,
//! as the browser fires its event after its `defer` scripts: `DOMContentLoaded` first,
//! then the window's `load`. The browser's own listener machinery does the rest: the
//! same listener added twice is called once, a removed one not at all, `once`, `signal`
//! and `handleEvent` objects work, and what one listener throws is reported while the
//! next still runs. (`this` and `event.currentTarget` are the stand-in, not the document.)
#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

use super::activation;
use super::dom;
use super::patch::{call, method, proxy, set_own};
use crate::single::Shared;

crate::single::local! {
    /// The stand-ins for `DOMContentLoaded` and for `load`, while they have listeners.
    static STAND_INS: Shared<Option<(EventTarget, EventTarget)>> = const { Shared::new(None) };
}

const DCL: &str = "DOMContentLoaded";

/// Watch `addEventListener`/`removeEventListener` of the page's window and document
/// (their own properties: listeners on any other object are the browser's business).
/// Once; before the first released script runs.
pub fn watch() {
    static DONE: crate::single::Local<core::cell::Cell<bool>> = crate::single::Local::new(core::cell::Cell::new(false));
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    let (Some(w), Some(d)) = (dom::window(), dom::document()) else {
        return;
    };
    // Arrays walked by reference: by value, each is an `IntoIter` of its own.
    for target in &[JsValue::from(w), JsValue::from(d)] {
        for &(name, trap) in &[("addEventListener", added as super::patch::Trap), ("removeEventListener", removed)] {
            if let Some(p) = method(target, name).and_then(|f| proxy(&f, trap)) {
                set_own(target, name, &p);
            }
        }
    }
}

/// The stand-in for the page's load event that `args` (`type`, listener, …) names, if
/// that event has already fired (or is firing) at `this`: `DOMContentLoaded` (fired at
/// the document, bubbling to the window), or the window's `load`. `make`: create the
/// stand-ins if there are none.
fn stand_in(this: &JsValue, args: &Array, make: bool) -> Option<EventTarget> {
    let kind = args.get(0).as_string()?;
    let doc = dom::document()?;
    let state = dom::text_prop(&doc, "readyState");
    let dcl = if kind == DCL && state != "loading" {
        true
    } else if kind == "load" && state == "complete" && dom::window().is_some_and(|w| JsValue::from(w) == *this) {
        false
    } else {
        return None;
    };
    STAND_INS.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_none() && make {
            *s = Some((EventTarget::new().ok()?, EventTarget::new().ok()?));
        }
        let (d, l) = s.as_ref()?;
        Some(if dcl { d.clone() } else { l.clone() })
    })
}

fn added(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let released = dom::document().and_then(|d| activation::released_running(&d)).is_some();
    let Some(stand_in) = released.then(|| stand_in(&this, &args, true)).flatten() else {
        return call(&target, &this, &args);
    };
    let r = call(&target, &stand_in, &args);
    // Released on its own (an `async` one): called once it has run (in a microtask: the
    // script may still remove it).
    if activation::idle() {
        dom::when_parsed(flush);
    }
    r
}

fn removed(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    if let Some(stand_in) = stand_in(&this, &args, false) {
        call(&target, &stand_in, &args)?;
    }
    call(&target, &this, &args)
}

/// Fire the missed events at their stand-ins (the queue of released scripts has run).
/// Fresh stand-ins serve later releases: each listener is called once.
pub fn flush() {
    let Some((dcl, load)) = STAND_INS.with(|s| s.borrow_mut().take()) else {
        return;
    };
    for (target, kind) in &[(dcl, DCL), (load, "load")] {
        if let Ok(event) = web_sys::Event::new(kind) {
            let _ = target.dispatch_event(&event);
        }
    }
}
