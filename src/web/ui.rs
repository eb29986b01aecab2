//! The banner and the preferences dialog, mounted in an open shadow root on
//! `<div id="keksi">` at the end of `<body>` (CONTRACT §9).
#[allow(unused_imports)]
use crate::prelude::*;

use crate::single::Shared;

use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlDialogElement, HtmlElement, HtmlInputElement, KeyboardEvent, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

use super::dom::{self, Listener};
use super::{api, state};
use crate::core::consent::Choice;
use crate::core::hooks::{action, ACTION_ATTR, CATEGORY_ATTR, HOST_ID};
use crate::core::markup::{self, View};

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/keksi.css"));
const FOCUSABLE: &str = "button:not([disabled]),input:not([disabled]),a[href],summary,[tabindex]:not([tabindex=\"-1\"])";

struct Ui {
    host: Element,
    root: ShadowRoot,
    /// What had focus before the dialog opened; focus returns there.
    opener: Option<HtmlElement>,
    /// Listeners owned by the UI: removed with it.
    _listeners: Vec<Listener>,
}

crate::single::local! {
    static UI: Shared<Option<Ui>> = const { Shared::new(None) };
    static PENDING: Shared<Option<&'static str>> = const { Shared::new(None) };
    /// A focused page element not yet under the banner, and until when (ms) to watch
    /// the scrolling that may bring it there.
    static FOCUS_WATCH: Shared<Option<(Element, f64)>> = const { Shared::new(None) };
    /// When (event time, ms) the pointer last went down on the page.
    static LAST_PRESS: Shared<f64> = const { Shared::new(f64::NEG_INFINITY) };
}

fn root() -> Option<ShadowRoot> {
    UI.with(|u| u.borrow().as_ref().map(|u| u.root.clone()))
}

/// The markup `f` makes of the current view. `f` a function pointer, not generic: one
/// copy of this for the banner and the dialog.
fn view_markup(f: fn(&View) -> String) -> Option<String> {
    state::read(|s| {
        let rows = super::api::cookie_rows(s);
        let v = View {
            settings: &s.settings,
            texts: &s.texts,
            choice: s.choice(),
            cookies: &rows,
            gpc: s.gpc,
        };
        f(&v)
    })
}

/// Create the host, its shadow root and the banner; show the banner when there is no
/// valid choice. Safe to call again (re-renders).
pub fn mount() {
    unmount();
    let Some(doc) = dom::document() else { return };
    let Some(body) = doc.body() else { return };
    let Ok(host) = doc.create_element("div") else { return };
    host.set_id(HOST_ID);
    let Ok(root) = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) else {
        return;
    };
    dom::adopt_css(&root, CSS);
    let (lang, rtl, layout, theme) = state::read(|s| {
        (
            s.texts.lang.clone(),
            s.texts.is_rtl(),
            s.settings.layout.as_str(),
            s.settings.theme.as_str(),
        )
    })
    .unwrap_or(("en".into(), false, "bar", "auto"));
    dom::set_attr(&host, "lang", &lang);
    dom::set_attr(&host, "dir", if rtl { "rtl" } else { "ltr" });
    dom::set_attr(&host, "data-layout", layout);
    dom::set_attr(&host, "data-theme", theme);
    let banner = view_markup(markup::banner).unwrap_or_default();
    let mut html = banner;
    html.push_str("<div class=\"k-dialog-slot\"></div>");
    dom::set_html(&root, &html);
    let _ = body.append_child(&host);
    let listeners = vec![
        Listener::new(&root, "click", false, on_click),
        Listener::new(&root, "change", false, on_change),
        Listener::new(&root, "keydown", false, on_keydown),
        Listener::new(&root, "cancel", true, |e: Event| {
            e.prevent_default();
            close_preferences();
        }),
        Listener::new(&doc, "click", false, on_document_click),
        Listener::new(&doc, "keydown", false, on_document_key),
        Listener::new(&doc, "pointerdown", true, |e: Event| {
            LAST_PRESS.with(|t| *t.borrow_mut() = e.time_stamp());
        }),
        Listener::new(&doc, "focusin", false, on_page_focus),
        Listener::new(&doc, "scroll", true, on_page_scroll),
    ];
    UI.with(|u| {
        *u.borrow_mut() = Some(Ui {
            host,
            root,
            opener: None,
            _listeners: listeners,
        })
    });
    mark_openers();
    let no_choice = state::read(|s| s.record.is_none()).unwrap_or(true);
    let pending = PENDING.with(|p| p.borrow_mut().take());
    // Asked for before the page was ready: the dialog opens over the banner, which a
    // first visit needs whatever the page asks (closing the dialog leaves it there).
    if pending != Some("hide") && (no_choice || pending == Some("banner")) {
        show_banner(pending == Some("banner"));
    }
    if pending == Some("preferences") {
        show_preferences(None);
    }
}

/// Remove the UI (and its listeners).
pub fn unmount() {
    if let Some(ui) = UI.with(|u| u.borrow_mut().take()) {
        ui.host.remove();
    }
}

/// `[data-keksi-open]` (CONTRACT §9): openers of the dialog, for `closest`,
/// `querySelectorAll` and the document observer (`activation`).
pub const OPENERS: &str = "[data-keksi-open]";

/// Make every `[data-keksi-open]` usable by keyboard (later ones: see [`mark_opener`]).
fn mark_openers() {
    let Some(doc) = dom::document() else { return };
    for el in &dom::query_all(&doc, OPENERS) {
        mark_opener(el);
    }
}

/// Make an opener usable by keyboard: focusable, announced as a button. The document
/// observer calls it for openers added later (a footer a framework renders).
pub fn mark_opener(el: &Element) {
    if !clicks_natively(el) {
        if !el.has_attribute("tabindex") {
            dom::set_attr(el, "tabindex", "0");
        }
        if !el.has_attribute("role") {
            dom::set_attr(el, "role", "button");
        }
    }
    dom::set_attr(el, "aria-haspopup", "dialog");
}

/// Whether Enter on `el` clicks it without help: a button, a link with an `href`
/// (an `<a>` without one is no link to the browser).
fn clicks_natively(el: &Element) -> bool {
    let tag = el.tag_name();
    tag == "BUTTON" || (tag == "A" && el.has_attribute("href"))
}

fn part(name: &str) -> Option<Element> {
    let mut sel = String::from("[data-keksi=\"");
    sel.push_str(name);
    sel.push_str("\"]");
    root()?.query_selector(&sel).ok().flatten()
}

/// Show the banner and put focus on it, so its buttons are the next Tab stops: always
/// when the page asked (`keksi.showBanner()`, `keksi.reset()`: focus may be on the button
/// that did it), on a first visit only when nothing else has focus (an `autofocus` field
/// keeps it).
pub fn show_banner(asked: bool) {
    let Some(banner) = part("banner") else {
        PENDING.with(|p| *p.borrow_mut() = Some("banner"));
        return;
    };
    dom::remove_attr(&banner, "hidden");
    let nothing_focused = dom::document()
        .and_then(|d| d.active_element())
        .map(|a| dom::is_tag(&a, "BODY") || dom::is_tag(&a, "HTML"))
        .unwrap_or(true);
    if asked || nothing_focused {
        if let Some(b) = banner.dyn_ref::<HtmlElement>() {
            dom::focus(b);
        }
    }
}

/// Hide banner and dialog.
pub fn hide() {
    if root().is_none() {
        PENDING.with(|p| *p.borrow_mut() = Some("hide"));
    }
    let doc = dom::document();
    let active = || doc.as_ref().and_then(|d| d.active_element());
    // A keyboard user's focus (`:focus-visible`: a click leaves focus on the button too).
    let keyboard = active().is_some_and(|a| dom::text_prop(&a, "id") == HOST_ID)
        && focused().is_some_and(|f| f.matches(":focus-visible").unwrap_or(false));
    if let Some(b) = part("banner") {
        dom::set_attr(&b, "hidden", "");
    }
    close_preferences();
    // Focus left on a hidden banner button falls to the end of the page, and the next Tab
    // leaves it: it goes to the page's first stop instead, where a keyboard user starts
    // (often a skip link), without scrolling.
    let lost = || active().is_none_or(|a| dom::text_prop(&a, "id") == HOST_ID || dom::is_tag(&a, "BODY"));
    if !keyboard || !lost() {
        return;
    }
    let Some(doc) = &doc else { return };
    let opts = js_sys::Object::new();
    super::patch::set(&opts, "preventScroll", &true.into());
    // The first that takes focus (not a hidden input, nor one out of view).
    for el in &dom::query_all(doc, FOCUSABLE) {
        if let Some(f) = super::patch::method(el, "focus") {
            let _ = f.call1(el, &opts);
        }
        if !lost() {
            break;
        }
    }
}

fn dialog() -> Option<HtmlDialogElement> {
    part("preferences")?.dyn_into::<HtmlDialogElement>().ok()
}

/// What has focus now, looking into our own shadow root.
fn focused() -> Option<HtmlElement> {
    let doc = dom::document()?;
    let active = doc.active_element()?;
    let inner = if dom::text_prop(&active, "id") == HOST_ID {
        root().and_then(|r| r.active_element())
    } else {
        None
    };
    inner.unwrap_or(active).dyn_into::<HtmlElement>().ok()
}

/// Open the dialog, its toggles showing the current choice. Focus returns to `opener`
/// (or to what had focus) when it closes.
pub fn show_preferences(opener: Option<HtmlElement>) {
    let Some(r) = root() else {
        PENDING.with(|p| *p.borrow_mut() = Some("preferences"));
        return;
    };
    let opener = opener.or_else(focused);
    let Some(html) = view_markup(markup::dialog) else { return };
    let Ok(Some(slot)) = r.query_selector(".k-dialog-slot") else {
        return;
    };
    if let Some(d) = dialog() {
        d.close();
    }
    dom::set_html(&slot, &html);
    let Some(d) = dialog() else { return };
    if d.show_modal().is_err() {
        dom::set_attr(&d, "open", "");
    }
    UI.with(|u| {
        if let Some(u) = u.borrow_mut().as_mut() {
            u.opener = opener;
        }
    });
    // The first enabled toggle, else the first focusable element (a loop: an adapter
    // chain is code of its own).
    let items = focusables(&d);
    let mut first = items.first();
    for e in &items {
        if e.has_attribute(CATEGORY_ATTR) && !e.has_attribute("disabled") {
            first = Some(e);
            break;
        }
    }
    if let Some(first) = first {
        dom::focus(first.unchecked_ref());
    }
}

/// Close the dialog (if open) and return focus to its opener.
pub fn close_preferences() {
    let Some(d) = dialog() else { return };
    // The `open` attribute, which the dialog's `open` property reflects (the property
    // would be an import of its own in keksi.js; so elsewhere below).
    if !d.has_attribute("open") {
        return;
    }
    d.close();
    let opener = UI.with(|u| u.borrow_mut().as_mut().and_then(|u| u.opener.take()));
    if let Some(o) = opener.filter(|o| o.is_connected()) {
        dom::focus(&o);
    }
}

/// As `Element`s (keksi's own markup: HTML elements only, cast where focused): no
/// conversion of the list.
fn focusables(scope: &Element) -> Vec<Element> {
    dom::query_all(scope, FOCUSABLE)
}

/// The choice the dialog's toggles show.
fn dialog_choice() -> Choice {
    let mut c = Choice::necessary_only();
    let Some(d) = dialog() else { return c };
    for el in &dom::query_all(&d, "input[type=checkbox]") {
        // Checkboxes are inputs: no runtime check (each costs an import in keksi.js).
        let input = el.unchecked_ref::<HtmlInputElement>();
        if !input.checked() {
            continue;
        }
        if let Some(cat) = input.get_attribute(CATEGORY_ATTR) {
            if !c.categories.contains(&cat) {
                c.categories.push(cat);
            }
        } else if let Some(svc) = input.get_attribute("data-service") {
            c.services.push(svc);
        }
    }
    c
}

fn target_element(e: &Event) -> Option<Element> {
    // Inside the shadow root the real target is the first entry of the composed path.
    let path = e.composed_path();
    path.get(0)
        .dyn_into::<Element>()
        .ok()
        .or_else(|| e.target()?.dyn_into::<Element>().ok())
}

fn on_click(e: Event) {
    let Some(t) = target_element(&e) else { return };
    let Some(btn) = t.closest("[data-action]").ok().flatten() else {
        return;
    };
    match btn.get_attribute(ACTION_ATTR).as_deref() {
        Some(action::ACCEPT_ALL) => api::accept_all(),
        Some(action::REJECT_ALL) => api::reject_all(),
        Some(action::PREFERENCES) => show_preferences(btn.dyn_into::<HtmlElement>().ok()),
        Some(action::SAVE) => api::save_choice(dialog_choice()),
        Some(action::CLOSE) => close_preferences(),
        _ => {}
    }
}

/// A category switch sets all its services; a service switch leaves its category.
fn on_change(e: Event) {
    let Some(t) = target_element(&e) else { return };
    if !t.has_attribute(CATEGORY_ATTR) {
        return;
    }
    // Only our switches carry the category attribute; `checked` of anything else reads false.
    let on = t.unchecked_ref::<HtmlInputElement>().checked();
    let Some(section) = t.closest(".k-cat").ok().flatten() else {
        return;
    };
    for el in &dom::query_all(&section, "input[data-service]") {
        el.unchecked_ref::<HtmlInputElement>().set_checked(on);
    }
}

/// Escape closes; Tab and Shift+Tab cycle inside the open dialog.
fn on_keydown(e: Event) {
    let Some(k) = e.dyn_ref::<KeyboardEvent>() else { return };
    let Some(d) = dialog().filter(|d| d.has_attribute("open")) else {
        return;
    };
    match k.key().as_str() {
        "Escape" => {
            e.prevent_default();
            close_preferences();
        }
        "Tab" => {
            let mut items = focusables(&d);
            items.retain(|e| e.get_client_rects().length() > 0);
            cycle(k, &e, &items, None);
        }
        _ => {}
    }
}

/// WCAG 2.4.11: a page element that gets keyboard focus must not hide behind the
/// banner. When it would, the banner moves to the other edge (`data-edge="top"`).
/// Not for focus that a pointer press gives (in the same task as the press): the banner
/// would move between the press and the release and take the click (a placeholder's
/// "Allow" under a partly covering bar was lost that way). `:focus-visible` would say
/// the same, but WebKit does not set it for focus moved by WebDriver's Tab key.
fn on_page_focus(e: Event) {
    let Some(banner) = part("banner").filter(|b| !b.has_attribute("hidden")) else {
        return;
    };
    if e.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_none_or(|t| dom::text_prop(&t, "id") == HOST_ID)
    {
        return;
    }
    if e.time_stamp() - LAST_PRESS.with(|t| *t.borrow()) < 100.0 {
        return;
    }
    // The focused element itself, also inside a shadow root (a placeholder's button),
    // not the host the event is retargeted to.
    let Some(t) = target_element(&e) else { return };
    // Chromium and Firefox scroll a focused element into view before `focusin`; WebKit
    // scrolls after it, smoothly, over several frames. So look now, and again as the
    // page scrolls in the next second.
    let watch = (!avoid_cover(&banner, &t)).then(|| (t, js_sys::Date::now() + 1000.0));
    FOCUS_WATCH.with(|w| *w.borrow_mut() = watch);
}

fn on_page_scroll(_: Event) {
    let Some((t, until)) = FOCUS_WATCH.with(|w| w.borrow().clone()) else {
        return;
    };
    let banner = part("banner").filter(|b| !b.has_attribute("hidden"));
    let done = match banner {
        Some(b) => js_sys::Date::now() > until || avoid_cover(&b, &t),
        None => true,
    };
    if done {
        FOCUS_WATCH.with(|w| *w.borrow_mut() = None);
    }
}

/// Moves the banner to the other edge when `t` is under it; true when it was.
fn avoid_cover(banner: &Element, t: &Element) -> bool {
    let (r, b) = (t.get_bounding_client_rect(), banner.get_bounding_client_rect());
    // The sides read as plain properties: four imports fewer (a `DOMRect`'s are plain
    // numbers, never missing).
    let side = |rect: &web_sys::DomRect, name: &str| super::patch::get(rect, name).as_f64().unwrap_or(0.0);
    let covered = side(&r, "bottom") > side(&b, "top")
        && side(&r, "top") < side(&b, "bottom")
        && side(&r, "right") > side(&b, "left")
        && side(&r, "left") < side(&b, "right");
    if covered && !banner.has_attribute("data-edge") {
        dom::set_attr(banner, "data-edge", "top");
    } else if covered {
        dom::remove_attr(banner, "data-edge");
    }
    covered
}

/// The opener on the event's composed path: also one inside a page's own open shadow
/// root (a web-component footer), where the target is only its host.
fn opener_of(e: &Event) -> Option<Element> {
    for n in e.composed_path().iter() {
        if let Ok(el) = n.dyn_into::<Element>() {
            if el.matches(OPENERS).unwrap_or(false) {
                return Some(el);
            }
        }
    }
    None
}

fn on_document_click(e: Event) {
    if let Some(el) = opener_of(&e) {
        e.prevent_default();
        show_preferences(el.dyn_into::<HtmlElement>().ok());
    }
}

/// In the `modal` layout the page behind the banner is dimmed and not clickable, so
/// Tab stays in the banner too.
fn contain_modal_banner(k: &KeyboardEvent, e: &Event) {
    let modal = state::read(|s| s.settings.layout == crate::core::config::Layout::Modal).unwrap_or(false);
    if !modal || dialog().map(|d| d.has_attribute("open")).unwrap_or(false) {
        return;
    }
    let Some(banner) = part("banner").filter(|b| !b.has_attribute("hidden")) else {
        return;
    };
    cycle(k, e, &focusables(&banner), Some(&banner));
}

/// Tab from the last of `items` goes round to the first, Shift+Tab from the first to the
/// last. Focus elsewhere goes in: with `within` (the banner), when it is outside that,
/// to the first (Shift+Tab: the last); without (the dialog), only Shift+Tab with nothing
/// focused, to the last. One body for the dialog's and the modal banner's.
fn cycle(k: &KeyboardEvent, e: &Event, items: &[Element], within: Option<&Element>) {
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let current = root().and_then(|r| r.active_element());
    let at = |x: &Element| current.as_ref().map(|c| c == x).unwrap_or(false);
    let shift = k.shift_key();
    let outside = match within {
        Some(w) => !current.as_ref().map(|c| w.contains(Some(c))).unwrap_or(false),
        None => shift && current.is_none(),
    };
    let target = if outside {
        if shift {
            last
        } else {
            first
        }
    } else if shift && at(first) {
        last
    } else if !shift && at(last) {
        first
    } else {
        return;
    };
    e.prevent_default();
    dom::focus(target.unchecked_ref());
}

/// Enter or Space on a non-button opener (links and buttons click by themselves).
fn on_document_key(e: Event) {
    let Some(k) = e.dyn_ref::<KeyboardEvent>() else { return };
    let key = k.key();
    if key == "Tab" {
        contain_modal_banner(k, &e);
        return;
    }
    if key != "Enter" && key != " " {
        return;
    }
    let Some(el) = opener_of(&e) else { return };
    if clicks_natively(&el) {
        return;
    }
    e.prevent_default();
    show_preferences(el.dyn_into::<HtmlElement>().ok());
}
