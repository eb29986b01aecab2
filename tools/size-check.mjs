#!/usr/bin/env node
// Fails when www/keksi.js grows past its gzip budget (every visitor pays each KB).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP = 80 * 1024; // issue #2 ceiling; the product goal is 30 KB
const gz = gzipSync(readFileSync(new URL("../www/keksi.js", import.meta.url)), { level: 9 }).length;
console.log(`keksi.js gzip -9: ${(gz / 1024).toFixed(1)} KB (budget ${(BUDGET_GZIP / 1024).toFixed(0)} KB)`);
if (gz > BUDGET_GZIP) {
  console.error("keksi.js is over its size budget");
  process.exit(1);
}
