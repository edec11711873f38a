// `npm run test:desktop`: the same integration suite in desktop VS Code through
// @vscode/test-electron, for machines that can download VS Code (it fails offline; use `npm test`).
// Like the offline driver it runs the suite twice with one user-data dir, the second launch
// standing in for a window reload (see reload.ts).
//   VSCODE_VERSION=1.104.0 npm run test:desktop    (default: stable)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../../scripts/vscodeServer.mjs';

const suiteEntry = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index');

async function main() {
  for (const [file, command] of [
    [`${suiteEntry}.js`, 'npm run compile-tests'],
    [path.join(REPO_ROOT, 'dist', 'extension.js'), 'npm run build'],
  ]) {
    if (!fs.existsSync(file))
      throw new Error(`Missing ${path.relative(REPO_ROOT, file)}; run ${command} first.`);
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-manager-desktop-'));
  const workspace = path.join(temp, 'workspace');
  fs.mkdirSync(workspace);
  try {
    for (const phase of ['beforeReload', 'afterReload']) {
      console.log(
        `\n== integration tests, ${phase === 'beforeReload' ? 'first launch' : 'second launch (same profile)'}`,
      );
      // Rejects when VS Code exits non-zero, i.e. when the suite's run() rejects.
      await runTests({
        version: process.env.VSCODE_VERSION || 'stable',
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: suiteEntry,
        extensionTestsEnv: {
          LLM_MANAGER_TEST_PHASE: phase,
          LLM_MANAGER_TEST_RELOAD_FILE: path.join(temp, 'reload-expectations.json'),
        },
        launchArgs: [
          '--user-data-dir',
          path.join(temp, 'user-data'),
          '--extensions-dir',
          path.join(temp, 'extensions'),
          '--disable-extensions',
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
          workspace,
        ],
      });
    }
    console.log('\nDesktop integration tests passed.');
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`Desktop integration tests failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
