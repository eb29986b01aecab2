#!/usr/bin/env node
// Lets playwright-core drive Debian's stock Firefox ESR over WebDriver BiDi (the
// "moz-firefox" channel). Playwright asks Firefox for `emulation.setMediaFeaturesOverride`
// on every new context; Firefox ESR 153 does not know that command yet and the context
// fails to open. This makes that one call best-effort (the only loss: colorScheme
// emulation, which the tests that need it skip in Firefox, saying so). Idempotent; run by
// `tools/keksi setup` after `npm ci`.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve("playwright-core/package.json")), "lib", "coreBundle.js");
const src = readFileSync(file, "utf8");
const call = /(send\("emulation\.setMediaFeaturesOverride", \{[^}]*\}[^}]*\}\))(;)/g;
const found = src.match(call) ?? [];
if (found.length === 0) {
  if (src.includes('setMediaFeaturesOverride", {') && src.includes("/*keksi: best effort*/")) {
    console.log("playwright-core already patched for Firefox ESR");
    process.exit(0);
  }
  console.error(`patch-playwright: the call to patch was not found in ${file}; did playwright-core change version?`);
  process.exit(1);
}
writeFileSync(file, src.replace(call, "$1.catch(() => {}) /*keksi: best effort*/$2"));
console.log(`playwright-core patched for Firefox ESR (${found.length} calls made best-effort)`);
