// tools/wasm-banned.mjs on hand-made modules: which functions it names, which it lets be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bannedIn } from "../../tools/wasm-banned.mjs";
import { TRAP, namedModule } from "./wasm-bytes.mjs";

// No locals, `nop`, `end`: code, however little.
const CODE = [0, 0x01, 0x0b];
const MEMCHR = "core[c5930c85a12de822]::slice::memchr::memchr_aligned::h0123456789abcdef";
const SPLIT = "<core::str::iter::Split<P> as core::iter::traits::iterator::Iterator>::next::h0123456789abcdef";
const FMT = "<u32 as core[c5930c85a12de822]::fmt::Display>::fmt";
const OWN = "keksi::core::strings::split_once::h0123456789abcdef";

test("names each banned function with its fix, the crate hash taken out of its path", () => {
  const found = bannedIn(namedModule([{ name: OWN, body: CODE }, { name: MEMCHR, body: CODE }, { name: SPLIT, body: CODE }]), true);
  assert.deepEqual(found.map((f) => f.name), [MEMCHR.replace("[c5930c85a12de822]", ""), SPLIT]);
  assert.match(found[0].why, /strings::has_any/);
  assert.match(found[1].why, /strings::pieces/);
  assert.equal(found[0].bytes, 3);
});

test("a body that is only a trap is not code", () => {
  assert.deepEqual(bannedIn(namedModule([{ name: MEMCHR, body: TRAP }, { name: FMT, body: TRAP }]), true), []);
});

test("formatting code counts only in the module keksi.js ships (wasm-opt drops it as dead before)", () => {
  const wasm = namedModule([{ name: FMT, body: CODE }, { name: "__multi3", body: CODE }]);
  assert.deepEqual(bannedIn(wasm, false).map((f) => f.name), ["__multi3"]);
  assert.deepEqual(bannedIn(wasm, true).map((f) => f.name), ["<u32 as core::fmt::Display>::fmt", "__multi3"]);
});

test("a module without function names is refused, not passed", () => {
  assert.throws(() => bannedIn(namedModule([{ name: MEMCHR, body: CODE }], { named: false }), true), /no function names/);
});

test("str::trim's searcher and Unicode white-space table are named (the fifteenth session's cut)", () => {
  const names = [
    "core::str::<impl str>::trim_matches::h0123456789abcdef",
    "<F as core::str::pattern::MultiCharEq>::matches::h0123456789abcdef",
    "core[c5930c85a12de822]::unicode::unicode_data::white_space::lookup",
  ];
  const found = bannedIn(namedModule(names.map((name) => ({ name, body: CODE }))), false);
  assert.equal(found.length, 3);
  for (const f of found) assert.match(f.why, /strings::trim_ascii_ws/);
});
