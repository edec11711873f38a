// Helpers for UI tests: small, documented steps on a code-server workbench page (Playwright).
// Every helper waits for what it needs and fails with a message naming what it did not find.
// See test/README.md for a tour.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where screenshots go (git-ignored). */
export const SCREENSHOT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** Themes the workbench ships (code-server 4.139 / VS Code 1.139); the values of `workbench.colorTheme`. */
export const THEMES = Object.freeze({
  dark: 'Dark 2026',
  light: 'Light 2026',
  highContrast: 'Dark High Contrast',
  highContrastLight: 'Light High Contrast',
});

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} input`;
const QUICK_INPUT_ROW = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

/**
 * Runs a command from the palette by its full title, as a user would: `F1`, type `>title`, wait
 * for the row, Enter. Example: `await runCommand(page, 'LLM Manager: Show Dashboard')`.
 * It returns once Enter is pressed; wait for the command's effect yourself.
 */
export async function runCommand(page, title) {
  await openPalette(page, `>${title}`);
  const row = page.locator(QUICK_INPUT_ROW).filter({ hasText: title }).first();
  try {
    await row.waitFor({ timeout: 10_000 });
  } catch {
    const offered = await paletteRows(page);
    await dismissQuickInput(page);
    throw new Error(
      `The command palette has no "${title}"; it offers: ${JSON.stringify(offered.slice(0, 10))}`,
    );
  }
  // Enter runs the focused row: make sure it is ours (the best match is focused first).
  await row.click();
}

/**
 * Waits until the palette offers `title`: a fresh workbench shows the extension's contributions
 * only a moment after its extension host starts. The UI runner does this once before the tests.
 */
export async function waitForCommand(page, title, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (!(await paletteCommands(page, title)).includes(title)) {
    if (Date.now() > deadline)
      throw new Error(`The command palette did not offer "${title}" within ${timeout / 1000} s.`);
    await page.waitForTimeout(500);
  }
}

/**
 * The palette's entries for a query (`>` is added), then closes it. For checks such as "every
 * contributed command is offered". Labels look like `LLM Manager: Show Dashboard`.
 */
export async function paletteCommands(page, query) {
  await openPalette(page, `>${query}`);
  // The list fills asynchronously; wait until it stops changing.
  let previous;
  let rows = [];
  for (let i = 0; i < 20; i++) {
    rows = await paletteRows(page);
    if (rows.length > 0 && JSON.stringify(rows) === previous) break;
    previous = JSON.stringify(rows);
    await page.waitForTimeout(150);
  }
  await dismissQuickInput(page);
  return rows;
}

async function openPalette(page, text) {
  // Start from a closed palette: one that is still closing would swallow the typing.
  await dismissQuickInput(page);
  await waitForWebviewsLoaded(page);
  const box = page.locator(QUICK_INPUT_BOX);
  await page.keyboard.press('F1');
  await box.waitFor({ timeout: 10_000 });
  await box.fill(text);
}

async function paletteRows(page) {
  return page.locator(QUICK_INPUT_ROW).evaluateAll((rows) =>
    // aria-label is "<label>, <keybinding>" or "<label>"; the label itself is in .label-name.
    rows.map((row) =>
      (row.querySelector('.label-name')?.textContent ?? row.getAttribute('aria-label') ?? '').trim(),
    ),
  );
}

/**
 * Waits until no webview on screen is still loading. VS Code gives the focus to the active editor's
 * webview when its page finishes loading (for example the dashboard, reloaded when the editor
 * above it closes), and a quick input that loses the focus closes itself: a palette opened in
 * that moment vanishes under the typing (Playwright: "element is inert", then "not visible").
 * {@link runCommand} and {@link paletteCommands} call this before they open the palette.
 */
export async function waitForWebviewsLoaded(page, timeout = 20_000) {
  try {
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('iframe.webview')].every(
          (frame) =>
            frame.classList.contains('ready') || !frame.checkVisibility({ visibilityProperty: true }),
        ),
      undefined,
      { timeout },
    );
  } catch {
    throw new Error(`A webview on screen was still loading after ${timeout / 1000} s.`);
  }
}

/**
 * The status bar's items: `{ id, text, label }` where `id` is the element id (extension items are
 * `<extensionId>.<itemId>`, e.g. `llm-manager.llm-manager.status`), `text` what is shown (codicons
 * are not text) and `label` the accessibility label.
 */
export async function statusBarItems(page) {
  await page.locator('.part.statusbar').waitFor();
  return page.locator('.part.statusbar .statusbar-item').evaluateAll((items) =>
    items.map((item) => ({
      id: item.id,
      text: (item.textContent ?? '').trim(),
      label:
        item.querySelector('a, [role="button"]')?.getAttribute('aria-label') ??
        item.getAttribute('aria-label') ??
        '',
    })),
  );
}

/**
 * A Locator for one status bar item, by element id (exact) or by visible text (substring or RegExp).
 * Example: `await expectVisible(statusBarItem(page, { text: /LLM/ }))`.
 */
export function statusBarItem(page, { id, text }) {
  const items = page.locator('.part.statusbar .statusbar-item');
  if (id) return items.and(page.locator(`[id="${id}"]`)).first();
  return items.filter({ hasText: text }).first();
}

/** Hovers a status bar item (a Locator from {@link statusBarItem}) and returns its tooltip's text. */
export async function statusBarTooltip(page, item) {
  await item.hover();
  const hover = page.locator('.monaco-hover.workbench-hover, .workbench-hover').last();
  await hover.waitFor({ timeout: 10_000 });
  const text = (await hover.innerText()).trim();
  await page.mouse.move(0, 0);
  return text;
}

/**
 * Opens a view container from the activity bar by the start of its label (`'LLM Manager'`), leaving
 * it open if it already is (a second click would close the side bar). Returns the side bar part.
 */
export async function openViewContainer(page, label) {
  const item = page.locator(`.activitybar li.action-item:has(a[aria-label^="${cssString(label)}"])`).first();
  try {
    await item.waitFor({ timeout: 15_000 });
  } catch {
    const labels = await page
      .locator('.activitybar a[aria-label]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    throw new Error(`No activity bar entry starting "${label}"; there are: ${JSON.stringify(labels)}`);
  }
  if ((await item.getAttribute('aria-selected')) !== 'true') await item.click();
  const sideBar = page.locator('.part.sidebar');
  await sideBar.waitFor();
  return sideBar;
}

/**
 * The content frame of a webview (a webview view in a side bar, or a webview panel in an editor).
 * VS Code nests two iframes: the host's `iframe.webview.ready` and the content's `#active-frame`.
 * `index` picks among several webviews on screen, in DOM order.
 * Example: `await webviewFrame(page).locator('h1').innerText()`.
 */
export function webviewFrame(page, index = 0) {
  return page
    .locator('iframe.webview.ready')
    .nth(index)
    .contentFrame()
    .locator('iframe#active-frame')
    .contentFrame();
}

/** The visible text of a webview's body, once it has some. */
export async function webviewText(page, index = 0) {
  const body = webviewFrame(page, index).locator('body');
  await body.waitFor({ timeout: 20_000 });
  return (await body.innerText()).trim();
}

/**
 * Hides the secondary side bar (where Chat opens by default) so screenshots show your own views.
 * The harness's settings already keep it hidden at start; this handles anything reopening it.
 */
export async function closeSecondarySideBar(page) {
  const workbench = page.locator('.monaco-workbench');
  if (/\bnoauxiliarybar\b/.test((await workbench.getAttribute('class')) ?? '')) return;
  await runCommand(page, 'View: Hide Secondary Side Bar');
  await page.waitForFunction(
    () => document.querySelector('.monaco-workbench')?.classList.contains('noauxiliarybar'),
    undefined,
    {
      timeout: 10_000,
    },
  );
}

/**
 * Switches the color theme, `'dark'`, `'light'`, `'highContrast'`, `'highContrastLight'` or a theme
 * name from {@link THEMES}' values, through
 * the theme picker ("Preferences: Color Theme"), which writes the `workbench.colorTheme` user
 * setting. (Editing settings.json from outside does not reach a running workbench here: the
 * server does not notice the change; {@link reloadWindow} after writing it does.)
 * Waits until the workbench shows the theme, and returns once webviews have had time to restyle.
 */
export async function setColorTheme(page, theme) {
  const name = THEMES[theme] ?? theme;
  const kind = /high contrast/i.test(name)
    ? /light/i.test(name)
      ? 'hc-light'
      : 'hc-black'
    : /light/i.test(name)
      ? 'vs'
      : 'vs-dark';
  await runCommand(page, 'Preferences: Color Theme');
  const row = page.locator(QUICK_INPUT_ROW).filter({ hasText: name }).first();
  await page.locator(QUICK_INPUT_BOX).fill(name);
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await page.waitForFunction(
    (cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls),
    kind,
    {
      timeout: 10_000,
    },
  );
  await page
    .locator(QUICK_INPUT)
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => {});
  // Webviews receive the new theme variables a moment later.
  await page.waitForTimeout(300);
}

/**
 * Reloads the window (the page) and waits for the workbench: the extension host restarts, user
 * settings are read again, and globalState and secrets persist (same browser profile).
 */
export async function reloadWindow(page) {
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
}

/**
 * Saves a screenshot of the page (or of a Locator) to test/ui/screenshots/<name>.png and returns
 * the path. Close the secondary side bar and notifications first for a clean picture.
 */
export async function screenshot(target, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await target.screenshot({ path: file });
  return file;
}

/** Dismisses notification toasts (offline noise such as failed gallery requests) before a screenshot. */
export async function clearNotifications(page) {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  if ((await toasts.count()) === 0) return;
  await runCommand(page, 'Notifications: Clear All Notifications');
  await toasts
    .first()
    .waitFor({ state: 'detached', timeout: 5_000 })
    .catch(() => {});
}

/** Closes the palette or any quick input left open, so the next step starts from the workbench. */
export async function dismissQuickInput(page) {
  const widget = page.locator(QUICK_INPUT);
  for (let i = 0; i < 3 && (await widget.isVisible()); i++) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => {});
  }
}

function cssString(text) {
  return text.replace(/["\\]/g, '\\$&');
}
