// Adding a model the guided way: the palette's "Add Model…" asks for the provider, the model and a
// name, writes llmManager.models, and the status bar shows the new model at once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { clearNotifications, reloadWindow, runCommand, screenshot, statusBarItem } from './helpers.mjs';
import { uiSession } from './session.mjs';

const QUICK_INPUT = '.quick-input-widget';

describe('adding a model', function () {
  this.timeout(90_000);
  let savedSettings;

  before(() => {
    savedSettings = fs.readFileSync(uiSession().server.settingsFile, 'utf8');
  });

  after(async () => {
    // Put the user settings back and reload, so later tests start without the added model.
    const { server, page } = uiSession();
    fs.writeFileSync(server.settingsFile, savedSettings);
    await reloadWindow(page);
  });

  it('adds a local Ollama model from the palette, and the status bar shows it', async () => {
    const { page, server } = uiSession();
    await runCommand(page, 'LLM Manager: Add Model…');
    await page.locator(`${QUICK_INPUT} input`).fill('Ollama');
    await page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: 'Ollama' }).first().click();
    // The model id, then the name in LLM Manager: both come suggested.
    const input = page.locator(`${QUICK_INPUT} input`);
    await page.waitForFunction(
      () => document.querySelector('.quick-input-widget input')?.value === 'llama3.2',
    );
    await input.press('Enter');
    await page.waitForFunction(() =>
      (document.querySelector('.quick-input-widget .quick-input-message')?.textContent ?? '').includes(
        'short name',
      ),
    );
    await input.press('Enter');
    const item = statusBarItem(page, { text: /llama3\.2/ });
    await item.waitFor({ timeout: 15_000 });
    assert.match(await item.innerText(), /llama3\.2 · \$0/);
    const settings = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'));
    assert.deepEqual(settings['llmManager.models'], [
      { id: 'llama3.2', provider: 'openaiCompatible', model: 'llama3.2', preset: 'ollama' },
    ]);
    await clearNotifications(page);
    await screenshot(page, 'add-model');
  });
});
