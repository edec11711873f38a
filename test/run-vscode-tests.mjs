// Runs the integration tests and then the UI tests against ONE VS Code server (code-server, the
// real Node extension host, offline), then the Restricted Mode and two-window suites on servers of
// their own, prints their counts and exits non-zero if any failed.
//   node test/run-vscode-tests.mjs            all suites (what `npm test` runs)
//   node test/run-vscode-tests.mjs --integration | --ui   (--integration includes the Restricted Mode
//                                                          and two-window suites)
//   node test/run-vscode-tests.mjs --two-windows          the two-window suite alone
// Needs `npm run compile-tests && npm run build` first. Installs what it needs on first use:
// the system packages (Chromium, openssl; a C++ toolchain while code-server is built) as root or
// with password-less sudo, else it prints the apt-get command and exits 1 (scripts/systemPackages.mjs);
// then Node 24 and code-server into the tools cache (scripts/vscodeTools.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startVsCodeServer } from '../scripts/vscodeServer.mjs';
import { TOOL_VERSIONS, ToolsError, ensureVsCodeTools } from '../scripts/vscodeTools.mjs';
import { describeCounts, runIntegrationSuite } from './integration/run.mjs';
import { runRestrictedSuite } from './integration/runRestricted.mjs';
import { runTwoWindowSuite } from './integration/twoWindows/run.mjs';
import { runUiSuite } from './ui/run.mjs';

async function main() {
  const only = process.argv.includes('--integration')
    ? 'integration'
    : process.argv.includes('--ui')
      ? 'ui'
      : process.argv.includes('--two-windows')
        ? 'two-windows'
        : undefined;
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
  if (only !== 'two-windows') ok = await runSharedServerSuites(only, summary);
  if (only !== 'ui' && only !== 'two-windows') {
    // Its own server: workspace trust on, LLM Manager installed as a user has it.
    console.log('\n== Restricted Mode tests (untrusted workspace, LLM Manager installed from its VSIX)');
    const counts = await runRestrictedSuite();
    summary.push(describeCounts('Restricted Mode tests', counts));
    ok &&= counts.ok;
  }
  if (only !== 'ui') {
    // Its own server too, so its ledger starts empty and leaks into no other suite.
    console.log('\n== Two-window tests (two workbench windows at once)');
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
    // A test CA as the system certificates, for the HTTPS tests (scripts/testCertificates.mjs).
    testCertificates: true,
  });
  const startSettings = { ...server.callerSettings };
  let ok = true;
  try {
    if (only !== 'ui') {
      console.log('\n== Integration tests (mocha inside the extension host)');
      const counts = await runIntegrationSuite(server);
      summary.push(describeCounts('Integration tests', counts));
      ok &&= counts.ok;
    }
    if (only !== 'integration') {
      // The UI tests start from the server's first settings, whatever the integration suite
      // left behind (a test that fails before its cleanup would otherwise fail many more here).
      server.writeUserSettings(startSettings);
      // And from an empty shared ledger: the integration suite's spend and circuits live in the
      // server's global storage (a new browser profile starts with empty globalState, not this).
      fs.rmSync(path.join(server.globalStorageFolder('llm-manager.llm-manager'), 'shared'), {
        recursive: true,
        force: true,
      });
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
