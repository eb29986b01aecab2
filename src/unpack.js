  // keksi's WebAssembly arrives split into streams (unlzma/src/split.rs), LZMA-packed and
  // base64'd (~20 KB gzip less than inlined as it is) and is unpacked by a 3.7 KB
  // WebAssembly decoder (unlzma/) in its own memory: `m` bytes of split module, joined into
  // the `n` bytes of the module. The build inlines this function into the loader and runs
  // it for its round-trip check.
  function unpack(decoder, text, m, n) {
    var x = new WebAssembly.Instance(new WebAssembly.Module(decoder)).exports;
    var at = x.__heap_base.value, mem = x.memory, len = text.length;
    var pages = Math.ceil((at + len + m + n) / 65536) - mem.buffer.byteLength / 65536;
    if (pages > 0) mem.grow(pages);
    var view = new Uint8Array(mem.buffer, at, len), decoded = 0;
    // The browser's own base64 decoder where there is one (Chromium 140, Firefox 133,
    // Safari 18.2): ~0.1 ms, where the decoder's loop, run once in V8's baseline tier,
    // takes ~3.5 ms with the copy in. Elsewhere the text goes in as it is.
    if (view.setFromBase64) decoded = view.setFromBase64(text).written;
    else new TextEncoder().encodeInto(text, view);
    var out = x.unpack(at, len, m, n, decoded);
    if (!out) throw new Error("damaged WebAssembly data");
    return new Uint8Array(mem.buffer, out, n);
  }
