// The end-to-end suite in WebKitGTK: a Playwright-shaped browser over plain W3C WebDriver.
//
// Playwright cannot drive Debian's WebKitGTK (its WebKit driver needs Playwright's own
// build, and WebKitWebDriver speaks no BiDi), so `KEKSI_E2E_ENGINE=webkit` gives the
// tests this stand-in for the part of Playwright's API they use: contexts, pages,
// evaluate, CSS locators that pierce open shadow roots, the keyboard, the cookie jar.
// What WebDriver classic cannot do, this does another way:
//   - init scripts: the test server puts them at the top of every HTML page it serves
//     (`server.setInjection`), before keksi.js, as Playwright's addInitScript would;
//   - console messages and page errors: an init script records them in the page and
//     they are handed to `page.on('console' | 'pageerror')` listeners after every call;
//   - a fresh context: one WebDriver session, emptied (cookies, storage) per context.
//   - request routing (`context.route`): WebKit is pointed at a local proxy (./proxy.mjs)
//     that answers every non-local request through the context's route handlers;
//   - media emulation: WebKitGTK takes prefers-color-scheme from GTK_THEME and
//     prefers-reduced-motion from GTK's settings.ini, so a context that asks for dark or
//     reduced motion gets its own WebKit launched with them (one per combination).
// What it cannot do at all throws, naming it: CDP, forced colours.
// Tests that need those are skipped in WebKit, saying why (helpers.notInWebKit).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDriver, ELEMENT_KEY } from '../e2e-webdriver/webdriver.mjs';
import { startRoutingProxy } from './proxy.mjs';

/** Records console output and uncaught errors of the page (first init script). */
const CONSOLE_RECORDER = `(function () {
  if (window.__wkLog) return;
  var L = window.__wkLog = [];
  var text = function (a) {
    return Array.prototype.map.call(a, function (x) {
      if (typeof x === 'string') return x;
      if (x && x.message) return x.message;
      try { return String(x); } catch (e) { return '?'; }
    }).join(' ');
  };
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (t) {
    var orig = console[t];
    console[t] = function () {
      try { L.push({ type: t === 'warn' ? 'warning' : t, text: text(arguments) }); } catch (e) {}
      return orig.apply(this, arguments);
    };
  });
  addEventListener('error', function (e) { if (e.message) L.push({ type: 'pageerror', text: e.message }); });
  addEventListener('unhandledrejection', function (e) {
    L.push({ type: 'pageerror', text: String((e.reason && e.reason.message) || e.reason) });
  });
})();`;

/** In-page helpers: querySelectorAll whose descendant combinators cross open shadow roots. */
const DEEP = `
  function deepAll(root) {
    var out = [];
    (function walk(r) {
      var all = r.querySelectorAll('*');
      for (var i = 0; i < all.length; i++) {
        out.push(all[i]);
        if (all[i].shadowRoot) walk(all[i].shadowRoot);
      }
    })(root);
    return out;
  }
  function split(sel, sep) {
    var parts = [], depth = 0, quote = null, cur = '';
    for (var i = 0; i < sel.length; i++) {
      var c = sel[i];
      if (quote) { if (c === quote) quote = null; cur += c; continue; }
      if (c === '"' || c === "'") { quote = c; cur += c; continue; }
      if (c === '[' || c === '(') depth++;
      if (c === ']' || c === ')') depth--;
      if (depth === 0 && (sep === ',' ? c === ',' : /\\s|>/.test(c))) { if (cur.trim()) parts.push(cur.trim()); cur = ''; continue; }
      cur += c;
    }
    if (cur.trim()) parts.push(cur.trim());
    return parts;
  }
  function up(n) { return n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentNode; }
  function chainMatches(el, chain) {
    if (!el.matches(chain[chain.length - 1])) return false;
    var i = chain.length - 2, n = up(el);
    while (i >= 0 && n && n.nodeType === 1) { if (n.matches(chain[i])) i--; n = up(n); }
    return i < 0;
  }
  function deepQuery(sel, scope) {
    var alts = split(sel, ',').map(function (a) { return split(a, ' '); });
    var pool = deepAll(scope || document);
    if (sel === '::role=button') return pool.filter(function (e) { return e.tagName === 'BUTTON' || e.getAttribute('role') === 'button'; });
    return pool.filter(function (el) { return alts.some(function (chain) { return chainMatches(el, chain); }); });
  }
  function visible(el) {
    if (!el || !el.isConnected) return false;
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
  }
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Launches WebKitWebDriver (MiniBrowser under Xvfb) and opens one session; `media`
 * { dark, reduce } sets the GTK environment that WebKitGTK reads its media features from.
 */
export async function launchWebKit(media = {}) {
  const env = {};
  if (media.dark) env.GTK_THEME = 'Adwaita:dark';
  if (media.reduce) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keksi-gtk-'));
    fs.mkdirSync(path.join(dir, 'gtk-3.0'));
    fs.writeFileSync(path.join(dir, 'gtk-3.0', 'settings.ini'), '[Settings]\ngtk-enable-animations=0\n');
    env.XDG_CONFIG_HOME = dir;
  }
  // Every non-local request goes through the routing proxy (http and https alike).
  let browser = null;
  const proxy = await startRoutingProxy((req) => (browser ? browser.routeRequest(req) : null));
  Object.assign(env, { http_proxy: proxy.url, https_proxy: proxy.url, no_proxy: '127.0.0.1,localhost,.localhost' });
  // startDriver hands the driver (and so MiniBrowser) a copy of process.env.
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let driver = null;
  try {
    driver = await startDriver('webkit');
    const session = await driver.newSession();
    browser = new WkBrowser(driver, session, media, proxy);
    return browser;
  } catch (e) {
    await driver?.stop().catch(() => {});
    await proxy.close();
    throw e;
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** A Playwright URL matcher: a function of the URL, a RegExp or a glob (`**` any, `*` no `/`). */
function urlMatcher(m) {
  if (typeof m === 'function') return (url) => m(new URL(url));
  if (m instanceof RegExp) return (url) => m.test(url);
  const re = new RegExp('^' + String(m).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*') + '$');
  return (url) => re.test(url);
}

class WkBrowser {
  constructor(driver, session, media = {}, proxy = null) {
    this.driver = driver;
    this.s = session;
    this.media = media;
    this.proxy = proxy;
    this.routes = []; // [{ matches, handler }] of the open context, newest first
    this.others = new Map(); // media key → WkBrowser promise
    this.server = null;
    this.origins = new Set(); // every origin a page went to: reset() empties each
  }

  /** The test server that injects init scripts into the pages it serves. */
  attachServer(server) {
    this.server = server;
  }

  async newContext(options = {}) {
    if (options.forcedColors === 'active') throw new Error('WebKit over WebDriver cannot emulate forced colours');
    const media = { dark: options.colorScheme === 'dark', reduce: options.reducedMotion === 'reduce' };
    const key = `${+media.dark}${+media.reduce}`;
    let target = this;
    if (key !== `${+!!this.media.dark}${+!!this.media.reduce}`) {
      if (!this.others.has(key)) this.others.set(key, launchWebKit(media));
      target = await this.others.get(key);
      target.server = this.server;
    }
    const ctx = new WkContext(target, options);
    await ctx.reset();
    return ctx;
  }

  /**
   * Answers a request that reached the proxy: the newest matching route decides, in
   * Playwright's terms (fulfill / abort); nothing matching = no network = refused.
   */
  async routeRequest(req) {
    const r = this.routes.find((x) => x.matches(req.url));
    if (!r) return null;
    let settle;
    const answer = new Promise((res) => { settle = res; });
    const request = { url: () => req.url, method: () => req.method, resourceType: () => req.type, headers: () => req.headers };
    const route = {
      request: () => request,
      abort: async () => settle(null),
      continue: async () => settle(null), // no network beyond the proxy
      fulfill: async ({ status = 200, contentType, body = '', headers = {} } = {}) => {
        const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
        if (contentType) h['content-type'] = contentType;
        settle({ status, headers: h, body });
      },
    };
    // A handler that returns without answering (or throws) leaves the request refused.
    Promise.resolve(r.handler(route, request)).then(() => settle(null), () => settle(null));
    return answer;
  }

  async close() {
    try {
      for (const b of this.others.values()) await (await b).close();
      await this.driver.stop();
    } finally {
      await this.proxy?.close();
    }
  }
}

class WkContext {
  constructor(browser, options) {
    this.browser = browser;
    this.s = browser.s;
    this.options = options;
    this.pages = [];
    this.initScripts = []; // context.addInitScript: every page of the context runs them
  }

  /** An empty profile for the test origin: no cookies, no storage. */
  async reset() {
    const srv = this.browser.server;
    if (!srv) throw new Error('webkit: attachServer() first');
    const vp = this.options.viewport ?? { width: 1280, height: 800 };
    await this.s.setWindowSize(vp.width, vp.height).catch(() => {});
    this.browser.server.setInjection('');
    this.browser.routes = [];
    this.browser.origins.add(srv.url);
    for (const origin of this.browser.origins) {
      await this.s.navigate(`${origin}/fixtures/engines/blank.html`);
      await this.s.deleteAllCookies();
      await this.s.execute(() => {
        localStorage.clear();
        sessionStorage.clear();
      });
    }
    this.browser.origins = new Set([srv.url]);
  }

  async addInitScript(script, arg) {
    this.initScripts.push(typeof script === 'function' ? `(${script.toString()})(${arg === undefined ? '' : JSON.stringify(arg)});` : String(script));
  }

  async newPage() {
    const page = new WkPage(this);
    this.pages.push(page);
    return page;
  }

  /** Requests of this context's pages to non-local hosts go to `handler(route, request)`. */
  async route(matcher, handler) {
    const m = urlMatcher(matcher);
    if (['http://127.0.0.1/', 'http://localhost/'].some((u) => m(u + 'keksi.js'))) {
      throw new Error('webkit: local URLs bypass the routing proxy (no_proxy); route third-party hosts only');
    }
    this.browser.routes.unshift({ matches: m, handler });
  }

  newCDPSession() {
    throw new Error('CDP is Chromium only');
  }

  /** The cookie jar of the current document's site, in Playwright's shape. */
  async cookies() {
    const list = await this.s.cookies();
    return list.map((c) => ({
      name: c.name, value: c.value, domain: c.domain, path: c.path ?? '/',
      expires: c.expiry ?? -1, httpOnly: !!c.httpOnly, secure: !!c.secure, sameSite: c.sameSite ?? 'Lax',
    }));
  }

  async addCookies(list) {
    const srv = this.browser.server;
    const here = await this.s.currentUrl().catch(() => '');
    if (!here.startsWith(srv.url)) await this.s.navigate(`${srv.url}/fixtures/engines/blank.html`);
    for (const c of list) {
      const cookie = { name: c.name, value: c.value, path: c.path ?? '/' };
      if (c.expires != null && c.expires > 0) cookie.expiry = Math.floor(c.expires);
      await this.s.addCookie(cookie);
    }
  }

  clearCookies() {
    return this.s.deleteAllCookies();
  }

  async close() {
    this.browser.server.setInjection('');
    await this.s.navigate('about:blank').catch(() => {});
    this.browser.routes = [];
  }
}

class WkPage {
  constructor(context) {
    this.context_ = context;
    this.s = context.s;
    this.listeners = { console: [], pageerror: [] };
    this.initScripts = [CONSOLE_RECORDER];
    this.timeout = 10_000;
    this.keyboard = { press: (k) => this.s.pressKeys([k]).then(() => this.drain()) };
  }

  context() {
    return this.context_;
  }

  setDefaultTimeout(ms) {
    this.timeout = ms;
  }

  on(event, fn) {
    if (this.listeners[event]) this.listeners[event].push(fn);
  }

  async addInitScript(script, arg) {
    const src = typeof script === 'function' ? `(${script.toString()})(${arg === undefined ? '' : JSON.stringify(arg)});` : String(script);
    this.initScripts.push(src);
  }

  /** Hands the page's recorded console messages and errors to the listeners. */
  async drain() {
    let items = [];
    try {
      items = (await this.s.execute('return (window.__wkLog || []).splice(0);')) ?? [];
    } catch {
      return;
    }
    await this.refreshFrames();
    for (const m of items) {
      if (m.type === 'pageerror') {
        for (const fn of this.listeners.pageerror) fn(new Error(m.text));
      } else {
        const msg = { type: () => m.type, text: () => m.text, location: () => ({ url: '' }) };
        for (const fn of this.listeners.console) fn(msg);
      }
    }
  }

  injection() {
    // Each script runs on its own, so one that throws does not stop the others.
    return [...this.initScripts.slice(0, 1), ...this.context_.initScripts, ...this.initScripts.slice(1)].map((src) => `<script>${src.replace(/<\/script/gi, '<\\/script')}</script>`).join('');
  }

  async goto(url) {
    if (/^https?:/.test(url)) this.context_.browser.origins.add(new URL(url).origin);
    await this.drain();
    this.context_.browser.server.setInjection(this.injection());
    await this.s.navigate(url);
    await this.drain();
  }

  async reload() {
    await this.drain();
    this.context_.browser.server.setInjection(this.injection());
    await this.s.refresh();
    await this.drain();
  }

  url() {
    return this.s.currentUrl();
  }

  /** Runs `fn(arg)` (or a string expression) in the page; awaits a promise; keeps `undefined`. */
  async evaluate(fn, arg) {
    const call = typeof fn === 'function'
      ? `(${fn.toString()})(${arg === undefined ? '' : 'arg'})`
      : `eval(${JSON.stringify(String(fn))})`;
    const src = `var done = arguments[arguments.length - 1], arg = arguments[0];
      Promise.resolve().then(function () { return ${call}; }).then(
        function (v) { done(v === undefined ? { ok: true, undef: true } : { ok: true, v: v }); },
        function (e) { done({ ok: false, e: String((e && e.stack) || e) }); });`;
    const r = await this.s.executeAsync(src, arg === undefined ? [] : [arg]);
    await this.drain();
    if (!r || !r.ok) throw new Error(`in page: ${r?.e}`);
    return r.undef ? undefined : r.v;
  }

  async waitForFunction(fn, arg, { timeout = this.timeout } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await this.evaluate(fn, arg ?? undefined);
      if (v) return v;
      if (Date.now() > end) throw new Error(`waitForFunction timed out after ${timeout} ms`);
      await sleep(50);
    }
  }

  async waitForTimeout(ms) {
    await sleep(ms);
  }

  /**
   * Resolves when a new document has loaded (a reload or navigation after this call).
   * Polling starts only when awaited: WebDriver runs one command at a time, and a poll
   * sent while a click is waiting for the navigation it caused would stall both.
   */
  waitForNavigation({ timeout = this.timeout } = {}) {
    const token = `n${Math.random().toString(36).slice(2)}`;
    const marked = this.s.execute((t) => { window.__wkNavToken = t; }, [token]);
    let run = null;
    const start = () => (run ??= (async () => {
      await marked;
      const end = Date.now() + timeout;
      for (;;) {
        const v = await this.s.execute(() => [window.__wkNavToken ?? null, document.readyState]).catch(() => null);
        if (v && v[0] !== token && v[1] === 'complete') break;
        if (Date.now() > end) throw new Error(`no navigation within ${timeout} ms`);
        await sleep(50);
      }
      await this.drain();
    })());
    return { then: (ok, fail) => start().then(ok, fail), catch: (fail) => start().catch(fail) };
  }

  async waitForLoadState(_state, { timeout = this.timeout } = {}) {
    const end = Date.now() + timeout;
    while ((await this.s.execute(() => document.readyState).catch(() => null)) !== 'complete') {
      if (Date.now() > end) throw new Error(`page not loaded within ${timeout} ms`);
      await sleep(50);
    }
    await this.drain();
  }

  waitForEvent(event, { timeout } = {}) {
    if (event !== 'load') throw new Error(`waitForEvent('${event}') is not available in WebKit over WebDriver`);
    return this.waitForNavigation({ timeout });
  }

  /**
   * Playwright's frames() is synchronous: this returns the frames seen at the last call
   * into the page (main document and iframes, each with url()) and refreshes that list
   * in the background, so a polling test sees it change.
   */
  frames() {
    this.refreshFrames();
    return this.frameList ?? [];
  }

  refreshFrames() {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.s
      .execute(() => [location.href].concat([...document.querySelectorAll('iframe')].map((f) => {
        try {
          return f.contentWindow.location.href;
        } catch {
          return f.src; // cross-origin: where it was sent
        }
      })))
      .then((urls) => {
        this.frameList = urls.map((u) => ({ url: () => u }));
      })
      .catch(() => {})
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  async addStyleTag({ content }) {
    await this.s.execute((css) => {
      const st = document.createElement('style');
      st.textContent = css;
      document.head.appendChild(st);
    }, [content]);
  }

  async addScriptTag({ path: file, content }) {
    const src = content ?? (await import('node:fs')).readFileSync(file, 'utf8');
    await this.s.execute(src);
  }

  locator(selector) {
    return new WkLocator(this, selector);
  }

  getAttribute(selector, name) {
    return this.locator(selector).getAttribute(name);
  }

  async close() {
    this.context_.pages = this.context_.pages.filter((p) => p !== this);
  }
}

class WkLocator {
  constructor(page, selector, index = 0, scope = null) {
    this.page = page;
    this.s = page.s;
    this.selector = selector;
    this.index = index;
    this.scope = scope; // a parent locator
  }

  first() {
    return this.with({ index: 0 });
  }

  nth(i) {
    return this.with({ index: i });
  }

  /** Playwright's filter({ visible }): only the matches that are (not) visible. */
  filter({ visible } = {}) {
    return this.with({ onlyVisible: visible });
  }

  with(changes) {
    const l = new WkLocator(this.page, this.selector, this.index, this.scope);
    l.onlyVisible = this.onlyVisible;
    return Object.assign(l, changes);
  }

  getByRole(role) {
    if (role !== 'button') throw new Error(`getByRole('${role}') is not available in WebKit over WebDriver`);
    return new WkLocator(this.page, '::role=button', 0, this);
  }

  /** In-page expression: the list of matches (scoped to the parent's first match). */
  query() {
    const scope = this.scope ? `(${this.scope.query()})[${this.scope.index}]` : 'document';
    const all = `deepQuery(${JSON.stringify(this.selector)}, ${scope})`;
    if (this.onlyVisible === undefined) return all;
    return `${all}.filter(function (e) { return visible(e) === ${!!this.onlyVisible}; })`;
  }

  run(body, arg) {
    return this.s.execute(`${DEEP}\nvar el = (${this.query()})[${this.index}];\n${body}`, arg === undefined ? [] : [arg]);
  }

  async waitFor({ state = 'visible', timeout = this.page.timeout } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await this.run('return [!!el, !!el && visible(el)];');
      const ok = { visible: v[1], hidden: !v[1], attached: v[0], detached: !v[0] }[state];
      if (ok) return;
      if (Date.now() > end) throw new Error(`locator(${this.selector}) not ${state} within ${timeout} ms`);
      await sleep(50);
    }
  }

  async isVisible() {
    return this.run('return !!el && visible(el);');
  }

  async count() {
    return this.s.execute(`${DEEP}\nreturn (${this.query()}).length;`);
  }

  async textContent() {
    return this.run('return el ? el.textContent : null;');
  }

  async getAttribute(name) {
    return this.run('return el ? el.getAttribute(arguments[0]) : null;', name);
  }

  async isChecked() {
    return this.run('return !!el && !!el.checked;');
  }

  async boundingBox() {
    return this.run('if (!el) return null; var r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height };');
  }

  async focus() {
    await this.waitFor({ state: 'attached' });
    await this.run('el.focus();');
    await this.page.drain();
  }

  async evaluate(fn, arg) {
    const r = await this.run(`return (${fn.toString()})(el, arguments[0]);`, arg);
    await this.page.drain();
    return r;
  }

  /**
   * A real click (WebDriver Element Click), after waiting for the element to show.
   * WebKitWebDriver calls some elements inside shadow roots and modal dialogs "not
   * interactable" (its own hit test; the smoke suite's real click through keksi's shadow
   * root passes): those get the DOM's click() instead, which runs the same handlers.
   */
  async click() {
    await this.waitFor({ state: 'visible' });
    // Instantly, as Playwright does: on a page with `scroll-behavior: smooth` (the demo
    // shop) the click was otherwise sent mid-scroll, off its target (a flaky test).
    const ref = await this.run('el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" }); return el;');
    try {
      await this.s.click(ref[ELEMENT_KEY]);
    } catch (e) {
      if (!/not interactable/.test(e.message)) throw e;
      await this.run('el.click();');
    }
    await this.page.drain();
  }

  async scrollIntoViewIfNeeded() {
    await this.run('el.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "instant" });');
  }

  async check() {
    if (!(await this.isChecked())) await this.click();
  }

  async uncheck() {
    if (await this.isChecked()) await this.click();
  }
}
