#!/usr/bin/env node
// Which functions keksi's start-up spends its time in, on the demo page in headless Chromium.
//
//   node tools/profile-start.mjs [--runs 10] [--top 30] [--interval 50] [--inclusive] [--callers NAME] [--under NAME] [--repeat]
//
// Builds keksi.js with function names kept (`build.mjs --names`, never shipped) into
// target/profile/, serves a copy of www/ with it, and loads the demo page in fresh contexts
// (empty profile: the banner shows) under the CDP sampling profiler (`--interval` µs).
// Reported: the self time of each function summed over all runs and divided by the number
// of runs (ms per page load), with the WebAssembly's Rust names, the heaviest first.
// With --repeat, a returning visitor's load: the profiled load follows one where the visitor
// clicked "Accept all" (the banner stays hidden). With --under, only the samples taken inside a function whose label starts with NAME.
// With --inclusive, each function's total time (itself and all it calls) instead. With --callers, the time of the functions whose label starts with NAME split by the chain
// of their callers (20 deep) instead. Sampling is statistical: read the top rows, not
// the last decimals.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { opt, flag, fmt, serveDir } from './bench-lib.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Math.max(1, Number(opt('--runs', 10)) || 10);
const TOP = Math.max(1, Number(opt('--top', 30)) || 30);
const INTERVAL = Math.max(10, Number(opt('--interval', 50)) || 50);
const CALLERS = opt('--callers', null);
const INCLUSIVE = flag('--inclusive');
const UNDER = opt('--under', null);
const REPEAT = flag('--repeat');
const dir = path.join(root, 'target', 'profile');
fs.rmSync(dir, { recursive: true, force: true });
fs.cpSync(path.join(root, 'www'), dir, { recursive: true });
execFileSync('node', [path.join(root, 'tools/build.mjs'), '--names', '--out', path.join(dir, 'keksi.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
const { url, close } = await serveDir(dir);

// A Rust name without its hash and crate disambiguators; JS functions by name and line.
const label = (f) => {
  const name = (f.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');
  return f.url && !f.url.startsWith('wasm://') ? `${name} (${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1})` : name;
};
const self = new Map();
const browser = await launchBrowser();
for (let i = 0; i <= RUNS; i++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  if (REPEAT) {
    await page.goto(url, { waitUntil: 'load' });
    await page.click('#keksi [data-action="accept-all"]');
  }
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: INTERVAL });
  await cdp.send('Profiler.start');
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);
  const { profile } = await cdp.send('Profiler.stop');
  await ctx.close();
  if (i === 0) continue; // the first load warms the browser up
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n.id])));
  profile.samples.forEach((id, k0) => {
    let key = label(nodes.get(id).callFrame);
    if (UNDER !== null) {
      let p = id;
      while (p !== undefined && !label(nodes.get(p).callFrame).startsWith(UNDER)) p = parent.get(p);
      if (p === undefined) return;
    }
    if (INCLUSIVE) {
      const seen = new Set([key]);
      for (let p = parent.get(id); p !== undefined; p = parent.get(p)) seen.add(label(nodes.get(p).callFrame));
      for (const k of seen) self.set(k, (self.get(k) ?? 0) + profile.timeDeltas[k0] / 1000);
      return;
    }
    if (CALLERS !== null) {
      if (!key.startsWith(CALLERS)) return;
      for (let p = parent.get(id), n = 0; p !== undefined && n < 20; p = parent.get(p), n++) key += ' ← ' + label(nodes.get(p).callFrame);
    }
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[k0] / 1000);
  });
}
await closeBrowser();
close();

const idle = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
const rows = [...self].filter(([k]) => !idle.has(k)).sort((a, b) => b[1] - a[1]);
const total = rows.reduce((s, [, ms]) => s + ms, 0) / RUNS;
console.log(`Self time per page load on the demo page, ${RUNS} fresh contexts, sampled every ${INTERVAL} µs; ` +
  `all script ${fmt(total)} ms, GC ${fmt((self.get('(garbage collector)') ?? 0) / RUNS)} ms:\n`);
console.log('| function | ms |\n| --- | ---: |');
for (const [k, ms] of rows.slice(0, TOP)) console.log(`| ${k.replace(/\|/g, '\\|')} | ${fmt(ms / RUNS, 2)} |`);
process.exit(0);
