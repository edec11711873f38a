// What a new user sees before running anything: a fresh window (its own browser profile, no
// command run) shows the LLM Manager status-bar item once the workbench has started, inviting
// set-up. Screenshots in the dark, light and high-contrast themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { screenshot, setColorTheme, statusBarItem, statusBarItems, statusBarTooltip } from './helpers.mjs';
import { uiSession } from './session.mjs';

/** The item's element id: `<extension id>.<item id>` (statusBar.ts creates `llmManager.status`). */
const STATUS_ITEM_ID = 'llm-manager.llm-manager.llmManager.status';

describe('status bar at startup', function () {
  this.timeout(180_000);
  let context;
  let page;
  let savedSettings;

  before(async () => {
    const { server } = uiSession();
    // The theme picker writes the user settings every window shares: put them back afterwards.
    savedSettings = fs.readFileSync(server.settingsFile, 'utf8');
    context = await server.newContext();
    page = await server.openWorkbench(context);
  });

  after(async () => {
    await context?.close().catch(() => {});
    fs.writeFileSync(uiSession().server.settingsFile, savedSettings);
  });

  it('shows the LLM Manager item with its set-up icon before any command runs', async () => {
    const item = statusBarItem(page, { id: STATUS_ITEM_ID });
    await item.waitFor({ timeout: 30_000 }).catch(async () => {
      assert.fail(`no ${STATUS_ITEM_ID} among ${JSON.stringify(await statusBarItems(page))}`);
    });
    assert.equal((await item.innerText()).trim(), 'LLM Manager: set up');
    assert.equal(await item.locator('.codicon-gear').count(), 1, 'the gear icon');
    assert.match(await statusBarTooltip(page, item), /No models configured yet\./);
  });

  for (const theme of ['dark', 'light', 'highContrast']) {
    const name = theme === 'highContrast' ? 'hc' : theme;
    it(`renders the item in the ${theme} theme (status-bar-startup-${name}.png)`, async () => {
      await setColorTheme(page, theme);
      const item = statusBarItem(page, { id: STATUS_ITEM_ID });
      await item.waitFor();
      // Nothing is wrong yet: no warning or error background behind the gear.
      assert.deepEqual(
        await item.evaluate((el) => ['warning-kind', 'error-kind'].filter((c) => el.classList.contains(c))),
        [],
      );
      // For a clean picture: the workbench's own "Activating Extensions…" entry goes a moment later.
      await page
        .locator('.part.statusbar .statusbar-item', { hasText: /Activating Extensions/ })
        .waitFor({ state: 'hidden', timeout: 20_000 })
        .catch(() => {});
      assert.ok(fs.existsSync(await screenshot(page, `status-bar-startup-${name}`)));
    });
  }
});
