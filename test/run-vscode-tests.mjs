// Runs the integration tests and then the UI tests against ONE VS Code server (code-server, the
// real Node extension host, offline), prints their counts and exits non-zero if any failed.
//   node test/run-vscode-tests.mjs            both suites (what `npm test` runs)
//   node test/run-vscode-tests.mjs --integration | --ui   (--integration includes the Restricted Mode suite)
// Needs `npm run compile-tests && npm run build` first; installs its tools on first use (see
// scripts/vscodeTools.mjs) and tells you what to apt-get install if Chromium is missing.
import path from 'node:path';
import { REPO_ROOT, startVsCodeServer } from '../scripts/vscodeServer.mjs';
import { TOOL_VERSIONS, ToolsError, ensureVsCodeTools } from '../scripts/vscodeTools.mjs';
import { describeCounts, runIntegrationSuite } from './integration/run.mjs';
import { runRestrictedSuite } from './integration/runRestricted.mjs';
import { runUiSuite } from './ui/run.mjs';

async function main() {
  const only = process.argv.includes('--integration')
    ? 'integration'
    : process.argv.includes('--ui')
      ? 'ui'
      : undefined;
  const toolsStarted = Date.now();
  await ensureVsCodeTools();
  const toolsSeconds = (Date.now() - toolsStarted) / 1000;
  console.log(
    `== VS Code tests: code-server ${TOOL_VERSIONS.codeServer} (VS Code ${TOOL_VERSIONS.codeServer.replace(/^4\./, '1.')}), ` +
      `Node ${TOOL_VERSIONS.node} extension host; tools ready in ${toolsSeconds.toFixed(1)} s`,
  );

  const serverStarted = Date.now();
  // A stand-in for Copilot (a second extension offering a chat model) for vscode-lm chain members.
  const server = await startVsCodeServer({
    installExtensions: [path.join(REPO_ROOT, 'test', 'fixtures', 'fake-lm-extension')],
    // A test CA as the system certificates, for the HTTPS tests (scripts/testCertificates.mjs).
    testCertificates: true,
  });
  const summary = [];
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
  if (only !== 'ui') {
    // Its own server: workspace trust on, LLM Manager installed as a user has it.
    console.log('\n== Restricted Mode tests (untrusted workspace, LLM Manager installed from its VSIX)');
    const counts = await runRestrictedSuite();
    summary.push(describeCounts('Restricted Mode tests', counts));
    ok &&= counts.ok;
  }
  console.log(`\n${summary.join('\n')}`);
  console.log(`Server start to suites finished: ${((Date.now() - serverStarted) / 1000).toFixed(1)} s`);
  console.log(ok ? 'VS Code tests passed.' : 'VS Code tests FAILED.');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ToolsError ? `\n[vscode tests] ${error.message}` : error);
    process.exit(1);
  },
);
