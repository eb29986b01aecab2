// The banner and the preferences dialog: hooks, keyboard, choices (CONTRACT §2, §3, §9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, assertKeksiBuilt, newPage, cookie, waitVisible, waitHidden, isVisible, until,
  inShadow, shadowQuery, activeElement, openFromLink, BANNER, DIALOG, btn, T,
} from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const FOOTER_LINK = '#site-footer [data-keksi-open]';
const CATEGORIES = ['necessary', 'functional', 'analytics', 'advertising'];

const analyticsRan = (page) => page.evaluate(() => (window.__analyticsEvents || []).some((e) => e.name === 'pageview'));
const frameSrcs = (page) =>
  page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => f.getAttribute('src')).filter(Boolean));

/** Number of keyboard-focusable controls inside the dialog. */
const dialogFocusables = (page) =>
  inShadow(page, (root) => {
    const d = root.querySelector('[data-keksi="preferences"]');
    return [...d.querySelectorAll('a[href],button,input,select,textarea,summary,[tabindex]')].filter(
      (el) => !el.disabled && el.getAttribute('tabindex') !== '-1' && el.getClientRects().length > 0,
    ).length;
  });

test('banner: accept and reject are equally prominent', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    await waitVisible(p.page, btn(BANNER, 'reject-all'));
    const [acc, rej] = await inShadow(p.page, (root) =>
      ['accept-all', 'reject-all'].map((a) => {
        const el = root.querySelector(`[data-keksi="banner"] [data-action="${a}"]`);
        const cs = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          tag: el.tagName.toLowerCase(), width: r.width, height: r.height,
          style: {
            color: cs.color, background: cs.backgroundColor, fontSize: cs.fontSize, fontWeight: cs.fontWeight,
            borderWidth: cs.borderTopWidth, borderColor: cs.borderTopColor, padding: cs.padding,
          },
        };
      }),
    );
    assert.equal(acc.tag, 'button');
    assert.equal(rej.tag, 'button');
    assert.ok(Math.abs(acc.height - rej.height) <= 1, `heights differ: accept ${acc.height}px, reject ${rej.height}px`);
    const ratio = acc.width / rej.width;
    assert.ok(ratio > 0.9 && ratio < 1.1, `widths differ: accept ${acc.width}px, reject ${rej.width}px`);
    assert.deepEqual(rej.style, acc.style, 'reject-all must look like accept-all (same colours, font, border)');
  } finally {
    await p.close();
  }
});

test('keyboard: keksi.showBanner() and keksi.reset() from a focused page button put focus on the banner, so Tab reaches its buttons', { timeout: 30_000 }, async () => {
  // reloadOnWithdraw false: the reset must not reload the page (a fresh page focuses the banner anyway).
  const p = await newPage(env, '/fixtures/signals/gtag-noreload.html');
  try {
    await p.page.evaluate(() => { window.__sameDocument = true; });
    await waitVisible(p.page, BANNER);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    await waitHidden(p.page, BANNER);
    for (const call of ['showBanner', 'reset']) {
      await p.page.evaluate((c) => {
        const b = document.createElement('button');
        b.textContent = 'Change cookie settings';
        b.id = 'page-button-' + c;
        b.addEventListener('click', () => window.keksi[c]());
        document.querySelector('main').prepend(b);
        b.focus();
      }, call);
      await p.page.keyboard.press('Enter');
      await waitVisible(p.page, BANNER);
      await p.page.keyboard.press('Tab');
      const a = await activeElement(p.page);
      assert.ok(a?.inBanner, `keksi.${call}() from a focused button: the first Tab landed outside the banner: ${JSON.stringify(a)}`);
      await p.page.locator(btn(BANNER, 'accept-all')).click();
      await waitHidden(p.page, BANNER);
    }
    assert.equal(await p.page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    // The fixture's gtag.js host resolves nowhere here.
    assert.deepEqual(p.unexpectedErrors().filter((e) => !e.includes('ERR_NAME_NOT_RESOLVED')), []);
  } finally {
    await p.close();
  }
});

test('keyboard: banner buttons are reachable by Tab right after it appears, and work with Enter', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    const start = await activeElement(p.page);
    await p.page.keyboard.press('Tab');
    const first = await activeElement(p.page);
    assert.ok(
      first?.inBanner,
      `first Tab after the banner appeared landed outside it: ${JSON.stringify(first)} (before: ${JSON.stringify(start)})`,
    );
    const seen = new Set([start?.inBanner && start.action, first.action].filter(Boolean));
    for (let i = 0; i < 12 && !['accept-all', 'reject-all', 'preferences'].every((a) => seen.has(a)); i++) {
      await p.page.keyboard.press('Tab');
      const a = await activeElement(p.page);
      if (!a?.inBanner) break;
      if (a.action) seen.add(a.action);
    }
    for (const a of ['accept-all', 'reject-all', 'preferences']) {
      assert.ok(seen.has(a), `[data-action="${a}"] not reached by Tab inside the banner (reached: ${[...seen]})`);
    }

    // Enter on the focused reject button rejects.
    await p.page.locator(btn(BANNER, 'reject-all')).focus();
    await p.page.keyboard.press('Enter');
    await waitHidden(p.page, BANNER);
    const c = await p.page.evaluate(() => window.keksi.consent());
    assert.equal(c?.categories?.analytics, false, 'Enter on reject-all did not record a rejection');
  } finally {
    await p.close();
  }
});

test('keksi\'s own cookie row after a choice: the days left of its validity, 182 on the day it is made', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => { window.keksi.acceptAll(); window.keksi.showPreferences(); });
    const own = await inShadow(p.page, (root) => {
      const cell = [...root.querySelectorAll('[data-keksi="preferences"] td, [data-keksi="preferences"] th')].find((c) => c.textContent.includes('keksi_consent'));
      return cell ? cell.closest('tr').textContent.replace(/\s+/g, ' ') : null;
    });
    assert.ok(own && own.includes('182 days'), `keksi's own cookie row: ${own}`);
  } finally {
    await p.close();
  }
});

test('footer link opens the dialog: modal, necessary locked on, optional off, services listed, cookie table', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await openFromLink(p.page); // keyboard: the banner may cover the footer for the mouse
    const d = await shadowQuery(p.page, '[data-keksi="preferences"]');
    assert.equal(d.attrs.role, 'dialog');
    assert.equal(d.attrs['aria-modal'], 'true');
    assert.ok(d.attrs['aria-labelledby'] || d.attrs['aria-label'], 'dialog has no accessible name');

    for (const cat of CATEGORIES) {
      const cb = await shadowQuery(p.page, `[data-keksi="preferences"] input[type="checkbox"][data-category="${cat}"]`);
      assert.ok(cb, `no checkbox for category ${cat}`);
      if (cat === 'necessary') {
        assert.equal(cb.checked, true, 'necessary must be checked');
        assert.equal(cb.disabled, true, 'necessary must be disabled');
      } else {
        assert.equal(cb.checked, false, `${cat} is pre-ticked`);
        assert.equal(cb.disabled, false, `${cat} is disabled`);
      }
    }
    const svc = await shadowQuery(p.page, '[data-keksi="preferences"] input[type="checkbox"][data-service="video"]');
    assert.ok(svc, 'no checkbox for service "video"');
    assert.equal(svc.checked, false, 'service video is pre-ticked');
    for (const a of ['save', 'accept-all', 'reject-all', 'close']) {
      assert.ok(await shadowQuery(p.page, `[data-keksi="preferences"] [data-action="${a}"]`), `dialog lacks [data-action="${a}"]`);
    }
    // The order of the categories is the contract's.
    const order = await inShadow(p.page, (root) =>
      [...root.querySelectorAll('[data-keksi="preferences"] input[data-category]')].map((i) => i.dataset.category),
    );
    assert.deepEqual(order.filter((c) => ['necessary', 'functional', 'analytics', 'advertising'].includes(c)), CATEGORIES);

    // Cookie table: the config's declared cookie with provider, purpose and duration.
    const table = await inShadow(p.page, (root) => {
      const d = root.querySelector('[data-keksi="preferences"]');
      const cell = [...d.querySelectorAll('td, th')].find((c) => c.textContent.includes('demo_analytics_id'));
      return { hasTable: !!d.querySelector('table'), row: cell ? cell.closest('tr').textContent.replace(/\s+/g, ' ') : null };
    });
    assert.ok(table.hasTable, 'no cookie table in the dialog');
    assert.ok(table.row, 'demo_analytics_id (declared in config) is not in a cookie table row');
    for (const want of ['Demo Analytics', 'Counts visits', '1 year']) {
      assert.ok(table.row.includes(want), `cookie row lacks "${want}": ${table.row}`);
    }
    assert.match(table.row, /persistent/i, `cookie row does not say persistent: ${table.row}`);
    // keksi's own cookie: the lifetime it is really given (consentValidityDays, 182 by default).
    const own = await inShadow(p.page, (root) => {
      const cell = [...root.querySelectorAll('[data-keksi="preferences"] td, [data-keksi="preferences"] th')].find((c) => c.textContent.includes('keksi_consent'));
      return cell ? cell.closest('tr').textContent.replace(/\s+/g, ' ') : null;
    });
    assert.ok(own && own.includes('182 days') && !/12 months/.test(own), `keksi's own cookie row: ${own}`);

    // Close keeps things as they were: nothing allowed, no choice stored.
    await p.page.locator(btn(DIALOG, 'close')).click();
    await waitHidden(p.page, DIALOG);
    assert.equal(await p.page.evaluate(() => window.keksi.consent()), null, 'closing the dialog stored a choice');
    assert.equal(await analyticsRan(p.page), false);
  } finally {
    await p.close();
  }
});

test('dialog: switching on analytics and saving runs analytics only', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'preferences')).click();
    await waitVisible(p.page, DIALOG);
    await p.page.locator(`${DIALOG} input[data-category="analytics"]`).check();
    await p.page.locator(btn(DIALOG, 'save')).click();
    await waitHidden(p.page, DIALOG);
    assert.ok(await until(() => analyticsRan(p.page)), 'analytics did not run after saving it on');
    await settle();
    assert.equal(await isVisible(p.page, BANNER), false, 'banner still visible after saving preferences');
    const c = await p.page.evaluate(() => window.keksi.consent());
    assert.deepEqual(c?.categories, { necessary: true, functional: false, analytics: true, advertising: false });
    assert.deepEqual(await frameSrcs(p.page), [], 'the functional iframe loaded though only analytics was allowed');
    assert.deepEqual(env.server.requested('/video.html'), []);
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('functional', 'video')), false);

    // Reopening shows the stored state.
    await p.page.locator(FOOTER_LINK).click();
    await waitVisible(p.page, DIALOG);
    const states = await inShadow(p.page, (root) =>
      Object.fromEntries([...root.querySelectorAll('[data-keksi="preferences"] input[data-category]')].map((i) => [i.dataset.category, i.checked])),
    );
    assert.equal(states.analytics, true, 'reopened dialog does not show analytics on');
    assert.equal(states.functional, false);
    assert.equal(states.advertising, false);
  } finally {
    await p.close();
  }
});

test('dialog: after reject-all, the footer link (mouse) reopens it and a single service can be allowed', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    await waitHidden(p.page, BANNER);
    await p.page.locator(FOOTER_LINK).click(); // mouse
    await waitVisible(p.page, DIALOG);
    await p.page.locator(`${DIALOG} input[data-service="video"]`).check();
    await p.page.locator(btn(DIALOG, 'save')).click();
    await waitHidden(p.page, DIALOG);
    await p.page.waitForFunction(() => [...document.querySelectorAll('iframe')].some((f) => /\/video\.html$/.test(f.src)), null, { timeout: T });
    await settle();
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('functional', 'video')), true);
    assert.equal(await analyticsRan(p.page), false, 'analytics ran though only the video service was allowed');
    assert.equal(env.server.requested('/video.html').length, 1);
    assert.deepEqual(env.server.requested('/js/analytics.js'), []);
  } finally {
    await p.close();
  }
});

test('placeholder: its allow button loads the blocked iframe without a reload', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await newPage(env, '/');
  try {
    const allow = p.page.locator('#video').getByRole('button').first();
    await allow.waitFor({ state: 'visible', timeout: T });
    await allow.click();
    await p.page.waitForFunction(() => [...document.querySelectorAll('iframe')].some((f) => /\/video\.html$/.test(f.src)), null, { timeout: T });
    assert.equal(await p.page.evaluate(() => performance.getEntriesByType('navigation').length), 1);
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('functional', 'video')), true);
    await settle();
    assert.equal(await analyticsRan(p.page), false, 'allowing the video also ran analytics');
    // The iframe is visible where the placeholder was.
    const box = await p.page.locator('#video iframe').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `iframe not visible after allowing: ${JSON.stringify(box)}`);
  } finally {
    await p.close();
  }
});

test('placeholder of a service the config does not declare: its button names the category it allows, and keksi warns', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => {
      const box = document.createElement('div');
      box.id = 'vimeo-box';
      box.innerHTML = '<iframe data-consent="functional" data-service="vimeo" data-src="/video.html?vimeo" title="Trailer"></iframe>';
      document.querySelector('main').append(box);
    });
    const allow = p.page.locator('#vimeo-box').getByRole('button').first();
    await allow.waitFor({ state: 'visible', timeout: T });
    assert.equal((await allow.textContent()).trim(), 'Allow Functional', 'the button names one service but allows the whole category');
    assert.ok(p.warnings.some((w) => w.includes('data-service="vimeo"')), `no warning about the undeclared service: ${JSON.stringify(p.warnings)}`);
    await allow.click();
    await p.page.waitForFunction(() => document.querySelector('#vimeo-box iframe')?.getAttribute('src') === '/video.html?vimeo', null, { timeout: T });
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('functional')), true);
  } finally {
    await p.close();
  }
});

test('keyboard: dialog opened from the footer traps focus, Escape closes it and focus returns', { timeout: 45_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    await waitHidden(p.page, BANNER);

    await p.page.locator(FOOTER_LINK).focus();
    await p.page.keyboard.press('Enter');
    await waitVisible(p.page, DIALOG);
    const opened = await until(async () => (await activeElement(p.page))?.inDialog, { timeout: 1000 });
    assert.ok(opened, `focus did not move into the dialog: ${JSON.stringify(await activeElement(p.page))}`);
    assert.equal(await p.page.evaluate(() => location.hash), '', 'activating the href="#" link changed the URL');

    const n = await dialogFocusables(p.page);
    assert.ok(n >= 5, `only ${n} focusable controls in the dialog (at least 4 buttons + the analytics switch expected)`);
    const seen = [];
    for (let i = 0; i < n + 3; i++) {
      await p.page.keyboard.press('Tab');
      const a = await activeElement(p.page);
      assert.ok(a?.inDialog, `Tab #${i + 1} left the dialog: ${JSON.stringify(a)}`);
      seen.push(a.action || a.category || a.service || a.tag);
    }
    for (const a of ['save', 'accept-all', 'reject-all', 'close', 'analytics']) {
      assert.ok(seen.includes(a), `Tab never reached ${a} in the dialog (saw: ${seen})`);
    }
    for (let i = 0; i < n + 3; i++) {
      await p.page.keyboard.press('Shift+Tab');
      const a = await activeElement(p.page);
      assert.ok(a?.inDialog, `Shift+Tab #${i + 1} left the dialog: ${JSON.stringify(a)}`);
    }

    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    const back = await activeElement(p.page);
    assert.ok(back?.keksiOpen, `focus did not return to the Cookie Preferences link: ${JSON.stringify(back)}`);

    // Space/Enter on the link again reopens it (keyboard activation).
    await p.page.keyboard.press('Enter');
    await waitVisible(p.page, DIALOG);
    await p.page.locator(btn(DIALOG, 'close')).click();
    await waitHidden(p.page, DIALOG);
    assert.ok((await activeElement(p.page))?.keksiOpen, 'focus did not return to the link after the close button');
  } finally {
    await p.close();
  }
});

test('keyboard: Escape from a dialog opened by the banner returns focus to the banner', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await p.page.locator(btn(BANNER, 'preferences')).focus();
    await p.page.keyboard.press('Enter');
    await waitVisible(p.page, DIALOG);
    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    await waitVisible(p.page, BANNER);
    const back = await activeElement(p.page);
    assert.ok(back?.inBanner && back.action === 'preferences', `focus did not return to the banner's preferences button: ${JSON.stringify(back)}`);
    assert.equal(await p.page.evaluate(() => window.keksi.consent()), null, 'Escape stored a choice');
  } finally {
    await p.close();
  }
});

test('API: showPreferences(), hide(), showBanner(), accept([...])', { timeout: 30_000 }, async () => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.keksi.showPreferences());
    await waitVisible(p.page, DIALOG);
    await p.page.evaluate(() => window.keksi.hide());
    await waitHidden(p.page, DIALOG);
    await p.page.evaluate(() => window.keksi.accept(['functional']));
    await waitHidden(p.page, BANNER);
    const c = await p.page.evaluate(() => window.keksi.consent());
    assert.deepEqual(c?.categories, { necessary: true, functional: true, analytics: false, advertising: false });
    await p.page.waitForFunction(() => [...document.querySelectorAll('iframe')].some((f) => /\/video\.html$/.test(f.src)), null, { timeout: T });
    assert.equal(await analyticsRan(p.page), false);
    await p.page.evaluate(() => window.keksi.showBanner());
    await waitVisible(p.page, BANNER);
    assert.ok(await cookie(p.context, 'keksi_consent'), 'keksi_consent cookie missing after keksi.accept()');
  } finally {
    await p.close();
  }
});

test('keksi.showPreferences() before the page is ready: the dialog opens over the first-visit banner, which stays when it closes', async () => {
  const p = await newPage(env, '/fixtures/openers.html#early');
  try {
    await waitVisible(p.page, DIALOG);
    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    assert.equal(await isVisible(p.page, BANNER), true, 'no banner: a first visitor who closed the dialog had no choice offered');
    assert.equal(await p.page.evaluate(() => window.keksi.consent()), null);
  } finally {
    await p.close();
  }
});

test('openers by keyboard: an <a> without href, and one a script adds after load, open the dialog and get focus back', async () => {
  const p = await newPage(env, '/fixtures/openers.html');
  try {
    await waitVisible(p.page, BANNER);
    await until(() => p.page.evaluate(() => !!document.getElementById('late')));
    const marks = () => p.page.evaluate(() => ['nohref', 'late'].map((id) => {
      const el = document.getElementById(id);
      return [el.tabIndex, el.getAttribute('role'), el.getAttribute('aria-haspopup')];
    }));
    assert.deepEqual(await until(async () => { const m = await marks(); return m[1][0] === 0 && m; }, { timeout: 3000 }) || await marks(),
      [[0, 'button', 'dialog'], [0, 'button', 'dialog']], 'focusable, announced as buttons that open a dialog');
    for (const [id, key] of [['nohref', 'Enter'], ['late', ' ']]) {
      await p.page.evaluate((i) => document.getElementById(i).focus(), id);
      await p.page.keyboard.press(key);
      await waitVisible(p.page, DIALOG);
      await p.page.keyboard.press('Escape');
      await waitHidden(p.page, DIALOG);
      assert.equal((await activeElement(p.page))?.id, id, `focus back on #${id}`);
    }
  } finally {
    await p.close();
  }
});

test('keyboard: a choice made on the banner leaves focus on the page\'s first stop, not past the end of the page', async () => {
  const p = await newPage(env, '/fixtures/openers.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="banner"] [data-action="reject-all"]').focus());
    assert.equal((await activeElement(p.page))?.action, 'reject-all', 'set up: focus on Reject all');
    await p.page.keyboard.press('Enter');
    await waitHidden(p.page, BANNER);
    assert.equal((await activeElement(p.page))?.id, 'nohref', 'focus fell out of the page');
  } finally {
    await p.close();
  }
});

test('mouse: a choice clicked on the banner moves neither focus nor the page', async () => {
  const p = await newPage(env, '/fixtures/openers.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.scrollTo(0, 2000));
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    await waitHidden(p.page, BANNER);
    assert.equal(await p.page.evaluate(() => Math.round(window.scrollY)), 2000, 'the page scrolled');
    assert.notEqual((await activeElement(p.page))?.id, 'nohref', 'focus moved on a mouse click');
  } finally {
    await p.close();
  }
});

test('a service declared in the necessary category is shown on and locked, as its category (switching it off did nothing)', async () => {
  const p = await newPage(env, '/fixtures/necessary-service.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => window.keksi.showPreferences());
    await waitVisible(p.page, DIALOG);
    const svc = await shadowQuery(p.page, '[data-keksi="preferences"] input[data-service="payments"]');
    assert.ok(svc, 'the necessary service has its switch');
    assert.deepEqual([svc.checked, svc.disabled], [true, true], 'checked and disabled, like the necessary category itself');
    const video = await shadowQuery(p.page, '[data-keksi="preferences"] input[data-service="video"]');
    assert.deepEqual([video.checked, video.disabled], [false, false], 'an optional service stays off and switchable');
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('necessary', 'payments')), true);
  } finally {
    await p.close();
  }
});

test('an opener inside a page\'s own shadow root (a web-component footer) opens the dialog by mouse and keyboard, and gets focus back', async () => {
  const p = await newPage(env, '/fixtures/necessary-service.html');
  try {
    await waitVisible(p.page, BANNER);
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    await waitHidden(p.page, BANNER);
    const opener = p.page.locator('site-footer [data-keksi-open]');
    await opener.click();
    await waitVisible(p.page, DIALOG);
    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    await opener.focus();
    await p.page.keyboard.press('Enter');
    await waitVisible(p.page, DIALOG);
    await p.page.keyboard.press('Escape');
    await waitHidden(p.page, DIALOG);
    assert.equal(await p.page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.hasAttribute('data-keksi-open')), true,
      'focus back on the opener in the shadow root');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('texts the config gives for a language keksi does not build in are used for a page in it (the rest in English), right to left where it is written so', async () => {
  const p = await newPage(env, '/fixtures/texts-own-language.html');
  try {
    await waitVisible(p.page, BANNER);
    const host = await p.page.evaluate(() => ['lang', 'dir'].map((a) => document.getElementById('keksi').getAttribute(a)));
    assert.deepEqual(host, ['fa', 'rtl']);
    assert.equal((await shadowQuery(p.page, '[data-keksi="banner"] [data-action="accept-all"]'))?.text, 'پذیرش همه');
    assert.equal((await shadowQuery(p.page, '[data-keksi="banner"] [data-action="reject-all"]'))?.text, 'رد همه');
    assert.equal((await shadowQuery(p.page, '[data-keksi="banner"] [data-action="preferences"]'))?.text, 'Manage preferences', 'keys it does not give: English');
  } finally {
    await p.close();
  }
});
