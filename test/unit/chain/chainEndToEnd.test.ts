import * as assert from 'node:assert/strict';
import { isChainFailedError, isLlmError, LlmManager, type LlmError, type TraceStep } from '../../../src/core';
import { MemoryLogger } from '../../support/fakeClock';
import { RecordingClock, useFaultUpstream, waitUntil } from '../../support/faultServer';
import { metadataFor, providerFor, TEST_PRICE } from '../../support/providerFixtures';

/**
 * The manager from src/core over the real providers and real HTTP: OpenAI as the primary, Anthropic
 * as the fallback. Time is a fake clock; whenever the manager waits (backoff, Retry-After, a stream
 * timeout) the test waits for that timer to exist and then moves the clock.
 */
describe('chain end to end: OpenAI primary, Anthropic fallback, real HTTP', () => {
  const upstream = useFaultUpstream();
  let clock: RecordingClock;
  let manager: LlmManager;

  function setUp(
    primaryModel: string,
    options: { fallbackModel?: string; maxRetries?: number; failureThreshold?: number } = {},
  ): void {
    clock = new RecordingClock();
    manager = new LlmManager({
      clock,
      logger: new MemoryLogger(),
      random: () => 0,
      enableCaching: false,
      maxRetries: options.maxRetries ?? 1,
      breaker: { failureThreshold: options.failureThreshold ?? 5, recoveryTimeoutMs: 60_000 },
      stream: { firstChunkTimeoutMs: 10_000, idleTimeoutMs: 5_000 },
    });
    const fallbackModel = options.fallbackModel ?? 'ok~anthropic';
    manager.registerModel(
      'gpt',
      providerFor('openai', upstream(), primaryModel),
      metadataFor('openai', upstream(), primaryModel),
    );
    manager.registerModel(
      'claude',
      providerFor('anthropic', upstream(), fallbackModel),
      metadataFor('anthropic', upstream(), fallbackModel),
    );
    manager.setActiveModel('gpt');
    manager.setFallbackChain(['claude']);
  }

  afterEach(async () => {
    await manager?.dispose();
  });

  /** Waits until the manager has started waiting `ms` on the clock, then lets that time pass. */
  async function passWait(ms: number): Promise<void> {
    await waitUntil(() => clock.delays.includes(ms), `the manager waits ${ms} ms`);
    clock.delays.splice(clock.delays.indexOf(ms), 1);
    await clock.tickAsync(ms);
  }

  function summary(steps: readonly TraceStep[]): string[] {
    return steps.map((s) => {
      switch (s.type) {
        case 'attempt':
          return `${s.model}:${s.outcome}${s.errorKind ? `:${s.errorKind}` : ''}`;
        case 'backoff':
          return `backoff:${s.reason}:${s.delayMs}`;
        case 'skip':
          return `skip:${s.model}:${s.reason}`;
        default:
          return s.type;
      }
    });
  }

  async function rejection(work: Promise<unknown>): Promise<LlmError> {
    try {
      await work;
    } catch (error) {
      assert.ok(isLlmError(error));
      return error;
    }
    assert.fail('expected a failure');
  }

  it("OpenAI 500s → retried once after a backoff → Anthropic answers, at Anthropic's price", async () => {
    setUp('error-500');
    const pending = manager.generate({ prompt: 'Explain circuit breakers.' });
    await passWait(1000);
    const result = await pending;
    assert.equal(result.model, 'claude');
    assert.match(result.text, /^Demo answer from ok~anthropic: you asked "Explain circuit breakers\."/);
    assert.deepEqual(summary(result.trace.steps), [
      'gpt:error:server',
      'backoff:exponential:1000',
      'gpt:error:server',
      'claude:success',
      'answered',
    ]);
    assert.deepEqual(upstream().stats().byModel, { 'error-500': 2, 'ok~anthropic': 1 });
    const usage = upstream()
      .stats()
      .recent.find((r) => r.vendor === 'anthropic')!.usage!;
    assert.deepEqual(result.usage, usage);
    assert.equal(
      result.costUsd,
      (usage.inputTokens * TEST_PRICE.inputPerMTok + usage.outputTokens * TEST_PRICE.outputPerMTok) / 1e6,
    );
    assert.deepEqual(manager.getMetrics().fallbacks, { 'gpt→claude': 1 });
  });

  it('a 429 with a short Retry-After waits exactly that long and succeeds on the same model', async () => {
    setUp('ratelimitonce-2');
    const pending = manager.generate({ prompt: 'hi' });
    await passWait(2000);
    const result = await pending;
    assert.equal(result.model, 'gpt');
    assert.deepEqual(summary(result.trace.steps), [
      'gpt:error:rateLimit',
      'backoff:retryAfter:2000',
      'gpt:success',
      'answered',
    ]);
    assert.equal(upstream().stats().byModel['ok~anthropic'], undefined);
  });

  it('a long Retry-After fails over at once, and the model is skipped without a call until then', async () => {
    setUp('ratelimit-120');
    const first = await manager.generate({ prompt: 'one' });
    assert.equal(first.model, 'claude');
    assert.deepEqual(summary(first.trace.steps), ['gpt:error:rateLimit', 'claude:success', 'answered']);

    const second = await manager.generate({ prompt: 'two' });
    assert.deepEqual(summary(second.trace.steps), ['skip:gpt:retryAfter', 'claude:success', 'answered']);
    assert.equal(upstream().stats().byModel['ratelimit-120'], 1, 'no further upstream call while waiting');

    await clock.tickAsync(120_000);
    const third = await manager.generate({ prompt: 'three' });
    assert.equal(summary(third.trace.steps)[0], 'gpt:error:rateLimit', 'tried again once the wait is over');
  });

  it('a 401 on the primary fails over at once, and the trace says the key was rejected', async () => {
    setUp('auth');
    const result = await manager.generate({ prompt: 'hi' });
    assert.equal(result.model, 'claude');
    const attempt = result.trace.steps.find((s) => s.type === 'attempt' && s.model === 'gpt');
    assert.ok(attempt && attempt.type === 'attempt' && attempt.errorKind === 'auth');
    assert.match(attempt.message!, /key rejected/);
    assert.equal(upstream().stats().byModel.auth, 1, 'an auth failure is not retried');

    manager.setFallbackChain([]);
    const error = await rejection(manager.generate({ prompt: 'hi' }));
    assert.ok(isChainFailedError(error));
    assert.match(error.message, /gpt: API key rejected/);
  });

  it("streaming: a failure before the first token fails over invisibly; only the fallback's text is shown", async () => {
    setUp('error-503', { maxRetries: 0 });
    const shown: string[] = [];
    const result = await manager.generate({ prompt: 'stream please', onToken: (t) => shown.push(t) });
    assert.equal(result.model, 'claude');
    assert.equal(shown.join(''), result.text);
    assert.match(shown[0], /^Demo /);
  });

  it('streaming: no first chunk within the timeout fails over, and the hanging connection is closed', async () => {
    setUp('hang', { maxRetries: 0 });
    const shown: string[] = [];
    const pending = manager.generate({ prompt: 'stream please', onToken: (t) => shown.push(t) });
    await waitUntil(() => upstream().stats().inFlight === 1, 'the primary hangs');
    await passWait(10_000);
    const result = await pending;
    assert.equal(result.model, 'claude');
    assert.deepEqual(summary(result.trace.steps).slice(0, 2), ['gpt:error:timeout', 'claude:success']);
    await upstream().whenIdle();
    assert.equal(
      upstream()
        .stats()
        .recent.find((r) => r.model === 'hang')!.outcome,
      'clientClosed',
    );
  });

  it('streaming: a stream cut after text ends "interrupted" with the partial text, and never restarts elsewhere', async () => {
    setUp('cut-4');
    const shown: string[] = [];
    const error = await rejection(
      manager.generate({ prompt: 'stream please', onToken: (t) => shown.push(t) }),
    );
    assert.equal(error.kind, 'interrupted');
    assert.equal(error.partialText, shown.join(''));
    assert.equal(shown.length, 4);
    assert.equal(upstream().stats().byModel['ok~anthropic'], undefined);
    assert.equal(upstream().stats().byModel['cut-4'], 1, 'not retried either');
  });

  it('streaming: a stream that goes silent mid-answer hits the idle timeout and keeps the partial text', async () => {
    setUp('stall-2');
    const shown: string[] = [];
    const outcome = rejection(manager.generate({ prompt: 'stream please', onToken: (t) => shown.push(t) }));
    await waitUntil(() => shown.length === 2, 'two chunks arrive');
    await passWait(5_000);
    const error = await outcome;
    assert.equal(error.kind, 'interrupted');
    assert.equal(error.partialText, shown.join(''));
    await upstream().whenIdle();
    assert.equal(upstream().stats().recent[0].outcome, 'clientClosed');
  });

  it('cancelling during a stream stops the upstream request at once', async () => {
    setUp('drip-20');
    const controller = new AbortController();
    const shown: string[] = [];
    const pending = manager.generate({
      prompt: 'a long answer please',
      signal: controller.signal,
      onToken: (t) => {
        shown.push(t);
        controller.abort();
      },
    });
    const error = await rejection(pending);
    assert.equal(error.kind, 'cancelled');
    await upstream().whenIdle();
    const record = upstream().stats().recent[0];
    assert.equal(record.outcome, 'clientClosed', 'the connection was closed by the client');
    // The upstream pauses 20 ms between chunks and the answer has 30+: stopping within the first
    // few proves the cancellation reached it (with room for a slow machine).
    assert.ok(
      record.chunksSent < 10,
      `the upstream stopped sending (sent ${record.chunksSent} of 30+ chunks)`,
    );
    assert.equal(upstream().stats().total, 1, 'no failover after a cancellation');
    assert.equal(
      manager.getModelInfo('gpt')!.circuit.consecutiveFailures,
      0,
      'a cancellation never counts against the model',
    );
  });

  it('repeated 500s open the circuit: later requests skip the model with no upstream call, and a probe follows the recovery time', async () => {
    setUp('error-500', { maxRetries: 0, failureThreshold: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await manager.generate({ prompt: `p${i}` })).model, 'claude');
    assert.equal(manager.getModelInfo('gpt')!.circuit.state, 'open');
    const skipped = await manager.generate({ prompt: 'p3' });
    assert.deepEqual(summary(skipped.trace.steps)[0], 'skip:gpt:circuitOpen');
    assert.equal(upstream().stats().byModel['error-500'], 3);

    await clock.tickAsync(60_000);
    assert.equal(manager.getModelInfo('gpt')!.circuit.state, 'halfOpen');
    const probe = await manager.generate({ prompt: 'p4' });
    assert.deepEqual(summary(probe.trace.steps)[0], 'gpt:error:server');
    assert.equal(manager.getModelInfo('gpt')!.circuit.state, 'open', 'the failed probe reopens the circuit');
    assert.equal(upstream().stats().byModel['error-500'], 4);
  });
});
