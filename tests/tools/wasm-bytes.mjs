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
