// Reading a WebAssembly module's sections, imports, function bodies and names: shared by
// the build (tools/build.mjs: short import names), its passes (tools/panic-paths.mjs,
// panic-data.mjs, closure-invokes.mjs) and the size breakdown (tools/wasm-cost.mjs).
import { execFileSync } from "node:child_process";

/** `wasm` as text, by binaryen's disassembler at `wasmDis` (the passes' checks read it). */
export function disassemble(wasm, wasmDis) {
  return execFileSync(wasmDis, ["-"], { input: wasm, maxBuffer: 1 << 30, encoding: "utf8" });
}

/** An unsigned LEB128 number at `i`: [value, index after it]. */
export const leb = (b, i) => { let r = 0, s = 0, x; do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return [r, i]; };

/** `n` as unsigned LEB128 bytes. */
export const lebBytes = (n) => { const o = []; do { let x = n & 0x7f; n = Math.floor(n / 128); if (n) x |= 0x80; o.push(x); } while (n); return o; };

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

/**
 * The entries of import section `s`: module and field names, kind (0 function, 1 table,
 * 2 memory, 3 global), and where the description (kind byte onwards) starts and ends.
 */
export function importEntries(wasm, s) {
  const dec = new TextDecoder();
  const out = [];
  let [n, j] = leb(wasm, s.start);
  for (let k = 0; k < n; k++) {
    let len;
    [len, j] = leb(wasm, j); const module = dec.decode(wasm.subarray(j, j + len)); j += len;
    [len, j] = leb(wasm, j); const field = dec.decode(wasm.subarray(j, j + len)); j += len;
    const desc = j;
    const kind = wasm[j++];
    if (kind === 0) [, j] = leb(wasm, j); // type index
    else if (kind === 1) { j++; const f = wasm[j++]; [, j] = leb(wasm, j); if (f & 1) [, j] = leb(wasm, j); }
    else if (kind === 2) { const f = wasm[j++]; [, j] = leb(wasm, j); if (f & 1) [, j] = leb(wasm, j); }
    else if (kind === 3) j += 2;
    else throw new Error(`wasm-read: import kind ${kind} not understood`);
    out.push({ module, field, kind, desc, end: j });
  }
  return out;
}

/** How many functions the module imports (they come first in the function index space). */
export function importedFunctions(wasm, s) {
  return importEntries(wasm, s).filter((e) => e.kind === 0).length;
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

/**
 * The code section `code`'s function bodies (as [`codeBodies`]), each with its function
 * `index` (after the imported functions) and its `name` from `names` ("" if none).
 */
export function namedBodies(wasm, all, code, names) {
  const imports = all.find((s) => s.id === 2);
  const first = imports ? importedFunctions(wasm, imports) : 0;
  return codeBodies(wasm, code).map((f, k) => ({ ...f, index: first + k, name: names.get(first + k) ?? "" }));
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
