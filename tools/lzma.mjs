// How keksi.js packs its WebAssembly (`xz --format=lzma`), shared by the build and by the
// tools that measure what a part of the module costs once packed.
import { execFileSync } from "node:child_process";

/** LZMA-"alone" stream of `bytes`: preset 9e, tuned for WebAssembly (lc 3, lp 0, pb 0). */
export function pack(bytes) {
  return execFileSync("xz", ["--format=lzma", "--lzma1=preset=9e,lc=3,lp=0,pb=0,nice=273", "-c"],
    { input: bytes, maxBuffer: 1 << 30 });
}
