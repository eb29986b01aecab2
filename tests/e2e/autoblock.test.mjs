// Automatic blocking of known trackers (CONTRACT §4), in headless Chromium.
//
// Vendor hosts are served at their REAL names without a network: Playwright routing
// (helpers.routeThirdParty) answers www.googletagmanager.com, connect.facebook.net, … with
// small stubs that push a label to window.__ran when they run (iframes postMessage a label,
// collected in window.__frames), logs every routed request, and aborts anything else.
// "Never requested" = no entry in that log; "never ran" = no label in window.__ran.
//
// Fixtures: tests/e2e/fixtures/autoblock/ (vendors.html = real vendor snippets, pasted
// unmodified; paths.html + paths.js = helpers to build tracker elements every which way;
// docwrite.html; nowasm.html). Each test uses a fresh context; one browser per file.
//
//   node --test --test-concurrency=1 tests/e2e/autoblock.test.mjs
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, assertKeksiBuilt, newContext, newPage, routeThirdParty, waitVisible, isVisible, until,
  setMarker, BANNER, btn, T, IS_FIREFOX,
} from './helpers.mjs';

// In WebKit the routing is done by a local proxy WebKit is pointed at (tests/e2e/proxy.mjs).
const test = nodeTest;

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const PATHS = '/fixtures/autoblock/paths.html';
const VENDORS = '/fixtures/autoblock/vendors.html';

/** Runs in every document before keksi.js: the records the stubs write to. */
function INIT() {
  if (window !== window.top) return;
  window.__ran = [];
  window.__frames = [];
  window.__frameTimes = [];
  window.addEventListener('message', (e) => {
    if (e.data && typeof e.data === 'object' && 'keksiStubFrame' in e.data) {
      window.__frames.push(e.data.keksiStubFrame);
      window.__frameTimes.push(Math.round(performance.now()));
    }
  });
}

/** A fresh context with the third-party routes, one page on `urlPath`. */
async function open(urlPath, opts = {}) {
  const context = await newContext(env.browser);
  const net = await routeThirdParty(context);
  const p = await newPage(env, urlPath, { context, initScript: INIT, waitUntil: opts.waitUntil });
  p.net = net;
  p.close = () => context.close();
  return p;
}

const ran = (page) => page.evaluate(() => (window.__ran || []).slice());
const frames = (page) => page.evaluate(() => (window.__frames || []).slice());
const loaded = (page) => page.evaluate(() => (window.__loaded || []).slice());
const describe = (page, labelOrId) => page.evaluate((l) => window.TP.describe(l), labelOrId);
const acceptAll = (page) => page.evaluate(() => window.keksi.acceptAll());
const sorted = (xs) => [...xs].sort();
const count = (xs, x) => xs.filter((y) => y === x).length;

function sameUrl(a, b) {
  try {
    return new URL(a, 'http://127.0.0.1/').href === new URL(b, 'http://127.0.0.1/').href;
  } catch {
    return false;
  }
}

/** The declarative held form: data-consent, data-src (or data-href), no live URL attribute. */
function assertHeld(d, what, { category, url, script = false, attr = 'src' }) {
  assert.ok(d, `${what}: element not found`);
  assert.equal(d[attr], null, `${what}: still carries ${attr}="${d[attr]}" before consent`);
  assert.equal(d.consent, category, `${what}: data-consent is ${JSON.stringify(d.consent)}, expected "${category}"`);
  const held = attr === 'href' ? d.dataHref ?? d.dataSrc : d.dataSrc;
  if (url) assert.ok(held && sameUrl(held, url), `${what}: data-${attr} is ${JSON.stringify(held)}, expected ${url}`);
  assert.ok(['in-place', 'parser'].includes(d.auto), `${what}: data-keksi-auto is ${JSON.stringify(d.auto)}`);
  if (script) assert.equal(d.type, 'text/plain', `${what}: a held script must have type="text/plain"`);
}

function assertNotRequested(p, labels, when = 'before consent') {
  for (const l of labels) {
    const hits = p.net.ran(l);
    assert.deepEqual(hits.map((h) => h.url), [], `${l}: requested ${when}`);
  }
}

/** Stays on the same document (no reload) since the marker was set. */
async function assertNoReload(check, what = 'after consent') {
  const nav = await check();
  assert.ok(nav.ok, `the page reloaded ${what} (marker=${nav.marker}, navigation entries=${nav.navigations})`);
}

// ---------------------------------------------------------------------------------------
// The harness itself: without keksi.js every path below really requests/runs. This is what
// makes the "never requested / never ran" assertions elsewhere meaningful.

test('control: without keksi.js every vendor snippet and interception path requests and runs', { timeout: 40_000 }, async () => {
  const v = await open(VENDORS + '?keksi=off');
  try {
    const all = await until(async () => (await ran(v.page)).length >= 5 && (await frames(v.page)).length >= 1);
    assert.ok(all, `vendor stubs did not all run without keksi: ran=${JSON.stringify(await ran(v.page))} frames=${JSON.stringify(await frames(v.page))}`);
    assert.deepEqual(sorted(await ran(v.page)), ['fbevents', 'ga', 'gtag:G-TEST', 'gtm', 'hotjar']);
    assert.ok(v.net.requested('/g/collect').length >= 1, 'gtag stub beacon not seen by the router');
    assert.ok(v.net.requested('from=fbevents').length >= 1, 'fbevents stub pixel not seen by the router');
    assert.deepEqual(v.net.requested('noscript=1').map((e) => e.url), [], '<noscript> pixel fetched with scripting on');
  } finally {
    await v.close();
  }

  const p = await open(PATHS + '?keksi=off');
  try {
    const res = await p.page.evaluate(async () => {
      const out = {};
      for (const m of Object.keys(TP.insert)) TP.insert[m](TP.script(`${m}-prop`, 'prop'), TP.script(`${m}-node`, 'attrnode'));
      document.getElementById('slot').insertAdjacentHTML('beforeend', `<img id="ih-img" src="${TP.pixel('ih-img')}"><iframe src="${TP.embed('ih-frame')}"></iframe>`);
      const r = document.createRange();
      r.selectNodeContents(document.body);
      document.body.appendChild(r.createContextualFragment(`<script src="${TP.js('ccf')}"></script>`));
      document.getElementById('ref').innerHTML = `<script src="${TP.js('ih-script')}"></script>`; // never runs natively
      out.beacon = navigator.sendBeacon(TP.GA + '/g/collect?run=beacon', 'x');
      try {
        out.fetch = (await fetch(TP.GA + '/g/collect?run=fetch', { method: 'POST', body: 'x' })).status;
      } catch (e) {
        out.fetch = String(e);
      }
      out.xhr = await new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open('GET', TP.GA + '/g/collect?run=xhr');
        x.onload = () => resolve(x.status);
        x.onerror = () => resolve('error');
        x.send();
      });
      new Image().src = TP.pixel('px');
      const l = document.createElement('link');
      l.rel = 'stylesheet';
      l.href = TP.HJ + '/c/style.css?run=css';
      document.head.appendChild(l);
      document.getElementById('probe').setAttribute('data-css-probe', 'css');
      return out;
    });
    assert.deepEqual(res, { beacon: true, fetch: 200, xhr: 200 });
    const labels = Object.keys(await p.page.evaluate(() => TP.insert)).flatMap((m) => [`${m}-prop`, `${m}-node`]).concat('ccf');
    const ok = await until(async () => (await ran(p.page)).length >= labels.length);
    assert.ok(ok, `not every script ran without keksi: ${JSON.stringify(await ran(p.page))}`);
    await settle(300);
    assert.deepEqual(sorted(await ran(p.page)), sorted(labels), 'without keksi (an innerHTML <script> must not run)');
    for (const l of ['ih-img', 'ih-frame', 'beacon', 'fetch', 'xhr', 'px', 'css']) {
      assert.ok(await until(() => p.net.ran(l).length > 0), `${l} not requested without keksi`);
    }
    assert.ok(await until(async () => (await frames(p.page)).includes('ih-frame')), 'stub iframe did not report');
    assert.ok(await until(() => p.page.evaluate(() => getComputedStyle(document.getElementById('probe')).color === 'rgb(1, 2, 3)')));
  } finally {
    await p.close();
  }

  const d = await open('/fixtures/autoblock/docwrite.html?keksi=off');
  try {
    assert.ok(await until(async () => (await ran(d.page)).length >= 3), `docwrite without keksi: ${JSON.stringify(await ran(d.page))}`);
    assert.deepEqual(await ran(d.page), ['dw-a', 'dw-inline', 'dw-b']);
  } finally {
    await d.close();
  }
});

// ---------------------------------------------------------------------------------------
// Real vendor snippets

const SCRIPT_INSERTED = [
  ['GTM container gtm.js', /www\.googletagmanager\.com\/gtm\.js/],
  ['analytics.js (inserted by GTM)', /www\.google-analytics\.com\/analytics\.js/],
  ['Meta Pixel fbevents.js', /connect\.facebook\.net\/en_US\/fbevents\.js/],
  ['Meta Pixel /tr (from fbevents.js)', /www\.facebook\.com\/tr\?.*from=fbevents/],
  ['Hotjar hotjar-1.js', /static\.hotjar\.com\/c\/hotjar-1\.js/],
  ['GA4 /g/collect beacon (from gtag.js)', /google-analytics\.com\/g\/collect/],
  ['<noscript> pixel', /noscript=1/],
  ['<noscript> GTM iframe', /googletagmanager\.com\/ns\.html/],
];
const VENDORS_RAN = ['fbevents', 'ga', 'gtag:G-TEST', 'gtm', 'hotjar'];
const YT_LABEL = 'www.youtube.com/embed/xyz';

function assertNoScriptInserted(p, when) {
  for (const [what, re] of SCRIPT_INSERTED) {
    assert.deepEqual(p.net.requested(re).map((e) => e.url), [], `${what} requested ${when}`);
  }
}

/** Notes the requests that the contract tolerates for tags written in the HTML itself. */
function noteHtmlTagFetches(t, p, log = p.net.log) {
  const early = log.filter((e) => /gtag\/js\?id=G-TEST|youtube\.com\/embed\/xyz/.test(e.url));
  if (early.length) t.diagnostic(`HTML-written tags fetched before consent (allowed by §4): ${early.map((e) => `${e.type} ${e.url}`).join(', ')}`);
}

test('vendors: before consent nothing runs, nothing script-inserted is requested, the embed is a placeholder', { timeout: 30_000 }, async (t) => {
  const p = await open(VENDORS);
  try {
    await waitVisible(p.page, BANNER);
    await settle(800);
    assert.deepEqual(await ran(p.page), [], 'vendor code ran before consent');
    assert.deepEqual(await frames(p.page), [], 'the YouTube iframe rendered before consent');
    assertNoScriptInserted(p, 'before consent');
    noteHtmlTagFetches(t, p);

    const held = await p.page.evaluate(() =>
      [...document.querySelectorAll('script, iframe')]
        .filter((el) => /googletagmanager|facebook|hotjar|youtube/.test(el.getAttribute('data-src') || el.getAttribute('src') || ''))
        .map((el) => ({
          tag: el.tagName.toLowerCase(), src: el.getAttribute('src'), type: el.getAttribute('type'),
          consent: el.getAttribute('data-consent'), dataSrc: el.getAttribute('data-src'), auto: el.getAttribute('data-keksi-auto'),
        })));
    const find = (re) => held.find((h) => re.test(h.dataSrc || h.src || ''));
    const expect = [
      ['gtag.js (written in the HTML)', /gtag\/js\?id=G-TEST/, 'analytics', true],
      ['gtm.js (inserted by the GTM snippet)', /gtm\.js\?id=GTM-TEST/, 'analytics', true],
      ['fbevents.js (inserted by the Pixel snippet)', /fbevents\.js/, 'advertising', true],
      ['hotjar-1.js (inserted by the Hotjar snippet)', /hotjar-1\.js\?sv=6/, 'analytics', true],
      ['YouTube iframe (written in the HTML)', /youtube\.com\/embed\/xyz/, 'functional', false],
    ];
    for (const [what, re, category, script] of expect) assertHeld(find(re), what, { category, script });
    t.diagnostic(`held: ${held.map((h) => `${h.tag} ${h.consent} ${h.auto} ${h.dataSrc}`).join(' | ')}`);

    const ph = p.page.locator('[data-keksi-placeholder]');
    assert.equal(await ph.count(), 1, 'expected one placeholder (for the YouTube iframe)');
    await ph.first().waitFor({ state: 'visible', timeout: T });
    await p.page.locator('[data-keksi-placeholder] [data-action="allow"]').first().waitFor({ state: 'visible', timeout: T });

    // the page's own code is untouched
    await p.page.locator('#own').evaluate((b) => b.click());
    assert.equal(await p.page.locator('#own').textContent(), 'own code works');
    assert.equal(await p.page.evaluate(() => typeof window.fbq === 'function' && Array.isArray(window.dataLayer) && typeof window.hj), 'function');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('vendors: accept-all runs each vendor exactly once without a reload, and once per load after', { timeout: 30_000 }, async (t) => {
  const p = await open(VENDORS);
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    await settle(300);
    assert.deepEqual(await frames(p.page), [], 'the YouTube iframe rendered before consent');
    const check = await setMarker(p.page);
    const before = p.net.log.length;
    const clickedAt = Date.now();
    const clickedPerf = await p.page.evaluate(() => performance.now());
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    const all = await until(async () => (await ran(p.page)).length >= 5 && (await frames(p.page)).length >= 1);
    assert.ok(all, `after accept-all: ran=${JSON.stringify(await ran(p.page))} frames=${JSON.stringify(await frames(p.page))}`);
    await settle(800); // a second run would show up here
    assert.deepEqual(sorted(await ran(p.page)), VENDORS_RAN, 'each vendor script must run exactly once');
    const ytLog = p.net.log.filter((e) => e.type === 'document').map((e) => `${e.time - clickedAt} ms ${e.url}`);
    const times = (await p.page.evaluate(() => window.__frameTimes)).map((x) => Math.round(x - clickedPerf));
    assert.deepEqual(await frames(p.page), [YT_LABEL],
      `the YouTube iframe must load exactly once (content reported at ${times.join(', ')} ms after the click; document requests: ${ytLog.join('; ')})`);
    await assertNoReload(check);
    const after = p.net.log.slice(before);
    assert.ok(after.some((e) => /\/g\/collect/.test(e.url) && !e.aborted), 'gtag.js beacon after consent did not go out');
    assert.ok(after.some((e) => /from=fbevents/.test(e.url) && !e.aborted), 'the Pixel request after consent did not go out');
    assert.equal(await p.page.locator('[data-keksi-placeholder]').filter({ visible: true }).count(), 0, 'placeholder still visible');
    noteHtmlTagFetches(t, p, p.net.log.slice(0, before));
    assert.deepEqual(p.unexpectedErrors(), []);

    // stored consent: every load runs each vendor once
    await p.page.reload({ waitUntil: 'load' });
    const again = await until(async () => (await ran(p.page)).length >= 5 && (await frames(p.page)).length >= 1);
    assert.ok(again, `reload with consent: ran=${JSON.stringify(await ran(p.page))}`);
    await settle(600);
    assert.deepEqual(sorted(await ran(p.page)), VENDORS_RAN, 'reload with consent');
    assert.deepEqual(await frames(p.page), [YT_LABEL], 'reload with consent: iframe');
    assert.equal(await isVisible(p.page, BANNER), false);
  } finally {
    await p.close();
  }
});

test('vendors: reject-all, nothing runs or is requested, across reloads', { timeout: 30_000 }, async (t) => {
  const p = await open(VENDORS);
  try {
    await waitVisible(p.page, btn(BANNER, 'reject-all'));
    await p.page.locator(btn(BANNER, 'reject-all')).click();
    await settle(600);
    assert.deepEqual(await ran(p.page), [], 'vendor code ran after reject-all');
    for (let i = 1; i <= 2; i++) {
      await p.page.reload({ waitUntil: 'load' });
      await settle(700);
      assert.equal(await isVisible(p.page, BANNER), false, `banner back after reload #${i}`);
      assert.deepEqual(await ran(p.page), [], `vendor code ran after reload #${i}`);
      assert.deepEqual(await frames(p.page), [], `YouTube rendered after reload #${i}`);
    }
    assertNoScriptInserted(p, 'after reject-all (any load)');
    noteHtmlTagFetches(t, p);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('a tracker pasted above keksi.js is named in one console warning; none when keksi.js comes first', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/early.html');
  try {
    await waitVisible(p.page, BANNER);
    const early = p.warnings.filter((w) => /before keksi\.js/.test(w));
    assert.equal(early.length, 1, `expected one warning about trackers before keksi.js: ${JSON.stringify(p.warnings)}`);
    assert.match(early[0], /put keksi\.js first/);
    assert.match(early[0], /googletagmanager\.com\/gtag\/js\?id=G-EARLY/, 'the early tag is named');
    assert.doesNotMatch(early[0], /fbevents/, 'a tracker after keksi.js (held) is not named');
    assert.doesNotMatch(early[0], /analytics\.js\?marked/, 'a marked tag is held, not named');
    assert.doesNotMatch(early[0], /googletagmanager\.com( |$)/, 'a preconnect requests nothing, not named');
    assert.ok(!(await ran(p.page)).includes('fbevents'), 'the Pixel after keksi.js ran before consent');
  } finally {
    await p.close();
  }
  const v = await open(VENDORS);
  try {
    await waitVisible(v.page, BANNER);
    assert.deepEqual(v.warnings.filter((w) => /before keksi\.js/.test(w)), [], 'keksi.js first: no warning');
  } finally {
    await v.close();
  }
});

// Google Maps, Bing Maps and Google Ads' pixel come from www.google.com / www.bing.com,
// which also serve what is no tracker (reCAPTCHA, search): held by their path only.
const MAPS = '/fixtures/autoblock/maps.html';
const GMAPS = /www\.google\.com\/maps\/embed\?pb=/;
const BMAPS = /www\.bing\.com\/maps\/embed\?/;
const PAGEAD = /www\.google\.com\/pagead\/1p-conversion\//;
const mapFrames = (page) => frames(page).then((f) => f.filter((l) => /maps\/embed/.test(l)).sort());

test('path-served embeds: Google and Bing Maps and the Google Ads pixel held by path, reCAPTCHA on the same host runs', { timeout: 40_000 }, async () => {
  const control = await open(MAPS + '?keksi=off');
  try {
    const both = await until(async () => (await mapFrames(control.page)).length === 2);
    assert.ok(both, `without keksi the maps did not load: ${JSON.stringify(await frames(control.page))}`);
    assert.ok(control.net.requested(PAGEAD).length >= 1, 'without keksi the Ads pixel was not requested');
  } finally {
    await control.close();
  }

  const p = await open(MAPS);
  try {
    await waitVisible(p.page, BANNER);
    await settle(800);
    assert.deepEqual(await ran(p.page), ['www.google.com/recaptcha/api.js'], 'reCAPTCHA (same host, other path) must run before consent');
    assert.deepEqual(await mapFrames(p.page), [], 'a map rendered before consent');
    assert.deepEqual(p.net.requested(BMAPS).map((e) => e.url), [], 'the script-inserted Bing map was requested before consent');
    assert.deepEqual(p.net.requested(PAGEAD).map((e) => e.url), [], 'the Ads pixel was sent before consent');
    const held = await p.page.evaluate(() => [...document.querySelectorAll('iframe[data-src]')].map((f) =>
      ({ src: f.getAttribute('src'), consent: f.getAttribute('data-consent'), service: f.getAttribute('data-service'), dataSrc: f.getAttribute('data-src') })));
    assert.equal(held.length, 2, `expected both maps held: ${JSON.stringify(held)}`);
    for (const h of held) assert.equal(h.consent, 'functional', JSON.stringify(h));
    const names = await p.page.evaluate(() => [...document.querySelectorAll('[data-keksi-placeholder]')].map((ph) => ph.shadowRoot?.textContent));
    assert.ok(names.some((t) => /Google Maps/.test(t)) && names.some((t) => /Bing Maps/.test(t)),
      `each map's placeholder must name it: ${JSON.stringify(names)}`);

    const check = await setMarker(p.page);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    const loadedBoth = await until(async () => (await mapFrames(p.page)).length === 2);
    assert.ok(loadedBoth, `after accept-all: ${JSON.stringify(await frames(p.page))}`);
    assert.deepEqual(await mapFrames(p.page), ['www.bing.com/maps/embed', 'www.google.com/maps/embed']);
    assert.ok(await until(async () => p.net.requested(PAGEAD).length === 1), 'the held Ads pixel did not go out once after accept-all');
    assert.deepEqual(await ran(p.page), ['www.google.com/recaptcha/api.js'], 'reCAPTCHA ran again');
    await assertNoReload(check);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('vendors: the YouTube iframe shows a placeholder and loads after "allow", nothing else does', { timeout: 30_000 }, async () => {
  const p = await open(VENDORS);
  try {
    const allow = p.page.locator('[data-keksi-placeholder] [data-action="allow"]').first();
    await allow.waitFor({ state: 'visible', timeout: T });
    const check = await setMarker(p.page);
    await allow.click();
    // An embed loads through WebKit's proxy in the tests: slow on a loaded machine.
    assert.ok(await until(async () => (await frames(p.page)).length >= 1, { timeout: 2 * T }), 'the YouTube iframe did not load after allow');
    await settle(600);
    assert.deepEqual(await frames(p.page), [YT_LABEL]);
    await assertNoReload(check, 'after allowing the embed');
    assert.deepEqual(await ran(p.page), [], 'allowing the YouTube embed let other vendors run');
    assertNoScriptInserted(p, 'after allowing only the embed');
    const s = await p.page.evaluate(() => ({ yt: keksi.allowed('functional', 'youtube'), analytics: keksi.allowed('analytics'), advertising: keksi.allowed('advertising') }));
    assert.deepEqual(s, { yt: true, analytics: false, advertising: false });
    assert.equal(await p.page.locator('[data-keksi-placeholder]').filter({ visible: true }).count(), 0, 'placeholder still visible');
    const src = await p.page.evaluate(() => document.querySelector('#video iframe')?.getAttribute('src'));
    assert.ok(src && sameUrl(src, 'https://www.youtube.com/embed/xyz'), `iframe src after allow: ${src}`);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// One test per interception path (paths.html; tests insert after load)

/** Two tracker scripts inserted with TP.insert[method]: src via the setter (slow answer,
 *  analytics) then via setAttributeNode (bypasses setters: only the insertion can catch it,
 *  advertising). Before consent: held, not requested, not run. After: run in that order. */
async function insertionTest(method) {
  const A = `${method}-prop`;
  const B = `${method}-node`;
  const p = await open(PATHS);
  try {
    await p.page.evaluate(([m, a, b]) => {
      TP.insert[m](TP.script(a, 'prop', { delay: 200 }), TP.script(b, 'attrnode', { host: TP.FB }));
    }, [method, A, B]);
    await settle();
    assert.deepEqual(await ran(p.page), [], 'a tracker script ran before consent');
    assertNotRequested(p, [A, B]);
    const da = await describe(p.page, A);
    const db = await describe(p.page, B);
    assertHeld(da, `${A} (src setter)`, { category: 'analytics', url: `https://www.google-analytics.com/t/${A}.js?run=${A}&kdelay=200`, script: true });
    assertHeld(db, `${B} (setAttributeNode, caught at ${method})`, { category: 'advertising', url: `https://connect.facebook.net/t/${B}.js?run=${B}`, script: true });
    assert.ok(da.connected && db.connected, `${method}: the held elements must stay in the document`);

    const check = await setMarker(p.page);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 2), `after acceptAll: ran=${JSON.stringify(await ran(p.page))}`);
    await settle(300);
    assert.deepEqual(await ran(p.page), [A, B], 'released scripts must run once each, in arrival order');
    assert.deepEqual(sorted(await loaded(p.page)), sorted([A, B]), 'onload of the released scripts (same elements) did not fire');
    assert.equal(p.net.ran(A).length, 1);
    assert.equal(p.net.ran(B).length, 1);
    await assertNoReload(check);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
}

for (const m of ['appendChild', 'insertBefore', 'replaceChild', 'append', 'prepend', 'before', 'after', 'replaceWith', 'insertAdjacentElement']) {
  test(`path: createElement + src + ${m}`, { timeout: 30_000 }, () => insertionTest(m));
}

test("path: setAttribute('src') on script, img and iframe", { timeout: 30_000 }, async (t) => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      document.body.appendChild(TP.script('sa-script', 'attr'));
      document.getElementById('slot').appendChild(TP.img('sa-img', 'attr'));
      document.getElementById('slot').appendChild(TP.iframe('sa-frame', 'attr'));
    });
    await settle();
    assert.deepEqual(await ran(p.page), []);
    assert.deepEqual(await frames(p.page), []);
    assertNotRequested(p, ['sa-script', 'sa-img', 'sa-frame']);
    assertHeld(await describe(p.page, 'sa-script'), 'script', { category: 'analytics', script: true, url: 'https://www.google-analytics.com/t/sa-script.js?run=sa-script' });
    assertHeld(await describe(p.page, 'sa-img'), 'img', { category: 'advertising', url: 'https://www.facebook.com/tr?id=1&ev=PageView&run=sa-img' });
    assertHeld(await describe(p.page, 'sa-frame'), 'iframe', { category: 'functional', url: 'https://www.youtube.com/embed/sa-frame?run=sa-frame' });

    const check = await setMarker(p.page);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 1 && (await frames(p.page)).length >= 1 && (await loaded(p.page)).length >= 2),
      `after acceptAll: ran=${JSON.stringify(await ran(p.page))} frames=${JSON.stringify(await frames(p.page))} loaded=${JSON.stringify(await loaded(p.page))}`);
    await settle(300);
    assert.deepEqual(await ran(p.page), ['sa-script']);
    assert.deepEqual(await frames(p.page), ['sa-frame'], 'the iframe content must load exactly once');
    const l = await loaded(p.page);
    assert.deepEqual(sorted(l.filter((x) => x !== 'sa-frame')), ['sa-img', 'sa-script'], 'load of the released script/img (once each)');
    assert.ok(l.includes('sa-frame'), 'no load event on the released iframe');
    // An <iframe> without src fires "load" (about:blank) whenever it is inserted, so a held
    // one cannot avoid one early event; more than that means keksi moved it around.
    if (count(l, 'sa-frame') > 1) t.diagnostic(`the iframe's load listener fired ${count(l, 'sa-frame')} times (without keksi: once)`);
    assert.equal(await p.page.evaluate(() => __els['sa-img'].naturalWidth), 1);
    await assertNoReload(check);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test("patched methods act as the browser's own: re-entered from a script they run, its errors thrown, a value read once; text nodes' after(), replaceChildren and setAttributeNS hold trackers", { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const log = await p.page.evaluate(() => {
      const out = {};
      // An inline script runs inside the appendChild that inserts it, and inserts in turn.
      const s = document.createElement('script');
      s.textContent = "document.body.appendChild(document.createElement('p')).id = 'reentered';";
      document.body.appendChild(s);
      out.reentered = !!document.getElementById('reentered');
      const d = document.createElement('div');
      try { d.appendChild(d); out.hierarchy = 'no error'; } catch (e) { out.hierarchy = e.name; }
      try { document.body.insertBefore(document.createElement('i'), document.createElement('b')); out.notFound = 'no error'; } catch (e) { out.notFound = e.name; }
      try { document.createElement('img').setAttribute('src'); out.oneArgument = 'no error'; } catch (e) { out.oneArgument = e.name; }
      // A value whose string changes from one reading to the next: keksi's reading is the one used.
      let n = 0;
      const once = TP.track(document.createElement('img'), 'once-img');
      once.src = { toString() { return n++ ? TP.pixel('once-img') : '/fixtures/autoblock/px.svg'; } };
      document.getElementById('slot').appendChild(once);
      out.onceSrc = once.getAttribute('src');
      const text = document.createTextNode(' ');
      document.getElementById('slot').appendChild(text);
      text.after(TP.script('text-after', 'attrnode'));
      const box = document.createElement('div');
      document.body.appendChild(box);
      box.replaceChildren(TP.script('replace-children', 'attrnode'));
      const ns = TP.track(document.createElement('img'), 'ns-img');
      ns.setAttributeNS(null, 'src', TP.pixel('ns-img'));
      document.getElementById('slot').appendChild(ns);
      return out;
    });
    assert.deepEqual(log, { reentered: true, hierarchy: 'HierarchyRequestError', notFound: 'NotFoundError', oneArgument: 'TypeError', onceSrc: '/fixtures/autoblock/px.svg' });
    await settle();
    assert.deepEqual(await ran(p.page), []);
    assertNotRequested(p, ['once-img', 'text-after', 'replace-children', 'ns-img']);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 2 && p.net.ran('ns-img').length >= 1),
      `after acceptAll: ran=${JSON.stringify(await ran(p.page))}, ns-img requests=${p.net.ran('ns-img').length}`);
    assert.deepEqual(sorted(await ran(p.page)), ['replace-children', 'text-after']);
    assert.equal(p.net.ran('once-img').length, 0, 'the URL keksi did not see must never be requested');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test("patched built-ins read as the browser's own to Function.prototype.toString (fraud and bot checks compare these), in the page and in a same-origin frame; keksi's own marks on windows, documents and elements are not enumerable (global-leak checks)", { timeout: 30_000 }, async () => {
  const texts = () => {
    const fts = Function.prototype.toString;
    const d = (o, k) => Object.getOwnPropertyDescriptor(o, k);
    const of = (w) => [w.fetch, w.navigator.sendBeacon, w.XMLHttpRequest.prototype.open, w.XMLHttpRequest.prototype.send,
      w.Node.prototype.appendChild, w.Element.prototype.setAttribute, w.Element.prototype.insertAdjacentHTML,
      w.Document.prototype.write, d(w.Element.prototype, 'innerHTML').set, d(w.HTMLScriptElement.prototype, 'src').set,
      d(w.HTMLImageElement.prototype, 'src').set, d(w.Document.prototype, 'cookie').set, d(w.Document.prototype, 'cookie').get,
      d(w.HTMLIFrameElement.prototype, 'contentWindow').get, w.Function.prototype.toString];
    const frame = document.body.appendChild(document.createElement('iframe'));
    const fw = frame.contentWindow;
    const pixel = new Image();
    pixel.src = 'https://www.facebook.com/tr?id=1&ev=PageView&run=marks-px';
    const enumerable = (o) => { const k = []; for (const key in o) k.push(key); return k; };
    return {
      marks: [window, document, fw, fw.document, pixel].flatMap((o) => Object.keys(o).concat(enumerable(o)))
        .filter((k) => k.startsWith('__keksi')),
      page: of(window).map((f) => fts.call(f)),
      frame: of(fw).map((f) => fw.Function.prototype.toString.call(f)),
      across: fw.Function.prototype.toString.call(window.fetch),
      method: window.fetch.toString(),
      names: [window.fetch.name, Node.prototype.appendChild.name, window.fetch.length],
    };
  };
  const c = await open(PATHS + '?keksi=off');
  let without;
  try {
    without = await c.page.evaluate(texts);
  } finally {
    await c.close();
  }
  assert.match(without.page[0], /fetch/, 'control: the browser names its functions');
  const p = await open(PATHS);
  try {
    assert.equal(await p.page.evaluate(() => typeof window.keksi), 'object');
    assert.deepEqual(await p.page.evaluate(texts), without);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('Trusted Types enforced: the banner renders, marked scripts run after consent, the page\'s trusted HTML and script URLs keep working and are still held, no violation', { timeout: 30_000 }, async (t) => {
  const p = await open('/fixtures/autoblock/trusted-types.html?csp=tt');
  try {
    if (!(await p.page.evaluate(() => !!window.trustedTypes))) {
      t.skip('no Trusted Types in this engine');
      return;
    }
    await waitVisible(p.page, BANNER);
    await p.page.evaluate(() => {
      const slot = document.getElementById('slot');
      slot.innerHTML = app.createHTML('<img id="tt-img" src="https://www.facebook.com/tr?id=1&ev=PageView&run=tt-img">');
      const s = document.createElement('script');
      s.src = app.createScriptURL('https://www.google-analytics.com/t/tt-ga.js?run=tt-ga');
      document.head.appendChild(s);
      const own = document.createElement('script');
      own.src = app.createScriptURL('/fixtures/autoblock/tt-ext.js?own');
      document.head.appendChild(own);
    });
    assert.ok(await until(async () => (await ran(p.page)).includes('marked-external')), `the page's own trusted script URL did not load: ${JSON.stringify(await ran(p.page))}`);
    await settle();
    assert.deepEqual(await ran(p.page), ['marked-external'], 'only the page\'s own first-party script may run before consent');
    assertNotRequested(p, ['tt-img', 'tt-ga']);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 4 && p.net.ran('tt-img').length >= 1),
      `after acceptAll: ran=${JSON.stringify(await ran(p.page))}, tt-img requests=${p.net.ran('tt-img').length}`);
    assert.deepEqual(sorted(await ran(p.page)), ['marked-external', 'marked-external', 'marked-inline', 'tt-ga']);
    assert.deepEqual(await p.page.evaluate(() => window.__violations), [], 'Trusted Types violations');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('Trusted Types with keksi\'s policy refused by the CSP: the page\'s own trusted script URLs still load, a held one is released with the page\'s own value', { timeout: 30_000 }, async (t) => {
  const p = await open('/fixtures/autoblock/trusted-types.html?csp=tt-page-only');
  try {
    if (!(await p.page.evaluate(() => !!window.trustedTypes))) {
      t.skip('no Trusted Types in this engine');
      return;
    }
    await p.page.waitForFunction(() => window.keksi && document.readyState !== 'loading');
    await p.page.evaluate(() => {
      const own = document.createElement('script');
      own.src = app.createScriptURL('/fixtures/autoblock/tt-ext.js?own');
      document.head.appendChild(own);
      const ga = document.createElement('script');
      ga.setAttribute('src', app.createScriptURL('https://www.google-analytics.com/t/tt-ga.js?run=tt-ga'));
      document.head.appendChild(ga);
    });
    assert.ok(await until(async () => (await ran(p.page)).includes('marked-external')), `the page's own trusted script URL did not load: ${JSON.stringify(await ran(p.page))}`);
    await settle();
    assertNotRequested(p, ['tt-ga']);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).includes('tt-ga')), `the held script was not released: ${JSON.stringify(await ran(p.page))}`);
  } finally {
    await p.close();
  }
});

test('trackers inside a web component\'s shadow root: held before consent, released after it without a reload', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      const host = document.createElement('div');
      document.getElementById('slot').appendChild(host);
      const root = host.attachShadow({ mode: 'open' });
      root.appendChild(TP.img('sh-img'));
      root.appendChild(TP.iframe('sh-frame'));
      // A component that fills its shadow root when made, before it is in the page; the
      // script's URL set as an attribute node, which only the insertion can catch.
      const made = document.createElement('div');
      made.attachShadow({ mode: 'open' }).appendChild(TP.script('sh-made', 'attrnode'));
      document.getElementById('slot').appendChild(made);
      // Range.insertNode puts a node in too.
      const r = document.createRange();
      r.selectNodeContents(document.getElementById('slot'));
      r.insertNode(TP.script('range-insert', 'attrnode'));
    });
    await settle();
    assert.deepEqual(await frames(p.page), []);
    assert.deepEqual(await ran(p.page), []);
    assertNotRequested(p, ['sh-img', 'sh-frame', 'sh-made', 'range-insert']);
    const check = await setMarker(p.page);
    await acceptAll(p.page);
    assert.ok(await until(async () => p.net.ran('sh-img').length >= 1 && (await frames(p.page)).includes('sh-frame') && (await ran(p.page)).length >= 2),
      `after acceptAll: img requests=${p.net.ran('sh-img').length}, frames=${JSON.stringify(await frames(p.page))}, ran=${JSON.stringify(await ran(p.page))}`);
    assert.deepEqual(sorted(await ran(p.page)), ['range-insert', 'sh-made']);
    await assertNoReload(check);
  } finally {
    await p.close();
  }
});

test('path: Range.surroundContents, a table\'s tHead/tFoot/caption setters and document.body = put trackers in: held, released in order after consent', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      const slot = document.getElementById('slot');
      // Each script gets its URL as an attribute node while detached: only the insertion
      // itself can catch it.
      const span = document.createElement('span');
      span.textContent = 'x';
      slot.appendChild(span);
      const r = document.createRange();
      r.selectNodeContents(span);
      r.surroundContents(TP.script('surround', 'attrnode'));
      const table = document.createElement('table');
      slot.appendChild(table);
      for (const part of ['tHead', 'tFoot', 'caption']) {
        const el = document.createElement(part === 'caption' ? 'caption' : part === 'tHead' ? 'thead' : 'tfoot');
        el.appendChild(TP.script('table-' + part, 'attrnode'));
        table[part] = el;
      }
    });
    await settle();
    assert.deepEqual(await ran(p.page), []);
    assertNotRequested(p, ['surround', 'table-tHead', 'table-tFoot', 'table-caption']);
    await p.page.evaluate(() => window.keksi.acceptAll());
    assert.ok(await until(async () => (await ran(p.page)).length >= 4), `after acceptAll: ran=${JSON.stringify(await ran(p.page))}`);
    assert.deepEqual(await ran(p.page), ['surround', 'table-tHead', 'table-tFoot', 'table-caption']);
  } finally {
    await p.close();
  }
  // A new body takes the page's place (keksi's banner with it; the API stays).
  const q = await open(PATHS);
  try {
    await q.page.evaluate(() => {
      const body = document.createElement('body');
      body.appendChild(TP.script('new-body', 'attrnode'));
      document.body = body;
    });
    await settle();
    assert.deepEqual(await ran(q.page), []);
    assertNotRequested(q, ['new-body']);
    await q.page.evaluate(() => window.keksi.acceptAll());
    assert.ok(await until(async () => (await ran(q.page)).length >= 1), 'the new body\'s script was not released');
    assert.deepEqual(await ran(q.page), ['new-body']);
  } finally {
    await q.close();
  }
});

test('a held iframe stays under the parent that inserted it: a framework can insert next to it and remove it, and its placeholder goes with it', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const r = await p.page.evaluate(async () => {
      const out = {};
      // What a framework does: render into its container, keep a reference, update, unmount.
      const container = document.createElement('div');
      document.getElementById('slot').appendChild(container);
      // The page's own rule for its iframes must not show the held one.
      const rule = document.createElement('style');
      rule.textContent = '#slot iframe { display: block !important; }';
      document.head.appendChild(rule);
      const frame = TP.iframe('fw-frame');
      container.appendChild(frame);
      await new Promise((r) => setTimeout(r, 50)); // the observer's turn
      out.parentKept = frame.parentNode === container;
      out.placeholderBefore = !!frame.previousElementSibling?.hasAttribute('data-keksi-placeholder');
      out.hidden = getComputedStyle(frame).display === 'none';
      try { container.insertBefore(document.createElement('p'), frame); out.insert = 'ok'; } catch (e) { out.insert = e.name; }
      container.prepend(frame); // moved: its placeholder follows
      await new Promise((r) => setTimeout(r, 50));
      out.followed = !!frame.previousElementSibling?.hasAttribute('data-keksi-placeholder') && container.querySelectorAll('[data-keksi-placeholder]').length === 1;
      try { container.removeChild(frame); out.remove = 'ok'; } catch (e) { out.remove = e.name; }
      await new Promise((r) => setTimeout(r, 50));
      out.placeholdersLeft = document.querySelectorAll('[data-keksi-placeholder]').length;
      return out;
    });
    assert.deepEqual(r, { parentKept: true, placeholderBefore: true, hidden: true, insert: 'ok', followed: true, remove: 'ok', placeholdersLeft: 0 });
    assert.deepEqual(await frames(p.page), []);
    assertNotRequested(p, ['fw-frame']);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

/** img + iframe put in with an HTML string by `fn` (ids <prefix>-img, <prefix>-frame). */
async function htmlStringTest(prefix, fn) {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(`(${fn})(${JSON.stringify(prefix)})`);
    await p.page.evaluate((x) => {
      const img = document.getElementById(`${x}-img`);
      if (img) TP.track(img, `${x}-img`);
    }, prefix);
    await settle();
    assert.deepEqual(await frames(p.page), [], 'iframe rendered before consent');
    assertNotRequested(p, [`${prefix}-img`, `${prefix}-frame`]);
    assertHeld(await describe(p.page, `${prefix}-img`), 'img', { category: 'advertising', url: `https://www.facebook.com/tr?id=1&ev=PageView&run=${prefix}-img` });
    assertHeld(await describe(p.page, `${prefix}-frame`), 'iframe', { category: 'functional', url: `https://www.youtube.com/embed/${prefix}-frame?run=${prefix}-frame` });
    assert.ok(await p.page.locator('[data-keksi-placeholder]').count() >= 1, 'no placeholder for the held iframe');

    const check = await setMarker(p.page);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await frames(p.page)).length >= 1 && p.net.ran(`${prefix}-img`).length >= 1),
      `after acceptAll: frames=${JSON.stringify(await frames(p.page))}, img requests=${p.net.ran(`${prefix}-img`).length}`);
    assert.ok(await until(() => p.page.evaluate((x) => document.getElementById(`${x}-img`).naturalWidth === 1, prefix)), 'image did not load');
    await settle(300);
    assert.deepEqual(await frames(p.page), [`${prefix}-frame`]);
    assert.equal(p.net.ran(`${prefix}-img`).length, 1);
    await assertNoReload(check);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
}

test('path: innerHTML (img, iframe)', { timeout: 30_000 }, () =>
  htmlStringTest('ih', (x) => {
    document.getElementById('slot').innerHTML = `<img id="${x}-img" src="${TP.pixel(`${x}-img`)}"><iframe id="${x}-frame" src="${TP.embed(`${x}-frame`)}"></iframe>`;
  }));

test('path: outerHTML (img, iframe)', { timeout: 30_000 }, () =>
  htmlStringTest('oh', (x) => {
    document.getElementById('ref').outerHTML = `<iframe id="${x}-frame" src="${TP.embed(`${x}-frame`)}"></iframe><img id="${x}-img" src="${TP.pixel(`${x}-img`)}">`;
  }));

test('path: insertAdjacentHTML (img, iframe)', { timeout: 30_000 }, () =>
  htmlStringTest('iah', (x) => {
    document.getElementById('ref').insertAdjacentHTML('afterend', `<img id="${x}-img" src="${TP.pixel(`${x}-img`)}">`);
    document.getElementById('slot').insertAdjacentHTML('beforeend', `<iframe id="${x}-frame" src="${TP.embed(`${x}-frame`)}"></iframe>`);
  }));

test('path: an <img srcset> naming a tracker in innerHTML is held, then released', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      const d = document.createElement('div');
      document.body.appendChild(d);
      d.innerHTML = '<img id="ss" srcset="' + TP.pixel('ih-srcset') + ' 1x, ' + TP.pixel('ih-srcset2') + ' 2x">';
      TP.track(document.getElementById('ss'), 'ih-srcset');
    });
    await settle();
    assertNotRequested(p, ['ih-srcset', 'ih-srcset2']);
    assert.equal(await p.page.evaluate(() => document.getElementById('ss').getAttribute('data-consent')), 'advertising');
    await acceptAll(p.page);
    assert.ok(await until(() => p.net.ran('ih-srcset').length + p.net.ran('ih-srcset2').length === 1), 'the srcset image did not load after consent');
  } finally {
    await p.close();
  }
});

test('path: an <img> with its own src and a srcset naming a tracker shows its own image while held and keeps it after consent', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const own = '/fixtures/autoblock/px.svg';
    const state = () => p.page.evaluate(() => [...document.querySelectorAll('.own-src')].map((i) => ({
      src: i.getAttribute('src'), srcset: i.getAttribute('srcset'), loaded: i.complete && i.naturalWidth > 0,
    })));
    await p.page.evaluate((own) => {
      const d = document.createElement('div');
      document.body.appendChild(d);
      d.innerHTML = '<img class="own-src" src="' + own + '" srcset="' + own + ' 1x, ' + TP.pixel('own-2x') + ' 2x">';
      const img = document.createElement('img');
      img.className = 'own-src';
      img.src = own;
      img.srcset = TP.pixel('own-set') + ' 1x';
      document.body.appendChild(img);
    }, own);
    await settle();
    assertNotRequested(p, ['own-2x', 'own-set']);
    assert.deepEqual(await state(), [{ src: own, srcset: null, loaded: true }, { src: own, srcset: null, loaded: true }], 'held: the own image shows');
    await acceptAll(p.page);
    assert.ok(await until(async () => (await state()).every((i) => i.srcset)), 'srcset not given back after consent');
    const after = await state();
    assert.deepEqual(after.map((i) => i.src), [own, own], 'the own src stays after consent (it was the tracker URL)');
  } finally {
    await p.close();
  }
});

test('path: an <img> held for a tracker in its srcset that the page then gives its own src (setter, setAttribute) is released with that src, not an older one', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const own = '/fixtures/autoblock/px.svg';
    await p.page.evaluate((own) => {
      const a = document.createElement('img');
      a.className = 'late-src';
      a.srcset = TP.pixel('ls-a') + ' 1x';
      document.body.appendChild(a);
      a.src = own + '?a';
      const b = document.createElement('img');
      b.className = 'late-src';
      b.src = own + '?old';
      b.setAttribute('srcset', TP.pixel('ls-b') + ' 2x');
      document.body.appendChild(b);
      b.setAttribute('src', own + '?b');
    }, own);
    await settle();
    assertNotRequested(p, ['ls-a', 'ls-b']);
    const state = () => p.page.evaluate(() => [...document.querySelectorAll('.late-src')].map((i) => [i.getAttribute('src'), !!i.getAttribute('srcset')]));
    assert.deepEqual(await state(), [[own + '?a', false], [own + '?b', false]], 'held: the page\'s own src shows');
    await acceptAll(p.page);
    assert.ok(await until(async () => (await state()).every(([, set]) => set)), 'srcset not given back after consent');
    assert.deepEqual(await state(), [[own + '?a', true], [own + '?b', true]], 'released with an older src than the page gave');
  } finally {
    await p.close();
  }
});

test('nodes from other documents (DOMParser, a <template> in the HTML, an XHR document) are held as they arrive: importNode, adoptNode, appendChild into a detached element, then inserted after an await', { timeout: 30_000 }, async () => {
  const run = (page) => page.evaluate(async () => {
    const parse = (label) => new DOMParser().parseFromString('<main><img src="' + TP.pixel(label) + '"></main>', 'text/html');
    const keep = [];
    keep.push(document.importNode(parse('dp-import').body, true));
    keep.push(document.adoptNode(parse('dp-adopt').body.firstChild));
    const box = document.createElement('div');
    box.appendChild(parse('dp-detached').body.firstChild);
    keep.push(box);
    await new Promise((r) => setTimeout(r, 50));
    for (const n of keep) document.body.appendChild(n);
  });
  const labels = ['dp-import', 'dp-adopt', 'dp-detached'];
  const c = await open(PATHS + '?keksi=off');
  try {
    await run(c.page);
    assert.ok(await until(() => labels.every((l) => c.net.ran(l).length > 0)), 'control: without keksi each is requested');
  } finally {
    await c.close();
  }
  const p = await open(PATHS);
  try {
    await run(p.page);
    await settle();
    assertNotRequested(p, labels);
    await acceptAll(p.page);
    assert.ok(await until(() => labels.every((l) => p.net.ran(l).length === 1)), `after consent: ${labels.map((l) => p.net.ran(l).length)}`);
  } finally {
    await p.close();
  }
});

test('a declarative shadow root in the page\'s HTML (a server-rendered web component): its tracker script does not run before consent, and runs once after it without a reload', { timeout: 30_000 }, async (t) => {
  const c = await open('/fixtures/autoblock/dsd.html?keksi=off');
  try {
    assert.ok(await until(async () => (await ran(c.page)).includes('dsd-js')), 'control: without keksi the script runs');
  } finally {
    await c.close();
  }
  // A known race (README → Automatic blocking → Limits): when the parser pauses between the
  // host's start tag and its template, the root is out of keksi's sight. Reported, and one
  // more load; the second must hold.
  let p = await open('/fixtures/autoblock/dsd.html');
  await settle();
  if ((await ran(p.page)).length) {
    t.diagnostic('the parser paused between the host and its template (documented race); loading again');
    await p.close();
    p = await open('/fixtures/autoblock/dsd.html');
    await settle();
  }
  try {
    assert.deepEqual(await ran(p.page), []);
    assert.equal(await p.page.evaluate(() => document.getElementById('host').shadowRoot.querySelector('script').getAttribute('data-consent')), 'analytics');
    assert.equal(await p.page.evaluate(() => document.getElementById('host').shadowRoot.getElementById('inside').textContent), 'shadow content');
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).includes('dsd-js')), 'released after consent without a reload');
    await settle();
    assert.deepEqual(await ran(p.page), ['dsd-js'], 'once');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('path: innerHTML <script src> never runs, not even after consent (as without keksi)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      document.getElementById('slot').innerHTML = `<script id="ih-script" src="${TP.js('ih-script')}"></script>`;
    });
    await settle();
    assertNotRequested(p, ['ih-script']);
    await acceptAll(p.page);
    await settle(800);
    assert.deepEqual(await ran(p.page), [], 'a <script> set via innerHTML ran after consent: browsers never run those, keksi must not start to');
  } finally {
    await p.close();
  }
});

test('path: Range.createContextualFragment <script src> (would run when inserted)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      const r = document.createRange();
      r.selectNodeContents(document.body);
      const frag = r.createContextualFragment(
        `<script id="ccf-a" src="${TP.js('ccf-a', { delay: 200 })}" onload="__loaded.push('ccf-a')"></script>` +
        `<script id="ccf-b" src="${TP.js('ccf-b', { host: TP.FB })}" onload="__loaded.push('ccf-b')"></script>`);
      document.getElementById('slot').appendChild(frag);
    });
    await settle();
    assert.deepEqual(await ran(p.page), []);
    assertNotRequested(p, ['ccf-a', 'ccf-b']);
    assertHeld(await describe(p.page, 'ccf-a'), 'ccf-a', { category: 'analytics', script: true });
    assertHeld(await describe(p.page, 'ccf-b'), 'ccf-b', { category: 'advertising', script: true });
    const check = await setMarker(p.page);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 2), `after acceptAll: ${JSON.stringify(await ran(p.page))}`);
    await settle(300);
    assert.deepEqual(await ran(p.page), ['ccf-a', 'ccf-b']);
    assert.deepEqual(sorted(await loaded(p.page)), ['ccf-a', 'ccf-b'], 'onload attributes of the released scripts did not fire');
    await assertNoReload(check);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('path: document.write / writeln during parsing (script, img, iframe)', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/docwrite.html');
  try {
    await settle();
    assert.deepEqual(await ran(p.page), ['dw-inline'], 'only the written inline (first-party) script may run before consent');
    assert.deepEqual(await frames(p.page), []);
    assertNotRequested(p, ['dw-a', 'dw-b', 'dw-img', 'dw-img2', 'dw-img3', 'dw-frame']);
    assertHeld(await describe(p.page, 'dw-a'), 'dw-a', { category: 'advertising', script: true });
    assertHeld(await describe(p.page, 'dw-b'), 'dw-b', { category: 'analytics', script: true });
    assertHeld(await describe(p.page, 'dw-img'), 'dw-img', { category: 'advertising' });
    assertHeld(await describe(p.page, 'dw-frame'), 'dw-frame', { category: 'functional' });
    assertHeld(await describe(p.page, 'dw-img2'), 'dw-img2', { category: 'advertising' });
    assert.match(await p.page.locator('#content').textContent(), /Content after/);
    // The page's own text is written, not a serialised copy that would close the <div> it
    // leaves open for the next write.
    assert.deepEqual(await p.page.evaluate(() => {
      const ad = document.getElementById('dw-ad');
      return {
        inside: !!document.getElementById('dw-inside').closest('#dw-ad'),
        img: document.getElementById('dw-img2').parentElement === ad,
        title: ad.title,
        alt: document.getElementById('dw-img2').alt,
        after: document.getElementById('content').parentElement.id,
        nextOutside: document.getElementById('dw-next').parentElement.id,
        img3In: document.getElementById('dw-img3').parentElement.id,
      };
    }), { inside: true, img: true, title: 'a & b', alt: 'x > y', after: 'main', nextOutside: 'main', img3In: 'dw-open' });

    const check = await setMarker(p.page);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 3 && (await frames(p.page)).length >= 1),
      `after acceptAll: ran=${JSON.stringify(await ran(p.page))} frames=${JSON.stringify(await frames(p.page))}`);
    assert.ok(await until(() => p.page.evaluate(() => document.getElementById('dw-img').naturalWidth === 1)), 'written image did not load');
    await settle(300);
    assert.deepEqual(await ran(p.page), ['dw-inline', 'dw-a', 'dw-b']);
    assert.deepEqual(await frames(p.page), ['dw-frame']);
    await assertNoReload(check);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('path: <link rel=stylesheet> (href setter, setAttribute) and <link rel=preload>', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  const colour = (id) => p.page.evaluate((i) => getComputedStyle(document.getElementById(i)).color, id);
  try {
    await p.page.evaluate(() => {
      const a = document.createElement('link');
      a.id = 'css-prop';
      a.rel = 'stylesheet';
      a.href = TP.HJ + '/c/style.css?run=css-prop';
      document.head.appendChild(a);
      const b = document.createElement('link');
      b.id = 'css-attr';
      b.rel = 'stylesheet';
      b.setAttribute('href', TP.GTM + '/t/style.css?run=css-attr');
      document.head.appendChild(b);
      const c = document.createElement('link');
      c.id = 'preload-1';
      c.rel = 'preload';
      c.as = 'script';
      c.href = TP.js('preload-1');
      document.head.appendChild(c);
      for (const x of ['css-prop', 'css-attr']) {
        const d = document.createElement('div');
        d.id = `probe-${x}`;
        d.setAttribute('data-css-probe', x);
        d.textContent = x;
        document.getElementById('main').appendChild(d);
      }
    });
    await settle();
    assertNotRequested(p, ['css-prop', 'css-attr', 'preload-1']);
    assert.notEqual(await colour('probe-css-prop'), 'rgb(1, 2, 3)', 'tracker stylesheet applied before consent');
    for (const id of ['css-prop', 'css-attr', 'preload-1']) assertHeld(await describe(p.page, id), `link#${id}`, { category: 'analytics', attr: 'href' });

    await acceptAll(p.page);
    assert.ok(await until(async () => (await colour('probe-css-prop')) === 'rgb(1, 2, 3)' && (await colour('probe-css-attr')) === 'rgb(1, 2, 3)'),
      'released stylesheets not applied after consent');
    assert.ok(await until(() => p.net.ran('preload-1').length >= 1), 'released preload not requested after consent');
    assert.deepEqual(await ran(p.page), [], 'a preload must not execute');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('path: navigator.sendBeacon', { timeout: 30_000 }, async () => {
  env.server.clear();
  const p = await open(PATHS);
  try {
    const pre = await p.page.evaluate(() => ({
      tracker: navigator.sendBeacon(TP.GA + '/g/collect?v=2&en=page_view&run=beacon-pre', 'x'),
      urlObject: navigator.sendBeacon(new URL(TP.FBTR + '?run=beacon-pre-url'), new Blob(['x'])),
      own: navigator.sendBeacon('/beacon-sink?b=1', 'x'),
    }));
    assert.deepEqual(pre, { tracker: false, urlObject: false, own: true }, 'sendBeacon before consent');
    await settle();
    assertNotRequested(p, ['beacon-pre', 'beacon-pre-url']);
    assert.ok(await until(() => env.server.requested('/beacon-sink').length === 1), 'the first-party beacon did not arrive');

    await acceptAll(p.page);
    const post = await p.page.evaluate(() => navigator.sendBeacon(TP.GA + '/g/collect?v=2&en=page_view&run=beacon-post', 'x'));
    assert.equal(post, true, 'sendBeacon to a tracker after consent');
    assert.ok(await until(() => p.net.ran('beacon-post').length === 1), 'beacon after consent not sent');
    await settle(300);
    assertNotRequested(p, ['beacon-pre', 'beacon-pre-url'], 'ever (a refused beacon was sent later)');
  } finally {
    await p.close();
  }
});

test('path: fetchLater (a deferred beacon) is never queued for a tracker before consent', { timeout: 30_000 }, async (t) => {
  // Deferred requests leave from the browser process, where the test's routing does not
  // see them: the browser's own fetchLater is watched instead (wrapped before keksi.js).
  const context = await newContext(env.browser);
  await routeThirdParty(context);
  await context.addInitScript(() => {
    if (typeof window.fetchLater !== 'function') return;
    const own = window.fetchLater;
    window.__later = [];
    window.fetchLater = function (url, init) {
      window.__later.push(String(url));
      return own.call(this, url, init);
    };
  });
  const p = await newPage(env, PATHS, { context, initScript: INIT });
  try {
    const got = await p.page.evaluate(() => {
      if (!window.__later) return null;
      const r = fetchLater(TP.GA + '/g/collect?v=2&run=later-pre', { activateAfter: 60000 });
      fetchLater('/beacon-sink?later=1', { activateAfter: 60000 });
      return { activated: r.activated, queued: window.__later.slice() };
    });
    if (got === null) return t.skip('no fetchLater in this engine');
    assert.equal(got.activated, false);
    assert.deepEqual(got.queued.map((u) => new URL(u, 'http://x').pathname), ['/beacon-sink'], 'only the first-party request reached the browser');
  } finally {
    await context.close();
  }
});

test('values keksi reads are read once, and what their conversion throws is thrown as without keksi (toString, Symbol)', { timeout: 30_000 }, async () => {
  const probe = () => {
    const out = {};
    let n = 0;
    const counted = (s) => ({ toString() { n++; return s; } });
    const count = (f) => { n = 0; f(); return n; };
    out.src = count(() => { document.createElement('img').src = counted('/own.png'); });
    out.attr = count(() => document.createElement('img').setAttribute('src', counted('/own.png')));
    out.html = count(() => { document.createElement('div').innerHTML = counted('<b>x</b>'); });
    out.adjacent = count(() => document.createElement('div').insertAdjacentHTML('beforeend', counted('<i>y</i>')));
    out.beacon = count(() => navigator.sendBeacon(counted('/beacon-sink?b=2'), 'x'));
    out.fetch = count(() => fetch(counted('/beacon-sink?f=2')).catch(() => {}));
    out.xhr = count(() => new XMLHttpRequest().open('GET', counted('/beacon-sink?x=2')));
    out.storage = count(() => localStorage.setItem(counted('probe_key'), 'v'));
    const boom = new Error('boom');
    const thrower = { toString() { throw boom; } };
    const thrown = (f) => { try { f(); return 'no throw'; } catch (e) { return e === boom ? 'page error' : e.name; } };
    out.throwSrc = thrown(() => { document.createElement('img').src = thrower; });
    out.throwAttr = thrown(() => document.createElement('script').setAttribute('src', thrower));
    out.throwHtml = thrown(() => { document.createElement('div').innerHTML = thrower; });
    out.throwBeacon = thrown(() => navigator.sendBeacon(thrower));
    out.throwStorage = thrown(() => localStorage.setItem(thrower, 'v'));
    out.symbolSrc = thrown(() => { document.createElement('img').src = Symbol('s'); });
    out.symbolAttr = thrown(() => document.createElement('iframe').setAttribute('src', Symbol('s')));
    out.symbolXhr = thrown(() => new XMLHttpRequest().open('GET', Symbol('s')));
    out.missing = thrown(() => localStorage.removeItem());
    return out;
  };
  const control = await open(PATHS + '?keksi=off');
  let want;
  try {
    want = await control.page.evaluate(probe);
  } finally {
    await control.close();
  }
  assert.equal(want.src, 1, 'set up: the browser reads a value once');
  const p = await open(PATHS);
  try {
    assert.deepEqual(await p.page.evaluate(probe), want);
  } finally {
    await p.close();
  }
});

test('path: fetch', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const pre = await p.page.evaluate(async () => {
      const out = {};
      const tries = {
        string: () => fetch(TP.GA + '/g/collect?run=fetch-pre', { method: 'POST', body: 'x', keepalive: true }),
        request: () => fetch(new Request(TP.GA + '/g/collect?run=fetch-pre-req', { method: 'POST', body: 'x' })),
        urlObject: () => fetch(new URL(TP.FBTR + '?run=fetch-pre-url'), { mode: 'no-cors' }),
        // What the browser requests, not what a `url` property says: a plain object is
        // read as a string, a Request by its own URL (a subclass's getter or an own `url`
        // property notwithstanding, as for one from a frame's realm).
        urlProperty: () => fetch({ url: '/beacon-sink', toString: () => TP.FBTR + '?run=fetch-pre-obj' }, { mode: 'no-cors' }),
        subclass: () => fetch(new (class extends Request { get url() { return '/beacon-sink'; } })(TP.FBTR + '?run=fetch-pre-sub'), { mode: 'no-cors' }),
        ownUrl: () => fetch(Object.defineProperty(new Request(TP.FBTR + '?run=fetch-pre-own'), 'url', { value: '/beacon-sink' }), { mode: 'no-cors' }),
        own: () => fetch('/beacon-sink?f=1'),
      };
      for (const [k, f] of Object.entries(tries)) {
        try {
          out[k] = (await f()).status;
        } catch (e) {
          out[k] = e instanceof TypeError ? 'TypeError' : `${e && e.name}: ${e && e.message}`;
        }
      }
      return out;
    });
    assert.deepEqual(pre, { string: 'TypeError', request: 'TypeError', urlObject: 'TypeError', urlProperty: 'TypeError', subclass: 'TypeError', ownUrl: 'TypeError', own: 204 }, 'fetch before consent');
    // Rejected as a request that fails offline is (later, with the browser's own message),
    // not at once: error trackers (zone.js, Sentry) take a promise rejected at once and
    // caught a moment later for an unhandled rejection.
    const failure = (u) => p.page.evaluate(async (u) => {
      let settled = false;
      const r = fetch(u, { method: 'POST', body: 'x' }).then(() => 'resolved', (e) => `${e.name}: ${e.message}`).finally(() => { settled = true; });
      await Promise.resolve();
      await Promise.resolve();
      const early = settled;
      return { early, result: await r };
    }, u);
    const offline = await failure('https://offline.invalid/collect');
    assert.equal(offline.early, false, 'control: a failing request settles after a microtask');
    const late = await failure('https://www.google-analytics.com/g/collect?run=fetch-pre-late');
    assert.equal(late.result, offline.result, 'a fetch to a tracker fails with the browser\'s own error');
    // Firefox fails a fetch of a revoked blob: URL within a microtask (its own behaviour).
    if (!IS_FIREFOX) assert.equal(late.early, false, 'a fetch to a tracker fails later, as an offline one does');
    await settle();
    assertNotRequested(p, ['fetch-pre', 'fetch-pre-req', 'fetch-pre-url', 'fetch-pre-obj', 'fetch-pre-sub', 'fetch-pre-own', 'fetch-pre-late']);

    await acceptAll(p.page);
    const post = await p.page.evaluate(async () => {
      try {
        const r = await fetch(TP.GA + '/g/collect?run=fetch-post', { method: 'POST', body: 'x' });
        return { status: r.status, body: await r.text() };
      } catch (e) {
        return String(e);
      }
    });
    assert.deepEqual(post, { status: 200, body: 'ok' }, 'fetch to a tracker after consent');
    assert.equal(p.net.ran('fetch-post').length, 1);
    await settle(300);
    assertNotRequested(p, ['fetch-pre', 'fetch-pre-req', 'fetch-pre-url'], 'ever');
  } finally {
    await p.close();
  }
});

test('path: XMLHttpRequest', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  const xhr = (url) => p.page.evaluate((u) => new Promise((resolve) => {
    const x = new XMLHttpRequest();
    const events = [];
    x.open('GET', u);
    for (const ev of ['load', 'error', 'abort', 'timeout']) x.addEventListener(ev, () => { events.push(ev); resolve({ events, status: x.status }); });
    x.send();
    // A guard against a request that never settles; generous, as a loaded machine can
    // hold Firefox's `load` for over half a second after the status is in.
    setTimeout(() => resolve({ events, status: x.status, pending: true }), 5000);
  }), url);
  try {
    const own = await xhr('/beacon-sink?x=1');
    assert.deepEqual(own, { events: ['load'], status: 204 }, 'first-party XHR');
    const pre = await xhr('https://www.google-analytics.com/g/collect?run=xhr-pre');
    // Failed as a network error would fail it: the page's callbacks and promises settle.
    assert.deepEqual(pre, { events: ['error'], status: 0 }, `tracker XHR before consent: ${JSON.stringify(pre)}`);
    // A POST: its events come as for a request that fails offline (a host that does not resolve
    // on): loadstart inside send(), error and loadend after it returns (a handler added
    // after send() still hears them).
    const order = (u) => p.page.evaluate((u) => new Promise((resolve) => {
      const x = new XMLHttpRequest();
      const log = [];
      x.open('POST', u);
      for (const ev of ['loadstart', 'load', 'error', 'loadend']) x.addEventListener(ev, () => log.push(ev));
      x.send('v=2&en=page_view');
      log.push('sent');
      x.addEventListener('loadend', () => setTimeout(() => resolve(log), 0));
      setTimeout(() => resolve(log.concat('timeout')), 3000);
    }), u);
    const offline = await order('https://offline.invalid/collect');
    assert.deepEqual(offline, ['loadstart', 'sent', 'error', 'loadend'], 'control: a request that fails offline');
    assert.deepEqual(await order('https://www.google-analytics.com/g/collect?run=xhr-pre-post'), offline, 'tracker POST before consent');
    assertNotRequested(p, ['xhr-pre', 'xhr-pre-post']);

    await acceptAll(p.page);
    const post = await xhr('https://www.google-analytics.com/g/collect?run=xhr-post');
    assert.deepEqual(post, { events: ['load'], status: 200 }, 'tracker XHR after consent');
    assert.equal(p.net.ran('xhr-post').length, 1);
    await settle(300);
    assertNotRequested(p, ['xhr-pre'], 'ever');
  } finally {
    await p.close();
  }
});

test('a same-origin iframe is governed like the page: its fetch, sendBeacon, XMLHttpRequest, insertions, HTML strings, document.write, srcdoc, cookies and storage; released after consent', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    // A "friendly" about:blank frame, the way ad and analytics code gets unpatched built-ins.
    const pre = await p.page.evaluate(async () => {
      const out = {};
      const f = document.createElement('iframe');
      document.body.appendChild(f);
      const w = f.contentWindow;
      const d = f.contentDocument;
      try {
        await w.fetch(TP.GA + '/g/collect?run=frame-fetch');
        out.fetch = 'sent';
      } catch (e) {
        out.fetch = e.name;
      }
      out.beacon = w.navigator.sendBeacon(TP.GA + '/g/collect?run=frame-beacon', 'x');
      out.xhr = await new Promise((resolve) => {
        const x = new w.XMLHttpRequest();
        x.open('GET', TP.GA + '/g/collect?run=frame-xhr');
        x.onloadend = () => resolve(x.status);
        x.send();
      });
      const s = d.createElement('script');
      s.src = TP.js('frame-script');
      d.head.appendChild(s);
      const i = d.createElement('img');
      i.src = TP.pixel('frame-img');
      d.body.appendChild(i);
      const yt = d.createElement('iframe');
      yt.src = TP.embed('frame-yt');
      d.body.appendChild(yt);
      d.body.insertAdjacentHTML('beforeend', '<img id="fh" src="' + TP.pixel('frame-html') + '">');
      d.cookie = '_ga=GA1.1.frame; path=/';
      w.localStorage.setItem('_hjid', 'frame');
      // frames[0] reached without contentWindow, after an insertion
      const g = document.createElement('iframe');
      document.body.appendChild(g);
      const gw = window.frames[window.frames.length - 1];
      out.beacon2 = gw.navigator.sendBeacon(TP.GA + '/g/collect?run=frame-beacon2', 'x');
      gw.document.write('<script src="' + TP.js('frame-write') + '"><\/script>');
      gw.document.close();
      const h = document.createElement('iframe');
      h.srcdoc = '<script src="' + TP.js('frame-srcdoc') + '"><\/script>';
      document.body.appendChild(h);
      const k = document.createElement('iframe');
      k.setAttribute('srcdoc', '<img src="' + TP.pixel('frame-srcdoc-attr') + '">');
      document.body.appendChild(k);
      window.__srcdocFrame = k;
      const m = document.createElement('div');
      m.innerHTML = '<iframe srcdoc="&lt;img src=&quot;' + TP.pixel('frame-srcdoc-html') + '&quot;&gt;"></iframe>';
      document.body.appendChild(m);
      // made by an HTML string in the page, reached through frames[] at once
      document.body.insertAdjacentHTML('beforeend', '<iframe></iframe>');
      out.beacon3 = window.frames[window.frames.length - 1].navigator.sendBeacon(TP.GA + '/g/collect?run=frame-beacon3', 'x');
      // a frame inside the friendly frame
      const n = d.createElement('iframe');
      d.body.appendChild(n);
      out.beacon4 = n.contentWindow.navigator.sendBeacon(TP.GA + '/g/collect?run=frame-beacon4', 'x');
      // an iframe that a srcdoc document's own parser makes, reached after it loaded
      const q = document.createElement('iframe');
      q.srcdoc = '<p>nested</p><iframe></iframe>';
      window.__nestedLoaded = new Promise((resolve) => q.addEventListener('load', resolve));
      document.body.appendChild(q);
      window.__nested = q;
      window.__friendly = f;
      // An <object> showing a same-origin document, and a window opened on about:blank.
      const o = document.createElement('object');
      o.type = 'text/html';
      o.data = '/fixtures/autoblock/base.html';
      window.__objLoaded = new Promise((resolve) => o.addEventListener('load', resolve));
      document.body.appendChild(o);
      const pop = window.open('about:blank', '_blank');
      out.popup = pop ? pop.navigator.sendBeacon(TP.GA + '/g/collect?run=frame-popup', 'x') : 'no popup';
      if (pop) pop.close();
      return out;
    });
    const obj = await p.page.evaluate(async () => {
      await window.__objLoaded;
      const w = document.querySelector('object').contentWindow;
      return w ? w.navigator.sendBeacon(TP.GA + '/g/collect?run=frame-object', 'x') : 'no window';
    });
    assert.equal(obj, false, 'an <object> document\'s sendBeacon before consent');
    const nested = await p.page.evaluate(async () => {
      await window.__nestedLoaded;
      return window.__nested.contentWindow.frames[0].navigator.sendBeacon(TP.GA + '/g/collect?run=frame-beacon5', 'x');
    });
    assert.equal(nested, false, 'a frame made by a srcdoc document\'s parser: sendBeacon before consent');
    // WebKit's automation refuses pop-ups opened without a user gesture.
    const popup = process.env.KEKSI_E2E_ENGINE === 'webkit' ? 'no popup' : false;
    assert.deepEqual(pre, { fetch: 'TypeError', beacon: false, xhr: 0, beacon2: false, beacon3: false, beacon4: false, popup }, 'the frame\'s beacons before consent');
    await settle(600);
    assertNotRequested(p, ['frame-fetch', 'frame-beacon', 'frame-beacon2', 'frame-beacon3', 'frame-beacon4', 'frame-beacon5', 'frame-object', 'frame-popup', 'frame-xhr', 'frame-script', 'frame-img', 'frame-yt', 'frame-html',
      'frame-write', 'frame-srcdoc', 'frame-srcdoc-attr', 'frame-srcdoc-html']);
    const jar = await p.page.evaluate(() => ({ cookie: document.cookie, stored: localStorage.getItem('_hjid') }));
    assert.ok(!/(^|; )_ga=/.test(jar.cookie), `the frame wrote _ga before consent: ${jar.cookie}`);
    assert.equal(jar.stored, null, 'the frame stored _hjid before consent');

    await acceptAll(p.page);
    assert.ok(await until(() => p.net.ran('frame-script').length === 1 && p.net.ran('frame-img').length === 1 && p.net.ran('frame-yt').length === 1),
      `held elements of the frame not released: ${JSON.stringify(p.net.log.map((e) => e.run))}`);
    assert.ok(await until(async () => (await p.page.evaluate(() => localStorage.getItem('_hjid'))) === 'frame'),
      'the frame\'s held storage write was not replayed into localStorage');
    const post = await p.page.evaluate(() => window.__friendly.contentWindow.navigator.sendBeacon(TP.GA + '/g/collect?run=frame-beacon-post', 'x'));
    assert.equal(post, true, 'the frame\'s sendBeacon after consent');
    assert.ok(await until(() => p.net.ran('frame-beacon-post').length === 1), 'the frame\'s beacon after consent not sent');
    assertNotRequested(p, ['frame-fetch', 'frame-beacon', 'frame-xhr'], 'ever');
    // What a srcdoc document held is released too, and again when the frame reloads it
    // (a moved frame reloads; its cleaned srcdoc still holds the pixel).
    assert.ok(await until(() => p.net.ran('frame-srcdoc-attr').length === 1), 'the srcdoc frame\'s pixel was not released');
    await p.page.evaluate(() => document.body.prepend(window.__srcdocFrame));
    assert.ok(await until(() => p.net.ran('frame-srcdoc-attr').length === 2), 'the reloaded srcdoc frame\'s pixel was not released');
    // Released once: a later change of choice does not load the frame's elements again.
    await p.page.evaluate(() => window.keksi.accept(['analytics', 'advertising', 'functional']));
    await settle(400);
    assert.equal(p.net.ran('frame-yt').length, 1, 'the frame\'s released iframe loaded again');
    assert.equal(p.net.ran('frame-img').length, 1, 'the frame\'s released pixel was requested again');
    assert.equal(p.net.ran('frame-script').length, 1, 'the frame\'s released script was requested again');
  } finally {
    await p.close();
  }
});

test('a same-origin frame made after the page changed built-ins (an Array.prototype[0] setter, String.prototype.split, Array.prototype.forEach, an Object.prototype setter) is still governed', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const pre = await p.page.evaluate(() => {
      const out = {};
      const split = String.prototype.split, forEach = Array.prototype.forEach;
      // What a page's own (or a polyfill's) script may do before it makes a frame.
      Object.defineProperty(Array.prototype, '0', { set() {}, configurable: true });
      Object.defineProperty(Object.prototype, 'Node.appendChild', { set() {}, configurable: true });
      String.prototype.split = function () { return []; };
      Array.prototype.forEach = function () {};
      let w, d;
      try {
        const f = document.createElement('iframe');
        document.body.appendChild(f);
        w = f.contentWindow; // keksi patches the frame's realm here
        d = f.contentDocument;
      } finally {
        delete Array.prototype[0];
        delete Object.prototype['Node.appendChild'];
        String.prototype.split = split;
        Array.prototype.forEach = forEach;
      }
      out.beacon = w.navigator.sendBeacon(TP.GA + '/g/collect?run=odd-frame-beacon', 'x');
      const s = d.createElement('script');
      s.src = TP.js('odd-frame-script');
      d.head.appendChild(s);
      const i = d.createElement('img');
      i.src = TP.pixel('odd-frame-img');
      d.body.appendChild(i);
      return out;
    });
    assert.deepEqual(pre, { beacon: false }, 'the frame\'s sendBeacon before consent');
    await settle(600);
    assertNotRequested(p, ['odd-frame-beacon', 'odd-frame-script', 'odd-frame-img']);
  } finally {
    await p.close();
  }
});

test('a whole document written into a frame (an editor\'s, with a video embed; a printed page with a <noscript> pixel) or given as srcdoc keeps its doctype, <html> and <body> attributes; the embed is held', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const got = await p.page.evaluate(async () => {
      const f = document.createElement('iframe');
      document.body.appendChild(f);
      const d = f.contentDocument;
      d.open();
      d.write('<!DOCTYPE html><html dir="ltr" lang="fi"><head><title>editor</title></head>' +
        '<body class="cke_editable" id="eb" spellcheck="false"><p id="para">text</p><iframe id="yt" src="' + TP.embed('ed-yt') + '"></iframe>');
      d.write('<p id="later">later</p></body></html>');
      d.close();
      const s = document.createElement('iframe');
      s.srcdoc = '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd"><html lang="sv"><body class="sd"><img src="' + TP.pixel('sd-img') + '"></body></html>';
      const loaded = new Promise((r) => s.addEventListener('load', r));
      document.body.appendChild(s);
      await loaded;
      const sd = s.contentDocument;
      // "Print this page": the page, its Meta Pixel <noscript> included, copied into a frame.
      const pr = document.createElement('iframe');
      document.body.appendChild(pr);
      const pd = pr.contentDocument;
      pd.open();
      pd.write('<!doctype html><html lang="fi" class="site"><head><noscript><img src="' + TP.pixel('print-ns') + '"></noscript>' +
        '<noscript><img src="/fixtures/autoblock/px.svg"></noscript></head><body class="invoice"><h1>Invoice</h1><img id="pi" src="' + TP.pixel('print-img') + '"></body></html>');
      pd.close();
      // Where no script runs, a <noscript>'s content is elements: its pixel is held too.
      const sb = document.createElement('iframe');
      sb.setAttribute('sandbox', 'allow-same-origin');
      sb.srcdoc = '<!doctype html><html lang="fi"><body><noscript><img src="' + TP.pixel('sandbox-ns') + '"></noscript></body></html>';
      const sbLoaded = new Promise((r) => sb.addEventListener('load', r));
      document.body.appendChild(sb);
      await sbLoaded;
      return {
        printMode: pd.compatMode, printLang: pd.documentElement.lang, printClass: pd.documentElement.className,
        printBody: pd.body.className, printHeld: pd.getElementById('pi').getAttribute('data-consent'),
        sandboxHeld: sb.contentDocument.querySelector('img')?.getAttribute('data-consent'),
        mode: d.compatMode, lang: d.documentElement.lang, dir: d.documentElement.dir, bodyClass: d.body.className,
        bodyId: d.body.id, para: !!d.getElementById('para'), later: d.getElementById('later')?.parentElement === d.body,
        ytHeld: d.getElementById('yt').getAttribute('data-consent'),
        srcdocMode: sd.compatMode, srcdocLang: sd.documentElement.lang, srcdocBody: sd.body.className,
        srcdocDoctype: sd.doctype && sd.doctype.publicId,
      };
    });
    assert.deepEqual(got, {
      mode: 'CSS1Compat', lang: 'fi', dir: 'ltr', bodyClass: 'cke_editable', bodyId: 'eb', para: true, later: true,
      ytHeld: 'functional', srcdocMode: 'CSS1Compat', srcdocLang: 'sv', srcdocBody: 'sd', srcdocDoctype: '-//W3C//DTD HTML 4.01//EN',
      printMode: 'CSS1Compat', printLang: 'fi', printClass: 'site', printBody: 'invoice', printHeld: 'advertising',
      // Firefox's inert parse reads a <noscript> as text, as a page that runs scripts does
      // (README, Limits: such a frame's <noscript> pixel loads in Firefox).
      sandboxHeld: IS_FIREFOX ? got.sandboxHeld : 'advertising',
    });
    await settle();
    assertNotRequested(p, ['ed-yt', 'sd-img', 'print-ns', 'print-img'].concat(IS_FIREFOX ? [] : ['sandbox-ns']));
  } finally {
    await p.close();
  }
});

test('HTML strings: only the held tags change, the rest stays as the page wrote it (tables, declarative shadow roots, script text, a frame head\'s <noscript>)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const got = await p.page.evaluate(async () => {
      const out = {};
      // "<body" inside an attribute must not turn a table row string into a document.
      const t = document.createElement('table');
      const tb = t.createTBody();
      document.body.appendChild(t);
      tb.innerHTML = '<tr data-tip="<body>"><td>1</td><td><img id="tbl-img" src="' + TP.pixel('tbl-img') + '"></td></tr><tr><td>2</td></tr>';
      out.rows = tb.rows.length;
      out.cells = tb.rows[0].cells.length;
      // A declarative shadow root: its tracker held too.
      const host = document.createElement('div');
      document.body.appendChild(host);
      host.setHTMLUnsafe('<div id="dsd"><template shadowrootmode="open"><img id="dsd-img" src="' + TP.pixel('dsd-img') + '"></template></div>');
      const root = document.getElementById('dsd').shadowRoot;
      out.dsd = root ? root.getElementById('dsd-img').getAttribute('data-consent') : 'no shadow root';
      // Markup given to a script is its code.
      const s = document.createElement('script');
      s.innerHTML = "window.__x = '<img src=\\'" + TP.pixel('script-text') + "\\'>'; if (1 && 2 > 1) window.__scriptRan = 1;";
      document.head.appendChild(s);
      out.scriptRan = window.__scriptRan === 1;
      // Meta Pixel's snippet in the head of a document written into a frame.
      const f = document.createElement('iframe');
      document.body.appendChild(f);
      const d = f.contentDocument;
      d.open();
      d.write('<!DOCTYPE html><html><head><title>T</title><script src="' + TP.js('head-fb', { host: TP.FB }) + '"><\/script>' +
        '<noscript><img height="1" width="1" src="' + TP.pixel('head-noscript') + '&noscript=1"></noscript><meta name="m" content="c"></head><body><p>x</p></body></html>');
      d.close();
      out.title = d.title;
      out.metaInHead = !!d.head.querySelector('meta[name=m]');
      // A write that ends inside a textarea, finished by the next one.
      const g = document.createElement('iframe');
      document.body.appendChild(g);
      const e = g.contentDocument;
      e.open();
      e.write('<img src="' + TP.pixel('ta-img') + '"><textarea id="ta">abc');
      e.write('def</textarea><p id="after-ta">after</p>');
      e.close();
      out.textarea = e.getElementById('ta').value;
      out.afterTa = !!e.getElementById('after-ta');
      window.__nsFrame = f;
      return out;
    });
    assert.deepEqual(got, { rows: 2, cells: 2, dsd: 'advertising', scriptRan: true, title: 'T', metaInHead: true, textarea: 'abcdef', afterTa: true });
    await settle();
    assertNotRequested(p, ['tbl-img', 'dsd-img', 'script-text', 'head-fb', 'head-noscript', 'ta-img']);
    await acceptAll(p.page);
    assert.ok(await until(() => p.net.ran('tbl-img').length === 1), 'the table image was not released');
    await settle(500);
    // With scripts on, a <noscript>'s content is text: never requested, before or after.
    assertNotRequested(p, ['head-noscript', 'script-text'], 'ever');
  } finally {
    await p.close();
  }
});

test('a held element the page then gives a URL that is no tracker loads that URL, before consent and after it (the tracker never comes back)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(async () => {
      // A script given a tracker URL, then its own (a loader's fallback): before insertion,
      // and once it is in the document, by setAttribute.
      const a = document.createElement('script');
      a.src = TP.js('re-a');
      a.src = '/fixtures/autoblock/fp.js?run=re-own-a';
      document.head.append(a);
      const b = document.createElement('script');
      b.src = TP.js('re-b');
      document.head.append(b);
      b.setAttribute('src', '/fixtures/autoblock/fp.js?run=re-own-b');
      // A pixel element reused for the page's own image; an iframe a modal stops.
      const i = TP.track(new Image(), 're-img');
      i.src = TP.pixel('re-img');
      i.src = '/fixtures/autoblock/px.svg';
      document.body.append(i);
      const f = document.createElement('iframe');
      f.id = 're-frame';
      f.src = TP.embed('re-frame');
      document.body.append(f);
      await new Promise((r) => setTimeout(r, 100));
      f.src = 'about:blank';
    });
    await settle();
    const state = () => p.page.evaluate(() => {
      const f = document.getElementById('re-frame');
      const i = window.__els['re-img'];
      return {
        ran: window.__ran.filter((l) => l.startsWith('re-')).sort(),
        img: i.getAttribute('src'),
        imgLoaded: window.__loaded.includes('re-img'),
        frame: f.getAttribute('src'),
        frameHeld: f.hasAttribute('data-consent') || f.hasAttribute('data-keksi-parked') || getComputedStyle(f).display === 'none',
      };
    });
    const want = { ran: ['re-own-a', 're-own-b'], img: '/fixtures/autoblock/px.svg', imgLoaded: true, frame: 'about:blank', frameHeld: false };
    assert.deepEqual(await state(), want, 'before consent');
    await acceptAll(p.page);
    await settle();
    assert.deepEqual(await state(), want, 'after consent');
    assertNotRequested(p, ['re-a', 're-b', 're-img', 're-frame'], 'ever');
  } finally {
    await p.close();
  }
});

test('path: new Image().src pixel', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      window.__px = TP.img('px-pre'); // new Image-like, never inserted
      const j = new Image(1, 1);
      TP.track(j, 'px-pre2');
      j.src = TP.pixel('px-pre2');
    });
    await settle();
    assertNotRequested(p, ['px-pre', 'px-pre2']);
    assertHeld(await describe(p.page, 'px-pre'), 'detached pixel', { category: 'advertising', url: 'https://www.facebook.com/tr?id=1&ev=PageView&run=px-pre' });
    assert.deepEqual(await loaded(p.page), []);

    await acceptAll(p.page);
    await p.page.evaluate(() => {
      const k = new Image();
      TP.track(k, 'px-post');
      k.src = TP.pixel('px-post');
    });
    assert.ok(await until(() => p.net.ran('px-post').length === 1), 'a pixel issued after consent was not requested');
    assert.ok(await until(async () => (await loaded(p.page)).length >= 3),
      `held pixels not released after consent: loaded=${JSON.stringify(await loaded(p.page))}, requests: ${JSON.stringify(p.net.log.map((e) => e.run))}`);
    assert.deepEqual(sorted(await loaded(p.page)), ['px-post', 'px-pre', 'px-pre2']);
    assert.equal(p.net.ran('px-pre').length, 1);
  } finally {
    await p.close();
  }
});

test('release order: a slow async vendor script holds the next one up for 1.5 s at most, not until it loads', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      document.head.appendChild(TP.script('slow-1', 'prop', { delay: 8000 })); // async, as snippets make them
      document.head.appendChild(TP.script('next-2', 'prop', { host: TP.FB }));
    });
    await settle();
    assert.deepEqual(await ran(p.page), []);
    const t0 = Date.now();
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).includes('next-2'), { timeout: 5000 }), `the second vendor waited for the slow one: ${JSON.stringify(await ran(p.page))}`);
    const waited = Date.now() - t0;
    assert.ok(waited >= 1000 && waited < 4500, `released after ${waited} ms`);
    assert.deepEqual(await ran(p.page), ['next-2'], 'the slow one ran before it loaded');
  } finally {
    await p.close();
  }
});

test('release order: held scripts from mixed paths and categories run in arrival order', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      document.head.appendChild(TP.script('ord-1', 'prop', { delay: 400 })); // analytics, slowest
      const r = document.createRange();
      r.selectNodeContents(document.body);
      document.body.appendChild(r.createContextualFragment(
        `<script id="ord-2" src="${TP.js('ord-2', { host: TP.FB, delay: 150 })}" onload="__loaded.push('ord-2')"></script>`));
      const ref = document.getElementById('ref');
      ref.parentNode.insertBefore(TP.script('ord-3', 'attr', { host: TP.HJ }), ref);
      const inline = document.createElement('script');
      inline.textContent = '__ran.push("inline-between")'; // first-party inline: runs at once
      document.body.append(inline);
      document.getElementById('slot').append(TP.script('ord-4', 'prop', { host: TP.GTM, delay: 80 }));
      document.getElementById('ref').after(TP.script('ord-5', 'attrnode', { host: TP.FB }));
    });
    await settle();
    assert.deepEqual(await ran(p.page), ['inline-between']);
    assertNotRequested(p, ['ord-1', 'ord-2', 'ord-3', 'ord-4', 'ord-5']);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 6), `after acceptAll: ${JSON.stringify(await ran(p.page))}`);
    await settle(400);
    assert.deepEqual(await ran(p.page), ['inline-between', 'ord-1', 'ord-2', 'ord-3', 'ord-4', 'ord-5']);
    assert.deepEqual(sorted(await loaded(p.page)), ['ord-1', 'ord-2', 'ord-3', 'ord-4', 'ord-5']);
  } finally {
    await p.close();
  }
});

/** lib then plugin, both async=false, each inserted before the first <script> (the GTM /
 *  Pixel insertion pattern): natively they run in insertion order whatever their DOM order. */
function insertOrdered(page) {
  return page.evaluate(() => {
    const ins = (label, opts) => {
      const j = TP.script(label, 'prop', opts);
      j.async = false;
      const f = document.getElementsByTagName('script')[0];
      f.parentNode.insertBefore(j, f);
    };
    ins('lib', { delay: 300 });
    ins('plugin', { host: TP.FB });
  });
}

test('release order: async=false scripts inserted before the first <script> keep insertion order (lib, then plugin)', { timeout: 30_000 }, async () => {
  const c = await open(PATHS + '?keksi=off');
  try {
    await insertOrdered(c.page);
    assert.ok(await until(async () => (await ran(c.page)).length >= 2));
    assert.deepEqual(await ran(c.page), ['lib', 'plugin'], 'control without keksi');
  } finally {
    await c.close();
  }
  const p = await open(PATHS);
  try {
    await insertOrdered(p.page);
    await settle();
    assert.deepEqual(await ran(p.page), []);
    assertNotRequested(p, ['lib', 'plugin']);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 2), `after acceptAll: ${JSON.stringify(await ran(p.page))}`);
    await settle(300);
    assert.deepEqual(await ran(p.page), ['lib', 'plugin'], 'released in DOM order instead of insertion order: the plugin ran before its library');
  } finally {
    await p.close();
  }
});

test('parser-inserted tracker scripts after keksi.js never run before consent (async, defer, classic)', { timeout: 30_000 }, async () => {
  // (the preload scanner may fetch these: §4 allows that; they must not run or render)
  const p = await open('/fixtures/autoblock/parser.html');
  try {
    await settle(600);
    assert.deepEqual(await ran(p.page), [], 'a parser-inserted tracker script ran before consent');
    const img = await p.page.evaluate(() => ({ complete: document.getElementById('parser-img').complete, w: document.getElementById('parser-img').naturalWidth, src: document.getElementById('parser-img').getAttribute('src') }));
    assert.equal(img.w, 0, `parser-inserted tracker image rendered before consent (${JSON.stringify(img)})`);
    assert.match(await p.page.locator('#content').textContent(), /Content after/);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 3), `after acceptAll: ${JSON.stringify(await ran(p.page))}`);
    assert.ok(await until(() => p.page.evaluate(() => document.getElementById('parser-img').naturalWidth === 1)), 'image not released after consent');
    await settle(300);
    assert.deepEqual(sorted(await ran(p.page)), ['parser-async', 'parser-classic', 'parser-defer']);
    assert.equal(count(await ran(p.page), 'parser-classic'), 1);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// What must stay untouched, and what must not slip through

test('first-party, relative, data:, blob:, unknown and look-alike hosts run normally before consent', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const expected = await p.page.evaluate(() => {
      const labels = [];
      const add = (src, label, how = 'prop') => {
        const s = document.createElement('script');
        if (how === 'attr') s.setAttribute('src', src);
        else s.src = src;
        s.id = `fp-${label}`;
        document.head.appendChild(s);
        labels.push(label);
      };
      add('fp.js?run=relative', 'relative');
      add('/fixtures/autoblock/fp.js?run=root', 'root');
      add(location.origin + '/fixtures/autoblock/fp.js?run=absolute', 'absolute');
      add('/fixtures/autoblock/fp.js?ref=https://www.google-analytics.com/&run=tracker-in-query', 'tracker-in-query');
      add('/fixtures/autoblock/fp.js?ref=https%3A%2F%2Fconnect.facebook.net%2F&run=tracker-in-query-enc', 'tracker-in-query-enc', 'attr');
      add('data:text/javascript,' + encodeURIComponent('/* https://www.google-analytics.com/ */ __ran.push("data")'), 'data');
      add(URL.createObjectURL(new Blob(['__ran.push("blob")'], { type: 'text/javascript' })), 'blob');
      add(TP.UNKNOWN + '/lib.js?run=unknown', 'unknown');
      add(TP.UNKNOWN + '/lib2.js?run=unknown-attr', 'unknown-attr', 'attr');
      add('https://notgoogle-analytics.com/x.js?run=lookalike', 'lookalike');
      add(TP.UNKNOWN + '/www.google-analytics.com/x.js?run=tracker-in-path', 'tracker-in-path');
      add('https://www.google-analytics.com.unknown-example.org/x.js?run=tracker-as-prefix', 'tracker-as-prefix');
      const f = document.createElement('iframe');
      f.id = 'js-frame';
      f.src = "javascript:'<p>https://www.google-analytics.com/collect</p>'";
      document.getElementById('slot').appendChild(f);
      const i = document.createElement('img');
      i.id = 'own-img';
      i.src = '/fixtures/autoblock/px.svg';
      document.getElementById('slot').appendChild(i);
      return labels;
    });
    assert.ok(await until(async () => (await ran(p.page)).length >= expected.length),
      `not all ran before consent: ran=${JSON.stringify(await ran(p.page))}`);
    await settle(200);
    assert.deepEqual(sorted(await ran(p.page)), sorted(expected));
    const marked = await p.page.evaluate(() => [...document.querySelectorAll('[data-keksi-auto], [data-consent], [data-keksi-held]')].map((e) => e.outerHTML.slice(0, 120)));
    assert.deepEqual(marked, [], 'untouched elements were marked');
    const frame = await until(() => p.page.evaluate(() => {
      const f = document.getElementById('js-frame');
      const text = f.contentDocument && f.contentDocument.body ? f.contentDocument.body.textContent : '';
      return text === 'https://www.google-analytics.com/collect' ? { src: f.getAttribute('src'), text } : null;
    }));
    assert.ok(frame, 'the javascript: iframe did not render its content');
    assert.equal(frame.src, "javascript:'<p>https://www.google-analytics.com/collect</p>'");
    assert.ok(await until(() => p.page.evaluate(() => document.getElementById('own-img').naturalWidth === 1)), 'first-party image did not load');
    assert.equal(await p.page.evaluate(() => keksi.allowed('analytics')), false);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

/** Inserts one script per spelling; returns the labels. */
function insertSpellings(page, spellings, how) {
  return page.evaluate(([sp, how]) => {
    for (const [label, url] of Object.entries(sp)) {
      if (how === 'html') {
        // As markup into an element already in the page, an iframe (which starts loading as
        // it goes in, before any observer: the innerHTML trap alone stands between it and
        // the request); the URL goes into the attribute as written, entities and all.
        const d = document.createElement('div');
        document.body.appendChild(d);
        d.innerHTML = `<p>${label}</p><iframe title="${label}" id="sp-${label}" src="${url}"></iframe>`;
        continue;
      }
      const s = document.createElement('script');
      s.src = url;
      s.id = `sp-${label}`;
      document.head.appendChild(s);
    }
  }, [spellings, how]);
}

async function spellingsTest(spellings, how = 'script') {
  const labels = Object.keys(spellings);
  // control: without keksi each spelling really loads (else the test below proves nothing)
  const c = await open(PATHS + '?keksi=off');
  try {
    await insertSpellings(c.page, spellings, how);
    await until(async () => labels.every((l) => c.net.ran(l).length >= 1));
    for (const l of labels) assert.ok(c.net.ran(l).length >= 1, `control without keksi: ${spellings[l]} was not requested`);
  } finally {
    await c.close();
  }
  const p = await open(PATHS);
  try {
    await insertSpellings(p.page, spellings, how);
    await settle(500);
    const leaked = labels.filter((l) => p.net.ran(l).length > 0);
    assert.deepEqual(leaked.map((l) => spellings[l]), [], 'these tracker URL spellings were requested before consent');
    assert.deepEqual(await ran(p.page), [], 'a tracker script ran before consent');
    await acceptAll(p.page);
    const ok = await until(() => labels.every((l) => p.net.ran(l).length >= 1));
    assert.ok(ok, `not released after consent: ${labels.filter((l) => !p.net.ran(l).length).join(', ')}`);
  } finally {
    await p.close();
  }
}

test('tracker URL spellings are blocked: UPPERCASE host, :443, http:, //, subdomain, spaces', { timeout: 30_000 }, () =>
  spellingsTest({
    upper: 'https://WWW.GOOGLE-ANALYTICS.COM/t/upper.js?run=upper',
    mixed: 'hTTpS://Www.Google-Analytics.Com/t/mixed.js?run=mixed',
    port443: 'https://www.google-analytics.com:443/t/port.js?run=port443',
    port8443: 'https://www.google-analytics.com:8443/t/port.js?run=port8443',
    http: 'http://www.google-analytics.com/t/http.js?run=http',
    protorel: '//www.google-analytics.com/t/protorel.js?run=protorel',
    subdomain: 'https://region1.google-analytics.com/t/sub.js?run=subdomain',
    spaces: '  https://www.google-analytics.com/t/spaces.js?run=spaces \n',
  }));

test('tracker URL spellings the URL parser normalises are blocked: \\, tab in host, %-encoded host, fullwidth dots', { timeout: 30_000 }, () =>
  spellingsTest({
    backslash: 'https:\\\\www.google-analytics.com\\t\\bs.js?run=backslash',
    tabInHost: 'https://www.google-ana\tlytics.com/t/tab.js?run=tabInHost',
    pctHost: 'https://www.google%2Danalytics.com/t/pct.js?run=pctHost',
    fullwidthDots: 'https://www\uFF0Egoogle-analytics\uFF0Ecom/t/fw.js?run=fullwidthDots',
  }));

// innerHTML is parsed inertly only when its text may name a tracker host (a plain reading
// of its words, or characters that could hide one): every spelling must still be caught.
test('tracker URL spellings in innerHTML are held: entities, tab and line break in the host, %-encoding, \\, fullwidth dots, UPPERCASE, //', { timeout: 30_000 }, () =>
  spellingsTest({
    hEntity: 'https://www&#46;google-analytics&#46;com/t/ent.js?run=hEntity',
    hTab: 'https://www.google-ana\tlytics.com/t/tab.js?run=hTab',
    hNewline: 'https://www.google-analy\ntics.com/t/nl.js?run=hNewline',
    hPct: 'https://www.google%2Danalytics.com/t/pct.js?run=hPct',
    hBackslash: 'https:\\\\www.google-analytics.com\\t\\bs.js?run=hBackslash',
    hFullwidth: 'https://www\uFF0Egoogle-analytics\uFF0Ecom/t/fw.js?run=hFullwidth',
    hUpper: 'HTTPS://WWW.GOOGLE-ANALYTICS.COM/t/up.js?run=hUpper',
    hProtorel: '//region1.google-analytics.com/t/pr.js?run=hProtorel',
  }, 'html'));

// A <base href> on a tracker host sends relative URLs there: keksi resolves them as the
// browser does (document.baseURI), not against the page's address.
test('a <base href> on a tracker host: relative script, image and innerHTML iframe URLs are held, then released', { timeout: 30_000 }, async () => {
  const BASE = '/fixtures/autoblock/base.html';
  const labels = ['relScript', 'relImg', 'relFrame'];
  const insert = (page) => page.evaluate(() => {
    const s = document.createElement('script');
    s.src = 'relbase.js?run=relScript';
    document.head.appendChild(s);
    const i = document.createElement('img');
    i.setAttribute('src', 'relimg.gif?run=relImg');
    document.getElementById('slot').appendChild(i);
    const d = document.createElement('div');
    document.body.appendChild(d);
    d.innerHTML = '<iframe title="relative" src="relframe.html?run=relFrame"></iframe>';
  });
  const c = await open(BASE + '?keksi=off');
  try {
    await insert(c.page);
    assert.ok(await until(() => labels.every((l) => c.net.ran(l).length >= 1)),
      `control without keksi: not requested: ${labels.filter((l) => !c.net.ran(l).length).join(', ')}`);
  } finally {
    await c.close();
  }
  const p = await open(BASE);
  try {
    await insert(p.page);
    await settle(500);
    assertNotRequested(p, labels);
    assert.deepEqual(await ran(p.page), []);
    await acceptAll(p.page);
    assert.ok(await until(() => labels.every((l) => p.net.ran(l).length >= 1)),
      `not released after consent: ${labels.filter((l) => !p.net.ran(l).length).join(', ')}`);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Withdrawal

async function withdrawTest(how) {
  const p = await open(VENDORS);
  try {
    await waitVisible(p.page, btn(BANNER, 'accept-all'));
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(async () => (await ran(p.page)).length >= 5), `accept-all: ${JSON.stringify(await ran(p.page))}`);
    const check = await setMarker(p.page);
    const mark = p.net.log.length;
    await p.page.evaluate((h) => (h === 'reset' ? keksi.reset() : keksi.rejectAll()), how).catch(() => {}); // the reload may cut it short
    // A new document: the marker set in the old one is gone (a page mid-reload answers nothing).
    const reloaded = await until(async () => (await check().catch(() => ({ marker: 'unknown' }))).marker === null, { timeout: 2 * T });
    assert.ok(reloaded, `keksi.${how}() after a tracker ran did not reload the page`);
    await p.page.waitForLoadState('load');
    const state = await check();
    assert.equal(state.marker, null, 'still the same document after the withdrawal');
    await settle(800);
    assert.deepEqual(await ran(p.page), [], `a tracker ran after ${how}() and the reload`);
    assert.deepEqual(await frames(p.page), [], `YouTube rendered after ${how}() and the reload`);
    const later = p.net.log.slice(mark).filter((e) => SCRIPT_INSERTED.some(([, re]) => re.test(e.url)));
    assert.deepEqual(later.map((e) => e.url), [], 'script-inserted trackers requested after the reload');
    const s = await p.page.evaluate(() => ({ analytics: keksi.allowed('analytics'), advertising: keksi.allowed('advertising') }));
    assert.deepEqual(s, { analytics: false, advertising: false });
    if (how === 'reset') {
      await waitVisible(p.page, BANNER);
      assert.equal(await p.page.evaluate(() => keksi.consent()), null);
    }
  } finally {
    await p.close();
  }
}

test('withdrawal: keksi.reset() after a tracker ran reloads the page; the tracker does not run after', { timeout: 30_000 }, () => withdrawTest('reset'));
test('withdrawal: rejectAll() after accept-all reloads the page; nothing runs after', { timeout: 30_000 }, () => withdrawTest('rejectAll'));

test('withdrawal on a later load: trackers that ran under the stored choice (never held) reload the page when it is withdrawn', { timeout: 30_000 }, async () => {
  const p = await open(VENDORS);
  try {
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).length >= 5), `accept-all: ${JSON.stringify(await ran(p.page))}`);
    await p.page.reload();
    // The parsed vendors and one a script inserts, each run by the browser itself.
    await p.page.evaluate(() => {
      const s = document.createElement('script');
      s.src = 'https://www.google-analytics.com/t/w-later.js?run=w-later';
      document.head.appendChild(s);
    });
    assert.ok(await until(async () => (await ran(p.page)).length >= 6), `with the stored choice: ${JSON.stringify(await ran(p.page))}`);
    const check = await setMarker(p.page);
    await p.page.evaluate(() => keksi.rejectAll()).catch(() => {}); // the reload may cut it short
    const reloaded = await until(async () => (await check().catch(() => ({ marker: 'unknown' }))).marker === null, { timeout: 2 * T });
    assert.ok(reloaded, 'rejectAll() after trackers ran under the stored choice did not reload the page');
    await p.page.waitForLoadState('load');
    await settle(500);
    assert.deepEqual(await ran(p.page), [], 'a tracker ran after the withdrawal');
  } finally {
    await p.close();
  }
});

test('withdrawal on a later load: a tracker script that ran in a same-origin frame reloads the page when it is withdrawn', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => keksi.accept(['analytics']));
    await p.page.reload();
    await p.page.evaluate(() => {
      const f = document.createElement('iframe');
      document.body.append(f);
      const d = f.contentDocument;
      const s = d.createElement('script');
      s.src = TP.js('nr-frame');
      d.head.appendChild(s);
    });
    assert.ok(await until(() => p.net.ran('nr-frame').length > 0), 'the tracker in the frame was not requested under the stored choice');
    await settle();
    const check = await setMarker(p.page);
    await p.page.evaluate(() => keksi.rejectAll()).catch(() => {}); // the reload may cut it short
    const reloaded = await until(async () => (await check().catch(() => ({ marker: 'unknown' }))).marker === null, { timeout: 2 * T });
    assert.ok(reloaded, 'rejectAll() after a tracker ran in a same-origin frame did not reload the page');
  } finally {
    await p.close();
  }
});

test('withdrawal on a later load: no reload for a script the page marked for a category still refused (it never ran)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => keksi.accept(['analytics']));
    await p.page.reload();
    await p.page.evaluate(() => {
      const m = document.createElement('script');
      m.type = 'text/plain';
      m.setAttribute('data-consent', 'advertising');
      m.src = TP.js('nr-marked');
      document.head.append(m);
    });
    await settle();
    assert.deepEqual(await ran(p.page), [], 'nothing may have run');
    const check = await setMarker(p.page);
    await p.page.evaluate(() => keksi.rejectAll());
    await settle(800);
    const state = await check().catch(() => ({ marker: 'unknown' }));
    assert.notEqual(state.marker, null, 'the page reloaded though no tracker ran');
  } finally {
    await p.close();
  }
});

test('withdrawal on a later load: tracker iframes shown under the stored choice (a page with no tracker script) reload the page when it is withdrawn, and come back held', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/maps.html');
  try {
    await acceptAll(p.page);
    await p.page.reload();
    const live = () => p.page.evaluate(() => [...document.querySelectorAll('iframe')].filter((f) => /^https:/.test(f.getAttribute('src') || '')).length);
    assert.ok(await until(async () => (await live()) === 2), 'the map iframes did not load under the stored choice');
    const check = await setMarker(p.page);
    await p.page.evaluate(() => keksi.rejectAll()).catch(() => {}); // the reload may cut it short
    const reloaded = await until(async () => (await check().catch(() => ({ marker: 'unknown' }))).marker === null, { timeout: 2 * T });
    assert.ok(reloaded, 'rejectAll() after tracker iframes showed under the stored choice did not reload the page');
    await p.page.waitForLoadState('load');
    await settle(300);
    assert.equal(await live(), 0, 'a tracker iframe shows after the withdrawal');
  } finally {
    await p.close();
  }
});

test('withdrawal with "reloadOnWithdraw": false: no reload, and new trackers are held again', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/noreload.html');
  try {
    await p.page.evaluate(() => document.head.appendChild(TP.script('w-1')));
    await acceptAll(p.page);
    assert.ok(await until(async () => (await ran(p.page)).includes('w-1')), 'tracker did not run after acceptAll');
    const check = await setMarker(p.page);
    await p.page.evaluate(() => keksi.reset());
    await settle(1000);
    await assertNoReload(check, 'after reset() with "reloadOnWithdraw": false');
    assert.equal(await p.page.evaluate(() => keksi.allowed('analytics')), false);
    await p.page.evaluate(() => {
      document.head.appendChild(TP.script('w-2'));
      new Image().src = TP.pixel('w-px');
    });
    await settle();
    assert.deepEqual(await ran(p.page), ['w-1'], 'a tracker inserted after the withdrawal ran');
    assertNotRequested(p, ['w-2', 'w-px'], 'after the withdrawal');
    assertHeld(await describe(p.page, 'w-2'), 'w-2', { category: 'analytics', script: true });
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Fail closed without WebAssembly; CSP

test("fail closed: CSP without 'wasm-unsafe-eval' holds third-party scripts and images, one console.error", { timeout: 30_000 }, async (t) => {
  // control: the same page and CSP without keksi.js loads and runs the third-party script
  const c = await open('/fixtures/autoblock/nowasm.html?csp=nowasm&keksi=off');
  try {
    assert.ok(await until(async () => (await ran(c.page)).includes('nowasm-unknown')), 'control: third-party script did not run under ?csp=nowasm without keksi');
  } finally {
    await c.close();
  }
  const p = await open('/fixtures/autoblock/nowasm.html?csp=nowasm');
  try {
    assert.ok(await until(async () => (await ran(p.page)).includes('nowasm-fp')), `first-party script did not run: ${JSON.stringify(await ran(p.page))}`);
    await settle(600);
    const wasmErrors = p.console.filter((m) => m.type === 'error' && /wasm-unsafe-eval/.test(m.text));
    assert.equal(wasmErrors.length, 1, `expected exactly one console.error mentioning 'wasm-unsafe-eval', got ${JSON.stringify(p.console.filter((m) => m.type === 'error').map((m) => m.text))}`);
    assert.match(wasmErrors[0].text, /keksi/i, 'the wasm-unsafe-eval error should say it comes from keksi');
    const others = p.console.filter((m) => m.type === 'error' && !wasmErrors.includes(m));
    if (others.length) t.diagnostic(`other console errors (browser's own CSP report): ${others.map((m) => m.text.slice(0, 160)).join(' | ')}`);
    assert.ok(!others.some((m) => /keksi/i.test(m.text)), `more keksi errors: ${JSON.stringify(others.map((m) => m.text))}`);
    // Firefox reports the CSP violation itself as a page error ("The page's settings blocked
    // WebAssembly ... violates the following directive"): the browser's report, not a throw.
    const thrown = p.errors.filter((e) => e.startsWith('pageerror:') && !/violates the following directive/.test(e));
    assert.ok(thrown.length === 0, `uncaught exception: ${JSON.stringify(thrown)}`);

    assert.deepEqual(await ran(p.page), ['nowasm-fp'], 'only the first-party script may run');
    assertNotRequested(p, ['nowasm-unknown', 'nowasm-ga', 'nowasm-img']);
    if (p.net.ran('nowasm-parser').length) t.diagnostic('the parser-inserted third-party script was fetched (preload scanner) but did not run');
    const s = await p.page.evaluate(() => ({
      analytics: keksi.allowed('analytics'),
      status: document.getElementById('status').textContent,
      ownImg: document.getElementById('own-img').naturalWidth,
      heldImg: document.getElementById('tp-img').getAttribute('data-keksi-held'),
      heldImgSrc: document.getElementById('tp-img').getAttribute('src'),
      held: document.querySelectorAll('[data-keksi-held]').length,
    }));
    assert.deepEqual(s, {
      analytics: false, status: 'inline ran', ownImg: 1,
      heldImg: 'https://www.facebook.com/tr?id=1&ev=PageView&run=nowasm-img', heldImgSrc: null, held: 4,
    });
    await p.page.locator('#own').click();
    assert.equal(await p.page.locator('#own').textContent(), 'own code works');
    // no consent can be given without the WebAssembly
    await p.page.evaluate(() => keksi.acceptAll());
    await settle(400);
    assert.equal(await p.page.evaluate(() => keksi.allowed('analytics')), false);
    assert.deepEqual(await ran(p.page), ['nowasm-fp']);
    assertNotRequested(p, ['nowasm-unknown', 'nowasm-ga', 'nowasm-img'], 'ever');
  } finally {
    await p.close();
  }
});

test('fail closed: a damaged keksi.js (one character of the packed WebAssembly changed) holds third parties, one console.error', { timeout: 30_000 }, async (t) => {
  // The server changes the character in the middle of the packed WebAssembly (?keksi=damaged).
  const p = await open('/fixtures/autoblock/nowasm.html?keksi=damaged');
  try {
    assert.ok(await until(async () => (await ran(p.page)).includes('nowasm-fp')), `first-party script did not run: ${JSON.stringify(await ran(p.page))}`);
    await settle(600);
    assert.ok(env.server.requested('/keksi.js').some((r) => r.search === '?damaged'), 'the damaged keksi.js was not loaded');
    const errors = p.console.filter((m) => m.type === 'error' && /keksi: could not start/.test(m.text));
    assert.equal(errors.length, 1, `expected one "keksi: could not start" console.error, got ${JSON.stringify(p.console.filter((m) => m.type === 'error').map((m) => m.text))}`);
    t.diagnostic(errors[0].text.slice(0, 200));
    assert.deepEqual(p.errors.filter((e) => e.startsWith('pageerror:')), [], 'no uncaught exception');
    assert.deepEqual(await ran(p.page), ['nowasm-fp'], 'only the first-party script may run');
    assertNotRequested(p, ['nowasm-unknown', 'nowasm-ga', 'nowasm-img']);
    assert.equal(await p.page.evaluate(() => keksi.allowed('analytics')), false);
    await p.page.locator('#own').click();
    assert.equal(await p.page.locator('#own').textContent(), 'own code works');
  } finally {
    await p.close();
  }
});

test("control: with 'wasm-unsafe-eval' in the CSP keksi starts, holds and releases the vendors", { timeout: 30_000 }, async () => {
  const p = await open(VENDORS + '?csp=wasm');
  try {
    await waitVisible(p.page, BANNER);
    await settle(400);
    assert.deepEqual(p.unexpectedErrors(), [], 'console errors under a CSP that allows wasm');
    assert.deepEqual(await ran(p.page), []);
    assertNoScriptInserted(p, 'before consent (CSP page)');
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(async () => (await ran(p.page)).length >= 5), `after accept-all: ${JSON.stringify(await ran(p.page))}`);
    await settle(400);
    assert.deepEqual(sorted(await ran(p.page)), VENDORS_RAN);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Debug mode

test('debug: ?keksi-debug and config "debug": true log "keksi: held" / "keksi: released"; quiet otherwise', { timeout: 30_000 }, async () => {
  const insert = (page) => page.evaluate(() => document.head.appendChild(TP.script('dbg')));
  const infos = (p, re) => p.console.filter((m) => m.type === 'info' && re.test(m.text)).map((m) => m.text);

  const q = await open(PATHS);
  try {
    await insert(q.page);
    await settle(300);
    await acceptAll(q.page);
    await until(async () => (await ran(q.page)).includes('dbg'));
    const chatter = q.console.filter((m) => /keksi: (held|released)/.test(m.text)).map((m) => m.text);
    assert.deepEqual(chatter, [], 'held/released logged without debug mode');
  } finally {
    await q.close();
  }

  const p = await open(PATHS + '?keksi-debug');
  try {
    await insert(p.page);
    const held = await until(() => infos(p, /keksi: held/).length > 0);
    assert.ok(held, `no "keksi: held" console.info in debug mode (console: ${JSON.stringify(p.console.map((m) => `${m.type}: ${m.text}`))})`);
    assert.ok(infos(p, /keksi: held/).some((t) => /google-analytics\.com|Google Analytics/.test(t)),
      `"keksi: held" does not say what: ${JSON.stringify(infos(p, /keksi: held/))}`);
    await acceptAll(p.page);
    assert.ok(await until(() => infos(p, /keksi: released/).length > 0), 'no "keksi: released" console.info after consent in debug mode');
  } finally {
    await p.close();
  }

  const c = await open('/fixtures/autoblock/debug-config.html');
  try {
    await insert(c.page);
    assert.ok(await until(() => infos(c, /keksi: held/).length > 0), `config "debug": true: no "keksi: held" (errors: ${JSON.stringify(c.errors)})`);
  } finally {
    await c.close();
  }
});

test('a script the page marked (text/plain, data-consent) given a tracker URL and then its own does not run before consent', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    await p.page.evaluate(() => {
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.setAttribute('data-consent', 'analytics');
      s.src = TP.js('mk-a');
      s.src = '/fixtures/autoblock/fp.js?run=mk-own';
      document.head.append(s);
    });
    await settle();
    assert.deepEqual((await ran(p.page)).filter((l) => l.startsWith('mk-')), [], 'a marked script ran before consent');
    assertNotRequested(p, ['mk-a']);
    // On consent it runs with the URL the page gave it last, not the tracker's.
    await p.page.evaluate(() => keksi.accept(['analytics']));
    assert.ok(await until(async () => (await ran(p.page)).includes('mk-own')), `the page's own URL did not run after consent: ${JSON.stringify(await ran(p.page))}`);
    await settle();
    assertNotRequested(p, ['mk-a'], 'after consent');
  } finally {
    await p.close();
  }
});

/** Scripts the page marked `advertising` on an analytics host (GA), their URLs given three ways. */
async function insertMarkedAds(page) {
  await page.evaluate(() => {
    const make = (label) => {
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.setAttribute('data-consent', 'advertising');
      return [s, TP.js(label)];
    };
    const [a, ua] = make('mk-ad-prop');
    a.src = ua;
    const [b, ub] = make('mk-ad-attr');
    b.setAttribute('src', ub);
    // Past the setters: only the insertion sees its URL.
    const [c, uc] = make('mk-ad-insert');
    const at = document.createAttribute('src');
    at.value = uc;
    c.setAttributeNode(at);
    document.head.append(a, b, c);
  });
}

const MARKED_ADS = ['mk-ad-prop', 'mk-ad-attr', 'mk-ad-insert'];

test('a tag the page marked in one category on a tracker host of another waits for both: analytics alone does not run an advertising-marked script on an analytics host', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/marked.html');
  try {
    await insertMarkedAds(p.page);
    await settle();
    await p.page.evaluate(() => keksi.accept(['analytics']));
    await settle(600);
    assert.deepEqual((await ran(p.page)).filter((l) => l.startsWith('mk-') || l.startsWith('gtag:')), [], 'ran on the tracker\'s category alone');
    assertNotRequested(p, MARKED_ADS, 'with analytics alone');
    assert.deepEqual(p.net.requested('G-MKPARSED').map((h) => h.url), [], 'the parsed tag was requested with analytics alone');
    const attrs = await p.page.evaluate(() => [...document.querySelectorAll('script[data-keksi-auto]')].map((s) => [s.dataset.consent, s.dataset.keksiTracker]));
    assert.ok(attrs.length >= 4 && attrs.every(([c, t]) => c === 'advertising' && t === 'analytics'), `the page's marking kept, the tracker's next to it: ${JSON.stringify(attrs)}`);
    await p.page.evaluate(() => keksi.accept(['analytics', 'advertising']));
    assert.ok(await until(async () => MARKED_ADS.every((l) => p.net.ran(l).length > 0) && p.net.requested('G-MKPARSED').length > 0),
      `not all released with both: ${JSON.stringify(await ran(p.page))}`);
    await settle();
    const r = await ran(p.page);
    for (const l of [...MARKED_ADS, 'gtag:G-MKPARSED']) assert.equal(r.filter((x) => x === l).length, 1, `${l} ran ${r.filter((x) => x === l).length} times: ${JSON.stringify(r)}`);
  } finally {
    await p.close();
  }
});

test('a tag the page marked advertising on an analytics host, run under a stored choice of both, reloads the page when analytics alone is withdrawn', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/marked.html');
  try {
    await p.page.evaluate(() => keksi.accept(['analytics', 'advertising']));
    await p.page.reload();
    // Never held (both allowed as it came): it runs on the stored choice.
    await insertMarkedAds(p.page);
    assert.ok(await until(async () => { const r = await ran(p.page); return [...MARKED_ADS, 'gtag:G-MKPARSED'].every((l) => r.includes(l)); }),
      `with the stored choice: ${JSON.stringify(await ran(p.page))}`);
    const check = await setMarker(p.page);
    await p.page.evaluate(() => keksi.accept(['advertising'])).catch(() => {}); // the reload may cut it short
    const reloaded = await until(async () => (await check().catch(() => ({ marker: 'unknown' }))).marker === null, { timeout: 2 * T });
    assert.ok(reloaded, 'withdrawing analytics after the analytics tracker ran did not reload the page');
  } finally {
    await p.close();
  }
});

test('a tag the page marked advertising on an analytics host does not run on advertising alone either', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/marked.html');
  try {
    await insertMarkedAds(p.page);
    await p.page.evaluate(() => keksi.accept(['advertising']));
    await settle(600);
    assert.deepEqual((await ran(p.page)).filter((l) => l.startsWith('mk-') || l.startsWith('gtag:')), [], 'ran on the page\'s category alone');
    assertNotRequested(p, MARKED_ADS, 'with advertising alone');
  } finally {
    await p.close();
  }
});

test('an iframe the page marked advertising with its YouTube URL in data-src: not shown on advertising alone, and its placeholder\'s "Allow" loads it', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/marked.html');
  try {
    await p.page.evaluate(() => keksi.accept(['advertising']));
    await settle(600);
    assert.deepEqual((await frames(p.page)).filter((f) => f === 'mk-ds'), [], 'the embed showed on the page\'s category alone');
    const allow = p.page.locator('[data-keksi-placeholder] [data-action="allow"]').nth(1);
    await allow.waitFor({ state: 'visible', timeout: T });
    const said = await p.page.evaluate(() => document.querySelectorAll('[data-keksi-placeholder]')[1].shadowRoot.textContent);
    assert.match(said, /Advertising, Functional/, `the placeholder names one category only: ${said}`);
    await allow.click();
    assert.ok(await until(async () => (await frames(p.page)).includes('mk-ds')), `the embed did not load after "Allow": ${JSON.stringify(await frames(p.page))}`);
  } finally {
    await p.close();
  }
});

test('an iframe the page marked advertising with a live YouTube URL: held for both, and its placeholder\'s "Allow" loads it', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/marked.html');
  try {
    await p.page.evaluate(() => keksi.accept(['advertising']));
    await settle(600);
    assert.deepEqual(await frames(p.page), [], 'the embed showed on the page\'s category alone');
    const allow = p.page.locator('[data-keksi-placeholder] [data-action="allow"]').first();
    await allow.waitFor({ state: 'visible', timeout: T });
    // It names both: what it waits for, and what "Allow" switches on.
    const said = await p.page.evaluate(() => document.querySelector('[data-keksi-placeholder]').shadowRoot.textContent);
    assert.match(said, /Advertising, Functional/, `the placeholder names one category only: ${said}`);
    assert.match(said, /Allow Advertising, (Functional|YouTube)/, `"Allow" names one only: ${said}`);
    await allow.click();
    assert.ok(await until(async () => (await frames(p.page)).includes('mk-frame')), `the embed did not load after "Allow": ${JSON.stringify(await frames(p.page))}`);
    const s = await p.page.evaluate(() => ({ ad: keksi.allowed('advertising'), yt: keksi.allowed('functional', 'youtube') }));
    assert.deepEqual(s, { ad: true, yt: true });
  } finally {
    await p.close();
  }
});

test('fetch judges a Request by the browser\'s own url getter, whatever the page later does to Request.prototype; a Request of a frame\'s realm too', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const pre = await p.page.evaluate(async () => {
      const f = document.createElement('iframe');
      document.body.append(f);
      const out = {};
      const tries = {
        realm: () => fetch(new f.contentWindow.Request(TP.FBTR + '?run=fetch-realm'), { mode: 'no-cors' }),
        proto: () => {
          Object.defineProperty(Request.prototype, 'url', { get() { return '/beacon-sink'; }, configurable: true });
          return fetch(new Request(TP.FBTR + '?run=fetch-proto'), { mode: 'no-cors' });
        },
      };
      for (const [k, t] of Object.entries(tries)) {
        try {
          out[k] = (await t()).status;
        } catch (e) {
          out[k] = e instanceof TypeError ? 'TypeError' : `${e && e.name}: ${e && e.message}`;
        }
      }
      return out;
    });
    await settle();
    assertNotRequested(p, ['fetch-realm', 'fetch-proto']);
    assert.deepEqual(pre, { realm: 'TypeError', proto: 'TypeError' });
  } finally {
    await p.close();
  }
});

// An image naming two trackers of different categories (its `src` one, its `srcset` another)
// waits for both: the release for one category must not give back the other's URL.
test('an <img> whose src and srcset name trackers of two categories waits for both (src then srcset, srcset then src, parsed with both)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const LABELS = ['two-set-first', 'two-src-first', 'two-parsed'];
    await p.page.evaluate(() => {
      const ga = (l) => TP.GA + '/collect?run=' + l + '-ga';
      const a = document.createElement('img');
      a.id = 'two-set-first';
      a.srcset = TP.pixel('two-set-first') + ' 1x';
      a.src = ga('two-set-first');
      const b = document.createElement('img');
      b.id = 'two-src-first';
      b.src = ga('two-src-first');
      b.setAttribute('srcset', TP.pixel('two-src-first') + ' 1x');
      const d = document.createElement('div');
      d.append(a, b);
      d.insertAdjacentHTML('beforeend', '<img id="two-parsed" src="' + ga('two-parsed') + '" srcset="' + TP.pixel('two-parsed') + ' 1x">');
      document.body.appendChild(d);
    });
    await settle();
    const state = () => p.page.evaluate((ids) => ids.map((id) => {
      const i = document.getElementById(id);
      return { id, src: i.getAttribute('src'), srcset: i.getAttribute('srcset') };
    }), LABELS);
    assertNotRequested(p, [...LABELS, ...LABELS.map((l) => l + '-ga')]);
    await p.page.evaluate(() => keksi.accept(['analytics']));
    await settle(600);
    assertNotRequested(p, LABELS, 'with analytics alone (the advertising srcset)');
    assert.deepEqual((await state()).filter((s) => s.srcset), [], 'an advertising srcset given back with analytics alone');
    await p.page.evaluate(() => keksi.accept(['advertising']));
    await settle(600);
    assertNotRequested(p, LABELS.map((l) => l + '-ga'), 'with advertising alone (the analytics src)');
    await p.page.evaluate(() => keksi.accept(['analytics', 'advertising']));
    assert.ok(await until(async () => (await state()).every((s) => s.src && s.srcset)), `not released with both: ${JSON.stringify(await state())}`);
    for (const s of await state()) {
      assert.ok(s.src.includes(s.id + '-ga'), `${s.id}: the page's src is not the one given back: ${s.src}`);
      assert.ok(s.srcset.includes('run=' + s.id), `${s.id}: the page's srcset is not the one given back: ${s.srcset}`);
    }
    assert.ok(await until(() => LABELS.every((l) => p.net.ran(l).length > 0)), 'the srcset images did not load with both');
  } finally {
    await p.close();
  }
});

test('a <picture>\'s <source srcset> naming a tracker is held until its category is allowed (in an HTML string, by the srcset setter and by setAttribute)', { timeout: 30_000 }, async () => {
  const p = await open(PATHS);
  try {
    const own = '/fixtures/autoblock/px.svg';
    await p.page.evaluate((own) => {
      const d = document.createElement('div');
      d.innerHTML = '<picture><source srcset="' + TP.pixel('pic-parsed') + ' 1x"><img id="pic-parsed" src="' + own + '"></picture>';
      const pic = document.createElement('picture');
      const s = document.createElement('source');
      s.srcset = TP.pixel('pic-prop') + ' 1x';
      const i = document.createElement('img');
      i.id = 'pic-prop';
      i.src = own;
      pic.append(s, i);
      const pic2 = document.createElement('picture');
      pic2.innerHTML = '<source><img id="pic-attr" src="' + own + '">';
      d.append(pic, pic2);
      document.body.appendChild(d);
      pic2.firstChild.setAttribute('srcset', TP.pixel('pic-attr') + ' 1x');
    }, own);
    await settle();
    const LABELS = ['pic-parsed', 'pic-prop', 'pic-attr'];
    assertNotRequested(p, LABELS);
    const srcsets = () => p.page.evaluate(() => [...document.querySelectorAll('source')].map((s) => [s.getAttribute('srcset'), s.dataset.consent]));
    assert.deepEqual(await srcsets(), [[null, 'advertising'], [null, 'advertising'], [null, 'advertising']], 'held <source> elements');
    await acceptAll(p.page);
    assert.ok(await until(() => LABELS.every((l) => p.net.ran(l).length > 0)), 'the <source> candidates did not load after consent');
  } finally {
    await p.close();
  }
});

test('a <frame> in a <frameset> naming a tracker is held until its category is allowed, then loads without a reload (parsed, marked by the page, and made by script)', { timeout: 30_000 }, async () => {
  const p = await open('/fixtures/autoblock/frameset.html');
  try {
    const check = await setMarker(p.page);
    await p.page.evaluate(() => {
      const f = document.createElement('frame');
      f.src = TP.embed('fs-script');
      document.getElementById('set').appendChild(f);
      const g = document.createElement('frame');
      document.getElementById('set').appendChild(g);
      g.setAttribute('src', TP.embed('fs-attr'));
    });
    await settle(600);
    // The parsed frame, as a parsed <iframe>, may be requested before the observer sees it:
    // it must never load (README → Automatic blocking → Limits).
    assertNotRequested(p, ['fs-script', 'fs-attr']);
    assert.deepEqual(await frames(p.page), [], 'a frame loaded before consent');
    const held = await p.page.evaluate(() => [...document.querySelectorAll('frame')].map((f) => [f.getAttribute('src'), f.dataset.consent]));
    assert.deepEqual(held.slice(1), [[null, 'functional'], [null, 'functional'], [null, 'functional'], [null, 'functional']], `held: ${JSON.stringify(held)}`);
    await acceptAll(p.page);
    assert.ok(await until(() => ['fs-parsed', 'fs-marked', 'fs-script', 'fs-attr'].every((l) => p.net.ran(l).length > 0)), 'the frames did not load after consent');
    assert.ok(await until(async () => (await frames(p.page)).length === 4), `frames after consent: ${JSON.stringify(await frames(p.page))}`);
    await assertNoReload(check);
    // Withdrawn: the one the page marked is held again in place, its document gone (a
    // frame's stays until it leaves the document), without a reload.
    await p.page.evaluate(() => keksi.rejectAll());
    const blank = () => p.page.evaluate(() => {
      const f = document.getElementById('fs-marked');
      try {
        return [f.getAttribute('src'), f.contentDocument?.URL ?? 'cross-origin'];
      } catch {
        return [f.getAttribute('src'), 'cross-origin'];
      }
    });
    assert.ok(await until(async () => { const [src, url] = await blank(); return src === null && url === 'about:blank'; }), `after withdrawal: ${JSON.stringify(await blank())}`);
    await assertNoReload(check, 'after withdrawal');
  } finally {
    await p.close();
  }
});

// A tracker (i)frame keksi held and released keeps what marks it held: withdrawn, it is
// held again in place (or the page reloads), and a later consent brings it back. Before,
// the release set its URL through keksi's own `setAttribute` trap, which took the marks
// away as from an element the page gives a URL of its own: the embed stayed loaded after
// the withdrawal (README → Automatic blocking → Withdrawal).
async function withdrawFramesTest(fixture, sel, n, how, insert = () => {}) {
  const p = await open(fixture);
  try {
    await p.page.evaluate(insert);
    const live = () => p.page.evaluate((s) => [...document.querySelectorAll(s)].map((f) => f.getAttribute('src') || '').filter((u) => /^https:/.test(u)), sel);
    const aside = () => p.page.evaluate((s) => [...document.querySelectorAll(s)].map((f) => f.getAttribute('data-src') || '').filter((u) => /^https:/.test(u)), sel);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await live()).length === n), `not loaded after consent: ${JSON.stringify(await live())}`);
    const check = await setMarker(p.page);
    await p.page.evaluate((h) => (h === 'reset' ? keksi.reset() : keksi.rejectAll()), how).catch(() => {}); // a reload may cut it short
    const reloaded = async () => (await check().catch(() => ({ marker: 'unknown' }))).marker === null;
    const done = await until(async () => (await reloaded()) || (await live().catch(() => ['?'])).length === 0, { timeout: 2 * T });
    assert.ok(done, `after ${how}(): no reload, and tracker frames still load: ${JSON.stringify(await live().catch(() => []))}`);
    if (await reloaded()) {
      await p.page.waitForLoadState('load');
      await settle(300);
      assert.deepEqual(await live(), [], `a tracker frame loads after ${how}() and the reload`);
      return;
    }
    assert.equal((await aside()).length, n, `after ${how}(): not held again with their URL aside: ${JSON.stringify(await aside())}`);
    await acceptAll(p.page);
    assert.ok(await until(async () => (await live()).length === n), `not loaded after consent again: ${JSON.stringify(await live())}`);
  } finally {
    await p.close();
  }
}

test('withdrawal: tracker iframes keksi held and released (a parsed Google Maps embed, a script-inserted Bing map) are held again, and come back on consent', { timeout: 30_000 }, () =>
  withdrawFramesTest('/fixtures/autoblock/maps.html', 'iframe', 2, 'reset'));
test('withdrawal: tracker iframes the page marked (a live URL, a data-src) are held again with their URL, and come back on consent', { timeout: 30_000 }, () =>
  withdrawFramesTest(PATHS, 'iframe', 2, 'rejectAll', () => {
    const live = document.createElement('iframe');
    live.setAttribute('data-consent', 'functional');
    live.src = TP.embed('wf-live');
    const aside = document.createElement('iframe');
    aside.setAttribute('data-consent', 'functional');
    aside.setAttribute('data-src', TP.embed('wf-aside'));
    document.body.append(live, aside);
  }));
test('withdrawal: <frame>s naming a tracker (parsed, marked by the page) are held again, and come back on consent', { timeout: 30_000 }, () =>
  withdrawFramesTest('/fixtures/autoblock/frameset.html', 'frame', 2, 'rejectAll'));
