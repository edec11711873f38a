// Runs the integration suite (test/integration/*.test.ts, compiled to out/) inside the real Node
// extension host of VS Code's server build, offline. Alone: `node test/integration/run.mjs`
// (after `npm run compile-tests && npm run build`); `npm test` runs it through
// test/run-vscode-tests.mjs, which shares one server with the UI tests.
//
// The suite runs twice in one browser profile: in the first window (phase `beforeReload`), then
// after a page reload, which is a window reload (phase `afterReload`), so tests can prove that
// state survives it (see reload.ts).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, startVsCodeServer } from '../../scripts/vscodeServer.mjs';
import { ToolsError } from '../../scripts/vscodeTools.mjs';

/** The suite prefixes its lines with this (LLM_MANAGER_TEST_OUTPUT_TAG) so we can pick them out. */
const OUTPUT_TAG = '[llm-manager-test] ';
/** Keep in step with RESULT_MARKER in index.ts. */
const RESULT_MARKER = '##result ';
const SUITE_ENTRY = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index');
const PHASES = ['beforeReload', 'afterReload'];
const SUITE_TIMEOUT_MS = Number(process.env.LLM_MANAGER_SUITE_TIMEOUT_MS) || 5 * 60_000;

/**
 * Runs both phases of the suite against a running server and returns the counts.
 *
 * @param {import('../../scripts/vscodeServer.mjs').VsCodeServer} server
 * @param {object} [options]
 * @param {Record<string, string>} [options.extensionEnvironment] Extra env for the extension host.
 * @param {(line: string) => void} [options.print] Where the suite's lines go (default: stdout).
 * @returns {Promise<{ ok: boolean, passes: number, failures: number, pending: number, seconds: number }>}
 */
export async function runIntegrationSuite(server, options = {}) {
  const print = options.print ?? ((line) => console.log(line));
  assertBuilt();
  const started = Date.now();
  const totals = { passes: 0, failures: 0, pending: 0 };
  let ok = true;
  const context = await server.newContext();
  try {
    let page;
    for (const phase of PHASES) {
      print(`[integration] ${phase === 'beforeReload' ? 'window 1' : 'window 2 (after a reload)'}`);
      const outcome = await runSuiteWindow(server, context, {
        page,
        phase,
        entry: SUITE_ENTRY,
        folder: integrationWorkspace(server),
        extensionEnvironment: options.extensionEnvironment,
        print,
      });
      page = outcome.page;
      if (outcome.result) {
        totals.passes += outcome.result.passes;
        totals.failures += outcome.result.failures;
        totals.pending += outcome.result.pending;
      }
      if (outcome.code !== 0) ok = false;
      // Without a finished first window the second proves nothing.
      if (!outcome.result) break;
    }
  } finally {
    await context.close().catch(() => {});
  }
  return { ok: ok && totals.failures === 0, ...totals, seconds: (Date.now() - started) / 1000 };
}

/**
 * Opens (or reloads `window.page` into) a workbench that runs the suite at `window.entry` in its
 * extension host, and waits for its result.
 *
 * @param {import('../../scripts/vscodeServer.mjs').VsCodeServer} server
 * @param {import('playwright-core').BrowserContext} context
 * @param {{ page?: import('playwright-core').Page, phase: string, entry: string, folder: string,
 *   extensionDevelopmentPath?: string, extensionEnvironment?: Record<string, string>,
 *   print: (line: string) => void }} window
 */
export async function runSuiteWindow(server, context, window) {
  const { page, outcome } = await openSuiteWindow(server, context, window);
  return { page, ...(await outcome) };
}

/**
 * Like {@link runSuiteWindow}, but resolves as soon as the window is up: `outcome` settles with
 * the suite's `code` and `result` later, so several windows can run their suites at once.
 */
export async function openSuiteWindow(server, context, window) {
  const { phase, print } = window;
  let result;
  const recentLogs = [];
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const onConsole = (text) => {
    const lines = text.split('\n');
    for (const line of lines) {
      const at = line.indexOf(OUTPUT_TAG);
      if (at < 0) continue;
      const own = line.slice(at + OUTPUT_TAG.length);
      if (own.startsWith(RESULT_MARKER)) result = JSON.parse(own.slice(RESULT_MARKER.length));
      else print(own);
    }
    if (!text.includes(OUTPUT_TAG)) {
      recentLogs.push(text);
      if (recentLogs.length > 30) recentLogs.shift();
    }
  };
  const page = await server.openWorkbench(context, {
    page: window.page,
    folder: window.folder,
    extensionDevelopmentPath: window.extensionDevelopmentPath,
    extensionTestsPath: window.entry,
    extensionEnvironment: {
      ...window.extensionEnvironment,
      LLM_MANAGER_TEST_PHASE: phase,
      LLM_MANAGER_TEST_VSCODE_SERVER: new URL(server.origin).host,
      LLM_MANAGER_TEST_OUTPUT_TAG: OUTPUT_TAG,
      // Lets tests before the reload tell tests after it what to expect (reload.ts).
      LLM_MANAGER_TEST_RELOAD_FILE: path.join(server.tempDir, 'reload-expectations.json'),
    },
    onConsole,
    onExit: (code) => finish(code),
  });
  const outcome = (async () => {
    let timer;
    const timedOut = new Promise(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS)),
    );
    const code = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    // Let the last console lines arrive (they are relayed asynchronously; after a long failure
    // report on a busy machine the result line can trail the exit by seconds).
    const linesDue = Date.now() + (code === 'timeout' ? 300 : 5_000);
    do await new Promise((resolve) => setTimeout(resolve, 100));
    while (!result && Date.now() < linesDue);
    if (code === 'timeout' || !result) {
      print(
        code === 'timeout'
          ? `[integration] the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s.`
          : `[integration] the extension host exited (${code}) without the suite's result: the suite did not load or crashed.`,
      );
      print('[integration] last workbench console lines:');
      for (const line of recentLogs) print(`    ${line.split('\n')[0]}`);
      print('[integration] last server output:');
      print(server.tailOutput(20));
      return { code: 1, result };
    }
    return { code, result };
  })();
  return { page, outcome };
}

/**
 * The folder the suite's windows open: its own, not the server's default one the UI tests use, so
 * that editors the suite leaves dirty (VS Code backs them up per folder and restores them) never
 * show up in the UI tests' window.
 */
function integrationWorkspace(server) {
  const folder = path.join(server.tempDir, 'integration-workspace');
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

/** Fails with the commands to run when the compiled suite `entry` or the bundle is missing. */
export function assertBuilt(entry = SUITE_ENTRY) {
  const missing = [
    [`${entry}.js`, 'npm run compile-tests'],
    [path.join(REPO_ROOT, 'dist', 'extension.js'), 'npm run build'],
  ].filter(([file]) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new ToolsError(
      `Missing ${missing.map(([file]) => path.relative(REPO_ROOT, file)).join(' and ')}; run ` +
        `${missing.map(([, command]) => command).join(' && ')} first.`,
    );
  }
}

/** `Integration tests: 5 passing, 0 failing, 0 pending (12.3 s)` */
export function describeCounts(label, counts) {
  return (
    `${label}: ${counts.passes} passing, ${counts.failures} failing, ${counts.pending} pending` +
    ` (${counts.seconds.toFixed(1)} s)`
  );
}

async function main() {
  const server = await startVsCodeServer({
    installExtensions: [path.join(REPO_ROOT, 'test', 'fixtures', 'fake-lm-extension')],
    testCertificates: true,
  });
  try {
    const counts = await runIntegrationSuite(server);
    console.log(`\n${describeCounts('Integration tests', counts)}`);
    return counts.ok ? 0 : 1;
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof ToolsError ? `[integration] ${error.message}` : error);
      process.exit(1);
    },
  );
}
