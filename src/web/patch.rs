//! Patching the page's JavaScript: wrapping methods and accessor setters in `Proxy`s
//! whose `apply` trap receives `this` and the arguments, and reading properties.
//! Shared by the cookie guard and the tracker interceptor.
#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, Function, Object, Proxy, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// An `apply` trap: `(original, this, arguments) -> result`.
pub type Trap = Box<dyn FnMut(Function, JsValue, Array) -> JsValue>;

/// `o[key]`, `undefined` when it cannot be read.
pub fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `window[ctor].prototype`.
pub fn prototype_of(ctor: &str) -> Option<Object> {
    let w: JsValue = crate::web::dom::window()?.into();
    get(&get(&w, ctor), "prototype").dyn_into::<Object>().ok()
}

/// A `Proxy` of `original` with `trap` as its `apply` handler. The trap lives as long
/// as the page (the proxy replaces a built-in for good).
pub fn proxy(original: &Function, trap: Trap) -> Option<JsValue> {
    let handler = Object::new();
    let cb = Closure::wrap(trap);
    Reflect::set(&handler, &"apply".into(), cb.as_ref()).ok()?;
    cb.forget();
    Some(Proxy::new(original, &handler).into())
}

/// Call the original with the same `this` and arguments.
pub fn call(target: &Function, this: &JsValue, args: &Array) -> JsValue {
    Reflect::apply(target, this, args).unwrap_or(JsValue::UNDEFINED)
}

/// Replace `window[ctor].prototype[name]` with a proxy; returns the original.
pub fn wrap_method(ctor: &str, name: &str, trap: Trap) -> Option<Function> {
    let proto = prototype_of(ctor)?;
    let original = get(&proto, name).dyn_into::<Function>().ok()?;
    let p = proxy(&original, trap)?;
    Reflect::set(&proto, &JsValue::from_str(name), &p).ok()?;
    Some(original)
}

/// Replace the setter of accessor `name` on `window[ctor].prototype` with a proxy,
/// keeping the getter; returns the original (setter, getter).
pub fn wrap_setter(ctor: &str, name: &str, trap: Trap) -> Option<(Function, Option<Function>)> {
    let proto = prototype_of(ctor)?;
    let desc = Object::get_own_property_descriptor(&proto, &JsValue::from_str(name))
        .dyn_into::<Object>()
        .ok()?;
    let setter = get(&desc, "set").dyn_into::<Function>().ok()?;
    let getter = get(&desc, "get").dyn_into::<Function>().ok();
    let p = proxy(&setter, trap)?;
    Reflect::set(&desc, &"set".into(), &p).ok()?;
    Object::define_property(&proto, &JsValue::from_str(name), &desc);
    Some((setter, getter))
}

/// A value as the page's own code would turn it into a string (`ToString`).
pub fn text(v: &JsValue) -> String {
    match v.as_string() {
        Some(s) => s,
        None => Array::of1(v).join("").into(),
    }
}
