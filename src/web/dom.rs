//! The raw browser calls the rest of the browser layer uses, as tiny functions that
//! never panic: a missing window, body or API degrades to "do nothing".
#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Document, Element, EventTarget, ShadowRoot};

/// The window's document, if there is one.
pub fn document() -> Option<Document> {
    window()?.document()
}

/// The page's window. keksi runs in pages only, whose global object is one: no runtime
/// check (`web_sys::window()` costs an `instanceof` import in keksi.js).
pub fn window() -> Option<web_sys::Window> {
    Some(global().unchecked_into())
}

/// A string property of a URL, the page's `Location` or a document (`hostname`,
/// `readyState`), read as a plain property, as web-sys's getters read it too: no import
/// of its own for each.
pub fn text_prop(o: &JsValue, name: &str) -> String {
    super::patch::get(o, name).as_string().unwrap_or_default()
}

/// The page's `location`, read as a `URL` (`href`, `protocol`, `hostname`, `pathname`,
/// `search`: the same names on both, read by [`text_prop`]). On the page's own
/// `Location` they never throw (only another origin's does).
pub fn location() -> web_sys::Url {
    global().unchecked_into::<web_sys::Window>().location().unchecked_into()
}

/// The global object, `globalThis`: every engine keksi runs in has it (they all have
/// `TextEncoder.encodeInto`, which the loader needs, and came later). `js_sys::global()`
/// also tries `self`, `window` and `global`, four imports where one does.
pub fn global() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

crate::single::local! {
    /// The browser's own `Node.prototype.nodeType` getter, kept before any page script.
    static NODE_TYPE: crate::single::Shared<Option<js_sys::Function>> = const { crate::single::Shared::new(None) };
}

/// Keep the browser's own `nodeType` getter for [`node_type`]. Called at start-up.
pub fn keep_node_type() {
    let getter = super::patch::prototype_of(&global(), "Node")
        .map(|p| js_sys::Object::get_own_property_descriptor(&p, &"nodeType".into()))
        .and_then(|d| super::patch::method(&d, "get"));
    NODE_TYPE.with(|n| *n.borrow_mut() = getter);
}

/// `v`'s `nodeType` when it is a node, of this realm or a same-origin frame's (whose
/// nodes fail `instanceof Node`: their `Node` is the frame's); 0 for anything else. The
/// browser's own getter accepts any node and throws for anything else, whatever the
/// page made `v` look like (`instanceof` believes a prototype the page set).
pub fn node_type(v: &JsValue) -> u32 {
    if !v.is_object() {
        return 0;
    }
    // Borrowed while it runs: the browser's own getter runs nothing of the page's.
    NODE_TYPE
        .with(|n| n.borrow().as_ref().and_then(|f| f.call0(v).ok()))
        .and_then(|t| t.as_f64())
        .unwrap_or(0.0) as u32
}

/// `v` as a node of any realm (see [`node_type`]).
pub fn as_node(v: &JsValue) -> Option<&web_sys::Node> {
    (node_type(v) != 0).then(|| v.unchecked_ref())
}

/// `v` as an element of any realm (see [`node_type`]).
pub fn as_element(v: &JsValue) -> Option<&Element> {
    (node_type(v) == 1).then(|| v.unchecked_ref())
}

/// `console.error` with one message.
pub fn error(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(msg));
}

/// `console.warn` with one message.
pub fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

/// `console.info` with one message.
pub fn info(msg: &str) {
    web_sys::console::info_1(&JsValue::from_str(msg));
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// 16 random bytes (an id's) from `crypto.getRandomValues`; `Math.random` only where
/// the browser has no Web Crypto (the id is an identifier, not a secret). An array, not
/// a `Vec`: nothing to allocate and free.
pub fn random_bytes() -> [u8; 16] {
    let mut buf = [0u8; 16];
    // `crypto` read as a plain property (no import of its own): where it is missing,
    // the `getRandomValues` call throws and is caught, so `Math.random` fills `buf`.
    let crypto = super::patch::get(&global(), "crypto").unchecked_into::<web_sys::Crypto>();
    let ok = crypto.get_random_values_with_u8_array(&mut buf).is_ok();
    if !ok {
        for b in buf.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    buf
}

/// A JSON value as a plain JS object (via `JSON.parse`, smaller than a serializer).
pub fn to_js(value: &crate::core::json::Json) -> JsValue {
    js_sys::JSON::parse(&value.to_text()).unwrap_or(JsValue::NULL)
}

/// Dispatch a `CustomEvent` on `window`.
pub fn dispatch(name: &str, detail: &JsValue) {
    let Some(w) = window() else { return };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = w.dispatch_event(&ev);
    }
}

/// `document.readyState == "loading"`.
pub fn is_loading() -> bool {
    document().is_some_and(|d| text_prop(&d, "readyState") == "loading")
}

/// Run `f` once the document is parsed; if it already is, in a microtask, so that the
/// code right after keksi's start (a module's `keksi.init()` after its import) comes first.
pub fn when_parsed(f: impl FnOnce() + 'static) {
    when_parsed_boxed(Box::new(f));
}

/// [`when_parsed`] for one closure type: wasm-bindgen's glue for a closure is made per
/// type, ~0.1 KB of keksi.js for each caller's.
fn when_parsed_boxed(f: Box<dyn FnOnce()>) {
    let Some(doc) = document() else { return };
    // Called once (a microtask, or a `once` listener); an `FnMut(JsValue)` like keksi's
    // other callbacks rather than `Closure::once`, whose type has glue of its own.
    let mut f = Some(f);
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(f) = f.take() {
            f();
        }
    })
    .into_js_value();
    if text_prop(&doc, "readyState") != "loading" {
        if let Some(w) = window() {
            w.queue_microtask(cb.unchecked_ref());
        }
        return;
    }
    let opts = web_sys::AddEventListenerOptions::new();
    opts.set_once(true);
    let _ = doc.add_event_listener_with_callback_and_add_event_listener_options("DOMContentLoaded", cb.unchecked_ref(), &opts);
}

/// Set `node.innerHTML` to keksi's own markup (through its Trusted Types policy).
pub fn set_html(node: &JsValue, html: &str) {
    let html = super::trusted::make(super::trusted::HTML, html);
    if !super::interceptor::set_own_html(node, &html) {
        super::patch::set(node, "innerHTML", &html);
    }
}

/// Adopt a constructed stylesheet into a shadow root. Constructed sheets are not
/// subject to a CSP's `style-src`, unlike `<style>` elements and `style` attributes.
pub fn adopt_css(root: &ShadowRoot, css: &str) {
    let adopted = CssStyleSheet::new().and_then(|sheet| sheet.replace_sync(css).map(|_| sheet));
    match adopted {
        Ok(sheet) => {
            // A copy: some engines hand out a frozen array.
            let list = js_sys::Array::from(&root.adopted_style_sheets());
            list.push(&sheet);
            root.set_adopted_style_sheets(&list);
        }
        // Older engines: fall back to a <style> element.
        Err(_) => {
            if let Some(style) = root.owner_document().and_then(|d| d.create_element("style").ok()) {
                style.set_text_content(Some(css));
                let _ = root.append_child(&style);
            }
        }
    }
}

/// Take `el` out of the document and put it back in the same place at once, running
/// `while_out` in between: a frame or stylesheet that is loading stops, and what it
/// loaded goes. Out by a method keksi does not wrap, so no checks run on the way.
pub fn reinsert(el: &Element, while_out: impl FnOnce()) {
    let Some(parent) = el.parent_node() else { return };
    let next = el.next_sibling();
    el.remove();
    while_out();
    let _ = parent.insert_before(el, next.as_ref());
}

/// `el.setAttribute(name, value)`, an error (a Trusted Types refusal, say) ignored as
/// every caller ignores it: written once, not at each of ~30 callers.
#[inline(never)]
pub fn set_attr(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// `el.removeAttribute(name)`, an error ignored (see [`set_attr`]).
#[inline(never)]
pub fn remove_attr(el: &Element, name: &str) {
    let _ = el.remove_attribute(name);
}

/// `target.addEventListener(kind, f, capture)`, an error ignored: one import and one
/// call for every listener keksi adds (without `capture` it is `false`, as here).
#[inline(never)]
pub fn listen(target: &EventTarget, kind: &str, f: &js_sys::Function, capture: bool) {
    let _ = target.add_event_listener_with_callback_and_bool(kind, f, capture);
}

/// Whether `el` is a `tag` element (`tagName`, upper case for HTML): written once (not
/// inlined) for its callers.
#[inline(never)]
pub fn is_tag(el: &Element, tag: &str) -> bool {
    el.tag_name() == tag
}

/// Attribute value, if present.
pub fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name)
}

/// Whether attribute `name` is there with the value `value`: written once for its callers.
#[inline(never)]
pub fn attr_is(el: &Element, name: &str, value: &str) -> bool {
    el.get_attribute(name).as_deref() == Some(value)
}

/// Attribute value, empty when absent: written once for its many callers.
#[inline(never)]
pub fn attr_text(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

/// `el` itself when it matches `selector`, then its descendants that do, in document
/// order. Most elements a page adds are empty and match nothing: two calls into the page
/// (`matches`, `childElementCount`) settle those.
pub fn self_and_below(el: &Element, selector: &str) -> Vec<Element> {
    let mut out = Vec::new();
    self_and_below_into(&mut out, el, selector);
    out
}

/// [`self_and_below`] onto the end of `out`. The `_into` forms spare the callers that
/// gather several lists a `Vec::extend` (an instantiation of its own).
pub fn self_and_below_into(out: &mut Vec<Element>, el: &Element, selector: &str) {
    if el.matches(selector).unwrap_or(true) {
        out.push(el.clone());
    }
    if el.child_element_count() > 0 {
        query_all_into(out, el, selector);
    }
}

/// Elements matching `selector` under `root` (an element, a document or a fragment), in
/// document order; none for other nodes.
pub fn query_all(root: &web_sys::Node, selector: &str) -> Vec<Element> {
    let mut out = Vec::new();
    query_all_into(&mut out, root, selector);
    out
}

/// [`query_all`] onto the end of `out`.
pub fn query_all_into(out: &mut Vec<Element>, root: &web_sys::Node, selector: &str) {
    // One call whatever the kind of node (a text node has no `querySelectorAll`: the call
    // throws and is caught), and no type checks on what it finds: only elements match.
    let Ok(list) = root.unchecked_ref::<Queryable>().query_selector_all(selector) else {
        return;
    };
    // Loops, not iterator adapters, in this file and its callers: each adapter chain is
    // code of its own in keksi.js.
    for i in 0..list.length() {
        if let Some(n) = list.item(i) {
            out.push(n.unchecked_into::<Element>());
        }
    }
}

/// An event listener that removes itself when dropped (as gloo's `EventListener`).
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    // `JsValue`, not `Event`: one closure type for every callback keksi hands the page
    // (wasm-bindgen makes glue and shims per type).
    closure: Closure<dyn FnMut(JsValue)>,
}

impl Listener {
    /// Listen for `kind` on `target` (in the capture phase when `capture`). A plain `fn`,
    /// not a closure: one boxed closure type (one vtable, one wrapper) for every listener,
    /// and the wrapping and the `addEventListener` call written once.
    #[inline(never)]
    pub fn new(target: &EventTarget, kind: &'static str, capture: bool, f: fn(web_sys::Event)) -> Listener {
        let closure = Closure::wrap(Box::new(move |e: JsValue| f(e.unchecked_into())) as Box<dyn FnMut(JsValue)>);
        listen(target, kind, closure.as_ref().unchecked_ref(), capture);
        Listener {
            target: target.clone(),
            kind,
            capture,
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback_and_bool(self.kind, self.closure.as_ref().unchecked_ref(), self.capture);
    }
}

#[wasm_bindgen]
extern "C" {
    /// A node with `querySelectorAll` (web-sys has it per kind of node, each checked by
    /// `instanceof` before the call).
    #[wasm_bindgen(extends = web_sys::Node)]
    type Queryable;
    #[wasm_bindgen(method, catch, js_name = querySelectorAll)]
    fn query_selector_all(this: &Queryable, selectors: &str) -> Result<web_sys::NodeList, JsValue>;
}

/// Move keyboard focus to `el`. The browser's `focus()` does not throw, but a page may
/// replace it on the element or its prototype (the opener focus returns to is the page's):
/// what it throws is dropped here, so that it cannot unwind through keksi's state.
pub fn focus(el: &web_sys::HtmlElement) {
    let _ = el.focus();
}
