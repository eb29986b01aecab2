#!/usr/bin/env node
// How often a tracker iframe written in the HTML after keksi.js runs its document before
// keksi stops it, with the page's main thread slowed down (CDP CPU throttling) and the
// frame's server answering at once. In Chromium the frame loads in another process and
// starts at insertion; keksi's document observer can only take it out of the document at
// the parser's next microtask checkpoint, so a slow main thread loses the race. Builds
// alternate load by load so that machine noise hits each alike. Reports, per build, the
// loads whose frame ran and the median time from the checkpoint to the frame being taken
// out (the frame's `remove()` or `appendChild` into the placeholder, timed in the page).
//
//   node tools/frame-race.mjs [--runs 30] [--rate 6] FILE [FILE ...]
import http from 'node:http';
import fs from 'node:fs';
import { launchBrowser, closeBrowser } from '../tests/e2e/helpers.mjs';
import { opt, median, fmt } from './bench-lib.mjs';

const RUNS = Number(opt('--runs', 30));
const RATE = Number(opt('--rate', 6));
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !['--runs', '--rate'].includes(all[i - 1]));
if (!files.length) {
  console.error('usage: node tools/frame-race.mjs [--runs 30] [--rate 6] FILE [FILE ...]');
  process.exit(2);
}
const bodies = files.map((f) => fs.readFileSync(f));

// `cp`: the first observer (created before keksi's) runs; `out`: keksi moves the frame.
const page = (i, port) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>frame race</title>
<script>
  window.__t = {}; window.__ran = [];
  addEventListener('message', function (e) { if (e.data && e.data.ran) __ran.push(e.data.at); });
  function out(el) { if (el && el.id === 'frame' && !__t.out) __t.out = performance.timeOrigin + performance.now(); }
  var append = Node.prototype.appendChild, remove = Element.prototype.remove;
  Node.prototype.appendChild = function (n) { out(n); return append.apply(this, arguments); };
  Element.prototype.remove = function () { out(this); return remove.apply(this, arguments); };
  new MutationObserver(function () {
    if (document.getElementById('frame') && !__t.cp) __t.cp = performance.timeOrigin + performance.now();
  }).observe(document, { childList: true, subtree: true });
</script>
<script type="application/json" id="keksi-config">{"revision":1,"trackers":[{"host":"tracker.localhost","category":"analytics"}]}</script>
<script src="/k${i}.js"></script>
</head><body><h1>Frame race</h1>
<iframe id="frame" title="tracker" src="http://tracker.localhost:${port}/frame.html"></iframe>
<p>after</p></body></html>`;
const FRAME = '<!doctype html><script>parent.postMessage({ ran: 1, at: performance.timeOrigin + performance.now() }, "*")</script>';

const server = http.createServer((req, res) => {
  const h = { 'Cache-Control': 'no-store' };
  const k = /^\/k(\d+)\.js/.exec(req.url);
  const p = /^\/p(\d+)\.html/.exec(req.url);
  if (k) res.writeHead(200, { ...h, 'Content-Type': 'text/javascript' }).end(bodies[Number(k[1])]);
  else if (p) res.writeHead(200, { ...h, 'Content-Type': 'text/html' }).end(page(Number(p[1]), server.address().port));
  else if (req.url.startsWith('/frame.html')) res.writeHead(200, { ...h, 'Content-Type': 'text/html' }).end(FRAME);
  else res.writeHead(404, h).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await launchBrowser();
const results = files.map(() => ({ ran: 0, out: [], ranAt: [] }));
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < files.length; i++) {
    const ctx = await browser.newContext();
    const pg = await ctx.newPage();
    const cdp = await ctx.newCDPSession(pg);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
    await pg.goto(`${origin}/p${i}.html`, { waitUntil: 'load' });
    await pg.waitForTimeout(500);
    const r = await pg.evaluate(() => ({ ran: __ran.slice(), t: __t }));
    if (r.ran.length) {
      results[i].ran++;
      if (r.t.cp) results[i].ranAt.push(r.ran[0] - r.t.cp);
    }
    if (r.t.out && r.t.cp) results[i].out.push(r.t.out - r.t.cp);
    await ctx.close();
  }
}
await closeBrowser();
server.close();
console.log(`CPU ${RATE}× slower, ${RUNS} loads each, frame server answering at once`);
for (let i = 0; i < files.length; i++) {
  const r = results[i];
  console.log(`${files[i]}: frame ran in ${r.ran}/${RUNS} loads (at ${r.ranAt.map((x) => fmt(x)).join(', ') || '—'} ms after the checkpoint); checkpoint → frame out: median ${fmt(median(r.out))} ms`);
}
