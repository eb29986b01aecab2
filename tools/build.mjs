#!/usr/bin/env node
// Builds www/keksi.js: cargo (wasm32) → wasm-bindgen (no-modules glue) → wasm-opt →
// one classic script with the WebAssembly inlined. Prints the size, raw/gzip/brotli.
//   node tools/build.mjs [--debug] [--names] [--marks] [--out FILE]
// --names keeps the function names in the optimised WebAssembly (for profiles, twiggy).
// --marks puts performance.mark()s between the loader's stages (tools/bench-stages.mjs);
// never in a shipped file: they would land in every site's performance timeline.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { leb, lebBytes, importEntries } from "./wasm-read.mjs";
import { pack, split } from "./lzma.mjs";
import { dropPanicPaths } from "./panic-paths.mjs";
import { blankPanicData } from "./panic-data.mjs";
import { dropIdleInvokes } from "./closure-invokes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const debug = args.includes("--debug");
const names = args.includes("--names");
const marks = args.includes("--marks");
const outIdx = args.indexOf("--out");
const out = outIdx >= 0 ? args[outIdx + 1] : join(root, "www", "keksi.js");
const WASM_BINDGEN_VERSION = "0.2.130";

function run(cmd, argv, opts = {}) {
  execFileSync(cmd, argv, { stdio: "inherit", cwd: root, ...opts });
}

const version = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim();
if (!version.includes(WASM_BINDGEN_VERSION)) {
  console.error(`wasm-bindgen CLI ${WASM_BINDGEN_VERSION} required, found: ${version}`);
  process.exit(1);
}

const profile = debug ? "debug" : "release";
// --no-default-features: the no_std build (src/lib.rs), without std's panic and formatting code.
// The source paths that panic locations carry (a panic traps, nobody reads them) are
// cut short: the builder's home directory does not belong in every visitor's download,
// and the long paths cost ~0.3 KB packed. (`core`'s own precompiled paths stay: tools/panic-data.mjs
// blanks them with the rest of what only a panic message would read.)
const sysroot = execFileSync("rustc", ["--print", "sysroot"], { encoding: "utf8" }).trim();
const cargoHome = process.env.CARGO_HOME || join(process.env.HOME || "/root", ".cargo");
const remap = [[join(sysroot, "lib", "rustlib", "src", "rust"), "rust"], [join(cargoHome, "registry", "src"), "crates"], [root, "keksi"]]
  .map(([from, to]) => `--remap-path-prefix=${from}=${to}`);
const rustflags = [process.env.CARGO_ENCODED_RUSTFLAGS, ...remap].filter(Boolean).join("\x1f");
run("cargo", ["build", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", ...(debug ? [] : ["--release"])],
  { env: { ...process.env, CARGO_ENCODED_RUSTFLAGS: rustflags } });
const tmp = join(root, "target", "keksi-js");
mkdirSync(tmp, { recursive: true });
run("wasm-bindgen", ["--target", "no-modules", "--no-typescript", ...(names ? ["--keep-debug"] : []), "--out-dir", tmp,
  join(root, "target", "wasm32-unknown-unknown", profile, "keksi.wasm")]);

let wasmPath = join(tmp, "keksi_bg.wasm");
const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
if (!existsSync(wasmOpt)) {
  console.error("node_modules/.bin/wasm-opt missing: run `npm ci` (binaryen 132; Debian's wasm-opt breaks the output)");
  process.exit(1);
}
if (!debug) {
  const { wasm: quiet, dropped } = dropPanicPaths(readFileSync(wasmPath));
  console.log(`panic paths: ${dropped.length} bodies made a trap (tools/panic-paths.mjs)`);
  // The closure invoke shims of closure types keksi never creates (tools/closure-invokes.mjs).
  const idle = dropIdleInvokes(quiet, readFileSync(join(tmp, "keksi.js"), "utf8"), join(dirname(wasmOpt), "wasm-dis"));
  console.log(`closure invokes: ${idle.dropped.length} shims made a trap, ${idle.kept} kept (tools/closure-invokes.mjs)`);
  wasmPath = join(tmp, "keksi_bg.quiet.wasm");
  writeFileSync(wasmPath, idle.wasm);
  const opt = join(tmp, "keksi_bg.opt.wasm");
  // Flattened and re-relooped before -Oz twice: binaryen then finds ~0.5 KB more to fold
  // (measured on the packed module; -Oz alone leaves it). --low-memory-unused lets it fold
  // constant offsets into loads and stores (-0.25 KB packed): Rust puts the 1 MB stack
  // first, growing down towards address 0, so the lowest 1 KB is only ever reached by a
  // stack about to overflow (which wasm cannot catch either way); Emscripten assumes the same.
  run(wasmOpt, ["--low-memory-unused", "--flatten", "--rereloop", "-Oz", "-Oz", ...(names ? ["--debuginfo"] : ["--strip-debug"]), "--strip-producers", "--strip-target-features", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
    "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", wasmPath, "-o", opt]);
  // The panics' locations and messages, which nothing reads (tools/panic-data.mjs).
  const blanked = blankPanicData(readFileSync(opt), join(dirname(wasmOpt), "wasm-dis"));
  console.log(`panic data: ${blanked.bytes} B zeroed (${blanked.records} locations, ${blanked.files} file names, core's messages; tools/panic-data.mjs)`);
  writeFileSync(opt, blanked.wasm);
  wasmPath = opt;
}
/**
 * `text` with the one occurrence of `what` (a string or a RegExp) replaced; the build stops
 * when there is none or more than one: wasm-bindgen's glue then changed under us.
 */
function cut(text, what, replacement, name) {
  const n = typeof what === "string" ? text.split(what).length - 1 : (text.match(new RegExp(what.source, "g")) || []).length;
  if (n !== 1) throw new Error(`wasm-bindgen's glue changed: ${name} found ${n} times`);
  return text.replace(what, replacement);
}
let wasm = readFileSync(wasmPath);
let glue = readFileSync(join(tmp, "keksi.js"), "utf8");
// keksi starts with `initSync` only: without the async `__wbg_init` in the returned object,
// terser drops it and all it alone uses (fetching, streaming, their warnings).
glue = cut(glue, "return Object.assign(__wbg_init, { initSync }, exports);",
  "return Object.assign({ initSync }, exports);", "the async init in the returned object");
// And the URL of the .wasm next to the script, which only that path fetched.
glue = cut(glue, /\n\s*let script_src;\n\s*if \(typeof document[^\n]*\n[^\n]*script_src = [^\n]*\n\s*\}\n/,
  "\n", "the `script_src` block");
// Branches keksi never takes, each ~0.05 KB gzip: the loader always passes
// `initSync({ module })` with a compiled module, and every engine keksi runs in has
// `TextEncoder.encodeInto` (the unpacker calls it only where the engine has no
// `Uint8Array.prototype.setFromBase64`).
glue = cut(glue, /\n(\s*)if \(module !== undefined\) \{\n\s*if \(Object\.getPrototypeOf\(module\) === Object\.prototype\) \{\n\s*\(\{module\} = module\)\n\s*\} else \{\n\s*console\.warn\('using deprecated parameters for `initSync\(\)`; pass a single object instead'\)\n\s*\}\n\s*\}\n/,
  "\n$1({ module } = module);\n", "initSync's deprecated-parameter branch");
glue = cut(glue, /\n\s*if \(!\(module instanceof WebAssembly\.Module\)\) \{\n\s*module = new WebAssembly\.Module\(module\);\n\s*\}\n/,
  "\n", "initSync's compile of bytes");
glue = cut(glue, /\n\s*if \(!\('encodeInto' in cachedTextEncoder\)\) \{\n\s*cachedTextEncoder\.encodeInto = function \(arg, view\) \{\n(?:[^\n]*\n){6}\s*\};\n\s*\}\n/,
  "\n", "the encodeInto fallback");
// What keksi's single `initSync` call never needs: the guard against a second call (the
// loader calls it once), the instance and module kept for the async path (never read),
// and resetting the memory views, still null (no import runs before `__wbindgen_start`).
glue = cut(glue, /(function initSync\(module\) \{)\n\s*if \(wasm !== undefined\) return wasm;\n/, "$1\n", "initSync's guard");
glue = cut(glue, "let wasmModule, wasmInstance, wasm;", "let wasm;", "the kept instance and module");
glue = cut(glue, /(function __wbg_finalize_init\(instance, module\) \{)\n\s*wasmInstance = instance;\n(\s*wasm = instance\.exports;)\n\s*wasmModule = module;\n\s*cachedDataViewMemory0 = null;\n\s*cachedUint8ArrayMemory0 = null;\n/,
  "$1\n$2\n", "__wbg_finalize_init");
// The DataView of memory made afresh when memory has a new buffer (grown): that test
// alone, without `buffer.detached` first (for engines that have it, only a quicker way
// to the same answer: a grown memory's old buffer is detached and the new one differs).
glue = cut(glue, "cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)",
  "cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer !== wasm.memory.buffer", "getDataViewMemory0's test");
// passStringToWasm0's branch for a module without `__wbindgen_realloc` (encode the whole
// string, then copy it in): every call passes the realloc keksi's module exports.
{
  const calls = glue.split("passStringToWasm0(").length - 2; // less the definition
  const withRealloc = glue.split(/passStringToWasm0\([\w$]+, wasm\.__wbindgen_malloc, wasm\.__wbindgen_realloc\)/).length - 1;
  if (calls < 1 || calls !== withRealloc) throw new Error(`wasm-bindgen's glue changed: ${calls} string passes, ${withRealloc} with realloc`);
  glue = cut(glue, /\n\s*if \(realloc === undefined\) \{\n\s*const buf = cachedTextEncoder\.encode\(arg\);\n(?:[^\n]*\n){3}\s*return ptr;\n\s*\}\n/,
    "\n", "passStringToWasm0's branch without realloc");
}
// Each of the ~70 imports that catch (`#[wasm_bindgen(catch)]`) is wrapped as
// `function() { return handleError(function (…) {…}, arguments); }`: made
// `handleError(function (…) {…})` with `handleError` returning the wrapper (the same
// call, `this` and exception path; ~0.1 KB gzip less). Every wrapper must open and close
// in turn, or the build stops.
{
  const open = "function() { return handleError(function", close = "}, arguments); }";
  const chunks = glue.split(open);
  if (chunks.length < 2 || chunks.some((c, i) => c.split(close).length !== (i ? 2 : 1))) {
    throw new Error("wasm-bindgen's glue changed: catching imports not wrapped as expected");
  }
  glue = chunks.map((c, i) => (i ? c.replace(close, "})") : c)).join("handleError(function");
  glue = cut(glue, /function handleError\(f, args\) \{\n\s*try \{\n\s*return f\.apply\(this, args\);\n/,
    "function handleError(f) { return function () {\n        try {\n            return f.apply(this, arguments);\n", "handleError's head");
  glue = cut(glue, /(function handleError\(f\) \{[^]*?wasm\.__wbindgen_exn_store\(idx\);\n\s*\}\n)(\s*\})/, "$1$2 }", "handleError's end");
}
// Imports that return a string write it through the same four statements each (~20
// of them), and imports that return an optional object the same two (~20): each made one
// call of a helper (~0.1 KB gzip less). The helpers do what the statements did, in the
// same order: pass the string (which may grow memory), then read the DataView afresh.
{
  const str = /\n(\s*)(?:const|var) (ptr\d+) = (isLikeNone\(ret\) \? 0 : )?passStringToWasm0\(ret, wasm\.__wbindgen_malloc, wasm\.__wbindgen_realloc\);\n\s*(?:const|var) (len\d+) = WASM_VECTOR_LEN;\n\s*getDataViewMemory0\(\)\.setInt32\(\(arg0 >>> 0\) \+ 4 \* 1, \4, true\);\n\s*getDataViewMemory0\(\)\.setInt32\(\(arg0 >>> 0\) \+ 4 \* 0, \2, true\);\n/g;
  const strings = glue.match(str)?.length ?? 0;
  const obj = /\n(\s*)const ret = ([^\n]*);\n\s*return isLikeNone\(ret\) \? 0 : addToExternrefTable0\(ret\);\n/g;
  const objects = glue.match(obj)?.length ?? 0;
  if (strings < 5 || objects < 5 || glue.split("passStringToWasm0(ret,").length - 1 !== strings) {
    throw new Error(`wasm-bindgen's glue changed: ${strings} string returns, ${objects} optional objects`);
  }
  glue = glue.replace(str, (_, ind, _p, opt) => `\n${ind}retString(arg0, ret${opt ? ", true" : ""});\n`)
    .replace(obj, (_, ind, expr) => `\n${ind}return optRef(${expr});\n`);
  glue = cut(glue, "\n    function isLikeNone(x) {", `
    function retString(at, s, optional) {
        const ptr = optional && isLikeNone(s) ? 0 : passStringToWasm0(s, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const m = getDataViewMemory0();
        m.setInt32((at >>> 0) + 4, WASM_VECTOR_LEN, true);
        m.setInt32(at >>> 0, ptr, true);
    }
    function optRef(x) {
        return isLikeNone(x) ? 0 : addToExternrefTable0(x);
    }
    function isLikeNone(x) {`, "isLikeNone");
}
if (!debug) ({ wasm, glue } = shortImportNames(wasm, glue));
const pkg = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version\s*=\s*"([^"]+)"/m)[1];
const loader = readFileSync(join(root, "src", "loader.js"), "utf8");
// wasm-bindgen names each import like `__wbg_appendChild_3a8f0c1d2e4b5a69`: ~190 names
// whose hash suffixes gzip cannot squeeze, written twice (import section and glue).
// Renamed to `_0`, `_1`, … in both places (~4 KB gzip less). Every old name must occur
// exactly once in the glue, as its key, or the build stops.
function shortImportNames(bytes, js) {
  const str = (t) => { const b = Buffer.from(t, "utf8"); return [...lebBytes(b.length), ...b]; };
  const dec = new TextDecoder();
  const out = [bytes.subarray(0, 8)];
  const modules = new Map();
  let i = 8;
  while (i < bytes.length) {
    const id = bytes[i];
    const [size, start] = leb(bytes, i + 1);
    const end = start + size;
    if (id === 7) { out.push(shortExportNames(bytes.subarray(start, end))); i = end; continue; }
    if (id !== 2) { out.push(bytes.subarray(i, end)); i = end; continue; }
    const entries = importEntries(bytes, { start });
    const body = [...lebBytes(entries.length)];
    // Imports whose glue is the same function word for word (`n.length` of a string, a
    // list and a collection; `querySelector` of an element and of a document) share one:
    // the module imports it under one name for each of its signatures (a JS function can
    // be imported with any), and the glue keeps one copy.
    const glueOf = new Map();
    for (const [, name, fn] of js.matchAll(/\n {12}([\w$]+): ([^]*?)(?=\n {12}[\w$]+: |\n {8}\};)/g)) glueOf.set(name, fn);
    const same = new Map();
    for (const { module: mod, field, desc, end: descEnd } of entries) {
      if (!modules.has(mod)) modules.set(mod, { short: "m" + modules.size, n: 0 });
      const m = modules.get(mod);
      const fn = glueOf.get(field);
      const twin = fn && same.get(mod + "\0" + fn);
      const key = new RegExp(`\\b${field}\\b`, "g");
      const hits = js.match(key)?.length ?? 0;
      if (hits !== 1) throw new Error(`import ${field}: ${hits} occurrences in the glue, expected 1`);
      let short;
      if (twin) {
        short = twin;
        const entry = `\n            ${field}: ${fn}`;
        if (js.split(entry).length !== 2) throw new Error(`import ${field}: its glue is not where it was`);
        js = js.replace(entry, "");
      } else {
        short = "_" + (m.n++).toString(36);
        if (fn) same.set(mod + "\0" + fn, short);
        js = js.replace(key, short);
      }
      body.push(...str(m.short), ...str(short), ...bytes.subarray(desc, descEnd));
    }
    out.push(Uint8Array.from([2, ...lebBytes(body.length), ...body]));
    i = end;
  }
  // wasm-bindgen's own exports (`wasm_bindgen__convert__closures_____invoke__h5444…`,
  // `__wbindgen_malloc`, …) likewise become `$0`, `$1`, …; keksi's API keeps its names.
  // The glue reads each as `wasm.name`.
  function shortExportNames(section) {
    let [count, j] = leb(section, 0);
    const body = [...lebBytes(count)];
    let n = 0;
    for (let k = 0; k < count; k++) {
      let len;
      [len, j] = leb(section, j); let name = dec.decode(section.subarray(j, j + len)); j += len;
      const descStart = j; j++; [, j] = leb(section, j);
      if (/^(wasm_bindgen__|__wbindgen_|__externref_)/.test(name)) {
        const short = "$" + (n++).toString(36);
        // Bare occurrences are the glue's own local functions of the same name (terser
        // renames them); a property access other than `wasm.name`, or a quoted name, stops.
        // An export the glue never names (e.g. `__wbindgen_free` with no String return) is
        // renamed in the module only.
        // Whole names only: `…_1` is a prefix of `…_14`.
        const whole = (prefix) => new RegExp(`${prefix}${name}(?![\\w$])`, "g");
        const count = (prefix) => (js.match(whole(prefix)) ?? []).length;
        const uses = js.match(whole(".?")) ?? [];
        const access = count("\\."), quoted = /["'`]/.test(uses.map((m) => m[0]).join(""));
        const dotted = count("wasm\\.");
        if ((uses.length && !dotted) || access !== dotted || quoted) throw new Error(`export ${name}: used other than as wasm.${name}`);
        js = js.replace(whole("wasm\\."), `wasm.${short}`);
        name = short;
      }
      body.push(...str(name), ...section.subarray(descStart, j));
    }
    return Uint8Array.from([7, ...lebBytes(body.length), ...body]);
  }
  for (const [mod, { short }] of modules) {
    const q = JSON.stringify(mod);
    if (js.split(q).length !== 2) throw new Error(`import module ${q}: expected once in the glue`);
    js = js.replace(q, JSON.stringify(short));
  }
  return { wasm: Buffer.concat(out), glue: js };
}

// The WebAssembly goes in split (unlzma/src/split.rs), LZMA-packed and base64'd, with its
// decoder (unlzma/, a 3.7 KB WebAssembly module that also joins the split code section)
// next to it. Base64 of packed bytes costs next to nothing once the file is gzipped (6 bits
// of entropy per character, 4 characters per 3 bytes), so keksi.js ships ~20% under the
// gzip of the raw .wasm. The round trip is checked here, with the very decoder the page
// runs, before anything is written.
function buildDecoder() {
  const dir = join(root, "unlzma");
  run("cargo", ["build", "--lib", "--release", "--target", "wasm32-unknown-unknown"], { cwd: dir });
  const opt = join(tmp, "unlzma.wasm");
  // Flattened and re-relooped before -Oz twice, like keksi's module: 3793 → 3763 B, ~0.04 KB
  // less gzip, and unpacking as fast (V8, 32 cold runs each: median 35.0 vs 34.9 ms).
  run(wasmOpt, ["--flatten", "--rereloop", "-Oz", "-Oz", "--strip-debug", "--strip-producers", "--strip-target-features", "--enable-bulk-memory",
    join(dir, "target", "wasm32-unknown-unknown", "release", "unlzma.wasm"), "-o", opt]);
  return readFileSync(opt);
}
// The loader's own unpack function (src/unpack.js), run here on the very decoder the page runs.
const unpackJs = readFileSync(join(root, "src", "unpack.js"), "utf8");
function checkRoundTrip(decoder, text, m, expected) {
  const unpack = new Function(unpackJs + "\nreturn unpack;")();
  const got = Buffer.from(unpack(decoder, text, m, expected.length));
  if (!got.equals(expected)) throw new Error("unlzma does not give back the WebAssembly split and packed");
  // One byte more than the stream holds runs into xz's end marker, one more than the
  // streams make does not join up: both must be errors.
  for (const [a, b, what] of [[m + 1, expected.length, "decoded past the end of the stream"],
    [m, expected.length + 1, "joined a module longer than the streams make"]]) {
    let wrong = true;
    try { unpack(decoder, text, a, b); } catch { wrong = false; }
    if (wrong) throw new Error("unlzma " + what);
  }
}
// The patcher the glue calls for a realm's patches (src/web/patch.rs `install`).
const patchJs = readFileSync(join(root, "src", "patch.js"), "utf8");
// Loader and glue are minified (terser) before the WebAssembly goes in: ~3 KB gzip less.
for (const p of ["/*GLUE*/", "/*UNPACK*/", "/*PATCH*/"]) {
  if (loader.split(p).length !== 2) throw new Error(`src/loader.js must hold its ${p} placeholder once`);
}
let code = loader.replace("/*GLUE*/", () => glue).replace("/*UNPACK*/", () => unpackJs).replace("/*PATCH*/", () => patchJs)
  .replaceAll("__VERSION__", pkg);
if (marks) code = withMarks(code);
// keksi:start, :decoder (unlzma instantiated, text copied in), :unpacked, :compiled,
// :instantiated, :booted. Each anchor must be found once, or the build stops.
function withMarks(js) {
  const at = [
    ['"use strict";', '"use strict"; performance.mark("keksi:start");'],
    ["var out = x.unpack(at, len, m, n, decoded);", 'performance.mark("keksi:decoder"); var out = x.unpack(at, len, m, n, decoded);'],
    ['wasm_bindgen.initSync({ module: new WebAssembly.Module(unpack(bytes("__UNLZMA__"), "__WASM_LZMA__", __SPLIT_SIZE__, __WASM_SIZE__)) });',
      'var bytes_ = unpack(bytes("__UNLZMA__"), "__WASM_LZMA__", __SPLIT_SIZE__, __WASM_SIZE__); performance.mark("keksi:unpacked"); ' +
      'var module_ = new WebAssembly.Module(bytes_); performance.mark("keksi:compiled"); ' +
      'wasm_bindgen.initSync({ module: module_ }); performance.mark("keksi:instantiated");'],
    ["wasm_bindgen.boot(nonce, function gtag() { window.dataLayer.push(arguments); });",
      'wasm_bindgen.boot(nonce, function gtag() { window.dataLayer.push(arguments); }); performance.mark("keksi:booted");'],
  ];
  for (const [anchor, marked] of at) {
    if (js.split(anchor).length !== 2) throw new Error(`--marks: the loader lost ${anchor}`);
    js = js.replace(anchor, () => marked);
  }
  return js;
}
if (!debug) {
  const { minify } = await import("terser");
  // `evaluate: false`: terser would otherwise fold the placeholder's length into the decoder.
  code = (await minify(code, { compress: { passes: 2, evaluate: false }, mangle: true, format: { comments: /^!/ } })).code;
}
for (const p of ['"__WASM_LZMA__"', '"__UNLZMA__"', "__SPLIT_SIZE__", "__WASM_SIZE__"]) {
  if (code.split(p).length !== 2) throw new Error(`the loader lost its ${p} placeholder`);
}
const decoder = buildDecoder();
const splitWasm = split(wasm);
const packed = pack(splitWasm).toString("base64");
checkRoundTrip(decoder, packed, splitWasm.length, wasm);
const js = code.replace("__WASM_LZMA__", packed).replace("__UNLZMA__", decoder.toString("base64"))
  .replace("__SPLIT_SIZE__", String(splitWasm.length)).replace("__WASM_SIZE__", String(wasm.length));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, js, "utf8");

// For sites that bundle: an ES module next to keksi.js that imports it (no second copy of
// the WebAssembly), and an npm package of the two with TypeScript types.
const esm = `// keksi as an ES module: runs keksi.js once and exports window.keksi (undefined on a
// server, where keksi.js does nothing).
import "./keksi.js";
const keksi = typeof window === "undefined" ? undefined : window.keksi;
export default keksi;
`;
writeFileSync(join(dirname(out), "keksi.mjs"), esm);
// The npm package is made from the default build only (not from --out test builds).
const npm = join(root, "target", "npm");
if (outIdx < 0) {
  mkdirSync(npm, { recursive: true });
  writeFileSync(join(npm, "keksi.js"), js, "utf8");
  writeFileSync(join(npm, "keksi.mjs"), esm);
  writeFileSync(join(npm, "keksi.d.ts"), readFileSync(join(root, "src", "keksi.d.ts")));
  writeFileSync(join(npm, "package.json"), JSON.stringify({
    name: "keksi", version: pkg, description: "Cookie consent in Rust/WebAssembly: one script, blocks trackers before they load",
    license: "MIT", type: "module", main: "./keksi.mjs", module: "./keksi.mjs", types: "./keksi.d.ts",
    exports: {
      ".": { types: "./keksi.d.ts", import: "./keksi.mjs", default: "./keksi.mjs" },
      "./keksi.js": "./keksi.js", "./package.json": "./package.json",
    },
    files: ["keksi.js", "keksi.mjs", "keksi.d.ts"], sideEffects: true,
  }, null, 2) + "\n");
}

const kb = (n) => (n / 1024).toFixed(1) + " KB";
const file = readFileSync(out);
const gz = gzipSync(file, { level: 9 }).length;
const br = brotliCompressSync(file, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`keksi.js: ${kb(file.length)} raw, ${kb(gz)} gzip -9, ${kb(br)} brotli (wasm ${kb(wasm.length)})  → ${out}`);
writeFileSync(join(tmp, "size.json"), JSON.stringify({ raw: file.length, gzip: gz, brotli: br, wasm: wasm.length }) + "\n");
