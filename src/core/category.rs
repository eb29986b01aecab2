//! Categories of purpose and the services inside them (CONTRACT §2).
#[allow(unused_imports)]
use crate::prelude::*;

/// Name of the category that is always on.
pub const NECESSARY: &str = "necessary";

/// The built-in categories, in display order.
pub const DEFAULT_CATEGORIES: [&str; 4] = [NECESSARY, "functional", "analytics", "advertising"];

/// A service inside a category (e.g. `youtube` in `functional`) that the visitor can
/// toggle on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Machine name, used in `data-service` and the consent record.
    pub name: String,
    /// Display title; the name when not configured.
    pub title: String,
    /// Optional description shown in the dialog.
    pub description: Option<String>,
}

/// A category of purpose, validated from config and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Machine name, used in `data-consent` and the consent record.
    pub name: String,
    /// Display title override; `None` uses the built-in text for the language.
    pub title: Option<String>,
    /// Description override; `None` uses the built-in text for the language.
    pub description: Option<String>,
    /// Services the visitor can toggle one by one.
    pub services: Vec<Service>,
    /// `localStorage`/`sessionStorage` keys (exact or `*` globs) owned by this category.
    pub storage: Vec<String>,
    /// Counts as sale or sharing of personal data (kept off under Global Privacy Control).
    pub sale_or_sharing: bool,
}

impl Category {
    /// A category with only a name.
    pub fn named(name: &str) -> Self {
        Category {
            name: name.into(),
            title: None,
            description: None,
            services: Vec::new(),
            storage: Vec::new(),
            sale_or_sharing: name == "advertising",
        }
    }

    /// Whether this category is always on.
    pub fn is_necessary(&self) -> bool {
        self.name == NECESSARY
    }

    /// The service with this name, if declared.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// Whether `name` is a valid category or service name: 1–32 of `a-z 0-9 _ -`.
///
/// Kept narrow so names can be separators-free parts of the consent cookie.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_valid_name("analytics"));
        assert!(is_valid_name("social_media-2"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("Analytics"));
        assert!(!is_valid_name("a|b"));
        assert!(!is_valid_name("a.b"));
        assert!(!is_valid_name(&"x".repeat(33)));
    }

    #[test]
    fn advertising_is_sale_or_sharing_by_default() {
        assert!(Category::named("advertising").sale_or_sharing);
        assert!(!Category::named("analytics").sale_or_sharing);
    }
}
