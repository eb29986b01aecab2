// keksi's UI must not move the host page: no layout shift, no scroll, no overflow (CONTRACT §9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, assertKeksiBuilt, newPage, newContext, waitVisible, waitHidden, openFromLink, BANNER, btn } from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

// On the demo page: everything above the video (whose placeholder is keksi's to draw).
const DEMO = ['#site-header', '.logo', '.nav', '#cart', '#hero h1', '#hero .button', '#shop', '#p-fjord', '#p-midnight', '#about', '#video h2'];
// Everything, for the before/after-click comparison and for the fixture without an iframe.
const DEMO_ALL = [...DEMO, '.video-frame', '#site-footer', '#site-footer [data-keksi-open]'];
const PLAIN = ['#site-header', '#title', '#main', '#site-footer', '#site-footer [data-keksi-open]'];

function measure(page, selectors) {
  return page.evaluate((sels) => {
    const out = {};
    for (const s of sels) {
      const el = document.querySelector(s);
      if (!el) {
        out[s] = null;
        continue;
      }
      const r = el.getBoundingClientRect();
      out[s] = [r.x, r.y + window.scrollY, r.width, r.height].map((v) => Math.round(v * 2) / 2);
    }
    const cs = (el) => {
      const c = getComputedStyle(el);
      return [c.marginTop, c.marginBottom, c.paddingTop, c.paddingBottom, c.overflow, c.position, c.transform].join(' ');
    };
    return {
      boxes: out,
      body: cs(document.body),
      html: cs(document.documentElement),
      scrollY: window.scrollY,
      scrollHeight: document.documentElement.scrollHeight,
      overflowX: document.documentElement.scrollWidth - window.innerWidth,
    };
  }, selectors);
}

function assertSameBoxes(a, b, what) {
  for (const [sel, box] of Object.entries(a.boxes)) {
    assert.ok(box, `${what}: ${sel} missing`);
    assert.deepEqual(b.boxes[sel], box, `${what}: ${sel} moved/resized`);
  }
  assert.equal(b.body, a.body, `${what}: <body> styles changed`);
  assert.equal(b.html, a.html, `${what}: <html> styles changed`);
}

const VIEWPORTS = [
  ['desktop 1280x800', { width: 1280, height: 800 }],
  ['mobile 360x740', { width: 360, height: 740 }],
];

for (const [name, viewport] of VIEWPORTS) {
  test(`${name}: the banner does not move, scroll or overflow the host page`, { timeout: 45_000 }, async () => {
    const context = await newContext(env.browser, { viewport });
    try {
      // Same page without keksi.js (the server strips the tag for ?keksi=off).
      const off = await newPage(env, '/?keksi=off', { context });
      assert.equal(await off.page.evaluate(() => typeof window.keksi), 'undefined', '?keksi=off still loaded keksi');
      const base = await measure(off.page, DEMO);
      await off.close();

      const on = await newPage(env, '/', { context });
      await waitVisible(on.page, BANNER);
      await settle();
      const withBanner = await measure(on.page, DEMO);
      assertSameBoxes(base, withBanner, `${name}, banner vs no keksi`);
      assert.equal(withBanner.scrollY, 0, 'showing the banner scrolled the page');
      assert.ok(withBanner.overflowX <= 0, `horizontal overflow of ${withBanner.overflowX}px with the banner`);

      // The banner and its buttons are fully inside the viewport.
      const geo = await on.page.evaluate(() => {
        const root = document.getElementById('keksi').shadowRoot;
        const rect = (el) => {
          const r = el.getBoundingClientRect();
          return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        };
        const b = root.querySelector('[data-keksi="banner"]');
        return {
          vw: window.innerWidth,
          vh: window.innerHeight,
          banner: rect(b),
          buttons: ['accept-all', 'reject-all', 'preferences'].map((a) => rect(b.querySelector(`[data-action="${a}"]`))),
          position: getComputedStyle(b).position,
        };
      });
      for (const [i, r] of [geo.banner, ...geo.buttons].entries()) {
        const what = i === 0 ? 'banner' : `button ${i}`;
        assert.ok(r.left >= -0.5 && r.top >= -0.5 && r.right <= geo.vw + 0.5 && r.bottom <= geo.vh + 0.5,
          `${name}: ${what} not inside the ${geo.vw}x${geo.vh} viewport: ${JSON.stringify(r)}`);
      }

      // Making the choice (banner goes away) moves nothing either, footer included.
      const all1 = await measure(on.page, DEMO_ALL);
      await on.page.locator(btn(BANNER, 'reject-all')).click();
      await waitHidden(on.page, BANNER);
      await settle();
      const all2 = await measure(on.page, DEMO_ALL);
      assertSameBoxes(all1, all2, `${name}, before vs after reject-all`);
      assert.equal(all2.scrollHeight, all1.scrollHeight, 'document height changed when the banner closed');
      await on.close();

      // A page without blocked embeds: identical with or without keksi, footer and height included.
      const plainOff = await newPage(env, '/fixtures/revision1.html?keksi=off', { context: await newContext(env.browser, { viewport }) });
      const p0 = await measure(plainOff.page, PLAIN);
      await plainOff.context.close();
      const plainOn = await newPage(env, '/fixtures/revision1.html', { context: await newContext(env.browser, { viewport }) });
      await waitVisible(plainOn.page, BANNER);
      await settle();
      const p1 = await measure(plainOn.page, PLAIN);
      await plainOn.context.close();
      assertSameBoxes(p0, p1, `${name}, plain page with vs without keksi`);
      assert.equal(p1.scrollHeight, p0.scrollHeight, 'keksi changed the document height');
    } finally {
      await context.close();
    }
  });
}

test('the open dialog fits a 360px screen', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/', { contextOptions: { viewport: { width: 360, height: 740 } } });
  try {
    await openFromLink(p.page);
    await settle();
    const g = await p.page.evaluate(() => {
      const d = document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="preferences"]');
      const r = d.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, vw: innerWidth, overflowX: document.documentElement.scrollWidth - innerWidth };
    });
    assert.ok(g.left >= -0.5 && g.right <= g.vw + 0.5, `dialog wider than the screen: ${JSON.stringify(g)}`);
    assert.ok(g.overflowX <= 0, `horizontal overflow of ${g.overflowX}px with the dialog open`);
    // Save is reachable (scrolling inside the dialog is fine).
    const save = p.page.locator('#keksi [data-keksi="preferences"] [data-action="save"]');
    await save.scrollIntoViewIfNeeded();
    const box = await save.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 740 && box.x >= 0 && box.x + box.width <= 360, `save button not on screen: ${JSON.stringify(box)}`);
  } finally {
    await p.close();
  }
});
