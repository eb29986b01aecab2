// The choice across a site's open tabs and the back/forward cache (README → "Across tabs"):
// a page shown again reads the consent cookie again and follows a change made elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import {
  setup, assertKeksiBuilt, newPage, newContext, routeThirdParty, waitVisible, waitHidden, isVisible, until,
  openFromLink, BANNER, DIALOG, btn, IS_FIREFOX, IS_WEBKIT, notInWebKit, CHROMIUM, CHROMIUM_ARGS,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const PAGE = '/fixtures/tabs.html';
const ONE_WINDOW = 'the WebKit harness drives one window: no second tab';
/** Hides `cookieStore`, as in an engine without it: only the page's own events tell it. */
const NO_COOKIE_STORE = () => Object.defineProperty(window, 'cookieStore', { value: undefined });

/**
 * Brings the page to the front. Firefox fires `focus` there itself, but not for a page
 * already in front; headless Chromium (and the one-window WebKit harness) change neither
 * visibility nor focus, so the event a browser fires when a tab is shown again is
 * dispatched as it would.
 */
async function show(page) {
  if (page.bringToFront) await page.bringToFront();
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
}

/** What the visitor (and the site) would find in the page now. */
function state(page) {
  return page.evaluate(() => {
    // A write of a refused category's cookie (`_ga`: analytics in keksi's knowledge).
    document.cookie = '_ga=GA1.1.7.7; path=/';
    return {
      analytics: window.keksi.allowed('analytics'),
      consent: window.keksi.consent(),
      ga: document.cookie.includes('_ga='),
      released: window.__released ?? 0,
      consentEvents: window.__keksiEvents.filter((e) => e.type === 'keksi:consent').length,
    };
  });
}

/** Inserts a tracker as a tag manager would; whether it was requested within a moment. */
async function trackerLoads(page, net, id) {
  await page.evaluate((u) => {
    const s = document.createElement('script');
    s.src = u;
    document.head.append(s);
  }, `https://www.googletagmanager.com/gtag/js?id=${id}`);
  await settle();
  return net.requested(id).length > 0;
}

for (const cookieStore of [true, false]) {
  test(`consent withdrawn in another tab holds in this one once it is shown again${cookieStore ? '' : ' (no cookieStore)'}`, { timeout: 40_000, skip: notInWebKit(ONE_WINDOW) }, async () => {
    env.server.clear();
    const context = await newContext(env.browser);
    const net = await routeThirdParty(context);
    const initScript = cookieStore ? undefined : NO_COOKIE_STORE;
    const p1 = await newPage(env, PAGE, { context, initScript });
    try {
      await p1.page.locator(btn(BANNER, 'accept-all')).click();
      await until(async () => (await state(p1.page)).released === 1);
      assert.equal(await trackerLoads(p1.page, net, 'G-BEFORE'), true, 'control: a tracker loads while analytics is allowed');
      await p1.page.evaluate(() => { document.cookie = '_ga=; max-age=0; path=/'; });

      const p2 = await newPage(env, PAGE, { context, initScript });
      await openFromLink(p2.page);
      await p2.page.locator(btn(DIALOG, 'reject-all')).click();
      assert.equal(await p2.page.evaluate(() => window.keksi.allowed('analytics')), false);

      await show(p1.page);
      const s = await until(async () => {
        const v = await state(p1.page);
        return v.analytics === false ? v : null;
      });
      assert.ok(s, 'the tab shown again still allows analytics after it was withdrawn in another tab');
      assert.equal(s.consent?.method, 'reject-all', 'keksi.consent() is the choice made in the other tab');
      assert.equal(s.ga, false, 'an analytics cookie written after the withdrawal was kept');
      assert.equal(await isVisible(p1.page, BANNER), false, 'a choice exists: no banner');
      assert.equal(await trackerLoads(p1.page, net, 'G-AFTER'), false, 'a tracker inserted after the withdrawal was let through');
      assert.equal(env.server.consentLogs().length, 2, 'one receipt per choice (accept here, reject there), none for following it');
      await p2.close();
    } finally {
      await context.close();
    }
  });
}

test('consent given in another tab: this tab drops its banner and runs what it held, without a second receipt', { timeout: 40_000, skip: notInWebKit(ONE_WINDOW) }, async () => {
  env.server.clear();
  const context = await newContext(env.browser);
  const p1 = await newPage(env, PAGE, { context });
  try {
    await waitVisible(p1.page, BANNER);
    const p2 = await newPage(env, PAGE, { context });
    await p2.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => (await state(p2.page)).released === 1);

    await show(p1.page);
    await waitHidden(p1.page, BANNER);
    const s = await until(async () => {
      const v = await state(p1.page);
      return v.released === 1 ? v : null;
    });
    assert.ok(s, 'the script held for analytics did not run in the tab shown again');
    assert.equal(s.analytics, true);
    assert.equal(s.consent?.id, (await state(p2.page)).consent?.id, 'the same choice in both tabs');
    assert.equal(s.consentEvents, 1, 'keksi:consent tells the page its choice changed');
    await settle();
    assert.equal(env.server.consentLogs().length, 1, 'the choice is logged once, by the tab where it was made');
    await p2.close();
  } finally {
    await context.close();
  }
});

for (const cookieStore of [true, false]) test(`the consent cookie cleared by the visitor: the page shown again asks again and allows nothing optional${cookieStore ? '' : ' (no cookieStore)'}`, { timeout: 40_000 }, async () => {
  // Without \`cookieStore\` no event reads the cookie between the choice and the show.
  const p = await newPage(env, PAGE, { initScript: cookieStore ? undefined : NO_COOKIE_STORE });
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => (await state(p.page)).released === 1);
    await p.context.clearCookies();
    await show(p.page);
    await waitVisible(p.page, BANNER);
    const s = await state(p.page);
    assert.deepEqual([s.analytics, s.consent, s.ga], [false, null, false]);
  } finally {
    await p.close();
  }
});

test('back/forward cache: a page restored after consent was withdrawn on the next one follows the withdrawal', { timeout: 60_000, skip: IS_FIREFOX || IS_WEBKIT ? 'Chromium only: a browser launched with its back/forward cache on' : false }, async () => {
  // Playwright launches Chromium with the cache off: this test's own browser has it on,
  // and its pages are served without `no-store` (`?bfcache`).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__restored = 0;
      addEventListener('pageshow', (e) => { if (e.persisted) window.__restored++; });
    });
    await page.goto(env.server.url + PAGE + '?bfcache');
    await page.locator(btn(BANNER, 'accept-all')).click();
    await until(() => page.evaluate(() => window.__released === 1));
    await page.goto(env.server.url + PAGE + '?bfcache&next');
    await page.evaluate(() => window.keksi.rejectAll());
    await page.goBack({ waitUntil: 'commit' });
    assert.ok(await until(() => page.evaluate(() => window.__restored === 1).catch(() => false)), 'the page was not restored from the back/forward cache');
    const s = await until(async () => {
      const v = await page.evaluate(() => {
        document.cookie = '_ga=GA1.1.7.7; path=/';
        return { analytics: window.keksi.allowed('analytics'), ga: document.cookie.includes('_ga=') };
      });
      return v.analytics === false ? v : null;
    });
    assert.ok(s, 'the restored page still allows analytics');
    assert.equal(s.ga, false, 'an analytics cookie written in the restored page was kept');
  } finally {
    await browser.close();
  }
});

test('keksi.reset() in a tab that has not yet read a choice made in another one still withdraws it for the site', { timeout: 40_000, skip: notInWebKit(ONE_WINDOW) }, async () => {
  env.server.clear();
  const context = await newContext(env.browser);
  // No `cookieStore` and no show: the tab holds no choice when reset() is called.
  const p1 = await newPage(env, PAGE, { context, initScript: NO_COOKIE_STORE });
  try {
    await waitVisible(p1.page, BANNER);
    const p2 = await newPage(env, PAGE, { context, initScript: NO_COOKIE_STORE });
    await p2.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => (await state(p2.page)).released === 1);
    assert.equal(await p1.page.evaluate(() => window.keksi.consent()), null, 'control: this tab has not read the choice');
    await p1.page.evaluate(() => window.keksi.reset());
    await show(p2.page);
    const s = await until(async () => {
      const v = await state(p2.page);
      return v.analytics === false ? v : null;
    });
    assert.ok(s, 'the accept made in the other tab survived the withdrawal made in this one');
    assert.equal(s.consent, null);
    await p2.close();
  } finally {
    await context.close();
  }
});
