//! The placeholder shown in place of a blocked iframe: says what it is and offers to
//! allow it.
//!
//! The placeholder goes in just before the iframe, which stays where it is, under its own
//! parent (a framework that rendered it still finds it there to update or remove), hidden
//! inline (`display: none !important`) while it carries `data-keksi-parked`.
#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use super::needs::Needs;
use super::patch::get;
use super::{api, dom, interceptor, state};
use crate::core::hooks::{action, ACTION_ATTR, PARKED_ATTR, PLACEHOLDER_ATTR, SRC_ATTR};
use crate::core::markup;

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/placeholder.css"));

/// Selector of a held iframe behind its placeholder.
pub const PARKED: &str = "iframe[data-keksi-parked]";

/// Whether any iframe was ever put behind a placeholder on this page.
pub fn any() -> bool {
    PARKED_ANY.with(|h| h.get())
}

/// The iframe's property pointing at its placeholder.
const PH: &str = "__keksiPlaceholder";

/// The iframe's property keeping its own inline `display` while keksi hides it.
const OLD_DISPLAY: &str = "__keksiDisplay";

/// An iframe's inline style (an iframe is an HTML element: no type check).
fn style_of(iframe: &Element) -> web_sys::CssStyleDeclaration {
    iframe.unchecked_ref::<web_sys::HtmlElement>().style()
}

/// The placeholder standing before `iframe`, while it does.
fn placeholder_of(iframe: &Element) -> Option<Element> {
    get(iframe, PH).dyn_into::<Element>().ok().filter(|ph| ph.is_connected())
}

/// Hide a blocked iframe behind an empty placeholder put just before it (or find the one
/// there), before anything else is done: a frame the parser inserted is already loading,
/// and in another process its document runs as soon as it arrives. `loaded`: the frame may
/// hold or be fetching a document, which only taking it out of the document stops: it is
/// taken out and put back in the same place at once, without its `src`.
pub fn park(iframe: &Element, loaded: bool) -> Option<Element> {
    if let Some(ph) = placeholder_of(iframe) {
        // The page moved the iframe: its placeholder follows.
        if get(iframe, "previousElementSibling") != JsValue::from(&ph) {
            let _ = iframe.before_with_node_1(&ph);
        }
        return Some(ph);
    }
    let doc = dom::document()?;
    PARKED_ANY.with(|p| p.set(true));
    let parent = iframe.parent_node()?;
    let ph = doc.create_element("div").ok()?;
    dom::set_attr(&ph, PLACEHOLDER_ATTR, "");
    // Hidden inline, `!important`, through the CSS object model (which no CSP restricts):
    // no rule of the page's can show a blank frame. The page's own `display` is kept once:
    // a parked iframe taken out and put back is hidden by keksi already.
    let style = style_of(iframe);
    if !iframe.has_attribute(PARKED_ATTR) {
        let old = style.get_property_value("display").unwrap_or_default();
        super::patch::set_own(iframe, OLD_DISPLAY, &JsValue::from_str(&old));
        dom::set_attr(iframe, PARKED_ATTR, "");
    }
    let _ = style.set_property_with_priority("display", "none", "important");
    let _ = parent.insert_before(&ph, Some(iframe));
    super::patch::set_own(iframe, PH, &ph);
    if loaded {
        dom::reinsert(iframe, || interceptor::native_remove(iframe, "src"));
    }
    Some(ph)
}

crate::single::local! {
    static PARKED_ANY: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Put a blocked iframe behind a placeholder that says what it is and offers to allow it
/// (once). `loaded` as for [`park`].
pub fn hold(iframe: &Element, loaded: bool) {
    let Some(ph) = park(iframe, loaded) else { return };
    if ph.shadow_root().is_some() {
        return;
    }
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let Ok(root) = ph.attach_shadow(&init) else { return };
    if let Some(theme) = state::read(|s| s.settings.theme.as_str()) {
        dom::set_attr(&ph, "data-theme", theme);
    }
    let needs = Needs::of(iframe);
    let (category, service) = needs.own().clone();
    // A known embed is named by its vendor ("Google Maps"), not by a bare category.
    let vendor = dom::attr(iframe, SRC_ATTR)
        .and_then(|u| interceptor::tracker_of(&u, true))
        .map(|m| m.vendor);
    let Some((markup, undeclared)) = state::read(|s| {
        let cat = s.settings.category(&category);
        // Borrowed, not cloned: only the markup is made.
        let cat_title = title(s, &category);
        let declared = service
            .as_deref()
            .and_then(|n| cat.and_then(|c| c.service(n)))
            .map(|v| v.title.as_str());
        // The iframe's `title` read only when no declared service names it.
        let own_title = if declared.is_none() { dom::attr(iframe, "title") } else { None };
        let svc_title = declared
            .or(own_title.as_deref())
            .or(vendor.as_deref())
            .or(service.as_deref())
            .unwrap_or(cat_title);
        // "Allow" switches on what it names: a service the config does not declare cannot
        // be allowed alone, so the button names the category it allows.
        let mut cats = String::from(cat_title);
        // One the page marked that waits for a tracker's category too: "Allow" gives
        // both, and both are named.
        if let Some((c, _)) = needs.0.get(1).filter(|(c, _)| *c != category) {
            cats.push_str(", ");
            cats.push_str(title(s, c));
        }
        let allows = if cats.len() > cat_title.len() {
            &cats
        } else {
            declared.unwrap_or(cat_title)
        };
        let undeclared = service.is_some() && declared.is_none();
        (markup::placeholder(&s.texts, svc_title, &cats, allows), undeclared)
    }) else {
        return;
    };
    if undeclared {
        let mut m = String::from("keksi: data-service=\"");
        m.push_str(service.as_deref().unwrap_or_default());
        m.push_str("\" is not a service of \"");
        m.push_str(&category);
        m.push_str("\" in the config; its placeholder allows the whole category.");
        dom::warn(&m);
    }
    dom::adopt_css(&root, CSS);
    let size = markup::placeholder_size_css(dom::attr(iframe, "width").as_deref(), dom::attr(iframe, "height").as_deref());
    dom::adopt_css(&root, &size);
    dom::set_html(&root, &markup);
    let click = Closure::wrap(Box::new(move |e: JsValue| {
        let hit = e
            .unchecked_into::<web_sys::Event>()
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-action]").ok().flatten())
            .is_some_and(|b| dom::attr_is(&b, ACTION_ATTR, action::ALLOW));
        if hit {
            api::allow(&needs);
        }
    }) as Box<dyn FnMut(JsValue)>);
    dom::listen(&root, "click", click.as_ref().unchecked_ref(), false);
    // Lives as long as the placeholder; the closure is small and placeholders are few.
    click.forget();
}

/// A category's title (its name when the config has no such category).
fn title<'a>(s: &'a state::State, category: &'a str) -> &'a str {
    s.settings.category(category).map_or(category, |c| s.texts.title_of(c))
}

/// Show a released iframe again and take its placeholder away.
pub fn release(el: &Element) {
    if let Some(ph) = placeholder_of(el) {
        ph.remove();
    }
    super::patch::set_own(el, PH, &JsValue::UNDEFINED);
    if el.has_attribute(PARKED_ATTR) {
        let style = style_of(el);
        let _ = match Some(dom::text_prop(el, OLD_DISPLAY)).filter(|v| !v.is_empty()) {
            // With the priority `setProperty` defaults to (""): one import for both calls.
            Some(old) => style.set_property_with_priority("display", &old, ""),
            None => style.remove_property("display").map(|_| ()),
        };
        dom::remove_attr(el, PARKED_ATTR);
    }
}

/// A held iframe the page took out of the document: its placeholder goes too.
pub fn forget(el: &Element) {
    if !el.is_connected() {
        if let Some(ph) = placeholder_of(el) {
            ph.remove();
        }
    }
}
