// Privacy signals (CONTRACT §10, §7, §8): Google Consent Mode v2 through dataLayer/gtag,
// Microsoft UET and Meta Pixel consent calls, Global Privacy Control (and Do Not Track when
// honoured), consent receipts to `consentLog`, and asking again when a choice is too old.
//
// Fixtures: tests/e2e/fixtures/signals/*.html. The Consent Mode pages carry Google's gtag.js
// snippet right AFTER keksi.js; an inline probe between the two records what the page's
// first tag finds (window.__afterKeksi). Every context routes non-local requests through
// routeThirdParty(): googletagmanager.com & co. get local stubs, anything else is aborted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, assertKeksiBuilt, newContext, newPage, waitVisible, waitHidden, isVisible, until,
  shadowQuery, openFromLink, routeThirdParty, BANNER, DIALOG, btn, T,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const DAY_MS = 864e5;
const F = '/fixtures/signals';

// ---------------------------------------------------------------------------------------
// Helpers

/** Navigator signals, installed before any page script. */
function signalScript({ gpc = false, dnt = null } = {}) {
  return `(() => {
    ${gpc ? "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get() { return true; }, configurable: true });" : ''}
    ${dnt !== null ? `Object.defineProperty(Navigator.prototype, 'doNotTrack', { get() { return ${JSON.stringify(dnt)}; }, configurable: true });` : ''}
  })();`;
}

/**
 * Opens `urlPath` in a fresh context whose third-party requests are stubbed/aborted.
 * opts: gpc, dnt ("1"), consentCookie (keksi_consent value), cookies (extra jar entries),
 *       initScript (page init script), goto.
 */
async function open(urlPath, opts = {}) {
  const context = await newContext(env.browser);
  const thirdParty = await routeThirdParty(context);
  if (opts.gpc || opts.dnt != null) await context.addInitScript(signalScript(opts));
  const jar = [...(opts.cookies ?? [])];
  if (opts.consentCookie) jar.push({ name: 'keksi_consent', value: opts.consentCookie });
  if (jar.length) await context.addCookies(jar.map((c) => ({ url: env.server.url + '/', ...c })));
  const p = await newPage(env, urlPath, { context, initScript: opts.initScript, goto: opts.goto });
  return {
    ...p,
    thirdParty,
    async close() {
      await context.close();
    },
  };
}

/** window.dataLayer as JSON: gtag() entries as { args: [...] }, plain pushes as { obj }. */
function dataLayer(page) {
  return page.evaluate(() => {
    const dl = window.dataLayer;
    if (!Array.isArray(dl)) return null;
    return JSON.parse(JSON.stringify(Array.prototype.map.call(dl, (e) =>
      Object.prototype.toString.call(e) === '[object Arguments]' ? { args: Array.from(e) } : { obj: e })));
  });
}

const isConsent = (mode) => (e) => !!e?.args && e.args[0] === 'consent' && e.args[1] === mode;
const updates = (dl) => (dl ?? []).filter(isConsent('update')).map((e) => e.args[2]);
const keksiEvents = (dl) => (dl ?? []).filter((e) => e.obj && e.obj.event === 'keksi_consent').map((e) => e.obj);
const describe = (dl) => JSON.stringify(dl);

const TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage',
  'functionality_storage', 'personalization_storage', 'security_storage'];

/** The exact `consent default` argument (everything denied but security_storage). */
const DEFAULT = Object.fromEntries(TYPES.map((t) => [t, t === 'security_storage' ? 'granted' : 'denied']));

/** The `consent update` argument for a set of allowed categories (the default mapping). */
function update({ analytics = false, advertising = false, functional = false } = {}) {
  const g = (b) => (b ? 'granted' : 'denied');
  return {
    ad_storage: g(advertising), ad_user_data: g(advertising), ad_personalization: g(advertising),
    analytics_storage: g(analytics),
    functionality_storage: g(functional), personalization_storage: g(functional),
    security_storage: 'granted',
  };
}
const ALL = { analytics: true, advertising: true, functional: true };

/** The keksi_consent dataLayer event for the fixtures' default categories + the video service. */
function event({ analytics = false, advertising = false, functional = false, video = functional } = {}, services = { video }) {
  return {
    event: 'keksi_consent',
    keksi: { categories: { necessary: true, functional, analytics, advertising }, services },
  };
}

/** Waits until dataLayer holds `n` consent updates; then lets stragglers arrive. */
async function waitUpdates(page, n) {
  await until(async () => updates(await dataLayer(page)).length >= n);
  await settle(150);
  return dataLayer(page);
}

/** Asserts the last change pushed exactly one update (= want) and one keksi_consent event after it. */
function assertChange(dl, n, wantUpdate, wantEvent, what) {
  const u = updates(dl);
  const ev = keksiEvents(dl);
  assert.equal(u.length, n, `${what}: expected ${n} consent update(s) in dataLayer, got ${u.length}: ${describe(dl)}`);
  assert.deepEqual(u[n - 1], wantUpdate, `${what}: consent update values`);
  assert.equal(ev.length, n, `${what}: expected ${n} keksi_consent event(s), got ${ev.length}: ${describe(dl)}`);
  assert.deepEqual(ev[n - 1], wantEvent, `${what}: keksi_consent event`);
  const iu = dl.findLastIndex(isConsent('update'));
  const ie = dl.findLastIndex((e) => e.obj && e.obj.event === 'keksi_consent');
  assert.ok(iu < ie, `${what}: the keksi_consent event (index ${ie}) must follow the consent update (index ${iu}) ` +
    'so that Tag Manager triggers on it see the new consent state');
  assert.deepEqual(dl[0]?.args, ['consent', 'default', DEFAULT], `${what}: dataLayer[0] must stay the consent default`);
}

/** A keksi_consent cookie value (CONTRACT §7 stored form), as keksi writes it. */
function consentCookie({ revision = 1, ageMs = 60_000, method = 'accept-all',
  categories = 'necessary+functional+analytics+advertising', services = '' } = {}) {
  const ts = (Date.now() - ageMs).toString(36);
  return `1|${revision}|${ts}|0123456789abcdef0123456789abcdef|${method}|${categories}|${services}`;
}

/** Waits for keksi to be ready and the document parsed, then for the UI to settle. */
async function ready(page) {
  await page.waitForFunction(() => (window.__keksiEvents || []).some((e) => e.type === 'keksi:ready') &&
    document.readyState !== 'loading', null, { timeout: T });
  await settle();
}

const consentNow = (page) => page.evaluate(() => window.keksi.consent());

// ---------------------------------------------------------------------------------------
// Google Consent Mode v2

test('Consent Mode: `consent default` is dataLayer[0], pushed inside keksi.js before the page\'s gtag snippet', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/gtag.html`);
  try {
    await waitVisible(p.page, BANNER);
    const probe = await p.page.evaluate(() => window.__afterKeksi);
    assert.equal(probe.gtag, 'function', 'window.gtag is not defined right after keksi.js');
    assert.ok(Array.isArray(probe.dataLayer), 'window.dataLayer is not an array right after keksi.js');
    assert.deepEqual(probe.dataLayer, [{ args: ['consent', 'default', DEFAULT] }],
      'right after keksi.js, dataLayer must hold exactly the consent default as an Arguments object');

    const dl = await dataLayer(p.page);
    assert.deepEqual(dl[0], { args: ['consent', 'default', DEFAULT] }, `dataLayer[0]: ${describe(dl)}`);
    assert.equal(dl[1]?.args?.[0], 'js', `dataLayer[1] should be the snippet's gtag('js', …): ${describe(dl)}`);
    assert.deepEqual(dl[2], { args: ['config', 'G-TEST'] });
    assert.equal(dl.length, 3, `nothing else before a choice (no update, no event): ${describe(dl)}`);
    const raw = await p.page.evaluate(() => ({
      isArgs: Object.prototype.toString.call(window.dataLayer[0]) === '[object Arguments]',
      keys: Object.keys(window.dataLayer[0][2]),
    }));
    assert.ok(raw.isArgs, 'dataLayer[0] must be an Arguments object, as gtag() pushes (arrays are ignored by gtag.js)');
    assert.deepEqual(raw.keys.sort(), [...TYPES].sort(), 'consent default: exactly the seven v2 consent types');
    assert.equal(await consentNow(p.page), null);
    // Microsoft UET's tag comes after keksi.js: keksi makes its queue, as UET's snippet would
    // (`window.uetq = window.uetq || []`), with the default in it for the tag to read.
    assert.deepEqual(await p.page.evaluate(() => JSON.parse(JSON.stringify(window.uetq))), ['consent', 'default', { ad_storage: 'denied' }],
      'no UET consent default for a UET tag after keksi.js');
  } finally {
    await p.close();
  }
});

test('Consent Mode: accept all → update all granted + keksi_consent event; a reload replays the stored choice', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/gtag.html`);
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    const dl = await waitUpdates(p.page, 1);
    assertChange(dl, 1, update(ALL), event({ analytics: true, advertising: true, functional: true }), 'accept-all');

    await p.page.reload({ waitUntil: 'load' });
    await ready(p.page);
    const probe = await p.page.evaluate(() => window.__afterKeksi);
    assert.deepEqual(probe.dataLayer, [{ args: ['consent', 'default', DEFAULT] }, { args: ['consent', 'update', update(ALL)] }],
      'with a stored choice keksi.js must push default then update, before the page\'s first tag');
    const again = await dataLayer(p.page);
    assert.equal(updates(again).length, 1, `one update on reload: ${describe(again)}`);
    // The event on every page view too (once, when the page is parsed): Tag Manager's
    // "keksi_consent" triggers fire per page.
    const events = again.filter((e) => e.obj?.event === 'keksi_consent');
    assert.deepEqual(events.map((e) => e.obj), [event(ALL)], `one keksi_consent event on reload: ${describe(again)}`);
    assert.equal(await isVisible(p.page, BANNER), false);
  } finally {
    await p.close();
  }
});

test('Consent Mode: reject all → update all denied (security granted) + event; the refusal is replayed on reload', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/gtag.html`);
  try {
    await waitVisible(p.page, btn(BANNER, 'reject-all'));
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    const dl = await waitUpdates(p.page, 1);
    assertChange(dl, 1, update(), event(), 'reject-all');
    await p.page.reload({ waitUntil: 'load' });
    await ready(p.page);
    const probe = await p.page.evaluate(() => window.__afterKeksi);
    assert.deepEqual(probe.dataLayer?.[1], { args: ['consent', 'update', update()] }, 'stored refusal: update (denied) on reload');
  } finally {
    await p.close();
  }
});

// gtag.js (a known tracker) is held until analytics is allowed and then runs; taking
// analytics back would reload the page (reloadOnWithdraw, on by default), so the
// step-by-step flow runs on a copy of gtag.html with "reloadOnWithdraw": false.
test('Consent Mode: custom choice (dialog, keksi.accept) and withdrawal (keksi.reset) each push their update and event', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/gtag-noreload.html`);
  try {
    await waitVisible(p.page, BANNER);
    await openFromLink(p.page);
    await p.page.locator(`${DIALOG} input[data-category="analytics"]`).check();
    await p.page.locator(btn(DIALOG, 'save')).click();
    await waitHidden(p.page, DIALOG);
    let dl = await waitUpdates(p.page, 1);
    assertChange(dl, 1, update({ analytics: true }), event({ analytics: true }), 'dialog: analytics only');

    await p.page.evaluate(() => window.keksi.accept(['functional', 'advertising']));
    dl = await waitUpdates(p.page, 2);
    assertChange(dl, 2, update({ functional: true, advertising: true }), event({ functional: true, advertising: true }),
      "keksi.accept(['functional', 'advertising'])");

    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    dl = await waitUpdates(p.page, 3);
    assertChange(dl, 3, update({ analytics: true }), event({ analytics: true }), "keksi.accept(['analytics'])");

    await p.page.evaluate(() => window.keksi.reset());
    dl = await waitUpdates(p.page, 4);
    assertChange(dl, 4, update(), event(), 'keksi.reset() (withdrawal)');
    await waitVisible(p.page, BANNER);
  } finally {
    await p.close();
  }
});

test('Consent Mode: a withdrawal that reloads the page (reloadOnWithdraw) pushes the denied update before it goes', { timeout: 30_000 }, async () => {
  // dataLayer as the page leaves it, kept across the reload in sessionStorage.
  const keepOnLeave = () => addEventListener('pagehide', () => {
    if (!Array.isArray(window.dataLayer)) return;
    sessionStorage.setItem('__leftDataLayer', JSON.stringify(Array.prototype.map.call(window.dataLayer, (e) =>
      Object.prototype.toString.call(e) === '[object Arguments]' ? { args: Array.from(e) } : { obj: e })));
  });
  const p = await open(`${F}/gtag.html`, { initScript: keepOnLeave });
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await waitUpdates(p.page, 1);
    const ran = await until(() => p.page.evaluate(() => (window.__ran || []).includes('gtag:G-TEST')));
    assert.ok(ran, 'test setup: gtag.js (stub) did not run after accept-all, so a withdrawal has nothing to reload for');
    const nav = p.page.waitForNavigation({ waitUntil: 'load', timeout: T });
    await p.page.evaluate(() => window.keksi.reset()).catch(() => {}); // the context may go with the reload
    await nav;
    await ready(p.page);
    const left = JSON.parse((await p.page.evaluate(() => sessionStorage.getItem('__leftDataLayer'))) ?? 'null');
    assert.ok(left, 'no dataLayer snapshot from the page before the reload');
    assertChange(left, 2, update(), event(), 'keksi.reset() before the reload');
    const dl = await dataLayer(p.page);
    assert.deepEqual(dl.map((e) => e.args?.[0] === 'consent' ? `consent ${e.args[1]}` : e.args?.[0] ?? e.obj?.event),
      ['consent default', 'js', 'config'], `after the reload: default only, no stored choice: ${describe(dl)}`);
    await waitVisible(p.page, BANNER);
  } finally {
    await p.close();
  }
});

test('Consent Mode: a dataLayer (and gtag) defined before keksi.js is kept, never replaced', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/preexisting.html`);
  try {
    await waitVisible(p.page, BANNER);
    const probe = await p.page.evaluate(() => window.__afterKeksi);
    assert.equal(probe.sameDataLayer, true, 'keksi replaced the page\'s dataLayer array');
    assert.equal(probe.sameGtag, true, 'keksi replaced the page\'s own gtag function');
    assert.deepEqual(probe.dataLayer, [{ obj: { pre: 1 } }, { args: ['consent', 'default', DEFAULT] }],
      'the page\'s entry first, then the consent default');

    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await waitUpdates(p.page, 1);
    const end = await p.page.evaluate(() => ({ same: window.dataLayer === window.__dlRef, first: window.dataLayer[0] }));
    assert.equal(end.same, true, 'dataLayer identity changed after a choice');
    assert.deepEqual(end.first, { pre: 1 });
    const dl = await dataLayer(p.page);
    assert.deepEqual(updates(dl), [update(ALL)]);
    assert.deepEqual(keksiEvents(dl), [event(ALL)]);
  } finally {
    await p.close();
  }
});

test('Consent Mode: a dataLayer that is a queue object of the page\'s own (not an array) is kept and pushed to', { timeout: 30_000 }, async () => {
  const queue = () => {
    window.dataLayer = { items: [], push(e) { this.items.push(Object.prototype.toString.call(e) === '[object Arguments]' ? Array.from(e) : e); return this.items.length; } };
    window.__queue = window.dataLayer;
  };
  const p = await open(`${F}/gtag.html`, { initScript: queue });
  try {
    await waitVisible(p.page, BANNER);
    const got = await p.page.evaluate(() => ({ same: window.dataLayer === window.__queue, first: window.__queue.items[0] }));
    assert.equal(got.same, true, 'keksi replaced the page\'s dataLayer object');
    assert.deepEqual(got.first, ['consent', 'default', DEFAULT]);
  } finally {
    await p.close();
  }
});

test('Consent Mode: region, wait_for_update, ads_data_redaction, url_passthrough and mapping options', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/options.html`);
  try {
    await waitVisible(p.page, BANNER);
    const want = [
      { args: ['consent', 'default', { ...DEFAULT, wait_for_update: 500, region: ['ES', 'DE'] }] },
      { args: ['set', 'ads_data_redaction', true] },
      { args: ['set', 'url_passthrough', true] },
    ];
    const probe = await p.page.evaluate(() => window.__afterKeksi);
    assert.deepEqual(probe.dataLayer, want, 'right after keksi.js');
    const dl = await dataLayer(p.page);
    assert.deepEqual(dl.slice(0, 3), want);
    assert.equal(dl[3]?.args?.[0], 'js', `the page's own commands follow: ${describe(dl)}`);

    // mapping {analytics: [analytics_storage, ad_user_data], advertising: [ad_storage,
    // ad_personalization]} replaces the default one: functional maps to nothing.
    const g = (types) => Object.fromEntries(TYPES.map((t) => [t, t === 'security_storage' || types.includes(t) ? 'granted' : 'denied']));
    await p.page.evaluate(() => window.keksi.accept(['functional']));
    let d = await waitUpdates(p.page, 1);
    assert.deepEqual(updates(d).at(-1), g([]), "custom mapping, keksi.accept(['functional']): nothing mapped to functional");
    await p.page.evaluate(() => window.keksi.accept(['functional', 'analytics']));
    d = await waitUpdates(p.page, 2);
    assert.deepEqual(updates(d).at(-1), g(['analytics_storage', 'ad_user_data']), 'custom mapping, analytics on');
    await p.page.evaluate(() => window.keksi.acceptAll());
    d = await waitUpdates(p.page, 3);
    assert.deepEqual(updates(d).at(-1), g(['analytics_storage', 'ad_user_data', 'ad_storage', 'ad_personalization']),
      'custom mapping, accept all');
  } finally {
    await p.close();
  }
});

test('Consent Mode with keksi.init(): its options and revision apply at once — the stored choice it accepts is replayed, one it rejects is taken back', { timeout: 30_000 }, async () => {
  const regional = { args: ['consent', 'default', { ...DEFAULT, region: ['ES'] }] };
  // A choice stored under the revision init() sets: replayed right after init, the banner stays away.
  let p = await open(`${F}/init.html`, { consentCookie: consentCookie({ revision: 3 }) });
  try {
    const after = (await p.page.evaluate(() => window.__afterKeksi)).dataLayer;
    assert.deepEqual(after, [{ args: ['consent', 'default', DEFAULT] }, regional, { args: ['consent', 'update', update(ALL)] }],
      `right after keksi.init(): start-up's default, init's default with its region, the stored choice: ${describe(after)}`);
    await ready(p.page);
    assert.equal(await isVisible(p.page, BANNER), false, 'a choice stored under the revision init() sets: no banner');
    assert.equal((await consentNow(p.page))?.method, 'accept-all');
    const events = (await dataLayer(p.page)).filter((e) => e.obj?.event === 'keksi_consent');
    assert.deepEqual(events.map((e) => e.obj), [event(ALL, {})], 'one keksi_consent event for the stored choice, after init()');
  } finally {
    await p.close();
  }
  // A choice stored under revision 0 (what start-up's default config reads): start-up replays
  // it, init()'s revision 3 makes it void, so everything goes back to denied and the banner shows.
  p = await open(`${F}/init.html`, { consentCookie: consentCookie({ revision: 0 }) });
  try {
    const after = (await p.page.evaluate(() => window.__afterKeksi)).dataLayer;
    assert.deepEqual(after, [{ args: ['consent', 'default', DEFAULT] }, { args: ['consent', 'update', update(ALL)] },
      regional, { args: ['consent', 'update', update()] }], `a choice init() does not accept is taken back: ${describe(after)}`);
    await waitVisible(p.page, BANNER);
    assert.equal(await consentNow(p.page), null);
    assert.deepEqual((await dataLayer(p.page)).filter((e) => e.obj?.event === 'keksi_consent'), [],
      'no keksi_consent event for a choice init() voided (Tag Manager would fire its tags under it)');
  } finally {
    await p.close();
  }
});

test('Consent Mode: googleConsentMode:false pushes nothing, before or after a choice', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/off.html`);
  try {
    await waitVisible(p.page, BANNER);
    const probe = await p.page.evaluate(() => window.__afterKeksi);
    assert.ok(probe.dataLayer === null || probe.dataLayer.length === 0,
      `keksi pushed to dataLayer with Consent Mode off: ${JSON.stringify(probe.dataLayer)}`);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(p.page, BANNER);
    // (No withdrawal here: gtag.js has run, and taking analytics back would reload the page.)
    await p.page.evaluate(() => window.keksi.accept(['analytics', 'functional']));
    await settle();
    assert.deepEqual((await consentNow(p.page))?.categories,
      { necessary: true, functional: true, analytics: true, advertising: false }, 'test setup: the choices were made');
    const dl = await dataLayer(p.page);
    assert.deepEqual(dl.map((e) => e.args?.[0] ?? e.obj), ['js', 'config'],
      `only the page's own gtag('js')/gtag('config') may be in dataLayer: ${describe(dl)}`);
  } finally {
    await p.close();
  }
});

test('Microsoft UET gets consent default/update; Meta Pixel gets grant/revoke after every change', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/vendors.html`);
  try {
    await waitVisible(p.page, BANNER);
    const state = () => p.page.evaluate(() => ({ uetq: JSON.parse(JSON.stringify(window.uetq)), fbq: window.__fbqCalls }));
    let s = await state();
    assert.deepEqual(s.uetq, ['consent', 'default', { ad_storage: 'denied' }],
      "uetq must get push('consent', 'default', {ad_storage: 'denied'}) at keksi start");
    assert.deepEqual(s.fbq, [], 'fbq called before a choice');

    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => (await state()).fbq.length >= 1);
    await settle(150);
    s = await state();
    assert.deepEqual(s.uetq.slice(3), ['consent', 'update', { ad_storage: 'granted' }], 'UET after accept-all');
    assert.deepEqual(s.fbq, [['consent', 'grant']], 'fbq after accept-all');

    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    await until(async () => (await state()).fbq.length >= 2);
    await settle(150);
    s = await state();
    assert.deepEqual(s.uetq.slice(6), ['consent', 'update', { ad_storage: 'denied' }], "UET after keksi.accept(['analytics'])");
    assert.deepEqual(s.fbq, [['consent', 'grant'], ['consent', 'revoke']]);

    await p.page.evaluate(() => window.keksi.reset());
    await until(async () => (await state()).fbq.length >= 3);
    await settle(150);
    s = await state();
    assert.deepEqual(s.uetq.slice(9), ['consent', 'update', { ad_storage: 'denied' }], 'UET after keksi.reset()');
    assert.deepEqual(s.fbq.at(-1), ['consent', 'revoke'], 'fbq after keksi.reset()');
    assert.equal(s.fbq.length, 3, `one fbq call per change: ${JSON.stringify(s.fbq)}`);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Global Privacy Control / Do Not Track

const GPC_NOTE_BANNER = '[data-keksi="banner"] [data-keksi="gpc"]';
const GPC_NOTE_DIALOG = '[data-keksi="preferences"] [data-keksi="gpc"]';

test('GPC: accept all leaves advertising and saleOrSharing categories off, says so, and a one-by-one switch-on is respected', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await open(`${F}/gpc.html`, { gpc: true });
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    assert.equal(await p.page.evaluate(() => navigator.globalPrivacyControl), true, 'test setup: GPC getter');
    const note = await shadowQuery(p.page, GPC_NOTE_BANNER);
    assert.ok(note, 'the banner has no [data-keksi="gpc"] note although GPC is on');
    assert.match(note.text, /Global Privacy Control/, `banner GPC note: "${note.text}"`);
    assert.ok(note.rect.width > 0 && note.rect.height > 0, 'the banner GPC note is not rendered');

    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(p.page, BANNER);
    let c = await consentNow(p.page);
    assert.deepEqual(c?.categories, { necessary: true, functional: true, analytics: true, advertising: false, social: false },
      'accept-all under GPC');
    assert.equal(c.method, 'accept-all');
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('advertising')), false);
    let dl = await waitUpdates(p.page, 1);
    assert.deepEqual(updates(dl).at(-1), update({ analytics: true, functional: true }), 'consent update under GPC');

    await openFromLink(p.page);
    const dnote = await shadowQuery(p.page, GPC_NOTE_DIALOG);
    assert.ok(dnote, 'the dialog has no [data-keksi="gpc"] note although GPC is on');
    assert.match(dnote.text, /Global Privacy Control/);
    const ads = p.page.locator(`${DIALOG} input[data-category="advertising"]`);
    assert.equal(await ads.isChecked(), false, 'advertising pre-ticked in the dialog under GPC');
    assert.equal(await p.page.locator(`${DIALOG} input[data-category="social"]`).isChecked(), false);
    await ads.check();
    await p.page.locator(btn(DIALOG, 'save')).click();
    await waitHidden(p.page, DIALOG);
    c = await consentNow(p.page);
    assert.equal(c?.categories?.advertising, true, 'switching advertising on in the dialog under GPC was not respected');
    assert.equal(c.categories.social, false);
    dl = await waitUpdates(p.page, 2);
    assert.deepEqual(updates(dl).at(-1), update(ALL), 'consent update after advertising switched on by hand');

    // "Accept all" in the dialog afterwards never takes back what was switched on by hand.
    await openFromLink(p.page);
    await p.page.locator(btn(DIALOG, 'accept-all')).click();
    await waitHidden(p.page, DIALOG);
    c = await consentNow(p.page);
    assert.equal(c?.method, 'accept-all');
    assert.equal(c.categories.advertising, true, 'accept all under GPC switched advertising off again');
    assert.equal(c.categories.social, false, 'social was never switched on');

    await until(() => env.server.consentLogs().length >= 2);
    const r = env.server.consentLogs().map((x) => x.body);
    assert.deepEqual(r.map((x) => [x.action, x.gpc, x.categories?.advertising]).slice(0, 2), [['accept-all', true, false], ['custom', true, true]],
      `receipts under GPC: ${JSON.stringify(r)}`);
  } finally {
    await p.close();
  }
});

test('GPC sent after an earlier accept all: the signal wins (advertising and saleOrSharing off, nothing of theirs runs); a switch-on under the signal holds', { timeout: 30_000 }, async () => {
  // The choice, made without the signal.
  const first = await open(`${F}/gpc.html`);
  let stored;
  try {
    await first.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(first.page, BANNER);
    assert.equal((await consentNow(first.page))?.categories?.advertising, true, 'test setup: accept all without GPC');
    await first.page.waitForFunction(() => window.__adsRan === true, null, { timeout: T });
    stored = (await first.page.context().cookies()).find((c) => c.name === 'keksi_consent')?.value;
    assert.ok(stored, 'test setup: no consent cookie');
  } finally {
    await first.close();
  }
  // The same visitor later, with Global Privacy Control on.
  const p = await open(`${F}/gpc.html`, { gpc: true, consentCookie: stored });
  try {
    await ready(p.page);
    assert.equal(await isVisible(p.page, BANNER), false, 'the earlier choice still counts: no banner');
    let c = await consentNow(p.page);
    assert.deepEqual(c?.categories, { necessary: true, functional: true, analytics: true, advertising: false, social: false },
      'an accept all from before GPC, read under GPC');
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('advertising')), false);
    assert.equal(await p.page.evaluate(() => window.__adsRan), undefined, 'an advertising script ran under GPC');
    assert.deepEqual(updates(await dataLayer(p.page)).at(-1), update({ analytics: true, functional: true }),
      'the replayed choice must deny ad_* under GPC');

    // Switched on one by one under the signal: stored as such, and kept on the next page.
    await openFromLink(p.page);
    await p.page.locator(`${DIALOG} input[data-category="advertising"]`).check();
    await p.page.locator(btn(DIALOG, 'save')).click();
    await waitHidden(p.page, DIALOG);
    await p.page.waitForFunction(() => window.__adsRan === true, null, { timeout: T });
    await p.page.reload();
    await ready(p.page);
    c = await consentNow(p.page);
    assert.equal(c?.categories?.advertising, true, 'advertising switched on by hand under GPC was taken back on reload');
    assert.equal(c.categories.social, false);
    assert.equal(await p.page.evaluate(() => window.__adsRan), true, 'the advertising script did not run after the reload');
  } finally {
    await p.close();
  }
});

test('GPC: keksi.acceptAll() on a default config keeps advertising off (Consent Mode ad_* denied)', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/gtag.html`, { gpc: true });
  try {
    await ready(p.page);
    await p.page.evaluate(() => window.keksi.acceptAll());
    const c = await consentNow(p.page);
    assert.deepEqual(c?.categories, { necessary: true, functional: true, analytics: true, advertising: false });
    const dl = await waitUpdates(p.page, 1);
    assert.deepEqual(updates(dl), [update({ analytics: true, functional: true })]);
    assert.deepEqual(keksiEvents(dl), [event({ analytics: true, functional: true })]);
  } finally {
    await p.close();
  }
});

test('GPC off (control): accept all turns everything on, no GPC note, receipt gpc:false', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await open(`${F}/gpc.html`);
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    assert.equal(await shadowQuery(p.page, '[data-keksi="gpc"]'), null, 'GPC note shown without the signal');
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(p.page, BANNER);
    const c = await consentNow(p.page);
    assert.deepEqual(c?.categories, { necessary: true, functional: true, analytics: true, advertising: true, social: true });
    await until(() => env.server.consentLogs().length >= 1);
    assert.equal(env.server.consentLogs()[0].body.gpc, false);
  } finally {
    await p.close();
  }
});

test('Do Not Track: honoured like GPC with honorDoNotTrack:true, ignored without it', { timeout: 30_000 }, async () => {
  env.server.clear();
  const honoured = await open(`${F}/gpc.html`, { dnt: '1' });
  try {
    await waitVisible(honoured.page, btn(BANNER, 'accept-all'));
    assert.equal(await honoured.page.evaluate(() => navigator.doNotTrack), '1', 'test setup: DNT getter');
    assert.ok(await shadowQuery(honoured.page, GPC_NOTE_BANNER), 'honorDoNotTrack + DNT=1: the banner should show the signal note');
    await honoured.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(honoured.page, BANNER);
    const c = await consentNow(honoured.page);
    assert.deepEqual(c?.categories, { necessary: true, functional: true, analytics: true, advertising: false, social: false },
      'accept-all with DNT=1 and honorDoNotTrack:true');
    await until(() => env.server.consentLogs().length >= 1);
    assert.equal(env.server.consentLogs()[0].body.gpc, true, 'receipt gpc flag with an honoured DNT');
  } finally {
    await honoured.close();
  }
  const ignored = await open(`${F}/gtag.html`, { dnt: '1' });
  try {
    await waitVisible(ignored.page, btn(BANNER, 'accept-all'));
    assert.equal(await shadowQuery(ignored.page, '[data-keksi="gpc"]'), null, 'DNT note shown although honorDoNotTrack is off');
    await ignored.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(ignored.page, BANNER);
    assert.equal((await consentNow(ignored.page))?.categories?.advertising, true, 'DNT must be ignored without honorDoNotTrack');
  } finally {
    await ignored.close();
  }
});

// ---------------------------------------------------------------------------------------
// Consent receipts

const RECEIPT_KEYS = ['receiptId', 'consentId', 'timestamp', 'action', 'categories', 'services', 'revision',
  'shownHash', 'language', 'page', 'userAgent', 'gpc'];
const SECRET = 'S3CR3T-cookie-value-9f8e7d';

/** Waits until exactly `n` receipts have arrived, then checks that no extra one follows. */
async function receipts(n, what) {
  await until(() => env.server.consentLogs().length >= n);
  await settle(400);
  const logs = env.server.consentLogs();
  assert.equal(logs.length, n, `${what}: expected ${n} receipt(s) in total, got ${logs.length}: ${JSON.stringify(logs.map((l) => l.body.action))}`);
  return logs;
}

test('receipts: one well-formed receipt per accept-all, custom, reject-all and withdraw', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await open(`${F}/receipts.html?utm_source=mail&email=visitor%40example.com#top`, {
    cookies: [{ name: 'shop_session', value: SECRET }],
  });
  try {
    const pageUrl = `${env.server.url}${F}/receipts.html`;
    const ua = await p.page.evaluate(() => navigator.userAgent);
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    assert.deepEqual(env.server.requested('/consent-log'), [], 'a receipt was sent before any choice');

    const seen = [];
    const check = async (n, action, what) => {
      const logs = await receipts(n, what);
      const { body: r, contentType } = logs[n - 1];
      const c = await consentNow(p.page);
      assert.ok(!r.unparsed, `${what}: body is not JSON: ${r.unparsed}`);
      assert.match(contentType, /^text\/plain/, `${what}: a sendBeacon text body is expected, got Content-Type "${contentType}"`);
      assert.deepEqual(Object.keys(r).sort(), [...RECEIPT_KEYS].sort(), `${what}: exactly these fields`);
      assert.equal(r.action, action, `${what}: action`);
      assert.match(r.receiptId, /^[0-9a-f]{16,64}$/i, `${what}: receiptId`);
      assert.ok(!seen.some((x) => x.receiptId === r.receiptId), `${what}: receiptId reused`);
      assert.match(r.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, `${what}: timestamp must be ISO 8601 UTC`);
      assert.ok(Math.abs(Date.parse(r.timestamp) - Date.now()) < 60_000, `${what}: timestamp ${r.timestamp} is not now`);
      assert.equal(r.revision, 3, `${what}: revision`);
      assert.match(r.shownHash, /^[0-9a-f]{64}$/, `${what}: shownHash must be 64 hex (SHA-256)`);
      assert.equal(r.language, 'en');
      assert.equal(r.page, pageUrl, `${what}: page must be origin + path, without query or fragment`);
      assert.equal(r.userAgent, ua);
      assert.equal(r.gpc, false);
      const text = JSON.stringify(r);
      assert.ok(!text.includes(SECRET), `${what}: a cookie value leaked into the receipt`);
      assert.ok(!/visitor|example\.com|utm_source/.test(text), `${what}: the query string leaked into the receipt`);
      if (action === 'withdraw') {
        assert.equal(c, null);
        assert.deepEqual(r.categories, { necessary: true, functional: false, analytics: false, advertising: false });
        assert.deepEqual(r.services, { video: false });
      } else {
        assert.equal(r.consentId, c.id, `${what}: consentId must equal keksi.consent().id`);
        assert.deepEqual(r.categories, c.categories, `${what}: categories must match keksi.consent()`);
        assert.deepEqual(r.services, c.services, `${what}: services must match keksi.consent()`);
      }
      seen.push(r);
      return r;
    };

    await p.page.locator(btn(BANNER, 'accept-all')).click();
    const a = await check(1, 'accept-all', 'banner accept-all');
    assert.deepEqual(a.categories, { necessary: true, functional: true, analytics: true, advertising: true });

    await openFromLink(p.page);
    await p.page.locator(`${DIALOG} input[data-category="functional"]`).uncheck();
    await p.page.locator(`${DIALOG} input[data-category="advertising"]`).uncheck();
    await p.page.locator(btn(DIALOG, 'save')).click();
    const b = await check(2, 'custom', 'dialog save (analytics only)');
    assert.deepEqual(b.categories, { necessary: true, functional: false, analytics: true, advertising: false });

    await p.page.evaluate(() => window.keksi.rejectAll());
    await check(3, 'reject-all', 'keksi.rejectAll()');

    const idBefore = (await consentNow(p.page)).id;
    await p.page.evaluate(() => window.keksi.reset());
    const w = await check(4, 'withdraw', 'keksi.reset()');
    assert.equal(w.consentId, idBefore, 'withdraw receipt: consentId must name the consent being withdrawn');

    assert.ok(seen.every((r) => r.consentId === seen[0].consentId), `one visitor, one consentId: ${seen.map((r) => r.consentId)}`);
    assert.ok(seen.every((r) => r.shownHash === seen[0].shownHash), 'shownHash changed without a change of texts');
    assert.equal(env.server.requested('/consent-log').length, 4, 'exactly one POST per action');
  } finally {
    await p.close();
  }
});

test('receipts: shownHash is stable for the same texts and changes when a text changes', { timeout: 30_000 }, async () => {
  const hashOf = async (path) => {
    env.server.clear();
    const p = await open(path);
    try {
      await waitVisible(p.page, btn(BANNER, 'accept-all'));
      const banner = (await shadowQuery(p.page, '[data-keksi="banner"]'))?.text ?? '';
      await p.page.locator(btn(BANNER, 'accept-all')).click();
      const logs = await receipts(1, path);
      return { hash: logs[0].body.shownHash, banner };
    } finally {
      await p.close();
    }
  };
  const a = await hashOf(`${F}/receipts.html`);
  const a2 = await hashOf(`${F}/receipts.html`);
  const b = await hashOf(`${F}/receipts-text.html`);
  assert.match(b.banner, /We use cookies to count visits and to show you videos/, 'test setup: the custom bannerText is not shown');
  assert.equal(a2.hash, a.hash, 'the same texts must give the same shownHash');
  assert.notEqual(b.hash, a.hash, 'a different bannerText must change shownHash');
});

test('receipts: nothing is sent when consentLog is not configured', { timeout: 30_000 }, async (t) => {
  env.server.clear();
  const p = await open(`${F}/gtag-noreload.html`);
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    await p.page.evaluate(() => window.keksi.rejectAll());
    await p.page.evaluate(() => window.keksi.reset());
    await settle(600);
    assert.deepEqual(env.server.requested('/consent-log'), []);
    const posts = env.server.requests().filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.deepEqual(posts, [], `keksi sent something without a consentLog: ${JSON.stringify(posts)}`);
    const beacons = p.thirdParty.log.filter((e) => e.method === 'POST' && !/google-analytics\.com\/g\/collect/.test(e.url));
    assert.deepEqual(beacons, [], 'POSTs to third parties other than the gtag.js stub\'s own beacon');
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Re-consent (consentValidityDays, revision)

const MIN = 60_000;

/** Opens `path` with a stored choice and reports what keksi made of it. */
async function withStored(path, cookieOpts) {
  const p = await open(path, { consentCookie: consentCookie(cookieOpts) });
  try {
    await ready(p.page);
    return {
      banner: await isVisible(p.page, BANNER),
      consent: await consentNow(p.page),
      analytics: await p.page.evaluate(() => window.keksi.allowed('analytics')),
      updates: updates(await dataLayer(p.page)),
    };
  } finally {
    await p.close();
  }
}

test('re-consent: consentValidityDays 30, just inside the window keeps the choice, just outside asks again', { timeout: 30_000 }, async () => {
  const inside = await withStored(`${F}/validity.html`, { ageMs: 30 * DAY_MS - 2 * MIN });
  assert.equal(inside.banner, false, '29.99-day-old choice (validity 30 days): banner shown');
  assert.ok(inside.consent, 'a choice inside the validity window must be kept');
  assert.equal(inside.consent.method, 'accept-all');
  assert.equal(inside.analytics, true);
  assert.deepEqual(inside.updates, [update(ALL)], 'stored choice → one consent update at start');

  const outside = await withStored(`${F}/validity.html`, { ageMs: 30 * DAY_MS + 2 * MIN });
  assert.equal(outside.banner, true, '30.001-day-old choice (validity 30 days): the banner must be shown again');
  assert.equal(outside.consent, null, 'an expired choice must read as no choice');
  assert.equal(outside.analytics, false, 'an expired choice must not allow anything');
  assert.deepEqual(outside.updates, [], 'an expired choice must not push a consent update');
});

test('re-consent: the default validity is 182 days', { timeout: 30_000 }, async () => {
  const inside = await withStored(`${F}/gtag.html`, { ageMs: 182 * DAY_MS - 2 * MIN });
  assert.equal(inside.banner, false, '181.99-day-old choice: banner shown (default validity is 182 days)');
  assert.ok(inside.consent);
  const outside = await withStored(`${F}/gtag.html`, { ageMs: 182 * DAY_MS + 2 * MIN });
  assert.equal(outside.banner, true, '182.001-day-old choice: the banner must be shown again');
  assert.equal(outside.consent, null);
});

test('re-consent: a new revision asks at once; a refusal is remembered and expires like a consent', { timeout: 30_000 }, async () => {
  const rev = await withStored(`${F}/validity.html`, { revision: 2, ageMs: MIN });
  assert.equal(rev.banner, true, 'a choice given under revision 2 on a revision-1 page: banner must show');
  assert.equal(rev.consent, null);

  const refusal = { method: 'reject-all', categories: 'necessary' };
  const kept = await withStored(`${F}/validity.html`, { ...refusal, ageMs: 30 * DAY_MS - 2 * MIN });
  assert.equal(kept.banner, false, 'a refusal inside the validity window must not bring the banner back');
  assert.equal(kept.consent?.method, 'reject-all');
  assert.deepEqual(kept.consent?.categories, { necessary: true, functional: false, analytics: false, advertising: false });
  assert.deepEqual(kept.updates, [update()], 'stored refusal → consent update (denied) at start');

  const old = await withStored(`${F}/validity.html`, { ...refusal, ageMs: 30 * DAY_MS + 2 * MIN });
  assert.equal(old.banner, true, 'an expired refusal must ask again');
  assert.equal(old.consent, null);
});

test('re-consent: a choice keksi itself stored expires on the clock (Date.now moved forward)', { timeout: 30_000 }, async () => {
  const context = await newContext(env.browser);
  await routeThirdParty(context);
  try {
    const first = await newPage(env, `${F}/validity.html`, { context });
    await waitVisible(first.page, btn(BANNER, 'accept-all'));
    await first.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(first.page, BANNER);
    await first.close();

    const later = async (shiftMs) => {
      const p = await newPage(env, `${F}/validity.html`, {
        context,
        initScript: `(() => { const real = Date.now; Date.now = () => real() + ${shiftMs}; })();`,
      });
      try {
        await ready(p.page);
        return { banner: await isVisible(p.page, BANNER), consent: await consentNow(p.page) };
      } finally {
        await p.close();
      }
    };
    const inside = await later(30 * DAY_MS - 2 * MIN);
    assert.equal(inside.banner, false, 'clock +29.99 days: banner shown although the choice is still valid');
    assert.ok(inside.consent);
    const outside = await later(30 * DAY_MS + 2 * MIN);
    assert.equal(outside.banner, true, 'clock +30.001 days: the banner must be shown again');
    assert.equal(outside.consent, null);
  } finally {
    await context.close();
  }
});

test('re-consent: consentValidityDays over 365 is rejected by name, keksi runs fail-closed', { timeout: 30_000 }, async () => {
  const p = await open(`${F}/validity-bad.html`);
  try {
    await waitVisible(p.page, BANNER);
    assert.ok(p.errors.some((e) => /consentValidityDays/.test(e)),
      `console.error should name consentValidityDays: ${JSON.stringify(p.errors)}`);
    assert.equal(await consentNow(p.page), null);
  } finally {
    await p.close();
  }
});
