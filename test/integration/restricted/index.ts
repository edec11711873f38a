// Entry of the Restricted Mode suite: it runs in a server with workspace trust on, where LLM
// Manager is installed from its VSIX (production mode) and the extension under development is
// the probe fixture (test/fixtures/security-probe-extension). Driver: test/integration/runRestricted.mjs.
import { runSuite } from '../index';

export function run(): Promise<void> {
  return runSuite(__dirname);
}
