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
  const sockets = new Set(); // every client and tunnel socket, destroyed on close()
  const track = (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    return s;
  };
  const server = http.createServer((req, res) => handle(req, res, req.url));
  const inner = http.createServer((req, res) => handle(req, res, `https://${req.headers.host}${req.url}`));
  server.on('connection', track);

  async function handle(req, res, url) {
    try {
      const u = new URL(url);
      if (isLocal(u.hostname)) return passThrough(req, res, u);
      const answer = await onRequest({ url, method: req.method, headers: req.headers, type: resourceType(req.headers, req.method) });
      if (!answer) return void res.socket?.destroy();
      res.writeHead(answer.status ?? 200, answer.headers ?? {});
      res.end(answer.body ?? '');
    } catch {
      // A request this proxy cannot read or a handler that threw: refuse it.
      if (!res.headersSent) res.writeHead(502).end();
      else res.socket?.destroy();
    }
  }

  function passThrough(req, res, u) {
    const up = http.request({ host: '127.0.0.1', port: u.port || 80, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
      r.on('error', () => res.socket?.destroy());
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.socket?.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  server.on('connect', (req, socket, head) => {
    const colon = req.url.lastIndexOf(':');
    const host = req.url.slice(0, colon);
    if (isLocal(host)) {
      // A local https server (the WebDriver suite's TLS front): tunnel it untouched.
      const up = track(net.connect(Number(req.url.slice(colon + 1)), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      }));
      up.on('close', () => socket.destroy());
      socket.on('close', () => up.destroy());
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head); // before TLS takes the socket over
    const secure = track(new tls.TLSSocket(socket, { isServer: true, key, cert }));
    inner.emit('connection', secure);
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  inner.on('clientError', (_e, socket) => socket.destroy());

  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
