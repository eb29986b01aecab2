//! keksi — a cookie consent manager in Rust, compiled to WebAssembly.
//!
//! The crate has two layers:
//! - [`core`]: plain Rust with no browser types. Config, categories, the consent
//!   record, texts, the markup of the UI. Tested natively with `cargo test`.
//! - `web` (wasm32 only): the thin browser shell that reads the page, renders the
//!   markup into a shadow root, activates marked elements and exports the API.
#![warn(missing_docs)]
// The shipped build (`--no-default-features`) is no_std: std's panic and formatting
// machinery is ~12 KB of WebAssembly that a visitor would download for nothing.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

/// What std's prelude gives, taken from `alloc` so the same code builds with and without std.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub mod heap;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

#[cfg(target_arch = "wasm32")]
mod single;

/// Without std a panic traps: the loader catches a failed start and fails closed, and a
/// trap inside a wrapped browser function throws to its caller like any JS error.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
