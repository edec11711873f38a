import * as assert from 'node:assert/strict';
import { LEGACY_STORE_KEYS, STORE_KEYS, type BudgetAlert, type CircuitChange } from '../../../src/core';
import { FakeClock, MemoryStore } from '../../support/fakeClock';
import { harness, rejection, settle, type ScriptStep } from '../../support/scriptedProvider';

const fail = (error: ScriptStep['error']): ScriptStep => ({ error });

describe('LlmManager state', () => {
  describe('circuit breakers in the chain', () => {
    it('opens a circuit after failureThreshold counted failures and skips the model while open', async () => {
      const { manager, providers } = harness(
        { a: { script: [fail('server')] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 3, recoveryTimeoutMs: 60_000 } },
      );
      const changes: CircuitChange[] = [];
      manager.onDidChangeCircuit((c) => changes.push(c));
      for (let i = 0; i < 3; i++) await manager.generate({ prompt: `q${i}` });
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'open');
      assert.deepEqual(
        changes.map((c) => `${c.model}:${c.from}→${c.to}`),
        ['a:closed→open'],
      );
      const result = await manager.generate({ prompt: 'q3' });
      assert.equal(providers.a.calls, 3);
      const skip = result.trace.steps.find((s) => s.type === 'skip');
      assert.equal(skip?.type === 'skip' && skip.reason, 'circuitOpen');
      assert.match(skip?.type === 'skip' ? skip.detail : '', /next probe in 60 s/);
    });

    it("never opens on the caller's own bad requests or on cancellations", async () => {
      const { manager } = harness(
        { a: { script: [fail('badRequest')] }, b: {} },
        { breaker: { failureThreshold: 2 } },
      );
      for (let i = 0; i < 5; i++) await manager.generate({ prompt: `q${i}` });
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'closed');
      assert.equal(manager.getModelInfo('a')!.failures.badRequest, 5);
    });

    it('counts auth failures towards the circuit', async () => {
      const { manager } = harness(
        { a: { script: [fail('auth')] }, b: {} },
        { breaker: { failureThreshold: 2 } },
      );
      await manager.generate({ prompt: '1' });
      await manager.generate({ prompt: '2' });
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'open');
    });

    it('stops retrying a model once its circuit opens mid-request', async () => {
      const { manager, providers, clock } = harness(
        { a: { script: [fail('server')] }, b: {} },
        { maxRetries: 5, breaker: { failureThreshold: 2 } },
      );
      const result = await settle(clock, manager.generate({ prompt: 'x' }));
      assert.equal(providers.a.calls, 2);
      assert.equal(result.model, 'b');
    });

    it('half-open admits one probe; concurrent callers skip to the next model instead of queueing', async () => {
      const { manager, providers, clock } = harness(
        { a: { script: (call) => (call < 2 ? fail('server') : { delayMs: 1000 }) }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 2, recoveryTimeoutMs: 10_000 } },
      );
      await manager.generate({ prompt: '1' });
      await manager.generate({ prompt: '2' });
      await clock.tickAsync(10_000);
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'halfOpen');
      const probe = manager.generate({ prompt: 'probe' });
      await clock.tickAsync(1);
      const others = await Promise.all([
        manager.generate({ prompt: 'c1' }),
        manager.generate({ prompt: 'c2' }),
      ]);
      assert.deepEqual(
        others.map((r) => r.model),
        ['b', 'b'],
      );
      assert.ok(
        others.every((r) => r.trace.steps.some((s) => s.type === 'skip' && s.reason === 'halfOpenProbeBusy')),
      );
      await clock.tickAsync(1000);
      assert.equal((await probe).model, 'a');
      assert.equal(providers.a.calls, 3);
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'closed');
    });

    it('reopens with a fresh timeout when the probe fails', async () => {
      const { manager, clock } = harness(
        { a: { script: [fail('server')] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1, recoveryTimeoutMs: 10_000 } },
      );
      await manager.generate({ prompt: '1' });
      await clock.tickAsync(10_000);
      await manager.generate({ prompt: 'probe' });
      const info = manager.getModelInfo('a')!;
      assert.equal(info.circuit.state, 'open');
      assert.equal(info.circuit.nextProbeAt, clock.now() + 10_000);
    });

    it('fires a half-open change when the recovery timeout passes, without any request', async () => {
      const { manager, clock } = harness(
        { a: { script: [fail('server')] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1, recoveryTimeoutMs: 5000 } },
      );
      const changes: string[] = [];
      manager.onDidChangeCircuit((c) => changes.push(c.to));
      await manager.generate({ prompt: '1' });
      await clock.tickAsync(5000);
      assert.deepEqual(changes, ['open', 'halfOpen']);
    });

    it('resets a circuit by hand, and isolates a model until reset', async () => {
      const { manager } = harness(
        { a: { script: [fail('server'), {}] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1 } },
      );
      await manager.generate({ prompt: '1' });
      manager.resetCircuitBreaker('a');
      assert.equal((await manager.generate({ prompt: '2' })).model, 'a');
      manager.isolateModel('a');
      const result = await manager.generate({ prompt: '3' });
      assert.equal(result.model, 'b');
      assert.ok(result.trace.steps.some((s) => s.type === 'skip' && s.reason === 'isolated'));
      manager.resetCircuitBreaker();
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'closed');
    });

    it('reports circuitOpen when every model is open', async () => {
      const { manager } = harness(
        { a: { script: [fail('server')] }, b: { script: [fail('server')] } },
        { maxRetries: 0, breaker: { failureThreshold: 1 } },
      );
      await rejection(manager.generate({ prompt: '1' }));
      const error = await rejection(manager.generate({ prompt: '2' }));
      assert.equal(error.kind, 'circuitOpen');
      assert.match(error.message, /circuits are open/);
    });
  });

  describe('response cache', () => {
    it('answers a repeated low-temperature request from the cache', async () => {
      const { manager, providers } = harness({ a: {} });
      const first = await manager.generate({ prompt: 'x', temperature: 0 });
      const second = await manager.generate({ prompt: 'x', temperature: 0 });
      assert.equal(providers.a.calls, 1);
      assert.equal(second.cached, true);
      assert.equal(second.costUsd, 0);
      assert.equal(second.text, first.text);
      assert.deepEqual(
        second.trace.steps.map((s) => s.type),
        ['cache'],
      );
      assert.equal(manager.getMetrics().cacheHitRate, 0.5);
    });

    it('streams a cached answer to onToken too', async () => {
      const { manager } = harness({ a: {} });
      await manager.generate({ prompt: 'x', temperature: 0 });
      const pieces: string[] = [];
      await manager.generate({ prompt: 'x', temperature: 0, onToken: (t) => pieces.push(t) });
      assert.deepEqual(pieces, ['answer from a']);
    });

    it('does not use the cache above maxTemperature, with useCache false, or when caching is off', async () => {
      const { manager, providers } = harness({ a: {} }, { cache: { maxTemperature: 0.3 } });
      await manager.generate({ prompt: 'x', temperature: 0.7 });
      await manager.generate({ prompt: 'x', temperature: 0.7 });
      await manager.generate({ prompt: 'y', temperature: 0, useCache: false });
      await manager.generate({ prompt: 'y', temperature: 0, useCache: false });
      assert.equal(providers.a.calls, 4);
      manager.configure({ enableCaching: false });
      await manager.generate({ prompt: 'z', temperature: 0 });
      await manager.generate({ prompt: 'z', temperature: 0 });
      assert.equal(providers.a.calls, 6);
    });

    it('keys on the chain, the messages and the parameters', async () => {
      const { manager, providers } = harness({ a: {}, b: {} });
      await manager.generate({ prompt: 'x', temperature: 0 });
      await manager.generate({ prompt: 'x', temperature: 0.1 });
      await manager.generate({ prompt: 'x', temperature: 0, maxTokens: 10 });
      await manager.generate({ prompt: 'x', temperature: 0, system: 'be brief' });
      manager.setActiveModel('b');
      await manager.generate({ prompt: 'x', temperature: 0 });
      assert.equal(providers.a.calls + providers.b.calls, 5);
    });

    it('expires answers after the TTL', async () => {
      const { manager, providers, clock } = harness({ a: {} }, { cache: { ttlMs: 1000 } });
      await manager.generate({ prompt: 'x', temperature: 0 });
      await clock.tickAsync(1000);
      await manager.generate({ prompt: 'x', temperature: 0 });
      assert.equal(providers.a.calls, 2);
    });

    it('never caches errors', async () => {
      const { manager, providers } = harness({ a: { script: [fail('badRequest'), {}] } });
      await rejection(manager.generate({ prompt: 'x', temperature: 0 }));
      assert.equal((await manager.generate({ prompt: 'x', temperature: 0 })).cached, false);
      assert.equal(providers.a.calls, 2);
    });

    it('clears on request', async () => {
      const { manager, providers } = harness({ a: {} });
      await manager.generate({ prompt: 'x', temperature: 0 });
      manager.clearCache();
      await manager.generate({ prompt: 'x', temperature: 0 });
      assert.equal(providers.a.calls, 2);
    });
  });

  describe('spend and budget', () => {
    it("charges the provider's real usage at the model's prices, per model per day and month", async () => {
      const { manager } = harness({
        a: {
          script: [{ usage: { inputTokens: 1_000_000, outputTokens: 500_000 } }],
          metadata: { inputPricePerMTok: 3, outputPricePerMTok: 15 },
        },
      });
      const result = await manager.generate({ prompt: 'x' });
      assert.equal(result.costUsd, 10.5);
      const info = manager.getModelInfo('a')!;
      assert.equal(info.spend.todayUsd, 10.5);
      assert.equal(info.spend.monthUsd, 10.5);
      assert.equal(manager.getMetrics().spend.todayUsd, 10.5);
    });

    it("starts a new day and month at the clock's local midnight", async () => {
      const clock = new FakeClock();
      clock.setSystemTime(new Date(2026, 10, 30, 23, 59, 0));
      const { manager } = harness(
        { a: { script: [{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }] } },
        {},
        { clock },
      );
      await manager.generate({ prompt: 'x' });
      assert.equal(manager.getMetrics().spend.todayUsd, 1);
      await clock.tickAsync(60_000);
      assert.equal(manager.getMetrics().spend.todayUsd, 0);
      assert.equal(manager.getMetrics().spend.monthUsd, 0);
    });

    it('fires the budget alert once per period when alertAt is crossed', async () => {
      const { manager } = harness(
        { a: { script: [{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }] } },
        { budget: { dailyUsd: 5, alertAt: 0.8 } },
      );
      const alerts: BudgetAlert[] = [];
      manager.onDidCrossBudgetAlert((a) => alerts.push(a));
      for (let i = 0; i < 3; i++) await manager.generate({ prompt: `q${i}` });
      assert.equal(alerts.length, 0);
      await manager.generate({ prompt: 'q3' });
      await manager.generate({ prompt: 'q4' });
      assert.deepEqual(
        alerts.map((a) => `${a.period}:${a.level}`),
        ['day:alert', 'day:exceeded'],
      );
    });

    it('with a hard stop, skips paid models that would exceed the budget while free models still answer', async () => {
      const { manager, providers } = harness(
        {
          paid: {
            script: [{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }],
            metadata: { inputPricePerMTok: 1, outputPricePerMTok: 1000, maxOutputTokens: 1000 },
          },
          local: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0 } },
        },
        { budget: { dailyUsd: 1.5, hardStop: true } },
      );
      assert.equal((await manager.generate({ prompt: 'x' })).model, 'paid');
      const result = await manager.generate({ prompt: 'y', maxTokens: 1000 });
      assert.equal(result.model, 'local');
      const skip = result.trace.steps.find((s) => s.type === 'skip');
      assert.equal(skip?.type === 'skip' && skip.reason, 'overBudget');
      assert.match(
        skip?.type === 'skip' ? skip.detail : '',
        /over the daily budget \(\$1\.00 of \$1\.50 spent/,
      );
      assert.equal(providers.paid.calls, 1);
    });

    it('reports budgetExceeded when only paid models remain', async () => {
      const { manager } = harness(
        { paid: { script: [{ usage: { inputTokens: 2_000_000, outputTokens: 0 } }] } },
        { budget: { monthlyUsd: 2, hardStop: true } },
      );
      await manager.generate({ prompt: 'x' });
      assert.equal((await rejection(manager.generate({ prompt: 'y' }))).kind, 'budgetExceeded');
    });

    it('never exceeds the budget by more than one request, even with many requests at once', async () => {
      // Each request costs exactly its worst case: 1000 output tokens at $100/M = $0.10.
      const { manager, clock } = harness(
        {
          paid: {
            script: [{ usage: { inputTokens: 0, outputTokens: 1000 }, delayMs: 100 }],
            metadata: { inputPricePerMTok: 0, outputPricePerMTok: 100, maxOutputTokens: 1000 },
          },
        },
        { budget: { dailyUsd: 1, hardStop: true } },
      );
      const results = await settle(
        clock,
        Promise.allSettled(Array.from({ length: 30 }, (_, i) => manager.generate({ prompt: `q${i}` }))),
        50,
      );
      const answered = results.filter((r) => r.status === 'fulfilled').length;
      assert.ok(answered >= 9 && answered <= 10, `answered ${answered}`);
      assert.ok(manager.getMetrics().spend.todayUsd <= 1 + 0.1 + 1e-9);
    });
  });

  describe('metrics', () => {
    it('counts requests, successes, failures by kind, tokens and latency percentiles per model', async () => {
      const { manager, clock } = harness(
        {
          a: { script: (call) => (call % 4 === 3 ? fail('badRequest') : { delayMs: (call + 1) * 10 }) },
          b: {},
        },
        { maxRetries: 0 },
      );
      for (let i = 0; i < 8; i++) await settle(clock, manager.generate({ prompt: `q${i}` }), 10);
      const info = manager.getModelInfo('a')!;
      assert.equal(info.requests, 8);
      assert.equal(info.successes, 6);
      assert.deepEqual(info.failures, { badRequest: 2 });
      assert.equal(info.successRate, 0.75);
      assert.equal(info.tokens.input, 600);
      assert.ok(
        info.latency.p50Ms! > 0 &&
          info.latency.p95Ms! >= info.latency.p50Ms! &&
          info.latency.p99Ms! >= info.latency.p95Ms!,
      );
      assert.equal(info.lastError?.kind, 'badRequest');
      const metrics = manager.getMetrics();
      assert.equal(metrics.requests, 8);
      assert.equal(metrics.successes, 8);
      assert.deepEqual(metrics.fallbacks, { 'a→b': 2 });
    });

    it('keeps latency memory bounded however many requests run', async () => {
      const { manager } = harness({ a: {} }, { latencySamples: 64 });
      for (let i = 0; i < 500; i++) await manager.generate({ prompt: `q${i}` });
      assert.equal(manager.getModelInfo('a')!.latency.samples.length, 64);
      assert.equal(manager.getRecentRequests().length, 50);
    });

    it('keeps counts, breakers and spend consistent under many concurrent requests', async () => {
      const { manager, providers, clock } = harness(
        {
          a: { script: (call) => (call % 3 === 0 ? { error: 'server', delayMs: 5 } : { delayMs: 5 }) },
          b: { script: [{ delayMs: 7 }] },
        },
        { maxRetries: 0, breaker: { failureThreshold: 1000 } },
      );
      const results = await settle(
        clock,
        Promise.allSettled(Array.from({ length: 200 }, (_, i) => manager.generate({ prompt: `q${i}` }))),
        5,
      );
      assert.ok(results.every((r) => r.status === 'fulfilled'));
      const metrics = manager.getMetrics();
      const a = manager.getModelInfo('a')!;
      const b = manager.getModelInfo('b')!;
      assert.equal(metrics.requests, 200);
      assert.equal(metrics.successes, 200);
      assert.equal(a.requests, providers.a.calls);
      assert.equal(a.successes + b.successes, 200);
      assert.equal(a.failures.server, b.requests);
      assert.equal(metrics.fallbacks['a→b'], b.successes);
      assert.ok(Math.abs(metrics.spend.todayUsd - 200 * 0.0002) < 1e-9);
    });
  });

  describe('persistence', () => {
    it('saves cache, metrics, spend and circuits to the store, debounced, and restores them after a restart', async () => {
      const store = new MemoryStore();
      const clock = new FakeClock();
      const first = harness(
        { a: { script: [fail('server'), {}] }, b: {} },
        {
          maxRetries: 0,
          breaker: { failureThreshold: 1, recoveryTimeoutMs: 60_000 },
          persistDebounceMs: 500,
        },
        { store, clock },
      );
      await first.manager.generate({ prompt: 'x', temperature: 0 });
      assert.equal(store.writes, 0);
      await clock.tickAsync(500);
      assert.deepEqual([...store.data.keys()].sort(), Object.values(STORE_KEYS).sort());

      const second = harness(
        { a: {}, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1, recoveryTimeoutMs: 60_000 } },
        { store, clock },
      );
      await second.manager.ready;
      assert.equal(second.manager.getModelInfo('a')!.circuit.state, 'open');
      assert.equal(second.manager.getMetrics().requests, 1);
      assert.equal(second.manager.getModelInfo('b')!.successes, 1);
      const cached = await second.manager.generate({ prompt: 'x', temperature: 0 });
      assert.equal(cached.cached, true);
      assert.equal(second.manager.getMetrics().spend.todayUsd, first.manager.getMetrics().spend.todayUsd);
    });

    it('applies persisted state to a model registered after loading', async () => {
      const store = new MemoryStore();
      const clock = new FakeClock();
      const first = harness(
        { a: { script: [fail('server')] } },
        { maxRetries: 0, breaker: { failureThreshold: 1 } },
        { store, clock },
      );
      await rejection(first.manager.generate({ prompt: 'x' }));
      await first.manager.flush();
      const second = harness({}, {}, { store, clock });
      await second.manager.ready;
      second.manager.registerModel(
        'a',
        second.providers.a ?? {
          generate: async () => ({ text: 't', usage: { inputTokens: 1, outputTokens: 1 } }),
          stream: async function* () {},
        },
        {
          provider: 't',
          contextWindow: 1000,
          maxOutputTokens: 10,
          inputPricePerMTok: 0,
          outputPricePerMTok: 0,
        },
      );
      assert.equal(second.manager.getModelInfo('a')!.circuit.state, 'open');
      assert.equal(second.manager.getModelInfo('a')!.failures.server, 1);
    });

    it('drops corrupted persisted state with a warning and keeps working', async () => {
      const store = new MemoryStore();
      store.data.set(STORE_KEYS.cache, { version: 1, entries: 'nope' });
      store.data.set(LEGACY_STORE_KEYS.metrics, { version: 1, totals: { requests: -3 } });
      store.data.set(LEGACY_STORE_KEYS.circuits, { version: 1, circuits: { a: { state: 'exploded' } } });
      store.data.set(LEGACY_STORE_KEYS.spend, 42);
      const { manager, logger } = harness({ a: {} }, {}, { store });
      const result = await manager.generate({ prompt: 'x' });
      assert.equal(result.model, 'a');
      assert.equal(logger.warnings.length, 4);
      assert.ok(logger.warnings.every((w) => /dropped; starting fresh/.test(w)));
    });

    it('drops oversized persisted state with a warning', async () => {
      const store = new MemoryStore();
      store.data.set(STORE_KEYS.cache, { version: 1, entries: [], padding: 'x'.repeat(9 * 1024 * 1024) });
      const { manager, logger } = harness({ a: {} }, {}, { store });
      await manager.ready;
      assert.match(logger.warnings[0], /response cache was unreadable or too large/);
    });

    it('survives a store that throws', async () => {
      const store = new MemoryStore();
      store.get = async () => {
        throw new Error('disk on fire');
      };
      store.set = async () => {
        throw new Error('disk on fire');
      };
      const { manager, logger } = harness({ a: {} }, {}, { store });
      assert.equal((await manager.generate({ prompt: 'x' })).model, 'a');
      await manager.flush();
      assert.ok(logger.warnings.some((w) => w.includes('Could not save')));
    });
  });

  describe('configuration', () => {
    it('applies new breaker settings live and rejects invalid ones with a clear message', async () => {
      const { manager } = harness({ a: { script: [fail('server')] }, b: {} }, { maxRetries: 0 });
      manager.configure({ breaker: { failureThreshold: 1 } });
      await manager.generate({ prompt: 'x' });
      assert.equal(manager.getModelInfo('a')!.circuit.state, 'open');
      assert.throws(() => manager.configure({ budget: { dailyUsd: -1 } }), /budget\.dailyUsd must be ≥ 0/);
      assert.equal(manager.currentSettings.budget.dailyUsd, undefined);
    });

    it('rejects model metadata that makes no sense', () => {
      const { manager, providers } = harness({ a: {} });
      assert.throws(
        () =>
          manager.registerModel('bad', providers.a, {
            provider: 't',
            contextWindow: 0,
            maxOutputTokens: 1,
            inputPricePerMTok: -1,
            outputPricePerMTok: 0,
          }),
        /Model "bad": contextWindow must be > 0; prices must be ≥ 0/,
      );
    });
  });
});

describe('LlmManager across windows sharing one store', () => {
  const twoWindows = () => {
    const store = new MemoryStore();
    const clock = new FakeClock();
    const options = { maxRetries: 0, breaker: { failureThreshold: 1, recoveryTimeoutMs: 60_000 } };
    const paid = { script: [{ usage: { inputTokens: 1_000_000, outputTokens: 0 } }] as ScriptStep[] };
    const one = harness({ a: paid, b: paid }, options, { store, clock });
    const two = harness({ a: paid, b: paid }, options, { store, clock });
    return { one: one.manager, two: two.manager, oneProviders: one.providers, clock };
  };

  it('adds up spend from both windows instead of overwriting it', async () => {
    const { one, two } = twoWindows();
    await one.generate({ prompt: 'x' });
    await two.generate({ prompt: 'y' });
    await two.generate({ prompt: 'z' });
    await one.flush();
    await two.flush();
    await one.syncFromStore();
    assert.equal(one.getMetrics().spend.todayUsd, 3);
    assert.equal(two.getMetrics().spend.todayUsd, 3);
    await one.flush();
    await two.syncFromStore();
    assert.equal(two.getMetrics().spend.todayUsd, 3);
  });

  it('shows a circuit opened in another window', async () => {
    const { one, two, oneProviders, clock } = twoWindows();
    await one.ready;
    await two.ready;
    oneProviders.a.calls = 0;
    (oneProviders.a as unknown as { script: ScriptStep[] }).script = [{ error: 'server' }];
    await clock.tickAsync(10);
    await one.generate({ prompt: 'x' });
    assert.equal(one.getModelInfo('a')!.circuit.state, 'open');
    await one.flush();
    await two.syncFromStore();
    assert.equal(two.getModelInfo('a')!.circuit.state, 'open');
  });
});
