//! Globals for single-threaded wasm32, without std's `thread_local!` and `OnceLock`.
//!
//! wasm32-unknown-unknown without the atomics feature runs on one thread, so a static
//! needs no synchronisation; these wrappers only tell the compiler so.

use core::cell::{BorrowError, BorrowMutError, OnceCell, Ref, RefCell, RefMut};

/// A static value with `thread_local!`'s `with` access.
pub struct Local<T>(T);

// SAFETY: one thread (see the module docs).
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    /// Wraps a constant initial value.
    pub const fn new(value: T) -> Self {
        Local(value)
    }
    /// Runs `f` with the value.
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
    /// The value itself, for a borrow that outlives a closure (a guard to return).
    pub fn get(&'static self) -> &'static T {
        &self.0
    }
}

/// A value computed on first use, like `std::sync::OnceLock`.
pub struct Once<T>(OnceCell<T>);

// SAFETY: one thread (see the module docs).
unsafe impl<T> Sync for Once<T> {}

impl<T> Once<T> {
    /// Empty until first use.
    pub const fn new() -> Self {
        Once(OnceCell::new())
    }
    /// The value, computed by `f` the first time.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(f)
    }
}

/// `static NAME: Type = const { init };` items as [`Local`]s, in `thread_local!`'s syntax.
macro_rules! local {
    ($($(#[$m:meta])* static $name:ident: $t:ty = const { $init:expr };)*) => {
        $($(#[$m])* static $name: $crate::single::Local<$t> = $crate::single::Local::new($init);)*
    };
}
pub(crate) use local;

/// A `RefCell` whose conflicting borrows fail with a plain message: `RefCell::borrow_mut`
/// panics through core's `panic_already_borrowed`, which formats the error, and the
/// shipped build never prints a panic anyway (−0.1 KB gzip).
pub struct Shared<T>(RefCell<T>);

impl<T> Shared<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Shared(RefCell::new(value))
    }
    /// Shared access; two at once are fine, during a `borrow_mut` it is a bug.
    pub fn borrow(&self) -> Ref<'_, T> {
        self.0.try_borrow().unwrap_or_else(|_| conflict())
    }
    /// Exclusive access; during any other borrow it is a bug.
    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        self.0.try_borrow_mut().unwrap_or_else(|_| conflict())
    }
    /// Shared access, or `Err` while it is mutably borrowed (re-entered from a callback).
    pub fn try_borrow(&self) -> Result<Ref<'_, T>, BorrowError> {
        self.0.try_borrow()
    }
    /// Exclusive access, or `Err` while it is borrowed (re-entered from a callback).
    pub fn try_borrow_mut(&self) -> Result<RefMut<'_, T>, BorrowMutError> {
        self.0.try_borrow_mut()
    }
}

// tools/panic-data.mjs blanks this message in keksi.js (a panic traps, nothing reads
// it) and stops the build if it is not found there as written.
#[cold]
fn conflict() -> ! {
    panic!("keksi: state borrowed while in use")
}
