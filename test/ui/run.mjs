// Runs the UI tests (test/ui/**/*.ui.test.mjs, mocha in this Node process) against a workbench in
// Chromium: Playwright drives VS Code's server build with this repository's extension loaded.
// Alone: `node test/ui/run.mjs [--grep text]` (after `npm run build`); `npm test` runs it through
// test/run-vscode-tests.mjs, which shares one server with the integration tests.
// Screenshots land in test/ui/screenshots/ (git-ignored), including one per failed test.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Mocha from 'mocha';
import { REPO_ROOT, startVsCodeServer } from '../../scripts/vscodeServer.mjs';
import { ToolsError } from '../../scripts/vscodeTools.mjs';
import { describeCounts } from '../integration/run.mjs';
import { dismissQuickInput, screenshot, waitForCommand } from './helpers.mjs';
import { setUiSession } from './session.mjs';

const UI_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * Opens one workbench (fresh browser profile, no test payload), waits until the palette offers the
 * extension's commands, and runs the UI tests against it.
 *
 * @param {import('../../scripts/vscodeServer.mjs').VsCodeServer} server
 * @param {object} [options]
 * @param {string} [options.grep] Only tests whose full title contains this.
 * @returns {Promise<{ ok: boolean, passes: number, failures: number, pending: number, seconds: number }>}
 */
export async function runUiSuite(server, options = {}) {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) {
    throw new ToolsError('Missing dist/extension.js; run npm run build first.');
  }
  const started = Date.now();
  const context = await server.newContext();
  try {
    const page = await server.openWorkbench(context);
    const probe = firstPaletteCommand();
    if (probe) await waitForCommand(page, probe, 60_000);
    setUiSession({ server, context, page });
    const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, slow: 10_000 });
    // Colours only on a terminal (mocha would also colour CI logs when CI is set).
    if (!process.stdout.isTTY) {
      Mocha.reporters.Base.useColors = false;
      Mocha.reporters.Base.symbols.ok = '✔';
      Mocha.reporters.Base.symbols.err = '✖';
    }
    if (options.grep) mocha.grep(options.grep);
    mocha.rootHooks({
      async afterEach() {
        if (this.currentTest?.state === 'failed') {
          const file = await screenshot(page, `failed-${this.currentTest.fullTitle()}`).catch(
            () => undefined,
          );
          if (file) console.log(`      screenshot: ${path.relative(REPO_ROOT, file)}`);
        }
        await dismissQuickInput(page).catch(() => {});
      },
    });
    for (const file of testFiles(UI_DIR)) mocha.addFile(file);
    await mocha.loadFilesAsync();
    screenshotFailingHooks(mocha.suite, page);
    const stats = await new Promise((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats));
    });
    mocha.dispose();
    const counts = { passes: stats.passes, failures: stats.failures, pending: stats.pending };
    return { ok: counts.failures === 0, ...counts, seconds: (Date.now() - started) / 1000 };
  } finally {
    setUiSession(undefined);
    await context.close().catch(() => {});
  }
}

/**
 * Makes every hook (before/after, each or all) of the suite tree save a screenshot when it fails,
 * as failed tests do: a failing `after` hook leaves the workbench in a state the next file
 * inherits, and the picture shows what was on screen at the moment it failed. The hook's own
 * function is wrapped, so the screenshot is taken before mocha moves on (an `afterEach` cannot do
 * it: mocha runs none after a failed hook).
 */
function screenshotFailingHooks(suite, page) {
  for (const hook of [...suite._beforeAll, ...suite._beforeEach, ...suite._afterEach, ...suite._afterAll]) {
    const original = hook.fn;
    // Callback-style hooks (`function (done)`) keep their own function: mocha decides by its arity.
    if (typeof original !== 'function' || original.length > 0) continue;
    hook.fn = async function () {
      try {
        return await original.call(this);
      } catch (error) {
        const file = await screenshot(page, `failed-hook-${hook.fullTitle()}`).catch(() => undefined);
        if (file) console.log(`      screenshot: ${path.relative(REPO_ROOT, file)}`);
        throw error;
      }
    };
  }
  for (const child of suite.suites) screenshotFailingHooks(child, page);
}

/** The palette title of the first command contributed without a `when` clause, if any. */
function firstPaletteCommand() {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const conditional = new Set(
    (manifest.contributes?.menus?.commandPalette ?? []).map((entry) => entry.command),
  );
  const command = (manifest.contributes?.commands ?? []).find(
    (candidate) => !conditional.has(candidate.command),
  );
  return command && (command.category ? `${command.category}: ${command.title}` : command.title);
}

function testFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.ui.test.mjs'))
    .sort()
    .map((file) => path.join(dir, file));
}

async function main() {
  const at = process.argv.indexOf('--grep');
  const grep = at > 0 ? process.argv[at + 1] : undefined;
  const server = await startVsCodeServer();
  try {
    const counts = await runUiSuite(server, { grep });
    console.log(`\n${describeCounts('UI tests', counts)}`);
    return counts.ok ? 0 : 1;
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof ToolsError ? `[ui] ${error.message}` : error);
      process.exit(1);
    },
  );
}
