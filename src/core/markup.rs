//! The markup of the banner, the preferences dialog and iframe placeholders, built as
//! escaped HTML strings from settings, texts and the current choice. The browser layer
//! only mounts it; all structure, hooks and ARIA are decided (and tested) here.
#[allow(unused_imports)]
use crate::prelude::*;

use super::category::Category;
use super::config::Settings;
use super::consent::{allowed, Choice};
use super::hooks::{action, ACTION_ATTR, CATEGORY_ATTR, PART_ATTR};
use super::html::Html;
use super::json::push_u64;
use super::texts::{key, Texts};

/// One row of a category's cookie table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieRow {
    /// Category it belongs to (`unknown` for the "Unclassified" table).
    pub category: String,
    /// Cookie name or pattern.
    pub name: String,
    /// Who sets it.
    pub provider: String,
    /// What it is for.
    pub purpose: String,
    /// How long it lives, for people ("1 year"); empty for a session cookie.
    pub duration: String,
    /// Persistent (`Some(true)`) or session (`Some(false)`); `None` when neither the
    /// browser nor keksi tells (a cookie set before keksi watched, in an engine whose
    /// `cookieStore` gives no expiry): shown blank, never called a session cookie.
    pub persistent: Option<bool>,
}

/// Everything the UI markup depends on.
pub struct View<'a> {
    /// Validated settings.
    pub settings: &'a Settings,
    /// Texts in the UI language.
    pub texts: &'a Texts,
    /// The choice to show in the dialog's toggles (`None`: nothing optional on).
    pub choice: Option<&'a Choice>,
    /// Cookie table rows, all categories.
    pub cookies: &'a [CookieRow],
    /// Show the Global Privacy Control note.
    pub gpc: bool,
}

impl View<'_> {
    fn title<'b>(&'b self, c: &'b Category) -> &'b str {
        self.texts.title_of(c)
    }

    fn description<'b>(&'b self, c: &'b Category) -> &'b str {
        self.texts.description_of(c)
    }
}

/// A button; `class` is `k-btn` (primary: accept and reject look the same) or `k-btn-secondary`.
fn button(h: &mut Html, act: &str, class: &str, label: &str) {
    let part = if class == "k-btn" {
        "button button-primary"
    } else {
        "button button-secondary"
    };
    h.raw("<button type=\"button\"")
        .attr(ACTION_ATTR, act)
        .attr("class", class)
        .attr("part", part)
        .raw(">");
    h.text(label).raw("</button>");
}

fn policy_link(h: &mut Html, v: &View) {
    if let Some(url) = &v.settings.policy_url {
        h.raw(" <a class=\"k-link\" part=\"link\"").attr("href", url).raw(">");
        h.text(v.texts.at(key::POLICY_LINK)).raw("</a>");
    }
}

fn gpc_note(h: &mut Html, v: &View) {
    if v.gpc {
        h.raw("<p class=\"k-gpc\" part=\"gpc-note\" data-keksi=\"gpc\">")
            .text(v.texts.at(key::GPC_NOTE))
            .raw("</p>");
    }
}

/// The first-visit banner (hidden until shown).
pub fn banner(v: &View) -> String {
    let t = v.texts;
    let mut h = Html::new();
    h.raw("<section")
        .attr(PART_ATTR, "banner")
        .raw(" part=\"banner\" class=\"k-banner\"");
    // The modal layout keeps the page from clicks and Tab; screen readers are told too.
    h.raw(if v.settings.layout == super::config::Layout::Modal {
        " role=\"dialog\" aria-modal=\"true\""
    } else {
        " role=\"region\""
    });
    h.attr("aria-label", t.at(key::BANNER_LABEL));
    h.raw(" aria-describedby=\"kb-text\" tabindex=\"-1\" hidden><div class=\"k-banner-body\"");
    // The text scrolls on its own above the buttons when the window is short: without a
    // policy link in it, nothing there takes focus, so the keyboard could not scroll it.
    if v.settings.policy_url.is_none() {
        h.raw(" tabindex=\"0\"");
    }
    h.raw("><h2 class=\"k-title\" part=\"title\" id=\"kb-title\">");
    h.text(t.at(key::BANNER_TITLE))
        .raw("</h2><p class=\"k-text\" part=\"text\" id=\"kb-text\">")
        .text(t.at(key::BANNER_TEXT));
    policy_link(&mut h, v);
    h.raw("</p>");
    gpc_note(&mut h, v);
    h.raw("</div><div class=\"k-actions\" part=\"actions\">");
    button(&mut h, action::ACCEPT_ALL, "k-btn", t.at(key::ACCEPT_ALL));
    button(&mut h, action::REJECT_ALL, "k-btn", t.at(key::REJECT_ALL));
    button(&mut h, action::PREFERENCES, "k-btn-secondary", t.at(key::PREFERENCES));
    h.raw("</div></section>");
    h.finish()
}

/// The preferences dialog, its toggles set from `v.choice`.
pub fn dialog(v: &View) -> String {
    let t = v.texts;
    let mut h = Html::new();
    h.raw("<dialog").attr(PART_ATTR, "preferences");
    h.raw(" part=\"dialog\" class=\"k-dialog\" role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"kd-title\" aria-describedby=\"kd-text\">");
    h.raw("<div class=\"k-dialog-head\"><h2 class=\"k-title\" part=\"title\" id=\"kd-title\">")
        .text(t.at(key::DIALOG_TITLE))
        .raw("</h2>");
    h.raw("<button type=\"button\" class=\"k-close\" part=\"close\"")
        .attr(ACTION_ATTR, action::CLOSE);
    h.attr("aria-label", t.at(key::CLOSE))
        .raw("><span aria-hidden=\"true\">×</span></button></div>");
    h.raw("<div class=\"k-dialog-body\"><p class=\"k-text\" part=\"text\" id=\"kd-text\">")
        .text(t.at(key::DIALOG_TEXT));
    policy_link(&mut h, v);
    h.raw("</p>");
    gpc_note(&mut h, v);
    for c in &v.settings.categories {
        category(&mut h, v, c);
    }
    let mut unclassified = Vec::new();
    for r in v.cookies {
        if v.settings.category(&r.category).is_none() {
            unclassified.push(r);
        }
    }
    if !unclassified.is_empty() {
        h.raw(
            "<section class=\"k-cat\" part=\"category\" data-keksi=\"unclassified\"><div class=\"k-cat-head\"><h3 class=\"k-cat-title\">",
        );
        h.text(t.at(key::UNCLASSIFIED_TITLE))
            .raw("</h3></div><p class=\"k-desc\">")
            .text(t.at(key::UNCLASSIFIED_DESCRIPTION))
            .raw("</p>");
        cookie_table(&mut h, t, &unclassified, t.at(key::UNCLASSIFIED_TITLE));
        h.raw("</section>");
    }
    h.raw("</div><div class=\"k-actions k-dialog-foot\" part=\"actions\">");
    button(&mut h, action::ACCEPT_ALL, "k-btn", t.at(key::ACCEPT_ALL));
    button(&mut h, action::REJECT_ALL, "k-btn", t.at(key::REJECT_ALL));
    button(&mut h, action::SAVE, "k-btn-secondary", t.at(key::SAVE));
    h.raw("</div></dialog>");
    h.finish()
}

fn checkbox(h: &mut Html, hook: &str, name: &str, id: &str, on: bool, disabled: bool, described_by: &str) {
    h.raw("<input type=\"checkbox\" class=\"k-switch\" part=\"switch\"")
        .attr(hook, name)
        .attr("id", id);
    if !described_by.is_empty() {
        h.attr("aria-describedby", described_by);
    }
    if on {
        h.raw(" checked");
    }
    if disabled {
        h.raw(" disabled");
    }
    h.raw(">");
}

fn category(h: &mut Html, v: &View, c: &Category) {
    let t = v.texts;
    let necessary = c.is_necessary();
    let on = allowed(v.settings, v.choice, &c.name, None);
    let id = prefixed("kc-", &c.name);
    let desc_id = prefixed("kd-", &c.name);
    let title = v.title(c);
    h.raw("<section class=\"k-cat\" part=\"category\"")
        .attr("data-keksi-category", &c.name)
        .raw("><div class=\"k-cat-head\">");
    checkbox(h, CATEGORY_ATTR, &c.name, &id, on, necessary, &desc_id);
    h.raw("<label class=\"k-cat-title\"")
        .attr("for", &id)
        .raw(">")
        .text(title)
        .raw("</label>");
    if necessary {
        h.raw("<span class=\"k-always\">").text(t.at(key::ALWAYS_ON)).raw("</span>");
    }
    h.raw("</div><p class=\"k-desc\"")
        .attr("id", &desc_id)
        .raw(">")
        .text(v.description(c))
        .raw("</p>");
    if !c.services.is_empty() {
        h.raw("<fieldset class=\"k-services\"><legend>")
            .text(t.at(key::SERVICES_HEADING))
            .raw("</legend>");
        for s in &c.services {
            let sid = prefixed("ks-", &s.name);
            let son = allowed(v.settings, v.choice, &c.name, Some(&s.name));
            h.raw("<div class=\"k-service\">");
            // A necessary service is on, as its category: a switch that did nothing would mislead.
            checkbox(h, "data-service", &s.name, &sid, son, necessary, "");
            h.raw("<label").attr("for", &sid).raw(">").text(&s.title).raw("</label>");
            if let Some(d) = &s.description {
                h.raw("<span class=\"k-service-desc\">").text(d).raw("</span>");
            }
            h.raw("</div>");
        }
        h.raw("</fieldset>");
    }
    let mut rows = Vec::new();
    for r in v.cookies {
        if r.category == c.name {
            rows.push(r);
        }
    }
    cookie_table(h, t, &rows, title);
    h.raw("</section>");
}

fn cookie_table(h: &mut Html, t: &Texts, rows: &[&CookieRow], caption: &str) {
    if rows.is_empty() {
        h.raw("<p class=\"k-none\">").text(t.at(key::NO_COOKIES)).raw("</p>");
        return;
    }
    // Every category's toggle reads "Cookies (n)": the category's title, read but not shown,
    // tells a screen reader's list of buttons which one opens which list.
    h.raw("<details class=\"k-cookies\"><summary><span class=\"k-sr\">")
        .text(caption)
        .raw(" </span>")
        .text(t.at(key::COOKIES_HEADING));
    let mut count = String::new();
    push_u64(&mut count, rows.len() as u64);
    h.raw(" (")
        .text(&count)
        .raw(")</summary><div class=\"k-table-wrap\"><table><caption class=\"k-sr\">");
    h.text(caption)
        .raw(" — ")
        .text(t.at(key::COOKIES_HEADING))
        .raw("</caption><thead><tr>");
    for &k in &[
        key::COL_NAME,
        key::COL_PROVIDER,
        key::COL_PURPOSE,
        key::COL_DURATION,
        key::COL_LIFETIME,
    ] {
        h.raw("<th scope=\"col\">").text(t.at(k)).raw("</th>");
    }
    h.raw("</tr></thead><tbody>");
    for r in rows {
        let lifetime = match r.persistent {
            Some(true) => t.at(key::PERSISTENT),
            Some(false) => t.at(key::SESSION),
            None => "",
        };
        let duration = if r.duration.is_empty() { lifetime } else { &r.duration };
        h.raw("<tr><th scope=\"row\"><code>").text(&r.name).raw("</code></th>");
        for &cell in &[&r.provider[..], &r.purpose, duration, lifetime] {
            h.raw("<td>").text(cell).raw("</td>");
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table></div></details>");
}

fn prefixed(prefix: &str, name: &str) -> String {
    let mut s = String::from(prefix);
    s.push_str(name);
    s
}

/// The placeholder shown in place of a blocked iframe: what it is (`service`), why it is
/// blocked (`category`), and a button naming what allowing it switches on (`allows`: a
/// declared service, or else the whole category).
pub fn placeholder(t: &Texts, service: &str, category: &str, allows: &str) -> String {
    let vars = [("service", service), ("category", category)];
    let mut h = Html::new();
    h.raw("<div class=\"k-ph\" part=\"placeholder\" role=\"group\"")
        .attr("aria-label", service)
        .raw("><p>");
    h.text(&t.fill(key::PLACEHOLDER_TEXT, &vars)).raw("</p>");
    button(
        &mut h,
        action::ALLOW,
        "k-btn",
        &t.fill(key::PLACEHOLDER_ALLOW, &[("service", allows)]),
    );
    h.raw("</div>");
    h.finish()
}

/// Per-placeholder CSS: the size of the iframe it stands for (from its attributes), as
/// a width and an aspect ratio, so it scales like a responsive iframe and the page does
/// not jump when the real one loads.
pub fn placeholder_size_css(width: Option<&str>, height: Option<&str>) -> String {
    let px = |v: Option<&str>| {
        // ASCII white space, as HTML reads a dimension attribute.
        let v = super::strings::trim_ascii_ws(v?);
        super::strings::parse_u32(v.strip_suffix("px").unwrap_or(v)).filter(|v| *v > 0)
    };
    let mut css = String::from(":host{");
    if let Some(w) = px(width) {
        css.push_str("width:");
        push_u64(&mut css, u64::from(w));
        css.push_str("px;");
        if let Some(h) = px(height) {
            css.push_str("aspect-ratio:");
            push_u64(&mut css, u64::from(w));
            css.push('/');
            push_u64(&mut css, u64::from(h));
            css.push(';');
        }
    }
    css.push('}');
    css
}

/// [`push_declared_rows`] into a list of their own (for the tests).
#[cfg(test)]
pub fn declared_rows(s: &Settings, t: &Texts) -> Vec<CookieRow> {
    let mut out = Vec::new();
    push_declared_rows(&mut out, s, t);
    out
}

/// Rows for the declared cookies of the config, in config order, onto the end of `out`
/// (not a list of their own moved over by `extend`: an instantiation of its own).
pub fn push_declared_rows(out: &mut Vec<CookieRow>, s: &Settings, t: &Texts) {
    for c in &s.cookies {
        out.push(CookieRow {
            category: c.category.clone(),
            name: c.name.clone(),
            provider: c.provider.clone().unwrap_or_default(),
            purpose: c.purpose.clone().unwrap_or_default(),
            // A stated lifetime past the 12-month rule is not what the cookie gets: the
            // days it does get instead (as an observed cookie's).
            duration: match &c.duration {
                Some(d) if super::expiry::stated_too_long(d) => t.days(super::expiry::MAX_AGE_DAYS.into()),
                d => d.clone().unwrap_or_default(),
            },
            // The site's declaration: without a duration, a session cookie.
            persistent: Some(c.duration.is_some()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::from_json(
            r#"{"policyUrl":"/privacy?a=1&b=2","categories":{"functional":{"services":{"youtube":{"title":"YouTube <HD>"}}}},
               "cookies":[{"name":"_pk_*","category":"analytics","provider":"Matomo","purpose":"Visits","duration":"13 months"},
                          {"name":"sess","category":"necessary","provider":"Shop","purpose":"Cart"}]}"#,
        )
        .unwrap()
    }

    /// A view with no choice, no cookie rows and no GPC.
    fn bare_view<'a>(settings: &'a Settings, texts: &'a Texts) -> View<'a> {
        View {
            settings,
            texts,
            choice: None,
            cookies: &[],
            gpc: false,
        }
    }

    fn render(choice: Option<&Choice>, gpc: bool) -> (String, String) {
        let s = settings();
        let t = Texts::load("en", &[]);
        let rows = declared_rows(&s, &t);
        let v = View {
            settings: &s,
            texts: &t,
            choice,
            cookies: &rows,
            gpc,
        };
        (banner(&v), dialog(&v))
    }

    #[test]
    fn banner_has_contract_hooks() {
        let (b, _) = render(None, false);
        assert!(b.contains("data-keksi=\"banner\""));
        for a in ["accept-all", "reject-all", "preferences"] {
            assert!(b.contains(&format!("data-action=\"{a}\"")), "{a}");
        }
        assert!(b.contains("href=\"/privacy?a=1&amp;b=2\""));
        assert!(b.contains("aria-label=\"Cookie consent\""));
        assert!(!b.contains("style="), "no inline styles");
        assert!(!b.contains("data-keksi=\"gpc\""));
        assert!(b.contains("role=\"region\"") && !b.contains("aria-modal"));
        assert!(b.contains("class=\"k-banner-body\">"), "the policy link is the text's Tab stop");
        let mut s = settings();
        s.layout = crate::core::config::Layout::Modal;
        s.policy_url = None;
        let t = Texts::load("en", &[]);
        let b = banner(&bare_view(&s, &t));
        assert!(
            b.contains("class=\"k-banner-body\" tabindex=\"0\">"),
            "no policy link: the scrolling text takes focus itself"
        );
        assert!(
            b.contains("role=\"dialog\" aria-modal=\"true\""),
            "the modal layout is a modal dialog to screen readers"
        );
    }

    #[test]
    fn accept_and_reject_look_the_same() {
        let (b, d) = render(None, false);
        for m in [b, d] {
            let class_of = |a: &str| {
                let i = m.find(&format!("data-action=\"{a}\" class=\"")).unwrap();
                m[i..].split('"').nth(3).unwrap().to_string()
            };
            assert_eq!(class_of("accept-all"), class_of("reject-all"));
        }
    }

    #[test]
    fn dialog_nothing_optional_pre_ticked() {
        let (_, d) = render(None, false);
        assert!(d.contains("role=\"dialog\" aria-modal=\"true\""));
        assert!(d.contains("data-category=\"necessary\" id=\"kc-necessary\" aria-describedby=\"kd-necessary\" checked disabled>"));
        for c in ["functional", "analytics", "advertising"] {
            let needle = format!("data-category=\"{c}\" id=\"kc-{c}\" aria-describedby=\"kd-{c}\">");
            assert!(d.contains(&needle), "{c} must be unchecked");
        }
        assert!(d.contains("data-service=\"youtube\" id=\"ks-youtube\">"));
        assert!(d.contains("YouTube &lt;HD&gt;"), "titles are escaped");
        for a in ["save", "accept-all", "reject-all", "close"] {
            assert!(d.contains(&format!("data-action=\"{a}\"")), "{a}");
        }
    }

    #[test]
    fn a_necessary_service_is_locked_on() {
        let s = Settings::from_json(r#"{"categories":{"necessary":{"services":{"pay":{"title":"Pay"}}}}}"#).unwrap();
        let t = Texts::load("en", &[]);
        assert!(dialog(&bare_view(&s, &t)).contains("data-service=\"pay\" id=\"ks-pay\" checked disabled>"));
    }

    #[test]
    fn dialog_reflects_choice() {
        let c = Choice {
            categories: vec!["analytics".into()],
            services: vec!["youtube".into()],
        };
        let (_, d) = render(Some(&c), false);
        assert!(d.contains("data-category=\"analytics\" id=\"kc-analytics\" aria-describedby=\"kd-analytics\" checked>"));
        assert!(d.contains("data-service=\"youtube\" id=\"ks-youtube\" checked>"));
        assert!(d.contains("data-category=\"functional\" id=\"kc-functional\" aria-describedby=\"kd-functional\">"));
    }

    #[test]
    fn declared_durations_past_the_rule_are_shown_capped() {
        let s = Settings::from_json(
            r#"{"cookies":[{"name":"a","category":"analytics","duration":"2 years"},
                          {"name":"b","category":"analytics","duration":"6 months"},
                          {"name":"c","category":"analytics","duration":"1 year"},
                          {"name":"d","category":"analytics","duration":"until logout"},
                          {"name":"e","category":"analytics"}]}"#,
        )
        .unwrap();
        let durations =
            |lang: &str| -> Vec<String> { declared_rows(&s, &Texts::load(lang, &[])).into_iter().map(|r| r.duration).collect() };
        assert_eq!(durations("en"), ["365 days", "6 months", "1 year", "until logout", ""]);
        assert_eq!(durations("fi")[0], Texts::load("fi", &[]).days(365));
        let warned: Vec<String> = s.long_durations().iter().map(|e| e.message()).collect();
        assert_eq!(warned.len(), 1);
        assert!(
            warned[0].starts_with("keksi: config field `cookies[0].duration`: past the 12-month cap"),
            "{}",
            warned[0]
        );
    }

    #[test]
    fn cookie_tables() {
        let (_, d) = render(None, false);
        let analytics = &d[d.find("data-keksi-category=\"analytics\"").unwrap()..];
        let analytics = &analytics[..analytics.find("</section>").unwrap()];
        assert!(analytics.contains("<code>_pk_*</code>"));
        // Declared as "13 months": past the 12-month rule, shown as what it gets.
        assert!(analytics.contains("<td>Matomo</td><td>Visits</td><td>365 days</td><td>Persistent</td>"));
        let necessary = &d[d.find("data-keksi-category=\"necessary\"").unwrap()..];
        assert!(necessary.contains("<td>Shop</td><td>Cart</td><td>Session</td><td>Session</td>"));
        let adv = &d[d.find("data-keksi-category=\"advertising\"").unwrap()..];
        assert!(adv[..adv.find("</section>").unwrap()].contains("No cookies declared"));
        assert!(!d.contains("data-keksi=\"unclassified\""));
        // Each list's toggle is named with its category's title, not only "Cookies (n)".
        assert!(analytics.contains("<summary><span class=\"k-sr\">Analytics </span>Cookies (1)</summary>"));
        assert!(necessary.contains("<summary><span class=\"k-sr\">Necessary </span>Cookies (1)</summary>"));
    }

    #[test]
    fn unclassified_rows_get_their_own_table() {
        let s = settings();
        let t = Texts::load("en", &[]);
        let rows = vec![CookieRow {
            category: "unknown".into(),
            name: "mystery".into(),
            provider: String::new(),
            purpose: String::new(),
            duration: String::new(),
            persistent: None,
        }];
        let d = dialog(&View {
            settings: &s,
            texts: &t,
            choice: None,
            cookies: &rows,
            gpc: false,
        });
        let u = &d[d.find("data-keksi=\"unclassified\"").unwrap()..];
        assert!(u.contains("Unclassified") && u.contains("<code>mystery</code>"));
        // A lifetime nobody can tell is left blank, never called "Session".
        assert!(
            u.contains("<code>mystery</code></th><td></td><td></td><td></td><td></td></tr>"),
            "{u}"
        );
    }

    #[test]
    fn themable_parts() {
        let (b, d) = render(None, true);
        for p in [
            "banner",
            "title",
            "text",
            "link",
            "gpc-note",
            "actions",
            "button button-primary",
            "button button-secondary",
        ] {
            assert!(b.contains(&format!("part=\"{p}\"")), "banner part {p}");
        }
        for p in [
            "dialog",
            "title",
            "text",
            "close",
            "category",
            "switch",
            "actions",
            "button button-primary",
            "button button-secondary",
        ] {
            assert!(d.contains(&format!("part=\"{p}\"")), "dialog part {p}");
        }
    }

    #[test]
    fn gpc_note_when_signalled() {
        let (b, d) = render(None, true);
        assert!(b.contains("Global Privacy Control"));
        assert!(d.contains("Global Privacy Control"));
    }

    #[test]
    fn placeholder_markup() {
        let t = Texts::load("en", &[]);
        let p = placeholder(&t, "YouTube", "Functional", "YouTube");
        assert!(p.contains("This content from YouTube is blocked"));
        assert!(p.contains("data-action=\"allow\""));
        assert!(p.contains(">Allow YouTube</button>"));
        // Content of a service the config does not declare: its button allows, and names,
        // the category.
        let p = placeholder(&t, "Vimeo", "Functional", "Functional");
        assert!(p.contains("This content from Vimeo is blocked"));
        assert!(p.contains(">Allow Functional</button>"));
        assert_eq!(
            placeholder_size_css(Some("560"), Some("315px")),
            ":host{width:560px;aspect-ratio:560/315;}"
        );
        assert_eq!(placeholder_size_css(Some("560"), None), ":host{width:560px;}");
        assert_eq!(placeholder_size_css(Some("100%"), Some("315")), ":host{}");
    }
}
