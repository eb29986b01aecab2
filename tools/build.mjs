#!/usr/bin/env node
// Builds www/keksi.js: cargo (wasm32) → wasm-bindgen (no-modules glue) → wasm-opt →
// one classic script with the WebAssembly inlined. Prints the size, raw/gzip/brotli.
//   node tools/build.mjs [--debug] [--out FILE]
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const debug = args.includes("--debug");
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
run("cargo", ["build", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", ...(debug ? [] : ["--release"])]);
const tmp = join(root, "target", "keksi-js");
mkdirSync(tmp, { recursive: true });
run("wasm-bindgen", ["--target", "no-modules", "--no-typescript", "--out-dir", tmp,
  join(root, "target", "wasm32-unknown-unknown", profile, "keksi.wasm")]);

let wasmPath = join(tmp, "keksi_bg.wasm");
const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
if (!debug) {
  if (!existsSync(wasmOpt)) {
    console.error("node_modules/.bin/wasm-opt missing: run `npm ci` (binaryen 132; Debian's wasm-opt breaks the output)");
    process.exit(1);
  }
  const opt = join(tmp, "keksi_bg.opt.wasm");
  run(wasmOpt, ["-Oz", "--strip-debug", "--strip-producers", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
    "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", wasmPath, "-o", opt]);
  wasmPath = opt;
}
const wasm = readFileSync(wasmPath);
const glue = readFileSync(join(tmp, "keksi.js"), "utf8");
const pkg = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version\s*=\s*"([^"]+)"/m)[1];
const loader = readFileSync(join(root, "src", "loader.js"), "utf8");
// The WebAssembly goes in as a Latin-1 string literal: one character per byte, only
// quote, backslash, line breaks and `<` escaped. Gzipped it is ~20% smaller than base64.
// The BOM written first makes browsers decode the file as UTF-8 whatever the server or
// page says, so the bytes arrive intact.
function latin1Literal(bytes) {
  let s = "";
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c || b === 0x0a || b === 0x0d || b === 0x3c) s += "\\x" + b.toString(16).padStart(2, "0");
    else s += String.fromCharCode(b);
  }
  return s;
}
// Loader and glue are minified (terser) before the WebAssembly goes in: ~3 KB gzip less.
let code = loader.replace("/*GLUE*/", () => glue).replaceAll("__VERSION__", pkg);
if (!debug) {
  const { minify } = await import("terser");
  // `evaluate: false`: terser would otherwise fold the placeholder's length into the decoder.
  code = (await minify(code, { compress: { passes: 2, evaluate: false }, mangle: true, format: { comments: /^!/ } })).code;
}
if (!code.includes('"__WASM_BYTES__"')) throw new Error("the loader lost its __WASM_BYTES__ placeholder");
const js = "\uFEFF" + code.replace("__WASM_BYTES__", () => latin1Literal(wasm));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, js, "utf8");

// For sites that bundle: an ES module next to keksi.js that imports it (no second copy of
// the WebAssembly), and an npm package of the two with TypeScript types.
const esm = `// keksi as an ES module: runs keksi.js once and exports window.keksi.
import "./keksi.js";
const keksi = window.keksi;
export default keksi;
`;
writeFileSync(join(dirname(out), "keksi.mjs"), esm);
const npm = join(root, "target", "npm");
mkdirSync(npm, { recursive: true });
writeFileSync(join(npm, "keksi.js"), js, "utf8");
writeFileSync(join(npm, "keksi.mjs"), esm);
writeFileSync(join(npm, "keksi.d.ts"), readFileSync(join(root, "src", "keksi.d.ts")));
writeFileSync(join(npm, "package.json"), JSON.stringify({
  name: "keksi", version: pkg, description: "Cookie consent in Rust/WebAssembly: one script, blocks trackers before they load",
  license: "MIT", type: "module", main: "./keksi.mjs", module: "./keksi.mjs", types: "./keksi.d.ts",
  exports: { ".": { types: "./keksi.d.ts", import: "./keksi.mjs" }, "./keksi.js": "./keksi.js" },
  files: ["keksi.js", "keksi.mjs", "keksi.d.ts"], sideEffects: true,
}, null, 2) + "\n");

const kb = (n) => (n / 1024).toFixed(1) + " KB";
const file = readFileSync(out);
const gz = gzipSync(file, { level: 9 }).length;
const br = brotliCompressSync(file, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`keksi.js: ${kb(file.length)} raw, ${kb(gz)} gzip -9, ${kb(br)} brotli (wasm ${kb(wasm.length)})  → ${out}`);
writeFileSync(join(tmp, "size.json"), JSON.stringify({ raw: file.length, gzip: gz, brotli: br, wasm: wasm.length }) + "\n");
