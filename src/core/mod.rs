//! The pure core: everything keksi decides, with no browser in sight.
//!
//! Functions here take the current time, the page's inputs and the stored value as
//! arguments, so every rule can be tested natively and deterministically.
#[allow(unused_imports)]
use crate::prelude::*;

pub mod category;
pub mod config;
pub mod consent;
pub mod consent_mode;
pub mod cookie;
pub mod cookie_write;
pub mod error;
pub mod expiry;
pub mod governance;
pub mod hooks;
pub mod html;
pub mod json;
pub mod knowledge;
pub mod language;
pub mod markup;
pub mod pattern;
pub mod receipt;
pub mod sha256;
pub mod strings;
pub mod tags;
pub mod texts;
pub mod time;
pub mod trackers;

pub use error::{Error, Result};

#[cfg(test)]
mod fuzz;
