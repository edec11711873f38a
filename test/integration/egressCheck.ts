// Loaded last by the suite entry (index.ts): checks what egress.ts recorded during the whole run.
import * as assert from 'assert';
import { egressReport } from './egress';
import { testLog } from './output';
import { currentPhase, EVERY_WINDOW_TAG } from './reload';

describe('egress', function () {
  it(`${EVERY_WINDOW_TAG} every outbound connection of the extension host went to a configured endpoint`, () => {
    const report = egressReport();
    testLog(`    outbound connections during this run (${report.length} endpoint(s)):`);
    for (const entry of report)
      testLog(
        `      ${entry.allowedAs ? ' ' : '✖'} ${entry.target.padEnd(34)} ${String(entry.tcp).padStart(4)} socket(s) ${String(entry.request).padStart(4)} request(s)  ${entry.allowedAs ?? 'NOT CONFIGURED'}`,
      );
    // The window after the reload answers from restored state, so only the first must see traffic.
    if (currentPhase() !== 'afterReload')
      assert.ok(report.length > 0, 'the recorder saw the suite’s own traffic (so the check means something)');
    const strangers = report.filter((entry) => !entry.allowedAs).map((entry) => entry.target);
    assert.deepStrictEqual(strangers, [], 'connections to endpoints nobody configured');
  });
});
