//! Cookie write control (CONTRACT §5): `document.cookie`'s setter, `cookieStore.set`
//! and `Storage.setItem` are wrapped so every write is judged by the core before it
//! reaches the browser; the sweep re-caps and deletes what consent does not cover.
//!
//! The wrappers are `Proxy`s of the original functions: they receive `this` and the
//! arguments unchanged, and call the original with them.
#[allow(unused_imports)]
use crate::prelude::*;

use crate::single::Shared;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::patch::{call, get, number, read_once, text};
use super::{dom, state};
use crate::core::expiry::{Lifetime, MAX_AGE_SECS};
use crate::core::governance::{self, StoreVerdict, Verdict};

crate::single::local! {
    /// The browser's own `document.cookie` setter.
    static NATIVE_SET: Shared<Option<Function>> = const { Shared::new(None) };
    /// Lifetimes seen at write time or read from `cookieStore`: (name, lifetime).
    static LEDGER: Shared<Vec<(String, Lifetime)>> = const { Shared::new(Vec::new()) };
    /// Storage writes held until their category is allowed: (local?, key, value).
    static HELD_STORAGE: Shared<Vec<(bool, String, String)>> = const { Shared::new(Vec::new()) };
    /// keksi's sweep is removing storage keys (see the `removeItem` trap).
    static SWEEPING: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
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

/// The trap of `document.cookie`'s setter (the getter is kept).
fn document_cookie(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let text = text(&args.get(0))?;
    let j = state::judge(|s, c| governance::judge_write(s, c, &text, dom::now_ms() as i64));
    let pass = match j.verdict {
        Verdict::Drop => {
            debug_drop("cookie", &j.name);
            return Ok(JsValue::UNDEFINED);
        }
        Verdict::Pass => text,
        Verdict::Rewrite(capped) => capped,
    };
    target.call1(&this, &JsValue::from_str(&pass))?;
    note(&j.name, j.lifetime);
    Ok(JsValue::UNDEFINED)
}

fn debug_drop(kind: &str, name: &str) {
    state::debug(&["dropped", kind, "write", name, "(no consent)"]);
}

/// The members of a `CookieInit` in the order the browser reads them (WebIDL's
/// dictionary order).
const COOKIE_INIT: [&str; 7] = ["domain", "expires", "name", "partitioned", "path", "sameSite", "value"];

/// The trap of `cookieStore.set` (both call forms) where the browser has it. The browser
/// gets the name and expiry keksi judged: options are read once into a plain object (a
/// getter could show keksi one name and the browser another), a name once into a string.
fn cookie_store_set(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let first = args.get(0);
    let init = first.is_object().then(|| {
        let o = Object::new();
        for &m in &COOKIE_INIT {
            let v = get(&first, m);
            if !v.is_undefined() {
                super::patch::set(&o, m, &v);
            }
        }
        o
    });
    // `maxAge` (seconds) is read once and passed on as the `expires` it makes: a long
    // life capped, and a deletion a date in the past (a huge negative `maxAge` the browser
    // would wrap, modulo 2^64, into a long life; what it makes 0 of, 0 here too; see
    // `expiry::from_max_age`).
    let m = if init.is_some() { get(&first, "maxAge") } else { JsValue::NULL };
    // Trimmed as the browser trims it (` _ga` sets `_ga`), and passed on so.
    let name = String::from(crate::core::strings::trim_cookie_part(&text(
        &init.as_ref().map_or(first, |o| get(o, "name")),
    )?));
    // A number, or what the browser turns into one (a `Date`); `null` is a session cookie.
    let e = init.as_ref().map_or(JsValue::NULL, |o| get(o, "expires"));
    let now = dom::now_ms() as i64;
    let expires = if !m.is_null_or_undefined() {
        Some(crate::core::expiry::from_max_age(number(&m).unwrap_or(0.0), now))
    } else if e.is_null_or_undefined() {
        None
    } else {
        number(&e).map(|t| t as i64)
    };
    let capped = match state::judge(|s, c| governance::judge_store_set(s, c, &name, expires, now)) {
        StoreVerdict::Drop => {
            debug_drop("cookieStore", &name);
            return Ok(Promise::resolve(&JsValue::UNDEFINED).into());
        }
        StoreVerdict::Pass => None,
        StoreVerdict::Cap(t) => Some(t),
    };
    let judged = JsValue::from_str(&name);
    match &init {
        Some(o) => {
            // Without a name the browser rejects the call, as it should.
            if !get(o, "name").is_undefined() {
                super::patch::set(o, "name", &judged);
            }
            // Else it keeps what the page gave: `null`, or what the browser rejects.
            if let Some(t) = capped.or(expires) {
                super::patch::set(o, "expires", &JsValue::from_f64(t as f64));
            }
            // Both given: passed on, so that the browser rejects the call as without keksi.
            if !m.is_null_or_undefined() && !e.is_null_or_undefined() {
                super::patch::set(o, "maxAge", &m);
            }
            args.set(0, o.into());
        }
        None => args.set(0, judged),
    }
    let life = match capped.or(expires) {
        Some(t) => Lifetime::Persistent(t),
        None => Lifetime::Session,
    };
    note(&name, life);
    call(&target, &this, &args)
}

/// The trap of `cookieStore.delete`: deletions always pass (removing data needs no
/// consent); keksi only forgets the lifetime it noted.
fn cookie_store_delete(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let first = args.get(0);
    let name = if first.is_object() {
        text(&get(&first, "name"))?
    } else {
        text(&first)?
    };
    note(&name, Lifetime::Deletion);
    call(&target, &this, &args)
}

/// The trap of `Storage.prototype.setItem`: writes of a category not allowed are held and
/// replayed when it is; `removeItem` and `clear` forget held ones, so that what the page
/// removed before consent is not written back on consent.
fn storage_set_item(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let key = text(&args.get(0))?;
    let ok = state::judge(|s, c| governance::storage_allowed(s, c, &key));
    if ok {
        read_once(&args, 0, &key);
        return call(&target, &this, &args);
    }
    // Turned into a string before the borrow: a page's `toString` may throw.
    let value = text(&args.get(1))?;
    debug_drop("storage", &key);
    let local = forget_held(&this, Some(&key));
    HELD_STORAGE.with(|h| h.borrow_mut().push((local, key, value)));
    Ok(JsValue::UNDEFINED)
}

fn storage_remove_item(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    // keksi's own sweep removes old values: a held write of the key stays held.
    if SWEEPING.with(|s| s.get()) {
        return call(&target, &this, &args);
    }
    let key = text(&args.get(0))?;
    forget_held(&this, Some(&key));
    read_once(&args, 0, &key);
    call(&target, &this, &args)
}

fn storage_clear(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    forget_held(&this, None);
    call(&target, &this, &args)
}

/// Drop the held writes of `key` (all, for `None`) to the storage `this`; returns
/// whether it is a `localStorage` (page's or frame's) rather than a `sessionStorage`.
fn forget_held(this: &JsValue, key: Option<&str>) -> bool {
    let local = dom::window().is_some_and(|w| web_storage(&w, "localStorage").is_some_and(|l| JsValue::from(l) == *this))
        || super::frames::is_local_storage(this);
    HELD_STORAGE.with(|h| h.borrow_mut().retain(|(l, k, _)| !(*l == local && key.is_none_or(|key| k == key))));
    local
}

/// Install all write guards, once per page. Called first thing at start-up.
pub fn install() {
    static DONE: crate::single::Local<core::cell::Cell<bool>> = crate::single::Local::new(core::cell::Cell::new(false));
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    install_in(&super::dom::global());
}

/// Install the write guards in `realm` (the page's window, or a same-origin frame's).
pub fn install_in(realm: &JsValue) {
    let originals = super::patch::install(
        realm,
        &[
            ("sDocument cookie", document_cookie),
            ("mCookieStore set", cookie_store_set),
            ("mCookieStore delete", cookie_store_delete),
            ("mStorage setItem", storage_set_item),
            ("mStorage removeItem", storage_remove_item),
            ("mStorage clear", storage_clear),
        ],
    );
    // The page's own setter (its realm comes first) writes keksi's own cookies.
    if let Ok(set) = get(&originals, "Document.cookie").dyn_into::<Function>() {
        NATIVE_SET.with(|n| n.borrow_mut().get_or_insert(set).clone());
    }
}

/// Delete every visible cookie and governed storage key that consent does not cover,
/// replay held storage writes that it now does, and re-cap cookies found living beyond
/// 12 months (where `cookieStore` tells their expiry).
pub fn sweep() {
    let jar = super::store::jar();
    let denied: Vec<String> = state::read(|s| {
        let mut out = Vec::new();
        for &(n, _) in &crate::core::cookie::parse_jar(&jar) {
            if !governance::name_allowed(&s.settings, s.choice(), n) {
                out.push(n.into());
            }
        }
        out
    })
    .unwrap_or_default();
    for name in &denied {
        super::store::delete(name);
        note(name, Lifetime::Deletion);
    }
    sweep_storage();
    recap_from_cookie_store();
}

/// `w.localStorage` or `w.sessionStorage` (`name`); `None` where it is `null` or reading
/// it throws (storage disabled). A plain property read: no imports of their own.
fn web_storage(w: &JsValue, name: &str) -> Option<web_sys::Storage> {
    let s = get(w, name);
    s.is_object().then(|| s.unchecked_into())
}

fn sweep_storage() {
    let Some(w) = dom::window() else { return };
    for &(local, name) in &[(true, "localStorage"), (false, "sessionStorage")] {
        let Some(storage) = web_storage(&w, name) else { continue };
        let mut keys = Vec::new();
        for i in 0..storage.length().unwrap_or(0) {
            // `push`, not `extend` from an `Option`: an instantiation of its own.
            if let Ok(Some(k)) = storage.key(i) {
                keys.push(k);
            }
        }
        SWEEPING.with(|s| s.set(true));
        for k in &keys {
            if !state::read(|s| governance::storage_allowed(&s.settings, s.choice(), k)).unwrap_or(true) {
                let _ = storage.remove_item(k);
            }
        }
        SWEEPING.with(|s| s.set(false));
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
        for (k, v) in &ready {
            let _ = storage.set_item(k, v);
        }
    }
}

/// Read expiries with `cookieStore.getAll()` (async), note them and re-cap long ones.
fn recap_from_cookie_store() {
    let Some(w) = dom::window() else { return };
    let store = get(&w.into(), "cookieStore");
    if store.is_null_or_undefined() {
        return;
    }
    let Some(get_all) = super::patch::method(&store, "getAll") else {
        return;
    };
    let Ok(p) = get_all.call0(&store).and_then(|p| p.dyn_into::<Promise>()) else {
        return;
    };
    let cb = Closure::wrap(Box::new(|list: JsValue| recap_list(&list)) as Box<dyn FnMut(JsValue)>);
    let _ = p.then(&cb);
    cb.forget();
}

/// Handle a list of `CookieListItem`s: note lifetimes, re-cap, delete the unconsented.
fn recap_list(list: &JsValue) {
    let now = dom::now_ms() as i64;
    for item in Array::from(list).iter() {
        // Firefox and WebKit list cookies without `expires`: nothing to learn from them.
        if !Reflect::has(&item, &"expires".into()).unwrap_or(false) {
            continue;
        }
        let name = dom::text_prop(&item, "name");
        let expires = get(&item, "expires").as_f64().map(|t| t as i64);
        let life = expires.map(Lifetime::Persistent).unwrap_or(Lifetime::Session);
        note(&name, life);
        let Some(t) = expires else { continue };
        // A refused cookie is deleted, never written again with a shorter life.
        let allowed = state::judge(|s, c| governance::name_allowed(s, c, &name));
        if !allowed || !crate::core::expiry::too_long(t, now) {
            continue;
        }
        let mut s = name.clone();
        s.push('=');
        s.push_str(&dom::text_prop(&item, "value"));
        s.push_str("; Path=");
        let path = get(&item, "path").as_string().unwrap_or_else(|| "/".into());
        s.push_str(&path);
        if let Some(d) = get(&item, "domain").as_string() {
            s.push_str("; Domain=");
            s.push_str(&d);
        }
        if get(&item, "secure") == JsValue::TRUE {
            s.push_str("; Secure");
        }
        if let Some(ss) = get(&item, "sameSite").as_string() {
            s.push_str("; SameSite=");
            s.push_str(&ss);
        }
        // Without it, the write would make a second, unpartitioned cookie.
        if get(&item, "partitioned") == JsValue::TRUE {
            s.push_str("; Partitioned");
        }
        s.push_str("; Max-Age=");
        crate::core::json::push_u64(&mut s, MAX_AGE_SECS as u64);
        native_write(&s);
        note(&name, Lifetime::Persistent(now + MAX_AGE_SECS * 1000));
    }
}

/// Sweep again whenever the browser reports cookie changes (`cookieStore` `change`), after
/// adopting a choice that another page of the site stored.
pub fn watch_changes() {
    let Some(w) = dom::window() else { return };
    let store = get(&w.into(), "cookieStore");
    if !store.is_object() {
        return;
    }
    // `addEventListener` is called with a catch: a stand-in without one does no harm.
    let target = store.unchecked_into::<web_sys::EventTarget>();
    let cb = Closure::wrap(Box::new(|e: JsValue| {
        // First a choice another page stored, so that what it allows is judged by it.
        super::api::sync();
        let changed = get(&e, "changed");
        let mut denied = Vec::new();
        for i in Array::from(&changed).iter() {
            let n = dom::text_prop(&i, "name");
            if !state::read(|s| governance::name_allowed(&s.settings, s.choice(), &n)).unwrap_or(false) {
                denied.push(n);
            }
        }
        for n in &denied {
            super::store::delete(n);
        }
        recap_list(&changed);
    }) as Box<dyn FnMut(JsValue)>);
    dom::listen(&target, "change", cb.as_ref().unchecked_ref(), false);
    cb.forget();
}
