#!/usr/bin/env node
// Start-up cost of keksi on the demo page, against the same page without keksi.js.
//
//   node tools/bench-start.mjs [--runs 15] [--path /] [--json]
//
// Each run is a fresh browser context (empty profile: the banner shows). The two variants
// alternate run by run so that machine noise hits both alike; one warm-up run of each is
// discarded. The baseline is the same HTML with its <script src="/keksi.js"> tag removed by
// the test server (?keksi=off). Reported: medians over the runs of
//   - DOMContentLoaded, first contentful paint and load (navigation start = 0),
//   - script execution time (CDP Performance.getMetrics ScriptDuration; keksi.js's own
//     cost is the difference between the variants, the rest of the page being identical),
//   - the moment keksi's banner is in the DOM (MutationObserver) and first visible
//     (first animation frame in which it is rendered with a non-empty box),
// as a markdown table. Needs www/keksi.js (node tools/build.mjs) and /usr/bin/chromium.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, WWW } from '../tests/e2e/server.mjs';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { fmt, median, opt } from './bench-lib.mjs';

const argv = process.argv.slice(2);
const RUNS = Math.max(1, Number(opt('--runs', 15)) || 15);
const PATH = opt('--path', '/');
const JSON_OUT = argv.includes('--json');

// Installed before any page script: timestamps for the banner, measured in the page.
function probe() {
  window.__bench = { inDom: null, visible: null };
  const find = () => {
    const host = document.getElementById('keksi');
    const root = host && host.shadowRoot;
    return root ? root.querySelector('[data-keksi="banner"]') : null;
  };
  const observed = new WeakSet();
  const onMutation = () => {
    const host = document.getElementById('keksi');
    if (host && host.shadowRoot && !observed.has(host.shadowRoot)) {
      observed.add(host.shadowRoot);
      mo.observe(host.shadowRoot, { childList: true, subtree: true, attributes: true });
    }
    if (window.__bench.inDom === null && find()) window.__bench.inDom = performance.now();
  };
  const mo = new MutationObserver(onMutation);
  mo.observe(document, { childList: true, subtree: true });
  const frame = () => {
    const b = find();
    if (b) {
      if (window.__bench.inDom === null) window.__bench.inDom = performance.now();
      const r = b.getBoundingClientRect();
      const visible =
        r.width > 0 &&
        r.height > 0 &&
        (typeof b.checkVisibility !== 'function' || b.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
      if (visible) {
        window.__bench.visible = performance.now();
        mo.disconnect();
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function runOnce(browser, url, expectBanner) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(probe);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url, { waitUntil: 'load' });
    // Sleep instead of polling from here, so that the two variants run the same scripts.
    let t;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, i === 0 ? 300 : 100));
      t = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const res = performance.getEntriesByType('resource').find((e) => /\/keksi\.js(\?|$)/.test(e.name));
        return {
          dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd,
          fcp: fcp ? fcp.startTime : null,
          keksiFetched: res ? res.responseEnd : null,
          inDom: window.__bench.inDom,
          visible: window.__bench.visible,
        };
      });
      if (t.fcp !== null && (!expectBanner || t.visible !== null)) break;
    }
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    if (expectBanner && t.visible === null) throw new Error('banner never became visible');
    return { ...t, script: m.ScriptDuration * 1000, task: m.TaskDuration * 1000, heap: m.JSHeapUsedSize };
  } finally {
    await context.close();
  }
}


async function main() {
  const keksiFile = process.env.KEKSI_JS ? path.resolve(process.env.KEKSI_JS) : path.join(WWW, 'keksi.js');
  if (!fs.existsSync(keksiFile)) {
    console.error(`${keksiFile} is missing: build it first with \`node tools/build.mjs\``);
    process.exit(1);
  }
  const server = await startServer();
  const browser = await launchBrowser();
  const withK = [];
  const base = [];
  try {
    const sep = PATH.includes('?') ? '&' : '?';
    const urlK = server.url + PATH;
    const urlB = server.url + PATH + sep + 'keksi=off';
    await runOnce(browser, urlK, true); // warm-up (discarded)
    await runOnce(browser, urlB, false);
    for (let i = 0; i < RUNS; i++) {
      withK.push(await runOnce(browser, urlK, true));
      base.push(await runOnce(browser, urlB, false));
      if (!JSON_OUT) process.stderr.write(`\rrun ${i + 1}/${RUNS}`);
    }
    if (!JSON_OUT) process.stderr.write('\n');
  } finally {
    await closeBrowser();
    await server.close();
  }

  const med = (rows, k) => median(rows.map((r) => r[k]));
  const K = Object.fromEntries(['dcl', 'fcp', 'load', 'script', 'task', 'inDom', 'visible', 'keksiFetched', 'heap'].map((k) => [k, med(withK, k)]));
  const B = Object.fromEntries(['dcl', 'fcp', 'load', 'script', 'task', 'heap'].map((k) => [k, med(base, k)]));
  const bytes = fs.readFileSync(keksiFile);
  const size = {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };

  if (JSON_OUT) {
    console.log(JSON.stringify({ runs: RUNS, path: PATH, medians: { keksi: K, baseline: B }, size, raw: { keksi: withK, baseline: base } }, null, 2));
    return;
  }

  const ratio = (a, b) => (a === null || b === null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
  const delta = (a, b) => (a === null || b === null ? '—' : `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)}`);
  const row = (name, b, k) => `| ${name} | ${fmt(b)} | ${fmt(k)} | ${delta(k, b)} | ${ratio(k, b)} |`;
  const lines = [
    `Start-up of \`${PATH}\`: median of ${RUNS} fresh contexts each (headless Chromium, ${new Date().toISOString().slice(0, 10)}).`,
    '',
    '| metric (ms from navigation start) | baseline (no keksi) | with keksi | Δ | ratio |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('DOMContentLoaded', B.dcl, K.dcl),
    row('first contentful paint', B.fcp, K.fcp),
    row('load event', B.load, K.load),
    row('script execution (CDP ScriptDuration)', B.script, K.script),
    row('main-thread tasks (CDP TaskDuration)', B.task, K.task),
    `| keksi.js received | — | ${fmt(K.keksiFetched)} | | |`,
    `| banner in DOM | — | ${fmt(K.inDom)} | | |`,
    `| banner visible (first frame) | — | ${fmt(K.visible)} | | ${ratio(K.visible, B.fcp)} of baseline FCP |`,
    '',
    `keksi.js script cost ≈ ${fmt(K.script - B.script)} ms (ScriptDuration with − without). ` +
      `JS heap: ${fmt(B.heap / 1024, 0)} KiB → ${fmt(K.heap / 1024, 0)} KiB.`,
    `keksi.js size: ${(size.raw / 1024).toFixed(1)} KiB raw, ${(size.gzip / 1024).toFixed(1)} KiB gzip -9, ${(size.brotli / 1024).toFixed(1)} KiB brotli -q 11.`,
  ];
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
