// The first visit, the banner's choices, and how the choice is kept (CONTRACT §3, §5, §7, §8, §9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  setup, assertKeksiBuilt, newPage, cookie, waitVisible, waitHidden, isVisible, until,
  setMarker, assertAtMostAYear, shadowQuery, BANNER, btn, T,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const CRATE_VERSION = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8').match(/^version\s*=\s*"([^"]+)"/m)[1];

/** What the demo page's optional things are doing right now. */
function pageState(page) {
  return page.evaluate(() => {
    const k = window.keksi;
    const frames = [...document.querySelectorAll('iframe')];
    return {
      keksiType: typeof k,
      version: k ? k.version : undefined,
      consent: k && typeof k.consent === 'function' ? k.consent() : 'no keksi.consent()',
      allowed: k && typeof k.allowed === 'function'
        ? {
            necessary: k.allowed('necessary'),
            functional: k.allowed('functional'),
            analytics: k.allowed('analytics'),
            advertising: k.allowed('advertising'),
            video: k.allowed('functional', 'video'),
          }
        : null,
      analyticsEvents: window.__analyticsEvents ?? null,
      demoAnalytics: typeof window.demoAnalytics,
      badge: !!document.querySelector('.analytics-badge'),
      frameSrcs: frames.map((f) => f.getAttribute('src')).filter(Boolean),
      keksiEvents: (window.__keksiEvents || []).map((e) => e.type),
      lastConsentEvent: (window.__keksiEvents || []).filter((e) => e.type === 'keksi:consent').pop() ?? null,
    };
  });
}

const pageviews = (s) => (s.analyticsEvents || []).filter((e) => e.name === 'pageview').length;

test('first visit: banner shown, nothing optional runs, loads or stores', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    for (const a of ['accept-all', 'reject-all', 'preferences']) await waitVisible(p.page, btn(BANNER, a));
    const ui = await p.page.evaluate(() => {
      const host = document.getElementById('keksi');
      return {
        hostInBody: !!host && host.parentElement === document.body,
        shadowMode: host && host.shadowRoot ? host.shadowRoot.mode : null,
        bannerInLightDom: !!document.querySelector('[data-keksi="banner"]'),
      };
    });
    assert.deepEqual(ui, { hostInBody: true, shadowMode: 'open', bannerInLightDom: false },
      'the UI must live in an open shadow root on <div id="keksi"> in <body>');
    assert.ok(await shadowQuery(p.page, '[data-keksi="banner"] [data-action="accept-all"]'));
    await settle();
    const s = await pageState(p.page);
    assert.equal(s.keksiType, 'object', 'window.keksi missing');
    assert.equal(s.version, CRATE_VERSION, "keksi.version must be the crate's version (written in by the build)");
    assert.equal(s.consent, null, 'keksi.consent() must be null before a choice');
    assert.deepEqual(s.allowed, { necessary: true, functional: false, analytics: false, advertising: false, video: false });
    assert.equal(s.analyticsEvents, null, 'a marked analytics script ran before consent');
    assert.equal(s.demoAnalytics, 'undefined', '/js/analytics.js ran before consent');
    assert.equal(s.badge, false);
    assert.deepEqual(s.frameSrcs, [], 'an iframe got a src before consent');
    assert.ok(s.keksiEvents.includes('keksi:ready'), `keksi:ready was not dispatched (events: ${s.keksiEvents})`);
    assert.ok(!s.keksiEvents.includes('keksi:consent'), 'keksi:consent fired without a choice');

    assert.deepEqual(env.server.requested('/js/analytics.js'), [], 'analytics script requested before consent');
    assert.deepEqual(env.server.requested('/video.html'), [], 'video iframe requested before consent');
    assert.ok(env.server.requested('/keksi.js').length === 1, 'keksi.js should be requested exactly once');

    const jar = await p.context.cookies();
    assert.equal(jar.find((c) => c.name === 'keksi_consent'), undefined, 'consent cookie written before a choice');
    assert.equal(jar.find((c) => c.name === 'demo_analytics_id'), undefined);

    // The blocked iframe's placeholder says what it is and offers to allow it.
    const video = p.page.locator('#video');
    const allow = video.getByRole('button');
    await allow.first().waitFor({ state: 'visible', timeout: T });
    const placeholderText = await video.evaluate((sec) => {
      const texts = [];
      const walk = (n) => {
        if (n.nodeType === 3) texts.push(n.textContent);
        if (n.shadowRoot) walk(n.shadowRoot);
        for (const c of n.childNodes) walk(c);
      };
      walk(sec.querySelector('.video-frame'));
      return texts.join(' ').replace(/\s+/g, ' ').trim();
    });
    assert.match(placeholderText, /video|functional/i, `placeholder does not say what it is: "${placeholderText}"`);

    assert.deepEqual(p.unexpectedErrors(), [], 'console errors on first visit');
  } finally {
    await p.close();
  }
});

test('accept all: runs scripts without a reload, loads the iframe, stores the choice ≤ 365 days', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    const check = await setMarker(p.page);
    await p.page.locator(btn(BANNER, 'accept-all')).click();

    const ran = await until(async () => pageviews(await pageState(p.page)) > 0);
    assert.ok(ran, 'analytics pageview did not run after accept-all');
    const nav = await check();
    assert.ok(nav.ok, `the page reloaded (marker=${nav.marker}, navigation entries=${nav.navigations})`);

    await waitHidden(p.page, BANNER);
    await p.page.waitForFunction(() => [...document.querySelectorAll('iframe')].some((f) => /\/video\.html$/.test(f.src)), null, { timeout: T });
    await p.page.locator('.analytics-badge').waitFor({ state: 'visible', timeout: T });
    await settle();

    const s = await pageState(p.page);
    assert.equal(pageviews(s), 1, `pageview tracked ${pageviews(s)} times (scripts must run exactly once)`);
    assert.deepEqual(s.allowed, { necessary: true, functional: true, analytics: true, advertising: true, video: true });
    assert.ok(s.consent && typeof s.consent === 'object', 'keksi.consent() is null after accept-all');
    assert.equal(s.consent.revision, 1);
    assert.equal(typeof s.consent.id, 'string');
    assert.ok(s.consent.id.length >= 8, `consent id "${s.consent.id}" looks too short to be random`);
    assert.ok(s.consent.timestamp, 'consent.timestamp missing');
    assert.deepEqual(s.consent.categories, { necessary: true, functional: true, analytics: true, advertising: true });
    assert.match(JSON.stringify(s.consent.services ?? null), /video/,
      `consent.services should record the video service: ${JSON.stringify(s.consent.services)}`);
    assert.ok(s.lastConsentEvent, 'keksi:consent event not dispatched');
    assert.equal(s.lastConsentEvent.detail?.categories?.analytics, true, 'keksi:consent detail lacks categories.analytics=true');

    assert.equal(env.server.requested('/js/analytics.js').length, 1, '/js/analytics.js requests');
    assert.equal(env.server.requested('/video.html').length, 1, '/video.html requests');
    assert.ok(p.page.frames().some((f) => f.url().endsWith('/video.html')), 'the video frame did not navigate');

    const kc = await cookie(p.context, 'keksi_consent');
    assertAtMostAYear(kc);
    assert.equal(kc.path, '/');
    assert.equal(kc.sameSite, 'Lax');
    assert.equal(kc.secure, false, 'Secure must not be set on http');
    assert.ok(await cookie(p.context, 'demo_analytics_id'), 'analytics.js could not set its cookie after accept-all');

    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('an engine without Uint8Array.prototype.setFromBase64 or Uint8Array.fromBase64 (Firefox < 133, Safari < 18.2): keksi decodes its WebAssembly itself, banner and choices work', { timeout: 30_000 }, async (t) => {
  env.server.clear();
  const p = await newPage(env, '/', {
    initScript: () => {
      window.__hadBase64 = [typeof Uint8Array.prototype.setFromBase64, typeof Uint8Array.fromBase64];
      delete Uint8Array.prototype.setFromBase64;
      delete Uint8Array.fromBase64;
    },
  });
  try {
    t.diagnostic(`this engine's setFromBase64, fromBase64: ${await p.page.evaluate(() => window.__hadBase64)}`);
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    assert.deepEqual(await p.page.evaluate(() => [typeof Uint8Array.prototype.setFromBase64, typeof Uint8Array.fromBase64]),
      ['undefined', 'undefined'], 'the init script did not remove setFromBase64 and fromBase64');
    assert.equal((await pageState(p.page)).allowed.analytics, false);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(async () => pageviews(await pageState(p.page)) > 0), 'analytics pageview did not run after accept-all');
    await waitHidden(p.page, BANNER);
    assert.equal((await pageState(p.page)).allowed.analytics, true);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('reload keeps the choice: no banner, scripts run and the iframe loads on their own', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => pageviews(await pageState(p.page)) > 0);
    env.server.clear();
    await p.page.reload({ waitUntil: 'load' });
    await until(async () => pageviews(await pageState(p.page)) > 0);
    await settle();
    const r = await pageState(p.page);
    assert.equal(await isVisible(p.page, BANNER), false, 'banner shown again after reload');
    assert.equal(pageviews(r), 1, 'analytics did not run (once) on reload with stored consent');
    assert.equal(r.consent?.categories?.analytics, true);
    assert.ok(r.frameSrcs.some((src) => src.endsWith('/video.html')), 'iframe has no src on reload');
    assert.equal(env.server.requested('/js/analytics.js').length, 1, 'analytics.js requests on reload');
    const loaded = await until(() => p.page.frames().some((f) => f.url().endsWith('/video.html')));
    assert.ok(loaded, `iframe has src but its frame never navigated (frames: ${p.page.frames().map((f) => f.url())}, ` +
      `/video.html requests: ${env.server.requested('/video.html').length})`);
    assert.equal(env.server.requested('/video.html').length, 1, '/video.html requests on reload');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('reject all: nothing optional runs, across reloads', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, btn(BANNER, 'reject-all'));
    const check = await setMarker(p.page);
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    await waitHidden(p.page, BANNER);
    await settle();

    let s = await pageState(p.page);
    assert.ok((await check()).ok, 'the page reloaded on reject-all');
    assert.equal(s.analyticsEvents, null, 'analytics ran after reject-all');
    assert.deepEqual(s.frameSrcs, []);
    assert.deepEqual(s.allowed, { necessary: true, functional: false, analytics: false, advertising: false, video: false });
    assert.deepEqual(s.consent?.categories, { necessary: true, functional: false, analytics: false, advertising: false });
    assert.ok(s.lastConsentEvent, 'keksi:consent event not dispatched on reject-all');
    assertAtMostAYear(await cookie(p.context, 'keksi_consent'));

    for (let i = 0; i < 2; i++) {
      await p.page.reload({ waitUntil: 'load' });
      await settle();
      s = await pageState(p.page);
      assert.equal(await isVisible(p.page, BANNER), false, `banner shown again after reload #${i + 1}`);
      assert.equal(s.analyticsEvents, null, `analytics ran after reload #${i + 1}`);
      assert.deepEqual(s.frameSrcs, []);
      assert.equal(s.consent?.categories?.analytics, false);
    }
    assert.deepEqual(env.server.requested('/js/analytics.js'), [], 'analytics script requested after reject-all');
    assert.deepEqual(env.server.requested('/video.html'), []);
    assert.equal(await cookie(p.context, 'demo_analytics_id'), null);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('keksi.reset() withdraws: consent and analytics cookies deleted, banner back', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => pageviews(await pageState(p.page)) > 0);
    assert.ok(await cookie(p.context, 'keksi_consent'), 'no consent cookie after accept-all');
    assert.ok(await cookie(p.context, 'demo_analytics_id'), 'analytics cookie not set after accept-all');

    // Analytics already ran, so keksi reloads the page (reloadOnWithdraw): wait for the
    // new document before looking (the old one still shows the banner for a moment).
    const same = await setMarker(p.page);
    await p.page.evaluate(() => window.keksi.reset());
    assert.ok(await until(async () => !(await same().catch(() => ({ ok: true }))).ok), 'reset() did not reload the page');
    await p.page.waitForLoadState('load');
    await waitVisible(p.page, BANNER);
    const s = await pageState(p.page);
    assert.equal(s.consent, null, 'keksi.consent() not null after reset()');
    assert.equal(s.allowed?.analytics, false);
    // Cookie writes reach the jar asynchronously: give the deletions a moment to land.
    await until(async () => (await cookie(p.context, 'keksi_consent')) === null && (await cookie(p.context, 'demo_analytics_id')) === null);
    assert.equal(await cookie(p.context, 'keksi_consent'), null, 'keksi_consent still in the cookie jar after reset()');
    assert.equal(await cookie(p.context, 'demo_analytics_id'), null, 'analytics cookie (declared in config) not deleted by reset()');

    env.server.clear();
    await p.page.reload({ waitUntil: 'load' });
    await waitVisible(p.page, BANNER);
    await settle();
    assert.equal((await pageState(p.page)).analyticsEvents, null, 'analytics ran after reset + reload');
    assert.deepEqual(env.server.requested('/js/analytics.js'), []);
  } finally {
    await p.close();
  }
});

test('a new config revision asks again', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => pageviews(await pageState(p.page)) > 0);

    // Control: another page with the same revision keeps the choice.
    await p.page.goto(env.server.url + '/fixtures/revision1.html', { waitUntil: 'load' });
    await until(async () => pageviews(await pageState(p.page)) > 0);
    assert.equal(pageviews(await pageState(p.page)), 1, 'revision-1 page did not honour the stored choice');
    assert.equal(await isVisible(p.page, BANNER), false, 'banner shown on a page with the same revision');

    env.server.clear();
    await p.page.goto(env.server.url + '/fixtures/revision2.html', { waitUntil: 'load' });
    await waitVisible(p.page, BANNER);
    await settle();
    const s = await pageState(p.page);
    assert.equal(s.consent, null, 'keksi.consent() must be null when the stored revision differs');
    assert.equal(s.analyticsEvents, null, 'analytics ran on a page with a newer revision');
    assert.equal(s.allowed?.analytics, false);
    assert.deepEqual(env.server.requested('/js/analytics.js'), []);

    // Consenting under revision 2 records revision 2.
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => pageviews(await pageState(p.page)) > 0);
    assert.equal((await pageState(p.page)).consent?.revision, 2);
  } finally {
    await p.close();
  }
});

test('keksi:consent reaches every listener in the order of the changes, also when a listener changes the choice again', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/openers.html');
  try {
    await waitVisible(p.page, BANNER);
    const seen = await p.page.evaluate(() => {
      const log = [];
      addEventListener('keksi:consent', (e) => {
        log.push('A:' + e.detail.method);
        if (e.detail.method === 'accept-all') window.keksi.rejectAll(); // a mirror that overrules
      });
      addEventListener('keksi:consent', (e) => log.push('B:' + e.detail.method));
      window.keksi.acceptAll();
      return { log, now: window.keksi.consent().method };
    });
    assert.deepEqual(seen.log, ['A:accept-all', 'B:accept-all', 'A:reject-all', 'B:reject-all']);
    assert.equal(seen.now, 'reject-all', 'the last event each listener saw matches keksi.consent()');
  } finally {
    await p.close();
  }
});
