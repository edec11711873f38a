// Runs the integration tests and then the UI tests against ONE VS Code server (code-server, the
// real Node extension host, offline), then the two-window suite, prints their counts and exits
// non-zero if any failed.
//   node test/run-vscode-tests.mjs            all suites (what `npm test` runs)
//   node test/run-vscode-tests.mjs --integration | --ui | --two-windows
// The two-window suite runs last, on a server of its own (test/integration/twoWindows/run.mjs).
// Needs `npm run compile-tests && npm run build` first; installs its tools on first use (see
// scripts/vscodeTools.mjs) and tells you what to apt-get install if Chromium is missing.
import path from 'node:path';
import { REPO_ROOT, startVsCodeServer } from '../scripts/vscodeServer.mjs';
import { TOOL_VERSIONS, ToolsError, ensureVsCodeTools } from '../scripts/vscodeTools.mjs';
import { describeCounts, runIntegrationSuite } from './integration/run.mjs';
import { runTwoWindowSuite } from './integration/twoWindows/run.mjs';
import { runUiSuite } from './ui/run.mjs';

async function main() {
  const only = ['integration', 'ui', 'two-windows'].find((suite) => process.argv.includes(`--${suite}`));
  const toolsStarted = Date.now();
  await ensureVsCodeTools();
  const toolsSeconds = (Date.now() - toolsStarted) / 1000;
  console.log(
    `== VS Code tests: code-server ${TOOL_VERSIONS.codeServer} (VS Code ${TOOL_VERSIONS.codeServer.replace(/^4\./, '1.')}), ` +
      `Node ${TOOL_VERSIONS.node} extension host; tools ready in ${toolsSeconds.toFixed(1)} s`,
  );

  const serverStarted = Date.now();
  const summary = [];
  let ok = true;
  if (only === undefined || only === 'integration' || only === 'ui') {
    ok = await runSharedServerSuites(only, summary);
  }
  if (only === undefined || only === 'two-windows') {
    console.log('\n== Two-window tests (two workbench windows at once, a server of their own)');
    const counts = await runTwoWindowSuite();
    summary.push(describeCounts('Two-window tests', counts));
    ok &&= counts.ok;
  }
  console.log(`\n${summary.join('\n')}`);
  console.log(`Server start to suites finished: ${((Date.now() - serverStarted) / 1000).toFixed(1)} s`);
  console.log(ok ? 'VS Code tests passed.' : 'VS Code tests FAILED.');
  return ok ? 0 : 1;
}

/** The integration and UI suites, which share one server; appends their counts to `summary`. */
async function runSharedServerSuites(only, summary) {
  // A stand-in for Copilot (a second extension offering a chat model) for vscode-lm chain members.
  const server = await startVsCodeServer({
    installExtensions: [path.join(REPO_ROOT, 'test', 'fixtures', 'fake-lm-extension')],
  });
  let ok = true;
  try {
    if (only !== 'ui') {
      console.log('\n== Integration tests (mocha inside the extension host)');
      const counts = await runIntegrationSuite(server);
      summary.push(describeCounts('Integration tests', counts));
      ok &&= counts.ok;
    }
    if (only !== 'integration') {
      console.log('\n== UI tests (Playwright against the workbench)');
      const counts = await runUiSuite(server);
      summary.push(describeCounts('UI tests', counts));
      ok &&= counts.ok;
    }
  } finally {
    await server.close();
  }
  return ok;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ToolsError ? `\n[vscode tests] ${error.message}` : error);
    process.exit(1);
  },
);
