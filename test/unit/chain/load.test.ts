import * as assert from 'node:assert/strict';
import { isLlmError, LlmManager, type GenerateResult } from '../../../src/core';
import { FakeClock, MemoryLogger } from '../../support/fakeClock';
import { failOnUnhandledRejections, useFaultUpstream } from '../../support/faultServer';
import { metadataFor, providerFor, type ProviderKindUnderTest } from '../../support/providerFixtures';

/** A small seeded generator, so the "random" faults are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runPool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<Array<PromiseSettledResult<T>>> {
  const results: Array<PromiseSettledResult<T>> = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await task(index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

describe('load: many concurrent requests over real HTTP', function () {
  // Real HTTP through both SDKs on a small machine; typically 2–4 s.
  this.timeout(60_000);
  const upstream = useFaultUpstream();
  failOnUnhandledRejections();

  it('1000 requests at concurrency 50 with 30 % random faults all settle, and the counts add up', async () => {
    const manager = new LlmManager({
      clock: new FakeClock(),
      logger: new MemoryLogger(),
      enableCaching: false,
      maxRetries: 1,
      backoff: { initialDelayMs: 0, multiplier: 2, maxDelayMs: 1000, jitter: 0 },
      breaker: { failureThreshold: 5, recoveryTimeoutMs: 60_000 },
    });
    // The fallback's window is the largest, so a prompt-too-long elsewhere never rules it out.
    const register = (name: string, kind: ProviderKindUnderTest, upstreamModel: string) =>
      manager.registerModel(
        name,
        providerFor(kind, upstream(), upstreamModel),
        metadataFor(kind, upstream(), upstreamModel, {
          contextWindow: name === 'fallback' ? 2_000_000 : 1_000_000,
        }),
      );
    register('healthy', 'openai', 'ok~load-primary');
    register('fallback', 'anthropic', 'ok~load-fallback');
    const faulty: Array<[string, ProviderKindUnderTest, string]> = [
      ['f-500', 'openai', 'error-500'],
      ['f-overloaded', 'anthropic', 'overloaded'],
      ['f-garbage', 'openai', 'garbage'],
      ['f-reset', 'anthropic', 'reset'],
      ['f-cut', 'openai', 'cut-2'],
      ['f-429', 'azure', 'ratelimit'],
      ['f-auth', 'openaiCompatible', 'auth'],
      ['f-context', 'anthropic', 'context'],
    ];
    for (const [name, kind, model] of faulty) register(name, kind, model);
    const upstreamModelOf = new Map<string, string>([
      ['healthy', 'ok~load-primary'],
      ['fallback', 'ok~load-fallback'],
      ...faulty.map(([n, , m]) => [n, m] as [string, string]),
    ]);

    const random = seededRandom(20261123);
    const plans = Array.from({ length: 1000 }, () => {
      const faultyPick = random() < 0.3 ? faulty[Math.floor(random() * faulty.length)][0] : undefined;
      return { first: faultyPick ?? 'healthy', streaming: random() < 0.5 };
    });
    const results = await runPool(plans.length, 50, (i) =>
      manager.generate({
        prompt: `request ${i}`,
        chain: [plans[i].first, 'fallback'],
        onToken: plans[i].streaming ? () => undefined : undefined,
      }),
    );

    assert.equal(results.filter(Boolean).length, 1000, 'every request settled');
    const fulfilled = results.filter(
      (r): r is PromiseFulfilledResult<GenerateResult> => r.status === 'fulfilled',
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Only a stream that had already shown text may fail: it ends "interrupted" rather than fail over.
    for (const r of rejected) {
      assert.ok(isLlmError(r.reason) && r.reason.kind === 'interrupted', String(r.reason));
    }
    assert.ok(rejected.length > 0 && rejected.length < 100, `${rejected.length} interrupted streams`);

    const metrics = manager.getMetrics();
    assert.equal(metrics.requests, 1000);
    assert.equal(metrics.successes, fulfilled.length);
    assert.equal(metrics.failures, rejected.length);
    assert.equal(fulfilled.length + rejected.length, 1000);

    // Every attempt the manager counted reached the upstream, and nothing else did.
    const stats = upstream().stats();
    let attempts = 0;
    for (const name of manager.listModels()) {
      const info = manager.getModelInfo(name)!;
      attempts += info.requests;
      assert.equal(
        stats.byModel[upstreamModelOf.get(name)!] ?? 0,
        info.requests,
        `${name}: attempts = upstream calls`,
      );
    }
    assert.equal(stats.total, attempts);
    assert.equal(stats.inFlight, 0, 'no request left hanging');
    const answeredByFallback = fulfilled.filter((r) => r.value.model === 'fallback').length;
    assert.equal(info(manager, 'fallback').successes, answeredByFallback);
    assert.equal(info(manager, 'healthy').successes + answeredByFallback, fulfilled.length);
    // The failing models' circuits opened under load and then shielded the upstream.
    assert.ok(
      faulty
        .filter(([name]) => !['f-context'].includes(name))
        .every(([name]) => info(manager, name).circuit.state === 'open'),
    );
    assert.ok(
      info(manager, 'f-context').circuit.consecutiveFailures === 0,
      'a prompt-too-long never counts against the model',
    );
    // Memory stays bounded: every budget reservation made under load was released.
    const ledger = (manager as unknown as { ledger: { ownReservations(): unknown[] } }).ledger;
    assert.equal(ledger.ownReservations().length, 0);
    await manager.dispose();
  });

  it('a half-open circuit admits exactly one probe among 50 concurrent requests', async () => {
    const clock = new FakeClock();
    const manager = new LlmManager({
      clock,
      enableCaching: false,
      maxRetries: 0,
      breaker: { failureThreshold: 3, recoveryTimeoutMs: 30_000 },
    });
    await manager.ready;
    manager.registerModel(
      'probe',
      providerFor('openai', upstream(), 'flaky-3~probe'),
      metadataFor('openai', upstream(), 'flaky-3~probe'),
    );
    manager.registerModel(
      'backup',
      providerFor('anthropic', upstream(), 'ok~probe-backup'),
      metadataFor('anthropic', upstream(), 'ok~probe-backup'),
    );
    for (let i = 0; i < 3; i++) await manager.generate({ prompt: `warm ${i}`, chain: ['probe', 'backup'] });
    assert.equal(info(manager, 'probe').circuit.state, 'open');
    assert.equal(upstream().stats().byModel['flaky-3~probe'], 3);

    await clock.tickAsync(30_000);
    assert.equal(info(manager, 'probe').circuit.state, 'halfOpen');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        manager.generate({ prompt: `burst ${i}`, chain: ['probe', 'backup'] }),
      ),
    );

    assert.equal(upstream().stats().byModel['flaky-3~probe'], 4, 'exactly one probe reached the upstream');
    assert.equal(results.filter((r) => r.model === 'probe').length, 1);
    const turnedAway = results.filter((r) =>
      r.trace.steps.some((s) => s.type === 'skip' && s.model === 'probe' && s.reason === 'halfOpenProbeBusy'),
    );
    assert.equal(turnedAway.length, 49);
    assert.ok(turnedAway.every((r) => r.model === 'backup'));
    assert.equal(info(manager, 'probe').circuit.state, 'closed', 'the successful probe closed the circuit');
    await manager.dispose();
  });
});

function info(manager: LlmManager, name: string) {
  return manager.getModelInfo(name)!;
}
