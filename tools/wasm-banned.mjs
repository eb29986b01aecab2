#!/usr/bin/env node
// Fails when library code that keksi replaced on purpose comes back into the WebAssembly.
//
//   node tools/wasm-banned.mjs             builds keksi.js (English + Finnish) with function
//                                          names, then checks it
//   node tools/wasm-banned.mjs --no-build  checks the last names build in target/keksi-js/
//
// Each of these was cut for its bytes, and each comes back silently from one innocent call
// (a `str::split('\n')` brought core's `Split` and char searcher back, +0.27 KB, in the
// fourteenth session). The size ratchet only notices once such returns add up; this
// names the function and the fix. Two modules are read: rustc's, before wasm-opt (where a
// searcher is still a function of its own: wasm-opt inlines `memchr` into its one caller,
// and the name is gone), and the one keksi.js ships (formatting code is in rustc's module
// but dead there, and wasm-opt drops it). A body that is only a trap (`unreachable`: what
// tools/panic-paths.mjs leaves of a function that a table still names) is not code.
// What rustc inlines into its only caller leaves no name anywhere and is not caught: a
// second caller, or a searcher big enough (`memchr`'s), makes it a function again.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { sections, functionNames, namedBodies } from "./wasm-read.mjs";

/**
 * What must not come back: a pattern on the function's Rust path, what to use instead,
 * and whether only the shipped module is checked (code that only wasm-opt finds dead).
 */
export const BANNED = [
  [/core::str::pattern::CharSearcher/, "core's char searcher (`find(char)`, `split(char)`): use strings::until_any, split_once or pieces"],
  [/core::str::pattern::(StrSearcher|TwoWaySearcher)/, "core's two-way substring searcher: use strings::find"],
  [/core::str::iter::(Split|SplitInternal|SplitN|SplitTerminator)\b/, "`str::split`: use strings::pieces"],
  [/core::str::pattern::(MultiCharEq|CharPredicateSearcher)|core::str::<impl str>::trim(_start|_end)?_matches|core::unicode::unicode_data::white_space/,
    "`str::trim` (core's Unicode white space and its searcher): use strings::trim_ascii_ws or trim_cookie_part"],
  [/core::slice::memchr/, "memchr (from a char searcher or `contains(char)`): use strings::has_any or until_any"],
  [/^__multi3$/, "a 128-bit multiply (`checked_mul` on u64): use time::times_saturating"],
  [/core::fmt::|alloc::fmt::|ToString/, "formatting code (`format!`, `to_string`, `{}`): build strings with push_str and json::push_u64", "shipped"],
  [/core::panicking::/, "a panic path with its message: tools/panic-paths.mjs makes these a trap, so one that is not was added after it", "shipped"],
  [/alloc::vec::Vec<T,A>::remove\b/, "`Vec::remove`: swap_remove, retain or truncate"],
  [/core::str::(converts::from_utf8|validations::run_utf8_validation)/, "UTF-8 validation of bytes keksi already holds as UTF-8"],
];

/**
 * The banned functions in `wasm` (a module with a name section): `{ name, why, bytes }`;
 * `shipped` says whether it is the module keksi.js ships (else rustc's, before wasm-opt).
 */
export function bannedIn(wasm, shipped) {
  const all = sections(wasm);
  const names = functionNames(wasm, all);
  if (!names.size) throw new Error("wasm-banned: the module has no function names (build with --names)");
  const code = all.find((s) => s.id === 10);
  const found = [];
  for (const b of code ? namedBodies(wasm, all, code, names) : []) {
    // No locals, `unreachable`, `end`: a trap.
    if (b.len === 3 && b.body[0] === 0 && b.body[1] === 0x00) continue;
    const name = b.name.replace(/\[[0-9a-f]{16}\]/g, "");
    const hit = BANNED.find(([pattern, , only]) => pattern.test(name) && (shipped || !only));
    if (hit) found.push({ name, why: hit[1], bytes: b.len });
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  if (!process.argv.includes("--no-build")) {
    execFileSync("node", [join(root, "tools/build.mjs"), "--names", "--out", join(root, "target/size/keksi.names.js")],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, KEKSI_LANGUAGES: "en,fi" } });
  }
  // tools/build.mjs's intermediate files: rustc's module with panic paths made a trap, and
  // wasm-opt's output.
  const found = [];
  for (const [file, shipped] of [["keksi_bg.quiet.wasm", false], ["keksi_bg.opt.wasm", true]]) {
    for (const f of bannedIn(readFileSync(join(root, "target/keksi-js", file)), shipped)) {
      console.error(`banned in ${file}: ${f.name} (${f.bytes} B): ${f.why}`);
      found.push(f);
    }
  }
  if (found.length) process.exit(1);
  console.log(`wasm-banned: none of the ${BANNED.length} kinds of replaced library code, before or after wasm-opt`);
}
