// tools/closure-invokes.mjs on hand-made modules: which shims become a trap, which stay,
// when the build stops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { dropIdleInvokes } from "../../tools/closure-invokes.mjs";
import { leb, TRAP, bodies, namedModule as module } from "./wasm-bytes.mjs";

const wasmDis = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".bin", "wasm-dis");

const shim = (hash) => `wasm_bindgen::convert::closures::_::invoke::h${hash.padEnd(16, "0")}`;
const exportName = (hash) => `wasm_bindgen__convert__closures_____invoke__h${hash.padEnd(16, "0")}`;
const body = (...ops) => [0, ...ops, 0x0b];
const call = (idx) => [0x10, ...leb(idx)];
// `call_indirect` of slot 1 (type 0, table 0): how Rust calls through the table.
const INDIRECT = body(0x41, 1, 0x11, 0, 0);
const glueFor = (...hashes) => hashes.map((h) => `f(wasm.${exportName(h)}(a, b));`).join("\n");

// 1 used shim (exported), 2 the glue's wrapper of it, calling it directly, 3 and 4 shims
// in the table only, 5 a vtable method in the table, 6 a function calling through the table.
const fns = () => [
  { name: shim("a1"), body: body(0x01) },
  { name: `${shim("a1")} externref shim`, body: body(...call(1)) },
  { name: shim("b2"), body: body(0x01, 0x01) },
  { name: shim("c3"), body: body(0x01, 0x01, 0x01) },
  { name: "core::ops::function::FnOnce::call_once::h0", body: body(0x01) },
  { name: "keksi::web::dom::run::h1", body: INDIRECT },
];

test("shims only in the table become a trap; the exported one, what it calls and the rest stay", () => {
  const f = fns();
  const m = module(f, { table: [1, 3, 4, 5], exports: { [exportName("a1")]: 2, boot: 6 } });
  const { wasm, dropped, kept } = dropIdleInvokes(m, glueFor("a1"), wasmDis);
  assert.deepEqual(dropped, [f[2].name, f[3].name]);
  assert.equal(kept, 1);
  assert.deepEqual(bodies(wasm), [f[0].body, f[1].body, TRAP, TRAP, f[4].body, f[5].body]);
});

test("a shim called directly or named by ref.func stays", () => {
  const f = fns();
  f[4].body = body(...call(3)); // calls shim b2
  f[5].body = body(0xd2, ...leb(4), 0x1a); // ref.func shim c3, dropped
  const m = module(f, { table: [1, 3, 4, 5], exports: { [exportName("a1")]: 2 } });
  assert.deepEqual(dropIdleInvokes(m, glueFor("a1"), wasmDis).dropped, []);
});

test("the build stops when what the pass rests on no longer holds", () => {
  const ok = { table: [1, 3, 4, 5], exports: { [exportName("a1")]: 2 } };
  // The glue calls a shim the module does not export.
  assert.throws(() => dropIdleInvokes(module(fns(), ok), glueFor("a1", "b2"), wasmDis), /does not export/);
  // The glue calls none.
  assert.throws(() => dropIdleInvokes(module(fns(), ok), "", wasmDis), /calls no closure invoke/);
  // No shim by that name: wasm-bindgen renamed it.
  const renamed = fns().map((f) => ({ ...f, name: f.name.replace("closures::_::invoke", "closures::invoke") }));
  assert.throws(() => dropIdleInvokes(module(renamed, ok), glueFor("a1"), wasmDis), /no closure invoke shim found/);
  // The function table exported: JavaScript could call any slot.
  assert.throws(() => dropIdleInvokes(module(fns(), { ...ok, exportTable: true }), glueFor("a1"), wasmDis), /table is exported/);
  // A describe function left behind: something may still name a shim's slot.
  const described = fns(); described[4].name = "wasm_bindgen::describe::inform::h2";
  assert.throws(() => dropIdleInvokes(module(described, ok), glueFor("a1"), wasmDis), /describe function/);
  described[4].name = "<js_sys::Array as wasm_bindgen::describe::WasmDescribe>::describe::h3";
  assert.throws(() => dropIdleInvokes(module(described, ok), glueFor("a1"), wasmDis), /describe function/);
  // keksi's own functions may say "describe".
  const own = fns(); own[4].name = "keksi::core::markup::describe_category::h4";
  assert.deepEqual(dropIdleInvokes(module(own, ok), glueFor("a1"), wasmDis).dropped, [own[2].name, own[3].name]);
  // The table read as a value (table.get 0).
  const read = fns(); read[5].body = body(0x41, 2, 0x25, 0, 0x1a);
  assert.throws(() => dropIdleInvokes(module(read, ok), glueFor("a1"), wasmDis), /other than by call_indirect/);
});
