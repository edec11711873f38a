// What a person sees of the editor commands and the status bar: the keyless demo is switched on,
// a selection is explained, the answer streams into the answer view beside it, and the status bar's
// tooltip lists every model with its circuit. Screenshots land in test/ui/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  clearNotifications,
  closeSecondarySideBar,
  dismissQuickInput,
  runCommand,
  screenshot,
  statusBarItem,
  statusBarTooltip,
  webviewFrame,
} from './helpers.mjs';
import { uiSession } from './session.mjs';

const CODE =
  'function median(values) {\n  const sorted = [...values].sort((a, b) => a - b);\n  const middle = Math.floor(sorted.length / 2);\n  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;\n}\n';

describe('editor commands and status bar', function () {
  this.timeout(120_000);

  before(async () => {
    // The UI runner waits until the extension's commands reach the palette before any test.
    const { page } = uiSession();
    await runCommand(page, 'LLM Manager: Try Without Keys');
    await statusBarItem(page, { text: /Demo/ }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    const { page } = uiSession();
    await dismissQuickInput(page);
    await runCommand(page, 'LLM Manager: Stop Trying Without Keys');
    await runCommand(page, 'View: Close All Editors');
  });

  it('shows the chain in the status bar, with every model and its circuit in the tooltip', async () => {
    const { page } = uiSession();
    await closeSecondarySideBar(page);
    await clearNotifications(page);
    const item = statusBarItem(page, { text: /Demo/ });
    assert.match(await item.innerText(), /Demo · demo-openai · \$/);
    const tooltip = await statusBarTooltip(page, item);
    for (const model of ['demo-openai', 'demo-claude', 'demo-local'])
      assert.match(tooltip, new RegExp(model));
    assert.match(tooltip, /Circuit/);
    await screenshot(page, 'status-bar-tooltip');
    await page.mouse.move(700, 300);
  });

  it('explains a selection: the answer streams into the answer view beside the code, naming the model and its cost', async () => {
    const { page, server } = uiSession();
    // A real file in the workspace: typing would auto-close brackets, and closing an untitled
    // editor asks to save.
    fs.writeFileSync(path.join(server.workspace, 'median.js'), CODE);
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('median.js');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'median.js' }).first().click();
    await page.locator('.editor-instance .view-lines', { hasText: 'function median' }).waitFor();
    await page.locator('.editor-instance .view-lines', { hasText: 'function median' }).click();
    await page.keyboard.press('Control+A');
    await runCommand(page, 'LLM Manager: Explain Selection');
    // The answer view's page (tests of the view itself: answers.ui.test.mjs).
    const footer = webviewFrame(page).locator('.answer-footer', { hasText: 'Answered by' });
    await footer.waitFor({ timeout: 60_000 });
    assert.match(await webviewFrame(page).locator('.answer-title').innerText(), /Explain selection/);
    assert.match(await footer.innerText(), /Answered by demo-(openai|claude|local) · /);
    await clearNotifications(page);
    await screenshot(page, 'explain-selection-answer');
  });

  it('opens the routing trace of that request', async () => {
    const { page } = uiSession();
    await runCommand(page, 'LLM Manager: Show Routing Trace…');
    await page.locator('.quick-input-list .monaco-list-row').first().click();
    const trace = page.locator('.editor-instance .view-lines', { hasText: 'Routing trace' });
    await trace.waitFor({ timeout: 15_000 });
    assert.match((await trace.innerText()).replace(/\u00a0/g, ' '), /answered/);
    await screenshot(page, 'routing-trace');
  });
});
