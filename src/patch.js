  // A realm's patches in one call from the WebAssembly (src/web/patch.rs `install`), where
  // each took ~8 calls across (reads, the Proxy, its handler, the WeakMap, the set): the
  // page's realm at start-up and each same-origin frame's again. `spec` is groups of
  // "<trap><kind><ctors> <names>/" (trap: the dispatch index, two digits), each name of
  // each ctor in turn: kind "m" replaces the function `realm[ctor].prototype[name]`
  // (`realm[name]` with no ctor), "s"/"g" the setter/getter of that accessor, each by a
  // Proxy whose `apply` is `dispatch` bound to the index, recorded in `originals` (for
  // Function.prototype.toString). What is missing is skipped. Returns the originals by
  // "ctor.name". Read by index, without `split` or `forEach`: a frame may be patched after
  // the page's scripts ran, and they may have replaced those. No `eval` (a CSP forbids it).
  function keksiPatch(realm, spec, dispatch, originals) {
    var out = {}, k = 0, c, i, kind, lists, list, word, x, y;
    while (k < spec.length) {
      i = +(spec[k] + spec[k + 1]);
      kind = spec[k + 2];
      k += 3;
      lists = [list = [], []];
      word = "";
      while (k < spec.length && (c = spec[k++]) != "/") {
        if (c == "," || c == " ") {
          list[list.length] = word;
          word = "";
          if (c == " ") list = lists[1];
        } else word += c;
      }
      list[list.length] = word;
      for (x = 0; x < lists[0].length; x++) for (y = 0; y < list.length; y++) patch(lists[0][x], list[y]);
    }
    function patch(ctor, name) {
      try {
        var o = ctor ? realm[ctor].prototype : realm, key = kind == "m" ? name : kind == "s" ? "set" : "get";
        if (Object(o) !== o) return;
        var d = kind == "m" ? o : Object.getOwnPropertyDescriptor(o, name), f = d && d[key];
        if (typeof f != "function") return;
        var p = new Proxy(f, { apply: dispatch.bind(undefined, i) });
        originals.set(p, f);
        Reflect.set(d, key, p);
        if (d !== o) Object.defineProperty(o, name, d);
        out[ctor + "." + name] = f;
      } catch (e) { /* skipped, as a missing one */ }
    }
    return out;
  }
