// `npm run demo`: LLM Manager for real, without API keys. Starts the local fault-injecting upstream
// (OpenAI, Anthropic and "local" models that fail in bursts, answer, or stay free), VS Code's
// server build with the built extension and a demo workspace, configured so the chain points at
// that upstream; prints the URL to open and stays up until Ctrl-C, then cleans everything up.
//   npm run demo                      (then open the printed URL in a browser on this machine)
//   npm run demo -- --port 8080       a fixed port for the workbench (loopback only, no auth)
//   npm run demo -- --check           headless self-check: ask the chain from the palette, then exit
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import esbuild from 'esbuild';
import { REPO_ROOT, onSignalCleanup, startVsCodeServer } from './vscodeServer.mjs';
import { ToolsError } from './vscodeTools.mjs';

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

const SAMPLE_CODE = `// Select some code, then run "LLM Manager: Explain Selection" from the command palette (F1).
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

module.exports = { median };
`;

const TRY_ME = `# LLM Manager demo

No keys, no network: every model here is served by a local fault-injecting upstream.

- **Demo GPT** (OpenAI format, the active model) fails in bursts, so its circuit opens, probes and
  closes within a minute; **Demo Claude** (Anthropic format) answers; **Demo local** is free.
- Open \`median.js\`, select the function and run **LLM Manager: Explain Selection** (F1). Ask a few
  times: watch the status bar, the answer's "Answered by" line, and the circuit opening.
- **LLM Manager: Show Routing Trace…** shows every model tried or skipped, waits and cost.
- The **LLM Manager** view in the activity bar shows circuits, latency, tokens and spend.
`;

/**
 * Bundles the two TypeScript modules the demo needs from the sources (milliseconds with esbuild),
 * so `npm run demo` does not depend on a full `tsc` build.
 */
async function loadDemoModules(tempDir) {
  const entry = path.join(tempDir, 'demoEntry.ts');
  fs.writeFileSync(
    entry,
    [
      `export { startFaultUpstream } from ${JSON.stringify(path.join(REPO_ROOT, 'src/demo/faultUpstream'))};`,
      `export { demoAnswerNames, demoSettingsJson } from ${JSON.stringify(path.join(REPO_ROOT, 'src/extension/demoModels'))};`,
      `export { DEMO_CHUNK_DELAY_MS } from ${JSON.stringify(path.join(REPO_ROOT, 'src/demo/demoSetup'))};`,
    ].join('\n'),
  );
  const outfile = path.join(tempDir, 'demo.mjs');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // Node's own modules only; anything else would need a require shim in an ESM bundle.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}

/**
 * The user settings that make the extension's chain point at the demo upstream: the extension
 * layer's `demoSettingsJson` (src/extension/demoModels.ts), shared with "Try Without Keys".
 */
function demoSettings(modules, upstreamUrl) {
  if (typeof modules.demoSettingsJson !== 'function') {
    throw new Error(
      'src/extension/demoModels.ts no longer exports demoSettingsJson(upstreamUrl); update scripts/demo.mjs.',
    );
  }
  return modules.demoSettingsJson(upstreamUrl);
}

function argument(name) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

async function main() {
  const check = process.argv.includes('--check');
  const port = Number(argument('--port') ?? process.env.LLM_MANAGER_DEMO_PORT) || undefined;
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) {
    throw new ToolsError('Missing dist/extension.js; run npm run build first (npm run demo does).');
  }

  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-manager-demo-'));
  let upstream;
  let server;
  const cleanUp = async () => {
    await server?.close();
    if (upstream) {
      const stats = upstream.stats();
      await upstream.close().catch(() => {});
      upstream = undefined;
      console.log(`[demo] the upstream served ${stats.total} request(s).`);
    }
    fs.rmSync(bundleDir, { recursive: true, force: true });
  };
  // On Ctrl-C vscodeServer.mjs stops the server; this closes the upstream and the bundle too.
  onSignalCleanup(cleanUp);

  try {
    const modules = await loadDemoModules(bundleDir);
    upstream = await modules.startFaultUpstream({
      host: '127.0.0.1',
      chunkDelayMs: modules.DEMO_CHUNK_DELAY_MS,
      // Answers name the model the user sees (`demo-claude`), not its behaviour name.
      answerNames: modules.demoAnswerNames(),
    });
    console.log(`[demo] fault upstream on ${upstream.url}`);

    server = await startVsCodeServer({ settings: demoSettings(modules, upstream.url), port });
    fs.writeFileSync(path.join(server.workspace, 'median.js'), SAMPLE_CODE);
    fs.writeFileSync(path.join(server.workspace, 'TRY-ME.md'), TRY_ME);
    const url = server.workbenchUrl();
    console.log(`[demo] ready in ${seconds()} s. Open this URL in a browser on this machine:\n\n  ${url}\n`);

    if (check) return await selfCheck(server);
    console.log('[demo] Ctrl-C stops the demo and removes its temp files.');
    await new Promise(() => {});
  } finally {
    await cleanUp();
  }
  return 0;
}

/** Opens the demo headless and asks the chain from the palette, as a person would. */
async function selfCheck(server) {
  const { runCommand, waitForCommand, screenshot, clearNotifications, webviewFrame } =
    await import('../test/ui/helpers.mjs');
  const context = await server.newContext();
  const page = await server.openWorkbench(context);
  await waitForCommand(page, 'LLM Manager: Explain Selection', 60_000);
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('median.js');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'median.js' }).first().click();
  const code = page.locator('.editor-instance .view-lines', { hasText: 'function median' });
  await code.waitFor();
  await code.click();
  await page.keyboard.press('Control+A');
  const asked = Date.now();
  await runCommand(page, 'LLM Manager: Explain Selection');
  // The answer view beside the code: its footer names the model that answered.
  const answer = webviewFrame(page).locator('.answer-footer', { hasText: 'Answered by' });
  await answer.waitFor({ timeout: 60_000 });
  const text = (await answer.innerText()).replace(/\u00a0/g, ' ');
  const by = /Answered by[^\n]*/.exec(text)?.[0] ?? '(no "Answered by" line)';
  await clearNotifications(page);
  const file = await screenshot(page, 'demo-check');
  console.log(
    `[demo] check: "Explain Selection" answered in ${((Date.now() - asked) / 1000).toFixed(1)} s — ${by}`,
  );
  console.log(`[demo] check: screenshot ${path.relative(REPO_ROOT, file)}; start to answer ${seconds()} s`);
  await context.close();
  return /Answered by demo-/.test(text) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ToolsError ? `[demo] ${error.message}` : error);
    process.exit(1);
  },
);
