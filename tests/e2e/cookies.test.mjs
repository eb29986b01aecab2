// Cookies: dropping non-consented writes, the 12-month cap, classification, deletion (CONTRACT §5, §8).
// Every check reads the browser's real cookie jar (context.cookies()), not document.cookie.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, assertKeksiBuilt, newPage, cookie, waitVisible, waitHidden, until, openFromLink,
  assertAtMostAYear, BANNER, DIALOG, btn, YEAR_S, IS_FIREFOX, IS_WEBKIT,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const TWO_YEARS = 2 * YEAR_S;

// WebKitGTK's cookieStore.set stores nothing on plain http://127.0.0.1, with or without
// keksi (README, Engines); the WebDriver suite checks keksi's cookieStore cap there over https.
const WEBKIT_COOKIESTORE = "cookieStore part skipped in WebKit: WebKitGTK's cookieStore.set stores nothing on http://127.0.0.1 (checked over https by tests/e2e-webdriver)";

test('before consent: writes of known analytics cookies are dropped, unknown site cookies kept', { timeout: 30_000 }, async (t) => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(async () => {
      document.cookie = 'demo_analytics_id=early; path=/; max-age=3600'; // declared analytics in config
      document.cookie = '_ga=GA1.1.1.1; path=/; max-age=3600'; // built-in knowledge: Google Analytics
      document.cookie = 'shop_pref=blue; path=/; max-age=3600'; // unknown: allowed by default
      if (window.cookieStore) {
        await cookieStore.set({ name: 'demo_analytics_id', value: 'via-cookiestore', expires: Date.now() + 3600e3 });
        await cookieStore.set({ name: 'shop_cs', value: '1', expires: Date.now() + 3600e3 });
      }
    });
    await settle();
    assert.equal(await cookie(p.context, 'demo_analytics_id'), null, 'config-declared analytics cookie written without consent');
    assert.equal(await cookie(p.context, '_ga'), null, '_ga (Google Analytics) written without consent');
    assert.ok(await cookie(p.context, 'shop_pref'), 'an unknown site cookie was dropped (unknownCookies defaults to "allow")');
    if (IS_WEBKIT) t.diagnostic(WEBKIT_COOKIESTORE);
    else assert.ok(await cookie(p.context, 'shop_cs'), 'an unknown cookie set via cookieStore was dropped');
  } finally {
    await p.close();
  }
});

test('persistent cookies are capped at 365 days (document.cookie and cookieStore)', { timeout: 30_000 }, async (t) => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(async (two) => {
      document.cookie = `site_long=1; path=/; max-age=${two}`;
      document.cookie = 'site_far=1; path=/; expires=Fri, 31 Dec 2100 23:59:59 GMT';
      document.cookie = 'site_short=1; path=/; max-age=86400';
      if (window.cookieStore) await cookieStore.set({ name: 'site_cs_long', value: '1', expires: Date.now() + two * 1000 });
    }, TWO_YEARS);
    await settle();
    assertAtMostAYear(await cookie(p.context, 'site_long'), 'site_long (max-age 2 years)');
    assertAtMostAYear(await cookie(p.context, 'site_far'), 'site_far (expires 2100)');
    if (IS_WEBKIT) t.diagnostic(WEBKIT_COOKIESTORE);
    else assertAtMostAYear(await cookie(p.context, 'site_cs_long'), 'site_cs_long (cookieStore, 2 years)');
    const short = await cookie(p.context, 'site_short');
    assert.ok(short && Math.abs(short.expires - (Date.now() / 1000 + 86400)) < 120, 'a 1-day cookie must keep its own expiry');

    // The demo's analytics script asks for max-age 2 years once allowed.
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(() => p.page.evaluate(() => !!window.__analyticsEvents));
    await settle();
    assertAtMostAYear(await cookie(p.context, 'demo_analytics_id'), 'demo_analytics_id (analytics.js asks for 2 years)');
  } finally {
    await p.close();
  }
});

test('writes whose lifetime browsers read otherwise are written as keksi read them: no consent bypass, no cap bypass; cookieStore with a Date is capped', { timeout: 30_000 }, async (t) => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(async (two) => {
      // Read as a deletion (RFC 6265: the junk Max-Age is ignored), but Chromium takes the
      // last Max-Age, junk or not, and would keep a session _ga.
      document.cookie = '_ga=GA1.1.9.9; path=/; Max-Age=0; Max-Age=x';
      document.cookie = `site_plus=1; path=/; max-age=+${two}`;
      document.cookie = `site_two=1; path=/; Max-Age=${two}; Max-Age=junk`;
      if (window.cookieStore) await cookieStore.set({ name: 'site_cs_date', value: '1', expires: new Date(Date.now() + two * 1000) });
    }, TWO_YEARS);
    await settle();
    assert.equal(await cookie(p.context, '_ga'), null, '_ga written without consent behind a deletion-looking write');
    const plus = await cookie(p.context, 'site_plus');
    assert.ok(!plus || plus.expires === -1 || plus.expires - Date.now() / 1000 <= YEAR_S + 120, `site_plus lives past a year: ${JSON.stringify(plus)}`);
    const two = await cookie(p.context, 'site_two');
    if (two && two.expires !== -1) assertAtMostAYear(two, 'site_two (Max-Age 2 years then junk)');
    if (IS_WEBKIT) t.diagnostic(WEBKIT_COOKIESTORE);
    else if (await p.page.evaluate(() => !!window.cookieStore)) assertAtMostAYear(await cookie(p.context, 'site_cs_date'), 'site_cs_date (cookieStore, expires as a Date, 2 years)');
  } finally {
    await p.close();
  }
});

test('an existing cookie with a later expiry is rewritten to 365 days on load', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/', { goto: false });
  try {
    const now = Math.floor(Date.now() / 1000);
    await p.context.addCookies([
      { name: 'old_long', value: 'v', url: env.server.url + '/', expires: now + 390 * 86400 },
    ]);
    await p.page.goto(env.server.url + '/', { waitUntil: 'load' });
    if (IS_FIREFOX || IS_WEBKIT) {
      // The limit (README, Engines): Firefox's and WebKit's cookieStore give a page no
      // expiry, so a cookie set too long before keksi loaded cannot be recognised and
      // re-capped there. This shows the limit is real; a change in the engine makes it
      // fail and lifts it.
      const seen = await p.page.evaluate(async () => {
        const c = window.cookieStore ? await cookieStore.get('old_long').catch(() => null) : null;
        return c?.expires ?? null;
      });
      assert.equal(seen, null, 'the engine now reports cookie expiry: re-cap existing cookies there too');
      return;
    }
    const capped = await until(async () => {
      const c = await cookie(p.context, 'old_long');
      return c && c.expires <= Date.now() / 1000 + YEAR_S + 120 ? c : null;
    });
    assert.ok(capped, `old_long still expires in ${(((await cookie(p.context, 'old_long'))?.expires - now) / 86400).toFixed(1)} days`);
    assert.equal(capped.value, 'v', 'rewriting changed the value');
  } finally {
    await p.close();
  }
});

test('keksi.cookies() classifies category and lifetime', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(() => p.page.evaluate(() => !!window.__analyticsEvents));
    await p.page.evaluate(() => {
      document.cookie = 'shop_session=abc; path=/'; // session cookie
      document.cookie = 'shop_pref=blue; path=/; max-age=86400'; // persistent, unknown
    });
    const want = {
      keksi_consent: { category: 'necessary', lifetime: 'persistent' },
      demo_analytics_id: { category: 'analytics', lifetime: 'persistent' },
      shop_session: { category: 'unknown', lifetime: 'session' },
      shop_pref: { category: 'unknown', lifetime: 'persistent' },
    };
    // The browser exposes expiries asynchronously (cookieStore): allow keksi a moment.
    let list = [];
    await until(async () => {
      list = await p.page.evaluate(() => window.keksi.cookies());
      return Object.entries(want).every(([n, w]) => {
        const c = list.find((x) => x.name === n);
        return c && c.category === w.category && c.lifetime === w.lifetime;
      });
    });
    for (const [name, w] of Object.entries(want)) {
      const c = list.find((x) => x.name === name);
      assert.ok(c, `keksi.cookies() lacks ${name}: ${JSON.stringify(list)}`);
      assert.equal(c.category, w.category, `${name}: category`);
      assert.equal(c.lifetime, w.lifetime, `${name}: lifetime`);
    }
    const kc = list.find((x) => x.name === 'keksi_consent');
    assert.equal(typeof kc.expires, 'string', 'keksi_consent: expires should be an ISO string (the browser exposes it)');
    const days = (Date.parse(kc.expires) - Date.now()) / 864e5;
    assert.ok(days > 0 && days <= 365.01, `keksi_consent expires in ${days} days`);
    assert.equal(list.find((x) => x.name === 'shop_session').expires, null);
  } finally {
    await p.close();
  }
});

test('withdrawing analytics deletes its cookies', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(() => p.page.evaluate(() => !!window.__analyticsEvents));
    assert.ok(await cookie(p.context, 'demo_analytics_id'), 'analytics cookie not set after accept-all');
    await openFromLink(p.page);
    await p.page.locator(`${DIALOG} input[data-category="analytics"]`).uncheck();
    // The analytics script already ran and cannot be unloaded: keksi reloads the page.
    const reloaded = p.page.waitForEvent('load', { timeout: 10_000 });
    await p.page.locator(btn(DIALOG, 'save')).click();
    await reloaded;
    const gone = await until(async () => (await cookie(p.context, 'demo_analytics_id')) === null);
    assert.ok(gone, 'demo_analytics_id still in the jar after analytics was switched off');
    assert.ok(await cookie(p.context, 'keksi_consent'), 'the consent cookie itself must stay');
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('analytics')), false);
  } finally {
    await p.close();
  }
});
