#!/usr/bin/env node
// Where the bytes of keksi.js go: the packed (LZMA) cost of each part of the WebAssembly.
//   node tools/build.mjs --names && node tools/wasm-cost.mjs [--depth N] [--top N]
// Reads target/keksi-js/keksi_bg.opt.wasm (built with function names), groups the
// functions by their Rust path (first N segments, default 3), and for each group packs
// the module again with that group's bodies replaced by `unreachable`: the difference is
// what the group really costs in keksi.js, after compression (raw body sizes mislead, as
// LZMA squeezes repetitive code far better than unique code). The data segments are
// measured the same way (zeroed), in all and per compiled-in data file.
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { packModule } from "./lzma.mjs";
import { leb, sections, importedFunctions, functionNames, codeBodies } from "./wasm-read.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const depth = arg("--depth", 3), top = arg("--top", 40);
const wasm = readFileSync(join(root, "target/keksi-js/keksi_bg.opt.wasm"));
const packed = (b) => packModule(b).length;

const all = sections(wasm);
const importSec = all.find((s) => s.id === 2), codeSec = all.find((s) => s.id === 10), dataSec = all.find((s) => s.id === 11);
const imports = importSec ? importedFunctions(wasm, importSec) : 0;
const bodies = codeBodies(wasm, codeSec);
const names = functionNames(wasm, all);
const data = [];
if (dataSec) {
  let [n, j] = leb(wasm, dataSec.start);
  for (let k = 0; k < n; k++) {
    let flag; [flag, j] = leb(wasm, j);
    if (flag === 0) { while (wasm[j] !== 0x0b) j++; j++; } else if (flag === 2) { [, j] = leb(wasm, j); while (wasm[j] !== 0x0b) j++; j++; }
    const [len, b] = leb(wasm, j); data.push({ at: b, len }); j = b + len;
  }
}
if (!names.size) { console.error("no function names: build with `node tools/build.mjs --names` first"); process.exit(1); }

// A Rust path like `keksi::web::ui::render::h12ab` → its first `depth` segments; generic
// instances (`<T as Trait>::f`) keep their outer type's path.
function group(name) {
  let n = name.replace(/::h[0-9a-f]{16}$/, "").replace(/^<(.*?)( as .*)?>/, "$1");
  n = n.replace(/<.*$/, "");
  return n.split("::").slice(0, depth).join("::") || name;
}
const groups = new Map();
bodies.forEach((b, k) => {
  const g = group(names.get(imports + k) ?? "?");
  if (!groups.has(g)) groups.set(g, { raw: 0, list: [] });
  const e = groups.get(g); e.raw += b.len; e.list.push(b);
});
const base = packed(wasm);
function without(list) {
  const copy = Buffer.from(wasm);
  // Keep each body's length (so no offsets move): no locals, `unreachable`, then `nop`s, `end`.
  for (const b of list) { copy[b.at] = 0; copy[b.at + 1] = 0; copy.fill(1, b.at + 2, b.at + b.len - 1); copy[b.at + b.len - 1] = 0x0b; }
  return copy;
}
const rows = [...groups].sort((a, b) => b[1].raw - a[1].raw).slice(0, top).map(([g, e]) => {
  const cost = base - packed(without(e.list.filter((b) => b.len >= 3)));
  return [g, e.list.length, e.raw, cost];
});
const dcopy = Buffer.from(wasm); for (const d of data) dcopy.fill(0, d.at, d.at + d.len);
rows.push(["(data segments)", data.length, data.reduce((s, d) => s + d.len, 0), base - packed(dcopy)]);
// The compiled-in data files (as build.rs wrote them, in the newest OUT_DIR), found in the
// module's bytes and zeroed group by group.
const build = join(root, "target/wasm32-unknown-unknown/release/build");
const out = readdirSync(build).map((d) => join(build, d, "out")).filter((d) => existsSync(join(d, "texts-keys")))
  .sort((a, b) => statSync(join(b, "texts-keys")).mtimeMs - statSync(join(a, "texts-keys")).mtimeMs)[0];
const latin = wasm.toString("latin1");
const files = readdirSync(out);
for (const [label, group] of [["data: texts", files.filter((f) => /^texts-[a-z]+$/.test(f))], ["data: cookies.tsv", ["cookies.tsv", "cookie-purposes"]],
  ["data: trackers.tsv", ["trackers.tsv"]], ["data: storage.tsv", ["storage.tsv"]], ["data: stylesheets", ["keksi.css", "placeholder.css"]]]) {
  const copy = Buffer.from(wasm);
  let raw = 0;
  for (const f of group) {
    const text = readFileSync(join(out, f)).toString("latin1");
    const at = latin.indexOf(text);
    // A language left out of this build (KEKSI_LANGUAGES) is not in the module.
    if (at < 0 && /^texts-/.test(f)) continue;
    if (at < 0) throw new Error(`${f} not found in the module: rebuild`);
    copy.fill(0, at, at + text.length);
    raw += text.length;
  }
  rows.push([label, group.length, raw, base - packed(copy)]);
}
rows.sort((a, b) => b[3] - a[3]);
console.log(`wasm ${wasm.length} B, packed ${base} B, ${bodies.length} functions, ${imports} imports\n`);
console.log("| group | fns | raw B | packed B |\n|---|---:|---:|---:|");
for (const [g, n, raw, cost] of rows) console.log(`| ${g} | ${n} | ${raw} | ${cost} |`);
