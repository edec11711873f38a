// The workbench with the extension loaded. These hold before the extension contributes anything;
// the command check grows with package.json's contributes.commands.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/vscodeServer.mjs';
import {
  clearNotifications,
  closeSecondarySideBar,
  paletteCommands,
  screenshot,
  setColorTheme,
  statusBarItems,
} from './helpers.mjs';
import { uiSession } from './session.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

/**
 * Commands the palette always offers, with the title it shows. Those with a `when` clause in
 * menus.commandPalette depend on context (a selection, a running demo) and are left to their own tests.
 */
function paletteTitles() {
  const conditional = new Set(
    (manifest.contributes?.menus?.commandPalette ?? []).map((entry) => entry.command),
  );
  return (manifest.contributes?.commands ?? [])
    .filter((command) => !conditional.has(command.command))
    .map((command) => (command.category ? `${command.category}: ${command.title}` : command.title));
}

describe('workbench', () => {
  it('opens as an Extension Development Host of this repository', async () => {
    const { page, server } = uiSession();
    assert.match(await page.title(), /\[Extension Development Host\]/);
    assert.ok(
      server.serverOutput.some((line) => line.includes(`Loading development extension at ${REPO_ROOT}`)),
      `the server did not load ${REPO_ROOT}; its output:\n${server.tailOutput()}`,
    );
    const items = await statusBarItems(page);
    assert.ok(items.length > 0, 'the status bar has items');
  });

  it('offers every unconditional contributed command in the command palette', async function () {
    const titles = paletteTitles();
    if (titles.length === 0) this.skip(); // nothing contributed yet
    const { page } = uiSession();
    // One query shows most of them; look up the rest one by one (the list is virtualised).
    const offered = new Set(await paletteCommands(page, `${manifest.displayName}: `));
    const missing = [];
    for (const title of titles.filter((candidate) => !offered.has(candidate))) {
      if (!(await paletteCommands(page, title)).includes(title)) missing.push(title);
    }
    assert.deepEqual(missing, [], 'every contributed command is offered');
  });

  it('renders in the dark and light themes (screenshots)', async () => {
    const { page } = uiSession();
    await closeSecondarySideBar(page);
    await clearNotifications(page);
    await setColorTheme(page, 'dark');
    assert.ok(fs.existsSync(await screenshot(page, 'workbench-dark')));
    await setColorTheme(page, 'light');
    assert.ok(fs.existsSync(await screenshot(page, 'workbench-light')));
  });
});
