#!/usr/bin/env node
// Fails when keksi.js grows past its budgets: every visitor pays each KB.
//
//   - www/keksi.js (all 15 languages, what `tools/keksi build` ships): a ratchet at
//     today's size plus a little headroom, lowered whenever the file shrinks, so no change
//     can quietly add weight;
//   - keksi.js with English and Finnish (KEKSI_LANGUAGES=en,fi, built here: the languages
//     the foundation issue builds in): the foundation's budget is 80 KB gzip; since the
//     eleventh session a ratchet 0.3 KB above it (see below). The product goal is 30 KB
//     (English only); see the README's Size section for where the bytes go and what is
//     left to cut.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const KB = 1024;
const kb = (n) => (n / KB).toFixed(1) + " KB";
const gzip = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
let failed = false;
function check(what, file, ceiling, hint) {
  const gz = gzip(file);
  console.log(`${what}: ${kb(gz)} gzip -9 (ceiling ${kb(ceiling)}, product goal 30 KB)`);
  if (gz > ceiling) {
    console.error(`${what} grew past ${kb(ceiling)}: ${hint}`);
    failed = true;
  }
}

// 87.5 → 88.0 KB on 2026-11-27 for relative URLs resolved against the document's base URL
// (a <base href> on a tracker host was a way past the blocker): +0.2 KB, on purpose.
// 88.0 → 84.5 KB the same day: the code section split into streams before packing;
// → 83.5 KB: core's panic-only formatting code dropped (tools/panic-paths.mjs).
// → 82.8 KB (next session): unchecked casts where the type is certain, glue branches never
// taken, one querySelectorAll; the parsed-iframe fix of that session paid for out of them.
// → 83.8 KB (fifth session, on purpose): +0.9 KB for correctness found by review —
// patched methods re-entrant and throwing what the browser throws (Result from one
// dispatching Fn closure, a String() import), keksi.init() pushing Consent Mode again,
// the script queue not stalling, more insertion methods wrapped; → 84.3 KB: Trusted Types
// (keksi's policy; the page's trusted values passed on as they came), +0.6 KB; → 85.1 KB:
// the review's cookie, queue, XMLHttpRequest and shadow-root fixes, +0.8 KB; → 85.4 KB:
// held iframes stay under their parent, hidden by a document stylesheet, +0.3 KB; → 85.6 KB:
// the held list deduplicated and the narrower innerHTML check (fewer inert parses), +0.1 KB;
// → 86.2 KB: the last review's fixes (shadow roots filled while detached, Range.insertNode,
// held iframes hidden inline too and followed by their placeholder, cookie values trimmed
// and read as browsers do), +0.6 KB.
// → 87.7 KB (sixth session, on purpose): same-origin frames' realms patched like the page's
// (src/web/frames.rs: a friendly about:blank iframe's own fetch, sendBeacon, XHR, DOM
// methods, document.cookie and storage were a way past the blocker and the cookie guard;
// srcdoc cleaned like document.write), +1.5 KB; → 89.2 KB: HTML strings written as the page
// wrote them with only the held trackers' start tags rewritten (core::tags), which a review
// showed the serialised parse breaking (editor frames in quirks mode, tables, a head's
// noscript pixel sent after consent, writes left open), trackers in declarative shadow
// roots held, the frames review's fixes, +1.8 KB; wasm-opt --low-memory-unused, -0.25 KB;
// → 89.3 KB: <object>/<frame> documents and windows opened on about:blank patched too, +0.1 KB.
// → 87.7 KB (eighth session): iterator adapter chains written as loops and no UTF-8
// re-validation of text already held as UTF-8 (-3.1 KB), paying for the governance, API,
// keyboard and coercion fixes of three reviews (+1.4 KB).
// → 88.3 KB (ninth session): a review of marking and release, and one of the README against
// the code: a released script's document.write written in place instead of wiping the page
// (+0.3 KB), elements marked with their real URL held, queued scripts dropped on withdrawal,
// the placeholder's Allow naming what it allows (and a warning), surroundContents and the
// table/body setters wrapped, UET's queue made (+0.4 KB).
// → 89.3 KB (tenth session): DOMContentLoaded/load listeners of released scripts called
// (stand-in targets, +0.8 KB), a double load guarded, the module nonce, the async release
// time limit (+0.1 KB).
// → 89.6 KB (eleventh session, on purpose): tracker entries with a path (Google Maps'
// www.google.com/maps/embed, Bing Maps, LinkedIn embeds, Google Ads' /pagead/ pixels: the
// most common map embed was not held at all), the held iframe's placeholder naming its
// vendor, the warning naming trackers above keksi.js, +0.85 KB; paid in part by one
// globalThis import, one closure type for when_parsed, JSON key tables and js-sys's
// unused futures executor dropped (-0.55 KB).
// → 88.3 KB (twelfth session): wasm-bindgen's glue for string and optional-object returns
// through one helper each, imports with the same glue shared, and a helper's measured WASM
// cuts (plain property reads instead of an import per getter, one helper per ignored
// DOM call, core's generic integer parser and split searchers replaced), -1.4 KB.
// → 85.8 KB (thirteenth session): lists walked by reference instead of consumed, adapter
// chains as loops, one closure type for the UI's listeners and for when_parsed (-2.0 KB);
// panic-only data blanked (tools/panic-data.mjs), the decoder through wasm-opt, glue
// branches keksi never takes dropped (-0.5 KB).
// → 84.0 KB (fourteenth session): byte-wise string helpers instead of core's char
// searchers, getters as plain properties, one borrow path for state (-1.6 KB); unused
// closure invoke shims trapped (tools/closure-invokes.mjs), coded cookie columns (-0.4 KB);
// keksi's markup through the native innerHTML setter, setFromBase64 (+0.2 KB).
// → 82.6 KB (fifteenth session): ASCII trims instead of str::trim, byte-wise escaping,
// repeated vendors and categories left out of the compiled-in knowledge, one storage and
// cookie table reader (-0.6 KB); the browser layer's repeated attribute, tag, property
// and gtag calls written once, plain === tests instead of copies (-0.55 KB).
// → 82.7 KB (sixteenth session's bug hunt, on purpose): 82.43 → 82.69 KB for five fixes,
// each measured alone: config trackers hosts that could never match rejected (+153 B),
// keksi.init with an object JSON cannot hold reported (+39 B), config cookie names that
// could never match rejected (+46 B), "1 day" in 15 languages (+23 B), a built-in service
// following the category the config declares it in (+6 B); then a Global Privacy Control
// sent after an earlier choice winning over it (+194 B en+fi).
// → 82.3 KB (sixteenth session): panic-only messages and the digit table blanked, boot's
// nonce as a JsValue, texts looked up by index, escaping straight into the builder
// (-511 B en+fi); a realm's patches installed by one call of src/patch.js (-85 B).
// → 82.4 KB (seventeenth session's bug hunt in blocking and release, on purpose): 84,275 →
// 84,372 B for four fixes, each measured alone en+fi: fetch judging a Request by
// Request.prototype's url getter (+60 B), a held element given a URL that is no tracker
// held no more (+27 B), tracker scripts and then iframes let through under a stored
// choice noted, so that withdrawing it reloads (+79 B, then -20 B).
// → 83.6 KB (eighteenth session, on purpose): 84,318 → 85,500 B for behaviour, each
// measured alone en+fi: a choice made, withdrawn or cleared in another tab (and a bfcache
// restore) followed when the page is shown again (+559 B, +44 B from the review); a tag
// the page marked on a tracker host waiting for both categories (+286 B, +35 B from the
// review; its data-src form too, +72 B all languages) and its placeholder naming both
// (+90 B); keksi's own cookie row showing its real lifetime (+100 B); cookieStore.set's
// maxAge capped, names trimmed, `//` paths deleted, expires with maxAge rejected (+136 B);
// reset() with no choice firing nothing and deleting the cookie (+27 B, +39 B).
// → 83.9 KB (nineteenth session, on purpose): 85,441 → 85,796 B for three fail-opens of
// the blocker, each measured alone en+fi: an image waiting for every tracker its src and
// srcset name (+238 B), a frameset's <frame> held (+45 B), a <picture>'s <source srcset>
// held (+33 B); a review's two mends, released elements keeping their marks (-25 B) and an
// image's later own src kept for its release (+29 B); then, with the rest of the session:
// 57 cookie and 4 storage entries only a vendor's own domain or frame holds dropped (-729 B
// English only), cookie deletion at every path a page can see (-34 B), a declared duration
// past 365 days shown capped (+563 B, the review's mends +26 B), the banner's text
// scrolling above its buttons (+90 B), cookie-list toggles named with their category and
// the modal backdrop in forced colours (+70 B): 85,686 B.
check("www/keksi.js, all languages", new URL("../www/keksi.js", import.meta.url).pathname, 83.9 * KB,
  "find the bytes (twiggy) before raising the ratchet");
const enFi = new URL("../target/size/keksi.en-fi.js", import.meta.url).pathname;
execFileSync("node", [new URL("build.mjs", import.meta.url).pathname, "--out", enFi],
  { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, KEKSI_LANGUAGES: "en,fi" } });
// 80.0 → 80.3 KB (eleventh session): what the default file's note above says; 0.17 KB
// over the foundation's 80 KB. Back to 80 in the twelfth session (78.7 KB after its cuts).
check("keksi.js, English + Finnish", enFi, 80 * KB, "the foundation's budget is 80 KB gzip");
if (failed) process.exit(1);
