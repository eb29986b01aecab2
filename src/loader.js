/*! keksi __VERSION__ | cookie consent in Rust/WebAssembly | MIT */
// The loader: decodes the WebAssembly inlined below, instantiates it synchronously
// (the parser is blocked on this script, so everything after it is already under
// keksi's control) and publishes window.keksi. If WebAssembly cannot start, keksi
// fails closed: nothing marked runs, the API answers "not allowed".
(function () {
  "use strict";
  // On a server (a bundle rendered there) there is no page to govern.
  if (typeof document === "undefined") return;
  // Loaded twice (a classic tag and a bundle, or two tags): the first copy governs the
  // page; a second would start a second banner and a second state that the visitor's
  // choice never reaches.
  var running = window.keksi;
  if (running && typeof running.allowed === "function") {
    console.warn("keksi: loaded twice (" + running.version + ", then __VERSION__); the second copy does nothing.");
    return;
  }
  var script = document.currentScript;
  // As a module (or bundled into one) keksi has no currentScript: the page's nonce is on
  // its other scripts (one nonce per response), for the scripts keksi releases.
  var nonced = script ? null : document.querySelector("script[nonce]");
  var nonce = (script || nonced || {}).nonce || "";
  var NAMES = ["init", "acceptAll", "rejectAll", "accept", "allowed", "consent",
    "showBanner", "showPreferences", "hide", "reset", "cookies"];
/*GLUE*/
  // The decoder's WebAssembly from its base64: by the browser's own decoder where there is
  // one (as `unpack` does for the module), else by `atob` and a loop.
  function bytes(s) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(s);
    s = atob(s);
    var n = s.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = s.charCodeAt(i);
    return out;
  }
/*UNPACK*/
/*PATCH*/
  // Without the WebAssembly there is no tracker knowledge: hold every third-party
  // script, iframe and image added after this script, for good (no consent can be given).
  function holdThirdParty() {
    var nativeSet = Element.prototype.setAttribute, TAGS = /^(SCRIPT|IFRAME|IMG)$/;
    function third(url) {
      try {
        var u = new URL(String(url), document.baseURI); // a <base href> may point anywhere
        return (u.protocol === "http:" || u.protocol === "https:") && u.origin !== location.origin;
      } catch (e) { return false; }
    }
    function hold(el, url) {
      if (el.tagName === "SCRIPT") nativeSet.call(el, "type", "text/plain");
      nativeSet.call(el, "data-keksi-held", url);
      el.removeAttribute("src");
    }
    ["HTMLScriptElement", "HTMLIFrameElement", "HTMLImageElement"].forEach(function (name) {
      var proto = window[name] && window[name].prototype;
      var d = proto && Object.getOwnPropertyDescriptor(proto, "src");
      if (!d || !d.set) return;
      Object.defineProperty(proto, "src", { configurable: true, enumerable: d.enumerable, get: d.get,
        set: function (v) { if (third(v)) hold(this, String(v)); else d.set.call(this, v); } });
    });
    Element.prototype.setAttribute = function (n, v) {
      if (String(n).toLowerCase() === "src" && TAGS.test(this.tagName) && third(v)) return hold(this, String(v));
      return nativeSet.apply(this, arguments);
    };
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) return;
          var list = [n].concat([].slice.call(n.querySelectorAll("script[src],iframe[src],img[src]")));
          list.forEach(function (el) {
            var src = el.getAttribute("src");
            if (src && TAGS.test(el.tagName) && third(src)) hold(el, src);
          });
        });
      });
    }).observe(document, { childList: true, subtree: true });
  }
  function failClosed(err) {
    try { holdThirdParty(); } catch (e) { /* keep the page working */ }
    console.error("keksi: could not start (" + err + "). Nothing that needs consent will run. " +
      "If the page's Content-Security-Policy blocks WebAssembly, add 'wasm-unsafe-eval' to script-src.");
    // The API's names (NAMES) in their order, each doing nothing: `init` and `allowed`
    // answer false, `consent` null, `cookies` an empty list.
    var off = function () { return false; };
    var answers = { init: off, allowed: off, consent: function () { return null; }, cookies: function () { return []; } };
    var nothing = function () {};
    var api = { version: "__VERSION__" };
    NAMES.forEach(function (name) { api[name] = answers.hasOwnProperty(name) ? answers[name] : nothing; });
    window.keksi = api;
  }
  try {
    wasm_bindgen.initSync({ module: new WebAssembly.Module(unpack(bytes("__UNLZMA__"), "__WASM_LZMA__", __SPLIT_SIZE__, __WASM_SIZE__)) });
    var api = { version: "__VERSION__" }; // the crate's version, written in by the build
    for (var i = 0; i < NAMES.length; i++) api[NAMES[i]] = wasm_bindgen[NAMES[i]];
    window.keksi = api;
    // Google's own gtag: Consent Mode needs `arguments` objects, not arrays.
    wasm_bindgen.boot(nonce, function gtag() { window.dataLayer.push(arguments); });
  } catch (e) {
    failClosed(e);
  }
})();
