import * as assert from 'node:assert/strict';
import {
  LlmManager,
  MemorySharedSpace,
  MemorySharedStore,
  type BudgetAlert,
  type LlmManagerOptions,
} from '../../../src/core';
import { FakeClock, MemoryLogger } from '../../support/fakeClock';
import { metadata, ScriptedProvider, type ScriptStep } from '../../support/scriptedProvider';

/** A small deterministic random source (mulberry32), so a failing run can be replayed by its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Window {
  readonly manager: LlmManager;
  readonly store: MemorySharedStore;
  readonly provider: ScriptedProvider;
  readonly logger: MemoryLogger;
}

/** One more window (its own manager, store and window id) on the shared space. */
function openWindow(
  space: MemorySharedSpace,
  clock: FakeClock,
  script: readonly ScriptStep[] | ((call: number) => ScriptStep),
  options: LlmManagerOptions = {},
  price: { input: number; output: number; maxOutputTokens?: number } = { input: 1, output: 2 },
): Window {
  const store = new MemorySharedStore(space);
  const logger = new MemoryLogger();
  const manager = new LlmManager({
    clock,
    shared: store,
    logger,
    random: () => 0.5,
    maxRetries: 0,
    persistDebounceMs: 50,
    ...options,
  });
  const provider = new ScriptedProvider('m', script, clock);
  manager.registerModel(
    'm',
    provider,
    metadata({
      inputPricePerMTok: price.input,
      outputPricePerMTok: price.output,
      maxOutputTokens: price.maxOutputTokens ?? 1000,
    }),
  );
  return { manager, store, provider, logger };
}

function close(window: Window): void {
  window.manager.dispose();
  window.store.dispose();
}

describe('one ledger shared by several windows', () => {
  it('never loses spend or a request however flushes interleave (10 000 randomized runs)', async function () {
    this.timeout(120_000);
    const runs = Number(process.env.LEDGER_RUNS ?? 10_000);
    for (let run = 0; run < runs; run++) {
      const random = seeded(run + 1);
      const clock = new FakeClock();
      const space = new MemorySharedSpace(() => clock.now());
      const usage = () => ({
        inputTokens: 1 + Math.floor(random() * 5000),
        outputTokens: Math.floor(random() * 800),
      });
      let expectedUsd = 0;
      let expectedRequests = 0;
      const windows: Window[] = [];
      const count = 2 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        windows.push(openWindow(space, clock, () => ({ usage: usage() })));
      }
      const operations: Array<Promise<unknown>> = [];
      /** Each window's operations, so a window that goes away first finishes what it started. */
      const pending = new Map<Window, Array<Promise<unknown>>>();
      const track = (window: Window, operation: Promise<unknown>) => {
        operations.push(operation);
        pending.set(window, [...(pending.get(window) ?? []), operation]);
      };
      const steps = 4 + Math.floor(random() * 8);
      for (let step = 0; step < steps; step++) {
        const index = Math.floor(random() * windows.length);
        const window = windows[index];
        const choice = random();
        if (choice < 0.55) {
          expectedRequests++;
          track(
            window,
            window.manager.generate({ prompt: `q${step}` }).then((result) => {
              expectedUsd += result.costUsd;
            }),
          );
        } else if (choice < 0.8) {
          track(window, window.manager.flush());
        } else if (choice < 0.92) {
          track(window, window.manager.syncFromStore());
        } else {
          // The window goes away once its requests are done (VS Code awaits the last save), and a
          // new one takes its place.
          const started = [...(pending.get(window) ?? [])];
          operations.push(
            Promise.all(started)
              .then(() => window.manager.flush())
              .then(() => close(window)),
          );
          windows[index] = openWindow(space, clock, () => ({ usage: usage() }));
        }
        // Sometimes let the operations so far run a little before the next one starts.
        if (random() < 0.3) await Promise.resolve();
      }
      await Promise.all(operations);
      await Promise.all(windows.map((w) => w.manager.flush()));
      const observer = openWindow(space, clock, [{}]);
      await observer.manager.ready;
      const metrics = observer.manager.getMetrics();
      const context = `run ${run} (seed ${run + 1})`;
      assert.ok(
        Math.abs(metrics.spend.todayUsd - expectedUsd) < 1e-9,
        `${context}: spend ${metrics.spend.todayUsd} ≠ ${expectedUsd}`,
      );
      assert.equal(metrics.requests, expectedRequests, `${context}: requests`);
      assert.equal(
        observer.manager.getModelInfo('m')!.requests,
        expectedRequests,
        `${context}: per-model requests`,
      );
      for (const window of [...windows, observer]) close(window);
    }
  });

  it('holds a hard stop across windows: together they overshoot by at most one request in flight per window', async () => {
    const clock = new FakeClock();
    const space = new MemorySharedSpace(() => clock.now());
    // Each request costs exactly its worst case: no input price, and the whole output cap used.
    const price = { input: 0, output: 150, maxOutputTokens: 1000 };
    const options = { budget: { dailyUsd: 1, hardStop: true } };
    const windows = [1, 2, 3].map(() =>
      openWindow(space, clock, [{ usage: { inputTokens: 10, outputTokens: 1000 } }], options, price),
    );
    await Promise.all(windows.map((w) => w.manager.ready));
    const results = await Promise.all(
      windows.flatMap((w) =>
        Array.from({ length: 10 }, (_, i) =>
          w.manager.generate({ prompt: `q${i}` }).then(
            (r) => r.costUsd,
            () => 0,
          ),
        ),
      ),
    );
    const spent = results.reduce((sum, usd) => sum + usd, 0);
    const overshoot = Math.max(0, spent - 1);
    console.log(
      `      hard stop $1.00 across 3 windows × 10 requests of $0.15: spent ${spent.toFixed(2)}, overshoot ${overshoot.toFixed(2)}`,
    );
    assert.ok(spent <= 1 + 3 * 0.15 + 1e-9, `spent ${spent}`);
    assert.ok(spent >= 0.9 - 1e-9, `the budget is used, not refused early (spent ${spent})`);
    await Promise.all(windows.map((w) => w.manager.flush()));
    for (const window of windows) {
      await window.manager.syncFromStore();
      assert.ok(Math.abs(window.manager.getMetrics().spend.todayUsd - spent) < 1e-9);
    }
    windows.forEach(close);
  });

  it('fires the budget alert once across windows', async () => {
    const clock = new FakeClock();
    const space = new MemorySharedSpace(() => clock.now());
    const options = { budget: { dailyUsd: 1, alertAt: 0.5 } };
    const windows = [1, 2, 3].map(() =>
      openWindow(space, clock, [{ usage: { inputTokens: 100_000, outputTokens: 0 } }], options),
    );
    const alerts: BudgetAlert[] = [];
    for (const window of windows) window.manager.onDidCrossBudgetAlert((alert) => alerts.push(alert));
    await Promise.all(windows.map((w) => w.manager.ready));
    for (let round = 0; round < 6; round++) {
      await Promise.all(windows.map((w, i) => w.manager.generate({ prompt: `r${round}w${i}` })));
      await clock.tickAsync(100);
    }
    await clock.tickAsync(100);
    assert.deepEqual(
      alerts.map((a) => a.level).sort(),
      ['alert', 'exceeded'],
      `fired: ${alerts.map((a) => a.level).join(', ')}`,
    );
    windows.forEach(close);
  });

  it('shows a circuit another window opened within its write interval, and only one window probes it', async () => {
    const clock = new FakeClock();
    const space = new MemorySharedSpace(() => clock.now());
    const options = { breaker: { failureThreshold: 2, recoveryTimeoutMs: 10_000 } };
    let healthy = false;
    const script = () => (healthy ? { delayMs: 200 } : { error: 'server' as const });
    const one = openWindow(space, clock, script, options);
    const two = openWindow(space, clock, script, options);
    await Promise.all([one.manager.ready, two.manager.ready]);
    await one.manager.generate({ prompt: '1' }).catch(() => undefined);
    await one.manager.generate({ prompt: '2' }).catch(() => undefined);
    assert.equal(one.manager.getModelInfo('m')!.circuit.state, 'open');
    assert.equal(two.manager.getModelInfo('m')!.circuit.state, 'closed');
    await clock.tickAsync(60);
    assert.equal(
      two.manager.getModelInfo('m')!.circuit.state,
      'open',
      'window 2 sees it after window 1 writes',
    );
    assert.equal(two.provider.calls, 0);

    healthy = true;
    await clock.tickAsync(10_000);
    const probes = Promise.all([
      one.manager.generate({ prompt: 'p1' }).catch((e: unknown) => e),
      two.manager.generate({ prompt: 'p2' }).catch((e: unknown) => e),
    ]);
    await clock.tickAsync(300);
    await probes;
    assert.equal(one.provider.calls - 2 + two.provider.calls, 1, 'exactly one probe reached the model');
    close(one);
    close(two);
  });

  it('drops a corrupt or foreign record with a warning and keeps the valid ones', async () => {
    const clock = new FakeClock();
    const space = new MemorySharedSpace(() => clock.now());
    const writer = openWindow(space, clock, [{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }]);
    await writer.manager.generate({ prompt: 'x' });
    await writer.manager.flush();
    space.windows.set('garbage', { format: 'llm-manager.window', version: 2, counters: 'nope' });
    space.windows.set('foreign', { hello: 'world' });
    const reader = openWindow(space, clock, [{}]);
    await reader.manager.ready;
    assert.equal(reader.manager.getMetrics().spend.todayUsd, 1);
    assert.equal(reader.logger.warnings.filter((w) => /unreadable and has been skipped/.test(w)).length, 2);
    close(writer);
    close(reader);
  });

  it('folds the records of windows that are gone into the base, exactly, and stays small', async () => {
    const clock = new FakeClock();
    const space = new MemorySharedSpace(() => clock.now());
    for (let i = 0; i < 60; i++) {
      const window = openWindow(space, clock, [{ usage: { inputTokens: 10_000, outputTokens: 100 } }]);
      await window.manager.ready;
      for (let r = 0; r < 3; r++) await window.manager.generate({ prompt: `w${i}r${r}` });
      await window.manager.flush();
      close(window);
      await clock.tickAsync(11 * 60_000);
    }
    const last = openWindow(space, clock, [{}]);
    await last.manager.ready;
    await last.manager.flush();
    const metrics = last.manager.getMetrics();
    assert.equal(metrics.requests, 180);
    assert.ok(Math.abs(metrics.spend.monthUsd - 180 * ((10_000 * 1 + 100 * 2) / 1_000_000)) < 1e-9);
    assert.ok(space.windows.size <= 3, `${space.windows.size} window records left`);
    const bytes = JSON.stringify({ base: space.base, windows: [...space.windows] }).length;
    console.log(
      `      after 60 windows came and went: ${space.windows.size} records, ${(bytes / 1024).toFixed(1)} KB`,
    );
    assert.ok(bytes <= 256 * 1024, `${bytes} bytes`);
    close(last);
  });
});
