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
    new TextEncoder().encodeInto(text, new Uint8Array(mem.buffer, at, len));
    var out = x.unpack(at, len, m, n);
    if (!out) throw new Error("damaged WebAssembly data");
    return new Uint8Array(mem.buffer, out, n);
  }
