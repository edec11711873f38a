// Runs the two-window suite (test/integration/twoWindows/*.test.ts, compiled to out/): TWO
// workbench windows at the same time — two pages of one browser context on one code-server of its
// own, so its ledger starts empty and leaks into no other suite. Each page gets its own extension
// host; the two share the browser profile (globalState) and the server's global storage folder,
// as two windows of one VS Code do. Alone: `node test/integration/twoWindows/run.mjs` (after
// `npm run compile-tests && npm run build`); `npm test` runs it through test/run-vscode-tests.mjs.
//
// Each window learns which it is from LLM_MANAGER_TEST_WINDOW (1 or 2), meets the other at
// barriers in a shared folder (LLM_MANAGER_TEST_COORDINATION, see coordination.ts), and talks to
// one fault upstream this driver runs (LLM_MANAGER_TEST_UPSTREAM), so the upstream counts the
// calls of both windows.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, onSignalCleanup, startVsCodeServer } from '../../../scripts/vscodeServer.mjs';
import { ToolsError } from '../../../scripts/vscodeTools.mjs';
import { assertBuilt, describeCounts, openSuiteWindow } from '../run.mjs';

const ENTRY = path.join(REPO_ROOT, 'out', 'test', 'integration', 'twoWindows', 'index');
const EXTENSION_ID = 'llm-manager.llm-manager';
const WINDOWS = [1, 2];

/**
 * The models both windows use, all on the driver's upstream (keep the ids in step with MODELS in
 * twoWindows/support.ts). The tests compute the exact cost of every request from these prices and
 * the upstream's deterministic usage.
 */
export function twoWindowSettings(upstreamUrl) {
  const model = (id, provider, behaviour, inputPricePerMTok, outputPricePerMTok) => ({
    id,
    provider,
    model: behaviour,
    baseUrl: provider === 'openai' ? `${upstreamUrl}/v1` : upstreamUrl,
    auth: 'none',
    inputPricePerMTok,
    outputPricePerMTok,
    contextWindow: 128_000,
    maxOutputTokens: 4096,
  });
  return {
    'llmManager.models': [
      model('tw-alpha', 'openai', 'ok~twoWindows-alpha', 2.5, 10),
      model('tw-beta', 'anthropic', 'ok~twoWindows-beta', 0.8, 4),
      model('tw-broken', 'openai', 'error-500~twoWindows', 2.5, 10),
      model('tw-free', 'openai', 'ok~twoWindows-free', 0, 0),
    ],
    'llmManager.activeModel': 'tw-alpha',
    // In the chain so that listModels() reports their circuits; requests name their own chain.
    'llmManager.fallbackChain': ['tw-beta', 'tw-broken', 'tw-free'],
    'llmManager.retry.maxRetries': 0,
    'llmManager.circuitBreaker.failureThreshold': 3,
    'llmManager.circuitBreaker.recoveryTimeoutSeconds': 4,
  };
}

/**
 * Starts the upstream and a server of its own, runs the suite in two windows at once and returns
 * the counts of both together.
 *
 * @param {object} [options]
 * @param {(line: string) => void} [options.print] Where the suite's lines go (default: stdout).
 * @returns {Promise<{ ok: boolean, passes: number, failures: number, pending: number, seconds: number }>}
 */
export async function runTwoWindowSuite(options = {}) {
  const print = options.print ?? ((line) => console.log(line));
  assertBuilt(ENTRY);
  const started = Date.now();
  const { startFaultUpstream } = createRequire(import.meta.url)(
    path.join(REPO_ROOT, 'out', 'src', 'demo', 'faultUpstream.js'),
  );
  const upstream = await startFaultUpstream();
  const stopUpstream = onSignalCleanup(() => upstream.close());
  let server;
  let context;
  try {
    server = await startVsCodeServer({ settings: twoWindowSettings(upstream.url), log: print });
    const coordination = path.join(server.tempDir, 'two-windows');
    fs.mkdirSync(coordination, { recursive: true });
    context = await server.newContext();
    const windows = [];
    for (const number of WINDOWS) {
      // One after the other: openWorkbench waits for "its" extension host by the server's log.
      // Window 1's tests wait at their first barrier until window 2 is up.
      const folder = path.join(server.tempDir, `two-windows-workspace-${number}`);
      fs.mkdirSync(folder, { recursive: true });
      windows.push(
        await openSuiteWindow(server, context, {
          phase: 'twoWindows',
          entry: ENTRY,
          folder,
          extensionEnvironment: {
            LLM_MANAGER_TEST_WINDOW: String(number),
            LLM_MANAGER_TEST_COORDINATION: coordination,
            LLM_MANAGER_TEST_UPSTREAM: upstream.url,
            LLM_MANAGER_TEST_GLOBAL_STORAGE: server.globalStorageFolder(EXTENSION_ID),
          },
          print: (line) => print(`[window ${number}] ${line}`),
        }),
      );
    }
    const outcomes = await Promise.all(windows.map((window) => window.outcome));
    const totals = { passes: 0, failures: 0, pending: 0 };
    for (const { result } of outcomes) {
      if (!result) continue;
      totals.passes += result.passes;
      totals.failures += result.failures;
      totals.pending += result.pending;
    }
    const ok = outcomes.every(({ code, result }) => code === 0 && result) && totals.failures === 0;
    print(`[two windows] the upstream served ${upstream.stats().total} request(s) for both windows.`);
    return { ok, ...totals, seconds: (Date.now() - started) / 1000 };
  } finally {
    await context?.close().catch(() => {});
    await server?.close();
    stopUpstream();
    await upstream.close();
  }
}

async function main() {
  const counts = await runTwoWindowSuite();
  console.log(`\n${describeCounts('Two-window tests', counts)}`);
  return counts.ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof ToolsError ? `[two windows] ${error.message}` : error);
      process.exit(1);
    },
  );
}
