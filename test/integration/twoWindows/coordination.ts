// How the two windows of the two-window suite meet: files in a folder both extension hosts see
// (LLM_MANAGER_TEST_COORDINATION, made by the driver). `meet(name, value)` writes this window's
// arrival and waits, with a deadline, for the other's — and fails at once, saying why, when the
// other window failed the same test instead of arriving.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

export type WindowNumber = 1 | 2;

/** Which window this extension host is (the driver sets LLM_MANAGER_TEST_WINDOW). */
export function thisWindow(): WindowNumber {
  const value = process.env.LLM_MANAGER_TEST_WINDOW;
  if (value !== '1' && value !== '2') {
    throw new Error(
      'LLM_MANAGER_TEST_WINDOW is not 1 or 2: run this suite with test/integration/twoWindows/run.mjs.',
    );
  }
  return Number(value) as WindowNumber;
}

export function otherWindow(): WindowNumber {
  return thisWindow() === 1 ? 2 : 1;
}

function folder(): string {
  const value = process.env.LLM_MANAGER_TEST_COORDINATION;
  if (!value) throw new Error('LLM_MANAGER_TEST_COORDINATION is not set: run this suite with its driver.');
  return value;
}

let currentTest = 'suite';

/** Call inside each `describe`: keys barriers by test and tells the other window when a test fails here. */
export function coordinateTests(): void {
  beforeEach(function () {
    currentTest = safe(this.currentTest?.fullTitle() ?? 'suite');
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      writeAtomically(path.join(folder(), `failed.${currentTest}.${thisWindow()}.json`), {
        message: String(this.currentTest.err?.message ?? 'failed'),
      });
    }
  });
}

/**
 * Waits until both windows reached `name` in the current test; returns the value the other window
 * brought. Fails after `timeoutMs`, or as soon as the other window failed this test.
 */
export async function meet<T = unknown>(name: string, value: unknown = null, timeoutMs = 60_000): Promise<T> {
  const key = `${currentTest}.${safe(name)}`;
  writeAtomically(path.join(folder(), `${key}.${thisWindow()}.json`), { value, at: Date.now() });
  const theirs = path.join(folder(), `${key}.${otherWindow()}.json`);
  const theirFailure = path.join(folder(), `failed.${currentTest}.${otherWindow()}.json`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrived = readJson<{ value: T }>(theirs);
    if (arrived) return arrived.value;
    const failed = readJson<{ message: string }>(theirFailure);
    if (failed) {
      assert.fail(`window ${otherWindow()} failed this test before reaching "${name}": ${failed.message}`);
    }
    if (Date.now() > deadline) {
      assert.fail(`window ${otherWindow()} did not reach "${name}" within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function writeAtomically(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(value));
  fs.renameSync(temp, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 120);
}
