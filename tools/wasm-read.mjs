// Reading a WebAssembly module's sections, imports, function bodies and names: shared by
// the build's panic-path pass (tools/panic-paths.mjs) and the size breakdown
// (tools/wasm-cost.mjs).

/** An unsigned LEB128 number at `i`: [value, index after it]. */
export const leb = (b, i) => { let r = 0, s = 0, x; do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return [r, i]; };

/** Sections of `wasm`: id, content start and end, and the index of its first byte. */
export function sections(wasm) {
  const out = [];
  for (let i = 8; i < wasm.length;) {
    const [size, start] = leb(wasm, i + 1);
    out.push({ id: wasm[i], at: i, start, end: start + size });
    i = start + size;
  }
  return out;
}

/** How many functions the module imports (they come first in the function index space). */
export function importedFunctions(wasm, s) {
  let [n, j] = leb(wasm, s.start), funcs = 0;
  for (let k = 0; k < n; k++) {
    let len;
    [len, j] = leb(wasm, j); j += len;
    [len, j] = leb(wasm, j); j += len;
    const kind = wasm[j++];
    if (kind === 0) { funcs++; [, j] = leb(wasm, j); }
    else if (kind === 1) { j++; const f = wasm[j++]; [, j] = leb(wasm, j); if (f & 1) [, j] = leb(wasm, j); }
    else if (kind === 2) { const f = wasm[j++]; [, j] = leb(wasm, j); if (f & 1) [, j] = leb(wasm, j); }
    else if (kind === 3) j += 2;
    else throw new Error(`wasm-read: import kind ${kind} not understood`);
  }
  return funcs;
}

/** Function names by index, from the "name" custom section. */
export function functionNames(wasm, all) {
  const names = new Map();
  for (const s of all.filter((s) => s.id === 0)) {
    let [len, j] = leb(wasm, s.start);
    if (wasm.subarray(j, j + len).toString() !== "name") continue;
    for (j += len; j < s.end;) {
      const sub = wasm[j];
      const [size, start] = leb(wasm, j + 1);
      if (sub === 1) {
        let [n, q] = leb(wasm, start);
        for (let k = 0; k < n; k++) {
          let idx, l;
          [idx, q] = leb(wasm, q); [l, q] = leb(wasm, q);
          names.set(idx, wasm.subarray(q, q + l).toString()); q += l;
        }
      }
      j = start + size;
    }
  }
  return names;
}

/** The code section's function bodies: `whole` with its size, `body` without. */
export function codeBodies(wasm, code) {
  const out = [];
  let [n, j] = leb(wasm, code.start);
  for (let k = 0; k < n; k++) {
    const [len, b] = leb(wasm, j);
    out.push({ whole: wasm.subarray(j, b + len), body: wasm.subarray(b, b + len), at: b, len });
    j = b + len;
  }
  return out;
}
