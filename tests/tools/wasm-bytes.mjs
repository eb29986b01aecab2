// Bytes of hand-made WebAssembly modules, shared by the tests of the build's WASM steps
// (tests/tools/*.test.mjs).

/** `n` as unsigned LEB128. */
export const leb = (n) => { const o = []; do { let x = n & 0x7f; n >>>= 7; if (n) x |= 0x80; o.push(x); } while (n); return o; };
/** A name: its UTF-8 length, then its bytes. */
export const str = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
/** Section `id` holding `bytes`. */
export const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
/** A vector: the count, then the items' bytes. */
export const vec = (items) => [...leb(items.length), ...items.flat()];
/** A function body that is only a trap: no locals, `unreachable`, `end`. */
export const TRAP = [0, 0x00, 0x0b];

/**
 * A module of one imported function (index 0) and `fns` ({ name, body }, indices 1, 2, …,
 * all `() -> ()`), with a name section; `table` lists the functions in table 0 from slot 1,
 * `exports` maps export names to function indices; `exportTable` exports table 0; without
 * `named`, no name section.
 */
export function namedModule(fns, { table = [], exports = {}, exportTable = false, named = true } = {}) {
  const types = section(1, vec([[0x60, 0, 0]]));
  const imports = section(2, vec([[...str("m"), ...str("f"), 0, 0]]));
  const funcs = section(3, vec(fns.map(() => [0])));
  const tables = section(4, vec([[0x70, 0, ...leb(table.length + 1)]]));
  const ex = Object.entries(exports).map(([name, idx]) => [...str(name), 0, ...leb(idx)]);
  if (exportTable) ex.push([...str("__indirect_function_table"), 1, 0]);
  const elem = section(9, vec([[0, 0x41, 1, 0x0b, ...vec(table.map((f) => leb(f)))]]));
  const code = section(10, vec(fns.map((f) => [...leb(f.body.length), ...f.body])));
  const map = vec([[0, ...str("imported")], ...fns.map((f, k) => [...leb(k + 1), ...str(f.name)])]);
  const names = section(0, [...str("name"), 1, ...leb(map.length), ...map]);
  return Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs, ...tables, ...section(7, vec(ex)),
    ...elem, ...code, ...(named ? names : [])]);
}

/** The bodies of `wasm`'s functions, as arrays (fewer than 128 functions, each under 128 bytes). */
export function bodies(wasm) {
  let i = 8;
  while (wasm[i] !== 10) { let j = i + 1, size = 0, s = 0, x; do { x = wasm[j++]; size |= (x & 0x7f) << s; s += 7; } while (x & 0x80); i = j + size; }
  const out = [];
  let j = i + 1;
  while (wasm[j++] & 0x80);
  const n = wasm[j++];
  for (let k = 0; k < n; k++) { const len = wasm[j++]; out.push([...wasm.subarray(j, j + len)]); j += len; }
  return out;
}
