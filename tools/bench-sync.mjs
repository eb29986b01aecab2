#!/usr/bin/env node
// The synchronous cost of keksi.js builds, side by side: how long the parser is blocked on
// `<script src=keksi.js>` (decode, compile, instantiate, boot), timed in the page with
// performance.now() before and after the tag. Fresh context per load, the builds
// alternating load by load so that machine noise hits each alike; the first round is
// discarded.
//
//   node tools/bench-sync.mjs [--runs 20] FILE [FILE ...]
//   e.g. www/keksi.js against a build of an older commit:
//        git worktree add /tmp/old <rev> && (cd /tmp/old && npm ci && node tools/build.mjs --out /tmp/old.js)
//        node tools/bench-sync.mjs www/keksi.js /tmp/old.js
import http from 'node:http';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { opt, median, quantile, fmt } from './bench-lib.mjs';

const RUNS = Number(opt('--runs', 20));
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--runs');
if (!files.length) {
  console.error('usage: node tools/bench-sync.mjs [--runs 20] FILE [FILE ...]');
  process.exit(2);
}
const bodies = files.map((f) => fs.readFileSync(f));
const page = (i) => '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  `<script>window.t0 = performance.now()</script><script src="/k${i}.js"></script>` +
  '<script>window.t1 = performance.now()</script></head><body><p>page</p></body></html>';
const server = http.createServer((req, res) => {
  const m = /^\/k(\d+)\.js/.exec(req.url);
  if (m) {
    res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
    return res.end(bodies[Number(m[1])]);
  }
  const i = Number(new URL(req.url, 'http://x').searchParams.get('i') ?? 0);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page(i));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await launchBrowser();
const times = files.map(() => []);
try {
  for (let r = 0; r <= RUNS; r++) {
    for (let i = 0; i < files.length; i++) {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(`http://127.0.0.1:${server.address().port}/?i=${i}`);
      const ms = await p.evaluate(() => window.t1 - window.t0);
      if (r > 0) times[i].push(ms); // round 0 warms the browser up
      await ctx.close();
    }
  }
} finally {
  await closeBrowser();
  server.close();
}
console.log(`Synchronous <script src=keksi.js> time, ${RUNS} fresh contexts each (median, 25th–75th percentile):\n`);
console.log('| file | gzip -9 | ms | ratio to the first |');
console.log('| --- | ---: | ---: | ---: |');
const base = median(times[0]);
files.forEach((f, i) => {
  const gz = zlib.gzipSync(bodies[i], { level: 9 }).length / 1024;
  const m = median(times[i]);
  console.log(`| ${f} | ${fmt(gz)} KiB | ${fmt(m)} (${fmt(quantile(times[i], 0.25))}–${fmt(quantile(times[i], 0.75))}) | ${fmt(m / base, 2)}× |`);
});
