// Shared helpers for keksi's end-to-end tests (node:test + playwright-core + system browsers).
//
// KEKSI_E2E_ENGINE picks the browser: `chromium` (default; Debian's /usr/bin/chromium over
// CDP), `firefox` (Debian's stock Firefox ESR over WebDriver BiDi, Playwright's
// "moz-firefox" channel; `tools/patch-playwright.mjs` must have run) or `webkit`
// (WebKitGTK through ./webkit.mjs, a Playwright-shaped stand-in over W3C WebDriver).
//
// One browser per test file, a fresh context (= fresh profile: no cookies, no storage)
// per test. Playwright's CSS and role locators pierce open shadow roots, so
// `page.locator('#keksi [data-keksi="banner"]')` finds the banner inside keksi's UI.

import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, firefox } from 'playwright-core';
import { startServer, WWW } from './server.mjs';
import { launchWebKit } from './webkit.mjs';
import { ZOO_HOSTS, zooScript } from './zoo-stubs.mjs';

export const ENGINE = process.env.KEKSI_E2E_ENGINE || 'chromium';
if (!['chromium', 'firefox', 'webkit'].includes(ENGINE)) throw new Error(`KEKSI_E2E_ENGINE=${ENGINE}: expected chromium, firefox or webkit`);
export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const IS_FIREFOX = ENGINE === 'firefox';
export const IS_WEBKIT = ENGINE === 'webkit';
/** Skip reason for a test that cannot apply to this engine (node:test's `skip` option), or false. */
export const onlyChromium = (why) => (IS_FIREFOX ? `Chromium only: ${why}` : false);
/** Skip reason in the WebKit run (what WebDriver cannot do there), or false. */
export const notInWebKit = (why) => (IS_WEBKIT ? `not in WebKit: ${why}` : false);
/** WebKitGTK's window does not get narrower than 447 px. */
export const NARROW = 'WebKitGTK windows are at least 447 px wide (360 px checked in Chromium and Firefox; tests/e2e-webdriver checks < 500 px in WebKit)';
/** WebKitGTK has no forced-colors mode to switch on. */
export const NO_FORCED_COLORS = 'WebKitGTK has no forced-colors mode a test can switch on (checked in Chromium and Firefox)';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Timeout for UI waits: generous for a loaded 2-core machine, short enough to fail fast. */
export const T = Number(process.env.KEKSI_E2E_TIMEOUT || 5000);

export const KEKSI = '#keksi';
export const BANNER = '#keksi [data-keksi="banner"]';
export const DIALOG = '#keksi [data-keksi="preferences"]';
export const btn = (scope, action) => `${scope} [data-action="${action}"]`;

export const YEAR_S = 365 * 24 * 3600;

let browserPromise = null;

/** Launches (once per process) the headless system browser; never downloads one. */
export function launchBrowser() {
  if (!browserPromise && IS_WEBKIT) browserPromise = launchWebKit();
  if (!browserPromise && IS_FIREFOX) {
    if (!fs.existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX} (apt-get install -y firefox-esr, or set FIREFOX_PATH)`);
    browserPromise = firefox.launch({ channel: 'moz-firefox', executablePath: FIREFOX, headless: true });
  }
  if (!browserPromise) {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    }
    browserPromise = chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  }
  return browserPromise;
}

export async function closeBrowser() {
  if (browserPromise) {
    const b = await browserPromise;
    browserPromise = null;
    await b.close();
  }
  for (const [key, b] of firefoxByPrefs) {
    firefoxByPrefs.delete(key);
    await (await b).close();
  }
}

// Firefox over BiDi cannot emulate media features per context yet (ESR 153 lacks
// `emulation.setMediaFeaturesOverride`), but its prefs can set them per browser. So a
// context asking for a colour scheme, reduced motion or forced colours gets its own
// Firefox launched with the matching prefs (one per combination, reused).
const firefoxByPrefs = new Map();
function firefoxPrefs({ colorScheme, reducedMotion, forcedColors } = {}) {
  const prefs = {};
  if (colorScheme === 'dark') Object.assign(prefs, { 'layout.css.prefers-color-scheme.content-override': 0, 'ui.systemUsesDarkTheme': 1 });
  if (colorScheme === 'light') Object.assign(prefs, { 'layout.css.prefers-color-scheme.content-override': 1, 'ui.systemUsesDarkTheme': 0 });
  if (reducedMotion === 'reduce') prefs['ui.prefersReducedMotion'] = 1;
  if (reducedMotion === 'no-preference') prefs['ui.prefersReducedMotion'] = 0;
  if (forcedColors === 'active') prefs['browser.display.document_color_use'] = 2;
  return prefs;
}
function firefoxFor(prefs) {
  const key = JSON.stringify(prefs);
  if (!firefoxByPrefs.has(key)) {
    firefoxByPrefs.set(key, firefox.launch({ channel: 'moz-firefox', executablePath: FIREFOX, headless: true, firefoxUserPrefs: prefs }));
  }
  return firefoxByPrefs.get(key);
}

/** Fails loudly (not a skip) when the build output is missing. */
export function assertKeksiBuilt() {
  const f = process.env.KEKSI_JS ? path.resolve(process.env.KEKSI_JS) : path.join(WWW, 'keksi.js');
  assert.ok(fs.existsSync(f), `${f} is missing: build it first with \`node tools/build.mjs\``);
}

/**
 * Starts the server and the browser for a test file. Use from node:test's before/after:
 *   const env = await setup(); ... await env.teardown();
 */
export async function setup() {
  const server = await startServer();
  const browser = await launchBrowser();
  if (IS_WEBKIT) browser.attachServer(server);
  return {
    server,
    browser,
    async teardown() {
      await closeBrowser();
      await server.close();
    },
  };
}

/** A fresh browser context (empty cookie jar and storage). */
export async function newContext(browser, options = {}) {
  if (IS_FIREFOX) {
    const { colorScheme, reducedMotion, forcedColors, ...rest } = options;
    const prefs = firefoxPrefs({ colorScheme, reducedMotion, forcedColors });
    if (Object.keys(prefs).length) return (await firefoxFor(prefs)).newContext({ viewport: { width: 1280, height: 800 }, ...rest });
  }
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
}

/**
 * Opens `urlPath` on the server in a fresh context (or the given one) and records console
 * output and page errors. Resolves to { page, context, console, errors, warnings, close() }.
 *   errors:   console.error texts + uncaught page exceptions
 *   warnings: console.warn texts
 * Options: context, contextOptions, waitUntil ('load'), initScript (function or string),
 *          goto (false to open a blank page without navigating).
 */
export async function newPage(env, urlPath = '/', opts = {}) {
  const { server, browser } = env;
  const ownContext = !opts.context;
  const context = opts.context ?? (await newContext(browser, opts.contextOptions));
  const page = await context.newPage();
  const log = { console: [], errors: [], warnings: [] };
  page.setDefaultTimeout(2 * T);
  page.on('console', (msg) => {
    const entry = { type: msg.type(), text: msg.text(), url: msg.location()?.url ?? '' };
    log.console.push(entry);
    if (entry.type === 'error') log.errors.push(entry.text);
    if (entry.type === 'warning') log.warnings.push(entry.text);
  });
  page.on('pageerror', (err) => log.errors.push(`pageerror: ${err.message}`));
  // Records keksi's events from the very start of every document in this page.
  await page.addInitScript(() => {
    window.__keksiEvents = [];
    for (const name of ['keksi:ready', 'keksi:consent']) {
      window.addEventListener(name, (e) => {
        let detail = null;
        try {
          detail = e.detail == null ? null : JSON.parse(JSON.stringify(e.detail));
        } catch {
          detail = String(e.detail);
        }
        window.__keksiEvents.push({ type: name, detail, t: performance.now() });
      });
    }
  });
  if (opts.initScript) await page.addInitScript(opts.initScript);
  /** console errors and page errors, less the browser's own favicon 404 noise. */
  log.unexpectedErrors = () =>
    log.console
      .filter((m) => m.type === 'error' && !/favicon\.ico/.test(m.url))
      .map((m) => m.text)
      .concat(log.errors.filter((e) => e.startsWith('pageerror:')));
  if (opts.goto !== false) {
    await page.goto(server.url + urlPath, { waitUntil: opts.waitUntil ?? 'load' });
  }
  return {
    page,
    context,
    ...log,
    async close() {
      if (ownContext) await context.close();
      else await page.close();
    },
  };
}

/** The real cookie jar of the context (not document.cookie). */
export async function cookies(context, url) {
  return url ? context.cookies(url) : context.cookies();
}

export async function cookie(context, name) {
  return (await context.cookies()).find((c) => c.name === name) ?? null;
}

/**
 * Runs `fn(shadowRoot, arg)` in the page against keksi's open shadow root. `fn` must be
 * self-contained (it is sent as source); `arg` must be JSON-serialisable.
 */
export function inShadow(page, fn, arg = null) {
  return page.evaluate(`(() => {
    const host = document.getElementById('keksi');
    if (!host || !host.shadowRoot) throw new Error('no #keksi with an open shadow root');
    return (${fn.toString()})(host.shadowRoot, ${JSON.stringify(arg)});
  })()`);
}

/** querySelector inside keksi's shadow root; returns a small description or null. */
export function shadowQuery(page, selector) {
  return inShadow(
    page,
    (root, sel) => {
      const el = root.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return {
        tag: el.tagName.toLowerCase(),
        text: el.textContent.trim().replace(/\s+/g, ' '),
        attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        checked: 'checked' in el ? el.checked : undefined,
        disabled: 'disabled' in el ? el.disabled : undefined,
        rect: { x: r.x, y: r.y, width: r.width, height: r.height },
      };
    },
    selector,
  );
}

/**
 * Describes the focused element, descending through open shadow roots.
 * { tag, action, keksi (data-keksi of the closest [data-keksi] ancestor), inKeksi,
 *   inBanner, inDialog, keksiOpen, text, id }
 */
export function activeElement(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    let inKeksi = false;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) {
      if (el.id === 'keksi') inKeksi = true;
      el = el.shadowRoot.activeElement;
    }
    if (!el) return null;
    const closest = (sel) => {
      for (let n = el; n; n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentElement) {
        if (n.nodeType === 1 && n.matches(sel)) return n;
      }
      return null;
    };
    if (closest('#keksi')) inKeksi = true;
    const section = closest('[data-keksi]');
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id || null,
      type: el.getAttribute('type'),
      action: el.getAttribute('data-action'),
      category: el.getAttribute('data-category'),
      service: el.getAttribute('data-service'),
      keksi: section ? section.getAttribute('data-keksi') : null,
      inKeksi,
      inBanner: !!closest('[data-keksi="banner"]'),
      inDialog: !!closest('[data-keksi="preferences"]'),
      keksiOpen: el.hasAttribute('data-keksi-open'),
      text: (el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 80),
      isBody: el === document.body,
    };
  });
}

export async function waitVisible(page, selector, timeout = T) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

export async function waitHidden(page, selector, timeout = T) {
  await page.locator(selector).first().waitFor({ state: 'hidden', timeout });
}

/** Whether the selector is visible right now (absent counts as not visible). */
export async function isVisible(page, selector) {
  return page.locator(selector).first().isVisible();
}

/**
 * Opens the preferences dialog the way a keyboard user does: focus the page's
 * [data-keksi-open] link and press Enter. (While the first-visit banner is shown it may
 * cover a footer link for the mouse; the keyboard path works regardless.)
 */
export async function openFromLink(page, selector = '#site-footer [data-keksi-open]') {
  await page.locator(selector).focus();
  await page.keyboard.press('Enter');
  await waitVisible(page, DIALOG);
}

/** Polls fn() until it returns a truthy value or the timeout passes; returns the last value. */
export async function until(fn, { timeout = T, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Paths requested from the server, optionally filtered by pathname. */
export function paths(server, pathname) {
  const all = server.requests();
  return (pathname ? all.filter((r) => r.pathname === pathname) : all).map((r) => r.path);
}

/** Number of navigation entries and a window marker: proves "no reload happened". */
export async function setMarker(page) {
  const token = `m${Math.random().toString(36).slice(2)}`;
  await page.evaluate((t) => {
    window.__noReloadMarker = t;
  }, token);
  return async () =>
    page.evaluate(() => ({
      marker: window.__noReloadMarker ?? null,
      navigations: performance.getEntriesByType('navigation').length,
    })).then((r) => ({ ...r, ok: r.marker === token && r.navigations === 1 }));
}

/** Asserts a cookie expiry (seconds since epoch, from context.cookies()) is persistent and ≤ 365 days away. */
export function assertAtMostAYear(c, what = c?.name) {
  assert.ok(c, `${what}: cookie missing from the jar`);
  const now = Date.now() / 1000;
  assert.ok(c.expires > now, `${what}: expected a persistent cookie, got expires=${c.expires}`);
  const days = (c.expires - now) / 86400;
  assert.ok(c.expires <= now + YEAR_S + 120, `${what}: expires in ${days.toFixed(1)} days, more than 365`);
}

// ---------------------------------------------------------------------------------------
// Third-party hosts without a network: Playwright routing answers requests to the real
// vendor hostnames with small local stubs, records every non-local request, and aborts
// everything else (nothing leaks to the internet).

/** Host suffixes that get stubs; any other non-local request is aborted (and logged). */
export const STUB_HOSTS = [
  'googletagmanager.com', 'google-analytics.com', 'facebook.net', 'facebook.com',
  'hotjar.com', 'youtube.com', 'youtube-nocookie.com', 'doubleclick.net', 'google.com', 'bing.com',
  // not trackers: "unknown third party" and look-alike controls
  'unknown-example.org', 'notgoogle-analytics.com',
  // the vendor zoo (zoo-stubs.mjs)
  ...ZOO_HOSTS,
];

const GIF_1PX = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const isStubHost = (host) => STUB_HOSTS.some((s) => host === s || host.endsWith('.' + s));
const isLocalHost = (host) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

/** JS that appends `label` to window.__ran (the "it ran" record of every stub script). */
const ranJs = (label) => `(window.__ran = window.__ran || []).push(${JSON.stringify(label)});\n`;

/**
 * The stub for a third-party URL, or null (= abort). Scripts push a label to window.__ran:
 *   gtag/js?id=X  -> "gtag:X", then sendBeacon to www.google-analytics.com/g/collect (like gtag.js)
 *   gtm.js        -> "gtm", then inserts https://www.google-analytics.com/analytics.js (like GTM)
 *   analytics.js  -> "ga"
 *   fbevents.js   -> "fbevents", then a new Image() pixel to www.facebook.com/tr (like the Pixel)
 *   hotjar-N.js   -> "hotjar"
 *   any ?run=L    -> "L" (generic test script)
 * Documents (iframes) postMessage {keksiStubFrame: run label or URL path} to the parent;
 * stylesheets colour [data-css-probe="<run>"] rgb(1, 2, 3); images are a 1×1 GIF;
 * everything else (fetch, XHR, beacons) gets 200 "ok". `?kdelay=MS` delays the answer.
 */
export function thirdPartyStub(url, resourceType) {
  if (!isStubHost(url.hostname)) return null;
  const run = url.searchParams.get('run');
  const host = url.hostname;
  const p = url.pathname;
  const js = (body) => ({ contentType: 'text/javascript; charset=utf-8', body });
  if (resourceType === 'document') {
    const label = run ?? host + p;
    return {
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><title>stub ${label}</title><p>stub frame ${label}</p>` +
        `<script>parent.postMessage({ keksiStubFrame: ${JSON.stringify(label)} }, '*');</script>`,
    };
  }
  if (resourceType === 'image') return { contentType: 'image/gif', body: GIF_1PX };
  if (resourceType === 'stylesheet') {
    return { contentType: 'text/css; charset=utf-8', body: `[data-css-probe=${JSON.stringify(run ?? '')}] { color: rgb(1, 2, 3); }\n` };
  }
  if (resourceType === 'script') {
    if (run) return js(ranJs(run));
    if (host === 'www.googletagmanager.com' && p === '/gtag/js') {
      const id = url.searchParams.get('id') ?? '';
      return js(ranJs(`gtag:${id}`) +
        `navigator.sendBeacon('https://www.google-analytics.com/g/collect?v=2&tid=' + ${JSON.stringify(encodeURIComponent(id))} + '&en=page_view', '');\n`);
    }
    if (host === 'www.googletagmanager.com' && p === '/gtm.js') {
      return js(ranJs('gtm') +
        `(function (d) { var j = d.createElement('script'); j.async = true;\n` +
        `  j.src = 'https://www.google-analytics.com/analytics.js';\n` +
        `  var f = d.getElementsByTagName('script')[0]; f.parentNode.insertBefore(j, f); })(document);\n`);
    }
    if (host === 'www.google-analytics.com' && p === '/analytics.js') return js(ranJs('ga'));
    if (host === 'connect.facebook.net' && p === '/en_US/fbevents.js') {
      return js(ranJs('fbevents') +
        `new Image().src = 'https://www.facebook.com/tr?id=1&ev=PageView&noscript=0&from=fbevents';\n`);
    }
    if (host === 'static.hotjar.com' && /^\/c\/hotjar-\d+\.js$/.test(p)) return js(ranJs('hotjar'));
    const zoo = zooScript(url);
    if (zoo) return js(zoo);
    return js(ranJs(host + p));
  }
  return { contentType: 'text/plain; charset=utf-8', body: 'ok' };
}

/** The least time a routed third-party frame document takes (see routeThirdParty). */
export const FRAME_RTT_MS = 50;

/**
 * Routes every non-local http(s) request of `context` (before any page opens) to
 * thirdPartyStub(). Resolves to a request log:
 *   log: [{ url, host, pathname, run, type, method, time, aborted }]  (every routed request)
 *   requested(m)  entries whose URL contains the string m / matches the RegExp m
 *   ran(label)    entries whose ?run= equals label
 *   clear()
 */
export async function routeThirdParty(context) {
  const log = [];
  await context.route(
    (u) => (u.protocol === 'http:' || u.protocol === 'https:') && !isLocalHost(u.hostname),
    async (route, request) => {
      const url = new URL(request.url());
      const entry = {
        url: request.url(),
        host: url.hostname,
        pathname: url.pathname,
        run: url.searchParams.get('run'),
        type: request.resourceType(),
        method: request.method(),
        time: Date.now(),
        aborted: false,
      };
      log.push(entry);
      const stub = thirdPartyStub(url, entry.type);
      if (!stub) {
        entry.aborted = true;
        await route.abort('blockedbyclient').catch(() => {});
        return;
      }
      // A third-party frame's document arrives at least a network round trip late, as a real
      // one does: answered at once, an iframe written in the HTML can run in its own process
      // before keksi's observer sees it (README → Automatic blocking → Limits).
      const delay = Math.min(Number(url.searchParams.get('kdelay')) || (entry.type === 'document' ? FRAME_RTT_MS : 0), 10_000);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      await route
        .fulfill({
          status: 200,
          contentType: stub.contentType,
          body: stub.body,
          headers: { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' },
        })
        .catch(() => {}); // the page may be gone already
    },
  );
  return {
    log,
    requested: (m) => log.filter((e) => (typeof m === 'string' ? e.url.includes(m) : m.test(e.url))),
    ran: (label) => log.filter((e) => e.run === label),
    clear: () => {
      log.length = 0;
    },
  };
}
