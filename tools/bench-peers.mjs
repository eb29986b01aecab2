#!/usr/bin/env node
// keksi against two open-source peers on the same demo page: size, time to banner, script time.
//
//   node tools/bench-peers.mjs [--runs 15] [--settle 500] [--no-baseline] [--json] [--write-fixtures]
//
// Variants (all served by tests/e2e/server.mjs):
//   keksi           /                               (www/index.html as it is)
//   cookieconsent   /fixtures/peers/cookieconsent/  vanilla-cookieconsent 3.x (npm devDependency)
//   klaro           /fixtures/peers/klaro/          Klaro 0.7 (npm devDependency)
//   baseline        /?keksi=off                     the page without any consent manager (context
//                                                   only: its script time is in every column)
// The peer pages are www/index.html with only the consent manager's part swapped, each library
// set up per its own docs for the same categories, services and marked analytics script
// (tests/e2e/fixtures/peers/pages.mjs says exactly what changes; this tool refuses to run when
// the checked-in pages no longer match www/index.html: --write-fixtures regenerates them).
//
// Each run is a fresh browser context (empty profile, so every library shows its banner); the
// variants alternate run by run (the order rotating every round) so that machine noise hits
// all alike; one warm-up round is discarded. Reported, as medians over the runs:
//   - bytes of the consent manager itself (the JS + CSS files it loads), raw and gzip -9,
//     fetched from the server as the page gets them; the site's own config is listed apart;
//   - banner in DOM / banner visible: ms from navigation start to the first mutation with the
//     library's banner element in the DOM, and to the first animation frame in which it is
//     rendered with a non-empty box inside the viewport, not hidden by visibility or opacity 0,
//     and styled (it or an ancestor is position: fixed) — a MutationObserver + rAF probe
//     installed with addInitScript before any page script:
//       keksi          #keksi shadowRoot [data-keksi="banner"]:not([hidden])
//       cookieconsent  #cc-main .cm
//       klaro          .klaro .cookie-notice:not(.cookie-notice-hidden)
//   - main-thread script time: CDP Performance.getMetrics ScriptDuration (and TaskDuration: all
//     main-thread work, style and layout included) once the banner is visible plus --settle ms,
//     less the probe's own callbacks (measured in the page);
//   - the ratio keksi / peer for each (below 1: keksi is smaller or faster),
// as a markdown table (stdout; progress goes to stderr) with the date and the machine.
// keksi.js is served from a copy taken at the start (www/keksi.js, or $KEKSI_JS), so a rebuild
// during the run cannot mix two builds; its sha256 is printed with the table.
// Needs www/keksi.js (node tools/build.mjs), the npm devDependencies and /usr/bin/chromium.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, WWW, ROOT, FIXTURES } from '../tests/e2e/server.mjs';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { PEERS, renderPeerPage } from '../tests/e2e/fixtures/peers/pages.mjs';
import { median, opt, quantile } from './bench-lib.mjs';

const argv = process.argv.slice(2);
const RUNS = Math.max(1, Number(opt('--runs', 15)) || 15);
const SETTLE = Math.max(0, Number(opt('--settle', 500)) || 0);
const BASELINE = !argv.includes('--no-baseline');
const JSON_OUT = argv.includes('--json');
const WRITE_FIXTURES = argv.includes('--write-fixtures');
const BANNER_TIMEOUT = 15_000;

const INDEX = path.join(WWW, 'index.html');
const KEKSI_CONFIG = /<script type="application\/json" id="keksi-config">(.*?)<\/script>/s;

const pkgVersion = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The variants, in the table's column order. */
function variants() {
  const list = [
    { key: 'keksi', title: 'keksi', path: '/', files: ['/keksi.js'], probe: 'keksi' },
    ...Object.entries(PEERS).map(([key, p]) => ({
      key,
      title: `${p.title} ${pkgVersion(p.package)}`,
      path: p.path,
      files: p.files,
      config: p.config,
      probe: key,
    })),
  ];
  if (BASELINE) list.push({ key: 'baseline', title: 'no consent manager', path: '/?keksi=off', files: [], probe: null });
  return list;
}

/** Checks (or with --write-fixtures writes) tests/e2e/fixtures/peers/<name>/index.html. */
function checkFixtures() {
  const index = fs.readFileSync(INDEX, 'utf8');
  const stale = [];
  for (const name of Object.keys(PEERS)) {
    const file = path.join(FIXTURES, 'peers', name, 'index.html');
    const want = renderPeerPage(name, index);
    const have = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (have === want) continue;
    if (WRITE_FIXTURES) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, want);
      process.stderr.write(`wrote ${path.relative(ROOT, file)}\n`);
    } else {
      stale.push(path.relative(ROOT, file));
    }
  }
  if (stale.length) {
    throw new Error(
      `${stale.join(', ')} no longer match www/index.html with the peer's edits ` +
        `(tests/e2e/fixtures/peers/pages.mjs): run \`node tools/bench-peers.mjs --write-fixtures\` and review the diff`,
    );
  }
}

// Installed before any page script. `kind` picks the banner; null = no banner (baseline:
// done at the load event). Times are performance.now(), i.e. ms from navigation start.
function probe(kind) {
  const now = () => performance.now();
  const b = (window.__bench = { inDom: null, visible: null, probeMs: 0 });
  let resolveDone;
  b.done = new Promise((r) => (resolveDone = r));
  const finders = {
    keksi: () => {
      const host = document.getElementById('keksi');
      const root = host && host.shadowRoot;
      return root ? root.querySelector('[data-keksi="banner"]:not([hidden])') : null;
    },
    cookieconsent: () => document.querySelector('#cc-main .cm'),
    klaro: () => document.querySelector('.klaro .cookie-notice:not(.cookie-notice-hidden)'),
  };
  if (!kind) {
    addEventListener('load', () => setTimeout(() => resolveDone(true)), { once: true });
    return;
  }
  const find = finders[kind];
  const styled = (el) => {
    for (let n = el; n; n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentElement) {
      if (n.nodeType === 1 && getComputedStyle(n).position === 'fixed') return true;
    }
    return false;
  };
  const visibleNow = (el) => {
    const r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) return false;
    if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return false;
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) {
      return false;
    }
    return styled(el);
  };
  const observedRoots = new WeakSet();
  let finished = false;
  const mo = new MutationObserver(() => {
    const t0 = now();
    const host = kind === 'keksi' ? document.getElementById('keksi') : null;
    if (host && host.shadowRoot && !observedRoots.has(host.shadowRoot)) {
      observedRoots.add(host.shadowRoot);
      mo.observe(host.shadowRoot, { childList: true, subtree: true, attributes: true });
    }
    if (b.inDom === null && find()) b.inDom = t0;
    b.probeMs += now() - t0;
  });
  mo.observe(document, { childList: true, subtree: true, attributes: true });
  const frame = () => {
    if (finished) return;
    const t0 = now();
    const el = find();
    if (el) {
      if (b.inDom === null) b.inDom = t0;
      if (visibleNow(el)) {
        b.visible = t0;
        finished = true;
        mo.disconnect();
        b.probeMs += now() - t0;
        resolveDone(true);
        return;
      }
    }
    b.probeMs += now() - t0;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function runOnce(browser, server, v) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.addInitScript({ content: `(${probe})(${JSON.stringify(v.probe)});` });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(server.url + v.path, { waitUntil: 'load' });
    // One evaluate per run, the same for every variant: it resolves when the banner is visible.
    const shown = await Promise.race([
      page.evaluate(() => window.__bench.done),
      new Promise((r) => setTimeout(() => r(false), BANNER_TIMEOUT)),
    ]);
    if (!shown) throw new Error(`${v.key}: banner not visible within ${BANNER_TIMEOUT} ms`);
    await new Promise((r) => setTimeout(r, SETTLE));
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        inDom: window.__bench.inDom,
        visible: window.__bench.visible,
        probeMs: window.__bench.probeMs,
        dcl: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        analyticsRan: typeof window.demoAnalytics !== 'undefined' || document.cookie.includes('demo_analytics_id'),
        resources: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
      };
    });
    if (t.analyticsRan) throw new Error(`${v.key}: the marked analytics script ran without consent`);
    return {
      ...t,
      script: m.ScriptDuration * 1000 - t.probeMs,
      task: m.TaskDuration * 1000 - t.probeMs,
      errors,
    };
  } finally {
    await context.close();
  }
}

/** Bytes of the consent manager's files, fetched from the server as the page gets them. */
async function measureFiles(server, files) {
  const out = [];
  for (const f of files) {
    const res = await fetch(server.url + f);
    if (!res.ok) throw new Error(`GET ${f}: ${res.status}`);
    const buf = Buffer.from(await res.arrayBuffer());
    out.push({
      path: f,
      raw: buf.length,
      gzip: zlib.gzipSync(buf, { level: 9 }).length,
      sha256: crypto.createHash('sha256').update(buf).digest('hex'),
    });
  }
  return { files: out, raw: out.reduce((s, x) => s + x.raw, 0), gzip: out.reduce((s, x) => s + x.gzip, 0) };
}

function machine(browserVersion) {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch {}
  const nproc = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return {
    date: new Date().toISOString().slice(0, 10),
    nproc,
    cpu,
    chromium: browserVersion,
    node: process.version,
    loadavg: os.loadavg()[0],
  };
}

async function main() {
  const keksiFile = process.env.KEKSI_JS ? path.resolve(process.env.KEKSI_JS) : path.join(WWW, 'keksi.js');
  if (!fs.existsSync(keksiFile)) throw new Error(`${keksiFile} is missing: build it first with \`node tools/build.mjs\``);
  for (const p of Object.values(PEERS)) {
    if (!fs.existsSync(path.join(ROOT, 'node_modules', p.package, 'package.json'))) {
      throw new Error(`node_modules/${p.package} is missing: run \`npm ci\``);
    }
  }
  checkFixtures();
  if (WRITE_FIXTURES && argv.length === 1) return;
  // keksi.js may be rebuilt while this runs: serve a snapshot taken now (the server's KEKSI_JS)
  const snapshot = path.join(os.tmpdir(), `keksi-bench-peers-${process.pid}.js`);
  fs.copyFileSync(keksiFile, snapshot);
  process.env.KEKSI_JS = snapshot;
  try {
    await bench(path.relative(ROOT, keksiFile));
  } finally {
    fs.rmSync(snapshot, { force: true });
  }
}

async function bench(keksiName) {
  const VARS = variants();
  const server = await startServer();
  const browser = await launchBrowser();
  const results = Object.fromEntries(VARS.map((v) => [v.key, []]));
  const sizes = {};
  const errorsSeen = {};
  const unexpected = {};
  let info;
  let loadEnd;
  const changedDuringRun = [];
  const t0 = Date.now();
  try {
    info = machine(browser.version());
    for (const v of VARS) sizes[v.key] = await measureFiles(server, v.files);
    for (let round = -1; round < RUNS; round++) {
      // round -1 is the warm-up (discarded); the order rotates every round
      for (let j = 0; j < VARS.length; j++) {
        const v = VARS[(j + Math.max(round, 0)) % VARS.length];
        const r = await runOnce(browser, server, v);
        if (r.errors.length) errorsSeen[v.key] ??= r.errors;
        // every file the manager loads must be among the counted ones
        const cmFiles = r.resources.filter((p) => p === '/keksi.js' || p.startsWith('/node_modules/'));
        const extra = cmFiles.filter((p) => !v.files.includes(p));
        const missing = v.files.filter((p) => !cmFiles.includes(p));
        if (extra.length || missing.length) unexpected[v.key] = { extra, missing };
        if (round >= 0) results[v.key].push(r);
      }
      if (!JSON_OUT && round >= 0) process.stderr.write(`\rround ${round + 1}/${RUNS}`);
    }
    loadEnd = os.loadavg()[0];
    // a file rebuilt while the benchmark ran (e.g. www/keksi.js) makes its numbers a mix
    for (const v of VARS) {
      const after = await measureFiles(server, v.files);
      const changed = after.files.filter((f, i) => f.sha256 !== sizes[v.key].files[i].sha256).map((f) => f.path);
      if (changed.length) changedDuringRun.push(...changed);
    }
    if (!JSON_OUT) process.stderr.write(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  } finally {
    await closeBrowser();
    await server.close();
  }

  for (const [k, u] of Object.entries(unexpected)) {
    throw new Error(`${k}: loaded files differ from the counted ones: extra ${u.extra.join(', ') || '-'}, missing ${u.missing.join(', ') || '-'}`);
  }

  const METRICS = ['inDom', 'visible', 'script', 'task', 'dcl', 'load'];
  const stat = (q) =>
    Object.fromEntries(VARS.map((v) => [v.key, Object.fromEntries(METRICS.map((k) => [k, quantile(results[v.key].map((r) => r[k]), q)]))]));
  const med = stat(0.5);
  const p25 = stat(0.25);
  const p75 = stat(0.75);
  const index = fs.readFileSync(INDEX, 'utf8');
  const configBytes = {
    keksi: Buffer.byteLength((index.match(KEKSI_CONFIG) ?? ['', ''])[1]),
    ...Object.fromEntries(
      Object.entries(PEERS).map(([k, p]) => [k, p.config.reduce((s, c) => s + fs.statSync(path.join(FIXTURES, c.replace(/^\/fixtures\//, ''))).size, 0)]),
    ),
  };

  if (JSON_OUT) {
    console.log(JSON.stringify({ runs: RUNS, settle: SETTLE, machine: { ...info, loadavgEnd: loadEnd }, changedDuringRun, sizes, configBytes, medians: med, p25, p75, errors: errorsSeen, raw: results }, null, 2));
    return;
  }

  const cms = VARS.filter((v) => v.key !== 'baseline');
  const peers = cms.filter((v) => v.key !== 'keksi');
  const KiB = (b) => (b / 1024).toFixed(1);
  const ms = (x) => (x === null ? '—' : x.toFixed(1));
  const ratio = (a, b) => (a === null || b === null || !b ? '—' : `${(a / b).toFixed(2)}×`);
  const row = (label, get, fmt, spread) =>
    `| ${label} | ${cms.map((v) => fmt(get(v.key)) + (spread ? ` (${spread(v.key)})` : '')).join(' | ')} | ` +
    `${peers.map((p) => ratio(get('keksi'), get(p.key))).join(' | ')} |`;
  const iqr = (metric) => (k) => `${p25[k][metric].toFixed(0)}–${p75[k][metric].toFixed(0)}`;
  const short = (v) => v.title.split(' ')[0].replace('vanilla-cookieconsent', 'cookieconsent');
  const lines = [
    `Consent managers on the demo page: median of ${RUNS} fresh profiles each, headless Chromium ` +
      `(${info.date}; Chromium ${info.chromium}; ${info.nproc} × ${info.cpu}, load average ${info.loadavg.toFixed(1)} → ${loadEnd.toFixed(1)}; ` +
      `\`${['node tools/bench-peers.mjs', ...argv].join(' ')}\`).`,
    '',
    `| metric | ${cms.map((v) => v.title).join(' | ')} | ${peers.map((p) => `keksi / ${short(p)}`).join(' | ')} |`,
    `| --- | ${cms.map(() => '---:').join(' | ')} | ${peers.map(() => '---:').join(' | ')} |`,
    row('consent manager files, raw (KiB)', (k) => sizes[k].raw, KiB),
    row('consent manager files, gzip -9 (KiB)', (k) => sizes[k].gzip, KiB),
    row('banner in DOM (ms from navigation start)', (k) => med[k].inDom, ms, iqr('inDom')),
    row('banner visible, first frame (ms)', (k) => med[k].visible, ms, iqr('visible')),
    row('main-thread script (CDP ScriptDuration, ms)', (k) => med[k].script, ms, iqr('script')),
    row('main-thread tasks (CDP TaskDuration, ms)', (k) => med[k].task, ms, iqr('task')),
    '',
    'Files counted: ' +
      cms
        .map((v) => `${short(v)} ${sizes[v.key].files.map((f) => `\`${v.key === 'keksi' ? keksiName : path.posix.basename(f.path)}\``).join(' + ')}`)
        .join('; ') +
      ` (keksi.js sha256 ${sizes.keksi.files[0].sha256.slice(0, 12)}, copied at the start)` +
      `. Not counted, the site's own config: ${cms.map((v) => `${short(v)} ${configBytes[v.key]} B`).join(', ')}.`,
    `Script and task times are for the whole page, measured ${SETTLE} ms after the banner became visible` +
      (BASELINE
        ? `; the same page without a consent manager: ScriptDuration ${ms(med.baseline.script)} ms, TaskDuration ${ms(med.baseline.task)} ms.`
        : '.') +
      ' Times: median (25th–75th percentile). Ratio of the medians; below 1: keksi is smaller or faster.',
  ];
  if (changedDuringRun.length) {
    lines.push(`**Warning**: ${changedDuringRun.join(', ')} changed while the benchmark ran (sizes are from the start): rerun.`);
  }
  for (const [k, errs] of Object.entries(errorsSeen)) {
    lines.push(`Console errors seen (${k}): ${[...new Set(errs)].slice(0, 3).join(' / ')}`);
  }
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
