// Entry of the integration suite, in the shape @vscode/test-electron expects: the extension host
// loads this module (`extensionTestsPath`) and awaits `run()`. The offline driver
// (test/run-vscode-tests.mjs, through code-server) and `npm run test:desktop` both use it.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { startEgressRecording } from './egress';
import { testLog } from './output';
import { AFTER_RELOAD_TAG, currentPhase, EVERY_WINDOW_TAG } from './reload';

// From the first moment the suite is loaded, every outbound connection is recorded (egress.ts).
startEgressRecording();

/**
 * A line `RESULT_MARKER + JSON` carries the counts for the offline driver's summary
 * (test/integration/run.mjs).
 */
export const RESULT_MARKER = '##result ';

export interface SuiteResult {
  readonly phase: string;
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
}

/**
 * Runs every `*.test.js` under this folder except restricted/ and twoWindows/ (suites of their own,
 * with their own entries and drivers).
 */
export function run(): Promise<void> {
  return runSuite(__dirname, ['restricted', 'twoWindows']);
}

/**
 * Runs every `*.test.js` under `root` (except the sub-folders `exclude`), then the egress check;
 * rejects when a test fails (the host then exits 1).
 */
export async function runSuite(root: string, exclude: readonly string[] = []): Promise<void> {
  const phase = currentPhase();
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 30_000, slow: 2_000 });
  // Tests marked with itAfterReload run only in the window opened after the reload; the rest
  // only before it. In a single-window run (no reload) everything runs once.
  const afterReload = new RegExp(escapeRegExp(AFTER_RELOAD_TAG));
  if (phase === 'beforeReload') mocha.grep(afterReload).invert();
  if (phase === 'afterReload')
    mocha.grep(new RegExp(`${escapeRegExp(AFTER_RELOAD_TAG)}|${escapeRegExp(EVERY_WINDOW_TAG)}`));

  const log = testLog;
  const reporterBase = Mocha.reporters.Base as unknown as {
    consoleLog: (...args: unknown[]) => void;
    useColors: boolean;
    symbols: { ok: string; err: string };
  };
  // Plain text: the lines travel through the browser console. (A `color: false` option does not
  // stick, mocha applies only truthy flags; and its ✔/✖ come pre-coloured when CI is set.)
  reporterBase.useColors = false;
  reporterBase.symbols.ok = '✔';
  reporterBase.symbols.err = '✖';
  const originalConsoleLog = reporterBase.consoleLog;
  reporterBase.consoleLog = log;

  const files = (fs.readdirSync(root, { recursive: true }) as string[])
    .filter(
      (file) =>
        file.endsWith('.test.js') && !exclude.some((folder) => file.startsWith(`${folder}${path.sep}`)),
    )
    .sort();
  for (const file of files) mocha.addFile(path.resolve(root, file));
  // Last, so it sees the traffic of every test before it.
  mocha.addFile(path.resolve(__dirname, 'egressCheck.js'));

  try {
    log(`phase ${phase}: ${files.length} test file(s)`);
    const runner = await new Promise<Mocha.Runner>((resolve) => {
      const started = mocha.run(() => resolve(started));
    });
    const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
    const result: SuiteResult = {
      phase,
      passes: stats.passes,
      failures: stats.failures,
      pending: stats.pending,
    };
    log(RESULT_MARKER + JSON.stringify(result));
    if (result.failures > 0) throw new Error(`${result.failures} integration test(s) failed.`);
  } finally {
    reporterBase.consoleLog = originalConsoleLog;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
