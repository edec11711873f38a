// The metrics sidebar and dashboard as a person sees them: the first-run set-up, the keyless demo
// with a circuit that opens for real (demo-openai fails in bursts), a reset from the card, the
// dashboard's charts and routing traces, isolate / re-enable, a view that survives being hidden,
// and screenshots in the dark and light themes (test/ui/screenshots/metrics-*.png).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/vscodeServer.mjs';
import {
  clearNotifications,
  closeSecondarySideBar,
  dismissQuickInput,
  openViewContainer,
  paletteCommands,
  reloadWindow,
  runCommand,
  screenshot,
  setColorTheme,
  statusBarItem,
} from './helpers.mjs';
import { uiSession } from './session.mjs';

/**
 * The content frame of a metrics webview, found by what it is (`<body data-surface>`) rather than
 * by position: the sidebar view and the dashboard panel are both on screen, and VS Code moves
 * webview iframes around. Looked up afresh each time, since a hidden view's frame is dropped.
 */
async function metricsFrame(page, surface, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame
        .locator(`body[data-surface="${surface}"] .block`)
        .count()
        .catch(() => 0);
      if (found > 0) return frame;
    }
    if (Date.now() > deadline)
      throw new Error(`No ${surface} webview with content appeared within ${timeout / 1000} s.`);
    await page.waitForTimeout(200);
  }
}

/** How many dashboard pages are loaded (there must never be two). */
async function countSurfaces(page, surface) {
  let count = 0;
  for (const frame of page.frames()) {
    if (
      !frame.isDetached() &&
      (await frame
        .locator(`body[data-surface="${surface}"]`)
        .count()
        .catch(() => 0)) > 0
    )
      count++;
  }
  return count;
}

/** A model's card and what it says, read from the rendered DOM. */
function cardOf(frame, model) {
  return frame.locator(`article.card[data-model="${model}"]`);
}

async function readCard(frame, model) {
  const card = cardOf(frame, model);
  await card.waitFor({ timeout: 15_000 });
  const stat = async (label) =>
    (
      await card
        .locator('.card-stat', { has: frame.locator(`dt:text-is("${label}")`) })
        .locator('dd')
        .innerText()
    ).trim();
  return {
    circuit: await card.getAttribute('data-circuit'),
    circuitText: (await card.locator('.circuit-text').innerText()).trim(),
    requests: await stat('Requests'),
    today: await stat('Today'),
    success: await stat('Success'),
  };
}

/** Waits until a model's card shows one of `states` (e.g. `['open', 'halfOpen']`). */
async function waitForCircuit(page, surface, model, states, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const frame = await metricsFrame(page, surface);
    const state = await cardOf(frame, model)
      .getAttribute('data-circuit', { timeout: 5_000 })
      .catch(() => undefined);
    if (states.includes(state)) return frame;
    if (Date.now() > deadline)
      throw new Error(`${model}'s circuit stayed "${state}" (wanted ${states.join(' or ')})`);
    await page.waitForTimeout(200);
  }
}

/**
 * Sets number settings through the Settings editor, as a user would (the settings.json the server
 * was started with is not re-read by a running workbench), then closes the editor.
 */
async function setNumberSettings(page, values) {
  const { server } = uiSession();
  await runCommand(page, 'Preferences: Open User Settings');
  const search = page.locator('.settings-editor .search-container');
  await search.waitFor({ timeout: 20_000 });
  for (const [key, value] of Object.entries(values)) {
    await search.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(key);
    const input = page.locator(`.settings-editor input[aria-label="${key}"]`);
    await input.waitFor({ timeout: 15_000 });
    await input.fill(String(value));
    // The editor writes a typed value a second later, and a change of another setting meanwhile
    // replaces that pending write: wait until this one is saved before typing the next.
    await waitForUserSetting(server, key, value);
  }
  // Leave the last input for the search box. Tabbing on lands on the row's "More Actions"
  // button, which takes focus back from the command palette at once.
  await search.click();
  await runCommand(page, 'View: Close Editor');
  await page.locator('.settings-editor').waitFor({ state: 'detached', timeout: 10_000 });
}

/** The default of one of this extension's settings, from its manifest. */
function settingDefault(key) {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  return manifest.contributes.configuration.properties[key]?.default;
}

/**
 * Waits until the user settings file holds `value` for `key` (the Settings editor removes a key
 * set to its default, so then an absent key counts).
 */
async function waitForUserSetting(server, key, value, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let saved;
    try {
      saved = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'))[key] ?? settingDefault(key);
    } catch {
      // Caught between the editor's truncate and write; read again.
    }
    if (saved === value) return;
    if (Date.now() > deadline)
      throw new Error(
        `${key} is ${JSON.stringify(saved)} in the user settings, not ${value}, after ${timeout / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends a prompt through the chain as a user would: "Free Prompt…", type, Enter. */
async function freePrompt(page, text) {
  await runCommand(page, 'LLM Manager: Free Prompt…');
  const box = page.locator('.quick-input-widget input');
  await box.waitFor();
  await box.fill(text);
  await box.press('Enter');
}

describe('metrics sidebar and dashboard', function () {
  this.timeout(180_000);

  before(async () => {
    const { page, server } = uiSession();
    // The figures below are the demo's alone: start from an empty shared ledger (earlier suites'
    // windows spent on the demo models too) in a fresh extension host.
    fs.rmSync(path.join(server.globalStorageFolder('llm-manager.llm-manager'), 'shared'), {
      recursive: true,
      force: true,
    });
    await reloadWindow(page);
    const deadline = Date.now() + 30_000;
    while (
      !(await paletteCommands(page, 'LLM Manager: Try Without Keys')).includes(
        'LLM Manager: Try Without Keys',
      )
    ) {
      assert.ok(Date.now() < deadline, 'the palette never offered "LLM Manager: Try Without Keys"');
      await page.waitForTimeout(500);
    }
    await closeSecondarySideBar(page);
  });

  after(async () => {
    const { page } = uiSession();
    await dismissQuickInput(page);
    await setNumberSettings(page, { 'llmManager.budget.dailyUsd': 0, 'llmManager.budget.monthlyUsd': 0 });
    if (
      (await paletteCommands(page, 'LLM Manager: Stop Trying Without Keys')).includes(
        'LLM Manager: Stop Trying Without Keys',
      )
    ) {
      await runCommand(page, 'LLM Manager: Stop Trying Without Keys');
    }
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'View: Show Explorer');
  });

  it('opens the LLM Manager sidebar with the first-run set-up when no model is configured', async () => {
    const { page } = uiSession();
    await setColorTheme(page, 'dark');
    await openViewContainer(page, 'LLM Manager');
    const frame = await metricsFrame(page, 'sidebar');
    await frame.locator('.setup-title', { hasText: 'Set up your chain' }).waitFor({ timeout: 15_000 });
    assert.equal(await frame.locator('button[data-action="tryWithoutKeys"]').innerText(), 'Try without keys');
    assert.equal(await frame.locator('button[data-action="addModel"]').innerText(), 'Add a model');
    assert.equal(await frame.locator('article.card').count(), 0);
    await clearNotifications(page);
    await screenshot(page.locator('.part.sidebar'), 'metrics-sidebar-empty-dark');
  });

  it('starts the demo from the sidebar and shows a card per model in chain order', async () => {
    const { page } = uiSession();
    let frame = await metricsFrame(page, 'sidebar');
    await frame.locator('button[data-action="tryWithoutKeys"]').click();
    await statusBarItem(page, { text: /Demo/ }).waitFor({ timeout: 30_000 });
    frame = await metricsFrame(page, 'sidebar');
    await cardOf(frame, 'demo-local').waitFor({ timeout: 15_000 });
    const names = await frame
      .locator('article.card')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-model')));
    assert.deepEqual(names, ['demo-openai', 'demo-claude', 'demo-local']);
    assert.match(await frame.locator('.headline').innerText(), /demo/i);
    assert.equal(await cardOf(frame, 'demo-openai').locator('.badge').innerText(), 'first choice');
    // An earlier test may have left a circuit open: start from closed ones.
    for (const model of names) {
      if ((await cardOf(frame, model).getAttribute('data-circuit')) !== 'closed') {
        await cardOf(frame, model).locator(`button[aria-label="Reset the circuit of ${model}"]`).click();
        frame = await waitForCircuit(page, 'sidebar', model, ['closed']);
      }
    }
  });

  it("shows demo-openai's circuit open with its probe countdown after its failures, and spend on the model that answered", async () => {
    const { page } = uiSession();
    const before = await readCard(await metricsFrame(page, 'sidebar'), 'demo-claude');
    // demo-openai fails for its first 20 s: two failed attempts open its circuit, demo-claude answers.
    await freePrompt(page, `Say hello to the metrics view (${Date.now()})`);
    const frame = await waitForCircuit(page, 'sidebar', 'demo-openai', ['open', 'halfOpen'], 30_000);
    const openai = await readCard(frame, 'demo-openai');
    assert.match(openai.circuitText, /^(open · probe in \d+ s|open · probe due|half-open · probing)$/);
    assert.equal(openai.success, '0 %');
    assert.notEqual(openai.requests, '0');
    assert.match(await cardOf(frame, 'demo-openai').locator('.card-error').innerText(), /server error/);

    const claudeCard = cardOf(frame, 'demo-claude');
    await frame.waitForFunction(
      (previous) => {
        const card = document.querySelector('article.card[data-model="demo-claude"]');
        const today = [...(card?.querySelectorAll('.card-stat') ?? [])].find(
          (stat) => stat.querySelector('dt')?.textContent === 'Today',
        );
        return today && today.querySelector('dd')?.textContent !== previous;
      },
      before.today,
      { timeout: 60_000 },
    );
    const claude = await readCard(frame, 'demo-claude');
    assert.match(claude.today, /^\$\d/);
    assert.notEqual(claude.today, '$0');
    assert.equal(await claudeCard.getAttribute('data-circuit'), 'closed');
    assert.match(await frame.locator('.budget[data-period="day"] .budget-spent').innerText(), /^\$/);
    assert.match(await frame.locator('.stat[data-stat="fallbacks"] .stat-value').innerText(), /^[1-9]/);
  });

  it("resets demo-openai's circuit from its card and shows it closed", async () => {
    const { page } = uiSession();
    const frame = await waitForCircuit(page, 'sidebar', 'demo-openai', ['open', 'halfOpen']);
    await cardOf(frame, 'demo-openai')
      .locator('button[aria-label="Reset the circuit of demo-openai"]')
      .click();
    const after = await waitForCircuit(page, 'sidebar', 'demo-openai', ['closed'], 10_000);
    assert.equal((await readCard(after, 'demo-openai')).circuitText, 'closed');
    assert.equal(
      await cardOf(after, 'demo-openai').locator('button[data-action="resetCircuit"]').count(),
      0,
      'nothing left to reset',
    );
  });

  it('keeps showing the chain after the view is hidden and shown again', async () => {
    const { page } = uiSession();
    await runCommand(page, 'View: Show Explorer');
    await page.waitForTimeout(500);
    await openViewContainer(page, 'LLM Manager');
    const frame = await metricsFrame(page, 'sidebar');
    await cardOf(frame, 'demo-claude').waitFor({ timeout: 15_000 });
    assert.notEqual((await readCard(frame, 'demo-claude')).today, '$0');
  });

  it('opens the dashboard once, with charts of spend, latency and outcomes and the routing trace of each request', async () => {
    const { page } = uiSession();
    await (await metricsFrame(page, 'sidebar')).locator('button[data-action="showDashboard"]').click();
    let frame = await metricsFrame(page, 'dashboard');
    await runCommand(page, 'LLM Manager: Show Metrics');
    await page.waitForTimeout(500);
    assert.equal(await countSurfaces(page, 'dashboard'), 1, 'showing it again reveals the same panel');
    frame = await metricsFrame(page, 'dashboard');

    assert.equal(await frame.locator('h1.title').innerText(), 'LLM Manager metrics');
    assert.equal(await frame.locator('article.card').count(), 3);
    await frame.locator('.block-spend svg.chart rect').first().waitFor({ timeout: 15_000 });
    assert.match(
      await frame.locator('.block-spend svg.chart').getAttribute('aria-label'),
      /Spend per day over the last 30 days, stacked by model \(demo-claude/,
    );
    assert.ok((await frame.locator('.block-latency svg.chart circle').count()) > 0, 'latency points');
    assert.match(await frame.locator('.block-outcomes .legend').innerText(), /Answered after fallback\s*\d/);

    const trace = frame.locator('details.trace').first();
    await trace.waitFor();
    assert.match(
      await trace.locator('.trace-headline').innerText(),
      /demo-(claude|local) answered after \d fallback/,
    );
    await trace.locator('summary').click();
    const steps = await trace.locator('.trace-step .step-text').allInnerTexts();
    assert.ok(
      steps.some((step) => /^demo-openai: attempt 1 failed/.test(step)),
      steps.join('\n'),
    );
    assert.ok(
      steps.some((step) => /answered · \$/.test(step)),
      steps.join('\n'),
    );
  });

  it('isolates a model and re-enables it from the dashboard', async () => {
    const { page } = uiSession();
    let frame = await metricsFrame(page, 'dashboard');
    await cardOf(frame, 'demo-local')
      .locator('button[aria-label="Isolate demo-local (take it out of the chain)"]')
      .click();
    frame = await waitForCircuit(page, 'dashboard', 'demo-local', ['isolated'], 10_000);
    assert.equal((await readCard(frame, 'demo-local')).circuitText, 'isolated by you');
    await cardOf(frame, 'demo-local')
      .locator('button[aria-label="Re-enable demo-local (close its circuit)"]')
      .click();
    frame = await waitForCircuit(page, 'dashboard', 'demo-local', ['closed'], 10_000);
    assert.equal((await readCard(frame, 'demo-local')).circuitText, 'closed');
  });

  it('shows spend today and this month against the budgets, with the 80 % alert visible', async () => {
    const { page } = uiSession();
    let frame = await metricsFrame(page, 'sidebar');
    const spentText = await frame.locator('.budget[data-period="day"] .budget-spent').innerText();
    const spent = Number(spentText.replace(/[^\d.]/g, ''));
    assert.ok(spent > 0, `spent today: ${spentText}`);
    // Budgets chosen so that today stands at about 85 % (past the 80 % alert) and the month at 25 %.
    await setNumberSettings(page, {
      'llmManager.budget.dailyUsd': Number((spent / 0.85).toFixed(6)),
      'llmManager.budget.monthlyUsd': Number((spent * 4).toFixed(6)),
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      frame = await metricsFrame(page, 'sidebar');
      if ((await frame.locator('.budget[data-period="day"].level-alert').count()) > 0) break;
      assert.ok(Date.now() < deadline, 'the daily budget bar never showed the alert');
      await page.waitForTimeout(250);
    }
    const day = frame.locator('.budget[data-period="day"]');
    assert.match(await day.locator('.budget-percent').innerText(), /^8\d %$/);
    assert.match(
      await day.locator('.budget-note').innerText(),
      /Alert: 8\d % of the daily budget spent \(alert at 80 %\)\./,
    );
    assert.equal(
      await day.locator('[role="meter"]').getAttribute('aria-valuenow'),
      (await day.locator('.budget-percent').innerText()).replace(' %', ''),
    );
    const month = frame.locator('.budget[data-period="month"]');
    assert.match(await month.locator('.budget-percent').innerText(), /^2\d %$/);
    assert.match(await month.locator('.budget-note').innerText(), /left; alert at 80 %/);
  });

  it('renders in the dark and light themes (screenshots)', async () => {
    const { page } = uiSession();
    // A fresh, full-width dashboard at the top, with the newest trace open.
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'LLM Manager: Show Metrics');
    let frame = await metricsFrame(page, 'dashboard');
    await frame.locator('details.trace summary').first().click();
    await clearNotifications(page);
    await dismissQuickInput(page);
    for (const theme of ['dark', 'light']) {
      await setColorTheme(page, theme);
      frame = await metricsFrame(page, 'dashboard');
      await frame.locator('h1.title').scrollIntoViewIfNeeded();
      await page.waitForTimeout(400);
      await screenshot(page, `metrics-dashboard-${theme}`);
      await frame.locator('.block-latency').scrollIntoViewIfNeeded();
      await screenshot(page, `metrics-dashboard-charts-${theme}`);
      await frame.locator('.block-traces').scrollIntoViewIfNeeded();
      await screenshot(page, `metrics-dashboard-traces-${theme}`);
      const sidebar = await metricsFrame(page, 'sidebar');
      await sidebar.locator('.block-header').scrollIntoViewIfNeeded();
      await screenshot(page.locator('.part.sidebar'), `metrics-sidebar-${theme}`);
      await sidebar.locator('.block-budgets').scrollIntoViewIfNeeded();
      await screenshot(page.locator('.part.sidebar'), `metrics-sidebar-totals-${theme}`);
    }
    await setColorTheme(page, 'dark');
  });
});
