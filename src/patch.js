  // A realm's patches in one call from the WebAssembly (src/web/patch.rs `install`), where
  // each took ~8 calls across (reads, the Proxy, its handler, the WeakMap, the set): the
  // page's realm at start-up and each same-origin frame's again. `spec` is groups of
  // "<trap><kind><ctors> <names>/" (trap: the dispatch index, two digits), each name of
  // each ctor in turn: kind "m" replaces the function `realm[ctor].prototype[name]`
  // (`realm[name]` with no ctor), "s"/"g" the setter/getter of that accessor, each by a
  // Proxy whose `apply` is `dispatch` bound to the index, recorded in `originals` (for
  // Function.prototype.toString). What is missing is skipped. Returns the originals by
  // "ctor.name" (one key for both halves of an accessor: patch only one of them). Read
  // character by character: a frame may be patched after the page's scripts ran (see
  // below). No `eval` (a CSP forbids it).
  function keksiPatch(realm, spec, dispatch, originals) {
    // Nothing here a page's script can have changed by the time a frame is patched: no
    // string or array methods, no index writes to an array (an `Array.prototype[0]`
    // setter), no inherited keys on `out` (`__proto__: null`).
    var out = { __proto__: null }, n = spec.length, k = 0, i, kind, space, end, a, b, ctor, name;
    while (k < n) {
      i = +(spec[k] + spec[k + 1]);
      kind = spec[k + 2];
      for (space = k += 3; space < n && spec[space] != " "; space++);
      for (end = space; end < n && spec[end] != "/"; end++);
      // Each of the ctors before the space (none: one empty ctor, the realm itself) with
      // each of the names after it, both separated by ",".
      for (a = k; a <= space; a++) {
        for (ctor = ""; a < space && spec[a] != ","; ) ctor += spec[a++];
        for (b = space + 1; b <= end; b++) {
          for (name = ""; b < end && spec[b] != ","; ) name += spec[b++];
          patch(ctor, name);
        }
      }
      k = end + 1;
    }
    function patch(ctor, name) {
      try {
        var o = ctor ? realm[ctor].prototype : realm, key = kind == "m" ? name : kind == "s" ? "set" : "get";
        if (o == null || typeof o != "object" && typeof o != "function") return;
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
