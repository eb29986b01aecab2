// Automated WCAG 2.1 A/AA checks with axe-core on the demo page, the banner and the dialog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { setup, assertKeksiBuilt, newPage, waitVisible, openFromLink, BANNER } from './helpers.mjs';

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
