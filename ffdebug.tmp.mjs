import { firefox } from 'playwright-core';
for (const prefs of [{ 'ui.prefersReducedMotion': 1 }, { 'layout.css.prefers-color-scheme.content-override': 0, 'ui.systemUsesDarkTheme': 1 }, { 'browser.display.document_color_use': 2 }, {'ui.useAccessibilityTheme':1}]) {
  const b = await firefox.launch({ channel: 'moz-firefox', executablePath: '/usr/bin/firefox-esr', headless: true, firefoxUserPrefs: prefs });
  const c = await b.newContext(); const p = await c.newPage();
  await p.goto('data:text/html,<p>x');
  console.log(JSON.stringify(prefs), await p.evaluate(() => ({ rm: matchMedia('(prefers-reduced-motion: reduce)').matches, dark: matchMedia('(prefers-color-scheme: dark)').matches, fc: matchMedia('(forced-colors: active)').matches })));
  await b.close();
}
