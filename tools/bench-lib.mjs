// What every benchmark in tools/ needs: command-line options, medians and number cells.

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
