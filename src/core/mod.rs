//! The pure core: everything keksi decides, with no browser in sight.
//!
//! Functions here take the current time, the page's inputs and the stored value as
//! arguments, so every rule can be tested natively and deterministically.

pub mod category;
pub mod config;
pub mod consent;
pub mod cookie;
pub mod error;
pub mod hooks;
pub mod html;
pub mod json;
pub mod language;
pub mod markup;
pub mod pattern;
pub mod texts;
pub mod time;

pub use error::{Error, Result};
