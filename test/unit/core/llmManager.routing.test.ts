import * as assert from 'node:assert/strict';
import { isChainFailedError, isLlmError, LlmError, type TraceStep } from '../../../src/core';
import { harness, rejection, settle } from '../../support/scriptedProvider';

const attempts = (steps: readonly TraceStep[]) =>
  steps
    .filter((s): s is Extract<TraceStep, { type: 'attempt' }> => s.type === 'attempt')
    .map((s) => `${s.model}:${s.outcome}${s.errorKind ? `:${s.errorKind}` : ''}`);
const skips = (steps: readonly TraceStep[]) =>
  steps
    .filter((s): s is Extract<TraceStep, { type: 'skip' }> => s.type === 'skip')
    .map((s) => `${s.model}:${s.reason}`);

describe('LlmManager routing', () => {
  describe('chain order', () => {
    it('tries the active model first, then the fallback chain, never a model twice', () => {
      const { manager } = harness({ a: {}, b: {}, c: {} });
      manager.setActiveModel('b');
      manager.setFallbackChain(['a', 'b', 'c', 'a']);
      assert.deepEqual(manager.resolveChain(), ['b', 'a', 'c']);
    });

    it('without a chain, tries every model by priority (lower first), then registration order', () => {
      const { manager } = harness({
        a: { metadata: { priority: 5 } },
        b: { metadata: { priority: 1 } },
        c: {},
      });
      assert.deepEqual(manager.resolveChain(), ['b', 'a', 'c']);
    });

    it('shares load inside a group by weight', () => {
      const { manager } = harness({
        light: { metadata: { weight: 1 } },
        heavy: { metadata: { weight: 3 } },
        tail: {},
      });
      manager.setFallbackChain([['light', 'heavy'], 'tail']);
      let draw = 0;
      const draws = [0.1, 0.9, 0.3, 0.8];
      (manager as unknown as { random: () => number }).random = () => draws[draw++ % draws.length];
      const firsts = Array.from({ length: 2 }, () => manager.resolveChain()[0]);
      // Each draw picks the first member, then the last one left: 0.1 × 4 < 1 → light; 0.3 × 4 ≥ 1 → heavy.
      assert.deepEqual(firsts, ['light', 'heavy']);
      assert.equal(manager.resolveChain().at(-1), 'tail');
    });

    it('refuses a chain naming an unknown model, and drops a removed model from the chain', () => {
      const { manager } = harness({ a: {}, b: {} });
      assert.throws(() => manager.setFallbackChain(['a', 'nope']), /Unknown model "nope"/);
      manager.setActiveModel('a');
      manager.setFallbackChain(['a', ['b']]);
      manager.unregisterModel('b');
      assert.deepEqual(manager.getFallbackChain(), ['a']);
      manager.unregisterModel('a');
      assert.equal(manager.getActiveModel(), undefined);
    });

    it("keeps a model's circuit and history when it is registered again with new settings", async () => {
      const { manager, providers } = harness(
        { a: { script: [{ error: 'server' }] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1 } },
      );
      await manager.generate({ prompt: 'x' });
      manager.registerModel('a', providers.b, {
        provider: 'test',
        contextWindow: 1000,
        maxOutputTokens: 10,
        inputPricePerMTok: 0,
        outputPricePerMTok: 0,
        rpm: 5,
      });
      const info = manager.getModelInfo('a')!;
      assert.equal(info.circuit.state, 'open');
      assert.equal(info.requests, 1);
      assert.equal(info.metadata.rpm, 5);
    });

    it('answers with the first model and reports model, usage, cost and trace', async () => {
      const { manager } = harness({
        a: { script: [{ text: 'hello', usage: { inputTokens: 1000, outputTokens: 500 } }] },
      });
      const result = await manager.generate({ prompt: 'hi' });
      assert.equal(result.text, 'hello');
      assert.equal(result.model, 'a');
      assert.equal(result.cached, false);
      // 1000 × $1/M + 500 × $2/M
      assert.equal(result.costUsd, 0.002);
      assert.deepEqual(attempts(result.trace.steps), ['a:success']);
      assert.equal(result.trace.steps.at(-1)!.type, 'answered');
    });

    it('rejects a request without a prompt as a bad request', async () => {
      const { manager } = harness({ a: {} });
      const error = await rejection(manager.generate({ messages: [{ role: 'user', content: '   ' }] }));
      assert.equal(error.kind, 'badRequest');
      assert.equal((await rejection(manager.generate({ prompt: 'x', temperature: 5 }))).kind, 'badRequest');
    });

    it('says clearly when no model is configured', async () => {
      const { manager } = harness({});
      const error = await rejection(manager.generate({ prompt: 'x' }));
      assert.match(error.message, /No models are configured/);
    });
  });

  describe('errors decide the route', () => {
    for (const kind of ['auth', 'quota', 'contentPolicy', 'badRequest'] as const) {
      it(`moves straight to the next model on ${kind}, without retrying`, async () => {
        const { manager, providers } = harness({ a: { script: [{ error: kind }] }, b: {} });
        const result = await manager.generate({ prompt: 'x' });
        assert.equal(result.model, 'b');
        assert.equal(providers.a.calls, 1);
        assert.deepEqual(attempts(result.trace.steps), [`a:error:${kind}`, 'b:success']);
      });
    }

    for (const kind of ['rateLimit', 'server', 'timeout', 'network', 'badResponse'] as const) {
      it(`retries ${kind} on the same model with backoff`, async () => {
        const { manager, providers, clock } = harness({
          a: { script: [{ error: kind }, { error: kind }, {}] },
          b: {},
        });
        const result = await settle(clock, manager.generate({ prompt: 'x' }));
        assert.equal(result.model, 'a');
        assert.equal(providers.a.calls, 3);
        assert.equal(providers.b.calls, 0);
        const backoffs = result.trace.steps
          .filter((s) => s.type === 'backoff')
          .map((s) => s.type === 'backoff' && s.delayMs);
        assert.deepEqual(backoffs, [1000, 2000]);
      });
    }

    it('gives up on a model after maxRetries and moves on', async () => {
      const { manager, providers, clock } = harness(
        { a: { script: [{ error: 'server' }] }, b: {} },
        { maxRetries: 2 },
      );
      const result = await settle(clock, manager.generate({ prompt: 'x' }));
      assert.equal(result.model, 'b');
      assert.equal(providers.a.calls, 3);
      assert.equal(manager.getMetrics().retries, 2);
      assert.deepEqual(manager.getMetrics().fallbacks, { 'a→b': 1 });
    });

    it('on contextLength skips to a model with a larger window', async () => {
      const { manager, providers } = harness({
        small: { script: [{ error: 'contextLength' }], metadata: { contextWindow: 8_000 } },
        alsoSmall: { metadata: { contextWindow: 8_000 } },
        large: { metadata: { contextWindow: 200_000 } },
      });
      const result = await manager.generate({ prompt: 'x' });
      assert.equal(result.model, 'large');
      assert.equal(providers.alsoSmall.calls, 0);
      assert.deepEqual(skips(result.trace.steps), ['alsoSmall:contextTooSmall']);
    });

    it('skips a model whose window is known to be too small before sending', async () => {
      const { manager, providers } = harness({ tiny: { metadata: { contextWindow: 100 } }, big: {} });
      const result = await manager.generate({ prompt: 'y'.repeat(2000) });
      assert.equal(result.model, 'big');
      assert.equal(providers.tiny.calls, 0);
      const skip = result.trace.steps.find((s) => s.type === 'skip');
      assert.match(skip?.type === 'skip' ? skip.detail : '', /context window too small \(100 tokens/);
    });

    it('fails before any request when the prompt fits no model', async () => {
      const { manager, providers } = harness({
        a: { metadata: { contextWindow: 100 } },
        b: { metadata: { contextWindow: 200 } },
      });
      const error = await rejection(manager.generate({ prompt: 'y'.repeat(4000) }));
      assert.equal(error.kind, 'contextLength');
      assert.equal(providers.a.calls + providers.b.calls, 0);
    });

    it('when every model fails, says per model what happened in plain words', async () => {
      const { manager, clock } = harness(
        {
          openai: { script: [{ error: 'auth' }] },
          claude: { script: [{ error: 'server' }] },
          local: { script: [{ error: 'network' }] },
        },
        { maxRetries: 1 },
      );
      const error = await rejection(settle(clock, manager.generate({ prompt: 'x' })));
      assert.ok(isChainFailedError(error));
      assert.equal(error.kind, 'allModelsFailed');
      assert.deepEqual(
        error.failures.map((f) => [f.model, f.outcome, f.attempts]),
        [
          ['openai', 'auth', 1],
          ['claude', 'server', 2],
          ['local', 'network', 2],
        ],
      );
      assert.match(error.message, /- openai: API key rejected/);
      assert.match(error.message, /- claude: the provider had a server error after 2 attempts/);
      assert.ok(error.trace && error.trace.steps.length > 0);
    });

    it('uses the shared kind when every model failed the same way', async () => {
      const { manager } = harness({
        a: { script: [{ error: 'quota' }] },
        b: { script: [{ error: 'quota' }] },
      });
      assert.equal((await rejection(manager.generate({ prompt: 'x' }))).kind, 'quota');
    });

    it('treats an untranslated provider exception as a bad response, not a crash', async () => {
      const { manager } = harness({ a: {}, b: {} }, { maxRetries: 0 });
      manager.registerModel(
        'a',
        {
          generate: async () => {
            throw new TypeError('boom');
          },
          stream: () => {
            throw new TypeError('boom');
          },
        },
        {
          provider: 't',
          contextWindow: 1000,
          maxOutputTokens: 10,
          inputPricePerMTok: 0,
          outputPricePerMTok: 0,
        },
      );
      const result = await manager.generate({ prompt: 'x' });
      assert.equal(result.model, 'b');
      assert.deepEqual(attempts(result.trace.steps), ['a:error:badResponse', 'b:success']);
    });

    it('treats an empty answer as a bad response', async () => {
      const { manager } = harness({ a: { script: [{ text: '' }] }, b: {} }, { maxRetries: 0 });
      assert.equal((await manager.generate({ prompt: 'x' })).model, 'b');
    });

    it('skips a model without a key, says "no API key — set one", and goes on', async () => {
      const { manager } = harness({ a: { script: [{ error: 'auth', missingKey: true }] }, b: {} });
      const result = await manager.generate({ prompt: 'x' });
      assert.equal(result.model, 'b');
      const skip = result.trace.steps.find((s) => s.type === 'skip');
      assert.equal(skip?.type === 'skip' && skip.detail, 'skipped: no API key — set one');
      assert.equal(manager.getModelInfo('a')!.circuit.consecutiveFailures, 0);
    });
  });

  describe('retry timing', () => {
    it('honours a Retry-After below the cap, then succeeds on the same model', async () => {
      const { manager, providers, clock } = harness({
        a: { script: [{ error: 'rateLimit', retryAfterMs: 7000 }, {}] },
        b: {},
      });
      const pending = manager.generate({ prompt: 'x' });
      await clock.tickAsync(6_999);
      assert.equal(providers.a.calls, 1);
      await clock.tickAsync(1);
      const result = await pending;
      assert.equal(result.model, 'a');
      const backoff = result.trace.steps.find((s) => s.type === 'backoff');
      assert.deepEqual(backoff?.type === 'backoff' && [backoff.delayMs, backoff.reason], [
        7000,
        'retryAfter',
      ]);
    });

    it('fails over at once on a Retry-After above the cap and skips the model until then', async () => {
      const { manager, providers, clock } = harness(
        { a: { script: [{ error: 'rateLimit', retryAfterMs: 120_000 }, {}] }, b: {} },
        { backoff: { maxDelayMs: 30_000 } },
      );
      const first = await manager.generate({ prompt: 'x' });
      assert.equal(first.model, 'b');
      assert.equal(providers.a.calls, 1);
      const second = await manager.generate({ prompt: 'y' });
      assert.deepEqual(skips(second.trace.steps), ['a:retryAfter']);
      assert.ok(manager.getModelInfo('a')!.retryAfterUntil! > clock.now());
      await clock.tickAsync(120_000);
      assert.equal((await manager.generate({ prompt: 'z' })).model, 'a');
    });
  });

  describe('rate limits', () => {
    it('skips a model whose requests-per-minute bucket is empty', async () => {
      const { manager } = harness({ a: { metadata: { rpm: 2 } }, b: {} });
      const models = [];
      for (let i = 0; i < 3; i++) models.push((await manager.generate({ prompt: `q${i}` })).model);
      assert.deepEqual(models, ['a', 'a', 'b']);
    });

    it('waits for a slot only when the model is the last one in the chain', async () => {
      const { manager, providers, clock } = harness({ only: { metadata: { rpm: 1 } } });
      await manager.generate({ prompt: 'q1' });
      const pending = manager.generate({ prompt: 'q2' });
      await clock.tickAsync(59_000);
      assert.equal(providers.only.calls, 1);
      await clock.tickAsync(1_000);
      assert.equal((await pending).model, 'only');
      assert.equal(providers.only.calls, 2);
    });
  });

  describe('cancellation', () => {
    it('stops a backoff wait at once with a cancelled error and no further upstream calls', async () => {
      const { manager, providers, clock } = harness({ a: { script: [{ error: 'server' }] }, b: {} });
      const controller = new AbortController();
      const pending = manager.generate({ prompt: 'x', signal: controller.signal });
      await clock.tickAsync(10);
      assert.equal(providers.a.calls, 1);
      controller.abort();
      const error = await rejection(pending);
      assert.equal(error.kind, 'cancelled');
      await clock.tickAsync(60_000);
      assert.equal(providers.a.calls + providers.b.calls, 1);
    });

    it('aborts an attempt in flight and tells the provider', async () => {
      const { manager, providers, clock } = harness({ a: { script: [{ hang: true }] }, b: {} });
      const controller = new AbortController();
      const pending = manager.generate({ prompt: 'x', signal: controller.signal });
      await clock.tickAsync(10);
      controller.abort();
      assert.equal((await rejection(pending)).kind, 'cancelled');
      assert.equal(providers.a.aborted, 1);
      assert.equal(providers.b.calls, 0);
      assert.equal(manager.getModelInfo('a')!.circuit.consecutiveFailures, 0);
    });

    it('refuses an already aborted signal without calling anyone', async () => {
      const { manager, providers } = harness({ a: {} });
      const error = await rejection(manager.generate({ prompt: 'x', signal: AbortSignal.abort() }));
      assert.equal(error.kind, 'cancelled');
      assert.equal(providers.a.calls, 0);
    });

    it('times out a silent attempt on the injected clock and moves on', async () => {
      const { manager, providers, clock } = harness(
        { a: { script: [{ hang: true }] }, b: {} },
        { requestTimeoutMs: 5000, maxRetries: 0 },
      );
      const pending = manager.generate({ prompt: 'x' });
      await clock.tickAsync(5000);
      const result = await pending;
      assert.equal(result.model, 'b');
      assert.equal(providers.a.aborted, 1);
      assert.deepEqual(attempts(result.trace.steps), ['a:error:timeout', 'b:success']);
    });
  });

  describe('streaming', () => {
    it('streams pieces to onToken and returns the whole text', async () => {
      const { manager } = harness({ a: { script: [{ chunks: ['Hel', 'lo'] }] } });
      const pieces: string[] = [];
      const result = await manager.generate({ prompt: 'x', onToken: (t) => pieces.push(t) });
      assert.deepEqual(pieces, ['Hel', 'lo']);
      assert.equal(result.text, 'Hello');
      assert.deepEqual(result.usage, { inputTokens: 100, outputTokens: 50 });
    });

    it('fails over invisibly when a stream fails before its first piece', async () => {
      const { manager } = harness(
        { a: { script: [{ chunks: [], error: 'server' }] }, b: { script: [{ chunks: ['from b'] }] } },
        { maxRetries: 0 },
      );
      const pieces: string[] = [];
      const result = await manager.generate({ prompt: 'x', onToken: (t) => pieces.push(t) });
      assert.deepEqual(pieces, ['from b']);
      assert.equal(result.model, 'b');
    });

    it('ends with an interrupted error keeping the partial text when a stream fails after text was shown', async () => {
      const { manager, providers } = harness({
        a: { script: [{ chunks: ['partial '], error: 'network' }] },
        b: {},
      });
      const pieces: string[] = [];
      const error = await rejection(manager.generate({ prompt: 'x', onToken: (t) => pieces.push(t) }));
      assert.equal(error.kind, 'interrupted');
      assert.equal(error.partialText, 'partial ');
      assert.deepEqual(pieces, ['partial ']);
      assert.equal(providers.b.calls, 0);
    });

    it('times out a stream that never sends its first piece', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ hang: true }] }, b: {} },
        { stream: { firstChunkTimeoutMs: 3000 }, maxRetries: 0 },
      );
      const pending = manager.generate({ prompt: 'x', onToken: () => undefined });
      await clock.tickAsync(3000);
      const result = await pending;
      assert.equal(result.model, 'b');
      assert.deepEqual(attempts(result.trace.steps), ['a:error:timeout', 'b:success']);
    });

    it('survives a throwing onToken listener', async () => {
      const { manager, logger } = harness({ a: { script: [{ chunks: ['a', 'b'] }] } });
      const result = await manager.generate({
        prompt: 'x',
        onToken: () => {
          throw new Error('listener bug');
        },
      });
      assert.equal(result.text, 'ab');
      assert.ok(logger.lines.some((l) => l.level === 'error' && l.message.includes('listener bug')));
    });
  });

  describe('estimates', () => {
    it('estimates the cost range across the chain before sending', () => {
      const { manager } = harness({
        cheap: { metadata: { inputPricePerMTok: 1, outputPricePerMTok: 2, maxOutputTokens: 1000 } },
        dear: { metadata: { inputPricePerMTok: 10, outputPricePerMTok: 30, maxOutputTokens: 1000 } },
        local: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0 } },
      });
      const estimate = manager.estimateCost({ prompt: 'x'.repeat(3984), maxTokens: 500 });
      assert.equal(estimate.inputTokens, 1004);
      assert.equal(estimate.minUsd, 0);
      assert.equal(estimate.maxUsd, (1004 * 10 + 500 * 30) / 1e6);
      assert.deepEqual(
        estimate.perModel.map((m) => m.free),
        [false, false, true],
      );
    });
  });

  it('recognises its errors by brand', () => {
    const error = new LlmError('server', 'x');
    assert.equal(isLlmError(error), true);
    assert.equal(isLlmError({ kind: 'server' }), false);
    assert.equal(error.transient, true);
    assert.equal(new LlmError('quota', 'x').transient, false);
  });
});
