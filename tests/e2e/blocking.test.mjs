// Marked elements: document order, unknown categories, and fail-closed config (CONTRACT §3, §6).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, assertKeksiBuilt, newPage, waitVisible, waitHidden, until, BANNER, btn,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const order = (page) => page.evaluate(() => window.__order);

test('marked scripts run in document order, once, when the first one is slow (after the click)', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/fixtures/order.html');
  try {
    await waitVisible(p.page, BANNER);
    await settle();
    assert.deepEqual(await order(p.page), [], 'a marked script ran before consent');
    assert.deepEqual(env.server.requested('/fixtures/order-a.js'), [], 'marked script requested before consent');

    await p.page.locator(btn(BANNER, 'accept-all')).click();
    const done = await until(async () => (await order(p.page)).length >= 4);
    assert.ok(done, `not all four marked scripts ran: ${JSON.stringify(await order(p.page))}`);
    await settle(500); // a script run twice would show up here
    assert.deepEqual(await order(p.page), ['a', 'b', 'c', 'd']);
    assert.equal(await p.page.evaluate(() => window.__attrA), 'kept', 'the activated script lost its other attributes (data-extra)');
    assert.equal(await p.page.evaluate(() => performance.getEntriesByType('navigation').length), 1);
    assert.equal(env.server.requested('/fixtures/order-a.js').length, 1);
    assert.equal(env.server.requested('/fixtures/order-c.js').length, 1);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('a marked script the browser never loads (nomodule, not JavaScript) holds up nothing; an async one keeps async and runs when it arrives', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/fixtures/order-skip.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(async () => (await order(p.page)).length >= 2),
      `the scripts after the one that never loads did not run: ${JSON.stringify(await order(p.page))}`);
    await settle(300);
    assert.deepEqual(await order(p.page), ['b', 'a'], 'the inline script must not wait for the slow async one');
    assert.equal(await p.page.evaluate(() => document.getElementById('s-async').async), true, 'the activated script lost async');
    assert.deepEqual(env.server.requested('/fixtures/order-c.js'), [], 'a nomodule or non-JavaScript script was fetched');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('a marked script that widens the choice while the queue runs does not let a later script overtake a slow one', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/order-nested.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    assert.ok(await until(async () => (await order(p.page)).length >= 3), `not all ran: ${JSON.stringify(await order(p.page))}`);
    await settle(300);
    assert.deepEqual(await order(p.page), ['a', 'c', 'd'], 'd ran before the slow c it follows');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('consent withdrawn while marked scripts wait their turn: none of them runs', { timeout: 30_000 }, async () => {
  // Given and withdrawn while the page parses: the queue would run at DOMContentLoaded.
  env.server.clear();
  let p = await newPage(env, '/fixtures/order-withdraw.html#parse');
  try {
    await settle(1200);
    assert.deepEqual(await order(p.page), [], 'a script queued under a withdrawn choice ran');
    assert.deepEqual(env.server.requested('/fixtures/order-a.js'), [], 'a script queued under a withdrawn choice was fetched');
    assert.equal(await p.page.evaluate(() => window.keksi.consent()?.categories?.analytics), false);
  } finally {
    await p.close();
  }
  // Withdrawn while the first (slow) one loads: the one after it must not run.
  p = await newPage(env, '/fixtures/order-withdraw.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    assert.ok(await until(async () => env.server.requested('/fixtures/order-a.js').length > 0), 'set up: the slow script was not requested');
    await p.page.evaluate(() => window.keksi.rejectAll());
    await settle(1200);
    assert.deepEqual(await order(p.page), ['a'], 'the script queued behind the slow one ran after the withdrawal');
    // Given again: it runs then, once.
    await p.page.evaluate(() => window.keksi.accept(['analytics']));
    assert.ok(await until(async () => (await order(p.page)).length >= 2), `not released on consent again: ${JSON.stringify(await order(p.page))}`);
    await settle(300);
    assert.deepEqual(await order(p.page), ['a', 'b']);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('marked scripts run in document order, once, on a load with stored consent', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/order.html');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await until(async () => (await order(p.page)).length >= 4);
    for (let i = 0; i < 2; i++) {
      await p.page.reload({ waitUntil: 'load' });
      const done = await until(async () => ((await order(p.page)) ?? []).length >= 4);
      assert.ok(done, `reload #${i + 1}: scripts did not all run: ${JSON.stringify(await order(p.page))}`);
      await settle(500);
      assert.deepEqual(await order(p.page), ['a', 'b', 'c', 'd'], `reload #${i + 1}`);
      assert.equal(await p.page.evaluate(() => window.__attrA), 'kept');
    }
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('a blocked iframe the page takes out and puts back in a later task is shown on consent', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => {
      const f = document.querySelector('iframe[data-service="video"]');
      window.__frame = f;
      window.__parent = f.parentNode;
      f.remove();
    });
    await settle(100);
    await p.page.evaluate(() => window.__parent.append(window.__frame));
    await settle(200);
    assert.equal(await p.page.evaluate(() => getComputedStyle(window.__frame).display), 'none', 'set up: the put-back frame was not hidden again');
    await p.page.evaluate(() => window.keksi.acceptAll());
    assert.ok(await until(() => p.page.evaluate(() => window.__frame.getAttribute('src') === '/video.html')), 'the frame did not get its src');
    await settle(200);
    assert.notEqual(await p.page.evaluate(() => getComputedStyle(window.__frame).display), 'none', 'the released frame stayed hidden');
    assert.equal(await p.page.evaluate(() => window.__frame.style.display), '', 'keksi left an inline display on the frame');
  } finally {
    await p.close();
  }
});

test('a marked script that calls document.write, released after the page was parsed, writes where it stands (the page stays)', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/order-write.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(() => p.page.evaluate(() => !!document.getElementById('w2'))), 'nothing written');
    const ids = await p.page.evaluate(() => [...document.querySelectorAll('#main > p')].map((e) => e.id));
    assert.deepEqual(ids, ['before', 'w1', 'w2', 'after'], 'the page was replaced, or the writes landed elsewhere');
    assert.equal(await p.page.evaluate(() => window.__wroteRan), true, 'a script in the written HTML did not run');
    assert.equal(await p.page.evaluate(() => !!document.getElementById('keksi')), true, 'keksi\'s UI went with the page');
    assert.equal(await p.page.evaluate(() => performance.getEntriesByType('navigation').length), 1);
  } finally {
    await p.close();
  }
});

test('DOMContentLoaded and load listeners that released scripts add are called once, in order, after the scripts, on the click and on a reload', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/order-ready.html');
  const expected = ['a-dcl:DOMContentLoaded', 'lib-dcl', 'c-dcl:true', 'obj:true', 'after-throw', 'a-load:load'];
  const ready = () => p.page.evaluate(() => window.__ready);
  try {
    await waitVisible(p.page, BANNER);
    await settle();
    assert.deepEqual(await ready(), [], 'a marked script ran before consent');
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(async () => (await ready()).length >= expected.length), `listeners not called: ${JSON.stringify(await ready())}`);
    await settle(400); // a listener called twice would show up here
    assert.deepEqual(await ready(), expected, 'after the click');
    assert.equal(await p.page.evaluate(() => window.__page), 1, 'the page\'s own DOMContentLoaded listener was not called exactly once');
    const thrown = p.unexpectedErrors();
    assert.equal(thrown.length, 1, `the throwing listener's error was not reported once: ${JSON.stringify(thrown)}`);
    assert.match(String(thrown[0]), /listener error/);

    await p.page.reload({ waitUntil: 'load' });
    assert.ok(await until(async () => (await ready()).length >= expected.length), `listeners not called after reload: ${JSON.stringify(await ready())}`);
    await settle(400);
    assert.deepEqual(await ready(), expected, 'after a reload with the choice stored');
    assert.equal(await p.page.evaluate(() => window.__page), 1);
  } finally {
    await p.close();
  }
});

test('an iframe, image or stylesheet marked with its real URL instead of data-src is held all the same, and released on consent; data-srcset becomes srcset', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/marked-real-url.html');
  try {
    await waitVisible(p.page, BANNER);
    await settle();
    const before = await p.page.evaluate(() => ({
      frame: document.getElementById('frame').getAttribute('src'),
      frameDoc: (() => { try { return document.getElementById('frame').contentDocument?.URL ?? null; } catch { return 'cross'; } })(),
      pixel: document.getElementById('pixel').getAttribute('src'),
      lazy: document.getElementById('lazy').getAttribute('src'),
      responsive: document.getElementById('responsive').getAttribute('srcset'),
      color: getComputedStyle(document.getElementById('styled')).color,
      placeholder: !!document.querySelector('[data-keksi-placeholder]'),
    }));
    assert.equal(before.frame, null, 'the marked iframe kept its URL before consent');
    assert.ok(before.frameDoc === null || before.frameDoc === 'about:blank', `the marked iframe shows a document before consent: ${before.frameDoc}`);
    assert.equal(before.pixel, null, 'the marked image kept its URL before consent');
    assert.equal(before.responsive, null, 'the marked responsive image had its srcset before consent');
    assert.equal(before.lazy, '/fixtures/stand-in.gif', 'the page\'s own stand-in next to data-src was taken away');
    assert.notEqual(before.color, 'rgb(1, 2, 3)', 'the marked stylesheet applies before consent');
    assert.equal(before.placeholder, true);
    await p.page.evaluate(() => window.keksi.acceptAll());
    assert.ok(await until(() => p.page.evaluate(() => document.getElementById('frame').getAttribute('src') === '/video.html?real')), 'the iframe did not get its URL back');
    assert.ok(await until(() => p.page.evaluate(() => getComputedStyle(document.getElementById('styled')).color === 'rgb(1, 2, 3)')), 'the stylesheet was not applied on consent');
    assert.equal(await p.page.evaluate(() => document.getElementById('pixel').getAttribute('src')), '/fixtures/pixel.gif?real');
    assert.equal(await p.page.evaluate(() => document.getElementById('lazy').getAttribute('src')), '/fixtures/pixel.gif?lazy');
    // A responsive image marked with data-srcset gets its candidates.
    assert.equal(await p.page.evaluate(() => document.getElementById('responsive').getAttribute('srcset')),
      '/fixtures/pixel.gif?1x 1x, /fixtures/pixel.gif?2x 2x', 'data-srcset was not given as srcset on consent');
  } finally {
    await p.close();
  }
});

test('a marked element with an unknown category stays blocked and is warned about', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/fixtures/unknowncat.html');
  try {
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    const control = await until(() => p.page.evaluate(() => window.__analyticsRan === true));
    assert.ok(control, 'control: the analytics-marked script did not run after accept-all');
    await settle();
    assert.equal(await p.page.evaluate(() => window.__nonsenseRan), undefined, 'data-consent="nonsense" ran after accept-all');
    const warned = p.warnings.concat(p.errors).some((w) => /nonsense/.test(w));
    assert.ok(warned, `no console warning naming the unknown category "nonsense" (warnings: ${JSON.stringify(p.warnings)})`);
    // and it stays blocked on the next load too
    await p.page.reload({ waitUntil: 'load' });
    await until(() => p.page.evaluate(() => window.__analyticsRan === true));
    await settle();
    assert.equal(await p.page.evaluate(() => window.__nonsenseRan), undefined);
  } finally {
    await p.close();
  }
});

const BAD = [
  ['/fixtures/badconfig.html', 'an unknown key', /cookeis/],
  ['/fixtures/badtype.html', 'a wrongly typed field', /revision/],
  ['/fixtures/badjson.html', 'malformed JSON', /config|json/i],
];

for (const [path, what, mention] of BAD) {
  test(`config with ${what}: console.error names it, fail-closed, page intact`, { timeout: 30_000 }, async () => {
    env.server.clear();
    const p = await newPage(env, path);
    try {
      await waitVisible(p.page, BANNER);
      await settle();
      assert.ok(
        p.errors.some((e) => mention.test(e)),
        `no console.error matching ${mention} (errors: ${JSON.stringify(p.errors)})`,
      );
      assert.ok(!p.errors.some((e) => e.startsWith('pageerror:')), `uncaught exception: ${JSON.stringify(p.errors)}`);
      const s = await p.page.evaluate(() => ({
        optional: window.__optionalRan ?? null,
        frames: [...document.querySelectorAll('iframe')].map((f) => f.getAttribute('src')).filter(Boolean),
        content: document.getElementById('content')?.textContent ?? null,
        title: document.getElementById('title')?.textContent ?? null,
        consent: window.keksi?.consent?.() ?? null,
        analytics: window.keksi?.allowed?.('analytics'),
      }));
      assert.equal(s.optional, null, 'an optional script ran under a broken config');
      assert.deepEqual(s.frames, []);
      assert.deepEqual(env.server.requested('/video.html'), []);
      assert.match(s.content ?? '', /page content must stay intact/);
      assert.ok(s.title, 'page heading missing');
      await p.page.locator('#content').waitFor({ state: 'visible' });
      assert.equal(s.consent, null);
      assert.equal(s.analytics, false);
      // The UI still works on the defaults: reject-all hides the banner.
      await p.page.locator(btn(BANNER, 'reject-all')).click();
      await waitHidden(p.page, BANNER);
    } finally {
      await p.close();
    }
  });
}
