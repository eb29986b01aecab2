// A tiny W3C WebDriver client (plain Node, fetch-based, no npm dependency) and the three
// local engines keksi's cross-engine smoke suite runs on:
//
//   chromium  /usr/bin/chromium        + /usr/bin/chromedriver            (apt: chromium chromium-driver)
//   firefox   /usr/bin/firefox-esr     + geckodriver                      (apt: firefox-esr; cargo install geckodriver)
//   webkit    WebKitGTK's MiniBrowser  + /usr/bin/WebKitWebDriver         (apt: webkit2gtk-driver xvfb; MiniBrowser
//                                                                          has no headless mode: it gets its own Xvfb)
//
// Playwright cannot drive the system Firefox or WebKit builds, so the cross-engine tests
// speak WebDriver (https://w3c.github.io/webdriver/) directly.
//
//   const drv = await startDriver('firefox');          // spawns the driver on a free port
//   const s = await drv.newSession();                  // headless browser, engine defaults
//   await s.navigate(url); await s.execute('return document.title');
//   await s.close(); await drv.stop();
//
// Env overrides: CHROMIUM_PATH, CHROMEDRIVER, FIREFOX_PATH, GECKODRIVER, WEBKITWEBDRIVER,
// MINIBROWSER, XVFB.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';
export const SHADOW_KEY = 'shadow-6066-11e4-a52e-4f735466cecf';

const exists = (p) => !!p && fs.existsSync(p);
function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (exists(p)) return p;
  }
  return null;
}
const firstExisting = (...c) => c.find(exists) ?? null;

/** Where each engine's browser and driver live on this machine (null when missing). */
export function locate(engine) {
  switch (engine) {
    case 'chromium':
      return {
        browser: firstExisting(process.env.CHROMIUM_PATH, '/usr/bin/chromium'),
        driver: firstExisting(process.env.CHROMEDRIVER, '/usr/bin/chromedriver') ?? which('chromedriver'),
        install: 'apt-get install -y chromium chromium-driver',
      };
    case 'firefox':
      return {
        browser: firstExisting(process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'),
        driver:
          firstExisting(process.env.GECKODRIVER, path.join(os.homedir(), '.cargo/bin/geckodriver')) ??
          which('geckodriver'),
        install: 'apt-get install -y firefox-esr && cargo install geckodriver --version 0.37.1',
      };
    case 'webkit':
      return {
        browser: firstExisting(
          process.env.MINIBROWSER,
          '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
          '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
        ),
        driver: firstExisting(process.env.WEBKITWEBDRIVER, '/usr/bin/WebKitWebDriver') ?? which('WebKitWebDriver'),
        display: process.env.DISPLAY || firstExisting(process.env.XVFB, '/usr/bin/Xvfb') ? true : null,
        install: 'apt-get install -y webkit2gtk-driver xvfb',
      };
    default:
      throw new Error(`unknown engine ${engine} (chromium, firefox, webkit)`);
  }
}

export const ENGINES = ['chromium', 'firefox', 'webkit'];

/** Why `engine` cannot run here, or null when it can. */
export function unavailable(engine) {
  const l = locate(engine);
  const missing = [];
  if (!l.browser) missing.push('browser');
  if (!l.driver) missing.push('WebDriver server');
  if (l.display === null) missing.push('X display (DISPLAY or Xvfb)');
  return missing.length ? `${engine}: no ${missing.join(', ')} (${l.install})` : null;
}

export class WebDriverError extends Error {
  constructor(status, value, what) {
    super(`${what}: ${value?.error ?? status}: ${String(value?.message ?? '').split('\n')[0]}`);
    this.status = status;
    this.error = value?.error;
    this.data = value;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function request(base, method, route, body, timeoutMs = 60_000) {
  const res = await fetch(base + route, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { value: { error: 'unparsable response', message: text.slice(0, 300) } };
  }
  if (!res.ok || (json.value && json.value.error)) throw new WebDriverError(res.status, json.value, `${method} ${route}`);
  return json.value;
}

/** Starts Xvfb on a free display number; resolves to { display, stop() }. */
export function startXvfb() {
  const bin = firstExisting(process.env.XVFB, '/usr/bin/Xvfb') ?? 'Xvfb';
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.slice(-500)}`)));
    proc.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        resolve({
          display: ':' + out.trim(),
          stop: () => stopProcess(proc),
        });
      }
    });
  });
}

function stopProcess(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** Capabilities for a headless session of `engine` (extra merged into the vendor options). */
export function capabilities(engine, extra = {}) {
  const l = locate(engine);
  if (engine === 'chromium') {
    return {
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: l.browser,
        args: [
          '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--no-first-run', '--disable-quic', '--window-size=1280,800',
          ...(extra.args ?? []),
        ],
      },
    };
  }
  if (engine === 'firefox') {
    return {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: l.browser,
        args: ['-headless', '--width=1280', '--height=800', ...(extra.args ?? [])],
        prefs: {
          // no first-run pages, telemetry or background traffic
          'browser.shell.checkDefaultBrowser': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'app.update.enabled': false,
          'network.captive-portal-service.enabled': false,
          'network.connectivity-service.enabled': false,
          ...(extra.prefs ?? {}),
        },
      },
    };
  }
  // WebKitGTK: MiniBrowser in automation mode. It has no headless switch; it draws into
  // the X display (Xvfb) the driver inherits.
  return {
    'webkitgtk:browserOptions': {
      ...(l.browser ? { binary: l.browser } : {}),
      args: ['--automation', ...(extra.args ?? [])],
    },
  };
}

/**
 * Spawns the engine's WebDriver server on a free port. Resolves to
 * { engine, url, newSession(extra), stop(), log() }.
 */
export async function startDriver(engine, { logFile } = {}) {
  const why = unavailable(engine);
  if (why) throw new Error(why);
  const l = locate(engine);
  const port = await freePort();
  let xvfb = null;
  const env = { ...process.env };
  // MiniBrowser has no headless mode: give it its own virtual display (the desktop's
  // DISPLAY only when there is no Xvfb).
  if (engine === 'webkit' && (firstExisting(process.env.XVFB, '/usr/bin/Xvfb') || !env.DISPLAY)) {
    xvfb = await startXvfb();
    env.DISPLAY = xvfb.display;
  }
  const args =
    engine === 'firefox' ? ['--port', String(port), '--log', 'error'] : [`--port=${port}`];
  const proc = spawn(l.driver, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d) => {
    out = (out + d).slice(-20_000);
    if (logFile) fs.appendFileSync(logFile, d);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${l.driver} exited (${proc.exitCode}): ${out.slice(-500)}`);
    try {
      const st = await request(url, 'GET', '/status', undefined, 2000);
      if (st && st.ready !== false) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) {
      await stopProcess(proc);
      throw new Error(`${l.driver} did not come up on ${url}: ${out.slice(-500)}`);
    }
    await sleep(100);
  }
  const sessions = new Set();
  return {
    engine,
    url,
    log: () => out,
    async newSession(extra = {}) {
      // acceptInsecureCerts: the https front of the test server (./tls.mjs) is self-signed.
      const body = { capabilities: { alwaysMatch: { acceptInsecureCerts: true, ...capabilities(engine, extra) } } };
      const v = await request(url, 'POST', '/session', body, 120_000);
      const s = new Session(url, v.sessionId, v.capabilities, engine);
      sessions.add(s);
      s.onClose = () => sessions.delete(s);
      await s.setTimeouts({ script: 15_000, pageLoad: 30_000, implicit: 0 });
      return s;
    },
    async stop() {
      for (const s of [...sessions]) await s.close().catch(() => {});
      await stopProcess(proc);
      if (xvfb) await xvfb.stop();
    },
  };
}

/** An element or shadow-root reference, as WebDriver serialises it. */
const ref = (id, key = ELEMENT_KEY) => ({ [key]: id, ELEMENT: id });

export class Session {
  constructor(base, id, caps, engine) {
    this.base = base;
    this.id = id;
    this.capabilities = caps;
    this.engine = engine;
    this.browserName = caps?.browserName;
    this.browserVersion = caps?.browserVersion;
  }

  cmd(method, route, body, timeoutMs) {
    return request(this.base, method, `/session/${this.id}${route}`, body, timeoutMs);
  }

  setTimeouts(t) {
    return this.cmd('POST', '/timeouts', t);
  }

  /** Navigates and waits for the load event (pageLoadStrategy "normal"). */
  navigate(url) {
    return this.cmd('POST', '/url', { url });
  }

  refresh() {
    return this.cmd('POST', '/refresh', {});
  }

  currentUrl() {
    return this.cmd('GET', '/url');
  }

  /** Execute Script: `script` is a function body; `return` hands back a JSON-able value. */
  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script: fnBody(script), args });
  }

  /** Execute Async Script: the body calls `arguments[arguments.length - 1](value)` when done. */
  executeAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script: fnBody(script), args });
  }

  /** Runs an async function `(…args) => value` in the page (callback-based, works everywhere). */
  evaluate(fn, ...args) {
    const src = `var done = arguments[arguments.length - 1];
      var args = Array.prototype.slice.call(arguments, 0, -1);
      Promise.resolve().then(function () { return (${fn.toString()}).apply(null, args); })
        .then(function (v) { done({ ok: true, v: v === undefined ? null : v }); },
              function (e) { done({ ok: false, e: String((e && e.stack) || e) }); });`;
    return this.executeAsync(src, args).then((r) => {
      if (!r || !r.ok) throw new Error(`in page: ${r?.e}`);
      return r.v;
    });
  }

  async findElement(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return v[ELEMENT_KEY];
  }

  async findElements(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => e[ELEMENT_KEY]);
  }

  /** Get Element Shadow Root; returns a shadow-root id. */
  async shadowRoot(elementId) {
    const v = await this.cmd('GET', `/element/${elementId}/shadow`);
    return v[SHADOW_KEY];
  }

  /** Find Element From Shadow Root (CSS only, per the spec's shadow-root restrictions). */
  async findInShadow(shadowId, css) {
    const v = await this.cmd('POST', `/shadow/${shadowId}/element`, { using: 'css selector', value: css });
    return v[ELEMENT_KEY];
  }

  click(elementId) {
    return this.cmd('POST', `/element/${elementId}/click`, {});
  }

  sendKeys(elementId, text) {
    return this.cmd('POST', `/element/${elementId}/value`, { text });
  }

  /** Set Window Rect (outer size; the viewport is smaller by the browser's chrome). */
  setWindowSize(width, height) {
    return this.cmd('POST', '/window/rect', { width, height });
  }

  /**
   * Presses keys through the Actions API, as a keyboard user would: `keys` is a list of
   * 'Tab', 'Shift+Tab', 'Enter', 'Escape' or 'Space'.
   */
  async pressKeys(keys) {
    const code = { Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C', Shift: '\uE008', Space: ' ' };
    for (const k of keys) {
      const parts = k.split('+').map((p) => code[p] ?? p);
      const actions = [...parts.map((v) => ({ type: 'keyDown', value: v })), ...parts.reverse().map((v) => ({ type: 'keyUp', value: v }))];
      await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
      await this.cmd('DELETE', '/actions');
    }
  }

  elementText(elementId) {
    return this.cmd('GET', `/element/${elementId}/text`);
  }

  elementDisplayed(elementId) {
    return this.cmd('GET', `/element/${elementId}/displayed`);
  }

  /** Get All Cookies: the real jar for the current document (includes HttpOnly; `expiry` in s). */
  cookies() {
    return this.cmd('GET', '/cookie');
  }

  async cookie(name) {
    return (await this.cookies()).find((c) => c.name === name) ?? null;
  }

  addCookie(cookie) {
    return this.cmd('POST', '/cookie', { cookie });
  }

  deleteAllCookies() {
    return this.cmd('DELETE', '/cookie');
  }

  /** Element reference to pass as an argument to execute(). */
  static ref(id) {
    return ref(id);
  }

  async close() {
    try {
      await this.cmd('DELETE', '', undefined, 30_000);
    } finally {
      this.onClose?.();
    }
  }
}

function fnBody(script) {
  return typeof script === 'function' ? `return (${script.toString()}).apply(null, arguments);` : script;
}
