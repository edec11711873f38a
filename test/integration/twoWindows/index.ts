// Entry of the two-window suite: the driver (twoWindows/run.mjs) opens two workbench windows at
// once, each with its own extension host, and loads this module in both. Each runs the tests of
// this folder (twoWindows.test.ts, which loads them in order); they tell the windows apart by
// LLM_MANAGER_TEST_WINDOW and meet at barriers in a shared folder (coordination.ts).
import { runSuite } from '../index';

export function run(): Promise<void> {
  return runSuite(__dirname);
}
