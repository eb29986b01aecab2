/*! keksi __VERSION__ | cookie consent in Rust/WebAssembly | MIT */
// The loader: decodes the WebAssembly inlined below, instantiates it synchronously
// (the parser is blocked on this script, so everything after it is already under
// keksi's control) and publishes window.keksi. If WebAssembly cannot start, keksi
// fails closed: nothing marked runs, the API answers "not allowed".
(function () {
  "use strict";
  var script = document.currentScript;
  var nonce = (script && script.nonce) || "";
  var NAMES = ["init", "acceptAll", "rejectAll", "accept", "allowed", "consent",
    "showBanner", "showPreferences", "hide", "reset", "cookies"];
/*GLUE*/
  function bytes(s) {
    var n = s.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function failClosed(err) {
    console.error("keksi: could not start (" + err + "). Nothing that needs consent will run. " +
      "If the page's Content-Security-Policy blocks WebAssembly, add 'wasm-unsafe-eval' to script-src.");
    var off = function () { return false; };
    var nothing = function () {};
    window.keksi = {
      version: "__VERSION__", init: off, acceptAll: nothing, rejectAll: nothing, accept: nothing,
      allowed: off, consent: function () { return null; }, showBanner: nothing,
      showPreferences: nothing, hide: nothing, reset: nothing, cookies: function () { return []; }
    };
  }
  try {
    wasm_bindgen.initSync({ module: new WebAssembly.Module(bytes("__WASM_BYTES__")) });
    var api = { version: wasm_bindgen.version() };
    for (var i = 0; i < NAMES.length; i++) api[NAMES[i]] = wasm_bindgen[NAMES[i]];
    window.keksi = api;
    wasm_bindgen.boot(nonce);
  } catch (e) {
    failClosed(e);
  }
})();
