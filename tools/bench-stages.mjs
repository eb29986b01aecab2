#!/usr/bin/env node
// Where keksi's start-up time goes, stage by stage, on the demo page in headless Chromium.
//
//   node tools/bench-stages.mjs [--runs 15] [--against OLD.js]
//
// With --against, OLD.js (an older build made with `node tools/build.mjs --marks --out
// OLD.js`) is loaded too, alternating with this tree's build load by load, so that machine
// noise hits both alike; reported side by side with the ratio of the medians.
//
// Builds keksi.js with `--marks` (performance.mark() between the loader's stages; never
// shipped) into target/stages/, serves a copy of www/ with it, and loads the demo page in
// fresh contexts (empty profile: the banner shows). The demo page gets a DOMContentLoaded
// listener before and one after keksi.js, so the time between them is keksi's own
// DOMContentLoaded work (sweep, banner, activation). Reported: medians (25th–75th
// percentile) in ms of
//   setup     the script's start to the decoder instantiated and the text copied in,
//   unpack    unlzma's LZMA decoding of the WebAssembly,
//   compile   new WebAssembly.Module (synchronous),
//   init      instantiation and wasm-bindgen's start,
//   boot      keksi's boot (config, stored choice, guards, observers),
//   sync      the whole synchronous <script src=keksi.js>,
//   ready     keksi's DOMContentLoaded work,
//   script    the page's CDP ScriptDuration, 600 ms after load (everything, all scripts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { opt, median, quantile, fmt, serveDir } from './bench-lib.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Math.max(1, Number(opt('--runs', 15)) || 15);
const AGAINST = opt('--against', null);
const dir = path.join(root, 'target', 'stages');
fs.rmSync(dir, { recursive: true, force: true });
fs.cpSync(path.join(root, 'www'), dir, { recursive: true });
execFileSync('node', [path.join(root, 'tools/build.mjs'), '--marks', '--out', path.join(dir, 'keksi.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
const tag = '<script src="/keksi.js"></script>';
const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
if (html.split(tag).length !== 2) throw new Error(`www/index.html must load keksi.js once as ${tag}`);
// The page per build: index.html this tree's, against.html the older build's.
const builds = [['index.html', '/keksi.js']];
if (AGAINST) {
  fs.copyFileSync(AGAINST, path.join(dir, 'against.js'));
  builds.push(['against.html', '/against.js']);
}
for (const [file, src] of builds) fs.writeFileSync(path.join(dir, file), html.replace(tag, () =>
  '<script>document.addEventListener("DOMContentLoaded", () => performance.mark("page:dcl-before"))</script>' + `<script src="${src}"></script>` +
  '<script>performance.mark("page:after-keksi"); document.addEventListener("DOMContentLoaded", () => performance.mark("page:dcl-after"))</script>'));

const { url, close } = await serveDir(dir);

const STAGES = [
  ['setup', 'keksi:start', 'keksi:decoder'],
  ['unpack', 'keksi:decoder', 'keksi:unpacked'],
  ['compile', 'keksi:unpacked', 'keksi:compiled'],
  ['init', 'keksi:compiled', 'keksi:instantiated'],
  ['boot', 'keksi:instantiated', 'keksi:booted'],
  ['sync', 'keksi:start', 'page:after-keksi'],
  ['ready', 'page:dcl-before', 'page:dcl-after'],
];
const rows = builds.map(() => []);
const browser = await launchBrowser();
for (let i = 0; i <= RUNS; i++) for (let b = 0; b < builds.length; b++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url + (b ? builds[b][0] : ''), { waitUntil: 'load' });
  await page.waitForTimeout(600);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((e) => [e.name, e.startTime])));
  for (const [, from, to] of STAGES) if (!(from in m) || !(to in m)) throw new Error(`mark ${from} or ${to} missing: did keksi start?`);
  const row = Object.fromEntries(STAGES.map(([name, from, to]) => [name, m[to] - m[from]]));
  row.script = metrics.find((x) => x.name === 'ScriptDuration').value * 1000;
  if (i > 0) rows[b].push(row); // the first round warms the browser up
  await ctx.close();
}
await closeBrowser();
close();

const raw = fs.statSync(path.join(dir, 'keksi.js')).size;
console.log(`Start-up stages of keksi.js on the demo page, ${RUNS} fresh contexts, headless Chromium (this tree's keksi.js ${(raw / 1024).toFixed(1)} KB raw, with marks):\n`);
const cell = (xs) => `${fmt(median(xs))} (${fmt(quantile(xs, 0.25))}–${fmt(quantile(xs, 0.75))})`;
if (!AGAINST) console.log('| stage | ms, median (25th–75th) |\n| --- | ---: |');
else console.log(`| stage | this tree, ms | ${path.basename(AGAINST)}, ms | ratio |\n| --- | ---: | ---: | ---: |`);
for (const k of Object.keys(rows[0][0])) {
  const xs = rows.map((rs) => rs.map((r) => r[k]));
  console.log(`| ${k} | ${xs.map(cell).join(' | ')} |` + (AGAINST ? ` ${fmt(median(xs[0]) / median(xs[1]), 2)}× |` : ''));
}
process.exit(0);
