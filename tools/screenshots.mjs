#!/usr/bin/env node
// Screenshots of the demo shop with keksi's banner and its preferences dialog, into docs/.
//
//   node tools/screenshots.mjs [--out docs]
//
// Needs www/keksi.js (node tools/build.mjs) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
// Writes: banner.png, preferences.png (1280x800, light) and
//         banner-mobile-dark.png, preferences-mobile-dark.png (360x740, dark).

import fs from 'node:fs';
import path from 'node:path';
import { startServer, ROOT, WWW } from '../tests/e2e/server.mjs';
import { launchBrowser, closeBrowser, BANNER, DIALOG, btn } from '../tests/e2e/helpers.mjs';

const argv = process.argv.slice(2);
const outIdx = argv.indexOf('--out');
const OUT = path.resolve(ROOT, outIdx >= 0 ? argv[outIdx + 1] : 'docs');

const SHOTS = [
  { name: '', viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
  { name: '-mobile-dark', viewport: { width: 360, height: 740 }, colorScheme: 'dark', deviceScaleFactor: 2, isMobile: true, hasTouch: true },
];

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
    for (const shot of SHOTS) {
      const { name, ...options } = shot;
      const context = await browser.newContext({ ...options, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url + '/', { waitUntil: 'load' });
      await page.locator(BANNER).waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(400); // let any entrance transition finish
      const banner = path.join(OUT, `banner${name}.png`);
      await page.screenshot({ path: banner });
      written.push(banner);

      await page.locator(btn(BANNER, 'preferences')).click();
      await page.locator(DIALOG).waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(400);
      const prefs = path.join(OUT, `preferences${name}.png`);
      await page.screenshot({ path: prefs });
      written.push(prefs);
      if (errors.length) console.warn(`console errors (${shot.colorScheme} ${shot.viewport.width}px):\n  ${errors.join('\n  ')}`);
      await context.close();
    }
  } finally {
    await closeBrowser();
    await server.close();
  }
  for (const f of written) console.log(`wrote ${path.relative(ROOT, f)} (${fs.statSync(f).size} bytes)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
