// tools/panic-data.mjs on hand-made modules: what is zeroed, what stays, when the build stops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { blankPanicData, MESSAGES } from "../../tools/panic-data.mjs";
import { leb, section } from "./wasm-bytes.mjs";

const wasmDis = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".bin", "wasm-dis");
const sleb = (v) => { let n = BigInt(v); const o = []; for (;;) { const x = Number(n & 0x7fn); n >>= 7n; if ((n === 0n && !(x & 0x40)) || (n === -1n && x & 0x40)) { o.push(x); return o; } o.push(x | 0x80); } };
const BASE = 0x10000;
const FILES = ["/rustc/0123/library/core/src/slice/mod.rs", "src/core/json.rs", "src/heap.rs"];

/**
 * A module whose data (at BASE) is: the messages, the file names (each ended by a 0), a
 * kept string, then one Location record per file, 4-aligned; and whose one function
 * returns the sum of `consts` (i32) and `wide` (i64, truncated).
 */
function module({ messages = MESSAGES, consts = [], wide = [] } = {}) {
  let text = messages.join("") + FILES.map((f) => f + "\x00").join("") + "FnOnce called more than once";
  while (text.length % 4) text += "\x00";
  const data = [...Buffer.from(text, "latin1")];
  const fileAddr = FILES.map((f) => BASE + text.indexOf(f + "\x00"));
  const records = [];
  FILES.forEach((f, k) => {
    records.push(BASE + data.length);
    for (const w of [fileAddr[k], f.length, 10 + k, 5]) data.push(w & 255, (w >> 8) & 255, (w >> 16) & 255, w >>> 24);
  });
  const body = [0, 0x41, 0];
  for (const c of consts) body.push(0x41, ...sleb(c | 0), 0x6a);
  for (const c of wide) body.push(0x42, ...sleb(c), 0xa7, 0x6a); // i64.const, i32.wrap_i64, i32.add
  body.push(0x0b);
  const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), ...section(3, [1, 0]), ...section(5, [1, 0, 2]),
    ...section(10, [1, ...leb(body.length), ...body]),
    ...section(11, [1, 0, 0x41, ...sleb(BASE), 0x0b, ...leb(data.length), ...data])]);
  return { wasm, text, records, fileAddr, dataAt: wasm.length - data.length };
}

const enough = Array.from({ length: 1000 }, (_, k) => k); // the tool wants a real disassembly
const bytesAt = (m, wasm, addr, n) => wasm.subarray(m.dataAt + addr - BASE, m.dataAt + addr - BASE + n);

test("core's messages, the file names and the Location records are zeroed; the rest stays", () => {
  const m = module({ consts: enough });
  const out = blankPanicData(m.wasm, wasmDis);
  assert.equal(out.records, 3);
  assert.equal(out.files, 3);
  const kept = m.text.indexOf("FnOnce");
  assert.equal(out.wasm.subarray(m.dataAt, m.dataAt + kept).every((b) => b === 0), true);
  assert.equal(bytesAt(m, out.wasm, BASE + kept, 28).toString(), "FnOnce called more than once");
  for (const r of m.records) assert.deepEqual([...bytesAt(m, out.wasm, r, 16)], Array(16).fill(0));
  assert.equal(out.wasm.length, m.wasm.length);
});

test("a record the code points into stays, and so does its file name", () => {
  const probe = module({ consts: enough });
  const m = module({ consts: [...enough, probe.records[1] + 8] });
  const out = blankPanicData(m.wasm, wasmDis);
  assert.equal(out.records, 2);
  assert.equal(out.files, 2);
  assert.deepEqual(bytesAt(m, out.wasm, m.records[1], 16), bytesAt(m, m.wasm, m.records[1], 16));
  assert.equal(bytesAt(m, out.wasm, m.fileAddr[1], FILES[1].length).toString(), FILES[1]);
  assert.deepEqual([...bytesAt(m, out.wasm, m.records[0], 16)], Array(16).fill(0));
});

test("either half of an i64.const counts as a pointer", () => {
  const probe = module({ consts: enough });
  const m = module({ consts: enough, wide: [BigInt(probe.records[2]) << 32n | 7n] });
  assert.equal(blankPanicData(m.wasm, wasmDis).records, 2);
});

test("a message the code still points into, or one missing, stops the build", () => {
  const probe = module({ consts: enough });
  const at = BASE + probe.text.indexOf("mid > len") + 3;
  assert.throws(() => blankPanicData(module({ consts: [...enough, at] }).wasm, wasmDis), /mid > len.*still pointed at/);
  assert.throws(() => blankPanicData(module({ consts: enough, messages: MESSAGES.slice(1) }).wasm, wasmDis), /found 0 times/);
});
