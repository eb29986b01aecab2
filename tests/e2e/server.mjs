// Tiny static HTTP server for keksi's demo site and end-to-end tests (node:http, no deps).
//
// Serves:
//   /...            -> www/ (the demo site, including the built /keksi.js)
//   /fixtures/...   -> tests/e2e/fixtures/ (test pages; they load /keksi.js from www/)
//   /node_modules/<pkg>/dist/...  -> node_modules/<pkg>/dist/ for the peer consent managers in
//                   PEER_PACKAGES only (tools/bench-peers.mjs; nothing else under node_modules)
//   POST /consent-log  -> records the JSON body (see consentLogs()), answers 204
//   /beacon-sink    -> answers 204 to any method (first-party beacon/fetch target in tests)
//
// Test knobs (query string, any path):
//   ?delay=MS       hold the response for MS milliseconds (max 10000)
//   ?bfcache        no `Cache-Control: no-store`, which keeps a page out of Chromium's
//                   back/forward cache
//   ?keksi=off      for .html: serve the page with its <script src="/keksi.js"> tag removed
//                   (the same content without keksi: layout comparison, benchmark baseline)
//   ?keksi=damaged  for .html: the page loads /keksi.js?damaged, which is keksi.js with one
//                   character of its packed WebAssembly changed (fail-closed test)
//   ?csp=NAME       for .html: send a Content-Security-Policy header (presets in CSP_PRESETS):
//                     nowasm  script-src 'self' 'unsafe-inline' https:   (no 'wasm-unsafe-eval':
//                             keksi's WebAssembly cannot compile; third-party https scripts
//                             stay allowed so that only keksi's own fail-closed hold stops them)
//                     wasm    the same plus 'wasm-unsafe-eval' (control: keksi works under CSP)
//                     tt, tt-page-only  Trusted Types enforced, with keksi's policy allowed or not
//
// Env KEKSI_JS=/path/to/file serves that file at /keksi.js instead of www/keksi.js
// (to run the suite against another build, e.g. a debug one).
//
// Every request is logged as { method, path, pathname, search, host, time }.
//
// As a module:  const server = await startServer();  server.url, server.requests(), ...
// As a CLI:     node tests/e2e/server.mjs --port 8000 [--host 127.0.0.1]

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const WWW = path.join(ROOT, 'www');
export const FIXTURES = path.join(HERE, 'fixtures');

/** keksi.js with the character in the middle of its packed WebAssembly (the one long base64 literal) changed. */
function damage(body) {
  const js = body.toString('utf8');
  const m = /[A-Za-z0-9+/]{20000,}/.exec(js);
  if (!m) throw new Error('keksi.js has no packed WebAssembly to damage');
  const at = m.index + (m[0].length >> 1);
  return Buffer.from(js.slice(0, at) + (js[at] === 'A' ? 'B' : 'A') + js.slice(at + 1), 'utf8');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Content-Security-Policy presets selectable with ?csp=NAME (HTML responses only). */
export const CSP_PRESETS = {
  nowasm: "script-src 'self' 'unsafe-inline' https:",
  wasm: "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' https:",
  // Trusted Types enforced, keksi's policy allowed by name next to the page's own …
  tt: "require-trusted-types-for 'script'; trusted-types keksi app",
  // … or only the page's own: keksi's is refused.
  'tt-page-only': "require-trusted-types-for 'script'; trusted-types app",
};

const KEKSI_TAG = /[ \t]*<script\b[^>]*\bsrc=["']?\/keksi\.js["']?[^>]*>\s*<\/script>[ \t]*\r?\n?/gi;

/** npm packages whose dist/ folder is served at /node_modules/<pkg>/dist/ (peer benchmark). */
export const PEER_PACKAGES = ['vanilla-cookieconsent', 'klaro'];

/** Maps a URL pathname to a file on disk, or null when it escapes the served roots. */
function resolveFile(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  let base = WWW;
  let rel = decoded;
  if (decoded === '/fixtures' || decoded.startsWith('/fixtures/')) {
    base = FIXTURES;
    rel = decoded.slice('/fixtures'.length) || '/';
  }
  const peer = PEER_PACKAGES.find((p) => decoded.startsWith(`/node_modules/${p}/dist/`));
  if (peer) {
    base = path.join(ROOT, 'node_modules', peer, 'dist');
    rel = decoded.slice(`/node_modules/${peer}/dist`.length);
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(base, '.' + path.posix.normalize(rel));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

/**
 * Starts the server. Resolves to
 * { url, port, host, server, requests(), clear(), requested(pathname), consentLogs(), close() }.
 */
export function startServer({ port = 0, host = '127.0.0.1', quiet = true } = {}) {
  const log = [];
  const consentLog = [];
  // Markup put at the top of every HTML page served (WebKit's stand-in for Playwright's
  // addInitScript, tests/e2e/webkit.mjs); empty otherwise.
  let injection = '';
  const inject = (html) => {
    if (!injection) return html;
    const m = /<head[^>]*>/i.exec(html) ?? /<html[^>]*>/i.exec(html);
    if (m) return html.slice(0, m.index + m[0].length) + injection + html.slice(m.index + m[0].length);
    return injection + html;
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    log.push({
      method: req.method,
      path: url.pathname + url.search,
      pathname: url.pathname,
      search: url.search,
      host: req.headers.host ?? '',
      time: Date.now(),
    });
    if (!quiet) console.log(`${req.method} ${req.url}`);

    const delay = Math.min(Number(url.searchParams.get('delay')) || 0, 10_000);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    // `no-store` keeps pages out of Chromium's back/forward cache: `?bfcache` lets them in.
    const headers = url.searchParams.has('bfcache') ? {} : { 'Cache-Control': 'no-store' };

    if (url.pathname === '/consent-log') {
      if (req.method !== 'POST') {
        res.writeHead(405, { ...headers, Allow: 'POST' }).end();
        return;
      }
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        body = { unparsed: raw };
      }
      consentLog.push({ body, contentType: req.headers['content-type'] ?? '', time: Date.now() });
      res.writeHead(204, headers).end();
      return;
    }

    if (url.pathname === '/beacon-sink') {
      for await (const _ of req); // drain the body
      res.writeHead(204, { ...headers, 'Access-Control-Allow-Origin': '*' }).end();
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }

    if (url.pathname === '/fixtures/ui/shop.html') {
      // The demo shop itself, its keksi config built from the query string:
      //   ?layout=box&theme=dark&lang=ar   config "layout" / "theme" / "language"
      //   &policy=0                         no policyUrl (no link in the banner)
      const html = await fs.readFile(path.join(WWW, 'index.html'), 'utf8');
      const re = /<script type="application\/json" id="keksi-config">([\s\S]*?)<\/script>/;
      const config = JSON.parse(html.match(re)[1]);
      const q = url.searchParams;
      if (q.get('layout')) config.layout = q.get('layout');
      if (q.get('theme')) config.theme = q.get('theme');
      if (q.get('lang')) config.language = q.get('lang');
      if (q.get('policy') === '0') delete config.policyUrl;
      const json = JSON.stringify(config).replace(/</g, '\\u003c');
      const page = inject(html.replace(re, () => `<script type="application/json" id="keksi-config">${json}</script>`));
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(page);
      return;
    }

    const file =
      url.pathname === '/keksi.js' && process.env.KEKSI_JS
        ? path.resolve(process.env.KEKSI_JS)
        : resolveFile(url.pathname);
    let body;
    let finalFile = file;
    try {
      if (!file) throw Object.assign(new Error('forbidden'), { code: 'ENOENT' });
      const st = await fs.stat(file);
      if (st.isDirectory()) {
        // /about -> /about/ redirect keeps relative URLs right
        res.writeHead(301, { ...headers, Location: url.pathname + '/' + url.search }).end();
        return;
      }
      body = await fs.readFile(file);
    } catch {
      // /privacy -> privacy.html convenience (the contract's examples use extension-less URLs)
      const alt = file && !path.extname(file) ? file + '.html' : null;
      try {
        if (!alt) throw new Error('no alt');
        body = await fs.readFile(alt);
        finalFile = alt;
      } catch {
        const missingKeksi = url.pathname === '/keksi.js';
        res
          .writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
          .end(missingKeksi ? 'keksi.js is not built: run `node tools/build.mjs`\n' : 'not found\n');
        return;
      }
    }

    const ext = path.extname(finalFile).toLowerCase();
    if (ext === '.html' && url.searchParams.get('keksi') === 'off') {
      body = Buffer.from(body.toString('utf8').replace(KEKSI_TAG, ''), 'utf8');
    }
    if (ext === '.html' && url.searchParams.get('keksi') === 'damaged') {
      body = Buffer.from(body.toString('utf8').replace('src="/keksi.js"', 'src="/keksi.js?damaged"'), 'utf8');
    }
    if (url.pathname === '/keksi.js' && url.searchParams.has('damaged')) body = damage(body);
    if (ext === '.html' && injection) body = Buffer.from(inject(body.toString('utf8')), 'utf8');
    const csp = ext === '.html' ? CSP_PRESETS[url.searchParams.get('csp')] : undefined;
    if (csp) headers['Content-Security-Policy'] = csp;
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      const urlBase = `http://${host}:${actual}`;
      resolve({
        url: urlBase,
        port: actual,
        host,
        server,
        /** A copy of the request log, oldest first. */
        requests: () => log.slice(),
        /** Empties the request log and the consent log. */
        clear: () => {
          log.length = 0;
          consentLog.length = 0;
        },
        /** Requests whose pathname equals `pathname` (query ignored). */
        requested: (pathname) => log.filter((r) => r.pathname === pathname),
        /** Sets the markup put at the top of every HTML page ('' for none). */
        setInjection: (html) => {
          injection = html;
        },
        /** Bodies POSTed to /consent-log, oldest first. */
        consentLogs: () => consentLog.slice(),
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

async function main(argv) {
  const arg = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt;
  };
  const port = Number(arg('--port', process.env.PORT ?? 8000));
  const host = arg('--host', '127.0.0.1');
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const s = await startServer({ port, host, quiet: !verbose });
  try {
    await fs.access(path.join(WWW, 'keksi.js'));
  } catch {
    console.warn('warning: www/keksi.js is missing; build it first with `node tools/build.mjs`');
  }
  console.log(`keksi demo: ${s.url}/   (fixtures under ${s.url}/fixtures/, Ctrl+C to stop)`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
