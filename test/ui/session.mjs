// The workbench the UI tests drive, set up by test/ui/run.mjs before mocha loads the test files.

/**
 * @typedef {object} UiSession
 * @property {import('../../scripts/vscodeServer.mjs').VsCodeServer} server The running code-server.
 * @property {import('playwright-core').BrowserContext} context The browser profile of `page`.
 * @property {import('playwright-core').Page} page A workbench with this repository's extension loaded
 *   (no test payload), shared by all UI tests: leave it as you found it (close what you open).
 */

let current;

/** @param {UiSession | undefined} session */
export function setUiSession(session) {
  current = session;
}

/** @returns {UiSession} */
export function uiSession() {
  if (!current)
    throw new Error('No UI session: run UI tests through test/ui/run.mjs or test/run-vscode-tests.mjs.');
  return current;
}
