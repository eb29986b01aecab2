//! Same-origin frames. An iframe without a URL (or with `srcdoc`) shares the page's origin
//! and cookie jar but has its own realm: its own `fetch`, `Element.prototype` and
//! `document.cookie`, which ad and analytics code uses to get built-ins nobody patched.
//! keksi patches such a realm as it patches the page's, as soon as the page can reach it:
//! when a patched method puts the iframe in, when the page reads its `contentWindow` or
//! `contentDocument`, when the parser inserts it, and when it loads a new document.
#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::patch::{call, callback, get, set_own};
use super::{cookie_guard, dom, interceptor};
use crate::single::Shared;

/// The property marking a window whose realm keksi has patched.
const MARK: &str = "__keksiRealm";

crate::single::local! {
    /// Iframes a patched method is about to insert: adopted once they are in.
    static PENDING: Shared<Vec<Element>> = const { Shared::new(Vec::new()) };
    /// The frames' windows patched (closed ones dropped), whose documents hold elements
    /// to release on consent.
    static REALMS: Shared<Vec<JsValue>> = const { Shared::new(Vec::new()) };
    /// The one `load` listener every patched document gets.
    static ON_LOAD: Shared<Option<JsValue>> = const { Shared::new(None) };
}

/// Mark the page's own window and document (patched and observed at start-up) and
/// watch its frames.
pub fn install(page: &JsValue) {
    set_own(page, MARK, &JsValue::TRUE);
    set_own(&get(page, "document"), MARK, &JsValue::TRUE);
    watch(page);
    listen(&get(page, "document"));
}

/// Patch `w`'s realm if it is a same-origin window keksi has not patched yet, and (with
/// `new_document`) watch its document if that is new.
fn adopt_window(w: &JsValue, new_document: bool) {
    if !w.is_object() {
        return;
    }
    // A cross-origin window throws on reading any other property: it has nothing this
    // page can reach, and its own origin's cookies are not this site's.
    match Reflect::get(w, &MARK.into()) {
        Ok(v) if v.is_undefined() => {
            if !set_own(w, MARK, &JsValue::TRUE) {
                return;
            }
            super::patch::install_in(w);
            cookie_guard::install_in(w);
            interceptor::install_in(w);
            watch(w);
            // Pruned of removed frames first: a page making many keeps none alive.
            live();
            REALMS.with(|r| {
                let mut r = r.borrow_mut();
                if !r.contains(w) {
                    r.push(w.clone());
                }
            });
        }
        Ok(_) if !new_document => return,
        Ok(_) => {}
        Err(_) => return,
    }
    // A window keeps its realm through its first same-origin navigation, with a new
    // document: each document is watched once. (Looked for when a frame is inserted or
    // loads, not on every read of `contentWindow`, which editors do often.)
    let doc = get(w, "document");
    if dom::node_type(&doc) == 9 && get(&doc, MARK).is_undefined() {
        set_own(&doc, MARK, &JsValue::TRUE);
        listen(&doc);
        super::activation::observe(doc.unchecked_ref());
        // Seen after its parser ran (a srcdoc loaded): its iframes so far, and what it
        // holds, released if allowed already (a srcdoc cleaned before consent, loaded
        // again after it: a moved frame reloads).
        adopt_all(&doc);
        if doc
            .unchecked_ref::<web_sys::Document>()
            .query_selector(interceptor::AUTO_SELECTOR)
            .ok()
            .flatten()
            .is_some()
        {
            dom::when_parsed(super::activation::refresh);
        }
    }
}

/// Patch the realm of an iframe element's window, if it is same-origin and there now.
pub fn adopt(frame: &Element) {
    if matches!(frame.tag_name().as_str(), "IFRAME" | "OBJECT" | "FRAME") {
        adopt_document(&get(frame, "contentDocument"), true);
    }
}

/// Adopt the window of a frame's document (`null` for a cross-origin frame, whose
/// window would throw at every look).
fn adopt_document(doc: &JsValue, new_document: bool) {
    if doc.is_object() {
        adopt_window(&get(doc, "defaultView"), new_document);
    }
}

/// Remember an iframe about to go in (see [`adopt_pending`]).
pub fn pending(frame: &Element) {
    if frame.is_connected() {
        adopt(frame);
    } else {
        PENDING.with(|p| p.borrow_mut().push(frame.clone()));
    }
}

/// Adopt the iframes remembered by [`pending`], now that the insertion is done.
pub fn adopt_pending() {
    let list = PENDING.with(|p| core::mem::take(&mut *p.borrow_mut()));
    for f in list.iter().filter(|f| f.is_connected()) {
        adopt(f);
    }
}

/// Adopt every iframe of the document `node` is in (after an HTML string made some).
pub fn adopt_all(node: &JsValue) {
    let doc = if dom::node_type(node) == 9 {
        node.clone()
    } else {
        get(node, "ownerDocument")
    };
    if let Some(d) = dom::as_node(&doc) {
        for f in &dom::query_all(d, "iframe") {
            adopt(f);
        }
    }
}

/// The frames' windows keksi patched that are still there and same-origin (the list
/// pruned of the others). Nothing is borrowed while the windows are read.
fn live() -> Vec<JsValue> {
    let list = REALMS.with(|r| r.borrow().clone());
    let mut kept = Vec::new();
    // By reference (kept ones cloned): a consuming loop is an `IntoIter` of its own.
    for w in &list {
        if !get(w, "closed").is_truthy() && dom::node_type(&get(w, "document")) == 9 {
            kept.push(w.clone());
        }
    }
    REALMS.with(|r| r.borrow_mut().retain(|w| kept.contains(w)));
    kept
}

/// The documents of the frames keksi patched that are still there.
pub fn documents() -> Vec<web_sys::Node> {
    let mut out = Vec::new();
    for w in &live() {
        out.push(get(w, "document").unchecked_into());
    }
    out
}

/// Whether `storage` is the `localStorage` of a patched frame (the same storage as the
/// page's, through another object).
pub fn is_local_storage(storage: &JsValue) -> bool {
    for w in &live() {
        if get(w, "localStorage") == *storage {
            return true;
        }
    }
    false
}

/// In realm `w`: adopt the windows that `contentWindow` and `contentDocument` hand out.
fn watch(w: &JsValue) {
    // `<object>` and `<frame>` documents are frames too. A window the page opens on
    // `about:blank` (a pop-under written by script) shares the cookie jar as well (`open`
    // on the window itself: a global object's operations are its own properties).
    super::patch::install(
        w,
        &[
            ("gHTMLIFrameElement contentWindow", content_window),
            ("gHTMLIFrameElement contentDocument", content_document),
            ("gHTMLObjectElement contentWindow", content_window),
            ("gHTMLObjectElement contentDocument", content_document),
            ("gHTMLFrameElement contentWindow", content_window),
            ("gHTMLFrameElement contentDocument", content_document),
            ("m open", open),
        ],
    );
}

/// The trap of `contentWindow`'s getter. The window is reached through the document: a
/// cross-origin frame's is `null`, without the exception its window would throw.
fn content_window(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    adopt_document(&get(&this, "contentDocument"), false);
    call(&target, &this, &args)
}

/// The trap of `contentDocument`'s getter.
fn content_document(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let v = call(&target, &this, &args)?;
    adopt_document(&v, false);
    Ok(v)
}

/// The trap of `window.open`.
fn open(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let v = call(&target, &this, &args)?;
    adopt_window(&v, true);
    Ok(v)
}

/// Adopt the iframes that load a document in `doc`.
fn listen(doc: &JsValue) {
    let on_load = ON_LOAD.with(|l| {
        let mut l = l.borrow_mut();
        if l.is_none() {
            *l = callback(|_, _, args| {
                if let Some(el) = dom::as_element(&get(&args.get(0), "target")) {
                    adopt(el);
                }
                Ok(JsValue::UNDEFINED)
            });
        }
        l.clone()
    });
    // `load` does not reach the window from an element: listened for on the document.
    if let (Some(d), Some(f)) = (dom::as_node(doc), on_load) {
        dom::listen(d, "load", f.unchecked_ref(), true);
    }
}
