// keksi's UI must not move the host page: no layout shift, no scroll, no overflow (CONTRACT §9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setup, assertKeksiBuilt, newPage, newContext, waitVisible, waitHidden, openFromLink, inShadow, BANNER, DIALOG, btn, notInWebKit, NARROW } from './helpers.mjs';

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
      overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
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
          vw: document.documentElement.clientWidth,
          vh: document.documentElement.clientHeight,
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

test('the open dialog fits a 360px screen', { timeout: 30_000, skip: notInWebKit(NARROW) }, async () => {
  const p = await newPage(env, '/', { contextOptions: { viewport: { width: 360, height: 740 } } });
  try {
    await openFromLink(p.page);
    await settle();
    const g = await p.page.evaluate(() => {
      const d = document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="preferences"]');
      const r = d.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, vw: document.documentElement.clientWidth, overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth };
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

// ---------------------------------------------------------------------------------------
// Layouts (config "layout": bar | box | modal) on the UI fixture: the demo shop whose keksi
// config comes from the query string (tests/e2e/fixtures/ui/shop.html).

const ui = (q = {}) => `/fixtures/ui/shop.html?${new URLSearchParams(q)}`;
const LAYOUTS = ['bar', 'box', 'modal'];
const LANGS = fs.readdirSync(new URL('../../data/texts/', import.meta.url)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

/** Geometry of the banner (or the dialog) and of its buttons, from inside the shadow root. */
function uiGeometry(page, which = 'banner') {
  return inShadow(
    page,
    (root, w) => {
      const el = root.querySelector(w === 'banner' ? '[data-keksi="banner"]' : '[data-keksi="preferences"]');
      const rect = (e) => {
        const r = e.getBoundingClientRect();
        return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
      };
      const buttons = [...el.querySelectorAll('button[data-action]')].map((b) => {
        const r = rect(b);
        const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return { action: b.getAttribute('data-action'), ...r, hit: !!hit && (hit === b || b.contains(hit)),
          clipped: b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1 };
      });
      const s = getComputedStyle(el);
      return { vw: document.documentElement.clientWidth, vh: document.documentElement.clientHeight, box: rect(el), position: s.position, buttons,
        overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth };
    },
    which,
  );
}

const inside = (r, g) => r.left >= -0.5 && r.top >= -0.5 && r.right <= g.vw + 0.5 && r.bottom <= g.vh + 0.5;

for (const layout of LAYOUTS) {
  for (const [name, viewport] of VIEWPORTS) {
    test(`layout ${layout}, ${name}: the page does not move when the banner shows or closes; nothing overflows`, { timeout: 45_000 }, async () => {
      const context = await newContext(env.browser, { viewport, reducedMotion: 'reduce' });
      try {
        // Without keksi the video iframe is not behind a placeholder: compare what is above it.
        const off = await newPage(env, ui({ layout }) + '&keksi=off', { context });
        const base = await measure(off.page, DEMO);
        await off.close();

        const on = await newPage(env, ui({ layout }), { context });
        await waitVisible(on.page, BANNER);
        assert.equal(await on.page.getAttribute('#keksi', 'data-layout'), layout);
        await settle();
        const shown = await measure(on.page, DEMO);
        assertSameBoxes(base, shown, `${layout} ${name}, banner vs no keksi`);
        assert.equal(shown.scrollY, 0, 'showing the banner scrolled the page');
        assert.ok(shown.overflowX <= 0, `horizontal overflow of ${shown.overflowX}px with the banner`);

        const g = await uiGeometry(on.page);
        assert.equal(g.position, 'fixed', 'the banner must be a fixed layer');
        assert.ok(inside(g.box, g), `${layout} ${name}: banner not inside the window: ${JSON.stringify(g.box)}`);
        for (const b of g.buttons) {
          assert.ok(inside(b, g) && b.hit, `${layout} ${name}: ${b.action} not visible/clickable: ${JSON.stringify(b)}`);
          assert.ok(!b.clipped, `${layout} ${name}: ${b.action} label is cut off`);
        }
        const [acc, rej] = ['accept-all', 'reject-all'].map((a) => g.buttons.find((b) => b.action === a));
        assert.ok(Math.abs(acc.width - rej.width) <= 1 && Math.abs(acc.height - rej.height) <= 1, `accept and reject differ in size: ${JSON.stringify([acc, rej])}`);
        if (layout === 'box') {
          assert.ok(g.box.width <= 440, `box wider than ~420px: ${g.box.width}`);
          assert.ok(g.vw - g.box.right <= 24 && g.vh - g.box.bottom <= 24, `box not in the bottom right corner: ${JSON.stringify(g.box)}`);
        }
        if (layout === 'modal') {
          const mid = (g.box.top + g.box.bottom) / 2;
          assert.ok(Math.abs(mid - g.vh / 2) <= 2 && Math.abs((g.box.left + g.box.right) / 2 - g.vw / 2) <= 2, `modal not centred: ${JSON.stringify(g.box)}`);
        }
        if (layout === 'bar') assert.ok(g.box.left <= 0.5 && g.box.right >= g.vw - 0.5 && g.vh - g.box.bottom <= 0.5, 'bar not along the bottom');

        // Closing it (reject: the placeholder stays) moves nothing, footer and height included.
        const all1 = await measure(on.page, DEMO_ALL);
        await on.page.locator(btn(BANNER, 'reject-all')).click();
        await waitHidden(on.page, BANNER);
        await settle();
        const all2 = await measure(on.page, DEMO_ALL);
        assertSameBoxes(all1, all2, `${layout} ${name}, before vs after reject-all`);
        assert.equal(all2.scrollHeight, all1.scrollHeight, 'document height changed when the banner closed');
        assertSameBoxes(base, await measure(on.page, DEMO), `${layout} ${name}, after closing vs no keksi`);
        await on.close();
      } finally {
        await context.close();
      }
    });
  }
}

test('360x740: bar and box cover well under half the screen, in every language; buttons whole', { timeout: 120_000, skip: notInWebKit(NARROW) }, async () => {
  const context = await newContext(env.browser, { viewport: { width: 360, height: 740 }, reducedMotion: 'reduce' });
  try {
    const page = await context.newPage();
    const worst = {};
    for (const layout of ['bar', 'box']) {
      for (const lang of LANGS) {
        await page.goto(env.server.url + ui({ layout, lang }));
        await waitVisible(page, BANNER);
        const g = await uiGeometry(page);
        const share = g.box.height / g.vh;
        worst[layout] = Math.max(worst[layout] ?? 0, share);
        assert.ok(share <= 0.45, `${layout} ${lang}: banner covers ${(share * 100).toFixed(0)}% of the height (${g.box.height}px)`);
        assert.ok(inside(g.box, g), `${layout} ${lang}: banner not inside the window`);
        assert.ok(g.overflowX <= 0, `${layout} ${lang}: horizontal overflow ${g.overflowX}px`);
        for (const b of g.buttons) {
          assert.ok(inside(b, g) && b.hit, `${layout} ${lang}: ${b.action} not visible/clickable: ${JSON.stringify(b)}`);
          assert.ok(!b.clipped, `${layout} ${lang}: ${b.action} label is cut off`);
        }
        await context.clearCookies();
      }
    }
    // The modal card: centred, inside the window, buttons reachable.
    await page.goto(env.server.url + ui({ layout: 'modal', lang: 'de' }));
    await waitVisible(page, BANNER);
    const m = await uiGeometry(page);
    assert.ok(inside(m.box, m) && m.buttons.every((b) => b.hit && inside(b, m)), `modal at 360px: ${JSON.stringify(m)}`);
  } finally {
    await context.close();
  }
});

// 200% zoom: a 1280x800 window at 200% is a 640x400 CSS-pixel viewport at 2 device pixels per px.
for (const layout of LAYOUTS) {
  test(`200% zoom (640x400 @2x), layout ${layout}: banner buttons visible, dialog fits and scrolls`, { timeout: 45_000 }, async () => {
    const p = await newPage(env, ui({ layout, lang: 'de' }), {
      contextOptions: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2, reducedMotion: 'reduce' },
    });
    try {
      await waitVisible(p.page, BANNER);
      await settle();
      const g = await uiGeometry(p.page);
      assert.ok(inside(g.box, g), `banner not inside the window: ${JSON.stringify(g.box)}`);
      assert.ok(g.overflowX <= 0, `horizontal overflow ${g.overflowX}px`);
      for (const b of g.buttons) {
        assert.ok(inside(b, g) && b.hit, `${b.action} not visible/clickable at 200%: ${JSON.stringify(b)}`);
        assert.ok(!b.clipped, `${b.action} label cut off at 200%`);
      }
      if (layout !== 'modal') assert.ok(g.box.height <= 0.7 * g.vh, `banner covers ${(g.box.height / g.vh * 100).toFixed(0)}% at 200%`);
      // The banner text can be read in full: scrolled into view inside the banner (or its
      // text, above the buttons) if need be.
      const texts = await inShadow(p.page, (root) => ['[data-keksi="banner"]', '.k-banner-body'].map((sel) => {
        const b = root.querySelector(sel);
        b.scrollTop = 0;
        return { sel, scrollable: b.scrollHeight > b.clientHeight + 1, overflowY: getComputedStyle(b).overflowY };
      }));
      for (const text of texts) {
        if (text.scrollable) assert.match(text.overflowY, /auto|scroll/, `banner text (${text.sel}) is cut off without a way to scroll`);
      }

      await p.page.locator(btn(BANNER, 'preferences')).click();
      await waitVisible(p.page, DIALOG);
      await settle();
      const d = await uiGeometry(p.page, 'dialog');
      assert.ok(inside(d.box, d), `dialog not inside the window at 200%: ${JSON.stringify(d.box)}`);
      for (const b of d.buttons) assert.ok(inside(b, d) && b.hit, `dialog ${b.action} not visible/clickable: ${JSON.stringify(b)}`);
      const body = await inShadow(p.page, (root) => {
        const el = root.querySelector('[data-keksi="preferences"] .k-dialog-body');
        const before = { scrollHeight: el.scrollHeight, clientHeight: el.clientHeight, overflowY: getComputedStyle(el).overflowY };
        el.scrollTop = el.scrollHeight;
        const last = [...el.querySelectorAll('[data-category]')].pop().getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return { ...before, lastVisible: last.top >= box.top - 0.5 && last.bottom <= box.bottom + 0.5 };
      });
      assert.ok(body.clientHeight >= 80, `dialog body only ${body.clientHeight}px tall at 200%`);
      assert.match(body.overflowY, /auto|scroll/, 'dialog body does not scroll');
      assert.ok(body.lastVisible, `the last category switch cannot be scrolled into view: ${JSON.stringify(body)}`);
      const dx = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(dx <= 0, `horizontal overflow ${dx}px with the dialog open at 200%`);
    } finally {
      await p.close();
    }
  });
}

test('reflow at 320px (400% zoom): no horizontal scrolling, banner and dialog usable', { timeout: 45_000, skip: notInWebKit(NARROW) }, async () => {
  for (const layout of LAYOUTS) {
    const p = await newPage(env, ui({ layout, lang: 'fi' }), { contextOptions: { viewport: { width: 320, height: 640 }, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      const g = await uiGeometry(p.page);
      assert.ok(g.overflowX <= 0 && inside(g.box, g), `${layout} at 320px: ${JSON.stringify({ overflowX: g.overflowX, box: g.box })}`);
      for (const b of g.buttons) assert.ok(inside(b, g) && b.hit && !b.clipped, `${layout} at 320px: ${JSON.stringify(b)}`);
      await p.page.locator(btn(BANNER, 'preferences')).click();
      await waitVisible(p.page, DIALOG);
      const d = await uiGeometry(p.page, 'dialog');
      assert.ok(d.overflowX <= 0 && inside(d.box, d), `${layout} dialog at 320px: ${JSON.stringify(d.box)}`);
      for (const b of d.buttons) assert.ok(inside(b, d) && b.hit && !b.clipped, `${layout} dialog at 320px: ${JSON.stringify(b)}`);
    } finally {
      await p.close();
    }
  }
});

test('reflow on a short screen (a 1366x768 laptop at 400% zoom: 341x192): the banner stays whole on screen, the dialog scrolls by mouse wheel to its buttons', { timeout: 60_000, skip: notInWebKit(NARROW) }, async () => {
  for (const layout of LAYOUTS) {
    const p = await newPage(env, ui({ layout, lang: 'fi' }), { contextOptions: { viewport: { width: 341, height: 192 }, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      const g = await uiGeometry(p.page);
      assert.ok(inside(g.box, g), `${layout}: the banner runs off the screen (its top is out of reach): ${JSON.stringify(g.box)}`);
      for (const b of g.buttons) assert.ok(inside(b, g) && b.hit, `${layout} banner: ${JSON.stringify(b)}`);
      await p.page.evaluate(() => window.keksi.showPreferences());
      await waitVisible(p.page, DIALOG);
      const d0 = await uiGeometry(p.page, 'dialog');
      assert.ok(inside(d0.box, d0), `${layout} dialog: ${JSON.stringify(d0.box)}`);
      // A mouse user scrolls with the wheel over the dialog, wherever the pointer is in it.
      await p.page.mouse.move(d0.box.left + d0.box.width / 2, d0.box.top + d0.box.height / 2);
      for (let i = 0; i < 12; i++) {
        await p.page.mouse.wheel(0, 400);
        await settle(50);
      }
      await settle();
      const d = await uiGeometry(p.page, 'dialog');
      for (const b of d.buttons.filter((x) => x.action !== 'close')) {
        assert.ok(inside(b, d) && b.hit, `${layout} dialog: ${b.action} out of reach after scrolling: ${JSON.stringify(b)}`);
      }
    } finally {
      await p.close();
    }
  }
});

// The whole dialog scrolls only below 20em of height: just above it the dialog keeps its
// own layout (title and close on top, buttons below, the body scrolling between) with
// everything on screen. In the whole-scroll layout the first switch, which takes focus,
// scrolls the title and close away: at 24em WebKit's 640x400 window showed that.
test('just above the short-screen threshold (341x321): the dialog keeps head, body and buttons on screen at once', { timeout: 45_000, skip: notInWebKit(NARROW) }, async () => {
  for (const layout of LAYOUTS) {
    const p = await newPage(env, ui({ layout, lang: 'de' }), { contextOptions: { viewport: { width: 341, height: 321 }, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      await p.page.evaluate(() => window.keksi.showPreferences());
      await waitVisible(p.page, DIALOG);
      await settle();
      const d = await uiGeometry(p.page, 'dialog');
      assert.ok(inside(d.box, d), `${layout} dialog: ${JSON.stringify(d.box)}`);
      for (const b of d.buttons) assert.ok(inside(b, d) && b.hit, `${layout} dialog: ${b.action} not on screen: ${JSON.stringify(b)}`);
      const body = await inShadow(p.page, (root) => {
        const el = root.querySelector('[data-keksi="preferences"] .k-dialog-body');
        return { clientHeight: el.clientHeight, overflowY: getComputedStyle(el).overflowY };
      });
      assert.ok(body.clientHeight >= 80 && /auto|scroll/.test(body.overflowY), `${layout} dialog body: ${JSON.stringify(body)}`);
    } finally {
      await p.close();
    }
  }
});
