// keksi.js loaded through the ES module wrapper (keksi.mjs), as a bundling site would:
// one copy of the WebAssembly, the same API, the same blocking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, assertKeksiBuilt, newPage, waitVisible, until, BANNER, paths } from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

test('ES module: keksi.mjs exports window.keksi, keksi.js is fetched once, marked scripts wait for consent', async () => {
  env.server.clear();
  const p = await newPage(env, '/fixtures/esm.html');
  try {
    await waitVisible(p.page, BANNER);
    const esm = await until(() => p.page.evaluate(() => window.__esm));
    assert.ok(esm, 'the module ran');
    assert.equal(esm.same, true, 'the default export is window.keksi');
    assert.match(esm.version, /^\d+\.\d+\.\d+/);
    assert.equal(paths(env.server, '/keksi.js').length, 1, 'one copy of keksi.js (and its WebAssembly)');
    assert.equal(await p.page.evaluate(() => window.__ran ?? 0), 0, 'nothing marked ran before consent');
    await p.page.evaluate(() => window.keksi.acceptAll());
    assert.ok(await until(() => p.page.evaluate(() => window.__ran === 1)), 'the marked script ran once after consent');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});
