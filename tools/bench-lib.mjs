// What every benchmark in tools/ needs: command-line options, medians, number cells and a
// static server for a copy of www/.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const argv = process.argv.slice(2);

/** `--name value` from the command line, else `dflt`. */
export const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};

/** Whether a bare `--flag` was given. */
export const flag = (name) => argv.includes(name);

/** The `q`-quantile (0..1) of the finite numbers in `xs`, interpolated; null if none. */
export const quantile = (xs, q) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
};

/** The median of the finite numbers in `xs`; null if none. */
export const median = (xs) => quantile(xs, 0.5);

/** A table cell: the number with `d` decimals, or an em dash when there is none. */
export const fmt = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.mjs': 'text/javascript' };

/** Serve the files under `dir` on a free local port; resolves to { url, close }. */
export async function serveDir(dir) {
  const server = http.createServer((req, res) => {
    let file = path.join(dir, path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (file.endsWith(path.sep)) file += 'index.html';
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
