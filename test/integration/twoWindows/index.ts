// Entry of the two-window suite: the driver (twoWindows/run.mjs) opens two workbench windows at
// once, each with its own extension host, and loads this module in both. Each runs every
// `*.test.js` of this folder; the tests tell the windows apart by LLM_MANAGER_TEST_WINDOW and meet
// at barriers in a shared folder (coordination.ts).
import * as fs from 'fs';
import * as path from 'path';
import { runMochaSuite } from '../index';
import { thisWindow } from './coordination';

/**
 * In this order: the ledger test expects the exact sums of every request so far, so the tests that
 * fail requests on purpose (the budget's refusals, the circuit's failures) come after it.
 */
const ORDER = ['environment', 'ledger', 'budget', 'circuits'];

export async function run(): Promise<void> {
  const window = thisWindow();
  const found = fs.readdirSync(__dirname).filter((file) => file.endsWith('.test.js'));
  const unordered = found.filter((file) => !ORDER.includes(file.replace(/\.test\.js$/, '')));
  if (unordered.length > 0) throw new Error(`Add ${unordered.join(', ')} to ORDER in twoWindows/index.ts.`);
  const files = ORDER.map((name) => path.join(__dirname, `${name}.test.js`));
  // Barriers wait for the other window (which may still be starting): give tests room.
  await runMochaSuite({
    label: `window ${window}`,
    files,
    result: { phase: 'twoWindows', window },
    timeoutMs: 180_000,
  });
}
