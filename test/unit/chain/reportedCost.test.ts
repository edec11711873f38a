import * as assert from 'node:assert/strict';
import type { LlmProvider, ProviderRequest, ProviderResponse, StreamChunk } from '../../../src/core';
import { harness, metadata, settle } from '../../support/scriptedProvider';

const USAGE = { inputTokens: 1000, outputTokens: 500 };
/** At the harness's default prices ($1 / $2 per M tokens), USAGE costs this much. */
const CATALOG_COST = (1000 * 1 + 500 * 2) / 1e6;

/** A gateway-like provider that reports what it billed, beside the usage. */
class BilledProvider implements LlmProvider {
  constructor(private readonly usd: number) {}

  async generate(_request: ProviderRequest): Promise<ProviderResponse> {
    return { text: 'billed answer', usage: USAGE, reportedCostUsd: this.usd };
  }

  async *stream(): AsyncIterable<StreamChunk> {
    // A gateway's cost header arrives before the text.
    yield { type: 'cost', usd: this.usd };
    yield { type: 'text', text: 'billed ' };
    yield { type: 'text', text: 'stream' };
    yield { type: 'usage', usage: USAGE };
    yield { type: 'finish', finishReason: 'stop' };
  }
}

describe('the cost a service reports for a request', () => {
  it('replaces usage × price in the result, the trace and the ledger, counted once', async () => {
    const { manager } = harness({});
    manager.registerModel('gateway', new BilledProvider(0.0042), metadata());
    const result = await manager.generate({ prompt: 'hi' });
    assert.equal(result.costUsd, 0.0042);
    assert.notEqual(result.costUsd, CATALOG_COST);
    const answered = result.trace.steps.find((s) => s.type === 'answered');
    assert.ok(answered?.type === 'answered' && answered.costUsd === 0.0042);
    assert.equal(manager.getMetrics().spend.todayUsd, 0.0042);
    await manager.dispose();
  });

  it('comes as a cost chunk ahead of a streamed answer', async () => {
    const { manager } = harness({});
    manager.registerModel('gateway', new BilledProvider(0.0017), metadata());
    const shown: string[] = [];
    const result = await manager.generate({ prompt: 'hi', onToken: (t) => shown.push(t) });
    assert.equal(result.text, 'billed stream');
    assert.deepEqual(shown, ['billed ', 'stream'], 'the cost chunk is no text');
    assert.equal(result.costUsd, 0.0017);
    assert.equal(manager.getMetrics().spend.todayUsd, 0.0017);
    await manager.dispose();
  });

  it('gives a model whose catalog price is unknown a real cost', async () => {
    const { manager } = harness({});
    manager.registerModel(
      'gateway',
      new BilledProvider(0.5),
      metadata({ inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true }),
    );
    const result = await manager.generate({ prompt: 'hi' });
    assert.equal(result.costUsd, 0.5);
    assert.equal(result.priceUnknown, undefined);
    assert.equal(manager.getMetrics().spend.todayUsd, 0.5);
    await manager.dispose();
  });

  for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
    it(`is ignored when it is no usable amount (${bad}): usage × price applies`, async () => {
      const { manager } = harness({});
      manager.registerModel('gateway', new BilledProvider(bad), metadata());
      const result = await manager.generate({ prompt: 'hi' });
      assert.equal(result.costUsd, CATALOG_COST);
      await manager.dispose();
    });
  }
});

describe('an error not worth retrying that names when the model is back (a team budget)', () => {
  const THREE_HOURS = 3 * 3_600_000;

  it('moves on at once and keeps the model out until then, then tries it again', async () => {
    const { manager, clock, providers } = harness(
      {
        team: { script: [{ error: 'quota', retryAfterMs: THREE_HOURS }, {}] },
        local: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0 } },
      },
      { maxRetries: 3 },
    );
    manager.setFallbackChain(['team', 'local']);
    const startedAt = clock.now();
    const first = await settle(clock, manager.generate({ prompt: 'one' }));
    assert.equal(first.model, 'local');
    assert.equal(providers.team.calls, 1, 'not retried');
    assert.ok(!first.trace.steps.some((s) => s.type === 'backoff'));
    assert.equal(manager.getModelInfo('team')!.retryAfterUntil, startedAt + THREE_HOURS);

    const second = await manager.generate({ prompt: 'two' });
    assert.equal(second.model, 'local');
    assert.equal(providers.team.calls, 1, 'skipped while it is out');
    const skip = second.trace.steps.find((s) => s.type === 'skip' && s.model === 'team');
    assert.ok(skip?.type === 'skip' && skip.reason === 'retryAfter');

    await clock.tickAsync(THREE_HOURS);
    const third = await manager.generate({ prompt: 'three' });
    assert.equal(third.model, 'team');
    await manager.dispose();
  });
});
