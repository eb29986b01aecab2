// Drops the formatting code that only panics could reach, before wasm-opt (tools/build.mjs).
//
// keksi's panic handler traps at once and never reads the message (src/lib.rs), but core's
// panic entry points still build one — `fmt::Arguments` pointing at `<u32 as Display>::fmt`
// and the like — and those pointers keep core's formatting code alive through the function
// table (~1.2 KB of packed keksi.js; `-Zbuild-std` with `panic=immediate-abort` would drop
// it too, but needs nightly flags). Here, by function name (the name section wasm-bindgen
// leaves in), two kinds of bodies become a lone `unreachable`:
//   - core's panic entry points (`core::panicking::*`, `slice_index_fail`, …): they end in
//     the handler's trap anyway, with nothing observable on the way;
//   - js-sys's futures executor (`js_sys::futures::*`: the JSPI task waker): keksi runs no
//     futures (wasm-bindgen-futures is a test dependency only), but the waker's vtable
//     keeps its functions in the table. Only while nothing outside calls into them
//     directly (a `spawn_local` would): then they stay;
//   - `fmt` methods of `core::fmt` traits that no function calls directly, when the module
//     has no `core::fmt::write`: a trait's `fmt` needs a `Formatter`, which stable Rust
//     can only get from that machinery, so without it nothing can run them.
// wasm-opt then removes whatever only these bodies used. The build fails if the module
// has no names, so a changed toolchain cannot silently skip this.

import { lebBytes, sections, functionNames, namedBodies } from "./wasm-read.mjs";

const CORE = String.raw`core\[[0-9a-f]+\]`;
const PANICS = new RegExp(String.raw`^${CORE}::(panicking::\w+|slice::index::slice_\w*fail|str::slice_error_fail` +
  String.raw`|cell::panic_already_\w+|cell::lazy::panic_poisoned|option::(unwrap|expect)_failed|result::unwrap_failed)$`);
const NO_FUTURES = /^js_sys(\[[0-9a-f]+\])?::futures::/;
const FMT_IMPL = new RegExp(String.raw`^<.+ as ${CORE}::fmt::\w+>::fmt$`);
const FMT_WRITE = new RegExp(String.raw`^${CORE}::fmt::write$`);

/** `wasm` with the bodies described above replaced; and the names of those replaced. */
export function dropPanicPaths(wasm) {
  const all = sections(wasm);
  const code = all.find((s) => s.id === 10);
  const names = functionNames(wasm, all);
  if (!code || !names.size) throw new Error("panic-paths: the module has no code or no function names");
  const bodies = namedBodies(wasm, all, code, names);
  const formats = !bodies.some((f) => FMT_WRITE.test(f.name));
  const panics = new Set(bodies.filter((f) => PANICS.test(f.name)));
  const futures = bodies.filter((f) => NO_FUTURES.test(f.name));
  // A direct call is `call` (0x10) and the index; a byte-level search may find one that is
  // not there, which only keeps a body that could have gone.
  const calledDirectly = (g) => {
    const call = Buffer.from([0x10, ...lebBytes(g.index)]);
    return bodies.some((f) => !panics.has(f) && f.body.indexOf(call) >= 0);
  };
  const idle = futures.every((g) => {
    const call = Buffer.from([0x10, ...lebBytes(g.index)]);
    return bodies.every((f) => futures.includes(f) || panics.has(f) || f.body.indexOf(call) < 0);
  });
  if (idle) futures.forEach((f) => panics.add(f));
  const dropped = [];
  const parts = [Buffer.from(lebBytes(bodies.length))];
  bodies.forEach((f) => {
    const drop = panics.has(f) || (formats && FMT_IMPL.test(f.name) && !calledDirectly(f));
    // No locals, `unreachable`, `end`: valid for any function type.
    parts.push(drop ? Buffer.from([3, 0, 0x00, 0x0b]) : f.whole);
    if (drop) dropped.push(f.name);
  });
  const body = Buffer.concat(parts);
  return {
    wasm: Buffer.concat([wasm.subarray(0, code.at), Buffer.from([10, ...lebBytes(body.length)]), body, wasm.subarray(code.end)]),
    dropped,
  };
}
