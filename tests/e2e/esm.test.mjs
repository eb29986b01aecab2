// keksi.js loaded through the ES module wrapper (keksi.mjs), as a bundling site would:
// one copy of the WebAssembly, the same API, the same blocking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, assertKeksiBuilt, newContext, newPage, waitVisible, isVisible, until, BANNER, btn, paths } from './helpers.mjs';

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

test('ES module + keksi.init(): the config applies before anything is decided — a consented analytics cookie survives, the consented script runs', async () => {
  const context = await newContext(env.browser);
  const ts = (Date.now() - 60_000).toString(36);
  await context.addCookies([
    { url: env.server.url + '/', name: 'keksi_consent', value: `1|3|${ts}|0123456789abcdef0123456789abcdef|custom|necessary+analytics|` },
    { url: env.server.url + '/', name: '_ga', value: 'GA1.1.123456789.1700000000' },
  ]);
  const p = await newPage(env, '/fixtures/esm-init.html', { context });
  try {
    assert.ok(await until(() => p.page.evaluate(() => window.__ran === 1)), 'the script consented to (under revision 3) ran');
    assert.equal(await p.page.evaluate(() => window.keksi.allowed('analytics')), true);
    assert.equal(await isVisible(p.page, BANNER), false, 'no banner: the stored choice is valid under init()\'s revision');
    const jar = (await context.cookies()).map((c) => c.name);
    assert.ok(jar.includes('_ga'), `the consented _ga cookie was deleted (swept on the default config before init): ${jar}`);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
    await context.close();
  }
});

test('ES module under a nonce CSP: the scripts keksi releases get the page\'s nonce (a module has no currentScript)', async () => {
  const p = await newPage(env, '/fixtures/esm-nonce.html');
  try {
    await waitVisible(p.page, BANNER);
    assert.equal(await p.page.evaluate(() => window.__esm), true, 'the module ran');
    await p.page.evaluate(() => window.keksi.acceptAll());
    assert.ok(await until(() => p.page.evaluate(() => window.__ran === 1)), `the marked inline script did not run: ${JSON.stringify(p.unexpectedErrors())}`);
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('keksi loaded twice (two tags and a bundle): one keksi governs the page, one banner, one ready event, a warning', async () => {
  const p = await newPage(env, '/fixtures/double.html');
  try {
    await waitVisible(p.page, BANNER);
    assert.ok(await until(() => p.page.evaluate(() => window.__same !== undefined)), 'the module ran');
    assert.equal(await p.page.evaluate(() => window.__same), true, 'the module\'s export is not the keksi governing the page');
    assert.equal(await p.page.evaluate(() => document.querySelectorAll('#keksi').length), 1, 'more than one keksi UI');
    assert.equal(await p.page.evaluate(() => window.__readies), 1, 'keksi:ready more than once');
    const warned = p.console.filter((m) => m.type === 'warning' && /loaded twice/.test(m.text));
    assert.equal(warned.length, 2, `one warning per extra copy: ${JSON.stringify(p.console)}`);
    await p.page.locator(btn(BANNER, 'accept-all')).click();
    assert.ok(await until(() => p.page.evaluate(() => window.__ran === 1)), 'the marked script did not run after accept');
    assert.equal(await isVisible(p.page, BANNER), false, 'a banner is still showing after accept');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await p.page.evaluate(() => window.__ran), 1, 'the marked script ran more than once');
    assert.deepEqual(p.unexpectedErrors(), []);
  } finally {
    await p.close();
  }
});

test('on a server (a bundle rendered in Node), importing keksi does nothing and exports undefined', async () => {
  const url = new URL('../../www/keksi.mjs', import.meta.url);
  const mod = await import(url.href);
  assert.equal(mod.default, undefined);
  assert.equal(globalThis.keksi, undefined);
});
