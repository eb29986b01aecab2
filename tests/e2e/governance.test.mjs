// Cookie governance in the real cookie jar: withdrawal deletes what vendors set on the
// parent domain and on sub-paths, and declared storage keys; the dialog lists the cookies
// it observes, unknown ones under "Unclassified".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, assertKeksiBuilt, newPage, waitVisible, openFromLink, until, BANNER, DIALOG } from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

// *.localhost resolves to the loopback in Chromium: a host with a parent domain to test.
const deepUrl = () => `http://shop.keksi.localhost:${env.server.port}/fixtures/deep/a/page.html`;

test('withdrawal deletes analytics cookies on the parent domain and on sub-paths, and declared storage keys', async () => {
  const p = await newPage(env, '/', { goto: false });
  try {
    await p.page.goto(deepUrl());
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.keksi.acceptAll());
    await p.page.evaluate(() => {
      document.cookie = '_ga=GA1.2.3; domain=keksi.localhost; path=/; max-age=3600';
      document.cookie = '_gid=GA1.2.4; path=/fixtures/deep/a; max-age=3600';
      document.cookie = '_fbp=fb.1.2; domain=.keksi.localhost; path=/fixtures/deep/; max-age=3600';
      document.cookie = 'shop_cart=3; path=/; max-age=3600';
      document.cookie = 'site_pref=dark; path=/; max-age=3600';
      localStorage.setItem('shop_stats_visits', '5');
      localStorage.setItem('_hjLocalStorageTest', '1');
      localStorage.setItem('theme', 'dark');
    });
    const names = async () => (await p.context.cookies()).map((c) => `${c.name}@${c.domain}${c.path}`).sort();
    await until(async () => (await names()).length >= 6, { timeout: 5000 });
    const before = await names();
    for (const want of ['_ga@.keksi.localhost/', '_gid@shop.keksi.localhost/fixtures/deep/a', '_fbp@.keksi.localhost/fixtures/deep/']) {
      assert.ok(before.includes(want), `set up: ${want} in ${before}`);
    }
    await p.page.evaluate(() => window.keksi.rejectAll());
    // Chromium commits document.cookie writes (deletions too) asynchronously: wait for
    // the jar to settle rather than read it in the same instant.
    const gone = (list) => ['_ga', '_gid', '_fbp'].every((g) => !list.some((n) => n.startsWith(g + '@')));
    await until(async () => gone(await names()), { timeout: 5000 });
    const afterReject = await names();
    for (const gone of ['_ga', '_gid', '_fbp']) {
      assert.ok(!afterReject.some((n) => n.startsWith(gone + '@')), `${gone} survived the withdrawal: ${afterReject}`);
    }
    for (const kept of ['shop_cart', 'site_pref', 'keksi_consent']) {
      assert.ok(afterReject.some((n) => n.startsWith(kept + '@')), `${kept} must stay: ${afterReject}`);
    }
    const storage = await p.page.evaluate(() => ({ stats: localStorage.getItem('shop_stats_visits'), hj: localStorage.getItem('_hjLocalStorageTest'), theme: localStorage.getItem('theme') }));
    assert.deepEqual(storage, { stats: null, hj: null, theme: 'dark' }, 'declared and known analytics keys removed, the site\'s own kept');
  } finally {
    await p.close();
  }
});

test('the dialog lists observed cookies by category, unknown ones under "Unclassified"', async () => {
  const p = await newPage(env, '/', { goto: false });
  try {
    await p.page.goto(deepUrl());
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    await p.page.evaluate(() => {
      document.cookie = '_ga=GA1.2.3; path=/; max-age=3600';
      document.cookie = 'mystery_pref=1; path=/';
      document.cookie = 'shop_cart=3; path=/';
    });
    await openFromLink(p.page, 'footer [data-keksi-open]');
    await waitVisible(p.page, DIALOG);
    const tables = await p.page.evaluate(() => {
      const root = document.getElementById('keksi').shadowRoot;
      const text = (sel) => root.querySelector(sel)?.textContent.replace(/\s+/g, ' ') ?? '';
      return {
        analytics: text('[data-keksi-category="analytics"] table'),
        necessary: text('[data-keksi-category="necessary"] table'),
        unclassified: text('[data-keksi="unclassified"]'),
      };
    });
    assert.match(tables.analytics, /_ga/, 'observed _ga listed under analytics');
    assert.match(tables.analytics, /Google Analytics/, 'with its vendor from the knowledge');
    assert.match(tables.analytics, /Persistent/);
    assert.match(tables.necessary, /shop_cart.*Nordic Mugs/, 'declared cookie with its provider');
    assert.match(tables.unclassified, /Unclassified/);
    assert.match(tables.unclassified, /mystery_pref/, 'unknown cookie under Unclassified');
    assert.doesNotMatch(tables.unclassified, /_ga|shop_cart/);
  } finally {
    await p.close();
  }
});
