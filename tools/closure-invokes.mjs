// Makes the closure invoke shims that nothing can call a trap, before wasm-opt (tools/build.mjs).
//
// wasm-bindgen 0.2.130 makes one `invoke` shim per closure signature
// (`wasm_bindgen::convert::closures::_::invoke::<A, B, …, R, UNWIND_SAFE>`, in its
// src/convert/closures.rs). Its address is taken in one place only: the signature's
// `describe_invoke`, which the wasm-bindgen CLI runs in its interpreter to learn the shim
// for each closure type, then removes with every other describe function. The linker keeps
// the describe functions of every `#[wasm_bindgen]` import of js-sys and web-sys (they are
// exported symbols), so the module holds a shim for each closure type any of those
// signatures names (`Array::for_each`, `Promise::new`, `Map::for_each`, …), ~45 in all,
// each in the function table. keksi creates three closure types: for those the CLI exports
// the shim (`wasm_bindgen__convert__closures_____invoke__h…`) and the glue calls it when
// the browser calls the closure. The others stay in the table only, where no code can
// reach them any more: their table slots were only ever named by the removed describe
// functions (LLVM takes a function's table index from a relocation at the place that takes
// its address), JavaScript cannot index a table the module does not export, and wasm-opt
// keeps a table's entries even when nothing calls them. wasm-opt already empties those
// whose signature no `call_indirect` uses; this empties the rest (~0.3 KB packed), and
// wasm-opt then drops the conversions only they used.
//
// A shim stays when it is exported, called directly (the CLI's externref shims call the
// exported ones), named by a `ref.func`, or the start function. The build stops, instead
// of guessing, when what this rests on no longer holds: no shim found by that name (the
// name changed), a describe function left in the module, the glue calling a shim the
// module does not export, the function table imported or exported, an element segment
// other than an active list of functions in that table, or an instruction other than
// `call_indirect` on that table.
import { leb, lebBytes, sections, importEntries, functionNames, namedBodies, disassemble } from "./wasm-read.mjs";

export const INVOKE = /^wasm_bindgen::convert::closures::_::invoke::h[0-9a-f]{16}$/;
const GLUE_INVOKE = /\bwasm\.(wasm_bindgen__convert__closures_____invoke__h[0-9a-f]{16})\b/g;

/**
 * `wasm` (wasm-bindgen's output, with names) with the invoke shims nothing can call made a
 * trap; `glue` is wasm-bindgen's JavaScript for it, `wasmDis` binaryen's disassembler.
 */
export function dropIdleInvokes(wasm, glue, wasmDis) {
  const fail = (why) => { throw new Error(`closure-invokes: ${why}`); };
  const all = sections(wasm);
  const code = all.find((s) => s.id === 10) ?? fail("no code section");
  const names = functionNames(wasm, all);
  if (!names.size) fail("the module has no function names");
  const imports = all.find((s) => s.id === 2);
  const entries = imports ? importEntries(wasm, imports) : [];
  if (entries.some((e) => e.kind === 1)) fail("the module imports a table");
  // wasm-bindgen's describe machinery (its import, `__wbindgen_describe_*`, `inform`,
  // `WasmDescribe::describe`, `describe_invoke`), mangled or not: all of it must be gone.
  const DESCRIBE = /__wbindgen_describe|wasm_bindgen(\[[0-9a-f]+\])?(::|\.\.)describe(::|\.\.)|WasmDescribe|describe_invoke/;
  const describe = [...names.values(), ...entries.map((e) => e.field)].find((n) => DESCRIBE.test(n));
  if (describe) fail(`a describe function is left in the module (${describe})`);

  // Exports: the functions (kept), and no export of the function table (table 0).
  const exported = new Map(); // name → function index
  const exportSec = all.find((s) => s.id === 7);
  if (exportSec) {
    let [n, j] = leb(wasm, exportSec.start);
    for (let k = 0; k < n; k++) {
      let len; [len, j] = leb(wasm, j);
      const name = wasm.subarray(j, j + len).toString(); j += len;
      const kind = wasm[j++];
      let index; [index, j] = leb(wasm, j);
      if (kind === 0) exported.set(name, index);
      if (kind === 1 && index === 0) fail(`the function table is exported (as ${name}): JavaScript could call any slot`);
    }
  }
  // The table's entries: active segments of function indices at a constant offset in table 0.
  const inTable = new Set();
  const elemSec = all.find((s) => s.id === 9);
  if (elemSec) {
    let [n, j] = leb(wasm, elemSec.start);
    for (let k = 0; k < n; k++) {
      let flag; [flag, j] = leb(wasm, j);
      if (flag !== 0 || wasm[j] !== 0x41) fail(`element segment ${k} is not an active list of functions at an i32.const`);
      [, j] = leb(wasm, j + 1);
      if (wasm[j++] !== 0x0b) fail(`element segment ${k}: offset not understood`);
      let count; [count, j] = leb(wasm, j);
      for (let q = 0; q < count; q++) { let f; [f, j] = leb(wasm, j); inTable.add(f); }
    }
  }
  const startSec = all.find((s) => s.id === 8);
  const start = startSec ? leb(wasm, startSec.start)[0] : -1;

  const bodies = namedBodies(wasm, all, code, names);
  const invokes = bodies.filter((f) => INVOKE.test(f.name));
  if (!invokes.length) fail("no closure invoke shim found by name (wasm_bindgen::convert::closures::_::invoke)");
  // What the glue calls must be exported (and so stays).
  const called = [...glue.matchAll(GLUE_INVOKE)].map((m) => m[1]);
  if (!called.length) fail("the glue calls no closure invoke shim");
  for (const name of called) if (!exported.has(name)) fail(`the glue calls ${name}, which the module does not export`);
  // Only `call_indirect` may use the function table.
  const wat = disassemble(wasm, wasmDis);
  const table = wat.match(/^\s*\(table (\$\S+) /m)?.[1] ?? fail("no function table in the disassembly");
  for (const [line] of wat.matchAll(/\((?:table\.\w+|elem\.drop)\b[^\n]*/g)) {
    if (line.split(/[\s()]+/).includes(table)) fail(`the function table is used other than by call_indirect: ${line.trim()}`);
  }

  const keep = new Set([...exported.values(), start]);
  const dropped = [];
  const parts = [Buffer.from(lebBytes(bodies.length))];
  for (const f of bodies) {
    // A direct call is `call` (0x10) and the index, a reference `ref.func` (0xd2): a
    // byte-level search may find one that is not there, which only keeps a shim.
    const refs = (op) => { const b = Buffer.from([op, ...lebBytes(f.index)]); return bodies.some((g) => g !== f && g.body.indexOf(b) >= 0); };
    const drop = INVOKE.test(f.name) && inTable.has(f.index) && !keep.has(f.index) && !refs(0x10) && !refs(0xd2);
    // No locals, `unreachable`, `end`: valid for any function type.
    parts.push(drop ? Buffer.from([3, 0, 0x00, 0x0b]) : f.whole);
    if (drop) dropped.push(f.name);
  }
  const body = Buffer.concat(parts);
  return {
    wasm: Buffer.concat([wasm.subarray(0, code.at), Buffer.from([10, ...lebBytes(body.length)]), body, wasm.subarray(code.end)]),
    dropped, kept: invokes.length - dropped.length,
  };
}
