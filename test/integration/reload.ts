// Tests that prove state survives a window reload. The drivers run the suite twice in one browser
// profile (offline: a page reload; desktop: a second launch with the same user-data dir) and tell
// each run its phase through LLM_MANAGER_TEST_PHASE.

/** `beforeReload` (the first window), `afterReload` (the reloaded one) or `single` (no reload). */
export type TestPhase = 'beforeReload' | 'afterReload' | 'single';

/** Marks a test title as belonging to the window after the reload. */
export const AFTER_RELOAD_TAG = '[after reload]';

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
