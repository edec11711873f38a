// The error of the test tooling (scripts/vscodeTools.mjs, scripts/systemPackages.mjs, the runners):
// its message is written for the person running the tests, so print the message, not a stack.

/** An error whose message is meant for the person running the tests: print it, not its stack. */
export class ToolsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ToolsError';
  }
}
