//! Automatic blocking (CONTRACT §4): known trackers never run or render, and when a
//! script inserts them they are never requested, until their category is allowed.
//!
//! The trick is to withhold the URL: wherever a tracker URL is about to reach a
//! `<script>`, `<iframe>`, `<img>` or `<link>` (the `src`/`href` setters,
//! `setAttribute`, insertion of nodes that already carry one, HTML strings, the parser),
//! keksi turns the element into the declarative form of CONTRACT §3 instead
//! (`data-consent`, `data-src`, scripts `type="text/plain"`), so nothing is fetched.
//! Release is then the same as for marked elements. Beacons (`sendBeacon`, `fetch`,
//! `XMLHttpRequest`) to tracker hosts are refused while not allowed.
#[allow(unused_imports)]
use crate::prelude::*;

use crate::single::Shared;

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

use super::needs::{Needs, TRACKER_ATTR, TRACKER_SERVICE_ATTR};
use super::patch::{call, call1, get, method, prototype_of, read_once, text};
use super::{dom, frames, state, trusted};
use crate::core::hooks::{CONSENT_ATTR, SERVICE_ATTR, SRC_ATTR, STATE_ATTR, TYPE_ATTR};
use crate::core::strings;
use crate::core::tags::{is_raw_text, start_tags, Tag};
use crate::core::trackers::{self, TrackerMatch};

/// Marks an element keksi holds automatically; the value says how to release it.
pub const AUTO_ATTR: &str = "data-keksi-auto";
/// Elements keksi holds automatically.
pub const AUTO_SELECTOR: &str = "[data-keksi-auto]";
/// Released by setting the URL on the same element (it was created by script).
pub const IN_PLACE: &str = "in-place";
/// Released by a live copy (the parser inserted it).
pub const PARSER: &str = "parser";
/// Marks a script from `innerHTML` & co.: browsers never run those, so keksi must not
/// run it on release either.
pub const INERT_ATTR: &str = "data-keksi-inert";
/// The `media` a held stylesheet had (WebKit may apply a parsed `<link>`'s sheet even
/// after its `href` is gone; `media="not all"` stops it in every engine).
const MEDIA_ATTR: &str = "data-keksi-media";
/// The `srcset` a held image had.
pub const SRCSET_ATTR: &str = "data-keksi-srcset";
/// Elements with a URL that may be held, and iframes (whose realm may need patching: see
/// `frames`). A macro, for `activation::WATCHED`.
macro_rules! live_urls {
    () => {
        "script[src],iframe,frame[src],img[src],img[srcset],source[srcset],link[href]"
    };
}
pub(crate) use live_urls;
const LIVE_URLS: &str = live_urls!();

crate::single::local! {
    /// The browser's own functions keksi's wrappers and release code call.
    static NATIVE: Shared<Option<Natives>> = const { Shared::new(None) };
    /// Held elements that are not in the document (`new Image()`, scripts not yet
    /// inserted): released directly when allowed.
    static DETACHED: Shared<Vec<Element>> = const { Shared::new(Vec::new()) };
}

struct Natives {
    set_attribute: Function,
    remove_attribute: Function,
    inner_html_set: Option<Function>,
    inner_html_get: Option<Function>,
    /// `ShadowRoot`'s own `innerHTML` setter (not `Element`'s).
    shadow_html_set: Option<Function>,
    /// `Request.prototype`'s `url` getter, as it was before the page could replace it.
    request_url: Option<Function>,
}

/// `setAttribute` as the browser made it: not keksi's trap, which would take a released
/// element's marks away as from one the page gave a URL of its own (see `unhold`).
pub(super) fn native_set(el: &Element, name: &str, value: &str) {
    native_set_value(el, name, &JsValue::from_str(value));
}

/// `setAttribute` as the browser made it, with any value (a trusted script URL).
fn native_set_value(el: &Element, name: &str, value: &JsValue) {
    let set = NATIVE.with(|n| n.borrow().as_ref().map(|n| n.set_attribute.clone()));
    let _ = match set {
        Some(f) => f.call2(el, &JsValue::from_str(name), value),
        None => el
            .set_attribute(name, &value.as_string().unwrap_or_default())
            .map(|_| JsValue::UNDEFINED),
    };
}

/// `removeAttribute` as the browser made it (the page may have wrapped it).
pub(super) fn native_remove(el: &Element, name: &str) {
    NATIVE.with(|n| match n.borrow().as_ref() {
        Some(n) => {
            let _ = n.remove_attribute.call1(el, &JsValue::from_str(name));
        }
        None => {
            dom::remove_attr(el, name);
        }
    });
}

/// What relative URLs resolve against (`document.baseURI`: a `<base href>` may point
/// anywhere, a tracker host included), whether it is the page's own address, where
/// relative URLs surely stay first-party (with any `<base>`, each URL is resolved), and
/// the page's location, which callers need too.
fn base_url() -> Option<(String, bool, web_sys::Url)> {
    // A plain property read (`document.baseURI` never throws): no import of its own.
    let doc = dom::document()?;
    let base = get(&doc, "baseURI").as_string()?;
    let loc = dom::location();
    let own = dom::text_prop(&loc, "href") == base;
    Some((base, own, loc))
}

/// The host and path of a URL as the browser will request it: the browser's own URL
/// parser resolves relative URLs (against the document's base URL), backslashes, tabs,
/// dot segments, percent-encoding and IDNA (full-width dots) exactly as the request will.
/// `None` for non-http(s) URLs and the page's own host.
fn request_host(url: &str) -> Option<(String, String)> {
    let (base, own_base, loc) = base_url()?;
    if own_base && trackers::surely_same_origin(url) {
        return None;
    }
    let u = web_sys::Url::new_with_base(url, &base).ok()?;
    let proto = dom::text_prop(&u, "protocol");
    if proto != "http:" && proto != "https:" {
        return None;
    }
    let host = dom::text_prop(&u, "hostname");
    (host != dom::text_prop(&loc, "hostname")).then(|| (host, dom::text_prop(&u, "pathname")))
}

/// The tracker this URL belongs to: any (`all`), or only one not allowed now.
pub(super) fn tracker_of(url: &str, all: bool) -> Option<TrackerMatch> {
    let (host, path) = request_host(url)?;
    state::judge(|s, c| {
        trackers::match_host(s, &host, Some(&path))
            .filter(|m| all || !crate::core::consent::allowed(s, c, &m.category, m.service.as_deref()))
    })
}

/// A tracker this URL belongs to that is not allowed now.
fn blocked(url: &str) -> Option<TrackerMatch> {
    tracker_of(url, false)
}

fn url_attr(tag: &str) -> Option<&'static str> {
    match tag {
        "SCRIPT" | "IFRAME" | "FRAME" | "IMG" => Some("src"),
        "LINK" => Some("href"),
        _ => None,
    }
}

fn debug(what: &str, el: &Element, url: &str) {
    state::debug(&[what, &el.tag_name().to_ascii_lowercase(), url]);
}

/// Turn an element into its held, declarative form. `how` is [`IN_PLACE`] or [`PARSER`].
fn hold(el: &Element, url: &str, m: &TrackerMatch, how: &str) {
    let tag = el.tag_name();
    // Held for this URL now: a value kept from an earlier setter is not its own.
    super::patch::set_own(el, GIVEN, &JsValue::UNDEFINED);
    // One the page marked itself (its `data-consent`, a script's `text/plain`) stays held
    // whatever URL it is given next (see `unhold`).
    let marked = page_marked(el);
    if marked {
        super::patch::set_own(el, MARKED, &JsValue::TRUE);
    }
    // The page's marking stays; the tracker's category goes next to it (see `needs`).
    let (cat, svc) = if marked {
        (TRACKER_ATTR, TRACKER_SERVICE_ATTR)
    } else {
        (CONSENT_ATTR, SERVICE_ATTR)
    };
    if tag == "IFRAME" && how == PARSER && el.is_connected() {
        // Stop the frame before anything else (see `placeholder::park`).
        super::placeholder::park(el, true);
    }
    if tag == "FRAME" && how == PARSER {
        unload_frame(el);
    }
    if let Some(attr) = url_attr(&tag) {
        native_remove(el, attr);
    }
    name_tracker(el, cat, svc, Some(m));
    native_set(el, SRC_ATTR, url);
    native_set(el, AUTO_ATTR, how);
    if tag == "SCRIPT" && !el.has_attribute(super::activation::SEQ_ATTR) {
        let mut n = String::new();
        crate::core::json::push_u64(&mut n, u64::from(super::activation::next_seq()));
        native_set(el, super::activation::SEQ_ATTR, &n);
    }
    if !el.has_attribute("title") && tag == "IFRAME" {
        native_set(el, "title", &m.vendor);
    }
    if tag == "SCRIPT" {
        if let Some(t) = el.get_attribute("type").filter(|t| !t.is_empty() && t != "text/plain") {
            native_set(el, TYPE_ATTR, &t);
        }
        native_set(el, "type", "text/plain");
    }
    if tag == "LINK" && !el.has_attribute(MEDIA_ATTR) {
        native_set(el, MEDIA_ATTR, &dom::attr_text(el, "media"));
        native_set(el, "media", "not all");
    }
    if tag == "IMG" {
        if let Some(set) = el.get_attribute("srcset") {
            native_set(el, SRCSET_ATTR, &set);
            native_remove(el, "srcset");
        }
    }
    // Listed once, however often the page sets its URL again (a pixel reused).
    if !in_document(el) && get(el, LISTED).is_undefined() {
        super::patch::set_own(el, LISTED, &JsValue::TRUE);
        DETACHED.with(|d| {
            let mut d = d.borrow_mut();
            // Not the elements of a frame taken away: they would keep its document alive.
            // Looked for as the list doubles, so that holding stays O(1) amortised.
            if d.len() >= 32 && d.len().is_power_of_two() {
                d.retain(|e| e.owner_document().is_some_and(|doc| get(&doc, "defaultView").is_object()));
            }
            d.push(el.clone());
        });
    }
    debug("held", el, url);
}

/// Stop a frameset's `<frame>` and drop its document: only leaving the document does
/// (no placeholder: a frameset shows nothing but frames). It comes back without its `src`.
pub(super) fn unload_frame(el: &Element) {
    dom::reinsert(el, || native_remove(el, "src"));
}

/// Whether the page marked `el` itself: it was so when keksi first held it, or it carries
/// a `data-consent` keksi did not give it.
fn page_marked(el: &Element) -> bool {
    !get(el, MARKED).is_undefined() || (el.has_attribute(CONSENT_ATTR) && !el.has_attribute(AUTO_ATTR))
}

/// Give `el` the tracker's category and service in `cat` and `svc`; without a tracker,
/// take them away. Not a service of a tracker it was given before.
fn name_tracker(el: &Element, cat: &str, svc: &str, m: Option<&TrackerMatch>) {
    match m {
        Some(m) => native_set(el, cat, &m.category),
        None => native_remove(el, cat),
    }
    match m.and_then(|m| m.service.as_deref()) {
        Some(s) => native_set(el, svc, s),
        None => native_remove(el, svc),
    }
}

/// Hold `el` if it carries (or is about to get) a blocked tracker URL. Returns whether
/// it was held. A tracker script or iframe let through (its category allowed already, as
/// on a load with a stored choice) is noted as run: withdrawing that choice reloads the
/// page, as it does for a script keksi released.
fn check(el: &Element, url: &str, how: &str) -> bool {
    match blocked(url) {
        Some(m) => {
            hold(el, url, &m, how);
            true
        }
        None => {
            // One the page marked keeps the tracker's category (allowed now) next to its own
            // all the same, or loses that of one it no longer has: it waits for both again
            // after a withdrawal, and is noted as run for both (see `needs`).
            if page_marked(el) {
                name_tracker(el, TRACKER_ATTR, TRACKER_SERVICE_ATTR, tracker_of(url, true).as_ref());
                return false;
            }
            // Once per element, as its URL is given (not only once it is in a document: a
            // same-origin frame's insertion is seen before, and never again; one never
            // inserted reloads for nothing, which is the safe way to be wrong). Not one the
            // page marked: a marked script runs, and is noted, only when keksi releases
            // it, and a marked iframe is held again on a withdrawal. What an unmarked
            // iframe shows goes only with a reload.
            let noted = matches!(el.tag_name().as_str(), "SCRIPT" | "IFRAME" | "FRAME") && !el.has_attribute(CONSENT_ATTR);
            if noted && get(el, NOTED).is_undefined() {
                if let Some(m) = tracker_of(url, true) {
                    super::patch::set_own(el, NOTED, &JsValue::TRUE);
                    super::api::note_ran(m.category, m.service);
                }
            }
            false
        }
    }
}

/// Hold every element with a live tracker URL in `node` and below it.
pub fn scan(node: &Node, how: &str) {
    let Some(el) = dom::as_element(node) else {
        if dom::node_type(node) == u32::from(Node::DOCUMENT_FRAGMENT_NODE) {
            for e in &dom::query_all(node, LIVE_URLS) {
                scan_one(e, how);
            }
        }
        return;
    };
    for e in &dom::self_and_below(el, LIVE_URLS) {
        scan_one(e, how);
    }
}

/// Hold `el` if its URL names a tracker not allowed; `how` as for [`hold`].
pub fn scan_one(el: &Element, how: &str) {
    let tag = el.tag_name();
    if tag == "SCRIPT" && el.has_attribute(INERT_ATTR) {
        return;
    }
    if tag == "IFRAME" {
        clean_srcdoc(el);
        frames::pending(el);
    }
    check_el(el, how);
}

/// Hold `el` if its URL or a `srcset` candidate names a tracker not allowed; whether
/// it did.
fn check_el(el: &Element, how: &str) -> bool {
    let tag = el.tag_name();
    if let Some(url) = url_attr(&tag).and_then(|a| el.get_attribute(a)) {
        if check(el, &url, how) {
            return true;
        }
    }
    match el.get_attribute("srcset") {
        Some(set) if tag == "IMG" || tag == "SOURCE" => check_srcset(el, &set, how),
        _ => false,
    }
}

/// Whether a document made from HTML given to `this` runs scripts: not a `srcdoc` frame
/// sandboxed without `allow-scripts`.
fn scripting_in(this: &JsValue) -> bool {
    dom::as_element(this)
        .and_then(|e| e.get_attribute("sandbox"))
        .is_none_or(|s| strings::contains_ignore_case(&s, "allow-scripts"))
}

/// Hold the trackers in an iframe's `srcdoc` (parsed as the page's own HTML, scripts
/// and all). Whether there were any.
fn clean_srcdoc(el: &Element) -> bool {
    let Some(clean) = el.get_attribute("srcdoc").and_then(|html| sanitize(&html, true, scripting_in(el))) else {
        return false;
    };
    // The browser accepted the page's srcdoc once: keksi's policy may vouch for less of it.
    native_set_value(el, "srcdoc", &trusted::make(trusted::HTML, &clean));
    true
}

/// Hold an image whose `srcset` names a blocked tracker (any of its candidates).
fn check_srcset(el: &Element, srcset: &str, how: &str) -> bool {
    for candidate in strings::pieces(srcset, b',') {
        let url = candidate_url(candidate);
        if let Some(m) = blocked(url) {
            // Held already for a tracker `src` (not one taken from a srcset kept aside): that
            // stays its URL, and it waits for this srcset's trackers too (see `needs`).
            let for_src = el.has_attribute(AUTO_ATTR)
                && !el.has_attribute("src")
                && !strings::contains(&dom::attr_text(el, SRCSET_ATTR), &dom::attr_text(el, SRC_ATTR));
            // Never give the element the srcset itself: WebKit starts loading at once.
            native_set(el, SRCSET_ATTR, srcset);
            native_remove(el, "srcset");
            if for_src {
                return true;
            }
            // The image's own `src`, when it is no tracker, stays (it shows meanwhile) and
            // is what it is released with; only the srcset waits.
            let own = el
                .get_attribute("src")
                .filter(|s| !strings::trim_ascii_ws(s).is_empty() && blocked(s).is_none());
            hold(el, own.as_deref().unwrap_or(url), &m, how);
            if let Some(own) = own {
                native_set(el, "src", &own);
            }
            return true;
        }
    }
    false
}

/// A `srcset` candidate's URL: up to the first white space after trimming, white space
/// being ASCII's, as the HTML srcset parser reads it.
pub(super) fn candidate_url(candidate: &str) -> &str {
    strings::until_any(strings::trim_ascii_ws(candidate), b" \t\n\x0c\r")
}

/// Give a released element back what holding it took besides its URL.
pub fn restore(el: &Element) {
    if let Some(media) = el.get_attribute(MEDIA_ATTR) {
        if media.is_empty() {
            native_remove(el, "media");
        } else {
            native_set(el, "media", &media);
        }
        native_remove(el, MEDIA_ATTR);
    }
    if let Some(set) = el.get_attribute(SRCSET_ATTR) {
        native_set(el, "srcset", &set);
        native_remove(el, SRCSET_ATTR);
    }
}

/// Where a script held from a setter keeps the value the page gave (a string or the
/// page's own `TrustedScriptURL`): it is released with that, never with a value keksi's
/// Trusted Types policy made of a string the browser has not accepted.
const GIVEN: &str = "__keksiGiven";

/// Keep `v` for `el`'s release when `el` is a script (see [`GIVEN`]).
fn keep_given(el: &Element, v: &JsValue) {
    if dom::is_tag(el, "SCRIPT") {
        super::patch::set_own(el, GIVEN, v);
    }
}

/// Release a held element on its own (not through the marked-script queue): give it
/// back its type and URL. Whether the URL went in (and so the element will load).
pub fn release_in_place(el: &Element) -> bool {
    let Some(url) = el.get_attribute(SRC_ATTR) else { return false };
    let tag = el.tag_name();
    native_remove(el, AUTO_ATTR);
    if tag == "SCRIPT" {
        match el.get_attribute(TYPE_ATTR) {
            Some(t) => native_set(el, "type", &t),
            None => native_remove(el, "type"),
        }
    }
    restore(el);
    // Released: a refresh (or the observer, once it is inserted) must not load it again.
    native_set(el, STATE_ATTR, "on");
    let Some(attr) = url_attr(&tag) else { return false };
    if tag == "SCRIPT" {
        // A URL that was in the document (parsed, or set as an attribute before it was
        // inserted) was accepted once: keksi's policy may vouch for it again.
        let given = get(el, GIVEN);
        let v = if given.is_undefined() {
            trusted::make(trusted::SCRIPT_URL, &url)
        } else {
            given
        };
        native_set_value(el, attr, &v);
    } else {
        native_set(el, attr, &url);
    }
    debug("released", el, &url);
    // Refused (a Trusted Types policy said no): no load will come.
    el.has_attribute(attr)
}

/// Release held elements outside the document whose category is now allowed.
pub fn release_detached() {
    // Taken out while it is walked: nothing is borrowed while the page's DOM is read.
    let list = DETACHED.with(|d| core::mem::take(&mut *d.borrow_mut()));
    let mut kept = Vec::new();
    // Lists of elements walked by reference (the survivors cloned): a consuming loop is
    // an `IntoIter` of its own in keksi.js.
    for el in &list {
        // Released meanwhile, or now in the document, where the observer governs it.
        if !el.has_attribute(AUTO_ATTR) || in_document(el) {
            super::patch::set_own(el, LISTED, &JsValue::UNDEFINED);
            continue;
        }
        let needs = Needs::of(el);
        if state::read(|s| needs.met(s)).unwrap_or(false) {
            release_in_place(el);
            super::patch::set_own(el, LISTED, &JsValue::UNDEFINED);
        } else {
            kept.push(el.clone());
        }
    }
    DETACHED.with(|d| {
        let mut d = d.borrow_mut();
        for el in &kept {
            d.push(el.clone());
        }
    });
}

/// The property marking a tracker script or iframe let through as noted (see [`check`]).
const NOTED: &str = "__keksiNoted";

/// The property marking an element the page marked before keksi held it (see [`hold`]).
const MARKED: &str = "__keksiMarked";

/// The property marking an element as in `DETACHED`.
const LISTED: &str = "__keksiListed";

/// Whether `el` is listed as held outside the document (released by [`release_detached`]).
pub fn listed(el: &Element) -> bool {
    !get(el, LISTED).is_undefined()
}

/// In the document's own tree: connected and not inside a shadow root, which the
/// document's observer does not see into. Elements outside it (detached, or in a web
/// component's shadow root) are released from `DETACHED` instead.
fn in_document(el: &Element) -> bool {
    el.is_connected() && dom::document().is_some_and(|d| d.contains(Some(el)))
}

/// A URL setter's trap (`srcset`'s when `srcset`): hold the element when the URL is a
/// blocked tracker; else set it.
fn hold_or_set(target: Function, this: JsValue, args: Array, srcset: bool) -> Result<JsValue, JsValue> {
    let Some(el) = dom::as_element(&this) else {
        return call(&target, &this, &args);
    };
    let v = args.get(0);
    let value = text(&v)?;
    let held = if srcset {
        check_srcset(el, &value, IN_PLACE)
    } else {
        check(el, &value, IN_PLACE)
    };
    if held {
        keep_given(el, &v);
        return Ok(JsValue::UNDEFINED);
    }
    if !srcset {
        unhold(el, &value);
    }
    read_once(&args, 0, &value);
    call(&target, &this, &args)
}

/// The page gives an element keksi holds for its URL a URL that is no blocked tracker
/// (its own: a loader's fallback, an iframe stopped with `about:blank`): that URL is what
/// it loads, now (a script held as `text/plain` would never run) and after consent (which
/// would put the tracker back). It loses what holding gave it. Not one held for a
/// `srcset` kept aside, which may name a tracker still: the URL given is the one it is
/// released with (not an older one). One the page marked keeps its marking: it waits for
/// its own category, as the page asked, with its new URL.
fn unhold(el: &Element, url: &str) {
    if !el.has_attribute(AUTO_ATTR) {
        return;
    }
    if el.has_attribute(SRCSET_ATTR) {
        native_set(el, SRC_ATTR, url);
        return;
    }
    // The tracker's category of one the page marked follows its new URL (see `check`).
    for a in &[AUTO_ATTR, SRC_ATTR] {
        native_remove(el, a);
    }
    restore(el);
    if !get(el, MARKED).is_undefined() {
        return;
    }
    for a in &[CONSENT_ATTR, SERVICE_ATTR, STATE_ATTR] {
        native_remove(el, a);
    }
    if dom::is_tag(el, "SCRIPT") {
        match el.get_attribute(TYPE_ATTR) {
            Some(t) => native_set(el, "type", &t),
            None => native_remove(el, "type"),
        }
        native_remove(el, TYPE_ATTR);
    }
    super::placeholder::release(el);
}

/// `setAttribute(name, value)` (or `setAttributeNS(null, name, value)`: `at` 1): a
/// tracker URL is held, a held script keeps `text/plain`; anything else goes on.
fn set_attribute(target: Function, this: JsValue, args: Array, at: u32) -> Result<JsValue, JsValue> {
    let Some(el) = dom::as_element(&this) else {
        return call(&target, &this, &args);
    };
    let raw = text(&args.get(at))?;
    // The name keksi judged is the one the browser gets.
    read_once(&args, at, &raw);
    let name = raw.to_ascii_lowercase();
    let tag = el.tag_name();
    let is_url = url_attr(&tag) == Some(name.as_str()) || (name == "srcset" && (tag == "IMG" || tag == "SOURCE"));
    let is_type = name == "type" && tag == "SCRIPT";
    // Without a value the browser throws, as it should.
    if args.length() < at + 2 {
        return call(&target, &this, &args);
    }
    if name == "srcdoc" && tag == "IFRAME" {
        sanitize_arg(&args, at + 1, true, scripting_in(&this))?;
        return call(&target, &this, &args);
    }
    if !is_url && !is_type {
        return call(&target, &this, &args);
    }
    let v = args.get(at + 1);
    let value = text(&v)?;
    let held = if name == "srcset" {
        check_srcset(el, &value, IN_PLACE)
    } else {
        is_url && check(el, &value, IN_PLACE)
    };
    if is_url && !held && name != "srcset" {
        unhold(el, &value);
    }
    // A held script keeps `text/plain`; the type asked for is kept for its release.
    if held || (is_type && el.has_attribute(AUTO_ATTR)) {
        if held {
            keep_given(el, &v);
        } else {
            native_set(el, TYPE_ATTR, &value);
        }
        return Ok(JsValue::UNDEFINED);
    }
    read_once(&args, at + 1, &value);
    call(&target, &this, &args)
}

/// GTM-style code sets `src`, then resets `type`: a held script keeps `text/plain`, the
/// type asked for is kept for its release.
fn script_type(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    if let Some(el) = dom::as_element(&this).filter(|e| e.has_attribute(AUTO_ATTR)) {
        native_set(el, TYPE_ATTR, &text(&args.get(0))?);
        return Ok(JsValue::UNDEFINED);
    }
    call(&target, &this, &args)
}

/// With no namespace, `setAttributeNS` sets the same attribute as `setAttribute`.
/// (`== null` matches `document.all` too, which the browser takes for the namespace
/// "[object HTMLAllCollection]": keksi then holds a URL that would not have loaded.
/// Nothing gets through either way.)
fn set_attribute_ns(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let ns = args.get(0);
    if ns.is_null_or_undefined() || ns == JsValue::from_str("") {
        return set_attribute(target, this, args, 1);
    }
    call(&target, &this, &args)
}

/// Keep the page's own functions (its realm comes first): they serve keksi in every realm.
/// The originals the patches return, and two never patched.
fn keep_natives(realm: &JsValue, originals: &JsValue) {
    if NATIVE.with(|n| n.borrow().is_some()) {
        return;
    }
    let original = |key| get(originals, key).dyn_into::<Function>().ok();
    let set_attribute = original("Element.setAttribute");
    let remove = prototype_of(realm, "Element").and_then(|p| method(&p, "removeAttribute"));
    if let (Some(set_attribute), Some(remove_attribute)) = (set_attribute, remove) {
        let inner_html_get = prototype_of(realm, "Element")
            .and_then(|p| super::patch::descriptor(&p, "innerHTML"))
            .and_then(|d| method(&d, "get"));
        NATIVE.with(|n| {
            *n.borrow_mut() = Some(Natives {
                set_attribute,
                remove_attribute,
                inner_html_set: original("Element.innerHTML"),
                inner_html_get,
                shadow_html_set: original("ShadowRoot.innerHTML"),
                request_url: prototype_of(realm, "Request")
                    .and_then(|p| super::patch::descriptor(&p, "url"))
                    .and_then(|d| method(&d, "get")),
            })
        });
    }
}

/// Put keksi's own markup (the banner, the dialog, a placeholder) into an element or a
/// shadow root by the browser's own `innerHTML` setter, past keksi's trap: the markup
/// names no URL to hold (no script, iframe, image or link), and the trap's look at it
/// (the text copied into the WebAssembly, lower-cased and searched, by code compiled on
/// its first call: V8 compiles WebAssembly lazily) cost ~1–7 ms of the first visit's
/// DOMContentLoaded work (bench-stages, five runs). Returns whether it had the native
/// setter to call (not before the guards are installed: the caller then sets the property).
/// (An error, a Trusted Types refusal, is ignored, as `patch::set` ignores it.)
pub(super) fn set_own_html(node: &JsValue, html: &JsValue) -> bool {
    let element = dom::node_type(node) == 1;
    let set = NATIVE.with(|n| {
        let n = n.borrow();
        let n = n.as_ref()?;
        if element {
            n.inner_html_set.clone()
        } else {
            n.shadow_html_set.clone()
        }
    });
    set.map(|f| f.call1(node, html)).is_some()
}

/// Scan the node argument `at` (every argument: `None`) for trackers, then insert.
/// Not into a tree outside the document (a framework building bottom-up would have every
/// subtree scanned again at each level): scripts and frames load only once connected, and
/// that insertion scans the whole tree.
fn scan_then_call(target: Function, this: JsValue, args: Array, at: Option<u32>) -> Result<JsValue, JsValue> {
    let nodes: Vec<JsValue> = match at {
        Some(i) => vec![args.get(i)],
        None => {
            let mut all = Vec::new();
            for a in args.iter() {
                all.push(a);
            }
            all
        }
    };
    // Into a detached node, nothing loads yet: the connecting insertion scans. Not so into
    // a shadow root (the connecting insertion of its host does not look into it: a
    // component fills its shadow root when made), nor for a node from another document (a
    // DOMParser's), whose images start loading as it is adopted.
    if dom::as_node(&this).is_some_and(|n| {
        !n.is_connected() && get(&n.get_root_node(), "host").is_undefined() && {
            let doc = n.owner_document();
            nodes.iter().all(|m| dom::as_node(m).is_none_or(|m| m.owner_document() == doc))
        }
    }) {
        return call(&target, &this, &args);
    }
    for n in &nodes {
        if let Some(node) = dom::as_node(n) {
            scan(node, IN_PLACE);
        }
    }
    let r = call(&target, &this, &args);
    // Iframes that went in: their realms, before the page's next line can reach them.
    frames::adopt_pending();
    r
}

/// Parse an HTML string inertly (a `<template>`), hold the trackers in it, and give back
/// the string to use instead, or `None` when nothing was held (the page's own string then
/// goes on untouched, without a copy back out of the WebAssembly). `scripts_run` is false for
/// `innerHTML` and its kin, whose scripts never load or run: those are left as they are.
/// `scripting`: whether the document it lands in runs scripts, so that a `<noscript>`'s
/// content is text there (see [`parsed_elements`]).
pub fn sanitize(html: &str, scripts_run: bool, scripting: bool) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    if !strings::contains(&lower, "src") && !strings::contains(&lower, "href") {
        return None;
    }
    // Parsing costs as much as the page's own innerHTML again: only for text in which a
    // tracker host may be written (an unreadable config reads as "may"), or whose relative
    // URLs resolve against a `<base>` on another origin.
    let own_base = base_url().is_some_and(|(_, own, _)| own);
    if own_base && !state::read(|s| trackers::may_name_tracker(&s.settings, &lower)).unwrap_or(true) {
        return None;
    }
    let tpl = parse_inert(html)?;
    let content: Node = tpl.content().into();
    let els = parsed_elements(&content, scripting);
    if !hold_parsed(&els, scripts_run) {
        return None;
    }
    // Elements parsed from a string are not the ones that will live in the page.
    DETACHED.with(|d| d.borrow_mut().retain(|e| e.is_connected() || !content.contains(Some(e))));
    in_place(html, &els, scripts_run, scripting).or_else(|| {
        let get_html = NATIVE.with(|n| n.borrow().as_ref().and_then(|n| n.inner_html_get.clone()))?;
        get_html.call0(&tpl).ok()?.as_string()
    })
}

/// An HTML string parsed inertly into a fresh `<template>` (nothing in its content loads
/// or runs; keksi's Trusted Types policy may vouch for it).
fn parse_inert(html: &str) -> Option<web_sys::HtmlTemplateElement> {
    let set = NATIVE.with(|n| n.borrow().as_ref().and_then(|n| n.inner_html_set.clone()))?;
    let tpl = dom::document()?.create_element("template").ok()?;
    set.call1(&tpl, &trusted::make(trusted::HTML, html)).ok()?;
    // Made as a <template> above.
    Some(tpl.unchecked_into())
}

/// Elements a template holds, and the templates in it, in document order.
const IN_STRINGS: &str = "script,iframe,img,source,link,template";

/// The script, iframe, img and link elements of a parsed string, in the order of their
/// start tags, those in templates (declarative shadow roots) included. With `scripting`,
/// not those in a `<noscript>`: where scripts run, its content is text (and so it is to
/// `core::tags`), though an inert parse, which runs none, makes elements of it.
fn parsed_elements(root: &Node, scripting: bool) -> Vec<Element> {
    let mut out = Vec::new();
    parsed_elements_into(&mut out, root, scripting);
    out
}

/// [`parsed_elements`] onto the end of `out` (a template's into its parent's list).
fn parsed_elements_into(out: &mut Vec<Element>, root: &Node, scripting: bool) {
    for el in &dom::query_all(root, IN_STRINGS) {
        if scripting && el.closest("noscript").ok().flatten().is_some() {
            continue;
        }
        if dom::is_tag(el, "TEMPLATE") {
            parsed_elements_into(out, &el.unchecked_ref::<web_sys::HtmlTemplateElement>().content(), scripting);
        } else {
            out.push(el.clone());
        }
    }
}

/// Hold the trackers of a parsed HTML string, templates' contents included (a
/// declarative shadow root becomes one where the string lands); whether there were any.
/// `scripts_run` as for [`sanitize`].
fn hold_parsed(els: &[Element], scripts_run: bool) -> bool {
    let mut held = false;
    for el in els {
        let tag = el.tag_name();
        if tag == "IFRAME" {
            held |= clean_srcdoc(el);
        }
        if !scripts_run && tag == "SCRIPT" {
            // Never runs where it lands; mark it so the observer leaves it inert too.
            if !el.has_attribute(INERT_ATTR) && blocked(&dom::attr_text(el, "src")).is_some() {
                native_set(el, INERT_ATTR, "");
                held = true;
            }
            continue;
        }
        held |= check_el(el, PARSER);
    }
    held
}

/// The page's own `html` with only the start tags of the elements keksi changed in its
/// parse (`els`, from [`parsed_elements`]) written anew (see `core::tags`). `None` when the text and the parse
/// cannot be matched tag for tag (an `<svg>`, `<image>`), or when the result, parsed
/// again, would still let a tracker through: the parse is serialised instead.
fn in_place(html: &str, els: &[Element], scripts_run: bool, scripting: bool) -> Option<String> {
    let mut tags: Vec<Tag> = start_tags(html);
    tags.retain(|t| matches!(t.name.as_str(), "script" | "iframe" | "img" | "source" | "link"));
    if els.len() != tags.len() {
        return None;
    }
    let mut out = String::new();
    let mut at = 0;
    for (el, t) in els.iter().zip(&tags) {
        if dom::text_prop(el, "localName") != t.name {
            return None;
        }
        if el.has_attribute(AUTO_ATTR) || el.has_attribute(INERT_ATTR) || el.has_attribute("srcdoc") {
            out.push_str(html.get(at..t.start)?);
            push_start_tag(&mut out, el);
            at = t.end;
        }
    }
    out.push_str(html.get(at..)?);
    (!hold_parsed(&parsed_elements(&parse_inert(&out)?.content(), scripting), scripts_run)).then_some(out)
}

/// `<name a="v" …>` of an element's attributes as they are now.
fn push_start_tag(out: &mut String, el: &Element) {
    out.push('<');
    out.push_str(&dom::text_prop(el, "localName"));
    let attrs = el.attributes();
    for i in 0..attrs.length() {
        let Some(a) = attrs.item(i) else { continue };
        out.push(' ');
        out.push_str(&dom::text_prop(&a, "name"));
        out.push_str("=\"");
        crate::core::html::escape_into(out, &dom::text_prop(&a, "value"));
        out.push('"');
    }
    out.push('>');
}

/// Whether every argument is a trusted value (Trusted Types): a loop, written once, not
/// an `all` adapter per caller.
fn all_trusted(args: &Array) -> bool {
    for a in args.iter() {
        if !trusted::is_trusted(&a) {
            return false;
        }
    }
    true
}

/// Sanitize argument `i`; whether its text names an iframe (see [`html_then_call`]).
fn sanitize_arg(args: &Array, i: u32, scripts_run: bool, scripting: bool) -> Result<bool, JsValue> {
    let v = args.get(i);
    if !v.is_string() && !v.is_object() {
        return Ok(false);
    }
    let html = text(&v)?;
    let frames = strings::contains_ignore_case(&html, "<iframe");
    match sanitize(&html, scripts_run, scripting) {
        Some(clean) => args.set(i, trusted::html_like(trusted::is_trusted(&v), &clean)),
        None => read_once(args, i, &html),
    }
    Ok(frames)
}

/// An HTML-string API's trap: the string at `at` sanitized, then the call; the iframes
/// it made are adopted before the page's next line can reach them (`frames`). `inside`:
/// the string is parsed in `this` (not in its parent, as for `outerHTML`).
fn html_then_call(target: Function, this: JsValue, args: Array, at: u32, inside: bool) -> Result<JsValue, JsValue> {
    // Markup given into a raw-text element (`script.innerHTML`, a textarea's) is its
    // text, never elements: left as it is.
    let inside = inside && (at == 0 || matches!(text(&args.get(0))?.to_ascii_lowercase().as_str(), "afterbegin" | "beforeend"));
    if inside && dom::as_element(&this).is_some_and(|e| is_raw_text(&dom::text_prop(e, "localName"))) {
        return call(&target, &this, &args);
    }
    let frames = sanitize_arg(&args, at, false, true)?;
    let r = call(&target, &this, &args);
    if frames {
        frames::adopt_all(&this);
    }
    r
}

/// The trap of an HTML string whose scripts run where it lands (a contextual fragment,
/// a `srcdoc` document): the string sanitized as `document.write`'s, then the call.
fn scripts_run_then_call(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    sanitize_arg(&args, 0, true, scripting_in(&this))?;
    call(&target, &this, &args)
}

/// The trap of `document.write` and `writeln`.
fn document_write(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let mut joined = String::new();
    for a in args.iter() {
        joined.push_str(&text(&a)?);
    }
    // The script running now, released by keksi after the page was parsed: its
    // `document.write` would open a new, empty document in place of the page.
    // Any document, a frame's too: the glue reads its properties without a type check.
    if let Some(script) = super::activation::released_running(this.unchecked_ref()) {
        if get(&target, "name") == JsValue::from_str("writeln") {
            joined.push('\n');
        }
        // The page's own trusted values stay trusted (Trusted Types).
        let html = trusted::html_like(all_trusted(&args), &joined);
        return write_after(&this, &script, &html);
    }
    let r = match sanitize(&joined, true, true) {
        Some(clean) => call1(&target, &this, &trusted::html_like(all_trusted(&args), &clean)),
        None => call(&target, &this, &args),
    };
    if strings::contains_ignore_case(&joined, "<iframe") {
        frames::adopt_all(&this);
    }
    r
}

/// The property of a released script pointing at the last node it wrote.
const WRITE_END: &str = "__keksiWritten";

/// What a released script writes goes where the parser would have put it: after the
/// script (after what it wrote before), parsed as the page's HTML (its scripts run, its
/// trackers are held). Markup split over several calls is parsed call by call.
fn write_after(doc: &JsValue, script: &Element, html: &JsValue) -> Result<JsValue, JsValue> {
    let method = |on: &JsValue, name: &str, arg: &JsValue| -> Result<JsValue, JsValue> {
        let f: Function = get(on, name).dyn_into()?;
        f.call1(on, arg)
    };
    let end = get(script, WRITE_END);
    let anchor: JsValue = if dom::as_node(&end).is_some_and(|n| n.is_connected()) {
        end
    } else {
        script.into()
    };
    let range = get(doc, "createRange").dyn_into::<Function>()?.call0(doc)?;
    method(&range, "setStartAfter", &anchor)?;
    let fragment = method(&range, "createContextualFragment", html)?;
    let last = get(&fragment, "lastChild");
    method(&anchor, "after", &fragment)?;
    if last.is_object() {
        super::patch::set_own(script, WRITE_END, &last);
    }
    Ok(JsValue::UNDEFINED)
}

/// The URL a `fetch`/`fetchLater` call requests: its first argument as a string, a
/// `Request`'s own URL, else the argument read as a string (a `URL`), which is then passed
/// on in its place (its `toString` runs once). A `Request` (of any realm) is read by
/// `Request.prototype`'s getter as keksi found it (the page may replace it later), which
/// throws for anything else: a `url` property (of a plain object, a subclass, or set on
/// the request itself) is not what the browser requests.
fn request_url(args: &Array) -> Result<String, JsValue> {
    let v = args.get(0);
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    let url = NATIVE
        .with(|n| n.borrow().as_ref().and_then(|n| n.request_url.clone()))
        .and_then(|g| g.call0(&v).ok());
    if let Some(s) = url.and_then(|u| u.as_string()) {
        return Ok(s);
    }
    let s = text(&v)?;
    read_once(args, 0, &s);
    Ok(s)
}

/// A `blob:` URL already revoked: any request to it fails at once, without the network.
fn dead_url() -> Option<String> {
    let blob = web_sys::Blob::new().ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let _ = web_sys::Url::revoke_object_url(&url);
    Some(url)
}

fn beacon_debug(kind: &str, url: &str) {
    state::debug(&["blocked", kind, url]);
}

/// Beacons to trackers that are not allowed are refused: nothing is sent.
fn send_beacon(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let url = text(&args.get(0))?;
    if blocked(&url).is_some() {
        beacon_debug("sendBeacon", &url);
        return Ok(JsValue::FALSE);
    }
    read_once(&args, 0, &url);
    call(&target, &this, &args)
}

/// A blocked request goes to a revoked `blob:` URL instead, with `GET` (the only
/// method a blob: URL takes; with another, browsers fail it at once, inside `send`):
/// nothing is sent, and the browser fails it as it fails a request offline — the
/// fetch rejects later with its own `TypeError`, the XMLHttpRequest fires `loadstart`
/// inside `send` and `error`, `loadend` after it returns — so the page's handlers, promises and
/// error reporting (zone.js, Sentry) see what they would see offline.
fn fetch(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let url = request_url(&args)?;
    if blocked(&url).is_some() {
        beacon_debug("fetch", &url);
        let Some(dead) = dead_url() else {
            let e = js_sys::TypeError::new("keksi: request to a tracker blocked until consent");
            return Ok(Promise::reject(&e).into());
        };
        return call1(&target, &this, &dead.into());
    }
    call(&target, &this, &args)
}

/// A deferred beacon (sent when the page goes away): never queued for a tracker. The
/// page gets what a request the browser did not activate shows.
fn fetch_later(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let url = request_url(&args)?;
    if blocked(&url).is_some() {
        beacon_debug("fetchLater", &url);
        let r = Object::new();
        super::patch::set(&r, "activated", &JsValue::FALSE);
        return Ok(r.into());
    }
    call(&target, &this, &args)
}

fn xhr_open(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let url = text(&args.get(1))?;
    if blocked(&url).is_some() {
        beacon_debug("XMLHttpRequest", &url);
        args.set(0, JsValue::from_str("GET"));
        // Never the tracker: without a blob: URL, an empty data: URL (no network either).
        args.set(1, JsValue::from_str(&dead_url().unwrap_or_else(|| "data:,".into())));
    }
    read_once(&args, 1, &url);
    call(&target, &this, &args)
}

/// Install every interception, once per page. Runs while the parser waits on keksi.js.
pub fn install() {
    static DONE: crate::single::Local<core::cell::Cell<bool>> = crate::single::Local::new(core::cell::Cell::new(false));
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    dom::keep_node_type();
    warn_earlier();
    let page = super::dom::global();
    install_in(&page);
    frames::install(&page);
}

/// Say which trackers the page has before keksi starts: they were requested, and scripts
/// among them run, without consent. Pasting a vendor's snippet above keksi.js is the most
/// likely way a site defeats it, and nothing else would tell its owner.
fn warn_earlier() {
    let Some(doc) = dom::document() else { return };
    let mut m = String::new();
    for el in &dom::query_all(&doc, LIVE_URLS) {
        let tag = el.tag_name();
        let rel = dom::attr_text(el, "rel").to_ascii_lowercase();
        // What the page marked, scripts of no running type and links that fetch nothing
        // (preconnect, dns-prefetch) did not reach the tracker.
        let fetches = !el.has_attribute(CONSENT_ATTR)
            && (tag != "SCRIPT" || super::activation::will_load(el))
            && !(tag == "LINK" && (strings::contains(&rel, "preconnect") || strings::contains(&rel, "dns-prefetch")));
        let url = url_attr(&tag).and_then(|a| el.get_attribute(a)).unwrap_or_default();
        if fetches && blocked(&url).is_some() {
            m.push(' ');
            m.push_str(&url);
        }
    }
    if !m.is_empty() {
        dom::warn(&(String::from("keksi: trackers before keksi.js are not held (put keksi.js first in <head>):") + &m));
    }
}

/// Install every interception in `realm` (the page's window, or a same-origin frame's).
pub fn install_in(realm: &JsValue) {
    let originals = super::patch::install(
        realm,
        &[
            // Setters of URLs and of a script's type (see `script_type`).
            ("sHTMLScriptElement type", script_type),
            ("sHTMLImageElement,HTMLSourceElement srcset", |t, this, a| {
                hold_or_set(t, this, a, true)
            }),
            (
                "sHTMLScriptElement,HTMLIFrameElement,HTMLFrameElement,HTMLImageElement src",
                |t, this, a| hold_or_set(t, this, a, false),
            ),
            ("sHTMLLinkElement href", |t, this, a| hold_or_set(t, this, a, false)),
            ("mElement setAttribute", |t, this, a| set_attribute(t, this, a, 0)),
            ("mElement setAttributeNS", set_attribute_ns),
            // Node insertion: nodes carrying a live tracker URL are held before they go in;
            // held ones whose category became allowed are released as they go in.
            ("mNode appendChild,insertBefore,replaceChild", |t, this, a| {
                scan_then_call(t, this, a, Some(0))
            }),
            ("mElement insertAdjacentElement", |t, this, a| scan_then_call(t, this, a, Some(1))),
            ("mRange insertNode,surroundContents", |t, this, a| {
                scan_then_call(t, this, a, Some(0))
            }),
            // Setters that put a node in: a table's head, foot and caption, the document's body.
            ("sHTMLTableElement tHead,tFoot,caption", |t, this, a| {
                scan_then_call(t, this, a, Some(0))
            }),
            ("sDocument body", |t, this, a| scan_then_call(t, this, a, Some(0))),
            // A node brought in from another document (a DOMParser's, a <template>'s, a fetched
            // page's: Turbo, htmx, idiomorph) starts loading its images as it arrives, before any
            // insertion (WebKit inside importNode itself): held in its own document first, so
            // that the copy comes held.
            ("mDocument importNode,adoptNode", |t, this, a| scan_then_call(t, this, a, Some(0))),
            // Every node kind that has them: text and comments take `before`/`after` too, and a
            // shadow root is a document fragment.
            ("mElement,DocumentFragment,Document append,prepend,replaceChildren", |t, this, a| {
                scan_then_call(t, this, a, None)
            }),
            ("mElement,CharacterData,DocumentType before,after,replaceWith", |t, this, a| {
                scan_then_call(t, this, a, None)
            }),
            // The APIs that take HTML strings. `outerHTML` is parsed in the context of the
            // parent, even for a raw-text element.
            ("sElement,ShadowRoot innerHTML", |t, this, a| html_then_call(t, this, a, 0, true)),
            ("sElement outerHTML", |t, this, a| html_then_call(t, this, a, 0, false)),
            ("mElement,ShadowRoot setHTMLUnsafe", |t, this, a| {
                html_then_call(t, this, a, 0, true)
            }),
            ("mElement insertAdjacentHTML", |t, this, a| html_then_call(t, this, a, 1, true)),
            ("mRange createContextualFragment", scripts_run_then_call),
            // A srcdoc document is parsed as the page's own HTML: its scripts run.
            ("sHTMLIFrameElement srcdoc", scripts_run_then_call),
            ("mDocument write,writeln", document_write),
            // Requests and beacons to trackers that are not allowed.
            ("mNavigator sendBeacon", send_beacon),
            ("m fetch", fetch),
            ("m fetchLater", fetch_later),
            ("mXMLHttpRequest open", xhr_open),
        ],
    );
    keep_natives(realm, &originals);
}
