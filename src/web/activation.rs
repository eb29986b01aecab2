//! Declarative blocking (CONTRACT §3): marked scripts, iframes and images run or load
//! only when their category (and service) is allowed, without a reload.
//!
//! Scripts run in document order, one at a time: an external script finishes loading
//! (or fails) before the next marked script runs, as the parser would do. They start
//! once the document is parsed, like `defer` scripts.
#[allow(unused_imports)]
use crate::prelude::*;

use crate::single::Shared;
use core::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, MutationObserver, MutationObserverInit, MutationRecord, Node};

use super::interceptor::{self, AUTO_ATTR, IN_PLACE, PARSER};
use super::needs::Needs;
use super::{dom, late_events, placeholder, state, trusted};
use crate::core::hooks::{CONSENT_ATTR, SRC_ATTR, STATE_ATTR, TYPE_ATTR};
use crate::core::strings;

/// Elements keksi governs (a macro, for `WATCHED`).
macro_rules! marked {
    () => {
        "script[type=\"text/plain\"][data-consent],script[data-keksi-auto],iframe[data-consent],frame[data-consent],img[data-consent],source[data-consent],link[data-consent]"
    };
}
const MARKED: &str = marked!();
/// Elements the document observer looks at: governed ones, ones with a URL that may
/// name a tracker, and openers of the dialog (`ui::OPENERS`).
const WATCHED: &str = concat!(marked!(), ",", interceptor::live_urls!(), ",[data-keksi-open]");

/// What an element is waiting for, and whether it may go now.
enum Verdict {
    Allowed,
    Held,
    UnknownCategory,
}

/// The document observer and the callback it owns. The callback takes a `JsValue`, as
/// the cookie store's does: each closure signature costs its own glue in keksi.js.
type Observer = (MutationObserver, Closure<dyn FnMut(JsValue)>);

crate::single::local! {
    // A Vec, not a VecDeque: the queue holds a page's few marked scripts, and VecDeque
    // would add ~1 KB of code to keksi.js. The next script last (taken by `pop`: no
    // `Vec::remove` in keksi.js).
    static QUEUE: Shared<Vec<Element>> = const { Shared::new(Vec::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// Which wait the queue is in (see `wait_for`).
    static WAIT_TURN: Cell<u32> = const { Cell::new(0) };
    static OBSERVER: Shared<Option<Observer>> = const { Shared::new(None) };
}

fn verdict(el: &Element) -> Verdict {
    let needs = Needs::of(el);
    state::read(|s| {
        if s.settings.category(&needs.own().0).is_none() {
            Verdict::UnknownCategory
        } else if needs.met(s) {
            Verdict::Allowed
        } else {
            Verdict::Held
        }
    })
    .unwrap_or(Verdict::Held)
}

/// Watch the document for marked elements added after keksi.js (by the parser or by
/// other scripts).
pub fn install() {
    let Some(doc) = dom::document() else { return };
    let cb = Closure::wrap(Box::new(|records: JsValue| {
        // A MutationObserver hands over an array of records.
        let records = records.unchecked_into::<js_sys::Array>();
        let mut watched = Vec::new();
        let parked = placeholder::any();
        for r in records.iter() {
            // A MutationObserver hands over MutationRecords only.
            let r = r.unchecked_into::<MutationRecord>();
            let nodes = r.added_nodes();
            for i in 0..nodes.length() {
                if let Some(n) = nodes.item(i).filter(|n| n.node_type() == Node::ELEMENT_NODE) {
                    let el = n.unchecked_ref::<Element>();
                    dom::self_and_below_into(&mut watched, el, WATCHED);
                    // A declarative shadow root the parser filled (a server-rendered web
                    // component): watched like the document, what it holds so far now.
                    if let Some(root) = el.shadow_root() {
                        observe(&root);
                        dom::query_all_into(&mut watched, &root, WATCHED);
                    }
                }
            }
            // A held iframe the page took away (a framework unmounting it) takes its
            // placeholder with it.
            let gone = if parked { r.removed_nodes() } else { continue };
            for i in 0..gone.length() {
                if let Some(n) = gone.item(i).filter(|n| n.node_type() == Node::ELEMENT_NODE) {
                    for f in &dom::self_and_below(n.unchecked_ref::<Element>(), placeholder::PARKED) {
                        placeholder::forget(f);
                    }
                }
            }
        }
        // Frames first: the parser's iframe is already loading, and in another process
        // its document runs as soon as it arrives. Only taking the frame out of the
        // document stops that, so no other work may come before it.
        // Two passes over one list, not `partition` and `chain` (code of their own).
        for &frames in &[true, false] {
            for e in &watched {
                if dom::is_tag(e, "IFRAME") == frames {
                    handle_watched(e);
                }
            }
        }
        pump();
    }) as Box<dyn FnMut(JsValue)>);
    let Ok(obs) = MutationObserver::new(cb.as_ref().unchecked_ref()) else {
        return;
    };
    OBSERVER.with(|o| *o.borrow_mut() = Some((obs, cb)));
    observe(&doc);
}

/// Watch `doc` too (the page's document, or a same-origin frame's, where only iframes
/// are looked at: see `handle_watched`).
pub fn observe(doc: &Node) {
    let opts = MutationObserverInit::new();
    opts.set_child_list(true);
    opts.set_subtree(true);
    OBSERVER.with(|o| {
        if let Some((obs, _)) = o.borrow().as_ref() {
            let _ = obs.observe_with_options(doc, &opts);
        }
    });
}

/// Stop watching and drop queued scripts.
pub fn uninstall() {
    OBSERVER.with(|o| {
        if let Some((obs, _)) = o.borrow_mut().take() {
            obs.disconnect();
        }
    });
    QUEUE.with(|q| q.borrow_mut().clear());
    BUSY.with(|b| b.set(false));
}

fn handle_watched(el: &Element) {
    // In a same-origin frame's document, only the realms of the iframes its parser puts
    // in: what else the frame holds comes through its patched methods.
    if el.owner_document() != dom::document() {
        if dom::is_tag(el, "IFRAME") {
            super::frames::adopt(el);
        }
        return;
    }
    if el.has_attribute(crate::core::hooks::OPEN_ATTR) {
        super::ui::mark_opener(el);
    }
    // A tracker the parser (or anything unpatched) put in is held first, which marks it.
    interceptor::scan_one(el, PARSER);
    if el.matches(MARKED).unwrap_or(false) {
        handle(el);
    }
}

/// Re-check every marked element of the document against the current choice, then run
/// the scripts that became allowed.
pub fn refresh() {
    let Some(doc) = dom::document() else { return };
    // Then same-origin frames' documents: what they hold is released when allowed (held
    // frames in them get no placeholder: its stylesheet belongs to the page's document),
    // except elements listed as detached, which `release_detached` releases.
    let mut docs = super::frames::documents();
    docs.insert(0, doc.into());
    for (i, d) in docs.iter().enumerate() {
        for el in &dom::query_all(d, MARKED) {
            if i == 0 || (!interceptor::listed(el) && matches!(verdict(el), Verdict::Allowed)) {
                handle(el);
            }
        }
    }
    interceptor::release_detached();
    pump();
}

fn handle(el: &Element) {
    let tag = el.tag_name();
    if tag == "SCRIPT" {
        stamp(el);
    }
    let current = dom::attr(el, STATE_ATTR);
    match verdict(el) {
        Verdict::UnknownCategory => {
            if current.as_deref() != Some("unknown") {
                dom::set_attr(el, STATE_ATTR, "unknown");
                let mut m = String::from("keksi: data-consent=\"");
                m.push_str(&dom::attr_text(el, CONSENT_ATTR));
                m.push_str("\" names no category; the element stays blocked. Known categories are in the config.");
                dom::warn(&m);
            }
        }
        Verdict::Allowed => {
            if current.as_deref() == Some("on") || current.as_deref() == Some("queued") {
                return;
            }
            if tag == "SCRIPT" {
                dom::set_attr(el, STATE_ATTR, "queued");
                enqueue(el);
            } else {
                load(el);
            }
        }
        Verdict::Held => {
            let moved = tag != "SCRIPT" && current.as_deref() != Some("on") && url_to_data_src(el, &tag);
            if tag == "IFRAME" {
                let shown = current.as_deref() == Some("on") || moved;
                // A frame the parser started loading, or one that showed content, must
                // leave the document to stop (and loses its `src` while out): only a
                // never-loaded one may keep its context.
                let loaded = shown || dom::attr_is(el, AUTO_ATTR, PARSER);
                placeholder::hold(el, loaded);
            } else if tag == "FRAME" && (moved || current.as_deref() == Some("on")) {
                interceptor::unload_frame(el);
            } else if (tag == "IMG" || tag == "LINK") && current.as_deref() == Some("on") {
                dom::remove_attr(el, if tag == "LINK" { "href" } else { "src" });
                if el.has_attribute(DATA_SRCSET) {
                    dom::remove_attr(el, "srcset");
                }
            }
            // A script queued under a choice since withdrawn (its turn had not come: the
            // page still parsing, or an external one before it loading) leaves the queue.
            if tag == "SCRIPT" && current.as_deref() == Some("queued") {
                QUEUE.with(|q| q.borrow_mut().retain(|e| e != el));
            }
            if tag != "SCRIPT" || current.is_none() || current.as_deref() == Some("queued") {
                dom::set_attr(el, STATE_ATTR, "held");
            }
        }
    }
}

/// A marked image's responsive candidates, given as `srcset` when allowed.
const DATA_SRCSET: &str = "data-srcset";

/// An iframe, image or link marked with its real URL and no `data-src`: the URL moves to
/// `data-src`, so that it is held like any marked one (the browser may have fetched it
/// already; what it fetched neither shows nor runs). A `src` next to a `data-src` is the
/// page's own stand-in (a lazy-loading placeholder image) and stays. Whether it moved.
fn url_to_data_src(el: &Element, tag: &str) -> bool {
    let attr = if tag == "LINK" { "href" } else { "src" };
    if el.has_attribute(SRC_ATTR) {
        return false;
    }
    let Some(url) = el.get_attribute(attr) else { return false };
    dom::set_attr(el, SRC_ATTR, &url);
    dom::remove_attr(el, attr);
    // A stylesheet still loading may apply when it arrives (WebKit): out of the document
    // and back in, it has none.
    if tag == "LINK" {
        dom::reinsert(el, || ());
    }
    true
}

/// Attribute recording when keksi first saw a script: release follows arrival order.
pub const SEQ_ATTR: &str = "data-keksi-seq";

crate::single::local! {
    static SEQ: Cell<u32> = const { Cell::new(0) };
}

/// The next arrival number.
pub fn next_seq() -> u32 {
    SEQ.with(|s| {
        let n = s.get() + 1;
        s.set(n);
        n
    })
}

fn seq_of(el: &Element) -> u32 {
    dom::attr(el, SEQ_ATTR)
        .and_then(|v| crate::core::strings::parse_u32(&v))
        .unwrap_or(u32::MAX)
}

/// A script's arrival number, given on first sight.
pub fn stamp(el: &Element) {
    if !el.has_attribute(SEQ_ATTR) {
        let mut n = String::new();
        crate::core::json::push_u64(&mut n, u64::from(next_seq()));
        dom::set_attr(el, SEQ_ATTR, &n);
    }
}

/// Queue an allowed script in arrival order. Scripts inserted by other scripts often go
/// in *before* earlier ones (`insertBefore(s, firstScript)`), so document order would
/// run a plugin before its library.
fn enqueue(el: &Element) {
    let seq = seq_of(el);
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        // Latest arrival first; among equal numbers, the one queued first stays nearer
        // the end, so it runs first.
        let at = q.iter().position(|e| seq_of(e) <= seq).unwrap_or(q.len());
        q.insert(at, el.clone());
    });
}

/// Give an iframe or image its URL (and an image its `data-srcset` candidates), past
/// keksi's own `setAttribute` trap: it keeps its marks, so that a withdrawal holds it again.
fn load(el: &Element) {
    dom::set_attr(el, STATE_ATTR, "on");
    placeholder::release(el);
    // Before `src`, so that the browser fetches the candidate it picks, not `src` too.
    if let Some(set) = dom::attr(el, DATA_SRCSET).filter(|_| dom::is_tag(el, "IMG")) {
        interceptor::native_set(el, "srcset", &set);
    }
    let Some(src) = dom::attr(el, SRC_ATTR) else { return };
    interceptor::restore(el);
    if dom::is_tag(el, "LINK") {
        interceptor::native_set(el, "href", &src);
        return;
    }
    if dom::is_tag(el, "IFRAME") && dom::is_loading() {
        // Chromium ignores a src set on an iframe the parser is still inserting: the
        // frame stays about:blank. Set it once the document is parsed.
        let el = el.clone();
        dom::when_parsed(move || {
            interceptor::native_set(&el, "src", &src);
        });
    } else {
        interceptor::native_set(el, "src", &src);
    }
}

/// The script running now, if keksi released it after `doc` was parsed (marked, or a
/// held tracker's).
pub fn released_running(doc: &web_sys::Document) -> Option<Element> {
    if dom::text_prop(doc, "readyState") == "loading" {
        return None;
    }
    // Read as a plain property (no import of its own): an element or `null`.
    let script = super::patch::get(doc, "currentScript");
    let script: Element = script.is_object().then(|| script.unchecked_into())?;
    (script.is_connected() && dom::attr_is(&script, STATE_ATTR, "on")).then_some(script)
}

/// Whether every released script has run (none queued, none loading).
pub fn idle() -> bool {
    !BUSY.with(|b| b.get()) && QUEUE.with(|q| q.borrow().is_empty())
}

/// Run queued scripts in order; waits for an external one to load before the next.
/// Scripts wait until the document is parsed.
fn pump() {
    loop {
        // Checked on every pass: a released inline script may call keksi, whose own pump
        // can start an external script that this one must then wait for.
        if dom::is_loading() || BUSY.with(|b| b.get()) {
            return;
        }
        let Some(el) = QUEUE.with(|q| q.borrow_mut().pop()) else {
            // What they added for the page's load events, missed while they waited.
            late_events::flush();
            return;
        };
        late_events::watch();
        // The script may have been removed by the page meanwhile, or (fail closed) the
        // choice changed without a refresh reaching it.
        if !el.is_connected() {
            continue;
        }
        if !matches!(verdict(&el), Verdict::Allowed) {
            dom::set_attr(&el, STATE_ATTR, "held");
            continue;
        }
        for (c, v) in &Needs::of(&el).0 {
            super::api::note_ran(c.clone(), v.clone());
        }
        // A script that script created is released on itself: its own load handlers fire.
        // Script-created scripts keep their arrival order, whatever their `async`; but one
        // created `async` (as vendors' snippets make them) holds the next ones up for at
        // most `ASYNC_WAIT_MS`: a slow or hung vendor must not keep the others from running.
        if dom::attr_is(&el, AUTO_ATTR, IN_PLACE) {
            dom::set_attr(&el, STATE_ATTR, "on");
            let is_async = el.unchecked_ref::<web_sys::HtmlScriptElement>().r#async();
            if interceptor::release_in_place(&el) && will_load(&el) {
                wait_for(&el, is_async.then_some(ASYNC_WAIT_MS));
                return;
            }
            continue;
        }
        let Some(script) = clone_script(&el) else { continue };
        // Inline scripts run synchronously here, in our order.
        let _ = el.replace_with_with_node_1(&script);
        if script.has_attribute("src") && !script.has_attribute("async") && will_load(&script) {
            wait_for(&script, None);
            return;
        }
    }
}

/// Whether the browser fetches this script and so fires `load` or `error` for it: not
/// `nomodule` (skipped wherever modules run) and of a type that runs. Waiting for one that
/// never fires would hold every later script for good.
pub(super) fn will_load(script: &Element) -> bool {
    let t = dom::attr_text(script, "type").to_ascii_lowercase();
    let runs = t.is_empty() || t == "module" || strings::contains(&t, "javascript") || strings::contains(&t, "ecmascript");
    runs && !script.has_attribute("nomodule")
}

/// How long an `async` script that script created holds the next ones up, at most.
const ASYNC_WAIT_MS: i32 = 1500;

/// Hold the queue until `script` loads or fails, or `limit` ms have passed.
fn wait_for(script: &Element, limit: Option<i32>) {
    BUSY.with(|b| b.set(true));
    let turn = WAIT_TURN.with(|t| t.get().wrapping_add(1));
    WAIT_TURN.with(|t| t.set(turn));
    // Called by whichever comes first (load, error, the time limit); later calls are stale.
    // The `FnMut(JsValue)` type of keksi's other callbacks (glue is made per closure type,
    // `Fn()` cost 35 B gzip): it does not run inside itself, as the browser's `load`,
    // `error` and the timer each come as a task of their own (only a fake `load` that a
    // released script dispatched on this script could; that call, stale anyway, would
    // then throw in its listener instead of doing nothing).
    let next = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if WAIT_TURN.with(|t| t.get()) == turn && BUSY.with(|b| b.get()) {
            WAIT_TURN.with(|t| t.set(turn.wrapping_add(1)));
            BUSY.with(|b| b.set(false));
            pump();
        }
    })
    .into_js_value();
    let f = next.unchecked_ref::<js_sys::Function>();
    dom::listen(script, "load", f, false);
    dom::listen(script, "error", f, false);
    if let (Some(ms), Some(w)) = (limit, dom::window()) {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f, ms);
    }
}

/// A live copy of a marked script: same attributes (but `type`), text and nonce.
fn clone_script(el: &Element) -> Option<Element> {
    let doc = dom::document()?;
    let script = doc.create_element("script").ok()?;
    let attrs = el.attributes();
    for i in 0..attrs.length() {
        let Some(a) = attrs.item(i) else { continue };
        let name = dom::text_prop(&a, "name");
        if name == "type" || name == "src" || name == STATE_ATTR || name == AUTO_ATTR || name == SEQ_ATTR {
            continue;
        }
        dom::set_attr(&script, &name, &dom::text_prop(&a, "value"));
    }
    dom::set_attr(&script, STATE_ATTR, "on");
    if let Some(t) = dom::attr(el, TYPE_ATTR) {
        dom::set_attr(&script, "type", &t);
    }
    let src = el.get_attribute("src").or_else(|| dom::attr(el, SRC_ATTR));
    if let Some(src) = &src {
        super::patch::set(&script, "src", &trusted::make(trusted::SCRIPT_URL, src));
    }
    // The nonce attribute is hidden after parsing; the property keeps it.
    let own = el.dyn_ref::<HtmlElement>().map(|h| dom::text_prop(h, "nonce")).unwrap_or_default();
    let nonce = if own.is_empty() {
        state::read(|s| s.nonce.clone()).unwrap_or_default()
    } else {
        own
    };
    // Made by createElement("script") above: no runtime type checks.
    let s = script.unchecked_ref::<web_sys::HtmlScriptElement>();
    if !nonce.is_empty() {
        s.set_nonce(&nonce);
    }
    // Dynamically created scripts default to async; keksi keeps their order itself (an
    // `async` one keeps none, as in the HTML).
    if !el.has_attribute("async") {
        s.set_async(false);
    }
    if src.is_none() {
        super::patch::set(s, "text", &trusted::make(trusted::SCRIPT, &el.text_content().unwrap_or_default()));
    }
    Some(script)
}
