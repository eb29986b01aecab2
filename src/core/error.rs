//! The one error type of the core, with messages that name the field or input at fault.
#[allow(unused_imports)]
use crate::prelude::*;

/// Result alias used across the core.
pub type Result<T> = core::result::Result<T, Error>;

/// Everything that can go wrong in the core. Each variant names what was at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The config text is not JSON, or not a JSON object.
    ConfigSyntax(String),
    /// A config field is unknown, of the wrong type, or has an invalid value.
    ConfigField {
        /// Path of the field, e.g. `categories.analytics.services`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The stored consent value cannot be read; the record is treated as absent.
    ConsentUnreadable(&'static str),
    /// An argument passed to the JavaScript API is wrong.
    BadArgument {
        /// The API call, e.g. `keksi.accept`.
        call: &'static str,
        /// What is wrong with the argument.
        problem: String,
    },
}

impl Error {
    /// Shorthand for a [`Error::ConfigField`].
    pub fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::ConfigField {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// A human-readable message, prefixed with `keksi:`.
    ///
    /// Built by concatenation rather than `format!` to keep formatting machinery
    /// out of the WebAssembly.
    pub fn message(&self) -> String {
        let mut m = String::from("keksi: ");
        match self {
            Error::ConfigSyntax(detail) => {
                m.push_str("config is not valid JSON: ");
                m.push_str(detail);
            }
            Error::ConfigField { field, problem } => {
                m.push_str("config field `");
                m.push_str(field);
                m.push_str("`: ");
                m.push_str(problem);
            }
            Error::ConsentUnreadable(why) => {
                m.push_str("stored consent is unreadable (");
                m.push_str(why);
                m.push_str("); asking again");
            }
            Error::BadArgument { call, problem } => {
                m.push_str(call);
                m.push_str(": ");
                m.push_str(problem);
            }
        }
        m
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}
