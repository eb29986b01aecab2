// The page behind the open dialog is inert, and a screen reader is told about the banner
// the moment it appears (focus moves onto the labelled region; its text is its description).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, assertKeksiBuilt, newPage, waitVisible, openFromLink, activeElement, BANNER, DIALOG, IS_FIREFOX, IS_WEBKIT } from './helpers.mjs';

let env;
before(async () => {
  assertKeksiBuilt();
  env = await setup();
});
after(async () => env?.teardown());

test('the page behind the open dialog is inert: no pointer hits, no Tab stop outside, not in the accessibility tree', async (t) => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    await openFromLink(p.page);
    await waitVisible(p.page, DIALOG);
    // Pointer: a point of the page outside the dialog belongs to keksi's host (the
    // dialog's backdrop), not to the page element painted there.
    const hit = await p.page.evaluate(() => {
      const at = document.elementFromPoint(4, 4);
      return { over: at && at.id, modal: document.getElementById('keksi').shadowRoot.querySelector('[data-keksi="preferences"]').matches(':modal') };
    });
    assert.equal(hit.modal, true, 'the dialog is a modal dialog (the rest of the page is inert)');
    assert.equal(hit.over, 'keksi', 'a click on the page lands on the backdrop, not on the page');
    // Keyboard: 30 Tabs never leave the dialog.
    for (let i = 0; i < 30; i++) {
      await p.page.keyboard.press('Tab');
      const a = await activeElement(p.page);
      assert.equal(a?.inDialog, true, `Tab #${i + 1} left the dialog: ${JSON.stringify(a)}`);
    }
    // Accessibility tree: with the modal open only the dialog is exposed. The browser's
    // own tree is readable through CDP only, so this part is Chromium's.
    if (IS_FIREFOX || IS_WEBKIT) {
      t.diagnostic('accessibility-tree part skipped outside Chromium: the tree is read through CDP (Chromium only)');
      return;
    }
    const cdp = await p.context.newCDPSession(p.page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const names = nodes.filter((n) => !n.ignored).map((n) => n.name?.value).filter(Boolean);
    assert.ok(names.some((n) => /Cookie preferences/.test(n)), 'the dialog is in the tree');
    assert.ok(!names.some((n) => /Handmade mugs/.test(n)), 'the page behind the modal is not in the tree');
  } finally {
    await p.close();
  }
});

test('a screen reader hears the banner on arrival: focus lands on a labelled, described region', async (t) => {
  const p = await newPage(env, '/');
  try {
    await waitVisible(p.page, BANNER);
    const a = await activeElement(p.page);
    assert.equal(a?.keksi, 'banner', `focus is not on the banner on arrival: ${JSON.stringify(a)}`);
    if (IS_FIREFOX || IS_WEBKIT) {
      t.diagnostic('accessibility-tree part skipped outside Chromium: the tree is read through CDP (Chromium only)');
      return;
    }
    const cdp = await p.context.newCDPSession(p.page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const focused = nodes.find(
      (n) => n.role?.value !== 'RootWebArea' && n.properties?.some((pr) => pr.name === 'focused' && pr.value?.value === true),
    );
    assert.ok(focused, 'a focused node in the accessibility tree');
    assert.equal(focused.role?.value, 'region', 'announced as a region');
    assert.equal(focused.name?.value, 'Cookie consent', 'with its label');
    assert.match(focused.description?.value ?? '', /We use cookies/, 'and its text as the description');
  } finally {
    await p.close();
  }
});
