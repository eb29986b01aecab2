//! Patching the page's JavaScript: wrapping methods and accessor halves in `Proxy`s
//! whose `apply` trap receives `this` and the arguments (a realm's all at once, by the
//! loader's src/patch.js), and reading properties. Shared by the cookie guard, the
//! tracker interceptor and the frames.
#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, Function, Object, Proxy, Reflect, WeakMap};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::single::Shared;

/// An `apply` trap: `(original, this, arguments) -> result`. An `Err` is thrown to the
/// page's caller, as the browser's own method would throw it.
pub type Trap = fn(Function, JsValue, Array) -> Result<JsValue, JsValue>;

/// `dispatch` as a closure: (trap index, original, this, arguments).
type DispatchFn = dyn Fn(u32, Function, JsValue, Array) -> Result<JsValue, JsValue>;

crate::single::local! {
    /// Every trap installed, by index.
    static TRAPS: Shared<Vec<Trap>> = const { Shared::new(Vec::new()) };
    /// The one closure every proxy's `apply` is bound from (with its trap's index).
    static DISPATCH: Shared<Option<Dispatch>> = const { Shared::new(None) };
    /// Each proxy's original, for `Function.prototype.toString` ([`install_in`]).
    static ORIGINALS: Shared<Option<WeakMap>> = const { Shared::new(None) };
}

#[wasm_bindgen]
extern "C" {
    /// The dispatching closure, as a function to bind.
    type Dispatch;
    #[wasm_bindgen(method, js_name = bind)]
    fn bind_index(this: &Dispatch, context: &JsValue, index: u32) -> Function;
}

/// Runs trap `i`. Nothing is borrowed while it runs: a patched method runs again inside
/// itself (an inline script that `appendChild` runs calls `appendChild`). For the same
/// reason the closure is a `Fn`: wasm-bindgen refuses to re-enter an `FnMut`.
fn dispatch(i: u32, target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let trap = TRAPS.with(|t| t.try_borrow().ok().and_then(|t| t.get(i as usize).copied()));
    match trap {
        Some(f) => f(target, this, args),
        None => call(&target, &this, &args),
    }
}

/// The index of `trap` in [`TRAPS`], added there on its first use. Each frame's realm is
/// patched with the same traps: one index per trap.
fn index(trap: Trap) -> Option<u32> {
    TRAPS.with(|t| {
        let mut t = t.try_borrow_mut().ok()?;
        Some(match t.iter().position(|&f| f as usize == trap as usize) {
            Some(i) => i,
            None => {
                t.push(trap);
                t.len() - 1
            }
        } as u32)
    })
}

/// The one closure every proxy's `apply` is bound from, and the map of each proxy's
/// original, made on first use.
fn dispatcher() -> Option<(Dispatch, WeakMap)> {
    let d = DISPATCH.with(|d| {
        let mut d = d.try_borrow_mut().ok()?;
        Some(
            d.get_or_insert_with(|| {
                let cb: Box<DispatchFn> = Box::new(dispatch);
                Closure::wrap(cb).into_js_value().unchecked_into()
            })
            .clone()
            .unchecked_into(),
        )
    })?;
    let m = ORIGINALS.with(|m| Some(m.try_borrow_mut().ok()?.get_or_insert_with(WeakMap::new).clone()))?;
    Some((d, m))
}

/// A `Proxy` of `original` with `trap` as its `apply` handler. The trap lives as long
/// as the page (the proxy replaces a built-in for good). One closure serves every
/// proxy, bound to each trap's index: a closure per trap costs ~1 KB of keksi.js.
pub fn proxy(original: &Function, trap: Trap) -> Option<JsValue> {
    let i = index(trap)?;
    let (d, originals) = dispatcher()?;
    let handler = Object::new();
    Reflect::set(&handler, &"apply".into(), &d.bind_index(&JsValue::UNDEFINED, i)).ok()?;
    let p = Proxy::new(original, &handler);
    originals.set(p.unchecked_ref(), original.unchecked_ref());
    Some(p.into())
}

/// A realm's patches, in order: each group's text (`<kind><ctors> <names>`: kind `m` a
/// method of `ctor.prototype`, or of the realm itself for no ctor; `s`/`g` an accessor's
/// setter/getter; ctors and names each separated by `,`, every name of every ctor
/// patched) and its trap.
pub type Patches = [(&'static str, Trap)];

#[wasm_bindgen]
extern "C" {
    /// src/patch.js (in the loader): installs the groups of `spec`, returns the originals.
    #[wasm_bindgen(js_name = keksiPatch)]
    fn patch_realm(realm: &JsValue, spec: &str, dispatch: &Dispatch, originals: &WeakMap) -> JsValue;
}

/// Replace each function (or accessor half) `patches` names in `realm` (a window: the
/// page's, or a same-origin frame's) with a proxy, in order, by one call of src/patch.js
/// (~8 calls across each otherwise). A missing one is skipped. Returns the originals, an
/// object keyed `"ctor.name"` (`".name"` for the realm's own).
pub fn install(realm: &JsValue, patches: &Patches) -> JsValue {
    let mut spec = String::new();
    for &(group, trap) in patches {
        // Its index in two digits (38 traps today; every browser test installs them all,
        // in a debug build, so one past 99 fails there).
        if let Some(i) = index(trap) {
            debug_assert!(i < 100, "trap index {i} does not fit two digits");
            spec.push(char::from(b'0' + (i / 10 % 10) as u8));
            spec.push(char::from(b'0' + (i % 10) as u8));
            spec.push_str(group);
            spec.push('/');
        }
    }
    match dispatcher() {
        Some((d, originals)) => patch_realm(realm, &spec, &d, &originals),
        None => JsValue::UNDEFINED,
    }
}

/// Make `realm`'s `Function.prototype.toString` show each proxy as its original
/// (`function fetch() { [native code] }`, where a proxy shows `function () { … }`
/// without its name): fraud and bot detection on checkout and login pages compares these
/// texts, and must not take the site's visitors for bots because keksi is there.
pub fn install_in(realm: &JsValue) {
    install(realm, &[("mFunction toString", native_text)]);
}

fn native_text(target: Function, this: JsValue, args: Array) -> Result<JsValue, JsValue> {
    let original = ORIGINALS
        .with(|m| m.try_borrow().ok().and_then(|m| m.as_ref().map(|m| m.get(this.unchecked_ref()))))
        .filter(|o| !o.is_undefined());
    call(&target, original.as_ref().unwrap_or(&this), &args)
}

/// A function that runs `trap` (its `original` is `Function.prototype`, which does
/// nothing): an event listener through the one dispatcher, without a closure of its own.
pub fn callback(trap: Trap) -> Option<JsValue> {
    let noop = method(&get(&super::dom::global(), "Function"), "prototype")?;
    proxy(&noop, trap)
}

/// Set keksi's own property `key` on a page object (a window, a document, an element),
/// not enumerable: `Object.keys(window)`, `for … in` and test runners' global-leak
/// checks (mocha's `checkLeaks`) see only the page's own. Later plain sets keep it so.
/// Whether it was set.
pub fn set_own(o: &JsValue, key: &str, value: &JsValue) -> bool {
    let desc = Object::new();
    set(&desc, "value", value);
    set(&desc, "writable", &JsValue::TRUE);
    set(&desc, "configurable", &JsValue::TRUE);
    // Said outright: redefining a property keeps what the descriptor leaves out.
    set(&desc, "enumerable", &JsValue::FALSE);
    o.is_object() && Reflect::define_property::<Object>(o.unchecked_ref(), &JsValue::from_str(key), &desc) == Ok(true)
}

/// `o[key]`, `undefined` when it cannot be read.
pub fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `o[key]` when it is a function (a method to call), else `None`: the read and the
/// test written once, not at each of the callers.
#[inline(never)]
pub fn method(o: &JsValue, key: &str) -> Option<Function> {
    get(o, key).dyn_into::<Function>().ok()
}

/// `o[key] = value` (`Reflect.set`), a failure ignored: for the many callers that go on
/// either way (written once, not at each of them).
#[inline(never)]
pub fn set(o: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

/// `realm[ctor].prototype`. A realm is a window: the page's own, or a same-origin
/// frame's, which has its own built-ins (`frames::adopt`).
pub fn prototype_of(realm: &JsValue, ctor: &str) -> Option<Object> {
    // Not `dyn_into`: a frame's objects fail `instanceof Object`, whose `Object` is ours.
    let p = get(&get(realm, ctor), "prototype");
    // `Function.prototype` is a function.
    (p.is_object() || p.is_function()).then(|| p.unchecked_into())
}

/// Call the original with the same `this` and arguments; what it throws, the trap throws.
pub fn call(target: &Function, this: &JsValue, args: &Array) -> Result<JsValue, JsValue> {
    Reflect::apply(target, this, args)
}

/// `call` with one argument in place of the page's. The array by `new Array` and `push`,
/// which keksi imports anyway (`Array.of` would be an import of its own).
pub fn call1(target: &Function, this: &JsValue, arg: &JsValue) -> Result<JsValue, JsValue> {
    let args = Array::new();
    args.push(arg);
    call(target, this, &args)
}

/// `Object.getOwnPropertyDescriptor(o, name)`, when `o` has that property. Made by
/// keksi's own `Object` (also for a frame's `o`): an object or `undefined`, so no
/// `instanceof` (an import of its own) is needed to tell.
pub fn descriptor(o: &Object, name: &str) -> Option<Object> {
    let d = Object::get_own_property_descriptor(o, &JsValue::from_str(name));
    d.is_object().then(|| d.unchecked_into())
}

#[wasm_bindgen]
extern "C" {
    /// `"" + v` as the browser's own string conversion does it (`String.prototype.concat`
    /// on `String.prototype`, whose value is `""`): a `Symbol` throws its `TypeError`, as
    /// `String(v)` would not; what a page's `toString` throws is caught.
    #[wasm_bindgen(catch, js_namespace = ["String", "prototype"], js_name = concat)]
    fn to_string(v: &JsValue) -> Result<JsValue, JsValue>;
    /// The global `Number(v)`, likewise caught.
    #[wasm_bindgen(catch, js_name = Number)]
    fn to_number(v: &JsValue) -> Result<JsValue, JsValue>;
}

/// A value as the browser turns it into a number (`Number(v)`: a `Date` gives its time);
/// `None` when that is not a finite number or throws.
pub fn number(v: &JsValue) -> Option<f64> {
    to_number(v).ok()?.as_f64().filter(|t| t.is_finite())
}

/// Pass argument `i` on as the string keksi read (see [`text`]), so that a `toString`
/// runs once and cannot show keksi one URL and the browser another. A missing one stays
/// missing (the browser throws for it as without keksi); a trusted value made by the
/// page's Trusted Types policy goes on as it is (the browser takes no string in its place).
pub fn read_once(args: &Array, i: u32, s: &str) {
    let v = args.get(i);
    if i < args.length() && !v.is_string() && !super::trusted::is_trusted(&v) {
        args.set(i, JsValue::from_str(s));
    }
}

/// A value as the browser turns it into a string for a DOM call, once: the string keksi
/// judges is the one passed on, so a `toString` cannot show keksi one URL and the browser
/// another. What the conversion throws (a page's `toString`, a `Symbol`) is the trap's
/// error, thrown to the page as the browser would throw it (nothing borrowed is left
/// behind: no state is held while it runs).
pub fn text(v: &JsValue) -> Result<String, JsValue> {
    match v.as_string() {
        Some(s) => Ok(s),
        None => Ok(to_string(v)?.as_string().unwrap_or_default()),
    }
}
