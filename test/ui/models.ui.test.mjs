// Adding a model the guided way: the palette's "Add Model…" asks for the provider, lists the models
// the provider really serves (with the stored key, joined with the catalog's prices), asks for a
// name, writes llmManager.models, and the status bar shows the new model at once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearNotifications, reloadWindow, runCommand, screenshot, statusBarItem } from './helpers.mjs';
import { uiSession } from './session.mjs';

const QUICK_INPUT = '.quick-input-widget';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Waits until the quick input says `text` (its prompt or placeholder). */
async function quickInputSays(page, text) {
  await page.waitForFunction(
    (wanted) => {
      const widget = document.querySelector('.quick-input-widget');
      const input = widget?.querySelector('input');
      const said = `${widget?.querySelector('.quick-input-message')?.textContent ?? ''} ${input?.getAttribute('placeholder') ?? ''} ${input?.getAttribute('aria-label') ?? ''}`;
      return said.includes(wanted);
    },
    text,
    { timeout: 20_000 },
  );
}

/** Waits until the user settings hold a model named `id` (VS Code writes them a moment later). */
async function waitForModelInSettings(file, id) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const models = JSON.parse(fs.readFileSync(file, 'utf8'))['llmManager.models'] ?? [];
    if (models.some((m) => m.id === id)) return;
    assert.ok(Date.now() < deadline, `${id} never reached the settings`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('adding a model', function () {
  this.timeout(120_000);
  let savedSettings;
  let upstream;

  before(async () => {
    savedSettings = fs.readFileSync(uiSession().server.settingsFile, 'utf8');
    const { startFaultUpstream } = await import(path.join(ROOT, 'out', 'src', 'demo', 'faultUpstream.js'));
    upstream = await startFaultUpstream();
  });

  after(async () => {
    // Put the user settings back and reload, so later tests start without the added models.
    const { server, page } = uiSession();
    fs.writeFileSync(server.settingsFile, savedSettings);
    await reloadWindow(page);
    await upstream?.close();
  });

  it("lists the endpoint's real models with their catalog prices, newest first, and adds the one picked", async () => {
    const { page, server } = uiSession();
    await runCommand(page, 'LLM Manager: Add Model…');
    const input = page.locator(`${QUICK_INPUT} input`);
    await input.fill('Another OpenAI-compatible');
    await page
      .locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: 'Another OpenAI-compatible endpoint' })
      .first()
      .click();
    await quickInputSays(page, 'Base URL');
    await input.fill(`${upstream.url}/v1`);
    await input.press('Enter');

    // No key yet: the wizard offers to set it before listing (as a toast, or in the notification
    // center when the headless window shows no toasts).
    const offer = page.locator('.notification-list-item', { hasText: 'To list the models at' }).first();
    const toast = await offer.waitFor({ timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    if (!toast) await runCommand(page, 'Notifications: Show Notifications');
    await offer.waitFor({ timeout: 15_000 });
    await screenshot(page, 'add-model-needs-key');
    await offer.locator('.monaco-button', { hasText: 'Set API Key' }).click();
    await quickInputSays(page, 'API key');
    await input.fill('sk-ui-test-0000000000000000');
    await input.press('Enter');

    // The provider's list, joined with the catalog.
    await quickInputSays(page, 'newest first');
    const rows = page.locator(`${QUICK_INPUT} .monaco-list-row`);
    await rows.nth(2).waitFor();
    const texts = await rows.allInnerTexts();
    assert.match(texts[0], /Type a model id/);
    const gpt = texts.find((t) => /gpt-5\.6/.test(t));
    assert.ok(gpt, `gpt-5.6 is listed: ${texts.slice(0, 8).join(' | ')}`);
    assert.match(gpt, /\$\d+(\.\d+)? \/ \$\d+(\.\d+)? per M tokens/);
    assert.match(
      await page.locator(`${QUICK_INPUT} input`).getAttribute('placeholder'),
      /prices: catalog of \d{4}-\d{2}-\d{2}/,
    );
    await screenshot(page, 'add-model-list');
    await input.fill('gpt-5.6-sol');
    await page.waitForTimeout(300);
    const filtered = await rows.allInnerTexts();
    const exact = filtered.findIndex((text) => /^gpt-5\.6-sol(?![\w.-])/.test(text));
    assert.ok(exact >= 0, `gpt-5.6-sol among ${filtered.join(' | ')}`);
    await rows.nth(exact).click();

    await quickInputSays(page, 'short name');
    await input.fill('team-gpt');
    await screenshot(page, 'add-model-name');
    await input.press('Enter');
    const item = statusBarItem(page, { text: /team-gpt/ });
    await item.waitFor({ timeout: 15_000 });
    await waitForModelInSettings(server.settingsFile, 'team-gpt');
    const settings = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'));
    assert.deepEqual(
      settings['llmManager.models'].find((m) => m.id === 'team-gpt'),
      { id: 'team-gpt', provider: 'openaiCompatible', baseUrl: `${upstream.url}/v1`, model: 'gpt-5.6-sol' },
    );
    await clearNotifications(page);
    // The result: the new model first in the status bar, its row in the tooltip.
    await item.hover();
    const hover = page.locator('.monaco-hover.workbench-hover, .workbench-hover').last();
    await hover.filter({ hasText: 'team-gpt' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'add-model');
    await page.mouse.move(700, 300);
  });

  it('adds a local Ollama model by its suggested id when the server cannot be reached', async () => {
    const { page, server } = uiSession();
    await runCommand(page, 'LLM Manager: Add Model…');
    const input = page.locator(`${QUICK_INPUT} input`);
    await input.fill('Ollama');
    await page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: 'Ollama' }).first().click();
    // Nothing listens on Ollama's port here: the wizard says so and asks for the id, suggested.
    await quickInputSays(page, 'Model id at Ollama');
    const suggested = await input.inputValue();
    assert.ok(suggested.length > 0, 'a model id is suggested');
    await input.press('Enter');
    await quickInputSays(page, 'short name');
    await input.press('Enter');
    await waitForModelInSettings(server.settingsFile, suggested);
    const settings = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'));
    assert.deepEqual(
      settings['llmManager.models'].find((m) => m.preset === 'ollama'),
      { id: suggested, provider: 'openaiCompatible', preset: 'ollama', model: suggested },
    );
    await clearNotifications(page);
  });
});
