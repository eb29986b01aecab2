// Automated WCAG 2.1 A/AA checks with axe-core on the demo page, the banner and the dialog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { setup, assertKeksiBuilt, newPage, waitVisible, waitHidden, openFromLink, inShadow, activeElement, until, BANNER, DIALOG, btn, notInWebKit, NO_FORCED_COLORS, NARROW, IS_FIREFOX, IS_WEBKIT } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/** Runs axe on `include` (axe context) and returns violations as readable strings. */
async function axe(page, include) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(
    async ([inc, tags]) => {
      const r = await window.axe.run(inc ? { include: inc } : document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`),
      }));
    },
    [include, WCAG],
  );
  return res.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

for (const scheme of ['light', 'dark']) {
  test(`demo page itself (no keksi) passes axe WCAG 2.1 AA, ${scheme}`, { timeout: 30_000 }, async () => {
    const p = await newPage(env, '/?keksi=off', { contextOptions: { colorScheme: scheme } });
    try {
      const v = await axe(p.page);
      assert.deepEqual(v, [], `demo page violations:\n${v.join('\n')}`);
    } finally {
      await p.close();
    }
  });

  test(`keksi banner passes axe WCAG 2.1 AA, ${scheme}`, { timeout: 30_000 }, async () => {
    const p = await newPage(env, '/', { contextOptions: { colorScheme: scheme, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      await settle();
      const v = await axe(p.page, [['#keksi']]);
      assert.deepEqual(v, [], `banner violations:\n${v.join('\n')}`);
    } finally {
      await p.close();
    }
  });

  test(`keksi preferences dialog passes axe WCAG 2.1 AA, ${scheme}`, { timeout: 30_000 }, async () => {
    const p = await newPage(env, '/', { contextOptions: { colorScheme: scheme, reducedMotion: 'reduce' } });
    try {
      await openFromLink(p.page);
      await settle();
      const v = await axe(p.page, [['#keksi']]);
      assert.deepEqual(v, [], `dialog violations:\n${v.join('\n')}`);
    } finally {
      await p.close();
    }
  });
}

// ---------------------------------------------------------------------------------------
// Every visitor can read and use it: languages (incl. right-to-left), themes, layouts,
// keyboard focus, reduced motion, forced colours. Pages: tests/e2e/fixtures/ui/shop.html,
// the demo shop whose keksi config ("layout", "theme", "language") comes from the query.

/** URL of the UI fixture with the given config (layout, theme, lang, policy=0). */
const ui = (q = {}) => `/fixtures/ui/shop.html?${new URLSearchParams(q)}`;

/** Opens the dialog from the banner's "preferences" button (mouse). */
async function openFromBanner(page) {
  await page.locator(btn(BANNER, 'preferences')).click();
  await waitVisible(page, DIALOG);
}

/** Relative luminance contrast of two CSS rgb()/rgba() strings (alpha ignored). */
function contrast(a, b) {
  const lum = (s) => {
    const [r, g, bl] = s.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

for (const lang of ['en', 'de', 'ar']) {
  for (const theme of ['light', 'dark']) {
    test(`axe WCAG 2.1 AA: banner and dialog, ${lang}, theme ${theme}`, { timeout: 45_000 }, async () => {
      // The emulated system scheme is the opposite one: the config's theme must win.
      const colorScheme = theme === 'light' ? 'dark' : 'light';
      const p = await newPage(env, ui({ lang, theme }), { contextOptions: { colorScheme, reducedMotion: 'reduce' } });
      try {
        await waitVisible(p.page, BANNER);
        await settle(200);
        const banner = await axe(p.page, [['#keksi']]);
        assert.deepEqual(banner, [], `banner (${lang}, ${theme}) violations:\n${banner.join('\n')}`);
        await openFromBanner(p.page);
        await settle(200);
        const dialog = await axe(p.page, [['#keksi']]);
        assert.deepEqual(dialog, [], `dialog (${lang}, ${theme}) violations:\n${dialog.join('\n')}`);
      } finally {
        await p.close();
      }
    });
  }
}

for (const layout of ['box', 'modal']) {
  test(`axe WCAG 2.1 AA: ${layout} layout, light and dark (system), desktop and 360px`, { timeout: 60_000 }, async () => {
    for (const [colorScheme, viewport] of [['light', { width: 1280, height: 800 }], ['dark', { width: 360, height: 740 }]]) {
      const p = await newPage(env, ui({ layout }), { contextOptions: { colorScheme, viewport, reducedMotion: 'reduce' } });
      try {
        await waitVisible(p.page, BANNER);
        await settle(200);
        const v = await axe(p.page, [['#keksi']]);
        assert.deepEqual(v, [], `${layout} banner (${colorScheme}, ${viewport.width}px) violations:\n${v.join('\n')}`);
      } finally {
        await p.close();
      }
    }
  });
}

test('axe WCAG 2.1 AA: 360px bar whose text scrolls, with and without a policy link (scrollable region reachable)', { timeout: 45_000 }, async () => {
  for (const q of [{ lang: 'de' }, { lang: 'de', policy: '0' }]) {
    const p = await newPage(env, ui(q), { contextOptions: { viewport: { width: 360, height: 740 }, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      await settle(200);
      const v = await axe(p.page, [['#keksi']]);
      assert.deepEqual(v, [], `${JSON.stringify(q)} violations:\n${v.join('\n')}`);
    } finally {
      await p.close();
    }
  }
});

test('themes: config "theme" forces light or dark; "auto" follows prefers-color-scheme', { timeout: 45_000 }, async () => {
  const bg = (page) => inShadow(page, (root) => getComputedStyle(root.querySelector('[data-keksi="banner"]')).backgroundColor);
  const dark = (rgb) => contrast(rgb, 'rgb(0, 0, 0)') < contrast(rgb, 'rgb(255, 255, 255)');
  for (const [theme, colorScheme, wantDark] of [
    ['light', 'dark', false], ['dark', 'light', true], ['auto', 'light', false], ['auto', 'dark', true],
  ]) {
    const p = await newPage(env, ui({ theme }), { contextOptions: { colorScheme, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      assert.equal(await p.page.getAttribute('#keksi', 'data-theme'), theme);
      const color = await bg(p.page);
      assert.equal(dark(color), wantDark, `theme ${theme}, system ${colorScheme}: banner background ${color}`);
    } finally {
      await p.close();
    }
  }
});

test('themes: the page restyles keksi through --keksi-* custom properties and ::part()', { timeout: 30_000 }, async () => {
  const p = await newPage(env, ui(), { contextOptions: { reducedMotion: 'reduce' } });
  try {
    await waitVisible(p.page, BANNER);
    await p.page.addStyleTag({
      content: `#keksi { --keksi-accent: rgb(11, 110, 79); --keksi-radius: 3px; --keksi-font: Georgia, serif; }
                #keksi::part(button) { text-transform: uppercase; }
                #keksi::part(banner) { letter-spacing: 1px; }`,
    });
    // Where reduced motion cannot be emulated (WebKit) the colours transition: wait for it.
    await until(() => inShadow(p.page, (root) => getComputedStyle(root.querySelector('[data-action="accept-all"]')).backgroundColor === 'rgb(11, 110, 79)'));
    const s = await inShadow(p.page, (root) => {
      const b = root.querySelector('[data-keksi="banner"]');
      const accept = getComputedStyle(b.querySelector('[data-action="accept-all"]'));
      const reject = getComputedStyle(b.querySelector('[data-action="reject-all"]'));
      const prefs = getComputedStyle(b.querySelector('[data-action="preferences"]'));
      return {
        accept: accept.backgroundColor, reject: reject.backgroundColor, prefsColor: prefs.color,
        transform: [accept.textTransform, prefs.textTransform], font: getComputedStyle(b).fontFamily,
        spacing: getComputedStyle(b).letterSpacing,
      };
    });
    assert.equal(s.accept, 'rgb(11, 110, 79)', '--keksi-accent did not reach the accept button');
    assert.equal(s.reject, s.accept, 'reject must follow the same accent');
    assert.equal(s.prefsColor, 'rgb(11, 110, 79)');
    assert.deepEqual(s.transform, ['uppercase', 'uppercase'], '::part(button) did not apply');
    assert.match(s.font, /Georgia/);
    assert.equal(s.spacing, '1px', '::part(banner) did not apply');
  } finally {
    await p.close();
  }
});

test('right-to-left: #keksi gets dir="rtl" for Arabic and Hebrew, ltr otherwise; the UI mirrors', { timeout: 60_000 }, async () => {
  for (const [lang, dir] of [['ar', 'rtl'], ['he', 'rtl'], ['en', 'ltr'], ['de', 'ltr']]) {
    const p = await newPage(env, ui({ lang, layout: 'box' }), { contextOptions: { reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      const host = await p.page.evaluate(() => {
        const h = document.getElementById('keksi');
        return { dir: h.getAttribute('dir'), lang: h.getAttribute('lang') };
      });
      assert.equal(host.dir, dir, `${lang}: dir`);
      assert.equal(host.lang, lang, `${lang}: lang`);
      const g = await inShadow(p.page, (root) => {
        const b = root.querySelector('[data-keksi="banner"]');
        const r = b.getBoundingClientRect();
        const title = b.querySelector('h2');
        return { left: r.left, right: document.documentElement.clientWidth - r.right, direction: getComputedStyle(title).direction,
          align: getComputedStyle(title).textAlign };
      });
      assert.equal(g.direction, dir, `${lang}: text direction`);
      assert.ok(['start', dir === 'rtl' ? 'right' : 'left'].includes(g.align), `${lang}: text-align ${g.align}`);
      // The box sits in the inline-end corner: bottom right in LTR, bottom left in RTL.
      if (dir === 'rtl') assert.ok(g.left < g.right && g.left <= 24, `${lang}: box not in the left corner: ${JSON.stringify(g)}`);
      else assert.ok(g.right < g.left && g.right <= 24, `${lang}: box not in the right corner: ${JSON.stringify(g)}`);

      await openFromBanner(p.page);
      const d = await inShadow(p.page, (root) => {
        const dlg = root.querySelector('[data-keksi="preferences"]');
        const close = dlg.querySelector('[data-action="close"]').getBoundingClientRect();
        const title = dlg.querySelector('h2').getBoundingClientRect();
        // Knob of the "off" analytics switch: resolved left/right offsets of its ::after.
        const sw = dlg.querySelector('input[data-category="analytics"]');
        const knob = getComputedStyle(sw, '::after');
        const label = dlg.querySelector('label[for="kc-analytics"]').getBoundingClientRect();
        const swr = sw.getBoundingClientRect();
        return {
          closeLeftOfTitle: close.right <= title.left,
          knobLeft: parseFloat(knob.left), knobRight: parseFloat(knob.right),
          switchLeftOfLabel: swr.right <= label.left,
        };
      });
      if (dir === 'rtl') {
        assert.ok(d.closeLeftOfTitle, `${lang}: close button should be left of the title`);
        assert.ok(d.knobRight < d.knobLeft, `${lang}: an off switch's knob should sit on the right: ${JSON.stringify(d)}`);
        assert.ok(d.switchLeftOfLabel, `${lang}: switches should be at the left end of their row`);
      } else {
        assert.ok(!d.closeLeftOfTitle, `${lang}: close button should be right of the title`);
        assert.ok(d.knobLeft < d.knobRight, `${lang}: an off switch's knob should sit on the left: ${JSON.stringify(d)}`);
        assert.ok(!d.switchLeftOfLabel, `${lang}: switches should be at the right end of their row`);
      }
    } finally {
      await p.close();
    }
  }
});

test('keyboard focus is clearly visible: ≥3px ring with ≥3:1 contrast, banner and dialog, light and dark', { timeout: 45_000 }, async () => {
  const ring = (page) =>
    page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      const s = getComputedStyle(el);
      // The background the ring is drawn on: the nearest ancestor with an opaque background.
      let bg = 'rgb(255, 255, 255)';
      for (let n = el.parentNode; n; n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentNode) {
        if (n.nodeType !== 1) continue;
        const c = getComputedStyle(n).backgroundColor;
        if (c && !/rgba\(.*, 0\)$/.test(c) && c !== 'transparent') {
          bg = c;
          break;
        }
      }
      return { action: el.getAttribute('data-action'), tag: el.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
        color: s.outlineColor, bg };
    });
  for (const theme of ['light', 'dark']) {
    const p = await newPage(env, ui({ theme }), { contextOptions: { reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      const seen = [];
      for (let i = 0; i < 6; i++) {
        await p.page.keyboard.press('Tab');
        const r = await ring(p.page);
        seen.push(r);
        if (r.action === 'preferences') break;
      }
      for (const r of seen) {
        assert.ok(r.style !== 'none' && r.width >= 3, `${theme}: weak focus ring on ${r.tag} ${r.action}: ${JSON.stringify(r)}`);
        const c = contrast(r.color, r.bg);
        assert.ok(c >= 3, `${theme}: focus ring ${r.color} on ${r.bg} has contrast ${c.toFixed(2)} < 3`);
      }
      assert.ok(seen.some((r) => r.action === 'accept-all') && seen.some((r) => r.action === 'reject-all'), 'Tab did not reach the buttons');
      // Dialog: switch, close button, footer buttons.
      await p.page.keyboard.press('Enter');
      await waitVisible(p.page, DIALOG);
      for (let i = 0; i < 4; i++) {
        const r = await ring(p.page);
        assert.ok(r.style !== 'none' && r.width >= 3, `${theme}: weak focus ring in the dialog: ${JSON.stringify(r)}`);
        const c = contrast(r.color, r.bg);
        assert.ok(c >= 3, `${theme}: dialog focus ring ${r.color} on ${r.bg}: contrast ${c.toFixed(2)}`);
        await p.page.keyboard.press('Shift+Tab');
      }
    } finally {
      await p.close();
    }
  }
});

/** Computed motion of every element (and ::before/::after) in keksi's shadow root. */
function motion(page) {
  return inShadow(page, (root) => {
    const out = [];
    for (const el of root.querySelectorAll('*')) {
      for (const pseudo of [null, '::before', '::after']) {
        const s = getComputedStyle(el, pseudo);
        const moving = s.transitionDuration.split(',').some((d) => parseFloat(d) > 0) || s.animationName !== 'none';
        if (moving) out.push(`${el.tagName.toLowerCase()}.${el.className}${pseudo ?? ''}: transition ${s.transitionDuration}, animation ${s.animationName}`);
      }
    }
    return out;
  });
}

test('prefers-reduced-motion: reduce → no transitions or animations anywhere in the UI', { timeout: 45_000 }, async () => {
  for (const layout of ['bar', 'box', 'modal']) {
    const p = await newPage(env, ui({ layout }), { contextOptions: { reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      const banner = await motion(p.page);
      assert.deepEqual(banner, [], `${layout}: motion despite reduced-motion:\n${banner.join('\n')}`);
      await openFromBanner(p.page);
      const dialog = await motion(p.page);
      assert.deepEqual(dialog, [], `${layout}: motion in the dialog despite reduced-motion:\n${dialog.join('\n')}`);
    } finally {
      await p.close();
    }
  }
  // The control: without the preference the UI does animate (so the test above means something).
  const p = await newPage(env, ui(), { contextOptions: { reducedMotion: 'no-preference' } });
  try {
    await waitVisible(p.page, BANNER);
    await openFromBanner(p.page);
    assert.ok((await motion(p.page)).length > 0, 'expected some motion without prefers-reduced-motion');
  } finally {
    await p.close();
  }
});

test('forced colours (Windows High Contrast): switches are real checkboxes, buttons and panels are bordered, the page behind a modal dimmed', { timeout: 45_000, skip: notInWebKit(NO_FORCED_COLORS) }, async () => {
  for (const layout of ['bar', 'modal']) {
    const p = await newPage(env, ui({ layout }), { contextOptions: { forcedColors: 'active', reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      const describe = (root) => {
        const box = (el) => {
          const s = getComputedStyle(el);
          const r = el.getBoundingClientRect();
          return { w: r.width, h: r.height, border: parseFloat(s.borderTopWidth), borderStyle: s.borderTopStyle,
            appearance: s.appearance, visible: s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0,
            what: el.getAttribute('data-action') || el.getAttribute('data-category') || el.getAttribute('data-service') || el.className };
        };
        const b = root.querySelector('[data-keksi="banner"]');
        const d = root.querySelector('[data-keksi="preferences"]');
        const open = d && d.open;
        // The page behind a modal is dimmed: by the card's box-shadow, or by a layer (the
        // banner's fixed ::before, the dialog's ::backdrop) with a background that is not clear.
        const layer = (el, pseudo) => {
          const s = getComputedStyle(el, pseudo);
          const alpha = Number((s.backgroundColor.match(/rgba\(.*,\s*([\d.]+)\)/) || [])[1] ?? 1);
          return s.display !== 'none' && s.position === 'fixed' && s.backgroundColor !== 'transparent' && alpha > 0;
        };
        return {
          forced: matchMedia('(forced-colors: active)').matches,
          backdrop: open ? layer(d, '::backdrop') : getComputedStyle(b).boxShadow !== 'none' || layer(b, '::before'),
          panel: box(open ? d : b),
          buttons: [...(open ? d : b).querySelectorAll('button')].map(box),
          switches: open ? [...d.querySelectorAll('input[type=checkbox]')].map(box) : [],
        };
      };
      const banner = await inShadow(p.page, describe);
      assert.ok(banner.forced, 'forced-colors emulation is not active');
      assert.ok(banner.panel.border >= 1 && banner.panel.borderStyle !== 'none', `${layout}: banner has no border: ${JSON.stringify(banner.panel)}`);
      if (layout === 'modal') assert.ok(banner.backdrop, 'modal: the page behind the banner is not dimmed (forced colours drop box-shadows)');
      for (const b of banner.buttons) {
        assert.ok(b.w > 0 && b.h > 0 && b.visible, `${layout}: button invisible: ${JSON.stringify(b)}`);
        assert.ok(b.border >= 1 && b.borderStyle !== 'none', `${layout}: button without a border: ${JSON.stringify(b)}`);
      }
      await openFromBanner(p.page);
      const dialog = await inShadow(p.page, describe);
      assert.ok(dialog.panel.border >= 1, `dialog has no border: ${JSON.stringify(dialog.panel)}`);
      assert.ok(dialog.backdrop, 'the page behind the dialog is not dimmed');
      assert.ok(dialog.switches.length >= 5, `expected ≥5 switches, got ${dialog.switches.length}`);
      for (const s of dialog.switches) {
        assert.ok(s.w >= 12 && s.h >= 12 && s.visible, `switch not visible: ${JSON.stringify(s)}`);
        assert.notEqual(s.appearance, 'none', `switch not drawn as a system checkbox: ${JSON.stringify(s)}`);
      }
      for (const b of dialog.buttons) {
        assert.ok(b.w > 0 && b.h > 0 && b.border >= 1 && b.borderStyle !== 'none', `dialog button: ${JSON.stringify(b)}`);
      }
    } finally {
      await p.close();
    }
  }
});

// Every category's cookie list opens from a toggle whose visible text is the same in each
// category ("Cookies (n)"): its name must say whose list it opens, or a screen reader's list
// of buttons (or Tab from one to the next) cannot tell them apart.
test('each category\'s cookie-list toggle is named with its category title', { timeout: 30_000 }, async (t) => {
  const p = await newPage(env, ui(), { contextOptions: { reducedMotion: 'reduce' } });
  try {
    await waitVisible(p.page, BANNER);
    await openFromBanner(p.page);
    const cats = await inShadow(p.page, (root) =>
      [...root.querySelectorAll('[data-keksi="preferences"] .k-cat')]
        .filter((c) => c.querySelector('summary'))
        .map((c) => ({
          title: c.querySelector('.k-cat-title').textContent.trim(),
          summary: c.querySelector('summary').textContent.replace(/\s+/g, ' ').trim(),
        })),
    );
    assert.ok(cats.length >= 2, `expected ≥2 categories with a cookie list: ${JSON.stringify(cats)}`);
    if (IS_FIREFOX || IS_WEBKIT) {
      // The browser's own tree is readable through CDP only: here the toggle's text (its name).
      t.diagnostic('accessibility tree read in Chromium only (CDP); here the toggle\'s text content');
      for (const c of cats) assert.ok(c.summary.includes(`${c.title} `), `toggle text has no category title: ${JSON.stringify(c)}`);
      return;
    }
    const cdp = await p.context.newCDPSession(p.page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const toggles = nodes
      .filter((n) => !n.ignored && n.role?.value === 'DisclosureTriangle')
      .map((n) => n.name?.value ?? '');
    t.diagnostic(`toggles: ${JSON.stringify(toggles)}`);
    assert.equal(toggles.length, cats.length, `one toggle per list: ${JSON.stringify(toggles)}`);
    assert.equal(new Set(toggles).size, toggles.length, `toggle names repeat: ${JSON.stringify(toggles)}`);
    cats.forEach((c, i) => {
      assert.ok(toggles[i].includes(`${c.title} `), `toggle ${JSON.stringify(toggles[i])} does not name ${c.title}`);
      assert.match(toggles[i], /Cookies \(\d+\)$/, 'and keeps its visible text (WCAG 2.5.3)');
    });
  } finally {
    await p.close();
  }
});

// The banner moves for keyboard focus only. A mouse press focuses what it presses; a bar that
// jumped to the top between the press and the release took the click (seen in WebKit: the
// video placeholder's "Allow" under a bar that covered the placeholder's lower half).
/** The shop with the bar, on a desktop-sized window, the banner up. */
async function barPage() {
  const p = await newPage(env, ui({ layout: 'bar' }), { contextOptions: { viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' } });
  try {
    await waitVisible(p.page, BANNER);
    await settle(150);
    return p;
  } catch (e) {
    await p.close();
    throw e;
  }
}
const barEdge = (page) => page.evaluate(() => document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="banner"]').getAttribute('data-edge'));

test('a mouse click on a page control that the bar partly covers does not move the banner, and it works', { timeout: 30_000 }, async () => {
  const p = await barPage();
  try {
    // Scroll the page so that the placeholder's Allow button sits just above the bar and
    // the placeholder's lower part behind it.
    const g = await p.page.evaluate(() => {
      const ph = document.querySelector('[data-keksi-placeholder]');
      const allow = ph.shadowRoot.querySelector('[data-action="allow"]');
      const bar = () => document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="banner"]').getBoundingClientRect();
      window.scrollBy(0, allow.getBoundingClientRect().bottom - (bar().top - 12));
      const [r, a, b] = [ph.getBoundingClientRect(), allow.getBoundingClientRect(), bar()];
      return { covered: r.bottom > b.top, allowVisible: a.top >= 0 && a.bottom <= b.top, r: [r.top, r.bottom], a: [a.top, a.bottom], bar: b.top };
    });
    assert.ok(g.covered && g.allowVisible, `layout for the test not reached: ${JSON.stringify(g)}`);
    await p.page.locator('[data-keksi-placeholder] [data-action="allow"]').click();
    assert.ok(await until(() => p.page.evaluate(() => document.querySelector('iframe[data-service="video"]')?.getAttribute('src') === '/video.html')),
      'the click on Allow did not release the video');
    assert.equal(await barEdge(p.page), null, 'the bar moved to the top on a mouse press');
  } finally {
    await p.close();
  }
});

test('a mouse press on a page button that the bar partly covers does not move the banner', { timeout: 30_000 }, async () => {
  const p = await barPage();
  try {
    // A fixed button whose centre is just above the bar and whose lower part is behind it.
    await p.page.evaluate(() => {
      const bar = document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="banner"]').getBoundingClientRect();
      const b = Object.assign(document.createElement('button'), { id: 'tall', textContent: 'Tall' });
      b.style.cssText = `position:fixed;left:40px;top:${bar.top - 60}px;height:100px;width:160px`;
      b.addEventListener('click', () => { window.__tall = true; });
      document.body.append(b);
    });
    await p.page.locator('#tall').click();
    assert.ok(await until(() => p.page.evaluate(() => window.__tall === true)), 'the click did not reach the button');
    assert.equal(await barEdge(p.page), null, 'the bar moved to the top on a mouse press');
  } finally {
    await p.close();
  }
});

// WCAG 2.2 SC 2.4.11 Focus Not Obscured (Minimum): a page element that gets keyboard focus
// while the banner is up must not be entirely hidden behind it. Shift+Tab from the banner
// lands on the footer's "Cookie Preferences" link, which the browser scrolls to the bottom
// edge of the window: right where the bar (and the box) sit.
for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['360px', { width: 360, height: 740 }]]) {
  test(`focus not obscured (WCAG 2.4.11): the footer link focused behind the banner stays visible, ${name}`, { timeout: 60_000 }, async () => {
    for (const layout of ['bar', 'box', 'modal']) {
      const p = await newPage(env, ui({ layout }), { contextOptions: { viewport, reducedMotion: 'reduce' } });
      try {
        await waitVisible(p.page, BANNER);
        await settle(150);
        await p.page.keyboard.press('Shift+Tab');
        let a = await activeElement(p.page);
        if (!a?.keksiOpen) {
          // (e.g. a modal banner that keeps focus inside: then focus the link directly)
          await p.page.locator('#site-footer [data-keksi-open]').focus();
          a = await activeElement(p.page);
        }
        assert.ok(a?.keksiOpen, `${layout}: could not focus the footer link: ${JSON.stringify(a)}`);
        // WebKit scrolls the focused link into view smoothly, after focusin: wait for the
        // scrolling to end (the link inside the window, its position still) before judging.
        let last = null;
        await until(async () => {
          const y = await p.page.evaluate(() => {
            const r = document.querySelector('#site-footer [data-keksi-open]').getBoundingClientRect();
            return r.bottom <= document.documentElement.clientHeight && r.top >= 0 ? Math.round(r.top) : null;
          });
          const still = y !== null && y === last;
          last = y;
          return still;
        }, { interval: 100 });
        await settle(150);
        const g = await p.page.evaluate(() => {
          const link = document.querySelector('#site-footer [data-keksi-open]').getBoundingClientRect();
          const b = document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="banner"]').getBoundingClientRect();
          const vis = { left: Math.max(link.left, 0), top: Math.max(link.top, 0), right: Math.min(link.right, document.documentElement.clientWidth), bottom: Math.min(link.bottom, document.documentElement.clientHeight) };
          const inView = vis.right > vis.left && vis.bottom > vis.top;
          const covered = inView && vis.left >= b.left && vis.right <= b.right && vis.top >= b.top && vis.bottom <= b.bottom;
          const r = (x) => ({ left: x.left, top: x.top, right: x.right, bottom: x.bottom });
          return { inView, covered, link: r(link), banner: r(b), vh: document.documentElement.clientHeight };
        });
        assert.ok(g.inView, `${layout}: the focused link is outside the window: ${JSON.stringify(g)}`);
        assert.ok(!g.covered, `${layout}: the focused footer link is entirely hidden behind the banner: ${JSON.stringify(g)}`);
        // The banner's buttons stay usable wherever it went.
        await p.page.locator(btn(BANNER, 'reject-all')).click();
        await waitHidden(p.page, BANNER);
      } finally {
        await p.close();
      }
    }
  });
}

// WCAG 2.4.11 inside keksi's own banner: when its text scrolls (a narrow or zoomed window,
// a long language), the policy link at the end of the text, reached by Tab, must not sit
// behind the banner's buttons, which stay in view at its bottom edge.
test('focus not obscured (WCAG 2.4.11): the banner\'s policy link reached by Tab is not hidden behind the banner\'s own buttons', { timeout: 60_000, skip: notInWebKit(NARROW) }, async () => {
  for (const [w, h, lang, layout] of [[360, 740, 'de', 'bar'], [360, 500, 'en', 'bar'], [341, 192, 'de', 'bar'], [341, 192, 'fi', 'modal'], [360, 400, 'fi', 'box']]) {
    const p = await newPage(env, ui({ lang, layout }), { contextOptions: { viewport: { width: w, height: h }, reducedMotion: 'reduce' } });
    try {
      await waitVisible(p.page, BANNER);
      await settle(150);
      // (Firefox stops at the scrolling text itself first.)
      for (let i = 0; i < 3 && !(await inShadow(p.page, (root) => root.activeElement?.classList.contains('k-link'))); i++) {
        await p.page.keyboard.press('Tab');
        await settle(150);
      }
      const g = await inShadow(p.page, (root) => {
        const a = root.activeElement;
        const r = a.getBoundingClientRect();
        // A link wrapped over two lines: the middle of any of its line boxes will do.
        const hits = [...a.getClientRects()].map((f) => root.elementFromPoint((f.left + f.right) / 2, (f.top + f.bottom) / 2));
        const hit = hits.find((h) => h && (h === a || a.contains(h))) ?? hits[0];
        return { link: a.classList.contains('k-link'), top: r.top, bottom: r.bottom, vh: innerHeight, shown: !!hit && (hit === a || a.contains(hit)), at: hit && `${hit.tagName}.${hit.className}` };
      });
      const at = `${w}x${h} ${lang} ${layout}`;
      assert.ok(g.link, `${at}: Tab did not reach the policy link`);
      assert.ok(g.top >= 0 && g.bottom <= g.vh && g.shown, `${at}: the focused policy link is hidden (under ${g.at}): ${JSON.stringify(g)}`);
    } finally {
      await p.close();
    }
  }
});
