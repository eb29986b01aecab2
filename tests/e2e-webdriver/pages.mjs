// Pages that must name the test server's port in their markup (so cannot be static
// fixtures): served from a second origin, http://127.0.0.1:<own port>, with keksi.js
// from www/ (or KEKSI_JS). The tracker host is tracker.localhost on the main test server,
// so that server's request log shows what the browser fetched.

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WWW } from '../e2e/server.mjs';

/**
 * Tags written in the HTML right after keksi.js, each on the tracker host with ?run=<label>.
 *
 * The frame answers after FRAME_DELAY_MS, as a tracker a network round trip away does. A
 * frame the parser inserts starts loading at once and, in Chromium, runs in another
 * process: it is stopped when keksi's observer takes it out of the document, at the
 * parser's next microtask checkpoint. A server on this machine answering in under a
 * millisecond beat that on a loaded CI machine (the limit is in the README).
 */
export const FRAME_DELAY_MS = 100;
export function parserPage(trackerBase) {
  const u = (label, file = 't.js', extra = '') => `${trackerBase}/fixtures/engines/${file}?run=${label}${extra}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Cross-engine: tracker tags in the HTML after keksi.js</title>
  <script>
    window.__frames = [];
    window.addEventListener('message', function (e) { if (e.data && e.data.keksiEngineFrame) window.__frames.push(e.data.keksiEngineFrame); });
  </script>
  <script type="application/json" id="keksi-config">{"revision":1,"reloadOnWithdraw":false,"trackers":[{"host":"tracker.localhost","category":"analytics"}]}</script>
  <script src="/keksi.js"></script>
  <script src="${u('parser-sync')}"></script>
  <script async src="${u('parser-async')}"></script>
  <script defer src="${u('parser-defer')}"></script>
  <link rel="stylesheet" href="${u('parser-css', 't.css')}">
</head>
<body>
  <h1>Tracker tags in the HTML</h1>
  <p id="probe" data-css-probe="parser-css">CSS probe</p>
  <img id="img" alt="" width="1" height="1" src="${u('parser-img', 'px.svg')}">
  <iframe id="frame" title="tracker frame" src="${u('parser-iframe', 'frame.html', `&amp;delay=${FRAME_DELAY_MS}`)}"></iframe>
  <script>window.__ranAtEnd = (window.__ran || []).slice();</script>
</body>
</html>
`;
}

/** Starts the page server. Resolves to { url, close() }. */
export function startPageServer({ trackerBase }) {
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    const headers = { 'Cache-Control': 'no-store' };
    if (pathname === '/parser.html') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(parserPage(trackerBase));
    } else if (pathname === '/keksi.js') {
      const body = await fs.readFile(process.env.KEKSI_JS ? path.resolve(process.env.KEKSI_JS) : path.join(WWW, 'keksi.js'));
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' }).end(body);
    } else {
      res.writeHead(404, headers).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
