//! DOM hook names: the attribute names and values of CONTRACT §3 and §9, in one place.
#[allow(unused_imports)]
use crate::prelude::*;

/// Id of the host element that carries keksi's shadow root.
pub const HOST_ID: &str = "keksi";
/// Id of the inline JSON config element.
pub const CONFIG_ID: &str = "keksi-config";
/// Attribute naming the category an element needs.
pub const CONSENT_ATTR: &str = "data-consent";
/// Attribute naming the service (inside the category) an element needs.
pub const SERVICE_ATTR: &str = "data-service";
/// Attribute holding a withheld URL.
pub const SRC_ATTR: &str = "data-src";
/// Attribute holding the real `type` of a marked script (e.g. `module`).
pub const TYPE_ATTR: &str = "data-type";
/// Attribute that makes any element open the preferences dialog.
pub const OPEN_ATTR: &str = "data-keksi-open";
/// Attribute keksi sets on marked elements it has activated or is holding.
pub const STATE_ATTR: &str = "data-keksi-state";
/// Attribute on the placeholder keksi puts before a blocked iframe.
pub const PLACEHOLDER_ATTR: &str = "data-keksi-placeholder";
/// Attribute on a blocked iframe while its placeholder stands before it: keksi hides it
/// (inline `display: none !important`), in its own place under its own parent.
pub const PARKED_ATTR: &str = "data-keksi-parked";
/// Attribute identifying a UI part (`banner`, `preferences`).
pub const PART_ATTR: &str = "data-keksi";
/// Attribute on buttons naming what they do.
pub const ACTION_ATTR: &str = "data-action";
/// Attribute on a category checkbox.
pub const CATEGORY_ATTR: &str = "data-category";

/// Button actions of the UI.
pub mod action {
    /// Accept every category.
    pub const ACCEPT_ALL: &str = "accept-all";
    /// Reject every optional category.
    pub const REJECT_ALL: &str = "reject-all";
    /// Open the preferences dialog.
    pub const PREFERENCES: &str = "preferences";
    /// Save the dialog's toggles.
    pub const SAVE: &str = "save";
    /// Close the dialog without saving.
    pub const CLOSE: &str = "close";
    /// Allow the content behind a placeholder.
    pub const ALLOW: &str = "allow";
}
