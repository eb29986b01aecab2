// Blanks the data only a panic message could read, after wasm-opt (tools/build.mjs).
//
// A panic traps at once (src/lib.rs) and core's panic entry points are a trap
// (tools/panic-paths.mjs), so nothing formats a panic message: but the module still holds
// what one would have read, ~0.55 KB of packed keksi.js —
//   - the `Location` of each panic (file, line, column: 16 bytes) and its file name
//     (`/rustc/<hash>/library/core/src/slice/mod.rs`: core's precompiled paths, which
//     `--remap-path-prefix` does not reach, keksi's own `src/core/json.rs`, …);
//   - core's and alloc's panic messages and what only formatting them reads (MESSAGES
//     below, as rustc 1.95 lays out a panic's `fmt::Arguments`: each literal piece after
//     a byte giving its length, 0xC0 for an argument, 0 at the end).
// Those bytes are zeroed here (LZMA packs a run of zeros to almost nothing); no offset moves.
// Each range is checked first:
//   - every message is found in the data exactly once, or the build stops (rustc or core
//     changed the layout: look again at what the module holds and update MESSAGES);
//   - a `Location` is a 4-aligned record whose file is a `….rs` name ended by a 0 (rustc's
//     `Location::file_as_c_str`), with its length;
//   - nothing that stays may point into a blanked range: no `i32.const` (nor either half
//     of an `i64.const`, as LLVM stores a pointer and a length as one) and no load or
//     store offset in the code, and no aligned word of the data outside the blanked
//     ranges. After wasm-opt, the panics' call sites that passed a `Location` or a message
//     are gone with the trapping functions they called. A `Location` or a file name that
//     something still points into stays as it is; a message, and the build stops.
// wasm-bindgen's own messages (`closure invoked recursively or after being dropped`,
// `FnOnce called more than once`) are thrown to JavaScript as errors: they are not
// panic messages, stay, and sit right next to these.
import { leb, sections, disassemble } from "./wasm-read.mjs";

export const MESSAGES = [
  "\x16slice index starts at \xc0\x0d but ends at \xc0\x00",
  " index out of bounds: the len is \xc0\x12 but the index is \xc0\x00",
  "\x12range start index \xc0\" out of range for slice of length \xc0\x00",
  "\x10range end index \xc0\" out of range for slice of length \xc0\x00",
  "\x15memory allocation of \xc0\x0d bytes failed\x00",
  "\x14insertion index (is \xc0\x17) should be <= len (is \xc0\x01)\x00",
  "internal error: entered unreachable code",
  "reentrant init",
  "mid > len",
  // alloc's, RefCell's and LazyCell's, and core's table of two-digit numbers that only
  // formatting an integer reads (keksi.js formats none: no `fmt` in it).
  "Tried to shrink to a larger capacity",
  "capacity overflow",
  "LazyCell instance has previously been poisoned",
  "RefCell already mutably borrowed",
  "RefCell already borrowed",
  Array.from({ length: 100 }, (_, k) => String(k).padStart(2, "0")).join(""),
  // keksi's own (src/single.rs).
  "keksi: state borrowed while in use",
];

/** `wasm` (after wasm-opt) with the panic-only data zeroed; `wasmDis` is binaryen's disassembler. */
export function blankPanicData(wasm, wasmDis) {
  const fail = (why) => { throw new Error(`panic-data: ${why}`); };
  const dataSec = sections(wasm).find((s) => s.id === 11) ?? fail("no data section");
  // The active segments: where each one's bytes are in the file and in memory.
  const segs = [];
  let [n, j] = leb(wasm, dataSec.start);
  for (let k = 0; k < n; k++) {
    let flag; [flag, j] = leb(wasm, j);
    if (flag !== 0 || wasm[j] !== 0x41) fail(`data segment ${k} is not an active segment at an i32.const`);
    let addr; [addr, j] = leb(wasm, j + 1);
    if (wasm[j - 1] & 0x40 || wasm[j++] !== 0x0b) fail(`data segment ${k}: offset not understood`);
    let len; [len, j] = leb(wasm, j);
    segs.push({ addr, at: j, len });
    j += len;
  }
  const fileAt = (a) => { const s = segs.find((s) => a >= s.addr && a < s.addr + s.len); return s ? s.at + a - s.addr : -1; };
  const word = (a) => { const f = fileAt(a); return f >= 0 && fileAt(a + 3) === f + 3 ? wasm.readUInt32LE(f) : null; };
  const blank = []; // [start, end) addresses
  const found = (bytes) => {
    const hits = [];
    for (const s of segs) {
      const data = wasm.subarray(s.at, s.at + s.len);
      for (let i = data.indexOf(bytes); i >= 0; i = data.indexOf(bytes, i + 1)) hits.push(s.addr + i);
    }
    return hits;
  };
  for (const m of MESSAGES) {
    const hits = found(Buffer.from(m, "latin1"));
    if (hits.length !== 1) fail(`${JSON.stringify(m)} found ${hits.length} times in the data, expected once`);
    blank.push([hits[0], hits[0] + m.length]);
  }
  // The `Location` records {file, length, line, column}: 4-aligned, their file a `….rs`
  // name ended by a 0 (rustc's `Location::file_as_c_str`).
  const files = new Map(); // by address
  const records = new Map(); // address → its file
  for (const s of segs) {
    for (let a = s.addr + ((4 - (s.addr % 4)) % 4); a + 8 <= s.addr + s.len; a += 4) {
      const ptr = word(a), len = word(a + 4), at = fileAt(ptr);
      if (at < 0 || len < 4 || len > 300 || fileAt(ptr + len) !== at + len || wasm[at + len] !== 0) continue;
      const name = wasm.subarray(at, at + len).toString("latin1");
      if (!/^[\w./-]+\.rs$/.test(name)) continue;
      if (!files.has(ptr)) files.set(ptr, { addr: ptr, len, name });
      if (files.get(ptr).len !== len) fail(`${name}: named with two lengths`);
      records.set(a, files.get(ptr));
    }
  }
  if (files.size < 3) fail(`${files.size} file names of panic locations found; the layout changed`);
  // What stays must not point into a blanked range.
  const wat = disassemble(wasm, wasmDis);
  const code = wat.split("\n").filter((l) => !/^\s*\(data\b/.test(l)).join("\n");
  const refs = [];
  for (const [, v] of code.matchAll(/\bi32\.const (-?\d+)/g)) refs.push(Number(v) >>> 0);
  for (const [, v] of code.matchAll(/\bi64\.const (-?\d+)/g)) { const x = BigInt.asUintN(64, BigInt(v)); refs.push(Number(x & 0xffffffffn), Number(x >> 32n)); }
  for (const [, v] of code.matchAll(/\boffset=(\d+)/g)) refs.push(Number(v));
  if (refs.length < 1000) fail(`only ${refs.length} constants read from the disassembly`);
  const words = []; // [address, value] of each aligned word of the data
  for (const s of segs) {
    for (let a = s.addr + ((4 - (s.addr % 4)) % 4); a + 4 <= s.addr + s.len; a += 4) words.push([a, word(a)]);
  }
  // A record or a file name something else points into stays as it is (LLVM may address
  // an array from a base below it that lands in a record: the code's array, not the
  // record, is read there; keeping the bytes is always safe); then so does its file name.
  const kept = new Set();
  const pointedAt = ([s, e], blanked) => refs.some((v) => v >= s && v < e) ||
    words.some(([a, v]) => v >= s && v < e && !blanked.some(([bs, be]) => a >= bs && a < be));
  for (let changed = true; changed;) {
    changed = false;
    const blanked = [...blank, ...[...records].filter(([a]) => !kept.has(a)).map(([a]) => [a, a + 16]),
      ...[...files.values()].filter((f) => !kept.has(f)).map((f) => [f.addr, f.addr + f.len + 1])];
    for (const [a] of records) if (!kept.has(a) && pointedAt([a, a + 16], blanked)) { kept.add(a); changed = true; }
    for (const f of files.values()) if (!kept.has(f) && pointedAt([f.addr, f.addr + f.len + 1], blanked)) { kept.add(f); changed = true; }
    if (!changed) {
      // core's messages are expected gone with the panics: one still pointed at stops the build.
      for (const r of blank) if (pointedAt(r, blanked)) fail(`${JSON.stringify(MESSAGES[blank.indexOf(r)])} is still pointed at`);
      blank.splice(0, blank.length, ...blanked);
    }
  }
  const out = Buffer.from(wasm);
  let bytes = 0;
  for (const [s, e] of blank) for (let a = s; a < e; a++) { const f = fileAt(a); if (f >= 0) { out[f] = 0; bytes++; } }
  return { wasm: out, bytes, files: [...files.values()].filter((f) => !kept.has(f)).length, records: [...records.keys()].filter((a) => !kept.has(a)).length, kept: kept.size };
}
