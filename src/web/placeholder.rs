//! The placeholder shown in place of a blocked iframe: says what it is and offers to
//! allow it.
//!
//! The held iframe is moved inside the placeholder element, whose shadow root has no
//! slot: it stays in the document (page code still finds it) but is not rendered.
#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use super::{activation, api, dom, interceptor, state};
use crate::core::hooks::{action, ACTION_ATTR, CONSENT_ATTR, PLACEHOLDER_ATTR, SERVICE_ATTR};
use crate::core::markup;

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/placeholder.css"));

/// Move a blocked iframe into an empty placeholder (or find the one it is in), before
/// anything else is done: a frame the parser inserted is already loading, and in another
/// process its document runs as soon as it arrives. `loaded`: the frame may hold or be
/// fetching a document, which only taking it out of the document stops; it loses its
/// `src` while out, or going back in would load it again.
pub fn park(iframe: &Element, loaded: bool) -> Option<Element> {
    if activation::in_placeholder(iframe) {
        return iframe.parent_element();
    }
    let ph = dom::document()?.create_element("div").ok()?;
    let _ = ph.set_attribute(PLACEHOLDER_ATTR, "");
    let _ = iframe.before_with_node_1(&ph);
    if loaded {
        // Out by a method keksi does not wrap (no checks on the way), and back in only
        // without its `src`.
        iframe.remove();
        interceptor::native_remove(iframe, "src");
        let _ = ph.append_child(iframe);
    } else {
        dom::move_into(&ph, iframe);
    }
    Some(ph)
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
        let _ = ph.set_attribute("data-theme", theme);
    }
    let category = dom::attr(iframe, CONSENT_ATTR).unwrap_or_default();
    let service = dom::attr(iframe, SERVICE_ATTR);
    let Some(markup) = state::read(|s| {
        let cat = s.settings.category(&category);
        let cat_title = cat
            .and_then(|c| c.title.clone().or_else(|| s.texts.category_title(&c.name).map(String::from)))
            .unwrap_or_else(|| category.clone());
        let svc_title = service
            .as_deref()
            .and_then(|n| cat.and_then(|c| c.service(n)).map(|v| v.title.clone()).or(Some(n.to_string())))
            .or_else(|| dom::attr(iframe, "title"))
            .unwrap_or_else(|| cat_title.clone());
        markup::placeholder(&s.texts, &svc_title, &cat_title)
    }) else {
        return;
    };
    dom::adopt_css(&root, CSS);
    let size = markup::placeholder_size_css(dom::attr(iframe, "width").as_deref(), dom::attr(iframe, "height").as_deref());
    dom::adopt_css(&root, &size);
    dom::set_html(&root, &markup);
    let cat = category.clone();
    let svc = service.clone();
    let click = Closure::wrap(Box::new(move |e: web_sys::Event| {
        let hit = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-action]").ok().flatten())
            .and_then(|b| b.get_attribute(ACTION_ATTR));
        if hit.as_deref() == Some(action::ALLOW) {
            api::allow_one(&cat, svc.as_deref());
        }
    }) as Box<dyn FnMut(web_sys::Event)>);
    let _ = root.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    // Lives as long as the placeholder; the closure is small and placeholders are few.
    click.forget();
}

/// Take an iframe out of its placeholder, back into its place.
pub fn release(el: &Element) {
    if !activation::in_placeholder(el) {
        return;
    }
    if let Some(ph) = el.parent_element() {
        dom::move_over(&ph, el);
    }
}
