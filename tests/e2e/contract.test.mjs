// Clauses of CONTRACT.md that no other e2e file pins (docs/contract-coverage.md maps every
// clause to its test): the API's shape and return values, when `keksi:ready` and
// `keksi:consent` fire and how often, the language order, a page with no config, openers,
// and the nonce of a classic keksi.js under a strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, assertKeksiBuilt, newContext, newPage, routeThirdParty, waitVisible, waitHidden, isVisible, inShadow, until,
  BANNER, DIALOG, btn,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const events = (page, type) => page.evaluate((t) => window.__keksiEvents.filter((e) => e.type === t), type);

test('§8 API: every method is there, the void ones return undefined, allowed() a boolean, consent() and cookies() their documented shapes', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/openers.html');
  try {
    await waitVisible(p.page, BANNER);
    const r = await p.page.evaluate(() => {
      const k = window.keksi;
      const kinds = {};
      for (const m of ['acceptAll', 'rejectAll', 'accept', 'allowed', 'consent', 'showBanner', 'showPreferences', 'hide', 'reset', 'cookies']) kinds[m] = typeof k[m];
      const returns = [k.showPreferences(), k.hide(), k.showBanner(), k.hide(), k.acceptAll(), k.rejectAll(), k.accept(['analytics']), k.reset()];
      const before = k.consent();
      k.accept(['analytics']);
      const c = k.consent();
      return {
        version: typeof k.version, kinds, returns: returns.map(String), before,
        keys: Object.keys(c), types: [typeof c.id, typeof c.revision, typeof c.timestamp, typeof c.method],
        categories: c.categories, services: c.services, method: c.method,
        allowed: [k.allowed('analytics'), k.allowed('advertising'), k.allowed('necessary'), k.allowed('no-such-category')],
        cookies: k.cookies().map((x) => [Object.keys(x).join(), x.name, x.category, x.lifetime, typeof x.expires]),
      };
    });
    assert.equal(r.version, 'string');
    for (const [m, kind] of Object.entries(r.kinds)) assert.equal(kind, 'function', `keksi.${m}`);
    assert.deepEqual(r.returns, Array(8).fill('undefined'));
    assert.equal(r.before, null, 'consent() after reset()');
    assert.deepEqual(r.keys, ['id', 'revision', 'timestamp', 'method', 'categories', 'services']);
    assert.deepEqual(r.types, ['string', 'number', 'string', 'string']);
    assert.equal(r.method, 'custom');
    assert.deepEqual(r.categories, { necessary: true, functional: false, analytics: true, advertising: false });
    assert.deepEqual(r.services, {});
    assert.deepEqual(r.allowed, [true, false, true, false]);
    assert.deepEqual(r.cookies, [['name,category,lifetime,expires', 'keksi_consent', 'necessary', 'persistent', 'string']]);
  } finally {
    await p.close();
  }
});

test('§8 reset() with no valid choice still forgets a stored one of another revision: it is not honoured again on a page of that revision', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/revision1.html');
  try {
    await p.page.evaluate(() => window.keksi.acceptAll());
    await p.page.goto(env.server.url + '/fixtures/revision2.html', { waitUntil: 'load' });
    assert.equal(await p.page.evaluate(() => window.keksi.consent()), null, 'another revision is no consent');
    await p.page.evaluate(() => window.keksi.reset());
    await p.page.goto(env.server.url + '/fixtures/revision1.html', { waitUntil: 'load' });
    assert.equal(await p.page.evaluate(() => window.keksi.consent()), null, 'the choice withdrawn with reset() came back on a page of its revision');
  } finally {
    await p.close();
  }
});

test('§8 events: keksi:ready once; keksi:consent once per decision with detail = keksi.consent(), none for UI calls, on a load with a stored choice, or from reset() with no choice to withdraw', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/openers.html');
  try {
    await waitVisible(p.page, BANNER);
    const r = await p.page.evaluate(() => {
      const k = window.keksi;
      const n = () => window.__keksiEvents.filter((e) => e.type === 'keksi:consent').length;
      const dl = () => (window.dataLayer || []).length;
      const out = {};
      k.showPreferences(); k.hide(); k.showBanner();
      out.ui = n();
      const before = dl();
      k.reset();
      out.resetWithoutChoice = n();
      out.dataLayerGrew = dl() - before;
      out.bannerAfterReset = !k.consent();
      const steps = [];
      for (const call of [() => k.acceptAll(), () => k.acceptAll(), () => k.rejectAll(), () => k.accept(['functional']), () => k.reset()]) {
        const had = n();
        call();
        const last = window.__keksiEvents.filter((e) => e.type === 'keksi:consent').pop();
        steps.push([n() - had, JSON.stringify(last.detail) === JSON.stringify(k.consent())]);
      }
      out.steps = steps;
      return out;
    });
    assert.equal(r.ui, 0, 'showPreferences/hide/showBanner fired keksi:consent');
    assert.equal(r.resetWithoutChoice, 0, 'reset() with no choice made fired keksi:consent (no choice changed)');
    assert.equal(r.dataLayerGrew, 0, 'reset() with no choice made pushed a Consent Mode update');
    assert.ok(r.bannerAfterReset);
    await waitVisible(p.page, BANNER);
    assert.deepEqual(r.steps, Array(5).fill([1, true]), 'each decision: one event, its detail keksi.consent()');
    assert.equal((await events(p.page, 'keksi:ready')).length, 1);

    // A load with a stored choice: ready once, no keksi:consent (nothing changed).
    await p.page.evaluate(() => window.keksi.acceptAll());
    await p.page.reload({ waitUntil: 'load' });
    await settle();
    assert.equal((await events(p.page, 'keksi:ready')).length, 1);
    assert.deepEqual(await events(p.page, 'keksi:consent'), []);
    assert.equal(await p.page.evaluate(() => window.keksi.consent().method), 'accept-all');

    // The dialog's close button and Escape decide nothing; Save does, once.
    await p.page.locator('#nohref').click();
    await waitVisible(p.page, DIALOG);
    await p.page.locator(btn(DIALOG, 'close')).click();
    await waitHidden(p.page, DIALOG);
    await p.page.locator('#nohref').click();
    await waitVisible(p.page, DIALOG);
    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    assert.deepEqual(await events(p.page, 'keksi:consent'), []);
    await p.page.locator('#nohref').click();
    await waitVisible(p.page, DIALOG);
    await p.page.locator(btn(DIALOG, 'save')).click();
    await waitHidden(p.page, DIALOG);
    await settle();
    const saved = await events(p.page, 'keksi:consent');
    assert.equal(saved.length, 1);
    assert.equal(saved[0].detail.method, 'custom');
  } finally {
    await p.close();
  }
});

test('§1, §2: no config at all works: banner, the default categories in order, nothing optional on; the language falls back to English', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/contract-bare.html', { initScript: "Object.defineProperty(Navigator.prototype, 'languages', { get() { return ['xx-YY']; }, configurable: true });" });
  try {
    await waitVisible(p.page, BANNER);
    assert.equal(await p.page.evaluate(() => document.body.lastElementChild.id), 'keksi', '<div id="keksi"> at the end of <body>');
    assert.equal(await inShadow(p.page, (root) => root.querySelector('[data-action="accept-all"]').textContent.trim()), 'Accept all');
    await p.page.evaluate(() => window.keksi.showPreferences());
    await waitVisible(p.page, DIALOG);
    const boxes = await inShadow(p.page, (root) =>
      [...root.querySelectorAll('[data-keksi="preferences"] input[type=checkbox][data-category]')].map((i) => [i.dataset.category, i.checked, i.disabled]));
    assert.deepEqual(boxes, [['necessary', true, true], ['functional', false, false], ['analytics', false, false], ['advertising', false, false]]);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('§1 language: <html lang> first, then navigator.languages; config "language" before both', { timeout: 30_000 }, async () => {
  const nav = (langs) => `Object.defineProperty(Navigator.prototype, 'languages', { get() { return ${JSON.stringify(langs)}; }, configurable: true });`;
  const cases = [
    ['/fixtures/contract-lang-fi.html', ['de-DE', 'en'], 'Hyväksy kaikki'],
    ['/fixtures/contract-bare.html', ['xx', 'fi-FI', 'en'], 'Hyväksy kaikki'],
    ['/fixtures/contract-bare.html', ['de-AT'], 'Alle akzeptieren'],
    ['/fixtures/contract-lang-forced.html', ['en-US'], 'Hyväksy kaikki'],
  ];
  for (const [path, langs, want] of cases) {
    const p = await newPage(env, path, { initScript: nav(langs) });
    try {
      await waitVisible(p.page, BANNER);
      const got = await inShadow(p.page, (root) => root.querySelector('[data-keksi="banner"] [data-action="accept-all"]').textContent.trim());
      assert.equal(got, want, `${path} with navigator.languages ${langs}`);
    } finally {
      await p.close();
    }
  }
});

test('§9 openers: a click on an element inside a data-keksi-open button opens the dialog, and so do Enter and Space on it', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/contract-bare.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.locator('#opener-inner').click();
    await waitVisible(p.page, DIALOG);
    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    for (const key of ['Enter', ' ']) {
      await p.page.locator('#opener').focus();
      await p.page.keyboard.press(key);
      await waitVisible(p.page, DIALOG);
      await p.page.keyboard.press('Escape');
      await waitHidden(p.page, DIALOG);
      assert.equal(await p.page.evaluate(() => document.activeElement && document.activeElement.id), 'opener', `focus back after ${JSON.stringify(key)}`);
    }
  } finally {
    await p.close();
  }
});

test('§1 CSP: keksi.js as a classic script with a nonce: the marked scripts it activates (inline and external) get that nonce and run once', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/contract-nonce.html');
  try {
    await waitVisible(p.page, BANNER);
    await settle();
    assert.deepEqual(await p.page.evaluate(() => [window.__inline || 0, window.__external || 0]), [0, 0]);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(() => p.page.evaluate(() => window.__inline === 1 && window.__external === 1)), 'the activated scripts did not run under the nonce CSP');
    await settle();
    assert.deepEqual(await p.page.evaluate(() => [window.__inline, window.__external]), [1, 1]);
    assert.deepEqual(p.unexpectedErrors().filter((e) => !/favicon/.test(e)), []);
  } finally {
    await p.close();
  }
});

test('§5-§7 config: "trackers" entries are held like built-in ones, "unknownCookies": "block" drops unknown cookies, "cookieName" names the stored choice', { timeout: 30_000 }, async () => {
  const context = await newContext(env.browser);
  const net = await routeThirdParty(context);
  const p = await newPage(env, '/fixtures/contract-config.html', { context });
  try {
    await waitVisible(p.page, BANNER);
    await settle();
    assert.deepEqual(net.requested('unknown-example.org'), [], 'a config tracker was requested before consent');
    assert.equal(await p.page.evaluate(() => (window.__ran || []).length), 0);
    assert.equal(await p.page.evaluate(() => document.cookie.includes('site_pref')), false, 'an unknown cookie was kept under "unknownCookies": "block"');
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(() => p.page.evaluate(() => (window.__ran || []).includes('cfg-tracker'))), 'the config tracker did not run after accept all');
    const jar = await context.cookies();
    const own = jar.find((c) => c.name === 'site_consent');
    assert.ok(own, `no site_consent cookie: ${jar.map((c) => c.name)}`);
    assert.deepEqual([own.path, own.sameSite], ['/', 'Lax']);
    assert.equal(jar.find((c) => c.name === 'keksi_consent'), undefined);
    await p.page.reload({ waitUntil: 'load' });
    assert.ok(await until(() => p.page.evaluate(() => (window.__ran || []).includes('cfg-tracker'))), 'the stored choice (site_consent) was not honoured');
    assert.equal(await isVisible(p.page, BANNER), false);
    assert.equal(net.requested('unknown-example.org').length, 2, 'once per load');
  } finally {
    await context.close();
  }
});
