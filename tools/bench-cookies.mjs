#!/usr/bin/env node
// Cost of keksi's cookie guard: `document.cookie = …` writes through keksi's wrapped setter
// against the browser's own setter, and the size of the built-in cookie knowledge.
//
//   node tools/bench-cookies.mjs [--runs 7] [--writes 10000] [--phases mixed,known,unknown] [--json]
//
// Page: tests/e2e/fixtures/signals/bench.html (keksi.js, default config, no choice made), and
// the same page without its keksi.js tag (?keksi=off, served by the test server) as the
// baseline. Each run is a fresh browser context; the two variants alternate run by run so
// that machine noise hits both alike; one warm-up run of each is discarded.
//
// In every run, after the page has loaded and settled, timed phases of N writes each, all
// `name=value; max-age=63072000; path=/` (2 years):
//   mixed    every other write a known tracking cookie (_ga, _gid, _ga_<id>, _fbp: keksi
//            drops them, no consent yet) or an unknown site cookie (bench_<k>: keksi lets it
//            through, capped to 365 days)
//   known    only the known tracking names (keksi: all dropped)
//   unknown  only site cookies (keksi: all passed and capped)
// Names cycle over 40 per kind, so that the browser's per-site cookie limit (180) never
// evicts. Per phase (see writePhase): the synchronous setter loop; loop + commit (Chromium's
// setter only queues a write for the network service, so a `document.cookie` read right
// after the loop waits for all of them: the time until they are really in the jar); and
// main-thread long tasks in the 500 ms after (deferred work, e.g. cookie change events).
// Each run then checks the jar: keksi must have dropped the known names and capped the
// rest; the baseline must have kept everything (Chromium caps at 400 days itself). If not,
// the benchmark would be timing something else, and it says so (exit code 1).
//
// Takes about 3 minutes with all three phases on a busy 2-core machine (each commit of
// 10,000 writes costs the browser seconds); `--phases mixed` is about a third of that.
//
// Also reported: bytes of the cookie knowledge that ships in keksi.js (data/cookies.tsv and
// data/storage.tsv without comment and blank lines, as build.rs compiles them in), raw, gzip
// -9 and brotli -q 11.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, WWW, ROOT } from '../tests/e2e/server.mjs';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { fmt, median, opt } from './bench-lib.mjs';

const argv = process.argv.slice(2);
const RUNS = Math.max(7, Number(opt('--runs', 7)) || 7);
const WRITES = Math.max(100, Number(opt('--writes', 10_000)) || 10_000);
const JSON_OUT = argv.includes('--json');
const PAGE = '/fixtures/signals/bench.html';
const PHASES = String(opt('--phases', 'mixed,known,unknown')).split(',').filter((x) => ['mixed', 'known', 'unknown'].includes(x));
if (!PHASES.length) PHASES.push('mixed');
const TWO_YEARS_S = 63_072_000;
const YEAR_S = 365 * 86_400;

/**
 * Runs in the page: one phase of `n` writes. Returns, in ms:
 *   loop    the synchronous loop of `document.cookie = …` assignments (what the page's
 *           script is blocked for; the browser's setter only queues the write to its cookie
 *           store, which commits it asynchronously in the network service)
 *   commit  one `document.cookie` read right after the loop: a synchronous round trip that
 *           the browser answers only after the queued writes, i.e. the time until they are
 *           all in the jar
 *   after   main-thread long tasks (> 50 ms) in the 500 ms after the commit: deferred work
 *           such as keksi's handling of cookie change events
 */
async function writePhase({ phase, n, timed = true }) {
  const known = (i) => {
    const k = i % 40;
    switch (k & 3) {
      case 0: return `_ga=GA1.1.${i}.${k}`;
      case 1: return `_gid=GA1.1.${i}`;
      case 2: return `_ga_BENCH${k}=GS1.1.${i}`;
      default: return `_fbp=fb.1.${i}.${k}`;
    }
  };
  const unknown = (i) => `bench_${i % 40}=v${i}`;
  const pick = phase === 'known' ? known : phase === 'unknown' ? unknown : (i) => ((i & 1) ? unknown(i) : known(i));
  const attrs = '; max-age=63072000; path=/';
  // Build the strings first: the loop times the setter, not the string building.
  const lines = new Array(n);
  for (let i = 0; i < n; i++) lines[i] = pick(i) + attrs;
  const long = [];
  const po = timed ? new PerformanceObserver((l) => long.push(...l.getEntries())) : null;
  po?.observe({ type: 'longtask' });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) document.cookie = lines[i];
  const t1 = performance.now();
  void document.cookie.length;
  const t2 = performance.now();
  if (!timed) return null;
  await new Promise((r) => setTimeout(r, 500));
  po.disconnect();
  const after = long.filter((e) => e.startTime >= t2).reduce((a, e) => a + e.duration, 0);
  return { loop: t1 - t0, commit: t2 - t1, total: t2 - t0, after };
}

const METRICS = ['loop', 'commit', 'total', 'after'];

async function runOnce(browser, url, withKeksi) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    if (withKeksi) {
      await page.waitForFunction(() => window.keksi && typeof window.keksi.consent === 'function', null, { timeout: 10_000 });
    }
    await new Promise((r) => setTimeout(r, 400)); // let start-up work finish (both variants alike)
    await page.evaluate(writePhase, { phase: 'mixed', n: 200, timed: false }); // warm-up (JIT), untimed
    await new Promise((r) => setTimeout(r, 300));
    const out = {};
    for (const phase of PHASES) out[phase] = await page.evaluate(writePhase, { phase, n: WRITES });
    // The jar after the run: was the guard really exercised (or really absent)?
    const jar = await context.cookies();
    const now = Date.now() / 1000;
    const knownRe = /^(_ga|_gid|_ga_BENCH\d+|_fbp)$/;
    const knownInJar = jar.filter((c) => knownRe.test(c.name)).length;
    const bench = jar.filter((c) => /^bench_\d+$/.test(c.name));
    const maxDays = Math.max(...bench.map((c) => (c.expires - now) / 86_400));
    const wantKnown = PHASES.includes('known') ? 13 : 11; // _ga, _gid, _fbp + 10 _ga_BENCH<k>; mixed alone: _ga + 10 _ga_BENCH<k>
    const wantBench = PHASES.includes('unknown') ? 40 : 20;
    out.check = { knownInJar, benchCookies: bench.length, maxBenchDays: +maxDays.toFixed(2) };
    // Chromium itself caps expiry at 400 days; keksi at 365.
    out.ok = withKeksi
      ? knownInJar === 0 && bench.length === wantBench && maxDays <= 365.01
      : knownInJar >= wantKnown && bench.length === wantBench && maxDays > 366;
    out.consent = withKeksi ? await page.evaluate(() => window.keksi.consent()) : null;
    return out;
  } finally {
    await context.close();
  }
}

const ratio = (a, b) => (a === null || b === null || !b ? '—' : `${(a / b).toFixed(2)}×`);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** The knowledge files as build.rs compiles them in: no comment lines, no blank lines. */
function knowledgeSize() {
  const files = ['cookies.tsv', 'storage.tsv'].map((name) => {
    const text = fs.readFileSync(path.join(ROOT, 'data', name), 'utf8');
    const kept = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const stripped = kept.join('\n') + '\n';
    return {
      name,
      rows: kept.length,
      original: Buffer.byteLength(text),
      raw: Buffer.byteLength(stripped),
      gzip: zlib.gzipSync(stripped, { level: 9 }).length,
      text: stripped,
    };
  });
  const both = files.map((f) => f.text).join('');
  const total = {
    name: 'both (one stream)',
    rows: files.reduce((a, f) => a + f.rows, 0),
    original: files.reduce((a, f) => a + f.original, 0),
    raw: Buffer.byteLength(both),
    gzip: zlib.gzipSync(both, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(both, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  for (const f of files) {
    f.brotli = zlib.brotliCompressSync(f.text, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    delete f.text;
  }
  return [...files, total];
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
    const urlK = server.url + PAGE;
    const urlB = server.url + PAGE + '?keksi=off';
    await runOnce(browser, urlK, true); // warm-up (discarded)
    await runOnce(browser, urlB, false);
    for (let i = 0; i < RUNS; i++) {
      // Alternate which variant goes first, too.
      if (i % 2 === 0) {
        withK.push(await runOnce(browser, urlK, true));
        base.push(await runOnce(browser, urlB, false));
      } else {
        base.push(await runOnce(browser, urlB, false));
        withK.push(await runOnce(browser, urlK, true));
      }
      if (!JSON_OUT) process.stderr.write(`\rrun ${i + 1}/${RUNS}`);
    }
    if (!JSON_OUT) process.stderr.write('\n');
  } finally {
    await closeBrowser();
    await server.close();
  }

  const med = (rows, phase, m) => median(rows.map((r) => r[phase]?.[m]));
  const stats = (rows) => Object.fromEntries(PHASES.map((p) => [p, Object.fromEntries(METRICS.map((m) => [m, med(rows, p, m)]))]));
  const K = stats(withK);
  const B = stats(base);
  const knowledge = knowledgeSize();
  const bytes = fs.readFileSync(keksiFile);
  const keksiGzip = zlib.gzipSync(bytes, { level: 9 }).length;
  const problems = [
    ...withK.filter((r) => !r.ok).map((r) => `keksi run did not behave as expected: ${JSON.stringify(r.check)}`),
    ...withK.filter((r) => r.consent !== null).map(() => 'keksi run had a consent (known cookies would not be dropped)'),
    ...base.filter((r) => !r.ok).map((r) => `baseline run did not behave as expected: ${JSON.stringify(r.check)}`),
  ];

  if (JSON_OUT) {
    console.log(JSON.stringify({ runs: RUNS, writes: WRITES, phases: PHASES, medians: { keksi: K, baseline: B }, knowledge,
      keksiJs: { raw: bytes.length, gzip: keksiGzip }, problems, raw: { keksi: withK, baseline: base } }, null, 2));
    if (problems.length) process.exitCode = 1;
    return;
  }

  const us = (ms) => (ms === null ? null : (ms * 1000) / WRITES);
  const what = {
    mixed: 'mixed: ½ known tracking (keksi drops) + ½ unknown (passes, capped)',
    known: 'known tracking names only (keksi drops all)',
    unknown: 'unknown site cookies only (keksi passes all, capped to 365 d)',
  };
  const lines = [
    `\`document.cookie\` writes, ${WRITES.toLocaleString('en')} per phase, \`max-age\` 2 years; median of ${RUNS} fresh ` +
      `contexts per variant, alternating (headless Chromium, ${new Date().toISOString().slice(0, 10)}).`,
    '',
    'Setter loop (the page\'s script blocked in `document.cookie = …`):',
    '',
    '| phase | native (ms) | keksi (ms) | ratio keksi/native | native µs/write | keksi µs/write |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...PHASES.map((p) => `| ${what[p]} | ${fmt(B[p].loop)} | ${fmt(K[p].loop)} | ${ratio(K[p].loop, B[p].loop)} | ` +
      `${fmt(us(B[p].loop), 2)} | ${fmt(us(K[p].loop), 2)} |`),
    '',
    'Until the writes are in the jar (loop + one `document.cookie` read, which the browser answers after the queued',
    'writes), and main-thread long tasks in the 500 ms after (deferred work):',
    '',
    '| phase | native loop+commit (ms) | keksi loop+commit (ms) | ratio | native long tasks after (ms) | keksi long tasks after (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...PHASES.map((p) => `| ${p} | ${fmt(B[p].total)} | ${fmt(K[p].total)} | ${ratio(K[p].total, B[p].total)} | ` +
      `${fmt(B[p].after)} | ${fmt(K[p].after)} |`),
    '',
    'Cookie knowledge compiled into keksi.js (comment and blank lines stripped, as build.rs does):',
    '',
    '| file | entries | bytes (with comments) | bytes stripped | gzip -9 | brotli -q 11 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...knowledge.map((f) => `| ${f.name} | ${f.rows} | ${f.original} | ${f.raw} | ${f.gzip} | ${f.brotli} |`),
    '',
    `For scale: keksi.js is ${kib(bytes.length)} raw, ${kib(keksiGzip)} gzip -9; the stripped knowledge gzipped ` +
      `is ${((knowledge.at(-1).gzip / keksiGzip) * 100).toFixed(1)}% of that (the data sits inside the WebAssembly, inlined ` +
      'as a Latin-1 string, so its real share of the shipped bytes differs somewhat).',
  ];
  if (problems.length) lines.push('', '**Warning:** the runs did not all behave as the benchmark assumes:', ...problems.map((p) => `- ${p}`));
  console.log(lines.join('\n'));
  if (problems.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
