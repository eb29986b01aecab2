// Request routing for WebKit: an HTTP proxy that WebKitGTK is pointed at (http_proxy /
// https_proxy in its environment), so that `context.route()` works there as it does in
// Playwright. Plain-http requests arrive as `GET http://host/path`; https ones as
// `CONNECT host:443`, after which the proxy speaks TLS itself with a throw-away
// self-signed certificate (the session's `acceptInsecureCerts` accepts it) and reads the
// requests inside. Each request goes to `onRequest`; local hosts, which WebKit should not
// send here at all (no_proxy), are passed through to the real server.

import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { certificate } from '../e2e-webdriver/tls.mjs';

/** The loopback, by address or name (`*.localhost` is the loopback too, RFC 6761). */
const isLocal = (host) => host === '127.0.0.1' || host === '[::1]' || host === 'localhost' || host.endsWith('.localhost');

/**
 * Playwright's resource type of a request. Sec-Fetch-Dest says it (WebKit sends it to
 * https URLs only); without it, from what the request accepts: scripts and fetches both
 * accept `*\/*`, but a fetch, XHR or beacon is CORS-mode and says its Origin.
 */
export function resourceType(headers, method) {
  const DEST = { iframe: 'document', frame: 'document', style: 'stylesheet', empty: 'fetch' };
  const dest = headers['sec-fetch-dest'];
  if (dest) return DEST[dest] ?? dest;
  const accept = headers.accept ?? '';
  if (/^text\/html/.test(accept)) return 'document';
  if (/^image\//.test(accept)) return 'image';
  if (/^text\/css/.test(accept)) return 'stylesheet';
  if (method !== 'GET' || headers.origin) return 'fetch';
  return 'script';
}

/**
 * Starts the proxy. `onRequest({ url, method, headers, type })` resolves to
 * { status, headers, body } to answer, or null to refuse (the connection is dropped,
 * as a blocked request would be).
 */
export async function startRoutingProxy(onRequest) {
  const { key, cert } = certificate();
  const server = http.createServer((req, res) => handle(req, res, req.url));
  const inner = http.createServer((req, res) => handle(req, res, `https://${req.headers.host}${req.url}`));

  async function handle(req, res, url) {
    const u = new URL(url);
    if (isLocal(u.hostname)) return passThrough(req, res, u);
    let answer = null;
    try {
      answer = await onRequest({ url, method: req.method, headers: req.headers, type: resourceType(req.headers, req.method) });
    } catch {
      answer = null;
    }
    if (!answer) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(answer.status ?? 200, answer.headers ?? {});
    res.end(answer.body ?? '');
  }

  function passThrough(req, res, u) {
    const up = http.request({ host: '127.0.0.1', port: u.port || 80, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  }

  server.on('connect', (req, socket, head) => {
    const [host, port] = req.url.split(':');
    if (isLocal(host)) {
      // A local https server (the WebDriver suite's TLS front): tunnel it untouched.
      const up = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
    secure.on('error', () => socket.destroy());
    socket.on('error', () => secure.destroy());
    if (head.length) socket.unshift(head);
    inner.emit('connection', secure);
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  inner.on('clientError', (_e, socket) => socket.destroy());

  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => {
      server.closeAllConnections?.();
      inner.closeAllConnections?.();
      server.close(() => r());
    }),
  };
}
