//! The browser shell: reads the page, keeps the one app state, and hands the core's
//! decisions to the DOM. Everything here only translates; the rules live in `core`.
#[allow(unused_imports)]
use crate::prelude::*;

pub mod activation;
pub mod api;
pub mod cookie_guard;
pub mod dom;
mod frames;
pub mod interceptor;
mod late_events;
mod needs;
pub mod patch;
mod placeholder;
pub mod signals;
mod state;
pub mod store;
mod trusted;
pub mod ui;

pub use state::{boot, shutdown};
