#!/usr/bin/env node
// Size of keksi.js per language variant, and what the compiled-in knowledge costs.
//   node tools/size-report.mjs [--langs en,en+fi,all]
// Builds each variant into target/size/ (a minute or so each) and prints a markdown
// table: raw, gzip -9 and brotli of each file.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = process.argv.indexOf("--langs");
const all = readdirSync(join(root, "data/texts")).map((f) => f.replace(/\.json$/, "")).sort();
const variants = (arg >= 0 ? process.argv[arg + 1] : "en,en+fi,all").split(",").map((v) => (v === "all" ? all.join("+") : v));
const kb = (n) => (n / 1024).toFixed(1) + " KB";
const sizes = (buf) => [buf.length, gzipSync(buf, { level: 9 }).length, brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length];

const rows = [];
for (const v of variants) {
  const langs = v.split("+");
  const out = join(root, "target/size", `keksi-${langs.length === all.length ? "all" : langs.join("-")}.js`);
  execFileSync("node", [join(root, "tools/build.mjs"), "--out", out], { env: { ...process.env, KEKSI_LANGUAGES: langs.join(",") }, stdio: "ignore" });
  const [raw, gz, br] = sizes(readFileSync(out));
  rows.push(`| ${langs.length === all.length ? `all ${all.length} languages` : langs.join(" + ")} | ${kb(raw)} | ${kb(gz)} | ${kb(br)} |`);
}
console.log("| keksi.js with | raw | gzip -9 | brotli |\n|---|---:|---:|---:|\n" + rows.join("\n"));

// The knowledge as compiled in (comments stripped, as build.rs does).
console.log("\n| compiled-in data | entries | raw | gzip -9 |\n|---|---:|---:|---:|");
for (const f of ["trackers.tsv", "cookies.tsv", "storage.tsv"]) {
  const lines = readFileSync(join(root, "data", f), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  const [raw, gz] = sizes(Buffer.from(lines.join("\n") + "\n"));
  console.log(`| data/${f} | ${lines.length} | ${kb(raw)} | ${kb(gz)} |`);
}
for (const lang of ["en", "fi", "ar"]) {
  const [raw, gz] = sizes(readFileSync(join(root, "data/texts", `${lang}.json`)));
  console.log(`| data/texts/${lang}.json | 1 language | ${kb(raw)} | ${kb(gz)} |`);
}
