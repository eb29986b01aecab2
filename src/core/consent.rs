//! The visitor's choice and its stored form, the `keksi_consent` cookie (CONTRACT §7).
//!
//! The cookie value is `1|revision|timestamp36|id|method|cat+cat|svc+svc`, then `|g` when
//! Global Privacy Control was on (records from before that field read as "off"): compact,
//! made only of cookie-safe characters, and strict to read: anything unexpected means
//! "no consent", never "some consent".
#[allow(unused_imports)]
use crate::prelude::*;

use super::category::{is_valid_name, NECESSARY};
use super::config::Settings;
use super::error::{Error, Result};
use super::json::{num, obj, push_u64, Json};
use super::time::{iso8601, DAY_MS};

/// Format version written first in the cookie value.
const VERSION: &str = "1";
/// Longest cookie value accepted; longer ones are tampered or foreign.
pub const MAX_ENCODED_LEN: usize = 2048;
/// Clock skew tolerated for a timestamp in the future.
const SKEW_MS: u64 = DAY_MS;

/// How the visitor made the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// "Accept all" (banner, dialog or API).
    AcceptAll,
    /// "Reject all" (banner, dialog or API).
    RejectAll,
    /// A choice of categories/services (dialog, placeholder or `keksi.accept`).
    Custom,
}

impl Method {
    /// The name used in the cookie, the API and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::AcceptAll => "accept-all",
            Method::RejectAll => "reject-all",
            Method::Custom => "custom",
        }
    }

    fn parse(s: &str) -> Option<Method> {
        match s {
            "accept-all" => Some(Method::AcceptAll),
            "reject-all" => Some(Method::RejectAll),
            "custom" => Some(Method::Custom),
            _ => None,
        }
    }
}

/// What the visitor allowed: the optional categories and services that are on.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Choice {
    /// Allowed categories (never needs to list `necessary`).
    pub categories: Vec<String>,
    /// Allowed services, by name.
    pub services: Vec<String>,
}

/// Copied name by name onto fresh lists (`push`, compiled in anyway), not by the derived
/// clone: `Vec<String>::clone` would be code of its own in keksi.js for this one copy.
impl Clone for Choice {
    fn clone(&self) -> Choice {
        let mut c = Choice::default();
        for n in &self.categories {
            c.categories.push(n.clone());
        }
        for n in &self.services {
            c.services.push(n.clone());
        }
        c
    }
}

impl Choice {
    /// Everything on.
    pub fn all(s: &Settings) -> Choice {
        // Loops, not adapter chains (here and below): each chain is code of its own in keksi.js.
        let mut c = Choice::default();
        for cat in &s.categories {
            c.categories.push(cat.name.clone());
            for v in &cat.services {
                c.services.push(v.name.clone());
            }
        }
        c
    }

    /// Only `necessary` on.
    pub fn necessary_only() -> Choice {
        Choice {
            categories: vec![NECESSARY.into()],
            services: Vec::new(),
        }
    }

    /// Exactly these categories (plus `necessary`) and all their services on.
    ///
    /// Fails on a name that is not a category, so a typo never silently refuses.
    pub fn only(s: &Settings, names: &[String]) -> Result<Choice> {
        let mut c = Choice::necessary_only();
        for name in names {
            let Some(cat) = s.category(name) else {
                let mut p = String::from("unknown category `");
                p.push_str(name);
                p.push_str("`; known: ");
                for (i, c) in s.categories.iter().enumerate() {
                    if i > 0 {
                        p.push_str(", ");
                    }
                    p.push_str(&c.name);
                }
                return Err(Error::BadArgument {
                    call: "keksi.accept",
                    problem: p,
                });
            };
            if !c.categories.contains(&cat.name) {
                c.categories.push(cat.name.clone());
                // A loop, not `extend` from a `map` (code of its own).
                for v in &cat.services {
                    c.services.push(v.name.clone());
                }
            }
        }
        Ok(c)
    }

    /// Turn one category (and all its services) on or off.
    pub fn set_category(&mut self, s: &Settings, name: &str, on: bool) {
        if name == NECESSARY {
            return;
        }
        let Some(cat) = s.category(name) else { return };
        toggle(&mut self.categories, name, on);
        for svc in &cat.services {
            toggle(&mut self.services, &svc.name, on);
        }
    }

    /// Turn one service on or off.
    pub fn set_service(&mut self, name: &str, on: bool) {
        toggle(&mut self.services, name, on);
    }
}

fn toggle(list: &mut Vec<String>, name: &str, on: bool) {
    let has = list.iter().any(|n| n == name);
    if on && !has {
        list.push(name.into());
    } else if !on && has {
        list.retain(|n| n != name);
    }
}

/// A stored choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The config revision it was given under.
    pub revision: u32,
    /// When, in Unix milliseconds.
    pub timestamp_ms: u64,
    /// Random id (hex), to find this consent in receipts.
    pub id: String,
    /// How it was given.
    pub method: Method,
    /// What was allowed.
    pub choice: Choice,
    /// Whether Global Privacy Control (or honoured Do Not Track) was on when it was given.
    pub gpc: bool,
}

/// Why a stored record does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Given under another config revision.
    Revision,
    /// Older than the configured validity.
    Expired,
    /// Dated in the future: tampered or a broken clock.
    FromTheFuture,
}

/// A new random id: hex of the given random bytes.
pub fn id_from_bytes(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

impl ConsentRecord {
    /// The cookie value.
    pub fn encode(&self) -> String {
        // Written straight into one string: no copies of the parts.
        let mut s = String::from(VERSION);
        s.push('|');
        push_u64(&mut s, u64::from(self.revision));
        for &part in &[to_base36(self.timestamp_ms).as_str(), &self.id, self.method.as_str()] {
            s.push('|');
            s.push_str(part);
        }
        for &list in &[&self.choice.categories, &self.choice.services] {
            s.push('|');
            super::strings::push_joined(&mut s, list, "+");
        }
        if self.gpc {
            s.push_str("|g");
        }
        s
    }

    /// Read a cookie value. Anything malformed is an error (= no consent).
    pub fn decode(value: &str) -> Result<ConsentRecord> {
        if value.len() > MAX_ENCODED_LEN {
            return Err(Error::ConsentUnreadable("too long"));
        }
        let mut parts = super::strings::split(value, b'|');
        // Only an eighth field: a 7-field record's services could be just `g`.
        let gpc = parts.len() == 8 && parts.last() == Some(&"g");
        if gpc {
            parts.truncate(7);
        }
        let [version, revision, ts, id, method, cats, svcs] = parts[..] else {
            return Err(Error::ConsentUnreadable("wrong number of fields"));
        };
        if version != VERSION {
            return Err(Error::ConsentUnreadable("unknown format version"));
        }
        let revision = super::strings::parse_u32(revision).ok_or(Error::ConsentUnreadable("bad revision"))?;
        let timestamp_ms = from_base36(ts).ok_or(Error::ConsentUnreadable("bad timestamp"))?;
        let id_ok = (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !id_ok {
            return Err(Error::ConsentUnreadable("bad id"));
        }
        let method = Method::parse(method).ok_or(Error::ConsentUnreadable("bad method"))?;
        let choice = Choice {
            categories: names(cats)?,
            services: names(svcs)?,
        };
        Ok(ConsentRecord {
            revision,
            timestamp_ms,
            id: id.into(),
            method,
            choice,
            gpc,
        })
    }

    /// Global Privacy Control sent now, but not when this choice was made: the signal
    /// wins over the earlier choice (CCPA regulations § 7025(c)(3)), so every category
    /// that is sale or sharing goes off. The visitor can switch one on again in the
    /// dialog: that choice is made under the signal, and holds.
    pub fn honour_signal(&mut self, s: &Settings, gpc_now: bool) {
        if gpc_now && !self.gpc {
            for cat in &s.categories {
                if cat.sale_or_sharing {
                    self.choice.set_category(s, &cat.name, false);
                }
            }
        }
    }

    /// The choice a consent cookie value holds for `s` at `now_ms`, with the privacy
    /// signal sent now (`gpc`) honoured: `Ok(None)` when there is no value, or it is from
    /// another revision or expired; `Err` when it cannot be read. Both mean no consent.
    pub fn load(value: Option<&str>, s: &Settings, now_ms: u64, gpc: bool) -> Result<Option<ConsentRecord>> {
        let Some(value) = value else { return Ok(None) };
        let mut r = ConsentRecord::decode(value)?;
        r.honour_signal(s, gpc);
        Ok(r.check(s, now_ms).ok().map(|_| r))
    }

    /// Whether this record still counts under `settings` at `now_ms`.
    pub fn check(&self, settings: &Settings, now_ms: u64) -> core::result::Result<(), Invalid> {
        if self.revision != settings.revision {
            return Err(Invalid::Revision);
        }
        if self.timestamp_ms > now_ms.saturating_add(SKEW_MS) {
            return Err(Invalid::FromTheFuture);
        }
        let max_age = u64::from(settings.consent_validity_days) * DAY_MS;
        if now_ms.saturating_sub(self.timestamp_ms) >= max_age {
            return Err(Invalid::Expired);
        }
        Ok(())
    }

    /// Seconds the consent cookie should live from `now_ms`: until the choice expires.
    pub fn max_age_secs(&self, settings: &Settings, now_ms: u64) -> u64 {
        let end = self.timestamp_ms + u64::from(settings.consent_validity_days) * DAY_MS;
        end.saturating_sub(now_ms) / 1000
    }

    /// Whether `category` (and `service`, when named) is allowed by this record.
    pub fn allows(&self, settings: &Settings, category: &str, service: Option<&str>) -> bool {
        allowed(settings, Some(&self.choice), category, service)
    }

    /// The object `keksi.consent()` returns and `keksi:consent` carries.
    pub fn to_json(&self, settings: &Settings) -> Json {
        let (cats, svcs) = states_json(settings, Some(&self.choice));
        obj(
            &["id", "revision", "timestamp", "method", "categories", "services"],
            vec![
                Json::Str(self.id.clone()),
                num(u64::from(self.revision)),
                Json::Str(iso8601(self.timestamp_ms as i64)),
                Json::Str(self.method.as_str().into()),
                cats,
                svcs,
            ],
        )
    }
}

/// The consent cookie's `value` read again by a page that last read `seen` and holds
/// `held` (another page of the site may have changed it since). Whether the page's choice
/// changes: not when the value is the one it read, or holds the choice the page made
/// itself (same time and id); else `held` becomes the new record, or none (fail closed)
/// when the cookie was removed or holds no valid choice. A page whose config is broken
/// (`trusted` false, it runs on the defaults) adopts no choice, as at start, and drops its
/// own at any other page's write: it cannot tell a new choice from a withdrawal under its
/// defaults. `seen` becomes `value`.
pub fn reread(
    held: &mut Option<ConsentRecord>,
    seen: &mut Option<String>,
    value: Option<&str>,
    s: &Settings,
    now_ms: u64,
    gpc: bool,
    trusted: bool,
) -> bool {
    if value == seen.as_deref() {
        return false;
    }
    *seen = value.map(String::from);
    let now = ConsentRecord::load(value, s, now_ms, gpc).ok().flatten();
    fn key(r: &Option<ConsentRecord>) -> Option<(u64, &str)> {
        r.as_ref().map(|r| (r.timestamp_ms, r.id.as_str()))
    }
    if key(held) == key(&now) || (!trusted && held.is_none()) {
        return false;
    }
    *held = now.filter(|_| trusted);
    true
}

/// `{category: allowed}` and `{service: allowed}` for a choice, in settings order: the
/// shape shared by `keksi.consent()`, the `dataLayer` event and receipts.
pub fn states_json(s: &Settings, choice: Option<&Choice>) -> (Json, Json) {
    let (mut cats, mut svcs) = (Vec::new(), Vec::new());
    for c in &s.categories {
        cats.push((c.name.clone(), Json::Bool(allowed(s, choice, &c.name, None))));
        for v in &c.services {
            svcs.push((v.name.clone(), Json::Bool(allowed(s, choice, &c.name, Some(&v.name)))));
        }
    }
    (Json::Obj(cats), Json::Obj(svcs))
}

/// The consent rule: `necessary` always; nothing optional without a choice; a declared
/// service needs its own consent; an undeclared service follows its category.
pub fn allowed(settings: &Settings, choice: Option<&Choice>, category: &str, service: Option<&str>) -> bool {
    let Some(cat) = settings.category(category) else { return false };
    if cat.is_necessary() {
        return true;
    }
    let Some(choice) = choice else { return false };
    match service.filter(|s| cat.service(s).is_some()) {
        Some(svc) => choice.services.iter().any(|s| s == svc),
        None => choice.categories.iter().any(|c| c == category),
    }
}

fn names(list: &str) -> Result<Vec<String>> {
    // A loop, not `collect::<Result<…>>`: its adapter costs keksi.js ~0.15 KB.
    let mut out = Vec::new();
    if list.is_empty() {
        return Ok(out);
    }
    for n in super::strings::pieces(list, b'+') {
        if !is_valid_name(n) {
            return Err(Error::ConsentUnreadable("bad name"));
        }
        out.push(n.into());
    }
    Ok(out)
}

fn to_base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    // Written from the end of a buffer that fits any u64 (13 digits), then copied out by
    // a loop: no list to grow, no `rev` + `map` + `collect` (code of their own).
    let mut buf = [0u8; 13];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    let mut out = String::new();
    for &b in &buf[i..] {
        out.push(b as char);
    }
    out
}

fn from_base36(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        };
        // At most 12 digits: 36^12 - 1 fits a u64, so no check (a checked or saturating
        // 64-bit multiply is a 128-bit one on wasm32: compiler-rt's `__multi3`).
        Some(acc * 36 + u64::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_689_846_000;

    fn settings() -> Settings {
        Settings::from_json(r#"{"revision":3,"categories":{"functional":{"services":{"youtube":{},"maps":{}}}}}"#).unwrap()
    }

    fn record(method: Method, choice: Choice) -> ConsentRecord {
        ConsentRecord {
            revision: 3,
            timestamp_ms: NOW,
            id: id_from_bytes(&[0xab; 16]),
            method,
            choice,
            gpc: false,
        }
    }

    #[test]
    fn round_trip() {
        let s = settings();
        for r in [
            record(Method::AcceptAll, Choice::all(&s)),
            record(Method::RejectAll, Choice::necessary_only()),
            record(
                Method::Custom,
                Choice {
                    categories: vec![],
                    services: vec!["maps".into()],
                },
            ),
            ConsentRecord {
                gpc: true,
                ..record(Method::AcceptAll, Choice::all(&s))
            },
            // A service named `g` in a record without the signal's field.
            record(
                Method::Custom,
                Choice {
                    categories: vec![],
                    services: vec!["g".into()],
                },
            ),
        ] {
            let text = r.encode();
            assert!(
                text.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b',' && b != b'"'),
                "{text}"
            );
            assert_eq!(ConsentRecord::decode(&text).unwrap(), r);
        }
    }

    #[test]
    fn garbage_truncated_and_tampered_values_are_rejected() {
        let good = record(Method::AcceptAll, Choice::all(&settings())).encode();
        let bad = [
            "".to_string(),
            "garbage".into(),
            "1|3".into(),
            good[..good.len() / 2].to_string(),
            good.replacen("1|", "2|", 1),
            good.replace("accept-all", "accept-everything"),
            good.replace("|3|", "|-3|"),
            good.replace("analytics", "ANALYTICS"),
            good.replace("analytics", "ana<script>"),
            good.replace(&"ab".repeat(16), "zz"),
            good.replace(&"ab".repeat(16), &"ab".repeat(40)),
            good.clone() + "|extra",
            good.clone() + "|G",
            good.clone() + "|g|g",
            good.clone() + "|",
            "x".repeat(5000),
            "1|3|zzzzzzzzzzzzzz|abababababababababababababababab|custom||".into(),
            "\u{0}|3|a|abababababababababababababababab|custom||".into(),
        ];
        for b in bad {
            assert!(ConsentRecord::decode(&b).is_err(), "accepted {b:?}");
        }
    }

    #[test]
    fn a_signal_sent_after_the_choice_wins_over_it() {
        let s = Settings::from_json(r#"{"categories":{"social":{"saleOrSharing":true,"services":{"fb":{}}}}}"#).unwrap();
        let all = Choice::all(&s);
        assert!(all.categories.iter().any(|c| c == "advertising") && all.services == ["fb"]);
        let cats = |r: &ConsentRecord| r.choice.categories.join(",");
        // Accepted before the signal, then the signal on: sale and sharing go off.
        let mut before = record(Method::AcceptAll, Choice::all(&s));
        before.honour_signal(&s, true);
        assert_eq!(cats(&before), "necessary,functional,analytics");
        assert!(before.choice.services.is_empty());
        // Switched on under the signal: the visitor's own choice holds.
        let mut under = ConsentRecord {
            gpc: true,
            ..record(Method::Custom, Choice::all(&s))
        };
        under.honour_signal(&s, true);
        assert_eq!(under.choice, Choice::all(&s));
        // No signal now: nothing changes.
        let mut without = record(Method::AcceptAll, Choice::all(&s));
        without.honour_signal(&s, false);
        assert_eq!(without.choice, Choice::all(&s));
    }

    #[test]
    fn revision_and_expiry() {
        let s = settings();
        let r = record(Method::AcceptAll, Choice::all(&s));
        assert_eq!(r.check(&s, NOW), Ok(()));
        let mut other = s.clone();
        other.revision = 4;
        assert_eq!(r.check(&other, NOW), Err(Invalid::Revision));
        let valid = u64::from(s.consent_validity_days) * DAY_MS;
        assert_eq!(r.check(&s, NOW + valid - 1), Ok(()));
        assert_eq!(r.check(&s, NOW + valid), Err(Invalid::Expired));
        assert_eq!(r.check(&s, NOW - DAY_MS), Ok(()), "a day of clock skew is tolerated");
        assert_eq!(r.check(&s, NOW - 2 * DAY_MS), Err(Invalid::FromTheFuture));
        assert_eq!(r.max_age_secs(&s, NOW), valid / 1000);
        assert_eq!(r.max_age_secs(&s, NOW + valid + 5), 0);
    }

    #[test]
    fn allowed_rules() {
        let s = settings();
        assert!(allowed(&s, None, "necessary", None));
        assert!(!allowed(&s, None, "analytics", None));
        assert!(!allowed(&s, None, "nonsense", None));
        let c = Choice {
            categories: vec!["functional".into()],
            services: vec!["maps".into()],
        };
        assert!(allowed(&s, Some(&c), "functional", None));
        assert!(allowed(&s, Some(&c), "functional", Some("maps")));
        assert!(!allowed(&s, Some(&c), "functional", Some("youtube")));
        assert!(
            allowed(&s, Some(&c), "functional", Some("undeclared")),
            "undeclared service follows its category"
        );
        assert!(!allowed(&s, Some(&c), "analytics", None));
        let none = Choice::necessary_only();
        assert!(!allowed(&s, Some(&none), "functional", Some("undeclared")));
    }

    #[test]
    fn choices() {
        let s = settings();
        let all = Choice::all(&s);
        assert_eq!(all.categories.len(), 4);
        assert_eq!(all.services, ["youtube", "maps"]);
        let only = Choice::only(&s, &["functional".into(), "functional".into()]).unwrap();
        assert_eq!(only.categories, ["necessary", "functional"]);
        assert_eq!(only.services, ["youtube", "maps"]);
        let e = Choice::only(&s, &["analytic".into()]).unwrap_err();
        assert!(e.message().contains("analytic"), "{}", e.message());
        let mut c = Choice::necessary_only();
        c.set_category(&s, "functional", true);
        c.set_service("youtube", false);
        assert_eq!(c.services, ["maps"]);
        c.set_category(&s, "necessary", false);
        assert_eq!(c.categories, ["necessary", "functional"]);
        c.set_category(&s, "functional", false);
        assert!(c.services.is_empty());
    }

    #[test]
    fn json_view() {
        let s = settings();
        let r = record(
            Method::Custom,
            Choice {
                categories: vec!["analytics".into()],
                services: vec!["maps".into()],
            },
        );
        let v = r.to_json(&s);
        let at = |a: &str, b: &str| v.get(a).and_then(|o| o.get(b)).cloned();
        assert_eq!(v.get("method"), Some(&Json::Str("custom".into())));
        assert_eq!(v.get("revision"), Some(&Json::Num("3".into())));
        assert_eq!(v.get("timestamp"), Some(&Json::Str("2026-11-26T10:44:06.000Z".into())));
        assert_eq!(at("categories", "necessary"), Some(Json::Bool(true)));
        assert_eq!(at("categories", "analytics"), Some(Json::Bool(true)));
        assert_eq!(at("categories", "advertising"), Some(Json::Bool(false)));
        assert_eq!(at("services", "maps"), Some(Json::Bool(true)));
        assert_eq!(at("services", "youtube"), Some(Json::Bool(false)));
        assert!(v.to_text().starts_with(r#"{"id":"abab"#));
    }

    #[test]
    fn a_cookie_read_again_changes_the_choice_only_when_another_page_changed_it() {
        let s = settings();
        let all = record(Method::AcceptAll, Choice::all(&s));
        let none = ConsentRecord {
            timestamp_ms: NOW + 1000,
            ..record(Method::RejectAll, Choice::necessary_only())
        };
        let (a, n) = (all.encode(), none.encode());
        // The page's record after reading `value`, if it changed.
        let again = |seen: Option<&str>, value: Option<&str>, held: Option<&ConsentRecord>, gpc: bool, trusted: bool| {
            let mut held = held.cloned();
            let mut seen = seen.map(String::from);
            let changed = reread(&mut held, &mut seen, value, &s, NOW, gpc, trusted);
            assert_eq!(seen.as_deref(), value);
            changed.then_some(held)
        };
        // The value this page read: nothing to do, even if it no longer counts.
        assert_eq!(again(Some(&a), Some(&a), Some(&all), false, true), None);
        assert_eq!(again(None, None, None, false, true), None);
        let mut held = Some(all.clone());
        assert!(!reread(
            &mut held,
            &mut Some(a.clone()),
            Some(&a),
            &s,
            NOW + 400 * DAY_MS,
            false,
            true
        ));
        // Withdrawn or accepted elsewhere: the other page's record.
        assert_eq!(again(Some(&a), Some(&n), Some(&all), false, true), Some(Some(none.clone())));
        assert_eq!(again(None, Some(&a), None, false, true), Some(Some(all.clone())));
        // The choice this page wrote itself, read for the first time: it stays.
        assert_eq!(again(Some(&n), Some(&a), Some(&all), false, true), None);
        // Removed, unreadable, from another revision or expired: no choice (fail closed).
        let mut old = all.clone();
        old.revision = 2;
        let expired = ConsentRecord {
            timestamp_ms: NOW - 400 * DAY_MS,
            ..all.clone()
        };
        for v in [None, Some("garbage"), Some(old.encode().as_str()), Some(expired.encode().as_str())] {
            assert_eq!(again(Some(&a), v, Some(&all), false, true), Some(None), "{v:?}");
            // A page with no choice keeps having none: nothing changes.
            assert_eq!(again(Some("x"), v, None, false, true), None, "{v:?}");
        }
        // Global Privacy Control sent now wins over a choice made elsewhere without it.
        let Some(Some(r)) = again(None, Some(&a), None, true, true) else {
            panic!()
        };
        assert!(!r.allows(&s, "advertising", None) && r.allows(&s, "analytics", None));
        // A page on the fail-closed defaults (its config broken) follows a withdrawal only.
        assert_eq!(again(None, Some(&a), None, false, false), None);
        assert_eq!(again(Some(&a), Some(&n), Some(&all), false, false), Some(None));
        // ... and keeps the choice the visitor made in it, read back.
        assert_eq!(again(None, Some(&a), Some(&all), false, false), None);
    }

    #[test]
    fn base36() {
        for n in [0, 1, 35, 36, NOW, u64::MAX / 1000] {
            assert_eq!(from_base36(&to_base36(n)), Some(n));
        }
    }
}
