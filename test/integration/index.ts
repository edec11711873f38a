// Entry of the integration suite, in the shape @vscode/test-electron expects: the extension host
// loads this module (`extensionTestsPath`) and awaits `run()`. The offline driver
// (test/run-vscode-tests.mjs, through code-server) and `npm run test:desktop` both use it.
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import Mocha from 'mocha';
import { AFTER_RELOAD_TAG, currentPhase } from './reload';

/**
 * A line `RESULT_MARKER + JSON` carries the counts for the offline driver's summary
 * (test/integration/run.mjs).
 */
export const RESULT_MARKER = '##result ';

/**
 * The offline driver sees the extension host's console mixed with the workbench's own logs; it
 * asks for a prefix on every line of ours (LLM_MANAGER_TEST_OUTPUT_TAG) and prints only those.
 * Under @vscode/test-electron the output is plain.
 */
function outputTag(): string {
  return process.env.LLM_MANAGER_TEST_OUTPUT_TAG ?? '';
}

export interface SuiteResult {
  readonly phase: string;
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
}

/** Folders below this one that hold suites of their own (run by their own entry and driver). */
const SEPARATE_SUITES = ['twoWindows'];

/** Runs every `*.test.js` next to this file; rejects when a test fails (the host then exits 1). */
export async function run(): Promise<void> {
  const phase = currentPhase();
  const root = __dirname;
  const files = (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.test.js') && !SEPARATE_SUITES.includes(file.split(path.sep)[0]))
    .sort()
    .map((file) => path.resolve(root, file));
  await runMochaSuite({
    label: `phase ${phase}`,
    files,
    result: { phase },
    configure: (mocha) => {
      // Tests marked with itAfterReload run only in the window opened after the reload; the rest
      // only before it. In a single-window run (no reload) everything runs once.
      const afterReload = new RegExp(escapeRegExp(AFTER_RELOAD_TAG));
      if (phase === 'beforeReload') mocha.grep(afterReload).invert();
      if (phase === 'afterReload') mocha.grep(afterReload);
    },
  });
}

/**
 * Runs mocha over `files` in this extension host with the output the offline driver reads: every
 * line tagged, then a {@link RESULT_MARKER} line with the counts. Rejects when a test fails.
 */
export async function runMochaSuite(options: {
  readonly label: string;
  readonly files: readonly string[];
  /** Fields the result line carries besides the counts (`phase`, a window number). */
  readonly result: { readonly phase: string } & Record<string, unknown>;
  readonly timeoutMs?: number;
  readonly configure?: (mocha: Mocha) => void;
}): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: options.timeoutMs ?? 30_000, slow: 2_000 });
  options.configure?.(mocha);

  const tag = outputTag();
  const log = (...args: unknown[]) =>
    console.log(tag ? format(...args).replace(/^/gm, tag) : format(...args));
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

  for (const file of options.files) mocha.addFile(file);

  try {
    log(`${options.label}: ${options.files.length} test file(s)`);
    const runner = await new Promise<Mocha.Runner>((resolve) => {
      const started = mocha.run(() => resolve(started));
    });
    const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
    const result: SuiteResult = {
      ...options.result,
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
