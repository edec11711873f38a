import * as fs from 'fs';

// Tests that prove state survives a window reload. The drivers run the suite twice in one browser
// profile (offline: a page reload; desktop: a second launch with the same user-data dir) and tell
// each run its phase through LLM_MANAGER_TEST_PHASE.

/** `beforeReload` (the first window), `afterReload` (the reloaded one) or `single` (no reload). */
export type TestPhase = 'beforeReload' | 'afterReload' | 'single';

/** Marks a test title as belonging to the window after the reload. */
export const AFTER_RELOAD_TAG = '[after reload]';

/** Marks a test that runs in every window (the egress check of each extension host). */
export const EVERY_WINDOW_TAG = '[every window]';

export function currentPhase(): TestPhase {
  const phase = process.env.LLM_MANAGER_TEST_PHASE;
  return phase === 'beforeReload' || phase === 'afterReload' ? phase : 'single';
}

/**
 * Declares a test that runs after the window reload, to check what tests before the reload saved.
 * Ordinary `it` tests run before the reload. In a single-window run both run, in file order, so
 * the check still passes but proves less.
 */
export function itAfterReload(title: string, fn: (this: Mocha.Context) => Promise<void>): Mocha.Test {
  return it(`${AFTER_RELOAD_TAG} ${title}`, fn);
}

const memory = new Map<string, unknown>();

/**
 * Hands a value from a test before the reload to one after it (say, the request count it expects
 * to be restored). The drivers name a file in LLM_MANAGER_TEST_RELOAD_FILE that outlives the
 * window; without one (a single-window run) the value stays in memory.
 */
export function rememberAcrossReload(key: string, value: unknown): void {
  memory.set(key, value);
  const file = process.env.LLM_MANAGER_TEST_RELOAD_FILE;
  if (!file) return;
  const saved = readReloadFile(file);
  saved[key] = value;
  fs.writeFileSync(file, JSON.stringify(saved, null, 2));
}

/** What {@link rememberAcrossReload} stored under `key`, or undefined. */
export function recallAcrossReload<T>(key: string): T | undefined {
  const file = process.env.LLM_MANAGER_TEST_RELOAD_FILE;
  if (file && currentPhase() === 'afterReload') return readReloadFile(file)[key] as T | undefined;
  return memory.get(key) as T | undefined;
}

function readReloadFile(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
