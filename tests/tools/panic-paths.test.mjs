// tools/panic-paths.mjs on hand-made modules: which bodies become a trap, which stay.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dropPanicPaths } from "../../tools/panic-paths.mjs";
import { leb, str, section, TRAP, bodies } from "./wasm-bytes.mjs";


/** A module of one imported function and `fns` ({ name, body }), with a name section. */
function module(fns, { names = true } = {}) {
  const imports = [1, ...str("m"), ...str("f"), 0, 0];
  const code = [...leb(fns.length)];
  for (const f of fns) code.push(...leb(f.body.length), ...f.body);
  const map = [...leb(fns.length + 1), 0, ...str("imported")];
  fns.forEach((f, k) => map.push(...leb(k + 1), ...str(f.name)));
  const nameSec = [...str("name"), 1, ...leb(map.length), ...map];
  return Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(2, imports), ...section(10, code),
    ...(names ? section(0, nameSec) : [])]);
}

const C = "core[0123456789abcdef]";
const body = (...ops) => [0, ...ops, 0x0b];
const call = (idx) => [0x10, ...leb(idx)];

test("core's panic entry points and unreachable fmt methods become a trap; the rest stays", () => {
  const fns = [
    { name: `${C}::panicking::panic_fmt`, body: body(0x01, 0x01) },
    { name: `${C}::panicking::panic_bounds_check`, body: body(...call(1)) },
    { name: `<u32 as ${C}::fmt::Display>::fmt`, body: body(0x01) },
    { name: "keksi::web::ui::render::h0123", body: body(0x01, 0x01) },
    { name: `${C}::slice::index::slice_index_fail`, body: body(0x01) },
    { name: "wasm_bindgen::__rt::borrow_fail::h0", body: body(0x01) },
  ];
  const { wasm, dropped } = dropPanicPaths(module(fns));
  assert.deepEqual(dropped, [fns[0].name, fns[1].name, fns[2].name, fns[4].name]);
  assert.deepEqual(bodies(wasm), [TRAP, TRAP, TRAP, fns[3].body, TRAP, fns[5].body]);
});

test("a fmt method stays when code calls it, or when the module formats (core::fmt::write)", () => {
  const fmt = { name: `<u32 as ${C}::fmt::Display>::fmt`, body: body(0x01) };
  const caller = { name: "keksi::f", body: body(...call(1)) };
  assert.deepEqual(dropPanicPaths(module([fmt, caller])).dropped, []);
  const write = { name: `${C}::fmt::write`, body: body(0x01) };
  assert.deepEqual(dropPanicPaths(module([fmt, write])).dropped, []);
  // Called only from a panic entry point, which goes too.
  const panic = { name: `${C}::panicking::panic`, body: body(...call(1)) };
  assert.deepEqual(dropPanicPaths(module([fmt, panic])).dropped, [fmt.name, panic.name]);
});

test("a module without function names stops the build", () => {
  assert.throws(() => dropPanicPaths(module([{ name: "x", body: body() }], { names: false })), /no function names/);
});

test("js-sys's futures executor becomes a trap while nothing outside it calls in; else it all stays", () => {
  const wake = { name: "js_sys::futures::jspi::SpawnedTask::wake::h1", body: body(0x01) };
  const raw = { name: "js_sys::futures::jspi::task_waker::raw_wake::h2", body: body(...call(1)) };
  const other = { name: "keksi::web::ui::render::h3", body: body(0x01) };
  assert.deepEqual(dropPanicPaths(module([wake, raw, other])).dropped, [wake.name, raw.name]);
  const spawn = { name: "wasm_bindgen_futures::spawn_local::h4", body: body(...call(2)) };
  assert.deepEqual(dropPanicPaths(module([wake, raw, spawn])).dropped, []);
});
