//! Cookie write control (CONTRACT §5): `document.cookie`'s setter, `cookieStore.set`
//! and `Storage.setItem` are wrapped so every write is judged by the core before it
//! reaches the browser; the sweep re-caps and deletes what consent does not cover.
//!
//! The wrappers are `Proxy`s of the original functions: they receive `this` and the
//! arguments unchanged, and call the original with them.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Proxy, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{dom, state};
use crate::core::expiry::{Lifetime, MAX_AGE_SECS};
use crate::core::governance::{self, Verdict};

thread_local! {
    /// The browser's own `document.cookie` setter.
    static NATIVE_SET: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// Lifetimes seen at write time or read from `cookieStore`: (name, lifetime).
    static LEDGER: RefCell<Vec<(String, Lifetime)>> = const { RefCell::new(Vec::new()) };
    /// Storage writes held until their category is allowed: (local?, key, value).
    static HELD_STORAGE: RefCell<Vec<(bool, String, String)>> = const { RefCell::new(Vec::new()) };
}

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn prototype_of(ctor: &str) -> Option<Object> {
    let w: JsValue = web_sys::window()?.into();
    let c = get(&w, ctor);
    let p = get(&c, "prototype");
    p.dyn_into::<Object>().ok()
}

/// Replace a method of `proto` with a proxy whose `apply` trap is `trap`.
fn wrap_method(proto: &Object, name: &str, trap: impl FnMut(Function, JsValue, Array) -> JsValue + 'static) -> Option<Function> {
    let original = get(proto, name).dyn_into::<Function>().ok()?;
    let handler = Object::new();
    let cb = Closure::wrap(Box::new(trap) as Box<dyn FnMut(Function, JsValue, Array) -> JsValue>);
    Reflect::set(&handler, &"apply".into(), cb.as_ref()).ok()?;
    cb.forget();
    let proxy = Proxy::new(&original, &handler);
    Reflect::set(proto, &JsValue::from_str(name), &proxy).ok()?;
    Some(original)
}

/// Record a cookie's lifetime for `keksi.cookies()`.
pub fn note(name: &str, life: Lifetime) {
    LEDGER.with(|l| {
        let mut l = l.borrow_mut();
        l.retain(|(n, _)| n != name);
        if life != Lifetime::Deletion {
            l.push((name.to_string(), life));
        }
    });
}

/// The lifetime keksi has seen for a cookie, if any.
pub fn seen(name: &str) -> Option<Lifetime> {
    LEDGER.with(|l| l.borrow().iter().find(|(n, _)| n == name).map(|(_, l)| *l))
}

/// Write through the browser's own setter (keksi's own writes are not judged).
pub fn native_write(text: &str) -> bool {
    NATIVE_SET.with(|n| {
        let Some(set) = n.borrow().as_ref().cloned() else { return false };
        let Some(doc) = dom::document() else { return false };
        set.call1(&doc, &JsValue::from_str(text)).is_ok()
    })
}

fn as_text(v: &JsValue) -> String {
    match v.as_string() {
        Some(s) => s,
        // The setter converts anything with ToString, as the browser would.
        None => Array::of1(v).join("").into(),
    }
}

/// Wrap `document.cookie`'s setter, keeping the getter.
fn guard_document_cookie() {
    let Some(proto) = prototype_of("Document") else { return };
    let Ok(desc) = Object::get_own_property_descriptor(&proto, &"cookie".into()).dyn_into::<Object>() else { return };
    let Ok(native) = get(&desc, "set").dyn_into::<Function>() else { return };
    NATIVE_SET.with(|n| *n.borrow_mut() = Some(native.clone()));
    let handler = Object::new();
    let trap = Closure::wrap(Box::new(|target: Function, this: JsValue, args: Array| -> JsValue {
        let text = as_text(&args.get(0));
        let j = state::judge(|s, c| governance::judge_write(s, c, &text, dom::now_ms() as i64));
        match j.verdict {
            Verdict::Drop => debug_drop("cookie", &j.name),
            Verdict::Pass => {
                let _ = target.call1(&this, &JsValue::from_str(&text));
                note(&j.name, j.lifetime);
            }
            Verdict::Rewrite(capped) => {
                let _ = target.call1(&this, &JsValue::from_str(&capped));
                note(&j.name, j.lifetime);
            }
        }
        JsValue::UNDEFINED
    }) as Box<dyn FnMut(Function, JsValue, Array) -> JsValue>);
    if Reflect::set(&handler, &"apply".into(), trap.as_ref()).is_err() {
        return;
    }
    trap.forget();
    let proxy = Proxy::new(&native, &handler);
    let _ = Reflect::set(&desc, &"set".into(), &proxy);
    let _ = Object::define_property(&proto, &"cookie".into(), &desc);
}

fn debug_drop(kind: &str, name: &str) {
    if state::read(|s| s.settings.debug).unwrap_or(false) {
        let mut m = String::from("keksi: dropped ");
        m.push_str(kind);
        m.push_str(" write `");
        m.push_str(name);
        m.push_str("` (no consent)");
        dom::info(&m);
    }
}

/// Wrap `cookieStore.set` (both call forms) where the browser has it.
fn guard_cookie_store() {
    let Some(proto) = prototype_of("CookieStore") else { return };
    wrap_method(&proto, "set", |target, this, args| {
        let first = args.get(0);
        let is_options = first.is_object();
        let name = if is_options { as_text(&get(&first, "name")) } else { as_text(&first) };
        let expires = if is_options { get(&first, "expires").as_f64().map(|t| t as i64) } else { None };
        let now = dom::now_ms() as i64;
        let verdict = state::judge(|s, c| governance::judge_store_set(s, c, &name, expires, now));
        match verdict {
            Err(()) => {
                debug_drop("cookieStore", &name);
                Promise::resolve(&JsValue::UNDEFINED).into()
            }
            Ok(capped) => {
                let args = match capped {
                    Some(t) => {
                        let copy = Object::assign(&Object::new(), first.unchecked_ref());
                        let _ = Reflect::set(&copy, &"expires".into(), &JsValue::from_f64(t as f64));
                        Array::of1(&copy)
                    }
                    None => args,
                };
                let life = match capped.or(expires) {
                    Some(t) => Lifetime::Persistent(t),
                    None => Lifetime::Session,
                };
                note(&name, life);
                Reflect::apply(&target, &this, &args).unwrap_or(JsValue::UNDEFINED)
            }
        }
    });
}

/// Wrap `Storage.prototype.setItem`: writes of a category not allowed are held and
/// replayed when it is.
fn guard_storage() {
    let Some(proto) = prototype_of("Storage") else { return };
    wrap_method(&proto, "setItem", |target, this, args| {
        let key = as_text(&args.get(0));
        let ok = state::judge(|s, c| governance::storage_allowed(s, c, &key));
        if ok {
            return Reflect::apply(&target, &this, &args).unwrap_or(JsValue::UNDEFINED);
        }
        let local = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .map(|l| JsValue::from(l) == this)
            .unwrap_or(false);
        HELD_STORAGE.with(|h| {
            let mut h = h.borrow_mut();
            h.retain(|(l, k, _)| !(*l == local && *k == key));
            h.push((local, key.clone(), as_text(&args.get(1))));
        });
        debug_drop("storage", &key);
        JsValue::UNDEFINED
    });
}

/// Install all write guards, once per page. Called first thing at start-up.
pub fn install() {
    thread_local!(static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    guard_document_cookie();
    guard_cookie_store();
    guard_storage();
}

/// Delete every visible cookie and governed storage key that consent does not cover,
/// replay held storage writes that it now does, and re-cap cookies found living beyond
/// 12 months (where `cookieStore` tells their expiry).
pub fn sweep() {
    let jar = super::store::jar();
    let denied: Vec<String> = state::read(|s| {
        crate::core::cookie::parse_jar(&jar)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| !governance::cookie_allowed(&s.settings, s.choice(), governance::classify(&s.settings, n).category))
            .map(String::from)
            .collect()
    })
    .unwrap_or_default();
    for name in denied {
        super::store::delete(&name);
        note(&name, Lifetime::Deletion);
    }
    sweep_storage();
    recap_from_cookie_store();
}

fn sweep_storage() {
    let Some(w) = web_sys::window() else { return };
    for (local, storage) in [(true, w.local_storage()), (false, w.session_storage())] {
        let Some(storage) = storage.ok().flatten() else { continue };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0)).filter_map(|i| storage.key(i).ok().flatten()).collect();
        for k in keys {
            if !state::read(|s| governance::storage_allowed(&s.settings, s.choice(), &k)).unwrap_or(true) {
                let _ = storage.remove_item(&k);
            }
        }
        let ready: Vec<(String, String)> = HELD_STORAGE.with(|h| {
            let mut h = h.borrow_mut();
            let mut out = Vec::new();
            h.retain(|(l, k, v)| {
                let go = *l == local && state::read(|s| governance::storage_allowed(&s.settings, s.choice(), k)).unwrap_or(false);
                if go {
                    out.push((k.clone(), v.clone()));
                }
                !go
            });
            out
        });
        for (k, v) in ready {
            let _ = storage.set_item(&k, &v);
        }
    }
}

/// Read expiries with `cookieStore.getAll()` (async), note them and re-cap long ones.
fn recap_from_cookie_store() {
    let Some(w) = web_sys::window() else { return };
    let store = get(&w.into(), "cookieStore");
    if store.is_undefined() || store.is_null() {
        return;
    }
    let Ok(get_all) = get(&store, "getAll").dyn_into::<Function>() else { return };
    let Ok(p) = get_all.call0(&store).and_then(|p| p.dyn_into::<Promise>()) else { return };
    let cb = Closure::wrap(Box::new(|list: JsValue| recap_list(&list)) as Box<dyn FnMut(JsValue)>);
    let _ = p.then(&cb);
    cb.forget();
}

/// Handle a list of `CookieListItem`s: note lifetimes, re-cap, delete the unconsented.
fn recap_list(list: &JsValue) {
    let now = dom::now_ms() as i64;
    for item in Array::from(list).iter() {
        let name = as_text(&get(&item, "name"));
        let expires = get(&item, "expires").as_f64().map(|t| t as i64);
        let life = expires.map(Lifetime::Persistent).unwrap_or(Lifetime::Session);
        note(&name, life);
        let Some(t) = expires else { continue };
        if !crate::core::expiry::too_long(t, now) {
            continue;
        }
        let mut s = name.clone();
        s.push('=');
        s.push_str(&as_text(&get(&item, "value")));
        s.push_str("; Path=");
        let path = get(&item, "path").as_string().unwrap_or_else(|| "/".into());
        s.push_str(&path);
        if let Some(d) = get(&item, "domain").as_string() {
            s.push_str("; Domain=");
            s.push_str(&d);
        }
        if get(&item, "secure").as_bool() == Some(true) {
            s.push_str("; Secure");
        }
        if let Some(ss) = get(&item, "sameSite").as_string() {
            s.push_str("; SameSite=");
            s.push_str(&ss);
        }
        s.push_str("; Max-Age=");
        crate::core::json::push_u64(&mut s, MAX_AGE_SECS as u64);
        native_write(&s);
        note(&name, Lifetime::Persistent(now + MAX_AGE_SECS * 1000));
    }
}

/// Sweep again whenever the browser reports cookie changes (`cookieStore` `change`).
pub fn watch_changes() {
    let Some(w) = web_sys::window() else { return };
    let store = get(&w.into(), "cookieStore");
    let Ok(target) = store.dyn_into::<web_sys::EventTarget>() else { return };
    let cb = Closure::wrap(Box::new(|e: web_sys::Event| {
        let changed = get(&e, "changed");
        let denied: Vec<String> = Array::from(&changed)
            .iter()
            .map(|i| as_text(&get(&i, "name")))
            .filter(|n| !state::read(|s| governance::cookie_allowed(&s.settings, s.choice(), governance::classify(&s.settings, n).category)).unwrap_or(false))
            .collect();
        for n in denied {
            super::store::delete(&n);
        }
        recap_list(&changed);
    }) as Box<dyn FnMut(web_sys::Event)>);
    let _ = target.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
    cb.forget();
}
