#!/usr/bin/env node
// Screenshots of keksi's banner (each layout, light and dark, desktop and 360 px), its
// preferences dialog and the Arabic (right-to-left) UI on the demo shop, into docs/.
//
//   node tools/screenshots.mjs [--out docs] [--only NAME,NAME] [--live-css]
//
//   --only      just these shots (names as below, without .png)
//   --live-css  swap in src/web/keksi.css from disk before each shot, to iterate on the
//               stylesheet without rebuilding keksi.js (the shipped CSS is compiled in)
//
// Needs www/keksi.js (node tools/build.mjs) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
// Pages: tests/e2e/fixtures/ui/shop.html?layout=&theme=&lang= (the demo shop; the query
// string becomes keksi's config "layout", "theme" and "language").

import fs from 'node:fs';
import path from 'node:path';
import { startServer, ROOT, WWW } from '../tests/e2e/server.mjs';
import { launchBrowser, closeBrowser, BANNER, DIALOG, btn } from '../tests/e2e/helpers.mjs';

const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const OUT = path.resolve(ROOT, arg('--out') ?? 'docs');
const ONLY = arg('--only')?.split(',');
const LIVE_CSS = argv.includes('--live-css') ? path.join(ROOT, 'src', 'web', 'keksi.css') : null;

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// name: what it shows. `open`: the preferences dialog, opened from the banner.
const SHOTS = [
  { name: 'bar-light', layout: 'bar', theme: 'light', ...DESKTOP },
  { name: 'bar-dark', layout: 'bar', theme: 'dark', ...DESKTOP },
  { name: 'box-light', layout: 'box', theme: 'light', ...DESKTOP },
  { name: 'box-dark', layout: 'box', theme: 'dark', ...DESKTOP },
  { name: 'modal-light', layout: 'modal', theme: 'light', ...DESKTOP },
  { name: 'modal-dark', layout: 'modal', theme: 'dark', ...DESKTOP },
  { name: 'bar-light-360', layout: 'bar', theme: 'light', ...PHONE },
  { name: 'bar-dark-360', layout: 'bar', theme: 'dark', ...PHONE },
  { name: 'box-dark-360', layout: 'box', theme: 'dark', ...PHONE },
  { name: 'modal-light-360', layout: 'modal', theme: 'light', ...PHONE },
  { name: 'dialog-light', layout: 'bar', theme: 'light', open: true, ...DESKTOP },
  { name: 'dialog-dark-360', layout: 'bar', theme: 'dark', open: true, ...PHONE },
  { name: 'rtl-ar', layout: 'box', theme: 'light', lang: 'ar', ...DESKTOP },
  { name: 'rtl-ar-dialog-360', layout: 'bar', theme: 'dark', lang: 'ar', open: true, ...PHONE },
];

/** Replaces the compiled stylesheet in keksi's shadow root with the file on disk. */
async function liveCss(page) {
  if (!LIVE_CSS) return;
  const css = fs.readFileSync(LIVE_CSS, 'utf8');
  await page.evaluate((text) => {
    const root = document.getElementById('keksi').shadowRoot;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    root.adoptedStyleSheets = [sheet];
  }, css);
}

async function main() {
  const keksi = process.env.KEKSI_JS ? path.resolve(process.env.KEKSI_JS) : path.join(WWW, 'keksi.js');
  if (!fs.existsSync(keksi)) {
    console.error(`${keksi} is missing: build it first with \`node tools/build.mjs\``);
    process.exit(1);
  }
  fs.mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  const written = [];
  try {
    for (const shot of SHOTS.filter((s) => !ONLY || ONLY.includes(s.name))) {
      const { name, layout, theme, lang, open, ...options } = shot;
      const context = await browser.newContext({ ...options, colorScheme: theme, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      const q = new URLSearchParams({ layout, theme, ...(lang ? { lang } : {}) });
      await page.goto(`${server.url}/fixtures/ui/shop.html?${q}`, { waitUntil: 'load' });
      await page.locator(BANNER).waitFor({ state: 'visible', timeout: 10_000 });
      await liveCss(page);
      if (open) {
        await page.locator(btn(BANNER, 'preferences')).click();
        await page.locator(DIALOG).waitFor({ state: 'visible', timeout: 10_000 });
        await liveCss(page);
      }
      await page.waitForTimeout(300);
      const file = path.join(OUT, `${name}.png`);
      await page.screenshot({ path: file });
      written.push(file);
      if (errors.length) console.warn(`console errors (${name}):\n  ${errors.join('\n  ')}`);
      await context.close();
    }
  } finally {
    await closeBrowser();
    await server.close();
  }
  for (const f of written) console.log(`wrote ${path.relative(ROOT, f)} (${Math.round(fs.statSync(f).size / 1024)} KB)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
