// How keksi.js packs its WebAssembly: the code section split into streams of one kind
// (unlzma/src/split.rs), then `xz --format=lzma`. Shared by the build and by the tools that
// measure what a part of the module costs once packed.
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const unlzma = join(dirname(fileURLToPath(import.meta.url)), "..", "unlzma");
let built = false;

/** LZMA-"alone" stream of `bytes`: preset 9e, tuned for split WebAssembly (lc 2, lp 0, pb 0). */
export function pack(bytes) {
  return execFileSync("xz", ["--format=lzma", "--lzma1=preset=9e,lc=2,lp=0,pb=0,nice=273", "-c"],
    { input: bytes, maxBuffer: 1 << 30 });
}

/** `module` with its code section split into streams, as unlzma joins it back. */
export function split(module) {
  if (!built) {
    execFileSync("cargo", ["build", "-q", "--release", "--bin", "wasm-split"], { cwd: unlzma, stdio: "inherit" });
    built = true;
  }
  return execFileSync(join(unlzma, "target", "release", "wasm-split"), { input: module, maxBuffer: 1 << 30 });
}

/** What keksi.js carries for a module: split, then packed. */
export function packModule(module) {
  return pack(split(module));
}
