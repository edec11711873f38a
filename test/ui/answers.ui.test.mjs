// The answer view as a person uses it, with the keyless demo (its models answer from the local
// fault upstream, whose demo answer has a heading, a list and a code block): an explanation streams
// and renders as Markdown, its routing trace opens in the view, a follow-up carries the earlier
// turns upstream, Copy / Insert / Apply work (Apply is one undo step), the conversation comes back
// after a reload, a comparison shows two answers side by side, Stop stops the upstream, and HTML in
// an answer stays text. Screenshots in dark, light and high-contrast: test/ui/screenshots/answer-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  clearNotifications,
  closeSecondarySideBar,
  dismissQuickInput,
  paletteCommands,
  runCommand,
  screenshot,
  setColorTheme,
  statusBarItem,
  waitForCommand,
} from './helpers.mjs';
import { uiSession } from './session.mjs';

const CODE =
  'function median(values) {\n  const sorted = [...values].sort((a, b) => a - b);\n  const middle = Math.floor(sorted.length / 2);\n  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;\n}\n';
const FOLLOW_UP = 'And how would I test it?';

/**
 * The content frame of the answer view showing `title` (or any), found by what it is rather than
 * by position; looked up afresh each time, since VS Code replaces the frames of hidden panels.
 */
async function answerFrame(page, { title, timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of [...page.frames()].reverse()) {
      if (frame.isDetached()) continue;
      const header = frame.locator('body[data-surface="answer"] .answer-header');
      const ok = await header
        .filter(title ? { hasText: title } : {})
        .count()
        .catch(() => 0);
      if (
        ok > 0 &&
        (await header
          .first()
          .isVisible()
          .catch(() => false))
      )
        return frame;
    }
    if (Date.now() > deadline)
      throw new Error(`No answer view${title ? ` for "${title}"` : ''} within ${timeout / 1000} s.`);
    await page.waitForTimeout(200);
  }
}

/** Waits until every answer of the view has ended; returns their sections. */
async function waitForAnswers(frame, count, timeout = 60_000) {
  await frame.waitForFunction(
    (wanted) => {
      const answers = document.querySelectorAll('.answer');
      return (
        answers.length >= wanted &&
        [...answers].every((answer) => !answer.classList.contains('status-streaming'))
      );
    },
    count,
    { timeout },
  );
  return frame.locator('.answer');
}

/**
 * The demo upstream's base URL, from the extension's log on disk ("Demo upstream at …"): the UI
 * test runs on the same machine as the server, so it can read the fault upstream's `/_stats`.
 */
function demoUpstreamUrl(server) {
  const logs = fs
    .readdirSync(server.tempDir, { recursive: true })
    .filter((file) => file.endsWith('.log'))
    .map((file) => path.join(server.tempDir, file));
  let newest;
  for (const file of logs) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(\S+ \S+).*Demo upstream at (http:\/\/127\.0\.0\.1:\d+)/gm))
      if (!newest || match[1] >= newest.at) newest = { at: match[1], url: match[2] };
  }
  assert.ok(newest, 'the log names no demo upstream');
  return newest.url;
}

async function upstreamStats(server) {
  const response = await fetch(`${demoUpstreamUrl(server)}/_stats`);
  assert.equal(response.status, 200);
  return response.json();
}

/** Chat calls the upstream answered in full, oldest first. */
function answeredCalls(stats) {
  return stats.recent.filter(
    (record) => record.status === 200 && record.usage && /messages|completions/.test(record.path),
  );
}

async function startDemo(page) {
  await runCommand(page, 'LLM Manager: Try Without Keys');
  await statusBarItem(page, { text: /Demo/ }).waitFor({ timeout: 30_000 });
}

/** The demo stops with the window: start it again when a reload ended it. */
async function ensureDemo(page) {
  if ((await statusBarItem(page, { text: /Demo/ }).count()) > 0) return;
  await waitForCommand(page, 'LLM Manager: Try Without Keys', 60_000);
  await startDemo(page);
}

async function openMedian(page, server) {
  const file = path.join(server.workspace, 'median.js');
  if (!fs.existsSync(file)) fs.writeFileSync(file, CODE);
  // Quick Open opens in the focused group: the code's, not the answer view's.
  await runCommand(page, 'View: Focus First Editor Group');
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('median.js');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'median.js' }).first().click();
  const lines = page.locator('.editor-instance .view-lines', { hasText: ANCHOR }).first();
  await lines.waitFor();
  return lines;
}

/** A line of median.js that no test changes: it finds that file's editor among the others. */
const ANCHOR = 'Math.floor(sorted.length';

/** median.js's text as Monaco shows it (the file is short: every line is on screen). */
async function editorText(page) {
  return page.evaluate(readEditor, ANCHOR);
}

/** Runs in the page: the text of the editor whose lines contain `anchor`, lines in order. */
function readEditor(anchor) {
  const editor = [...document.querySelectorAll('.editor-instance .view-lines')].find((lines) =>
    (lines.textContent ?? '').replace(/\u00a0/g, ' ').includes(anchor),
  );
  if (!editor) return '';
  return [...editor.querySelectorAll('.view-line')]
    .map((element) => ({ top: parseFloat(element.style.top), text: element.textContent ?? '' }))
    .sort((a, b) => a.top - b.top)
    .map((line) => line.text)
    .join('\n')
    .replace(/\u00a0/g, ' ');
}

/** Waits until median.js's text satisfies `test` (a function of the text, run in Node). */
async function waitForEditor(page, test, what) {
  const deadline = Date.now() + 15_000;
  let text = '';
  while (!test((text = await editorText(page)))) {
    if (Date.now() > deadline) throw new Error(`median.js never ${what}; it reads:\n${text}`);
    await page.waitForTimeout(150);
  }
  return text;
}

/**
 * Clicks `button` on the notification saying `text`: its toast, or, when the toast went to the
 * notification center already (focus moved to the diff editor), the center's entry.
 */
async function answerNotification(page, text, button) {
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: text });
  const shown = await toast
    .waitFor({ timeout: 8_000 })
    .then(() => true)
    .catch(() => false);
  let item = toast;
  if (!shown) {
    await runCommand(page, 'Notifications: Show Notifications');
    item = page.locator('.notifications-center .notification-list-item', { hasText: text });
    await item.waitFor({ timeout: 10_000 });
  }
  await item.locator('.monaco-button', { hasText: new RegExp(`^${button}$`) }).click();
}

async function freePrompt(page, text) {
  await runCommand(page, 'LLM Manager: Free Prompt…');
  const box = page.locator('.quick-input-widget input');
  await box.waitFor();
  await box.fill(text);
  await box.press('Enter');
}

describe('answer view', function () {
  this.timeout(180_000);

  before(async () => {
    const { page, context, server } = uiSession();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await closeSecondarySideBar(page);
    await runCommand(page, 'View: Close All Editors');
    await startDemo(page);
    // Earlier suites explained this file too: answers must come from the models, not the cache.
    await runCommand(page, 'LLM Manager: Clear Cache');
  });

  after(async () => {
    const { page } = uiSession();
    await dismissQuickInput(page);
    await setColorTheme(page, 'dark');
    await runCommand(page, 'LLM Manager: Clear Conversations');
    if (
      (await paletteCommands(page, 'LLM Manager: Stop Trying Without Keys')).includes(
        'LLM Manager: Stop Trying Without Keys',
      )
    )
      await runCommand(page, 'LLM Manager: Stop Trying Without Keys');
    await runCommand(page, 'View: Close All Editors');
  });

  it('streams an explanation into the view and renders it: a heading, a list and highlighted code as elements', async () => {
    const { page, server } = uiSession();
    const lines = await openMedian(page, server);
    await lines.click();
    await page.keyboard.press('Control+A');
    await runCommand(page, 'LLM Manager: Explain Selection');
    const frame = await answerFrame(page, { title: 'Explain selection' });
    const [answer] = await (await waitForAnswers(frame, 1)).all();
    assert.match(await answer.getAttribute('class'), /status-done/);
    const body = answer.locator('.markdown-body');
    assert.equal((await body.locator('h3').innerText()).trim(), 'What happens here');
    assert.equal(await body.locator('ul > li').count(), 3);
    assert.equal(await body.locator('strong', { hasText: 'no API key' }).count(), 1);
    assert.ok((await body.locator('pre.md-code code .hljs-keyword').count()) > 0, 'highlighted keywords');
    assert.ok((await body.locator('pre.md-code code .hljs-comment').count()) > 0, 'highlighted comment');
    const text = await body.innerText();
    assert.doesNotMatch(text, /###|\*\*|```/);
    assert.match(
      await answer.locator('.answer-footer').innerText(),
      /Answered by demo-\S+ · .+ · \$[\d.]+ · \d+ in \/ \d+ out tokens/,
    );
    assert.match(await frame.locator('.answer-subtitle').innerText(), /median\.js/);
    await clearNotifications(page);
    await screenshot(page, 'answer-view-dark');
  });

  it("opens the answer's routing trace in the same view, its steps with icons", async () => {
    const { page } = uiSession();
    const frame = await answerFrame(page, { title: 'Explain selection' });
    const toggle = frame.locator('button[data-answer-action="toggleTrace"]').first();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const trace = frame.locator('.answer-trace').first();
    await trace.waitFor();
    assert.match(await trace.locator('.answer-trace-title').innerText(), /answered/);
    const steps = await trace.locator('.trace-step .step-text').allInnerTexts();
    assert.ok(
      steps.some((step) => /answered · \$/.test(step)),
      steps.join('\n'),
    );
    assert.ok((await trace.locator('.trace-step .codicon').count()) >= steps.length, 'an icon per step');
    await screenshot(page, 'answer-trace-dark');
    await toggle.click();
  });

  it('answers a follow-up with the earlier turns sent upstream', async () => {
    const { page, server } = uiSession();
    const before = answeredCalls(await upstreamStats(server)).at(-1);
    const frame = await answerFrame(page, { title: 'Explain selection' });
    const input = frame.locator('#follow-up-input');
    await input.fill(FOLLOW_UP);
    await input.press('Enter');
    await frame.locator('.turn').nth(1).waitFor();
    const answers = await waitForAnswers(frame, 2);
    assert.match(
      await answers.nth(1).locator('.markdown-body').innerText(),
      /you asked "And how would I test it\?"/,
    );
    assert.equal(await frame.locator('.turn').nth(1).locator('.question-text').innerText(), FOLLOW_UP);
    const after = answeredCalls(await upstreamStats(server)).at(-1);
    assert.notEqual(after, undefined);
    // The upstream counts what it received: the follow-up carried the first prompt (with the
    // selection) and the first answer, so it is larger than both of them together.
    assert.ok(
      after.usage.inputTokens >= before.usage.inputTokens + before.usage.outputTokens,
      `follow-up input ${after.usage.inputTokens} tokens; first request ${before.usage.inputTokens} in, ${before.usage.outputTokens} out`,
    );
    await screenshot(page, 'answer-follow-up-dark');
  });

  it('copies, inserts at the cursor and applies a code block to the selection (one undo step)', async () => {
    const { page, server } = uiSession();
    const code = 'const answer = await chain.ask(question); // each model in turn until one answers';
    let frame = await answerFrame(page, { title: 'Explain selection' });
    const block = frame.locator('.answer').first().locator('.code-block');

    await block.locator('button[data-answer-action="copy"]').click();
    await block.locator('button[data-answer-action="copy"] .button-text', { hasText: 'Copied' }).waitFor();
    await page.waitForFunction(
      async (wanted) => (await navigator.clipboard.readText()).trim() === wanted,
      code,
      {
        timeout: 10_000,
      },
    );

    // Insert at the cursor: the end of the file's first line.
    const lines = await openMedian(page, server);
    await lines.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    frame = await answerFrame(page, { title: 'Explain selection' });
    await frame.locator('.answer').first().locator('.code-block button[data-answer-action="insert"]').click();
    const inserted = await waitForEditor(page, (text) => text.includes(code), 'got the code inserted');
    assert.equal(inserted.split('\n')[0], `function median(values) {${code}`);
    await page.locator('.editor-instance .view-lines', { hasText: ANCHOR }).first().click();
    await page.keyboard.press('Control+Z');
    await waitForEditor(page, (text) => text.trimEnd() === CODE.trimEnd(), 'went back after one undo');

    // Apply to the selection (its first line): the diff first, then Apply, then one undo restores it.
    await lines.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    frame = await answerFrame(page, { title: 'Explain selection' });
    await frame.locator('.answer').first().locator('.code-block button[data-answer-action="apply"]').click();
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 15_000 });
    await answerNotification(page, /Apply demo-\S+'s change to median\.js\?/, 'Apply');
    const applied = await waitForEditor(page, (text) => text.startsWith(code), 'got the change applied');
    assert.deepEqual(
      applied.trimEnd().split('\n').slice(1),
      CODE.trimEnd().split('\n').slice(1),
      'only the selection changed',
    );
    await openMedian(page, server);
    await page.locator('.editor-instance .view-lines', { hasText: ANCHOR }).first().click();
    await page.keyboard.press('Control+Z');
    await waitForEditor(page, (text) => text.trimEnd() === CODE.trimEnd(), 'went back after one undo');
    await runCommand(page, 'File: Revert File');
  });

  it('brings the conversation back after a window reload', async () => {
    const { page } = uiSession();
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'LLM Manager: Clear Conversations');
    // A fresh conversation with a follow-up, alone on screen.
    await freePrompt(page, 'What is a circuit breaker?');
    let frame = await answerFrame(page, { title: 'Prompt' });
    await waitForAnswers(frame, 1);
    await frame.locator('#follow-up-input').fill(FOLLOW_UP);
    await frame.locator('#follow-up-input').press('Enter');
    await frame.locator('.turn').nth(1).waitFor();
    await waitForAnswers(frame, 2);
    // As a user reloads: the workbench shuts down properly, saving its editors and their state.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: 60_000 }),
      runCommand(page, 'Developer: Reload Window'),
    ]);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    frame = await answerFrame(page, { title: 'Prompt', timeout: 60_000 });
    await frame.locator('.turn').nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.turn').count(), 2);
    assert.equal(await frame.locator('.turn').nth(1).locator('.question-text').innerText(), FOLLOW_UP);
    assert.match(
      await frame.locator('.answer').nth(1).locator('.markdown-body').innerText(),
      /you asked "And how would I test it\?"/,
    );
    assert.equal(await frame.locator('.answer .answer-footer').count(), 2);
    // The restored panel still renders its trace.
    await frame.locator('button[data-answer-action="toggleTrace"]').first().click();
    await frame.locator('.answer-trace .trace-step').first().waitFor();
  });

  it('renders the view in dark, light and high-contrast themes (screenshots)', async () => {
    const { page } = uiSession();
    await clearNotifications(page);
    for (const theme of ['dark', 'light', 'highContrast']) {
      await setColorTheme(page, theme);
      const frame = await answerFrame(page, { title: 'Prompt' });
      await frame.locator('.answer').first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await screenshot(page, `answer-conversation-${theme}`);
      const trace = frame.locator('.answer-trace').first();
      if (await trace.isHidden())
        await frame.locator('button[data-answer-action="toggleTrace"]').first().click();
      await trace.scrollIntoViewIfNeeded();
      await page.waitForTimeout(200);
      await screenshot(page, `answer-trace-${theme}`);
      await frame.locator('.turn').nth(1).scrollIntoViewIfNeeded();
      await screenshot(page, `answer-follow-up-${theme}`);
    }
    await setColorTheme(page, 'dark');
  });

  it('compares two models side by side, each with its time, tokens and cost, and makes one active', async () => {
    const { page } = uiSession();
    await ensureDemo(page);
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'LLM Manager: Compare Models…');
    const box = page.locator('.quick-input-widget input');
    await box.waitFor();
    await box.fill('Which sorting algorithm suits nearly sorted data?');
    await box.press('Enter');
    // A multi-select quick pick: clicking a row ticks it, Enter takes the ticked ones.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'demo-openai' }).first().waitFor();
    for (const model of ['demo-claude', 'demo-local'])
      await page.locator('.quick-input-list .monaco-list-row', { hasText: model }).first().click();
    await box.press('Enter');
    const frame = await answerFrame(page, { title: 'Compare models' });
    const answers = await waitForAnswers(frame, 2);
    assert.equal(await frame.locator('.answers.answers-compare.answers-2').count(), 1);
    assert.deepEqual(await frame.locator('.answer-model h2').allInnerTexts(), ['demo-claude', 'demo-local']);
    for (const [index, model] of ['demo-claude', 'demo-local'].entries()) {
      assert.match(
        await answers.nth(index).locator('.answer-footer').innerText(),
        new RegExp(`Answered by ${model} · .+ · \\$[\\d.]+ · \\d+ in / \\d+ out tokens`),
      );
    }
    // Side by side: the two answers share a row.
    const [left, right] = [await answers.nth(0).boundingBox(), await answers.nth(1).boundingBox()];
    assert.ok(
      Math.abs(left.y - right.y) < 2 && right.x > left.x + left.width - 1,
      JSON.stringify({ left, right }),
    );
    await clearNotifications(page);
    await screenshot(page, 'answer-compare-dark');
    await answers.nth(1).locator('button[data-answer-action="makeActive"]').click();
    await statusBarItem(page, { text: /demo-local/ }).waitFor({ timeout: 10_000 });
  });

  it('stops an answer: the request ends at once and the upstream gets no more calls', async () => {
    const { page, server } = uiSession();
    await ensureDemo(page);
    await runCommand(page, 'LLM Manager: Choose Active Model…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'demo-claude' }).first().click();
    await statusBarItem(page, { text: /demo-claude/ }).waitFor({ timeout: 10_000 });
    await runCommand(page, 'View: Close All Editors');
    await freePrompt(page, `Tell me a long story (${Date.now()})`);
    const frame = await answerFrame(page, { title: 'Prompt' });
    const stop = frame.locator('button[data-answer-action="stop"]');
    // The demo streams an answer in about a second, as fast as a fresh panel loads: stop a
    // follow-up, in a page that is ready, as soon as its first words show.
    await waitForAnswers(frame, 1);
    await frame.locator('#follow-up-input').fill(`Go on, at length (${Date.now()})`);
    await frame.locator('#follow-up-input').press('Enter');
    await frame.waitForFunction(
      () => {
        const body = document.querySelectorAll('.answer-body')[1];
        if (!body?.textContent) return false;
        document.querySelector('button[data-answer-action="stop"]')?.click();
        return true;
      },
      undefined,
      { timeout: 30_000, polling: 'raf' },
    );
    const answer = frame.locator('.answer').nth(1);
    await frame.locator('.answer.status-cancelled').waitFor({ timeout: 10_000 });
    assert.match(await answer.locator('.answer-error').innerText(), /Stopped\./);
    assert.doesNotMatch(await answer.locator('.answer-body').innerText(), /one answers/, 'a partial answer');
    assert.ok(await stop.isHidden(), 'Stop is gone once nothing runs');
    const stopped = await upstreamStats(server);
    await page.waitForTimeout(1500);
    const later = await upstreamStats(server);
    assert.equal(later.total, stopped.total, 'no call after Stop');
    assert.equal(later.inFlight, 0);
    assert.equal(stopped.recent.at(-1).outcome, 'clientClosed', JSON.stringify(stopped.recent.at(-1)));
  });

  it('shows <script> and <img onerror> from an answer as text', async () => {
    const { page } = uiSession();
    await ensureDemo(page);
    await runCommand(page, 'View: Close All Editors');
    const attack =
      '<script>document.body.dataset.pwned="1"</script><img src=x onerror="document.body.dataset.pwned=2">';
    await freePrompt(page, attack);
    const frame = await answerFrame(page, { title: 'Prompt' });
    const [answer] = await (await waitForAnswers(frame, 1)).all();
    const body = answer.locator('.markdown-body');
    // The demo answer quotes the prompt: the markup is there, as text.
    assert.match(
      await body.innerText(),
      /<script>document\.body\.dataset\.pwned="1"<\/script><img src=x onerror=/,
    );
    assert.equal(await body.locator('script, img, iframe').count(), 0);
    assert.equal(await frame.evaluate(() => document.body.dataset.pwned ?? null), null);
  });
});
