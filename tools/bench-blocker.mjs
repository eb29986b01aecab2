#!/usr/bin/env node
// Cost of keksi's automatic blocking on script-driven DOM insertion.
//
//   node tools/bench-blocker.mjs [--runs 10] [--n 5000] [--json]
//
// The page tests/e2e/fixtures/autoblock/bench.html inserts N mixed elements (divs, inline
// scripts, first-party scripts and images, data: images, innerHTML chunks, a few about:blank
// iframes; 1 in 10 carries a tracker URL: GA/GTM scripts, Meta pixels, four ways) through
// appendChild / insertBefore / append / innerHTML / setAttribute, and times the loop with
// performance.now() in the page. Tracker URLs are http://<real tracker host>:<port>/beacon-sink
// and Chromium's --host-resolver-rules maps those hosts to the local test server, which answers
// 204 (empty); every other host resolves to nothing, so no request leaves the machine.
// (Not Playwright routing: with request interception on, each native script fetch start costs
// ~1 ms on the main thread, which would inflate the baseline.) Each run is a fresh browser context; the variant with keksi
// and the same page without it (test server's ?keksi=off) alternate run by run; one
// warm-up run of each is discarded. Reported: medians of
//   - the insertion loop (synchronous, ms),
//   - loop + pending observers (until the next task: includes MutationObserver callbacks),
// and the ratio keksi/without, as a markdown table; then, measured in a fresh container of
// the same page after the mixed loop, each kind of insertion alone (--per-kind M times each,
// default 200; 2 iframes) in µs per operation. Needs www/keksi.js and /usr/bin/chromium.

import fs from 'node:fs';
import path from 'node:path';
import { startServer, WWW } from '../tests/e2e/server.mjs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/helpers.mjs';
import { fmt, median, opt } from './bench-lib.mjs';

const argv = process.argv.slice(2);
const RUNS = Math.max(1, Number(opt('--runs', 10)) || 10);
const N = Math.max(10, Number(opt('--n', 5000)) || 5000);
const PER_KIND = Math.max(0, Number(opt('--per-kind', 200)) || 0);
const JSON_OUT = argv.includes('--json');
const PAGE = '/fixtures/autoblock/bench.html';
const TRACKER_HOSTS = ['www.google-analytics.com', 'www.googletagmanager.com', 'www.facebook.com'];
const trackerHits = (server) => server.requests().filter((r) => TRACKER_HOSTS.some((h) => r.host.startsWith(h + ':'))).length;

async function runOnce(browser, server, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    server.clear();
    const r = await page.evaluate((n) => window.runBench(n), N);
    await new Promise((res) => setTimeout(res, 150)); // let the mixed loop's requests arrive
    r.trackerRequests = trackerHits(server);
    r.kinds = PER_KIND ? await page.evaluate((m) => window.runKinds(m), PER_KIND) : {};
    return r;
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
  const started = Date.now();
  const server = await startServer();
  const rules = TRACKER_HOSTS.map((h) => `MAP ${h} 127.0.0.1`).concat('MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1').join(', ');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules}`],
  });
  const withK = [];
  const base = [];
  try {
    const urlK = server.url + PAGE;
    const urlB = server.url + PAGE + '?keksi=off';
    await runOnce(browser, server, urlK); // warm-up (discarded)
    await runOnce(browser, server, urlB);
    for (let i = 0; i < RUNS; i++) {
      withK.push(await runOnce(browser, server, urlK));
      base.push(await runOnce(browser, server, urlB));
      if (!JSON_OUT) process.stderr.write(`\rrun ${i + 1}/${RUNS}`);
    }
    if (!JSON_OUT) process.stderr.write('\n');
  } finally {
    await browser.close();
    await server.close();
  }

  const med = (rows, k) => median(rows.map((r) => r[k]));
  const K = Object.fromEntries(['loop', 'flush', 'elements', 'held', 'trackerRequests'].map((k) => [k, med(withK, k)]));
  const B = Object.fromEntries(['loop', 'flush', 'elements', 'held', 'trackerRequests'].map((k) => [k, med(base, k)]));
  if (JSON_OUT) {
    console.log(JSON.stringify({ runs: RUNS, n: N, medians: { keksi: K, baseline: B }, raw: { keksi: withK, baseline: base } }, null, 2));
    return;
  }
  const ratio = (a, b) => (a === null || b === null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
  const perEl = (a, b) => (a === null || b === null ? '—' : `${(((a - b) / N) * 1000).toFixed(2)} µs`);
  const trackers = N / 10;
  const lines = [
    `Blocker cost: ${N.toLocaleString('en')} insertions (${trackers} tracker URLs), median of ${RUNS} fresh contexts each ` +
      `(headless Chromium, ${new Date().toISOString().slice(0, 10)}, ${((Date.now() - started) / 1000).toFixed(0)} s).`,
    '',
    '| metric | without keksi | with keksi | ratio keksi/without | extra per element |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| insertion loop (ms) | ${fmt(B.loop)} | ${fmt(K.loop)} | ${ratio(K.loop, B.loop)} | ${perEl(K.loop, B.loop)} |`,
    `| loop + observers, to next task (ms) | ${fmt(B.flush)} | ${fmt(K.flush)} | ${ratio(K.flush, B.flush)} | ${perEl(K.flush, B.flush)} |`,
    `| tracker requests (mixed loop) | ${fmt(B.trackerRequests, 0)} | ${fmt(K.trackerRequests, 0)} | | |`,
    `| elements held (data-keksi-auto) | ${fmt(B.held, 0)} | ${fmt(K.held, 0)} | | |`,
  ];
  if (PER_KIND) {
    lines.push('', `Each kind alone (${PER_KIND} operations each, 2 for iframes), µs per operation, medians:`, '',
      '| operation | without keksi | with keksi | ratio |', '| --- | ---: | ---: | ---: |');
    for (const k of Object.keys(withK[0].kinds)) {
      const b = median(base.map((r) => r.kinds[k]));
      const w = median(withK.map((r) => r.kinds[k]));
      lines.push(`| ${k} | ${fmt(b)} | ${fmt(w)} | ${ratio(w, b)} |`);
    }
  }
  console.log(lines.join('\n'));
  if (K.trackerRequests > 0 || K.held < trackers) {
    console.log(`\nwarning: with keksi ${K.trackerRequests} tracker requests went out and ${K.held} of ${trackers} tracker elements were held.`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
