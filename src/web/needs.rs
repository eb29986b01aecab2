//! What a governed element waits for: the category (and service) the page marked it
//! with, or keksi gave it; and for one the page marked whose URL is a tracker's (held
//! for it, or kept aside in `data-src`), the tracker's too. The page's marking alone
//! must not let a tracker it put in a looser category through, nor the tracker's
//! category alone one the page put in a stricter category (an `advertising` script on an
//! analytics host).
#[allow(unused_imports)]
use crate::prelude::*;

use web_sys::Element;

use super::dom;
use super::interceptor::{AUTO_ATTR, SRCSET_ATTR};
use super::state::State;
use crate::core::hooks::{CONSENT_ATTR, SERVICE_ATTR, SRC_ATTR};
use crate::core::strings;

/// The tracker's category, on an element the page marked with its own (see
/// `interceptor::hold`).
pub const TRACKER_ATTR: &str = "data-keksi-tracker";
/// The tracker's service, next to [`TRACKER_ATTR`].
pub const TRACKER_SERVICE_ATTR: &str = "data-keksi-tracker-service";

/// A category and the service in it, if any.
pub type Pair = (String, Option<String>);

/// The consents an element needs, all of them: its own first, then the tracker's.
pub struct Needs(pub Vec<Pair>);

impl Needs {
    /// Read from the element (before the state is borrowed: a page may have wrapped the
    /// DOM's getters).
    pub fn of(el: &Element) -> Needs {
        let mut all = vec![(dom::attr_text(el, CONSENT_ATTR), dom::attr(el, SERVICE_ATTR))];
        let tracker = match dom::attr(el, TRACKER_ATTR) {
            Some(c) => Some((c, dom::attr(el, TRACKER_SERVICE_ATTR))),
            // One the page marked with its URL aside (`data-src`): what that URL is now. Its
            // release would otherwise be held again for it, and stay so.
            None if !el.has_attribute(AUTO_ATTR) => dom::attr(el, SRC_ATTR)
                .and_then(|u| super::interceptor::tracker_of(&u, true))
                .map(|m| (m.category, m.service)),
            None => None,
        };
        let mut add = |t: Pair| {
            if !all.contains(&t) {
                all.push(t);
            }
        };
        if let Some(t) = tracker {
            add(t);
        }
        // An image's candidates kept aside (by keksi, or by the page as `data-srcset`): each
        // tracker among them too, whatever its `src` was held for.
        for a in [SRCSET_ATTR, "data-srcset"] {
            for c in strings::pieces(&dom::attr_text(el, a), b',') {
                if let Some(m) = super::interceptor::tracker_of(super::interceptor::candidate_url(c), true) {
                    add((m.category, m.service));
                }
            }
        }
        Needs(all)
    }

    /// Whether the choice allows every one.
    pub fn met(&self, s: &State) -> bool {
        self.0.iter().all(|(c, v)| s.allows(c, v.as_deref()))
    }

    /// The element's own category (and service).
    pub fn own(&self) -> &Pair {
        &self.0[0]
    }
}
