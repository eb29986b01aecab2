//! keksi — a cookie consent manager in Rust, compiled to WebAssembly.
//!
//! The crate has two layers:
//! - [`core`]: plain Rust with no browser types. Config, categories, the consent
//!   record, texts, the markup of the UI. Tested natively with `cargo test`.
//! - `web` (wasm32 only): the thin browser shell that reads the page, renders the
//!   markup into a shadow root, activates marked elements and exports the API.
#![warn(missing_docs)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub mod heap;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();
